"""A table of any size: a folder (or glob) of Parquet or CSV files, streamed from disk.

Nothing is loaded whole. Two passes before training read what the model needs: every row group's
size and the files' schema (one line naming the file that differs), then the rows held out and a
sample of the training rows (``sample_rows``: what the column types and the codec's number
modes are fitted on) with the counts of every categorical column's categories over all rows
(``category_counts``: exact up to 100,000 categories, a Misra-Gries summary in bounded memory
past that); a column keeps its ``max_categories`` most frequent, the rest share one bucket.
Each row's split is a hash of its global index (``shard_source.row_split``): the validation
and test splits are uniform random subsets of at most ``heldout_rows`` rows each, held in
memory; the training rows stream through a :class:`ShardSource` a row group at a time.
A Parquet row group, or a whole CSV file, is the unit that is read and shuffled.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset
from vaekit.data.category_counts import CategoryCounts
from vaekit.data.shard_files import Shards, open_shards
from vaekit.data.shard_source import ShardSource, row_split, uniform_of_rows
from vaekit.data.table_categorical import Categorical, check_max_categories
from vaekit.data.table_codec import TableCodec
from vaekit.data.table_types import column_types, pandas, parse_column
from vaekit.data.validation import DEFAULT_FRACTION
from vaekit.errors import ConfigError, DataError
from vaekit.registry import register

SUFFIXES = (".parquet", ".csv")
# The data set read last, by its files' names, times and sizes and the options that shape it:
# a run's training, report and evaluation in one process read the files once.
_LOADED: dict[tuple, Dataset] = {}


def shard_paths(spec: str) -> list[Path]:
    """The files of ``spec``: a folder (its .parquet or .csv files, recursively) or a glob."""
    root = Path(spec).expanduser()
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    else:
        files = sorted(Path(p) for p in glob.glob(str(root), recursive=True)
                       if Path(p).suffix.lower() in SUFFIXES and Path(p).is_file())
    if not files:
        raise DataError(f"{spec}: no .parquet or .csv files there")
    kinds = {p.suffix.lower() for p in files}
    if len(kinds) > 1:
        raise DataError(f"{spec}: holds both .parquet and .csv files; keep one kind of file")
    return files


def _fractions(cfg: DataConfig, n: int, heldout_rows: int) -> tuple[float, float]:
    """The probabilities of a row being test and validation: the fractions the config asks for,
    each capped at ``heldout_rows`` expected rows."""
    p_test = min(cfg.test_fraction, heldout_rows / n)
    size = cfg.val_size
    if size is None:
        p_val = 0.0
    elif size == "auto":
        p_val = DEFAULT_FRACTION * (1 - p_test)
    elif isinstance(size, float):
        p_val = size * (1 - p_test)
    else:
        p_val = int(size) / n
    return p_test, min(p_val, heldout_rows / n)


def _labels(cells: Any, classes: list[str], where: str) -> Tensor:
    """Label cells -> indices into ``classes`` (DataError for a missing or unknown label)."""
    index = {c: i for i, c in enumerate(classes)}
    texts = parse_column(cells, "label", where).tolist()
    bad = [t for t in texts if t not in index]
    if bad:
        raise DataError(f"{where}: label {bad[0]!r} is missing or was not seen when the data "
                        "were read")
    return torch.tensor([index[t] for t in texts], dtype=torch.int64)


@register("data", "shards")
def load_shards(cfg: DataConfig, columns: dict[str, str] | None = None,
                sample_rows: int = 100_000, heldout_rows: int = 50_000,
                buffer_rows: int = 262_144, max_categories: int = 1000) -> Dataset:
    """Rows of the files at ``cfg.path`` (a folder or glob of .parquet or .csv files) streamed:
    ``train`` holds a sample of the training rows, ``val``/``test`` the held-out rows, and the
    training split itself is the Dataset's ``train_source``.

    ``columns``: type overrides by column name, as for one table file; ``sample_rows``: training
    rows the codec is fitted on; ``heldout_rows``: the most rows each of validation and test
    holds; ``buffer_rows``: rows shuffled together while streaming; ``max_categories``: the
    categories kept per categorical column (the rest share one "other" bucket).
    """
    for key, value in (("sample_rows", sample_rows), ("heldout_rows", heldout_rows),
                       ("buffer_rows", buffer_rows)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise ConfigError(f"data.{key}: a whole number >= 2, got {value!r}")
    check_max_categories(max_categories)
    if cfg.path is None:
        raise DataError("data source 'shards' needs data.path (a folder or glob of .parquet or "
                        ".csv files)")
    paths = shard_paths(cfg.path)
    key = (tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in paths),
           cfg.test_fraction, cfg.val_size, cfg.split_seed, repr(columns), sample_rows,
           heldout_rows, buffer_rows, max_categories)
    if key not in _LOADED:  # training, then its report and evaluation, read the files once
        _LOADED.clear()
        _LOADED[key] = _load(cfg, paths, columns, sample_rows, heldout_rows, buffer_rows,
                             max_categories)
    return _LOADED[key]


def _load(cfg: DataConfig, paths: list[Path], columns: dict[str, str] | None,
          sample_rows: int, heldout_rows: int, buffer_rows: int, max_categories: int) -> Dataset:
    """The two passes over the files and the data set they give (see ``load_shards``)."""
    shards = open_shards(paths, str(cfg.path))
    n = shards.rows
    p_test, p_val = _fractions(cfg, n, heldout_rows)
    p_sample = min(1.0, sample_rows / max(1.0, n * (1 - p_test - p_val)))

    def split(index: np.ndarray) -> np.ndarray:
        return row_split(index, cfg.split_seed, p_test, p_val)

    # Pass 1: the held-out rows and a sample of the training rows, as read.
    parts: dict[str, list[Any]] = {"train": [], "val": [], "test": []}
    for group in shards.groups:
        index = np.arange(group.offset, group.offset + group.rows)
        codes = split(index)
        sampled = uniform_of_rows(index, cfg.split_seed + 1) < p_sample
        keep = (codes > 0) | sampled
        if keep.any():
            frame = group.read().iloc[np.flatnonzero(keep)]
            for name, code in (("train", 0), ("val", 1), ("test", 2)):
                parts[name].append(frame[codes[keep] == code])
    pd = pandas()
    frames = {k: pd.concat(v, ignore_index=True) if v else None for k, v in parts.items()}
    for name in ("train", "test") + (("val",) if cfg.val_size is not None else ()):
        if frames[name] is None or len(frames[name]) < 2:
            raise DataError(f"{cfg.path}: {n} rows are too few for a {name} split of at least 2")
    sample = frames["train"]
    types = column_types(sample, columns or {}, Path(str(cfg.path)))
    # Pass 2: the counts of every categorical column's categories and of the labels, all rows.
    wanted = [c for c, k in types.items() if k in ("categorical", "label")]
    counts = _counts(shards, wanted, types)
    codec = TableCodec.fit(
        pd.DataFrame({c: parse_column(sample[c], k, str(cfg.path)) for c, k in types.items()
                      if k != "drop"}),
        types, cfg.split_seed, max_categories=max_categories, counts=counts)
    _check_buckets(codec, str(cfg.path))
    classes = (sorted(counts[codec.label].counts.index.tolist()) if codec.label is not None
               else None)

    def encode(frame: Any) -> tuple[Tensor, Tensor | None]:
        y = None if classes is None else _labels(frame[codec.label], classes, str(cfg.path))
        return codec.encode(frame), y

    held = {k: encode(f) for k, f in frames.items() if f is not None}
    for g in shards.groups:
        g.train = int((split(np.arange(g.offset, g.offset + g.rows)) == 0).sum())
    source = ShardSource(shards.groups, encode, split, cfg.split_seed, buffer_rows)
    ds = Dataset(
        name=Path(cfg.path).name or str(cfg.path), train=held["train"][0], test=held["test"][0],
        kind="table", train_labels=held["train"][1], test_labels=held["test"][1],
        classes=classes, columns=codec.columns, codec=codec, likelihood=codec.likelihood(),
        missing_cells=True, summary=codec.describe(),
        meta={"source": str(cfg.path), "files": len(shards.files), "rows": n},
        train_source=source,
    )
    if "val" in held:
        ds.val, ds.val_labels = held["val"]
        ds.val_protocol = (f"{len(ds.val):,} of the {n:,} rows, each drawn with probability "
                           f"{p_val:.4g} (seed {cfg.split_seed})")
    return ds


def _counts(shards: Shards, names: list[str], types: dict[str, str]
            ) -> dict[str, CategoryCounts]:
    """The counts of each column in ``names``'s categories, read over all rows in bounded
    memory; DataError when a label column has more classes than can be counted exactly."""
    counts = {c: CategoryCounts() for c in names}
    for group in shards.groups if names else []:
        frame = group.read(names)
        for c in names:
            counts[c].add(parse_column(frame[c], types[c], str(group.where)).tolist())
            if types[c] == "label" and not counts[c].exact:
                raise DataError(f"{group.where}, label column {c!r}: more than "
                                f"{counts[c].capacity:,} classes; give it another type with "
                                "data.columns: {" + c + ": categorical}")
    return counts


def _check_buckets(codec: TableCodec, where: str) -> None:
    """DataError for a column whose bucket has no values to write back: its categories were
    too evenly spread to count in bounded memory (an identifier)."""
    for c in codec.specs:
        if isinstance(c, Categorical) and c.bucketed and not c.tail:
            raise DataError(f"{where}, column {c.name!r}: no category is frequent enough to "
                            "count (an identifier?); leave it out with data.columns: "
                            "{" + c.name + ": drop}")
