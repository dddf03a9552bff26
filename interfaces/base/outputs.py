"""Step 5 of a run, *collect outputs*: the exit status, then every output.

A timeout or a failure status is an error (unless ``check=False``); then each
declared output is found -- a path given or named from a template (a ``*``
only in templates), a copy the tool modified, a value read from stdout, or
what the interface's ``discover_outputs`` hook finds (a list by glob in
human order: ``pe2`` before ``pe10``) -- and loaded: images as
imagecache images, checked to hold as many bytes as their header says.  The
copies handed over are deleted (but those that are outputs), and the run's
own folder is removed when the run left it empty.  In a preview, the outputs
are the paths the run would look for, not loaded.
"""

from __future__ import annotations

import fnmatch
import os
import re

from .errors import CommandFailedError, CommandTimeoutError, OutputCorruptError, OutputMissingError
from .results import Result, Runtime
from .specs import as_list, is_output_trait, requirement_met, trait_kind
from .traits_ import is_set

__all__ = ["collect"]


def collect(run):
    """Build ``run.result`` (a :class:`~interfaces.base.Result`) and return it."""
    cls, completed, env = run.interface, run.completed, run.env
    environ = {} if env is None else {k: v for k, v in env.items() if os.environ.get(k) != v}
    runtime = Runtime(run.argv, run.cwd, completed, run.executable, cls.family, environ)
    used = dict(run.spec.given())
    used.update({k: v for k, v in run.namer.paths.items() if v is not None})
    run.result = result = Result(run.name, None, used, run.prepared, runtime)
    if run.dry:
        result.outputs = _expected(run)
        return result
    try:
        failed = _check_exit(run, runtime, result)
        result.outputs, keep = _find(run, lenient=failed)
    except (OutputMissingError, OutputCorruptError) as error:
        error.result = result
        run.discard_copies()
        raise
    except BaseException:
        run.discard_copies()
        raise
    run.discard_copies(keep=keep)
    run.remove_workdir(only_if_empty=True)
    return result


def _check_exit(run, runtime, result) -> bool:
    """Whether the run failed; raise CommandTimeoutError, or
    CommandFailedError when ``run.check``."""
    completed = run.completed
    if completed.timed_out:
        raise CommandTimeoutError(
            f"{run.name}: the command ran longer than timeout={run.timeout} s; its "
            f"process group was killed.\n  command: {runtime.cmdline}\n"
            f"{run.kept()}Raise the timeout, or check why the tool hangs.",
            result,
        )
    cls = run.interface
    reason = cls.check_run(run, completed)
    failed = bool(reason) or completed.returncode not in cls.success_codes
    if failed and run.check:
        tail = runtime.stderr_tail()
        tail = "\n".join("    " + line for line in tail.splitlines()) or "    (empty)"
        why = f"  {reason}\n" if reason else ""
        raise CommandFailedError(
            f"{run.name}: the command {_status(completed.returncode)}.\n"
            f"{why}"
            f"  command: {runtime.cmdline}\n  stderr (last lines):\n{tail}\n"
            f"{run.kept()}Read the tool's message above; pass check=False to get "
            f"the result instead of an error.",
            result,
        )
    return failed


def _status(returncode: int) -> str:
    """``exited with status 3`` / ``was killed by signal SIGSEGV (11)``."""
    if returncode >= 0:
        return f"exited with status {returncode}"
    import signal

    try:
        label = signal.Signals(-returncode).name
    except ValueError:
        label = "unknown"
    return f"was killed by signal {label} ({-returncode})"


def _argument(run, name):
    """The output argument of the same name as an output, or None."""
    argument = run.traits.get(name)
    return argument if argument is not None and is_output_trait(argument) else None


def _expected(run):
    """A preview's outputs: the paths the run would look for, not loaded
    (outputs read from stdout, found by glob or discovered are Undefined)."""
    from traits.api import TraitError

    outputs = run.interface.output_spec()()
    for name, ctrait in outputs.spec_traits().items():
        if ctrait.from_stdout or ctrait.discovered or ctrait.inner_traits:
            continue
        path = _output_path(run, name, ctrait, _argument(run, name))
        if path is None or "*" in path:
            continue
        try:
            setattr(outputs, name, path)
        except TraitError:  # a value read from the file (reader=): not a path
            pass
    return outputs


def _find(run, lenient):
    """Fill the output spec; raise OutputMissingError for declared files
    that are not there (unless the tool failed and check=False)."""
    outputs = run.interface.output_spec()()
    keep = set()
    missing = []
    stdout = run.completed.stdout
    _write_printed(run, stdout)
    for name, ctrait in outputs.spec_traits().items():
        if ctrait.from_stdout:
            value = _from_stdout(run, name, ctrait, stdout, lenient)
            if value is not None:
                setattr(outputs, name, value)
            continue
        argument = _argument(run, name)
        path = _output_path(run, name, ctrait, argument)
        if path is None:
            continue
        if argument is None and ctrait.modified_input:
            keep.add(ctrait.modified_input)  # the copy is the output
        elif argument is not None and trait_kind(argument) == "prefix":
            setattr(outputs, name, path)  # nothing is written at a prefix
            continue
        # A name the user gave is literal: only templates hold wildcards.
        pattern = "*" in path and not (
            argument is not None and isinstance(getattr(run.spec, name), (str, os.PathLike))
        )
        if pattern and ctrait.inner_traits:  # a list found by glob: 0 or more
            found = [p for p in sorted(_glob(path), key=_human_order) if not (
                ctrait.exclude and fnmatch.fnmatchcase(os.path.basename(p), ctrait.exclude))]
            setattr(outputs, name, [_load(run, name, ctrait.inner_traits[0], ctrait, p)
                                    for p in found])
            continue
        if pattern:  # one file whose name the tool chooses: the single match
            found = _glob(path)
            path = found[0] if len(found) == 1 else path
        if os.path.exists(path):
            setattr(outputs, name, _load(run, name, ctrait, ctrait, path))
        elif not _may_be_missing(run, ctrait):
            missing.append((name, path))
    found_keep, found_missing = run.interface.discover_outputs(run, outputs, lenient)
    keep |= set(found_keep)
    missing.extend(found_missing)
    if missing and not lenient:
        listed = "\n".join(f"    {n}: {p}" for n, p in missing)
        raise OutputMissingError(
            f"{run.name}: the command finished but did not write "
            f"{'this output' if len(missing) == 1 else 'these outputs'}:\n{listed}\n"
            f"{run.kept()}Check the tool's stdout/stderr (error.stderr) and the "
            f"inputs that select its outputs."
        )
    return outputs, keep


def _may_be_missing(run, ctrait) -> bool:
    """Whether this run may leave an output unwritten: ``optional`` is True,
    or names inputs of which one is set in this run (not False)."""
    optional = ctrait.optional
    if not optional or optional is True:
        return bool(optional)
    return any(is_set(getattr(run.spec, n)) and getattr(run.spec, n) is not False
               for n in as_list(optional))


def _write_printed(run, stdout) -> None:
    """Write the output arguments the tool prints instead of writing
    (``printed``): its stdout, or ``printed(stdout)``."""
    for name, ctrait in run.traits.items():
        path = run.namer.paths.get(name) if ctrait.printed else None
        if path is None:
            continue
        text = ctrait.printed(stdout) if callable(ctrait.printed) else stdout
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def _from_stdout(run, name, ctrait, stdout, lenient):
    """An output read from stdout; None when it is not there (an error
    unless the output is optional or the run failed)."""
    value = _parse_stdout(ctrait, stdout)
    if value is None and not lenient and not _may_be_missing(run, ctrait):
        raise OutputMissingError(
            f"{run.name}: output {name!r} should be read from stdout "
            f"with {ctrait.from_stdout!r}, which did not match. "
            f"stdout was: {stdout[-500:]!r}. Check the tool's output."
        )
    return value


def _output_path(run, name, ctrait, argument) -> str | None:
    """Where an output is expected (may hold ``*``); None when this run
    does not produce it.  ``argument``: the output argument of the same
    name, if any."""
    if argument is not None:
        path = run.namer.paths.get(name)
        kind = trait_kind(argument)
    elif ctrait.modified_input:
        prepared = run.prepared.get(ctrait.modified_input)
        return None if prepared is None else prepared.path
    elif ctrait.name_template and requirement_met(
        ctrait.requires, lambda n: is_set(getattr(run.spec, n)),
        lambda n: getattr(run.spec, n),
    ):
        path = run.namer.from_template(name, ctrait)
        kind = trait_kind(ctrait)
    else:
        return None
    if path is None or kind != "image" or "*" in path:
        return path
    # the file the tool writes for that name (FSL: FSLOUTPUTTYPE's extension)
    return run.namer.family.image_written_as(path, run.namer.output_type)


def _load(run, name, element, ctrait, path):
    """An output file as returned: ``ctrait``'s reader's value, an
    imagecache image when ``element`` is an image, else the path.

    Raises OutputCorruptError when the file cannot be read, or is an image
    with fewer bytes than its header says (a truncated file would otherwise
    pass and fail in the next tool)."""
    try:
        if ctrait.reader is not None:  # e.g. a JSON file returned as a dict
            return ctrait.reader(path)
        if trait_kind(element) != "image":
            return path
        import imagecache

        image = imagecache.load(path)
        problem = _truncation(image)
    except Exception as error:
        problem = f"{type(error).__name__}: {error}"
    if problem is None:
        return image
    raise OutputCorruptError(
        f"{run.name}: the command finished, but output {name!r} ({path}) cannot be "
        f"read: {problem}\n  command: {run.cmdline}\n{run.kept()}The tool wrote a corrupt "
        f"or incomplete file: check its stderr (error.stderr), free disk space, and run "
        f"it again."
    )


def _truncation(image) -> str | None:
    """Why an image file read through nibabel's proxy cannot be whole (fewer
    bytes of voxels than its header says), or None.  An uncompressed file is
    judged by its size; a gzip file by its trailer, and when that disagrees,
    by reading it through."""
    import math

    import nibabel as nib

    proxy = image.dataobj
    if not nib.is_proxy(proxy):
        return None
    file = getattr(proxy, "file_like", None)
    try:
        need = proxy.offset + math.prod(proxy.shape) * proxy.dtype.itemsize
    except (AttributeError, TypeError):
        return None
    if not isinstance(file, str):
        return None
    if file.endswith(".gz"):
        import gzip
        import struct

        with open(file, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() >= 4:
                fh.seek(-4, os.SEEK_END)
                if struct.unpack("<I", fh.read(4))[0] == need % 2**32:
                    return None  # the trailer's length is the header's
        have = 0
        try:
            with gzip.open(file, "rb") as fh:
                while chunk := fh.read(1 << 22):
                    have += len(chunk)
        except (EOFError, OSError) as error:
            return f"the compressed data of {file} ends early ({error}): the file is truncated"
    elif file.endswith((".bz2", ".zst", ".xz")):
        return None
    else:
        have = os.path.getsize(file)
    if have < need:
        return (f"{file} holds {have} bytes where its header needs {need}: the file is "
                f"truncated")
    return None


def _human_order(path: str) -> list:
    """Sort key: numbers as numbers (``pe2`` before ``pe10``, as nipype's
    human_order_sorted), so a list found by glob is in the tool's order."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", path)]


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
