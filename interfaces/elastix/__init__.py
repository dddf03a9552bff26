"""elastix and transformix: intensity-based registration driven by parameter files.

Offers :class:`elastix` (register a moving image to a fixed one) and
:class:`transformix` (apply a transform: resampled image, deformation field,
Jacobian determinant and matrix).  Parameter files can be given as paths or
as Python dicts (written for the run); :func:`parameter_map` gives sensible
defaults for rigid, affine and B-spline registration, and
:func:`read_parameter_file` / :func:`write_parameter_file` convert between the
two.  :func:`ras_affine` turns a rigid or affine result into a 4x4 matrix in
NIfTI (RAS) world coordinates.
"""

from .family import ELASTIX
from .parameters import parameter_map, ras_affine, read_parameter_file, write_parameter_file
from .tools import elastix, transformix

__all__ = ["elastix", "transformix", "parameter_map", "read_parameter_file",
           "write_parameter_file", "ras_affine", "ELASTIX"]
