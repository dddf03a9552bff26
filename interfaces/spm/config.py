"""The shape SPM12's batch configuration requires of each numeric job field.

SPM's configuration (``spm_cfg_*.m``) gives each numeric entry a size,
``num = [rows cols]`` (``Inf``: any number).  A job value of another size is
not an error for SPM: it prints ``Item 'FWHM', field 'val': Size mismatch
(required [1  3], present [1  1]).`` and runs with its default instead.  So
every value is checked here before SPM starts: a single number given for a
field of one quantity per axis (smoothing FWHM, voxel sizes, wrapping,
histogram smoothing) is expanded to every axis (``fwhm=6`` -> ``[6 6 6]``);
any other shape is refused with an error naming the input -- a bounding box
needs its two corners, warping regularisation its 5 distinct terms,
tolerances their 12 parameters.

:data:`SHAPES` holds, per module (the job under ``matlabbatch{1}.spm.``),
``{field: (SPM's item name, (rows, cols))}`` with ``None`` for ``Inf``, and
:data:`PER_AXIS` as a third item where one number may stand for all.  Menus
whose values are vectors (wrapping, which images to write, ...) are listed
too: SPM takes only their exact values.
"""

from __future__ import annotations

import numbers

from ..base import InputError
from .mcode import Cell

__all__ = ["PER_AXIS", "SHAPES", "TISSUES", "conform", "shape_of", "tissue_classes"]

_ANY = None  # SPM's Inf
#: Marks a field whose numbers are one quantity per axis: one number is
#: expanded to all of them.
PER_AXIS = "per axis"

_REALIGN_ESTIMATE = {
    "eoptions.quality": ("Quality", (1, 1)),
    "eoptions.sep": ("Separation", (1, 1)),
    "eoptions.fwhm": ("Smoothing (FWHM)", (1, 1)),
    "eoptions.rtm": ("Num Passes", (1, 1)),
    "eoptions.interp": ("Interpolation", (1, 1)),
    "eoptions.wrap": ("Wrapping", (1, 3), PER_AXIS),
}
_RESLICE = {
    "roptions.interp": ("Interpolation", (1, 1)),
    "roptions.wrap": ("Wrapping", (1, 3), PER_AXIS),
    "roptions.mask": ("Masking", (1, 1)),
}
_REALIGN_WRITE = {**_RESLICE, "roptions.which": ("Resliced images", (1, 2))}
_COREG_ESTIMATE = {
    "eoptions.sep": ("Separation", (1, _ANY)),
    "eoptions.tol": ("Tolerances", (1, 12)),
    "eoptions.fwhm": ("Histogram Smoothing", (1, 2), PER_AXIS),
}
_NORMALISE_ESTIMATE = {
    "eoptions.biasreg": ("Bias regularisation", (1, 1)),
    "eoptions.biasfwhm": ("Bias FWHM", (1, 1)),
    "eoptions.reg": ("Warping Regularisation", (1, 5)),
    "eoptions.fwhm": ("Smoothness", (1, 1)),
    "eoptions.samp": ("Sampling distance", (1, 1)),
}
_NORMALISE_WRITE = {
    "woptions.bb": ("Bounding box", (2, 3)),
    "woptions.vox": ("Voxel sizes", (1, 3), PER_AXIS),
    "woptions.interp": ("Interpolation", (1, 1)),
}

#: ``{module: {field: (item name, (rows, cols)[, PER_AXIS])}}``; ``None``: any
#: number.
SHAPES: dict[str, dict[str, tuple]] = {
    "spatial.realign.estimate": _REALIGN_ESTIMATE,
    "spatial.realign.estwrite": {**_REALIGN_ESTIMATE, **_REALIGN_WRITE},
    "spatial.realign.write": _REALIGN_WRITE,
    "spatial.coreg.estimate": _COREG_ESTIMATE,
    "spatial.coreg.estwrite": {**_COREG_ESTIMATE, **_RESLICE},
    "spatial.coreg.write": _RESLICE,
    "spatial.normalise.est": _NORMALISE_ESTIMATE,
    "spatial.normalise.estwrite": {**_NORMALISE_ESTIMATE, **_NORMALISE_WRITE},
    "spatial.normalise.write": _NORMALISE_WRITE,
    "spatial.preproc": {
        "channel.biasreg": ("Bias regularisation", (1, 1)),
        "channel.biasfwhm": ("Bias FWHM", (1, 1)),
        "channel.write": ("Save Bias Corrected", (1, 2)),
        "tissue.ngaus": ("Num. Gaussians", (1, 1)),
        "tissue.native": ("Native Tissue", (1, 2)),
        "tissue.warped": ("Warped Tissue", (1, 2)),
        "warp.mrf": ("MRF Parameter", (1, 1)),
        "warp.cleanup": ("Clean Up", (1, 1)),
        "warp.reg": ("Warping Regularisation", (1, 5)),
        "warp.fwhm": ("Smoothness", (1, 1)),
        "warp.samp": ("Sampling distance", (1, 1)),
        "warp.write": ("Deformation Fields", (1, 2)),
    },
    "spatial.smooth": {
        "fwhm": ("FWHM", (1, 3), PER_AXIS),
        "dtype": ("Data Type", (1, 1)),
        "im": ("Implicit masking", (1, 1)),
    },
    "temporal.st": {
        "nslices": ("Number of Slices", (1, 1)),
        "tr": ("TR", (1, 1)),
        "ta": ("TA", (1, 1)),
        "so": ("Slice order", (1, _ANY)),
        "refslice": ("Reference Slice", (1, 1)),
    },
    "util.imcalc": {
        "options.dmtx": ("Data Matrix", (1, 1)),
        "options.mask": ("Masking", (1, 1)),
        "options.interp": ("Interpolation", (1, 1)),
        "options.dtype": ("Data Type", (1, 1)),
    },
}


#: SPM12's settings of the classes of its TPM.nii (spm_cfg_preproc8): per
#: volume, (Gaussians, (native, DARTEL-imported), (warped, modulated)).
TISSUES = (
    (1, (1, 0), (0, 0)),
    (1, (1, 0), (0, 0)),
    (2, (1, 0), (0, 0)),
    (3, (1, 0), (0, 0)),
    (4, (1, 0), (0, 0)),
    (2, (0, 0), (0, 0)),
)


def tissue_classes(tpm: str) -> list[dict]:
    """Segment's ``tissue`` struct array for a tissue map: one class per
    volume of ``tpm``, with SPM's settings of its six classes (a class past
    the sixth: 2 Gaussians, nothing written)."""
    import nibabel as nib

    shape = nib.load(tpm).shape  # header only
    volumes = int(shape[3]) if len(shape) > 3 else 1
    classes = []
    for k in range(1, volumes + 1):
        ngaus, native, warped = TISSUES[k - 1] if k <= len(TISSUES) else (2, (0, 0), (0, 0))
        classes.append({"tpm": Cell([f"{tpm},{k}"]), "ngaus": ngaus,
                        "native": list(native), "warped": list(warped)})
    return classes


def _is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, complex)


def shape_of(value) -> tuple[int, int] | None:
    """The MATLAB size of a job value, as :mod:`.mcode` writes it; None when
    it is not a number, a vector or a matrix of numbers."""
    if _is_number(value):
        return (1, 1)
    if isinstance(value, (list, tuple)):
        if not value:
            return (0, 0)
        if all(_is_number(v) for v in value):
            return (1, len(value))
        if all(isinstance(v, (list, tuple)) and all(_is_number(x) for x in v) for v in value):
            widths = {len(v) for v in value}
            if len(widths) == 1:
                return (len(value), widths.pop())
    return None


def _matches(shape, required) -> bool:
    return shape is not None and all(
        want is _ANY or have == want for have, want in zip(shape, required)
    ) and (shape != (0, 0) or required == (0, 0))


def _describe(required) -> str:
    rows, cols = required
    if rows == 1 and cols == 1:
        return "one number"
    if rows == 1:
        return "one or more numbers" if cols is _ANY else f"{cols} numbers"
    return f"{rows} rows of {cols} numbers"


def conform(tool: str, module: str, field: str, value, name: str):
    """``value`` in the shape SPM requires of ``field``, or an InputError.

    Parameters
    ----------
    tool : str
        The interface's full name, for the message.
    module : str
        The job, e.g. ``"spatial.smooth"``.
    field : str
        The dotted field within the job (``"fwhm"``, ``"woptions.vox"``).
    value
        The job value (a number, list of numbers or list of rows).
    name : str
        The input that gave it, for the message.

    Returns
    -------
    The value, with a single number given for a per-axis field repeated for
    every axis; unchanged when the field has no required shape.
    """
    entry = SHAPES.get(module, {}).get(field)
    if entry is None:
        return value
    item, required, *per_axis = entry
    shape = shape_of(value)
    if _matches(shape, required):
        return value
    rows, cols = required
    if shape == (1, 1) and per_axis:
        single = value[0] if isinstance(value, (list, tuple)) else value
        return [single] * cols
    present = "not numbers" if shape is None else f"[{shape[0]} {shape[1]}]"
    hint = f" (or one, used for all {cols})" if per_axis else ""
    raise InputError(
        f"{tool}: input {name!r} is {value!r} ({present}), but SPM's {item!r} "
        f"(job field {field}) takes {_describe(required)}{hint}: "
        f"required [{rows} {'Inf' if cols is _ANY else cols}]. Give it in that shape."
    )
