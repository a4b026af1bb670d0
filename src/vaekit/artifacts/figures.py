"""Write matplotlib figures and tables of generated rows, atomically (a table in chunks, so
its memory is bounded by a chunk, whatever the number of rows)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from vaekit.store.atomic import atomic_write, write_text
from vaekit.store.finite import check_frame


def save_figure(fig: Figure, path: str | Path) -> None:
    """The figure as a PNG at its own pixel size (no tight cropping; see ``vaekit.viz.figure``)."""
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=fig.dpi))


def save_table(frame: Any, path: str | Path, float_format: str | None = "%.6g") -> None:
    """A pandas DataFrame as Parquet when ``path`` ends in .parquet, else as CSV (numbers with
    ``float_format``, by default up to 6 significant digits; None: every digit; missing cells
    empty; an infinite number is a NonFiniteError)."""
    check_frame(frame)
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        atomic_write(path, lambda p: frame.to_parquet(p, index=False))
    else:
        write_text(path, frame.to_csv(index=False, float_format=float_format, lineterminator="\n"))


def save_table_chunks(frames: Iterable[Any], path: str | Path,
                      float_format: str | None = "%.6g") -> int:
    """Pandas DataFrames of the same columns, written one after the other as one table (CSV with
    one header, or Parquet of one row group per frame), each checked as :func:`save_table`
    checks it; only one frame is held at a time. Atomic. Returns the rows written."""
    path = Path(path)
    written = 0

    def write(tmp: Path) -> None:
        nonlocal written
        if path.suffix.lower() == ".parquet":
            writer = None
            try:
                for frame in frames:
                    check_frame(frame)
                    writer = _parquet_chunk(frame, tmp, writer)
                    written += len(frame)
            finally:
                if writer is not None:
                    writer.close()
            return
        with open(tmp, "w", newline="") as text:
            for frame in frames:
                check_frame(frame)
                frame.to_csv(text, index=False, header=written == 0, float_format=float_format,
                             lineterminator="\n")
                written += len(frame)

    atomic_write(path, write)
    return written


def _parquet_chunk(frame: Any, tmp: Path, writer: Any) -> Any:
    """Append ``frame`` to the Parquet file at ``tmp`` (its writer made on the first frame)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if writer is None:
        writer = pq.ParquetWriter(tmp, table.schema)
    writer.write_table(table.cast(writer.schema))
    return writer
