"""Every results table of the docs is rendered from its results files: each number in a table's
cells is a value of the files it names (at the digits shown), each file says where its numbers
came from, and no page keeps numbers that no file backs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from docs_support import results_module

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
PLACEHOLDER = re.compile(r"\{\{ results:([\w-]+) \}\}")
SOURCE = re.compile(r"`benchmarks/results/([^`]+)`")
NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?")
# What a measured file records, and what a file copied from the development log must give at least.
MEASURED = ("commit", "vaekit", "torch", "cpu", "threads", "date", "command")
LOGGED = ("commit", "date", "command")



TABLES = results_module().TABLES


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _files(rendered: str) -> list[Path]:
    """The results files a rendered table names (a folder: the JSON and CSV files at its top)."""
    paths = [RESULTS / name for name in SOURCE.findall(rendered)]
    return [f for p in paths for f in (sorted([*p.glob("*.json"), *p.glob("*.csv")]) if p.is_dir() else [p])]


def _read(f: Path) -> Any:
    """A results file's content: JSON as data, CSV as its text."""
    return json.loads(f.read_text()) if f.suffix == ".json" else f.read_text()


def _leaves(data: Any) -> list[float]:
    """Every number in a JSON document, also those written inside its strings."""
    if isinstance(data, dict):
        return [x for v in data.values() for x in _leaves(v)]
    if isinstance(data, list):
        return [x for v in data for x in _leaves(v)]
    if isinstance(data, bool) or data is None:
        return []
    if isinstance(data, (int, float)):
        return [float(data)]
    return [float(n.replace(",", "")) for n in NUMBER.findall(str(data))]


def _cells(rendered: str) -> list[str]:
    """The value cells of every Markdown table in ``rendered`` (not headers, not row labels)."""
    cells, previous = [], ""
    for line in rendered.splitlines():
        if line.startswith("|") and previous.startswith("|") and not set(line) <= set("|-: "):
            cells += [c.strip() for c in line.strip().strip("|").split("|")[1:]]
        previous = line if line.startswith("|") else ""
    return [c for c in cells if not c.startswith(("[", "`"))]


def _unmatched(rendered: str, values: list[float]) -> list[str]:
    """The numbers shown in the table cells that no value rounds to, at the digits shown."""
    found = sorted({abs(v) for v in values})
    bad = []
    for cell in _cells(rendered):
        for shown in NUMBER.findall(cell):
            digits = len(shown.split(".")[1]) if "." in shown else 0
            x = abs(float(shown.replace(",", "")))
            if not any(abs(v - x) <= 0.5 * 10 ** -digits + 1e-9 for v in found):
                bad.append(f"{shown} in {cell!r}")
    return bad


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_number_in_a_results_table_is_in_its_files(name):
    rendered = TABLES[name]()
    files = _files(rendered)
    assert files and all(f.is_file() for f in files), f"{name} names no results file it reads"
    values = [x for f in files for x in _leaves(_read(f))]
    assert _unmatched(rendered, values) == []


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_results_file_says_where_its_numbers_came_from(name):
    for f in [f for f in _files(TABLES[name]()) if f.suffix == ".json"]:
        data = _read(f)
        prov = data.get("provenance", data) if isinstance(data, dict) else {}
        if "transcribed" in prov or "reconstructed" in prov:
            missing = [k for k in LOGGED if k not in prov]
            assert prov["commit"][:7] in prov.get("transcribed", prov.get("reconstructed", "")), f
        elif f.parent.name in ("best_30min", "best_30min_val") and f.name != "provenance.json":
            continue  # a run folder's own files; its provenance.json speaks for it
        else:
            missing = [k for k in MEASURED if k not in prov]
        assert missing == [], f"{f.relative_to(ROOT)} lacks {missing}"


def test_the_check_sees_a_number_its_files_do_not_hold():
    table = "| a | b |\n|---|---|\n| row 12 | 0.559 ± 0.03 |\n| row 2 | **1,860** (k=100) |"
    assert _unmatched(table, [0.5591, 0.031, 1860.2, 100]) == []
    assert _unmatched(table, [0.5581, 0.031, 1860.2, 100]) == ["0.559 in '0.559 ± 0.03'"]
    assert _unmatched(table, [0.5591, 0.031, 1861, 100]) == ["1,860 in '**1,860** (k=100)'"]


def test_every_table_a_page_asks_for_exists_and_every_table_is_shown():
    asked = {m for page in _pages() for m in PLACEHOLDER.findall(page.read_text())}
    assert asked - set(TABLES) == set()
    assert set(TABLES) - asked == set()


def test_no_page_shows_numbers_without_a_results_file():
    flagged = [str(p.relative_to(ROOT)) for p in _pages()
               if "Numbers without a results file" in p.read_text()]
    assert flagged == []


# The prose of a results page: its decimal numbers outside tables and code (code spans are
# commands and settings, not results).
DECIMAL = re.compile(r"(?<![\w.])[-+]?\d[\d,]*\.\d+")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
RESULT_PAGES = sorted((ROOT / "docs" / "results").glob("*.md"))


def _prose_unmatched(text: str, values: list[float]) -> list[str]:
    """The decimal numbers of ``text``'s prose lines that no value rounds to, at the digits shown."""
    found = sorted({abs(v) for v in values})
    bad = []
    for line in CODE.sub("", text).splitlines():
        if line.lstrip().startswith("|") or "{{" in line:
            continue
        for shown in DECIMAL.findall(line):
            digits = len(shown.split(".")[1])
            x = abs(float(shown.replace(",", "")))
            if not any(abs(v - x) <= 0.5 * 10 ** -digits + 1e-9 for v in found):
                bad.append(f"{shown} in {line.strip()!r}")
    return bad


@pytest.mark.parametrize("page", RESULT_PAGES, ids=lambda p: p.name)
def test_each_number_in_the_prose_of_a_results_page_is_in_its_files(page):
    text = page.read_text()
    rendered = PLACEHOLDER.sub(lambda m: TABLES[m.group(1)](), text)
    files = _files(rendered)
    assert all(f.is_file() for f in files), f"{page.name} names a results file that is not there"
    values = [x for f in files for x in _leaves(_read(f))]
    assert _prose_unmatched(text, values) == []


def test_the_prose_check_sees_a_number_its_files_do_not_hold():
    text = ("It buys 0.39 nats (`train.ema=0.999`).\n| row | 1.23 |\n```sh\nrun 4.56\n```\n"
            "{{ results:x }} 7.89\nAnd 1,860.5 more.")
    assert _prose_unmatched(text, [0.391, 1860.46]) == []
    assert _prose_unmatched(text, [0.38, 1860.46]) == ["0.39 in 'It buys 0.39 nats ().'"]
    assert _prose_unmatched(text, [0.391, 1860.44]) == ["1,860.5 in 'And 1,860.5 more.'"]


def test_each_transcribed_note_says_where_it_came_from():
    notes = sorted(RESULTS.rglob("*notes.json"))
    assert notes, "no notes file found"
    for f in notes:
        data = _read(f)
        for entry in data["transcribed"]:
            prov = entry["provenance"]
            assert [k for k in LOGGED if k not in prov] == [], f
            assert prov["commit"][:7] in prov["transcribed"], f
            assert entry["values"] and all(isinstance(v, (int, float)) for v in entry["values"].values()), f
        assert all(p["source"] and p["values"] for p in data.get("published", [])), f
