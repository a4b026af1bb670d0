"""IWAE: K = 1 is the ELBO with the same noise; the K draws are batched correctly; L_K rises."""

from __future__ import annotations

import math

import torch

from vaekit.config.load import load_config
from vaekit.model.build import build_model
from vaekit.objectives import Batch, build_objective
from vaekit.objectives.elbo import elbo_terms
from vaekit.objectives.weights import iw_bound, log_weights

SHAPE = (1, 8, 8)


def _model_and_x(n: int = 8):
    cfg = load_config(overrides=["model.hidden=[16]", "model.latent_dim=3"])
    torch.manual_seed(0)
    model = build_model(cfg.model, SHAPE).eval()
    x = (torch.rand(n, *SHAPE, generator=torch.Generator().manual_seed(1)) > 0.5).float()
    return model, x


def _iwae(k: int):
    return build_objective(load_config(overrides=["model.variant=iwae", f"objective.k={k}"]).objective)


def test_iw_bound_is_a_stable_log_mean_exp():
    log_w = torch.tensor([[0.0, 1000.0], [math.log(3.0), 1000.0]])
    assert torch.allclose(iw_bound(log_w), torch.tensor([math.log(2.0), 1000.0]))


def test_k1_equals_the_elbo_with_the_same_noise():
    model, x = _model_and_x()
    out = _iwae(1)(model, Batch(x), None, torch.Generator().manual_seed(3))
    t = elbo_terms(model, x, torch.Generator().manual_seed(3))
    z = t.posterior.rsample(generator=torch.Generator().manual_seed(3))
    # The same z: log p(x|z) is identical and the KL is its one-sample estimate log q - log p.
    kl_mc = t.posterior.log_prob(z) - model.prior.log_prob(z)
    assert torch.equal(out.recon, t.recon)
    assert torch.allclose(out.bound, t.recon - kl_mc, atol=1e-5)
    assert torch.equal(out.kl, t.kl)  # monitoring: the closed-form KL, as the ELBO reports


def test_k1_bound_averages_to_the_closed_form_elbo():
    model, x = _model_and_x(4)
    with torch.no_grad():
        # 20000 one-sample bounds at once: the rows of log_w are independent K = 1 draws.
        q = model.encode(x)
        w = log_weights(model, q, x, 20000, torch.Generator().manual_seed(0))
        elbo = w.log_px.mean(0) - q.kl(model.prior)
    assert torch.allclose(w.log_w.mean(0), elbo, atol=0.05)


def test_the_k_draws_are_batched_sample_major():
    model, x = _model_and_x(5)
    q = model.encode(x)
    w = log_weights(model, q, x, 3, torch.Generator().manual_seed(4))
    log_w, log_px = w.log_w, w.log_px
    z = q.rsample(3, generator=torch.Generator().manual_seed(4))
    for k in range(3):  # one draw at a time, no batching over K
        px = model.decode(z[k]).log_prob(x)
        assert torch.allclose(log_px[k], px, atol=1e-5)
        assert torch.allclose(log_w[k], px + model.prior.log_prob(z[k]) - q.log_prob(z[k]),
                              atol=1e-5)


def test_the_bound_tightens_with_k_and_training_mode_minimizes_it():
    model, x = _model_and_x(16)
    with torch.no_grad():
        b1 = _iwae(1)(model, Batch(x), None, torch.Generator().manual_seed(0)).bound.mean()
        b50 = _iwae(50)(model, Batch(x), None, torch.Generator().manual_seed(0)).bound.mean()
    assert b50 > b1 + 0.1
    out = _iwae(5)(model, Batch(x), 0, torch.Generator().manual_seed(0))
    assert torch.equal(out.loss, -out.bound.mean())
    assert 1.0 <= float(out.stats["iw_ess"]) <= 5.0


def test_labels_are_repeated_per_draw_for_a_conditional_model():
    cfg = load_config(overrides=["model.variant=cvae", "objective.name=iwae", "objective.k=4",
                                 "model.hidden=[16]", "model.latent_dim=3"])
    torch.manual_seed(0)
    model = build_model(cfg.model, SHAPE).eval()
    x = (torch.rand(6, *SHAPE, generator=torch.Generator().manual_seed(1)) > 0.5).float()
    y = torch.tensor([0, 1, 2, 3, 4, 5])
    q = model.encode(x, y)
    log_px = log_weights(model, q, x, 4, torch.Generator().manual_seed(2), y).log_px
    z = q.rsample(4, generator=torch.Generator().manual_seed(2))
    assert torch.allclose(log_px[2], model.decode(z[2], y).log_prob(x), atol=1e-5)


def _grads(model, loss) -> dict[str, torch.Tensor]:
    model.zero_grad()
    loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def test_dreg_keeps_the_bound_and_the_decoder_gradient_and_reweights_the_encoders():
    """DReG (Tucker et al. 2019): the same L_K and decoder gradient as IWAE; the encoder's
    gradient is -sum_k wbar_k^2 d log w_k / dz_k dz_k / dphi with log q's parameters held."""
    model, x = _model_and_x(6)
    model.train()
    cfg = load_config(overrides=["model.variant=iwae", "objective.k=4", "objective.gradient=dreg"])
    dreg = build_objective(cfg.objective)
    out = dreg(model, Batch(x), 0, torch.Generator().manual_seed(5))
    standard = _iwae(4)(model, Batch(x), 0, torch.Generator().manual_seed(5))
    assert torch.allclose(out.loss, standard.loss) and torch.allclose(out.bound, standard.bound)
    got, iwae = _grads(model, out.loss), _grads(model, standard.loss)
    decoder = [n for n in got if n.startswith(("decoder", "likelihood"))]
    encoder = [n for n in got if n.startswith(("encoder", "latent"))]
    assert decoder and encoder
    assert all(torch.allclose(got[n], iwae[n], atol=1e-6) for n in decoder)
    # The estimator written out: reparameterized draws, q's parameters held in log q.
    q = model.encode(x)
    z = q.rsample(4, generator=torch.Generator().manual_seed(5))
    held = type(q)(q.mu.detach(), q.logvar.detach())
    log_px = model.decode(z.reshape(24, -1)).log_prob(x.repeat(4, 1, 1, 1)).view(4, 6)
    log_w = log_px + model.prior.log_prob(z) - held.log_prob(z)
    wbar = torch.softmax(log_w.detach(), 0)
    expected = _grads(model, -(wbar**2 * log_w).sum(0).mean())
    assert all(torch.allclose(got[n], expected[n], atol=1e-6) for n in encoder)
    assert not all(torch.allclose(got[n], iwae[n], atol=1e-6) for n in encoder)
