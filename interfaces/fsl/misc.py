"""More tools nipype wraps: fslslice, fslpspec, distancemap,
find_the_biggest, sigloss, Text2Vest, Vest2Text, eddy_correct.

Declarations only; option names are nipype's.
"""

from ..base import (
    Bool, Enum, File, Float, Image, Int, Interface, List, OutputFile, OutputImage,
    OutputPrefix, OutputSpec,
)
from .family import FSL, FSLInputs

__all__ = ["fslslice", "fslpspec", "distancemap", "find_the_biggest", "sigloss",
           "Text2Vest", "Vest2Text", "eddy_correct"]


class fslslice(Interface):
    """Split a 3D image into one image per axial slice (``out_files``)."""

    executable = "fslslice"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="3D image")
        out_base_name = OutputPrefix(argstr="%s", position=1, name_source="in_file",
                                     name_template="%s",
                                     desc="prefix of the slices (default: in_file's name)")

    class Outputs(OutputSpec):
        out_files = List(Image(), name_source="out_base_name", name_template="%s_slice_*",
                         desc="the slices, in order")


class fslpspec(Interface):
    """Power spectrum of each voxel's time series."""

    executable = "fslpspec"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="4D time series")
        out_file = OutputImage(argstr="%s", position=1, name_source="in_file",
                               name_template="%s_ps", desc="power spectra (4D)")


class distancemap(Interface):
    """Distance of each voxel to the nearest non-zero voxel of an image."""

    executable = "distancemap"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="--in=%s", mandatory=True,
                        desc="image: distances to its non-zero voxels")
        mask_file = Image(argstr="--mask=%s", desc="only inside this mask")
        invert_input = Bool(argstr="--invert", desc="distances to the zero voxels instead")
        local_max_file = OutputImage(argstr="--localmax=%s", name_source="in_file",
                                     name_template="%s_lclmax", keep_extension=True,
                                     generate=False,
                                     desc="local maxima of the distances (a path, or True)")
        distance_map = OutputImage(argstr="--out=%s", name_source="in_file",
                                   name_template="%s_dstmap", keep_extension=True,
                                   desc="distance map (mm)")


class find_the_biggest(Interface):
    """Label each voxel with the index (from 1) of the input with the biggest
    value there (e.g. probtrackx's seeds_to_* images)."""

    executable = "find_the_biggest"
    family = FSL

    class Inputs(FSLInputs):
        in_files = List(Image(), argstr="%s", position=0, mandatory=True, minlen=1,
                        desc="images to compare")
        out_file = OutputImage(argstr="%s", position=2, name_template="biggestSegmentation",
                               desc="index image")


class sigloss(Interface):
    """Estimated signal loss from a field map (in rad/s)."""

    executable = "sigloss"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", mandatory=True, desc="field map (rad/s)")
        out_file = OutputImage(argstr="-s %s", name_source="in_file",
                               name_template="%s_sigloss", desc="signal loss estimate")
        mask_file = Image(argstr="-m %s", desc="brain mask")
        echo_time = Float(argstr="--te=%f", desc="echo time, s")
        slice_direction = Enum("x", "y", "z", argstr="-d %s", desc="slicing direction")


class Text2Vest(Interface):
    """A text matrix (one row per line) as an FSL VEST file (``.mat``,
    ``.con``)."""

    executable = "Text2Vest"
    family = FSL

    class Inputs(FSLInputs):
        in_file = File(argstr="%s", position=0, mandatory=True, desc="text matrix")
        out_file = OutputFile(argstr="%s", position=1, mandatory=True, desc="VEST file")


class Vest2Text(Interface):
    """An FSL VEST file (``design.mat``...) as a plain text matrix."""

    executable = "Vest2Text"
    family = FSL

    class Inputs(FSLInputs):
        in_file = File(argstr="%s", position=0, mandatory=True, desc="VEST file")
        out_file = OutputFile(argstr="%s", position=1, name_template="design.txt",
                              desc="text matrix (default design.txt)")


class eddy_correct(Interface):
    """Eddy current correction by affine registration of each volume to a
    reference volume (FSL's older tool; ``eddy`` supersedes it)."""

    executable = "eddy_correct"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="4D diffusion images")
        out_file = OutputImage(argstr="%s", position=1, name_source="in_file",
                               name_template="%s_edc", desc="corrected images")
        ref_num = Int(0, argstr="%d", position=2, mandatory=True, usedefault=True,
                      desc="reference volume (from 0)")

    class Outputs(OutputSpec):
        eddy_corrected = Image(name_source="out_file", name_template="%s", keep_extension=True,
                               desc="corrected images (nipype's output name)")
