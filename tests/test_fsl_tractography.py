"""End to end with the STAND-IN executables (tests/fsl_standins/bin, NOT FSL)
for tractography: an in-memory diffusion image whose fibres run along x,
its fibre orientations sampled (xfibres), and those samples chained into
the next tool.

The stand-ins' fit is crude but real enough to check the chain: the first
fibre points along the gradient of lowest signal.
"""

from __future__ import annotations

import json
import os

import nibabel as nib
import numpy as np
import pytest

from fsl_standins.testing import standin_fsl  # noqa: F401 (fixture)
from interfaces import fsl
from interfaces.base import InputError, Undefined

#: Gradient directions: x, y, z and three diagonals, after one b=0 volume.
_DIRECTIONS = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1]],
                       dtype=float)
_AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])


def _dwi(tmp_path, shape=(6, 7, 8), fibre=(1.0, 0.0, 0.0)):
    """An in-memory DWI (one b=0 and six b=1000 volumes) of a single fibre
    population along ``fibre`` everywhere, its bvecs/bvals files and a mask."""
    vecs = _DIRECTIONS / np.linalg.norm(_DIRECTIONS, axis=1)[:, None]
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
    return (nib.Nifti1Image(values, _AFFINE), nib.Nifti1Image(mask, _AFFINE), str(bvecs),
            str(bvals))


def _calls(tmp_path):
    with open(tmp_path / "standin-calls.jsonl") as fh:
        return [json.loads(line) for line in fh]


# -- xfibres ----------------------------------------------------------------------


def test_xfibres_samples_an_in_memory_dwi_and_its_outputs_chain(standin_fsl, tmp_path):
    dwi, mask, bvecs, bvals = _dwi(tmp_path)
    res = fsl.xfibres().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals, n_fibres=2,
                            n_jumps=10, sample_every=2)
    assert res.input_files["dwi"].origin == "temporary"  # in memory: written once
    out = res.outputs
    logdir = out.logdir
    assert logdir == os.path.join(res.runtime.cwd, "logdir")  # made by xfibres itself
    # one image per fibre, in fibre order, all in logdir
    assert [os.path.basename(p.get_filename()) for p in out.thsamples] == [
        "th1samples.nii.gz", "th2samples.nii.gz"]
    assert [os.path.basename(p.get_filename()) for p in out.fsamples] == [
        "f1samples.nii.gz", "f2samples.nii.gz"]
    assert len(out.phsamples) == len(out.mean_fsamples) == len(out.dyads) == 2
    assert {os.path.dirname(p.get_filename()) for p in out.thsamples + out.dyads} == {logdir}
    assert out.thsamples[0].shape == (6, 7, 8, 5)  # 10 jumps, a sample every 2
    assert out.mean_dsamples.shape == out.mean_S0samples.shape == (6, 7, 8)
    assert out.mean_tausamples is Undefined  # not asked for (rician)
    # the first fibre runs along x inside the mask, nothing outside
    dyads = out.dyads[0].get_fdata()
    assert np.allclose(np.abs(dyads[3, 3, 3]), [1, 0, 0], atol=1e-6)
    assert not dyads[0].any()
    f1 = out.mean_fsamples[0].get_fdata()
    assert f1[3, 3, 3] > out.mean_fsamples[1].get_fdata()[3, 3, 3] > 0
    # chained: the volume fraction thresholded, passed by its own file
    thr = fsl.Threshold().run(in_file=out.mean_fsamples[0], thresh=0.1)
    assert thr.bytes_written == 0
    assert thr.outputs.out_file.get_fdata().astype(bool).sum() == mask.get_fdata().sum()
    assert _calls(tmp_path)[0]["tool"] == "xfibres"


def test_xfibres_rician_and_noise_floor_outputs(standin_fsl, tmp_path):
    dwi, mask, bvecs, bvals = _dwi(tmp_path, fibre=(0.0, 0.0, 1.0))
    res = fsl.xfibres().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals, n_fibres=1,
                            n_jumps=4, rician=True, f0_noard=True,
                            logdir=str(tmp_path / "samples"))
    out = res.outputs
    assert out.logdir == str(tmp_path / "samples")
    assert out.mean_tausamples.shape == (6, 7, 8)
    # f0's images are not fibres: left out of the per-fibre lists
    assert os.path.exists(tmp_path / "samples" / "mean_f0samples.nii.gz")
    assert [os.path.basename(p.get_filename()) for p in out.mean_fsamples] == [
        "mean_f1samples.nii.gz"]
    assert np.allclose(np.abs(out.dyads[0].get_fdata()[2, 2, 2]), [0, 0, 1], atol=1e-6)


def test_xfibres_refuses_exclusive_options_before_running(standin_fsl, tmp_path):
    dwi, mask, bvecs, bvals = _dwi(tmp_path)
    with pytest.raises(InputError, match="f0_ard"):
        fsl.xfibres().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals, f0_ard=True,
                          all_ard=True)
    assert not os.path.exists(tmp_path / "standin-calls.jsonl")  # nothing ran


# -- bedpostx ---------------------------------------------------------------------


def test_bedpostx_links_a_subject_folder_and_finds_its_results(standin_fsl, tmp_path):
    dwi, mask, bvecs, bvals = _dwi(tmp_path)
    named = tmp_path / "dwi.bvec"  # any name: linked in as bvecs
    named.write_text(open(bvecs).read())
    res = fsl.bedpostx().run(dwi=dwi, mask=mask, bvecs=str(named), bvals=bvals, n_fibres=2,
                             n_jumps=12, sample_every=3)
    wd = res.runtime.cwd
    subject = os.path.join(wd, "bedpostx")
    assert res.argv[1] == subject
    # the folder bedpostx reads: fixed names, images with their extension
    assert sorted(os.listdir(subject)) == ["bvals", "bvecs", "data.nii", "nodif_brain_mask.nii"]
    assert all(os.path.islink(os.path.join(subject, n)) for n in os.listdir(subject))
    assert os.path.realpath(os.path.join(subject, "bvecs")) == str(named)
    out = res.outputs
    assert out.bedpostx_dir == subject + ".bedpostX"
    assert [os.path.basename(p.get_filename()) for p in out.merged_thsamples] == [
        "merged_th1samples.nii.gz", "merged_th2samples.nii.gz"]
    assert out.merged_thsamples[0].shape == (6, 7, 8, 4)  # 12 jumps, every 3rd
    for name in ("merged_phsamples", "merged_fsamples", "mean_thsamples", "mean_phsamples",
                 "mean_fsamples", "dyads", "dyads_dispersion"):
        assert len(getattr(out, name)) == 2, name
    # per fibre only: mean_fsumsamples and the dispersions are not in mean_fsamples, dyads
    assert [os.path.basename(p.get_filename()) for p in out.mean_fsamples] == [
        "mean_f1samples.nii.gz", "mean_f2samples.nii.gz"]
    assert [os.path.basename(p.get_filename()) for p in out.dyads] == [
        "dyads1.nii.gz", "dyads2.nii.gz"]
    assert np.allclose(np.abs(out.dyads[0].get_fdata()[2, 3, 4]), [1, 0, 0], atol=1e-6)
    assert out.mean_dsamples.shape == out.mean_S0samples.shape == (6, 7, 8)
    # chained: the mean fraction thresholded, its own file passed
    thr = fsl.Threshold().run(in_file=out.mean_fsamples[0], thresh=0.1)
    assert thr.bytes_written == 0 and thr.outputs.out_file.get_fdata().any()


def test_bedpostx_subject_folder_given_and_gpu_variant(standin_fsl, tmp_path):
    dwi, mask, bvecs, bvals = _dwi(tmp_path, fibre=(0.0, 1.0, 0.0))
    grad = nib.Nifti1Image(np.zeros((6, 7, 8, 9), np.float32), _AFFINE)
    res = fsl.bedpostx_gpu().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals, n_fibres=1,
                                 n_jumps=2, grad_dev=grad, gradnonlin=True,
                                 out_dir=str(tmp_path / "subj"))
    assert _calls(tmp_path)[-1]["tool"] == "bedpostx_gpu"
    assert "grad_dev.nii" in os.listdir(tmp_path / "subj")
    out = res.outputs
    assert out.bedpostx_dir == str(tmp_path / "subj.bedpostX")
    assert np.allclose(np.abs(out.dyads[0].get_fdata()[3, 3, 3]), [0, 1, 0], atol=1e-6)
    # a second run into the same processed folder: bedpostx refuses, the error says so
    from interfaces.base import CommandFailedError
    with pytest.raises(CommandFailedError, match="already been processed"):
        fsl.bedpostx().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals, n_jumps=2,
                           out_dir=str(tmp_path / "subj"))


def test_bedpostx_preview_names_the_staged_folder_and_writes_nothing(standin_fsl, tmp_path):
    from interfaces.base import DryRunner

    dwi, mask, bvecs, bvals = _dwi(tmp_path)
    preview = fsl.bedpostx().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals,
                                 out_dir=str(tmp_path / "s"), runner=DryRunner())
    assert preview.argv[1] == str(tmp_path / "s")
    assert not os.path.exists(tmp_path / "s")


# -- the base ideas these tools needed, on a tool of our own ------------------------


_WALKER = """\
import json, os, sys
found = sorted(os.path.relpath(os.path.join(root, name))
               for root, _, names in os.walk(".") for name in names)
print(json.dumps({"args": sys.argv[1:], "found": found}))
"""


@pytest.fixture
def walker(tmp_path):
    """A tool that prints its arguments and every file under its folder."""
    import sys

    from interfaces.base import (
        File, Image, InputSpec, Interface, List, OutputDirectory, Str,
    )

    script = tmp_path / "walker"
    script.write_text(f"#!{sys.executable}\n{_WALKER}")
    script.chmod(0o755)

    class walker(Interface):
        """Lists its folder."""

        executable = str(script)

        class Inputs(InputSpec):
            subject = OutputDirectory(argstr="%s", position=0, name_template="subj")
            base = Str("merged", usedefault=True, argstr="--base=%s")
            table = File(stage="{subject}/table")
            image = Image(stage="{subject}/data")
            samples = List(Image(), stage="{base}_th%dsamples")
            label = Str()
            labelled = Image(argstr="--image=%s", stage="{label}_image")

    return walker


def test_stage_names_from_inputs_into_an_output_folder(walker, tmp_path):
    (tmp_path / "t.txt").write_text("1 2\n")
    img = nib.Nifti1Image(np.zeros((2, 3, 4), np.float32), np.eye(4))
    res = walker().run(table=str(tmp_path / "t.txt"), image=img, samples=[img, img],
                       base="m")
    seen = json.loads(res.runtime.stdout)
    # {subject}: the output folder's path; a file's name exactly, an image's extension kept
    assert seen["found"] == ["m_th1samples.nii", "m_th2samples.nii", "subj/data.nii",
                             "subj/table"]
    assert seen["args"] == [os.path.join(res.runtime.cwd, "subj"), "--base=m"]
    # a subject folder given by the user: the links go there
    res = walker().run(table=str(tmp_path / "t.txt"), subject=str(tmp_path / "given"))
    assert os.listdir(tmp_path / "given") == ["table"]
    assert os.path.realpath(tmp_path / "given" / "table") == str(tmp_path / "t.txt")


def test_stage_name_from_an_unset_input_is_refused(walker, tmp_path):
    from interfaces.base import DryRunner

    img = nib.Nifti1Image(np.zeros((2, 3, 4), np.float32), np.eye(4))
    with pytest.raises(InputError, match="'labelled' is staged under a name made from "
                                         "'label', which is not set"):
        walker().run(labelled=img, runner=DryRunner())
    preview = walker().run(labelled=img, label="x", runner=DryRunner())
    assert preview.argv[-1] == f"--image={preview.runtime.cwd}/x_image.nii"
