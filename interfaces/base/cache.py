"""Result caching: ``run(..., cache=True)`` returns a stored result without
running the tool when nothing that matters changed.

A job's key is a digest of

- the interface: its class, executable, success codes and every trait's
  metadata (so editing a wrapper's declaration invalidates its results);
- the tool: the executable's path, ``stat`` and version (the version is asked
  once per executable ``stat`` and remembered in the cache folder);
- the environment the family sets or reads (home folder, output type, extra
  variables);
- each input: plain values as given; paths and file-backed images by their
  file's identity and ``stat`` plus header; in-memory or edited images by a
  digest of voxels, header and affine (:func:`imagecache.image_fingerprint`).
  With ``hash_contents=True`` files count by content, hashed once per
  ``stat`` (a persistent hash cache), so a touched or copied file still hits.

Layout of a cache folder (everything JSON, never pickle)::

    entries/ab/<key>.json     the stored result of one job
    runs/<tool>-<key>/        the job's run folder: outputs, provenance.json
    locks/<key>.lock          held while the job runs (one run per key at once)
    hashes/ab/<stat>.json     content digests (hash_contents=True)
    tools/<stat>.json         tool versions

A hit checks that every output file still exists with the size, modification
time and inode it had; a deleted or modified output makes the job run again.
Several processes (or machines, on a filesystem with working locks) may share
one folder: entries are written atomically, and a job being run by one
process is waited for, not run again, by the others.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import threading
import types
import warnings

import xxhash

import imagecache

from .errors import CacheWarning, InterfaceError
from .results import Result, Runtime
from .specs import element_trait, is_output_trait, trait_kind
from .traits_ import is_image_value

__all__ = ["set_cache", "get_cache", "CachedResult", "ENV_CACHE", "ENV_CONTENTS", "file_digest"]

#: Environment variable: the process-wide cache folder (empty: off).
ENV_CACHE = "IMAGESHELL_CACHE"
#: Environment variable: "1" to key files by content instead of ``stat``.
ENV_CONTENTS = "IMAGESHELL_CACHE_CONTENTS"

SCHEMA = 1
_UNSET = object()
_setting = {"folder": _UNSET, "contents": None}


def set_cache(folder=_UNSET, *, hash_contents=None) -> None:
    """Cache every run of this process in ``folder``.

    ``run(cache=False)`` still turns it off for one run, ``run(cache=PATH)``
    picks another folder.  Without a call, the ``IMAGESHELL_CACHE``
    environment variable decides.

    Parameters
    ----------
    folder : str, os.PathLike, False or None
        Created when first used; point it at a shared filesystem to share
        results between machines.  False: no caching; None: back to
        ``$IMAGESHELL_CACHE``.
    hash_contents : bool, optional
        Key input files by their content (hashed once per ``stat``, hashes
        kept in the folder) rather than by ``stat``; default from
        ``IMAGESHELL_CACHE_CONTENTS``.
    """
    if folder is None:
        _setting["folder"] = _UNSET
    elif folder is False:
        _setting["folder"] = None
    elif folder is not _UNSET:
        _setting["folder"] = os.path.abspath(os.fspath(folder))
    if hash_contents is not None:
        _setting["contents"] = bool(hash_contents)


def get_cache() -> str | None:
    """The process-wide cache folder, or None when runs are not cached."""
    folder = _setting["folder"]
    if folder is _UNSET:
        env = os.environ.get(ENV_CACHE)
        return os.path.abspath(env) if env else None
    return folder


def _contents() -> bool:
    if _setting["contents"] is not None:
        return _setting["contents"]
    return os.environ.get(ENV_CONTENTS, "") not in ("", "0", "false", "no")


def _default_folder() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "imageshell")


def resolve(cache) -> str | None:
    """The folder a ``run(cache=...)`` argument selects, or None for no cache."""
    if cache is None:
        return get_cache()
    if cache is False:
        return None
    if cache is True:
        return get_cache() or _default_folder()
    return os.path.abspath(os.fspath(cache))


# -- content hashes and tool versions, remembered in the folder -------------------

_memo_lock = threading.Lock()
_hashes: dict = {}  # (folder, path, stat) -> digest
_versions: dict = {}  # (folder, executable, stat) -> version
#: Files hashed by this process (how tests see that a file is hashed once).
hash_count = 0


def _stat_tuple(path: str):
    """The file's full identity (see :func:`imagecache.file_identity`); raises if it is missing."""
    identity = imagecache.file_identity(path)
    if identity is None:
        raise FileNotFoundError(errno.ENOENT, f"{path!r} does not exist", path)
    return identity


def _write_json(path: str, data) -> None:
    """Write atomically: readers see the old file or the new, never a part,
    and a failed write (a full disk) leaves no partial file."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = f"{path}.{os.getpid()}-{threading.get_ident()}.partial"
    try:
        with open(partial, "w", encoding="utf-8") as fh:
            json.dump(data, fh, default=_json_default)
        os.replace(partial, path)
    except BaseException:
        try:
            os.unlink(partial)
        except OSError:
            pass
        raise


def _record_json(path: str, data) -> None:
    """Write a record the cache can do without (a content digest, a tool
    version): on failure, warn and go on."""
    try:
        _write_json(path, data)
    except OSError as error:
        warnings.warn(
            f"could not write the cache record {path} ({error.strerror or error}); "
            f"it will be computed again next time. Free space in the cache folder, "
            f"or choose another one.",
            CacheWarning, stacklevel=2,
        )


def _json_default(value):
    """JSON form of values json does not know: arrays (an affine read back by
    an output ``reader``) as lists, anything else as its repr."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return repr(value)


def _read_json(path: str):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _read_record(path: str, keys: dict) -> dict | None:
    """A cache record that has ``keys`` (``{name: type}``), or None.

    A record that exists but cannot be read or has another shape (a list,
    missing keys: a damaged or foreign file) is a miss, with a warning; it is
    rewritten by the run that follows.
    """
    if not os.path.exists(path):
        return None
    data = _read_json(path)
    if isinstance(data, dict) and all(isinstance(data.get(k), t) for k, t in keys.items()):
        return data
    _unreadable(path)
    return None


def _unreadable(path: str) -> None:
    warnings.warn(
        f"ignoring the unreadable cache record {path} (not the JSON the cache "
        f"writes); it is rebuilt by this run.",
        CacheWarning, stacklevel=3,
    )


def content_digest(path: str) -> str:
    """xxHash XXH3-128 of a file's bytes, as hex (no memo: see :func:`file_digest`)."""
    h = xxhash.xxh3_128()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def file_digest(path: str, folder: str | None = None) -> str:
    """Content digest (xxHash XXH3-128) of a file, computed once per ``stat``.

    Parameters
    ----------
    path : str
        Absolute path of the file.
    folder : str, optional
        A cache folder where digests are remembered across processes.
    """
    global hash_count
    stat = _stat_tuple(path)
    memo_key = (folder, path, stat)
    digest = _hashes.get(memo_key)
    if digest is not None:
        return digest
    record = None
    if folder is not None:
        name = xxhash.xxh3_128_hexdigest(repr((path, stat)).encode())
        record = os.path.join(folder, "hashes", name[:2], name + ".json")
        stored = _read_record(record, {"stat": list, "digest": str})
        if stored is not None and stored["stat"] == list(stat):
            digest = stored["digest"]
    if digest is None:
        digest = content_digest(path)
        with _memo_lock:
            hash_count += 1
        if _stat_tuple(path) != stat:  # changed while we read it: do not remember
            return digest
        if record is not None:
            _record_json(record, {"path": path, "stat": list(stat), "digest": digest})
    _hashes[memo_key] = digest
    return digest


def _tool_version(cls, executable: str, exe_stat, folder: str, timeout=None) -> str | None:
    family = cls.family
    key = (folder, executable, exe_stat, family.version_args, family.version_file, family.home())
    if key in _versions:
        return _versions[key]
    name = xxhash.xxh3_128_hexdigest(repr(key[1:]).encode())
    record = os.path.join(folder, "tools", name + ".json")
    stored = _read_record(record, {"key": str})
    if stored is not None and stored["key"] == repr(key[1:]) and (
        stored.get("version") is None or isinstance(stored.get("version"), str)
    ):
        version = stored.get("version")
    else:
        from .version import tool_version

        version = tool_version(executable, family, timeout=timeout)
        _record_json(record, {"key": repr(key[1:]), "executable": executable,
                              "version": version})
    _versions[key] = version
    return version


# -- the key ------------------------------------------------------------------

_identities: dict = {}
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _stable(value):
    """A representation of a declaration's value that is the same in every
    process: functions (e.g. ``from_stdout`` parsers) by name, code and
    captured values, never by memory address."""
    code = getattr(value, "__code__", None)
    if code is not None:
        cells = tuple(_stable(c.cell_contents) for c in (value.__closure__ or ()))
        return ("function", value.__module__, value.__qualname__, code.co_code,
                _stable(code.co_consts), cells)
    if isinstance(value, (list, tuple)):
        return tuple(_stable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _stable(v)) for k, v in value.items()))
    return _ADDRESS.sub("", repr(value))


def interface_identity(cls) -> str:
    """Digest of an interface's declaration (computed once per class)."""
    ident = _identities.get(cls)
    if ident is None:
        parts = [cls.__module__, cls.__qualname__, cls.executable, tuple(cls.success_codes)]
        for spec in (cls.Inputs, cls.output_spec()):
            for name, ctrait in spec.spec_traits().items():
                meta = {k: v for k, v in ctrait.__dict__.items() if k != "desc"}
                parts.append((name, type(ctrait.trait_type).__name__, _stable(meta),
                              _stable(ctrait.default)))
        ident = _identities[cls] = xxhash.xxh3_128_hexdigest(repr(parts).encode())
    return ident


def family_environment(family) -> dict:
    """The environment variables a family reads or sets, with their values now."""
    env = {}
    for var in (family.home_env, family.output_type_env):
        if var:
            env[var] = os.environ.get(var)
    if family.output_type_env:
        env[family.output_type_env] = family.output_type()
    env.update(family.environ)
    return env


def _path_print(path: str, digest) -> str:
    if digest is not None:
        return "content:" + digest(path)
    return "stat:" + repr(_stat_tuple(path))


def _directory_print(path: str) -> str:
    h = xxhash.xxh3_128()
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            p = os.path.join(root, name)
            identity = imagecache.file_identity(p)
            if identity is None:
                continue
            h.update(f"{os.path.relpath(p, path)}|{identity}\n".encode())
    return "tree:" + h.hexdigest()


def value_fingerprint(kind, value, digest=None):
    """Fingerprint of one input value of the given trait kind.

    ``digest`` (``path -> str``) keys files by content instead of ``stat``.
    Raises FileNotFoundError for a path input that does not exist.
    """
    import imagecache

    if is_image_value(value):
        return imagecache.image_fingerprint(value, file_digest=digest)
    if kind in ("image", "file", "directory") and isinstance(value, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(value))
        if kind == "directory":
            return _directory_print(path)
        if not os.path.exists(path):
            return "missing:" + path
        return _path_print(path, digest)
    if kind in ("image", "file", "directory") and value is not None:
        # a value an ImageOrValue passes as text ("-add", 2), or one a File
        # writer writes (a parameter dict, an affine): it is the input
        return "value:" + json.dumps(value, sort_keys=True, default=_json_default)
    return None


def input_fingerprints(cls, given: dict, digest=None) -> dict:
    """``{name: fingerprint}`` of the image, file and directory inputs."""
    traits = cls.Inputs.spec_traits()
    out = {}
    for name, value in given.items():
        ctrait = traits[name]
        if is_output_trait(ctrait):
            continue
        kind = trait_kind(ctrait)
        own = getattr(ctrait.trait_type, "fingerprint", None)
        if own is None and ctrait.inner_traits:  # a list of values that fingerprint
            own = getattr(ctrait.inner_traits[0].trait_type, "fingerprint", None)
            if own is not None and isinstance(value, list):
                out[name] = [own(v, lambda k, v: value_fingerprint(k, v, digest)) for v in value]
                continue
        if own is not None:  # a trait whose values hold files (Boutiques sub-commands)
            out[name] = own(value, lambda k, v: value_fingerprint(k, v, digest))
            continue
        if kind is None and isinstance(value, (list, dict)):
            inner = element_trait(ctrait, value)
            if inner is None:
                continue
            inner_kind = trait_kind(inner)
            if isinstance(value, dict):  # Dict(Str, Image()): per key
                out[name] = {str(k): value_fingerprint(inner_kind, v, digest)
                             for k, v in sorted(value.items())}
            else:
                out[name] = [value_fingerprint(inner_kind, v, digest) for v in value]
            continue
        if kind is not None or is_image_value(value):
            out[name] = value_fingerprint(kind, value, digest)
    return out


def _plain_value(value):
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return [_plain_value(v) for v in value]
    return value


def job_key(cls, given, executable, workdir, folder, contents, timeout=None) -> tuple[str, dict]:
    """The job's key and the input fingerprints it was made from (``timeout``:
    what the version lookup may take)."""
    exe_stat = _stat_tuple(executable)
    digest = (lambda p: file_digest(p, folder)) if contents else None
    prints = input_fingerprints(cls, given, digest)
    values = []
    for name, value in given.items():
        if name in prints:
            values.append((name, prints[name]))
        elif isinstance(value, (str, os.PathLike)) and not isinstance(value, str):
            values.append((name, os.fspath(value)))
        else:
            values.append((name, _plain_value(value)))
    parts = (
        SCHEMA,
        interface_identity(cls),
        executable,
        exe_stat,
        _tool_version(cls, executable, exe_stat, folder, timeout),
        sorted(family_environment(cls.family).items(), key=str),
        None if workdir is None else os.path.abspath(os.fspath(workdir)),
        values,
    )
    return xxhash.xxh3_128_hexdigest(repr(parts).encode()), prints


# -- results -------------------------------------------------------------------


class CachedResult(Result):
    """A :class:`~interfaces.base.Result` of a run with caching on.

    Attributes
    ----------
    cache_hit : bool
        True when the result was found in the cache and nothing ran.
    cache_key : str
        The job's key.
    outputs
        As for every result.  On a hit, image outputs are loaded on first
        access (no file is read before).
    """

    __slots__ = ("cache_hit", "cache_key", "_pending")

    def _get_outputs(self):
        pending = self._pending
        if pending is not None:
            self._pending = None
            Result.outputs.__set__(self, pending())
        return Result.outputs.__get__(self)

    def _set_outputs(self, value):
        self._pending = None
        Result.outputs.__set__(self, value)

    outputs = property(_get_outputs, _set_outputs)

    @classmethod
    def wrap(cls, result: Result, key: str) -> "CachedResult":
        new = cls(result.interface, result.outputs, result.inputs, result.input_files,
                  result.runtime)
        new.cache_hit = False
        new.cache_key = key
        return new

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f", cache_hit={self.cache_hit})"


def _files_of_image(img) -> list[str]:
    files = []
    for holder in getattr(img, "file_map", {}).values():
        if holder.filename and os.path.abspath(holder.filename) not in files:
            files.append(os.path.abspath(holder.filename))
    return files


def _file_state(path: str):
    """``[path, device, inode, size, mtime_ns, ctime_ns]``: a file put back with its mtime is seen."""
    return [path, *_stat_tuple(path)]


def _output_entry(kind, value) -> dict:
    from .traits_ import Undefined

    if value is Undefined or value is None:
        return {"kind": "undefined"}
    if is_image_value(value):
        files = _files_of_image(value)
        return {"kind": "image", "value": files[0], "files": [_file_state(p) for p in files]}
    if kind == "directory":
        path = os.fspath(value)
        return {"kind": "directory", "value": path, "tree": _directory_print(path)}
    if kind in ("file", "image"):
        path = os.fspath(value)
        return {"kind": "file", "value": path, "files": [_file_state(path)]}
    return {"kind": "value", "value": value}


def _outputs_unchanged(outputs: dict, folder: str, contents: bool, hashes: dict) -> bool:
    for name, entry in outputs.items():
        if entry["kind"] == "directory":
            if not os.path.isdir(entry["value"]) or _directory_print(entry["value"]) != entry["tree"]:
                return False
            continue
        for path, *identity in entry.get("files", ()):
            now = imagecache.file_identity(path)
            if now is None:
                return False
            if list(now) == identity:
                continue
            # Rewritten with the same bytes (e.g. restored from a backup)?
            if not contents or path not in hashes or file_digest(path, folder) != hashes[path]:
                return False
    return True


def _prepared_files(stored: dict) -> dict:
    import imagecache

    def one(e):
        return imagecache.PreparedFile(e["path"], e["origin"], 0, True, tuple(e["files"]))

    return {k: [one(e) for e in v] if isinstance(v, list) else one(v) for k, v in stored.items()}


def _entry(result: Result, version, contents: bool, folder: str) -> dict:
    traits = result.outputs.spec_traits()
    outputs = {
        name: _output_entry(trait_kind(ctrait), getattr(result.outputs, name))
        for name, ctrait in traits.items()
    }
    hashes = {}
    if contents:
        for entry in outputs.values():
            for path, *_ in entry.get("files", ()):
                hashes[path] = file_digest(path, folder)
    files = {}
    for name, prepared in result.input_files.items():
        many = prepared if isinstance(prepared, list) else [prepared]
        entries = [{"path": p.path, "origin": p.origin, "files": list(p.files or (p.path,))}
                   for p in many]
        files[name] = entries if isinstance(prepared, list) else entries[0]
    rt = result.runtime
    return {
        "schema": SCHEMA,
        "interface": result.interface,
        "outputs": outputs,
        "output_hashes": hashes,
        "output_args": {k: os.fspath(v) for k, v in result.inputs.items()
                        if k in traits and isinstance(v, (str, os.PathLike))},
        "input_files": files,
        "runtime": {
            "argv": list(rt.argv), "cwd": rt.cwd, "returncode": rt.returncode,
            "stdout": rt.stdout, "stderr": rt.stderr, "start": rt.start.timestamp(),
            "end": rt.end.timestamp(), "duration": rt.duration, "hostname": rt.hostname,
            "executable": rt.executable, "environ": dict(rt.environ), "version": version,
        },
    }


def _from_entry(cls, entry: dict, given: dict, key: str) -> CachedResult:
    import imagecache

    stored = entry["runtime"]
    completed = types.SimpleNamespace(
        returncode=stored["returncode"], stdout=stored["stdout"], stderr=stored["stderr"],
        start=stored["start"], end=stored["end"], duration=stored["duration"],
    )
    runtime = Runtime(stored["argv"], stored["cwd"], completed, stored["executable"],
                      cls.family, stored["environ"])
    runtime.hostname = stored["hostname"]
    runtime._version = stored["version"]
    used = dict(given)
    used.update(entry["output_args"])
    outputs = entry["outputs"]

    def build():
        spec = cls.output_spec()()
        for name, out in outputs.items():
            if out["kind"] == "image":
                setattr(spec, name, imagecache.load(out["value"]))
            elif out["kind"] != "undefined":
                setattr(spec, name, out["value"])
        return spec

    result = CachedResult(cls.full_name(), None, used, _prepared_files(entry["input_files"]),
                          runtime)
    result._pending = build
    result.cache_hit = True
    result.cache_key = key
    return result


# -- running through the cache ------------------------------------------------------


class _Folder:
    """One cache folder: where a key's entry, lock and run folder are."""

    def __init__(self, path: str, contents: bool):
        self.path = path
        self.contents = contents

    def entry_path(self, key: str) -> str:
        return os.path.join(self.path, "entries", key[:2], key + ".json")

    def run_folder(self, cls, key: str) -> str:
        return os.path.join(self.path, "runs", f"{cls.full_name()}-{key}")

    def lock(self, key: str):
        from filelock import FileLock

        folder = os.path.join(self.path, "locks")
        os.makedirs(folder, exist_ok=True)
        return FileLock(os.path.join(folder, key + ".lock"))

    def hit(self, cls, key: str, given: dict) -> CachedResult | None:
        path = self.entry_path(key)
        entry = _read_record(path, {"schema": int, "outputs": dict, "runtime": dict,
                                    "output_args": dict, "input_files": dict})
        if entry is None or entry["schema"] != SCHEMA:
            return None
        outputs = entry["outputs"]
        if set(outputs) != set(cls.output_spec().names()) or not all(
            isinstance(o, dict) and o.get("kind") in _KINDS
            and (o["kind"] == "undefined" or "value" in o) for o in outputs.values()
        ):
            _unreadable(path)  # e.g. outputs emptied: a hit would return none of them
            return None
        try:
            if not _outputs_unchanged(outputs, self.path, self.contents,
                                      entry.get("output_hashes") or {}):
                return None
            return _from_entry(cls, entry, given, key)
        except (KeyError, TypeError, ValueError, AttributeError):
            _unreadable(path)
            return None


#: The kinds of stored outputs (see ``_output_entry``).
_KINDS = frozenset({"undefined", "image", "directory", "file", "value"})


def _usable(folder: str) -> bool:
    """Whether ``folder`` can hold the cache; warn, naming it, when not."""
    try:
        os.makedirs(os.path.join(folder, "entries"), exist_ok=True)
        if not os.access(os.path.join(folder, "entries"), os.W_OK):
            raise PermissionError(13, "Permission denied")
        return True
    except OSError as error:
        reason = error.strerror or str(error)
        if os.path.exists(folder) and not os.path.isdir(folder):
            reason = "it is a file, not a folder"
        warnings.warn(
            f"the cache folder {folder} cannot be used ({reason}); running without "
            f"the cache. Pass cache= a writable folder, or fix $IMAGESHELL_CACHE "
            f"(or interfaces.set_cache).",
            CacheWarning, stacklevel=4,
        )
        return False


class Job:
    """One job in a cache folder, for the run pipeline
    (:mod:`interfaces.base.pipeline`), which uses it as::

        job = cache.job(cls, given, executable, workdir, cache, timeout_left)
        if job is not None:
            with job:                   # one process runs a key at once
                if job.found: return job.found
                result = ...run in job.run_folder(workdir)...
                job.store(result)
            return job.wrap(result)

    Attributes
    ----------
    key : str
        The job's key.
    fingerprints : dict
        The input fingerprints it was made from (for the provenance record).
    """

    def __init__(self, cls, given: dict, folder: _Folder, key: str, fingerprints: dict):
        self.cls = cls
        self.given = given
        self.folder = folder
        self.key = key
        self.fingerprints = fingerprints
        self._lock = None

    @property
    def found(self) -> CachedResult | None:
        """The stored result, when it still stands (checked each time)."""
        return self.folder.hit(self.cls, self.key, self.given)

    def __enter__(self):
        self._lock = self.folder.lock(self.key)
        self._lock.acquire()
        return self

    def __exit__(self, *exc):
        self._lock.release()
        return False

    def run_folder(self, workdir) -> str:
        """Where the job runs: ``workdir`` when given, else its folder in the
        cache (emptied first: its outputs were deleted or changed)."""
        if workdir is not None:
            return workdir
        path = self.folder.run_folder(self.cls, self.key)
        if os.path.isdir(path):
            shutil.rmtree(path)
        return path

    def store(self, result: Result) -> None:
        """Store a successful result (a full disk costs the entry, with a
        warning, not the result)."""
        if result.runtime.returncode in self.cls.success_codes:
            entry = _entry(result, result.runtime.version, self.folder.contents, self.folder.path)
            _record_json(self.folder.entry_path(self.key), entry)

    def wrap(self, result: Result) -> CachedResult:
        return CachedResult.wrap(result, self.key)


def job(cls, given: dict, executable: str, workdir, cache, timeout=None) -> Job | None:
    """The cache job of a run, or None when the run is not cached (no folder,
    an unusable one -- with a warning --, or an input the key cannot be made
    of: the run then reports it).

    Parameters
    ----------
    given : dict
        The checked inputs that are set.
    cache
        ``run(cache=...)``.
    timeout : float, optional
        What the version lookup of the key may take (raises
        :class:`~interfaces.base.version.VersionTimeout`).
    """
    folder = resolve(cache)
    if folder is None or not _usable(folder):
        return None
    where = _Folder(folder, _contents())
    try:
        key, prints = job_key(cls, given, executable, workdir, folder, where.contents, timeout)
    except (OSError, ValueError) as error:  # e.g. a missing input: the run says it better
        if isinstance(error, InterfaceError):
            raise
        return None
    return Job(cls, given, where, key, prints)
