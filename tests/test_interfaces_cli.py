"""The ``imageshell`` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from interfaces.base.registry import all_interfaces, get_interface
from interfaces.base.errors import InterfaceError
from interfaces.cli import main, parse_assignments
from interfaces.coreutils import cp, wc
from interfaces_helpers import ANATOMICAL, runs_dir  # noqa: F401  (an autouse fixture)


def test_registry_finds_every_family_interface():
    found = all_interfaces()
    assert {"coreutils.cp", "coreutils.sha256sum", "coreutils.wc"} <= set(found)
    assert found["coreutils.cp"] is cp
    assert get_interface("wc") is wc
    with pytest.raises(InterfaceError, match="no interface called 'nope'") as err:
        get_interface("nope")
    assert "coreutils.cp" not in str(err.value)  # not every name on one line
    with pytest.raises(InterfaceError, match=r"no interface called 'bett'\. Did you mean "
                                             r"fsl\.bet\?"):
        get_interface("bett")


def test_list_with_descriptions_and_a_filter(capsys):
    assert main(["list", "--no-version", "reg"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines[1:]]
    assert "niftyreg.reg_aladin" in names and "coreutils.cp" not in names
    aladin = next(line for line in lines if line.startswith("niftyreg.reg_aladin "))
    assert "affine" in aladin.lower()  # its one-line description
    assert all("reg" in line.lower() for line in lines[1:])


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("coreutils.cp "))
    assert shutil.which("cp") in line
    assert any(ch.isdigit() for ch in line.split()[1])  # the version


def test_list_json_without_versions(capsys):
    assert main(["list", "--json", "--no-version"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["coreutils.wc"]["path"] == shutil.which("wc")
    assert rows["coreutils.wc"]["version"] is None


def test_help(capsys):
    assert main(["help", "cp"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("coreutils.cp - Copy an image file.")
    assert "in_file (image or path, mandatory)" in out


def test_help_unknown_name(capsys):
    assert main(["help", "nope"]) == 1
    assert "no interface called 'nope'" in capsys.readouterr().err


def test_run_json(capsys, tmp_path):
    target = tmp_path / "copy of.nii"
    assert main(["run", "coreutils.cp", f"in_file={ANATOMICAL}", f"out_file={target}",
                 "preserve=true", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"] == {"out_file": str(target)}
    assert data["runtime"]["argv"][1:] == [ANATOMICAL, str(target), "--preserve=mode,timestamps"]
    assert data["input_files"]["in_file"]["origin"] == "original"
    assert data["bytes_written"] == 0
    assert target.exists()


def test_run_plain(capsys):
    assert main(["run", "wc", f"in_file={ANATOMICAL}"]) == 0
    out = capsys.readouterr().out
    assert f"count: {os.path.getsize(ANATOMICAL)}" in out


def test_run_errors_exit_codes(capsys, tmp_path):
    assert main(["run", "cp"]) == 2
    assert "'in_file' is mandatory" in capsys.readouterr().err
    assert main(["run", "cp", "in_file"]) == 2
    assert "not key=value" in capsys.readouterr().err
    assert main(["run", "cp", f"in_file={tmp_path / 'missing.nii'}"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["run", "wc", f"in_file={ANATOMICAL}", "bytes=maybe"]) == 2
    assert "input 'bytes' takes true or false, not 'maybe'; write e.g. bytes=true" in \
        capsys.readouterr().err
    # the tool itself fails: cp onto a folder that does not exist
    assert main(["run", "cp", f"in_file={ANATOMICAL}",
                 f"out_file={tmp_path / 'no' / 'x.nii'}"]) == 1
    assert "exited with status 1" in capsys.readouterr().err


def test_parse_assignments_types():
    values = parse_assignments(wc, ["bytes=false", "in_file=a b=c.nii"])
    assert values == {"bytes": False, "in_file": "a b=c.nii"}


def test_demo_is_imported_lazily(monkeypatch, capsys):
    # A missing interfaces.demo does not break the command...
    monkeypatch.setitem(sys.modules, "interfaces.demo", None)
    # (other tests import it: `from . import demo` would find the attribute)
    monkeypatch.delattr(sys.modules["interfaces"], "demo", raising=False)
    assert main(["demo"]) == 1
    assert "not available" in capsys.readouterr().err
    assert main(["list", "--no-version"]) == 0


def test_demo_receives_its_arguments(monkeypatch):
    import types

    seen = []
    fake = types.ModuleType("interfaces.demo")
    fake.main = lambda argv: seen.append(argv) or 0
    monkeypatch.setitem(sys.modules, "interfaces.demo", fake)
    monkeypatch.setattr(sys.modules["interfaces"], "demo", fake, raising=False)
    assert main(["demo", "--fast", "x"]) == 0
    assert seen == [["--fast", "x"]]


def test_console_script_runs():
    exe = shutil.which("imageshell")
    if exe is None:
        pytest.skip("imageshell is not installed (pip install -e .)")
    out = subprocess.run([exe, "help", "coreutils.wc"], capture_output=True, text=True,
                         check=True)
    assert out.stdout.startswith("coreutils.wc - Count the bytes of a file.")


def test_help_is_plain_text_for_every_interface():
    import re

    for name, cls in all_interfaces().items():
        text = cls.help()
        assert "``" not in text and ":class:" not in text, name
        kinds = re.findall(r"^  \w+ \(([^,)]+)", text, re.MULTILINE)
        assert not {"traitcompound", "either", "any", "instance"} & set(kinds), name


def test_run_value_errors_say_the_type(capsys):
    assert main(["run", "fsl.bet", f"in_file={ANATOMICAL}", "frac=high", "--dry-run"]) == 2
    assert "input 'frac' takes a number, not 'high'; write e.g. frac=0.5" in \
        capsys.readouterr().err


def test_run_no_check_returns_the_failed_result(capsys, tmp_path):
    args = ["run", "cp", f"in_file={ANATOMICAL}", f"out_file={tmp_path / 'no' / 'x.nii'}"]
    assert main(args + ["--no-check", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("/usr/bin/cp ") or "cp " in captured.out.splitlines()[0]
    assert "exited with status 1" in captured.err and "Traceback" not in captured.err


def test_readable_repr_of_results_and_outputs():
    from interfaces.coreutils import cp as copy

    result = copy().run(in_file=ANATOMICAL)
    assert repr(result) == "Result(coreutils.cp, returncode=0, outputs=['out_file'])"
    assert repr(result.outputs) == "outputs(out_file=<image anatomical_copy.nii (33, 41, 25)>)"


def test_run_unknown_input_says_what_was_meant(capsys):
    assert main(["run", "fsl.bet", f"in_file={ANATOMICAL}", "maks=true", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "fsl.bet has no input 'maks'" in err and "Did you mean 'mask' for 'maks'?" in err
