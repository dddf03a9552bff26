"""A one-node SLURM cluster on localhost, for run_many's tests and benchmarks.

Debian's ``slurmctld slurmd slurm-client munge`` (installed by ``.ci/install``)
give a real cluster; this brings one up and down by hand, since there is no
systemd and ``policy-rc.d`` refuses to start services:

- munged, slurmctld and slurmd run in the foreground as children of this
  process, with every file (key, sockets, ``slurm.conf``, state, spool, logs,
  the job completion log) in one temporary folder, removed at teardown;
- every address is 127.0.0.1 (``CommunicationParameters=NoInAddrAny``), on
  ports free when the cluster starts;
- no cgroups (``proctrack/linuxproc``, ``task/none``) and no accounting
  database: finished jobs are read from ``jobcomp/filetxt``'s log.

Every process of the cluster -- daemons, ``slurmstepd``, the jobs and what
they start -- has ``SLURM_CONF=<this cluster's slurm.conf>`` in its
environment; teardown cancels the jobs, stops the daemons and then kills
whatever still carries that variable, since ``slurmstepd`` and its jobs
outlive ``slurmd`` and ``slurmctld``.

In Python::

    from slurm_cluster import LocalSlurm

    with LocalSlurm() as slurm:        # up in a few seconds
        os.environ.update(slurm.env)   # sbatch, squeue... now talk to it
        ...

From a shell (the cluster outlives the command until ``down``)::

    python3 tests/slurm_cluster.py up        # prints export SLURM_CONF=...
    python3 tests/slurm_cluster.py down /tmp/imageshell-slurm-XXXX
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

__all__ = ["LocalSlurm", "unavailable", "cluster_processes", "SlurmError"]

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scancel", "sinfo")
INSTALL = "apt-get install --no-install-recommends slurmctld slurmd slurm-client munge"
NODE = "imageshell"  # the node's name in slurm.conf (slurmd -N), whatever the host's


class SlurmError(RuntimeError):
    """The cluster did not come up; the message names the log to read."""


def unavailable() -> str | None:
    """Why a local cluster cannot run here (None when it can)."""
    missing = [name for name in DAEMONS + CLIENTS if _which(name) is None]
    if missing:
        return f"SLURM is not installed (no {', '.join(missing)}): {INSTALL}"
    if os.geteuid() != 0:
        return "a local SLURM cluster needs root (slurmd runs jobs as their user)"
    return None


def _which(name):
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _real_memory_mb() -> int:
    with open("/proc/meminfo") as fh:
        kb = int(re.search(r"MemTotal:\s+(\d+)", fh.read()).group(1))
    return max(kb // 1024 - 256, 256)  # below the real size, or slurmd drains the node


SLURM_CONF = """\
ClusterName=imageshell
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
CommunicationParameters=NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={root}/jobcomp.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
KillWait=2
InactiveLimit=0
MinJobAge=2
NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory} State=UNKNOWN
PartitionName=debug Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""


class LocalSlurm:
    """A one-node SLURM cluster on 127.0.0.1, in a temporary folder.

    Parameters
    ----------
    cpus : int
        CPUs the node offers (it may offer more than the machine has: jobs
        then share cores).
    timeout : float
        Seconds to wait for the node to be ready.
    """

    def __init__(self, cpus: int = 2, timeout: float = 30.0):
        self.cpus = cpus
        self.timeout = timeout
        self.root: str | None = None
        self._children: list[subprocess.Popen] = []

    # -- what a user of the cluster needs -------------------------------------------------
    @property
    def conf(self) -> str:
        """Path of this cluster's ``slurm.conf``."""
        return os.path.join(self.root, "slurm.conf")

    @property
    def env(self) -> dict:
        """The environment variables that point SLURM's commands at this cluster."""
        return {"SLURM_CONF": self.conf}

    def command(self, *argv, check=True) -> str:
        """Run a SLURM client command (``sinfo``, ``squeue``...) on this cluster."""
        proc = subprocess.run(list(argv), env={**os.environ, **self.env}, capture_output=True,
                              text=True, timeout=30)
        if check and proc.returncode != 0:
            raise SlurmError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
        return proc.stdout

    def queue(self) -> list[tuple[str, str]]:
        """The jobs in the queue: ``[(job id, state), ...]``."""
        out = self.command("squeue", "--noheader", "--format=%i %T")
        return [tuple(line.split()) for line in out.splitlines() if line.strip()]

    def finished(self) -> list[dict]:
        """The finished jobs, from the job completion log (``JobId``, ``JobState``...)."""
        path = os.path.join(self.root, "jobcomp.log")
        if not os.path.exists(path):
            return []
        with open(path) as fh:
            return [dict(f.split("=", 1) for f in line.split() if "=" in f) for line in fh]

    def wait_queue_empty(self, timeout: float = 30.0) -> bool:
        """Poll ``squeue`` (``sbatch --wait`` notices an end ~10 s late) until no job is left."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.queue():
                return True
            time.sleep(0.2)
        return False

    # -- up ------------------------------------------------------------------------------
    def start(self) -> "LocalSlurm":
        """Write the configuration, start munged, slurmctld and slurmd, and wait
        for the node to be idle."""
        reason = unavailable()
        if reason:
            raise SlurmError(reason)
        self.root = tempfile.mkdtemp(prefix="imageshell-slurm-")
        try:
            self._write_files()
            self._start_daemons()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _write_files(self) -> None:
        root = self.root
        os.chmod(root, 0o755)  # munged checks every folder above its socket
        for sub in ("munge", "state", "spool", "log"):
            os.mkdir(os.path.join(root, sub), 0o755)
        key = os.path.join(root, "munge.key")
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # munged wants 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(1024))
        with open(self.conf, "w") as fh:
            fh.write(SLURM_CONF.format(
                host=socket.gethostname().split(".")[0], ctld_port=_free_port(),
                slurmd_port=_free_port(), munge_socket=self._munge_socket, root=root,
                node=NODE, cpus=self.cpus, memory=_real_memory_mb()))

    @property
    def _munge_socket(self) -> str:
        return os.path.join(self.root, "munge", "munge.socket.2")

    def _spawn(self, name, *args) -> None:
        log = open(os.path.join(self.root, "log", f"{name}.out"), "wb")
        with log:
            self._children.append(subprocess.Popen(
                [_which(name), *args], env={**os.environ, **self.env}, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def _start_daemons(self) -> None:
        root = self.root
        self._spawn("munged", "--foreground", "--force", f"--socket={self._munge_socket}",
                    f"--key-file={root}/munge.key", f"--pid-file={root}/munged.pid",
                    f"--log-file={root}/log/munged.log", f"--seed-file={root}/munged.seed")
        self._wait_for(lambda: os.path.exists(self._munge_socket), "munged", "munged.log")
        self._spawn("slurmctld", "-D", "-i", "-f", self.conf)
        self._spawn("slurmd", "-D", "-N", NODE, "-f", self.conf)

    def _wait_ready(self) -> None:
        def idle():
            out = self.command("sinfo", "--noheader", "--format=%T", check=False)
            return out.strip() in ("idle", "mixed", "allocated")

        self._wait_for(idle, "the node", "slurmctld.log and slurmd.log")

    def _wait_for(self, ready, what, log) -> None:
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            if ready():
                return
            dead = [p for p in self._children if p.poll() is not None]
            if dead:
                break
            time.sleep(0.1)
        logs = os.path.join(self.root, "log")
        tails = []
        for name in sorted(os.listdir(logs)):
            with open(os.path.join(logs, name), errors="replace") as fh:
                tails.append(f"--- {name}\n" + "".join(fh.readlines()[-5:]))
        raise SlurmError(f"{what} did not come up within {self.timeout:g} s; see {log} in {logs}:\n"
                         + "\n".join(tails))

    # -- down ----------------------------------------------------------------------------
    def stop(self) -> None:
        """Cancel the jobs, stop the daemons, kill what is left of the jobs and
        remove the folder.  Safe to call twice, and on a half-started cluster."""
        if self.root is None:
            return
        try:
            teardown(self.root)
        finally:
            for child in self._children:  # reap them (they were killed by teardown)
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            self._children.clear()
            self.root = None

    def __enter__(self) -> "LocalSlurm":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def cluster_processes(conf: str) -> dict[int, str]:
    """``{pid: name}`` of every process whose environment holds ``SLURM_CONF=conf``
    (not this process)."""
    marker = f"SLURM_CONF={conf}".encode()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if marker not in fh.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/comm") as fh:
                found[int(entry)] = fh.read().strip()
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _signal_and_wait(pids, sig, timeout) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    end = time.monotonic() + timeout
    while time.monotonic() < end and any(_alive(p) for p in pids):
        time.sleep(0.05)


def _alive(pid) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is gone
    except OSError:
        return False


def teardown(root: str) -> None:
    """Bring down the cluster whose folder is ``root`` and remove the folder."""
    conf = os.path.join(root, "slurm.conf")
    env = {**os.environ, "SLURM_CONF": conf}
    try:
        if "slurmctld" in cluster_processes(conf).values():  # else scancel only retries
            subprocess.run([_which("scancel") or "scancel", "--full", f"--user={os.geteuid()}"],
                           env=env, capture_output=True, timeout=15)
            end = time.monotonic() + 5  # let slurmd end the steps cleanly
            while time.monotonic() < end and any(
                    name == "slurmstepd" for name in cluster_processes(conf).values()):
                time.sleep(0.1)
    except (OSError, subprocess.TimeoutExpired):
        pass  # the controller is stuck: what is left is killed below
    procs = cluster_processes(conf)
    _signal_and_wait([p for p, n in procs.items() if n in ("slurmctld", "slurmd")],
                     signal.SIGTERM, 10)
    # slurmstepd and the jobs survive slurmd: whatever still has our SLURM_CONF goes.
    for _ in range(5):
        procs = {p: n for p, n in cluster_processes(conf).items() if n != "munged"}
        if not procs:
            break
        _signal_and_wait(list(procs), signal.SIGKILL, 5)
    _signal_and_wait(list(cluster_processes(conf)), signal.SIGTERM, 5)  # munged, last
    _signal_and_wait(list(cluster_processes(conf)), signal.SIGKILL, 5)
    shutil.rmtree(root, ignore_errors=True)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["up"] and len(argv) == 1:
        slurm = LocalSlurm()
        slurm.start()
        slurm._children.clear()  # they outlive this command, until `down`
        print(f"export SLURM_CONF={slurm.conf}")
        print(f"# bring it down with: python3 {sys.argv[0]} down {slurm.root}", file=sys.stderr)
        return 0
    if argv[:1] == ["down"] and len(argv) == 2:
        root = os.path.abspath(argv[1])
        if not os.path.exists(os.path.join(root, "slurm.conf")):
            print(f"{root} holds no slurm.conf: not a cluster folder of `up`", file=sys.stderr)
            return 2
        teardown(root)
        return 0
    print(f"usage: {sys.argv[0]} up | down FOLDER", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
