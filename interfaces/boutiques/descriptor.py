"""Reading a Boutiques descriptor and checking that we can honour it.

Accepts stock schema 0.5 (and the 0.4 fields still found in the wild) and
the dialect niwrap writes (Flags without ``optional``, an output sharing its
id with the input that names it, no ``tool-version``, sub-command input
types, ``stdout-output``, ``resolve-parent``, ``mutable``).  Anything we
cannot honour raises :class:`DescriptorError` naming the field, e.g.
``inputs[config].type``.
"""

from __future__ import annotations

import copy
import json
import keyword
import os
import re
import shlex

from ..base import InterfaceError
from .template import KeyFiller

__all__ = ["DescriptorError", "read", "Plan", "IMAGE_EXTENSIONS"]

#: Extensions of the image files nibabel reads: outputs named so come back as images.
IMAGE_EXTENSIONS = (".nii", ".nii.gz", ".mgz", ".mgh", ".mnc", ".img", ".hdr", ".img.gz")

#: Characters a POSIX shell treats as syntax in a command line.
SHELL_OPERATORS = set("();<>|&")
_SHELL_CHARS = SHELL_OPERATORS | set("$`'\"\\")

#: Fields with nothing to honour when running on this machine without a shell
#: or a container: kept for the record, not used.
_IGNORED_TOP = {
    "author", "url", "descriptor-url", "doi", "tool-doi", "deprecated-by-doi", "tags",
    "online-platform-urls", "tests", "invocation-schema", "suggested-resources",
    "error-codes", "container-image", "shell", "schema-version", "custom",
    "walltime-estimate",  # schema 0.4, now in suggested-resources
}
_TOP = _IGNORED_TOP | {
    "name", "tool-version", "description", "command-line", "inputs", "output-files",
    "groups", "environment-variables",
    "stdout-output",  # niwrap: the tool's stdout as an output
}
#: The fields of a niwrap sub-command (an input's ``type`` object).
_SUB_FIELDS = {"id", "name", "description", "command-line", "inputs", "output-files", "groups"}
_INPUT_FIELDS = {
    "id", "name", "type", "description", "value-key", "list", "list-separator", "optional",
    "command-line-flag", "requires-inputs", "disables-inputs", "command-line-flag-separator",
    "default-value", "value-choices", "value-requires", "value-disables", "integer",
    "minimum", "maximum", "exclusive-minimum", "exclusive-maximum", "min-list-entries",
    "max-list-entries", "uses-absolute-path",
    "resolve-parent",  # niwrap: the tool also reads files beside this one
    "mutable",  # niwrap: the tool modifies the file: it gets a copy
    "media-types",  # niwrap: descriptive
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


def _reserved() -> frozenset:
    """Names an input or output cannot have: options of ``run()``, the
    parameters of the constructors, and attributes of the specs and traits
    (``update``, ``check``, ``trait_set``...)."""
    import inspect

    from ..base import Interface, InputSpec, OutputSpec

    names = {"self", "_interface"}
    names.update(inspect.signature(Interface.run).parameters)
    for cls in (InputSpec, OutputSpec):
        names.update(n for n in dir(cls) if not n.startswith("_"))
    return frozenset(names)


_RESERVED: frozenset | None = None


def python_name(ident: str) -> str:
    """The input or output name for a Boutiques id: the id itself, or ``v_``
    + id when the id is not usable as is (a Python keyword, a leading digit,
    a name the base uses such as ``update``, ``check`` or ``self``).

    A trailing ``_`` is no way out: traits reads ``name_`` as a prefix, so an
    id ending with ``_`` gets a trailing ``v``."""
    global _RESERVED
    if _RESERVED is None:
        _RESERVED = _reserved()
    name = ident
    if name.endswith("_"):
        name += "v"
    if name.startswith("_"):
        return "v" + name  # names starting with "_" are hidden by the specs
    if name[0].isdigit() or name in _RESERVED or keyword.iskeyword(name):
        return "v_" + name
    return name


class Plan:
    """What a descriptor says, checked: the inputs, outputs and groups by id,
    the command-line template, the executable, the environment.

    Parameters
    ----------
    desc : dict
        The descriptor (not modified), or a niwrap sub-command object.
    where : str
        Its origin, for messages.
    drop : iterable of str
        Ids of optional inputs to leave out.
    shell : bool
        Whether the command line may use shell syntax (it then runs through
        ``/bin/sh -c``).
    parent : Plan, optional
        The plan whose input has this sub-command as its type.
    field : str, optional
        Where the sub-command sits in the descriptor (for messages), e.g.
        ``inputs[metric].type[metric_gc]``.
    """

    def __init__(self, desc: dict, where: str, drop=(), shell=False, parent=None, field=""):
        self.where = where
        self.desc = desc
        self.parent = parent
        self.prefix = field + "." if field else ""
        self.shell = shell
        top = parent.desc if parent is not None else desc
        self.niwrap = parent.niwrap if parent is not None else \
            str(top.get("schema-version", "")).endswith("+styx")
        name = desc.get("name")
        if parent is not None:
            self.label = parent.label
        else:
            self.label = (f"Boutiques descriptor {name!r} ({where})" if name
                          else f"Boutiques descriptor {where}")
        self._check_top()
        self.name = name
        self.tool_version = desc.get("tool-version")
        self.description = desc.get("description", "")
        self.custom = ((desc.get("custom") or {}).get("imageshell")) or {}
        drop = set(drop)
        self.dropped_keys: set[str] = set()
        self.inputs: dict[str, dict] = {}
        #: ``{input id: {alternative id: Plan}}`` of the sub-command inputs.
        self.subs: dict[str, dict[str, "Plan"]] = {}
        for i, item in enumerate(self._list("inputs")):
            ident = self._id(item, f"inputs[{i}]")
            if ident in self.inputs and self.niwrap:
                # niwrap repeats an option listed under two headings (MRtrix3
                # dwi2fod's -norm_lambda); its code names the second id_2.
                ident = self._renamed(ident, self.inputs)
                item = {**item, "id": ident}
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
            checked = self._check_output(ident, item)
            if ident in self.outputs:
                # A repeated id (nipype's exports list an output argument and
                # the file found under one id): the one named on the command
                # line is the output; the other says the same file exists.
                if "value-key" in self.outputs[ident] or "value-key" not in checked:
                    continue
            self.outputs[ident] = checked
        self.groups = [self._check_group(i, g) for i, g in enumerate(self._list("groups"))]
        self.group_ids = {g["id"]: g for g in self.groups if isinstance(g.get("id"), str)}
        self.environ, self.environ_from = self._check_environ()
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
        self.stdout_outputs = self._check_stdout()
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
        self.filler = KeyFiller(self.keys)
        self.command_line = desc["command-line"]
        self.executable = self._check_command_line()

    # -- messages ------------------------------------------------------------

    def error(self, field: str, problem: str) -> DescriptorError:
        field = self.prefix + field
        return DescriptorError(
            f"{self.label}: field {field} {problem}. imageshell cannot honour it; "
            f"fix the descriptor"
            + (" (or pass drop=[...] for an optional input)" if field.startswith("inputs[") else "")
            + "."
        )

    # -- checks --------------------------------------------------------------

    def _check_top(self):
        desc = self.desc
        fields = ("command-line",) if self.parent is not None else ("name", "command-line")
        for field in fields:
            if not isinstance(desc.get(field), str) or not desc.get(field):
                raise self.error(field, "is missing or not a non-empty string")
        allowed = _SUB_FIELDS if self.parent is not None else _TOP
        extra = sorted(set(desc) - allowed)
        if extra:
            what = "a niwrap sub-command" if self.parent is not None else "Boutiques schema 0.5"
            raise self.error(extra[0], f"is not a field of {what}")

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

    @staticmethod
    def _renamed(ident, taken) -> str:
        """``ident_2`` (``_3``...): niwrap's name for a repeated id."""
        n = 2
        while f"{ident}_{n}" in taken:
            n += 1
        return f"{ident}_{n}"

    def _check_sub(self, ident, kind):
        """The plans of a sub-command type (one object, or a list of them:
        one of several alternatives, chosen by the value's ``"@type"``)."""
        where = f"inputs[{ident}].type"
        alternatives = kind if isinstance(kind, list) else [kind]
        if not alternatives or not all(isinstance(a, dict) for a in alternatives):
            raise self.error(where, "is not a sub-command object or a list of them")
        plans = {}
        for index, alt in enumerate(alternatives):
            alt_id = alt.get("id")
            if not isinstance(alt_id, str) or not alt_id:
                alt_id = ident if len(alternatives) == 1 else None
            if alt_id is None:
                raise self.error(f"{where}[{index}].id", "is missing (it names the alternative)")
            if alt_id in plans:
                if not self.niwrap:
                    raise self.error(f"{where}[{alt_id}]", "repeats an alternative's id")
                alt_id = self._renamed(alt_id, plans)  # as niwrap's code names it
            plans[alt_id] = Plan(alt, self.where, shell=self.shell, parent=self,
                                 field=f"{where}[{alt_id}]")
        return plans

    def _check_input(self, ident, item):
        where = f"inputs[{ident}]"
        extra = sorted(set(item) - _INPUT_FIELDS)
        if extra:
            raise self.error(f"{where}.{extra[0]}", "is not a field of a Boutiques input")
        kind = item.get("type")
        if ident in self.inputs:
            raise self.error(where, "repeats an input id")
        if isinstance(kind, (dict, list)):
            self.subs[ident] = self._check_sub(ident, kind)
            if "default-value" in item:
                raise self.error(f"{where}.default-value", "is set for a sub-command input")
        elif kind not in _TYPES:
            raise self.error(f"{where}.type", f"is {kind!r}, not one of {', '.join(_TYPES)} "
                             f"or a sub-command")
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
        self._check_flag(f"{where}.command-line-flag", item)
        out = dict(item)
        # niwrap dialect: a Flag is always optional; stock: optional defaults to false.
        out["optional"] = True if kind == "Flag" else bool(item.get("optional", False))
        return out

    def _check_flag(self, field, item):
        """A flag such as ``>`` only means something to a shell."""
        flag = item.get("command-line-flag")
        # A flag that is a redirection or an operator ('>', '2>', '|'), not a
        # word holding such characters ('--data<n>', which runs as written).
        if isinstance(flag, str) and not self.shell \
                and re.fullmatch(r"\d*[<>|&;]+", flag.strip()):
            raise self.error(field, f"({flag!r}) is shell syntax, which only a shell honours "
                             f"(load it with shell=True to run it through /bin/sh)")

    def _check_output(self, ident, item):
        where = f"output-files[{ident}]"
        extra = sorted(set(item) - _OUTPUT_FIELDS)
        if extra:
            raise self.error(f"{where}.{extra[0]}", "is not a field of a Boutiques output")
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
        if self.parent is not None and "value-key" in item:
            raise self.error(f"{where}.value-key", "is set for the output of a sub-command")
        self._check_flag(f"{where}.command-line-flag", item)
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

    def _check_environ(self) -> tuple[dict, dict]:
        """``({name: fixed value}, {name: id of the input giving its value})``."""
        env, env_from = {}, {}
        keys = {i["value-key"]: ident for ident, i in self.inputs.items() if i.get("value-key")}
        for i, var in enumerate(self._list("environment-variables")):
            name, value = var.get("name"), var.get("value")
            where = f"environment-variables[{name or i}]"
            if not isinstance(name, str) or not isinstance(value, str):
                raise self.error(where, "needs a string name and value")
            if value in keys:  # as bosh: the value-key of an input is its value
                env_from[name] = keys[value]
            else:
                env[name] = value
        return env, env_from

    def _check_stdout(self) -> list[str]:
        """The output name of niwrap's ``stdout-output`` (the lines the tool
        prints), if any."""
        item = self.desc.get("stdout-output")
        if item is None:
            return []
        if not isinstance(item, dict):
            raise self.error("stdout-output", "is not an object")
        ident = self._id(item, "stdout-output")
        pyname = python_name(ident)
        if ident in self.inputs or pyname in self.out_names.values():
            raise self.error("stdout-output.id", f"({ident!r}) is also an input's or output's id")
        return [pyname]

    def _value_keys(self) -> dict[str, list[tuple[str, str]]]:
        """``{value-key: [("input" or "output", id), ...]}``: a key shared by
        several inputs (the BIDS-app template's output folder) takes the value
        of the first one set."""
        keys: dict[str, list] = {}
        for kind, items in (("input", self.inputs), ("output", self.outputs)):
            for ident, item in items.items():
                key = item.get("value-key")
                if key:
                    keys.setdefault(key, []).append((kind, ident))
        for key in self.dropped_keys:  # left out: always empty
            keys.setdefault(key, [("dropped", key)])
        # Every reference to another input must name one (or a group).
        known = set(self.inputs) | set(self.group_ids)
        for ident, item in self.inputs.items():
            for field in ("requires-inputs", "disables-inputs"):
                for other in item.get(field) or []:
                    if other not in (known if field == "requires-inputs" else self.inputs):
                        raise self.error(f"inputs[{ident}].{field}",
                                         f"names {other!r}, which is not an input")
            for field in ("value-requires", "value-disables"):
                for others in (item.get(field) or {}).values():
                    for other in others:
                        if other not in self.inputs:
                            raise self.error(f"inputs[{ident}].{field}",
                                             f"names {other!r}, which is not an input")
        for group in self.groups:
            # Members that are not inputs (an output, a removed input) can never
            # be given: they are left out of the group's checks.
            group["members"] = [m for m in group["members"] if m in self.inputs]
        return keys

    def _check_command_line(self) -> str | None:
        """The executable (None for a sub-command); refuses shell syntax
        unless the descriptor was loaded with ``shell=True``."""
        line = self.command_line
        if set(line) & _SHELL_CHARS:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            try:
                tokens = list(lexer)
            except ValueError as error:
                raise self.error("command-line",
                                 f"cannot be split into words ({error})") from None
        else:  # nothing a shell would read differently (most lines): fast
            tokens = line.split()
        if not self.shell:
            hint = (" (load it with shell=True to run it through /bin/sh, every value "
                    "quoted)")
            for char in ("$", "`"):
                if char in line:
                    raise self.error("command-line",
                                     f"uses {char!r}, which only a shell expands" + hint)
            for token in tokens:
                if token and set(token) <= SHELL_OPERATORS:
                    raise self.error("command-line",
                                     f"uses the shell operator {token!r} (imageshell runs "
                                     f"tools without a shell)" + hint)
        if self.parent is not None:
            return None
        if self.shell:
            return "/bin/sh"  # the line may start with anything the shell runs
        if not tokens:
            raise self.error("command-line", "is empty")
        first = tokens[0]
        if any(key in first for key in self.keys):
            raise self.error("command-line",
                             "does not start with the program's name (load it with shell=True "
                             "to run the line through /bin/sh as it is)")
        return first
