"""Errors raised while checking inputs, finding a tool, and running it.

Every message names the interface, the input, file or command concerned, and
says what to do next.  All errors derive from :class:`InterfaceError`; each
also derives from the closest built-in exception so that ``except
FileNotFoundError`` or ``except TimeoutError`` keep working.
"""

from __future__ import annotations

__all__ = [
    "InterfaceError",
    "InputError",
    "InputTypeError",
    "InputFileNotFoundError",
    "ExecutableNotFoundError",
    "CommandFailedError",
    "CommandTimeoutError",
    "OutputMissingError",
    "OutputCorruptError",
    "CommandStartError",
    "WorkdirError",
    "InterfaceWarning",
    "CacheWarning",
    "ProvenanceWarning",
]


class InterfaceError(Exception):
    """Base of every error raised by :mod:`interfaces`."""


class InputError(InterfaceError, ValueError):
    """The inputs of a run break the interface's spec.

    Raised before anything runs: missing mandatory input, ``xor`` or
    ``requires`` violation, unknown input name, tool version out of range.
    """


class InputTypeError(InputError, TypeError):
    """An input was given a value of the wrong type."""


class InputFileNotFoundError(InputError, FileNotFoundError):
    """A file or image input names a path that does not exist."""


class ExecutableNotFoundError(InterfaceError, FileNotFoundError):
    """The tool's executable cannot be found."""


class _PlainOSError(OSError):
    """An OSError whose text is its message alone (``errno``, ``strerror``
    and ``filename`` are still set, but ``str()`` does not rebuild the
    ``[Errno N] ...`` form from them)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CommandStartError(InterfaceError, _PlainOSError):
    """The executable exists but the system cannot start it: a ``#!`` line
    naming a missing interpreter, a file that is not a program, no
    permission.  ``errno`` and ``filename`` are the operating system's."""


class WorkdirError(InterfaceError, _PlainOSError):
    """The folder a run would write in cannot be used (``workdir=``,
    ``$IMAGESHELL_WORKDIR``): not a folder, not writable."""


class _RunError(InterfaceError):
    """Common part of the errors that carry a finished (or killed) run."""

    def __init__(self, message: str, result=None):
        super().__init__(message)
        #: The :class:`~interfaces.base.results.Result` of the run, with its
        #: runtime record (argv, stdout, stderr, ...); outputs are not loaded.
        self.result = result

    @property
    def argv(self) -> list[str] | None:
        """The argument list that ran."""
        return None if self.result is None else self.result.runtime.argv

    @property
    def returncode(self) -> int | None:
        """The tool's exit status (negative: killed by that signal)."""
        return None if self.result is None else self.result.runtime.returncode

    @property
    def stdout(self) -> str | None:
        """Everything the tool printed on standard output."""
        return None if self.result is None else self.result.runtime.stdout

    @property
    def stderr(self) -> str | None:
        """Everything the tool printed on standard error."""
        return None if self.result is None else self.result.runtime.stderr


class CommandFailedError(_RunError):
    """The tool exited with a status it does not use for success."""


class CommandTimeoutError(_RunError, TimeoutError):
    """The tool ran past the ``timeout`` given to ``run()``; its process
    group was killed."""


class OutputMissingError(_RunError, FileNotFoundError):
    """The tool finished but did not produce an output it declares."""


class OutputCorruptError(_RunError, ValueError):
    """The tool finished but an image it wrote cannot be read: not an image,
    or truncated (fewer bytes than its header says)."""


class InterfaceWarning(UserWarning):
    """Base of the warnings of :mod:`interfaces`: something went wrong that
    does not cost the result."""


class CacheWarning(InterfaceWarning):
    """The result cache could not be used or read (the run went ahead)."""


class ProvenanceWarning(InterfaceWarning):
    """A provenance record could not be written (the result is kept)."""
