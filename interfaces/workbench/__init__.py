"""Connectome Workbench volume commands (``wb_command``, headless).

Offers :class:`volume_smoothing`, :class:`volume_math`,
:class:`volume_resample`, :class:`volume_stats` (values parsed) and
:class:`volume_dilate`, each one ``wb_command -volume-...`` subcommand.
"""

from .family import WORKBENCH
from .tools import volume_dilate, volume_math, volume_resample, volume_smoothing, volume_stats

__all__ = ["volume_smoothing", "volume_math", "volume_resample", "volume_stats",
           "volume_dilate", "WORKBENCH"]
