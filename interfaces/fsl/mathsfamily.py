"""nipype's fslmaths classes, with nipype's names: ``Threshold``,
``BinaryMaths``, ``IsotropicSmooth``...

Each runs ``fslmaths in_file <operation> out_file``, so that
``fsl.IsotropicSmooth(in_file=img, fwhm=4).run()`` reads like the nipype line
it replaces.  The default output is ``<in_file>_<suffix>`` (nipype's
suffixes: ``_thresh``, ``_smooth``, ``_mean``...).  For chains of operations,
:class:`~interfaces.fsl.maths` or :class:`~interfaces.fsl.fslmaths` with an
``op_string``.

Declarations only.
"""

import math

from ..base import Bool, Enum, File, Float, Image, Interface, OutputImage
from .family import FSL, FSLInputs
from .utils import fslmaths

__all__ = [
    "MathsCommand", "ChangeDataType", "Threshold", "StdImage", "MeanImage", "MaxImage",
    "MaxnImage", "MinImage", "MedianImage", "PercentileImage", "AR1Image",
    "IsotropicSmooth", "ApplyMask", "DilateImage", "ErodeImage", "SpatialFilter",
    "UnaryMaths", "BinaryMaths", "TemporalFilter", "Smooth", "ImageMaths", "MultiImageMaths",
]

_DATATYPES = ("float", "char", "int", "short", "double", "input")
_FWHM_TO_SIGMA = 1 / math.sqrt(8 * math.log(2))


def _out_file(template):
    return OutputImage(argstr="%s", position=-2, name_source="in_file",
                       name_template=template, desc="image to write")


class _MathsInputs(FSLInputs):
    """What every fslmaths class has (nipype's MathsInput)."""

    in_file = Image(argstr="%s", position=2, mandatory=True, desc="image to operate on")
    internal_datatype = Enum(*_DATATYPES, argstr="-dt %s", position=1,
                             desc="datatype of the calculations (default: float)")
    output_datatype = Enum(*_DATATYPES, argstr="-odt %s", position=-1,
                           desc="datatype of the output (default: that of in_file)")
    nan2zeros = Bool(argstr="-nan", position=3, desc="change NaNs to zeros first")


class _Maths(Interface):
    executable = "fslmaths"
    family = FSL


class MathsCommand(_Maths):
    """fslmaths with no operation: a copy (``nan2zeros``, datatypes)."""

    class Inputs(_MathsInputs):
        out_file = _out_file("%s_maths")


class ChangeDataType(_Maths):
    """Change the datatype of an image."""

    class Inputs(_MathsInputs):
        out_file = _out_file("%s_chdt")
        output_datatype = Enum(*_DATATYPES, argstr="-odt %s", position=-1, mandatory=True,
                               desc="datatype of the output")


def _threshold(value, values):
    """-thr / -uthr, with p (robust range) or P (non-zero voxels' robust range)."""
    option = "-uthr" if values.get("direction") == "above" else "-thr"
    if values.get("use_robust_range"):
        option += "P" if values.get("use_nonzero_voxels") else "p"
    return [option, "%.10f" % value]


class Threshold(_Maths):
    """Zero the voxels below (or above) a threshold."""

    class Inputs(_MathsInputs):
        out_file = _out_file("%s_thresh")
        thresh = Float(position=4, mandatory=True, formatter=_threshold,
                       desc="threshold value (a percentage with use_robust_range)")
        direction = Enum("below", "above", usedefault=True,
                         desc="zero what is below (-thr) or above (-uthr) the threshold")
        use_robust_range = Bool(desc="thresh is a percentage of the robust range")
        use_nonzero_voxels = Bool(requires=["use_robust_range"],
                                  desc="the robust range of the non-zero voxels")


def _reduce_inputs(op):
    """Inputs of a reduction along one dimension: ``-Tmean``, ``-Xmax``..."""
    class Inputs(_MathsInputs):
        out_file = _out_file("%s_" + op)
        dimension = Enum("T", "X", "Y", "Z", argstr="-%s" + op, position=4,
                         usedefault=True, desc="dimension to reduce (T: time)")
    return Inputs


class StdImage(_Maths):
    """Standard deviation along a dimension."""
    Inputs = _reduce_inputs("std")


class MeanImage(_Maths):
    """Mean along a dimension."""
    Inputs = _reduce_inputs("mean")


class MaxImage(_Maths):
    """Maximum along a dimension."""
    Inputs = _reduce_inputs("max")


class MaxnImage(_Maths):
    """Index of the maximum along a dimension."""
    Inputs = _reduce_inputs("maxn")


class MinImage(_Maths):
    """Minimum along a dimension."""
    Inputs = _reduce_inputs("min")


class MedianImage(_Maths):
    """Median along a dimension."""
    Inputs = _reduce_inputs("median")


class AR1Image(_Maths):
    """First-order autocorrelation coefficient along a dimension."""
    Inputs = _reduce_inputs("ar1")


class PercentileImage(_Maths):
    """A percentile along a dimension."""

    class Inputs(_MathsInputs):
        out_file = _out_file("%s_perc")
        dimension = Enum("T", "X", "Y", "Z", argstr="-%sperc", position=4, usedefault=True,
                         desc="dimension to reduce (T: time)")
        perc = Float(argstr="%f", position=5, desc="percentile, 0 to 100")


class IsotropicSmooth(_Maths):
    """Gaussian smoothing, by FWHM or sigma (mm)."""

    class Inputs(_MathsInputs):
        out_file = _out_file("%s_smooth")
        fwhm = Float(argstr="-s %.5f", position=4, mandatory=True, xor=["sigma"],
                     scale=_FWHM_TO_SIGMA, desc="FWHM of the kernel, mm (passed as sigma)")
        sigma = Float(argstr="-s %.5f", position=4, mandatory=True, xor=["fwhm"],
                      desc="sigma of the kernel, mm")


class ApplyMask(_Maths):
    """Zero the voxels outside a mask (mask > 0)."""

    class Inputs(_MathsInputs):
        out_file = _out_file("%s_masked")
        mask_file = Image(argstr="-mas %s", position=4, mandatory=True, desc="mask image")


class _KernelInputs(_MathsInputs):
    kernel_shape = Enum("3D", "2D", "box", "boxv", "gauss", "sphere", "file",
                        argstr="-kernel %s", position=4, desc="kernel shape")
    kernel_size = Float(argstr="%.4f", position=5, xor=["kernel_file"],
                        desc="kernel size: voxels for box/boxv, mm for sphere, sigma "
                             "for gauss")
    kernel_file = File(argstr="%s", position=5, xor=["kernel_size"],
                       desc="kernel image, with kernel_shape='file'")


_DILATE = {"mean": "M", "modal": "D", "max": "F"}


class DilateImage(_Maths):
    """Dilation: mean (-dilM), modal (-dilD) or maximum (-dilF) filter of the
    non-zero voxels."""

    class Inputs(_KernelInputs):
        out_file = _out_file("%s_dil")
        operation = Enum(*_DILATE, position=6, mandatory=True,
                         formatter=lambda value, _: "-dil" + _DILATE[value],
                         desc="filter: mean, modal or max")


class ErodeImage(_Maths):
    """Erosion (-ero), or a minimum filter (-eroF)."""

    class Inputs(_KernelInputs):
        out_file = _out_file("%s_ero")
        minimum_filter = Bool(False, position=6, usedefault=True,
                              formatter=lambda value, _: "-eroF" if value else "-ero",
                              desc="a minimum filter instead of erosion")


class SpatialFilter(_Maths):
    """Mean, median or non-zero mean filter in a kernel."""

    class Inputs(_KernelInputs):
        out_file = _out_file("%s_filt")
        operation = Enum("mean", "median", "meanu", argstr="-f%s", position=6,
                         mandatory=True, desc="filter: mean, median or meanu")


class UnaryMaths(_Maths):
    """An operation on each voxel (``-abs``, ``-bin``, ``-sqrt``...); the
    default output is ``<in_file>_<operation>``."""

    class Inputs(_MathsInputs):
        out_file = _out_file("%s_{operation}")
        operation = Enum("exp", "log", "sin", "cos", "tan", "asin", "acos", "atan", "sqr",
                         "sqrt", "recip", "abs", "bin", "binv", "fillh", "fillh26", "index",
                         "edge", "nan", "nanm", "rand", "randn", "range", argstr="-%s",
                         position=4, mandatory=True, desc="operation")


class BinaryMaths(_Maths):
    """An operation with an image or a number (``-add``, ``-mul``...)."""

    class Inputs(_MathsInputs):
        out_file = _out_file("%s_maths")
        operation = Enum("add", "sub", "mul", "div", "rem", "max", "min", argstr="-%s",
                         position=4, mandatory=True, desc="operation")
        operand_file = Image(argstr="%s", position=5, mandatory=True, xor=["operand_value"],
                             desc="image operand")
        operand_value = Float(argstr="%.8f", position=5, mandatory=True,
                              xor=["operand_file"], desc="number operand")


class TemporalFilter(_Maths):
    """Band-pass temporal filtering (-bptf); sigmas in volumes, -1 to skip."""

    class Inputs(_MathsInputs):
        out_file = _out_file("%s_filt")
        highpass_sigma = Float(-1.0, argstr="-bptf %.6f", position=4, usedefault=True,
                               desc="high-pass sigma, volumes (-1: none)")
        lowpass_sigma = Float(-1.0, argstr="%.6f", position=5, usedefault=True,
                              desc="low-pass sigma, volumes (-1: none)")


class Smooth(Interface):
    """Gaussian smoothing with a kernel (``-kernel gauss sigma -fmean``), by
    FWHM or sigma (mm); nipype's Smooth."""

    executable = "fslmaths"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="image to smooth")
        sigma = Float(argstr="-kernel gauss %.03f -fmean", position=1, mandatory=True,
                      xor=["fwhm"], desc="sigma of the kernel, mm")
        fwhm = Float(argstr="-kernel gauss %.03f -fmean", position=1, mandatory=True,
                     xor=["sigma"], scale=_FWHM_TO_SIGMA,
                     desc="FWHM of the kernel, mm (passed as sigma)")
        smoothed_file = OutputImage(argstr="%s", position=2, name_source="in_file",
                                    name_template="%s_smooth", desc="smoothed image")


class ImageMaths(fslmaths):
    """nipype's ImageMaths under its name: :class:`fslmaths` with
    ``op_string`` (``"-mul"``), ``in_file2`` for its last operand,
    ``mask_file`` and ``out_data_type``.  nipype's ``suffix`` is not an
    input: the default output is ``<in_file>_maths``."""


class MultiImageMaths(fslmaths):
    """nipype's MultiImageMaths under its name: :class:`fslmaths` whose
    ``op_string`` (``"-add %s -mul %s"``) takes ``operand_files`` in place
    of each ``%s``."""
