"""Tool families: where a family's executables live and how its tools behave.

A :class:`Family` is declared once per tool package (FSL, ANTs, coreutils...)
and shared by its wrappers.  It answers, declaratively:

* where to look for an executable (``$FSLDIR/bin`` first, then ``PATH``),
* what to tell the user when it is missing (the package hint),
* which image extension the tools write (e.g. from ``FSLOUTPUTTYPE``) and
  which environment the tools need so that they agree with us,
* which image formats the tools read,
* how to find the version (``--version`` output, or a file under the home).
"""

from __future__ import annotations

import os
import shutil
from types import MappingProxyType

__all__ = ["Family", "LOCAL"]

_EMPTY = MappingProxyType({})


class Family:
    """The shared facts about the tools of one package.

    Parameters
    ----------
    name : str
        Short name, the prefix of the family's interfaces in
        ``imageshell list`` (e.g. ``"fsl"``).
    package_hint : str
        What to do when an executable is missing, e.g. ``"Install FSL and set
        FSLDIR"``.
    home_env : str, optional
        Environment variable naming the package's install folder, e.g.
        ``"FSLDIR"``; executables are looked for in ``$home_env/bin_subdir``
        before ``PATH``.
    bin_subdir : str, default "bin"
    output_type_env : str, optional
        Environment variable selecting the image format the tools write, e.g.
        ``"FSLOUTPUTTYPE"``.
    output_types : mapping of str to str, optional
        Values of ``output_type_env`` and their extensions, e.g.
        ``{"NIFTI": ".nii", "NIFTI_GZ": ".nii.gz"}``.
    default_output_type : str, optional
        Used when ``output_type_env`` is unset; passed to the tools so that the
        files they write match the names we expect.
    image_extension : str, default ".nii.gz"
        Extension of image outputs when the family has no ``output_type_env``.
    output_type_renames : bool, default False
        The tools write an image output under the output type's extension,
        whatever image extension its name has or lacks (FSL: ``brain`` and
        ``brain.nii`` are written as ``brain.nii.gz`` under ``NIFTI_GZ``).
        Outputs are then looked for under that name; the argument passed is
        the name as given.
    image_formats : tuple of str, optional
        Extensions the tools read (default for every ``Image`` input of the
        family); None accepts any format.
    environ : mapping, optional
        Extra environment variables for the tools.
    version_args : tuple of str or None, default ("--version",)
        Arguments that make an executable print its version; None: don't ask.
    version_file : str, optional
        File, relative to the home folder, holding the package's version
        (e.g. ``"etc/fslversion"``); used before ``version_args``.
    bin_dirs : callable, optional
        Returns folders to search after the home folder and before ``PATH``
        (e.g. NiftyReg's ``niftyreg.bin_path``, known only to its Python
        package); called at lookup time, so an import it needs costs nothing
        until a tool is looked up.  Errors it raises (the package is not
        installed) count as no folders.
    """

    def __init__(
        self,
        name: str,
        *,
        package_hint: str = "",
        home_env: str | None = None,
        bin_subdir: str = "bin",
        output_type_env: str | None = None,
        output_types=None,
        default_output_type: str | None = None,
        image_extension: str = ".nii.gz",
        output_type_renames: bool = False,
        image_formats=None,
        environ=None,
        version_args=("--version",),
        version_file: str | None = None,
        bin_dirs=None,
    ):
        self.name = name
        self.package_hint = package_hint
        self.home_env = home_env
        self.bin_subdir = bin_subdir
        self.output_type_env = output_type_env
        self.output_types = MappingProxyType(dict(output_types or {}))
        self.default_output_type = default_output_type
        self.image_extension = image_extension
        self.output_type_renames = output_type_renames
        self.image_formats = tuple(image_formats) if image_formats else None
        self.environ = MappingProxyType(dict(environ or {})) if environ else _EMPTY
        self.version_args = tuple(version_args) if version_args else None
        self.version_file = version_file
        self.bin_dirs = bin_dirs
        #: Lookups already made: {(executable, home, PATH): absolute path}.
        self._found: dict = {}

    def __repr__(self) -> str:
        return f"Family({self.name!r})"

    def home(self) -> str | None:
        """The package's install folder from ``home_env``, if set."""
        if self.home_env:
            return os.environ.get(self.home_env) or None
        return None

    def find_executable(self, executable: str) -> str | None:
        """Absolute path of ``executable``, or None when it cannot be found.

        A name with a path separator is used as is; otherwise
        ``$home_env/bin_subdir`` is searched before ``PATH``.
        """
        if os.sep in executable or (os.altsep and os.altsep in executable):
            path = os.path.abspath(executable)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
            return None
        home = self.home()
        key = (executable, home, os.environ.get("PATH"))
        found = self._found.get(key)
        if found is not None and os.access(found, os.X_OK):
            return found  # a search of PATH costs more than a run of `true`
        found = None
        if home:
            found = shutil.which(executable, path=os.path.join(home, self.bin_subdir))
        if not found and self.bin_dirs is not None:
            dirs = self.extra_bin_dirs()
            if dirs:
                found = shutil.which(executable, path=os.pathsep.join(dirs))
        if not found:
            found = shutil.which(executable)
        if not found:
            return None
        found = os.path.abspath(found)
        self._found[key] = found
        return found

    def extra_bin_dirs(self) -> list[str]:
        """The folders ``bin_dirs`` names now (empty when it fails)."""
        try:
            dirs = self.bin_dirs() if callable(self.bin_dirs) else self.bin_dirs
            return [os.fspath(d) for d in (dirs or ())]
        except Exception:  # e.g. ImportError: the package that knows is not installed
            return []

    def missing_message(self, executable: str) -> str:
        """What to say when ``executable`` is not found."""
        where = "PATH"
        if self.home_env:
            home = self.home()
            where = (
                f"${self.home_env}/{self.bin_subdir} ({home}) or PATH"
                if home
                else f"PATH (and ${self.home_env} is not set)"
            )
        if self.bin_dirs is not None:
            dirs = self.extra_bin_dirs()
            where = f"{', '.join(dirs)} or {where}" if dirs else where
        hint = self.package_hint or (
            f"Install the program that provides {executable!r} and put it on PATH."
        )
        return f"executable {executable!r} not found in {where}. {hint}"

    def output_type(self, override: str | None = None) -> str | None:
        """Current value of ``output_type_env`` (or its default); ``override``
        (one run's choice) wins over both."""
        if not self.output_type_env:
            return None
        return override or os.environ.get(self.output_type_env) or self.default_output_type

    def output_extension(self, output_type: str | None = None) -> str:
        """Extension of the image files the tools write now, e.g. ``".nii.gz"``
        (for ``output_type`` when given)."""
        kind = self.output_type(output_type)
        if kind is not None:
            try:
                return self.output_types[kind]
            except KeyError:
                known = ", ".join(self.output_types)
                raise ValueError(
                    f"{self.output_type_env}={kind!r} is not one of {known}: "
                    f"set it to one of these."
                ) from None
        return self.image_extension

    def image_written_as(self, path: str, output_type: str | None = None) -> str:
        """The file the tools write for an image output named ``path``: with
        ``output_type_renames``, ``path`` without its image extension (if
        any) plus the output type's; else ``path``."""
        if not self.output_type_renames:
            return path
        # the output types' extensions, and .hdr for a pair's .img; longest first
        known = set(self.output_types.values())
        known |= {ext.replace(".img", ".hdr") for ext in known}
        lowered = path.lower()
        for ext in sorted(known, key=len, reverse=True):
            if lowered.endswith(ext):
                path = path[: -len(ext)]
                break
        return path + self.output_extension(output_type)

    def child_environ(self, output_type: str | None = None) -> dict | None:
        """Environment for the tools, or None to inherit ours unchanged.

        Pins ``output_type_env`` to the value our output names assume
        (``output_type`` when given).
        """
        extra = dict(self.environ)
        kind = self.output_type(output_type)
        if kind is not None and os.environ.get(self.output_type_env) != kind:
            extra[self.output_type_env] = kind
        if not extra:
            return None
        env = dict(os.environ)
        env.update(extra)
        return env


#: Family of tools found on ``PATH`` with no package-specific knowledge.
LOCAL = Family("local")
