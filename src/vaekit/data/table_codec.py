"""The fitted transform between a table and the model's rows: :class:`TableCodec`.

``encode`` turns a DataFrame into the (N, D_model) float32 tensor the model reads (NaN across a
column's block where its cell is missing); ``decode`` turns model rows back into a DataFrame with
the original column names, types, categories and units. A run stores the codec as JSON in
config.json's data info, so it can be applied to new files (``load_codec``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import Tensor

from vaekit.data.category_counts import CategoryCounts, split_categories
from vaekit.data.table_categorical import MAX_CATEGORIES
from vaekit.data.table_columns import (
    Boolean,
    Categorical,
    Column,
    Continuous,
    Standardized,
    column_from_json,
    to_json,
)
from vaekit.data.table_types import pandas, parse_column, read_table
from vaekit.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

LIKELIHOOD = "columns"  # the registered likelihood over a codec's blocks


@dataclass
class TableCodec:
    """``specs``: the modelled columns in order; ``label``: the label column (read, not modelled);
    ``ignored``: columns of the file that are left out. ``strict``: a file with a column that is
    none of these is refused (runs made before mixed tables ignored other columns).
    ``flagged``: the columns with missing cells in the train rows; each has a boolean block
    right after its own, 1 where the cell is missing, so the model learns the missing rate and
    how it depends on the other columns, and generated rows have missing cells."""

    specs: list[Column]
    label: str | None = None
    ignored: list[str] = field(default_factory=list)
    strict: bool = True
    flagged: list[str] = field(default_factory=list)

    @classmethod
    def fit(cls, df: pd.DataFrame, types: dict[str, str], seed: int = 0,
            vocabulary: pd.DataFrame | None = None, raw: pd.DataFrame | None = None,
            max_categories: int = MAX_CATEGORIES,
            counts: dict[str, CategoryCounts] | None = None) -> TableCodec:
        """Fit every modelled column on ``df`` (parsed train rows); ``types`` from column_types.
        ``vocabulary``: the rows whose categories make up each categorical column's vocabulary
        (the whole file, so a category seen only in the held-out rows is scored, not refused;
        default ``df``), or ``counts``: each categorical column's counts, read while streaming.
        A categorical column keeps its ``max_categories`` most frequent categories and puts the
        rest in one "other" bucket. ``raw``: the rows as read, whose words a yes/no column
        keeps."""
        vocabulary = df if vocabulary is None else vocabulary
        specs: list[Column] = []
        for name, kind in types.items():
            if kind in ("continuous", "integer", "datetime"):
                specs.append(Continuous.fit(name, df[name].to_numpy(np.float64),
                                            kind != "continuous", seed, kind == "datetime"))
            elif kind == "boolean":
                specs.append(Boolean.fit(name, None if raw is None else raw[name]))
            elif kind == "categorical" and counts is not None:
                specs.append(Categorical.of_split(name, split_categories(counts[name],
                                                                         max_categories)))
            elif kind == "categorical":
                specs.append(Categorical.fit(name, vocabulary[name].tolist(), max_categories))
        label = next((n for n, k in types.items() if k == "label"), None)
        flagged = [c.name for c in specs if bool(df[c.name].isna().any())]
        return cls(specs, label, [n for n, k in types.items() if k == "drop"], flagged=flagged)

    # -- what it is --------------------------------------------------------------------------
    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.specs]

    @property
    def width(self) -> int:
        """D_model: the model's row size."""
        return sum(c.width for c in self.specs) + len(self.flagged)

    def types(self) -> dict[str, str]:
        """Each modelled column's type as the user names it (continuous, integer, ...)."""
        return {c.name: c.type for c in self.specs}

    def blocks(self) -> list[dict[str, Any]]:
        """The likelihood's layout: one JSON block per column, in the order of the row."""
        flags = set(self.flagged)
        return [b for c in self.specs
                for b in [c.block(), *([{"kind": "boolean"}] if c.name in flags else [])]]

    def likelihood(self) -> tuple[str, dict[str, Any]]:
        """The registered likelihood that fits these rows and its options."""
        return LIKELIHOOD, {"blocks": self.blocks()}

    def describe(self) -> str:
        """One compact table: each column of the file, its type and its block in the row."""
        rows = []
        for c in self.specs:
            flag = c.name in self.flagged
            detail = f"{c.detail}{', missing cells modelled' if flag else ''}".lstrip(", ")
            rows.append((c.name, c.type, f"{c.width + flag:>3} dims  {detail}".rstrip()))
        rows += [(self.label, "label", "")] if self.label else []
        rows += [(n, "drop", "not modelled (an identifier or free text); data.columns: "
                  f"{{{n}: categorical}} keeps it") for n in self.ignored]
        width = max(len(r[0]) for r in rows)
        lines = [f"  {n:<{width}}  {t:<11}  {d}".rstrip() for n, t, d in rows]
        return "\n".join([f"columns ({len(self.specs)} modelled, {self.width} model dims; "
                          "override with data.columns: {name: type}):", *lines,
                          *self.notes()])

    def notes(self) -> list[str]:
        """One line per categorical column with an "other" bucket, saying what it holds."""
        return [c.note for c in self.specs if isinstance(c, Categorical) and c.note]

    # -- files and frames ----------------------------------------------------------------------
    def read(self, path: str | Path) -> pd.DataFrame:
        """A CSV or Parquet file parsed with this codec's column types (plus the label column
        when present). DataError (one line) for a missing column or, when strict, an extra one."""
        path = Path(path).expanduser()
        return self.parse(read_table(path), str(path))

    def parse(self, df: pd.DataFrame, where: str) -> pd.DataFrame:
        """The cells of ``df`` (read from ``where``) parsed with this codec's column types, the
        label column kept when present; DataError (one line) for a missing column or, when
        strict, an extra one."""
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise DataError(f"{where}: missing column(s) {', '.join(map(repr, missing))} that the "
                            "run was trained on")
        known = {*self.columns, *self.ignored, *([self.label] if self.label else [])}
        extra = [c for c in df.columns if c not in known]
        if extra and self.strict:
            raise DataError(f"{where}: column(s) {', '.join(map(repr, extra))} that the run does "
                            "not know; remove them")
        keep = [*self.columns, *([self.label] if self.label in df.columns else [])]
        types = {**self.types(), **({self.label: "label"} if self.label else {})}
        return pandas().DataFrame({c: parse_column(df[c], types[c], where) for c in keep})

    def encode(self, df: pd.DataFrame) -> Tensor:
        """(N, D_model) float32: each column's block, NaN across a block where a cell is missing."""
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise DataError(f"the table has no column(s) {', '.join(map(repr, missing))}")
        types = self.types()
        blocks = []
        for c in self.specs:
            values = parse_column(df[c.name], types[c.name], "the table")
            blocks.append(c.encode(values.tolist() if c.kind == "categorical"
                                   else values.to_numpy(np.float64)))
            if c.name in self.flagged:
                blocks.append(values.isna().to_numpy(np.float32)[:, None])
        return torch.from_numpy(np.concatenate(blocks, axis=1))

    def flag_positions(self, names: set[str]) -> list[int]:
        """Where the missing flags of the columns ``names`` sit in a model row (columns whose
        missing cells are modelled; others have none)."""
        out, start = [], 0
        for c in self.specs:
            start += c.width
            if c.name in self.flagged:
                if c.name in names:
                    out.append(start)
                start += 1
        return out

    def decode(self, x: Tensor, missing: bool = True) -> pd.DataFrame:
        """Model rows (N, D_model) -> a DataFrame of the original columns, types and units.
        ``missing``: a cell whose missing flag is set (>= 0.5) is missing; False reads every
        value block (filled gaps)."""
        if x.ndim != 2 or x.shape[1] != self.width:
            raise DataError(f"rows of shape {tuple(x.shape)}; this table's rows have {self.width} "
                            "model dims")
        a = x.detach().double().cpu().numpy()
        out, start = {}, 0
        for c in self.specs:
            block = a[:, start : start + c.width]
            start += c.width
            if c.name in self.flagged:
                if missing:
                    block = np.where(a[:, start : start + 1] >= 0.5, np.nan, block)
                start += 1
            out[c.name] = c.decode(block, a) if isinstance(c, Categorical) else c.decode(block)
        return pandas().DataFrame(out)

    def written(self, df: pd.DataFrame) -> pd.DataFrame:
        """Parsed columns (as ``read`` gives them) in the form ``decode`` writes them: the
        original words of a yes/no column, datetimes, Int64 integers."""
        types = self.types()
        out = {}
        for c in self.specs:
            values = parse_column(df[c.name], types[c.name], "the table")
            out[c.name] = c.written(values.tolist() if c.kind == "categorical"
                                    else values.to_numpy(np.float64))
        return pandas().DataFrame(out, index=df.index)

    # -- JSON ----------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {"columns": [to_json(c) for c in self.specs], "label": self.label,
                "ignored": self.ignored, "strict": self.strict, "flagged": self.flagged}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TableCodec:
        return cls([column_from_json(c) for c in data["columns"]], data.get("label"),
                   list(data.get("ignored") or []), bool(data.get("strict", True)),
                   [str(n) for n in data.get("flagged") or []])


def load_codec(run_info: dict[str, Any]) -> TableCodec:
    """The codec a run stored in its data info (config.json's ``data``). Runs made before mixed
    tables stored only ``columns`` and ``column_mean``/``column_std``: they become a codec of
    standardized continuous columns. DataError when the run is not a table or the JSON is bad."""
    try:
        if run_info.get("codec") is not None:
            return TableCodec.from_json(run_info["codec"])
        mean, std = run_info.get("column_mean"), run_info.get("column_std")
        if mean is None or std is None:
            raise DataError("this run has no table columns (it was not trained on a table)")
        names = run_info.get("columns") or [f"x{i}" for i in range(len(mean))]
        specs: list[Column] = [Standardized(str(n), float(m), float(s))
                               for n, m, s in zip(names, mean, std, strict=True)]
        return TableCodec(specs, strict=False)
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"the run's table description is corrupt ({exc})") from None
