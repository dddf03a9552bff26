"""The run in progress: the object every step of the pipeline
(:mod:`interfaces.base.pipeline`) fills in, and that the hooks of an
interface (``command``, ``check_run``, ``discover_outputs``) receive."""

from __future__ import annotations

import os
import time

from . import workdirs
from .runner import LOCAL_RUNNER

__all__ = ["Run"]


class Run:
    """One call of ``run()`` (or of a preview), as its steps go.

    Set when the run starts:

    Attributes
    ----------
    interface : type
        The :class:`~interfaces.base.Interface` subclass that runs.
    name : str
        Its full name (``"fsl.bet"``), for messages.
    spec : InputSpec
        The run's inputs: the instance's values, updated by ``run()``'s.
    traits : dict
        ``{name: ctrait}`` of the input spec.
    runner : Runner
        What executes the command; ``dry`` is its ``dry``.
    dry : bool
        A preview: hooks must not write files.
    timeout : float or None
        The ``timeout`` given to ``run()``; :meth:`remaining` is what is left.
    check : bool
        ``run(check=...)``.
    caller_cwd : str
        The caller's current folder (relative paths are relative to it).
    state : dict
        Scratch space for the hooks (e.g. the script an SPM batch wrote;
        ``state["environ"]``: variables the ``command`` hook sets for this run).

    Set by the steps, in order:

    executable : str
        Absolute path of the executable (its bare name in a preview when it
        is not installed) -- *check inputs*.
    workdir : str or None
        The run's folder (None: a tool that writes no file) -- *hand over*.
    prepared : dict
        The :class:`imagecache.PreparedFile` handed over for each image input
        (a list for a list of images) -- *hand over*.
    values : dict
        ``{name: value}`` as the command line gets them: files as absolute
        paths, output arguments resolved -- *hand over*, *build argv*.
    namer : Namer
        Names the outputs (:mod:`interfaces.base.naming`) -- *build argv*.
    argv, cmdline, env, cwd
        The command, shell-quoted, its environment (None: ours) and its
        working directory -- *build argv*.
    completed : Completed
        What the runner observed -- *run the process*.
    result : Result
        What ``run()`` returns -- *collect outputs*.
    """

    def __init__(self, interface, inputs: dict, *, timeout=None, check=True, stream=False,
                 runner=None):
        self.interface = type(interface)
        self.name = self.interface.full_name()
        values = interface.inputs.given()
        values.update(inputs)
        self.spec = self.interface.Inputs(self.name, **values)  # types, all at once
        self.traits = self.spec.spec_traits()
        self.runner = LOCAL_RUNNER if runner is None else runner
        self.dry = bool(self.runner.dry)
        self.timeout = timeout
        # One clock for the whole run: a version lookup counts against it.
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.check = check
        self.stream = stream
        self.caller_cwd = os.getcwd()
        self.state: dict = {}
        self.executable: str | None = None
        self.workdir: str | None = None
        self.own_workdir = False
        self.prepared: dict = {}
        self.values: dict = {}
        self.namer = None
        self.output_type = None
        self.argv: list[str] = []
        self.cmdline = ""
        self.env: dict | None = None
        self.cwd: str | None = None
        self.completed = None
        self.result = None

    @property
    def cls(self):
        """Alias of :attr:`interface`."""
        return self.interface

    def remaining(self) -> float | None:
        """Seconds left of the run's ``timeout`` (None: no limit)."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    # -- the run's folder and copies ----------------------------------------------

    def new_workdir(self) -> str:
        """The run's own folder, created on first need (in a preview, its path
        with ``XXXXXXXX`` for the random part, not created)."""
        if self.workdir is None:
            self.workdir = workdirs.new_run_folder(self.name, dry=self.dry)
            self.own_workdir = not self.dry
        return self.workdir

    def kept(self) -> str:
        """A line for error messages naming the run's folder, if it exists."""
        if self.workdir and not self.dry and os.path.isdir(self.workdir):
            return f"  working directory kept: {self.workdir}\n"
        return ""

    def discard_copies(self, keep=()) -> None:
        """Delete the private copies handed over, but those named in ``keep``
        (they are outputs)."""
        if self.dry:
            return
        for name, prepared in self.prepared.items():
            if name in keep:
                continue
            for one in prepared if isinstance(prepared, list) else [prepared]:
                one.discard()

    def remove_workdir(self, only_if_empty: bool) -> None:
        """Remove the run's own folder (not one given with ``workdir=``)."""
        if not (self.own_workdir and self.workdir):
            return
        if only_if_empty:
            try:
                os.rmdir(self.workdir)
            except OSError:
                pass  # holds outputs
            return
        import shutil

        shutil.rmtree(self.workdir, ignore_errors=True)

    def __repr__(self) -> str:
        return f"Run({self.name}, workdir={self.workdir!r}, dry={self.dry})"
