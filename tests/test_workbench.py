"""Connectome Workbench volume commands through the interfaces, compared with
numpy and scipy on the ch2 head."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest
from scipy import ndimage
from tools import ch2_downsampled, require_tool, rigid_matrix

import imagecache
from interfaces.base import InputError
from interfaces.workbench import (
    volume_dilate, volume_math, volume_resample, volume_smoothing, volume_stats,
)


@pytest.fixture(scope="module")
def head():
    require_tool("wb_command")
    return ch2_downsampled(2)


def test_volume_math_matches_numpy(head, tmp_path):
    data = np.asarray(head.dataobj, dtype=float)
    mask = nib.Nifti1Image((data > 50).astype(np.float32), head.affine)
    res = volume_math().run(expression="ln(x + 1) * (m > 0) - 2", variables={"x": head, "m": mask})
    expected = np.log(data + 1) * (data > 50) - 2
    np.testing.assert_allclose(res.outputs.out_file.get_fdata(), expected, rtol=1e-5, atol=1e-5)
    assert res.argv[1] == "-volume-math"
    assert sorted(res.input_files) == ["variables[m]", "variables[x]"]
    assert all(p.origin == "temporary" for p in res.input_files.values())


def test_volume_math_needs_a_variable(head):
    with pytest.raises(InputError, match="variables"):
        volume_math().run(expression="1")


def test_volume_stats_are_parsed_and_match_numpy(head):
    data = np.asarray(head.dataobj, dtype=float)
    for op, expected in [("MEAN", data.mean()), ("MAX", data.max()), ("MIN", data.min()),
                         ("STDEV", data.std()), ("SUM", data.sum()),
                         ("COUNT_NONZERO", np.count_nonzero(data))]:
        res = volume_stats().run(in_file=head, reduce=op)
        assert res.outputs.values == [pytest.approx(expected, rel=1e-5)], op
        assert res.outputs.value == pytest.approx(expected, rel=1e-5)
    roi = nib.Nifti1Image((data > 50).astype(np.float32), head.affine)
    inside = volume_stats().run(in_file=head, reduce="MEAN", roi=roi)
    assert inside.outputs.value == pytest.approx(data[data > 50].mean(), rel=1e-5)


def test_volume_smoothing_is_scipys_gaussian(head):
    data = np.asarray(head.dataobj, dtype=float)
    res = volume_smoothing().run(in_file=head, kernel=4.0)
    # sigma 4 mm = 2 voxels; Workbench's kernel spans +-3 sigma
    expected = ndimage.gaussian_filter(data, 2.0, truncate=3.0)
    inner = (slice(7, -7),) * 3
    np.testing.assert_allclose(res.outputs.out_file.get_fdata()[inner], expected[inner],
                               rtol=1e-4, atol=1e-3)
    # fwhm=True: the same smoothing given as a FWHM (sigma 3.5 mm, away from
    # the 3-sigma cutoff falling on a voxel)
    sigma = volume_smoothing().run(in_file=head, kernel=3.5).outputs.out_file.get_fdata()
    fwhm = volume_smoothing().run(in_file=head, kernel=3.5 * 2 * np.sqrt(2 * np.log(2)),
                                  fwhm=True)
    np.testing.assert_allclose(fwhm.outputs.out_file.get_fdata(), sigma, rtol=1e-4, atol=1e-3)


def test_volume_resample_undoes_a_known_motion(head):
    motion = rigid_matrix()
    moving = nib.Nifti1Image(np.asarray(head.dataobj), motion @ head.affine)
    # Workbench affines map source (moving) millimetres to target millimetres.
    res = volume_resample().run(in_file=moving, space=head, method="TRILINEAR",
                                affine=[np.linalg.inv(motion)])
    back = res.outputs.out_file.get_fdata()
    data = np.asarray(head.dataobj, dtype=float)
    assert np.corrcoef(back.ravel(), data.ravel())[0, 1] > 0.999
    assert res.outputs.out_file.shape == head.shape


def test_volume_dilate_fills_holes_from_neighbours(head):
    data = np.asarray(head.dataobj, dtype=np.float32).copy()
    holed = data.copy()
    holed[45, 54, 45] = 0.0  # one bad voxel inside the head
    img = imagecache.load(volume_math().run(
        expression="x", variables={"x": nib.Nifti1Image(holed, head.affine)}
    ).outputs.out_file.get_filename())
    res = volume_dilate().run(in_file=img, distance=2.0, method="NEAREST")
    assert res.input_files["in_file"].origin == "original"  # a tool's output: no write
    filled = res.outputs.out_file.get_fdata()
    neighbours = [holed[45 + dx, 54 + dy, 45 + dz] for dx, dy, dz in
                  [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]]
    assert min(neighbours) <= filled[45, 54, 45] <= max(neighbours)  # a neighbour's value
    assert filled[45, 54, 45] > 0
    np.testing.assert_array_equal(filled[holed > 0], holed[holed > 0])
