"""Wrappers of coreutils programs: declarations only."""

from ..base import Bool, File, Image, InputSpec, Int, Interface, OutputImage, OutputSpec, Str
from .family import COREUTILS

__all__ = ["cp", "sha256sum", "wc"]


class cp(Interface):
    """Copy an image file."""

    executable = "cp"
    family = COREUTILS

    class Inputs(InputSpec):
        in_file = Image(position=0, mandatory=True, desc="image to copy")
        out_file = OutputImage(
            position=1, name_source="in_file", name_template="%s_copy",
            keep_extension=True, desc="the copy",
        )
        preserve = Bool(argstr="--preserve=mode,timestamps",
                        desc="keep the file mode and timestamps")


class sha256sum(Interface):
    """Compute the SHA-256 digest of a file."""

    executable = "sha256sum"
    family = COREUTILS

    class Inputs(InputSpec):
        in_file = File(position=-1, mandatory=True, desc="file to hash")
        binary = Bool(argstr="--binary", desc="read in binary mode")

    class Outputs(OutputSpec):
        digest = Str(from_stdout=r"^\\?([0-9a-f]{64})", desc="hex digest")


class wc(Interface):
    """Count the bytes of a file."""

    executable = "wc"
    family = COREUTILS

    class Inputs(InputSpec):
        in_file = File(position=-1, mandatory=True, desc="file to measure")
        bytes = Bool(True, usedefault=True, argstr="--bytes", desc="count bytes")

    class Outputs(OutputSpec):
        count = Int(from_stdout=r"^\s*(\d+)", desc="the count")
