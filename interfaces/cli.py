"""The ``imageshell`` command: list, describe and run interfaces.

::

    imageshell list [WORD]               every interface (or those about WORD), its
                                         executable, version and description
    imageshell help NAME                 help generated from the spec
    imageshell run NAME key=value ...    run one tool; --json for a JSON result,
                                         --dry-run to print the command only
    imageshell demo ...                  the demonstration (interfaces.demo)
"""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["main", "parse_assignments"]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imageshell",
        description="Run external neuroimaging tools on images.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p_list = sub.add_parser("list", help="list every interface, its executable and version")
    p_list.add_argument("word", nargs="?", default=None,
                        help="only interfaces whose name or description holds WORD")
    p_list.add_argument("--no-version", action="store_true",
                        help="do not run the tools to find their versions")
    p_list.add_argument("--json", action="store_true", help="print JSON")
    p_help = sub.add_parser("help", help="describe one interface")
    p_help.add_argument("name", help="e.g. coreutils.cp (or cp)")
    p_run = sub.add_parser("run", help="run one interface",
                           description="Run NAME with inputs given as key=value. Values of "
                           "number, boolean and list inputs are read as JSON "
                           "(e.g. dims=[1,2,3], mask=true); the others are strings.")
    p_run.add_argument("name")
    p_run.add_argument("assignments", nargs="*", metavar="key=value")
    p_run.add_argument("--json", action="store_true", help="print the result as JSON")
    p_run.add_argument("--timeout", type=float, default=None, help="seconds")
    p_run.add_argument("--workdir", default=None,
                       help="folder for outputs not given a path")
    p_run.add_argument("--no-check", action="store_true",
                       help="return the result of a tool that fails instead of an error "
                            "(exit status 1 all the same)")
    p_run.add_argument("--quiet", action="store_true",
                       help="do not show the tool's output as it runs")
    p_run.add_argument("--dry-run", action="store_true",
                       help="print the command that would run, and run nothing "
                            "(nothing is written)")
    sub.add_parser("demo", help="run the demonstration (arguments go to interfaces.demo)")
    return parser


def _kind_reads_json(ctrait) -> bool:
    """Whether ``key=value`` for this trait is read as JSON."""
    from .base.specs import trait_kind

    if trait_kind(ctrait) is not None:
        return False
    name = type(ctrait.trait_type).__name__
    if name == "Enum":
        return not all(isinstance(v, str) for v in ctrait.trait_type.values)
    return name not in ("Str", "String", "Unicode")


def parse_assignments(interface, assignments) -> dict:
    """``["frac=0.4", "in_file=a.nii"]`` -> ``{"frac": 0.4, "in_file": "a.nii"}``.

    Raises
    ------
    InputError
        Malformed assignment, unknown input, or bad JSON.
    """
    from .base.errors import InputError

    traits = interface.Inputs.spec_traits()
    values = {}
    for item in assignments:
        key, eq, text = item.partition("=")
        if not eq or not key:
            raise InputError(f"{item!r} is not key=value: write e.g. in_file=a.nii.")
        if key not in traits:  # the spec's error names them all, with what was meant
            interface.Inputs(interface.full_name()).update({key: text})
        ctrait = traits[key]
        if _kind_reads_json(ctrait):
            lowered = text.lower()
            if type(ctrait.trait_type).__name__ == "Bool" and lowered in ("yes", "no", "on", "off"):
                value = lowered in ("yes", "on")
            else:
                try:
                    value = json.loads(lowered if lowered in ("true", "false") else text)
                except json.JSONDecodeError:
                    wanted, example = _wanted(ctrait)
                    raise InputError(
                        f"{interface.full_name()}: input {key!r} takes {wanted}, not "
                        f"{text!r}; write e.g. {key}={example}."
                    ) from None
        elif getattr(ctrait.trait_type, "is_output", False) and text.lower() == "true":
            value = True  # an optional output asked for under its default name
        else:
            value = text
        values[key] = value
    return values


def _wanted(ctrait) -> tuple[str, str]:
    """What a ``key=value`` of this trait takes, in words, and an example."""
    kind = type(ctrait.trait_type).__name__
    if kind in ("Bool", "CBool"):
        return "true or false", "true"
    if kind in ("Int", "CInt"):
        return "an integer", "3"
    if kind in ("Float", "CFloat", "Range"):
        return "a number", "0.5"
    if kind == "Enum":
        values = list(getattr(ctrait.trait_type, "values", ()))
        return "one of " + ", ".join(json.dumps(v) for v in values), json.dumps(values[0])
    if kind in ("List", "Tuple"):
        return "a list (JSON)", "[1,2,3]"
    return "a JSON value", "3"


def _cmd_list(args) -> int:
    from .base.registry import all_interfaces

    rows = []
    word = (args.word or "").lower()
    for name, cls in all_interfaces().items():
        summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        if word and word not in name.lower() and word not in summary.lower():
            continue
        path = cls.executable_path()
        version = cls.version() if (path and not args.no_version) else None
        rows.append({"name": name, "executable": cls.executable, "path": path,
                     "version": version, "description": summary.replace("``", "")})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max([len(r["name"]) for r in rows] + [4])
    print(f"{'NAME':<{width}}  {'VERSION':<10}  {'EXECUTABLE':<28}  DESCRIPTION")
    for r in rows:
        where = r["path"] or f"{r['executable']} (not found)"
        print(f"{r['name']:<{width}}  {r['version'] or '-':<10}  {where:<28}  "
              f"{r['description']}")
    return 0


def _cmd_help(args) -> int:
    from .base.registry import get_interface

    print(get_interface(args.name).help())
    return 0


def _cmd_run(args) -> int:
    from .base.registry import get_interface
    from .base.traits_ import Undefined

    cls = get_interface(args.name)
    values = parse_assignments(cls, args.assignments)
    if args.dry_run:
        from .base.runner import DryRunner

        result = cls().run(workdir=args.workdir, runner=DryRunner(), **values)
        if args.json:
            print(json.dumps({"argv": result.argv, "cmdline": result.cmdline,
                              "cwd": result.runtime.cwd,
                              "outputs": result.to_dict()["outputs"]}, indent=2))
        else:
            print(result.cmdline)
        return 0
    live = None if (args.quiet or args.json) else _live_output()
    result = cls().run(timeout=args.timeout, workdir=args.workdir, stream=live,
                       check=not args.no_check, **values)
    status = 0 if result.runtime.returncode in cls.success_codes else 1
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return status
    print(result.cmdline)
    if live is None and result.runtime.stdout:  # shown as it came otherwise
        sys.stdout.write(result.runtime.stdout)
    for name, value in result.to_dict()["outputs"].items():
        if getattr(result.outputs, name) is not Undefined:
            print(f"{name}: {value}")
    if status:
        print(f"imageshell run: {cls.full_name()} {_status_text(result.runtime.returncode)}",
              file=sys.stderr)
    return status


def _status_text(returncode: int) -> str:
    from .base.outputs import _status

    return _status(returncode)


def _live_output():
    """A ``stream=`` callable: each line of the tool on our stderr, after the
    seconds since the run started (a long run is seen to progress)."""
    import time

    start = time.monotonic()

    def show(text, source):
        sys.stderr.write(f"[{time.monotonic() - start:6.1f} s] {text}\n")
        sys.stderr.flush()

    return show


def _cmd_demo(args) -> int:
    try:
        from . import demo
    except ImportError as error:
        print(f"imageshell demo: the demonstration is not available ({error}).",
              file=sys.stderr)
        return 1
    return demo.main(args.args) or 0


def main(argv=None) -> int:
    """Entry point of the ``imageshell`` console script.

    Returns
    -------
    int
        Exit status: 0 on success, 1 when the tool or a lookup failed, 2 for
        bad inputs (as argparse).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "demo":  # everything after "demo" is the demo's own
        return _cmd_demo(argparse.Namespace(args=argv[1:]))
    args = _build_parser().parse_args(argv)
    from .base.errors import InputError, InterfaceError

    handler = {"list": _cmd_list, "help": _cmd_help, "run": _cmd_run, "demo": _cmd_demo}
    try:
        return handler[args.command](args)
    except InputError as error:
        print(f"imageshell {args.command}: {error}", file=sys.stderr)
        return 2
    except InterfaceError as error:
        print(f"imageshell {args.command}: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `imageshell help cp | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
