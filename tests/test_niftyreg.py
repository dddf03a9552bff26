"""NiftyReg through the interfaces: real executables from the niftyreg package,
real data (the ch2 head), results checked against a known transform."""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest
from tools import ch2_downsampled, moved_pair, require_tool, rigid_error, rigid_matrix

from interfaces.base import ExecutableNotFoundError, Family, Undefined
from interfaces.niftyreg import (
    NIFTYREG, read_affine, reg_aladin, reg_f3d, reg_jacobian, reg_measure, reg_resample,
    reg_transform,
)

TRUE = rigid_matrix()


@pytest.fixture(scope="module")
def pair():
    """(fixed, moving): the 2 mm ch2 head, and the same voxels with their
    affine moved by a known rigid transform (both in memory)."""
    return moved_pair(TRUE)


@pytest.fixture(scope="module")
def aladin(pair, tmp_path_factory):
    require_tool("reg_aladin")
    fixed, moving = pair
    # -speeeeed is both faster and, on this pair, closer (0.05 deg against 0.5).  A module
    # fixture runs before the per-test run folder is set: a folder of its own.
    return reg_aladin().run(ref_file=fixed, flo_file=moving, rig_only=True, speeeeed=True,
                            omp=1, workdir=tmp_path_factory.mktemp("aladin-run"))


def test_executables_are_found_in_the_niftyreg_package(monkeypatch):
    require_tool("reg_aladin")
    import niftyreg
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # not on PATH: found through the package
    NIFTYREG._found.clear()
    path = reg_aladin.executable_path()
    assert path == os.path.join(niftyreg.bin_path, "reg_aladin")
    assert reg_aladin.version().startswith("1.")


def test_bin_dirs_that_fail_count_as_none():
    def broken():
        raise ImportError("No module named 'notinstalled'")

    family = Family("x", bin_dirs=broken, package_hint="pip install notinstalled")
    assert family.find_executable("reg_aladin_nowhere") is None
    assert "pip install notinstalled" in family.missing_message("reg_aladin_nowhere")


def test_missing_executable_names_the_package_folder(monkeypatch):
    require_tool("reg_aladin")
    family = Family("nr", bin_dirs=NIFTYREG.bin_dirs, package_hint="pip install niftyreg")

    class reg_nothing(reg_measure):
        executable = "reg_nothing_here"

    monkeypatch.setattr(reg_nothing, "family", family)
    with pytest.raises(ExecutableNotFoundError) as info:
        reg_nothing().run(ref_file="a.nii", flo_file="b.nii")
    assert "niftyreg" in str(info.value) and "pip install niftyreg" in str(info.value)


def test_reg_aladin_recovers_a_known_rigid_transform(aladin):
    degrees, mm = rigid_error(aladin.outputs.affine, TRUE)
    assert degrees < 1.0 and mm < 1.0, (degrees, mm)
    # the array output is the file the tool wrote, read back
    np.testing.assert_array_equal(aladin.outputs.affine, read_affine(aladin.outputs.aff_file))
    # both inputs were in memory: each went to the tool as a temporary
    for name in ("ref_file", "flo_file"):
        assert aladin.input_files[name].origin == "temporary"
        assert aladin.input_files[name].bytes_written > 0
    assert aladin.outputs.res_file.shape == pair_shape(aladin)


def pair_shape(result):
    return nib.load(result.input_files["ref_file"].path).shape


def test_reg_resample_with_an_array_affine_undoes_the_motion(pair, aladin):
    fixed, moving = pair
    res = reg_resample().run(ref_file=fixed, flo_file=moving, aff=aladin.outputs.affine,
                             inter=1)
    assert res.inputs["aff"] is not None
    written = [a for a in res.argv if a.endswith("aff.txt")]
    assert written and np.allclose(read_affine(written[0]), aladin.outputs.affine)
    back = np.asarray(res.outputs.res_file.dataobj)
    head = np.asarray(fixed.dataobj) > 20
    corr = np.corrcoef(back[head], np.asarray(fixed.dataobj)[head])[0, 1]
    assert corr > 0.98, corr


def test_reg_transform_inverts_and_reg_jacobian_of_rigid_is_one(pair, aladin, tmp_path):
    require_tool("reg_transform")
    fixed, _ = pair
    inverse = reg_transform().run(operation="invAff", in_files=[aladin.outputs.aff_file],
                                  out_file=tmp_path / "inv.txt")
    product = read_affine(inverse.outputs.out_file) @ aladin.outputs.affine
    np.testing.assert_allclose(product, np.eye(4), atol=1e-5)

    field = reg_transform().run(ref_file=fixed, operation="def",
                                in_files=[aladin.outputs.aff_file],
                                out_file=tmp_path / "def.nii")
    jac = reg_jacobian().run(trans_file=field.outputs.out_file, ref_file=fixed)
    values = np.asarray(jac.outputs.jac_file.dataobj)
    np.testing.assert_allclose(values, 1.0, atol=1e-3)  # a rigid motion keeps volumes
    assert jac.outputs.jac_m_file is Undefined  # not asked for


def test_reg_measure_parses_only_what_was_asked(pair):
    require_tool("reg_measure")
    fixed, moving = pair
    same = reg_measure().run(ref_file=fixed, flo_file=fixed, ncc=True, ssd=True)
    assert same.outputs.ncc == pytest.approx(1.0, abs=1e-4)
    assert same.outputs.ssd == pytest.approx(0.0, abs=1e-4)
    assert same.outputs.nmi is Undefined and same.outputs.lncc is Undefined
    moved = reg_measure().run(ref_file=fixed, flo_file=moving, ncc=True)
    assert moved.outputs.ncc < 0.95  # the motion is visible to the measure
    # the same in-memory image is written once and reused
    assert moved.input_files["ref_file"].reused


def test_reg_f3d_runs_and_improves_the_match(tmp_path):
    require_tool("reg_f3d")
    fixed = ch2_downsampled(4)
    data = np.asarray(fixed.dataobj)
    # a smooth, non-rigid change: stretch along x by 4%
    scale = np.diag([1.04, 1.0, 1.0, 1.0])
    moving = nib.Nifti1Image(data, scale @ fixed.affine)
    res = reg_f3d().run(ref_file=fixed, flo_file=moving, ln=2, maxit=30, sx=-3, omp=1,
                        cpp_file=tmp_path / "cpp.nii")
    assert res.outputs.cpp_file.get_filename() == str(tmp_path / "cpp.nii")
    before = reg_measure().run(ref_file=fixed, flo_file=moving, ncc=True).outputs.ncc
    after = reg_measure().run(ref_file=fixed, flo_file=res.outputs.res_file, ncc=True).outputs.ncc
    assert after > before + 0.01, (before, after)
