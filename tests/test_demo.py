"""``imageshell demo``: the real pipeline end to end, its report, and what it
does when tools are missing."""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import browser
import pytest
from tools import ch2_path, require_tool

ANATOMICAL = os.path.join(os.path.dirname(__import__("nibabel").__file__), "tests", "data",
                          "anatomical.nii")


def _imageshell(*args, cwd, env=None):
    # The console script as installed (the module when it is not on PATH).
    script = shutil.which("imageshell")
    exe = [script] if script else [sys.executable, "-m", "interfaces.cli"]
    return subprocess.run([*exe, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_demo_runs_the_real_pipeline_and_writes_its_report(tmp_path):
    ch2_path()
    for tool in ("mrgrid", "reg_aladin", "reg_resample", "wb_command", "mrthreshold",
                 "maskfilter", "reg_measure"):
        require_tool(tool)
    done = _imageshell("demo", "--out", "tmp", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "tmp"
    assert f"report: {out / 'report.html'}" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    # the known motion was recovered by the registration
    assert summary["error_degrees"] < 1.0 and summary["error_mm"] < 1.0
    assert summary["ncc_after"] > 0.99 > summary["ncc_before"]
    assert summary["skipped"] == []
    steps = {r["step"]: r for r in summary["steps"]}
    assert [r["tool"] for r in summary["steps"]][:3] == [
        "mrtrix3.mrgrid", "niftyreg.reg_resample", "niftyreg.reg_aladin"]
    # the head's own file went to the first tool; the edited image was written once...
    assert steps["downsample"]["inputs"][0]["origin"] == "original"
    flo = [r["inputs"][1] for r in summary["steps"] if r["tool"].startswith("niftyreg.reg_")]
    assert flo[0]["origin"] == "temporary" and flo[0]["bytes"] > 0
    # ...and reused by every later tool
    assert all(f["origin"] == "temporary" and f["bytes"] == 0 and f["reused"] for f in flo[1:3])
    assert summary["bytes_written"] == flo[0]["bytes"]
    # every input line is printed with its bytes
    assert len(re.findall(r"[\d,]+ bytes written  \S", done.stdout)) == sum(
        len(r["inputs"]) for r in summary["steps"])
    report = (out / "report.html").read_text()
    assert "Recovered to within" in report and "temporary (reused)" in report
    assert "<img src='demo.png'" in report
    # what a reader sees in a real browser at 1200 px: the figure loads, nothing is cut off
    # (Chromium is installed by .ci/install; without it, test_project's browser tests skip)
    if browser.available() or os.environ.get("CI"):
        seen = browser.look_at(out / "report.html", tmp_path / "chromium")
        assert seen["images"] and all(loaded for _, loaded in seen["images"]), seen["images"]
        assert seen["wide"] == [] and seen["overflow"] <= 0, seen
    # the commands name files that are still there, or say plainly they were temporaries
    commands = re.findall(r"<li><code>(.*?)</code></li>",
                          report.split("<h2>Commands</h2>", 1)[1], re.S)
    assert len(commands) == len(summary["steps"])
    paths = [token for line in commands for token in shlex.split(html.unescape(line))
             if token.startswith("/")]
    assert paths and all(os.path.exists(p) for p in paths), [
        p for p in paths if not os.path.exists(p)]
    assert "&lt;temporary&gt;/" in "".join(commands)  # the moved head, edited in memory
    assert (out / "demo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert summary["mask_voxels"] > 10000


def test_demo_says_how_to_install_missing_tools_and_runs_the_rest(tmp_path):
    require_tool("reg_aladin")  # found through the niftyreg package, not PATH
    env = dict(os.environ, PATH=os.path.dirname(sys.executable))
    done = _imageshell("demo", ANATOMICAL, "--out", "small", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "[skipped] downsample: needs mrtrix3.mrgrid -- install: apt-get install mrtrix3" \
        in done.stdout
    assert "apt-get install connectome-workbench" in done.stdout
    summary = json.loads((tmp_path / "small" / "summary.json").read_text())
    assert [r["tool"] for r in summary["steps"]] == [
        "niftyreg.reg_resample", "niftyreg.reg_aladin", "niftyreg.reg_resample",
        "niftyreg.reg_measure", "niftyreg.reg_measure"]
    assert summary["ncc_after"] > summary["ncc_before"]
    assert "Skipped" in (tmp_path / "small" / "report.html").read_text()


def test_demo_falls_back_to_elastix_without_niftyreg(tmp_path):
    require_tool("elastix")
    # In a child process: NiftyReg made unfindable there, nothing left behind here.
    code = (
        "import json, sys\n"
        "from interfaces.niftyreg import NIFTYREG\n"
        "NIFTYREG.find_executable = lambda name: None\n"
        "from interfaces import demo\n"
        "s = demo.run_pipeline(demo.default_data()['anatomical'], __import__('pathlib').Path(sys.argv[1]))\n"
        "print(json.dumps({'tools': [r['tool'] for r in s['steps']], 'deg': s['error_degrees']}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "needs niftyreg.reg_resample" in done.stdout
    summary = json.loads(done.stdout.splitlines()[-1])
    assert "elastix.elastix" in summary["tools"] and "elastix.transformix" in summary["tools"]
    assert summary["deg"] < 2.0  # a small 2 mm image: coarser


def test_demo_decisions_table(tmp_path):
    done = _imageshell("demo", "--decisions", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    from interfaces.demo import default_data

    assert lines[0].endswith(f" for {default_data()['head']}")  # the demo's own head
    assert any(line.startswith("loaded lazily with imagecache.load") and " original " in line
               for line in lines)
    assert any(line.startswith("header descrip edited") and " temporary " in line
               for line in lines)
    assert list(tmp_path.iterdir()) == []  # nothing written in the current folder


def test_demo_refuses_a_foreign_folder(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    done = _imageshell("demo", ANATOMICAL, "--out", "mine", cwd=tmp_path)
    assert done.returncode == 2 and "pass another --out" in done.stdout


def test_demo_bad_path_is_one_clear_line_and_makes_no_folder(tmp_path):
    done = _imageshell("demo", str(tmp_path / "no" / "head.nii"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"imageshell demo: {tmp_path / 'no' / 'head.nii'} is not a file; pass the path of a "
        f"head image (NIfTI), or no argument for the default one."]
    assert list(tmp_path.iterdir()) == []  # no empty output folder


def test_require_tool_skips_locally_and_fails_in_ci(monkeypatch):
    from tools import require_tool

    assert require_tool("sh").endswith("/sh")  # a tool that is there: its path
    monkeypatch.setenv("PATH", "")  # now mrcalc cannot be found
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install mrtrix3"):
        require_tool("mrcalc")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have it"):
        require_tool("mrcalc")
