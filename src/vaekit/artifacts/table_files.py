"""Per-example results written as the user asks by the file's suffix: .npy, .npz, .csv, .parquet.

A result is an ordered set of named columns (one value per example, or one row of values per
example for a block such as ``mu``). ``.npy`` holds one array; ``.npz`` every column under its
name; ``.csv`` and ``.parquet`` one column per value (a block ``mu`` of width L becomes
``mu_0`` .. ``mu_{L-1}``). Every write is atomic.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np

from vaekit.errors import UserError
from vaekit.store.atomic import atomic_write, write_bytes, write_text

FORMATS = (".npy", ".npz", ".csv", ".parquet")


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


def write_columns(path: Path, columns: dict[str, Any], npy_column: str) -> None:
    """Write ``columns`` (each (N,) or (N, W) array-like) to ``path`` in its suffix's format."""
    suffix = check_format(path, npy_column)
    columns = {name: np.asarray(values) for name, values in columns.items()}
    if suffix == ".npy":
        buf = io.BytesIO()
        np.save(buf, columns[npy_column], allow_pickle=False)
        write_bytes(path, buf.getvalue())
    elif suffix == ".npz":
        buf = io.BytesIO()
        np.savez(buf, **columns)
        write_bytes(path, buf.getvalue())
    elif suffix == ".csv":
        flat = _flat(columns)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(list(flat))
        cells = [v.tolist() for v in flat.values()]
        writer.writerows(zip(*cells, strict=True))
        write_text(path, buf.getvalue())
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({k: pa.array(v) for k, v in _flat(columns).items()})
        atomic_write(path, lambda p: pq.write_table(table, str(p)))
