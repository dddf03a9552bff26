"""SPM12 modules: declarations only (the machinery is in :mod:`.batch`).

Fields and defaults follow SPM12's batch configuration (``spm_cfg_*``);
an input left unset is left out of the job, so SPM's own default applies.
"""

from traits.api import Array, Dict, Either

from ..base import Bool, Enum, File, Float, Image, InputSpec, Int, List, OutputImage, OutputSpec, Str, Tuple
from .batch import Scan, SPMBatch, written

__all__ = [
    "realign", "realign_estimate", "reslice",
    "coregister", "coregister_estimate", "coregister_reslice",
    "normalise", "normalise_estimate", "normalise_write",
    "segment", "smooth", "slice_timing", "image_calculator",
]

_XYZ = Tuple(Float, Float, Float)
_WRAP3 = Tuple(Bool, Bool, Bool)


def _wrap(**metadata):
    """Wrap-around per axis: one for all three axes, or three."""
    return Either(Bool, _WRAP3, **metadata)


# -- option groups shared by several modules ---------------------------------

class _RealignEstimateOptions(InputSpec):
    quality = Float(field="eoptions.quality", desc="quality vs speed, 0 to 1 (SPM: 0.9)")
    separation = Float(field="eoptions.sep", desc="sampling distance in mm (SPM: 4)")
    fwhm = Float(field="eoptions.fwhm", desc="smoothing before estimation, mm (SPM: 5)")
    register_to_mean = Bool(field="eoptions.rtm",
                            desc="two passes: register to the first, then to the mean")
    interpolation = Int(field="eoptions.interp", desc="B-spline degree, 1 to 7 (SPM: 2)")
    wrap = _wrap(field="eoptions.wrap", desc="wrap-around in x, y, z (one for all, or 3)")
    weight = File(field="eoptions.weight", desc="weighting image for the reference")


class _ResliceOptions(InputSpec):
    interpolation_write = Int(field="roptions.interp",
                              desc="B-spline degree of reslicing, 0 to 7 (SPM: 4)")
    wrap_write = _wrap(field="roptions.wrap",
                       desc="wrap-around in x, y, z when reslicing (one for all, or 3)")
    mask = Bool(field="roptions.mask", desc="zero voxels not sampled in every image")


class _RealignWriteOptions(_ResliceOptions):
    which = Tuple(Int, Int, field="roptions.which",
                  desc="(0: none, 1: all but first, 2: all images; 1: also the mean) "
                       "(SPM: (2, 1))")


class _CoregisterEstimateOptions(InputSpec):
    cost_function = Enum("nmi", "mi", "ecc", "ncc", field="eoptions.cost_fun",
                         desc="objective function (SPM: nmi)")
    separation = List(Float, field="eoptions.sep", desc="sampling distances, mm (SPM: [4, 2])")
    tolerance = List(Float, field="eoptions.tol", desc="12 accuracies of the parameters")
    fwhm = Either(Float, Tuple(Float, Float), field="eoptions.fwhm",
                  desc="histogram smoothing: one for both axes, or 2 (SPM: 7, 7)")


class _NormaliseEstimateOptions(InputSpec):
    bias_regularisation = Float(field="eoptions.biasreg", desc="(SPM: 0.0001)")
    bias_fwhm = Float(field="eoptions.biasfwhm", desc="bias FWHM in mm (SPM: 60)")
    tpm = File(field="eoptions.tpm", default_tpm=True,
               desc="tissue probability map (SPM: tpm/TPM.nii in SPM's folder)")
    affine_regularisation = Enum("mni", "eastern", "subj", "none", field="eoptions.affreg",
                                 desc="template space of the affine step (SPM: mni)")
    warping_regularisation = List(Float, field="eoptions.reg", desc="5 values")
    smoothness = Float(field="eoptions.fwhm", desc="(SPM: 0)")
    sampling_distance = Float(field="eoptions.samp", desc="mm (SPM: 3)")


class _NormaliseWriteOptions(InputSpec):
    bounding_box = Tuple(_XYZ, _XYZ, field="woptions.bb", desc="((x, y, z), (x, y, z)) in mm")
    voxel_size = Either(Float, _XYZ, field="woptions.vox",
                        desc="mm: one size for x, y and z, or 3 (SPM: 2, 2, 2)")
    interpolation_write = Int(field="woptions.interp", desc="B-spline degree (SPM: 4)")


# -- realign -------------------------------------------------------------------

_SESSIONS = dict(field="data", sessions=True, mandatory=True,
                 desc="one image per session (a 4D series, or a 3D volume)")


class _RealignOutputs(OutputSpec):
    realigned_files = written(List(Image()), "%s", of="in_files",
                              desc="the inputs with their estimated headers (copies)")
    realignment_parameters = written(List(Array()), "rp_%s.txt", of="in_files",
                                     desc="per session: (volumes, 6) translations (mm), "
                                          "rotations (rad)")


class realign_estimate(SPMBatch):
    """Estimate head motion in time series (headers of copies are rewritten)."""

    job = "spatial.realign.estimate"

    class Inputs(_RealignEstimateOptions):
        in_files = List(Image(copy=True), **_SESSIONS)

    Outputs = _RealignOutputs


class realign(SPMBatch):
    """Estimate head motion and reslice the series to the first volume."""

    job = "spatial.realign.estwrite"
    fixed = {"roptions.prefix": "r"}

    class Inputs(_RealignEstimateOptions, _RealignWriteOptions):
        in_files = List(Image(copy=True), **_SESSIONS)

    class Outputs(_RealignOutputs):
        resliced_files = written(List(Image()), "r%s", of="in_files", optional=True,
                                 desc="resliced series (per `which`)")
        mean_image = written(Image(), "mean%s", of="in_files", first=True, optional=True,
                             desc="mean of the resliced series")


class reslice(SPMBatch):
    """Reslice images to match the first one, voxel for voxel (Realign: Reslice)."""

    job = "spatial.realign.write"
    fixed = {"roptions.prefix": "r"}

    class Inputs(_RealignWriteOptions):
        in_files = List(Image(), field="data", mandatory=True,
                        desc="images to reslice; the first is the reference")

    class Outputs(OutputSpec):
        resliced_files = written(List(Image()), "r%s", of="in_files", optional=True)
        mean_image = written(Image(), "mean%s", of="in_files", first=True, optional=True)


# -- coregister ----------------------------------------------------------------

_TARGET = dict(field="ref", scans="first", mandatory=True, desc="image that stays put")


class _CoregisterImages(InputSpec):
    target = Image(**_TARGET)
    source = Image(copy=True, field="source", scans="first", mandatory=True,
                   desc="image moved onto the target")
    apply_to_files = List(Image(copy=True), field="other",
                          desc="images moved with the source")


class _CoregisterOutputs(OutputSpec):
    coregistered_source = written(Image(), "%s", of="source",
                                  desc="the source with its new header (a copy)")
    coregistered_files = written(List(Image()), "%s", of="apply_to_files",
                                 requires="apply_to_files",
                                 desc="the other images with their new headers (copies)")


class coregister_estimate(SPMBatch):
    """Rigidly register ``source`` to ``target`` (headers of copies rewritten)."""

    job = "spatial.coreg.estimate"

    class Inputs(_CoregisterImages, _CoregisterEstimateOptions):
        pass

    Outputs = _CoregisterOutputs


class coregister_reslice(SPMBatch):
    """Reslice images onto the grid of ``target`` (Coregister: Reslice)."""

    job = "spatial.coreg.write"
    fixed = {"roptions.prefix": "r"}

    class Inputs(_ResliceOptions):
        target = Image(**_TARGET)
        source = List(Image(), field="source", mandatory=True, desc="images to reslice")

    class Outputs(OutputSpec):
        resliced_files = written(List(Image()), "r%s", of="source")


class coregister(SPMBatch):
    """Register ``source`` to ``target`` and reslice it (and others) onto it."""

    job = "spatial.coreg.estwrite"
    fixed = {"roptions.prefix": "r"}

    class Inputs(_CoregisterImages, _CoregisterEstimateOptions, _ResliceOptions):
        pass

    class Outputs(_CoregisterOutputs):
        resliced_source = written(Image(), "r%s", of="source")
        resliced_files = written(List(Image()), "r%s", of="apply_to_files",
                                 requires="apply_to_files")


# -- normalise (SPM12) ---------------------------------------------------------

_VOL = dict(field="subj.vol", scans="first", mandatory=True, desc="image to align to MNI")
_RESAMPLE = dict(field="subj.resample", desc="images to write in MNI space")


class normalise_estimate(SPMBatch):
    """Estimate the deformation from an image to MNI space."""

    job = "spatial.normalise.est"

    class Inputs(_NormaliseEstimateOptions):
        in_file = Image(**_VOL)

    class Outputs(OutputSpec):
        deformation_field = written(Image(), "y_%s", of="in_file",
                                    desc="forward deformation (y_*.nii)")


class normalise_write(SPMBatch):
    """Write images in MNI space with a deformation field."""

    job = "spatial.normalise.write"
    fixed = {"woptions.prefix": "w"}

    class Inputs(_NormaliseWriteOptions):
        deformation_field = Image(field="subj.def", scans="file", mandatory=True,
                                  desc="y_*.nii from normalise_estimate or segment")
        apply_to_files = List(Image(), mandatory=True, **_RESAMPLE)

    class Outputs(OutputSpec):
        normalized_files = written(List(Image()), "w%s", of="apply_to_files")


class normalise(SPMBatch):
    """Estimate the deformation to MNI space and write images with it."""

    job = "spatial.normalise.estwrite"
    fixed = {"woptions.prefix": "w"}

    class Inputs(_NormaliseEstimateOptions, _NormaliseWriteOptions):
        in_file = Image(**_VOL)
        apply_to_files = List(Image(), mandatory=True, **_RESAMPLE)

    class Outputs(OutputSpec):
        deformation_field = written(Image(), "y_%s", of="in_file")
        normalized_files = written(List(Image()), "w%s", of="apply_to_files")


# -- segment (SPM12 unified segmentation) -------------------------------------

_CLASSES = dict(of="in_files", first=True, classes=True, optional=True)


class segment(SPMBatch):
    """Unified segmentation: tissue classes, bias correction, deformations."""

    job = "spatial.preproc"

    class Inputs(InputSpec):
        in_files = List(Image(), field="channel.vols", scans="first", mandatory=True,
                        desc="one image per subject (one channel)")
        bias_regularisation = Float(field="channel.biasreg", desc="(SPM: 0.001)")
        bias_fwhm = Float(field="channel.biasfwhm", desc="mm (SPM: 60)")
        write_bias = Tuple(Bool, Bool, field="channel.write",
                           desc="(bias field, bias-corrected image) (SPM: no, no)")
        tpm = File(field="tissue", tpm_classes=True, default_tpm=True, xor=["tissues"],
                   desc="tissue probability map, one class per volume, with SPM's "
                        "settings of its classes (SPM: tpm/TPM.nii in SPM's folder)")
        tissues = List(
            Tuple(Scan(), Int, Tuple(Bool, Bool), Tuple(Bool, Bool)),
            field="tissue", struct=("tpm", "ngaus", "native", "warped"), default_tpm=True,
            xor=["tpm"],
            desc="per class: ((tpm, frame), gaussians, (native, dartel), "
                 "(warped, modulated)) (SPM: its 6 classes, 1-5 native)",
        )
        mrf = Float(field="warp.mrf", desc="MRF cleanup strength (SPM: 1)")
        cleanup = Enum(0, 1, 2, field="warp.cleanup", desc="0 none, 1 light, 2 thorough")
        warping_regularisation = List(Float, field="warp.reg", desc="5 values")
        affine_regularisation = Enum("mni", "eastern", "subj", "none", "",
                                     field="warp.affreg")
        smoothness = Float(field="warp.fwhm", desc="(SPM: 0)")
        sampling_distance = Float(field="warp.samp", desc="mm (SPM: 3)")
        write_deformation_fields = Tuple(Bool, Bool, field="warp.write",
                                         desc="(inverse iy_, forward y_)")

    class Outputs(OutputSpec):
        native_class_images = written(Dict(Int, Image()), "c%d%s", **_CLASSES,
                                      desc="{class: c<k> image} in native space")
        dartel_class_images = written(Dict(Int, Image()), "rc%d%s", **_CLASSES)
        warped_class_images = written(Dict(Int, Image()), "wc%d%s", **_CLASSES)
        modulated_class_images = written(Dict(Int, Image()), "mwc%d%s", **_CLASSES)
        bias_corrected_image = written(Image(), "m%s", of="in_files", first=True,
                                       optional=True)
        bias_field = written(Image(), "BiasField_%s", of="in_files", first=True,
                             optional=True)
        forward_deformation_field = written(Image(), "y_%s", of="in_files", first=True,
                                            optional=True)
        inverse_deformation_field = written(Image(), "iy_%s", of="in_files", first=True,
                                            optional=True)
        parameters = written(File(), "%s_seg8.mat", of="in_files", first=True,
                             desc="the fitted model (*_seg8.mat)")


# -- smooth, slice timing, image calculator -----------------------------------

class smooth(SPMBatch):
    """Smooth images with a Gaussian kernel."""

    job = "spatial.smooth"
    fixed = {"prefix": "s"}

    class Inputs(InputSpec):
        in_files = List(Image(), field="data", mandatory=True, desc="images to smooth")
        fwhm = Either(Float, List(Float), field="fwhm",
                      desc="mm: one value for x, y and z, or 3 (SPM: 8, 8, 8)")
        data_type = Int(field="dtype", desc="SPM data type of the output (0: same)")
        implicit_masking = Bool(field="im", desc="keep implicitly masked voxels")

    class Outputs(OutputSpec):
        smoothed_files = written(List(Image()), "s%s", of="in_files")


class slice_timing(SPMBatch):
    """Correct differences in slice acquisition times."""

    job = "temporal.st"
    fixed = {"prefix": "a"}

    class Inputs(InputSpec):
        in_files = List(Image(), field="scans", sessions=True, mandatory=True,
                        desc="one 4D series per session")
        num_slices = Int(field="nslices", mandatory=True, desc="slices per volume")
        time_repetition = Float(field="tr", mandatory=True, desc="TR in seconds")
        time_acquisition = Float(field="ta", mandatory=True, desc="TR - TR/nslices")
        slice_order = List(Float, field="so", mandatory=True,
                           desc="acquisition order (indices), or slice times in ms")
        ref_slice = Float(field="refslice", mandatory=True,
                          desc="reference slice (or time in ms)")

    class Outputs(OutputSpec):
        timecorrected_files = written(List(Image()), "a%s", of="in_files")


class image_calculator(SPMBatch):
    """Compute an image from others with a MATLAB expression (i1, i2...)."""

    job = "util.imcalc"

    class Inputs(InputSpec):
        in_files = List(Image(), field="input", scans="first", mandatory=True,
                        desc="images i1, i2, ... of the expression")
        expression = Str(field="expression", mandatory=True, desc="e.g. 'i1 > 0.5'")
        out_file = OutputImage(field="output", dir_field="outdir", name_source="in_files",
                               name_template="imcalc", desc="the result")
        data_matrix = Bool(field="options.dmtx", desc="read the images as matrix X")
        masking = Enum(0, 1, -1, field="options.mask", desc="0 none, 1 NaN->0, -1 0->NaN")
        interpolation = Int(field="options.interp", desc="(SPM: 1, trilinear)")
        data_type = Int(field="options.dtype", desc="SPM data type (SPM: 4, int16; 16 float)")
