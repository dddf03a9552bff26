"""Overhead of running a tool through interfaces, and the cost of importing it.

Side by side in one run:

1. ``Interface.run()`` of ``true`` against ``subprocess.run(["true"])`` (and
   ``subprocess.run`` with captured output, which run() also does), median of
   N calls each, interleaved; optionally nipype's ``CommandLine("true").run()``.
   Target: run() <= 1 ms more than subprocess.run.
2. Wall time of ``python -c "import interfaces"`` (and of importing a family)
   against ``python -c "import numpy, nibabel, traits.api"``, medians of fresh
   interpreters.  Target: <= 1.3x.

Usage::

    python benchmarks/bench_interfaces.py [--calls 200] [--imports 15] [--no-nipype]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def _median_ms(samples):
    return statistics.median(samples) * 1e3


def bench_run(calls: int, with_nipype: bool) -> dict:
    from interfaces.base import Interface

    class true(Interface):
        """Do nothing, successfully."""

        executable = "true"

    tool = true()
    tool.run()  # warm: executable lookup, imports
    subprocess.run(["true"])

    def t_sub():
        t0 = time.perf_counter()
        subprocess.run(["true"])
        return time.perf_counter() - t0

    def t_sub_cap():
        t0 = time.perf_counter()
        subprocess.run(["true"], capture_output=True)
        return time.perf_counter() - t0

    def t_iface():
        t0 = time.perf_counter()
        tool.run()
        return time.perf_counter() - t0

    timers = {"subprocess.run(['true'])": t_sub,
              "subprocess.run(['true'], capture_output=True)": t_sub_cap,
              "interfaces true().run()": t_iface}
    if with_nipype:
        try:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from nipype.interfaces.base import CommandLine
                import nipype

            nipype.config.set("execution", "check_version", "false")
            workdir = tempfile.mkdtemp(prefix="bench-nipype-")
            nip = CommandLine("true", resource_monitor=False)

            def t_nipype():
                t0 = time.perf_counter()
                nip.run(cwd=workdir)
                return time.perf_counter() - t0

            t_nipype()
            timers["nipype CommandLine('true').run()"] = t_nipype
        except ImportError:
            pass

    samples = {name: [] for name in timers}
    nipype_every = max(1, calls // 30)  # nipype is ~50x slower: fewer samples
    for i in range(calls):
        for name, timer in timers.items():
            if name.startswith("nipype") and i % nipype_every:
                continue
            samples[name].append(timer())
    return {name: _median_ms(s) for name, s in samples.items()}


def _import_time(code: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return _median_ms(times)


def bench_import(repeats: int) -> dict:
    codes = {
        "python -c pass": "pass",
        "import numpy, nibabel, traits.api": "import numpy, nibabel, traits.api",
        "import interfaces": "import interfaces",
        "from interfaces import coreutils": "from interfaces import coreutils",
        "import interfaces.base + imagecache": "import interfaces.base, imagecache",
    }
    _import_time("import numpy, nibabel, traits.api, interfaces.base", 2)  # warm the disk cache
    out = {}
    for _ in range(1):
        for name, code in codes.items():
            out[name] = _import_time(code, repeats)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--imports", type=int, default=15)
    parser.add_argument("--no-nipype", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("IMAGESHELL_WORKDIR", tempfile.mkdtemp(prefix="bench-interfaces-"))

    print(f"run() overhead, median of {args.calls} calls each (ms)")
    runs = bench_run(args.calls, not args.no_nipype)
    base = runs["subprocess.run(['true'])"]
    for name, ms in runs.items():
        print(f"  {name:<48} {ms:8.3f} ms   x{ms / base:6.2f}   {ms - base:+8.3f} ms")
    extra = runs["interfaces true().run()"] - base
    print(f"  => interfaces extra over subprocess.run: {extra:.3f} ms "
          f"(target <= 1 ms: {'OK' if extra <= 1.0 else 'MISSED'})")
    if "nipype CommandLine('true').run()" in runs:
        ratio = runs["nipype CommandLine('true').run()"] / runs["interfaces true().run()"]
        print(f"  => nipype / interfaces: x{ratio:.1f}")

    print(f"\nimport wall time, median of {args.imports} fresh interpreters (ms)")
    imports = bench_import(args.imports)
    ref = imports["import numpy, nibabel, traits.api"]
    for name, ms in imports.items():
        print(f"  {name:<48} {ms:8.1f} ms   x{ms / ref:5.2f}")
    ratio = imports["import interfaces"] / ref
    print(f"  => import interfaces / numpy+nibabel+traits: x{ratio:.2f} "
          f"(target <= 1.3: {'OK' if ratio <= 1.3 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
