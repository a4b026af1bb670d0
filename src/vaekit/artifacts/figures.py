"""Write matplotlib figures and tables of generated rows, atomically."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure
from torch import Tensor

from vaekit.store.atomic import atomic_write, write_text


def save_figure(fig: Figure, path: str | Path) -> None:
    """The figure as a PNG at its own pixel size (no tight cropping; see ``vaekit.viz.figure``)."""
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=fig.dpi))


def rows_csv(rows: Tensor, columns: Sequence[str]) -> str:
    """rows: (N, D) values -> CSV text with a header of the D column names (6 significant digits)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows.tolist():
        writer.writerow([f"{v:.6g}" for v in row])
    return buf.getvalue()


def save_rows_csv(rows: Tensor, columns: Sequence[str], path: str | Path) -> None:
    write_text(path, rows_csv(rows, columns))
