"""Structural and functional preprocessing: bet, fast, run_first_all, susan,
slicetimer, fugue, prelude.

Declarations only; option names are nipype's.
"""

import math

from ..base import (
    Bool, Enum, File, Float, Image, Int, Interface, List, OutputFile, OutputImage,
    OutputPrefix, OutputSpec, Str, any_of, exclusive,
)
from .family import FSL, FSLInputs

__all__ = ["bet", "fast", "run_first_all", "susan", "slicetimer", "fugue", "prelude"]

_BET_MODES = ("functional", "reduce_bias", "robust", "padding", "remove_eyes",
              "surfaces", "t2_guided")


class bet(Interface):
    """Brain extraction: delete non-brain tissue from an image of the head.

    One mode at most (``robust`` -R, ``remove_eyes`` -S, ``reduce_bias`` -B,
    ``padding`` -Z, ``functional`` -F, ``surfaces`` -A, ``t2_guided`` -A2).
    bet prints to stderr when it succeeds: only its exit status counts.
    """

    executable = "bet"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=0, mandatory=True,
                        desc="input image to skull strip")
        out_file = OutputImage(argstr="%s", position=1, name_source="in_file",
                               name_template="%s_brain", optional="no_output",
                               desc="skull stripped image (also the base name of the "
                                    "other outputs; not written with no_output)")
        outline = Bool(argstr="-o", desc="create surface outline image")
        mask = Bool(argstr="-m", desc="create binary mask image")
        skull = Bool(argstr="-s", desc="create skull image")
        no_output = Bool(argstr="-n", desc="don't generate segmented output")
        frac = Float(argstr="-f %.2f", desc="fractional intensity threshold (0->1)")
        vertical_gradient = Float(argstr="-g %.2f",
                                  desc="vertical gradient in fractional intensity threshold "
                                       "(-1->1)")
        radius = Int(argstr="-r %d", desc="head radius (mm)")
        center = List(Int(), minlen=3, maxlen=3, argstr="-c %d %d %d",
                      desc="centre of gravity in voxels")
        threshold = Bool(argstr="-t",
                         desc="apply thresholding to segmented brain image and mask")
        mesh = Bool(argstr="-e", desc="generate a vtk mesh brain surface")
        robust = Bool(argstr="-R",
                      desc="robust brain centre estimation (iterates BET several times)")
        padding = Bool(argstr="-Z",
                       desc="improve BET if FOV is very small in Z (pads end slices)")
        remove_eyes = Bool(argstr="-S",
                           desc="eye & optic nerve cleanup (can be useful in SIENA)")
        surfaces = Bool(argstr="-A",
                        desc="run bet2 and then betsurf to get additional skull and scalp "
                             "surfaces")
        t2_guided = Image(argstr="-A2 %s",
                          desc="as surfaces, also feeding in a non-brain-extracted T2")
        functional = Bool(argstr="-F", desc="apply to 4D fMRI data")
        reduce_bias = Bool(argstr="-B", desc="bias field and neck cleanup")

        groups = (exclusive(*_BET_MODES),)

    class Outputs(OutputSpec):
        mask_file = Image(name_source="out_file", name_template="%s_mask",
                          requires=any_of("mask", "reduce_bias", "surfaces"),
                          desc="binary brain mask")
        outline_file = Image(name_source="out_file", name_template="%s_overlay",
                             requires=["outline"], desc="surface outline")
        meshfile = File(name_source="out_file", name_template="%s_mesh.vtk",
                        requires=["mesh"], desc="vtk mesh of the brain surface")
        skull_file = Image(name_source="out_file", name_template="%s_skull",
                           requires=["skull"], desc="skull image")
        inskull_mask_file = Image(name_source="out_file", name_template="%s_inskull_mask",
                                  requires=["surfaces"], desc="inner skull mask")
        inskull_mesh_file = File(name_source="out_file", name_template="%s_inskull_mesh.vtk",
                                 requires=["surfaces"], desc="inner skull mesh")
        outskull_mask_file = Image(name_source="out_file", name_template="%s_outskull_mask",
                                   requires=["surfaces"], desc="outer skull mask")
        outskull_mesh_file = File(name_source="out_file",
                                  name_template="%s_outskull_mesh.vtk",
                                  requires=["surfaces"], desc="outer skull mesh")
        outskin_mask_file = Image(name_source="out_file", name_template="%s_outskin_mask",
                                  requires=["surfaces"], desc="outer skin mask")
        outskin_mesh_file = File(name_source="out_file", name_template="%s_outskin_mesh.vtk",
                                 requires=["surfaces"], desc="outer skin mesh")
        skull_mask_file = Image(name_source="out_file", name_template="%s_skull_mask",
                                requires=["surfaces"], desc="skull mask")


class fast(Interface):
    """Segmentation into tissue classes, with bias field correction."""

    executable = "fast"
    family = FSL

    class Inputs(FSLInputs):
        in_files = List(Image(), argstr="%s", len_argstr="-S %d", position=-1,
                        one_or_more=True,
                        mandatory=True, minlen=1,
                        desc="image, or multi-channel set of images, to be segmented")
        out_basename = OutputPrefix(argstr="-o %s", name_source="in_files",
                                    name_template="%s", desc="prefix of the output files")
        number_classes = Int(argstr="-n %d", desc="number of tissue-type classes (1-10)")
        output_biasfield = Bool(argstr="-b", desc="output estimated bias field")
        output_biascorrected = Bool(argstr="-B", desc="output restored (bias-corrected) image")
        img_type = Enum(1, 2, 3, argstr="-t %d", desc="type of image: 1 = T1, 2 = T2, 3 = PD")
        bias_iters = Int(argstr="-I %d",
                         desc="number of main-loop iterations during bias-field removal")
        bias_lowpass = Int(argstr="-l %d", desc="bias field smoothing extent (FWHM) in mm")
        init_seg_smooth = Float(argstr="-f %.3f",
                                desc="initial segmentation spatial smoothness")
        segments = Bool(argstr="-g", desc="a separate binary image for each tissue type")
        init_transform = File(argstr="-a %s",
                              desc="standard-to-input matrix: initialise using priors")
        other_priors = List(Image(), minlen=3, maxlen=3, argstr="-A %s %s %s",
                            desc="alternative prior images")
        no_pve = Bool(argstr="--nopve", desc="turn off partial volume estimation")
        no_bias = Bool(argstr="-N", desc="do not remove bias field")
        use_priors = Bool(argstr="-P", desc="use priors throughout")
        segment_iters = Int(argstr="-W %d",
                            desc="number of segmentation-initialisation iterations")
        mixel_smooth = Float(argstr="-R %.2f", desc="spatial smoothness for mixeltype")
        iters_afterbias = Int(argstr="-O %d",
                              desc="number of main-loop iterations after bias-field removal")
        hyper = Float(argstr="-H %.2f", desc="segmentation spatial smoothness")
        verbose = Bool(argstr="-v", desc="switch on diagnostic messages")
        manual_seg = File(argstr="-s %s", desc="file containing intensities")
        probability_maps = Bool(argstr="-p", desc="output individual probability maps")

    class Outputs(OutputSpec):
        tissue_class_map = Image(name_source="out_basename", name_template="%s_seg",
                                 desc="segmentation: one value per class")
        tissue_class_files = List(Image(), name_source="out_basename",
                                  name_template="%s_seg_*", requires=["segments"],
                                  desc="one binary image per class")
        restored_image = List(Image(), name_source="out_basename",
                              name_template="%s_restore*", requires=["output_biascorrected"],
                              desc="bias-corrected image(s)")
        mixeltype = Image(name_source="out_basename", name_template="%s_mixeltype",
                          optional=True, desc="mixeltype volume")
        partial_volume_map = Image(name_source="out_basename", name_template="%s_pveseg",
                                   optional=True, desc="segmentation from the partial volumes")
        partial_volume_files = List(Image(), name_source="out_basename",
                                    name_template="%s_pve_*",
                                    desc="one partial volume image per class")
        bias_field = List(Image(), name_source="out_basename", name_template="%s_bias*",
                          requires=["output_biasfield"], desc="estimated bias field(s)")
        probability_maps = List(Image(), name_source="out_basename",
                                name_template="%s_prob_*", requires=["probability_maps"],
                                desc="one probability map per class")


class run_first_all(Interface):
    """Segmentation of subcortical structures (FIRST)."""

    executable = "run_first_all"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", position=-2, mandatory=True, desc="input image")
        out_file = OutputPrefix(argstr="-o %s", position=-1, name_template="segmented",
                                desc="prefix of the output files")
        verbose = Bool(argstr="-v", position=1, desc="verbose logging")
        brain_extracted = Bool(argstr="-b", position=2,
                               desc="input structural image is already brain-extracted")
        no_cleanup = Bool(argstr="-d", position=3, desc="do not delete intermediate files")
        method = Enum("auto", "fast", "none", argstr="-m %s", position=4,
                      xor=["method_as_numerical_threshold"],
                      desc="boundary correction method (FSL's default: auto)")
        method_as_numerical_threshold = Float(argstr="-m %.4f", position=4,
                                              xor=["method"],
                                              desc="boundary correction as a threshold")
        list_of_specific_structures = List(Str(), argstr="-s %s", position=5, sep=",",
                                           desc="run only on these structures (e.g. L_Hipp)")
        affine_file = File(argstr="-a %s", position=6,
                           desc="affine matrix to use (e.g. img2std.mat); no registration")

    class Outputs(OutputSpec):
        original_segmentations = Image(name_source="out_file", name_template="%s_all_*_origsegs",
                                       desc="4D: one volume per structure, CMA labels")
        segmentation_file = Image(name_source="out_file", name_template="%s_all_*_firstseg",
                                  desc="3D: the segmented structures, CMA labels")
        vtk_surfaces = List(File(), name_source="out_file", name_template="%s-*_first.vtk",
                            desc="meshes, one per structure")
        bvars = List(File(), name_source="out_file", name_template="%s-*_first.bvars",
                     desc="bvars, one per structure")


class susan(Interface):
    """Noise reduction that preserves edges (SUSAN).

    ``fwhm`` is in mm, as nipype's; susan receives the equivalent sigma.
    """

    executable = "susan"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=1, mandatory=True, desc="input image")
        brightness_threshold = Float(argstr="%.10f", position=2, mandatory=True,
                                     desc="above the noise level, below the contrast of the "
                                          "edges to keep")
        fwhm = Float(argstr="%.10f", position=3, mandatory=True,
                     scale=1 / math.sqrt(8 * math.log(2)),
                     desc="FWHM of smoothing, in mm (passed as a sigma)")
        dimension = Enum(3, 2, argstr="%d", position=4, usedefault=True,
                         desc="within-plane (2) or fully 3D (3)")
        use_median = Enum(1, 0, argstr="%d", position=5, usedefault=True,
                          desc="use a local median filter where single-point noise is found")
        usans = Enum(0, argstr="%d", position=6, usedefault=True,
                     desc="number of secondary images for the USAN (only 0 is supported)")
        out_file = OutputImage(argstr="%s", position=-1, name_source="in_file",
                               name_template="%s_smooth", also="smoothed_file",
                               desc="smoothed image")


class slicetimer(Interface):
    """Slice timing correction."""

    executable = "slicetimer"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="--in=%s", position=0, mandatory=True,
                        desc="input time series")
        out_file = OutputImage(argstr="--out=%s", name_source="in_file",
                               name_template="%s_st", also="slice_time_corrected_file",
                               desc="corrected time series")
        index_dir = Bool(argstr="--down", desc="slice indexing from top to bottom")
        time_repetition = Float(argstr="--repeat=%f", desc="TR in seconds (default 3)")
        slice_direction = Enum(1, 2, 3, argstr="--direction=%d",
                               desc="direction of slice acquisition (x=1, y=2, z=3)")
        interleaved = Bool(argstr="--odd", desc="interleaved acquisition")
        custom_timings = File(argstr="--tcustom=%s",
                              desc="slice timings, in fractions of TR, range 0:1")
        global_shift = Float(argstr="--tglobal=%f",
                             desc="shift in fraction of TR, range 0:1 (0.5: no shift)")
        custom_order = File(argstr="--ocustom=%s",
                            desc="single-column custom interleave order (first slice is 1)")


# The default names of fugue's shift map and field map outputs come from the
# first field input set, in nipype's orders.
_SHIFT_SOURCES = ["fmap_in_file", "phasemap_in_file", "shift_in_file"]
_FMAP_SOURCES = ["shift_in_file", "phasemap_in_file", "fmap_in_file"]


class fugue(Interface):
    """Unwarp (or warp) EPI images with a field map; prepare shift maps.

    Ask for ``unwarped_file``, ``warped_file``, ``shift_out_file`` or
    ``fmap_out_file`` with a path, or ``True`` for the default name.
    """

    executable = "fugue"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="--in=%s", desc="input image")
        shift_in_file = Image(argstr="--loadshift=%s", desc="pixel shift volume")
        phasemap_in_file = Image(argstr="--phasemap=%s", desc="phase image")
        fmap_in_file = Image(argstr="--loadfmap=%s", desc="fieldmap (rad/s)")
        unwarped_file = OutputImage(argstr="--unwarp=%s", xor=["warped_file"],
                                    requires=["in_file"], name_source="in_file",
                                    name_template="%s_unwarped", generate=False,
                                    desc="unwarped image (a path, or True)")
        warped_file = OutputImage(argstr="--warp=%s", xor=["unwarped_file"],
                                  requires=["in_file"], name_source="in_file",
                                  name_template="%s_warped", generate=False,
                                  desc="forward-warped image (a path, or True)")
        dwell_to_asym_ratio = Float(argstr="--dwelltoasym=%.10f",
                                    desc="dwell to asym time ratio")
        dwell_time = Float(argstr="--dwell=%.10f",
                           desc="EPI dwell time per phase-encode line (echo spacing), s")
        asym_se_time = Float(argstr="--asym=%.10f",
                             desc="fieldmap asymmetric spin echo time (s)")
        median_2dfilter = Bool(argstr="--median", desc="apply 2D median filtering")
        despike_2dfilter = Bool(argstr="--despike", desc="apply a 2D de-spiking filter")
        no_gap_fill = Bool(argstr="--nofill",
                           desc="do not apply gap-filling measure to the fieldmap")
        no_extend = Bool(argstr="--noextend",
                         desc="do not apply rigid-body extrapolation to the fieldmap")
        smooth2d = Float(argstr="--smooth2=%.2f", desc="2D Gaussian smoothing, sigma in mm")
        smooth3d = Float(argstr="--smooth3=%.2f", desc="3D Gaussian smoothing, sigma in mm")
        poly_order = Int(argstr="--poly=%d", desc="polynomial fitting of order N")
        fourier_order = Int(argstr="--fourier=%d", desc="Fourier fitting of order N")
        pava = Bool(argstr="--pava", desc="apply monotonic enforcement via PAVA")
        despike_threshold = Float(argstr="--despikethreshold=%s",
                                  desc="threshold for de-spiking (default 3.0)")
        unwarp_direction = Enum("x", "y", "z", "x-", "y-", "z-", argstr="--unwarpdir=%s",
                                desc="direction of warping (default y)")
        phase_conjugate = Bool(argstr="--phaseconj",
                               desc="apply phase conjugate method of unwarping")
        icorr = Bool(argstr="--icorr", requires=["shift_in_file"],
                     desc="intensity correction (pixel shift method only)")
        icorr_only = Bool(argstr="--icorronly", requires=["unwarped_file"],
                          desc="apply intensity correction only")
        mask_file = Image(argstr="--mask=%s", desc="valid mask")
        nokspace = Bool(argstr="--nokspace", desc="do not use k-space forward warping")
        shift_out_file = OutputImage(argstr="--saveshift=%s",
                                     name_source=_SHIFT_SOURCES, name_template="%s_vsm",
                                     name_template_if={
                                         "save_unmasked_shift": "%s_vsm_unmasked"},
                                     generate=False,
                                     desc="pixel shift volume (a path, or True)")
        save_unmasked_shift = Bool(argstr="--unmaskshift", requires=["shift_out_file"],
                                   desc="save the shift map unmasked")
        fmap_out_file = OutputImage(argstr="--savefmap=%s",
                                    name_source=_FMAP_SOURCES, name_template="%s_fieldmap",
                                    name_template_if={
                                        "save_unmasked_fmap": "%s_fieldmap_unmasked"},
                                    generate=False,
                                    desc="fieldmap in rad/s (a path, or True)")
        save_unmasked_fmap = Bool(argstr="--unmaskfmap", requires=["fmap_out_file"],
                                  desc="save the fieldmap unmasked")


class prelude(Interface):
    """Phase unwrapping (PRELUDE)."""

    executable = "prelude"
    family = FSL

    class Inputs(FSLInputs):
        complex_phase_file = Image(argstr="--complex=%s", mandatory=True,
                                   xor=["magnitude_file", "phase_file"],
                                   desc="complex phase input volume")
        magnitude_file = Image(argstr="--abs=%s", mandatory=True,
                               xor=["complex_phase_file"], desc="magnitude image")
        phase_file = Image(argstr="--phase=%s", mandatory=True,
                           xor=["complex_phase_file"], desc="raw phase image")
        unwrapped_phase_file = OutputImage(argstr="--unwrap=%s",
                                           name_source=["phase_file", "complex_phase_file"],
                                           name_template="%s_unwrapped",
                                           desc="unwrapped phase")
        num_partitions = Int(argstr="--numphasesplit=%d",
                             desc="number of phase partitions to use")
        labelprocess2d = Bool(argstr="--labelslices",
                              desc="label processing in 2D (slice at a time)")
        process2d = Bool(argstr="--slices", xor=["labelprocess2d"],
                         desc="all processing in 2D (slice at a time)")
        process3d = Bool(argstr="--force3D", xor=["labelprocess2d", "process2d"],
                         desc="all processing in full 3D")
        threshold = Float(argstr="--thresh=%.10f", desc="intensity threshold for masking")
        mask_file = Image(argstr="--mask=%s", desc="mask input volume")
        start = Int(argstr="--start=%d", desc="first image number to process (default 0)")
        end = Int(argstr="--end=%d", desc="final image number to process (default Inf)")
        savemask_file = OutputImage(argstr="--savemask=%s", name_source="phase_file",
                                    name_template="%s_mask", generate=False,
                                    desc="the mask volume (a path, or True)")
        rawphase_file = OutputImage(argstr="--rawphase=%s", name_source="phase_file",
                                    name_template="%s_rawphase", generate=False,
                                    desc="the raw phase (a path, or True)")
        label_file = OutputImage(argstr="--labels=%s", name_source="phase_file",
                                 name_template="%s_labels", generate=False,
                                 desc="the area labels (a path, or True)")
        removeramps = Bool(argstr="--removeramps", desc="remove phase ramps during unwrapping")
