"""Time series and statistics: fslmeants, smoothest, avscale,
fsl_motion_outliers, fsl_regfilt.

Declarations only; option names are nipype's.  Text outputs are parsed where
nipype parses them (smoothest, avscale) and where the numbers are the point
(fslmeants' ``timeseries``, fsl_motion_outliers' ``metric_values``).
"""

from __future__ import annotations

import numpy as np
from traits.api import Any

from ..base import (
    Bool, Enum, File, Float, Image, Int, Interface, List, OutputFile, OutputImage,
    OutputSpec,
)
from .family import FSL, FSLInputs

__all__ = ["fslmeants", "smoothest", "avscale", "fsl_motion_outliers", "fsl_regfilt",
           "parse_avscale", "read_numbers"]


def read_numbers(path: str) -> list:
    """A text file of numbers as a list of rows (of floats); one column as
    a flat list."""
    values = np.loadtxt(path, ndmin=2)
    return values[:, 0].tolist() if values.shape[1] == 1 else values.tolist()


def _numbers_of(source, desc):
    """The text output ``source`` read back as numbers (same path)."""
    return Any(name_source=source, name_template="%s", keep_extension=True,
               reader=read_numbers, desc=desc)


class fslmeants(Interface):
    """Mean time series of the voxels in a mask, or at a coordinate
    (``timeseries``: the numbers; ``out_file``: the text file)."""

    executable = "fslmeants"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", position=0, mandatory=True, desc="4D image")
        out_file = OutputFile(argstr="-o %s", name_source="in_file",
                              name_template="%s_ts.txt", desc="text file of the series")
        mask = Image(argstr="-m %s", desc="mask: the mean over its voxels")
        spatial_coord = List(Int(), argstr="-c %s", desc="voxel coordinate (x y z)")
        use_mm = Bool(argstr="--usemm", desc="spatial_coord in mm, not voxels")
        show_all = Bool(argstr="--showall",
                        desc="every voxel's series, with its coordinates first")
        eig = Bool(argstr="--eig", desc="the eigenvariate(s), not the mean")
        order = Int(1, argstr="--order=%d", usedefault=True,
                    desc="number of eigenvariates (with eig)")
        nobin = Bool(argstr="--no_bin", desc="weight by the mask's values (no binarising)")
        transpose = Bool(argstr="--transpose", desc="one row per time point")

    class Outputs(OutputSpec):
        timeseries = _numbers_of("out_file", "the series, as numbers")


def _field(prefix):
    """The value printed after ``prefix`` on one line of smoothest's output."""
    return rf"(?m)^{prefix}\s+(\S+)"


class smoothest(Interface):
    """Smoothness of a residual or statistic image, for cluster inference:
    ``dlh``, ``volume``, ``resels`` (numbers read from its output)."""

    executable = "smoothest"
    family = FSL

    class Inputs(FSLInputs):
        dof = Int(argstr="--dof=%d", mandatory=True, xor=["zstat_file"],
                  desc="degrees of freedom of residual_fit_file")
        mask_file = Image(argstr="--mask=%s", mandatory=True, desc="brain mask")
        residual_fit_file = Image(argstr="--res=%s", requires=["dof"],
                                  desc="residuals (4D), with dof")
        zstat_file = Image(argstr="--zstat=%s", xor=["dof"], desc="z-statistic image")

    class Outputs(OutputSpec):
        dlh = Float(from_stdout=_field("DLH"),
                    desc="smoothness estimate, sqrt(det(Lambda))")
        volume = Int(from_stdout=_field("VOLUME"), desc="voxels in the mask")
        resels = Float(from_stdout=_field("RESELS"), desc="voxels per resel")


def parse_avscale(stdout: str) -> dict:
    """avscale's printout as numbers: ``{"Rotation & Translation Matrix":
    4x4 list, "Scales (x,y,z)": [3 floats], "Left-Right orientation":
    "preserved", ...}`` -- a matrix for a heading line ending with ``:`` or
    ``=``, else the numbers (or word) after ``=`` or ``:``."""
    out: dict = {}
    lines = [line.strip() for line in stdout.splitlines()]
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if line.endswith((":", "=")):  # a 4x4 matrix follows
            rows = []
            while i < len(lines) and lines[i] and _all_numbers(lines[i]):
                rows.append([float(v) for v in lines[i].split()])
                i += 1
            out[line.rstrip(":=").strip()] = rows
            continue
        key, sep, value = line.partition("=") if "=" in line else line.partition(":")
        if sep:
            words = value.split()
            out[key.strip()] = [float(v) for v in words] if _all_numbers(value) else value.strip()
    return out


def _all_numbers(text: str) -> bool:
    try:
        [float(v) for v in text.split()]
    except ValueError:
        return False
    return bool(text.split())


def _avscale(key, convert=None):
    def parse(stdout):
        value = parse_avscale(stdout).get(key)
        return value if convert is None or value is None else convert(value)
    return parse


class avscale(Interface):
    """Decompose an affine matrix (flirt's) into rotations, translations,
    scales and skews, returned as numbers."""

    executable = "avscale"
    family = FSL

    class Inputs(FSLInputs):
        all_param = Bool(argstr="--allparams",
                         desc="also the rotation angles and translations")
        mat_file = File(argstr="%s", position=-2, mandatory=True, desc="matrix to decompose")
        ref_file = Image(argstr="%s", position=-1,
                         desc="reference image (the centre of rotation)")

    class Outputs(OutputSpec):
        rotation_translation_matrix = Any(
            from_stdout=_avscale("Rotation & Translation Matrix"), desc="4x4, rows")
        scales = Any(from_stdout=_avscale("Scales (x,y,z)"), desc="x, y, z")
        skews = Any(from_stdout=_avscale("Skews (xy,xz,yz)"), desc="xy, xz, yz")
        average_scaling = Any(from_stdout=_avscale("Average scaling", lambda v: v[0]),
                              desc="average scaling")
        determinant = Any(from_stdout=_avscale("Determinant", lambda v: v[0]),
                          desc="determinant of the matrix")
        left_right_orientation_preserved = Any(
            from_stdout=_avscale("Left-Right orientation", lambda v: v == "preserved"),
            desc="True when the matrix keeps left and right")
        forward_half_transform = Any(from_stdout=_avscale("Forward half transform"),
                                     desc="4x4, rows")
        backward_half_transform = Any(from_stdout=_avscale("Backward half transform"),
                                      desc="4x4, rows")
        rot_angles = Any(from_stdout=_avscale("Rotation Angles (x,y,z) [rads]"),
                         optional=True, desc="radians, with all_param")
        translations = Any(from_stdout=_avscale("Translations (x,y,z) [mm]"),
                           optional=True, desc="mm, with all_param")


class fsl_motion_outliers(Interface):
    """Outlier volumes of a time series (motion or intensity metrics): the
    confound matrix ``out_file``, the metric per volume and its plot."""

    executable = "fsl_motion_outliers"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", mandatory=True, desc="4D time series")
        out_file = OutputFile(argstr="-o %s", name_source="in_file",
                              name_template="%s_outliers.txt",
                              desc="confound matrix, one column per outlier")
        mask = Image(argstr="-m %s", desc="mask for the metric")
        metric = Enum("refrms", "dvars", "refmse", "fd", "fdrms", argstr="--%s",
                      desc="metric (default refrms)")
        threshold = Float(argstr="--thresh=%g", desc="threshold (default: box-plot)")
        no_motion_correction = Bool(argstr="--nomoco", desc="no motion correction first")
        dummy = Int(argstr="--dummy=%d", desc="initial volumes to ignore")
        out_metric_values = OutputFile(argstr="-s %s", name_source="in_file",
                                       name_template="%s_metrics.txt",
                                       desc="metric per volume (text)")
        out_metric_plot = OutputFile(argstr="-p %s", name_source="in_file",
                                     name_template="%s_metrics.png", desc="plot (png)")

    class Outputs(OutputSpec):
        metric_values = _numbers_of("out_metric_values", "metric per volume, as numbers")


def _all_columns(value, values):
    """-f 1,2,...,n: every column of the design (nipype reads it too)."""
    design = np.loadtxt(values["design_file"], ndmin=2)
    return ["-f", ",".join(str(i) for i in range(1, design.shape[1] + 1))]


class fsl_regfilt(Interface):
    """Regress columns of a design (e.g. melodic's noise components) out of
    a time series."""

    executable = "fsl_regfilt"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", position=1, mandatory=True, desc="4D time series")
        out_file = OutputImage(argstr="-o %s", position=2, name_source="in_file",
                               name_template="%s_regfilt", desc="filtered series")
        design_file = File(argstr="-d %s", position=3, mandatory=True,
                           desc="design matrix (text, one column per regressor)")
        filter_columns = List(Int(), argstr="-f %s", sep=",", position=4, mandatory=True,
                              xor=["filter_all"], desc="columns to regress out (from 1)")
        filter_all = Bool(position=4, mandatory=True, xor=["filter_columns"],
                          formatter=_all_columns, desc="regress out every column")
        mask = Image(argstr="-m %s", desc="mask")
        var_norm = Bool(argstr="--vn", desc="variance-normalise the series")
        out_vnscales = Bool(argstr="--out_vnscales",
                            desc="write the scaling factors of var_norm")
