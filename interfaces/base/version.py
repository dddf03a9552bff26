"""Finding a tool's version, lazily, once per executable.

The version is looked up only when asked for (``result.runtime.version``,
``imageshell list``, or an input with ``min_ver``/``max_ver``), because
asking means running the tool.  Answers are cached per executable path and
modification time.
"""

from __future__ import annotations

import os
import re
import subprocess

__all__ = ["tool_version", "parse_version", "version_tuple"]

_VERSION = re.compile(r"(?<![\w.])v?(\d+(?:\.\d+)+)")
_cache: dict[tuple, str | None] = {}


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


def tool_version(executable: str, family) -> str | None:
    """Version of ``executable`` (absolute path), or None when not found.

    Tries the family's ``version_file`` under its home folder, then runs the
    executable with the family's ``version_args`` (any exit status; standard
    input closed; 10 s at most).
    """
    try:
        mtime = os.stat(executable).st_mtime_ns
    except OSError:
        return None
    key = (executable, mtime, family.version_args, family.version_file, family.home())
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
        try:
            done = subprocess.run(
                [executable, *family.version_args],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=10,
                start_new_session=True,
            )
            text = (done.stdout + b"\n" + done.stderr).decode("utf-8", "replace")
            version = parse_version(text)
        except (OSError, subprocess.SubprocessError):
            version = None
    _cache[key] = version
    return version
