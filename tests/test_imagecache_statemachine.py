"""State-machine test of imagecache's promise, over every writable format.

Hypothesis drives random sequences of

- reads: ``get_fdata``, ``get_data``, slicing ``dataobj``, header getters,
  ``is_dirty``;
- header edits: descrip, pixdim, data dtype, xyzt_units, intent, qform/sform
  codes, scl_slope;
- affine edits: in place (``img.affine[...] = v``) and replaced
  (``img.set_sform``/``set_qform`` for NIfTI, a new array otherwise);
- data edits: through the ``get_data()`` array and through the ``get_fdata()``
  cache (our rule: edits of that cache are edits of the image);
- no-op edits: each of the above set to the value it already has;
- on-disk changes: touch a file; rewrite it with its own bytes (a new inode);
  for images holding their voxels in memory also rewrite it with the image's
  current content and with different content; change an SPM ``.mat`` sidecar;
- overrides: ``set_dirty(img, True)``; ``set_dirty(img, False)`` when the image
  truly equals its file, and also as a lie (after which the equality
  invariant is relaxed: the user promised it, imagecache cannot know);

over NIfTI-1 and NIfTI-2 (``.nii``, ``.nii.gz``), NIfTI-1 pairs, Analyze,
SPM2 Analyze with a ``.mat`` sidecar and MGH (``.mgh``, ``.mgz``), starting
from small images written here and from nibabel's own test files.

The test keeps its own model of the image: the voxel values it holds (updated
by each data edit, independently of imagecache), its affine, and whether it
still equals its file. After every step:

(a) ``nib.load(as_filename(img))`` equals the model: the same voxel values
    (NaNs equal), the same affine (float32 precision of the formats), the same
    header fields as ``nib.save`` of the image would give (descrip, zooms,
    dtype, xyzt_units, intent, qform/sform codes where both formats have them).
    Voxel values are compared exactly (imagecache stores values exactly, in a
    wider type when the header's cannot hold them), except that MGH, which has
    no float64, rounds float64 values to float32; scale factors set in the
    header apply as ``nib.save`` applies them. The header's data type is
    compared when it holds the values exactly. Extensions are compared.
(b) a second call writes nothing and gives the same path; a step that changed
    nothing (a read, a no-op edit) writes nothing and gives the previous path;
    an image equal to its file gets its original file with zero bytes written;
    ``is_dirty = True`` gives a temporary; ``is_dirty`` agrees with the origin.

Edits through ``get_data()`` and the ``get_fdata()`` caches mix freely (the
invariant runs after every step, so each edit is one check's edit); a step
that edits both arrays before one check expects
:class:`imagecache.ConflictingEditsError` and recovers with ``uncache()``.
Further steps: float32 caches, ``uncache()``, NIfTI extensions, the file
rewritten in place under a lazy image (a new layout expects
:class:`imagecache.ImageFileChangedError`, then loads again; with its mtime put
back too), the file deleted (lazy: an error; in memory: a temporary) and
restored, ``to_filename`` to a new file. A fifth machine runs on plain
``nib.load`` images (no ``get_data()``; overrides through
``imagecache.set_dirty``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import imagecache

NIBDATA = Path(nib.__file__).parent / "tests" / "data"

# Examples per machine. Five machines: 5 x 1,000 = 5,000 examples per run, of up
# to 8 steps each (short sequences find these bugs; hypothesis shrinks to 2-4 steps).
EXAMPLES = int(os.environ.get("IMAGECACHE_SM_EXAMPLES", "1000"))
STEPS = 8

SHAPE = (4, 5, 6)


def _affine(rot: bool) -> np.ndarray:
    aff = np.diag([2.0, 2.5, 3.0, 1.0])
    if rot:
        c, s = np.cos(0.3), np.sin(0.3)
        aff[:3, :3] = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]) @ aff[:3, :3]
    aff[:3, 3] = [-10.0, 12.5, -7.0]
    return aff


def _data(dtype, *, frac=False, nan=False) -> np.ndarray:
    rng = np.random.default_rng(0)
    data = rng.integers(0, 90, size=SHAPE).astype(np.float64)
    if frac:
        data = data + rng.random(SHAPE).round(3)
    if nan:
        data[1, 2, 3] = np.nan
    return data.astype(dtype)


def _make(kind: str, folder: Path) -> Path:
    """Write one generated starting image; return its main file."""
    if kind == "nifti1.nii/f32":
        img = nib.Nifti1Image(_data(np.float32, frac=True), _affine(True))
        img.header["descrip"] = b"generated"
        img.header.set_xyzt_units("mm", "sec")
        path = folder / "a.nii"
    elif kind == "nifti1.nii.gz/i16-scaled":
        img = nib.Nifti1Image(_data(np.float64, frac=True), _affine(True))
        img.set_data_dtype(np.int16)  # float data: nibabel writes it with scl_slope
        path = folder / "a.nii.gz"
    elif kind == "nifti1.nii/ext":
        img = nib.Nifti1Image(_data(np.int16), _affine(False))
        img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"hello"))
        path = folder / "a.nii"
    elif kind == "nifti2.nii/i16":
        img = nib.Nifti2Image(_data(np.int16), _affine(True))
        img.set_data_dtype(np.int16)
        path = folder / "a.nii"
    elif kind == "nifti2.nii.gz/f32-nan":
        img = nib.Nifti2Image(_data(np.float32, nan=True), _affine(False))
        path = folder / "a.nii.gz"
    elif kind == "nifti1pair.img/u8":
        img = nib.Nifti1Pair(_data(np.uint8), _affine(True))
        img.set_data_dtype(np.uint8)
        path = folder / "a.img"
    elif kind == "nifti1pair.img/f32":
        img = nib.Nifti1Pair(_data(np.float32, frac=True), _affine(False))
        path = folder / "a.img"
    elif kind == "analyze.img/i16":
        img = nib.AnalyzeImage(_data(np.int16), _affine(False))
        img.set_data_dtype(np.int16)
        path = folder / "a.img"
    elif kind == "analyze.img/f32":
        img = nib.AnalyzeImage(_data(np.float32, frac=True), _affine(False))
        path = folder / "a.img"
    elif kind == "spm2.img/f32+mat":
        img = nib.Spm2AnalyzeImage(_data(np.float32, frac=True), _affine(True))
        path = folder / "a.img"
    elif kind == "spm2.img/i16-scaled+mat":
        img = nib.Spm2AnalyzeImage(_data(np.float64, frac=True), _affine(True))
        img.set_data_dtype(np.int16)
        path = folder / "a.img"
    elif kind == "mgh.mgh/f32":
        img = nib.MGHImage(_data(np.float32, frac=True), _affine(True))
        path = folder / "a.mgh"
    elif kind == "mgh.mgz/i32":
        img = nib.MGHImage(_data(np.int32), _affine(False))
        path = folder / "a.mgz"
    else:  # pragma: no cover
        raise AssertionError(kind)
    nib.save(img, path)
    return path


SHIPPED = {
    "shipped:standard.nii.gz": "standard.nii.gz",
    "shipped:resampled_anat_moved.nii": "resampled_anat_moved.nii",
    "shipped:functional.nii": "functional.nii",  # int16 with scl_slope
    "shipped:example_nifti2.nii.gz": "example_nifti2.nii.gz",
    "shipped:anatomical.nii": "anatomical.nii",
    "shipped:test.mgz": "test.mgz",
}

GROUPS = {
    "nifti": ["nifti1.nii/f32", "nifti1.nii.gz/i16-scaled", "nifti1.nii/ext",
              "nifti2.nii/i16", "nifti2.nii.gz/f32-nan"],
    "multifile": ["nifti1pair.img/u8", "nifti1pair.img/f32", "analyze.img/i16",
                  "analyze.img/f32", "spm2.img/f32+mat", "spm2.img/i16-scaled+mat"],
    "mgh": ["mgh.mgh/f32", "mgh.mgz/i32"],
    "shipped": list(SHIPPED),
    # plain nib.load images, over one kind of each family
    "plain": ["nifti1.nii/f32", "nifti1.nii.gz/i16-scaled", "nifti1pair.img/u8",
              "spm2.img/f32+mat", "mgh.mgz/i32", "shipped:functional.nii"],
}

_ROOT: Path | None = None  # this module's folder, made by _temp_dir under pytest's tmp_path
_PRISTINE: dict[str, Path] = {}


def _pristine(kind: str) -> Path:
    """A pristine copy of each starting image, made once per test session."""
    if kind not in _PRISTINE:
        folder = _ROOT / "pristine" / kind.replace("/", "_").replace(":", "_")
        folder.mkdir(parents=True, exist_ok=True)
        if kind in SHIPPED:
            src = NIBDATA / SHIPPED[kind]
            shutil.copy2(src, folder / src.name)
            _PRISTINE[kind] = folder / src.name
        else:
            _PRISTINE[kind] = _make(kind, folder)
    return _PRISTINE[kind]


@pytest.fixture(scope="module", autouse=True)
def _temp_dir(tmp_path_factory):
    global _ROOT
    _ROOT = tmp_path_factory.mktemp("imagecache-sm")
    imagecache.set_temp_dir(_ROOT)
    yield
    imagecache.set_temp_dir(None)
    shutil.rmtree(_ROOT, ignore_errors=True)
    _PRISTINE.clear()


def _base_class(img):
    for klass in type(img).__mro__:
        if klass.__module__.startswith("nibabel."):
            return klass
    raise AssertionError(type(img))


def _is_nifti(klass) -> bool:
    return issubclass(klass, nib.Nifti1Pair)  # Nifti1Image, Nifti2Image and pairs too


def _has_descrip(klass) -> bool:
    return issubclass(klass, nib.AnalyzeImage)  # NIfTI and SPM derive from it


def _family_files(path: Path, klass) -> list[Path]:
    """All files of an image (image first); SPM's .mat only when it exists."""
    fmap = klass.filespec_to_file_map(str(path))
    files = [Path(fmap["image"].filename)]
    for key, holder in fmap.items():
        p = Path(holder.filename)
        if key != "image" and p not in files and p.exists():
            files.append(p)
    return files


def _masked(header) -> bytes:
    """Header bytes with the scale factors left out (nibabel resets them on load, computes them on save)."""
    hdr = header.copy()
    for key in ("scl_slope", "scl_inter"):
        if key in hdr:
            hdr[key] = np.nan
    return bytes(hdr.binaryblock)


def _extensions(header) -> list:
    return [(int(e.get_code()), bytes(e.get_content())) for e in getattr(header, "extensions", None) or []]


def _fits(values, dtype) -> bool:
    with np.errstate(invalid="ignore", over="ignore"):
        cast = np.asarray(values).astype(dtype)
        return bool(np.array_equal(cast.astype(np.float64), values, equal_nan=np.dtype(dtype).kind == "f"))


def _fields(img) -> dict:
    """Header fields compared across formats (only those the format has)."""
    hdr = img.header
    out = {
        "shape": tuple(int(n) for n in img.shape),
        "zooms": tuple(float(z) for z in hdr.get_zooms()),
        "dtype": np.dtype(hdr.get_data_dtype()).newbyteorder("=").name,
    }
    klass = _base_class(img) if not type(img).__module__.startswith("nibabel.") else type(img)
    if _has_descrip(klass):
        out["descrip"] = bytes(hdr["descrip"]).rstrip(b"\0")
    if _is_nifti(klass):
        out["xyzt_units"] = int(hdr["xyzt_units"])
        out["intent"] = (int(hdr["intent_code"]),) + tuple(
            float(hdr[f"intent_p{i}"]) for i in (1, 2, 3)) + (bytes(hdr["intent_name"]),)
        out["qform_code"] = int(hdr["qform_code"])
        out["sform_code"] = int(hdr["sform_code"])
        out["extensions"] = _extensions(hdr)
    return out


class ImageMachine(RuleBasedStateMachine):
    """One image, its file(s), and the test's model of what the image holds."""

    KINDS: list[str] = []
    PLAIN = False  # images from plain nib.load instead of imagecache.load

    def __init__(self):
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(dir=_ROOT, prefix="ex-"))
        self.img = None

    def teardown(self):
        self.img = None
        shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------------ set-up
    def _start(self, kind):
        src = _pristine(kind)
        klass = type(nib.load(src))
        for f in _family_files(src, klass):
            shutil.copy2(f, self.folder / f.name)
        self.path = self.folder / src.name
        self._load()

    def _load(self):
        """(Re)load the image from ``self.path``; the model starts from the file."""
        self.img = nib.load(self.path) if self.PLAIN else imagecache.load(self.path)
        self.klass = _base_class(self.img)
        assert isinstance(self.img, self.klass)
        self.files = _family_files(self.path, self.klass)
        plain = nib.load(self.path)
        self.data = plain.get_fdata()  # the voxel values the image holds (model)
        self.affine = plain.affine.copy()
        # What equals the file: the image's header bytes, affine and data then.
        self.file_header = _masked(self.img.header)
        self.file_ext = _extensions(self.img.header)
        self.file_affine = self.affine.copy()
        self.file_data = self.data.copy()
        self.file_same = True  # the file(s) still hold what was loaded
        self.cache_edited = False
        self.array_edited = False
        self.forced = False
        self.relaxed = False
        self.changed = True  # first check may write
        self.last_path = None

    # ------------------------------------------------------------- model info
    @property
    def in_memory(self) -> bool:
        return not imagecache.digests.is_proxy(self.img.dataobj)

    def equals_file(self) -> bool:
        return (
            self.file_same
            and _masked(self.img.header) == self.file_header
            and _extensions(self.img.header) == self.file_ext
            and np.array_equal(self.affine.astype(np.float32), self.file_affine.astype(np.float32))
            and np.array_equal(self._file_values(), self.file_data, equal_nan=True)
            # scale factors set in memory: a loaded file's header never has them
            # (nibabel moves them into the proxy), so no file equals such an image
            and not self._explicit_scaling()
        )

    def _explicit_scaling(self) -> bool:
        hdr = self.img.header
        if not getattr(hdr, "has_data_slope", False):
            return False
        slope = float(hdr["scl_slope"])
        inter = float(hdr["scl_inter"]) if hdr.has_data_intercept else 0.0
        if not np.isfinite(slope) or slope == 0:
            return False
        return (slope, inter if np.isfinite(inter) else 0.0) != (1.0, 0.0)

    def _header_edit(self, fn):
        """Apply a header edit; it is a change only if the header bytes changed."""
        before = bytes(self.img.header.binaryblock)
        fn(self.img.header)
        if bytes(self.img.header.binaryblock) != before:
            self.changed = True

    # ------------------------------------------------------------------ reads
    @precondition(lambda self: self.img is not None and not self._cache_edit_of_other_type(np.float64))
    @rule()
    def read_fdata(self):
        data = self.img.get_fdata()
        if not self.relaxed:
            np.testing.assert_allclose(data, self.data, rtol=1e-6, atol=0, equal_nan=True)

    @precondition(lambda self: self.img is not None and not self.PLAIN)
    @rule()
    def read_get_data(self):
        arr = self.img.get_data()
        assert arr is self.img.get_data()  # the image's own array
        if not self.relaxed:
            np.testing.assert_allclose(arr, self.data, rtol=1e-6, atol=0, equal_nan=True)

    @rule(i=st.integers(0, 10**6))
    def read_slice(self, i):
        k = i % self.img.shape[0]
        part = np.asanyarray(self.img.dataobj[k])
        if not self.relaxed and not self.cache_edited:
            np.testing.assert_allclose(part, self.data[k], rtol=1e-6, atol=0, equal_nan=True)

    @rule()
    def read_header(self):
        hdr = self.img.header
        hdr.get_zooms(), hdr.get_data_dtype(), hdr.get_data_shape(), hdr.get_best_affine()
        if _is_nifti(self.klass):
            hdr.get_sform(), hdr.get_intent(), hdr.get_xyzt_units()
            try:
                hdr.get_qform()
            except ValueError:  # nibabel's own: a quaternion it cannot complete (w2 < 0)
                pass
        np.testing.assert_array_equal(self.img.affine, self.affine)
        imagecache.is_dirty(self.img)  # a read too

    # ----------------------------------------------------------- header edits
    @precondition(lambda self: self.img is not None and _has_descrip(self.klass))
    @rule(text=st.sampled_from([b"", b"edited", b"another description", None]))
    def edit_descrip(self, text):
        def fn(hdr):
            hdr["descrip"] = hdr["descrip"] if text is None else text  # None: no-op
        self._header_edit(fn)

    @rule(axis=st.integers(0, 2), zoom=st.sampled_from([None, 0.5, 1.0, 2.0, 3.25]))
    def edit_pixdim(self, axis, zoom):
        def fn(hdr):
            zooms = list(hdr.get_zooms())
            if zoom is not None:
                zooms[axis] = zoom
            hdr.set_zooms(zooms)  # None: set to what it is
        self._header_edit(fn)

    def _dtype_choices(self):
        hdr = self.img.header
        if getattr(hdr, "has_data_slope", False) and not np.isnan(float(hdr["scl_slope"])):
            return ["float32", "float64"] if not issubclass(self.klass, nib.MGHImage) else ["float32"]
        finite = not np.isnan(self.data).any()
        integral = finite and np.array_equal(self.data, np.round(self.data))
        small = integral and np.abs(self.data).max(initial=0) < 30000
        if issubclass(self.klass, nib.MGHImage):
            return ["float32"] + (["int32", "int16"] if small else [])
        if _is_nifti(self.klass):
            return ["float32", "float64"] + (["int16", "int32"] if finite else [])
        if issubclass(self.klass, nib.Spm2AnalyzeImage):
            return ["float32", "float64"] + (["int16"] if finite else [])
        return ["float32", "float64"]  # Analyze: no scaling; float data cannot go to int

    @rule(choice=st.integers(0, 100))
    def edit_dtype(self, choice):
        options = self._dtype_choices() + [None]
        name = options[choice % len(options)]
        self._header_edit(
            lambda hdr: hdr.set_data_dtype(hdr.get_data_dtype() if name is None else np.dtype(name)))

    @precondition(lambda self: self.img is not None and _is_nifti(self.klass))
    @rule(units=st.sampled_from([None, ("mm", "sec"), ("meter", "msec"), ("unknown", "unknown")]))
    def edit_xyzt_units(self, units):
        self._header_edit(
            lambda hdr: hdr.set_xyzt_units(*(hdr.get_xyzt_units() if units is None else units)))

    @precondition(lambda self: self.img is not None and _is_nifti(self.klass))
    @rule(intent=st.sampled_from([None, ("t test", (12.0,)), ("none", ()), ("f test", (3.0, 40.0))]))
    def edit_intent(self, intent):
        def fn(hdr):
            if intent is None:  # no-op, field by field
                for f in ("intent_code", "intent_p1", "intent_p2", "intent_p3", "intent_name"):
                    hdr[f] = hdr[f]
            else:
                hdr.set_intent(intent[0], intent[1])
        self._header_edit(fn)

    @precondition(lambda self: self.img is not None and _is_nifti(self.klass))
    @rule(field=st.sampled_from(["qform_code", "sform_code"]), code=st.sampled_from([None, 0, 1, 2, 4]))
    def edit_xform_code(self, field, code):
        def fn(hdr):
            hdr[field] = hdr[field] if code is None else code
        self._header_edit(fn)

    @precondition(lambda self: self.img is not None and getattr(self.img.header, "has_data_slope", False)
                  and np.dtype(self.img.header.get_data_dtype()).kind == "f")
    @rule(slope=st.sampled_from([None, "unset", 1.0, 2.0, 0.5]))
    def edit_scl_slope(self, slope):
        # nib.save writes the voxels unscaled with the header's own scl_slope /
        # scl_inter when they are set (NaN: it computes them): see _file_values.
        # scl_inter is set along (a slope with a NaN intercept is an invalid
        # header that nibabel writes but cannot read back).
        def fn(hdr):
            if slope is None:
                hdr["scl_slope"] = hdr["scl_slope"]
                return
            hdr["scl_slope"] = np.nan if slope == "unset" else slope
            if hdr.has_data_intercept:
                hdr["scl_inter"] = np.nan if slope == "unset" else 0.0
        self._header_edit(fn)

    # ----------------------------------------------------------- affine edits
    def _affine_delta(self, k: int) -> np.ndarray:
        """A translation by k voxels along x: representable by every format."""
        aff = self.affine.copy()
        aff[:3, 3] += k * self.affine[:3, 0]
        return aff

    @rule(k=st.sampled_from([0, 1, -2, 3]))
    def edit_affine_in_place(self, k):
        new = self._affine_delta(k)
        self.img.affine[:] = new  # k == 0: a no-op
        if not np.array_equal(new, self.affine):
            self.changed = True
        self.affine = new

    @rule(k=st.sampled_from([0, 1, -2]), how=st.sampled_from(["sform", "qform", "attribute"]))
    def replace_affine(self, k, how):
        new = self._affine_delta(k)
        before_hdr = bytes(self.img.header.binaryblock)
        if how != "attribute" and _is_nifti(self.klass):
            # nibabel's own way to replace a NIfTI affine (header and image)
            # (the image's affine becomes the header's best affine: the sform
            # wins over a new qform while its code is set)
            getattr(self.img, f"set_{how}")(new)
            new = self.img.affine.copy()
        else:
            self.img._affine = new.copy()
        if not np.array_equal(new, self.affine) or bytes(self.img.header.binaryblock) != before_hdr:
            self.changed = True
        self.affine = new

    # ------------------------------------------------------------- data edits
    def _index(self, i):
        return np.unravel_index(i % self.data.size, self.data.shape)

    def _value(self, arr_dtype, v):
        if v == "same":
            return None
        if v == "nan":
            # NaN only where both the array and the file type hold it (nibabel
            # saves NaN as 0 in an integer file).
            float_file = np.dtype(self.img.header.get_data_dtype()).kind == "f"
            return np.nan if np.dtype(arr_dtype).kind == "f" and float_file else 7
        return v

    @precondition(lambda self: self.img is not None and not self.relaxed and not self.PLAIN)
    @rule(i=st.integers(0, 10**6), v=st.sampled_from(["same", 0, 1, 42, 99, "nan"]))
    def edit_via_get_data(self, i, v):
        arr = self.img.get_data()
        idx = self._index(i)
        value = self._value(arr.dtype, v)
        before = arr[idx].copy()
        arr[idx] = arr[idx] if value is None else value
        after = arr[idx]
        if not (before == after or (np.isnan(before) and np.isnan(after))):
            self.changed = True
            self.array_edited = True
            self.data[idx] = float(after)

    @precondition(lambda self: self.img is not None and not self.relaxed
                  and not self._cache_edit_of_other_type(np.float64))
    @rule(i=st.integers(0, 10**6), v=st.sampled_from(["same", 0, 1, 42, 99, "nan"]))
    def edit_via_fdata_cache(self, i, v):
        cache = self.img.get_fdata()
        idx = self._index(i)
        value = self._value(cache.dtype, v)
        before = cache[idx]
        cache[idx] = cache[idx] if value is None else value
        after = cache[idx]
        if not (before == after or (np.isnan(before) and np.isnan(after))):
            self.changed = True
            self.cache_edited = True
            self.data[idx] = after

    # ---------------------------------------------------------- disk changes
    @rule(which=st.integers(0, 5))
    def touch(self, which):
        f = self.files[which % len(self.files)]
        st_ = os.stat(f)
        os.utime(f, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1_000_000_000))
        self.changed = True

    def _replace(self, f: Path, data: bytes):
        tmp = f.with_name(f.name + ".new")
        tmp.write_bytes(data)
        os.replace(tmp, f)

    @rule()
    def rewrite_same_bytes(self):
        for f in self.files:
            self._replace(f, f.read_bytes())
        self.changed = True

    def _save_model_to_file(self, data):
        """Overwrite the image's file(s) with an image of ``data`` and the model's affine."""
        hdr = self.img.header.copy()
        plain = self.klass(data, self.affine.copy(), hdr)
        staging = self.folder / "staging"
        staging.mkdir(exist_ok=True)
        target = staging / self.path.name
        plain.to_filename(target)
        for f in _family_files(target, self.klass):
            os.replace(f, self.folder / f.name)
        self.files = _family_files(self.path, self.klass)
        self.file_same = False
        self.changed = True

    @precondition(lambda self: self.img is not None and self.in_memory and not self.relaxed)
    @rule()
    def rewrite_with_current_content(self):
        self._save_model_to_file(self.data.copy())

    @precondition(lambda self: self.img is not None and self.in_memory and not self.relaxed)
    @rule()
    def rewrite_with_different_content(self):
        self._save_model_to_file(np.where(np.isnan(self.data), 1.0, self.data + 1.0))

    @precondition(lambda self: self.img is not None and self.path.with_suffix(".mat").exists())
    @rule()
    def change_mat_sidecar(self):
        import scipy.io as sio

        mat = self.path.with_suffix(".mat")
        M = sio.loadmat(mat)
        M["mat"][:3, 3] += 5.0
        M["M"][:3, 3] += 5.0
        with open(mat.with_name("x.new"), "wb") as fobj:
            sio.savemat(fobj, {"M": M["M"], "mat": M["mat"]}, format="4")
        os.replace(mat.with_name("x.new"), mat)
        self.file_same = False
        self.changed = True

    def _cache_edit_of_other_type(self, dtype) -> bool:
        # get_fdata(dtype=other) replaces an edited cache and drops its edits, as
        # nibabel does (tests/test_imagecache_content.py checks that): not modelled here
        cache = self.img._fdata_cache
        return self.cache_edited and cache is not None and cache.dtype != dtype

    @precondition(lambda self: self.img is not None and not self.relaxed
                  and not self._cache_edit_of_other_type(np.float32))
    @rule(i=st.integers(0, 10**6), v=st.sampled_from([0, 1, 42, "third"]))
    def edit_via_fdata32_cache(self, i, v):
        cache = self.img.get_fdata(dtype=np.float32)
        idx = self._index(i)
        value = np.float32(1 / 3) if v == "third" else np.float32(v)
        if cache[idx] == value:
            return
        cache[idx] = value
        self.changed = True
        self.cache_edited = True
        self.data = cache.astype(np.float64)  # the float32 array is the content now

    @precondition(lambda self: self.img is not None and not self.relaxed and not self.PLAIN
                  and not self.cache_edited)
    @rule(i=st.integers(0, 10**6), j=st.integers(0, 10**6))
    def edit_two_arrays_conflict(self, i, j):
        arr = self.img.get_data()
        cache = self.img.get_fdata()
        if arr is cache:  # a float64 array is its own get_fdata(): one array
            return
        a, b = self._index(i), self._index(j)
        arr[a] = 13 if arr[a] != 13 else 17
        cache[b] = 23 if cache[b] != 23 else 29
        with pytest.raises(imagecache.ConflictingEditsError):
            imagecache.prepare_file(self.img)
        self.img.uncache()  # the documented way out: keep the get_data() array
        self.data = np.asarray(arr, dtype=np.float64).copy()
        self.changed = True

    @precondition(lambda self: self.img is not None and not self.cache_edited)
    @rule()
    def uncache(self):
        self.img.uncache()

    @precondition(lambda self: self.img is not None and _is_nifti(self.klass))
    @rule(content=st.sampled_from([b"note", b"other", b""]), replace=st.booleans())
    def edit_extension(self, content, replace):
        exts = self.img.header.extensions
        before = _extensions(self.img.header)
        if replace and len(exts):
            exts[0] = nib.nifti1.Nifti1Extension(exts[0].get_code(), content)
        else:
            exts.append(nib.nifti1.Nifti1Extension("comment", content))
        if _extensions(self.img.header) != before:
            self.changed = True

    def _lazy(self) -> bool:
        return not self.in_memory and not self.cache_edited

    def _lazy_own(self) -> bool:
        """The content is read lazily from the image's own file."""
        return self._lazy() and os.path.abspath(str(self.img.dataobj.file_like)) == str(self.path.resolve())

    @precondition(lambda self: self.img is not None and not self.relaxed and not self.in_memory
                  and not (self.PLAIN and self.img._fdata_cache is not None)
                  and _masked(self.img.header) == self.file_header and self.file_same)
    @rule(mtime_back=st.booleans())
    def rewrite_in_place_under_lazy_image(self, mtime_back):
        """nib.save to the image's own path (same inode), new voxel values."""
        before = nib.load(self.path)
        st_ = os.stat(self.path)
        values = np.where(np.isnan(self.file_data), 1.0, self.file_data + 1.0)
        out = self.klass(values, before.affine, before.header)
        staging = self.folder / "staging-lazy"
        staging.mkdir(exist_ok=True)
        out.to_filename(staging / self.path.name)
        for f in _family_files(staging / self.path.name, self.klass):
            target = self.folder / f.name
            with open(target, "r+b" if target.exists() else "wb") as fobj:  # in place: same inode
                fobj.truncate(0)
                fobj.write(f.read_bytes())
        if mtime_back:
            os.utime(self.path, ns=(st_.st_atime_ns, st_.st_mtime_ns))
        after = nib.load(self.path)
        self.changed = True
        if not self._lazy_own():
            self.file_same = False  # content in memory, or read from another file: unchanged
            return
        layout = lambda img: (img.dataobj.dtype, getattr(img.dataobj, "offset", None),
                              float(getattr(img.dataobj, "slope", 1.0)), float(getattr(img.dataobj, "inter", 0.0)))
        if layout(before) != layout(after):
            with pytest.raises(imagecache.ImageFileChangedError):
                imagecache.prepare_file(self.img)
            self._load()  # the user's way out: load it again
            return
        self.data = after.get_fdata()  # the lazy image reads the new voxels
        self.file_data = self.data.copy()
        self.file_header = _masked(after.header)

    @precondition(lambda self: self.img is not None and not self.relaxed)
    @rule()
    def delete_file_then_restore(self):
        saved = {f: f.read_bytes() for f in self.files}
        for f in self.files:
            f.unlink()
        if self._lazy_own():
            with pytest.raises(imagecache.ImageFileChangedError):
                imagecache.prepare_file(self.img)
        else:
            pf = imagecache.prepare_file(self.img)
            assert pf.origin == "temporary"
            self._check_loads_equal(pf.path)
        for f, raw in saved.items():
            self._replace(f, raw)
        self.changed = True

    @precondition(lambda self: self.img is not None and not self.relaxed)
    @rule()
    def save_to_new_file(self):
        ext = self.path.name.split(".", 1)[1]
        new = self.folder / f"saved{len(os.listdir(self.folder))}.{ext}"
        self.img.to_filename(new)
        self.path = new
        self.files = _family_files(new, self.klass)
        after = nib.load(new)
        self.file_data = after.get_fdata()
        self.file_header = _masked(after.header)
        self.file_ext = _extensions(after.header)
        self.file_affine = after.affine.copy()
        self.file_same = True
        self.forced = False
        self.changed = True

    # -------------------------------------------------------------- overrides
    @rule()
    def force_dirty(self):
        imagecache.set_dirty(self.img, True)
        if not self.forced:
            self.changed = True
        self.forced = True

    @precondition(lambda self: self.img is not None and not self.relaxed and self.equals_file())
    @rule()
    def mark_clean_truthfully(self):
        imagecache.set_dirty(self.img, False)
        if self.forced:
            self.changed = True
        self.forced = False

    @precondition(lambda self: self.img is not None and not self.relaxed and not self.equals_file())
    @rule()
    def mark_clean_lie(self):
        imagecache.set_dirty(self.img, False)
        assert not imagecache.is_dirty(self.img)
        pf = imagecache.prepare_file(self.img)
        assert pf.origin == "original" and pf.bytes_written == 0
        self.relaxed = True  # the user vouched for it; equality is no longer checked
        self.forced = False
        self.changed = True

    # -------------------------------------------------------------- invariant
    @invariant()
    def file_corresponds(self):
        if self.img is None:
            return
        pf = imagecache.prepare_file(self.img)
        again = imagecache.prepare_file(self.img)
        assert again.path == pf.path and again.bytes_written == 0, "second call wrote"
        if not self.changed:
            assert pf.bytes_written == 0 and pf.path == self.last_path, (
                "nothing changed since the previous call, yet a new file was handed out"
            )
        assert os.path.isabs(pf.path) and os.path.exists(pf.path)
        original = str(self.path.resolve())
        if self.forced:
            assert pf.origin == "temporary", "is_dirty = True must force a temporary"
        elif not self.relaxed and self.equals_file():
            assert pf.origin == "original" and pf.path == original and pf.bytes_written == 0
        assert imagecache.is_dirty(self.img) == (pf.origin != "original")
        if pf.origin == "original":
            assert pf.path == original
        self.last_path = pf.path
        self.changed = False
        if not self.relaxed:
            self._check_loads_equal(pf.path)

    def _check_loads_equal(self, path):
        got = nib.load(path)
        data = got.get_fdata()
        assert data.shape == self.data.shape
        want = self._file_values()
        rtol = 0.0
        if isinstance(got, nib.MGHImage) and np.dtype(got.get_data_dtype()) == np.float32:
            rtol = 2e-7  # MGH has no float64: float64 values are stored rounded (documented)
        atol = 0.0
        np.testing.assert_allclose(data, want, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=f"voxels of {path} differ from the image's")
        np.testing.assert_allclose(got.affine, self.affine, rtol=1e-6, atol=1e-4,
                                   err_msg=f"affine of {path} differs from the image's")
        np.testing.assert_array_equal(self.img.affine, self.affine)
        self._check_fields(got, path)

    def _file_values(self):
        """The voxel values a file of the image holds (what nib.save would write).

        The values the image holds, except that nibabel's save applies a
        ``scl_slope``/``scl_inter`` set in the header to them (it writes the
        values unscaled and keeps the header's factors); imagecache does the
        same for every content, an edited ``get_fdata()`` array included.
        """
        hdr = self.img.header
        if not getattr(hdr, "has_data_slope", False):
            return self.data
        slope = float(hdr["scl_slope"])
        inter = float(hdr["scl_inter"]) if hdr.has_data_intercept else np.nan
        if np.isnan(slope) and np.isnan(inter):
            return self.data  # nibabel computes the factors from the data
        if slope == 1.0 and inter in (0.0,) or (slope == 1.0 and np.isnan(inter)):
            return self.data  # the identity: imagecache stores the values exactly
        assert np.dtype(hdr.get_data_dtype()).kind == "f"  # see edit_scl_slope
        if slope == 0 or not np.isfinite(slope):
            slope, inter = 1.0, 0.0
        inter = inter if np.isfinite(inter) else 0.0
        raw = self.data.astype(hdr.get_data_dtype()).astype(np.float64)
        return raw * slope + inter

    def _check_fields(self, got, path):
        """Header fields: as nib.save of the image gives them, where both formats have them."""
        expected_img = self._saved_like_nibabel(type(got))
        want, have = _fields(expected_img), _fields(got)
        if self.cache_edited or not _fits(self._file_values(), self.img.header.get_data_dtype()):
            # imagecache's rule: values are written exactly, in the header's type
            # when that holds every value, else a wider type
            want.pop("dtype", None)
        for key in sorted(set(want) & set(have)):
            assert have[key] == want[key], f"{key} of {path}: {have[key]!r} != {want[key]!r}"
        if path == str(self.path.resolve()):
            # the original file: its header must be the image's, byte for byte
            # (modulo fields nibabel's save recomputes: compare the fields above)
            pass

    def _saved_like_nibabel(self, klass):
        """What nib.save of a plain copy of the image gives, loaded back.

        Cached per header, affine and class: the fields compared do not depend
        on the voxel values.
        """
        key = (bytes(self.img.header.binaryblock), repr(_extensions(self.img.header)),
               self.affine.tobytes(), klass, self.cache_edited)
        cached = getattr(self, "_oracle", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        self._oracle = (key, self._save_oracle(klass))
        return self._oracle[1]

    def _save_oracle(self, klass):
        hdr = self.img.header.copy()
        plain = self.klass(self._data_for_save(), self.affine.copy(), hdr,
                           extra=getattr(self.img, "extra", None))
        if klass is not self.klass:
            plain = klass.from_image(plain)
        out = self.folder / "oracle" / ("o" + _ext(klass, self.path))
        out.parent.mkdir(exist_ok=True)
        plain.to_filename(out)
        return nib.load(out)

    def _data_for_save(self):
        # The model's values, in the type nibabel would hand to its writer.
        if self.cache_edited:
            return self.data.copy()
        return np.asanyarray(self.img.dataobj).copy()


def _ext(klass, path: Path) -> str:
    if klass in (nib.Nifti1Image, nib.Nifti2Image):
        return ".nii"
    if klass is nib.MGHImage:
        return ".mgh"
    return ".img"


def _machine(group: str):
    kinds = GROUPS[group]

    class Machine(ImageMachine):
        @initialize(kind=st.sampled_from(kinds))
        def start(self, kind):
            self._start(kind)

    Machine.__name__ = f"ImageMachine_{group}"
    Machine.TestCase.settings = settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    return Machine


TestNifti = _machine("nifti").TestCase
TestMultiFile = _machine("multifile").TestCase
TestMGH = _machine("mgh").TestCase
TestShipped = _machine("shipped").TestCase


def _plain_machine():
    machine = _machine("plain")
    machine.PLAIN = True
    machine.__name__ = "ImageMachine_plain_nib_load"
    return machine


TestPlainNibLoad = _plain_machine().TestCase
