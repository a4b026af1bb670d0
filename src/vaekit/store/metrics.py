"""metrics.csv: one row per epoch, rewritten atomically so a crash never leaves half a row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from vaekit.store.atomic import write_text

COLUMNS = [
    "epoch", "step", "train_loss", "train_recon", "train_kl", "test_loss", "test_recon",
    "test_kl", "active_units", "lr", "beta", "seconds",
]


def read_metrics(path: str | Path) -> list[dict[str, str]]:
    path = Path(path)
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


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
