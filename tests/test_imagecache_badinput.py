"""Issue 2: bad input gives clear errors that name the file."""

from __future__ import annotations

import gzip
import os

import nibabel as nib
import numpy as np
import pytest

import imagecache
from imagecache import ImageCacheError, NotAnImageError, TruncatedImageError, prepare_file

from conftest import sample_data

# ---------------------------------------------------------------- missing files

CALLS = {
    "load": imagecache.load,
    "as_filename": imagecache.as_filename,
    "prepare_file": prepare_file,
    "is_dirty": imagecache.is_dirty,
    "as_filename-copy": lambda p: imagecache.as_filename(p, copy=True),
    "as_filename-formats": lambda p: imagecache.as_filename(p, formats=(".nii",)),
}


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("pathlike", [str, os.fspath, lambda p: p])
def test_nonexistent_path(call, pathlike, tmp_path):
    missing = tmp_path / "no-such-image.nii"
    with pytest.raises(FileNotFoundError) as info:
        CALLS[call](pathlike(missing) if pathlike is not str else str(missing))
    assert "no-such-image.nii" in str(info.value)
    assert os.fspath(info.value.filename).endswith("no-such-image.nii")


# ---------------------------------------------------------------- not an image


@pytest.mark.parametrize("name, content", [
    ("notes.txt", b"this is not an image\n"),
    ("fake.nii", b"this is not an image either\n" * 20),
    ("fake.nii.gz", gzip.compress(b"no header in here\n" * 30)),
    ("empty.nii", b""),
    ("fake.mgz", b"\0" * 10),
])
def test_not_an_image(name, content, tmp_path):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NotAnImageError) as info:
        imagecache.load(path)
    assert name in str(info.value)
    assert isinstance(info.value, ImageCacheError) and isinstance(info.value, ValueError)
    # handing it over to a tool that wants an image format needs it read
    with pytest.raises(NotAnImageError, match=name.replace(".", r"\.")):
        imagecache.as_filename(path, formats=("nifti1",))
    if imagecache.formats.named_as_image(name):
        # named as an image, so copying it needs it read: refused, not copied
        with pytest.raises(NotAnImageError, match=name.replace(".", r"\.")):
            imagecache.as_filename(path, copy=True)
        with pytest.raises(NotAnImageError, match=name.replace(".", r"\.")):
            imagecache.plan_file(path, copy=True)
    assert path.read_bytes() == content  # never touched


@pytest.mark.parametrize("name", ["notes.txt", "motion.1D", "table.csv", "no_extension"])
def test_a_file_of_no_image_format_is_copied_unread_when_any_format_will_do(name, tmp_path):
    # a niwrap "mutable" File: the tool edits a file imageshell cannot read
    path = tmp_path / name
    path.write_bytes(b"1 2 3\n4 5 6\n")
    plan = imagecache.plan_file(path, copy=True)
    handed = prepare_file(path, copy=True)
    try:
        assert (plan.origin, plan.path) == ("copy", None) == (handed.origin, None)
        assert handed.path != str(path) and os.path.basename(handed.path).endswith(
            os.path.splitext(name)[1])
        assert plan.extension == imagecache.formats.file_extension(handed.path)
        with open(handed.path, "rb") as f:
            assert f.read() == path.read_bytes()
        # passed as it is without copy=; refused where the caller wants an image format
        assert imagecache.as_filename(path) == str(path)
        with pytest.raises(NotAnImageError, match=name):
            imagecache.as_filename(path, formats=(".nii",), copy=True)
    finally:
        handed.discard()
    assert not os.path.exists(handed.path) and path.exists()


def test_a_folder_is_not_an_image(tmp_path):
    folder = tmp_path / "looks.nii"
    folder.mkdir()
    with pytest.raises((NotAnImageError, IsADirectoryError)) as info:
        imagecache.load(folder)
    assert "looks.nii" in str(info.value)


def test_not_an_image_object():
    with pytest.raises(TypeError, match="nibabel image or a path"):
        imagecache.as_filename(np.zeros((2, 2, 2)))
    with pytest.raises(TypeError):
        imagecache.is_dirty(42)


# ---------------------------------------------------------------- truncated files


def _truncated(tmp_path, kind="nii", keep=0.5, name="trunc"):
    data = sample_data((20, 20, 20))
    ext = ".nii" if kind == "nii" else ".nii.gz"
    path = str(tmp_path / (name + ext))
    nib.save(nib.Nifti1Image(data, np.eye(4)), path)
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(int(size * keep))
    return path


READERS = {
    "get_fdata": lambda img: img.get_fdata(),
    "get_data": lambda img: img.get_data(),
    "get_fdata-float32": lambda img: img.get_fdata(dtype=np.float32),
}


@pytest.mark.parametrize("kind", ["nii", "nii.gz"])
@pytest.mark.parametrize("reader", list(READERS))
def test_truncated_file_error_when_data_is_read(reader, kind, tmp_path):
    path = _truncated(tmp_path, kind)
    img = imagecache.load(path)  # lazy: the header is intact
    with pytest.raises(TruncatedImageError) as info:
        READERS[reader](img)
    assert path in str(info.value)
    assert info.value.filename == path
    assert isinstance(info.value, OSError)


@pytest.mark.parametrize("kind", ["nii", "nii.gz"])
def test_truncated_file_error_when_as_filename_needs_the_data(kind, tmp_path, cache_dir):
    path = _truncated(tmp_path, kind)
    img = imagecache.load(path)
    img.header["descrip"] = b"edited: a temporary needs the voxels"
    with pytest.raises(TruncatedImageError, match="trunc"):
        imagecache.as_filename(img)
    with pytest.raises(TruncatedImageError, match="trunc"):
        imagecache.as_filename(imagecache.load(path), formats=(".nii.gz",) if kind == "nii" else (".nii",))
    assert not any(files for _r, _d, files in os.walk(cache_dir))  # no partial temporary left


def test_clean_truncated_file_is_its_own_file(tmp_path):
    # Nothing read, nothing edited: handing over the file needs no voxels.
    path = _truncated(tmp_path)
    assert imagecache.as_filename(imagecache.load(path)) == path


@pytest.mark.parametrize("kind", ["nii", "nii.gz"])
def test_plain_nibabel_image_of_truncated_file(kind, tmp_path):
    # Checked on first sight: the file cannot give the image's voxels.
    path = _truncated(tmp_path, kind)
    with pytest.raises(TruncatedImageError, match="trunc"):
        imagecache.as_filename(nib.load(path))


def test_truncated_header_is_not_an_image(tmp_path):
    path = tmp_path / "short.nii"
    nib.save(nib.Nifti1Image(sample_data(), np.eye(4)), path)
    with open(path, "r+b") as f:
        f.truncate(100)
    with pytest.raises(NotAnImageError, match="short.nii"):
        imagecache.load(path)


def test_multi_member_gzip_is_not_mistaken_for_truncated(tmp_path):
    # The gzip size trailer covers only the last member: the check must read on.
    path = tmp_path / "multi.nii.gz"
    nib.save(nib.Nifti1Image(sample_data((10, 10, 10)), np.eye(4)), tmp_path / "plain.nii")
    raw = (tmp_path / "plain.nii").read_bytes()
    path.write_bytes(gzip.compress(raw[:1000]) + gzip.compress(raw[1000:]))
    img = nib.load(path)
    assert imagecache.as_filename(img) == str(path)
    tracked = imagecache.load(path)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert imagecache.as_filename(tracked) == str(path)
