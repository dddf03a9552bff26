"""Wrappers of ``wb_command`` volume subcommands: declarations only.

wb_command takes its positional arguments first, then options: positions
0, 1, ... here follow the tool's order, and options come after.
"""

from traits.api import Dict

from ..base import (
    Bool, Enum, File, Float, Image, InputSpec, Interface, List, OutputImage, OutputSpec, Str,
)
from ..base.matrices import write_matrix
from .family import WORKBENCH

__all__ = ["volume_smoothing", "volume_math", "volume_resample", "volume_stats",
           "volume_dilate"]


def _parse_values(stdout: str):
    """One number per line (one per subvolume), as floats."""
    values = []
    for line in stdout.split():
        try:
            values.append(float(line))
        except ValueError:
            return None
    return values or None


class volume_smoothing(Interface):
    """Gaussian smoothing of a volume (sigma in mm, or FWHM with ``fwhm=True``)."""

    executable = "wb_command"
    subcommand = ("-volume-smoothing",)
    family = WORKBENCH

    class Inputs(InputSpec):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="volume to smooth")
        kernel = Float(argstr="%g", position=1, mandatory=True,
                       desc="kernel size in mm (sigma, or FWHM with fwhm=True)")
        out_file = OutputImage(argstr="%s", position=2, name_source="in_file",
                               name_template="%s_smooth", desc="smoothed volume")
        fwhm = Bool(argstr="-fwhm", desc="kernel is a FWHM, not a sigma")
        roi = Image(argstr="-roi %s", desc="smooth only from data within this ROI")
        fix_zeros = Bool(argstr="-fix-zeros", desc="treat zeros as missing data")
        subvolume = Str(argstr="-subvolume %s", desc="only this subvolume (number or name)")


class volume_math(Interface):
    """Evaluate an expression voxel by voxel: ``expression="x * (m > 0)"``,
    ``variables={"x": img, "m": mask}``."""

    executable = "wb_command"
    subcommand = ("-volume-math",)
    family = WORKBENCH

    class Inputs(InputSpec):
        expression = Str(argstr="%s", position=0, mandatory=True,
                         desc="expression (infix, C-like; variables named in `variables`)")
        out_file = OutputImage(argstr="%s", position=1, name_template="volume_math",
                               desc="result volume")
        variables = Dict(Str, Image(), argstr="-var %s %s...", mandatory=True,
                         desc="{name: volume} of the expression's variables")
        fixnan = Float(argstr="-fixnan %g", desc="replace NaN results with this value")


class volume_resample(Interface):
    """Resample a volume into another volume's space, through affines and warps."""

    executable = "wb_command"
    subcommand = ("-volume-resample",)
    family = WORKBENCH

    class Inputs(InputSpec):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="volume to resample")
        space = Image(argstr="%s", position=1, mandatory=True,
                      desc="a volume in the output space")
        method = Enum("CUBIC", "ENCLOSING_VOXEL", "TRILINEAR", argstr="%s", position=2,
                      mandatory=True, desc="resampling method")
        out_file = OutputImage(argstr="%s", position=3, name_source="in_file",
                               name_template="%s_resampled", desc="resampled volume")
        affine = List(File(writer=write_matrix, suffix=".txt"), argstr="-affine %s...",
                      desc="affines in world millimetres (files or 4x4 arrays), applied "
                           "in order")
        affine_series = List(File(), argstr="-affine-series %s...",
                             desc="files of one affine per frame (12 or 16 numbers a line)")
        warp = List(Image(), argstr="-warp %s...", desc="warpfields, applied in order")


class volume_stats(Interface):
    """One statistic per subvolume: a reduction (MEAN, MEDIAN, ...) or a percentile."""

    executable = "wb_command"
    subcommand = ("-volume-stats",)
    family = WORKBENCH

    class Inputs(InputSpec):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="input volume")
        reduce = Enum(
            "MAX", "MIN", "INDEXMAX", "INDEXMIN", "SUM", "PRODUCT", "MEAN", "STDEV",
            "SAMPSTDEV", "VARIANCE", "TSNR", "COV", "L2NORM", "MEDIAN", "MODE",
            "COUNT_NONZERO", argstr="-reduce %s", xor=["percentile"], mandatory=True,
            desc="reduction operation")
        percentile = Float(argstr="-percentile %g", xor=["reduce"], mandatory=True,
                           desc="the value at this percentile")
        subvolume = Str(argstr="-subvolume %s", desc="only this subvolume (number or name)")
        roi = Image(argstr="-roi %s", desc="only data inside this ROI")
        match_maps = Bool(argstr="-match-maps", requires=["roi"],
                          desc="each subvolume uses the matching ROI subvolume")

    class Outputs(OutputSpec):
        values = List(Float, from_stdout=_parse_values, desc="one value per subvolume")
        value = Float(from_stdout=r"^\s*(\S+)\s*$", desc="the first value")


class volume_dilate(Interface):
    """Fill bad (zero) voxels from nearby good ones, up to a distance."""

    executable = "wb_command"
    subcommand = ("-volume-dilate",)
    family = WORKBENCH

    class Inputs(InputSpec):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="volume to dilate")
        distance = Float(argstr="%g", position=1, mandatory=True, desc="distance in mm")
        method = Enum("NEAREST", "WEIGHTED", argstr="%s", position=2, mandatory=True,
                      desc="dilation method")
        out_file = OutputImage(argstr="%s", position=3, name_source="in_file",
                               name_template="%s_dilated", desc="dilated volume")
        exponent = Float(argstr="-exponent %g", desc="weighting exponent n of 1/d^n [7]")
        bad_voxel_roi = Image(argstr="-bad-voxel-roi %s", desc="voxels to overwrite")
        data_roi = Image(argstr="-data-roi %s", desc="where there is data")
        subvolume = Str(argstr="-subvolume %s", desc="only this subvolume (number or name)")
        legacy_cutoff = Bool(argstr="-legacy-cutoff", desc="the v1.3.2 method")
