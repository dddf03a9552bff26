"""Engines: what runs a generated SPM script -- MATLAB, Octave or SPM standalone.

Chosen, first match wins, by

1. :func:`configure` (Python), then
2. the environment: ``SPM_ENGINE`` (``matlab``, ``octave`` or
   ``standalone``), ``SPM_PATH`` (SPM's folder, added to the MATLAB/Octave
   path by the script), ``SPM_STANDALONE`` (the standalone's command, e.g.
   ``/opt/spm12/spm12`` or ``/opt/spm12/run_spm12.sh /opt/mcr/v97``),
   ``SPM_MATLAB`` / ``SPM_OCTAVE`` (the programs, default ``matlab`` and
   ``octave-cli`` on PATH), then
3. what is installed: a standalone on PATH (``spm25``, ``spm12``), else
   MATLAB on PATH (SPM may be on its saved path), else Octave when SPM's
   folder is known.

The same script runs under every engine: it is the argument of
``octave-cli --no-history -q FILE``, of ``matlab -batch "run('FILE')"`` and of
``<standalone> script FILE`` (the standalone's ``script`` action runs any
``.m`` file and sets its exit status; its ``batch`` action would only load a
``matlabbatch`` variable, and reports failure with exit status 0).
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass

from .mcode import string

__all__ = ["Engine", "configure", "find_engine", "KINDS"]

#: The engines, in the order they are tried when none is chosen.
KINDS = ("standalone", "matlab", "octave")

#: Executables of SPM standalone installs looked for on PATH.
STANDALONE_NAMES = ("spm25", "spm12")

_settings: dict = {}


@dataclass(frozen=True)
class Engine:
    """A way to run an SPM script.

    Attributes
    ----------
    kind : {"matlab", "octave", "standalone"}
    command : tuple of str
        The program and its leading arguments (``argv`` before the script);
        ``command[0]`` is an absolute path.
    spm_path : str or None
        SPM's folder, added to the path by the script (MATLAB and Octave).
    """

    kind: str
    command: tuple
    spm_path: str | None = None

    @property
    def executable(self) -> str:
        """Absolute path of the program that runs."""
        return self.command[0]

    def argv(self, script: str) -> list[str]:
        """The argument list that runs ``script`` (an absolute ``.m`` path)."""
        if self.kind == "matlab":
            return [*self.command, "-batch", f"run({string(script)})"]
        if self.kind == "octave":
            return [*self.command, script]
        return [*self.command, "script", script]

    def describe(self) -> str:
        """One line for messages and the script's header."""
        where = f" with SPM from {self.spm_path}" if self.spm_path else ""
        return f"{self.kind} ({shlex.join(self.command)}){where}"


def configure(engine=None, *, spm_path=None, standalone=None, matlab=None, octave=None):
    """Choose the engine from Python (wins over the environment).

    Called without arguments, forgets earlier choices: the environment and
    what is installed decide again.

    Parameters
    ----------
    engine : {"matlab", "octave", "standalone"}, optional
    spm_path : str or os.PathLike, optional
        SPM's folder (holding ``spm.m``), for MATLAB and Octave.
    standalone : str or sequence of str, optional
        The standalone's command, e.g. ``"/opt/spm12/spm12"`` or
        ``["/opt/spm12/run_spm12.sh", "/opt/mcr/v97"]``.
    matlab, octave : str, optional
        The MATLAB or Octave program (name on PATH or path).

    Returns
    -------
    dict
        The previous settings, which ``configure(**previous)`` restores.
    """
    previous = dict(_settings)
    if engine is not None and engine not in KINDS:
        raise ValueError(f"engine={engine!r} is not one of {', '.join(KINDS)}.")
    new = {"engine": engine, "spm_path": spm_path, "standalone": standalone,
           "matlab": matlab, "octave": octave}
    _settings.clear()
    _settings.update({k: v for k, v in new.items() if v is not None})
    return previous


def _setting(key: str, env: str):
    value = _settings.get(key)
    if value is None:
        value = os.environ.get(env) or None
    return value


def _program(name) -> str | None:
    if name is None:
        return None
    name = os.fspath(name)
    if os.sep in name:
        path = os.path.abspath(name)
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    found = shutil.which(name)
    return os.path.abspath(found) if found else None


def _standalone_command(value) -> tuple | None:
    if value is None:
        for name in STANDALONE_NAMES:
            found = _program(name)
            if found:
                return (found,)
        return None
    parts = shlex.split(value) if isinstance(value, str) else [os.fspath(v) for v in value]
    found = _program(parts[0]) if parts else None
    return (found, *parts[1:]) if found else None


def find_engine() -> Engine | None:
    """The engine that will run SPM scripts now, or None when there is none.

    See the module's documentation for the order of the choices.
    """
    chosen = _setting("engine", "SPM_ENGINE")
    spm_path = _setting("spm_path", "SPM_PATH")
    spm_path = os.path.abspath(os.fspath(spm_path)) if spm_path else None
    standalone = _setting("standalone", "SPM_STANDALONE")
    matlab = _setting("matlab", "SPM_MATLAB")
    octave = _setting("octave", "SPM_OCTAVE")
    if chosen is not None and chosen not in KINDS:
        raise ValueError(
            f"SPM_ENGINE={chosen!r} is not one of {', '.join(KINDS)}: set it to one "
            f"of these, or unset it to let imageshell choose."
        )
    if chosen is None and standalone is None and spm_path is None:
        kinds = KINDS  # nothing said: whatever is installed
    elif chosen is None:
        kinds = ("standalone",) if standalone is not None else ("matlab", "octave")
    else:
        kinds = (chosen,)
    for kind in kinds:
        if kind == "standalone":
            command = _standalone_command(standalone)
            if command:
                return Engine("standalone", command)
        elif kind == "matlab":
            found = _program(matlab or "matlab")
            if found:
                return Engine("matlab", (found,), spm_path)
        elif kind == "octave" and (spm_path or chosen == "octave" or octave):
            # Octave rarely has SPM on its default path: only when told.
            found = _program(octave or "octave-cli")
            if found:
                return Engine("octave", (found, "--no-history", "-q"), spm_path)
    return None


def missing_hint() -> str:
    """What to do when :func:`find_engine` finds nothing."""
    return (
        "SPM runs in MATLAB, Octave or as the SPM standalone, and none was found. "
        "Set SPM_PATH to SPM's folder (for MATLAB or octave-cli on PATH), or "
        "SPM_STANDALONE to the standalone's command (e.g. '/opt/spm12/run_spm12.sh "
        "/opt/mcr/v97'), or call interfaces.spm.configure(...); SPM_ENGINE picks "
        "one of matlab, octave, standalone."
    )
