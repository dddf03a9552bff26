"""How tracked images pickle: clean ones as lightweight shells, dirty ones with their values.

A clean image pickles to a *shell*: its file names with their identities
(device, inode, size, mtime_ns, ctime_ns; see
:func:`~imagecache.digests.file_identity`), the host it was pickled on, and
its header; a few hundred bytes whatever the size of the data. Unpickling
checks that the files are unchanged and loads them lazily, so a worker reads
voxels from a shared filesystem only when it needs them. On another host the
device number differs by nature, so there the rest of the identity is
compared: a file rewritten with its size and mtime put back still changes its
inode or ctime.

A dirty image pickles with the values a tool would receive (an edited
``get_fdata()`` array exactly), its header, scale factors, ``extra`` and
file name.
"""

from __future__ import annotations

import socket

import numpy as np

from .check import Assessment, read_voxels
from .digests import file_identity, header_key, header_scaling
from .errors import ImageFileChangedError

__all__ = ["shell_args", "check_shell", "dirty_args", "apply_scaling", "HOST"]

HOST = socket.gethostname()


def shell_args(img, files) -> tuple:
    """``(files, header_key)`` of a clean image's shell; files are ``(path, identity, host)``."""
    recorded = tuple((p, file_identity(p), HOST) for p in files if file_identity(p) is not None)
    return recorded, header_key(img.header)


def check_shell(files) -> None:
    """Raise :class:`~imagecache.ImageFileChangedError` unless every file is as pickled."""
    for path, identity, host in files:
        now = file_identity(path)
        same = now is not None and (now == identity if host == HOST else now[1:] == identity[1:])
        if not same:
            raise ImageFileChangedError(
                0,
                f"{path!r} changed or disappeared since the image was pickled (its inode, "
                "size, modification or change time differ); the image cannot be rebuilt from "
                "it: send the image again, or make the file available unchanged",
                path,
            )


def dirty_args(img, verdict: Assessment) -> tuple:
    """``(data, affine, header, extra, filename, scaling)`` of a dirty image."""
    if verdict.content is not None:
        data = verdict.content
    else:
        data = read_voxels(img, lambda: np.asanyarray(img._dataobj))
    header = img.header.copy()  # the writer's exact rule keeps the values: no re-quantising
    filename = img.get_filename() if hasattr(img, "get_filename") else None
    return data, img._affine, header, getattr(img, "extra", None), filename, header_scaling(img.header)


def apply_scaling(header, scaling) -> None:
    """Put back explicit scale factors (the image constructor resets them)."""
    if scaling is None or "scl_slope" not in header:
        return
    header["scl_slope"] = scaling[0]
    if "scl_inter" in header:
        header["scl_inter"] = scaling[1]
