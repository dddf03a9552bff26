"""Issue 2: ``as_filename`` hands over the image's own file only while it still matches.

Each kind of change listed in the issue has its own test; each dirty case checks
that the file handed over loads equal to the image. Each read-only use checks
that the original file comes back with nothing written.
"""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest
import scipy.io
from nibabel.nifti1 import Nifti1Extension

import imagecache
from imagecache import ImageCacheError, ImageFileChangedError, prepare_file

from conftest import AFFINE, KINDS, assert_file_matches, copy_nib_data, nib_class, nib_data, sample_data

NEW_AFFINE = np.array(
    [[-1.5, 0.0, 0.0, 30.0], [0.0, 2.0, 0.2, -40.0], [0.0, 0.0, 2.5, 10.0], [0.0, 0.0, 0.0, 1.0]]
)


def assert_original(img, path):
    """The image's own file comes back, and nothing is written."""
    assert imagecache.is_dirty(img) is False
    pf = prepare_file(img)
    assert pf.origin == "original"
    assert pf.path == os.path.abspath(path)
    assert pf.bytes_written == 0
    assert imagecache.as_filename(img) == os.path.abspath(path)
    return pf


def assert_temporary(img, folder, *, original=None, data=None, values=True):
    """A temporary is written once, and loads equal to the image."""
    assert imagecache.is_dirty(img) is True
    pf = prepare_file(img)
    assert pf.origin == "temporary"
    assert pf.bytes_written > 0
    if original is not None:
        assert pf.path != os.path.abspath(original)
    # temporaries are NIfTI (.nii by default): other formats are converted
    same_class = nib_class(img) in (nib.Nifti1Image, nib.Nifti2Image)
    assert_file_matches(pf.path, img, data=data, folder=folder, values=values, same_class=same_class)
    again = prepare_file(img)
    assert again.path == pf.path and again.bytes_written == 0
    return pf


@pytest.fixture
def nii(make_image):
    """A float32 NIfTI-1 .nii file."""
    return make_image("nii")


# ---------------------------------------------------------------- header edits


def _set_qform_header(img):
    img.header.set_qform(NEW_AFFINE, code=1)


def _set_sform_header(img):
    img.header.set_sform(NEW_AFFINE, code=1)


HEADER_EDITS = {
    "dtype": lambda img: img.set_data_dtype(np.float64),
    "descrip": lambda img: img.header.__setitem__("descrip", b"edited by a test"),
    "pixdim": lambda img: img.header.set_zooms((1.25, 2.5, 3.75)),
    "intent": lambda img: img.header.set_intent("t test", (12.0,), name="tstat"),
    "xyzt_units": lambda img: img.header.set_xyzt_units("micron", "msec"),
    "qform": _set_qform_header,
    "qform_code": lambda img: img.header.__setitem__("qform_code", 3),
    "sform": _set_sform_header,
    "sform_code": lambda img: img.header.__setitem__("sform_code", 4),
    "img.set_qform": lambda img: img.set_qform(NEW_AFFINE, code=1),
    "img.set_sform": lambda img: img.set_sform(NEW_AFFINE, code=1),
}


@pytest.mark.parametrize("edit", list(HEADER_EDITS))
@pytest.mark.parametrize("kind", ["nii", "nii.gz", "nifti2"])
def test_header_edit_is_detected(edit, kind, make_image, tmp_path):
    path = make_image(kind)
    img = imagecache.load(path)
    assert_original(img, path)
    HEADER_EDITS[edit](img)
    pf = assert_temporary(img, tmp_path, original=path)
    if edit == "dtype":
        assert nib.load(pf.path).get_data_dtype() == np.float64
    if edit == "descrip":
        assert nib.load(pf.path).header["descrip"] == b"edited by a test"


@pytest.mark.parametrize("slope, inter", [(2.0, 0.0), (1.0, 10.0), (0.5, -3.0)])
@pytest.mark.parametrize("kind", ["nii", "nii.gz", "nifti2", "pair"])
def test_scaling_edit_is_detected(slope, inter, kind, make_image, tmp_path):
    # int16 data: nibabel's save applies the header's scl_slope / scl_inter to the raw values
    path = make_image(kind, data=np.arange(120, dtype=np.int16).reshape(6, 5, 4))
    img = imagecache.load(path)
    assert_original(img, path)
    img.header.set_slope_inter(slope, inter)
    pf = assert_temporary(img, tmp_path, original=path, values=False)
    out = nib.load(pf.path)
    assert (out.dataobj.slope, out.dataobj.inter) == (slope, inter)
    assert np.array_equal(out.get_fdata(), np.arange(120).reshape(6, 5, 4) * slope + inter)


@pytest.mark.parametrize("kind", list(KINDS))
def test_dtype_edit_detected_in_every_format(kind, make_image, tmp_path):
    data = np.round(sample_data()).astype(np.float32)  # exact in int16
    path = make_image(kind, data=data)
    img = imagecache.load(path)
    assert_original(img, path)
    img.set_data_dtype(np.int16)
    # every value fits int16 exactly: stored as int16, unscaled (nib.save would scale)
    pf = assert_temporary(img, tmp_path, original=path)
    assert nib.load(pf.path).get_data_dtype() == np.int16
    assert np.array_equal(np.asanyarray(nib.load(pf.path).dataobj.get_unscaled()), data)


@pytest.mark.parametrize("kind", ["nii", "analyze", "mgz"])
def test_dtype_edit_that_cannot_hold_the_values_widens(kind, make_image, tmp_path):
    data = sample_data().astype(np.float32) + 0.25  # not integers
    path = make_image(kind, data=data)
    img = imagecache.load(path)
    img.set_data_dtype(np.int16 if kind != "mgz" else np.int32)
    pf = prepare_file(img)
    loaded = nib.load(pf.path)
    assert np.array_equal(loaded.get_fdata(dtype=np.float32), data)  # exact, not re-quantised
    assert loaded.get_data_dtype() == np.float32


def test_header_edit_on_real_data(tmp_path):
    img = imagecache.load(nib_data("anatomical.nii"))
    assert_original(img, nib_data("anatomical.nii"))
    img.header["descrip"] = b"anatomical, edited"
    assert_temporary(img, tmp_path, original=nib_data("anatomical.nii"))


NOOP_EDITS = {
    "descrip": lambda img: img.header.__setitem__("descrip", img.header["descrip"]),
    "dtype": lambda img: img.set_data_dtype(img.get_data_dtype()),
    "zooms": lambda img: img.header.set_zooms(img.header.get_zooms()),
    "qform": lambda img: img.header.set_qform(*img.header.get_qform(coded=True)),
    "sform": lambda img: img.set_sform(*img.get_sform(coded=True)),
    "affine": lambda img: img.affine.__setitem__((0, 0), img.affine[0, 0]),
    "xyzt_units": lambda img: img.header.set_xyzt_units(*img.header.get_xyzt_units()),
    "data": lambda img: img.get_data().__setitem__((1, 1, 1), img.get_data()[1, 1, 1]),
    "fdata": lambda img: img.get_fdata().__setitem__((1, 1, 1), img.get_fdata()[1, 1, 1]),
    "dataobj-same-values": lambda img: setattr(img, "_dataobj", np.array(img.dataobj)),
}


@pytest.mark.parametrize("edit", list(NOOP_EDITS))
@pytest.mark.parametrize("kind", ["nii", "nii.gz"])
def test_noop_edit_stays_clean(edit, kind, make_image):
    path = make_image(kind)
    img = imagecache.load(path)
    NOOP_EDITS[edit](img)
    assert_original(img, path)


# ---------------------------------------------------------------- affine


@pytest.mark.parametrize("kind", list(KINDS))
def test_affine_edited_in_place(kind, make_image, tmp_path):
    path = make_image(kind)
    img = imagecache.load(path)
    assert_original(img, path)
    old = img.affine[0, 3]
    img.affine[0, 3] += 7.0
    pf = assert_temporary(img, tmp_path, original=path)
    np.testing.assert_allclose(nib.load(pf.path).affine[0, 3], old + 7.0, rtol=1e-6)


@pytest.mark.parametrize("how", ["slice-assign", "new-array"])
def test_affine_replaced(how, nii, tmp_path):
    img = imagecache.load(nii)
    if how == "slice-assign":
        img.affine[:] = NEW_AFFINE
    else:
        img._affine = NEW_AFFINE.copy()
    pf = assert_temporary(img, tmp_path, original=nii)
    np.testing.assert_allclose(nib.load(pf.path).affine, NEW_AFFINE, atol=1e-5)


def test_affine_edit_undone_is_clean_again(nii):
    img = imagecache.load(nii)
    old = img.affine[1, 1]
    img.affine[1, 1] = 9.0
    assert imagecache.is_dirty(img)
    img.affine[1, 1] = old
    assert_original(img, nii)


# ---------------------------------------------------------------- extensions


def _with_extensions(make_image, *contents, kind="nii"):
    path = make_image(kind, name="ext")
    img = nib.load(path)
    for code, content in contents:
        img.header.extensions.append(Nifti1Extension(code, content))
    nib.save(img, path)
    return path


@pytest.mark.parametrize("kind", ["nii", "nii.gz", "nifti2"])
def test_extension_added(kind, make_image, tmp_path):
    path = make_image(kind)
    img = imagecache.load(path)
    img.header.extensions.append(Nifti1Extension("comment", b"a new extension"))
    pf = assert_temporary(img, tmp_path, original=path)
    exts = nib.load(pf.path).header.extensions
    assert [bytes(e.content).rstrip(b"\0") for e in exts] == [b"a new extension"]


def test_extension_removed(make_image, tmp_path):
    path = _with_extensions(make_image, ("comment", b"first"), ("comment", b"second"))
    img = imagecache.load(path)
    assert_original(img, path)
    del img.header.extensions[0]
    pf = assert_temporary(img, tmp_path, original=path)
    assert len(nib.load(pf.path).header.extensions) == 1


def test_extension_changed(make_image, tmp_path):
    path = _with_extensions(make_image, ("comment", b"original text"))
    img = imagecache.load(path)
    assert_original(img, path)
    img.header.extensions[0] = Nifti1Extension("comment", b"changed text!")
    pf = assert_temporary(img, tmp_path, original=path)
    assert bytes(nib.load(pf.path).header.extensions[0].content).startswith(b"changed text!")


def test_extension_code_changed(make_image, tmp_path):
    path = _with_extensions(make_image, ("comment", b"same content"))
    img = imagecache.load(path)
    img.header.extensions[0] = Nifti1Extension("afni", b"same content")
    pf = assert_temporary(img, tmp_path, original=path)
    assert nib.load(pf.path).header.extensions[0].get_code() == 4


def test_large_extension_clean_then_one_byte_changed(make_image, tmp_path):
    big = np.random.default_rng(1).integers(0, 256, 5 * 2**20, dtype=np.uint8).tobytes()
    path = _with_extensions(make_image, ("comment", big))
    assert os.path.getsize(path) > 5 * 2**20
    img = imagecache.load(path)
    assert_original(img, path)  # large extensions are compared, not given up on
    img.get_fdata()
    assert_original(img, path)
    changed = bytearray(big)
    changed[3 * 2**20] ^= 0xFF
    img.header.extensions[0] = Nifti1Extension("comment", bytes(changed))
    pf = assert_temporary(img, tmp_path, original=path)
    assert bytes(nib.load(pf.path).header.extensions[0].content)[: len(big)] == bytes(changed)


def test_extensions_of_real_data(tmp_path):
    path = nib_data("example4d.nii.gz")
    img = imagecache.load(path)
    assert len(img.header.extensions) >= 1
    assert_original(img, path)
    img.header.extensions.clear()
    assert_temporary(img, tmp_path, original=path)


# ---------------------------------------------------------------- data


@pytest.mark.parametrize("kind", list(KINDS))
def test_data_changed_through_get_data(kind, make_image, tmp_path):
    path = make_image(kind)
    img = imagecache.load(path)
    arr = img.get_data()
    assert img.get_data() is arr  # the image's own array, cached
    assert_original(img, path)
    arr[2, 2, 2] = 4321.0
    pf = assert_temporary(img, tmp_path, original=path)
    assert nib.load(pf.path).get_fdata()[2, 2, 2] == 4321.0
    assert nib.load(path).get_fdata()[2, 2, 2] != 4321.0  # the original is untouched


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["nii", "nii.gz", "pair", "mgz"])
def test_data_changed_through_fdata_cache_counts(kind, dtype, make_image, tmp_path):
    # Our decision: edits to the get_fdata() cache count (nib.save would ignore them).
    path = make_image(kind)
    img = imagecache.load(path)
    cache = img.get_fdata(dtype=dtype)
    assert_original(img, path)
    cache[1, 2, 3] = 77.0
    cache[0, 0, 0] = np.nan
    pf = assert_temporary(img, tmp_path, original=path, data=cache)
    out = nib.load(pf.path).get_fdata()
    assert out[1, 2, 3] == 77.0 and np.isnan(out[0, 0, 0])


def test_fdata_cache_edit_on_int16_real_data(tmp_path):
    src = nib_data("anatomical.nii")
    img = imagecache.load(src)
    cache = img.get_fdata()
    cache[10, 10, 10] = 1234.0
    cache[0, 0, 0] = -5.0
    assert_temporary(img, tmp_path, original=src, data=cache)


def test_data_changed_through_dataobj_replacement(nii, tmp_path):
    img = imagecache.load(nii)
    img._dataobj = np.full(img.shape, 3.5, dtype=np.float32)
    pf = assert_temporary(img, tmp_path, original=nii)
    assert np.all(nib.load(pf.path).get_fdata() == 3.5)


def test_dataobj_replaced_by_other_files_proxy(make_image, tmp_path):
    a = make_image("nii", name="a", data=sample_data(seed=1))
    b = make_image("nii", name="b", data=sample_data(seed=2))
    img = imagecache.load(a)
    img._dataobj = nib.load(b).dataobj
    pf = assert_temporary(img, tmp_path, original=a)
    assert np.array_equal(nib.load(pf.path).get_fdata(), nib.load(b).get_fdata())


def test_get_data_hands_out_private_memory(nii, tmp_path):
    img = imagecache.load(nii)  # uncompressed: nibabel would give a copy-on-write map
    before = nib.load(nii).get_fdata()
    arr = img.get_data()
    assert not isinstance(arr, np.memmap) and arr.base is None
    assert img.get_fdata().base is None
    assert_original(img, nii)
    arr[3, 3, 3] = -999.0
    pf = assert_temporary(img, tmp_path, original=nii)
    assert nib.load(pf.path).get_fdata()[3, 3, 3] == -999.0
    assert np.array_equal(nib.load(nii).get_fdata(), before)  # copy-on-write: file unchanged


def test_write_to_shared_memmap_of_own_file(nii, tmp_path):
    # nibabel refuses mmap="r+"; a user can still map the file writably as the image's data
    img = imagecache.load(nii)
    offset = img.dataobj.offset
    shared = np.memmap(nii, dtype=img.get_data_dtype(), mode="r+", offset=offset, shape=img.shape, order="F")
    img._dataobj = shared
    assert_original(img, nii)  # same values as the file: still clean
    shared[3, 3, 3] = -999.0  # goes to the file itself
    pf = prepare_file(img)
    assert_file_matches(pf.path, img, folder=tmp_path)
    assert nib.load(pf.path).get_fdata()[3, 3, 3] == -999.0


def test_writable_shared_mmap_refused(nii):
    with pytest.raises(ValueError, match="r\\+"):
        imagecache.load(nii, mmap="r+")
    with pytest.raises(ValueError, match="mmap"):
        imagecache.load(nii, mmap="w")


@pytest.mark.parametrize("how", ["nib.save", "same-size-bytes"])
def test_edit_survives_file_rewritten_in_place(nii, tmp_path, how):
    # Defect: a copy-on-write map lost its edited pages when the file was rewritten.
    img = imagecache.load(nii)
    arr = img.get_data()
    arr[1, 1, 1] = 42.0
    other = np.asanyarray(nib.load(nii).dataobj) + 1
    if how == "nib.save":
        nib.save(nib.Nifti1Image(other.astype(img.get_data_dtype()), img.affine, img.header), nii)
    else:
        raw = bytearray(open(nii, "rb").read())
        raw[-8:] = bytes(8)  # same size, new voxel bytes, in place
        with open(nii, "r+b") as f:
            f.write(raw)
    assert arr[1, 1, 1] == 42.0 and img.get_data() is arr
    pf = prepare_file(img)
    assert pf.origin == "temporary"
    assert np.array_equal(nib.load(pf.path).get_fdata(), arr)


def test_read_only_memmap_cannot_be_edited(nii):
    img = imagecache.load(nii, mmap="r")
    arr = img.get_data()
    with pytest.raises(ValueError):
        arr[0, 0, 0] = 1.0
    assert_original(img, nii)


def test_write_to_a_fresh_dataobj_array_is_not_an_edit(nii):
    # np.asarray(img.dataobj) is a new array each time, not the image's data
    img = imagecache.load(nii)
    arr = np.asarray(img.dataobj)
    arr[0, 0, 0] = 1.0e6
    assert_original(img, nii)
    assert img.get_fdata()[0, 0, 0] != 1.0e6


# ---------------------------------------------------------------- file changed on disk


def _rewrite(path, data, **kw):
    klass = type(nib.load(path))
    nib.save(klass(data, AFFINE, **kw), path)


@pytest.mark.parametrize("kind", ["nii", "nii.gz"])
def test_lazy_file_rewritten_same_layout_reads_new_file(kind, make_image, tmp_path):
    path = make_image(kind)
    img = imagecache.load(path)
    _rewrite(path, sample_data(seed=5))
    # A lazy image reads its voxels from the file: it is what the file now holds.
    pf = prepare_file(img)
    assert_file_matches(pf.path, img, folder=tmp_path)
    assert np.array_equal(img.get_fdata(), nib.load(path).get_fdata())


def test_lazy_file_rewritten_with_other_header_gives_temporary(nii, tmp_path):
    img = imagecache.load(nii)
    new = nib.load(nii)
    new.header["descrip"] = b"someone else's header"
    nib.save(nib.Nifti1Image(sample_data(seed=5), AFFINE, new.header), nii)
    pf = prepare_file(img)
    assert pf.path != os.path.abspath(nii)
    assert_file_matches(pf.path, img, folder=tmp_path)
    assert nib.load(pf.path).header["descrip"] != b"someone else's header"


@pytest.mark.parametrize("change", ["shape", "dtype"])
def test_lazy_file_rewritten_other_layout_raises(change, nii):
    img = imagecache.load(nii)
    data = sample_data((7, 5, 4)) if change == "shape" else sample_data().astype(np.int16)
    _rewrite(nii, data)
    with pytest.raises(ImageFileChangedError, match="img.nii"):
        imagecache.as_filename(img)


@pytest.mark.parametrize("kind", ["nii", "nii.gz", "mgz"])
def test_lazy_file_touched_stays_clean(kind, make_image):
    path = make_image(kind)
    img = imagecache.load(path)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert_original(img, path)
    img.get_fdata()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 9_000_000_000))
    assert_original(img, path)


@pytest.mark.parametrize("how", ["deleted", "renamed"])
@pytest.mark.parametrize("kind", ["nii", "nii.gz", "pair"])
def test_lazy_file_gone_raises_naming_it(how, kind, make_image, tmp_path):
    path = make_image(kind)
    img = imagecache.load(path)
    if how == "deleted":
        os.unlink(path)
    else:
        os.rename(path, str(tmp_path / "moved") + KINDS[kind][1])
    with pytest.raises(ImageFileChangedError) as info:
        imagecache.as_filename(img)
    assert os.path.abspath(path) in str(info.value)
    with pytest.raises(ImageFileChangedError):
        imagecache.is_dirty(img)


@pytest.mark.parametrize("kind", ["nii", "nii.gz"])
def test_lazy_file_truncated_raises_naming_it(kind, make_image):
    path = make_image(kind, data=sample_data((20, 20, 20)))
    img = imagecache.load(path)
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(size * 2 // 3)
    # The image reads its voxels from that file: handing it over would be wrong.
    with pytest.raises(ImageCacheError) as info:
        imagecache.as_filename(img)
    assert os.path.abspath(path) in str(info.value)


def _in_memory(path, kind):
    """A tracked image whose voxels are in memory (not a memmap of the file)."""
    img = imagecache.load(path, mmap=False)
    arr = img.get_data()
    assert not isinstance(arr, np.memmap)
    return img, arr.copy()


@pytest.mark.parametrize("change", ["rewritten", "truncated", "deleted", "renamed"])
@pytest.mark.parametrize("kind", ["nii", "nii.gz", "pair"])
def test_in_memory_image_whose_file_changed_gets_temporary(change, kind, make_image, tmp_path):
    path = make_image(kind)
    img, values = _in_memory(path, kind)
    if change == "rewritten":
        _rewrite(path, sample_data(seed=9))
    elif change == "truncated":
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) // 2)
    elif change == "deleted":
        os.unlink(path)
    else:
        os.rename(path, str(tmp_path / "moved") + KINDS[kind][1])
    pf = assert_temporary(img, tmp_path, original=path)
    assert np.array_equal(nib.load(pf.path).get_fdata(), values)


@pytest.mark.parametrize("kind", ["nii", "nii.gz"])
def test_in_memory_image_whose_file_was_touched_stays_clean(kind, make_image):
    path = make_image(kind)
    img, _ = _in_memory(path, kind)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 3_000_000_000))
    assert_original(img, path)


def test_file_changed_after_temporary_was_written(nii, tmp_path):
    # a dirty in-memory image keeps its temporary; the file's change does not matter
    img, _ = _in_memory(nii, "nii")
    img.get_data()[0, 0, 0] = 5.0
    first = assert_temporary(img, tmp_path, original=nii)
    _rewrite(nii, sample_data(seed=3))
    again = prepare_file(img)
    assert again.path == first.path and again.bytes_written == 0


# ---------------------------------------------------------------- SPM .mat sidecar


def test_spm_mat_sidecar_changed(make_image, tmp_path):
    path = make_image("spm2")
    mat = path[:-4] + ".mat"
    assert os.path.exists(mat)
    img = imagecache.load(path)
    assert_original(img, path)
    old = img.affine.copy()
    m = scipy.io.loadmat(mat)["mat"]
    m[0, 3] += 11.0
    scipy.io.savemat(mat, {"mat": m, "M": m})
    pf = assert_temporary(img, tmp_path, original=path)
    np.testing.assert_allclose(nib.load(pf.path).affine, old)


def test_spm_mat_sidecar_deleted(make_image, tmp_path):
    path = make_image("spm2", affine=NEW_AFFINE)  # not expressible in the header alone
    img = imagecache.load(path)
    os.unlink(path[:-4] + ".mat")
    pf = assert_temporary(img, tmp_path, original=path)
    np.testing.assert_allclose(nib.load(pf.path).affine, NEW_AFFINE, atol=1e-6)


def test_spm_lazy_clean_and_files_listed(make_image):
    path = make_image("spm2")
    img = imagecache.load(path)
    pf = assert_original(img, path)
    assert {os.path.splitext(p)[1] for p in pf.files} == {".img", ".hdr", ".mat"}


# ---------------------------------------------------------------- images without / with new files


@pytest.mark.parametrize("klass", [nib.Nifti1Image, nib.Nifti2Image, nib.MGHImage, nib.AnalyzeImage])
def test_image_built_from_array(klass, tmp_path):
    img = klass(sample_data(), AFFINE)
    assert imagecache.is_dirty(img) is True
    pf = assert_temporary(img, tmp_path)
    assert pf.path.endswith(".nii")


def test_tracked_class_built_from_array(tmp_path):
    from imagecache.images import tracked_class

    img = tracked_class(nib.Nifti1Image)(sample_data(), AFFINE)
    assert img.is_dirty is True
    assert_temporary(img, tmp_path)


def test_array_image_saved_with_to_filename_becomes_clean(tmp_path):
    img = nib.Nifti1Image(sample_data(), AFFINE)
    first = prepare_file(img)
    assert first.origin == "temporary"
    target = tmp_path / "saved.nii"
    img.to_filename(target)
    pf = assert_original(img, target)
    assert pf.path == str(target)


def test_array_image_saved_before_first_use(tmp_path):
    img = nib.Nifti1Image(sample_data(), AFFINE)
    img.to_filename(tmp_path / "saved.nii.gz")
    assert_original(img, tmp_path / "saved.nii.gz")


@pytest.mark.parametrize("saver", ["to_filename", "nib.save"])
def test_edited_image_saved_elsewhere_becomes_clean(saver, nii, tmp_path):
    img = imagecache.load(nii)
    img.get_data()[0, 1, 2] = 42.0
    img.header["descrip"] = b"edited then saved"
    assert imagecache.is_dirty(img)
    target = tmp_path / "elsewhere.nii"
    if saver == "to_filename":
        img.to_filename(target)
    else:
        nib.save(img, target)
    assert_original(img, target)
    assert nib.load(target).get_fdata()[0, 1, 2] == 42.0


def test_saved_image_with_edited_fdata_cache_stays_dirty(nii, tmp_path):
    # nib.save writes dataobj, not the fdata cache: the new file lacks the edit
    img = imagecache.load(nii)
    cache = img.get_fdata()
    cache[0, 0, 0] = 555.0
    img.to_filename(tmp_path / "saved.nii")
    assert_temporary(img, tmp_path, original=tmp_path / "saved.nii", data=cache)


# ---------------------------------------------------------------- plain nibabel images


def test_fslpy_failure_plain_nib_load_fdata_zeroed(nii, tmp_path):
    img = nib.load(nii)
    img.get_fdata()[:] = 0
    pf = prepare_file(img)
    assert pf.path != os.path.abspath(nii)
    assert np.all(nib.load(pf.path).get_fdata() == 0)
    assert_file_matches(pf.path, img, data=img.get_fdata(), folder=tmp_path)


def test_plain_nib_load_read_only_is_clean(nii):
    img = nib.load(nii)
    img.get_fdata()
    img.dataobj[1:3, 0, :]
    img.header.get_zooms()
    assert_original(img, nii)


@pytest.mark.parametrize("kind", ["nii", "nii.gz", "pair", "spm2", "mgz"])
def test_plain_nib_load_header_and_affine_edits(kind, make_image, tmp_path):
    path = make_image(kind)
    img = nib.load(path)
    assert_original(img, path)
    img.affine[2, 3] = 99.0
    assert_temporary(img, tmp_path, original=path)


def test_plain_nib_load_dataobj_replaced(nii, tmp_path):
    img = nib.load(nii)
    img._dataobj = np.zeros(img.shape, np.float32)
    assert_temporary(img, tmp_path, original=nii)


def test_plain_image_saved_with_to_filename_after_edit(nii, tmp_path):
    img = nib.load(nii)
    img.header["descrip"] = b"edited"
    assert prepare_file(img).origin == "temporary"
    img.to_filename(tmp_path / "out.nii")
    assert_original(img, tmp_path / "out.nii")


def test_nilearn_like_new_image(nii, tmp_path):
    # nilearn's new_img_like / math_img build images from arrays and a reference header
    ref = nib.load(nii)
    data = ref.get_fdata() * 2
    img = nib.Nifti1Image(data, ref.affine, ref.header)
    assert_temporary(img, tmp_path, original=nii)


def test_nilearn_like_from_image_keeps_proxy(nii, tmp_path):
    ref = nib.load(nii)
    img = nib.Nifti1Image.from_image(ref)  # no file of its own, proxy of ref's file
    assert img.get_filename() is None
    assert_temporary(img, tmp_path, original=nii)


# ---------------------------------------------------------------- overrides


def test_is_dirty_false_trusts_the_user(nii):
    img = imagecache.load(nii)
    img.header["descrip"] = b"the user says this does not matter"
    assert img.is_dirty is True
    img.is_dirty = False
    assert_original(img, nii)
    img.affine[0, 0] = 17.0  # a later edit is still seen
    assert img.is_dirty is True


def test_is_dirty_true_forces_temporary(nii, tmp_path):
    img = imagecache.load(nii)
    img.is_dirty = True
    pf = assert_temporary(img, tmp_path, original=nii)
    assert_file_matches(pf.path, img)
    img.is_dirty = False
    assert_original(img, nii)


def test_set_dirty_on_plain_image(nii, tmp_path):
    img = nib.load(nii)
    imagecache.set_dirty(img, True)
    assert_temporary(img, tmp_path, original=nii)


def test_is_dirty_false_without_file_is_refused():
    img = nib.Nifti1Image(sample_data(), AFFINE)
    with pytest.raises(ImageCacheError, match="to_filename"):
        imagecache.set_dirty(img, False)


# ---------------------------------------------------------------- no false alarms

READS = {
    "get_fdata": lambda img: img.get_fdata(),
    "get_fdata-float32": lambda img: img.get_fdata(dtype=np.float32),
    "get_fdata-unchanged": lambda img: img.get_fdata(caching="unchanged"),
    "dataobj-slice": lambda img: img.dataobj[..., 0],
    "dataobj-asarray": lambda img: np.asarray(img.dataobj),
    "get_data": lambda img: img.get_data() if isinstance(img, imagecache.TrackedImage) else None,
    "header-getters": lambda img: (
        img.header.get_zooms(),
        img.header.get_data_shape(),
        img.header.get_data_dtype(),
        getattr(img.header, "get_best_affine", lambda: None)(),
        img.shape,
        img.affine,
        nib.aff2axcodes(img.affine),
        str(img.header),
    ),
    "nifti-getters": lambda img: (
        (img.get_qform(), img.get_sform(), img.header.get_xyzt_units(), img.header.get_slope_inter())
        if hasattr(img, "get_qform")
        else None
    ),
    "everything": lambda img: [f(img) for k, f in READS.items() if k != "everything"],
}

FILES = {kind: None for kind in KINDS}
FILES.update(
    {
        "anatomical.nii": "anatomical.nii",
        "example4d.nii.gz": "example4d.nii.gz",
        "example_nifti2.nii.gz": "example_nifti2.nii.gz",
        "test.mgz": "test.mgz",
        "minc1": "minc1_1_scale.mnc",
        "minc2": "small.mnc",
    }
)


@pytest.mark.parametrize("loader", ["imagecache", "nibabel"])
@pytest.mark.parametrize("read", list(READS))
@pytest.mark.parametrize("source", list(FILES))
def test_read_only_image_hands_over_original(source, read, loader, make_image, tmp_path):
    if source in KINDS:
        path = make_image(source)
    else:
        path = copy_nib_data(FILES[source], tmp_path)
    img = imagecache.load(path) if loader == "imagecache" else nib.load(path)
    READS[read](img)
    assert_original(img, path)
    READS[read](img)
    assert_original(img, path)
    # handed over files really are equal to the image
    assert_file_matches(path, img)
