"""Shared by the benchmarks: the reference workload and the machine's measured matmul peak."""

from __future__ import annotations

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
