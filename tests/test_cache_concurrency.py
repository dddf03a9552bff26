"""Several processes sharing one cache folder: no corrupt records, and no job
run twice at once (the tool counts its own invocations)."""

from __future__ import annotations

import json
import multiprocessing
import os

import nibabel as nib
import numpy as np
from cache_helpers import counting_copy

_barrier = None


def _init(barrier):
    global _barrier
    _barrier = barrier


def _run_in_child(args):
    """One process's job (module level: spawned children import it)."""
    folder, image, store, factor = args
    import imagecache

    tool, _ = counting_copy(folder, sleep=0.5)
    img = imagecache.load(image)
    _barrier.wait(60)  # all four ask at the same moment
    res = tool().run(in_file=img, factor=factor, cache=store)
    return res.cache_hit, res.outputs.out_file.get_filename(), res.cache_key


def test_processes_sharing_a_folder_run_each_job_once(tmp_path):
    _, calls = counting_copy(tmp_path, sleep=0.5)
    image = str(tmp_path / "a.nii")
    nib.save(nib.Nifti1Image(np.arange(60, dtype=np.float32).reshape(3, 4, 5), np.eye(4)), image)
    store = str(tmp_path / "cache")
    # Four processes, two distinct jobs (factor 1 and 2), each asked twice at once.
    jobs = [(str(tmp_path), image, store, factor) for factor in (1.0, 2.0, 1.0, 2.0)]
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded test process
    with ctx.Pool(4, initializer=_init, initargs=(ctx.Barrier(4),)) as pool:
        outcomes = pool.map(_run_in_child, jobs)
    assert calls() == 2  # one run per job
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
