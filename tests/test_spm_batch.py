"""SPM wrappers without running anything: MATLAB literals, engine choice, and
the job structures cross-checked against nipype's SPM interfaces.

nipype is a test-only peer: ``Interface._parse_inputs()`` gives the job it
would send to SPM, without MATLAB (``use_mcr=True`` and a mocked
``spm.Info.getinfo`` keep it from looking for MATLAB).
"""

from __future__ import annotations

import os
import shutil
import stat
from unittest import mock

import nibabel as nib
import numpy as np
import pytest

import interfaces.spm as spm
from interfaces.base import ExecutableNotFoundError, InputError
from interfaces.spm import engines
from interfaces.spm.mcode import Cell, Code, assignments, literal, string

NIB_DATA = os.path.join(os.path.dirname(nib.__file__), "tests", "data")


# -- MATLAB literals ------------------------------------------------------------

def test_strings_are_exact_matlab_literals():
    assert string("/data/it's here.nii") == "'/data/it''s here.nii'"
    assert string("") == "''"
    assert string("a\nb\tc") == "['a' char(10) 'b' char(9) 'c']"
    assert string("\n") == "char(10)"
    assert string("naïve ü") == "'naïve ü'"  # the .m file is UTF-8


def test_values_become_matlab_values():
    assert literal(True) == "1" and literal(False) == "0"
    assert literal(3) == "3"
    assert literal(0.1) == "0.1"
    assert literal(1e-05) == "1e-05"
    assert literal(float("inf")) == "Inf" and literal(float("-inf")) == "-Inf"
    assert literal(float("nan")) == "NaN"
    assert literal(np.float32(0.5)) == "0.5"
    assert literal([2, 1]) == "[2 1]"
    assert literal([]) == "[]"
    assert literal(((-78, -112, -70), (78, 76, 85))) == "[-78 -112 -70; 78 76 85]"
    assert literal(Cell(["a.nii,1", "a.nii,2"])) == "{'a.nii,1'; 'a.nii,2'}"
    assert literal(Cell([Cell(["a,1"]), Cell(["b,1"])], row=True)) == "{{'a,1'}, {'b,1'}}"
    assert literal(Code("fullfile(spm('Dir'), 'tpm')")) == "fullfile(spm('Dir'), 'tpm')"
    with pytest.raises(TypeError, match="cannot write"):
        literal(object())


def test_structs_and_struct_arrays_become_assignments():
    lines = assignments("m{1}.spm.x", {"a": {"b": 1}, "t": [{"n": 1}, {"n": 2}], "s": "q'"})
    assert lines == [
        "m{1}.spm.x.a.b = 1;",
        "m{1}.spm.x.t(1).n = 1;",
        "m{1}.spm.x.t(2).n = 2;",
        "m{1}.spm.x.s = 'q''';",
    ]


# -- engines -------------------------------------------------------------------

def _program(folder, name):
    path = os.path.join(folder, name)
    with open(path, "w") as fh:
        fh.write("#!/bin/sh\nexit 0\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def clean_engine_env(monkeypatch, tmp_path):
    """No SPM variables, a PATH holding only tmp_path/bin, no Python setting."""
    for var in ("SPM_ENGINE", "SPM_PATH", "SPM_STANDALONE", "SPM_MATLAB", "SPM_OCTAVE"):
        monkeypatch.delenv(var, raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    previous = spm.configure()
    yield bin_dir
    spm.configure(**previous)


def test_engine_choice_follows_configuration_then_environment_then_install(
        clean_engine_env, monkeypatch, tmp_path):
    bin_dir = clean_engine_env
    assert spm.find_engine() is None  # nothing installed, nothing said
    octave = _program(bin_dir, "octave-cli")
    assert spm.find_engine() is None  # Octave alone: SPM's folder must be known
    monkeypatch.setenv("SPM_PATH", str(tmp_path))
    engine = spm.find_engine()
    assert (engine.kind, engine.command, engine.spm_path) == (
        "octave", (octave, "--no-history", "-q"), str(tmp_path))
    assert engine.argv("/w/job.m") == [octave, "--no-history", "-q", "/w/job.m"]

    matlab = _program(bin_dir, "matlab")
    engine = spm.find_engine()
    assert engine.kind == "matlab"  # preferred over Octave when both are there
    assert engine.argv("/w/it's/job.m") == [matlab, "-batch", "run('/w/it''s/job.m')"]
    monkeypatch.setenv("SPM_ENGINE", "octave")
    assert spm.find_engine().kind == "octave"

    runner = _program(tmp_path, "run_spm12.sh")
    monkeypatch.setenv("SPM_STANDALONE", f"{runner} /opt/mcr/v97")
    monkeypatch.delenv("SPM_ENGINE")
    engine = spm.find_engine()
    assert engine.kind == "standalone"
    assert engine.argv("/w/job.m") == [runner, "/opt/mcr/v97", "script", "/w/job.m"]

    spm.configure("octave", spm_path=tmp_path / "spm12")  # Python wins
    engine = spm.find_engine()
    assert (engine.kind, engine.spm_path) == ("octave", str(tmp_path / "spm12"))
    spm.configure()
    assert spm.find_engine().kind == "standalone"

    monkeypatch.delenv("SPM_STANDALONE")
    monkeypatch.delenv("SPM_PATH")
    _program(bin_dir, "spm12")
    assert spm.find_engine().command == (str(bin_dir / "spm12"),)  # found on PATH

    monkeypatch.setenv("SPM_ENGINE", "fortran")
    with pytest.raises(ValueError, match="SPM_ENGINE='fortran'"):
        spm.find_engine()
    with pytest.raises(ValueError, match="not one of"):
        spm.configure("fortran")


def test_no_engine_fails_before_writing_anything(clean_engine_env, tmp_path):
    workdir = tmp_path / "run"
    with pytest.raises(ExecutableNotFoundError, match="SPM_PATH") as info:
        spm.smooth().run(in_files=[os.path.join(NIB_DATA, "anatomical.nii")], workdir=workdir)
    assert "SPM_STANDALONE" in str(info.value) and "configure" in str(info.value)
    assert not workdir.exists() or not any(workdir.iterdir())


def test_inputs_are_checked_before_anything_runs():
    with pytest.raises(InputError, match="in_files"):
        spm.smooth(fwhm=6).batch()
    with pytest.raises(InputError, match="expression"):
        spm.image_calculator(in_files=[os.path.join(NIB_DATA, "anatomical.nii")]).batch()


def test_every_module_is_listed_and_documented():
    from interfaces import all_interfaces

    listed = {n for n in all_interfaces() if n.startswith("spm.")}
    assert listed == {f"spm.{n}" for n in spm.__all__ if n[0].islower() and n not in (
        "configure", "find_engine")}
    assert len(listed) == 13
    assert "matlabbatch" not in spm.realign.help()  # help is about inputs/outputs
    assert "realignment_parameters" in spm.realign.help()


# -- cross-check with nipype ------------------------------------------------------

@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A 3-volume series and two 3D images (nipype reads their headers)."""
    folder = tmp_path_factory.mktemp("xcheck")
    func = nib.load(os.path.join(NIB_DATA, "functional.nii"))
    series = folder / "bold.nii"
    nib.save(nib.Nifti1Image(np.asarray(func.dataobj)[..., :3], func.affine), series)
    anat, other = folder / "anat.nii", folder / "other.nii"
    shutil.copyfile(os.path.join(NIB_DATA, "anatomical.nii"), anat)
    shutil.copyfile(os.path.join(NIB_DATA, "anatomical.nii"), other)
    return str(series), str(anat), str(other)


def canonical(value, strip_frame=False):
    """Comparable form of a job: ours (dicts, Cell) or nipype's (dicts,
    object arrays, one-element lists of dicts for structs)."""
    if isinstance(value, dict):
        return {k: canonical(v, strip_frame) for k, v in value.items()}
    if isinstance(value, Cell):
        return ("cell", [canonical(v, strip_frame) for v in value.items])
    if isinstance(value, np.ndarray) and value.dtype == object:
        return ("cell", [canonical(v, strip_frame) for v in value])
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        if len(value) == 1:  # a 1x1 struct array is a struct
            return canonical(value[0], strip_frame)
        return [canonical(v, strip_frame) for v in value]
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return canonical(value[0], strip_frame)  # nipype's ['a.nii'] inside a cell
    if isinstance(value, (list, tuple)):
        return [canonical(v, strip_frame) for v in value]
    if isinstance(value, (bool, int, float, np.number)):
        return float(value)
    if isinstance(value, str) and strip_frame and value.endswith(",1"):
        return value[:-2]
    return value


def test_job_structures_match_nipype(files):
    nipype_spm = pytest.importorskip("nipype.interfaces.spm")
    from nipype.interfaces.spm import base as nipype_base

    series, anat, other = files
    info = {"name": "SPM12", "path": "/opt/spm12", "release": "7771"}
    cases = [
        # (ours, nipype, what nipype sends that SPM does not take, strip frames)
        (spm.realign(in_files=[series, anat], which=(2, 1), quality=0.95, register_to_mean=True,
                     interpolation_write=4, wrap=(False, True, False)),
         nipype_spm.Realign(in_files=[series, anat], jobtype="estwrite", quality=0.95,
                            register_to_mean=True, write_interp=4, wrap=[0, 1, 0]),
         {}, False),
        (spm.realign_estimate(in_files=[series], separation=3.0),
         nipype_spm.Realign(in_files=[series], jobtype="estimate", separation=3.0),
         {"roptions"}, False),  # nipype adds write options to an estimate job
        (spm.reslice(in_files=[series], which=(2, 1), mask=True),
         nipype_spm.Realign(in_files=[series], jobtype="write", write_mask=True), {}, False),
        (spm.coregister(target=anat, source=other, apply_to_files=[anat],
                        cost_function="ncc", separation=[4.0, 2.0], fwhm=(7.0, 7.0)),
         nipype_spm.Coregister(target=anat, source=other, apply_to_files=[anat],
                               jobtype="estwrite", cost_function="ncc",
                               separation=[4.0, 2.0], fwhm=[7.0, 7.0]),
         {}, True),  # nipype names 3D files without ',1'
        (spm.coregister_estimate(target=anat, source=other, tolerance=[0.02] * 12),
         nipype_spm.Coregister(target=anat, source=other, jobtype="estimate",
                               tolerance=[0.02] * 12),
         {"roptions"}, True),
        (spm.coregister_reslice(target=anat, source=[other], interpolation_write=1),
         nipype_spm.Coregister(target=anat, source=[other], jobtype="write", write_interp=1),
         {}, True),
        (spm.normalise(in_file=anat, apply_to_files=[series, anat], tpm=other,
                       bounding_box=((-78, -112, -70), (78, 76, 85)), voxel_size=(2, 2, 2),
                       affine_regularisation="mni", bias_regularisation=0.0001),
         nipype_spm.Normalize12(image_to_align=anat, apply_to_files=[series], tpm=other,
                                jobtype="estwrite",
                                write_bounding_box=[[-78, -112, -70], [78, 76, 85]],
                                write_voxel_sizes=[2, 2, 2], affine_regularization_type="mni",
                                bias_regularization=0.0001),
         {}, "tpm"),  # nipype appends image_to_align to the images to write
        (spm.normalise_estimate(in_file=anat, sampling_distance=2.0),
         nipype_spm.Normalize12(image_to_align=anat, jobtype="est", sampling_distance=2.0),
         {"woptions", "subj.resample"}, False),
        (spm.normalise_write(deformation_field=other, apply_to_files=[series],
                             interpolation_write=1),
         nipype_spm.Normalize12(deformation_file=other, apply_to_files=[series],
                                jobtype="write", write_interp=1),
         {}, False),
        (spm.segment(in_files=[anat], bias_regularisation=0.0001, bias_fwhm=60.0,
                     write_bias=(True, True),
                     tissues=[((other, 1), 1, (True, False), (False, False)),
                              ((other, 2), 2, (True, True), (False, True))],
                     write_deformation_fields=(True, True), sampling_distance=3.0),
         nipype_spm.NewSegment(channel_files=[anat], channel_info=(0.0001, 60.0, (True, True)),
                               tissues=[((other, 1), 1, (True, False), (False, False)),
                                        ((other, 2), 2, (True, True), (False, True))],
                               write_deformation_fields=[True, True], sampling_distance=3.0),
         {}, False),
        (spm.smooth(in_files=[series, anat], fwhm=[6, 6, 8], implicit_masking=True, data_type=16),
         nipype_spm.Smooth(in_files=[series, anat], fwhm=[6, 6, 8], implicit_masking=True,
                           data_type=16),
         {}, False),
        (spm.slice_timing(in_files=[series], num_slices=3, time_repetition=2.0,
                          time_acquisition=2.0 - 2.0 / 3, slice_order=[1, 3, 2], ref_slice=1),
         nipype_spm.SliceTiming(in_files=[series], num_slices=3, time_repetition=2.0,
                                time_acquisition=2.0 - 2.0 / 3, slice_order=[1, 3, 2],
                                ref_slice=1),
         {}, False),
    ]
    with mock.patch.object(nipype_base.Info, "getinfo", return_value=info):
        for ours, theirs, extra, strip in cases:
            theirs.inputs.use_mcr = True
            parsed = theirs._parse_inputs()[0]
            if type(ours).job.count(".") == 2:  # nipype wraps the job type in a dict
                (parsed,) = parsed.values()
            for dotted in extra:
                *parents, last = dotted.split(".")
                holder = parsed
                for key in parents:
                    holder = holder[key]
                holder.pop(last, None)
            mine = ours.batch()
            if ours.__class__ is spm.normalise:
                # nipype writes [series, anat] by appending image_to_align
                parsed["subj"]["resample"] = np.array(
                    list(parsed["subj"]["resample"]), dtype=object)
            if strip == "tpm":  # nipype frames SPM12's tpm file, which takes none
                parsed["eoptions"]["tpm"] = np.array([other], dtype=object)
                strip = False
            assert canonical(mine, strip) == canonical(parsed, strip), type(ours).__name__


# -- shapes SPM's configuration requires ------------------------------------------

def _numeric(ctrait) -> bool:
    """Whether an input's job value is numbers (not files, strings or structs)."""
    kind = type(ctrait.trait_type).__name__
    if kind == "List":
        return type(ctrait.inner_traits[0].trait_type).__name__ in ("Float", "Int")
    if kind == "Enum":
        return all(isinstance(v, int) for v in ctrait.handler.values)
    return kind in ("Float", "Int", "Bool", "Tuple", "TraitCompound")


def test_every_numeric_field_has_the_shape_spm_requires():
    from interfaces.spm.config import SHAPES

    checked = 0
    for name in spm.__all__:
        tool = getattr(spm, name)
        if not (isinstance(tool, type) and issubclass(tool, spm.SPMBatch)) or not tool.job:
            continue
        shapes = SHAPES[tool.job]
        for input_name, ctrait in tool.Inputs.spec_traits().items():
            if ctrait.struct:  # segment's tissues: each numeric field of the struct
                fields = [f"{ctrait.field}.{f}" for f in ctrait.struct if f != "tpm"]
            elif ctrait.field and _numeric(ctrait):
                fields = [ctrait.field]
            else:
                continue
            for field in fields:
                assert field in shapes, f"{tool.__name__}.{input_name}: {field}"
                checked += 1
    assert checked > 60


def test_numbers_take_the_shape_spm_requires(tmp_path):
    from interfaces.spm.config import conform, shape_of

    anat = os.path.join(NIB_DATA, "anatomical.nii")
    assert spm.smooth(in_files=[anat], fwhm=6).batch()["fwhm"] == [6.0, 6.0, 6.0]
    assert spm.smooth(in_files=[anat], fwhm=[4, 5, 6]).batch()["fwhm"] == [4, 5, 6]
    job = spm.normalise_write(deformation_field=anat, apply_to_files=[anat], voxel_size=2,
                              bounding_box=((-78, -112, -70), (78, 76, 85))).batch()
    assert job["woptions"]["vox"] == [2.0, 2.0, 2.0]
    assert job["woptions"]["bb"] == [[-78, -112, -70], [78, 76, 85]]
    job = spm.segment(in_files=[anat], tpm=anat, mrf=2).batch()
    assert job["warp"]["mrf"] == 2
    (tissue,) = job["tissue"]  # anatomical.nii is 3D: one class
    assert tissue == {"tpm": Cell([f"{anat},1"]), "ngaus": 1, "native": [1, 0], "warped": [0, 0]}

    with pytest.raises(InputError, match=r"input 'tpm' names .*not an image a tissue map"):
        notes = tmp_path / "notes.txt"
        notes.write_text("not an image")
        spm.segment(in_files=[anat], tpm=notes).batch()
    with pytest.raises(InputError, match=r"input 'fwhm' .*'FWHM'.*required \[1 3\]"):
        spm.smooth(in_files=[anat], fwhm=[6, 6]).batch()
    job = spm.realign(in_files=[anat], wrap=True, wrap_write=(False, True, False),
                      fwhm=5).batch()
    assert (job["eoptions"]["wrap"], job["roptions"]["wrap"]) == ([1, 1, 1], [0, 1, 0])
    assert job["eoptions"]["fwhm"] == 5  # realign's smoothing is one number
    assert spm.coregister_estimate(target=anat, source=anat, fwhm=7).batch()[
        "eoptions"]["fwhm"] == [7.0, 7.0]
    # Five distinct terms: one number does not stand for all of them.
    with pytest.raises(InputError, match=r"'warping_regularisation'.*\[1 5\]"):
        spm.normalise_estimate(in_file=anat, warping_regularisation=[1.0]).batch()
    with pytest.raises(InputError, match=r"'separation'.*'Separation'.*one or more"):
        spm.coregister_estimate(target=anat, source=anat, separation=[]).batch()
    # A bounding box has two corners: one number is not expanded to it.
    with pytest.raises(InputError, match=r"input 'bb'.*'Bounding box'.*2 rows of 3"):
        conform("spm.x", "spatial.normalise.write", "woptions.bb", 2.0, "bb")
    assert conform("spm.x", "spatial.coreg.estimate", "eoptions.sep", 4.0, "s") == 4.0
    assert conform("spm.x", "spatial.coreg.estimate", "eoptions.sep", [4, 2], "s") == [4, 2]
    assert conform("spm.x", "spatial.smooth", "prefix", "s", "p") == "s"  # no shape known
    assert [shape_of(v) for v in (1, [1, 2], [[1, 2, 3], [4, 5, 6]], [], "a", [[1], [1, 2]])] \
        == [(1, 1), (1, 2), (2, 3), (0, 0), None, None]


# -- SPM's output -------------------------------------------------------------------

#: What SPM12 prints for a segment job whose tissue map is missing (MATLAB),
#: after a refused value.
SPM_LOG = """\
Warning: Item 'Voxel size', field 'val': Size mismatch (required [1  1], present [1  3]).
------------------------------------------------------------------------
03-Dec-2026 06:00:00 - Running job #1
------------------------------------------------------------------------
03-Dec-2026 06:00:00 - Running 'Segment'
03-Dec-2026 06:00:01 - Failed  'Segment'
Error using spm_vol>spm_vol_hdr (line 80)
File "/opt/spm12/tpm/TPM.nii" does not exist.
In file "/opt/spm12/spm_vol.m" (v7147), function "spm_vol_hdr" at line 80.
In file "/opt/spm12/spm_vol.m" (v7147), function "spm_vol" at line 61.

The following modules did not run:
Failed: Segment
"""


def test_spm_output_gives_refused_values_and_the_cause_of_a_failure():
    from interfaces.spm.output import config_messages, error_lines

    assert config_messages(SPM_LOG) == [
        "Item 'Voxel size', field 'val': Size mismatch (required [1  1], present [1  3])."]
    assert error_lines(SPM_LOG) == [
        "Failed  'Segment'",
        "Error using spm_vol>spm_vol_hdr (line 80)",
        'File "/opt/spm12/tpm/TPM.nii" does not exist.',
    ]
    octave = "Item 'FWHM', field 'val': Size mismatch (required [1  3], present [1  1]).\n" * 2
    assert len(config_messages(octave)) == 1  # each once
    assert config_messages("Running 'Smooth'\nDone    'Smooth'\n") == []
    assert config_messages("Item 'Warping & MRF': No field(s) named\n") == [
        "Item 'Warping & MRF': No field(s) named"]
    assert error_lines("Running 'Smooth'\nDone    'Smooth'\nDone\n") == []
    many = "Failed  'Smooth'\n" + "".join(f"line {k}\n" for k in range(40))
    lines = error_lines(many)
    assert len(lines) == 13 and lines[-1].startswith("... (29 more lines")
