"""Skip, or fail in CI, when a real tool a test needs is missing.

``require_tool(name)`` is the one place that decides: locally a missing tool
skips the test with the reason and how to install it; with ``CI=true`` in
the environment it fails the test, because CI must have every tool that
installs on Debian or PyPI (FSL and SPM cannot be installed: their tests
skip everywhere and do not use this helper).

    from tools import require_tool

    def test_mrcalc_matches_numpy():
        require_tool("mrcalc")
        ...
"""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["require_tool", "require_module", "require_slurm", "in_ci", "CH2", "ch2_path", "ch2_downsampled", "rigid_matrix",
           "rigid_error", "moved_pair"]

#: Real 1 mm head with skull, from Debian's mricron-data.
CH2 = "/usr/share/mricron/templates/ch2.nii.gz"

# name -> (how it is found, how to install it)
_HOW = {
    "elastix": "apt-get install elastix",
    "transformix": "apt-get install elastix",
    "wb_command": "apt-get install connectome-workbench",
    "dcm2niix": "apt-get install dcm2niix",
    "mrtrix3": "apt-get install mrtrix3",
    "niftyreg": "CMAKE_POLICY_VERSION_MINIMUM=3.5 pip install niftyreg",
    "mricron-data": "apt-get install mricron-data",
}
_MRTRIX = {"mrconvert", "mrcalc", "mrfilter", "mrgrid", "mrthreshold", "mrstats", "maskfilter",
           "dwidenoise", "mrdegibbs", "dwi2tensor", "tensor2metric", "dwi2mask", "dwiextract"}
_NIFTYREG = {"reg_aladin", "reg_f3d", "reg_resample", "reg_transform", "reg_measure",
             "reg_jacobian"}


def in_ci() -> bool:
    """Whether the tests run in CI (``CI=true``), where nothing may be missing."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _missing(reason: str):
    if in_ci():
        pytest.fail(f"{reason} -- CI must have it: .ci/install installs it", pytrace=False)
    pytest.skip(reason)


def _install_hint(name: str) -> str:
    if name in _MRTRIX:
        return _HOW["mrtrix3"]
    if name in _NIFTYREG:
        return _HOW["niftyreg"]
    return _HOW.get(name, f"install the package that provides {name}")


def require_tool(name: str) -> str:
    """Absolute path of the executable ``name``; skip (locally) or fail (CI)
    when it is not installed.

    NiftyReg's executables are looked for where the ``niftyreg`` package puts
    them, as the interfaces do.
    """
    path = None
    if name in _NIFTYREG:
        from interfaces.niftyreg import NIFTYREG

        path = NIFTYREG.find_executable(name)
    else:
        path = shutil.which(name)
    if path is None:
        _missing(f"{name} is not installed ({_install_hint(name)})")
    return path


def require_module(name: str, install: str):
    """Import the Python module ``name``; skip (locally) or fail (CI) when it is
    not installed (``install`` says how: the test extra has it)."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        _missing(f"Python module {name} is not installed ({install})")


def require_slurm() -> None:
    """Skip (locally) or fail (CI) when a local SLURM cluster cannot run here
    (see ``slurm_cluster.unavailable``)."""
    import slurm_cluster

    reason = slurm_cluster.unavailable()
    if reason is not None:
        _missing(reason)


def ch2_path() -> str:
    """The ch2 head (mricron-data); skip (locally) or fail (CI) without it."""
    if not os.path.exists(CH2):
        _missing(f"{CH2} is missing ({_HOW['mricron-data']})")
    return CH2


# -- a known rigid motion of the ch2 head, for registration checks -----------
# The demo's own helpers (interfaces.demo), so that tests and demo agree.

#: The middle of the ch2 head (mm): rotations are about it, errors measured there.
CENTRE = (0.0, -18.0, 18.0)


def ch2_downsampled(factor: int = 2):
    """The ch2 head block-averaged to ``factor`` mm voxels, in memory (float32)."""
    import nibabel as nib

    from interfaces.demo import downsample

    return downsample(nib.load(ch2_path()), factor)


def rigid_matrix(degrees=(3.0, -2.0, 4.0), shift=(3.0, -4.0, 2.0)):
    """4x4 world (mm) rigid transform about the head's centre."""
    from interfaces.demo import rigid_motion

    return rigid_motion(CENTRE, degrees, shift)


def rigid_error(estimated, true):
    """(rotation error in degrees, displacement error in mm at the head's centre)."""
    from interfaces.demo import motion_error

    return motion_error(estimated, true, CENTRE)


def moved_pair(true, factor: int = 2):
    """(fixed, moving): the ch2 head at ``factor`` mm, and the same voxels with
    their affine moved by ``true`` -- both in memory."""
    import nibabel as nib
    import numpy as np

    fixed = ch2_downsampled(factor)
    return fixed, nib.Nifti1Image(np.asarray(fixed.dataobj), true @ fixed.affine)
