"""dcm2niix: DICOM to NIfTI, with BIDS JSON sidecars.

Offers :class:`dcm2niix`: a folder of DICOM files in; the NIfTI images (as
images), their JSON sidecars (as dicts and as paths) and any ``.bval`` /
``.bvec`` files out, from a folder created for the run.
"""

from .tools import DCM2NIIX, dcm2niix

__all__ = ["dcm2niix", "DCM2NIIX"]
