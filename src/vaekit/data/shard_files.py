"""The files of a sharded table: their schema, checked once, and their row groups, read one at a
time with pyarrow (a Parquet row group, or a whole CSV file read as text).

Every error names the file (and row group): a file of another schema, one that is not Parquet
or CSV, a row group that is damaged when an epoch reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaekit.data.table_types import MISSING, pandas
from vaekit.errors import DataError


def _arrow() -> Any:
    try:
        import pyarrow.csv
        import pyarrow.parquet
    except ImportError:
        raise DataError("sharded tables need pyarrow: pip install 'vaekit[tables]'") from None
    import pyarrow
    return pyarrow


@dataclass
class RowGroup:
    """Row group ``index`` of ``path`` (None: the whole CSV file); ``offset``: the global index
    of its first row; ``train``: how many of its rows are in the training split."""

    path: Path
    index: int | None
    offset: int
    rows: int
    names: list[str]
    train: int = 0

    @property
    def where(self) -> str:
        return str(self.path) if self.index is None else f"{self.path} (row group {self.index})"

    def read(self, columns: list[str] | None = None) -> Any:
        """The rows as a DataFrame (CSV cells as text, missing cells NaN), ``columns`` only."""
        pa = _arrow()
        try:
            if self.index is None:
                table = pa.csv.read_csv(self.path, convert_options=_csv_options(pa, self.names,
                                                                                columns))
            else:
                table = pa.parquet.ParquetFile(self.path).read_row_group(self.index,
                                                                          columns=columns)
            frame = table.to_pandas()
        except (pa.ArrowException, OSError, ValueError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DataError(f"{self.where}: cannot be read ({first})") from None
        if len(frame) != self.rows:
            raise DataError(f"{self.where}: {len(frame)} rows, {self.rows} when the data were "
                            "first read; the files changed during training")
        return frame


def _csv_options(pa: Any, names: list[str], columns: list[str] | None) -> Any:
    return pa.csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                 null_values=MISSING, strings_can_be_null=True,
                                 include_columns=columns)


@dataclass
class Shards:
    files: list[Path]
    groups: list[RowGroup] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(g.rows for g in self.groups)


def open_shards(files: list[Path], spec: str) -> Shards:
    """The row groups of ``files`` in order; DataError naming the first file that cannot be read
    or whose columns and types differ from the first file's."""
    pa = _arrow()
    shards, schema, offset = Shards(files), None, 0
    for path in files:
        try:
            if path.suffix.lower() == ".parquet":
                meta = pa.parquet.ParquetFile(path)
                this = meta.schema_arrow
                sizes = [meta.metadata.row_group(i).num_rows for i in range(meta.num_row_groups)]
                indices: list[int | None] = list(range(len(sizes)))
            else:
                table = pa.csv.read_csv(path, convert_options=pa.csv.ConvertOptions(
                    null_values=MISSING, strings_can_be_null=True))
                this, sizes, indices = table.schema, [table.num_rows], [None]
                this = pa.schema([pa.field(n, pa.string()) for n in this.names])
        except (pa.ArrowException, OSError, ValueError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DataError(f"{path}: not a readable {path.suffix.lstrip('.')} file ({first})") \
                from None
        if schema is None:
            schema = this
        elif not this.equals(schema):
            raise DataError(f"{path}: its columns ({_describe(this)}) differ from those of "
                            f"{files[0]} ({_describe(schema)}); every file needs the same schema")
        for index, rows in zip(indices, sizes, strict=True):
            if rows:
                shards.groups.append(RowGroup(path, index, offset, rows, list(this.names)))
                offset += rows
    if not shards.groups:
        raise DataError(f"{spec}: the files hold no rows")
    pandas()  # reading a row group needs it: say so now, not mid-epoch
    return shards


def _describe(schema: Any) -> str:
    return ", ".join(f"{f.name}: {f.type}" for f in schema)
