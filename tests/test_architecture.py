"""docs/architecture.rst names real places: every ``package.module.name`` it cites exists,
and the six numbered steps are the ones interfaces.base.pipeline calls, in its order."""

import importlib
import inspect
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "architecture.rst"


def _cited() -> list[str]:
    return re.findall(r"``((?:imagecache|interfaces)(?:\.\w+)+)``", PAGE.read_text())


def _resolve(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)  # AttributeError: the page names something gone
        return obj
    raise ImportError(dotted)


def test_every_cited_name_exists():
    cited = _cited()
    assert len(cited) >= 15
    for dotted in cited:
        assert _resolve(dotted) is not None, dotted


def test_numbered_steps_follow_the_pipeline():
    from interfaces.base import pipeline

    rows = re.findall(r"\* - ``([\w.]+)``\n\s+- (\d)\. ", PAGE.read_text())
    named = [dotted.rsplit(".", 1)[1] for dotted, _ in sorted(rows, key=lambda r: r[1])]
    assert [n for _, n in sorted(rows, key=lambda r: r[1])] == list("123456")
    source = inspect.getsource(pipeline)
    calls = re.findall(r"(\w+)\([^\n]*# ([1-6])$", source, re.M)
    in_code = [name.split(".")[-1] for name, _ in sorted(calls, key=lambda c: c[1])]
    assert named == in_code
