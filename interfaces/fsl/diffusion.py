"""Diffusion and distortion correction: topup, applytopup, eddy, dtifit;
independent component analysis: melodic.

Declarations only; option names are nipype's.
"""

from ..base import (
    Bool, Enum, File, Float, Image, Int, Interface, List, OutputDirectory, OutputFile,
    OutputImage, OutputPrefix, OutputSpec, Str,
)
from .family import FSL, FSLInputs

__all__ = ["topup", "applytopup", "eddy", "dtifit", "melodic"]


class topup(Interface):
    """Estimate the susceptibility-induced field from images with opposite
    phase encoding."""

    executable = "topup"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="--imain=%s", mandatory=True,
                        desc="4D image of the b0 volumes")
        encoding_file = File(argstr="--datain=%s", mandatory=True,
                             desc="acquisition parameters: one line per volume")
        out_base = OutputPrefix(argstr="--out=%s", name_source="in_file",
                                name_template="%s_base",
                                desc="prefix of the field coefficients and movement "
                                     "parameters (applytopup's and eddy's in_topup)")
        out_field = OutputImage(argstr="--fout=%s", name_source="in_file",
                                name_template="%s_field", desc="field (Hz)")
        out_warp_prefix = OutputPrefix(argstr="--dfout=%s", name_template="warpfield",
                                       desc="prefix of the displacement fields")
        out_mat_prefix = OutputPrefix(argstr="--rbmout=%s", name_template="xfm",
                                      desc="prefix of the rigid-body matrices")
        out_jac_prefix = OutputPrefix(argstr="--jacout=%s", name_template="jac",
                                      desc="prefix of the Jacobian images")
        out_corrected = OutputImage(argstr="--iout=%s", name_source="in_file",
                                    name_template="%s_corrected", desc="corrected b0 images")
        out_logfile = OutputFile(argstr="--logout=%s", name_source="in_file",
                                 name_template="%s_topup.log", desc="log file")
        warp_res = Float(argstr="--warpres=%f", desc="resolution (mm) of the warp basis")
        subsamp = Int(argstr="--subsamp=%d", desc="sub-sampling scheme")
        fwhm = Float(argstr="--fwhm=%f", desc="FWHM (mm) of gaussian smoothing kernel")
        config = Str("b02b0.cnf", usedefault=True, argstr="--config=%s",
                     desc="configuration file (name in $FSLDIR/etc/flirtsch, or a path)")
        max_iter = Int(argstr="--miter=%d", desc="max number of non-linear iterations")
        reg_lambda = Float(argstr="--lambda=%0.f", desc="weight of regularisation")
        ssqlambda = Enum(1, 0, argstr="--ssqlambda=%d",
                         desc="weight lambda by the current sum of squared differences")
        regmod = Enum("bending_energy", "membrane_energy", argstr="--regmod=%s",
                      desc="regularisation model")
        estmov = Enum(1, 0, argstr="--estmov=%d", desc="estimate movements if set")
        minmet = Enum(0, 1, argstr="--minmet=%d",
                      desc="minimisation: 0 Levenberg-Marquardt, 1 scaled conjugate gradient")
        splineorder = Int(argstr="--splineorder=%d", desc="order of spline (2 or 3)")
        numprec = Enum("double", "float", argstr="--numprec=%s",
                       desc="precision for representing the Hessian")
        interp = Enum("spline", "linear", argstr="--interp=%s",
                      desc="interpolation model for estimation")
        scale = Enum(0, 1, argstr="--scale=%d", desc="scale images to a common mean")
        regrid = Enum(1, 0, argstr="--regrid=%d", desc="calculate in a regridded space")

    class Outputs(OutputSpec):
        out_fieldcoef = Image(name_source="out_base", name_template="%s_fieldcoef",
                              desc="field coefficients")
        out_movpar = File(name_source="out_base", name_template="%s_movpar.txt",
                          desc="movement parameters")
        out_warps = List(Image(), name_source="out_warp_prefix", name_template="%s_*",
                         desc="displacement fields, one per volume")
        out_jacs = List(Image(), name_source="out_jac_prefix", name_template="%s_*",
                        desc="Jacobians, one per volume")
        out_mats = List(File(), name_source="out_mat_prefix", name_template="%s_*.mat",
                        desc="rigid-body matrices, one per volume")


class applytopup(Interface):
    """Correct images for susceptibility distortion with topup's field."""

    executable = "applytopup"
    family = FSL

    class Inputs(FSLInputs):
        in_files = List(Image(), argstr="--imain=%s", sep=",", mandatory=True, minlen=1,
                        one_or_more=True, desc="images to correct")
        encoding_file = File(argstr="--datain=%s", mandatory=True,
                             desc="acquisition parameters (as given to topup)")
        in_index = List(Int(), argstr="--inindex=%s", sep=",",
                        default_from=("in_files", lambda files: list(range(1, len(files) + 1))),
                        desc="line of encoding_file for each image (1-based; default "
                             "1, 2, ... one per image, as nipype)")
        in_topup = File(exists=False, argstr="--topup=%s", mandatory=True,
                        desc="topup's out_base (the prefix of its _fieldcoef and _movpar "
                             "files)")
        out_corrected = OutputImage(argstr="--out=%s", name_source="in_files",
                                    name_template="%s_corrected", desc="corrected image")
        method = Enum("jac", "lsr", argstr="--method=%s",
                      desc="resampling: jac (Jacobian modulation) or lsr (least squares)")
        interp = Enum("trilinear", "spline", argstr="--interp=%s", desc="interpolation")
        datatype = Enum("char", "short", "int", "float", "double", argstr="-d=%s",
                        desc="force output data type")


class eddy(Interface):
    """Correct diffusion images for eddy currents and movement."""

    executable = "eddy"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="--imain=%s", mandatory=True, desc="4D diffusion images")
        in_mask = Image(argstr="--mask=%s", mandatory=True, desc="brain mask")
        in_index = File(argstr="--index=%s", mandatory=True,
                        desc="line of in_acqp for each volume")
        in_acqp = File(argstr="--acqp=%s", mandatory=True, desc="acquisition parameters")
        in_bvec = File(argstr="--bvecs=%s", mandatory=True, desc="b vectors")
        in_bval = File(argstr="--bvals=%s", mandatory=True, desc="b values")
        out_base = OutputPrefix(argstr="--out=%s", name_template="eddy_corrected",
                                desc="prefix of the outputs")
        session = File(argstr="--session=%s", desc="session of each volume (multi-session)")
        in_topup = File(exists=False, argstr="--topup=%s",
                        desc="topup's out_base (the prefix of its _fieldcoef and _movpar "
                             "files)")
        field = Image(argstr="--field=%s", desc="non-topup fieldmap (Hz)")
        field_mat = File(argstr="--field_mat=%s", desc="rigid-body matrix for field")
        flm = Enum("quadratic", "linear", "cubic", argstr="--flm=%s", usedefault=True,
                   desc="first level eddy current model")
        slm = Enum("none", "linear", "quadratic", argstr="--slm=%s", usedefault=True,
                   desc="second level eddy current model")
        fep = Bool(argstr="--fep", desc="fill empty planes in x or y")
        initrand = Bool(argstr="--initrand", min_ver="5.0.10",
                        desc="reset the random number generator seed")
        interp = Enum("spline", "trilinear", argstr="--interp=%s", usedefault=True,
                      desc="interpolation model for estimation")
        nvoxhp = Int(1000, usedefault=True, argstr="--nvoxhp=%s",
                     desc="voxels used to estimate the hyperparameters")
        fudge_factor = Float(10.0, usedefault=True, argstr="--ff=%s",
                             desc="fudge factor for the hyperparameter error variance")
        dont_sep_offs_move = Bool(argstr="--dont_sep_offs_move",
                                  desc="do not separate field offset from subject movement")
        dont_peas = Bool(argstr="--dont_peas",
                         desc="no post-eddy alignment of shells")
        fwhm = Float(argstr="--fwhm=%s", desc="FWHM of the conditioning filter")
        niter = Int(5, usedefault=True, argstr="--niter=%s", desc="number of iterations")
        method = Enum("jac", "lsr", argstr="--resamp=%s", usedefault=True,
                      desc="final resampling method")
        repol = Bool(argstr="--repol", desc="detect and replace outlier slices")
        outlier_nstd = Int(argstr="--ol_nstd=%d", requires=["repol"], min_ver="5.0.10",
                           desc="standard deviations off to be an outlier (default 4)")
        outlier_nvox = Int(argstr="--ol_nvox=%d", requires=["repol"], min_ver="5.0.10",
                           desc="minimum voxels in a slice for it to be considered")
        outlier_type = Enum("sw", "gw", "both", argstr="--ol_type=%s", requires=["repol"],
                            min_ver="5.0.10", desc="slice-wise, group-wise or both")
        outlier_pos = Bool(argstr="--ol_pos", requires=["repol"], min_ver="5.0.10",
                           desc="consider both positive and negative outliers")
        outlier_sqr = Bool(argstr="--ol_sqr", requires=["repol"], min_ver="5.0.10",
                           desc="consider outliers among sums-of-squared differences")
        multiband_factor = Int(argstr="--mb=%s", min_ver="5.0.10", desc="multi-band factor")
        multiband_offset = Enum(0, 1, -1, argstr="--mb_offs=%d",
                                requires=["multiband_factor"], min_ver="5.0.10",
                                desc="multi-band offset")
        mporder = Int(argstr="--mporder=%s", min_ver="5.0.11",
                      desc="order of slice-to-volume movement model (eddy_cuda)")
        slice2vol_niter = Int(argstr="--s2v_niter=%d", requires=["mporder"],
                              min_ver="5.0.11", desc="iterations for slice-to-volume")
        slice2vol_lambda = Int(argstr="--s2v_lambda=%d", requires=["mporder"],
                               min_ver="5.0.11", desc="regularisation of slice-to-volume")
        slice2vol_interp = Enum("trilinear", "spline", argstr="--s2v_interp=%s",
                                requires=["mporder"], min_ver="5.0.11",
                                desc="slice-to-volume interpolation")
        slice_order = File(argstr="--slspec=%s", xor=["json"], requires=["mporder"],
                           min_ver="5.0.11", desc="slice acquisition order")
        json = File(argstr="--json=%s", xor=["slice_order"], requires=["mporder"],
                    min_ver="6.0.1", desc="BIDS sidecar with the slice timing")
        estimate_move_by_susceptibility = Bool(argstr="--estimate_move_by_susceptibility",
                                               min_ver="6.0.1",
                                               desc="estimate how susceptibility changes "
                                                    "with movement")
        mbs_niter = Int(argstr="--mbs_niter=%s",
                        requires=["estimate_move_by_susceptibility"], min_ver="6.0.1",
                        desc="iterations for movement-by-susceptibility")
        mbs_lambda = Int(argstr="--mbs_lambda=%s",
                         requires=["estimate_move_by_susceptibility"], min_ver="6.0.1",
                         desc="weighting of regularisation for movement-by-susceptibility")
        mbs_ksp = Int(argstr="--mbs_ksp=%smm", requires=["estimate_move_by_susceptibility"],
                      min_ver="6.0.1", desc="knot spacing (mm) for movement-by-susceptibility")
        is_shelled = Bool(argstr="--data_is_shelled",
                          desc="skip the check that the data are shelled")
        cnr_maps = Bool(argstr="--cnr_maps", min_ver="5.0.10", desc="write CNR maps")
        residuals = Bool(argstr="--residuals", min_ver="5.0.10", desc="write residuals")

    class Outputs(OutputSpec):
        out_corrected = Image(name_source="out_base", name_template="%s",
                              desc="corrected diffusion images")
        out_parameter = File(name_source="out_base", name_template="%s.eddy_parameters",
                             desc="movement and eddy current parameters per volume")
        out_rotated_bvecs = File(name_source="out_base",
                                 name_template="%s.eddy_rotated_bvecs",
                                 desc="b vectors rotated by the estimated movement")
        out_movement_rms = File(name_source="out_base", name_template="%s.eddy_movement_rms",
                                optional=True, desc="movement RMS per volume")
        out_restricted_movement_rms = File(
            name_source="out_base", name_template="%s.eddy_restricted_movement_rms",
            optional=True, desc="movement RMS per volume, without the y translation")
        out_shell_alignment_parameters = File(
            name_source="out_base",
            name_template="%s.eddy_post_eddy_shell_alignment_parameters", optional=True,
            desc="rigid-body movement of each shell")
        out_shell_pe_translation_parameters = File(
            name_source="out_base",
            name_template="%s.eddy_post_eddy_shell_PE_translation_parameters",
            optional=True, desc="translation along the phase encoding per shell")
        out_outlier_map = File(name_source="out_base", name_template="%s.eddy_outlier_map",
                               requires=["repol"], desc="outlier slices (0/1)")
        out_outlier_n_stdev_map = File(name_source="out_base",
                                       name_template="%s.eddy_outlier_n_stdev_map",
                                       requires=["repol"], desc="outliers in standard deviations")
        out_outlier_n_sqr_stdev_map = File(name_source="out_base",
                                           name_template="%s.eddy_outlier_n_sqr_stdev_map",
                                           requires=["repol"],
                                           desc="outliers in standard deviations of squares")
        out_outlier_report = File(name_source="out_base",
                                  name_template="%s.eddy_outlier_report",
                                  requires=["repol"], desc="text report of the outliers")
        out_outlier_free = Image(name_source="out_base",
                                 name_template="%s.eddy_outlier_free_data.*",
                                 requires=["repol"], optional=True,
                                 desc="data with outliers replaced, not corrected")
        out_movement_over_time = File(name_source="out_base",
                                      name_template="%s.eddy_movement_over_time",
                                      optional=True, desc="movement within volumes")
        out_cnr_maps = Image(name_source="out_base", name_template="%s.eddy_cnr_maps.*",
                             requires=["cnr_maps"], desc="CNR maps")
        out_residuals = Image(name_source="out_base", name_template="%s.eddy_residuals.*",
                              requires=["residuals"], desc="residuals")


_DTI_MAPS = {
    "V1": "first eigenvector", "V2": "second eigenvector", "V3": "third eigenvector",
    "L1": "first eigenvalue", "L2": "second eigenvalue", "L3": "third eigenvalue",
    "MD": "mean diffusivity", "FA": "fractional anisotropy", "MO": "mode of anisotropy",
    "S0": "raw T2 signal with no diffusion weighting",
}


class dtifit(Interface):
    """Fit a diffusion tensor in each voxel."""

    executable = "dtifit"
    family = FSL

    class Inputs(FSLInputs):
        dwi = Image(argstr="-k %s", position=0, mandatory=True, desc="diffusion images")
        base_name = OutputPrefix(argstr="-o %s", position=1, name_template="dtifit_",
                                 desc="prefix of the outputs")
        mask = Image(argstr="-m %s", position=2, mandatory=True, desc="brain mask")
        bvecs = File(argstr="-r %s", position=3, mandatory=True, desc="b vectors")
        bvals = File(argstr="-b %s", position=4, mandatory=True, desc="b values")
        min_z = Int(argstr="-z %d", desc="min z")
        max_z = Int(argstr="-Z %d", desc="max z")
        min_y = Int(argstr="-y %d", desc="min y")
        max_y = Int(argstr="-Y %d", desc="max y")
        min_x = Int(argstr="-x %d", desc="min x")
        max_x = Int(argstr="-X %d", desc="max x")
        save_tensor = Bool(argstr="--save_tensor", desc="save the elements of the tensor")
        sse = Bool(argstr="--sse", desc="output sum of squared errors")
        cni = File(argstr="--cni=%s", desc="confound regressors")
        little_bit = Bool(argstr="--littlebit", desc="only process a small area of brain")
        gradnonlin = Image(argstr="--gradnonlin=%s", desc="gradient non-linearities")

    Outputs = type("Outputs", (OutputSpec,), {
        **{key: Image(name_source="base_name", name_template=f"%s_{key}", desc=desc)
           for key, desc in _DTI_MAPS.items()},
        "tensor": Image(name_source="base_name", name_template="%s_tensor",
                        requires=["save_tensor"], desc="the 6 elements of the tensor"),
        "sse": Image(name_source="base_name", name_template="%s_sse", requires=["sse"],
                     desc="sum of squared errors"),
    })


class melodic(Interface):
    """Independent component analysis of fMRI data (MELODIC)."""

    executable = "melodic"
    family = FSL

    class Inputs(FSLInputs):
        in_files = List(Image(), argstr="-i %s", position=0, sep=",", mandatory=True,
                        one_or_more=True,
                        minlen=1, desc="input images")
        out_dir = OutputDirectory(argstr="-o %s", name_source="in_files",
                                  name_template="%s.ica", desc="output folder")
        mask = Image(argstr="-m %s", desc="mask")
        no_mask = Bool(argstr="--nomask", desc="switch off masking")
        update_mask = Bool(argstr="--update_mask", desc="switch off mask updating")
        no_bet = Bool(argstr="--nobet", desc="switch off BET")
        bg_threshold = Float(argstr="--bgthreshold=%f",
                             desc="brain/non-brain threshold, % of robust range")
        dim = Int(argstr="-d %d", desc="dimensionality reduction into this many components")
        dim_est = Str(argstr="--dimest=%s",
                      desc="dimension estimation: lap, bic, mdl, aic, mean")
        sep_whiten = Bool(argstr="--sep_whiten", desc="switch on separate whitening")
        sep_vn = Bool(argstr="--sep_vn", desc="switch off joined variance normalisation")
        migp = Bool(argstr="--migp", desc="switch on MIGP data reduction")
        migpN = Int(argstr="--migpN %d", desc="number of internal eigenmaps")
        migp_shuffle = Bool(argstr="--migp_shuffle",
                            desc="randomise MIGP file order")
        migp_factor = Int(argstr="--migp_factor %d",
                          desc="internal factor of MIGP memory relative to the output")
        num_ICs = Int(argstr="-n %d", desc="number of ICs to extract")
        approach = Str(argstr="-a %s", desc="approach: defl, symm, concat, tica")
        non_linearity = Str(argstr="--nl=%s", desc="non-linearity: gauss, tanh, pow3, pow4")
        var_norm = Bool(argstr="--vn", desc="switch off variance normalisation")
        pbsc = Bool(argstr="--pbsc", desc="switch off conversion to percent BOLD change")
        cov_weight = Float(argstr="--covarweight=%f",
                           desc="voxel-wise weights for the covariance matrix")
        epsilon = Float(argstr="--eps=%f", desc="minimum error change")
        epsilonS = Float(argstr="--epsS=%f", desc="minimum error change for rank-1 approx.")
        maxit = Int(argstr="--maxit=%d", desc="maximum number of iterations")
        max_restart = Int(argstr="--maxrestart=%d", desc="maximum number of restarts")
        mm_thresh = Float(argstr="--mmthresh=%f", desc="threshold for the mixture model")
        no_mm = Bool(argstr="--no_mm", desc="switch off mixture modelling")
        ICs = Image(argstr="--ICs=%s", desc="IC components for mixture modelling")
        mix = File(argstr="--mix=%s", desc="mixing matrix for mixture modelling")
        smode = File(argstr="--smode=%s", desc="matrix of session modes for reporting")
        rem_cmp = List(Int(), argstr="-f %d", desc="components to remove")
        report = Bool(argstr="--report", desc="generate the web report")
        bg_image = Image(argstr="--bgimage=%s", desc="background image for the report")
        tr_sec = Float(argstr="--tr=%f", desc="TR in seconds")
        log_power = Bool(argstr="--logPower", desc="log of the power for frequency spectrum")
        t_des = File(argstr="--Tdes=%s", desc="design matrix across time-domain")
        t_con = File(argstr="--Tcon=%s", desc="t-contrast matrix across time-domain")
        s_des = File(argstr="--Sdes=%s", desc="design matrix across subject-domain")
        s_con = File(argstr="--Scon=%s", desc="t-contrast matrix across subject-domain")
        out_all = Bool(argstr="--Oall", desc="output everything")
        out_unmix = Bool(argstr="--Ounmix", desc="output unmixing matrix")
        out_stats = Bool(argstr="--Ostats", desc="output thresholded maps and probability maps")
        out_pca = Bool(argstr="--Opca", desc="output PCA results")
        out_white = Bool(argstr="--Owhite", desc="output whitening/dewhitening matrices")
        out_orig = Bool(argstr="--Oorig", desc="output the original ICs")
        out_mean = Bool(argstr="--Omean", desc="output mean volume")
        report_maps = Str(argstr="--report_maps=%s",
                          desc="control string for the spatial maps in the report")
        remove_deriv = Bool(argstr="--remove_deriv",
                            desc="remove every second entry in the time-domain design")

    class Outputs(OutputSpec):
        report_dir = File(name_source="out_dir", name_template="report",
                          requires=["report"], desc="the web report's folder")
        ic_maps = Image(name_source="out_dir", name_template="melodic_IC",
                        desc="the independent component maps (4D)")
        mixing_matrix = File(name_source="out_dir", name_template="melodic_mix",
                             desc="the mixing matrix (time courses)")
