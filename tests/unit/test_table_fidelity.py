"""Exact pieces behind table fidelity: yes/no cells with gaps, a mean row the encoder can read,
the likelihood of the observed cells alone, and a collapse warning that speaks of the run."""

from __future__ import annotations

import math
import warnings

import pytest
import torch

from vaekit.dists.likelihoods.columns import Columns
from vaekit.dists.likelihoods.gaussian import GaussianPixel
from vaekit.training.callbacks import CollapseWarning

pd = pytest.importorskip("pandas")


def test_a_yes_no_column_with_an_empty_cell_parses_in_every_string_dtype():
    from vaekit.data.table_types import infer_type, parse_column

    for dtype in ("string", "object", "str"):  # pandas 2.x: "string" held pd.NA -> TypeError
        s = pd.Series(["yes", None, "no"], dtype=dtype)
        assert infer_type(s) == "boolean"
        got = parse_column(s, "boolean", "t").tolist()
        assert got[0] == 1.0 and math.isnan(got[1]) and got[2] == 0.0


def _spike_and_broad() -> Columns:
    # An integer column: most cells 0 (a spike of std 0.01), the rest spread around 30.
    return Columns([{"kind": "continuous", "means": [0.0, 30.0], "stds": [0.01, 20.0],
                     "weights": [0.7, 0.3]}], outlier_weight=0.0)


def test_the_mean_row_writes_each_value_in_its_own_mode():
    lik = _spike_and_broad()
    # Mode logits favour the spike; the broad mode's normalized mean is 0 (x = 30).
    params = torch.tensor([[2.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    row = lik(params).mean  # [alpha, one-hot spike, one-hot broad]
    pi = torch.softmax(torch.tensor([2.0, 0.0]), 0)
    expected = float(pi[1] * 30.0)  # E[x] = 0.88 * 0 + 0.12 * 30
    assert row[0, 2] == 1.0  # written in the broad mode, where a value of 3.6 lies
    assert abs(float(row[0, 0]) * 4 * 20.0 + 30.0 - expected) < 1e-4
    assert abs(float(row[0, 0])) < 1.0  # in the spike mode it would be (3.6 - 0) / 0.04 = 90


def test_the_observed_likelihood_leaves_out_exactly_the_missing_entries():
    lik = GaussianPixel()
    params = torch.randn(2, 6)
    px = lik(params)
    x = torch.tensor([[0.5, float("nan"), -1.0], [float("nan"), float("nan"), 2.0]])
    full = px.log_prob_elementwise(torch.nan_to_num(x))
    expected = torch.stack([full[0, 0] + full[0, 2], full[1, 2]])
    assert torch.allclose(px.log_prob_observed(x), expected)
    cols = _spike_and_broad()(torch.zeros(1, 6))
    assert float(cols.log_prob_observed(torch.full((1, 3), float("nan")))) == 0.0


class _Model:
    latent_dim = 32


def _warned(row: dict) -> list[str]:
    cb = CollapseWarning(min_steps=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cb.on_epoch_end(20, row, _Model())
    return [str(w.message) for w in caught]


def test_a_model_that_uses_a_few_units_is_no_collapse_and_remedies_fit_the_run():
    row = {"step": 800, "train_kl": 17.0, "test_kl": 17.0, "active_units": 3,
           "train_recon": -20.0, "train_loss": 37.0, "beta": 1.0}
    assert _warned(row) == []  # 17 nats in 3 units: z is used
    dead = {**row, "train_kl": 0.02, "test_kl": 0.02, "active_units": 0, "train_loss": 20.02}
    msg = _warned(dead)
    assert len(msg) == 1 and "0/32 active" in msg[0]
    assert "kl_warmup_steps=400" in msg[0]  # 10 epochs of 40 steps, not a fixed 5000
    assert "objective.beta=0.25" in msg[0] and "free_bits=0.1" in msg[0]
    held = {**dead, "train_loss": 20.0 + 32 * 0.1}  # free bits hold the KL at 0.1 per unit
    assert "free_bits=0.5" in _warned(held)[0]


@pytest.fixture(scope="module")
def one_d_run(tmp_path_factory):
    """A table run with a 1-D latent, where kind ("hi"/"lo") follows the number a."""
    import numpy as np

    import vaekit
    from vaekit.artifacts.run_context import RunContext

    root = tmp_path_factory.mktemp("one_d")
    rng = np.random.default_rng(0)
    a = rng.normal(0, 1, 600)
    kind = np.where(a + rng.normal(0, 0.5, 600) > 0, "hi", "lo")
    pd.DataFrame({"a": a.round(3), "kind": kind}).to_csv(root / "t.csv", index=False)
    vaekit.train({"data": {"name": "table", "path": str(root / "t.csv")},
                  "model": {"latent_dim": 1, "hidden": [32]}, "objective": {"free_bits": 2.0},
                  "train": {"epochs": 20, "batch_size": 32, "lr": 0.003}}, out=root / "run")
    return RunContext.open(root / "run")


def exact_p_hi(ctx) -> float:
    """p(kind = hi | a = 1.2) under the model: sum_z p(hi|z) p(a|z) p(z) / sum_z p(a|z) p(z) on a
    fine grid of the 1-D latent (z, not the importance draws the commands use)."""
    model, codec = ctx.model, ctx.codec
    x = codec.encode(pd.DataFrame({"a": [1.2], "kind": [None]}))  # kind missing
    with torch.no_grad():
        z = torch.linspace(-6, 6, 4001)[:, None]
        px = model.decode(z)
        log_obs = px.log_prob_observed(x.expand(len(z), -1))
        rows = codec.encode(pd.DataFrame({"a": [1.2] * 2, "kind": ["hi", "lo"]}))
        log_hi = px.log_prob(rows[:1].expand(len(z), -1)) - log_obs
        post = torch.softmax(log_obs + model.prior.log_prob(z), 0)
        return float((post * log_hi.exp()).sum())


def test_imputed_draws_follow_the_models_own_conditional(one_d_run):
    """What impute draws for a missing kind given a = 1.2, against the model's exact value."""
    from vaekit.explore.impute import impute

    model, codec = one_d_run.model, one_d_run.codec
    x = codec.encode(pd.DataFrame({"a": [1.2], "kind": [None]}))  # kind missing
    draws = impute(model, x, draws=4000, method="sample", k=512,
                   generator=torch.Generator().manual_seed(0))
    kinds = codec.decode(draws.x[:, 0], missing=False)["kind"].astype(str)
    exact = exact_p_hi(one_d_run)
    assert exact > 0.75  # the model ties kind to a (half the rows are "hi")
    assert abs(float((kinds == "hi").mean()) - exact) < 0.03, (float((kinds == "hi").mean()), exact)
    assert float(draws.ess[0]) > 50


def test_the_mean_imputation_is_the_models_conditional_expectation(one_d_run):
    """impute --method mean for a missing number given kind = lo, against E[a | kind = lo] under
    the model on a fine grid of the 1-D latent (not the importance draws impute uses)."""
    from vaekit.explore.impute import impute

    model, codec = one_d_run.model, one_d_run.codec
    x = codec.encode(pd.DataFrame({"a": [None], "kind": ["lo"]}))  # a missing
    done = impute(model, x, method="mean", k=65536, generator=torch.Generator().manual_seed(0))
    got = float(codec.decode(done.x[0], missing=False)["a"][0])
    with torch.no_grad():
        z = torch.linspace(-6, 6, 4001)[:, None]
        px = model.decode(z)
        post = torch.softmax(px.log_prob_observed(x.expand(len(z), -1)) + model.prior.log_prob(z), 0)
        log_pi, mean, _ = px.value_mixture()  # p(a | z): a Gaussian mixture in a's units
        exact = float((post * (log_pi.exp() * mean).sum(-1)[:, 0]).sum())
    assert exact < -0.3  # the model ties a to kind (a is about 0 on average)
    assert abs(got - exact) < 0.02, (got, exact)


def test_dates_are_numbers_row_ids_are_dropped_and_bands_stay_categories():
    from vaekit.data.table_types import infer_type, parse_column

    dates = pd.Series(["2020-01-05", "2021-03-04 10:00:00", None])
    assert infer_type(dates) == "datetime"
    got = parse_column(dates, "datetime", "t").tolist()
    assert got[:2] == [1578182400.0, 1614852000.0] and math.isnan(got[2])  # seconds since 1970
    assert infer_type(pd.Series([str(i) for i in range(100, 130)])) == "drop"  # a row number
    assert infer_type(pd.Series([f"u{i:03d}" for i in range(30)])) == "drop"  # all different
    assert infer_type(pd.Series([str(i * 7 % 31) for i in range(30)])) == "integer"
    assert infer_type(pd.Series(["10-20", "20-30", "30-40"] * 10)) == "categorical"


def test_rows_given_a_value_follow_the_models_own_conditional(one_d_run, one_thread):
    """`vaekit rows --given a=1.2` against the same exact p(kind | a = 1.2), through the
    command's own parsing of the condition."""
    import numpy as np

    from vaekit.artifacts.conditional import conditional_rows
    from vaekit.artifacts.constraints import region

    done = conditional_rows(one_d_run, region(one_d_run.codec, ("a=1.2",), ()), 3000, seed=0)
    rows, ess = done.values, done.ess
    assert (rows["a"] == 1.2).all() and float(np.median(ess)) > 50
    exact = exact_p_hi(one_d_run)
    drawn = float((rows["kind"].astype(str) == "hi").mean())
    assert exact > 0.75 and abs(drawn - exact) < 0.03, (drawn, exact)


def test_a_mixture_no_better_on_validation_is_not_kept(one_d_run):
    """The 1-D run's mixture of codes does not beat N(0, I) on its validation rows (training
    printed both): the run keeps the prior it trained under, and has no prior.json."""
    assert not one_d_run.prior_fitted and one_d_run.model.prior.standard_normal
    assert not (one_d_run.path / "prior.json").exists()
