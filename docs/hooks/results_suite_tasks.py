"""The table suite's two scores beyond synthetic rows (``python -m benchmarks.tables``): the
imputation error on the holdout rows (``benchmarks/table_impute.py``) and the fidelity of rows
drawn under a condition on the target (``benchmarks/table_conditional.py``). Results files
written before the suite measured them lack the fields: the page then says so."""

from __future__ import annotations

import json
from typing import Any

from results_io import RESULTS, load, recorded, source_line, table

SUMMARY = "tables/summary.json"
COMMAND = "python -m benchmarks.tables --tables NAMES --budget B --max-rows R --threads T"
ROLES = {"dev": "development", "report": "report"}
GIVEN = [("given_shape_error", "shape err. %", "{:.1f}"),
         ("given_trend_error", "trend err. %", "{:.1f}"), ("given_met", "rows meeting it", "{:.2f}")]


def _fmt(value: float | None, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def _tables() -> list[dict[str, Any]]:
    """Each table's results file, development tables first."""
    files = sorted((RESULTS / "tables").glob("*.json"))
    results = [json.loads(f.read_text()) for f in files if f.name != "summary.json"]
    return sorted(results, key=lambda r: list(ROLES).index(r["table"]["role"]))


def _not_measured(what: str, data: dict[str, Any]) -> str:
    return (f"Not measured yet: the results files were written before the suite scored {what}; "
            "the next run of the suite writes them.\n\n"
            + source_line(SUMMARY, recorded(data), COMMAND) + "\n")


def imputation() -> str:
    """Mean NRMSE (numbers) and accuracy (categories) of each method, by role, then each
    table's."""
    data = load(SUMMARY)
    means = data.get("imputation") or []
    each = [r for r in _tables() if "imputation" in r]
    if not means or not each:
        return _not_measured("imputation", data)
    rows = [[ROLES[r["role"]], r["method"], str(r["tables"]), _fmt(r["nrmse"], "{:.3f}"),
             _fmt(r["accuracy"], "{:.3f}")] for r in means]
    out = table(["tables", "method", "n", "NRMSE (numbers)", "accuracy (categories)"], rows)
    per = []
    for r in each:
        for method, m in r["imputation"]["methods"].items():
            cells = (["failed", ""] if "failed" in m else
                     [_fmt(m["nrmse"], "{:.3f}"), _fmt(m["accuracy"], "{:.3f}")])
            per.append([r["table"]["name"], method, str(r["imputation"]["hidden"]), *cells])
    out += "\n\nEach table:\n\n" + table(["table", "method", "cells hidden", "NRMSE",
                                          "accuracy"], per)
    return (out + "\n\n" + source_line(SUMMARY, recorded(data), COMMAND)
            + " Each table's numbers: its file under `benchmarks/results/tables/`.\n")


def conditional() -> str:
    """Mean shape and trend error of the rows drawn under each condition on the target, and the
    share of them that meet it, by role and model, then each table's."""
    data = load(SUMMARY)
    means = [r for r in data["summary"] if r.get("given_met") is not None]
    each = [r for r in _tables() if any("given_met" in m for m in r["models"].values())]
    if not means or not each:
        return _not_measured("rows drawn under a condition", data)
    head = [h for _, h, _ in GIVEN]
    rows = [[ROLES[r["role"]], r["model"], str(r["tables"]),
             *(_fmt(r[k], f) for k, _, f in GIVEN)] for r in means]
    out = table(["tables", "model", "n", *head], rows)
    per = []
    for r in each:
        for name, m in r["models"].items():
            if "given_met" in m:
                drawn = " / ".join(f"{c['drawn']:,}" for c in m["given"].values())
                per.append([r["table"]["name"], name, ", ".join(f"`{c}`" for c in m["given"]),
                            *(_fmt(m[k], f) for k, _, f in GIVEN), drawn])
            elif "given_failed" in m or "failed" in m:
                per.append([r["table"]["name"], name, "failed", "", "", "", ""])
    header = ["table", "model", "conditions", *head, "rows drawn, each condition"]
    out += "\n\nEach table:\n\n" + table(header, per)
    return (out + "\n\n" + source_line(SUMMARY, recorded(data), COMMAND)
            + " Each table's numbers: its file under `benchmarks/results/tables/`.\n")


PRIORS = "table_priors.json"
PRIOR_NAMES = {"fitted": "mixture of q's draws (default)", "means": "mixture of the means",
               "trained": "N(0, I) (trained under)"}
PRIOR_SCORES = [("nll", "NLL", "{:.2f}"), ("shape_error", "shape err. %", "{:.2f}"),
                ("trend_error", "trend err. %", "{:.2f}"), ("beta_recall", "beta-recall", "{:.3f}"),
                ("detection_auc", "C2ST AUC", "{:.3f}"), ("efficacy", "ML efficacy", "{:.3f}")]


def table_priors() -> str:
    """The means over the development tables of each p(z), then each table's NLL."""
    data = load(PRIORS)
    rows = [[PRIOR_NAMES[v]] + [fmt.format(data["means"][v][k]) for k, _, fmt in PRIOR_SCORES]
            for v in PRIOR_NAMES]
    each = [[name] + [f"{data['tables'][name][v]['nll']:.2f}" for v in PRIOR_NAMES]
            for name in data["tables"]]
    command = "python -m benchmarks.table_priors --budget B --max-rows R --threads T"
    return (table(["p(z)"] + [h for _, h, _ in PRIOR_SCORES], rows) + "\n\n"
            + table(["table (NLL)", *PRIOR_NAMES.values()], each) + "\n\n"
            + source_line(PRIORS, recorded(data), command) + "\n")


ADAPTIVE = "tables_adaptive"
VARIANT_SCORES = [("shape_error", "shape err. %", "{:.2f}"), ("trend_error", "trend err. %", "{:.2f}"),
                  ("beta_recall", "beta-recall", "{:.3f}"), ("detection_auc", "C2ST AUC", "{:.3f}"),
                  ("efficacy_gap", "efficacy lost", "{:+.3f}")]


def table_adaptive() -> str:
    """The defaults against the adaptive KL weight: means over the development tables, then
    each table's held-out NLL."""
    data = load(f"{ADAPTIVE}/summary.json")
    files = [json.loads(f.read_text()) for f in sorted((RESULTS / ADAPTIVE).glob("*.json"))
             if f.name != "summary.json"]
    models = [row["model"] for row in data["summary"]]
    rows = [[row["model"], str(row["tables"])]
            + [_fmt(row.get(k), fmt) for k, _, fmt in VARIANT_SCORES] for row in data["summary"]]
    nll = [[r["table"]["name"]] + [_fmt(r["models"][m].get("nll"), "{:.2f}") for m in models]
           for r in files]
    command = ("python -m benchmarks.tables --tables dev --models vaekit vaekit_adaptive "
               f"--out benchmarks/results/{ADAPTIVE}")
    return (table(["model", "tables"] + [h for _, h, _ in VARIANT_SCORES], rows) + "\n\n"
            + table(["table (NLL, nats per row)", *models], nll) + "\n\n"
            + source_line(f"{ADAPTIVE}/summary.json", recorded(data), command)
            + f" Each table's file: `benchmarks/results/{ADAPTIVE}`.\n")
