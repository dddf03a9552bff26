"""Points and warp files outside registration: img2imgcoord, img2stdcoord,
std2imgcoord move coordinates with flirt's matrices and fnirt's warps;
fnirtfileutils converts fnirt's warp files (coefficients <-> fields,
Jacobians).

Declarations only; option names are nipype's.  The coordinate tools print
the points they compute: ``out_file`` holds them as a text file of three
columns (nipype's ``out_file``) and ``coordinates`` as an (N, 3) array.
``in_coords`` is a text file of coordinates, one point per line, or an
(N, 3) array (written to a file for the run); nipype's conversions of
``.vtk`` and ``.trk`` point sets are pure Python and not part of FSL (see
docs/fsl.rst).
"""

from __future__ import annotations

import numpy as np
from traits.api import Any

from ..base import (
    Bool, Enum, File, Float, Image, Int, Interface, OutputFile, OutputImage, OutputSpec,
    Tuple, exclusive,
)
from .family import FSL, FSLInputs

__all__ = ["img2imgcoord", "img2stdcoord", "std2imgcoord", "fnirtfileutils",
           "read_coordinates"]


def _write_coordinates(value, path) -> None:
    """Points given as an array, one per line, for the tool to read."""
    np.savetxt(path, np.asarray(value, dtype=float).reshape(-1, 3), fmt="%.6f")


def _points_only(stdout: str) -> str:
    """The printed points without the heading img2imgcoord prints first
    ("Coordinates in Destination volume (in mm)")."""
    lines = []
    for line in stdout.splitlines():
        words = line.split()
        try:
            values = [float(w) for w in words]
        except ValueError:
            continue
        if len(values) == 3:
            lines.append(" ".join(words) + "\n")
    return "".join(lines)


def read_coordinates(path: str) -> np.ndarray:
    """A text file of points (three numbers a line) as an (N, 3) array."""
    with open(path, encoding="utf-8") as fh:
        rows = [[float(v) for v in line.split()] for line in fh if line.strip()]
    return np.array(rows, dtype=float).reshape(-1, 3)


class _CoordInputs(FSLInputs):
    """What the three coordinate tools share (nipype's WarpPointsBaseInputSpec)."""

    groups = (exclusive("xfm_file", "warp_file"), exclusive("coord_vox", "coord_mm"))
    in_coords = File(argstr="%s", position=-1, mandatory=True, writer=_write_coordinates,
                     suffix=".txt",
                     desc="points, one per line (a text file), or an (N, 3) array")
    xfm_file = File(argstr="-xfm %s", desc="affine matrix (e.g. source2dest.mat)")
    warp_file = Image(argstr="-warp %s",
                      desc="warp field (e.g. intermediate2dest_warp.nii.gz)")
    coord_vox = Bool(argstr="-vox", desc="coordinates in voxels (the tools' default)")
    coord_mm = Bool(argstr="-mm", desc="coordinates in mm")
    out_file = OutputFile(name_source="in_coords", name_template="%s_warped",
                          keep_extension=True, printed=_points_only,
                          desc="the points the tool printed, one per line")


class _CoordOutputs(OutputSpec):
    coordinates = Any(name_source="out_file", name_template="%s", keep_extension=True,
                      reader=read_coordinates, desc="the points, an (N, 3) array")


class img2imgcoord(Interface):
    """Points of a source image in a destination image's space, through a
    flirt matrix or a fnirt warp (``coordinates``: an (N, 3) array)."""

    executable = "img2imgcoord"
    family = FSL

    class Inputs(_CoordInputs):
        src_file = Image(argstr="-src %s", mandatory=True, desc="source image")
        dest_file = Image(argstr="-dest %s", mandatory=True, desc="destination image")

    Outputs = _CoordOutputs


class img2stdcoord(Interface):
    """Points of an image in standard space (mm), through a flirt matrix or
    a fnirt warp (``coordinates``: an (N, 3) array)."""

    executable = "img2stdcoord"
    family = FSL

    class Inputs(_CoordInputs):
        img_file = Image(argstr="-img %s", mandatory=True, desc="the points' image")
        std_file = Image(argstr="-std %s", mandatory=True, desc="standard-space image")
        premat_file = File(argstr="-premat %s",
                           desc="affine matrix before the warp (e.g. "
                                "example_func2highres.mat)")

    Outputs = _CoordOutputs


class std2imgcoord(Interface):
    """Points in standard space (mm) in an image's space, through a flirt
    matrix or a fnirt warp (``coordinates``: an (N, 3) array)."""

    executable = "std2imgcoord"
    family = FSL

    class Inputs(_CoordInputs):
        img_file = Image(argstr="-img %s", mandatory=True, desc="destination image")
        std_file = Image(argstr="-std %s", mandatory=True, desc="standard-space image")

    Outputs = _CoordOutputs


class fnirtfileutils(Interface):
    """Convert fnirt's warp files: coefficients to a field (``out_format``
    field, the default), a field or coefficients to coefficients of another
    resolution (spline); optionally the Jacobian determinants."""

    executable = "fnirtfileutils"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="--in=%s", mandatory=True,
                        desc="warp coefficients or field (fnirt's --cout or --fout)")
        reference = Image(argstr="--ref=%s", mandatory=True,
                          desc="image in the warp's target space (fnirt's --ref)")
        out_format = Enum("spline", "field", argstr="--outformat=%s",
                          desc="field (default): a 4D field; spline: coefficients")
        warp_resolution = Tuple(Float(), Float(), Float(),
                                argstr="--warpres=%0.4f,%0.4f,%0.4f",
                                desc="knot spacing (mm) of the spline output")
        knot_space = Tuple(Int(), Int(), Int(), argstr="--knotspace=%d,%d,%d",
                           desc="knot spacing (voxels) of the spline output")
        out_file = OutputImage(argstr="--out=%s", position=-1, name_source="in_file",
                               name_template="%s_field",
                               name_template_if={("out_format", "spline"): "%s_coeffs"},
                               desc="the converted warp")
        write_jacobian = Bool(False, usedefault=True,
                              desc="write the Jacobian determinants (out_jacobian) under "
                                   "its default name")
        out_jacobian = OutputImage(argstr="--jac=%s", name_source="in_file",
                                   name_template="%s_jac", generate="write_jacobian",
                                   desc="Jacobian determinants (a path, or True)")
        with_affine = Bool(argstr="--withaff",
                           desc="include fnirt's affine matrix in the output")
