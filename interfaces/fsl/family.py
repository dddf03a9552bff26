"""The FSL family: where FSL's programs live, what they write, what they read.

* Executables come from ``$FSLDIR/bin`` first, then ``PATH``.
* The version is read from ``$FSLDIR/etc/fslversion`` when first asked for.
* ``FSLOUTPUTTYPE`` (``NIFTI``, ``NIFTI_GZ``, ``NIFTI_PAIR``,
  ``NIFTI_PAIR_GZ``; ``NIFTI_GZ`` when unset, as FSL) decides the extension
  of image outputs and is pinned in the tools' environment so that they write
  the names we expect.  Every interface's ``output_type`` input overrides it
  for one run.  An image output named with another image extension, or none,
  is written (and looked for) under the output type's.
* FSL reads NIfTI-1 and Analyze: an MGZ, MINC or NIfTI-2 input is passed as a
  converted NIfTI-1 temporary.
"""

from ..base import Enum, Family, InputSpec

__all__ = ["FSL", "OUTPUT_TYPES", "FSLInputs"]

#: ``FSLOUTPUTTYPE`` values and the extension of the image files they give.
OUTPUT_TYPES = {
    "NIFTI": ".nii",
    "NIFTI_GZ": ".nii.gz",
    "NIFTI_PAIR": ".img",
    "NIFTI_PAIR_GZ": ".img.gz",
}

FSL = Family(
    "fsl",
    home_env="FSLDIR",
    package_hint=(
        "Install FSL (https://fsl.fmrib.ox.ac.uk/fsl/docs/#/install/index) and set "
        "FSLDIR to its folder, or put its bin folder on PATH."
    ),
    output_type_env="FSLOUTPUTTYPE",
    output_types=OUTPUT_TYPES,
    default_output_type="NIFTI_GZ",
    # FSL writes `out`, `out.nii` and `out.img` alike as out + FSLOUTPUTTYPE's extension
    output_type_renames=True,
    # imagecache format tokens: a NIfTI-1 (single file or pair) or Analyze
    # file is passed as is; anything else becomes a NIfTI-1 .nii temporary.
    image_formats=("nifti1", "analyze"),
    version_file="etc/fslversion",
    version_args=None,  # FSL's programs have no --version; some wait on stdin
)


class FSLInputs(InputSpec):
    """Inputs every FSL tool has: the output type of this run."""

    output_type = Enum(
        *OUTPUT_TYPES, selects_output_type=True,
        desc="format of the image outputs of this run (default: $FSLOUTPUTTYPE, "
             "else NIFTI_GZ)",
    )
