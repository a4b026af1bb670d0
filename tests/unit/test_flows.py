"""Normalizing flows: the IAF posterior and the RealNVP prior have exact log-densities (checked
against autograd's Jacobian and against integrating the density to one), reload identically,
and give finite importance-weighted bounds; each also sits on a ladder's top layer."""

from __future__ import annotations

import math

import pytest
import torch

from vaekit.config.load import load_config
from vaekit.dists.priors.base import PriorContext
from vaekit.dists.priors.realnvp import realnvp
from vaekit.eval.iw import iw_estimate
from vaekit.model.build import build_model
from vaekit.model.latents.iaf import IafLatent
from vaekit.objectives import Batch, build_objective
from vaekit.store.model_files import load_model, save_model

SHAPE = (1, 8, 8)


def _seed(n: int) -> torch.Generator:
    return torch.Generator().manual_seed(n)


def _moved(module: torch.nn.Module) -> torch.nn.Module:
    """Every parameter moved off its initialization (the last layers start at zero)."""
    torch.manual_seed(3)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.2 * torch.randn_like(p))
    return module.double()


def _iaf(dim: int, b: int = 4):
    torch.manual_seed(0)
    latent = _moved(IafLatent(feature_dim=5, latent_dim=dim, steps=3, hidden=16))
    return latent(torch.randn(b, 5, dtype=torch.float64))


def test_an_iaf_draw_carries_the_change_of_variables_autograd_finds():
    q = _iaf(dim=3)
    draw = q.rsample_with_log_prob(generator=_seed(1))
    z0 = q.base.rsample(generator=_seed(1))  # the same noise: the base draw under the flow
    for b in range(4):  # the Jacobian of example b's map z_0 -> z, by autograd
        jac = torch.autograd.functional.jacobian(
            lambda v, b=b: q._forward(v.unsqueeze(0).expand(4, -1))[0][b], z0[b])
        log_det = torch.linalg.slogdet(jac)[1]
        expected = q.base.log_prob(z0)[b] - log_det
        assert draw.log_q[b].item() == pytest.approx(expected.item(), abs=1e-9)
    # Scoring any z inverts the flow, coordinate by coordinate: the same density.
    torch.testing.assert_close(q.log_prob(draw.z.clone()), draw.log_q, atol=1e-9, rtol=0)
    torch.testing.assert_close(q.rsample(generator=_seed(1)), draw.z)


def _grid(low: torch.Tensor, high: torch.Tensor, n: int) -> tuple[torch.Tensor, float]:
    """n x n points over the box [low, high] (each (2,)) and the area of one cell."""
    axes = [torch.linspace(float(lo), float(hi), n, dtype=torch.float64)
            for lo, hi in zip(low, high, strict=True)]
    a, b = torch.meshgrid(*axes, indexing="ij")
    return torch.stack([a.flatten(), b.flatten()], -1), float((axes[0][1] - axes[0][0])
                                                             * (axes[1][1] - axes[1][0]))


@torch.no_grad()
def test_the_iaf_density_integrates_to_one():
    q = _iaf(dim=2, b=1)
    draws = q.rsample(20_000, _seed(0))[:, 0]  # where the mass is, and some way around it
    z, cell = _grid(draws.min(0).values - 1.5, draws.max(0).values + 1.5, 501)
    mass = float(q.log_prob(z.unsqueeze(1)).exp().sum() * cell)  # (N, 1, 2): N points, one x
    assert mass == pytest.approx(1.0, abs=2e-3)


def _flow_prior(dim: int):
    torch.manual_seed(0)
    return _moved(realnvp(PriorContext(latent_dim=dim, shape=SHAPE), couplings=4, hidden=16))


def test_the_flow_prior_density_is_the_change_of_variables_and_integrates_to_one():
    prior = _flow_prior(3)

    def inverse(z):  # z -> u through the coupling layers, the other direction from sample
        for layer in reversed(prior.layers):
            z = layer.inverse(z)[0]
        return z

    for z in torch.randn(3, 3, dtype=torch.float64, generator=_seed(2)):
        jac = torch.autograd.functional.jacobian(inverse, z)
        u = inverse(z)
        expected = -0.5 * (math.log(2 * math.pi) * 3 + (u**2).sum()) + torch.linalg.slogdet(jac)[1]
        assert prior.log_prob(z).item() == pytest.approx(expected.item(), abs=1e-9)
    prior2 = _flow_prior(2)
    z, cell = _grid(torch.full((2,), -12.0), torch.full((2,), 12.0), 501)
    with torch.no_grad():
        assert float(prior2.log_prob(z).exp().sum() * cell) == pytest.approx(1.0, abs=2e-3)
    draws = prior2.sample(5, generator=_seed(0))  # float32 draws of a float64 flow
    assert draws.shape == (5, 2)


@pytest.mark.parametrize("model", [
    {"latent": "iaf", "latent_args": {"steps": 2, "hidden": 16}},
    {"prior": "realnvp", "prior_args": {"couplings": 2, "hidden": 16}},
    {"latent": "hierarchical", "latent_args": {"layers": [3], "hidden": 16},
     "prior": "realnvp", "prior_args": {"couplings": 2, "hidden": 8}},
], ids=["iaf", "realnvp", "realnvp-on-ladder-top"])
def test_a_flow_model_reloads_identically_and_its_iw_bound_is_finite(model, tmp_path):
    cfg = load_config(base={"model": {"hidden": [32], "latent_dim": 4, **model}})
    torch.manual_seed(0)
    vae = build_model(cfg.model, SHAPE)
    with torch.no_grad():
        for p in vae.parameters():
            p.add_(0.05 * torch.randn_like(p))
    vae.eval()
    save_model(vae, cfg, tmp_path)
    loaded = load_model(tmp_path).eval()
    x = (torch.rand(6, *SHAPE, generator=_seed(1)) > 0.5).float()
    a = iw_estimate(vae, x, k=20, generator=_seed(4))
    b = iw_estimate(loaded, x, k=20, generator=_seed(4))
    assert torch.equal(a.log_px, b.log_px) and torch.equal(a.elbo, b.elbo)
    assert torch.isfinite(a.log_px).all() and torch.isfinite(a.kl).all()
    assert torch.equal(vae.reconstruct(x), loaded.reconstruct(x))
    assert torch.equal(vae.sample(3, generator=_seed(0)), loaded.sample(3, generator=_seed(0)))


def test_an_iaf_on_the_ladder_top_carries_its_density_and_trains():
    cfg = load_config(base={"model": {"hidden": [32], "latent_dim": 4, "variant": "hvae",
                                      "latent_args": {"layers": [3], "hidden": 16,
                                                      "flow_steps": 2}}})
    torch.manual_seed(0)
    vae = build_model(cfg.model, SHAPE)
    with torch.no_grad():
        for p in vae.parameters():
            p.add_(0.1 * torch.randn_like(p))
    x = (torch.rand(6, *SHAPE, generator=_seed(1)) > 0.5).float()
    with torch.no_grad():
        q = vae.encode(x)
        draw = q.rsample_with_log_prob(5, _seed(2))
        z = draw.z.clone()  # scored again by a walk given z, inverting the top flow
        torch.testing.assert_close(draw.log_q, q.log_prob(z), atol=1e-4, rtol=0)
        torch.testing.assert_close(draw.layers, q.log_ratio_layers(vae.prior, z), atol=1e-4, rtol=0)
    objective = build_objective(cfg.objective)
    out = objective(vae, Batch(x), 0, _seed(3))
    out.loss.backward()
    assert torch.isfinite(out.loss) and vae.latent.top_flow[0].out.weight.grad.abs().sum() > 0
