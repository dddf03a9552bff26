"""File formats: recognising a file's format and choosing one a tool accepts.

A *format token* names what a tool accepts. It is one of

- an extension: ``".nii"``, ``".nii.gz"``, ``".img"`` (same as ``".hdr"``),
  ``".img.gz"``, ``".mgh"``, ``".mgz"``, ``".mnc"``;
- a family: ``"nifti1"``, ``"nifti2"``, ``"analyze"``, ``"mgh"``, ``"minc"``;
- both: ``"nifti1:.nii.gz"``.

An image matches a token when its file has that extension and its class belongs
to that family. The first token decides the format of a converted temporary.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import nibabel as nib

from .errors import UnsupportedFormatError

__all__ = [
    "Format",
    "parse_formats",
    "file_extension",
    "named_as_image",
    "family_of",
    "nibabel_class",
    "DEFAULT_TEMP_FORMAT",
]

# Longest first, so ".nii.gz" wins over ".gz"-less forms.
_EXTENSIONS = (".nii.gz", ".img.gz", ".hdr.gz", ".nii", ".img", ".hdr", ".mgz", ".mgh", ".mnc", ".mat")
_SAME = {".hdr": ".img", ".hdr.gz": ".img.gz"}
FAMILIES = ("nifti1", "nifti2", "analyze", "mgh", "minc")


def file_extension(path: str) -> str:
    """The format extension of ``path`` (lower case, ``.hdr`` folded to ``.img``)."""
    low = os.fspath(path).lower()
    for ext in _EXTENSIONS:
        if low.endswith(ext):
            return _SAME.get(ext, ext)
    return os.path.splitext(low)[1]


def named_as_image(path: str) -> bool:
    """True when ``path``'s extension is one a nibabel image class claims
    (``.nii``, ``.mgz``, ``.HEAD``, ``.PAR``..., compressed or not)."""
    from nibabel.imageclasses import all_image_classes

    low = os.fspath(path).lower()
    for compressed in (".gz", ".bz2", ".zst"):
        if low.endswith(compressed):
            low = low[: -len(compressed)]
            break
    return any(low.endswith(ext) for klass in all_image_classes for ext in klass.valid_exts)


def nibabel_class(cls) -> type:
    """The first nibabel class in ``cls``'s ancestry (strips imagecache's subclass)."""
    for klass in cls.__mro__:
        if klass.__module__.startswith("nibabel."):
            return klass
    return cls


def family_of(image_class) -> str:
    """The format family of a nibabel image class."""
    if issubclass(image_class, (nib.Nifti2Image, nib.Nifti2Pair)):
        return "nifti2"
    if issubclass(image_class, (nib.Nifti1Image, nib.Nifti1Pair)):
        return "nifti1"
    if issubclass(image_class, nib.AnalyzeImage):
        return "analyze"
    if issubclass(image_class, nib.MGHImage):
        return "mgh"
    if issubclass(image_class, (nib.Minc1Image, nib.Minc2Image)):
        return "minc"
    return image_class.__name__.lower()


@dataclass(frozen=True)
class Format:
    """One accepted format: a family, an extension, or both (``None`` = any)."""

    family: str | None
    extension: str | None

    def matches(self, image_class, path: str) -> bool:
        """True when a file ``path`` holding an ``image_class`` image is acceptable."""
        if self.family is not None and family_of(image_class) != self.family:
            return False
        return self.extension is None or file_extension(path) == self.extension

    def writer_for(self, image_class):
        """The nibabel class and extension to write a temporary of ``image_class`` in."""
        family = self.family or _family_for_extension(self.extension, family_of(image_class))
        ext = self.extension or _DEFAULT_EXT[family]
        single = ext in (".nii", ".nii.gz")
        if family == "nifti2":
            return (nib.Nifti2Image if single else nib.Nifti2Pair), ext
        if family == "nifti1":
            return (nib.Nifti1Image if single else nib.Nifti1Pair), ext
        if family == "analyze":
            keep = family_of(image_class) == "analyze"  # e.g. SPM2 stays SPM2
            return (nibabel_class(image_class) if keep else nib.AnalyzeImage), ext
        if family == "mgh":
            return nib.MGHImage, ext
        raise UnsupportedFormatError(
            f"nibabel cannot write {family!r} files ({ext}); accept another format "
            "such as '.nii' so that a converted temporary can be written"
        )


_DEFAULT_EXT = {"nifti1": ".nii", "nifti2": ".nii", "analyze": ".img", "mgh": ".mgh", "minc": ".mnc"}


def _family_for_extension(ext: str, source_family: str) -> str:
    if ext in (".nii", ".nii.gz"):
        return "nifti2" if source_family == "nifti2" else "nifti1"
    if ext in (".img", ".img.gz"):
        return source_family if source_family in ("nifti1", "nifti2", "analyze") else "nifti1"
    if ext in (".mgh", ".mgz"):
        return "mgh"
    if ext == ".mnc":
        return "minc"
    raise UnsupportedFormatError(f"unknown image extension {ext!r} in formats")


DEFAULT_TEMP_FORMAT = Format(None, ".nii")


def parse_formats(formats) -> tuple[Format, ...] | None:
    """Turn the ``formats`` argument into :class:`Format` objects (``None`` = any).

    Raises
    ------
    UnsupportedFormatError
        For a token that names no known family or extension.
    """
    if formats is None:
        return None
    if isinstance(formats, str):
        formats = (formats,)
    out = []
    for token in formats:
        token = str(token).strip().lower()
        family, _, ext = token.rpartition(":") if ":" in token else ("", "", token)
        if not family and not ext.startswith("."):
            family, ext = ext, ""
        if family and family not in FAMILIES:
            raise UnsupportedFormatError(
                f"unknown format family {family!r} in formats={formats!r}; use one of {FAMILIES}"
            )
        if ext:
            ext = _SAME.get(ext, ext)
            if ext not in _EXTENSIONS:
                raise UnsupportedFormatError(
                    f"unknown image extension {ext!r} in formats={formats!r}; "
                    f"use one of {sorted(set(_EXTENSIONS) - {'.mat', '.hdr', '.hdr.gz'})}"
                )
        out.append(Format(family or None, ext or None))
    if not out:
        raise UnsupportedFormatError("formats is empty; pass None to accept any format")
    return tuple(out)
