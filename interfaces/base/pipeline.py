"""What ``Interface.run()`` does, step by step.

Each step is a function in a module whose name says it, and fills in the
:class:`~interfaces.base.run.Run` object it is given:

=====  =====================  ==============================================
1      check inputs           :func:`interfaces.base.checks.check_inputs`
2      hand over images       :func:`interfaces.base.handover.hand_over`
3      build argv             :func:`interfaces.base.command.build`
4      run the process        :func:`interfaces.base.runner.run_process`
5      collect outputs        :func:`interfaces.base.outputs.collect`
6      record                 :func:`interfaces.base.provenance.record`
=====  =====================  ==============================================

Between steps 1 and 2, a cached run asks :mod:`interfaces.base.cache` for
its job (a stored result ends the run there) and stores the result after
step 6.  Cache and provenance are leaves: they get what they need as
arguments and import nothing of the pipeline.  A preview (a dry runner) runs
steps 1 to 5 and writes nothing.
"""

from __future__ import annotations

import os

from . import cache as _cache
from . import provenance
from .checks import check_inputs
from .command import build
from .errors import InterfaceError
from .handover import hand_over
from .outputs import collect
from .run import Run
from .runner import run_process
from .version import VersionTimeout, timeout_error
from .workdirs import make_folder

__all__ = ["execute"]


def execute(interface, inputs: dict, *, timeout=None, check=True, stream=False, workdir=None,
            cache=None, runner=None):
    """Run ``interface`` with ``inputs`` on top of its own (see
    :meth:`Interface.run <interfaces.base.Interface.run>`) and return the
    Result."""
    run = Run(interface, inputs, timeout=timeout, check=check, stream=stream, runner=runner)
    check_inputs(run)                                           # 1
    if run.dry:
        return _steps(run, workdir)
    try:
        job = _cache.job(run.interface, run.spec.given(), run.executable, workdir, cache,
                         run.remaining())
    except VersionTimeout as error:
        raise timeout_error(run.name, error, timeout) from None
    if job is None:
        return _recorded(run, workdir)
    with job:  # one process runs a key at once; the others wait, then find it
        found = job.found
        if found is not None:
            return found
        result = _recorded(run, job.run_folder(workdir), fingerprints=job.fingerprints,
                           cache_key=job.key)
        job.store(result)
    return job.wrap(result)


def _steps(run: Run, workdir):
    """Steps 2 to 5."""
    try:
        if workdir is not None:
            run.workdir = os.path.abspath(os.path.join(run.caller_cwd, os.fspath(workdir)))
            if not run.dry:
                make_folder(run.workdir, "workdir=")
        hand_over(run)                                          # 2
        build(run)                                              # 3
        run_process(run)                                        # 4
    except BaseException:
        # Nothing ran, or the run was interrupted: leave nothing behind.
        run.discard_copies()
        run.remove_workdir(only_if_empty=False)
        raise
    return collect(run)                                         # 5


def _recorded(run: Run, workdir, **record):
    """Steps 2 to 5, then 6: the provenance record, of a failure too when the
    tool ran (its folder is kept)."""
    if not provenance.wanted(run.interface, workdir):
        return _steps(run, workdir)
    try:
        result = _steps(run, workdir)
    except InterfaceError as error:
        if getattr(error, "result", None) is not None:
            provenance.record(run.interface, error.result, workdir, status="failed", **record)
        raise
    provenance.record(run.interface, result, workdir, **record)  # 6
    return result
