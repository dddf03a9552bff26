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

from fsl_standins.testing import one_fibre_dwi, standin_calls, standin_fsl  # noqa: F401 (fixture)
from interfaces import fsl
from interfaces.base import InputError, Undefined

_AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])


# -- xfibres ----------------------------------------------------------------------


def test_xfibres_samples_an_in_memory_dwi_and_its_outputs_chain(standin_fsl, tmp_path):
    dwi, mask, bvecs, bvals = one_fibre_dwi(tmp_path)
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
    assert standin_calls(tmp_path)[0]["tool"] == "xfibres"


def test_xfibres_rician_and_noise_floor_outputs(standin_fsl, tmp_path):
    dwi, mask, bvecs, bvals = one_fibre_dwi(tmp_path, fibre=(0.0, 0.0, 1.0))
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
    dwi, mask, bvecs, bvals = one_fibre_dwi(tmp_path)
    with pytest.raises(InputError, match="f0_ard"):
        fsl.xfibres().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals, f0_ard=True,
                          all_ard=True)
    assert not os.path.exists(tmp_path / "standin-calls.jsonl")  # nothing ran


# -- bedpostx ---------------------------------------------------------------------


def test_bedpostx_links_a_subject_folder_and_finds_its_results(standin_fsl, tmp_path):
    dwi, mask, bvecs, bvals = one_fibre_dwi(tmp_path)
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
    dwi, mask, bvecs, bvals = one_fibre_dwi(tmp_path, fibre=(0.0, 1.0, 0.0))
    grad = nib.Nifti1Image(np.zeros((6, 7, 8, 9), np.float32), _AFFINE)
    res = fsl.bedpostx_gpu().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals, n_fibres=1,
                                 n_jumps=2, grad_dev=grad, gradnonlin=True,
                                 out_dir=str(tmp_path / "subj"))
    assert standin_calls(tmp_path)[-1]["tool"] == "bedpostx_gpu"
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

    dwi, mask, bvecs, bvals = one_fibre_dwi(tmp_path)
    preview = fsl.bedpostx().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals,
                                 out_dir=str(tmp_path / "s"), runner=DryRunner())
    assert preview.argv[1] == str(tmp_path / "s")
    assert not os.path.exists(tmp_path / "s")


# -- probtrackx, probtrackx2 on bedpostx's samples ------------------------------------


def _mask(shape, *voxels):
    values = np.zeros(shape, np.uint8)
    for voxel in voxels:
        values[voxel] = 1
    return nib.Nifti1Image(values, _AFFINE)


@pytest.fixture
def samples(standin_fsl, tmp_path):
    """bedpostx's results on an in-memory DWI whose fibres run along x."""
    dwi, mask, bvecs, bvals = one_fibre_dwi(tmp_path)
    res = fsl.bedpostx().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals, n_fibres=2,
                             n_jumps=4, sample_every=2)
    return res.outputs, mask


def test_probtrackx_tracks_bedpostx_samples_from_an_in_memory_seed(samples, tmp_path):
    bpx, mask = samples
    seed = _mask((6, 7, 8), (3, 3, 3))  # in memory
    ahead, aside = _mask((6, 7, 8), (4, 3, 3)), _mask((6, 7, 8), (3, 5, 5))
    res = fsl.probtrackx().run(thsamples=bpx.merged_thsamples, phsamples=bpx.merged_phsamples,
                               fsamples=bpx.merged_fsamples, mask=mask, seed=seed,
                               target_masks=[ahead, aside], os2t=True, n_samples=20)
    wd = res.runtime.cwd
    # bedpostx's samples linked under the base name probtrackx reads, in the run's folder
    assert os.path.realpath(os.path.join(wd, "merged_th2samples.nii.gz")) == \
        bpx.merged_thsamples[1].get_filename()
    assert res.input_files["thsamples"][0].origin == "original"  # bedpostx's own files
    assert "--mode=seedmask" in res.argv and "--samples=merged" in res.argv
    # the targets as targets.txt, one handed-over mask a line
    targets = open(os.path.join(wd, "targets.txt")).read().splitlines()
    assert targets == [p.path for p in res.input_files["target_masks"]]
    out = res.outputs
    assert os.path.dirname(out.log) == out.out_dir == os.path.join(wd, "probtrackx")
    assert open(out.way_total).read().split() == ["20"]  # one seed voxel, 20 samples
    # the path runs along x through the seed, inside the mask
    paths = out.fdt_paths[0].get_fdata()
    assert [os.path.basename(p.get_filename()) for p in out.fdt_paths] == ["fdt_paths.nii.gz"]
    assert set(np.argwhere(paths)[:, 0]) == {1, 2, 3, 4} and paths[3, 3, 3] == 20
    assert not paths[:, :3].any() and not paths[:, 4:].any()
    # seeds_to_<target>: the target ahead is reached, the one aside is not
    reached = {os.path.basename(p.get_filename()): p.get_fdata()[3, 3, 3] for p in out.targets}
    stems = [os.path.basename(p.path).split(".")[0] for p in res.input_files["target_masks"]]
    assert reached == {f"seeds_to_{stems[0]}.nii.gz": 20.0, f"seeds_to_{stems[1]}.nii.gz": 0.0}
    assert out.particle_files == []  # verbose 2 only
    # chained: the path distribution thresholded into a tract mask
    tract = fsl.Threshold().run(in_file=out.fdt_paths[0], thresh=1)
    assert tract.bytes_written == 0 and tract.outputs.out_file.get_fdata().sum() == 80


def test_probtrackx_voxel_seeds_are_simple_mode_and_verbose_writes_particles(samples,
                                                                            tmp_path):
    bpx, mask = samples
    res = fsl.probtrackx().run(thsamples=bpx.merged_thsamples[0],
                               phsamples=bpx.merged_phsamples[0],
                               fsamples=bpx.merged_fsamples[0], mask=mask,
                               seed=[[2, 3, 3], [3, 4, 4]], n_samples=3, verbose=2,
                               out_dir=str(tmp_path / "tracts"))
    assert "--mode=simple" in res.argv  # from the voxels, as nipype
    seeds = os.path.join(res.runtime.cwd, "seeds.txt")
    assert f"--seed={seeds}" in res.argv
    assert open(seeds).read() == "2 3 3\n3 4 4\n"
    out = res.outputs
    assert [os.path.basename(p.get_filename()) for p in out.fdt_paths] == [
        "fdt_paths_2_3_3.nii.gz", "fdt_paths_3_4_4.nii.gz"]
    assert out.fdt_paths[1].get_fdata()[:, 4, 4].sum() == 12  # x = 1..4, 3 samples each
    assert [os.path.basename(p) for p in out.particle_files] == [
        "particle0", "particle1", "particle2"]
    assert out.targets is Undefined  # no target masks given


def test_probtrackx2_network_of_seed_masks_and_matrices(samples, tmp_path):
    bpx, mask = samples
    left, right = _mask((6, 7, 8), (2, 3, 3)), _mask((6, 7, 8), (2, 4, 4))
    low = _mask((6, 7, 8), *[(x, y, z) for x in range(1, 5) for y in range(1, 6)
                             for z in range(1, 7)])
    res = fsl.probtrackx2().run(thsamples=bpx.merged_thsamples,
                                phsamples=bpx.merged_phsamples, fsamples=bpx.merged_fsamples,
                                mask=mask, seed=[left, right], network=True, n_samples=5,
                                omatrix1=True, omatrix2=True, target2=low,
                                samples_base_name="bpx")
    wd = res.runtime.cwd
    assert "--mode" not in " ".join(res.argv)  # probtrackx2 has none
    assert sorted(n for n in os.listdir(wd) if n.startswith("bpx_")) == [
        "bpx_f1samples.nii.gz", "bpx_f2samples.nii.gz", "bpx_ph1samples.nii.gz",
        "bpx_ph2samples.nii.gz", "bpx_th1samples.nii.gz", "bpx_th2samples.nii.gz"]
    assert len(open(os.path.join(wd, "seeds.txt")).read().splitlines()) == 2
    out = res.outputs
    assert open(out.way_total).read().split() == ["10"]  # 2 seed voxels, 5 samples each
    assert os.path.basename(out.matrix1_dot) == "fdt_matrix1.dot"
    assert out.lookup_tractspace.get_fdata().max() == 120  # low's voxels, numbered
    assert os.path.exists(out.matrix2_dot)
    assert out.matrix3_dot is Undefined and out.network_matrix is Undefined
    with pytest.raises(InputError, match="target3"):
        fsl.probtrackx2().run(thsamples=bpx.merged_thsamples[0],
                              phsamples=bpx.merged_phsamples[0],
                              fsamples=bpx.merged_fsamples[0], mask=mask, seed=left,
                              omatrix3=True)


def test_probtrackx2_seeds_to_targets_as_text(samples, tmp_path):
    bpx, mask = samples
    seed = _mask((6, 7, 8), (3, 3, 3), (3, 5, 5))
    res = fsl.probtrackx2().run(thsamples=bpx.merged_thsamples, phsamples=bpx.merged_phsamples,
                                fsamples=bpx.merged_fsamples, mask=mask, seed=seed,
                                target_masks=_mask((6, 7, 8), (1, 3, 3)), os2t=True,
                                s2tastext=True, n_samples=4)
    out = res.outputs
    assert np.loadtxt(out.network_matrix).tolist() == [4.0, 0.0]  # one row per seed voxel
    assert out.targets == []  # as text, not images


# -- the base ideas these tools needed, on a tool of our own ------------------------


_WALKER = """\
import json, os, sys
found = sorted(os.path.relpath(os.path.join(root, name))
               for root, _, names in os.walk(".") for name in names)
print(json.dumps({"args": sys.argv[1:], "found": found}))
"""


def _kind_of_seed(seed):
    """What the rule of a default_from sees: the seed as given."""
    if isinstance(seed, list):
        return "voxels" if isinstance(seed[0], list) else "list"
    return "image" if isinstance(seed, nib.Nifti1Image) else "path"


@pytest.fixture
def walker(tmp_path):
    """A tool that prints its arguments and every file under its folder."""
    import sys

    from traits.api import Union

    from interfaces.base import (
        File, Image, InputSpec, Interface, Int, List, OutputDirectory, Str,
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
            seed = Union(File(), Image(), List(Union(File(), Image())),
                         List(List(Int(), minlen=3, maxlen=3)), argstr="--seed=%s",
                         listed="seeds.txt")
            kind = Str(argstr="--kind=%s", default_from=("seed", _kind_of_seed))

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


def test_union_input_handed_over_as_the_branch_that_takes_it(walker, tmp_path):
    from interfaces.base import DryRunner

    text = tmp_path / "label.txt"  # not an image: a path is passed as it is
    text.write_text("#!ascii label\n")
    img = nib.Nifti1Image(np.zeros((2, 3, 4), np.float32), np.eye(4))
    res = walker().run(seed=str(text))
    assert res.argv[1:] == [os.path.join(res.runtime.cwd, "subj"), "--base=merged",
                            "--kind=path", f"--seed={text}"]
    res = walker().run(seed=img)  # in memory: handed over as a file
    assert res.input_files["seed"].origin == "temporary"
    assert res.argv[-1] == f"--seed={res.input_files['seed'].path}"
    assert "--kind=image" in res.argv
    # a list: its elements handed over, each as its branch, then listed one a line
    res = walker().run(seed=[img, str(text)])
    listed = os.path.join(res.runtime.cwd, "seeds.txt")
    assert res.argv[-2:] == ["--kind=list", f"--seed={listed}"]
    assert open(listed).read().splitlines() == [res.input_files["seed"][0].path, str(text)]
    res = walker().run(seed=[[1, 2, 3], [4, 5, 6]])
    assert "--kind=voxels" in res.argv
    assert open(os.path.join(res.runtime.cwd, "seeds.txt")).read() == "1 2 3\n4 5 6\n"
    # a preview names the list file and writes nothing
    preview = walker().run(seed=[[1, 2, 3]], runner=DryRunner())
    assert preview.argv[-1].endswith("/seeds.txt") and not os.path.exists(
        preview.argv[-1].split("=", 1)[1])
    with pytest.raises(InputError):
        walker().run(seed=[[1, 2]], runner=DryRunner())  # no branch takes it


def test_help_names_each_branch_of_a_union_once():
    text = fsl.probtrackx.help()
    assert "seed (path, image, list of path or image, or list of list of int, mandatory)" \
        in text
    assert "xfm (path or image, optional)" in text
    assert "target_masks (list of path or image, optional)" in text
