"""The README is a front door: short, every link in it and in the docs leads to a file, and its
headline numbers are the ones in the results files they come from."""

from __future__ import annotations

import json
import re
from pathlib import Path

from docs_support import results_module

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results"
MAX_LINES = 250
# [text](target) and ![alt](target); the target up to a space or the closing parenthesis.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")



def _pages() -> list[Path]:
    return [README, ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_readme_is_at_most_250_lines():
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines; move detail into docs/"


def test_every_relative_link_resolves_to_a_file():
    broken = []
    for page in _pages():
        for target in LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a web address, or an anchor on the same page
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if not path.is_file():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, "links to no file:\n" + "\n".join(broken)


def test_the_link_check_sees_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[there](there.md) and [ok](page.md#top)")
    missing = [t for t in LINK.findall(page.read_text())
               if not (page.parent / t.split("#", 1)[0]).is_file()]
    assert missing == ["there.md"]


def test_headline_block_is_rendered_from_the_results_files():
    results = results_module()
    assert results.readme_block(README.read_text()) == results.headlines(), (
        "README headlines differ from benchmarks/results: run python docs/hooks/results.py --readme")


def _numbers(line: str) -> list[float]:
    return [float(n) for n in re.findall(r"[-+]?\d+\.\d+", line)]


def test_each_headline_number_equals_its_json_value():
    """Read the JSON files here, apart from the renderer, and compare with the README's text."""
    block = results_module().readme_block(README.read_text()).splitlines()
    k5000 = json.loads((RESULTS / "best_30min_val" / "iw-k5000-seed0.json").read_text())
    tables = {r["model"]: r for r in json.loads((RESULTS / "tables" / "summary.json").read_text())
              ["summary"] if r["role"] == "report"}
    collapse = {r["name"]: r for r in json.loads((RESULTS / "collapse-6min.json").read_text())["rows"]}
    scale = json.loads((RESULTS / "scale" / "scale.json").read_text())["rows"]
    by = {(r["rows"], r["mode"]): r for r in scale if "rows_per_s" in r}
    ratios = [r["rows_per_s"] / by[n, "memory"]["rows_per_s"] for (n, mode), r in by.items()
              if mode == "stream" and (n, "memory") in by]
    largest_in_memory = max(n for n, mode in by if mode == "memory")
    expected = [
        [(k5000["nll"], 2), (k5000["nll_se"], 2)],
        [(tables["vaekit"]["trend_error"], 1), (tables["tvae"]["trend_error"], 1)],
        [(collapse["factorized"]["kl"], 1), (collapse["pixelcnn 1x8"]["kl"], 1)],
        [(max(r["peak_rss_mb"] for (_, mode), r in by.items() if mode == "stream") / 1000, 1),
         (by[largest_in_memory, "memory"]["peak_rss_mb"] / 1000, 1), (min(ratios), 2),
         (max(ratios), 2)],
    ]
    assert len(block) == len(expected)
    for line, values in zip(block, expected, strict=True):
        shown = _numbers(line.split("](")[0])[:len(values)]
        assert shown == [round(v, digits) for v, digits in values], line
