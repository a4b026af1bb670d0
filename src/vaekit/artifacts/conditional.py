"""Rows drawn under conditions and constraints: p(x | given, constraints) under a table run's
model (``vaekit rows --given ... --constraint ...`` and ``vaekit.rows``).

Given values are observed cells; a range on a number is weighed by its probability under p(x|z)
and its value drawn inside it (``vaekit.explore.conditional``); the other clauses are checked
on each importance draw. A range is stated on the values as they are written (an integer
column's rounded values, a number's written decimals, a value clipped to the column's observed
range), so it is mapped to the interval of the model's continuous value that writes inside it:
every row meets every clause exactly, and the effective sample size of each row's importance
draws, with how often rows drawn without the constraints would break them, comes with the rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch

from vaekit.artifacts.conditions import Clause
from vaekit.artifacts.constraints import Bound, Region
from vaekit.artifacts.run_context import RunContext
from vaekit.data.table_columns import Continuous
from vaekit.data.table_types import pandas, parse_column
from vaekit.errors import UserError
from vaekit.explore.conditional import Range, conditional_draws

EPS = 1e-9  # relative slack when a bound is a whole number of the column's written steps


@dataclass
class ConditionalRows:
    """``values``: the rows (a DataFrame in the run's columns); ``ess``: (N,) effective sample
    size of each row's importance draws; ``broken``: the estimated share of rows drawn under the
    conditions alone that would break the constraints (0 without constraints); ``accepted``:
    the weighted share of importance draws that met the clauses checked on them."""

    values: Any
    ess: np.ndarray
    broken: float
    accepted: float


def _step(spec: Continuous) -> float:
    """The spacing of the column's written values (0: any value is written as it is)."""
    if spec.integer or spec.datetime:
        return 1.0
    return 0.0 if spec.decimals is None else 10.0 ** -spec.decimals


def value_interval(spec: Continuous, bound: Bound) -> tuple[float, float]:
    """[a, b): the model's values x whose written value (clipped to the observed range, then
    rounded to the column's step) lies in ``bound``; a >= b when none does."""
    h = _step(spec)
    a, b = bound.lo, bound.hi
    if h > 0:
        if math.isfinite(a):
            q, e = a / h, EPS * max(1.0, abs(a / h))
            a = ((math.ceil(q - e) if bound.lo_in else math.floor(q + e) + 1) - 0.5) * h
        if math.isfinite(b):
            q, e = b / h, EPS * max(1.0, abs(b / h))
            b = ((math.floor(q + e) if bound.hi_in else math.ceil(q - e) - 1) + 0.5) * h
    if spec.low is not None and spec.high is not None:  # values past the range are clipped
        a = -math.inf if bound.contains(spec.low) else max(a, spec.low)
        b = math.inf if bound.contains(spec.high) else min(b, spec.high)
    return a, b


def written_numbers(frame: Any, name: str, kind: str) -> np.ndarray:
    """A column of written rows as the clauses hold values: float64 (NaN missing) for numbers,
    dates and yes/no, else text (None missing)."""
    values = parse_column(frame[name].astype(object) if kind != "datetime" else frame[name],
                          kind, "the rows")
    return values.to_numpy(np.float64 if kind != "categorical" else object)


def meets(frame: Any, clauses: list[Clause], types: dict[str, str]) -> np.ndarray:
    """(N,) bool: the written rows that meet every clause (a missing cell meets only an equality
    with a missing cell)."""
    ok = np.ones(len(frame), dtype=bool)
    for c in clauses:
        if c.premise is not None:  # premise => clause: rows where the premise fails meet it
            ok &= ~meets(frame, [c.premise], types) | meets(frame, [replace(c, premise=None)],
                                                           types)
            continue
        left = written_numbers(frame, c.column, types[c.column])
        absent = pandas().isna(left)
        if c.value is None and c.other is None:
            ok &= absent if c.op == "=" else ~absent
            continue
        right = written_numbers(frame, c.other, types[c.other]) if c.other else c.value
        present = ~absent & ~np.asarray(pandas().isna(right), dtype=bool)
        with np.errstate(invalid="ignore"):
            ok &= present & np.asarray(c.holds(left, right), dtype=bool)
    return ok


class _Plan:
    """The region as the model sees it: the evidence row, the ranges and the checks."""

    def __init__(self, ctx: RunContext, reg: Region) -> None:
        codec, pd = ctx.codec, pandas()
        self.codec, self.reg, self.types = codec, reg, codec.types()
        numbers = [c for c in codec.specs if c.kind == "continuous"]
        index = {c.name: i for i, c in enumerate(numbers)}
        specs = {c.name: c for c in numbers}
        if (reg.kept or reg.given) and not ctx.model.likelihood.mixture_columns:
            raise UserError("ranges need a table run whose likelihood is 'columns' (a run "
                            "trained on a .csv or .parquet table)")
        self.ranges: list[Range] = []
        self.ranged: list[tuple[int, Continuous]] = []  # (index among the numbers, column)
        for name, kept in reg.kept.items():
            given = reg.given.get(name, Bound())
            g, k = value_interval(specs[name], given), value_interval(specs[name], kept)
            for (lo, hi), which, option in ((g, reg.conditions, "--given"),
                                            (k, reg.constraints, "--constraint")):
                if lo >= hi:
                    texts = [c.text for c in which if c.column == name]
                    raise UserError(f"{option} {' and '.join(map(repr, texts))}: no value of "
                                    f"{name!r} the model writes meets it (its values lie in "
                                    f"[{specs[name].low:g}, {specs[name].high:g}]); it has "
                                    "probability zero")
            self.ranges.append(Range(index[name], g, k))
            self.ranged.append((index[name], specs[name]))
        frame = pd.DataFrame({c: parse_column(pd.Series([reg.equal.get(c)], dtype=object,
                                                        name=c), self.types[c], "--given")
                              for c in codec.columns})
        x = codec.encode(frame)[0]
        # Only the given cells are evidence: other cells and their missing flags are unknown;
        # a column given a range holds a value (its flag is observed: not missing).
        x[codec.flag_positions(set(codec.columns) - set(reg.equal) - set(reg.given))] = math.nan
        x[codec.flag_positions(set(reg.given))] = 0.0
        self.evidence, self.written = x, codec.written(frame)

    def frame(self, rows: torch.Tensor, values: torch.Tensor) -> Any:
        """Model rows (M, D) and their ranged values (M, Ccont) float64 as written rows."""
        out = self.codec.decode(rows, missing=True)
        for i, spec in self.ranged:  # the float64 values, as the column writes them
            x = np.clip(values[:, i].numpy(), spec.low, spec.high)
            out[spec.name] = pandas().Series(spec.written(x), index=out.index).where(
                out[spec.name].notna())  # a cell drawn missing stays missing
        return out

    def check(self, rows: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        """(M, 2) bool: whether each of the rows (M, D) meets the conditions' checked clauses,
        then the constraints'."""
        frame = self.frame(rows.cpu(), values.cpu())
        given = [c for c in self.reg.checks if any(c is g for g in self.reg.conditions)]
        kept = [c for c in self.reg.checks if not any(c is g for g in self.reg.conditions)]
        return torch.from_numpy(np.stack([meets(frame, given, self.types),
                                          meets(frame, kept, self.types)], 1))


def conditional_rows(ctx: RunContext, reg: Region, n: int, seed: int = 0,
                     k: int = 256) -> ConditionalRows:
    """n rows drawn from p(x | reg's conditions and constraints) under the run's model."""
    plan = _Plan(ctx, reg)
    g = torch.Generator(device=ctx.model.device).manual_seed(seed)
    draws = conditional_draws(ctx.model, plan.evidence.to(ctx.model.device), n, plan.ranges,
                              plan.check if reg.checks else None, k, g)
    rows = plan.frame(draws.x, draws.values)
    for name in reg.equal:  # given cells exactly as written, in the column's dtype
        rows[name] = plan.written[name].iloc[np.zeros(len(rows), dtype=int)].set_axis(rows.index)
    return ConditionalRows(rows, draws.ess.numpy(), 1.0 - draws.kept if reg.constraints else 0.0,
                           draws.accepted)


def summary(reg: Region, parts: list[ConditionalRows]) -> dict[str, Any]:
    """What the draws of one or more chunks say: the clauses, the effective sample size (median,
    min), the estimated share of rows the constraints would have removed and the share of
    importance draws that met the checked clauses (each chunk weighed by its rows)."""
    ess = np.concatenate([p.ess for p in parts])
    sizes = np.array([len(p.ess) for p in parts], dtype=np.float64)
    return {"given": [c.text for c in reg.conditions],
            "constraints": [c.text for c in reg.constraints],
            "ess_median": float(np.median(ess)), "ess_min": float(ess.min()),
            "broken": float(np.dot(sizes, [p.broken for p in parts]) / sizes.sum()),
            "accepted": float(np.dot(sizes, [p.accepted for p in parts]) / sizes.sum())}


def describe(reg: Region, parts: list[ConditionalRows]) -> str:
    """The lines ``vaekit rows`` prints after conditional rows: the clauses and the effective
    sample size, then (with constraints) how many unconstrained rows would have broken them."""
    s = summary(reg, parts)
    draws = (f"importance draws: effective sample size median {s['ess_median']:.1f}, min "
             f"{s['ess_min']:.1f}")
    lines = [f"given {', '.join(s['given'])} ({draws})" if s["given"] else draws]
    if reg.constraints:
        lines.append(f"constraints {', '.join(s['constraints'])}: {100 * s['broken']:.1f}% of "
                     "rows drawn without them would break them (importance draws meeting the "
                     f"clauses checked on each draw: {100 * s['accepted']:.1f}%)")
    return "\n".join(lines)
