"""A table from a CSV or Parquet file, every column modelled by the type it has.

Each column's type is inferred (continuous, integer, boolean, categorical; a column named
label/class/target gives the labels) and overridden by ``data.columns: {name: type}`` (``drop``
leaves a column out). Rows are split by ``data.test_fraction``/``data.split_seed``; the
:class:`~vaekit.data.table_codec.TableCodec` is fitted on the train split and turns the rows into
the model's tensor, NaN where a cell is missing (the categories are those of the whole file, so
a held-out row's category is always scored; a column keeps its ``max_categories`` most frequent
and the rest share one "other" bucket). The source declares the ``columns`` likelihood
over the codec's blocks, whose densities are in each column's own units.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset, split_fraction
from vaekit.data.table_categorical import check_max_categories
from vaekit.data.table_codec import TableCodec
from vaekit.data.table_types import column_types, pandas, parse_column, read_table
from vaekit.errors import DataError
from vaekit.registry import register

# The codec fitted on the file read last: a run's report, evaluation and explorer read the same
# file again in one process, and the fit (a mixture per continuous column) is the slow part.
_FITTED: dict[tuple, TableCodec] = {}


def _labels(cells: list[str | None], where: str) -> tuple[np.ndarray, list[str]]:
    """Label cells -> (indices into the sorted classes, the classes); numeric labels sort as numbers."""
    if None in cells:
        raise DataError(f"{where}: data row {cells.index(None) + 1} has no label")
    try:
        keyed = sorted(set(cells), key=float)
    except ValueError:
        keyed = sorted(set(cells))
    index = {c: i for i, c in enumerate(keyed)}
    return np.array([index[c] for c in cells], dtype=np.int64), keyed


@register("data", "table")
@register("data", "csv")  # configs and runs that name the source csv: the same loader
def load_table(cfg: DataConfig, columns: dict[str, str] | None = None,
               max_categories: int = 1000) -> Dataset:
    """Rows of ``cfg.path`` (.csv or .parquet) as a codec's (N, D_model) float32 tensor.

    ``columns``: type overrides by column name (continuous, integer, boolean, categorical,
    label, drop); ``max_categories``: the categories kept per categorical column, the most
    frequent (the rest share one "other" bucket).
    """
    check_max_categories(max_categories)
    if cfg.path is None:
        raise DataError(f"data source {cfg.name!r} needs data.path (a .csv or .parquet file)")
    if columns is not None and not (isinstance(columns, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items())):
        raise DataError("data.columns must map column names to types, e.g. {age: integer}")
    path = Path(cfg.path).expanduser()
    df = read_table(path)
    types = column_types(df, columns or {}, path)
    pd = pandas()
    parsed = pd.DataFrame({n: parse_column(df[n], k, str(path)) for n, k in types.items()
                           if k != "drop"})
    tr, te = split_fraction(len(df), cfg.test_fraction, cfg.split_seed)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, tuple(types.items()),
           cfg.test_fraction, cfg.split_seed, max_categories)
    codec = _FITTED.get(key)
    if codec is None:
        codec = TableCodec.fit(parsed.iloc[tr.numpy()], types, cfg.split_seed, vocabulary=parsed,
                               raw=df.iloc[tr.numpy()], max_categories=max_categories)
        _FITTED.clear()  # the last file only: training, then its report and evaluation
        _FITTED[key] = codec
    x = codec.encode(parsed)
    y, classes = None, None
    if codec.label is not None:
        idx, classes = _labels(parsed[codec.label].tolist(), f"{path}, column {codec.label!r}")
        y = torch.from_numpy(idx)
    return Dataset(
        name=path.name, train=x[tr], test=x[te], kind="table",
        train_labels=None if y is None else y[tr], test_labels=None if y is None else y[te],
        classes=classes, columns=codec.columns, meta={"source": str(path)},
        likelihood=codec.likelihood(), codec=codec, missing_cells=bool(x.isnan().any()),
        summary=codec.describe(),
    )
