"""The :class:`Interface` base: a tool declared by its specs, and ``run()``.

A wrapper is a declaration::

    class cp(Interface):
        '''Copy an image file.'''
        executable = "cp"
        family = COREUTILS

        class Inputs(InputSpec):
            in_file = Image(position=0, mandatory=True, desc="image to copy")
            out_file = OutputImage(position=1, name_source="in_file",
                                   name_template="%s_copy", keep_extension=True)

Everything else -- checking inputs, turning images into files, naming
outputs, running, loading outputs, errors -- is the base's: ``run()`` is the
pipeline of :mod:`interfaces.base.pipeline`, whose steps each live in a
module of their own, and whose hooks (:meth:`Interface.command`,
:meth:`Interface.check_run`, :meth:`Interface.discover_outputs`) receive the
run in progress, a :class:`~interfaces.base.run.Run`.
"""

from __future__ import annotations

from .family import LOCAL, Family
from .specs import InputSpec, OutputSpec, is_output_trait, trait_kind
from .traits_ import Directory, File, Image

__all__ = ["Interface"]

#: Keyword arguments of ``run()`` that cannot be input names.
RUN_OPTIONS = frozenset({"timeout", "check", "stream", "workdir", "cache", "runner"})


class Interface:
    """Base class of every wrapped command-line tool.

    Subclasses declare, as class attributes:

    executable : str
        Program name (looked up by the family) or path.
    family : Family
        Where executables are found, package hint, output extension, version.
    Inputs : subclass of InputSpec
        One trait per argument.  ``OutputImage``/``OutputFile`` arguments are
        outputs too.
    Outputs : subclass of OutputSpec, optional
        Further outputs the tool writes without being told their name, or
        values read from its stdout.
    success_codes : tuple of int, default (0,)
        Exit statuses meaning success.
    subcommand : tuple of str, default ()
        Arguments that always follow the executable, for tools that are one
        command of a multi-command program (``wb_command -volume-math``).
    extra_metadata : frozenset of str, default empty
        Trait metadata keys a kind of interface understands beyond the
        base's (SPM's ``field``...): any other key is an error when the class
        is created.

    The declaration is checked when the class is created (unknown metadata,
    names that are not inputs, an ``argstr`` that cannot format its trait):
    a ``TypeError`` names the class and the input.  The class gets a real
    signature, ``inspect.signature(cls)``: its inputs, with types and
    defaults, for IDEs, ``help()`` and the REPL.

    A kind of tool that is more than a command line overrides the hooks
    :meth:`command` (the argument list; may write files it names),
    :meth:`check_run` (a failure the exit status does not show) and
    :meth:`discover_outputs` (outputs declared ``discovered=True``).

    Parameters
    ----------
    **inputs
        Initial input values (type-checked now); ``run()`` may add or
        override any of them.

    Examples
    --------
    >>> from interfaces.coreutils import cp           # doctest: +SKIP
    >>> res = cp().run(in_file=img)                   # doctest: +SKIP
    >>> res.outputs.out_file                          # doctest: +SKIP
    """

    executable: str | None = None
    family: Family = LOCAL
    Inputs: type[InputSpec] = InputSpec
    Outputs: type[OutputSpec] = OutputSpec
    success_codes: tuple[int, ...] = (0,)
    subcommand: tuple[str, ...] = ()
    extra_metadata: frozenset = frozenset()

    _output_spec: type[OutputSpec] | None = None
    #: Whether runs get a working directory of their own (the tool writes files).
    _writes_files = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        names = cls.Inputs.names()
        clash = RUN_OPTIONS.intersection(names)
        if clash:
            raise TypeError(
                f"{cls.__name__}: input name(s) {sorted(clash)} are options of run(); "
                f"rename them (e.g. {sorted(clash)[0]}_)."
            )
        _check_declaration(cls)
        cls._output_spec = cls._build_output_spec()
        cls._writes_files = any(
            is_output_trait(t) for t in cls.Inputs.spec_traits().values()
        ) or any(
            t.name_template or t.modified_input or t.discovered
            for t in cls.output_spec().spec_traits().values()
        )
        if cls.executable:
            from .help import docstring

            cls.__doc__ = docstring(cls, cls.__dict__.get("__doc__"))
        cls.__signature__ = _signature(cls)

    # -- declaration helpers -------------------------------------------------

    @classmethod
    def _build_output_spec(cls) -> type[OutputSpec]:
        """Outputs = the declared Outputs + one per output argument."""
        extra = {}
        declared = set(cls.Outputs.names())
        for name, ctrait in cls.Inputs.spec_traits().items():
            if is_output_trait(ctrait) and name not in declared:
                kind = trait_kind(ctrait)
                trait_cls = {"image": Image, "directory": Directory}.get(kind, File)
                extra[name] = trait_cls(desc=ctrait.desc, optional=ctrait.optional,
                                        also=ctrait.also)
        for name, ctrait in cls.Outputs.spec_traits().items():
            rules = [ctrait.name_template, ctrait.modified_input, ctrait.from_stdout,
                     ctrait.discovered]
            if name not in cls.Inputs.names() and not any(rules):
                raise TypeError(
                    f"{cls.__name__}: output {name!r} says neither where it is "
                    f"(name_template, modified_input) nor how to read it (from_stdout)."
                )
            if ctrait.modified_input:
                source = cls.Inputs.class_traits().get(ctrait.modified_input)
                if source is None or not source.copy:
                    raise TypeError(
                        f"{cls.__name__}: output {name!r} is modified_input="
                        f"{ctrait.modified_input!r}, which must be an Image input "
                        f"with copy=True."
                    )
        spec = cls.Outputs if not extra else type(f"{cls.__name__}Outputs", (cls.Outputs,),
                                                  extra)
        taken = set(spec.names()) | set(cls.Inputs.names())
        for other, name in spec.aliases().items():
            if other in taken:
                raise TypeError(f"{cls.__name__}: output {name!r} has also={other!r}, "
                                f"which is already an input or output name.")
        return spec

    # -- hooks for kinds of tool that are more than a command line ----------
    # (Boutiques: a command-line template and configuration files; SPM: inputs
    # staged in the working directory, a generated script, an error marker
    # file, outputs named by prefixes.)  They receive the run in progress, a
    # documented interfaces.base.run.Run: name, spec (the inputs), workdir,
    # prepared (the PreparedFile of each image input), dry, state (a dict
    # for the hooks)...

    @classmethod
    def command(cls, executable: str, values: dict, run=None) -> list[str]:
        """The argument list of one run, from ``argstr``/``position``; the
        hook for tools whose command line is described otherwise (Boutiques
        templates, SPM batch scripts).

        Called once per run, just before the tool starts: it may write the
        files the command line names (configuration files, scripts) in
        ``run.workdir``.

        Parameters
        ----------
        executable : str
            Absolute path of the executable (``argv[0]``).
        values : dict
            ``{name: value}`` of the inputs that are set, as the tool gets them:
            images and files as absolute paths, output arguments as their
            resolved paths.
        run : optional
            The run in progress; None when only the argument list is asked
            for.  Environment variables the hook puts in
            ``run.state["environ"]`` are set for this run only.

        Returns
        -------
        list of str
        """
        from .command import build_argv

        argv = build_argv(executable, cls.Inputs.spec_traits(), values,
                          None if run is None else run.spec.given())
        argv[1:1] = cls.subcommand
        return argv

    @classmethod
    def check_run(cls, run, completed) -> str | None:
        """Why a run that exited with a success code failed anyway (e.g. an
        error marker the tool wrote), or None when it did not."""
        return None

    @classmethod
    def discover_outputs(cls, run, outputs, lenient: bool):
        """Set the outputs declared ``discovered=True`` on ``outputs``.

        Returns ``(keep, missing)``: names of copied inputs to keep (they are
        outputs), and ``(name, path)`` of expected outputs not found.
        """
        return set(), []

    @classmethod
    def output_spec(cls) -> type[OutputSpec]:
        """All outputs: the declared ``Outputs`` plus the output arguments."""
        return cls._output_spec or cls.Outputs

    @classmethod
    def full_name(cls) -> str:
        """``family.name`` + ``"."`` + class name, e.g. ``"coreutils.cp"``."""
        return f"{cls.family.name}.{cls.__name__}"

    @classmethod
    def executable_path(cls) -> str | None:
        """Absolute path of the executable, or None when it is not found."""
        return cls.family.find_executable(cls.executable) if cls.executable else None

    @classmethod
    def version(cls) -> str | None:
        """The tool's version (runs it once per executable), or None."""
        from .version import tool_version

        path = cls.executable_path()
        return tool_version(path, cls.family) if path else None

    @classmethod
    def help(cls) -> str:
        """Help text generated from the specs."""
        from .help import help_text

        return help_text(cls)

    # -- instances -----------------------------------------------------------

    def __init__(self, **inputs):
        self.inputs = self.Inputs(self.full_name(), **inputs)

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.inputs.given().items())
        return f"{type(self).__name__}({given})"

    @property
    def argv(self) -> list[str]:
        """The argument list ``run()`` would hand the tool, computed without
        running it and without writing anything (a :class:`DryRunner` run).

        ``argv[0]`` is the executable's absolute path, or its bare name when it
        is not installed.  An image that would be handed over as a temporary
        is shown in ``<temporary>/``; the run's own folder, made at run time,
        as ``imageshell-<tool>-XXXXXXXX`` (pass ``workdir=`` to ``run()`` to
        choose it).

        Raises
        ------
        InputError
            As ``run()`` would, before anything runs.
        """
        from .runner import DryRunner

        return self.run(runner=DryRunner()).argv

    @property
    def cmdline(self) -> str:
        """:attr:`argv` shell-quoted: pasting it in a POSIX shell runs the same
        command (nipype's ``cmdline``)."""
        from .command import cmdline

        return cmdline(self.argv)

    def run(self, *, timeout=None, check=True, stream=False, workdir=None, cache=None,
            runner=None, **inputs):
        """Run the tool and return its :class:`~interfaces.base.results.Result`.

        Parameters
        ----------
        timeout : float, optional
            Seconds; past it the tool's whole process group is killed and
            :class:`CommandTimeoutError` raised.
        check : bool, default True
            Raise :class:`CommandFailedError` when the exit status is not a
            success code.  With False, the result is returned and outputs
            that are missing are Undefined.
        stream : bool, logging.Logger or callable, default False
            Also show the tool's output line by line as it arrives (it is
            captured either way).  True: to the ``imageshell.<family>.<tool>``
            logger (stdout at INFO, stderr at WARNING) when logging is set
            up, else on stderr; a Logger: to it; a callable: called with each
            line and ``"stdout"`` or ``"stderr"``.
        workdir : str or os.PathLike, optional
            Folder for outputs not given a path, and the tool's working
            directory.  Default: a new folder under ``$IMAGESHELL_WORKDIR``
            or the system temporary folder.
        cache : bool, str or os.PathLike, optional
            Return the stored result, without running, when nothing that
            matters changed since a run with the same inputs (see
            :mod:`interfaces.base.cache`).  True: the process-wide cache
            folder (:func:`interfaces.set_cache`, ``$IMAGESHELL_CACHE``) or
            ``~/.cache/imageshell``; a path: that folder; False: never.
            Default: cache when a process-wide folder is set.
        runner : Runner, optional
            What runs the command (:mod:`interfaces.base.runner`); default
            the local subprocess runner.  A :class:`DryRunner` runs nothing and
            writes nothing: the result holds the argument list and the
            outputs' expected paths (not loaded), and no cache or provenance
            record is used.
        **inputs
            Input values for this run, on top of those of the instance (which
            is not modified).

        Returns
        -------
        Result

        Raises
        ------
        InputError, InputTypeError, InputFileNotFoundError
            Before anything runs; every rule a call breaks in one error.
        ExecutableNotFoundError, CommandStartError, WorkdirError
            Before anything runs: no executable, one the system cannot start,
            no folder to run in.
        CommandFailedError, CommandTimeoutError, OutputMissingError, OutputCorruptError
            After the run.

        Warns
        -----
        CacheWarning, ProvenanceWarning
            The cache or the record could not be used; the result is kept.
        """
        from .pipeline import execute

        return execute(self, inputs, timeout=timeout, check=check, stream=stream,
                       workdir=workdir, cache=cache, runner=runner)


_declared: set = set()


def _check_declaration(cls) -> None:
    """Groups expanded, declaration checked: once per spec class."""
    from .specs import METADATA, apply_groups, check_declaration

    known = METADATA | cls.extra_metadata
    for spec, inputs in ((cls.Inputs, True), (cls.Outputs, False)):
        if (spec, known) in _declared:
            continue
        if inputs:
            apply_groups(cls.__name__, spec)
        check_declaration(cls.__name__, spec, known, inputs=inputs)
        _check_optional(cls.__name__, spec, cls.Inputs)
        _declared.add((spec, known))


def _check_optional(owner, spec, inputs) -> None:
    """An output ``optional`` when inputs are set must name inputs."""
    from .specs import as_list

    names = inputs.spec_traits()
    for name, ctrait in spec.spec_traits().items():
        optional = ctrait.__dict__.get("optional")
        if optional is None or isinstance(optional, bool):
            continue
        strays = [n for n in as_list(optional) if n not in names]
        if strays:
            raise TypeError(f"{owner}: output {name!r} has optional={optional!r}, but "
                            f"{', '.join(map(repr, strays))} is not an input.")


_PYTHON_TYPES = {"Bool": bool, "CBool": bool, "Int": int, "CInt": int, "Float": float,
                 "CFloat": float, "Str": str, "String": str, "Unicode": str}


def _signature(cls):
    """``inspect.Signature`` of the class: one keyword-only parameter per
    input, annotated with its type, defaulting to its default (or
    Undefined: not set)."""
    import inspect

    from .help import type_text
    from .traits_ import Undefined

    parameters = []
    for name, ctrait in cls.Inputs.spec_traits().items():
        kind = type(ctrait.trait_type).__name__
        annotation = _PYTHON_TYPES.get(kind) or type_text(ctrait.trait_type)
        if ctrait.mandatory:
            default = inspect.Parameter.empty
        else:
            default = ctrait.default if ctrait.usedefault else Undefined
        parameters.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                            default=default, annotation=annotation))
    return inspect.Signature(parameters)
