"""imagecache.image_fingerprint: what result caches key on."""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest

import imagecache
from imagecache import image_fingerprint


def write(path, data=None):
    data = np.arange(24, dtype=np.float32).reshape(2, 3, 4) if data is None else data
    nib.save(nib.Nifti1Image(data, np.eye(4)), os.fspath(path))
    return os.fspath(path)


def test_a_clean_image_is_keyed_by_its_file_and_reads_nothing(tmp_path):
    path = write(tmp_path / "a.nii")
    img = imagecache.load(path)
    first = image_fingerprint(img)
    assert first.startswith("file:")
    assert image_fingerprint(img) == first
    assert image_fingerprint(imagecache.load(path)) == first  # another image of the file
    assert image_fingerprint(nib.load(path)) == first  # a plain nibabel image too
    assert image_fingerprint(path).startswith("file:")


def test_every_kind_of_edit_changes_it(tmp_path):
    img = imagecache.load(write(tmp_path / "a.nii"))
    prints = [image_fingerprint(img)]
    img.header["descrip"] = b"edited"
    prints.append(image_fingerprint(img))
    img.affine[0, 3] = 9.0
    prints.append(image_fingerprint(img))
    img.get_data()[0, 0, 0] = -1
    prints.append(image_fingerprint(img))
    assert len(set(prints)) == 4
    assert prints[0].startswith("file:")
    assert all(fp.startswith("data:") for fp in prints[1:])


def test_in_memory_images_are_keyed_by_content():
    data = np.ones((3, 3, 3), np.float32)
    a = nib.Nifti1Image(data.copy(), np.eye(4))
    b = nib.Nifti1Image(data.copy(), np.eye(4))
    assert image_fingerprint(a) == image_fingerprint(b)
    assert image_fingerprint(a).startswith("data:")
    b.get_fdata()[1, 1, 1] = 2  # nibabel's own save would miss this edit
    assert image_fingerprint(a) != image_fingerprint(b)


def test_a_file_digest_replaces_the_stat_identity(tmp_path):
    path = write(tmp_path / "a.nii")
    img = imagecache.load(path)
    by_content = image_fingerprint(img, file_digest=lambda p: "same")
    os.utime(path, ns=(1, 1))  # touched: a new stat, the same bytes
    again = imagecache.load(path)
    assert image_fingerprint(again, file_digest=lambda p: "same") == by_content
    assert image_fingerprint(again) != image_fingerprint(img, file_digest=lambda p: "other")


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.nii"):
        image_fingerprint(str(tmp_path / "missing.nii"))
    with pytest.raises(TypeError, match="nibabel image or a path"):
        image_fingerprint(3)
