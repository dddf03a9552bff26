"""Every FSL interface ran end to end on the STAND-IN executables (NOT FSL):
at least one test ran it with an in-memory image for an image input, and
passed one of its outputs (an image, a file, a folder) on to the next tool.

The tests before this one note each run on the stand-ins in a ledger
(``fsl_standins.testing.LEDGER``, by path); tests/conftest.py runs this file
last.  It checks the ledger against the specs, so a new wrapper without such
a test fails here, naming it.  When the session left stand-in tests out (-k,
only some files), the ledger is partial and the check is skipped, saying so.
"""

from __future__ import annotations

import pytest

from conftest import STANDIN_LEFT_OUT
from fsl_standins.testing import LEDGER
from interfaces.base.registry import all_interfaces
from interfaces.base.specs import is_output_trait, trait_kind

PATH_KINDS = {"image", "file", "directory", "prefix"}


def _kinds(ctrait) -> set:
    """The kinds of value a trait holds, its elements' and branches' included."""
    kinds = {trait_kind(ctrait)} - {None}
    inner = list(ctrait.inner_traits or ())
    value_trait = getattr(ctrait.handler, "value_trait", None)
    if value_trait is not None:
        inner.append(value_trait)
    for one in inner:
        if getattr(one, "trait_type", None) is not None:
            kinds |= _kinds(one)
    return kinds


def _needs(cls) -> tuple[bool, bool]:
    """(takes an image, produces a file) for an interface class."""
    takes = produces = False
    for ctrait in cls.Inputs.spec_traits().values():
        kinds = _kinds(ctrait)
        if is_output_trait(ctrait):
            produces |= bool(kinds & PATH_KINDS)
        else:
            takes |= "image" in kinds
    for ctrait in cls.Outputs.spec_traits().values():
        produces |= bool(_kinds(ctrait) & PATH_KINDS)
    return takes, produces


#: Tools whose outputs are end products that no tool reads: their chain is
#: not required (they must still run, and on an in-memory image).
END_PRODUCTS = {
    "fsl.slicer": "PNG pictures of slices, for people (pngappend, unwrapped, reads them)",
    "fsl.PlotTimeSeries": "a PNG plot (fsl_tsplot), for people",
    "fsl.PlotMotionParams": "a PNG plot of mcflirt's parameters (fsl_tsplot), for people",
    "fsl.eddy_quad": "a QC folder (qc.json, qc.pdf, PNGs) read only by eddy_squad, "
                     "a study-level report not wrapped",
}

FSL = {name: cls for name, cls in all_interfaces().items() if name.startswith("fsl.")}


def test_every_fsl_interface_ran_end_to_end(request):
    left_out = request.config.stash.get(STANDIN_LEFT_OUT, [])
    if left_out:
        pytest.skip(f"{len(left_out)} stand-in tests are not in this session "
                    f"({', '.join(left_out[:3])}...): the ledger of runs is partial")
    assert len(FSL) >= 105
    assert set(END_PRODUCTS) <= set(FSL), set(END_PRODUCTS) - set(FSL)
    ran, in_memory, chained = set(), set(), set()
    for k, note in enumerate(LEDGER):
        ran.add(note.interface)
        if note.in_memory:
            in_memory.add(note.interface)
        if any(later.takes_from(note) for later in LEDGER[k + 1:]):
            chained.add(note.interface)
    problems = []
    for name, cls in sorted(FSL.items()):
        takes, produces = _needs(cls)
        missing = []
        if cls not in ran:
            missing.append("never ran on the stand-ins")
        else:
            if takes and cls not in in_memory:
                missing.append("never given an in-memory image")
            if produces and cls not in chained and name not in END_PRODUCTS:
                missing.append("no output of it passed to another tool")
        if name in END_PRODUCTS and cls in chained:
            missing.append("an output of it was passed on: not an end product")
        if missing:
            problems.append(f"{name}: {'; '.join(missing)}")
    assert not problems, (f"{len(problems)} of {len(FSL)} FSL interfaces lack an end-to-end "
                          "test (tests/test_fsl_*.py):\n" + "\n".join(problems))


def test_the_ledger_tells_a_chain_from_unrelated_runs(tmp_path):
    from fsl_standins.testing import RunNote

    made = str(tmp_path / "a_brain.nii.gz")
    first = RunNote(object, {"in_file"}, {str(tmp_path / "a.nii.gz")},
                    {made, str(tmp_path / "bedpost")})
    assert RunNote(object, set(), {made}, set()).takes_from(first)
    assert RunNote(object, set(), {str(tmp_path / "bedpost" / "merged")}, set()).takes_from(first)
    assert RunNote(object, set(), {str(tmp_path / "a_brain")}, set()).takes_from(first)
    assert not RunNote(object, set(), {str(tmp_path / "a.nii.gz")}, set()).takes_from(first)
    assert not RunNote(object, set(), {str(tmp_path / "b.nii.gz")}, set()).takes_from(first)
