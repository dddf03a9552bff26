"""The MRtrix3 family, and what every MRtrix3 command accepts."""

from __future__ import annotations

import re

from ..base import Bool, Family, File, InputSpec, Int, List, OutputFile, Str, Tuple

__all__ = ["MRTRIX3", "MRtrixInputs", "GradientInputs", "datatype", "stats_column"]

MRTRIX3 = Family(
    "mrtrix3",
    package_hint="Install MRtrix3 (Debian: apt-get install mrtrix3; or https://www.mrtrix.org).",
    image_extension=".nii",  # working files: uncompressed is several times faster
    image_formats=(".nii", ".nii.gz", ".mgh", ".mgz"),
    version_args=("-version",),
)

_DATATYPES = (
    "float32", "float32le", "float32be", "float64", "float64le", "float64be", "int64",
    "uint64", "int64le", "uint64le", "int64be", "uint64be", "int32", "uint32", "int32le",
    "uint32le", "int32be", "uint32be", "int16", "uint16", "int16le", "uint16le", "int16be",
    "uint16be", "cfloat32", "cfloat32le", "cfloat32be", "cfloat64", "cfloat64le",
    "cfloat64be", "int8", "uint8", "bit",
)


class MRtrixInputs(InputSpec):
    """Options every MRtrix3 command takes."""

    force = Bool(True, usedefault=True, argstr="-force", desc="overwrite existing outputs")
    quiet = Bool(True, usedefault=True, argstr="-quiet",
                 desc="no progress output on stderr")
    nthreads = Int(argstr="-nthreads %d", desc="number of threads (0: none)")
    config = List(Tuple(Str, Str), argstr="-config %s %s...",
                  desc="(key, value) configuration overrides")


class GradientInputs(InputSpec):
    """The diffusion gradient table options (import and export)."""

    grad = File(argstr="-grad %s", xor=["fslgrad"], desc="gradient table, MRtrix format")
    fslgrad = List(File(), minlen=2, maxlen=2, argstr="-fslgrad %s %s", xor=["grad"],
                   desc="[bvecs, bvals] files in FSL format")
    # The two paths of -export_grad_fsl are two outputs: the second has no
    # option of its own and sorts right after the first.
    export_grad_mrtrix = OutputFile(argstr="-export_grad_mrtrix %s", generate=False,
                                    name_template="grad.b", desc="write the MRtrix table")
    export_grad_fsl = OutputFile(argstr="-export_grad_fsl %s", generate=False,
                                 name_template="grad.bvec", requires=["export_grad_fsl_bvals"],
                                 desc="write the FSL bvecs (with export_grad_fsl_bvals)")
    export_grad_fsl_bvals = OutputFile(argstr="%s", generate=False, name_template="grad.bval",
                                       requires=["export_grad_fsl"], desc="the FSL bvals")


def datatype(**metadata):
    """The ``-datatype`` option."""
    from ..base import Enum

    return Enum(*_DATATYPES, argstr="-datatype %s", desc="output data type", **metadata)


#: mrstats' columns, in the order it prints them.
_STATS_FIELDS = ("mean", "median", "std", "min", "max", "count")


def stats_column(field: str):
    """A parser of ``mrstats``' table: the ``field`` column, one float per volume."""

    def parse(stdout: str):
        rows = [line.strip() for line in stdout.splitlines() if line.strip()]
        header = _STATS_FIELDS
        if rows and rows[0].split()[0] == "volume":  # the header is not printed with -quiet
            header = tuple(rows.pop(0).split()[1:])
        if field not in header or not rows:
            return None
        index = header.index(field)
        values = []
        for line in rows:
            row = re.sub(r"^\[[^\]]*\]", "", line).split()  # drop "[ 0 ]"
            try:
                values.append(float(row[index]))
            except (IndexError, ValueError):  # "N/A" for an empty mask
                values.append(float("nan"))
        return values

    parse.__name__ = f"mrstats_{field}"
    return parse
