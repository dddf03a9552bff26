"""Lightweight shells: how tracked images pickle.

A clean image pickles to a *shell*: its file names, their sizes and
modification times, and its header bytes; a few hundred bytes whatever the
size of the data, even after the data was loaded. Unpickling checks that the
file still matches and loads it lazily, so a worker reads the voxels from a
shared filesystem only when it needs them. A dirty image pickles with its
voxels.
"""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np

from .errors import ImageFileChangedError
from .fingerprint import header_bytes
from .formats import nibabel_class
from .provenance import assess, image_files, state_of

__all__ = ["reduce_image"]


def reduce_image(img):
    """``__reduce__`` of a tracked image: a shell when clean, data when dirty."""
    state = state_of(img)
    with state.lock:
        verdict = assess(img, state)
    files = image_files(img)
    base = nibabel_class(type(img))
    if verdict.clean and files:
        fingerprint = tuple(
            (p, st.st_size, st.st_mtime_ns) for p in files if (st := _stat(p)) is not None
        )
        return _open_shell, (base.__name__, fingerprint, header_bytes(img.header))
    data = verdict.fdata_edit if verdict.fdata_edit is not None else np.asanyarray(img._dataobj)
    return _rebuild, (base.__name__, data, img._affine, img.header, getattr(img, "extra", None))


def _stat(path):
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _open_shell(class_name, fingerprint, header):
    """Unpickle a shell: check the file, then load it lazily."""
    from .images import load  # images imports this module

    for path, size, mtime_ns in fingerprint:
        st = _stat(path)
        if st is None or st.st_size != size or st.st_mtime_ns != mtime_ns:
            raise ImageFileChangedError(
                0,
                f"{path!r} changed or disappeared since the image was pickled "
                "(size or modification time differ); the image cannot be rebuilt "
                "from it: send the image again, or make the file available unchanged",
                path,
            )
    img = load(fingerprint[0][0])
    if nibabel_class(type(img)).__name__ != class_name:
        raise ImageFileChangedError(
            0, f"{fingerprint[0][0]!r} now loads as {type(img).__name__}, not {class_name}", fingerprint[0][0]
        )
    if header_bytes(img.header) != header:
        raise ImageFileChangedError(
            0,
            f"the header of {fingerprint[0][0]!r} differs from the pickled image's; "
            "send the image again",
            fingerprint[0][0],
        )
    return img


def _rebuild(class_name, data, affine, header, extra):
    """Unpickle a dirty image: an in-memory image of the same class."""
    from .images import tracked_class  # images imports this module

    base = next(c for c in nib.all_image_classes if c.__name__ == class_name)
    return tracked_class(base)(data, affine, header, extra=extra)
