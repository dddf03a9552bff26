"""Finding every interface: the tool-family subpackages of :mod:`interfaces`
and families installed by other distributions.

A family is a subpackage of ``interfaces`` (``interfaces/coreutils/``...)
whose ``__all__`` lists its interface classes.  Other distributions can add
families through the ``imageshell.families`` entry-point group, each entry
naming a module with the same ``__all__`` convention.  Nothing is registered
at import time: discovery imports the families when asked.
"""

from __future__ import annotations

import importlib
import pkgutil

from .errors import InterfaceError

__all__ = ["family_modules", "all_interfaces", "get_interface"]

ENTRY_POINT_GROUP = "imageshell.families"


def family_modules() -> list[str]:
    """Module names of every tool family (built-in subpackages first)."""
    import interfaces

    names = [
        f"interfaces.{info.name}"
        for info in pkgutil.iter_modules(interfaces.__path__)
        if info.ispkg and info.name != "base" and not info.name.startswith("_")
    ]
    from importlib.metadata import entry_points

    names += [ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)]
    return names


def all_interfaces() -> dict[str, type]:
    """``{"family.tool": class}`` for every interface, sorted by name."""
    from .interface import Interface

    found = {}
    for module_name in family_modules():
        module = importlib.import_module(module_name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr, None)
            if isinstance(obj, type) and issubclass(obj, Interface) and obj.executable:
                found[obj.full_name()] = obj
    return dict(sorted(found.items()))


def get_interface(name: str) -> type:
    """The interface called ``name`` (``"coreutils.cp"``, or ``"cp"`` when
    unambiguous).

    Raises
    ------
    InterfaceError
        Unknown or ambiguous name; the message lists the candidates.
    """
    everything = all_interfaces()
    if name in everything:
        return everything[name]
    short = [full for full in everything if full.split(".", 1)[-1] == name]
    if len(short) == 1:
        return everything[short[0]]
    if short:
        raise InterfaceError(
            f"{name!r} is ambiguous: it may be {', '.join(short)}. Use the full name."
        )
    import difflib

    close = difflib.get_close_matches(name, everything, n=3, cutoff=0.6)
    shorts = {f.split(".", 1)[-1]: f for f in everything}  # "bet" for "fsl.bet"
    close += [shorts[s] for s in difflib.get_close_matches(name, shorts, n=3, cutoff=0.6)
              if shorts[s] not in close]
    hint = f" Did you mean {', '.join(close[:3])}?" if close else ""
    raise InterfaceError(
        f"no interface called {name!r}.{hint} `imageshell list` shows the "
        f"{len(everything)} available (`imageshell list WORD` those whose name or "
        f"description holds WORD)."
    )
