"""SPM wrappers end to end: generated scripts run for real in Octave.

SPM cannot be installed here, so the scripts run against a TEST STAND-IN of
``spm``/``spm_jobman`` (tests/spm_standin/): it checks each job as SPM12's
batch system would (module fields, 'file,frame' cell arrays of existing
files, numbers, strings) and writes the files SPM would write, named as SPM
names them.  What is tested for real: the script's syntax and quoting in
Octave, staging of inputs (copies, links, conversions), error markers and
exit statuses, and output discovery.  Octave starts in about a second, so
checks are grouped into few runs.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat

import nibabel as nib
import numpy as np
import pytest

import imagecache
import interfaces.spm as spm
from interfaces.base import CommandFailedError, InputError, InputFileNotFoundError, Undefined
from interfaces_helpers import runs_dir  # noqa: F401  (an autouse fixture)

STANDIN = os.path.join(os.path.dirname(__file__), "spm_standin")
NIB_DATA = os.path.join(os.path.dirname(nib.__file__), "tests", "data")
OCTAVE = shutil.which("octave-cli")


@pytest.fixture(autouse=True)
def standin_engine():
    """Octave with the stand-in as SPM, restored afterwards."""
    if OCTAVE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("octave-cli is not installed (CI installs it: .ci/install)")
        pytest.skip("octave-cli is not installed (apt-get install octave)")
    previous = spm.configure("octave", spm_path=STANDIN)
    yield
    spm.configure(**previous)


@pytest.fixture
def data(tmp_path):
    """User files: a 3-volume series in a folder and file whose names hold
    quotes and spaces, a 3D anatomical, and a compressed 4D series."""
    folder = tmp_path / "it's my data"
    folder.mkdir()
    func = nib.load(os.path.join(NIB_DATA, "functional.nii"))
    series = folder / "bold 'run1'.nii"
    nib.save(nib.Nifti1Image(np.asarray(func.dataobj)[..., :3], func.affine), series)
    anat = folder / "anat.nii"
    shutil.copyfile(os.path.join(NIB_DATA, "anatomical.nii"), anat)
    # A tissue map of six classes, as SPM12's tpm/TPM.nii (values do not matter
    # to the stand-in).
    tpm = folder / "TPM.nii"
    anat_img = nib.load(anat)
    nib.save(nib.Nifti1Image(np.full(anat_img.shape + (6,), 1 / 6, np.float32),
                             anat_img.affine), tpm)
    return {"series": str(series), "anat": str(anat), "tpm": str(tpm),
            "gz": os.path.join(NIB_DATA, "example4d.nii.gz")}


def _snapshot(paths):
    return {p: (open(p, "rb").read(), os.stat(p).st_mtime_ns) for p in paths}


def _in(folder, image):
    return os.path.dirname(image.get_filename()) == folder


def test_realign_keeps_user_files_and_returns_everything_from_the_run_folder(data):
    before = _snapshot([data["series"], data["gz"]])
    memory = nib.Nifti1Image(np.random.default_rng(0).random((6, 6, 4, 2), dtype=np.float32),
                             np.eye(4))
    res = spm.realign().run(in_files=[data["series"], memory, data["gz"]])
    run_dir = res.runtime.cwd
    out = res.outputs

    assert _snapshot([data["series"], data["gz"]]) == before  # bytes and mtime
    # Estimation rewrote the headers of the private copies, in the run folder.
    assert [os.path.basename(f.get_filename()) for f in out.realigned_files] == [
        "bold 'run1'.nii", "in_files_2.nii", "example4d.nii"]
    assert all(_in(run_dir, f) for f in out.realigned_files)
    assert open(out.realigned_files[0].get_filename(), "rb").read() != before[data["series"]][0]
    assert np.allclose(out.realigned_files[0].get_fdata(), nib.load(data["series"]).get_fdata())
    # One rp_*.txt per session, as arrays of (volumes, 6).
    n_gz = nib.load(data["gz"]).shape[3]
    assert [a.shape for a in out.realignment_parameters] == [(3, 6), (2, 6), (n_gz, 6)]
    assert out.realignment_parameters[0][2, 0] == pytest.approx(0.02)
    assert [os.path.basename(f.get_filename()) for f in out.resliced_files] == [
        "rbold 'run1'.nii", "rin_files_2.nii", "rexample4d.nii"]
    assert os.path.basename(out.mean_image.get_filename()) == "meanbold 'run1'.nii"
    assert all(_in(run_dir, f) for f in [*out.resliced_files, out.mean_image])
    assert not glob.glob(os.path.join(os.path.dirname(data["series"]), "r*"))
    # The input copies are recorded as such; the script stays for a rerun.
    origins = [p.origin for p in res.input_files["in_files"]]
    assert origins == ["copy", "copy", "copy"]
    script = os.path.join(run_dir, "realign_job.m")
    text = open(script, encoding="utf-8").read()
    assert "matlabbatch{1}.spm.spatial.realign.estwrite.data = {{" in text
    assert "bold ''run1''.nii,3'}" in text  # 4D series named volume by volume
    assert res.argv == [OCTAVE, "--no-history", "-q", script]
    assert os.path.exists(os.path.join(run_dir, "realign_job_done.txt"))


def test_coregister_keeps_user_files_and_reads_compressed_input_as_nii(data):
    before = _snapshot([data["anat"], data["series"]])
    target = imagecache.load(data["gz"])  # .nii.gz: SPM gets an uncompressed file
    res = spm.coregister().run(target=target, source=data["anat"],
                               apply_to_files=[data["series"]], cost_function="nmi")
    assert _snapshot([data["anat"], data["series"]]) == before
    assert res.input_files["target"].origin == "temporary"
    assert res.input_files["target"].path.endswith(".nii")
    assert res.input_files["source"].origin == "copy"
    out = res.outputs
    run_dir = res.runtime.cwd
    assert os.path.basename(out.coregistered_source.get_filename()) == "anat.nii"
    assert os.path.basename(out.resliced_source.get_filename()) == "ranat.nii"
    assert [os.path.basename(f.get_filename()) for f in out.resliced_files] == [
        "rbold 'run1'.nii"]
    for image in (out.coregistered_source, *out.coregistered_files, out.resliced_source):
        assert _in(run_dir, image)
    assert open(out.coregistered_source.get_filename(), "rb").read() != before[data["anat"]][0]
    # The target was only read: its temporary is hard-linked into the run
    # folder (not copied), so the folder keeps it when the temporary goes.
    staged = os.path.join(run_dir, "example4d.nii")
    assert not os.path.islink(staged)
    assert os.path.samefile(staged, res.input_files["target"].path)
    # A user's file SPM only reads is a symbolic link to it.
    res = spm.coregister_estimate().run(target=data["anat"], source=data["series"])
    assert os.readlink(os.path.join(res.runtime.cwd, "anat.nii")) == data["anat"]


def test_every_other_module_runs_and_returns_its_outputs(data, tmp_path):
    series, anat = data["series"], data["anat"]
    before = _snapshot([series, anat])

    def names(images):
        return [os.path.basename(i.get_filename()) for i in images]

    out = spm.realign_estimate().run(in_files=[series], quality=0.9).outputs
    assert [a.shape for a in out.realignment_parameters] == [(3, 6)]
    out = spm.reslice().run(in_files=[anat, series], which=(2, 0)).outputs
    assert names(out.resliced_files) == ["ranat.nii", "rbold 'run1'.nii"]
    assert out.mean_image is Undefined  # which=(2, 0): no mean
    out = spm.coregister_estimate().run(target=anat, source=series, separation=[4.0, 2.0]).outputs
    assert names([out.coregistered_source]) == ["bold 'run1'.nii"]
    out = spm.coregister_reslice().run(target=anat, source=[series]).outputs
    assert names(out.resliced_files) == ["rbold 'run1'.nii"]
    est = spm.normalise_estimate().run(in_file=anat, tpm=anat).outputs
    assert names([est.deformation_field]) == ["y_anat.nii"]
    out = spm.normalise_write().run(
        deformation_field=est.deformation_field, apply_to_files=[series],
        bounding_box=((-78, -112, -70), (78, 76, 85)), voxel_size=(2, 2, 2)).outputs
    assert names(out.normalized_files) == ["wbold 'run1'.nii"]
    out = spm.normalise().run(in_file=anat, apply_to_files=[anat, series],
                              tpm=data["tpm"], voxel_size=3).outputs
    assert names([out.deformation_field]) == ["y_anat.nii"]
    assert names(out.normalized_files) == ["wanat.nii", "wbold 'run1'.nii"]
    seg = spm.segment().run(in_files=[anat], tpm=data["tpm"], write_bias=(True, True),
                            write_deformation_fields=(True, True)).outputs
    assert sorted(seg.native_class_images) == [1, 2, 3, 4, 5]  # SPM's default classes
    assert names([seg.native_class_images[1], seg.bias_corrected_image, seg.bias_field,
                  seg.forward_deformation_field, seg.inverse_deformation_field]) == [
        "c1anat.nii", "manat.nii", "BiasField_anat.nii", "y_anat.nii", "iy_anat.nii"]
    assert seg.parameters.endswith("anat_seg8.mat")
    seg = spm.segment().run(in_files=[anat], tissues=[
        ((anat, 1), 1, (True, False), (False, False)),
        ((anat, 1), 2, (False, True), (True, True))]).outputs
    assert sorted(seg.native_class_images) == [1]
    assert sorted(seg.dartel_class_images) == [2]
    assert names([seg.warped_class_images[2], seg.modulated_class_images[2]]) == [
        "wc2anat.nii", "mwc2anat.nii"]
    out = spm.smooth().run(in_files=[series, anat], fwhm=[6, 6, 8]).outputs
    assert names(out.smoothed_files) == ["sbold 'run1'.nii", "sanat.nii"]
    out = spm.slice_timing().run(in_files=[series], num_slices=3, time_repetition=2.0,
                                 time_acquisition=2.0 - 2.0 / 3, slice_order=[1, 3, 2],
                                 ref_slice=1).outputs
    assert names(out.timecorrected_files) == ["abold 'run1'.nii"]
    target = tmp_path / "calc's result.nii"
    res = spm.image_calculator().run(in_files=[anat, anat], expression="(i1 + i2) / 2",
                                     out_file=target, data_type=16)
    assert res.outputs.out_file.get_filename() == str(target)
    assert 'expression = \'(i1 + i2) / 2\';' in open(
        os.path.join(res.runtime.cwd, "image_calculator_job.m")).read()
    assert _snapshot([series, anat]) == before


def test_a_job_spm_rejects_fails_with_its_message(data):
    kwargs = dict(in_files=[data["series"]], num_slices=3, time_repetition=2.0,
                  time_acquisition=1.3, slice_order=[1, 2], ref_slice=1)
    with pytest.raises(CommandFailedError) as info:
        spm.slice_timing().run(**kwargs)
    message = str(info.value)
    assert "SPM reported an error" in message
    assert "slice order has 2 entries for 3 slices" in message
    assert info.value.returncode == 1
    run_dir = info.value.result.runtime.cwd
    assert os.path.exists(os.path.join(run_dir, "slice_timing_job_error.txt"))
    assert os.path.exists(os.path.join(run_dir, "slice_timing_job.m"))  # kept to debug
    res = spm.slice_timing().run(check=False, **kwargs)
    assert res.runtime.returncode == 1
    assert res.outputs.timecorrected_files is Undefined


def _fake_standalone(folder, exit_status, run_script=True):
    """An executable called like SPM's standalone (``spm12 script FILE``):
    runs FILE in Octave with the stand-in, then exits with ``exit_status``
    whatever happened -- as SPM12's standalone does in some releases."""
    path = os.path.join(folder, "spm12")
    run = (f'"{OCTAVE}" --no-history -q --eval "addpath(\'{STANDIN}\'); '
           f'try, run(\'$2\'); catch, end"\n') if run_script else ""
    with open(path, "w") as fh:
        fh.write(f'#!/bin/sh\n[ "$1" = script ] || exit 9\n{run}exit {exit_status}\n')
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def test_failure_is_decided_by_markers_not_only_the_exit_status(data, tmp_path):
    spm.configure("standalone", standalone=_fake_standalone(str(tmp_path), 0))
    res = spm.smooth().run(in_files=[data["anat"]], fwhm=4)  # the standalone form works
    assert res.argv[1:3] == ["script", os.path.join(res.runtime.cwd, "smooth_job.m")]
    assert "addpath" not in open(res.argv[2]).read()  # the standalone has SPM built in
    assert len(res.outputs.smoothed_files) == 1
    with pytest.raises(CommandFailedError, match="slice order has 2 entries") as info:
        spm.slice_timing().run(in_files=[data["series"]], num_slices=3, time_repetition=2.0,
                               time_acquisition=1.3, slice_order=[1, 2],
                               ref_slice=1)  # SPM fails, exit 0
    assert info.value.returncode == 0

    quiet = tmp_path / "quiet"
    quiet.mkdir()
    spm.configure("standalone", standalone=_fake_standalone(str(quiet), 0, run_script=False))
    with pytest.raises(CommandFailedError, match="the script did not finish"):
        spm.smooth().run(in_files=[data["anat"]], fwhm=4)


def test_spm_missing_from_the_octave_path_is_reported(data, tmp_path):
    empty = tmp_path / "no spm here"
    empty.mkdir()
    spm.configure("octave", spm_path=empty)
    with pytest.raises(CommandFailedError, match="SPM_PATH") as info:
        spm.smooth().run(in_files=[data["anat"]], fwhm=4)
    assert "is not in" in str(info.value) and "no spm here" in str(info.value)


# -- what SPM refuses or reports only in its output ------------------------------

def test_a_single_fwhm_is_expanded_and_would_be_caught_otherwise(data, monkeypatch):
    res = spm.smooth().run(in_files=[data["anat"]], fwhm=6)
    script = open(os.path.join(res.runtime.cwd, "smooth_job.m"), encoding="utf-8").read()
    assert "matlabbatch{1}.spm.spatial.smooth.fwhm = [6.0 6.0 6.0];" in script
    assert "Item '" not in res.runtime.stdout  # SPM took every value

    # Without the expansion, SPM (here its stand-in) refuses [1 1], smooths with
    # its default 8 mm and exits 0 with its done marker written: the run must
    # still fail, quoting SPM's message.
    monkeypatch.setattr("interfaces.spm.batch.conform", lambda tool, module, field, v, n: v)
    with pytest.raises(CommandFailedError) as info:
        spm.smooth().run(in_files=[data["anat"]], fwhm=6)
    message = str(info.value)
    assert info.value.returncode == 0
    assert ("Item 'FWHM', field 'val': Size mismatch (required [1  3], present [1  1])."
            in message)
    assert "runs with its defaults" in message
    run_dir = info.value.result.runtime.cwd
    assert os.path.exists(os.path.join(run_dir, "smooth_job_done.txt"))


def test_shapes_spm_refuses_are_refused_before_running(data, tmp_path):
    cases = [
        (spm.smooth(in_files=[data["anat"]], fwhm=[6.0, 6.0]), "fwhm", "'FWHM'"),
        (spm.normalise_write(deformation_field=data["anat"], apply_to_files=[data["anat"]],
                             voxel_size=(2, 2, 2), bounding_box=((1, 2, 3), (4, 5, 6))),
         None, None),
        (spm.coregister_estimate(target=data["anat"], source=data["series"],
                                 tolerance=[0.02] * 11), "tolerance", "'Tolerances'"),
        (spm.normalise_estimate(in_file=data["anat"], tpm=data["tpm"],
                                warping_regularisation=[0, 0.001]),
         "warping_regularisation", "'Warping Regularisation'"),
        (spm.slice_timing(in_files=[data["series"]], num_slices=3, time_repetition=2.0,
                          time_acquisition=1.3, slice_order=[], ref_slice=1),
         "slice_order", "'Slice order'"),
    ]
    for tool, name, item in cases:
        workdir = tmp_path / type(tool).__name__
        if name is None:  # the right shapes run
            tool.run(workdir=workdir)
            continue
        with pytest.raises(InputError) as info:
            tool.run(workdir=workdir)
        assert f"input {name!r}" in str(info.value) and item in str(info.value)
        assert not workdir.exists() or not any(workdir.iterdir())  # nothing ran


def test_spm_tissue_map_is_checked_before_starting_and_its_error_quoted(data, monkeypatch):
    missing = os.path.join(STANDIN, "tpm", "TPM.nii")  # the stand-in has none
    for tool in (spm.segment(in_files=[data["anat"]]),
                 spm.normalise_estimate(in_file=data["anat"]),
                 spm.normalise(in_file=data["anat"], apply_to_files=[data["anat"]])):
        with pytest.raises(InputFileNotFoundError) as info:
            tool.run()
        assert missing in str(info.value) and "tpm=" in str(info.value)
    # an explicit map runs (segment: one class per volume, SPM's settings)
    seg = spm.segment().run(in_files=[data["anat"]], tpm=data["tpm"])
    assert sorted(seg.outputs.native_class_images) == [1, 2, 3, 4, 5]
    script = open(os.path.join(seg.runtime.cwd, "segment_job.m"), encoding="utf-8").read()
    assert "spm.spatial.preproc.tissue(6).tpm = {'" + data["tpm"].replace("'", "''") + ",6'};" \
        in script

    # Had SPM started, the cause would be in its output only: the error quotes it.
    monkeypatch.setattr("interfaces.spm.batch._check_default_tpm", lambda *a: None)
    with pytest.raises(CommandFailedError) as info:
        spm.segment().run(in_files=[data["anat"]])
    message = str(info.value)
    assert "Job execution failed" in message
    assert f'File "{missing}" does not exist.' in message
    assert "Failed  'Segment'" in message


def test_a_kept_script_reruns_after_in_memory_inputs_are_gone(data):
    image = nib.Nifti1Image(np.random.default_rng(1).random((5, 6, 7), dtype=np.float32),
                            np.diag([2.0, 3.0, 4.0, 1.0]))
    res = spm.smooth().run(in_files=[image], fwhm=[4, 4, 4])
    run_dir = res.runtime.cwd
    (prepared,) = res.input_files["in_files"]
    assert prepared.origin == "temporary"
    os.unlink(prepared.path)  # as at exit
    (out,) = res.outputs.smoothed_files
    os.unlink(out.get_filename())
    os.unlink(os.path.join(run_dir, "smooth_job_done.txt"))
    import subprocess

    rerun = subprocess.run(res.argv, capture_output=True, text=True, cwd=run_dir)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert os.path.exists(out.get_filename())
    assert os.path.exists(os.path.join(run_dir, "smooth_job_done.txt"))
