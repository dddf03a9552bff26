"""Digests of the parts of an image (header, affine, extensions, voxels) and of files.

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
    "memory_order",
    "same_values",
    "header_bytes",
    "affine_bytes",
    "affine32_bytes",
    "extensions_digest",
    "header_key",
    "header_scaling",
    "file_identity",
    "proxy_params",
    "is_proxy",
]


def memory_order(arr) -> str:
    """``"F"`` for a Fortran-contiguous (and not C-contiguous) array, else ``"C"``."""
    flags = np.asarray(arr).flags
    return "F" if flags.f_contiguous and not flags.c_contiguous else "C"


def array_digest(arr, order: str | None = None) -> bytes:
    """Digest of an array's dtype, shape, memory order and values (byte-exact).

    C- and Fortran-contiguous arrays are hashed in place (nibabel's NIfTI
    arrays are Fortran-ordered: copying them to C order would cost more than
    the hash). The order is part of the digest, so equal digests mean equal
    values; to compare with an array in another order, pass ``order`` (the
    other array's :func:`memory_order`): ``arr`` is then copied to it if needed.

    Parameters
    ----------
    arr : numpy.ndarray
        Any array; non-contiguous arrays are copied to hash them.
    order : {"C", "F"}, optional
        Hash ``arr`` as if it had this memory order.
    """
    arr = np.asarray(arr)
    if order is not None and memory_order(arr) != order:
        arr = np.asarray(arr, order=order)
    if arr.flags.c_contiguous:
        order, buf = "C", arr
    elif arr.flags.f_contiguous:
        order, buf = "F", arr.T  # a C-contiguous view of the same bytes
    else:
        order, buf = "C", np.ascontiguousarray(arr)
    h = xxhash.xxh3_128()
    h.update(f"{arr.dtype.str}|{arr.shape}|{order}|".encode())
    if arr.size:
        h.update(memoryview(buf).cast("B"))
    return h.digest()


def same_values(a, b) -> bool:
    """``np.array_equal(a, b, equal_nan=True)``, several times faster on large arrays.

    One element-wise comparison; NaNs are looked at only where it fails
    (numpy's ``equal_nan`` runs ``isnan`` over both whole arrays).
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore"):
        eq = a == b
    if eq.all():
        return True
    if a.dtype.kind not in "fc" or b.dtype.kind not in "fc":
        return False
    differ = ~eq
    return bool(np.isnan(a[differ]).all() and np.isnan(b[differ]).all())


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


_SCALING_FIELDS = ("scl_slope", "scl_inter")


def header_key(header) -> bytes:
    """:func:`header_bytes` with the scale factor fields left out.

    nibabel resets ``scl_slope``/``scl_inter`` to NaN in a loaded image's
    header (the proxy holds the file's scaling) and ``nib.save`` computes and
    writes new ones: they are compared separately, by :func:`header_scaling`.
    """
    block = getattr(header, "binaryblock", None)
    fields = getattr(getattr(header, "structarr", None), "dtype", None)
    fields = None if fields is None else fields.fields
    if block is None or fields is None or not any(k in fields for k in _SCALING_FIELDS):
        return header_bytes(header)
    out = bytearray(block)
    for key in (k for k in _SCALING_FIELDS if k in fields):  # NaN in the field's type and byte order
        dtype, offset = fields[key][:2]
        out[offset:offset + dtype.itemsize] = np.array(np.nan, dtype=dtype).tobytes()
    return bytes(out)


def header_scaling(header):
    """The scale factors set in ``header`` that ``nib.save`` would write, or None.

    None when the format has no scaling fields or they are unset (NaN, or a
    zero or non-finite slope), as in a loaded image's header.
    """
    if getattr(header, "binaryblock", None) is None or "scl_slope" not in header:
        return None  # no scaling fields (Analyze, MGH, MINC)
    slope = float(header["scl_slope"])
    if not np.isfinite(slope) or slope == 0:
        return None
    inter = float(header["scl_inter"]) if "scl_inter" in header else 0.0
    inter = inter if np.isfinite(inter) else 0.0
    if (slope, inter) == (1.0, 0.0):
        return None  # the identity: values stored as they are
    return (slope, inter)


def affine32_bytes(affine) -> bytes:
    """The affine rounded to float32, as image formats store it (``b""`` when none)."""
    if affine is None:
        return b""
    return np.asarray(affine, dtype=np.float32).tobytes()


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


def file_identity(path: str):
    """The identity of a file: ``(device, inode, size, mtime_ns, ctime_ns)``.

    It changes when the file is rewritten, touched, replaced or removed, and
    also when its modification time is put back (``os.utime``): the change
    time cannot be set back. ``None`` for a missing file.
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
