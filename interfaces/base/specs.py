"""Input and output specs: traits classes whose metadata describe a tool.

An :class:`InputSpec` holds the values of one run and checks them against the
spec (types on assignment; ``mandatory``, ``xor``, ``requires`` before
running).  An :class:`OutputSpec` declares what a run produces beyond the
``Output*`` arguments of the input spec, which are outputs by themselves.
"""

from __future__ import annotations

from traits.api import HasTraits, TraitError, Undefined

from .errors import InputError, InputTypeError
from .traits_ import is_set

__all__ = ["InputSpec", "OutputSpec", "trait_kind", "is_output_trait", "element_trait",
           "as_list"]


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
    if getattr(inner, "trait_type", None) is None or trait_kind(inner) is None:
        return None
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
    :mod:`interfaces.base.traits_` for the metadata).  Instances hold the
    values of one run; unset inputs are :data:`~traits.api.Undefined`.

    Parameters
    ----------
    _interface : str, optional
        Name used in error messages.
    **values
        Input values; each is type-checked on assignment.
    """

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
        """Assign several inputs, raising :class:`InputError` on unknown names
        and :class:`InputTypeError` on values of the wrong type.  A list input
        declared ``one_or_more`` takes a single item as a list of one."""
        traits = self.spec_traits()
        for name, value in values.items():
            if name not in traits:
                raise InputError(
                    f"{self._interface_name} has no input {name!r}; its inputs are: "
                    f"{', '.join(traits)}. Check the spelling "
                    f"(`imageshell help {self._interface_name}` lists them)."
                )
            if traits[name].one_or_more and not isinstance(value, (list, tuple)):
                value = [value]  # nipype's InputMultiPath: one item stands for a list
            try:
                setattr(self, name, value)
            except TraitError:
                ctrait = traits[name]
                raise InputTypeError(
                    f"{self._interface_name}: input {name!r} must be "
                    f"{ctrait.trait_type.full_info(self, name, value)}, "
                    f"but got {value!r} ({type(value).__name__}). "
                    f"Pass a value of that type."
                ) from None

    def given(self) -> dict:
        """``{name: value}`` of the inputs that are set (``False`` included)."""
        out = {}
        for name in self.names():
            value = getattr(self, name)
            if value is not Undefined:
                out[name] = value
        return out

    def check(self) -> None:
        """Check ``mandatory``, ``xor`` and ``requires``; raise
        :class:`InputError` naming the inputs and what to pass."""
        who = self._interface_name
        traits = self.spec_traits()
        for name, ctrait in traits.items():
            value = getattr(self, name)
            xor = [n for n in as_list(ctrait.xor) if n != name]
            if ctrait.mandatory and not is_set(value):
                if any(is_set(getattr(self, n)) for n in xor):
                    continue
                either = f" (or one of {', '.join(xor)})" if xor else ""
                desc = f": {ctrait.desc}" if ctrait.desc else ""
                raise InputError(
                    f"{who}: input {name!r} is mandatory{desc}. "
                    f"Pass {name}=...{either}."
                )
            if not is_set(value):
                continue
            clash = [n for n in xor if is_set(getattr(self, n))]
            if clash:
                raise InputError(
                    f"{who}: inputs {name!r} and {clash[0]!r} are mutually exclusive "
                    f"(xor). Pass only one of them."
                )
            for needed in as_list(ctrait.requires):
                if needed not in traits:
                    raise InputError(
                        f"{who}: the spec of input {name!r} requires {needed!r}, "
                        f"which is not an input: fix the interface's declaration."
                    )
                # As nipype: a required input given as False counts as given
                # (eddy's outlier_sqr=True with repol=False passes --ol_sqr).
                needed_value = getattr(self, needed)
                if needed_value is Undefined or needed_value is None:
                    raise InputError(
                        f"{who}: input {name!r} requires input {needed!r}, which is "
                        f"not set. Pass {needed}=... as well, or leave {name!r} unset."
                    )


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

    Image traits are returned as imagecache images, file traits as paths.
    An output not produced is Undefined, whatever its type (not ``0.0``).
    """

    def __init__(self, **values):
        super().__init__()
        # Undefined until produced: a Float output must not read 0.0 when the
        # tool printed nothing.
        self.trait_set(trait_change_notify=False, **{n: Undefined for n in self.names()})
        self.trait_set(**values)
