"""Run external command-line tools on nibabel images.

Tool families are subpackages (``from interfaces import coreutils``); the
machinery to wrap a new tool is in :mod:`interfaces.base`, re-exported here.
Importing this package is cheap: names load on first use.

>>> from interfaces.coreutils import cp            # doctest: +SKIP
>>> cp().run(in_file=img).outputs.out_file          # doctest: +SKIP
"""

from __future__ import annotations

__all__ = [
    "Interface", "InputSpec", "OutputSpec", "Family", "Result",
    "Image", "File", "Directory", "OutputImage", "OutputFile", "OutputDirectory",
    "InterfaceError", "InputError", "InputTypeError", "InputFileNotFoundError",
    "ExecutableNotFoundError", "CommandFailedError", "CommandTimeoutError",
    "OutputMissingError", "all_interfaces", "get_interface",
]


def __getattr__(name):
    # Lazy: `import interfaces` must not pay for traits until a name is used.
    if name in ("all_interfaces", "get_interface"):
        from .base import registry

        return getattr(registry, name)
    if name in __all__:
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module 'interfaces' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
