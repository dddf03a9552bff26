"""Input and output specs: traits classes whose metadata describe a tool.

An :class:`InputSpec` holds the values of one run and checks them against the
spec (types on assignment; ``mandatory``, ``xor``, ``requires`` and the
spec's ``groups`` before running), reporting every violation of a call in one
error.  An :class:`OutputSpec` declares what a run produces beyond the
``Output*`` arguments of the input spec, which are outputs by themselves.

Rules over several inputs are declared once per group, in the spec's
``groups``:

``exclusive("a", "b", ...)``
    at most one of them (each member's ``xor`` is derived from it);
    ``required=True``: exactly one.
``any_of("a", "b", ...)``
    at least one of them.

and ``requires=any_of("a", "b")`` on an input (or an output's condition)
means *one of* them, where a plain list means *all* of them.

:func:`check_declaration` checks a spec when its interface class is created:
unknown metadata keys, names that are not inputs, an ``argstr`` that cannot
format a value of its trait -- each a ``TypeError`` naming class and input.
"""

from __future__ import annotations

import os

from traits.api import HasTraits, TraitError, Undefined

from .errors import InputError, InputTypeError
from .traits_ import is_set

__all__ = ["InputSpec", "OutputSpec", "trait_kind", "is_output_trait", "element_trait",
           "as_list", "exclusive", "any_of", "Exclusive", "AnyOf", "requirement_met",
           "requirement_text", "check_declaration", "METADATA"]

#: Metadata keys the base understands (see :mod:`interfaces.base.traits_`);
#: a kind of interface adds its own with ``Interface.extra_metadata``.
METADATA = frozenset({
    "argstr", "position", "mandatory", "xor", "requires", "sep", "desc", "name_source",
    "name_template", "keep_extension", "min_ver", "max_ver", "split", "fill_from", "scale",
    "len_argstr", "writer", "suffix", "reader", "optional", "selects_output_type",
    "formats", "copy", "exists", "generate", "modified_input", "from_stdout", "discovered",
    "name_template_if", "default_from", "one_or_more", "fill_optional", "formatter",
    "printed", "exclude", "stage", "create", "stage_exclude", "listed", "also",
})
#: Keys the traits machinery itself sets.
_TRAITS_KEYS = frozenset({"type", "parent", "usedefault", "default_value", "array",
                          "instance_handler", "transient"})


class AnyOf(tuple):
    """Input names of which at least one must be set (see :func:`any_of`)."""

    def __repr__(self) -> str:
        return f"any_of({', '.join(map(repr, self))})"


class Exclusive(tuple):
    """Input names of which at most one may be set (see :func:`exclusive`)."""

    required = False

    def __repr__(self) -> str:
        extra = ", required=True" if self.required else ""
        return f"exclusive({', '.join(map(repr, self))}{extra})"


def any_of(*names: str) -> AnyOf:
    """At least one of these inputs.

    In a spec's ``groups``: the run needs one of them.  As ``requires=`` of
    an input: that input needs one of them.  As ``requires=`` of an output:
    the output is written when one of them is set (bet writes its mask for
    ``mask``, and also for ``reduce_bias`` or ``surfaces``); there an item
    ``(input, value)`` holds when the input has that value (ICA-AROMA writes
    its aggressively denoised image for ``denoise_type`` ``"aggr"`` or
    ``"both"``: ``any_of(("denoise_type", "aggr"), ("denoise_type", "both"))``).
    """
    return AnyOf(names)


def exclusive(*names: str, required: bool = False) -> Exclusive:
    """At most one of these inputs (exactly one with ``required=True``),
    declared once for the group in the spec's ``groups``::

        groups = (exclusive("robust", "padding", "functional"),)
    """
    group = Exclusive(names)
    group.required = required
    return group


def requirement_met(requires, is_given, value_of=None) -> bool:
    """Whether ``requires`` (a name, a list: all of them, an :class:`AnyOf`:
    one of them) holds, ``is_given(name)`` telling whether an input is set.
    An item ``(name, value)`` (an output's condition) holds when
    ``value_of(name) == value``."""
    def met(item) -> bool:
        if isinstance(item, tuple):
            return value_of is not None and value_of(item[0]) == item[1]
        return is_given(item)

    names = as_list(requires)
    if isinstance(requires, AnyOf):
        return any(met(n) for n in names)
    return all(met(n) for n in names)


def requirement_text(requires) -> str:
    """An output's ``requires`` in words, for its help: "When mask is set.",
    "When denoise_type is 'aggr' or denoise_type is 'both'."."""
    names = as_list(requires)
    if not any(isinstance(n, tuple) for n in names):
        if isinstance(requires, AnyOf):
            return "When one of " + ", ".join(names) + " is set."
        return "When " + ", ".join(names) + (" is" if len(names) == 1 else " are") + " set."
    words = [f"{n[0]} is {n[1]!r}" if isinstance(n, tuple) else f"{n} is set" for n in names]
    return "When " + (" or " if isinstance(requires, AnyOf) else " and ").join(words) + "."


def _names_text(names) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def trait_kind(ctrait) -> str | None:
    """``"image"``, ``"file"``, ``"directory"``, ``"prefix"`` or None for a
    plain value."""
    return getattr(ctrait.trait_type, "kind", None)


def is_output_trait(ctrait) -> bool:
    """Whether an input-spec trait names something the tool writes."""
    return getattr(ctrait.trait_type, "is_output", False)


def element_trait(ctrait, value):
    """The trait of the elements of a list value (``List(Image())``) or of
    the values of a dict value (``Dict(Str, Image())``), when they are
    images, files or directories; None otherwise."""
    if isinstance(value, dict):
        inner = getattr(ctrait.handler, "value_trait", None)
    elif isinstance(value, list):
        inner = ctrait.inner_traits[0] if ctrait.inner_traits else None
    else:
        return None
    if getattr(inner, "trait_type", None) is None:
        return None
    if trait_kind(inner) is None and not (
            type(inner.trait_type).__name__ == "Union"
            and any(trait_kind(branch) for branch in inner.inner_traits)):
        return None  # a Union element of files or images: handed over as its branch
    return inner


def as_list(names) -> list:
    """Metadata that name one input or several (``xor``, ``requires``,
    ``name_source``) as a list: None -> [], "a" -> ["a"]."""
    if names is None:
        return []
    if isinstance(names, str):
        return [names]
    return list(names)


class _Spec(HasTraits):
    """Shared machinery: the declared names, in declaration order."""

    @classmethod
    def names(cls) -> list[str]:
        """Names of the declared traits, in declaration order."""
        return list(cls.spec_traits())

    @classmethod
    def spec_traits(cls) -> dict:
        """``{name: ctrait}`` for the declared traits, in declaration order.

        Computed once per class (a spec is fixed once declared); do not
        modify the returned dict.
        """
        cached = cls.__dict__.get("_spec_traits_cache")
        if cached is None:
            traits = cls.class_traits()
            # class_visible_traits is ordered as declared, class by class.
            cached = {
                n: traits[n] for n in cls.class_visible_traits() if not n.startswith("_")
            }
            type.__setattr__(cls, "_spec_traits_cache", cached)
        return cached


class InputSpec(_Spec):
    """Base class of the inputs of an interface.

    Declare one trait per argument of the tool (see
    :mod:`interfaces.base.traits_` for the metadata), and in ``groups`` the
    rules over several inputs (:func:`exclusive`, :func:`any_of`).
    Instances hold the values of one run; unset inputs are
    :data:`~traits.api.Undefined`.

    Parameters
    ----------
    _interface : str, optional
        Name used in error messages.
    **values
        Input values; each is type-checked on assignment.
    """

    #: Rules over several inputs, declared once per group.
    groups: tuple = ()

    def __init__(self, _interface: str | None = None, **values):
        super().__init__()
        self._interface_name = _interface or type(self).__name__
        defaults = {}
        for name, ctrait in self.spec_traits().items():
            if not ctrait.usedefault:
                defaults[name] = Undefined
        self.trait_set(trait_change_notify=False, **defaults)
        self.update(values)

    def update(self, values: dict) -> None:
        """Assign several inputs, raising one :class:`InputError` for all the
        unknown names, or one :class:`InputTypeError` for all the values of
        the wrong type.  A list input declared ``one_or_more`` takes a single
        item as a list of one."""
        traits = self.spec_traits()
        unknown, wrong = [], []
        for name, value in values.items():
            if name not in traits:
                unknown.append(name)
                continue
            if traits[name].one_or_more and not isinstance(value, (list, tuple)):
                value = [value]  # nipype's InputMultiPath: one item stands for a list
            try:
                setattr(self, name, value)
            except TraitError:
                ctrait = traits[name]
                wrong.append(
                    f"input {name!r} must be "
                    f"{ctrait.trait_type.full_info(self, name, value)}, "
                    f"but got {_short_repr(value)} ({type(value).__name__}). "
                    f"Pass a value of that type."
                )
        who = self._interface_name
        if unknown:
            import difflib

            def meant(name):
                prefixed = [t for t in traits if name.startswith(t) or t.startswith(name)]
                close = prefixed or difflib.get_close_matches(name, traits, n=1)
                return max(close, key=len) if close else None

            guesses = [f"{meant(n)!r} for {n!r}" for n in unknown if meant(n)]
            hint = f" Did you mean {', '.join(guesses)}?" if guesses else ""
            problems = [
                f"{who} has no input{'s' if len(unknown) > 1 else ''} {_names_text(unknown)}; "
                f"its inputs are: {', '.join(traits)}.{hint} Check the spelling "
                f"(`imageshell help {who}` lists them)."
            ] + wrong
            raise _one_error(InputError, None, problems)
        if wrong:
            raise _one_error(InputTypeError, who, wrong)

    def given(self) -> dict:
        """``{name: value}`` of the inputs that are set (``False`` included)."""
        out = {}
        for name in self.names():
            value = getattr(self, name)
            if value is not Undefined:
                out[name] = value
        return out

    def check(self) -> None:
        """Check ``mandatory``, ``xor``, ``requires`` and the ``groups``;
        raise one :class:`InputError` naming every violation (its
        ``problems`` lists them) and what to pass."""
        traits = self.spec_traits()
        given = {n for n in traits if is_set(getattr(self, n))}
        problems, clashes = [], set()
        for name, ctrait in traits.items():
            xor = [n for n in as_list(ctrait.xor) if n != name]
            if ctrait.mandatory and name not in given:
                if any(n in given for n in xor):
                    continue
                either = f" (or one of {', '.join(xor)})" if xor else ""
                desc = f": {ctrait.desc}" if ctrait.desc else ""
                problems.append(f"input {name!r} is mandatory{desc}. Pass {name}=...{either}.")
                continue
            if name not in given:
                continue
            clash = [n for n in xor if n in given]
            if clash and frozenset([name, *clash]) not in clashes:
                clashes.add(frozenset([name, *clash]))
                problems.append(f"inputs {_names_text([name, *clash])} are mutually exclusive "
                                f"(xor). Pass only one of them.")
            requires = ctrait.requires
            # As nipype: a required input given as False counts as given
            # (eddy's outlier_sqr=True with repol=False passes --ol_sqr).
            missing = [n for n in as_list(requires)
                       if getattr(self, n) is Undefined or getattr(self, n) is None]
            if isinstance(requires, AnyOf):
                if len(missing) == len(requires):
                    problems.append(
                        f"input {name!r} requires one of inputs {', '.join(requires)}, none "
                        f"of which is set. Pass one of them as well, or leave {name!r} unset.")
            else:
                for needed in missing:
                    problems.append(
                        f"input {name!r} requires input {needed!r}, which is not set. "
                        f"Pass {needed}=... as well, or leave {name!r} unset.")
        for group in type(self).groups:
            if isinstance(group, AnyOf) and not any(n in given for n in group):
                problems.append(f"one of inputs {', '.join(group)} is needed. Pass one of "
                                f"them.")
        if problems:
            raise _one_error(InputError, self._interface_name, problems)


def _short_repr(value, limit: int = 80) -> str:
    """``repr`` of a value, cut to ``limit`` characters (an array or a long
    list in an error message)."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"<array of shape {tuple(value.shape)}, {value.dtype}>"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + " ...>"


def _one_error(kind, who, problems):
    """One error for all ``problems`` (sentences without the interface name)."""
    prefix = f"{who}: " if who else ""
    if len(problems) == 1:
        error = kind(prefix + problems[0])
    else:
        listed = "\n".join("  - " + p for p in problems)
        error = kind(f"{prefix}{len(problems)} problems with the inputs:\n{listed}")
    error.problems = list(problems)  # each violation, as a sentence
    return error


# -- declarations, checked when the interface class is created -----------------------


def apply_groups(owner: str, spec) -> None:
    """Derive each member's ``xor`` (and ``mandatory`` for a required group)
    from the spec's ``exclusive`` groups; check the names of every group."""
    traits = spec.spec_traits()
    for group in spec.groups:
        if not isinstance(group, (Exclusive, AnyOf)):
            raise TypeError(f"{owner}: groups holds {group!r}; use exclusive(...) or "
                            f"any_of(...).")
        unknown = [n for n in group if n not in traits]
        if unknown:
            raise TypeError(f"{owner}: {group!r} names {', '.join(map(repr, unknown))}, "
                            f"which {'is not an input' if len(unknown) == 1 else 'are not inputs'}.")
        if not isinstance(group, Exclusive):
            continue
        for name in group:
            ctrait = traits[name]
            others = [n for n in as_list(ctrait.xor) if n != name]
            others += [n for n in group if n != name and n not in others]
            ctrait.xor = others
            if group.required:
                ctrait.mandatory = True


def _sample(ctrait):
    """A value of ``ctrait``'s type to try its ``argstr`` on (None: skip)."""
    if trait_kind(ctrait) is not None:
        return "/sample/file"
    trait_type = ctrait.trait_type
    kind = type(trait_type).__name__
    if kind in ("Bool", "CBool"):
        return True
    if kind in ("Int", "CInt", "Range") and not isinstance(getattr(trait_type, "_low", 0), float):
        return 1
    if kind in ("Float", "CFloat", "Range"):
        return 1.5
    if kind in ("Str", "String", "Unicode", "CStr"):
        return "text"
    if kind == "Enum":
        values = list(getattr(trait_type, "values", None) or ())
        return values[0] if values else None
    inner = ctrait.inner_traits
    if kind == "List" and inner:
        item = _sample(inner[0])
        if item is None:
            return None
        from .command import _fields

        argstr = ctrait.argstr or "%s"
        fields = 1 if argstr.endswith("...") else sum(_fields(t) for t in argstr.split())
        return [item] * max(getattr(trait_type, "minlen", 1) or 1, fields, 1)
    if kind == "Tuple" and inner:
        items = [_sample(t) for t in inner]
        return None if any(i is None for i in items) else tuple(items)
    return None


def check_declaration(owner: str, spec, known=METADATA, inputs: bool = True) -> None:
    """Check a spec's declaration; raise ``TypeError`` naming ``owner`` (the
    interface class) and the input.

    Checks that every metadata key is one the base (or the interface's
    ``extra_metadata``) understands, that ``xor``/``requires``/``name_source``/
    ``fill_from`` name inputs, and that each ``argstr`` formats a value of its
    trait's type.
    """
    from .command import format_arg

    traits = spec.spec_traits()
    for name, ctrait in traits.items():
        unknown = sorted(set(ctrait.__dict__) - known - _TRAITS_KEYS)
        if unknown:
            raise TypeError(
                f"{owner}: {'input' if inputs else 'output'} {name!r} has unknown metadata "
                f"{', '.join(map(repr, unknown))}; known keys are documented in "
                f"interfaces.base.traits_ (a misspelling? e.g. 'argstr', 'mandatory'). A "
                f"kind of interface declares keys of its own in its extra_metadata."
            )
        if not inputs:
            continue
        for key in ("xor", "requires", "fill_from"):
            strays = [n for n in as_list(ctrait.__dict__.get(key)) if n not in traits]
            if strays:
                raise TypeError(f"{owner}: input {name!r} has {key}={ctrait.__dict__[key]!r}, "
                                f"but {', '.join(map(repr, strays))} is not an input.")
        generate = ctrait.__dict__.get("generate")
        if generate is not None and not isinstance(generate, bool):
            strays = [n for n in as_list(generate) if n not in traits]
            if strays:
                raise TypeError(f"{owner}: input {name!r} has generate={generate!r}, but "
                                f"{', '.join(map(repr, strays))} is not an input.")
        if ctrait.argstr is None or ctrait.split or ctrait.fill_from or ctrait.formatter:
            continue
        sample = _sample(ctrait)
        if sample is None:
            continue
        try:
            format_arg(name, ctrait, sample)
        except (TypeError, ValueError, KeyError, IndexError, InputError) as error:
            from .help import type_text

            raise TypeError(
                f"{owner}: input {name!r} has argstr {ctrait.argstr!r}, which cannot "
                f"format a value of its type ({type_text(ctrait.trait_type)}, e.g. "
                f"{sample!r}): {str(error).rstrip('.')}. Fix the argstr (e.g. '%s' for text, '%d' for "
                f"an integer, '%g' for a number)."
            ) from None


def _output_repr(value) -> str:
    from .traits_ import is_image_value

    if is_image_value(value):
        name = value.get_filename()
        where = os.path.basename(name) if name else "in memory"
        return f"<image {where} {tuple(value.shape)}>"
    return _short_repr(value)


class OutputSpec(_Spec):
    """Base class of the outputs of an interface, beyond its output arguments.

    Each trait is one output, found after the run by one of these metadata:

    ``name_source`` / ``name_template`` / ``keep_extension``
        a file the tool writes without being told its name, e.g. ``bet``'s
        mask ``"%s_mask"`` next to ``out_file``.  A name source that is an
        output argument puts the file beside it (inside it for a directory);
        an input name source puts it in the run's working directory.
    ``requires``
        expected only when these inputs are set (e.g. ``["mask"]``).
    ``optional``
        the tool may not write it: a missing file leaves the output Undefined
        instead of raising :class:`OutputMissingError`.
    ``name_template`` as a callable
        ``rule(namer) -> path or None``: a name computed from the whole run
        (:class:`~interfaces.base.naming.Namer`; Boutiques path-templates);
        a relative path is in the run's working directory, None means not
        produced.
    ``modified_input``
        the (copied) input that the tool modified in place.
    ``from_stdout``
        a regular expression on the tool's standard output; its first group
        (or whole match) is the value, converted to the trait's type.
    ``reader``
        the value is ``reader(path)`` of the file found, not the path.
    ``discovered``
        found by the interface's own
        :meth:`~interfaces.base.Interface.discover_outputs` (SPM).

    ``also``
        another name the output is read under (nipype's, where it names the
        output otherwise: SUSAN's ``smoothed_file`` is ``out_file``).

    Image traits are returned as imagecache images, file traits as paths.
    An output not produced is Undefined, whatever its type (not ``0.0``).
    """

    @classmethod
    def aliases(cls) -> dict:
        """``{other name: output}`` from the outputs' ``also``."""
        cached = cls.__dict__.get("_aliases_cache")
        if cached is None:
            cached = {}
            for name, ctrait in cls.spec_traits().items():
                for other in as_list(ctrait.also):
                    cached[other] = name
            type.__setattr__(cls, "_aliases_cache", cached)
        return cached

    def __getattr__(self, name):
        # only for names that are not outputs: nipype's name of an output
        target = type(self).aliases().get(name)
        if target is None:
            raise AttributeError(
                f"{type(self).__name__!s} has no output {name!r}; its outputs are "
                f"{', '.join(self.names())}")
        return getattr(self, target)

    def __init__(self, **values):
        super().__init__()
        # Undefined until produced: a Float output must not read 0.0 when the
        # tool printed nothing.
        self.trait_set(trait_change_notify=False, **{n: Undefined for n in self.names()})
        self.trait_set(**values)

    def __repr__(self) -> str:
        """The outputs produced, e.g. ``outputs(out_file=<image a_brain.nii.gz
        (91, 109, 91)>, mask_file=...)``; those not produced are left out."""
        shown = [f"{n}={_output_repr(getattr(self, n))}" for n in self.names()
                 if getattr(self, n) is not Undefined]
        return f"outputs({', '.join(shown)})"
