"""Handing a tool a file for an image: :func:`as_filename` and friends."""

from __future__ import annotations

import errno
import io
import os
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import xxhash
from nibabel.spatialimages import SpatialImage

from . import tempfiles
from .errors import ImageCacheError, UnsupportedFormatError, missing_file
from .formats import DEFAULT_TEMP_FORMAT, file_extension, nibabel_class, parse_formats
from .fingerprint import (
    affine_bytes,
    extensions_digest,
    header_bytes,
    memory_order,
    same_values,
    stat_key,
)
from .provenance import assess, image_files, read_voxels, snapshot, state_of

__all__ = ["PreparedFile", "prepare_file", "as_filename", "is_dirty", "set_dirty"]


@dataclass(frozen=True)
class PreparedFile:
    """A file handed over for an image.

    Attributes
    ----------
    path : str
        Absolute path of the file (the image file of a multi-file format).
    origin : {"original", "temporary", "copy"}
        ``"original"``: the image's own file; ``"temporary"``: a file written
        for the image's current state, reused while it stays unchanged;
        ``"copy"``: a private copy that the caller may modify or delete.
    bytes_written : int
        Bytes written for this call (0 when an existing file was reused).
    reused : bool
        True when no file was written for this call.
    files : tuple of str
        All files of the image (e.g. ``.img`` and ``.hdr``), ``path`` first.
    """

    path: str
    origin: str
    bytes_written: int
    reused: bool
    files: tuple = ()

    def discard(self) -> None:
        """Delete a private copy; other files belong to their image and stay."""
        if self.origin == "copy":
            tempfiles.remove(self.files or (self.path,))

    def __fspath__(self) -> str:
        return self.path


def _loaded_path(path: str):
    """An imagecache image for a path given as input, cached by path and stat."""
    from .images import load  # imported here: images imports this module

    key = (path, os.stat(path).st_mtime_ns)
    with _paths_lock:
        img = _paths.get(key)
        if img is None:
            img = _paths[key] = load(path)
            while len(_paths) > 64:  # evicted images take their temporaries with them
                _paths.popitem(last=False)
        else:
            _paths.move_to_end(key)
    return img


_paths: OrderedDict = OrderedDict()
_paths_lock = threading.Lock()


def prepare_file(image, *, formats=None, copy=False) -> PreparedFile:
    """Return a file that corresponds exactly to ``image``, with how it was obtained.

    See :func:`as_filename` for the rules; this function also says whether the
    original file or a temporary was handed over and how many bytes were written.
    """
    accepted = parse_formats(formats)
    if isinstance(image, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(image))
        if not os.path.exists(path):
            raise missing_file(path)
        if not copy and (accepted is None or _path_accepted(path, accepted)):
            return PreparedFile(path, "original", 0, True, (path,))
        image = _loaded_path(path)
    elif not isinstance(image, SpatialImage):
        raise TypeError(
            f"expected a nibabel image or a path, got {type(image).__name__}; "
            "load the data with nibabel (or imagecache.load) first"
        )
    state = state_of(image)
    with state.lock:
        verdict = assess(image, state)
        files = image_files(image)
        target = _choose_format(image, files, verdict.clean, accepted)
        if target is None and not copy:
            return PreparedFile(files[0], "original", 0, True, files)
        if target is None:  # clean and acceptable: a byte copy is exact and cheapest
            return _copy_files(image, state, files)
        key = xxhash.xxh3_128_hexdigest(
            repr(
                (
                    header_bytes(image.header),
                    affine_bytes(image._affine),
                    extensions_digest(image.header),
                    verdict.data_key,
                    target,
                )
            ).encode()
        )
        if not copy:
            existing = state.temps.pop(key, None)
            if existing and all(os.path.exists(p) for p in existing):
                state.temps[key] = existing  # most recently used: dropped last
                return PreparedFile(existing[0], "temporary", 0, True, existing)
        written, nbytes = _write(image, verdict, target)
        if not copy:  # copies belong to the caller (discard(), or interpreter exit)
            state.owned.extend(written)
            state.temps[key] = written
            _drop_superseded(state)
        return PreparedFile(written[0], "copy" if copy else "temporary", nbytes, False, written)


#: Temporaries kept per image: the current state's and the one before, so an
#: edit-and-run loop does not fill the disk, while a tool handed the previous
#: file a moment ago can still open it.
KEEP_TEMPORARIES = 2


def _drop_superseded(state) -> None:
    while len(state.temps) > KEEP_TEMPORARIES:
        oldest = next(iter(state.temps))
        files = state.temps.pop(oldest)
        tempfiles.remove(files)
        state.owned[:] = [p for p in state.owned if p not in files]


def as_filename(image, *, formats=None, copy=False) -> str:
    """Return the name of a file that corresponds exactly to ``image``.

    The image's own file is returned when, and only when, loading it gives the
    same voxel values, affine, header fields and extensions as the image has
    now; otherwise a temporary is written once and reused while the image stays
    unchanged. Nothing is written for an image that was only read.

    Parameters
    ----------
    image : nibabel image, imagecache image, str or os.PathLike
        The image, or the path of an image file.
    formats : sequence of str, optional
        Formats the caller accepts (see :mod:`imagecache.formats`), e.g.
        ``(".nii", ".nii.gz")`` or ``("nifti1",)``. A clean file in another
        format is converted to a temporary in the first format. ``None``
        accepts any format; temporaries are then uncompressed ``.nii``.
    copy : bool, optional
        Always return a new private copy (for tools that modify their input in
        place), with every part of multi-file formats.

    Returns
    -------
    str
        An absolute path.

    Raises
    ------
    FileNotFoundError
        For a path that does not exist.
    imagecache.ImageCacheError
        When the image's file changed under a lazily loaded image, when no
        accepted format can be written, or when a temporary cannot be written.
    """
    return prepare_file(image, formats=formats, copy=copy).path


def is_dirty(image) -> bool:
    """True unless ``image`` corresponds exactly to its own file.

    A path is never dirty (it is its file); an image with no file always is.
    """
    if isinstance(image, (str, os.PathLike)):
        path = os.fspath(image)
        if not os.path.exists(path):
            raise missing_file(path)
        return False
    if not isinstance(image, SpatialImage):
        raise TypeError(f"expected a nibabel image or a path, got {type(image).__name__}")
    state = state_of(image)
    with state.lock:
        return not assess(image, state).clean


def set_dirty(image, dirty: bool) -> None:
    """Override the check for ``image``.

    ``set_dirty(img, True)`` forces temporaries until the image is saved or
    marked clean. ``set_dirty(img, False)`` declares that the image, as it is
    now, corresponds to its file, without checking. That is a promise: if it is
    false, tools read a file that differs from the image. Later edits are still
    detected, against the image as it was when marked clean.
    """
    state = state_of(image)
    with state.lock:
        if dirty:
            state.forced_dirty = True
            return
        files = image_files(image)
        if not files:
            raise ImageCacheError(
                "this image has no file to be clean against; save it with "
                "img.to_filename(path) first"
            )
        state.reference = snapshot(image, files, tuple(stat_key(p) for p in files))
        state.unverified = False
        state.forced_dirty = False


def _path_accepted(path: str, accepted) -> bool:
    ext = file_extension(path)
    if all(f.family is None for f in accepted):
        return any(f.extension == ext for f in accepted)
    from .images import load  # family checks need the class: a header read

    cls = type(load(path))
    return any(f.matches(cls, path) for f in accepted)


def _choose_format(image, files, clean, accepted):
    """None when the image's own file will do, else the (class, ext) to write."""
    if clean and files and (accepted is None or any(f.matches(type(image), files[0]) for f in accepted)):
        return None
    errors = []
    for fmt in accepted or (DEFAULT_TEMP_FORMAT,):
        try:
            klass, ext = fmt.writer_for(type(image))
            return klass, ext
        except UnsupportedFormatError as exc:
            errors.append(str(exc))
    raise UnsupportedFormatError("; ".join(errors))


def _write(image, verdict, target):
    """Write ``image`` as a temporary; return its files and the bytes written.

    The file is what ``nib.save(image)`` would write (the header's own
    ``scl_slope``/``scl_inter`` included), except that an edited ``get_fdata()``
    cache is written exactly (see :func:`_fdata_payload`). A conversion to
    another format starts from the voxels as the image's own format stores them.
    """
    klass, ext = target
    base = nibabel_class(type(image))
    data, header = image._dataobj, image.header
    keep_scaling = verdict.fdata_edit is None
    if not keep_scaling:
        data, header = _fdata_payload(verdict.fdata_edit, header)
    extra = getattr(image, "extra", None)
    source = base(data, image._affine, header, extra=extra)
    if keep_scaling:  # the constructor resets them; nib.save writes the header's own
        _copy_scaling(source.header, header)
    if klass is base:
        out = source
    else:
        stored, scaling = read_voxels(image, lambda: _as_stored(source, base))
        out = klass.from_image(stored)
        if stored is not source:  # raw stored values, with the scaling they were stored with
            if not _set_scaling(out.header, *scaling):
                out = klass.from_image(base(np.asanyarray(stored.dataobj) * scaling[0] + scaling[1],
                                            stored.affine, stored.header, extra=extra))
        elif keep_scaling:
            _copy_scaling(out.header, header)
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


def _copy_scaling(new, old) -> None:
    """Copy the raw scale factor fields (NIfTI, SPM) from header ``old`` to ``new``.

    A valid slope with a NaN intercept (e.g. only ``scl_slope`` was set) gets
    intercept 0: ``nib.save`` would write a file nibabel itself cannot read.
    """
    keys = old.keys() if hasattr(old, "keys") else ()
    used = {"scl_slope": getattr(old, "has_data_slope", True),
            "scl_inter": getattr(old, "has_data_intercept", True)}
    for key in ("scl_slope", "scl_inter"):
        # only fields the format uses: SPM2 has a scl_inter field (0) it ignores,
        # and copying it with a NaN slope makes nib.save skip scaling altogether
        if key in keys and key in new.keys() and used[key]:
            new[key] = old[key]
    if "scl_inter" in keys and "scl_slope" in keys:
        slope, inter = float(new["scl_slope"]), float(new["scl_inter"])
        if np.isfinite(slope) and slope != 0 and not np.isfinite(inter):
            new["scl_inter"] = 0.0


def _fdata_payload(cache, header):
    """Voxels and header that store an edited ``get_fdata()`` cache exactly.

    The header's data type when it holds every value exactly (NaNs included),
    else the cache's float type (``float32`` for formats without ``float64``).
    """
    header = header.copy()
    cast = _cast_exactly(cache, header.get_data_dtype())
    if cast is not None:
        return cast, header
    for candidate in (cache.dtype, np.dtype(np.float32)):
        try:
            header.set_data_dtype(candidate)
        except Exception:  # HeaderDataError: the format has no such type
            continue
        return cache.astype(candidate, copy=False), header
    return cache, header


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


def _as_stored(img, klass):
    """``img`` as ``klass`` stores it: ``(image of raw stored values, (slope, inter))``.

    So that converting to another format keeps exactly the values a save in
    the image's own format gives (e.g. MGH rounds float data into int16, SPM
    scales it). Only needed when saving casts the voxels to the header's type;
    otherwise, or when nibabel cannot save ``img`` in its own format (Analyze
    cannot scale floats into integers), ``(img, None)``.
    """
    dtype = getattr(img.dataobj, "dtype", None)
    if dtype is None or np.dtype(dtype) == img.get_data_dtype():
        return img, None
    fmap = klass.make_file_map({key: io.BytesIO() for key, _ in klass.files_types})
    try:
        img.to_file_map(fmap)
    except (OSError, EOFError):
        raise
    except Exception:  # e.g. nibabel's WriterError
        return img, None
    proxy = klass.from_file_map(fmap).dataobj
    raw = np.asanyarray(proxy.get_unscaled())
    scaling = (float(getattr(proxy, "slope", 1.0)), float(getattr(proxy, "inter", 0.0)))
    return klass(raw, img.affine, img.header, extra=img.extra), scaling


def _copy_files(image, state, files) -> PreparedFile:
    """Byte-exact private copies of all of the image's files."""
    stem = tempfiles.new_stem(os.path.basename(files[0]).split(".")[0])
    copies = []
    nbytes = 0
    try:
        for src in files:
            if not os.path.exists(src):  # e.g. an optional .mat sidecar
                continue
            dst = stem + _full_ext(src)
            partial = dst + ".partial"
            copies.append(partial)
            shutil.copyfile(src, partial)
            nbytes += tempfiles.publish({partial: dst})
            copies[-1] = dst
    except OSError as exc:
        raise tempfiles.write_failed(exc, copies, os.path.dirname(stem)) from exc
    return PreparedFile(copies[0], "copy", nbytes, False, tuple(copies))


def _full_ext(path: str) -> str:
    name = os.path.basename(path)
    low = name.lower()
    for ext in (".nii.gz", ".img.gz", ".hdr.gz"):
        if low.endswith(ext):
            return name[-len(ext):]
    return os.path.splitext(name)[1]
