"""Cheap digests of the parts of an image: header, affine, extensions, voxels, files.

A digest here is a short ``bytes`` value; two equal digests mean equal content.
Voxel arrays are hashed with xxHash (XXH3-128), which runs at memory speed, far
faster than writing the array to disk.
"""

from __future__ import annotations

import os

import numpy as np
import xxhash

__all__ = [
    "array_digest",
    "header_bytes",
    "affine_bytes",
    "extensions_digest",
    "stat_key",
    "proxy_params",
    "is_proxy",
]


def array_digest(arr) -> bytes:
    """Digest of an array's dtype, shape and values (byte-exact).

    Parameters
    ----------
    arr : numpy.ndarray
        Any array; non-contiguous arrays are copied to hash them.
    """
    arr = np.asarray(arr)
    h = xxhash.xxh3_128()
    h.update(f"{arr.dtype.str}|{arr.shape}|".encode())
    if arr.size:
        h.update(memoryview(np.ascontiguousarray(arr)).cast("B"))
    return h.digest()


def header_bytes(header) -> bytes:
    """The header's raw fields as bytes, for exact comparison.

    Headers with a binary layout (NIfTI, Analyze, MGH) give their binary block.
    Other spatial headers (MINC) give their data type, shape and zooms.
    """
    block = getattr(header, "binaryblock", None)
    if block is not None:
        return bytes(block)
    try:
        parts = (header.get_data_dtype().str, header.get_data_shape(), header.get_zooms())
    except AttributeError:  # not a spatial header: compare nothing we cannot read
        return b""
    return repr(parts).encode()


def affine_bytes(affine) -> bytes:
    """The affine as float64 bytes (``b""`` when the image has none)."""
    if affine is None:
        return b""
    return np.asarray(affine, dtype=np.float64).tobytes()


def extensions_digest(header) -> bytes:
    """Digest of a NIfTI header's extensions, whatever their size (``b""`` if none)."""
    exts = getattr(header, "extensions", None)
    if not exts:
        return b""
    h = xxhash.xxh3_128()
    for ext in exts:
        content = ext.content if hasattr(ext, "content") else ext.get_content()
        if not isinstance(content, (bytes, bytearray)):
            content = repr(content).encode()
        h.update(f"{int(ext.get_code())}:{len(content)}:".encode())
        h.update(content)
    return h.digest()


def stat_key(path: str):
    """A key that changes when a file is rewritten, touched, replaced or removed.

    Returns ``None`` for a missing file.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def is_proxy(dataobj) -> bool:
    """True for a nibabel array proxy (data still on disk), False for an array."""
    return bool(getattr(dataobj, "is_proxy", False)) and not isinstance(dataobj, np.ndarray)


def proxy_params(proxy):
    """What decides which voxels a proxy reads: its file and how it decodes it."""
    file_like = getattr(proxy, "file_like", None)
    if isinstance(file_like, (str, os.PathLike)):
        file_like = os.path.abspath(os.fspath(file_like))
    else:
        file_like = id(file_like)
    return (
        file_like,
        tuple(getattr(proxy, "_shape", getattr(proxy, "shape", ()))),
        str(getattr(proxy, "_dtype", getattr(proxy, "dtype", ""))),
        getattr(proxy, "_offset", None),
        _num(getattr(proxy, "_slope", None)),
        _num(getattr(proxy, "_inter", None)),
        getattr(proxy, "order", None),
    )


def _num(v):
    # NaN != NaN would make equal params compare unequal
    if v is None:
        return None
    v = float(np.asarray(v))
    return "nan" if np.isnan(v) else v
