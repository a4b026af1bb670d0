"""A table in many files, streamed: held-out rows split by a hash of the row, a training split
read a row group at a time, ranks on disjoint row groups, and errors that name the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")

import vaekit  # noqa: E402
from vaekit.config.schema import DataConfig  # noqa: E402
from vaekit.data import load_data, resolve_data_arg  # noqa: E402
from vaekit.data.source import TensorSource  # noqa: E402
from vaekit.errors import DataError  # noqa: E402

N_FILES, ROWS, GROUP = 4, 300, 50  # 1,200 rows in 24 row groups


def _frame(seed: int, n: int = ROWS) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    u = rng.random(n)  # unique per row: a row's identity through the codec
    return pd.DataFrame({"u": u, "age": (20 + 50 * u).round().astype(int),
                         "city": rng.choice(["paris", "oslo", "rome"], n),
                         "label": np.where(u > 0.5, "hi", "lo")})


def _write(folder: Path, csv: bool = False) -> pd.DataFrame:
    folder.mkdir(parents=True, exist_ok=True)
    frames = [_frame(i) for i in range(N_FILES)]
    for i, f in enumerate(frames):
        if csv:
            f.to_csv(folder / f"part-{i}.csv", index=False)
        else:
            pq.write_table(pa.Table.from_pandas(f, preserve_index=False),
                           folder / f"part-{i}.parquet", row_group_size=GROUP)
    return pd.concat(frames, ignore_index=True)


def _load(folder: Path, **args: object):
    return load_data(DataConfig(name="shards", path=str(folder), test_fraction=0.1,
                                args={"columns": {"u": "continuous"}, **args}))


def _ids(x: torch.Tensor) -> set[tuple[float, ...]]:
    return {tuple(r) for r in x.tolist()}


@pytest.mark.parametrize("csv", [False, True])
def test_the_splits_partition_the_rows_and_an_epoch_visits_each_training_row_once(tmp_path, csv):
    whole = _write(tmp_path / "t", csv)
    ds = _load(tmp_path / "t", buffer_rows=200)  # streamed: 1,200 rows, a 200-row buffer
    src = ds.train_source
    assert src is not None and src.streams
    assert len(ds.test) + len(ds.val) + len(src) == len(whole)
    assert 80 < len(ds.test) < 160 and 70 < len(ds.val) < 150  # 10% and 10% of the rest
    rows = [b.x for b in src.sharded(0, 0, 1).epoch(1, 10, torch.Generator())]
    assert all(len(b) == 10 for b in rows) and len(rows) == len(src) // 10
    train = _ids(torch.cat(rows))
    assert len(train) == len(rows) * 10  # no row twice
    # Every row is in exactly one split: the codec's rows of the whole file, split three ways.
    every = _ids(ds.codec.encode(whole))
    assert train <= every and not train & _ids(ds.test) and not _ids(ds.val) & _ids(ds.test)
    assert len(every - train - _ids(ds.val) - _ids(ds.test)) == len(src) % 10
    assert ds.codec.types() == {"u": "continuous", "age": "integer", "city": "categorical"}
    assert ds.classes == ["hi", "lo"]


def test_ranks_read_disjoint_row_groups_and_take_the_same_number_of_steps(tmp_path):
    _write(tmp_path / "t")
    src = _load(tmp_path / "t", buffer_rows=100).train_source
    ranks = [src.sharded(3, r, 2) for r in (0, 1)]
    mine = [set(s._mine(2, s.rank)) for s in ranks]
    assert not mine[0] & mine[1] and len(mine[0] | mine[1]) == N_FILES * ROWS // GROUP
    batches = [[b.x for b in s.epoch(2, 20, torch.Generator())] for s in ranks]
    assert len(batches[0]) == len(batches[1]) == ranks[0].steps(20) > 0
    assert all(len(b) == 10 for bs in batches for b in bs)  # a global batch of 20, 10 each
    assert not _ids(torch.cat(batches[0])) & _ids(torch.cat(batches[1]))
    # The order is the seed's: another epoch visits the row groups in another order, and in
    # every epoch both ranks take the same number of steps (a process short of one would hang).
    assert ranks[0]._mine(2, 0) != ranks[0]._mine(3, 0)
    for epoch in range(1, 7):
        counts = [sum(1 for _ in s.epoch(epoch, 20, torch.Generator())) for s in ranks]
        assert counts[0] == counts[1] == ranks[0].steps(20, epoch), (epoch, counts)


def test_a_split_that_fits_is_read_once_and_shuffled_as_in_memory_data(tmp_path):
    _write(tmp_path / "t")
    src = _load(tmp_path / "t").train_source.sharded(7, 0, 1)  # the default buffer holds it
    assert not src.streams
    kept = src._whole()
    memory = TensorSource(kept.x, kept.y, "none", 7)
    for epoch in (1, 2):
        a = list(src.epoch(epoch, 64, torch.Generator()))
        b = list(memory.epoch(epoch, 64, torch.Generator()))
        assert all(torch.equal(p.x, q.x) and torch.equal(p.y, q.y) for p, q in zip(a, b, strict=True))
    rest = list(src.epoch(1, 64, torch.Generator(), start=3))
    assert torch.equal(rest[0].x, list(src.epoch(1, 64, torch.Generator()))[3].x)


def test_train_and_evaluate_from_a_folder_of_parquet_files(tmp_path):
    _write(tmp_path / "t")
    assert resolve_data_arg(str(tmp_path / "t")) == {"name": "shards", "path": str(tmp_path / "t")}
    assert resolve_data_arg(str(tmp_path / "t" / "*.parquet"))["name"] == "shards"
    run = vaekit.train({"data": {"name": "shards", "path": str(tmp_path / "t"), "buffer_rows": 300,
                                 "columns": {"u": "continuous"}},
                        "model": {"hidden": [16], "latent_dim": 2},
                        "train": {"epochs": 2, "batch_size": 64}}, out=tmp_path / "run")
    rows = run.metrics
    assert len(rows) == 2 and all(np.isfinite(float(r["val_loss"])) for r in rows)
    result = vaekit.evaluate(run, k=4)
    assert result.split == "test" and np.isfinite(result.nll) and result.n > 80


def test_files_that_differ_or_break_are_named(tmp_path):
    whole = _write(tmp_path / "t")
    other = whole.rename(columns={"city": "town"}).head(10)
    pq.write_table(pa.Table.from_pandas(other, preserve_index=False), tmp_path / "t" / "z.parquet")
    with pytest.raises(DataError, match=r"z\.parquet: its columns .* differ from those of"):
        _load(tmp_path / "t")
    (tmp_path / "t" / "z.parquet").write_bytes(b"PAR1 this is not a parquet file")
    with pytest.raises(DataError, match=r"z\.parquet: not a readable parquet file"):
        _load(tmp_path / "t")
    (tmp_path / "t" / "z.parquet").unlink()
    (tmp_path / "t" / "z.csv").write_text("a\n1\n")
    with pytest.raises(DataError, match="both .parquet and .csv"):
        _load(tmp_path / "t")
    with pytest.raises(DataError, match="no .parquet or .csv files"):
        _load(tmp_path / "nothing-*.parquet")


def test_a_folder_of_images_with_a_csv_beside_them_stays_an_image_folder(tmp_path):
    from PIL import Image

    Image.new("L", (4, 4)).save(tmp_path / "a.png")
    (tmp_path / "labels.csv").write_text("file,label\na.png,1\n")
    assert resolve_data_arg(str(tmp_path))["name"] == "folder"


@pytest.mark.parametrize("csv", [False, True])
def test_a_folder_of_shards_gets_the_settings_of_the_same_rows_in_one_csv(tmp_path, csv):
    """The table defaults, epochs included (counted from the files' rows), are those of one
    CSV of the same rows, under the same user settings."""
    from vaekit.config.load import load_config
    from vaekit.data.table_defaults import with_table_defaults

    whole = _write(tmp_path / "t", csv)
    whole.to_csv(tmp_path / "one.csv", index=False)

    def resolved(data: str) -> dict:
        raw = {"data": resolve_data_arg(data), "train": {"seed": 3}}
        cfg = load_config(base=with_table_defaults(raw)).model_dump()
        return {k: cfg[k] for k in ("model", "objective", "train")}

    folder, one = resolved(str(tmp_path / "t")), resolved(str(tmp_path / "one.csv"))
    assert folder == one
    plain = load_config(base={"data": {"name": "digits"}}).model_dump()
    assert one["model"] != plain["model"] and one["train"]["epochs"] > 40  # 1,200 rows: more
    assert one["objective"] != plain["objective"]


def test_a_streamed_epoch_resumed_at_a_batch_gives_the_rest_of_the_same_epoch(tmp_path):
    """The shuffle buffer of a resumed epoch holds what it held when the batch was taken."""
    _write(tmp_path / "t")
    src = _load(tmp_path / "t", buffer_rows=120).train_source.sharded(4, 0, 1)
    assert src.streams
    whole = [b.x for b in src.epoch(2, 32, torch.Generator())]
    for start in (1, 5, len(whole) - 1):
        rest = [b.x for b in src.epoch(2, 32, torch.Generator(), start)]
        assert len(rest) == len(whole) - start
        assert all(torch.equal(p, q) for p, q in zip(rest, whole[start:], strict=True))
    assert not torch.equal(whole[0], next(b.x for b in src.epoch(3, 32, torch.Generator())))
