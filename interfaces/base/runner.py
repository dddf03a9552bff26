"""Running a command: no shell, no change of directory, one process group.

The child starts in a new session (its own process group), so a timeout or an
interrupt can end the tool *and everything it started*.  Output is captured,
and can also be streamed line by line to :mod:`logging`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

__all__ = ["Completed", "execute"]

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
