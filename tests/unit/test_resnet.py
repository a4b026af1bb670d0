"""The residual conv architecture: exact shapes for any image size, validation, trainability."""

import math

import pytest
import torch
from torch import nn

from vaekit.errors import ConfigError
from vaekit.nn.resnet import build_resnet

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("shape", [(1, 7, 9), (1, 8, 8), (1, 28, 28), (3, 32, 32), (2, 13, 30)])
@pytest.mark.parametrize("k", [1, 2])
def test_decoder_restores_any_image_shape_and_encoder_gives_feature_dim(shape, k):
    c, h, w = shape
    arch = build_resnet(shape, decoder_in=5, params_per_dim=k, channels=[4, 8], blocks=2)
    assert arch.feature_dim == 8 * (h // 4) * (w // 4)
    assert arch.encoder(torch.rand(3, *shape)).shape == (3, arch.feature_dim)
    assert arch.decoder(torch.randn(3, 5)).shape == (3, k * c, h, w)


def test_single_stage_and_default_channels():
    arch = build_resnet((3, 9, 11), decoder_in=4, params_per_dim=1, channels=[6])
    assert arch.feature_dim == 6 * 4 * 5
    assert arch.decoder(torch.randn(2, 4)).shape == (2, 3, 9, 11)
    default = build_resnet((1, 16, 16), decoder_in=4, params_per_dim=1)
    assert default.feature_dim == 64 * 4 * 4


def test_fresh_model_is_finite_and_gradients_reach_the_first_conv():
    torch.manual_seed(0)
    arch = build_resnet((1, 12, 12), decoder_in=6, params_per_dim=1, channels=[4, 8], blocks=2)
    feats = arch.encoder(torch.rand(4, 1, 12, 12))
    out = arch.decoder(feats[:, :6])
    assert torch.isfinite(feats).all() and torch.isfinite(out).all()
    out.square().mean().backward()
    first = arch.encoder[0]
    assert isinstance(first, nn.Conv2d)
    assert first.weight.grad is not None and first.weight.grad.abs().sum() > 0
    assert torch.isfinite(first.weight.grad).all()


def test_residual_blocks_start_as_the_identity():
    arch = build_resnet((1, 8, 8), decoder_in=3, params_per_dim=1, channels=[4], blocks=3)
    x = torch.randn(2, 4, 4, 4)
    for block in list(arch.encoder)[1:4]:
        assert torch.equal(block(x), x)


@pytest.mark.parametrize(("shape", "kw", "match"), [
    ((10,), {}, "image data"),
    ((1, 8, 8), {"channels": []}, "at least one"),
    ((1, 8, 8), {"blocks": 0}, "blocks"),
    ((1, 8, 8), {"blocks": 1.5}, "blocks"),
    ((1, 8, 8), {"channels": [4, 4, 4, 4]}, "too small"),
    ((1, 16, 3), {"channels": [4, 4]}, "too small"),
])
def test_bad_inputs_raise_config_error(shape, kw, match):
    with pytest.raises(ConfigError, match=match):
        build_resnet(shape, decoder_in=3, params_per_dim=1, **kw)


def test_conv_weights_are_channels_last_and_compute_what_nchw_weights_compute():
    arch = build_resnet((3, 13, 30), decoder_in=4, params_per_dim=2, channels=[4, 8])
    convs = [p for part in (arch.encoder, arch.decoder) for p in part.parameters() if p.dim() == 4]
    assert convs and all(p.is_contiguous(memory_format=torch.channels_last) and not p.is_contiguous()
                         for p in convs)
    x, z = torch.rand(2, 3, 13, 30), torch.randn(2, 4)
    feats, out = arch.encoder(x), arch.decoder(z)
    for part in (arch.encoder, arch.decoder):
        part.to(memory_format=torch.contiguous_format)
    assert torch.allclose(arch.encoder(x), feats, atol=1e-5)
    assert torch.allclose(arch.decoder(z), out, atol=1e-5)


def test_a_small_autoencoder_learns():
    torch.manual_seed(0)
    arch = build_resnet((1, 12, 12), decoder_in=8, params_per_dim=1, channels=[4, 8])
    head = nn.Linear(arch.feature_dim, 8)
    model = nn.Sequential(arch.encoder, head, arch.decoder)
    x = torch.rand(16, 1, 12, 12)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        loss = nn.functional.mse_loss(model(x), x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(map(math.isfinite, losses))
    # Well down from the start, and at least as good as predicting the mean image (loss ~ var x).
    assert losses[-1] < 0.6 * losses[0]
    assert losses[-1] < 1.25 * x.var().item()
