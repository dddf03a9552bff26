"""STAND-INS for FSL's programs, for imageshell's tests.  NOT FSL.

FSL cannot be installed on the test machines.  Each executable in ``bin/``
runs :func:`main` with the name of the FSL program it stands in for; the
function parses the arguments as that program does (options, positional
arguments, ``--opt=value`` forms) and writes the files the program would
write, with nibabel, under the names FSL would choose (``FSLOUTPUTTYPE``
decides the extension of a name given without one).  The data are simple
functions of the inputs (a copy, a threshold, real statistics for fslstats,
real arithmetic for a subset of fslmaths), enough to test that imageshell
names, finds and loads each output.  No registration, segmentation or fitting
is performed.

Every call appends its argv as a JSON line to ``$FSL_STANDIN_LOG`` when that
variable is set, so tests can check what the tool received.
"""

from __future__ import annotations

import json
import os
import sys

# nibabel imports pydicom when it is installed; the stand-ins never read DICOM,
# and skipping it halves their start-up (they run dozens of times per test run).
sys.modules.setdefault("pydicom", None)

import nibabel as nib  # noqa: E402
import numpy as np  # noqa: E402

EXTENSIONS = {"NIFTI": ".nii", "NIFTI_GZ": ".nii.gz", "NIFTI_PAIR": ".img",
              "NIFTI_PAIR_GZ": ".img.gz"}
_ALL_EXTS = (".nii.gz", ".img.gz", ".hdr.gz", ".nii", ".img", ".hdr")


class Usage(Exception):
    """A command line the real tool would reject."""


# -- files -----------------------------------------------------------------


def _ext() -> str:
    kind = os.environ.get("FSLOUTPUTTYPE", "NIFTI_GZ")
    if kind not in EXTENSIONS:
        raise Usage(f"unknown FSLOUTPUTTYPE {kind}")
    return EXTENSIONS[kind]


def image_name(name: str) -> str:
    """FSL's rule: a name without an image extension gets FSLOUTPUTTYPE's."""
    for ext in _ALL_EXTS:
        if name.endswith(ext):
            return name[: -len(ext)] + _ext()
    return name + _ext()


def find_image(name: str) -> str:
    """FSL's rule for inputs: the name as given, or with any image extension."""
    if os.path.isfile(name):
        return name
    stem = name
    for ext in _ALL_EXTS:
        if name.endswith(ext):
            stem = name[: -len(ext)]
    for ext in _ALL_EXTS:
        if os.path.isfile(stem + ext):
            return stem + ext
    raise Usage(f"Image Exception : No image files match: {name}")


def load(name: str):
    return nib.load(find_image(name))


def data(name: str) -> np.ndarray:
    return np.asanyarray(load(name).dataobj).astype(np.float64)


def save(array, like, name: str, dtype=np.float32) -> str:
    """Write ``array`` with the geometry of image ``like`` as FSL would."""
    path = image_name(name)
    klass = nib.Nifti1Pair if path.endswith((".img", ".img.gz")) else nib.Nifti1Image
    header = like.header.copy() if isinstance(like.header, nib.Nifti1Header) else None
    img = klass(np.asarray(array, dtype=dtype), like.affine, header)
    img.set_data_dtype(dtype)
    nib.save(img, path)
    return path


def copy_image(src: str, dst: str) -> str:
    img = load(src)
    return save(np.asanyarray(img.dataobj), img, dst)


def text(path: str, content: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(content)


IDENTITY = "1 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 0 1\n"


# -- argument parsing ------------------------------------------------------


class Args:
    """FSL-style options: ``-x value``, ``--x=value``, flags, positionals."""

    def __init__(self, argv, valued=(), flags=()):
        self.opts: dict[str, list] = {}
        self.pos: list[str] = []
        i = 0
        while i < len(argv):
            item = argv[i]
            if item.startswith("--") and "=" in item:
                key, value = item.split("=", 1)
                self.opts.setdefault(key, []).append(value)
            elif item in valued:
                if i + 1 >= len(argv):
                    raise Usage(f"option {item} needs a value")
                self.opts.setdefault(item, []).append(argv[i + 1])
                i += 1
            elif item in flags or (item.startswith("-") and len(item) > 1
                                   and not _is_number(item)):
                self.opts.setdefault(item, []).append(True)
            else:
                self.pos.append(item)
            i += 1

    def get(self, key, default=None):
        values = self.opts.get(key)
        return values[-1] if values else default

    def has(self, key) -> bool:
        return key in self.opts


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def need(value, what):
    if value is None:
        raise Usage(f"missing {what}")
    return value


# -- the tools -------------------------------------------------------------


def flirt(argv):
    a = Args(argv, valued={"-in", "-ref", "-out", "-omat", "-init", "-applyisoxfm", "-cost",
                           "-searchcost", "-dof", "-interp", "-datatype", "-bins",
                           "-searchrx", "-searchry", "-searchrz", "-wmseg", "-schedule"})
    src, ref = need(a.get("-in"), "-in"), need(a.get("-ref"), "-ref")
    ref_img = load(ref)
    if a.get("-cost") == "bbr" and not a.has("-wmseg"):
        raise Usage("BBR cost function requires -wmseg")
    if (a.has("-applyxfm") or a.has("-applyisoxfm")) and not (
        a.has("-init") or a.has("-usesqform")
    ):
        raise Usage("-applyxfm needs -init or -usesqform")
    source = data(src)
    if source.shape[:3] == ref_img.shape[:3]:
        out = source
    else:  # "resample": the reference grid, filled with the source's mean
        out = np.full(ref_img.shape[:3], source.mean())
    if a.has("-out"):
        save(out, ref_img, a.get("-out"))
    if a.has("-omat"):
        matrix = open(a.get("-init")).read() if a.has("-init") else IDENTITY
        text(a.get("-omat"), matrix)


def convert_xfm(argv):
    a = Args(argv, valued={"-omat"})
    out = need(a.get("-omat"), "-omat")
    mats = [np.loadtxt(p) for p in a.pos]
    if a.has("-inverse"):
        result = np.linalg.inv(mats[0])
    elif a.has("-concat"):
        # convert_xfm -concat second first: second applied after first.
        result = mats[0] @ mats[1]
    else:
        result = mats[-1]
    np.savetxt(out, result, fmt="%.10f")


def bet(argv):
    if len(argv) < 2:
        raise Usage("Usage: bet <input> <output> [options]")
    src, out = argv[0], argv[1]
    a = Args(argv[2:], valued={"-f", "-g", "-r", "-c", "-A2"})
    img = load(src)
    values = np.asanyarray(img.dataobj).astype(np.float64)
    frac = float(a.get("-f", 0.5))
    vol = values if values.ndim == 3 else values.mean(axis=-1)
    mask = vol > frac * 0.5 * vol.max()
    brain = values * (mask[..., None] if values.ndim == 4 else mask)
    sys.stderr.write("bet stand-in: done (FSL's bet also talks on stderr)\n")
    if not a.has("-n"):
        save(brain, img, out)
    stem = image_name(out)[: -len(_ext())]
    if a.has("-m") or a.has("-B") or a.has("-A") or a.has("-A2"):  # as FSL's bet script
        save(mask, img, stem + "_mask", np.uint8)
    if a.has("-o"):
        save(mask, img, stem + "_overlay", np.uint8)
    if a.has("-s"):
        save(~mask, img, stem + "_skull", np.uint8)
    if a.has("-e") or a.has("-A") or a.has("-A2"):
        text(stem + "_mesh.vtk", "# vtk DataFile Version 3.0\nstand-in\n")
    if a.has("-A") or a.has("-A2"):
        for part in ("inskull", "outskull", "outskin"):
            save(mask, img, f"{stem}_{part}_mask", np.uint8)
            text(f"{stem}_{part}_mesh.vtk", "# vtk DataFile Version 3.0\n")
        save(mask, img, stem + "_skull_mask", np.uint8)


def fast(argv):
    a = Args(argv, valued={"-o", "-n", "-t", "-I", "-l", "-f", "-a", "-W", "-R", "-O",
                           "-H", "-s", "-S"})
    nchan = int(a.get("-S", 1))
    inputs = a.pos[-nchan:]
    base = a.get("-o") or image_name(inputs[-1])[: -len(_ext())]
    n = int(a.get("-n", 3))
    img = load(inputs[0])
    vol = data(inputs[0])
    edges = np.quantile(vol, np.linspace(0, 1, n + 1)[1:-1])
    seg = np.digitize(vol, edges) + 1
    save(seg, img, base + "_seg", np.uint8)
    save(seg, img, base + "_mixeltype", np.uint8)
    if not a.has("--nopve"):
        save(seg, img, base + "_pveseg", np.uint8)
        for k in range(n):
            save(seg == k + 1, img, f"{base}_pve_{k}")
    if a.has("-g"):
        for k in range(n):
            save(seg == k + 1, img, f"{base}_seg_{k}", np.uint8)
    if a.has("-p"):
        for k in range(n):
            save(seg == k + 1, img, f"{base}_prob_{k}")
    for flag, suffix in (("-B", "_restore"), ("-b", "_bias")):
        if a.has(flag):
            if nchan == 1:
                save(vol, img, base + suffix)
            else:
                for k in range(nchan):
                    save(vol, img, f"{base}{suffix}_{k + 1}")


def run_first_all(argv):
    a = Args(argv, valued={"-i", "-o", "-m", "-s", "-a"})
    src, out = need(a.get("-i"), "-i"), need(a.get("-o"), "-o")
    method = a.get("-m", "auto")
    method = method if method in ("auto", "fast", "none") else "thresh"
    method = "fast" if method == "auto" else method
    img = load(src)
    seg = (data(src) > data(src).mean()).astype(np.uint8) * 10
    save(seg, img, f"{out}_all_{method}_firstseg", np.uint8)
    save(seg[..., None], img, f"{out}_all_{method}_origsegs", np.uint8)
    for structure in (a.get("-s") or "L_Hipp,R_Hipp").split(","):
        text(f"{out}-{structure}_first.vtk", "# vtk\n")
        text(f"{out}-{structure}_first.bvars", "bvars\n")


def mcflirt(argv):
    a = Args(argv, valued={"-in", "-out", "-cost", "-bins", "-dof", "-refvol", "-scaling",
                           "-smooth", "-rotation", "-stages", "-init", "-reffile"})
    src = need(a.get("-in"), "-in")
    out = a.get("-out") or image_name(src)[: -len(_ext())] + "_mcf"
    img = load(src)
    values = data(src)
    save(values, img, out)
    stem = image_name(out)[: -len(_ext())]
    nvol = values.shape[3] if values.ndim == 4 else 1
    if a.has("-stats"):
        save(values.var(axis=-1), img, stem + "_variance")
        save(values.std(axis=-1), img, stem + "_sigma")
    if a.has("-meanvol"):
        save(values.mean(axis=-1), img, stem + "_mean_reg")
    if a.has("-plots"):
        text(stem + ".par", "0 0 0 0 0 0\n" * nvol)
    if a.has("-mats"):
        os.makedirs(stem + ".mat", exist_ok=True)
        for k in range(nvol):
            text(os.path.join(stem + ".mat", f"MAT_{k:04d}"), IDENTITY)
    if a.has("-rmsabs"):
        for kind in ("abs", "rel", "abs_mean", "rel_mean"):
            text(f"{stem}_{kind}.rms", "0\n")


def fnirt(argv):
    a = Args(argv)
    src, ref = need(a.get("--in"), "--in"), need(a.get("--ref"), "--ref")
    ref_img = load(ref)
    stem = image_name(src)[: -len(_ext())]
    field = np.zeros(ref_img.shape[:3] + (3,))
    save(field, ref_img, a.get("--cout") or stem + "_warpcoef")
    save(np.full(ref_img.shape[:3], data(src).mean()), ref_img,
         a.get("--iout") or stem + "_warped")
    for key in ("--fout", "--jout", "--refout"):
        if a.has(key):
            save(field[..., 0] if key != "--fout" else field, ref_img, a.get(key))
    if a.has("--intout"):
        text(a.get("--intout") + ".txt", "0\n")
    text(a.get("--logout") or stem + "_log.txt", "fnirt stand-in log\n")


def applywarp(argv):
    a = Args(argv)
    src, ref = need(a.get("--in"), "--in"), need(a.get("--ref"), "--ref")
    out = need(a.get("--out"), "--out")
    ref_img = load(ref)
    save(np.full(ref_img.shape[:3], data(src).mean()), ref_img, out)


def invwarp(argv):
    a = Args(argv)
    warp, ref = need(a.get("--warp"), "--warp"), need(a.get("--ref"), "--ref")
    ref_img, values = load(ref), -data(warp)
    if values.shape[:3] != ref_img.shape[:3]:  # the inverse is on --ref's grid
        values = np.broadcast_to(values.reshape(-1, values.shape[-1]).mean(axis=0),
                                 ref_img.shape[:3] + values.shape[3:])
    save(values, ref_img, need(a.get("--out"), "--out"))


def convertwarp(argv):
    a = Args(argv)
    ref_img = load(need(a.get("--ref"), "--ref"))
    save(np.zeros(ref_img.shape[:3] + (3,)), ref_img, need(a.get("--out"), "--out"))


def epi_reg(argv):
    a = Args(argv)
    epi, t1 = need(a.get("--epi"), "--epi"), need(a.get("--t1"), "--t1")
    need(a.get("--t1brain"), "--t1brain")
    out = need(a.get("--out"), "--out")
    t1_img = load(t1)
    save(np.full(t1_img.shape[:3], data(epi).mean()), t1_img, out)
    text(out + ".mat", IDENTITY)
    text(out + "_inv.mat", IDENTITY)
    save(data(t1) > data(t1).mean(), t1_img, out + "_fast_wmseg", np.uint8)
    save(data(t1) > data(t1).mean(), t1_img, out + "_fast_wmedge", np.uint8)
    if a.has("--fmap"):
        for suffix in ("_1vol", "_fieldmaprads2epi", "_fieldmaprads2str", "_fieldmap2str",
                       "_fieldmaprads2epi_shift", "_warp"):
            save(data(t1), t1_img, out + suffix)
        text(out + "_fieldmap2str.mat", IDENTITY)
        text(out + "_fieldmaprads2epi.mat", IDENTITY)


def susan(argv):
    if len(argv) < 7:
        raise Usage("Usage: susan <input> <bt> <dt> <dim> <use_median> <n_usans> "
                    "[<usan1> <bt1> [<usan2> <bt2>]] <output>")
    float(argv[1]), float(argv[2])  # the real tool rejects non-numbers
    copy_image(argv[0], argv[-1])


def slicetimer(argv):
    a = Args(argv)
    src = need(a.get("--in"), "--in")
    copy_image(src, a.get("--out") or image_name(src)[: -len(_ext())] + "_st")


def fugue(argv):
    a = Args(argv)
    like = next((a.get(k) for k in ("--in", "--loadfmap", "--phasemap", "--loadshift")
                 if a.has(k)), None)
    need(like, "an input image")
    for key in ("--unwarp", "--warp", "--saveshift", "--savefmap"):
        if a.has(key):
            copy_image(like, a.get(key))


def prelude(argv):
    a = Args(argv)
    phase = a.get("--phase") or need(a.get("--complex"), "--phase or --complex")
    copy_image(phase, need(a.get("--unwrap"), "--unwrap"))
    for key in ("--savemask", "--rawphase", "--labels"):
        if a.has(key):
            copy_image(phase, a.get(key))


_MATHS_BINARY = {"-add": np.add, "-sub": np.subtract, "-mul": np.multiply,
                 "-div": np.divide, "-rem": np.remainder, "-max": np.maximum, "-min": np.minimum}
_MATHS_UNARY = {"-abs": np.abs, "-sqrt": np.sqrt, "-sqr": np.square, "-exp": np.exp,
                "-bin": lambda v: (v != 0).astype(float), "-binv": lambda v: (v == 0) * 1.0,
                "-recip": lambda v: 1 / v, "-nan": np.nan_to_num}
_MATHS_UNARY.update({
    "-log": np.log, "-sin": np.sin, "-cos": np.cos, "-tan": np.tan, "-asin": np.arcsin,
    "-acos": np.arccos, "-atan": np.arctan, "-nanm": lambda v: np.isnan(v) * 1.0,
    "-rand": lambda v: v + np.random.default_rng(0).random(v.shape),
    "-randn": lambda v: v + np.random.default_rng(0).standard_normal(v.shape),
    "-range": lambda v: v, "-edge": lambda v: v, "-fillh": lambda v: v,
    "-fillh26": lambda v: v, "-index": lambda v: np.cumsum(v != 0).reshape(v.shape) * (v != 0),
    # dilation, erosion and kernel filters: the data are kept (shape checks only)
    "-dilM": lambda v: v, "-dilD": lambda v: v, "-dilF": lambda v: v, "-dilall": lambda v: v,
    "-ero": lambda v: v, "-eroF": lambda v: v, "-fmean": lambda v: v, "-fmedian": lambda v: v,
    "-fmeanu": lambda v: v,
})
_MATHS_T = {"-Tmean": np.mean, "-Tstd": np.std, "-Tmax": np.max, "-Tmin": np.min,
            "-Tmedian": np.median, "-Tmaxn": np.argmax,
            "-Tar1": lambda v, axis: np.zeros(v.shape[:3])}
# -Xmean, -Ymin...: along that axis, kept as a singleton dimension (as FSL)
_MATHS_AXES = {f"-{a}{op}": (i, fn) for i, a in enumerate("XYZ")
               for op, fn in (("mean", np.mean), ("std", np.std), ("max", np.max),
                              ("min", np.min), ("median", np.median), ("maxn", np.argmax))}
_MATHS_THRESHOLDS = ("-thrp", "-thrP", "-uthrp", "-uthrP")


def fslmaths(argv):
    args = list(argv)
    odt = None
    if "-odt" in args:
        i = args.index("-odt")
        odt = args[i + 1]
        del args[i:i + 2]
    if args and args[0] == "-dt":
        args = args[2:]
    if len(args) < 2:
        raise Usage("Usage: fslmaths [-dt <datatype>] <first_input> [operations] <output>")
    img = load(args[0])
    current = data(args[0])
    ops, out = args[1:-1], args[-1]
    i = 0
    while i < len(ops):
        op = ops[i]
        if op in _MATHS_BINARY or op in ("-mas", "-thr", "-uthr"):
            operand = ops[i + 1]
            value = float(operand) if _is_number(operand) else data(operand)
            if op == "-mas":
                current = current * (value > 0)
            elif op == "-thr":
                current = np.where(current < value, 0, current)
            elif op == "-uthr":
                current = np.where(current > value, 0, current)
            else:
                current = _MATHS_BINARY[op](current, value)
            i += 2
        elif op in _MATHS_UNARY:
            current = _MATHS_UNARY[op](current)
            i += 1
        elif op in _MATHS_T:
            current = _MATHS_T[op](current, axis=-1) if current.ndim == 4 else current
            i += 1
        elif op in _MATHS_AXES:
            axis, fn = _MATHS_AXES[op]
            current = np.expand_dims(fn(current, axis=axis), axis)
            i += 1
        elif op == "-Tperc":
            perc = float(ops[i + 1])
            current = np.percentile(current, perc, axis=-1) if current.ndim == 4 else current
            i += 2
        elif op in _MATHS_THRESHOLDS:  # a percentage of the (robust) range
            nonzero = current[current != 0] if op.endswith("P") else current
            value = np.percentile(nonzero, float(ops[i + 1]))
            current = np.where(current > value if op.startswith("-u") else current < value,
                               0, current)
            i += 2
        elif op == "-bptf":  # two sigmas; the data are kept
            float(ops[i + 1]), float(ops[i + 2])
            i += 3
        elif op in ("-s", "-kernel"):  # arguments skipped, data kept
            if op == "-kernel" and ops[i + 1] == "file":
                find_image(ops[i + 2])
            i += 3 if op == "-kernel" and ops[i + 1] not in ("3D", "2D") else 2
        else:
            raise Usage(f"fslmaths stand-in: operation {op} is not implemented")
    dtype = {"char": np.uint8, "short": np.int16, "int": np.int32, "double": np.float64}.get(
        odt, np.float32)
    save(current, img, out, dtype)


def fslstats(argv):
    args = list(argv)
    split = args[:1] == ["-t"]
    if split:
        args = args[1:]
    index = None
    if args[:1] == ["-K"]:
        index = np.rint(data(args[1])).astype(int)
        args = args[2:]
    values = data(args[0])
    ops = args[1:]
    vols = [values[..., k] for k in range(values.shape[3])] if (
        split and values.ndim == 4) else [values]
    lines = []
    for vol in vols:
        masks = [np.ones(vol.shape, bool)] if index is None else [
            index == k for k in range(1, index.max() + 1)]
        for region in masks:
            lines.append(" ".join(_stats(vol, region, ops)))
    print("\n".join(line + " " for line in lines))


def _stats(vol, region, ops):
    out, i, lower = [], 0, None
    while i < len(ops):
        op = ops[i]
        sel = vol[region]
        if lower is not None:
            sel = sel[sel > lower]
        nonzero = sel[sel != 0]
        if op == "-k":
            region = region & (data(ops[i + 1]) > 0)
            i += 2
            continue
        if op == "-l":
            lower = float(ops[i + 1])
            i += 2
            continue
        if op == "-m":
            out.append(f"{sel.mean():.6f}")
        elif op == "-M":
            out.append(f"{nonzero.mean() if nonzero.size else 0:.6f}")
        elif op == "-s":
            out.append(f"{sel.std(ddof=1):.6f}")
        elif op == "-S":
            out.append(f"{nonzero.std(ddof=1) if nonzero.size > 1 else 0:.6f}")
        elif op == "-R":
            out += [f"{sel.min():.6f}", f"{sel.max():.6f}"]
        elif op == "-V":
            out += [str(nonzero.size), f"{nonzero.size:.6f}"]
        elif op == "-v":
            out += [str(sel.size), f"{sel.size:.6f}"]
        elif op == "-P":
            out.append(f"{np.percentile(nonzero, float(ops[i + 1])):.6f}")
            i += 1
        else:
            raise Usage(f"fslstats stand-in: option {op} is not implemented")
        i += 1
    return out


def fslroi(argv):
    if len(argv) not in (4, 8, 10):
        raise Usage("Usage: fslroi <input> <output> <tmin> <tsize> | <xmin> <xsize> ...")
    img = load(argv[0])
    values = np.asanyarray(img.dataobj)
    nums = [int(v) for v in argv[2:]]
    slices = [slice(None)] * values.ndim
    if len(nums) == 2:  # tmin tsize
        pairs = [(3, (nums[0], nums[1]))]
    else:
        pairs = list(enumerate(zip(nums[::2], nums[1::2])))
    for axis, (start, size) in pairs:
        if axis < values.ndim:
            slices[axis] = slice(start, None if size < 0 else start + size)
    save(values[tuple(slices)], img, argv[1], values.dtype)


def fslmerge(argv):
    if len(argv) < 3:
        raise Usage("Usage: fslmerge <-x/y/z/t/a/tr> <output> <file1 file2 ...> [tr]")
    axis = {"-x": 0, "-y": 1, "-z": 2, "-t": 3, "-a": 3, "-tr": 3}[argv[0]]
    files = argv[2:-1] if argv[0] == "-tr" else argv[2:]
    arrays = [data(f) for f in files]
    arrays = [a[..., None] if a.ndim == 3 and axis == 3 else a for a in arrays]
    save(np.concatenate(arrays, axis=axis), load(files[0]), argv[1])


def fslsplit(argv):
    src = argv[0]
    base = argv[1] if len(argv) > 1 and not argv[1].startswith("-") else "vol"
    axis = {"-x": 0, "-y": 1, "-z": 2, "-t": 3}[argv[-1] if argv[-1].startswith("-") else "-t"]
    img = load(src)
    values = data(src)
    for k in range(values.shape[axis] if axis < values.ndim else 1):
        save(np.take(values, [k], axis=axis), img, f"{base}{k:04d}")


def fslreorient2std(argv):
    if len(argv) == 1:
        print(IDENTITY, end="")
        return
    copy_image(argv[0], argv[1])


def robustfov(argv):
    a = Args(argv, valued={"-i", "-r", "-m", "-b"})
    src = need(a.get("-i"), "-i")
    copy_image(src, a.get("-r") or "robustfov_roi")
    if a.has("-m"):
        text(a.get("-m"), IDENTITY)


def fslorient(argv):
    if len(argv) < 2:
        raise Usage("Usage: fslorient <main option> <filename>")
    option, path = argv[0], find_image(argv[-1])
    img = nib.load(path)
    if option == "-getorient":
        print("RADIOLOGICAL" if np.linalg.det(img.affine[:3, :3]) < 0 else "NEUROLOGICAL")
    elif option in ("-getsform", "-getqform"):
        matrix = img.get_sform() if option == "-getsform" else img.get_qform()
        print(" ".join(f"{v:g}" for v in matrix.ravel()) + " ")
    elif option in ("-getsformcode", "-getqformcode"):
        print(int(img.header["sform_code" if "sform" in option else "qform_code"]))
    elif option in ("-setsformcode", "-setqformcode", "-deleteorient", "-setsform",
                    "-copysform2qform", "-copyqform2sform", "-swaporient",
                    "-forceradiological", "-forceneurological", "-setqform"):
        # Edits the file in place, as FSL's fslorient does.
        header = img.header.copy()
        if option == "-setsformcode":
            header["sform_code"] = int(argv[1])
        elif option == "-setqformcode":
            header["qform_code"] = int(argv[1])
        elif option == "-deleteorient":
            header["sform_code"] = header["qform_code"] = 0
        elif option == "-setsform":
            header.set_sform(np.array([float(v) for v in argv[1:17]]).reshape(4, 4))
        values = np.array(img.dataobj)  # read before the file is overwritten (no memmap)
        nib.save(type(img)(values, None, header), path)
    else:
        raise Usage(f"fslorient stand-in: option {option} is not implemented")


def fslswapdim(argv):
    if len(argv) != 5:
        raise Usage("Usage: fslswapdim <input> <a> <b> <c> [output]")
    img = load(argv[0])
    values = data(argv[0])
    for axis, spec in enumerate(argv[1:4]):
        if spec.startswith("-"):
            values = np.flip(values, axis)
    save(values, img, argv[4])


def fslcpgeom(argv):
    files = [a for a in argv if a != "-d"]
    if len(files) != 2:
        raise Usage("Usage: fslcpgeom <source> <destination> [-d]")
    src = load(files[0])
    dest_path = find_image(files[1])
    dest = nib.load(dest_path)
    # Edits the destination in place, as FSL's fslcpgeom does.
    values = np.array(dest.dataobj)  # read before the file is overwritten (no memmap)
    nib.save(type(dest)(values, src.affine, dest.header), dest_path)


def cluster(argv):
    a = Args(argv)
    src = need(a.get("--in"), "--in")
    threshold = float(need(a.get("--thresh"), "--thresh"))
    img = load(src)
    values = data(src)
    above = values > threshold
    for key in ("--oindex", "--othresh", "--olmaxim", "--osize", "--omax", "--omean",
                "--opvals"):
        if a.has(key):
            save(above * values if key == "--othresh" else above, img, a.get(key))
    if a.has("--olmax"):
        text(a.get("--olmax"), "Cluster Index\tValue\tx\ty\tz\t\n")
    if not a.has("--no_table"):
        peak = np.unravel_index(np.argmax(values), values.shape)
        print("Cluster Index\tVoxels\tMAX\tMAX X (vox)\tMAX Y (vox)\tMAX Z (vox)")
        if above.any():
            print(f"1\t{int(above.sum())}\t{values.max():g}\t{peak[0]}\t{peak[1]}\t{peak[2]}")


def topup(argv):
    a = Args(argv)
    src = need(a.get("--imain"), "--imain")
    need(a.get("--datain"), "--datain")
    out = need(a.get("--out"), "--out")
    img = load(src)
    values = data(src)
    nvol = values.shape[3] if values.ndim == 4 else 1
    save(np.zeros(img.shape[:3]), img, out + "_fieldcoef")
    text(out + "_movpar.txt", "0 0 0 0 0 0\n" * nvol)
    if a.has("--fout"):
        save(np.zeros(img.shape[:3]), img, a.get("--fout"))
    if a.has("--iout"):
        save(values, img, a.get("--iout"))
    if a.has("--logout"):
        text(a.get("--logout"), "topup stand-in\n")
    for key in ("--dfout", "--jacout"):
        if a.has(key):
            for k in range(nvol):
                save(np.zeros(img.shape[:3]), img, f"{a.get(key)}_{k + 1:02d}")
    if a.has("--rbmout"):
        for k in range(nvol):
            text(f"{a.get('--rbmout')}_{k + 1:02d}.mat", IDENTITY)


def applytopup(argv):
    a = Args(argv)
    files = need(a.get("--imain"), "--imain").split(",")
    topup_base = need(a.get("--topup"), "--topup")
    if not os.path.exists(topup_base + "_movpar.txt"):
        raise Usage(f"cannot read {topup_base}_movpar.txt")
    copy_image(files[0], need(a.get("--out"), "--out"))


def eddy(argv):
    a = Args(argv)
    for key in ("--imain", "--mask", "--index", "--acqp", "--bvecs", "--bvals", "--out"):
        need(a.get(key), key)
    src, out = a.get("--imain"), a.get("--out")
    copy_image(src, out)
    with open(a.get("--bvecs")) as fh:
        bvecs = fh.read()
    text(out + ".eddy_rotated_bvecs", bvecs)
    for suffix in ("eddy_parameters", "eddy_movement_rms", "eddy_restricted_movement_rms",
                   "eddy_post_eddy_shell_alignment_parameters",
                   "eddy_post_eddy_shell_PE_translation_parameters"):
        text(f"{out}.{suffix}", "0\n")
    if a.has("--repol"):
        for suffix in ("eddy_outlier_map", "eddy_outlier_n_stdev_map",
                       "eddy_outlier_n_sqr_stdev_map", "eddy_outlier_report"):
            text(f"{out}.{suffix}", "0\n")
        copy_image(src, out + ".eddy_outlier_free_data")
    if a.has("--cnr_maps"):
        copy_image(src, out + ".eddy_cnr_maps")
    if a.has("--residuals"):
        copy_image(src, out + ".eddy_residuals")


def dtifit(argv):
    a = Args(argv, valued={"-k", "-o", "-m", "-r", "-b", "-x", "-X", "-y", "-Y", "-z", "-Z"})
    dwi = need(a.get("-k"), "-k")
    base = need(a.get("-o"), "-o")
    for key in ("-m", "-r", "-b"):
        need(a.get(key), key)
    img = load(dwi)
    shape = img.shape[:3]
    for name in ("V1", "V2", "V3"):
        save(np.zeros(shape + (3,)), img, f"{base}_{name}")
    for name in ("L1", "L2", "L3", "MD", "FA", "MO", "S0"):
        save(np.zeros(shape), img, f"{base}_{name}")
    if a.has("--save_tensor"):
        save(np.zeros(shape + (6,)), img, f"{base}_tensor")
    if a.has("--sse"):
        save(np.zeros(shape), img, f"{base}_sse")


def melodic(argv):
    a = Args(argv, valued={"-i", "-o", "-m", "-d", "-n", "-a", "-f"})
    files = need(a.get("-i"), "-i").split(",")
    out = need(a.get("-o"), "-o")
    os.makedirs(out, exist_ok=True)
    img = load(files[0])
    n = int(a.get("-n", 2))
    save(np.zeros(img.shape[:3] + (n,)), img, os.path.join(out, "melodic_IC"))
    nvol = img.shape[3] if len(img.shape) == 4 else 1
    np.savetxt(os.path.join(out, "melodic_mix"), np.zeros((nvol, n)))
    if a.has("--report"):
        os.makedirs(os.path.join(out, "report"), exist_ok=True)


# -- time series, statistics, pictures ----------------------------------------


def fslmeants(argv):
    a = Args(argv, valued={"-i", "-o", "-m", "-c"})
    src = need(a.get("-i"), "-i")
    values = data(src)
    series = values.reshape(-1, values.shape[3]) if values.ndim == 4 else values.reshape(-1, 1)
    if a.has("-m"):
        mask = data(a.get("-m")).reshape(-1) > 0
        series = series[mask]
    mean = series.mean(axis=0)
    lines = [f"{v:.6f} " for v in mean]
    if a.has("--transpose"):
        lines = [" ".join(f"{v:.6f}" for v in mean) + " "]
    content = "\n".join(lines) + "\n"
    if a.has("-o"):
        text(a.get("-o"), content)
    else:
        print(content, end="")


def smoothest(argv):
    a = Args(argv)
    mask = data(need(a.get("--mask"), "--mask"))
    if not (a.has("--zstat") or (a.has("--res") and a.has("--dof"))):
        raise Usage("smoothest needs --zstat, or --res with --dof")
    volume = int((mask > 0).sum())
    print(f"DLH 0.123456\nVOLUME {volume}\nRESELS 8.5\nFWHMvoxel 2.1 2.2 2.3\n"
          f"FWHMmm 4.2 4.4 4.6")


def avscale(argv):
    args = [x for x in argv if x != "--allparams"]
    if not args:
        raise Usage("Usage: avscale [--allparams] matrix_file [non-reference-volume]")
    matrix = np.loadtxt(args[0])
    rows = lambda m: "\n".join(" ".join(f"{v:.6f}" for v in row) + " " for row in m)  # noqa: E731
    scales = np.linalg.norm(matrix[:3, :3], axis=0)
    out = ["Rotation & Translation Matrix:", rows(matrix), ""]
    if "--allparams" in argv:
        out += ["Rotation Angles (x,y,z) [rads] = 0.000000 0.000000 0.000000 ",
                "", "Translations (x,y,z) [mm] = "
                + " ".join(f"{v:.6f}" for v in matrix[:3, 3]) + " ", ""]
    out += ["Scales (x,y,z) = " + " ".join(f"{v:.6f}" for v in scales) + " ",
            "Skews (xy,xz,yz) = 0.000000 0.000000 0.000000 ",
            f"Average scaling = {scales.mean():g} ", "",
            f"Determinant = {np.linalg.det(matrix[:3, :3]):g} ",
            "Left-Right orientation: "
            + ("preserved" if np.linalg.det(matrix[:3, :3]) > 0 else "swapped") + " ", "",
            "Forward half transform =", rows(np.eye(4)),
            "Backward half transform =", rows(np.eye(4)), ""]
    print("\n".join(out))


def fsl_motion_outliers(argv):
    a = Args(argv, valued={"-i", "-o", "-s", "-p", "-m"})
    src, out = need(a.get("-i"), "-i"), need(a.get("-o"), "-o")
    values = data(src)
    nvol = values.shape[3] if values.ndim == 4 else 1
    metric = [float(np.abs(values[..., k] - values[..., 0]).mean()) if values.ndim == 4
              else 0.0 for k in range(nvol)]
    np.savetxt(out, np.zeros((nvol, 1)), fmt="%d")
    if a.has("-s"):
        np.savetxt(a.get("-s"), np.array(metric), fmt="%.6f")
    if a.has("-p"):
        with open(a.get("-p"), "wb") as fh:
            fh.write(b"\x89PNG\r\n\x1a\n")  # a PNG signature: a picture, for the tests


def fsl_regfilt(argv):
    a = Args(argv, valued={"-i", "-o", "-d", "-f", "-m"})
    src, out = need(a.get("-i"), "-i"), need(a.get("-o"), "-o")
    design = np.loadtxt(need(a.get("-d"), "-d"), ndmin=2)
    columns = [int(c) for c in need(a.get("-f"), "-f").split(",")]
    if max(columns) > design.shape[1] or min(columns) < 1:
        raise Usage(f"column out of range of the design ({design.shape[1]} columns)")
    copy_image(src, out)
    if a.has("--out_vnscales"):
        text(image_name(out)[: -len(_ext())] + "_vnscales", "1\n")


def _png(path):
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")


def slicer(argv):
    if len(argv) < 2:
        raise Usage("Usage: slicer <input> [input2] [main options] [output options]")
    load(argv[0])
    if not argv[-1].endswith(".png"):
        raise Usage("slicer stand-in: the last argument must be the .png picture")
    _png(argv[-1])


def overlay(argv):
    if len(argv) < 8:
        raise Usage("Usage: overlay <colour_type> <output_type> [-c] <background_image> "
                    "<bg_min> <bg_max> <stat_image_1> <s1_min> <s1_max> ... <output_image>")
    positional = [x for x in argv if x != "-c"]
    background = load(positional[2])
    save(np.stack([data(positional[2])] * 3, axis=-1)[..., :3], background, argv[-1])


# -- statistics and more utilities ---------------------------------------------


def randomise(argv):
    a = Args(argv, valued={"-i", "-o", "-d", "-t", "-f", "-m", "-e", "-n", "-v", "-c", "-C",
                           "-F", "-S"})
    src, base = need(a.get("-i"), "-i"), need(a.get("-o"), "-o")
    img = load(src)
    values = data(src)
    vol = values.mean(axis=-1) if values.ndim == 4 else values
    ncon = 1
    if a.has("-t"):
        ncon = len([line for line in open(a.get("-t")) if line.strip()
                    and not line.startswith("/")]) or 1
    for k in range(1, ncon + 1):
        save(vol, img, f"{base}_tstat{k}")
        for prefix, flag in (("tfce", "-T"), ("tfce", "--T2"), ("vox", "-x"),
                             ("clustere", "-c"), ("clusterm", "-C")):
            if a.has(flag):
                save(np.zeros(vol.shape), img, f"{base}_{prefix}_p_tstat{k}")
                save(np.zeros(vol.shape), img, f"{base}_{prefix}_corrp_tstat{k}")
                break


def fsl_glm(argv):
    a = Args(argv, valued={"-i", "-d", "-o", "-c", "-m"})
    src = need(a.get("-i"), "-i")
    design = np.loadtxt(need(a.get("-d"), "-d"), ndmin=2)
    img = load(src)
    values = data(src)
    if values.ndim != 4 or values.shape[3] != design.shape[0]:
        raise Usage(f"design has {design.shape[0]} rows for {values.shape[-1]} volumes")
    save(np.zeros(values.shape[:3] + (design.shape[1],)), img, need(a.get("-o"), "-o"))
    for key in ("--out_cope", "--out_z", "--out_t", "--out_p", "--out_f", "--out_pf",
                "--out_res", "--out_varcb", "--out_sigsq", "--out_data", "--out_vnscales"):
        if a.has(key):
            save(np.zeros(values.shape[:3]), img, a.get(key))


def fslslice(argv):
    img = load(argv[0])
    values = data(argv[0])
    base = argv[1] if len(argv) > 1 else image_name(argv[0])[: -len(_ext())]
    for k in range(values.shape[2]):
        save(values[:, :, k:k + 1], img, f"{base}_slice_{k:04d}")


def fslpspec(argv):
    copy_image(argv[0], argv[1])


def distancemap(argv):
    a = Args(argv)
    src = need(a.get("--in"), "--in")
    copy_image(src, need(a.get("--out"), "--out"))
    if a.has("--localmax"):
        copy_image(src, a.get("--localmax"))


def find_the_biggest(argv):
    if len(argv) < 3:
        raise Usage("Usage: find_the_biggest <lots of volumes> <output volume>")
    stack = np.stack([data(f) for f in argv[:-1]], axis=-1)
    save(stack.argmax(axis=-1) + 1, load(argv[0]), argv[-1], np.int16)


def sigloss(argv):
    a = Args(argv, valued={"-i", "-s", "-m", "-d"})
    copy_image(need(a.get("-i"), "-i"), need(a.get("-s"), "-s"))


def Text2Vest(argv):
    values = np.loadtxt(argv[0], ndmin=2)
    text(argv[1], f"/NumWaves {values.shape[1]}\n/NumPoints {values.shape[0]}\n/Matrix\n"
         + "".join(" ".join(f"{v:g}" for v in row) + "\n" for row in values))


def Vest2Text(argv):
    rows = [line for line in open(argv[0]) if line.strip() and not line.startswith("/")]
    text(argv[1], "".join(rows))


def eddy_correct(argv):
    if len(argv) < 3:
        raise Usage("Usage: eddy_correct <4dinput> <4doutput> <reference_no> [<interp>]")
    int(argv[2])
    copy_image(argv[0], argv[1])
    text(image_name(argv[1])[: -len(_ext())] + ".ecclog", "processing vol0000\n")


# -- tractography: bedpostx, xfibres, probtrackx (issue 13) --
def _gradients(bvecs, bvals, nvol):
    """b vectors (3, N) and b values (N) as xfibres reads them, checked
    against the data's volumes."""
    vecs = np.loadtxt(bvecs, ndmin=2)
    vals = np.loadtxt(bvals, ndmin=1).ravel()
    if vecs.shape[0] != 3 and vecs.shape[1] == 3:
        vecs = vecs.T
    if vecs.shape != (3, nvol) or vals.size != nvol:
        raise Usage(f"bvecs ({vecs.shape}) and bvals ({vals.size}) do not match the "
                    f"{nvol} volumes of the data")
    return vecs, vals


def _fit_fibres(data_path, mask_path, bvecs, bvals, nfibres):
    """A crude fit, enough to chain: the first fibre points along the
    gradient of lowest signal (diffusion is fastest along a fibre), the
    others perpendicular to it with smaller fractions.  Returns the image,
    the mask, theta, phi and f (each (nfibres,) + shape), d and S0."""
    img = load(data_path)
    values = data(data_path)
    if values.ndim != 4:
        raise Usage(f"{data_path} is not 4D")
    mask = data(mask_path) > 0
    if mask.shape != values.shape[:3]:
        raise Usage(f"{mask_path} is not in the space of {data_path}")
    vecs, vals = _gradients(bvecs, bvals, values.shape[3])
    b0 = vals < 50
    if not b0.any() or b0.all():
        raise Usage("the data need b=0 and diffusion-weighted volumes")
    s0 = values[..., b0].mean(axis=-1)
    weighted = values[..., ~b0]
    lowest = vecs[:, ~b0][:, np.argmin(weighted, axis=-1)]  # (3,) + shape
    lowest = lowest / np.maximum(np.linalg.norm(lowest, axis=0), 1e-12)
    lowest = lowest * np.where(lowest[2] < 0, -1, 1)  # the upper hemisphere
    ratio = np.clip(weighted.min(axis=-1) / np.maximum(s0, 1e-12), 1e-6, 1)
    d = -np.log(ratio) / vals[~b0].mean()
    f1 = np.clip(1 - weighted.min(axis=-1) / np.maximum(weighted.max(axis=-1), 1e-12), 0, 1)
    th = np.zeros((nfibres,) + mask.shape)
    ph = np.zeros_like(th)
    f = np.zeros_like(th)
    th[0], ph[0], f[0] = np.arccos(np.clip(lowest[2], -1, 1)), np.arctan2(lowest[1],
                                                                          lowest[0]), f1
    for k in range(1, nfibres):
        th[k], ph[k], f[k] = th[0] + np.pi / 2, ph[0] + k * np.pi / (2 * nfibres), f1 / (k + 2)
    return img, mask, th * mask, ph * mask, f * mask, d * mask, s0 * mask


def _dyads(th, ph):
    return np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=-1)


def _fsl_x_samples(a, njumps_key, every_key, default_every=1):
    njumps = int(a.get(njumps_key, 5000))
    every = max(int(a.get(every_key, default_every)), 1)
    return max(njumps // every, 1)


def xfibres(argv):
    a = Args(argv)
    for key in ("--data", "--mask", "--bvecs", "--bvals"):
        need(a.get(key), key)
    if a.has("--f0") and a.has("--allard") and a.has("--ardf0"):
        raise Usage("--ardf0 and --allard are exclusive")
    nfibres = int(a.get("--nfibres", 1))
    nsamples = _fsl_x_samples(a, "--njumps", "--sampleevery")
    img, mask, th, ph, f, d, s0 = _fit_fibres(a.get("--data"), a.get("--mask"),
                                              a.get("--bvecs"), a.get("--bvals"), nfibres)
    out = a.get("--logdir", "logdir")
    if a.has("--forcedir"):
        os.makedirs(out, exist_ok=True)
    else:
        out = _log_dir(out)
    for k in range(nfibres):
        n = k + 1
        for name, values in ((f"th{n}samples", th[k]), (f"ph{n}samples", ph[k]),
                             (f"f{n}samples", f[k])):
            save(np.repeat(values[..., None], nsamples, axis=-1), img, os.path.join(out, name))
        save(f[k], img, os.path.join(out, f"mean_f{n}samples"))
        save(_dyads(th[k], ph[k]) * mask[..., None], img, os.path.join(out, f"dyads{n}"))
    save(d, img, os.path.join(out, "mean_dsamples"))
    save(s0, img, os.path.join(out, "mean_S0samples"))
    if a.has("--f0"):
        save(np.zeros(mask.shape), img, os.path.join(out, "mean_f0samples"))
    if a.has("--rician"):
        save(np.ones(mask.shape), img, os.path.join(out, "mean_tausamples"))
    if a.get("--model") == "2":
        save(np.zeros(mask.shape), img, os.path.join(out, "mean_d_stdsamples"))


def bedpostx(argv):
    # FSL's bedpostx script: a subject folder of fixed names; -n -w -b -j -s
    # -model -g are its own, other options are handed to xfibres.
    if not argv or argv[0].startswith("-"):
        raise Usage("Usage: bedpostx <subject_directory> [options]")
    subject = argv[0].rstrip("/")
    a = Args(argv[1:], valued={"-n", "-w", "-b", "-j", "-s", "-model", "-NJOBS"})
    for name in ("data", "nodif_brain_mask"):
        find_image(os.path.join(subject, name))
    for name in ("bvecs", "bvals"):
        if not os.path.isfile(os.path.join(subject, name)):
            raise Usage(f"{subject}/{name} not found")
    if a.has("-g"):
        find_image(os.path.join(subject, "grad_dev"))
    results = subject + ".bedpostX"
    if os.path.exists(os.path.join(results, "xfms", "eye.mat")):
        raise Usage(f"{subject} has already been processed: {results}. Delete or rename "
                    f"{results} before repeating the process.")
    nfibres = int(a.get("-n", 3))
    nsamples = _fsl_x_samples(a, "-j", "-s", default_every=25)
    img, mask, th, ph, f, d, s0 = _fit_fibres(
        os.path.join(subject, "data"), os.path.join(subject, "nodif_brain_mask"),
        os.path.join(subject, "bvecs"), os.path.join(subject, "bvals"), nfibres)
    for folder in ("diff_slices", "logs", "xfms"):
        os.makedirs(os.path.join(results, folder), exist_ok=True)
    text(os.path.join(results, "xfms", "eye.mat"), IDENTITY)
    text(os.path.join(results, "commands.txt"), "xfibres (stand-in)\n")
    for name in ("bvecs", "bvals"):
        with open(os.path.join(subject, name)) as fh:
            text(os.path.join(results, name), fh.read())
    save(mask, img, os.path.join(results, "nodif_brain_mask"), np.uint8)
    for k in range(nfibres):
        n = k + 1
        for name, values in ((f"th{n}", th[k]), (f"ph{n}", ph[k]), (f"f{n}", f[k])):
            save(np.repeat(values[..., None], nsamples, axis=-1), img,
                 os.path.join(results, f"merged_{name}samples"))
            save(values, img, os.path.join(results, f"mean_{name}samples"))
        save(_dyads(th[k], ph[k]) * mask[..., None], img, os.path.join(results, f"dyads{n}"))
        save(np.zeros(mask.shape), img, os.path.join(results, f"dyads{n}_dispersion"))
    save(f.sum(axis=0), img, os.path.join(results, "mean_fsumsamples"))
    save(d, img, os.path.join(results, "mean_dsamples"))
    save(s0, img, os.path.join(results, "mean_S0samples"))
    if a.has("--f0"):
        save(np.zeros(mask.shape), img, os.path.join(results, "mean_f0samples"))


bedpostx_gpu = bedpostx


def _list_or_image(path):
    """probtrackx's rule for --seed, --waypoints, --targetmasks: an image, or
    a text file naming images, one a line."""
    if path.endswith(_ALL_EXTS) or not os.path.isfile(path):
        return [find_image(path)]
    with open(path) as fh:
        names = [line.strip() for line in fh if line.strip()]
    return [find_image(name) for name in names]


def _voxels(path):
    """A text file of voxel coordinates, one ``x y z`` a line (simple mode)."""
    with open(path) as fh:
        rows = [line.split() for line in fh if line.strip()]
    if not rows or any(len(r) != 3 or not all(_is_number(v) for v in r) for r in rows):
        raise Usage(f"{path} is not a list of voxel coordinates")
    return [tuple(int(float(v)) for v in r) for r in rows]


def _track(start, dyads, mask, step, nsteps):
    """The voxels a streamline from ``start`` visits, both ways along the
    first fibre's mean direction, until it leaves the mask."""
    visited = [tuple(start)]
    for sign in (1.0, -1.0):
        pos = np.asarray(start, dtype=float)
        previous = None
        for _ in range(nsteps):
            voxel = tuple(int(round(v)) for v in pos)
            direction = dyads[voxel]
            if not direction.any():
                break
            if previous is None:
                direction = direction * sign
            elif direction @ previous < 0:
                direction = -direction
            previous = direction
            pos = pos + step * direction
            voxel = tuple(int(round(v)) for v in pos)
            if not all(0 <= v < n for v, n in zip(voxel, mask.shape)) or not mask[voxel]:
                break
            if voxel != visited[-1]:
                visited.append(voxel)
    return list(dict.fromkeys(visited))  # a voxel counts once per streamline


def _probtrack(argv, version):
    a = Args(argv, valued={"-m", "-s", "-x", "-o", "-l"})
    base = need(a.get("--samples") or a.get("-s"), "--samples")
    mask_path = need(a.get("-m"), "-m")
    seed = need(a.get("--seed") or a.get("-x"), "--seed")
    fibres = []
    while True:
        n = len(fibres) + 1
        try:
            fibres.append([find_image(f"{base}_{k}{n}samples") for k in ("th", "ph", "f")])
        except Usage:
            break
    if not fibres:
        raise Usage(f"no samples {base}_th1samples found")
    mask_img = load(mask_path)
    mask = data(mask_path) > 0
    th, ph = data(fibres[0][0]), data(fibres[0][1])
    if th.shape[:3] != mask.shape:
        raise Usage(f"the samples are not in the space of {mask_path}")
    dyads = _dyads(th.mean(axis=-1), ph.mean(axis=-1))
    simple = a.get("--mode") == "simple" if version == 1 else a.has("--simple")
    if version == 1 and a.get("--mode") not in (None, "simple", "seedmask", "two_mask_symm"):
        raise Usage(f"unknown --mode {a.get('--mode')}")
    if simple:
        seeds = {"_".join(map(str, v)) if version == 1 else "": [v] for v in _voxels(seed)}
    else:
        union = np.zeros(mask.shape, bool)
        for path in _list_or_image(seed):
            union |= data(path) > 0
        seeds = {"": [tuple(v) for v in np.argwhere(union)]}
    nsamples = int(a.get("--nsamples", 5000))
    step = float(a.get("--steplength", 0.5)) / float(np.mean(mask_img.header.get_zooms()[:3]))
    avoid = data(a.get("--avoid")) > 0 if a.has("--avoid") else None
    ways = [data(p) > 0 for p in _list_or_image(a.get("--waypoints"))] if a.has(
        "--waypoints") else []
    targets = _list_or_image(a.get("--targetmasks")) if a.has("--targetmasks") else []
    out = a.get("--dir", "logdir")
    if a.has("--forcedir"):
        os.makedirs(out, exist_ok=True)
    else:
        out = _log_dir(out)
    text(os.path.join(out, "probtrackx.log"), " ".join(["probtrackx"] + argv) + "\n")
    kept, per_target, paths = 0, {t: np.zeros(mask.shape) for t in targets}, []
    for label, voxels in seeds.items():
        counts = np.zeros(mask.shape)
        for voxel in voxels:
            path = _track(voxel, dyads, mask, step, int(a.get("--nsteps", 2000)))
            if avoid is not None and any(avoid[v] for v in path):
                continue
            if not all(any(w[v] for v in path) for w in ways):
                continue
            kept += nsamples
            paths.append(path)
            for v in path:
                counts[v] += nsamples
            for t in targets:
                if any(data(t)[v] > 0 for v in path):
                    per_target[t][voxel] += nsamples
        if a.has("--opd"):
            save(counts, mask_img, os.path.join(out, f"fdt_paths_{label}" if label
                                                else "fdt_paths"))
    text(os.path.join(out, "waytotal"), f"{kept}\n")
    if a.has("--os2t") and targets:
        if a.has("--s2tastext"):
            seed_voxels = [v for vs in seeds.values() for v in vs]
            np.savetxt(os.path.join(out, "matrix_seeds_to_all_targets"),
                       [[per_target[t][v] for t in targets] for v in seed_voxels], fmt="%g")
        else:
            for t in targets:
                name = os.path.basename(t)
                for ext in _ALL_EXTS:
                    name = name[: -len(ext)] if name.endswith(ext) else name
                save(per_target[t], mask_img, os.path.join(out, f"seeds_to_{name}"))
    if a.get("--verbose") == "2":
        for i in range(nsamples):
            text(os.path.join(out, f"particle{i}"),
                 "".join(" ".join(map(str, v)) + "\n" for v in (paths[0] if paths else [])))
    seed_voxels = [v for vs in seeds.values() for v in vs]
    if a.has("--omatrix1"):
        text(os.path.join(out, "fdt_matrix1.dot"), "".join(
            f"{i + 1} {j + 1} {nsamples}\n" for i, v in enumerate(seed_voxels)
            for j, w in enumerate(seed_voxels) if any(u == w for u in _track(
                v, dyads, mask, step, int(a.get("--nsteps", 2000))))))
        text(os.path.join(out, "coords_for_fdt_matrix1"),
             "".join(" ".join(map(str, v)) + "\n" for v in seed_voxels))
    if a.has("--omatrix2"):
        target2 = data(need(a.get("--target2"), "--target2 (with --omatrix2)")) > 0
        lookup = np.zeros(target2.shape)
        lookup[target2] = np.arange(1, target2.sum() + 1)
        save(lookup, load(a.get("--target2")), os.path.join(out,
                                                             "lookup_tractspace_fdt_matrix2"))
        text(os.path.join(out, "fdt_matrix2.dot"), "1 1 0\n")
        text(os.path.join(out, "tract_space_coords_for_fdt_matrix2"), "0 0 0\n")
    if a.has("--omatrix3"):
        load(need(a.get("--target3"), "--target3 (with --omatrix3)"))
        text(os.path.join(out, "fdt_matrix3.dot"), "1 1 0\n")
        text(os.path.join(out, "coords_for_fdt_matrix3"), "0 0 0\n")


def probtrackx(argv):
    _probtrack(argv, 1)


def probtrackx2(argv):
    _probtrack(argv, 2)


#
# -- TBSS, vecreg, proj_thresh, make_dyadic_vectors (issue 13) --
def _ridge(values):
    """A thin "skeleton" of a 3D image: its positive voxels not below either
    neighbour along x (the stand-in's skeletonisation)."""
    padded = np.pad(values, ((1, 1), (0, 0), (0, 0)), constant_values=-np.inf)
    return (values > 0) & (values >= padded[:-2]) & (values >= padded[2:])


def _standard_data(path):
    """Whether ``path`` names an image of FSL's data/standard, which the
    stand-ins do not ship (the real tools read it there)."""
    home = os.environ.get("FSLDIR", "")
    return bool(home) and path.startswith(os.path.join(home, "data", "standard") + os.sep)


def tbss_skeleton(argv):
    widths = {"-i": 1, "-o": 1, "-a": 1, "-s": 1, "-p": 5, "-d": 0}
    opts, i = {}, 0
    while i < len(argv):
        width = widths.get(argv[i])
        if width is None or i + width >= len(argv) + (width == 0):
            raise Usage(f"unknown option or missing values: {argv[i]}")
        opts[argv[i]] = argv[i + 1:i + 1 + width]
        i += 1 + width
    if "-i" not in opts:
        raise Usage("Usage: tbss_skeleton -i <input> [-o <skeleton>] [-p <skel_thresh> "
                    "<distancemap> <search_rule_mask> <4Ddata> <projected_4Ddata> "
                    "[-a <alt_4D>] [-s <alt_skeleton>]]")
    img = load(opts["-i"][0])
    mean = data(opts["-i"][0])
    mean = mean.mean(axis=-1) if mean.ndim == 4 else mean
    if "-o" in opts:
        save(mean * _ridge(mean), img, opts["-o"][0])
    if "-p" in opts:
        thr, distance, search, values, projected = opts["-p"]
        thr = float(thr)
        load(distance)
        if not _standard_data(search):
            load(search)
        if "-s" in opts:
            skeleton = data(opts["-s"][0]) > 0
        else:
            skeleton = _ridge(mean) & (mean >= thr)
        series = data(opts["-a"][0] if "-a" in opts else values)
        if series.ndim == 3:
            series = series[..., None]
        if series.shape[:3] != skeleton.shape:
            raise Usage(f"{values} does not have the grid of {opts['-i'][0]}")
        save(series * skeleton[..., None], img, projected)
    elif "-a" in opts or "-s" in opts:
        raise Usage("-a and -s go with -p")


def vecreg(argv):
    a = Args(argv, valued={"-i", "-o", "-r", "-t", "-w", "-m"})
    src, out = need(a.get("-i"), "-i"), need(a.get("-o"), "-o")
    ref = load(need(a.get("-r"), "-r"))
    for key in ("-t", "--rotmat"):
        if a.has(key):
            np.loadtxt(a.get(key))
    if a.get("--interp", "trilinear") not in ("nearestneighbour", "trilinear", "sinc",
                                              "spline"):
        raise Usage(f"unknown interpolation {a.get('--interp')}")
    values = data(src)
    grid = ref.shape[:3] + values.shape[3:]
    save(values if values.shape == grid else np.zeros(grid), ref, out)


def proj_thresh(argv):
    if len(argv) < 2 or not argv[-1].lstrip("-").isdigit():
        raise Usage("Usage: proj_thresh <lots of volumes> threshold")
    thr = int(argv[-1])
    stack = np.stack([data(f) for f in argv[:-1]])
    total = stack.sum(axis=0)
    like = load(argv[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        fractions = np.where(total > thr, stack / total, 0.0)
    for name, values in zip(argv[:-1], fractions):
        stem = find_image(name)
        for ext in _ALL_EXTS:
            if stem.endswith(ext):
                stem = stem[: -len(ext)]
                break
        save(values, like, f"{stem}_proj_seg_thr_{thr}")
    save(total, like, "total")


def make_dyadic_vectors(argv):
    if len(argv) not in (3, 4, 5):
        raise Usage("Usage: make_dyadic_vectors <theta_vol> <phi_vol> [mask] <output> [perc]")
    theta, phi = data(argv[0]), data(argv[1])
    like = load(argv[0])
    if theta.ndim == 3:
        theta, phi = theta[..., None], phi[..., None]
    mask = data(argv[2]) > 0 if len(argv) >= 4 else np.ones(theta.shape[:3], bool)
    out = argv[3] if len(argv) >= 4 else argv[2]
    perc = float(argv[4]) if len(argv) == 5 else 0.95
    perc = perc / 100 if perc > 1 else perc  # 95 or 0.95
    vectors = np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi),
                        np.cos(theta)], axis=-1)
    mean = vectors.mean(axis=3)
    norm = np.linalg.norm(mean, axis=-1, keepdims=True)
    mean = np.divide(mean, norm, out=np.zeros_like(mean), where=norm > 0)
    cosines = np.abs(np.einsum("xyzsc,xyzc->xyzs", vectors, mean)).clip(0, 1)
    spread = np.degrees(np.arccos(np.quantile(cosines, 1 - perc, axis=-1)))
    save(mean * mask[..., None], like, out)
    save(spread * mask, like, out + "_dispersion")


# TBSS's scripts work in their current folder: FA/, origdata/, stats/.
def _strip(name):
    for ext in _ALL_EXTS:
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def _tbsslog(argv, tool):
    with open(".tbsslog", "a", encoding="utf-8") as fh:
        fh.write(f"[stand-in] [{os.getcwd()}] [{tool} {' '.join(argv)}]\n")


def _subjects():
    """The subjects' FA images in FA/ (<subject>_FA), in name order."""
    if not os.path.isdir("FA"):
        raise Usage("no FA folder here: run tbss_1_preproc first")
    names = sorted({_strip(n) for n in os.listdir("FA") if n.endswith(_ALL_EXTS)})
    subjects = [n[:-3] for n in names if n.endswith("_FA")]
    if not subjects:
        raise Usage("no FA/*_FA images: run tbss_1_preproc first")
    return subjects


def _fmrib58(subjects):
    """FSL's FMRIB58_FA_1mm, which the stand-ins do not ship: its data when
    $FSLDIR has it, else (stand-in) the subjects' mean FA."""
    path = os.path.join(os.environ.get("FSLDIR", ""), "data", "standard", "FMRIB58_FA_1mm")
    try:
        return data(path), load(path)
    except Usage:
        stack = np.stack([data(f"FA/{s}_FA") for s in subjects])
        return stack.mean(axis=0), load(f"FA/{subjects[0]}_FA")


def tbss_1_preproc(argv):
    if not argv:
        raise Usage("Usage: tbss_1_preproc <image1> <image2> ...")
    _tbsslog(argv, "tbss_1_preproc")
    os.makedirs("FA", exist_ok=True)
    os.makedirs("origdata", exist_ok=True)
    for name in argv:
        if "/" in name:  # the script writes FA/${f}_FA: a path breaks it
            raise Usage(f"{name}: give the images of the current folder, by name")
        path = find_image(name)
        stem = _strip(os.path.basename(path))
        img = load(path)
        values = np.minimum(data(path), 1.0)  # fslmaths -min 1 -ero -roi 1 X-2 ...
        shell = np.zeros(values.shape, bool)
        shell[1:-1, 1:-1, 1:-1] = True
        values[~shell] = 0
        save(values, img, f"FA/{stem}_FA")
        save(values > 0, img, f"FA/{stem}_FA_mask", np.uint8)
        for one in (path, _strip(path) + ".hdr"):
            if os.path.lexists(one):
                os.rename(one, os.path.join("origdata", os.path.basename(one)))
    os.makedirs("FA/slicesdir", exist_ok=True)
    text("FA/slicesdir/index.html", "<html><body>slicesdir (stand-in)</body></html>\n")


def tbss_2_reg(argv):
    if not argv or argv[0] not in ("-T", "-t", "-n") or (argv[0] == "-t") != (len(argv) == 2) \
            or len(argv) > 2:
        raise Usage("Usage: tbss_2_reg [options]\n -T : use FMRIB58_FA_1mm as target\n"
                    " -t <target> : use <target> image as target\n -n : find best target")
    _tbsslog(argv, "tbss_2_reg")
    subjects = _subjects()
    for name in os.listdir("FA"):
        if "_to_" in name or name.startswith("target."):
            os.remove(os.path.join("FA", name))
    like = load(f"FA/{subjects[0]}_FA")
    warp = np.zeros(like.shape[:3] + (3,))
    if argv[0] == "-n":
        for f in subjects:
            for g in subjects:
                save(warp, like, f"FA/{f}_FA_to_{g}_FA_warp")
        return
    if argv[0] == "-T":
        values, target = _fmrib58(subjects)
        save(values, target, "FA/target")
    else:
        copy_image(argv[1], "FA/target")
    for s in subjects:
        save(warp, like, f"FA/{s}_FA_to_target_warp")
        text(f"FA/{s}_FA_to_target.mat", IDENTITY)
        text(f"FA/{s}_FA_to_target.log", "fsl_reg (stand-in)\n")


def tbss_3_postreg(argv):
    if argv not in (["-S"], ["-T"]):
        raise Usage("Usage: tbss_3_postreg [options]\n -S : derive mean_FA and "
                    "mean_FA_skeleton from mean of all subjects\n -T : use FMRIB58_FA")
    _tbsslog(argv, "tbss_3_postreg")
    subjects = _subjects()
    if all(os.path.lexists(image_name(f"FA/{s}_FA_to_target_warp")) for s in subjects):
        warps = [f"FA/{s}_FA_to_target_warp" for s in subjects]
    else:  # tbss_2_reg -n: the stand-in's "most typical" subject is the first
        warps = [f"FA/{s}_FA_to_{subjects[0]}_FA_warp" for s in subjects]
    stack = []
    for s, warp in zip(subjects, warps):
        load(warp)  # the stand-in's warps are identities
        img = load(f"FA/{s}_FA")
        save(data(f"FA/{s}_FA"), img, f"FA/{s}_FA_to_target")
        stack.append(data(f"FA/{s}_FA_to_target"))
    all_fa = np.stack(stack, axis=-1)
    os.makedirs("stats", exist_ok=True)
    mask = all_fa.min(axis=-1) > 0
    all_fa = all_fa * mask[..., None]
    if argv == ["-T"]:
        mean, like = _fmrib58(subjects)
        mean = mean * mask
    else:
        mean, like = all_fa.mean(axis=-1), img
    save(all_fa, like, "stats/all_FA")
    save(mask, like, "stats/mean_FA_mask", np.uint8)
    save(mean, like, "stats/mean_FA")
    save(mean * _ridge(mean), like, "stats/mean_FA_skeleton")


def tbss_4_prestats(argv):
    if len(argv) != 1 or not _is_number(argv[0]):
        raise Usage("Usage: tbss_4_prestats <threshold>")
    _tbsslog(argv, "tbss_4_prestats")
    thr = float(argv[0])
    for name in ("mean_FA_skeleton", "mean_FA_mask", "all_FA"):
        find_image(f"stats/{name}")
    like = load("stats/mean_FA")
    text("stats/thresh.txt", f"{argv[0]}\n")
    skeleton = data("stats/mean_FA_skeleton") >= thr
    save(skeleton, like, "stats/mean_FA_skeleton_mask", np.uint8)
    # (stand-in) distance 1 inside the mask off the skeleton, 0 elsewhere
    save((data("stats/mean_FA_mask") > 0) & ~skeleton, like,
         "stats/mean_FA_skeleton_mask_dst")
    save(data("stats/all_FA") * skeleton[..., None], like, "stats/all_FA_skeletonised")


def tbss_non_FA(argv):
    if len(argv) != 1:
        raise Usage("Usage: tbss_non_FA <alternative-image-rootname> (e.g. L2)")
    measure = argv[0]
    _tbsslog(argv, "tbss_non_FA")
    if not os.path.isfile("stats/thresh.txt"):
        raise Usage("stats/thresh.txt not found: run tbss_4_prestats first")
    skeleton = data("stats/mean_FA_skeleton_mask") > 0
    mask = data("stats/mean_FA_mask") > 0
    like = load("stats/mean_FA")
    stack = [data(f"{measure}/{s}") for s in _subjects()]  # the FA images' original names
    values = np.stack(stack, axis=-1) * mask[..., None]
    save(values, like, f"stats/all_{measure}")
    save(values * skeleton[..., None], like, f"stats/all_{measure}_skeletonised")


#


# -- FEAT, FILM, FLAME and group models (issue 13) --
def _vest(path):
    """A VEST file (design.mat, .con, .fts): ``({"/NumWaves": 3, ...}, matrix)``."""
    heads, rows, in_matrix = {}, [], False
    with open(path) as fh:
        for line in fh:
            words = line.split()
            if not words:
                continue
            if in_matrix:
                rows.append([float(w) for w in words])
            elif words[0] == "/Matrix":
                in_matrix = True
            elif words[0].startswith("/") and len(words) > 1 and _is_number(words[1]):
                heads[words[0]] = int(float(words[1]))
    if not in_matrix:
        raise Usage(f"{path} is not a VEST file (no /Matrix)")
    return heads, np.array(rows, ndmin=2)


def _write_vest(path, matrix, heads=()):
    matrix = np.asarray(matrix, dtype=float).reshape(len(matrix), -1)
    lines = [f"/NumWaves\t{matrix.shape[1]}", f"/NumPoints\t{matrix.shape[0]}", *heads,
             "/Matrix"]
    text(path, "\n".join(lines) + "\n"
         + "".join(" ".join(f"{v:g}" for v in row) + "\n" for row in matrix))


def _fsf(path):
    """``{key: value}`` of an fsf's ``set key value`` lines (values unquoted)."""
    values = {}
    with open(path) as fh:
        for line in fh:
            words = line.strip().split(None, 2)
            if len(words) == 3 and words[0] == "set":
                values[words[1]] = words[2].strip().strip('"')
    return values


def _log_dir(name):
    """FSL's rule for a results folder (Log::makeDir): name, or name+ (name++...)
    when it exists."""
    while os.path.exists(name):
        name += "+"
    os.makedirs(name)
    return name


def feat(argv):
    if len(argv) != 1:
        raise Usage("Usage: feat <design.fsf>")
    fsf = _fsf(argv[0])
    suffix = ".ica" if fsf.get("fmri(inmelodic)") == "1" else (
        ".gfeat" if fsf.get("fmri(level)") == "2" else ".feat")
    first = fsf.get("feat_files(1)")
    out = fsf.get("fmri(outputdir)") or (first and image_name(first)[: -len(_ext())])
    out = need(out, "fmri(outputdir) or feat_files(1)")
    stem = out[: -len(suffix)] if out.endswith(suffix) else out
    while os.path.exists(stem + suffix):  # FEAT's rule: name+.feat
        stem += "+"
    folder = stem + suffix
    os.makedirs(os.path.join(folder, "stats"))
    with open(argv[0]) as src:
        text(os.path.join(folder, "design.fsf"), src.read())
    text(os.path.join(folder, "report.html"), "<html><body>FEAT (stand-in)</body></html>\n")
    if first:
        img = load(first)
        values = data(first)
        save(values, img, os.path.join(folder, "filtered_func_data"))
        vol = values.mean(axis=-1) if values.ndim == 4 else values
        save(vol, img, os.path.join(folder, "mean_func"))
        save(vol > 0, img, os.path.join(folder, "mask"), np.uint8)
        for name in ("pe1", "cope1", "varcope1", "zstat1", "tstat1"):
            save(np.zeros(vol.shape), img, os.path.join(folder, "stats", name))


def feat_model(argv):
    if not argv:
        raise Usage("Usage: feat_model <design_name_root> [confound matrix]")
    root = argv[0]
    fsf = _fsf(need(root + ".fsf" if os.path.isfile(root + ".fsf") else None, root + ".fsf"))
    npts = int(fsf.get("fmri(npts)", 0))
    nevs = int(fsf.get("fmri(evs_real)", fsf.get("fmri(evs_orig)", 1)))
    for k in range(1, int(fsf.get("fmri(evs_orig)", 0)) + 1):
        if fsf.get(f"fmri(shape{k})") in ("2", "3"):  # a custom EV file, read where named
            name = fsf.get(f"fmri(custom{k})", "")
            if not os.path.isfile(name):
                raise Usage(f"EV file {name} of EV {k} not found")
    design = np.array([[((t + k) % 4 > 1) - 0.5 for k in range(nevs)] for t in range(npts)])
    _write_vest(root + ".mat", design, ["/PPheights\t" + " ".join(["1"] * nevs)])
    ncon = int(fsf.get("fmri(ncon_real)", fsf.get("fmri(ncon_orig)", 1)))
    names = [f"/ContrastName{k}\tC{k}" for k in range(1, ncon + 1)]
    _write_vest(root + ".con", np.eye(ncon, nevs), names)
    nfts = int(fsf.get("fmri(nftests_real)", fsf.get("fmri(nftests_orig)", 0)))
    if nfts:
        _write_vest(root + ".fts", np.ones((nfts, ncon)))
        text(root + ".frf", " ".join(["1"] * nfts) + "\n")
    text(root + ".min", "1\n")
    for name in (".png", "_cov.png"):
        _png(root + name)
    for name in (".ppm", "_cov.ppm"):
        text(root + name, "P3\n1 1\n255\n0 0 0\n")


def _contrasts(folder, img, vol, path, prefixes, first=1, suffix=""):
    """One image per contrast of the VEST file at ``path``, per prefix."""
    heads, matrix = _vest(path)
    count = heads.get("/NumContrasts", matrix.shape[0])
    for k in range(first, first + count):
        for prefix in prefixes:
            name = f"{prefix}{suffix}{k}" if prefix == "cope" else f"{prefix}{k}"
            save(vol, img, os.path.join(folder, name))
    return count


def film_gls(argv):
    a = Args(argv)
    src = need(a.get("--in"), "--in")
    img = load(src)
    values = data(src)
    nvol = values.shape[3] if values.ndim == 4 else 1
    nevs = 1
    if a.has("--pd"):
        heads, design = _vest(a.get("--pd"))
        nevs = heads.get("/NumWaves", design.shape[1])
        if heads.get("/NumPoints", design.shape[0]) != nvol:
            raise Usage(f"design has {design.shape[0]} points for {nvol} volumes")
    folder = _log_dir(a.get("--rn", "results"))
    vol = values.mean(axis=-1) if values.ndim == 4 else values
    for k in range(1, nevs + 1):
        save(vol * 0 + k, img, os.path.join(folder, f"pe{k}"))
    save(values - vol[..., None] if values.ndim == 4 else np.zeros(vol.shape), img,
         os.path.join(folder, "res4d"))
    save(values.var(axis=-1) if values.ndim == 4 else np.zeros(vol.shape), img,
         os.path.join(folder, "sigmasquareds"))
    save(np.zeros(vol.shape + (1,)), img, os.path.join(folder, "threshac1"))
    text(os.path.join(folder, "dof"), f"{nvol - nevs}\n")
    text(os.path.join(folder, "logfile"), "FILM (stand-in)\n")
    if a.has("--con"):
        _contrasts(folder, img, vol, a.get("--con"), ("cope", "varcope", "tstat", "zstat"))
    if a.has("--fcon"):
        _contrasts(folder, img, vol, a.get("--fcon"), ("fstat", "zfstat"))


def contrast_mgr(argv):
    # As FSL's: it exits 0 even when it fails, saying so on stderr.
    a = Args(argv, valued={"-f", "-suffix", "-cope"})
    try:
        if len(a.pos) != 2:
            raise Usage("Usage: contrast_mgr [options] <stats dir> <t contrasts file>")
        folder, tcon = a.pos
        sigma = find_image(os.path.join(folder, "sigmasquareds"))
        for name in ("pe1", "corrections"):
            find_image(os.path.join(folder, name))
        if not os.path.isfile(os.path.join(folder, "dof")):
            raise Usage(f"{folder}/dof not found")
        img = load(sigma)
        vol = data(sigma)
        first = int(a.get("-cope", 1))
        n = _contrasts(folder, img, vol, tcon, ("cope", "varcope", "tstat", "zstat", "neff"),
                       first, a.get("-suffix", ""))
        if a.has("-f"):
            _contrasts(folder, img, vol, a.get("-f"), ("fstat", "zfstat"), first)
        print(f"{n} contrasts (stand-in)")
    except Usage as error:
        sys.stderr.write(f"contrast_mgr (stand-in): {error}\n")
        sys.exit(0)


def flameo(argv):
    a = Args(argv)
    for key in ("--copefile", "--maskfile", "--designfile", "--tcontrastsfile",
                "--covsplitfile", "--runmode"):
        need(a.get(key), key)
    if a.get("--runmode") not in ("fe", "ols", "flame1", "flame12"):
        raise Usage(f"unknown --runmode {a.get('--runmode')}")
    img = load(a.get("--copefile"))
    copes = data(a.get("--copefile"))
    ninputs = copes.shape[3] if copes.ndim == 4 else 1
    heads, design = _vest(a.get("--designfile"))
    if heads.get("/NumPoints", design.shape[0]) != ninputs:
        raise Usage(f"design has {design.shape[0]} points for {ninputs} inputs")
    load(a.get("--maskfile"))
    groups, _ = _vest(a.get("--covsplitfile"))
    folder = _log_dir(a.get("--ld", "logdir"))
    vol = copes.mean(axis=-1) if copes.ndim == 4 else copes
    if not a.has("--nopeoutput"):
        for k in range(1, heads.get("/NumWaves", design.shape[1]) + 1):
            save(vol, img, os.path.join(folder, f"pe{k}"))
    save(copes - vol[..., None] if copes.ndim == 4 else np.zeros(vol.shape + (1,)), img,
         os.path.join(folder, "res4d"))
    _contrasts(folder, img, vol, a.get("--tcontrastsfile"),
               ("cope", "varcope", "tstat", "zstat", "tdof_t", "mean_random_effects_var"))
    if a.has("--fcontrastsfile"):
        _contrasts(folder, img, vol, a.get("--fcontrastsfile"), ("fstat", "zfstat"))
    for k in range(1, groups.get("/NumWaves", 1) + 1):
        save(np.ones(vol.shape), img, os.path.join(folder, f"weights{k}"))


def mm(argv):
    a = Args(argv)
    src = need(a.get("--sdf"), "--sdf")
    load(need(a.get("--mask"), "--mask"))
    img, vol = load(src), data(src)
    folder = _log_dir(a.get("--ld", "logdir"))
    p = 1 / (1 + np.exp(-vol))  # a logistic of the statistic: "activation"
    save(1 - p, img, os.path.join(folder, "w1_mean"))
    save(p, img, os.path.join(folder, "w2_mean"))
    if not a.has("--zfstatmode"):
        save(np.zeros(vol.shape), img, os.path.join(folder, "w3_mean"))


def dual_regression(argv):
    usage = ("Usage: dual_regression <group_IC_maps> <des_norm> <design.mat> <design.con> "
             "<n_perm> <output_directory> <input1> <input2> ... (-1 for the design.mat and "
             "no design.con: a one-group t-test)")
    if len(argv) < 6:
        raise Usage(usage)
    ics, des_norm, rest = argv[0], argv[1], argv[2:]
    if des_norm not in ("0", "1"):
        raise Usage(usage)
    if rest[0] == "-1":
        ncon, rest = 1, rest[1:]
    else:
        _vest(rest[0])
        heads, matrix = _vest(rest[1])
        ncon, rest = heads.get("/NumContrasts", matrix.shape[0]), rest[2:]
    if len(rest) < 3 or not _is_number(rest[0]):
        raise Usage(usage)
    nperm, out, inputs = int(rest[0]), rest[1], rest[2:]
    os.makedirs(out, exist_ok=True)
    maps_img, maps = load(ics), data(ics)
    ncomp = maps.shape[3] if maps.ndim == 4 else 1
    shape = maps.shape[:3]
    save(np.ones(shape), maps_img, os.path.join(out, "maskALL"), np.uint8)
    save(np.ones(shape), maps_img, os.path.join(out, "mask"), np.uint8)
    for s, subject in enumerate(inputs):
        values = data(subject)
        if values.shape[:3] != shape:
            raise Usage(f"{subject} is not in the space of {ics}")
        nvol = values.shape[3] if values.ndim == 4 else 1
        np.savetxt(os.path.join(out, f"dr_stage1_subject{s:05d}.txt"), np.zeros((nvol, ncomp)))
        save(np.zeros(shape + (ncomp,)), maps_img, os.path.join(out, f"dr_stage2_subject{s:05d}"))
        save(np.zeros(shape + (ncomp,)), maps_img,
             os.path.join(out, f"dr_stage2_subject{s:05d}_Z"))
    for c in range(ncomp):
        save(np.zeros(shape + (len(inputs),)), maps_img, os.path.join(out, f"dr_stage2_ic{c:04d}"))
        if nperm > 0:
            for k in range(1, ncon + 1):
                save(np.zeros(shape), maps_img,
                     os.path.join(out, f"dr_stage3_ic{c:04d}_tfce_corrp_tstat{k}"))
#


# -- coordinates, field maps, plots, complex images, QC (issue 13) --
#


def _points(path):
    """The coordinate file's points, three numbers a line."""
    with open(path) as fh:
        values = [float(v) for v in fh.read().split()]
    if len(values) % 3:
        raise Usage(f"{path}: coordinates come in threes")
    return np.array(values).reshape(-1, 3)


def _moved(a, images):
    """The points moved by -xfm (or -premat) when given; -warp is taken as
    the identity (no field is evaluated)."""
    for name in images:
        load(need(a.get(name), name))
    if a.has("-warp"):
        load(a.get("-warp"))
    points = _points(need(a.pos[-1] if a.pos else None, "a coordinate file"))
    matrix = a.get("-xfm") or a.get("-premat")
    if matrix:
        m = np.loadtxt(matrix)
        points = points @ m[:3, :3].T + m[:3, 3]
    return points


def _print_points(points):
    for x, y, z in points:
        print(f"{x:g}  {y:g}  {z:g}")


_COORD_VALUED = {"-src", "-dest", "-img", "-std", "-xfm", "-warp", "-premat"}


def img2imgcoord(argv):
    a = Args(argv, valued=_COORD_VALUED)
    points = _moved(a, ("-src", "-dest"))
    print("Coordinates in Destination volume " + ("(in mm)" if a.has("-mm") else "(in voxels)"))
    _print_points(points)


def img2stdcoord(argv):
    a = Args(argv, valued=_COORD_VALUED)
    _print_points(_moved(a, ("-img", "-std")))  # FSL's prints no heading


def std2imgcoord(argv):
    a = Args(argv, valued=_COORD_VALUED)
    _print_points(_moved(a, ("-img", "-std")))


def fnirtfileutils(argv):
    a = Args(argv)
    src = load(need(a.get("--in"), "--in"))
    ref = load(need(a.get("--ref"), "--ref"))
    out = need(a.get("--out"), "--out")
    if a.get("--outformat", "field") == "spline":  # coefficients: the input's grid
        save(np.zeros(src.shape[:3] + (3,)), src, out)
    else:  # a displacement field on the reference's grid
        save(np.zeros(ref.shape[:3] + (3,)), ref, out)
    if a.has("--jac"):
        save(np.ones(ref.shape[:3]), ref, a.get("--jac"))


def b0calc(argv):
    a = Args(argv, valued={"-i", "-o", "-d"})
    src = need(a.get("-i"), "-i")
    img = load(src)
    field = float(a.get("-d", -9.45e-6)) * 1e6 * (data(src) > 0)  # ppm where there is tissue
    if field.ndim == 4:
        field = field[..., 0]
    save(np.stack([field] * 3, axis=-1) if a.has("--xyz") else field, img,
         need(a.get("-o"), "-o"))


def fsl_prepare_fieldmap(argv):
    args = [x for x in argv if x != "--nocheck"]
    if len(args) != 5:
        raise Usage("Usage: fsl_prepare_fieldmap <scanner> <phase_image> <magnitude_image> "
                    "<out_image> <deltaTE (in ms)> [--nocheck]")
    scanner, phase, magnitude, out, delta_te = args
    if scanner != "SIEMENS":
        raise Usage(f"scanner {scanner} is not supported (SIEMENS only)")
    values = data(phase)
    if "--nocheck" not in argv and (values.min() < 0 or values.max() > 8192):
        raise Usage("phase image values outside 0-4096 (or 0-8192)")
    inside = data(magnitude) > 0
    radians = values / values.max() * 2 * np.pi - np.pi if values.max() > 0 else values
    save(radians / (float(delta_te) / 1000.0) * inside, load(phase), out)


def fslcomplex(argv):
    if len(argv) < 3:
        raise Usage("Usage: fslcomplex <-outputtype> <input> <output> [startvol [endvol]]")
    mode, rest = argv[0], argv[1:]
    take = {"-realpolar": (1, 2), "-realcartesian": (1, 2), "-complex": (2, 1),
            "-complexpolar": (2, 1), "-complexsplit": (1, 1), "-complexmerge": (2, 1)}
    if mode not in take:
        raise Usage(f"unknown option {mode}")
    n_in, n_out = take[mode]
    if len(rest) < n_in + n_out:
        raise Usage(f"{mode} takes {n_in} input(s) and {n_out} output(s)")
    ins, outs = rest[:n_in], rest[n_in:n_in + n_out]
    vols = [int(v) for v in rest[n_in + n_out:]]
    like = load(ins[0])
    first, second = (np.asanyarray(load(f).dataobj) for f in (ins * 2)[:2])
    if mode == "-realpolar":
        results = [np.abs(first), np.angle(first)]
    elif mode == "-realcartesian":
        results = [first.real, first.imag]
    elif mode == "-complex":
        results = [first + 1j * second]
    elif mode == "-complexpolar":
        results = [first * np.exp(1j * second)]
    elif mode == "-complexmerge":
        as_4d = [v[..., None] if v.ndim == 3 else v for v in (first, second)]
        results = [np.concatenate(as_4d, axis=-1)]
    else:
        results = [first]
    if vols and results[0].ndim == 4:  # startvol [endvol]
        stop = vols[1] + 1 if len(vols) > 1 else results[0].shape[3]
        results = [r[..., vols[0]:stop] for r in results]
    for result, out in zip(results, outs):
        dtype = np.complex64 if np.iscomplexobj(result) else np.float32
        save(result, like, out, dtype)


def fsl_tsplot(argv):
    a = Args(argv, valued={"-i", "-o", "-t", "-a", "-u", "-h", "-w"})
    columns = 0
    for path in need(a.get("-i"), "-i").split(","):
        columns += np.loadtxt(path, ndmin=2).shape[1]
    finish = int(a.get("--finish", columns))
    if not 1 <= int(a.get("--start", 1)) <= finish <= columns:
        raise Usage(f"--start/--finish outside the {columns} columns")
    out = need(a.get("-o"), "-o")
    _png(out)


def eddy_quad(argv):
    a = Args(argv, valued={"--eddyIdx", "--eddyParams", "--mask", "--bvals", "--bvecs",
                           "--output-dir", "--field", "--slspec"})
    base = need(a.pos[0] if a.pos else None, "the eddy base name")
    for key in ("--eddyIdx", "--eddyParams", "--mask", "--bvals"):
        need(a.get(key), key)
    if not os.path.isfile(base + ".eddy_parameters"):
        raise Usage(f"{base}.eddy_parameters not found: is {base} eddy's output base?")
    folder = a.get("--output-dir", base + ".qc")
    if os.path.exists(folder):  # as FSL's eddy_quad
        raise Usage(f"output directory {folder} already exists")
    os.makedirs(folder)
    bvals = np.loadtxt(a.get("--bvals")).ravel()
    shells = sorted({int(round(b, -2)) for b in bvals})
    with open(os.path.join(folder, "qc.json"), "w") as fh:
        json.dump({"qc_mot_abs": 0.0, "qc_mot_rel": 0.0, "data_unique_bvals": shells,
                   "data_no_dw_vols": int((bvals > 50).sum()),
                   "data_no_b0_vols": int((bvals <= 50).sum())}, fh)
    with open(os.path.join(folder, "qc.pdf"), "wb") as fh:
        fh.write(b"%PDF-1.4\n%%EOF\n")
    for b in shells:
        _png(os.path.join(folder, f"avg_b{b}.png"))
    if a.has("--field"):
        load(a.get("--field"))
        _png(os.path.join(folder, "avg_b0_pe0.png"))
        _png(os.path.join(folder, "vdm.png"))
    if any(os.path.exists(base + ".eddy_cnr_maps" + e) for e in _ALL_EXTS):
        for k in range(len(shells)):
            _png(os.path.join(folder, f"cnr{k:04d}.nii.gz.png"))
    if any(os.path.exists(base + ".eddy_residuals" + e) for e in _ALL_EXTS):
        text(os.path.join(folder, "eddy_msr.txt"), " ".join("0" for _ in bvals) + "\n")
        text(os.path.join(folder, "vols_no_outliers.txt"),
             " ".join(str(k) for k in range(len(bvals))) + "\n")


# -- ICA-AROMA (its own package, run with FSL) --


def ICA_AROMA(argv):
    """ICA_AROMA.py: the run (or a FEAT folder's) split into components, the
    motion ones listed, the data written denoised as -den asks."""
    a = Args(argv, valued={"-i", "-o", "-out", "-m", "-dim", "-tr", "-meldir", "-affmat",
                           "-warp", "-mc", "-den", "-feat"})
    out = need(a.get("-o", a.get("-out")), "-o (the output folder)")
    feat = a.get("-feat")
    if feat is not None:
        in_file = os.path.join(feat, "filtered_func_data")
        motion = os.path.join(feat, "mc", "prefiltered_func_data_mcf.par")
    else:
        in_file = need(a.get("-i"), "-i (the data), or -feat")
        motion = need(a.get("-mc"), "-mc (the motion parameters)")
    series = data(in_file)
    if series.ndim != 4:
        raise Usage(f"{in_file} is not 4D")
    params = np.loadtxt(motion, ndmin=2)
    if params.shape[1] != 6:
        raise Usage(f"{motion}: expected 6 columns of motion parameters")
    if a.has("-m"):
        load(a.get("-m"))
    den = a.get("-den", "nonaggr")
    if den not in ("nonaggr", "aggr", "both", "no"):
        raise Usage(f"-den {den}: not nonaggr, aggr, both or no")
    if os.path.isdir(out):  # as ICA_AROMA.py, which then exits
        print(f"Output directory {out} already exists. AROMA will not continue.")
        return
    os.makedirs(os.path.join(out, "melodic.ica"))
    like = load(in_file)
    mean = series.mean(axis=3, keepdims=True)
    save(series - mean, like, os.path.join(out, "melodic.ica", "melodic_IC"))
    n = series.shape[3]
    text(os.path.join(out, "classified_motion_ICs.txt"), "1")
    text(os.path.join(out, "feature_scores.txt"),
         "".join("0.5\t0.5\t0.1\t0.1\n" for _ in range(n)))
    text(os.path.join(out, "classification_overview.txt"),
         "IC\tMotion/noise\tmaximum RP correlation\tEdge-fraction\tHigh-frequency "
         "content\tCSF-fraction\n"
         + "".join(f"{k + 1}\t{'True' if k == 0 else 'False'}\t0.5\t0.5\t0.1\t0.1\n"
                   for k in range(n)))
    if den in ("nonaggr", "both"):
        save(series, like, os.path.join(out, "denoised_func_data_nonaggr"))
    if den in ("aggr", "both"):
        save(series - (series - mean) * 0.5, like, os.path.join(out, "denoised_func_data_aggr"))


# -- FreeSurfer's epidewarp.fsl (run with FSL) --


def epidewarp(argv):
    """epidewarp.fsl: a voxel shift map in the example volume's space, and
    the example volume and EPI series "dewarped" (copied) when asked."""
    valued = {"--mag", "--dph", "--exf", "--epi", "--tediff", "--esp", "--epidw", "--exfdw",
              "--vsm", "--vsmmag", "--sigma", "--tmpdir", "--log"}
    a = Args(argv, valued=valued, flags={"--nocleanup", "--cleanup", "--nomagexfreg"})
    unknown = [k for k in a.opts if k not in valued | {"--nocleanup", "--cleanup",
                                                       "--nomagexfreg"}]
    if unknown or a.pos:
        raise Usage(f"ERROR: Flag {(unknown or a.pos)[0]} unrecognized.")
    for key in ("--mag", "--dph", "--epi"):
        if a.has(key) and not os.path.exists(a.get(key)):
            raise Usage(f"ERROR: cannot find {a.get(key)}")
    mag = load(need(a.get("--mag"), "--mag (no magnitude volume specified)"))
    load(need(a.get("--dph"), "--dph (no phase diff volume specified)"))
    float(need(a.get("--tediff"), "--tediff (no TE diff specified)"))
    float(need(a.get("--esp"), "--esp (no Echo Spacing specified)"))
    epi, exf = a.get("--epi"), a.get("--exf")
    if epi is None and exf is None:
        raise Usage("ERROR: must specify either epi or exf.")
    vsm = need(a.get("--vsm"), "--vsm (no output VSM specified)")
    if a.has("--epidw") and epi is None:
        raise Usage("ERROR: need --epi with --epidw")
    cleanup = not a.has("--tmpdir") and not a.has("--nocleanup")
    cleanup = cleanup or a.has("--cleanup")
    tmpdir = a.get("--tmpdir") or os.path.join(os.path.dirname(vsm) or ".",
                                               f"tmp-epidewarp.{os.getpid()}.fsl")
    os.makedirs(tmpdir, exist_ok=True)
    if exf is not None:
        example = data(exf)
        like = load(exf)
    else:
        series = data(epi)
        example = series[..., series.shape[3] // 2] if series.ndim == 4 else series
        like = load(epi)
    save(np.zeros(example.shape[:3]), like, vsm)
    save((example[..., 0] if example.ndim == 4 else example) > 0, like,
         os.path.join(tmpdir, "brainexf"))
    if a.has("--exfdw"):
        save(example, like, a.get("--exfdw"))
    if a.has("--epidw"):
        copy_image(epi, a.get("--epidw"))
    if mag.ndim not in (3, 4):
        raise Usage("the magnitude image is not 3D or 4D")
    if cleanup:
        import shutil

        shutil.rmtree(tmpdir)


TOOLS = {name: fn for name, fn in globals().items()
         if callable(fn) and not name.startswith("_") and name not in (
             "image_name", "find_image", "load", "data", "save", "copy_image", "text",
             "need", "main", "Args", "Usage")
         and getattr(fn, "__module__", None) == __name__}


TOOLS["ICA_AROMA.py"] = TOOLS.pop("ICA_AROMA")  # the scripts' names
TOOLS["epidewarp.fsl"] = TOOLS.pop("epidewarp")


def main(tool: str) -> None:
    """Run the stand-in for FSL's ``tool`` with ``sys.argv[1:]``."""
    argv = sys.argv[1:]
    log = os.environ.get("FSL_STANDIN_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"tool": tool, "argv": argv, "cwd": os.getcwd()}) + "\n")
    try:
        TOOLS[tool](argv)
    except Usage as error:
        sys.stderr.write(f"{tool} (stand-in): {error}\n")
        sys.exit(1)
