"""A categorical column with many categories: its most frequent kept, the rest in one "other"
bucket written back as the data's own values by their frequency, counted in bounded memory the
same way whether the table is read whole or streamed from shards."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
import torch

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from vaekit.config.schema import DataConfig  # noqa: E402
from vaekit.data import load_data  # noqa: E402
from vaekit.data.category_counts import CategoryCounts  # noqa: E402
from vaekit.data.table_categorical import Categorical  # noqa: E402
from vaekit.data.table_codec import TableCodec, load_codec  # noqa: E402
from vaekit.errors import ConfigError, DataError  # noqa: E402

CITIES, ROWS, CAP = 300, 3000, 20


def _table(seed: int = 0) -> pd.DataFrame:
    """3,000 rows whose city follows a Zipf law over 300 names (the frequent ones are clear)."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, CITIES + 1)
    city = rng.choice([f"c{i:03d}" for i in range(CITIES)], ROWS, p=p / p.sum())
    return pd.DataFrame({"x": rng.normal(size=ROWS).round(3), "city": city})


def _city(ds) -> Categorical:
    return next(c for c in ds.codec.specs if c.name == "city")


def _in_memory(tmp_path, frame: pd.DataFrame, cap: int = CAP):
    frame.to_csv(tmp_path / "t.csv", index=False)
    return load_data(DataConfig(name="table", path=str(tmp_path / "t.csv"),
                                args={"max_categories": cap, "columns": {"city": "categorical"}}))


def test_a_column_keeps_its_most_frequent_categories_and_buckets_the_rest(tmp_path):
    frame = _table()
    ds = _in_memory(tmp_path, frame)
    city, counts = _city(ds), frame["city"].value_counts()
    top = sorted(counts.sort_values(ascending=False, kind="stable").index[:CAP])
    assert counts.sort_values(ascending=False).iloc[CAP - 1] > counts.sort_values(
        ascending=False).iloc[CAP]  # the top 20 are unambiguous here
    assert city.vocabulary == top and city.width == CAP + 1
    others = len(counts) - CAP
    share = 1 - counts[top].sum() / ROWS
    assert city.others == others and city.share == pytest.approx(share)
    line = (f"column 'city': {len(counts):,} categories; the {CAP} most frequent kept, the other "
            f"{others:,} ({share:.0%} of rows) share one bucket")
    assert line in ds.summary
    # Every row of a bucketed city is encoded on the bucket's dim, unseen cities too.
    x = ds.codec.encode(pd.DataFrame({"x": [0.0, 0.0, 0.0], "city": [top[0], "c299", "nowhere"]}))
    start = 0 if ds.codec.specs[0].name == "city" else ds.codec.specs[0].width
    assert x[:, start : start + CAP + 1].argmax(1).tolist() == [0, CAP, CAP]


def test_a_column_under_the_cap_is_as_before_and_refuses_an_unseen_category(tmp_path):
    ds = _in_memory(tmp_path, _table(), cap=CITIES)
    city = _city(ds)
    assert city.others == 0 and city.width == len(set(_table()["city"]))
    assert "share one bucket" not in ds.summary
    with pytest.raises(DataError, match="was not in the training data"):
        ds.codec.encode(pd.DataFrame({"x": [0.0], "city": ["nowhere"]}))


def test_decoding_the_bucket_writes_the_tails_values_by_their_frequency():
    values = [f"v{i}" for i in range(10)] * 50 + ["t1"] * 40 + ["t2"] * 20 + ["t3"] * 5
    col = Categorical.fit("c", values, cap=10)
    assert col.tail == ["t1", "t2", "t3"] and col.tail_counts == [40, 20, 5]
    block = np.zeros((6000, col.width))
    block[:, -1] = 1.0  # every row in the bucket
    block[:3] = np.nan  # and three missing cells
    rows = np.random.default_rng(0).normal(size=(6000, 4))  # the model rows they decode from
    drawn = list(col.decode(block, rows))
    assert drawn[:3] == [None, None, None]
    seen = Counter(drawn[3:])
    assert set(seen) <= {"t1", "t2", "t3"}
    assert seen["t1"] > seen["t2"] > seen["t3"] > 0
    assert list(col.decode(block[::-1], rows[::-1])) == drawn[::-1]  # a row draws as itself


def test_the_summary_finds_the_top_categories_within_its_bound():
    rng = np.random.default_rng(1)
    heavy = {f"h{i}": 500 - 30 * i for i in range(10)}  # the top 10, known
    cells = [k for k, n in heavy.items() for _ in range(n)] + [f"r{i}" for i in range(5000)]
    cells = list(rng.permutation(cells))
    counts = CategoryCounts(capacity=50)
    for start in range(0, len(cells), 700):
        counts.add(cells[start : start + 700])
    assert not counts.exact and len(counts.counts) <= 50
    bound = counts.rows / 51
    assert all(heavy[k] - bound <= counts.counts[k] <= heavy[k] for k in heavy)
    assert set(counts.counts.sort_values().index[-10:]) == set(heavy)


def test_the_codec_json_round_trips_the_bucket_and_old_json_opens(tmp_path):
    codec = _in_memory(tmp_path, _table()).codec
    again = TableCodec.from_json(json.loads(json.dumps(codec.to_json())))
    assert again.to_json() == codec.to_json()
    x = codec.encode(pd.DataFrame({"x": [0.5], "city": ["c299"]}))
    assert torch.equal(again.encode(pd.DataFrame({"x": [0.5], "city": ["c299"]})), x)
    old = {"columns": [{"kind": "categorical", "name": "c", "vocabulary": ["a", "b"]}]}
    opened = load_codec({"codec": old})
    assert opened.specs[0].width == 2 and opened.specs[0].others == 0


def test_streamed_and_in_memory_fits_keep_the_same_vocabulary(tmp_path):
    frame = _table(2)
    (tmp_path / "parts").mkdir()
    for i in range(3):
        part = frame.iloc[i * 1000 : (i + 1) * 1000]
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False),
                       tmp_path / "parts" / f"p{i}.parquet", row_group_size=250)
    streamed = load_data(DataConfig(name="shards", path=str(tmp_path / "parts"), args={
        "max_categories": CAP, "columns": {"city": "categorical", "x": "continuous"}}))
    whole = _in_memory(tmp_path, frame)
    a, b = _city(streamed), _city(whole)
    assert (a.vocabulary, a.tail, a.tail_counts, a.others) == (
        b.vocabulary, b.tail, b.tail_counts, b.others)


def test_a_cap_out_of_range_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="max_categories"):
        _in_memory(tmp_path, _table(), cap=0)


def test_a_streamed_column_past_the_counters_trains_with_a_bucket(tmp_path, monkeypatch):
    from vaekit.data import category_counts

    monkeypatch.setattr(category_counts, "CAPACITY", 100)  # 300 cities: past the counters
    frame = _table(3)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "p.parquet",
                   row_group_size=300)
    ds = load_data(DataConfig(name="shards", path=str(tmp_path), args={
        "max_categories": CAP, "columns": {"city": "categorical", "x": "continuous"}}))
    city, counts = _city(ds), frame["city"].value_counts()
    assert not city.exact and len(city.vocabulary) == CAP and city.tail
    assert set(city.tail) | set(city.vocabulary) <= set(counts.index)
    assert set(counts.index[:5]) <= set(city.vocabulary)  # the clear head is found
    assert city.share >= 1 - counts[city.vocabulary].sum() / ROWS - 1e-12  # an upper bound
    assert f"column 'city': more than {CAP + city.others:,} categories" in ds.summary


def test_rows_given_a_value_of_the_bucket_hold_it_and_an_unknown_value_is_refused(tmp_path):
    import vaekit
    from vaekit.errors import UserError

    frame = _table(4)
    frame.to_csv(tmp_path / "t.csv", index=False)
    vaekit.train({"data": {"name": "table", "path": str(tmp_path / "t.csv"), "args": {
        "max_categories": CAP, "columns": {"city": "categorical"}}},
        "model": {"hidden": [16], "latent_dim": 2}, "train": {"epochs": 1}}, out=tmp_path / "run")
    counts = frame["city"].value_counts()
    rare = counts.index[CAP + 5]  # in the bucket, and among the values it writes back
    rows = vaekit.rows(tmp_path / "run", n=50, given=f"city={rare}", k=16)
    assert (rows["city"] == rare).all()
    with pytest.raises(UserError, match="has no category 'nowhere'"):
        vaekit.rows(tmp_path / "run", n=5, given="city=nowhere")


def test_the_sources_default_cap_is_the_codecs():
    """The sources write their default as a literal (the registry reads options from the
    source); it is the codec's."""
    import inspect

    from vaekit.data.shards import load_shards
    from vaekit.data.table import load_table
    from vaekit.data.table_categorical import MAX_CATEGORIES

    for load in (load_table, load_shards):
        assert inspect.signature(load).parameters["max_categories"].default == MAX_CATEGORIES
