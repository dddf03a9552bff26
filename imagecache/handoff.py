"""Handing a tool a file for an image: the public API (:func:`as_filename` and friends).

:mod:`imagecache.check` decides whether the image's own file will do;
:mod:`imagecache.writer` writes a temporary when it will not. Temporaries are
kept per image state and reused only while their files are untouched (a tool
that edited its input in place must not hand the edit to the next tool).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

import xxhash
from nibabel.spatialimages import SpatialImage

from . import tempfiles
from .check import assess, image_is_dirty, override
from .digests import affine_bytes, extensions_digest, file_identity, header_key, header_scaling
from .errors import UnsupportedFormatError, missing_file
from .formats import DEFAULT_TEMP_FORMAT, file_extension, named_as_image, parse_formats
from .images import load
from .state import image_files, state_of
from .writer import copy_files, write_temporary

__all__ = [
    "PreparedFile", "PlannedFile", "prepare_file", "plan_file", "as_filename", "is_dirty",
    "set_dirty",
]


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


@dataclass(frozen=True)
class PlannedFile:
    """What :func:`prepare_file` would hand over for an image, decided without
    writing anything (for previews and dry runs).

    ``origin`` is ``"original"``, ``"temporary"`` or ``"copy"``, as in
    :class:`PreparedFile`.  ``path`` is the image's own file when that is what
    would be handed over, and None when a file would be written.
    ``extension`` is the extension of the file handed over (``".nii.gz"``,
    ``".img"``...): the own file's, or the one a temporary or copy would get.
    """

    origin: str
    path: str | None
    extension: str


def _loaded_path(path: str):
    """An imagecache image for a path given as input, cached by path and stat."""
    key = (path, file_identity(path))
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
    image = _image_or_path(image, accepted, copy)
    if isinstance(image, str):
        return PreparedFile(image, "original", 0, True, (image,))
    if isinstance(image, _OpaqueFile):
        copies, nbytes = copy_files((image.path,))
        return PreparedFile(copies[0], "copy", nbytes, False, copies)
    state = state_of(image)
    with state.lock:
        verdict = assess(image, state)
        files = image_files(image)
        target = _choose_format(image, files, verdict.clean, accepted)
        if target is None and not copy:
            return PreparedFile(files[0], "original", 0, True, files)
        if target is None:  # clean and acceptable: a byte copy is exact and cheapest
            copies, nbytes = copy_files(files)
            return PreparedFile(copies[0], "copy", nbytes, False, copies)
        key = xxhash.xxh3_128_hexdigest(
            repr(
                (
                    header_key(image.header),
                    header_scaling(image.header),
                    affine_bytes(image._affine),
                    extensions_digest(image.header),
                    verdict.data_key,
                    target,
                )
            ).encode()
        )
        if not copy:
            existing = state.temps.pop(key, None)
            if existing is not None:
                paths, identities = existing
                if tuple(_written_identity(p) for p in paths) == identities:
                    state.temps[key] = existing  # most recently used: dropped last
                    return PreparedFile(paths[0], "temporary", 0, True, paths)
                # Changed since written (a tool edited its input in place): write afresh.
                tempfiles.remove(paths)
        written, nbytes = write_temporary(image, verdict, target)
        if not copy:  # copies belong to the caller (discard(), or interpreter exit)
            state.owned.extend(written)
            state.temps[key] = (written, tuple(_written_identity(p) for p in written))
            _drop_superseded(state)
        return PreparedFile(written[0], "copy" if copy else "temporary", nbytes, False, written)


def plan_file(image, *, formats=None, copy=False) -> PlannedFile:
    """Say what :func:`prepare_file` would hand over for ``image``, writing nothing.

    The decision is the one :func:`prepare_file` makes, by the same rules (the
    check of the image against its file; for a path, the file's format as
    read from its header, not guessed from its name), so a preview shows what
    the run will do.

    Parameters
    ----------
    image, formats, copy
        As for :func:`as_filename`.

    Returns
    -------
    PlannedFile

    Raises
    ------
    FileNotFoundError, imagecache.ImageCacheError
        Where :func:`prepare_file` would raise them (a missing path, a file
        changed under a lazily loaded image, no accepted format writable).
    """
    accepted = parse_formats(formats)
    image = _image_or_path(image, accepted, copy)
    if isinstance(image, str):
        return PlannedFile("original", image, file_extension(image))
    if isinstance(image, _OpaqueFile):
        return PlannedFile("copy", None, file_extension(image.path))
    state = state_of(image)
    with state.lock:
        clean = assess(image, state).clean
        files = image_files(image)
        target = _choose_format(image, files, clean, accepted)
    if target is None:  # the own file as it is, or a byte copy of it
        if copy:
            return PlannedFile("copy", None, file_extension(files[0]))
        return PlannedFile("original", files[0], file_extension(files[0]))
    return PlannedFile("copy" if copy else "temporary", None, target[1])


@dataclass(frozen=True)
class _OpaqueFile:
    """A path nibabel cannot read, to be copied as it is."""

    path: str


def _image_or_path(image, accepted, copy):
    """The path itself when a path can be handed over as it is, else the image
    to decide for (a path's file loaded lazily)."""
    if isinstance(image, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(image))
        if not os.path.exists(path):
            raise missing_file(path)
        if not copy and (accepted is None or _path_accepted(path, accepted)):
            return path
        if accepted is None and os.path.isfile(path) and not named_as_image(path):
            # Any format will do, and the file is not named as an image (a
            # text file, an AFNI .1D...): a copy of it is what the tool gets.
            return _OpaqueFile(path)
        return _loaded_path(path)
    if not isinstance(image, SpatialImage):
        raise TypeError(
            f"expected a nibabel image or a path, got {type(image).__name__}; "
            "load the data with nibabel (or imagecache.load) first"
        )
    return image


def _written_identity(path: str):
    """What shows that a temporary is as written: device, inode, size, mtime_ns.

    Not the change time: linking the file elsewhere (run_many ships temporaries
    to a shared folder by hard link) changes it without changing a byte, while
    a tool writing into its input changes the modification time.
    """
    identity = file_identity(path)
    return None if identity is None else identity[:4]


#: Temporaries kept per image: the current state's and the one before, so an
#: edit-and-run loop does not fill the disk, while a tool handed the previous
#: file a moment ago can still open it.
KEEP_TEMPORARIES = 2


def _drop_superseded(state) -> None:
    while len(state.temps) > KEEP_TEMPORARIES:
        oldest = next(iter(state.temps))
        files, _ = state.temps.pop(oldest)
        tempfiles.remove_later(files)  # no longer handed out: the caller need not wait
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
        place), with every part of multi-file formats.  With ``formats=None``,
        a path whose extension is not an image format's (``notes.txt``) is
        copied byte for byte, unread; a file named as an image is read, and
        refused (:class:`imagecache.NotAnImageError`) if nibabel cannot.

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
    return image_is_dirty(image)


def set_dirty(image, dirty: bool) -> None:
    """Override the check for ``image``.

    ``set_dirty(img, True)`` forces temporaries until the image is saved or
    marked clean. ``set_dirty(img, False)`` declares that the image, as it is
    now, corresponds to its file, without checking. That is a promise: if it is
    false, tools read a file that differs from the image. Later edits are still
    detected, against the image as it was when marked clean.

    Raises
    ------
    imagecache.ImageCacheError
        ``set_dirty(img, False)`` for an image with no file.
    """
    if not isinstance(image, SpatialImage):
        raise TypeError(f"expected a nibabel image, got {type(image).__name__}")
    override(image, bool(dirty))


def _path_accepted(path: str, accepted) -> bool:
    ext = file_extension(path)
    if all(f.family is None for f in accepted):
        return any(f.extension == ext for f in accepted)
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
