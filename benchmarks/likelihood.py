"""Honest likelihoods of the reference MLP VAE on Fashion-MNIST, and how fast vaekit gets them.

Trains the reference model (MLP 784-400-20, Bernoulli, dynamically binarized Fashion-MNIST,
batch 128, Adam 1e-3, seed 0), then reports the test -ELBO and the IW NLL (k importance samples)
in nats and bits/dim with the wall time of `vaekit.evaluate`, and times two one-example-at-a-time
NLL estimators with the same k on a subset of the test split:

- "Pythae-style": per example, k samples in batches of 100, re-encoding the repeated example for
  each batch (the shape of Pythae's `get_nll`);
- "per example, one batch": per example, encode once and decode all k samples in one batch.

    python -m benchmarks.likelihood --epochs 10 --k 1000 [--n 2000] --subset 200 --threads 1

Results: benchmarks/results/likelihood/likelihood.json, with provenance and the settings. The
machine may be shared: quote the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

import torch

import vaekit
from benchmarks.common import one_batch_nll, timed
from benchmarks.provenance import ROOT, write_results
from vaekit.config.schema import DataConfig
from vaekit.data import load_data
from vaekit.eval.data import prepare
from vaekit.eval.iw import iw_log_likelihood

CONFIG = {
    "data": {"name": "fashion-mnist", "binarize": "dynamic"},
    "model": {"arch": "mlp", "hidden": [400], "latent_dim": 20, "likelihood": "bernoulli"},
    "train": {"batch_size": 128, "lr": 1e-3, "seed": 0},
}


@torch.inference_mode()
def pythae_style_nll(model, x, k: int, gen: torch.Generator, batch: int = 100) -> torch.Tensor:
    """-IW bound one example at a time, k samples in batches of ``batch`` (re-encoding each)."""
    batch = min(batch, k)
    out = []
    for i in range(len(x)):
        xr = x[i : i + 1].expand(batch, *x.shape[1:])
        log_w = []
        for _ in range(k // batch):
            q = model.encode(xr)
            z = q.rsample(generator=gen)
            log_w.append(model.decode(z).log_prob(xr) + model.prior.log_prob(z) - q.log_prob(z))
        lw = torch.cat(log_w).double()
        out.append(-(torch.logsumexp(lw, 0) - math.log(len(lw))))
    return torch.stack(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--k", type=int, default=1000)
    ap.add_argument("--n", type=int, default=None,
                    help="evaluate the first N test images (default: all 10,000)")
    ap.add_argument("--subset", type=int, default=200, help="examples for the per-example timers")
    ap.add_argument("--small-k", type=int, default=20, help="also time this small k on the subset")
    ap.add_argument("--run", type=Path, help="evaluate this run instead of training one")
    ap.add_argument("--runs", type=Path, default=Path("runs/bench-likelihood"),
                    help="where the trained run goes")
    ap.add_argument("--out", type=Path,
                    default=ROOT / "benchmarks" / "results" / "likelihood" / "likelihood.json",
                    help="results JSON (with its provenance)")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    if args.run is None:
        cfg = {**CONFIG, "train": {**CONFIG["train"], "epochs": args.epochs}}
        args.run = vaekit.train(cfg, out=args.runs, progress=False).path
    model = vaekit.load(args.run)
    test = None if args.n is None else load_data(DataConfig(name="fashion-mnist")).test[: args.n]
    res, t_vae = timed(vaekit.evaluate, model, test, args.k)

    x = prepare(model, None, "test").x[: args.subset]
    gen = torch.Generator().manual_seed(1)
    timers = {}
    for name, k, fn in [("vaekit", args.k, lambda k: -iw_log_likelihood(model, x, k=k, generator=gen)),
                        ("pythae_style", args.k, lambda k: pythae_style_nll(model, x, k, gen)),
                        ("one_batch", args.k, lambda k: one_batch_nll(model, x, k, gen)),
                        ("vaekit_small_k", args.small_k,
                         lambda k: -iw_log_likelihood(model, x, k=k, generator=gen)),
                        ("one_batch_small_k", args.small_k, lambda k: one_batch_nll(model, x, k, gen))]:
        nll, seconds = timed(fn, k)
        timers[name] = {"k": k, "seconds": seconds, "ms_per_example": 1000 * seconds / len(x),
                        "nll": float(nll.mean())}
        print(f"{name}: k={k}, {1000 * seconds / len(x):.2f} ms/example, NLL {timers[name]['nll']:.2f}",
              flush=True)
    for name, base in [("vaekit", "vaekit"), ("pythae_style", "vaekit"), ("one_batch", "vaekit"),
                       ("vaekit_small_k", "vaekit_small_k"), ("one_batch_small_k", "vaekit_small_k")]:
        timers[name]["vs_vaekit"] = timers[name]["seconds"] / timers[base]["seconds"]
    keep = ("n", "k", "elbo", "elbo_se", "nll", "nll_se", "elbo_gap", "elbo_gap_se", "kl",
            "active_units", "latent_dim", "mi", "bits_per_dim", "elbo_bits_per_dim",
            "bits_per_dim_convention", "dims", "seconds")
    evaluation = {key: value for key, value in res.to_dict().items() if key in keep}
    evaluation.update(wall_s=t_vae, ms_per_example=1000 * res.seconds / res.n)
    print(f"-ELBO {-res.elbo:.2f}, NLL {res.nll:.2f} (k={res.k}, {res.n} images)")
    write_results(args.out, {"load_average": os.getloadavg()[0], "epochs": args.epochs, "config": CONFIG,
                             "evaluate": evaluation, "subset": len(x), "timers": timers})


if __name__ == "__main__":
    main()
