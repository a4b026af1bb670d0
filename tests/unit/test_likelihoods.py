"""Each likelihood's log_prob against torch.distributions or the formula."""

import math

import pytest
import torch
import torch.distributions as D

from vaekit import registry
from vaekit.errors import DataError


def _build(name, **kw):
    return registry.get("likelihood", name)(**kw)


def test_bernoulli_matches_torch_and_is_stable():
    logits = torch.tensor([[-200.0, -3.0, 0.0, 4.0, 200.0]])
    x = torch.tensor([[0.0, 1.0, 1.0, 0.0, 1.0]])
    got = _build("bernoulli")(logits).log_prob(x)
    ref = D.Bernoulli(logits=logits).log_prob(x).sum(-1)
    assert torch.isfinite(got).all()
    assert torch.allclose(got, ref, atol=1e-5)


def test_gaussian_fixed_sigma_is_scaled_sse_plus_constant():
    mu, x = torch.randn(3, 1, 4, 4), torch.randn(3, 1, 4, 4)
    got = _build("gaussian", sigma=0.5)(mu).log_prob(x)
    sse = ((x - mu) ** 2).flatten(1).sum(1)
    d = 16
    assert torch.allclose(got, -sse / (2 * 0.25) - d / 2 * math.log(2 * math.pi * 0.25), atol=1e-4)
    ref = D.Normal(mu, 0.5).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(got, ref, atol=1e-4)


def test_gaussian_learned_uses_its_sigma_and_floor():
    lik = _build("gaussian_learned", init_sigma=0.3, min_sigma=0.01)
    mu, x = torch.randn(2, 6), torch.randn(2, 6)
    assert torch.allclose(lik(mu).log_prob(x), D.Normal(mu, 0.3).log_prob(x).sum(-1), atol=1e-4)
    with torch.no_grad():
        lik.log_sigma.fill_(-50.0)
    assert torch.allclose(lik(mu).log_prob(x), D.Normal(mu, 0.01).log_prob(x).sum(-1), rtol=1e-4)


def test_gaussian_pixel_splits_mean_and_log_sigma():
    lik = _build("gaussian_pixel", min_sigma=1e-3)
    params = torch.randn(2, 2, 3, 3)  # 1 data channel -> 2 parameter channels
    dist = lik(params)
    assert dist.mean.shape == (2, 1, 3, 3)
    x = torch.randn(2, 1, 3, 3)
    sigma = torch.exp(dist.log_sigma)
    assert torch.all(sigma >= 1e-3)
    ref = D.Normal(params[:, :1], sigma).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(dist.log_prob(x), ref, atol=1e-4)


def test_continuous_bernoulli_matches_torch_and_normalizes():
    logits = torch.tensor([[-3.0, -0.01, 0.0, 0.02, 5.0]])
    x = torch.tensor([[0.1, 0.5, 0.3, 0.9, 1.0]])
    got = _build("continuous_bernoulli")(logits).log_prob(x)
    ref = D.ContinuousBernoulli(logits=logits).log_prob(x).sum(-1)
    assert torch.allclose(got, ref, atol=1e-5)
    # A density on [0, 1]: it integrates to one (trapezoid rule on a fine grid).
    grid = torch.linspace(0, 1, 20001)
    dens = _build("continuous_bernoulli")(torch.full((1, 1), 2.0)).dist.log_prob(grid).exp()
    assert abs(torch.trapezoid(dens, grid).item() - 1.0) < 1e-3


def test_bernoulli_rejects_values_out_of_range_and_warns_on_grey_levels():
    lik = _build("bernoulli")
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        lik.check_support(torch.tensor([[0.0, 1.5]]), binarized=False)
    with pytest.warns(UserWarning, match="grey levels"):
        lik.check_support(torch.tensor([[0.0, 0.5]]), binarized=False)
    lik.check_support(torch.tensor([[0.0, 0.5]]), binarized=True)  # binarized: fine
