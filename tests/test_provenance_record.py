"""Provenance records: every run with a folder writes one; PROV-JSON export."""

from __future__ import annotations

import json
import os
import socket

import nibabel as nib
import numpy as np
import pytest
import xxhash
from interfaces_helpers import ANATOMICAL, write_script

import imagecache
import interfaces
from interfaces.base import Image, InputSpec, Interface, OutputImage, provenance
from interfaces.base.errors import CommandFailedError
from interfaces.coreutils import cp


def xxh3_of(path) -> str:
    with open(path, "rb") as fh:
        return "xxh3-128:" + xxhash.xxh3_128_hexdigest(fh.read())


def test_a_run_writes_its_record_in_its_folder():
    img = imagecache.load(ANATOMICAL)
    res = cp().run(in_file=img)
    record = interfaces.read_provenance(res.runtime.cwd)
    assert record["schema"] == provenance.SCHEMA and record["status"] == "ok"
    assert record["argv"] == res.argv and record["cwd"] == res.runtime.cwd
    assert record["tool"] == {"name": "cp", "executable": res.runtime.executable,
                              "family": "coreutils", "version": res.runtime.version}
    assert record["tool"]["version"]  # cp --version answers
    entry = record["inputs"]["in_file"]
    assert entry["fingerprint"] == imagecache.image_fingerprint(img)
    assert entry["fingerprint"].startswith("file:")
    assert entry["passed"]["origin"] == "original" and entry["passed"]["path"] == ANATOMICAL
    out = res.outputs.out_file.get_filename()
    assert record["outputs"]["out_file"]["path"] == out
    assert record["outputs"]["out_file"]["digest"] == xxh3_of(out) == xxh3_of(ANATOMICAL)
    assert record["host"]["hostname"] == socket.gethostname()
    assert record["host"]["pid"] == os.getpid()
    assert record["host"]["batch_job"] == {  # outside a batch job: {} (see test_parallel_slurm)
        v: os.environ[v] for v in provenance.BATCH_JOB_VARIABLES if v in os.environ}
    assert record["timings"]["duration_s"] == res.runtime.duration
    assert record["timings"]["start"] == res.runtime.start.isoformat()


def test_an_edited_image_is_recorded_as_a_temporary_with_a_data_fingerprint():
    img = imagecache.load(ANATOMICAL)
    img.get_data()[0, 0, 0] += 1
    res = cp().run(in_file=img)
    entry = interfaces.read_provenance(res.runtime.cwd)["inputs"]["in_file"]
    assert entry["passed"]["origin"] == "temporary"
    assert entry["passed"]["bytes_written"] > 0
    assert entry["fingerprint"].startswith("data:")
    assert entry["fingerprint"] == imagecache.image_fingerprint(img)


def test_the_family_environment_is_recorded(tmp_path):
    script = write_script(tmp_path, "envcp", 'cp "$1" "$2"\n')
    fam = interfaces.Family("envfam", output_type_env="ENVFAM_TYPE",
                            output_types={"NIFTI": ".nii"}, default_output_type="NIFTI",
                            version_args=None)

    class envcp(Interface):
        """Copy."""

        executable = script
        family = fam

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, desc="in")
            out_file = OutputImage(position=1, name_source="in_file", name_template="%s_c",
                                   desc="out")

    res = envcp().run(in_file=ANATOMICAL)
    record = interfaces.read_provenance(res.runtime.cwd)
    assert record["environment"]["ENVFAM_TYPE"] == "NIFTI"
    assert record["tool"]["version"] is None


def test_a_failed_run_is_recorded_in_the_folder_it_keeps(tmp_path):
    script = write_script(tmp_path, "failing", 'echo broken >&2\nexit 4\n')

    class failing(Interface):
        """Fail."""

        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, desc="in")
            out_file = OutputImage(position=1, name_source="in_file", name_template="%s_f",
                                   desc="out")

    with pytest.raises(CommandFailedError) as caught:
        failing().run(in_file=ANATOMICAL)
    record = interfaces.read_provenance(caught.value.result.runtime.cwd)
    assert record["status"] == "failed" and record["returncode"] == 4
    assert record["outputs"] == {}
    failing().run(in_file=ANATOMICAL, check=False, workdir=tmp_path / "w")
    [name] = os.listdir(tmp_path / "w")
    assert interfaces.read_provenance(tmp_path / "w" / name)["status"] == "failed"


def test_records_can_be_turned_off_and_a_given_workdir_keeps_one_per_run(tmp_path):
    try:
        interfaces.set_provenance(False)
        res = cp().run(in_file=ANATOMICAL)
        assert os.listdir(res.runtime.cwd) == ["anatomical_copy.nii"]
    finally:
        interfaces.set_provenance(None)
    cp().run(in_file=ANATOMICAL, workdir=tmp_path / "shared")
    cp().run(in_file=ANATOMICAL, out_file=str(tmp_path / "shared" / "b.nii"),
             workdir=tmp_path / "shared")
    records = [f for f in os.listdir(tmp_path / "shared") if f.startswith("provenance-")]
    assert len(records) == 2
    assert {interfaces.read_provenance(tmp_path / "shared" / f)["interface"] for f in records} == {
        "coreutils.cp"}


def test_a_cached_run_records_its_key(tmp_path):
    img = imagecache.load(ANATOMICAL)
    res = cp().run(in_file=img, cache=tmp_path / "cache")
    record = interfaces.read_provenance(res.runtime.cwd)
    assert record["cache_key"] == res.cache_key
    assert res.runtime.cwd.startswith(str(tmp_path / "cache"))


def test_prov_json_export_round_trips_through_the_prov_package(tmp_path):
    # prov is in the test extra: missing in CI is a failure, elsewhere a skip.
    if os.environ.get("CI") == "true":
        import prov.model as prov_model
    else:
        prov_model = pytest.importorskip("prov.model", reason="pip install imageshell[prov]")
    data = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    img = nib.Nifti1Image(data, np.eye(4))  # in memory: passed as a temporary
    res = cp().run(in_file=img)
    record = interfaces.read_provenance(res.runtime.cwd)
    text = interfaces.to_prov_json(record)
    raw = json.loads(text)
    assert set(raw) >= {"prefix", "entity", "activity", "agent", "used", "wasGeneratedBy",
                        "wasAssociatedWith", "wasDerivedFrom"}
    doc = prov_model.ProvDocument.deserialize(content=text, format="json")
    records = list(doc.get_records())
    activities = [r for r in records if isinstance(r, prov_model.ProvActivity)]
    assert len(activities) == 1
    entities = {str(r.identifier): dict((str(k), v) for k, v in r.attributes)
                for r in records if isinstance(r, prov_model.ProvEntity)}
    inputs = [a for a in entities.values() if "imageshell:input" in a]
    outputs = [a for a in entities.values() if "imageshell:output" in a]
    assert [a["imageshell:fingerprint"] for a in inputs] == [imagecache.image_fingerprint(img)]
    assert [a["imageshell:origin"] for a in inputs] == ["temporary"]
    assert [a["imageshell:digest"] for a in outputs] == [
        xxh3_of(res.outputs.out_file.get_filename())]
    used = [r for r in records if isinstance(r, prov_model.ProvUsage)]
    generated = [r for r in records if isinstance(r, prov_model.ProvGeneration)]
    assert len(used) == 1 and len(generated) == 1
