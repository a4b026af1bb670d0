"""A table as users write them (a yes/no column with an empty cell, timestamps, a row id, a
column with missing cells): train, score and impute run; generated rows are draws that keep the
columns' words, ranges and missing cells; imputations are draws of the gaps that stay in range."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from cli_support import assert_one_line_error, run_cli

import vaekit

pd = pytest.importorskip("pandas")

N = 400


def _table(path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    age = rng.integers(18, 80, N)
    delay = np.where(rng.random(N) < 0.7, 0, rng.exponential(30, N)).round()
    frame = pd.DataFrame({
        "id": np.arange(5000, 5000 + N),
        "when": (pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 3e7, N), unit="s")
                 ).strftime("%Y-%m-%d %H:%M:%S"),
        "age": age, "delay": pd.array(delay, dtype="Int64"),
        "kind": rng.choice(["a", "b", "c"], N, p=[0.5, 0.3, 0.2]),
        "member": np.where(age > 45, "yes", "no").astype(object)})
    frame.loc[7, "member"] = None
    frame.loc[rng.random(N) < 0.2, "delay"] = pd.NA
    frame.to_csv(path, index=False)
    return frame


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, Path, pd.DataFrame]:
    root = tmp_path_factory.mktemp("table_rows")
    frame = _table(root / "t.csv")
    import contextlib
    import io

    from vaekit.cli.main import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(SystemExit) as exc:
        main(["train", "--data", str(root / "t.csv"), "--out", str(root / "run"), "--set",
              "model.hidden=[32]", "--set", "model.latent_dim=4", "--set", "train.lr=0.005", "--epochs", "20",
              "--no-progress"])
        raise SystemExit(0)
    assert (exc.value.code or 0) == 0
    (root / "train.txt").write_text(buf.getvalue())
    return root / "run", root / "t.csv", frame


def test_timestamps_are_numbers_and_row_ids_are_dropped_with_a_word(run):
    out = (run[0].parent / "train.txt").read_text()
    assert "when    datetime" in out and "missing cells modelled" in out
    assert "id      drop" in out and "identifier" in out


def test_score_reads_a_yes_no_column_with_an_empty_cell(capsys, run, tmp_path):
    code, _, err = run_cli(capsys, "score", str(run[0]), "--data", str(run[1]), "--k", "3",
                           "--out", str(tmp_path / "s.csv"))
    assert code == 0, err
    assert len(pd.read_csv(tmp_path / "s.csv")) == N


def test_rows_are_draws_in_the_columns_own_form_with_missing_cells(capsys, run, tmp_path):
    frame = run[2]
    code, _, err = run_cli(capsys, "rows", str(run[0]), "-n", "1000", "--out",
                           str(tmp_path / "rows.csv"))
    assert code == 0, err
    rows = pd.read_csv(tmp_path / "rows.csv")
    assert list(rows.columns) == ["when", "age", "delay", "kind", "member"]
    assert set(rows["kind"]) == {"a", "b", "c"}  # draws, not one mean row repeated
    assert set(rows["member"].dropna()) == {"yes", "no"}  # the data's words
    assert 0.05 < rows["delay"].isna().mean() < 0.4  # the data's rate is 0.2
    assert rows["age"].between(frame["age"].min(), frame["age"].max()).all()
    assert rows["delay"].dropna().ge(0).all() and (rows["delay"].dropna() % 1 == 0).all()
    when = pd.to_datetime(rows["when"])
    assert when.min() >= pd.Timestamp("2021-01-01") and when.max() <= pd.Timestamp("2022-01-01")
    mean_rows = vaekit.rows(run[0], n=50, mean=True)
    assert mean_rows["delay"].notna().all() and len(mean_rows) == 50
    drawn = vaekit.rows(run[0], n=1000)  # the same draws as the CLI wrote
    assert (drawn["kind"].astype(str).to_numpy() == rows["kind"].to_numpy()).all()
    assert (drawn["age"].to_numpy() == rows["age"].to_numpy()).all()


def test_impute_draws_stay_in_range_and_keep_the_observed_cells(capsys, run, tmp_path):
    frame = run[2]
    code, out, err = run_cli(capsys, "impute", str(run[0]), "--data", str(run[1]), "--method",
                             "sample", "--draws", "3", "--k", "64", "--out", str(tmp_path / "i.csv"))
    assert code == 0, err
    assert "effective sample size" in out and "3 draws" in out
    done = pd.read_csv(tmp_path / "i.csv")
    assert len(done) == 3 * N and list(done["draw"].unique()) == [0, 1, 2]
    assert done["delay"].notna().all()
    observed = frame["delay"].notna().to_numpy()
    first = done[done["draw"] == 0].reset_index(drop=True)
    assert (first["delay"][observed] == frame["delay"][observed].astype(float)).all()
    lo, hi = frame["delay"].min(), frame["delay"].max()
    assert done["delay"].between(lo, hi).all()
    assert first["member"][7] in ("yes", "no") and set(done["member"]) == {"yes", "no"}
    code, _, err = run_cli(capsys, "impute", str(run[0]), "--data", str(run[1]), "--draws", "2",
                           "--out", str(tmp_path / "j.csv"))
    assert_one_line_error(code, err, "--method sample")


def test_a_table_gets_the_table_defaults_under_the_users_own_settings(run):
    import json

    from vaekit.data.table_defaults import TABLE_DEFAULTS, with_table_defaults

    saved = json.loads((run[0] / "config.json").read_text())["config"]
    assert saved["objective"]["args"]["free_bits"] == TABLE_DEFAULTS["objective"]["free_bits"]
    assert saved["train"]["batch_size"] == TABLE_DEFAULTS["train"]["batch_size"]
    assert saved["model"]["latent_dim"] == 4 and saved["train"]["epochs"] == 20  # the user's
    digits = {"data": {"name": "digits"}}
    assert with_table_defaults(digits) == digits
    mine = with_table_defaults({"data": {"name": "table", "path": "t.csv"},
                                "objective": {"args": {"free_bits": 0.0}}})
    assert mine["objective"] == {"args": {"free_bits": 0.0}}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_many_rows_are_drawn_and_written_in_chunks_as_one_table(capsys, run, tmp_path, suffix,
                                                                 monkeypatch):
    """Chunks of 7 rows: one table of 20, one header, each chunk its own seed; the first chunk is
    the table a run of 7 rows writes."""
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    from vaekit.report.renders import rows as rows_module

    monkeypatch.setattr(rows_module, "CHUNK_ROWS", 7)
    read = pd.read_parquet if suffix == ".parquet" else pd.read_csv
    code, _, err = run_cli(capsys, "rows", str(run[0]), "-n", "20", "--out",
                           str(tmp_path / f"many{suffix}"))
    assert code == 0, err
    many = read(tmp_path / f"many{suffix}")
    code, _, err = run_cli(capsys, "rows", str(run[0]), "-n", "7", "--out",
                           str(tmp_path / f"few{suffix}"))
    assert code == 0, err
    few = read(tmp_path / f"few{suffix}")
    assert len(many) == 20 and list(many.columns) == list(few.columns)
    pd.testing.assert_frame_equal(many.head(7), few)
    assert not many.iloc[7:14].reset_index(drop=True).equals(few)  # the next chunk's own draws


def test_rows_given_a_value_are_drawn_from_the_models_conditional(capsys, run, tmp_path,
                                                                  one_thread):
    """member is yes exactly when age > 45 in the data: rows given member=yes are older than
    rows given member=no (by more than three standard errors of the difference: the small
    model has learned the relation only in part), and keep the given value in every row."""
    ages, spread = {}, {}
    for value in ("yes", "no"):
        out_file = tmp_path / f"{value}.csv"
        code, out, err = run_cli(capsys, "rows", str(run[0]), "-n", "1000", "--given",
                                 f"member={value}", "--out", str(out_file))
        assert code == 0, err
        assert f"given member={value}" in out and "effective sample size" in out
        rows = pd.read_csv(out_file)
        assert (rows["member"] == value).all() and rows["age"].notna().all()
        ages[value], spread[value] = rows["age"].mean(), rows["age"].var() / len(rows)
    assert ages["yes"] - ages["no"] > 3 * (spread["yes"] + spread["no"]) ** 0.5, (ages, spread)


def test_rows_given_ranges_and_a_missing_cell_keep_every_clause_on_every_row(capsys, run,
                                                                            tmp_path, one_thread):
    """Two ranges on an integer column make an interval of its written values; an empty value
    is a missing cell; constraints between two columns and on a category hold on every row,
    with the share of rows they would have removed printed and given back from Python."""
    code, out, err = run_cli(capsys, "rows", str(run[0]), "-n", "300", "--given", "age>=30",
                             "--given", "age<40", "--given", "delay=", "--constraint",
                             "delay<=age", "--out", str(tmp_path / "r.csv"))
    assert_one_line_error(code, err, "contradict")  # delay is given missing: no delay<=age
    code, out, err = run_cli(capsys, "rows", str(run[0]), "-n", "300", "--given", "age>=30",
                             "--given", "age<40", "--given", "delay=", "--constraint", "kind!=a",
                             "--out", str(tmp_path / "r.csv"))
    assert code == 0, err
    rows = pd.read_csv(tmp_path / "r.csv")
    assert rows["age"].between(30, 39).all() and rows["delay"].isna().all()
    assert (rows["kind"] != "a").all() and set(rows["kind"]) == {"b", "c"}
    assert "given age>=30, age<40, delay=" in out and "effective sample size" in out
    broken = float(out.split("constraints kind!=a: ")[1].split("%")[0]) / 100
    assert 0.2 < broken < 0.8  # the data's share of kind a is 0.5
    drawn = vaekit.rows(run[0], n=300, constraints=["delay<=age", "age>=50"], k=64)
    assert drawn["delay"].notna().all() and (drawn["delay"] <= drawn["age"]).all()
    assert (drawn["age"] >= 50).all()
    told = drawn.attrs["conditional"]
    assert told["constraints"] == ["delay<=age", "age>=50"] and told["ess_min"] > 1
    # Against the model's own rows drawn without clauses (z from the prior, cells from p(x|z)):
    # the share that breaks the constraints, and p(kind | kind != a) on the checked path.
    early = vaekit.rows(run[0], n=100, given="when<2021-03-01", k=64)["when"]  # one clause
    assert (pd.to_datetime(early) < pd.Timestamp("2021-03-01")).all()
    plain = vaekit.rows(run[0], n=4000, seed=1, sampler="prior")  # the conditional's p(z)
    meet = plain["delay"].notna() & (plain["delay"] <= plain["age"]) & (plain["age"] >= 50)
    assert abs(told["broken"] - (1 - meet.mean())) < 0.04, (told, meet.mean())
    combos = vaekit.rows(run[0], n=200, given=["kind=a|b"], k=64,
                         constraints=["member=yes => kind=b"])  # the combinations allowed
    assert set(combos["kind"].astype(str)) == {"a", "b"}
    assert ((combos["member"].astype(str) != "yes") | (combos["kind"].astype(str) == "b")).all()
    not_a = vaekit.rows(run[0], n=1000, constraints=["kind!=a"], k=64)
    kinds = plain["kind"].astype(str)
    expected = (kinds == "b").sum() / (kinds != "a").sum()
    assert abs((not_a["kind"].astype(str) == "b").mean() - expected) < 0.06, expected


@pytest.mark.parametrize(("option", "clauses", "needle"), [
    ("--given", ["colour=red"], "no column 'colour' (columns: when, age"),
    ("--given", ["age"], "write COLUMN=VALUE"),
    ("--given", ["age<<30"], "one operator per clause"),
    ("--given", ["kind=zzz"], "no category 'zzz' (its categories: a, b, c)"),
    ("--given", ["member=maybe"], "its values: no, yes"),
    ("--given", ["kind<3"], "ranges are for number and date columns"),
    ("--given", ["age=abc"], "not a value of integer column 'age'"),
    ("--given", ["age="], "no missing cells in the training data"),
    ("--given", ["age>200"], "probability zero"),
    ("--given", ["age>50", "age<40"], "contradict each other"),
    ("--given", ["age=30", "age>40"], "contradict each other"),
    ("--constraint", ["age<=delay", "age>delay"], "contradict each other"),
    ("--constraint", ["age<=delay", "delay<=when", "when<age"], "contradict each other"),
    ("--constraint", ["age<=kind"], "not a number or date column"),
    ("--given", ["kind=a => member=yes"], "an implication (=>) is a --constraint"),
    ("--constraint", ["member=yes => kind=zzz"], "no category 'zzz'"),
    ("--constraint", ["age>=90"], "probability zero"),
])
def test_a_condition_the_model_cannot_take_is_one_line(capsys, run, tmp_path, option, clauses,
                                                       needle):
    args = [a for c in clauses for a in (option, c)]
    code, _, err = run_cli(capsys, "rows", str(run[0]), *args, "--out", str(tmp_path / "r.csv"))
    assert_one_line_error(code, err, needle)
    assert not (tmp_path / "r.csv").exists()


def test_rows_come_from_the_prior_fitted_on_the_training_codes(run):
    from vaekit.artifacts.run_context import RunContext
    from vaekit.dists.priors.code_mixture import CodeMixture

    ctx = RunContext.open(run[0])
    assert ctx.prior_fitted and isinstance(ctx.model.prior, CodeMixture)
    # 50 components for a large table; a small one keeps at least 20 training codes each.
    assert ctx.model.prior.components == ctx.spec.sizes["train"] // 20 < 50
    default = vaekit.rows(run[0], n=200, seed=4)
    assert default.equals(vaekit.rows(run[0], n=200, seed=4, sampler="prior"))
    assert not default.equals(vaekit.rows(run[0], n=200, seed=4, sampler="gmm"))



def test_train_prior_refits_the_tables_prior_as_training_fitted_it(capsys, run, tmp_path):
    import json
    import shutil

    from safetensors.torch import load_file

    copy = tmp_path / "run"
    shutil.copytree(run[0], copy)
    for name in ("prior.json", "prior.safetensors"):
        (copy / name).unlink()
    code, out, err = run_cli(capsys, "train-prior", str(copy))
    assert code == 0, err
    assert "prior: a " in out and "validation -ELBO" in out
    a, b = load_file(run[0] / "prior.safetensors"), load_file(copy / "prior.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    held = json.loads((copy / "prior.json").read_text())["heldout"]
    assert held["neg_elbo"] < held["neg_elbo_trained_prior"]  # kept only when it does better
