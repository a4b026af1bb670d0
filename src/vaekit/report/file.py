"""Write a run's HTML report as RUN/report.html, atomically."""

from __future__ import annotations

from pathlib import Path

from vaekit.store.atomic import write_text


def write_report(run: str | Path, out: str | Path | None = None, model=None) -> Path:
    """Build the report of ``run`` and write it to ``out`` (default RUN/report.html)."""
    from vaekit.report.build import REPORT, build_report

    path = Path(out) if out is not None else Path(run) / REPORT
    write_text(path, build_report(run, model))
    return path
