"""Boutiques templates: the command line, output paths and their conditions.

A Boutiques command line is a shell string in which each value-key is
replaced by ``flag + separator + value`` (String and File values
shell-quoted).  We build that same string, then split it as a POSIX shell
would (:func:`shlex.split`) and run the words without a shell: the tool gets
exactly the argv ``bosh exec launch`` would give it, and no value can inject
shell syntax.
"""

from __future__ import annotations

import ast
import os
import re
import shlex

from traits.api import Any

from ..base import Undefined, is_set
from ..base.command import build_argv
from ..base.traits_ import is_image_value

__all__ = ["KeyFiller", "command_argv", "PathRule", "Condition", "config_text"]


class KeyFiller:
    """Replaces the value-keys of a descriptor in a text, in one pass (a
    value holding another key's text is not replaced again)."""

    def __init__(self, keys):
        self.ordered = sorted(keys, key=len, reverse=True)
        self._pattern = None  # compiled on first use: most loaded tools never run

    @property
    def pattern(self):
        if self._pattern is None and self.ordered:
            self._pattern = re.compile("|".join(re.escape(k) for k in self.ordered))
        return self._pattern

    def keys_in(self, text: str) -> list[str]:
        return self.pattern.findall(text) if self.pattern else []

    def fill(self, text: str, replacement) -> str:
        """``replacement(key) -> str``."""
        pattern = self.pattern
        return pattern.sub(lambda m: replacement(m.group(0)), text) if pattern else text


def _escaped(item: dict, is_output: bool) -> bool:
    return is_output or item.get("type") in ("String", "File")


def shell_value(item: dict, value, is_output=False, quote_all=False) -> str:
    """One value as Boutiques writes it into the shell string (no flag);
    ``quote_all`` quotes Numbers too (commands run by a shell)."""
    escape = quote_all or _escaped(item, is_output)

    def one(v):
        text = os.fspath(v) if isinstance(v, os.PathLike) else str(v)
        return shlex.quote(text) if escape else text

    if isinstance(value, (list, tuple)):
        sep = item.get("list-separator")
        return (" " if sep is None else sep).join(one(v) for v in value)
    return one(value)


def _literal_quotes(text: str) -> str:
    """Quotes and backslashes escaped, spaces kept: niwrap's code never reads
    quotes (3dvolreg's flag ``-weight '``), and a space still parts words."""
    return re.sub(r"""(['"\\])""", r"\\\1", text)


def with_flag(item: dict, value, is_output=False, quote_all=False, text=None,
              niwrap=False) -> str:
    """``flag + separator + value`` (a Flag: its flag when true, else "");
    ``text``: the value already written (a sub-command's)."""
    flag = item.get("command-line-flag")
    if niwrap and flag:
        flag = _literal_quotes(flag)
    if item.get("type") == "Flag":
        return flag if value is True else ""
    if text is None:
        text = shell_value(item, value, is_output, quote_all)
    if flag is None:
        return text
    sep = item.get("command-line-flag-separator")
    return flag + (" " if sep is None else sep) + text


def first_set(plan, key: str, values: dict):
    """``(kind, id)`` of the first input or output with this value-key that
    has a value, or None (a key shared by several inputs takes the first
    one's value)."""
    for kind, ident in plan.keys[key]:
        if kind != "dropped" and ident in values:
            return kind, ident
    return None


def sub_values(plan, ident: str, value: dict) -> tuple:
    """``(plan of the chosen alternative, {nested id: value})`` of one
    sub-command value (``{"@type": alternative, name: value, ...}``)."""
    sub = plan.subs[ident][value["@type"]]
    by_name = {name: i for i, name in sub.names.items()}
    return sub, {by_name[k]: v for k, v in value.items() if k != "@type"}


def fill_line(plan, values: dict, quote_all=False) -> str:
    """The command line as Boutiques writes it, for ``values`` (``{id:
    value as the tool gets it}``: set inputs and output paths only).  A
    sub-command's value is its own command line, filled the same way."""
    def replacement(key):
        found = first_set(plan, key, values)
        if found is None:
            return key if not plan.niwrap else ""  # bosh leaves what its rule left
        kind, ident = found
        value = values[ident]
        meta = plan.custom.get(kind + "s", {}).get(ident, {})
        if meta.get("argstr") is not None:
            # Exported by imageshell from an argstr Boutiques cannot express.
            # A real trait, written by the base as the original was (metadata
            # it reads that we do not know of are None).
            extra = meta.get("metadata") or {}
            traits = {ident: Any(argstr=meta["argstr"], **extra).as_ctrait()}
            given = {ident: value}
            source = extra.get("fill_from")
            if source:  # operands from another input (fslmaths' op_string)
                traits[source] = Any().as_ctrait()
                given[source] = values.get(source)
            return shlex.join(build_argv("", traits, given)[1:])
        item = plan.inputs[ident] if kind == "input" else plan.outputs[ident]
        if kind == "input" and ident in plan.subs:
            parts = []
            for one in value if isinstance(value, list) else [value]:
                sub, nested = sub_values(plan, ident, one)
                parts.append(fill_line(sub, nested, quote_all))
            sep = item.get("list-separator")
            return with_flag(item, value, text=(" " if sep is None else sep).join(parts),
                             niwrap=plan.niwrap)
        return with_flag(item, value, is_output=kind == "output", quote_all=quote_all,
                         niwrap=plan.niwrap)

    line = plan.command_line
    if not plan.niwrap:
        # bosh's rule for a key without a value: remove " KEY" wherever it
        # occurs, or KEY when it never follows a space (so "a=[KEY] [KEY]"
        # keeps "a=[KEY]", as bosh writes it).
        for key in plan.filler.ordered:
            if key in line and first_set(plan, key, values) is None:
                spaced = " " + key
                line = line.replace(spaced, "") if spaced in line else line.replace(key, "")
    return plan.filler.fill(line, replacement)


def command_argv(plan, executable: str, values: dict) -> list[str]:
    """The argv for ``values`` (``{id: value as the tool gets it}``, set
    inputs and output paths only): the words of the filled command line, or
    ``/bin/sh -c line`` (every value quoted) for a descriptor loaded with
    ``shell=True``."""
    if plan.shell:
        return [executable, "-c", fill_line(plan, values, quote_all=True)]
    words = shlex.split(fill_line(plan, values))
    return [executable] + words[1:]


def config_text(plan, ident: str, values: dict) -> str:
    """The content of a ``file-template`` output: lines whose keys have no
    value are left out (as Boutiques does)."""
    lines = []
    for line in plan.outputs[ident]["file-template"]:
        missing = False

        def replacement(key):
            nonlocal missing
            found = first_set(plan, key, values)
            if found is None:
                missing = True
                return ""
            kind, other = found
            item = plan.inputs[other] if kind == "input" else plan.outputs[other]
            return shell_value(item, values[other], is_output=kind == "output")

        filled = plan.filler.fill(line, replacement)
        if not missing:
            lines.append(filled)
    return os.linesep.join(lines)


def _name_of(value, ident: str) -> str:
    """The file name an input contributes to output names: the base name of
    its path, of an image's own file, or the input's id for an image held only
    in memory (outputs go in the run's folder, never beside inputs)."""
    if isinstance(value, (str, os.PathLike)):
        return os.path.basename(os.fspath(value))
    if is_image_value(value):
        filename = value.get_filename()
        return os.path.basename(filename) if filename else ident
    return str(value)


def _strip(text: str, extensions) -> str:
    for extension in extensions:  # in order, anywhere, as Boutiques does
        text = text.replace(extension, "")
    return text


class PathRule:
    """The path of one output, from its (conditional) path-template: the
    ``name_template`` of its trait (see :class:`interfaces.base.naming.Namer`).

    Relative paths are in the run's working directory.  Returns None when no
    condition holds or the path is empty (the output is not produced).

    ``scope`` places an output of a sub-command: ``[(input id, alternative
    id), ...]`` from the descriptor down to the sub-command (``plan`` is the
    sub-command's); the output exists when that alternative was given.
    """

    def __init__(self, plan, ident: str, scope=()):
        self.plan = plan
        self.ident = ident
        self.scope = list(scope)
        self.item = plan.outputs[ident]
        self.conditions = None
        if "conditional-path-template" in self.item:
            where = f"output-files[{ident}].conditional-path-template"
            self.conditions = [
                (None if expr == "default" else Condition(expr, plan, where), template)
                for entry in self.item["conditional-path-template"]
                for expr, template in entry.items()
            ]

    def __str__(self) -> str:
        if self.conditions is None:
            return self.item["path-template"]
        return " or ".join(t for _, t in self.conditions)

    def values(self, namer) -> dict | None:
        """``{id: value}`` of the inputs of this output's plan (Undefined when
        unset), or None when the sub-command holding it was not given."""
        if not self.scope:
            return {i: getattr(namer.inputs, self.plan.names[i]) for i in self.plan.inputs}
        top = self.plan
        while top.parent is not None:
            top = top.parent
        value = getattr(namer.inputs, top.names[self.scope[0][0]])
        plan = top
        for ident, alt in self.scope:
            if plan is not top:
                value = nested.get(ident, Undefined)
            if not isinstance(value, dict) or value.get("@type") != alt:
                return None
            plan, nested = sub_values(plan, ident, value)
        return {i: nested.get(i, Undefined) for i in plan.inputs}

    def template(self, values) -> str | None:
        if self.conditions is None:
            return self.item["path-template"]
        for condition, template in self.conditions:
            if condition is None or condition.holds(values):
                return template
        return None

    def __call__(self, namer) -> str | None:
        values = self.values(namer)
        if values is None:
            return None
        template = self.template(values)
        if template is None:
            return None
        stripped = self.item.get("path-template-stripped-extensions") or []
        plan = self.plan

        def replacement(key):
            for kind, ident in plan.keys[key]:
                if kind == "output":
                    path = namer.output_arg(plan.out_names[ident])
                    if path is None:
                        continue
                    root = namer.workdir or namer.cwd
                    inside = os.path.commonpath([root, path]) == root
                    return os.path.relpath(path, root) if inside else path
                if kind == "input" and is_set(values[ident]):
                    return self._text(plan.inputs[ident], ident, values[ident], stripped)
            return ""

        path = plan.filler.fill(template, replacement)
        return path if path.strip() else None

    @staticmethod
    def _text(item, ident, value, stripped) -> str:
        if item["type"] == "File":
            values = value if isinstance(value, list) else [value]
            names = [_name_of(v, ident) for v in values]
            text = (item.get("list-separator") or " ").join(names)
        elif isinstance(value, list):
            text = (item.get("list-separator") or " ").join(str(v) for v in value)
        else:
            text = str(value)
        if item["type"] in ("File", "String"):
            text = _strip(text, stripped)
        return text


class _Unset(Exception):
    """An input named in a condition is not set: the condition is false."""


_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple,
)


class Condition:
    """A condition of a conditional-path-template (``"opt1 and (opt2 > 10)"``),
    evaluated on the inputs without ``eval``: names are input ids, an unset
    input makes the whole condition false (as Boutiques)."""

    def __init__(self, text: str, plan, where: str):
        self.text = text
        try:
            self.tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError:
            raise plan.error(where, f"has a condition that does not parse: {text!r}") from None
        for node in ast.walk(self.tree):
            if not isinstance(node, _ALLOWED):
                raise plan.error(where, f"uses {type(node).__name__} in condition {text!r}; "
                                 f"only comparisons, and/or/not, ids and constants are supported")
            if isinstance(node, ast.Name) and node.id not in plan.inputs and node.id not in (
                "True", "False"
            ):
                raise plan.error(where, f"names {node.id!r} in condition {text!r}, which is not an input")

    def holds(self, values: dict) -> bool:
        try:
            return bool(self._eval(self.tree.body, values))
        except _Unset:
            return False
        except TypeError:  # e.g. a string compared with a number
            return False

    def _eval(self, node, values):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            value = values[node.id]
            if not is_set(value):
                raise _Unset(node.id)
            return value
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self._eval(e, values) for e in node.elts]
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand, values)
            return {ast.Not: lambda x: not x, ast.USub: lambda x: -x,
                    ast.UAdd: lambda x: +x}[type(node.op)](operand)
        if isinstance(node, ast.BoolOp):
            results = (self._eval(v, values) for v in node.values)
            return all(results) if isinstance(node.op, ast.And) else any(results)
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, values)
            for op, right_node in zip(node.ops, node.comparators):
                right = self._eval(right_node, values)
                ok = {
                    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
                    ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
                    ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
                    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
                }[type(op)](left, right)
                if not ok:
                    return False
                left = right
            return True
        raise TypeError(type(node).__name__)  # unreachable: checked at load
