"""End to end with the STAND-IN executables (tests/fsl_standins/bin, NOT FSL)
for FEAT, FILM, FLAME and the group models: an fsf's design (feat_model)
fitted to an in-memory series (film_gls), its copes taken to the group level
(flameo) and to spatial mixture modelling (mm); contrast_mgr on a FILM fit;
feat's output folder; dual_regression.  And the base ideas these tools
needed, on a tool of our own: ``stage`` (inputs linked into the run's
folder), ``create=False`` (a folder the tool makes) and lists found by glob
in human order.
"""

from __future__ import annotations

import json
import os
import sys

import nibabel as nib
import numpy as np
import pytest

from fsl_standins.testing import (  # noqa: F401 (fixtures)
    files, standin_calls, standin_fsl, stub_fsl, stub_home, vest_file,
)
from interfaces import fsl
from interfaces.base import (
    CommandFailedError, DryRunner, File, Image, InputError, InputSpec, Interface, List,
    OutputDirectory, OutputSpec, Undefined,
)


def _img(shape=(6, 7, 8), seed=0, scale=100.0):
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random(shape) * scale).astype(np.float32),
                           np.diag([2.0, 2.0, 2.0, 1.0]))


def _design_fsf(folder, npts=5, ev_name="ev1.txt"):
    """An fsf of 2 EVs (one custom EV file, named relative: feat_model reads
    it beside the fsf), 2 t contrasts and 1 F test."""
    folder.mkdir(exist_ok=True)
    (folder / ev_name).write_text("0 10 1\n20 10 1\n")
    (folder / "run1.fsf").write_text(
        f"set fmri(npts) {npts}\nset fmri(evs_orig) 2\nset fmri(evs_real) 2\n"
        f"set fmri(shape1) 3\nset fmri(custom1) \"{ev_name}\"\nset fmri(shape2) 1\n"
        "set fmri(ncon_real) 2\nset fmri(nftests_real) 1\n")
    return str(folder / "run1.fsf"), str(folder / ev_name)


def _vest_heads(path):
    with open(path) as fh:
        return {w[0]: w[1] for w in (line.split() for line in fh) if len(w) == 2
                and w[0].startswith("/")}


# -- the first-level chain ------------------------------------------------------------


def test_design_fit_group_and_mixture_model_chain(standin_fsl, tmp_path):
    fsf, ev = _design_fsf(tmp_path / "design")
    model = fsl.feat_model().run(fsf_file=fsf, ev_files=[ev])
    wd = model.runtime.cwd
    # fsf and EV file staged (linked) in the run's folder, the root on the command line
    assert model.argv[1:] == [os.path.join(wd, "run1")]
    assert os.path.realpath(os.path.join(wd, "run1.fsf")) == os.path.realpath(fsf)
    assert os.path.islink(os.path.join(wd, "ev1.txt"))
    assert [os.path.basename(getattr(model.outputs, n)) for n in (
        "design_file", "con_file", "fcon_file", "frf_file", "design_image", "design_cov")] == [
        "run1.mat", "run1.con", "run1.fts", "run1.frf", "run1.png", "run1_cov.png"]
    assert os.path.dirname(model.outputs.design_file) == wd
    assert _vest_heads(model.outputs.design_file)["/NumWaves"] == "2"
    assert sorted(os.listdir(tmp_path / "design")) == ["ev1.txt", "run1.fsf"]  # untouched

    series = _img((6, 7, 8, 5), seed=1)  # in memory: written once for film_gls
    film = fsl.film_gls().run(in_file=series, design_file=model.outputs.design_file,
                              tcon_file=model.outputs.con_file,
                              fcon_file=model.outputs.fcon_file)
    assert film.input_files["in_file"].origin == "temporary"
    out = film.outputs
    assert os.path.basename(out.results_dir) == "results"  # not results+: not made before
    assert [os.path.basename(p.get_filename()) for p in out.param_estimates] == [
        "pe1.nii.gz", "pe2.nii.gz"]
    assert [p.get_fdata().max() for p in out.param_estimates] == [1.0, 2.0]
    assert len(out.copes) == len(out.varcopes) == len(out.zstats) == len(out.tstats) == 2
    assert len(out.fstats) == len(out.zfstats) == 1
    assert out.residual4d.shape == (6, 7, 8, 5)
    assert open(out.dof_file).read().split() == ["3"]  # 5 volumes, 2 EVs
    assert os.path.isfile(out.logfile) and out.thresholdac.shape == (6, 7, 8, 1)

    # the group level: one subject's cope and varcope
    group = tmp_path / "group"
    group.mkdir()
    mask = nib.Nifti1Image(np.ones((6, 7, 8), np.uint8), np.diag([2.0, 2.0, 2.0, 1.0]))
    flame = fsl.flameo().run(
        cope_file=out.copes[0], var_cope_file=out.varcopes[0], mask_file=mask,
        design_file=vest_file(group / "g.mat", [[1]]),
        t_con_file=vest_file(group / "g.con", [[1]], NumContrasts=1),
        cov_split_file=vest_file(group / "g.grp", [[1]]), run_mode="flame1")
    assert flame.input_files["cope_file"].origin == "original"  # film_gls's own file
    f = flame.outputs
    assert os.path.basename(f.log_dir) == "stats" and f.stats_dir == f.log_dir
    assert [len(getattr(f, n)) for n in ("pes", "copes", "var_copes", "zstats", "tstats",
                                         "tdof", "mrefvars", "weights")] == [1] * 8
    assert f.fstats == [] and f.zfstats == []  # no F contrasts given
    assert os.path.dirname(f.zstats[0].get_filename()) == f.log_dir

    mixture = fsl.mm().run(spatial_data_file=f.zstats[0], mask=mask)
    m = mixture.outputs
    assert os.path.basename(m.log_dir) == "logdir"
    assert np.allclose(m.null_p_map.get_fdata() + m.activation_p_map.get_fdata(), 1.0)
    assert m.deactivation_p_map.shape == (6, 7, 8)
    two = fsl.mm().run(spatial_data_file=f.zstats[0], mask=mask, no_deactivation_class=True)
    assert two.argv[-1] == "--zfstatmode" and two.outputs.deactivation_p_map is Undefined
    assert [c["tool"] for c in standin_calls(tmp_path)] == ["feat_model", "film_gls", "flameo",
                                                     "mm", "mm"]


def test_feat_model_without_its_ev_file_fails_in_feat_model(standin_fsl, tmp_path):
    fsf, ev = _design_fsf(tmp_path / "design")
    other = tmp_path / "other.txt"
    other.write_text("0 1 1\n")
    with pytest.raises(CommandFailedError, match="ev1.txt of EV 1 not found"):
        fsl.feat_model().run(fsf_file=fsf, ev_files=[str(other)])


def test_contrast_mgr_reads_a_fit_staged_under_films_names(standin_fsl, tmp_path):
    design = vest_file(tmp_path / "d.mat", [[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]])
    film = fsl.film_gls().run(in_file=_img((6, 7, 8, 5), seed=2), design_file=design)
    out = film.outputs
    assert out.copes == [] and out.zstats == []  # no contrasts given to film_gls
    corrections = _img(seed=3)  # in memory: FSL < 5.0.7's film_gls wrote it
    tcon = vest_file(tmp_path / "d.con", [[1, 0], [0, 1], [1, -1]], NumContrasts=3)
    res = fsl.contrast_mgr().run(tcon_file=tcon, param_estimates=out.param_estimates,
                                 corrections=corrections, dof_file=out.dof_file,
                                 sigmasquareds=out.sigmasquareds, suffix="_x")
    wd = res.runtime.cwd
    assert res.argv[1:] == ["-suffix", "_x", wd, tcon]
    staged = sorted(n for n in os.listdir(wd) if os.path.islink(os.path.join(wd, n)))
    assert staged == ["corrections.nii", "dof", "pe1.nii.gz", "pe2.nii.gz",
                      "sigmasquareds.nii.gz"]
    assert os.path.realpath(os.path.join(wd, "pe2.nii.gz")) == os.path.realpath(
        out.param_estimates[1].get_filename())
    c = res.outputs
    assert [os.path.basename(p.get_filename()) for p in c.copes] == [
        "cope_x1.nii.gz", "cope_x2.nii.gz", "cope_x3.nii.gz"]
    assert len(c.varcopes) == len(c.tstats) == len(c.zstats) == len(c.neffs) == 3
    # contrast_mgr exits 0 when it fails: what it says on stderr is the failure
    with pytest.raises(CommandFailedError, match="wrote on stderr.*not a VEST file"):
        fsl.contrast_mgr().run(tcon_file=out.dof_file, param_estimates=out.param_estimates,
                               corrections=corrections, dof_file=out.dof_file,
                               sigmasquareds=out.sigmasquareds)


def test_feat_dir_is_the_fsfs_outputdir_as_feat_names_it(standin_fsl, tmp_path):
    data = tmp_path / "func.nii.gz"
    nib.save(_img((6, 7, 8, 3), seed=4), data)
    (tmp_path / "a.fsf").write_text(f'set fmri(outputdir) "analysis"\n'
                                    f'set feat_files(1) "{data}"\nset fmri(level) 1\n')
    res = fsl.feat().run(fsf_file=str(tmp_path / "a.fsf"))
    assert res.argv[1:] == [str(tmp_path / "a.fsf")]
    # relative: in the run's folder, FEAT's current directory
    assert res.outputs.feat_dir == os.path.join(res.runtime.cwd, "analysis.feat")
    assert os.path.isfile(os.path.join(res.outputs.feat_dir, "stats", "cope1.nii.gz"))
    (tmp_path / "g.fsf").write_text(f'set fmri(outputdir) "{tmp_path}/group.gfeat"\n'
                                    'set fmri(level) 2\n')
    assert fsl.feat().run(fsf_file=str(tmp_path / "g.fsf")).outputs.feat_dir == str(
        tmp_path / "group.gfeat")
    # no outputdir: beside the first input, after it
    (tmp_path / "n.fsf").write_text(f'set fmri(outputdir) ""\nset feat_files(1) "{data}"\n')
    assert fsl.feat().run(fsf_file=str(tmp_path / "n.fsf")).outputs.feat_dir == str(
        tmp_path / "func.feat")


def test_dual_regression_of_group_maps_on_in_memory_subjects(standin_fsl, tmp_path):
    maps = _img((6, 7, 8, 3), seed=5)
    subjects = [_img((6, 7, 8, 4), seed=s) for s in (6, 7)]
    res = fsl.dual_regression().run(group_IC_maps_4D=maps, in_files=subjects, n_perm=10,
                                    one_sample_group_mean=True)
    wd = res.runtime.cwd
    assert res.argv[2:6] == ["1", "-1", "10", os.path.join(wd, "output")]
    out = res.outputs
    assert out.mask.shape == (6, 7, 8)
    assert [os.path.basename(p) for p in out.stage1_timeseries] == [
        "dr_stage1_subject00000.txt", "dr_stage1_subject00001.txt"]
    assert [os.path.basename(p.get_filename()) for p in out.stage2_maps] == [
        "dr_stage2_subject00000.nii.gz", "dr_stage2_subject00001.nii.gz"]  # not the _Z ones
    assert len(out.stage2_z_maps) == 2
    assert [p.shape for p in out.stage2_ic_maps] == [(6, 7, 8, 2)] * 3
    assert len(out.stage3_files) == 3
    design = vest_file(tmp_path / "d.mat", [[1], [1]])
    con = vest_file(tmp_path / "d.con", [[1], [-1]], NumContrasts=2)
    res = fsl.dual_regression().run(group_IC_maps_4D=maps, in_files=subjects, n_perm=0,
                                    design_file=design, con_file=con, des_norm=False)
    assert res.argv[2:6] == ["0", design, con, "0"]
    assert res.outputs.stage3_files == []  # no permutations: no randomise
    # FSL takes -1 or a design (with its contrasts) there: one of them
    with pytest.raises(InputError, match="mutually exclusive"):
        fsl.dual_regression(group_IC_maps_4D=maps, in_files=subjects, n_perm=1,
                            one_sample_group_mean=True, design_file=design,
                            con_file=con).argv
    with pytest.raises(InputError, match="mandatory"):
        fsl.dual_regression(group_IC_maps_4D=maps, in_files=subjects, n_perm=1).argv


def test_film_gls_estimation_options_are_exclusive(stub_fsl, files):
    with pytest.raises(InputError, match="mutually exclusive"):
        fsl.film_gls(in_file=files["f"], fit_armodel=True, tukey_window=5).argv


# -- the base ideas, on a tool of our own ----------------------------------------


_LISTER = """\
import json, os, sys
out = sys.argv[1]
os.makedirs(out)  # fails when the folder exists: it must not be made before the run
for k in (10, 2, 1):
    open(os.path.join(out, f"pe{k}.txt"), "w").close()
print(json.dumps({"cwd": os.getcwd(), "args": sys.argv[2:],
                  "here": sorted(os.listdir("."))}))
"""


@pytest.fixture
def lister(tmp_path):
    script = tmp_path / "lister"
    script.write_text(f"#!{sys.executable}\n{_LISTER}")
    script.chmod(0o755)

    class lister(Interface):
        """Lists its folder."""

        executable = str(script)

        class Inputs(InputSpec):
            out_dir = OutputDirectory(argstr="%s", position=0, name_template="made",
                                      create=False)
            table = File(argstr="%s", position=1, stage=True)
            images = List(Image(), argstr="%s", position=2, stage="im%d")

        class Outputs(OutputSpec):
            pes = List(File(), name_source="out_dir", name_template="pe*.txt")

    return lister


def test_stage_links_inputs_into_the_runs_folder(lister, tmp_path):
    (tmp_path / "t.txt").write_text("1 2\n")
    pair = tmp_path / "pair.img"
    nib.save(nib.Nifti1Pair(np.zeros((2, 3, 4), np.float32), np.eye(4)), pair)
    res = lister().run(table=str(tmp_path / "t.txt"), images=[_img(), str(pair)])
    seen = json.loads(res.runtime.stdout)
    wd = res.runtime.cwd
    # own name for True; im1, im2 with their extensions; both files of the pair
    assert seen["here"] == ["im1.nii", "im2.hdr", "im2.img", "made", "t.txt"]
    assert seen["args"] == [os.path.join(wd, "t.txt"), os.path.join(wd, "im1.nii"),
                            os.path.join(wd, "im2.img")]
    assert os.path.realpath(os.path.join(wd, "im2.hdr")) == str(tmp_path / "pair.hdr")
    # the folder the tool made (create=False), and its list in human order
    assert [os.path.basename(p) for p in res.outputs.pes] == ["pe1.txt", "pe2.txt",
                                                              "pe10.txt"]
    preview = lister().run(table=str(tmp_path / "t.txt"), runner=DryRunner())
    assert preview.argv[2].endswith("/t.txt") and not os.path.exists(preview.argv[2])


def test_two_inputs_staged_under_one_name_are_refused(lister, tmp_path):
    (tmp_path / "im1.nii").write_bytes(b"")  # the table's own name is im1.nii
    with pytest.raises(InputError, match="another file already is"):
        lister().run(table=str(tmp_path / "im1.nii"), images=[_img()], runner=DryRunner())
