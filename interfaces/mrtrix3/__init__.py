"""MRtrix3: image conversion, arithmetic, filtering, regridding, thresholding,
statistics, mask filters and diffusion (denoising, Gibbs ringing, tensors,
masks, volume extraction).

Offers :class:`mrconvert`, :class:`mrcalc`, :class:`mrfilter`, :class:`mrgrid`,
:class:`mrthreshold`, :class:`mrstats` (statistics parsed per volume),
:class:`maskfilter`, :class:`dwidenoise`, :class:`mrdegibbs`,
:class:`dwi2tensor`, :class:`tensor2metric`, :class:`dwi2mask` and
:class:`dwiextract`.  Every tool runs with ``-force -quiet`` (inputs ``force``
and ``quiet``, on by default) so that it overwrites its outputs and keeps
progress bars off stderr.
"""

from .family import MRTRIX3
from .tools import (
    dwi2mask, dwi2tensor, dwidenoise, dwiextract, maskfilter, mrcalc, mrconvert, mrdegibbs,
    mrfilter, mrgrid, mrstats, mrthreshold, tensor2metric,
)

__all__ = ["mrconvert", "mrcalc", "mrfilter", "mrgrid", "mrthreshold", "mrstats",
           "maskfilter", "dwidenoise", "mrdegibbs", "dwi2tensor", "tensor2metric",
           "dwi2mask", "dwiextract", "MRTRIX3"]
