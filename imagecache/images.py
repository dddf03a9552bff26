"""Images that know which file they came from: :func:`load` and the tracked classes.

:func:`load` returns an instance of a subclass of the nibabel class of the
file's format (``isinstance(img, nibabel.Nifti1Image)`` holds), adding the
seed design's API: :attr:`~TrackedImage.is_dirty` and
:meth:`~TrackedImage.get_data`. The data stays on disk until asked for.
"""

from __future__ import annotations

import os
import threading

import nibabel as nib
import numpy as np
from nibabel.filebasedimages import ImageFileError
from nibabel.loadsave import load as nibabel_load  # bound now: nib.load may be replaced by ours
from nibabel.spatialimages import SpatialImage

from .check import (
    assess,
    hand_out,
    image_is_dirty,
    is_current,
    override,
    private,
    read_voxels,
    rebase,
    snapshot,
    sync,
)
from .digests import file_identity, header_key, is_proxy, proxy_params
from .errors import ImageFileChangedError, NotAnImageError, missing_file
from .formats import nibabel_class
from .pickling import apply_scaling, check_shell, dirty_args, shell_args
from .state import image_files, state_of

__all__ = ["load", "TrackedImage", "tracked_class"]


class TrackedImage:
    """Mixin giving a nibabel image provenance tracking.

    Not used directly: :func:`load` returns instances of subclasses such as
    ``imagecache.images.TrackedNifti1Image``, which derive from both this
    mixin and the nibabel class.
    """

    @property
    def is_dirty(self) -> bool:
        """True unless the image corresponds exactly to its file.

        Setting it overrides the check: ``True`` forces temporaries, ``False``
        declares the image as it is now to match its file (unchecked: see
        :func:`imagecache.set_dirty`).
        """
        return image_is_dirty(self)

    @is_dirty.setter
    def is_dirty(self, value: bool) -> None:
        override(self, bool(value))

    def get_data(self) -> np.ndarray:
        """Return the image's own voxel array, loading it on first call.

        Unlike nibabel 5 (where ``get_data`` is removed), this returns the
        array *of the image*: edits to it are edits of the image, are saved by
        ``to_filename`` and are what tools receive from
        :func:`imagecache.as_filename`. Values are scaled as
        ``np.asanyarray(img.dataobj)`` gives them. The array lives in the
        process's memory (never a map of the file), so it does not change when
        the file does. After an edit of the ``get_fdata()`` array, this returns
        that array: it is the image's content.
        """
        state = state_of(self)
        with state.lock:
            dataobj = self._dataobj
            if not is_proxy(dataobj) and state.content is None:
                if state.marks.get("data") is None:
                    hand_out(self, state, "data", dataobj, from_file=False)
                return dataobj
            sync(self, state)
            if state.content is not None:  # an edited get_fdata() array is the content
                arr = state.content
                state.content = None
                self._dataobj = arr
                hand_out(self, state, "data", arr, from_file=False)
                return arr
            arr = private(read_voxels(self, lambda: np.asanyarray(dataobj)))
            ref = state.reference
            own = ref is not None and proxy_params(dataobj) == ref.proxy
            self._dataobj = arr
            hand_out(self, state, "data", arr, from_file=own, source=dataobj)
        return arr

    def get_fdata(self, caching="fill", dtype=np.float64):
        """As :meth:`nibabel.dataobj_images.DataobjImage.get_fdata`.

        Edits to the returned cached array count as edits of the image for
        :func:`imagecache.as_filename` (nibabel's own ``save`` ignores them).
        A new array is derived from ``dataobj`` as nibabel derives it (so it
        shows edits made through ``get_data()``), in the process's own memory.
        As in nibabel, asking for another float type replaces the cache: the
        edits of the replaced cache are dropped with it.
        """
        if caching not in ("fill", "unchanged"):
            raise ValueError('caching value should be "fill" or "unchanged"')
        dtype = np.dtype(dtype)
        if not issubclass(dtype.type, np.inexact):
            raise ValueError(f"{dtype} should be floating point type")
        state = state_of(self)
        with state.lock:
            cache = self._fdata_cache
            if cache is not None and cache.dtype.type == dtype.type:
                if is_current(state, "fdata", cache) or state.marks.get(("fdata", cache.dtype.str)) is None:
                    return cache
                sync(self, state)  # out of date: derive again, unless it holds an edit
                if state.content is cache or is_current(state, "fdata", cache):
                    return cache
            sync(self, state)
            if caching == "fill" and cache is not None and state.content is cache:
                # nibabel replaces the cache, and its edits, with one of the new type
                # derived from dataobj (its own test suite checks that): so do we.
                rebase(state, self)
            source = self._dataobj
            data = read_voxels(self, lambda: np.asanyarray(source, dtype=dtype))
            if isinstance(source, np.ndarray) and np.may_share_memory(data, source):
                data = source  # a float array of that type is its own get_fdata(), as in nibabel
            if data is source:
                if caching == "fill":
                    self._fdata_cache = data
                return data
            data = private(data)
            if caching == "fill":
                self._fdata_cache = data
                ref = state.reference
                own = is_proxy(source) and ref is not None and proxy_params(source) == ref.proxy
                hand_out(self, state, "fdata", data, from_file=own)
        return data

    def uncache(self) -> None:
        """As nibabel's ``uncache``: drop the ``get_fdata()`` cache, and its edits.

        The ``get_data()`` array stays (it is the image's own array).
        """
        state = state_of(self)
        with state.lock:
            super().uncache()
            rebase(state, self)

    def to_filename(self, filename, **kwargs):
        """As nibabel's, and for a name of another format, the conversion ``nib.save`` makes.

        ``nib.save`` picks its conversions by exact class (``type(img) ==
        Nifti2Pair``), which a tracked image is not: without this, saving a
        NIfTI-2 pair as ``.nii`` would write NIfTI-1.
        """
        try:
            return super().to_filename(filename, **kwargs)
        except ImageFileError:
            base = nibabel_class(type(self))
            view = base(self._dataobj, self._affine, self.header, extra=getattr(self, "extra", None))
            nib.save(view, filename, **kwargs)

    def to_file_map(self, *args, **kwargs):
        """Save, then treat the saved files as this image's file (checked on next use)."""
        super().to_file_map(*args, **kwargs)
        state = state_of(self)
        with state.lock:
            state.reference = None
            state.unverified = True
            state.forced_dirty = False

    def __reduce__(self):
        state = state_of(self)
        with state.lock:
            verdict = assess(self, state)
            files = image_files(self)
            base = nibabel_class(type(self)).__name__
            if verdict.clean and files:
                return _open_shell, (base,) + shell_args(self, files)
            return _rebuild, (base,) + dirty_args(self, verdict)


def _open_shell(class_name, files, header):
    """Unpickle a clean image: check its files, then load it lazily."""
    check_shell(files)
    path = files[0][0]
    img = load(path)
    if nibabel_class(type(img)).__name__ != class_name or header_key(img.header) != header:
        raise ImageFileChangedError(
            0,
            f"{path!r} now loads as a different image than the pickled one (class or header "
            "differ); send the image again",
            path,
        )
    return img


def _rebuild(class_name, data, affine, header, extra, filename, scaling):
    """Unpickle a dirty image: an in-memory image of the same class, same values."""
    base = next(c for c in nib.all_image_classes if c.__name__ == class_name)
    img = tracked_class(base)(data, affine, header, extra=extra)
    apply_scaling(img.header, scaling)
    if filename is not None:
        img.set_filename(filename)
        state = state_of(img)
        with state.lock:  # the image is not its file: compare with it when next checked
            state.unverified = True
    return img


_classes: dict[type, type] = {}
_classes_lock = threading.Lock()


def tracked_class(nib_class: type) -> type:
    """The imagecache subclass of a nibabel image class (created once)."""
    if issubclass(nib_class, TrackedImage):
        return nib_class
    klass = _classes.get(nib_class)
    if klass is None:
        with _classes_lock:
            klass = _classes.get(nib_class)
            if klass is None:
                name = "Tracked" + nib_class.__name__
                klass = type(
                    name,
                    (TrackedImage, nib_class),
                    {"__module__": __name__, "__doc__": f"A {nib_class.__name__} tracked by imagecache."},
                )
                globals()[name] = klass  # so pickle can find it by name
                _classes[nib_class] = klass
    return klass


for _cls in nib.all_image_classes:
    tracked_class(_cls)
del _cls

# nibabel decides whether the first three axes are spatial by exact class
# (``type(img) in KNOWN_SPATIAL_FIRST``: img.slicer, nibabel.processing,
# imagestats, and nilearn through them): the tracked classes are too.
nib.imageclasses.KNOWN_SPATIAL_FIRST = tuple(nib.imageclasses.KNOWN_SPATIAL_FIRST) + tuple(
    tracked_class(c) for c in nib.imageclasses.KNOWN_SPATIAL_FIRST
)

_MMAP_MODES = (True, False, "c", "r")


def load(path, **kwargs):
    """Load an image lazily, as the nibabel class of its format, with provenance.

    Parameters
    ----------
    path : str or os.PathLike
        Image file (for two-file formats, either file).
    **kwargs
        Passed to nibabel (e.g. ``mmap``, ``keep_file_open``). ``mmap="r+"``
        (edits written through to the file) is refused: use ``nib.load`` to edit
        a file in place, then load it again.

    Returns
    -------
    TrackedImage
        An instance of e.g. ``TrackedNifti1Image``, a subclass of
        :class:`nibabel.Nifti1Image`; clean, with no voxels read yet. Files that
        are not volume images (GIFTI surfaces, CIFTI-2) are returned as
        ``nib.load`` returns them, untracked: hand tools their path.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        For an ``mmap`` value nibabel does not take, or ``"r+"``.
    imagecache.NotAnImageError
        If nibabel cannot read it as an image (also a nibabel ``ImageFileError``).
    """
    path = os.fspath(path)
    mmap = kwargs.get("mmap", True)
    if mmap == "r+":
        raise ValueError(
            "imagecache.load(mmap='r+') would let edits write through into the file behind "
            "the check; use nib.load(path, mmap='r+') to edit a file in place, then load it again"
        )
    if mmap not in _MMAP_MODES:
        raise ValueError(f"mmap should be one of {_MMAP_MODES}, not {mmap!r}")
    if not os.path.exists(path):
        raise missing_file(path)
    before = file_identity(os.path.abspath(path))
    try:
        img = nibabel_load(path, **kwargs)
    except ImageFileError as exc:
        raise NotAnImageError(
            f"{exc}: {path!r} is not an image file nibabel can read; "
            "check the path, or convert the file to NIfTI"
        ) from exc
    except (EOFError, ValueError, OSError) as exc:
        raise NotAnImageError(
            f"{path!r} could not be read as an image ({type(exc).__name__}: {exc}); "
            "the file may be truncated or not an image"
        ) from exc
    if not isinstance(img, SpatialImage):
        return img  # GIFTI, CIFTI-2: as nib.load gives them
    img.__class__ = tracked_class(type(img))
    files = image_files(img)
    identities = tuple(file_identity(p) for p in files)
    state = state_of(img)
    with state.lock:
        state.reference = snapshot(img, files, identities)
        state.paths = files
        # Trusted only if the file did not change while nibabel read its header.
        state.unverified = file_identity(os.path.abspath(path)) != before
    return img
