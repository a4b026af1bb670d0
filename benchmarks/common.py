"""Shared by the benchmarks: the reference workload, the machine's measured matmul peak, and one
form of a training step to time."""

from __future__ import annotations

import itertools
import math
import time

import torch

# MLP VAE 784-400-20-400-784: FLOPs of one training step per example. Forward: 2 * (784*400 +
# 400*40 + 20*400 + 400*784) = 1.30 M; backward: weight gradients (same again) plus input
# gradients of every layer but the first (the data needs none): 3.27 M in all.
FLOPS_FWD = 2 * (784 * 400 + 400 * 40 + 20 * 400 + 400 * 784)
FLOPS_TRAIN = 2 * FLOPS_FWD + (FLOPS_FWD - 2 * 784 * 400)

REFERENCE = {
    "data": {"name": "fashion-mnist", "binarize": "none"},
    "model": {"arch": "mlp", "hidden": [400], "latent_dim": 20, "likelihood": "bernoulli"},
    "train": {"batch_size": 128, "lr": 1e-3, "seed": 0},
}


def matmul_peak(batch: int = 128, repeats: int = 200) -> float:
    """Best FLOP/s of the workload's own matmul shapes (forward and backward), this process."""
    best = 0.0
    for m, k, n in [(batch, 784, 400), (batch, 400, 784), (400, batch, 784), (784, batch, 400)]:
        a, b = torch.randn(m, k), torch.randn(k, n)
        for _ in range(20):
            a @ b
        t = time.perf_counter()
        for _ in range(repeats):
            a @ b
        best = max(best, 2 * m * k * n * repeats / (time.perf_counter() - t))
    return best


def median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


@torch.inference_mode()
def one_batch_nll(model, x, k: int, gen: torch.Generator) -> torch.Tensor:
    """-IW bound one example at a time, encoding once and decoding all k samples together."""
    out = []
    for i in range(len(x)):
        xi = x[i : i + 1]
        q = model.encode(xi)
        z = q.rsample(k, generator=gen)  # (k, 1, L)
        lw = model.decode(z.flatten(0, 1)).log_prob(xi.expand(k, *x.shape[1:])) \
            + model.prior.log_prob(z[:, 0]) - q.log_prob(z)[:, 0]
        out.append(-(torch.logsumexp(lw.double(), 0) - math.log(k)))
    return torch.stack(out)


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


class StepForm:
    """One way of running a config's training step; ``steps(n)`` returns wall seconds.

    ``precision``: autocast as ``train.precision``; ``compiled``: ``torch.compile`` of the model
    with its loss; ``batch``: examples per step; ``nchw``: conv weights in the NCHW layout
    instead of vaekit's channels-last. ``warmup``: seconds of the first two steps (with
    ``compiled``, the compilation).
    """

    def __init__(self, name: str, raw: dict, ds, precision: str = "fp32", compiled: bool = False,
                 batch: int = 128, nchw: bool = False) -> None:
        from vaekit.config.load import load_config
        from vaekit.model.build import build_model
        from vaekit.objectives import build_objective
        from vaekit.training import setup
        from vaekit.training.step import LossModule

        cfg = load_config(base=raw)
        torch.manual_seed(0)
        self.name, self.precision, self.batch = name, precision, batch
        model = build_model(cfg.model, ds.shape)
        if nchw:
            model = model.to(memory_format=torch.contiguous_format)
        loss = LossModule(model, build_objective(cfg.objective))
        self.loss = torch.compile(loss) if compiled else loss
        self.opt = setup.make_optimizer(model, cfg.train)
        self.source = ds.training_batches().binarized("dynamic")
        self.gen = torch.Generator().manual_seed(0)
        self.batches = self._forever()
        t = time.perf_counter()
        self.steps(2)
        self.warmup = time.perf_counter() - t

    def _forever(self):
        """Full batches of the training split, epoch after epoch."""
        for epoch in itertools.count():
            for batch in self.source.epoch(epoch, self.batch, self.gen):
                if len(batch) == self.batch:
                    yield batch

    def steps(self, n: int) -> float:
        from vaekit.training.step import autocast

        t = time.perf_counter()
        for _ in range(n):
            batch = next(self.batches)
            with autocast(torch.device("cpu"), self.precision):
                out = self.loss(batch, 10_000, self.gen)  # past any KL warm-up: beta 1
            self.opt.zero_grad(set_to_none=True)
            out.loss.backward()
            self.opt.step()
        return time.perf_counter() - t


def save_figure(fig, path) -> None:
    """Lay out ``fig`` and write it to ``path`` (a PNG of the README), creating its folder."""
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
