"""Running one tool on many input sets, here or on a cluster: :func:`run_many`.

Jobs go to any :class:`concurrent.futures.Executor` -- a
``ProcessPoolExecutor``, or Dask's ``client.get_executor()`` for a cluster.
Images travel light:

- a clean file-backed image travels as a *shell* (its file names, sizes,
  modification times and header: a few hundred bytes whatever its size); the
  worker reads the voxels from the shared filesystem only if the tool needs
  them, and checks the file did not change meanwhile;
- a dirty or in-memory image is written once to the shared folder (see
  :func:`set_shared_dir`) and travels as a shell of that file; without a
  shared folder it travels with its voxels.

Each job's error is caught and reported with that job; the other jobs' results
are kept.  :func:`slurm_executor` gives an executor whose workers are SLURM
jobs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import traceback
import uuid
from dataclasses import dataclass, field

__all__ = ["run_many", "Job", "Jobs", "set_shared_dir", "get_shared_dir", "ship", "ENV_SHARED_DIR",
           "slurm_executor"]

#: Environment variable: a folder every worker can read (e.g. on a cluster's
#: shared filesystem), where dirty images are written before they travel.
ENV_SHARED_DIR = "IMAGESHELL_SHARED_DIR"

_UNSET = object()
_shared = {"dir": _UNSET}


def set_shared_dir(path) -> None:
    """Choose the folder, readable by every worker, where :func:`run_many`
    writes dirty images once so that they travel as shells (``None``: ship
    them with their voxels).  Without a call, ``$IMAGESHELL_SHARED_DIR``."""
    _shared["dir"] = None if path is None else os.path.abspath(os.fspath(path))


def get_shared_dir() -> str | None:
    """The shared folder in use, or None."""
    folder = _shared["dir"]
    if folder is _UNSET:
        env = os.environ.get(ENV_SHARED_DIR)
        return os.path.abspath(env) if env else None
    return folder


@dataclass
class Job:
    """One input set of :func:`run_many` and what became of it.

    Attributes
    ----------
    index : int
        Position in the list of input sets.
    inputs : dict
        The input set, as given.
    result : Result or None
        The run's result; None when it failed.
    error : BaseException or None
        Why it failed (e.g. :class:`~interfaces.base.CommandFailedError`).
    traceback : str or None
        The worker's traceback of ``error``.
    """

    index: int
    inputs: dict
    result: object = None
    error: BaseException | None = None
    traceback: str | None = None

    @property
    def ok(self) -> bool:
        """True when the job ran and succeeded."""
        return self.error is None


class Jobs(list):
    """The jobs of :func:`run_many`, in the order of the input sets."""

    @property
    def results(self) -> list:
        """Each job's result (None for a failed job)."""
        return [job.result for job in self]

    @property
    def failed(self) -> list:
        """The jobs that failed."""
        return [job for job in self if not job.ok]

    def raise_first(self) -> None:
        """Raise the first job's error, if any job failed."""
        for job in self:
            if not job.ok:
                raise job.error


#: Subfolder of the shared folder where dirty images are written, named by content.
SHIPPED = "imageshell-shipped"


@dataclass
class _Shipping:
    """Where dirty images go, and those already written by this call."""

    folder: str | None
    written: dict = field(default_factory=dict)  # fingerprint -> path in folder


def _is_image(value) -> bool:
    from .base.traits_ import is_image_value

    return is_image_value(value)


def ship(value, shared_dir=None, _shipping=None):
    """The light form in which ``value`` travels to a worker.

    Images become clean imagecache images (which pickle as shells) when they
    can; lists are shipped item by item; other values are returned as they are.

    Parameters
    ----------
    value
        An input value.
    shared_dir : str, optional
        Folder every worker can read, where a dirty image is written once.
    """
    if isinstance(value, list):
        return [ship(v, shared_dir, _shipping) for v in value]
    if not _is_image(value):
        return value
    import imagecache

    if not imagecache.is_dirty(value):
        if isinstance(value, imagecache.TrackedImage):
            return value
        return imagecache.load(value.get_filename())
    if shared_dir is None:
        return value  # travels with its voxels
    shipping = _shipping or _Shipping(shared_dir)
    return imagecache.load(_write_shared(value, shipping))


def _write_shared(img, shipping: _Shipping) -> str:
    """Write a dirty image into the shared folder once (per content).

    Files are named by the image's fingerprint and kept: the same edited image
    shipped again (another call, another session) reuses its file, so its
    ``stat`` -- and the cache key of jobs on it -- stays the same.
    """
    import imagecache

    fingerprint = imagecache.image_fingerprint(img)
    path = shipping.written.get(fingerprint)
    if path is not None and os.path.exists(path):
        return path
    prepared = imagecache.prepare_file(img)  # reused while the image is unchanged
    folder = shipping.folder
    if os.path.commonpath([folder, prepared.path]) == folder:
        path = prepared.path  # imagecache's temporaries are already there
    else:
        target = os.path.join(folder, SHIPPED)
        os.makedirs(target, exist_ok=True)
        hint = os.path.basename(img.get_filename() or "image").split(".")[0]
        stem = os.path.join(target, f"{hint}-{fingerprint.split(':')[-1]}")
        name = os.path.basename(prepared.path)
        ext = name[name.index("."):] if "." in name else ""
        path = stem + ext
        if not os.path.exists(path):
            partial = f"{path}.{os.getpid()}.partial"
            try:
                os.link(prepared.path, partial)  # same filesystem: no bytes copied
            except OSError:
                shutil.copyfile(prepared.path, partial)
            os.replace(partial, path)
    shipping.written[fingerprint] = path
    return path


def _run_job(cls, init: dict, job: dict, options: dict, nonce: str):
    """Run one job in a worker: ``(result, None, None)`` or ``(None, error, tb)``.

    ``nonce`` makes every submission distinct: Dask's executor treats calls as
    pure by default, and would hand back an earlier call's result for the same
    arguments, though files on disk may have changed since.
    """
    import pickle

    try:
        result = cls(**init).run(**options, **job)
    except Exception as error:
        text = traceback.format_exc()
        failed = getattr(error, "result", None)
        if failed is not None:  # a run that failed travels back with its error
            error.result = _pack(failed, {**init, **job})
        try:
            pickle.dumps(error)
        except Exception:  # an error that cannot travel back: its text does
            error = RuntimeError(f"{type(error).__name__}: {error}")
        return None, error, text
    return _pack(result, {**init, **job}), None, None


def _pack(result, given: dict):
    """What travels back: the outputs as a dict (clean images pickle as shells);
    the inputs without the caller's values (restored there, not sent back)."""
    outputs = result.outputs  # on a cache hit, loads the images now
    values = {} if outputs is None else {n: getattr(outputs, n) for n in outputs.spec_traits()}
    result.outputs = None
    for name in given:
        result.inputs.pop(name, None)
    result.runtime.version  # noqa: B018  (looked up here, where the tool is)
    result.runtime._family = None  # found again from the class
    return result, values


def _unpack(cls, packed, init: dict, job: dict):
    if packed is None:
        return None
    result, values = packed
    outputs = cls.output_spec()()
    for name, value in values.items():
        setattr(outputs, name, value)
    result.outputs = outputs
    result.inputs.update({**init, **job})
    result.runtime._family = cls.family
    return result


def run_many(interface, inputs, executor=None, progress=True, *, shared_dir=_UNSET,
             **run_options) -> Jobs:
    """Run ``interface`` on each input set of ``inputs``.

    Parameters
    ----------
    interface : Interface or Interface subclass
        The tool; an instance's inputs apply to every job.
    inputs : iterable of dict
        One ``{input name: value}`` per job.
    executor : concurrent.futures.Executor, optional
        Where jobs run: a ``ProcessPoolExecutor``, a ``ThreadPoolExecutor``,
        or Dask's ``client.get_executor()``.  Default: one after another in
        this process.
    progress : bool, default True
        Show a progress bar (tqdm) on standard error.
    shared_dir : str or os.PathLike or None, optional
        Folder every worker can read, where dirty images are written once
        before they travel; None ships them with their voxels.  Default:
        :func:`get_shared_dir`.
    **run_options
        Passed to every ``run()``: ``timeout``, ``check``, ``cache``,
        ``workdir``...  ``cache=True`` (or a process-wide cache) is resolved
        here, so workers share this process's cache folder.

    Returns
    -------
    Jobs
        One :class:`Job` per input set, in order: its ``result``, or its
        ``error`` and ``traceback``.  Nothing is raised for a failed job.
    """
    from .base.cache import resolve
    from .base.interface import Interface

    if isinstance(interface, type) and issubclass(interface, Interface):
        cls, init = interface, {}
    elif isinstance(interface, Interface):
        cls, init = type(interface), interface.inputs.given()
    else:
        raise TypeError(
            f"run_many needs an interface class or instance, got {type(interface).__name__}; "
            "pass e.g. interfaces.coreutils.cp"
        )
    input_sets = [dict(job) for job in inputs]
    if "cache" in run_options or executor is not None:
        folder = resolve(run_options.get("cache"))
        run_options["cache"] = folder if folder is not None else False
    jobs = Jobs(Job(i, job) for i, job in enumerate(input_sets))
    from tqdm.auto import tqdm

    bar = tqdm(total=len(jobs), desc=cls.full_name(), unit="job", disable=not progress)
    try:
        if executor is None:
            for job in jobs:
                _settle(job, *_run_job_here(cls, init, job.inputs, run_options))
                bar.update()
        else:
            folder = get_shared_dir() if shared_dir is _UNSET else (
                None if shared_dir is None else os.path.abspath(os.fspath(shared_dir)))
            _run_on(executor, cls, init, jobs, run_options, _Shipping(folder), bar)
    finally:
        bar.close()
    return jobs


def _run_on(executor, cls, init, jobs, run_options, shipping, bar) -> None:
    from concurrent.futures import as_completed

    shipped_init = {k: ship(v, shipping.folder, shipping) for k, v in init.items()}
    futures = {}
    for job in jobs:
        try:
            shipped = {k: ship(v, shipping.folder, shipping) for k, v in job.inputs.items()}
        except Exception as error:  # e.g. an unreadable image: this job only
            _settle(job, None, error, traceback.format_exc())
            bar.update()
            continue
        nonce = uuid.uuid4().hex
        futures[executor.submit(_run_job, cls, shipped_init, shipped, run_options, nonce)] = job
    for future in as_completed(futures):
        job = futures[future]
        try:
            result, error, text = future.result()
        except Exception as exc:  # the worker died, or the result could not travel
            result, error, text = None, exc, traceback.format_exc()
        try:
            result = _unpack(cls, result, init, job.inputs)
            if getattr(error, "result", None) is not None:
                error.result = _unpack(cls, error.result, init, job.inputs)
        except Exception as exc:  # e.g. an output file this machine cannot see
            result, error, text = None, exc, traceback.format_exc()
        _settle(job, result, error, text)
        bar.update()


def _run_job_here(cls, init, job, options):
    try:
        return cls(**init).run(**options, **job), None, None
    except Exception as error:
        return None, error, traceback.format_exc()


def _settle(job: Job, result, error, text) -> None:
    job.result, job.error, job.traceback = result, error, text


#: Where :func:`slurm_executor` puts Dask's dashboard unless told otherwise:
#: loopback only (reach it through an SSH tunnel), never every interface.
SLURM_DASHBOARD = "127.0.0.1:8787"


@contextlib.contextmanager
def slurm_executor(jobs=2, cores=1, memory="2GB", walltime="01:00:00", queue=None,
                   **jobqueue_options):
    """An executor for :func:`run_many` whose workers are SLURM jobs.

    A context manager: it submits ``jobs`` SLURM jobs, each running one Dask
    worker (dask-jobqueue's ``SLURMCluster``), yields Dask's executor for
    them, and on exit closes the client and the cluster, which cancels the
    jobs.  Jobs are submitted at once; tasks wait in Dask until workers start.

    Parameters
    ----------
    jobs : int
        SLURM jobs to submit, one worker each.
    cores : int
        CPUs per job (``--cpus-per-task``); the worker runs that many tasks at
        a time.
    memory : str
        Memory per job (``--mem``), e.g. ``"4GB"``.
    walltime : str
        Time limit per job (``-t``), ``"HH:MM:SS"``.
    queue : str, optional
        The partition (``-p``); default: the cluster's default partition.
    **jobqueue_options
        Passed to ``dask_jobqueue.SLURMCluster``: ``interface`` (the network
        the workers reach the scheduler on, e.g. ``"ib0"``), ``account``,
        ``job_script_prologue``, ``job_extra_directives``,
        ``local_directory``, ``log_directory``, ``python``,
        ``scheduler_options``...  The dashboard listens on
        ``127.0.0.1:8787`` unless ``scheduler_options`` names a
        ``dashboard_address`` (None: no dashboard).

    Yields
    ------
    distributed.cfexecutor.ClientExecutor
        Pass it as ``run_many(..., executor=...)``.  Its ``client`` and
        ``cluster`` attributes are Dask's ``Client`` and the
        ``SLURMCluster`` (e.g. ``executor.client.wait_for_workers(jobs)``,
        ``executor.cluster.job_script()``).

    Raises
    ------
    ImportError
        When dask-jobqueue is not installed (``pip install imageshell[slurm]``).
    RuntimeError
        When ``sbatch`` is not on PATH, or SLURM refuses the workers' job
        (``sbatch --test-only``: e.g. an unknown partition, too much memory);
        the message has SLURM's reason and the job script.  Without this
        check a refused job would leave the tasks waiting for workers.
    """
    try:
        import dask
        from dask.distributed import Client
        from dask_jobqueue import SLURMCluster
    except ImportError as error:
        raise ImportError(
            f"slurm_executor needs dask-jobqueue ({error}): pip install 'imageshell[slurm]'"
        ) from error
    options = {"processes": 1, **jobqueue_options}
    scheduler = options.pop("scheduler_options", None)
    if scheduler is None:
        scheduler = dask.config.get("jobqueue.slurm.scheduler-options", None) or {}
    scheduler = {"dashboard_address": SLURM_DASHBOARD, **scheduler}
    if scheduler["dashboard_address"] is None:
        # Dask serves its HTTP routes even without a dashboard, by default on the
        # scheduler's interface: keep them on loopback too.
        scheduler.update(dashboard=False, dashboard_address="127.0.0.1:0")
    sbatch = shutil.which("sbatch") if jobs else None
    if jobs and sbatch is None:
        raise RuntimeError("slurm_executor: sbatch is not on PATH: run this where SLURM jobs "
                           "are submitted (e.g. a login node), with SLURM's commands on PATH")
    with SLURMCluster(cores=cores, memory=memory, walltime=walltime, queue=queue,
                      scheduler_options=scheduler, **options) as cluster:
        if jobs:
            _check_submission(sbatch, cluster.job_script())
        with Client(cluster) as client:
            cluster.scale(jobs=jobs)
            executor = client.get_executor()
            executor.client, executor.cluster = client, cluster
            yield executor


def _check_submission(sbatch: str, script: str) -> None:
    """Ask SLURM whether it would take the workers' job (nothing is submitted)."""
    import subprocess

    proc = subprocess.run([sbatch, "--test-only"], input=script, capture_output=True,
                          text=True, timeout=120)
    if proc.returncode != 0:
        reason = (proc.stderr or proc.stdout).strip()
        raise RuntimeError(f"slurm_executor: SLURM refuses the workers' job:\n{reason}\n"
                           f"Fix the option it names; the job script was:\n{script}")
