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
    any_of,
    is_set,
)
from ..base import traits_
from ..base.errors import InputTypeError
from ..base.specs import trait_kind
from .descriptor import IMAGE_EXTENSIONS, Plan, python_name
from .template import PathRule, command_argv, config_text

__all__ = ["build_interface", "BoutiquesInterface", "Number", "SubCommand"]


class Number(TraitType):
    """A Boutiques Number: an int or float (kept as given, so ``3`` is
    written ``3``), optionally an integer, within optional bounds."""

    default_value = Undefined

    def __init__(self, default_value=Undefined, *, integer=False, minimum=None, maximum=None,
                 exclusive_minimum=False, exclusive_maximum=False, **metadata):
        self.integer = integer
        self.bounds = (minimum, maximum, exclusive_minimum, exclusive_maximum)
        # A descriptor's default written as text ("5e-8"): kept as written,
        # as bosh writes it.
        self.text_default = default_value if isinstance(default_value, str) else None
        super().__init__(default_value, **metadata)

    def validate(self, obj, name, value):
        if self.text_default is not None and value == self.text_default:
            return value
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


class SubCommand(TraitType):
    """A niwrap sub-command input: a dict of the sub-command's inputs by
    name, with ``"@type"`` naming the alternative when the type offers
    several (``{"@type": "metric_mattes", "fixed_image": img, ...}``).

    The dict is checked when assigned, as the inputs of an interface are
    (types, then mandatory inputs and groups), and kept with ``"@type"``
    filled in.
    """

    default_value = Undefined

    def __init__(self, plans: dict, cls_name: str, **metadata):
        #: ``{alternative id: Plan}``
        self.plans = plans
        self.cls_name = cls_name
        self._specs = None
        super().__init__(Undefined, **metadata)

    @property
    def specs(self) -> dict:
        """``{alternative id: InputSpec class of its inputs}``, made on first
        use (a tool offering hundreds of alternatives loads fast)."""
        if self._specs is None:
            self._specs = {alt: _inputs_class(sub, f"{self.cls_name}_{alt}")
                           for alt, sub in self.plans.items()}
        return self._specs

    def validate(self, obj, name, value):
        if isinstance(value, str):
            # An alternative without inputs, by its id or (as niwrap's code
            # takes it) by its command line: "rlt" or "-rlt".
            value = {"@type": next((alt for alt, sub in self.plans.items() if not sub.inputs
                                    and value in (alt, sub.command_line)), value)}
        if not isinstance(value, dict):
            self.error(obj, name, value)
        who = f"{getattr(obj, '_interface_name', type(obj).__name__)}: input {name!r}"
        alt = value.get("@type")
        if alt is None and len(self.specs) == 1:
            alt = next(iter(self.specs))
        if alt not in self.specs:
            raise InputTypeError(
                f"{who} is one of the sub-commands {', '.join(map(repr, self.specs))}: "
                + ("say which with '@type'" if alt is None else f"'@type' is {alt!r}")
                + f". Pass {{'@type': {next(iter(self.specs))!r}, ...}}."
            )
        # Keys are input names, or the descriptor's ids (as niwrap's dicts
        # have them: "lambda", not "v_lambda").
        names = self.plans[alt].names
        fields = {names.get(k, k): v for k, v in value.items() if k != "@type"}
        spec = self.specs[alt](f"{who} ({alt})", **fields)
        spec.check()
        return {"@type": alt, **spec.given()}

    @property
    def help_type(self) -> str:
        """The type as ``imageshell help`` shows it."""
        def keys(sub):
            return "{" + ", ".join(sub.names.values()) + "}"

        if len(self.plans) == 1:
            return "sub-command dict " + keys(next(iter(self.plans.values())))
        alts = [f"{alt} {keys(sub)}" for alt, sub in list(self.plans.items())[:6]]
        more = f" | ... ({len(self.plans)} in all)" if len(self.plans) > 6 else ""
        return "sub-command dict, '@type' one of: " + " | ".join(alts) + more

    def info(self):
        alts = [f"{alt} ({', '.join(sub.names.values()) or 'no inputs'})"
                for alt, sub in self.plans.items()]
        if len(alts) == 1:
            return f"a dict of the inputs of sub-command {alts[0]}"
        return "a dict with '@type' one of " + "; ".join(alts) + ", and its inputs"

    def fingerprint(self, value, one):
        """The value with its files as ``one(kind, value)`` fingerprints
        them (for cache keys: a file's content, not its name)."""
        spec = self.specs[value["@type"]]
        traits = spec.spec_traits()
        out = {}
        for key, item in value.items():
            ctrait = traits.get(key)
            out[key] = item if ctrait is None else _fingerprint(ctrait, item, one)
        return out


def _fingerprint(ctrait, value, one):
    """``SubCommand.fingerprint`` for one nested input (a list: each)."""
    if isinstance(value, list) and not isinstance(ctrait.trait_type, SubCommand):
        inner = ctrait.inner_traits[0] if ctrait.inner_traits else None
        if inner is not None:
            return [_fingerprint(inner, v, one) for v in value]
    if isinstance(ctrait.trait_type, SubCommand) and isinstance(value, dict):
        return ctrait.trait_type.fingerprint(value, one)
    kind = trait_kind(ctrait)
    if kind is not None:
        return one(kind, value)
    return value


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
            for group_id in item.get("requires-inputs") or []:
                group = plan.group_ids.get(group_id) if group_id not in plan.inputs else None
                if group is not None and not any(m in given for m in group["members"]):
                    listed = ", ".join(plan.names[m] for m in group["members"])
                    raise InputError(
                        f"{who}: input {name(ident)} requires one of the inputs of group "
                        f"{group.get('name') or group_id!r} (requires-inputs): pass one of "
                        f"{listed}, or leave {name(ident)} unset."
                    )
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
        configuration files of ``file-template`` outputs, makes the missing
        folders of the outputs named on the command line (not in a preview,
        or when only the argument list is asked for), writes the image inputs
        of sub-commands to files, and sets the environment variables taking an
        input's value."""
        plan = cls.plan
        writes = run is not None and not run.dry
        by_id = {}
        for ident, pyname in plan.names.items():
            if pyname in values:
                by_id[ident] = values[pyname]
                if ident in plan.subs:
                    by_id[ident] = _stage(cls.Inputs.spec_traits()[pyname], by_id[ident],
                                          pyname, run)
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
        if plan.environ_from and run is not None:
            # As bosh: the variable is the input's value (unset input: not set).
            run.state["environ"] = {
                var: shell_text(by_id[ident]) for var, ident in plan.environ_from.items()
                if ident in by_id
            }
        return command_argv(plan, executable, by_id)


def shell_text(value) -> str:
    """An input's value as an environment variable holds it."""
    if isinstance(value, (list, tuple)):
        return " ".join(shell_text(v) for v in value)
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


def _stage(ctrait, value, label, run):
    """A sub-command value with its File inputs as the tool gets them:
    images written to files (recorded with the run's other inputs), paths
    made absolute and checked, as for the descriptor's own inputs."""
    if isinstance(value, list) and not isinstance(ctrait.trait_type, SubCommand):
        inner = ctrait.inner_traits[0]
        return [_stage(inner, v, f"{label}[{i}]", run) for i, v in enumerate(value)]
    if isinstance(ctrait.trait_type, SubCommand):
        traits = ctrait.trait_type.specs[value["@type"]].spec_traits()
        return {k: v if k == "@type" else _stage(traits[k], v, f"{label}.{k}", run)
                for k, v in value.items()}
    if trait_kind(ctrait) is None or run is None:
        return value
    from ..base.handover import hand_over_value

    staged, prepared = hand_over_value(run, label, ctrait, value)
    if prepared is not None:
        run.prepared[label] = prepared
    return staged


def _class_name(name: str) -> str:
    text = re.sub(r"\W+", "_", name).strip("_") or "tool"
    return "_" + text if text[0].isdigit() else text


def _is_image_template(templates) -> bool:
    return all(t.lower().endswith(IMAGE_EXTENSIONS) for t in templates)


def _input_trait(plan: Plan, ident: str, item: dict, cls_name: str):
    kind = item["type"]
    custom = plan.custom.get("inputs", {}).get(ident, {})
    meta = {"desc": (item.get("description") or item.get("name") or "").strip()}
    # A null default (and an empty one for a File) is no default.
    has_default = item.get("default-value") is not None and not (
        kind == "File" and item.get("default-value") == "")
    if not item["optional"] and not has_default:
        meta["mandatory"] = True
    requires = [i for i in item.get("requires-inputs") or [] if i in plan.inputs]
    if requires:  # groups named there are checked by BoutiquesInputs
        meta["requires"] = [plan.names[i] for i in requires]
    choices = item.get("value-choices")

    def scalar(*default, **meta):
        if default:
            meta["usedefault"] = True
        if ident in plan.subs:
            return SubCommand(plan.subs[ident], f"{cls_name}_{ident}", **meta)
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
            # niwrap's "mutable": the tool modifies the file, so it gets a copy.
            copy = bool(custom.get("copy") or item.get("mutable"))
            return image_cls(formats=custom.get("formats"), copy=copy, **meta)
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
            value = item["default-value"]
            # A single default (a string, as some descriptors give) is a
            # one-element list, as bosh writes it; never its characters.
            value = list(value) if isinstance(value, (list, tuple)) else [value]
            meta.update(value=value, usedefault=True)
        return List(scalar(), minlen=low, maxlen=high, **meta)
    if kind == "File" and has_default:
        meta.update(default_value=item["default-value"], usedefault=True)
        return scalar(**meta)
    return scalar(*default, **meta)


def _inputs_class(plan: Plan, cls_name: str) -> type:
    """The InputSpec class of a plan's inputs (a descriptor's or a
    sub-command's)."""
    traits = {plan.names[i]: _input_trait(plan, i, item, cls_name)
              for i, item in plan.inputs.items()}
    return type(f"{cls_name}Inputs", (BoutiquesInputs,), {"_plan": plan, **traits})


def _requirement(item):
    """An output requirement read back from custom.imageshell: a name, or
    ``[input, value]`` as the ``(input, value)`` tuple the base reads."""
    return tuple(item) if isinstance(item, list) else item


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
        # an item [input, value] holds when the input has that value
        if custom.get("requires"):
            rule["requires"] = [_requirement(r) for r in custom["requires"]]
        elif custom.get("requires_any"):  # written when one of them is set
            rule["requires"] = any_of(*map(_requirement, custom["requires_any"]))
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


class _FirstPath:
    """The path of an output several sub-command alternatives declare (same
    id): the one of the alternative given."""

    def __init__(self, rules):
        self.rules = rules

    def __str__(self) -> str:
        return " or ".join(dict.fromkeys(str(r) for r in self.rules))

    def __call__(self, namer):
        for rule in self.rules:
            path = rule(namer)
            if path is not None:
                return path
        return None


def _sub_outputs(plan: Plan, scope=()):
    """``[(id, item, PathRule)]`` of the outputs of the sub-commands of a
    plan, at any depth, but not under a list input (those would be lists of
    outputs, one per element: not lifted)."""
    found = []
    for ident, alternatives in plan.subs.items():
        if plan.inputs[ident].get("list"):
            continue
        for alt, sub in alternatives.items():
            here = [*scope, (ident, alt)]
            for out_id, item in sub.outputs.items():
                found.append((out_id, item, PathRule(sub, out_id, here)))
            found.extend(_sub_outputs(sub, here))
    return found


def _stdout_lines(text: str) -> list[str]:
    return text.splitlines()


def build_interface(plan: Plan, descriptor: dict, name: str | None = None) -> type:
    """The Interface class of a checked descriptor."""
    cls_name = name or _class_name(plan.name)
    inputs, outputs = {}, {}
    for ident, item in plan.inputs.items():
        inputs[plan.names[ident]] = _input_trait(plan, ident, item, cls_name)
    for ident, item in plan.outputs.items():
        arg, out = _output_traits(plan, ident, item)
        pyname = plan.out_names[ident]
        if arg is not None:
            inputs[pyname] = arg
        outputs[pyname] = out
    # Outputs of sub-commands are outputs of the tool (as niwrap has them).
    lifted: dict[str, tuple] = {}
    for out_id, item, rule in _sub_outputs(plan):
        pyname = python_name(out_id)
        if pyname in inputs or pyname in outputs:
            pyname = f"{plan.names[rule.scope[0][0]]}_{pyname}"
        rules, image, desc, optional = lifted.get(pyname, ([], True, "", True))
        rules.append(rule)
        lifted[pyname] = (rules, image and _is_image_template(Plan.templates(item)),
                          desc or (item.get("description") or item.get("name") or "").strip(),
                          optional and bool(item.get("optional")))
    for pyname, (rules, image, desc, optional) in lifted.items():
        out_cls = Image if image else File
        outputs[pyname] = out_cls(desc=desc, optional=optional,
                                  name_template=rules[0] if len(rules) == 1 else _FirstPath(rules))
    for pyname in plan.stdout_outputs:
        # niwrap's stdout-output: the lines the tool printed.
        outputs[pyname] = List(Str(), from_stdout=_stdout_lines,
                               desc="the lines the tool printed on its standard output")
    for pyname, meta in plan.custom.get("stdout", {}).items():
        # Exported by imageshell: a value read from stdout (Boutiques has none).
        trait_cls = {"Int": Int, "CInt": Int, "Float": Float, "CFloat": Float}.get(meta["type"], Str)
        outputs[pyname] = trait_cls(from_stdout=meta["regex"], desc=meta.get("desc", ""))
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
