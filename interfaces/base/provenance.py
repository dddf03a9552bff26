"""Provenance records: what ran, on what, producing what.

Every run that has a folder of its own (a tool that writes files, a run given
``workdir=``, or a cached run) writes a JSON record there, ``provenance.json``
(``provenance-<tool>-<time>.json`` in a folder given with ``workdir=``, which
several runs may share).  It holds:

``argv`` / ``cmdline``
    the exact command;
``tool``
    executable, name, family and version;
``environment``
    the variables the family reads or sets, and those set for the tool;
``inputs``
    per input: its value, its fingerprint (see
    :func:`imagecache.image_fingerprint`) and, for images, the file passed and
    whether it was the ``original`` file, a ``temporary`` or a ``copy``;
``outputs``
    per output: its path and content digest (xxHash XXH3-128), or its value;
``host``
    host name, platform, Python, user, process id, and ``batch_job``: the
    batch scheduler's job the run was part of (e.g. ``{"SLURM_JOB_ID": "42"}``;
    empty outside one);
``timings``, ``returncode``, ``status`` and ``cache_key``.

:func:`to_prov` turns a record into a W3C PROV document (needs the ``prov``
package: ``pip install imageshell[prov]``).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone

import xxhash

from .specs import is_output_trait, trait_kind
from .traits_ import Undefined, is_image_value

__all__ = [
    "SCHEMA", "set_provenance", "wanted", "record", "build_record", "read_record", "to_prov",
    "to_prov_json",
    "ENV_PROVENANCE",
]

SCHEMA = "imageshell.provenance/1"
#: Environment variable: "0" stops writing records.
ENV_PROVENANCE = "IMAGESHELL_PROVENANCE"
#: Variables recorded when set, whatever the family (thread counts, locale).
GENERAL_VARIABLES = ("OMP_NUM_THREADS", "ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS", "LC_ALL", "LANG")

_enabled: dict = {"on": None}


def set_provenance(enabled: bool | None) -> None:
    """Turn the writing of records on or off for this process (None: from the
    ``IMAGESHELL_PROVENANCE`` environment variable, on by default)."""
    _enabled["on"] = enabled


def _wanted() -> bool:
    if _enabled["on"] is not None:
        return _enabled["on"]
    return os.environ.get(ENV_PROVENANCE, "1") not in ("0", "false", "no", "")


def wanted(cls, workdir) -> bool:
    """Whether a run of ``cls`` writes a record: it has a folder of its own
    (a tool that writes files, or ``workdir=``) and records are on."""
    return (workdir is not None or cls._writes_files) and _wanted()


def record(cls, result, workdir, *, fingerprints=None, cache_key=None, status=None) -> None:
    """Write the record of a finished run in its folder (``status``: "ok" or
    "failed"; default from the exit status).  A record that cannot be
    written is a :class:`~interfaces.base.ProvenanceWarning`, not an error."""
    if status is None:
        status = "ok" if result.runtime.returncode in cls.success_codes else "failed"
    _write(cls, result, workdir, fingerprints, cache_key, status)


def _write(cls, result, workdir, fingerprints, cache_key, status) -> None:
    folder = result.runtime.cwd
    if not os.path.isdir(folder):
        return  # the run's own folder held nothing and was removed
    if workdir is not None and not cache_key:
        stamp = result.runtime.start.strftime("%Y%m%dT%H%M%S%f")
        name = f"provenance-{result.interface}-{stamp}.json"
    else:
        name = "provenance.json"
    from .cache import _write_json

    path = os.path.join(folder, name)
    record = build_record(cls, result, fingerprints=fingerprints, cache_key=cache_key,
                          status=status)
    try:
        _write_json(path, record)  # leaves no partial file when it fails
    except OSError as error:  # e.g. a full disk: the run's result is kept
        import warnings

        from .errors import ProvenanceWarning

        warnings.warn(
            f"{result.interface}: could not write the provenance record {path} "
            f"({error.strerror or error}); the run's result is kept without it. Free "
            f"space there, or turn records off with IMAGESHELL_PROVENANCE=0.",
            ProvenanceWarning, stacklevel=4,
        )


def output_digest(path: str) -> str:
    """Content digest of a file: ``"xxh3-128:<hex>"``."""
    from .cache import content_digest

    return "xxh3-128:" + content_digest(path)


def _file_entries(paths):
    out = []
    for p in paths:
        if os.path.isfile(p):
            out.append({"path": p, "size": os.path.getsize(p), "digest": output_digest(p)})
    return out


def _output_record(kind, value) -> dict:
    from .cache import _directory_print, _files_of_image

    if value is Undefined or value is None:
        return {"produced": False}
    # Lists and dicts of outputs (SPM's per-session files, {class: image}),
    # and arrays read from files: recorded element by element.
    if isinstance(value, (list, tuple)):
        return {"items": [_output_record(kind, v) for v in value]}
    if isinstance(value, dict):
        return {"items": {str(k): _output_record(kind, v) for k, v in value.items()}}
    if hasattr(value, "tolist") and not is_image_value(value):
        return {"value": value.tolist()}
    if is_image_value(value):
        files = _files_of_image(value)
        entries = _file_entries(files)
        return {"path": files[0], "digest": entries[0]["digest"] if entries else None,
                "files": entries}
    if kind == "directory":
        return {"path": os.fspath(value), "digest": _directory_print(os.fspath(value))}
    if kind in ("file", "image"):
        entries = _file_entries([os.fspath(value)])
        return {"path": os.fspath(value), "digest": entries[0]["digest"] if entries else None}
    return {"value": value}


def _passed(prepared) -> dict:
    return {"path": prepared.path, "origin": prepared.origin,
            "bytes_written": prepared.bytes_written, "files": list(prepared.files or ())}


_host: dict = {}

#: Variables that name the batch scheduler's job a process runs in (SLURM, PBS, LSF).
BATCH_JOB_VARIABLES = ("SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID")


def _host_info() -> dict:
    if _host.get("pid") != os.getpid():
        import getpass
        import platform

        try:
            user = getpass.getuser()
        except Exception:  # no user name (e.g. a container without passwd entry)
            user = None
        _host.update(hostname=os.uname().nodename, platform=platform.platform(),
                     python=sys.version.split()[0], user=user, pid=os.getpid(),
                     batch_job={v: os.environ[v] for v in BATCH_JOB_VARIABLES if v in os.environ})
    return {**_host, "batch_job": dict(_host["batch_job"])}


def build_record(cls, result, *, fingerprints=None, cache_key=None, status="ok") -> dict:
    """The provenance record of a run, as JSON-ready data.

    Parameters
    ----------
    cls : type
        The interface class that ran.
    result : Result
    fingerprints : dict, optional
        Input fingerprints taken before the run; computed now when not given.
    cache_key : str, optional
    status : {"ok", "failed"}
    """
    from .cache import family_environment, input_fingerprints
    from .results import _plain

    rt = result.runtime
    traits = cls.Inputs.spec_traits()
    given = {k: v for k, v in result.inputs.items() if k in traits}
    if fingerprints is None:
        try:
            fingerprints = input_fingerprints(cls, given)
        except (OSError, ValueError):  # an input file gone since: record no fingerprint
            fingerprints = {}
    inputs = {}
    for name, value in given.items():
        if is_output_trait(traits[name]):
            continue
        entry = {"value": _plain(value)}
        if fingerprints.get(name) is not None:
            entry["fingerprint"] = fingerprints[name]
        prepared = result.input_files.get(name)
        if prepared is not None:
            entry["passed"] = ([_passed(p) for p in prepared] if isinstance(prepared, list)
                               else _passed(prepared))
        inputs[name] = entry
    outputs = {}
    if result.outputs is not None:
        spec = result.outputs.spec_traits()
        for name in spec:
            outputs[name] = _output_record(trait_kind(spec[name]), getattr(result.outputs, name))
    environment = family_environment(cls.family)
    environment.update(rt.environ)
    for var in GENERAL_VARIABLES:
        if var in os.environ:
            environment.setdefault(var, os.environ[var])
    return {
        "schema": SCHEMA,
        "interface": result.interface,
        "status": status,
        "returncode": rt.returncode,
        "argv": list(rt.argv),
        "cmdline": rt.cmdline,
        "cwd": rt.cwd,
        "tool": {"name": cls.executable, "executable": rt.executable,
                 "family": cls.family.name, "version": rt.version},
        "environment": environment,
        "inputs": inputs,
        "outputs": outputs,
        "timings": {"start": rt.start.isoformat(), "end": rt.end.isoformat(),
                    "duration_s": rt.duration},
        "host": _host_info(),
        "cache_key": cache_key,
        "recorded": datetime.now(timezone.utc).isoformat(),
    }


def read_record(where) -> dict:
    """Read a provenance record: a record file, or a run folder holding
    ``provenance.json``.

    Raises
    ------
    FileNotFoundError
        When there is no record there.
    """
    import json

    path = os.fspath(where)
    if os.path.isdir(path):
        path = os.path.join(path, "provenance.json")
    if not os.path.exists(path):
        raise FileNotFoundError(
            2, f"no provenance record at {path!r}; records are written in the folder of "
               "runs that write files (result.runtime.cwd)", path)
    with open(path, encoding="utf-8") as fh:
        record = json.load(fh)
    if record.get("schema") != SCHEMA:
        raise ValueError(f"{path!r} is not an imageshell provenance record (schema {SCHEMA})")
    return record


def _qname_part(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(text))


def to_prov(record: dict):
    """A W3C PROV document (:class:`prov.model.ProvDocument`) of a record.

    The run is an activity, associated with the tool (a software agent) and
    the host; inputs are entities it used, outputs entities it generated and
    derived from the inputs.

    Raises
    ------
    ImportError
        When the ``prov`` package is missing (``pip install imageshell[prov]``).
    """
    try:
        from prov.model import ProvDocument
    except ImportError as error:
        raise ImportError(
            "exporting PROV needs the 'prov' package: pip install imageshell[prov]"
        ) from error
    doc = ProvDocument()
    doc.add_namespace("imageshell", "urn:imageshell:")
    run_id = record.get("cache_key") or xxhash.xxh3_64_hexdigest(
        (record["cmdline"] + record["timings"]["start"]).encode())
    ns = "imageshell:"
    activity = doc.activity(
        f"{ns}run-{run_id}",
        datetime.fromisoformat(record["timings"]["start"]),
        datetime.fromisoformat(record["timings"]["end"]),
        {f"{ns}interface": record["interface"], f"{ns}cmdline": record["cmdline"],
         f"{ns}returncode": record["returncode"], f"{ns}status": record["status"]},
    )
    tool = record["tool"]
    agent = doc.agent(
        f"{ns}tool-{_qname_part(record['interface'])}-{_qname_part(tool['version'])}",
        {"prov:type": "prov:SoftwareAgent", f"{ns}executable": tool["executable"],
         f"{ns}version": str(tool["version"])},
    )
    doc.wasAssociatedWith(activity, agent)
    host = doc.agent(f"{ns}host-{_qname_part(record['host']['hostname'])}",
                     {f"{ns}platform": record["host"]["platform"]})
    doc.actedOnBehalfOf(agent, host)
    used = []
    for name, entry in record["inputs"].items():
        passed = entry.get("passed")
        items = passed if isinstance(passed, list) else [passed]
        prints = entry.get("fingerprint")
        prints = prints if isinstance(prints, list) else [prints]
        for i, (item, fp) in enumerate(zip(items, prints + [None] * len(items))):
            attrs = {f"{ns}input": name}
            if fp is not None:
                attrs[f"{ns}fingerprint"] = fp
            if item is not None:
                attrs["prov:location"] = item["path"]
                attrs[f"{ns}origin"] = item["origin"]
            elif isinstance(entry["value"], str):
                attrs["prov:location"] = entry["value"]
            else:
                attrs[f"{ns}value"] = repr(entry["value"])
            ent = doc.entity(f"{ns}input-{run_id}-{_qname_part(name)}-{i}", attrs)
            doc.used(activity, ent)
            used.append(ent)
    for name, entry in record["outputs"].items():
        if entry.get("produced") is False:
            continue
        attrs = {f"{ns}output": name}
        if "path" in entry:
            attrs["prov:location"] = entry["path"]
            attrs[f"{ns}digest"] = str(entry.get("digest"))
        else:
            attrs["prov:value"] = repr(entry["value"])
        ent = doc.entity(f"{ns}output-{run_id}-{_qname_part(name)}", attrs)
        doc.wasGeneratedBy(ent, activity)
        for source in used:
            doc.wasDerivedFrom(ent, source, activity)
    return doc


def to_prov_json(record: dict, **kwargs) -> str:
    """The record as PROV-JSON text (``kwargs`` go to :func:`json.dumps`)."""
    return to_prov(record).serialize(format="json", **kwargs)
