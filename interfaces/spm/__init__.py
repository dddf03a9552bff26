"""SPM12 through batch jobs run by MATLAB, Octave or the SPM standalone.

Offers the modules :class:`realign`, :class:`realign_estimate`,
:class:`reslice`, :class:`coregister`, :class:`coregister_estimate`,
:class:`coregister_reslice`, :class:`normalise`, :class:`normalise_estimate`,
:class:`normalise_write`, :class:`segment`, :class:`smooth`,
:class:`slice_timing` and :class:`image_calculator`; :func:`configure` and
:func:`find_engine` choose what runs them.  Each run writes its
``matlabbatch`` script in its working directory (see :mod:`.batch`).
"""

from .batch import SPMBatch
from .engines import Engine, configure, find_engine
from .family import SPM  # noqa: F401  (the family, for wrappers added later)
from .tools import (
    coregister,
    coregister_estimate,
    coregister_reslice,
    image_calculator,
    normalise,
    normalise_estimate,
    normalise_write,
    realign,
    realign_estimate,
    reslice,
    segment,
    slice_timing,
    smooth,
)

__all__ = [
    "realign", "realign_estimate", "reslice",
    "coregister", "coregister_estimate", "coregister_reslice",
    "normalise", "normalise_estimate", "normalise_write",
    "segment", "smooth", "slice_timing", "image_calculator",
    "configure", "find_engine", "Engine", "SPMBatch",
]
