"""Trait types for files and images, and the standard traits wrappers use.

An input spec declares each argument of a tool as a trait whose metadata says
how it appears on the command line (nipype's vocabulary):

``argstr``
    ``%``-format of the argument, split on whitespace into argv items,
    e.g. ``"-f %.2f"`` gives ``["-f", "0.40"]``.  A :class:`~traits.api.Bool`
    adds its ``argstr`` when true.  A list ending in ``...`` repeats the
    argument per element.
``position``
    place on the command line: ``0, 1, ...`` first, then unpositioned
    arguments in alphabetical order of name, then ``..., -2, -1``.
``mandatory``, ``xor``, ``requires``
    checked before anything runs.  ``requires`` of an output: it is
    produced when those inputs are set; an item ``(input, value)``, when
    that input has that value.
``sep``
    joins the elements of a list into one argv item.
``desc``
    one-line description, used in help text and docstrings.
``name_source``, ``name_template``, ``keep_extension``
    name an output that was not given from another input, e.g. ``"%s_brain"``
    from ``in_file``.
``name_template_if``
    ``{input: template}``: the template used instead when that input is set
    (fugue's shift map is ``%s_vsm_unmasked`` with ``save_unmasked_shift``);
    a key ``(input, value)``: when that input has that value (fnirtfileutils'
    ``%s_coeffs`` with ``out_format="spline"``).
``generate`` (output arguments)
    produce the output under its default name when not given: True, False
    (only when asked), or the inputs that must be set for it (a name, a
    list, ``any_of(...)``: fslcomplex writes a magnitude image in
    ``real_polar`` mode only).
``printed`` (output arguments)
    the tool prints this file on its standard output instead of writing
    it (img2imgcoord's coordinates): the base writes the output there after
    the run -- the whole stdout, or ``printed(stdout)`` (text) when a
    callable.
``default_from``
    ``(source, rule)``: when unset, the input is passed as ``rule(value of
    source)`` if the source is set, the value as given (applytopup's
    ``--inindex=1,2,...``; probtrackx's ``--mode``, simple for voxels).
``one_or_more`` (lists)
    a single item is taken as a list of one (nipype's ``InputMultiPath``).
``min_ver``, ``max_ver``
    tool versions that support the input.
``split``
    the value is itself several arguments, split as a POSIX shell would
    (fslmaths' ``op_string``).
``fill_from``
    with ``split``: each ``%s`` item takes the next file of that list input
    (nipype's ``op_string`` with ``operand_files``).
``formatter``
    ``formatter(value, values) -> str or list``: the argument, when it
    depends on other inputs or maps a value (nipype's ``_format_arg``); a
    str is split on whitespace.
``fill_optional``
    with ``fill_from``: files beyond the ``%s`` items are left out, with a
    warning, instead of an error (fslstats' ``mask_file`` without ``-k %s``).
``scale``
    a number is multiplied by it before formatting (a change of unit, e.g.
    nipype's susan ``fwhm`` passed as a sigma).
``len_argstr``
    a list is preceded by its length in this format, e.g. ``"-S %d"``.
``writer``, ``suffix`` (``File`` inputs)
    accept a value that is not a path (a dict, an array): ``writer(value,
    path)`` writes it into the run's working directory at run time.
``reader`` (file outputs)
    the output is ``reader(path)`` (e.g. a JSON sidecar as a dict).
``optional`` (outputs)
    the tool may not write it (or print it): Undefined instead of an error.
    True: in any run; an input's name, or a list of them: only in a run
    where one of them is set (bet's ``out_file`` with ``no_output``), so a
    missing output is an error in every other run.
``also`` (outputs)
    another name (or a list of names) the output is read under in
    ``res.outputs``: nipype's, where it differs (SUSAN's ``smoothed_file``).
``exclude`` (list outputs found by glob)
    a pattern (``*`` a wildcard) of base names the glob leaves out, those
    of another output (eddy_quad's ``avg_b*.png`` but ``avg_b0_pe*.png``).
``stage`` (file, image and directory inputs, and lists of them)
    the tool reads this input from its working folder, by name: it is
    linked into the run's folder and passed as that path -- under its own
    base name (True) or under this one, an image's extension kept
    (``"sigmasquareds"``; ``"pe%d"`` numbers a list from 1; a file gets the
    name exactly: ``"bvecs"``); ``{input}`` in the name is that input's
    value, or an output argument's path, and a folder in it is made
    (bedpostx's ``"{out_dir}/data"``, probtrackx's
    ``"{samples_base_name}_th%dsamples"``); or under ``stage(run, index,
    path)``, a name computed from the run, extension kept (tbss_non_FA's
    images under their subjects' names); nipype's ``copyfile=False``.  A
    directory is rebuilt as a tree -- its folders made, its files linked --
    so the tool can write beside them and the folder given is left as it
    was; ``"."`` rebuilds it as the run's folder itself (TBSS's scripts,
    which work in a folder of earlier steps).
``stage_exclude`` (staged directories)
    patterns of paths in the folder (``*`` a wildcard, ``{input}`` the value
    of an input) not linked, because the tool writes them anew: through a
    link it would write into the folder given (``"stats/all_{measure}*"``).
``listed`` (list inputs)
    the tool reads the list from a text file, one element a line (probtrackx'
    ``--targetmasks``): the elements are handed over, written to this file
    in the run's folder (``"targets.txt"``), and its path is passed; a list
    element (a voxel's coordinates) is one line of numbers.
``create`` (output directories)
    False: the tool makes the folder itself, so it is not made before the
    run (FSL's flameo or film_gls write into ``stats+`` when ``stats``
    exists).
``selects_output_type``
    this input (e.g. FSL's ``output_type``) overrides the family's
    ``output_type_env`` for the run: output names and the tool's environment.

and for images (ours):

``formats``
    file extensions the tool reads, e.g. ``(".nii", ".nii.gz")``; an image in
    another format is passed as a converted temporary.
``copy``
    the tool modifies this input in place: pass a private copy.

Values that are not set are :data:`~traits.api.Undefined`.
"""

from __future__ import annotations

import os
import sys

from traits.api import (  # noqa: F401  (re-exported for wrappers)
    Bool,
    Enum,
    Float,
    Int,
    List,
    Str,
    TraitType,
    Tuple,
    Undefined,
)

__all__ = [
    "Image",
    "File",
    "Directory",
    "ImageOrValue",
    "OutputImage",
    "OutputFile",
    "OutputDirectory",
    "OutputPrefix",
    "Bool",
    "Enum",
    "Float",
    "Int",
    "List",
    "Str",
    "Tuple",
    "Undefined",
    "is_set",
    "is_image_value",
]


def is_set(value) -> bool:
    """Whether an input counts as given: defined and not ``False``."""
    return value is not Undefined and value is not None and value is not False


def is_image_value(value) -> bool:
    """Whether ``value`` is a nibabel image (imagecache images included)."""
    # nibabel is only imported by whoever made the image: no import here.
    spatialimages = sys.modules.get("nibabel.spatialimages")
    return spatialimages is not None and isinstance(value, spatialimages.SpatialImage)


def _normalise_formats(formats):
    if formats is None:
        return None
    if isinstance(formats, str):
        formats = (formats,)
    # Family tokens ("nifti1", "nifti1:.nii") are imagecache's; only bare
    # extensions ("nii.gz") get their dot.
    families = ("nifti1", "nifti2", "analyze", "mgh", "minc")
    return tuple(
        f if f.startswith(".") or f.split(":")[0].lower() in families else "." + f
        for f in formats
    )


class _PathTrait(TraitType):
    """A str or os.PathLike; kept as given, made absolute at run time."""

    default_value = Undefined
    info_text = "a path (str or os.PathLike)"
    #: What the run does with a value of this type.
    kind = "file"
    #: Whether this trait names something the tool writes.
    is_output = False

    def validate(self, obj, name, value):
        if isinstance(value, (str, os.PathLike)) and os.fspath(value) != "":
            return value
        self.error(obj, name, value)


class File(_PathTrait):
    """A file the tool reads (an input) or writes (in an output spec).

    Parameters
    ----------
    exists : bool, default True
        As an input, the file must exist when the run starts.
    writer : callable, optional
        As an input, also accept a value that is not a path (a dict of
        parameters, an array): ``writer(value, path)`` writes it to a file in
        the run's working directory at run time, and the tool gets that file
        (elastix parameter maps, NiftyReg affine matrices).
    suffix : str, optional
        Extension of the file ``writer`` writes, e.g. ``".txt"``.
    reader : callable, optional
        As an output, the value is ``reader(path)`` (e.g. a JSON sidecar as
        a dict) instead of the path.
    **metadata
        Command-line metadata (``argstr``, ``position``, ...).
    """

    info_text = "the path of a file (str or os.PathLike)"

    def __init__(self, *, exists=True, **metadata):
        super().__init__(exists=exists, **metadata)
        if metadata.get("writer") is not None:
            self.info_text = "the path of a file, or a value to write to one"

    def validate(self, obj, name, value):
        writer = self._metadata.get("writer")
        if writer is not None and not isinstance(value, (str, os.PathLike)) and value is not None:
            return value  # written to a file at run time
        return super().validate(obj, name, value)


class Directory(_PathTrait):
    """A directory the tool reads; it must exist when the run starts."""

    info_text = "the path of a directory (str or os.PathLike)"
    kind = "directory"

    def __init__(self, *, exists=True, **metadata):
        super().__init__(exists=exists, **metadata)


class Image(TraitType):
    """An image: a nibabel image, an imagecache image, or the path of a file.

    As an input, the value is turned into a file at ``run()`` time (the image
    may change between assignment and run) by :func:`imagecache.prepare_file`:
    a clean file-backed image passes its own file and writes nothing.  In an
    output spec, the output is returned as ``imagecache.load(path)``.

    Parameters
    ----------
    formats : tuple of str, optional
        Extensions the tool reads, e.g. ``(".nii", ".nii.gz")``.  Default: the
        family's ``image_formats``.
    copy : bool, default False
        The tool modifies this input in place: pass a private copy, deleted
        after the run unless an output is declared as that ``modified_input``.
    **metadata
        Command-line metadata (``argstr``, ``position``, ...).
    """

    default_value = Undefined
    info_text = "a nibabel image, or the path of an image file"
    kind = "image"
    is_output = False

    def __init__(self, *, formats=None, copy=False, **metadata):
        super().__init__(formats=_normalise_formats(formats), copy=copy, **metadata)

    def validate(self, obj, name, value):
        if isinstance(value, (str, os.PathLike)) and os.fspath(value) != "":
            return value
        if is_image_value(value):
            return value
        self.error(obj, name, value)


class ImageOrValue(Image):
    """An operand: an image handed over as a file, or any other value as text.

    For tools whose arguments mix images with numbers and operators
    (``mrcalc a.nii 2 -mult out.nii``).  A nibabel image is passed as
    :class:`Image` passes it; a path naming an existing file or folder is
    made absolute; anything else (a number, ``"-add"``, ``"pi"``) is passed
    as ``str(value)``.
    """

    info_text = "a nibabel image, a path, a number or a string"

    def validate(self, obj, name, value):
        if isinstance(value, (str, int, float, os.PathLike)) and not isinstance(value, bool):
            return value
        return super().validate(obj, name, value)


class OutputFile(_PathTrait):
    """A file the tool writes, named on its command line.

    Give a path to choose where it goes; leave it unset to have it named
    from ``name_template`` in the run's working directory; ``True`` asks for an
    output with ``generate=False`` under its default name.  It is also an
    output of the run, under the same name, returned as a path.

    Parameters
    ----------
    name_source : str or list of str, optional
        Input whose file name stem fills ``%s`` in ``name_template``.
    name_template : str, optional
        e.g. ``"%s_flirt.mat"``.
    keep_extension : bool, default False
        Append the extension of ``name_source``'s file.
    generate : bool, default True
        Produce this output when not given (False: only when asked).
    **metadata
        Command-line metadata (``argstr``, ``position``, ...).
    """

    info_text = "the path to write (str or os.PathLike), or True for the default name"
    is_output = True

    def __init__(self, *, generate=True, **metadata):
        super().__init__(generate=generate, **metadata)

    def validate(self, obj, name, value):
        if value is True or value is False:
            return value
        return super().validate(obj, name, value)


class OutputImage(OutputFile):
    """An image the tool writes, named on its command line.

    Like :class:`OutputFile`, but returned as an imagecache image, and a
    ``name_template`` without ``keep_extension`` gets the family's image
    extension (e.g. from ``FSLOUTPUTTYPE``).
    """

    kind = "image"
    info_text = "the path of the image to write (str or os.PathLike), or True"


class OutputDirectory(OutputFile):
    """A directory the tool writes into; created before the run, unless
    declared ``create=False`` (the tool makes it)."""

    kind = "directory"
    info_text = "the path of the directory to write into (str or os.PathLike), or True"


class OutputPrefix(OutputFile):
    """A prefix the tool completes into the names of the files it writes
    (``fast -o``, ``topup --out``), named on its command line.

    Named like :class:`OutputFile` (without extension), but nothing is
    expected at the prefix itself: it is returned as a path, and outputs named
    from it (``name_source``) go beside it, their ``%s`` being its whole base
    name.
    """

    kind = "prefix"
    info_text = "a path prefix for the files to write (str or os.PathLike), or True"
