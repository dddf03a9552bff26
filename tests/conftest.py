"""Shared fixtures and helpers for the imagecache tests.

- Every test gets its own imagecache temporary folder (``cache_dir``), so tests
  never see each other's temporaries and can list what was written, and its
  own folder for the run folders of interfaces (``run_folders``).
- ``make_image(kind, ...)`` writes a real image file with nibabel and returns
  its path; ``KINDS`` lists the kinds.
- ``assert_file_matches(path, img)`` checks the contract of ``as_filename``:
  loading ``path`` gives the voxel values, dtype, affine and header fields of
  ``img`` as nibabel would save it.
- The whole run's temporary folder (``TMPDIR``, for this process and every
  child) is a fresh folder, removed at the end; the run fails when a test
  leaves anything there.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import nibabel as nib
import numpy as np
import pytest
from nibabel.arraywriters import WriterError

import imagecache
from imagecache import tempfiles

# -- nothing left in the temporary folder --------------------------------------------
#
# Every temporary file of the run -- ours, a library's (dask's scratch space,
# nibabel's own tests' mkstemp) or a child process's -- goes below one folder,
# through TMPDIR.  At the end, anything there but pytest's own folders (removed
# with it) and this process's imagecache folder (removed at exit) is a test that
# left something behind: the run fails, naming it.  (A TMPDIR per test is not
# an option: munged's socket path and Chromium's launcher break on long paths.)

_RUN_TMP = pytest.StashKey[str]()


def pytest_configure(config):
    folder = tempfile.mkdtemp(prefix="imageshell-tests-")
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again, and keeps it for this process
    tempfile.gettempdir()
    config.stash[_RUN_TMP] = folder


def pytest_sessionfinish(session, exitstatus):
    folder = session.config.stash.get(_RUN_TMP, None)
    if folder is None or not os.path.isdir(folder):
        return
    # pytest's own, this process's imagecache folder (removed at exit), and the
    # folder wb_command makes in $TMPDIR at every start (the tool's, not a test's)
    own = ("pytest-of-", f"imagecache-{os.getpid()}-", "WbViewMovie")
    left = sorted(n for n in os.listdir(folder) if not n.startswith(own))
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"tests left {len(left)} entries in the temporary folder {folder}: "
                f"{', '.join(left[:10])}; write below tmp_path instead", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# -- the end-to-end check of the FSL interfaces runs last ----------------------------
#
# tests/test_fsl_end_to_end.py reads the ledger of the runs on the stand-ins
# (fsl_standins.testing.LEDGER) that the tests before it made: it goes last,
# and is told which stand-in tests this session left out (-k, a file named).

E2E_MODULE = "test_fsl_end_to_end.py"
STANDIN_LEFT_OUT = pytest.StashKey[list]()


def pytest_deselected(items):
    if items:
        left = items[0].config.stash.setdefault(STANDIN_LEFT_OUT, [])
        left.extend(i.nodeid for i in items if "standin_fsl" in getattr(i, "fixturenames", ()))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    check = [i for i in items if i.path.name == E2E_MODULE]
    if not check:
        return
    items[:] = [i for i in items if i.path.name != E2E_MODULE] + check
    here = os.path.dirname(os.path.abspath(__file__))
    collected = {i.path.name for i in items}
    left = config.stash.setdefault(STANDIN_LEFT_OUT, [])
    for name in sorted(os.listdir(here)):
        if name.startswith("test_") and name.endswith(".py") and name not in collected:
            with open(os.path.join(here, name), encoding="utf-8") as fh:
                if "standin_fsl" in fh.read():
                    left.append(name)


def pytest_unconfigure(config):
    folder = config.stash.get(_RUN_TMP, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


NIB_DATA = os.path.join(os.path.dirname(nib.__file__), "tests", "data")

# kind -> (nibabel class, extension)
KINDS = {
    "nii": (nib.Nifti1Image, ".nii"),
    "nii.gz": (nib.Nifti1Image, ".nii.gz"),
    "nifti2": (nib.Nifti2Image, ".nii"),
    "nifti2.gz": (nib.Nifti2Image, ".nii.gz"),
    "pair": (nib.Nifti1Pair, ".img"),
    "analyze": (nib.AnalyzeImage, ".img"),
    "spm2": (nib.Spm2AnalyzeImage, ".img"),
    "mgz": (nib.MGHImage, ".mgz"),
}

AFFINE = np.array(
    [[2.0, 0.0, 0.0, -20.0], [0.0, 2.5, 0.0, -30.0], [0.0, 0.0, 3.0, -12.0], [0.0, 0.0, 0.0, 1.0]]
)


def nib_data(name: str) -> str:
    """Path of a file shipped in nibabel's test data."""
    path = os.path.join(NIB_DATA, name)
    if not os.path.exists(path):  # pragma: no cover - depends on the nibabel install
        pytest.skip(f"nibabel test data {name} not installed")
    return path


def sample_data(shape=(6, 5, 4), dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * 100).astype(dtype)


def write_image(path, kind="nii", data=None, affine=None, **header_fields):
    """Write ``data`` as a ``kind`` image at ``path`` (extension added if missing)."""
    klass, ext = KINDS[kind]
    path = os.fspath(path)
    if not path.endswith(ext):
        path += ext
    data = sample_data() if data is None else data
    affine = AFFINE if affine is None else affine
    img = klass(data, affine)
    for key, value in header_fields.items():
        img.header[key] = value
    nib.save(img, path)
    return path


def copy_nib_data(name: str, folder) -> str:
    """Copy a nibabel test file into ``folder`` (tests may change it) and return the copy."""
    dst = os.path.join(os.fspath(folder), name)
    shutil.copyfile(nib_data(name), dst)
    return dst


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch):
    """Point imagecache's temporaries at a fresh folder for each test."""
    base = tmp_path_factory.mktemp("imagecache-tmp")
    monkeypatch.delenv(tempfiles.ENV_VAR, raising=False)
    imagecache.set_temp_dir(base)
    yield base
    imagecache.set_temp_dir(None)


@pytest.fixture(autouse=True)
def run_folders(tmp_path_factory, monkeypatch):
    """Run folders of interfaces (``imageshell-<tool>-*``) go below a fresh
    folder for each test, not the system temporary folder: a test run leaves
    nothing behind.  Tests of their own set ``IMAGESHELL_WORKDIR`` over it."""
    base = tmp_path_factory.mktemp("imageshell-runs")
    monkeypatch.setenv("IMAGESHELL_WORKDIR", str(base))
    return base


@pytest.fixture
def make_image(tmp_path):
    """Factory: ``make_image(kind="nii", name="img", data=None, affine=None, **fields)``."""

    def _make(kind="nii", name="img", data=None, affine=None, **fields):
        return write_image(tmp_path / name, kind, data, affine, **fields)

    return _make


def image_values(img, data=None):
    """What the voxels of ``img`` are (``data`` overrides, e.g. an edited fdata cache)."""
    if data is not None:
        return np.asarray(data)
    return np.asanyarray(img.dataobj)


def nib_class(img):
    for klass in type(img).__mro__:
        if klass.__module__.startswith("nibabel."):
            return klass
    return type(img)


def saved_by_nibabel(img, folder, data=None):
    """Load what ``nib.save`` writes for ``img`` (a clone is saved: ``img`` is untouched).

    ``data`` replaces the voxels (an edited fdata cache). ``None`` when nibabel
    cannot save the image in its own format (e.g. Analyze, float data, int type).
    """
    klass = nib_class(img)
    clone = klass.__new__(klass)
    clone.__dict__.update(img.__dict__)
    clone._header = img.header.copy()
    clone._affine = None if img.affine is None else img.affine.copy()
    clone._fdata_cache = None
    if data is not None:
        clone._dataobj = data
    path = os.path.join(os.fspath(folder), "expected-by-nibabel" + klass.valid_exts[0])
    try:
        clone.to_filename(path)
    except WriterError:
        return None
    return nib.load(path)


_SKIP_FIELDS = {"vox_offset", "scl_slope", "scl_inter"}


def header_fields(header):
    out = {}
    for key in getattr(header, "keys", list)():
        if key in _SKIP_FIELDS:
            continue
        out[key] = np.asarray(header[key])
    return out


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return np.array_equal(a, b, equal_nan=a.dtype.kind in "fc" and b.dtype.kind in "fc")


def extensions_of(header):
    return [(int(e.get_code()), bytes(e.content)) for e in getattr(header, "extensions", None) or []]


def assert_file_matches(path, img, *, data=None, folder=None, values=True, same_class=True):
    """``nib.load(path)`` equals ``img``: voxels, dtype, affine, header fields, extensions.

    Parameters
    ----------
    data : array, optional
        The image's voxel values when they are not ``img.dataobj`` (an edited
        ``get_fdata()`` cache).
    folder : path, optional
        Where to write nibabel's own save of ``img`` for the header comparison;
        without it, header fields are compared with ``img.header`` directly.
    values : bool
        Also compare the voxels with the image's voxels directly (turn off when
        a scaling edit makes nibabel's save differ from ``img.dataobj``).
    same_class : bool
        The file loads as the image's nibabel class (off for conversions).
    """
    assert os.path.exists(path), path
    loaded = nib.load(path)
    if same_class:
        assert type(loaded) is nib_class(img)
    assert loaded.shape == img.shape
    expected = image_values(img, data) if values else None
    if values:
        got = loaded.get_fdata() if data is not None else np.asanyarray(loaded.dataobj)
        assert np.array_equal(got, expected, equal_nan=True), "voxel values differ"
    # Values are stored exactly: in the header's type when they fit it, else a wider one.
    widened = values and not fits_exactly(expected, img.get_data_dtype())
    if same_class and not widened and (data is None or values):
        assert loaded.get_data_dtype().newbyteorder("=") == img.get_data_dtype().newbyteorder("=")
    np.testing.assert_allclose(loaded.affine, img.affine, rtol=1e-6, atol=1e-5)
    ref = saved_by_nibabel(img, folder, data) if folder is not None else None
    if ref is not None:
        if not values:  # explicit scale factors: stored with them, as nib.save does
            assert np.array_equal(loaded.get_fdata(), ref.get_fdata(), equal_nan=True)
        if type(loaded) is type(ref):  # converted temporaries: values, dtype and affine only
            ref_fields, got_fields = header_fields(ref.header), header_fields(loaded.header)
            for key, value in ref_fields.items():
                if (widened or data is not None) and key in ("datatype", "bitpix", "type"):
                    continue
                assert _same(got_fields[key], value), key
            assert extensions_of(loaded.header) == extensions_of(ref.header)
    elif same_class:
        want, got = header_fields(img.header), header_fields(loaded.header)
        for key in ("datatype", "dim", "pixdim", "descrip", "intent_code", "xyzt_units", "qform_code", "sform_code"):
            if key in want and not (widened and key == "datatype"):
                assert _same(got[key], want[key]), key
        assert extensions_of(loaded.header) == extensions_of(img.header)
    return loaded


def fits_exactly(values, dtype) -> bool:
    """True when ``values`` cast to ``dtype`` keep every value (NaNs included)."""
    values = np.asarray(values)
    with np.errstate(invalid="ignore", over="ignore"):
        cast = values.astype(dtype)
        return bool(np.array_equal(cast.astype(values.dtype), values, equal_nan=values.dtype.kind in "fc"))


def private_files(cache_dir):
    """All files below the per-test temporary base folder."""
    out = []
    for root, _dirs, files in os.walk(cache_dir):
        out.extend(os.path.join(root, f) for f in files)
    return sorted(out)
