"""A comma-separated table with a header row, as standardized tabular rows.

Numeric columns are kept; other columns are dropped (listed in ``meta["dropped_columns"]``).
A column named ``label``, ``class`` or ``target`` (any case) gives the labels: its sorted
unique values (numerically if all numeric) are the classes. Empty, NaN or Inf cells in a kept
column are errors. Rows are split by ``data.test_fraction``/``data.split_seed`` and
standardized with the train split's column mean and std (std 0 -> 1).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import torch

from vaekit.config.schema import DataConfig
from vaekit.data.arrays import standardize
from vaekit.data.base import Dataset, split_fraction
from vaekit.errors import DataError
from vaekit.registry import register

LABEL_NAMES = ("label", "class", "target")


def _read_rows(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, data rows (stripped cells) and the file line number of each row."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [h.strip() for h in next(reader, [])]
            rows, lines = [], []
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue  # blank line
                if len(row) != len(header):
                    raise DataError(f"{path}, line {reader.line_num}: {len(row)} cells but the "
                                    f"header has {len(header)} columns")
                rows.append([cell.strip() for cell in row])
                lines.append(reader.line_num)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DataError(f"{path}: cannot read it as UTF-8 CSV ({e})") from None
    if not header or not rows:
        raise DataError(f"{path}: needs a header row and at least one data row")
    return header, rows, lines


def _parse(cells: list[str]) -> np.ndarray | None:
    """Cells -> float64 values; None if some non-empty cell is not a number (text column)."""
    try:
        return np.array(cells, dtype=np.float64)
    except ValueError:
        pass
    for cell in cells:
        if cell:
            try:
                float(cell)
            except ValueError:
                return None
    return np.array([float(c) if c else math.nan for c in cells])  # empty cells -> NaN


def _label_values(cells: list[str]) -> tuple[np.ndarray, list[str]]:
    """Label cells -> (indices into the sorted unique values, those values as class names)."""
    numbers = _parse(cells)
    if numbers is not None and np.isfinite(numbers).all():
        uniq, idx = np.unique(numbers, return_inverse=True)
        return idx, [f"{v:g}" for v in uniq]
    uniq, idx = np.unique(np.array(cells), return_inverse=True)
    return idx, [str(v) for v in uniq]


@register("data", "csv")
def load_csv(cfg: DataConfig) -> Dataset:
    """(N, D) float32 standardized rows of the numeric columns of ``cfg.path``; labels if any."""
    if cfg.path is None:
        raise DataError("data source 'csv' needs data.path (a .csv file with a header)")
    path = Path(cfg.path).expanduser()
    header, rows, lines = _read_rows(path)
    label_col = next((j for j, h in enumerate(header) if h.lower() in LABEL_NAMES), None)
    kept, columns, dropped = [], [], []
    for j, name in enumerate(header):
        if j == label_col:
            continue
        values = _parse([row[j] for row in rows])
        if values is None:
            dropped.append(name)
            continue
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(bad.argmax())
            what = "empty" if rows[i][j] == "" else f"{rows[i][j]!r}"
            raise DataError(f"{path}, line {lines[i]}, column {name!r}: {what} cell; fill in or "
                            "drop that row")
        kept.append(values)
        columns.append(name)
    if not kept:
        raise DataError(f"{path}: no numeric columns (header {header}); is it comma-separated?")
    x = torch.from_numpy(np.stack(kept, axis=1).astype(np.float32))
    y, classes = None, None
    if label_col is not None:
        cells = [row[label_col] for row in rows]
        if "" in cells:
            i = cells.index("")
            raise DataError(f"{path}, line {lines[i]}, column {header[label_col]!r}: empty label")
        idx, classes = _label_values(cells)
        y = torch.from_numpy(idx.astype(np.int64))
    tr, te = split_fraction(len(x), cfg.test_fraction, cfg.split_seed)
    train, test, mean, std = standardize(x[tr], x[te])
    meta: dict[str, object] = {"source": str(path), "dropped_columns": dropped}
    if label_col is not None:
        meta["label_column"] = header[label_col]
    return Dataset(
        name=path.name, train=train, test=test, kind="tabular",
        train_labels=None if y is None else y[tr], test_labels=None if y is None else y[te],
        classes=classes, columns=columns, column_mean=mean, column_std=std, meta=meta,
    )
