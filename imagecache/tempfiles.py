"""Where temporaries live, and how they are written: privately and atomically.

Temporaries go into one private folder per process (mode 0700, files 0600),
created on first use below a base folder chosen, in order, by
:func:`set_temp_dir`, the ``IMAGECACHE_TMPDIR`` environment variable, or the
system temporary folder. The private folder is removed at interpreter exit.
"""

from __future__ import annotations

import atexit
import errno
import itertools
import os
import shutil
import tempfile
import threading

from .errors import TemporaryWriteError

__all__ = ["set_temp_dir", "get_temp_dir", "ENV_VAR"]

ENV_VAR = "IMAGECACHE_TMPDIR"

_lock = threading.Lock()
_base_override: str | None = None
_private: dict[str, str] = {}  # base folder -> this process's private folder in it
_counter = itertools.count()


def set_temp_dir(path: str | os.PathLike | None) -> None:
    """Choose the folder below which temporaries are written.

    Use a shared scratch folder on clusters so that workers can read what the
    main process wrote. ``None`` returns to the environment variable
    ``IMAGECACHE_TMPDIR`` or the system default.

    Parameters
    ----------
    path : str, os.PathLike or None
        An existing, writable folder.
    """
    global _base_override
    _base_override = None if path is None else os.path.abspath(os.fspath(path))


def _base_dir() -> str:
    if _base_override is not None:
        return _base_override
    env = os.environ.get(ENV_VAR)
    return os.path.abspath(env) if env else tempfile.gettempdir()


def get_temp_dir() -> str:
    """Return this process's private temporary folder, creating it if needed.

    Raises
    ------
    TemporaryWriteError
        When the base folder does not exist or is not writable.
    """
    base = _base_dir()
    with _lock:
        private = _private.get(base)
        if private is not None and os.path.isdir(private):
            return private
        try:
            private = tempfile.mkdtemp(prefix=f"imagecache-{os.getpid()}-", dir=base)
        except OSError as exc:
            raise TemporaryWriteError(
                exc.errno,
                f"cannot create a temporary folder in {base!r} ({exc.strerror}); "
                f"set {ENV_VAR} or call imagecache.set_temp_dir() to a writable folder",
                base,
            ) from exc
        _private[base] = private
        return private


def new_stem(hint: str) -> str:
    """A fresh path stem (no extension) in the private folder, unique in this process."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in hint)[:40] or "image"
    return os.path.join(get_temp_dir(), f"{safe}-{next(_counter):05d}")


def publish(partials: dict[str, str]) -> int:
    """Make written files private and move them to their final names atomically.

    Parameters
    ----------
    partials : dict
        Maps each partial file to its final name; all are in one folder.

    Returns
    -------
    int
        Bytes published.
    """
    total = 0
    for partial, final in partials.items():
        os.chmod(partial, 0o600)
        total += os.path.getsize(partial)
        os.replace(partial, final)
    return total


def write_failed(exc: OSError, partials, folder: str) -> TemporaryWriteError:
    """Remove partial files and build the error that names the folder."""
    remove(partials)
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT):
        hint = "free space there, or point IMAGECACHE_TMPDIR / imagecache.set_temp_dir() elsewhere"
    else:
        hint = "make it writable, or point IMAGECACHE_TMPDIR / imagecache.set_temp_dir() elsewhere"
    return TemporaryWriteError(
        exc.errno, f"could not write a temporary image in {folder!r} ({reason}); {hint}", folder
    )


_remover = None  # one background thread for remove_later, made on first use


def remove_later(paths) -> None:
    """Delete files in the background (freeing a large file's blocks takes milliseconds).

    For superseded temporaries, which nobody is handed any more: the caller
    does not wait for the file system.
    """
    global _remover
    with _lock:
        if _remover is None:
            from concurrent.futures import ThreadPoolExecutor

            _remover = ThreadPoolExecutor(max_workers=1, thread_name_prefix="imagecache-remove")
    try:
        _remover.submit(remove, tuple(paths))
    except RuntimeError:  # interpreter shutting down: no more threads
        remove(paths)


def wait_removals() -> None:
    """Return once every :func:`remove_later` so far has been carried out."""
    with _lock:
        remover = _remover
    if remover is not None:
        try:
            remover.submit(lambda: None).result()
        except RuntimeError:  # shut down already: it has finished its queue
            pass


def remove(paths) -> None:
    """Delete files, ignoring those already gone."""
    for p in paths:
        try:
            os.unlink(p)
        except OSError:  # already gone, or best effort at cleanup time
            pass


@atexit.register
def _remove_private_dirs() -> None:
    wait_removals()
    for private in list(_private.values()):
        shutil.rmtree(private, ignore_errors=True)
