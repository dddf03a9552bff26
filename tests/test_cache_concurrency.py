"""Several processes sharing one cache folder: no corrupt records, and no job
run twice at once (the tool counts its own invocations)."""

from __future__ import annotations

import json
import multiprocessing
import os

import nibabel as nib
import numpy as np
from interfaces_helpers import write_script

#: Copies $1 to $2, slowly enough that the processes overlap; counts its runs.
SLOW_COUNTING_COPY = (
    '[ "$1" = --version ] && { echo "slowcp 1.0"; exit 0; }\n'
    'echo run >> "$(dirname "$0")/calls"\n'
    'sleep 0.5\n'
    'cp "$1" "$2"\n'
)


def _tool(script):
    from interfaces.base import Float, Image, InputSpec, Interface, OutputImage

    class slowcp(Interface):
        """Copy an image slowly, counting runs."""

        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, desc="image to copy")
            out_file = OutputImage(position=1, name_source="in_file", name_template="%s_out",
                                   keep_extension=True, desc="the copy")
            factor = Float(argstr="--factor %g", desc="a value")

    return slowcp


_barrier = None


def _init(barrier):
    global _barrier
    _barrier = barrier


def _run_in_child(args):
    """One process's job (module level: spawned children import it)."""
    script, image, store, factor = args
    import imagecache
    import interfaces.base.cache  # noqa: F401  (imports done before the start line)

    _barrier.wait(60)  # all four ask at the same moment

    res = _tool(script)().run(in_file=imagecache.load(image), factor=factor, cache=store)
    return res.cache_hit, res.outputs.out_file.get_filename(), res.cache_key


def test_processes_sharing_a_folder_run_each_job_once(tmp_path):
    script = write_script(tmp_path, "slowcp", SLOW_COUNTING_COPY)
    image = str(tmp_path / "a.nii")
    nib.save(nib.Nifti1Image(np.arange(60, dtype=np.float32).reshape(3, 4, 5), np.eye(4)), image)
    store = str(tmp_path / "cache")
    # Four processes, two distinct jobs (factor 1 and 2), each asked twice at once.
    jobs = [(script, image, store, factor) for factor in (1.0, 2.0, 1.0, 2.0)]
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded test process
    with ctx.Pool(4, initializer=_init, initargs=(ctx.Barrier(4),)) as pool:
        outcomes = pool.map(_run_in_child, jobs)
    with open(tmp_path / "calls") as fh:
        assert len(fh.read().split()) == 2  # one run per job
    by_job = {}
    for (_, _, _, factor), (hit, out, key) in zip(jobs, outcomes):
        by_job.setdefault(factor, []).append((hit, out, key))
    for factor, seen in by_job.items():
        assert sorted(hit for hit, _, _ in seen) == [False, True]  # one ran, one waited
        assert len({out for _, out, _ in seen}) == 1  # and got the same output
        assert np.array_equal(nib.load(seen[0][1]).get_fdata(), nib.load(image).get_fdata())
    # Every record in the folder is whole.
    entries = os.path.join(store, "entries")
    found = [os.path.join(r, f) for r, _, fs in os.walk(entries) for f in fs]
    assert len(found) == 2 and all(f.endswith(".json") for f in found)
    for path in found:
        with open(path) as fh:
            assert json.load(fh)["outputs"]["out_file"]["kind"] == "image"
