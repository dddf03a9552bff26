"""SPM itself, when it is installed and configured; skipped otherwise.

Configure with SPM_PATH (SPM's folder, for MATLAB or Octave) or
SPM_STANDALONE (the standalone's command), as for any use of
:mod:`interfaces.spm`.  SPM cannot be installed on the CI machines, so these
tests skip there, with the reason shown.
"""

from __future__ import annotations

import os
import shutil

import nibabel as nib
import numpy as np
import pytest

import interfaces.spm as spm

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


@pytest.fixture
def series(tmp_path):
    func = nib.load(os.path.join(NIB_DATA, "functional.nii"))
    path = tmp_path / "bold.nii"
    nib.save(nib.Nifti1Image(np.asarray(func.dataobj)[..., :4].astype(np.float32),
                             func.affine), path)
    return str(path)


def test_realign_and_smooth_with_real_spm(series, tmp_path):
    before = open(series, "rb").read()
    res = spm.realign().run(in_files=[series], quality=0.5)
    assert open(series, "rb").read() == before
    (rp,) = res.outputs.realignment_parameters
    assert rp.shape == (4, 6)
    assert np.allclose(rp[0], 0, atol=1e-6)  # the first volume is the reference
    assert res.outputs.mean_image.shape == nib.load(series).shape[:3]
    smoothed = spm.smooth().run(in_files=res.outputs.resliced_files, fwhm=6).outputs
    (out,) = smoothed.smoothed_files
    assert out.shape == nib.load(series).shape
    assert out.get_fdata().std() < nib.load(series).get_fdata().std()


def test_coregister_with_real_spm(tmp_path):
    anat = tmp_path / "anat.nii"
    shutil.copyfile(os.path.join(NIB_DATA, "anatomical.nii"), anat)
    moved = nib.load(anat)
    affine = moved.affine.copy()
    affine[0, 3] += 4  # shifted by 4 mm
    source = tmp_path / "moved.nii"
    nib.save(nib.Nifti1Image(np.asarray(moved.dataobj), affine), source)
    res = spm.coregister_estimate().run(target=str(anat), source=str(source))
    shift = res.outputs.coregistered_source.affine[0, 3] - affine[0, 3]
    assert shift == pytest.approx(-4, abs=1.0)
    assert nib.load(source).affine[0, 3] == affine[0, 3]  # the user's file is untouched
