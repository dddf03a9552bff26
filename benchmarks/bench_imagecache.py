"""Benchmark of imagecache.as_filename against hashing, nib.save and fslpy.

Run: ``python benchmarks/bench_imagecache.py`` (about 2-3 minutes; prints a
table; asserts nothing). Everything is measured side by side in one run, on a
256x256x256 float32 image stored as .nii.gz (random data, generated into a
temporary folder) and a 32x32x32 one:

(i)   clean, data never loaded: ``as_filename`` on both sizes (target <= 100 us,
      and the big one within 2x of the small one);
(ii)  data loaded with ``get_fdata()`` but unchanged: ``as_filename`` against
      an xxHash of that array (target <= 2x) and against ``nib.save`` of the
      image to .nii (target: as_filename >= 10x faster);
(iii) dirty, a voxel edited before each call: ``as_filename`` against
      ``nib.save`` to uncompressed .nii (target <= 1.3x), with the edit made
      through the ``get_data()`` array and through the ``get_fdata()`` cache;
(iv)  reference: what fslpy does for an in-memory image (its real
      ``fsl.wrappers.wrapperutils.fileOrImage`` machinery: a temporary
      .nii.gz per call, ``FSLOUTPUTTYPE`` unset) and ``nib.save`` to .nii.gz;
(v)   pickled size of the clean image, also after ``get_fdata()`` (<= 2 KiB);
(vi)  a header-only edit of an uncompressed .nii: ``as_filename`` (the voxel
      bytes copied in the kernel) against ``nib.save`` of the same image.

Install fslpy with ``pip install -e .[bench]``; without it row (iv) says so.
"""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import statistics
import sys
import tempfile
import time

import nibabel as nib
import numpy as np
import xxhash

import imagecache

BIG = (256, 256, 256)
SMALL = (32, 32, 32)


def timeit(fn, reps: int, *, setup=None, warmup: int = 1) -> float:
    """Median seconds of ``fn()`` over ``reps`` runs (``setup()`` untimed before each)."""
    for _ in range(warmup):
        if setup:
            setup()
        fn()
    times = []
    for _ in range(reps):
        if setup:
            setup()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def paired(fn_a, fn_b, reps: int, *, setup=None) -> tuple[float, float]:
    """Medians of ``fn_a()`` and ``fn_b()`` run alternately (disk-bound writes
    vary a lot over time on a virtual disk; alternating keeps the comparison fair)."""
    ta, tb = [], []
    for i in range(reps + 1):
        for fn, out in ((fn_a, ta), (fn_b, tb)) if i % 2 else ((fn_b, tb), (fn_a, ta)):
            if setup:
                setup()
            t0 = time.perf_counter()
            fn()
            if i:  # the first round warms up
                out.append(time.perf_counter() - t0)
    return statistics.median(ta), statistics.median(tb)


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:8.1f} ms"
    return f"{seconds:8.2f} s "


def make_image(folder: str, shape, name: str) -> str:
    rng = np.random.default_rng(0)
    data = rng.standard_normal(shape, dtype=np.float32)
    path = os.path.join(folder, name)
    nib.save(nib.Nifti1Image(data, np.diag([1.0, 1.0, 1.0, 1.0])), path)
    return path


def fslpy_writer(workdir: str):
    """fslpy's own input handling for an in-memory image, or None without fslpy."""
    try:
        from fsl.wrappers.wrapperutils import fileOrImage
    except ImportError:
        return None
    os.environ.pop("FSLOUTPUTTYPE", None)  # fslpy's default: NIFTI_GZ

    @fileOrImage("img")
    def tool(img):
        # a wrapped "tool" that only checks the file it was handed exists
        assert os.path.exists(img) and img.endswith(".nii.gz"), img
        return img

    return tool


def main() -> int:
    rows = []  # (case, measured, against, ratio text, target)

    def row(case, t, ref_name=None, ref_t=None, target="", invert=False):
        ratio = ""
        if ref_t is not None:
            ratio = f"{(ref_t / t if invert else t / ref_t):7.2f}x"
        rows.append((case, fmt(t), ref_name or "", fmt(ref_t) if ref_t is not None else "", ratio, target))

    work = tempfile.mkdtemp(prefix="bench-imagecache-")
    imagecache.set_temp_dir(work)
    try:
        t0 = time.perf_counter()
        big = make_image(work, BIG, "big.nii.gz")
        small = make_image(work, SMALL, "small.nii.gz")
        print(f"# generated {BIG} and {SMALL} float32 .nii.gz in {time.perf_counter() - t0:.1f} s "
              f"({os.path.getsize(big) / 2**20:.0f} MiB compressed)", file=sys.stderr)

        # (i) clean, data never loaded -------------------------------------
        img_big = imagecache.load(big)
        img_small = imagecache.load(small)
        assert imagecache.as_filename(img_big) == os.path.abspath(big)
        t_clean_big = timeit(lambda: imagecache.as_filename(img_big), 3000, warmup=50)
        t_clean_small = timeit(lambda: imagecache.as_filename(img_small), 3000, warmup=50)
        row("(i) clean, never loaded: as_filename 256^3", t_clean_big, target="<= 100 us")
        row("(i) clean, never loaded: as_filename 32^3", t_clean_small)
        row("(i) 256^3 vs 32^3", t_clean_big, "as_filename 32^3", t_clean_small, "<= 2x")
        # (v) pickled size, clean
        size_clean = len(pickle.dumps(img_big))

        # (ii) loaded (get_fdata) but unchanged --------------------------------
        img = imagecache.load(big)
        data = img.get_fdata()
        pf = imagecache.prepare_file(img)
        assert pf.origin == "original" and pf.bytes_written == 0, pf
        size_loaded = len(pickle.dumps(img))
        t_loaded = timeit(lambda: imagecache.as_filename(img), 15, warmup=2)
        raw = data.T if data.flags.f_contiguous else np.ascontiguousarray(data)  # its bytes, no copy
        t_hash = timeit(lambda: xxhash.xxh3_128(memoryview(raw).cast("B")).digest(), 15, warmup=2)
        out_nii = os.path.join(work, "saved.nii")
        plain = nib.Nifti1Image(data, img.affine, img.header)  # float32 on disk, as the file
        t_save_nii = timeit(lambda: nib.save(plain, out_nii), 7, warmup=1)
        row("(ii) get_fdata'd, unchanged: as_filename", t_loaded, "xxh3 of the array", t_hash, "<= 2x")
        row("(ii) get_fdata'd, unchanged: as_filename", t_loaded, "nib.save .nii", t_save_nii,
            ">= 10x faster", invert=True)
        del plain
        gc.collect()

        # (iii) dirty: a new voxel edit before every call ---------------------
        img_d = imagecache.load(big)
        arr = img_d.get_data()  # float32: the image's own array
        counter = iter(range(10**9))

        def edit_array():
            i = next(counter)
            arr[i % 256, (i // 256) % 256, 7] = float(i)

        def edit_array_synced():
            # Writes of 64 MiB are bound by the disk's write-back: start each
            # timed write (ours and nibabel's) with no dirty pages pending.
            edit_array()
            os.sync()

        plain_d = nib.Nifti1Image(arr, img_d.affine, img_d.header)
        fresh = iter(range(10**9))
        # as_filename writes a new file per state (a tool may still read the
        # previous one), as fslpy does per call: the like-for-like baseline
        t_dirty_arr, t_save_new = paired(
            lambda: imagecache.as_filename(img_d),
            lambda: nib.save(plain_d, os.path.join(work, f"new-{next(fresh)}.nii")),
            9, setup=edit_array_synced)
        assert imagecache.prepare_file(img_d).origin == "temporary"
        _, t_save_d = paired(lambda: None, lambda: nib.save(plain_d, out_nii), 9, setup=edit_array_synced)
        row("(iii) dirty via get_data(): as_filename", t_dirty_arr, "nib.save .nii, new file", t_save_new,
            "<= 1.3x")
        row("(iii) dirty via get_data(): as_filename", t_dirty_arr, "nib.save .nii, same file", t_save_d,
            "<= 1.3x")
        del arr, plain_d, img_d
        gc.collect()

        img_f = imagecache.load(big)
        cache = img_f.get_fdata()

        def edit_cache():
            i = next(counter)
            cache[i % 256, (i // 256) % 256, 9] = float(i)
            os.sync()

        # its baseline: nib.save of that float64 array into the float32 file type
        plain_f = nib.Nifti1Image(cache, img_f.affine, img_f.header)
        t_dirty_cache, t_save_f = paired(
            lambda: imagecache.as_filename(img_f),
            lambda: nib.save(plain_f, os.path.join(work, f"new-{next(fresh)}.nii")),
            9, setup=edit_cache)
        assert imagecache.prepare_file(img_f).origin == "temporary"
        row("(iii) dirty via get_fdata() cache: as_filename", t_dirty_cache,
            "nib.save .nii (f64->f32), new file", t_save_f, "<= 1.3x")
        del plain_f
        del cache, img_f
        gc.collect()

        # (vi) header-only edit of an uncompressed .nii: voxel bytes copied in the kernel
        big_nii = os.path.join(work, "big-uncompressed.nii")
        nib.save(nib.load(big), big_nii)
        img_h = imagecache.load(big_nii)
        plain_h = nib.load(big_nii)
        names = iter(range(10**9))

        def edit_header():
            img_h.header["descrip"] = f"edit {next(names)}".encode()
            os.sync()

        t_header, t_save_h = paired(
            lambda: imagecache.as_filename(img_h),
            lambda: nib.save(plain_h, os.path.join(work, f"new-{next(fresh)}.nii")),
            9, setup=edit_header)
        row("(vi) header-only edit, .nii: as_filename", t_header, "nib.save .nii, new file", t_save_h,
            "~0.12x")
        del img_h, plain_h
        gc.collect()

        # (iv) references: fslpy, nib.save .nii.gz ---------------------------
        mem = nib.Nifti1Image(np.asanyarray(nib.load(big).dataobj), nib.load(big).affine)
        tool = fslpy_writer(work)
        if tool is not None:
            t_fsl = timeit(lambda: tool(mem), 3, setup=os.sync, warmup=0)
            row("(iv) fslpy fileOrImage, in-memory image", t_fsl, "nib.save .nii, new file", t_save_new)
        else:
            rows.append(("(iv) fslpy fileOrImage: fslpy not installed", "", "", "", "", ""))
        out_gz = os.path.join(work, "saved.nii.gz")
        t_save_gz = timeit(lambda: nib.save(mem, out_gz), 3, setup=os.sync, warmup=0)
        row("(iv) nib.save .nii.gz", t_save_gz, "nib.save .nii, new file", t_save_new)
        row("(iv) dirty as_filename vs fslpy's per-call write", t_dirty_arr,
            "fslpy fileOrImage" if tool else "nib.save .nii.gz", t_fsl if tool else t_save_gz,
            "(faster)", invert=True)

        # (v) pickled sizes ---------------------------------------------------
        rows.append(("(v) pickle of the clean image", f"{size_clean:8d} B ", "", "", "", "<= 2048 B"))
        rows.append(("(v) pickle after get_fdata()", f"{size_loaded:8d} B ", "", "", "", "<= 2048 B"))
    finally:
        imagecache.set_temp_dir(None)
        shutil.rmtree(work, ignore_errors=True)

    headers = ("case", "median", "against", "its median", "ratio", "target")
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print("\nratio: median / its median; for '>= 10x faster' and '(faster)': its median / median.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
