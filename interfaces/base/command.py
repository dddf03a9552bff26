"""Step 3 of a run, *build argv*: output names, then the argument list,
from the input spec (or the interface's ``command`` hook).

``argv`` is a list handed to the operating system without a shell, so values
reach the tool unchanged whatever characters they hold.  ``argstr`` is split
on whitespace *before* values are substituted: ``"-in %s"`` with a path
holding spaces gives ``["-in", "/my data/a.nii"]``.

Order (as nipype): arguments with ``position >= 0`` by position, then the
unpositioned ones in alphabetical order of name, then negative positions
(``-1`` last).
"""

from __future__ import annotations

import os
import re
import shlex
import warnings

from . import workdirs
from .errors import InputError
from .naming import Namer
from .specs import is_output_trait, trait_kind
from .traits_ import Undefined, is_set

__all__ = ["build", "build_argv", "format_arg", "cmdline"]

# One %-conversion; "%%" is a literal percent sign.
_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d*))?[diouxXeEfFgGcrsa]")


def cmdline(argv) -> str:
    """Shell-quoted display of ``argv``: pasting it in a POSIX shell runs the
    same command.

    >>> cmdline(["cp", "my file.nii", "$(x)"])
    "cp 'my file.nii' '$(x)'"
    """
    return shlex.join(argv)


def _fields(token: str) -> int:
    return len(_FIELD.findall(token.replace("%%", "")))


def _fill(token: str, value) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    return token % (value,) if _fields(token) else token.replace("%%", "%")


def format_arg(name: str, ctrait, value, values=None) -> list[str]:
    """The argv items of one input.

    Parameters
    ----------
    name : str
        Input name (for error messages).
    ctrait : CTrait
        Its trait, whose metadata are ``argstr`` and ``sep``.
    value
        The value to pass: numbers, strings and paths as given, image inputs
        already replaced by their file's path.
    values : dict, optional
        All the inputs passed, for a ``formatter``.

    Returns
    -------
    list of str
    """
    if ctrait.formatter is not None:
        # nipype's _format_arg, declared on the input: the argument depends on
        # other inputs (fslmaths' -thr/-uthrP) or maps a value (-dilM).
        items = ctrait.formatter(value, values or {})
        return items.split() if isinstance(items, str) else [str(i) for i in items]
    argstr = ctrait.argstr
    if argstr is None:
        argstr = "%s"
    if ctrait.split and isinstance(value, str):
        # A value that is itself a list of arguments (fslmaths' op_string),
        # split as a POSIX shell would, so quoted items keep their spaces.
        return shlex.split(value)
    if value is True and not _fields(argstr):  # a flag
        return argstr.replace("%%", "%").split()
    if value is False or value is None or value is Undefined:
        return []
    if ctrait.scale is not None and isinstance(value, (int, float)):
        value = value * ctrait.scale  # a unit change, e.g. FWHM -> sigma
    repeat = argstr.endswith("...")
    tokens = (argstr[:-3] if repeat else argstr).split()
    if isinstance(value, dict):  # {"x": a.nii} with "-var %s %s..." -> -var x a.nii
        value = list(value.items())
    if isinstance(value, (list, tuple)):
        count = []
        if ctrait.len_argstr:  # the count first, e.g. fast's "-S 2 a.nii b.nii"
            count = _substitute(name, ctrait.len_argstr.split(), [len(value)])
        return count + _format_list(name, ctrait, argstr, tokens, repeat, value)
    return _substitute(name, tokens, [value])


def _format_list(name, ctrait, argstr, tokens, repeat, value) -> list[str]:
    """The argv items of a list value (without its count)."""
    sep = ctrait.sep
    if repeat:
        out = []
        for item in value:  # a tuple fills several fields: "-roi %d %d..."
            items = list(item) if isinstance(item, (list, tuple)) else [item]
            out.extend(_substitute(name, tokens, items))
        return out
    if sep is not None:
        joined = sep.join(str(os.fspath(v) if isinstance(v, os.PathLike) else v) for v in value)
        return _substitute(name, tokens, [joined])
    total = sum(_fields(t) for t in tokens)
    if total == len(value) and total > 1:
        return _substitute(name, tokens, list(value))
    if total == 1:  # one item per element, e.g. "-dims %d" -> -dims 1 2 3
        out = []
        for token in tokens:
            if _fields(token):
                out.extend(_fill(token, item) for item in value)
            else:
                out.append(token.replace("%%", "%"))
        return out
    raise InputError(
        f"input {name!r}: argstr {argstr!r} has {total} fields for "
        f"{len(value)} values; fix the interface's declaration (add sep=' ' "
        f"or end argstr with '...')."
    )


def _substitute(name, tokens, values) -> list[str]:
    out = []
    values = list(values)
    for token in tokens:
        n = _fields(token)
        if n == 0:
            out.append(token.replace("%%", "%"))
        elif n == 1:
            out.append(_fill(token, values.pop(0) if values else ""))
        else:
            args = tuple(values[:n])
            del values[:n]
            out.append(token % args)
    return out


def build_argv(executable: str, spec_traits: dict, values: dict, given=None) -> list[str]:
    """The full argument list.

    Parameters
    ----------
    executable : str
        Path of the executable (``argv[0]``).
    spec_traits : dict
        ``{name: ctrait}`` of the input spec.
    values : dict
        ``{name: value}`` of the inputs on the command line, with image and
        file inputs already replaced by absolute paths.
    given : dict, optional
        The inputs as given (before hand-over), which ``default_from``
        rules see; default: ``values``.
    """
    values = _with_derived_defaults(spec_traits, values, values if given is None else given)
    first, middle, last = [], [], []
    for name, value in values.items():
        ctrait = spec_traits[name]
        if ctrait.argstr is None and ctrait.position is None:
            continue  # an input that only feeds names or the environment
        position = ctrait.position
        if position is None:
            middle.append((name, name, value))
        elif position >= 0:
            first.append((position, name, value))
        else:
            last.append((position, name, value))
    argv = [executable]
    for group in (sorted(first), sorted(middle), sorted(last)):
        for _, name, value in group:
            items = format_arg(name, spec_traits[name], value, values)
            if spec_traits[name].fill_from:
                items = _fill_operands(name, spec_traits[name], items, values)
            argv.extend(items)
    return argv


def _with_derived_defaults(spec_traits, values, given) -> dict:
    """``values`` plus the unset inputs declared ``default_from=(source,
    rule)``: ``rule(value of source, as given)`` when the source is set
    (applytopup's ``--inindex=1,2,...``, one per image, as nipype fills it;
    probtrackx's mode from its seed: voxels or masks)."""
    derived = {}
    for name, ctrait in spec_traits.items():
        if ctrait.default_from and name not in values:
            source, rule = ctrait.default_from
            if source in values:
                derived[name] = rule(given.get(source, values[source]))
    return {**values, **derived} if derived else values


def _fill_operands(name, ctrait, items, values) -> list[str]:
    """Replace each ``%s`` item by the next file of input ``fill_from``
    (nipype's ``op_string`` with ``operand_files``).  With ``fill_optional``,
    files without a ``%s`` are left out with a warning (nipype's fslstats
    ignores a ``mask_file`` its ``op_string`` does not use)."""
    source = ctrait.fill_from
    files = values.get(source) or []
    files = [files] if isinstance(files, str) else list(files)
    wanted = items.count("%s")
    if wanted < len(files) and ctrait.fill_optional:
        warnings.warn(
            f"input {source!r} is not used: {name!r} has {wanted} '%s' placeholder(s) "
            f"for {len(files)} file(s); add one (e.g. '-k %s') to use it.",
            stacklevel=2,
        )
        files = files[:wanted]
    if wanted != len(files):
        raise InputError(
            f"input {name!r} has {wanted} '%s' placeholder(s) but {source!r} holds "
            f"{len(files)} file(s); pass one file per '%s'."
        )
    files.reverse()
    return [files.pop() if item == "%s" else item for item in items]


def build(run) -> None:
    """Name the output arguments into ``run.values`` (making output
    directories), then set ``run.argv``, ``run.cmdline``, ``run.env`` and
    ``run.cwd``; ``run.namer`` names the other outputs after the run."""
    cls = run.interface
    run.output_type = next(  # an input such as FSL's output_type overrides the family's
        (getattr(run.spec, n) for n, t in run.traits.items()
         if t.selects_output_type and is_set(getattr(run.spec, n))), None)
    run.namer = Namer(run.name, run.spec, cls.family, run.workdir, run.caller_cwd, run.values,
                      output_type=run.output_type)
    for name, ctrait in run.traits.items():
        if not is_output_trait(ctrait):
            continue
        path = run.namer.output_arg(name)
        if path is not None:
            run.values[name] = path
            if trait_kind(ctrait) == "directory" and ctrait.create is not False \
                    and not run.dry:
                os.makedirs(path, exist_ok=True)
    run.argv = cls.command(run.executable, run.values, run=run)
    run.cmdline = cmdline(run.argv)
    env = cls.family.child_environ(run.output_type)
    if run.state.get("environ"):  # variables the command hook set for this run
        env = {**(os.environ if env is None else env), **run.state["environ"]}
    run.env = env
    run.cwd = run.workdir or workdirs.scratch_dir(run.dry)
