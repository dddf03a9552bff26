"""Where runs write: each run's own folder, the shared scratch folder, and
the error when either cannot be made.

A run whose tool writes files gets a new folder ``imageshell-<tool>-XXXXXXXX``
below ``$IMAGESHELL_WORKDIR`` (or the system temporary folder), unless it is
given ``workdir=``; a tool that writes nothing runs in one scratch folder per
process (making and removing a folder per run costs more than running
``true``), removed at exit when empty.
"""

from __future__ import annotations

import os

from .errors import WorkdirError

__all__ = ["ENV_WORKDIR", "PLACEHOLDER", "root", "make_folder", "new_run_folder",
           "scratch_dir"]

#: Environment variable: the folder below which runs get their folders.
ENV_WORKDIR = "IMAGESHELL_WORKDIR"
#: In a preview, what stands for the random part of a folder made at run time.
PLACEHOLDER = "XXXXXXXX"


#: A folder set for this process (``interfaces.settings.workdir``), or None.
_override: dict = {"root": None}


def root(create: bool = True) -> str:
    """Folder below which runs get their working directories: the one set
    for the process, else ``$IMAGESHELL_WORKDIR``, else the system temporary
    folder."""
    import tempfile

    path = _override["root"] or os.environ.get(ENV_WORKDIR) or tempfile.gettempdir()
    if create:
        make_folder(path, _root_source())
    return path


def _root_source() -> str:
    if _override["root"]:
        return "interfaces.settings.workdir"
    if os.environ.get(ENV_WORKDIR):
        return f"${ENV_WORKDIR}"
    return "the system temporary folder"


def make_folder(path: str, source: str) -> None:
    """``os.makedirs``, or a :class:`WorkdirError` naming ``source`` (where
    the path came from, e.g. ``"workdir="``)."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise workdir_error(path, error, source) from None


def workdir_error(path: str, error: OSError, source: str) -> WorkdirError:
    reason = error.strerror or str(error)
    blocker = path
    while blocker and not os.path.exists(blocker) and os.path.dirname(blocker) != blocker:
        blocker = os.path.dirname(blocker)
    if os.path.exists(blocker) and not os.path.isdir(blocker):
        reason = "it is a file, not a folder" if blocker == path else f"{blocker} is a file"
    out = WorkdirError(
        f"cannot make run folders in {path} ({source}): {reason}. Pass workdir= a "
        f"writable folder, or set {ENV_WORKDIR} to one."
    )
    out.errno, out.strerror, out.filename = error.errno, error.strerror, path
    return out


def new_run_folder(name: str, dry: bool = False) -> str:
    """A new folder for one run of interface ``name`` (in a preview, its
    path with :data:`PLACEHOLDER` for the random part, not created)."""
    import tempfile

    prefix = f"imageshell-{name.replace('.', '-')}-"
    if dry:
        return os.path.join(root(create=False), prefix + PLACEHOLDER)
    base = root()
    try:
        return tempfile.mkdtemp(prefix=prefix, dir=base)
    except OSError as error:
        raise workdir_error(base, error, _root_source()) from None


_scratch: dict[tuple[str, int], str] = {}


def scratch_dir(dry: bool = False) -> str:
    """This process's shared working directory for runs that name no output
    (removed at exit when left empty)."""
    if dry:
        return os.path.join(root(create=False), "imageshell-scratch-" + PLACEHOLDER)
    base = root()
    key = (base, os.getpid())
    path = _scratch.get(key)
    if path is None or not os.path.isdir(path):
        import atexit
        import tempfile

        try:
            path = tempfile.mkdtemp(prefix="imageshell-scratch-", dir=base)
        except OSError as error:
            raise workdir_error(base, error, _root_source()) from None
        _scratch[key] = path
        atexit.register(_remove_if_empty, path, os.getpid())
    return path


def _remove_if_empty(path: str, pid: int) -> None:
    if os.getpid() == pid:
        try:
            os.rmdir(path)
        except OSError:
            pass
