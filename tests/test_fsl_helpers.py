"""The FSL helpers that run nothing: matrices, stdout parsers, the fslmaths chain."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest

from interfaces import fsl
from interfaces.base import Undefined
from interfaces.fsl.utils import parse_numbers, parse_table


def test_matrix_round_trip_and_errors(tmp_path):
    matrix = np.array([[0.9, 0.1, 0, 2.5], [-0.1, 0.9, 0, -1], [0, 0, 1, 3.25], [0, 0, 0, 1]])
    path = fsl.save_matrix(matrix, tmp_path / "m.mat")
    assert np.allclose(fsl.load_matrix(path), matrix)
    (tmp_path / "bad.mat").write_text("1 2 3\n4 5 6\n")
    with pytest.raises(ValueError, match="2x3 matrix; an FSL affine matrix is 4x4"):
        fsl.load_matrix(tmp_path / "bad.mat")
    (tmp_path / "text.mat").write_text("not a matrix\n")
    with pytest.raises(ValueError, match="not an FSL matrix"):
        fsl.load_matrix(tmp_path / "text.mat")
    with pytest.raises(ValueError, match="4x4"):
        fsl.save_matrix(np.eye(3), tmp_path / "x.mat")


@pytest.mark.parametrize("stdout,expected", [
    ("412.700012 \n", 412.700012),
    ("12 \n", 12),
    ("0.000000 981.000000 \n", [0.0, 981.0]),
    ("1 2\n3 4\n", [[1, 2], [3, 4]]),
    ("1e-05 \n", 1e-05),
    ("RADIOLOGICAL\n", "RADIOLOGICAL"),
])
def test_parse_numbers(stdout, expected):
    assert parse_numbers(stdout) == expected
    assert type(parse_numbers(stdout)) is type(expected)


def test_parse_numbers_of_nothing_is_undefined():
    assert parse_numbers("") is Undefined and parse_numbers("\n \n") is Undefined


def test_parse_table():
    table = "Cluster Index\tVoxels\tMAX\n2\t30\t4.5\n1\t12\t3.1\n"
    assert parse_table(table) == [{"Cluster Index": 2, "Voxels": 30, "MAX": 4.5},
                                  {"Cluster Index": 1, "Voxels": 12, "MAX": 3.1}]
    assert parse_table("") == [] and parse_table("no table here\n") == []


def test_maths_chain_spelling():
    img = nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4))
    chain = fsl.maths(img).thrp(10).smooth(2.5).kernel_sphere(3).fillh().Tmean()
    assert chain.op_string == "-thrp 10 -s 2.5 -kernel sphere 3 -fillh -Tmean"
    assert chain.operand_files == []
    with_images = fsl.maths(img).add(img).max("other.nii.gz").op("-mas", img)
    assert with_images.op_string == "-add %s -max %s -mas %s"
    assert with_images.operand_files[1] == "other.nii.gz"
    spec = with_images.interface().inputs
    assert spec.op_string == with_images.op_string and len(spec.operand_files) == 3
    with pytest.raises(TypeError, match="number"):
        fsl.maths(img).thrp(True)
