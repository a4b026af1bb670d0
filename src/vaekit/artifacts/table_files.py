"""Per-example results written as the user asks by the file's suffix: .npy, .npz, .csv, .parquet.

A result is an ordered set of named columns (one value per example, or one row of values per
example for a block such as ``mu``). ``.npy`` holds one array; ``.npz`` every column under its
name; ``.csv`` and ``.parquet`` one column per value (a block ``mu`` of width L becomes
``mu_0`` .. ``mu_{L-1}``). A result may come in batches of rows, written as they come: memory
holds one batch (and for ``.parquet`` one row group), so results larger than RAM can be written.
Every write is atomic: the file appears complete or not at all, and a failed write (a batch that
raises) leaves a file already at the path as it was.
"""

from __future__ import annotations

import contextlib
import csv
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from vaekit.errors import UserError
from vaekit.store.atomic import atomic_write
from vaekit.store.finite import check_finite

FORMATS = (".npy", ".npz", ".csv", ".parquet")
ROW_GROUP_ROWS = 65_536  # rows of a .parquet row group, at least (batches are gathered to it)


def check_format(path: Path, npy_column: str) -> str:
    """The suffix of ``path`` if vaekit writes it (UserError naming the formats otherwise),
    checked before any work is done; ``.npy`` holds ``npy_column`` alone."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"--out {path}: unknown format {suffix or '(no suffix)'!r} (write "
                        f"{', '.join(FORMATS)}; .npy holds {npy_column} alone)")
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UserError("writing .parquet needs pyarrow: pip install 'vaekit[tables]'") from None
    if path.is_dir():
        raise UserError(f"--out {path} is a folder; give a file name")
    return suffix


def _flat(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name, values in columns.items():
        if values.ndim == 1:
            out[name] = values
        else:
            for j in range(values.shape[1]):
                out[f"{name}_{j}"] = values[:, j]
    return out


class _Sink(Protocol):
    """Where the batches of one file go, in order: made from the first batch."""

    def write(self, columns: dict[str, np.ndarray], start: int) -> None:
        """Rows ``start`` .. ``start + B - 1`` of the file."""

    def finish(self) -> None:
        """After the last batch, before the file is closed and renamed into place."""


def _memmap(path: Path, n_rows: int, first: np.ndarray) -> np.ndarray:
    """An .npy file of ``n_rows`` rows shaped and typed as those of ``first``, mapped to fill."""
    return np.lib.format.open_memmap(path, mode="w+", dtype=first.dtype,
                                     shape=(n_rows, *first.shape[1:]))


def _fill(array: np.ndarray, values: np.ndarray, start: int) -> None:
    if values.dtype != array.dtype or values.shape[1:] != array.shape[1:]:
        # numpy would cast silently: a wider string cut short, a float64 rounded
        raise ValueError(f"a batch of {values.dtype} {values.shape[1:]} for a column of "
                         f"{array.dtype} {array.shape[1:]}")
    array[start : start + len(values)] = values


class _NpySink:
    """The one column ``npy_column``, filled row by row in the mapped file (as np.save writes it)."""

    def __init__(self, tmp: Path, n_rows: int, first: dict[str, np.ndarray], npy_column: str,
                 stack: contextlib.ExitStack) -> None:
        self.column = npy_column
        self.array = _memmap(tmp, n_rows, first[npy_column])

    def write(self, columns: dict[str, np.ndarray], start: int) -> None:
        _fill(self.array, columns[self.column], start)

    def finish(self) -> None:
        self.array.flush()


class _NpzSink:
    """Every column as an .npy member of an uncompressed zip (as np.savez writes it): each column
    is filled in a scratch .npy next to the file, then copied into the zip."""

    def __init__(self, tmp: Path, n_rows: int, first: dict[str, np.ndarray], npy_column: str,
                 stack: contextlib.ExitStack) -> None:
        scratch = Path(tempfile.mkdtemp(prefix=f"{tmp.name}.", dir=tmp.parent))
        stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        self.tmp = tmp
        self.files = {name: scratch / f"{i}.npy" for i, name in enumerate(first)}
        self.arrays = {name: _memmap(self.files[name], n_rows, v) for name, v in first.items()}

    def write(self, columns: dict[str, np.ndarray], start: int) -> None:
        for name, array in self.arrays.items():
            _fill(array, columns[name], start)

    def finish(self) -> None:
        with zipfile.ZipFile(self.tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
            for name, array in self.arrays.items():
                array.flush()
                z.write(self.files[name], f"{name}.npy")


class _CsvSink:
    """A header, then the rows of each batch appended."""

    def __init__(self, tmp: Path, n_rows: int, first: dict[str, np.ndarray], npy_column: str,
                 stack: contextlib.ExitStack) -> None:
        f = stack.enter_context(tmp.open("w", encoding="utf-8", newline=""))
        self.writer = csv.writer(f, lineterminator="\n")
        self.writer.writerow(list(_flat(first)))

    def write(self, columns: dict[str, np.ndarray], start: int) -> None:
        cells = [v.tolist() for v in _flat(columns).values()]
        self.writer.writerows(zip(*cells, strict=True))

    def finish(self) -> None:
        pass  # the rows are written; the file closes with the stack


class _ParquetSink:
    """Row groups of at least ``ROW_GROUP_ROWS`` rows (the last one smaller), batches gathered
    until a group is full."""

    def __init__(self, tmp: Path, n_rows: int, first: dict[str, np.ndarray], npy_column: str,
                 stack: contextlib.ExitStack) -> None:
        import pyarrow.parquet as pq

        self.pending: list[Any] = []
        self.rows = 0
        self.writer = stack.enter_context(pq.ParquetWriter(str(tmp), self._table(first).schema))

    @staticmethod
    def _table(columns: dict[str, np.ndarray]) -> Any:
        import pyarrow as pa

        return pa.table({k: pa.array(v) for k, v in _flat(columns).items()})

    def write(self, columns: dict[str, np.ndarray], start: int) -> None:
        self.pending.append(self._table(columns))
        self.rows += self.pending[-1].num_rows
        if self.rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.pending:
            self.writer.write_table(pa.concat_tables(self.pending))
            self.pending, self.rows = [], 0

    def finish(self) -> None:
        self._flush()


_SINKS: dict[str, Callable[..., _Sink]] = {".npy": _NpySink, ".npz": _NpzSink, ".csv": _CsvSink,
                                           ".parquet": _ParquetSink}


def write_batches(path: Path, n_rows: int, batches: Iterable[dict[str, Any]],
                  npy_column: str) -> dict[str, tuple[int, ...]]:
    """Write ``n_rows`` rows that come in ``batches`` to ``path`` in its suffix's format, each
    batch as it comes. A batch maps each column name to a (B,) or (B, W) array-like, with the
    same names, row shapes and dtypes in every batch (strings of the width of the longest).
    Returns each column's shape in the file, (N,) or (N, W).

    Every number is checked on its way out (NonFiniteError naming the row and column of a NaN
    or an infinity). Atomic: when a batch raises (bad data found late), the error propagates
    and ``path`` is left as it was, with no temporary file behind."""
    suffix = check_format(path, npy_column)
    shapes: dict[str, tuple[int, ...]] = {}

    def write(tmp: Path) -> None:
        with contextlib.ExitStack() as stack:
            sink: _Sink | None = None
            done = 0
            for batch in batches:
                columns = {name: np.asarray(values) for name, values in batch.items()}
                check_finite(columns, done)
                if sink is None:
                    sink = _SINKS[suffix](tmp, n_rows, columns, npy_column, stack)
                    shapes.update({k: (n_rows, *v.shape[1:]) for k, v in columns.items()})
                sink.write(columns, done)
                done += len(next(iter(columns.values())))
            if sink is None or done != n_rows:
                raise ValueError(f"{path}: {n_rows} rows announced, {done} written")
            sink.finish()

    atomic_write(path, write)
    return shapes


def write_columns(path: Path, columns: dict[str, Any], npy_column: str) -> None:
    """Write ``columns`` (each (N,) or (N, W) array-like) to ``path`` in its suffix's format."""
    columns = {name: np.asarray(values) for name, values in columns.items()}
    write_batches(path, len(next(iter(columns.values()))), [columns], npy_column)
