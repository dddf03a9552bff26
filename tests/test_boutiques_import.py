"""interfaces.boutiques.load: descriptors become interfaces whose argv is the
one ``bosh exec simulate`` gives, and that run real tools on in-memory images.

Descriptors: ours for MRtrix3 and elastix (tests/data/boutiques/), the
examples shipped with the ``boutiques`` package, and a niwrap-style one.
"""

from __future__ import annotations

import json
import os
import shlex
import stat

import nibabel as nib
import numpy as np
import pytest

boutiques_pkg = pytest.importorskip("boutiques", reason="pip install boutiques (test extra)")
from boutiques import bosh  # noqa: E402
from boutiques.localExec import LocalExecutor  # noqa: E402

from interfaces import boutiques  # noqa: E402
from interfaces.base import InputError, InputTypeError, is_set  # noqa: E402
from tools import require_tool  # noqa: E402

HERE = os.path.dirname(__file__)
DATA = os.path.join(HERE, "data", "boutiques")
NIB_DATA = os.path.join(os.path.dirname(nib.__file__), "tests", "data")
ANAT = os.path.join(NIB_DATA, "anatomical.nii")
SHIPPED = os.path.dirname(boutiques_pkg.__file__)
FSL_BET = os.path.join(SHIPPED, "schema", "examples", "fsl_bet", "fsl_bet.json")
EXAMPLE1 = os.path.join(SHIPPED, "schema", "examples", "example1", "example1_docker.json")
EXAMPLE2 = os.path.join(SHIPPED, "schema", "examples", "example2", "example2.json")
FLAG = os.path.join(SHIPPED, "tests", "example_flag", "example-flag.json")
COND = os.path.join(SHIPPED, "tests", "output_files", "test_fixANDcond_output_desc.json")
ENV_FROM_INPUT = os.path.join(SHIPPED, "tests", "example1", "example1_envVars_from_inputs.json")


@pytest.fixture(autouse=True)
def _boutiques_writes_in_a_scratch_cwd(tmp_path, monkeypatch):
    # bosh's simulate writes file-template config files relative to its cwd:
    # keep them out of the checkout. (Our own runs never use the cwd.)
    scratch = tmp_path / "bosh-cwd"
    scratch.mkdir()
    monkeypatch.chdir(scratch)


def simulate(descriptor, invocation) -> list[str]:
    """argv of ``bosh exec simulate`` (in-process), split as the shell would."""
    out = bosh(["exec", "simulate", descriptor, "-i", json.dumps(invocation)])
    return shlex.split(out.shell_command)


def ours(result) -> list[str]:
    """Our argv, with the program's name for its path and output paths made
    relative to the run's folder (Boutiques names them relative to its cwd)."""
    cwd = result.runtime.cwd + os.sep
    return [os.path.basename(result.argv[0])] + [a.replace(cwd, "") for a in result.argv[1:]]


def theirs(argv) -> list[str]:
    """bosh's argv, with an output it would write beside its input (a template
    starting with a File's value-key) named by its base name: we write outputs
    in the run's folder, never beside inputs."""
    out = [os.path.basename(argv[0])]
    for a in argv[1:]:
        a = a[2:] if a.startswith("./") else a
        if os.path.isabs(a) and not os.path.exists(a) and os.path.isdir(os.path.dirname(a)):
            a = os.path.basename(a)
        out.append(a)
    return out


@pytest.fixture
def standin(tmp_path, monkeypatch):
    """Put stand-ins (exit 3, write nothing) for tools that cannot be
    installed here first on PATH; returns a function making one."""
    folder = tmp_path / "standin-bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    def make(name):
        path = folder / name
        path.write_text("#!/bin/sh\n# stand-in: the real tool is not installable here\nexit 3\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)

    return make


# -- MRtrix3 and elastix: our descriptors, real runs --------------------------


@pytest.mark.parametrize("name", ["mrconvert", "mrcalc", "mrthreshold", "elastix"])
def test_our_descriptors_are_valid_boutiques(name):
    bosh(["validate", os.path.join(DATA, f"{name}.json")])  # raises when invalid


def test_mrconvert_in_memory_image_runs_and_matches_simulate(tmp_path):
    require_tool("mrconvert")
    mrconvert = boutiques.load(os.path.join(DATA, "mrconvert.json"))
    source = nib.load(ANAT)
    data = source.get_fdata() * 2 + 1
    img = nib.Nifti1Image(data, source.affine)  # in memory only: no file
    res = mrconvert().run(input=img, datatype="float32", voxel=[2, 2.5, 3], quiet=True,
                          workdir=tmp_path)
    out = res.outputs.output
    assert out.get_filename() == str(tmp_path / "input_converted.nii.gz")
    assert out.get_data_dtype() == np.float32
    np.testing.assert_allclose(out.get_fdata(), data, rtol=1e-6)
    assert out.header.get_zooms() == (2.0, 2.5, 3.0)
    assert res.input_files["input"].origin == "temporary"
    # bosh names the output from the file it gets; ours from the input's name
    # (an in-memory image has none), so compare on a file input.
    res = mrconvert().run(input=ANAT, datatype="float32", voxel=[2, 2.5, 3], quiet=True,
                          force=True, workdir=tmp_path)
    expected = simulate(os.path.join(DATA, "mrconvert.json"),
                        {"input": ANAT, "datatype": "float32", "voxel": [2, 2.5, 3],
                         "quiet": True, "force": True})
    assert ours(res) == theirs(expected)
    assert res.argv[2] == str(tmp_path / "anatomical_converted.nii.gz")


def test_mrcalc_group_and_negative_number(tmp_path):
    require_tool("mrcalc")
    desc = os.path.join(DATA, "mrcalc.json")
    mrcalc = boutiques.load(desc)
    res = mrcalc().run(input=ANAT, value=-1, operation="-multiply", quiet=True, workdir=tmp_path)
    np.testing.assert_allclose(res.outputs.output.get_fdata(), -nib.load(ANAT).get_fdata())
    assert ours(res) == theirs(simulate(desc, {"input": ANAT, "value": -1,
                                               "operation": "-multiply", "quiet": True}))
    # default-value of operation: -add
    res = mrcalc().run(input=ANAT, second=ANAT, quiet=True, workdir=tmp_path / "b")
    assert res.argv[3] == "-add"
    np.testing.assert_allclose(res.outputs.output.get_fdata(), 2 * nib.load(ANAT).get_fdata())
    with pytest.raises(InputError, match="mutually exclusive.*Second operand"):
        mrcalc().run(input=ANAT, second=ANAT, value=2)
    with pytest.raises(InputError, match="needs one of: second, value"):
        mrcalc().run(input=ANAT)
    with pytest.raises(InputTypeError, match="operation"):
        mrcalc().run(input=ANAT, value=1, operation="-pow")


def test_mrthreshold_conditional_output_name(tmp_path):
    require_tool("mrthreshold")
    desc = os.path.join(DATA, "mrthreshold.json")
    mrthreshold = boutiques.load(desc)
    img = nib.load(ANAT)
    res = mrthreshold().run(input=img, abs=50, quiet=True, workdir=tmp_path)
    mask = res.outputs.mask
    assert os.path.basename(mask.get_filename()) == "anatomical_mask.nii"
    np.testing.assert_array_equal(mask.get_fdata() > 0, img.get_fdata() >= 50)
    res = mrthreshold().run(input=img, abs=50, invert=True, quiet=True, workdir=tmp_path)
    assert os.path.basename(res.outputs.mask.get_filename()) == "anatomical_inverted_mask.nii"
    np.testing.assert_array_equal(res.outputs.mask.get_fdata() > 0, img.get_fdata() < 50)
    assert ours(res) == theirs(simulate(desc, {"input": ANAT, "abs": 50, "invert": True,
                                               "quiet": True}))
    # the output path can be chosen, as for any output argument
    res = mrthreshold().run(input=img, percentile=90, mask=str(tmp_path / "top.nii"), quiet=True)
    assert res.outputs.mask.get_filename() == str(tmp_path / "top.nii")
    with pytest.raises(InputError, match="'invert' disables input 'bottom'"):
        mrthreshold().run(input=img, bottom=10, invert=True)
    with pytest.raises(InputTypeError, match="percentile"):
        mrthreshold().run(input=img, percentile=101)
    with pytest.raises(InputTypeError, match="top"):
        mrthreshold().run(input=img, top=2.5)


def test_elastix_registers_with_a_parameter_file(tmp_path):
    require_tool("elastix")
    desc = os.path.join(DATA, "elastix.json")
    elastix = boutiques.load(desc)
    params = tmp_path / "rigid.txt"
    params.write_text(
        '(Transform "TranslationTransform")\n(Registration "MultiResolutionRegistration")\n'
        '(Metric "AdvancedMeanSquares")\n(Optimizer "RegularStepGradientDescent")\n'
        '(NumberOfResolutions 1)\n(MaximumNumberOfIterations 20)\n'
        '(FixedImagePyramid "FixedRecursiveImagePyramid")\n'
        '(MovingImagePyramid "MovingRecursiveImagePyramid")\n'
        '(Interpolator "LinearInterpolator")\n(ImageSampler "Full")\n'
        '(ResampleInterpolator "FinalBSplineInterpolator")\n(FinalBSplineInterpolationOrder 1)\n'
        '(Resampler "DefaultResampler")\n(ResultImageFormat "nii")\n'
        '(FixedInternalImagePixelType "float")\n(MovingInternalImagePixelType "float")\n'
        '(WriteResultImage "true")\n'
    )
    img = nib.load(ANAT)
    moved = nib.Nifti1Image(np.roll(img.get_fdata(), 1, axis=0).astype(np.float32), img.affine)
    res = elastix().run(fixed=img, moving=moved, parameters=[params], threads=1,
                        workdir=tmp_path / "run")
    assert res.outputs.result.shape == img.shape
    assert "TranslationTransform" in open(res.outputs.transform).read()
    assert os.path.getsize(res.outputs.log) > 0
    assert ours(res) == theirs(simulate(desc, {
        "fixed": res.argv[2], "moving": res.argv[4], "parameters": [str(params)], "threads": 1,
    }))


# -- the examples shipped with boutiques --------------------------------------


def test_fsl_bet_example_argv_matches_simulate(standin, tmp_path):
    standin("bet")
    bet = boutiques.load(FSL_BET)
    inputs = {"infile": ANAT, "maskfile": "test_brain.nii.gz", "fractional_intensity": 0.4,
              "center_of_gravity": [10, 20, 30], "binary_mask_flag": True, "head_radius": 75}
    res = bet().run(check=False, workdir=tmp_path, **inputs)
    assert res.runtime.returncode == 3
    assert ours(res) == theirs(simulate(FSL_BET, inputs))
    assert ours(res)[:7] == ["bet", ANAT, "test_brain.nii.gz", "-f", "0.4", "-c", "10"]


def test_example1_runs_for_real_with_config_file_env_and_groups(tmp_path, monkeypatch):
    tool = os.path.join(os.path.dirname(EXAMPLE1), "exampleTool1.py")
    require_tool("python")  # its #! line is /usr/bin/env python
    monkeypatch.setenv("PATH", f"{os.path.dirname(tool)}{os.pathsep}{os.environ['PATH']}")
    example = boutiques.load(EXAMPLE1)
    a, b = tmp_path / "a file.txt", tmp_path / "b.txt"
    a.write_text("a")
    b.write_text("b")
    inputs = {"str_input_list": ["fo '; echo FAIL", "bar"], "str_input": "coin;plop",
              "file_input": str(a), "file_list_input": [str(a), str(b)],
              "list_int_input": [1, 2, 3], "config_num": 4, "enum_input": "val1",
              "no_opts": True}
    res = example().run(workdir=tmp_path / "run", **inputs)
    # The tool checked ENVAR, the configuration file's content and the groups.
    assert res.runtime.stdout == "This is stdout"
    assert res.outputs.logfile == str(tmp_path / "run" / "test_temp" / "log-4-coin;plop.txt")
    assert open(res.outputs.logfile).read() == "File content"
    assert res.outputs.output_files == []  # a list output, optional: none written
    assert open(res.outputs.config_file).read().splitlines() == [
        "# This is a demo configuration file", "numInput=4", "strInput='coin;plop'"]
    assert res.runtime.environ == {"ENVAR": "theValue"}
    assert "fo '; echo FAIL" in res.argv  # one argument, no shell
    assert ours(res) == theirs(simulate(EXAMPLE1, inputs))
    with pytest.raises(InputError, match="'flag_input' requires input 'file_input'"):
        example().run(str_input_list=["x"], list_int_input=[1], config_num=4, num_input=0.5,
                      flag_input=True)
    with pytest.raises(InputTypeError, match="num_input"):
        example().run(num_input=0)  # exclusive-minimum 0
    with pytest.raises(InputTypeError, match="str_input_list"):
        example().run(str_input_list=["a", "b", "c", "d"])  # max-list-entries 3


def test_example_flag_runs_bin_true():
    bintrue = boutiques.load(FLAG)
    res = bintrue().run(dash_b=True)
    assert res.argv == ["/bin/true", "-b"]
    assert ours(res) == theirs(simulate(FLAG, {"dash_b": True}))


@pytest.mark.parametrize("invocation", [
    {"param1": "p1.one", "param2": "p2.two"},
    {"param1": "p1.one", "param2": "p2.two", "opt1": True},
    {"param1": "p1", "param2": "p2", "opt1": True, "opt2": 12},
    {"param1": "p1", "param2": "p2", "opt2": 12},
])
def test_conditional_path_templates_name_outputs_as_boutiques(invocation, standin, tmp_path):
    standin("test_file_names")
    tool = boutiques.load(COND)
    res = tool().run(check=False, workdir=tmp_path, **invocation)
    assert ours(res) == theirs(simulate(COND, invocation))
    executor = LocalExecutor(COND, json.dumps(invocation), {
        "forcePathType": True, "destroyTempScripts": True, "changeUser": True,
        "skipDataCollect": True, "requireComplete": False, "sandbox": False,
    })
    # Output names (not on the command line) as bosh computes them.
    from interfaces.base.naming import Namer

    spec = tool.Inputs("t", **invocation)
    namer = Namer("t", spec, tool.family, str(tmp_path), str(tmp_path), {})
    for ident in ("out1", "out2"):
        rule = tool.output_spec().class_traits()[ident].name_template
        assert rule(namer) == executor.out_dict[ident]


# -- the niwrap dialect, and what cannot be honoured --------------------------


NIWRAP_MRTHRESHOLD = {
    # As niwrap writes it: no tool-version, Flags without "optional", the
    # output sharing its id with the String input naming it, a sub-command.
    "name": "mrthreshold",
    "description": "Create bitwise image by thresholding image intensity.",
    "schema-version": "0.5",
    "command-line": "mrthreshold [ABS] [INVERT] [QUIET] [FORCE] [CONFIG] [INPUT] [OUTPUT]",
    "inputs": [
        {"id": "input", "name": "input", "value-key": "[INPUT]", "type": "File", "optional": False},
        {"id": "output", "name": "output", "value-key": "[OUTPUT]", "type": "String",
         "optional": True},
        {"id": "abs", "name": "abs", "command-line-flag": "-abs", "value-key": "[ABS]",
         "type": "Number", "optional": True, "integer": False},
        {"id": "invert", "name": "invert", "command-line-flag": "-invert",
         "value-key": "[INVERT]", "type": "Flag"},
        {"id": "quiet", "name": "quiet", "command-line-flag": "-quiet", "value-key": "[QUIET]",
         "type": "Flag"},
        {"id": "force", "name": "force", "command-line-flag": "-force", "value-key": "[FORCE]",
         "type": "Flag"},
        {"id": "config", "name": "config", "value-key": "[CONFIG]", "optional": True,
         "list": True, "type": {"id": "config", "command-line": "-config [KEY] [VALUE]",
                                "inputs": [
                                    {"id": "key", "name": "key", "value-key": "[KEY]",
                                     "type": "String", "optional": False},
                                    {"id": "value", "name": "value", "value-key": "[VALUE]",
                                     "type": "String", "optional": False}]}},
    ],
    "output-files": [{"id": "output", "name": "output", "path-template": "[OUTPUT]"}],
}


def test_niwrap_dialect_loads_runs_and_exports_stock(tmp_path):
    require_tool("mrthreshold")
    tool = boutiques.load(NIWRAP_MRTHRESHOLD)
    assert not tool.Inputs.class_traits()["invert"].mandatory  # a Flag is optional
    config = [{"key": "NumberOfThreads", "value": "1"}, {"key": "TerminalColor", "value": "0"}]
    res = tool().run(input=ANAT, abs=100, output="mask.nii", quiet=True, config=config,
                     workdir=tmp_path)
    # A list of sub-commands: each one's command line, in order.
    assert res.argv[1:] == ["-abs", "100", "-quiet", "-config", "NumberOfThreads", "1",
                            "-config", "TerminalColor", "0", ANAT, "mask.nii"]
    mask = res.outputs.output
    assert mask == str(tmp_path / "mask.nii")  # named by a String: a path
    np.testing.assert_array_equal(nib.load(mask).get_fdata() > 0,
                                  nib.load(ANAT).get_fdata() >= 100)
    # without an output, mrthreshold prints the threshold and writes nothing
    res = tool().run(input=ANAT, quiet=True)
    assert res.argv[-1] == ANAT and float(res.runtime.stdout) > 0
    with pytest.raises(InputError, match=r"input 'config' \(config\).*'value' is mandatory"):
        tool().run(input=ANAT, config=[{"key": "NumberOfThreads"}])
    with pytest.raises(InputError, match="has no input 'colour'"):
        tool().run(input=ANAT, config=[{"key": "a", "value": "b", "colour": 1}])
    # Stock Boutiques has no sub-commands: the export leaves the optional one out.
    stock = boutiques.export(tool)
    path = tmp_path / "stock.json"
    path.write_text(json.dumps(stock))
    bosh(["validate", str(path)])
    assert "[CONFIG]" not in stock["command-line"]
    again = boutiques.load(stock)
    res2 = again().run(input=ANAT, abs=100, output="mask.nii", quiet=True, workdir=tmp_path / "b")
    assert res2.argv == res.argv[:1] + ["-abs", "100", "-quiet", ANAT, "mask.nii"]
    # tool-specific choices of drop= still work
    assert "config" not in boutiques.load(NIWRAP_MRTHRESHOLD, drop=["config"]).Inputs.names()


def _plain(desc):
    desc = json.loads(json.dumps(desc))
    desc["inputs"] = [i for i in desc["inputs"] if i["id"] != "config"]
    desc["command-line"] = desc["command-line"].replace(" [CONFIG]", "")
    return desc


@pytest.mark.parametrize("change, field", [
    (lambda d: d.update({"command-line": "mrthreshold [INPUT] | cat"}), "command-line.*'\\|'"),
    (lambda d: d.update({"command-line": "mrthreshold $HOME [INPUT]"}), "command-line.*'\\$'"),
    (lambda d: d.update({"stdout-output": []}), "stdout-output"),
    (lambda d: d["inputs"][0].update({"type": "Image"}), r"inputs\[input\]\.type"),
    (lambda d: d["inputs"][0].update({"resolved-parent": True}),
     r"inputs\[input\]\.resolved-parent"),
    (lambda d: d["inputs"][1].update({"command-line-flag": ">"}),
     r"inputs\[output\]\.command-line-flag.*shell=True"),
    (lambda d: d["inputs"][1].update({"type": [{"id": "a", "command-line": "x"},
                                               {"id": "a", "command-line": "y"}]}),
     r"inputs\[output\]\.type\[a\] repeats"),
    (lambda d: d["inputs"][1].update({"type": {"id": "s", "command-line": "-s [X] | c"}}),
     r"inputs\[output\]\.type\[s\]\.command-line"),
    (lambda d: d["inputs"][1].update({"type": {"id": "s", "command-line": "x", "flag": 1}}),
     r"inputs\[output\]\.type\[s\]\.flag"),
    (lambda d: d["output-files"].append({"id": "o", "name": "o", "path-template": "x",
                                         "conditional-path-template": []}), r"output-files\[o\]"),
    (lambda d: d["output-files"].append({"id": "o", "name": "o", "path-template": "x",
                                         "list": True}), r"output-files\[o\]\.path-template"),
    (lambda d: d["output-files"].append({"id": "o", "name": "o", "conditional-path-template":
                                         [{"__import__('os')": "x"}]}),
     r"output-files\[o\]\.conditional-path-template"),
    (lambda d: d.pop("command-line"), "command-line"),
])
def test_what_cannot_be_honoured_is_refused_naming_the_field(change, field):
    desc = _plain(NIWRAP_MRTHRESHOLD)
    change(desc)
    with pytest.raises(boutiques.DescriptorError, match=field):
        boutiques.load(desc)


def test_shipped_examples_needing_a_shell_are_refused_unless_asked():
    with pytest.raises(boutiques.DescriptorError, match="command-line.*'>'.*shell=True"):
        boutiques.load(EXAMPLE2)
    with pytest.raises(boutiques.DescriptorError, match=r"command-line.*'\$'.*shell=True"):
        boutiques.load(ENV_FROM_INPUT)
    assert boutiques.load(EXAMPLE2, shell=True).executable == "/bin/sh"


def test_env_var_taking_an_input_value_through_the_shell(tmp_path):
    # "echo $env_var", env_var = the value of input [INPUT]: as bosh does.
    tool = boutiques.load(ENV_FROM_INPUT, shell=True)
    path = tmp_path / "it's here.txt"
    path.write_text("x")
    res = tool().run(env_var=str(path))
    assert res.argv == ["/bin/sh", "-c", "echo $env_var"]
    assert res.runtime.stdout.strip() == str(path)
    assert res.runtime.environ == {"ENVAR": "theValue", "env_var": str(path)}


def test_value_requires_and_value_disables(standin):
    standin("vtool")
    desc = {
        "name": "vtool", "tool-version": "1", "description": "d", "schema-version": "0.5",
        "command-line": "vtool [MODE] [A] [B]",
        "inputs": [
            {"id": "mode", "name": "mode", "type": "String", "value-key": "[MODE]",
             "value-choices": ["x", "y"], "optional": True,
             "value-requires": {"x": ["a"], "y": []}, "value-disables": {"x": [], "y": ["a"]}},
            {"id": "a", "name": "a", "type": "Number", "value-key": "[A]", "optional": True,
             "command-line-flag": "-a"},
            {"id": "b", "name": "b", "type": "String", "value-key": "[B]", "optional": True,
             "command-line-flag": "--b", "command-line-flag-separator": "="},
        ],
        "groups": [{"id": "ab", "name": "ab", "members": ["a", "b"], "all-or-none": True}],
    }
    tool = boutiques.load(json.dumps(desc))  # JSON text works too
    with pytest.raises(InputError, match="mode'='x' requires input 'a'"):
        tool().run(mode="x")
    with pytest.raises(InputError, match="mode'='y' disables input 'a'"):
        tool().run(mode="y", a=1, b="q")
    with pytest.raises(InputError, match="all or none"):
        tool().run(mode="x", a=1)
    res = tool().run(mode="x", a=1, b="it's", check=False)
    assert res.argv[1:] == ["x", "-a", "1", "--b=it's"]


# -- what the issue-14 corpus run asked for -------------------------------------


def _desc(command_line, inputs, **more):
    return {"name": "t", "tool-version": "1", "description": "d", "schema-version": "0.5",
            "command-line": command_line, "inputs": inputs, **more}


def test_ids_the_base_uses_or_python_keywords_stay_settable():
    ids = ["update", "self", "lambda", "check", "cache", "workdir", "del", "names", "ok_"]
    desc = _desc("echo " + " ".join(f"[{i.upper()}]" for i in ids), [
        {"id": i, "name": i, "type": "String", "value-key": f"[{i.upper()}]", "optional": True,
         "command-line-flag": f"--{i}"} for i in ids])
    tool = boutiques.load(desc)
    names = {i: (f"v_{i}" if i != "ok_" else "ok_v") for i in ids}
    assert tool.Inputs.names() == list(names.values())
    given = {names[i]: f"{i} value" for i in ids}
    res = tool().run(**given)
    expected = simulate(json.dumps(desc), {i: f"{i} value" for i in ids})
    assert res.argv[1:] == expected[1:]
    assert res.runtime.stdout.split() == " ".join(expected[1:]).split()


def test_a_string_default_of_a_list_input_is_one_value():
    desc = _desc("echo [L]", [{"id": "l", "name": "l", "type": "String", "list": True,
                               "value-key": "[L]", "optional": True, "default-value": "abc"}])
    res = boutiques.load(desc)().run()
    assert res.argv[1:] == ["abc"]  # not its characters (bosh refuses this default)


def test_shared_value_key_takes_the_first_input_set():
    # The BIDS-app template: two inputs, one group, one key.
    desc = _desc("echo OUT", [
        {"id": "name", "name": "n", "type": "String", "value-key": "OUT", "optional": True},
        {"id": "folder", "name": "f", "type": "String", "value-key": "OUT", "optional": True}],
        groups=[{"id": "g", "name": "g", "members": ["name", "folder"],
                 "mutually-exclusive": True, "one-is-required": True}])
    tool = boutiques.load(desc)
    assert tool().run(name="a").argv[1:] == ["a"] == simulate(json.dumps(desc), {"name": "a"})[1:]
    # bosh removes the key when the first input is unset, losing "b" (a bosh
    # bug, listed in docs/boutiques.rst); the second input's value is meant.
    assert tool().run(folder="b").argv[1:] == ["b"]
    assert simulate(json.dumps(desc), {"folder": "b"})[1:] == []


def test_requires_a_group_and_group_members_that_are_not_inputs():
    desc = _desc("echo [A] [B] [C]", [
        {"id": "a", "name": "a", "type": "Flag", "value-key": "[A]", "command-line-flag": "-a",
         "requires-inputs": ["bc"]},
        {"id": "b", "name": "b", "type": "Flag", "value-key": "[B]", "command-line-flag": "-b"},
        {"id": "c", "name": "c", "type": "Flag", "value-key": "[C]", "command-line-flag": "-c"}],
        groups=[{"id": "bc", "name": "bc", "members": ["b", "c", "gone"],
                 "mutually-exclusive": True}])
    tool = boutiques.load(desc)
    with pytest.raises(InputError, match="'a' requires one of the inputs of group 'bc'.*b, c"):
        tool().run(a=True)
    assert tool().run(a=True, c=True).argv[1:] == ["-a", "-c"]
    with pytest.raises(InputError, match="mutually exclusive"):
        tool().run(b=True, c=True)


def test_shell_opt_in_quotes_every_value_and_redirects_as_bosh(tmp_path):
    desc = _desc("echo [TEXT] [COUNT] [OUT]", [
        {"id": "text", "name": "t", "type": "String", "value-key": "[TEXT]"},
        {"id": "count", "name": "c", "type": "Number", "value-key": "[COUNT]", "list": True}],
        **{"output-files": [{"id": "out", "name": "o", "path-template": "said.txt",
                             "value-key": "[OUT]", "command-line-flag": ">"}]})
    with pytest.raises(boutiques.DescriptorError,
                       match=r"output-files\[out\]\.command-line-flag \('>'\).*shell=True"):
        boutiques.load(desc)
    tool = boutiques.load(desc, shell=True)
    evil = "$(touch pwned) `touch pwned`; touch pwned | x && y > z"
    res = tool().run(text=evil, count=[1, 2.5], workdir=tmp_path)
    assert res.argv[:2] == ["/bin/sh", "-c"]
    assert open(res.outputs.out).read() == evil + " 1 2.5\n"  # redirected, nothing injected
    assert not (tmp_path / "pwned").exists() and not os.path.exists("pwned")
    line = simulate(json.dumps(desc), {"text": evil, "count": [1, 2.5]})
    assert shlex.split(res.argv[2].replace(str(tmp_path) + os.sep, "")) == line


def test_niwrap_stdout_output_and_resolve_parent(tmp_path):
    (tmp_path / "a.txt").write_text("one\ntwo\n")
    desc = _desc("cat [IN]", [{"id": "in", "name": "in", "type": "File", "value-key": "[IN]",
                               "resolve-parent": True}],
                 **{"stdout-output": {"id": "stdout", "name": "stdout"},
                    "schema-version": "0.5+styx"})
    res = boutiques.load(desc)().run(v_in=str(tmp_path / "a.txt"))
    assert res.outputs.stdout == ["one", "two"]


def test_mutable_input_gets_a_copy(tmp_path):
    # niwrap's "mutable" (3drefit edits its input in place): the tool edits a copy.
    require_tool("sed")
    path = tmp_path / "a.nii"
    nib.save(nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4)), path)
    before = path.read_bytes()
    desc = _desc("sed -i s/n+1/n+2/ [F]", [{"id": "f", "name": "f", "type": "File",
                                            "value-key": "[F]", "mutable": True}])
    res = boutiques.load(desc)().run(f=str(path))
    assert res.argv[-1] != str(path)
    assert path.read_bytes() == before  # the user's file is never modified


MRCALC_SUB = {
    # niwrap-style: the second operand is one of two sub-commands.
    "name": "mrcalc", "schema-version": "0.5+styx",
    "command-line": "mrcalc [A] [OPERAND] [OUTPUT] -force -quiet",
    "inputs": [
        {"id": "a", "name": "a", "type": "File", "value-key": "[A]"},
        {"id": "operand", "name": "operand", "value-key": "[OPERAND]", "type": [
            {"id": "image", "command-line": "[B] -add", "inputs": [
                {"id": "b", "name": "b", "type": "File", "value-key": "[B]"}]},
            {"id": "scale", "command-line": "[K] -mult", "inputs": [
                {"id": "k", "name": "k", "type": "Number", "value-key": "[K]"}],
             "output-files": [{"id": "scaled_log", "name": "log", "path-template": "s.txt",
                               "optional": True}]}]},
        {"id": "output", "name": "output", "type": "String", "value-key": "[OUTPUT]"}],
    "output-files": [{"id": "result", "name": "result", "path-template": "[OUTPUT]"}],
}


def test_sub_command_with_an_in_memory_image_runs_mrcalc(tmp_path):
    from interfaces.base.runner import DryRunner

    require_tool("mrcalc")
    tool = boutiques.load(MRCALC_SUB)
    img = nib.load(ANAT)
    data = img.get_fdata()
    other = nib.Nifti1Image(np.ones(img.shape, np.float32) * 3, img.affine)  # in memory
    res = tool().run(a=ANAT, operand={"@type": "image", "b": other}, output="sum.nii",
                     workdir=tmp_path)
    np.testing.assert_allclose(nib.load(res.outputs.result).get_fdata(), data + 3)
    assert res.argv[3] == "-add" and res.input_files["operand.b"].origin == "temporary"
    res = tool().run(a=ANAT, operand={"@type": "scale", "k": 2}, output="twice.nii",
                     workdir=tmp_path)
    assert res.argv[1:] == [ANAT, "2", "-mult", "twice.nii", "-force", "-quiet"]
    np.testing.assert_allclose(nib.load(res.outputs.result).get_fdata(), 2 * data)
    assert "operand (sub-command dict, '@type' one of: image {b} | scale {k}, mandatory)" \
        in tool.help()
    # A sub-command's output is the tool's, expected only with its alternative.
    assert "scaled_log" in tool.output_spec().names()
    assert not is_set(res.outputs.scaled_log)  # optional, and mrcalc wrote none
    dry = tool().run(a=ANAT, operand={"@type": "scale", "k": 2}, output="t.nii",
                     workdir=tmp_path, runner=DryRunner())
    assert dry.outputs.scaled_log == str(tmp_path / "s.txt")
    dry = tool().run(a=ANAT, operand={"@type": "image", "b": ANAT}, output="t.nii",
                     workdir=tmp_path, runner=DryRunner())
    assert not is_set(dry.outputs.scaled_log)
    # keys by id, as niwrap's dicts have them, even where the name differs
    sub = json.loads(json.dumps(MRCALC_SUB))
    sub["inputs"][1]["type"][1]["inputs"][0]["id"] = "lambda"
    dry = boutiques.load(sub)().run(a=ANAT, operand={"@type": "scale", "lambda": 4},
                                    output="t.nii", runner=DryRunner())
    assert dry.argv[2:4] == ["4", "-mult"]
    with pytest.raises(InputError, match="'operand' is one of the sub-commands 'image', "
                                         "'scale': say which with '@type'"):
        tool().run(a=ANAT, operand={"k": 2}, output="x.nii")
    with pytest.raises(InputTypeError, match=r"input 'operand' \(scale\): input 'k' must be"):
        tool().run(a=ANAT, operand={"@type": "scale", "k": "two"}, output="x.nii")
    with pytest.raises(InputError, match=r"\(image\): input 'b' is mandatory"):
        tool().run(a=ANAT, operand={"@type": "image"}, output="x.nii")


def test_sub_command_files_key_the_cache_by_content(tmp_path):
    from interfaces.base.cache import input_fingerprints

    tool = boutiques.load(MRCALC_SUB)
    path = tmp_path / "b.nii"
    nib.save(nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4)), path)
    given = {"a": ANAT, "operand": {"@type": "image", "b": str(path)}, "output": "o.nii"}
    spec = tool.Inputs("t", **given)
    before = input_fingerprints(tool, spec.given())["operand"]
    nib.save(nib.Nifti1Image(np.ones((2, 2, 2), np.float32), np.eye(4)), path)
    after = input_fingerprints(tool, spec.given())["operand"]
    assert before["@type"] == "image" and before != after
