"""A negative binomial VAE trained on counts from a known generator: its IW bound on the test
rows is close to their true log p(x), computed by quadrature over the known latent, and well
above the best model that ignores z.

The generator: z ~ N(0, 1) in one dimension, proportions rho(z) = softmax(a z) through a known
linear map a, a library size of L, x_d ~ NB(L rho_d(z), theta). The model scores x given its
observed library size (sum_d x_d, as scVI does), which is worth about half a nat over the true
L here (the true generator scored that way is 0.5 nats above log p(x)): the bound lands near
log p(x), within a nat either way.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.special import gammaln, logsumexp

import vaekit
from vaekit.data import load_data

D, L, THETA = 8, 150, 8.0
A = np.linspace(-1.5, 1.5, D)


def _proportions(z: np.ndarray) -> np.ndarray:
    e = np.exp(np.outer(z, A))
    return e / e.sum(1, keepdims=True)


def _nb_logpmf(x: np.ndarray, mu: np.ndarray, theta: float) -> np.ndarray:
    """log NB(x; mean mu, inverse dispersion theta), written out with scipy's gammaln."""
    return (gammaln(x + theta) - gammaln(theta) - gammaln(x + 1)
            + theta * np.log(theta / (theta + mu)) + x * np.log(mu / (theta + mu)))


def _true_log_px(x: np.ndarray) -> np.ndarray:
    """log p(x) = log integral N(z; 0, 1) prod_d NB(x_d; L rho_d(z), theta) dz, by the
    midpoint rule on a fine grid (the integrand is smooth and negligible past
    |z| = 7)."""
    grid = np.linspace(-7, 7, 1401)
    log_w = -0.5 * grid**2 - 0.5 * np.log(2 * np.pi) + np.log(grid[1] - grid[0])
    mu = L * _proportions(grid)  # (G, D)
    lp = _nb_logpmf(x[:, None, :], mu[None], THETA).sum(-1)  # (N, G)
    return logsumexp(lp + log_w, axis=1)


def _best_without_z(x: np.ndarray) -> float:
    """The best NB model that ignores z, generously fitted on the scored rows themselves: the
    pooled proportions and the best of a grid of dispersions, at each row's library size."""
    rho = x.sum(0) / x.sum()
    mu = rho * x.sum(1, keepdims=True)
    return max(float(_nb_logpmf(x, mu, th).sum(1).mean()) for th in (1, 2, 4, 8, 16, 32, 64, 1e3))


@pytest.mark.usefixtures("one_thread")
def test_the_iw_bound_is_near_the_true_log_likelihood_and_well_above_a_model_without_z(tmp_path):
    rng = np.random.default_rng(0)
    z = rng.normal(size=2000)
    mu = L * _proportions(z)
    np.savez(tmp_path / "counts.npz", counts=rng.negative_binomial(THETA, THETA / (THETA + mu)))
    cfg = {"data": {"name": "counts", "path": str(tmp_path / "counts.npz")},
           "model": {"hidden": [64, 64], "latent_dim": 1},
           "train": {"epochs": 40, "batch_size": 128, "lr": 0.003}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the collapse check's early epochs
        run = vaekit.train(cfg, tmp_path / "run", progress=False)
    assert run.config.model.likelihood == "negative_binomial"
    result = vaekit.evaluate(run, k=200)
    test = load_data(run.config.data).test.double().numpy()
    true = float(_true_log_px(test).mean())
    bound = -result.nll
    assert abs(bound - true) < 1.0, (bound, true)
    assert bound > _best_without_z(test) + 2.5, (bound, _best_without_z(test))
