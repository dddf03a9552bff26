"""The process-wide settings, in one place, with a context manager to
override them for a block.

===============  =============``workdir`` (``IMAGESHELL_WORKDIR``)
    the folder below which each run gets its own folder (default: the
    system temporary folder);
``cache`` (``IMAGESHELL_CACHE``)
    the folder of the result cache (default: none, runs are not cached);
``hash_contents`` (``IMAGESHELL_CACHE_CONTENTS``)
    key input files by content (``1``) rather than by ``stat``;
``provenance`` (``IMAGESHELL_PROVENANCE``)
    write ``provenance.json`` records (``0``: no; default: yes);
``temp_dir`` (``IMAGECACHE_TMPDIR``)
    the folder of imagecache's temporaries;
``shared_dir`` (``IMAGESHELL_SHARED_DIR``)
    a folder every worker of ``run_many`` reads.

Reading a setting gives its value now: one set for the process, else the
environment variable, else the default.  Assigning sets it for the process
(``None``: back to the environment variable)::

    from interfaces import settings
    settings.cache = "/scratch/cache"
    with settings.override(provenance=False, workdir=tmp):
        ...                              # restored on the way out

The older setters (:func:`interfaces.set_cache`, :func:`interfaces.set_provenance`,
:func:`interfaces.set_shared_dir`) set the same values.  ``temp_dir`` is
imagecache's (:func:`imagecache.set_temp_dir`), which keeps its own: reading
it here sees only what was set here or in ``IMAGECACHE_TMPDIR``.
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["Settings", "settings"]

_NAMES = ("workdir", "cache", "hash_contents", "provenance", "temp_dir", "shared_dir")


class Settings:
    """The process-wide settings (see the module docstring)."""

    def __init__(self):
        self._temp_dir = None  # what was set through here (imagecache keeps its own)

    # -- each setting: its value, and its raw state for override() -------------------

    @property
    def workdir(self) -> str:
        from . import workdirs

        return workdirs.root(create=False)

    @workdir.setter
    def workdir(self, value):
        from . import workdirs

        workdirs._override["root"] = None if value is None else os.path.abspath(os.fspath(value))

    @property
    def cache(self) -> str | None:
        from .cache import get_cache

        return get_cache()

    @cache.setter
    def cache(self, value):
        from .cache import set_cache

        set_cache(value)  # a path, False (off) or None (the environment variable)

    @property
    def hash_contents(self) -> bool:
        from .cache import _contents

        return _contents()

    @hash_contents.setter
    def hash_contents(self, value):
        from . import cache

        cache._setting["contents"] = None if value is None else bool(value)

    @property
    def provenance(self) -> bool:
        from .provenance import _wanted

        return _wanted()

    @provenance.setter
    def provenance(self, value):
        from .provenance import set_provenance

        set_provenance(None if value is None else bool(value))

    @property
    def temp_dir(self) -> str:
        import tempfile

        return self._temp_dir or os.environ.get("IMAGECACHE_TMPDIR") or tempfile.gettempdir()

    @temp_dir.setter
    def temp_dir(self, value):
        import imagecache

        self._temp_dir = None if value is None else os.path.abspath(os.fspath(value))
        imagecache.set_temp_dir(self._temp_dir)

    @property
    def shared_dir(self) -> str | None:
        from ..parallel import get_shared_dir

        return get_shared_dir()

    @shared_dir.setter
    def shared_dir(self, value):
        from .. import parallel

        if value is None:
            parallel._shared["dir"] = parallel._UNSET
        else:
            parallel.set_shared_dir(value)

    def _raw(self) -> dict:
        from .. import parallel
        from . import cache, provenance, workdirs

        return {"workdir": workdirs._override["root"], "cache": cache._setting["folder"],
                "hash_contents": cache._setting["contents"],
                "provenance": provenance._enabled["on"], "temp_dir": self._temp_dir,
                "shared_dir": parallel._shared["dir"]}

    def _restore(self, raw: dict) -> None:
        from .. import parallel
        from . import cache, provenance, workdirs

        workdirs._override["root"] = raw["workdir"]
        cache._setting["folder"] = raw["cache"]
        cache._setting["contents"] = raw["hash_contents"]
        provenance._enabled["on"] = raw["provenance"]
        if raw["temp_dir"] != self._temp_dir:
            self.temp_dir = raw["temp_dir"]
        parallel._shared["dir"] = raw["shared_dir"]

    @contextlib.contextmanager
    def override(self, **values):
        """Set some settings for the ``with`` block, and restore all of them
        after it (even when it raises)."""
        unknown = sorted(set(values) - set(_NAMES))
        if unknown:
            raise TypeError(f"settings.override: no setting {', '.join(map(repr, unknown))}; "
                            f"the settings are {', '.join(_NAMES)}.")
        saved = self._raw()
        try:
            for name, value in values.items():
                setattr(self, name, value)
            yield self
        finally:
            self._restore(saved)

    def as_dict(self) -> dict:
        """Every setting's value now."""
        return {name: getattr(self, name) for name in _NAMES}

    def __repr__(self) -> str:
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items()) + ")"


#: The settings of this process.
settings = Settings()
