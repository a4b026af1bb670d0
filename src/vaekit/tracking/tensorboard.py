"""``train.track: [tensorboard]``: TensorBoard event files in RUN/tensorboard/.

Scalars: every numeric column of metrics.csv at step = epoch; text ``config``: the config as
a table; image ``samples``: the sample grid at the last epoch. View with
``tensorboard --logdir runs``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vaekit.config.schema import Config
from vaekit.registry import register
from vaekit.tracking.base import flat_params, numeric, require, sample_grid

DIR = "tensorboard"


@register("tracker", "tensorboard")
class TensorBoardTracker:
    """Writes RUN/tensorboard/events.out.tfevents.* (one file per training session)."""

    def __init__(self, out: Path, cfg: Config) -> None:
        require("tensorboard", "tensorboard")
        self.dir, self.cfg = Path(out) / DIR, cfg
        self.writer: Any = None
        self.epoch = 0

    def on_train_start(self, resume: bool) -> None:
        """What could fail at the first epoch's end fails before training: the writer's import
        and, on resume, its folder (a new run's folder does not exist yet)."""
        from torch.utils.tensorboard import SummaryWriter  # noqa: F401

        if resume:
            self.dir.mkdir(exist_ok=True)

    def on_epoch_end(self, epoch: int, row: dict[str, Any], model: Any) -> None:
        if self.writer is None:
            from torch.utils.tensorboard import SummaryWriter

            # purge_step: readers drop whatever an earlier session logged at this epoch or later,
            # so a resumed run never shows a step twice.
            self.writer = SummaryWriter(str(self.dir), purge_step=epoch)
            table = "\n".join(["| key | value |", "|---|---|",
                               *(f"| {k} | {v} |" for k, v in flat_params(self.cfg).items())])
            self.writer.add_text("config", table, epoch)
        for key, value in numeric(row).items():
            self.writer.add_scalar(key, value, epoch)
        self.writer.flush()  # each epoch is on disk once its checkpoint is
        self.epoch = epoch

    def on_train_end(self, run: Any) -> None:
        if self.writer is None:
            return  # no epoch was trained in this session: nothing new to log
        grid = sample_grid(run)
        if grid is not None:
            self.writer.add_image("samples", grid, self.epoch, dataformats="HWC")
        self.writer.close()
