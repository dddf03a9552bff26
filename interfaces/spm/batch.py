"""SPM batch jobs: an interface whose "command line" is a generated script.

A wrapper declares its ``matlabbatch`` module and maps each input to a field
of the job (nipype's ``field`` vocabulary)::

    class smooth(SPMBatch):
        '''Smooth images with a Gaussian kernel.'''
        job = "spatial.smooth"
        fixed = {"prefix": "s"}

        class Inputs(InputSpec):
            in_files = List(Image(), field="data", mandatory=True)
            fwhm = List(Float(), field="fwhm")

        class Outputs(OutputSpec):
            smoothed_files = written(List(Image()), "s%s", of="in_files")

Everything else lives here: a run

1. stages every image input in the run's working directory (SPM writes its
   outputs beside its inputs): a private copy is moved there, an input SPM
   only reads is linked there (a hard link for an in-memory image's
   temporary, so the kept script still runs after the temporary is gone);
2. writes ``<tool>_job.m`` there: ``matlabbatch{1}.spm.<job>...`` built
   from the inputs, inside a ``try``/``catch`` that writes
   ``<tool>_job_error.txt`` on error and ``<tool>_job_done.txt`` (SPM's
   version) on success;
3. runs it with the engine (:mod:`.engines`); the run failed when the exit
   status says so, when the error marker exists (the exception quotes
   SPM's own report of the failure from its output), when SPM printed that
   it refused a value of the job (``Item '...', field '...': ...``, see
   :mod:`.output`), or when the done marker does not exist;
4. finds the outputs SPM wrote from their names (``r%s``, ``mean%s``,
   ``rp_%s.txt``...) and returns images as imagecache images, ``.txt``
   parameter files as numpy arrays.

Input metadata (besides the base's ``mandatory``, ``xor``, ``requires``,
``desc``, and ``copy``/``formats`` for images):

``field``
    dotted path of the value in the job (``"eoptions.quality"``).
``scans``
    for images: ``"all"`` (default; one ``'file,N'`` per volume of a 4D
    series), ``"first"`` (``'file,1'``) or ``"file"`` (the bare path).
``sessions``
    for a list of images: one cell per image (SPM's sessions) instead of
    one list of every volume.
``struct``
    for a list of tuples: a struct array whose fields are these names.
``dir_field``
    for an :class:`OutputImage`: the job field that takes its folder (the
    file's own field takes its name).

``tpm_classes``
    for a :class:`File`: a tissue probability map that becomes segment's
    ``tissue`` struct array, one class per volume (see
    :func:`.config.tissue_classes`).
``default_tpm``
    when every input so marked is unset, SPM reads ``tpm/TPM.nii`` in its
    own folder: a run checks that the file exists before starting SPM.

Values: ``Bool`` becomes 1/0, images and files become cell arrays of
paths, tuples and lists of numbers become vectors (matrices when nested).
Numbers are then brought to the size SPM's configuration requires of their
field (:mod:`.config`): a single number given for a field of one quantity
per axis (``fwhm``, voxel sizes) is repeated, any other size is refused
before anything runs.
"""

from __future__ import annotations

import os
import shlex
import shutil

from traits.api import Array, TraitType, Undefined

from ..base import ExecutableNotFoundError, InputError, InputFileNotFoundError, Interface
from ..base.specs import is_output_trait, trait_kind
from . import engines, output
from .config import conform, tissue_classes
from .family import SPM
from .mcode import Cell, assignments, string

__all__ = ["SPMBatch", "Scan", "written"]

#: Suffixes of the marker files next to the script.
ERROR_MARKER = "_error.txt"
DONE_MARKER = "_done.txt"


class Scan(TraitType):
    """One volume of an image file: ``"path"`` or ``("path", frame)``.

    Becomes ``{'path,frame'}`` in the job (frame 1 when not given); the
    file is read where it is (not staged), e.g. a tissue probability map.
    """

    default_value = Undefined
    info_text = "a path, or a (path, frame) pair"

    def validate(self, obj, name, value):
        if isinstance(value, (str, os.PathLike)) and os.fspath(value):
            return value
        if (isinstance(value, tuple) and len(value) == 2
                and isinstance(value[0], (str, os.PathLike)) and isinstance(value[1], int)
                and not isinstance(value[1], bool) and value[1] >= 1):
            return value
        self.error(obj, name, value)


def written(trait, template: str, *, of: str, first=False, optional=False,
            requires=None, classes=False, desc=""):
    """Declare an output SPM writes beside the staged files of input ``of``.

    Parameters
    ----------
    trait : TraitType
        ``Image()``, ``File()``, ``Array()`` (a text file read with
        :func:`numpy.loadtxt`), or a ``List``/``Dict`` of those.
    template : str
        The file's name; ``%s`` is the stem of the staged input (``"r%s"``,
        ``"rp_%s.txt"``).  Without an extension, the input's is appended.
    of : str
        The input whose staged files name the output: one output per file,
        or only for the first with ``first=True``.
    optional : bool
        The output depends on options SPM may default (found when written).
    requires : str or list of str, optional
        Inputs that must be set for the output to be expected.
    classes : bool
        ``template`` has ``%d`` for a tissue class (``"c%d%s"``): the value is
        a dict ``{class: output}`` of the classes written (1 to 9).
    """
    return trait.clone(
        discovered=True, template=template, of=of, first=first, optional=optional,
        requires=requires, classes=classes, desc=desc,
    )


def _stem_ext(path: str) -> tuple[str, str]:
    name = os.path.basename(path)
    for ext in (".nii", ".img", ".hdr", ".mat"):
        if name.lower().endswith(ext):
            return name[: -len(ext)], name[-len(ext):]
    return os.path.splitext(name)


class SPMBatch(Interface):
    """Base of SPM wrappers: one ``matlabbatch`` module run by an engine.

    Subclasses declare ``job`` (the module under ``spm.``, e.g.
    ``"spatial.realign.estwrite"``), ``fixed`` (job fields always set, e.g.
    the output prefix SPM's outputs are found by), ``Inputs`` and
    ``Outputs``.
    """

    family = SPM
    #: Trait metadata of SPM wrappers: where each input goes in the job, and
    #: how discovered outputs are found.
    extra_metadata = frozenset({"field", "scans", "sessions", "struct", "dir_field",
                                "template", "of", "first", "classes", "tpm_classes",
                                "default_tpm"})
    #: The module under ``matlabbatch{1}.spm.``.
    job: str | None = None
    #: ``{field: value}`` set in every job of this module.
    fixed: dict = {}

    def __init_subclass__(cls, **kwargs):
        if cls.__dict__.get("job"):
            cls.executable = "spm"  # what `imageshell list` shows; the engine runs
        super().__init_subclass__(**kwargs)
        cls._writes_files = True  # SPM always writes beside its (staged) inputs

    @classmethod
    def executable_path(cls) -> str | None:
        """The engine's program (MATLAB, Octave or the standalone), or None."""
        engine = engines.find_engine()
        return engine.executable if engine else None

    # -- the run's hooks -----------------------------------------------------

    @classmethod
    def command(cls, executable, values, run=None):
        if run is None:
            raise TypeError(f"{cls.full_name()}: the command line of an SPM batch is made by "
                            f"a run (it writes the batch script): call run().")
        engine = engines.find_engine()
        if engine is None:
            raise ExecutableNotFoundError(f"{run.name}: {engines.missing_hint()}")
        if run.dry:  # a preview: the engine's command, with no script staged or written
            return engine.argv(os.path.join(run.workdir, f"{cls.__name__}_job.m"))
        _check_default_tpm(cls, run, engine)
        # The job's values are checked (config.conform) before anything is
        # placed in the working directory.
        cls.job_values(run, values, {
            name: [p.path for p in (prepared if isinstance(prepared, list) else [prepared])]
            for name, prepared in run.prepared.items()
        })
        staged = _stage_inputs(run)
        run.state["staged"] = staged
        job = cls.job_values(run, values, staged)
        script = os.path.join(run.workdir, f"{cls.__name__}_job.m")
        for marker in (ERROR_MARKER, DONE_MARKER):
            try:
                os.unlink(script[:-2] + marker)
            except FileNotFoundError:
                pass
        argv = engine.argv(script)
        text = cls.script(job, script, engine, argv)
        with open(script, "w", encoding="utf-8") as fh:
            fh.write(text)
        run.state["script"] = script
        return argv

    @classmethod
    def check_run(cls, run, completed):
        script = run.state.get("script")
        if script is None:
            return None
        printed = "\n".join(t for t in (completed.stdout, completed.stderr) if t)
        reasons = []
        error = script[:-2] + ERROR_MARKER
        if os.path.exists(error):
            with open(error, encoding="utf-8", errors="replace") as fh:
                message = fh.read().strip()
            reasons.append(f"SPM reported an error (written to {error}):\n{_indent(message)}")
            cause = output.error_lines(printed)
            if cause:
                reasons.append(f"SPM's report of the failure:\n{_indent(cause)}")
        refused = output.config_messages(printed)
        if refused:
            reasons.append(
                "SPM refused values of the job (it runs with its defaults for them, "
                f"so the result is not what was asked):\n{_indent(refused)}"
            )
        done = script[:-2] + DONE_MARKER
        if not reasons and not os.path.exists(done):
            reasons.append(
                f"the script did not finish: {done} was not written. Run the script "
                f"{script} yourself to see where it stops."
            )
        return "\n  ".join(reasons) or None

    @classmethod
    def discover_outputs(cls, run, outputs, lenient):
        import imagecache

        staged = run.state.get("staged", {})
        keep, missing = set(), []
        for name, ctrait in outputs.spec_traits().items():
            if not ctrait.discovered:
                continue
            needs = ctrait.requires or []
            needs = [needs] if isinstance(needs, str) else needs
            if any(getattr(run.spec, n) is Undefined for n in needs):
                continue
            files = staged.get(ctrait.of) or []
            if ctrait.first:
                files = files[:1]
            if not files:
                continue
            if ctrait.template == "%s":  # the staged input itself, as SPM left it
                keep.add(ctrait.of)
            inner = ctrait.inner_traits
            inner = inner[-1] if inner else ctrait  # List(x) / Dict(k, x) / x

            def load(path, trait=inner):
                if isinstance(trait.trait_type, Array):
                    import numpy as np

                    return np.loadtxt(path, ndmin=2)
                return imagecache.load(path) if trait_kind(trait) == "image" else path

            found = []
            for staged_path in files:
                if ctrait.classes:
                    per_class = {}
                    for k in range(1, 10):
                        path = _output_path(ctrait.template.replace("%d", str(k), 1), staged_path)
                        if os.path.exists(path):
                            per_class[k] = load(path)
                    found.append(per_class)
                    continue
                path = _output_path(ctrait.template, staged_path)
                if os.path.exists(path):
                    found.append(load(path))
                elif not ctrait.optional:
                    missing.append((name, path))
                    found = None
                    break
                else:
                    found = None
                    break
            if not found:
                continue
            is_list = type(ctrait.trait_type).__name__ == "List"
            setattr(outputs, name, found if is_list else found[0])
        return keep, missing

    # -- the job and the script ----------------------------------------------

    def batch(self, **inputs) -> dict:
        """The job this interface would run, as nested dicts (see
        :mod:`.mcode`), with image inputs named by their own paths (a run
        names its staged copies instead); nothing is written or run.

        Examples
        --------
        >>> smooth(in_files=["bold.nii"], fwhm=6).batch()     # doctest: +SKIP
        {'data': Cell(['/data/bold.nii,1', ...]), 'fwhm': [6.0, 6.0, 6.0], 'prefix': 's'}
        """
        from types import SimpleNamespace

        values = self.inputs.given()
        values.update(inputs)
        spec = self.Inputs(self.full_name(), **values)
        spec.check()
        staged, paths = {}, {}
        for name, ctrait in spec.spec_traits().items():
            value = getattr(spec, name)
            if value is Undefined or is_output_trait(ctrait):
                continue
            kind = trait_kind(ctrait)
            inner = _elements(ctrait)
            if kind == "image" or (inner and trait_kind(inner[0]) == "image"):
                items = value if isinstance(value, list) else [value]
                staged[name] = [_own_path(name, v) for v in items]
            elif kind in ("file", "directory"):
                paths[name] = os.path.abspath(os.fspath(value))
            elif inner and trait_kind(inner[0]) in ("file", "directory"):
                paths[name] = [os.path.abspath(os.fspath(v)) for v in value]
        return self.job_values(SimpleNamespace(spec=spec), paths, staged)

    @classmethod
    def job_values(cls, run, values, staged) -> dict:
        """The job as nested dicts (see :mod:`.mcode`), from the inputs."""
        job: dict = {}
        for name, ctrait in cls.Inputs.spec_traits().items():
            if not ctrait.field:
                continue
            value = getattr(run.spec, name)
            if is_output_trait(ctrait):
                value = values.get(name)  # its resolved path
            if value is Undefined or value is None:
                continue
            if is_output_trait(ctrait):
                if ctrait.dir_field:  # its name here, its folder in another field
                    _set(job, ctrait.dir_field, Cell([os.path.dirname(value)]))
                    value = os.path.basename(value)
            elif name in staged:
                files = staged[name]
                if ctrait.sessions:
                    value = Cell([Cell(_scans(f, ctrait.scans)) for f in files], row=True)
                else:
                    value = Cell([s for f in files for s in _scans(f, ctrait.scans)])
            elif ctrait.tpm_classes:
                try:
                    classes = tissue_classes(values[name])
                except Exception as error:  # nibabel cannot read it
                    raise InputError(
                        f"{cls.full_name()}: input {name!r} names {values[name]}, which is "
                        f"not an image a tissue map can be read from ({error}). Give a 4D "
                        f"NIfTI of tissue probabilities, e.g. SPM12's tpm/TPM.nii."
                    ) from error
                value = [
                    {field: conform(cls.full_name(), cls.job, f"{ctrait.field}.{field}", v, name)
                     for field, v in one.items()}
                    for one in classes
                ]
            elif trait_kind(ctrait) in ("file", "directory"):
                value = Cell([values[name]])
            elif ctrait.inner_traits and trait_kind(ctrait.inner_traits[0]) in ("file", "directory"):
                value = Cell(values[name])
            elif ctrait.struct:
                elements = _elements(ctrait.inner_traits[0])
                value = [
                    {field: conform(cls.full_name(), cls.job, f"{ctrait.field}.{field}",
                                    _plain(t, v), name)
                     for field, t, v in zip(ctrait.struct, elements, item)}
                    for item in value
                ]
            else:
                value = conform(cls.full_name(), cls.job, ctrait.field, _plain(ctrait, value),
                                name)
            _set(job, ctrait.field, value)
        for field, value in cls.fixed.items():
            _set(job, field, value)
        return job

    @classmethod
    def script(cls, job: dict, script: str, engine, argv) -> str:
        """The text of the ``.m`` file: the job inside try/catch with markers."""
        stem = script[:-2]
        lines = [
            f"% {cls.full_name()}: SPM job spm.{cls.job}, written by imageshell.",
            f"% Engine: {engine.describe()}",
            "% Rerun it from a shell with:",
            f"%   {shlex.join(argv)}",
            "% The inputs were placed in this folder: SPM writes its outputs beside them.",
            "try",
        ]
        body = []
        if engine.kind in ("matlab", "octave"):
            program = "MATLAB" if engine.kind == "matlab" else "Octave"
            if engine.spm_path:
                body.append(f"addpath({string(engine.spm_path)});")
            body += [
                "if ~exist('spm_jobman', 'file')",
                f"    error('imageshell:nospm', '%s', {string(_no_spm(program, engine))});",
                "end",
            ]
        body += [
            "spm('defaults', 'fmri');",
            "spm_jobman('initcfg');",
            "spm_get_defaults('cmdline', true);",
            "matlabbatch = {};",
            *assignments(f"matlabbatch{{1}}.spm.{cls.job}", job),
            "spm_jobman('run', matlabbatch);",
            f"imageshell_fid = fopen({string(stem + DONE_MARKER)}, 'w');",
            "fprintf(imageshell_fid, '%s\\n', spm('Ver'));",
            "fclose(imageshell_fid);",
        ]
        lines += ["    " + line for line in body]
        lines += [
            "catch imageshell_error",
            f"    imageshell_fid = fopen({string(stem + ERROR_MARKER)}, 'w');",
            "    if imageshell_fid >= 0",
            "        fprintf(imageshell_fid, '%s\\n', imageshell_error.message);",
            "        for imageshell_k = 1:numel(imageshell_error.stack)",
            "            fprintf(imageshell_fid, '  in %s (line %d)\\n', "
            "imageshell_error.stack(imageshell_k).name, "
            "imageshell_error.stack(imageshell_k).line);",
            "        end",
            "        fclose(imageshell_fid);",
            "    end",
            "    rethrow(imageshell_error);",
            "end",
            "",
        ]
        return "\n".join(lines)


def _check_default_tpm(cls, run, engine) -> None:
    """Refuse, before SPM starts, a job that reads SPM's own tissue map when
    the map is not in SPM's folder (SPM would fail only after starting)."""
    inputs = [n for n, t in cls.Inputs.spec_traits().items() if t.default_tpm]
    if not inputs or any(getattr(run.spec, n) is not Undefined for n in inputs):
        return
    if not engine.spm_path:
        return  # SPM's folder is not known here (standalone, MATLAB's own path)
    tpm = os.path.join(engine.spm_path, "tpm", "TPM.nii")
    if not os.path.exists(tpm):
        raise InputFileNotFoundError(
            f"{run.name}: SPM's tissue probability map {tpm} does not exist; SPM reads "
            f"it when {' or '.join(repr(n) for n in inputs)} is not given. Give "
            f"tpm= a tissue probability map (SPM12's tpm/TPM.nii), or point SPM_PATH "
            f"at a complete SPM folder."
        )


def _indent(text) -> str:
    lines = text.splitlines() if isinstance(text, str) else text
    return "\n".join("    " + line for line in lines)


def _own_path(name, value) -> str:
    path = _source_path(value)
    if path is None:
        raise ValueError(
            f"input {name!r} is an image without a file: batch() names inputs by their "
            f"paths; run() writes it to a file first."
        )
    return os.path.abspath(path)


def _source_path(value) -> str | None:
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    return value.get_filename() if hasattr(value, "get_filename") else None


def _no_spm(program, engine) -> str:
    where = f"in {engine.spm_path} " if engine.spm_path else ""
    return (
        f"SPM (spm_jobman) is not {where}on the {program} path: set SPM_PATH to the "
        f"folder holding spm.m, or call interfaces.spm.configure(spm_path=...)."
    )


def _set(job: dict, field: str, value) -> None:
    *parents, last = field.split(".")
    for key in parents:
        job = job.setdefault(key, {})
    job[last] = value


def _plain(ctrait, value):
    """A job value for a non-file input (Bool -> 1/0, Scan -> {'path,N'})."""
    if isinstance(ctrait.trait_type, Scan):
        path, frame = (value, 1) if not isinstance(value, tuple) else value
        path = os.path.abspath(os.fspath(path))
        if not os.path.exists(path):
            raise InputFileNotFoundError(f"{path} does not exist (a Scan input). Check the path.")
        return Cell([f"{path},{frame}"])
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple)):
        inner = _elements(ctrait)
        if len(inner) == len(value) and isinstance(value, tuple):
            return [_plain(t, v) for t, v in zip(inner, value)]
        return [_plain(inner[0], v) if inner else v for v in value]
    return value


def _elements(ctrait) -> tuple:
    """Traits of the elements of a List (one) or a Tuple (one per item)."""
    types = getattr(ctrait.handler, "types", None)  # Tuple
    return tuple(types) if types else tuple(ctrait.inner_traits or ())


def _scans(path: str, mode) -> list[str]:
    """SPM's names of the volumes of one image file."""
    if mode == "file":
        return [path]
    if mode == "first":
        return [f"{path},1"]
    import nibabel as nib

    shape = nib.load(path).shape  # header only
    volumes = int(shape[3]) if len(shape) > 3 else 1
    return [f"{path},{k}" for k in range(1, volumes + 1)]


def _output_path(template: str, staged: str) -> str:
    stem, ext = _stem_ext(staged)
    name = template % stem if "%s" in template else template
    if not os.path.splitext(template)[1]:  # "r%s": the input's own extension
        name += ext
    return os.path.join(os.path.dirname(staged), name)


def _stage_inputs(run) -> dict:
    """Place every image input in ``run.workdir``: ``{name: [paths]}``.

    A private copy (an input SPM modifies) is moved there; a file SPM only
    reads is linked there: a user's file by a symbolic link, a temporary
    (an in-memory image written for the run, deleted at exit) by a hard link,
    so the kept script can be rerun (both copied where links are not
    possible).  Names keep the input's own stem, so SPM's outputs are named
    as the user expects.
    """
    from imagecache import PreparedFile

    staged: dict = {}
    used = {n.lower() for n in os.listdir(run.workdir)}
    linked: dict = {}  # a file given twice is linked once: SPM names outputs once
    for name, prepared in list(run.prepared.items()):
        many = isinstance(prepared, list)
        given = getattr(run.spec, name)
        sources = given if many else [given]
        new_prepared, paths = [], []
        for index, (one, source) in enumerate(zip(prepared if many else [prepared], sources)):
            if one.origin != "copy" and os.path.realpath(one.path) in linked:
                new_prepared.append(one)
                paths.append(linked[os.path.realpath(one.path)])
                continue
            stem = _source_stem(source) or (f"{name}_{index + 1}" if many else name)
            stem = _unique(stem, [_stem_ext(f)[1] for f in one.files], used)
            moved = []
            for f in one.files:
                target = os.path.join(run.workdir, stem + _stem_ext(f)[1])
                if one.origin == "copy":
                    shutil.move(f, target)
                elif one.origin == "temporary":
                    _link_or_copy(f, target)
                else:
                    try:
                        os.symlink(f, target)
                    except OSError:
                        shutil.copyfile(f, target)
                moved.append(target)
            if one.origin == "copy":
                one = PreparedFile(moved[0], "copy", one.bytes_written, one.reused, tuple(moved))
            else:
                linked[os.path.realpath(one.path)] = moved[0]
            new_prepared.append(one)
            paths.append(moved[0])
        run.prepared[name] = new_prepared if many else new_prepared[0]
        staged[name] = paths
    return staged


def _link_or_copy(source: str, target: str) -> None:
    """A file of the run folder that outlives ``source``: a hard link (the
    temporary is never rewritten in place), or a copy across file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _source_stem(source) -> str | None:
    path = _source_path(source)
    if not path:
        return None
    name = os.path.basename(path)
    for ext in (".nii.gz", ".img.gz", ".hdr.gz"):
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return _stem_ext(name)[0]


def _unique(stem: str, exts, used: set) -> str:
    candidate, n = stem, 1
    while any((candidate + e).lower() in used for e in exts):
        n += 1
        candidate = f"{stem}_{n}"
    used.update((candidate + e).lower() for e in exts)
    return candidate
