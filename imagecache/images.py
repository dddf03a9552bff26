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

from . import handoff, shells
from .errors import NotAnImageError, missing_file
from .fingerprint import array_digest, is_proxy, proxy_params, stat_key
from .provenance import image_files, read_voxels, snapshot, state_of

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
        return handoff.is_dirty(self)

    @is_dirty.setter
    def is_dirty(self, value: bool) -> None:
        handoff.set_dirty(self, bool(value))

    def get_data(self) -> np.ndarray:
        """Return the image's own voxel array, loading it on first call.

        Unlike nibabel 5 (where ``get_data`` is removed), this returns the
        array *of the image*: edits to it are edits of the image, are saved by
        ``to_filename`` and are what tools receive from
        :func:`imagecache.as_filename`. Values are scaled as
        ``np.asanyarray(img.dataobj)`` gives them.
        """
        dataobj = self._dataobj
        if not is_proxy(dataobj):
            return dataobj
        state = state_of(self)
        with state.lock:
            arr = read_voxels(self, lambda: np.asanyarray(dataobj))
            ref = state.reference
            if ref is not None and ref.proxy == proxy_params(dataobj) and ref.files_unchanged():
                ref.array = array_digest(arr)  # the file's voxels, as read just now
            self._dataobj = arr
        return arr

    def get_fdata(self, caching="fill", dtype=np.float64):
        """As :meth:`nibabel.spatialimages.SpatialImage.get_fdata`.

        Edits to the returned cached array count as edits of the image for
        :func:`imagecache.as_filename` (nibabel's own ``save`` ignores them).
        """
        before = self._fdata_cache
        data = read_voxels(self, lambda: super(TrackedImage, self).get_fdata(caching, dtype))
        cache = self._fdata_cache
        if cache is not None and cache is not before:
            state = state_of(self)
            with state.lock:
                ref = state.reference
                if ref is not None and ref.files_unchanged() and self._data_matches_reference(ref):
                    ref.fdata[cache.dtype.str] = array_digest(cache)
        return data

    def _data_matches_reference(self, ref) -> bool:
        dataobj = self._dataobj
        if is_proxy(dataobj):
            return proxy_params(dataobj) == ref.proxy
        return ref.array is not None and array_digest(dataobj) == ref.array

    def to_file_map(self, file_map=None, dtype=None):
        """Save, then treat the saved files as this image's file (checked on next use)."""
        super().to_file_map(file_map, dtype)
        state = state_of(self)
        with state.lock:
            state.reference = None
            state.unverified = True
            state.forced_dirty = False

    def __reduce__(self):
        return shells.reduce_image(self)


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


def load(path, **kwargs):
    """Load an image lazily, as the nibabel class of its format, with provenance.

    Parameters
    ----------
    path : str or os.PathLike
        Image file (for two-file formats, either file).
    **kwargs
        Passed to nibabel (e.g. ``mmap``, ``keep_file_open``).

    Returns
    -------
    TrackedImage
        An instance of e.g. ``TrackedNifti1Image``, a subclass of
        :class:`nibabel.Nifti1Image`; clean, with no voxels read yet.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    imagecache.NotAnImageError
        If nibabel cannot read it as an image.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise missing_file(path)
    before = stat_key(os.path.abspath(path))
    try:
        img = nib.load(path, **kwargs)
    except ImageFileError as exc:
        raise NotAnImageError(
            f"{path!r} is not an image file nibabel can read ({exc}); "
            "check the path, or convert the file to NIfTI"
        ) from exc
    except (EOFError, ValueError, OSError) as exc:
        raise NotAnImageError(
            f"{path!r} could not be read as an image ({type(exc).__name__}: {exc}); "
            "the file may be truncated or not an image"
        ) from exc
    if not hasattr(img, "_dataobj"):
        raise NotAnImageError(f"{path!r} is a {type(img).__name__}, not a volume image")
    img.__class__ = tracked_class(type(img))
    files = image_files(img)
    stats = tuple(stat_key(p) for p in files)
    state = state_of(img)
    with state.lock:
        state.reference = snapshot(img, files, stats)
        # Trusted only if the file did not change while nibabel read its header.
        state.unverified = stat_key(os.path.abspath(path)) != before
    return img
