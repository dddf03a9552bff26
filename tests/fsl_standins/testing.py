"""Helpers for the FSL tests (tests/test_fsl_*.py): FSLDIR set-ups and inputs.

* ``standin_fsl`` -- FSLDIR points at the STAND-IN executables of this folder
  (they write the outputs; see standin.py);
* ``stub_fsl`` -- FSLDIR points at a temporary folder of stubs that exit 3
  and write nothing: for tests that only need the argument list, which
  ``argv_of`` and ``run_of`` read from a dry run (``stub_run_of`` runs the
  stubs, for tests of the files handed over);
* ``files`` -- real image, matrix and text files to pass by path;
* ``one_fibre_dwi`` and ``vest_file`` -- a diffusion series and an FSL
  design/contrast file to feed the tools;
* ``LEDGER`` -- every successful run on the stand-ins in this session, for
  tests/test_fsl_end_to_end.py's check that each FSL interface ran end to end.
"""

from __future__ import annotations

import os
import stat
import sys

import nibabel as nib
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(HERE, "bin")
#: Every FSL executable the interfaces call.
EXECUTABLES = sorted(os.listdir(BIN))


def _common_env(monkeypatch, tmp_path):
    monkeypatch.setenv("IMAGESHELL_WORKDIR", str(tmp_path / "runs"))
    monkeypatch.delenv("FSLOUTPUTTYPE", raising=False)


@pytest.fixture
def standin_fsl(tmp_path, monkeypatch):
    """FSLDIR = the stand-ins; their log of calls in ``$FSL_STANDIN_LOG``;
    every successful run noted in :data:`LEDGER`."""
    _common_env(monkeypatch, tmp_path)
    _note_runs(monkeypatch)
    monkeypatch.setenv("FSLDIR", HERE)
    # The stand-ins run `env python3`: make it this interpreter (with nibabel).
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep
                       + os.environ.get("PATH", ""))
    monkeypatch.setenv("FSL_STANDIN_LOG", str(tmp_path / "standin-calls.jsonl"))
    return HERE


@pytest.fixture(scope="session")
def stub_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("fsl-stubs")
    (home / "bin").mkdir()
    (home / "etc").mkdir()
    (home / "etc" / "fslversion").write_text("6.0.7.9:stub\n")
    for name in EXECUTABLES + ["eddy_openmp"]:
        path = home / "bin" / name
        path.write_text("#!/bin/sh\n# stub: exits without writing anything\nexit 3\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return home


@pytest.fixture
def stub_fsl(stub_home, tmp_path, monkeypatch):
    """FSLDIR = stubs that exit 3 (argument lists only)."""
    _common_env(monkeypatch, tmp_path)
    monkeypatch.setenv("FSLDIR", str(stub_home))
    return stub_home


# -- the ledger of runs on the stand-ins -----------------------------------------------

#: One :class:`RunNote` per successful run on the stand-ins, in order.
LEDGER: list = []


class RunNote:
    """What a run on the stand-ins took and gave, by path.

    Attributes
    ----------
    interface : type
        The interface class that ran.
    in_memory : set of str
        Image inputs given as in-memory images (handed over as a temporary,
        or as a copy of an image that has no file).
    inputs : set of str
        Real paths of every file, image, folder and prefix the tool received.
    outputs : set of str
        Real paths of every file, image and folder it produced.
    """

    def __init__(self, interface, in_memory, inputs, outputs):
        self.interface, self.in_memory = interface, in_memory
        self.inputs, self.outputs = inputs, outputs

    def takes_from(self, earlier: "RunNote") -> bool:
        """Whether this run received one of ``earlier``'s outputs (a file of
        it, a file inside an output folder, or a prefix of an output's name)."""
        for given in self.inputs:
            for made in earlier.outputs:
                if given == made or given.startswith(made + os.sep):
                    return True
                if (os.path.dirname(given) == os.path.dirname(made)
                        and os.path.basename(made).startswith(os.path.basename(given))
                        and given not in earlier.inputs):
                    return True  # a prefix (probtrackx's merged, TBSS's base names)
        return False


def _paths(value) -> list[str]:
    """Real paths in an input or output value (images, paths, lists, dicts)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [p for one in value for p in _paths(one)]
    if isinstance(value, (str, os.PathLike)):
        return [os.path.realpath(os.fspath(value))]
    if hasattr(value, "file_map"):  # an image: its files
        names = {fh.filename for fh in value.file_map.values() if fh.filename}
        return sorted(os.path.realpath(n) for n in names)
    return []


def _note(interface, result) -> RunNote:
    from interfaces.base.specs import is_output_trait

    in_memory, inputs, copies = set(), set(), set()
    traits = type(interface).Inputs.spec_traits()
    for name, prepared in result.input_files.items():
        for one in prepared if isinstance(prepared, list) else [prepared]:
            inputs.add(os.path.realpath(one.path))
            if one.origin == "copy":  # a private copy the tool edits: an output too
                copies.add(os.path.realpath(one.path))
            given = result.inputs.get(name)
            if one.origin == "temporary" or (
                    one.origin == "copy" and not _paths(given)):
                in_memory.add(name)
    for name, value in result.inputs.items():
        if name in traits and not is_output_trait(traits[name]):
            inputs.update(_paths(value))
    outputs = set()
    if result.outputs is not None:
        for name in result.outputs.names():
            outputs.update(_paths(getattr(result.outputs, name)))
    # (fslorient's and fslcpgeom's out_file is the copy of in_file they edited)
    return RunNote(type(interface), in_memory, inputs, outputs - (inputs - copies))


def _note_runs(monkeypatch):
    from interfaces.base.interface import Interface

    run = Interface.run

    def noted_run(self, *args, **kwargs):
        result = run(self, *args, **kwargs)
        if kwargs.get("runner") is None and result.runtime.returncode == 0:
            LEDGER.append(_note(self, result))
        return result

    monkeypatch.setattr(Interface, "run", noted_run)


def argv_of(tool, **inputs) -> list[str]:
    """The arguments (without the executable) ``tool`` runs with, from a
    dry run (see :func:`run_of`)."""
    return run_of(tool, **inputs).argv[1:]


def run_of(tool, **inputs):
    """The result of a dry run: the argument list the runner was given
    (checked to be the one the result reports), nothing executed or written.
    Images that would be handed over as temporaries appear in ``<temporary>/``."""
    from interfaces.base.runner import DryRunner

    runner = DryRunner()
    result = tool.run(check=False, runner=runner, **inputs)
    assert [call["argv"] for call in runner.calls] == [result.argv], runner.calls
    return result


#: Gradient directions: x, y, z and three diagonals (after one b=0 volume).
DIRECTIONS = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1]],
                      dtype=float)


def one_fibre_dwi(tmp_path, shape=(6, 7, 8), fibre=(1.0, 0.0, 0.0),
                  affine=np.diag([2.0, 2.0, 2.0, 1.0])):
    """An in-memory DWI (one b=0 and six b=1000 volumes) of a single fibre
    population along ``fibre`` everywhere: ``(dwi, mask, bvecs, bvals)``, the
    images in memory, the gradient tables as files in ``tmp_path``."""
    vecs = DIRECTIONS / np.linalg.norm(DIRECTIONS, axis=1)[:, None]
    along = (vecs @ np.asarray(fibre)) ** 2
    signal = np.concatenate([[1000.0], 1000.0 * np.exp(-1000 * (0.0003 + 0.0015 * along))])
    values = np.broadcast_to(signal, shape + (7,)).astype(np.float32)
    bvecs = tmp_path / "bvecs"
    bvecs.write_text("\n".join(" ".join(f"{v:g}" for v in row)
                               for row in np.vstack([[0, 0, 0], vecs]).T) + "\n")
    bvals = tmp_path / "bvals"
    bvals.write_text("0 " + " ".join(["1000"] * 6) + "\n")
    mask = np.zeros(shape, np.uint8)
    mask[1:-1, 1:-1, 1:-1] = 1
    return (nib.Nifti1Image(values, affine), nib.Nifti1Image(mask, affine), str(bvecs),
            str(bvals))


def vest_file(path, rows, **heads) -> str:
    """Write ``rows`` as an FSL VEST file (a design.mat, .con, .grp) with
    ``/NumWaves``, ``/NumPoints`` and ``heads`` (``NumContrasts=2``)."""
    rows = np.asarray(rows, dtype=float).reshape(len(rows), -1)
    lines = [f"/NumWaves {rows.shape[1]}", f"/NumPoints {rows.shape[0]}"]
    lines += [f"/{k} {v}" for k, v in heads.items()] + ["/Matrix"]
    lines += [" ".join(f"{v:g}" for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def standin_calls(tmp_path) -> list[dict]:
    """The calls the stand-ins logged in a ``standin_fsl`` test, in order:
    ``{"tool", "argv", "cwd"}`` each."""
    import json

    with open(tmp_path / "standin-calls.jsonl") as fh:
        return [json.loads(line) for line in fh]


def stub_run_of(tool, **inputs):
    """The result of running the stubs (they exit 3 and write nothing): for
    tests of the files a tool really receives."""
    result = tool.run(check=False, **inputs)
    assert result.runtime.returncode == 3, result.runtime.stderr
    return result


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """Real files: 3D images a, b, mask; 4D image f; matrices; text files."""
    folder = tmp_path_factory.mktemp("fsl-inputs")
    rng = np.random.default_rng(0)
    out = {}
    for name, shape in (("a", (8, 9, 10)), ("b", (8, 9, 10)), ("mask", (8, 9, 10)),
                        ("f", (8, 9, 10, 4))):
        path = folder / f"{name}.nii.gz"
        values = rng.random(shape).astype(np.float32) * 100
        if name == "mask":
            values = (values > 30).astype(np.float32)
        nib.save(nib.Nifti1Image(values, np.diag([2.0, 2.0, 2.0, 1.0])), path)
        out[name] = str(path)
    for name in ("m1.mat", "m2.mat"):
        path = folder / name
        path.write_text("1 0 0 1\n0 1 0 2\n0 0 1 3\n0 0 0 1\n")
        out[name] = str(path)
    for name in ("params.txt", "index.txt", "bvecs", "bvals", "order.txt",
                 "timings.txt", "sched.sch"):
        path = folder / name
        path.write_text("0 1 0 0.05\n")
        out[name] = str(path)
    # a design matrix: 5 time points, 3 regressors (fsl_regfilt, fsl_glm)
    path = folder / "design.txt"
    path.write_text("".join(f"{k} {k % 2} {k * k}\n" for k in range(5)))
    out["design.txt"] = str(path)
    # topup's outputs, for applytopup and eddy
    out["topup_base"] = str(folder / "t_base")
    nib.save(nib.load(out["a"]), folder / "t_base_fieldcoef.nii.gz")
    (folder / "t_base_movpar.txt").write_text("0 0 0 0 0 0\n")
    out["fieldcoef"] = str(folder / "t_base_fieldcoef.nii.gz")
    out["movpar"] = str(folder / "t_base_movpar.txt")
    # a TBSS study's folder: origdata/ holds its subjects' images (tbss_non_FA's names)
    (folder / "tbss" / "origdata").mkdir(parents=True)
    for name in ("s1", "s2"):
        nib.save(nib.load(out["a"]), folder / "tbss" / "origdata" / f"{name}.nii.gz")
    out["tbss_dir"] = str(folder / "tbss")
    out["folder"] = str(folder)
    return out
