"""Spec declarations: rules over several inputs declared once per group,
any-of conditions (of inputs and of outputs), declarations checked when the
class is created, every violation of a call in one error, real signatures."""

from __future__ import annotations

import inspect
import pydoc
import warnings

import numpy as np
import pytest

from interfaces import fsl
from interfaces.base import (
    Bool,
    DryRunner,
    Float,
    InputError,
    InputSpec,
    InputTypeError,
    Int,
    Interface,
    OutputSpec,
    Str,
    Undefined,
    any_of,
    exclusive,
)
from interfaces.base.traits_ import File, Image
from interfaces_helpers import ANATOMICAL, runs_dir  # noqa: F401 (autouse fixture)

# -- groups ----------------------------------------------------------------------------


def test_bet_modes_are_one_group_declared_once():
    source = inspect.getsource(fsl.bet)
    assert source.count("xor") == 0 and source.count("exclusive(") == 1
    modes = ("functional", "reduce_bias", "robust", "padding", "remove_eyes", "surfaces",
             "t2_guided")
    for mode in modes:  # each member's xor is derived: the others
        assert sorted(fsl.bet.Inputs.class_traits()[mode].xor) == sorted(set(modes) - {mode})
    assert "Excludes: functional, reduce_bias, padding" in fsl.bet.help()
    assert inspect.getsource(fsl.fslorient).count("xor") == 0


def test_exclusive_members_clash_in_one_sentence():
    with pytest.raises(InputError, match=r"mutually exclusive \(xor\)") as err:
        fsl.bet(in_file=ANATOMICAL, robust=True, padding=True, functional=True).argv
    (problem,) = err.value.problems  # one sentence for the three
    assert all(f"'{name}'" in problem for name in ("robust", "padding", "functional"))
    with pytest.raises(InputError, match=r"'get_orient' and 'swap_orient' are mutually"):
        fsl.fslorient(in_file=ANATOMICAL, get_orient=True, swap_orient=True).argv


def _grouped():
    class grouped(Interface):
        executable = "true"

        class Inputs(InputSpec):
            a = Bool(argstr="-a")
            b = Bool(argstr="-b")
            c = Int(argstr="-c %d")
            d = Int(argstr="-d %d")
            e = Str(argstr="-e %s", requires=any_of("c", "d"))

            groups = (exclusive("a", "b", required=True), any_of("c", "d"))

    return grouped


def test_required_exclusive_and_any_of_groups():
    grouped = _grouped()
    with pytest.raises(InputError) as err:
        grouped().argv
    assert err.value.problems == [
        "input 'a' is mandatory. Pass a=... (or one of b).",
        "input 'b' is mandatory. Pass b=... (or one of a).",
        "one of inputs c, d is needed. Pass one of them.",
    ]
    assert grouped(a=True, d=2).argv[1:] == ["-a", "-d", "2"]
    assert grouped(b=True, c=1, e="x").argv[1:] == ["-b", "-c", "1", "-e", "x"]


def test_requires_any_of_on_an_input():
    grouped = _grouped()
    with pytest.raises(InputError, match=r"input 'e' requires one of inputs c, d, none of "
                                         r"which is set"):
        grouped(a=True, e="x").argv


# -- any-of output conditions: bet's mask, as nipype lists it --------------------------


@pytest.mark.parametrize("mode", [{"mask": True}, {"reduce_bias": True}, {"surfaces": True},
                                  {}])
def test_bet_mask_output_for_any_of_its_conditions(tmp_path, monkeypatch, mode):
    monkeypatch.setenv("FSLOUTPUTTYPE", "NIFTI_GZ")
    image = tmp_path / "a.nii.gz"
    import nibabel as nib

    nib.save(nib.Nifti1Image(np.ones((4, 4, 4), np.float32), np.eye(4)), image)
    planned = fsl.bet(in_file=str(image), **mode).run(workdir=tmp_path, runner=DryRunner())
    ours = planned.outputs.mask_file
    nipype_fsl = pytest.importorskip("nipype.interfaces.fsl")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = nipype_fsl.BET(in_file=str(image), **mode)._list_outputs().get("mask_file")
    theirs = theirs if isinstance(theirs, str) else None  # nipype's Undefined
    if mode.get("surfaces"):  # nipype lists it only for mask and reduce_bias
        assert theirs is None
        assert ours == str(tmp_path / "a_brain_mask.nii.gz")
    elif theirs is None:
        assert ours is Undefined
    else:
        assert ours == str(tmp_path / "a_brain_mask.nii.gz")
        assert theirs.endswith("a_brain_mask.nii.gz")
    assert "When one of mask, reduce_bias, surfaces is set." in fsl.bet.__doc__


# -- declarations checked at class creation ---------------------------------------------


def test_unknown_metadata_key_names_class_and_input():
    with pytest.raises(TypeError, match=r"typo: input 'frac' has unknown metadata "
                                        r"'mandatroy'"):
        class typo(Interface):  # noqa: F841
            executable = "true"

            class Inputs(InputSpec):
                frac = Float(argstr="-f %.2f", mandatroy=True)


def test_argstr_that_cannot_format_its_trait():
    with pytest.raises(TypeError, match=r"badfmt: input 'label' has argstr '-l %d', which "
                                        r"cannot format a value of its type \(str"):
        class badfmt(Interface):  # noqa: F841
            executable = "true"

            class Inputs(InputSpec):
                label = Str(argstr="-l %d")


@pytest.mark.parametrize("declare, message", [
    (lambda: Bool(argstr="-x", xor=["nope"]), r"input 'x' has xor=\['nope'\], but 'nope' is "
                                              r"not an input"),
    (lambda: Bool(argstr="-x", requires=any_of("nope")), r"'nope' is not an input"),
])
def test_names_that_are_not_inputs(declare, message):
    with pytest.raises(TypeError, match=message):
        class stray(Interface):  # noqa: F841
            executable = "true"

            class Inputs(InputSpec):
                x = declare()


def test_group_naming_a_missing_input():
    with pytest.raises(TypeError, match=r"strays: exclusive\('a', 'zz'\) names 'zz', which is "
                                        r"not an input"):
        class strays(Interface):  # noqa: F841
            executable = "true"

            class Inputs(InputSpec):
                a = Bool(argstr="-a")
                groups = (exclusive("a", "zz"),)


def test_output_metadata_checked_too():
    with pytest.raises(TypeError, match=r"outtypo: output 'o' has unknown metadata "
                                        r"'name_templat'"):
        class outtypo(Interface):  # noqa: F841
            executable = "true"

            class Outputs(OutputSpec):
                o = File(name_templat="x.txt")


def test_every_shipped_interface_passes_its_declaration_check():
    from interfaces.base.registry import all_interfaces

    assert len(all_interfaces()) > 50  # each was checked when its class was made


# -- all violations of one call in one error -------------------------------------------------


def test_all_violations_in_one_error():
    with pytest.raises(InputError) as err:
        fsl.bet(robust=True, padding=True).argv
    text = str(err.value)
    assert text.startswith("fsl.bet: 2 problems with the inputs:\n")
    assert "  - input 'in_file' is mandatory" in text
    assert "  - inputs 'robust' and 'padding' are mutually exclusive" in text


def test_all_type_errors_in_one_error_and_arrays_shown_short():
    with pytest.raises(InputTypeError) as err:
        fsl.bet(in_file=np.zeros((64, 64, 64)), frac="high", radius="big")
    text = str(err.value)
    assert len(err.value.problems) == 3
    assert "<array of shape (64, 64, 64), float64>" in text
    assert "0. 0. 0." not in text and len(text) < 1500
    assert "input 'frac' must be a float" in text and "input 'radius' must be an int" in text


def test_unknown_names_together_with_what_was_meant():
    with pytest.raises(InputError, match=r"fsl.bet has no inputs 'fraction' and 'maks'; "
                                         r"its inputs are: .*\. Did you mean 'frac' for "
                                         r"'fraction', 'mask' for 'maks'\?"):
        fsl.bet(fraction=0.3, maks=True)


# -- real signatures -----------------------------------------------------------------------


def test_signature_lists_inputs_with_types_and_defaults():
    sig = inspect.signature(fsl.bet)
    params = sig.parameters
    assert list(params)[:3] == ["in_file", "out_file", "outline"]
    assert params["in_file"].default is inspect.Parameter.empty  # mandatory
    assert params["frac"].annotation is float and params["frac"].default is Undefined
    assert params["mask"].annotation is bool
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert set(params) == set(fsl.bet.Inputs.names())
    rendered = pydoc.render_doc(fsl.bet, renderer=pydoc.plaintext)
    assert "frac: float = <undefined>" in rendered


def test_signature_shows_declared_defaults():
    class withdefault(Interface):
        executable = "true"

        class Inputs(InputSpec):
            level = Int(3, argstr="-l %d", usedefault=True)
            src = Image(argstr="%s", mandatory=True)

    params = inspect.signature(withdefault).parameters
    assert params["level"].default == 3 and params["level"].annotation is int
    assert params["src"].annotation == "image or path"
