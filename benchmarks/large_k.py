"""The IW NLL of a run at a large k on all its test images, in shards that can run apart.

At k=5000 the best preset's bound on the 10k Fashion-MNIST test images is about 5e7 passes of
its hierarchy and PixelCNN: hours of a 2-core CPU, more than one sitting. ``vaekit evaluate``
resumes an interrupted evaluation, but its journal keeps every posterior (for active units and
I(x;z)) and is too big to carry between machines. This benchmark computes only what the
likelihood table needs -- per test image, -IW_k and the ELBO of the same k draws -- in shards of
``--shard`` images, each written to ``RUN/iw-k<k>-seed<seed>/<first>.json`` (a few KB, kept with
the run, so shards done in different sittings or on different machines add up), and reports
the mean and its standard error once every shard is there.

Each batch of ``--batch`` images draws from its own generator, seeded with ``seed`` plus the index
of its first image, so the result does not depend on how the images were sharded or on how many
workers ran them; it is a different draw from ``vaekit evaluate``'s (one generator for the
whole split) with the same expectation. ``--workers`` processes of one thread each share the
shards (on 2 cores, 1.14x the images per second of one process of two threads); ``--compile``
runs the decoder and each network of the likelihood through ``torch.compile`` (fp32, as in
eager mode; measured 1.2x more per worker here, with per-image bounds within 1e-4 nats of eager).

    python -m benchmarks.large_k benchmarks/results/best_30min --k 5000 --workers 2 --compile

``--pair 100`` adds, once the shards of k=100 are there too, the per-image difference between the
two bounds on the images both cover (with its standard error) and where the k=5000 bound of all
10k lands, measured where its shards exist and projected by that difference where they don't;
``--report`` only reports what the shards written so far give.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context, parent_process
from multiprocessing.connection import wait as wait_for
from pathlib import Path
from typing import Any

import torch

import vaekit
from vaekit.eval.data import prepare
from vaekit.eval.iw import chunk_for, iw_estimate
from vaekit.eval.metrics import mean_se
from vaekit.store.atomic import write_json
from vaekit.store.eval_journal import digest

_worker: dict[str, Any] = {}


def shard_folder(run: Path, k: int, seed: int) -> Path:
    return run / f"iw-k{k}-seed{seed}"


def exit_with_parent() -> None:
    """In a worker: exit as soon as the process that started it is gone. A parent killed by a
    signal never shuts its pool down, and its workers would go on for hours of shards no one reads."""
    parent = parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait_for([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _setup(run: str, device: str, compile_: bool, threads: int) -> None:
    """Each worker: its threads, the run's model (compiled if asked) and the test images."""
    exit_with_parent()
    torch.set_num_threads(threads)
    model = vaekit.load(Path(run), device).eval()
    _worker["weights"] = digest(model.state_dict())
    _worker["x"] = prepare(model, None, "test", None, model.device).x
    if compile_:
        model.decoder = torch.compile(model.decoder, dynamic=False)
        for name, child in list(model.likelihood.named_children()):
            setattr(model.likelihood, name, torch.compile(child, dynamic=False))
    _worker["model"] = model


@torch.inference_mode()
def shard_terms(model: Any, x: torch.Tensor, first: int, k: int, seed: int,
                batch: int) -> dict[str, list[float]]:
    """-IW_k and the ELBO of every image of x (the test images from index ``first`` on): each
    batch of ``batch`` images draws from a generator seeded with ``seed`` + its first index."""
    nll, elbo = [], []
    for i in range(0, len(x), batch):
        gen = torch.Generator(x.device).manual_seed(seed + first + i)
        est = iw_estimate(model, x[i : i + batch], None, k, chunk_for(x.device), gen)
        nll += (-est.log_px).tolist()
        elbo += est.elbo.tolist()
    return {"nll": nll, "elbo": elbo}


def _shard(folder: str, first: int, size: int, k: int, seed: int, batch: int) -> dict[str, Any]:
    """Evaluate and write one shard (in a worker); the record it wrote back."""
    t0 = time.perf_counter()
    x = _worker["x"][first : first + size]
    terms = shard_terms(_worker["model"], x, first, k, seed, batch)
    record = {"first": first, "n": len(x), "k": k, "seed": seed, "batch": batch,
              "weights": _worker["weights"], "seconds": time.perf_counter() - t0, **terms}
    write_json(Path(folder) / f"{first:05d}.json", record)
    return record


def done_shards(folder: Path, weights: str, k: int, seed: int, batch: int) -> dict[int, dict]:
    """The shards already written for these weights, k, seed and batch, by first index."""
    out = {}
    for path in sorted(folder.glob("*.json")):
        s = json.loads(path.read_text())
        if (s["weights"], s["k"], s["seed"], s["batch"]) == (weights, k, seed, batch):
            out[s["first"]] = s
    return out


def summary(shards: dict[int, dict], n: int, k: int, seed: int) -> dict[str, Any]:
    """Mean and standard error of -IW_k and the ELBO over the images the shards cover."""
    def column(name: str) -> torch.Tensor:
        return torch.tensor([v for s in sorted(shards) for v in shards[s][name]],
                            dtype=torch.float64)

    nll, nll_se = mean_se(column("nll"))
    elbo, elbo_se = mean_se(column("elbo"))
    return {"k": k, "seed": seed, "n": len(per_image(shards)), "of": n, "nll": nll,
            "nll_se": nll_se, "elbo": elbo, "elbo_se": elbo_se,
            "cpu_seconds": sum(s["seconds"] for s in shards.values())}


def per_image(shards: dict[int, dict]) -> dict[int, float]:
    """-IW_k by test image index."""
    return {s["first"] + i: v for s in shards.values() for i, v in enumerate(s["nll"])}


def paired(ours: dict[int, dict], theirs: dict[int, dict]) -> dict[str, float]:
    """The bound at our k minus theirs, image by image, on the images both cover: its mean and
    standard error, and where the mean over all of their images lands with our k (theirs there,
    moved by the mean difference where ours are missing)."""
    a, b = per_image(ours), per_image(theirs)
    common = sorted(set(a) & set(b))
    diff, diff_se = mean_se(torch.tensor([a[i] - b[i] for i in common], dtype=torch.float64))
    filled = [a.get(i, b[i] + diff) for i in sorted(b)]
    return {"n": len(common), "diff": diff, "diff_se": diff_se,
            "projected": sum(filled) / len(filled)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--k", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shard", type=int, default=200, help="images per shard file")
    ap.add_argument("--batch", type=int, default=100, help="images per seeded batch")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="per worker (0: cores / workers)")
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--pair", type=int, default=None, metavar="K",
                    help="also the per-image difference from the shards of k=K (same seed)")
    ap.add_argument("--report", action="store_true",
                    help="only report what the shards written so far give")
    a = ap.parse_args()
    if a.shard % a.batch:
        ap.error("--shard must be a multiple of --batch")
    threads = a.threads or max(1, torch.get_num_threads() // a.workers)

    model = vaekit.load(a.run, a.device)
    weights = digest(model.state_dict())
    n = len(prepare(model, None, "test", None, model.device).x)
    folder = shard_folder(a.run, a.k, a.seed)
    folder.mkdir(exist_ok=True)
    shards = done_shards(folder, weights, a.k, a.seed, a.batch)
    missing = [f for f in range(0, n, a.shard) if f not in shards]
    todo = [] if a.report else missing
    print(f"{a.run}: {len(shards)} shards of {math.ceil(n / a.shard)} done, {len(missing)} to go "
          f"(k={a.k}" + (")" if a.report else f", {a.workers} workers x {threads} threads)"),
          flush=True)
    t0 = time.perf_counter()
    if todo:
        with ProcessPoolExecutor(a.workers, get_context("spawn"), initializer=_setup,
                                 initargs=(str(a.run), a.device, a.compile, threads)) as pool:
            pending = {pool.submit(_shard, str(folder), f, a.shard, a.k, a.seed, a.batch)
                       for f in todo}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    record = fut.result()
                    shards[record["first"]] = record
                    s = summary(shards, n, a.k, a.seed)
                    print(f"shard {record['first']:5d} done ({time.perf_counter() - t0:.0f}s): "
                          f"{s['n']} of {n} images, NLL {s['nll']:.2f} ± {s['nll_se']:.2f} so far",
                          flush=True)
    if not shards:
        return
    s = summary(shards, n, a.k, a.seed)
    other = {} if a.pair is None else done_shards(shard_folder(a.run, a.pair, a.seed), weights,
                                                   a.pair, a.seed, a.batch)
    if other:
        s[f"minus_k{a.pair}"] = p = paired(shards, other)
        print(f"k={a.k} minus k={a.pair} on the same {p['n']} images: {p['diff']:+.4f} ± "
              f"{p['diff_se']:.4f} nats; k={a.k} projected over all {len(per_image(other))} "
              f"images of k={a.pair}: {p['projected']:.3f}")
    print(json.dumps(s, indent=2))
    if s["n"] == n:
        write_json(a.run / f"iw-k{a.k}-seed{a.seed}.json", s)


if __name__ == "__main__":
    main()
