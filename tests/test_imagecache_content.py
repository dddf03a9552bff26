"""The content rule: which array is the image, and what a tool receives (docs/images.rst).

Each test here is a defect once seen on main (issue 11), or a row of the
state -> file table in docs/images.rst.
"""

from __future__ import annotations

import copy
import os
import pickle

import nibabel as nib
import numpy as np
import pytest
from nibabel.filebasedimages import ImageFileError

import imagecache
from imagecache import ConflictingEditsError, prepare_file

from conftest import nib_data, sample_data, write_image


@pytest.fixture
def niigz(tmp_path):
    return write_image(tmp_path / "a.nii.gz", "nii.gz", data=sample_data())


def received(img):
    """The voxels a tool receives for ``img``, as float64."""
    return nib.load(imagecache.as_filename(img)).get_fdata()


# --- defect 1: get_fdata(), then a get_data() edit ---------------------------


@pytest.mark.parametrize(
    "between",
    ["nothing", "set_data_dtype", "affine", "is_dirty", "as_filename"],
)
def test_get_data_edit_after_get_fdata_is_kept(niigz, between):
    img = imagecache.load(niigz)
    img.get_fdata()
    if between == "set_data_dtype":
        img.set_data_dtype(np.float64)
    elif between == "affine":
        img.affine[0, 3] += 1
    elif between == "is_dirty":
        img.is_dirty = True
    elif between == "as_filename":
        imagecache.as_filename(img)
    img.get_data()[1, 1, 1] = 42
    assert received(img)[1, 1, 1] == 42
    assert img.get_fdata()[1, 1, 1] == 42  # the stale cache is derived again
    assert received(img)[1, 1, 1] == 42


def test_get_fdata_after_get_data_edit_shows_it(niigz):
    img = imagecache.load(niigz)
    img.get_data()[2, 2, 2] = 7
    assert img.get_fdata()[2, 2, 2] == 7
    img.get_fdata()[0, 0, 0] = 5  # an edit of the derived array: it becomes the content
    got = received(img)
    assert got[0, 0, 0] == 5 and got[2, 2, 2] == 7


def test_two_arrays_edited_between_checks_conflict(niigz):
    img = imagecache.load(niigz)
    fdata = img.get_fdata()
    data = img.get_data()
    data[1, 1, 1] = 1
    fdata[2, 2, 2] = 2
    with pytest.raises(ConflictingEditsError, match="uncache"):
        imagecache.as_filename(img)
    img.uncache()  # the documented way out: keep the get_data() array
    assert received(img)[1, 1, 1] == 1


def test_edit_of_out_of_date_array_conflicts(niigz):
    img = imagecache.load(niigz)
    fdata = img.get_fdata()
    img.get_data()[1, 1, 1] = 1
    imagecache.as_filename(img)  # the get_data() edit is the content now
    fdata[2, 2, 2] = 2  # edits an array that does not show that edit
    with pytest.raises(ConflictingEditsError, match="out of date"):
        imagecache.is_dirty(img)


def test_get_data_after_fdata_edit_returns_the_content(niigz):
    img = imagecache.load(niigz)
    img.get_fdata()[3, 3, 3] = 0.125
    data = img.get_data()
    assert data[3, 3, 3] == 0.125 and data is img.get_fdata()
    data[0, 0, 0] = 9  # one array now: no conflict
    got = received(img)
    assert got[3, 3, 3] == 0.125 and got[0, 0, 0] == 9


def test_uncache_drops_fdata_edits_keeps_get_data(niigz):
    img = imagecache.load(niigz)
    img.get_fdata()[0, 0, 0] = 1234
    img.uncache()
    assert not img.is_dirty
    img.get_data()[0, 0, 0] = 99
    img.uncache()
    assert img.is_dirty and received(img)[0, 0, 0] == 99


def test_float32_cache_edit_is_exact(niigz):
    img = imagecache.load(niigz)
    cache = img.get_fdata(dtype=np.float32)
    cache[1, 2, 3] = np.float32(1 / 3)
    loaded = nib.load(imagecache.as_filename(img))
    assert loaded.get_fdata(dtype=np.float32)[1, 2, 3] == np.float32(1 / 3)


def test_get_fdata_of_another_type_replaces_an_edited_cache_as_nibabel(niigz):
    img = imagecache.load(niigz)
    f32 = img.get_fdata(dtype=np.float32)
    f32[:] = 99
    assert (img.get_fdata(dtype=np.float32) == 99).all() and img.is_dirty
    f64 = img.get_fdata()  # nibabel: a new cache from dataobj; the float32 edits go
    assert np.array_equal(f64, nib.load(niigz).get_fdata())
    assert not img.is_dirty
    f32[0, 0, 0] = 1  # the replaced array is no longer the image's
    assert not img.is_dirty


def test_get_fdata_arguments_checked_like_nibabel(niigz):
    img = imagecache.load(niigz)
    with pytest.raises(ValueError, match="floating point"):
        img.get_fdata(dtype=np.int16)
    with pytest.raises(ValueError, match="caching"):
        img.get_fdata(caching="sometimes")
    unchanged = img.get_fdata(caching="unchanged")
    unchanged[0, 0, 0] = 1e6  # not cached: not the image's array (as in nibabel)
    assert not img.is_dirty


# --- defect 3: saving MGH/MGZ ----------------------------------------------------


@pytest.mark.parametrize("ext", [".mgh", ".mgz"])
def test_tracked_mgh_saves(tmp_path, ext):
    path = write_image(tmp_path / "a.mgz", "mgz", data=sample_data())
    img = imagecache.load(path)
    img.get_data()[0, 0, 0] = 3
    assert len(img.to_bytes()) > 284
    nib.save(img, tmp_path / f"c{ext}")
    out = tmp_path / f"b{ext}"
    img.to_filename(out)
    assert nib.load(out).get_fdata()[0, 0, 0] == 3
    assert imagecache.as_filename(img) == os.path.abspath(out)  # matches what it saved


# --- defect 4: needless temporaries after a save ----------------------------


@pytest.mark.parametrize("kind", ["nii", "nii.gz", "pair", "nifti2", "analyze", "spm2", "mgz"])
def test_no_temporary_after_save(tmp_path, kind):
    path = write_image(tmp_path / "a", kind, data=sample_data())
    img = imagecache.load(path)
    img.get_data()[0, 0, 0] = 11
    img.header.set_zooms((2, 2, 2))
    ext = os.path.basename(path).split(".", 1)[1]
    new = tmp_path / f"saved.{ext}"
    img.to_filename(new)
    pf = prepare_file(img)
    assert (pf.origin, pf.bytes_written) == ("original", 0)
    assert pf.path == os.path.abspath(new)


def test_fdata_edit_stays_dirty_after_save(niigz, tmp_path):
    img = imagecache.load(niigz)
    img.get_fdata()[0, 0, 0] = 0.5  # nibabel's save drops this edit
    img.to_filename(tmp_path / "saved.nii")
    pf = prepare_file(img)
    assert pf.origin == "temporary"
    assert nib.load(pf.path).get_fdata()[0, 0, 0] == 0.5


# --- defect 5: set_dirty(True) on a plain image ----------------------------------


@pytest.mark.parametrize("read", ["lazy", "get_fdata", "checked"])
def test_set_dirty_true_on_plain_image(niigz, read):
    img = nib.load(niigz)
    if read == "get_fdata":
        img.get_fdata()
    elif read == "checked":
        assert not imagecache.is_dirty(img)
    imagecache.set_dirty(img, True)
    assert imagecache.is_dirty(img)
    assert prepare_file(img).origin == "temporary"


# --- defect 6: the full file identity -------------------------------------------


def _rewrite_same_size_mtime_back(path):
    st = os.stat(path)
    raw = bytearray(open(path, "rb").read())
    raw[-4:] = bytes(b ^ 0xFF for b in raw[-4:])
    with open(path, "r+b") as f:
        f.write(raw)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_mtime_ns == st.st_mtime_ns and os.stat(path).st_size == st.st_size


def test_shell_sees_rewrite_with_mtime_put_back(tmp_path):
    path = write_image(tmp_path / "a.nii", "nii", data=sample_data())
    blob = pickle.dumps(imagecache.load(path))
    _rewrite_same_size_mtime_back(path)
    with pytest.raises(imagecache.ImageFileChangedError, match="changed"):
        pickle.loads(blob)


def test_lazy_image_sees_rewrite_with_mtime_put_back(tmp_path):
    path = write_image(tmp_path / "a.nii", "nii", data=sample_data())
    img = imagecache.load(path)
    img.get_fdata()  # the cache holds the old voxels
    _rewrite_same_size_mtime_back(path)
    img.get_fdata()[0, 0, 0] += 0  # (no-op)
    pf = prepare_file(img)
    # the lazy image now reads the file's new voxels: the tool gets exactly those
    assert np.array_equal(nib.load(pf.path).get_fdata(), nib.load(path).get_fdata())


def test_temporary_edited_by_a_tool_is_not_reused(niigz):
    img = imagecache.load(niigz)
    img.get_data()[0, 0, 0] = 5
    first = prepare_file(img)
    st = os.stat(first.path)
    raw = bytearray(open(first.path, "rb").read())
    raw[-4:] = bytes(4)
    with open(first.path, "r+b") as f:  # a tool edited its input in place, same size
        f.write(raw)
    # (as a tool does, some time after the file was written: its mtime moved on)
    os.utime(first.path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    again = prepare_file(img)
    assert not again.reused
    assert nib.load(again.path).get_fdata()[0, 0, 0] == 5
    assert np.array_equal(nib.load(again.path).get_fdata(), img.get_data())


def test_temporary_linked_elsewhere_is_reused(niigz, tmp_path):
    # run_many ships temporaries by hard link: that changes their ctime, not their bytes
    img = imagecache.load(niigz)
    img.get_data()[0, 0, 0] = 5
    first = prepare_file(img)
    os.link(first.path, tmp_path / "shipped.nii")
    again = prepare_file(img)
    assert again.reused and again.path == first.path


def test_file_identity_is_public():
    ident = imagecache.file_identity(nib_data("anatomical.nii"))
    st = os.stat(nib_data("anatomical.nii"))
    assert ident == (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    assert imagecache.file_identity("/no/such/file") is None


# --- defect 7: a drop-in nibabel image ---------------------------------------------


def test_tracked_4d_images_are_spatial_first(tmp_path):
    from nibabel.imageclasses import spatial_axes_first
    from nibabel.processing import resample_from_to, smooth_image

    path = write_image(tmp_path / "f.nii.gz", "nii.gz", data=sample_data((5, 6, 7, 3)))
    img = imagecache.load(path)
    assert spatial_axes_first(img)
    assert img.slicer[1:4, :, :, 0].shape == (3, 6, 7)
    assert smooth_image(img.slicer[..., 0], 2).shape == (5, 6, 7)
    assert resample_from_to(img.slicer[..., 0], img.slicer[..., 0]).shape == (5, 6, 7)
    assert not img.is_dirty


def test_not_an_image_error_is_nibabels(tmp_path):
    bad = tmp_path / "bad.nii"
    bad.write_bytes(b"not an image at all")
    with pytest.raises(ImageFileError):
        imagecache.load(bad)
    with pytest.raises(ValueError):
        imagecache.load(bad)


def test_surface_files_load_as_nibabel_loads_them(tmp_path):
    # Decision (docs/images.rst): GIFTI and CIFTI-2 are not volume images; imagecache.load
    # returns them as nib.load does, untracked.
    from nibabel import cifti2

    scalars = cifti2.cifti2_axes.ScalarAxis(["a", "b"])
    brain = cifti2.cifti2_axes.BrainModelAxis.from_mask(np.ones((2, 2, 2), bool), affine=np.eye(4))
    path = os.fspath(tmp_path / "x.dscalar.nii")
    data = np.arange(16, dtype=np.float32).reshape(2, 8)
    cifti2.Cifti2Image(data, cifti2.Cifti2Header.from_axes((scalars, brain))).to_filename(path)
    cifti = imagecache.load(path)
    assert type(cifti) is nib.Cifti2Image
    assert np.array_equal(cifti.get_fdata(), data)
    gii_path = os.fspath(tmp_path / "x.func.gii")
    nib.save(nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(data[0])]), gii_path)
    gii = imagecache.load(gii_path)
    assert type(gii) is nib.gifti.GiftiImage
    assert np.array_equal(gii.darrays[0].data, data[0])


def _anatomical_with_fdata_edit():
    img = imagecache.load(nib_data("anatomical.nii"))  # int16 with scaling
    cache = img.get_fdata()
    cache[10, 10, 10] = 0.123456789
    cache[5, 5, 5] = 1e5
    return img, cache


@pytest.mark.parametrize("how", ["pickle", "copy", "deepcopy"])
def test_copies_of_an_fdata_edited_image_are_exact(how):
    img, cache = _anatomical_with_fdata_edit()
    img.extra["note"] = "kept"
    if how == "pickle":
        twin = pickle.loads(pickle.dumps(img))
    else:
        twin = getattr(copy, how)(img)
    assert np.array_equal(received(twin), cache)
    assert np.array_equal(received(twin), received(img))
    assert twin.extra == {"note": "kept"}
    assert twin.get_filename() == img.get_filename()
    assert twin.is_dirty


@pytest.mark.parametrize(
    "fname", ["scaled+tlrc.HEAD", "example4d+orig.HEAD", "phantom_EPI_asc_CLEAR_2_1.PAR"]
)
def test_afni_and_parrec_edits_are_exact(fname):
    img = imagecache.load(nib_data(fname))
    cache = img.get_fdata()
    cache.flat[7] = 0.1
    assert np.array_equal(received(img), cache)


# --- header-only edits of uncompressed NIfTI: voxel bytes copied in the kernel ---


@pytest.mark.parametrize("edit", ["descrip", "affine", "extension", "zooms"])
@pytest.mark.parametrize("source", ["anatomical.nii", "functional.nii", "example_nifti2.nii.gz"])
def test_header_only_edit_copies_voxel_bytes(tmp_path, monkeypatch, edit, source):
    import shutil

    import imagecache.writer as writer

    path = nib_data(source)
    if source.endswith(".gz"):  # make an uncompressed NIfTI-2 to edit
        path = os.fspath(tmp_path / "n2.nii")
        nib.save(nib.load(nib_data(source)), path)
    else:
        path = shutil.copy(path, tmp_path)
    copies = []
    real = writer.copy_range
    monkeypatch.setattr(writer, "copy_range", lambda *a: (copies.append(a[3]), real(*a)))
    img = imagecache.load(path)
    if edit == "descrip":
        img.header["descrip"] = b"edited"
    elif edit == "affine":
        img.affine[0, 3] += 1.5
    elif edit == "extension":
        img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"x" * 1000))
    else:
        img.header.set_zooms((3.0,) * len(img.header.get_zooms()))
    pf = prepare_file(img)
    assert pf.origin == "temporary" and len(copies) == 1
    plain = nib.load(path)
    got = nib.load(pf.path)
    assert np.array_equal(got.get_fdata(), plain.get_fdata())  # scaled files stay exact
    assert np.allclose(got.affine, img.affine, atol=1e-5)
    if edit != "affine":  # (the file's zooms follow its affine, as with nib.save)
        assert got.header.get_zooms() == img.header.get_zooms()
    assert [(e.get_code(), e.get_content()) for e in got.header.extensions] == [
        (e.get_code(), e.get_content()) for e in img.header.extensions
    ]
    img.get_data()  # voxels in memory: the general writer, the same file content
    img.header["descrip"] = b"again"
    again = nib.load(prepare_file(img).path)
    assert np.array_equal(again.get_fdata(), plain.get_fdata()) and len(copies) == 1


# --- a file changing under a lazy image with arrays handed out ---------------------


def test_same_bytes_rewrite_keeps_arrays_current(niigz):
    img = imagecache.load(niigz)
    cache = img.get_fdata()
    raw = open(niigz, "rb").read()
    with open(niigz + ".new", "wb") as f:
        f.write(raw)
    os.replace(niigz + ".new", niigz)  # a new inode, the same voxels
    assert not img.is_dirty
    cache[0, 0, 0] = 77  # not out of date: an ordinary edit
    assert received(img)[0, 0, 0] == 77


def test_arrays_out_of_date_after_the_file_changed(niigz):
    img = imagecache.load(niigz)
    cache = img.get_fdata()
    plain = nib.load(niigz)
    nib.save(nib.Nifti1Image(plain.get_fdata().astype(np.float32) + 1, plain.affine, plain.header), niigz)
    assert np.array_equal(received(img), nib.load(niigz).get_fdata())  # lazy: the new voxels
    cache[0, 0, 0] = 5  # the old array, from before the file changed
    with pytest.raises(ConflictingEditsError, match="out of date"):
        imagecache.as_filename(img)
    img.uncache()  # the way out the error names
    fresh = img.get_fdata()  # derived again from the file
    assert fresh is not cache and np.array_equal(fresh, nib.load(niigz).get_fdata())
    assert not img.is_dirty
