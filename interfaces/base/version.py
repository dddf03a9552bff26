"""Finding a tool's version, lazily, once per executable.

The version is looked up only when asked for (``result.runtime.version``,
``imageshell list``, a result cache key, or an input with
``min_ver``/``max_ver``), because asking means running the tool.  The lookup
runs like a run: in a scratch folder (never the caller's current folder), in
its own process group (killed whole when it overruns), within the run's
``timeout`` (at most :data:`LIMIT` seconds).  Answers are remembered per
executable identity (device, inode, size, modification time), so a tool
replaced in place is asked again.
"""

from __future__ import annotations

import os
import re

__all__ = ["tool_version", "parse_version", "version_tuple", "VersionTimeout", "LIMIT"]

#: Seconds a version lookup may take when the run has no (shorter) timeout.
LIMIT = 10.0

_VERSION = re.compile(r"(?<![\w.])v?(\d+(?:\.\d+)+)")
_cache: dict[tuple, str | None] = {}


class VersionTimeout(Exception):
    """The version lookup used up the run's timeout (its group was killed)."""

    def __init__(self, argv, seconds):
        super().__init__(argv, seconds)
        self.argv = argv
        self.seconds = seconds


def timeout_error(name: str, error: VersionTimeout, timeout):
    """The CommandTimeoutError of a run whose version lookup overran."""
    from .command import cmdline
    from .errors import CommandTimeoutError

    return CommandTimeoutError(
        f"{name}: asking the tool its version ({cmdline(error.argv)}) used up the "
        f"run's timeout={timeout} s; its process group was killed and the tool did not "
        f"run. Raise the timeout, or check why the tool does not answer."
    )


def parse_version(text: str) -> str | None:
    """First dotted version number in ``text``.

    >>> parse_version("cp (GNU coreutils) 9.1\\nCopyright")
    '9.1'
    """
    match = _VERSION.search(text)
    return match.group(1) if match else None


def version_tuple(version: str) -> tuple[int, ...]:
    """``"6.0.7.1"`` -> ``(6, 0, 7, 1)``, ignoring non-numeric parts."""
    return tuple(int(p) for p in re.findall(r"\d+", version))


def tool_version(executable: str, family, timeout: float | None = None) -> str | None:
    """Version of ``executable`` (absolute path), or None when not found.

    Tries the family's ``version_file`` under its home folder, then runs the
    executable with the family's ``version_args`` (any exit status; standard
    input closed).

    Parameters
    ----------
    timeout : float, optional
        What is left of the run's timeout.  When the lookup needs longer, its
        process group is killed and :class:`VersionTimeout` raised (nothing is
        remembered).  Past :data:`LIMIT` seconds the answer is None.
    """
    try:
        st = os.stat(executable)
    except OSError:
        return None
    identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    key = (executable, identity, family.version_args, family.version_file, family.home())
    if key in _cache:
        return _cache[key]
    version = None
    home = family.home()
    if family.version_file and home:
        try:
            with open(os.path.join(home, family.version_file), encoding="utf-8") as fh:
                version = parse_version(fh.read())
        except OSError:
            pass
    if version is None and family.version_args:
        from .errors import CommandStartError
        from .runner import execute
        from .workdirs import scratch_dir

        argv = [executable, *family.version_args]
        limit = LIMIT if timeout is None else min(timeout, LIMIT)
        try:
            done = execute(argv, cwd=scratch_dir(), timeout=limit)
        except CommandStartError:
            done = None
        if done is not None and done.timed_out and timeout is not None and timeout <= LIMIT:
            raise VersionTimeout(argv, timeout)
        if done is not None and not done.timed_out:
            version = parse_version(done.stdout + "\n" + done.stderr)
    _cache[key] = version
    return version
