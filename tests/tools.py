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

__all__ = ["require_tool", "in_ci", "CH2", "ch2_path", "ch2_downsampled", "rigid_matrix",
           "rigid_error"]

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


def ch2_path() -> str:
    """The ch2 head (mricron-data); skip (locally) or fail (CI) without it."""
    if not os.path.exists(CH2):
        _missing(f"{CH2} is missing ({_HOW['mricron-data']})")
    return CH2


# -- a known rigid motion of the ch2 head, for registration checks -----------

def ch2_downsampled(factor: int = 2):
    """The ch2 head block-averaged to ``factor`` mm voxels, in memory (float32)."""
    import nibabel as nib
    import numpy as np

    img = nib.load(ch2_path())
    data = np.asarray(img.dataobj, dtype=np.float32)
    shape = [n // factor * factor for n in data.shape]
    data = data[: shape[0], : shape[1], : shape[2]]
    data = data.reshape(shape[0] // factor, factor, shape[1] // factor, factor,
                        shape[2] // factor, factor).mean(axis=(1, 3, 5))
    affine = img.affine.copy()
    affine[:3, :3] *= factor
    affine[:3, 3] += img.affine[:3, :3] @ np.full(3, (factor - 1) / 2)  # block centres
    return nib.Nifti1Image(data.astype(np.float32), affine)


def rigid_matrix(degrees=(3.0, -2.0, 4.0), shift=(3.0, -4.0, 2.0), centre=(0.0, -18.0, 18.0)):
    """4x4 world (mm) rigid transform: rotations about x, y, z (degrees) about
    ``centre`` (the middle of the ch2 head), then ``shift``."""
    import numpy as np

    ax, ay, az = np.deg2rad(degrees)
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    rotation = rz @ ry @ rx
    centre = np.asarray(centre, float)
    out = np.eye(4)
    out[:3, :3] = rotation
    out[:3, 3] = centre - rotation @ centre + np.asarray(shift, float)
    return out


def rigid_error(estimated, true, centre=(0.0, -18.0, 18.0)):
    """(rotation error in degrees, displacement error in mm at ``centre``)
    between two 4x4 world transforms."""
    import numpy as np

    delta = np.linalg.inv(true) @ estimated
    cos = np.clip((np.trace(delta[:3, :3]) - 1) / 2, -1.0, 1.0)
    point = np.append(np.asarray(centre, float), 1.0)
    return float(np.degrees(np.arccos(cos))), float(np.linalg.norm((estimated @ point - true @ point)[:3]))
