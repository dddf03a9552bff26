"""Real FSL, when ``FSLDIR`` points to an installation of it.

FSL cannot be installed on the machines that run the suite (no Debian or
PyPI package ships it), so these tests skip there, saying why; they also skip
when ``FSLDIR`` points at the stand-ins of tests/fsl_standins.
"""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest

from interfaces import fsl


def _real_fsl() -> str:
    home = os.environ.get("FSLDIR")
    if not home:
        pytest.skip("FSL is not installed here (FSLDIR is not set); these tests run real "
                    "FSL when FSLDIR points to an installation")
    try:
        with open(os.path.join(home, "etc", "fslversion")) as fh:
            version = fh.read()
    except OSError:
        version = ""
    if "standin" in version or "stub" in version:
        pytest.skip(f"FSLDIR={home} holds the test stand-ins, not FSL")
    if not os.path.exists(os.path.join(home, "bin", "flirt")):
        pytest.skip(f"FSLDIR={home} has no bin/flirt: not an FSL installation")
    return home


@pytest.fixture
def head():
    path = "/usr/share/mricron/templates/ch2.nii.gz"
    if not os.path.exists(path):
        pytest.skip("mricron-data's ch2.nii.gz is not installed (apt-get install mricron-data)")
    img = nib.load(path)
    # a 2 mm copy keeps the real run short
    small = np.asanyarray(img.dataobj)[::2, ::2, ::2].astype(np.float32)
    return nib.Nifti1Image(small, img.affine @ np.diag([2, 2, 2, 1]))


def test_bet_then_flirt_on_in_memory_images(head):
    _real_fsl()
    brain = fsl.bet().run(in_file=head, mask=True, frac=0.5)
    mask = np.asanyarray(brain.outputs.mask_file.dataobj)
    assert 0.05 < mask.mean() < 0.6
    shifted = nib.Nifti1Image(np.roll(head.get_fdata(), 3, axis=0).astype(np.float32),
                              head.affine)
    reg = fsl.flirt().run(source=shifted, target=head, dof=6)
    matrix = fsl.load_matrix(reg.outputs.out_matrix_file)
    assert abs(abs(matrix[0, 3]) - 6.0) < 2.0  # 3 voxels of 2 mm
    assert reg.runtime.version


def test_fslstats_and_maths(head):
    _real_fsl()
    mean = fsl.fslstats().run(in_file=head, op_string="-M").outputs.out_stat
    data = head.get_fdata()
    assert mean == pytest.approx(data[data != 0].mean(), rel=1e-3)
    binary = fsl.maths(head).thr(float(mean)).bin().run().outputs.out_file
    assert set(np.unique(binary.get_fdata())) <= {0.0, 1.0}
