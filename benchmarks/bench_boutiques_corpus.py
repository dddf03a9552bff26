"""Loading real Boutiques descriptors: the whole corpus, and niwrap's tools.

Side by side in one run, each in fresh interpreters (median of N):

1. ``boutiques.load`` of every descriptor of ``../shared/boutiques-corpus``
   (``shell=True`` for those that need it), and of the 1,555 niwrap 1.1.0
   ones only;
2. importing niwrap's generated Python modules for those same 1,555 tools
   (``import niwrap.<package>`` for each package), the peer's way of having
   them at hand.

Prints the times and the ratio of (1, niwrap only) to (2).  No target: the
point is to see what loading descriptors at run time costs next to importing
generated code.

Usage::

    python benchmarks/bench_boutiques_corpus.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "boutiques-corpus")

LOAD = r"""
import json, os, sys, time
sys.path.insert(0, {root!r})
from interfaces import boutiques
corpus = {corpus!r}
index = json.load(open(os.path.join(corpus, "index.json")))
paths = [os.path.join(corpus, p) for source, ps in index["descriptors"].items()
         if source.startswith({prefix!r}) for p in ps]
t0 = time.perf_counter()
done = 0
for path in paths:
    try:
        boutiques.load(path)
    except boutiques.DescriptorError as error:
        if "shell=True" not in str(error):
            continue
        try:
            boutiques.load(path, shell=True)
        except boutiques.DescriptorError:
            continue
    done += 1
print(time.perf_counter() - t0, done, len(paths))
"""

NIWRAP = r"""
import importlib, pkgutil, time
t0 = time.perf_counter()
import niwrap
for package in pkgutil.iter_modules(niwrap.__path__):
    if package.ispkg:
        importlib.import_module("niwrap." + package.name)
print(time.perf_counter() - t0)
"""


def _run(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return out.stdout.split()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not os.path.isfile(os.path.join(CORPUS, "index.json")):
        sys.exit(f"the corpus is not at {CORPUS}")
    results = {}
    for label, prefix in (("whole corpus", ""), ("niwrap 1.1.0", "niwrap-1.1.0/")):
        runs = [_run(LOAD.format(root=ROOT, corpus=CORPUS, prefix=prefix))
                for _ in range(args.runs)]
        results[label] = statistics.median(float(r[0]) for r in runs)
        print(f"boutiques.load, {label}: {results[label]:.2f} s "
              f"({runs[0][1]} of {runs[0][2]} loaded)")
    try:
        niwrap = statistics.median(float(_run(NIWRAP)[0]) for _ in range(args.runs))
    except subprocess.CalledProcessError:
        print("niwrap is not installed (pip install niwrap): no side-by-side")
        return
    print(f"import niwrap's generated modules (same 1,555 tools): {niwrap:.2f} s")
    print(f"ratio load / import: {results['niwrap 1.1.0'] / niwrap:.2f}x")


if __name__ == "__main__":
    main()
