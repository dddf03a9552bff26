"""End to end with the STAND-IN executables (tests/fsl_standins/bin, NOT FSL)
for registration, field maps, preprocessing, segmentation, diffusion and ICA:
in-memory images in (handed over as temporaries), each tool's outputs named
as FSL names them, and passed on as a user would chain them -- matrices
concatenated, inverted and applied, warps inverted, combined and applied,
phase unwrapped into field maps into shift maps, smoothed runs denoised,
segmentations measured -- each chained output given as its own file
(``origin == "original"``, nothing written).

The stand-ins compute little (copies, means on the reference's grid, matrix
algebra in convert_xfm, real statistics in fslstats, part of fslmaths): the
values checked are those, computed again with numpy from the loaded outputs.
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


def _mask(shape=(6, 7, 8), seed=0, fraction=0.4, affine=AFFINE):
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random(shape) < fraction).astype(np.float32), affine)


def _name(value) -> str:
    """The file name of an output: an image's or a path's."""
    return os.path.basename(value.get_filename() if hasattr(value, "get_filename") else value)


def _tools(tmp_path) -> list[str]:
    return [call["tool"] for call in standin_calls(tmp_path)]


def _temporary(res, name):
    prepared = res.input_files[name]
    prepared = prepared[0] if isinstance(prepared, list) else prepared
    assert prepared.origin == "temporary", (name, prepared.origin)
    # written for this run, or reused from an earlier run given the same image
    assert prepared.bytes_written > 0 or prepared.reused


def _own_file(res, name, value):
    """``value`` (an earlier tool's output) went to the tool as its own file."""
    prepared = res.input_files[name]
    prepared = prepared[0] if isinstance(prepared, list) else prepared
    assert prepared.origin == "original", (name, prepared.origin)
    assert prepared.bytes_written == 0
    assert os.path.realpath(prepared.path) == os.path.realpath(value.get_filename())


def _given(res, option, sep="="):
    """The value the tool received for ``option`` (``--opt=value`` or ``-opt value``)."""
    for k, item in enumerate(res.argv):
        if sep == "=" and item.startswith(option + "="):
            return item.split("=", 1)[1]
        if sep == " " and item == option:
            return res.argv[k + 1]
    raise AssertionError(f"{option} not in {res.argv}")


# -- affine matrices: flirt, convert_xfm, applyxfm, applyisoxfm ---------------------


def test_matrices_concatenated_inverted_and_applied(standin_fsl, tmp_path):
    """EPI to structural (flirt), then to standard (concatenated), inverted to
    bring a standard-space mask into the EPI; the EPI resampled to 2 mm."""
    epi = _img(seed=1)
    t1 = _img(seed=2, affine=np.diag([1.0, 1.0, 1.0, 1.0]))
    std = _img((8, 9, 10), seed=3)
    reg = fsl.flirt().run(source=epi, target=t1, dof=6)
    _temporary(reg, "source")
    epi2t1 = reg.outputs.out_matrix_file
    assert _name(epi2t1) == "source_flirt.mat"
    t1_to_std = np.array([[1.1, 0.0, 0.0, -3.0], [0.0, 0.9, 0.1, 4.0],
                          [0.0, 0.0, 1.0, 2.5], [0.0, 0.0, 0.0, 1.0]])
    t1_to_std_file = fsl.save_matrix(t1_to_std, tmp_path / "t1_to_std.mat")

    cat = fsl.convert_xfm().run(in_file=epi2t1, in_file2=t1_to_std_file, concat_xfm=True)
    # convert_xfm -omat out -concat second first: the second applied after the first
    assert cat.argv[-3:] == ["-concat", t1_to_std_file, epi2t1]
    assert _name(cat.outputs.out_file) == "source_flirt_xfm.mat"
    epi2std = fsl.load_matrix(cat.outputs.out_file)
    assert np.allclose(epi2std, t1_to_std @ fsl.load_matrix(epi2t1))

    inv = fsl.convert_xfm().run(in_file=cat.outputs.out_file, invert_xfm=True,
                                out_file=str(tmp_path / "std2epi.mat"))
    assert inv.argv[-2:] == ["-inverse", cat.outputs.out_file]
    std2epi = fsl.load_matrix(inv.outputs.out_file)
    assert np.allclose(std2epi @ epi2std, np.eye(4))
    assert not np.allclose(std2epi, np.eye(4))

    # a standard-space mask into the EPI with the inverse
    std_mask = _mask((6, 7, 8), seed=4, affine=np.diag([3.0, 3.0, 3.0, 1.0]))
    back = fsl.applyxfm().run(source=std_mask, target=epi, in_matrix_file=inv.outputs.out_file,
                              interp="nearestneighbour")
    _temporary(back, "source")
    assert _given(back, "-init", " ") == inv.outputs.out_file and "-applyxfm" in back.argv
    assert back.outputs.out_matrix_file is Undefined  # not asked for
    in_epi = back.outputs.out_file
    assert _name(in_epi) == "source_flirt.nii.gz"
    assert in_epi.shape == epi.shape and np.allclose(in_epi.affine, epi.affine)
    assert np.array_equal(in_epi.get_fdata(), std_mask.get_fdata())  # same grid: a copy
    # chained: the fraction of the EPI in the mask
    frac = fsl.fslstats().run(in_file=in_epi, op_string="-m")
    _own_file(frac, "in_file", in_epi)
    assert frac.outputs.out_stat == pytest.approx(in_epi.get_fdata().mean(), rel=1e-5)

    # the EPI onto a 2 mm isotropic grid of standard space
    iso = fsl.applyisoxfm().run(source=epi, target=std, in_matrix_file=cat.outputs.out_file,
                                apply_isoxfm=2.0)
    _temporary(iso, "target")
    assert iso.argv[iso.argv.index("-applyisoxfm") + 1] == "2.000000"
    assert "-applyxfm" not in iso.argv and _given(iso, "-init", " ") == cat.outputs.out_file
    in_std = iso.outputs.out_file
    assert _name(in_std) == "source_flirt.nii.gz" and in_std.shape == std.shape
    assert np.allclose(in_std.get_fdata(), epi.get_fdata().mean(), rtol=1e-5)  # resampled
    brain = fsl.bet().run(in_file=in_std, mask=True)
    _own_file(brain, "in_file", in_std)
    assert brain.outputs.mask_file.shape == std.shape
    assert _tools(tmp_path) == ["flirt", "convert_xfm", "convert_xfm", "flirt", "fslstats",
                                "flirt", "bet"]


# -- warps: fnirt, invwarp, convertwarp, applywarp ----------------------------------


def test_fnirt_field_inverted_brings_an_atlas_into_the_subject(standin_fsl, tmp_path):
    t1 = _img(seed=5)
    template = _img((8, 9, 10), seed=6)
    nl = fsl.fnirt().run(in_file=t1, ref_file=template, field_file=True)
    field = nl.outputs.field_file
    assert _name(field) == "in_file_field.nii.gz" and field.shape == (8, 9, 10, 3)

    inv = fsl.invwarp().run(warp=field, reference=t1)
    _own_file(inv, "warp", field)
    _temporary(inv, "reference")
    inverse = inv.outputs.inverse_warp
    assert _name(inverse) == "in_file_field_inverse.nii.gz"
    # the inverse lives on the reference's grid (the subject's), as invwarp writes it
    assert inverse.shape == t1.shape + (3,) and np.allclose(inverse.affine, t1.affine)

    atlas = _mask((8, 9, 10), seed=7)
    moved = fsl.applywarp().run(in_file=atlas, ref_file=t1, field_file=inverse,
                                interp="nn")
    _temporary(moved, "in_file")
    _own_file(moved, "field_file", inverse)
    assert _given(moved, "--warp") == inverse.get_filename()
    in_t1 = moved.outputs.out_file
    assert _name(in_t1) == "in_file_warp.nii.gz" and in_t1.shape == t1.shape
    assert np.allclose(in_t1.get_fdata(), atlas.get_fdata().mean(), rtol=1e-5)
    stats = fsl.fslstats().run(in_file=in_t1, op_string="-M -R")
    _own_file(stats, "in_file", in_t1)
    values = in_t1.get_fdata()
    assert stats.outputs.out_stat == pytest.approx(
        [values[values != 0].mean(), values.min(), values.max()], rel=1e-5)
    assert _tools(tmp_path) == ["fnirt", "invwarp", "applywarp", "fslstats"]


def test_the_inverse_of_the_inverse_warp_is_the_warp(standin_fsl, tmp_path):
    rng = np.random.default_rng(8)
    warp = nib.Nifti1Image(rng.normal(size=(6, 7, 8, 3)).astype(np.float32), AFFINE)
    subject, template = _img(seed=9), _img(seed=10, affine=np.diag([2.5, 2.5, 2.5, 1.0]))
    once = fsl.invwarp().run(warp=warp, reference=subject, relative=True)
    _temporary(once, "warp")
    twice = fsl.invwarp().run(warp=once.outputs.inverse_warp, reference=template,
                              relative=True)
    _own_file(twice, "warp", once.outputs.inverse_warp)
    assert _name(twice.outputs.inverse_warp) == "warp_inverse_inverse.nii.gz"
    assert np.allclose(once.outputs.inverse_warp.get_fdata(), -warp.get_fdata(), atol=1e-6)
    assert np.allclose(twice.outputs.inverse_warp.get_fdata(), warp.get_fdata(), atol=1e-6)
    assert np.allclose(twice.outputs.inverse_warp.affine, template.affine)
    assert "--rel" in twice.argv
    assert _tools(tmp_path) == ["invwarp", "invwarp"]


def test_epi_to_standard_in_one_resampling(standin_fsl, tmp_path):
    """epi_reg's matrix and fnirt's field combined by convertwarp, applied
    once by applywarp (FEAT's registration); the matrix inverted too, to
    bring epi_reg's white matter into the EPI."""
    epi, head = _img(seed=11), _img((8, 9, 10), seed=12)
    template = _img((10, 11, 12), seed=13)
    brain = fsl.bet().run(in_file=head, frac=0.4)
    reg = fsl.epi_reg().run(epi=epi, t1_head=head, t1_brain=brain.outputs.out_file)
    _temporary(reg, "epi")
    _own_file(reg, "t1_brain", brain.outputs.out_file)
    out = reg.outputs
    assert os.path.basename(out.out_base) == "epi2struct"
    assert [_name(out.out_file), _name(out.epi2str_mat), _name(out.wmseg)] == [
        "epi2struct.nii.gz", "epi2struct.mat", "epi2struct_fast_wmseg.nii.gz"]
    assert out.fullwarp is Undefined and out.shiftmap is Undefined  # no field map
    nl = fsl.fnirt().run(in_file=brain.outputs.out_file, ref_file=template,
                         affine_file=fsl.save_matrix(np.eye(4), tmp_path / "t1_2_std.mat"))
    coefficients = nl.outputs.fieldcoeff_file
    assert _name(coefficients) == "in_file_brain_fieldwarp.nii.gz"

    cw = fsl.convertwarp().run(reference=template, premat=out.epi2str_mat,
                               warp1=coefficients, out_relwarp=True)
    _temporary(cw, "reference")
    _own_file(cw, "warp1", coefficients)
    assert _given(cw, "--premat") == out.epi2str_mat and "--relout" in cw.argv
    combined = cw.outputs.out_file
    assert _name(combined) == "reference_concatwarp.nii.gz"
    assert combined.shape == template.shape + (3,)
    assert np.allclose(combined.affine, template.affine)

    in_std = fsl.applywarp().run(in_file=epi, ref_file=template, field_file=combined,
                                 relwarp=True)
    _own_file(in_std, "field_file", combined)
    assert in_std.argv[-1] == "--rel"
    warped = in_std.outputs.out_file
    assert warped.shape == template.shape
    assert np.allclose(warped.get_fdata(), epi.get_fdata().mean(), rtol=1e-5)

    # the inverse of epi_reg's matrix brings its white matter into the EPI
    str2epi = fsl.convert_xfm().run(in_file=out.epi2str_mat, invert_xfm=True)
    assert _name(str2epi.outputs.out_file) == "epi2struct_xfm.mat"
    assert np.allclose(fsl.load_matrix(str2epi.outputs.out_file),
                       np.linalg.inv(fsl.load_matrix(out.epi2str_mat)))
    wm = fsl.applyxfm().run(source=out.wmseg, target=epi,
                            in_matrix_file=str2epi.outputs.out_file, interp="nearestneighbour")
    _own_file(wm, "source", out.wmseg)
    assert wm.outputs.out_file.shape == epi.shape
    assert np.allclose(wm.outputs.out_file.get_fdata(), out.wmseg.get_fdata().mean(),
                       rtol=1e-5)
    assert _tools(tmp_path) == ["bet", "epi_reg", "fnirt", "convertwarp", "applywarp",
                                "convert_xfm", "flirt"]


# -- field maps: prelude, fugue, b0calc, and epi_reg with a field map ------------------


def test_unwrapped_phase_to_a_shift_map_that_unwarps_two_runs(standin_fsl, tmp_path):
    rng = np.random.default_rng(14)
    phase = nib.Nifti1Image(rng.uniform(-np.pi, np.pi, (6, 7, 8)).astype(np.float32), AFFINE)
    magnitude = _img(seed=15)
    un = fsl.prelude().run(phase_file=phase, magnitude_file=magnitude, savemask_file=True)
    _temporary(un, "phase_file")
    _temporary(un, "magnitude_file")
    unwrapped = un.outputs.unwrapped_phase_file
    assert _name(unwrapped) == "phase_file_unwrapped.nii.gz"
    assert _name(un.outputs.savemask_file) == "phase_file_mask.nii.gz"
    assert np.allclose(unwrapped.get_fdata(), phase.get_fdata())  # the stand-in copies

    # the unwrapped phase (its echo time difference) as a field map in rad/s
    fm = fsl.fugue().run(phasemap_in_file=unwrapped, asym_se_time=0.00246, fmap_out_file=True)
    _own_file(fm, "phasemap_in_file", unwrapped)
    fmap = fm.outputs.fmap_out_file
    assert _name(fmap) == "phase_file_unwrapped_fieldmap.nii.gz"
    assert fm.outputs.unwarped_file is Undefined and fm.outputs.shift_out_file is Undefined
    assert np.allclose(fmap.get_fdata(), unwrapped.get_fdata())

    # unwarp the first run, saving the shift map
    run1, run2 = _img(seed=16), _img(seed=17)
    first = fsl.fugue().run(in_file=run1, fmap_in_file=fmap, dwell_time=0.00051,
                            unwarp_direction="y-", unwarped_file=True, shift_out_file=True)
    _temporary(first, "in_file")
    _own_file(first, "fmap_in_file", fmap)
    shift = first.outputs.shift_out_file
    assert _name(shift) == "phase_file_unwrapped_fieldmap_vsm.nii.gz"
    assert _name(first.outputs.unwarped_file) == "in_file_unwarped.nii.gz"
    assert _given(first, "--saveshift") == shift.get_filename()
    assert np.allclose(first.outputs.unwarped_file.get_fdata(), run1.get_fdata())

    # the shift map unwarps the second run (no field map again)
    second = fsl.fugue().run(in_file=run2, shift_in_file=shift, unwarp_direction="y-",
                             icorr=True, unwarped_file=str(tmp_path / "run2_unwarped.nii.gz"))
    _own_file(second, "shift_in_file", shift)
    assert "--icorr" in second.argv
    unwarped2 = second.outputs.unwarped_file
    assert unwarped2.get_filename() == str(tmp_path / "run2_unwarped.nii.gz")
    assert np.allclose(unwarped2.get_fdata(), run2.get_fdata())

    # and into a warp that unwarps and registers in one step (as epi_reg builds it)
    t1 = _img((8, 9, 10), seed=18)
    epi2t1 = fsl.save_matrix(np.eye(4), tmp_path / "epi2t1.mat")
    cw = fsl.convertwarp().run(reference=t1, shift_in_file=shift, shift_direction="y-",
                               postmat=epi2t1, out_abswarp=True)
    _own_file(cw, "shift_in_file", shift)
    assert _given(cw, "--shiftdir") == "y-"
    to_t1 = fsl.applywarp().run(in_file=run1, ref_file=t1, field_file=cw.outputs.out_file,
                                abswarp=True)
    _own_file(to_t1, "field_file", cw.outputs.out_file)
    assert to_t1.outputs.out_file.shape == t1.shape
    mean = fsl.fslstats().run(in_file=unwarped2, op_string="-M")
    _own_file(mean, "in_file", unwarped2)
    values = unwarped2.get_fdata()
    assert mean.outputs.out_stat == pytest.approx(values[values != 0].mean(), rel=1e-5)
    assert _tools(tmp_path) == ["prelude", "fugue", "fugue", "fugue", "convertwarp",
                                "applywarp", "fslstats"]


def test_b0calc_field_in_rad_per_s_predicts_signal_loss_and_distortion(standin_fsl,
                                                                      tmp_path):
    """POSSUM's field: b0calc (ppm) -> fslmaths (rad/s at 3 T) -> sigloss, fugue."""
    head = _img(seed=19)
    air_tissue = nib.Nifti1Image((head.get_fdata() > 30).astype(np.float32), AFFINE)
    b0 = fsl.b0calc().run(in_file=air_tissue, z_b0=3.0)
    _temporary(b0, "in_file")
    assert "--b0=3.00" in b0.argv
    field = b0.outputs.out_file
    assert _name(field) == "in_file_b0field.nii.gz" and field.shape == head.shape
    ppm = field.get_fdata()
    assert np.allclose(ppm, -9.45 * (air_tissue.get_fdata() > 0), atol=1e-5)

    rad_per_s_per_ppm = 2 * np.pi * 42.576 * 3.0  # gamma/2pi = 42.576 MHz/T
    conv = fsl.fslmaths().run(in_file=field, op_string=f"-mul {rad_per_s_per_ppm:.6f}")
    _own_file(conv, "in_file", field)
    fmap = conv.outputs.out_file
    assert _name(fmap) == "in_file_b0field_maths.nii.gz"
    assert np.allclose(fmap.get_fdata(), ppm * rad_per_s_per_ppm, rtol=1e-5)

    loss = fsl.sigloss().run(in_file=fmap, echo_time=0.03, slice_direction="z")
    _own_file(loss, "in_file", fmap)
    assert _name(loss.outputs.out_file) == "in_file_b0field_maths_sigloss.nii.gz"
    distorted = fsl.fugue().run(in_file=head, fmap_in_file=fmap, dwell_time=0.0005,
                                warped_file=True, nokspace=True)
    _own_file(distorted, "fmap_in_file", fmap)
    assert _name(distorted.outputs.warped_file) == "in_file_warped.nii.gz"
    assert _tools(tmp_path) == ["b0calc", "fslmaths", "sigloss", "fugue"]


def test_fast_white_matter_for_epi_reg_with_a_field_map(standin_fsl, tmp_path):
    """fast's white matter partial volume, thresholded, is epi_reg's wmseg;
    with a field map epi_reg writes the full warp (applied by applywarp) and
    the shift map (fugue unwarps with it)."""
    head = _img((8, 9, 10), seed=20)
    brain = fsl.bet().run(in_file=head)
    seg = fsl.fast().run(in_files=[brain.outputs.out_file], number_classes=3, img_type=1)
    _own_file(seg, "in_files", brain.outputs.out_file)
    out = seg.outputs
    assert os.path.basename(out.out_basename) == "in_file_brain"
    assert [_name(p) for p in out.partial_volume_files] == [
        "in_file_brain_pve_0.nii.gz", "in_file_brain_pve_1.nii.gz",
        "in_file_brain_pve_2.nii.gz"]
    wm_pve = out.partial_volume_files[2]
    wm = fsl.fslmaths().run(in_file=wm_pve, op_string="-thr 0.5 -bin",
                            out_file=str(tmp_path / "wmseg.nii.gz"))
    _own_file(wm, "in_file", wm_pve)
    wmseg = wm.outputs.out_file
    assert np.array_equal(wmseg.get_fdata(), (wm_pve.get_fdata() >= 0.5) * 1.0)
    # white matter: the brightest third of the brain's voxels, as fast's classes
    classes = out.tissue_class_map.get_fdata()
    assert np.array_equal(wmseg.get_fdata() > 0, classes == 3)

    epi = _img(seed=21, affine=np.diag([3.0, 3.0, 3.0, 1.0]))
    rng = np.random.default_rng(22)
    fmap = nib.Nifti1Image(rng.normal(0, 50, (8, 9, 10)).astype(np.float32), AFFINE)
    fmap_mag = _img((8, 9, 10), seed=23)
    mag_brain = fsl.bet().run(in_file=fmap_mag)
    reg = fsl.epi_reg().run(epi=epi, t1_head=head, t1_brain=brain.outputs.out_file,
                            wmseg=wmseg, fmap=fmap, fmapmag=fmap_mag,
                            fmapmagbrain=mag_brain.outputs.out_file, echospacing=0.00051,
                            pedir="-y", out_base=str(tmp_path / "epi2str"))
    _own_file(reg, "wmseg", wmseg)
    _temporary(reg, "fmap")
    assert _given(reg, "--wmseg") == wmseg.get_filename() and _given(reg, "--pedir") == "-y"
    r = reg.outputs
    assert r.epi2str_mat == str(tmp_path / "epi2str.mat")
    assert [_name(r.fullwarp), _name(r.shiftmap), _name(r.fmap2epi_mat)] == [
        "epi2str_warp.nii.gz", "epi2str_fieldmaprads2epi_shift.nii.gz",
        "epi2str_fieldmaprads2epi.mat"]
    unwarped = fsl.applywarp().run(in_file=epi, ref_file=head, field_file=r.fullwarp,
                                   interp="spline")
    _own_file(unwarped, "field_file", r.fullwarp)
    assert unwarped.outputs.out_file.shape == head.shape
    again = fsl.fugue().run(in_file=_img((8, 9, 10), seed=24), shift_in_file=r.shiftmap,
                            unwarped_file=True, unwarp_direction="y-")
    _own_file(again, "shift_in_file", r.shiftmap)
    mean_in_wm = fsl.fslstats().run(in_file=head, op_string="-k %s -M", mask_file=wmseg)
    assert mean_in_wm.outputs.out_stat == pytest.approx(
        head.get_fdata()[wmseg.get_fdata() > 0].mean(), rel=1e-5)
    assert _tools(tmp_path) == ["bet", "fast", "fslmaths", "bet", "epi_reg", "applywarp",
                                "fugue", "fslstats"]


# -- segmentation: run_first_all -------------------------------------------------------


def test_first_segmentation_measured_and_masked(standin_fsl, tmp_path):
    t1 = _img((8, 9, 10), seed=25)
    first = fsl.run_first_all().run(in_file=t1, list_of_specific_structures=["L_Hipp"],
                                    brain_extracted=True)
    _temporary(first, "in_file")
    out = first.outputs
    seg = out.segmentation_file
    assert _name(seg) == "segmented_all_fast_firstseg.nii.gz"
    assert _name(out.original_segmentations) == "segmented_all_fast_origsegs.nii.gz"
    assert [_name(p) for p in out.vtk_surfaces] == ["segmented-L_Hipp_first.vtk"]
    assert [_name(p) for p in out.bvars] == ["segmented-L_Hipp_first.bvars"]
    labels = seg.get_fdata()
    assert set(np.unique(labels)) == {0, 10}
    # the mean T1 intensity in the structure, and the structure as a mask
    mean = fsl.fslstats().run(in_file=t1, op_string="-k %s -M", mask_file=seg)
    _own_file(mean, "mask_file", seg)
    assert mean.outputs.out_stat == pytest.approx(t1.get_fdata()[labels > 0].mean(), rel=1e-5)
    count = fsl.fslstats().run(in_file=seg, op_string="-l 9.5 -M")
    assert count.outputs.out_stat == pytest.approx(10.0)
    hipp = fsl.fslmaths().run(in_file=seg, op_string="-thr 10 -uthr 10 -bin")
    _own_file(hipp, "in_file", seg)
    assert np.array_equal(hipp.outputs.out_file.get_fdata(), (labels == 10) * 1.0)
    assert _tools(tmp_path) == ["run_first_all", "fslstats", "fslstats", "fslmaths"]


# -- fMRI preprocessing: mcflirt, slicetimer, susan, ICA-AROMA, melodic ---------------


def test_motion_corrected_slice_timed_smoothed_run_denoised_by_aroma(standin_fsl, tmp_path):
    run = _img((6, 7, 8, 5), seed=26)
    moco = fsl.mcflirt().run(in_file=run, save_plots=True, mean_vol=True)
    st = fsl.slicetimer().run(in_file=moco.outputs.out_file, time_repetition=2.0,
                              interleaved=True, slice_direction=3)
    _own_file(st, "in_file", moco.outputs.out_file)
    timed = st.outputs.out_file
    assert _name(timed) == "in_file_mcf_st.nii.gz" and timed.shape == run.shape
    assert "--odd" in st.argv and _given(st, "--repeat") == "2.000000"

    sm = fsl.susan().run(in_file=timed, brightness_threshold=30.0, fwhm=5.0)
    _own_file(sm, "in_file", timed)
    # fwhm 5 mm passed as a sigma
    assert float(sm.argv[3]) == pytest.approx(5.0 / np.sqrt(8 * np.log(2)), rel=1e-9)
    smoothed = sm.outputs.out_file
    assert _name(smoothed) == "in_file_mcf_st_smooth.nii.gz" and smoothed.shape == run.shape
    assert np.allclose(smoothed.get_fdata(), run.get_fdata(), atol=1e-4)

    # ICA-AROMA on the smoothed run, within an in-memory brain mask
    mask = nib.Nifti1Image((run.get_fdata().mean(-1) > 40).astype(np.uint8), AFFINE)
    aroma = fsl.ICA_AROMA().run(in_file=smoothed, motion_parameters=moco.outputs.par_file,
                                mask=mask, TR=2.0, denoise_type="aggr",
                                out_dir=str(tmp_path / "aroma"))
    _own_file(aroma, "in_file", smoothed)
    _temporary(aroma, "mask")
    assert _given(aroma, "-mc", " ") == moco.outputs.par_file
    denoised = aroma.outputs.aggr_denoised_file
    assert denoised.get_filename() == str(tmp_path / "aroma" / "denoised_func_data_aggr.nii.gz")
    assert aroma.outputs.nonaggr_denoised_file is Undefined
    series = smoothed.get_fdata()
    mean = series.mean(-1, keepdims=True)
    assert np.allclose(denoised.get_fdata(), series - 0.5 * (series - mean), atol=1e-3)
    tmean = fsl.fslmaths().run(in_file=denoised, op_string="-Tmean")
    _own_file(tmean, "in_file", denoised)
    assert np.allclose(tmean.outputs.out_file.get_fdata(), denoised.get_fdata().mean(-1),
                       atol=1e-4)
    assert _tools(tmp_path) == ["mcflirt", "slicetimer", "susan", "ICA_AROMA.py", "fslmaths"]


def test_melodic_components_regressed_out_and_dual_regressed(standin_fsl, tmp_path):
    run = _img((6, 7, 8, 6), seed=27)
    ica = fsl.melodic().run(in_files=[run], num_ICs=3, tr_sec=2.0, no_bet=True)
    _temporary(ica, "in_files")
    out = ica.outputs
    assert os.path.basename(out.out_dir) == "in_files.ica" and os.path.isdir(out.out_dir)
    assert out.ic_maps.get_filename() == os.path.join(out.out_dir, "melodic_IC.nii.gz")
    assert out.ic_maps.shape == (6, 7, 8, 3)
    mix = np.loadtxt(out.mixing_matrix, ndmin=2)
    assert mix.shape == (6, 3)  # time points x components
    # components 1 and 3 regressed out of the run, by their time courses
    clean = fsl.fsl_regfilt().run(in_file=run, design_file=out.mixing_matrix,
                                  filter_columns=[1, 3])
    assert _given(clean, "-d", " ") == out.mixing_matrix and _given(clean, "-f", " ") == "1,3"
    assert clean.outputs.out_file.shape == run.shape
    from interfaces.base import CommandFailedError

    with pytest.raises(CommandFailedError, match="out of range"):  # 3 components only
        fsl.fsl_regfilt().run(in_file=run, design_file=out.mixing_matrix, filter_columns=[4])
    # the group maps dual-regressed on two subjects
    subjects = [_img((6, 7, 8, 6), seed=28), clean.outputs.out_file]
    dr = fsl.dual_regression().run(group_IC_maps_4D=out.ic_maps, in_files=subjects,
                                   one_sample_group_mean=True, n_perm=0,
                                   out_dir=str(tmp_path / "dr"))
    _own_file(dr, "group_IC_maps_4D", out.ic_maps)
    assert [_name(p) for p in dr.outputs.stage2_maps] == [
        "dr_stage2_subject00000.nii.gz", "dr_stage2_subject00001.nii.gz"]
    assert dr.outputs.stage2_maps[0].shape == (6, 7, 8, 3)  # one map per component
    spread = fsl.fslstats().run(in_file=out.ic_maps, op_string="-R", split_4d=True)
    _own_file(spread, "in_file", out.ic_maps)
    maps = out.ic_maps.get_fdata()
    assert spread.outputs.out_stat == [[pytest.approx(maps[..., k].min()),
                                        pytest.approx(maps[..., k].max())] for k in range(3)]
    assert _tools(tmp_path) == ["melodic", "fsl_regfilt", "fsl_regfilt", "dual_regression",
                                "fslstats"]


# -- diffusion: eddy_correct, topup/applytopup -----------------------------------------


def test_eddy_corrected_diffusion_fitted_by_dtifit(standin_fsl, tmp_path):
    dwi = _img((6, 7, 8, 4), seed=29)
    bvecs, bvals = tmp_path / "bvecs", tmp_path / "bvals"
    np.savetxt(bvecs, np.array([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], float))
    np.savetxt(bvals, np.array([[0, 1000, 1000, 1000]], float))
    edc = fsl.eddy_correct().run(in_file=dwi, ref_num=0)
    _temporary(edc, "in_file")
    corrected = edc.outputs.out_file
    assert _name(corrected) == "in_file_edc.nii.gz" and corrected.shape == dwi.shape
    assert edc.outputs.eddy_corrected.get_filename() == corrected.get_filename()
    assert edc.argv[-1] == "0"
    assert np.allclose(corrected.get_fdata(), dwi.get_fdata())
    brain = fsl.bet().run(in_file=corrected, mask=True, functional=True)
    _own_file(brain, "in_file", corrected)
    mask = brain.outputs.mask_file
    mean_b = corrected.get_fdata().mean(-1)
    assert np.array_equal(mask.get_fdata() > 0, mean_b > 0.25 * mean_b.max())
    fit = fsl.dtifit().run(dwi=corrected, mask=mask, bvecs=str(bvecs), bvals=str(bvals))
    _own_file(fit, "dwi", corrected)
    _own_file(fit, "mask", mask)
    assert os.path.basename(fit.inputs["base_name"]) == "dtifit_"
    assert _name(fit.outputs.FA) == "dtifit__FA.nii.gz" and fit.outputs.FA.shape == dwi.shape[:3]
    assert fit.outputs.V1.shape == dwi.shape[:3] + (3,)
    assert _tools(tmp_path) == ["eddy_correct", "bet", "dtifit"]


def test_applytopup_corrected_pair_brain_extracted(standin_fsl, tmp_path):
    up, down = _img(seed=30), _img(seed=31)
    pair = nib.Nifti1Image(np.stack([up.get_fdata(), down.get_fdata()], -1).astype(np.float32),
                           AFFINE)
    acqp = tmp_path / "acqp.txt"
    acqp.write_text("0 1 0 0.05\n0 -1 0 0.05\n")
    tp = fsl.topup().run(in_file=pair, encoding_file=str(acqp))
    fixed = fsl.applytopup().run(in_files=[up, down], encoding_file=str(acqp),
                                 in_topup=tp.outputs.out_base, method="lsr")
    _temporary(fixed, "in_files")
    assert _given(fixed, "--inindex") == "1,2"
    assert _given(fixed, "--topup") == tp.outputs.out_base
    corrected = fixed.outputs.out_corrected
    assert _name(corrected) == "in_files_corrected.nii.gz" and corrected.shape == up.shape
    assert np.allclose(corrected.get_fdata(), up.get_fdata())
    brain = fsl.bet().run(in_file=corrected, mask=True, frac=0.3)
    _own_file(brain, "in_file", corrected)
    values = corrected.get_fdata()
    assert np.array_equal(brain.outputs.mask_file.get_fdata() > 0,
                          values > 0.3 * 0.5 * values.max())
    stats = fsl.fslstats().run(in_file=corrected, op_string="-k %s -M",
                               mask_file=brain.outputs.mask_file)
    assert stats.outputs.out_stat == pytest.approx(
        values[brain.outputs.mask_file.get_fdata() > 0].mean(), rel=1e-5)
    assert _tools(tmp_path) == ["topup", "applytopup", "bet", "fslstats"]
