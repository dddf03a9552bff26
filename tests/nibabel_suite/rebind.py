"""pytest plugin: run nibabel's own tests against imagecache's image classes.

Loaded with ``-p rebind`` in a child pytest (see ``tests/test_nibabel_suite.py``).
Before the tests run it rebinds, in every collected nibabel test module,

- module-level names bound to a nibabel image class (``Nifti1Image``, ...),
- test classes' ``image_class``, ``klass``, ``img_klass`` and ``loader``
  attributes that are image classes,

to the tracked subclasses from :mod:`imagecache.images`, and replaces
``nibabel.load`` (and ``nibabel.loadsave.load``) with :func:`imagecache.load`.
"""

from __future__ import annotations

import inspect

import nibabel
import nibabel.loadsave
from nibabel.dataobj_images import DataobjImage

import imagecache
from imagecache.images import tracked_class

_ATTRS = ("image_class", "klass", "img_klass", "loader", "image_klass")


def _is_image_class(value) -> bool:
    return (
        inspect.isclass(value)
        and issubclass(value, DataobjImage)
        and value.__module__.startswith("nibabel.")
    )


def _tracked(value):
    if not _is_image_class(value):
        return value
    try:
        tracked = tracked_class(value)
    except Exception:  # pragma: no cover - a class nibabel cannot subclass
        return value
    return tracked


def _rebind_loader(value):
    if value is nibabel.load or value is nibabel.loadsave.load:
        return imagecache.load
    return _tracked(value)


def pytest_configure(config):
    nibabel.load = imagecache.load
    nibabel.loadsave.load = imagecache.load
    config._imagecache_rebound = 0


def pytest_collection_modifyitems(session, config, items):
    modules, classes = set(), set()
    for item in items:
        mod = getattr(item, "module", None)
        if mod is not None and mod not in modules:
            modules.add(mod)
            for name, value in list(vars(mod).items()):
                new = _rebind_loader(value) if name == "load" else _tracked(value)
                if new is not value:
                    setattr(mod, name, new)
                    config._imagecache_rebound += 1
        cls = getattr(item, "cls", None)
        if cls is not None and cls not in classes:
            classes.add(cls)
            for attr in _ATTRS:
                value = getattr(cls, attr, None)
                new = _rebind_loader(value) if attr == "loader" else _tracked(value)
                if new is not value and new is not None:
                    setattr(cls, attr, new)
                    config._imagecache_rebound += 1


def pytest_report_header(config):
    return "imagecache: nibabel.load -> imagecache.load; image classes -> tracked subclasses"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    terminalreporter.write_line(f"imagecache-rebound: {config._imagecache_rebound}")
