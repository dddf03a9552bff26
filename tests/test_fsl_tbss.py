"""End to end with the STAND-IN executables (tests/fsl_standins/bin, NOT FSL)
for TBSS and the diffusion tools around it: bedpostx-like samples made into
dyads (make_dyadic_vectors) and registered (vecreg); probtrackx-like
seeds_to images thresholded (proj_thresh, its outputs found one per input)
and segmented (find_the_biggest); an FA image skeletonised and 4D data
projected onto the skeleton (tbss_skeleton); TBSS's scripts from in-memory
FA images to the projected data, each step in its own folder.  And the base
ideas the scripts needed, on a tool of our own: a staged directory rebuilt
as a tree of links (``stage="."``, ``stage_exclude``), a name computed by
``stage(run, index, path)``, in a subfolder.
"""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest

from fsl_standins.testing import argv_of, files, standin_fsl, stub_fsl, stub_home  # noqa: F401
from interfaces import fsl
from interfaces.base import (
    Directory, DryRunner, File, Image, InputError, InputSpec, Interface, List, OutputSpec, Str,
    Undefined,
)

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])


def _img(shape=(6, 7, 8), seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random(shape) * scale).astype(np.float32), AFFINE)


def _name(image):
    return os.path.basename(image.get_filename())


# -- bedpostx's samples: dyads, dispersion, registered ---------------------------------


def test_dyads_of_in_memory_samples_registered_with_vecreg(standin_fsl, tmp_path):
    theta = nib.Nifti1Image(np.full((4, 5, 6, 10), np.pi / 2, np.float32), AFFINE)
    phi = nib.Nifti1Image(np.zeros((4, 5, 6, 10), np.float32), AFFINE)  # all along x
    mask = nib.Nifti1Image(np.ones((4, 5, 6), np.uint8), AFFINE)
    res = fsl.make_dyadic_vectors().run(theta_vol=theta, phi_vol=phi, mask=mask, perc=0.9)
    wd = res.runtime.cwd
    assert res.argv[4:] == [os.path.join(wd, "dyads"), "0.900000"]
    dyads, dispersion = res.outputs.dyads, res.outputs.dispersion
    assert _name(dyads) == "dyads.nii.gz" and _name(dispersion) == "dyads_dispersion.nii.gz"
    assert dyads.shape == (4, 5, 6, 3)
    assert np.allclose(dyads.get_fdata()[..., 0], 1.0, atol=1e-6)  # the samples' direction
    assert np.allclose(dispersion.get_fdata(), 0.0, atol=1e-2)  # no spread at all

    named = fsl.make_dyadic_vectors().run(theta_vol=theta, phi_vol=phi,
                                          output=str(tmp_path / "fibre1"))
    assert named.outputs.dyads.get_filename() == str(tmp_path / "fibre1.nii.gz")
    assert named.outputs.dispersion.get_filename() == str(tmp_path / "fibre1_dispersion.nii.gz")

    percent = fsl.make_dyadic_vectors().run(theta_vol=theta, phi_vol=phi, mask=mask, perc=95)
    assert percent.argv[-1] == "95.000000" and percent.outputs.dispersion.shape == (4, 5, 6)

    reference = _img((8, 9, 10), seed=3)
    reg = fsl.vecreg().run(in_file=dyads, ref_vol=reference, interpolation="nearestneighbour")
    assert reg.input_files["in_file"].origin == "original"  # the chained output's own file
    assert _name(reg.outputs.out_file) == "dyads_vreg.nii.gz"
    assert reg.outputs.out_file.shape == (8, 9, 10, 3)  # the reference's grid, 3 volumes


def test_perc_needs_a_mask(stub_fsl, files):
    # make_dyadic_vectors <theta> <phi> [mask] <output> [perc]: perc only after a mask
    with pytest.raises(InputError, match="mask"):
        fsl.make_dyadic_vectors().run(theta_vol=files["a"], phi_vol=files["b"], perc=0.9)


# -- probtrackx's seeds_to images: thresholded, one output per input ------------------


def test_proj_thresh_outputs_one_per_input_in_order_then_find_the_biggest(standin_fsl,
                                                                          tmp_path):
    folder = tmp_path / "tracts"
    folder.mkdir()
    paths = []
    for k, name in enumerate(("seeds_to_M2", "seeds_to_M1", "seeds_to_M10")):
        values = np.full((4, 5, 6), float(k + 1), np.float32)
        nib.save(nib.Nifti1Image(values, AFFINE), folder / f"{name}.nii.gz")
        paths.append(str(folder / f"{name}.nii.gz"))
    in_memory = nib.Nifti1Image(np.full((4, 5, 6), 4.0, np.float32), AFFINE)
    res = fsl.proj_thresh().run(in_files=paths + [in_memory], threshold=3)
    wd = res.runtime.cwd
    # linked into the run's folder, where proj_thresh writes beside them
    assert res.argv[1:4] == [os.path.join(wd, f"{n}.nii.gz")
                             for n in ("seeds_to_M2", "seeds_to_M1", "seeds_to_M10")]
    assert res.argv[-1] == "3"
    names = [_name(img) for img in res.outputs.out_files]
    assert names[:3] == ["seeds_to_M2_proj_seg_thr_3.nii.gz", "seeds_to_M1_proj_seg_thr_3.nii.gz",
                         "seeds_to_M10_proj_seg_thr_3.nii.gz"]  # the inputs' order, not sorted
    assert names[3].endswith("_proj_seg_thr_3.nii.gz") and len(names) == 4
    assert all(os.path.dirname(img.get_filename()) == wd for img in res.outputs.out_files)
    assert np.allclose(res.outputs.out_files[1].get_fdata(), 2 / 10)  # 2 of a total of 10
    assert np.allclose(res.outputs.total.get_fdata(), 10.0)
    assert sorted(os.listdir(folder)) == [f"{n}.nii.gz" for n in (
        "seeds_to_M1", "seeds_to_M10", "seeds_to_M2")]  # nothing written beside the inputs

    biggest = fsl.find_the_biggest().run(in_files=res.outputs.out_files)
    assert biggest.bytes_written == 0
    assert np.all(biggest.outputs.out_file.get_fdata() == 4)  # the 4th input wins


def test_proj_thresh_names_follow_output_type(standin_fsl, files):
    res = fsl.proj_thresh(output_type="NIFTI").run(in_files=[files["a"]], threshold=1)
    assert _name(res.outputs.out_files[0]) == "a_proj_seg_thr_1.nii"
    assert _name(res.outputs.total) == "total.nii"


# -- tbss_skeleton ---------------------------------------------------------------------


def test_skeleton_then_data_projected_onto_it(standin_fsl, tmp_path):
    mean_fa = _img(seed=1)
    res = fsl.tbss_skeleton().run(in_file=mean_fa, skeleton_file=True)
    skeleton = res.outputs.skeleton_file
    assert _name(skeleton) == "in_file_skeleton.nii.gz"  # FSLOUTPUTTYPE's extension
    assert res.outputs.projected_data is Undefined  # not asked for
    assert 0 < np.count_nonzero(skeleton.get_fdata()) < np.prod(skeleton.shape)

    all_fa = _img((6, 7, 8, 3), seed=2)
    distance = _img(seed=4)
    search = nib.Nifti1Image(np.ones((6, 7, 8), np.uint8), AFFINE)
    proj = fsl.tbss_skeleton().run(in_file=mean_fa, project_data=True, threshold=0.3,
                                   distance_map=distance, data_file=all_fa,
                                   search_mask_file=search, alt_skeleton=skeleton)
    wd = proj.runtime.cwd
    projected = proj.outputs.projected_data
    assert proj.argv[proj.argv.index("-p") + 1] == "0.300"
    assert projected.get_filename() == os.path.join(wd, "data_file_skeletonised.nii.gz")
    assert projected.shape == (6, 7, 8, 3)
    on = skeleton.get_fdata() > 0
    assert np.allclose(projected.get_fdata()[on], all_fa.get_fdata()[on])
    assert not projected.get_fdata()[~on].any()


def test_alt_data_names_the_projection_and_the_cingulum_mask_is_the_default(stub_fsl, files):
    inputs = dict(in_file=files["a"], project_data=True, threshold=0.2,
                  distance_map=files["b"], data_file=files["f"])
    argv = argv_of(fsl.tbss_skeleton(), **inputs, alt_data_file=files["mask"])
    mask = os.path.join(str(stub_fsl), "data", "standard", "LowerCingulum_1mm.nii.gz")
    assert argv[:2] == ["-a", files["mask"]]
    assert argv[2:9] == ["-i", files["a"], "-p", "0.200", files["b"], mask, files["f"]]
    assert os.path.basename(argv[9]) == "mask_skeletonised.nii.gz"  # after alt_data_file
    assert argv_of(fsl.tbss_skeleton(), **inputs, use_cingulum_mask=True)[5] == mask
    with pytest.raises(InputError, match="search mask"):
        fsl.tbss_skeleton().run(**inputs, use_cingulum_mask=False)
    with pytest.raises(InputError, match="mutually exclusive"):
        fsl.tbss_skeleton().run(**inputs, use_cingulum_mask=True, search_mask_file=files["a"])
    with pytest.raises(InputError, match="threshold"):
        fsl.tbss_skeleton().run(in_file=files["a"], project_data=True)


# -- TBSS's scripts: a study from in-memory FA images to the projected data -------------


def _fa(seed, shape=(6, 7, 8)):
    values = np.random.default_rng(seed).random(shape).astype(np.float32) * 0.8 + 0.1
    return nib.Nifti1Image(values, AFFINE)


def _tree(folder):
    """Every file of a folder, relative, as links or files."""
    return sorted(os.path.relpath(os.path.join(here, n), folder)
                  for here, _, names in os.walk(folder) for n in names)


def test_tbss_steps_chain_each_in_its_own_folder_then_project_and_non_fa(standin_fsl,
                                                                         tmp_path):
    given = tmp_path / "subjects"
    given.mkdir()
    for name, seed in (("sub02", 2), ("sub01", 1)):
        nib.save(_fa(seed), given / f"{name}.nii.gz")
    fa = [str(given / "sub02.nii.gz"), str(given / "sub01.nii.gz"), _fa(3)]  # one in memory

    pre = fsl.tbss_1_preproc().run(fa_list=fa)
    step1 = pre.outputs.tbss_dir
    assert step1 == pre.runtime.cwd
    memory = os.path.basename(pre.input_files["fa_list"][2].path).split(".")[0]
    # the images by name in the script's folder (FA/<name>_FA), linked there
    assert pre.argv[1:] == ["sub02.nii.gz", "sub01.nii.gz", memory + ".nii"]
    names = sorted(["sub01", "sub02", memory])
    assert [_name(i) for i in pre.outputs.fa_list] == [f"{n}_FA.nii.gz" for n in names]
    assert [_name(i) for i in pre.outputs.mask_list] == [f"{n}_FA_mask.nii.gz" for n in names]
    assert os.path.isfile(pre.outputs.slices)
    assert os.path.islink(os.path.join(step1, "origdata", "sub01.nii.gz"))  # moved: the link
    assert sorted(os.listdir(given)) == ["sub01.nii.gz", "sub02.nii.gz"]  # untouched

    target = _fa(9)
    reg = fsl.tbss_2_reg().run(tbss_dir=step1, target=target)
    step2 = reg.outputs.tbss_dir
    assert step2 != step1 and reg.runtime.cwd == step2
    assert reg.argv[1] == "-t"
    assert [_name(w) for w in reg.outputs.warp_list] == [
        f"{n}_FA_to_target_warp.nii.gz" for n in names]
    assert np.allclose(reg.outputs.target_image.get_fdata(), target.get_fdata())
    # the step before, linked in (its own files, not links to links), is left as it was
    link = os.path.join(step2, "FA", "sub01_FA.nii.gz")
    assert os.readlink(link) == os.path.join(step1, "FA", "sub01_FA.nii.gz")
    assert os.readlink(os.path.join(step2, "origdata", "sub01.nii.gz")) == str(
        given / "sub01.nii.gz")
    assert not any("_to_" in n for n in _tree(step1))
    assert "provenance.json" in os.listdir(step1)

    post = fsl.tbss_3_postreg().run(tbss_dir=step2, subject_mean=True)
    out = post.outputs
    assert out.all_FA.shape == (6, 7, 8, 3)
    assert [_name(i) for i in out.registered_list] == [f"{n}_FA_to_target.nii.gz" for n in names]
    for name in ("mean_FA", "mean_FA_mask", "mean_FA_skeleton"):
        image = getattr(out, name)
        assert image.get_filename() == os.path.join(out.tbss_dir, "stats", name + ".nii.gz")
    assert "stats" not in os.listdir(step2)

    prestats = fsl.tbss_4_prestats().run(tbss_dir=out.tbss_dir, threshold=0.2)
    assert prestats.argv[1:] == ["0.2"]
    p = prestats.outputs
    assert open(p.threshold_file).read().split() == ["0.2"]
    skeleton = p.skeleton_mask.get_fdata() > 0
    assert skeleton.any() and p.all_FA_skeletonised.shape == (6, 7, 8, 3)
    assert not p.all_FA_skeletonised.get_fdata()[~skeleton].any()

    # the projection by hand: tbss_skeleton on prestats' outputs, as the script does
    proj = fsl.tbss_skeleton().run(in_file=out.mean_FA, project_data=True, threshold=0.2,
                                   distance_map=p.distance_map, data_file=out.all_FA,
                                   alt_skeleton=p.skeleton_mask)
    assert proj.bytes_written == 0  # every input is an earlier run's own file
    assert np.allclose(proj.outputs.projected_data.get_fdata(),
                       p.all_FA_skeletonised.get_fdata())

    # MD, one image per subject in the FA images' name order, two of them in memory
    md = [nib.Nifti1Image(np.full((6, 7, 8), float(k + 1), np.float32), AFFINE)
          for k in range(3)]
    nonfa = fsl.tbss_non_FA().run(tbss_dir=p.tbss_dir, measure="MD", measure_files=md)
    wd = nonfa.runtime.cwd
    assert nonfa.argv[1:] == ["MD"]
    assert sorted(os.listdir(os.path.join(wd, "MD"))) == [f"{n}.nii" for n in names]
    all_md = nonfa.outputs.all_measure
    assert _name(all_md) == "all_MD.nii.gz"
    inside = out.mean_FA_mask.get_fdata() > 0
    assert [all_md.get_fdata()[..., k][inside].max() for k in range(3)] == [1.0, 2.0, 3.0]
    assert _name(nonfa.outputs.all_measure_skeletonised) == "all_MD_skeletonised.nii.gz"
    assert not nonfa.outputs.all_measure_skeletonised.get_fdata()[~skeleton].any()
    with pytest.raises(InputError, match="2 measure_files for the 3 subjects"):
        fsl.tbss_non_FA().run(tbss_dir=p.tbss_dir, measure="MD", measure_files=md[:2])


def test_a_step_run_again_on_its_own_folder_writes_no_earlier_file(standin_fsl, tmp_path):
    pre = fsl.tbss_1_preproc().run(fa_list=[_fa(1), _fa(2)])
    reg = fsl.tbss_2_reg().run(tbss_dir=pre.outputs.tbss_dir, use_fmrib58=True)
    post = fsl.tbss_3_postreg().run(tbss_dir=reg.outputs.tbss_dir, subject_mean=True)
    first = fsl.tbss_4_prestats().run(tbss_dir=post.outputs.tbss_dir, threshold=0.2)
    before = first.outputs.skeleton_mask.get_fdata().copy()
    again = fsl.tbss_4_prestats().run(tbss_dir=first.outputs.tbss_dir, threshold=0.9)
    # the outputs it writes anew were not linked in: the first run's files are as they were
    mask = os.path.join(again.outputs.tbss_dir, "stats", "mean_FA_skeleton_mask.nii.gz")
    assert not os.path.islink(mask)
    assert os.path.islink(os.path.join(again.outputs.tbss_dir, "stats", "all_FA.nii.gz"))
    assert np.array_equal(nib.load(first.outputs.skeleton_mask.get_filename()).get_fdata(),
                          before)
    assert open(first.outputs.threshold_file).read().split() == ["0.2"]
    assert open(again.outputs.threshold_file).read().split() == ["0.9"]
    assert again.outputs.skeleton_mask.get_fdata().sum() < before.sum()


def test_the_target_choice_is_one_of_three(stub_fsl, files):
    with pytest.raises(InputError, match="use_fmrib58"):
        fsl.tbss_2_reg().run(tbss_dir=files["tbss_dir"])
    with pytest.raises(InputError, match="mutually exclusive"):
        fsl.tbss_2_reg().run(tbss_dir=files["tbss_dir"], use_fmrib58=True, target=files["a"])
    with pytest.raises(InputError, match="mutually exclusive"):
        fsl.tbss_3_postreg().run(tbss_dir=files["tbss_dir"], subject_mean=True,
                                 use_fmrib58=True)


# -- the base ideas: a folder staged as a tree, names computed, subfolders ---------------

_LISTER = """
import json, os, sys
here = sorted(os.path.relpath(os.path.join(d, n), ".") for d, _, ns in os.walk(".") for n in ns)
open(os.path.join("stats", "new.txt"), "w").write(sys.argv[1] + "\\n")
print(json.dumps({"cwd": os.getcwd(), "args": sys.argv[1:], "here": here}))
"""


@pytest.fixture
def lister(tmp_path):
    import json
    import sys

    script = tmp_path / "lister"
    script.write_text(f"#!{sys.executable}\n{_LISTER}")
    script.chmod(0o755)

    def named(run, index, path):
        return os.path.join(run.spec.label, f"s{len(run.spec.images) - index}")

    class lister(Interface):
        """Lists its folder, and writes stats/new.txt."""

        executable = str(script)

        class Inputs(InputSpec):
            study = Directory(stage=".", stage_exclude=("stats/old_{label}*", "stats/new.txt"))
            other = Directory(stage=True)
            label = Str(argstr="%s", position=0)
            images = List(Image(), stage=named)

        class Outputs(OutputSpec):
            new = File(name_template="stats/new.txt")

    lister.seen = lambda res: json.loads(res.runtime.stdout)
    return lister


def test_a_folder_staged_as_a_tree_of_links(lister, tmp_path):
    study = tmp_path / "study"
    (study / "stats").mkdir(parents=True)
    (study / "stats" / "old_x.txt").write_text("mine\n")
    (study / "stats" / "kept.txt").write_text("kept\n")
    (study / "provenance.json").write_text("{}")
    (study / "top.txt").write_text("top\n")
    other = tmp_path / "other.d"
    other.mkdir()
    (other / "o.txt").write_text("o\n")
    nib.save(_img(seed=5), tmp_path / "p.nii.gz")
    res = lister().run(study=str(study), other=str(other), label="x",
                       images=[_img(), str(tmp_path / "p.nii.gz")])
    seen = lister.seen(res)
    wd = res.runtime.cwd
    # the study's files linked into the run's folder itself, but what the tool writes anew
    # (stage_exclude, {label} filled) and the base's records; other under its own name;
    # the images under the computed names, in a subfolder
    assert seen["here"] == ["other.d/o.txt", "stats/kept.txt", "top.txt", "x/s1.nii.gz",
                            "x/s2.nii"]
    assert os.readlink(os.path.join(wd, "stats", "kept.txt")) == str(study / "stats" /
                                                                     "kept.txt")
    assert not os.path.islink(os.path.join(wd, "stats"))  # a folder of its own
    assert sorted(os.listdir(study / "stats")) == ["kept.txt", "old_x.txt"]  # untouched
    assert open(res.outputs.new).read() == "x\n"

    again = lister().run(study=wd, label="y")  # the tree of a tree: links to the files
    assert os.readlink(os.path.join(again.runtime.cwd, "top.txt")) == str(study / "top.txt")
    assert "stats/new.txt" not in lister.seen(again)["here"]  # written anew, not linked
    assert open(again.outputs.new).read() == "y\n" and open(res.outputs.new).read() == "x\n"
    preview = lister().run(study=str(study), label="x", runner=DryRunner())
    assert preview.argv[1:] == ["x"] and not os.path.exists(preview.runtime.cwd)


def test_a_folder_holding_the_runs_folder_is_refused(lister, tmp_path):
    with pytest.raises(InputError, match="holds the run's folder"):
        lister().run(study=str(tmp_path), label="x", workdir=str(tmp_path / "inside"))
