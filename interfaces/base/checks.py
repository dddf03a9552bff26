"""Step 1 of a run, *check inputs*: everything that can be said before a
file is written -- the spec's rules (every violation in one error), the
executable, the tool versions an input needs."""

from __future__ import annotations

import os

from .errors import CommandStartError, ExecutableNotFoundError, InputError
from .traits_ import is_set

__all__ = ["check_inputs"]


def check_inputs(run) -> None:
    """Check ``run.spec`` and find ``run.executable``.

    Raises
    ------
    InputError
        Every violation of ``mandatory``, ``xor``, ``requires`` and the
        groups; or a version limit (``min_ver``/``max_ver``) the tool breaks.
    ExecutableNotFoundError, CommandStartError
        No executable, or a file that is not executable (not in a preview,
        which names the tool it would run).
    CommandTimeoutError
        Asking the tool its version used up the run's timeout.
    """
    run.spec.check()
    cls = run.interface
    executable = cls.executable_path()
    if executable is None:
        if not run.dry:
            raise _not_found(run.name, cls)
        executable = cls.executable
    elif not run.dry:  # a preview does not run the tool to ask its version
        _check_versions(run, executable)
    run.executable = executable


def _not_found(name: str, cls) -> Exception:
    """ExecutableNotFoundError, or CommandStartError for a path that exists
    but is not executable."""
    exe = cls.executable
    if exe and os.sep in exe and os.path.isfile(exe):
        mode = oct(os.stat(exe).st_mode & 0o777)
        return CommandStartError(
            f"{name}: {os.path.abspath(exe)} is not executable (mode {mode}); make it so "
            f"(chmod +x {exe}), or point the interface at the program."
        )
    return ExecutableNotFoundError(f"{name}: {cls.family.missing_message(exe)}")


def _check_versions(run, executable) -> None:
    limited = [
        (n, t) for n, t in run.traits.items()
        if (t.min_ver or t.max_ver) and is_set(getattr(run.spec, n))
    ]
    if not limited:
        return
    from .version import VersionTimeout, timeout_error, tool_version, version_tuple

    cls = run.interface
    try:
        version = tool_version(executable, cls.family, timeout=run.remaining())
    except VersionTimeout as error:
        raise timeout_error(run.name, error, run.timeout) from None
    if version is None:
        return  # cannot tell: let the tool decide
    have = version_tuple(version)
    for name, ctrait in limited:
        if ctrait.min_ver and have < version_tuple(ctrait.min_ver):
            raise InputError(
                f"{run.name}: input {name!r} needs {cls.executable} version "
                f">= {ctrait.min_ver}, but {executable} is version {version}. "
                f"Upgrade the tool or leave {name!r} unset."
            )
        if ctrait.max_ver and have > version_tuple(ctrait.max_ver):
            raise InputError(
                f"{run.name}: input {name!r} is not supported after "
                f"{cls.executable} version {ctrait.max_ver}, and {executable} "
                f"is version {version}. Leave {name!r} unset or use an older tool."
            )
