"""metrics.csv: one row per epoch, rewritten atomically so a crash never leaves half a row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from vaekit.errors import RunError
from vaekit.store.atomic import write_text

COLUMNS = [
    "epoch", "step", "train_loss", "train_recon", "train_kl", "test_loss", "test_recon",
    "test_kl", "active_units", "lr", "beta", "seconds",
]


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
    extra = sorted({k for row in rows for k in row} - set(COLUMNS))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS + extra, restval="")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _fmt(v) for k, v in row.items()})
    write_text(path, buf.getvalue())


def _fmt(v: object) -> object:
    return f"{v:.6g}" if isinstance(v, float) else v
