"""Fit the autoregressive prior of a trained VQ-VAE on the code grids of its training split.

The VQ-VAE is frozen: its encoder maps each image to a (T,) grid of codes once, and the code
transformer is trained by maximum likelihood on those grids (nats per grid).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch import Tensor

from vaekit.dists.priors.code_transformer import CodeTransformer
from vaekit.model.vae import VAE


@dataclass
class PriorTrainConfig:
    """How the code prior is trained (stored in ``prior.json``)."""

    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    width: int = 64
    depth: int = 2
    heads: int = 4
    seed: int = 0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@torch.no_grad()
def encode_codes(model: VAE, x: Tensor, batch_size: int = 1000) -> Tensor:
    """x: (N, *shape) as the likelihood sees it -> (N, T) int64 code grids."""
    model.eval()
    return torch.cat([model.encode(x[i : i + batch_size]).codes for i in range(0, len(x),
                                                                                 batch_size)])


@torch.no_grad()
def mean_nll(net: CodeTransformer, codes: Tensor, batch_size: int = 1000) -> float:
    """-log p(codes) averaged over grids: nats per grid."""
    net.eval()
    total = sum(float(-net.log_prob(codes[i : i + batch_size]).sum())
                for i in range(0, len(codes), batch_size))
    return total / len(codes)


def fit_code_prior(
    train: Tensor, test: Tensor, codebook_size: int, cfg: PriorTrainConfig,
    report: Callable[[str], None] = print,
) -> tuple[CodeTransformer, list[dict[str, float]]]:
    """Train on ``train`` (N, T) grids with AdamW and a cosine learning rate; returns the net and
    one row per epoch (train and held-out NLL in nats per grid, seconds)."""
    torch.manual_seed(cfg.seed)
    net = CodeTransformer(codebook_size, train.shape[1], cfg.width, cfg.depth, cfg.heads)
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
        row = {"epoch": epoch, "train_nll": total / len(train), "test_nll": mean_nll(net, test),
               "seconds": seconds}
        history.append(row)
        report(f"prior epoch {epoch:3d}  train -log p(codes) {row['train_nll']:8.3f}  held-out "
               f"{row['test_nll']:8.3f} nats per grid  {seconds:.1f}s")
    return net.eval(), history
