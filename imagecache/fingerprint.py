"""A short string that identifies what a tool would receive for an image.

:func:`image_fingerprint` is what result caches key on. Two images with equal
fingerprints are handed to tools as equal files; any change of voxels, header,
affine or extensions -- in memory or on disk -- changes the fingerprint.
"""

from __future__ import annotations

import os

import xxhash
from nibabel.spatialimages import SpatialImage

from .check import assess
from .digests import affine_bytes, extensions_digest, file_identity, header_key, header_scaling
from .errors import missing_file
from .formats import nibabel_class
from .state import image_files, state_of

__all__ = ["image_fingerprint"]


def _file_part(path: str, file_digest) -> str:
    if file_digest is not None:
        return f"{path}|{file_digest(path)}"
    return f"{path}|{file_identity(path)}"


def image_fingerprint(image, *, file_digest=None) -> str:
    """A fingerprint of ``image`` as a tool would receive it.

    - A path, or a *clean* file-backed image (see :func:`is_dirty`):
      ``"file:"`` and a digest of the file names, their ``stat`` identity
      (device, inode, size, modification and change times) and the header.
      Costs a ``stat`` per file and a comparison with the image's file, a few
      microseconds; nothing is read.
    - A dirty or in-memory image: ``"data:"`` and a digest of its voxel
      values, header, affine and extensions (one xxHash pass over voxels held
      in memory, which runs at memory speed).

    Parameters
    ----------
    image : nibabel image, imagecache image, str or os.PathLike
    file_digest : callable, optional
        ``file_digest(path) -> str``, e.g. a content hash with a persistent
        cache; used instead of the ``stat`` identity of each file, so that a
        file touched or copied without change keeps its fingerprint.

    Returns
    -------
    str

    Raises
    ------
    FileNotFoundError
        For a path that does not exist.
    TypeError
        For a value that is neither an image nor a path.
    imagecache.ImageCacheError
        As :func:`is_dirty` (e.g. the file under a lazily loaded image changed).
    """
    if not isinstance(image, SpatialImage):
        if not isinstance(image, (str, os.PathLike)):
            raise TypeError(f"expected a nibabel image or a path, got {type(image).__name__}")
        path = os.path.abspath(os.fspath(image))
        if not os.path.exists(path):
            raise missing_file(path)
        return "file:" + xxhash.xxh3_128_hexdigest(_file_part(path, file_digest).encode())
    state = state_of(image)
    with state.lock:
        verdict = assess(image, state)
        files = image_files(image)
        h = xxhash.xxh3_128()
        h.update(nibabel_class(type(image)).__name__.encode())
        h.update(header_key(image.header))
        h.update(repr(header_scaling(image.header)).encode())
        h.update(extensions_digest(image.header))
        if verdict.clean and files:
            for path in files:
                h.update(_file_part(path, file_digest).encode())
            return "file:" + h.hexdigest()
        h.update(affine_bytes(image._affine))
        h.update(repr(verdict.data_key).encode())
        return "data:" + h.hexdigest()
