"""run_many on SLURM against a Dask LocalCluster of the same size.

Side by side in one run, on a one-node SLURM cluster on localhost
(``tests/slurm_cluster.py``: Debian's slurmctld, slurmd and munge; needs root
and ``.ci/install``):

1. Two workers of one thread each, as a ``LocalCluster`` and as two SLURM
   jobs (:func:`interfaces.slurm_executor`): time until both workers are up,
   a first and a second round of ``run_many`` of MRtrix3's ``mrthreshold`` on
   N clean images (no cache: both rounds run every job), and close.
2. Per-job overhead of ``run_many`` over the tool's own time (the runs'
   ``runtime.duration``, the tool's process) on M tiny jobs (``sha256sum``
   of a small file): in this process, on the 2 local workers and on the 2
   SLURM jobs.  Overhead per job = wall time x workers / M - mean tool time;
   for reference, Dask's own cost per task: M no-op tasks on the same workers.

The clusters run one after the other, never at once.  Timings on a machine
shared with other work vary; compare the columns of one run.

Usage::

    python benchmarks/bench_slurm.py [--images 24] [--tiny 500]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time

import nibabel as nib
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

WORKERS = 2


def _write_images(folder, n):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        path = os.path.join(folder, f"sub-{i:02d}.nii")
        nib.save(nib.Nifti1Image(rng.random((32, 32, 32)).astype(np.float32), np.eye(4)), path)
        paths.append(path)
    return paths


@contextlib.contextmanager
def _local(folder):
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None,
                      local_directory=os.path.join(folder, "dask-local")) as cluster, \
            Client(cluster) as client:
        executor = client.get_executor()
        executor.client = client
        yield executor


@contextlib.contextmanager
def _slurm(folder):
    import interfaces

    with interfaces.slurm_executor(
            jobs=WORKERS, cores=1, memory="2GB", walltime="00:30:00", interface="lo",
            scheduler_options={"dashboard_address": None},
            local_directory=os.path.join(folder, "dask-slurm"),
            log_directory=os.path.join(folder, "slurm-logs"),
            job_extra_directives=[f"--chdir={folder}"]) as executor:
        yield executor


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _check(jobs):
    bad = [job for job in jobs if not job.ok]
    if bad:
        raise SystemExit(f"job {bad[0].index} failed: {bad[0].error}\n{bad[0].traceback}")
    return jobs


def _overhead(wall, jobs, workers):
    tool = statistics.mean(job.result.runtime.duration for job in jobs)
    return {"wall_ms": wall / len(jobs) * 1e3, "tool_ms": tool * 1e3,
            "overhead_ms": (wall * workers / len(jobs) - tool) * 1e3}


def _noop(i):
    return i


def _dask_alone(executor, n):
    """Wall time x workers / n of n no-op tasks: Dask's own cost per task, for reference."""
    from concurrent.futures import as_completed

    start = time.perf_counter()
    for future in as_completed([executor.submit(_noop, i) for i in range(n)]):
        future.result()
    return (time.perf_counter() - start) * WORKERS / n * 1e3


def _on(make, folder, images, tiny, workdir, gone=None):
    import interfaces
    from interfaces.coreutils import sha256sum
    from interfaces.mrtrix3 import mrthreshold

    out = {}
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        executor = stack.enter_context(make(folder))
        executor.client.wait_for_workers(WORKERS, timeout=120)
        out["workers up (s)"] = time.perf_counter() - start
        jobs = [{"in_file": path, "abs": 0.5} for path in images]
        for name in ("round 1 (s)", "round 2 (s)"):
            out[name], _ = _timed(lambda: _check(interfaces.run_many(
                mrthreshold, jobs, executor=executor, progress=False, workdir=workdir)))
        wall, done = _timed(lambda: _check(interfaces.run_many(
            sha256sum, tiny, executor=executor, progress=False)))
        out["tiny"] = _overhead(wall, done, WORKERS)
        out["noop_ms"] = _dask_alone(executor, len(tiny))
        closing = time.perf_counter()
    out["close (s)"] = time.perf_counter() - closing
    if gone is not None:  # SLURM: close cancels the jobs; they leave the queue a bit later
        gone()
        out["jobs gone (s)"] = time.perf_counter() - closing
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=24, help="images per round")
    parser.add_argument("--tiny", type=int, default=500, help="tiny jobs for the overhead")
    args = parser.parse_args(argv)

    import slurm_cluster

    reason = slurm_cluster.unavailable()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    if shutil.which("mrthreshold") is None:
        print("cannot run: mrthreshold not found (apt-get install mrtrix3)", file=sys.stderr)
        return 2
    import interfaces
    from interfaces.coreutils import sha256sum

    folder = tempfile.mkdtemp(prefix="imageshell-bench-slurm-")
    try:
        images = _write_images(folder, args.images)
        small = os.path.join(folder, "small.txt")
        with open(small, "w") as fh:
            fh.write("tiny\n")
        tiny = [{"in_file": small}] * args.tiny
        workdir = os.path.join(folder, "runs")

        wall, done = _timed(lambda: _check(interfaces.run_many(sha256sum, tiny, progress=False)))
        here = _overhead(wall, done, 1)
        local = _on(_local, folder, images, tiny, workdir)
        with slurm_cluster.LocalSlurm(cpus=WORKERS) as slurm:
            os.environ.update(slurm.env)
            try:
                on_slurm = _on(_slurm, folder, images, tiny, workdir, slurm.wait_queue_empty)
            finally:
                os.environ.pop("SLURM_CONF", None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"1. {WORKERS} workers of 1 thread; rounds of mrthreshold on {args.images} "
          f"32^3 images")
    print(f"   {'':18s} {'LocalCluster':>13s} {'SLURM':>10s} {'SLURM/local':>12s}")
    for key in ("workers up (s)", "round 1 (s)", "round 2 (s)", "close (s)"):
        a, b = local[key], on_slurm[key]
        print(f"   {key:18s} {a:13.2f} {b:10.2f} {b / a:11.2f}x")
    print(f"   {'jobs gone (s)':18s} {'':13s} {on_slurm['jobs gone (s)']:10.2f}  "
          "(close until squeue is empty)")
    print(f"2. run_many per-job overhead over the tool's own time, {args.tiny} sha256sum jobs")
    print(f"   {'':18s} {'wall/job ms':>12s} {'tool ms':>9s} {'overhead ms':>12s} "
          f"{'vs in-process':>14s}")
    for name, row in (("in this process", here), (f"{WORKERS} local workers", local["tiny"]),
                      (f"{WORKERS} SLURM jobs", on_slurm["tiny"])):
        print(f"   {name:18s} {row['wall_ms']:12.2f} {row['tool_ms']:9.2f} "
              f"{row['overhead_ms']:12.2f} {row['overhead_ms'] / here['overhead_ms']:13.2f}x")
    print(f"   Dask's own cost per task (wall x workers / tasks, {args.tiny} no-op tasks): "
          f"{local['noop_ms']:.2f} ms local, {on_slurm['noop_ms']:.2f} ms SLURM")
    return 0


if __name__ == "__main__":
    sys.exit(main())
