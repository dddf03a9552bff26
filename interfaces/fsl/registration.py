"""Registration: flirt (and its applyxfm / applyisoxfm modes), convert_xfm,
mcflirt, fnirt, applywarp, invwarp, convertwarp, epi_reg.

Declarations only; option names are nipype's, except flirt's two images,
``source`` and ``target`` (nipype: ``in_file``, ``reference``).
"""

from ..base import (
    Bool, Enum, File, Float, Image, Int, Interface, List, OutputFile, OutputImage,
    OutputPrefix, OutputSpec, Str, Tuple,
)
from traits.api import Union

from .family import FSL, FSLInputs

__all__ = [
    "flirt", "applyxfm", "applyisoxfm", "convert_xfm", "mcflirt", "fnirt",
    "applywarp", "invwarp", "convertwarp", "epi_reg",
]

_COSTS = ("mutualinfo", "corratio", "normcorr", "normmi", "leastsq", "labeldiff", "bbr")


class _FlirtInputs(FSLInputs):
    source = Image(argstr="-in %s", position=0, mandatory=True,
                   desc="image to register (flirt -in)")
    target = Image(argstr="-ref %s", position=1, mandatory=True,
                   desc="image to register to (flirt -ref)")
    out_file = OutputImage(argstr="-out %s", position=2, name_source="source",
                           name_template="%s_flirt", desc="registered output image")
    out_matrix_file = OutputFile(argstr="-omat %s", position=3, name_source="source",
                                 name_template="%s_flirt.mat",
                                 desc="output affine matrix (4x4 text; load with load_matrix)")
    in_matrix_file = File(argstr="-init %s", desc="input 4x4 affine matrix")
    apply_xfm = Bool(argstr="-applyxfm",
                     desc="apply the transformation supplied by in_matrix_file (or the "
                          "header's with uses_qform)")
    apply_isoxfm = Float(argstr="-applyisoxfm %f", xor=["apply_xfm"],
                         desc="as apply_xfm but forces isotropic resampling to this size (mm)")
    datatype = Enum("char", "short", "int", "float", "double", argstr="-datatype %s",
                    desc="force output data type")
    cost = Enum(*_COSTS, argstr="-cost %s", desc="cost function")
    cost_func = Enum(*_COSTS, argstr="-searchcost %s", desc="cost function of the search")
    uses_qform = Bool(argstr="-usesqform", desc="initialise using sform or qform")
    display_init = Bool(argstr="-displayinit", desc="display initial matrix")
    angle_rep = Enum("quaternion", "euler", argstr="-anglerep %s",
                     desc="representation of rotation angles")
    interp = Enum("trilinear", "nearestneighbour", "sinc", "spline", argstr="-interp %s",
                  desc="final interpolation method used in reslicing")
    sinc_width = Int(argstr="-sincwidth %d", desc="full-width in voxels")
    sinc_window = Enum("rectangular", "hanning", "blackman", argstr="-sincwindow %s",
                       desc="sinc window")
    bins = Int(argstr="-bins %d", desc="number of histogram bins")
    dof = Int(argstr="-dof %d", desc="number of transform degrees of freedom")
    no_resample = Bool(argstr="-noresample", desc="do not change input sampling")
    force_scaling = Bool(argstr="-forcescaling", desc="force rescaling even for low-res images")
    min_sampling = Float(argstr="-minsampling %f",
                         desc="set minimum voxel dimension for sampling")
    padding_size = Int(argstr="-paddingsize %d",
                       desc="for applyxfm: interpolates outside image by size")
    searchr_x = List(Int(), minlen=2, maxlen=2, argstr="-searchrx %d %d",
                     desc="search angles along x-axis, in degrees (min, max)")
    searchr_y = List(Int(), minlen=2, maxlen=2, argstr="-searchry %d %d",
                     desc="search angles along y-axis, in degrees (min, max)")
    searchr_z = List(Int(), minlen=2, maxlen=2, argstr="-searchrz %d %d",
                     desc="search angles along z-axis, in degrees (min, max)")
    no_search = Bool(argstr="-nosearch", desc="set all angular searches to ranges 0 to 0")
    coarse_search = Int(argstr="-coarsesearch %d", desc="coarse search delta angle")
    fine_search = Int(argstr="-finesearch %d", desc="fine search delta angle")
    schedule = File(argstr="-schedule %s", desc="replaces default schedule")
    ref_weight = Image(argstr="-refweight %s", desc="reference weighting volume")
    in_weight = Image(argstr="-inweight %s", desc="input weighting volume")
    no_clamp = Bool(argstr="-noclamp", desc="do not use intensity clamping")
    no_resample_blur = Bool(argstr="-noresampblur", desc="do not use blurring on downsampling")
    rigid2D = Bool(argstr="-2D", desc="use 2D rigid body mode - ignores dof")
    verbose = Int(argstr="-verbose %d", desc="verbose mode, 0 is least")
    bgvalue = Float(argstr="-setbackground %f",
                    desc="background value for points outside the field of view")
    # Boundary-based registration (cost="bbr").
    wm_seg = Image(argstr="-wmseg %s", min_ver="5.0.0",
                   desc="white matter segmentation volume needed by the BBR cost function")
    wmcoords = File(argstr="-wmcoords %s", min_ver="5.0.0",
                    desc="white matter boundary coordinates for the BBR cost function")
    wmnorms = File(argstr="-wmnorms %s", min_ver="5.0.0",
                   desc="white matter boundary normals for the BBR cost function")
    fieldmap = Image(argstr="-fieldmap %s", min_ver="5.0.0",
                     desc="fieldmap in rad/s, already registered to the target")
    fieldmapmask = Image(argstr="-fieldmapmask %s", min_ver="5.0.0",
                         desc="mask for the fieldmap image")
    pedir = Int(argstr="-pedir %d", min_ver="5.0.0",
                desc="phase encode direction of EPI - 1/2/3=x/y/z & -1/-2/-3=-x/-y/-z")
    echospacing = Float(argstr="-echospacing %f", min_ver="5.0.0",
                        desc="EPI echo spacing, in seconds")
    bbrtype = Enum("signed", "global_abs", "local_abs", argstr="-bbrtype %s",
                   min_ver="5.0.0", desc="type of BBR cost function")
    bbrslope = Float(argstr="-bbrslope %f", min_ver="5.0.0", desc="value of BBR slope")


class flirt(Interface):
    """FMRIB's linear image registration: ``source`` to ``target``.

    Writes the resampled image (``out_file``) and the affine matrix
    (``out_matrix_file``; :func:`~interfaces.fsl.load_matrix` reads it).
    """

    executable = "flirt"
    family = FSL
    Inputs = _FlirtInputs


class _ApplyXfmInputs(_FlirtInputs):
    apply_xfm = Bool(True, usedefault=True, argstr="-applyxfm",
                     desc="apply the transformation supplied by in_matrix_file or uses_qform")
    in_matrix_file = File(argstr="-init %s", xor=["uses_qform"], mandatory=True,
                          desc="the 4x4 affine matrix to apply")
    uses_qform = Bool(argstr="-usesqform", xor=["in_matrix_file"], mandatory=True,
                      desc="apply the transformation between the two images' headers")
    out_matrix_file = OutputFile(argstr="-omat %s", position=3, name_source="source",
                                 name_template="%s_flirt.mat", generate=False,
                                 desc="copy of the applied matrix (only when asked)")


class applyxfm(Interface):
    """Resample ``source`` into ``target``'s space with a known matrix
    (``flirt -applyxfm``)."""

    executable = "flirt"
    family = FSL
    Inputs = _ApplyXfmInputs


class _ApplyIsoXfmInputs(_ApplyXfmInputs):
    apply_xfm = Bool(argstr="-applyxfm", xor=["apply_isoxfm"],
                     desc="not used in this mode")
    apply_isoxfm = Float(argstr="-applyisoxfm %f", mandatory=True,
                         desc="isotropic voxel size of the output, in mm")


class applyisoxfm(Interface):
    """Resample ``source`` with a known matrix onto an isotropic grid covering
    ``target`` (``flirt -applyisoxfm``)."""

    executable = "flirt"
    family = FSL
    Inputs = _ApplyIsoXfmInputs


class convert_xfm(Interface):
    """Invert, concatenate or fix the scale and skew of affine matrices.

    ``convert_xfm -omat out -concat second first``: with ``concat_xfm``,
    ``in_file2`` is applied *after* ``in_file``.
    """

    executable = "convert_xfm"
    family = FSL

    class Inputs(FSLInputs):
        in_file = File(argstr="%s", position=-1, mandatory=True,
                       desc="input transformation matrix")
        in_file2 = File(argstr="%s", position=-2,
                        desc="second input matrix (for fix_scale_skew or concat_xfm)")
        invert_xfm = Bool(argstr="-inverse", position=-3,
                          xor=["invert_xfm", "concat_xfm", "fix_scale_skew"],
                          desc="invert input transformation")
        concat_xfm = Bool(argstr="-concat", position=-3,
                          xor=["invert_xfm", "concat_xfm", "fix_scale_skew"],
                          requires=["in_file2"],
                          desc="write joint transformation of two input matrices")
        fix_scale_skew = Bool(argstr="-fixscaleskew", position=-3,
                              xor=["invert_xfm", "concat_xfm", "fix_scale_skew"],
                              requires=["in_file2"],
                              desc="use secondary matrix to fix scale and skew")
        out_file = OutputFile(argstr="-omat %s", position=1, name_source="in_file",
                              name_template="%s_xfm.mat", desc="final transformation matrix")


class mcflirt(Interface):
    """Motion correction of a 4D time series."""

    executable = "mcflirt"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-in %s", position=0, mandatory=True,
                        desc="timeseries to motion-correct")
        out_file = OutputImage(argstr="-out %s", name_source="in_file",
                               name_template="%s_mcf", desc="motion-corrected timeseries")
        cost = Enum("mutualinfo", "woods", "corratio", "normcorr", "normmi", "leastsquares",
                    argstr="-cost %s", desc="cost function to optimize")
        bins = Int(argstr="-bins %d", desc="number of histogram bins")
        dof = Int(argstr="-dof %d", desc="degrees of freedom for the transformation")
        ref_vol = Int(argstr="-refvol %d", desc="volume to align frames to")
        scaling = Float(argstr="-scaling %.2f", desc="scaling factor to use")
        smooth = Float(argstr="-smooth %.2f", desc="smoothing factor for the cost function")
        rotation = Int(argstr="-rotation %d", desc="scaling factor for rotation tolerances")
        stages = Int(argstr="-stages %d",
                     desc="stages (if 4, perform final search with sinc interpolation)")
        init = File(argstr="-init %s", desc="initial transformation matrix")
        interpolation = Enum("spline", "nn", "sinc", argstr="-%s_final",
                             desc="interpolation method for transformation")
        use_gradient = Bool(argstr="-gdt", desc="run search on gradient images")
        use_contour = Bool(argstr="-edge", desc="run search on contour images")
        mean_vol = Bool(argstr="-meanvol", desc="register to mean volume")
        stats_imgs = Bool(argstr="-stats", desc="produce variance and std. dev. images")
        save_mats = Bool(argstr="-mats", desc="save transformation matrices")
        save_plots = Bool(argstr="-plots", desc="save transformation parameters")
        save_rms = Bool(argstr="-rmsabs -rmsrel", desc="save rms displacement parameters")
        ref_file = Image(argstr="-reffile %s", desc="target image for motion correction")

    class Outputs(OutputSpec):
        variance_img = Image(name_source="out_file", name_template="%s_variance",
                             requires=["stats_imgs"], desc="variance image")
        std_img = Image(name_source="out_file", name_template="%s_sigma",
                        requires=["stats_imgs"], desc="standard deviation image")
        mean_img = Image(name_source="out_file", name_template="%s_mean_reg",
                         requires=["mean_vol"], desc="mean timeseries image")
        par_file = File(name_source="out_file", name_template="%s.par",
                        requires=["save_plots"], desc="text file with motion parameters")
        mat_file = List(File(), name_source="out_file", name_template="%s.mat/MAT_*",
                        requires=["save_mats"], desc="transformation matrices, one per volume")
        rms_files = List(File(), name_source="out_file", name_template="%s_*.rms",
                         requires=["save_rms"],
                         desc="absolute and relative displacement parameters")


class fnirt(Interface):
    """FMRIB's non-linear image registration.

    The coefficients (``fieldcoeff_file``), the warped image and the log are
    always written (in the run's folder, not beside the input).
    """

    executable = "fnirt"
    family = FSL

    class Inputs(FSLInputs):
        ref_file = Image(argstr="--ref=%s", mandatory=True, desc="reference image")
        in_file = Image(argstr="--in=%s", mandatory=True, desc="input image")
        affine_file = File(argstr="--aff=%s", desc="affine transform (e.g. from flirt)")
        inwarp_file = Image(argstr="--inwarp=%s", desc="initial non-linear warps")
        in_intensitymap_file = Str(argstr="--intin=%s",
                                   desc="prefix of the intensity mapping files of a previous "
                                        "run (its out_intensitymap_file)")
        fieldcoeff_file = OutputImage(argstr="--cout=%s", name_source="in_file",
                                      name_template="%s_fieldwarp",
                                      desc="field coefficients")
        warped_file = OutputImage(argstr="--iout=%s", name_source="in_file",
                                  name_template="%s_warped", desc="warped image")
        field_file = OutputImage(argstr="--fout=%s", name_source="in_file",
                                 name_template="%s_field", generate=False,
                                 desc="warp field (a path, or True)")
        jacobian_file = OutputImage(argstr="--jout=%s", name_source="in_file",
                                    name_template="%s_field_jacobian", generate=False,
                                    desc="Jacobian of the field (a path, or True)")
        modulatedref_file = OutputImage(argstr="--refout=%s", name_source="in_file",
                                        name_template="%s_modulated", generate=False,
                                        desc="intensity modulated --ref (a path, or True)")
        out_intensitymap_file = OutputPrefix(argstr="--intout=%s", name_source="in_file",
                                             name_template="%s_intmap", generate=False,
                                             desc="intensity mapping files (a path, or True)")
        log_file = OutputFile(argstr="--logout=%s", name_source="in_file",
                              name_template="%s_log.txt", desc="log file")
        config_file = Str(argstr="--config=%s",
                          desc="config file or name (e.g. 'T1_2_MNI152_2mm')")
        refmask_file = Image(argstr="--refmask=%s", desc="mask in reference space")
        inmask_file = Image(argstr="--inmask=%s", desc="mask in input image space")
        skip_refmask = Bool(argstr="--applyrefmask=0", xor=["apply_refmask"],
                            desc="skip specified refmask")
        skip_inmask = Bool(argstr="--applyinmask=0", xor=["apply_inmask"],
                           desc="skip specified inmask")
        apply_refmask = List(Enum(0, 1), argstr="--applyrefmask=%s", xor=["skip_refmask"],
                             sep=",", desc="per iteration: use reference mask (1) or not (0)")
        apply_inmask = List(Enum(0, 1), argstr="--applyinmask=%s", xor=["skip_inmask"],
                            sep=",", desc="per iteration: use input mask (1) or not (0)")
        skip_implicit_ref_masking = Bool(argstr="--imprefm=0",
                                         desc="skip implicit masking based on value in --ref")
        skip_implicit_in_masking = Bool(argstr="--impinm=0",
                                        desc="skip implicit masking based on value in --in")
        refmask_val = Float(argstr="--imprefval=%f", desc="value to mask out in --ref")
        inmask_val = Float(argstr="--impinval=%f", desc="value to mask out in --in")
        max_nonlin_iter = List(Int(), argstr="--miter=%s", sep=",",
                               desc="max non-linear iterations per level, e.g. [5, 5, 5, 5]")
        subsampling_scheme = List(Int(), argstr="--subsamp=%s", sep=",",
                                  desc="sub-sampling scheme, e.g. [4, 2, 1, 1]")
        warp_resolution = Tuple(Int(), Int(), Int(), argstr="--warpres=%d,%d,%d",
                                desc="resolution (mm) of the warp basis in x, y, z")
        spline_order = Int(argstr="--splineorder=%d",
                           desc="order of spline, 2: quadratic, 3: cubic")
        in_fwhm = List(Int(), argstr="--infwhm=%s", sep=",",
                       desc="FWHM (mm) of smoothing of the input per level")
        ref_fwhm = List(Int(), argstr="--reffwhm=%s", sep=",",
                        desc="FWHM (mm) of smoothing of the reference per level")
        regularization_model = Enum("membrane_energy", "bending_energy",
                                    argstr="--regmod=%s", desc="regularisation model")
        regularization_lambda = List(Float(), argstr="--lambda=%s", sep=",",
                                     desc="weight of regularisation per level")
        skip_lambda_ssq = Bool(argstr="--ssqlambda=0",
                               desc="lambda is not weighted by current ssq")
        jacobian_range = Tuple(Float(), Float(), argstr="--jacrange=%f,%f",
                               desc="allowed range of Jacobian determinants")
        derive_from_ref = Bool(argstr="--refderiv",
                               desc="use the reference to calculate derivatives")
        intensity_mapping_model = Enum(
            "none", "global_linear", "global_non_linear", "local_linear",
            "global_non_linear_with_bias", "local_non_linear", argstr="--intmod=%s",
            desc="model for intensity-mapping")
        intensity_mapping_order = Int(argstr="--intorder=%d",
                                      desc="order of polynomial for mapping intensities")
        biasfield_resolution = Tuple(Int(), Int(), Int(), argstr="--biasres=%d,%d,%d",
                                     desc="resolution (mm) of bias-field modelling")
        bias_regularization_lambda = Float(argstr="--biaslambda=%f",
                                           desc="weight of regularisation for bias-field")
        skip_intensity_mapping = Bool(argstr="--estint=0", xor=["apply_intensity_mapping"],
                                      desc="skip estimating the intensity mapping")
        apply_intensity_mapping = List(Enum(0, 1), argstr="--estint=%s",
                                       xor=["skip_intensity_mapping"], sep=",",
                                       desc="per level: apply intensity mapping (1) or not")
        hessian_precision = Enum("double", "float", argstr="--numprec=%s",
                                 desc="precision for representing the Hessian")


class applywarp(Interface):
    """Apply a warp (from fnirt or convertwarp) and affine matrices to an image."""

    executable = "applywarp"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="--in=%s", position=0, mandatory=True,
                        desc="image to be warped")
        ref_file = Image(argstr="--ref=%s", position=1, mandatory=True,
                         desc="reference image")
        out_file = OutputImage(argstr="--out=%s", position=2, name_source="in_file",
                               name_template="%s_warp", desc="output image")
        field_file = Image(argstr="--warp=%s", desc="warp field or coefficients")
        abswarp = Bool(argstr="--abs", xor=["relwarp"],
                       desc="treat warp field as absolute: x' = w(x)")
        relwarp = Bool(argstr="--rel", position=-1, xor=["abswarp"],
                       desc="treat warp field as relative: x' = x + w(x)")
        datatype = Enum("char", "short", "int", "float", "double", argstr="--datatype=%s",
                        desc="force output data type")
        supersample = Bool(argstr="--super", desc="intermediary supersampling of output")
        superlevel = Union(Enum("a"), Int(), argstr="--superlevel=%s",
                         desc="level of intermediary supersampling: 'a' (automatic) or an integer")
        premat = File(argstr="--premat=%s", desc="pre-transform (affine matrix)")
        postmat = File(argstr="--postmat=%s", desc="post-transform (affine matrix)")
        mask_file = Image(argstr="--mask=%s", desc="mask image (in reference space)")
        interp = Enum("nn", "trilinear", "sinc", "spline", argstr="--interp=%s", position=-2,
                      desc="interpolation method")


class invwarp(Interface):
    """Invert a non-linear warp."""

    executable = "invwarp"
    family = FSL

    class Inputs(FSLInputs):
        warp = Image(argstr="--warp=%s", mandatory=True,
                     desc="warp coefficients or field (e.g. fnirt's --cout)")
        reference = Image(argstr="--ref=%s", mandatory=True,
                          desc="image in the target space of the inverse (fnirt's --in)")
        inverse_warp = OutputImage(argstr="--out=%s", name_source="warp",
                                   name_template="%s_inverse",
                                   desc="the inverse, as a field with the affine part included")
        absolute = Bool(argstr="--abs", xor=["relative"],
                        desc="warps are (and the output will be) absolute")
        relative = Bool(argstr="--rel", xor=["absolute"],
                        desc="warps are (and the output will be) relative")
        niter = Int(argstr="--niter=%d", desc="iterations of the gradient-descent search")
        regularise = Float(argstr="--regularise=%f", desc="regularization strength")
        noconstraint = Bool(argstr="--noconstraint", desc="do not apply Jacobian constraint")
        jacobian_min = Float(argstr="--jmin=%f",
                             desc="minimum acceptable Jacobian value for the constraint")
        jacobian_max = Float(argstr="--jmax=%f",
                             desc="maximum acceptable Jacobian value for the constraint")


class convertwarp(Interface):
    """Combine affine matrices, warps and a shift map into one warp field."""

    executable = "convertwarp"
    family = FSL

    class Inputs(FSLInputs):
        reference = Image(argstr="--ref=%s", position=1, mandatory=True,
                          desc="image in the target space of the full transform")
        out_file = OutputImage(argstr="--out=%s", position=-1, name_source="reference",
                               name_template="%s_concatwarp", desc="combined warp field")
        premat = File(argstr="--premat=%s", desc="pre-transform (affine matrix)")
        warp1 = Image(argstr="--warp1=%s", desc="initial warp (follows premat)")
        midmat = File(argstr="--midmat=%s", desc="mid-warp affine transform")
        warp2 = Image(argstr="--warp2=%s",
                      desc="secondary warp (after warp1/midmat, before postmat)")
        postmat = File(argstr="--postmat=%s", desc="affine transform applied last")
        shift_in_file = Image(argstr="--shiftmap=%s",
                              desc="shift map, applied first (e.g. from fugue)")
        shift_direction = Enum("y-", "y", "x", "x-", "z", "z-", argstr="--shiftdir=%s",
                               requires=["shift_in_file"], desc="direction of the shift map")
        cons_jacobian = Bool(argstr="--constrainj",
                             desc="constrain the Jacobian of the warp to jacobian_min/max")
        jacobian_min = Float(argstr="--jmin=%f", desc="minimum acceptable Jacobian value")
        jacobian_max = Float(argstr="--jmax=%f", desc="maximum acceptable Jacobian value")
        abswarp = Bool(argstr="--abs", xor=["relwarp"], desc="warp1/warp2 are absolute")
        relwarp = Bool(argstr="--rel", xor=["abswarp"], desc="warp1/warp2 are relative")
        out_abswarp = Bool(argstr="--absout", xor=["out_relwarp"],
                           desc="write an absolute warp")
        out_relwarp = Bool(argstr="--relout", xor=["out_abswarp"],
                           desc="write a relative warp")


class epi_reg(Interface):
    """Register an EPI to a structural image with BBR, optionally unwarping
    it with a field map."""

    executable = "epi_reg"
    family = FSL

    class Inputs(FSLInputs):
        epi = Image(argstr="--epi=%s", position=-4, mandatory=True, desc="EPI image")
        t1_head = Image(argstr="--t1=%s", position=-3, mandatory=True,
                        desc="whole-head T1 image")
        t1_brain = Image(argstr="--t1brain=%s", position=-2, mandatory=True,
                         desc="brain-extracted T1 image")
        out_base = OutputPrefix(argstr="--out=%s", position=-1, name_template="epi2struct",
                                desc="prefix of the outputs")
        fmap = Image(argstr="--fmap=%s", desc="fieldmap image (in rad/s)")
        fmapmag = Image(argstr="--fmapmag=%s", desc="fieldmap magnitude image, whole head")
        fmapmagbrain = Image(argstr="--fmapmagbrain=%s",
                             desc="fieldmap magnitude image, brain extracted")
        wmseg = Image(argstr="--wmseg=%s", desc="white matter segmentation of the T1 image")
        echospacing = Float(argstr="--echospacing=%f",
                            desc="effective EPI echo spacing (dwell time), in seconds")
        pedir = Enum("x", "y", "z", "-x", "-y", "-z", argstr="--pedir=%s",
                     desc="phase encoding direction")
        weight_image = Image(argstr="--weight=%s", desc="weighting image (in T1 space)")
        no_fmapreg = Bool(argstr="--nofmapreg",
                          desc="do not register the fieldmap to the T1 (already registered)")
        no_clean = Bool(True, usedefault=True, argstr="--noclean",
                        desc="keep intermediate files (the outputs below include some)")

    class Outputs(OutputSpec):
        out_file = Image(name_source="out_base", name_template="%s",
                         desc="unwarped and coregistered EPI")
        epi2str_mat = File(name_source="out_base", name_template="%s.mat",
                           desc="rigid EPI-to-structural matrix")
        epi2str_inv = File(name_source="out_base", name_template="%s_inv.mat",
                           desc="rigid structural-to-EPI matrix (its inverse)")
        out_1vol = Image(name_source="out_base", name_template="%s_1vol",
                         requires=["fmap"], desc="unwarped and coregistered single volume")
        fmap2str_mat = File(name_source="out_base", name_template="%s_fieldmap2str.mat",
                            requires=["fmap"], desc="rigid fieldmap-to-structural matrix")
        fmap2epi_mat = File(name_source="out_base", name_template="%s_fieldmaprads2epi.mat",
                            requires=["fmap"], desc="rigid fieldmap-to-EPI matrix")
        fmap_epi = Image(name_source="out_base", name_template="%s_fieldmaprads2epi",
                         requires=["fmap"], desc="fieldmap in EPI space")
        fmap_str = Image(name_source="out_base", name_template="%s_fieldmaprads2str",
                         requires=["fmap"], desc="fieldmap in structural space")
        fmapmag_str = Image(name_source="out_base", name_template="%s_fieldmap2str",
                            requires=["fmap"], desc="fieldmap magnitude in structural space")
        shiftmap = Image(name_source="out_base", name_template="%s_fieldmaprads2epi_shift",
                         requires=["fmap"], desc="shift map in EPI space")
        fullwarp = Image(name_source="out_base", name_template="%s_warp",
                         requires=["fmap"],
                         desc="warp to unwarp the EPI and bring it to structural space")
        wmseg = Image(name_source="out_base", name_template="%s_fast_wmseg",
                      desc="white matter segmentation used by BBR")
        seg = Image(name_source="out_base", name_template="%s_fast_seg", optional=True,
                    desc="white matter, grey matter, CSF segmentation (when made here)")
        wmedge = Image(name_source="out_base", name_template="%s_fast_wmedge",
                       desc="white matter edges, for display")
