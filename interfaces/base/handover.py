"""Step 2 of a run, *hand over images*: every input as the tool gets it.

Image inputs become files now (the image may have changed since it was
assigned) through :func:`imagecache.prepare_file`; paths become absolute and
are checked to exist; values declared with a ``writer`` are written into the
run's folder; elements of lists, and values of dicts, as their inner trait
says; a ``Union`` input's value, as the branch that takes it.  Inputs
declared ``stage`` are linked into the run's folder (a tool that reads them
there by name, as nipype's ``copyfile=False`` stages them); a list declared
``listed`` is passed as a text file naming its elements.  In a preview
nothing is written: an image that would be handed over as a temporary is
shown in ``<temporary>/``.
"""

from __future__ import annotations

import os
import re

from .errors import InputFileNotFoundError
from .specs import as_list, element_trait, is_output_trait, trait_kind
from .traits_ import ImageOrValue, is_image_value

__all__ = ["hand_over", "hand_over_value", "TEMPORARY"]

#: In a preview, the folder of a temporary file imagecache would write.
TEMPORARY = "<temporary>"


def hand_over(run) -> None:
    """Make the run's folder when it needs one, and fill ``run.values`` and
    ``run.prepared``."""
    if run.workdir is None and run.interface._writes_files:
        run.new_workdir()
    values = {}
    for name, value in run.spec.given().items():
        ctrait = run.traits[name]
        if is_output_trait(ctrait):
            continue
        ctrait = _branch(ctrait, value)
        if trait_kind(ctrait) is not None:
            values[name], prepared = _one(run, name, ctrait, value, None)
            if prepared is not None:
                run.prepared[name] = prepared
            continue
        inner = element_trait(ctrait, value)
        values[name] = value if inner is None else _many(run, name, inner, value)
    staged = {}  # path in the run's folder -> the file linked there
    for name in values:
        if run.traits[name].stage:
            values[name] = _stage(run, name, run.traits[name].stage, values[name], staged,
                                  values)
    for name in values:
        listed = run.traits[name].listed
        if listed and isinstance(values[name], list):
            values[name] = _list_file(run, listed, values[name])
    run.values = values


def _branch(ctrait, value):
    """The branch of a ``Union`` input that takes ``value`` (the first that
    validates it), so a value is handed over as its kind says: seed's image,
    path, list of images or list of voxels.  Any other trait: itself."""
    if type(ctrait.trait_type).__name__ != "Union":
        return ctrait
    from traits.api import HasTraits, TraitError

    holder = HasTraits()
    for inner in ctrait.inner_traits:
        try:
            inner.validate(holder, "value", value)
        except TraitError:
            continue
        return inner
    return ctrait


def _list_file(run, listed, items) -> str:
    """Write a list input as a text file in the run's folder, one element a
    line (files as handed over; a list of numbers, e.g. a voxel, on one
    line), and return its path (in a preview, only its path)."""
    path = os.path.join(run.new_workdir(), listed)
    if not run.dry:
        lines = [" ".join(str(v) for v in item) if isinstance(item, (list, tuple))
                 else os.fspath(item) for item in items]
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))
    return path


def hand_over_value(run, label: str, ctrait, value):
    """One value as the tool gets it, for a hook that hands over values of
    its own (a Boutiques sub-command's files): ``(value, PreparedFile or
    None)``; the caller records the PreparedFile in ``run.prepared``."""
    return _one(run, label, ctrait, value, None)


def _many(run, name, inner, value):
    """A list (or dict) of files or images: each element as ``inner`` says."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out[key], prepared = _one(run, name, inner, item, key)
            if prepared is not None:  # recorded per key: "variables[x]"
                run.prepared[f"{name}[{key}]"] = prepared
        return out
    out, files = [], []
    for index, item in enumerate(value):
        passed, prepared = _one(run, name, inner, item, index)
        out.append(passed)
        if prepared is not None:
            files.append(prepared)
    if files:
        run.prepared[name] = files
    return out


def _one(run, name, ctrait, value, index):
    """``(command-line value, PreparedFile or None)`` of one value."""
    ctrait = _branch(ctrait, value)
    kind = trait_kind(ctrait)
    if kind is None and isinstance(value, list) and element_trait(ctrait, value) is not None:
        return _many(run, name, element_trait(ctrait, value), value), None
    is_path = isinstance(value, (str, os.PathLike))
    if kind == "image" and isinstance(ctrait.trait_type, ImageOrValue) \
            and not is_image_value(value):
        if isinstance(value, os.PathLike) or (
            is_path and os.path.exists(os.path.join(run.caller_cwd, value))
        ):
            return _existing(run, name, ctrait, value), None
        return str(value), None  # a number or an operator, as text
    if kind == "image":
        prepared = _prepare(run, name, ctrait, value, index)
        return prepared.path, prepared
    if kind in ("file", "directory"):
        if ctrait.writer is not None and not is_path:
            return _write_value(run, name, ctrait, value, index), None
        return _existing(run, name, ctrait, value), None
    return value, None


def _stage(run, name, stage, value, staged, values):
    """Link the file(s) of one input into the run's folder and return the
    linked path(s): under their own base names (``stage=True``), under
    ``stage`` (``"%d"``: the position in a list, from 1; ``{input}``: that
    input's value, or an output argument's path), or under ``stage(run,
    index, path)``; an image's extension kept.  A name with a folder links
    into that folder (made when needed).  Every file of a NIfTI pair is
    linked; a copy where links fail.  A directory is rebuilt as a tree: its
    folders made, its files linked (``"."``: into the run's folder itself)."""
    from .naming import split_ext

    folder = run.new_workdir()
    many = isinstance(value, list)
    element = _element(run.traits[name])
    exact = isinstance(stage, str) and trait_kind(element) != "image"
    out = []
    for index, path in enumerate(value if many else [value]):
        if trait_kind(element) == "directory":
            root = os.path.basename(os.path.normpath(path)) if stage is True else (
                stage(run, index, path) if callable(stage) else stage)
            out.append(_stage_tree(run, name, path, os.path.normpath(os.path.join(folder, root)),
                                   staged))
            continue
        root, ext = split_ext(os.path.basename(path))
        if callable(stage):
            root = stage(run, index, path)
        elif isinstance(stage, str):
            root = stage % (index + 1) if "%" in stage else stage
            root = _STAGE_FIELD.sub(lambda m: _stage_word(run, name, m.group(1), values),
                                    root)
        linked = None
        for one in _files_of(run, name, path):
            # an image keeps its extension (its format); a file takes the name given
            dest = os.path.join(folder, root if exact else root + split_ext(one)[1])
            linked = linked or dest
            _link(run, name, one, dest, staged)
        out.append(linked)
    return out if many else out[0]


def _link(run, name, one, dest, staged) -> None:
    """Link file ``one`` at ``dest`` (in the run's folder), once; refuse a
    second file under the same name."""
    import shutil

    from .errors import InputError

    if staged.get(dest, one) != one or (
            dest not in staged and not run.dry and os.path.lexists(dest)
            and not os.path.islink(dest)):
        raise InputError(
            f"{run.name}: input {name!r} would be staged as {dest}, which another "
            f"file already is. Pass files of different names.")
    if dest in staged:  # the same file twice: linked once
        return
    staged[dest] = one
    if run.dry:
        return
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    if os.path.islink(dest):  # a link of an earlier run in the same workdir
        os.remove(dest)
    try:
        os.symlink(one, dest)
    except OSError:
        shutil.copy2(one, dest)


#: Files of a run's folder that are the base's, not the tool's: never staged.
_RECORDS = ("provenance.json", "provenance-*.json")


def _stage_tree(run, name, source, dest, staged) -> str:
    """Rebuild folder ``source`` at ``dest``: folders made, files linked
    (to the files themselves, not to links), but those matching the input's
    ``stage_exclude`` patterns (relative paths; ``{input}`` the value of an
    input), which the tool writes anew -- through a link it would write into
    ``source`` -- and the base's own records."""
    import fnmatch

    from .errors import InputError

    source = os.path.abspath(source)
    if os.path.realpath(source) == os.path.realpath(dest):
        return dest  # the run's folder is the one given: the tool works in it
    if os.path.realpath(dest).startswith(os.path.realpath(source) + os.sep):
        raise InputError(f"{run.name}: input {name!r} ({source}) holds the run's folder "
                         f"{dest}; choose a workdir outside it.")
    patterns = [_STAGE_FIELD.sub(lambda m: str(getattr(run.spec, m.group(1))), p)
                for p in as_list(run.traits[name].stage_exclude)]
    for here, folders, names in os.walk(source, followlinks=True):
        relative = os.path.relpath(here, source)
        folders.sort()
        for one in sorted(names):
            path = os.path.normpath(os.path.join(relative, one))
            top = relative == "." and any(fnmatch.fnmatchcase(one, p) for p in _RECORDS)
            if top or any(fnmatch.fnmatchcase(path, p) for p in patterns):
                continue
            _link(run, name, os.path.realpath(os.path.join(here, one)),
                  os.path.join(dest, path), staged)
        if not run.dry:
            os.makedirs(os.path.join(dest, relative), exist_ok=True)
    return dest


#: ``{input}`` in a stage name.
_STAGE_FIELD = re.compile(r"\{(\w+)\}")


def _element(ctrait):
    """The trait of a list's elements, or the trait itself."""
    if trait_kind(ctrait) is None and ctrait.inner_traits:
        return ctrait.inner_traits[0]
    return ctrait


def _stage_word(run, name, word, values) -> str:
    """What ``{word}`` stands for in input ``name``'s stage name: the value
    of input ``word``, or the path of output argument ``word`` (bedpostx's
    subject folder, which its inputs are linked into)."""
    from .errors import InputError
    from .naming import Namer
    from .traits_ import is_set

    ctrait = run.traits.get(word)
    if ctrait is not None and is_output_trait(ctrait):
        namer = Namer(run.name, run.spec, run.interface.family, run.workdir, run.caller_cwd,
                      values)
        path = namer.output_arg(word)
        if path is not None:
            return path
    elif ctrait is not None and is_set(getattr(run.spec, word)):
        return os.fspath(getattr(run.spec, word))
    raise InputError(f"{run.name}: input {name!r} is staged under a name made from "
                     f"{word!r}, which is not set. Set {word!r}.")


#: The other file of a two-file image (NIfTI or Analyze pair).
_PAIRED = {".img": ".hdr", ".hdr": ".img", ".img.gz": ".hdr.gz", ".hdr.gz": ".img.gz"}


def _files_of(run, name, path) -> tuple:
    """Every file of the image (or file) handed over at ``path``: both
    files of a pair."""
    from .naming import split_ext

    files = [path]
    prepared = run.prepared.get(name)
    for one in prepared if isinstance(prepared, list) else [prepared]:
        if one is not None and one.path == path:
            files = list(one.files or (path,))
    root, ext = split_ext(path)
    other = root + _PAIRED.get(ext.lower(), ext)
    if other not in files and other != path and (run.dry or os.path.exists(other)):
        files.append(other)
    return tuple(files)


def _write_value(run, name, ctrait, value, index) -> str:
    """Write a value declared with ``writer`` to a file in the run's folder
    and return its path."""
    label = name if index is None else f"{name}.{index}"
    path = os.path.join(run.new_workdir(), f"{label}{ctrait.suffix or ''}")
    if run.dry:
        return path
    try:
        ctrait.writer(value, path)
    except Exception as error:
        error.add_note(f"while writing input {label!r} of {run.name} to {path}")
        raise
    return path


def _existing(run, name, ctrait, value) -> str:
    path = os.path.abspath(os.path.join(run.caller_cwd, os.fspath(value)))
    if ctrait.exists is not False:
        ok = os.path.isdir(path) if trait_kind(ctrait) == "directory" else os.path.exists(path)
        if not ok:
            raise _input_not_found(run, name, path)
    return path


def _prepare(run, name, ctrait, value, index):
    import imagecache

    formats = ctrait.formats or run.interface.family.image_formats
    label = name if index is None else f"{name}[{index}]"
    try:
        if run.dry:
            return _planned(run, label, value, formats, bool(ctrait.copy))
        return imagecache.prepare_file(value, formats=formats, copy=bool(ctrait.copy))
    except FileNotFoundError as error:
        raise _input_not_found(run, label, error.filename or value) from error
    except Exception as error:
        error.add_note(f"while passing input {label!r} of {run.name} as a file")
        raise


def _planned(run, label, value, formats, copy):
    """The PreparedFile a preview shows for an image input: what
    :func:`imagecache.plan_file` says the run would hand over, a file to be
    written shown in ``<temporary>/`` (nothing is written)."""
    import imagecache

    from .naming import split_ext

    if isinstance(value, (str, os.PathLike)):
        value = os.path.abspath(os.path.join(run.caller_cwd, os.fspath(value)))
        hint = os.path.basename(value)
    else:
        hint = os.path.basename(value.get_filename() or "") or label
    plan = imagecache.plan_file(value, formats=formats, copy=copy)
    if plan.path is not None:
        return imagecache.PreparedFile(plan.path, "original", 0, True, (plan.path,))
    stem = split_ext(hint)[0].split(".")[0] or "image"
    path = f"{TEMPORARY}/{stem}{plan.extension}"
    return imagecache.PreparedFile(path, plan.origin, 0, False, (path,))


def _input_not_found(run, label, path) -> InputFileNotFoundError:
    return InputFileNotFoundError(
        f"{run.name}: input {label!r} names {path}, which does not exist. Check the path."
    )
