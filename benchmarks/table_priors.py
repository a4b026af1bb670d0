"""Where a table run's generated z come from, measured on the suite's development tables.

One vaekit run per table with its defaults (as ``python -m benchmarks.tables`` trains it), then
three p(z) for the same decoder:

- ``fitted``: the run's prior, a mixture fitted after training to draws of q(z|x) on the
  training split (the default);
- ``means``: a mixture with as many components fitted to the posterior means instead
  (``--sampler gmm``, the ex-post density of Ghosh et al. 2020);
- ``trained``: N(0, I), the prior the model trained under.

For each: the suite's scores of as many generated rows as the run trained on (shape and trend
error, beta-recall, detection, ML efficacy), and the held-out NLL (IW bound, k=100, nats per
row in the columns' units, on the run's own test rows) under that p(z).

    python -m benchmarks.table_priors --budget 30 --max-rows 5000 --threads 1

Writes ``benchmarks/results/table_priors.json`` with its provenance.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import table_data
from benchmarks.table_models import vaekit_defaults
from benchmarks.tables import score_rows

OUT = Path("benchmarks/results/table_priors.json")
SCORES = ("shape_error", "trend_error", "beta_recall", "detection_auc", "efficacy")


def _variants(run: Path) -> dict[str, Any]:
    """The run's model with each p(z) in turn (the same decoder and encoder)."""
    import torch

    from vaekit.artifacts.run_context import RunContext
    from vaekit.store.model_files import load_model

    ctx = RunContext.open(run)
    means = ctx.sampler("gmm", ctx.model.prior.components)
    trained = load_model(run)  # without the prior fitted after training

    class Means(torch.nn.Module):  # the mixture of the means as a prior, for its NLL
        standard_normal, description = False, means.description

        def log_prob(self, z: Any) -> Any:
            flat = z.reshape(-1, z.shape[-1])
            return means.log_prob(flat).to(z.dtype).reshape(z.shape[:-1])

        def gaussian(self) -> None:
            return None

        def sample(self, n: int, device: Any = "cpu", temperature: float = 1.0,
                   generator: Any = None) -> Any:
            return means.sample(n, generator, temperature).to(device)

    with_means = load_model(run)
    with_means.prior = Means()
    return {"fitted": ctx.model, "means": with_means, "trained": trained}


def _rows(model: Any, codec: Any, n: int, seed: int) -> Any:
    """n rows of ``model``: z from its prior, each row a draw of p(x|z), in the table's units."""
    from vaekit.registry import get
    from vaekit.samplers.base import draw_images

    return codec.decode(draw_images(model, get("sampler", "prior")(model), n, None, seed,
                                    stochastic=True).cpu())


def run_table(table: table_data.Table, budget: float, max_rows: int, seed: int,
              work: Path) -> dict[str, Any]:
    from vaekit.artifacts.run_context import RunContext
    from vaekit.eval.evaluate import evaluate_data

    train, holdout = table_data.split(table_data.load(table), max_rows, seed)
    vaekit_defaults(train, len(train), budget, None, seed, work)
    ctx = RunContext.open(work / "vaekit")
    data = ctx.eval_data("test")
    out: dict[str, Any] = {"train_rows": len(train), "components": ctx.model.prior.components}
    for name, model in _variants(work / "vaekit").items():
        scores = score_rows(_rows(model, ctx.codec, len(train), seed), train, holdout, table, seed)
        nll = evaluate_data(model, data, k=100, seed=seed).nll  # in the columns' units
        out[name] = {"nll": round(float(nll), 3), **{k: scores[k] for k in SCORES}}
        print(table.name, name, json.dumps(out[name]), flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--budget", type=float, default=30.0, help="CPU seconds of training")
    p.add_argument("--max-rows", type=int, default=5000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    import torch
    from threadpoolctl import threadpool_limits

    from benchmarks.provenance import provenance

    torch.set_num_threads(args.threads)
    source = provenance()
    results = {}
    with threadpool_limits(args.threads), tempfile.TemporaryDirectory() as tmp:
        for table in table_data.SUITE:
            if table.role == "dev":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    results[table.name] = run_table(table, args.budget, args.max_rows,
                                                    args.seed, Path(tmp) / table.name)
    means = {v: {k: float(np.mean([r[v][k] for r in results.values()]))
                 for k in ("nll", *SCORES)} for v in ("fitted", "means", "trained")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    settings = {"budget": args.budget, "max_rows": args.max_rows, "threads": args.threads,
                "seed": args.seed, "nll_k": 100}
    args.out.write_text(json.dumps({"provenance": source, "settings": settings,
                                    "tables": results, "means": means}, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
