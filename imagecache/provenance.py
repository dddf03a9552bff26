"""What an image was read from, and whether it still corresponds exactly to it.

Each image that imagecache has seen gets an :class:`ImageState`. Its
:class:`Reference` records the file(s) the image corresponds to: their ``stat``
keys, the header bytes, affine and extensions digest as they are on disk, how
the image's array proxy decodes the file, and digests of the voxel values the
file gives (computed only when the image holds voxels in memory).

:func:`assess` compares an image with its reference. The common cases cost a
few microseconds (a ``stat`` per file and byte comparisons of the header and
affine); voxels held in memory cost one xxHash pass. When the files changed on
disk, or the image was never checked (a plain ``nib.load`` image), the
reference is rebuilt by reading the file: reading, never writing.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from dataclasses import dataclass, field

import numpy as np

from . import tempfiles
from .errors import ImageFileChangedError, TruncatedImageError
from .fingerprint import (
    affine_bytes,
    array_digest,
    extensions_digest,
    header_bytes,
    is_proxy,
    memory_order,
    proxy_params,
    same_values,
    stat_key,
)
from .formats import nibabel_class

log = logging.getLogger("imagecache")

__all__ = ["ImageState", "Reference", "Assessment", "state_of", "assess", "snapshot", "image_files"]


@dataclass
class Reference:
    """The file(s) an image corresponds to, as they were when last checked."""

    paths: tuple[str, ...]
    stats: tuple
    header: bytes
    affine: bytes
    extensions: bytes
    proxy: tuple | None  # proxy_params of a proxy reading this file exactly
    array: bytes | None = None  # digest of np.asanyarray(file's proxy)
    fdata: dict = field(default_factory=dict)  # dtype.str -> digest of get_fdata(dtype)
    watch: tuple = ()  # (path, stat) of another file the image's proxy reads, found equal

    def files_unchanged(self) -> bool:
        return all(stat_key(p) == s for p, s in zip(self.paths, self.stats)) and all(
            stat_key(p) == s for p, s in self.watch
        )


@dataclass
class Assessment:
    """The outcome of comparing an image with its file."""

    clean: bool
    data_key: object  # identifies the voxel values, for reusing temporaries
    fdata_edit: np.ndarray | None = None  # an edited get_fdata() cache to write


class ImageState:
    """Per-image bookkeeping: reference, user override, temporaries written."""

    __slots__ = (
        "lock", "reference", "unverified", "forced_dirty", "temps", "owned", "paths", "__weakref__"
    )

    def __init__(self):
        self.lock = threading.RLock()
        self.reference: Reference | None = None
        self.unverified = True
        self.forced_dirty = False
        self.temps: dict = {}  # state key -> tuple of temporary paths
        self.owned: list = []  # every file written for this image, removed with it
        self.paths: tuple | None = None  # the image's files when last verified


_states: dict[int, ImageState] = {}
_states_lock = threading.Lock()


def _forget(key: int, state: ImageState) -> None:
    _states.pop(key, None)
    tempfiles.remove(state.owned)


def state_of(img) -> ImageState:
    """The state of ``img``, created on first sight (then unverified)."""
    state = _states.get(id(img))
    if state is None:
        with _states_lock:
            state = _states.get(id(img))
            if state is None:
                state = _states[id(img)] = ImageState()
                # Removes the temporaries with the image, and at interpreter exit.
                weakref.finalize(img, _forget, id(img), state)
    return state


def image_files(img) -> tuple[str, ...]:
    """Absolute paths of all files of ``img`` (image first), ``()`` if it has none."""
    fmap = getattr(img, "file_map", None) or {}
    image = fmap.get("image")
    if image is None or image.filename is None:
        return ()
    paths = [os.path.abspath(image.filename)]
    for key, holder in fmap.items():
        if key != "image" and holder.filename is not None:
            p = os.path.abspath(holder.filename)
            if p not in paths:
                paths.append(p)
    return tuple(paths)


def snapshot(img, paths, stats, *, voxels: bool = True) -> Reference:
    """A reference taken from ``img`` as it is now (trusted, nothing read).

    With ``voxels=False`` only the header, affine, extensions and proxy are
    recorded, not digests of voxels held in memory (for an image just loaded
    from the file, whose voxels are compared separately).
    """
    dataobj = img._dataobj
    ref = Reference(
        paths=paths,
        stats=stats,
        header=header_bytes(img.header),
        affine=affine_bytes(img._affine),
        extensions=extensions_digest(img.header),
        proxy=proxy_params(dataobj) if is_proxy(dataobj) else None,
    )
    if not voxels:
        return ref
    if ref.proxy is None:
        ref.array = array_digest(dataobj)
    cache = getattr(img, "_fdata_cache", None)
    if cache is not None:
        ref.fdata[cache.dtype.str] = array_digest(cache)
    return ref


def _verify(img, state: ImageState) -> None:
    """Rebuild the reference of ``img`` by reading its file(s) (never writing)."""
    paths = image_files(img)
    previous = state.reference
    state.unverified = False
    state.paths = paths
    if not paths:
        state.reference = None
        return
    stats = tuple(stat_key(p) for p in paths)
    dataobj = img._dataobj
    params = proxy_params(dataobj) if is_proxy(dataobj) else None
    lazy_own = params is not None and params[0] == paths[0]
    if stats[0] is None:
        state.reference = None
        if lazy_own:
            state.unverified = True  # check again next time: never hand over the wrong file
            raise ImageFileChangedError(
                2,
                f"{paths[0]!r} was deleted or renamed after the image was loaded, and the image "
                "reads its voxels lazily from it; restore the file or load it again",
                paths[0],
            )
        return
    try:
        disk = nibabel_class(type(img)).from_filename(paths[0])
    except Exception as exc:  # unreadable now: the image cannot correspond to it
        state.reference = None
        if lazy_own:
            state.unverified = True
            raise ImageFileChangedError(
                0,
                f"{paths[0]!r} changed on disk and is no longer readable ({exc}); "
                "the image reads its voxels lazily from it: restore the file or load it again",
                paths[0],
            ) from exc
        return
    ref = snapshot(disk, paths, stats, voxels=False)
    if lazy_own and params != ref.proxy:
        state.reference = None
        state.unverified = True
        raise ImageFileChangedError(
            0,
            f"{paths[0]!r} was rewritten with a different layout after the image was loaded, "
            "and the image reads its voxels lazily from it; load it again",
            paths[0],
        )
    if lazy_own and not holds_voxels(dataobj, paths[0]):
        state.reference = None
        state.unverified = True
        raise TruncatedImageError(
            0,
            f"{paths[0]!r} holds fewer bytes of voxel data than its header declares (truncated?), "
            "and the image reads its voxels lazily from it; restore the file or load it again",
            paths[0],
        )
    if lazy_own and previous is not None and previous.stats != stats:
        log.info("%s changed on disk; the image reads its voxels from it lazily", paths[0])
    # Digests of the file's voxels, only for what the image holds in memory.
    try:
        if params is not None and not lazy_own and isinstance(params[0], str):
            # Reads another file (e.g. a lazy image saved elsewhere): same voxels?
            other = params[0]
            before = stat_key(other)
            mine, theirs = np.asanyarray(dataobj), np.asanyarray(disk.dataobj)
            if mine.dtype == theirs.dtype and same_values(mine, theirs):
                ref.proxy = params
                ref.watch = ((other, before),)
        # (digests in the memory order of the image's arrays: see array_digest)
        if params is None:
            ref.array = array_digest(np.asanyarray(disk.dataobj), order=memory_order(dataobj))
        cache = getattr(img, "_fdata_cache", None)
        if cache is not None:
            ref.fdata[cache.dtype.str] = array_digest(
                disk.get_fdata(caching="unchanged", dtype=cache.dtype), order=memory_order(cache)
            )
    except Exception as exc:  # truncated or unreadable data: not a match
        log.info("could not read voxels of %s to compare: %s", paths[0], exc)
        state.reference = None
        return
    if tuple(stat_key(p) for p in paths) != stats:  # changed while we read it
        state.reference = None
        state.unverified = True
        return
    state.reference = ref


def holds_voxels(proxy, path: str) -> bool:
    """False when ``path`` is too short for the voxels ``proxy`` reads from it.

    Uncompressed files cost a ``stat``; gzip files a read of their 4-byte size
    trailer, and a full decompression only when that does not match (a
    truncated or multi-member file). True when it cannot tell.
    """
    offset = getattr(proxy, "_offset", None)
    shape = getattr(proxy, "_shape", None)
    dtype = getattr(proxy, "_dtype", None)
    if offset is None or shape is None or dtype is None:
        return True
    need = int(offset) + int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
            size = f.seek(0, os.SEEK_END)
            if magic[:2] != b"\x1f\x8b" and magic[:3] != b"BZh" and magic != b"\x28\xb5\x2f\xfd":
                return size >= need  # uncompressed
            if magic[:2] == b"\x1f\x8b" and size >= 4:
                f.seek(-4, os.SEEK_END)
                if int.from_bytes(f.read(4), "little") == need % 2**32:
                    return True
        import bz2
        import gzip

        from nibabel.openers import ImageOpener

        if magic[:2] == b"\x1f\x8b":
            opener = gzip.open
        elif magic[:3] == b"BZh":
            opener = bz2.open
        else:
            opener = ImageOpener
        total = 0
        with opener(path, "rb") as f:
            while total < need:
                chunk = f.read(1 << 22)
                if not chunk:
                    break
                total += len(chunk)
        return total >= need
    except Exception:  # OSError, EOFError, zlib.error...: a short or corrupt stream
        return False


def assess(img, state: ImageState) -> Assessment:
    """Compare ``img`` with its file. Call with ``state.lock`` held.

    Raises
    ------
    ImageFileChangedError
        When the image reads voxels lazily from a file that was deleted or rewritten.
    TruncatedImageError
        When the image reads voxels lazily from a file now too short to hold them.
    """
    ref = state.reference
    known = ref.paths if ref is not None else state.paths
    if known is not None and image_files(img) != known:
        # Saved to new files (e.g. a plain nibabel image's to_filename): check them.
        state.unverified = True
        state.forced_dirty = False
    if state.unverified or (ref is not None and not ref.files_unchanged()):
        _verify(img, state)
        ref = state.reference
    clean = ref is not None and not state.forced_dirty
    if clean:
        clean = (
            header_bytes(img.header) == ref.header
            and affine_bytes(img._affine) == ref.affine
            and extensions_digest(img.header) == ref.extensions
        )
    dataobj = img._dataobj
    params = proxy_params(dataobj) if is_proxy(dataobj) else None
    if params is not None:
        data_key = _proxy_key(params)
        clean = clean and params == ref.proxy
    else:
        data_key = array_digest(dataobj)
        if clean:
            if ref.array is None:  # voxels came into memory since the last check
                _verify(img, state)
                ref = state.reference
            clean = ref is not None and data_key == ref.array
        own_voxels = ref is not None and data_key == ref.array
        if own_voxels and ref.proxy is not None:
            # The file's own voxels, now in memory (e.g. after get_data()): the
            # same key as while they were read lazily, so a dirty image whose
            # voxels were only read reuses its temporary.
            data_key = _proxy_key(ref.proxy)
    fdata_edit = None
    cache = getattr(img, "_fdata_cache", None)
    if cache is not None:
        digest = array_digest(cache)
        # The cache is an edit when it differs from the image's own voxels. The
        # file's get_fdata() digest stands for those only while the image's
        # voxels are the file's (not after a get_data() edit, nor after the file
        # was rewritten under an in-memory image).
        own = ref is not None and (params == ref.proxy if params is not None else own_voxels)
        expected = ref.fdata.get(cache.dtype.str) if own else None
        if own and expected is None:
            _verify(img, state)
            ref = state.reference
            expected = None if ref is None else ref.fdata.get(cache.dtype.str)
        if expected is None:
            # No file to compare with: does the cache still equal the image's voxels?
            edited = not _fdata_matches(dataobj, cache)
        else:
            edited = digest != expected
        if edited:
            fdata_edit = cache
            clean = False
            data_key = ("fdata", digest)
    return Assessment(clean=clean, data_key=data_key, fdata_edit=fdata_edit)


def _proxy_key(params) -> tuple:
    """The data key of voxels read through a proxy: they change with its file."""
    file_like = params[0]
    return ("proxy", params, stat_key(file_like) if isinstance(file_like, str) else None)


def _fdata_matches(dataobj, cache) -> bool:
    try:
        values = np.asanyarray(dataobj, dtype=cache.dtype)
    except Exception:
        return False
    return same_values(values, cache)


def read_voxels(img, reader):
    """Run ``reader()`` (which reads voxels of ``img``), naming the file on failure."""
    try:
        return reader()
    except (EOFError, ValueError, OSError) as exc:
        if isinstance(exc, ImageFileChangedError):
            raise
        fname = img.get_filename() if hasattr(img, "get_filename") else None
        if fname is None:
            raise
        raise TruncatedImageError(
            0,
            f"could not read the voxels of {fname!r}: {exc}. The file is truncated or "
            "corrupt; restore it or write it again",
            fname,
        ) from exc
