"""Rows drawn given the values of some columns: p(x_rest | x_given) under a table run's model.

The given cells are observed and every other cell is unknown (its value and, for a column whose
missing cells are modelled, whether it is missing); the draws come from the same latent
importance resampling as ``vaekit impute`` (``vaekit.explore.impute``), never by rejection, and
the effective sample size of each row's importance draws is returned with them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from vaekit.artifacts.imputation import How, impute_table
from vaekit.artifacts.run_context import RunContext
from vaekit.data.examples import Examples, IndexIds
from vaekit.data.table_types import pandas, parse_column
from vaekit.errors import UserError


def parse_given(conditions: tuple[str, ...], columns: list[str]) -> dict[str, str]:
    """``COLUMN=VALUE`` strings -> {column: value} (UserError naming a bad one)."""
    given: dict[str, str] = {}
    for text in conditions:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or any(op in name for op in "<>!"):
            raise UserError(f"--given {text!r}: write COLUMN=VALUE (a condition on a value; "
                            "ranges such as price<1000 are not a condition this command takes)")
        if name not in columns:
            raise UserError(f"--given {text!r}: no column {name!r} (columns: "
                            f"{', '.join(columns)})")
        if name in given:
            raise UserError(f"--given {name} is given twice")
        given[name] = value.strip()
    return given


def conditional_rows(ctx: RunContext, given: dict[str, str], n: int, seed: int = 0,
                     k: int = 256) -> tuple[Any, np.ndarray]:
    """n rows drawn from p(x_rest | x_given) (the given cells as written) and the effective
    sample size of each row's importance draws. DataError for a value the column cannot hold
    (an unknown category, a word in a number column)."""
    codec, pd = ctx.codec, pandas()
    types = codec.types()
    frame = pd.DataFrame({c: parse_column(pd.Series([given.get(c)] * n, dtype=object, name=c),
                                          types[c], "--given") for c in codec.columns})
    x = codec.encode(frame)
    # Unknown cells are unobserved, their missing flags too: only the given cells are evidence.
    x[:, codec.flag_positions(set(codec.columns) - set(given))] = float("nan")
    ex = Examples(x, None, IndexIds(n), "--given", model_space=True, frame=frame)
    rows = impute_table(ctx, ex, replace(How(), method="sample", k=k, seed=seed))
    return rows.values, np.asarray(rows.ess if rows.ess is not None else np.full(n, float(k)))
