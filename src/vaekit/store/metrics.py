"""metrics.csv: one row per epoch, rewritten atomically so a crash never leaves half a row.

The held-out columns name the split they were scored on: ``val_loss``, ``val_recon``,
``val_kl``, ... (the validation split), or ``test_*`` in runs made before validation splits,
whose per-epoch curve read test. Readers go through :func:`curve_split` and :func:`heldout`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from vaekit.errors import RunError
from vaekit.store.atomic import write_text

# The standard columns; {h} is the held-out split (val, or test in runs made before it).
COLUMNS = [
    "epoch", "step", "train_loss", "train_recon", "train_kl", "{h}_loss", "{h}_recon",
    "{h}_kl", "active_units", "lr", "beta", "seconds",
]
HELDOUT_SPLITS = ("val", "test")


def curve_split(rows: list[dict[str, str]] | list[dict[str, object]]) -> str:
    """The split the rows' held-out columns were scored on: ``val``, or ``test`` (runs made
    before validation splits, and a run with no rows yet but made so)."""
    return "val" if any("val_loss" in row for row in rows) else "test" if rows else "val"


def heldout(row: dict[str, str] | dict[str, object], key: str) -> str | object:
    """The held-out value ``key`` (loss, recon, kl, or a statistic) of one row, from whichever
    split the row was scored on (KeyError when it has none)."""
    for split in HELDOUT_SPLITS:
        if f"{split}_{key}" in row:
            return row[f"{split}_{key}"]
    raise KeyError(f"val_{key}")


def read_metrics(path: str | Path) -> list[dict[str, str]]:
    """The rows of a metrics.csv ([] when there is none); RunError when it is damaged: not
    text, a row of the wrong length, a cell that is not a number, no epoch column."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RunError(f"{path} is unreadable ({type(exc).__name__})") from None
    for line, row in enumerate(rows, start=2):
        if None in row or None in row.values() or "epoch" not in row:
            raise RunError(f"{path} is damaged (line {line} does not match the header)")
        for key, value in row.items():
            try:
                float(value or 0)
            except ValueError:
                raise RunError(f"{path} is damaged (line {line}: {key} = {value[:20]!r} is not "
                               "a number)") from None
    return rows


def write_metrics(path: str | Path, rows: list[dict[str, object]]) -> None:
    """Rows as CSV: the standard COLUMNS, then any extra statistics an objective logs."""
    columns = [c.format(h=curve_split(rows)) for c in COLUMNS]
    extra = sorted({k for row in rows for k in row} - set(columns))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns + extra, restval="")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _fmt(v) for k, v in row.items()})
    write_text(path, buf.getvalue())


def _fmt(v: object) -> object:
    return f"{v:.6g}" if isinstance(v, float) else v
