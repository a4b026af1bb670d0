"""The prior fitted on a table run's codes: a normalized density equal to scikit-learn's, whose
draws have its moments, fitted to draws of q(z|x) so that a held-out bound improves on N(0, I)
where the codes are not N(0, I)."""

import math

import numpy as np
import pytest
import torch

from vaekit.dists.priors.base import PriorContext
from vaekit.dists.priors.code_mixture import CodeMixture, code_mixture, components_for
from vaekit.samplers.gmm import GaussianMixtureSampler


def _codes(n: int = 3000, seed: int = 0) -> torch.Tensor:
    """Three separated clusters in 2-D, one of them elongated."""
    g = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    c = torch.randint(3, (n,), generator=g)
    z = torch.randn(n, 2, generator=g) * torch.tensor([0.5, 0.3])
    z[c == 2] = z[c == 2] @ torch.tensor([[1.0, 0.8], [0.0, 1.0]])
    return centres[c] + z


def test_the_density_is_scikit_learns_and_integrates_to_one():
    from sklearn.mixture import GaussianMixture

    codes = _codes()
    prior = code_mixture(PriorContext(latent_dim=2, shape=(5,)), components=3).fit(codes, seed=0)
    gm = GaussianMixture(3, covariance_type="full", reg_covar=1e-6, random_state=0)
    gm.fit(codes.double().numpy())
    probe = _codes(200, seed=1)
    ours = prior.log_prob(probe.double()).numpy()
    assert np.allclose(ours, gm.score_samples(probe.double().numpy()), atol=1e-6)
    # A Riemann sum over a grid that holds the mass: a normalized density.
    axis = torch.linspace(-8, 8, 401, dtype=torch.float64)
    grid = torch.cartesian_prod(axis, axis)
    mass = float(prior.log_prob(grid).exp().sum()) * float(axis[1] - axis[0]) ** 2
    assert mass == pytest.approx(1.0, abs=1e-3)


def test_draws_have_the_mixtures_moments_and_the_sampler_draws_the_same():
    prior = CodeMixture(2, 3).fit(_codes(), seed=0)
    z = prior.sample(200_000, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(z.mean(0), prior.center(), atol=0.02)
    assert torch.allclose(z.std(0), prior.scale(), atol=0.02)
    # The sampler of a mixture fitted to posterior means draws by the same function.
    same = GaussianMixtureSampler(prior.weights, prior.means, prior.covariances)
    assert torch.equal(same.sample(50, torch.Generator().manual_seed(4)),
                       prior.sample(50, generator=torch.Generator().manual_seed(4)))
    assert torch.allclose(same.log_prob(z[:100]), prior.log_prob(z[:100].double()).double())


def test_the_mixture_of_the_codes_beats_n01_on_held_out_codes_and_a_small_set_gets_few():
    train, held = _codes(), _codes(1000, seed=2)
    prior = CodeMixture(2, components_for(len(train), 50)).fit(train, seed=0)
    normal = -0.5 * (held**2).sum(1) - math.log(2 * math.pi)
    assert float(prior.log_prob(held).mean()) > float(normal.mean()) + 1.0
    assert components_for(400, 50) == 20 and components_for(5000, 50) == 50
    assert components_for(10, 50) == 1
