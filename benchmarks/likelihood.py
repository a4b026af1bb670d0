"""Honest likelihoods of the reference MLP VAE on Fashion-MNIST, and how fast vaekit gets them.

Trains the reference model (MLP 784-400-20, Bernoulli, dynamically binarized Fashion-MNIST,
batch 128, Adam 1e-3, seed 0), then reports the test -ELBO and the IW NLL (k importance samples)
in nats and bits/dim with the wall time of `vaekit.evaluate`, and times two one-example-at-a-time
NLL estimators with the same k on a subset of the test split:

- "Pythae-style": per example, k samples in batches of 100, re-encoding the repeated example for
  each batch (the shape of Pythae's `get_nll`);
- "per example, one batch": per example, encode once and decode all k samples in one batch.

    python -m benchmarks.likelihood --epochs 10 --k 1000 --subset 200

The machine may be shared: quote the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

import torch

import vaekit
from benchmarks.common import one_batch_nll, timed
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
    ap.add_argument("--subset", type=int, default=200, help="examples for the per-example timers")
    ap.add_argument("--small-k", type=int, default=20, help="also time this small k on the subset")
    ap.add_argument("--run", type=Path, help="evaluate this run instead of training one")
    ap.add_argument("--out", type=Path, default=Path("runs/bench-likelihood"))
    ap.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    if args.run is None:
        cfg = {**CONFIG, "train": {**CONFIG["train"], "epochs": args.epochs}}
        args.run = vaekit.train(cfg, out=args.out, progress=False).path
    model = vaekit.load(args.run)
    res, t_vae = timed(vaekit.evaluate, model, None, args.k)

    x = prepare(model, None, "test").x[: args.subset]
    gen = torch.Generator().manual_seed(1)
    ours_sub, t_ours_sub = timed(lambda: -iw_log_likelihood(model, x, k=args.k, generator=gen))
    py_nll, t_py = timed(pythae_style_nll, model, x, args.k, gen)
    ob_nll, t_ob = timed(one_batch_nll, model, x, args.k, gen)
    _, t_ours_small = timed(lambda: iw_log_likelihood(model, x, k=args.small_k, generator=gen))
    _, t_ob_small = timed(one_batch_nll, model, x, args.small_k, gen)
    d = res.dims
    bpd = res.bits_per_dim_convention.split(":")[0]

    def ms(t: float, n: int) -> str:
        return f"{1000 * t / n:.2f} ms/example"

    rows = [
        ("test -ELBO ± SE", f"{-res.elbo:.2f} ± {res.elbo_se:.2f} nats = "
                       f"{res.elbo_bits_per_dim:.4f} bits/dim ({bpd})"),
        (f"test NLL ± SE, IW bound k={res.k}", f"{res.nll:.2f} ± {res.nll_se:.2f} nats = "
                                          f"{res.bits_per_dim:.4f} bits/dim"),
        ("ELBO gap (-ELBO - NLL)", f"{res.elbo_gap:.2f} ± {res.elbo_gap_se:.2f} nats"),
        ("KL / active units / I(x;z)", f"{res.kl:.2f} nats / {res.active_units}/{res.latent_dim} "
                                       f"/ {res.mi:.2f} nats"),
        (f"`vaekit.evaluate`, {res.n} examples x k={res.k}",
         f"{t_vae:.1f} s wall ({res.seconds:.1f} s computing eval.json: "
         f"{ms(res.seconds, res.n)})"),
        (f"vaekit IW estimator (`iw_log_likelihood`), {len(x)} examples",
         f"{ms(t_ours_sub, len(x))}, NLL {float(ours_sub.mean()):.2f}"),
        (f"Pythae-style per example (100 samples/batch), {len(x)} examples",
         f"{ms(t_py, len(x))}, NLL {float(py_nll.mean()):.2f}: **{t_py / t_ours_sub:.1f}x** vaekit's time"),
        (f"per example, all k in one batch, {len(x)} examples",
         f"{ms(t_ob, len(x))}, NLL {float(ob_nll.mean()):.2f}: **{t_ob / t_ours_sub:.1f}x** vaekit's time"),
        (f"small k={args.small_k}: vaekit vs per example (one batch), {len(x)} examples",
         f"{ms(t_ours_small, len(x))} vs {ms(t_ob_small, len(x))}: "
         f"**{t_ob_small / t_ours_small:.1f}x** vaekit's time"),
    ]
    print(f"\nReference MLP VAE 784-400-20, Bernoulli, dynamically binarized Fashion-MNIST "
          f"(test split binarized once, seed fixed), D={d}; run {args.run}; torch "
          f"{torch.__version__}, threads {torch.get_num_threads()}, load average "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| quantity | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    threads = f" --threads {args.threads}" if args.threads else ""
    print(f"\ncommand: python -m benchmarks.likelihood --epochs {args.epochs} "
          f"--k {args.k} --subset {args.subset} --small-k {args.small_k}{threads}")


if __name__ == "__main__":
    main()
