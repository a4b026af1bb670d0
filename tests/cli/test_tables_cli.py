"""The commands on a mixed-type table: train prints the column types, rows come back with the
original columns, dtypes and categories (CSV and Parquet), column errors in the columns' own
terms, evaluate in the data's units; bad tables and column types are one line and exit 2."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pytest
from cli_support import TINY, assert_one_line_error, run_cli

from vaekit.cli.main import main

pd = pytest.importorskip("pandas")


def _table(path: Path, n: int = 200) -> Path:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "height": np.where(rng.random(n) < 0.5, rng.normal(150, 4, n), rng.normal(190, 4, n)).round(2),
        "age": rng.integers(18, 80, n), "smoker": rng.choice(["yes", "no"], n),
        "color": rng.choice(["red", "green", "blue"], n), "label": rng.choice(["a", "b"], n)})
    frame.loc[3, "height"] = np.nan
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def table_run(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("tables")
    csv = _table(root / "people.csv")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(["train", "--data", str(csv), "--out", str(root / "run"), *TINY,
              "--set", "model.likelihood=columns"])
    return root / "run", buf.getvalue()


def test_train_prints_the_column_types(table_run):
    _, out = table_run
    assert "height  continuous" in out and "age     integer" in out
    assert "smoker  boolean" in out and "color   categorical" in out and "label   label" in out


def test_rows_have_the_original_columns_types_and_categories(capsys, table_run, tmp_path):
    run = str(table_run[0])
    code, _, err = run_cli(capsys, "rows", run, "-n", "300", "--stochastic", "--out",
                           str(tmp_path / "rows.csv"))
    assert code == 0, err
    rows = pd.read_csv(tmp_path / "rows.csv")
    assert list(rows.columns) == ["height", "age", "smoker", "color"] and len(rows) == 300
    assert rows["age"].dtype == np.int64 and set(rows["smoker"]) == {"yes", "no"}  # its words
    assert set(rows["color"]) <= {"red", "green", "blue"}
    assert 120 < rows["height"].mean() < 220  # centimetres, not a normalized value
    code, _, err = run_cli(capsys, "rows", run, "-n", "5", "--out", str(tmp_path / "r.parquet"))
    assert code == 0, err
    typed = pd.read_parquet(tmp_path / "r.parquet")
    assert [str(t) for t in typed.dtypes] == ["float64", "Int64", "category", "category"]


def test_column_errors_and_evaluate_speak_the_columns_terms(capsys, table_run, tmp_path):
    run = str(table_run[0])
    code, out, err = run_cli(capsys, "column-errors", run, "--out", str(tmp_path / "e.png"))
    assert code == 0, err
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln.strip()}
    assert "RMSE" in lines["height"] and "error rate" in lines["color"]
    code, out, err = run_cli(capsys, "evaluate", run, "--k", "4", "--out", str(tmp_path / "e.json"))
    assert code == 0, err
    assert "in the data's own units: nats per row" in out


@pytest.mark.parametrize(("cmd", "hint"), [("interpolate", "table rows"),
                                           ("traverse", "table rows")])
def test_image_commands_on_a_table_point_to_the_table_commands(cmd, hint, capsys, table_run,
                                                               tmp_path):
    out = tmp_path / "x.png"
    code, _, err = run_cli(capsys, cmd, str(table_run[0]), "--out", str(out))
    assert_one_line_error(code, err, hint)
    assert not out.exists()


def test_sample_on_a_table_writes_rows_and_refuses_a_picture_file(capsys, table_run, tmp_path):
    out = tmp_path / "x.png"
    code, _, err = run_cli(capsys, "sample", str(table_run[0]), "--out", str(out))
    assert_one_line_error(code, err, "table rows", ".csv")
    assert not out.exists()
    code, _, err = run_cli(capsys, "sample", str(table_run[0]), "-n", "5", "--mean", "--out",
                           str(tmp_path / "rows.csv"))
    assert code == 0, err
    assert len((tmp_path / "rows.csv").read_text().splitlines()) == 6  # a header and 5 rows


BAD = {
    "a column type that cannot be parsed": (["--set", "data.columns={color: integer}"],
                                            "'red' is not a number"),
    "an unknown column": (["--set", "data.columns={weight: continuous}"], "no column 'weight'"),
    "an unknown type": (["--set", "data.columns={age: date}"], "unknown type 'date'"),
    "a likelihood that is not the table's": (["--set", "model.likelihood=gaussian"],
                                             "set model.likelihood=columns"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_tables_and_types_are_one_line_exit_2(case, capsys, tmp_path):
    extra, needle = BAD[case]
    csv = _table(tmp_path / "t.csv", 40)
    code, _, err = run_cli(capsys, "train", "--data", str(csv), "--out", str(tmp_path / "run"),
                           *TINY, *(["--set", "model.likelihood=columns"]
                                    if "model.likelihood" not in extra[1] else []), *extra)
    assert_one_line_error(code, err, needle)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(("content", "needle"), [
    ("name,x\ncaf\xe9,1\nb,2\nc,3\n".encode("latin-1"), "not UTF-8"),
    (b"a,b\n1,\n2,\n3,\n4,\n5,\n", "column 'b': every cell is missing"),
])
def test_unreadable_or_empty_columns_are_one_line_exit_2(content, needle, capsys, tmp_path):
    (tmp_path / "t.csv").write_bytes(content)
    code, _, err = run_cli(capsys, "train", "--data", str(tmp_path / "t.csv"), "--out",
                           str(tmp_path / "run"), *TINY, "--set", "model.likelihood=columns")
    assert_one_line_error(code, err, needle)
    assert not (tmp_path / "run").exists()


def test_a_folder_of_parquet_files_is_encoded_and_scored_as_the_same_rows_in_one_file(
        capsys, table_run, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    run = table_run[0]
    rows = pd.read_csv(run.parent / "people.csv")
    shards = tmp_path / "shards"
    shards.mkdir()
    for i, part in enumerate((rows[:130], rows[130:])):  # row groups of 40: batches straddle them
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False),
                       shards / f"part-{i}.parquet", row_group_size=40)
    for data, name in ((run.parent / "people.csv", "one"), (shards, "many")):
        code, _, err = run_cli(capsys, "encode", str(run), "--data", str(data), "--batch-size",
                               "32", "--out", str(tmp_path / f"{name}.npz"))
        assert code == 0, err
        code, _, err = run_cli(capsys, "score", str(run), "--data", str(data), "--k", "5",
                               "--batch-size", "32", "--out", str(tmp_path / f"{name}.csv"))
        assert code == 0, err
    one, many = np.load(tmp_path / "one.npz"), np.load(tmp_path / "many.npz")
    assert np.array_equal(one["mu"], many["mu"]) and np.array_equal(one["id"], many["id"])
    assert pd.read_csv(tmp_path / "one.csv").equals(pd.read_csv(tmp_path / "many.csv"))
    pq.write_table(pa.table({"height": [1.0]}), shards / "part-2.parquet")  # another schema
    code, _, err = run_cli(capsys, "encode", str(run), "--data", str(shards), "--out",
                           str(tmp_path / "bad.npz"))
    assert_one_line_error(code, err, "part-2.parquet")


def test_a_table_file_is_encoded_scored_and_imputed_through_the_runs_codec(capsys, table_run,
                                                                           tmp_path):
    run = table_run[0]
    csv = run.parent / "people.csv"
    code, _, err = run_cli(capsys, "encode", str(run), "--data", str(csv), "--out",
                           str(tmp_path / "codes.npz"))
    assert code == 0, err
    codes = np.load(tmp_path / "codes.npz")
    assert codes["mu"].shape == (200, 2) and list(codes["id"][:2]) == ["0", "1"]
    code, _, err = run_cli(capsys, "score", str(run), "--data", str(csv), "--k", "5", "--out",
                           str(tmp_path / "s.csv"))
    scores = pd.read_csv(tmp_path / "s.csv")
    assert code == 0 and len(scores) == 200 and (scores["nll"] <= scores["neg_elbo"] + 1e-9).all()
    # The row with a missing height is scored on its other cells: a finite density.
    assert np.isfinite(scores["nll"][3])
    gaps = pd.read_csv(csv).head(10)
    gaps.loc[0:4, "color"] = None
    gaps.loc[5:9, "height"] = None
    gaps.to_csv(tmp_path / "gaps.csv", index=False)
    code, out, err = run_cli(capsys, "impute", str(run), "--data", str(tmp_path / "gaps.csv"),
                             "--out", str(tmp_path / "filled.csv"))
    assert code == 0 and "filled 11 missing values in 10 of 10" in out, err  # row 3 had one
    filled = pd.read_csv(tmp_path / "filled.csv")
    assert filled[["height", "age", "smoker", "color"]].notna().all().all()
    seen = gaps[["height", "age", "color"]].notna()
    assert (filled[seen.columns][seen] == gaps[seen.columns][seen]).sum().sum() == seen.sum().sum()
    assert (filled["smoker"] == gaps["smoker"]).all()  # yes/no as written
    assert set(filled["color"]) <= {"red", "green", "blue"}
    code, _, err = run_cli(capsys, "impute", str(run), "--data", str(tmp_path / "gaps.csv"),
                           "--out", str(tmp_path / "filled.npy"))
    assert_one_line_error(code, err, ".csv or .parquet")


@pytest.mark.parametrize("suffix, method", [(".csv", ["--method", "sample", "--draws", "3"]),
                                            (".parquet", [])])
def test_a_folder_of_table_files_is_imputed_in_chunks_as_the_same_rows_in_one_file(
        capsys, table_run, tmp_path, monkeypatch, suffix, method):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vaekit.artifacts import imputation_stream

    monkeypatch.setattr(imputation_stream, "CHUNK_ROWS", 48)  # several chunks of 16-row batches
    run = table_run[0]
    rows = pd.read_csv(run.parent / "people.csv")
    rng = np.random.default_rng(5)
    for name in ("height", "age", "color"):
        rows.loc[rng.random(len(rows)) < 0.25, name] = None
    rows.to_csv(tmp_path / "gaps.csv", index=False)
    shards = tmp_path / "shards"
    shards.mkdir()
    for i, part in enumerate((rows[:70], rows[70:150], rows[150:])):  # chunks straddle files
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False),
                       shards / f"part-{i}.parquet", row_group_size=30)
    lines = []
    for data, name in ((tmp_path / "gaps.csv", "one"), (shards, "many")):
        code, out, err = run_cli(capsys, "impute", str(run), "--data", str(data), "--k", "8",
                                 "--batch-size", "16", "--seed", "3", *method, "--out",
                                 str(tmp_path / f"{name}{suffix}"))
        assert code == 0, err
        lines.append(out.replace(str(tmp_path / f"{name}{suffix}"), ""))
    read = pd.read_csv if suffix == ".csv" else pd.read_parquet
    one, many = read(tmp_path / f"one{suffix}"), read(tmp_path / f"many{suffix}")
    assert len(one) == len(rows) * (3 if method else 1) and one.notna().all().all()
    pd.testing.assert_frame_equal(one, many)
    assert lines[0] == lines[1]  # the same cells filled, the same effective sample sizes
    if suffix == ".csv":
        assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "many.csv").read_bytes()
    pq.write_table(pa.table({"height": [1.0]}), shards / "part-3.parquet")  # another schema
    before = (tmp_path / f"many{suffix}").read_bytes()
    code, _, err = run_cli(capsys, "impute", str(run), "--data", str(shards), "--out",
                           str(tmp_path / f"many{suffix}"))
    assert_one_line_error(code, err, "part-3.parquet")
    (shards / "part-3.parquet").write_bytes(b"PAR1 not a parquet file")  # a corrupt file
    code, _, err = run_cli(capsys, "impute", str(run), "--data", str(shards), "--out",
                           str(tmp_path / f"many{suffix}"))
    assert_one_line_error(code, err, "part-3.parquet")
    late = rows[:5].astype({"age": object})
    late.loc[2, "age"] = "old"  # a bad cell found after the other files' chunks were written
    pq.write_table(pa.Table.from_pandas(late.astype({"age": str}), preserve_index=False),
                   shards / "part-3.parquet")
    code, _, err = run_cli(capsys, "impute", str(run), "--data", str(shards), "--out",
                           str(tmp_path / f"many{suffix}"))
    assert_one_line_error(code, err, "part-3.parquet")
    assert (tmp_path / f"many{suffix}").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["gaps.csv", "shards", f"one{suffix}", f"many{suffix}"])  # no temporary file left
