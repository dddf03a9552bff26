"""Hypothesis strategies for random input sets of a nipype interface, built
from its own trait metadata: types, enums, ranges, list lengths, ``xor``,
``requires`` and ``mandatory``.  nipype is a test-only oracle.

A set is drawn in nipype's names.  Files that must exist are drawn from the
real files of ``fsl_standins.testing.files`` (images for inputs ours declares
as images, text files otherwise); outputs are drawn as a fixed name or left
to the default.  ``kinds`` tells what our counterpart of each input is (an
image, an output image...) so the drawn value suits both sides.
"""

from __future__ import annotations

from hypothesis import strategies as st

#: nipype inputs that are never drawn (the environment, not the tool's options).
SKIP = {"args", "environ", "ignore_exception", "trait_added", "trait_modified"}

IMAGES = ("@a", "@b", "@mask", "@f")
TEXTS = ("@m1.mat", "@m2.mat", "@params.txt")


def _type_name(trait_type) -> str:
    return type(trait_type).__name__


def value_strategy(name, ctrait, kind):
    """A strategy for one nipype trait; ``kind`` is our counterpart's
    (``"image"``, ``"file"``, ``"output_image"``, ``"output_file"``,
    ``"output_prefix"``, ``"directory"`` or None)."""
    return _for_type(name, ctrait.trait_type, ctrait, kind)


def _for_type(name, tt, ctrait, kind):
    tname = _type_name(tt)
    if tname == "Bool":
        return st.booleans()
    if tname == "Enum":
        return st.sampled_from(list(tt.values))
    if tname == "Range":
        low, high = tt._low, tt._high
        if isinstance(low, float) or isinstance(high, float):
            low = 0.0 if low is None else low
            high = low + 100.0 if high is None else high
            return st.floats(low, high).map(lambda v: round(v, 3))
        low = 0 if low is None else low
        high = low + 20 if high is None else high
        return st.integers(low, high)
    if tname == "Int":
        return st.integers(1, 20)
    if tname == "Float":
        return st.floats(0.5, 50.0).map(lambda v: round(v, 3))
    if tname in ("Str", "String"):
        return st.sampled_from(["abc", "xyz_1"])
    if tname in ("File", "ImageFile", "Directory", "BasePath"):
        return _path(name, tt, ctrait, kind)
    if tname == "Tuple":
        return st.tuples(*[_for_type(name, t.trait_type, t, None) for t in tt.types])
    if tname in ("List", "InputMultiObject", "InputMultiPath"):
        inner = ctrait.inner_traits[0] if ctrait.inner_traits else None
        inner_kind = {"images": "image", "files": "file"}.get(kind, kind)
        item = _for_type(name, inner.trait_type, inner, inner_kind) if inner else st.just(1)
        low = max(getattr(tt, "minlen", 0) or 0, 1)
        high = min(getattr(tt, "maxlen", 4) or 4, max(low, 4))
        lists = st.lists(item, min_size=low, max_size=high)
        if tname != "List" and kind in ("image", "file", "images", "files"):
            return st.one_of(lists, item)  # InputMultiPath: one item stands for a list
        return lists
    if tname == "TraitCompound":
        branches = []
        for handler in tt.handlers:
            hname = _type_name(handler)
            if hname == "Bool":
                branches.append(st.just(True))
            else:
                branches.append(_for_type(name, handler, ctrait, kind))
        return st.one_of(branches)
    raise NotImplementedError(f"no strategy for {name!r} ({tname})")


def _path(name, tt, ctrait, kind):
    exists = getattr(tt, "exists", False)
    if kind in ("output_image", "output_file", "output_prefix", "output_directory") or (
        not exists and kind is None
    ):
        ext = {"output_image": ".nii.gz", "output_file": ".txt"}.get(kind, "")
        return st.just(f"out_{name}{ext}")
    if kind == "image":
        return st.sampled_from(IMAGES)
    if kind == "directory":
        return st.just("@folder")
    return st.sampled_from(TEXTS)


def _groups(traits, names):
    """Exclusive groups: connected components of the ``xor`` relation."""
    parent = {n: n for n in names}

    def find(n):
        while parent[n] != n:
            n = parent[n]
        return n

    for n in names:
        for other in traits[n].xor or []:
            if other in parent:
                parent[find(other)] = find(n)
    groups: dict[str, list] = {}
    for n in names:
        groups.setdefault(find(n), []).append(n)
    return list(groups.values())


@st.composite
def input_sets(draw, spec, kinds, skip=(), values=None, required=()):
    """Random input sets of a nipype input spec, in nipype's names.

    Parameters
    ----------
    spec : nipype input spec instance
    kinds : dict
        ``{nipype name: our kind}`` (see :func:`value_strategy`).
    skip : iterable
        nipype inputs not drawn (documented differences).
    values : dict, optional
        ``{name: strategy}`` overriding a drawn value (a valid op_string...).
    required : iterable
        inputs always drawn, beyond the mandatory ones.
    """
    values = values or {}
    traits = {n: t for n, t in spec.traits().items()
              if n not in SKIP and n not in skip and _type_name(t.trait_type) != "Event"}
    names = sorted(traits)
    chosen = {}
    for group in _groups(traits, names):
        mandatory = [n for n in group if traits[n].mandatory] or (
            [n for n in group if n in required])
        if len(group) == 1:
            pick = group if (mandatory or draw(st.booleans())) else []
        elif mandatory:
            pick = [draw(st.sampled_from(sorted(mandatory)))]
        else:
            pick = draw(st.sampled_from([[]] + [[n] for n in sorted(group)]))
        for n in pick:
            chosen[n] = None
    # requires: draw what a chosen input needs, or drop the input.
    dropped = set()  # never drawn again: the loop ends
    changed = True
    while changed:
        changed = False
        for n in list(chosen):
            if n not in chosen:
                continue
            for needed in traits[n].requires or []:
                if needed in chosen:
                    continue
                clash = any(x in chosen for x in traits.get(needed, _NoTrait).xor or [])
                if needed not in traits or clash or needed in dropped:
                    if not traits[n].mandatory:
                        del chosen[n]
                        dropped.add(n)
                        changed = True
                    break
                chosen[needed] = None
                changed = True
    out = {}
    for n in sorted(chosen):
        strategy = values[n] if n in values else value_strategy(n, traits[n], kinds.get(n))
        out[n] = draw(strategy)
    return out


class _NoTrait:
    xor = None
