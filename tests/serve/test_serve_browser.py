"""The explorer in a real browser (headless Chromium) against a server on a free loopback port."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest

from vaekit.serve import create_app
from vaekit.serve.server import background

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT = 15_000  # ms


def _wait(page, js: str, arg=None) -> None:
    """Poll ``js`` (a function of ``arg``) until it is truthy. Not Playwright's wait-for-function:
    it evaluates its predicate with eval() inside the page, which the page's CSP forbids."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while not page.evaluate(js, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {js}")
        time.sleep(0.05)


def _src(page, selector: str) -> str:
    return page.get_attribute(selector, "src") or ""


def _wait_new_src(page, selector: str, old: str) -> str:
    _wait(page, "([s, old]) => { const i = document.querySelector(s); "
          "return i && i.src.startsWith('data:') && i.src !== old && i.complete; }", [selector, old])
    return _src(page, selector)


def _all_decoded(page, selector: str) -> list[int]:
    return page.evaluate(f"Array.from(document.querySelectorAll('{selector}'))"
                         ".map(i => i.complete ? i.naturalWidth : -1)")


def test_the_explorer_works_in_chromium(tiny_run, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium package at /usr/bin/chromium")
    problems: list[str] = []
    with background(create_app(tiny_run)) as url, sync_api.sync_playwright() as p, \
            _explorer_page(p, url, problems) as page:
        assert tiny_run.name in page.inner_text("h1")
        assert "digits" in page.inner_text("#run-summary")
        assert "validation −ELBO" in page.inner_text("#metrics")

        # one slider per dimension, most KL first; inactive ones marked
        info = page.evaluate("state.info")
        sliders = page.locator("#sliders input[type=range]")
        assert sliders.count() == 4
        assert [int(s) for s in page.eval_on_selector_all(
            "#sliders input", "els => els.map(e => e.dataset.dim)")] == \
            [d["index"] for d in info["dims"]]
        assert page.locator("#sliders .slider.inactive").count() == \
            sum(not d["active"] for d in info["dims"])

        # moving a slider decodes a new image
        before = _wait_new_src(page, "#decoded", "")
        sliders.first.fill("3")
        after = _wait_new_src(page, "#decoded", before)
        assert page.evaluate("state.z")[info["dims"][0]["index"]] == 3
        assert _all_decoded(page, "#decoded") == [8]

        # the 2-D pad sets two dimensions; reset brings every slider back to the prior's mean
        # (zero under N(0, I))
        box = page.locator("#pad").bounding_box()
        page.mouse.click(box["x"] + 5, box["y"] + box["height"] - 5)
        _wait_new_src(page, "#decoded", after)
        z = page.evaluate("state.z")
        assert z[info["dims"][0]["index"]] < -2.5 and z[info["dims"][1]["index"]] < -2.5
        page.click("#reset")
        _wait(page, "() => Array.from(document.querySelectorAll('#sliders input'))"
              ".every(i => Number(i.value) === 0)")

        # prior samples render, and one click loads a sample's code
        page.click("#sample")
        _wait(page, "() => document.querySelectorAll('#samples img').length === 8")
        _wait(page, "() => Array.from(document.querySelectorAll('#samples img'))"
              ".every(i => i.complete && i.naturalWidth === 8)")

        # the interpolation renders; a thumbnail click picks a new end and redraws it
        assert _all_decoded(page, "#path img") == [8] * 8
        old_path = _src(page, "#path img:nth-child(2)")
        page.click("#thumbs img[data-index='5']")
        _wait(page, "() => document.getElementById('from').value === '5'")
        _wait_new_src(page, "#path img:nth-child(2)", old_path)
        assert _all_decoded(page, "#path img") == [8] * 8

        # a click on the latent map loads that example's code into the sliders
        xy = page.evaluate("(() => { const c = document.getElementById('map'); "
                           "const r = c.getBoundingClientRect(); const p = mapScale(state.map, c)(0); "
                           "return [r.left + p[0] * r.width / c.width, "
                           "r.top + p[1] * r.height / c.height, state.map.index[0]]; })()")
        page.mouse.click(xy[0], xy[1])
        page.wait_for_selector("#picked:not([hidden])")
        assert page.inner_text("#picked-caption").startswith("example #")
        assert any(abs(v) > 0 for v in page.evaluate("state.z"))

        page.screenshot(path=str(tmp_path / "explorer.png"), full_page=True)
        assert problems == []

        # a bad request shows its message on the page; the page keeps working
        page.fill("#from", "99999")
        page.click("#interpolate")
        page.wait_for_selector("#status:not([hidden])")
        assert "from 99999: the held-out split has 359 examples" in page.inner_text("#status")
        page.fill("#from", "3")
        page.click("#interpolate")
        page.wait_for_selector("#status", state="hidden")

        # the API page renders offline (FastAPI's OpenAPI 3.1 in the bundled Swagger UI)
        page.goto(url + "docs", wait_until="load")
        page.wait_for_selector(".opblock")
        assert page.locator(".opblock").count() >= 7
    # the browser logs the 404 of the bad request itself; the page's own code logged nothing
    assert [m for m in problems if "Failed to load resource" not in m] == []
    assert (tmp_path / "explorer.png").stat().st_size > 10_000


def test_sliders_are_capped_at_32_with_a_selector_for_the_rest(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium package at /usr/bin/chromium")
    import warnings

    from conftest import tiny_config

    from vaekit.training.trainer import train

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(tiny_config("model.latent_dim=40", "train.epochs=1"), tmp_path / "wide", progress=False)
    with background(create_app(tmp_path / "wide")) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT)
            page.goto(url, wait_until="load")
            page.wait_for_selector("body[data-ready='1']")
            order = [d["index"] for d in page.evaluate("state.info.dims")]
            shown = "els => els.map(e => Number(e.dataset.dim))"
            assert page.eval_on_selector_all("#sliders input", shown) == order[:32]
            assert page.is_visible("#dim-page")
            page.select_option("#dim-page", "1")
            assert page.eval_on_selector_all("#sliders input", shown) == order[32:]
        finally:
            browser.close()


def test_the_explorer_shows_rows_for_a_table_run(tmp_path):
    """A table run's explorer: samples, held-out examples, the decoded code and an interpolation
    are rows of named values in the table's own columns, with no error on the page."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    pytest.importorskip("pandas")
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium package at /usr/bin/chromium")
    import vaekit

    lines = ["age,city"] + [f"{20 + i % 50},{'abc'[i % 3]}" for i in range(120)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    run = vaekit.train({"data": {"name": "table", "path": str(tmp_path / "t.csv")},
                        "model": {"hidden": [8], "latent_dim": 2}, "train": {"epochs": 1}},
                       tmp_path / "run").path
    problems: list[str] = []
    with background(create_app(run)) as url, sync_api.sync_playwright() as p, \
            _explorer_page(p, url, problems) as page:
        assert "rows of" in page.inner_text("#run-summary")
        page.click("#sample")
        _wait(page, "() => document.querySelectorAll('#samples table.row').length === 8")
        _wait(page, "() => document.querySelector('#decoded table.row') !== null")
        assert "age" in page.inner_text("#decoded") and "city" in page.inner_text("#decoded")
        _wait(page, "() => document.querySelectorAll('#thumbs .row-thumb').length > 0")
        page.locator("#thumbs .row-thumb").nth(0).click()
        page.locator("#thumbs .row-thumb").nth(1).click()
        _wait(page, "() => document.querySelectorAll('#path table.row').length > 0")
    assert problems == [], problems


@contextlib.contextmanager
def _explorer_page(p, url: str, problems: list[str]):
    """The explorer's page in Chromium, loaded and ready; errors on the page go to ``problems``."""
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    try:
        page = browser.new_page(viewport={"width": 1500, "height": 950})
        page.set_default_timeout(TIMEOUT)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"failed request {r.url}"))
        page.goto(url, wait_until="load")
        page.wait_for_selector("body[data-ready='1']")
        yield page
    finally:
        browser.close()
