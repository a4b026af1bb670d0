"""What a VAE's score is worth as an anomaly detector: Fashion-MNIST, one class held out.

For each class c in turn, a VAE trains on the training images of the nine other classes; then
``vaekit.score`` scores the official test split (its 9,000 images of those nine classes are
normal, its 1,000 images of class c are the anomalies) and the AUROC of each score separates
them: the IW NLL (k importance samples), the negative ELBO, and the reconstruction error.

    python -m benchmarks.anomaly --epochs 5 --k 100 --threads 1

Results: benchmarks/results/anomaly/anomaly.json, with provenance. Model: the reference MLP VAE
(784-400-20, Bernoulli likelihood, dynamically binarized), 5 epochs, seed 0, the same for every
class.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

import vaekit
from benchmarks.provenance import ROOT, write_results
from vaekit.config.schema import DataConfig
from vaekit.data import load_data

SCORES = ("nll", "neg_elbo", "recon_error")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--classes", type=int, nargs="*", default=list(range(10)))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=Path, default=Path("runs/bench-anomaly"))
    ap.add_argument("--out", type=Path,
                    default=ROOT / "benchmarks" / "results" / "anomaly" / "anomaly.json",
                    help="results JSON (with its provenance)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    ds = load_data(DataConfig(name="fashion-mnist"))
    x_tr, y_tr = ds.train.numpy()[:, 0], ds.train_labels.numpy()
    x_te, y_te = ds.test.numpy()[:, 0], ds.test_labels.numpy()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        test_file = Path(tmp) / "test.npz"
        np.savez(test_file, x=x_te, y=y_te)
        for c in args.classes:
            normal = y_tr != c
            train_file = Path(tmp) / f"without-{c}.npz"
            np.savez(train_file, train=x_tr[normal], test=x_te[y_te != c],
                     train_labels=y_tr[normal], test_labels=y_te[y_te != c])
            out = args.runs / f"without-{c}"
            t0 = time.perf_counter()
            vaekit.train({"data": {"name": "arrays", "path": str(train_file),
                                   "binarize": "dynamic"},
                          "model": {"arch": "mlp", "hidden": [400], "latent_dim": 20,
                                    "likelihood": "bernoulli"},
                          "train": {"epochs": args.epochs, "batch_size": 128, "lr": 1e-3,
                                    "seed": 0}}, out=out)
            trained = time.perf_counter() - t0
            scores = vaekit.score(out, data=str(test_file), k=args.k)
            anomaly = (scores["label"] == c).to_numpy()
            auc = {s: roc_auc_score(anomaly, scores[s].to_numpy()) for s in SCORES}
            rows.append((c, ds.classes[c], auc, trained, time.perf_counter() - t0 - trained))
            print(f"class {c} ({ds.classes[c]}): " + "  ".join(f"{s} {a:.3f}" for s, a in auc.items())
                  + f"  (train {trained:.0f}s, score {rows[-1][4]:.0f}s)", flush=True)

    print(f"\n| held-out class | AUROC IW NLL (k={args.k}) | AUROC -ELBO | AUROC recon. error |")
    print("|---|---|---|---|")
    for c, name, auc, _, _ in rows:
        print(f"| {c} {name} | {auc['nll']:.3f} | {auc['neg_elbo']:.3f} | {auc['recon_error']:.3f} |")
    mean = {s: float(np.mean([r[2][s] for r in rows])) for s in SCORES}
    print(f"| mean | {mean['nll']:.3f} | {mean['neg_elbo']:.3f} | {mean['recon_error']:.3f} |")
    write_results(args.out, {
        "epochs": args.epochs, "k": args.k,
        "rows": [{"class": c, "name": name, "auroc": auc, "train_s": tr, "score_s": sc}
                 for c, name, auc, tr, sc in rows],
        "mean": mean})


if __name__ == "__main__":
    main()
