"""The machinery shared by every wrapper.

Offers what a wrapper declares with -- :class:`Interface`, :class:`InputSpec`,
:class:`OutputSpec`, :class:`Family`, the trait types (:class:`Image`,
:class:`File`, :class:`OutputImage`, ...) -- and the errors and results a
run produces.  One concept per module:

========================  ==================================================
``interface``             the Interface base, its hooks, and ``run()``
``specs``                 InputSpec / OutputSpec, groups, the input checks
``traits_``               trait types for images and files; the metadata
``family``                executable lookup, package hint, output extension
``pipeline``              ``run()`` as its steps, in order:
``run``                     the run in progress (what the hooks receive)
``checks``                  1. check inputs
``handover``                2. hand over images (files for the tool)
``command``                 3. build argv (with ``naming``: output names)
``runner``                  4. run the process: the runner protocol, the
                            subprocess runner and the dry runner
``outputs``                 5. collect outputs
``provenance``              6. record: the JSON record of each run; PROV
``cache``                 run(cache=...): job keys, stored results, locks
``workdirs``              where runs write: run folders, scratch folder
``naming``                output names from templates
``version``               tool versions, lazily, cached per executable
``results``               Result and Runtime
``matrices``              4x4 affine text files as arrays (writer/reader)
``help``                  help text and docstrings from the specs
``registry``              finding every interface
``errors``                the exceptions
========================  ==================================================
"""

from .errors import (
    CacheWarning,
    CommandFailedError,
    CommandStartError,
    CommandTimeoutError,
    ExecutableNotFoundError,
    InputError,
    InputFileNotFoundError,
    InputTypeError,
    InterfaceError,
    InterfaceWarning,
    OutputCorruptError,
    OutputMissingError,
    ProvenanceWarning,
    WorkdirError,
)
from .family import LOCAL, Family
from .interface import Interface
from .results import Result, Runtime
from .run import Run
from .runner import DryRunner, Runner, SubprocessRunner
from .specs import InputSpec, OutputSpec, any_of, exclusive
from .traits_ import (
    Bool,
    Directory,
    Enum,
    File,
    Float,
    Image,
    ImageOrValue,
    Int,
    List,
    OutputDirectory,
    OutputFile,
    OutputImage,
    OutputPrefix,
    Str,
    Tuple,
    Undefined,
    is_set,
)

__all__ = [
    "Interface", "InputSpec", "OutputSpec", "Family", "LOCAL", "Result", "Runtime",
    "exclusive", "any_of",
    "Run", "Runner", "SubprocessRunner", "DryRunner",
    "Image", "ImageOrValue", "File", "Directory", "OutputImage", "OutputFile", "OutputDirectory", "OutputPrefix",
    "Bool", "Enum", "Float", "Int", "List", "Str", "Tuple", "Undefined", "is_set",
    "InterfaceError", "InputError", "InputTypeError", "InputFileNotFoundError",
    "ExecutableNotFoundError", "CommandFailedError", "CommandTimeoutError",
    "OutputMissingError", "OutputCorruptError", "CommandStartError", "WorkdirError",
    "InterfaceWarning", "CacheWarning", "ProvenanceWarning",
]
