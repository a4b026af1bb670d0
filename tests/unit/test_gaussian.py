"""The diagonal Gaussian: closed-form KL, log-density and the reparameterization trick."""

import math

import torch

from vaekit.dists.gaussian import DiagGaussian, StandardNormal


def test_kl_of_standard_normal_to_itself_is_zero():
    q = DiagGaussian(torch.zeros(3, 5), torch.zeros(3, 5))
    assert torch.equal(q.kl(), torch.zeros(3))


def test_kl_worked_value():
    # mu=1, sigma^2=e: 0.5 * (1 + e - 1 - 1) = 0.5 * (e - 1) per dimension.
    q = DiagGaussian(torch.ones(1, 2), torch.ones(1, 2))
    assert torch.allclose(q.kl(), torch.tensor([2 * 0.5 * (math.e - 1)]))


def test_kl_matches_monte_carlo():
    torch.manual_seed(0)
    q = DiagGaussian(torch.randn(4, 3), torch.randn(4, 3) * 0.5)
    z = q.rsample(200_000)  # (S, B, L)
    mc = (q.log_prob(z) - StandardNormal(3).log_prob(z)).mean(0)
    se = (q.log_prob(z) - StandardNormal(3).log_prob(z)).std(0) / math.sqrt(200_000)
    assert torch.all((mc - q.kl()).abs() < 4 * se + 1e-4)


def test_kl_between_gaussians_matches_torch():
    a = DiagGaussian(torch.randn(5, 4), torch.randn(5, 4))
    b = DiagGaussian(torch.randn(5, 4), torch.randn(5, 4))
    ref = torch.distributions.kl_divergence(
        torch.distributions.Normal(a.mu, a.std), torch.distributions.Normal(b.mu, b.std)
    ).sum(-1)
    assert torch.allclose(a.kl(b), ref, atol=1e-5)


def test_log_prob_matches_torch():
    q = DiagGaussian(torch.randn(5, 4), torch.randn(5, 4))
    z = torch.randn(5, 4)
    ref = torch.distributions.Normal(q.mu, q.std).log_prob(z).sum(-1)
    assert torch.allclose(q.log_prob(z), ref, atol=1e-5)
    assert torch.allclose(StandardNormal(4).log_prob(z),
                          torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(-1), atol=1e-5)


def test_rsample_has_right_moments_and_carries_gradients():
    mu = torch.tensor([[2.0, -1.0]], requires_grad=True)
    logvar = torch.tensor([[0.0, math.log(4.0)]], requires_grad=True)
    z = DiagGaussian(mu, logvar).rsample(100_000, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(z.mean((0, 1)), torch.tensor([2.0, -1.0]), atol=0.02)
    assert torch.allclose(z.std((0, 1)), torch.tensor([1.0, 2.0]), atol=0.02)
    z.sum().backward()
    assert mu.grad is not None and torch.all(mu.grad != 0)
    assert logvar.grad is not None and torch.all(logvar.grad != 0)
