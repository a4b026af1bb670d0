"""Training throughput and time to quality: vaekit's trainer vs a per-example DataLoader loop.

The reference workload (MLP VAE 784-400-20-400-784, Bernoulli likelihood on Fashion-MNIST
pixels / 255, Adam 1e-3, batch 128, seed 0), both trained epoch by epoch in turn in one process
(A B A B ...), so the machine's drift hits both alike.

    python benchmarks/throughput.py --epochs 10
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import warnings
from pathlib import Path

import torch

import vaekit
from benchmarks.common import FLOPS_TRAIN, REFERENCE, matmul_peak, median
from benchmarks.naive_baseline import NaiveTrainer
from vaekit.config.schema import DataConfig
from vaekit.data import load_data

QUALITY = 245.0  # nats: the held-out -ELBO both should reach


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message=".*grey levels.*")  # BCE on grey: the reference

    ds = load_data(DataConfig(name="fashion-mnist"))
    n = len(ds.train)
    peak = matmul_peak()
    naive = NaiveTrainer(ds.train, seed=0)
    out = Path(tempfile.mkdtemp()) / "run"
    t_naive, t_vk, l_naive, l_vk = [], [], [], []
    for epoch in range(1, args.epochs + 1):
        t_naive.append(naive.epoch())
        l_naive.append(naive.test_loss(ds.test))
        cfg = {**REFERENCE, "train": {**REFERENCE["train"], "epochs": epoch}}
        run = vaekit.train(cfg, out=out, resume=epoch > 1)
        row = run.metrics[-1]
        t_vk.append(float(row["seconds"]))
        l_vk.append(float(row["test_loss"]))
        print(f"epoch {epoch:2d}  naive {t_naive[-1]:6.2f}s {l_naive[-1]:8.2f}  "
              f"vaekit {t_vk[-1]:6.2f}s {l_vk[-1]:8.2f}", flush=True)
    shutil.rmtree(out.parent)

    ratios = [a / b for a, b in zip(t_naive, t_vk, strict=True)]
    limit_s = n * FLOPS_TRAIN / peak

    def reach(ts: list[float], ls: list[float]) -> str:
        total = 0.0
        for t, loss in zip(ts, ls, strict=True):
            total += t
            if loss <= QUALITY:
                return f"{total:.1f} s"
        return f"not within {len(ts)} epochs"

    print(f"\nmatmul peak {peak / 1e9:.1f} GFLOP/s; {FLOPS_TRAIN / 1e6:.2f} MFLOP per example per "
          f"step; arithmetic limit {limit_s:.2f} s per epoch; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads\n")
    print("| | per-example DataLoader | vaekit |")
    print("|---|---|---|")
    print(f"| samples/s (median epoch) | {n / median(t_naive):,.0f} | {n / median(t_vk):,.0f} |")
    print(f"| seconds per epoch (median) | {median(t_naive):.2f} | {median(t_vk):.2f} |")
    print(f"| speed-up vs baseline (median of per-epoch ratios) | 1.00 | {median(ratios):.2f}x |")
    print(f"| epoch time / arithmetic limit | {median(t_naive) / limit_s:.2f} | "
          f"{median(t_vk) / limit_s:.2f} |")
    print(f"| held-out -ELBO after {args.epochs} epochs (nats) | {l_naive[-1]:.2f} | "
          f"{l_vk[-1]:.2f} |")
    print(f"| training seconds to reach {QUALITY:g} nats | {reach(t_naive, l_naive)} | "
          f"{reach(t_vk, l_vk)} |")


if __name__ == "__main__":
    main()
