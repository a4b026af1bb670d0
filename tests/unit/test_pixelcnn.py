"""The PixelCNN likelihood is autoregressive in raster order, normalized, and samples exactly."""

from __future__ import annotations

import pytest
import torch

from vaekit.config.schema import ModelConfig
from vaekit.dists.likelihoods.pixelcnn import PixelCNN
from vaekit.errors import ConfigError
from vaekit.model.build import build_model


def _likelihood(shape: tuple[int, ...], **args) -> PixelCNN:
    torch.manual_seed(0)
    lik = PixelCNN(**{"layers": 2, "channels": 8, "conditioning": 2, **args})
    lik.setup(shape)
    return lik


def test_each_pixel_reads_every_pixel_before_it_and_none_after():
    lik = _likelihood((2, 5, 6))
    h = torch.randn(1, 4, 5, 6)
    x = torch.rand(1, 2, 5, 6, requires_grad=True)
    out = lik.net(x, h)
    for i in range(30):
        r, c = divmod(i, 6)
        for channel in range(2):
            (grad,) = torch.autograd.grad(out[0, channel, r, c], x, retain_graph=True)
            reads = set((grad[0].abs().sum(0).flatten() != 0).nonzero().flatten().tolist())
            # No blind spot: two blocks of the shifted streams already see the whole past here.
            assert reads == set(range(i)), (i, sorted(reads))


def test_a_row_reads_only_the_rows_within_reach_so_roll_outs_may_crop():
    lik = _likelihood((1, 12, 3))
    net = lik.net
    h, x = torch.randn(2, 2, 12, 3), torch.rand(2, 1, 12, 3)
    full = net(x, h)
    for r in range(net.reach, 12):
        top = r - net.reach
        assert torch.allclose(net(x[:, :, top : r + 1], h[:, :, top : r + 1])[:, :, -1],
                              full[:, :, r], atol=1e-6)
    shorter = r - net.reach + 1  # one row less is not enough: the crop changes row r
    assert not torch.allclose(net(x[:, :, shorter : r + 1], h[:, :, shorter : r + 1])[:, :, -1],
                              full[:, :, r], atol=1e-6)


def _all_binary_images(n: int) -> torch.Tensor:
    return torch.tensor([[(k >> j) & 1 for j in range(n)] for k in range(2**n)]).float()


def test_probabilities_of_every_image_sum_to_one_and_samples_follow_them():
    lik = _likelihood((1, 2, 2))
    h = torch.randn(1, 2, 2, 2)
    xs = _all_binary_images(4).view(16, 1, 2, 2)
    p = lik(h.expand(16, -1, -1, -1)).log_prob(xs).exp().detach()
    assert float(p.sum()) == pytest.approx(1.0, abs=1e-5)
    draws = lik(h.expand(4000, -1, -1, -1)).sample(torch.Generator().manual_seed(1))
    index = (draws.flatten(1) * torch.tensor([1.0, 2.0, 4.0, 8.0])).sum(1).long()
    freq = torch.bincount(index, minlength=16).float() / 4000
    assert torch.allclose(freq, p, atol=0.03)  # 4000 draws: SE <= 0.008


def test_grey_levels_through_a_discretized_logistic_base_are_normalized():
    lik = _likelihood((1, 1, 2), base="discretized_logistic", base_args={"levels": 3})
    h = torch.randn(1, 2, 1, 2)
    xs = torch.tensor([[a, b] for a in range(3) for b in range(3)]).float().view(9, 1, 1, 2) / 2
    p = lik(h.expand(9, -1, -1, -1)).log_prob(xs).exp().detach()
    assert float(p.sum()) == pytest.approx(1.0, abs=1e-5)
    assert lik.discrete and not lik.binary_only


def test_colour_pixels_through_the_joint_base_are_normalized_and_sampled_in_order():
    """PixelCNN++: each pixel's channels one coupled mixture, given the pixels before it."""
    lik = _likelihood((3, 1, 2), base="discretized_logistic_rgb",
                      base_args={"levels": 2, "components": 2})
    h = torch.randn(1, 6, 1, 2)
    grid = torch.cartesian_prod(*[torch.tensor([0.0, 1.0])] * 6)  # every image: (64, 6)
    xs = grid.view(64, 2, 3).transpose(1, 2).reshape(64, 3, 1, 2)  # pixel-major, channels inner
    p = lik(h.expand(64, -1, -1, -1)).log_prob(xs).exp().detach()
    assert float(p.sum()) == pytest.approx(1.0, abs=1e-5)
    draws = lik(h.expand(6000, -1, -1, -1)).sample(torch.Generator().manual_seed(0))
    freq = torch.stack([(draws == x).flatten(1).all(1).float().mean() for x in xs])
    assert torch.allclose(freq, p, atol=0.03)


def test_the_first_pixel_of_the_mean_is_its_base_mean_and_rows_are_refused():
    lik = _likelihood((1, 3, 3))
    h = torch.randn(2, 2, 3, 3)
    first = torch.sigmoid(lik.net(torch.zeros(2, 1, 3, 3), h))[:, 0, 0, 0]
    assert torch.allclose(lik(h).mean[:, 0, 0, 0], first)
    with pytest.raises(ConfigError, match="models images"):
        build_model(ModelConfig(likelihood="pixelcnn", latent_dim=2), (5,))
    with pytest.raises(ConfigError, match="per-pixel"):
        PixelCNN(base="pixelcnn")
