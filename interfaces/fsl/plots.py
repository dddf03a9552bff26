"""Plots of text time series with fsl_tsplot: nipype's two interfaces over
it, PlotTimeSeries (any columns) and PlotMotionParams (the rotations,
translations or displacements of mcflirt's or SPM's realignment, titled and
labelled as nipype does).

Declarations only; option names are nipype's.
"""

from ..base import (
    Bool, Enum, File, Float, Int, Interface, List, OutputFile, Str, Tuple,
)
from .family import FSL, FSLInputs

__all__ = ["PlotTimeSeries", "PlotMotionParams"]


def _series(desc):
    """fsl_tsplot's -i: one text file, or several joined by commas."""
    return List(File(), argstr="-i %s", sep=",", position=1, mandatory=True, minlen=1,
                one_or_more=True, desc=desc)


def _plot_size():
    return Tuple(Int(), Int(), argstr="-h %d -w %d", desc="height and width (pixels)")


class PlotTimeSeries(Interface):
    """A PNG plot of columns of text files (``out_file``)."""

    executable = "fsl_tsplot"
    family = FSL

    class Inputs(FSLInputs):
        in_file = _series("text file(s) with one time course per column")
        plot_start = Int(argstr="--start=%d", xor=["plot_range"],
                         desc="first column to plot (from 1)")
        plot_finish = Int(argstr="--finish=%d", xor=["plot_range"],
                          desc="last column to plot")
        plot_range = Tuple(Int(), Int(), argstr="--start=%d --finish=%d",
                           xor=["plot_start", "plot_finish"],
                           desc="first and last columns to plot")
        title = Str(argstr="-t %s", desc="title")
        legend_file = File(argstr="--legend=%s", desc="legend file")
        labels = List(Str(), argstr="-a %s", sep=",", one_or_more=True,
                      desc="label of each column (one label, or a list)")
        y_min = Float(argstr="--ymin=%.2f", xor=["y_range"], desc="minimum of the y axis")
        y_max = Float(argstr="--ymax=%.2f", xor=["y_range"], desc="maximum of the y axis")
        y_range = Tuple(Float(), Float(), argstr="--ymin=%.2f --ymax=%.2f",
                        xor=["y_min", "y_max"], desc="minimum and maximum of the y axis")
        x_units = Int(1, usedefault=True, argstr="-u %d",
                      desc="x-axis units: time points per unit")
        plot_size = _plot_size()
        x_precision = Int(argstr="--precision=%d", desc="decimals of the x-axis labels")
        sci_notation = Bool(argstr="--sci", desc="scientific notation")
        out_file = OutputFile(argstr="-o %s", name_source="in_file", name_template="%s.png",
                              desc="the plot (PNG)")


# (source, plot type) -> the columns of the motion parameters: FSL's files
# hold the rotations first, SPM's the translations.
_COLUMNS = {("fsl", "rot"): (1, 3), ("fsl", "tra"): (4, 6),
            ("spm", "rot"): (4, 6), ("spm", "tra"): (1, 3)}
_UNITS = {"rot": "radians", "tra": "mm"}
_PROGRAM = {"fsl": "MCFLIRT", "spm": "Realign"}


def _motion_plot(value, values):
    """Title, columns and labels of a motion plot (nipype's)."""
    if value == "displacement":
        return ["-t", "MCFLIRT estimated mean displacement (mm)", "-a", "abs,rel"]
    source, kind = values["in_source"], value[:3]
    start, finish = _COLUMNS[source, kind]
    return ["-t", f"{_PROGRAM[source]} estimated {value} ({_UNITS[kind]})",
            f"--start={start}", f"--finish={finish}", "-a", "x,y,z"]


class PlotMotionParams(Interface):
    """A PNG plot of realignment parameters: mcflirt's ``.par`` (in_source
    "fsl") or SPM's ``rp_*.txt`` ("spm"); rotations, translations, or
    mcflirt's mean displacements (``_abs.rms``, ``_rel.rms``)."""

    executable = "fsl_tsplot"
    family = FSL

    class Inputs(FSLInputs):
        in_file = _series("motion parameters (text file(s))")
        in_source = Enum("spm", "fsl", mandatory=True,
                         desc="program that wrote the parameters: its column order")
        plot_type = Enum("rotations", "translations", "displacement", mandatory=True,
                         argstr="%s", formatter=_motion_plot, desc="what to plot")
        plot_size = _plot_size()
        out_file = OutputFile(argstr="-o %s", name_source="in_file",
                              name_template="%s_rot.png",
                              name_template_if={("plot_type", "translations"): "%s_trans.png",
                                                ("plot_type", "displacement"): "%s_disp.png"},
                              desc="the plot (PNG)")
