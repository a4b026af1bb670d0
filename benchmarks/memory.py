"""Peak memory (max RSS) of a Fashion-MNIST training run, loaded and memory-mapped.

    python -m benchmarks.memory

Results: benchmarks/results/performance/memory.json, with provenance.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.provenance import ROOT, write_results
from vaekit.config.schema import DataConfig
from vaekit.data import load_data

ARGS = ["--epochs", "1", "--no-progress", "--set", "data.binarize=none",
        "--set", "model.likelihood=continuous_bernoulli"]


# Run the command as the only child of a fresh interpreter, which then reports that child's peak:
# RUSAGE_CHILDREN of this process would be the maximum over every command measured so far.
WRAP = ("import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_rss_mb(cmd: list[str]) -> float:
    """Max RSS of ``cmd``'s process in MB (Linux reports kilobytes)."""
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], check=True, capture_output=True,
                         text=True)
    return int(out.stdout.split()[-1]) / 1024


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    ds = load_data(DataConfig(name="fashion-mnist"))
    npy = tmp / "fashion_train.npy"
    np.save(npy, ds.train.numpy())
    vk = [sys.executable, "-m", "vaekit", "train"]
    base = peak_rss_mb([sys.executable, "-c", "import torch, vaekit.training.trainer"])
    loaded = peak_rss_mb([*vk, "--data", "fashion-mnist", "--out", str(tmp / "a"), *ARGS])
    mapped = peak_rss_mb([*vk, "--data", str(npy), "--set", "data.mmap=true",
                          "--out", str(tmp / "b"), *ARGS])
    print(f"data: Fashion-MNIST train, {ds.train.numel() / 1e6:.0f} MB as uint8\n")
    print("| process | peak RSS (MB) |")
    print("|---|---|")
    print(f"| python + torch + vaekit imported | {base:.0f} |")
    print(f"| `vaekit train --data fashion-mnist` (1 epoch) | {loaded:.0f} |")
    print(f"| same data from a memory-mapped .npy (`data.mmap=true`) | {mapped:.0f} |")
    write_results(ROOT / "benchmarks" / "results" / "performance" / "memory.json", {
        "data_mb": ds.train.numel() / 1e6, "imported_mb": base, "loaded_mb": loaded,
        "mapped_mb": mapped, "train_args": ARGS})


if __name__ == "__main__":
    main()
