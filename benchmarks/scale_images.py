"""Training throughput and peak memory against the size of an image set in tar shards: in
memory and streamed.

    python -m benchmarks.scale_images --images 10000 100000 1000000 --steps 300 --memory-max 100000

A synthetic set of 28x28 grey PNGs (one to three seeded Gaussian blobs and a bright stroke each)
is written once as uncompressed ``.tar`` shards of at most 100k images under --cache. For each
size, a fresh process reads ``shards/*.tar`` as the folder source and takes --steps optimizer
steps of the default image model, in two ways: **memory** (every image decoded into memory
first, where they fit: --memory-max images) and **stream** (``data.stream=true``: each batch
decoded from the tars by --workers loader processes). Each process reports its images per second
over the steps (loading, to the first batch, reported apart), its own peak resident memory and
that of its largest loader worker. The table benchmark's machinery is reused
(``benchmarks.scale``: the child process, its time limit, the steps and the memory). Results:
benchmarks/results/scale/scale-images.json, with provenance.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import tarfile
import time
from pathlib import Path

import numpy as np

from benchmarks.provenance import provenance
from benchmarks.scale import peak_mb, plot_modes, repeated, timed_steps, with_ratios
from vaekit.data.image_stream import usable_cores

MODES = ("memory", "stream")
OUT = Path(__file__).resolve().parent / "results" / "scale" / "scale-images.json"
PLOT = Path(__file__).resolve().parents[1] / "docs" / "results" / "scale-images.png"
SHARD_IMAGES, SIDE = 100_000, 28


def draw(n: int, seed: int) -> np.ndarray:
    """``n`` images (n, 28, 28) uint8: one to three Gaussian blobs and a stroke, seeded."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    out = np.zeros((n, SIDE, SIDE), dtype=np.float32)
    for k in range(3):
        cy, cx = (rng.uniform(6, 22, (2, n, 1, 1))).astype(np.float32)
        s = rng.uniform(2, 5, (n, 1, 1)).astype(np.float32)
        on = (rng.integers(0, 3, (n, 1, 1)) >= k).astype(np.float32)  # the first always, then 2/3, 1/3
        out += on * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * s * s))
    angle = rng.uniform(0, np.pi, (n, 1, 1)).astype(np.float32)
    dist = np.abs((xx - 14) * np.sin(angle) - (yy - 14) * np.cos(angle))
    out += 0.8 * np.exp(-dist**2 / 1.5) * (np.hypot(xx - 14, yy - 14) < 10)
    return (np.clip(out, 0, 1) * 255).astype(np.uint8)


def write_images(folder: Path, n: int, per_shard: int = SHARD_IMAGES) -> Path:
    """The synthetic set of ``n`` images as ``folder/shard-*.tar`` of at most ``per_shard``
    images each, named by their index (written once, then reused)."""
    from PIL import Image

    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, per_shard):
        images = draw(min(per_shard, n - start), start)
        with tarfile.open(folder / f"shard-{start // per_shard:05d}.tar", "w") as tar:
            for i, a in enumerate(images):
                buf = io.BytesIO()
                Image.fromarray(a).save(buf, format="PNG")
                info = tarfile.TarInfo(f"{start + i:08d}.png")
                info.size = buf.tell()
                buf.seek(0)
                tar.addfile(info, buf)
    done.touch()
    return folder


def child(folder: str, mode: str, steps: int, batch: int, workers: int) -> dict[str, float]:
    """One measurement in this process: load, then ``steps`` optimizer steps."""
    from vaekit.config.load import load_config
    from vaekit.data import load_data

    data = {"name": "folder", "path": f"{folder}/*.tar", "stream": mode == "stream",
            "workers": workers}
    cfg = load_config(base={"data": data, "train": {"batch_size": batch}})
    t0 = time.perf_counter()
    ds = load_data(cfg.data)
    timed = timed_steps(cfg, ds, ds.training_batches(), t0, steps, batch)  # grey levels, both
    return {"load_s": timed["load_s"], "steps": timed["steps"],
            "images_per_s": timed["rows_per_s"], "peak_rss_mb": peak_mb(),
            "workers_peak_rss_mb": peak_mb(resource.RUSAGE_CHILDREN)}


def plot(results: dict, path: Path) -> None:
    """Images/s and peak memory (the process and its largest worker) against the images."""
    plot_modes(results, "images", "images_per_s", MODES, "images in the tar shards", path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--workers", type=int, default=2,
                    help="loader processes of the stream mode (data.workers; at most the cores "
                    "less one run)")
    ap.add_argument("--threads", type=int, default=None,
                    help="training's torch threads in both modes (default: torch's, all cores; "
                    "1 on two cores leaves the other to the loader worker, as more cores would)")
    ap.add_argument("--repeats", type=int, default=3,
                    help="processes per measurement: the median rate is reported, with each")
    ap.add_argument("--memory-max", type=int, default=100_000)
    ap.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    ap.add_argument("--max-seconds", type=float, default=1800.0,
                    help="a measurement process running longer is stopped (a row that says so)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/vaekit-scale-images"))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--plot", type=Path, default=PLOT, help="the PNG to draw, or none")
    ap.add_argument("--child", nargs=2, metavar=("FOLDER", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        if args.threads:
            import torch

            torch.set_num_threads(args.threads)
        print(json.dumps(child(*args.child, args.steps, args.batch, args.workers)))
        return
    rows = []
    for n in args.images:
        t0 = time.perf_counter()
        folder = write_images(args.cache / f"images-{n}", n)
        print(f"{n:,} images ready in {folder} ({time.perf_counter() - t0:.0f} s)", flush=True)
        for mode in args.modes:
            if mode == "memory" and n > args.memory_max:
                rows.append({"images": n, "mode": mode,
                             "skipped": f"over --memory-max {args.memory_max}"})
                continue
            cmd = [sys.executable, "-m", "benchmarks.scale_images", "--child", str(folder), mode,
                   "--steps", str(args.steps), "--batch", str(args.batch),
                   "--workers", str(args.workers)] + (["--threads", str(args.threads)]
                                                       if args.threads else [])
            rows.append({"images": n, "mode": mode,
                         **repeated(cmd, args.max_seconds, args.repeats, "images_per_s")})
            print(json.dumps(rows[-1]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results = {"provenance": provenance(), "batch": args.batch, "steps": args.steps,
               "workers": args.workers, "threads": args.threads, "repeats": args.repeats,
               "cores": usable_cores(),
               "rows": with_ratios(rows, "images", "images_per_s")}
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    if str(args.plot) != "none":
        plot(results, args.plot)
    print(f"wrote {args.out}" + ("" if str(args.plot) == "none" else f" and {args.plot}"))


if __name__ == "__main__":
    main()
