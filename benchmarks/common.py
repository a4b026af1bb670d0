"""Shared by the benchmarks: the reference workload and the machine's measured matmul peak."""

from __future__ import annotations

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
