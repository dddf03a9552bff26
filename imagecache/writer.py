"""Writing temporaries: an image's content, stored exactly, written atomically.

:func:`write_temporary` writes what a tool must receive for an image: its
header, affine and extensions, and voxels that load as exactly the image's
content (see :func:`payload` for the rule). :func:`copy_files` makes
byte-exact private copies of an image's own files.
"""

from __future__ import annotations

import errno
import os
import shutil

import nibabel as nib
import numpy as np

from . import tempfiles
from .check import Assessment, read_voxels
from .digests import header_scaling, is_proxy, memory_order, same_values
from .errors import ImageCacheError
from .formats import nibabel_class
from .state import image_files

__all__ = ["payload", "write_temporary", "copy_files", "CAST_CHUNK"]


def payload(img, verdict: Assessment, header):
    """Voxels and header (a copy of ``header``) that store the image's content exactly.

    The rule, in order:

    1. the image's header has scale factors set (``scl_slope``): the user
       asked for them, so the content is stored with them, as ``nib.save`` does;
    2. lazy content whose on-disk type is the header's: the file's raw values
       with the file's own scale factors (exact by construction);
    3. the content cast to the header's data type, when every value fits
       exactly (NaNs included);
    4. else the narrowest type the format has that holds every value exactly:
       the content's own integer type, ``float32``, ``float64``. A format
       without ``float64`` (MGH) gets ``float32``, rounded.

    Returns
    -------
    data : numpy.ndarray
    header : header of the target class
    scaling : (slope, inter)
        Raw scale factors to set on the written header ((1, 0): none).
    """
    header = header.copy()
    explicit = header_scaling(img.header)
    dataobj = img._dataobj
    if verdict.content is None:
        if explicit is None and _raw_fits(dataobj, header):
            raw = read_voxels(img, dataobj.get_unscaled)
            return raw, header, (float(dataobj.slope), float(dataobj.inter))
        values = read_voxels(img, lambda: np.asanyarray(dataobj))
    else:
        values = np.asanyarray(verdict.content)
    if explicit is not None:
        return values, header, explicit
    return exact_values(values, header) + ((1.0, 0.0),)


def _raw_fits(proxy, header) -> bool:
    if not hasattr(proxy, "get_unscaled") or np.ndim(getattr(proxy, "slope", None)) != 0:
        return False
    if np.ndim(getattr(proxy, "inter", 0.0)) != 0:
        return False
    try:
        return np.dtype(proxy.dtype) == header.get_data_dtype()
    except (AttributeError, TypeError):
        return False


def exact_values(values: np.ndarray, header):
    """``(data, header)``: ``values`` in the header's type if exact, else the narrowest exact type."""
    target = header.get_data_dtype()
    cast = values if values.dtype == target else _cast_exactly(values, target)
    if cast is not None:
        return cast, header
    candidates = [values.dtype] if values.dtype.kind in "iub" else []
    candidates += [np.dtype(np.float32), np.dtype(np.float64)]
    for dtype in candidates:
        exact = values if dtype == values.dtype else _cast_exactly(values, dtype)
        if exact is None:
            continue
        try:
            header.set_data_dtype(dtype)
        except Exception:  # HeaderDataError: the format has no such type
            continue
        return exact, header
    header.set_data_dtype(np.float32)  # MGH: its widest type, rounded
    return values.astype(np.float32), header


def _build(img, verdict: Assessment, klass):
    """The nibabel image of ``klass`` to write for ``img``."""
    base = nibabel_class(type(img))
    extra = getattr(img, "extra", None)
    header, affine = img.header, img._affine
    if klass is not base:  # the header and affine nibabel's own conversion gives
        converted = klass.from_image(base(img._dataobj, img._affine, img.header, extra=extra))
        header, affine = converted.header, converted.affine
    data, header, scaling = payload(img, verdict, header)
    out = klass(data, affine, header, extra=extra)
    if not _set_scaling(out.header, *scaling):
        # The target format cannot hold the file's scale factors: store the values.
        values = read_voxels(img, lambda: np.asanyarray(img._dataobj))
        data, header = exact_values(values, out.header.copy())
        out = klass(data, affine, header, extra=extra)
        _set_scaling(out.header, 1.0, 0.0)
    return out


def write_temporary(image, verdict: Assessment, target):
    """Write ``image`` as a temporary of ``target`` = (class, extension).

    Returns
    -------
    files : tuple of str
        The written files, image file first.
    nbytes : int
    """
    klass, ext = target
    source = _kernel_source(image, verdict, klass, ext)
    out = _header_only(image, klass) if source is not None else _build(image, verdict, klass)
    hint = os.path.basename(files[0]) if (files := image_files(image)) else "image"
    stem = tempfiles.new_stem(hint.split(".")[0])
    final_map = klass.filespec_to_file_map(stem + ext)
    partial_map = klass.filespec_to_file_map(stem + ".partial" + ext)
    partials = {
        partial_map[k].filename: final_map[k].filename
        for k in final_map
        if k in partial_map
    }
    folder = os.path.dirname(stem)
    try:
        try:
            if source is not None:
                _write_header_and_copy(out, source, partial_map["image"].filename)
            else:
                out.to_file_map(partial_map)
        except (EOFError, ValueError, OSError) as exc:
            if _is_write_error(exc, partials):
                raise  # full disk, unwritable folder: reported below, naming the folder
            read_voxels(image, _raiser(exc))  # reading the image's voxels failed: name its file
            raise
        written_partials = {p: f for p, f in partials.items() if os.path.exists(p)}
        nbytes = tempfiles.publish(written_partials)
    except OSError as exc:
        if isinstance(exc, ImageCacheError):
            tempfiles.remove(partials)
            raise
        raise tempfiles.write_failed(exc, partials, folder) from exc
    except BaseException:  # e.g. a nibabel WriterError half-way: leave no partial file
        tempfiles.remove(partials)
        raise
    written = tuple(written_partials.values())
    image_first = final_map["image"].filename
    return (image_first,) + tuple(p for p in written if p != image_first), nbytes


# --- header-only edits of uncompressed NIfTI: voxel bytes copied in the kernel ------


def _kernel_source(img, verdict: Assessment, klass, ext):
    """``(path, offset, nbytes)`` of voxel bytes a temporary can take as they are, or None.

    Only for lazy content read from an uncompressed single-file NIfTI, written to
    ``.nii`` of the same class, when the header's type is the stored type and
    no scale factors were set in memory: then the temporary is the new header
    followed by the very same voxel bytes.
    """
    proxy = img._dataobj
    if verdict.content is not None or ext != ".nii" or klass is not nibabel_class(type(img)):
        return None
    if not issubclass(klass, nib.Nifti1Image) or not is_proxy(proxy):
        return None
    path = getattr(proxy, "file_like", None)
    if not isinstance(path, str) or header_scaling(img.header) is not None:
        return None
    if getattr(proxy, "order", "F") != "F" or not _raw_fits(proxy, img.header):
        return None
    nbytes = int(np.prod(proxy.shape, dtype=np.int64)) * np.dtype(proxy.dtype).itemsize
    offset = int(proxy.offset)
    try:
        with open(path, "rb") as f:
            if f.read(2) == b"\x1f\x8b" or os.fstat(f.fileno()).st_size < offset + nbytes:
                return None  # compressed, or truncated: the general path names the problem
    except OSError:
        return None
    return path, offset, nbytes


def _header_only(img, klass):
    """``img``'s header, affine and extensions as ``klass`` writes them, voxels left lazy."""
    out = klass(img._dataobj, img._affine, img.header.copy(), extra=getattr(img, "extra", None))
    _set_scaling(out.header, float(img._dataobj.slope), float(img._dataobj.inter))
    out.update_header()
    return out


def _write_header_and_copy(out, source, path) -> None:
    """Write ``out``'s header (extensions included), then the source's voxel bytes."""
    src_path, offset, nbytes = source
    header = out.header
    with open(path, "wb") as dst, open(src_path, "rb") as src:
        header.write_to(dst)
        start = int(header.get_data_offset())
        if dst.tell() < start:
            dst.write(b"\0" * (start - dst.tell()))
        dst.flush()
        copy_range(src, offset, dst, nbytes)


def copy_range(src, offset: int, dst, nbytes: int) -> None:
    """Copy ``nbytes`` of ``src`` from ``offset`` to the end of ``dst``, in the kernel.

    ``os.copy_file_range`` (Linux, no copy through user space; on filesystems
    that share extents, no copy at all), else ``os.sendfile``, else a read loop.
    """
    done = 0
    out_fd, in_fd = dst.fileno(), src.fileno()
    dst_offset = os.lseek(out_fd, 0, os.SEEK_END)
    copier = getattr(os, "copy_file_range", None)
    while done < nbytes:
        n = 0
        if copier is not None:
            try:
                n = copier(in_fd, out_fd, nbytes - done, offset + done, dst_offset + done)
            except OSError:  # e.g. EXDEV on old kernels, or unsupported: fall back
                copier = None
                continue
        else:
            src.seek(offset + done)
            chunk = src.read(min(1 << 24, nbytes - done))
            os.lseek(out_fd, dst_offset + done, os.SEEK_SET)
            n = os.write(out_fd, chunk) if chunk else 0
        if n == 0:
            raise OSError(errno.EIO, f"{src.name!r} ended before its voxel data", src.name)
        done += n


_WRITE_ERRNOS = frozenset(
    {errno.EFBIG, errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
)


def _is_write_error(exc, partials) -> bool:
    """True when ``exc`` came from writing the temporary, not from reading the image."""
    if not isinstance(exc, OSError) or isinstance(exc, ImageCacheError):
        return False
    if exc.filename is not None:
        return os.fspath(exc.filename) in partials
    return exc.errno in _WRITE_ERRNOS


def _raiser(exc):
    def reader():
        raise exc

    return reader



def _set_scaling(header, slope, inter) -> bool:
    """Set raw scale factors on ``header``; False if it cannot hold them."""
    if (slope, inter) == (1.0, 0.0):
        if hasattr(header, "set_slope_inter"):
            header.set_slope_inter(None, None)
        return True
    keys = header.keys() if hasattr(header, "keys") else ()
    if "scl_slope" not in keys or (inter != 0.0 and "scl_inter" not in keys):
        return False
    header["scl_slope"] = slope
    if "scl_inter" in keys:
        header["scl_inter"] = inter
    return True



#: Elements cast and compared at a time by :func:`_cast_exactly`: each chunk is
#: compared while it is still in the CPU cache, instead of reading both whole
#: arrays again from memory.
CAST_CHUNK = 1 << 18


def _cast_exactly(arr, dtype):
    """``arr`` cast to ``dtype`` when that keeps every value exactly (NaNs included), else None.

    Casts chunk by chunk, in memory order, into one preallocated array, checks
    each chunk as it goes, and stops at the first value that does not fit.
    """
    order = memory_order(arr)
    out = np.empty(arr.shape, dtype=dtype, order=order)
    src, dst = arr.reshape(-1, order=order), out.reshape(-1, order=order)  # views if contiguous
    with np.errstate(invalid="ignore", over="ignore"):
        for start in range(0, src.size, CAST_CHUNK):
            chunk = slice(start, start + CAST_CHUNK)
            np.copyto(dst[chunk], src[chunk], casting="unsafe")
            if not same_values(dst[chunk], src[chunk]):
                return None
    return out



def copy_files(files):
    """Byte-exact private copies of ``files`` (missing ones, e.g. an optional ``.mat``, skipped).

    Returns
    -------
    copies : tuple of str
    nbytes : int
    """
    stem = tempfiles.new_stem(os.path.basename(files[0]).split(".")[0])
    copies = []
    nbytes = 0
    try:
        for src in files:
            if not os.path.exists(src):
                continue
            dst = stem + _full_ext(src)
            partial = dst + ".partial"
            copies.append(partial)
            shutil.copyfile(src, partial)
            nbytes += tempfiles.publish({partial: dst})
            copies[-1] = dst
    except OSError as exc:
        raise tempfiles.write_failed(exc, copies, os.path.dirname(stem)) from exc
    return tuple(copies), nbytes


def _full_ext(path: str) -> str:
    name = os.path.basename(path)
    low = name.lower()
    for ext in (".nii.gz", ".img.gz", ".hdr.gz"):
        if low.endswith(ext):
            return name[-len(ext):]
    return os.path.splitext(name)[1]
