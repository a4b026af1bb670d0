"""The conditions of ``vaekit rows --given`` and the constraints of ``--constraint``, as written.

A clause is ``COLUMN OP VALUE`` with OP one of ``= != < <= > >=`` (``==`` is ``=``): a value
of a category or a yes/no column (``=``/``!=``; ``kind=a|b`` for one of several), a number or
a date for a range on a number, integer or date column, an empty value (or NA, null, ...) for a
missing cell, and, in a constraint, another number column (``start<=end``) or an implication
between two clauses (``country=US => currency=USD``: the combinations of categories a row may
hold). Every clause is checked against the run's
columns here, so a bad one is one line naming it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from vaekit.data.table_codec import TableCodec
from vaekit.data.table_types import MISSING, pandas, parse_column
from vaekit.errors import DataError, UserError

_CLAUSE = re.compile(r"^(.*?)(<=|>=|!=|==|<|>|=)(.*)$", re.S)
RANGES = ("<", "<=", ">", ">=")


@dataclass(frozen=True)
class Clause:
    """One condition or constraint: ``column op value``, or ``column op other`` between two
    number columns. ``value``: a float in the column's units (seconds since 1970 for a date),
    a category's text, a tuple of them (any one of them), or None for a missing cell;
    ``premise``: the clause that must hold for this one to apply (``premise => clause``);
    ``text``: as the user wrote it."""

    text: str
    column: str
    op: str
    value: Any = None
    other: str | None = None
    premise: Clause | None = None

    def holds(self, left: Any, right: Any) -> Any:
        """The clause on values (numpy arrays or scalars): a missing value meets no range."""
        if self.op == "<":
            return left < right
        if self.op == "<=":
            return left <= right
        if self.op == ">":
            return left > right
        if self.op == ">=":
            return left >= right
        same = np.isin(left, list(right)) if isinstance(right, tuple) else left == right
        return same if self.op == "=" else ~np.asarray(same, dtype=bool)


def _shown(names: list[str], most: int = 12) -> str:
    return ", ".join(names[:most]) + (", ..." if len(names) > most else "")


def _parse_value(codec: TableCodec, option: str, text: str, name: str, value: str,
                 ranged: bool) -> Any:
    """A written value as the column holds it; UserError naming a value it cannot hold."""
    spec = next(c for c in codec.specs if c.name == name)
    kind = codec.types()[name]
    if ranged:
        kind = "continuous" if kind == "integer" else kind
    try:
        cell = None if value in MISSING else value  # an empty value: a missing cell
        parsed = parse_column(pandas().Series([cell], dtype=object, name=name), kind, option)
    except DataError:
        words = spec.tokens if spec.kind == "boolean" and spec.tokens else ["true", "false"]
        known = f" (its values: {', '.join(words)})" if spec.kind == "boolean" else ""
        raise UserError(f"{option} {text!r}: {value!r} is not a value of {kind} column "
                        f"{name!r}{known}") from None
    got = parsed.iloc[0]
    if got is None or (isinstance(got, float) and math.isnan(got)):
        if ranged:
            raise UserError(f"{option} {text!r}: a range needs a number or a date")
        if name not in codec.flagged:
            raise UserError(f"{option} {text!r}: column {name!r} had no missing cells in the "
                            "training data, so the model gives a missing cell probability zero")
        return None
    # A value of the "other" bucket that the run writes back is one the model can condition on.
    if spec.kind == "categorical" and got not in spec.vocabulary and got not in spec.tail:
        raise UserError(f"{option} {text!r}: column {name!r} has no category {got!r} (its "
                        f"categories: {_shown(spec.vocabulary)})")
    return float(got) if kind != "categorical" else got


def parse_clause(codec: TableCodec, option: str, text: str, pairs: bool) -> Clause:
    """``text`` as a clause on the run's columns; ``pairs``: whether the right side may name a
    second column or be an implication (constraints). UserError for a malformed clause, an
    unknown column or value."""
    if "=>" in text and not pairs:
        raise UserError(f"{option} {text!r}: an implication (=>) is a --constraint")
    if "=>" in text:
        first, _, then = text.partition("=>")
        premise = parse_clause(codec, option, first.strip(), pairs=False)
        return replace(parse_clause(codec, option, then.strip(), pairs=False), text=text,
                       premise=premise)
    match = _CLAUSE.match(text)
    columns = codec.columns
    if match is None or not match.group(1).strip():
        raise UserError(f"{option} {text!r}: write COLUMN=VALUE, COLUMN!=VALUE or a range such as "
                        "'price<1000', 'carat>=0.5'" + (" or 'start<=end'" if pairs else ""))
    name, op, value = match.group(1).strip(), match.group(2), match.group(3).strip()
    op = "=" if op == "==" else op
    if name not in columns:
        raise UserError(f"{option} {text!r}: no column {name!r} (columns: {_shown(columns)})")
    if any(c in value for c in "<>=!"):
        raise UserError(f"{option} {text!r}: one operator per clause; give a range as two "
                        f"clauses ({option} '{name}>=LOW' {option} '{name}<HIGH')")
    number = codec.types()[name] in ("continuous", "integer", "datetime")
    if op in RANGES and not (number and _ranged(codec, name)):
        raise UserError(f"{option} {text!r}: {name!r} is {codec.types()[name]}; ranges are for "
                        "number and date columns (a category takes = or !=)")
    if op == "!=" and number:
        raise UserError(f"{option} {text!r}: != is for categories; give a number column a range")
    if pairs and op in RANGES and value in columns:
        if not _ranged(codec, value) or codec.types()[value] not in ("continuous", "integer",
                                                                        "datetime"):
            raise UserError(f"{option} {text!r}: {value!r} is not a number or date column")
        if value == name:
            raise UserError(f"{option} {text!r}: compares a column with itself")
        return Clause(text, name, op, other=value)
    if op in ("=", "!=") and "|" in value and codec.types()[name] in ("categorical", "boolean"):
        return Clause(text, name, op, tuple(_parse_value(codec, option, text, name, v.strip(),
                                                         False) for v in value.split("|")))
    return Clause(text, name, op, _parse_value(codec, option, text, name, value, op in RANGES))


def _ranged(codec: TableCodec, name: str) -> bool:
    """Whether the column is modelled as a mixture in its units (runs made before mixed tables
    standardize their numbers instead)."""
    return next(c for c in codec.specs if c.name == name).kind == "continuous"
