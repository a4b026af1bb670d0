"""The ladder with the model's prior on its top layer: the VampPrior as p(z_L)."""

import pytest
import torch

from vaekit.config.load import load_config
from vaekit.dists.gaussian import DiagGaussian
from vaekit.errors import ConfigError
from vaekit.eval.iw import iw_estimate
from vaekit.model.build import build_model
from vaekit.objectives import build_objective
from vaekit.objectives.base import Batch

SIZES = [4, 3]  # z1, z2
SHAPE = (1, 8, 8)


def _cfg(**model):
    return load_config(base={"model": {"variant": "hvae_vamp", "hidden": [32],
                                       "latent_dim": SIZES[0], "prior_args": {"components": 5},
                                       "latent_args": {"layers": SIZES[1:], "hidden": 16},
                                       **model}})


def _model(**model):
    torch.manual_seed(0)
    cfg = _cfg(**model)
    return build_model(cfg.model, SHAPE), build_objective(cfg.objective)


def _x(n=6):
    return (torch.rand(n, *SHAPE, generator=torch.Generator().manual_seed(3)) > 0.5).float()


def test_the_top_layer_prior_is_the_vamp_mixture_of_top_posteriors():
    model, _ = _model()
    top = model.latent.top_prior
    assert "VampPrior, 5 pseudo-inputs" in model.prior.description
    assert "latent.top_prior.raw" in model.state_dict()
    with torch.no_grad():
        z = model.prior.sample(7)
        z1, z2 = z.split(SIZES, -1)
        # p(z2): the uniform mixture of q(z2 | u_k), the top posteriors of the pseudo-inputs
        comps = model.latent.top_posterior(model.encoder(top.pseudo_inputs()))
        per_k = DiagGaussian(comps.mu[None], comps.logvar[None]).log_prob(z2[:, None])
        log_p2 = torch.logsumexp(per_k, -1) - torch.log(torch.tensor(5.0))
        p1 = model.latent.down[0](z2).chunk(2, -1)
        log_p1 = DiagGaussian(*p1).log_prob(z1)
        assert torch.allclose(model.prior.log_prob(z), log_p2 + log_p1, atol=1e-4)


def test_the_top_kl_is_the_monte_carlo_log_ratio_and_the_lower_one_closed_form():
    model, objective = _model()
    out = objective(model, Batch(_x()), None, torch.Generator().manual_seed(0))
    assert out.kl_per_dim is None  # a mixture has no KL per dimension
    assert torch.allclose(out.stats["kl_z1"] + out.stats["kl_z2"], out.kl.mean(), atol=1e-5)
    with torch.no_grad():  # the same draw again
        q = model.encode(_x())
        path = q.path(torch.Generator().manual_seed(0))
        _z1, z2 = path.z.split(SIZES, -1)
        top = q.estimates[-1].log_prob(z2) - model.latent.top_prior.log_prob(z2)
        lower = path.posteriors[0].kl_per_dim(path.priors[0]).sum(-1)
        assert torch.allclose(top + lower, out.kl, atol=1e-4)


def test_the_pseudo_inputs_train_and_the_iw_bound_holds():
    model, objective = _model()
    out = objective(model, Batch(_x()), None, torch.Generator().manual_seed(0))  # no free bits
    out.loss.backward()
    assert model.latent.top_prior.raw.grad.abs().sum() > 0
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        est = iw_estimate(model, _x(), None, 500, 1000, g)
        elbo = objective(model, Batch(_x()), None, g).bound
    assert est.log_px.mean() >= elbo.mean() - 0.5


def test_a_latent_without_a_top_layer_hook_still_refuses_a_prior():
    cfg = load_config(base={"model": {"variant": "vq_vae", "prior": "vamp"}})
    with pytest.raises(ConfigError, match="brings its own prior"):
        build_model(cfg.model, (1, 28, 28))


def test_the_conv_hierarchy_takes_a_vamp_prior_on_its_top_group():
    from copy import deepcopy

    cfg = load_config(base={"model": {"variant": "conv_hvae", "channels": [4, 8], "latent_dim": 2,
                                      "prior": "vamp", "prior_args": {"components": 3},
                                      "latent_args": {"channels": 8, "groups": [1, 2]}}})
    torch.manual_seed(0)
    model, objective = build_model(cfg.model, SHAPE), build_objective(cfg.objective)
    latent = model.latent
    assert "VampPrior, 3 pseudo-inputs" in model.prior.description
    assert "latent.top_prior.raw" in model.state_dict()
    x = _x()
    with torch.no_grad():
        # p(z_top): the mixture of the top posteriors of the pseudo-inputs
        z = model.prior.sample(4, generator=torch.Generator().manual_seed(0))
        top = z.split(latent.layer_sizes(), -1)[-1]
        comps = latent.top_posterior(model.encoder(latent.top_prior.pseudo_inputs()))
        per_k = DiagGaussian(comps.mu[None], comps.logvar[None]).log_prob(top[:, None])
        expected = torch.logsumexp(per_k, -1) - torch.log(torch.tensor(3.0))
        assert torch.allclose(latent.top_prior.log_prob(top), expected, atol=1e-4)
        # the top group's posterior is the one top_posterior gives for the data itself
        q = model.encode(x)
        path = q.path(torch.Generator().manual_seed(1))
        mine = latent.top_posterior(model.encoder(x))
        assert torch.allclose(path.posteriors[-1].mu, mine.mu, atol=1e-5)
        est = iw_estimate(model, x, None, 200, 1000, torch.Generator().manual_seed(2))
        elbo = objective(model, Batch(x), None, torch.Generator().manual_seed(2)).bound
    assert torch.isfinite(est.log_px).all() and est.log_px.mean() >= elbo.mean() - 0.5
    assert est.kl_layers.shape == (len(x), len(latent.layer_sizes()))
    out = objective(model, Batch(x), None, torch.Generator().manual_seed(0))
    out.loss.backward()
    assert latent.top_prior.raw.grad.abs().sum() > 0
    copy = deepcopy(model)  # the EMA's copy encodes pseudo-inputs with its own weights
    with torch.no_grad():
        for p in copy.parameters():
            p.add_(0.1)
        assert not torch.allclose(copy.prior.log_prob(z), model.prior.log_prob(z))


def test_a_conditional_ladder_cannot_have_a_vamp_prior():
    with pytest.raises(ConfigError, match="unconditional"):
        _model(conditioner="onehot", num_classes=10)


def test_the_monte_carlo_kl_splits_over_the_layers_and_evaluate_reports_each():
    from vaekit.eval.data import Split
    from vaekit.eval.evaluate import evaluate_data

    model, _ = _model()
    x = _x(40)
    with torch.no_grad():
        q = model.encode(x)
        z = q.rsample(3, torch.Generator().manual_seed(0))
        split = q.log_ratio_layers(model.prior, z)  # (3, B, 2)
        total = q.log_prob(z) - model.prior.log_prob(z)
    assert split.shape == (3, 40, 2)
    assert torch.allclose(split.sum(-1), total, atol=1e-4)
    data = Split(name="test", x=x, y=None, stored=x, source="toy", binarization="fixed",
                 eight_bit=False)
    res = evaluate_data(model, data, k=2000)
    kls = [r["kl"] for r in res.layers]
    assert [r["kl_estimate"] for r in res.layers] == ["monte carlo"] * 2
    assert sum(kls) == pytest.approx(res.kl, abs=1e-6)
    # z1's Monte Carlo KL given the sampled z2 estimates its closed form (2000 draws each)
    with torch.no_grad():
        path = q.path(torch.Generator().manual_seed(1), n=2000)
        closed = path.posteriors[0].kl_per_dim(path.priors[0]).sum(-1).mean()
    assert kls[0] == pytest.approx(float(closed), abs=0.05)
    assert "layer z2: KL" in res.table() and "(Monte Carlo)" in res.table()
