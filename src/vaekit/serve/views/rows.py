"""The explorer's view of a run of rows (a table, counts): JSON records in the original columns,
categories and units, through the codec the run stored."""

from __future__ import annotations

import json
from typing import Any

from torch import Tensor

from vaekit.artifacts.run_context import RunContext
from vaekit.registry import register


def records(frame: Any) -> list[dict[str, Any]]:
    """A decoded table as JSON rows: numbers, booleans and categories; None where missing."""
    return json.loads(frame.to_json(orient="records", double_precision=6))


@register("view", "rows")
class RowsView:
    pngs = False
    mode = "table"

    def __init__(self, ctx: RunContext) -> None:
        self.codec = ctx.codec  # the run's rows <-> its table

    def decoded(self, x: Tensor) -> tuple[list[bytes], list[dict[str, Any]] | None]:
        return [], records(self.codec.decode(x))

    def example(self, x: Tensor, shown: Tensor, recon: Tensor) -> dict[str, Any]:
        return {"row": records(self.codec.decode(x.cpu().clone()))[0],
                "reconstruction": records(self.codec.decode(recon))[0]}

    def examples(self, x: Tensor, shown: Tensor) -> dict[str, Any]:
        return {"rows": records(self.codec.decode(x))}

    def columns(self) -> list[dict[str, Any]] | None:
        return self.codec.types()

    def media(self) -> dict[str, Any]:
        return {"media_type": "application/json", "mode": self.mode,
                "columns": self.codec.columns}
