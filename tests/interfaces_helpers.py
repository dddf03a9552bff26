"""Helpers for the interfaces tests: small executables written into tmp_path.

These scripts are real executables run by the real runner; they stand in for
no particular tool.  ``write_script`` writes one; ``ARGV_DUMP`` prints its
arguments as JSON (ASCII-escaped, so any byte of any argument is checked).
``runs_dir`` is the fixture that puts each test's run folders in its
``tmp_path`` (import it into a test module to use it there).
"""

from __future__ import annotations

import json
import os
import stat
import sys

import nibabel as nib
import pytest

NIB_DATA = os.path.join(os.path.dirname(nib.__file__), "tests", "data")
ANATOMICAL = os.path.join(NIB_DATA, "anatomical.nii")
EXAMPLE4D = os.path.join(NIB_DATA, "example4d.nii.gz")

@pytest.fixture(autouse=True)
def runs_dir(tmp_path, monkeypatch):
    """Per-run working directories go below a per-test folder.

    Autouse in the test modules that import it.
    """
    folder = tmp_path / "runs"
    monkeypatch.setenv("IMAGESHELL_WORKDIR", str(folder))
    return folder


#: Python script: print its argv[1:] as JSON on stdout.
ARGV_DUMP = "import json, sys\nprint(json.dumps(sys.argv[1:]))\n"


def write_script(folder, name: str, body: str, *, python: bool = False) -> str:
    """Write an executable script and return its absolute path.

    ``python=True`` runs ``body`` with this interpreter; otherwise /bin/sh.
    """
    shebang = f"#!{sys.executable}\n" if python else "#!/bin/sh\n"
    path = os.path.join(os.fspath(folder), name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(shebang + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def argv_of(result) -> list[str]:
    """What an ARGV_DUMP script received, from its result."""
    return json.loads(result.runtime.stdout)


def process_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (absent, or a zombie awaiting its reaper)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def wait_until_gone(pid: int, attempts: int = 500) -> bool:
    """Poll :func:`process_gone` (a killed process may take a moment to go)."""
    import time

    for _ in range(attempts):
        if process_gone(pid):
            return True
        time.sleep(0.01)
    return False


#: sh snippet: wait until the parent (the test process) blocks in poll() or
#: wait(), i.e. inside the runner's wait, so a signal sent now is handled
#: there.  Falls back after ~5 s where /proc/PID/wchan is unavailable.
WAIT_FOR_PARENT_BLOCKED = (
    'n=0; until grep -q -e poll -e wait -e select /proc/$PPID/wchan 2>/dev/null '
    '|| [ $n -ge 500 ]; do n=$((n+1)); sleep 0.01; done\n'
)
