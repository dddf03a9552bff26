"""Issue 2: temporaries are written once per image state, privately, atomically,
in the configured folder, and removed with their image and at exit."""

from __future__ import annotations

import errno
import gc
import gzip
import os
import stat
import subprocess
import sys
import textwrap
import threading

import nibabel as nib
import numpy as np
import pytest

import imagecache
from imagecache import TemporaryWriteError, prepare_file

from conftest import assert_file_matches, copy_nib_data, private_files, sample_data, write_image


def _dirty(path, **kw):
    img = imagecache.load(path, **kw)
    img.get_data()[0, 0, 0] = 1234.0
    return img


# ---------------------------------------------------------------- written once per state


def test_written_once_then_reused(make_image, tmp_path):
    img = _dirty(make_image("nii"))
    first = prepare_file(img)
    assert first.origin == "temporary" and first.bytes_written > 0 and not first.reused
    for _ in range(3):
        again = prepare_file(img)
        assert again.path == first.path
        assert again.bytes_written == 0 and again.reused
    assert_file_matches(first.path, img, folder=tmp_path)


def test_changed_image_gets_a_new_file(make_image, tmp_path):
    img = _dirty(make_image("nii"))
    first = prepare_file(img)
    img.get_data()[1, 1, 1] = -1.0
    second = prepare_file(img)
    assert second.path != first.path and second.bytes_written > 0
    assert_file_matches(second.path, img, folder=tmp_path)
    assert nib.load(first.path).get_fdata()[1, 1, 1] != -1.0  # the earlier state's file
    img.header["descrip"] = b"and a header edit"
    third = prepare_file(img)
    assert third.path not in (first.path, second.path) and third.bytes_written > 0
    assert_file_matches(third.path, img, folder=tmp_path)


def test_temporary_deleted_by_someone_is_written_again(make_image, tmp_path):
    img = _dirty(make_image("nii"))
    first = prepare_file(img)
    os.unlink(first.path)
    again = prepare_file(img)
    assert again.bytes_written > 0 and os.path.exists(again.path)
    assert_file_matches(again.path, img, folder=tmp_path)


@pytest.mark.parametrize("kind", ["nii", "nii.gz", "nifti2.gz", "pair", "spm2", "mgz"])
def test_default_temporary_is_uncompressed_nii(kind, make_image):
    img = _dirty(make_image(kind))
    pf = prepare_file(img)
    assert pf.path.endswith(".nii") and pf.files == (pf.path,)
    with open(pf.path, "rb") as f:
        assert f.read(2) != b"\x1f\x8b"
    expected = nib.Nifti2Image if kind.startswith("nifti2") else nib.Nifti1Image
    assert type(nib.load(pf.path)) is expected
    assert nib.load(pf.path).get_fdata()[0, 0, 0] == 1234.0


def test_formats_nii_gz_writes_compressed(make_image, tmp_path):
    img = _dirty(make_image("nii"))
    pf = prepare_file(img, formats=(".nii.gz",))
    assert pf.path.endswith(".nii.gz")
    with open(pf.path, "rb") as f:
        assert f.read(2) == b"\x1f\x8b"
    assert_file_matches(pf.path, img, folder=tmp_path)


@pytest.mark.parametrize("as_path", [False, True])
def test_formats_converts_clean_mgz(as_path, tmp_path):
    src = copy_nib_data("test.mgz", tmp_path)
    img = imagecache.load(src)
    assert prepare_file(img).path == src  # any format accepted: the original
    pf = prepare_file(src if as_path else img, formats=(".nii", ".nii.gz"))
    assert pf.origin == "temporary" and pf.path.endswith(".nii") and pf.bytes_written > 0
    out = nib.load(pf.path)
    assert isinstance(out, nib.Nifti1Image)
    assert np.array_equal(out.get_fdata(), nib.load(src).get_fdata())
    np.testing.assert_allclose(out.affine, nib.load(src).affine, atol=1e-5)
    again = prepare_file(src if as_path else img, formats=(".nii", ".nii.gz"))
    assert again.path == pf.path and again.bytes_written == 0


def test_formats_accepts_clean_file_in_an_accepted_format(make_image):
    path = make_image("nii.gz")
    pf = prepare_file(imagecache.load(path), formats=(".nii", ".nii.gz"))
    assert pf.origin == "original" and pf.path == path and pf.bytes_written == 0
    assert prepare_file(path, formats=(".nii", ".nii.gz")).path == path


def test_formats_nifti1_converts_nifti2(tmp_path):
    src = copy_nib_data("example_nifti2.nii.gz", tmp_path)
    img = imagecache.load(src)
    assert isinstance(img, nib.Nifti2Image)
    pf = prepare_file(img, formats=("nifti1",))
    assert pf.origin == "temporary" and pf.bytes_written > 0
    out = nib.load(pf.path)
    assert type(out) is nib.Nifti1Image
    assert np.array_equal(out.get_fdata(), img.get_fdata())
    np.testing.assert_allclose(out.affine, img.affine, atol=1e-5)
    # a NIfTI-1 file of any extension is accepted as it is
    nifti1 = copy_nib_data("example4d.nii.gz", tmp_path)
    assert prepare_file(imagecache.load(nifti1), formats=("nifti1",)).path == nifti1


def test_unknown_format_token_is_refused(make_image):
    with pytest.raises(imagecache.UnsupportedFormatError):
        prepare_file(imagecache.load(make_image("nii")), formats=(".jpeg",))


# ---------------------------------------------------------------- copy=True


def test_copy_gives_a_fresh_private_copy_each_time(make_image):
    path = make_image("nii")
    img = imagecache.load(path)
    a = prepare_file(img, copy=True)
    b = prepare_file(img, copy=True)
    assert a.origin == b.origin == "copy"
    assert len({a.path, b.path, path}) == 3
    assert a.bytes_written == os.path.getsize(path)
    with open(a.path, "rb") as f, open(path, "rb") as g:
        assert f.read() == g.read()
    with open(a.path, "r+b") as f:  # a tool modifies its input in place
        f.seek(-4, os.SEEK_END)
        f.write(b"\0\0\0\0")
    assert prepare_file(img).path == path  # the original is untouched and still clean


@pytest.mark.parametrize("kind, exts", [("pair", {".img", ".hdr"}), ("spm2", {".img", ".hdr", ".mat"})])
def test_copy_includes_every_part(kind, exts, make_image):
    affine = np.array([[2.0, 0, 0, 17.0], [0, 3.0, 0, -5.0], [0, 0, 4.0, 9.0], [0, 0, 0, 1]])
    path = make_image(kind, affine=affine)
    img = imagecache.load(path)
    a, b = prepare_file(img, copy=True), prepare_file(img, copy=True)
    for pf in (a, b):
        assert pf.origin == "copy"
        assert {os.path.splitext(p)[1] for p in pf.files} == exts
        assert len({os.path.dirname(p) for p in pf.files}) == 1
        assert pf.bytes_written == sum(os.path.getsize(p) for p in pf.files)
        loaded = nib.load(pf.path)
        np.testing.assert_allclose(loaded.affine, nib.load(path).affine)  # from the copied .mat
        np.testing.assert_allclose(loaded.affine, affine, atol=1e-5)
        assert np.array_equal(loaded.get_fdata(), nib.load(path).get_fdata())
    assert not set(a.files) & set(b.files)


def test_copy_of_dirty_image_is_fresh_each_time(make_image, tmp_path):
    img = _dirty(make_image("nii"))
    shared = prepare_file(img)
    a = prepare_file(img, copy=True)
    b = prepare_file(img, copy=True)
    assert len({shared.path, a.path, b.path}) == 3
    assert a.bytes_written > 0 and b.bytes_written > 0
    assert_file_matches(a.path, img, folder=tmp_path)


def test_copy_of_a_path(make_image):
    path = make_image("nii.gz")
    pf = prepare_file(path, copy=True)
    assert pf.origin == "copy" and pf.path != path and pf.path.endswith(".nii.gz")
    with open(pf.path, "rb") as f, open(path, "rb") as g:
        assert f.read() == g.read()


def test_discard_removes_a_copy_only(make_image):
    path = make_image("pair")
    pf = prepare_file(path, copy=True)
    pf.discard()
    assert not any(os.path.exists(p) for p in pf.files)
    orig = prepare_file(path)
    orig.discard()
    assert os.path.exists(path)


# ---------------------------------------------------------------- privacy


def test_permissions_are_private(make_image):
    img = _dirty(make_image("nii"))
    pf = prepare_file(img)
    folder = os.path.dirname(pf.path)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(pf.path).st_mode) == 0o600
    pair = imagecache.load(make_image("pair", name="p"))  # copies live as long as their image
    cp = prepare_file(pair, copy=True)
    for p in cp.files:
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    assert imagecache.get_temp_dir() == folder


def test_no_partial_or_stray_files_after_writing(make_image, cache_dir):
    img = _dirty(make_image("pair"))
    img.header["descrip"] = b"x"
    pf = prepare_file(img, formats=(".img",))
    assert sorted(private_files(cache_dir)) == sorted(pf.files)
    assert not any("partial" in p for p in private_files(cache_dir))


# ---------------------------------------------------------------- lifetime


def test_removed_when_image_is_garbage_collected(make_image):
    img = _dirty(make_image("nii"))
    temp = prepare_file(img).path
    copy = prepare_file(img, copy=True).path
    assert os.path.exists(temp) and os.path.exists(copy)
    del img
    gc.collect()
    assert not os.path.exists(temp)
    # A copy belongs to the caller, who may still be using it: it outlives the image.
    assert os.path.exists(copy)
    prepare_file(copy).discard()  # a path's "original": discard() leaves it alone
    assert os.path.exists(copy)


def test_plain_image_temporaries_removed_when_collected():
    img = nib.Nifti1Image(sample_data(), np.eye(4))
    temp = imagecache.as_filename(img)
    del img
    gc.collect()
    assert not os.path.exists(temp)


def _run(script, *args, env=None):
    full_env = dict(os.environ)
    full_env.pop(imagecache.tempfiles.ENV_VAR, None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
    )


def test_removed_at_interpreter_exit_and_env_var_is_used(make_image, tmp_path):
    src = make_image("nii")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    script = """
        import os, sys, imagecache
        img = imagecache.load(sys.argv[1])
        img.get_data()[0, 0, 0] = 7.0
        keep = [img]  # alive until exit: only the exit handler can remove its file
        path = imagecache.as_filename(img)
        print(path)
        print(os.path.exists(path))
    """
    proc = _run(script, src, env={"IMAGECACHE_TMPDIR": str(scratch)})
    assert proc.returncode == 0, proc.stderr
    path, existed = proc.stdout.split()
    assert existed == "True"
    assert path.startswith(str(scratch) + os.sep)
    assert not os.path.exists(path)
    assert os.listdir(scratch) == []  # the private folder went too


def test_env_var_in_process(monkeypatch, tmp_path, make_image):
    imagecache.set_temp_dir(None)
    monkeypatch.setenv("IMAGECACHE_TMPDIR", str(tmp_path))
    path = imagecache.as_filename(_dirty(make_image("nii")))
    assert path.startswith(str(tmp_path) + os.sep)


def test_set_temp_dir_wins_over_env_var(monkeypatch, tmp_path, make_image):
    env_dir, chosen = tmp_path / "env", tmp_path / "chosen"
    env_dir.mkdir()
    chosen.mkdir()
    monkeypatch.setenv("IMAGECACHE_TMPDIR", str(env_dir))
    imagecache.set_temp_dir(chosen)
    img = _dirty(make_image("nii"))
    path = imagecache.as_filename(img)
    assert path.startswith(str(chosen) + os.sep)
    assert os.listdir(env_dir) == []


# ---------------------------------------------------------------- threads


def test_eight_threads_write_once(make_image, tmp_path):
    img = _dirty(make_image("nii", data=sample_data((40, 40, 40))))
    barrier = threading.Barrier(8)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(prepare_file(img))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 8
    assert sum(r.bytes_written > 0 for r in results) == 1
    assert len({r.path for r in results}) == 1
    assert_file_matches(results[0].path, img, folder=tmp_path)


def test_threads_on_different_images(make_image):
    imgs = [_dirty(make_image("nii", name=f"i{k}")) for k in range(4)]
    out = [None] * 4

    def worker(k):
        out[k] = imagecache.as_filename(imgs[k])

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 4
    for k in range(4):
        assert np.array_equal(nib.load(out[k]).get_fdata(), imgs[k].get_fdata())


# ---------------------------------------------------------------- atomicity and failures


def test_never_a_partial_file_under_the_final_name(make_image, monkeypatch, cache_dir):
    from nibabel import arraywriters

    img = _dirty(make_image("nii", data=sample_data((30, 30, 30))))
    seen = []
    original = arraywriters.array_to_file

    def spy(data, fileobj, *args, **kwargs):
        seen.append(private_files(cache_dir))  # while the voxels are being written
        return original(data, fileobj, *args, **kwargs)

    monkeypatch.setattr(arraywriters, "array_to_file", spy)
    pf = prepare_file(img)
    assert seen and all(seen)
    assert all(".partial" in os.path.basename(p) for names in seen for p in names)
    assert not os.path.basename(pf.path).count(".partial")


def test_failed_write_leaves_nothing_and_is_retried(make_image, monkeypatch, cache_dir, tmp_path):
    from nibabel import arraywriters

    img = _dirty(make_image("nii", data=sample_data((30, 30, 30))))
    original = arraywriters.array_to_file

    def disk_full(data, fileobj, *args, **kwargs):
        fileobj.write(b"\0" * 1000)  # a partial write, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(arraywriters, "array_to_file", disk_full)
    with pytest.raises(TemporaryWriteError) as info:
        prepare_file(img)
    assert imagecache.get_temp_dir() in str(info.value)
    assert info.value.filename == imagecache.get_temp_dir()
    assert private_files(cache_dir) == []
    monkeypatch.setattr(arraywriters, "array_to_file", original)
    pf = prepare_file(img)
    assert pf.bytes_written > 0
    assert_file_matches(pf.path, img, folder=tmp_path)


def test_nibabel_error_midway_leaves_no_partial_file(make_image, monkeypatch, cache_dir):
    from nibabel import arraywriters

    img = _dirty(make_image("nii"))

    def broken(data, fileobj, *args, **kwargs):
        fileobj.write(b"\0" * 100)
        raise arraywriters.WriterError("simulated")

    monkeypatch.setattr(arraywriters, "array_to_file", broken)
    with pytest.raises(arraywriters.WriterError):
        prepare_file(img)
    assert private_files(cache_dir) == []


@pytest.mark.parametrize("how", ["missing", "a-file"])
def test_unwritable_temp_dir_names_it(how, tmp_path, make_image):
    target = tmp_path / "nowhere" / "deeper" if how == "missing" else tmp_path / "plain-file"
    if how == "a-file":
        target.write_text("not a folder")
    imagecache.set_temp_dir(target)
    img = _dirty(make_image("nii"))
    with pytest.raises(TemporaryWriteError) as info:
        imagecache.as_filename(img)
    assert str(target) in str(info.value)
    assert isinstance(info.value, OSError)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_temp_dir_names_it(tmp_path, make_image):  # pragma: no cover - not root
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        imagecache.set_temp_dir(ro)
        with pytest.raises(TemporaryWriteError, match=str(ro)):
            imagecache.as_filename(_dirty(make_image("nii")))
    finally:
        ro.chmod(0o700)


def test_full_disk_rlimit(tmp_path):
    src = write_image(tmp_path / "big", "nii", data=sample_data((48, 48, 48)))  # ~430 KiB
    base = tmp_path / "scratch"
    base.mkdir()
    script = """
        import os, resource, signal, sys
        import numpy as np, nibabel as nib, imagecache
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        src, base = sys.argv[1], sys.argv[2]
        imagecache.set_temp_dir(base)
        img = imagecache.load(src)
        img.get_data()[...] += 1
        private = imagecache.get_temp_dir()
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))
        try:
            imagecache.as_filename(img)
        except imagecache.TemporaryWriteError as exc:
            print("ERROR", private in str(exc))
        else:
            print("NOERROR", True)
        print("LEFT", len(os.listdir(private)))
        resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        pf = imagecache.prepare_file(img)
        print("WRITTEN", pf.bytes_written > 0)
        print("EQUAL", np.array_equal(nib.load(pf.path).get_fdata(), np.asarray(img.dataobj)))
    """
    proc = _run(script, src, base)
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split() for line in proc.stdout.splitlines())
    assert lines == {"ERROR": "True", "LEFT": "0", "WRITTEN": "True", "EQUAL": "True"}, proc.stdout


def test_edit_loop_keeps_only_the_last_two_temporaries(make_image):
    img = _dirty(make_image("nii"))
    paths = []
    for value in range(5):
        img.get_data()[0, 0, 0] = 100 + value
        paths.append(prepare_file(img).path)
    assert len(set(paths)) == 5
    imagecache.tempfiles.wait_removals()  # superseded ones are deleted in the background
    assert [os.path.exists(p) for p in paths] == [False, False, False, True, True]
    # Going back to the previous state reuses its file (nothing written)...
    img.get_data()[0, 0, 0] = 103
    again = prepare_file(img)
    assert again.path == paths[3] and again.bytes_written == 0
    # ...and makes it the most recent: the next new state drops paths[4], not it.
    img.get_data()[0, 0, 0] = 200
    prepare_file(img)
    imagecache.tempfiles.wait_removals()
    assert os.path.exists(paths[3]) and not os.path.exists(paths[4])


# ---------------------------------------------------------------- plan_file: the decision, nothing written


def _plan_subject(how, kind, make_image):
    """An image (or path) in one of the states a tool's input can be in."""
    path = make_image(kind)
    if how == "path":
        return path
    if how == "loaded":
        return imagecache.load(path)
    if how == "nib.load":
        return nib.load(path)
    if how == "edited":
        return _dirty(path)
    if how == "header edit":
        img = imagecache.load(path)
        img.header.set_zooms(tuple(z * 2 for z in img.header.get_zooms()))
        return img
    return nib.Nifti1Image(sample_data(), np.eye(4))  # "in memory": no file


def _files_in(folder):
    return sorted(p for _, _, names in os.walk(folder) for p in names)


@pytest.mark.parametrize("copy", [False, True])
@pytest.mark.parametrize("formats", [None, ("nifti1", "analyze"), ("nifti1:.nii.gz",),
                                     (".nii",), ("mgh",)], ids=repr)
@pytest.mark.parametrize("how,kind", [
    (how, kind)
    for how in ("path", "loaded", "nib.load", "edited", "header edit")
    for kind in ("nii", "nii.gz", "nifti2.gz", "pair", "mgz")
] + [("in memory", "nii")])
def test_plan_file_says_what_prepare_file_hands_over(how, kind, formats, copy, make_image,
                                                     cache_dir, tmp_path):
    image = _plan_subject(how, kind, make_image)
    before = (_files_in(cache_dir), _files_in(tmp_path))
    try:
        plan = imagecache.plan_file(image, formats=formats, copy=copy)
    except imagecache.ImageCacheError as planned_error:
        with pytest.raises(type(planned_error)):
            prepare_file(image, formats=formats, copy=copy)
        return
    assert (_files_in(cache_dir), _files_in(tmp_path)) == before, "plan_file wrote a file"
    handed = prepare_file(image, formats=formats, copy=copy)
    assert plan.origin == handed.origin
    assert plan.path == (handed.path if handed.origin == "original" else None)
    assert plan.extension == imagecache.formats.file_extension(handed.path)
    handed.discard()
