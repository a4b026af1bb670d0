"""The table suite: vaekit's defaults beside TVAE, CTGAN and a Gaussian copula on twelve real
tables, scored by the TabSyn/TabDiff protocol.

Each table of ``table_data.SUITE`` (four development tables that choose defaults, eight report
tables never tuned on) is split, seeded, into training rows and as many holdout rows (at most
``--max-rows`` each). Every model trains on the training rows in this one process with the same
threads and CPU budget (``table_models``), then generates as many rows as it trained on. Scored
against the training rows: column-shape and pair-trend error (%), alpha-precision and
beta-recall, detection (a logistic regression telling real from synthetic: AUC and SDMetrics'
score),
DCR share against the holdout (0.5 ideal), missing-cell rates; against the holdout: ML efficacy
(gradient boosting trained on synthetic rows, ROC AUC or R^2 on the holdout, beside the same
model trained on the real rows). vaekit alone gives a held-out NLL of the rows in their own
units.

Two more scores use the trained models. Imputation (``table_impute``, the table's
``imputation`` entry): a seeded 20% of the holdout's present cells hidden and filled by each model
that fills gaps (vaekit, ``vaekit impute --method mean``), by the training mean/mode and by
scikit-learn's IterativeImputer, scored by NRMSE (numbers) and accuracy (categories).
Conditional rows (``table_conditional``, each model's ``given_*`` scores): rows drawn under each
condition on the target (its top classes, or above/below its median), scored against the holdout
rows that meet it by shape and trend error, beside the share of drawn rows that meet it.

    python -m benchmarks.tables --tables dev --budget 60 --max-rows 5000 --threads 1

Writes ``<out>/<table>.json`` per table and ``<out>/summary.json`` (the means over every table
file in ``<out>`` by role and model), each with its provenance. Needs the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import warnings
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import table_conditional, table_data, table_impute, table_metrics, table_scores
from benchmarks.table_models import MODELS, SUITE_MODELS

OUT = Path("benchmarks/results/tables")
# What the summary averages, with the direction that is better.
SCORES = {"shape_error": "lower", "trend_error": "lower", "alpha_precision": "higher",
          "beta_recall": "higher", "detection_auc": "nearer 0.5", "detection_score": "higher",
          "efficacy": "higher", "efficacy_gap": "lower", "dcr_share": "nearer 0.5",
          "missing_gap": "lower", "train_cpu_s": "lower", "given_shape_error": "lower",
          "given_trend_error": "lower", "given_met": "higher"}
# What the summary averages of the imputation entry, per method, with the better direction.
IMPUTE_SCORES = {"nrmse": "lower", "accuracy": "higher"}


def score_rows(fake: Any, train: Any, holdout: Any, table: table_data.Table,
               seed: int = 0) -> dict[str, Any]:
    """Every score of the protocol for synthetic rows ``fake`` of a table (DataFrames with the
    training rows' columns, ``table_data.conform``-ed)."""
    fake = table_data.conform(fake, train)
    real_x, fake_x = table_scores.encode(train, train), table_scores.encode(fake, train)
    alpha, beta = table_scores.alpha_precision_beta_recall(real_x, fake_x)
    det = table_scores.detection(real_x, fake_x, seed)
    minmax = [table_scores.encode(d, train, "minmax") for d in (train, holdout, fake)]
    miss_real, miss_fake = table_metrics.missing_rates(train), table_metrics.missing_rates(fake)
    return {"shape_error": table_metrics.shape_error(train, fake),
            "trend_error": table_metrics.trend_error(train, fake),
            "alpha_precision": alpha, "beta_recall": beta,
            "detection_auc": det["auc"], "detection_score": det["score"],
            "efficacy": table_scores.efficacy(fake, train, holdout, table.target, table.task, seed),
            "dcr_share": table_scores.dcr_share(*minmax),
            "missing_gap": float(np.mean([abs(miss_fake[c] - miss_real[c]) for c in train])),
            "missing": {c: round(v, 4) for c, v in miss_fake.items()}}


def run_table(table: table_data.Table, models: list[str], settings: dict[str, Any],
              work: Path) -> dict[str, Any]:
    """Train, sample and score every model on one table; a model that fails is recorded so."""
    train, holdout = table_data.split(table_data.load(table), settings["max_rows"],
                                      settings["seed"])
    real_efficacy = table_scores.efficacy(train, train, holdout, table.target, table.task,
                                          settings["seed"])
    out: dict[str, Any] = {
        "table": {**asdict(table), "train_rows": len(train),
                  "holdout_rows": len(holdout), "used_columns": list(train.columns)},
        "real": {"efficacy": real_efficacy, "missing": table_metrics.missing_rates(train)},
        "models": {}}
    fills = {}
    for name in models:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fitted = MODELS[name](train, len(train), settings["budget"], settings["epochs"],
                                      settings["seed"], work / name)
                scores = score_rows(fitted.rows, train, holdout, table, settings["seed"])
        except Exception as e:  # one model failing leaves the others' numbers standing
            out["models"][name] = {"failed": f"{type(e).__name__}: {e}"}
        else:
            scores["efficacy_gap"] = real_efficacy - scores["efficacy"]
            out["models"][name] = {**fitted.info, **scores, **given_scores(fitted, train,
                                                                          holdout, table,
                                                                          settings["seed"])}
            if fitted.impute is not None:
                fills[name] = fitted.impute
        print(f"{table.name} {name}: {json.dumps(out['models'][name], default=str)[:400]}",
              flush=True)
    fills["mean_mode"] = partial(table_impute.mean_mode, train)
    fills["iterative"] = partial(table_impute.iterative, train, seed=settings["seed"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["imputation"] = table_impute.evaluate(train, holdout, fills, settings["seed"])
    print(f"{table.name} imputation: {json.dumps(out['imputation']['methods'])[:400]}",
          flush=True)
    return out


def given_scores(fitted: Any, train: Any, holdout: Any, table: table_data.Table,
                 seed: int) -> dict[str, Any]:
    """The conditional-sampling scores of a trained model, ``given_``-prefixed means and the
    per-condition detail under ``given``; ``given_failed`` when its sampler failed."""
    try:
        done = table_conditional.evaluate(fitted.given, train, holdout, table.target, seed)
    except Exception as e:  # the unconditional scores stand without it
        return {"given_failed": f"{type(e).__name__}: {e}"}
    return {"given_shape_error": done["shape_error"], "given_trend_error": done["trend_error"],
            "given_met": done["met"], "given": done["conditions"]}


def _role_means(entries: dict[str, list[dict[str, Any]]], label: str,
                keys: Any) -> list[dict[str, Any]]:
    """For each role, the means of ``keys`` of each name (a model or a method) over that role's
    tables (``entries[role]``: one dict of name -> scores per table); tables where the name
    failed, or that lack it, left out."""
    rows = []
    for role, of_role in entries.items():
        for name in dict.fromkeys(n for e in of_role for n in e):
            done = [e[name] for e in of_role if "failed" not in e.get(name, {"failed": 1})]
            if not done:
                continue
            row: dict[str, Any] = {"role": role, label: name, "tables": len(done)}
            for key in keys:
                values = [d[key] for d in done if d.get(key) is not None]
                row[key] = float(np.mean(values)) if values else None
            rows.append(row)
    return rows


def summary(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Means over the tables of each role and model (tables where it failed left out)."""
    return _role_means({role: [r["models"] for r in results if r["table"]["role"] == role]
                        for role in ("dev", "report")}, "model", SCORES)


def imputation_summary(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Means of the imputation scores over the tables of each role and method (tables without
    an imputation entry, or where the method failed, left out)."""
    return _role_means({role: [r["imputation"]["methods"] for r in results
                               if r["table"]["role"] == role and "imputation" in r]
                        for role in ("dev", "report")}, "method", IMPUTE_SCORES)


def _write(path: Path, data: Any) -> None:
    """``data`` as JSON at ``path``, written whole (a temporary file renamed over it)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


def write_summary(out: Path, source: dict[str, Any]) -> None:
    """``out/summary.json``: the means over every table file in ``out``, with each file's
    settings (budget, epochs, rows, threads, seed); ``source``: the provenance of this run."""
    results = [json.loads(f.read_text()) for f in sorted(out.glob("*.json"))
               if f.name != "summary.json"]
    settings = [{"table": r["table"]["name"], **r["settings"]} for r in results]
    _write(out / "summary.json", {"provenance": source, "settings": settings,
                                  "better": SCORES, "summary": summary(results),
                                  "imputation_better": IMPUTE_SCORES,
                                  "imputation": imputation_summary(results)})


def _names(given: list[str]) -> list[table_data.Table]:
    """The suite's tables that ``given`` names: dev, report, all, or a table's name, in order."""
    groups = {"dev": ["dev"], "report": ["report"], "all": ["dev", "report"]}
    by_name = {t.name: t for t in table_data.SUITE}
    unknown = [n for n in given if n not in by_name and n not in groups]
    if unknown:
        raise ValueError(f"unknown tables {', '.join(unknown)} (known: dev, report, all, "
                         f"{', '.join(by_name)})")
    picked = [t for n in given for t in table_data.SUITE
              if t.name == n or t.role in groups.get(n, [])]
    return list(dict.fromkeys(picked))


def _positive(kind: type) -> Any:
    """An argparse type: a number of ``kind`` above 0."""
    def parse(text: str) -> Any:
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text} is not above 0")
        return value
    parse.__name__ = f"positive {kind.__name__}"  # what argparse names in its error line
    return parse


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tables", nargs="+", default=["dev"], help="dev, report, all or names")
    p.add_argument("--models", nargs="+", default=SUITE_MODELS, choices=list(MODELS))
    p.add_argument("--budget", type=_positive(float), default=None,
                   help="CPU seconds of training per model; each model's own epochs bound it")
    p.add_argument("--epochs", type=_positive(int), default=None,
                   help="epochs for every model with a training loop (default: each model's own)")
    p.add_argument("--max-rows", type=_positive(int), default=5000,
                   help="training rows per table at most (as many holdout rows)")
    p.add_argument("--threads", type=_positive(int), default=1, help="torch and BLAS/OpenMP threads")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=OUT)
    return p


def main(argv: list[str] | None = None) -> None:
    p = _parser()
    args = p.parse_args(argv)
    try:
        tables = _names(args.tables)
    except ValueError as e:
        p.error(str(e))
    import torch
    from threadpoolctl import threadpool_limits

    from benchmarks.provenance import provenance

    torch.set_num_threads(args.threads)
    settings = {"budget": args.budget, "epochs": args.epochs, "max_rows": args.max_rows,
                "threads": args.threads, "seed": args.seed}
    args.out.mkdir(parents=True, exist_ok=True)
    source = provenance()  # the commit checked out when the code was loaded, for every table
    with threadpool_limits(args.threads), tempfile.TemporaryDirectory() as tmp:
        for table in tables:
            result = {"provenance": source, "settings": settings,
                      **run_table(table, args.models, settings, Path(tmp) / table.name)}
            _write(args.out / f"{table.name}.json", result)
            write_summary(args.out, source)
    print(f"wrote {args.out}/summary.json")


if __name__ == "__main__":
    main()
