"""run_many on a real SLURM cluster: Debian's slurmctld, slurmd and munge on
localhost (tests/slurm_cluster.py), Dask workers started as SLURM jobs by
dask-jobqueue through ``interfaces.slurm_executor``, a real tool (MRtrix3's
mrthreshold, the project's wrapper: workers import it from the package, as
they would on a real cluster) on 24 images.

One cluster serves the whole session (up in a few seconds); it is always
brought down, jobs included, at the end.  Where SLURM cannot run (not
installed, not root) the tests skip with the reason; in CI they fail, since
``.ci/install`` installs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import nibabel as nib
import numpy as np
import pytest
import slurm_cluster
from tools import require_module, require_slurm, require_tool

import imagecache
import interfaces
from interfaces import parallel
from interfaces.base import CommandFailedError
from interfaces.mrtrix3 import mrthreshold

SLURM_EXTRA = "pip install 'imageshell[slurm]'"


@pytest.fixture(autouse=True)
def dask_scratch(tmp_path):
    """Dask's schedulers and workers keep their scratch space below the test's folder
    (by default: dask-scratch-space in the system's temporary folder, left there)."""
    import dask

    with dask.config.set({"temporary-directory": str(tmp_path / "dask-scratch")}):
        yield


@pytest.fixture(scope="session")
def slurm_cluster_up():
    """The session's one-node cluster: started once, always brought down at the end."""
    require_slurm()
    require_module("dask_jobqueue", SLURM_EXTRA)
    with slurm_cluster.LocalSlurm(cpus=4) as cluster:  # 2 jobs of 1 core, with room to spare
        yield cluster


@pytest.fixture
def slurm(slurm_cluster_up, monkeypatch):
    """The cluster, with ``SLURM_CONF`` pointing at it during the test (sbatch and
    scancel, called by dask-jobqueue, read it) and not in other tests' processes."""
    monkeypatch.setenv("SLURM_CONF", slurm_cluster_up.conf)
    return slurm_cluster_up


def local_options(folder) -> dict:
    """SLURMCluster options that keep everything on loopback and under ``folder``."""
    return {
        "interface": "lo",
        "scheduler_options": {"dashboard_address": None},
        "local_directory": str(folder / "dask-worker"),
        "log_directory": str(folder / "slurm-logs"),
        "job_extra_directives": [f"--chdir={folder}"],  # nothing lands in the checkout
    }


def wait_until(predicate, timeout=30.0):
    """Poll ``predicate`` until true or ``timeout`` s (SLURM states change asynchronously)."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(0.2)
    return True


def batch_job(job) -> str | None:
    record = interfaces.read_provenance(job.result.runtime.cwd)
    return record["host"]["batch_job"].get("SLURM_JOB_ID")


def test_run_many_on_two_slurm_jobs(slurm, tmp_path, monkeypatch):
    require_tool("mrthreshold")
    rng = np.random.default_rng(15)
    images, expected = [], []
    for i in range(24):
        data = rng.random((10, 11, 12)).astype(np.float32)
        path = str(tmp_path / f"sub-{i:02d}.nii")
        if i < 20:
            nib.save(nib.Nifti1Image(data, np.eye(4)), path)
        if i < 12:
            img = imagecache.load(path)  # clean, tracked
        elif i < 16:
            img = nib.load(path)  # clean, plain nibabel
        elif i < 20:
            img = imagecache.load(path)  # edited in memory
            img.get_data()[1, 2, 3] = 0.75 if data[1, 2, 3] <= 0.5 else 0.25
            data = img.get_data().copy()
        else:
            img = nib.Nifti1Image(data, np.eye(4))  # only in memory: no file at all
        images.append(img)
        expected.append(data > 0.5)
    bad = tmp_path / "broken.nii"
    bad.write_bytes(b"not an image")
    jobs_in = [{"in_file": img, "abs": 0.5} for img in images]
    jobs_in.insert(7, {"in_file": str(bad), "abs": 0.5})
    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setitem(parallel._shared, "dir", parallel._shared["dir"])  # restored after
    interfaces.set_shared_dir(shared)
    assert interfaces.get_shared_dir() == str(shared)
    store = tmp_path / "cache"

    with interfaces.slurm_executor(jobs=2, cores=1, memory="2GB", walltime="00:10:00",
                                   **local_options(tmp_path)) as executor:
        executor.client.wait_for_workers(2, timeout=60)  # so that both jobs get tasks
        job_ids = {job.job_id for job in executor.cluster.workers.values()}
        assert len(job_ids) == 2
        assert {job: state for job, state in slurm.queue() if job in job_ids} == dict.fromkeys(
            job_ids, "RUNNING")
        first = interfaces.run_many(mrthreshold, jobs_in, executor=executor, progress=False,
                                    cache=store)
        shipped = os.listdir(shared / parallel.SHIPPED)
        again = interfaces.run_many(mrthreshold, jobs_in, executor=executor, progress=False,
                                    cache=store)
        edited = images[17]  # one more edit of one image: only its job runs again
        edited.get_data()[4, 4, 4] = 0.75 if edited.get_data()[4, 4, 4] <= 0.5 else 0.25
        expected_edit = edited.get_data() > 0.5
        third = interfaces.run_many(mrthreshold, jobs_in, executor=executor, progress=False,
                                    cache=store)

    # Closing the executor cancels the jobs: they leave the queue.
    assert wait_until(lambda: not job_ids & {job for job, _ in slurm.queue()})
    assert wait_until(lambda: job_ids <= {j["JobId"] for j in slurm.finished()})

    assert [job.ok for job in first] == [i != 7 for i in range(25)]
    failed = first[7]
    assert isinstance(failed.error, CommandFailedError)
    assert "mrthreshold" in str(failed.error) and "broken.nii" in str(failed.error)
    assert failed.inputs == {"in_file": str(bad), "abs": 0.5}  # reported with its input set
    assert failed.traceback and "CommandFailedError" in failed.traceback
    done = [job for job in first if job.ok]
    for job, img, want in zip(done, images, expected):
        mask = np.asanyarray(job.result.outputs.out_file.dataobj).astype(bool)
        assert mask.shape == want.shape and np.array_equal(mask, want), job.index
        assert job.result.inputs["in_file"] is img
    # Every task ran in one of the two SLURM jobs, and each job ran some.
    ran_in = [batch_job(job) for job in done]
    assert set(ran_in) == job_ids, ran_in
    # The 8 dirty images went once each to the shared folder, and travelled as its files.
    assert len(shipped) == 8
    assert all(os.path.dirname(job.result.input_files["in_file"].path) == str(
        shared / parallel.SHIPPED) for job in done[16:])
    # Rerun with the shared cache: only hits.  After one edit: only that job runs.
    assert [job.ok for job in again] == [job.ok for job in first]
    assert all(job.result.cache_hit for job in again if job.ok)
    assert [job.result.outputs.out_file.get_filename() for job in again if job.ok] == [
        job.result.outputs.out_file.get_filename() for job in done]
    assert [job.ok for job in third] == [job.ok for job in first]
    assert [job.index for job in third if job.ok and not job.result.cache_hit] == [18]
    rerun = third[18]
    assert batch_job(rerun) in job_ids
    assert np.array_equal(np.asanyarray(rerun.result.outputs.out_file.dataobj).astype(bool),
                          expected_edit)


def test_slurm_executor_writes_the_job_script_and_keeps_dask_on_loopback(tmp_path):
    require_module("dask_jobqueue", SLURM_EXTRA)
    with interfaces.slurm_executor(jobs=0, cores=2, memory="3GB", walltime="00:20:00",
                                   queue="short", interface="lo",
                                   local_directory=str(tmp_path / "w"),
                                   log_directory=str(tmp_path / "logs")) as executor:
        script = executor.cluster.job_script()
        scheduler = executor.cluster.scheduler
        http = {sock.getsockname()[0] for sock in scheduler.http_server._sockets.values()}
        address = scheduler.address
    for directive in ("#SBATCH -p short", "#SBATCH --cpus-per-task=2", "#SBATCH --mem=3G",
                      "#SBATCH -t 00:20:00", f"#SBATCH -o {tmp_path / 'logs'}"):
        assert directive in script, script
    assert "--nthreads 2" in script and "--interface lo" in script
    assert address.startswith("tcp://127.0.0.1:")
    assert http == {"127.0.0.1"}  # the dashboard's default: loopback, not every interface


def test_a_job_slurm_refuses_is_an_error_naming_the_reason(slurm, tmp_path):
    with pytest.raises(RuntimeError, match="invalid partition") as info:
        with interfaces.slurm_executor(jobs=2, queue="no-such-queue", **local_options(tmp_path)):
            pass
    assert "#SBATCH -p no-such-queue" in str(info.value)  # the job script, to see why
    assert slurm.queue() == []  # nothing was submitted


def test_slurm_executor_without_sbatch_says_where_to_run(tmp_path, monkeypatch):
    require_module("dask_jobqueue", SLURM_EXTRA)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="sbatch is not on PATH"):
        with interfaces.slurm_executor(jobs=1, interface="lo"):
            pass


def test_slurm_executor_without_dask_jobqueue_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask_jobqueue", None)  # import fails as if missing
    with pytest.raises(ImportError, match=r"imageshell\[slurm\]"):
        with interfaces.slurm_executor():
            pass


def test_the_cluster_script_brings_down_jobs_that_outlive_the_daemons(tmp_path):
    """``slurm_cluster.py up`` / ``down``: if slurmctld dies first, slurmstepd and
    its job survive slurmd; ``down`` still finds them (by SLURM_CONF) and kills them."""
    require_slurm()
    script = os.path.join(os.path.dirname(__file__), "slurm_cluster.py")
    up = subprocess.run([sys.executable, script, "up"], capture_output=True, text=True,
                        timeout=60)
    assert up.returncode == 0, up.stderr
    conf = up.stdout.strip().removeprefix("export SLURM_CONF=")
    root = os.path.dirname(conf)
    try:
        assert os.path.exists(conf)
        env = {**os.environ, "SLURM_CONF": conf}
        subprocess.run(["sbatch", "--output=/dev/null", f"--chdir={tmp_path}",
                        "--wrap=sleep 300"], env=env, check=True, capture_output=True)

        def running():
            return "sleep" in slurm_cluster.cluster_processes(conf).values()

        assert wait_until(running)
        for pid, name in slurm_cluster.cluster_processes(conf).items():
            if name == "slurmctld":
                os.kill(pid, 9)  # the controller dies first...
        for pid, name in slurm_cluster.cluster_processes(conf).items():
            if name == "slurmd":
                os.kill(pid, 15)  # ...then slurmd stops
        assert wait_until(lambda: {"slurmctld", "slurmd"}.isdisjoint(
            slurm_cluster.cluster_processes(conf).values()))
        left = set(slurm_cluster.cluster_processes(conf).values())
        assert {"slurmstepd", "sleep"} <= left, left  # the job survives them
    finally:
        down = subprocess.run([sys.executable, script, "down", root], capture_output=True,
                              text=True, timeout=60)
    assert down.returncode == 0, down.stderr
    assert slurm_cluster.cluster_processes(conf) == {}
    assert not os.path.exists(root)
