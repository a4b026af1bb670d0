"""Every registered component, trained for real and used end to end: train on the digits,
evaluate (the held-out bound of the epoch and the evaluation's agree), sample, write the report,
and serve /api/info and /api/decode. The cases are derived from the registry, so a new
component joins by registering. A likelihood that only fits the rows of a table runs on a tiny
mixed-type table instead (the likelihood its source declares)."""

from __future__ import annotations

import warnings

import pytest
import torch
from cli_support import run_cli
from contract_support import KEYS, composition, small, uses

import vaekit
from vaekit import registry
from vaekit.artifacts.run_context import RunContext
from vaekit.config.schema import ObjectiveConfig
from vaekit.errors import UserError
from vaekit.report.build import build_report
from vaekit.report.pictures import sample_rows, samples_grid

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project installs
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    from vaekit.serve import Explorer, create_app

TRAIN = {"epochs": 1, "batch_size": 256}


def _cases() -> list[str]:
    """One case per variant, and one for each part of a kind no variant's preset names (run in
    the first composition that takes it). Only names are read here: each case is composed when
    it runs."""
    used = {kind: {uses(v)[kind] for v in registry.names("variant")} for kind in KEYS}
    return [f"variant={v}" for v in registry.names("variant")] + [
        f"{kind}={name}" for kind in KEYS for name in registry.names(kind) if name not in used[kind]]


def _config(case: str) -> dict:
    """The small config of ``case`` ("variant=vq_vae", "prior=mog", ...), trained one epoch."""
    kind, name = case.split("=")
    if kind == "variant":
        raw = small({"data": {"name": "digits"}, "model": {"variant": name}})
        return vaekit.load_config(raw).model_dump() | {"train": TRAIN}
    fitted = [v for v in registry.names("variant") if kind == "prior"
              and registry.get("latent", uses(v)["latent"]).caps.fitted_prior == name]
    if fitted:  # fitted on a trained model's codes: its latent's variant runs it
        pytest.skip(f"prior {name} is fitted after training: case variant={fitted[0]} runs it")
    cfg, _ = composition(kind, name)
    return cfg.model_dump() | {"train": TRAIN}


def test_every_component_is_exercised():
    """Each part of each kind runs in some case below; a prior fitted after training runs
    through its latent's variant."""
    names = set(_cases())
    for kind in KEYS:
        for name in registry.names(kind):
            variants = [v for v in registry.names("variant") if uses(v)[kind] == name]
            assert variants or f"{kind}={name}" in names, (kind, name)


def _epoch_bound_agrees_with_the_evaluation(run, cfg: dict) -> None:
    """The held-out bound the trainer wrote after the epoch (the objective's, with its closed-form
    KL where there is one) and the evaluation's importance-weighted bound with as many samples
    (one, or an IWAE's k) estimate the same number: log p(x|z) + log p(z) - log q(z|x) formed
    there by another path. A prior off by a constant fails it (tests/unit/test_exact_bounds.py)."""
    k = ObjectiveConfig(**cfg["objective"]).option("k", 1)  # an IWAE's bound is L_k
    result = vaekit.evaluate(run.path, k=k, seed=1, split="val")  # the split the curve scores
    held_out = float(run.metrics[-1]["val_loss"])
    assert abs(held_out - result.nll) < 4 * result.nll_se + 1e-6, (held_out, result.nll,
                                                                   result.nll_se)


@pytest.mark.parametrize("case", _cases())
def test_a_component_trains_evaluates_samples_reports_and_serves(case, tmp_path, one_thread,
                                                                capsys):
    cfg = _config(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch: collapse warnings are expected
        run = vaekit.train(cfg, tmp_path / "run")
    assert run.metrics and all(v != "nan" for v in run.metrics[-1].values())

    ctx = RunContext.open(run.path)
    if ctx.model.latent.caps.density:
        _epoch_bound_agrees_with_the_evaluation(run, cfg)
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
    else:  # no density, no bound on log p(x): one clear refusal
        with pytest.raises(UserError, match="no KL or density"):
            vaekit.evaluate(run.path, k=4)

    table = len(ctx.model.shape) == 1  # rows (a table, counts), not images
    if table:  # rows in the table's own columns, a column per block of the codec
        rows = sample_rows(ctx, 8)
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
