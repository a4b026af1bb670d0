"""One epoch of optimizer steps over a batch source: the hot loop, nothing else."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from vaekit.config.schema import TrainConfig
from vaekit.data.source import BatchSource, epoch_seed
from vaekit.errors import TrainingError
from vaekit.training.budget import Budget
from vaekit.training.distributed import World
from vaekit.training.ema import EMA
from vaekit.training.partial import Partial
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
    device: torch.device, done: Partial | None = None,
    save: Callable[[Partial], None] | None = None,
) -> EpochTotals:
    """Steps over the ``source``'s batches of ``epoch`` (global batches of ``cfg.batch_size``;
    the source gives this rank its share), from the ``done.steps``-th on when a checkpoint
    inside the epoch is resumed.

    Before each step after the first the ``budget`` is read: once it is spent, the epoch ends
    there (``stopped``). Every ``cfg.checkpoint_steps`` steps into the epoch the progress is
    handed to ``save`` and ``noise`` is seeded anew from the epoch and the step, so a run resumed
    there draws what the uninterrupted run draws.
    """
    done = done or Partial()
    every, rank = cfg.checkpoint_steps, world.rank + 1
    if done.steps:
        noise.manual_seed(epoch_seed(cfg.seed, epoch, rank, done.steps))
    lr, skipped, stopped = done.lr, done.skipped, False
    sums = torch.zeros(3, dtype=torch.float64, device=device)
    stat_sums: dict[str, torch.Tensor] = {}
    step = first_step + done.steps
    t0 = time.perf_counter() - done.seconds
    for i, batch in enumerate(source.epoch(epoch, cfg.batch_size, noise, done.steps)):
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
        if every is not None and (step - first_step) % every == 0:
            done = done.fold(step - first_step, sums, stat_sums, skipped, lr,
                             time.perf_counter() - t0, world)
            sums, stat_sums = torch.zeros_like(sums), {}
            noise.manual_seed(epoch_seed(cfg.seed, epoch, rank, step - first_step))
            if save is not None:
                save(done)
    done = done.fold(step - first_step, sums, stat_sums, skipped, lr, time.perf_counter() - t0,
                     world)
    n = int(done.sums[2])
    return EpochTotals(n=n, recon=float(done.sums[0]), kl=float(done.sums[1]),
                       stats={k: float(v) / n for k, v in sorted(done.stats.items())},
                       steps=step - first_step, skipped=skipped, seconds=done.seconds, lr=lr,
                       stopped=stopped)
