"""elastix and transformix through the interfaces: parameter maps from dicts
and files, the output folder made for the tool, a known rigid transform
recovered on the ch2 head, transformix's image, field and Jacobian."""

from __future__ import annotations

import os

import numpy as np
import pytest
from tools import moved_pair, require_tool, rigid_error, rigid_matrix

from interfaces.base import Undefined
from interfaces.elastix import (
    elastix, parameter_map, ras_affine, read_parameter_file, transformix, write_parameter_file,
)

TRUE = rigid_matrix()
RIGID = parameter_map("rigid", Metric="AdvancedMeanSquares")


@pytest.fixture(scope="module")
def pair():
    return moved_pair(TRUE)


@pytest.fixture(scope="module")
def registered(pair, tmp_path_factory):
    require_tool("elastix")
    fixed, moving = pair
    # A module fixture runs before the per-test run folder is set: a folder of its own.
    return elastix().run(fixed_image=fixed, moving_image=moving, parameters=[RIGID], threads=2,
                         workdir=tmp_path_factory.mktemp("elastix-run"))


def test_parameter_maps_round_trip_through_files(tmp_path):
    params = parameter_map("affine", NumberOfResolutions=2, GridSpacing=[1.5, 2.0, 3],
                           UseThing=False, Metric=None)
    path = tmp_path / "p.txt"
    write_parameter_file(params, path)
    text = path.read_text()
    assert '(Transform "AffineTransform")' in text
    assert "(NumberOfResolutions 2)" in text and '(UseThing "false")' in text
    assert "Metric " not in text  # None removes a parameter
    back = read_parameter_file(path)
    assert back["GridSpacing"] == [1.5, 2.0, 3]
    assert back["UseThing"] == "false" and back["NumberOfResolutions"] == 2


def test_bad_parameter_maps_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown kind"):
        parameter_map("warp")
    with pytest.raises(ValueError, match="quotes"):
        write_parameter_file({"Transform": 'a"b'}, tmp_path / "x.txt")


def test_elastix_recovers_a_known_rigid_transform(registered):
    maps = registered.outputs.transform_parameters
    assert [m["Transform"] for m in maps] == ["EulerTransform"]
    degrees, mm = rigid_error(ras_affine(maps[-1]), TRUE)
    assert degrees < 1.0 and mm < 1.0, (degrees, mm)


def test_elastix_writes_into_the_folder_made_for_it(registered):
    out_dir = registered.outputs.out_dir
    assert os.path.isdir(out_dir) and registered.argv[registered.argv.index("-out") + 1] == out_dir
    assert registered.outputs.log_file == os.path.join(out_dir, "elastix.log")
    assert registered.outputs.transform_parameter_files == [
        os.path.join(out_dir, "TransformParameters.0.txt")]
    # the dict passed was written as a parameter file in the run's folder
    p_file = registered.argv[registered.argv.index("-p") + 1]
    assert read_parameter_file(p_file)["Transform"] == "EulerTransform"
    [result] = registered.outputs.result_images
    assert result.shape == (90, 108, 90)


def test_elastix_accepts_parameter_files_and_several_stages(pair, tmp_path):
    require_tool("elastix")
    fixed, moving = pair
    path = tmp_path / "translation.txt"
    write_parameter_file(parameter_map("translation", NumberOfResolutions=1,
                                       MaximumNumberOfIterations=20,
                                       WriteResultImage=False), path)
    short = parameter_map("rigid", NumberOfResolutions=1, MaximumNumberOfIterations=20,
                          Metric="AdvancedMeanSquares")
    res = elastix().run(fixed_image=fixed, moving_image=moving, parameters=[path, short],
                        threads=2)
    assert [m["Transform"] for m in res.outputs.transform_parameters] == [
        "TranslationTransform", "EulerTransform"]
    assert len(res.outputs.result_images) == 1  # the first stage wrote none


def test_transformix_image_field_and_jacobian(pair, registered):
    require_tool("transformix")
    fixed, moving = pair
    tp = registered.outputs.transform_parameters[-1]
    res = transformix().run(transform_parameters=tp, in_image=moving, deformation_field=True,
                            jacobian=True, threads=2)
    back = np.asarray(res.outputs.result_image.dataobj)
    head = np.asarray(fixed.dataobj) > 20
    assert np.corrcoef(back[head], np.asarray(fixed.dataobj)[head])[0, 1] > 0.99
    np.testing.assert_allclose(np.asarray(res.outputs.jacobian.dataobj), 1.0, atol=1e-4)
    # the field (ITK: LPS millimetres) is the transform minus the identity
    field = np.squeeze(np.asarray(res.outputs.deformation_field.dataobj))
    ijk = np.array([45, 54, 45])
    world = fixed.affine @ np.append(ijk, 1.0)
    expected = (ras_affine(tp) @ world - world)[:3] * [-1, -1, 1]
    np.testing.assert_allclose(field[tuple(ijk)], expected, atol=0.01)
    assert res.outputs.jacobian_matrix is Undefined  # not asked for
    assert res.outputs.output_points is Undefined
