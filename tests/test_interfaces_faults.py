"""The faults of issue 12, each met as a user or an adversary would meet it:
each gives a clear error (or warning) naming the file, input or command and
what to do, and loses no result and leaves nothing behind.

The tools are small real scripts (``interfaces_helpers.write_script``); the
one fault that cannot be produced for real here, a full disk, is injected
at the write of the record (``json.dump`` raising ENOSPC half-way).
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal

import nibabel as nib
import numpy as np
import pytest

import imagecache
from interfaces.base import (
    CacheWarning,
    CommandFailedError,
    CommandStartError,
    CommandTimeoutError,
    Image,
    InputSpec,
    Interface,
    InterfaceError,
    OutputCorruptError,
    OutputImage,
    ProvenanceWarning,
    Str,
    WorkdirError,
)
from interfaces.base import cache as cache_module
from interfaces.coreutils import cp
from interfaces_helpers import (  # noqa: F401  (runs_dir: an autouse fixture)
    ANATOMICAL,
    WAIT_FOR_PARENT_BLOCKED,
    process_gone,
    runs_dir,
    wait_until_gone,
    write_script,
)


def _tool(script, **attrs):
    """An interface running ``script`` with one image in and one image out."""

    class tool(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, copy=attrs.get("copy", False))
            out_file = OutputImage(position=1, name_source="in_file", name_template="%s_out",
                                   keep_extension=True)

    return tool


def _kill_later(pid_file):
    """Kill a process a test's tool left running (its pid in ``pid_file``)."""
    try:
        os.kill(int(open(pid_file).read().split()[0]), signal.SIGKILL)
    except (OSError, ValueError, IndexError):
        pass


# 1. the provenance record cannot be written -------------------------------------


def test_full_disk_for_the_record_warns_keeps_the_result_and_leaves_no_partial(
        tmp_path, monkeypatch):
    real_dump = json.dump

    def dump_until_full(data, fh, **kwargs):
        if "argv" in data and "tool" in data:  # the provenance record
            fh.write(json.dumps(data)[:100])
            fh.flush()
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_dump(data, fh, **kwargs)

    monkeypatch.setattr(cache_module.json, "dump", dump_until_full)
    with pytest.warns(ProvenanceWarning, match=r"provenance record .*No space left.*kept"):
        result = cp().run(in_file=ANATOMICAL, workdir=tmp_path / "w")
    assert os.path.exists(result.outputs.out_file.get_filename())
    assert sorted(os.listdir(tmp_path / "w")) == ["anatomical_copy.nii"]  # no .partial


# 2. IMAGESHELL_WORKDIR unusable; 3. cache folder unusable ---------------------------


def test_workdir_root_that_is_a_file_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("IMAGESHELL_WORKDIR", str(blocker))
    with pytest.raises(WorkdirError, match=r"not-a-folder \(\$IMAGESHELL_WORKDIR\): it is a "
                                           r"file.*IMAGESHELL_WORKDIR") as err:
        cp().run(in_file=ANATOMICAL)
    assert isinstance(err.value, InterfaceError) and isinstance(err.value, OSError)
    with pytest.raises(WorkdirError, match=r"\(workdir=\): .*not-a-folder is a file"):
        cp().run(in_file=ANATOMICAL, workdir=blocker / "sub")


def test_unusable_cache_folder_warns_and_runs_uncached(tmp_path):
    blocker = tmp_path / "cache-file"
    blocker.write_text("x")
    with pytest.warns(CacheWarning, match=r"cache-file cannot be used \(it is a file"):
        result = cp().run(in_file=ANATOMICAL, cache=blocker, workdir=tmp_path / "w")
    assert not hasattr(result, "cache_hit")  # ran, uncached
    assert os.path.exists(tmp_path / "w" / "anatomical_copy.nii")


# 4. executables that exist but cannot start -------------------------------------------


def test_missing_interpreter_is_named(tmp_path):
    script = tmp_path / "tool"
    script.write_text("#!/no/such/python3\nprint('hi')\n")
    script.chmod(0o755)
    with pytest.raises(CommandStartError, match=r"tool cannot start: its first line names "
                                                r"the interpreter /no/such/python3, which "
                                                r"does not exist") as err:
        _tool(str(script))().run(in_file=ANATOMICAL)
    assert err.value.errno == errno.ENOENT and err.value.filename == str(script)


def test_file_that_is_not_a_program(tmp_path):
    data = tmp_path / "data.txt"
    data.write_text("just some text\n")
    data.chmod(0o755)  # executable bit, but no #! line and not a binary
    with pytest.raises(CommandStartError, match=r"data.txt is not a program this system "
                                                r"can run.*'#!' line"):
        _tool(str(data))().run(in_file=ANATOMICAL)
    data.chmod(0o644)
    with pytest.raises(CommandStartError, match=r"data.txt is not executable \(mode "
                                                r"0o644\).*chmod \+x"):
        _tool(str(data))().run(in_file=ANATOMICAL)


# 5. the version lookup ------------------------------------------------------------------


def _versioned(script):
    class versioned(Interface):
        executable = script

        class Inputs(InputSpec):
            flag = Str(argstr="%s", min_ver="1.0")

    return versioned


def test_version_lookup_obeys_the_run_timeout_and_kills_its_group(tmp_path, monkeypatch):
    caller = tmp_path / "caller"
    caller.mkdir()
    monkeypatch.chdir(caller)
    log = tmp_path / "log"
    script = write_script(
        tmp_path, "slowversion",
        f'if [ "$1" = "--version" ]; then pwd > "{log}.cwd"; sleep 300 &\n'
        f'echo $! > "{log}.child"; wait; fi\necho ran > "{log}.ran"\n',
    )
    try:
        with pytest.raises(CommandTimeoutError, match=r"asking the tool its version .*"
                                                      r"--version.*timeout=1 s.*did not run"):
            _versioned(script)().run(flag="x", timeout=1)
        assert wait_until_gone(int((tmp_path / "log.child").read_text()))  # group killed
    finally:
        _kill_later(tmp_path / "log.child")
    assert (tmp_path / "log.cwd").read_text().strip() != str(caller)  # a scratch folder
    assert os.listdir(caller) == []
    assert not (tmp_path / "log.ran").exists()


def test_version_is_remembered_per_executable_identity(tmp_path):
    count = tmp_path / "count"
    body = f'if [ "$1" = "--version" ]; then echo x >> "{count}"; echo "v 2.0"; fi\n'
    script = write_script(tmp_path, "counted", body)
    tool = _versioned(script)
    tool().run(flag="a")
    tool().run(flag="b")
    assert count.read_text().count("x") == 1  # asked once
    # Replaced in place by another file with the same size and modification
    # time (an upgrade that keeps timestamps): asked again.
    old = os.stat(script)
    replacement = write_script(tmp_path, "counted.new", body)
    os.utime(replacement, ns=(old.st_atime_ns, old.st_mtime_ns))
    os.replace(replacement, script)
    tool().run(flag="c")
    assert count.read_text().count("x") == 2


# 6. a background child holding stdout -----------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_run_returns_when_the_tool_exits_despite_a_background_child(tmp_path, stream):
    pid_file = tmp_path / "child"
    script = write_script(tmp_path, "daemonises",
                          f'sleep 300 &\necho $! > "{pid_file}"\necho done\n')

    class daemonises(Interface):
        executable = script

    try:
        result = daemonises().run(timeout=30, stream=stream)
        assert result.runtime.returncode == 0
        assert result.runtime.stdout == "done\n"
        assert not process_gone(int(pid_file.read_text()))  # the child was left alone
    finally:
        _kill_later(pid_file)


# 7. corrupt outputs ---------------------------------------------------------------------------


@pytest.fixture
def good_image(tmp_path):
    path = tmp_path / "in.nii.gz"
    nib.save(nib.Nifti1Image(np.arange(4000, dtype=np.float32).reshape(10, 20, 20), np.eye(4)),
             path)
    return path


@pytest.mark.parametrize("damage, ext, reason", [
    ("garbage", ".nii.gz", "not an image file|not a gzip file"),
    ("half", ".nii.gz", "truncated"),
    ("half", ".nii", "holds .* bytes where its header needs 16352.*truncated"),
])
def test_corrupt_output_names_output_and_tool_and_cleans_the_copy(tmp_path, good_image, damage,
                                                                  ext, reason):
    source = tmp_path / f"source{ext}"
    nib.save(nib.load(good_image), source)
    data = source.read_bytes()
    bad = tmp_path / f"bad{ext}"
    bad.write_bytes(b"garbage " * 50 if damage == "garbage" else data[: len(data) // 2])
    info = tmp_path / "copy-path"
    script = write_script(tmp_path, "writes_bad",
                          f'echo "$1" > "{info}"\ncp "{bad}" "$2"\n')
    tool = _tool(script, copy=True)
    with pytest.raises(OutputCorruptError, match=rf"local.tool: the command finished, but "
                                                 rf"output 'out_file' .* cannot be read: "
                                                 rf".*({reason})(.|\n)*command: .*writes_bad "
                                                 rf"(.|\n)*corrupt or incomplete") as err:
        tool().run(in_file=str(source), workdir=tmp_path / "w")
    assert isinstance(err.value, InterfaceError)
    assert err.value.result is not None and err.value.returncode == 0
    copy_path = info.read_text().strip()
    assert copy_path != str(source) and not os.path.exists(copy_path)  # the copy is gone
    assert source.read_bytes() == data


def test_whole_outputs_pass_the_check(tmp_path, good_image):
    for ext in (".nii", ".nii.gz"):
        source = tmp_path / f"whole{ext}"
        nib.save(nib.load(good_image), source)
        result = cp().run(in_file=str(source), workdir=tmp_path / "w")
        assert np.array_equal(result.outputs.out_file.get_fdata(), nib.load(source).get_fdata())


# 8. Ctrl-C twice while the tool ignores SIGTERM ---------------------------------------------------


def test_second_ctrl_c_does_not_cancel_the_kill(tmp_path):
    info = tmp_path / "info"
    # Ignore SIGTERM (the sleep inherits that), interrupt the parent once it
    # waits for us, then again well within the grace period it then waits out.
    script = write_script(
        tmp_path, "stubborn",
        f"trap '' TERM\necho $$ > \"{info}\"\n"
        + WAIT_FOR_PARENT_BLOCKED + "kill -INT $PPID\nsleep 0.3\n"
        + "kill -INT $PPID\nsleep 300\n",
    )

    class stubborn(Interface):
        executable = script

    with pytest.raises(KeyboardInterrupt):
        stubborn().run()
    assert wait_until_gone(int(info.read_text()))


# 9. '*' in an explicit output name --------------------------------------------------------------


def test_star_in_an_explicit_output_name_is_literal(tmp_path):
    unrelated = tmp_path / "oXo.nii"
    nib.save(nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4)), unrelated)
    result = cp().run(in_file=ANATOMICAL, out_file=str(tmp_path / "o*o.nii"))
    assert result.outputs.out_file.get_filename() == str(tmp_path / "o*o.nii")
    assert nib.load(result.outputs.out_file.get_filename()).shape == nib.load(ANATOMICAL).shape


# 10. cache records of the wrong shape ----------------------------------------------------------------


def _entry_file(folder) -> str:
    (entry,) = [os.path.join(r, f) for r, _, fs in os.walk(folder / "entries") for f in fs]
    return entry


@pytest.mark.parametrize("damage", [
    lambda e: [1, 2, 3],
    lambda e: {k: v for k, v in e.items() if k != "runtime"},
    lambda e: {**e, "outputs": {}},
    lambda e: {**e, "outputs": {"out_file": {"kind": "image"}}},
    lambda e: {**e, "runtime": {"argv": 3}},
], ids=["a list", "missing key", "outputs emptied", "output without value", "bad runtime"])
def test_damaged_entry_is_a_miss_with_a_warning_and_is_rebuilt(tmp_path, damage):
    folder = tmp_path / "cache"
    first = cp().run(in_file=ANATOMICAL, cache=folder)
    path = _entry_file(folder)
    entry = json.load(open(path))
    json.dump(damage(entry), open(path, "w"))
    with pytest.warns(CacheWarning, match="unreadable cache record"):
        again = cp().run(in_file=ANATOMICAL, cache=folder)
    assert not again.cache_hit
    assert again.outputs.out_file.get_filename() == first.outputs.out_file.get_filename()
    assert json.load(open(path))["outputs"].keys() == entry["outputs"].keys()  # rebuilt
    assert cp().run(in_file=ANATOMICAL, cache=folder).cache_hit


@pytest.mark.parametrize("where", ["tools", "hashes"])
def test_damaged_tool_and_hash_records_are_misses(tmp_path, where, monkeypatch):
    monkeypatch.setattr(cache_module, "_versions", {})
    monkeypatch.setattr(cache_module, "_hashes", {})
    folder = tmp_path / "cache"
    cp().run(in_file=ANATOMICAL, cache=folder) if where == "tools" else None
    cache_module.set_cache(hash_contents=True) if where == "hashes" else None
    try:
        cp().run(in_file=ANATOMICAL, cache=folder)
        records = [os.path.join(r, f) for r, _, fs in os.walk(folder / where) for f in fs]
        assert records
        for record in records:
            json.dump(["not", "a", "record"], open(record, "w"))
        cache_module._versions.clear()
        cache_module._hashes.clear()
        with pytest.warns(CacheWarning, match=rf"unreadable cache record .*{where}"):
            again = cp().run(in_file=ANATOMICAL, cache=folder)
        assert again.cache_hit  # the same key, found again from the rebuilt record
        # the records this run needed are rewritten (those of the outputs are
        # read only when an output's stat changes)
        assert any(isinstance(json.load(open(r)), dict) for r in records)
    finally:
        cache_module.set_cache(hash_contents=False)


# 11. a tool killed by a signal --------------------------------------------------------------------------


def test_signal_is_named(tmp_path):
    script = write_script(tmp_path, "crashes", "kill -SEGV $$\n")

    class crashes(Interface):
        executable = script

    with pytest.raises(CommandFailedError, match=r"was killed by signal SIGSEGV \(11\)") as err:
        crashes().run()
    assert err.value.returncode == -11


def test_imagecache_is_left_clean(cache_dir):
    """The copies and temporaries of the tests above went with their runs."""
    cp().run(in_file=imagecache.load(ANATOMICAL))
    assert os.listdir(cache_dir) == []


# Seeing a long run -------------------------------------------------------------------------------


def _talker(tmp_path):
    script = write_script(tmp_path, "talks", "echo one\necho two >&2\necho three\n")

    class talks(Interface):
        executable = script

    return talks


def test_stream_true_without_logging_shows_lines_on_stderr(tmp_path, capfd, monkeypatch):
    import logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as in a plain script: no logging set up
    result = _talker(tmp_path)().run(stream=True)
    shown = capfd.readouterr().err.splitlines()
    assert sorted(shown) == ["one", "three", "two"]
    assert result.runtime.stdout == "one\nthree\n"  # captured as well


def test_stream_to_a_callable(tmp_path):
    lines = []
    _talker(tmp_path)().run(stream=lambda text, source: lines.append((source, text)))
    assert [t for s, t in lines if s == "stdout"] == ["one", "three"]
    assert [t for s, t in lines if s == "stderr"] == ["two"]


def test_cli_shows_the_output_live_with_elapsed_time_or_not(tmp_path, capsys):
    from interfaces.cli import main

    assert main(["run", "wc", f"in_file={ANATOMICAL}"]) == 0
    err = capsys.readouterr().err
    assert re.search(rf"^\[\s*\d+\.\d s\] {os.path.getsize(ANATOMICAL)} ", err, re.MULTILINE)
    assert main(["run", "wc", f"in_file={ANATOMICAL}", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and str(os.path.getsize(ANATOMICAL)) in captured.out


def test_error_tail_has_no_terminal_colour_codes(tmp_path):
    script = write_script(tmp_path, "colours",
                          "printf '\\033[1;31mERROR:\\033[0m bad input\\033[K\\n' >&2\nexit 2\n")

    class colours(Interface):
        executable = script

    with pytest.raises(CommandFailedError) as err:
        colours().run()
    assert "ERROR: bad input" in str(err.value) and "\x1b" not in str(err.value)
    assert "\x1b[1;31m" in err.value.stderr  # the captured output is kept as it was
