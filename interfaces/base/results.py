"""What a run returns: outputs, the inputs used, and the runtime record."""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone

from .command import cmdline as _cmdline
from .traits_ import Undefined, is_image_value

__all__ = ["Runtime", "Result"]


#: ANSI escape sequences (colours, cursor moves) tools print to terminals.
_TERMINAL_CODES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")


def _timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


class Runtime:
    """How a run went.

    Attributes
    ----------
    argv : list of str
        What ran (``argv[0]`` is the executable's absolute path).
    cwd : str
        Working directory of the tool (the run's working directory).
    returncode : int
        Exit status; negative when killed by that signal.
    stdout, stderr : str
        Captured output (decoded as UTF-8, invalid bytes replaced).
    start, end : datetime
        UTC wall-clock times.
    duration : float
        Seconds, from a monotonic clock.
    hostname : str
    executable : str
        Absolute path of the executable.
    environ : dict
        Variables set for the tool on top of the caller's environment.
    """

    __slots__ = (
        "argv", "cwd", "returncode", "stdout", "stderr", "start", "end",
        "duration", "hostname", "executable", "environ", "_family", "_version",
    )

    def __init__(self, argv, cwd, completed, executable, family, environ):
        self.argv = argv
        self.cwd = cwd
        self.returncode = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.start = _timestamp(completed.start)
        self.end = _timestamp(completed.end)
        self.duration = completed.duration
        self.hostname = os.uname().nodename
        self.executable = executable
        self.environ = environ
        self._family = family
        self._version = Undefined

    @property
    def cmdline(self) -> str:
        """Shell-quoted display of :attr:`argv`."""
        return _cmdline(self.argv)

    @property
    def version(self) -> str | None:
        """The tool's version, looked up on first access (cached per
        executable); None when it cannot be found."""
        if self._version is Undefined:
            from .version import tool_version

            self._version = tool_version(self.executable, self._family)
        return self._version

    def stderr_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of stderr, without terminal colour and
        cursor codes."""
        text = _TERMINAL_CODES.sub("", self.stderr)
        return "\n".join(text.rstrip("\n").splitlines()[-lines:])

    def to_dict(self, version: bool = True) -> dict:
        """JSON-ready dict (datetimes as ISO 8601 strings)."""
        out = {
            "argv": list(self.argv),
            "cmdline": self.cmdline,
            "cwd": self.cwd,
            "returncode": self.returncode,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "duration": self.duration,
            "hostname": self.hostname,
            "executable": self.executable,
            "environ": dict(self.environ),
        }
        if version:
            out["version"] = self.version
        return out

    def __repr__(self) -> str:
        return f"Runtime(returncode={self.returncode}, cmdline={self.cmdline!r})"


def _plain(value):
    """JSON-ready form of an input or output value."""
    if value is Undefined:
        return None
    if is_image_value(value):
        name = value.get_filename()
        return name if name else f"<in-memory {type(value).__name__}>"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):  # e.g. a parameter map, a JSON sidecar
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "tolist"):  # numpy arrays and scalars (an affine matrix)
        return value.tolist()
    return value


class Result:
    """The result of :meth:`Interface.run`.

    Attributes
    ----------
    interface : str
        Name of the interface that ran.
    outputs : OutputSpec
        One attribute per output: images as imagecache images (lazy, clean,
        backed by the file the tool wrote), files as absolute paths, other
        values as parsed; :data:`~traits.api.Undefined` when not produced.
    inputs : dict
        The inputs as used: values given, defaults, and the resolved absolute
        paths of the output arguments.
    input_files : dict
        For each image input, the :class:`imagecache.PreparedFile` passed (a
        list of them for a list of images): ``origin`` tells whether the
        original file, a temporary or a copy went to the tool, and
        ``bytes_written`` what preparing it cost.
    runtime : Runtime
    """

    __slots__ = ("interface", "outputs", "inputs", "input_files", "runtime")

    def __init__(self, interface, outputs, inputs, input_files, runtime):
        self.interface = interface
        self.outputs = outputs
        self.inputs = inputs
        self.input_files = input_files
        self.runtime = runtime

    @property
    def cmdline(self) -> str:
        """The exact command that ran, shell-quoted."""
        return self.runtime.cmdline

    @property
    def argv(self) -> list[str]:
        """The argument list that ran."""
        return self.runtime.argv

    @property
    def bytes_written(self) -> int:
        """Bytes written to pass the image inputs (0 when every input was a
        clean file-backed image or a path)."""
        total = 0
        for prepared in self.input_files.values():
            for one in prepared if isinstance(prepared, list) else [prepared]:
                total += one.bytes_written
        return total

    def to_dict(self) -> dict:
        """JSON-ready dict of the whole result."""
        files = {}
        for name, prepared in self.input_files.items():
            many = prepared if isinstance(prepared, list) else [prepared]
            entries = [
                {"path": p.path, "origin": p.origin, "bytes_written": p.bytes_written,
                 "reused": p.reused}
                for p in many
            ]
            files[name] = entries if isinstance(prepared, list) else entries[0]
        outputs = {}
        if self.outputs is not None:
            for name in self.outputs.names():
                outputs[name] = _plain(getattr(self.outputs, name))
        return {
            "interface": self.interface,
            "cmdline": self.cmdline,
            "outputs": outputs,
            "inputs": {k: _plain(v) for k, v in self.inputs.items()},
            "input_files": files,
            "bytes_written": self.bytes_written,
            "runtime": self.runtime.to_dict(),
        }

    def __repr__(self) -> str:
        produced = []
        if self.outputs is not None:
            produced = [n for n in self.outputs.names() if getattr(self.outputs, n) is not Undefined]
        return (
            f"Result({self.interface}, returncode={self.runtime.returncode}, "
            f"outputs={produced})"
        )
