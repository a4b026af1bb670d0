"""The table-suite page shows the numbers of its results files: the summary's means are the means
of the table files, and the rendered rows carry them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from docs_support import results_module

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "benchmarks" / "results" / "tables"
PAGE = ROOT / "docs" / "results" / "tables.md"



def _table_files() -> list[dict]:
    return [json.loads(f.read_text()) for f in sorted(SUITE.glob("*.json")) if f.name != "summary.json"]


def test_the_page_names_generated_tables_that_exist():
    names = re.findall(r"\{\{ results:([\w-]+) \}\}", PAGE.read_text())
    assert names and set(names) <= set(results_module().TABLES)


def test_the_summary_means_are_the_means_of_the_table_files():
    summary = json.loads((SUITE / "summary.json").read_text())["summary"]
    files = _table_files()
    assert summary
    for row in summary:
        runs = [f["models"][row["model"]] for f in files if f["table"]["role"] == row["role"]
                and "failed" not in f["models"].get(row["model"], {"failed": 1})]
        assert row["tables"] == len(runs)
        for key in ("shape_error", "trend_error", "beta_recall", "dcr_share"):
            assert row[key] == pytest.approx(np.mean([r[key] for r in runs])), (row["model"], key)


def test_each_rendered_row_shows_its_summary_numbers():
    summary = json.loads((SUITE / "summary.json").read_text())["summary"]
    text = results_module().table_suite()
    roles = {"dev": "development", "report": "report"}
    for row in summary:
        line = next(line for line in text.splitlines()
                    if line.startswith(f"| {roles[row['role']]} | {row['model']} |"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        # role, model, tables, shape, trend, alpha, beta: shown to 1, 1, 2, 2 decimals
        assert cells[3:7] == [f"{row['shape_error']:.1f}", f"{row['trend_error']:.1f}",
                              f"{row['alpha_precision']:.2f}", f"{row['beta_recall']:.2f}"]
    published = json.loads((ROOT / "benchmarks" / "results" / "tables-published.json").read_text())
    assert f"| TVAE (published) | {published['models']['TVAE']['shape_error']:.1f} |" in text


def test_each_table_file_has_its_section_with_every_model():
    text = results_module().table_suite_each()
    for result in _table_files():
        name = result["table"]["name"]
        section = text.split(f"**{name}**", 1)[1].split("\n\n**", 1)[0]
        assert f"{result['real']['efficacy']:.3f} trained on the real rows" in section
        for model, scores in result["models"].items():
            row = next(line for line in section.splitlines() if line.startswith(f"| {model} |"))
            assert "failed" in scores or f"| {scores['shape_error']:.1f} |" in row, (name, model)
