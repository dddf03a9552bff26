"""End to end with the STAND-IN executables (tests/fsl_standins/bin, NOT FSL)
for every fslmaths class: an in-memory image in (handed over as a
temporary), the output computed as the stand-in computes it, named as nipype
names it, and passed by its own file (nothing written) to fslstats, whose
mean must be that of the loaded output.
"""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest

from fsl_standins.testing import standin_calls, standin_fsl  # noqa: F401 (fixture)
from interfaces import fsl

AFFINE = np.diag([2.0, 2.0, 2.0, 1.0])


def _series(shape=(4, 5, 6, 7), seed=3):
    """A 4D image made in memory (it has no file): handed over as a temporary."""
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random(shape) * 100).astype(np.float32), AFFINE)


def _kept(v):
    return v  # the stand-in keeps the data of filters it does not compute


# (class, inputs besides in_file, output trait, default output name, expected(values))
CASES = [
    (fsl.MathsCommand, {"nan2zeros": True}, "out_file", "in_file_maths", _kept),
    (fsl.ChangeDataType, {"output_datatype": "short"}, "out_file", "in_file_chdt",
     lambda v: np.trunc(v)),
    (fsl.MeanImage, {}, "out_file", "in_file_mean", lambda v: v.mean(-1)),
    (fsl.MaxImage, {}, "out_file", "in_file_max", lambda v: v.max(-1)),
    (fsl.MaxnImage, {}, "out_file", "in_file_maxn", lambda v: v.argmax(-1)),
    (fsl.MinImage, {}, "out_file", "in_file_min", lambda v: v.min(-1)),
    (fsl.MedianImage, {}, "out_file", "in_file_median", lambda v: np.median(v, -1)),
    (fsl.StdImage, {}, "out_file", "in_file_std", lambda v: v.std(-1)),
    (fsl.AR1Image, {}, "out_file", "in_file_ar1", lambda v: np.zeros(v.shape[:3])),
    (fsl.PercentileImage, {"perc": 75.0}, "out_file", "in_file_perc",
     lambda v: np.percentile(v, 75, axis=-1)),
    (fsl.IsotropicSmooth, {"fwhm": 4.0}, "out_file", "in_file_smooth", _kept),
    (fsl.Smooth, {"sigma": 2.0}, "smoothed_file", "in_file_smooth", _kept),
    (fsl.DilateImage, {"operation": "max", "kernel_shape": "box", "kernel_size": 3.0},
     "out_file", "in_file_dil", _kept),
    (fsl.ErodeImage, {"kernel_shape": "sphere", "kernel_size": 2.0}, "out_file",
     "in_file_ero", _kept),
    (fsl.SpatialFilter, {"operation": "median", "kernel_shape": "3D"}, "out_file",
     "in_file_filt", _kept),
    (fsl.TemporalFilter, {"highpass_sigma": 25.0}, "out_file", "in_file_filt", _kept),
    (fsl.UnaryMaths, {"operation": "sqrt"}, "out_file", "in_file_sqrt", np.sqrt),
    (fsl.Threshold, {"thresh": 40.0}, "out_file", "in_file_thresh",
     lambda v: np.where(v < 40, 0, v)),
    (fsl.BinaryMaths, {"operation": "mul", "operand_value": 0.5}, "out_file",
     "in_file_maths", lambda v: v * 0.5),
    (fsl.fslmaths, {"op_string": "-sub 10 -abs"}, "out_file", "in_file_maths",
     lambda v: np.abs(v - 10)),
    (fsl.ImageMaths, {"op_string": "-mul 3"}, "out_file", "in_file_maths", lambda v: v * 3),
]


@pytest.mark.parametrize("cls,inputs,output,name,expected", CASES,
                         ids=[case[0].__name__ for case in CASES])
def test_an_in_memory_image_through_each_fslmaths_class_into_fslstats(
        standin_fsl, tmp_path, cls, inputs, output, name, expected):
    img = _series()
    values = img.get_fdata()
    res = cls().run(in_file=img, **inputs)
    assert res.input_files["in_file"].origin == "temporary"
    out = getattr(res.outputs, output)
    assert os.path.basename(out.get_filename()) == name + ".nii.gz"
    assert np.allclose(out.get_fdata(), expected(values), atol=1e-3)
    # chained: the output's own file to fslstats, which reads that file
    stats = fsl.fslstats().run(in_file=out, op_string="-m")
    assert stats.input_files["in_file"].origin == "original"
    assert stats.input_files["in_file"].path == out.get_filename()
    assert stats.bytes_written == 0
    assert stats.outputs.out_stat == pytest.approx(out.get_fdata().mean(), rel=1e-4, abs=1e-4)
    assert [c["tool"] for c in standin_calls(tmp_path)] == ["fslmaths", "fslstats"]


def test_multi_image_maths_takes_outputs_as_operands(standin_fsl, tmp_path):
    series = _series()
    a = nib.Nifti1Image(series.get_fdata()[..., 0].astype(np.float32), AFFINE)
    b = nib.Nifti1Image(series.get_fdata()[..., 1].astype(np.float32), AFFINE)
    mean = fsl.MeanImage().run(in_file=series).outputs.out_file
    res = fsl.MultiImageMaths().run(in_file=a, op_string="-add %s -sub %s",
                                    operand_files=[b, mean])
    assert res.input_files["in_file"].origin == "temporary"
    kinds = [p.origin for p in res.input_files["operand_files"]]
    assert kinds == ["temporary", "original"]  # the chained mean: its own file
    out = res.outputs.out_file
    expected = a.get_fdata() + b.get_fdata() - series.get_fdata().mean(-1)
    assert np.allclose(out.get_fdata(), expected, atol=1e-3)
    # and its output into the next class, by its file
    mask = fsl.UnaryMaths().run(in_file=out, operation="bin")
    assert mask.bytes_written == 0
    assert np.array_equal(mask.outputs.out_file.get_fdata(), (expected != 0).astype(float))
    assert [c["tool"] for c in standin_calls(tmp_path)] == ["fslmaths"] * 3
