"""End to end with the STAND-IN executables (tests/fsl_standins/bin, NOT FSL)
for the analysis tools, each run on an in-memory image and one of its
outputs handed, by its own file, to the tool a user runs next:

* FILM's fit -> contrast_mgr -> its zstat clustered, its cope measured;
* fsl_glm's parameter estimates measured, its z map clustered with its cope;
* randomise's corrected p map thresholded, its t map clustered;
* dual_regression's per-component stage-2 maps -> randomise, its z maps measured;
* FEAT's output folder: its stats clustered, its filtered data measured in
  an in-memory ROI (featquery's question);
* dtifit's FA -> tbss_1_preproc, its V1 -> vecreg;
* bedpostx_gpu's samples -> probtrackx2 -> its seeds_to images segmented
  (find_the_biggest), its path distribution thresholded; bedpostx_gpu's
  dyads -> vecreg -> measured;
* TBSS to tbss_non_FA -> its skeletonised measure -> randomise (TFCE 2D) ->
  the corrected p map thresholded.

What the stand-ins compute is checked against numpy on the loaded outputs
(see tests/fsl_standins/standin.py: several of these tools write zeros).
"""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest

from fsl_standins.testing import (  # noqa: F401 (fixture)
    one_fibre_dwi, standin_calls, standin_fsl, vest_file,
)
from interfaces import fsl

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])


def _img(shape, seed=0, scale=100.0, offset=0.0):
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random(shape) * scale + offset).astype(np.float32), AFFINE)


def _mask(shape, *voxels):
    values = np.zeros(shape, np.uint8)
    for voxel in voxels:
        values[voxel] = 1
    return nib.Nifti1Image(values, AFFINE)


def _name(image):
    return os.path.basename(image.get_filename())


def _loaded(image):
    """The values of an output as its file holds them (not a cached array)."""
    return np.asanyarray(nib.load(image.get_filename()).dataobj).astype(np.float64)


def _one_a_line(out_stat):
    """fslstats' numbers, one a line (``-t`` and a single option)."""
    assert all(isinstance(row, list) and len(row) == 1 for row in out_stat), out_stat
    return [row[0] for row in out_stat]


def _tools(tmp_path):
    return [call["tool"] for call in standin_calls(tmp_path)]


# -- first level: FILM's fit, contrast_mgr, cluster ------------------------------------


def test_contrast_mgr_on_a_film_fit_then_its_zstat_clustered_and_cope_measured(standin_fsl,
                                                                              tmp_path):
    series = _img((6, 7, 8, 5), seed=1)  # in memory
    design = vest_file(tmp_path / "d.mat", [[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]])
    film = fsl.film_gls().run(in_file=series, design_file=design)
    assert film.input_files["in_file"].origin == "temporary"
    fit = film.outputs
    corrections = _img((6, 7, 8), seed=2)  # in memory: FSL < 5.0.7's film_gls wrote it
    tcon = vest_file(tmp_path / "d.con", [[1, 0], [0, 1]], NumContrasts=2)
    res = fsl.contrast_mgr().run(tcon_file=tcon, param_estimates=fit.param_estimates,
                                 corrections=corrections, dof_file=fit.dof_file,
                                 sigmasquareds=fit.sigmasquareds)
    assert res.input_files["corrections"].origin == "temporary"
    assert res.input_files["sigmasquareds"].origin == "original"  # film_gls's own file
    assert res.input_files["sigmasquareds"].bytes_written == 0
    c = res.outputs
    wd = res.runtime.cwd
    assert [_name(p) for p in c.zstats] == ["zstat1.nii.gz", "zstat2.nii.gz"]
    assert [_name(p) for p in c.copes] == ["cope1.nii.gz", "cope2.nii.gz"]
    assert {os.path.dirname(p.get_filename()) for p in c.zstats + c.neffs} == {wd}
    # the stand-in's statistic is the residual variance it was given
    zstat = _loaded(c.zstats[0])
    assert np.allclose(zstat, _loaded(fit.sigmasquareds))

    # the zstat clustered with its cope, as FEAT's post-stats do: both by their own files
    threshold = float(np.median(zstat))
    cl = fsl.cluster().run(in_file=c.zstats[0], threshold=threshold, cope_file=c.copes[0],
                           out_threshold_file=True)
    assert cl.input_files["in_file"].origin == "original" and cl.bytes_written == 0
    [row] = cl.outputs.clusters
    assert row["Voxels"] == int((zstat > threshold).sum())
    assert row["MAX"] == pytest.approx(zstat.max(), rel=1e-5)
    thresholded = cl.outputs.out_threshold_file
    assert _name(thresholded) == "zstat1_threshold.nii.gz"
    assert np.allclose(_loaded(thresholded), zstat * (zstat > threshold))

    # the second contrast's cope measured
    stats = fsl.fslstats().run(in_file=c.copes[1], op_string="-M -R")
    cope = _loaded(c.copes[1])
    assert stats.bytes_written == 0
    assert stats.outputs.out_stat == pytest.approx(
        [cope[cope != 0].mean(), cope.min(), cope.max()], rel=1e-5)
    assert _tools(tmp_path) == ["film_gls", "contrast_mgr", "cluster", "fslstats"]


# -- fsl_glm ---------------------------------------------------------------------------


def test_fsl_glm_of_an_in_memory_series_then_its_maps_measured_and_clustered(standin_fsl,
                                                                            tmp_path):
    series = _img((5, 6, 7, 6), seed=3)  # in memory
    (tmp_path / "design.txt").write_text("".join(f"1 {k - 2.5:g}\n" for k in range(6)))
    (tmp_path / "contrasts.txt").write_text("0 1\n")
    glm = fsl.fsl_glm().run(in_file=series, design=str(tmp_path / "design.txt"),
                            contrasts=str(tmp_path / "contrasts.txt"),
                            out_cope=str(tmp_path / "cope.nii.gz"),
                            out_z_name=str(tmp_path / "z.nii.gz"))
    assert glm.input_files["in_file"].origin == "temporary"
    out = glm.outputs
    # named after the input with the temporary's extension (as nipype), and
    # found with the one fsl_glm writes (FSLOUTPUTTYPE's)
    assert glm.input_files["in_file"].path.endswith(".nii")
    assert glm.inputs["out_file"] == os.path.join(glm.runtime.cwd, "in_file_glm.nii")
    assert out.out_file.get_filename() == os.path.join(glm.runtime.cwd, "in_file_glm.nii.gz")
    assert out.out_file.shape == (5, 6, 7, 2)  # one volume per design column
    assert out.out_z_name.get_filename() == str(tmp_path / "z.nii.gz")
    assert out.out_cope.shape == (5, 6, 7)

    # the parameter estimates measured, one line per regressor
    stats = fsl.fslstats().run(in_file=out.out_file, split_4d=True, op_string="-R")
    assert stats.input_files["in_file"].origin == "original" and stats.bytes_written == 0
    betas = _loaded(out.out_file)
    assert [[float(v) for v in row] for row in stats.outputs.out_stat] == [
        [float(betas[..., k].min()), float(betas[..., k].max())] for k in range(2)]

    # the z map clustered at FEAT's default 2.3, with its cope (the stand-in's are zeros)
    cl = fsl.cluster().run(in_file=out.out_z_name, threshold=2.3, cope_file=out.out_cope,
                           out_index_file=True)
    assert cl.bytes_written == 0
    z = _loaded(out.out_z_name)
    assert cl.outputs.clusters == [] and not (z > 2.3).any()
    assert _name(cl.outputs.out_index_file) == "z_index.nii.gz"
    assert not _loaded(cl.outputs.out_index_file).any()
    assert _tools(tmp_path) == ["fsl_glm", "fslstats", "cluster"]


# -- randomise -------------------------------------------------------------------------


def test_randomise_of_in_memory_copes_then_its_maps_thresholded_and_clustered(standin_fsl,
                                                                             tmp_path):
    copes = _img((6, 7, 8, 4), seed=4, offset=-50.0)  # four subjects, in memory
    mask = nib.Nifti1Image(np.ones((6, 7, 8), np.uint8), AFFINE)
    res = fsl.randomise().run(in_file=copes, mask=mask, one_sample_group_mean=True,
                              tfce=True, num_perm=50, base_name=str(tmp_path / "group"))
    assert res.input_files["in_file"].origin == "temporary"
    out = res.outputs
    assert [_name(p) for p in out.tstat_files] == ["group_tstat1.nii.gz"]
    assert [_name(p) for p in out.t_corrected_p_files] == ["group_tfce_corrp_tstat1.nii.gz"]
    assert [_name(p) for p in out.t_p_files] == ["group_tfce_p_tstat1.nii.gz"]
    tstat = _loaded(out.tstat_files[0])
    assert np.allclose(tstat, copes.get_fdata().mean(axis=-1), atol=1e-4)  # the stand-in's

    # the corrected p (1-p) map thresholded at 0.95: what is significant at p < 0.05
    sig = fsl.Threshold().run(in_file=out.t_corrected_p_files[0], thresh=0.95)
    assert sig.input_files["in_file"].origin == "original" and sig.bytes_written == 0
    assert _name(sig.outputs.out_file) == "group_tfce_corrp_tstat1_thresh.nii.gz"
    corrp = _loaded(out.t_corrected_p_files[0])
    assert np.array_equal(sig.outputs.out_file.get_fdata(), np.where(corrp < 0.95, 0, corrp))

    # the t map clustered
    cl = fsl.cluster().run(in_file=out.tstat_files[0], threshold=5.0)
    assert cl.bytes_written == 0
    [row] = cl.outputs.clusters
    assert row["Voxels"] == int((tstat > 5.0).sum()) > 0
    assert row["MAX"] == pytest.approx(tstat.max(), rel=1e-5)
    assert _tools(tmp_path) == ["randomise", "fslmaths", "cluster"]


# -- dual_regression -------------------------------------------------------------------


def test_dual_regression_stage2_maps_into_randomise_and_measured(standin_fsl, tmp_path):
    maps = _img((6, 7, 8, 3), seed=5)  # group ICA maps, in memory
    subjects = [_img((6, 7, 8, 4), seed=s) for s in (6, 7, 8)]  # in memory
    dr = fsl.dual_regression().run(group_IC_maps_4D=maps, in_files=subjects, n_perm=0,
                                   one_sample_group_mean=True)
    assert [p.origin for p in dr.input_files["in_files"]] == ["temporary"] * 3
    out = dr.outputs
    assert [_name(p) for p in out.stage2_ic_maps] == [
        "dr_stage2_ic0000.nii.gz", "dr_stage2_ic0001.nii.gz", "dr_stage2_ic0002.nii.gz"]
    assert out.stage2_ic_maps[0].shape == (6, 7, 8, 3)  # one volume per subject
    assert out.stage3_files == []  # no permutations asked for: randomise is ours to run

    # a component's maps over subjects, tested group against group by randomise
    design = vest_file(tmp_path / "g.mat", [[1, 0], [1, 0], [0, 1]])
    con = vest_file(tmp_path / "g.con", [[1, -1], [-1, 1]], NumContrasts=2)
    rnd = fsl.randomise().run(in_file=out.stage2_ic_maps[0], mask=out.mask,
                              design_mat=design, tcon=con, num_perm=20)
    assert rnd.input_files["in_file"].origin == "original"
    assert rnd.input_files["mask"].origin == "original" and rnd.bytes_written == 0
    assert [_name(p) for p in rnd.outputs.tstat_files] == [
        "randomise_tstat1.nii.gz", "randomise_tstat2.nii.gz"]  # one per contrast
    ic = _loaded(out.stage2_ic_maps[0])
    assert np.allclose(_loaded(rnd.outputs.tstat_files[1]), ic.mean(axis=-1))

    # each subject's z maps measured inside the group mask, one line per component
    stats = fsl.fslstats().run(in_file=out.stage2_z_maps[1], split_4d=True,
                               op_string="-k %s -m", mask_file=out.mask)
    assert stats.bytes_written == 0
    assert _name(out.stage2_z_maps[1]) == "dr_stage2_subject00001_Z.nii.gz"
    z, inside = _loaded(out.stage2_z_maps[1]), _loaded(out.mask) > 0
    assert _one_a_line(stats.outputs.out_stat) == pytest.approx(
        [float(z[..., k][inside].mean()) for k in range(3)], abs=1e-6)
    assert _tools(tmp_path) == ["dual_regression", "randomise", "fslstats"]


# -- feat ------------------------------------------------------------------------------


def test_feat_folders_stats_clustered_and_its_data_measured_in_an_roi(standin_fsl, tmp_path):
    func = _img((6, 7, 8, 4), seed=9, offset=10.0)
    nib.save(func, tmp_path / "func.nii.gz")  # FEAT reads the data the fsf names
    (tmp_path / "a.fsf").write_text('set fmri(outputdir) "analysis"\nset fmri(level) 1\n'
                                    f'set feat_files(1) "{tmp_path}/func.nii.gz"\n')
    res = fsl.feat().run(fsf_file=str(tmp_path / "a.fsf"))
    feat_dir = res.outputs.feat_dir
    assert feat_dir == os.path.join(res.runtime.cwd, "analysis.feat")
    stats_dir = os.path.join(feat_dir, "stats")
    assert sorted(os.listdir(stats_dir)) == [
        "cope1.nii.gz", "pe1.nii.gz", "tstat1.nii.gz", "varcope1.nii.gz", "zstat1.nii.gz"]

    # FEAT's post-stats by hand: zstat1 clustered with cope1, both FEAT's own files
    cl = fsl.cluster().run(in_file=os.path.join(stats_dir, "zstat1.nii.gz"), threshold=2.3,
                           cope_file=os.path.join(stats_dir, "cope1.nii.gz"),
                           out_index_file=True)
    assert cl.input_files["in_file"].origin == "original" and cl.bytes_written == 0
    zstat = _loaded(nib.load(os.path.join(stats_dir, "zstat1.nii.gz")))
    assert cl.outputs.clusters == [] and not (zstat > 2.3).any()  # the stand-in's zeros
    assert cl.outputs.out_index_file.get_filename() == os.path.join(
        cl.runtime.cwd, "zstat1_index.nii.gz")

    # featquery's question: the filtered data's mean in an ROI, volume by volume
    roi = _mask((6, 7, 8), (2, 3, 4), (3, 3, 4), (4, 5, 6))  # in memory
    filtered = os.path.join(feat_dir, "filtered_func_data.nii.gz")
    stats = fsl.fslstats().run(in_file=filtered, split_4d=True, op_string="-k %s -m",
                               mask_file=roi)
    assert stats.input_files["in_file"].origin == "original"
    assert stats.input_files["in_file"].bytes_written == 0
    assert stats.input_files["mask_file"].origin == "temporary"
    values = np.asanyarray(nib.load(filtered).dataobj).astype(np.float64)
    inside = roi.get_fdata() > 0
    expected = [values[..., t][inside].mean() for t in range(4)]
    assert _one_a_line(stats.outputs.out_stat) == pytest.approx(expected, rel=1e-5)
    assert np.allclose(expected, func.get_fdata()[inside].mean(axis=0), rtol=1e-5)
    assert _tools(tmp_path) == ["feat", "cluster", "fslstats"]


# -- dtifit ----------------------------------------------------------------------------


def test_dtifit_fa_into_tbss_1_preproc_and_v1_into_vecreg(standin_fsl, tmp_path):
    fits = []
    for subject, fibre in (("sub01", (1.0, 0.0, 0.0)), ("sub02", (0.0, 1.0, 0.0))):
        dwi, mask, bvecs, bvals = one_fibre_dwi(tmp_path, fibre=fibre)
        fit = fsl.dtifit().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals,
                               base_name=str(tmp_path / subject))
        assert fit.input_files["dwi"].origin == "temporary"
        assert fit.input_files["mask"].origin == "temporary"
        fits.append(fit.outputs)
    assert [_name(f.FA) for f in fits] == ["sub01_FA.nii.gz", "sub02_FA.nii.gz"]
    assert [_name(f.V1) for f in fits] == ["sub01_V1.nii.gz", "sub02_V1.nii.gz"]
    assert fits[0].V1.shape == (6, 7, 8, 3) and fits[0].MD.shape == (6, 7, 8)

    # every subject's FA into TBSS's first step, by its own file (its name names the subject)
    pre = fsl.tbss_1_preproc().run(fa_list=[f.FA for f in fits])
    assert [p.origin for p in pre.input_files["fa_list"]] == ["original"] * 2
    assert pre.bytes_written == 0
    assert pre.argv[1:] == ["sub01_FA.nii.gz", "sub02_FA.nii.gz"]
    assert [_name(i) for i in pre.outputs.fa_list] == ["sub01_FA_FA.nii.gz",
                                                       "sub02_FA_FA.nii.gz"]
    # the stand-in's preprocessing: FA capped at 1, the outermost voxels zeroed
    expected = np.minimum(_loaded(fits[0].FA), 1.0)
    shell = np.zeros(expected.shape, bool)
    shell[1:-1, 1:-1, 1:-1] = True
    expected[~shell] = 0
    assert np.array_equal(_loaded(pre.outputs.fa_list[0]), expected)

    # the first eigenvector registered to a structural grid, rotated with flirt's matrix
    (tmp_path / "diff2str.mat").write_text("1 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 0 1\n")
    structural = _img((9, 10, 11), seed=10)  # in memory
    reg = fsl.vecreg().run(in_file=fits[0].V1, ref_vol=structural,
                           affine_mat=str(tmp_path / "diff2str.mat"))
    assert reg.input_files["in_file"].origin == "original"
    assert reg.input_files["in_file"].bytes_written == 0
    assert reg.input_files["ref_vol"].origin == "temporary"
    registered = reg.outputs.out_file
    assert registered.get_filename() == os.path.join(reg.runtime.cwd, "sub01_V1_vreg.nii.gz")
    assert registered.shape == (9, 10, 11, 3)  # the reference's grid, a vector a voxel
    assert np.allclose(registered.affine, structural.affine)
    assert _tools(tmp_path) == ["dtifit", "dtifit", "tbss_1_preproc", "vecreg"]


# -- bedpostx_gpu, probtrackx2, vecreg ------------------------------------------------------


@pytest.fixture
def gpu_samples(standin_fsl, tmp_path):
    """bedpostx_gpu's results on an in-memory DWI whose fibres run along x."""
    dwi, mask, bvecs, bvals = one_fibre_dwi(tmp_path)
    res = fsl.bedpostx_gpu().run(dwi=dwi, mask=mask, bvecs=bvecs, bvals=bvals, n_fibres=2,
                                 n_jumps=4, sample_every=2)
    assert res.input_files["dwi"].origin == "temporary"
    assert res.outputs.bedpostx_dir == os.path.join(res.runtime.cwd, "bedpostx.bedpostX")
    return res.outputs, mask


def test_bedpostx_gpu_samples_tracked_by_probtrackx2_then_segmented(gpu_samples, tmp_path):
    bpx, mask = gpu_samples
    seed = _mask((6, 7, 8), (3, 3, 3))  # in memory
    ahead, aside = _mask((6, 7, 8), (4, 3, 3)), _mask((6, 7, 8), (3, 5, 5))
    res = fsl.probtrackx2().run(thsamples=bpx.merged_thsamples, phsamples=bpx.merged_phsamples,
                                fsamples=bpx.merged_fsamples, mask=mask, seed=seed,
                                target_masks=[ahead, aside], os2t=True, n_samples=20)
    assert [p.origin for p in res.input_files["thsamples"]] == ["original"] * 2
    assert res.input_files["seed"].origin == "temporary"
    wd = res.runtime.cwd
    assert os.path.realpath(os.path.join(wd, "merged_ph2samples.nii.gz")) == \
        bpx.merged_phsamples[1].get_filename()  # bedpostx_gpu's own file, linked
    out = res.outputs
    assert [_name(p) for p in out.fdt_paths] == ["fdt_paths.nii.gz"]
    assert open(out.way_total).read().split() == ["20"]
    stems = [os.path.basename(p.path).split(".")[0] for p in res.input_files["target_masks"]]
    reached = {_name(p): _loaded(p)[3, 3, 3] for p in out.targets}
    assert reached == {f"seeds_to_{stems[0]}.nii.gz": 20.0, f"seeds_to_{stems[1]}.nii.gz": 0.0}

    # connectivity-based segmentation: each voxel labelled by its most connected target
    biggest = fsl.find_the_biggest().run(in_files=out.targets)
    assert [p.origin for p in biggest.input_files["in_files"]] == ["original"] * 2
    assert biggest.bytes_written == 0
    assert _name(biggest.outputs.out_file) == "biggestSegmentation.nii.gz"
    stack = np.stack([_loaded(p) for p in out.targets], axis=-1)
    labels = biggest.outputs.out_file.get_fdata()
    assert np.array_equal(labels, stack.argmax(axis=-1) + 1)
    ahead_label = [_name(p) for p in out.targets].index(f"seeds_to_{stems[0]}.nii.gz") + 1
    assert labels[3, 3, 3] == ahead_label

    # the path distribution thresholded into a tract mask
    tract = fsl.Threshold().run(in_file=out.fdt_paths[0], thresh=1)
    assert tract.bytes_written == 0
    paths = _loaded(out.fdt_paths[0])
    assert np.array_equal(tract.outputs.out_file.get_fdata(), np.where(paths < 1, 0, paths))
    assert set(np.argwhere(tract.outputs.out_file.get_fdata())[:, 0]) == {1, 2, 3, 4}
    assert _tools(tmp_path) == ["bedpostx_gpu", "probtrackx2", "find_the_biggest", "fslmaths"]


def test_bedpostx_gpu_dyads_registered_by_vecreg_then_measured(gpu_samples, tmp_path):
    bpx, mask = gpu_samples
    reference = _img((6, 7, 8), seed=11)  # in memory, the diffusion grid
    reg = fsl.vecreg().run(in_file=bpx.dyads[0], ref_vol=reference, mask=mask)
    assert reg.input_files["in_file"].origin == "original"
    assert reg.input_files["in_file"].bytes_written == 0
    assert reg.input_files["mask"].origin == "temporary"
    registered = reg.outputs.out_file
    assert _name(registered) == "dyads1_vreg.nii.gz"
    dyads = _loaded(bpx.dyads[0])
    assert np.array_equal(_loaded(registered), dyads)  # the stand-in's identity registration

    # the registered vectors measured, a line per component: the fibres run along x
    stats = fsl.fslstats().run(in_file=registered, split_4d=True, op_string="-k %s -M",
                               mask_file=mask)
    assert stats.input_files["in_file"].origin == "original"
    vectors = _loaded(registered)
    inside = mask.get_fdata() > 0
    expected = []
    for k in range(3):
        values = vectors[..., k][inside]
        expected.append(values[values != 0].mean() if (values != 0).any() else 0.0)
    assert _one_a_line(stats.outputs.out_stat) == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert abs(_one_a_line(stats.outputs.out_stat)[0]) == pytest.approx(1.0, abs=1e-6)
    assert _tools(tmp_path) == ["bedpostx_gpu", "vecreg", "fslstats"]


# -- TBSS: a non-FA measure into randomise ---------------------------------------------


def _fa(seed, shape=(6, 7, 8)):
    values = np.random.default_rng(seed).random(shape).astype(np.float32) * 0.8 + 0.1
    return nib.Nifti1Image(values, AFFINE)


def test_tbss_non_fa_skeletonised_measure_into_randomise_then_thresholded(standin_fsl,
                                                                         tmp_path):
    pre = fsl.tbss_1_preproc().run(fa_list=[_fa(1), _fa(2), _fa(3)])  # in memory
    reg = fsl.tbss_2_reg().run(tbss_dir=pre.outputs.tbss_dir, use_fmrib58=True)
    post = fsl.tbss_3_postreg().run(tbss_dir=reg.outputs.tbss_dir, subject_mean=True)
    prestats = fsl.tbss_4_prestats().run(tbss_dir=post.outputs.tbss_dir, threshold=0.2)
    p = prestats.outputs
    md = [_img((6, 7, 8), seed=20 + k, scale=1e-3, offset=5e-4) for k in range(3)]  # in memory
    nonfa = fsl.tbss_non_FA().run(tbss_dir=p.tbss_dir, measure="MD", measure_files=md)
    assert [f.origin for f in nonfa.input_files["measure_files"]] == ["temporary"] * 3
    skeletonised = nonfa.outputs.all_measure_skeletonised
    assert _name(skeletonised) == "all_MD_skeletonised.nii.gz"
    on = _loaded(p.skeleton_mask) > 0
    assert on.any() and not _loaded(skeletonised)[~on].any()

    # FSL's TBSS statistics: randomise on the skeleton with 2D TFCE, masked by it
    design = vest_file(tmp_path / "design.mat", [[1, 0], [1, 0], [0, 1]])
    con = vest_file(tmp_path / "design.con", [[1, -1]], NumContrasts=1)
    rnd = fsl.randomise().run(in_file=skeletonised, mask=p.skeleton_mask, design_mat=design,
                              tcon=con, tfce2D=True, num_perm=20,
                              base_name=str(tmp_path / "tbss_MD"))
    assert rnd.input_files["in_file"].origin == "original"
    assert rnd.input_files["mask"].origin == "original" and rnd.bytes_written == 0
    out = rnd.outputs
    assert [_name(f) for f in out.tstat_files] == ["tbss_MD_tstat1.nii.gz"]
    assert [_name(f) for f in out.t_corrected_p_files] == ["tbss_MD_tfce_corrp_tstat1.nii.gz"]
    tstat = _loaded(out.tstat_files[0])
    assert np.allclose(tstat, _loaded(skeletonised).mean(axis=-1))
    assert not tstat[~on].any()

    # the corrected p (1-p) map thresholded at 0.95
    sig = fsl.Threshold().run(in_file=out.t_corrected_p_files[0], thresh=0.95)
    assert sig.bytes_written == 0
    corrp = _loaded(out.t_corrected_p_files[0])
    assert np.array_equal(sig.outputs.out_file.get_fdata(), np.where(corrp < 0.95, 0, corrp))
    assert _tools(tmp_path) == ["tbss_1_preproc", "tbss_2_reg", "tbss_3_postreg",
                                "tbss_4_prestats", "tbss_non_FA", "randomise", "fslmaths"]
