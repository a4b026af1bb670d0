"""Training throughput and time to quality: vaekit's trainer vs a per-example DataLoader loop.

The reference workload (MLP VAE 784-400-20-400-784, Bernoulli likelihood on Fashion-MNIST
pixels / 255, Adam 1e-3, batch 128, seed 0), trained epoch by epoch in turn in one process
(A B C A B C ...), so the machine's drift hits all alike. The third contender is a bare
hand-written loop (batches sliced from the preloaded tensor, fused Adam, nothing else): the
floor of what a training loop in eager PyTorch costs, against which vaekit's own overhead shows.

    python -m benchmarks.throughput --epochs 10

Results: benchmarks/results/performance/throughput.json, with provenance.
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
from benchmarks.provenance import ROOT, write_results
from vaekit.config.schema import DataConfig
from vaekit.data import load_data

QUALITY = 245.0  # nats: the held-out -ELBO both should reach


def seconds_to(quality: float, seconds: list[float], losses: list[float]) -> float | None:
    """Training seconds until the held-out loss first reaches ``quality`` nats (None: never)."""
    total = 0.0
    for t, loss in zip(seconds, losses, strict=True):
        total += t
        if loss <= quality:
            return total
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message=".*grey levels.*")  # BCE on grey: the reference

    ds = load_data(DataConfig(name="fashion-mnist", val_size=None))  # all 60,000 for every contender
    n = len(ds.train)
    peak = matmul_peak()
    naive = NaiveTrainer(ds.train, seed=0)
    bare = NaiveTrainer(ds.train, seed=0, bare=True)
    out = Path(tempfile.mkdtemp()) / "run"
    t_naive, t_bare, t_vk, l_naive, l_bare, l_vk = [], [], [], [], [], []
    for epoch in range(1, args.epochs + 1):
        t_naive.append(naive.epoch())
        l_naive.append(naive.test_loss(ds.test))
        t_bare.append(bare.epoch())
        l_bare.append(bare.test_loss(ds.test))
        # No validation split: vaekit trains on the same 60,000 images as the loops and scores
        # the same test images after each epoch.
        cfg = {**REFERENCE, "data": {**REFERENCE["data"], "val_size": None},
               "train": {**REFERENCE["train"], "epochs": epoch}}
        run = vaekit.train(cfg, out=out, resume=epoch > 1)
        row = run.metrics[-1]
        t_vk.append(float(row["seconds"]))
        l_vk.append(float(row["test_loss"]))
        print(f"epoch {epoch:2d}  naive {t_naive[-1]:6.2f}s {l_naive[-1]:8.2f}  "
              f"bare {t_bare[-1]:6.2f}s {l_bare[-1]:8.2f}  "
              f"vaekit {t_vk[-1]:6.2f}s {l_vk[-1]:8.2f}", flush=True)
    shutil.rmtree(out.parent)

    def ratio(a: list[float], b: list[float]) -> float:
        return median([x / y for x, y in zip(a, b, strict=True)])

    limit_s = n * FLOPS_TRAIN / peak

    def reach(ts: list[float], ls: list[float]) -> str:
        s = seconds_to(QUALITY, ts, ls)
        return f"not within {len(ts)} epochs" if s is None else f"{s:.1f} s"

    print(f"\nmatmul peak {peak / 1e9:.1f} GFLOP/s; {FLOPS_TRAIN / 1e6:.2f} MFLOP per example per "
          f"step; arithmetic limit {limit_s:.2f} s per epoch; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads\n")
    cols = [("per-example DataLoader", t_naive, l_naive), ("bare tensor loop", t_bare, l_bare),
            ("vaekit", t_vk, l_vk)]
    print("| | " + " | ".join(c[0] for c in cols) + " |")
    print("|---" * (len(cols) + 1) + "|")

    def line(label: str, cells: list[str]) -> None:
        print(f"| {label} | " + " | ".join(cells) + " |")

    line("samples/s (median epoch)", [f"{n / median(t):,.0f}" for _, t, _ in cols])
    line("seconds per epoch (median)", [f"{median(t):.2f}" for _, t, _ in cols])
    line("speed-up vs the DataLoader (median of per-epoch ratios)",
         [f"{ratio(t_naive, t):.2f}x" for _, t, _ in cols])
    line("epoch time / arithmetic limit", [f"{median(t) / limit_s:.2f}" for _, t, _ in cols])
    line(f"held-out -ELBO after {args.epochs} epochs (nats)", [f"{ls[-1]:.2f}" for _, _, ls in cols])
    line(f"training seconds to reach {QUALITY:g} nats", [reach(t, ls) for _, t, ls in cols])
    print(f"\nvaekit's epoch / the bare loop's: {ratio(t_vk, t_bare):.3f} (median of per-epoch "
          "ratios)")
    write_results(ROOT / "benchmarks" / "results" / "performance" / "throughput.json", {
        "epochs": args.epochs, "examples": n, "matmul_peak_flops": peak, "flops_per_example": FLOPS_TRAIN,
        "limit_s": limit_s, "quality_nats": QUALITY,
        "vaekit_vs_bare": ratio(t_vk, t_bare),
        "contenders": {name: {"epoch_s": t, "test_loss": ls, "samples_per_s": n / median(t),
                              "median_epoch_s": median(t), "speedup": ratio(t_naive, t),
                              "vs_limit": median(t) / limit_s, "reach_s": seconds_to(QUALITY, t, ls)}
                       for name, t, ls in cols}})


if __name__ == "__main__":
    main()
