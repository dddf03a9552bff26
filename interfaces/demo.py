"""``imageshell demo``: a real pipeline of real tools on an image held in memory.

The default run loads a real head (the ch2 template of mricron-data, or
nibabel's ``anatomical.nii`` when that is not installed), moves it in memory
by a known rigid transform (its affine is edited: no file is written), and
chains real tools on it::

    mrgrid (2 mm) -> reg_aladin (register to the template) -> reg_resample
      -> wb_command -volume-smoothing -> mrthreshold -> maskfilter

with elastix / transformix / mrfilter / mrcalc standing in when a first
choice is missing.  For every tool input it prints whether the image's own
file or a temporary was handed over, the bytes written and the time; it
writes a PNG figure (before / after overlays) and a short HTML report into
``--out`` (default: a new ``imageshell-demo-<timestamp>`` folder).

``imageshell demo --decisions [IMAGE]`` shows instead, step by step, what
:func:`imagecache.as_filename` hands a tool as an image (by default the
demo's own head) is read, edited and restored.
"""

from __future__ import annotations

import argparse
import sys
import html
import os
import time
from datetime import datetime
from pathlib import Path

__all__ = ["main", "default_data", "run_pipeline", "rigid_motion", "motion_error", "downsample"]

CH2 = Path("/usr/share/mricron/templates/ch2.nii.gz")
#: The known motion applied in memory: rotations about x, y, z (degrees), shift (mm).
MOTION_DEGREES = (4.0, -3.0, 5.0)
MOTION_SHIFT = (4.0, -3.0, 2.0)

INSTALL = {
    "mrtrix3": "apt-get install mrtrix3",
    "niftyreg": "CMAKE_POLICY_VERSION_MINIMUM=3.5 pip install niftyreg",
    "elastix": "apt-get install elastix",
    "workbench": "apt-get install connectome-workbench",
    "mricron-data": "apt-get install mricron-data",
    "matplotlib": "pip install matplotlib (or pip install 'imageshell[demo]')",
}


def default_data() -> dict[str, Path]:
    """Paths of the real images the demo uses: ``head`` (ch2 when installed,
    else nibabel's anatomical.nii), ``anatomical`` and ``functional``."""
    import nibabel

    data = Path(nibabel.__file__).parent / "tests" / "data"
    anatomical = data / "anatomical.nii"
    return {
        "head": CH2 if CH2.exists() else anatomical,
        "anatomical": anatomical,
        "functional": data / "example4d.nii.gz",
    }


# -- the known motion --------------------------------------------------------

def rigid_motion(centre, degrees=MOTION_DEGREES, shift=MOTION_SHIFT):
    """4x4 world transform: rotations about x, then y, then z (degrees) about
    ``centre`` (mm), then ``shift`` (mm)."""
    import numpy as np

    ax, ay, az = np.deg2rad(degrees)
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    rotation = rz @ ry @ rx
    centre = np.asarray(centre, float)
    out = np.eye(4)
    out[:3, :3] = rotation
    out[:3, 3] = centre - rotation @ centre + np.asarray(shift, float)
    return out


def motion_error(estimated, true, centre):
    """(degrees, mm): rotation left over, and displacement error at ``centre``."""
    import numpy as np

    delta = np.linalg.inv(true) @ estimated
    cos = np.clip((np.trace(delta[:3, :3]) - 1) / 2, -1.0, 1.0)
    point = np.append(np.asarray(centre, float), 1.0)
    shift = np.linalg.norm((estimated @ point - true @ point)[:3])
    return float(np.degrees(np.arccos(cos))), float(shift)


# -- running steps, recording what each input cost ---------------------------

class Pipeline:
    """Runs steps, keeps a record of each run's inputs, and of what was skipped."""

    def __init__(self, out: Path, echo=print):
        self.out = out
        self.work = out / "work"
        self.records: list[dict] = []
        self.skipped: list[tuple[str, str]] = []
        self.echo = echo

    def pick(self, step: str, *candidates):
        """The first candidate interface whose executable is installed, or None
        (the step is then skipped, with how to install the first choice)."""
        for cls in candidates:
            if cls.executable_path() is not None:
                return cls
        first = candidates[0]
        hint = INSTALL.get(first.family.name, first.family.package_hint)
        names = " or ".join(c.full_name() for c in candidates)
        self.skipped.append((step, f"needs {names}: install with {hint}"))
        self.echo(f"  [skipped] {step}: needs {names} -- install: {hint}")
        return None

    def run(self, step: str, cls, **inputs):
        """Run ``cls`` with ``inputs`` in the step's folder; print and record
        each input's hand-over."""
        start = time.perf_counter()
        result = cls().run(workdir=self.work / step.replace(" ", "-"), **inputs)
        total = time.perf_counter() - start
        files = []
        for name, prepared in result.input_files.items():
            many = prepared if isinstance(prepared, list) else [prepared]
            for i, one in enumerate(many):
                label = name if len(many) == 1 else f"{name}[{i}]"
                files.append({"input": label, "origin": one.origin, "bytes": one.bytes_written,
                              "reused": one.reused, "file": one.path})
        # Temporaries are deleted when the demo ends: the report names them as such.
        cmdline = result.cmdline
        for f in files:
            if f["origin"] != "original" and f["file"]:
                cmdline = cmdline.replace(f["file"], "<temporary>/" + os.path.basename(f["file"]))
        record = {"step": step, "tool": cls.full_name(), "cmdline": cmdline,
                  "tool_s": result.runtime.duration, "total_s": total, "inputs": files,
                  "version": result.runtime.version}
        self.records.append(record)
        self._print(record)
        return result

    def _print(self, r):
        self.echo(f"  {r['step']:<12} {r['tool']:<28} tool {r['tool_s']:6.2f} s  "
                  f"whole run {r['total_s']:6.2f} s")
        for f in r["inputs"]:
            how = f["origin"] + (" (reused)" if f["origin"] == "temporary" and f["reused"] else "")
            self.echo(f"      {f['input']:<12} {how:<20} {f['bytes']:>12,} bytes written  "
                      f"{os.path.basename(f['file'])}")


def downsample(img, voxel):
    """Block-average ``img`` to about ``voxel`` mm, in memory (float32; the
    demo's fallback when MRtrix3 is missing, and the tests' small heads)."""
    import nibabel as nib
    import numpy as np

    factor = max(1, int(round(voxel / float(min(img.header.get_zooms()[:3])))))
    data = np.asarray(img.dataobj, dtype=np.float32)
    if factor > 1:
        shape = [n // factor * factor for n in data.shape[:3]]
        data = data[: shape[0], : shape[1], : shape[2]].reshape(
            shape[0] // factor, factor, shape[1] // factor, factor, shape[2] // factor, factor
        ).mean(axis=(1, 3, 5))
    affine = img.affine.copy()
    affine[:3, :3] *= factor
    affine[:3, 3] += img.affine[:3, :3] @ np.full(3, (factor - 1) / 2)
    return nib.Nifti1Image(data, affine)


def run_pipeline(head_path: Path, out: Path, echo=print) -> dict:
    """Run the demonstration pipeline on ``head_path``; write the figure and
    the report into ``out``; return a summary (also written as ``summary.json``)."""
    import json

    import numpy as np

    import imagecache
    from interfaces import elastix as elx
    from interfaces import mrtrix3 as mr
    from interfaces import niftyreg as nr
    from interfaces import workbench as wb

    out.mkdir(parents=True, exist_ok=True)
    p = Pipeline(out, echo)
    t0 = time.perf_counter()
    head = imagecache.load(head_path)
    echo(f"imageshell demo: a real pipeline on {head_path} {head.shape}\n")

    # 1. the template: the head at 2 mm (the original file goes to the tool as is)
    voxel = max(2.0, float(max(head.header.get_zooms()[:3])))
    tool = p.pick("downsample", mr.mrgrid)
    if tool:
        template = p.run("downsample", tool, in_file=head, operation="regrid",
                         voxel=[voxel], interp="linear").outputs.out_file
    else:
        template = downsample(head, voxel)

    # 2. the subject: the same head, moved in memory by editing its affine
    centre = template.affine @ np.append((np.array(template.shape[:3]) - 1) / 2, 1.0)
    truth = rigid_motion(centre[:3])
    subject = imagecache.load(template.get_filename()) if template.get_filename() else \
        type(template)(np.asarray(template.dataobj), template.affine.copy())
    subject.affine[:] = truth @ subject.affine  # an edit: the file no longer matches
    echo(f"  moved in memory: rotation {MOTION_DEGREES} degrees, shift {MOTION_SHIFT} mm "
         f"(imagecache.is_dirty: {imagecache.is_dirty(subject)})")

    summary = {"head": str(head_path), "out": str(out), "truth": truth.tolist(),
               "motion_degrees": list(MOTION_DEGREES), "motion_shift_mm": list(MOTION_SHIFT)}

    # 3. before: the subject seen through its header in template space
    before = registered = None
    estimate = None
    tool = p.pick("before", nr.reg_resample)
    if tool:
        before = p.run("before", tool, ref_file=template, flo_file=subject,
                       inter=1).outputs.res_file

    # 4. register to the template, 5. resample
    tool = p.pick("register", nr.reg_aladin, elx.elastix)
    if tool is nr.reg_aladin:
        # one thread: OpenMP's busy waiting costs more than it gains on a shared machine
        reg = p.run("register", tool, ref_file=template, flo_file=subject, rig_only=True,
                    speeeeed=True, omp=1)
        estimate = reg.outputs.affine
        tool = p.pick("resample", nr.reg_resample)
        if tool:
            registered = p.run("resample", tool, ref_file=template, flo_file=subject,
                               trans_file=reg.outputs.aff_file, inter=3).outputs.res_file
    elif tool is elx.elastix:
        reg = p.run("register", tool, fixed_image=template, moving_image=subject,
                    parameters=[elx.parameter_map("rigid", Metric="AdvancedMeanSquares",
                                                  WriteResultImage=False)])
        params = reg.outputs.transform_parameters[-1]
        estimate = elx.ras_affine(params)
        tool = p.pick("resample", elx.transformix)
        if tool:
            registered = p.run("resample", tool, transform_parameters=params,
                               in_image=subject).outputs.result_image
    if estimate is not None:
        degrees, mm = motion_error(estimate, truth, centre[:3])
        summary.update(estimate=np.asarray(estimate).tolist(), error_degrees=degrees,
                       error_mm=mm)
        echo(f"  recovered the motion to within {degrees:.2f} degrees and {mm:.2f} mm "
             f"(at the head's centre)")

    # 6. smooth, 7. threshold, 8. clean the mask
    current = registered if registered is not None else subject
    smoothed = mask = None
    tool = p.pick("smooth", wb.volume_smoothing, mr.mrfilter)
    if tool is wb.volume_smoothing:
        smoothed = p.run("smooth", tool, in_file=current, kernel=6.0, fwhm=True).outputs.out_file
    elif tool is mr.mrfilter:
        smoothed = p.run("smooth", tool, in_file=current, filter="smooth",
                         fwhm=[6.0]).outputs.out_file
    current = smoothed if smoothed is not None else current
    tool = p.pick("threshold", mr.mrthreshold)
    if tool:
        mask = p.run("threshold", tool, in_file=current).outputs.out_file
        tool = p.pick("clean mask", mr.maskfilter)
        if tool:
            mask = p.run("clean mask", tool, in_file=mask, filter="connect",
                         largest=True).outputs.out_file

    # 9. measure: how well the result matches the template, before and after
    tool = p.pick("measure", nr.reg_measure)
    if tool and registered is not None:
        ncc_before = p.run("measure", tool, ref_file=template, flo_file=subject,
                           ncc=True).outputs.ncc
        ncc_after = p.run("measure", tool, ref_file=template, flo_file=registered,
                          ncc=True).outputs.ncc
        summary.update(ncc_before=ncc_before, ncc_after=ncc_after)
        echo(f"  normalised cross-correlation with the template: {ncc_before:.3f} before, "
             f"{ncc_after:.3f} after")
    if mask is not None:
        summary["mask_voxels"] = int((np.asarray(mask.dataobj) > 0).sum())

    summary["seconds"] = time.perf_counter() - t0
    summary["steps"] = p.records
    summary["skipped"] = p.skipped
    summary["bytes_written"] = sum(f["bytes"] for r in p.records for f in r["inputs"])
    summary["figure"] = _figure(out / "demo.png", template, before, registered, smoothed, mask,
                                echo)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    _report(out / "report.html", summary)
    return summary


# -- the figure and the report -----------------------------------------------

#: The three views: the voxel axis each cuts across, its name, and the letters at
#: (left, right, top, bottom) of the picture, for a volume in RAS orientation.
VIEWS = (
    (0, "sagittal", ("P", "A", "S", "I")),
    (1, "coronal", ("L", "R", "S", "I")),
    (2, "axial", ("L", "R", "A", "P")),
)


def _slices(volume):
    """The middle sagittal, coronal and axial slices, as shown: rows top to bottom,
    columns left to right, labelled by :data:`VIEWS` (the volume is turned to RAS
    first, so the letters hold whatever order its file stores the axes in)."""
    import nibabel as nib
    import numpy as np

    ras = nib.as_closest_canonical(nib.Nifti1Image(
        np.asarray(volume.dataobj, dtype=float).reshape(volume.shape[:3]), volume.affine))
    data = np.asarray(ras.dataobj)
    out = []
    for axis, _, _ in VIEWS:
        cut = np.take(data, data.shape[axis] // 2, axis=axis)  # (first, second) voxel axes
        out.append(np.rot90(cut))  # the second axis up, the first left to right
    return out


def _normalise(a):
    import numpy as np

    top = np.percentile(a, 99.5) or 1.0
    return np.clip(a / top, 0, 1)


#: The figure's colour key: the overlay's colours and the mask's outline.
KEY = (("magenta", "template (ch2)"), ("lime", "subject"), ("grey", "where they agree"),
       ("yellow", "mask outline (MRtrix3)"))
TITLE = "imageshell demo: the ch2 head moved in memory, registered back with NiftyReg"


def _draw(template, before, after, smoothed, mask):
    """The figure (a matplotlib Figure), or None when there is nothing to show.

    One row per stage, one column per view; each picture carries its view's
    orientation letters, and the figure its title and colour key."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Patch

    rows = [("before registration", before), ("after registration", after)]
    rows = [(title, img) for title, img in rows if img is not None]
    if smoothed is not None:
        rows.append(("smoothed (Workbench), with the mask", smoothed))
    if not rows:
        return None
    fig, axes = plt.subplots(len(rows), 3, figsize=(9, 3 * len(rows) + 1.2), squeeze=False)
    base = [_normalise(s) for s in _slices(template)]
    outline = _slices(mask) if mask is not None else None
    for r, (title, img) in enumerate(rows):
        for c, (ref, view) in enumerate(zip(base, _slices(img))):
            ax = axes[r][c]
            view = _normalise(view)
            if title.startswith("smoothed"):
                ax.imshow(view, cmap="gray")
                if outline is not None:
                    ax.contour(outline[c] > 0, levels=[0.5], colors="yellow", linewidths=0.8)
            else:
                ax.imshow(np.dstack([ref, view, ref]))
            ax.set_axis_off()
            left, right, top, bottom = VIEWS[c][2]
            for x, y, letter in ((0.02, 0.5, left), (0.98, 0.5, right),
                                 (0.5, 0.98, top), (0.5, 0.02, bottom)):
                ax.text(x, y, letter, transform=ax.transAxes, color="white", fontsize=9,
                        fontweight="bold", ha="center", va="center")
            if r == 0:
                ax.set_title(VIEWS[c][1], fontsize=10)
        axes[r][0].text(-0.08, 0.5, title, transform=axes[r][0].transAxes, rotation=90,
                        ha="center", va="center", fontsize=10)
    fig.suptitle(TITLE, fontsize=11)
    fig.legend(handles=[Patch(color=colour, label=label) for colour, label in KEY],
               loc="lower center", ncol=len(KEY), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0.03, 0.06, 1, 0.95))
    return fig


def _figure(path: Path, template, before, after, smoothed, mask, echo):
    """Save :func:`_draw`'s figure at ``path``; its file name, or None."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        echo(f"  [skipped] figure: needs matplotlib -- install: {INSTALL['matplotlib']}")
        return None
    import matplotlib.pyplot as plt

    fig = _draw(template, before, after, smoothed, mask)
    if fig is None:
        return None
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path.name


def _report(path: Path, s: dict) -> None:
    e = html.escape
    rows = []
    for r in s["steps"]:
        for n, f in enumerate(r["inputs"] or [{"input": "-", "origin": "-", "bytes": 0,
                                                 "reused": False, "file": ""}]):
            first = n == 0
            rows.append(
                "<tr>" + (f"<td>{e(r['step'])}</td><td><code>{e(r['tool'])}</code></td>"
                          if first else "<td></td><td></td>")
                + f"<td>{e(f['input'])}</td><td class='{e(f['origin'])}'>{e(f['origin'])}"
                + (" (reused)" if f["origin"] == "temporary" and f["reused"] else "")
                + f"</td><td>{f['bytes']:,}</td>"
                + (f"<td>{r['tool_s']:.2f}</td><td>{r['total_s']:.2f}</td>" if first
                   else "<td></td><td></td>") + "</tr>")
    result = ""
    if "error_degrees" in s:
        result = (f"<p>Known motion: rotation {s['motion_degrees']} degrees, shift "
                  f"{s['motion_shift_mm']} mm. Recovered to within "
                  f"<b>{s['error_degrees']:.2f} degrees</b> and <b>{s['error_mm']:.2f} mm</b>."
                  "</p>")
    if "ncc_after" in s:
        result += (f"<p>Normalised cross-correlation with the template: "
                   f"{s['ncc_before']:.3f} before, <b>{s['ncc_after']:.3f}</b> after.</p>")
    skipped = "".join(f"<li>{e(step)}: {e(why)}</li>" for step, why in s["skipped"])
    figure = f"<img src='{e(s['figure'])}' alt='before and after'>" if s.get("figure") else ""
    commands = "".join(f"<li><code>{e(r['cmdline'])}</code></li>" for r in s["steps"])
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>imageshell demo</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
table{{border-collapse:collapse}}td,th{{padding:2px 8px;border-bottom:1px solid #ddd}}
td.original{{color:#070}}td.temporary{{color:#a50}}code{{font-size:85%}}</style></head>
<body><h1>imageshell demo</h1>
<p>Head: <code>{e(s['head'])}</code>. Moved in memory (its affine edited), registered to
the template, resampled, smoothed, thresholded: {len(s['steps'])} runs of real tools in
{s['seconds']:.1f} s, {s['bytes_written']:,} bytes written to hand images over.</p>
{result}
<h2>What each tool was handed</h2>
<p><i>original</i>: the image's own file, nothing written; <i>temporary</i>: written once
for the image's current state, <i>reused</i> when asked again unchanged.</p>
<table><tr><th>step</th><th>tool</th><th>input</th><th>handed over</th>
<th>bytes written</th><th>tool (s)</th><th>whole run (s)</th></tr>
{''.join(rows)}</table>
{f'<h2>Skipped</h2><ul>{skipped}</ul>' if skipped else ''}
<h2>Before and after</h2>
<p>Template in magenta, subject in green: grey where they agree.</p>
{figure}
<h2>Commands</h2>
<p>As they ran. Every path names a file that is still there, except
<code>&lt;temporary&gt;/...</code>: a temporary that imagecache wrote for an image edited in
memory, deleted when the demo ended.</p>
<ol>{commands}</ol>
</body></html>
"""
    path.write_text(page, encoding="utf-8")


# -- what as_filename decides (imageshell demo --decisions) -----------------

def _steps(path: Path):
    """(description, action) pairs; each action returns the image to hand over."""
    import nibabel as nib
    import numpy as np

    import imagecache

    img = imagecache.load(path)
    plain = nib.load(path)
    descrip = img.header["descrip"].copy()
    yield "loaded lazily with imagecache.load", lambda: img
    yield "voxels read with get_fdata()", lambda: (img.get_fdata().mean(), img)[1]
    yield "header field set to its current value", lambda: (
        img.header.__setitem__("descrip", img.header["descrip"]), img)[1]
    yield "header descrip edited", lambda: (img.header.__setitem__("descrip", b"edited"), img)[1]
    yield "asked again, unchanged", lambda: img
    yield "descrip restored", lambda: (img.header.__setitem__("descrip", descrip), img)[1]
    yield "affine edited in place", lambda: (img.affine.__setitem__((0, 3), img.affine[0, 3] + 1), img)[1]
    yield "affine restored", lambda: (img.affine.__setitem__((0, 3), img.affine[0, 3] - 1), img)[1]
    yield "one voxel edited in get_fdata()", lambda: (img.get_fdata().__setitem__((10, 10, 10), -1.0), img)[1]
    yield "plain nib.load image, only read", lambda: (plain.get_fdata().sum(), plain)[1]
    yield "plain image zeroed via get_fdata()[:] = 0", lambda: (
        plain.get_fdata().__setitem__(Ellipsis, 0.0), plain)[1]
    yield "image built from an array", lambda: nib.Nifti1Image(np.zeros((8, 8, 8), np.float32), np.eye(4))


def decisions(path: Path) -> None:
    """Print, for each step, whether the original file or a temporary is handed over."""
    import imagecache

    print(f"imageshell demo --decisions: what as_filename hands a tool for {path}\n")
    header = f"{'step':<44} {'handed over':<11} {'bytes written':>13} {'time':>9}  file"
    print(header)
    print("-" * len(header))
    for description, action in _steps(path):
        image = action()
        start = time.perf_counter()
        prepared = imagecache.prepare_file(image)
        took = time.perf_counter() - start
        print(
            f"{description:<44} {prepared.origin:<11} {prepared.bytes_written:>13,} "
            f"{took * 1e3:>7.2f}ms  {os.path.basename(prepared.path)}"
        )
    print("\n'original': the image's own file, nothing written. 'temporary': written once")
    print("for this state of the image and reused while it stays unchanged.")


def main(argv=None) -> int:
    """Entry point of ``imageshell demo``."""
    parser = argparse.ArgumentParser(
        prog="imageshell demo",
        description="Run a real pipeline of real tools on a head image held in memory.")
    parser.add_argument("image", nargs="?",
                        help="head image (default: mricron-data's ch2, else nibabel's "
                             "anatomical.nii)")
    parser.add_argument("--out", default=None,
                        help="folder for the report, figure and tool outputs (default: a new "
                             "imageshell-demo-<timestamp> folder here)")
    parser.add_argument("--decisions", action="store_true",
                        help="show what as_filename hands a tool as an image is edited, "
                             "instead of the pipeline")
    args = parser.parse_args(argv)
    data = default_data()
    if args.decisions:
        decisions(Path(args.image) if args.image else data["head"])
        return 0
    head = Path(args.image) if args.image else data["head"]
    if args.image and not head.is_file():  # before any folder is made
        print(f"imageshell demo: {head} is not a file; pass the path of a head image "
              f"(NIfTI), or no argument for the default one.", file=sys.stderr)
        return 2
    if not args.image and head != CH2:
        print(f"note: {CH2} is not installed, so the demo uses nibabel's small "
              f"anatomical.nii; for a real 1 mm head: {INSTALL['mricron-data']}\n")
    out = Path(args.out) if args.out else Path(
        f"imageshell-demo-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
    if out.exists() and any(out.iterdir()) and not (out / "summary.json").exists():
        print(f"imageshell demo: {out} exists and is not an earlier demo's folder; "
              f"pass another --out.")
        return 2
    summary = run_pipeline(head.resolve(), out.resolve())
    print(f"\n{len(summary['steps'])} tool runs in {summary['seconds']:.1f} s; "
          f"{summary['bytes_written']:,} bytes written to hand images over.")
    if summary["skipped"]:
        print(f"{len(summary['skipped'])} step(s) skipped: install the tools named above.")
    print(f"report: {out.resolve() / 'report.html'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
