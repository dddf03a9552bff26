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

import os
import signal
import subprocess
import time

__all__ = ["Completed", "execute", "Runner", "SubprocessRunner", "DryRunner", "LOCAL_RUNNER"]

#: Seconds a tool gets to exit after SIGTERM before SIGKILL.
TERMINATE_GRACE = 3.0


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
    """Send ``first`` to the whole group, then SIGKILL if the leader lingers."""
    _signal_group(proc, first)
    if first != signal.SIGKILL:
        try:
            proc.wait(TERMINATE_GRACE)
        except subprocess.TimeoutExpired:
            pass
    # Also kill any member left behind by a leader that exited on SIGTERM.
    _signal_group(proc, signal.SIGKILL)


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
    stream : logging.Logger, optional
        Log each line of stdout (INFO) and stderr (WARNING) as it arrives.

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
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:  # nothing between Popen and here: an interrupt must find the child
        if stream is None:
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _end_group(proc, signal.SIGKILL)
                out, err = _drain(proc)
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


def _stream(proc, logger, timeout):
    import logging
    import threading

    chunks = {"out": [], "err": []}

    def pump(pipe, key, level):
        for line in iter(pipe.readline, b""):
            chunks[key].append(line)
            logger.log(level, "%s", line.decode("utf-8", "replace").rstrip("\r\n"))
        pipe.close()

    readers = [
        threading.Thread(target=pump, args=(proc.stdout, "out", logging.INFO), daemon=True),
        threading.Thread(target=pump, args=(proc.stderr, "err", logging.WARNING), daemon=True),
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
    for reader in readers:
        reader.join(TERMINATE_GRACE)
    return b"".join(chunks["out"]), b"".join(chunks["err"]), timed_out


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
