"""The NiftyReg family: executables from the ``niftyreg`` Python package."""

from __future__ import annotations

from ..base import Family
from ..base.matrices import read_matrix, write_matrix

__all__ = ["NIFTYREG", "read_affine", "write_affine"]


def _package_bin():
    # The PyPI package compiles the tools into its own folder, not onto PATH.
    import niftyreg

    return [niftyreg.bin_path]


NIFTYREG = Family(
    "niftyreg",
    package_hint=(
        "Install NiftyReg: CMAKE_POLICY_VERSION_MINIMUM=3.5 pip install niftyreg "
        "(or pip install 'imageshell[tools]'; it compiles for ~2 minutes)."
    ),
    bin_dirs=_package_bin,
    image_extension=".nii",  # working files: uncompressed is several times faster
    image_formats=(".nii", ".nii.gz", ".img"),  # NIfTI-1 pairs and Analyze too
)


# NiftyReg's text affines: ``Affine x Reference = Floating``, world millimetres.
write_affine = write_matrix
read_affine = read_matrix
