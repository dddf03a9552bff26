"""interfaces.boutiques.export: every interface we have becomes a descriptor
that stock ``bosh validate`` accepts, and load(export(X)) builds X's argv."""

from __future__ import annotations

import json
import os

import nibabel as nib
import numpy as np
import pytest
from traits.api import HasTraits, TraitError

pytest.importorskip("boutiques", reason="pip install boutiques (test extra)")
from boutiques import bosh  # noqa: E402

from interfaces import all_interfaces, boutiques  # noqa: E402
from interfaces.base import Interface, InterfaceError  # noqa: E402
from interfaces.base.specs import is_output_trait, trait_kind  # noqa: E402
from interfaces.coreutils import cp, sha256sum, wc  # noqa: E402

ANAT = os.path.join(os.path.dirname(nib.__file__), "tests", "data", "anatomical.nii")
INTERFACES = all_interfaces()


def validate(descriptor, tmp_path) -> None:
    path = tmp_path / "descriptor.json"
    path.write_text(json.dumps(descriptor))
    bosh(["validate", str(path)])  # raises DescriptorValidationError


def _fits(ctrait, value) -> bool:
    class Probe(HasTraits):
        pass

    probe = Probe()
    probe.add_trait("x", ctrait)
    try:
        probe.x = value
    except TraitError:
        return False
    return True


def sample_values(X, tmp_path) -> dict:
    """A value for every input of X that its trait accepts: paths with spaces
    for files, output paths under tmp_path, and numbers, strings and lists."""
    values = {}
    for name, ctrait in X.Inputs.spec_traits().items():
        if is_output_trait(ctrait):
            values[name] = str(tmp_path / "out dir" / f"{name}.nii.gz")
            continue
        if trait_kind(ctrait) is not None:
            values[name] = f"/data dir/{name}.nii"
            continue
        enum = getattr(ctrait.trait_type, "values", None)
        flag = type(ctrait.trait_type).__name__ in ("Bool", "CBool")
        candidates = ([list(enum)[-1]] if enum else []) + ([True] if flag else []) + [
            3, 0.5, "a b", [3, 4], [0.5, 1.5], ["a", "b"], ["/d/x.nii", "/d/y.nii"],
            (1, 2, 3), (1, 2), (1, 2, 3, 4), (1, 2, 3, 4, 5, 6), (0.5, 0.5, 0.5), [1, 2, 3],
        ]
        for value in candidates:
            if _fits(ctrait, value):
                values[name] = value
                break
    return values


def argv_or_error(X, values):
    try:
        return X.command("/bin/tool", values)
    except InterfaceError as error:
        return type(error).__name__


@pytest.mark.parametrize("name", sorted(INTERFACES))
def test_every_interface_exports_to_valid_boutiques_with_the_same_argv(name, tmp_path):
    X = INTERFACES[name]
    unsayable = [key for key in ("formatter", "stage", "printed", "listed")
                 if any(getattr(t, key, None) for t in X.Inputs.spec_traits().values())]
    if unsayable:
        # an argument computed from the inputs (fslmaths' Threshold), an input
        # linked into the run's folder (feat_model), an output saved from
        # stdout (img2imgcoord): refused, rather than a descriptor that would
        # run another command or find no output under a stock runner
        with pytest.raises(InterfaceError, match="cannot be exported") as refused:
            boutiques.export(X, tool_version="1.0")
        assert all(f"({key}=)" in str(refused.value) for key in unsayable)
        return
    descriptor = boutiques.export(X, tool_version="1.0")
    validate(descriptor, tmp_path)
    Y = boutiques.load(descriptor)
    assert set(Y.Inputs.names()) == set(X.Inputs.names())
    # Outputs Boutiques can name: output arguments and name templates.
    named = {n for n, t in X.output_spec().spec_traits().items()
             if n in X.Inputs.names() or isinstance(t.name_template, str)
             or isinstance(t.from_stdout, str)}
    assert named <= set(Y.output_spec().names())
    if X.command.__func__ is not Interface.command.__func__:
        return  # it builds its command line itself (SPM's batch): the descriptor is what can be checked
    values = sample_values(X, tmp_path)
    assert argv_or_error(Y, values) == argv_or_error(X, values)
    # and with only the mandatory inputs (defaults are written by both; a
    # default computed from another input, default_from, is not exported:
    # given here, as a user of the descriptor gives it)
    mandatory = {k: v for k, v in values.items()
                 if X.Inputs.spec_traits()[k].mandatory or is_output_trait(
                     X.Inputs.spec_traits()[k]) or X.Inputs.spec_traits()[k].default_from}
    assert argv_or_error(Y, mandatory) == argv_or_error(X, mandatory)


def test_what_a_stock_runner_cannot_do_is_refused_naming_the_input():
    from interfaces.base import File, InputSpec, OutputFile

    class Staged(Interface):
        executable = "true"

        class Inputs(InputSpec):
            design = File(argstr="%s", mandatory=True, stage="design")
            report = OutputFile(argstr="--out %s", name_source="design",
                                name_template="%s_report", printed=True)

    with pytest.raises(InterfaceError) as refused:
        boutiques.export(Staged)
    message = str(refused.value)
    assert "'design' must be linked" in message and "'report' is written" in message
    assert "write its descriptor by hand" in message
    fsl = pytest.importorskip("interfaces.fsl", reason="the FSL family is not in this tree")
    for X, key in ((fsl.img2imgcoord, "printed"), (fsl.feat_model, "stage")):
        with pytest.raises(InterfaceError, match=rf"\({key}=\)"):
            boutiques.export(X)


def test_cp_round_trip_runs_on_an_in_memory_image(tmp_path):
    descriptor = boutiques.export(cp)
    assert descriptor["command-line"] == "cp [IN_FILE] [OUT_FILE] [PRESERVE]"
    assert descriptor["inputs"][1]["command-line-flag"] == "--preserve=mode,timestamps"
    Y = boutiques.load(descriptor)
    img = nib.load(ANAT)
    edited = nib.Nifti1Image(img.get_fdata() + 5, img.affine)
    a = cp().run(in_file=edited, preserve=True, workdir=tmp_path / "a")
    b = Y().run(in_file=edited, preserve=True, workdir=tmp_path / "b")
    assert [p.replace(str(tmp_path / "b"), "W") for p in b.argv] == \
        [p.replace(str(tmp_path / "a"), "W") for p in a.argv]
    assert os.path.basename(b.outputs.out_file.get_filename()) == "in_file_copy.nii"
    np.testing.assert_array_equal(b.outputs.out_file.get_fdata(), edited.get_fdata())


def test_wc_and_sha256sum_keep_their_stdout_outputs(tmp_path):
    for X, name in ((wc, "count"), (sha256sum, "digest")):
        Y = boutiques.load(boutiques.export(X))
        a, b = X().run(in_file=ANAT), Y().run(in_file=ANAT)
        assert a.argv == b.argv
        assert getattr(b.outputs, name) == getattr(a.outputs, name)
    assert boutiques.export(wc)["inputs"][0]["default-value"] is True


def test_argstr_boutiques_cannot_say_goes_in_custom():
    fsl = pytest.importorskip("interfaces.fsl", reason="the FSL family is not in this tree")
    bet = fsl.bet
    descriptor = boutiques.export(bet, tool_version="6.0")
    custom = descriptor["custom"]["imageshell"]
    frac = bet.Inputs.spec_traits()["frac"]
    if "%s" not in frac.argstr:  # e.g. "-f %.2f": Boutiques writes str(0.4)
        assert custom["inputs"]["frac"]["argstr"] == frac.argstr
    Y = boutiques.load(descriptor)
    values = {"in_file": "/d/a b.nii", "out_file": "/o/a_brain.nii.gz", "frac": 0.4, "mask": True}
    assert Y.command("bet", values) == bet.command("bet", values)


def test_loaded_descriptor_exports_back_to_itself(tmp_path):
    desc = os.path.join(os.path.dirname(__file__), "data", "boutiques", "mrthreshold.json")
    again = boutiques.export(boutiques.load(desc))
    assert again == json.load(open(desc))
    validate(again, tmp_path)
