"""The NiftyReg family: executables from the ``niftyreg`` Python package."""

from __future__ import annotations

from ..base import Family

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


def write_affine(matrix, path) -> None:
    """Write a 4x4 matrix as NiftyReg's text affine (``Affine x Reference = Floating``,
    in world millimetres)."""
    import numpy as np

    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape != (4, 4):
        raise ValueError(f"an affine matrix must be 4x4, got shape {matrix.shape}")
    np.savetxt(path, matrix, fmt="%.10g")


def read_affine(path):
    """Read a NiftyReg text affine (4x4, maps reference world to floating world)."""
    import numpy as np

    return np.loadtxt(path).reshape(4, 4)
