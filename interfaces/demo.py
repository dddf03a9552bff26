"""``imageshell demo``: what ``as_filename`` hands a tool, step by step, on a real image.

Runs on data nibabel ships (``nibabel/tests/data/anatomical.nii`` and
``example4d.nii.gz``), so it needs nothing beyond the installed packages.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

__all__ = ["main", "default_data"]


def default_data() -> dict[str, Path]:
    """Paths of the real images the demo uses (shipped with nibabel)."""
    import nibabel

    data = Path(nibabel.__file__).parent / "tests" / "data"
    return {"anatomical": data / "anatomical.nii", "functional": data / "example4d.nii.gz"}


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


def main(argv=None) -> int:
    """Print, for each step, whether the original file or a temporary is handed over."""
    import imagecache

    parser = argparse.ArgumentParser(prog="imageshell demo", description=__doc__)
    parser.add_argument("image", nargs="?", help="image file (default: nibabel's anatomical.nii)")
    args = parser.parse_args(argv)
    path = Path(args.image) if args.image else default_data()["anatomical"]
    print(f"imageshell demo: what as_filename hands a tool for {path}\n")
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
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
