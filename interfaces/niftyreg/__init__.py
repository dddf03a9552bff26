"""NiftyReg: rigid, affine and free-form registration, resampling, transforms.

Offers :class:`reg_aladin` (rigid/affine, block matching), :class:`reg_f3d`
(free-form deformation), :class:`reg_resample`, :class:`reg_transform`,
:class:`reg_measure` (similarity values, parsed) and :class:`reg_jacobian`.
The executables are found in the installed ``niftyreg`` Python package
(``niftyreg.bin_path``), then on ``PATH``.  Affine matrices can be given as
4x4 arrays; :func:`read_affine` reads the ones the tools write.
"""

from .family import NIFTYREG, read_affine, write_affine
from .tools import reg_aladin, reg_f3d, reg_jacobian, reg_measure, reg_resample, reg_transform

__all__ = ["reg_aladin", "reg_f3d", "reg_resample", "reg_transform", "reg_measure",
           "reg_jacobian", "read_affine", "write_affine", "NIFTYREG"]
