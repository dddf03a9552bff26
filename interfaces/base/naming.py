"""Naming outputs: where each file a tool writes goes.

Rules, in order:

1. A path given by the user is honoured (relative paths are taken relative to
   the caller's current directory, which is never changed).
2. Otherwise the name comes from ``name_template`` (``%s`` is replaced by the
   stem of the ``name_source`` input's file name).  A template without an
   extension gets that of the file passed for the source when
   ``keep_extension`` is true, or else the family's image extension for an
   image output (as nipype).
3. A name from an input source goes into the run's working directory, never
   beside the input; a name from an output source goes beside that output
   (inside it, when it is a directory).  An :class:`OutputPrefix` source
   gives its whole base name to ``%s`` (nothing is split off as extension).
4. ``{name}`` in a template is the value of input ``name``, or the stem of
   its file (``"%s_{operation}"``, ``"%s_and_{stat_image2}_overlay"``).
5. A callable ``name_template`` is a rule of the interface's own
   (``rule(namer) -> path``, e.g. a Boutiques path-template); a relative
   answer is in the run's working directory.
"""

from __future__ import annotations

import os
import re

from traits.api import Undefined

from .errors import InputError
from .specs import as_list, is_output_trait, requirement_met, trait_kind
from .traits_ import is_image_value, is_set

__all__ = ["split_ext", "Namer"]

#: Second extensions that make a compound one (``.nii.gz``, ``.tar.bz2``).
_COMPRESSED = (".gz", ".bz2", ".zst", ".xz")


def split_ext(path: str) -> tuple[str, str]:
    """Split ``path`` into (root, extension), keeping compound extensions.

    >>> split_ext("/data/sub-01_T1w.nii.gz")
    ('/data/sub-01_T1w', '.nii.gz')
    >>> split_ext("a.b/matrix")
    ('a.b/matrix', '')
    """
    root, ext = os.path.splitext(path)
    if ext.lower() in _COMPRESSED:
        root2, ext2 = os.path.splitext(root)
        if ext2:
            return root2, ext2 + ext
    return root, ext


def _source_path(value) -> str | None:
    """File name behind a source value (path, or image with a file)."""
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    if is_image_value(value):
        return value.get_filename()
    if isinstance(value, (list, tuple)) and value:  # a list input: named from its first
        return _source_path(value[0])
    return None


class Namer:
    """Resolves the paths of the outputs of one run.

    Parameters
    ----------
    interface : str
        Name for error messages.
    inputs : InputSpec
        The run's inputs.
    family : Family
        Gives the image extension.
    workdir : str
        The run's working directory (absolute).
    cwd : str
        The caller's current directory, for relative paths given by the user.
    passed : dict, optional
        ``{name: path}`` of the files passed for the inputs: the extension
        kept by ``keep_extension`` is that of the file the tool reads.
    output_type : str, optional
        The family's output type for this run (e.g. ``"NIFTI"``), overriding
        its environment variable.
    """

    def __init__(self, interface, inputs, family, workdir, cwd, passed=None, output_type=None):
        self.interface = interface
        self.output_type = output_type
        self.passed = passed or {}
        self.inputs = inputs
        self.family = family
        self.workdir = workdir
        self.cwd = cwd
        self.traits = inputs.spec_traits()
        #: ``{name: absolute path}`` of the output arguments resolved so far
        #: (None: not produced in this run).
        self.paths: dict[str, str | None] = {}

    def output_arg(self, name: str) -> str | None:
        """Absolute path for the output argument ``name``, or None when the
        run does not produce it."""
        if name in self.paths:
            return self.paths[name]
        self.paths[name] = None  # guards against name_source cycles
        ctrait = self.traits[name]
        value = getattr(self.inputs, name)
        if isinstance(value, (str, os.PathLike)):
            path = os.path.join(self.cwd, os.fspath(value))
        elif value is True or (value is Undefined and self._generates(ctrait)
                               and ctrait.name_template):
            if not ctrait.name_template:
                raise InputError(
                    f"{self.interface}: output {name!r} has no default name; "
                    f"pass {name}='path/to/file' instead of True."
                )
            path = self.from_template(name, ctrait)
        else:
            path = None
        if path is not None:
            path = os.path.abspath(path)
        self.paths[name] = path
        return path

    def _generates(self, ctrait) -> bool:
        """Whether an output argument left unset is produced: ``generate``
        is a bool, or the inputs that must be set for it (fslcomplex writes
        its magnitude image in ``real_polar`` mode only)."""
        generate = ctrait.generate
        if isinstance(generate, bool):
            return generate
        return requirement_met(generate, lambda n: is_set(getattr(self.inputs, n)))

    def _word(self, name: str) -> str:
        """Input ``name`` in a file name: a file's stem, the input's name for
        an image in memory, else the value."""
        value = getattr(self.inputs, name)
        path = _source_path(value)
        if path:
            return split_ext(os.path.basename(path))[0]
        if is_image_value(value) or (isinstance(value, (list, tuple)) and value
                                     and is_image_value(value[0])):
            return name  # an image in memory has no file name: the input's, as for %s
        return str(value)

    def from_template(self, name: str, ctrait) -> str | None:
        """Path named by ``ctrait``'s ``name_template``; None when its source
        is not set."""
        template = ctrait.name_template
        for flag, other in (ctrait.name_template_if or {}).items():
            if isinstance(flag, tuple):  # (input, value): when the input has that value
                if getattr(self.inputs, flag[0]) == flag[1]:
                    template = other
            elif is_set(getattr(self.inputs, flag)):  # e.g. fugue's "%s_vsm_unmasked"
                template = other
        if callable(template):
            # A rule of the interface's own (a Boutiques path-template): it sees
            # the whole run; a relative answer is in the run's working directory.
            path = template(self)
            return None if path is None else os.path.join(self.workdir or self.cwd, path)
        kind = trait_kind(ctrait)
        if kind is None and ctrait.inner_traits:  # a list of files found by glob
            kind = trait_kind(ctrait.inner_traits[0])
        source_name, source_value = None, None
        for candidate in as_list(ctrait.name_source):
            if candidate not in self.traits:
                raise InputError(
                    f"{self.interface}: output {name!r} is named from {candidate!r}, "
                    f"which is not an input: fix the interface's declaration."
                )
            if is_output_trait(self.traits[candidate]):
                value = self.output_arg(candidate)
            else:
                value = getattr(self.inputs, candidate)
            if is_set(value):
                source_name, source_value = candidate, value
                break
        if source_name is None and ctrait.name_source:
            return None

        source_file = _source_path(source_value)
        if source_file is None and source_name is not None and trait_kind(
            self.traits[source_name]
        ) == "file" and isinstance(self.passed.get(source_name), str):
            source_file = self.passed[source_name]  # a value its writer wrote to a file
        source_kind = trait_kind(self.traits[source_name]) if source_name else None
        if source_kind == "prefix":  # the whole base name: "sub.01" has no extension
            stem_root, source_ext = os.path.basename(source_file), ""
        elif source_file is not None:
            stem_root, source_ext = split_ext(os.path.basename(source_file))
        elif source_value is not None and not is_image_value(source_value) and not (
            isinstance(source_value, (list, tuple)) and source_value
            and is_image_value(source_value[0])
        ):
            stem_root, source_ext = str(source_value), ""
        else:
            stem_root, source_ext = "", ""
        if not stem_root:
            stem_root = source_name or name  # an in-memory image has no file name
        passed = self.passed.get(source_name)
        if isinstance(passed, str):
            source_ext = split_ext(passed)[1]

        filled = template % stem_root if "%s" in template else template
        if "{" in filled:  # "{operation}": the value of that input (UnaryMaths' %s_abs)
            filled = re.sub(r"\{(\w+)\}", lambda m: self._word(m.group(1)), filled)
        has_ext = bool(split_ext(template)[1])
        if ctrait.keep_extension:
            if not has_ext:  # as nipype: an extension in the template wins
                filled += source_ext
        elif kind == "image" and not has_ext:
            filled += self.family.output_extension(self.output_type)

        if source_name is not None and is_output_trait(self.traits[source_name]):
            # beside the output it is named from (inside it, for a directory)
            parent = source_value if source_kind == "directory" else os.path.dirname(source_value)
        else:
            parent = self.workdir
        return os.path.join(parent, filled)
