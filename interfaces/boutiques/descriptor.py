"""Reading a Boutiques descriptor and checking that we can honour it.

Accepts stock schema 0.5 and the relaxed dialect niwrap writes (Flags
without ``optional``, an output sharing its id with the input that names it,
no ``tool-version``).  Anything we cannot honour raises
:class:`DescriptorError` naming the field, e.g. ``inputs[config].type``.
"""

from __future__ import annotations

import copy
import json
import keyword
import os
import re
import shlex

from ..base import InterfaceError

__all__ = ["DescriptorError", "read", "Plan", "IMAGE_EXTENSIONS"]

#: Extensions of the image files nibabel reads: outputs named so come back as images.
IMAGE_EXTENSIONS = (".nii", ".nii.gz", ".mgz", ".mgh", ".mnc", ".img", ".hdr", ".img.gz")

#: Options of ``Interface.run()``: inputs with these ids get a trailing ``_``.
_RESERVED = frozenset({"timeout", "check", "stream", "workdir"})

#: Fields with nothing to honour when running on this machine without a shell
#: or a container: kept for the record, not used.
_IGNORED_TOP = {
    "author", "url", "descriptor-url", "doi", "tool-doi", "deprecated-by-doi", "tags",
    "online-platform-urls", "tests", "invocation-schema", "suggested-resources",
    "error-codes", "container-image", "shell", "schema-version", "custom",
}
_TOP = _IGNORED_TOP | {
    "name", "tool-version", "description", "command-line", "inputs", "output-files",
    "groups", "environment-variables",
}
_INPUT_FIELDS = {
    "id", "name", "type", "description", "value-key", "list", "list-separator", "optional",
    "command-line-flag", "requires-inputs", "disables-inputs", "command-line-flag-separator",
    "default-value", "value-choices", "value-requires", "value-disables", "integer",
    "minimum", "maximum", "exclusive-minimum", "exclusive-maximum", "min-list-entries",
    "max-list-entries", "uses-absolute-path",
}
_OUTPUT_FIELDS = {
    "id", "name", "description", "value-key", "path-template", "conditional-path-template",
    "path-template-stripped-extensions", "list", "optional", "command-line-flag",
    "command-line-flag-separator", "uses-absolute-path", "file-template",
}
_GROUP_FIELDS = {"id", "name", "description", "members", "mutually-exclusive",
                 "one-is-required", "all-or-none"}
_TYPES = ("String", "File", "Flag", "Number")


class DescriptorError(InterfaceError, ValueError):
    """A descriptor that cannot be read, or asks for something imageshell
    cannot honour; the message names the field."""


def read(descriptor) -> tuple[dict, str]:
    """``(descriptor dict, where it came from)`` from a path, a JSON text or
    a dict (copied)."""
    if isinstance(descriptor, dict):
        return copy.deepcopy(descriptor), "<dict>"
    if isinstance(descriptor, (str, os.PathLike)):
        text = os.fspath(descriptor)
        if text.lstrip().startswith("{"):
            where, source = "<JSON text>", text
        else:
            where = text
            try:
                with open(text, encoding="utf-8") as f:
                    source = f.read()
            except OSError as error:
                raise DescriptorError(
                    f"cannot read the Boutiques descriptor {text!r}: {error.strerror}. "
                    f"Pass the path of a descriptor, its JSON text or a dict."
                ) from None
        try:
            data = json.loads(source)
        except json.JSONDecodeError as error:
            raise DescriptorError(
                f"{where} is not valid JSON ({error}). Check the descriptor."
            ) from None
        if not isinstance(data, dict):
            raise DescriptorError(f"{where}: a descriptor is a JSON object, not {type(data).__name__}.")
        return data, where
    raise DescriptorError(
        f"a descriptor is a path, a JSON text or a dict, not {type(descriptor).__name__}."
    )


def python_name(ident: str) -> str:
    """The input or output name for a Boutiques id (a Python identifier that
    is not an option of ``run()``)."""
    name = ident
    if name[0].isdigit():
        name = "v_" + name
    elif name.startswith("_"):
        name = "v" + name  # names starting with "_" are hidden by the specs
    if name in _RESERVED or keyword.iskeyword(name):
        name += "_"
    return name


class Plan:
    """What a descriptor says, checked: the inputs, outputs and groups by id,
    the command-line template, the executable, the environment.

    Parameters
    ----------
    desc : dict
        The descriptor (not modified).
    where : str
        Its origin, for messages.
    drop : iterable of str
        Ids of optional inputs to leave out (those we cannot honour).
    """

    def __init__(self, desc: dict, where: str, drop=()):
        self.where = where
        self.desc = desc
        name = desc.get("name")
        self.label = f"Boutiques descriptor {name!r} ({where})" if name else f"Boutiques descriptor {where}"
        self._check_top()
        self.name = name
        self.tool_version = desc.get("tool-version")
        self.description = desc.get("description", "")
        self.custom = ((desc.get("custom") or {}).get("imageshell")) or {}
        drop = set(drop)
        self.dropped_keys: set[str] = set()
        self.inputs: dict[str, dict] = {}
        for i, item in enumerate(self._list("inputs")):
            ident = self._id(item, f"inputs[{i}]")
            if ident in drop:
                if not item.get("optional", item.get("type") == "Flag"):
                    raise self.error(f"inputs[{ident}]", "is not optional and cannot be dropped")
                if item.get("value-key"):
                    self.dropped_keys.add(item["value-key"])
                continue
            self.inputs[ident] = self._check_input(ident, item)
        unknown = drop - set(self.inputs) - {i.get("id") for i in self._list("inputs")}
        if unknown:
            raise self.error("drop", f"names no input: {sorted(unknown)}")
        self.outputs: dict[str, dict] = {}
        for i, item in enumerate(self._list("output-files")):
            ident = self._id(item, f"output-files[{i}]")
            self.outputs[ident] = self._check_output(ident, item)
        self.groups = [self._check_group(i, g) for i, g in enumerate(self._list("groups"))]
        self.environ = self._check_environ()
        self.names = {ident: python_name(ident) for ident in self.inputs}
        self.out_names = {}
        for ident, out in self.outputs.items():
            shared = ident in self.inputs
            if shared and "value-key" in out:
                raise self.error(
                    f"output-files[{ident}].value-key",
                    "is on the command line, but the id is also an input's: only one of "
                    "them can be named there",
                )
            # custom.imageshell names an output exported under another id
            # (Boutiques ids are unique; ours may be shared with an input).
            alias = self.custom.get("outputs", {}).get(ident, {}).get("name")
            self.out_names[ident] = python_name(alias or ident)
        shared = set(self.names.values())
        taken = {}
        for ident, pyname in list(self.names.items()) + [
            (i, n) for i, n in self.out_names.items()
            if i not in self.inputs and not (n in shared and "value-key" not in self.outputs[i])
        ]:
            if pyname in taken and taken[pyname] != ident:
                raise self.error(f"id {ident!r}", f"clashes with id {taken[pyname]!r} as {pyname!r}")
            taken[pyname] = ident
        self.keys = self._value_keys()
        self.command_line = desc["command-line"]
        self.executable = self._check_command_line()

    # -- messages ------------------------------------------------------------

    def error(self, field: str, problem: str) -> DescriptorError:
        return DescriptorError(
            f"{self.label}: field {field} {problem}. imageshell cannot honour it; "
            f"fix the descriptor"
            + (" (or pass drop=[...] for an optional input)" if field.startswith("inputs[") else "")
            + "."
        )

    # -- checks --------------------------------------------------------------

    def _check_top(self):
        desc = self.desc
        for field in ("name", "command-line"):
            if not isinstance(desc.get(field), str) or not desc.get(field):
                raise self.error(field, "is missing or not a non-empty string")
        extra = sorted(set(desc) - _TOP)
        if extra:
            raise self.error(extra[0], "is not a field of Boutiques schema 0.5")

    def _list(self, field):
        items = self.desc.get(field) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise self.error(field, "is not a list of objects")
        return items

    def _id(self, item, where):
        ident = item.get("id")
        if not isinstance(ident, str) or not re.fullmatch(r"[0-9_a-zA-Z]+", ident):
            raise self.error(f"{where}.id", f"({ident!r}) is not made of letters, digits and _")
        return ident

    def _check_input(self, ident, item):
        where = f"inputs[{ident}]"
        extra = sorted(set(item) - _INPUT_FIELDS)
        if extra:
            raise self.error(f"{where}.{extra[0]}", "is not a field of a Boutiques input")
        kind = item.get("type")
        if kind not in _TYPES:
            what = "a sub-command object" if isinstance(kind, (dict, list)) else repr(kind)
            raise self.error(f"{where}.type", f"is {what}, not one of {', '.join(_TYPES)}")
        if ident in self.inputs:
            raise self.error(where, "repeats an input id")
        if kind == "Flag":
            if item.get("list"):
                raise self.error(f"{where}.list", "is true for a Flag")
            if not item.get("command-line-flag"):
                raise self.error(f"{where}.command-line-flag", "is missing for a Flag")
        else:
            for field in ("integer", "minimum", "maximum", "exclusive-minimum", "exclusive-maximum"):
                if field in item and kind != "Number":
                    raise self.error(f"{where}.{field}", f"is given for a {kind}")
        if "value-key" in item and not isinstance(item["value-key"], str):
            raise self.error(f"{where}.value-key", "is not a string")
        for field in ("value-choices", "requires-inputs", "disables-inputs"):
            if field in item and not isinstance(item[field], list):
                raise self.error(f"{where}.{field}", "is not a list")
        for field in ("value-requires", "value-disables"):
            value = item.get(field)
            if value is None:
                continue
            if not isinstance(value, dict):
                raise self.error(f"{where}.{field}", "is not an object")
            choices = [str(c) for c in item.get("value-choices") or []]
            bad = [k for k in value if k not in choices]
            if bad:
                raise self.error(f"{where}.{field}", f"names {bad[0]!r}, which is not a value-choice")
        out = dict(item)
        # niwrap dialect: a Flag is always optional; stock: optional defaults to false.
        out["optional"] = True if kind == "Flag" else bool(item.get("optional", False))
        return out

    def _check_output(self, ident, item):
        where = f"output-files[{ident}]"
        extra = sorted(set(item) - _OUTPUT_FIELDS)
        if extra:
            raise self.error(f"{where}.{extra[0]}", "is not a field of a Boutiques output")
        if ident in self.outputs:
            raise self.error(where, "repeats an output id")
        has_path = "path-template" in item
        has_cond = "conditional-path-template" in item
        if has_path == has_cond:
            raise self.error(where, "needs exactly one of path-template and conditional-path-template")
        if has_cond:
            cond = item["conditional-path-template"]
            if not isinstance(cond, list) or not all(
                isinstance(c, dict) and len(c) == 1 for c in cond
            ):
                raise self.error(f"{where}.conditional-path-template",
                                 "is not a list of one-entry objects")
        if item.get("list"):
            templates = self.templates(item)
            if any("*" not in t for t in templates):
                raise self.error(f"{where}.path-template",
                                 "has no '*' for a list output (the files are found by glob)")
            if "value-key" in item:
                raise self.error(f"{where}.value-key", "is set for a list output")
        if "file-template" in item:
            if "value-key" not in item:
                raise self.error(f"{where}.file-template",
                                 "is set for an output not named on the command line (no value-key)")
            if not isinstance(item["file-template"], list):
                raise self.error(f"{where}.file-template", "is not a list of lines")
        return dict(item)

    @staticmethod
    def templates(item) -> list[str]:
        """Every path template of an output."""
        if "path-template" in item:
            return [item["path-template"]]
        return [next(iter(c.values())) for c in item["conditional-path-template"]]

    def _check_group(self, index, group):
        ident = group.get("id", str(index))
        where = f"groups[{ident}]"
        extra = sorted(set(group) - _GROUP_FIELDS)
        if extra:
            raise self.error(f"{where}.{extra[0]}", "is not a field of a Boutiques group")
        members = group.get("members")
        if not isinstance(members, list):
            raise self.error(f"{where}.members", "is not a list")
        return dict(group)

    def _check_environ(self) -> dict:
        env = {}
        keys = {i.get("value-key") for i in self.inputs.values() if i.get("value-key")}
        for i, var in enumerate(self._list("environment-variables")):
            name, value = var.get("name"), var.get("value")
            where = f"environment-variables[{name or i}]"
            if not isinstance(name, str) or not isinstance(value, str):
                raise self.error(where, "needs a string name and value")
            if value in keys:
                raise self.error(f"{where}.value",
                                 f"takes its value from input {value}; only fixed values are supported")
            env[name] = value
        return env

    def _value_keys(self) -> dict[str, tuple[str, str]]:
        """``{value-key: ("input" or "output", id)}``."""
        keys = {}
        for kind, items in (("input", self.inputs), ("output", self.outputs)):
            for ident, item in items.items():
                key = item.get("value-key")
                if key:
                    if key in keys:
                        raise self.error(f"{kind}s[{ident}].value-key",
                                         f"({key!r}) is also the value-key of {keys[key][1]!r}")
                    keys[key] = (kind, ident)
        for key in self.dropped_keys:  # left out: always empty
            keys.setdefault(key, ("dropped", key))
        # Every reference to another input must name one.
        for ident, item in self.inputs.items():
            for field in ("requires-inputs", "disables-inputs"):
                for other in item.get(field) or []:
                    if other not in self.inputs:
                        raise self.error(f"inputs[{ident}].{field}", f"names {other!r}, which is not an input")
            for field in ("value-requires", "value-disables"):
                for others in (item.get(field) or {}).values():
                    for other in others:
                        if other not in self.inputs:
                            raise self.error(f"inputs[{ident}].{field}",
                                             f"names {other!r}, which is not an input")
        for group in self.groups:
            for member in group["members"]:
                if member not in self.inputs:
                    raise self.error(f"groups[{group.get('id')}].members",
                                     f"names {member!r}, which is not an input")
        return keys

    def _check_command_line(self) -> str:
        """The executable; refuses shell syntax (we run without a shell)."""
        line = self.command_line
        for char in ("$", "`"):
            if char in line:
                raise self.error("command-line", f"uses {char!r}, which only a shell expands")
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        try:
            tokens = list(lexer)
        except ValueError as error:
            raise self.error("command-line", f"cannot be split into words ({error})") from None
        for token in tokens:
            if token and set(token) <= set("();<>|&"):
                raise self.error("command-line",
                                 f"uses the shell operator {token!r} (imageshell runs tools "
                                 f"without a shell)")
        if not tokens:
            raise self.error("command-line", "is empty")
        first = tokens[0]
        if any(key in first for key in self.keys):
            raise self.error("command-line", "does not start with the program's name")
        return first
