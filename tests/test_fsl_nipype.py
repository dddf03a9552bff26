"""Cross-check with nipype: for every tool nipype also wraps, at least five
input combinations give the same arguments as nipype's ``cmdline``.

Paths are compared by base name (output locations differ by design: ours go
in a per-run folder).  Where our interface differs from nipype's on purpose,
the case says how (``rename``: nipype's input name -> ours; ``adjust``: what
nipype's argument list becomes); each difference is listed in docs/fsl.rst.
"""

from __future__ import annotations

import re
import shlex
import warnings

import pytest

from fsl_standins.testing import argv_of, files, stub_fsl, stub_home  # noqa: F401 (fixtures)
from interfaces import fsl as ours

nipype_fsl = pytest.importorskip("nipype.interfaces.fsl")  # imported once per module

_PATH = re.compile(r"[^\s,=]*/([^/\s,=]*)")


def _names(argv):
    """Every path reduced to its base name (inside --opt=path and a,b lists)."""
    return [_PATH.sub(r"\1", item) for item in argv]


def _drop(option, unless=None):
    """adjust: remove ``option`` and its value (one item, or two), unless
    input ``unless`` was given (then both sides pass it)."""
    def adjust(argv, drawn=()):
        if unless in drawn:
            return argv
        out = []
        skip = False
        for item in argv:
            if skip:
                skip = False
                continue
            if item == option:
                skip = True
                continue
            if item.startswith(option + "="):
                continue
            out.append(item)
        return out
    return adjust


def _field_with_extension(argv, drawn=()):
    """adjust: nipype's eddy strips the extension of --field; ours passes the
    file's name as it is (FSL reads either)."""
    return [item + ".nii.gz" if item.startswith("--field=") and "." not in item else item
            for item in argv]


# (our interface, nipype class, rename, adjust, [inputs in nipype's names])
# "@x" is the path of the file called x (see fsl_standins.testing.files).
CASES = [
    ("flirt", "FLIRT", {"in_file": "source", "reference": "target"}, None, [
        {"in_file": "@a", "reference": "@b"},
        {"in_file": "@a", "reference": "@b", "dof": 6, "cost": "corratio",
         "out_file": "o.nii.gz", "out_matrix_file": "o.mat"},
        {"in_file": "@a", "reference": "@b", "searchr_x": [-90, 90], "searchr_y": [-30, 30],
         "searchr_z": [-5, 5], "bins": 256, "interp": "spline", "no_search": True},
        {"in_file": "@a", "reference": "@b", "cost": "bbr", "wm_seg": "@mask",
         "schedule": "@sched.sch", "in_matrix_file": "@m1.mat", "bbrtype": "signed",
         "bbrslope": 0.5, "echospacing": 0.0005, "pedir": -2, "fieldmap": "@b"},
        {"in_file": "@a", "reference": "@b", "apply_isoxfm": 2.0, "in_matrix_file": "@m1.mat",
         "datatype": "float", "padding_size": 1, "bgvalue": 0.0, "rigid2D": True,
         "uses_qform": True, "angle_rep": "euler", "verbose": 1},
        {"in_file": "@a", "reference": "@b", "ref_weight": "@mask", "in_weight": "@mask",
         "no_clamp": True, "no_resample_blur": True, "sinc_width": 7,
         "sinc_window": "hanning", "min_sampling": 1.5, "coarse_search": 60,
         "fine_search": 18, "cost_func": "mutualinfo", "display_init": True},
    ]),
    ("applyxfm", "ApplyXFM", {"in_file": "source", "reference": "target"},
     _drop("-omat", "out_matrix_file"), [  # ours writes no copy of the matrix unless asked
        {"in_file": "@a", "reference": "@b", "in_matrix_file": "@m1.mat"},
        {"in_file": "@a", "reference": "@b", "in_matrix_file": "@m1.mat",
         "interp": "nearestneighbour", "out_file": "r.nii.gz"},
        {"in_file": "@a", "reference": "@b", "uses_qform": True},
        {"in_file": "@a", "reference": "@b", "in_matrix_file": "@m1.mat",
         "datatype": "char", "padding_size": 2, "no_resample": True},
        {"in_file": "@a", "reference": "@b", "in_matrix_file": "@m1.mat",
         "interp": "sinc", "sinc_width": 5, "bgvalue": -1.0},
    ]),
    ("applyisoxfm", "FLIRT", {"in_file": "source", "reference": "target"},
     _drop("-omat", "out_matrix_file"), [
        {"in_file": "@a", "reference": "@b", "apply_isoxfm": 2.0,
         "in_matrix_file": "@m1.mat"},
        {"in_file": "@a", "reference": "@b", "apply_isoxfm": 1.0, "uses_qform": True},
        {"in_file": "@a", "reference": "@b", "apply_isoxfm": 3.0,
         "in_matrix_file": "@m2.mat", "interp": "trilinear", "out_file": "iso.nii.gz"},
        {"in_file": "@a", "reference": "@b", "apply_isoxfm": 1.5,
         "in_matrix_file": "@m1.mat", "datatype": "short", "padding_size": 0},
        {"in_file": "@a", "reference": "@b", "apply_isoxfm": 0.5,
         "in_matrix_file": "@m1.mat", "bgvalue": 0.0, "interp": "spline"},
    ]),
    ("convert_xfm", "ConvertXFM", {}, None, [
        {"in_file": "@m1.mat", "invert_xfm": True, "out_file": "inv.mat"},
        {"in_file": "@m1.mat", "in_file2": "@m2.mat", "concat_xfm": True,
         "out_file": "cat.mat"},
        {"in_file": "@m1.mat", "in_file2": "@m2.mat", "fix_scale_skew": True,
         "out_file": "fix.mat"},
        {"in_file": "@m2.mat", "invert_xfm": True, "out_file": "i2.mat"},
        {"in_file": "@m2.mat", "in_file2": "@m1.mat", "concat_xfm": True,
         "out_file": "c2.mat"},
    ]),
    ("bet", "BET", {}, None, [
        {"in_file": "@a"},
        {"in_file": "@a", "mask": True, "frac": 0.4},
        {"in_file": "@a", "robust": True, "outline": True, "skull": True, "mesh": True},
        {"in_file": "@a", "vertical_gradient": -0.2, "radius": 75, "center": [4, 5, 6],
         "threshold": True, "out_file": "x_brain.nii.gz"},
        {"in_file": "@f", "functional": True, "no_output": True, "mask": True},
        {"in_file": "@a", "t2_guided": "@b"},
        {"in_file": "@a", "surfaces": True, "frac": 0.3},
        {"in_file": "@a", "reduce_bias": True},
        {"in_file": "@a", "padding": True},
        {"in_file": "@a", "remove_eyes": True},
    ]),
    ("fast", "FAST", {}, None, [
        {"in_files": ["@a"], "out_basename": "seg"},
        {"in_files": "@a", "out_basename": "seg"},
        {"in_files": ["@a"], "out_basename": "seg", "number_classes": 4, "img_type": 2,
         "segments": True, "probability_maps": True},
        {"in_files": ["@a", "@b"], "out_basename": "mc", "output_biasfield": True,
         "output_biascorrected": True, "no_pve": True},
        {"in_files": ["@a"], "out_basename": "s", "bias_iters": 5, "bias_lowpass": 20,
         "init_seg_smooth": 0.02, "segment_iters": 10, "mixel_smooth": 0.3,
         "iters_afterbias": 3, "hyper": 0.1, "verbose": True},
        {"in_files": ["@a"], "out_basename": "p", "init_transform": "@m1.mat",
         "other_priors": ["@a", "@b", "@mask"], "use_priors": True, "no_bias": True,
         "manual_seg": "@params.txt"},
    ]),
    ("run_first_all", "FIRST", {}, None, [
        {"in_file": "@a", "method": "auto"},
        {"in_file": "@a", "method": "fast", "out_file": "first", "verbose": True},
        {"in_file": "@a", "method": "none", "brain_extracted": True, "no_cleanup": True},
        {"in_file": "@a", "method": "auto",
         "list_of_specific_structures": ["L_Hipp", "R_Hipp"], "affine_file": "@m1.mat"},
        {"in_file": "@a", "method_as_numerical_threshold": 0.5},
    ]),
    ("fslmaths", "ImageMaths", {"out_data_type": "out_data_type"}, None, [
        {"in_file": "@a", "op_string": "-add 5"},
        {"in_file": "@a", "op_string": "-thr 10 -bin", "out_data_type": "char"},
        {"in_file": "@a", "op_string": "-mul", "in_file2": "@b", "out_file": "prod.nii.gz"},
        {"in_file": "@a", "op_string": "-abs -sqrt", "mask_file": "@mask"},
        {"in_file": "@f", "op_string": "-Tmean"},
    ]),
    ("fslmaths", "MultiImageMaths", {}, None, [
        {"in_file": "@a", "op_string": "-add %s", "operand_files": ["@b"]},
        {"in_file": "@a", "op_string": "-add %s -mul -1 -div %s",
         "operand_files": ["@b", "@mask"]},
        {"in_file": "@a", "op_string": "-mas %s", "operand_files": ["@mask"],
         "internal_datatype": "double", "output_datatype": "float"},
        {"in_file": "@a", "op_string": "-max %s", "operand_files": ["@b"],
         "nan2zeros": True, "out_file": "mx.nii.gz"},
        {"in_file": "@a", "op_string": "-sub %s -abs", "operand_files": ["@b"],
         "output_datatype": "input"},
    ]),
    ("fslstats", "ImageStats", {}, None, [
        {"in_file": "@a", "op_string": "-M"},
        {"in_file": "@a", "op_string": "-M -S -R"},
        {"in_file": "@a", "op_string": "-k %s -m", "mask_file": "@mask"},
        {"in_file": "@f", "op_string": "-m", "split_4d": True},
        {"in_file": "@a", "op_string": "-V", "index_mask_file": "@mask"},
        {"in_file": "@a", "op_string": "-l 10 -M -P 50"},
        {"in_file": "@a", "op_string": "-M", "mask_file": "@mask"},  # mask not used
    ]),
    ("fslroi", "ExtractROI", {}, None, [
        {"in_file": "@f", "t_min": 1, "t_size": 2},
        {"in_file": "@a", "x_min": 0, "x_size": 4, "y_min": 1, "y_size": 5, "z_min": 2,
         "z_size": 3},
        {"in_file": "@f", "x_min": 0, "x_size": -1, "y_min": 0, "y_size": -1, "z_min": 0,
         "z_size": 5, "t_min": 0, "t_size": 1},
        {"in_file": "@a", "crop_list": [(0, 4), (1, 5), (2, 3)]},
        {"in_file": "@f", "t_min": 0, "t_size": 1, "roi_file": "first.nii.gz"},
    ]),
    ("fslmerge", "Merge", {}, None, [
        {"in_files": ["@a", "@b"], "dimension": "t"},
        {"in_files": ["@a", "@b", "@mask"], "dimension": "z"},
        {"in_files": ["@a", "@b"], "dimension": "x", "merged_file": "m.nii.gz"},
        {"in_files": ["@a"], "dimension": "a"},
        {"in_files": ["@b", "@a"], "dimension": "y"},
    ]),
    ("fslsplit", "Split", {}, None, [
        {"in_file": "@f", "dimension": "t", "out_base_name": "vol"},
        {"in_file": "@f", "dimension": "z", "out_base_name": "slice"},
        {"in_file": "@a", "dimension": "x", "out_base_name": "sx"},
        {"in_file": "@a", "dimension": "y", "out_base_name": "y_"},
        {"in_file": "@b", "dimension": "t", "out_base_name": "b"},
    ]),
    ("fslreorient2std", "Reorient2Std", {}, None, [
        {"in_file": "@a"},
        {"in_file": "@b"},
        {"in_file": "@f"},
        {"in_file": "@a", "out_file": "std.nii.gz"},
        {"in_file": "@mask", "out_file": "m_std.nii.gz"},
    ]),
    ("robustfov", "RobustFOV", {}, None, [
        {"in_file": "@a", "out_transform": "a_to_ROI.mat"},
        {"in_file": "@a", "brainsize": 150, "out_transform": "t.mat"},
        {"in_file": "@b", "out_roi": "roi.nii.gz", "out_transform": "t.mat"},
        {"in_file": "@a", "brainsize": 170, "out_roi": "r.nii.gz", "out_transform": "x.mat"},
        {"in_file": "@mask", "out_transform": "m.mat"},
    ]),
    ("fslswapdim", "SwapDimensions", {}, None, [
        {"in_file": "@a", "new_dims": ("-x", "y", "z")},
        {"in_file": "@a", "new_dims": ("y", "x", "z")},
        {"in_file": "@a", "new_dims": ("RL", "PA", "IS")},
        {"in_file": "@b", "new_dims": ("x", "-y", "-z"), "out_file": "s.nii.gz"},
        {"in_file": "@f", "new_dims": ("z", "x", "y")},
    ]),
    ("mcflirt", "MCFLIRT", {}, None, [
        {"in_file": "@f"},
        {"in_file": "@f", "cost": "mutualinfo", "mean_vol": True, "save_plots": True},
        {"in_file": "@f", "ref_vol": 2, "dof": 6, "save_mats": True, "save_rms": True,
         "stats_imgs": True},
        {"in_file": "@f", "interpolation": "sinc", "stages": 4, "smooth": 1.0,
         "scaling": 6.0, "rotation": 1, "bins": 128},
        {"in_file": "@f", "ref_file": "@a", "init": "@m1.mat", "use_gradient": True,
         "use_contour": True, "out_file": "moco.nii.gz"},
    ]),
    ("fnirt", "FNIRT", {}, None, [
        {"in_file": "@a", "ref_file": "@b", "fieldcoeff_file": True},
        {"in_file": "@a", "ref_file": "@b", "fieldcoeff_file": True,
         "affine_file": "@m1.mat", "subsampling_scheme": [4, 2, 1, 1],
         "in_fwhm": [8, 4, 2, 2], "warp_resolution": (6, 6, 6)},
        {"in_file": "@a", "ref_file": "@b", "fieldcoeff_file": "c.nii.gz",
         "field_file": True, "jacobian_file": True, "modulatedref_file": True,
         "refmask_file": "@mask", "inmask_file": "@mask"},
        {"in_file": "@a", "ref_file": "@b", "fieldcoeff_file": True, "skip_refmask": True,
         "apply_inmask": [1, 0], "max_nonlin_iter": [5, 5], "regularization_lambda": [300, 75],
         "regularization_model": "bending_energy", "jacobian_range": (0.01, 100.0)},
        {"in_file": "@a", "ref_file": "@b", "fieldcoeff_file": True,
         "config_file": "T1_2_MNI152_2mm", "intensity_mapping_model": "global_linear",
         "biasfield_resolution": (50, 50, 50), "hessian_precision": "float",
         "skip_implicit_ref_masking": True, "refmask_val": 0.5, "spline_order": 2},
    ]),
    ("applywarp", "ApplyWarp", {}, None, [
        {"in_file": "@a", "ref_file": "@b", "field_file": "@f"},
        {"in_file": "@a", "ref_file": "@b", "field_file": "@f", "premat": "@m1.mat",
         "interp": "nn", "relwarp": True},
        {"in_file": "@a", "ref_file": "@b", "postmat": "@m2.mat", "abswarp": True,
         "datatype": "float", "out_file": "w.nii.gz"},
        {"in_file": "@a", "ref_file": "@b", "field_file": "@f", "supersample": True,
         "superlevel": 3, "mask_file": "@mask"},
        {"in_file": "@a", "ref_file": "@b", "premat": "@m1.mat", "superlevel": "a",
         "interp": "spline"},
    ]),
    ("invwarp", "InvWarp", {}, None, [
        {"warp": "@f", "reference": "@a"},
        {"warp": "@f", "reference": "@a", "relative": True, "niter": 10},
        {"warp": "@f", "reference": "@a", "absolute": True, "regularise": 2.0,
         "inverse_warp": "inv.nii.gz"},
        {"warp": "@f", "reference": "@a", "noconstraint": True, "jacobian_min": 0.1,
         "jacobian_max": 10.0},
        {"warp": "@b", "reference": "@a"},
    ]),
    ("convertwarp", "ConvertWarp", {}, None, [
        {"reference": "@a", "warp1": "@f"},
        {"reference": "@a", "premat": "@m1.mat", "warp1": "@f", "postmat": "@m2.mat"},
        {"reference": "@a", "warp1": "@f", "midmat": "@m1.mat", "warp2": "@f",
         "relwarp": True, "out_relwarp": True},
        {"reference": "@a", "shift_in_file": "@b", "shift_direction": "y-",
         "cons_jacobian": True, "jacobian_min": 0.1, "jacobian_max": 10.0},
        {"reference": "@a", "warp1": "@f", "abswarp": True, "out_abswarp": True,
         "out_file": "cw.nii.gz"},
    ]),
    ("susan", "SUSAN", {}, None, [
        {"in_file": "@a", "brightness_threshold": 100.0, "fwhm": 5.0},
        {"in_file": "@a", "brightness_threshold": 2000.0, "fwhm": 8.0, "dimension": 2},
        {"in_file": "@a", "brightness_threshold": 1.5, "fwhm": 3.0, "use_median": 0},
        {"in_file": "@f", "brightness_threshold": 10.0, "fwhm": 6.0,
         "out_file": "sm.nii.gz"},
        {"in_file": "@b", "brightness_threshold": 0.25, "fwhm": 2.3548200450309493},
    ]),
    ("slicetimer", "SliceTimer", {}, None, [
        {"in_file": "@f"},
        {"in_file": "@f", "time_repetition": 2.0, "interleaved": True},
        {"in_file": "@f", "index_dir": True, "slice_direction": 3},
        {"in_file": "@f", "custom_timings": "@timings.txt", "out_file": "st.nii.gz"},
        {"in_file": "@f", "custom_order": "@order.txt", "time_repetition": 0.8},
    ]),
    ("fugue", "FUGUE", {}, None, [
        {"in_file": "@a", "fmap_in_file": "@b", "unwarped_file": "u.nii.gz",
         "dwell_time": 0.0005},
        {"in_file": "@a", "shift_in_file": "@b", "warped_file": "w.nii.gz",
         "forward_warping": True, "icorr": True, "unwarp_direction": "y-"},
        {"fmap_in_file": "@b", "shift_out_file": "vsm.nii.gz", "dwell_time": 0.0007,
         "mask_file": "@mask", "smooth3d": 2.0, "save_unmasked_shift": True},
        {"phasemap_in_file": "@b", "fmap_out_file": "fm.nii.gz", "asym_se_time": 0.00246,
         "despike_2dfilter": True, "despike_threshold": 2.5, "poly_order": 3},
        # default names: nipype's save_shift / save_unmasked_* are ours
        # shift_out_file=True / fmap_out_file=True
        {"fmap_in_file": "@b", "shift_in_file": "@a", "save_unmasked_shift": True,
         "save_fmap": True},
        {"phasemap_in_file": "@b", "save_shift": True, "dwell_time": 0.0005},
        {"in_file": "@a", "fmap_in_file": "@b", "unwarped_file": "u.nii.gz",
         "median_2dfilter": True, "no_gap_fill": True, "no_extend": True,
         "smooth2d": 1.5, "pava": True, "phase_conjugate": True, "nokspace": True},
    ]),
    ("prelude", "PRELUDE", {}, None, [
        {"phase_file": "@a", "magnitude_file": "@b"},
        {"complex_phase_file": "@a", "unwrapped_phase_file": "u.nii.gz"},
        {"phase_file": "@a", "magnitude_file": "@b", "mask_file": "@mask",
         "num_partitions": 8, "process3d": True},
        {"phase_file": "@a", "magnitude_file": "@b", "labelprocess2d": True,
         "threshold": 10.0, "start": 0, "end": 3},
        {"phase_file": "@a", "magnitude_file": "@b", "savemask_file": "m.nii.gz",
         "rawphase_file": "r.nii.gz", "label_file": "l.nii.gz", "removeramps": True},
    ]),
    ("topup", "TOPUP", {}, None, [
        {"in_file": "@f", "encoding_file": "@params.txt"},
        {"in_file": "@f", "encoding_file": "@params.txt", "config": "b02b0_1.cnf",
         "warp_res": 20.0, "subsamp": 2, "fwhm": 8.0},
        {"in_file": "@f", "encoding_file": "@params.txt", "max_iter": 5,
         "reg_lambda": 0.005, "ssqlambda": 1, "regmod": "membrane_energy", "estmov": 1},
        {"in_file": "@f", "encoding_file": "@params.txt", "minmet": 1, "splineorder": 3,
         "numprec": "float", "interp": "linear", "scale": 1, "regrid": 0},
        {"in_file": "@f", "encoding_file": "@params.txt", "out_base": "tb",
         "out_field": "fld.nii.gz", "out_corrected": "cor.nii.gz", "out_logfile": "t.log"},
    ]),
    ("applytopup", "ApplyTOPUP", {"in_topup_fieldcoef": "in_topup"}, None, [
        {"in_files": ["@a", "@b"], "encoding_file": "@params.txt", "in_index": [1, 2],
         "in_topup_fieldcoef": "@fieldcoef", "in_topup_movpar": "@movpar"},
        {"in_files": ["@a"], "encoding_file": "@params.txt", "in_index": [1],
         "in_topup_fieldcoef": "@fieldcoef", "in_topup_movpar": "@movpar",
         "method": "jac"},
        {"in_files": ["@a", "@b"], "encoding_file": "@params.txt", "in_index": [1, 2],
         "in_topup_fieldcoef": "@fieldcoef", "in_topup_movpar": "@movpar",
         "method": "lsr", "interp": "spline"},
        {"in_files": ["@a"], "encoding_file": "@params.txt", "in_index": [2],
         "in_topup_fieldcoef": "@fieldcoef", "in_topup_movpar": "@movpar",
         "datatype": "float", "out_corrected": "c.nii.gz"},
        {"in_files": ["@a", "@b"], "encoding_file": "@params.txt",
         "in_topup_fieldcoef": "@fieldcoef", "in_topup_movpar": "@movpar"},
        {"in_files": "@a", "encoding_file": "@params.txt",
         "in_topup_fieldcoef": "@fieldcoef", "in_topup_movpar": "@movpar"},
        {"in_files": ["@b"], "encoding_file": "@params.txt", "in_index": [1],
         "in_topup_fieldcoef": "@fieldcoef", "in_topup_movpar": "@movpar",
         "interp": "trilinear"},
    ]),
    ("eddy", "Eddy", {"in_topup_fieldcoef": "in_topup"}, _field_with_extension, [
        {"in_file": "@f", "in_mask": "@mask", "in_index": "@index.txt",
         "in_acqp": "@params.txt", "in_bvec": "@bvecs", "in_bval": "@bvals"},
        {"in_file": "@f", "in_mask": "@mask", "in_index": "@index.txt",
         "in_acqp": "@params.txt", "in_bvec": "@bvecs", "in_bval": "@bvals",
         "in_topup_fieldcoef": "@fieldcoef", "in_topup_movpar": "@movpar", "repol": True},
        {"in_file": "@f", "in_mask": "@mask", "in_index": "@index.txt",
         "in_acqp": "@params.txt", "in_bvec": "@bvecs", "in_bval": "@bvals",
         "flm": "linear", "slm": "quadratic", "fep": True, "interp": "trilinear",
         "niter": 8, "method": "lsr", "fwhm": 10.0},
        {"in_file": "@f", "in_mask": "@mask", "in_index": "@index.txt",
         "in_acqp": "@params.txt", "in_bvec": "@bvecs", "in_bval": "@bvals",
         "dont_sep_offs_move": True, "dont_peas": True, "is_shelled": True,
         "cnr_maps": True, "residuals": True, "out_base": "ec"},
        {"in_file": "@f", "in_mask": "@mask", "in_index": "@index.txt",
         "in_acqp": "@params.txt", "in_bvec": "@bvecs", "in_bval": "@bvals",
         "outlier_sqr": True, "repol": False},
        {"in_file": "@f", "in_mask": "@mask", "in_index": "@index.txt",
         "in_acqp": "@params.txt", "in_bvec": "@bvecs", "in_bval": "@bvals",
         "session": "@index.txt", "field": "@b", "field_mat": "@m1.mat",
         "multiband_factor": 3, "multiband_offset": 1, "nvoxhp": 2000,
         "fudge_factor": 5.0},
    ]),
    ("epi_reg", "EpiReg", {}, None, [
        {"epi": "@f", "t1_head": "@a", "t1_brain": "@b"},
        {"epi": "@f", "t1_head": "@a", "t1_brain": "@b", "out_base": "e2s"},
        {"epi": "@f", "t1_head": "@a", "t1_brain": "@b", "fmap": "@b", "fmapmag": "@a",
         "fmapmagbrain": "@b", "echospacing": 0.0005, "pedir": "-y"},
        {"epi": "@f", "t1_head": "@a", "t1_brain": "@b", "wmseg": "@mask",
         "weight_image": "@mask", "no_fmapreg": True},
        {"epi": "@f", "t1_head": "@a", "t1_brain": "@b", "no_clean": False},
    ]),
    ("dtifit", "DTIFit", {}, None, [
        {"dwi": "@f", "mask": "@mask", "bvecs": "@bvecs", "bvals": "@bvals"},
        {"dwi": "@f", "mask": "@mask", "bvecs": "@bvecs", "bvals": "@bvals",
         "base_name": "dti", "save_tensor": True, "sse": True},
        {"dwi": "@f", "mask": "@mask", "bvecs": "@bvecs", "bvals": "@bvals",
         "min_z": 1, "max_z": 5, "min_y": 0, "max_y": 4, "min_x": 2, "max_x": 6},
        {"dwi": "@f", "mask": "@mask", "bvecs": "@bvecs", "bvals": "@bvals",
         "cni": "@params.txt", "little_bit": True},
        {"dwi": "@f", "mask": "@mask", "bvecs": "@bvecs", "bvals": "@bvals",
         "gradnonlin": "@b", "base_name": "g_"},
    ]),
    ("melodic", "MELODIC", {}, None, [
        {"in_files": ["@f"], "out_dir": "ica"},
        {"in_files": "@f", "out_dir": "ica"},
        {"in_files": ["@f", "@f"], "out_dir": "ica", "approach": "concat", "tr_sec": 2.0,
         "no_bet": True, "report": True},
        {"in_files": ["@f"], "out_dir": "ica", "mask": "@mask", "dim": 10,
         "dim_est": "lap", "num_ICs": 5, "non_linearity": "pow3", "var_norm": True},
        {"in_files": ["@f"], "out_dir": "ica", "migp": True, "migpN": 100,
         "migp_factor": 2, "migp_shuffle": True, "sep_whiten": True, "sep_vn": True},
        {"in_files": ["@f"], "out_dir": "ica", "out_all": True, "out_unmix": True,
         "out_stats": True, "out_pca": True, "out_white": True, "out_orig": True,
         "out_mean": True, "bg_threshold": 10.0, "epsilon": 0.001, "maxit": 100,
         "mm_thresh": 0.5, "no_mm": True, "log_power": True, "remove_deriv": True},
    ]),
    ("cluster", "Cluster", {}, None, [
        {"in_file": "@a", "threshold": 2.3},
        {"in_file": "@a", "threshold": 2.3, "out_index_file": True,
         "out_localmax_txt_file": True, "out_size_file": True},
        {"in_file": "@a", "threshold": 3.1, "pthreshold": 0.05, "dlh": 0.1,
         "volume": 1000, "cope_file": "@b", "use_mm": True},
        {"in_file": "@a", "threshold": 0.5, "fractional": True, "connectivity": 6,
         "find_min": True, "no_table": True, "minclustersize": True, "num_maxima": 3,
         "peak_distance": 5.0},
        {"in_file": "@a", "threshold": 2.0, "out_threshold_file": True,
         "out_localmax_vol_file": True, "out_max_file": True, "out_mean_file": True,
         "out_pval_file": True, "xfm_file": "@m1.mat", "std_space_file": "@b",
         "warpfield_file": "@f"},
    ]),
]

# Inputs nipype has and ours spells differently, per case value.
_FUGUE_DROP = {"forward_warping"}


def _resolve(value, files, tmp_path):
    if isinstance(value, str) and value.startswith("@"):
        return files[value[1:]]
    if isinstance(value, list):
        return [_resolve(v, files, tmp_path) for v in value]
    if isinstance(value, str) and value.endswith((".nii.gz", ".mat", ".log")) or value in (
        "seg", "mc", "s", "p", "first", "vol", "slice", "sx", "y_", "b", "tb", "ec",
        "e2s", "dti", "g_", "ica",
    ):
        return str(tmp_path / value)  # an output path, the same for both
    return value


def _ours(tool, inputs, rename):
    out = {}
    for name, value in inputs.items():
        if name in ("in_topup_movpar",) or (tool == "fugue" and name in _FUGUE_DROP):
            continue
        if name == "in_topup_fieldcoef":
            value = value[: -len("_fieldcoef.nii.gz")]
        if tool == "fugue" and name in ("save_shift", "save_fmap", "save_unmasked_shift",
                                        "save_unmasked_fmap"):
            # nipype's save_* flags ask for the default name: ours is True
            output = name.split("_")[-1] + "_out_file"
            if value:
                out.setdefault(output, inputs.get(output, True))
            if name in ("save_shift", "save_fmap"):
                continue
        if tool == "fslmerge" and name == "dimension" and "tr" in inputs:
            value = "tr"
        out[rename.get(name, name)] = value
    return out


def _ids():
    for tool, cls, _, _, combos in CASES:
        for i in range(len(combos)):
            yield f"{tool}-{cls}-{i}"


@pytest.mark.filterwarnings("ignore:input 'mask_file' is not used")
@pytest.mark.parametrize(
    "tool,cls,rename,adjust,inputs",
    [(t, c, r, a, i) for t, c, r, a, combos in CASES for i in combos],
    ids=list(_ids()),
)
def test_same_arguments_as_nipype(stub_fsl, files, tmp_path, monkeypatch, tool, cls,
                                  rename, adjust, inputs):
    monkeypatch.setenv("FSLOUTPUTTYPE", "NIFTI_GZ")
    resolved = {k: _resolve(v, files, tmp_path) for k, v in inputs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = shlex.split(getattr(nipype_fsl, cls)(**resolved).cmdline)[1:]
    if adjust is not None:
        theirs = adjust(theirs)
    mine = argv_of(getattr(ours, tool)(), **_ours(tool, resolved, rename))
    assert _names(mine) == _names(theirs)


def test_every_nipype_wrapped_tool_has_five_combinations():
    per_tool: dict[str, int] = {}
    for tool, _, _, _, combos in CASES:
        per_tool[tool] = per_tool.get(tool, 0) + len(combos)
    assert min(per_tool.values()) >= 5
    # every interface but fslorient (nipype has none) and fslcpgeom (checked
    # in test_fsl_argv: ours passes a copy of the destination)
    assert set(ours.__all__[:33]) - set(per_tool) == {"fslorient", "fslcpgeom"}


# -- random input sets drawn from nipype's own specs -----------------------------
#
# For every tool both wrap, hypothesis draws input sets from the nipype
# class's trait metadata (tests/nipype_strategies.py) and compares the
# arguments.  Every nipype input is drawn unless listed in SKIP below, each
# entry being a difference documented in docs/fsl.rst.

from hypothesis import HealthCheck, Phase, given, reject, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from interfaces.base import InputError, InputTypeError  # noqa: E402
from interfaces.base.specs import is_output_trait, trait_kind  # noqa: E402
from nipype_strategies import input_sets  # noqa: E402

#: Sets compared per tool and CI run.
EXAMPLES = 20

# nipype's output_type also offers GIFTI, which FSL's image tools do not write.
_OUTPUT_TYPE = st.sampled_from(sorted(ours.OUTPUT_TYPES))

# -- helpers of the coordinates, field maps, plots, complex images, QC entries --
_COORDS = st.sampled_from(["@params.txt", "@design.txt"])
#: fslcomplex's modes and the inputs each reads.
_COMPLEX_READS = {
    "real_polar": {"complex_in_file"}, "real_cartesian": {"complex_in_file"},
    "complex_cartesian": {"real_in_file", "imaginary_in_file"},
    "complex_polar": {"magnitude_in_file", "phase_in_file"},
    "complex_split": {"complex_in_file"}, "complex_merge": {"complex_in_file",
                                                            "complex_in_file2"},
}
_COMPLEX_FILES = set().union(*_COMPLEX_READS.values())


def _complex_reads_its_inputs(drawn):
    modes = [m for m in _COMPLEX_READS if drawn.get(m)]
    return len(modes) == 1 and _COMPLEX_FILES & set(drawn) == _COMPLEX_READS[modes[0]]


def _jacobian_kept(argv, drawn):
    if "out_jacobian" not in drawn or drawn.get("write_jacobian"):
        return argv
    at = next(i for i, item in enumerate(argv) if item.startswith("--ref="))
    return argv[:at] + [f"--jac={drawn['out_jacobian']}"] + argv[at:]


def _y_range_as_floats(argv, drawn):
    if "y_range" not in drawn:
        return argv
    low, high = drawn["y_range"]
    fixed = {"--ymin": f"--ymin={low:.2f}", "--ymax": f"--ymax={high:.2f}"}
    return [fixed.get(item.split("=")[0], item) for item in argv]


def _qc_folder(argv):
    return [re.sub(r"\.qc\.(nii|img)(\.gz)?$", ".qc", item) for item in argv]


# -- helpers of the tractography entries --


def _logdir_default(argv, drawn):
    """nipype's default --logdir=. (its working folder) as ours: 'logdir'."""
    return ["--logdir=logdir" if item == "--logdir=." else item for item in argv]


_PROBTRACKX_VALUES = {
    "out_dir": st.just("@folder"),
    "target_masks": st.one_of(st.sampled_from(["@a", "@mask"]),
                              st.lists(st.sampled_from(["@a", "@b", "@mask"]), min_size=1,
                                       max_size=3)),
}


# -- helpers of the FEAT, FILM, FLAME and group models entries --


def _stats_folder(argv):
    """contrast_mgr's stats folder (the item before the t contrasts) as one name."""
    return argv[:-2] + ["<stats folder>"] + argv[-1:]


def _one_design(drawn):
    design = "design_file" in drawn
    return (drawn.get("one_sample_group_mean") is True) != design and (
        design == ("con_file" in drawn))


# -- helpers of the TBSS, vecreg, proj_thresh, make_dyadic_vectors entries --


def _skeleton_names(argv, drawn):
    """tbss_skeleton's default output names with the output type's extension
    (nipype keeps the input's, which FSL replaces)."""
    ext = ours.OUTPUT_TYPES[drawn.get("output_type", "NIFTI_GZ")]
    return [re.sub(r"(_skeleton|_skeletonised)\.nii\.gz$", r"\1" + ext, item)
            if "/out_" not in item else item for item in argv]


#: (our tool, nipype class) -> how its random sets are drawn; each entry is a
#: difference documented in docs/fsl.rst:
#:   skip      nipype inputs never drawn (ours has no such input);
#:   mapped    nipype inputs ours spells otherwise (translated by ``_ours``);
#:   required  inputs always drawn (ours names that output otherwise by
#:             default, or needs the input; the default is tested in
#:             test_fsl_argv);
#:   values    {nipype input: strategy}: values that make sense to the tool
#:             (an op_string), or the values ours accepts;
#:   adjust    (nipype's argv, drawn) -> the argv ours passes (defaults ours
#:             does not pass);
#:   theirs    drawn -> more nipype inputs that say the same (fugue's
#:             forward_warping, which ours reads from warped_file);
#:   refuses   drawn -> True for the sets ours refuses on purpose (checked:
#:             ours raises InputError);
#:   mine      (our argv, drawn) -> what is compared of it (a run-specific
#:             path nipype cannot know, e.g. the run's folder).
OPTIONS = {
    ("flirt", "FLIRT"): dict(skip={"save_log", "out_log"}),
    ("applyxfm", "ApplyXFM"): dict(
        skip={"save_log", "out_log", "apply_xfm"}, required={"in_matrix_file"},
        refuses=lambda d: d.get("uses_qform") and "in_matrix_file" in d),
    ("applyisoxfm", "FLIRT"): dict(
        skip={"save_log", "out_log"}, required={"apply_isoxfm", "in_matrix_file"},
        refuses=lambda d: d.get("uses_qform") and "in_matrix_file" in d),
    ("convert_xfm", "ConvertXFM"): dict(required={"out_file"}),
    ("bet", "BET"): dict(values={"center": st.lists(st.integers(0, 20), min_size=3,
                                                    max_size=3)}),
    ("fast", "FAST"): dict(required={"out_basename"}),
    ("run_first_all", "FIRST"): dict(required={"method", "method_as_numerical_threshold"}),
    ("fslmaths", "ImageMaths"): dict(skip={"suffix"}, values={"op_string": st.sampled_from(
        ["-add 5", "-thr 10 -bin", "-mul", "-abs -sqrt", "-Tmean", "-s 2"])}),
    ("fslmaths", "MultiImageMaths"): dict(values={"op_string": st.sampled_from(
        ["-add %s", "-mas %s -bin", "-add %s -mul -1 -div %s"])}),
    # the same, under nipype's names
    ("ImageMaths", "ImageMaths"): dict(skip={"suffix"}, values={"op_string": st.sampled_from(
        ["-add 5", "-thr 10 -bin", "-mul", "-abs -sqrt", "-Tmean", "-s 2"])}),
    ("MultiImageMaths", "MultiImageMaths"): dict(values={"op_string": st.sampled_from(
        ["-add %s", "-mas %s -bin", "-add %s -mul -1 -div %s"])}),
    ("fslstats", "ImageStats"): dict(values={"op_string": st.sampled_from(
        ["-M", "-M -S -R", "-k %s -m", "-l 10 -M -P 50", "-V"])}),
    ("fslsplit", "Split"): dict(required={"out_base_name"}),
    ("robustfov", "RobustFOV"): dict(required={"out_transform"}),
    ("fnirt", "FNIRT"): dict(required={"fieldcoeff_file"}, skip={"in_intensitymap_file"}),
    ("fugue", "FUGUE"): dict(skip={"forward_warping"}, mapped={"save_shift", "save_fmap"},
                             theirs=lambda d: {"forward_warping": "warped_file" in d},
                             # ours writes no image unless asked (nipype: --unwarp)
                             adjust=lambda argv, d: _drop("--warp", "warped_file")(
                                 _drop("--unwarp", "unwarped_file")(argv, d), d)),
    ("prelude", "PRELUDE"): dict(required={"unwrapped_phase_file"}),
    ("topup", "TOPUP"): dict(skip={"encoding_direction", "readout_times", "out_enc_file"}),
    ("applytopup", "ApplyTOPUP"): dict(
        mapped={"in_topup_movpar"}, required={"in_topup_fieldcoef"},
        values={"in_topup_fieldcoef": st.just("@fieldcoef"),
                "in_topup_movpar": st.just("@movpar")}),
    ("eddy", "Eddy"): dict(
        skip={"use_cuda", "num_threads"}, mapped={"in_topup_movpar"},
        values={"in_topup_fieldcoef": st.just("@fieldcoef"),
                "in_topup_movpar": st.just("@movpar")}),
    ("melodic", "MELODIC"): dict(required={"out_dir"}),
    ("avscale", "AvScale"): dict(refuses=lambda d: "mat_file" not in d),
    # a mandatory choice given as False: nipype passes nothing (or, for
    # filter_all, every column anyway); ours asks for a real choice
    ("overlay", "Overlay"): dict(
        refuses=lambda d: False in (d.get("auto_thresh_bg"), d.get("full_bg_range")),
        adjust=None),
    # (nipype reads a one-row design as one column: a design of 5 rows)
    ("fslslice", "Slice"): dict(required={"out_base_name"}),
    ("fsl_regfilt", "FilterRegressor"): dict(refuses=lambda d: d.get("filter_all") is False,
                                             values={"design_file": st.just("@design.txt")}),
    # -- tractography: bedpostx, xfibres, probtrackx (issue 13) --
    # logdir defaults to 'logdir' in the run's folder (nipype: '.', its own folder)
    ("xfibres", "XFibres5"): dict(adjust=lambda argv, d: _logdir_default(argv, d)),
    ("xfibres", "XFibres"): dict(adjust=lambda argv, d: _logdir_default(argv, d)),
    # nipype's use_gpu runs bedpostx_gpu: ours is fsl.bedpostx_gpu
    ("bedpostx", "BEDPOSTX5"): dict(skip={"use_gpu"}),
    ("bedpostx", "BEDPOSTX"): dict(skip={"use_gpu"}),
    ("bedpostx_gpu", "BEDPOSTX5"): dict(skip={"use_gpu"}, theirs=lambda d: {"use_gpu": True}),
    # out_dir: an existing folder (nipype's must exist; its default, its own folder,
    # is ours: 'probtrackx' in the run's folder, tested in test_fsl_argv); target
    # masks that exist (nipype's spec does not check them: exits=True)
    ("probtrackx", "ProbTrackX"): dict(values=_PROBTRACKX_VALUES, required={"out_dir"}),
    ("probtrackx2", "ProbTrackX2"): dict(values=_PROBTRACKX_VALUES, required={"out_dir"}),
    #
    # -- TBSS, vecreg, proj_thresh, make_dyadic_vectors (issue 13) --
    # projecting without a search mask: nipype passes "<undefined>"; ours refuses;
    # default names get the output type's extension (nipype keeps the input's)
    ("tbss_skeleton", "TractSkeleton"): dict(
        refuses=lambda d: d.get("project_data") is True and d.get("use_cingulum_mask") is False,
        adjust=lambda argv, d: _skeleton_names(argv, d)),
    # FSL reads perc after a mask only: ours needs the mask
    ("make_dyadic_vectors", "MakeDyadicVectors"): dict(
        refuses=lambda d: "perc" in d and "mask" not in d),
    #
    # -- FEAT, FILM, FLAME and group models (issue 13) --
    # nipype cannot format contrast_num (argstr "-cope" takes no value): never drawn;
    # ours passes the run's folder, where the fit is staged (nipype: sigmasquareds')
    ("contrast_mgr", "ContrastMgr"): dict(skip={"contrast_num"},
                                          adjust=lambda argv, d: _stats_folder(argv),
                                          mine=lambda argv, d: _stats_folder(argv)),
    # FSL takes -1, or a design and its contrasts, there: ours needs exactly one
    ("dual_regression", "DualRegression"): dict(refuses=lambda d: not _one_design(d)),
    #
    # -- coordinates, field maps, plots, complex images, QC (issue 13) --
    # nipype passes in_coords renamed to .txt: a text file of points here
    ("img2imgcoord", "WarpPoints"): dict(values={"in_coords": _COORDS}),
    ("img2stdcoord", "WarpPointsToStd"): dict(values={"in_coords": _COORDS}),
    # a given out_jacobian is written (nipype drops it unless write_jacobian)
    ("fnirtfileutils", "WarpUtils"): dict(adjust=lambda argv, d: _jacobian_kept(argv, d)),
    # nipype refuses xyz_b0 in every set (x_b0, y_b0, z_b0 have defaults)
    ("b0calc", "B0Calc"): dict(skip={"xyz_b0"}),
    # one mode per set; ours refuses inputs the mode does not read
    ("fslcomplex", "Complex"): dict(required=set(_COMPLEX_READS),
                                    values={m: st.just(True) for m in _COMPLEX_READS},
                                    refuses=lambda d: not _complex_reads_its_inputs(d)),
    # y_range as y_min/y_max format it (nipype: %d)
    ("PlotTimeSeries", "PlotTimeSeries"): dict(adjust=lambda argv, d: _y_range_as_floats(
        argv, d)),
    # base_name is mandatory (nipype: eddy_corrected in its working directory);
    # output_dir's default has no image extension
    ("eddy_quad", "EddyQuad"): dict(refuses=lambda d: "base_name" not in d,
                                    adjust=lambda argv, d: _qc_folder(argv)),
    #
    # -- FreeSurfer's epidewarp.fsl --
    # ours passes --epidw <epi>_epidw with epi_file (nipype lists unwarped_file
    # but passes nothing, so the script writes none); one of exf_file and
    # epi_file is needed (the script stops without)
    ("epidewarp", "EPIDeWarp"): dict(mine=lambda argv, d: _drop("--epidw", "epidw")(argv, d),
                                     refuses=lambda d: not ({"exf_file", "epi_file"} & set(d))),
}


#: nipype inputs that are not options of the tool.
NOT_OPTIONS = {"args", "environ", "trait_added", "trait_modified", "ignore_exception"}


def _pairs():
    seen = {}
    for tool, cls, rename, adjust, _ in CASES:
        seen.setdefault((tool, cls), (rename, adjust))
    return [(tool, cls, rename, adjust) for (tool, cls), (rename, adjust) in seen.items()]


#: Tools added with their random cross-check only: (ours, nipype class).
RANDOM_ONLY = [
    (name, name) for name in (
        "MathsCommand", "ChangeDataType", "Threshold", "StdImage", "MeanImage", "MaxImage",
        "MaxnImage", "MinImage", "MedianImage", "PercentileImage", "AR1Image",
        "IsotropicSmooth", "ApplyMask", "DilateImage", "ErodeImage", "SpatialFilter",
        "UnaryMaths", "BinaryMaths", "TemporalFilter", "Smooth", "ImageMaths",
        "MultiImageMaths")
] + [
    ("fslmeants", "ImageMeants"), ("smoothest", "SmoothEstimate"), ("avscale", "AvScale"),
    ("slicer", "Slicer"), ("overlay", "Overlay"), ("fsl_motion_outliers", "MotionOutliers"),
    ("fsl_regfilt", "FilterRegressor"), ("randomise", "Randomise"), ("fsl_glm", "GLM"),
    ("fslslice", "Slice"), ("fslpspec", "PowerSpectrum"), ("distancemap", "DistanceMap"),
    ("find_the_biggest", "FindTheBiggest"), ("sigloss", "SigLoss"),
    ("Text2Vest", "Text2Vest"), ("Vest2Text", "Vest2Text"), ("eddy_correct", "EddyCorrect"),
    # -- tractography: bedpostx, xfibres, probtrackx (issue 13) --
    ("xfibres", "XFibres5"), ("xfibres", "XFibres"),  # nipype's alias, checked as listed
    ("bedpostx", "BEDPOSTX5"), ("bedpostx", "BEDPOSTX"), ("bedpostx_gpu", "BEDPOSTX5"),
    ("probtrackx", "ProbTrackX"), ("probtrackx2", "ProbTrackX2"),
    #
    # -- TBSS, vecreg, proj_thresh, make_dyadic_vectors (issue 13) --
    ("tbss_skeleton", "TractSkeleton"), ("vecreg", "VecReg"), ("proj_thresh", "ProjThresh"),
    ("make_dyadic_vectors", "MakeDyadicVectors"),
    #
    # -- FEAT, FILM, FLAME and group models (issue 13) --
    ("feat", "FEAT"), ("feat_model", "FEATModel"), ("film_gls", "FILMGLS"),
    ("contrast_mgr", "ContrastMgr"), ("flameo", "FLAMEO"), ("mm", "SMM"),
    ("dual_regression", "DualRegression"),
    #
    # -- coordinates, field maps, plots, complex images, QC (issue 13) --
    ("img2imgcoord", "WarpPoints"), ("img2stdcoord", "WarpPointsToStd"),
    ("std2imgcoord", "WarpPointsFromStd"), ("fnirtfileutils", "WarpUtils"),
    ("b0calc", "B0Calc"), ("fsl_prepare_fieldmap", "PrepareFieldmap"),
    ("fslcomplex", "Complex"), ("PlotTimeSeries", "PlotTimeSeries"),
    ("PlotMotionParams", "PlotMotionParams"), ("eddy_quad", "EddyQuad"),
    #
    # -- ICA-AROMA --
    ("ICA_AROMA", "ICA_AROMA"),
    # -- FreeSurfer's epidewarp.fsl --
    ("epidewarp", "EPIDeWarp"),
]

PAIRS = _pairs() + [(tool, cls, {}, None) for tool, cls in RANDOM_ONLY]


def _nipype_class(name):
    """nipype's class; model classes it does not export at the top
    (DualRegression) included.  FILMGLS as nipype builds it for FSL >= 5.0.7
    (its input spec is chosen by the FSL version found at import)."""
    if name == "FILMGLS":
        model = nipype_fsl.model
        return type("FILMGLS", (model.FILMGLS,), {"input_spec": model.FILMGLSInputSpec507,
                                                  "output_spec": model.FILMGLSOutputSpec507})
    return (getattr(nipype_fsl, name, None) or getattr(nipype_fsl.maths, name, None)
            or getattr(nipype_fsl.model, name))


def _kind(ctrait):
    kind = trait_kind(ctrait)
    if kind is None and ctrait.inner_traits:
        inner = trait_kind(ctrait.inner_traits[0])
        return {"image": "images", "file": "files"}.get(inner)
    if is_output_trait(ctrait):
        return "output_" + kind
    return kind


def _kinds(tool, rename, spec):
    ours_traits = getattr(ours, tool).Inputs.spec_traits()
    return {n: _kind(ours_traits[rename.get(n, n)]) for n in spec.traits()
            if rename.get(n, n) in ours_traits}


def _resolve_drawn(value, files, tmp_path):
    if isinstance(value, str) and value.startswith("@"):
        return files[value[1:]]
    if isinstance(value, str) and value.startswith("out_"):
        return str(tmp_path / value)
    if isinstance(value, list):
        return [_resolve_drawn(v, files, tmp_path) for v in value]
    return value


@pytest.mark.filterwarnings("ignore:input 'mask_file' is not used")
@pytest.mark.parametrize("tool,cls,rename,adjust", PAIRS,
                         ids=[f"{t}-{c}" for t, c, _, _ in PAIRS])
def test_random_sets_give_nipypes_arguments(stub_fsl, files, tmp_path, monkeypatch, tool, cls,
                                            rename, adjust):
    monkeypatch.setenv("FSLOUTPUTTYPE", "NIFTI_GZ")
    klass = _nipype_class(cls)
    spec = klass.input_spec()
    options = OPTIONS.get((tool, cls), {})
    skip = options.get("skip", set())
    ours_traits = getattr(ours, tool).Inputs.spec_traits()
    missing = [n for n in spec.traits() if n not in skip | options.get("mapped", set())
               and n not in NOT_OPTIONS and rename.get(n, n) not in ours_traits]
    assert not missing, f"nipype's {cls} inputs without a counterpart in ours: {missing}"
    compared = []

    values = {"output_type": _OUTPUT_TYPE, **options.get("values", {})}
    refuses = options.get("refuses")

    # No shrinking: a failure is reported as drawn, at once (CI time).
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              phases=(Phase.explicit, Phase.generate),
              suppress_health_check=list(HealthCheck))
    @given(input_sets(spec, _kinds(tool, rename, spec), skip=skip, values=values,
                      required=options.get("required", ())))
    def check(drawn):
        resolved = {k: _resolve_drawn(v, files, tmp_path) for k, v in drawn.items()}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                extra = options["theirs"](drawn) if "theirs" in options else {}
                theirs = shlex.split(klass(**resolved, **extra).cmdline)[1:]
        except Exception:  # a set nipype refuses is not compared
            reject()
        if refuses is not None and refuses(drawn):  # ours is stricter, on purpose
            with pytest.raises((InputError, InputTypeError)):
                argv_of(getattr(ours, tool)(), **_ours(tool, resolved, rename))
            compared.append(drawn)
            return
        for fix in (adjust, options.get("adjust")):
            if fix is not None:
                theirs = fix(theirs, drawn)
        mine = argv_of(getattr(ours, tool)(), **_ours(tool, resolved, rename))
        if "mine" in options:
            mine = options["mine"](mine, drawn)
        assert _names(mine) == _names(theirs), (drawn, _names(mine), _names(theirs))
        compared.append(drawn)

    check()
    assert len(compared) >= EXAMPLES


#: nipype outputs ours has not, each a row of docs/fsl.rst's differences.
NO_OUTPUT = {
    ("flirt", "FLIRT"): {"out_log"},  # the log is res.runtime.stdout
    ("applyxfm", "ApplyXFM"): {"out_log"},
    ("applyisoxfm", "FLIRT"): {"out_log"},
    ("topup", "TOPUP"): {"out_enc_file"},  # encoding_file is given, not written
}


@pytest.mark.parametrize("tool,cls", sorted({(t, c) for t, c, _, _ in PAIRS}),
                         ids=[f"{t}-{c}" for t, c in sorted({(t, c) for t, c, _, _ in PAIRS})])
def test_every_nipype_output_is_read_under_its_name(tool, cls):
    """A ported script reads ``res.outputs.<nipype's name>``: an output of
    ours of that name, or one declared ``also`` under it."""
    theirs = set(_nipype_class(cls).output_spec().trait_names()) - NOT_OPTIONS
    spec = getattr(ours, tool).output_spec()
    read = set(spec.names()) | set(spec.aliases())
    missing = theirs - read - NO_OUTPUT.get((tool, cls), set())
    assert not missing, f"nipype's {cls} outputs that ours does not give: {sorted(missing)}"
    stale = NO_OUTPUT.get((tool, cls), set()) & read
    assert not stale, f"{sorted(stale)} are outputs now: remove them from NO_OUTPUT"


def test_docs_list_every_nipype_class_and_every_pair_is_cross_checked():
    import inspect
    import pathlib

    from nipype.interfaces.base import BaseInterface

    text = (pathlib.Path(__file__).parent.parent / "docs" / "fsl.rst").read_text()
    table = text[text.index("nipype class -> imageshell"):]
    rows = dict(re.findall(r"\n   \* - (\w+)\n     - .*\n     - (.*)", table))
    classes = {n for n, c in inspect.getmembers(nipype_fsl, inspect.isclass)
               if issubclass(c, BaseInterface) and c.__module__.startswith(nipype_fsl.__name__)}
    assert classes - set(rows) == set()
    wrapped = {cls: row for cls, row in rows.items() if row.startswith("``fsl.")}
    checked = {cls for _, cls, _, _ in PAIRS}
    assert set(wrapped) - checked == {"CopyGeom"}  # ours passes a copy: test_fsl_argv
    for cls, row in wrapped.items():
        for name in re.findall(r"``fsl\.(\w+)``", row):
            assert hasattr(ours, name), (cls, name)
