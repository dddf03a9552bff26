"""Wrappers of elastix and transformix: declarations only."""

from traits.api import Dict

from ..base import (
    Bool, Enum, File, Image, InputSpec, Int, Interface, List, OutputDirectory, OutputSpec,
)
from .family import ELASTIX
from .parameters import read_parameter_file, write_parameter_file

__all__ = ["elastix", "transformix"]


def _parameter_file(**metadata):
    """A parameter file: a path, or a dict written as one for the run."""
    return File(writer=write_parameter_file, suffix=".txt", **metadata)


def _in_out_dir(template, **metadata):
    """A file the tool writes inside its output folder (``out_dir``)."""
    return dict(name_source="out_dir", name_template=template, **metadata)


class elastix(Interface):
    """Register a moving image to a fixed image, one stage per parameter file.

    Results are in ``out_dir`` (created for the tool): the transform
    parameter files (as paths and as dicts), the result image of each stage
    that writes one, and ``elastix.log``.
    """

    executable = "elastix"
    family = ELASTIX

    class Inputs(InputSpec):
        fixed_image = Image(argstr="-f %s", mandatory=True, position=0, desc="fixed image")
        moving_image = Image(argstr="-m %s", mandatory=True, position=1, desc="moving image")
        parameters = List(_parameter_file(), argstr="-p %s...", mandatory=True, minlen=1,
                          desc="parameter files or dicts, one per stage, applied in order")
        out_dir = OutputDirectory(argstr="-out %s", name_source="moving_image",
                                  name_template="%s_elastix", desc="output folder")
        fixed_mask = Image(argstr="-fMask %s", desc="mask of the fixed image")
        moving_mask = Image(argstr="-mMask %s", desc="mask of the moving image")
        initial_transform = _parameter_file(argstr="-t0 %s",
                                            desc="initial transform parameter file or dict")
        threads = Int(argstr="-threads %d", desc="maximum number of threads")
        priority = Enum("high", "abovenormal", "normal", "belownormal", "idle",
                        argstr="-priority %s", desc="process priority (Windows only)")

    class Outputs(OutputSpec):
        transform_parameter_files = List(
            File(), **_in_out_dir("TransformParameters.*.txt"),
            desc="TransformParameters.<stage>.txt, in stage order")
        transform_parameters = List(
            Dict(), **_in_out_dir("TransformParameters.*.txt"), reader=read_parameter_file,
            desc="the same, read as dicts (the last is the whole transform)")
        result_images = List(
            Image(), **_in_out_dir("result.*.nii*"),
            desc="result image of each stage that writes one (NIfTI), in stage order")
        log_file = File(**_in_out_dir("elastix.log"), desc="elastix's log")


class transformix(Interface):
    """Apply an elastix transform: resample an image, and compute the
    deformation field, the Jacobian determinant or matrix, or transformed points.
    """

    executable = "transformix"
    family = ELASTIX

    class Inputs(InputSpec):
        transform_parameters = _parameter_file(
            argstr="-tp %s", mandatory=True,
            desc="transform parameter file (e.g. TransformParameters.0.txt) or dict")
        in_image = Image(argstr="-in %s", desc="image to resample")
        out_dir = OutputDirectory(argstr="-out %s", name_template="transformix",
                                  desc="output folder")
        deformation_field = Bool(argstr="-def all", xor=["points"],
                                 desc="write the deformation field of every voxel")
        points = File(argstr="-def %s", xor=["deformation_field"],
                      desc="points file to transform (writes outputpoints.txt)")
        jacobian = Bool(argstr="-jac all", desc="write the Jacobian determinant image")
        jacobian_matrix = Bool(argstr="-jacmat all", desc="write the Jacobian matrix image")
        threads = Int(argstr="-threads %d", desc="maximum number of threads")
        priority = Enum("high", "abovenormal", "normal", "belownormal", "idle",
                        argstr="-priority %s", desc="process priority (Windows only)")

    class Outputs(OutputSpec):
        result_image = Image(**_in_out_dir("result.nii*"), requires=["in_image"],
                             desc="the resampled image")
        deformation_field = Image(**_in_out_dir("deformationField.nii*"),
                                  requires=["deformation_field"], desc="deformation field")
        jacobian = Image(**_in_out_dir("spatialJacobian.nii*"), requires=["jacobian"],
                         desc="Jacobian determinant image")
        jacobian_matrix = Image(**_in_out_dir("fullSpatialJacobian.nii*"),
                                requires=["jacobian_matrix"], desc="Jacobian matrix image")
        output_points = File(**_in_out_dir("outputpoints.txt"), requires=["points"],
                             desc="the transformed points")
        log_file = File(**_in_out_dir("transformix.log"), desc="transformix's log")
