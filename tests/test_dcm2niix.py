"""dcm2niix through the interfaces, on nibabel's DICOM test files: the
NIfTI it writes matches nibabel's own reading of the same DICOMs."""

from __future__ import annotations

import gzip
import os
import shutil
import warnings

import nibabel as nib
import numpy as np
import pytest
from tools import require_tool

from interfaces.base import InputFileNotFoundError
from interfaces.dcm2niix import dcm2niix

DICOM_DATA = os.path.join(os.path.dirname(nib.__file__), "nicom", "tests", "data")
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])  # nibabel.nicom gives DICOM (LPS) affines


def _series(tmp_path, *names):
    """A folder holding these DICOM files of nibabel's test data (gunzipped)."""
    folder = tmp_path / "dicom"
    folder.mkdir()
    for name in names:
        src = os.path.join(DICOM_DATA, name)
        if not os.path.exists(src):
            pytest.skip(f"nibabel's DICOM test file {name} is not installed")
        if name.endswith(".gz"):
            with gzip.open(src) as fin, open(folder / name[:-3], "wb") as fout:
                shutil.copyfileobj(fin, fout)
        else:
            shutil.copy(src, folder / name)
    return folder


def _nibabel_reading(path):
    """nibabel's image of one DICOM file, in RAS."""
    pytest.importorskip("pydicom", reason="nibabel.nicom needs pydicom (pip install pydicom)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "the DICOM readers are highly experimental"
        from nibabel.nicom import dicomwrappers

        wrapper = dicomwrappers.wrapper_from_file(path)
        data = wrapper.get_data()
    if data.ndim == 2:
        data = data[..., None]
    return nib.Nifti1Image(data.astype(np.float64), LPS_TO_RAS @ wrapper.affine), wrapper


def _assert_same_image(ours, theirs):
    a = nib.as_closest_canonical(theirs)
    b = nib.as_closest_canonical(nib.Nifti1Image(ours.get_fdata(), ours.affine))
    assert a.shape == b.shape[:3]
    np.testing.assert_allclose(b.get_fdata().reshape(a.shape), a.get_fdata())
    np.testing.assert_allclose(b.affine, a.affine, atol=0.01)


@pytest.mark.parametrize("name", ["decimal_rescale.dcm", "philips_mprage.dcm.gz"])
def test_dcm2niix_matches_nibabels_reading(tmp_path, name):
    require_tool("dcm2niix")
    folder = _series(tmp_path, name)
    res = dcm2niix().run(in_dir=folder, filename="%s_%p")
    [image] = res.outputs.images
    [sidecar] = res.outputs.sidecars
    theirs, wrapper = _nibabel_reading(str(folder / name.removesuffix(".gz")))
    _assert_same_image(image, theirs)
    # the sidecar is a dict of the DICOM's own fields
    assert sidecar["SeriesNumber"] == int(wrapper.get("SeriesNumber"))
    assert sidecar["Manufacturer"].lower() in wrapper.get("Manufacturer").lower()
    assert res.outputs.sidecar_files[0].endswith(".json")
    assert os.path.dirname(image.get_filename()) == res.outputs.out_dir


def test_rescaled_values_survive(tmp_path):
    require_tool("dcm2niix")
    folder = _series(tmp_path, "decimal_rescale.dcm")
    [image] = dcm2niix().run(in_dir=folder).outputs.images
    theirs, _ = _nibabel_reading(str(folder / "decimal_rescale.dcm"))
    assert np.unique(theirs.get_fdata()).tolist() == [-4096.0]  # RescaleIntercept applied
    np.testing.assert_array_equal(np.unique(image.get_fdata()), [-4096.0])


def test_a_two_file_series_becomes_one_4d_image(tmp_path):
    require_tool("dcm2niix")
    folder = _series(tmp_path, "siemens_dwi_0.dcm.gz", "siemens_dwi_1000.dcm.gz")
    res = dcm2niix().run(in_dir=folder, filename="dwi", compress="y")
    [image] = res.outputs.images
    assert image.get_filename().endswith(".nii.gz") and image.shape[-1] == 2
    theirs, _ = _nibabel_reading(str(folder / "siemens_dwi_0.dcm"))
    first = nib.Nifti1Image(np.asarray(image.dataobj)[..., 0], image.affine)
    _assert_same_image(first, theirs)


def test_missing_folder_is_named(tmp_path):
    require_tool("dcm2niix")
    with pytest.raises(InputFileNotFoundError, match="nowhere"):
        dcm2niix().run(in_dir=tmp_path / "nowhere")
