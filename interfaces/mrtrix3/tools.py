"""Wrappers of MRtrix3 commands: declarations only.

Input names are the commands' own option names; the positional arguments are
``in_file``, ``out_file`` (and ``operation``/``filter`` where the command
takes one).  Lists given to options that take comma-separated values
(``-axes 0,1,2``) are joined for you.
"""

from ..base import (
    Bool, Enum, File, Float, Image, ImageOrValue, Int, Interface, List, OutputFile,
    OutputImage, OutputSpec, Str, Tuple,
)
from .family import MRTRIX3, GradientInputs, MRtrixInputs, datatype, stats_column

__all__ = ["mrconvert", "mrcalc", "mrfilter", "mrgrid", "mrthreshold", "mrstats",
           "maskfilter", "dwidenoise", "mrdegibbs", "dwi2tensor", "tensor2metric",
           "dwi2mask", "dwiextract"]


def _in(desc="input image"):
    return Image(argstr="%s", position=0, mandatory=True, desc=desc)


def _out(template, position=-1, desc="output image"):
    return OutputImage(argstr="%s", position=position, name_source="in_file",
                       name_template=template, desc=desc)


def _csv(trait, option, desc):
    """An option taking a comma-separated list (``-axes 0,1,2``)."""
    return List(trait, argstr=f"{option} %s", sep=",", desc=desc)


class mrconvert(Interface):
    """Convert between image formats, select volumes or axes, edit the header."""

    executable = "mrconvert"
    family = MRTRIX3

    class Inputs(MRtrixInputs, GradientInputs):
        in_file = _in()
        out_file = _out("%s_converted")
        coord = List(Tuple(Int, Str), argstr="-coord %d %s...",
                     desc="(axis, selection) pairs: keep these coordinates, e.g. (3, '0:2')")
        vox = _csv(Float, "-vox", "new voxel sizes in the header")
        axes = _csv(Int, "-axes", "input axes forming the output")
        scaling = _csv(Float, "-scaling", "(offset, scale) intensity scaling")
        json_import = File(argstr="-json_import %s", desc="header key-values from JSON")
        json_export = OutputFile(argstr="-json_export %s", generate=False,
                                 name_source="in_file", name_template="%s.json",
                                 desc="write the header key-values as JSON")
        clear_property = List(Str, argstr="-clear_property %s...", desc="keys to remove")
        set_property = List(Tuple(Str, Str), argstr="-set_property %s %s...",
                            desc="(key, value) to set")
        append_property = List(Tuple(Str, Str), argstr="-append_property %s %s...",
                               desc="(key, value) to append")
        copy_properties = Image(argstr="-copy_properties %s",
                                desc="copy the header properties of this image")
        strides = _csv(Int, "-strides", "strides of the output")
        datatype = datatype()
        bvalue_scaling = Bool(argstr="-bvalue_scaling true",
                              desc="scale b-values by the gradient norms")
        import_pe_table = File(argstr="-import_pe_table %s", desc="phase encoding table")
        export_pe_table = OutputFile(argstr="-export_pe_table %s", generate=False,
                                     name_template="pe_table.txt",
                                     desc="write the phase encoding table")


class mrcalc(Interface):
    """Voxel-wise arithmetic with a stack: ``operands=[a, b, "-add", 2, "-mult"]``.

    ``operands`` mixes images (passed as files), numbers and operators
    (``"-add"``, ``"-gt"``, ``"-if"``...), in mrcalc's postfix order.
    """

    executable = "mrcalc"
    family = MRTRIX3

    class Inputs(MRtrixInputs):
        operands = List(ImageOrValue(), argstr="%s", position=0, mandatory=True, minlen=1,
                        desc="images, numbers and operators, in stack (postfix) order")
        out_file = OutputImage(argstr="%s", position=-1, name_template="mrcalc_out",
                               desc="output image")
        datatype = datatype()


class mrfilter(Interface):
    """Filter an image: fft, gradient, median, smooth, normalise, zclean."""

    executable = "mrfilter"
    family = MRTRIX3

    class Inputs(MRtrixInputs):
        in_file = _in()
        filter = Enum("fft", "gradient", "median", "smooth", "normalise", "zclean",
                      argstr="%s", position=1, mandatory=True, desc="the filter")
        out_file = _out("%s_filtered")
        axes = _csv(Int, "-axes", "fft: axes to transform")
        inverse = Bool(argstr="-inverse", desc="fft: inverse transform")
        magnitude = Bool(argstr="-magnitude", desc="fft/gradient: output the magnitude")
        centre_zero = Bool(argstr="-centre_zero", desc="fft: zero frequency at the centre")
        stdev = _csv(Float, "-stdev", "smooth/gradient: Gaussian sigma (mm), one or per axis")
        fwhm = _csv(Float, "-fwhm", "smooth: Gaussian FWHM (mm), one or per axis")
        extent = _csv(Int, "-extent", "smooth/median/normalise: kernel size (voxels)")
        scanner = Bool(argstr="-scanner", desc="gradient: in scanner coordinates")
        zupper = Float(argstr="-zupper %g", desc="zclean: upper z-score [2.5]")
        zlower = Float(argstr="-zlower %g", desc="zclean: lower z-score [2.5]")
        bridge = Int(argstr="-bridge %d", desc="zclean: bridge gaps of this many voxels")
        maskin = Image(argstr="-maskin %s", desc="zclean: initial mask")
        maskout = OutputImage(argstr="-maskout %s", generate=False, name_source="in_file",
                              name_template="%s_zmask", desc="zclean: output mask")
        strides = _csv(Int, "-strides", "strides of the output")
        datatype = datatype()


class mrgrid(Interface):
    """Regrid (resample), crop or pad an image."""

    executable = "mrgrid"
    family = MRTRIX3

    class Inputs(MRtrixInputs):
        in_file = _in()
        operation = Enum("regrid", "crop", "pad", argstr="%s", position=1, mandatory=True,
                         desc="the operation")
        out_file = _out("%s_grid")
        template = Image(argstr="-template %s", desc="regrid onto this image's grid")
        size = _csv(Int, "-size", "regrid: new dimensions")
        voxel = _csv(Float, "-voxel", "regrid: new voxel size(s) (mm)")
        scale = _csv(Float, "-scale", "regrid: scale factor(s) of the dimensions")
        interp = Enum("nearest", "linear", "cubic", "sinc", argstr="-interp %s",
                      desc="regrid: interpolation [cubic]")
        oversample = _csv(Int, "-oversample", "regrid: oversampling factor(s)")
        as_ = Image(argstr="-as %s", desc="crop/pad: to the extent of this image")
        uniform = Int(argstr="-uniform %d", desc="crop/pad: voxels on every side")
        mask = Image(argstr="-mask %s", desc="crop: to the extent of this mask")
        crop_unbound = Bool(argstr="-crop_unbound", desc="crop: allow padding beyond the image")
        axis = List(Tuple(Int, Str), argstr="-axis %d %s...",
                    desc="crop/pad: (axis, 'start,end') per axis")
        all_axes = Bool(argstr="-all_axes", desc="crop/pad also beyond 3 axes")
        fill = Float(argstr="-fill %g", desc="value of new voxels [0]")
        strides = _csv(Int, "-strides", "strides of the output")
        datatype = datatype()


class mrthreshold(Interface):
    """Threshold an image into a mask (automatic, absolute, percentile, top/bottom)."""

    executable = "mrthreshold"
    family = MRTRIX3

    class Inputs(MRtrixInputs):
        in_file = _in()
        out_file = _out("%s_mask", desc="binary mask (or masked image with out_masked)")
        abs = Float(argstr="-abs %g", xor=["percentile", "top", "bottom"],
                    desc="absolute threshold")
        percentile = Float(argstr="-percentile %g", xor=["abs", "top", "bottom"],
                           desc="threshold at this percentile")
        top = Int(argstr="-top %d", xor=["abs", "percentile", "bottom"],
                  desc="keep the N highest voxels")
        bottom = Int(argstr="-bottom %d", xor=["abs", "percentile", "top"],
                     desc="keep the N lowest voxels")
        allvolumes = Bool(argstr="-allvolumes", desc="one threshold for all volumes")
        ignorezero = Bool(argstr="-ignorezero", desc="ignore zero-valued voxels")
        mask = Image(argstr="-mask %s", desc="compute the threshold within this mask")
        comparison = Enum("lt", "le", "ge", "gt", argstr="-comparison %s",
                          desc="comparison operator")
        invert = Bool(argstr="-invert", desc="invert the output mask")
        out_masked = Bool(argstr="-out_masked", desc="write the input values in the mask")
        nan = Bool(argstr="-nan", desc="NaN outside the mask instead of 0")

    class Outputs(OutputSpec):
        threshold = Float(from_stdout=r"^\s*([-+0-9.eE]+)\s*$", optional=True,
                          desc="the threshold (printed when no output image is named)")


class mrstats(Interface):
    """Statistics of an image, per volume: mean, median, std, min, max, count.

    Each output is a list with one value per volume (NaN where undefined).
    """

    executable = "mrstats"
    family = MRTRIX3

    class Inputs(MRtrixInputs):
        in_file = _in()
        mask = Image(argstr="-mask %s", desc="only voxels within this mask")
        ignorezero = Bool(argstr="-ignorezero", desc="ignore zero values")
        allvolumes = Bool(argstr="-allvolumes", desc="one set of statistics for all volumes")

    class Outputs(OutputSpec):
        mean = List(Float, from_stdout=stats_column("mean"), desc="mean per volume")
        median = List(Float, from_stdout=stats_column("median"), desc="median per volume")
        std = List(Float, from_stdout=stats_column("std"),
                   desc="standard deviation (N-1) per volume")
        min = List(Float, from_stdout=stats_column("min"), desc="minimum per volume")
        max = List(Float, from_stdout=stats_column("max"), desc="maximum per volume")
        count = List(Float, from_stdout=stats_column("count"), desc="voxel count per volume")


class maskfilter(Interface):
    """Filter a mask: clean, connect, dilate, erode, median."""

    executable = "maskfilter"
    family = MRTRIX3

    class Inputs(MRtrixInputs):
        in_file = _in("input mask")
        filter = Enum("clean", "connect", "dilate", "erode", "median", argstr="%s",
                      position=1, mandatory=True, desc="the filter")
        out_file = _out("%s_filtered", desc="output mask")
        scale = Int(argstr="-scale %d", desc="clean: maximum scale of removed structures")
        axes = _csv(Int, "-axes", "connect: axes to consider")
        largest = Bool(argstr="-largest", desc="connect: keep the largest component only")
        connectivity = Bool(argstr="-connectivity", desc="connect: 26-neighbourhood")
        npass = Int(argstr="-npass %d", desc="dilate/erode: number of passes")
        extent = _csv(Int, "-extent", "median: kernel size (voxels)")
        strides = _csv(Int, "-strides", "strides of the output")


class dwidenoise(Interface):
    """Denoise DWI data by Marchenko-Pastur PCA."""

    executable = "dwidenoise"
    family = MRTRIX3

    class Inputs(MRtrixInputs):
        in_file = _in("diffusion-weighted image (4D)")
        out_file = _out("%s_denoised")
        mask = Image(argstr="-mask %s", desc="only denoise within this mask")
        extent = _csv(Int, "-extent", "sliding window size (voxels)")
        noise = OutputImage(argstr="-noise %s", generate=False, name_source="in_file",
                            name_template="%s_noise", desc="write the noise level map")
        datatype = Enum("float32", "float64", argstr="-datatype %s",
                        desc="precision of the computation")
        estimator = Enum("Exp1", "Exp2", argstr="-estimator %s", desc="noise estimator [Exp2]")


class mrdegibbs(Interface):
    """Remove Gibbs ringing by local subvoxel shifts."""

    executable = "mrdegibbs"
    family = MRTRIX3

    class Inputs(MRtrixInputs):
        in_file = _in()
        out_file = _out("%s_degibbs")
        axes = _csv(Int, "-axes", "slice axes, e.g. [0, 1] for axial [0,1]")
        nshifts = Int(argstr="-nshifts %d", desc="number of subvoxel shifts [20]")
        min_w = Int(argstr="-minW %d", desc="left border of the window [1]")
        max_w = Int(argstr="-maxW %d", desc="right border of the window [3]")
        datatype = datatype()


class dwi2tensor(Interface):
    """Fit the diffusion tensor (and optionally kurtosis) to DWI data."""

    executable = "dwi2tensor"
    family = MRTRIX3

    class Inputs(MRtrixInputs, GradientInputs):
        in_file = _in("diffusion-weighted image (4D, with a gradient table)")
        out_file = _out("%s_tensor", desc="tensor image (6 volumes)")
        ols = Bool(argstr="-ols", desc="ordinary least squares only")
        mask = Image(argstr="-mask %s", desc="only fit within this mask")
        b0 = OutputImage(argstr="-b0 %s", generate=False, name_source="in_file",
                         name_template="%s_b0", desc="write the estimated b=0 image")
        dkt = OutputImage(argstr="-dkt %s", generate=False, name_source="in_file",
                          name_template="%s_dkt", desc="write the kurtosis tensor")
        iter = Int(argstr="-iter %d", desc="iterations of iteratively reweighted LS [2]")
        predicted_signal = OutputImage(argstr="-predicted_signal %s", generate=False,
                                       name_source="in_file", name_template="%s_predicted",
                                       desc="write the predicted signal")


def _metric(option, template, desc):
    return OutputImage(argstr=f"-{option} %s", generate=False, name_source="in_file",
                       name_template=template, desc=desc)


class tensor2metric(Interface):
    """Maps of tensor-derived metrics: ADC, FA, AD, RD, eigenvalues, vectors."""

    executable = "tensor2metric"
    family = MRTRIX3

    class Inputs(MRtrixInputs):
        in_file = _in("tensor image")
        adc = _metric("adc", "%s_adc", "mean apparent diffusion coefficient")
        fa = _metric("fa", "%s_fa", "fractional anisotropy")
        ad = _metric("ad", "%s_ad", "axial diffusivity")
        rd = _metric("rd", "%s_rd", "radial diffusivity")
        cl = _metric("cl", "%s_cl", "linearity")
        cp = _metric("cp", "%s_cp", "planarity")
        cs = _metric("cs", "%s_cs", "sphericity")
        value = _metric("value", "%s_eigval", "eigenvalues selected by num")
        vector = _metric("vector", "%s_eigvec", "eigenvectors selected by num")
        num = _csv(Int, "-num", "eigenvalues/vectors to output (1, 2, 3)")
        modulate = Enum("none", "fa", "eigval", argstr="-modulate %s",
                        desc="modulate the eigenvectors by")
        mask = Image(argstr="-mask %s", desc="only within this mask")


class dwi2mask(Interface):
    """Whole-brain mask from DWI data."""

    executable = "dwi2mask"
    family = MRTRIX3

    class Inputs(MRtrixInputs):
        in_file = _in("diffusion-weighted image (with a gradient table)")
        out_file = _out("%s_mask", desc="brain mask")
        clean_scale = Int(argstr="-clean_scale %d", desc="scale of the final clean-up [2]")
        grad = File(argstr="-grad %s", xor=["fslgrad"], desc="gradient table, MRtrix format")
        fslgrad = List(File(), minlen=2, maxlen=2, argstr="-fslgrad %s %s", xor=["grad"],
                       desc="[bvecs, bvals] files in FSL format")


class dwiextract(Interface):
    """Extract volumes of DWI data by b-value (b=0, shells, ...)."""

    executable = "dwiextract"
    family = MRTRIX3

    class Inputs(MRtrixInputs, GradientInputs):
        in_file = _in("diffusion-weighted image (with a gradient table)")
        out_file = _out("%s_extracted")
        bzero = Bool(argstr="-bzero", desc="the b=0 volumes")
        no_bzero = Bool(argstr="-no_bzero", desc="no b=0 volumes")
        singleshell = Bool(argstr="-singleshell", desc="force a single shell")
        shells = _csv(Float, "-shells", "b-values of the shells to keep")
        pe = _csv(Float, "-pe", "phase encoding (direction[, readout time]) to keep")
        import_pe_table = File(argstr="-import_pe_table %s", desc="phase encoding table")
        strides = _csv(Int, "-strides", "strides of the output")
