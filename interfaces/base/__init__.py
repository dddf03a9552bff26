"""The machinery shared by every wrapper.

Offers what a wrapper declares with -- :class:`Interface`, :class:`InputSpec`,
:class:`OutputSpec`, :class:`Family`, the trait types (:class:`Image`,
:class:`File`, :class:`OutputImage`, ...) -- and the errors and results a
run produces.  One concept per module:

========================  ==================================================
``interface``             the Interface base, its hooks, and ``run()``
``specs``                 InputSpec / OutputSpec and the input checks
``traits_``               trait types for images and files; the metadata
``family``                executable lookup, package hint, output extension
``naming``                output names from templates
``command``               argv from the spec; shell-quoted display
``runner``                the runner protocol: the subprocess (no shell,
                          process group, timeout) and the dry runner
``version``               tool versions, lazily, cached per executable
``results``               Result and Runtime
``cache``                 run(cache=...): job keys, stored results, locks
``provenance``            the JSON record of each run; PROV export
``matrices``              4x4 affine text files as arrays (writer/reader)
``help``                  help text and docstrings from the specs
``registry``              finding every interface
``errors``                the exceptions
========================  ==================================================
"""

from .errors import (
    CommandFailedError,
    CommandTimeoutError,
    ExecutableNotFoundError,
    InputError,
    InputFileNotFoundError,
    InputTypeError,
    InterfaceError,
    OutputMissingError,
)
from .family import LOCAL, Family
from .interface import Interface
from .results import Result, Runtime
from .runner import DryRunner, Runner, SubprocessRunner
from .specs import InputSpec, OutputSpec
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
    "Runner", "SubprocessRunner", "DryRunner",
    "Image", "ImageOrValue", "File", "Directory", "OutputImage", "OutputFile", "OutputDirectory", "OutputPrefix",
    "Bool", "Enum", "Float", "Int", "List", "Str", "Tuple", "Undefined", "is_set",
    "InterfaceError", "InputError", "InputTypeError", "InputFileNotFoundError",
    "ExecutableNotFoundError", "CommandFailedError", "CommandTimeoutError",
    "OutputMissingError",
]
