"""Every discrete likelihood is a probability: its log-probabilities over the whole support of a
tiny example (every image of a few pixels, every level) sum to 1. A likelihood missing its
normalizer fails the same check (shown below)."""

from __future__ import annotations

import itertools

import pytest
import torch

from vaekit import registry

pytestmark = pytest.mark.usefixtures("one_thread")

# Example shapes and, for a likelihood with a ``levels`` option, how many levels: every
# combination is scored (256 levels on 2 pixels: 65,536 images; 4 levels on 3 channels x 2
# pixels, where channels or pixels are modelled jointly: 4,096).
SUPPORTS = [((1, 1, 2), 256), ((3, 1, 2), 4)]


def _discrete() -> list[str]:
    """The registered likelihoods that declare a discrete support on images. A likelihood of rows
    whose layout comes from its data is checked with that data: a table's columns in
    tests/unit/test_tables.py, counts over their unbounded support in
    tests/unit/test_count_likelihoods.py."""
    from vaekit.errors import ConfigError

    out = []
    for name in registry.names("likelihood"):
        if "blocks" in registry.options("likelihood", name):
            continue
        try:
            lik = _build(name, (1, 1, 2), 2)
        except ConfigError:  # it models rows, not images
            continue
        if lik.discrete:
            out.append(name)
    return out


def _build(name: str, shape: tuple[int, ...], levels: int):
    kwargs = {"levels": levels} if "levels" in registry.options("likelihood", name) else {}
    lik = registry.get("likelihood", name)(**kwargs)
    lik.setup(shape)
    return lik


def _support(shape: tuple[int, ...], levels: int) -> torch.Tensor:
    """Every example of ``shape`` whose values lie on ``levels`` levels in [0, 1]: (N, *shape)."""
    values = torch.linspace(0, 1, levels).tolist()
    d = torch.Size(shape).numel()
    return torch.tensor(list(itertools.product(values, repeat=d))).reshape(-1, *shape)


def total_probability(log_prob, shape: tuple[int, ...], levels: int) -> float:
    """sum over the support of exp(log_prob(x)), in float64."""
    return float(torch.logsumexp(log_prob(_support(shape, levels)).double(), 0).exp())


@torch.no_grad()
def _dist(name: str, shape: tuple[int, ...], levels: int, seed: int):
    torch.manual_seed(seed)
    lik = _build(name, shape, levels)
    levels = levels if "levels" in registry.options("likelihood", name) else 2
    params = torch.randn(1, lik.params_per_dim * shape[0], *shape[1:]) * 1.5
    n = levels ** torch.Size(shape).numel()
    return lik(params.expand(n, *params.shape[1:])), levels


def test_the_discrete_likelihoods_are_found():
    assert {"bernoulli", "discretized_logistic", "discretized_logistic_rgb",
            "pixelcnn"} <= set(_discrete())


@pytest.mark.parametrize(("shape", "levels"), SUPPORTS)
def test_log_probabilities_over_the_support_sum_to_one(shape, levels):
    """Each discrete likelihood (found when the test runs, not when it is collected), at two
    random parameter settings."""
    for name, seed in itertools.product(_discrete(), (0, 1)):
        dist, levels_used = _dist(name, shape, levels, seed)
        with torch.no_grad():
            total = total_probability(dist.log_prob, shape, levels_used)
        assert total == pytest.approx(1.0, abs=2e-4), (name, shape, seed)


@pytest.mark.parametrize("shift", [0.05, -0.3])
def test_a_likelihood_missing_its_normalizer_fails_the_check(shift):
    """The check rejects log p + c: a constant left out of a log-density."""
    dist, levels = _dist("discretized_logistic", (1, 1, 2), 256, 0)
    with torch.no_grad():
        total = total_probability(lambda x: dist.log_prob(x) + shift, (1, 1, 2), levels)
    assert total != pytest.approx(1.0, abs=2e-4)
    assert total == pytest.approx(float(torch.tensor(shift).exp()), rel=1e-3)


def _continuous_priors():
    """(name, model) for each registered prior that builds on a 2-D Gaussian latent (a prior
    fitted on discrete codes after training has its own check: tests/unit/test_ar_prior.py)."""
    from vaekit.config.schema import ModelConfig
    from vaekit.errors import ConfigError
    from vaekit.model.build import build_model

    out = []
    for name in registry.names("prior"):
        torch.manual_seed(0)
        try:
            model = build_model(ModelConfig(hidden=[16], latent_dim=2, prior=name), (1, 4, 4))
        except ConfigError:
            continue
        out.append((name, model.eval()))
    return out


def prior_mass(log_prob, half_width: float = 9.0, n: int = 181) -> float:
    """The integral of exp(log_prob(z)) over the square [-half_width, half_width]^2 (midpoint
    rule on an n x n grid), float64."""
    edges = torch.linspace(-half_width, half_width, n + 1, dtype=torch.float64)
    mid = (edges[1:] + edges[:-1]) / 2
    z = torch.cartesian_prod(mid, mid)
    step = 2 * half_width / n
    with torch.no_grad():
        return float((log_prob(z.float()).double().exp() * step**2).sum())


def test_every_prior_on_a_continuous_latent_integrates_to_one():
    priors = _continuous_priors()
    assert {"standard_normal", "mog", "vamp"} <= {name for name, _ in priors}
    for name, model in priors:
        assert prior_mass(model.prior.log_prob) == pytest.approx(1.0, abs=1e-3), name


def test_a_prior_off_by_a_constant_fails_the_check():
    _, model = _continuous_priors()[0]
    mass = prior_mass(lambda z: model.prior.log_prob(z) - 0.1)
    assert mass != pytest.approx(1.0, abs=1e-3) and mass == pytest.approx(0.905, abs=1e-3)
