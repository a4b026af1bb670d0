"""Posterior collapse under an autoregressive decoder, and its remedies, measured.

A PixelCNN decoder can model the pixels without z, so the ELBO's cheapest optimum may ignore
the latent: KL(q(z|x) || p(z)) near 0 and few active units. Each row trains the same MLP VAE
(784-400, z 32, Adam 1e-3, batch 128) on dynamically binarized Fashion-MNIST for the same
wall-clock minutes, changing only the decoder and the remedy: a factorized Bernoulli decoder
(the reference), a weak one-block PixelCNN (8 maps) and a stronger two-block one (16 maps),
each with no remedy and with free bits (``objective.free_bits`` nats per unit), and the weak
one with a KL warm-up. Reported: test -ELBO, its KL and reconstruction terms, active units (of
32), the IW NLL (k = ``--k``) on the first ``--n`` test images, and the KL against minutes
(docs/collapse.png).

    python -m benchmarks.collapse --minutes 6
    python -m benchmarks.collapse --only "pixelcnn 2x16" ...   # a few rows (runs are reused)

Results go to benchmarks/results/collapse-<minutes>min.json (with their provenance); runs to --runs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch

import vaekit
from benchmarks.common import save_figure
from benchmarks.frontier import ROOT, config, folder, subset_nll, test_images
from benchmarks.provenance import provenance
from vaekit.store.metrics import read_metrics
from vaekit.training.trainer import train

VAE = {"arch": "mlp", "hidden": [400], "latent_dim": 32, "likelihood": "bernoulli"}


def _pixelcnn(layers: int, channels: int) -> dict[str, Any]:
    return {"likelihood": "pixelcnn",
            "likelihood_args": {"layers": layers, "channels": channels, "conditioning": 2}}


FREE_BITS, WARMUP = 0.5, 1500


def rows() -> dict[str, dict[str, Any]]:
    """name -> config: the decoders x the remedies."""
    out: dict[str, dict[str, Any]] = {"factorized": {"model": dict(VAE)}}
    for layers, channels in ((1, 8), (2, 16)):
        model = {**VAE, **_pixelcnn(layers, channels)}
        name = f"pixelcnn {layers}x{channels}"
        out[name] = {"model": model}
        out[f"{name} + free bits"] = {"model": model, "objective": {"free_bits": FREE_BITS}}
    out["pixelcnn 1x8 + warm-up"] = {"model": {**VAE, **_pixelcnn(1, 8)},
                                     "objective": {"kl_warmup_steps": WARMUP}}
    return out


def run_one(name: str, cfg: dict[str, Any], runs: Path, args: argparse.Namespace) -> dict:
    run = folder(runs, name)
    if not (run / "collapse.json").exists():
        print(f"== training {name} for {args.minutes} minutes", flush=True)
        train(vaekit.load_config(cfg), run)
        model = vaekit.load(run)
        res = vaekit.evaluate(model, k=1)  # -ELBO, its terms and active units on all 10k
        nll = subset_nll(model, test_images(run, args.n), args.k)
        metrics = read_metrics(run / "metrics.csv")
        minutes = torch.tensor([float(m["seconds"]) for m in metrics]).cumsum(0) / 60
        row = {"name": name, "neg_elbo": -res.elbo, "kl": res.kl, "recon": -res.recon,
               "active": res.active_units, "latent_dim": res.latent_dim,
               "nll": float(nll.mean()), "nll_se": float(nll.std() / len(nll) ** 0.5),
               "k": args.k, "n": args.n, "epochs": len(metrics),
               "kl_curve": [{"minutes": float(t), "kl": float(m["test_kl"])}
                            for t, m in zip(minutes, metrics, strict=True)]}
        (run / "collapse.json").write_text(json.dumps(row))
    return json.loads((run / "collapse.json").read_text())


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for r in results:
        pts = r["kl_curve"]
        style = "-" if "free" not in r["name"] and "warm" not in r["name"] else "--"
        ax.plot([p["minutes"] for p in pts], [p["kl"] for p in pts], style, marker=".",
                label=r["name"])
    ax.set_xlabel("minutes of training (1 CPU thread)")
    ax.set_ylabel("test KL(q(z|x) || p(z)), nats per example")
    ax.set_title("Posterior collapse: how much the decoder uses z")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, ncol=2)
    save_figure(fig, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=6.0, help="training budget per row")
    ap.add_argument("--k", type=int, default=100, help="importance samples of the NLL")
    ap.add_argument("--n", type=int, default=2000, help="test images of the NLL")
    ap.add_argument("--only", nargs="*", help="rows to run (default: all)")
    ap.add_argument("--runs", type=Path, default=ROOT / "runs" / "collapse")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    runs = args.runs / f"{args.minutes:g}min"
    chosen = {n: c for n, c in rows().items() if not args.only or n in args.only}
    results = []
    for name, cfg in chosen.items():
        cfg = config(cfg, args.minutes, seed=0)
        cfg["train"]["lr_schedule"] = "constant"
        results.append(run_one(name, cfg, runs, args))
    if args.only:
        return
    out = ROOT / "benchmarks" / "results" / f"collapse-{args.minutes:g}min.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"provenance": provenance(), "rows": results}, indent=1))
    plot(results, ROOT / "docs" / "collapse.png")
    print(f"{'row':28s} {'-ELBO':>8s} {'recon':>8s} {'KL':>6s} {'active':>7s} "
          f"{'IW NLL':>15s} {'epochs':>6s}")
    for r in results:
        print(f"{r['name']:28s} {r['neg_elbo']:8.2f} {r['recon']:8.2f} {r['kl']:6.2f} "
              f"{str(r['active']) + '/' + str(r['latent_dim']):>7s} {r['nll']:8.2f} ± "
              f"{r['nll_se']:.2f} {r['epochs']:6d}")


if __name__ == "__main__":
    main()
