"""The learned mixture-of-Gaussians prior: its density, samples, gradients, and its place on top
of a hierarchy (trained, saved and loaded, bounded by the IW estimate)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor

from vaekit.config.load import load_config
from vaekit.dists.gaussian import DiagGaussian
from vaekit.dists.priors.base import PriorContext
from vaekit.dists.priors.mog import MixturePrior, mog
from vaekit.eval.iw import iw_estimate
from vaekit.model.build import build_model
from vaekit.objectives import build_objective
from vaekit.objectives.base import Batch
from vaekit.store.model_files import load_model, save_model

SHAPE = (1, 8, 8)


def _prior(dim: int, components: int, seed: int = 0) -> MixturePrior:
    torch.manual_seed(seed)
    return mog(PriorContext(latent_dim=dim, shape=SHAPE), components=components)


def brute_log_prob(mu: Tensor, logvar: Tensor, z: Tensor) -> Tensor:
    """logsumexp over an explicit (..., K, L) tensor, in float64."""
    per = DiagGaussian(mu.double(), logvar.double()).log_prob_per_dim(z.double().unsqueeze(-2))
    return torch.logsumexp(per.sum(-1), -1) - math.log(mu.shape[0])


def test_one_component_is_its_gaussian() -> None:
    prior = _prior(3, 1)
    with torch.no_grad():
        prior.mu.copy_(torch.tensor([[1.0, -2.0, 0.5]]))
        prior.logvar.copy_(torch.tensor([[0.0, math.log(4.0), math.log(0.25)]]))
    z = torch.tensor([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]])
    # log N(z; mu, var) by hand: -0.5 * sum(log 2 pi var + (z - mu)^2 / var)
    want = torch.tensor([-0.5 * (3 * math.log(2 * math.pi) + math.log(4.0) + math.log(0.25)),
                         -0.5 * (3 * math.log(2 * math.pi) + math.log(4.0) + math.log(0.25)
                                 + 1.0 + 4.0 / 4.0 + 0.25 / 0.25)])
    assert torch.allclose(prior.log_prob(z), want, atol=1e-5)


@pytest.mark.parametrize("logvar_bias", [0.0, -14.0])
def test_log_prob_matches_brute_force(logvar_bias: float) -> None:
    prior = _prior(4, 6, seed=1)
    with torch.no_grad():
        prior.logvar.add_(logvar_bias + 0.3 * torch.randn(6, 4))  # -14: sigma ~ 1e-3
    mu, logvar = prior.mu.detach(), prior.logvar.detach()
    z = mu[torch.randint(6, (3, 5))] + torch.randn(3, 5, 4) * torch.exp(0.5 * logvar.mean())
    got = prior.log_prob(z)
    assert got.shape == (3, 5) and got.dtype == torch.float32
    assert torch.allclose(got.double(), brute_log_prob(mu, logvar, z), rtol=1e-5, atol=1e-4)


def test_integrates_to_one() -> None:
    prior = _prior(1, 3, seed=2)
    dx = 1e-3
    grid = torch.arange(-25.0, 25.0, dx).unsqueeze(-1)
    with torch.no_grad():
        total = torch.exp(prior.log_prob(grid).double()).sum() * dx
    assert abs(total.item() - 1.0) < 1e-3


def test_samples_center_and_scale() -> None:
    prior = _prior(2, 2)
    with torch.no_grad():
        prior.mu.copy_(torch.tensor([[5.0, 0.0], [-5.0, 0.0]]))
        prior.logvar.copy_(torch.full((2, 2), math.log(0.25)))
    z = prior.sample(20000, generator=torch.Generator().manual_seed(0))
    assert z.shape == (20000, 2) and not z.requires_grad
    assert abs((z[:, 0] > 0).float().mean().item() - 0.5) < 0.02
    assert abs(z[z[:, 0] > 0, 0].std().item() - 0.5) < 0.02
    assert torch.allclose(prior.center(), torch.zeros(2), atol=1e-6)
    assert torch.allclose(prior.scale(), torch.tensor([math.sqrt(25.25), 0.5]))
    assert torch.allclose(prior.scale(), z.std(0), rtol=0.03)
    cold = prior.sample(50, temperature=0.0, generator=torch.Generator().manual_seed(1))
    assert set(cold[:, 0].tolist()) <= {5.0, -5.0}


def test_gradients_reach_means_variances_and_z() -> None:
    prior = _prior(3, 4, seed=4)
    z = torch.randn(6, 3, requires_grad=True)
    prior.log_prob(z).sum().backward()
    got = [prior.mu.grad.clone(), prior.logvar.grad.clone(), z.grad.clone()]
    prior.zero_grad()
    z.grad = None
    brute_log_prob(prior.mu, prior.logvar, z).sum().backward()
    for g, want in zip(got, [prior.mu.grad, prior.logvar.grad, z.grad], strict=True):
        assert g.abs().sum() > 0
        assert torch.allclose(g, want.float(), rtol=1e-4, atol=1e-6)
    assert list(prior.state_dict()) == ["mu", "logvar"]


@pytest.mark.parametrize("model", [
    {"variant": "conv_hvae", "channels": [4, 8], "latent_dim": 2,
     "latent_args": {"channels": 8, "groups": [1, 2]}},
    {"variant": "hvae", "hidden": [32], "latent_dim": 4, "latent_args": {"layers": [3], "hidden": 16}},
], ids=["conv ladder", "mlp ladder"])
def test_on_top_of_a_hierarchy_it_trains_round_trips_and_bounds(model, tmp_path) -> None:
    cfg = load_config(base={"model": {**model, "prior": "mog", "prior_args": {"components": 5}}})
    torch.manual_seed(0)
    vae, objective = build_model(cfg.model, SHAPE), build_objective(cfg.objective)
    assert "mixture of 5 learned Gaussians" in vae.prior.description
    top = vae.latent.layer_sizes()[-1]
    assert vae.state_dict()["latent.top_prior.mu"].shape == (5, top)
    x = (torch.rand(6, *SHAPE, generator=torch.Generator().manual_seed(3)) > 0.5).float()
    out = objective(vae, Batch(x), None, torch.Generator().manual_seed(0))
    assert out.kl_per_dim is None
    out.loss.backward()
    assert vae.latent.top_prior.mu.grad.abs().sum() > 0
    assert vae.latent.top_prior.logvar.grad.abs().sum() > 0
    save_model(vae, cfg, tmp_path)
    again = load_model(tmp_path)
    with torch.no_grad():
        z = vae.prior.sample(7, generator=torch.Generator().manual_seed(1))
        assert torch.equal(again.prior.log_prob(z), vae.prior.log_prob(z))
        est = iw_estimate(again, x, None, 200, 1000, torch.Generator().manual_seed(2))
        elbo = objective(again, Batch(x), None, torch.Generator().manual_seed(2)).bound
    assert torch.isfinite(est.log_px).all() and est.log_px.mean() >= elbo.mean() - 0.5
    assert est.kl_layers.shape == (len(x), len(vae.latent.layer_sizes()))
