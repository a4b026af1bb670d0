"""The report in a real browser (headless Chromium): no console errors, every image decodes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vaekit.report.file import write_report
from vaekit.store.metrics import read_metrics

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def test_report_renders_in_chromium(tiny_run, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium package at /usr/bin/chromium")
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    report = write_report(run)
    last = read_metrics(run / "metrics.csv")[-1]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("requestfailed", lambda r: problems.append(f"failed request {r.url}"))
            page.goto(report.resolve().as_uri(), wait_until="load")
            sizes = page.evaluate(
                "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
            elbo = page.inner_text('#metrics-table td[data-key="validation -ELBO"]')
            active = page.inner_text('#metrics-table td[data-key="active units"]')
            visible = page.is_visible("#metrics-table") and page.is_visible("#latent-map img")
        finally:
            browser.close()
    assert problems == []
    assert len(sizes) >= 7 and all(done and width > 0 for done, width, _ in sizes), sizes
    assert elbo == f"{float(last['val_loss']):.6g}"
    assert active == f"{last['active_units']}/4"
    assert visible
