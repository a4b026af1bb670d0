"""Runs of rows (a table, counts): generated rows in the original columns (CSV or Parquet),
the per-column reconstruction error, and the report's column errors and generated rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaekit.errors import UserError
from vaekit.registry import register

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext
    from vaekit.explore.traverse import LatentStats
    from vaekit.report.renders.base import Draws

# Rows drawn and written at a time: memory stays that of one chunk.
CHUNK_ROWS = 100_000
ROW_FILES = (".csv", ".parquet")


@register("render", "rows")
class RowsRender:
    sample_file = "rows.csv"
    reconstruct_file = "column_errors.png"
    stochastic = True  # rows as the data are: each drawn from p(x|z)

    def write_samples(self, ctx: RunContext, out: Path, draws: Draws) -> str:
        """Generated rows with the original column names, types, categories and units."""
        from vaekit.artifacts.figures import save_table_chunks
        from vaekit.report.pictures import sample_rows

        if out.suffix.lower() not in ROW_FILES:
            raise UserError(f"--out {out}: this run generates table rows; give a .csv or "
                            ".parquet file")
        if draws.label is not None:
            raise UserError("--label: rows of a table run are drawn from the model as a whole "
                            "(vaekit rows --given COLUMN=VALUE draws rows given a column)")
        stochastic = self.stochastic if draws.stochastic is None else draws.stochastic
        columns: list[str] = []

        def chunks() -> Iterator[Any]:
            for i, start in enumerate(range(0, draws.n, CHUNK_ROWS)):
                rows = sample_rows(ctx, min(CHUNK_ROWS, draws.n - start), draws.seed + i,
                                   draws.temperature, stochastic, draws.sampler,
                                   draws.components)
                columns[:] = list(rows.columns)
                yield rows

        save_table_chunks(chunks(), out)
        return f"wrote {out}: {draws.n} rows of {', '.join(columns)}"

    def write_reconstructions(self, ctx: RunContext, out: Path, n: int, split: str) -> list[str]:
        """The error of each column of the whole split: RMSE in each numeric column's own units,
        the error rate of categories and booleans (``n`` does not apply)."""
        from vaekit.artifacts.figures import save_figure
        from vaekit.explore.tabular import column_errors
        from vaekit.report.plots import column_error_plot

        data = ctx.split(split)
        errors = column_errors(ctx.model, data.x, ctx.codec, data.y)
        width = max(len(e.name) for e in errors)
        save_figure(column_error_plot(ctx, split, errors), out)
        return [*(f"{e.name:<{width}}  {e.text}" for e in errors), f"wrote {out}"]

    def report_sections(self, ctx: RunContext, split: str, stats: LatentStats) -> list[str]:
        from vaekit.report.sections import table_sections

        return table_sections(ctx, split)
