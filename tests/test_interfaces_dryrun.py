"""Previewing a command without running it: ``Interface(...).argv`` and
``.cmdline``, the runner protocol (``run(runner=...)``), the dry runner, and
``imageshell run ... --dry-run``.

FSL is not installed here (and no stub is put on the path): a preview names
``bet`` by its bare name, and nipype's ``cmdline`` for the same inputs is the
oracle.
"""

from __future__ import annotations

import json
import os
import shlex
import warnings

import nibabel as nib
import numpy as np
import pytest

import imagecache
from interfaces import fsl
from interfaces.base import (
    DryRunner,
    InputError,
    InputFileNotFoundError,
    Interface,
    SubprocessRunner,
)
from interfaces.base.runner import LOCAL_RUNNER
from interfaces.cli import main
from interfaces.coreutils import cp
from interfaces_helpers import runs_dir  # noqa: F401 (autouse fixture)


@pytest.fixture
def no_fsl(monkeypatch):
    """FSL absent, as on this machine, whatever the caller's environment."""
    monkeypatch.delenv("FSLDIR", raising=False)
    monkeypatch.setenv("FSLOUTPUTTYPE", "NIFTI_GZ")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert fsl.bet.executable_path() is None


@pytest.fixture
def head(tmp_path):
    """A real image file, and a second one."""
    rng = np.random.default_rng(1)
    paths = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.nii.gz"
        nib.save(nib.Nifti1Image(rng.random((6, 7, 8)).astype(np.float32), np.eye(4)), path)
        paths.append(str(path))
    return paths


def _listing(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _nipype(cls_name, **inputs) -> str:
    """nipype's cmdline, its relative paths (bet's input) made absolute."""
    nipype_fsl = pytest.importorskip("nipype.interfaces.fsl")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nipype warns that FSL is missing
        line = getattr(nipype_fsl, cls_name)(**inputs).cmdline
    return shlex.join(os.path.abspath(t) if "/" in t else t for t in shlex.split(line))


# -- the example, and nipype as oracle ---------------------------------------


def test_bet_cmdline_is_nipypes(no_fsl, head, tmp_path):
    a = head[0]
    out = str(tmp_path / "o_brain.nii.gz")
    mine = fsl.bet(in_file=a, out_file=out, mask=True, frac=0.4)
    assert mine.cmdline == f"bet {a} {out} -f 0.40 -m"
    assert mine.cmdline == _nipype("BET", in_file=a, out_file=out, mask=True, frac=0.4)
    assert mine.argv == ["bet", a, out, "-f", "0.40", "-m"]


@pytest.mark.parametrize("ours, theirs, inputs", [
    ("flirt", "FLIRT", {"in_file": "A", "reference": "B", "out_file": "o.nii.gz",
                        "out_matrix_file": "m.mat", "dof": 6, "cost": "corratio"}),
    ("bet", "BET", {"in_file": "A", "out_file": "x_brain.nii.gz", "robust": True,
                    "vertical_gradient": -0.2, "radius": 75, "center": [4, 5, 6]}),
    ("bet", "BET", {"in_file": "A", "out_file": "t_brain.nii.gz", "t2_guided": "B"}),
    ("convert_xfm", "ConvertXFM", {"in_file": "M", "invert_xfm": True, "out_file": "i.mat"}),
])
def test_explicit_paths_give_nipypes_cmdline_exactly(no_fsl, head, tmp_path, ours, theirs,
                                                     inputs):
    matrix = tmp_path / "m1.mat"
    matrix.write_text("1 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 0 1\n")
    files = {"A": head[0], "B": head[1], "M": str(matrix)}
    resolved = {}
    for key, value in inputs.items():
        if isinstance(value, str) and value in files:
            value = files[value]
        elif isinstance(value, str) and "." in value:  # an output: a path in tmp_path
            value = str(tmp_path / value)
        resolved[key] = value
    rename = {"in_file": "source", "reference": "target"} if ours == "flirt" else {}
    mine = getattr(fsl, ours)(**{rename.get(k, k): v for k, v in resolved.items()})
    assert mine.cmdline == _nipype(theirs, **resolved)


def test_generated_names_match_nipype_by_name(no_fsl, head):
    """nipype names outputs in the current folder, ours in the run's folder:
    the same names, the same arguments."""
    theirs = shlex.split(_nipype("BET", in_file=head[0], mask=True, frac=0.4))
    mine = fsl.bet(in_file=head[0], mask=True, frac=0.4).argv
    assert [os.path.basename(x) for x in mine] == [os.path.basename(x) for x in theirs]
    assert os.path.basename(os.path.dirname(mine[2])) == "imageshell-fsl-bet-XXXXXXXX"


# -- nothing is written ---------------------------------------------------------------


def test_preview_writes_nothing(no_fsl, head, tmp_path, runs_dir, cache_dir):  # noqa: F811
    before = _listing(tmp_path)
    img = nib.Nifti1Image(np.ones((4, 4, 4), np.float32), np.eye(4))
    argv = fsl.bet(in_file=img, mask=True).argv
    # the in-memory image: the temporary it would get, not written
    assert argv[1] == "<temporary>/in_file.nii"
    assert argv[2].endswith("/imageshell-fsl-bet-XXXXXXXX/in_file_brain.nii.gz")
    assert _listing(tmp_path) == before
    assert not runs_dir.exists()  # not even the folder of the run folders
    assert os.listdir(cache_dir) == []  # no imagecache temporary


def test_clean_image_passes_its_file_edited_one_a_temporary(no_fsl, head):
    img = imagecache.load(head[0])
    assert fsl.bet(in_file=img).argv[1] == head[0]
    img.get_fdata()[0, 0, 0] = 42.0  # edited in memory: the file no longer matches
    assert fsl.bet(in_file=img).argv[1] == "<temporary>/a.nii"


def test_path_in_a_format_the_tool_does_not_read_is_a_temporary(head, tmp_path):
    mgz = tmp_path / "c.mgz"
    nib.save(nib.MGHImage(np.ones((3, 3, 3), np.float32), np.eye(4)), mgz)
    argv = fsl.bet(in_file=str(mgz)).argv  # FSL reads NIfTI only
    assert argv[1] == "<temporary>/c.nii"


def test_workdir_given_is_used_but_not_created(no_fsl, head, tmp_path):
    where = tmp_path / "later"
    result = fsl.bet(in_file=head[0], mask=True).run(workdir=where, runner=DryRunner())
    assert result.argv[2] == str(where / "a_brain.nii.gz")
    assert result.outputs.mask_file == str(where / "a_brain_mask.nii.gz")  # a path, not loaded
    assert result.runtime.cwd == str(where)
    assert not where.exists()


def test_copy_input_is_shown_as_a_copy(head):
    result = fsl.fslorient(in_file=head[0], swap_orient=True).run(runner=DryRunner())
    # a clean file is copied byte for byte: the copy keeps its .nii.gz
    assert result.argv[-1] == "<temporary>/a.nii.gz"
    assert result.input_files["in_file"].origin == "copy"


# -- checks still happen ---------------------------------------------------------------


def test_preview_checks_inputs_as_run_does(no_fsl, tmp_path):
    with pytest.raises(InputFileNotFoundError, match="in_file.*does not exist"):
        fsl.bet(in_file=str(tmp_path / "missing.nii.gz")).argv
    with pytest.raises(InputError, match="mandatory"):
        fsl.bet().cmdline


# -- the runner protocol ------------------------------------------------------------------


def test_dry_runner_records_every_call(head):
    dry = DryRunner()
    tool = cp(in_file=head[0])
    first = tool.run(runner=dry)
    second = tool.run(runner=dry, out_file="x.nii.gz")
    assert [c["argv"] for c in dry.calls] == [first.argv, second.argv]
    assert dry.argv == second.argv
    assert first.argv[0] == cp.executable_path()  # found here: its absolute path
    assert first.runtime.returncode == 0 and first.runtime.stdout == ""


def test_a_runner_of_ones_own_gets_the_command(head, tmp_path):
    """Any object with ``dry`` and ``execute`` runs the tool: here one that
    records, then hands over to the local subprocess runner."""
    seen = []

    class Recording(SubprocessRunner):
        def execute(self, argv, **kwargs):
            seen.append((list(argv), kwargs["cwd"]))
            return super().execute(argv, **kwargs)

    out = tmp_path / "copy.nii.gz"
    result = cp().run(in_file=head[0], out_file=str(out), runner=Recording())
    assert seen == [(result.argv, result.runtime.cwd)]
    assert out.read_bytes() == open(head[0], "rb").read()
    assert LOCAL_RUNNER.dry is False


def test_boutiques_preview_writes_no_configuration_file(tmp_path):
    from interfaces import boutiques

    descriptor = {
        "name": "cfg_tool", "tool-version": "1", "schema-version": "0.5",
        "description": "writes a configuration file, then cats it",
        "command-line": "cat [CONFIG]",
        "inputs": [{"id": "value", "name": "value", "type": "Number",
                    "value-key": "[VALUE]"}],
        "output-files": [{"id": "config", "name": "config", "path-template": "run.cfg",
                          "value-key": "[CONFIG]", "file-template": ["v=[VALUE]"]}],
    }
    tool = boutiques.load(descriptor)
    result = tool().run(value=3, workdir=tmp_path / "w", runner=DryRunner())
    assert result.argv[1] == str(tmp_path / "w" / "run.cfg")
    assert not (tmp_path / "w").exists()
    real = tool().run(value=3, workdir=tmp_path / "w")  # the real run writes and reads it
    assert real.runtime.stdout.strip() == "v=3"


def test_runner_is_not_an_input_name():
    from interfaces.base import InputSpec, Str

    with pytest.raises(TypeError, match="runner"):
        class bad(Interface):  # noqa: F841
            executable = "true"

            class Inputs(InputSpec):
                runner = Str()


# -- the command line ------------------------------------------------------------------


def test_cli_dry_run_prints_the_command_and_writes_nothing(no_fsl, head, tmp_path, capsys,
                                                           runs_dir):  # noqa: F811
    assert main(["run", "fsl.bet", f"in_file={head[0]}", "mask=true", "frac=0.4",
                 "--dry-run"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == f"bet {head[0]} {runs_dir}/imageshell-fsl-bet-XXXXXXXX/a_brain.nii.gz -f 0.40 -m"
    assert not runs_dir.exists()
    assert main(["run", "fsl.bet", f"in_file={head[0]}", "--dry-run", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["argv"][:2] == ["bet", head[0]]
    assert shown["outputs"]["out_file"] == shown["argv"][2]


def test_preview_is_the_command_that_runs(head, tmp_path):
    """With the paths and the folder chosen, the preview is exactly what runs;
    an in-memory image differs only by the temporary's name."""
    out = str(tmp_path / "o.nii.gz")
    tool = cp(in_file=head[0], out_file=out)
    assert tool.argv == tool.run(workdir=tmp_path / "w").argv
    img = nib.Nifti1Image(np.ones((3, 3, 3), np.float32), np.eye(4))
    planned = cp(in_file=img).run(workdir=tmp_path / "w", runner=DryRunner())
    ran = cp(in_file=img).run(workdir=tmp_path / "w")
    assert planned.argv[2] == ran.argv[2] == str(tmp_path / "w" / "in_file_copy.nii")
    assert os.path.splitext(planned.argv[1])[1] == os.path.splitext(ran.argv[1])[1] == ".nii"


def test_spm_preview_writes_no_script(tmp_path, monkeypatch, runs_dir):  # noqa: F811
    from tools import require_tool

    from interfaces import spm

    require_tool("octave-cli")
    monkeypatch.setenv("SPM_PATH", os.path.join(os.path.dirname(__file__), "spm_standin"))
    image = tmp_path / "a.nii"
    nib.save(nib.Nifti1Image(np.ones((4, 4, 4), np.float32), np.eye(4)), image)
    result = spm.smooth(in_files=[str(image)], fwhm=[6, 6, 6]).run(runner=DryRunner())
    assert result.argv[-1].endswith("/imageshell-spm-smooth-XXXXXXXX/smooth_job.m")
    assert "octave" in os.path.basename(result.argv[0])
    assert not runs_dir.exists() and sorted(os.listdir(tmp_path)) == ["a.nii"]
