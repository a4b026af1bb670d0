"""bits/dim conventions on known values, I(x; z) on analytic cases, the collapse warning."""

from __future__ import annotations

import math

import pytest
import torch
from torch.distributions import Normal

from vaekit.eval import metrics
from vaekit.eval.metrics import (
    DENSITY,
    DEQUANTIZED,
    DISCRETE,
    GREY_BERNOULLI,
    TABULAR,
    bits_per_dim,
    bpd_convention,
    collapse_warning,
    mean_se,
    mutual_information,
)


def test_discrete_bits_per_dim_is_nats_over_d_ln2():
    assert bits_per_dim(784 * math.log(2), 784, DISCRETE) == pytest.approx(1.0, abs=1e-12)
    assert bits_per_dim(80.0, 784, DISCRETE) == pytest.approx(80.0 / (784 * math.log(2)))
    assert bits_per_dim(-3.0, 10, DENSITY) < 0  # a density can exceed 1: negative "bits"


def test_dequantized_uniform_density_is_exactly_8_bits():
    # Pixel j owns [j/255 - 1/510, j/255 + 1/510]: the 256 bins cover an interval of length
    # 256/255. The uniform density on it, p = 255/256, gives each bin 1/256: exactly 8 bits.
    nll = 3072 * math.log(256 / 255)
    assert bits_per_dim(nll, 3072, DEQUANTIZED) == pytest.approx(8.0, abs=1e-12)
    assert bits_per_dim(0.0, 3072, DEQUANTIZED) == pytest.approx(math.log2(255), abs=1e-12)


def test_dequantized_convention_matches_the_true_bin_probability_of_a_smooth_density():
    p = Normal(torch.tensor(0.4, dtype=torch.float64), torch.tensor(0.1, dtype=torch.float64))
    j = torch.arange(256, dtype=torch.float64)
    approx_bits = torch.tensor([bits_per_dim(-float(lp), 1, DEQUANTIZED)
                                for lp in p.log_prob(j / 255)], dtype=torch.float64)
    exact_bits = -torch.log2(p.cdf((j + 0.5) / 255) - p.cdf((j - 0.5) / 255))  # centred bins
    prob = 2.0**-exact_bits
    # The expected error under the model is tiny (midpoint rule); ln 256 would add 0.0056 bits.
    assert abs(float((prob * (approx_bits - exact_bits)).sum())) < 1e-3
    likely = prob > 1e-4
    assert float((approx_bits - exact_bits)[likely].abs().max()) < 0.02


def test_which_convention_applies():
    assert bpd_convention(True, True, binary_data=True, eight_bit=False, per_dim=True) == DISCRETE
    assert bpd_convention(True, True, binary_data=False, eight_bit=True, per_dim=True) == GREY_BERNOULLI
    assert bpd_convention(False, False, binary_data=False, eight_bit=True, per_dim=True) == DEQUANTIZED
    assert bpd_convention(False, False, binary_data=False, eight_bit=False, per_dim=True) == DENSITY
    assert bpd_convention(False, False, binary_data=False, eight_bit=False, per_dim=False) == TABULAR
    assert bits_per_dim(100.0, 64, GREY_BERNOULLI) is None
    assert bits_per_dim(100.0, 64, TABULAR) is None


def test_mean_and_standard_error():
    m, se = mean_se(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    assert m == 2.5 and se == pytest.approx(math.sqrt(5 / 3) / 2)
    assert mean_se(torch.tensor([7.0])) == (7.0, 0.0)


def test_mutual_information_on_analytic_cases():
    g = torch.Generator().manual_seed(0)
    n = 4000
    # q(z|x) independent of x: I = 0 exactly.
    same = torch.zeros(n, 3)
    assert mutual_information(same, same, g) == pytest.approx(0.0, abs=1e-9)
    # Sharp, well separated posteriors: every z identifies its x, I = log n.
    mu = torch.arange(n, dtype=torch.float32)[:, None] * 10
    assert mutual_information(mu, torch.full((n, 1), -10.0), g) == pytest.approx(math.log(n), abs=1e-3)
    # Gaussian channel: x ~ N(0, 1), q(z|x) = N(x, 0.5^2): I = 0.5 log(1 + 1 / 0.25).
    x = torch.randn(n, 1, generator=g)
    est = mutual_information(x, torch.full((n, 1), math.log(0.25)), g)
    assert est == pytest.approx(0.5 * math.log(5.0), abs=0.05)


def test_collapse_warning_when_no_unit_is_active_or_kl_vanishes():
    # A table of ten columns coded in 3 of 32 units with 17 nats of KL has not collapsed.
    assert collapse_warning(kl=17.0, active=3, dims=32) is None
    assert "0/32 active" in collapse_warning(kl=17.0, active=0, dims=32)
    assert "0.100 nats" in collapse_warning(kl=0.1, active=20, dims=20)
    assert "held-out KL" in collapse_warning(kl=0.1, active=20, dims=20, split="held-out")
    assert "free_bits" in collapse_warning(kl=0.1, active=20, dims=20)
    assert "beta=0.25" in collapse_warning(kl=0.1, active=0, dims=2, remedies="objective.beta=0.25")
    assert metrics.collapse_warning(kl=0.6, active=1, dims=2) is None
