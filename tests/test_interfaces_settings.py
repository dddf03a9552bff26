"""One settings object for the process-wide settings, with an override
context manager; each setting does what it says."""

from __future__ import annotations

import os

import pytest

import imagecache
from interfaces import set_cache, settings
from interfaces.base import provenance
from interfaces.coreutils import cp
from interfaces_helpers import ANATOMICAL


def test_override_sets_and_restores_every_setting(tmp_path):
    before = settings.as_dict()
    with settings.override(workdir=tmp_path / "w", cache=tmp_path / "c", hash_contents=True,
                           provenance=False, temp_dir=tmp_path / "t",
                           shared_dir=tmp_path / "s") as s:
        assert s.as_dict() == {
            "workdir": str(tmp_path / "w"), "cache": str(tmp_path / "c"),
            "hash_contents": True, "provenance": False, "temp_dir": str(tmp_path / "t"),
            "shared_dir": str(tmp_path / "s")}
    assert settings.as_dict() == before


def test_override_restores_after_an_error_and_rejects_unknown_names(tmp_path):
    before = settings.as_dict()
    with pytest.raises(RuntimeError):
        with settings.override(provenance=False):
            raise RuntimeError("in the block")
    assert settings.as_dict() == before
    with pytest.raises(TypeError, match="no setting 'cahce'"):
        with settings.override(cahce=tmp_path):
            pass


def test_settings_steer_the_runs(tmp_path, monkeypatch):
    monkeypatch.delenv("IMAGESHELL_CACHE", raising=False)
    with settings.override(workdir=tmp_path / "runs", cache=tmp_path / "cache",
                           provenance=False):
        first = cp().run(in_file=ANATOMICAL)
        again = cp().run(in_file=ANATOMICAL)
        assert not first.cache_hit and again.cache_hit
        assert first.runtime.cwd.startswith(str(tmp_path / "cache"))
        assert not os.path.exists(os.path.join(first.runtime.cwd, "provenance.json"))
    with settings.override(workdir=tmp_path / "runs"):
        plain = cp().run(in_file=ANATOMICAL)
    assert os.path.dirname(plain.runtime.cwd) == str(tmp_path / "runs")
    assert os.path.exists(os.path.join(plain.runtime.cwd, "provenance.json"))


def test_the_environment_variable_is_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("IMAGESHELL_WORKDIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("IMAGESHELL_PROVENANCE", "0")
    assert settings.workdir == str(tmp_path / "from-env")
    assert settings.provenance is False
    with settings.override(workdir=tmp_path / "set"):
        assert settings.workdir == str(tmp_path / "set")
    assert settings.workdir == str(tmp_path / "from-env")


def test_older_setters_are_the_same_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("IMAGESHELL_CACHE", raising=False)
    try:
        set_cache(tmp_path / "c")
        assert settings.cache == str(tmp_path / "c")
        provenance.set_provenance(False)
        assert settings.provenance is False
    finally:
        set_cache(None)
        provenance.set_provenance(None)
    with settings.override(temp_dir=tmp_path / "t"):
        (tmp_path / "t").mkdir()
        assert imagecache.get_temp_dir().startswith(str(tmp_path / "t"))
