"""Image utilities: fslmaths, fslstats, fslroi, fslmerge, fslsplit,
fslreorient2std, robustfov, fslorient, fslswapdim, fslcpgeom, cluster.

Declarations only; option names are nipype's (``fslmaths`` joins nipype's
``ImageMaths`` and ``MultiImageMaths``).  The parsers turn the numbers these
tools print into Python numbers.
"""

from traits.api import Any, Undefined

from ..base import (
    Bool, Enum, File, Float, Image, Int, Interface, List, OutputFile, OutputImage,
    OutputPrefix, OutputSpec, Str, Tuple, exclusive,
)
from .family import FSL, FSLInputs

__all__ = [
    "fslmaths", "fslstats", "fslroi", "fslmerge", "fslsplit", "fslreorient2std",
    "robustfov", "fslorient", "fslswapdim", "fslcpgeom", "cluster",
    "parse_numbers", "parse_table",
]

_DATATYPES = ("float", "char", "int", "short", "double", "input")
_ORIENT_OPTIONS = [
    "get_orient", "get_sform", "get_qform", "set_sform", "set_qform", "get_sformcode",
    "get_qformcode", "set_sformcode", "set_qformcode", "copy_sform2qform",
    "copy_qform2sform", "delete_orient", "force_radiological", "force_neurological",
    "swap_orient",
]
_SWAP_AXES = ("x", "-x", "y", "-y", "z", "-z", "RL", "LR", "AP", "PA", "SI", "IS")


def _number(text: str):
    value = float(text)
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def parse_numbers(stdout: str):
    """Numbers printed by a tool, as nipype's fslstats gives them: one number,
    a list for one line of several, a list of lists for several lines.

    Text that is not numbers comes back stripped; no output gives Undefined.

    >>> parse_numbers("12.5 3 \\n")
    [12.5, 3]
    >>> parse_numbers("4\\n")
    4
    >>> parse_numbers("1 2\\n3 4\\n")
    [[1, 2], [3, 4]]
    """
    lines = [line.split() for line in stdout.splitlines() if line.strip()]
    if not lines:
        return Undefined
    try:
        rows = [[_number(item) for item in line] for line in lines]
    except ValueError:
        return stdout.strip()
    if len(rows) == 1:
        return rows[0][0] if len(rows[0]) == 1 else rows[0]
    return rows


def parse_table(stdout: str):
    """A tab-separated table with a header line (cluster's) as a list of dicts
    of numbers; an empty list when the tool printed no table."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines or "\t" not in lines[0]:
        return []
    header = [h.strip() for h in lines[0].split("\t")]
    rows = []
    for line in lines[1:]:
        cells = [c.strip() for c in line.split("\t")]
        try:
            rows.append({h: _number(c) for h, c in zip(header, cells)})
        except ValueError:
            continue  # a line that is not part of the table
    return rows


class fslmaths(Interface):
    """Image arithmetic, raw: ``op_string`` holds fslmaths' operations.

    ``op_string="-add %s -mul 2"`` with ``operand_files=[img]`` passes the
    images (in memory or not) in place of each ``%s``.  For a chainable form,
    use :func:`interfaces.fsl.maths`.
    """

    executable = "fslmaths"
    family = FSL

    class Inputs(FSLInputs):
        internal_datatype = Enum(*_DATATYPES, argstr="-dt %s", position=1,
                                 desc="datatype to use for calculations (default float)")
        in_file = Image(argstr="%s", position=2, mandatory=True, desc="image to operate on")
        nan2zeros = Bool(argstr="-nan", position=3,
                         desc="change NaNs to zeros before doing anything")
        op_string = Str(argstr="%s", position=4, split=True, fill_from="operand_files",
                        desc="operations, e.g. '-add %s -thr 10'; each %s takes the next "
                             "of operand_files")
        operand_files = List(Image(), one_or_more=True,
                             desc="images to put in place of the %s of op_string")
        in_file2 = Image(argstr="%s", position=5,
                         desc="image operand of the last operation (nipype's ImageMaths)")
        mask_file = Image(argstr="-mas %s",
                          desc="use (following image>0) to mask current image")
        out_file = OutputImage(argstr="%s", position=-2, name_source="in_file",
                               name_template="%s_maths", desc="image to write")
        output_datatype = Enum(*_DATATYPES, argstr="-odt %s", position=-1,
                               xor=["out_data_type"],
                               desc="datatype of the output (default: input type)")
        out_data_type = Enum(*_DATATYPES, argstr="-odt %s", position=-1,
                             xor=["output_datatype"],
                             desc="the same as output_datatype (nipype's ImageMaths name)")


class fslstats(Interface):
    """Statistics of an image, returned as numbers (``out_stat``).

    ``op_string`` holds fslstats' options in order (``"-M -l 10 -M"``); a
    ``-k %s`` in it takes ``mask_file``.
    """

    executable = "fslstats"
    family = FSL

    class Inputs(FSLInputs):
        split_4d = Bool(argstr="-t", position=1,
                        desc="a separate output line for each 3D volume of a 4D image")
        index_mask_file = Image(argstr="-K %s", position=2,
                                desc="statistics per index 1..n of this index mask")
        in_file = Image(argstr="%s", position=3, mandatory=True,
                        desc="image to compute statistics of")
        op_string = Str(argstr="%s", position=4, mandatory=True, split=True,
                        fill_from="mask_file", fill_optional=True,
                        desc="options, applied in order, e.g. '-k %s -M -S'")
        mask_file = Image(desc="mask put in place of '-k %s' in op_string (ignored, with "
                               "a warning, when op_string has none, as nipype)")

    class Outputs(OutputSpec):
        out_stat = Any(from_stdout=parse_numbers,
                       desc="a number, a list (several options), or a list of lists "
                            "(split_4d or index_mask_file)")


class fslroi(Interface):
    """Extract a region of interest (voxel ranges, and volumes of a 4D image).

    Give ``t_min``/``t_size`` alone, ``x...z`` alone, or all eight.
    """

    executable = "fslroi"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="input image")
        roi_file = OutputImage(argstr="%s", position=1, name_source="in_file",
                               name_template="%s_roi", desc="output image")
        x_min = Int(argstr="%d", position=2, desc="first x voxel")
        x_size = Int(argstr="%d", position=3, desc="number of x voxels (-1: all)")
        y_min = Int(argstr="%d", position=4, desc="first y voxel")
        y_size = Int(argstr="%d", position=5, desc="number of y voxels")
        z_min = Int(argstr="%d", position=6, desc="first z voxel")
        z_size = Int(argstr="%d", position=7, desc="number of z voxels")
        t_min = Int(argstr="%d", position=8, desc="first volume")
        t_size = Int(argstr="%d", position=9, desc="number of volumes")
        crop_list = List(Tuple(Int(), Int()), argstr="%d %d...", position=2,
                         xor=["x_min", "x_size", "y_min", "y_size", "z_min", "z_size",
                              "t_min", "t_size"],
                         desc="(min, size) per dimension, e.g. [(0, 10), (5, 20), (0, -1)]")


class fslmerge(Interface):
    """Concatenate images along a dimension (``dimension='tr'`` sets the TR)."""

    executable = "fslmerge"
    family = FSL

    class Inputs(FSLInputs):
        dimension = Enum("t", "x", "y", "z", "a", "tr", argstr="-%s", position=0,
                         mandatory=True,
                         desc="dimension to merge along ('a': auto; 'tr': time, with tr)")
        merged_file = OutputImage(argstr="%s", position=1, name_source="in_files",
                                  name_template="%s_merged", desc="merged image")
        in_files = List(Image(), argstr="%s", position=2, mandatory=True, minlen=1,
                        desc="images to merge")
        tr = Float(argstr="%.2f", position=-1, desc="TR in seconds, with dimension='tr'")


class fslsplit(Interface):
    """Split an image into one image per slice or volume (``out_files``)."""

    executable = "fslsplit"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=0, mandatory=True, desc="input image")
        out_base_name = OutputPrefix(argstr="%s", position=1, name_template="vol",
                                     desc="prefix of the outputs (default 'vol')")
        dimension = Enum("t", "x", "y", "z", argstr="-%s", position=2, mandatory=True,
                         desc="dimension to split along")

    class Outputs(OutputSpec):
        out_files = List(Image(), name_source="out_base_name", name_template="%s*",
                         desc="the pieces, in order")


class fslreorient2std(Interface):
    """Reorient an image to the standard (MNI) orientation, by 90 degree turns."""

    executable = "fslreorient2std"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", mandatory=True, desc="input image")
        out_file = OutputImage(argstr="%s", name_source="in_file",
                               name_template="%s_reoriented", desc="reoriented image")


class robustfov(Interface):
    """Crop the neck and lower head away (automatic field of view)."""

    executable = "robustfov"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", position=0, mandatory=True, desc="input image")
        out_roi = OutputImage(argstr="-r %s", name_source="in_file",
                              name_template="%s_ROI", desc="cropped image")
        brainsize = Int(argstr="-b %d",
                        desc="size of the brain in z, mm (default 170 mm / 150 mm)")
        out_transform = OutputFile(argstr="-m %s", name_source="in_file",
                                   name_template="%s_to_ROI.mat",
                                   desc="matrix from in_file to out_roi")


class fslorient(Interface):
    """Read or change the orientation information of a header.

    The tool edits its input in place: it gets a private copy, returned as
    ``out_file``; your file is never modified.  Values it prints (``get_*``)
    come back as ``value``: a number, 16 numbers (a matrix), or text such as
    ``"RADIOLOGICAL"``.
    """

    executable = "fslorient"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=-1, mandatory=True, copy=True,
                        formats=("nifti1", "analyze"), desc="image to read or change")
        get_orient = Bool(argstr="-getorient",
                          desc="print RADIOLOGICAL or NEUROLOGICAL")
        get_sform = Bool(argstr="-getsform", desc="print the sform")
        get_qform = Bool(argstr="-getqform", desc="print the qform")
        set_sform = List(Float(), minlen=16, maxlen=16, argstr="-setsform %s", desc="set the sform (16 numbers, row by row)")
        set_qform = List(Float(), minlen=16, maxlen=16, argstr="-setqform %s", desc="set the qform (16 numbers, row by row)")
        get_sformcode = Bool(argstr="-getsformcode",
                             desc="print the sform code")
        get_qformcode = Bool(argstr="-getqformcode",
                             desc="print the qform code")
        set_sformcode = Int(argstr="-setsformcode %d", desc="set the sform code")
        set_qformcode = Int(argstr="-setqformcode %d", desc="set the qform code")
        copy_sform2qform = Bool(argstr="-copysform2qform",
                                desc="copy the sform into the qform")
        copy_qform2sform = Bool(argstr="-copyqform2sform",
                                desc="copy the qform into the sform")
        delete_orient = Bool(argstr="-deleteorient",
                             desc="delete the orientation information")
        force_radiological = Bool(argstr="-forceradiological",
                                  desc="make the header radiological (flips the data)")
        force_neurological = Bool(argstr="-forceneurological",
                                  desc="make the header neurological (flips the data)")
        swap_orient = Bool(argstr="-swaporient",
                           desc="swap between radiological and neurological")

        groups = (exclusive(*_ORIENT_OPTIONS),)

    class Outputs(OutputSpec):
        out_file = Image(modified_input="in_file", desc="the (copied) image, as changed")
        value = Any(from_stdout=parse_numbers, desc="what a get_* option printed")


class fslswapdim(Interface):
    """Reorder or flip the axes of an image (``new_dims=("-x", "y", "z")``)."""

    executable = "fslswapdim"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=1, mandatory=True, desc="input image")
        new_dims = Tuple(Enum(*_SWAP_AXES), Enum(*_SWAP_AXES), Enum(*_SWAP_AXES), argstr="%s %s %s",
                         mandatory=True, desc="new order of the axes, e.g. ('-x', 'y', 'z')")
        out_file = OutputImage(argstr="%s", name_source="in_file",
                               name_template="%s_newdims", desc="reordered image")


class fslcpgeom(Interface):
    """Copy the header geometry of ``in_file`` onto ``dest_file``.

    fslcpgeom edits its destination in place: it gets a private copy,
    returned as ``out_file``; your file is never modified.
    """

    executable = "fslcpgeom"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="%s", position=0, mandatory=True,
                        desc="image whose geometry is copied")
        dest_file = Image(argstr="%s", position=1, mandatory=True, copy=True,
                          formats=("nifti1", "analyze"),
                          desc="image that receives the geometry (a copy is changed)")
        ignore_dims = Bool(argstr="-d", position=-1, desc="do not copy image dimensions")

    class Outputs(OutputSpec):
        out_file = Image(modified_input="dest_file", desc="dest_file with the new geometry")


def _asked(kind, argstr, template, also, desc):
    """An output cluster writes when asked for (a path, or True for the
    default name after in_file), read also under nipype's output name."""
    return kind(argstr=argstr, name_source="in_file", name_template=template,
                generate=False, also=also, desc=desc)


class cluster(Interface):
    """Find clusters in a statistic image and report them (``clusters``: the
    table as a list of dicts of numbers).

    Ask for the ``out_*`` images with a path, or ``True`` for the default name.
    """

    executable = "cluster"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="--in=%s", mandatory=True, desc="input volume")
        threshold = Float(argstr="--thresh=%.10f", mandatory=True,
                          desc="threshold for input volume")
        out_index_file = _asked(OutputImage, "--oindex=%s", "%s_index", "index_file",
                                "cluster index, in size order")
        out_threshold_file = _asked(OutputImage, "--othresh=%s", "%s_threshold",
                                    "threshold_file", "thresholded image")
        out_localmax_txt_file = _asked(OutputFile, "--olmax=%s", "%s_localmax.txt",
                                       "localmax_txt_file", "local maxima text file")
        out_localmax_vol_file = _asked(OutputImage, "--olmaxim=%s", "%s_localmax",
                                       "localmax_vol_file", "local maxima volume")
        out_size_file = _asked(OutputImage, "--osize=%s", "%s_size", "size_file", "size image")
        out_max_file = _asked(OutputImage, "--omax=%s", "%s_max", "max_file", "max image")
        out_mean_file = _asked(OutputImage, "--omean=%s", "%s_mean", "mean_file", "mean image")
        out_pval_file = _asked(OutputImage, "--opvals=%s", "%s_pval", "pval_file",
                               "image of log p-values")
        pthreshold = Float(argstr="--pthresh=%.10f", requires=["dlh", "volume"],
                           desc="p-threshold for clusters")
        peak_distance = Float(argstr="--peakdist=%.10f",
                              desc="minimum distance between local maxima, mm")
        cope_file = Image(argstr="--cope=%s", desc="cope volume")
        volume = Int(argstr="--volume=%d", desc="number of voxels in the mask")
        dlh = Float(argstr="--dlh=%.10f", desc="smoothness estimate = sqrt(det(Lambda))")
        fractional = Bool(argstr="--fractional",
                          desc="the threshold is a fraction of the robust range")
        connectivity = Int(argstr="--connectivity=%d",
                           desc="connectivity of voxels (default 26)")
        use_mm = Bool(argstr="--mm", desc="use mm, not voxel, coordinates")
        find_min = Bool(argstr="--min", desc="find minima instead of maxima")
        no_table = Bool(argstr="--no_table", desc="suppress the table")
        minclustersize = Bool(argstr="--minclustersize",
                              desc="print the minimum significant cluster size")
        xfm_file = File(argstr="--xfm=%s",
                        desc="input-to-standard matrix (linear) or input-to-highres")
        std_space_file = Image(argstr="--stdvol=%s", desc="standard-space volume")
        num_maxima = Int(argstr="--num=%d", desc="number of local maxima to report")
        warpfield_file = Image(argstr="--warpvol=%s", desc="warp field")

    class Outputs(OutputSpec):
        clusters = Any(from_stdout=parse_table,
                       desc="the printed table: one dict per cluster, by column name")
