"""Help text and numpydoc docstrings, generated from an interface's specs.

The same description serves ``imageshell help NAME``, ``help(tool)`` and the
Sphinx API reference (the class docstring is extended at class creation).
"""

from __future__ import annotations

import inspect
import re

from .specs import AnyOf, as_list, is_output_trait, requirement_text, trait_kind

__all__ = ["type_text", "input_entries", "output_entries", "docstring", "help_text"]

_PLAIN = {
    "Bool": "bool", "CBool": "bool", "Int": "int", "CInt": "int", "Float": "float",
    "CFloat": "float", "Str": "str", "String": "str", "Unicode": "str", "Tuple": "tuple",
    "Image": "image or path", "File": "path", "Directory": "path",
    "OutputFile": "path or True", "OutputImage": "path or True",
    "OutputDirectory": "path or True", "OutputPrefix": "path prefix or True",
    "ImageOrValue": "image, path, number or operator",
}


def type_text(trait_type) -> str:
    """Short type description, e.g. ``"list of image or path"``."""
    cls = type(trait_type).__name__
    if cls in _PLAIN:
        return _PLAIN[cls]
    if cls == "Enum":
        values = getattr(trait_type, "values", None) or ()
        return "{" + ", ".join(repr(v) for v in values) + "}"
    if cls == "List":
        inner = trait_type.inner_traits()
        return "list of " + (type_text(inner[0].trait_type) if inner else "values")
    if cls == "Dict":
        inner = trait_type.inner_traits()
        return "dict of " + (type_text(inner[-1].trait_type) if inner else "values")
    if cls == "Union":  # each branch once: "path, image, list of path or image"
        parts = []
        for inner in trait_type.inner_traits():
            text = type_text(inner.trait_type)
            for part in [text] if text.startswith("list of") else text.split(" or "):
                if part not in parts:
                    parts.append(part)
        if len(parts) < 3:
            return " or ".join(parts)
        return ", ".join(parts[:-1]) + ", or " + parts[-1]
    # a trait may say it (Boutiques sub-commands), else a name a user knows
    return getattr(trait_type, "help_type", None) or _INTERNAL.get(cls, cls.lower())


#: Trait types whose class name means nothing to a user.
_INTERNAL = {"TraitCompound": "value", "Either": "value", "Any": "value", "Instance": "object",
             "Array": "array", "Dict": "dict"}


def _command_part(ctrait) -> str:
    bits = []
    if ctrait.argstr is not None or ctrait.position is not None:
        bits.append(f"``{ctrait.argstr or '%s'}``")
    if ctrait.position is not None:
        bits.append(f"at position {ctrait.position}")
    return " ".join(bits)


def input_entries(interface) -> list[tuple[str, str, str]]:
    """``(name, type line, description)`` for each input."""
    out = []
    for name, ctrait in interface.Inputs.spec_traits().items():
        kind = type_text(ctrait.trait_type)
        flags = []
        if ctrait.mandatory:
            flags.append("mandatory")
        elif is_output_trait(ctrait):
            flags.append("optional output")
        else:
            flags.append("optional")
        if ctrait.usedefault:
            flags.append(f"default {ctrait.default!r}")
        lines = [_sentence(ctrait.desc)]
        cmd = _command_part(ctrait)
        if cmd:
            lines.append(f"Command line: {cmd}.")
        if ctrait.xor:
            lines.append("Excludes: " + ", ".join(as_list(ctrait.xor)) + ".")
        if ctrait.requires:
            one = " one of" if isinstance(ctrait.requires, AnyOf) else ""
            lines.append(f"Requires{one}: " + ", ".join(as_list(ctrait.requires)) + ".")
        if ctrait.name_template:
            src = ", ".join(as_list(ctrait.name_source)) if ctrait.name_source else None
            default = f"``{ctrait.name_template}``" + (f" from {src}" if src else "")
            if not isinstance(ctrait.generate, bool):  # produced when these are set
                word = " or " if isinstance(ctrait.generate, AnyOf) else " and "
                lines.append(f"Default name: {default}, when "
                             f"{word.join(as_list(ctrait.generate))} is set.")
            elif not ctrait.generate:
                lines.append(f"Written when given (True: named {default}).")
            else:
                lines.append(f"Default name: {default}.")
        if trait_kind(ctrait) == "image" and not is_output_trait(ctrait):
            formats = ctrait.formats or interface.family.image_formats
            if formats:
                lines.append("Formats: " + ", ".join(formats) + ".")
            if ctrait.copy:
                lines.append("Modified in place by the tool: a private copy is passed.")
        if ctrait.min_ver or ctrait.max_ver:
            lines.append(
                "Tool version: "
                + " and ".join(
                    t for t in (
                        f">= {ctrait.min_ver}" if ctrait.min_ver else "",
                        f"<= {ctrait.max_ver}" if ctrait.max_ver else "",
                    ) if t
                )
                + "."
            )
        out.append((name, f"{kind}, {', '.join(flags)}", " ".join(x for x in lines if x)))
    return out


def output_entries(interface) -> list[tuple[str, str, str]]:
    """``(name, type, description)`` for each output."""
    out = []
    for name, ctrait in interface.output_spec().spec_traits().items():
        kind = trait_kind(ctrait)
        shown = {"image": "imagecache image", "file": "str (path)",
                 "directory": "str (path)"}.get(kind, type_text(ctrait.trait_type))
        extra = []
        if ctrait.requires:
            extra.append(requirement_text(ctrait.requires))
        if ctrait.from_stdout:
            extra.append(f"Parsed from stdout with ``{ctrait.from_stdout}``.")
        if ctrait.modified_input:
            extra.append(f"The copy of input {ctrait.modified_input} after the tool changed it.")
        if ctrait.also:
            extra.append("Also read as " + " and ".join(
                f"``{n}``" for n in as_list(ctrait.also)) + ".")
        out.append((name, shown, " ".join([_sentence(ctrait.desc)] + extra).strip()))
    return out


def _sentence(text) -> str:
    """``desc`` as a sentence: capitalised, ending with a full stop."""
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _wrap(text: str, indent: str, width: int = 79) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent) or [indent]


def docstring(interface, summary: str | None) -> str:
    """The class docstring: ``summary`` plus Parameters and outputs sections
    (numpydoc)."""
    head = inspect.cleandoc(summary) if summary else f"Run ``{interface.executable}``."
    command = " ".join((interface.executable, *interface.subcommand))
    lines = [head, "", f"Wraps the ``{command}`` command "
             f"(family ``{interface.family.name}``).  Inputs can be given to the "
             "constructor or to :meth:`run`.", ""]
    entries = input_entries(interface)
    if entries:
        lines += ["Parameters", "----------"]
        for name, kind, desc in entries:
            lines.append(f"{name} : {kind}")
            lines += _wrap(desc, "    ")
        lines.append("")
    outs = output_entries(interface)
    if outs:
        lines += ["Notes", "-----", "Outputs, attributes of ``run(...).outputs``:", ""]
        for name, kind, desc in outs:
            lines.append(f"``{name}`` ({kind})")
            lines += _wrap(desc or "-", "    ")
        lines.append("")
    return "\n".join(lines)


_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")


def plain_text(text: str) -> str:
    """RST markup made plain for a terminal: ````x```` -> ``x``,
    ``:class:`~a.b.C``` -> ``C``."""
    text = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1], text)
    return text.replace("``", "")


def help_text(interface) -> str:
    """Plain-text help for ``imageshell help NAME`` (no RST markup)."""
    path = interface.executable_path()
    found = path if path else "NOT FOUND: " + interface.family.missing_message(interface.executable)
    summary = plain_text((inspect.getdoc(interface) or "").split("\n\n")[0])
    lines = [f"{interface.full_name()} - {summary}", "",
             f"executable: {found}", "", "Inputs (imageshell run "
             f"{interface.full_name()} name=value ...):"]
    for name, kind, desc in input_entries(interface):
        lines.append(f"  {name} ({plain_text(kind)})")
        lines += _wrap(plain_text(desc), "      ")
    lines += ["", "Outputs:"]
    for name, kind, desc in output_entries(interface):
        lines.append(f"  {name} ({plain_text(kind)})")
        if desc:
            lines += _wrap(plain_text(desc), "      ")
    return "\n".join(lines)
