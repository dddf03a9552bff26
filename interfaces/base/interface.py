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
outputs, running, loading outputs, errors -- lives here.
"""

from __future__ import annotations

import os
import re

from .errors import (
    CommandFailedError,
    CommandTimeoutError,
    ExecutableNotFoundError,
    InputError,
    InputFileNotFoundError,
    OutputMissingError,
)
from .family import LOCAL, Family
from .specs import InputSpec, OutputSpec, as_list, element_trait, is_output_trait, trait_kind
from .traits_ import Directory, File, Image, ImageOrValue, is_image_value, is_set

__all__ = ["Interface"]

#: Keyword arguments of ``run()`` that cannot be input names.
RUN_OPTIONS = frozenset({"timeout", "check", "stream", "workdir", "cache", "runner"})

#: In a preview, what stands for the random part of a folder made at run time.
PLACEHOLDER = "XXXXXXXX"
#: In a preview, the folder of a temporary file imagecache would write.
TEMPORARY = "<temporary>"


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
                extra[name] = trait_cls(desc=ctrait.desc, optional=ctrait.optional)
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
        if not extra:
            return cls.Outputs
        return type(f"{cls.__name__}Outputs", (cls.Outputs,), extra)

    # -- hooks for kinds of tool that are more than a command line ----------
    # (Boutiques: a command-line template and configuration files; SPM: inputs
    # staged in the working directory, a generated script, an error marker
    # file, outputs named by prefixes.)  The run in progress offers ``name``,
    # ``spec`` (the inputs), ``workdir``, ``prepared`` (the PreparedFile of
    # each image input) and ``state`` (a dict for the hooks).

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

        argv = build_argv(executable, cls.Inputs.spec_traits(), values)
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
        stream : bool or logging.Logger, default False
            Also log stdout (INFO) and stderr (WARNING) line by line, to the
            ``imageshell.<family>.<tool>`` logger or the one given.
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
            Before anything runs.
        ExecutableNotFoundError
            Before anything runs.
        CommandFailedError, CommandTimeoutError, OutputMissingError
            After the run.
        """
        from .runner import LOCAL_RUNNER

        runner = LOCAL_RUNNER if runner is None else runner
        if runner.dry:  # a preview: no cache, no record, nothing written
            return _Run(self, inputs).go(timeout, check, stream, workdir, runner)
        from .cache import run_cached  # caching and the provenance record

        return run_cached(self, inputs, cache, workdir,
                          lambda wd: _Run(self, inputs).go(timeout, check, stream, wd, runner))


class _Run:
    """One call of ``run()``: the steps, and what to clean up on the way out."""

    def __init__(self, interface: Interface, inputs: dict):
        self.cls = type(interface)
        self.name = self.cls.full_name()
        values = interface.inputs.given()
        values.update(inputs)
        self.spec = self.cls.Inputs(self.name, **values)  # types
        self.traits = self.spec.spec_traits()
        self.prepared: dict = {}
        self.workdir: str | None = None
        self.own_workdir = False
        #: Scratch space for the interface's hooks (``command``, ``check_run``...).
        self.state: dict = {}
        #: A preview (dry runner): hooks must not write files.
        self.dry = False

    # -- steps ---------------------------------------------------------------

    def go(self, timeout, check, stream, workdir, runner):
        cls, spec = self.cls, self.spec
        self.dry = dry = runner.dry
        spec.check()
        executable = cls.executable_path()
        if executable is None:
            if not dry:
                raise ExecutableNotFoundError(
                    f"{self.name}: {cls.family.missing_message(cls.executable)}"
                )
            executable = cls.executable  # a preview names the tool it would run
        elif not dry:  # a preview does not run the tool to ask its version
            self._check_versions(executable)
        caller_cwd = os.getcwd()
        try:
            if workdir is not None:
                self.workdir = os.path.abspath(os.path.join(caller_cwd, os.fspath(workdir)))
                if not dry:
                    os.makedirs(self.workdir, exist_ok=True)
            elif cls._writes_files:
                self._new_workdir()
            # After the working directory: inputs with a writer are written there.
            values = self._coerce_inputs(caller_cwd)
            output_type = self._output_type()
            namer = self._name_outputs(values, caller_cwd, output_type)
            argv = cls.command(executable, values, run=self)
            env = cls.family.child_environ(output_type)
            if self.state.get("environ"):  # variables the command hook set for this run
                env = {**(os.environ if env is None else env), **self.state["environ"]}
            # A tool that writes no file runs in a shared scratch folder: making
            # and removing a folder per run costs more than running `true`.
            cwd = self.workdir or _scratch_dir(dry)
            completed = runner.execute(argv, cwd=cwd, env=env, timeout=timeout,
                                       stream=self._logger(stream))
        except BaseException:
            # Nothing ran, or the run was interrupted: leave nothing behind.
            if not dry:
                self._discard_copies(keep=())
                self._remove_workdir(only_if_empty=False)
            raise

        from .results import Result, Runtime

        environ = {} if env is None else {k: v for k, v in env.items() if os.environ.get(k) != v}
        runtime = Runtime(argv, cwd, completed, executable, cls.family, environ)
        used = dict(spec.given())
        used.update({k: v for k, v in namer.paths.items() if v is not None})
        result = Result(self.name, None, used, self.prepared, runtime)
        if dry:
            result.outputs = self._expected_outputs(namer)
            return result
        failed = self._check_exit(completed, runtime, result, timeout, check)
        try:
            result.outputs, keep = self._collect_outputs(namer, completed.stdout, lenient=failed)
        except OutputMissingError as error:
            error.result = result
            self._discard_copies(keep=())
            raise
        self._discard_copies(keep=keep)
        self._remove_workdir(only_if_empty=True)
        return result

    def _output_type(self):
        """The output type an input declared ``selects_output_type=True``
        (FSL's ``output_type``) chose for this run, overriding the family's
        environment variable; None when none did."""
        for name, ctrait in self.traits.items():
            if ctrait.selects_output_type and is_set(getattr(self.spec, name)):
                return getattr(self.spec, name)
        return None

    def _name_outputs(self, values, caller_cwd, output_type):
        """Resolve the paths of the output arguments into ``values`` (making
        output directories); return the Namer, which also names the other
        outputs after the run."""
        from .naming import Namer

        namer = Namer(self.name, self.spec, self.cls.family, self.workdir, caller_cwd, values,
                      output_type=output_type)
        for name, ctrait in self.traits.items():
            if not is_output_trait(ctrait):
                continue
            path = namer.output_arg(name)
            if path is not None:
                values[name] = path
                if trait_kind(ctrait) == "directory" and not self.dry:
                    os.makedirs(path, exist_ok=True)
        return namer

    def _logger(self, stream):
        if not stream:
            return None
        import logging

        if isinstance(stream, logging.Logger):
            return stream
        return logging.getLogger(f"imageshell.{self.name}")

    def _check_exit(self, completed, runtime, result, timeout, check) -> bool:
        """Whether the run failed; raise CommandTimeoutError, or
        CommandFailedError when ``check``."""
        if completed.timed_out:
            self._discard_copies(keep=())
            raise CommandTimeoutError(
                f"{self.name}: the command ran longer than timeout={timeout} s; its "
                f"process group was killed.\n  command: {runtime.cmdline}\n"
                f"{self._kept()}Raise the timeout, or check why the tool hangs.",
                result,
            )
        reason = self.cls.check_run(self, completed)
        failed = bool(reason) or completed.returncode not in self.cls.success_codes
        if failed and check:
            self._discard_copies(keep=())
            tail = runtime.stderr_tail()
            tail = "\n".join("    " + line for line in tail.splitlines()) or "    (empty)"
            why = f"  {reason}\n" if reason else ""
            raise CommandFailedError(
                f"{self.name}: the command exited with status {completed.returncode}.\n"
                f"{why}"
                f"  command: {runtime.cmdline}\n  stderr (last lines):\n{tail}\n"
                f"{self._kept()}Read the tool's message above; pass check=False to get "
                f"the result instead of an error.",
                result,
            )
        return failed

    def _check_versions(self, executable):
        limited = [
            (n, t) for n, t in self.traits.items()
            if (t.min_ver or t.max_ver) and is_set(getattr(self.spec, n))
        ]
        if not limited:
            return
        from .version import tool_version, version_tuple

        version = tool_version(executable, self.cls.family)
        if version is None:
            return  # cannot tell: let the tool decide
        have = version_tuple(version)
        for name, ctrait in limited:
            if ctrait.min_ver and have < version_tuple(ctrait.min_ver):
                raise InputError(
                    f"{self.name}: input {name!r} needs {self.cls.executable} version "
                    f">= {ctrait.min_ver}, but {executable} is version {version}. "
                    f"Upgrade the tool or leave {name!r} unset."
                )
            if ctrait.max_ver and have > version_tuple(ctrait.max_ver):
                raise InputError(
                    f"{self.name}: input {name!r} is not supported after "
                    f"{self.cls.executable} version {ctrait.max_ver}, and {executable} "
                    f"is version {version}. Leave {name!r} unset or use an older tool."
                )

    def _coerce_inputs(self, caller_cwd) -> dict:
        """Command-line values of the inputs: image inputs become files (now:
        the image may have changed since it was assigned), paths become
        absolute and are checked to exist, values declared with a ``writer``
        are written to files.  Elements of lists, and values of dicts, are
        treated as their inner trait says."""
        values = {}
        for name, value in self.spec.given().items():
            ctrait = self.traits[name]
            if is_output_trait(ctrait):
                continue
            if trait_kind(ctrait) is not None:
                values[name], prepared = self._coerce_one(name, ctrait, value, None, caller_cwd)
                if prepared is not None:
                    self.prepared[name] = prepared
                continue
            inner = element_trait(ctrait, value)
            if inner is not None:
                values[name] = self._coerce_many(name, inner, value, caller_cwd)
            else:
                values[name] = value
        return values

    def _coerce_many(self, name, inner, value, caller_cwd):
        """A list (or dict) of files or images: each element as ``inner`` says."""
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                out[key], prepared = self._coerce_one(name, inner, item, key, caller_cwd)
                if prepared is not None:  # recorded per key: "variables[x]"
                    self.prepared[f"{name}[{key}]"] = prepared
            return out
        out, files = [], []
        for index, item in enumerate(value):
            passed, prepared = self._coerce_one(name, inner, item, index, caller_cwd)
            out.append(passed)
            if prepared is not None:
                files.append(prepared)
        if files:
            self.prepared[name] = files
        return out

    def _coerce_one(self, name, ctrait, value, index, caller_cwd):
        """``(command-line value, PreparedFile or None)`` of one value."""
        kind = trait_kind(ctrait)
        is_path = isinstance(value, (str, os.PathLike))
        if kind == "image" and isinstance(ctrait.trait_type, ImageOrValue) \
                and not is_image_value(value):
            if isinstance(value, os.PathLike) or (
                is_path and os.path.exists(os.path.join(caller_cwd, value))
            ):
                return self._existing(name, ctrait, value, caller_cwd), None
            return str(value), None  # a number or an operator, as text
        if kind == "image":
            prepared = self._prepare(name, ctrait, value, index)
            return prepared.path, prepared
        if kind in ("file", "directory"):
            if ctrait.writer is not None and not is_path:
                return self._write_value(name, ctrait, value, index), None
            return self._existing(name, ctrait, value, caller_cwd), None
        return value, None

    def _write_value(self, name, ctrait, value, index) -> str:
        """Write a value declared with ``writer`` to a file in the run's
        working directory and return its path."""
        label = name if index is None else f"{name}.{index}"
        path = os.path.join(self._new_workdir(), f"{label}{ctrait.suffix or ''}")
        if self.dry:
            return path
        try:
            ctrait.writer(value, path)
        except Exception as error:
            error.add_note(f"while writing input {label!r} of {self.name} to {path}")
            raise
        return path

    def _existing(self, name, ctrait, value, caller_cwd) -> str:
        path = os.path.abspath(os.path.join(caller_cwd, os.fspath(value)))
        if ctrait.exists is not False:
            ok = os.path.isdir(path) if trait_kind(ctrait) == "directory" else os.path.exists(path)
            if not ok:
                raise InputFileNotFoundError(
                    f"{self.name}: input {name!r} names {path}, which does not exist. "
                    f"Check the path."
                )
        return path

    def _prepare(self, name, ctrait, value, index):
        import imagecache

        formats = ctrait.formats or self.cls.family.image_formats
        label = name if index is None else f"{name}[{index}]"
        if self.dry:
            return self._planned(label, value, formats, bool(ctrait.copy))
        try:
            return imagecache.prepare_file(value, formats=formats, copy=bool(ctrait.copy))
        except FileNotFoundError as error:
            raise InputFileNotFoundError(
                f"{self.name}: input {label!r} names {error.filename or value}, which "
                f"does not exist. Check the path."
            ) from error
        except Exception as error:
            error.add_note(f"while passing input {label!r} of {self.name} as a file")
            raise

    def _planned(self, label, value, formats, copy):
        """The PreparedFile a preview shows for an image input: its own file
        when imagecache would pass it, else a temporary in ``<temporary>/``
        (nothing is written)."""
        import imagecache

        if isinstance(value, (str, os.PathLike)):
            path = os.path.abspath(os.fspath(value))
            if not os.path.exists(path):
                raise InputFileNotFoundError(
                    f"{self.name}: input {label!r} names {path}, which does not exist. "
                    f"Check the path."
                )
            own, hint = path, os.path.basename(path)
        else:
            own = value.get_filename()
            hint = os.path.basename(own) if own else label
            if own and imagecache.is_dirty(value):
                own = None  # edited since loaded: a temporary of its current state
        if own and not copy and _accepts(own, formats):
            return imagecache.PreparedFile(own, "original", 0, True, (own,))
        from .naming import split_ext

        ext = _first_extension(formats) or (split_ext(own)[1] if own and copy else ".nii")
        path = f"{TEMPORARY}/{split_ext(hint)[0].split('.')[0] or 'image'}{ext}"
        return imagecache.PreparedFile(path, "copy" if copy else "temporary", 0, False, (path,))

    def _new_workdir(self) -> str:
        """Create the run's own folder (on first need) and return its path
        (in a preview, the path with ``XXXXXXXX`` for its random part)."""
        if self.workdir is None:
            import tempfile

            prefix = f"imageshell-{self.name.replace('.', '-')}-"
            if self.dry:
                self.workdir = os.path.join(_workdir_root(create=False), prefix + PLACEHOLDER)
                return self.workdir
            self.workdir = tempfile.mkdtemp(prefix=prefix, dir=_workdir_root())
            self.own_workdir = True
        return self.workdir

    def _expected_outputs(self, namer):
        """A preview's outputs: the paths the run would look for, not loaded
        (outputs read from stdout, found by glob or discovered are Undefined)."""
        from traits.api import TraitError

        outputs = self.cls.output_spec()()
        for name, ctrait in outputs.spec_traits().items():
            if ctrait.from_stdout or ctrait.discovered or ctrait.inner_traits:
                continue
            argument = self.traits.get(name)
            if argument is None or not is_output_trait(argument):
                argument = None
            path = self._output_path(namer, name, ctrait, argument)
            if path is None or "*" in path:
                continue
            try:
                setattr(outputs, name, path)
            except TraitError:  # a value read from the file (reader=): not a path
                pass
        return outputs

    def _collect_outputs(self, namer, stdout, lenient):
        """Fill the output spec; raise OutputMissingError for declared files
        that are not there (unless the tool failed and check=False)."""
        outputs = self.cls.output_spec()()
        keep = set()
        missing = []
        for name, ctrait in outputs.spec_traits().items():
            if ctrait.from_stdout:
                value = self._from_stdout(name, ctrait, stdout, lenient)
                if value is not None:
                    setattr(outputs, name, value)
                continue
            argument = self.traits.get(name)
            if argument is None or not is_output_trait(argument):
                argument = None
            path = self._output_path(namer, name, ctrait, argument)
            if path is None:
                continue
            if argument is None and ctrait.modified_input:
                keep.add(ctrait.modified_input)  # the copy is the output
            elif argument is not None and trait_kind(argument) == "prefix":
                setattr(outputs, name, path)  # nothing is written at a prefix
                continue
            if ctrait.inner_traits and "*" in path:  # a list found by glob: 0 or more
                setattr(outputs, name, [self._load(ctrait.inner_traits[0], ctrait, p)
                                        for p in sorted(_glob(path))])
                continue
            if "*" in path:  # one file whose name the tool chooses: the single match
                found = _glob(path)
                path = found[0] if len(found) == 1 else path
            if os.path.exists(path):
                setattr(outputs, name, self._load(ctrait, ctrait, path))
            elif not ctrait.optional:  # optional=True: the tool may not write it
                missing.append((name, path))
        found_keep, found_missing = self.cls.discover_outputs(self, outputs, lenient)
        keep |= set(found_keep)
        missing.extend(found_missing)
        if missing and not lenient:
            listed = "\n".join(f"    {n}: {p}" for n, p in missing)
            raise OutputMissingError(
                f"{self.name}: the command finished but did not write "
                f"{'this output' if len(missing) == 1 else 'these outputs'}:\n{listed}\n"
                f"{self._kept()}Check the tool's stdout/stderr (error.stderr) and the "
                f"inputs that select its outputs."
            )
        return outputs, keep

    def _from_stdout(self, name, ctrait, stdout, lenient):
        """An output read from stdout; None when it is not there (an error
        unless the output is optional or the run failed)."""
        value = _parse_stdout(ctrait, stdout)
        if value is None and not lenient and not ctrait.optional:
            raise OutputMissingError(
                f"{self.name}: output {name!r} should be read from stdout "
                f"with {ctrait.from_stdout!r}, which did not match. "
                f"stdout was: {stdout[-500:]!r}. Check the tool's output."
            )
        return value

    def _output_path(self, namer, name, ctrait, argument) -> str | None:
        """Where an output is expected (may hold ``*``); None when this run
        does not produce it.  ``argument``: the output argument of the same
        name, if any."""
        if argument is not None:
            return namer.paths.get(name)
        if ctrait.modified_input:
            prepared = self.prepared.get(ctrait.modified_input)
            return None if prepared is None else prepared.path
        if ctrait.name_template and all(
            is_set(getattr(self.spec, n)) for n in as_list(ctrait.requires)
        ):
            return namer.from_template(name, ctrait)
        return None

    @staticmethod
    def _load(element, ctrait, path):
        """An output file as returned: ``ctrait``'s reader's value, an
        imagecache image when ``element`` is an image, else the path."""
        if ctrait.reader is not None:  # e.g. a JSON file returned as a dict
            return ctrait.reader(path)
        if trait_kind(element) == "image":
            import imagecache

            return imagecache.load(path)
        return path

    # -- cleaning up ---------------------------------------------------------

    def _kept(self) -> str:
        if self.workdir and os.path.isdir(self.workdir):
            return f"  working directory kept: {self.workdir}\n"
        return ""

    def _discard_copies(self, keep):
        for name, prepared in self.prepared.items():
            if name in keep:
                continue
            for one in prepared if isinstance(prepared, list) else [prepared]:
                one.discard()

    def _remove_workdir(self, only_if_empty: bool):
        if not (self.own_workdir and self.workdir):
            return
        if only_if_empty:
            try:
                os.rmdir(self.workdir)
            except OSError:
                pass  # holds outputs
            return
        import shutil

        shutil.rmtree(self.workdir, ignore_errors=True)


def _workdir_root(create: bool = True) -> str:
    """Folder below which runs get their working directories."""
    import tempfile

    root = os.environ.get("IMAGESHELL_WORKDIR") or tempfile.gettempdir()
    if create:
        os.makedirs(root, exist_ok=True)
    return root


#: Extensions of the imagecache format families, the first the one a temporary gets.
_FAMILY_EXTENSIONS = {
    "nifti1": (".nii", ".nii.gz", ".img", ".hdr", ".img.gz", ".hdr.gz"),
    "nifti2": (".nii", ".nii.gz", ".img", ".hdr"),
    "analyze": (".img", ".hdr", ".img.gz", ".hdr.gz"),
    "mgh": (".mgh", ".mgz"),
    "minc": (".mnc",),
}


def _format_extensions(fmt: str) -> tuple[str, ...]:
    """Extensions one ``formats`` token stands for: ``".nii"``,
    ``"nifti1:.nii"``, or a family (``"nifti1"``: all of its extensions)."""
    family, _, ext = fmt.partition(":") if not fmt.startswith(".") else ("", "", fmt)
    if ext:
        return (ext.lower(),)
    return _FAMILY_EXTENSIONS.get(family.lower(), ())


def _accepts(path: str, formats) -> bool:
    """Whether a tool reading ``formats`` takes ``path`` as it is, judged by
    its extension (a preview reads no header)."""
    if not formats:
        return True
    from .naming import split_ext

    ext = split_ext(path)[1].lower()
    return any(ext in _format_extensions(f) for f in formats)


def _first_extension(formats) -> str | None:
    """Extension of a temporary written for ``formats`` (None: any)."""
    for fmt in formats or ():
        extensions = _format_extensions(fmt)
        if extensions:
            return extensions[0]
    return None


_scratch: dict[tuple[str, int], str] = {}


def _scratch_dir(dry: bool = False) -> str:
    """This process's shared working directory for runs that name no output
    (removed at exit when left empty)."""
    if dry:
        return os.path.join(_workdir_root(create=False), "imageshell-scratch-" + PLACEHOLDER)
    root = _workdir_root()
    key = (root, os.getpid())
    path = _scratch.get(key)
    if path is None or not os.path.isdir(path):
        import atexit
        import tempfile

        path = tempfile.mkdtemp(prefix="imageshell-scratch-", dir=root)
        _scratch[key] = path
        atexit.register(_remove_if_empty, path, os.getpid())
    return path


def _remove_if_empty(path: str, pid: int) -> None:
    if os.getpid() == pid:
        try:
            os.rmdir(path)
        except OSError:
            pass


def _glob(pattern: str) -> list[str]:
    """Files matching ``pattern``, in which only ``*`` is a wildcard."""
    import glob

    return glob.glob("*".join(glob.escape(p) for p in pattern.split("*")))


def _parse_stdout(ctrait, stdout):
    if callable(ctrait.from_stdout):  # a parser: stdout -> value (None: no match)
        return ctrait.from_stdout(stdout)
    match = re.search(ctrait.from_stdout, stdout, re.MULTILINE)
    if match is None:
        return None
    text = match.group(1) if match.groups() else match.group(0)
    convert = {"Int": int, "CInt": int, "Float": float, "CFloat": float}.get(
        type(ctrait.trait_type).__name__, str
    )
    return convert(text)
