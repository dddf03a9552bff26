"""elastix parameter files as Python dicts, and transforms as matrices.

A parameter file is a list of ``(Name value ...)`` lines; as a dict, each
name maps to a value or a list of values: strings are quoted when written,
numbers are not, booleans become ``"true"``/``"false"``.
"""

from __future__ import annotations

import math
import re

__all__ = ["parameter_map", "read_parameter_file", "write_parameter_file", "ras_affine"]

_COMMON = {
    "FixedInternalImagePixelType": "float",
    "MovingInternalImagePixelType": "float",
    "Registration": "MultiResolutionRegistration",
    "Interpolator": "BSplineInterpolator",
    "ResampleInterpolator": "FinalBSplineInterpolator",
    "Resampler": "DefaultResampler",
    "FixedImagePyramid": "FixedSmoothingImagePyramid",
    "MovingImagePyramid": "MovingSmoothingImagePyramid",
    "Optimizer": "AdaptiveStochasticGradientDescent",
    "Metric": "AdvancedMattesMutualInformation",
    "NumberOfHistogramBins": 32,
    "ImageSampler": "RandomCoordinate",
    "NumberOfSpatialSamples": 2048,
    "NewSamplesEveryIteration": True,
    "BSplineInterpolationOrder": 1,
    "FinalBSplineInterpolationOrder": 3,
    "DefaultPixelValue": 0,
    "HowToCombineTransforms": "Compose",
    "WriteResultImage": True,
    # NIfTI and float, so that results load with nibabel unchanged.
    "ResultImageFormat": "nii",
    "ResultImagePixelType": "float",
}

_KINDS = {
    "translation": {"Transform": "TranslationTransform", "NumberOfResolutions": 3,
                    "MaximumNumberOfIterations": 250, "AutomaticTransformInitialization": True},
    "rigid": {"Transform": "EulerTransform", "NumberOfResolutions": 3,
              "MaximumNumberOfIterations": 250, "AutomaticScalesEstimation": True,
              "AutomaticTransformInitialization": True},
    "affine": {"Transform": "AffineTransform", "NumberOfResolutions": 3,
               "MaximumNumberOfIterations": 250, "AutomaticScalesEstimation": True,
               "AutomaticTransformInitialization": True},
    "bspline": {"Transform": "BSplineTransform", "NumberOfResolutions": 3,
                "MaximumNumberOfIterations": 250, "FinalGridSpacingInPhysicalUnits": 10.0,
                "Metric": ["AdvancedMattesMutualInformation", "TransformBendingEnergyPenalty"],
                "Metric0Weight": 1.0, "Metric1Weight": 1.0},
}


def parameter_map(kind: str = "rigid", **overrides) -> dict:
    """A parameter map for one registration stage, as a dict.

    Parameters
    ----------
    kind : {"translation", "rigid", "affine", "bspline"}
    **overrides
        Parameters to set or replace, e.g. ``Metric="AdvancedMeanSquares"``,
        ``NumberOfResolutions=2``.  ``None`` removes a parameter.

    Returns
    -------
    dict
        Ready to pass in ``elastix(parameters=[...])``.
    """
    try:
        specific = _KINDS[kind]
    except KeyError:
        raise ValueError(
            f"parameter_map: unknown kind {kind!r}; use one of {', '.join(_KINDS)}."
        ) from None
    out = dict(_COMMON)
    out.update(specific)
    for key, value in overrides.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _format_value(value) -> str:
    if isinstance(value, bool):
        return '"true"' if value else '"false"'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"elastix parameters must be finite numbers, got {value!r}")
        return repr(value)
    if hasattr(value, "item") and getattr(value, "shape", None) == ():  # numpy scalar
        return _format_value(value.item())
    text = str(value)
    if '"' in text or "\n" in text:
        raise ValueError(f"elastix parameter values cannot hold quotes or newlines: {text!r}")
    return f'"{text}"'


def write_parameter_file(parameters: dict, path) -> None:
    """Write a parameter map (dict) as an elastix parameter file at ``path``."""
    if not isinstance(parameters, dict):
        raise TypeError(
            f"an elastix parameter map must be a dict (or a file path), got "
            f"{type(parameters).__name__}"
        )
    lines = []
    for key, value in parameters.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(key)):
            raise ValueError(f"invalid elastix parameter name {key!r}")
        values = value if isinstance(value, (list, tuple)) else [value]
        if hasattr(value, "tolist") and getattr(value, "shape", ()) != ():
            values = value.tolist()
        lines.append(f"({key} {' '.join(_format_value(v) for v in values)})")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def _parse_token(token: str):
    try:
        return int(token)
    except ValueError:
        pass
    try:
        return float(token)
    except ValueError:
        return token


def read_parameter_file(path) -> dict:
    """Read an elastix parameter file (e.g. ``TransformParameters.0.txt``) as a dict.

    Quoted values are strings, others numbers; a parameter with several
    values is a list.  Comments (``//``) are ignored.
    """
    out = {}
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.split("//", 1)[0].strip()
            if not (line.startswith("(") and line.endswith(")")):
                continue
            tokens = _TOKEN.findall(line[1:-1])  # (quoted, bare) pairs
            if not tokens or not tokens[0][1]:
                continue
            key = tokens[0][1]
            values = [q if not bare else _parse_token(bare) for q, bare in tokens[1:]]
            out[key] = values[0] if len(values) == 1 else values
    return out


def _rotation(ax: float, ay: float, az: float, zyx: bool):
    import numpy as np

    cx, sx, cy, sy, cz, sz = (math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay),
                              math.cos(az), math.sin(az))
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    # ITK's Euler3DTransform: R = Rz Rx Ry, or Rz Ry Rx with ComputeZYX.
    return rz @ ry @ rx if zyx else rz @ rx @ ry


def ras_affine(parameters):
    """The 4x4 matrix, in NIfTI (RAS) world millimetres, of a translation,
    rigid (Euler) or affine elastix transform.

    Like NiftyReg's affines, it maps fixed-image world coordinates to
    moving-image world coordinates (elastix transforms map fixed points to
    moving points; ITK works in LPS, hence the sign flips).

    Parameters
    ----------
    parameters : dict or path
        A transform parameter map, e.g. ``result.outputs.transform_parameters[-1]``.

    Returns
    -------
    numpy.ndarray
        Shape (4, 4).
    """
    import numpy as np

    if not isinstance(parameters, dict):
        parameters = read_parameter_file(parameters)
    kind = parameters.get("Transform")
    p = np.atleast_1d(np.asarray(parameters["TransformParameters"], dtype=float))
    center = np.atleast_1d(np.asarray(parameters.get("CenterOfRotationPoint", [0, 0, 0]),
                                      dtype=float))
    if kind == "EulerTransform":
        matrix = _rotation(*p[:3], zyx=str(parameters.get("ComputeZYX", "false")) == "true")
        translation = p[3:6]
    elif kind == "AffineTransform":
        matrix, translation = p[:9].reshape(3, 3), p[9:12]
    elif kind == "TranslationTransform":
        matrix, translation, center = np.eye(3), p[:3], np.zeros(3)
    else:
        raise ValueError(
            f"ras_affine: {kind!r} is not a matrix transform (use Euler, Affine or "
            f"Translation; apply others with transformix)."
        )
    lps = np.eye(4)
    lps[:3, :3] = matrix
    lps[:3, 3] = translation + center - matrix @ center
    flip = np.diag([-1.0, -1.0, 1.0, 1.0])
    return flip @ lps @ flip
