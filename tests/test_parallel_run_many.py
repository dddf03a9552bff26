"""run_many: many input sets, any executor, errors per job, light images."""

from __future__ import annotations

import os
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import nibabel as nib
import numpy as np
import pytest
from cache_helpers import counting_copy

import imagecache
import interfaces
from interfaces.base import InputFileNotFoundError
from interfaces.coreutils import cp
from interfaces.parallel import ship

SHELL_LIMIT = 2048  # bytes a clean image may take on its way to a worker

def write_nii(path, data):
    nib.save(nib.Nifti1Image(data, np.eye(4)), os.fspath(path))
    return os.fspath(path)


def small(seed):
    return np.random.default_rng(seed).random((4, 5, 6)).astype(np.float32)


def test_jobs_run_in_order_and_one_failure_keeps_the_others(tmp_path):
    paths = [write_nii(tmp_path / f"s{i}.nii", small(i)) for i in range(4)]
    inputs = [{"in_file": p} for p in paths]
    inputs.insert(2, {"in_file": str(tmp_path / "missing.nii")})
    jobs = interfaces.run_many(cp, inputs, progress=False)
    assert [job.ok for job in jobs] == [True, True, False, True, True]
    assert isinstance(jobs[2].error, InputFileNotFoundError)
    assert "missing.nii" in str(jobs[2].error) and "InputFileNotFoundError" in jobs[2].traceback
    assert jobs.results[2] is None and jobs.failed == [jobs[2]]
    for job, path in zip([j for j in jobs if j.ok], paths):
        assert np.array_equal(job.result.outputs.out_file.get_fdata(), nib.load(path).get_fdata())
    with pytest.raises(InputFileNotFoundError):
        jobs.raise_first()


def test_a_process_pool_runs_images_and_restores_the_callers_inputs(tmp_path):
    paths = [write_nii(tmp_path / f"s{i}.nii", small(i)) for i in range(3)]
    images = [imagecache.load(p) for p in paths]
    edited = nib.Nifti1Image(small(9), np.eye(4))  # in memory: travels with its voxels
    inputs = [{"in_file": img} for img in images] + [{"in_file": edited}]
    with ProcessPoolExecutor(2) as pool:
        jobs = interfaces.run_many(cp(), inputs, executor=pool, progress=False)
    assert all(job.ok for job in jobs), [job.traceback for job in jobs]
    for job, source in zip(jobs, images + [edited]):
        assert job.result.inputs["in_file"] is source  # the caller's object, not a copy
        assert np.array_equal(job.result.outputs.out_file.get_fdata(), source.get_fdata())
    assert [j.result.input_files["in_file"].origin for j in jobs] == ["original"] * 3 + ["temporary"]


def test_clean_images_travel_as_shells_whatever_their_size(tmp_path):
    big = np.zeros((128, 128, 256), np.float32)  # 16 MiB of voxels
    path = write_nii(tmp_path / "big.nii", big)
    tracked = imagecache.load(path)
    tracked.get_fdata()  # voxels in memory do not travel either
    plain = nib.load(path)
    plain.get_fdata()
    assert len(pickle.dumps(plain)) > big.nbytes  # what nibabel alone would send
    for img in (tracked, plain):
        shipped = ship(img)
        size = len(pickle.dumps(shipped))
        assert size <= SHELL_LIMIT, size
        back = pickle.loads(pickle.dumps(shipped))
        assert back.get_filename() == path and not imagecache.is_dirty(back)
    # A dirty image without a shared folder travels with its voxels.
    tracked.get_data()[0, 0, 0] = 1
    assert len(pickle.dumps(ship(tracked))) > big.nbytes


def test_a_dirty_image_is_written_once_to_the_shared_folder(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    countcp, _ = counting_copy(tmp_path)

    edited = imagecache.load(write_nii(tmp_path / "e.nii", small(1)))
    edited.get_data()[1, 1, 1] = 42
    from interfaces.parallel import _Shipping

    by_hand = str(tmp_path / "by_hand")
    shipping = _Shipping(by_hand)
    one, two = ship(edited, by_hand, shipping), ship(edited, by_hand, shipping)
    assert one.get_filename() == two.get_filename()
    assert os.listdir(os.path.join(by_hand, "imageshell-shipped")) == [
        os.path.basename(one.get_filename())]
    assert len(pickle.dumps(one)) <= SHELL_LIMIT
    assert pickle.loads(pickle.dumps(one)).get_fdata()[1, 1, 1] == 42
    # Through run_many: every job gets the edit, from one file named by content.
    with ThreadPoolExecutor(2) as pool:
        jobs = interfaces.run_many(countcp, [{"in_file": edited}] * 3, executor=pool,
                                   progress=False, shared_dir=shared)
    assert all(job.ok for job in jobs), [job.traceback for job in jobs]
    assert all(j.result.outputs.out_file.get_fdata()[1, 1, 1] == 42 for j in jobs)
    passed = {j.result.input_files["in_file"].path for j in jobs}
    assert len(passed) == 1  # one file for all
    assert os.listdir(shared / "imageshell-shipped") == [os.path.basename(passed.pop())]


def test_progress_bar_shows_unless_turned_off(tmp_path, capsys):
    path = write_nii(tmp_path / "a.nii", small(0))
    interfaces.run_many(cp, [{"in_file": path}] * 2, progress=True)
    assert "2/2" in capsys.readouterr().err
    interfaces.run_many(cp, [{"in_file": path}] * 2, progress=False)
    assert capsys.readouterr().err == ""


def test_jobs_share_the_callers_cache(tmp_path):
    countcp, calls = counting_copy(tmp_path)

    paths = [write_nii(tmp_path / f"s{i}.nii", small(i)) for i in range(4)]
    inputs = [{"in_file": p} for p in paths]
    try:
        interfaces.set_cache(tmp_path / "cache")
        with ThreadPoolExecutor(2) as pool:
            first = interfaces.run_many(countcp, inputs, executor=pool, progress=False)
            again = interfaces.run_many(countcp, inputs, executor=pool, progress=False)
    finally:
        interfaces.set_cache(None)
    assert [j.result.cache_hit for j in first] == [False] * 4
    assert [j.result.cache_hit for j in again] == [True] * 4
    assert calls() == 4


def test_run_many_rejects_what_is_not_an_interface():
    with pytest.raises(TypeError, match="interface class or instance"):
        interfaces.run_many(len, [{}])
