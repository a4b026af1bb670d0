"""A training callback that writes RUN/report.html when training ends."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from vaekit.errors import UserError


class ReportCallback:
    """``on_train_end``: write the run's HTML report (see ``vaekit.report``); put it after
    callbacks that write files it shows (eval.json).

    The run folder is complete before this runs, so a report that cannot be made (data that
    moved, a latent type the pictures do not know yet) is a one-line warning, not a failed
    training run; ``path`` is None then.
    """

    def __init__(self) -> None:
        self.path: Path | None = None

    def on_train_end(self, run: Any) -> None:
        from vaekit.report.file import write_report

        if int(os.environ.get("RANK", "0")) != 0:
            return  # under torchrun only rank 0 writes files
        try:
            self.path = write_report(run.path, model=run.model)
        except Exception as exc:  # the trained run is saved; never lose it to a figure
            reason = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            warnings.warn(f"could not write {Path(run.path) / 'report.html'} ({reason}); try "
                          f"`vaekit report {run.path}`", stacklevel=2)
