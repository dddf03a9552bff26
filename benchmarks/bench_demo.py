"""The demo's pipeline on in-memory images: imageshell against the same
pipeline written as a nipype user writes it, side by side.

The subject is the ch2 head at 2 mm, moved in memory (its affine edited); the
template is the same head, also in memory.  The pipeline, identical commands
in every variant::

    reg_aladin -> reg_resample -> wb_command -volume-smoothing
      -> mrthreshold -> maskfilter -> mrcalc (mask the registered head)

Variants (run interleaved, ``--reps`` times each; medians):

``imageshell``
    the interfaces, given the in-memory images and each tool's output images.
``save every input, .nii.gz`` / ``.nii``
    a nipype user holding nibabel images: ``nib.save`` each input image of a
    step, ``subprocess.run`` the tool, ``nib.load`` its output.
``nipype CommandLine, .nii.gz``
    the same, the tool run by ``nipype.interfaces.base.CommandLine``.
``by hand: save once, pass files``
    a careful hand-written script: the two in-memory images saved once as
    ``.nii``, outputs passed on by file name (the lower bound).

Printed per variant: wall time, time inside the tools, the rest (writing,
reading, process start), bytes written to hand images over, and ratios to
imageshell.

Usage::

    python benchmarks/bench_demo.py [--reps 3] [--no-nipype]
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

CH2 = "/usr/share/mricron/templates/ch2.nii.gz"


def _inputs():
    """(template, subject): the 2 mm ch2 head and the same head moved, in memory."""
    import nibabel as nib
    import numpy as np

    from interfaces.demo import downsample, rigid_motion

    template = downsample(nib.load(CH2), 2.0)
    centre = template.affine @ np.append((np.array(template.shape) - 1) / 2, 1.0)
    subject = nib.Nifti1Image(np.asarray(template.dataobj).copy(),
                              rigid_motion(centre[:3]) @ template.affine)
    return template, subject


def _executables():
    from interfaces.mrtrix3 import mrcalc
    from interfaces.niftyreg import reg_aladin, reg_resample
    from interfaces.workbench import volume_smoothing

    found = {
        "reg_aladin": reg_aladin.executable_path(),
        "reg_resample": reg_resample.executable_path(),
        "wb_command": volume_smoothing.executable_path(),
        "mrthreshold": mrcalc.family.find_executable("mrthreshold"),
        "maskfilter": mrcalc.family.find_executable("maskfilter"),
        "mrcalc": mrcalc.executable_path(),
    }
    missing = [k for k, v in found.items() if v is None]
    if missing:
        sys.exit(f"bench_demo: missing {', '.join(missing)}; run bash .ci/install")
    return found


def run_imageshell(template, subject, folder):
    from interfaces.mrtrix3 import maskfilter, mrcalc, mrthreshold
    from interfaces.niftyreg import reg_aladin, reg_resample
    from interfaces.workbench import volume_smoothing

    tool_s, written = 0.0, 0
    t0 = time.perf_counter()

    def run(cls, **inputs):
        nonlocal tool_s, written
        res = cls().run(workdir=folder, **inputs)
        tool_s += res.runtime.duration
        written += res.bytes_written
        return res

    reg = run(reg_aladin, ref_file=template, flo_file=subject, rig_only=True, speeeeed=True,
              omp=1)
    moved = run(reg_resample, ref_file=template, flo_file=subject,
                trans_file=reg.outputs.aff_file, inter=3).outputs.res_file
    smooth = run(volume_smoothing, in_file=moved, kernel=6.0, fwhm=True).outputs.out_file
    mask = run(mrthreshold, in_file=smooth).outputs.out_file
    mask = run(maskfilter, in_file=mask, filter="connect", largest=True).outputs.out_file
    out = run(mrcalc, operands=[moved, mask, "-mult"]).outputs.out_file
    out.get_fdata()
    return time.perf_counter() - t0, tool_s, written


def _commands(exe, p):
    """The pipeline's argv lists, given a dict of file paths ``p``."""
    return [
        ("aladin", ["template", "subject"],
         [exe["reg_aladin"], "-ref", p["template"], "-flo", p["subject"], "-aff", p["aff"],
          "-omp", "1", "-res", p["aladin_res"], "-rigOnly", "-speeeeed", "-voff"]),
        ("moved", ["template", "subject"],
         [exe["reg_resample"], "-ref", p["template"], "-flo", p["subject"], "-trans", p["aff"],
          "-inter", "3", "-res", p["moved"], "-voff"]),
        ("smooth", ["moved"],
         [exe["wb_command"], "-volume-smoothing", p["moved"], "6", p["smooth"], "-fwhm"]),
        ("mask", ["smooth"], [exe["mrthreshold"], p["smooth"], "-force", "-quiet", p["mask"]]),
        ("clean", ["mask"], [exe["maskfilter"], p["mask"], "connect", "-force", "-largest",
                             "-quiet", p["clean"]]),
        ("out", ["moved", "clean"], [exe["mrcalc"], p["moved"], p["clean"], "-mult", "-force",
                                     "-quiet", p["out"]]),
    ]


def run_by_hand(template, subject, folder, exe, ext=".nii.gz", runner="subprocess",
                save_every_input=True):
    """The nipype user's pipeline: images held with nibabel, saved before each step."""
    import nibabel as nib

    tool_s, written = 0.0, 0
    t0 = time.perf_counter()
    images = {"template": template, "subject": subject}
    names = ["template", "subject", "moved", "smooth", "mask", "clean", "out", "aladin_res"]
    outs = {n: os.path.join(folder, f"{n}{'.nii' if n not in ('template', 'subject') else ext}")
            for n in names}
    outs["aff"] = os.path.join(folder, "aff.txt")
    saved = set()
    if runner == "nipype":
        from nipype.interfaces.base import CommandLine
    for produced, needs, argv in _commands(exe, outs):
        for name in needs:
            if save_every_input or name not in saved:
                if name in images and (save_every_input or name in ("template", "subject")):
                    path = outs[name] if name in ("template", "subject") else \
                        os.path.join(folder, f"{name}-in{ext}")
                    nib.save(images[name], path)
                    written += os.path.getsize(path)
                    saved.add(name)
                    argv = [path if a == outs[name] else a for a in argv]
        start = time.perf_counter()
        if runner == "nipype":
            CommandLine(command=argv[0], args=shlex.join(argv[1:]),
                        terminal_output="allatonce").run()
        else:
            subprocess.run(argv, check=True, capture_output=True)
        tool_s += time.perf_counter() - start
        if produced != "aladin":
            images[produced] = nib.load(outs[produced])
    images["out"].get_fdata()
    return time.perf_counter() - t0, tool_s, written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-nipype", action="store_true")
    args = parser.parse_args(argv)
    if not os.path.exists(CH2):
        sys.exit(f"bench_demo: {CH2} is missing: apt-get install mricron-data")
    exe = _executables()
    import imagecache

    variants = {
        "imageshell (in-memory images)": lambda t, s, d: run_imageshell(t, s, d),
        "save every input, .nii.gz": lambda t, s, d: run_by_hand(t, s, d, exe, ".nii.gz"),
        "save every input, .nii": lambda t, s, d: run_by_hand(t, s, d, exe, ".nii"),
        "by hand: save once, pass files": lambda t, s, d: run_by_hand(
            t, s, d, exe, ".nii", save_every_input=False),
    }
    if not args.no_nipype:
        try:
            import nipype.interfaces.base  # noqa: F401

            variants["nipype CommandLine, .nii.gz"] = lambda t, s, d: run_by_hand(
                t, s, d, exe, ".nii.gz", runner="nipype")
        except ImportError:
            print("(nipype not installed: its variant is left out)")
    samples = {name: [] for name in variants}
    for rep in range(args.reps + 1):  # the first round warms caches and is dropped
        for name, go in variants.items():
            # fresh in-memory images each time: no temporary can be reused across reps
            template, subject = _inputs()
            with tempfile.TemporaryDirectory() as tmp:
                imagecache.set_temp_dir(tmp)
                result = go(template, subject, tmp)
                imagecache.set_temp_dir(None)
            if rep:
                samples[name].append(result)
    base = statistics.median(s[0] for s in samples["imageshell (in-memory images)"])
    base_rest = statistics.median(s[0] - s[1] for s in samples["imageshell (in-memory images)"])
    print(f"The demo pipeline (6 tools) on the 2 mm ch2 head moved in memory; "
          f"median of {args.reps} runs\n")
    print(f"{'variant':<32} {'wall (s)':>9} {'in tools (s)':>13} {'rest (s)':>9} "
          f"{'bytes written':>14} {'wall ratio':>11} {'rest ratio':>11}")
    for name, runs in samples.items():
        wall = statistics.median(r[0] for r in runs)
        tools = statistics.median(r[1] for r in runs)
        rest = statistics.median(r[0] - r[1] for r in runs)
        written = statistics.median(r[2] for r in runs)
        print(f"{name:<32} {wall:>9.2f} {tools:>13.2f} {rest:>9.3f} {written:>14,.0f} "
              f"{wall / base:>10.2f}x {rest / base_rest:>10.2f}x")
    print("\n'rest': wall time outside the tools (writing and reading images, starting "
          "processes, our bookkeeping).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
