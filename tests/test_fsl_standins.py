"""End to end with the STAND-IN executables (tests/fsl_standins/bin, not FSL):
in-memory images in, outputs named, found and loaded, numbers parsed.

The stand-ins honour each tool's command line and write its outputs with
nibabel (trivial data, real arithmetic for fslstats and part of fslmaths), so
these tests check our side of the contract: what we pass, where we expect
the files, how we load them.
"""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest

import imagecache
from fsl_standins.testing import standin_calls, files, standin_fsl  # noqa: F401 (fixtures)
from interfaces import fsl
from interfaces.base import Undefined


def _img(shape=(8, 9, 10), seed=0, scale=100.0):
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random(shape) * scale).astype(np.float32),
                           np.diag([2.0, 2.0, 2.0, 1.0]))



def test_flirt_source_target_in_memory_exactly_as_the_user_wrote_it(standin_fsl, tmp_path):
    img, template = _img(seed=1), _img((10, 11, 12), seed=2)
    res = fsl.flirt().run(source=img, target=template)
    assert res.outputs.out_file.shape == (10, 11, 12)
    assert not imagecache.is_dirty(res.outputs.out_file)
    matrix = fsl.load_matrix(res.outputs.out_matrix_file)
    assert matrix.shape == (4, 4) and np.allclose(matrix, np.eye(4))
    assert os.path.basename(res.outputs.out_file.get_filename()) == "source_flirt.nii.gz"
    assert standin_calls(tmp_path)[0]["tool"] == "flirt"


def test_chaining_passes_outputs_without_writing(standin_fsl):
    img = _img()
    brain = fsl.bet().run(in_file=img, mask=True, frac=0.3)
    assert brain.bytes_written > 0  # the in-memory image was written once
    reg = fsl.flirt().run(source=brain.outputs.out_file, target=brain.outputs.mask_file)
    assert reg.bytes_written == 0  # outputs are clean file-backed images
    assert reg.input_files["source"].origin == "original"
    again = fsl.applyxfm().run(source=brain.outputs.out_file, target=img,
                               in_matrix_file=reg.outputs.out_matrix_file)
    assert again.outputs.out_file.shape == img.shape


def test_bet_every_output_and_stderr_is_not_failure(standin_fsl):
    img = _img()
    res = fsl.bet().run(in_file=img, mask=True, outline=True, skull=True, mesh=True)
    assert "stderr" in res.runtime.stderr  # bet talks on stderr, yet it succeeded
    out = res.outputs
    for name in ("out_file", "mask_file", "outline_file", "skull_file"):
        assert getattr(out, name).shape == img.shape, name
    assert out.meshfile.endswith("in_file_brain_mesh.vtk") and os.path.exists(out.meshfile)
    mask = np.asanyarray(out.mask_file.dataobj)
    assert set(np.unique(mask)) <= {0, 1} and mask.any()
    assert out.inskull_mask_file is Undefined  # not asked for


def test_bet_surfaces_and_no_output(standin_fsl):
    res = fsl.bet().run(in_file=_img(), surfaces=True)
    for name in ("inskull_mask_file", "outskull_mask_file", "outskin_mask_file",
                 "skull_mask_file"):
        assert getattr(res.outputs, name).shape == (8, 9, 10)
    assert os.path.exists(res.outputs.outskin_mesh_file)
    res = fsl.bet().run(in_file=_img(), no_output=True, mask=True)
    assert res.outputs.out_file is Undefined and res.outputs.mask_file.shape == (8, 9, 10)


@pytest.mark.parametrize("kind,ext", sorted(fsl.OUTPUT_TYPES.items()))
def test_output_type_decides_names_and_files(standin_fsl, monkeypatch, kind, ext):
    monkeypatch.setenv("FSLOUTPUTTYPE", kind)
    res = fsl.bet().run(in_file=_img(), mask=True)
    assert res.outputs.mask_file.get_filename().endswith("in_file_brain_mask" + ext)
    assert res.outputs.out_file.shape == (8, 9, 10)


@pytest.mark.parametrize("kind,ext", sorted(fsl.OUTPUT_TYPES.items()))
@pytest.mark.parametrize("given", ["brain", "brain.nii", "brain.img", "brain.nii.gz"])
def test_an_output_named_with_another_extension_or_none_is_found_as_fsl_writes_it(
        standin_fsl, tmp_path, kind, ext, given):
    # FSL writes `brain`, `brain.nii`... as brain + FSLOUTPUTTYPE's extension
    target = tmp_path / "out"
    target.mkdir()
    img = _img()
    res = fsl.bet(output_type=kind).run(in_file=img, out_file=str(target / given))
    assert res.argv[-1] == str(target / given)  # passed as given (as nipype)
    out = res.outputs.out_file
    assert out.get_filename() == str(target / ("brain" + ext))
    kept = out.get_fdata() != 0  # bet's stand-in keeps the brain's voxels as they were
    assert kept.any() and np.allclose(out.get_fdata()[kept], img.get_fdata()[kept], atol=1e-4)
    written = {"brain" + ext} | ({"brain.hdr" if ext == ".img" else "brain.hdr.gz"}
                                 if ext.startswith(".img") else set())
    assert set(os.listdir(target)) == written
    # a chain takes it by that file; a dry run names it too
    stats = fsl.fslstats().run(in_file=out, op_string="-M")
    assert stats.input_files["in_file"].path == out.get_filename()
    from fsl_standins.testing import run_of
    preview = run_of(fsl.bet(output_type=kind), in_file=img, out_file=str(target / given))
    assert preview.outputs.out_file == str(target / ("brain" + ext))


def test_default_names_that_keep_a_temporarys_extension_are_found(standin_fsl):
    # distancemap keeps in_file's extension (as nipype): an in-memory image's
    # temporary is a .nii, and FSL writes the NIFTI_GZ name it is given as .nii.gz
    res = fsl.distancemap().run(in_file=_img())
    assert res.argv[1].endswith("/in_file_dstmap.nii")
    assert res.outputs.distance_map.get_filename().endswith("/in_file_dstmap.nii.gz")


def test_output_type_per_interface(standin_fsl):
    res = fsl.fslmaths(output_type="NIFTI_PAIR").run(in_file=_img(), op_string="-abs")
    assert res.outputs.out_file.get_filename().endswith("in_file_maths.img")
    assert os.path.exists(res.outputs.out_file.get_filename()[:-4] + ".hdr")


def test_maths_chain_computes_and_returns_the_image(standin_fsl):
    img = _img()
    mask = nib.Nifti1Image((img.get_fdata() > 50).astype(np.float32), img.affine)
    chain = fsl.maths(img).thr(20).mas(mask).bin().mul(3)
    assert chain.op_string == "-thr 20 -mas %s -bin -mul 3"
    res = chain.run()
    expected = (img.get_fdata() > 50) * 3.0
    assert np.array_equal(res.outputs.out_file.get_fdata(), expected)
    base = fsl.maths(img).add(1)
    assert base.sub(img).op_string == "-add 1 -sub %s"  # chains are not modified
    assert base.op_string == "-add 1"
    out = fsl.maths(img, output_datatype="char").op("-thr", 50).bin().run()
    assert out.outputs.out_file.get_data_dtype() == np.uint8


def test_fslmaths_raw_and_operands(standin_fsl):
    a, b = _img(seed=1), _img(seed=2)
    res = fsl.fslmaths().run(in_file=a, op_string="-add %s -div 2", operand_files=[b])
    assert np.allclose(res.outputs.out_file.get_fdata(),
                       (a.get_fdata() + b.get_fdata()) / 2, atol=1e-4)


def test_fslstats_returns_numbers(standin_fsl):
    img = _img()
    data = img.get_fdata()
    res = fsl.fslstats().run(in_file=img, op_string="-M")
    assert isinstance(res.outputs.out_stat, float)
    assert res.outputs.out_stat == pytest.approx(data[data != 0].mean(), rel=1e-5)
    lo, hi = fsl.fslstats().run(in_file=img, op_string="-R").outputs.out_stat
    assert (lo, hi) == (pytest.approx(data.min(), rel=1e-5), pytest.approx(data.max(), rel=1e-5))
    series = fsl.fslstats().run(in_file=_img((4, 4, 4, 3)), op_string="-m", split_4d=True)
    assert len(series.outputs.out_stat) == 3
    assert all(isinstance(row, list) and len(row) == 1 for row in series.outputs.out_stat)
    mask = nib.Nifti1Image((data > 50).astype(np.float32), img.affine)
    masked = fsl.fslstats().run(in_file=img, op_string="-k %s -m", mask_file=mask)
    assert masked.outputs.out_stat == pytest.approx(data[data > 50].mean(), rel=1e-5)


def test_fslroi_fslmerge_fslsplit_round_trip(standin_fsl):
    series = _img((4, 5, 6, 3))
    roi = fsl.fslroi().run(in_file=series, t_min=1, t_size=2)
    assert roi.outputs.roi_file.shape == (4, 5, 6, 2)
    pieces = fsl.fslsplit().run(in_file=series, dimension="t").outputs.out_files
    assert [os.path.basename(p.get_filename()) for p in pieces] == [
        "vol0000.nii.gz", "vol0001.nii.gz", "vol0002.nii.gz"]
    merged = fsl.fslmerge().run(in_files=pieces, dimension="t").outputs.merged_file
    assert np.allclose(merged.get_fdata(), series.get_fdata(), atol=1e-4)
    assert os.path.basename(merged.get_filename()) == "vol0000_merged.nii.gz"


def test_fslorient_and_fslcpgeom_never_modify_the_users_file(standin_fsl, tmp_path):
    path = str(tmp_path / "mine.nii.gz")
    nib.save(_img(), path)
    before = open(path, "rb").read()
    res = fsl.fslorient().run(in_file=path, set_sformcode=4)
    assert open(path, "rb").read() == before
    assert int(res.outputs.out_file.header["sform_code"]) == 4
    assert fsl.fslorient().run(in_file=path, get_sformcode=True).outputs.value == int(
        nib.load(path).header["sform_code"])
    assert fsl.fslorient().run(in_file=path, get_orient=True).outputs.value in (
        "RADIOLOGICAL", "NEUROLOGICAL")
    other = nib.Nifti1Image(np.zeros((8, 9, 10), np.float32), np.diag([3.0, 3, 3, 1]))
    res = fsl.fslcpgeom().run(in_file=other, dest_file=path)
    assert open(path, "rb").read() == before
    assert np.allclose(res.outputs.out_file.affine, other.affine)


def test_fast_lists_and_prefix(standin_fsl):
    res = fsl.fast().run(in_files=[_img()], number_classes=3, segments=True,
                         output_biasfield=True)
    out = res.outputs
    assert os.path.basename(out.out_basename) == "in_files"
    assert out.tissue_class_map.shape == (8, 9, 10)
    assert len(out.partial_volume_files) == 3 and len(out.tissue_class_files) == 3
    assert len(out.bias_field) == 1 and out.probability_maps is Undefined  # not asked
    res = fsl.fast().run(in_files=[_img()], no_pve=True)
    assert res.outputs.partial_volume_files == [] and res.outputs.partial_volume_map is Undefined


def test_mcflirt_outputs(standin_fsl):
    res = fsl.mcflirt().run(in_file=_img((4, 4, 4, 3)), save_mats=True, save_plots=True,
                            save_rms=True, stats_imgs=True, mean_vol=True)
    out = res.outputs
    assert len(out.mat_file) == 3 and fsl.load_matrix(out.mat_file[0]).shape == (4, 4)
    assert out.par_file.endswith("in_file_mcf.par")
    assert len(out.rms_files) == 4
    assert out.variance_img.shape == (4, 4, 4) and out.mean_img.shape == (4, 4, 4)


def test_registration_family(standin_fsl, files):
    a, b = _img(seed=3), _img(seed=4)
    nl = fsl.fnirt().run(in_file=a, ref_file=b, field_file=True)
    assert nl.outputs.fieldcoeff_file.shape[:3] == b.shape
    assert os.path.exists(nl.outputs.log_file) and nl.outputs.field_file is not Undefined
    warped = fsl.applywarp().run(in_file=a, ref_file=b, field_file=nl.outputs.field_file)
    assert warped.outputs.out_file.shape == b.shape
    inv = fsl.invwarp().run(warp=nl.outputs.field_file, reference=a)
    assert inv.outputs.inverse_warp.shape == nl.outputs.field_file.shape
    cw = fsl.convertwarp().run(reference=b, warp1=nl.outputs.field_file)
    assert cw.outputs.out_file.shape[:3] == b.shape
    inv_mat = fsl.convert_xfm().run(in_file=files["m1.mat"], invert_xfm=True)
    assert np.allclose(fsl.load_matrix(inv_mat.outputs.out_file),
                       np.linalg.inv(fsl.load_matrix(files["m1.mat"])))
    cat = fsl.convert_xfm().run(in_file=files["m1.mat"], in_file2=files["m2.mat"],
                                concat_xfm=True)
    assert fsl.load_matrix(cat.outputs.out_file)[0, 3] == pytest.approx(2.0)
    iso = fsl.applyisoxfm().run(source=a, target=b, apply_isoxfm=2.0, uses_qform=True)
    assert iso.outputs.out_file is not Undefined and iso.outputs.out_matrix_file is Undefined
    epi = fsl.epi_reg().run(epi=_img((8, 9, 10, 2)), t1_head=a, t1_brain=b)
    assert epi.outputs.out_file.shape == a.shape
    assert fsl.load_matrix(epi.outputs.epi2str_mat).shape == (4, 4)
    assert epi.outputs.wmseg.shape == a.shape and epi.outputs.fullwarp is Undefined


def test_preprocessing_family(standin_fsl):
    img = _img()
    assert fsl.susan().run(in_file=img, brightness_threshold=10.0,
                           fwhm=4.0).outputs.out_file.shape == img.shape
    assert fsl.slicetimer().run(in_file=_img((4, 4, 4, 3)),
                                time_repetition=2.0).outputs.out_file.shape == (4, 4, 4, 3)
    fu = fsl.fugue().run(in_file=img, fmap_in_file=img, unwarped_file=True,
                         shift_out_file=True)
    assert fu.outputs.unwarped_file.shape == img.shape and fu.outputs.warped_file is Undefined
    assert fu.outputs.shift_out_file.get_filename().endswith("in_file_vsm.nii.gz")
    pr = fsl.prelude().run(phase_file=img, magnitude_file=img, savemask_file=True)
    assert pr.outputs.unwrapped_phase_file.shape == img.shape
    first = fsl.run_first_all().run(in_file=img, method="none")
    assert first.outputs.segmentation_file.get_filename().endswith(
        "segmented_all_none_firstseg.nii.gz")
    assert len(first.outputs.vtk_surfaces) == 2 and len(first.outputs.bvars) == 2


def test_utilities_family(standin_fsl):
    img = _img()
    assert fsl.fslreorient2std().run(in_file=img).outputs.out_file.shape == img.shape
    fov = fsl.robustfov().run(in_file=img)
    assert fov.outputs.out_roi.shape == img.shape
    assert fsl.load_matrix(fov.outputs.out_transform).shape == (4, 4)
    swapped = fsl.fslswapdim().run(in_file=img, new_dims=("-x", "y", "z"))
    assert np.allclose(swapped.outputs.out_file.get_fdata(), img.get_fdata()[::-1], atol=1e-4)
    cl = fsl.cluster().run(in_file=img, threshold=50.0, out_index_file=True)
    assert cl.outputs.out_index_file.shape == img.shape
    assert cl.outputs.clusters[0]["Voxels"] == int((img.get_fdata() > 50).sum())
    assert fsl.cluster().run(in_file=img, threshold=50.0, no_table=True).outputs.clusters == []


def test_diffusion_family(standin_fsl, files):
    b0 = _img((8, 9, 10, 2))
    tp = fsl.topup().run(in_file=b0, encoding_file=files["params.txt"])
    assert tp.outputs.out_fieldcoef.shape == (8, 9, 10)
    assert os.path.exists(tp.outputs.out_movpar)
    assert len(tp.outputs.out_warps) == 2 and len(tp.outputs.out_mats) == 2
    at = fsl.applytopup().run(in_files=[_img()], encoding_file=files["params.txt"],
                              in_index=[1], in_topup=tp.outputs.out_base)
    assert at.outputs.out_corrected.shape == (8, 9, 10)
    dwi = _img((8, 9, 10, 3))
    ed = fsl.eddy().run(in_file=dwi, in_mask=_img(), in_index=files["index.txt"],
                        in_acqp=files["params.txt"], in_bvec=files["bvecs"],
                        in_bval=files["bvals"], in_topup=tp.outputs.out_base, repol=True)
    assert ed.outputs.out_corrected.shape == dwi.shape
    assert open(ed.outputs.out_rotated_bvecs).read() == open(files["bvecs"]).read()
    assert ed.outputs.out_outlier_free.shape == dwi.shape
    dt = fsl.dtifit().run(dwi=dwi, mask=_img(), bvecs=files["bvecs"], bvals=files["bvals"])
    assert dt.outputs.FA.shape == (8, 9, 10) and dt.outputs.V1.shape == (8, 9, 10, 3)
    assert dt.outputs.tensor is Undefined
    mel = fsl.melodic().run(in_files=[_img((8, 9, 10, 5))], num_ICs=3, report=True)
    assert mel.outputs.ic_maps.shape == (8, 9, 10, 3)
    assert os.path.isdir(mel.outputs.out_dir) and os.path.isdir(mel.outputs.report_dir)


def test_each_fsl_executable_has_a_marked_standin_and_no_standin_is_orphaned(standin_fsl):
    # (that each interface ran end to end on them: tests/test_fsl_end_to_end.py)
    from interfaces.base.registry import all_interfaces

    called = {cls.executable for name, cls in all_interfaces().items()
              if name.startswith("fsl.")}
    names = set(os.listdir(os.path.join(standin_fsl, "bin")))
    assert called == names, (sorted(called - names), sorted(names - called))
    for name in names:
        with open(os.path.join(standin_fsl, "bin", name)) as fh:
            assert "STAND-IN" in fh.read(), name


# -- nipype's fslmaths classes ---------------------------------------------------


def test_fslmaths_classes_compute_and_chain(standin_fsl):
    img = _img()
    values = img.get_fdata()
    thr = fsl.Threshold(in_file=img, thresh=50.0).run()
    assert os.path.basename(thr.outputs.out_file.get_filename()) == "in_file_thresh.nii.gz"
    assert np.allclose(thr.outputs.out_file.get_fdata(), np.where(values < 50, 0, values),
                       atol=1e-4)
    above = fsl.Threshold(in_file=img, thresh=50.0, direction="above").run()
    assert above.outputs.out_file.get_fdata().max() <= 50
    mask = fsl.UnaryMaths(in_file=thr.outputs.out_file, operation="bin").run()
    assert mask.bytes_written == 0  # a clean output is passed as its file
    assert os.path.basename(mask.outputs.out_file.get_filename()) == "in_file_thresh_bin.nii.gz"
    masked = fsl.ApplyMask(in_file=img, mask_file=mask.outputs.out_file).run()
    assert np.allclose(masked.outputs.out_file.get_fdata(), values * (values >= 50), atol=1e-4)
    total = fsl.BinaryMaths(in_file=img, operation="add",
                            operand_file=masked.outputs.out_file).run()
    assert np.allclose(total.outputs.out_file.get_fdata(), values + values * (values >= 50),
                       atol=1e-3)
    scaled = fsl.BinaryMaths(in_file=img, operation="mul", operand_value=2.0).run()
    assert np.allclose(scaled.outputs.out_file.get_fdata(), 2 * values, atol=1e-3)
    as_char = fsl.ChangeDataType(in_file=mask.outputs.out_file, output_datatype="char").run()
    assert as_char.outputs.out_file.get_data_dtype() == np.uint8


def test_fslmaths_reductions_and_filters(standin_fsl):
    series = _img((4, 5, 6, 7))
    data = series.get_fdata()
    for cls, expected in ((fsl.MeanImage, data.mean(-1)), (fsl.MaxImage, data.max(-1)),
                          (fsl.MinImage, data.min(-1)), (fsl.StdImage, data.std(-1)),
                          (fsl.MedianImage, np.median(data, -1))):
        out = cls(in_file=series).run().outputs.out_file
        assert np.allclose(out.get_fdata(), expected, atol=1e-3), cls.__name__
    perc = fsl.PercentileImage(in_file=series, perc=90.0).run().outputs.out_file
    assert np.allclose(perc.get_fdata(), np.percentile(data, 90, axis=-1), atol=1e-3)
    xmean = fsl.MeanImage(in_file=series, dimension="X").run().outputs.out_file
    assert xmean.shape == (1, 5, 6, 7)
    assert fsl.AR1Image(in_file=series).run().outputs.out_file.shape == (4, 5, 6)
    smooth = fsl.IsotropicSmooth(in_file=series, fwhm=4.0).run().outputs.out_file
    assert os.path.basename(smooth.get_filename()) == "in_file_smooth.nii.gz"
    assert fsl.Smooth(in_file=series, sigma=2.0).run().outputs.smoothed_file.shape == series.shape
    for cls, extra in ((fsl.DilateImage, {"operation": "max"}), (fsl.ErodeImage, {}),
                       (fsl.SpatialFilter, {"operation": "median"})):
        out = cls(in_file=smooth, kernel_shape="sphere", kernel_size=2.0, **extra).run()
        assert out.outputs.out_file.shape == series.shape, cls.__name__
    filtered = fsl.TemporalFilter(in_file=series, highpass_sigma=10.0).run()
    assert filtered.outputs.out_file.shape == series.shape


# -- time series, statistics, pictures -------------------------------------------


def test_fslmeants_returns_the_series_of_a_chained_mask(standin_fsl):
    series = _img((4, 5, 6, 3), seed=5)
    mean = fsl.MeanImage(in_file=series).run().outputs.out_file
    mask = fsl.Threshold(in_file=mean, thresh=50.0).run().outputs.out_file
    res = fsl.fslmeants().run(in_file=series, mask=mask)
    inside = mask.get_fdata() > 0
    expected = series.get_fdata()[inside].mean(axis=0)
    assert res.outputs.timeseries == pytest.approx(expected.tolist(), rel=1e-5)
    assert res.outputs.out_file.endswith("in_file_ts.txt") and os.path.exists(res.outputs.out_file)


def test_smoothest_numbers(standin_fsl):
    zstat = _img(seed=6)
    mask = fsl.bet().run(in_file=zstat, mask=True).outputs.mask_file
    res = fsl.smoothest().run(zstat_file=zstat, mask_file=mask)
    assert res.outputs.volume == int((mask.get_fdata() > 0).sum())
    assert isinstance(res.outputs.dlh, float) and isinstance(res.outputs.resels, float)


def test_avscale_decomposes_flirts_matrix(standin_fsl, files):
    reg = fsl.flirt().run(source=_img(seed=1), target=_img(seed=2))
    res = fsl.avscale().run(mat_file=reg.outputs.out_matrix_file, all_param=True)
    out = res.outputs
    assert np.allclose(out.rotation_translation_matrix, np.eye(4))
    assert out.scales == [1.0, 1.0, 1.0] and out.determinant == 1.0
    assert out.left_right_orientation_preserved is True
    assert np.allclose(out.forward_half_transform, np.eye(4))
    shifted = fsl.avscale().run(mat_file=files["m1.mat"], all_param=True).outputs
    assert shifted.translations == [1.0, 2.0, 3.0]
    assert fsl.avscale().run(mat_file=files["m1.mat"]).outputs.translations is Undefined


def test_fsl_motion_outliers_and_fsl_regfilt(standin_fsl, files, tmp_path):
    series = _img((4, 5, 6, 5), seed=7)
    res = fsl.fsl_motion_outliers().run(in_file=series)
    assert len(res.outputs.metric_values) == 5 and res.outputs.metric_values[0] == 0.0
    assert os.path.exists(res.outputs.out_file) and res.outputs.out_metric_plot.endswith(
        "in_file_metrics.png")
    filtered = fsl.fsl_regfilt().run(in_file=series, design_file=files["design.txt"],
                                     filter_all=True)
    assert filtered.outputs.out_file.shape == series.shape
    assert standin_calls(tmp_path)[-1]["argv"][-2:] == ["-f", "1,2,3"]  # every column
    means = fsl.fslmeants().run(in_file=filtered.outputs.out_file)
    assert means.bytes_written == 0 and len(means.outputs.timeseries) == 5


def test_slicer_and_overlay_pictures(standin_fsl):
    brain = fsl.bet().run(in_file=_img(), mask=True).outputs
    pic = fsl.slicer().run(in_file=brain.out_file, image_edges=brain.mask_file,
                           middle_slices=True)
    assert pic.outputs.out_file.endswith("in_file_brain.png")  # after in_file's file
    with open(pic.outputs.out_file, "rb") as fh:
        assert fh.read(4) == b"\x89PNG"
    stat = _img(seed=9)
    ov = fsl.overlay().run(background_image=brain.out_file, auto_thresh_bg=True,
                           stat_image=stat, stat_thresh=(2.3, 5.0))
    assert os.path.basename(ov.outputs.out_file.get_filename()) == "stat_image_overlay.nii.gz"
    assert ov.outputs.out_file.shape[:3] == (8, 9, 10)


# -- statistics and more utilities -----------------------------------------------


def test_fsl_glm_and_randomise_on_a_chained_series(standin_fsl, files, tmp_path):
    series = fsl.BinaryMaths(in_file=_img((4, 5, 6, 5)), operation="mul",
                             operand_value=2.0).run()
    glm = fsl.fsl_glm().run(in_file=series.outputs.out_file, design=files["design.txt"],
                            out_z_name=str(tmp_path / "z.nii.gz"))
    assert glm.bytes_written == 0 and glm.outputs.out_file.shape == (4, 5, 6, 3)
    assert glm.outputs.out_z_name.shape == (4, 5, 6)
    rnd = fsl.randomise().run(in_file=_img((4, 5, 6, 5)), one_sample_group_mean=True,
                              tfce=True)
    out = rnd.outputs
    assert [os.path.basename(f.get_filename()) for f in out.tstat_files] == [
        "randomise_tstat1.nii.gz"]
    assert len(out.t_corrected_p_files) == 1 and len(out.t_p_files) == 1
    assert out.fstat_files == [] and out.f_corrected_p_files == []


def test_more_utilities_end_to_end(standin_fsl, files, tmp_path):
    img = _img()
    slices = fsl.fslslice().run(in_file=img).outputs.out_files
    assert len(slices) == 10 and slices[0].shape[:2] == (8, 9)
    assert fsl.fslpspec().run(in_file=_img((4, 4, 4, 6))).outputs.out_file.shape == (4, 4, 4, 6)
    mask = fsl.Threshold(in_file=img, thresh=50.0).run().outputs.out_file
    dist = fsl.distancemap().run(in_file=mask, local_max_file=True).outputs
    assert dist.distance_map.get_filename().endswith("in_file_thresh_dstmap.nii.gz")
    assert dist.local_max_file.shape == img.shape
    big = fsl.find_the_biggest().run(in_files=[img, mask]).outputs.out_file
    expected = np.stack([img.get_fdata(), mask.get_fdata()], -1).argmax(-1) + 1
    assert np.array_equal(big.get_fdata(), expected)
    assert fsl.sigloss().run(in_file=img, echo_time=0.03).outputs.out_file.shape == img.shape
    vest = fsl.Text2Vest().run(in_file=files["design.txt"],
                               out_file=str(tmp_path / "design.mat"))
    assert open(vest.outputs.out_file).readline() == "/NumWaves 3\n"
    text = fsl.Vest2Text().run(in_file=vest.outputs.out_file).outputs.out_file
    assert np.allclose(np.loadtxt(text), np.loadtxt(files["design.txt"]))
    edc = fsl.eddy_correct().run(in_file=_img((4, 4, 4, 3)), ref_num=1).outputs
    assert edc.out_file.shape == (4, 4, 4, 3)
    assert edc.eddy_corrected.get_filename() == edc.out_file.get_filename()


def test_outputs_are_read_under_nipypes_names_too(standin_fsl, tmp_path):
    series = _img((6, 7, 8, 4))
    st = fsl.slicetimer().run(in_file=series)
    assert st.outputs.slice_time_corrected_file is st.outputs.out_file
    smooth = fsl.susan().run(in_file=st.outputs.out_file, brightness_threshold=10.0, fwhm=4.0)
    assert smooth.outputs.smoothed_file is smooth.outputs.out_file
    assert smooth.outputs.smoothed_file.shape == (6, 7, 8, 4)
    zstat = _img(scale=5.0)
    cl = fsl.cluster().run(in_file=zstat, threshold=2.0, out_index_file=True,
                           out_size_file=str(tmp_path / "size.nii.gz"))
    assert cl.outputs.index_file is cl.outputs.out_index_file
    assert cl.outputs.size_file.get_filename() == str(tmp_path / "size.nii.gz")
    assert cl.outputs.max_file is Undefined  # not asked for
    with pytest.raises(AttributeError, match=r"no output 'indx_file'; its outputs are "
                                             r"out_index_file, "):
        cl.outputs.indx_file
    # nipype's names are not listed twice
    assert "index_file" not in cl.outputs.names() and "index_file" not in cl.to_dict()["outputs"]
    epi, t1 = _img(seed=1), _img(seed=2)
    reg = fsl.epi_reg().run(epi=epi, t1_head=t1, t1_brain=t1)
    assert os.path.basename(reg.outputs.epi2str_inv) == "epi2struct_inv.mat"
    assert np.allclose(fsl.load_matrix(reg.outputs.epi2str_inv)
                       @ fsl.load_matrix(reg.outputs.epi2str_mat), np.eye(4))
