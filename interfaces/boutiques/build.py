"""Turning a checked descriptor into an :class:`~interfaces.base.Interface`
class: one trait per input and output, the checks Boutiques defines, and the
command line built from the template.
"""

from __future__ import annotations

import os
import re
import sys

from traits.api import Any, TraitType

from ..base import (
    Bool,
    Enum,
    Family,
    File,
    Float,
    Image,
    Int,
    InputError,
    InputSpec,
    Interface,
    List,
    OutputFile,
    OutputImage,
    OutputSpec,
    Str,
    Undefined,
    is_set,
)
from ..base import traits_
from .descriptor import IMAGE_EXTENSIONS, Plan
from .template import KeyFiller, PathRule, command_argv, config_text

__all__ = ["build_interface", "BoutiquesInterface", "Number"]


class Number(TraitType):
    """A Boutiques Number: an int or float (kept as given, so ``3`` is
    written ``3``), optionally an integer, within optional bounds."""

    default_value = Undefined

    def __init__(self, default_value=Undefined, *, integer=False, minimum=None, maximum=None,
                 exclusive_minimum=False, exclusive_maximum=False, **metadata):
        self.integer = integer
        self.bounds = (minimum, maximum, exclusive_minimum, exclusive_maximum)
        super().__init__(default_value, **metadata)

    def validate(self, obj, name, value):
        ok = isinstance(value, int) if self.integer else isinstance(value, (int, float))
        if ok and not isinstance(value, bool):
            low, high, xlow, xhigh = self.bounds
            if low is not None and (value <= low if xlow else value < low):
                ok = False
            if high is not None and (value >= high if xhigh else value > high):
                ok = False
            if ok:
                return value
        self.error(obj, name, value)

    def info(self):
        low, high, xlow, xhigh = self.bounds
        text = "an integer" if self.integer else "a number"
        if low is not None:
            text += f" {'>' if xlow else '>='} {low}"
        if high is not None:
            text += f"{' and' if low is not None else ''} {'<' if xhigh else '<='} {high}"
        return text


class BoutiquesInputs(InputSpec):
    """Inputs of a descriptor: the base checks, then those Boutiques adds
    (disables-inputs, value-requires, value-disables, groups)."""

    _plan: Plan | None = None

    def check(self) -> None:
        super().check()
        plan = self._plan
        who = self._interface_name
        given = {i for i, n in plan.names.items() if is_set(getattr(self, n))}

        def name(ident):
            return repr(plan.names[ident])

        for ident in sorted(given):
            item = plan.inputs[ident]
            for other in item.get("disables-inputs") or []:
                if other in given:
                    raise InputError(
                        f"{who}: input {name(ident)} disables input {name(other)} "
                        f"(disables-inputs). Pass only one of them."
                    )
            value = getattr(self, plan.names[ident])
            for field, must in (("value-requires", True), ("value-disables", False)):
                for other in (item.get(field) or {}).get(str(value), []):
                    if (other in given) != must:
                        verb = "requires" if must else "disables"
                        fix = f"pass {plan.names[other]}=... as well" if must else \
                            f"leave {name(other)} unset"
                        raise InputError(
                            f"{who}: input {name(ident)}={value!r} {verb} input "
                            f"{name(other)} ({field}); {fix}, or change {name(ident)}."
                        )
        for group in plan.groups:
            members = group["members"]
            chosen = [m for m in members if m in given]
            listed = ", ".join(plan.names[m] for m in members)
            label = f"group {group.get('name') or group.get('id')!r}"
            if group.get("mutually-exclusive") and len(chosen) > 1:
                raise InputError(
                    f"{who}: inputs {', '.join(plan.names[m] for m in chosen)} are mutually "
                    f"exclusive ({label}). Pass at most one of: {listed}."
                )
            if group.get("one-is-required") and not chosen:
                raise InputError(f"{who}: {label} needs one of: {listed}. Pass one of them.")
            if group.get("all-or-none") and chosen and len(chosen) != len(members):
                raise InputError(
                    f"{who}: {label} takes all or none of: {listed}; "
                    f"{', '.join(plan.names[m] for m in chosen)} given."
                )


class BoutiquesInterface(Interface):
    """Base of the classes :func:`interfaces.boutiques.load` builds: the
    command line comes from the descriptor's template."""

    #: The checked descriptor (set on each generated class).
    plan: Plan | None = None
    #: The descriptor as given (a copy).
    descriptor: dict | None = None

    @classmethod
    def command(cls, executable, values, run=None):
        """argv from the descriptor's command-line template; writes the
        configuration files of ``file-template`` outputs and makes the missing
        folders of the outputs named on the command line (not in a preview,
        or when only the argument list is asked for)."""
        plan = cls.plan
        writes = run is not None and not run.dry
        by_id = {}
        for ident, pyname in plan.names.items():
            if pyname in values:
                by_id[ident] = values[pyname]
        for ident, pyname in plan.out_names.items():
            if "value-key" in plan.outputs[ident] and pyname in values:  # output arguments
                by_id[ident] = values[pyname]
                folder = os.path.dirname(values[pyname])
                if folder and writes:
                    os.makedirs(folder, exist_ok=True)
        for ident, item in plan.outputs.items():
            if "file-template" in item and ident in by_id and writes:
                with open(by_id[ident], "w", encoding="utf-8") as f:
                    f.write(config_text(plan, ident, by_id))
        return command_argv(plan, executable, by_id)


def _class_name(name: str) -> str:
    text = re.sub(r"\W+", "_", name).strip("_") or "tool"
    return "_" + text if text[0].isdigit() else text


def _is_image_template(templates) -> bool:
    return all(t.lower().endswith(IMAGE_EXTENSIONS) for t in templates)


def _input_trait(plan: Plan, ident: str, item: dict):
    kind = item["type"]
    custom = plan.custom.get("inputs", {}).get(ident, {})
    meta = {"desc": (item.get("description") or item.get("name") or "").strip()}
    has_default = "default-value" in item
    if not item["optional"] and not has_default:
        meta["mandatory"] = True
    if item.get("requires-inputs"):
        meta["requires"] = [plan.names[i] for i in item["requires-inputs"]]
    choices = item.get("value-choices")

    def scalar(*default, **meta):
        if default:
            meta["usedefault"] = True
        if choices:
            first = default or choices[:1]
            return Enum(*first, *[c for c in choices if c not in first], **meta)
        if kind == "String":
            return Str(*default, **meta)
        if kind == "Number":
            return Number(
                *default, integer=bool(item.get("integer")), minimum=item.get("minimum"),
                maximum=item.get("maximum"),
                exclusive_minimum=bool(item.get("exclusive-minimum")),
                exclusive_maximum=bool(item.get("exclusive-maximum")), **meta,
            )
        if kind == "File":
            # Every File accepts an image: a path passes through unchanged.
            image_cls = Image
            if custom.get("or_value"):  # exported: an image or a number (mrcalc operands)
                image_cls = getattr(traits_, "ImageOrValue", Image)
            return image_cls(formats=custom.get("formats"), copy=bool(custom.get("copy")), **meta)
        return Bool(*default, **meta)

    if custom.get("requires"):
        meta["requires"] = meta.get("requires", []) + list(custom["requires"])
    if custom.get("any"):  # exported by imageshell: a trait Boutiques cannot describe
        return Any(**meta)
    default = (item["default-value"],) if has_default else ()
    if item.get("list"):
        low = item.get("min-list-entries") or 0
        high = item.get("max-list-entries") or sys.maxsize
        if has_default:
            meta.update(value=list(item["default-value"]), usedefault=True)
        return List(scalar(), minlen=low, maxlen=high, **meta)
    if kind == "File" and has_default:
        meta.update(default_value=item["default-value"], usedefault=True)
        return scalar(**meta)
    return scalar(*default, **meta)


def _output_traits(plan: Plan, ident: str, item: dict):
    """``(input trait or None, output trait)`` of an output-file."""
    custom = plan.custom.get("outputs", {}).get(ident, {})
    image = custom.get("image", _is_image_template(Plan.templates(item)))
    desc = (item.get("description") or item.get("name") or "").strip()
    optional = bool(custom.get("optional", item.get("optional")))
    if "name_template" in custom:
        # Exported by imageshell: the name rule of the original interface.
        rule = {}
        if custom["name_template"] is not None:
            rule = dict(name_template=custom["name_template"],
                        name_source=custom.get("name_source"),
                        keep_extension=bool(custom.get("keep_extension")))
        if custom.get("requires"):
            rule["requires"] = custom["requires"]
    else:
        rule = dict(name_template=PathRule(plan, ident))
    if "value-key" in item or custom.get("argument"):  # settable like any output argument
        arg_cls = OutputImage if image else OutputFile
        arg = arg_cls(generate=custom.get("generate", True), desc=desc, **rule)
        out_cls = Image if image else File
        return arg, out_cls(desc=desc, optional=optional)
    out_cls = Image if image else File
    if item.get("list"):
        return None, List(out_cls(), desc=desc, optional=optional, **rule)
    return None, out_cls(desc=desc, optional=optional, **rule)


def build_interface(plan: Plan, descriptor: dict, name: str | None = None) -> type:
    """The Interface class of a checked descriptor."""
    plan.filler = KeyFiller(plan.keys)
    inputs, outputs = {}, {}
    for ident, item in plan.inputs.items():
        inputs[plan.names[ident]] = _input_trait(plan, ident, item)
    for ident, item in plan.outputs.items():
        arg, out = _output_traits(plan, ident, item)
        pyname = plan.out_names[ident]
        if arg is not None:
            inputs[pyname] = arg
        outputs[pyname] = out
    for pyname, meta in plan.custom.get("stdout", {}).items():
        # Exported by imageshell: a value read from stdout (Boutiques has none).
        trait_cls = {"Int": Int, "CInt": Int, "Float": Float, "CFloat": Float}.get(meta["type"], Str)
        outputs[pyname] = trait_cls(from_stdout=meta["regex"], desc=meta.get("desc", ""))
    cls_name = name or _class_name(plan.name)
    inputs_cls = type(f"{cls_name}Inputs", (BoutiquesInputs,), {"_plan": plan, **inputs})
    outputs_cls = type(f"{cls_name}Outputs", (OutputSpec,), outputs)
    where = descriptor.get("descriptor-url") or plan.where
    family = Family(
        "boutiques",
        package_hint=(
            f"Install {plan.name} {plan.tool_version or ''}".rstrip()
            + f" (described by {where})"
            + (f"; its container image is {descriptor['container-image'].get('image')}"
               if isinstance(descriptor.get("container-image"), dict) else "")
            + "."
        ),
        environ=plan.environ,
    )
    doc = (plan.description or plan.name).strip()
    return type(cls_name, (BoutiquesInterface,), {
        "__doc__": doc,
        "__module__": __name__,
        "executable": plan.executable,
        "family": family,
        "Inputs": inputs_cls,
        "Outputs": outputs_cls,
        "plan": plan,
        "descriptor": descriptor,
        "tool_version": plan.tool_version,
        "success_codes": tuple(plan.custom.get("success_codes", (0,))),
    })
