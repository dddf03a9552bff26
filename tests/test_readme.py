"""Every ```python block of README.md runs, as a new user would run it: after the set-up,
in an empty folder, each block on its own, in a fresh interpreter.

The blocks hold their own ``assert`` lines for what their comments promise (a temporary
appears, 0 bytes written...), so a block that runs is a block that is true.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools import ch2_path, require_tool

ROOT = Path(__file__).resolve().parents[1]


def _python_blocks() -> list[tuple[int, str]]:
    """``(line number, code)`` of each ```python block of README.md."""
    text = (ROOT / "README.md").read_text()
    blocks = []
    for match in re.finditer(r"^```python\n(.*?)^```$", text, re.S | re.M):
        blocks.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return blocks


BLOCKS = _python_blocks()
#: a family a block uses -> a tool of it the set-up installs
_TOOLS = {"workbench.": "wb_command", "mrtrix3.": "mrthreshold"}


def test_readme_has_its_python_blocks():
    # the extraction itself must find the blocks, or the test below would pass on nothing
    assert len(BLOCKS) >= 4
    assert all(code.strip() for _, code in BLOCKS)


@pytest.mark.parametrize("line,code", BLOCKS, ids=[f"line{n}" for n, _ in BLOCKS])
def test_readme_block_runs_in_an_empty_folder(tmp_path, line, code):
    ch2_path()  # the set-up's data (mricron-data); skip locally, fail in CI, when missing
    for family, tool in _TOOLS.items():
        if family in code:
            require_tool(tool)
    folder = tmp_path / "empty"
    folder.mkdir()
    scratch = tmp_path / "scratch"  # where runs and temporaries go: nothing in /tmp
    scratch.mkdir()
    env = dict(os.environ, IMAGESHELL_WORKDIR=str(scratch), IMAGECACHE_TMPDIR=str(scratch),
               TMPDIR=str(scratch), PYTHONPATH=os.pathsep.join(
                   [str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    done = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"README.md line {line}:\n{code}\n{done.stdout}{done.stderr}"
    assert list(folder.iterdir()) == []  # an example writes nothing where it is run
