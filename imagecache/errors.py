"""Errors raised by :mod:`imagecache`.

Every error is a subclass of :class:`ImageCacheError`; most also derive from the
built-in exception a caller would naturally catch (``OSError``, ``ValueError``),
so ``except OSError`` keeps working around file problems.
"""

from __future__ import annotations

import errno

from nibabel.filebasedimages import ImageFileError


class ImageCacheError(Exception):
    """Base class of all errors raised by imagecache."""


class NotAnImageError(ImageCacheError, ImageFileError, ValueError):
    """A file exists but nibabel cannot read it as an image.

    Also a :class:`nibabel.filebasedimages.ImageFileError`, so code that catches
    nibabel's error catches it too, and a ``ValueError``.
    """


class ImageFileChangedError(ImageCacheError, OSError):
    """The file behind a lazily loaded image changed so its voxels cannot be recovered."""


class TruncatedImageError(ImageCacheError, OSError):
    """An image file holds fewer bytes of voxel data than its header declares."""


class TemporaryWriteError(ImageCacheError, OSError):
    """A temporary copy of an image could not be written (unwritable folder, full disk)."""


class UnsupportedFormatError(ImageCacheError, ValueError):
    """An image cannot be handed over in any of the accepted formats."""


def missing_file(path: str) -> FileNotFoundError:
    """The ``FileNotFoundError`` for an image path that does not exist, naming it."""
    return FileNotFoundError(errno.ENOENT, f"image file {path!r} does not exist; check the path", path)


class ConflictingEditsError(ImageCacheError, ValueError):
    """Two arrays of one image were edited, so imagecache cannot tell which is the image.

    For example the ``get_data()`` array and the ``get_fdata()`` cache were
    both edited between two checks, or an array was edited after another
    array's edit had become the image's content.
    """
