"""beta-VAE: beta = 1 is the plain VAE exactly; the capacity objective of Burgess et al."""

from __future__ import annotations

import pytest
import torch

from vaekit.config.load import load_config
from vaekit.model.build import build_model
from vaekit.objectives import Batch, build_objective
from vaekit.objectives.elbo import elbo_terms

SHAPE = (1, 8, 8)
SMALL = ["model.hidden=[16]", "model.latent_dim=3"]


def _run(*overrides: str, step: int | None = 7):
    cfg = load_config(overrides=[*SMALL, *overrides])
    torch.manual_seed(0)
    model = build_model(cfg.model, SHAPE)
    x = (torch.rand(6, *SHAPE, generator=torch.Generator().manual_seed(1)) > 0.5).float()
    out = build_objective(cfg.objective)(model, Batch(x), step, torch.Generator().manual_seed(2))
    return model, x, out


def test_beta_one_beta_vae_equals_the_plain_vae_loss_exactly():
    _, _, vae = _run("model.variant=vae")
    _, _, beta1 = _run("model.variant=beta_vae", "objective.beta=1")
    assert torch.equal(vae.loss, beta1.loss) and torch.equal(vae.bound, beta1.bound)
    _, _, beta4 = _run("model.variant=beta_vae")  # the preset's beta = 4 does differ
    assert not torch.equal(vae.loss, beta4.loss)


def test_beta_weights_the_kl_and_evaluation_is_the_plain_elbo():
    _, _, out = _run("model.variant=beta_vae")
    assert torch.allclose(out.loss, -out.recon.mean() + 4.0 * out.kl.mean())
    _, _, ev = _run("model.variant=beta_vae", step=None)
    assert torch.allclose(ev.loss, -(ev.recon - ev.kl).mean())


def test_capacity_rises_linearly_to_its_maximum():
    cfg = load_config(overrides=["objective.name=capacity", "objective.capacity_max=20",
                                 "objective.capacity_steps=100"])
    obj = build_objective(cfg.objective)
    assert [obj.capacity_at(s) for s in (0, 50, 100, 1000)] == [0.0, 10.0, 20.0, 20.0]
    assert obj.beta_at(3) == cfg.objective.option("gamma")


@pytest.mark.parametrize("step", [0, 50, 10_000])
def test_capacity_loss_is_recon_plus_gamma_abs_kl_minus_c(step):
    over = ["model.variant=beta_vae", "objective.name=capacity", "objective.gamma=10",
            "objective.capacity_max=5", "objective.capacity_steps=100"]
    _, _, out = _run(*over, step=step)
    c = 5.0 * min(1.0, step / 100)
    expected = -out.recon.mean() + 10.0 * (out.kl.mean() - c).abs()
    assert torch.allclose(out.loss, expected) and float(out.stats["capacity"]) == c
    _, _, ev = _run(*over, step=None)  # evaluation: the honest -ELBO, no capacity term
    assert torch.allclose(ev.loss, -ev.bound.mean()) and "capacity" not in ev.stats


def test_capacity_pushes_the_kl_up_when_it_is_below_c():
    cfg = load_config(overrides=[*SMALL, "objective.name=capacity", "objective.capacity_max=50",
                                 "objective.capacity_steps=1", "objective.gamma=100"])
    torch.manual_seed(0)
    model = build_model(cfg.model, SHAPE)
    x = (torch.rand(32, *SHAPE, generator=torch.Generator().manual_seed(1)) > 0.5).float()
    obj, g = build_objective(cfg.objective), torch.Generator().manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    kl0 = elbo_terms(model, x, g).kl.mean().item()
    for step in range(30):
        loss = obj(model, Batch(x), step + 1, g).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert elbo_terms(model, x, g).kl.mean().item() > kl0 + 5.0
