"""``vaekit impute`` on a folder or glob of table files: the rows are read, filled and written a
chunk at a time, so memory holds one chunk (of ``CHUNK_ROWS`` rows, or the nearest multiple of
the rows imputed at a time), whatever the number of rows.

The chunks are imputed in order with one generator and the start of the first row, each a
whole number of the batches the in-memory path imputes: the file written is the one
``vaekit impute`` writes for the same rows read whole (the same rows, the same values for the
same seed). With several draws, the rows come draw by draw as they do there: each draw's chunks
go to a part file beside the output, and the parts are joined into it at the end. Atomic: a
file that fails late (a shard with other columns, a corrupt file) leaves the output as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vaekit.artifacts.apply_data import prepare_examples
from vaekit.artifacts.figures import save_table_chunks
from vaekit.artifacts.imputation import How, completed
from vaekit.artifacts.run_context import RunContext
from vaekit.data.examples import Examples
from vaekit.data.shard_rows import ShardRows, shard_rows
from vaekit.explore.impute import Imputation, batch_rows, encoder_start, impute
from vaekit.store.atomic import atomic_write
from vaekit.store.finite import check_frame

CHUNK_ROWS = 65_536
ESS_SAMPLE = 100_000  # effective sample sizes kept (a uniform sample) for the median


@dataclass
class Tally:
    """What was filled: ``cells`` missing, in ``gapped`` of ``rows`` rows; ``ess``: a uniform
    sample of the gapped rows' effective sample sizes and ``ess_min`` (None: rounds filled)."""

    rows: int = 0
    cells: int = 0
    gapped: int = 0
    ess: np.ndarray | None = None
    ess_min: float = float("inf")
    _keys: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def add(self, missing: np.ndarray, ess: np.ndarray | None, rng: np.random.Generator) -> None:
        gaps = missing.any(1)
        self.rows, self.cells = self.rows + len(missing), self.cells + int(missing.sum())
        self.gapped += int(gaps.sum())
        if ess is None:
            return
        self.ess = np.zeros(0) if self.ess is None else self.ess
        if not gaps.any():
            return
        values = ess[gaps]
        self.ess_min = min(self.ess_min, float(values.min()))
        keys = np.concatenate([self._keys, rng.random(len(values))])
        values = np.concatenate([self.ess, values])
        keep = np.argsort(keys)[:ESS_SAMPLE]  # the smallest random keys: a uniform sample
        self.ess, self._keys = values[keep], keys[keep]


def impute_files(ctx: RunContext, spec: str, how: How, out: Path) -> Tally:
    """Fill the empty cells of every row of the files at ``spec`` and write the completed rows to
    ``out`` (.csv or .parquet), a chunk at a time; what was filled."""
    rows, _ = shard_rows(spec, ctx.codec, ctx.classes)
    model, device = ctx.model, ctx.model.device
    first = prepare_examples(ctx, _examples(rows, 0, 1, spec)[0])
    x1, y1 = first.x.to(device), None if first.y is None else first.y.to(device)
    start = encoder_start(model, x1, y1)
    step = batch_rows(model, x1, y1, start, how.k, how.batch_size)
    chunk = step * max(1, CHUNK_ROWS // step)
    g = torch.Generator(device=device).manual_seed(how.seed)
    tally, keys = Tally(), np.random.default_rng(0)
    draws = 1 if how.method == "mean" else how.draws

    def parts() -> Iterator[list[Any]]:
        for lo in range(0, len(rows), chunk):
            ex, frame = _examples(rows, lo, lo + chunk, spec)
            p = prepare_examples(ctx, ex)
            done = impute(model, p.x.to(device), None if p.y is None else p.y.to(device),
                          how.draws, how.method, how.k, how.rounds, g, how.batch_size, start)
            frame = frame[ctx.codec.columns]
            tally.add(frame.isna().to_numpy(), None if done.ess is None else done.ess.numpy(), keys)
            yield completed(ctx, frame, Imputation(done.x.cpu(), done.ess))

    write_draws(out, parts(), draws)
    return tally


def _examples(rows: ShardRows, start: int, stop: int, spec: str) -> tuple[Examples, Any]:
    """Rows ``start:stop`` of the files as examples (ids: their positions) and their cells."""
    x, y, frame = rows.chunk(start, min(stop, len(rows)))
    ids = [str(i) for i in range(start, start + len(x))]
    return Examples(x, y, ids, spec, model_space=True), frame


def write_draws(path: Path, parts: Iterable[list[Any]], draws: int) -> None:
    """Chunks of ``draws`` DataFrames each (one per draw) written draw after draw: every chunk of
    draw 0, then of draw 1, ... (CSV with one header, or Parquet). Atomic."""
    if draws == 1:
        save_table_chunks((p[0] for p in parts), path, float_format=None)
        return
    parquet = path.suffix.lower() == ".parquet"

    def write(tmp: Path) -> None:
        with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as folder:
            files = [Path(folder) / f"draw-{m}" for m in range(draws)]
            writers: list[Any] = [None] * draws
            try:
                for i, chunk in enumerate(parts):
                    for m, frame in enumerate(chunk):
                        check_frame(frame)
                        writers[m] = _append(frame, files[m], writers[m], parquet, i == 0 == m)
            finally:
                for w in writers:
                    if w is not None:
                        w.close()
            _join(files, tmp, parquet)

    atomic_write(path, write)


def _append(frame: Any, file: Path, writer: Any, parquet: bool, header: bool) -> Any:
    """``frame`` added to ``file`` through ``writer`` (made on the first frame)."""
    if parquet:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(file, table.schema)
        writer.write_table(table.cast(writer.schema))
        return writer
    writer = writer or open(file, "w", newline="")  # noqa: SIM115 (closed by the caller)
    frame.to_csv(writer, index=False, header=header, float_format=None, lineterminator="\n")
    return writer


def _join(files: list[Path], tmp: Path, parquet: bool) -> None:
    """The part files one after the other in ``tmp``, a row group (or a block of text) at a time."""
    if not parquet:
        with open(tmp, "wb") as out:
            for f in files:
                with open(f, "rb") as part:
                    shutil.copyfileobj(part, out)
        return
    import pyarrow.parquet as pq

    writer = None
    try:
        for f in files:
            part = pq.ParquetFile(f)
            for i in range(part.num_row_groups):
                table = part.read_row_group(i)
                writer = writer or pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()
