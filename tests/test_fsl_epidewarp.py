"""End to end with the STAND-IN of FreeSurfer's ``epidewarp.fsl``
(tests/fsl_standins/bin, NOT the script, NOT FSL): in-memory field map and
EPI images in, the shift map, dewarped volumes and the mask found and
loaded, and chained into fugue and fslmaths."""

from __future__ import annotations

import os
import warnings

import nibabel as nib
import numpy as np
import pytest

from fsl_standins.testing import standin_calls, standin_fsl  # noqa: F401 (fixture)
from interfaces import fsl
from interfaces.base import InputError, Undefined


def _img(shape, seed=0):
    rng = np.random.default_rng(seed)
    return nib.Nifti1Image((rng.random(shape) * 4095).astype(np.float32),
                           np.diag([3.0, 3.0, 3.0, 1.0]))



def test_an_epi_series_unwarped_and_its_shift_map_chained(standin_fsl, tmp_path):
    mag, phase, epi = _img((6, 7, 8, 2), 1), _img((6, 7, 8), 2), _img((6, 7, 8, 4), 3)
    res = fsl.epidewarp().run(mag_file=mag, dph_file=phase, epi_file=epi, tediff=2.46)
    out = res.outputs
    argv = standin_calls(tmp_path)[-1]["argv"]
    assert argv[:2] == ["--mag", res.argv[2]] and "--epidw" in argv
    assert out.unwarped_file.shape == (6, 7, 8, 4)
    assert np.array_equal(out.unwarped_file.get_fdata(), epi.get_fdata())
    assert os.path.basename(out.unwarped_file.get_filename()) == "epi_file_epidw.nii.gz"
    assert out.vsm_file.shape == (6, 7, 8)
    assert out.vsm_file.get_filename() == out.vsm.get_filename()
    assert os.path.basename(out.exfdw.get_filename()) == "exfdw.nii.gz"  # EPI's middle volume
    assert out.exf_mask.get_filename() == os.path.join(out.tmpdir, "brainexf.nii.gz")
    # chained: the shift map into fugue, the series into fslmaths
    fugue = fsl.fugue().run(in_file=out.unwarped_file, shift_in_file=out.vsm_file,
                            unwarped_file=True)
    assert fugue.outputs.unwarped_file.shape == (6, 7, 8, 4)
    assert "--loadshift=" + out.vsm_file.get_filename() in standin_calls(tmp_path)[-1]["argv"]
    mean = fsl.MeanImage(in_file=out.unwarped_file, dimension="T").run().outputs.out_file
    assert mean.shape == (6, 7, 8)


def test_an_example_volume_only_and_cleanup(standin_fsl, tmp_path):
    mag, phase, exf = _img((6, 7, 8), 1), _img((6, 7, 8), 2), _img((6, 7, 8), 4)
    res = fsl.epidewarp().run(mag_file=mag, dph_file=phase, exf_file=exf, cleanup=True)
    out = res.outputs
    assert out.unwarped_file is Undefined and "--epidw" not in res.argv
    # named after the input, an image in memory: by the input's name
    assert os.path.basename(out.exfdw.get_filename()) == "exf_file_exfdw.nii.gz"
    assert out.exf_mask is Undefined and out.tmpdir is Undefined  # cleaned up
    assert np.array_equal(out.exfdw.get_fdata(), exf.get_fdata())


def test_one_of_the_example_and_the_series_is_needed(standin_fsl):
    with pytest.raises(InputError, match="exf_file.*epi_file"):
        fsl.epidewarp().run(mag_file=_img((4, 4, 4)), dph_file=_img((4, 4, 4)))


def test_nipypes_epidewarp_names_what_ours_writes(tmp_path):
    nipype_fsl = pytest.importorskip("nipype.interfaces.fsl")
    paths = {}
    for name, shape in (("mag", (4, 4, 4)), ("dph", (4, 4, 4)), ("epi", (4, 4, 4, 3))):
        paths[name] = str(tmp_path / f"{name}.nii.gz")
        nib.save(_img(shape), paths[name])
    from interfaces.base.runner import DryRunner

    ours = fsl.epidewarp().run(mag_file=paths["mag"], dph_file=paths["dph"],
                               epi_file=paths["epi"], workdir=tmp_path,
                               runner=DryRunner()).outputs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = nipype_fsl.EPIDeWarp(mag_file=paths["mag"], dph_file=paths["dph"],
                                      epi_file=paths["epi"], output_type="NIFTI_GZ")
        listed = theirs._list_outputs()
    for name in ("unwarped_file", "vsm_file", "exfdw"):
        assert os.path.basename(getattr(ours, name)) == os.path.basename(listed[name]), name
    # nipype lists unwarped_file but does not ask the script for it
    assert "--epidw" not in theirs.cmdline and "--epidw" in fsl.epidewarp(
        mag_file=paths["mag"], dph_file=paths["dph"], epi_file=paths["epi"]).argv


# -- the base: "{input}" in a name template, for every kind of value -------------------


def test_an_input_named_in_a_template_by_its_file_its_name_or_its_value(tmp_path):
    from interfaces.base import (
        Enum, Image, InputSpec, Interface, OutputImage,
    )
    from interfaces.base.runner import DryRunner

    class named(Interface):
        executable = "true"

        class Inputs(InputSpec):
            source = Image(argstr="%s", desc="an image")
            mode = Enum("fast", "slow", argstr="--mode %s")
            out_file = OutputImage(argstr="-o %s", name_template="{source}_{mode}",
                                   desc="named after both")

    on_disk = tmp_path / "sub-01_T1w.nii.gz"
    nib.save(_img((3, 3, 3)), on_disk)
    for source, stem in ((str(on_disk), "sub-01_T1w"), (nib.load(on_disk), "sub-01_T1w"),
                         (_img((3, 3, 3)), "source")):   # in memory: the input's name
        out = named().run(source=source, mode="slow", workdir=tmp_path,
                          runner=DryRunner()).outputs.out_file
        assert os.path.basename(out).split(".")[0] == f"{stem}_slow", (source, out)
