"""Tracked images through nilearn's API: results equal those of plain images; inputs stay clean."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest

import imagecache

from conftest import sample_data, write_image

nilearn_image = pytest.importorskip("nilearn.image", reason="nilearn is in the test extra")
from nilearn.maskers import NiftiMasker  # noqa: E402


@pytest.fixture
def four_d(tmp_path):
    data = sample_data((7, 8, 9, 5)) + 500.0
    return write_image(tmp_path / "func.nii.gz", "nii.gz", data=data)


def _pair(path):
    return imagecache.load(path), nib.load(path)


OPERATIONS = {
    "load_img": lambda img: nilearn_image.load_img(img),
    "index_img": lambda img: nilearn_image.index_img(img, 2),
    "iter_img": lambda img: list(nilearn_image.iter_img(img))[-1],
    "mean_img": lambda img: nilearn_image.mean_img(img, copy_header=True),
    "smooth_img": lambda img: nilearn_image.smooth_img(img, fwhm=4),
    "math_img": lambda img: nilearn_image.math_img("img * 2 + 1", img=img),
    "resample_to_img": lambda img: nilearn_image.resample_to_img(
        img, nilearn_image.index_img(img, 0), interpolation="nearest",
        force_resample=True, copy_header=True),
}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_nilearn_on_tracked_4d_images(four_d, name):
    tracked, plain = _pair(four_d)
    got = OPERATIONS[name](tracked)
    want = OPERATIONS[name](plain)
    assert np.array_equal(np.asanyarray(got.dataobj), np.asanyarray(want.dataobj))
    assert np.allclose(got.affine, want.affine)
    assert not tracked.is_dirty
    assert imagecache.prepare_file(tracked).origin == "original"


def test_nifti_masker_on_tracked_images(four_d):
    tracked, plain = _pair(four_d)
    mask = nib.Nifti1Image(np.ones((7, 8, 9), np.uint8), plain.affine)
    got = NiftiMasker(mask_img=mask).fit_transform(tracked)
    want = NiftiMasker(mask_img=mask).fit_transform(plain)
    assert got.shape == (5, 7 * 8 * 9)
    assert np.array_equal(got, want)
    assert not tracked.is_dirty


def test_nilearn_result_of_tracked_image_goes_to_a_tool_exactly(four_d):
    tracked, _ = _pair(four_d)
    mean = nilearn_image.mean_img(tracked, copy_header=True)
    path = imagecache.as_filename(mean)  # an in-memory result: a temporary
    assert np.array_equal(nib.load(path).get_fdata(), mean.get_fdata())
