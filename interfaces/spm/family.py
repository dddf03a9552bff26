"""The SPM family: scripts run by an engine, images as uncompressed NIfTI."""

from ..base import Family
from .engines import missing_hint

class _SPMFamily(Family):
    def missing_message(self, executable: str) -> str:
        return missing_hint()  # the engine is missing, not a program named "spm"


SPM = _SPMFamily(
    "spm",
    package_hint=missing_hint(),
    # SPM reads uncompressed NIfTI-1 and Analyze only: anything else (.nii.gz,
    # in-memory images) arrives as a .nii temporary.
    image_formats=(".nii", ".img"),
    image_extension=".nii",
    version_args=None,  # asking means starting MATLAB: never just to list
)
