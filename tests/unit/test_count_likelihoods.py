"""The count likelihoods (Poisson, negative binomial, ZINB) against scipy and their own laws."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from vaekit import registry
from vaekit.dists.counts import nb_log_prob, poisson_log_prob, sample_gamma, sample_nb, zinb_log_prob
from vaekit.errors import ConfigError, DataError

X = torch.tensor([[0.0, 3.0, 17.0, 1.0], [5.0, 0.0, 0.0, 40.0], [0.0, 0.0, 0.0, 2.0]])
LOGITS = torch.tensor([[0.3, -1.0, 2.0, 0.0], [-0.5, 0.7, 0.1, 1.5], [1.0, 1.0, -2.0, 0.0]])


def _build(name, shape=(4,), **kw):
    lik = registry.get("likelihood", name)(**kw)
    lik.registered_name = name
    lik.setup(shape)
    return lik


def _means(x, logits):
    """rho * l in float64 numpy: the softmax proportions times each row's total count."""
    rho = torch.softmax(logits.double(), -1).numpy()
    return rho * x.double().sum(-1, keepdim=True).numpy()


def test_poisson_log_prob_is_scipys_at_the_observed_library_size():
    got = _build("poisson")(LOGITS).log_prob(X)
    ref = stats.poisson.logpmf(X.numpy(), _means(X, LOGITS)).sum(-1)
    assert np.allclose(got.detach().double().numpy(), ref, atol=1e-4)


@pytest.mark.parametrize("log_theta", [-1.5, 0.4, 3.0, 12.0])
def test_negative_binomial_with_feature_dispersion_is_scipys(log_theta):
    lik = _build("negative_binomial")
    with torch.no_grad():
        lik.log_theta.fill_(log_theta)
    got = lik(LOGITS).log_prob(X)
    theta, mu = math.exp(log_theta), _means(X, LOGITS)
    ref = stats.nbinom.logpmf(X.numpy(), theta, theta / (theta + mu)).sum(-1)
    assert np.allclose(got.detach().double().numpy(), ref, atol=1e-3)


def test_negative_binomial_with_example_dispersion_reads_it_from_the_decoder():
    log_theta = torch.tensor([[0.0, 1.0, -1.0, 2.0], [0.5, 0.5, 0.5, 0.5], [3.0, -2.0, 0.0, 1.0]])
    lik = _build("negative_binomial", dispersion="example")
    assert lik.params_per_dim == 2 and not list(lik.parameters())
    got = lik(torch.cat([LOGITS, log_theta], 1)).log_prob(X)
    theta, mu = log_theta.double().exp().numpy(), _means(X, LOGITS)
    ref = stats.nbinom.logpmf(X.numpy(), theta, theta / (theta + mu)).sum(-1)
    assert np.allclose(got.detach().double().numpy(), ref, atol=1e-4)


@pytest.mark.parametrize("dispersion", ["feature", "example"])
def test_zinb_is_the_mixture_of_a_point_mass_at_zero_and_scipys_nb(dispersion):
    zero_logits = torch.tensor([[-1.0, 0.0, 2.0, -3.0], [0.5, 1.5, -0.5, 0.0], [4.0, -4.0, 0.0, 1.0]])
    log_theta = torch.full_like(LOGITS, 0.7)
    lik = _build("zinb", dispersion=dispersion)
    if dispersion == "feature":
        assert lik.params_per_dim == 2
        with torch.no_grad():
            lik.log_theta.fill_(0.7)
        params = torch.cat([LOGITS, zero_logits], 1)
    else:
        assert lik.params_per_dim == 3
        params = torch.cat([LOGITS, log_theta, zero_logits], 1)
    got = lik(params).log_prob(X)
    theta, mu = math.exp(0.7), _means(X, LOGITS)
    pi = 1 / (1 + np.exp(-zero_logits.double().numpy()))
    pmf = pi * (X.numpy() == 0) + (1 - pi) * stats.nbinom.pmf(X.numpy(), theta, theta / (theta + mu))
    assert np.allclose(got.detach().double().numpy(), np.log(pmf).sum(-1), atol=1e-4)


def test_an_all_zero_row_has_probability_one_given_its_library_size():
    for name in ("poisson", "negative_binomial", "zinb"):
        lik = _build(name)
        params = torch.randn(1, 4 * lik.params_per_dim)
        with torch.no_grad():
            assert abs(float(lik(params).log_prob(torch.zeros(1, 4)))) < 1e-5


@pytest.mark.parametrize(("mu", "theta"), [(0.05, 0.3), (3.0, 0.5), (20.0, 2.0), (150.0, 1e6)])
def test_each_pmf_sums_to_one_over_a_support_whose_tail_is_negligible(mu, theta):
    k = torch.arange(0, 6000, dtype=torch.float64)
    log_mu = torch.tensor(math.log(mu), dtype=torch.float64)
    log_theta = torch.tensor(math.log(theta), dtype=torch.float64)
    assert float(torch.logsumexp(nb_log_prob(k, log_mu, log_theta), 0).exp()) == pytest.approx(1, abs=1e-9)
    assert float(torch.logsumexp(poisson_log_prob(k, log_mu), 0).exp()) == pytest.approx(1, abs=1e-9)
    zinb = zinb_log_prob(k, log_mu, log_theta, torch.tensor(0.8, dtype=torch.float64))
    assert float(torch.logsumexp(zinb, 0).exp()) == pytest.approx(1, abs=1e-9)


def _moments_match(draws, mean, var):
    n = draws.numel()
    d = draws.double().flatten()
    assert abs(float(d.mean()) - mean) < 5 * math.sqrt(var / n)
    # The sample variance's standard error from the fourth central moment.
    m4 = float(((d - d.mean()) ** 4).mean())
    assert abs(float(d.var()) - var) < 5 * math.sqrt((m4 - var**2) / n)


@pytest.mark.parametrize("shape", [0.3, 1.0, 4.5])
def test_gamma_draws_have_the_gamma_moments(shape):
    g = torch.Generator().manual_seed(0)
    _moments_match(sample_gamma(torch.full((200_000,), shape), g), shape, shape)


@pytest.mark.parametrize(("mu", "theta"), [(7.0, 2.0), (0.8, 0.4), (30.0, 50.0)])
def test_nb_draws_have_mean_mu_and_variance_mu_plus_mu_squared_over_theta(mu, theta):
    g = torch.Generator().manual_seed(1)
    draws = sample_nb(torch.full((200_000,), mu), torch.tensor(math.log(theta)), g)
    assert bool((draws == draws.round()).all()) and bool((draws >= 0).all())
    _moments_match(draws, mu, mu + mu * mu / theta)


def test_draws_are_seeded():
    mu = torch.full((1000,), 5.0)
    a = sample_nb(mu, torch.tensor(0.0), torch.Generator().manual_seed(3))
    b = sample_nb(mu, torch.tensor(0.0), torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_zinb_samples_of_a_row_match_its_mean_and_variance_under_the_library_prior():
    """Library l ~ LogNormal(m, s): x_d has mean E[l] rho_d (1 - pi_d) and, by the laws of total
    expectation and variance, variance (1 - pi) (E[mu] + E[mu^2] (1 + 1/theta)) - E[x]^2."""
    m, s, theta, pi = 2.0, 0.3, 3.0, 0.25
    lik = _build("zinb", library_log_mean=m, library_log_std=s)
    with torch.no_grad():
        lik.log_theta.fill_(math.log(theta))
    logits = torch.tensor([[0.0, 1.0, -1.0, 0.5]])
    zero_logits = torch.full((1, 4), math.log(pi / (1 - pi)))
    dist = lik(torch.cat([logits, zero_logits], 1).expand(100_000, 8))
    draws = dist.sample(torch.Generator().manual_seed(5))
    rho = torch.softmax(logits.double(), -1)[0]
    el, el2 = math.exp(m + s * s / 2), math.exp(2 * m + 2 * s * s)
    assert torch.allclose(dist.mean[0].double(), (1 - pi) * el * rho, rtol=1e-5)
    for d in range(4):
        mean = (1 - pi) * el * float(rho[d])
        second = (1 - pi) * (el * float(rho[d]) + el2 * float(rho[d]) ** 2 * (1 + 1 / theta))
        _moments_match(draws[:, d], mean, second - mean**2)


def test_poisson_samples_are_overdispersed_only_by_the_library_size():
    """x_d | l ~ Poisson(rho_d l), l ~ LogNormal(m, s): mean rho_d E[l], variance
    rho_d E[l] + rho_d^2 Var(l)."""
    m, s = 3.0, 0.4
    lik = _build("poisson", library_log_mean=m, library_log_std=s)
    logits = torch.tensor([[0.5, -0.5, 0.0, 1.0]])
    draws = lik(logits.expand(100_000, 4)).sample(torch.Generator().manual_seed(6))
    rho = torch.softmax(logits.double(), -1)[0]
    el, var_l = math.exp(m + s * s / 2), (math.exp(s * s) - 1) * math.exp(2 * m + s * s)
    for d in range(4):
        r = float(rho[d])
        _moments_match(draws[:, d], r * el, r * el + r * r * var_l)


def test_poisson_prediction_is_the_rate_at_the_rows_own_library_size():
    dist = _build("poisson")(LOGITS)
    want = torch.from_numpy(_means(X, LOGITS))
    assert torch.allclose(dist.prediction(X).detach().double(), want, atol=1e-4)


def test_without_a_library_prior_drawing_is_a_clear_error():
    dist = _build("poisson")(LOGITS)
    with pytest.raises(ConfigError, match="library_log_mean"):
        dist.sample()


@pytest.mark.parametrize("name", ["poisson", "negative_binomial", "zinb"])
def test_the_support_is_counts_and_the_first_bad_value_is_named(name):
    lik = _build(name)
    lik.check_support(X, binarized=False)
    with pytest.raises(DataError, match=r"-1 in row 1, column 2 is not a non-negative integer"):
        lik.check_support(torch.tensor([[1.0, 2.0, 3.0], [0.0, 4.0, -1.0]]), binarized=False)
    with pytest.raises(DataError, match=r"2\.5 in row 0, column 1 "):
        lik.check_support(torch.tensor([[1.0, 2.5, 3.0], [0.0, 4.0, -1.0]]), binarized=False)


@pytest.mark.parametrize("name", ["poisson", "negative_binomial", "zinb"])
def test_count_likelihoods_refuse_images(name):
    lik = registry.get("likelihood", name)()
    with pytest.raises(ConfigError, match="rows of counts"):
        lik.setup((1, 8, 8))


def test_an_unknown_dispersion_is_refused_before_building():
    with pytest.raises(ConfigError, match="dispersion"):
        registry.bind("likelihood", "negative_binomial", {"dispersion": "gene"})
