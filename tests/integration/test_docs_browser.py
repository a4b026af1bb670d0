"""The documentation site in a real browser (headless Chromium), built offline and served from
this machine: every page in the navigation opens with no console error and no request leaving
the machine, every image on it decodes, and search answers, served and from the file system."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The site built once for this module's tests; its folder."""
    pytest.importorskip("mkdocs", reason="pip install 'vaekit[docs]'")
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def site(built: Path) -> Iterator[str]:
    """The built site served on a free loopback port; yields its address."""
    out = built
    handler = functools.partial(_Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _browser(sync_api, p):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium package at /usr/bin/chromium")
    return p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


def test_every_nav_page_loads_offline_with_its_images(site):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        browser = _browser(sync_api, p)
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            # A request cut short by the next page.goto is aborted, not failed.
            page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "")
                    else problems.append(f"failed request {r.url}: {r.failure}"))
            page.on("request", lambda r: None if r.url.startswith((site, "data:", "blob:"))
                    else problems.append(f"request off the machine: {r.url}"))
            page.goto(site + "index.html", wait_until="load")
            links = page.evaluate("Array.from(document.querySelectorAll('nav.md-nav--primary "
                                  "a.md-nav__link[href]')).map(a => a.href)")
            pages = sorted({link.split("#")[0] for link in links if link.startswith(site)})
            broken_images = []
            for url in pages:
                page.goto(url, wait_until="load")
                images = page.evaluate("Array.from(document.images)"
                                       ".map(i => [i.currentSrc, i.complete && i.naturalWidth > 0])")
                broken_images += [f"{url}: {src}" for src, ok in images if not ok]
        finally:
            browser.close()
    assert len(pages) >= 30, pages
    assert problems == []
    assert broken_images == []


def _search(sync_api, url: str, query: str) -> list[str]:
    """The titles of the search results for ``query`` typed into the page at ``url``."""
    with sync_api.sync_playwright() as p:
        browser = _browser(sync_api, p)
        try:
            page = browser.new_page()
            page.goto(url, wait_until="load")
            page.click("input.md-search__input")
            page.keyboard.type(query)
            page.wait_for_selector(".md-search-result__item", timeout=20_000)
            return page.eval_on_selector_all(".md-search-result__item", "els => els.map(e => e.innerText)")
        finally:
            browser.close()


def test_search_answers_offline(site):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    titles = _search(sync_api, site + "index.html", "posterior collapse")
    assert any("collapse" in t.lower() for t in titles), titles


def test_search_answers_from_the_file_system(built):
    """Opened as file://, with no server: the search index travels inside the pages."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    titles = _search(sync_api, (built / "concepts" / "performance.html").as_uri(), "anomaly scoring")
    assert any("anomal" in t.lower() for t in titles), titles
