"""Running a command: the runner protocol, and the two runners.

A *runner* is what ``run(runner=...)`` hands the argument list to.  It has

``dry`` : bool
    True when nothing may be written or run (a preview): the run then hands
    over no image, creates no folder, writes no file, and does not look for
    outputs.
``execute(argv, *, cwd, env, timeout, stream) -> Completed``
    run (or record) the command.

:class:`SubprocessRunner` (the default, :data:`LOCAL_RUNNER`) runs the tool
here: no shell, no change of directory, one process group.  The child starts
in a new session (its own process group), so a timeout or an interrupt can
end the tool *and everything it started*.  Output is captured, and can also
be streamed line by line to :mod:`logging`.

:class:`DryRunner` runs nothing and remembers each command it was given:
``Interface(...).argv`` and ``imageshell run ... --dry-run`` use one.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import time

from .errors import CommandStartError

__all__ = ["Completed", "execute", "run_process", "Runner", "SubprocessRunner", "DryRunner",
           "LOCAL_RUNNER"]

#: Seconds a tool gets to exit after SIGTERM before SIGKILL.
TERMINATE_GRACE = 3.0
#: Seconds between checks that the tool is still running while its output
#: pipes are open (a background child it left may hold them for ever).
_POLL = 0.25


class Completed:
    """What :func:`execute` observed."""

    __slots__ = ("returncode", "stdout", "stderr", "start", "end", "duration", "timed_out")

    def __init__(self, returncode, stdout, stderr, start, end, duration, timed_out=False):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.start = start
        self.end = end
        self.duration = duration
        self.timed_out = timed_out


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _end_group(proc: subprocess.Popen, first: int) -> None:
    """Send ``first`` to the whole group, then SIGKILL if the leader lingers.

    The SIGKILL is sent whatever happens during the grace period: a second
    Ctrl-C while a tool ignores SIGTERM ends the wait early, not the
    escalation.
    """
    try:
        _signal_group(proc, first)
        if first != signal.SIGKILL:
            try:
                proc.wait(TERMINATE_GRACE)
            except subprocess.TimeoutExpired:
                pass
    finally:
        # Also kills any member left behind by a leader that exited on SIGTERM.
        _signal_group(proc, signal.SIGKILL)


def start_error(executable: str, error: OSError) -> CommandStartError:
    """The error saying why the system could not start ``executable``."""
    mode = ""
    try:
        mode = oct(os.stat(executable).st_mode & 0o777)
    except OSError:
        pass
    if error.errno == errno.ENOENT and os.path.exists(executable):
        interpreter = _interpreter(executable)
        if interpreter:
            why = (f"{executable} cannot start: its first line names the interpreter "
                   f"{interpreter}, which does not exist. Install it, or fix the "
                   f"'#!' line.")
        else:
            why = (f"{executable} cannot start: a program or library it needs is "
                   f"missing ({error.strerror}). Reinstall the tool.")
    elif error.errno == errno.EACCES:
        why = (f"{executable} is not executable (mode {mode}); make it so "
               f"(chmod +x {executable}), or check the permissions of its folders.")
    elif error.errno == errno.ENOEXEC:
        why = (f"{executable} is not a program this system can run (no '#!' line, or "
               f"built for another kind of machine). Add a '#!' line naming its "
               f"interpreter, or install the build for this machine.")
    else:
        why = f"{executable} cannot start: {error.strerror or error}."
    out = CommandStartError(why)
    out.errno, out.strerror, out.filename = error.errno, error.strerror, executable
    return out


def _interpreter(path: str) -> str | None:
    """The interpreter a ``#!`` line names, or None."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(256)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode("utf-8", "replace").split()
    return words[0] if words else None


def _decode(data: bytes | None) -> str:
    return data.decode("utf-8", "replace") if data else ""


def execute(argv, *, cwd, env=None, timeout=None, stream=None) -> Completed:
    """Run ``argv`` in ``cwd`` and wait for it.

    Parameters
    ----------
    argv : list of str
        The command; ``argv[0]`` is an absolute executable path.
    cwd : str
        Working directory of the child (ours is never changed).
    env : dict, optional
        Environment of the child; None inherits ours.
    timeout : float, optional
        Seconds before the whole process group is killed.
    stream : logging.Logger, callable or True, optional
        Show each line of stdout and stderr as it arrives (see
        :func:`line_sink`); the output is captured either way.

    Returns
    -------
    Completed
        ``timed_out`` is true when the timeout killed the tool.

    Notes
    -----
    On ``KeyboardInterrupt`` (or any other exception while waiting) the
    process group gets SIGTERM, then SIGKILL, and the exception propagates.
    """
    timed_out = False
    start = time.time()
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as error:
        if error.filename is not None and os.fspath(error.filename) == cwd:
            raise  # the folder, not the tool: the caller checked it exists
        raise start_error(argv[0], error) from None
    try:  # nothing between Popen and here: an interrupt must find the child
        if stream is None:
            pipes = _Pipes(proc)
            timed_out = _communicate(proc, pipes, timeout)
            if timed_out:
                _end_group(proc, signal.SIGKILL)
                pipes.drain(time.monotonic() + TERMINATE_GRACE)
                proc.wait()
            out, err = pipes.output()
        else:
            out, err, timed_out = _stream(proc, stream, timeout)
    except BaseException:
        _end_group(proc, signal.SIGTERM)
        if stream is None:
            _drain(proc)
        else:  # the reader threads own the pipes
            proc.wait()
        raise
    duration = time.perf_counter() - t0
    return Completed(
        proc.returncode, _decode(out), _decode(err), start, time.time(), duration, timed_out
    )


class _Pipes:
    """Reads a child's stdout and stderr as they come, without threads."""

    def __init__(self, proc: subprocess.Popen):
        import selectors

        self.proc = proc
        self.selector = selectors.PollSelector() if hasattr(selectors, "PollSelector") \
            else selectors.SelectSelector()
        self.chunks = {proc.stdout: [], proc.stderr: []}
        for pipe in self.chunks:
            self.selector.register(pipe, selectors.EVENT_READ)

    def open(self) -> bool:
        return bool(self.selector.get_map())

    def read(self, wait: float | None) -> bool:
        """Read what arrives within ``wait`` seconds; whether anything did
        (data, or the end of a pipe)."""
        ready = self.selector.select(wait)
        for key, _ in ready:
            chunk = os.read(key.fd, 1 << 16)
            if chunk:
                self.chunks[key.fileobj].append(chunk)
            else:  # the end: every writer closed it
                self.selector.unregister(key.fileobj)
                key.fileobj.close()
        return bool(ready)

    def drain(self, deadline: float) -> None:
        """Read until the pipes end, the leader has exited and nothing is
        buffered, or ``deadline``; then let go of them."""
        while self.open() and time.monotonic() < deadline:
            if not self.read(min(_POLL, max(0.0, deadline - time.monotonic()))) \
                    and self.proc.poll() is not None:
                break
        self.close()

    def close(self) -> None:
        for key in list((self.selector.get_map() or {}).values()):
            self.selector.unregister(key.fileobj)
            key.fileobj.close()
        self.selector.close()

    def output(self) -> tuple[bytes, bytes]:
        return (b"".join(self.chunks[self.proc.stdout]),
                b"".join(self.chunks[self.proc.stderr]))


def _communicate(proc: subprocess.Popen, pipes: _Pipes, timeout) -> bool:
    """Read the tool's output until it exits; whether ``timeout`` passed
    first.  Returns when the tool exits even if a background child it started
    still holds its output pipes (what arrived until then is kept; the pipes
    are let go)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while pipes.open():
        wait = _POLL
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0:
                return True
            wait = min(wait, _POLL)
        if not pipes.read(wait) and proc.poll() is not None:
            # Exited, but the pipes are still open: take what is buffered.
            for _ in range(64):
                if not pipes.read(0):
                    break
            pipes.close()
            return False
    pipes.close()
    if deadline is None:
        proc.wait()  # the pipes ended: the tool is exiting
        return False
    try:
        proc.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:  # it closed its output but runs on
        return True
    return False


def _drain(proc: subprocess.Popen):
    """Collect what is left after the group was signalled; never hang on a
    grandchild that escaped the group and holds the pipes."""
    try:
        return proc.communicate(timeout=TERMINATE_GRACE)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        for pipe in (proc.stdout, proc.stderr):
            try:
                pipe.close()
            except Exception:
                pass
        proc.wait()
        return b"", b""


def line_sink(stream):
    """``emit(text, source)`` for a ``stream=`` value: a
    :class:`logging.Logger` (stdout at INFO, stderr at WARNING), a callable
    (called with each line and ``"stdout"``/``"stderr"``), or True: the
    lines on our stderr (so they show without any logging set up)."""
    import logging

    if isinstance(stream, logging.Logger):
        return lambda text, source: stream.log(
            logging.INFO if source == "stdout" else logging.WARNING, "%s", text)
    if callable(stream):
        return stream
    import sys

    def to_stderr(text, source):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    return to_stderr


def tool_stream(name: str):
    """What ``run(stream=True)`` of interface ``name`` shows lines with: the
    ``imageshell.<name>`` logger when logging is set up (a handler would
    receive its records), else our stderr -- never nothing."""
    import logging

    logger = logging.getLogger(f"imageshell.{name}")
    return logger if logger.hasHandlers() else True


def _stream(proc, stream, timeout):
    import threading

    emit = line_sink(stream)
    chunks = {"out": [], "err": []}

    def pump(pipe, key, source):
        for line in iter(pipe.readline, b""):
            chunks[key].append(line)
            try:
                emit(line.decode("utf-8", "replace").rstrip("\r\n"), source)
            except Exception:  # a sink that fails must not lose the output
                pass
        pipe.close()

    readers = [
        threading.Thread(target=pump, args=(proc.stdout, "out", "stdout"), daemon=True),
        threading.Thread(target=pump, args=(proc.stderr, "err", "stderr"), daemon=True),
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _end_group(proc, signal.SIGKILL)
        proc.wait()
    # The tool has exited: wait for the readers while they still receive
    # output, not for a background child that holds the pipes.
    for reader in readers:
        received = -1
        while reader.is_alive():
            now = sum(len(c) for c in chunks["out"]) + sum(len(c) for c in chunks["err"])
            if now == received:
                break
            received = now
            reader.join(0.2)
    return b"".join(chunks["out"]), b"".join(chunks["err"]), timed_out


def run_process(run) -> None:
    """Step 4 of a run, *run the process*: hand ``run.argv`` to ``run.runner``
    within what is left of the timeout; set ``run.completed``."""
    stream = run.stream
    if stream is True:
        stream = tool_stream(run.name)
    try:
        run.completed = run.runner.execute(run.argv, cwd=run.cwd, env=run.env,
                                           timeout=run.remaining(), stream=stream or None)
    except CommandStartError as error:
        error.args = (f"{run.name}: {error}",)
        raise


class Runner:
    """Base of runners (see the module docstring for the protocol)."""

    #: True for a preview: nothing is handed over, written or run.
    dry = False

    def execute(self, argv, *, cwd, env=None, timeout=None, stream=None) -> Completed:
        """Run ``argv`` in ``cwd`` and return what happened."""
        raise NotImplementedError


class SubprocessRunner(Runner):
    """Runs the tool here, as a child process (see :func:`execute`)."""

    def execute(self, argv, *, cwd, env=None, timeout=None, stream=None) -> Completed:
        return execute(argv, cwd=cwd, env=env, timeout=timeout, stream=stream)

    def __repr__(self) -> str:
        return "SubprocessRunner()"


#: The runner of ``run()`` when none is given.
LOCAL_RUNNER = SubprocessRunner()


class DryRunner(Runner):
    """Runs nothing: records each command, and reports success with no output.

    Attributes
    ----------
    calls : list of dict
        One ``{"argv", "cwd", "env"}`` per command given, in order.

    Examples
    --------
    >>> from interfaces.coreutils import cp           # doctest: +SKIP
    >>> dry = DryRunner()                             # doctest: +SKIP
    >>> cp().run(in_file="a.nii", runner=dry).argv    # doctest: +SKIP
    ['/usr/bin/cp', '/data/a.nii', '<workdir>/a_copy.nii']
    """

    dry = True

    def __init__(self):
        self.calls: list[dict] = []

    @property
    def argv(self) -> list[str] | None:
        """The last command given, or None."""
        return self.calls[-1]["argv"] if self.calls else None

    def execute(self, argv, *, cwd, env=None, timeout=None, stream=None) -> Completed:
        self.calls.append({"argv": list(argv), "cwd": cwd, "env": env})
        now = time.time()
        return Completed(0, "", "", now, now, 0.0)

    def __repr__(self) -> str:
        return f"DryRunner(calls={len(self.calls)})"
