"""Sphinx extension: the tool reference, generated from the interfaces' specs at build time.

``.. imageshell-family:: NAME`` writes one section per registered interface of
family ``NAME`` (:func:`interfaces.base.registry.all_interfaces`): its one-line
summary, the command, every input (type, default, command-line flag,
description, exclusive and required-with groups), every output and when it is
produced, and whether the tool modifies an input.  Each section's anchor is the
interface's full name (``mrtrix3.mrthreshold`` -> ``#mrtrix3-mrthreshold``).

A registered family with no page is a build warning (so ``-W`` fails), and so
is a page naming an unknown family: the reference cannot fall behind the
registry.  Nothing is written to the source tree.
"""

from __future__ import annotations

import inspect
import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)


def _interfaces() -> dict[str, type]:
    from interfaces.base.registry import all_interfaces

    return all_interfaces()


def _summary(interface) -> str:
    """The first paragraph of the class's own docstring (not the generated part)."""
    doc = interface.__dict__.get("__doc__") or inspect.getdoc(interface) or ""
    first = inspect.cleandoc(doc).split("\n\n")[0]
    return " ".join(first.split()) or f"Run ``{interface.executable}``."


def _command(interface) -> str:
    return " ".join((interface.executable, *interface.subcommand))


def _literal(text: str) -> str:
    """``text`` as inline literal RST (backquotes cannot occur inside one)."""
    return "``" + text.replace("`", "'") + "``"


def _indent(text: str, by: str = "   ") -> list[str]:
    return [by + line if line else "" for line in _escape(text).splitlines()]


# Literals and roles are RST on purpose; around them a description is plain text.
_MARKUP = re.compile(r"(``.+?``|:[a-z:]+:`[^`]+`)")
_PLAIN_SPECIALS = re.compile(r"([*|\\]|(?<=\w)_(?!\w))")


def _escape(text: str) -> str:
    """``text`` with ``*``, ``|``, ``\\`` and a word-final ``_`` (RST markup in
    plain words, e.g. SPM's ``y_`` files) escaped, outside literals and roles."""
    parts = _MARKUP.split(text)
    return "".join(part if i % 2 else _PLAIN_SPECIALS.sub(r"\\\1", part)
                   for i, part in enumerate(parts))


def _when_produced(interface, name: str, ctrait) -> str:
    """When output ``name`` is produced, in words (beyond what
    :func:`~interfaces.base.help.output_entries` says: an output's own
    ``requires``, stdout, the modified input)."""
    from interfaces.base.specs import AnyOf, as_list, is_output_trait

    argument = interface.Inputs.spec_traits().get(name)
    conditions = []
    if argument is not None and is_output_trait(argument):
        if argument.generate:
            conditions.append(("" if ctrait.optional else "always ")
                              + f"at the path given to ``{name}``, else at its default name")
        else:
            conditions.append(f"when ``{name}`` is given (a path, or True for its default name)")
        if argument.requires:
            names = ", ".join(f"``{n}``" for n in as_list(argument.requires))
            conditions.append(("and one of " if isinstance(argument.requires, AnyOf)
                               else "and ") + names + " set")
    if ctrait.discovered:
        conditions.append("found after the run among the files the tool wrote")
    if ctrait.optional:
        conditions.append("only if the tool writes it (else Undefined)")
    if not conditions and not (ctrait.requires or ctrait.from_stdout):
        conditions.append("always")
    if not conditions:
        return ""
    text = ", ".join(conditions)
    return text[0].upper() + text[1:] + "."


def _modified(ctrait) -> bool:
    """Whether the tool changes this image input (or the images of this list)
    in place, so that it is handed a private copy."""
    from interfaces.base.specs import is_output_trait, trait_kind

    if is_output_trait(ctrait):
        return False
    elements = [ctrait] + [inner for inner in (ctrait.inner_traits or ())]
    return any(trait_kind(e) == "image" and e.copy for e in elements)


def _groups(interface) -> list[str]:
    """The spec's groups over several inputs, as sentences."""
    from interfaces.base.specs import AnyOf, Exclusive

    out = []
    for group in interface.Inputs.groups:
        names = ", ".join(f"``{n}``" for n in group)
        if isinstance(group, Exclusive):
            out.append(("Exactly one of " if group.required else "At most one of ") + names + ".")
        elif isinstance(group, AnyOf):
            out.append("At least one of " + names + ".")
    return out


def interface_rst(full_name: str, interface) -> list[str]:
    """The RST section of one interface."""
    from interfaces.base.help import input_entries, output_entries

    title = full_name
    lines = [f".. _ref-{full_name}:", "", title, "-" * len(title), "",
             _escape(_summary(interface)), "",
             f"| Command: {_literal(_command(interface))}",
             f"| Python: ``from interfaces.{interface.family.name} import "
             f"{interface.__name__}``",
             f"| Shell: ``imageshell run {full_name} name=value ...``"]
    copies = [n for n, t in interface.Inputs.spec_traits().items() if _modified(t)]
    lines.append("| Modifies its input: " + (
        "yes, " + ", ".join(f"``{n}``" for n in copies)
        + " (the tool gets a private copy; your file is left as it was)" if copies else "no"))
    hint = getattr(interface.family, "package_hint", None)
    if hint:
        lines.append("| Installing it: " + _escape(hint))
    lines.append("")
    lines += ["Inputs", "~" * 6, ""]
    entries = input_entries(interface)
    if not entries:
        lines += ["None.", ""]
    for name, kind, desc in entries:
        lines.append(f"``{name}`` ({_escape(kind)})")
        lines += _indent(desc or "-")
        lines.append("")
    groups = _groups(interface)
    if groups:
        lines += ["Groups of inputs:", ""] + [f"- {g}" for g in groups] + [""]
    lines += ["Outputs", "~" * 7, ""]
    outputs = interface.output_spec().spec_traits()
    outs = output_entries(interface)
    if not outs:
        lines += ["None (the tool's effect is its exit status and output).", ""]
    for name, kind, desc in outs:
        lines.append(f"``{name}`` ({_escape(kind)})")
        lines += _indent(" ".join(x for x in (desc, _when_produced(interface, name,
                                                                  outputs[name])) if x))
        lines.append("")
    return lines


class FamilyReference(SphinxDirective):
    """``.. imageshell-family:: NAME``: every interface of family NAME."""

    required_arguments = 1
    has_content = False

    def run(self):
        family = self.arguments[0]
        members = {n: c for n, c in _interfaces().items() if c.family.name == family}
        documented = self.env.domaindata.setdefault("imageshell_reference", {})
        documented[family] = self.env.docname
        if not members:
            logger.warning("imageshell-family: no registered interface in family %r",
                           family, location=self.get_location())
            return []
        lines = []
        for full_name, interface in members.items():
            lines += interface_rst(full_name, interface)
        container = nodes.container()
        nested_parse_with_titles(self.state, StringList(lines, source=f"<{family} reference>"),
                                 container)
        return container.children


def _check_every_family(app, env):
    """Warn about each registered family that no page documents."""
    documented = env.domaindata.get("imageshell_reference", {})
    for family in sorted({c.family.name for c in _interfaces().values()}):
        if family not in documented:
            logger.warning("imageshell reference: family %r has no page; add one with "
                           "'.. imageshell-family:: %s' under docs/reference/", family, family)


def _purge(app, env, docname):
    documented = env.domaindata.get("imageshell_reference", {})
    for family in [f for f, d in documented.items() if d == docname]:
        del documented[family]


def setup(app):
    app.add_directive("imageshell-family", FamilyReference)
    app.connect("env-check-consistency", _check_every_family)
    app.connect("env-purge-doc", _purge)
    return {"version": "1", "parallel_read_safe": False, "env_version": 1}
