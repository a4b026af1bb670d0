"""The joint discretized logistic mixture over a pixel's channels (PixelCNN++): a probability
over every combination of levels, the per-channel mixture when uncoupled, exact samples."""

import itertools
import math

import pytest
import torch

from vaekit import registry


def _lik(channels, levels, components):
    lik = registry.get("likelihood", "discretized_logistic_rgb")(levels=levels,
                                                                  components=components)
    lik.setup((channels, 1, 1))
    return lik


def _grid(channels, levels):
    """Every combination of the levels over the channels: (levels ** channels, C, 1, 1)."""
    values = torch.arange(levels, dtype=torch.float32) / (levels - 1)
    return torch.tensor(list(itertools.product(values.tolist(), repeat=channels))).reshape(
        -1, channels, 1, 1)


@pytest.mark.parametrize(("channels", "levels", "components"), [(1, 5, 2), (3, 4, 1), (3, 5, 3)])
def test_the_colours_of_a_pixel_sum_to_one(channels, levels, components):
    lik = _lik(channels, levels, components)
    torch.manual_seed(0)
    params = torch.randn(1, lik.params_per_dim * channels, 1, 1) * 2
    x = _grid(channels, levels)
    log_p = lik(params.expand(len(x), -1, -1, -1)).log_prob(x)
    assert torch.isfinite(log_p).all()
    assert log_p.exp().sum().item() == pytest.approx(1.0, abs=1e-5)


def test_without_coupling_it_is_the_per_channel_mixture_of_one_component():
    joint = _lik(3, 17, 1)
    single = registry.get("likelihood", "discretized_logistic")(levels=17, components=1)
    torch.manual_seed(1)
    means, log_scales = torch.randn(2, 3, 4, 4) * 0.3, torch.randn(2, 3, 4, 4) * 0.5 - 2
    coupling = torch.full((2, 6, 4, 4), 0.0)  # tanh(0) = 0: the channels do not move each other
    params = torch.cat([torch.randn(2, 3, 4, 4), means, log_scales, coupling], 1)
    x = torch.randint(0, 17, (2, 3, 4, 4)).float() / 16
    expected = single(torch.cat([means, log_scales], 1)).log_prob(x)
    assert torch.allclose(joint(params).log_prob(x), expected, atol=1e-4)
    assert torch.allclose(joint(params).mean, single(torch.cat([means, log_scales], 1)).mean,
                          atol=1e-5)


def test_coupling_moves_the_later_channels_by_the_earlier_ones():
    lik = _lik(2, 256, 1)
    # Sharp logistics at mid-grey for both channels; green's mean moves by a * (red - 1/2).
    a = 0.8
    params = torch.tensor([0.0, 0.0, 0.0, 0.0, -6.0, -6.0, 0.0, float(torch.atanh(
        torch.tensor(a)))]).reshape(1, 8, 1, 1)
    red = 0.9
    best = max(range(256), key=lambda j: lik(params).log_prob(
        torch.tensor([red, j / 255]).reshape(1, 2, 1, 1)).item())
    assert best / 255 == pytest.approx(0.5 + a * (red - 0.5), abs=1.5 / 255)


def test_samples_follow_the_joint_probabilities():
    lik = _lik(2, 3, 2)
    torch.manual_seed(2)
    params = torch.randn(1, lik.params_per_dim * 2, 1, 1)
    x = _grid(2, 3)
    probs = lik(params.expand(len(x), -1, -1, -1)).log_prob(x).exp()
    draws = lik(params.expand(20000, -1, -1, -1)).sample(torch.Generator().manual_seed(0))
    freq = torch.stack([(draws == v).all(1).float().mean() for v in x])
    assert torch.allclose(freq, probs, atol=0.015)


def test_the_mean_of_one_channel_is_exact():
    lik = _lik(1, 5, 2)
    torch.manual_seed(3)
    params = torch.randn(1, lik.params_per_dim, 1, 1)
    x = _grid(1, 5)
    probs = lik(params.expand(len(x), -1, -1, -1)).log_prob(x).exp()
    assert lik(params).mean.item() == pytest.approx(float((x.flatten() * probs).sum()), abs=1e-5)


def test_it_learns_grey_colours_a_per_channel_mixture_cannot():
    """Pixels whose three channels agree (grey, 8 levels): fitted by gradient, the joint
    mixture needs about log 8 nats per pixel; one mixture per channel cannot go below 3 log 8."""
    x = (torch.arange(8.0) / 7).repeat_interleave(3).reshape(8, 3, 1, 1).repeat(16, 1, 1, 1)

    def fitted_nll(lik):
        params = torch.zeros(1, lik.params_per_dim * 3, 1, 1, requires_grad=True)
        opt = torch.optim.Adam([params], lr=0.05)
        for _ in range(400):
            loss = -lik(params.expand(len(x), -1, -1, -1)).log_prob(x).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss.item()

    per_channel = registry.get("likelihood", "discretized_logistic")(levels=8, components=1)
    joint = fitted_nll(_lik(3, 8, 1))
    assert fitted_nll(per_channel) > 3 * math.log(8) - 0.01
    assert joint < math.log(8) + 0.5
