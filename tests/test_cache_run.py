"""Result caching: run(cache=...) runs a tool again exactly when something that
matters changed.  The tool is a script that counts its own invocations."""

from __future__ import annotations

import json
import os
import shutil

import nibabel as nib
import numpy as np
import pytest
from cache_helpers import counting_copy

import imagecache
from interfaces.base import Float, cache
from interfaces.base.errors import CommandFailedError

@pytest.fixture
def tool(tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    return counting_copy(folder)


@pytest.fixture
def store(tmp_path):
    return str(tmp_path / "cache")


def write_nii(path, data=None, descrip=b""):
    data = np.arange(4 * 5 * 6, dtype=np.float32).reshape(4, 5, 6) if data is None else data
    img = nib.Nifti1Image(data, np.diag([2.0, 2.0, 2.0, 1.0]))
    img.header["descrip"] = descrip
    nib.save(img, os.fspath(path))
    return os.fspath(path)


def test_second_run_is_a_hit_and_runs_nothing(tool, store, tmp_path):
    countcp, calls = tool
    img = imagecache.load(write_nii(tmp_path / "a.nii"))
    first = countcp().run(in_file=img, cache=store)
    second = countcp().run(in_file=img, cache=store)
    assert calls() == 1
    assert (first.cache_hit, second.cache_hit) == (False, True)
    assert second.cache_key == first.cache_key
    out = second.outputs.out_file
    assert out.get_filename() == first.outputs.out_file.get_filename()
    assert np.array_equal(out.get_fdata(), img.get_fdata())
    assert second.argv == first.argv and second.runtime.returncode == 0
    assert second.input_files["in_file"].origin == "original"
    assert second.bytes_written == 0


def test_rerun_when_a_value_input_changes(tool, store, tmp_path):
    countcp, calls = tool
    path = write_nii(tmp_path / "a.nii")
    countcp().run(in_file=path, factor=1.0, cache=store)
    countcp().run(in_file=path, factor=1.0, cache=store)
    assert calls() == 1
    countcp().run(in_file=path, factor=2.0, cache=store)
    assert calls() == 2
    countcp(factor=2.0).run(in_file=path, cache=store)  # the same job, given differently
    assert calls() == 2


@pytest.mark.parametrize("loader", [imagecache.load, nib.load], ids=["imagecache", "nibabel"])
def test_rerun_after_a_header_only_edit_in_memory(tool, store, tmp_path, loader):
    # pydra's hasher skips Nifti1Header: the same hash, a wrong hit.
    countcp, calls = tool
    img = loader(write_nii(tmp_path / "a.nii"))
    countcp().run(in_file=img, cache=store)
    img.header["descrip"] = b"edited"
    res = countcp().run(in_file=img, cache=store)
    assert calls() == 2 and not res.cache_hit
    assert nib.load(res.outputs.out_file.get_filename()).header["descrip"] == b"edited"
    assert countcp().run(in_file=img, cache=store).cache_hit  # the edited image, again
    assert calls() == 2


def test_rerun_after_an_affine_edit_in_memory(tool, store, tmp_path):
    countcp, calls = tool
    img = imagecache.load(write_nii(tmp_path / "a.nii"))
    countcp().run(in_file=img, cache=store)
    img.affine[0, 3] = 17.0
    countcp().run(in_file=img, cache=store)
    assert calls() == 2


def test_rerun_after_a_voxel_edit_and_hit_for_equal_in_memory_images(tool, store, tmp_path):
    countcp, calls = tool
    img = imagecache.load(write_nii(tmp_path / "a.nii"))
    countcp().run(in_file=img, cache=store)
    img.get_data()[1, 1, 1] += 1
    res = countcp().run(in_file=img, cache=store)
    assert calls() == 2
    assert res.outputs.out_file.get_fdata()[1, 1, 1] == img.get_data()[1, 1, 1]
    # An image that lives only in memory: equal content hits, an edit reruns.
    data = np.ones((3, 3, 3), np.float32)
    countcp().run(in_file=nib.Nifti1Image(data.copy(), np.eye(4)), cache=store)
    assert countcp().run(in_file=nib.Nifti1Image(data.copy(), np.eye(4)), cache=store).cache_hit
    memory = nib.Nifti1Image(data, np.eye(4))
    memory.get_fdata()[0, 0, 0] = 5  # an edit nibabel's own save would miss
    assert not countcp().run(in_file=memory, cache=store).cache_hit
    assert calls() == 4


def test_rerun_when_the_input_file_is_replaced(tool, store, tmp_path):
    countcp, calls = tool
    path = write_nii(tmp_path / "a.nii")
    countcp().run(in_file=path, cache=store)
    # Same bytes, same size and modification time, but a new file (new inode).
    st = os.stat(path)
    shutil.copyfile(path, path + ".new")
    os.utime(path + ".new", ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(path + ".new", path)
    countcp().run(in_file=path, cache=store)
    assert calls() == 2


def test_rerun_after_a_header_edit_on_disk_that_kept_size_and_mtime(tool, store, tmp_path):
    countcp, calls = tool
    path = write_nii(tmp_path / "a.nii", descrip=b"one")
    img = imagecache.load(path)
    countcp().run(in_file=img, cache=store)
    st = os.stat(path)
    with open(path, "r+b") as fh:  # descrip is at byte 148 of a NIfTI-1 header
        fh.seek(148)
        fh.write(b"two")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    res = countcp().run(in_file=path, cache=store)
    assert calls() == 2
    assert nib.load(res.outputs.out_file.get_filename()).header["descrip"] == b"two"


def test_second_input_counts(tool, store, tmp_path):
    countcp, calls = tool
    a, b = write_nii(tmp_path / "a.nii"), write_nii(tmp_path / "b.nii")
    countcp().run(in_file=a, other=imagecache.load(b), cache=store)
    assert countcp().run(in_file=a, other=imagecache.load(b), cache=store).cache_hit
    countcp().run(in_file=a, other=a, cache=store)
    assert calls() == 2


@pytest.mark.parametrize("change", ["delete", "modify", "same-size-mtime-put-back"])
def test_rerun_when_an_output_was_deleted_or_modified(tool, store, tmp_path, change):
    countcp, calls = tool
    path = write_nii(tmp_path / "a.nii")
    out = countcp().run(in_file=path, cache=store).outputs.out_file.get_filename()
    if change == "delete":
        os.unlink(out)
    elif change == "modify":
        with open(out, "ab") as fh:
            fh.write(b"\0")
    else:  # the record must hold the full identity (ctime cannot be put back)
        st = os.stat(out)
        with open(out, "r+b") as fh:
            fh.seek(-1, os.SEEK_END)
            last = fh.read(1)
            fh.seek(-1, os.SEEK_END)
            fh.write(bytes([last[0] ^ 0xFF]))
        os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
    res = countcp().run(in_file=path, cache=store)
    assert calls() == 2 and not res.cache_hit
    assert os.path.getsize(res.outputs.out_file.get_filename()) == os.path.getsize(path)
    assert countcp().run(in_file=path, cache=store).cache_hit


def test_an_output_named_by_the_caller_is_checked_too(tool, store, tmp_path):
    countcp, calls = tool
    path, target = write_nii(tmp_path / "a.nii"), str(tmp_path / "mine.nii")
    countcp().run(in_file=path, out_file=target, cache=store)
    assert countcp().run(in_file=path, out_file=target, cache=store).cache_hit
    os.unlink(target)
    countcp().run(in_file=path, out_file=target, cache=store)
    assert calls() == 2 and os.path.exists(target)


def test_a_failed_run_is_not_stored(tool, store, tmp_path):
    countcp, calls = tool
    path = write_nii(tmp_path / "a.nii")
    with pytest.raises(CommandFailedError):
        countcp().run(in_file=path, fail=1.0, cache=store)
    res = countcp().run(in_file=path, fail=1.0, cache=store, check=False)
    assert res.runtime.returncode == 3 and not res.cache_hit
    countcp().run(in_file=path, fail=1.0, cache=store, check=False)
    assert calls() == 3


def test_cache_records_are_json(tool, store, tmp_path):
    countcp, _ = tool
    countcp().run(in_file=write_nii(tmp_path / "a.nii"), cache=store)
    records = 0
    for root, _dirs, files in os.walk(store):
        for name in files:
            path = os.path.join(root, name)
            if name.endswith(".json"):
                with open(path) as fh:
                    json.load(fh)
                records += 1
            else:  # only outputs of runs and lock files besides records
                assert name.endswith((".nii", ".lock")), path
    assert records >= 3  # entry, tool version, provenance


def test_process_wide_setting_and_environment(tool, tmp_path, monkeypatch):
    countcp, calls = tool
    path = write_nii(tmp_path / "a.nii")
    try:
        cache.set_cache(tmp_path / "wide")
        assert cache.get_cache() == str(tmp_path / "wide")
        countcp().run(in_file=path)
        assert countcp().run(in_file=path).cache_hit
        assert not hasattr(countcp().run(in_file=path, cache=False), "cache_hit")
        assert calls() == 2
        cache.set_cache(False)
        countcp().run(in_file=path)
        assert calls() == 3
    finally:
        cache.set_cache(None)
    monkeypatch.setenv(cache.ENV_CACHE, str(tmp_path / "env"))
    assert cache.get_cache() == str(tmp_path / "env")
    countcp().run(in_file=path)
    assert countcp().run(in_file=path).cache_hit
    assert calls() == 4


def test_content_hashing_hashes_each_file_once_per_stat(tool, store, tmp_path):
    countcp, calls = tool
    path = write_nii(tmp_path / "a.nii")
    try:
        cache.set_cache(hash_contents=True)
        before = cache.hash_count
        countcp().run(in_file=path, cache=store)
        hashed = cache.hash_count - before
        assert hashed == 2  # the input, and the output for later checks
        assert countcp().run(in_file=path, cache=store).cache_hit
        assert cache.hash_count - before == hashed  # nothing hashed again
        os.utime(path)  # touched, same content: hashed once more, still a hit
        assert countcp().run(in_file=path, cache=store).cache_hit
        assert cache.hash_count - before == hashed + 1
        cache._hashes.clear()  # as in a new process: the digests come from the folder
        assert countcp().run(in_file=path, cache=store).cache_hit
        assert cache.hash_count - before == hashed + 1
        write_nii(path, data=np.zeros((4, 5, 6), np.float32))  # new content
        assert not countcp().run(in_file=path, cache=store).cache_hit
        assert calls() == 2
    finally:
        cache._setting["contents"] = None


def test_editing_the_wrapper_declaration_invalidates(tool, store, tmp_path):
    countcp, calls = tool
    path = write_nii(tmp_path / "a.nii")
    countcp().run(in_file=path, cache=store)

    class countcp2(countcp):
        class Inputs(countcp.Inputs):
            factor = Float(argstr="--scale %g", desc="a value, now passed differently")

    countcp2().run(in_file=path, cache=store)
    assert calls() == 2


def test_every_interfaces_identity_is_the_same_in_a_new_process():
    # Keys must match across processes and machines: no memory address (e.g.
    # of a from_stdout parser function) may leak into them.
    import subprocess
    import sys

    from interfaces.base.registry import all_interfaces

    code = (
        "import json, warnings\nwarnings.simplefilter('ignore')\n"
        "from interfaces.base.registry import all_interfaces\n"
        "from interfaces.base.cache import interface_identity\n"
        "print(json.dumps({n: interface_identity(c) for n, c in all_interfaces().items()}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    ours = {n: cache.interface_identity(c) for n, c in all_interfaces().items()}
    assert ours == theirs and len(ours) >= 3
