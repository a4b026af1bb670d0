"""Conditions and constraints combined into the region rows are drawn in: :func:`region`.

Ranges on one column meet into one interval per column (the conditions' own, and the one the
rows keep once the constraints narrow it); an equality given for a column settles every other
clause on it; ``a <= b`` clauses are followed through each other and through the columns'
ranges. Clauses that cannot all hold are one UserError naming them, before any draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from vaekit.artifacts.conditions import RANGES, Clause, parse_clause
from vaekit.data.table_codec import TableCodec
from vaekit.errors import UserError


@dataclass(frozen=True)
class Bound:
    """An interval of a column's written values (its units; seconds since 1970 for dates)."""

    lo: float = -math.inf
    lo_in: bool = True
    hi: float = math.inf
    hi_in: bool = True

    def meet(self, op: str, v: float) -> Bound:
        """This interval and ``value op v``."""
        if op in (">", ">=") and (v, op == ">") > (self.lo, not self.lo_in):
            return replace(self, lo=v, lo_in=op == ">=")
        if op in ("<", "<=") and (v, op == "<=") < (self.hi, self.hi_in):
            return replace(self, hi=v, hi_in=op == "<=")
        return self

    def both(self, other: Bound) -> Bound:
        out = self.meet(">=" if other.lo_in else ">", other.lo)
        return out.meet("<=" if other.hi_in else "<", other.hi)

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_in and self.hi_in))

    def contains(self, v: float) -> bool:
        return not (v < self.lo or v > self.hi or (v == self.lo and not self.lo_in)
                    or (v == self.hi and not self.hi_in))


@dataclass
class Region:
    """``equal``: columns given a value (None: a missing cell); ``given``: the conditions'
    ranges; ``kept``: the ranges rows keep (inside ``given``); ``checks``: the clauses checked
    on each draw (categories, ``a <= b``, ranges on a column whose cell may be missing)."""

    conditions: list[Clause]
    constraints: list[Clause]
    equal: dict[str, Any] = field(default_factory=dict)
    given: dict[str, Bound] = field(default_factory=dict)
    kept: dict[str, Bound] = field(default_factory=dict)
    checks: list[Clause] = field(default_factory=list)


def _contradiction(clauses: list[Clause]) -> UserError:
    return UserError(f"{' and '.join(repr(c.text) for c in clauses)} contradict each other: no "
                     "row meets them all")


def _pairs_hold(pairs: list[Clause], kept: dict[str, Bound], equal: dict[str, Any],
                clauses: list[Clause]) -> None:
    """UserError when ``a <= b`` clauses cannot hold together with the columns' ranges: each is
    followed through the others (a strict cycle) and through the bounds (a range pushed up
    past its top)."""
    edges = [(c.column, c.other, c.op in ("<", ">")) if c.op in ("<", "<=")
             else (c.other, c.column, c.op == ">") for c in pairs]
    bounds = {n: kept.get(n, Bound()) for e in edges for n in e[:2]}
    for n in bounds:
        if n in equal:
            bounds[n] = Bound(equal[n], True, equal[n], True)
    for _ in range(len(edges) + 1):
        for a, b, strict in edges:
            lo, hi = bounds[a], bounds[b]
            bounds[b] = hi.meet(">" if strict or not lo.lo_in else ">=", lo.lo)
            bounds[a] = lo.meet("<" if strict or not hi.hi_in else "<=", hi.hi)
    names = sorted(bounds)
    reach = {(a, b): s for a, b, s in edges}
    for m in names:  # the strictest path between each two columns (Floyd-Warshall)
        for a in names:
            for b in names:
                if (a, m) in reach and (m, b) in reach:
                    reach[a, b] = reach.get((a, b), False) or reach[a, m] or reach[m, b]
    if any(reach.get((n, n)) for n in names) or any(b.empty for b in bounds.values()):
        on = [c for c in clauses if c.other is None and c.column in bounds]
        raise _contradiction([*pairs, *on])


def region(codec: TableCodec, conditions: tuple[str, ...], constraints: tuple[str, ...]) -> Region:
    """The region of ``--given`` and ``--constraint`` clauses; UserError for a bad clause or a
    set of them that contradicts itself."""
    given = [parse_clause(codec, "--given", t, pairs=False) for t in conditions]
    kept = [parse_clause(codec, "--constraint", t, pairs=True) for t in constraints]
    out = Region(given, kept)
    for c in given:
        if c.op == "=" and not isinstance(c.value, tuple):
            if c.column in out.equal:
                raise UserError(f"--given {c.column} is given twice")
            out.equal[c.column] = c.value
    for c in given + kept:
        if c.premise is not None:  # an implication: checked on each draw
            out.checks.append(c)
        elif c.op in RANGES and c.other is None:
            for table in (out.kept, *([out.given] if c in given else [])):
                table[c.column] = table.get(c.column, Bound()).meet(c.op, c.value)
            if c in kept and c.column in codec.flagged:
                out.checks.append(c)  # its cell may be missing: checked on each draw
        elif c.op != "=" or c in kept or isinstance(c.value, tuple):
            out.checks.append(c)
    for name, bound in out.kept.items():
        on = [c for c in given + kept if c.column == name and c.op in RANGES and c.other is None
              and c.premise is None]
        if name in out.equal and (out.equal[name] is None or not bound.contains(out.equal[name])):
            raise _contradiction([*on, *[c for c in given if c.column == name and c.op == "="]])
        if bound.empty:
            raise _contradiction(on)
    for name in out.equal:  # a given value settles the ranges on its column
        out.given.pop(name, None)
        out.kept.pop(name, None)
    settled = []
    for c in [c for c in out.checks if c.premise is None]:
        missing = [n for n in (c.column, c.other) if n in out.equal and out.equal[n] is None]
        if c.other is not None and missing:  # a missing cell is on neither side of a <= b
            raise _contradiction([*[g for g in given if g.column in missing], c])
        if c.column in out.equal and (c.other is None or c.other in out.equal):
            right = out.equal[c.other] if c.other else c.value
            if out.equal[c.column] is None or right is None or not c.holds(out.equal[c.column],
                                                                             right):
                raise _contradiction([*[g for g in given if g.column == c.column], c])
            settled.append(c)
    out.checks = [c for c in out.checks if c not in settled]
    _pairs_hold([c for c in out.checks if c.other is not None and c.premise is None], out.kept,
                out.equal, [c for c in given + kept if c.premise is None])
    return out
