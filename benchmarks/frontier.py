"""The frontier: vaekit's strongest compositions, each trained for the same wall-clock minutes.

Dynamically binarized Fashion-MNIST; every contender trains with ``train.max_minutes`` (its
schedule stretched to the budget), one after another on an otherwise idle machine. While it
trains, a callback keeps a copy of the weights each time another ``--every`` minutes of training
have passed (in the run's snapshots/ folder); each copy is then scored on a fixed subset of the
test images (the first ``--curve-n``, IW NLL with ``--curve-k`` samples, one seed), which gives
the NLL-vs-minutes curves of docs/frontier-<minutes>min.png. The final models are evaluated on
all 10k test images (one fixed binarization): -ELBO, IW NLL with ``--k`` samples (``--k-best``
for the best), bits/dim, KL per group, active units, parameters and epochs reached; paired
per-example differences against the VAE on the curve subset show what each component bought.

    python -m benchmarks.frontier --minutes 30 --every 5 --k 1000 --k-best 5000

With a GPU elsewhere: ``--train-only`` here (the CPU minutes are the budget; the snapshots wait
unscored), then the same command with ``--device cuda`` there, over a copy of the --runs folder,
for the curves and evaluations. Each step is kept in the run folder (snapshots/, then
frontier-curve.json, then frontier-eval.json) and reused, so an interrupted benchmark resumes
(a contender stopped while it trained goes on from its last checkpoint, budget and snapshots).

Rows: today's VAE and ladder, the conv hierarchy (configs/conv_hvae.yaml), each new component
alone on the VAE, and the best composition
(``configs/best_30min.yaml``; ``--minutes 5`` uses ``configs/best_5min.yaml``). Results go to
benchmarks/results/frontier-<minutes>min.json, with their provenance; runs to --runs (reused when complete).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import time
from pathlib import Path
from typing import Any

import torch
import yaml

import vaekit
from benchmarks.common import save_figure
from benchmarks.provenance import provenance
from vaekit.errors import TrainingError
from vaekit.eval.data import prepare
from vaekit.eval.iw import iw_log_likelihood
from vaekit.store.atomic import write_json
from vaekit.store.checkpoint import DIR as CHECKPOINTS
from vaekit.store.checkpoint import LATEST
from vaekit.store.metrics import read_metrics
from vaekit.store.model_files import save_weights
from vaekit.training.trainer import train

ROOT = Path(__file__).resolve().parents[1]
DATA = {"name": "fashion-mnist", "binarize": "dynamic"}
VAE = {"arch": "mlp", "hidden": [400], "latent_dim": 20, "likelihood": "bernoulli"}
PIXELCNN = {"likelihood": "pixelcnn",
            "likelihood_args": {"layers": 1, "channels": 8, "conditioning": 2}}
# Exemplar VAE paper, Fashion-MNIST test NLL (5000 importance samples), nats.
PUBLISHED = {"VAE, Gaussian prior": 228.70, "2-layer HVAE": 227.37, "conv HVAE": 225.38,
             "conv HVAE + VampPrior": 224.67, "PixelSNAIL decoder": 223.26}


def contenders(minutes: float) -> dict[str, dict[str, Any]]:
    """name -> config. The VAE and ladder as they ship; each component alone on the VAE."""
    hvae = yaml.safe_load((ROOT / "configs/hvae.yaml").read_text())
    conv = yaml.safe_load((ROOT / "configs/conv_hvae.yaml").read_text())
    best_file = ROOT / ("configs/best_5min.yaml" if minutes <= 5 else "configs/best_30min.yaml")
    recipe = {"lr_schedule": "cosine", "warmup_steps": 200, "ema": 0.999}
    return {
        "vae": {"model": dict(VAE)},
        "hvae": {"model": hvae["model"], "objective": hvae["objective"]},
        "conv hvae": {"model": conv["model"], "objective": conv["objective"],
                      "train": {"precision": conv["train"]["precision"]}},
        "vae + pixelcnn": {"model": {**VAE, **PIXELCNN}},
        "vae + vamp": {"model": {**VAE, "prior": "vamp"}},
        "vae + recipe": {"model": dict(VAE), "train": recipe},
        "best": yaml.safe_load(best_file.read_text()),
    }


def config(base: dict[str, Any], minutes: float, seed: int) -> dict[str, Any]:
    cfg = copy.deepcopy(base)
    cfg["data"] = {**DATA, **cfg.get("data", {})}
    cfg["train"] = {"batch_size": 128, "lr": 1e-3, **cfg.get("train", {}), "seed": seed,
                    "max_minutes": minutes}
    cfg["train"].pop("epochs", None)  # the budget alone ends the run
    return cfg


class Snapshots:
    """Writes the weights (as evaluation would use them) to ``run/snapshots/`` every ``every``
    minutes of training: the epoch seconds of the metrics, so time spent evaluating is not
    counted. ``kept.json`` lists them as they are written (with their epoch), so a resumed
    training goes on from the metrics and snapshots of the epochs its checkpoint holds;
    ``index.json``, written last, lists them by minutes trained and marks the run complete."""

    def __init__(self, run: Path, every: float) -> None:
        self.run, self.dir, self.every = run, run / "snapshots", every * 60
        self.trained, self.next = 0.0, self.every
        self.kept: list[dict[str, Any]] = []
        self.resumed = False

    def on_train_start(self, resume: bool) -> None:
        self.resumed = resume

    def _catch_up(self, before: float) -> None:
        """After a resume: the minutes and snapshots of the epochs before ``before`` (the ones
        the checkpoint holds; a snapshot of a replayed epoch is written again)."""
        self.resumed = False
        rows = read_metrics(self.run / "metrics.csv")
        self.trained = sum(float(r["seconds"]) for r in rows if int(r["epoch"]) < before)
        listed = self.dir / "kept.json"
        kept = json.loads(listed.read_text()) if listed.exists() else []
        self.kept = [k for k in kept if k["epoch"] < before]
        self.next = self.every * (len(self.kept) + 1)

    def keep(self, model: torch.nn.Module, epoch: int) -> None:
        name = f"{len(self.kept):02d}.safetensors"
        save_weights(model, self.dir / name)
        self.kept.append({"minutes": self.trained / 60, "file": name, "epoch": epoch})
        write_json(self.dir / "kept.json", self.kept)

    def on_epoch_end(self, epoch: int, row: dict[str, Any], model: torch.nn.Module) -> None:
        if self.resumed:
            self._catch_up(epoch)
        self.trained += float(row["seconds"])
        if self.trained >= self.next:
            self.keep(model, epoch)
            self.next += self.every

    def on_train_end(self, run: Any) -> None:
        if self.resumed:  # resumed with its budget already spent: no epoch ran
            self._catch_up(math.inf)
        last = int(run.metrics[-1]["epoch"]) if run.metrics else 0
        if not self.kept or self.kept[-1]["epoch"] < last:  # the final model, once
            self.keep(run.model, last)
        write_json(self.dir / "index.json", self.kept)


def test_images(run: Path, n: int) -> torch.Tensor:
    """The first n test images as every contender's evaluation sees them (one fixed binarization)."""
    return prepare(vaekit.load(run), None, "test").x[:n]


def subset_nll(model: torch.nn.Module, x: torch.Tensor, k: int, batch: int = 100) -> torch.Tensor:
    """-IW_k per example of x (on the model's device), seed 0 (the same for every contender)."""
    model.eval()
    g = torch.Generator(x.device).manual_seed(0)
    return torch.cat([-iw_log_likelihood(model, x[i : i + batch], None, k, generator=g)
                      for i in range(0, len(x), batch)]).double()


def folder(runs: Path, name: str) -> Path:
    """The run folder of contender ``name`` ("vae + pixelcnn" -> runs/vae+pixelcnn)."""
    return runs / name.replace(" + ", "+").replace(" ", "_")


def trained(run: Path, cfg: dict[str, Any], args: argparse.Namespace) -> None:
    """Train the contender into ``run`` with its snapshots, unless a complete run is there; a
    run whose training was interrupted goes on from its last checkpoint (its budget counts
    the minutes already trained)."""
    if (run / "snapshots" / "index.json").exists() or (run / "frontier-curve.json").exists():
        return
    resume = (run / CHECKPOINTS / LATEST).exists()  # else a new run (or one never started)
    print(f"== {'resuming' if resume else 'training'} {run.name} for {args.minutes} minutes",
          flush=True)
    train(vaekit.load_config(cfg), run, resume=resume, callbacks=[Snapshots(run, args.every)])


def curve(run: Path, args: argparse.Namespace) -> list[dict[str, float]]:
    """IW NLL on the curve subset at each snapshot (scored once, then read back). The last
    snapshot is the final model: its per-example values are kept for the paired differences."""
    from safetensors.torch import load_file

    if not (run / "frontier-curve.json").exists():
        model = vaekit.load(run, args.device)
        x = test_images(run, args.curve_n).to(args.device)
        points = []
        for snap in json.loads((run / "snapshots" / "index.json").read_text()):
            model.load_state_dict(load_file(run / "snapshots" / snap["file"], device=args.device))
            nll = subset_nll(model, x, args.curve_k)
            points.append({"minutes": snap["minutes"], "nll": float(nll.mean())})
        write_json(run / "frontier-subset.json", nll.tolist())
        write_json(run / "frontier-curve.json", points)
    return json.loads((run / "frontier-curve.json").read_text())


def per_example(run: Path, args: argparse.Namespace) -> torch.Tensor:
    """-IW per example of the final model on the curve subset (scored once, then read back)."""
    if not (run / "frontier-subset.json").exists():
        x = test_images(run, args.curve_n).to(args.device)
        nll = subset_nll(vaekit.load(run, args.device), x, args.curve_k)
        write_json(run / "frontier-subset.json", nll.tolist())
    return torch.tensor(json.loads((run / "frontier-subset.json").read_text()), dtype=torch.float64)


def run_one(name: str, cfg: dict[str, Any], runs: Path, args: argparse.Namespace) -> dict:
    """The row of one contender; one whose training fails is a row saying why (``failed``), so
    the contenders after it still run (its folder stays for a look: remove it to train it
    from the start)."""
    run = folder(runs, name)
    try:
        trained(run, cfg, args)
    except TrainingError as exc:
        print(f"== {name} failed: {exc} (remove {run} to train it from the start)", flush=True)
        return {"name": name, "failed": str(exc)}
    if args.train_only:
        return {"name": name}
    t0 = time.perf_counter()
    points = curve(run, args)
    k = args.k_best if name == "best" else args.k
    done = run / "frontier-eval.json"
    if done.exists() and json.loads(done.read_text())["k"] == k:
        return {**json.loads(done.read_text()), "name": name, "curve": points}
    model = vaekit.load(run, args.device)
    res = vaekit.evaluate(model, k=k)
    row = {"name": name, "neg_elbo": -res.elbo, "nll": res.nll, "nll_se": res.nll_se, "k": k,
           "bits_per_dim": res.bits_per_dim, "kl": res.kl, "layers": res.layers,
           "active": res.active_units, "latent_dim": res.latent_dim,
           "params": sum(p.numel() for p in model.parameters()),
           "epochs": len(read_metrics(run / "metrics.csv")),
           "wall_s": time.perf_counter() - t0}
    write_json(done, row)
    return {**row, "curve": points}


def plot(rows: list[dict], path: Path, minutes: float, curve_n: int, curve_k: int) -> None:
    """IW NLL on the curve subset against minutes of training, every contender (and the rows of
    earlier results given with --compare), with the published numbers as reference lines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for row in rows:
        pts = row["curve"]
        ax.plot([p["minutes"] for p in pts], [p["nll"] for p in pts], marker="o", label=row["name"])
    for i, (name, value) in enumerate(PUBLISHED.items()):
        ax.axhline(value, color="grey", lw=0.8, ls=":")
        ax.text(minutes * (0.62 if i % 2 else 0.02), value + 0.15, f"{name} {value}",
                fontsize=7, color="grey")
    ax.set_xlim(0, minutes * 1.02)
    ax.set_xlabel("minutes of training (2 CPU cores)")
    ax.set_ylabel(f"IW NLL, nats (k={curve_k}, first {curve_n} test images)")
    ax.set_title("Fashion-MNIST, dynamically binarized: NLL against training time")
    ax.legend(fontsize=8)
    lows = [p["nll"] for r in rows for p in r["curve"]]
    if lows:
        ax.set_ylim(min(min(lows), min(PUBLISHED.values())) - 1, min(max(lows) + 0.5, 260))
    save_figure(fig, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0, help="training budget per contender")
    ap.add_argument("--every", type=float, default=5.0, help="minutes between curve points")
    ap.add_argument("--k", type=int, default=1000, help="importance samples, final evaluation")
    ap.add_argument("--k-best", type=int, default=5000, help="importance samples for the best")
    ap.add_argument("--curve-n", type=int, default=2000)
    ap.add_argument("--curve-k", type=int, default=100)
    ap.add_argument("--only", nargs="*", help="contenders to run (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=Path, default=ROOT / "runs" / "frontier")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu",
                    help="where the final models are evaluated (cuda: the k=5000 protocol in "
                    "minutes); training and the curves stay on the CPU whose minutes are counted")
    ap.add_argument("--train-only", action="store_true",
                    help="train the contenders and score their curves, then stop: evaluate "
                    "them later (on another machine, with --device) from the same --runs")
    ap.add_argument("--compare", nargs="*", default=[], metavar="LABEL=JSON",
                    help="earlier results to draw beside these on the picture, named LABEL (a "
                    "file of one row) or LABEL and the row's name")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    runs = args.runs / f"{args.minutes:g}min"
    chosen = {n: c for n, c in contenders(args.minutes).items() if not args.only or n in args.only}
    results = [run_one(name, config(cfg, args.minutes, args.seed), runs, args)
               for name, cfg in chosen.items()]
    if args.train_only:
        return
    rows = [r for r in results if "failed" not in r]
    if any(r["name"] == "vae" for r in rows):  # what each component bought: paired differences
        base = per_example(folder(runs, "vae"), args)  # on the curve subset
        for row in rows:
            d = per_example(folder(runs, row["name"]), args) - base
            row["vs_vae"] = (float(d.mean()), float(d.std() / len(d) ** 0.5))
    out = ROOT / "benchmarks" / "results" / f"frontier-{args.minutes:g}min.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"provenance": provenance(), "rows": results}, indent=1))
    earlier = []
    for spec in args.compare:
        label, _, file = spec.partition("=")
        old = json.loads(Path(file).read_text())["rows"]
        earlier += [{**r, "name": label if len(old) == 1 else f"{label} {r['name']}"}
                    for r in old if "failed" not in r]
    plot(rows + earlier, ROOT / "docs" / f"frontier-{args.minutes:g}min.png", args.minutes,
         args.curve_n, args.curve_k)
    print(f"{'contender':16s} {'-ELBO':>8s} {'IW NLL':>14s} {'k':>5s} {'bits/dim':>8s} "
          f"{'KL':>6s} {'active':>7s} {'params':>9s} {'epochs':>6s} {'vs vae':>14s}")
    for r in rows:
        vs = r.get("vs_vae")
        print(f"{r['name']:16s} {r['neg_elbo']:8.2f} {r['nll']:8.2f} ± {r['nll_se']:.2f} "
              f"{r['k']:5d} {r['bits_per_dim'] or float('nan'):8.4f} {r['kl']:6.2f} "
              f"{str(r['active']) + '/' + str(r['latent_dim']):>7s} {r['params']:9d} "
              f"{r['epochs']:6d} " + (f"{vs[0]:+7.2f} ± {vs[1]:.2f}" if vs else ""))
    for r in results:
        if "failed" in r:
            print(f"{r['name']:16s} failed: {r['failed']}")


if __name__ == "__main__":
    main()
