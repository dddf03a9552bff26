"""Pictures: slicer (slices of an image as a PNG) and overlay (statistics
coloured over a background image).

Declarations only; option names are nipype's.
"""

from ..base import (
    Bool, Enum, File, Float, Image, Int, Interface, OutputFile, OutputImage, Tuple, exclusive,
)
from .family import FSL, FSLInputs

__all__ = ["slicer", "overlay"]

_SLICES = ("single_slice", "middle_slices", "all_axial", "sample_axial")


class slicer(Interface):
    """Slices of an image (with edges of another) as a PNG picture.

    One of ``single_slice`` (with ``slice_number``), ``middle_slices``,
    ``all_axial`` or ``sample_axial`` (both with ``image_width``).
    """

    executable = "slicer"
    family = FSL

    class Inputs(FSLInputs):
        groups = (exclusive(*_SLICES),)
        in_file = Image(argstr="%s", position=1, mandatory=True, desc="image to show")
        image_edges = Image(argstr="%s", position=2,
                            desc="image whose edges are drawn over in_file")
        label_slices = Bool(True, position=3, usedefault=True,
                            formatter=lambda value, _: "-L" if value else [],
                            desc="label the slices")
        colour_map = File(argstr="-l %s", position=4, desc="colour map (LUT file)")
        intensity_range = Tuple(Float(), Float(), argstr="-i %.3f %.3f", position=5,
                                desc="(min, max) intensities shown")
        threshold_edges = Float(argstr="-e %.3f", position=6, desc="edge threshold")
        dither_edges = Bool(argstr="-t", position=7, desc="dither the edges")
        nearest_neighbour = Bool(argstr="-n", position=8,
                                 desc="nearest-neighbour interpolation")
        show_orientation = Bool(True, position=9, usedefault=True,
                                formatter=lambda value, _: [] if value else "-u",
                                desc="label the orientation")
        single_slice = Enum("x", "y", "z", argstr="-%s", position=10,
                            requires=["slice_number"], desc="one slice, along this axis")
        middle_slices = Bool(argstr="-a", position=10,
                             desc="the middle slice of each axis")
        all_axial = Bool(argstr="-A", position=10, requires=["image_width"],
                         desc="all axial slices")
        sample_axial = Int(argstr="-S %d", position=10,
                           requires=["image_width"], desc="every n-th axial slice")
        slice_number = Int(argstr="-%d", position=11, desc="slice number (single_slice)")
        image_width = Int(argstr="%d", position=-2, desc="width of the picture, pixels")
        out_file = OutputFile(argstr="%s", position=-1, name_source="in_file",
                              name_template="%s.png", desc="picture (PNG)")
        scaling = Float(argstr="-s %f", position=0, desc="image scale")


def _negative_stats(value, values):
    """The stat image again, with the negated thresholds (nipype's form)."""
    low, high = values["stat_thresh"]
    return [values["stat_image"], "%.2f" % -low, "%.2f" % -high]


class overlay(Interface):
    """Colour-coded statistics over a background image (one 3D image).

    One of ``auto_thresh_bg``, ``full_bg_range`` or ``bg_thresh``.
    """

    executable = "overlay"
    family = FSL

    class Inputs(FSLInputs):
        groups = (exclusive("auto_thresh_bg", "full_bg_range", "bg_thresh", required=True),
                  exclusive("show_negative_stats", "stat_image2"))
        transparency = Bool(True, position=1, usedefault=True,
                            formatter=lambda value, _: "1" if value else "0",
                            desc="colours are transparent")
        out_type = Enum("float", "int", position=2, usedefault=True,
                        formatter=lambda value, _: "0" if value == "float" else "1",
                        desc="output datatype")
        use_checkerboard = Bool(argstr="-c", position=3, desc="checkerboard mask")
        background_image = Image(argstr="%s", position=4, mandatory=True,
                                 desc="background image")
        auto_thresh_bg = Bool(argstr="-a", position=5,
                              desc="threshold the background automatically")
        full_bg_range = Bool(argstr="-A", position=5, desc="the background's full range")
        bg_thresh = Tuple(Float(), Float(), argstr="%.3f %.3f", position=5,
                          desc="(min, max) of the background shown")
        stat_image = Image(argstr="%s", position=6, mandatory=True, desc="statistic image")
        stat_thresh = Tuple(Float(), Float(), argstr="%.2f %.2f", position=7, mandatory=True,
                            desc="(min, max) of the statistic shown")
        show_negative_stats = Bool(position=8,
                                   formatter=_negative_stats,
                                   desc="also show the negative statistics")
        stat_image2 = Image(argstr="%s", position=9, desc="second statistic image")
        stat_thresh2 = Tuple(Float(), Float(), argstr="%.2f %.2f", position=10,
                             desc="(min, max) of the second statistic")
        out_file = OutputImage(argstr="%s", position=-1, name_source="stat_image",
                               name_template="%s_overlay",
                               name_template_if={
                                   "stat_image2": "%s_and_{stat_image2}_overlay"},
                               desc="overlay image (RGB)")
