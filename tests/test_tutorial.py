"""docs/tutorial.rst's code runs: the declaration is installed as a package would be
(its module, and the entry point its pyproject.toml declares), the usage block runs on an
image edited in memory, and ``imageshell list`` / ``imageshell run`` show and run the tool.

Installing is done as pip lays a package out -- the module and a ``*.dist-info`` folder
whose ``entry_points.txt`` holds the page's entry points -- rather than by pip itself
(which needs ``wheel`` and writes outside the test's folder); ``imageshell`` then finds
the family through :mod:`importlib.metadata`, as it would after ``pip install .``.
"""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tools import ch2_path, require_tool

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "tutorial.rst"


def _blocks() -> list[tuple[str, str | None, str]]:
    """``(language, caption, code)`` of each code block of the page."""
    lines = PAGE.read_text().splitlines()
    found = []
    for i, line in enumerate(lines):
        match = re.match(r"\.\. code-block:: (\w+)$", line)
        if not match:
            continue
        caption, j = None, i + 1
        while j < len(lines) and lines[j].startswith("   :"):
            caption = lines[j].split(":caption:", 1)[1].strip() if ":caption:" in lines[j] \
                else caption
            j += 1
        body = []
        for row in lines[j + 1:]:
            if row and not row.startswith("   "):
                break
            body.append(row[3:])
        found.append((match.group(1), caption, "\n".join(body).strip() + "\n"))
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(site folder holding the page's package, environment to run in)."""
    ch2_path()
    require_tool("mrmath")
    blocks = _blocks()
    module = next(code for lang, cap, code in blocks if cap == "mytools.py")
    project = tomllib.loads(next(code for lang, cap, code in blocks if cap == "pyproject.toml"))
    site = tmp_path_factory.mktemp("site")
    (site / "mytools.py").write_text(module)
    meta = site / f"{project['project']['name']}-{project['project']['version']}.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['project']['name']}\n"
                                   f"Version: {project['project']['version']}\n")
    groups = project["project"]["entry-points"]
    (meta / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items())
        for group, entries in groups.items()))
    scratch = tmp_path_factory.mktemp("scratch")  # runs and temporaries: nothing in /tmp
    env = dict(os.environ, IMAGESHELL_WORKDIR=str(scratch), IMAGECACHE_TMPDIR=str(scratch),
               TMPDIR=str(scratch), PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    return site, env


def _run(args, env, cwd):
    return subprocess.run([sys.executable, *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_the_page_has_its_blocks():
    kinds = [(lang, cap) for lang, cap, _ in _blocks()]
    assert kinds == [("python", "mytools.py"), ("python", None), ("toml", "pyproject.toml"),
                     ("console", None)]


def test_usage_block_runs_on_an_edited_image(installed, tmp_path):
    site, env = installed
    usage = [code for lang, cap, code in _blocks() if lang == "python" and cap is None][0]
    done = _run(["-c", usage], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mrmath" in done.stdout and "-axis 2" in done.stdout  # print(res.cmdline)
    assert list(tmp_path.iterdir()) == []


def test_imageshell_list_and_run_show_the_tool_as_the_page_does(installed, tmp_path):
    site, env = installed
    console = [code for lang, _, code in _blocks() if lang == "console"][0].splitlines()
    shown = console[console.index("$ imageshell list mytools") + 2]  # after the header line
    listed = _run(["-m", "interfaces.cli", "list", "mytools"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()[1:]
    assert len(rows) == 1
    assert rows[0].split()[0] == shown.split()[0] == "mytools.mrmath"
    description = "Reduce an image along one axis: the mean, max, min or sum of its voxels."
    assert rows[0].endswith(description) and shown.endswith(description)
    command = [line for line in console if line.startswith("$ imageshell run")][0]
    ran = _run(["-m", "interfaces.cli", *command.split()[2:]], env, tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_the_pages_claims_about_bad_inputs(installed, tmp_path):
    site, env = installed
    code = """
import imagecache
from interfaces.base import InputError
from mytools import mrmath
img = imagecache.load("/usr/share/mricron/templates/ch2.nii.gz")
for bad, words in (({}, ["operation"]), ({"operation": "median"}, ["mean", "max", "min", "sum"])):
    try:
        mrmath().run(in_file=img, **bad)
    except InputError as error:
        assert all(w in str(error) for w in words), str(error)
    else:
        raise AssertionError(f"no error for {bad}")
line = mrmath(in_file=img, operation="max").cmdline
assert "mrmath /usr/share/mricron/templates/ch2.nii.gz max " in line, line
"""
    done = _run(["-c", code], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
