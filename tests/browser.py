"""What a reader sees of a page, rendered by a real browser (headless Chromium).

:func:`look_at` opens a copy of an HTML page, with a probe script added, in
headless Chromium at a given window width, and returns what the probe saw:
each image and whether it loaded, and each code block wider than its box
(cut off or scrolled), and how far the page itself is wider than the
window (``overflow``, px). :func:`broken_links` checks a built site's internal
links (files and ``#fragments``) without a browser.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

PROBE = """
<script>
window.addEventListener("load", () => {
  const images = [...document.images].map(i => [i.getAttribute("src"), i.complete && i.naturalWidth > 0]);
  const wide = [...document.querySelectorAll("pre")].filter(p => {
    const box = p.parentElement.getBoundingClientRect();
    return p.scrollWidth > p.clientWidth + 1 || p.getBoundingClientRect().right > box.right + 1;
  }).map(p => p.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), ""));
  const out = document.createElement("pre");
  out.id = "imageshell-probe";
  const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  out.textContent = JSON.stringify({images: images, wide: wide, width: window.innerWidth,
                                    overflow: overflow});
  document.body.appendChild(out);
});
</script>
"""


def available() -> bool:
    """True where Chromium is installed (always in CI: .ci/install installs it)."""
    return bool(shutil.which("chromium") or shutil.which("chromium-browser"))


def chromium() -> str:
    """The Chromium executable (installed by .ci/install), or skip with the reason."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/install installs Debian's chromium")
        pytest.skip("chromium is not installed (bash .ci/install installs Debian's chromium)")
    return exe


def look_at(page: Path, scratch: Path, width: int = 1200) -> dict:
    """Render ``page`` at ``width`` px; return the probe's findings.

    The copy sits beside the page, so its relative links and images resolve;
    it is removed afterwards.
    """
    copy = page.with_name(f".probe-{page.name}")
    text = page.read_text()
    copy.write_text(text.replace("</body>", PROBE + "</body>") if "</body>" in text else text + PROBE)
    try:
        proc = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={scratch}", f"--window-size={width},900",
             "--virtual-time-budget=5000", "--dump-dom", copy.as_uri()],
            capture_output=True, text=True, timeout=120,
        )
    finally:
        copy.unlink()
    found = re.search(r'<pre id="imageshell-probe">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"the page did not finish loading in Chromium: {proc.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])


def broken_links(site: Path) -> list[str]:
    """Internal links of a built site whose file or ``#fragment`` does not exist."""
    pages = {}
    for path in site.rglob("*.html"):
        parser = _Links()
        parser.feed(path.read_text(errors="replace"))
        pages[path.resolve()] = parser
    broken = []
    for path, parser in pages.items():
        for link in parser.links:
            url = urlparse(link)
            if url.scheme or link.startswith("//") or link.startswith("mailto:"):
                continue  # external: not this site's to check (no network here)
            target = (path.parent / unquote(url.path)).resolve() if url.path else path
            if not target.exists():
                broken.append(f"{path.relative_to(site.resolve())}: {link}")
            elif url.fragment and target in pages and url.fragment not in pages[target].ids:
                broken.append(f"{path.relative_to(site.resolve())}: {link} (no such anchor)")
    return broken
