"""The conv hierarchical latent: groups on feature maps, top-down, NVAE-style posteriors."""

import math
from copy import deepcopy

import pytest
import torch

from vaekit.config.load import load_config
from vaekit.errors import ConfigError
from vaekit.eval.iw import iw_estimate
from vaekit.model.build import build_model
from vaekit.model.latents.conv_hierarchical import ConvLadderLatent
from vaekit.objectives import build_objective
from vaekit.objectives.base import Batch


def _perturbed(module: torch.nn.Module, scale: float = 0.3) -> torch.nn.Module:
    """Move every weight off its init (each residual branch starts at zero: the identity)."""
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(scale * torch.randn(p.shape, generator=g))
    return module


def _model(**latent_args):
    cfg = load_config(base={"model": {"variant": "conv_hvae", "channels": [4, 8], "latent_dim": 2,
                                      "latent_args": {"channels": 8, **latent_args}}})
    torch.manual_seed(0)
    return _perturbed(build_model(cfg.model, (1, 8, 8)).eval()), build_objective(cfg.objective)


def _x(n=5):
    return (torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(3)) > 0.5).float()


def test_groups_live_on_maps_at_their_scales():
    model, _ = _model(groups=[1, 2, 2])  # the encoder's map is 2x2: scales 2x2, 1x1, 1x1
    assert model.latent.layer_sizes() == [2 * 4, 2 * 4, 2 * 1, 2 * 1, 2 * 1]
    assert model.latent_dim == 22
    q = model.encode(_x())
    assert q.rsample().shape == (5, 22) and q.mean.shape == (5, 22)


def _tiny() -> ConvLadderLatent:
    """Two one-number groups on a 1x1 map: z = (z1, z2), small enough to integrate on a grid."""
    torch.manual_seed(0)
    return _perturbed(ConvLadderLatent(3, 1, (3, 1, 1), groups=[1, 1], channels=6), 0.2)


def _grid(n=601, r=12.0):
    t = torch.linspace(-r, r, n, dtype=torch.float64)
    z = torch.stack(torch.meshgrid(t, t, indexing="ij"), -1).reshape(-1, 2)
    return z, (t[1] - t[0]) ** 2


def test_prior_and_posterior_densities_integrate_to_one():
    latent = _tiny().double()
    z, cell = _grid()
    with torch.no_grad():
        prior = latent.own_prior().log_prob(z).exp()
        post = latent(torch.randn(1, 3, dtype=torch.float64)).log_prob(z.unsqueeze(1)).exp()
    assert float(prior.sum() * cell) == pytest.approx(1.0, abs=1e-4)
    assert float(post.sum() * cell) == pytest.approx(1.0, abs=1e-4)


def test_prior_draws_follow_the_prior_density():
    latent = _tiny()
    z, cell = _grid()
    with torch.no_grad():
        density = latent.double().own_prior().log_prob(z).exp() * cell
        draws = latent.float().own_prior().sample(40_000, generator=torch.Generator().manual_seed(1))
    mean = (density.unsqueeze(1) * z).sum(0)
    second = (density.unsqueeze(1) * z**2).sum(0)
    se = ((second - mean**2) / 40_000).sqrt()
    assert ((draws.mean(0) - mean).abs() < 4 * se).all()


def test_closed_form_group_kls_match_the_monte_carlo_log_ratio():
    latent = _tiny()
    with torch.no_grad():
        q = latent(torch.randn(1, 3))
        path = q.path(torch.Generator().manual_seed(2), n=50_000)
        kl = torch.cat(path.kl_layers(), -1).sum(-1)  # (n, 1): closed form given the parents
        ratio = q.log_prob(path.z) - latent.own_prior().log_prob(path.z)
    assert (kl >= 0).all()
    se = float(ratio.std() / 50_000**0.5)
    assert float(kl.mean()) == pytest.approx(float(ratio.mean()), abs=4 * se)


def test_draws_with_a_sample_dimension_match_one_draw_at_a_time():
    model, _ = _model()
    with torch.no_grad():
        q = model.encode(_x())
        z = q.rsample(3, torch.Generator().manual_seed(0))  # (3, 5, D)
        together = model.decode(z.reshape(15, -1)).logits.view(3, 5, 1, 8, 8)
        lq = q.log_prob(z)
        for k in range(3):
            assert torch.allclose(together[k], model.decode(z[k].clone()).logits, atol=1e-5)
            assert torch.allclose(lq[k], q.log_prob(z[k]), atol=1e-5)


def test_a_draw_carries_the_state_and_densities_a_walk_given_z_finds_again():
    model, objective = _model()
    x = _x()
    q = model.encode(x)
    draw = q.rsample_with_log_prob(3, generator=torch.Generator().manual_seed(0))
    z = draw.z.clone()  # another tensor: every use below walks the top-down path again
    assert torch.allclose(draw.readout, model.latent.readout(z.view(15, -1)), atol=1e-5)
    assert torch.allclose(draw.log_q, q.log_prob(z), atol=1e-4)
    assert torch.allclose(draw.log_p, model.prior.log_prob(z), atol=1e-4)
    assert torch.allclose(draw.layers, q.log_ratio_layers(model.prior, z), atol=1e-4)
    out = objective(model, Batch(x), 0)
    out.loss.backward()  # gradients reach the top-down cells through the carried state
    assert model.latent.out.branch[-1].weight.grad.abs().sum() > 0
    assert model.latent.cells[0].branch[-1].weight.grad.abs().sum() > 0
    copy = deepcopy(model)
    assert torch.equal(copy.reconstruct(x), model.reconstruct(x))


def test_the_iw_bound_walks_the_top_down_path_once_per_draw(monkeypatch):
    model, _ = _model()
    x, walks, walk = _x(), [], ConvLadderLatent._walk
    monkeypatch.setattr(ConvLadderLatent, "_walk",
                        lambda self, e, pick: walks.append(e is None) or walk(self, e, pick))
    seed = torch.Generator().manual_seed

    once = iw_estimate(model, x, k=6, chunk=10, generator=seed(1))  # 3 calls of 2 draws each
    assert len(walks) == 3  # the draw's walk; decoding and log q - log p come with the draw
    with torch.no_grad():  # the same draws, each use of z walking the path again
        q, g, log_w = model.encode(x), seed(1), []
        for _ in range(3):
            z = q.rsample(2, generator=g)
            log_px = model.decode(z.flatten(0, 1)).log_prob(x.repeat(2, 1, 1, 1)).view(2, 5)
            log_w.append(log_px + model.prior.log_prob(z) - q.log_prob(z))
        again = torch.logsumexp(torch.cat(log_w).double(), 0) - math.log(6)
    assert torch.allclose(once.log_px, again, atol=1e-4)


@pytest.mark.parametrize(("model", "match"), [
    ({"arch": "mlp"}, "use model.arch=conv or model.arch=resnet"),
    ({"conditioner": "onehot", "num_classes": 10}, "leave model.conditioner unset"),
    ({"latent_args": {"groups": [2, 0]}}, "at least one at each"),
    ({"latent_args": {"feature_map": [1, 2, 2]}}, "has no option feature_map"),
])
def test_a_bad_composition_is_one_clear_error(model, match):
    with pytest.raises(ConfigError, match=match):  # in validation or when building
        cfg = load_config(base={"model": {"variant": "conv_hvae", "latent_dim": 2, **model}})
        build_model(cfg.model, (1, 8, 8))
