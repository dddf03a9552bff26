"""Run external command-line tools on nibabel images.

Tool families are subpackages (``from interfaces import coreutils``); the
machinery to wrap a new tool is in :mod:`interfaces.base`, re-exported here.
Importing this package is cheap: names load on first use.

>>> from interfaces.coreutils import cp            # doctest: +SKIP
>>> cp().run(in_file=img).outputs.out_file          # doctest: +SKIP
"""

from __future__ import annotations

__all__ = [
    "Interface", "InputSpec", "OutputSpec", "Family", "Result", "DryRunner",
    "Image", "File", "Directory", "OutputImage", "OutputFile", "OutputDirectory",
    "InterfaceError", "InputError", "InputTypeError", "InputFileNotFoundError",
    "ExecutableNotFoundError", "CommandFailedError", "CommandTimeoutError",
    "OutputMissingError", "all_interfaces", "get_interface",
    "run_many", "slurm_executor", "set_cache", "get_cache", "set_shared_dir", "get_shared_dir",
    "set_provenance",
    "read_provenance", "to_prov_json", "settings",
]

#: Names defined outside :mod:`interfaces.base`: {name: (module, attribute)}.
_ELSEWHERE = {
    "run_many": ("interfaces.parallel", "run_many"),
    "slurm_executor": ("interfaces.parallel", "slurm_executor"),
    "set_shared_dir": ("interfaces.parallel", "set_shared_dir"),
    "get_shared_dir": ("interfaces.parallel", "get_shared_dir"),
    "set_cache": ("interfaces.base.cache", "set_cache"),
    "get_cache": ("interfaces.base.cache", "get_cache"),
    "set_provenance": ("interfaces.base.provenance", "set_provenance"),
    "read_provenance": ("interfaces.base.provenance", "read_record"),
    "to_prov_json": ("interfaces.base.provenance", "to_prov_json"),
    "settings": ("interfaces.base.settings", "settings"),
}


def __getattr__(name):
    # Lazy: `import interfaces` must not pay for traits until a name is used.
    if name in ("all_interfaces", "get_interface"):
        from .base import registry

        return getattr(registry, name)
    if name in _ELSEWHERE:
        import importlib

        module, attr = _ELSEWHERE[name]
        return getattr(importlib.import_module(module), attr)
    if name in __all__:
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module 'interfaces' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
