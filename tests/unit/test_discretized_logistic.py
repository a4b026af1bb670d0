"""The discretized logistic (mixture): a true probability over grey levels, and auto's choice."""

import math

import pytest
import torch

from vaekit import registry
from vaekit.config.schema import Config
from vaekit.data.base import Dataset
from vaekit.data.likelihood_choice import choose_likelihood
from vaekit.errors import DataError
from vaekit.training.likelihood_choice import resolve_likelihood


def _lik(levels, components):
    return registry.get("likelihood", "discretized_logistic")(levels=levels, components=components)


@pytest.mark.parametrize(("levels", "components"), [(2, 1), (17, 1), (17, 3), (256, 2)])
def test_the_levels_of_a_pixel_sum_to_one(levels, components):
    lik = _lik(levels, components)
    torch.manual_seed(0)
    params = torch.randn(3, lik.params_per_dim) * 2  # 3 examples of one pixel
    dist = lik(params)
    values = torch.arange(levels, dtype=torch.float32) / (levels - 1)
    log_p = torch.stack([dist.log_prob(v.expand(3, 1)) for v in values])  # (levels, 3)
    assert torch.allclose(log_p.exp().sum(0), torch.ones(3), atol=1e-5)


def test_one_component_is_the_logistic_cdf_difference():
    lik = _lik(17, 1)
    mean, log_scale = 0.3, math.log(0.05)
    params = torch.tensor([[mean - 0.5], [log_scale]]).reshape(1, 2)
    x = torch.tensor([[5 / 16]])
    h, s = 1 / 32, 0.05
    expected = math.log(torch.sigmoid(torch.tensor((5 / 16 + h - mean) / s))
                        - torch.sigmoid(torch.tensor((5 / 16 - h - mean) / s)))
    assert lik(params).log_prob(x).item() == pytest.approx(expected, abs=1e-5)
    # The outer levels own the tails: P(x_0) = sigmoid((x_0 + h - m) / s).
    edge = math.log(torch.sigmoid(torch.tensor((0 + h - mean) / s)))
    assert lik(params).log_prob(torch.zeros(1, 1)).item() == pytest.approx(edge, abs=1e-5)


def test_log_prob_is_finite_far_from_the_mass():
    lik = _lik(256, 1)
    params = torch.tensor([[40.0, -7.0]]).expand(2, 2)  # mean far above 1, tiny scale
    x = torch.tensor([[0.0], [128 / 255]])
    out = lik(params).log_prob(x)
    assert torch.isfinite(out).all() and (out < -100).all()


def test_mean_and_samples_follow_the_level_probabilities():
    lik = _lik(5, 2)
    torch.manual_seed(1)
    params = torch.randn(1, lik.params_per_dim)
    dist = lik(params)
    values = torch.arange(5, dtype=torch.float32) / 4
    probs = torch.stack([dist.log_prob(v.reshape(1, 1)) for v in values]).exp().squeeze(1)
    assert dist.mean.item() == pytest.approx(float((values * probs).sum()), abs=1e-5)
    many = lik(params.expand(20000, -1)).sample(torch.Generator().manual_seed(0))
    assert set(torch.unique(many).tolist()) <= set(values.tolist())
    freq = torch.stack([(many == v).float().mean() for v in values])
    assert torch.allclose(freq, probs, atol=0.015)


def test_data_off_its_levels_are_refused():
    lik = _lik(17, 1)
    lik.check_support(torch.arange(17.0) / 16, binarized=False)
    with pytest.raises(DataError, match="not on its 17 levels"):
        lik.check_support(torch.tensor([0.5, 0.33]), binarized=False)
    with pytest.raises(DataError, match="levels=256"):
        lik.check_support(torch.zeros(2, dtype=torch.uint8), binarized=False)


def _images(x):
    return Dataset(name="t", train=x, test=x, kind="image")


def test_auto_picks_the_likelihood_that_fits_the_data():
    grey8 = torch.randint(0, 256, (4, 1, 2, 2), dtype=torch.uint8)
    binary = (torch.rand(4, 1, 2, 2) > 0.5).float()
    floats = torch.rand(4, 1, 2, 2)
    rows = Dataset(name="t", train=torch.randn(4, 3), test=torch.randn(4, 3), kind="tabular")
    assert choose_likelihood(_images(grey8), "auto") == ("discretized_logistic", {"levels": 256},
                                                         "none")
    assert choose_likelihood(_images(grey8), "dynamic") == ("bernoulli", {}, "dynamic")
    assert choose_likelihood(_images(binary), "auto") == ("bernoulli", {}, "none")
    assert choose_likelihood(_images(floats), "auto") == ("continuous_bernoulli", {}, "none")
    assert choose_likelihood(rows, "auto") == ("gaussian_pixel", {}, "none")
    declared = _images(floats)
    declared.likelihood = ("discretized_logistic", {"levels": 17})
    assert choose_likelihood(declared, "auto")[:2] == ("discretized_logistic", {"levels": 17})


def test_the_run_records_the_choice_and_explicit_options_win():
    ds = _images(torch.randint(0, 256, (4, 1, 2, 2), dtype=torch.uint8))
    cfg = Config.model_validate({"model": {"likelihood_args": {"components": 3}}})
    assert cfg.model.likelihood == "auto" and cfg.data.binarize == "auto"
    out = resolve_likelihood(cfg, ds)
    assert (out.model.likelihood, out.model.likelihood_args, out.data.binarize) == (
        "discretized_logistic", {"levels": 256, "components": 3}, "none")
    named = Config.model_validate({"model": {"likelihood": "bernoulli"}})
    assert named.data.binarize == "auto"  # settled from what the likelihood declares
    assert resolve_likelihood(named, ds).data.binarize == "dynamic"
    pixel = Config.model_validate({"model": {"likelihood": "pixelcnn",
                                             "likelihood_args": {"base": "discretized_logistic"}}})
    assert resolve_likelihood(pixel, ds).data.binarize == "none"
    settled = resolve_likelihood(named, ds)
    assert resolve_likelihood(settled, ds) is settled


def test_naming_another_likelihood_takes_the_declared_options_it_accepts():
    ds = _images(torch.arange(17.0).reshape(1, 1, 1, 17).expand(4, -1, -1, -1) / 16)
    ds.likelihood = ("discretized_logistic", {"levels": 17})
    joint = Config.model_validate({"model": {"likelihood": "discretized_logistic_rgb"}})
    assert resolve_likelihood(joint, ds).model.likelihood_args == {"levels": 17}
    mine = Config.model_validate({"model": {"likelihood": "discretized_logistic_rgb",
                                            "likelihood_args": {"levels": 5}}})
    assert resolve_likelihood(mine, ds).model.likelihood_args == {"levels": 5}
    gaussian = Config.model_validate({"model": {"likelihood": "gaussian"}})
    assert resolve_likelihood(gaussian, ds).model.likelihood_args == {}
