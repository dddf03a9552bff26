"""The Connectome Workbench family: ``wb_command`` on PATH."""

from ..base import Family

__all__ = ["WORKBENCH"]

WORKBENCH = Family(
    "workbench",
    package_hint="Install Connectome Workbench (Debian: apt-get install "
                 "connectome-workbench; or https://www.humanconnectome.org/software).",
    image_extension=".nii",  # working files: uncompressed is several times faster
    image_formats=(".nii", ".nii.gz"),
    version_args=("-version",),
)
