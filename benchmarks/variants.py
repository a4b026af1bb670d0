"""Every registered variant on dynamically binarized Fashion-MNIST, same epochs and seed.

Each variant is trained from its preset alone (``model.variant``) plus the shared data and
training settings (batch 128, Adam 1e-3, seed 0); sizes the preset does not set are vaekit's
defaults (MLP 784-400-20, Bernoulli). Then `vaekit.evaluate` gives, on the 10k test images (one
fixed binarization), the -ELBO and the IW NLL with k samples, the active units, and the training
seconds per epoch come from metrics.csv. A sample grid per variant goes to docs/variants/.

    python -m benchmarks.variants --epochs 10 --k 1000 --threads 1

Runs already trained in --runs are reused (delete them to retrain). The machine may be shared:
seconds per epoch are wall time under whatever else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import traceback
from pathlib import Path

import torch

import vaekit
from benchmarks.provenance import provenance
from vaekit import registry
from vaekit.artifacts.run_context import RunContext
from vaekit.cli.images import write_samples
from vaekit.store.metrics import heldout, read_metrics

ROOT = Path(__file__).resolve().parents[1]
SHARED = {"data": {"name": "fashion-mnist", "binarize": "dynamic"},
          "train": {"batch_size": 128, "lr": 1e-3, "seed": 0}}
# Rows: (name, variant, extra config). The capacity form of the beta-VAE is its own row.
EXTRA = {"beta_vae_capacity": ("beta_vae", {"objective": {
    "name": "capacity", "gamma": 100.0, "capacity_max": 20.0, "capacity_steps": 4000}})}


def rows() -> list[tuple[str, str, dict]]:
    out = []
    for v in registry.names("variant"):
        out.append((v, v, {}))
        out += [(name, var, extra) for name, (var, extra) in EXTRA.items() if var == v]
    return out


def config(variant: str, extra: dict, epochs: int) -> dict:
    cfg = {k: dict(v) for k, v in SHARED.items()}
    cfg["train"]["epochs"] = epochs
    cfg["model"] = {"variant": variant}
    for section, keys in extra.items():
        cfg.setdefault(section, {}).update(keys)
    return cfg


def train_or_reuse(name: str, cfg: dict, run: Path) -> None:
    done = run / "metrics.csv"
    if done.exists() and len(read_metrics(done)) >= cfg["train"]["epochs"]:
        return
    print(f"== training {name}", flush=True)
    if run.exists():  # an interrupted run: continue it
        vaekit.train(cfg, run, resume=True)
    else:
        vaekit.train(cfg, run)


def class_probe(model, n_train: int = 10000) -> float:
    """Test accuracy of a linear classifier of the class from the posterior mean E_q[z|x]
    (E_q[z|x,y] for a CVAE): how much of the class the code carries (chance = 0.1)."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    from vaekit.data import heldout_tensor, load_data
    from vaekit.samplers import posterior_means

    ds = load_data(model.config.data)
    cond = model.conditioner is not None

    def codes(x, y):
        x = heldout_tensor(x, model.config.data.binarize, model.device)
        return posterior_means(model, x, y if cond else None).flatten(1).numpy()

    ytr, yte = ds.train_labels[:n_train], ds.test_labels
    with threadpool_limits(1):
        clf = LogisticRegression(max_iter=2000).fit(codes(ds.train[:n_train], ytr), ytr.numpy())
        return float(clf.score(codes(ds.test, yte), yte.numpy()))


def measure(name: str, variant: str, run: Path, k: int, docs: Path) -> dict:
    metrics = read_metrics(run / "metrics.csv")
    sec = sorted(float(r["seconds"]) for r in metrics)
    row: dict = {"name": name, "variant": variant, "epochs": len(metrics),
                 "seconds_per_epoch": sec[len(sec) // 2], "val_loss": float(heldout(metrics[-1], "loss"))}
    model = vaekit.load(run)
    if model.latent.caps.fitted_prior and not (run / "prior.safetensors").exists():
        env = {**os.environ, "OMP_NUM_THREADS": str(torch.get_num_threads())}
        subprocess.run([sys.executable, "-m", "vaekit", "train-prior", str(run)], check=True,
                       env=env)
    try:
        res = vaekit.evaluate(model, k=k)
        row.update(neg_elbo=-res.elbo, nll=res.nll, nll_se=res.nll_se, kl=res.kl,
                   active=res.active_units, latent_dim=res.latent_dim, k=k)
    except Exception as exc:  # a variant without an IW bound is reported as such
        row.update(eval_error=f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
        row.update(active=int(metrics[-1]["active_units"] or 0)
                   if metrics[-1].get("active_units") not in (None, "") else None)
    try:
        row["class_probe"] = class_probe(model)
    except Exception:  # a latent without posterior means: no probe
        traceback.print_exc()
    try:
        ctx = RunContext.open(run)
        row["prior"] = ctx.model.prior.description
        write_samples(ctx, docs / f"{name}.png", 64)
        row["samples"] = f"docs/variants/{name}.png"
        if variant == "vae":  # the ex-post mixture on a VAE, for comparison with its prior
            write_samples(ctx, docs / "vae_gmm.png", 64, sampler="gmm")
    except Exception:  # a failed grid must not lose the measured row
        traceback.print_exc()
    return row


def paired_nll(runs: Path, names: list[str], k: int, n: int = 2000) -> dict[str, tuple]:
    """NLL(name) - NLL(vae) per example on the first n test images, same k and seed: (mean, se).

    The unpaired standard errors of the table (~0.8 nats) are mostly the spread of the examples;
    the paired difference removes it."""
    import torch

    from vaekit.eval.data import prepare
    from vaekit.eval.iw import iw_log_likelihood

    def nll(name: str) -> torch.Tensor:
        model = vaekit.load(runs / name)
        data = prepare(model, None, "test")
        x, y = data.x[:n], None if data.y is None else data.y[:n]
        g = torch.Generator().manual_seed(0)
        out = [-iw_log_likelihood(model, x[i : i + 500], None if y is None else y[i : i + 500],
                                  k, generator=g) for i in range(0, n, 500)]
        return torch.cat(out)

    base = nll("vae")
    out = {}
    for name in names:
        d = nll(name) - base
        out[name] = (float(d.mean()), float(d.std() / len(d) ** 0.5))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--k", type=int, default=1000, help="importance samples of the IW NLL")
    ap.add_argument("--runs", type=Path, default=ROOT / "runs" / "variants")
    ap.add_argument("--only", nargs="*", help="names of rows to run (default: all)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the machine is shared)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "variants" / "results.json",
                    help="results JSON (with its provenance)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    docs = ROOT / "docs" / "variants"
    docs.mkdir(parents=True, exist_ok=True)
    results = []
    for name, variant, extra in rows():
        if args.only and name not in args.only:
            continue
        run = args.runs / name
        train_or_reuse(name, config(variant, extra, args.epochs), run)
        results.append(measure(name, variant, run, args.k, docs))
        print(json.dumps(results[-1]), flush=True)
    done = {r["name"] for r in results if "nll" in r}
    versus = [v for v in ("iwae", "hvae", "vamp", "iaf", "flow_prior") if v in done and "vae" in done]
    if versus:
        diffs = paired_nll(args.runs, versus, args.k)
        for r in results:
            if r["name"] in diffs:
                r["nll_minus_vae"], r["nll_minus_vae_se"] = diffs[r["name"]]
        print("paired IW NLL minus the VAE's, first 2000 test images:", diffs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"provenance": provenance(), "epochs": args.epochs, "k": args.k,
                                    "rows": results}, indent=2) + "\n")
    print(f"\n| variant | test -ELBO | IW NLL (k={args.k}) | KL | active units | class from z "
          "| s/epoch | samples |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        elbo = f"{r['neg_elbo']:.2f}" if "neg_elbo" in r else f"n/a ({r['val_loss']:.2f}*)"
        nll = f"{r['nll']:.2f} ± {r['nll_se']:.2f}" if "nll" in r else "n/a"
        kl = f"{r['kl']:.2f}" if "kl" in r else "n/a"
        probe = f"{100 * r['class_probe']:.0f} %" if "class_probe" in r else "n/a"
        grid = f"![{r['name']}]({r['samples']})" if "samples" in r else "n/a"
        print(f"| {r['name']} | {elbo} | {nll} | {kl} | {r.get('active')} | {probe} | "
              f"{r['seconds_per_epoch']:.1f} | {grid} |")


if __name__ == "__main__":
    main()
