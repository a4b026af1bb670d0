"""One epoch of optimizer steps over a batch source: the hot loop, nothing else."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import torch

from vaekit.config.schema import TrainConfig
from vaekit.data.source import BatchSource
from vaekit.errors import TrainingError
from vaekit.training.budget import Budget
from vaekit.training.distributed import World
from vaekit.training.ema import EMA
from vaekit.training.progress import Progress
from vaekit.training.setup import LRSchedule
from vaekit.training.step import autocast


@dataclass
class EpochTotals:
    """Sums over the epoch's training examples (all ranks): recon = sum of E_q[log p(x|z)]."""

    n: int = 0
    recon: float = 0.0
    kl: float = 0.0
    stats: dict[str, float] = field(default_factory=dict)
    steps: int = 0
    skipped: int = 0
    seconds: float = 0.0
    lr: float = 0.0  # the rate of the epoch's first step
    stopped: bool = False  # by the time budget, before the epoch's end


@dataclass
class Update:
    """How a step's loss becomes new weights: the optimizer at the schedule's rate, the loss
    scaler of fp16, the gradient norm clipped to ``clip`` and a step skipped above ``skip``,
    then the weights' moving average ``ema``."""

    opt: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    schedule: LRSchedule
    clip: float | None = None
    skip: float | None = None
    ema: EMA | None = None
    params: list[torch.Tensor] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.params = [p for g in self.opt.param_groups for p in g["params"]]

    def __call__(self, loss: torch.Tensor) -> bool:
        """Backpropagate ``loss`` and step the optimizer; False when the step is skipped: its
        gradient norm is above ``skip`` or not finite (VDVAE). The norm is computed once, of
        the gradients DDP has already averaged, so every rank takes the same decision."""
        self.opt.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        norm = self._norm()
        kept = self.skip is None or bool(norm <= self.skip)  # NaN compares false: skipped
        if kept:
            self.scaler.step(self.opt)
            if self.ema is not None:
                self.ema.update()
        self.scaler.update()
        return kept

    def _norm(self) -> torch.Tensor | None:
        """The gradient norm before clipping (None when neither clip nor skip needs it)."""
        if self.clip is None and self.skip is None:
            return None
        self.scaler.unscale_(self.opt)
        if self.clip is not None:
            return torch.nn.utils.clip_grad_norm_(self.params, self.clip)
        return torch.nn.utils.get_total_norm([p.grad for p in self.params if p.grad is not None])


def run_epoch(
    step_fn: Any, update: Update, source: BatchSource, epoch: int, cfg: TrainConfig,
    first_step: int, noise: torch.Generator, world: World, bar: Progress, budget: Budget,
    device: torch.device,
) -> EpochTotals:
    """Steps over the ``source``'s batches of ``epoch`` (global batches of ``cfg.batch_size``;
    the source gives this rank its share).

    Before each step after the first the ``budget`` is read: once it is spent, the epoch ends
    there (``stopped``).
    """
    lr, skipped, stopped = 0.0, 0, False
    sums = torch.zeros(3, dtype=torch.float64, device=device)
    stat_sums: dict[str, torch.Tensor] = {}
    step = first_step
    t0 = time.perf_counter()
    for i, batch in enumerate(source.epoch(epoch, cfg.batch_size, noise)):
        batch = batch.to(device)  # a streamed batch comes from the CPU
        elapsed = budget.read()
        if i and budget.over(elapsed):
            stopped = True
            break
        with autocast(device, cfg.precision):
            res = step_fn(batch, step, noise)
        loss = res.loss
        if not torch.isfinite(loss):
            raise TrainingError(f"the loss became {loss.item()} at step {step}")
        rate = update.schedule.apply(update.opt, step, budget.fraction(elapsed))
        lr = rate if step == first_step else lr
        skipped += not update(loss)
        step += 1
        sums += torch.stack([res.recon.detach().sum().double(), res.kl.detach().sum().double(),
                             torch.tensor(float(len(batch)), device=device, dtype=torch.float64)])
        for k, v in res.stats.items():
            stat_sums[k] = stat_sums.get(k, 0.0) + v.detach().double() * len(batch)
        bar.step(len(batch) * world.size, loss=float(loss.detach()))
    seconds = time.perf_counter() - t0
    sums = world.all_sum(sums)
    n = int(sums[2])
    stats = {k: float(world.all_sum(torch.as_tensor(v, device=device))) / n
             for k, v in sorted(stat_sums.items())}
    return EpochTotals(n=n, recon=float(sums[0]), kl=float(sums[1]), stats=stats,
                       steps=step - first_step, skipped=skipped, seconds=seconds, lr=lr,
                       stopped=stopped)
