"""Issue 2: lightweight shells. A clean image pickles to a file reference, a
fingerprint and its header; unpickling is lazy and checks the file. A dirty
image pickles with its voxels."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import nibabel as nib
import numpy as np
import pytest

import imagecache
from imagecache import ImageFileChangedError
from imagecache.digests import is_proxy

from conftest import AFFINE, assert_file_matches, copy_nib_data, nib_class, sample_data


def _limit(img) -> int:
    exts = sum(len(e.content) + 8 for e in getattr(img.header, "extensions", None) or [])
    return 2048 + len(getattr(img.header, "binaryblock", b"")) + exts


@pytest.fixture(params=["nii", "nii.gz", "pair", "mgz"])
def big(request, make_image):
    """A 1 MiB float32 image in each of several formats."""
    return make_image(request.param, data=sample_data((64, 64, 64)))


@pytest.mark.parametrize("read", ["nothing", "get_fdata", "get_data", "both"])
def test_clean_image_pickles_to_a_small_shell(read, big):
    img = imagecache.load(big)
    if read in ("get_fdata", "both"):
        img.get_fdata()
    if read in ("get_data", "both"):
        img.get_data()
    blob = pickle.dumps(img)
    assert len(blob) <= _limit(img), len(blob)
    assert len(blob) < 64**3  # far below the data size


def test_shell_size_does_not_grow_with_data(make_image):
    small = imagecache.load(make_image("nii", name="small", data=sample_data((8, 8, 8))))
    large = imagecache.load(make_image("nii", name="large", data=sample_data((96, 96, 96))))
    large.get_fdata()
    assert abs(len(pickle.dumps(large)) - len(pickle.dumps(small))) < 64


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_unpickled_shell_is_lazy_and_equal(protocol, big):
    img = imagecache.load(big)
    expected = img.get_fdata()
    copy = pickle.loads(pickle.dumps(img, protocol=protocol))
    assert isinstance(copy, nib_class(img))
    assert isinstance(copy, imagecache.TrackedImage)
    assert is_proxy(copy.dataobj) and not copy.in_memory
    assert copy.get_filename() == img.get_filename()
    assert copy.header.binaryblock == img.header.binaryblock
    np.testing.assert_array_equal(copy.affine, img.affine)
    assert copy.is_dirty is False
    assert imagecache.as_filename(copy) == os.path.abspath(big)
    assert np.array_equal(copy.get_fdata(), expected)


def test_shell_of_real_data_with_extensions(tmp_path):
    src = copy_nib_data("example4d.nii.gz", tmp_path)
    img = imagecache.load(src)
    blob = pickle.dumps(img)
    assert len(blob) <= _limit(img)
    copy = pickle.loads(blob)
    assert [e.content for e in copy.header.extensions] == [e.content for e in img.header.extensions]


@pytest.mark.parametrize("name", ["minc1_1_scale.mnc", "small.mnc", "test.mgz"])
def test_shell_of_other_formats(name, tmp_path):
    src = copy_nib_data(name, tmp_path)
    img = imagecache.load(src)
    copy = pickle.loads(pickle.dumps(img))
    assert type(copy) is type(img)
    assert np.array_equal(copy.get_fdata(), nib.load(src).get_fdata())


@pytest.mark.parametrize("change", ["rewritten", "touched", "deleted", "truncated"])
def test_unpickling_checks_the_file(change, make_image):
    path = make_image("nii")
    blob = pickle.dumps(imagecache.load(path))
    if change == "rewritten":
        nib.save(nib.Nifti1Image(sample_data(seed=4), AFFINE), path)
    elif change == "touched":
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    elif change == "deleted":
        os.unlink(path)
    else:
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) - 10)
    with pytest.raises(ImageFileChangedError) as info:
        pickle.loads(blob)
    assert os.path.abspath(path) in str(info.value)


def test_unpickling_checks_every_file_of_a_pair(make_image):
    path = make_image("spm2")
    blob = pickle.dumps(imagecache.load(path))
    mat = path[:-4] + ".mat"
    st = os.stat(mat)
    os.utime(mat, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    with pytest.raises(ImageFileChangedError, match=r"\.mat"):
        pickle.loads(blob)


def _roundtrip_dirty(img, tmp_path, data=None):
    blob = pickle.dumps(img)
    copy = pickle.loads(blob)
    values = np.asanyarray(img.dataobj) if data is None else data
    assert len(blob) > values.nbytes // 2  # the voxels travel with it
    assert isinstance(copy, nib_class(img))
    got = np.asanyarray(copy.dataobj) if data is None else copy.get_fdata()
    assert np.array_equal(got, values, equal_nan=True)
    np.testing.assert_array_equal(copy.affine, img.affine)
    assert copy.is_dirty is True  # it has no file of its own
    same_class = nib_class(copy) in (nib.Nifti1Image, nib.Nifti2Image)  # else converted to .nii
    assert_file_matches(imagecache.as_filename(copy), copy, folder=tmp_path, same_class=same_class)
    return copy


def test_dirty_image_pickles_with_its_data(big, tmp_path):
    img = imagecache.load(big)
    img.get_data()[5, 6, 7] = 1.0e4
    copy = _roundtrip_dirty(img, tmp_path)
    assert copy.get_fdata()[5, 6, 7] == 1.0e4


def test_header_edit_pickles_with_data_and_header(make_image, tmp_path):
    img = imagecache.load(make_image("nii"))
    img.header["descrip"] = b"edited before pickling"
    img.affine[0, 3] = 42.0
    copy = _roundtrip_dirty(img, tmp_path)
    assert copy.header["descrip"] == b"edited before pickling"
    assert copy.affine[0, 3] == 42.0


def test_fdata_edit_pickles_with_the_edited_values(make_image, tmp_path):
    img = imagecache.load(make_image("nii.gz"))
    cache = img.get_fdata()
    cache[1, 1, 1] = -77.0
    copy = _roundtrip_dirty(img, tmp_path, data=cache)
    assert copy.get_fdata()[1, 1, 1] == -77.0


def test_image_without_file_pickles_with_data(tmp_path):
    from imagecache.images import tracked_class

    img = tracked_class(nib.Nifti1Image)(sample_data(), AFFINE)
    _roundtrip_dirty(img, tmp_path)


def test_shell_opened_by_another_process(make_image, tmp_path):
    path = make_image("nii.gz", data=sample_data((32, 32, 32)))
    img = imagecache.load(path)
    img.get_fdata()
    blob_file = tmp_path / "shell.pkl"
    blob_file.write_bytes(pickle.dumps(img))
    script = """
        import pickle, sys
        import numpy as np
        img = pickle.loads(open(sys.argv[1], "rb").read())
        print(type(img).__name__, img.in_memory, repr(float(np.asanyarray(img.dataobj).sum())))
    """
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(blob_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    name, in_memory, total = proc.stdout.split()
    assert name == "TrackedNifti1Image" and in_memory == "False"
    assert float(total) == float(np.asanyarray(nib.load(path).dataobj).sum())
