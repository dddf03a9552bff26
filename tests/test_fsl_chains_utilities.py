"""Pipelines of FSL's image utilities on the STAND-IN executables
(tests/fsl_standins/bin, NOT FSL): each tool given an in-memory image (handed
over as a temporary), and one of its outputs passed, as its own file, to the
tool a user would run next.  The values of the chained results are checked
against numpy on the loaded outputs, where the stand-in computes something.

The pictures (slicer's PNG, fsl_tsplot's plots through PlotMotionParams and
PlotTimeSeries) are end products: no FSL tool reads them, so they are checked
as pictures and not chained.
"""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest

from fsl_standins.testing import files, standin_calls, standin_fsl  # noqa: F401 (fixtures)
from interfaces import fsl
from interfaces.base import Undefined

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])


def _img(shape=(6, 7, 8), seed=0, scale=100.0, affine=AFFINE):
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random(shape) * scale).astype(np.float32), affine)


def _values(img):
    return np.asanyarray(img.dataobj).astype(np.float64)


def _name(img):
    return os.path.basename(img.get_filename())


def _tools(tmp_path):
    return [c["tool"] for c in standin_calls(tmp_path)]


def _is_png(path):
    with open(path, "rb") as fh:
        return fh.read(8) == b"\x89PNG\r\n\x1a\n"


def _chained(res, name):
    """The input ``name`` was an earlier output, handed over as its own file."""
    prepared = res.input_files[name]
    for one in prepared if isinstance(prepared, list) else [prepared]:
        assert one.origin == "original", (name, one.origin)
        assert one.bytes_written == 0


# -- reorient, crop, regions of interest ---------------------------------------------


def test_reorient_then_field_of_view_then_roi_then_stats(standin_fsl, tmp_path):
    head = _img(seed=1)
    std = fsl.fslreorient2std().run(in_file=head)
    assert std.input_files["in_file"].origin == "temporary"
    reoriented = std.outputs.out_file
    assert _name(reoriented) == "in_file_reoriented.nii.gz"
    assert np.allclose(_values(reoriented), _values(head))  # already standard: a copy

    fov = fsl.robustfov().run(in_file=reoriented, out_transform=True)
    _chained(fov, "in_file")
    assert fov.bytes_written == 0
    roi_of_head = fov.outputs.out_roi
    assert _name(roi_of_head) == "in_file_reoriented_ROI.nii.gz"
    assert os.path.basename(fov.outputs.out_transform) == "in_file_reoriented_to_ROI.mat"
    assert np.allclose(np.loadtxt(fov.outputs.out_transform), np.eye(4))

    roi = fsl.fslroi().run(in_file=roi_of_head, x_min=1, x_size=3, y_min=2, y_size=4,
                           z_min=0, z_size=-1)
    _chained(roi, "in_file")
    assert roi.argv[-6:] == ["1", "3", "2", "4", "0", "-1"]
    box = roi.outputs.roi_file
    assert _name(box) == "in_file_reoriented_ROI_roi.nii.gz"
    assert box.shape == (3, 4, 8)
    assert np.allclose(_values(box), _values(roi_of_head)[1:4, 2:6, :])

    stats = fsl.fslstats().run(in_file=box, op_string="-m -R")
    _chained(stats, "in_file")
    loaded = _values(nib.load(box.get_filename()))
    assert np.allclose(stats.outputs.out_stat, [loaded.mean(), loaded.min(), loaded.max()],
                       atol=1e-5)
    assert _tools(tmp_path) == ["fslreorient2std", "robustfov", "fslroi", "fslstats"]


def test_robustfov_matrix_decomposed_by_avscale(standin_fsl, tmp_path):
    head = _img(seed=2)
    fov = fsl.robustfov().run(in_file=head, brainsize=150, out_transform=True)
    assert fov.input_files["in_file"].origin == "temporary"
    assert fov.argv[fov.argv.index("-b") + 1] == "150"
    assert np.allclose(_values(fov.outputs.out_roi), _values(head))
    matrix = fov.outputs.out_transform
    assert os.path.basename(matrix) == "in_file_to_ROI.mat"

    # avscale: the matrix (robustfov's, as flirt's) with an in-memory reference
    scale = fsl.avscale().run(mat_file=matrix, ref_file=_img(seed=3), all_param=True)
    assert scale.input_files["ref_file"].origin == "temporary"
    assert scale.argv[-2] == matrix  # robustfov's own file
    m = np.loadtxt(matrix)
    out = scale.outputs
    assert np.allclose(out.rotation_translation_matrix, m)
    assert np.allclose(out.scales, np.linalg.norm(m[:3, :3], axis=0))
    assert np.allclose(out.translations, m[:3, 3])
    assert out.determinant == pytest.approx(np.linalg.det(m[:3, :3]))
    assert out.left_right_orientation_preserved is True
    assert _tools(tmp_path) == ["robustfov", "avscale"]


def test_flirt_matrix_decomposed_by_avscale(standin_fsl, tmp_path, files):
    # flirt -init m1 -omat: the stand-in writes the initial matrix (a translation)
    reg = fsl.flirt().run(source=_img(seed=4), target=_img(seed=5),
                          in_matrix_file=files["m1.mat"])
    scale = fsl.avscale().run(mat_file=reg.outputs.out_matrix_file, ref_file=_img(seed=5))
    assert scale.argv[-2] == reg.outputs.out_matrix_file  # flirt's own file
    m = np.loadtxt(reg.outputs.out_matrix_file)
    assert np.allclose(scale.outputs.rotation_translation_matrix, m)
    assert scale.outputs.average_scaling == pytest.approx(1.0)
    assert scale.outputs.translations is Undefined  # not asked for (all_param)
    assert _tools(tmp_path) == ["flirt", "avscale"]


# -- volumes and slices: split, merge, spectra ------------------------------------------


def test_volumes_of_a_series_cut_merged_and_split(standin_fsl, tmp_path):
    series = _img((6, 7, 8, 4), seed=6)
    roi = fsl.fslroi().run(in_file=series, t_min=1, t_size=2)
    assert roi.input_files["in_file"].origin == "temporary"
    two = roi.outputs.roi_file
    assert _name(two) == "in_file_roi.nii.gz"
    assert np.allclose(_values(two), _values(series)[..., 1:3])

    extra = _img(seed=7)  # one more volume, in memory
    merge = fsl.fslmerge().run(dimension="tr", in_files=[two, extra], tr=2.5)
    assert [p.origin for p in merge.input_files["in_files"]] == ["original", "temporary"]
    assert merge.input_files["in_files"][0].bytes_written == 0
    assert merge.argv[-1] == "2.50"
    merged = merge.outputs.merged_file
    assert _name(merged) == "in_file_roi_merged.nii.gz"
    want = np.concatenate([_values(two), _values(extra)[..., None]], axis=3)
    assert np.allclose(_values(merged), want)

    split = fsl.fslsplit().run(in_file=merged, dimension="t")
    _chained(split, "in_file")
    pieces = split.outputs.out_files
    assert [_name(p) for p in pieces] == ["vol0000.nii.gz", "vol0001.nii.gz",
                                          "vol0002.nii.gz"]
    loaded = _values(nib.load(merged.get_filename()))
    for k, piece in enumerate(pieces):
        assert np.allclose(_values(piece)[..., 0], loaded[..., k])
    assert _tools(tmp_path) == ["fslroi", "fslmerge", "fslsplit"]


def test_axial_slices_merged_back_along_z(standin_fsl, tmp_path):
    volume = _img(seed=8)
    sliced = fsl.fslslice().run(in_file=volume)
    assert sliced.input_files["in_file"].origin == "temporary"
    slices = sliced.outputs.out_files
    assert [_name(s) for s in slices] == [f"in_file_slice_{k:04d}.nii.gz" for k in range(8)]
    assert all(s.shape == (6, 7, 1) for s in slices)
    merge = fsl.fslmerge().run(dimension="z", in_files=slices)
    _chained(merge, "in_files")
    assert merge.bytes_written == 0
    merged = merge.outputs.merged_file
    assert _name(merged) == "in_file_slice_0000_merged.nii.gz"
    assert np.allclose(_values(merged), _values(volume))
    assert _tools(tmp_path) == ["fslslice", "fslmerge"]


def test_power_spectrum_into_fslstats(standin_fsl, tmp_path):
    series = _img((6, 7, 8, 5), seed=9)
    spectrum = fsl.fslpspec().run(in_file=series)
    assert spectrum.input_files["in_file"].origin == "temporary"
    ps = spectrum.outputs.out_file
    assert _name(ps) == "in_file_ps.nii.gz"
    assert ps.shape == (6, 7, 8, 5)
    stats = fsl.fslstats().run(in_file=ps, split_4d=True, op_string="-M")
    _chained(stats, "in_file")
    loaded = _values(nib.load(ps.get_filename()))
    want = [loaded[..., k][loaded[..., k] != 0].mean() for k in range(5)]
    assert np.allclose(np.ravel(stats.outputs.out_stat), want, atol=1e-5)
    assert _tools(tmp_path) == ["fslpspec", "fslstats"]


# -- orientation and geometry -----------------------------------------------------------


def test_swapped_axes_orientation_read_by_fslorient(standin_fsl, tmp_path):
    volume = _img(seed=10)
    swap = fsl.fslswapdim().run(in_file=volume, new_dims=("-x", "y", "z"))
    assert swap.input_files["in_file"].origin == "temporary"
    assert swap.argv[2:5] == ["-x", "y", "z"]
    swapped = swap.outputs.out_file
    assert _name(swapped) == "in_file_newdims.nii.gz"
    assert np.allclose(_values(swapped), np.flip(_values(volume), 0))

    orient = fsl.fslorient().run(in_file=swapped, get_orient=True)
    # fslorient edits its input in place: it gets a private copy of the file
    assert orient.input_files["in_file"].origin == "copy"
    assert orient.input_files["in_file"].path != swapped.get_filename()
    det = np.linalg.det(nib.load(swapped.get_filename()).affine[:3, :3])
    assert orient.outputs.value == ("RADIOLOGICAL" if det < 0 else "NEUROLOGICAL")
    assert _tools(tmp_path) == ["fslswapdim", "fslorient"]


def test_sform_set_by_fslorient_copied_by_fslcpgeom(standin_fsl, tmp_path):
    sform = np.array([[3.0, 0, 0, -10], [0, 3, 0, -20], [0, 0, 3, -30], [0, 0, 0, 1]])
    template = _img(seed=11)
    orient = fsl.fslorient().run(in_file=template, set_sform=list(sform.ravel()))
    prepared = orient.input_files["in_file"]
    # no file of its own: a copy written for the tool to edit
    assert prepared.origin == "copy" and prepared.bytes_written > 0
    assert orient.argv[1] == "-setsform"
    assert [float(v) for v in orient.argv[2:18]] == list(sform.ravel())
    geometry = orient.outputs.out_file
    assert np.allclose(nib.load(geometry.get_filename()).get_sform(), sform)
    assert np.allclose(_values(geometry), _values(template))  # the data stay
    assert np.allclose(template.affine, AFFINE)  # the in-memory image is unchanged

    subject = _img(seed=12)
    cp = fsl.fslcpgeom().run(in_file=geometry, dest_file=subject)
    _chained(cp, "in_file")
    assert cp.input_files["dest_file"].origin == "copy"  # edited: written for the tool
    moved = cp.outputs.out_file
    assert np.allclose(nib.load(moved.get_filename()).affine, sform)
    assert np.allclose(_values(moved), _values(subject))  # the data stay
    assert np.allclose(subject.affine, AFFINE)

    stats = fsl.fslstats().run(in_file=moved, op_string="-M")
    _chained(stats, "in_file")
    loaded = _values(nib.load(moved.get_filename()))
    assert stats.outputs.out_stat == pytest.approx(loaded[loaded != 0].mean(), abs=1e-5)
    assert _tools(tmp_path) == ["fslorient", "fslcpgeom", "fslstats"]


# -- maps from masks, field maps and connectivity -----------------------------------------


def test_distance_map_thresholded_by_fslmaths(standin_fsl, tmp_path):
    mask = nib.Nifti1Image((_values(_img(seed=13)) > 70).astype(np.float32), AFFINE)
    dist = fsl.distancemap().run(in_file=mask, local_max_file=True)
    assert dist.input_files["in_file"].origin == "temporary"
    distances = dist.outputs.distance_map
    assert _name(distances) == "in_file_dstmap.nii.gz"
    assert _name(dist.outputs.local_max_file) == "in_file_lclmax.nii.gz"
    maths = fsl.fslmaths().run(in_file=distances, op_string="-thr 0.5 -bin")
    _chained(maths, "in_file")
    loaded = _values(nib.load(distances.get_filename()))
    assert np.array_equal(_values(maths.outputs.out_file), (loaded >= 0.5).astype(float))
    assert _tools(tmp_path) == ["distancemap", "fslmaths"]


def test_biggest_segmentation_as_an_index_mask_for_fslstats(standin_fsl, tmp_path):
    seeds = [_img(seed=s) for s in (14, 15, 16)]  # probtrackx's seeds_to_* images
    biggest = fsl.find_the_biggest().run(in_files=seeds)
    assert [p.origin for p in biggest.input_files["in_files"]] == ["temporary"] * 3
    labels = biggest.outputs.out_file
    assert _name(labels) == "biggestSegmentation.nii.gz"
    want = np.stack([_values(s) for s in seeds], axis=-1).argmax(axis=-1) + 1
    assert np.array_equal(_values(labels), want)

    stats = fsl.fslstats().run(index_mask_file=labels, in_file=seeds[0], op_string="-m")
    _chained(stats, "index_mask_file")
    index = _values(nib.load(labels.get_filename())).astype(int)
    first = _values(seeds[0])
    assert np.allclose(np.ravel(stats.outputs.out_stat),
                       [first[index == k].mean() for k in (1, 2, 3)], atol=1e-5)
    assert _tools(tmp_path) == ["find_the_biggest", "fslstats"]


def test_signal_loss_thresholded_into_a_mask(standin_fsl, tmp_path):
    fieldmap, brain = _img(seed=17), _img(seed=18)
    loss = fsl.sigloss().run(in_file=fieldmap, mask_file=brain, echo_time=0.03,
                             slice_direction="z")
    assert loss.input_files["in_file"].origin == "temporary"
    assert "--te=0.030000" in loss.argv and loss.argv[loss.argv.index("-d") + 1] == "z"
    estimate = loss.outputs.out_file
    assert _name(estimate) == "in_file_sigloss.nii.gz"
    keep = fsl.fslmaths().run(in_file=estimate, op_string="-thr 50 -bin")
    _chained(keep, "in_file")
    loaded = _values(nib.load(estimate.get_filename()))
    assert np.array_equal(_values(keep.outputs.out_file), (loaded >= 50).astype(float))
    assert _tools(tmp_path) == ["sigloss", "fslmaths"]


# -- statistic images: mixture models and clusters ----------------------------------------


def test_mixture_model_activation_into_cluster_then_fslstats(standin_fsl, tmp_path):
    rng = np.random.default_rng(19)
    zstat = nib.Nifti1Image(rng.normal(0, 2, (6, 7, 8)).astype(np.float32), AFFINE)
    mask = nib.Nifti1Image(np.ones((6, 7, 8), np.float32), AFFINE)
    mix = fsl.mm().run(spatial_data_file=zstat, mask=mask)
    assert mix.input_files["spatial_data_file"].origin == "temporary"
    assert mix.input_files["mask"].origin == "temporary"
    out = mix.outputs
    assert os.path.basename(out.log_dir) == "logdir"
    assert _name(out.activation_p_map) == "w2_mean.nii.gz"
    assert os.path.dirname(out.activation_p_map.get_filename()) == out.log_dir
    assert np.allclose(_values(out.null_p_map) + _values(out.activation_p_map), 1.0,
                       atol=1e-6)

    clusters = fsl.cluster().run(in_file=out.activation_p_map, threshold=0.9,
                                 out_index_file=True, out_threshold_file=True,
                                 out_localmax_txt_file=True)
    _chained(clusters, "in_file")
    p = _values(nib.load(out.activation_p_map.get_filename()))
    above = p > 0.9
    assert above.any()
    table = clusters.outputs.clusters
    assert len(table) == 1 and table[0]["Voxels"] == int(above.sum())
    assert table[0]["MAX"] == pytest.approx(p.max(), rel=1e-5)
    index = clusters.outputs.out_index_file
    assert _name(index) == "w2_mean_index.nii.gz"
    assert _name(clusters.outputs.out_threshold_file) == "w2_mean_threshold.nii.gz"
    assert os.path.basename(clusters.outputs.out_localmax_txt_file) == "w2_mean_localmax.txt"
    assert np.allclose(_values(clusters.outputs.out_threshold_file), p * above, atol=1e-6)

    # the cluster index as an index mask: voxels and mean of each cluster
    stats = fsl.fslstats().run(index_mask_file=index, in_file=out.activation_p_map,
                               op_string="-V -m")
    _chained(stats, "index_mask_file")
    labels = _values(nib.load(index.get_filename())).astype(int)
    voxels, _, mean = np.ravel(stats.outputs.out_stat)
    assert voxels == int((labels == 1).sum()) == table[0]["Voxels"]
    assert mean == pytest.approx(p[labels == 1].mean(), abs=1e-5)
    assert _tools(tmp_path) == ["mm", "cluster", "fslstats"]


def test_cluster_of_an_in_memory_zstat_and_its_size_image(standin_fsl, tmp_path):
    zstat = _img(seed=20, scale=5.0)
    res = fsl.cluster().run(in_file=zstat, threshold=4.0, out_size_file=True, connectivity=6)
    assert res.input_files["in_file"].origin == "temporary"
    assert "--connectivity=6" in res.argv and "--thresh=4.0000000000" in res.argv
    size = res.outputs.out_size_file
    assert _name(size) == "in_file_size.nii.gz"
    assert res.outputs.out_index_file is Undefined  # not asked for
    masked = fsl.fslmaths().run(in_file=zstat, mask_file=size)
    _chained(masked, "mask_file")
    loaded = _values(nib.load(size.get_filename()))
    assert np.allclose(_values(masked.outputs.out_file), _values(zstat) * (loaded > 0),
                       atol=1e-5)
    assert _tools(tmp_path) == ["cluster", "fslmaths"]


# -- motion: outliers as confounds, plots of the parameters --------------------------------


def test_motion_outliers_as_confounds_of_fsl_glm_and_their_plots(standin_fsl, tmp_path):
    series = _img((6, 7, 8, 5), seed=21)
    moco = fsl.mcflirt().run(in_file=series, save_plots=True)
    outliers = fsl.fsl_motion_outliers().run(in_file=series, metric="dvars",
                                            no_motion_correction=True)
    assert outliers.input_files["in_file"].origin == "temporary"
    out = outliers.outputs
    assert os.path.basename(out.out_file) == "in_file_outliers.txt"
    assert os.path.basename(out.out_metric_values) == "in_file_metrics.txt"
    assert _is_png(out.out_metric_plot)
    values = _values(series)
    want = [np.abs(values[..., k] - values[..., 0]).mean() for k in range(5)]
    assert np.allclose(out.metric_values, want, atol=1e-5)

    # one row per volume: the confound matrix is a design for fsl_glm
    confounds = np.loadtxt(out.out_file, ndmin=2)
    assert confounds.shape[0] == 5
    glm = fsl.fsl_glm().run(in_file=moco.outputs.out_file, design=out.out_file)
    _chained(glm, "in_file")
    assert glm.argv[glm.argv.index("-d") + 1] == out.out_file
    assert glm.outputs.out_file.shape == (6, 7, 8, confounds.shape[1])

    # the metric per volume plotted (a picture: an end product)
    plot = fsl.PlotTimeSeries().run(in_file=out.out_metric_values, title="DVARS")
    assert plot.argv[plot.argv.index("-i") + 1] == out.out_metric_values
    assert os.path.basename(plot.outputs.out_file) == "in_file_metrics.png"
    assert _is_png(plot.outputs.out_file)
    motion = fsl.PlotMotionParams().run(in_file=moco.outputs.par_file, in_source="fsl",
                                        plot_type="translations")
    assert os.path.basename(motion.outputs.out_file) == "in_file_mcf_trans.png"
    assert "--start=4" in motion.argv and "--finish=6" in motion.argv
    assert _is_png(motion.outputs.out_file)
    assert _tools(tmp_path) == ["mcflirt", "fsl_motion_outliers", "fsl_glm", "fsl_tsplot",
                                "fsl_tsplot"]


def test_outlier_confounds_regressed_out_by_fsl_regfilt(standin_fsl, tmp_path):
    series = _img((6, 7, 8, 4), seed=22)
    outliers = fsl.fsl_motion_outliers().run(in_file=series)
    filtered = fsl.fsl_regfilt().run(in_file=series, design_file=outliers.outputs.out_file,
                                     filter_all=True)
    assert filtered.input_files["in_file"].origin == "temporary"
    ncols = np.loadtxt(outliers.outputs.out_file, ndmin=2).shape[1]
    assert filtered.argv[filtered.argv.index("-f") + 1] == ",".join(
        str(k) for k in range(1, ncols + 1))
    assert filtered.argv[filtered.argv.index("-d") + 1] == outliers.outputs.out_file
    assert _name(filtered.outputs.out_file) == "in_file_regfilt.nii.gz"
    assert np.allclose(_values(filtered.outputs.out_file), _values(series))
    assert _tools(tmp_path) == ["fsl_motion_outliers", "fsl_regfilt"]


# -- design matrices: VEST and text --------------------------------------------------------


def test_vest_design_to_text_and_into_fsl_glm(standin_fsl, tmp_path, files):
    design = np.array([[1.0, 0.5], [1.0, -0.5], [1.0, 1.5], [1.0, 0.0]])
    np.savetxt(tmp_path / "design_in.txt", design, fmt="%g")
    vest = fsl.Text2Vest().run(in_file=str(tmp_path / "design_in.txt"),
                               out_file=str(tmp_path / "design.mat"))
    assert open(vest.outputs.out_file).read().startswith("/NumWaves 2\n/NumPoints 4\n")
    text = fsl.Vest2Text().run(in_file=vest.outputs.out_file)
    assert text.argv[1] == vest.outputs.out_file
    assert os.path.basename(text.outputs.out_file) == "design.txt"  # FSL's default name
    assert np.allclose(np.loadtxt(text.outputs.out_file), design)

    # the text design, for a series of 4 volumes
    glm = fsl.fsl_glm().run(in_file=files["f"], design=text.outputs.out_file)  # 4 volumes
    assert glm.argv[glm.argv.index("-d") + 1] == text.outputs.out_file
    assert glm.outputs.out_file.shape == (8, 9, 10, 2)
    back = fsl.Text2Vest().run(in_file=text.outputs.out_file,
                               out_file=str(tmp_path / "again.mat"))
    assert open(back.outputs.out_file).read() == open(vest.outputs.out_file).read()
    assert _tools(tmp_path) == ["Text2Vest", "Vest2Text", "fsl_glm", "Text2Vest"]


# -- coordinates ---------------------------------------------------------------------------


def test_standard_points_to_the_image_and_back(standin_fsl, tmp_path):
    image, standard = _img(seed=24), _img(seed=25)
    points = np.array([[-10.0, 4.0, 12.5], [0.0, -8.0, 3.0]])
    to_img = fsl.std2imgcoord().run(in_coords=points, img_file=image, std_file=standard,
                                    coord_mm=True)
    assert to_img.input_files["img_file"].origin == "temporary"
    assert to_img.input_files["std_file"].origin == "temporary"
    assert os.path.basename(to_img.outputs.out_file) == "in_coords_warped.txt"
    assert np.allclose(np.loadtxt(to_img.outputs.out_file), to_img.outputs.coordinates)
    assert np.allclose(to_img.outputs.coordinates, points)  # no matrix: the same points
    back = fsl.img2stdcoord().run(in_coords=to_img.outputs.out_file, img_file=image,
                                  std_file=standard, coord_mm=True)
    assert back.argv[-1] == to_img.outputs.out_file
    assert np.allclose(back.outputs.coordinates, np.loadtxt(to_img.outputs.out_file))
    assert _tools(tmp_path) == ["std2imgcoord", "img2stdcoord"]


# -- pictures ------------------------------------------------------------------------------


def test_overlay_of_statistics_shown_by_slicer(standin_fsl, tmp_path):
    background, zstat = _img(seed=26), _img(seed=27, scale=5.0)
    over = fsl.overlay().run(background_image=background, stat_image=zstat,
                             auto_thresh_bg=True, stat_thresh=(2.3, 5.0))
    assert over.input_files["background_image"].origin == "temporary"
    assert over.input_files["stat_image"].origin == "temporary"
    assert over.argv[1:3] == ["1", "0"] and "2.30" in over.argv
    rendered = over.outputs.out_file
    assert _name(rendered) == "stat_image_overlay.nii.gz"
    assert rendered.shape == (6, 7, 8, 3)
    assert np.allclose(_values(rendered)[..., 0], _values(background))

    edges = nib.Nifti1Image((_values(zstat) > 2.3).astype(np.float32), AFFINE)
    picture = fsl.slicer().run(in_file=rendered, image_edges=edges, middle_slices=True,
                               out_file=str(tmp_path / "overlay.png"))
    _chained(picture, "in_file")
    assert picture.input_files["image_edges"].origin == "temporary"
    assert picture.argv[1] == rendered.get_filename() and "-a" in picture.argv
    assert picture.outputs.out_file == str(tmp_path / "overlay.png")
    assert _is_png(picture.outputs.out_file)  # an end product: nothing in FSL reads it
    named = fsl.slicer().run(in_file=background, single_slice="z", slice_number=4)
    assert os.path.basename(named.outputs.out_file) == "in_file.png"
    assert named.argv[-3:-1] == ["-z", "-4"]
    assert _tools(tmp_path) == ["overlay", "slicer", "slicer"]
