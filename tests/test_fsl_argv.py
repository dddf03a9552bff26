"""Exact argument lists of every FSL interface, and the FSL conventions:
executables from $FSLDIR/bin then PATH, the version file, FSLOUTPUTTYPE
(per process and per interface), input formats, copies of edited inputs.

The argument lists come from dry runs (``run(runner=DryRunner())``: what
``argv`` previews, nothing executed); the executables are stubs that exit 3
and write nothing, run where a test needs the files a tool really receives,
and the preview is checked to name what such a run hands over.  ``{x}`` is
the path of input file x, ``{wd}`` the run's working directory.
"""

from __future__ import annotations

import os
import warnings

import nibabel as nib
import numpy as np
import pytest

from fsl_standins.testing import (  # noqa: F401 (fixtures)
    argv_of, files, run_of, stub_fsl, stub_home, stub_run_of,
)
from interfaces import fsl
from interfaces.base import InputError, InputTypeError

CASES = [
    ("flirt", {"source": "a", "target": "b"},
     "-in {a} -ref {b} -out {wd}/a_flirt.nii.gz -omat {wd}/a_flirt.mat"),
    ("flirt", {"source": "a", "target": "b", "dof": 6, "cost": "bbr", "wm_seg": "mask",
               "searchr_x": [-90, 90], "out_file": "{t}/o.nii.gz"},
     "-in {a} -ref {b} -out {t}/o.nii.gz -omat {wd}/a_flirt.mat -cost bbr -dof 6 "
     "-searchrx -90 90 -wmseg {mask}"),
    ("applyxfm", {"source": "a", "target": "b", "in_matrix_file": "m1.mat"},
     "-in {a} -ref {b} -out {wd}/a_flirt.nii.gz -applyxfm -init {m1.mat}"),
    ("applyxfm", {"source": "a", "target": "b", "uses_qform": True, "out_matrix_file": True},
     "-in {a} -ref {b} -out {wd}/a_flirt.nii.gz -omat {wd}/a_flirt.mat -applyxfm -usesqform"),
    ("applyisoxfm", {"source": "a", "target": "b", "in_matrix_file": "m1.mat",
                     "apply_isoxfm": 1.5},
     "-in {a} -ref {b} -out {wd}/a_flirt.nii.gz -applyisoxfm 1.500000 -init {m1.mat}"),
    ("convert_xfm", {"in_file": "m1.mat", "invert_xfm": True},
     "-omat {wd}/m1_xfm.mat -inverse {m1.mat}"),
    ("convert_xfm", {"in_file": "m1.mat", "in_file2": "m2.mat", "concat_xfm": True},
     "-omat {wd}/m1_xfm.mat -concat {m2.mat} {m1.mat}"),
    ("bet", {"in_file": "a", "mask": True, "frac": 0.4, "robust": True},
     "{a} {wd}/a_brain.nii.gz -f 0.40 -m -R"),
    ("bet", {"in_file": "a", "t2_guided": "b", "center": [1, 2, 3]},
     "{a} {wd}/a_brain.nii.gz -c 1 2 3 -A2 {b}"),
    ("fast", {"in_files": ["a", "b"], "number_classes": 2, "segments": True},
     "-n 2 -o {wd}/a -g -S 2 {a} {b}"),
    ("run_first_all", {"in_file": "a", "brain_extracted": True, "method": "fast",
                       "list_of_specific_structures": ["L_Hipp", "R_Hipp"]},
     "-b -m fast -s L_Hipp,R_Hipp -i {a} -o {wd}/segmented"),
    ("fslmaths", {"in_file": "a", "op_string": "-add %s -thr 5", "operand_files": ["b"],
                  "output_datatype": "char", "internal_datatype": "float"},
     "-dt float {a} -add {b} -thr 5 {wd}/a_maths.nii.gz -odt char"),
    ("fslstats", {"in_file": "a", "op_string": "-k %s -M -S", "mask_file": "mask"},
     "{a} -k {mask} -M -S"),
    ("fslstats", {"in_file": "f", "op_string": "-m", "split_4d": True,
                  "index_mask_file": "mask"}, "-t -K {mask} {f} -m"),
    ("fslroi", {"in_file": "f", "t_min": 1, "t_size": 2}, "{f} {wd}/f_roi.nii.gz 1 2"),
    ("fslroi", {"in_file": "a", "crop_list": [(0, 4), (1, 5), (2, 3)]},
     "{a} {wd}/a_roi.nii.gz 0 4 1 5 2 3"),
    ("fslmerge", {"in_files": ["a", "b"], "dimension": "tr", "tr": 2.5},
     "-tr {wd}/a_merged.nii.gz {a} {b} 2.50"),
    ("fslsplit", {"in_file": "f", "dimension": "t"}, "{f} {wd}/vol -t"),
    ("fslreorient2std", {"in_file": "a"}, "{a} {wd}/a_reoriented.nii.gz"),
    ("robustfov", {"in_file": "a", "brainsize": 150},
     "-i {a} -b 150 -r {wd}/a_ROI.nii.gz -m {wd}/a_to_ROI.mat"),
    ("fslswapdim", {"in_file": "a", "new_dims": ("-x", "y", "z")},
     "{a} -x y z {wd}/a_newdims.nii.gz"),
    ("mcflirt", {"in_file": "f", "save_plots": True, "interpolation": "sinc"},
     "-in {f} -sinc_final -out {wd}/f_mcf.nii.gz -plots"),
    ("fnirt", {"in_file": "a", "ref_file": "b", "subsampling_scheme": [4, 2, 1, 1],
               "warp_resolution": (10, 10, 10), "jacobian_file": True},
     "--cout={wd}/a_fieldwarp.nii.gz --in={a} --jout={wd}/a_field_jacobian.nii.gz "
     "--logout={wd}/a_log.txt --ref={b} --subsamp=4,2,1,1 --warpres=10,10,10 "
     "--iout={wd}/a_warped.nii.gz"),
    ("applywarp", {"in_file": "a", "ref_file": "b", "field_file": "f", "relwarp": True,
                   "interp": "nn"},
     "--in={a} --ref={b} --out={wd}/a_warp.nii.gz --warp={f} --interp=nn --rel"),
    ("invwarp", {"warp": "f", "reference": "a"},
     "--out={wd}/f_inverse.nii.gz --ref={a} --warp={f}"),
    ("convertwarp", {"reference": "a", "premat": "m1.mat", "warp1": "f"},
     "--ref={a} --premat={m1.mat} --warp1={f} --out={wd}/a_concatwarp.nii.gz"),
    ("epi_reg", {"epi": "f", "t1_head": "a", "t1_brain": "b", "pedir": "-y"},
     "--noclean --pedir=-y --epi={f} --t1={a} --t1brain={b} --out={wd}/epi2struct"),
    ("susan", {"in_file": "a", "brightness_threshold": 100.0, "fwhm": 2.3548200450309493},
     "{a} 100.0000000000 1.0000000000 3 1 0 {wd}/a_smooth.nii.gz"),
    ("slicetimer", {"in_file": "f", "time_repetition": 2.0, "interleaved": True},
     "--in={f} --odd --out={wd}/f_st.nii.gz --repeat=2.000000"),
    ("fugue", {"in_file": "a", "fmap_in_file": "b", "unwarped_file": True,
               "shift_out_file": True, "dwell_time": 0.0005},
     "--dwell=0.0005000000 --loadfmap={b} --in={a} --saveshift={wd}/b_vsm.nii.gz "
     "--unwarp={wd}/a_unwarped.nii.gz"),
    # nipype's names: the shift map after the field map (+ _unmasked), the
    # field map after the shift map
    ("fugue", {"shift_in_file": "a", "fmap_in_file": "b", "shift_out_file": True,
               "save_unmasked_shift": True, "fmap_out_file": True},
     "--loadfmap={b} --savefmap={wd}/a_fieldmap.nii.gz --unmaskshift --loadshift={a} "
     "--saveshift={wd}/b_vsm_unmasked.nii.gz"),
    ("prelude", {"phase_file": "a", "magnitude_file": "b", "mask_file": "mask"},
     "--abs={b} --mask={mask} --phase={a} --unwrap={wd}/a_unwrapped.nii.gz"),
    ("topup", {"in_file": "f", "encoding_file": "params.txt"},
     "--config=b02b0.cnf --datain={params.txt} --imain={f} --out={wd}/f_base "
     "--iout={wd}/f_corrected.nii.gz --fout={wd}/f_field.nii.gz --jacout={wd}/jac "
     "--logout={wd}/f_topup.log --rbmout={wd}/xfm --dfout={wd}/warpfield"),
    # without in_index, one line per image (as nipype: FSL needs --inindex)
    ("applytopup", {"in_files": ["a", "b"], "encoding_file": "params.txt",
                    "in_topup": "topup_base"},
     "--datain={params.txt} --imain={a},{b} --inindex=1,2 --topup={topup_base} "
     "--out={wd}/a_corrected.nii.gz"),
    ("applytopup", {"in_files": "a", "encoding_file": "params.txt",
                    "in_topup": "topup_base"},
     "--datain={params.txt} --imain={a} --inindex=1 --topup={topup_base} "
     "--out={wd}/a_corrected.nii.gz"),
    ("applytopup", {"in_files": ["a", "b"], "encoding_file": "params.txt",
                    "in_index": [1, 2], "in_topup": "topup_base"},
     "--datain={params.txt} --imain={a},{b} --inindex=1,2 --topup={topup_base} "
     "--out={wd}/a_corrected.nii.gz"),
    ("eddy", {"in_file": "f", "in_mask": "mask", "in_index": "index.txt",
              "in_acqp": "params.txt", "in_bvec": "bvecs", "in_bval": "bvals",
              "in_topup": "topup_base", "repol": True},
     "--flm=quadratic --ff=10.0 --acqp={params.txt} --bvals={bvals} --bvecs={bvecs} "
     "--imain={f} --index={index.txt} --mask={mask} --topup={topup_base} "
     "--interp=spline --resamp=jac --niter=5 --nvoxhp=1000 --out={wd}/eddy_corrected "
     "--repol --slm=none"),
    # as nipype: a required flag given as False counts as given
    ("eddy", {"in_file": "f", "in_mask": "mask", "in_index": "index.txt",
              "in_acqp": "params.txt", "in_bvec": "bvecs", "in_bval": "bvals",
              "outlier_sqr": True, "repol": False},
     "--flm=quadratic --ff=10.0 --acqp={params.txt} --bvals={bvals} --bvecs={bvecs} "
     "--imain={f} --index={index.txt} --mask={mask} --interp=spline --resamp=jac "
     "--niter=5 --nvoxhp=1000 --out={wd}/eddy_corrected --ol_sqr --slm=none"),
    ("dtifit", {"dwi": "f", "mask": "mask", "bvecs": "bvecs", "bvals": "bvals",
                "save_tensor": True},
     "-k {f} -o {wd}/dtifit_ -m {mask} -r {bvecs} -b {bvals} --save_tensor"),
    ("melodic", {"in_files": ["f"], "dim": 5, "report": True},
     "-i {f} -d 5 -o {wd}/f.ica --report"),
    # one image where a list is expected (nipype's InputMultiPath)
    ("melodic", {"in_files": "f"}, "-i {f} -o {wd}/f.ica"),
    ("fast", {"in_files": "a", "out_basename": "{t}/seg"}, "-o {t}/seg -S 1 {a}"),
    ("cluster", {"in_file": "a", "threshold": 2.3, "out_index_file": True, "use_mm": True},
     "--in={a} --oindex={wd}/a_index.nii.gz --thresh=2.3000000000 --mm"),
    # nipype's fslmaths classes: fslmaths [-dt] in [-nan] <operation> out [-odt]
    ("MathsCommand", {"in_file": "a", "nan2zeros": True}, "{a} -nan {wd}/a_maths.nii.gz"),
    ("ChangeDataType", {"in_file": "a", "output_datatype": "short"},
     "{a} {wd}/a_chdt.nii.gz -odt short"),
    ("Threshold", {"in_file": "a", "thresh": 10.0}, "{a} -thr 10.0000000000 {wd}/a_thresh.nii.gz"),
    ("Threshold", {"in_file": "a", "thresh": 5.0, "direction": "above",
                   "use_robust_range": True, "use_nonzero_voxels": True,
                   "internal_datatype": "double"},
     "-dt double {a} -uthrP 5.0000000000 {wd}/a_thresh.nii.gz"),
    ("StdImage", {"in_file": "f"}, "{f} -Tstd {wd}/f_std.nii.gz"),
    ("MeanImage", {"in_file": "f", "dimension": "X"}, "{f} -Xmean {wd}/f_mean.nii.gz"),
    ("MaxImage", {"in_file": "f"}, "{f} -Tmax {wd}/f_max.nii.gz"),
    ("MaxnImage", {"in_file": "f"}, "{f} -Tmaxn {wd}/f_maxn.nii.gz"),
    ("MinImage", {"in_file": "f", "dimension": "Z"}, "{f} -Zmin {wd}/f_min.nii.gz"),
    ("MedianImage", {"in_file": "f"}, "{f} -Tmedian {wd}/f_median.nii.gz"),
    ("PercentileImage", {"in_file": "f", "perc": 90.0},
     "{f} -Tperc 90.000000 {wd}/f_perc.nii.gz"),
    ("AR1Image", {"in_file": "f"}, "{f} -Tar1 {wd}/f_ar1.nii.gz"),
    ("IsotropicSmooth", {"in_file": "a", "fwhm": 2.3548200450309493},
     "{a} -s 1.00000 {wd}/a_smooth.nii.gz"),
    ("ApplyMask", {"in_file": "a", "mask_file": "mask"},
     "{a} -mas {mask} {wd}/a_masked.nii.gz"),
    ("DilateImage", {"in_file": "a", "operation": "modal", "kernel_shape": "box",
                     "kernel_size": 3.0}, "{a} -kernel box 3.0000 -dilD {wd}/a_dil.nii.gz"),
    ("ErodeImage", {"in_file": "a"}, "{a} -ero {wd}/a_ero.nii.gz"),
    ("ErodeImage", {"in_file": "a", "minimum_filter": True, "kernel_shape": "file",
                    "kernel_file": "b"}, "{a} -kernel file {b} -eroF {wd}/a_ero.nii.gz"),
    ("SpatialFilter", {"in_file": "a", "operation": "meanu"},
     "{a} -fmeanu {wd}/a_filt.nii.gz"),
    ("UnaryMaths", {"in_file": "a", "operation": "sqrt"}, "{a} -sqrt {wd}/a_sqrt.nii.gz"),
    ("BinaryMaths", {"in_file": "a", "operation": "sub", "operand_file": "b"},
     "{a} -sub {b} {wd}/a_maths.nii.gz"),
    ("BinaryMaths", {"in_file": "a", "operation": "div", "operand_value": 4.0},
     "{a} -div 4.00000000 {wd}/a_maths.nii.gz"),
    ("TemporalFilter", {"in_file": "f", "highpass_sigma": 25.0},
     "{f} -bptf 25.000000 -1.000000 {wd}/f_filt.nii.gz"),
    ("Smooth", {"in_file": "a", "fwhm": 2.3548200450309493},
     "{a} -kernel gauss 1.000 -fmean {wd}/a_smooth.nii.gz"),
    ("ImageMaths", {"in_file": "a", "op_string": "-mul", "in_file2": "b",
                    "out_data_type": "float"}, "{a} -mul {b} {wd}/a_maths.nii.gz -odt float"),
    ("MultiImageMaths", {"in_file": "a", "op_string": "-add %s -mul %s",
                         "operand_files": ["b", "mask"]},
     "{a} -add {b} -mul {mask} {wd}/a_maths.nii.gz"),
    # time series, statistics, pictures
    ("fslmeants", {"in_file": "f", "mask": "mask"},
     "-i {f} -m {mask} --order=1 -o {wd}/f_ts.txt"),
    ("smoothest", {"zstat_file": "a", "mask_file": "mask"}, "--mask={mask} --zstat={a}"),
    ("smoothest", {"dof": 10, "residual_fit_file": "f", "mask_file": "mask"},
     "--dof=10 --mask={mask} --res={f}"),
    ("avscale", {"mat_file": "m1.mat", "all_param": True}, "--allparams {m1.mat}"),
    ("fsl_motion_outliers", {"in_file": "f", "metric": "dvars"},
     "-i {f} --dvars -o {wd}/f_outliers.txt -p {wd}/f_metrics.png -s {wd}/f_metrics.txt"),
    ("fsl_regfilt", {"in_file": "f", "design_file": "design.txt",
                     "filter_columns": [1, 3]},
     "-i {f} -o {wd}/f_regfilt.nii.gz -d {design.txt} -f 1,3"),
    ("slicer", {"in_file": "a", "single_slice": "z", "slice_number": 4},
     "{a} -L -z -4 {wd}/a.png"),
    ("slicer", {"in_file": "a", "all_axial": True, "image_width": 600,
                "show_orientation": False, "label_slices": False},
     "{a} -u -A 600 {wd}/a.png"),
    ("overlay", {"background_image": "a", "auto_thresh_bg": True, "stat_image": "b",
                 "stat_thresh": (2.3, 5.0), "show_negative_stats": True},
     "1 0 {a} -a {b} 2.30 5.00 {b} -2.30 -5.00 {wd}/b_overlay.nii.gz"),
    ("overlay", {"background_image": "a", "bg_thresh": (0.0, 100.0), "stat_image": "b",
                 "stat_thresh": (2.3, 5.0), "stat_image2": "mask", "stat_thresh2": (1.0, 2.0)},
     "1 0 {a} 0.000 100.000 {b} 2.30 5.00 {mask} 1.00 2.00 {wd}/b_and_mask_overlay.nii.gz"),
    # statistics and more utilities
    ("randomise", {"in_file": "f", "design_mat": "m1.mat", "tcon": "m2.mat", "tfce": True,
                   "num_perm": 100}, "-i {f} -o {wd}/randomise -d {m1.mat} -t {m2.mat} -n 100 -T"),
    ("fsl_glm", {"in_file": "f", "design": "design.txt", "out_z_name": "{t}/z.nii.gz"},
     "-i {f} -d {design.txt} -o {wd}/f_glm.nii.gz --out_z={t}/z.nii.gz"),
    ("fslslice", {"in_file": "a"}, "{a} {wd}/a"),
    ("fslpspec", {"in_file": "f"}, "{f} {wd}/f_ps.nii.gz"),
    ("distancemap", {"in_file": "mask", "local_max_file": True},
     "--out={wd}/mask_dstmap.nii.gz --in={mask} --localmax={wd}/mask_lclmax.nii.gz"),
    ("find_the_biggest", {"in_files": ["a", "b"]}, "{a} {b} {wd}/biggestSegmentation.nii.gz"),
    ("sigloss", {"in_file": "a", "echo_time": 0.03},
     "--te=0.030000 -i {a} -s {wd}/a_sigloss.nii.gz"),
    ("Text2Vest", {"in_file": "design.txt", "out_file": "{t}/design.mat"},
     "{design.txt} {t}/design.mat"),
    ("Vest2Text", {"in_file": "m1.mat"}, "{m1.mat} {wd}/design.txt"),
    ("eddy_correct", {"in_file": "f"}, "{f} {wd}/f_edc.nii.gz 0"),
    # -- tractography: bedpostx, xfibres, probtrackx (issue 13) --
    # the samples go in logdir, which xfibres makes (nipype: --logdir=.)
    ("xfibres", {"dwi": "f", "mask": "mask", "bvecs": "bvecs", "bvals": "bvals"},
     "--burnin=0 --burnin_noard=0 --bvals={bvals} --bvecs={bvecs} --data={f} --forcedir "
     "--logdir={wd}/logdir --mask={mask} --nfibres=2 --njumps=5000 --sampleevery=1 "
     "--updateproposalevery=40"),
    ("xfibres", {"dwi": "f", "mask": "mask", "bvecs": "bvecs", "bvals": "bvals",
                 "n_fibres": 1, "model": 2, "f0_ard": True, "cnlinear": True, "seed": 7,
                 "force_dir": False, "logdir": "{t}/samples", "gradnonlin": "a"},
     "--burnin=0 --burnin_noard=0 --bvals={bvals} --bvecs={bvecs} --cnonlinear --data={f} "
     "--f0 --ardf0 --gradnonlin={a} --logdir={t}/samples --mask={mask} --model=2 "
     "--nfibres=1 --njumps=5000 --sampleevery=1 --seed=7 --updateproposalevery=40"),
    # the inputs are linked into the subject folder out_dir under bedpostx's names
    ("bedpostx", {"dwi": "f", "mask": "mask", "bvecs": "bvecs", "bvals": "bvals"},
     "{wd}/bedpostx -b 0 --burnin_noard=0 --forcedir -n 2 -j 5000 -s 1 "
     "--updateproposalevery=40"),
    ("bedpostx", {"dwi": "f", "mask": "mask", "bvecs": "params.txt", "bvals": "index.txt",
                  "grad_dev": "a", "gradnonlin": True, "out_dir": "{t}/subj", "n_fibres": 3,
                  "fudge": 2, "model": 3, "no_ard": True, "logdir": "{t}/logs"},
     "{t}/subj -b 0 --burnin_noard=0 --forcedir -w 2 -g --logdir={t}/logs -model 3 -n 3 "
     "-j 5000 --noard -s 1 --updateproposalevery=40"),
    ("bedpostx_gpu", {"dwi": "f", "mask": "mask", "bvecs": "bvecs", "bvals": "bvals",
                      "n_fibres": 1, "force_dir": False},
     "{wd}/bedpostx -b 0 --burnin_noard=0 -n 1 -j 5000 -s 1 --updateproposalevery=40"),
    # the samples are linked into the run's folder as merged_th1samples...; a seed
    # mask passed as it is, mode from the seed (nipype's default)
    ("probtrackx", {"thsamples": "a", "phsamples": "b", "fsamples": "f", "mask": "mask",
                    "seed": "mask"},
     "--forcedir -m {mask} --mode=seedmask --nsamples=5000 --opd --dir={wd}/probtrackx "
     "--samples=merged --seed={mask}"),
    # lists of seeds and targets as text files in the run's folder; voxels: simple mode
    ("probtrackx", {"thsamples": ["a"], "phsamples": ["b"], "fsamples": ["f"],
                    "mask": "mask", "seed": [[1, 2, 3], [4, 5, 6]], "target_masks": ["a", "b"],
                    "os2t": True, "n_samples": 10, "step_length": 0.25,
                    "samples_base_name": "bpx", "out_dir": "{t}/tracts"},
     "--forcedir -m {mask} --mode=simple --nsamples=10 --opd --os2t --dir={t}/tracts "
     "--samples=bpx --seed={wd}/seeds.txt --steplength=0.250 --targetmasks={wd}/targets.txt"),
    ("probtrackx2", {"thsamples": "a", "phsamples": "b", "fsamples": "f", "mask": "mask",
                     "seed": ["a", "b"], "network": True, "omatrix2": True, "target2": "mask",
                     "waypoints": "params.txt", "waycond": "OR", "opd": False},
     "--forcedir -m {mask} --nsamples=5000 --network --omatrix2 --dir={wd}/probtrackx "
     "--samples=merged --seed={wd}/seeds.txt --target2={mask} --waycond=OR "
     "--waypoints={params.txt}"),
    #
    # -- TBSS, vecreg, proj_thresh, make_dyadic_vectors (issue 13) --
    ("tbss_skeleton", {"in_file": "a", "skeleton_file": True}, "-i {a} -o {wd}/a_skeleton.nii.gz"),
    # (without search_mask_file, FSL's cingulum mask: tests/test_fsl_tbss.py)
    ("tbss_skeleton", {"in_file": "a", "project_data": True, "threshold": 0.2,
                       "distance_map": "b", "data_file": "f", "search_mask_file": "mask"},
     "-i {a} -p 0.200 {b} {mask} {f} {wd}/f_skeletonised.nii.gz"),
    ("tbss_skeleton", {"in_file": "a", "project_data": True, "threshold": 0.25,
                       "distance_map": "b", "data_file": "f", "alt_data_file": "f",
                       "search_mask_file": "mask", "use_cingulum_mask": False,
                       "alt_skeleton": "b", "projected_data": "{t}/p.nii.gz"},
     "-a {f} -s {b} -i {a} -p 0.250 {b} {mask} {f} {t}/p.nii.gz"),
    ("vecreg", {"in_file": "f", "ref_vol": "a"}, "-i {f} -o {wd}/f_vreg.nii.gz -r {a}"),
    ("vecreg", {"in_file": "f", "ref_vol": "a", "affine_mat": "m1.mat", "warp_field": "b",
                "rotation_mat": "m2.mat", "interpolation": "spline", "mask": "mask",
                "ref_mask": "mask"},
     "-t {m1.mat} -i {f} --interp=spline -m {mask} -o {wd}/f_vreg.nii.gz --refmask={mask} "
     "-r {a} --rotmat={m2.mat} -w {b}"),
    # the inputs are linked into the run's folder: proj_thresh writes beside them
    ("proj_thresh", {"in_files": ["a", "b"], "threshold": 3}, "{wd}/a.nii.gz {wd}/b.nii.gz 3"),
    ("make_dyadic_vectors", {"theta_vol": "a", "phi_vol": "b"}, "{a} {b} {wd}/dyads"),
    ("make_dyadic_vectors", {"theta_vol": "a", "phi_vol": "b", "mask": "mask", "perc": 0.9,
                             "output": "{t}/d"}, "{a} {b} {mask} {t}/d 0.900000"),
    # TBSS's scripts work in the run's folder, where tbss_dir is linked (a tree of links)
    ("tbss_1_preproc", {"fa_list": ["a", "b"]}, "a.nii.gz b.nii.gz"),
    ("tbss_2_reg", {"tbss_dir": "tbss_dir", "use_fmrib58": True}, "-T"),
    ("tbss_2_reg", {"tbss_dir": "tbss_dir", "target": "b"}, "-t {b}"),
    ("tbss_2_reg", {"tbss_dir": "tbss_dir", "find_best_target": True}, "-n"),
    ("tbss_3_postreg", {"tbss_dir": "tbss_dir", "subject_mean": True}, "-S"),
    ("tbss_3_postreg", {"tbss_dir": "tbss_dir", "use_fmrib58": True}, "-T"),
    ("tbss_4_prestats", {"tbss_dir": "tbss_dir", "threshold": 0.2}, "0.2"),
    ("tbss_non_FA", {"tbss_dir": "tbss_dir", "measure": "MD", "measure_files": ["a", "b"]},
     "MD"),
    #
    # -- FEAT, FILM, FLAME and group models (issue 13) --
    ("feat", {"fsf_file": "design.txt"}, "{design.txt}"),
    # the fsf and EV files are linked into the run's folder; the fsf's root is passed
    ("feat_model", {"fsf_file": "params.txt", "ev_files": ["timings.txt"]}, "{wd}/params"),
    ("film_gls", {"in_file": "f", "design_file": "design.txt"},
     "--rn={wd}/results --in={f} --pd={design.txt} --thr=-1000.000000"),
    ("film_gls", {"in_file": "f", "design_file": "m1.mat", "tcon_file": "m2.mat",
                  "fit_armodel": True, "threshold": 5.0, "results_dir": "{t}/stats"},
     "--ar --rn={t}/stats --con={m2.mat} --in={f} --pd={m1.mat} --thr=5.000000"),
    # the fit is linked into the run's folder under FILM's names: that folder is passed
    ("contrast_mgr", {"tcon_file": "m2.mat", "param_estimates": ["a", "b"],
                      "corrections": "mask", "dof_file": "params.txt", "sigmasquareds": "f",
                      "fcon_file": "m1.mat", "contrast_num": 2},
     "-cope 2 -f {m1.mat} {wd} {m2.mat}"),
    ("flameo", {"cope_file": "f", "var_cope_file": "b", "mask_file": "mask",
                "design_file": "m1.mat", "t_con_file": "m2.mat",
                "cov_split_file": "params.txt", "run_mode": "flame1", "n_jumps": 100},
     "--copefile={f} --covsplitfile={params.txt} --designfile={m1.mat} --ld={wd}/stats "
     "--maskfile={mask} --njumps=100 --runmode=flame1 --tcontrastsfile={m2.mat} "
     "--varcopefile={b}"),
    ("mm", {"spatial_data_file": "a", "mask": "mask"}, "--ld={wd}/logdir --sdf={a} --mask={mask}"),
    ("dual_regression", {"group_IC_maps_4D": "f", "in_files": ["a", "b"], "n_perm": 10,
                         "one_sample_group_mean": True}, "{f} 1 -1 10 {wd}/output {a} {b}"),
    ("dual_regression", {"group_IC_maps_4D": "f", "in_files": "a", "n_perm": 0,
                         "design_file": "m1.mat", "con_file": "m2.mat", "des_norm": False},
     "{f} 0 {m1.mat} {m2.mat} 0 {wd}/output {a}"),
    #
    # -- coordinates, field maps, plots, complex images, QC (issue 13) --
    #
    ("img2imgcoord", {"in_coords": "params.txt", "src_file": "a", "dest_file": "b",
                      "xfm_file": "m1.mat", "coord_mm": True},
     "-mm -dest {b} -src {a} -xfm {m1.mat} {params.txt}"),
    ("img2stdcoord", {"in_coords": "params.txt", "img_file": "a", "std_file": "b",
                      "warp_file": "f", "premat_file": "m1.mat"},
     "-img {a} -premat {m1.mat} -std {b} -warp {f} {params.txt}"),
    ("std2imgcoord", {"in_coords": "params.txt", "img_file": "a", "std_file": "b",
                      "coord_vox": True}, "-vox -img {a} -std {b} {params.txt}"),
    ("fnirtfileutils", {"in_file": "f", "reference": "a"},
     "--in={f} --ref={a} --out={wd}/f_field.nii.gz"),
    ("fnirtfileutils", {"in_file": "f", "reference": "a", "out_format": "spline",
                        "warp_resolution": (10, 10, 10), "write_jacobian": True},
     "--in={f} --outformat=spline --jac={wd}/f_jac.nii.gz --ref={a} "
     "--warpres=10.0000,10.0000,10.0000 --out={wd}/f_coeffs.nii.gz"),
    ("b0calc", {"in_file": "mask", "z_b0": 3.0, "compute_xyz": True},
     "-i {mask} -o {wd}/mask_b0field.nii.gz --chi0=4.000000e-07 --xyz -d -9.450000e-06 "
     "--extendboundary=1.00 --b0x=0.00 --gx=0.0000 --b0y=0.00 --gy=0.0000 --b0=3.00 "
     "--gz=0.0000"),
    ("fsl_prepare_fieldmap", {"in_phase": "a", "in_magnitude": "b", "nocheck": True},
     "SIEMENS {a} {b} {wd}/a_fslprepared.nii.gz 2.460000 --nocheck"),
    ("fslcomplex", {"complex_in_file": "a", "real_polar": True},
     "-realpolar {a} {wd}/a_mag.nii.gz {wd}/a_phase.nii.gz"),
    ("fslcomplex", {"complex_in_file": "f", "real_cartesian": True, "start_vol": 1,
                    "end_vol": 2}, "-realcartesian {f} {wd}/f_real.nii.gz {wd}/f_imag.nii.gz 1 2"),
    ("fslcomplex", {"real_in_file": "a", "imaginary_in_file": "b", "complex_cartesian": True},
     "-complex {a} {b} {wd}/a_cplx.nii.gz"),
    ("fslcomplex", {"magnitude_in_file": "a", "phase_in_file": "b", "complex_polar": True},
     "-complexpolar {a} {b} {wd}/a_cplx.nii.gz"),
    ("fslcomplex", {"complex_in_file": "f", "complex_split": True, "start_vol": 2},
     "-complexsplit {f} {wd}/f_cplx.nii.gz 2"),
    ("fslcomplex", {"complex_in_file": "a", "complex_in_file2": "b", "complex_merge": True},
     "-complexmerge {a} {b} {wd}/a_cplx.nii.gz"),
    ("PlotTimeSeries", {"in_file": ["design.txt", "params.txt"], "title": "two runs",
                        "labels": ["x", "y"], "plot_range": (1, 2), "y_range": (-0.5, 2.25)},
     ["-i", "{design.txt},{params.txt}", "-a", "x,y", "-o", "{wd}/design.png", "--start=1",
      "--finish=2", "-t", "two runs", "-u", "1", "--ymin=-0.50", "--ymax=2.25"]),
    ("PlotMotionParams", {"in_file": "design.txt", "in_source": "fsl",
                          "plot_type": "translations"},
     ["-i", "{design.txt}", "-o", "{wd}/design_trans.png", "-t",
      "MCFLIRT estimated translations (mm)", "--start=4", "--finish=6", "-a", "x,y,z"]),
    ("PlotMotionParams", {"in_file": "design.txt", "in_source": "spm",
                          "plot_type": "displacement", "plot_size": (300, 750)},
     ["-i", "{design.txt}", "-o", "{wd}/design_disp.png", "-h", "300", "-w", "750", "-t",
      "MCFLIRT estimated mean displacement (mm)", "-a", "abs,rel"]),
    ("eddy_quad", {"base_name": "topup_base", "idx_file": "index.txt",
                   "param_file": "params.txt", "mask_file": "mask", "bval_file": "bvals",
                   "field": "b"},
     "{topup_base} --bvals {bvals} --field {b} --eddyIdx {index.txt} --mask {mask} "
     "--output-dir {wd}/t_base.qc --eddyParams {params.txt}"),
    # -- ICA-AROMA --
    ("ICA_AROMA", {"in_file": "f", "motion_parameters": "params.txt", "mask": "mask",
                   "mat_file": "m1.mat", "fnirt_warp_file": "a", "denoise_type": "both",
                   "TR": 2.0, "dim": 10},
     "-tr 2.000 -den both -dim 10 -warp {a} -i {f} -m {mask} -affmat {m1.mat} "
     "-mc {params.txt} -o {wd}/out"),
    ("ICA_AROMA", {"feat_dir": "folder", "out_dir": "{t}/aroma"},
     "-den nonaggr -feat {folder} -o {t}/aroma"),
    # -- FreeSurfer's epidewarp.fsl --
    ("epidewarp", {"mag_file": "a", "dph_file": "b", "epi_file": "f"},
     "--mag {a} --dph {b} --epi {f} --epidw {wd}/f_epidw.nii.gz --esp 0.58 "
     "--exfdw {wd}/exfdw.nii.gz --nocleanup --sigma 2 --tediff 2.46 --tmpdir {wd}/temp "
     "--vsm {wd}/vsm.nii.gz"),
    ("epidewarp", {"mag_file": "a", "dph_file": "b", "exf_file": "mask", "tediff": 1.02,
                   "esp": 0.7, "sigma": 3, "vsm": "{t}/shift.nii.gz"},
     "--mag {a} --dph {b} --esp 0.7 --exf {mask} --exfdw {wd}/mask_exfdw.nii.gz "
     "--nocleanup --sigma 3 --tediff 1.02 --tmpdir {wd}/temp --vsm {t}/shift.nii.gz"),
]


def _resolve(value, files, tmp_path):
    if isinstance(value, list):
        return [_resolve(v, files, tmp_path) for v in value]
    if isinstance(value, str):
        if value in files:
            return files[value]
        return value.replace("{t}", str(tmp_path))
    return value


@pytest.mark.parametrize("tool,inputs,expected", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_exact_argv(stub_fsl, files, tmp_path, tool, inputs, expected):
    resolved = {k: _resolve(v, files, tmp_path) for k, v in inputs.items()}
    result = run_of(getattr(fsl, tool)(), **resolved)
    assert result.argv[0] == str(stub_fsl / "bin" / getattr(fsl, tool).executable)
    fields = dict(files, wd=result.runtime.cwd, t=str(tmp_path))
    items = expected.split() if isinstance(expected, str) else expected  # a list: items with spaces
    assert result.argv[1:] == [_fill(item, fields) for item in items]


def _fill(item, fields):
    for key, value in fields.items():
        item = item.replace("{" + key + "}", value)
    return item


def test_every_interface_has_an_argv_case():
    interfaces = [n for n in fsl.__all__ if hasattr(getattr(fsl, n), "executable")]
    assert len(interfaces) >= 30
    covered = {case[0] for case in CASES} | {"fslorient", "fslcpgeom"}  # tested below
    assert covered == set(interfaces)


def test_the_docs_intro_names_every_program_and_counts_them():
    import pathlib
    import re

    text = (pathlib.Path(__file__).parent.parent / "docs" / "fsl.rst").read_text()
    intro = text[:text.index("nipype's fslmaths classes read")]
    executables = {getattr(fsl, n).executable for n in fsl.__all__
                   if hasattr(getattr(fsl, n), "executable")}
    outside = {"ICA_AROMA.py", "epidewarp.fsl"}  # scripts of other packages, named apart
    programs = executables - outside
    count = int(re.search(r"wraps (\d+) FSL programs", intro).group(1))
    assert count == len(programs)
    words = set(re.findall(r"[\w.]+", intro.replace("``", " ")))
    assert programs | outside <= words, sorted((programs | outside) - words)


# -- in-place tools get copies ---------------------------------------------------


def test_fslorient_and_fslcpgeom_receive_copies_not_the_users_file(stub_fsl, files):
    res = run_of(fsl.fslorient(), in_file=files["a"], set_sformcode=2)
    assert res.argv[1:3] == ["-setsformcode", "2"]
    assert res.argv[3] != files["a"] and res.input_files["in_file"].origin == "copy"
    res = run_of(fsl.fslcpgeom(), in_file=files["a"], dest_file=files["b"], ignore_dims=True)
    assert res.argv[1] == files["a"]
    assert res.argv[2] != files["b"] and res.input_files["dest_file"].origin == "copy"
    assert res.argv[3] == "-d"


def test_fslorient_options_are_exclusive(stub_fsl, files):
    with pytest.raises(InputError, match="mutually exclusive"):
        fsl.fslorient().run(in_file=files["a"], get_orient=True, delete_orient=True)
    res = run_of(fsl.fslorient(), in_file=files["a"], set_sform=[float(v) for v in range(16)])
    assert res.argv[1:18] == ["-setsform"] + [f"{float(v)}" for v in range(16)]


def test_bet_modes_are_exclusive(stub_fsl, files):
    with pytest.raises(InputError, match="mutually exclusive"):
        fsl.bet().run(in_file=files["a"], robust=True, functional=True)


def test_applyxfm_needs_a_matrix_or_the_headers(stub_fsl, files):
    with pytest.raises(InputError, match="in_matrix_file"):
        fsl.applyxfm().run(source=files["a"], target=files["b"])


def test_fslmaths_placeholders_must_match_operand_files(stub_fsl, files):
    with pytest.raises(InputError, match="placeholder"):
        fsl.fslmaths().run(in_file=files["a"], op_string="-add %s -mul %s",
                           operand_files=[files["b"]])


def test_fslstats_mask_without_placeholder_is_left_out_with_a_warning(stub_fsl, files):
    # as nipype (which ignores it), but said: the statistics are not masked
    with pytest.warns(UserWarning, match="mask_file.*not used"):
        res = run_of(fsl.fslstats(), in_file=files["a"], op_string="-M", mask_file=files["mask"])
    assert res.argv[1:] == [files["a"], "-M"]


def test_a_single_image_is_a_list_of_one_for_multi_inputs(stub_fsl, files):
    img = nib.load(files["a"])
    for tool, name in ((fsl.fast, "in_files"), (fsl.melodic, "in_files"),
                       (fsl.applytopup, "in_files")):
        assert tool(**{name: img}).inputs.in_files == [img]
    with pytest.raises(InputTypeError):  # fslmerge's is a plain list, as nipype's
        fsl.fslmerge(in_files=files["a"])


def test_requires_a_false_flag_counts_as_given_but_unset_does_not(stub_fsl, files):
    base = dict(in_file=files["f"], in_mask=files["mask"], in_index=files["index.txt"],
                in_acqp=files["params.txt"], in_bvec=files["bvecs"], in_bval=files["bvals"])
    with pytest.raises(InputError, match="requires input 'repol'"):
        fsl.eddy().run(outlier_sqr=True, **base)


def test_op_string_keeps_quoted_words(stub_fsl, files):
    res = run_of(fsl.fslstats(), in_file=files["a"], op_string="-P '50'")
    assert res.argv[1:] == [files["a"], "-P", "50"]


# -- FSL conventions -----------------------------------------------------------


def test_fsldir_bin_first_then_path(stub_fsl, tmp_path, monkeypatch):
    assert fsl.bet.executable_path() == str(stub_fsl / "bin" / "bet")
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "bet").write_text("#!/bin/sh\nexit 0\n")
    (other / "bet").chmod(0o755)
    monkeypatch.setenv("PATH", f"{other}{os.pathsep}{os.environ['PATH']}")
    assert fsl.bet.executable_path() == str(stub_fsl / "bin" / "bet")  # FSLDIR wins
    monkeypatch.delenv("FSLDIR")
    assert fsl.bet.executable_path() == str(other / "bet")  # then PATH


def test_missing_fsl_says_to_set_fsldir(tmp_path, monkeypatch):
    from interfaces.base import ExecutableNotFoundError

    monkeypatch.setenv("FSLDIR", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ExecutableNotFoundError, match="FSLDIR"):
        fsl.bet().run(in_file=nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4)))


def test_version_from_fslversion_without_running_anything(stub_fsl, monkeypatch):
    assert fsl.flirt.version() == "6.0.7.9"
    # Not cached across homes: another FSLDIR, another answer.
    monkeypatch.setenv("FSLDIR", os.path.dirname(fsl.__file__))
    assert fsl.flirt.version() is None  # not found there


@pytest.mark.parametrize("kind,ext", sorted(fsl.OUTPUT_TYPES.items()))
def test_fsloutputtype_per_process(stub_fsl, files, monkeypatch, kind, ext):
    monkeypatch.setenv("FSLOUTPUTTYPE", kind)
    res = run_of(fsl.bet(), in_file=files["a"])
    assert res.argv[2] == os.path.join(res.runtime.cwd, "a_brain" + ext)
    assert "FSLOUTPUTTYPE" not in res.runtime.environ  # already what the tool sees


def test_fsloutputtype_default_is_nifti_gz_and_pinned_for_the_tool(stub_fsl, files):
    res = run_of(fsl.bet(), in_file=files["a"])
    assert res.argv[2].endswith("a_brain.nii.gz")
    assert res.runtime.environ["FSLOUTPUTTYPE"] == "NIFTI_GZ"


def test_output_type_per_interface_overrides_the_process(stub_fsl, files, monkeypatch):
    monkeypatch.setenv("FSLOUTPUTTYPE", "NIFTI_GZ")
    res = run_of(fsl.bet(output_type="NIFTI"), in_file=files["a"])
    assert res.argv[2].endswith("a_brain.nii")
    assert res.runtime.environ["FSLOUTPUTTYPE"] == "NIFTI"
    # the process setting is untouched, and other instances keep it
    assert os.environ["FSLOUTPUTTYPE"] == "NIFTI_GZ"
    assert run_of(fsl.bet(), in_file=files["a"]).argv[2].endswith(".nii.gz")


def test_no_warning_per_instantiation(stub_fsl, monkeypatch):
    monkeypatch.delenv("FSLOUTPUTTYPE", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            fsl.bet()
            fsl.flirt(output_type="NIFTI_PAIR")


def test_unknown_fsloutputtype_says_what_to_set(stub_fsl, files, monkeypatch):
    monkeypatch.setenv("FSLOUTPUTTYPE", "MINC")
    with pytest.raises(ValueError, match="FSLOUTPUTTYPE='MINC'.*NIFTI_GZ"):
        fsl.bet().run(in_file=files["a"])


@pytest.mark.parametrize("name", ["example_nifti2.nii.gz", "test.mgz", "minc1_1_scale.mnc"])
def test_other_formats_arrive_as_nifti1(stub_fsl, name):
    path = os.path.join(os.path.dirname(nib.__file__), "tests", "data", name)
    if not os.path.exists(path):
        pytest.skip(f"nibabel test data {name} not installed")
    res = stub_run_of(fsl.fslstats(), in_file=path, op_string="-M")
    passed = res.argv[1]
    assert passed != path and passed.endswith(".nii")
    assert type(nib.load(passed)) is nib.Nifti1Image
    preview = run_of(fsl.fslstats(), in_file=path, op_string="-M").argv[1]
    assert preview.startswith("<temporary>/") and preview.endswith(".nii")


def test_nifti1_and_analyze_pass_as_they_are(stub_fsl, files, tmp_path):
    analyze = str(tmp_path / "an.img")
    nib.save(nib.AnalyzeImage(np.ones((3, 3, 3), np.float32), np.eye(4)), analyze)
    for path in (files["a"], analyze):
        res = run_of(fsl.fslstats(), in_file=path, op_string="-M")
        assert res.argv[1] == path and res.bytes_written == 0


def _input_kinds(tmp_path, files):
    """Inputs of every kind a user hands fslstats, by name."""
    a = files["a"]
    nifti2 = str(tmp_path / "two.nii.gz")
    nib.save(nib.Nifti2Image(np.ones((3, 3, 3), np.float32), np.eye(4)), nifti2)
    pair = str(tmp_path / "pair.img")
    nib.save(nib.Nifti1Pair(np.ones((3, 3, 3), np.float32), np.eye(4)), pair)
    mgz = str(tmp_path / "m.mgz")
    nib.save(nib.MGHImage(np.ones((3, 3, 3), np.float32), np.eye(4)), mgz)
    import imagecache

    edited = imagecache.load(a)
    edited.get_fdata()[0, 0, 0] = -1.0
    header = imagecache.load(a)
    header.header["descrip"] = b"edited"
    return {
        "nifti1 path": a, "nifti2 .nii.gz path": nifti2, "nifti1 pair path": pair,
        "mgz path": mgz, "loaded, clean": imagecache.load(a), "nib.load, clean": nib.load(a),
        "loaded, edited voxels": edited, "loaded, header edit": header,
        "in memory": nib.Nifti1Image(np.zeros((4, 4, 4), np.float32), np.eye(4)),
        "loaded nifti2": imagecache.load(nifti2),
    }


@pytest.mark.parametrize("tool,name,extra", [
    (fsl.fslstats, "in_file", {"op_string": "-M"}),
    (fsl.fslorient, "in_file", {"get_orient": True}),   # an in-place tool: a copy
])
def test_the_preview_names_what_the_run_hands_over(stub_fsl, files, tmp_path, tool, name,
                                                   extra):
    for kind, value in _input_kinds(tmp_path, files).items():
        preview = run_of(tool(), **{name: value}, **extra)
        real = stub_run_of(tool(), **{name: value}, **extra)
        shown, passed = preview.input_files[name], real.input_files[name]
        assert shown.origin == passed.origin, kind
        if passed.origin == "original":
            assert shown.path == passed.path, kind
        else:  # a file written for the run: shown in <temporary>/, with its extension
            assert shown.path.startswith("<temporary>/"), kind
            assert imagecache_extension(shown.path) == imagecache_extension(passed.path), kind
        assert preview.argv[1:] == [shown.path if a == passed.path else a
                                    for a in real.argv[1:]], kind


def imagecache_extension(path):
    from imagecache.formats import file_extension

    return file_extension(path)


def test_every_interface_takes_output_type(stub_fsl):
    for name in fsl.__all__:
        obj = getattr(fsl, name)
        if hasattr(obj, "Inputs"):
            assert "output_type" in obj.Inputs.names(), name


def test_help_and_docstrings_are_generated(stub_fsl):
    assert "source" in fsl.flirt.__doc__ and "target" in fsl.flirt.__doc__
    assert "frac" in fsl.bet.help()
