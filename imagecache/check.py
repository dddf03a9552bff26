"""The dirty check: does an image still correspond exactly to its file?

An image's *content* is one of

- its array proxy: the voxels are still on disk (lazy), read as nibabel reads them;
- an array in memory: ``img._dataobj`` (the ``get_data()`` array, or the
  array of an in-memory image), or an edited ``get_fdata()`` array.

Which array is the content is decided by construction, not inferred: every
array handed out for the image (``get_data()``, each ``get_fdata()`` cache)
carries a :class:`~imagecache.state.Mark` with its digest when handed out, and
is edited iff its digest changed. :func:`sync` applies one rule: an edited
array whose values derive from the current content becomes the content; two
arrays edited between checks, or an edited array that was already out of date
(another edit became the content after it was handed out), raise
:class:`~imagecache.ConflictingEditsError`. Arrays imagecache did not hand out
(a plain ``nib.load`` image's ``get_fdata()`` cache) are compared once with
what they would be if derived from the content.

:func:`assess` then compares header, affine, extensions and content with the
image's :class:`Reference`: the file(s) as last checked. Lazy content costs a
``stat`` per file and byte comparisons; content in memory one xxHash pass per
array. When the files changed on disk, or the image was never checked, the
reference is rebuilt by reading the file: reading, never writing.
"""

from __future__ import annotations

import logging
import os
import weakref
from dataclasses import dataclass, field

import numpy as np

from .digests import (
    affine32_bytes,
    affine_bytes,
    array_digest,
    extensions_digest,
    file_identity,
    header_key,
    header_scaling,
    is_proxy,
    memory_order,
    proxy_params,
    same_values,
)
from .errors import (
    ConflictingEditsError,
    ImageCacheError,
    ImageFileChangedError,
    TruncatedImageError,
)
from .formats import nibabel_class
from .state import ImageState, Mark, image_files, state_of

log = logging.getLogger("imagecache")

__all__ = [
    "Reference",
    "Assessment",
    "assess",
    "sync",
    "hand_out",
    "private",
    "declare_clean",
    "read_voxels",
    "holds_voxels",
    "image_is_dirty",
    "override",
]


@dataclass
class Reference:
    """The file(s) an image corresponds to, as they were when last checked."""

    paths: tuple[str, ...]
    identities: tuple
    header: bytes  # header_key of the file's header
    affine: bytes
    affine32: bytes  # as float32: what a file stores
    extensions: bytes
    proxy: tuple | None  # proxy_params of a proxy reading this file exactly
    scaling: tuple | None = None  # header_scaling of the header (None for a loaded file)
    klass: type | None = None
    views: dict = field(default_factory=dict)  # (dtype.str, order) -> digest of the file's values
    watch: tuple = ()  # (path, identity) of another file the image's proxy reads, found equal

    def files_unchanged(self) -> bool:
        return all(file_identity(p) == s for p, s in zip(self.paths, self.identities)) and all(
            file_identity(p) == s for p, s in self.watch
        )

    def view(self, dtype, order: str) -> bytes:
        """Digest of the file's voxel values in ``dtype`` (read once, then remembered).

        The values ``get_fdata()`` gives, cast to ``dtype``; a digest that
        matches nothing when that cast is not exact (so a float32 array equals
        a file only if the file's values are float32 values).
        """
        key = (np.dtype(dtype).str, order)
        digest = self.views.get(key)
        if digest is None:
            disk = self.klass.from_filename(self.paths[0])
            values = disk.get_fdata(caching="unchanged", dtype=np.float64)
            if values.dtype != np.dtype(dtype):
                cast = values.astype(dtype)
                if not same_values(cast.astype(values.dtype), values):
                    return b"inexact cast"
                values = cast
            digest = array_digest(values, order=order)
            if not self.files_unchanged():  # rewritten while we read it
                raise _Changed
            self.views[key] = digest
        return digest


class _Changed(Exception):
    """The file changed while it was being read: check again."""


@dataclass
class Assessment:
    """The outcome of comparing an image with its file.

    Attributes
    ----------
    clean : bool
        The image corresponds exactly to its file.
    content : numpy.ndarray or None
        The image's content when it is an array in memory; None when lazy.
    edited_fdata : bool
        The content is an edited ``get_fdata()`` array (not ``img._dataobj``).
    data_key : object
        Identifies the content's values, for reusing temporaries.
    """

    clean: bool
    content: np.ndarray | None
    edited_fdata: bool
    data_key: object


def snapshot(img, paths, identities) -> Reference:
    """A reference taken from ``img`` as it is now (trusted, nothing read)."""
    dataobj = img._dataobj
    return Reference(
        paths=paths,
        identities=identities,
        header=header_key(img.header),
        affine=affine_bytes(img._affine),
        affine32=affine32_bytes(img._affine),
        extensions=extensions_digest(img.header),
        proxy=proxy_params(dataobj) if is_proxy(dataobj) else None,
        scaling=header_scaling(img.header),
        klass=nibabel_class(type(img)),
    )


def _lazy_own(img, paths) -> bool:
    dataobj = img._dataobj
    return is_proxy(dataobj) and bool(paths) and proxy_params(dataobj)[0] == paths[0]


def _changed_error(path, why, exc=None):
    return ImageFileChangedError(
        2 if "deleted" in why else 0,
        f"{path!r} {why} after the image was loaded, and the image reads its voxels lazily "
        "from it; restore the file or load it again",
        path,
    )


def _verify(img, state: ImageState) -> None:
    """Rebuild the reference of ``img`` by reading its file(s) (never writing)."""
    paths = image_files(img)
    state.unverified = False
    state.paths = paths
    state.reference = None
    if not paths:
        return
    identities = tuple(file_identity(p) for p in paths)
    state.seen = identities
    # Only lazy content depends on the file: an edited get_fdata() array does not.
    lazy_own = _lazy_own(img, paths) and state.content is None
    params = proxy_params(img._dataobj) if is_proxy(img._dataobj) else None
    if identities[0] is None:
        if lazy_own:
            state.unverified = True  # check again next time: never hand over the wrong file
            raise _changed_error(paths[0], "was deleted or renamed")
        return
    klass = nibabel_class(type(img))
    try:
        disk = klass.from_filename(paths[0])
    except Exception as exc:  # unreadable now: the image cannot correspond to it
        if lazy_own:
            state.unverified = True
            raise _changed_error(paths[0], f"changed on disk and is no longer readable ({exc})") from exc
        return
    ref = snapshot(disk, paths, identities)
    if lazy_own and params != ref.proxy:
        state.unverified = True
        raise _changed_error(paths[0], "was rewritten with a different layout")
    if lazy_own and not holds_voxels(img._dataobj, paths[0]):
        state.unverified = True
        raise TruncatedImageError(
            0,
            f"{paths[0]!r} holds fewer bytes of voxel data than its header declares (truncated?), "
            "and the image reads its voxels lazily from it; restore the file or load it again",
            paths[0],
        )
    if params is not None and not lazy_own and isinstance(params[0], str):
        # Reads another file (e.g. a lazy image saved elsewhere): same voxels?
        other = params[0]
        before = file_identity(other)
        try:
            mine, theirs = np.asanyarray(img._dataobj), np.asanyarray(disk.dataobj)
        except Exception as exc:  # truncated or unreadable: not a match
            log.info("could not compare voxels of %s and %s: %s", other, paths[0], exc)
            return
        if mine.shape == theirs.shape and same_values(mine, theirs):
            ref.proxy = params
            ref.watch = ((other, before),)
    if tuple(file_identity(p) for p in paths) != identities:  # changed while we read it
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


# --- arrays handed out -------------------------------------------------------


def private(arr: np.ndarray) -> np.ndarray:
    """``arr`` in the process's own memory: memory maps of a file are copied.

    A copy-on-write map loses its pages, edited ones included, when its file is
    rewritten in place: the array of an image must never change because a file
    changed. A read-only map gives a read-only copy.
    """
    if not _mapped(arr):
        return arr
    out = np.array(arr, order="K", copy=True, subok=False)
    if not arr.flags.writeable:
        out.flags.writeable = False
    return out


def _mapped(arr) -> bool:
    while isinstance(arr, np.ndarray):
        if isinstance(arr, np.memmap):
            return True
        arr = arr.base
    return arr is not None and type(arr).__name__ == "mmap"


def _key_of(kind: str, arr: np.ndarray):
    return "data" if kind == "data" else ("fdata", arr.dtype.str)


def hand_out(img, state: ImageState, kind: str, arr: np.ndarray, from_file: bool, source=None) -> None:
    """Record ``arr`` as handed out (``kind`` ``"data"`` or ``"fdata"``), derived from the content.

    ``from_file``: its values were just read from the image's own file (so
    its digest is also the file's, for later comparisons). ``source``: the
    proxy it was read from, whose data key it keeps while unedited (so reading
    a dirty image's voxels does not make its temporary new).
    """
    digest = array_digest(arr)
    key = _proxy_key(proxy_params(source)) if source is not None else None
    state.marks[_key_of(kind, arr)] = Mark(weakref.ref(arr), digest, state.version, key)
    ref = state.reference
    exact = kind == "data" or arr.dtype == np.float64  # get_fdata(float32) rounds
    if exact and from_file and ref is not None and ref.proxy is not None and ref.files_unchanged():
        ref.views[(arr.dtype.str, memory_order(arr))] = digest


def is_current(state: ImageState, kind: str, arr: np.ndarray) -> bool:
    """True when ``arr`` is a handed-out array whose values derive from the current content."""
    mark = state.marks.get(_key_of(kind, arr))
    return mark is not None and mark.array() is arr and mark.version == state.version


def _live_arrays(img, state):
    """(key, array) for every array that is, or may be, the image's content; each once."""
    found, seen = [], set()
    data = img._dataobj
    if isinstance(data, np.ndarray):
        found.append(("data", data))
        seen.add(id(data))
    cache = getattr(img, "_fdata_cache", None)
    if cache is not None and id(cache) not in seen:
        found.append((_key_of("fdata", cache), cache))
        seen.add(id(cache))
    content = state.content
    if content is not None and id(content) not in seen:
        found.append((_key_of("fdata", content), content))
    return found


def _content_digest_as(img, state, dtype, order) -> bytes:
    """Digest of the current content's values in ``dtype`` (as get_fdata derives them)."""
    source = state.content if state.content is not None else img._dataobj
    ref = state.reference
    if (np.dtype(dtype) == np.float64 and is_proxy(source) and ref is not None and not ref.watch
            and ref.proxy == proxy_params(source) and ref.proxy[0] == ref.paths[0]):
        return ref.view(dtype, order)  # read once, remembered
    return array_digest(read_voxels(img, lambda: np.asanyarray(source, dtype=dtype)), order=order)


def sync(img, state: ImageState) -> dict:
    """Apply the content rule (module docstring); return ``{id(array): digest}``.

    Call with ``state.lock`` held.

    Raises
    ------
    ConflictingEditsError
        Two arrays edited between checks, or an out-of-date array edited.
    """
    digests = {}
    edited = []
    for key, arr in _live_arrays(img, state):
        digest = digests[id(arr)] = array_digest(arr)
        mark = state.marks.get(key)
        if mark is not None and mark.array() is arr:
            if digest != mark.digest:
                edited.append((key, arr, mark))
            continue
        # Not handed out by imagecache (or replaced behind its back).
        if key == "data":
            if state.content is None:  # _dataobj is the content by definition
                state.marks[key] = Mark(weakref.ref(arr), digest, state.version)
                continue
            expected = array_digest(np.asarray(state.content, dtype=arr.dtype))
        else:
            try:
                expected = _content_digest_as(img, state, arr.dtype, memory_order(arr))
            except (ImageCacheError, _Changed):
                raise
            except Exception:  # the content cannot be read: treat the array as the image's
                expected = None
        if digest == expected:
            state.marks[key] = Mark(weakref.ref(arr), digest, state.version)
        else:
            edited.append((key, arr, None))
    if len(edited) > 1:
        names = " and ".join(_describe(key) for key, _, _ in edited)
        raise ConflictingEditsError(
            f"both {names} of this image were edited since it was last checked, and they "
            "now differ: imagecache cannot tell which one is the image. Keep one: "
            "img.uncache() drops the get_fdata() edits and keeps the get_data() array; or "
            "build a new image from the array you want, e.g. "
            "nib.Nifti1Image(arr, img.affine, img.header)"
        )
    if edited:
        key, arr, mark = edited[0]
        if mark is not None and mark.version != state.version:
            raise ConflictingEditsError(
                f"{_describe(key)} of this image was edited after it went out of date: another "
                "array's edit (or a change of the image's file) became the image's content after "
                "it was handed out, so this edit would silently undo that one. Call "
                "img.uncache() and get the array again, then edit it"
            )
        state.version += 1
        state.content = None if key == "data" else arr
        for other_key, other in list(state.marks.items()):
            if other.array() is None:
                del state.marks[other_key]
        state.marks[key] = Mark(weakref.ref(arr), digests[id(arr)], state.version)
    return digests


def _describe(key) -> str:
    if key == "data":
        return "the get_data() array"
    return f"the get_fdata() array ({np.dtype(key[1]).name})"


def rebase(state: ImageState, img) -> None:
    """After ``uncache()``: the content is ``_dataobj`` again, its array current."""
    state.content = None
    state.version += 1
    for key in [k for k in state.marks if k != "data"]:
        del state.marks[key]
    mark = state.marks.get("data")
    if mark is not None and mark.array() is img._dataobj:
        mark.version = state.version


# --- the check ------------------------------------------------------------------


def _files_moved(img, state) -> bool:
    ref = state.reference
    known = ref.paths if ref is not None else state.paths
    return known is not None and image_files(img) != known


def assess(img, state: ImageState) -> Assessment:
    """Compare ``img`` with its file. Call with ``state.lock`` held.

    Raises
    ------
    ConflictingEditsError
        See :func:`sync`.
    ImageFileChangedError
        When the image reads voxels lazily from a file that was deleted or rewritten.
    TruncatedImageError
        When the image reads voxels lazily from a file now too short to hold them.
    """
    for _ in range(3):
        try:
            return _assess(img, state)
        except _Changed:  # a file changed while it was read: look again
            state.unverified = True
    return _assess(img, state)


def _assess(img, state: ImageState) -> Assessment:
    digests = sync(img, state)  # edits first: they are relative to the content as it was
    if _files_moved(img, state):
        # Saved to new files (e.g. a plain nibabel image's to_filename): check them.
        state.unverified = True
        state.forced_dirty = False
    ref = state.reference
    reappeared = ref is None and state.paths and tuple(file_identity(p) for p in state.paths) != state.seen
    if state.unverified or reappeared or (ref is not None and not ref.files_unchanged()):
        lazy = state.content is None and is_proxy(img._dataobj)
        _verify(img, state)
        new = state.reference
        if (lazy and ref is not None and new is not None and new.paths == ref.paths
                and new.identities != ref.identities and _arrays_out_of_date(img, state, new)):
            # The lazy content now reads other voxels: arrays handed out are out of date.
            state.version += 1
            log.info("%s changed on disk; the image reads its voxels from it lazily", ref.paths[0])
        ref = state.reference
    clean = ref is not None and not state.forced_dirty
    if clean:
        clean = (
            header_key(img.header) == ref.header
            and header_scaling(img.header) == ref.scaling
            and (affine_bytes(img._affine) == ref.affine or affine32_bytes(img._affine) == ref.affine32)
            and extensions_digest(img.header) == ref.extensions
        )
    content = state.content
    edited_fdata = content is not None
    if content is None and not is_proxy(img._dataobj):
        content = np.asanyarray(img._dataobj)
    if content is None:
        params = proxy_params(img._dataobj)
        clean = clean and params == ref.proxy
        return Assessment(clean, None, False, _proxy_key(params))
    digest = digests.get(id(content))
    if digest is None:
        digest = array_digest(content)
    data_key = ("array", digest, content.dtype.str, memory_order(content))
    mark = state.marks.get(_key_of("fdata" if edited_fdata else "data", content))
    if mark is not None and mark.array() is content and mark.digest == digest and mark.source is not None:
        data_key = mark.source  # read from a proxy, unedited: the proxy's key
    if ref is not None and ref.klass is not None and (clean or ref.proxy is not None):
        try:
            own = digest == ref.view(content.dtype, memory_order(content))
        except _Changed:
            raise
        except Exception as exc:  # truncated or unreadable data: not a match
            log.info("could not read voxels of %s to compare: %s", ref.paths[0], exc)
            own = False
        clean = clean and own
        if own and ref.proxy is not None:
            # The file's own voxels, now in memory (e.g. after get_data()): the same
            # key as while they were lazy, so a dirty image whose voxels were only
            # read reuses its temporary.
            data_key = _proxy_key(ref.proxy)
    return Assessment(clean, content, edited_fdata, data_key)


def _arrays_out_of_date(img, state, ref) -> bool:
    """True when an array handed out holds other values than the (changed) file now gives.

    Read only when a file changed under a lazy image that has arrays out (a
    file touched, or rewritten with the same bytes, leaves them current).
    """
    for _key, arr in _live_arrays(img, state):
        mark = state.marks.get(_key)
        if mark is None or mark.array() is not arr:
            continue
        try:
            if mark.digest != ref.view(arr.dtype, memory_order(arr)):
                return True
        except _Changed:
            raise
        except Exception:  # unreadable voxels: the arrays cannot be current
            return True
    return False


def _proxy_key(params) -> tuple:
    """The data key of voxels read through a proxy: they change with its file."""
    file_like = params[0]
    return ("proxy", params, file_identity(file_like) if isinstance(file_like, str) else None)


def declare_clean(img, state: ImageState) -> None:
    """``set_dirty(img, False)``: the image as it is now is its file's (unchecked)."""
    files = image_files(img)
    if not files:
        raise ImageCacheError(
            "this image has no file to be clean against; save it with img.to_filename(path) first"
        )
    digests = sync(img, state)
    ref = snapshot(img, files, tuple(file_identity(p) for p in files))
    ref.proxy = None
    content = state.content
    if content is None and not is_proxy(img._dataobj):
        content = np.asanyarray(img._dataobj)
    if content is None:
        ref.proxy = proxy_params(img._dataobj)
    else:
        digest = digests.get(id(content)) or array_digest(content)
        ref.views[(content.dtype.str, memory_order(content))] = digest
    state.reference = ref
    state.unverified = False
    state.forced_dirty = False
    state.paths = files


def read_voxels(img, reader):
    """Run ``reader()`` (which reads voxels of ``img``), naming the file on failure."""
    try:
        return reader()
    except (EOFError, ValueError, OSError) as exc:
        if isinstance(exc, ImageCacheError):
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


def image_is_dirty(img) -> bool:
    """True unless ``img`` corresponds exactly to its own file (see :func:`assess`)."""
    state = state_of(img)
    with state.lock:
        return not assess(img, state).clean


def override(img, dirty: bool) -> None:
    """``set_dirty``: force temporaries (True) or declare the image clean (False)."""
    state = state_of(img)
    with state.lock:
        if dirty:
            state.forced_dirty = True
        else:
            declare_clean(img, state)
