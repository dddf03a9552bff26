"""The elastix family: ``elastix`` and ``transformix`` on PATH."""

from ..base import Family

__all__ = ["ELASTIX"]

ELASTIX = Family(
    "elastix",
    package_hint="Install elastix (Debian: apt-get install elastix; or the binaries "
                 "from https://elastix.dev) and put it on PATH.",
    image_formats=(".nii", ".nii.gz"),
)
