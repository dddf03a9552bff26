"""End to end with the STAND-IN of ICA-AROMA's ``ICA_AROMA.py``
(tests/fsl_standins/bin, NOT ICA-AROMA, NOT FSL): an in-memory run's motion
from mcflirt, denoised as ``denoise_type`` asks, the outputs each
denoising writes and no other, and the result chained into the next tool;
and the base idea it needed: an output produced for an input's value."""

from __future__ import annotations

import os

import nibabel as nib
import numpy as np
import pytest

from fsl_standins.testing import standin_calls, standin_fsl  # noqa: F401 (fixture)
from interfaces import fsl
from interfaces.base import (
    Enum, File, InputError, InputSpec, Interface, OutputSpec, Undefined, any_of,
)
from interfaces.base.runner import DryRunner


def _series(seed=0):
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random((6, 7, 8, 5)) * 100).astype(np.float32),
                           np.diag([3.0, 3.0, 3.0, 1.0]))



@pytest.mark.parametrize("den,written", [
    ("nonaggr", {"nonaggr_denoised_file"}), ("aggr", {"aggr_denoised_file"}),
    ("both", {"nonaggr_denoised_file", "aggr_denoised_file"}), ("no", set()),
])
def test_an_in_memory_run_denoised_with_mcflirts_motion(standin_fsl, tmp_path, den, written):
    run = _series()
    moco = fsl.mcflirt().run(in_file=run, save_plots=True)
    res = fsl.ICA_AROMA().run(in_file=moco.outputs.out_file,
                              motion_parameters=moco.outputs.par_file, denoise_type=den)
    out = res.outputs
    call = standin_calls(tmp_path)[-1]
    assert call["tool"] == "ICA_AROMA.py"
    assert call["argv"][call["argv"].index("-mc") + 1] == moco.outputs.par_file
    assert os.path.basename(out.out_dir) == "out" and os.path.isdir(out.out_dir)
    for name in ("nonaggr_denoised_file", "aggr_denoised_file"):
        value = getattr(out, name)
        if name in written:
            assert value.shape == run.shape
            assert os.path.dirname(value.get_filename()) == out.out_dir
        else:
            assert value is Undefined
    with open(out.motion_ICs) as fh:
        assert fh.read().strip() == "1"
    assert open(out.classification_overview).readline().startswith("IC\t")
    assert len(np.loadtxt(out.feature_scores, ndmin=2)) == run.shape[3]
    if "nonaggr_denoised_file" in written:  # chained: the mean of the denoised run
        mean = fsl.MeanImage(in_file=out.nonaggr_denoised_file, dimension="T").run()
        assert mean.outputs.out_file.shape == run.shape[:3]
        assert standin_calls(tmp_path)[-1]["argv"][0] == out.nonaggr_denoised_file.get_filename()


def test_a_feat_folder_instead_of_the_run(standin_fsl, tmp_path):
    feat = tmp_path / "first.feat"
    (feat / "mc").mkdir(parents=True)
    nib.save(_series(1), feat / "filtered_func_data.nii.gz")
    np.savetxt(feat / "mc" / "prefiltered_func_data_mcf.par", np.zeros((5, 6)))
    res = fsl.ICA_AROMA().run(feat_dir=str(feat), out_dir=str(tmp_path / "aroma"))
    assert res.outputs.out_dir == str(tmp_path / "aroma")
    assert res.outputs.nonaggr_denoised_file.shape == (6, 7, 8, 5)
    with pytest.raises(InputError, match="feat_dir.*in_file|in_file.*feat_dir"):
        fsl.ICA_AROMA().run(feat_dir=str(feat), in_file=_series(), motion_parameters=str(
            feat / "mc" / "prefiltered_func_data_mcf.par"))
    with pytest.raises(InputError, match="motion_parameters"):
        fsl.ICA_AROMA().run(in_file=_series())


def test_the_outputs_each_denoising_writes_are_nipypes(tmp_path):
    nipype_fsl = pytest.importorskip("nipype.interfaces.fsl")
    par = tmp_path / "mc.par"
    np.savetxt(par, np.zeros((5, 6)))
    data = tmp_path / "run.nii.gz"
    nib.save(_series(), data)
    for den in ("nonaggr", "aggr", "both", "no"):
        planned = fsl.ICA_AROMA().run(in_file=str(data), motion_parameters=str(par),
                                      denoise_type=den, workdir=tmp_path,
                                      runner=DryRunner()).outputs
        theirs = nipype_fsl.ICA_AROMA(in_file=str(data), motion_parameters=str(par),
                                      denoise_type=den)._list_outputs()
        for name in ("nonaggr_denoised_file", "aggr_denoised_file"):
            ours = getattr(planned, name)
            if isinstance(theirs.get(name), str):  # nipype's Undefined otherwise
                assert os.path.basename(ours) == os.path.basename(theirs[name]), (den, name)
            else:
                assert ours is Undefined, (den, name)


# -- the base idea: an output produced when an input has a value ----------------------


class _modes(Interface):
    executable = "true"

    class Inputs(InputSpec):
        mode = Enum("a", "b", "ab", usedefault=True, argstr="--mode %s")

    class Outputs(OutputSpec):
        a_file = File(name_template="a.txt", requires=any_of(("mode", "a"), ("mode", "ab")),
                      desc="written for a and ab")
        b_file = File(name_template="b.txt", requires=[("mode", "b")], desc="for b")


@pytest.mark.parametrize("mode,expected", [("a", {"a_file"}), ("b", {"b_file"}),
                                           ("ab", {"a_file"})])
def test_an_output_for_an_inputs_value(tmp_path, mode, expected):
    planned = _modes().run(mode=mode, workdir=tmp_path, runner=DryRunner()).outputs
    for name in ("a_file", "b_file"):
        value = getattr(planned, name)
        assert (value is not Undefined) == (name in expected), (mode, name)
    text = _modes.help()
    assert "When mode is 'a' or mode is 'ab'." in text and "When mode is 'b'." in text


def test_the_value_conditions_survive_a_boutiques_round_trip(tmp_path):
    pytest.importorskip("boutiques", reason="pip install boutiques (test extra)")
    from interfaces import boutiques

    descriptor = boutiques.export(_modes)
    by_id = {o["id"]: o for o in descriptor["output-files"]}
    assert [next(iter(c)) for c in by_id["a_file"]["conditional-path-template"]] == [
        "mode == 'a'", "mode == 'ab'"]
    assert next(iter(by_id["b_file"]["conditional-path-template"][0])) == "mode == 'b'"
    loaded = boutiques.load(descriptor)
    for mode in ("a", "b", "ab"):
        ours = _modes().run(mode=mode, workdir=tmp_path, runner=DryRunner()).outputs
        back = loaded().run(mode=mode, workdir=tmp_path, runner=DryRunner()).outputs
        for name in ("a_file", "b_file"):
            assert (getattr(ours, name) is Undefined) == (getattr(back, name) is Undefined)
