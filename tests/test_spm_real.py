"""SPM itself, when it is installed and configured; skipped otherwise.

Configure with SPM_PATH (SPM's folder, for MATLAB or Octave) or
SPM_STANDALONE (the standalone's command), as for any use of
:mod:`interfaces.spm`.  SPM cannot be installed on the CI machines, so these
tests skip there, with the reason shown.

Every check holds for SPM itself, whatever its release: a smoothed spike has
the width of SPM's kernel and keeps its sum, registration recovers motion
applied to an image in memory, and what SPM reports only in its output (a
refused job value, the cause of a failed module) fails the run with SPM's
own words.
"""

from __future__ import annotations

import math
import os
import shutil

import nibabel as nib
import numpy as np
import pytest

import interfaces.spm as spm
from interfaces.base import CommandFailedError
from interfaces_helpers import runs_dir  # noqa: F401  (an autouse fixture)

NIB_DATA = os.path.join(os.path.dirname(nib.__file__), "tests", "data")
STANDIN = os.path.realpath(os.path.join(os.path.dirname(__file__), "spm_standin"))


@pytest.fixture(scope="module", autouse=True)
def real_spm():
    previous = spm.configure()  # the environment decides
    try:
        engine = spm.find_engine()
    except ValueError as error:
        pytest.skip(f"SPM is misconfigured: {error}")
    if engine is None:
        pytest.skip("real SPM is not configured: set SPM_PATH (MATLAB/Octave) or "
                    "SPM_STANDALONE to run these tests")
    if engine.spm_path and os.path.realpath(engine.spm_path) == STANDIN:
        pytest.skip("SPM_PATH names the test stand-in, not SPM")
    if engine.kind != "standalone" and not (
            engine.spm_path and os.path.exists(os.path.join(engine.spm_path, "spm.m"))):
        pytest.skip(f"no spm.m in SPM_PATH={engine.spm_path!r}: real SPM is not configured")
    yield engine
    spm.configure(**previous)


# -- smooth ----------------------------------------------------------------------

VOXEL = (2.0, 3.0, 4.0)


def _spike():
    """One voxel of 1000 in a zero volume of 2x3x4 mm voxels, far enough from
    the edges for SPM's kernel (6 sigma each side) to fit."""
    data = np.zeros((31, 21, 17), np.float32)
    data[15, 10, 8] = 1000
    return nib.Nifti1Image(data, np.diag([*VOXEL, 1.0]))


def _fwhm_mm(data) -> list[float]:
    """FWHM along each axis from the second moment of a blob, in mm."""
    total = data.sum()
    widths = []
    for axis, size in enumerate(VOXEL):
        profile = data.sum(axis=tuple(a for a in range(3) if a != axis))
        x = np.arange(profile.size)
        mean = (profile * x).sum() / total
        var = (profile * (x - mean) ** 2).sum() / total
        widths.append(math.sqrt(8 * math.log(2) * var) * size)
    return widths


def _spm_kernel_fwhm(fwhm: float) -> list[float]:
    """SPM's kernel is a Gaussian of the FWHM asked for convolved with a
    one-voxel triangle (spm_smoothkern), whose variance is voxel**2 / 6."""
    gauss = fwhm ** 2 / (8 * math.log(2))
    return [math.sqrt(8 * math.log(2) * (gauss + v ** 2 / 6)) for v in VOXEL]


def test_smooth_gives_spms_kernel_width_and_keeps_the_sum():
    assert _spm_kernel_fwhm(8) == pytest.approx([8.228, 8.504, 8.876], abs=5e-4)
    spike = _spike()
    for fwhm in (8, 6):  # 6: one number, which SPM takes only as [6 6 6]
        (out,) = spm.smooth().run(in_files=[spike], fwhm=fwhm).outputs.smoothed_files
        data = np.asarray(out.get_fdata())
        assert out.shape == spike.shape
        assert data.sum() == pytest.approx(1000, rel=1e-4)
        assert np.unravel_index(np.argmax(data), data.shape) == (15, 10, 8)
        assert _fwhm_mm(data) == pytest.approx(_spm_kernel_fwhm(fwhm), abs=0.01)


def test_a_value_spm_refuses_fails_the_run_with_its_message(monkeypatch):
    # As the job was written before values were brought to SPM's shapes: SPM
    # prints its message, smooths with its default, and reports success.
    monkeypatch.setattr("interfaces.spm.batch.conform", lambda tool, module, field, v, n: v)
    with pytest.raises(CommandFailedError) as info:
        spm.smooth().run(in_files=[_spike()], fwhm=6)
    assert "Item 'FWHM', field 'val': Size mismatch" in str(info.value)


def test_a_failed_module_is_reported_with_spms_own_error():
    with pytest.raises(CommandFailedError) as info:
        spm.image_calculator().run(in_files=[_spike()], expression="i1 +* (")
    message = str(info.value)
    report = message.split("SPM's report of the failure:", 1)
    assert len(report) == 2, message
    assert "Failed  'Image Calculator'" in report[1]


# -- registration ------------------------------------------------------------------

def _rigid(degrees, shift):
    """A rotation about x, y, z (degrees) then a shift (mm), as a 4x4 matrix."""
    rx, ry, rz = np.radians(degrees)
    cx, sx, cy, sy, cz, sz = np.cos(rx), np.sin(rx), np.cos(ry), np.sin(ry), np.cos(rz), np.sin(rz)
    rot = (np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
           @ np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
           @ np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]]))
    matrix = np.eye(4)
    matrix[:3, :3] = rot
    matrix[:3, 3] = shift
    return matrix


def _max_distance(affine_a, affine_b, shape) -> float:
    """Largest distance (mm) between where two affines put the corners and
    the centre of a voxel grid."""
    corners = np.array([[i, j, k, 1] for i in (0, shape[0] - 1) for j in (0, shape[1] - 1)
                        for k in (0, shape[2] - 1)] + [[*(np.array(shape[:3]) - 1) / 2, 1]])
    return float(np.linalg.norm((corners @ affine_a.T - corners @ affine_b.T)[:, :3],
                                axis=1).max())


def test_coregister_recovers_a_known_rigid_motion(tmp_path):
    target = tmp_path / "anat.nii"
    shutil.copyfile(os.path.join(NIB_DATA, "anatomical.nii"), target)
    before = target.read_bytes()
    anat = nib.load(target)
    motion = _rigid((3.0, -2.0, 5.0), (4.0, -3.0, 2.0))
    # The same voxels, placed elsewhere in the world: coregistering them to
    # the target must bring the header back to the target's.
    source = nib.Nifti1Image(np.asarray(anat.dataobj, np.float32), motion @ anat.affine)
    assert _max_distance(source.affine, anat.affine, anat.shape) > 4  # moved for real
    res = spm.coregister_estimate().run(target=str(target), source=source)
    found = res.outputs.coregistered_source.affine
    assert _max_distance(found, anat.affine, anat.shape) < 0.25
    assert target.read_bytes() == before  # the user's file is untouched


def test_realign_recovers_known_shifts_of_each_volume():
    anat = nib.load(os.path.join(NIB_DATA, "anatomical.nii"))
    pad = 4
    base = np.pad(np.asarray(anat.dataobj, np.float32), pad)
    shifts = [(0, 0, 0), (1, 0, 0), (0, -2, 1), (2, 1, -1)]  # voxels, exact (no resampling)
    volumes = []
    for shift in shifts:
        moved = np.zeros_like(base)
        src = tuple(slice(max(0, -s), base.shape[a] - max(0, s)) for a, s in enumerate(shift))
        dst = tuple(slice(max(0, s), base.shape[a] - max(0, -s)) for a, s in enumerate(shift))
        moved[dst] = base[src]
        volumes.append(moved)
    affine = anat.affine.copy()
    affine[:3, 3] -= affine[:3, :3] @ np.full(3, pad)
    series = nib.Nifti1Image(np.stack(volumes, axis=-1), affine)
    res = spm.realign_estimate().run(in_files=[series])
    (rp,) = res.outputs.realignment_parameters
    assert rp.shape == (4, 6)
    # Volume k shows the head moved by d_k = A @ shift_k (mm) under the same
    # header; SPM gives volume k the header T(-d_k) @ header_1, and rp_*.txt
    # holds the parameters of header_k / header_1: translations -d_k, no
    # rotation.
    for row, shift in zip(rp, shifts):
        moved_mm = affine[:3, :3] @ shift
        assert row[:3] == pytest.approx(-moved_mm, abs=0.35)
        assert np.abs(row[3:]).max() < np.radians(0.5)
