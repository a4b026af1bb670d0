"""The autoencoder baseline: a point-mass latent trained on reconstruction alone."""

from __future__ import annotations

import pytest
import torch

from vaekit.config.load import load_config
from vaekit.errors import ConfigError
from vaekit.model.build import build_model
from vaekit.objectives import Batch, build_objective

SHAPE = (1, 8, 8)


def _ae(*overrides: str):
    cfg = load_config(overrides=["model.variant=ae", "model.hidden=[16]", "model.latent_dim=3",
                                 *overrides])
    torch.manual_seed(0)
    return cfg, build_model(cfg.model, SHAPE)


def test_the_code_is_deterministic():
    _, model = _ae()
    x = torch.rand(4, *SHAPE)
    q = model.encode(x)
    assert torch.equal(q.rsample(), q.mean) and q.rsample(3).shape == (3, 4, 3)
    assert torch.equal(model.encode(x).mean, q.mean)
    assert model.latent.caps.density is False


def test_the_loss_is_the_reconstruction_nll_and_no_kl():
    cfg, model = _ae()
    x = (torch.rand(5, *SHAPE) > 0.5).float()
    out = build_objective(cfg.objective)(model, Batch(x), 3)
    expected = model.decode(model.encode(x).mean).log_prob(x)
    assert torch.equal(out.bound, expected) and torch.equal(out.loss, -expected.mean())
    assert torch.equal(out.kl, torch.zeros(5))


def test_the_elbo_on_a_point_mass_is_refused():
    cfg, model = _ae("objective.name=elbo")
    with pytest.raises(ConfigError, match="objective.name=ae"):
        build_objective(cfg.objective)(model, Batch(torch.rand(2, *SHAPE).round()), 0)
