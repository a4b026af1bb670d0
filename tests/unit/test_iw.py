"""The IW estimator against probabilistic PCA, where log p(x) is exact, and its float64 streaming.

PPCA: z ~ N(0, I_L), x | z ~ N(W z + b, s^2 I_D), so p(x) = N(b, W W^T + s^2 I). With orthogonal
columns of W the true posterior is diagonal, so the VAE's encoder can be exact or made poor.
"""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from torch.distributions import MultivariateNormal

from vaekit.config.schema import ModelConfig
from vaekit.dists.draw import Draw
from vaekit.eval.iw import iw_estimate, iw_log_likelihood
from vaekit.model.build import build_model

D, L, S = 6, 2, 0.5

pytestmark = pytest.mark.usefixtures("one_thread")


def ppca(shift: float = 0.0, widen: float = 1.0, seed: int = 0):
    """A linear-Gaussian VAE with hand-set weights; encoder mean shifted by ``shift`` and posterior
    variance times ``widen`` (0 and 1 give the exact posterior). Returns (model, W, b)."""
    g = torch.Generator().manual_seed(seed)
    q_cols, _ = torch.linalg.qr(torch.randn(D, L, generator=g))
    c = torch.tensor([2.0, 1.0])
    w, b = q_cols * c, torch.randn(D, generator=g)
    model = build_model(ModelConfig(hidden=[], latent_dim=L, likelihood="gaussian",
                                    likelihood_args={"sigma": S}), (D,)).eval()
    dec, lat = model.decoder[0], model.latent
    with torch.no_grad():
        dec.weight.copy_(w)
        dec.bias.copy_(b)
        # Exact posterior: mean c q^T (x - b) / (c^2 + s^2), variance s^2 / (c^2 + s^2).
        gain = (c / (c**2 + S**2))[:, None] * q_cols.T
        lat.mu.weight.copy_(gain)
        lat.mu.bias.copy_(-gain @ b + shift)
        lat.logvar.weight.zero_()
        lat.logvar.bias.copy_(torch.log(S**2 / (c**2 + S**2) * widen))
    return model, w, b


def exact_log_px(x, w, b):
    cov = (w @ w.T).double() + S**2 * torch.eye(D, dtype=torch.float64)
    return MultivariateNormal(b.double(), cov).log_prob(x.double())


@torch.no_grad()
def exact_elbo(model, x):
    """E_q[log p(x|z)] - KL in closed form for the linear decoder: (N,) nats."""
    q = model.encode(x)
    w, b = model.decoder[0].weight, model.decoder[0].bias
    sq = ((x - q.mu @ w.T - b) ** 2).sum(1) + (q.std**2 @ (w**2).sum(0))
    recon = -0.5 * D * math.log(2 * math.pi * S**2) - sq / (2 * S**2)
    return (recon - q.kl()).detach().double()


@torch.no_grad()
def data(model, n: int, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    return model.decode(model.prior.sample(n, generator=g)).sample(g)


def test_exact_posterior_makes_every_weight_equal_p_x():
    model, w, b = ppca()
    x = data(model, 64)
    exact = exact_log_px(x, w, b)
    for k, chunk in ((1, 1024), (7, 1024), (7, 10)):  # chunk 10: 64 examples, 10 at a time
        est = iw_estimate(model, x, k=k, chunk=chunk, generator=torch.Generator().manual_seed(0))
        assert est.log_px.shape == (64,)
        torch.testing.assert_close(est.log_px, exact, atol=2e-4, rtol=0)
        torch.testing.assert_close(est.elbo, exact, atol=2e-4, rtol=0)
    torch.testing.assert_close(exact_elbo(model, x), exact, atol=2e-4, rtol=0)


def _repeats(model, x, k, r, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.stack([iw_log_likelihood(model, x, k=k, generator=g) for _ in range(r)])


def test_bound_ordering_elbo_iw_k_log_px_on_a_poor_encoder():
    model, w, b = ppca(shift=0.7, widen=2.0)
    x = data(model, 200)
    logp, elbo = exact_log_px(x, w, b), exact_elbo(model, x)
    assert float((logp - elbo).mean()) > 2.0  # the poor encoder leaves a wide gap
    # k=1 is the ELBO in expectation: the mean over 200 examples x 20 draws, within 4 SE.
    diff = (_repeats(model, x, 1, 20) - elbo).flatten()
    assert abs(float(diff.mean())) < 4 * float(diff.std()) / math.sqrt(len(diff))
    # ELBO < IW_10 < IW_100 < IW_1000 (each the mean of 4 draws per example): paired gaps of
    # the means over 200 examples beyond 4 standard errors ...
    bounds = [elbo, *(_repeats(model, x, k, 4, seed=k).mean(0) for k in (10, 100, 1000))]
    for lo, hi in itertools.pairwise(bounds):
        gap = hi - lo
        assert float(gap.mean()) > 4 * float(gap.std()) / math.sqrt(len(gap)), float(gap.mean())
    # ... and IW_1000 <= log p(x): no more than 4 SE above it, and already within 0.1 nats.
    over = bounds[-1] - logp
    assert float(over.mean()) < 4 * float(over.std()) / math.sqrt(len(over))
    assert float(over.mean()) > -0.1


def test_iw_converges_to_the_exact_log_likelihood():
    model, w, b = ppca(shift=0.3, widen=2.0)
    x = data(model, 16, seed=3)
    logp = exact_log_px(x, w, b)
    reps = _repeats(model, x, 20000, 6)  # (6, 16) independent estimates
    se = reps.std(0) / math.sqrt(len(reps))
    err = reps.mean(0) - logp
    assert bool((err.abs() < 5 * se + 1e-3).all()), (err, se)
    assert float(reps.std(0).max()) < 0.02  # each single estimate is already within ~0.01 nats
    # ... while the ELBO is far off: the bound really did tighten.
    assert float((logp - exact_elbo(model, x)).min()) > 0.1


class _Fixed:
    """A stub posterior/prior/likelihood whose log weights are fixed numbers, to test the
    streaming logsumexp: sample i of example j has log w = table[i, j]."""

    def __init__(self, table):
        self.table, self.next = table, 0
        self.prior = self

    def encode(self, x, y=None):
        self.next = 0
        return self

    def rsample(self, n, generator=None):
        z = self.table[self.next : self.next + n, :, None]  # (n, B, 1): the log weight itself
        self.next += n
        return z

    def rsample_with_log_prob(self, n, generator=None):
        z = self.rsample(n, generator)
        return Draw(z, self.log_prob(z))

    def log_prob(self, z):  # q and p(z) cancel: the whole log weight is log p(x|z)
        return torch.zeros(z.shape[:-1])

    def log_ratio_layers(self, prior, z):  # one layer
        return None

    def decode(self, z, y=None, readout=None):
        return _Lik(z)


class _Lik:
    def __init__(self, z):
        self.z = z

    def log_prob(self, x):
        return self.z[:, 0]


def test_streaming_logsumexp_is_exact_for_any_chunk():
    g = torch.Generator().manual_seed(0)
    table = (torch.randn(37, 3, generator=g) * 50 - 1e4).float()
    expected = torch.logsumexp(table.double(), 0) - math.log(37)
    x = torch.zeros(3, 1)
    for chunk in (3, 4, 10, 10_000):  # 1 to 13 samples per example per decode
        est = iw_estimate(_Fixed(table), x, k=37, chunk=chunk)
        torch.testing.assert_close(est.log_px, expected, atol=1e-9, rtol=0)
        torch.testing.assert_close(est.elbo, table.double().mean(0), atol=1e-9, rtol=0)
        assert est.log_px.dtype == torch.float64
