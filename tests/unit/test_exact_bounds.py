"""The bounds of ``vaekit.evaluate`` against log p(x) computed by another path, on a model small
enough to integrate: 2x2 binary images, one latent z ~ N(0, 1), p(x|z) Bernoulli with logits
W z + b (a linear decoder). log p(x) comes from Gauss-Hermite quadrature over z, written here
from the formulas, not from the model's own log-densities; over all 16 images p(x) sums to 1.

Each check also runs on deliberately broken models (a likelihood missing its normalizer, a
prior off by a constant) and must reject them: a check that only compares a quantity with its
own definition (the ELBO against the IW bound of the same draws) would pass them.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

import vaekit
from vaekit.config.schema import ModelConfig
from vaekit.model.build import build_model

pytestmark = pytest.mark.usefixtures("one_thread")

IMAGES = torch.tensor(list(itertools.product([0.0, 1.0], repeat=4))).view(16, 1, 2, 2)
W = torch.tensor([2.0, -1.5, 1.0, 0.5])
B = torch.tensor([-0.5, 0.3, 0.0, 1.0])
BREAK = 0.5  # nats added by a broken part


def tiny(mu: float = 0.0, sigma: float = 1.5, follow: float = 0.0):
    """The 2x2 model with the decoder above; q(z|x) = N(mu + follow * (x . W), sigma^2):
    ``follow`` > 0 lets the encoder track the image, ``sigma`` > 1 gives heavy tails."""
    model = build_model(ModelConfig(hidden=[], latent_dim=1, likelihood="bernoulli"),
                        (1, 2, 2)).eval()
    with torch.no_grad():
        model.decoder[0].weight.copy_(W[:, None])
        model.decoder[0].bias.copy_(B)
        model.latent.mu.weight.copy_(follow * W[None])
        model.latent.mu.bias.fill_(mu)
        model.latent.logvar.weight.zero_()
        model.latent.logvar.bias.fill_(2 * math.log(sigma))
    return model


def exact_log_px(images: torch.Tensor = IMAGES) -> torch.Tensor:
    """log p(x) = log E_{z ~ N(0,1)} prod_d Bern(x_d; sigmoid(W_d z + b_d)), by 120-point
    Gauss-Hermite quadrature in float64: (N,) nats."""
    t, w = np.polynomial.hermite.hermgauss(120)
    z = torch.tensor(t * math.sqrt(2.0))  # nodes for N(0, 1)
    log_w = torch.tensor(np.log(w / math.sqrt(math.pi)))
    logits = z[:, None] * W.double() + B.double()  # (Z, 4)
    x = images.flatten(1).double()  # (N, 4)
    log_lik = (x[:, None] * torch.nn.functional.logsigmoid(logits)
               + (1 - x[:, None]) * torch.nn.functional.logsigmoid(-logits)).sum(-1)  # (N, Z)
    return torch.logsumexp(log_lik + log_w, -1)


class _Shifted:
    """A distribution whose log_prob is the wrapped one's plus a constant (and otherwise the same)."""

    def __init__(self, dist, shift: float) -> None:
        self._dist, self._shift = dist, shift

    def log_prob(self, x):
        return self._dist.log_prob(x) + self._shift

    def __getattr__(self, name):
        return getattr(self._dist, name)


def broken(model, part: str, monkeypatch):
    """``model`` with a likelihood missing a normalizer or a prior off by a constant (BREAK nats)."""
    if part == "likelihood":
        decode = model.decode
        monkeypatch.setattr(model, "decode",
                            lambda z, y=None, *rest: _Shifted(decode(z, y, *rest), BREAK))
    else:
        log_prob = model.prior.log_prob
        monkeypatch.setattr(model.prior, "log_prob", lambda z: log_prob(z) + BREAK)
    return model


def iw_per_image(model, k: int, copies: int = 8, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """IW_k of each of the 16 images by ``vaekit.evaluate``: the mean of ``copies`` independent
    estimates and its standard error, (16,) nats each."""
    results = [vaekit.evaluate(model, IMAGES[i : i + 1].repeat(copies, 1, 1, 1), k=k, seed=seed + i)
               for i in range(16)]
    return torch.tensor([-r.nll for r in results]), torch.tensor([r.nll_se for r in results])


def test_the_quadrature_is_a_distribution_over_the_16_images():
    assert float(exact_log_px().exp().sum()) == pytest.approx(1.0, abs=1e-12)


def test_iw_at_large_k_is_the_exact_log_likelihood_and_sums_to_one():
    exact = exact_log_px()
    iw, se = iw_per_image(tiny(), k=2000)
    assert float(se.max()) < 0.02  # each image's mean of 8 estimates is that precise ...
    assert bool(((iw - exact).abs() < 4 * se + 1e-3).all()), (iw - exact, se)  # ... and on target
    assert float(iw.exp().sum()) == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("part", ["likelihood", "prior"])
def test_a_broken_model_fails_the_exact_check(part, monkeypatch):
    model = broken(tiny(), part, monkeypatch)
    iw, _ = iw_per_image(model, k=2000)
    assert float((iw - exact_log_px()).abs().max()) > 0.2
    assert float(iw.exp().sum()) > 1.5  # p(x) summed over every image: not a distribution


def _steps_up(model) -> list[tuple[float, float]]:
    """(mean gap, its standard error) over the 16 images, for IW_1 -> IW_4 -> IW_32 -> IW_256 ->
    log p(x) (exact)."""
    bounds = [iw_per_image(model, k, copies=50, seed=100 * k) for k in (1, 4, 32, 256)]
    out = []
    for (lo, lo_se), (hi, hi_se) in itertools.pairwise([*bounds, (exact_log_px(), torch.zeros(16))]):
        out.append((float((hi - lo).mean()), float((lo_se**2 + hi_se**2).sum().sqrt()) / 16))
    return out


def test_iw_rises_with_k_toward_log_px():
    """A poor encoder (shifted, too narrow): IW_1 < IW_4 < IW_32 < IW_256 < log p(x) on average
    over the 16 images, each gap beyond 4 standard errors of the Monte Carlo noise."""
    for gap, se in _steps_up(tiny(mu=1.0, sigma=0.5)):
        assert gap > 4 * se, (gap, se)


@pytest.mark.parametrize("part", ["likelihood", "prior"])
def test_a_broken_model_rises_above_log_px(part, monkeypatch):
    *_, (last, se) = _steps_up(broken(tiny(mu=1.0, sigma=0.5), part, monkeypatch))
    assert last < -4 * se  # IW_256 above the exact log p(x): no bound at all


def _epoch_bound(model, x: torch.Tensor, draws: int) -> torch.Tensor:
    """The bound the trainer reports after each epoch (the objective at step None), ``draws``
    independent draws per example: (draws * N,) nats."""
    from vaekit.config.schema import ObjectiveConfig
    from vaekit.objectives import Batch, build_objective

    objective = build_objective(ObjectiveConfig())
    g = torch.Generator().manual_seed(11)
    with torch.no_grad():
        return torch.cat([objective(model, Batch(x), None, g).bound for _ in range(draws)])


def _k1_gap(model) -> tuple[float, float]:
    """(mean of the per-epoch ELBO - IW_1 of the evaluation, its standard error)."""
    x = IMAGES.repeat(50, 1, 1, 1)
    epoch = _epoch_bound(model, x, 2)
    r = vaekit.evaluate(model, x.repeat(2, 1, 1, 1), k=1, seed=3)
    se = math.hypot(float(epoch.std()) / math.sqrt(len(epoch)), r.nll_se)
    return float(epoch.mean()) + r.nll, se


def test_the_per_epoch_bound_is_the_evaluation_at_k_1_in_expectation():
    """Two paths to the same expectation: the objective's ELBO (closed-form KL) and the
    evaluation's single importance weight (log p(x|z) + log p(z) - log q(z|x))."""
    gap, se = _k1_gap(tiny(mu=0.3, sigma=0.8, follow=0.2))
    assert abs(gap) < 4 * se, (gap, se)


def test_a_prior_off_by_a_constant_fails_the_k_1_check(monkeypatch):
    gap, se = _k1_gap(broken(tiny(mu=0.3, sigma=0.8, follow=0.2), "prior", monkeypatch))
    assert abs(gap) > 4 * se and gap == pytest.approx(-BREAK, abs=4 * se)
