"""The dcm2niix family and wrapper: declarations only."""

import json

from traits.api import Dict

from ..base import (
    Bool, Directory, Enum, Family, File, Image, InputSpec, Int, Interface, List,
    OutputDirectory, OutputSpec, Str,
)

__all__ = ["dcm2niix", "DCM2NIIX"]

DCM2NIIX = Family(
    "dcm2niix",
    package_hint="Install dcm2niix (Debian: apt-get install dcm2niix; or "
                 "https://github.com/rordenlab/dcm2niix/releases).",
    image_extension=".nii",
    # `dcm2niix --version` prints its version and exits 3 by design: fine,
    # any exit status is read.
)


def _read_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _yes_no(option, desc, choices=("y", "n")):
    return Enum(*choices, argstr=f"{option} %s", desc=desc)


def _found(pattern, **metadata):
    """Files dcm2niix wrote into ``out_dir``, in name order."""
    return dict(name_source="out_dir", name_template=pattern, **metadata)


class dcm2niix(Interface):
    """Convert a folder of DICOM files to NIfTI images and BIDS JSON sidecars.

    Outputs are lists in file-name order: ``images[i]`` and ``sidecars[i]``
    belong together when every series has a sidecar (the default, ``bids="y"``).
    """

    executable = "dcm2niix"
    family = DCM2NIIX

    class Inputs(InputSpec):
        in_dir = Directory(argstr="%s", position=-1, mandatory=True,
                           desc="folder of DICOM files")
        out_dir = OutputDirectory(argstr="-o %s", name_template="dcm2niix",
                                  desc="output folder (created)")
        filename = Str(argstr="-f %s",
                       desc="output name template, e.g. '%s_%p' (series number, protocol)")
        compress = _yes_no("-z", "gz compress: y pigz, o optimal, i internal, n no, 3 3D",
                           ("y", "o", "i", "n", "3"))
        compression_level = Int(argstr="-%d", desc="gz compression level 1-9 [6]")
        adjacent = _yes_no("-a", "DICOMs of one series are in one folder (faster)")
        bids = _yes_no("-b", "BIDS sidecar: y, n, o (only the sidecar)", ("y", "n", "o"))
        anonymize = _yes_no("-ba", "anonymise the BIDS sidecar")
        comment = Str(argstr="-c %s", desc="comment in the NIfTI aux_file (24 characters)")
        depth = Int(argstr="-d %d", desc="sub-folder search depth 0-9 [5]")
        export_format = _yes_no("-e", "export as NRRD (y), MGH (o), NIfTI (n)...",
                                ("y", "n", "o", "j", "b"))
        ignore_derived = _yes_no("-i", "ignore derived, localizer and 2D images")
        scale16 = _yes_no("-l", "losslessly scale 16-bit integers: y, n, o", ("y", "n", "o"))
        merge = _yes_no("-m", "merge 2D slices: n, y, 0, 1, 2 (auto)", ("n", "y", "0", "1", "2"))
        series = List(Str, argstr="-n %s...", desc="convert only these series CRC numbers")
        philips_precise = _yes_no("-p", "Philips precise float (not display) scaling")
        single_file = _yes_no("-s", "single file mode")
        verbose = _yes_no("-v", "verbosity: n, y, 0, 1, 2", ("n", "y", "0", "1", "2"))
        write_behavior = Enum(0, 1, 2, argstr="-w %d",
                              desc="name conflicts: 0 skip, 1 overwrite, 2 add suffix")
        crop = _yes_no("-x", "crop 3D acquisitions: y, n, i", ("y", "n", "i"))
        big_endian = _yes_no("--big-endian", "byte order: y, n, o", ("y", "n", "o"))
        ignore_trigger_times = Bool(argstr="--ignore_trigger_times",
                                    desc="disregard trigger times")
        terse = Bool(argstr="--terse", desc="omit file name post-fixes")

    class Outputs(OutputSpec):
        images = List(Image(), **_found("*.nii*"), desc="the NIfTI images")
        sidecars = List(Dict(), **_found("*.json"), reader=_read_json,
                        desc="the JSON sidecars, as dicts")
        sidecar_files = List(File(), **_found("*.json"), desc="the JSON sidecars' paths")
        bvals = List(File(), **_found("*.bval"), desc="b-value files")
        bvecs = List(File(), **_found("*.bvec"), desc="b-vector files")
