"""run_many on a real Dask cluster: 2 worker processes, a real tool (MRtrix3's
mrthreshold), 24 images that travel as shells, one job that fails."""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest
from tools import require_module, require_tool

import imagecache
import interfaces
from interfaces.base import Bool, CommandFailedError, Family, Float, Image, InputSpec, Interface
from interfaces.base import OutputImage
from interfaces.parallel import _Shipping, ship

MRTRIX = Family("mrtrix3", package_hint="Install MRtrix3 (Debian: apt-get install mrtrix3).")


@pytest.fixture(autouse=True)
def dask_scratch(tmp_path):
    """Dask's schedulers and workers keep their scratch space below the test's folder
    (by default: dask-scratch-space in the system's temporary folder, left there)."""
    import dask

    with dask.config.set({"temporary-directory": str(tmp_path / "dask-scratch")}):
        yield


class mrthreshold(Interface):
    """Threshold an image into a mask (MRtrix3); a test-local wrapper."""

    executable = "mrthreshold"
    family = MRTRIX

    class Inputs(InputSpec):
        in_file = Image(position=-2, mandatory=True, desc="image to threshold")
        out_file = OutputImage(position=-1, name_source="in_file", name_template="%s_mask",
                               keep_extension=True, desc="the mask")
        threshold = Float(argstr="-abs %g", desc="absolute threshold")
        force = Bool(True, usedefault=True, argstr="-force", desc="overwrite outputs")
        quiet = Bool(True, usedefault=True, argstr="-quiet", desc="no progress output")


def test_twenty_four_images_on_a_local_cluster(tmp_path):
    require_tool("mrthreshold")
    distributed = require_module("dask.distributed", "pip install imageshell[dask]")
    cloudpickle = require_module("cloudpickle", "pip install imageshell[dask]")
    rng = np.random.default_rng(0)
    images, expected = [], []
    for i in range(24):
        data = rng.random((12, 12, 12)).astype(np.float32)
        path = str(tmp_path / f"sub-{i:02d}.nii")
        nib.save(nib.Nifti1Image(data, np.eye(4)), path)
        if i < 16:
            img = imagecache.load(path)  # clean, tracked
        elif i < 20:
            img = nib.load(path)  # clean, plain nibabel
        else:
            img = imagecache.load(path)  # edited in memory: written once to the shared folder
            img.get_data()[0, 0, 0] = 0.9
            data = img.get_data().copy()
        images.append(img)
        expected.append(data > 0.5)
    bad = tmp_path / "broken.nii"
    bad.write_bytes(b"not an image")
    jobs_in = [{"in_file": img, "threshold": 0.5} for img in images]
    jobs_in.insert(7, {"in_file": str(bad), "threshold": 0.5})
    shared = tmp_path / "shared"
    shared.mkdir()

    # What travels per image, as Dask pickles it: a shell, never the voxels.
    shipping = _Shipping(str(shared))
    sizes = [len(cloudpickle.dumps(ship(img, str(shared), shipping))) for img in images]
    assert max(sizes) <= 2048, sizes

    store = tmp_path / "cache"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None,
                                  local_directory=str(tmp_path / "dask")) as cluster, \
            distributed.Client(cluster) as client:
        executor = client.get_executor()
        jobs = interfaces.run_many(mrthreshold, jobs_in, executor=executor, progress=False,
                                   shared_dir=shared, cache=store)
        # Between the passes, the file behind image 0 is rewritten (and the image reloaded).
        fresh = rng.random((12, 12, 12)).astype(np.float32)
        nib.save(nib.Nifti1Image(fresh, np.eye(4)), images[0].get_filename())
        jobs_in[0] = {"in_file": imagecache.load(images[0].get_filename()), "threshold": 0.5}
        again = interfaces.run_many(mrthreshold, jobs_in, executor=executor, progress=False,
                                    shared_dir=shared, cache=store)

    assert [job.ok for job in jobs] == [i != 7 for i in range(25)]
    assert isinstance(jobs[7].error, CommandFailedError)
    assert "mrthreshold" in str(jobs[7].error) and "broken.nii" in str(jobs[7].error)
    done = [job for job in jobs if job.ok]
    for job, img, want in zip(done, images, expected):
        mask = np.asanyarray(job.result.outputs.out_file.dataobj).astype(bool)
        assert np.array_equal(mask, want), job.index
        assert job.result.inputs["in_file"] is img
    origins = [job.result.input_files["in_file"].origin for job in done]
    assert origins == ["original"] * 24  # shells of files: nothing written on the workers
    pids = {interfaces.read_provenance(job.result.runtime.cwd)["host"]["pid"] for job in done}
    assert len(pids) == 2 and os.getpid() not in pids  # both worker processes ran jobs
    assert len(os.listdir(shared / "imageshell-shipped")) == 4  # each edited image once
    # The second pass runs the changed job again and finds every other result in the cache.
    assert [job.ok for job in again] == [job.ok for job in jobs]
    assert [j.index for j in again if j.ok and not j.result.cache_hit] == [0]
    mask = np.asanyarray(again[0].result.outputs.out_file.dataobj).astype(bool)
    assert np.array_equal(mask, fresh > 0.5)
    assert [j.result.outputs.out_file.get_filename() for j in again[1:] if j.ok] == [
        j.result.outputs.out_file.get_filename() for j in done[1:]]
