"""Every registered component, trained for real and used end to end: train on the digits,
evaluate (the ELBO never above the IW bound), sample, write the report, and serve /api/info and
/api/decode. The cases are derived from the registry, so a new component joins by registering.
A likelihood that only fits the rows of a table runs on a tiny mixed-type table instead (the
likelihood its source declares)."""

from __future__ import annotations

import importlib.util
import tempfile
import warnings
from pathlib import Path

import pytest
import torch
from cli_support import run_cli

import vaekit
from vaekit import registry
from vaekit.artifacts.run_context import RunContext
from vaekit.errors import ConfigError, UserError
from vaekit.report.build import build_report
from vaekit.report.pictures import sample_rows, samples_grid
from vaekit.report.run_data import RunData

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project installs
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    from vaekit.serve import Explorer, create_app

TINY = {"hidden": [32], "channels": [8, 16], "latent_dim": 4}
TRAIN = {"epochs": 1, "batch_size": 256}
HAS_TABLES = importlib.util.find_spec("pandas") is not None


def _mixed_table() -> Path:
    """A tiny CSV of every column type: continuous, integer, boolean, categorical, with a
    missing cell and a label."""
    path = Path(tempfile.mkdtemp(prefix="vaekit-contract-")) / "mixed.csv"
    g = torch.Generator().manual_seed(0)
    lines = ["speed,count,member,colour,label"]
    for i in range(120):
        speed = "" if i == 7 else f"{float(torch.randn(1, generator=g)) * 3 + (10 if i % 2 else 30):.3f}"
        lines.append(f"{speed},{i % 13},{'yes' if i % 3 else 'no'},{'rgb'[i % 3]},{i % 2}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _uses(variant: str) -> dict[str, str]:
    """The registered parts a variant's preset names (kind -> name)."""
    cfg = vaekit.load_config({"model": {"variant": variant}})
    return {"latent": cfg.model.latent, "objective": cfg.objective.name, "prior": cfg.model.prior,
            "arch": cfg.model.arch, "likelihood": cfg.model.likelihood}


KEYS = {"arch": ("model", "arch"), "likelihood": ("model", "likelihood"),
        "prior": ("model", "prior"), "objective": ("objective", "name"),
        "latent": ("model", "latent")}


def _cases() -> dict[str, dict]:
    """One case per variant, and one on the vae for each part no variant uses (where it
    composes with the vae's parts)."""
    cases = {f"variant={v}": {"model": {"variant": v}} for v in registry.names("variant")}
    for kind, (section, key) in KEYS.items():
        for name in registry.names(kind):
            covered = any(_uses(v)[kind] == name for v in registry.names("variant"))
            case = {"model": {}, section: {key: name}}
            if not covered and _buildable(case):
                cases[f"{kind}={name}"] = case
    if HAS_TABLES:  # the likelihood a table source declares, on a mixed-type table
        from vaekit.config.schema import DataConfig
        from vaekit.data import load_data

        path = _mixed_table()
        name = load_data(DataConfig(name="table", path=str(path))).likelihood[0]
        cases[f"table likelihood={name}"] = {"data": {"name": "table", "path": str(path)},
                                             "model": {"likelihood": name}}
    return cases


def _config(case: dict) -> dict:
    model = {**case.get("model", {}), **TINY}
    return {"data": {"name": "digits"}, **case, "model": model, "train": TRAIN}


def _table_case(case: dict) -> bool:
    return case.get("data", {}).get("name") == "table"


def _buildable(case: dict) -> bool:
    from vaekit.model.build import build_model
    from vaekit.objectives import build_objective

    try:
        cfg = vaekit.load_config(_config(case))
        build_model(cfg.model, (1, 8, 8))
        build_objective(cfg.objective)
        return True
    except ConfigError:
        return False


CASES = _cases()


def test_every_component_is_exercised():
    """Each latent, objective, architecture, likelihood and prior runs in some case below; a
    prior that is fitted after training runs through its latent's variant. (Without pandas
    no table can be read, so the check needs it.)"""
    pytest.importorskip("pandas")
    used: dict[str, set[str]] = {k: set() for k in ("latent", "objective", "arch", "likelihood",
                                                     "prior")}
    for case in CASES.values():
        cfg = vaekit.load_config(_config(case))
        used["latent"].add(cfg.model.latent)
        used["objective"].add(cfg.objective.name)
        used["arch"].add(cfg.model.arch)
        used["likelihood"].add(cfg.model.likelihood)
        used["prior"].add(cfg.model.prior)
    for name in registry.names("latent"):
        fitted = registry.get("latent", name).caps.fitted_prior
        if fitted:
            used["prior"].add(fitted)
    for kind, names in used.items():
        assert set(registry.names(kind)) <= names, f"{kind}: {set(registry.names(kind)) - names}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_component_trains_evaluates_samples_reports_and_serves(case, tmp_path, one_thread,
                                                                capsys):
    cfg = _config(CASES[case])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch: collapse warnings are expected
        run = vaekit.train(cfg, tmp_path / "run")
    assert run.metrics and all(v != "nan" for v in run.metrics[-1].values())

    ctx = RunContext.open(run.path)
    fitted = ctx.model.latent.caps.fitted_prior
    if fitted:  # the prior this latent is sampled through: fitted on its codes, then found
        code, _, err = run_cli(capsys, "train-prior", str(run.path), "--epochs", "1", "--width",
                               "16", "--depth", "1", "--heads", "2")
        assert code == 0, err
        ctx = RunContext.open(run.path)
        assert ctx.prior_fitted

    if ctx.model.latent.caps.density:
        result = vaekit.evaluate(run.path, k=4)
        assert result.prior == ctx.model.prior.description
        assert result.elbo <= -result.nll + 1e-6  # the IW bound is never below the ELBO
    else:  # no density, no bound on log p(x): one clear refusal
        with pytest.raises(UserError, match="no KL or density"):
            vaekit.evaluate(run.path, k=4)

    table = _table_case(CASES[case])
    if table:  # rows in the table's own columns, a column per block of the codec
        rows = sample_rows(RunData(ctx, "test"), 8)
        assert list(rows.columns) == ctx.codec.columns and len(rows) == 8
    else:
        grid = samples_grid(ctx.model, ctx.sampler("auto"), 8)
        assert grid.ndim >= 2 and grid.dtype.name == "uint8"

    html = build_report(run.path)
    assert ("Generated rows" if table else "Samples") in html
    assert ctx.model.prior.description.split(",")[0] in html
    # The report samples from what `vaekit sample` uses: a fitted mixture for an autoencoder.
    assert ctx.sampler("auto").description in html

    client = TestClient(create_app(Explorer.load(run.path, map_points=200)))
    info = client.get("/api/info").json()
    assert info["latent_dim"] == ctx.model.latent_dim and info["prior"]
    answer = client.post("/api/decode", json={"z": [info["center"]]})
    assert answer.status_code == 200 and len(answer.json()["rows" if table else "images"]) == 1
    if table:
        assert set(answer.json()["rows"][0]) == set(ctx.codec.columns)
    torch.testing.assert_close(torch.tensor(answer.json()["codes"][0]),
                               torch.tensor(info["center"]))
