"""A density on a table is log p(x) of the rows in their own units: the standardization enters
through its log-Jacobian. Checked on a linear-Gaussian model whose marginal likelihood is exact."""

from __future__ import annotations

import math

import numpy as np
import torch

import vaekit
from vaekit.data import load_data
from vaekit.model.build import build_model

SCALES = [1.0, 10.0, 1000.0]  # very different column units
SIGMA = 0.5


def _table(path) -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3000, 1))
    x = z @ np.array([[0.8, -0.5, 0.3]]) + 0.4 * rng.normal(size=(3000, 3))
    np.save(path, (x * SCALES + [5.0, -3.0, 100.0]).astype(np.float32))


def _exact_model(cfg, shape, w: torch.Tensor, b: torch.Tensor):
    """The VAE whose decoder is x = W z + b + sigma eps and whose encoder is the exact posterior
    p(z | x) = N(v W^T (x - b) / sigma^2, v), v = 1 / (1 + |W|^2 / sigma^2)."""
    model = build_model(cfg.model, shape)
    v = 1.0 / (1.0 + float(w @ w) / SIGMA**2)
    with torch.no_grad():
        model.decoder[0].weight.copy_(w[:, None])
        model.decoder[0].bias.copy_(b)
        model.latent.mu.weight.copy_(v * w[None] / SIGMA**2)
        model.latent.mu.bias.fill_(-v * float(w @ b) / SIGMA**2)
        model.latent.logvar.weight.zero_()
        model.latent.logvar.bias.fill_(math.log(v))
    return model


def test_the_nll_of_a_table_is_in_the_data_units(tmp_path):
    path = tmp_path / "table.npy"
    _table(path)
    cfg = vaekit.load_config({"data": {"name": "arrays", "path": str(path)},
                              "model": {"hidden": [], "latent_dim": 1, "likelihood": "gaussian",
                                        "likelihood_args": {"sigma": SIGMA}}})
    ds = load_data(cfg.data)
    w, b = torch.tensor([0.9, -0.6, 0.35]), torch.tensor([0.05, -0.02, 0.01])
    model = _exact_model(cfg, ds.shape, w, b)
    model.config = cfg

    result = vaekit.evaluate(model, ds, k=16)
    # Exact: x_std ~ N(b, W W^T + sigma^2 I); x = mean + std * x_std.
    cov = torch.outer(w, w).double() + SIGMA**2 * torch.eye(3, dtype=torch.float64)
    mvn = torch.distributions.MultivariateNormal(b.double(), covariance_matrix=cov)
    log_px_std = mvn.log_prob(ds.test.double())
    log_px = log_px_std - torch.log(ds.column_std.double()).sum()
    # The same number straight from the rows in their units: a Gaussian with the scaled mean and
    # covariance, evaluated at the test rows as they were in the file.
    s, m = ds.column_std.double(), ds.column_mean.double()
    rows = m + s * ds.test.double()
    direct = torch.distributions.MultivariateNormal(
        m + s * b.double(), covariance_matrix=s[:, None] * cov * s[None, :]).log_prob(rows)
    assert torch.allclose(direct, log_px, atol=1e-6)

    assert abs(result.nll - float(-log_px.mean())) < 1e-3
    assert abs(result.elbo + result.nll) < 1e-3  # the exact posterior: no gap
    assert abs(result.log_jacobian + math.log(float(s.prod()))) < 1e-9
    # Without the Jacobian the number would be off by the log of the columns' scales.
    assert abs(result.nll - float(-log_px_std.mean())) > 5.0


def test_training_metrics_of_a_table_are_in_the_data_units(tmp_path):
    path = tmp_path / "table.npy"
    _table(path)
    cfg = {"data": {"name": "arrays", "path": str(path)},
           "model": {"hidden": [16], "latent_dim": 1, "likelihood": "gaussian"},
           "train": {"epochs": 1, "batch_size": 256}}
    run = vaekit.train(cfg, tmp_path / "run")
    ds = load_data(run.config.data)
    row = run.metrics[-1]
    result = vaekit.evaluate(run, k=1, split="val")
    # metrics.csv and eval.json speak of the same quantity: -ELBO of the raw rows (the curve
    # scores the validation split).
    assert abs(float(row["val_loss"]) - (-result.elbo)) < 0.2
    assert abs(ds.log_jacobian - (-math.log(float(ds.column_std.double().prod())))) < 1e-9


def test_a_mixed_table_is_scored_in_its_units_and_categories_as_probabilities(tmp_path):
    """A decoder that ignores z and an encoder equal to the prior: log p(x) = log p(x|z) exactly.
    Every mode of the continuous column is set to the same Gaussian N(x; 40, 7) in the column's
    units, so its density is exactly that Gaussian's, whatever modes the mixture fit found."""
    import pytest

    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    w = np.where(rng.random(300) < 0.5, rng.normal(20, 3, 300), rng.normal(60, 5, 300))
    frame = pd.DataFrame({"w": w.round(3), "c": rng.choice(["a", "b", "c"], 300)})
    frame.loc[[0, 1, 2, 3], "w"] = np.nan  # missing cells: left out of the likelihood
    frame.to_csv(tmp_path / "t.csv", index=False)
    cfg = vaekit.load_config({"data": {"name": "table", "path": str(tmp_path / "t.csv"),
                                       "test_fraction": 0.5},
                              "model": {"hidden": [], "latent_dim": 1, "likelihood": "columns",
                                        "likelihood_args": {"outlier_weight": 0.0}}})
    ds = load_data(cfg.data)
    from vaekit.training.likelihood_choice import resolve_likelihood

    cfg = resolve_likelihood(cfg, ds)
    model = build_model(cfg.model, ds.shape)
    cont = ds.codec.specs[0]
    mu, sd, k = torch.tensor(cont.means), torch.tensor(cont.stds), len(cont.means)
    c, d, logits = 40.0, 7.0, torch.tensor([0.3, -0.2, 1.1])
    log_min = math.log(0.01)
    log_s = torch.log(d / (4 * sd))
    bias = torch.zeros(model.decoder[0].bias.shape)
    bias[k:2 * k] = (c - mu) / (4 * sd)
    bias[2 * k:3 * k] = log_min + torch.log(torch.expm1(log_s - log_min))
    # Then the missing flag of w (a Bernoulli on "w is missing", logit 0 here: log 1/2 for every
    # row), then c's logits.
    assert ds.codec.flagged == ["w"]
    bias[3 * k + 1:3 * k + 4] = logits
    with torch.no_grad():
        model.decoder[0].weight.zero_()
        model.decoder[0].bias.copy_(bias)
        for p in model.latent.parameters():
            p.zero_()
    model.config = cfg
    result = vaekit.evaluate(model, ds, k=8)

    rows = ds.codec.decode(ds.test)
    # w's values read back from its block (alpha in its mode), not from the decoded frame, which
    # keeps generated values inside the training range.
    block = ds.test[:, : 1 + k].double()
    present = ~block[:, 0].isnan()
    mode = block[:, 1:].nan_to_num(0.0).argmax(1)
    values = (mu.double()[mode] + 4 * sd.double()[mode] * block[:, 0]).nan_to_num(0.0)
    log_w = torch.where(present, torch.distributions.Normal(c, d).log_prob(values), 0.0)
    cats = torch.tensor(rows["c"].cat.codes.to_numpy().astype(np.int64))
    log_c = torch.log_softmax(logits.double(), 0)[cats]
    assert int((~present).sum()) >= 1  # the held-out split holds a missing cell
    log_flag = math.log(0.5)
    assert abs(result.nll - float(-(log_w + log_c + log_flag).mean())) < 1e-4
    assert result.log_jacobian == 0.0 and abs(result.elbo + result.nll) < 1e-4
