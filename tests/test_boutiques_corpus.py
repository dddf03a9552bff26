"""interfaces.boutiques.load on 2,088 real descriptors written by others.

The corpus (``../shared/boutiques-corpus``, beside the checkout: real
descriptors from public repositories, see its ``index.json``) is read where it
is; these tests skip, saying why, when it is absent.  The checks:

* at least 99% of the corpus imports (with ``shell=True`` for the descriptors
  refused only because their command line needs a shell), and every refusal
  is a :class:`DescriptorError` for a descriptor ``bosh validate`` refuses too;
* for stock descriptors, our argv equals ``bosh exec simulate``'s for one
  generated invocation per descriptor, on a fixed-seed sample of
  ``BOSH_SAMPLE`` of them (bosh validates the descriptor and the invocation on
  every call: 0.1-0.25 s each here);
* for niwrap's dialect, our argv equals the one niwrap's own generated code
  builds (``<tool>_cargs``) for the same parameters, for every niwrap 1.1.0
  descriptor (``NIWRAP_SAMPLE`` is more than there are; the code on PyPI was
  generated from them; the v0.7.0 MRtrix3 and Workbench descriptors have no
  matching code installed, so they are checked on import only);
* loaded descriptors export as stock Boutiques ``bosh validate`` accepts;
* niwrap's own MRtrix3 and Workbench descriptors run the real tools on
  in-memory images, sub-commands included.

Invocations are generated from each descriptor: every mandatory input, and
each optional one with probability 1/3 (groups, disables-inputs and
value-disables respected by retrying), with values bosh and niwrap accept
(existing files, numbers within bounds, strings with a space).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import random
import re
import shlex

import pytest

from interfaces import boutiques
from interfaces.base import InputError
from interfaces.base.runner import DryRunner

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "boutiques-corpus")
INDEX = os.path.join(CORPUS, "index.json")
if not os.path.isfile(INDEX):
    pytest.skip(f"the Boutiques corpus is not at {CORPUS} (../shared/boutiques-corpus beside "
                f"the checkout)", allow_module_level=True)

with open(INDEX, encoding="utf-8") as _f:
    _INDEX = json.load(_f)
#: ``[(source, dialect, path)]`` of every descriptor, in the index's order.
DESCRIPTORS = [
    (source, _INDEX["dialects"][source], os.path.join(CORPUS, path))
    for source, paths in _INDEX["descriptors"].items() for path in paths
]
def bosh_departure(desc) -> str | None:
    """Why our argv may differ from bosh's for a descriptor (docs/boutiques.rst)."""
    keys = [i.get("value-key") for i in desc.get("inputs") or [] if i.get("value-key")]
    if len(keys) != len(set(keys)):
        # Two inputs share a value-key (the BIDS-app template): bosh replaces
        # the key by the first input's value, or removes it when that one is
        # unset, dropping the second input's value; we take the first set one.
        return "shared value-key"
    return None


#: How many stock descriptors the bosh oracle checks (a seeded sample of 214).
BOSH_SAMPLE = 100
#: How many niwrap 1.1.0 descriptors the niwrap oracle checks (a seeded
#: sample; more than there are: all 1,555, in seconds).
NIWRAP_SAMPLE = 2000
SEED = 14


def _read(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load(path):
    """``(class, shell)``: the descriptor loaded, with shell=True when it is
    refused only for needing a shell."""
    try:
        return boutiques.load(path), False
    except boutiques.DescriptorError as error:
        if "shell=True" not in str(error):
            raise
    return boutiques.load(path, shell=True), True


# -- import -------------------------------------------------------------------


def test_at_least_99_percent_of_the_corpus_imports():
    from boutiques import bosh
    from boutiques.validator import DescriptorValidationError

    refused, shell = {}, 0
    for _, _, path in DESCRIPTORS:
        try:
            shell += load(path)[1]
        except boutiques.DescriptorError as error:  # any other exception fails the test
            refused[path] = str(error)
    imported = len(DESCRIPTORS) - len(refused)
    print(f"\n{imported} of {len(DESCRIPTORS)} descriptors import "
          f"({shell} of them with shell=True); refused: {len(refused)}")
    assert imported >= 0.99 * len(DESCRIPTORS)
    for path, message in refused.items():
        assert "field " in message, message  # names the field
        with pytest.raises((DescriptorValidationError, ValueError, KeyError)):
            bosh(["validate", path])  # ...and bosh refuses it too


# -- invocations ----------------------------------------------------------------


class Invent:
    """Values for the inputs of a descriptor (or a sub-command), as its
    fields allow, with existing files under ``folder``."""

    def __init__(self, rng, folder):
        self.rng = rng
        self.folder = folder

    def file(self, ident):
        path = os.path.join(self.folder, f"{ident}.txt")
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write("x")
        return path

    def number(self, item):
        low, high = item.get("minimum"), item.get("maximum")
        integer = bool(item.get("integer"))
        if low is not None:
            value = low + (1 if item.get("exclusive-minimum") else 0) if integer else \
                low + (0.5 if item.get("exclusive-minimum") else 0)
            if high is not None and value > high:
                value = low
        elif high is not None:
            value = high - (1 if item.get("exclusive-maximum") else 0)
        else:
            value = 3 if integer else 0.5
        return int(value) if integer else value

    def one(self, item, desc):
        kind = item["type"]
        if item.get("value-choices"):
            return self.rng.choice(item["value-choices"])
        if isinstance(kind, (dict, list)):
            alternatives = kind if isinstance(kind, list) else [kind]
            alt = self.rng.randrange(len(alternatives))
            return self.sub(alternatives, alt)
        if kind == "File":
            return self.file(item["id"])
        if kind == "Number":
            return self.number(item)
        if kind == "Flag":
            return True
        return f"{item['id']} v"

    def value(self, item, desc):
        if item.get("list") and item["type"] != "Flag":
            low = item.get("min-list-entries") or 1
            high = item.get("max-list-entries") or max(low, 2)
            return [self.one(item, desc) for _ in range(min(max(low, 2), high))]
        return self.one(item, desc)

    def sub(self, alternatives, index):
        """A niwrap sub-command value, ``@type`` naming the alternative as
        niwrap's code names it (a repeated id gets ``_2``)."""
        seen, alt_ids = {}, []
        for alt in alternatives:
            ident = alt.get("id")
            seen[ident] = seen.get(ident, 0) + 1
            alt_ids.append(ident if seen[ident] == 1 else f"{ident}_{seen[ident]}")
        alt = alternatives[index]
        if not alt.get("inputs"):
            return alt["command-line"]  # niwrap's form (ours takes it too)
        values = self.inputs(alt, tries=1) or {}
        return {"@type": alt_ids[index], **values}

    def inputs(self, desc, tries=6):
        """``{id: value}``: every mandatory input and some optional ones,
        keeping groups, disables and value-disables; None if no draw did."""
        items = desc.get("inputs") or []
        for attempt in range(tries):
            chance = 1 / 3 if attempt < tries - 1 else 0  # the last try: mandatory only
            chosen = {}
            for item in items:
                optional = item.get("optional", item.get("type") == "Flag") \
                    or item.get("default-value") is not None
                if not optional or self.rng.random() < chance or _odd_default(item):
                    chosen[item["id"]] = item
            for group in desc.get("groups") or []:
                members = [m for m in group["members"] if m in {i["id"] for i in items}]
                given = [m for m in members if m in chosen]
                if group.get("mutually-exclusive") and len(given) > 1:
                    for m in given[1:]:
                        chosen.pop(m)
                if group.get("one-is-required") and not given and members:
                    first = next(i for i in items if i["id"] == members[0])
                    chosen[first["id"]] = first
                if group.get("all-or-none") and given:
                    for m in members:
                        chosen[m] = next(i for i in items if i["id"] == m)
            values = {ident: self.value(item, desc) for ident, item in chosen.items()}
            if self._consistent(values, items, desc):
                return values
        return None

    @staticmethod
    def _consistent(values, items, desc):
        by_id = {i["id"]: i for i in items}
        values = {**{i["id"]: i["default-value"] for i in items
                     if i.get("default-value") is not None}, **values}
        for ident in values:
            item = by_id[ident]
            if any(o in values for o in item.get("disables-inputs") or []):
                return False
            groups = {g.get("id"): g["members"] for g in desc.get("groups") or []}
            for other in item.get("requires-inputs") or []:
                if other in by_id and other not in values:
                    return False
                if other in groups and not any(m in values for m in groups[other]):
                    return False  # a group: one of its members
            choice = str(values[ident])
            if any(o in values for o in (item.get("value-disables") or {}).get(choice, [])):
                return False
            if any(o not in values for o in (item.get("value-requires") or {}).get(choice, [])):
                return False
        for group in desc.get("groups") or []:
            given = [m for m in group["members"] if m in values]
            if group.get("mutually-exclusive") and len(given) > 1:
                return False
        return True


def _odd_default(item) -> bool:
    """A default bosh's invocation schema rejects (a string for a list, text
    for a Number): the input is given a value, so that bosh accepts the call."""
    default = item.get("default-value")
    if default is None:
        return False
    if item.get("list"):
        return not isinstance(default, list)
    return item.get("type") == "Number" and isinstance(default, str)


def ours(cls, invocation, workdir):
    """Our argv for an invocation by ids, previewed (nothing runs), with the
    program's name for its path and the run folder's paths made relative."""
    def names(plan, values):
        out = {}
        for ident, value in values.items():
            if ident in plan.subs:
                def one(v):
                    if isinstance(v, str):
                        return v
                    sub = plan.subs[ident][v["@type"]]
                    return {"@type": v["@type"], **names(sub, {k: x for k, x in v.items()
                                                                if k != "@type"})}
                value = [one(v) for v in value] if isinstance(value, list) else one(value)
            out[plan.names[ident]] = value
        return out

    argv = cls().run(runner=DryRunner(), workdir=workdir, **names(cls.plan, invocation)).argv
    prefix = workdir + os.sep
    return [os.path.basename(argv[0])] + [a.replace(prefix, "") for a in argv[1:]]


# -- stock descriptors: bosh exec simulate ---------------------------------------


def _words(line, folder):
    """The words of a command line with paths under ``folder`` relative to
    it.  The test's files are in ``folder``, and bosh names an output made
    from an input's path beside that input (``folder/a.txt_mcf``) where we
    write it in the run's folder (``folder/run/a.txt_mcf``, made relative by
    :func:`ours`): both read ``a.txt_mcf``."""
    return [w[2:] if w.startswith("./") else w
            for w in (word.replace(folder + os.sep, "") for word in shlex.split(line))]


def _text(line, folder):
    """A shell line as :func:`_words` compares words: paths relative to
    ``folder``, no ``./``, single spaces."""
    line = re.sub(r"(^|[\s=])\./", r"\1", line.replace(folder + os.sep, ""))
    return " ".join(line.split())


def test_stock_descriptors_argv_equals_bosh_simulate(tmp_path, monkeypatch):
    from boutiques import bosh

    monkeypatch.chdir(tmp_path)  # bosh writes file-template outputs in its cwd
    rng = random.Random(SEED)
    invent = Invent(rng, str(tmp_path))
    agree, differ, skipped, departs = 0, [], [], {}
    stock = [p for _, dialect, p in DESCRIPTORS if dialect == "stock"]
    for path in sorted(rng.sample(stock, min(BOSH_SAMPLE, len(stock)))):
        try:
            cls, shell = load(path)
        except boutiques.DescriptorError:
            continue  # refused: counted by the import test
        desc = _read(path)
        invocation = invent.inputs(desc)
        if invocation is None:
            skipped.append((path, "no consistent invocation"))
            continue
        try:
            mine = ours(cls, invocation, str(tmp_path / "run"))
        except InputError as error:
            skipped.append((path, f"ours refused: {error}"))
            continue
        try:
            line = bosh(["exec", "simulate", path, "-i", json.dumps(invocation)]).shell_command
        except Exception as error:  # bosh refuses the invocation (or the descriptor)
            skipped.append((path, f"bosh refused: {type(error).__name__}"))
            continue
        folder = str(tmp_path)
        if shell:  # shell code, compared as text (it may not even split into words)
            mine = mine[:2] + [_text(mine[2], folder)]
            theirs = ["sh", "-c", _text(line, folder)]
        else:
            mine = mine[:1] + _words(shlex.join(mine[1:]), folder)
            words = _words(line, folder)
            theirs = [os.path.basename(words[0])] + words[1:]
        same = mine == theirs
        if same:
            agree += 1
        elif bosh_departure(desc):
            departs.setdefault(bosh_departure(desc), []).append(os.path.relpath(path, CORPUS))
        else:
            differ.append((path, mine, theirs))
    print(f"\nbosh exec simulate: {agree} agree, {len(differ)} differ, "
          f"{sum(map(len, departs.values()))} depart as documented, {len(skipped)} skipped "
          f"(of {min(BOSH_SAMPLE, len(stock))} sampled)")
    for reason, paths in departs.items():
        print(f"  {len(paths)}: {reason}: {', '.join(paths)}")
    for item in differ[:20]:
        print(*item, sep="\n  ")
    for item in skipped[:20]:
        print(*item, sep="\n  ")
    assert agree > 0.6 * min(BOSH_SAMPLE, len(stock))
    assert not differ


# -- niwrap's dialect: niwrap's generated code ---------------------------------


def _niwrap_functions():
    """``{(package, descriptor name): cargs function}`` of niwrap's code."""
    niwrap = pytest.importorskip("niwrap", reason="pip install niwrap (test extra)")
    from styxdefs import Metadata

    found = {}
    for package in pkgutil.iter_modules(niwrap.__path__):
        if not package.ispkg:
            continue
        pkg = importlib.import_module(f"niwrap.{package.name}")
        for mod in pkgutil.iter_modules(pkg.__path__):
            module = importlib.import_module(f"niwrap.{package.name}.{mod.name}")
            for value in vars(module).values():
                if isinstance(value, Metadata):
                    function = getattr(module, f"{mod.name}_cargs", None)
                    if function is not None:
                        found[(value.package, value.name)] = function
    return found


def test_niwrap_descriptors_argv_equals_niwrap_code(tmp_path):
    from styxdefs import DryRunner as StyxDry

    functions = _niwrap_functions()
    candidates = [(s, p) for s, d, p in DESCRIPTORS if s.startswith("niwrap-1.1.0/")]
    rng = random.Random(SEED)
    sample = rng.sample(candidates, min(NIWRAP_SAMPLE, len(candidates)))
    invent = Invent(rng, str(tmp_path))
    agree, differ, skipped, departs = 0, [], [], {}
    for source, path in sample:
        desc = _read(path)
        package = source.split("/")[1]
        function = functions.get((package, desc["name"]))
        if function is None:
            skipped.append((path, "no niwrap function"))
            continue
        try:
            cls, _ = load(path)
        except boutiques.DescriptorError as error:
            skipped.append((path, f"refused: {error}"))
            continue
        invocation = invent.inputs(desc)
        if invocation is None:
            skipped.append((path, "no consistent invocation"))
            continue
        try:
            mine = ours(cls, invocation, str(tmp_path / "run"))
        except InputError as error:
            skipped.append((path, f"ours refused: {error}"))
            continue
        try:
            theirs = function({"@type": f"{package}/{desc['name']}",
                               **niwrap_params(desc, invocation)}, StyxDry())
        except Exception as error:
            skipped.append((path, f"niwrap refused: {type(error).__name__}: {error}"))
            continue
        theirs = [os.path.basename(theirs[0])] + [str(a) for a in theirs[1:]]
        if mine == theirs:
            agree += 1
            continue
        reason = niwrap_departure(desc, mine, theirs, os.path.relpath(path, CORPUS))
        if reason:
            departs.setdefault(reason, []).append(os.path.relpath(path, CORPUS))
        else:
            differ.append((path, mine, theirs))
    print(f"\nniwrap code: {agree} agree, {len(differ)} differ, "
          f"{sum(map(len, departs.values()))} depart as documented, {len(skipped)} skipped "
          f"(of {len(sample)} sampled)")
    for reason, paths in departs.items():
        print(f"  {len(paths)}: {reason}: {', '.join(paths)}")
    for item in differ[:30]:
        print(*item, sep="\n  ")
    for item in skipped[:20]:
        print(*item, sep="\n  ")
    assert agree > 0.9 * len(sample)
    assert not differ


#: Departures seen on one descriptor only (docs/boutiques.rst).
NIWRAP_KNOWN = {
    "styx-api+niwrap/src/niwrap/ants/2.5.3/antsRegistration/boutiques.json":
        # -g, a list of 0/1 choices with list-separator "x": niwrap's code
        # writes each value as its own argument, without the separator.
        "0/1 list written without its separator",
}


def niwrap_params(desc, invocation) -> dict:
    """The invocation as niwrap's code takes it: an input whose two
    value-choices are 0 and 1 is a bool there, True for the first choice."""
    two = {i["id"]: i["value-choices"] for i in desc["inputs"]
           if len(i.get("value-choices") or []) == 2
           and {str(c) for c in i["value-choices"]} == {"0", "1"}}

    def as_bool(ident, value):
        if isinstance(value, list):
            return [as_bool(ident, v) for v in value]
        return value == two[ident][0]

    return {k: as_bool(k, v) if k in two else v for k, v in invocation.items()}


def niwrap_departure(desc, mine, theirs, where="") -> str | None:
    """Which documented departure of niwrap's code from its own descriptor
    explains a difference (docs/boutiques.rst), if one does."""
    if where in NIWRAP_KNOWN:
        return NIWRAP_KNOWN[where]
    if len(mine) == len(theirs) and all(
        a == b or a == f"<temporary>/{os.path.basename(b)}" for a, b in zip(mine, theirs)
    ):
        # niwrap's "mutable": both hand the tool a copy; niwrap's dry runner
        # shows the original path, ours the copy's.
        return "mutable input: a copy"
    if mine[:2] == ["sh", "-c"] and shlex.split(mine[2]) == theirs:
        # A flag that is a redirection ('<'): niwrap's code passes it to the
        # tool as an argument; the descriptor means the shell's redirection.
        return "shell operator passed as an argument"
    if " ".join(mine) == " ".join(theirs):
        # Same text, other word boundaries: a flag, a literal or a list joined
        # by an explicit list-separator " " holding a space is one argument in
        # niwrap's code and words in the descriptor's command line.
        return "a space inside one niwrap argument"
    return None


#: How many imported descriptors the export check validates (seeded sample).
EXPORT_SAMPLE = 60


def test_exports_of_corpus_descriptors_are_stock_boutiques(tmp_path):
    """A loaded descriptor exports as stock Boutiques that ``bosh validate``
    accepts (niwrap's dialect normalised), unless its original is invalid
    too or it needs a sub-command (refused, naming the input)."""
    from boutiques import bosh

    from interfaces.base import InterfaceError

    rng = random.Random(SEED)
    valid, refused, invalid = 0, 0, []
    for _, _, path in rng.sample(DESCRIPTORS, EXPORT_SAMPLE):
        try:
            cls, shell = load(path)
        except boutiques.DescriptorError:
            continue
        try:
            stock = boutiques.export(cls)
        except InterfaceError as error:
            assert "is a niwrap sub-command" in str(error)
            refused += 1
            continue
        out = tmp_path / "stock.json"
        out.write_text(json.dumps(stock))
        try:
            bosh(["validate", str(out)])
            valid += 1
        except Exception:
            try:
                bosh(["validate", path])
            except Exception:
                continue  # the original is not valid Boutiques either
            invalid.append(os.path.relpath(path, CORPUS))
    print(f"\nexports: {valid} valid, {refused} refused (a mandatory sub-command), "
          f"{len(invalid)} invalid")
    assert valid > 0.8 * EXPORT_SAMPLE
    assert not invalid


# -- real runs of corpus descriptors ---------------------------------------------


def test_niwrap_mrtrix_descriptor_runs_mrthreshold_on_an_in_memory_image(tmp_path):
    """niwrap v0.7.0's own MRtrix3 descriptor, its -config sub-command
    included, runs the real mrthreshold on an image held only in memory."""
    import nibabel as nib
    import numpy as np

    from tools import require_tool

    require_tool("mrthreshold")
    path = os.path.join(CORPUS, "styx-api+niwrap@v0.7.0", "descriptors", "mrtrix",
                        "mrthreshold.json")
    tool = boutiques.load(path)
    anat = nib.load(os.path.join(os.path.dirname(nib.__file__), "tests", "data",
                                 "anatomical.nii"))
    img = nib.Nifti1Image(anat.get_fdata() * 2, anat.affine)  # no file
    res = tool().run(input=img, abs=100, invert=True, quiet=True, output="below.nii",
                     config=[{"key": "NumberOfThreads", "value": "1"}], workdir=tmp_path)
    assert res.argv[1:8] == ["-abs", "100", "-invert", "-quiet", "-config",
                             "NumberOfThreads", "1"]
    assert res.argv[9] == "below.nii" and res.input_files["input"].origin == "temporary"
    mask = nib.load(res.outputs.output).get_fdata()
    np.testing.assert_array_equal(mask > 0, img.get_fdata() < 100)


def test_niwrap_workbench_descriptor_runs_volume_math_with_images_in_sub_commands(tmp_path):
    """niwrap v0.7.0's Workbench volume-math: each -var is a sub-command
    whose volume may be an image held only in memory."""
    import nibabel as nib
    import numpy as np

    from tools import require_tool

    require_tool("wb_command")
    path = os.path.join(CORPUS, "styx-api+niwrap@v0.7.0", "descriptors", "workbench",
                        "volume-math.json")
    tool = boutiques.load(path)
    anat_path = os.path.join(os.path.dirname(nib.__file__), "tests", "data", "anatomical.nii")
    anat = nib.load(anat_path)
    doubled = nib.Nifti1Image(anat.get_fdata().astype(np.float32) * 2, anat.affine)
    res = tool().run(expression="x - y", volume_out="diff.nii",
                     var=[{"name": "x", "volume": doubled}, {"name": "y", "volume": anat_path}],
                     workdir=tmp_path)
    assert res.argv[1:4] == ["-volume-math", "x - y", "diff.nii"]
    assert res.argv[4:6] == ["-var", "x"] and res.argv[7:] == ["-var", "y", anat_path]
    assert res.input_files["var[0].volume"].origin == "temporary"
    np.testing.assert_allclose(nib.load(res.outputs.volume_out).get_fdata(), anat.get_fdata())
