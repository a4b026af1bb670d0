"""A live progress bar on a terminal, one plain line per epoch otherwise."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


class Progress:
    """``total``: training examples per epoch (what ``step`` counts); ``enabled``: the bar (None:
    on a terminal); ``quiet``: print nothing at all (the other ranks of a data-parallel run)."""

    def __init__(self, total: int, enabled: bool | None = None, quiet: bool = False) -> None:
        self.bar_on = not quiet and (sys.stderr.isatty() if enabled is None else enabled)
        self.quiet = quiet
        self.bar: Any = None
        self.total = total

    def start_epoch(self, epoch: int, epochs: int | None) -> None:
        """``epochs``: the run's number of epochs (None: a time budget ends it)."""
        if self.bar_on:
            desc = f"epoch {epoch}" if epochs is None else f"epoch {epoch}/{epochs}"
            self.bar = tqdm(total=self.total, desc=desc, leave=False,
                            dynamic_ncols=True, unit="ex", unit_scale=True)

    def step(self, n: int, **terms: float) -> None:
        if self.bar is not None:
            self.bar.update(n)
            if terms:
                self.bar.set_postfix({k: f"{v:.2f}" for k, v in terms.items()}, refresh=False)

    def end_epoch(self, line: str) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if not self.quiet:
            print(line, flush=True)
