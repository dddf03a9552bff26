"""MRtrix3 through the interfaces, on the ch2 head and on a synthetic DWI
whose tensors are known: results compared with numpy and scipy."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest
from scipy import ndimage
from tools import ch2_downsampled, ch2_path, require_tool

import imagecache
from interfaces.base import InputError, Undefined
from interfaces.mrtrix3 import (
    dwi2mask, dwi2tensor, dwidenoise, dwiextract, maskfilter, mrcalc, mrconvert, mrdegibbs,
    mrfilter, mrgrid, mrstats, mrthreshold, tensor2metric,
)


@pytest.fixture(scope="module")
def head():
    return ch2_downsampled(2)


def test_mrcalc_matches_numpy_on_file_and_memory_images(head):
    require_tool("mrcalc")
    ch2 = imagecache.load(ch2_path())
    edited = imagecache.load(ch2_path())
    edited.get_fdata()[60:80, 60:80, 60:80] = 500.0  # an edit in memory
    res = mrcalc().run(operands=[ch2, 2, "-mult", edited, "-add", 300, "-gt"],
                       datatype="float32")
    expected = (2 * ch2.get_fdata() + edited.get_fdata()) > 300
    np.testing.assert_array_equal(np.asarray(res.outputs.out_file.dataobj) > 0.5, expected)
    assert res.input_files["operands"][0].origin == "original"   # clean: its own file
    assert res.input_files["operands"][1].origin == "temporary"  # edited: written
    assert res.argv[2:4] == ["2", "-mult"]  # numbers and operators pass as text

    small = mrcalc().run(operands=[head, "-sqrt", head, "-mult"])
    data = np.asarray(head.dataobj, dtype=float)
    np.testing.assert_allclose(small.outputs.out_file.get_fdata(), np.sqrt(data) * data,
                               rtol=1e-5, atol=1e-3)


def test_mrstats_is_parsed_per_volume_and_matches_numpy(head):
    require_tool("mrstats")
    data = np.asarray(head.dataobj, dtype=float)
    res = mrstats().run(in_file=head)
    assert res.outputs.mean == [pytest.approx(data.mean(), rel=1e-5)]
    assert res.outputs.std == [pytest.approx(data.std(ddof=1), rel=1e-5)]
    assert res.outputs.min == [pytest.approx(data.min())]
    assert res.outputs.max == [pytest.approx(data.max(), rel=1e-5)]
    assert res.outputs.count == [data.size]
    mask = nib.Nifti1Image((data > 50).astype(np.uint8), head.affine)
    inside = mrstats().run(in_file=head, mask=mask)
    assert inside.outputs.mean == [pytest.approx(data[data > 50].mean(), rel=1e-5)]
    assert inside.outputs.median == [pytest.approx(np.median(data[data > 50]), rel=1e-4)]
    four_d = mrstats().run(in_file=_nib_data("example4d.nii.gz"))
    frames = np.asarray(nib.load(_nib_data("example4d.nii.gz")).dataobj, dtype=float)
    assert four_d.outputs.mean == [pytest.approx(frames[..., i].mean(), rel=1e-5)
                                   for i in range(frames.shape[3])]


def _nib_data(name):
    import os

    return os.path.join(os.path.dirname(nib.__file__), "tests", "data", name)


def test_mrthreshold_and_maskfilter_match_numpy_and_scipy(head):
    require_tool("mrthreshold")
    data = np.asarray(head.dataobj, dtype=float)
    res = mrthreshold().run(in_file=head, abs=60.0)
    mask = np.asarray(res.outputs.out_file.dataobj) > 0
    np.testing.assert_array_equal(mask, data >= 60.0)
    value = mrthreshold().run(in_file=head, out_file=False).outputs.threshold
    assert data.min() < value < data.max()  # automatic threshold, printed and parsed
    with pytest.raises(InputError, match="mutually exclusive"):
        mrthreshold().run(in_file=head, abs=1.0, percentile=50.0)
    dilated = maskfilter().run(in_file=res.outputs.out_file, filter="dilate")
    np.testing.assert_array_equal(np.asarray(dilated.outputs.out_file.dataobj) > 0,
                                  ndimage.binary_dilation(mask))
    eroded = maskfilter().run(in_file=res.outputs.out_file, filter="erode", npass=2)
    np.testing.assert_array_equal(np.asarray(eroded.outputs.out_file.dataobj) > 0,
                                  ndimage.binary_erosion(mask, iterations=2))


def test_mrfilter_smooth_is_scipys_gaussian(head):
    require_tool("mrfilter")
    data = np.asarray(head.dataobj, dtype=float)
    res = mrfilter().run(in_file=head, filter="smooth", stdev=[4.0])
    assert "-stdev" in res.argv and "4.0" in res.argv
    # sigma 4 mm = 2 voxels; MRtrix's kernel spans +-2 sigma
    expected = ndimage.gaussian_filter(data, 2.0, truncate=2.0)
    inner = (slice(5, -5),) * 3
    np.testing.assert_allclose(res.outputs.out_file.get_fdata()[inner], expected[inner],
                               rtol=1e-4, atol=1e-3)


def test_mrgrid_and_mrconvert(head):
    require_tool("mrgrid")
    regrid = mrgrid().run(in_file=head, operation="regrid", voxel=[4.0], interp="linear")
    out = regrid.outputs.out_file
    assert out.header.get_zooms()[:3] == (4.0, 4.0, 4.0) and out.shape == (45, 54, 45)
    crop = mrgrid().run(in_file=head, operation="crop", axis=[(0, "10,20")])
    assert crop.outputs.out_file.shape == (60, 108, 90)

    four_d = _nib_data("example4d.nii.gz")
    conv = mrconvert().run(in_file=four_d, coord=[(3, "1")], datatype="float32")
    np.testing.assert_allclose(np.squeeze(conv.outputs.out_file.get_fdata()),
                               np.asarray(nib.load(four_d).dataobj)[..., 1], rtol=1e-6)
    assert conv.outputs.out_file.get_data_dtype() == np.float32


# -- diffusion: a synthetic acquisition with known tensors -------------------

BVALS = np.array([0, 1000, 1000, 1000, 1000, 1000, 1000, 0, 1000, 1000, 1000, 1000, 1000, 1000])


def _directions():
    d = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1],
                  [0, 0, 0], [1, -1, 0], [1, 0, -1], [0, 1, -1], [1, 1, 1], [-1, 1, 1],
                  [1, -1, 1]], float)
    d = np.insert(d, 0, [0, 0, 0], axis=0)
    norms = np.linalg.norm(d, axis=1, keepdims=True)
    return np.divide(d, norms, out=np.zeros_like(d), where=norms > 0)


@pytest.fixture(scope="module")
def dwi(tmp_path_factory):
    """A 4D DWI of a sphere whose tensor is diag(1.7, 0.3, 0.3) e-3 mm^2/s,
    with Rician-free noise; written with its FSL gradient files."""
    folder = tmp_path_factory.mktemp("dwi")
    grid = np.indices((16, 16, 12)).astype(float)
    centre = np.array([7.5, 7.5, 5.5])[:, None, None, None]
    inside = np.linalg.norm(grid - centre, axis=0) < 6
    tensor = np.diag([1.7e-3, 0.3e-3, 0.3e-3])
    dirs = _directions()
    signal = 1000 * np.exp(-BVALS * np.einsum("ij,jk,ik->i", dirs, tensor, dirs))
    data = np.zeros((16, 16, 12, len(BVALS)), np.float32)
    data[inside] = signal
    rng = np.random.default_rng(1)
    noisy = data + rng.normal(0, 5, data.shape).astype(np.float32) * inside[..., None]
    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    img = nib.Nifti1Image(noisy, affine)
    bvecs = folder / "dwi.bvec"
    bvals = folder / "dwi.bval"
    np.savetxt(bvecs, dirs.T, fmt="%.6f")
    np.savetxt(bvals, BVALS[None], fmt="%d")
    return img, [str(bvecs), str(bvals)], inside, nib.Nifti1Image(data, affine)


def test_dwi2tensor_and_tensor2metric_recover_the_known_tensor(dwi):
    require_tool("dwi2tensor")
    img, grad, inside, _ = dwi
    tensor = dwi2tensor().run(in_file=img, fslgrad=grad)
    metrics = tensor2metric().run(in_file=tensor.outputs.out_file, fa=True, adc=True)
    fa = np.asarray(metrics.outputs.fa.dataobj)
    adc = np.asarray(metrics.outputs.adc.dataobj)
    ev = np.array([1.7, 0.3, 0.3])
    expected_fa = np.sqrt(1.5 * ((ev - ev.mean()) ** 2).sum() / (ev ** 2).sum())
    core = ndimage.binary_erosion(inside)
    assert np.median(fa[core]) == pytest.approx(expected_fa, abs=0.03)
    assert np.median(adc[core]) == pytest.approx(ev.mean() * 1e-3, rel=0.03)
    assert metrics.outputs.rd is Undefined  # not asked for


def test_dwiextract_dwi2mask_dwidenoise_mrdegibbs(dwi):
    require_tool("dwiextract")
    img, grad, inside, clean = dwi
    b0 = dwiextract().run(in_file=img, fslgrad=grad, bzero=True)
    assert b0.outputs.out_file.shape == (16, 16, 12, 2)
    np.testing.assert_allclose(np.asarray(b0.outputs.out_file.dataobj),
                               img.get_fdata()[..., BVALS == 0], rtol=1e-5)
    mask = dwi2mask().run(in_file=img, fslgrad=grad)
    found = np.asarray(mask.outputs.out_file.dataobj) > 0
    assert (found & inside).sum() / inside.sum() > 0.8 and (found & ~inside).sum() < 50

    denoised = dwidenoise().run(in_file=img, extent=[3, 3, 3], noise=True)
    before = np.abs(img.get_fdata() - clean.get_fdata())[inside].mean()
    after = np.abs(denoised.outputs.out_file.get_fdata() - clean.get_fdata())[inside].mean()
    assert after < before, (before, after)
    assert denoised.outputs.noise.shape == (16, 16, 12)

    degibbs = mrdegibbs().run(in_file=clean, axes=[0, 1])
    out = degibbs.outputs.out_file.get_fdata()
    assert out.shape == clean.shape and np.isfinite(out).all()


def test_cached_mrcalc_tells_operators_and_numbers_apart(head, tmp_path):
    require_tool("mrcalc")
    data = np.asarray(head.dataobj, dtype=float)
    doubled = mrcalc().run(operands=[head, 2, "-mult"], cache=tmp_path)
    added = mrcalc().run(operands=[head, 3, "-add"], cache=tmp_path)  # not a hit of the first
    np.testing.assert_allclose(doubled.outputs.out_file.get_fdata(), 2 * data, rtol=1e-6)
    np.testing.assert_allclose(added.outputs.out_file.get_fdata(), data + 3, rtol=1e-6)
    again = mrcalc().run(operands=[head, 2, "-mult"], cache=tmp_path)
    assert again.outputs.out_file.get_filename() == doubled.outputs.out_file.get_filename()
