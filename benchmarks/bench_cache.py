"""Result caching, shipping images to workers, and running on 1 vs 2 workers.

Side by side in one run:

1. Cache hit of a run with two clean file inputs (MRtrix3 ``mrcalc a b -add
   out``), median of N hits: ``run(cache=...)`` on two imagecache images and
   on two paths, against nipype's ``Memory`` and, when a Python with pydra is
   given (``--pydra-python``, a separate virtualenv: pydra's pins differ),
   pydra 0.25's ``ShellCommandTask`` cache.  Target: <= 1 ms median.
2. Bytes sent to a worker per clean 64 MiB image (as Dask pickles it, with
   cloudpickle): imagecache's shell against a plain nibabel image, lazy and
   after ``get_fdata()``, and a dirty image with its voxels.
3. Wall time of 40 runs of a CPU-bound real tool (``mrfilter median``,
   single-threaded) through ``run_many`` on a Dask LocalCluster of 1 and of 2
   worker processes.

Usage::

    python benchmarks/bench_cache.py [--hits 300] [--runs 40] [--no-nipype]
        [--pydra-python /path/to/venv/bin/python] [--skip-workers]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

import nibabel as nib
import numpy as np


def _median_ms(samples):
    return statistics.median(samples) * 1e3


def _mrtrix():
    from interfaces.base import Family

    return Family("mrtrix3", package_hint="apt-get install mrtrix3")


def _mrcalc_add():
    from interfaces.base import Bool, Image, InputSpec, Interface, OutputImage, Str

    mrtrix = _mrtrix()

    class mrcalc_add(Interface):
        """mrcalc a b -add out."""

        executable = "mrcalc"
        family = mrtrix

        class Inputs(InputSpec):
            in1 = Image(position=0, mandatory=True, desc="a")
            in2 = Image(position=1, mandatory=True, desc="b")
            op = Str("-add", usedefault=True, position=2, desc="operation")
            out_file = OutputImage(position=3, name_source="in1", name_template="%s_sum",
                                   keep_extension=True, desc="sum")
            force = Bool(True, usedefault=True, argstr="-force", desc="overwrite")
            quiet = Bool(True, usedefault=True, argstr="-quiet", desc="quiet")

    return mrcalc_add


def bench_hits(folder: str, hits: int, with_nipype: bool, pydra_python: str | None) -> dict:
    import imagecache

    rng = np.random.default_rng(0)
    a, b = os.path.join(folder, "a.nii"), os.path.join(folder, "b.nii")
    for path in (a, b):
        nib.save(nib.Nifti1Image(rng.random((64, 64, 64)).astype(np.float32), np.eye(4)), path)
    tool = _mrcalc_add()()
    store = os.path.join(folder, "cache")
    ia, ib = imagecache.load(a), imagecache.load(b)
    first = tool.run(in1=ia, in2=ib, cache=store)
    assert not first.cache_hit and tool.run(in1=ia, in2=ib, cache=store).cache_hit
    tool.run(in1=a, in2=b, cache=store)

    def t_images():
        t0 = time.perf_counter()
        res = tool.run(in1=ia, in2=ib, cache=store)
        dt = time.perf_counter() - t0
        assert res.cache_hit
        return dt

    def t_paths():
        t0 = time.perf_counter()
        tool.run(in1=a, in2=b, cache=store)
        return time.perf_counter() - t0

    def t_with_output():
        t0 = time.perf_counter()
        tool.run(in1=ia, in2=ib, cache=store).outputs.out_file  # noqa: B018
        return time.perf_counter() - t0

    timers = {
        "imageshell run(cache=) hit, 2 imagecache images": t_images,
        "imageshell run(cache=) hit, 2 paths": t_paths,
        "imageshell hit + loading the output image (nibabel header read)": t_with_output,
    }
    if with_nipype:
        timers["nipype Memory hit, 2 paths"] = _nipype_timer(folder, a, b)
    samples = {name: [] for name in timers}
    for _ in range(hits):  # interleaved, so load on the machine hits all alike
        for name, timer in timers.items():
            samples[name].append(timer())
    out = {name: _median_ms(s) for name, s in samples.items()}
    if pydra_python:
        out["pydra 0.25 ShellCommandTask hit, 2 paths"] = _pydra_ms(pydra_python, folder, a, b,
                                                                   hits)
    return out


def _nipype_add():
    """nipype's interface for ``mrcalc a b -add out`` (module level: nipype pickles it)."""
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import nipype
        from nipype.interfaces.base import (CommandLine, CommandLineInputSpec, File,
                                            TraitedSpec)

    nipype.config.set("execution", "check_version", "false")
    logging.getLogger("nipype.workflow").setLevel(logging.WARNING)

    class AddInputSpec(CommandLineInputSpec):
        in1 = File(exists=True, mandatory=True, argstr="%s", position=0)
        in2 = File(exists=True, mandatory=True, argstr="%s", position=1)
        out_file = File("sum.nii", usedefault=True, argstr="-add %s -force -quiet", position=2)

    class AddOutputSpec(TraitedSpec):
        out_file = File(exists=True)

    class NipypeAdd(CommandLine):
        _cmd = "mrcalc"
        input_spec = AddInputSpec
        output_spec = AddOutputSpec

        def _list_outputs(self):
            return {"out_file": os.path.abspath(self.inputs.out_file)}

    for klass in (AddInputSpec, AddOutputSpec, NipypeAdd):
        klass.__qualname__ = klass.__name__
        globals()[klass.__name__] = klass
    return NipypeAdd


def _nipype_timer(folder, a, b):
    from nipype.caching import Memory

    add = _nipype_add()
    os.makedirs(os.path.join(folder, "nipype"), exist_ok=True)
    mem = Memory(os.path.join(folder, "nipype"))
    cached = mem.cache(add)
    cached(in1=a, in2=b)

    def timer():
        t0 = time.perf_counter()
        cached(in1=a, in2=b)
        return time.perf_counter() - t0

    return timer


_PYDRA = textwrap.dedent('''
    import statistics, sys, time, warnings
    warnings.simplefilter("ignore")
    import pydra
    from pydra.engine.specs import File, ShellSpec, SpecInfo
    a, b, cache, hits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    spec = SpecInfo(name="Input", bases=(ShellSpec,), fields=[
        ("in1", File, {"argstr": "", "position": 1, "mandatory": True, "help_string": "a"}),
        ("in2", File, {"argstr": "", "position": 2, "mandatory": True, "help_string": "b"}),
        ("op", str, "-add", {"argstr": "", "position": 3, "help_string": "op"}),
        ("out", str, {"argstr": "", "position": 4, "output_file_template": "sum.nii",
                      "help_string": "out"}),
    ])
    def task():
        return pydra.ShellCommandTask(name="add", executable="mrcalc", input_spec=spec,
                                      in1=a, in2=b, cache_dir=cache)
    task()()
    samples = []
    for _ in range(hits):
        t0 = time.perf_counter()
        task()()
        samples.append(time.perf_counter() - t0)
    print(statistics.median(samples) * 1e3)
''')


def _pydra_ms(python, folder, a, b, hits):
    done = subprocess.run(
        [python, "-c", _PYDRA, a, b, os.path.join(folder, "pydra"), str(min(hits, 100))],
        capture_output=True, text=True, timeout=600,
    )
    if done.returncode != 0:
        print("pydra failed:", done.stderr[-500:], file=sys.stderr)
        return float("nan")
    return float(done.stdout.strip().splitlines()[-1])


def bench_bytes(folder: str) -> dict:
    import cloudpickle

    import imagecache
    from interfaces.parallel import _Shipping, ship

    data = np.random.default_rng(1).random((256, 256, 256), dtype=np.float32)  # 64 MiB
    path = os.path.join(folder, "big.nii")
    nib.save(nib.Nifti1Image(data, np.eye(4)), path)
    del data
    out = {}
    tracked = imagecache.load(path)
    out["imageshell: clean imagecache image (shell)"] = len(cloudpickle.dumps(ship(tracked)))
    tracked.get_fdata()
    out["imageshell: same, after get_fdata()"] = len(cloudpickle.dumps(ship(tracked)))
    plain = nib.load(path)
    out["nibabel image, lazy, pickled as is"] = len(cloudpickle.dumps(plain))
    out["imageshell: same nibabel image, shipped"] = len(cloudpickle.dumps(ship(plain)))
    plain.get_fdata()
    out["nibabel image after get_fdata(), pickled as is"] = len(cloudpickle.dumps(plain))
    tracked = imagecache.load(path)
    tracked.get_data()[0, 0, 0] = 0  # an edit: the image no longer matches its file
    out["imageshell: dirty image, no shared folder (voxels)"] = len(
        cloudpickle.dumps(ship(tracked)))
    shared = os.path.join(folder, "shared")
    out["imageshell: dirty image, shared folder (shell of the file written once)"] = len(
        cloudpickle.dumps(ship(tracked, shared, _Shipping(shared))))
    return out


def bench_workers(folder: str, runs: int) -> dict:
    from dask.distributed import Client, LocalCluster

    import imagecache
    import interfaces
    from interfaces.base import Bool, Image, InputSpec, Int, Interface, OutputImage

    mrtrix = _mrtrix()

    class mrfilter_median(Interface):
        """mrfilter in median -extent 3 out, single-threaded."""

        executable = "mrfilter"
        family = mrtrix

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, desc="in")
            out_file = OutputImage(position=2, name_source="in_file", name_template="%s_med",
                                   keep_extension=True, desc="out")
            median = Bool(True, usedefault=True, argstr="median -extent 3", position=1,
                          desc="filter")
            nthreads = Int(0, usedefault=True, argstr="-nthreads %d", desc="0: one thread")
            force = Bool(True, usedefault=True, argstr="-force", desc="overwrite")
            quiet = Bool(True, usedefault=True, argstr="-quiet", desc="quiet")

    rng = np.random.default_rng(2)
    images = []
    for i in range(runs):
        path = os.path.join(folder, f"w{i:02d}.nii")
        nib.save(nib.Nifti1Image(rng.random((80, 80, 80)).astype(np.float32), np.eye(4)), path)
        images.append(imagecache.load(path))
    # Workers import this class by reference: make this file importable there.
    sys.modules.setdefault("bench_cache", sys.modules[__name__])
    out = {}
    for n in (1, 2):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.run(lambda: None)  # workers up
            t0 = time.perf_counter()
            jobs = interfaces.run_many(mrfilter_median, [{"in_file": im} for im in images],
                                       executor=client.get_executor(), progress=False,
                                       cache=False)
            out[n] = time.perf_counter() - t0
            assert all(job.ok for job in jobs), [j.error for j in jobs if not j.ok][:1]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=300)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--no-nipype", action="store_true")
    parser.add_argument("--pydra-python", default=os.environ.get("PYDRA_PYTHON"))
    parser.add_argument("--skip-workers", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("mrcalc") is None:
        print("MRtrix3 is needed: apt-get install mrtrix3", file=sys.stderr)
        return 1
    folder = tempfile.mkdtemp(prefix="bench-cache-")
    try:
        print(f"1. cache hit, two clean 64^3 float32 NIfTI inputs (median of {args.hits})")
        hits = bench_hits(folder, args.hits, not args.no_nipype, args.pydra_python)
        ours = hits["imageshell run(cache=) hit, 2 imagecache images"]
        for name, ms in hits.items():
            print(f"   {name:<66} {ms:8.3f} ms  {ms / ours:6.1f}x")
        print("\n2. bytes sent to a worker per clean 64 MiB image (cloudpickle, as Dask sends)")
        for name, size in bench_bytes(folder).items():
            print(f"   {name:<72} {size:>12,d} B")
        if not args.skip_workers:
            print(f"\n3. {args.runs} runs of mrfilter median (one thread each) via run_many on Dask")
            walls = bench_workers(folder, args.runs)
            print(f"   1 worker : {walls[1]:6.2f} s")
            print(f"   2 workers: {walls[2]:6.2f} s   speed-up {walls[1] / walls[2]:.2f}x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
