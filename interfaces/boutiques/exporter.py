"""An Interface class as a Boutiques descriptor (schema 0.5).

Each input becomes a Boutiques input (or an output-file, for output
arguments) whose value-key sits in the command-line template where
:func:`~interfaces.base.command.build_argv` puts its arguments.  An
``argstr`` maps onto ``command-line-flag`` and its separator when Boutiques
can say the same thing (``"-f %s"``, ``"--out=%s"``, flags, lists joined by
``sep``); what it cannot say (number formats such as ``%.2f``, repeated
arguments, output names that keep the input's extension, image formats)
goes in ``custom.imageshell``, which stock Boutiques ignores and
:func:`interfaces.boutiques.load` honours, so that ``load(export(X))`` builds
the same argv as ``X``.  An interface whose command a stock runner would
not reproduce (an argument computed by a function, an input linked into the
run's folder, an output saved from what the tool prints) is refused with the
reason, rather than exported as a descriptor that runs something else.
"""

from __future__ import annotations

import copy
import shlex

from ..base import InterfaceError, traits_
from ..base.specs import AnyOf, as_list, is_output_trait, trait_kind

__all__ = ["export_interface"]

_NUMBER = {"Int": True, "CInt": True, "Float": False, "CFloat": False}
_STRING = ("Str", "String", "Unicode")


def _order(traits: dict) -> list[str]:
    """Names in the order build_argv writes them."""
    first, middle, last, off = [], [], [], []
    for name, ctrait in traits.items():
        if ctrait.argstr is None and ctrait.position is None:
            off.append(name)
        elif ctrait.position is None:
            middle.append((name, name))
        elif ctrait.position >= 0:
            first.append((ctrait.position, name))
        else:
            last.append((ctrait.position, name))
    return [n for _, n in sorted(first) + sorted(middle) + sorted(last)] + off


def _type(who, name, trait_type):
    """``(Boutiques type, extra fields)`` of a scalar trait type."""
    cls = type(trait_type).__name__
    if cls in ("Bool", "CBool"):
        return "Flag", {}
    if cls in _NUMBER:
        return "Number", ({"integer": True} if _NUMBER[cls] else {})
    if cls in _STRING:
        return "String", {}
    if getattr(trait_type, "kind", None) in ("image", "file", "directory"):
        return "File", {}
    if cls == "Enum":
        values = list(trait_type.values)
        if all(isinstance(v, str) for v in values):
            return "String", {"value-choices": values}
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            extra = {"value-choices": values}
            if all(isinstance(v, int) for v in values):
                extra["integer"] = True
            return "Number", extra
    if cls == "Number":  # ours, from a Boutiques descriptor
        low, high, xlow, xhigh = trait_type.bounds
        extra = {"integer": True} if trait_type.integer else {}
        for field, value in (("minimum", low), ("maximum", high)):
            if value is not None:
                extra[field] = value
        if xlow:
            extra["exclusive-minimum"] = True
        if xhigh:
            extra["exclusive-maximum"] = True
        return "Number", extra
    return None  # described as a String; its trait and argstr go in custom.imageshell


def _plain(token: str, integer: bool) -> bool:
    """Whether a %-field writes a value as Boutiques would (str(value))."""
    return token == "%s" or (token == "%d" and integer)


def _flag_fields(argstr, sep, integer, is_flag) -> dict | None:
    """``command-line-flag``/separator/list-separator for an argstr Boutiques
    can express, else None."""
    if argstr is None:
        argstr = "%s"
    if "%%" in argstr or shlex.split(argstr) != argstr.split():
        return None
    tokens = argstr.split()
    if is_flag:
        return {"command-line-flag": argstr} if tokens and "%" not in argstr else None
    if argstr.endswith("...") or sum("%" in t for t in tokens) != 1 or "%" not in tokens[-1]:
        return None
    out = {} if sep is None else {"list-separator": sep}
    last = tokens[-1]
    if _plain(last, integer):
        if len(tokens) > 1:
            out["command-line-flag"] = " ".join(tokens[:-1])
        return out
    prefix, field = last[:last.index("%")], last[last.index("%"):]
    if len(tokens) == 1 and _plain(field, integer) and prefix[-1:] in ("=", ":") and len(prefix) > 1:
        out["command-line-flag"] = prefix[:-1]
        out["command-line-flag-separator"] = prefix[-1]
        return out
    return None


#: Metadata Boutiques fields (or the traits machinery) account for; any other
#: metadata (``scale``, ``len_argstr``, ``split``...) changes how the base
#: writes the argument, so the argument goes to custom.imageshell with it.
_NATURAL = {
    "argstr", "position", "desc", "mandatory", "xor", "requires", "usedefault", "sep",
    "copy", "type", "formats", "exists", "name_source", "name_template", "keep_extension",
    "generate", "min_ver", "max_ver", "optional", "default_value", "array", "instance_handler",
    "also",  # another name of the output in Python: nothing on the command line
}


def _extra_metadata(ctrait) -> dict:
    import json

    extra = {}
    for key, value in (getattr(ctrait.trait_type, "_metadata", None) or {}).items():
        if key in _NATURAL or value is None or value is False:
            continue
        try:
            json.dumps(value)
        except TypeError:
            continue  # a callable (a writer, a parser): the tool's argv does not show it
        extra[key] = value
    return extra


def _condition(item) -> str:
    """A Boutiques condition for an output's requirement: an input id (set),
    or ``id == value`` for an ``(input, value)`` item."""
    if isinstance(item, tuple):
        return f"{item[0]} == {item[1]!r}"
    return item


def _key(name: str) -> str:
    return f"[{name.upper()}]"


def _path_template(cls, ctrait, kind) -> tuple[str, list[str]]:
    """An approximate Boutiques path-template of a name rule (exact names
    are in custom.imageshell)."""
    template = ctrait.name_template or ctrait.name_source and "%s" or "output"
    sources = ctrait.name_source
    sources = [sources] if isinstance(sources, str) else list(sources or [])
    filled = template.replace("%s", _key(sources[0])) if sources else template
    from ..base.naming import split_ext

    if kind == "image" and not split_ext(template)[1] and not ctrait.keep_extension:
        filled += cls.family.output_extension()
    stripped = [".nii.gz", ".nii", ".mgz", ".mgh", ".mnc", ".img", ".hdr"] if sources else []
    return filled, stripped


def _exact_template(cls, ctrait, kind) -> str | None:
    """The name_template with the family's image extension made explicit."""
    from ..base.naming import split_ext

    template = ctrait.name_template
    if template is None:
        return None
    if kind == "image" and not ctrait.keep_extension and not split_ext(template)[1]:
        template += cls.family.output_extension()
    return template


#: Declarations a stock Boutiques runner cannot carry out: a descriptor that
#: left them out would run another command, or find no output.
_CANNOT_SAY = (
    ("formatter", "the argument of {names} is computed from the inputs (formatter=)"),
    ("stage", "{names} must be linked into the run's folder under a given name (stage=), "
              "which a Boutiques runner does not do"),
    ("printed", "{names} is written from what the tool prints (printed=), which a "
                "Boutiques runner does not save to a file"),
    ("listed", "{names} is passed as a text file naming its elements (listed=), which a "
               "Boutiques runner does not write"),
)


def _refuse_what_a_descriptor_cannot_say(who, traits) -> None:
    reasons = []
    for key, reason in _CANNOT_SAY:
        names = [n for n, t in traits.items() if getattr(t, key, None)]
        if names:
            reasons.append(reason.format(names=", ".join(map(repr, names))))
    if reasons:
        raise InterfaceError(
            f"{who} cannot be exported to Boutiques: {'; '.join(reasons)}. "
            f"Run it from Python, or write its descriptor by hand."
        )


def export_interface(cls, tool_version=None) -> dict:
    """See :func:`interfaces.boutiques.export`."""
    from .build import BoutiquesInterface

    if isinstance(cls, type) and issubclass(cls, BoutiquesInterface) and cls.plan is not None:
        return _export_loaded(cls, tool_version)
    who = cls.full_name()
    traits = cls.Inputs.spec_traits()
    _refuse_what_a_descriptor_cannot_say(who, traits)
    inputs, outputs, keys = [], [], []
    custom_in, custom_out, groups = {}, {}, {}
    for name in _order(traits):
        ctrait = traits[name]
        on_line = not (ctrait.argstr is None and ctrait.position is None)
        kind = trait_kind(ctrait)
        desc = (ctrait.desc or name).strip()
        if is_output_trait(ctrait):
            item = {"id": name, "name": name, "description": desc}
            template, stripped = _path_template(cls, ctrait, kind)
            item["path-template"] = template
            if stripped:
                item["path-template-stripped-extensions"] = stripped
            meta = {"image": kind == "image", "generate": bool(ctrait.generate),
                    "name_template": _exact_template(cls, ctrait, kind)}
            if ctrait.name_source:
                meta["name_source"] = ctrait.name_source
            if ctrait.keep_extension:
                meta["keep_extension"] = True
            if on_line:
                item["value-key"] = _key(name)
                keys.append(item["value-key"])
                fields = _flag_fields(ctrait.argstr, None, False, False)
                extra_meta = _extra_metadata(ctrait)
                if fields is None or extra_meta:
                    meta["argstr"] = ctrait.argstr
                    if extra_meta:
                        meta["metadata"] = extra_meta
                else:
                    item.update({k: v for k, v in fields.items() if k != "list-separator"})
            else:  # not on the command line, but its path can still be chosen
                meta["argument"] = True
            if not ctrait.generate:
                item["optional"] = True
            custom_out[name] = meta
            outputs.append(item)
            continue
        trait_type = ctrait.trait_type
        item = {"id": name, "name": name, "description": desc}
        inner = None
        described = None
        if type(trait_type).__name__ in ("List", "Tuple"):
            inner_traits = ctrait.inner_traits
            inner_traits = inner_traits() if callable(inner_traits) else inner_traits
            kinds = {type(t.trait_type).__name__ for t in inner_traits}
            if len(kinds) == 1:
                inner = inner_traits[0]
                described = _type(who, name, inner.trait_type)
        else:
            described = _type(who, name, trait_type)
        opaque = described is None or bool(ctrait.fill_from)
        if opaque:
            # Boutiques has no word for it: a String here, any JSON value on
            # import, written by the original argstr.
            btype, extra, inner = "String", {}, None
        elif inner is not None:
            btype, extra = described
            item["list"] = True
            if type(trait_type).__name__ == "Tuple":
                item["min-list-entries"] = item["max-list-entries"] = len(inner_traits)
            else:
                if getattr(trait_type, "minlen", 0):
                    item["min-list-entries"] = trait_type.minlen
                maxlen = getattr(trait_type, "maxlen", None)
                if maxlen is not None and maxlen < 2**62:
                    item["max-list-entries"] = maxlen
            kind = trait_kind(inner)
        else:
            btype, extra = described
        item["type"] = btype
        item.update(extra)
        if btype == "Flag" or not ctrait.mandatory:
            item["optional"] = True
        else:
            item["optional"] = False
        if ctrait.usedefault and ctrait.default is not None:
            default = ctrait.default
            item["default-value"] = list(default) if isinstance(default, (list, tuple)) else default
        meta = {}
        if ctrait.requires:
            req = ctrait.requires
            req = [req] if isinstance(req, str) else list(req)
            if all(r in traits and not is_output_trait(traits[r]) for r in req):
                item["requires-inputs"] = req
            else:  # Boutiques inputs cannot require outputs
                meta["requires"] = req
        xor = ctrait.xor
        xor = [xor] if isinstance(xor, str) else list(xor or [])
        if xor:
            members = tuple(sorted({name, *xor}))
            group = groups.setdefault(members, {
                "id": "xor_" + "_".join(members), "name": f"one of {', '.join(members)}",
                "members": list(members), "mutually-exclusive": True,
            })
            if ctrait.mandatory:
                group["one-is-required"] = True
                item["optional"] = True
        if kind == "image" and not opaque:
            formats = ctrait.formats if inner is None else inner.formats
            formats = formats or cls.family.image_formats
            meta["image"] = True
            value_cls = getattr(traits_, "ImageOrValue", None)
            if value_cls and isinstance((inner or ctrait).trait_type, value_cls):
                meta["or_value"] = True
            if formats:
                meta["formats"] = list(formats)
            if ctrait.copy:
                meta["copy"] = True
        if on_line:
            item["value-key"] = _key(name)
            keys.append(item["value-key"])
            integer = bool(extra.get("integer"))
            fields = _flag_fields(ctrait.argstr, ctrait.sep, integer, btype == "Flag")
            extra_meta = _extra_metadata(ctrait)
            if opaque:
                meta["any"] = True
            if fields is None or extra_meta or opaque:
                meta.update(argstr=ctrait.argstr if ctrait.argstr is not None else "%s")
                if ctrait.sep is not None:
                    extra_meta["sep"] = ctrait.sep
                if extra_meta:
                    meta["metadata"] = extra_meta
                if btype == "Flag":
                    item["command-line-flag"] = (ctrait.argstr or name).split()[0]
            else:
                item.update(fields)
        elif btype == "Flag":  # not on the command line, but Boutiques wants a flag
            item["command-line-flag"] = "--" + name
        if meta:
            custom_in[name] = meta
        inputs.append(item)

    stdout = {}
    for name, ctrait in cls.output_spec().spec_traits().items():
        if name in traits and is_output_trait(traits[name]):
            continue
        if isinstance(ctrait.from_stdout, str):
            stdout[name] = {"regex": ctrait.from_stdout, "type": type(ctrait.trait_type).__name__,
                            "desc": ctrait.desc or ""}
            continue
        if not ctrait.name_template or callable(ctrait.name_template):
            continue  # modified inputs: the copy is the tool's business
        kind = trait_kind(ctrait)
        template, stripped = _path_template(cls, ctrait, kind)
        ident = name + "_out" if name in traits else name  # ids are unique in Boutiques
        item = {"id": ident, "name": name, "description": (ctrait.desc or name).strip()}
        if ctrait.inner_traits:  # a list, found by glob
            item["list"] = True
        any_one = isinstance(ctrait.requires, AnyOf)
        requires = as_list(ctrait.requires)
        if requires:
            # Boutiques takes the first condition that holds: one per
            # alternative says "any of"; one joined with "and", "all of".
            words = [_condition(r) for r in requires]
            conditions = words if any_one else [" and ".join(words)]
            item["conditional-path-template"] = [{c: template} for c in conditions]
            item["optional"] = True
        else:
            item["path-template"] = template
        if stripped:
            item["path-template-stripped-extensions"] = stripped
        meta = {"image": kind == "image", "name_template": _exact_template(cls, ctrait, kind)}
        if ctrait.name_source:
            meta["name_source"] = ctrait.name_source
        if ctrait.keep_extension:
            meta["keep_extension"] = True
        if requires:  # (input, value) items as [input, value]
            meta["requires_any" if any_one else "requires"] = [
                list(r) if isinstance(r, tuple) else r for r in requires]
        if ident != name:
            meta["name"] = name
        custom_out[ident] = meta
        outputs.append(item)

    by_id = {item["id"]: item for item in inputs}
    for group in groups.values():
        if any(not by_id[m]["optional"] for m in group["members"] if m in by_id):
            group["one-is-required"] = True
            for m in group["members"]:
                by_id[m]["optional"] = True
    # Boutiques wants distinct path-templates: a repeated one is written as
    # the default of a conditional template (the exact name is in custom).
    seen = set()
    for item in outputs:
        template = item.get("path-template")
        if template is not None and template in seen:
            item["conditional-path-template"] = [{"default": item.pop("path-template")}]
            custom_out[item["id"]]["optional"] = bool(item.get("optional"))
            item["optional"] = True
        seen.add(template)
    if tool_version is None:
        tool_version = cls.version() or "unknown"
    doc = (cls.__doc__ or cls.__name__).strip().split("\n\n")[0]
    descriptor = {
        "name": cls.__name__,
        "tool-version": str(tool_version),
        "description": " ".join(doc.split()),
        "command-line": " ".join(
            [shlex.join([cls.executable, *getattr(cls, "subcommand", ())])] + keys),
        "schema-version": "0.5",
        "inputs": inputs,
    }
    if outputs:
        descriptor["output-files"] = outputs
    if groups:
        descriptor["groups"] = list(groups.values())
    env = dict(cls.family.environ)
    if cls.family.output_type_env and cls.family.output_type():
        env[cls.family.output_type_env] = cls.family.output_type()
    if env:
        descriptor["environment-variables"] = [{"name": k, "value": v} for k, v in env.items()]
    imageshell = {"interface": cls.full_name()}
    if custom_in:
        imageshell["inputs"] = custom_in
    if custom_out:
        imageshell["outputs"] = custom_out
    if stdout:
        imageshell["stdout"] = stdout
    if cls.success_codes != (0,):
        imageshell["success_codes"] = list(cls.success_codes)
    descriptor["custom"] = {"imageshell": imageshell}
    return descriptor


def _export_loaded(cls, tool_version) -> dict:
    """A class made by load(): its descriptor in stock schema 0.5 (niwrap's
    dialect normalised: Flags optional, a tool-version, no dropped inputs)."""
    plan = cls.plan
    desc = copy.deepcopy(cls.descriptor)
    # niwrap's sub-command inputs have no stock form: left out, as dropped ones.
    gone = set(plan.dropped_keys)
    for ident in plan.subs:
        if not plan.inputs[ident]["optional"]:
            raise InterfaceError(
                f"{cls.__name__}: input {plan.names[ident]!r} is a niwrap sub-command, which "
                f"stock Boutiques cannot describe, and it is mandatory: no stock descriptor "
                f"can run this tool. Use the niwrap descriptor."
            )
        if plan.inputs[ident].get("value-key"):
            gone.add(plan.inputs[ident]["value-key"])
    seen = set()
    for item in desc.get("inputs", []):  # niwrap's repeated ids, named as load() names them
        if item.get("id") in seen and plan.niwrap:
            item["id"] = plan._renamed(item["id"], seen)
        seen.add(item.get("id"))
    desc["inputs"] = [i for i in desc.get("inputs", [])
                      if i.get("id") in plan.inputs and i.get("id") not in plan.subs]
    for item in desc["inputs"]:
        if item.get("type") == "Flag":
            item["optional"] = True
        for field in ("resolve-parent", "mutable", "media-types"):
            item.pop(field, None)
    desc.pop("stdout-output", None)
    desc.pop("walltime-estimate", None)  # schema 0.4
    outputs, kept = [], set()
    for item in desc.get("output-files", []):  # a repeated id: the one load() kept
        if item.get("id") not in kept and plan.outputs.get(item.get("id")) == item:
            outputs.append(item)
            kept.add(item["id"])
    if outputs:
        desc["output-files"] = outputs
    else:
        desc.pop("output-files", None)
    desc["schema-version"] = "0.5"  # what the rest of this function makes of it
    exported = {i["id"] for i in desc["inputs"]}
    groups = []
    for group in desc.get("groups") or []:  # members that are not (exported) inputs: out
        group["members"] = [m for m in group.get("members", []) if m in exported]
        if group["members"]:
            groups.append(group)
    if groups:
        desc["groups"] = groups
    else:
        desc.pop("groups", None)
    line = desc["command-line"]
    for key in gone:
        line = line.replace(" " + key, "").replace(key, "")
    desc["command-line"] = line
    if tool_version is not None or "tool-version" not in desc:
        desc["tool-version"] = str(tool_version or plan.tool_version or "unknown")
    # Stock Boutiques wants ids unique across inputs and outputs: an output
    # sharing its input's id (niwrap) gets a suffix.
    for item in desc.get("output-files", []):
        if item["id"] in plan.inputs:
            item["id"] += "_file"
    return desc
