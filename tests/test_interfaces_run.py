"""Running real executables: arguments, images as files, outputs, runtime."""

from __future__ import annotations

import logging
import os
import shutil

import nibabel as nib
import numpy as np
import pytest

import imagecache
from interfaces.base import (
    Bool,
    Family,
    File,
    Float,
    Image,
    InputSpec,
    Int,
    Interface,
    List,
    OutputFile,
    OutputImage,
    OutputSpec,
    Str,
    Undefined,
)
from interfaces.coreutils import cp, sha256sum, wc
from interfaces_helpers import (  # noqa: F401  (runs_dir: an autouse fixture)
    ANATOMICAL,
    ARGV_DUMP,
    EXAMPLE4D,
    argv_of,
    runs_dir,
    write_script,
)


@pytest.fixture
def anat(tmp_path):
    """A copy of nibabel's anatomical.nii (a real image), as a path."""
    dst = tmp_path / "data" / "anatomical.nii"
    dst.parent.mkdir()
    shutil.copyfile(ANATOMICAL, dst)
    return str(dst)


@pytest.fixture
def dump_tool(tmp_path):
    """An interface whose executable prints its arguments as JSON."""
    script = write_script(tmp_path, "dump-args", ARGV_DUMP, python=True)

    class dump(Interface):
        """Print the arguments."""

        executable = script

        class Inputs(InputSpec):
            name = Str(argstr="--name %s", desc="a string")
            files = List(File(), argstr="%s", position=-1)
            image = Image(argstr="-i %s")
            frac = Float(argstr="-f %.2f")
            dims = List(Int(), argstr="-d %d")
            pair = List(Int(), argstr="-p %d,%d")
            joined = List(Str(), argstr="--j=%s", sep=",")
            repeat = List(Str(), argstr="-r %s...")
            flag = Bool(argstr="--flag")
            first = Str(argstr="%s", position=0)

    return dump


# -- arguments -----------------------------------------------------------------

NASTY = [
    "with space",
    "quote's \"double\"",
    "semi;colon && rm -rf /",
    "$(touch pwned) `touch pwned2` $HOME",
    "new\nline\ttab",
    "non-ASCII: héllo wörld ✓ 日本",
    "*?[glob]",
    "-leading-dash",
    "back\\slash",
    "100% %s %d",
]


@pytest.mark.parametrize("value", NASTY)
def test_strange_strings_reach_the_tool_unchanged(dump_tool, value, tmp_path):
    res = dump_tool().run(name=value)
    assert argv_of(res) == ["--name", value]
    assert not (tmp_path / "pwned").exists()
    # cmdline is a faithful shell rendering of argv
    import shlex

    assert shlex.split(res.cmdline) == res.argv


def test_strange_file_names_reach_the_tool_unchanged(dump_tool, tmp_path, anat):
    names = []
    for i, value in enumerate(NASTY[:6]):
        p = tmp_path / f"{i} {value.replace('/', '_')}.txt"
        p.write_text("x")
        names.append(str(p))
    image_path = tmp_path / "héllo $(x) ; 'q'.nii"
    shutil.copyfile(anat, image_path)
    res = dump_tool().run(files=names, image=image_path)
    assert argv_of(res) == ["-i", str(image_path), *names]
    assert res.input_files["image"].origin == "original"


def test_argument_formats_and_nipype_order(dump_tool, tmp_path):
    res = dump_tool().run(
        first="FIRST", frac=0.4, dims=[1, 2, 3], pair=[4, 5], joined=["a", "b"],
        repeat=["x", "y"], flag=True, name="n",
    )
    # positions >= 0, then unpositioned alphabetically, then negative positions
    assert argv_of(res) == [
        "FIRST",
        "-d", "1", "2", "3",  # dims
        "--flag",  # flag
        "-f", "0.40",  # frac
        "--j=a,b",
        "--name", "n",
        "-p", "4,5",
        "-r", "x", "-r", "y",
    ]


def test_false_flags_and_unset_inputs_are_left_out(dump_tool):
    assert argv_of(dump_tool().run(flag=False)) == []


def test_instance_inputs_are_defaults_for_run_and_run_does_not_change_them(dump_tool):
    tool = dump_tool(name="a", flag=True)
    assert argv_of(tool.run(name="b")) == ["--flag", "--name", "b"]
    assert tool.inputs.name == "a"
    assert argv_of(tool.run()) == ["--flag", "--name", "a"]


# -- images in, images out -------------------------------------------------------


def test_clean_loaded_image_is_passed_as_its_own_file(anat):
    img = imagecache.load(anat)
    res = cp().run(in_file=img)
    prepared = res.input_files["in_file"]
    assert prepared.origin == "original"
    assert prepared.path == anat
    assert prepared.bytes_written == 0
    assert res.bytes_written == 0
    assert res.argv[1] == anat


def test_chaining_one_run_into_the_next_writes_nothing(anat):
    first = cp().run(in_file=imagecache.load(anat))
    out = first.outputs.out_file
    assert isinstance(out, nib.Nifti1Image)
    assert not imagecache.is_dirty(out)
    assert not out.in_memory  # lazy: nothing read yet
    second = cp().run(in_file=out)
    assert second.bytes_written == 0
    assert second.input_files["in_file"].origin == "original"
    assert second.input_files["in_file"].path == out.get_filename()
    third = wc().run(in_file=second.outputs.out_file.get_filename())
    assert third.outputs.count == os.path.getsize(anat)
    np.testing.assert_array_equal(
        np.asanyarray(second.outputs.out_file.dataobj), np.asanyarray(nib.load(anat).dataobj)
    )


def test_in_memory_image_is_written_once_then_reused():
    data = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    img = nib.Nifti1Image(data, np.eye(4))
    first = cp().run(in_file=img)
    assert first.input_files["in_file"].origin == "temporary"
    assert first.bytes_written > 0
    again = cp().run(in_file=img)
    assert again.input_files["in_file"].reused
    assert again.bytes_written == 0
    np.testing.assert_array_equal(np.asanyarray(first.outputs.out_file.dataobj), data)


def test_edited_image_is_coerced_at_run_time_not_at_assignment(anat):
    img = imagecache.load(anat)
    tool = cp(in_file=img)
    img.affine[0, 3] += 10  # edited after assignment, before run
    res = tool.run()
    assert res.input_files["in_file"].origin == "temporary"
    assert res.outputs.out_file.affine[0, 3] == img.affine[0, 3]


def test_formats_convert_an_image_the_tool_cannot_read(tmp_path):
    script = write_script(tmp_path, "reads-nii-only", 'case "$1" in *.nii) exit 0;; esac; exit 9\n')

    class niionly(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, formats=(".nii",))

    res = niionly().run(in_file=EXAMPLE4D)
    assert res.argv[1].endswith(".nii")
    assert res.input_files["in_file"].origin == "temporary"
    assert res.bytes_written > 0


def test_list_of_images(tmp_path, anat):
    script = write_script(tmp_path, "dump", ARGV_DUMP, python=True)

    class many(Interface):
        executable = script

        class Inputs(InputSpec):
            in_files = List(Image(), argstr="%s", mandatory=True)

    mem = nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4))
    res = many().run(in_files=[imagecache.load(anat), mem])
    files = res.input_files["in_files"]
    assert [f.origin for f in files] == ["original", "temporary"]
    assert argv_of(res) == [f.path for f in files]


def test_copy_true_protects_the_input_and_modified_input_is_an_output(tmp_path, anat):
    # The script changes the file it is given, in place (as some tools do).
    script = write_script(
        tmp_path, "edit-in-place",
        "import sys\nwith open(sys.argv[1], 'r+b') as f:\n"
        "    f.seek(-4, 2); f.write(b'\\x00\\x00\\x80\\x3f')\n",
        python=True,
    )

    class edit(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, copy=True)

        class Outputs(OutputSpec):
            out_file = Image(modified_input="in_file")

    before = open(anat, "rb").read()
    res = edit().run(in_file=imagecache.load(anat))
    assert open(anat, "rb").read() == before  # the user's file is untouched
    assert res.input_files["in_file"].origin == "copy"
    out = res.outputs.out_file
    assert out.get_filename() == res.input_files["in_file"].path
    assert os.path.exists(out.get_filename())  # kept: it is the output


def test_copy_true_copy_is_discarded_after_the_run(tmp_path, anat):
    script = write_script(tmp_path, "noop", "exit 0\n")

    class touchy(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, copy=True)

    res = touchy().run(in_file=anat)
    assert res.input_files["in_file"].origin == "copy"
    assert not os.path.exists(res.input_files["in_file"].path)
    assert os.path.exists(anat)


# -- where outputs go ------------------------------------------------------------


def test_unnamed_outputs_go_to_a_per_run_folder_not_cwd_nor_beside_inputs(anat, runs_dir):
    a = cp().run(in_file=anat)
    b = cp().run(in_file=anat)
    pa, pb = a.outputs.out_file.get_filename(), b.outputs.out_file.get_filename()
    assert os.path.basename(pa) == "anatomical_copy.nii"
    assert os.path.dirname(pa) != os.path.dirname(pb)
    for p in (pa, pb):
        assert os.path.dirname(os.path.dirname(p)) == str(runs_dir)
        assert os.path.dirname(p) != os.path.dirname(anat)
        assert os.path.dirname(p) != os.getcwd()
    assert a.runtime.cwd == os.path.dirname(pa)  # the tool ran there
    assert not os.path.exists(os.path.join(os.path.dirname(anat), "anatomical_copy.nii"))


def test_given_output_paths_are_honoured(anat, tmp_path):
    target = tmp_path / "out dir" / "my copy.nii"
    target.parent.mkdir()
    res = cp().run(in_file=anat, out_file=target)
    assert res.outputs.out_file.get_filename() == str(target)
    assert res.inputs["out_file"] == str(target)


def test_relative_output_path_is_relative_to_the_callers_cwd(anat, tmp_path):
    target = tmp_path / "rel.nii"
    relative = os.path.relpath(target)
    res = cp().run(in_file=anat, out_file=relative)
    assert res.outputs.out_file.get_filename() == str(target)
    assert target.exists()


def test_explicit_workdir(anat, tmp_path):
    res = cp().run(in_file=anat, workdir=tmp_path / "mine")
    assert res.outputs.out_file.get_filename() == str(tmp_path / "mine" / "anatomical_copy.nii")


def test_empty_per_run_folder_is_removed(tmp_path, runs_dir, anat):
    script = write_script(tmp_path, "writes-nothing", "exit 0\n")

    class optional(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True)
            extra = OutputFile(position=1, name_source="in_file", name_template="%s.txt",
                               generate=False)

    res = optional().run(in_file=anat)
    assert os.path.basename(res.runtime.cwd).startswith("imageshell-")
    assert list(runs_dir.iterdir()) == []


def test_an_output_optional_only_when_an_input_is_set_is_an_error_otherwise(tmp_path, anat):
    # a tool that writes its output unless -n is given (bet's out_file, no_output)
    script = write_script(tmp_path, "writes-unless-n", (
        "import sys\n"
        "if not {'-n', '-lazy'} & set(sys.argv):\n"
        "    open(sys.argv[-1], 'w').write('x\\n')\n"), python=True)

    class skipper(Interface):
        executable = script

        class Inputs(InputSpec):
            no_output = Bool(argstr="-n", position=0)
            lazy = Bool(argstr="-lazy", position=0)
            out_file = OutputFile(argstr="%s", position=1, name_template="out.txt",
                                  optional="no_output")

    assert open(skipper().run().outputs.out_file).read() == "x\n"
    assert skipper().run(no_output=True).outputs.out_file is Undefined
    # named by the user, or by default, and not written: an error that names it
    from interfaces.base import OutputMissingError

    with pytest.raises(OutputMissingError, match=r"out_file: .*mine\.txt"):
        skipper().run(lazy=True, out_file=str(tmp_path / "mine.txt"))
    with pytest.raises(OutputMissingError, match=r"out_file: .*out\.txt"):
        skipper().run(lazy=True, no_output=False)
    with pytest.raises(TypeError, match=r"output 'o' has optional='nope', but 'nope' is not "
                                        r"an input"):
        class stray(Interface):  # noqa: F841
            executable = script

            class Outputs(OutputSpec):
                o = File(name_template="o.txt", optional="nope")


def test_tools_that_write_no_file_share_a_scratch_folder(runs_dir):
    a = wc().run(in_file=ANATOMICAL)
    b = wc().run(in_file=ANATOMICAL)
    assert a.runtime.cwd == b.runtime.cwd
    assert os.path.dirname(a.runtime.cwd) == str(runs_dir)
    assert a.runtime.cwd != os.getcwd()
    assert [p.name.startswith("imageshell-scratch-") for p in runs_dir.iterdir()] == [True]


def test_implicit_outputs_from_templates_and_requires(tmp_path, anat):
    # Like bet: writes OUT and, with -m, OUT_mask next to it.
    script = write_script(
        tmp_path, "fake-bet",
        'cp "$1" "$2.nii"\n'
        'if [ "$3" = "-m" ]; then cp "$1" "$2_mask.nii"; fi\n',
    )
    fam = Family("testfam", image_extension=".nii")

    class brain(Interface):
        executable = script
        family = fam

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True)
            out_base = Str(position=1, mandatory=True)
            mask = Bool(argstr="-m", position=2)

        class Outputs(OutputSpec):
            out_file = Image(name_source="out_base", name_template="%s")
            mask_file = Image(name_source="out_base", name_template="%s_mask", requires=["mask"])

    res = brain().run(in_file=anat, out_base="b")
    assert res.outputs.mask_file is Undefined
    assert os.path.basename(res.outputs.out_file.get_filename()) == "b.nii"
    res = brain().run(in_file=anat, out_base="b", mask=True)
    assert os.path.basename(res.outputs.mask_file.get_filename()) == "b_mask.nii"


def test_family_output_extension_follows_its_environment_variable(tmp_path, anat, monkeypatch):
    script = write_script(
        tmp_path, "writes-by-type",
        'case "$TESTOUTPUTTYPE" in NIFTI) cp "$1" "$2";; *) gzip -c "$1" > "$2";; esac\n',
    )
    fam = Family(
        "typed", output_type_env="TESTOUTPUTTYPE", default_output_type="NIFTI_GZ",
        output_types={"NIFTI": ".nii", "NIFTI_GZ": ".nii.gz"},
    )

    class conv(Interface):
        executable = script
        family = fam

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True)
            out_file = OutputImage(position=1, name_source="in_file", name_template="%s_conv")

    monkeypatch.delenv("TESTOUTPUTTYPE", raising=False)
    res = conv().run(in_file=anat)
    assert res.outputs.out_file.get_filename().endswith("anatomical_conv.nii.gz")
    assert res.runtime.environ == {"TESTOUTPUTTYPE": "NIFTI_GZ"}  # pinned for the tool
    monkeypatch.setenv("TESTOUTPUTTYPE", "NIFTI")
    res = conv().run(in_file=anat)
    assert res.outputs.out_file.get_filename().endswith("anatomical_conv.nii")
    assert res.runtime.environ == {}
    assert res.outputs.out_file.shape == nib.load(anat).shape


def test_family_home_is_searched_before_path(tmp_path, monkeypatch):
    home = tmp_path / "pkg"
    (home / "bin").mkdir(parents=True)
    write_script(home / "bin", "sha256sum", "echo fromhome\n")
    fam = Family("pkg", home_env="TESTPKGDIR")

    class tool(Interface):
        executable = "sha256sum"
        family = fam

    monkeypatch.delenv("TESTPKGDIR", raising=False)
    assert tool.executable_path() == shutil.which("sha256sum")
    monkeypatch.setenv("TESTPKGDIR", str(home))
    assert tool.executable_path() == str(home / "bin" / "sha256sum")
    assert tool().run().runtime.stdout == "fromhome\n"


def test_output_file_true_and_generate_false(tmp_path, anat):
    script = write_script(tmp_path, "maybe-matrix", 'if [ -n "$2" ]; then echo 1 > "$2"; fi\n')

    class reg(Interface):
        executable = script

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True)
            matrix = OutputFile(position=1, name_source="in_file", name_template="%s.mat",
                                generate=False)

    assert reg().run(in_file=anat).outputs.matrix is Undefined
    res = reg().run(in_file=anat, matrix=True)
    assert os.path.basename(res.outputs.matrix) == "anatomical.mat"
    assert open(res.outputs.matrix).read() == "1\n"


# -- coreutils, values from stdout, runtime -----------------------------------------


def test_values_read_from_stdout(anat):
    import hashlib

    assert sha256sum().run(in_file=anat).outputs.digest == hashlib.sha256(
        open(anat, "rb").read()
    ).hexdigest()
    count = wc().run(in_file=anat).outputs.count
    assert isinstance(count, int) and count == os.path.getsize(anat)


def test_runtime_record(anat):
    res = wc().run(in_file=anat)
    rt = res.runtime
    assert rt.argv == [shutil.which("wc"), "--bytes", anat]
    assert rt.returncode == 0
    assert rt.stdout.split()[0] == str(os.path.getsize(anat))
    assert rt.stderr == ""
    assert rt.start <= rt.end
    assert rt.duration >= 0
    assert rt.hostname == os.uname().nodename
    assert rt.executable == shutil.which("wc")
    assert rt.version is not None and rt.version[0].isdigit()
    d = res.to_dict()
    assert d["runtime"]["cmdline"] == res.cmdline
    assert d["outputs"] == {"count": os.path.getsize(anat)}


def test_version_is_looked_up_lazily_and_cached_per_executable(tmp_path):
    calls = tmp_path / "version-calls"
    script = write_script(
        tmp_path, "versioned",
        f'if [ "$1" = "--version" ]; then echo x >> "{calls}"; echo "tool v2.5.1"; fi\n',
    )

    class versioned(Interface):
        executable = script

    res = versioned().run()
    assert not calls.exists()  # running does not ask for the version
    assert res.runtime.version == "2.5.1"
    assert versioned().run().runtime.version == "2.5.1"
    assert versioned.version() == "2.5.1"
    assert calls.read_text() == "x\n"  # once per executable


def test_stream_logs_lines(tmp_path, caplog):
    script = write_script(tmp_path, "talk", "echo out1; echo err1 >&2; echo out2\n")

    class talk(Interface):
        executable = script

    with caplog.at_level(logging.INFO):
        res = talk().run(stream=True)
    records = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    name = f"imageshell.{talk.full_name()}"
    assert (name, logging.INFO, "out1") in records
    assert (name, logging.INFO, "out2") in records
    assert (name, logging.WARNING, "err1") in records
    assert res.runtime.stdout == "out1\nout2\n"
    assert res.runtime.stderr == "err1\n"


def test_stream_to_a_given_logger(tmp_path, caplog):
    script = write_script(tmp_path, "talk", "echo hello\n")

    class talk(Interface):
        executable = script

    logger = logging.getLogger("my.pipeline")
    with caplog.at_level(logging.INFO, logger="my.pipeline"):
        talk().run(stream=logger)
    assert [(r.name, r.getMessage()) for r in caplog.records] == [("my.pipeline", "hello")]


def test_success_codes(tmp_path):
    script = write_script(tmp_path, "exit3", "echo fine; exit 3\n")

    class three(Interface):
        executable = script
        success_codes = (0, 3)

    assert three().run().runtime.returncode == 3
