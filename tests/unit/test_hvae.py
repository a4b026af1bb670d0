"""The ladder latent and its per-layer ELBO, on tiny tensors."""

import math

import torch

from vaekit.config.load import load_config
from vaekit.dists.gaussian import DiagGaussian
from vaekit.model.build import build_model
from vaekit.model.latents.hierarchical import combine
from vaekit.objectives import build_objective
from vaekit.objectives.base import Batch
from vaekit.objectives.hierarchical import layer_kl_loss

SIZES = [4, 3, 2]  # z1, z2, z3


def _model(**objective):
    cfg = load_config(base={"model": {"variant": "hvae", "hidden": [32], "latent_dim": SIZES[0],
                                      "latent_args": {"layers": SIZES[1:], "hidden": 16}},
                            "objective": objective})
    torch.manual_seed(0)
    return build_model(cfg.model, (1, 8, 8)), build_objective(cfg.objective)


def _x(n=6):
    return (torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(3)) > 0.5).float()


def test_precision_weighted_combination_exact_values():
    a = DiagGaussian(torch.tensor([[0.0]]), torch.tensor([[0.0]]))  # N(0, 1)
    b = DiagGaussian(torch.tensor([[3.0]]), torch.log(torch.tensor([[2.0]])))  # N(3, 2)
    c = combine(a, b)  # precision 1 + 1/2 -> variance 2/3, mean (0 + 3/2) * 2/3 = 1
    assert torch.allclose(c.mu, torch.tensor([[1.0]]))
    assert torch.allclose(c.logvar.exp(), torch.tensor([[2 / 3]]))


def test_layer_kls_are_non_negative_and_sum_to_the_total():
    model, objective = _model()
    out = objective(model, Batch(_x()), None, torch.Generator().manual_seed(0))
    assert out.kl_per_dim.shape == (6, sum(SIZES))
    assert (out.kl_per_dim >= 0).all()
    layers = [out.stats[f"kl_z{i + 1}"] for i in range(len(SIZES))]
    assert all(float(v) >= 0 for v in layers)
    assert torch.allclose(sum(layers), out.kl.mean(), atol=1e-5)
    assert torch.allclose(out.kl, out.kl_per_dim.sum(-1))


def test_closed_form_kl_matches_the_monte_carlo_log_ratio():
    model, _ = _model()
    with torch.no_grad():
        q = model.encode(_x(2))
        g = torch.Generator().manual_seed(0)
        layers = q.path(g, n=20000).kl_layers()  # closed form given the sampled parents
        analytic = torch.cat(layers, -1).sum(-1).mean(0)
        z = q.rsample(20000, generator=g)
        mc = (q.log_prob(z) - model.prior.log_prob(z)).mean(0)
    assert torch.allclose(analytic, mc, rtol=0.03, atol=0.02), (analytic, mc)


def test_log_prob_of_a_path_is_the_sum_of_its_layers():
    model, _ = _model()
    with torch.no_grad():
        q = model.encode(_x(3))
        path = q.path(torch.Generator().manual_seed(1))
        parts = path.z.split(SIZES, -1)
        by_layer = sum(ql.log_prob(zl) for ql, zl in zip(path.posteriors, parts, strict=True))
        assert torch.allclose(q.log_prob(path.z), by_layer, atol=1e-5)
        prior = sum(pl.log_prob(zl) for pl, zl in zip(path.priors, parts, strict=True))
        assert torch.allclose(model.prior.log_prob(path.z), prior, atol=1e-5)


def test_prior_samples_go_top_down():
    model, _ = _model()
    z = model.prior.sample(5, generator=torch.Generator().manual_seed(0))
    assert z.shape == (5, sum(SIZES))
    assert model.sample(5).shape == (5, 1, 8, 8)
    # At temperature ~0 every layer is its conditional mean given the layer above (z3 = 0).
    cold = model.prior.sample(2, temperature=1e-6)
    with torch.no_grad():
        top_down = model.latent.down[1](torch.zeros(1, SIZES[2])).chunk(2, -1)[0]
    assert torch.allclose(cold[:, SIZES[0] : SIZES[0] + SIZES[1]], top_down.expand(2, -1),
                          atol=1e-4)


def test_free_bits_count_per_layer():
    kl1 = torch.full((8,), 0.04)  # 0.04 nats per example in 4 units, budget 4 * 0.1 = 0.4
    kl2 = torch.full((8,), 2.0)  # 2 nats in 2 units, above its budget 0.2
    assert math.isclose(float(layer_kl_loss([kl1, kl2], [4, 2], beta=1.0, free_bits=0.1)), 2.4,
                        rel_tol=1e-6)
    assert math.isclose(float(layer_kl_loss([kl1, kl2], [4, 2], beta=0.5, free_bits=0.0)),
                        0.5 * 2.04, rel_tol=1e-6)


def test_training_loss_uses_warmup_and_evaluation_is_the_plain_elbo():
    model, objective = _model(kl_warmup_steps=10, free_bits=0.0)
    x = _x()
    at0 = objective(model, Batch(x), 0, torch.Generator().manual_seed(0))
    assert torch.isclose(at0.loss, -at0.recon.mean())  # beta = 0 at step 0
    half = objective(model, Batch(x), 5, torch.Generator().manual_seed(0))
    assert torch.isclose(half.loss, -half.recon.mean() + 0.5 * half.kl.mean(), atol=1e-4)
    ev = objective(model, Batch(x), None, torch.Generator().manual_seed(0))
    assert torch.isclose(ev.loss, -ev.bound.mean())


def test_iw_bound_is_above_the_elbo():
    from vaekit.eval.iw import iw_estimate

    model, _ = _model()
    est = iw_estimate(model, _x(), k=200, generator=torch.Generator().manual_seed(0))
    assert (est.log_px >= est.elbo - 1e-9).all()
    assert float((est.log_px - est.elbo).mean()) > 0


def test_evaluation_reports_kl_and_active_units_per_layer():
    from vaekit.eval.evaluate import evaluate

    model, _ = _model()
    res = evaluate(model, data=_x(20), k=5)
    assert [r["layer"] for r in res.layers] == ["z1", "z2", "z3"]
    assert [r["size"] for r in res.layers] == SIZES
    assert math.isclose(sum(r["kl"] for r in res.layers), res.kl, rel_tol=1e-6)
    assert all(0 <= r["active_units"] <= r["size"] for r in res.layers)
    assert sum(r["active_units"] for r in res.layers) == res.active_units
    assert "layer z2: KL" in res.table()
    assert res.nll <= -res.elbo + 1e-9


def test_an_extrapolating_top_down_prior_cannot_overflow_the_kl():
    """A top-down MLP that extrapolates to a log-variance of -90 at some sampled parent (one
    went past float32's exp range after 177 epochs of configs/hvae.yaml) gives a bounded
    variance and a finite loss and gradient."""
    from vaekit.model.latents.hierarchical import LOGVAR_BOUND

    model, objective = _model()
    with torch.no_grad():
        last = model.latent.down[0][-1]  # p(z1 | z2): (mu, logvar) of z1
        last.bias[SIZES[0]:] = -90.0
        last.weight[SIZES[0]:] = 0.0
    out = objective(model, Batch(_x()), 10_000, torch.Generator().manual_seed(0))
    assert torch.isfinite(out.loss) and torch.isfinite(out.kl).all()
    out.loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
    with torch.no_grad():
        path = model.encode(_x()).path(torch.Generator().manual_seed(0))
    assert float(path.priors[0].logvar.min()) == -LOGVAR_BOUND
