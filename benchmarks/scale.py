"""Training throughput and peak memory against the size of a table: in memory and streamed.

    python -m benchmarks.scale --rows 100000 1000000 10000000 --steps 300
    python -m benchmarks.scale --rows 10000 100000 1000000 --modes memory stream tvae \
        --max-seconds 300 --out benchmarks/results/scale/scale-tvae.json --plot none

A synthetic mixed-type table (two numbers that depend on each other, a category, a boolean) is
written once as Parquet files of at most 1M rows (row groups of 100k) under --cache. For each
size, a fresh process loads it as the shards source and takes --steps optimizer steps of the
default model, in two ways: **memory** (the whole training split read once into memory, where
it fits: --memory-max rows) and **stream** (a row group at a time through a 64k-row buffer).
Each process reports its rows per second over the steps (loading excluded, reported apart) and
its peak resident memory; each measurement is --repeats processes, reported by the median rate
(a run of 300 steps lasts about a second, so one process is noisy). Streaming should keep
>= 0.8x the in-memory rows/s and a flat peak memory as the rows grow. Mode **tvae** fits SDV's
TVAE (the ``ctgan`` package) on the same files
(``benchmarks.scale_tvae``). A process that runs past --max-seconds, or fails (out of memory),
is a row that says so. Results: benchmarks/results/scale/scale.json, with provenance.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmarks.provenance import provenance
from benchmarks.scale_tvae import tvae_child
from vaekit.data.image_stream import usable_cores

if TYPE_CHECKING:
    from vaekit.config.schema import Config
    from vaekit.data.base import Dataset
    from vaekit.data.batches import BatchSource

MODES = ("memory", "stream", "tvae")

OUT = Path(__file__).resolve().parent / "results" / "scale" / "scale.json"
PLOT = Path(__file__).resolve().parents[1] / "docs" / "results" / "scale.png"
FILE_ROWS, GROUP_ROWS = 1_000_000, 100_000


def write_table(folder: Path, rows: int) -> Path:
    """The synthetic table of ``rows`` rows in ``folder`` (written once, then reused)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, rows, FILE_ROWS):
        n = min(FILE_ROWS, rows - start)
        rng = np.random.default_rng(start)
        age = rng.integers(18, 90, n)
        table = pa.table({
            "age": age, "income": age * 900.0 + rng.normal(0, 9000, n),
            "city": rng.choice(np.array(["paris", "oslo", "rome", "lima", "kyiv"]), n),
            "member": rng.random(n) < 1 / (1 + np.exp(-(age - 50) / 10)),
        })
        pq.write_table(table, folder / f"part-{start // FILE_ROWS:05d}.parquet",
                       row_group_size=GROUP_ROWS)
    done.touch()
    return folder


def child(path: str, mode: str, steps: int, batch: int) -> dict[str, float]:
    """One measurement in this process: load, then ``steps`` optimizer steps."""
    from vaekit.config.load import load_config
    from vaekit.data import load_data

    buffer = 2**40 if mode == "memory" else 65_536
    cfg = load_config(base={"data": {"name": "shards", "path": path, "buffer_rows": buffer},
                            "train": {"batch_size": batch}})
    t0 = time.perf_counter()
    ds = load_data(cfg.data)
    return {**timed_steps(cfg, ds, ds.training_batches(), t0, steps, batch), "peak_rss_mb": peak_mb()}


def timed_steps(cfg: Config, ds: Dataset, source: BatchSource, t0: float, steps: int,
                batch: int) -> dict[str, float]:
    """Build the default model of ``cfg`` for ``ds`` and take ``steps`` optimizer steps on
    ``source``, in as many epochs as they need (each begun inside the timing): loading (seconds
    since ``t0``, to the first batch), the steps taken and the examples per second over them.
    Each epoch is closed after (its loader workers joined)."""
    import torch

    from vaekit.model.build import build_model
    from vaekit.objectives import build_objective
    from vaekit.training import setup
    from vaekit.training.likelihood_choice import resolve_likelihood
    from vaekit.training.step import LossModule

    torch.manual_seed(0)
    cfg = resolve_likelihood(cfg, ds)
    model = build_model(cfg.model, ds.shape)
    step = LossModule(model, build_objective(cfg.objective))
    opt = setup.make_optimizer(model, cfg.train)
    source = source.sharded(0, 0, 1)
    batches = source.epoch(1, batch, torch.Generator())
    next(batches)  # the first batch: an in-memory split is read here
    load = time.perf_counter() - t0
    t1, taken, epoch = time.perf_counter(), 0, 1
    while True:
        for b in batches:
            out = step(b, 10_000, torch.Generator())
            opt.zero_grad(set_to_none=True)
            out.loss.backward()
            opt.step()
            taken += 1
            if taken == steps:
                break
        if isinstance(batches, Generator):
            batches.close()
        if taken == steps:
            break
        epoch += 1
        batches = source.epoch(epoch, batch, torch.Generator())
    seconds = time.perf_counter() - t1
    return {"load_s": load, "steps": taken, "rows_per_s": taken * batch / seconds}


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """The peak resident memory in MB of this process (``RUSAGE_SELF``), or of the largest of
    its children that have ended (``RUSAGE_CHILDREN``: e.g. loader workers, once joined).

    This process's own is its memory's high-water mark (``VmHWM`` in /proc/self/status, on
    Linux): ``ru_maxrss`` of a process started with ``subprocess`` also counts the peak of the
    process that started it (the kernel keeps it across the exec)."""
    status = Path("/proc/self/status")
    if who == resource.RUSAGE_SELF and status.exists():
        peak = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
        return int(peak.split()[1]) / 1024
    return resource.getrusage(who).ru_maxrss / 1024


def plot(results: dict, path: Path) -> None:
    """Rows/s and peak memory against rows, one line per mode (a PNG for the docs)."""
    plot_modes(results, "rows", "rows_per_s", MODES, "rows in the table", path)


def plot_modes(results: dict, size: str, rate: str, modes: tuple[str, ...], xlabel: str,
               path: Path) -> None:
    """``rate`` (examples/s) and peak memory against ``size``, one line per mode of ``modes``;
    where the results record loader workers, each process's line says so and a mode with
    workers gets a dashed line for its largest."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workers = any("workers_peak_rss_mb" in r for r in results["rows"])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for mode in modes:
        rows = [r for r in results["rows"] if r["mode"] == mode and rate in r]
        if not rows:
            continue
        n = [r[size] for r in rows]
        axes[0].plot(n, [r[rate] for r in rows], marker="o", label=mode)
        axes[1].plot(n, [r["peak_rss_mb"] for r in rows], marker="o",
                     label=f"{mode}: process" if workers else mode)
        if workers and any(r["workers_peak_rss_mb"] for r in rows):
            axes[1].plot(n, [r["workers_peak_rss_mb"] for r in rows], marker="s", ls="--",
                         label=f"{mode}: largest loader worker")
    save_plot(fig, axes, xlabel, (f"training {size} per second", "peak resident memory (MB)"), path)


def save_plot(fig: Any, axes: Any, xlabel: str, titles: tuple[str, str], path: Path) -> None:
    """Both panels on a log x axis from 0 up, with their titles and legends, saved to ``path``."""
    for ax, title in zip(axes, titles, strict=True):
        ax.set_xscale("log")
        ax.set_xlabel(xlabel)
        ax.set_title(title, fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--memory-max", type=int, default=10_000_000)
    ap.add_argument("--repeats", type=int, default=3,
                    help="processes per measurement: the median rate is reported, with each")
    ap.add_argument("--modes", nargs="+", choices=MODES, default=["memory", "stream"])
    ap.add_argument("--max-seconds", type=float, default=3600.0,
                    help="a measurement process running longer is stopped (a row that says so)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/vaekit-scale"))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--plot", type=Path, default=PLOT, help="the PNG to draw, or none")
    ap.add_argument("--plot-only", action="store_true", help="redraw the plot from --out")
    ap.add_argument("--child", nargs=2, metavar=("PATH", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        path, mode = args.child
        result = tvae_child(path, args.steps, args.batch) if mode == "tvae" else \
            child(path, mode, args.steps, args.batch)
        print(json.dumps(result))
        return
    if args.plot_only:
        plot(json.loads(args.out.read_text()), args.plot)
        return
    rows = []
    for n in args.rows:
        folder = write_table(args.cache / f"rows-{n}", n)
        for mode in args.modes:
            if mode == "memory" and n > args.memory_max:
                rows.append({"rows": n, "mode": mode, "skipped": f"over --memory-max {args.memory_max}"})
                continue
            cmd = [sys.executable, "-m", "benchmarks.scale", "--child", str(folder), mode,
                   "--steps", str(args.steps), "--batch", str(args.batch)]
            rows.append({"rows": n, "mode": mode,
                         **repeated(cmd, args.max_seconds, args.repeats, "rows_per_s")})
            print(json.dumps(rows[-1]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results = {"provenance": provenance(), "batch": args.batch, "steps": args.steps,
               "repeats": args.repeats, "cores": usable_cores(),
               "rows": with_ratios(rows, "rows", "rows_per_s")}
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    if str(args.plot) != "none":
        plot(results, args.plot)
    print(f"wrote {args.out}" + ("" if str(args.plot) == "none" else f" and {args.plot}"))


def repeated(cmd: list[str], seconds: float, repeats: int, rate: str) -> dict:
    """``measure`` of ``cmd`` ``repeats`` times: the run of median ``rate`` (examples per
    second), with every run's rate (``runs``) and the highest peak memory of them; a failed run
    is the row."""
    runs = []
    for _ in range(repeats):
        runs.append(measure(cmd, seconds))
        if "failed" in runs[-1]:
            return runs[-1]
    median = sorted(runs, key=lambda r: r[rate])[len(runs) // 2]
    peaks = {k: max(r[k] for r in runs) for k in median if k.startswith(("peak", "workers_peak"))}
    return {**median, **peaks, "runs": [round(r[rate]) for r in runs]}


def with_ratios(rows: list[dict], size: str, rate: str) -> list[dict]:
    """``rows`` with each streamed row's rate over the in-memory row's of the same size
    (``vs_memory``), where both were measured."""
    memory = {r[size]: r[rate] for r in rows if r["mode"] == "memory" and rate in r}
    return [{**r, "vs_memory": r[rate] / memory[r[size]]}
            if r["mode"] == "stream" and rate in r and r[size] in memory else r for r in rows]


def measure(cmd: list[str], seconds: float) -> dict:
    """The measurement a child process prints, or why there is none ({"failed": ...}): time,
    out of memory (killed, or a MemoryError), or its last line of errors."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        return {"failed": f"time: still running after {seconds:g} s"}
    if done.returncode == 0:
        return json.loads(done.stdout.splitlines()[-1])
    last = (done.stderr.strip().splitlines() or ["?"])[-1]
    if done.returncode == -9 or "memory" in last.lower():
        return {"failed": f"out of memory: {last[:120]}"}
    return {"failed": last[:200]}


if __name__ == "__main__":
    main()
