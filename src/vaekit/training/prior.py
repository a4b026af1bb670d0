"""Fit a prior on the codes of a trained model (the prior its latent declares to fit afterwards).

The model is frozen: its encoder maps each example to its code (the posterior mean: a VQ-VAE's
grid of codebook vectors) once, and the prior is trained by maximum likelihood on those codes,
-log p(z) in nats per example.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn


@dataclass
class PriorTrainConfig:
    """How the prior is trained (stored in ``prior.json``)."""

    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    seed: int = 0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@torch.no_grad()
def mean_nll(net: nn.Module, codes: Tensor, batch_size: int = 1000) -> float:
    """-log p(z) averaged over the codes z: (N, L): nats per example."""
    net.eval()
    total = sum(float(-net.log_prob(codes[i : i + batch_size]).sum())
                for i in range(0, len(codes), batch_size))
    return total / len(codes)


def fit_prior(
    net: nn.Module, train: Tensor, test: Tensor, cfg: PriorTrainConfig,
    report: Callable[[str], None] = print, held_name: str = "val",
) -> list[dict[str, float]]:
    """Train the prior ``net`` (its ``log_prob``) on ``train`` (N, L) codes with AdamW and a
    cosine learning rate; returns one row per epoch (train and held-out NLL in nats per
    example, the held-out one named by its split ``held_name``, and seconds). ``net`` is built
    under the seed ``cfg.seed`` by the caller."""
    net.to(train.device)
    steps = cfg.epochs * math.ceil(len(train) / cfg.batch_size)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    g = torch.Generator().manual_seed(cfg.seed)
    history = []
    for epoch in range(1, cfg.epochs + 1):
        net.train()
        t0, total = time.perf_counter(), 0.0
        order = torch.randperm(len(train), generator=g).to(train.device)
        for i in range(0, len(train), cfg.batch_size):
            codes = train[order[i : i + cfg.batch_size]]
            loss = -net.log_prob(codes).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(codes)
        seconds = time.perf_counter() - t0
        held = mean_nll(net, test)
        row = {"epoch": epoch, "train_nll": total / len(train), f"{held_name}_nll": held,
               "seconds": seconds}
        history.append(row)
        report(f"prior epoch {epoch:3d}  train -log p(z) {row['train_nll']:8.3f}  {held_name} "
               f"{held:8.3f} nats per example  {seconds:.1f}s")
    net.eval()
    return history
