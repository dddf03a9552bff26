"""Every error: raised at the right moment, naming what went wrong and what to do."""

from __future__ import annotations

import os

import pytest

import imagecache
from interfaces.base import (
    Bool,
    CommandFailedError,
    CommandTimeoutError,
    ExecutableNotFoundError,
    Family,
    File,
    Float,
    Image,
    InputError,
    InputFileNotFoundError,
    InputSpec,
    InputTypeError,
    Int,
    Interface,
    InterfaceError,
    OutputImage,
    OutputMissingError,
    OutputSpec,
    Str,
)
from interfaces.coreutils import cp
from interfaces_helpers import (  # noqa: F401  (runs_dir: an autouse fixture)
    ANATOMICAL,
    WAIT_FOR_PARENT_BLOCKED,
    process_gone,
    runs_dir,
    wait_until_gone,
    write_script,
)


@pytest.fixture
def marker_tool(tmp_path):
    """A tool that leaves a marker file when it runs, with a varied spec."""
    marker = tmp_path / "ran"
    script = write_script(tmp_path, "marks", f'touch "{marker}"\n')

    class marks(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, desc="the input image")
            mask = File(argstr="-m %s", xor=["no_mask"])
            no_mask = Bool(argstr="-n", xor=["mask"])
            thresh = Float(argstr="-t %g", requires=["mask"])
            count = Int(argstr="-c %d")

    marks.marker = marker
    return marks


def _nothing_ran(tool, runs_dir):
    return not tool.marker.exists() and (not runs_dir.exists() or not any(runs_dir.iterdir()))


def test_missing_mandatory_input(marker_tool, runs_dir):
    with pytest.raises(InputError) as err:
        marker_tool().run(count=3)
    msg = str(err.value)
    assert "'in_file' is mandatory" in msg and "the input image" in msg
    assert "Pass in_file=" in msg
    assert _nothing_ran(marker_tool, runs_dir)


def test_xor_violation(marker_tool, runs_dir):
    with pytest.raises(InputError, match=r"'mask' and 'no_mask' are mutually exclusive.*only one"):
        marker_tool().run(in_file=ANATOMICAL, mask=ANATOMICAL, no_mask=True)
    assert _nothing_ran(marker_tool, runs_dir)
    # False does not count as given
    marker_tool().run(in_file=ANATOMICAL, mask=ANATOMICAL, no_mask=False)


def test_requires_violation(marker_tool, runs_dir):
    with pytest.raises(InputError, match=r"'thresh' requires input 'mask'.*Pass mask="):
        marker_tool().run(in_file=ANATOMICAL, thresh=0.5)
    assert _nothing_ran(marker_tool, runs_dir)


def test_wrong_types(marker_tool, runs_dir):
    with pytest.raises(InputTypeError, match=r"input 'count' must be .*int.*got 'three' \(str\)"):
        marker_tool().run(in_file=ANATOMICAL, count="three")
    with pytest.raises(InputTypeError, match=r"input 'in_file' must be a nibabel image"):
        marker_tool(in_file=42)
    with pytest.raises(InputTypeError, match="'mask'"):
        marker_tool().run(in_file=ANATOMICAL, mask=3.5)
    assert _nothing_ran(marker_tool, runs_dir)


def test_unknown_input_lists_the_inputs(marker_tool):
    with pytest.raises(InputError, match=r"has no input 'in_fiel'; its inputs are: in_file, mask"):
        marker_tool(in_fiel=ANATOMICAL)


def test_missing_input_files(marker_tool, tmp_path, runs_dir):
    missing = tmp_path / "nope.nii"
    with pytest.raises(InputFileNotFoundError) as err:
        marker_tool().run(in_file=missing)
    assert "'in_file'" in str(err.value) and str(missing) in str(err.value)
    assert isinstance(err.value, FileNotFoundError)
    with pytest.raises(InputFileNotFoundError, match=r"'mask' names .*nope.nii"):
        marker_tool().run(in_file=ANATOMICAL, mask=missing)
    assert _nothing_ran(marker_tool, runs_dir)


def test_executable_not_found_names_it_and_the_package_hint(monkeypatch):
    fam = Family("fakepkg", home_env="FAKEPKGDIR",
                 package_hint="Install FakePkg (https://example.org) and set FAKEPKGDIR.")

    class ghost(Interface):
        executable = "imageshell-no-such-tool"
        family = fam

    monkeypatch.delenv("FAKEPKGDIR", raising=False)
    with pytest.raises(ExecutableNotFoundError) as err:
        ghost().run()
    msg = str(err.value)
    assert "'imageshell-no-such-tool' not found" in msg
    assert "$FAKEPKGDIR is not set" in msg
    assert "Install FakePkg" in msg
    assert isinstance(err.value, FileNotFoundError)
    monkeypatch.setenv("FAKEPKGDIR", "/opt/fakepkg")
    with pytest.raises(ExecutableNotFoundError, match=r"\$FAKEPKGDIR/bin \(/opt/fakepkg\) or PATH"):
        ghost().run()


def test_executable_not_found_before_any_file_is_written(runs_dir):
    import nibabel as nib
    import numpy as np

    class ghost(cp):
        executable = "imageshell-no-such-cp"

    img = nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4))
    with pytest.raises(ExecutableNotFoundError, match="apt-get install coreutils"):
        ghost().run(in_file=img)
    assert not runs_dir.exists() or not any(runs_dir.iterdir())


def test_nonzero_exit_raises_with_argv_returncode_and_stderr_tail(tmp_path, runs_dir):
    script = write_script(
        tmp_path, "fails",
        'i=1; while [ $i -le 40 ]; do echo "complaint $i" >&2; i=$((i+1)); done; exit 3\n',
    )

    class fails(Interface):
        executable = script

        class Inputs(InputSpec):
            label = Str(position=0)

    with pytest.raises(CommandFailedError) as err:
        fails().run(label="a b")
    e = err.value
    assert e.returncode == 3
    assert e.argv == [script, "a b"]
    assert "complaint 40" in e.stderr and "complaint 1\n" in e.stderr
    msg = str(e)
    assert "exited with status 3" in msg
    assert f"{script} 'a b'" in msg  # the command, shell-quoted
    assert "complaint 40" in msg and "complaint 1\n" not in msg  # only the tail
    assert "check=False" in msg


def test_check_false_returns_the_failed_result(tmp_path):
    script = write_script(tmp_path, "fails", "echo oops >&2; exit 1\n")

    class fails(Interface):
        executable = script

    res = fails().run(check=False)
    assert res.runtime.returncode == 1
    assert res.runtime.stderr == "oops\n"


def test_stderr_on_success_is_not_a_failure(tmp_path, runs_dir):
    script = write_script(tmp_path, "chatty", 'echo "WARNING: all is fine" >&2; cp "$1" "$2"\n')

    class chatty(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True)
            out_file = OutputImage(position=1, name_source="in_file", name_template="%s_out",
                                   keep_extension=True)

    res = chatty().run(in_file=ANATOMICAL)
    assert res.runtime.stderr.startswith("WARNING")
    assert res.outputs.out_file.shape == imagecache.load(ANATOMICAL).shape


def test_declared_output_missing_names_the_path(tmp_path):
    script = write_script(tmp_path, "lazy", "exit 0\n")

    class lazy(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True)
            out_file = OutputImage(position=1, name_source="in_file", name_template="%s_x",
                                   keep_extension=True)

        class Outputs(OutputSpec):
            extra = Image(name_source="out_file", name_template="%s_extra.nii")

    with pytest.raises(OutputMissingError) as err:
        lazy().run(in_file=ANATOMICAL)
    msg = str(err.value)
    expected = os.path.join(err.value.result.runtime.cwd, "anatomical_x.nii")
    assert f"out_file: {expected}" in msg
    assert "extra: " + os.path.join(err.value.result.runtime.cwd, "anatomical_x_extra.nii") in msg
    assert isinstance(err.value, FileNotFoundError)


def test_value_from_stdout_that_does_not_match(tmp_path):
    script = write_script(tmp_path, "says", "echo no number here\n")

    class says(Interface):
        executable = script

        class Outputs(OutputSpec):
            n = Int(from_stdout=r"^(\d+)")

    with pytest.raises(OutputMissingError, match=r"'n' should be read from stdout"):
        says().run()


def test_timeout_kills_the_whole_process_group(tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    script = write_script(tmp_path, "hangs", f'sleep 300 &\necho $! > "{pidfile}"\nwait\n')

    class hangs(Interface):
        executable = script

    with pytest.raises(CommandTimeoutError) as err:
        hangs().run(timeout=0.5)
    assert isinstance(err.value, TimeoutError)
    assert "timeout=0.5" in str(err.value) and script in str(err.value)
    assert err.value.returncode == -9
    grandchild = int(pidfile.read_text())
    assert wait_until_gone(grandchild)


def test_timeout_while_streaming(tmp_path, caplog):
    script = write_script(tmp_path, "hangs", "echo started\nexec sleep 300\n")

    class hangs(Interface):
        executable = script

    with pytest.raises(CommandTimeoutError) as err:
        hangs().run(timeout=0.5, stream=True)
    assert err.value.stdout == "started\n"


@pytest.mark.parametrize("stream", [False, True])
def test_keyboard_interrupt_terminates_the_child_and_cleans_up(tmp_path, runs_dir, stream):
    info = tmp_path / "info"
    # Record what the tool got and its pid, then interrupt us (the parent) once
    # we are blocked waiting for it, as Ctrl-C would, and hang.
    script = write_script(
        tmp_path, "interrupts",
        f'echo "$1" > "{info}"\necho $$ >> "{info}"\nsleep 300 &\necho $! >> "{info}"\n'
        + WAIT_FOR_PARENT_BLOCKED
        + "kill -INT $PPID\nwait\n",
    )

    class interrupts(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, copy=True)
            out_file = OutputImage(position=1, name_source="in_file", name_template="%s_o")

    with pytest.raises(KeyboardInterrupt):
        interrupts().run(in_file=ANATOMICAL, stream=stream)
    copy_path, pid, grandchild = info.read_text().split("\n")[:3]
    assert wait_until_gone(int(pid))
    assert wait_until_gone(int(grandchild))
    assert process_gone(int(pid))
    assert copy_path.endswith(".nii") and not os.path.exists(copy_path)  # copy discarded
    assert os.path.exists(ANATOMICAL)
    assert list(runs_dir.iterdir()) == []  # the run's folder is gone


def test_version_limits(tmp_path):
    script = write_script(tmp_path, "v1", 'if [ "$1" = "--version" ]; then echo "v 1.4.2"; fi\n')

    class v1(Interface):
        executable = script

        class Inputs(InputSpec):
            new = Bool(argstr="--new", min_ver="2.0")
            old = Bool(argstr="--old", max_ver="1.2")
            fine = Bool(argstr="--fine", min_ver="1.4", max_ver="1.5")

    v1().run(fine=True)
    with pytest.raises(InputError, match=r"'new' needs .* >= 2.0, but .* is version 1.4.2"):
        v1().run(new=True)
    with pytest.raises(InputError, match=r"'old' is not supported after .* 1.2"):
        v1().run(old=True)


def test_bad_declarations_fail_at_class_creation():
    with pytest.raises(TypeError, match="options of run"):

        class clash(Interface):
            executable = "true"

            class Inputs(InputSpec):
                timeout = Float(argstr="-t %g")

    with pytest.raises(TypeError, match="neither where it is"):

        class nowhere(Interface):
            executable = "true"

            class Outputs(OutputSpec):
                result = Image()


def test_every_error_is_an_interface_error():
    for cls in (InputError, InputTypeError, InputFileNotFoundError, ExecutableNotFoundError,
                CommandFailedError, CommandTimeoutError, OutputMissingError):
        assert issubclass(cls, InterfaceError)
