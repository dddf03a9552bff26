"""The project's own promises: the README's commands, CI, a warning-free docs build, and a
tool reference in the built site for every registered interface."""

import inspect
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_readme_starts_with_demo_and_test_commands():
    demo, tests = _readme_commands()[:2]
    assert demo.endswith("imageshell demo")
    assert "pytest" in tests


def test_ci_runs_the_readmes_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _readme_commands()[1] in [line.strip() for line in ci]


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory):
    """The site, built once for this module with warnings as errors: (process, html folder)."""
    out = tmp_path_factory.mktemp("docs") / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(ROOT / "docs"), str(out)],
        capture_output=True, text=True,
    )
    return proc, out


def test_docs_build_without_warnings(built_docs):
    proc, html = built_docs
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (html / "images.html").exists()


class _Reference(HTMLParser):
    """What a reader sees of each interface on a reference page: its section's title
    (``h2``), first paragraph, and the names in the Inputs and Outputs lists."""

    def __init__(self):
        super().__init__()
        self.found = {}
        self._tags = []
        self._current = None  # the interface whose section we are in
        self._part = None     # "Inputs" / "Outputs"
        self._text = ""

    def handle_starttag(self, tag, attrs):
        self._tags.append(tag)
        if tag in ("h2", "h3", "dt", "p"):
            self._text = ""

    def handle_endtag(self, tag):
        while self._tags and self._tags.pop() != tag:
            pass
        text = self._text.replace("¶", "").strip()
        if tag == "h2":
            self._current = text
            self._part = None
            self.found[text] = {"summary": None, "Inputs": [], "Outputs": []}
        elif tag == "h3" and self._current:
            self._part = text
        elif tag == "p" and self._current and self.found[self._current]["summary"] is None:
            self.found[self._current]["summary"] = " ".join(text.split())
        elif tag == "dt" and self._current and self._part in ("Inputs", "Outputs"):
            self.found[self._current][self._part].append(text.split(" (", 1)[0])

    def handle_data(self, data):
        self._text += data


def test_reference_pages_hold_every_registered_interface(built_docs):
    from interfaces.base.help import plain_text
    from interfaces.base.registry import all_interfaces

    proc, html = built_docs
    assert proc.returncode == 0, proc.stdout + proc.stderr
    registry = all_interfaces()
    pages = {}
    for family in sorted({cls.family.name for cls in registry.values()}):
        page = html / "reference" / f"{family}.html"
        assert page.exists(), f"no reference page for family {family}"
        parser = _Reference()
        parser.feed(page.read_text())
        pages.update(parser.found)
    assert set(pages) == set(registry)  # every interface, and nothing that is not one
    for name, cls in registry.items():
        seen = pages[name]
        assert seen["Inputs"] == list(cls.Inputs.spec_traits()), name
        assert seen["Outputs"] == list(cls.output_spec().spec_traits()), name
        summary = " ".join(plain_text(inspect.getdoc(cls).split("\n\n")[0]).split())
        assert _plain_quotes(seen["summary"]) == _plain_quotes(summary), name


def _plain_quotes(text: str) -> str:
    """Sphinx's smart quotes and dashes back to the typed ones."""
    for smart, typed in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
                         ("\u2013", "--"), ("\u2014", "---"), ("\u2026", "...")):
        text = text.replace(smart, typed)
    return text


# --- the site in a real browser (headless Chromium, installed by .ci/install) -------


def test_site_has_no_broken_internal_links(built_docs):
    from browser import broken_links

    proc, html = built_docs
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert broken_links(html) == []


@pytest.mark.parametrize("page", ["index.html", "images.html", "tutorial.html", "interfaces.html",
                                  "reference/fsl.html"])
def test_pages_in_a_real_browser_at_1200px(built_docs, tmp_path, page):
    from browser import look_at

    proc, html = built_docs
    assert proc.returncode == 0, proc.stdout + proc.stderr
    seen = look_at(html / page, tmp_path / "chromium", width=1200)
    assert seen["width"] == 1200
    assert all(loaded for _, loaded in seen["images"]), seen["images"]
    assert seen["wide"] == [], f"code blocks wider than their box on {page}: {seen['wide']}"
    assert seen["overflow"] <= 0, f"{page} is {seen['overflow']} px wider than the window"


def test_the_browser_check_sees_a_cut_off_block_and_a_missing_image(tmp_path):
    from browser import look_at

    page = tmp_path / "bad.html"
    page.write_text("<html><body><div style='width:300px'><pre style='overflow:auto'>"
                    + "x" * 400 + "</pre></div><img src='missing.png'></body></html>")
    seen = look_at(page, tmp_path / "chromium")
    assert seen["wide"] == ["x" * 400]
    assert seen["images"] == [["missing.png", False]]
