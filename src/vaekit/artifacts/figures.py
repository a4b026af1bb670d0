"""Write matplotlib figures and tables of generated rows, atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from vaekit.store.atomic import atomic_write, write_text
from vaekit.store.finite import check_frame


def save_figure(fig: Figure, path: str | Path) -> None:
    """The figure as a PNG at its own pixel size (no tight cropping; see ``vaekit.viz.figure``)."""
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=fig.dpi))


def save_table(frame: Any, path: str | Path, float_format: str | None = "%.6g") -> None:
    """A pandas DataFrame as Parquet when ``path`` ends in .parquet, else as CSV (numbers with
    ``float_format``, by default up to 6 significant digits; None: every digit; missing cells
    empty; an infinite number is a NonFiniteError)."""
    check_frame(frame)
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        atomic_write(path, lambda p: frame.to_parquet(p, index=False))
    else:
        write_text(path, frame.to_csv(index=False, float_format=float_format, lineterminator="\n"))
