"""Architectures adapt to the data's shape; the training set-up's schedules behave."""

import itertools

import pytest
import torch

from vaekit.config.schema import ModelConfig, TrainConfig
from vaekit.errors import ConfigError
from vaekit.model.build import build_model
from vaekit.training.setup import LRSchedule


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28), (3, 32, 32), (3, 64, 64), (1, 7, 9),
                                   (2, 13, 30)])
@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian_pixel"])
def test_conv_restores_any_image_shape(shape, likelihood):
    model = build_model(ModelConfig(arch="conv", channels=[8, 16], latent_dim=3,
                                    likelihood=likelihood), shape)
    x = torch.rand(2, *shape)
    assert model.encode(x).mean.shape == (2, 3)
    assert model.decode(torch.zeros(2, 3)).mean.shape == (2, *shape)


def test_conv_weights_are_channels_last_and_compute_what_nchw_weights_compute():
    model = build_model(ModelConfig(arch="conv", channels=[8, 16], latent_dim=3), (3, 13, 30))
    convs = [p for p in model.parameters() if p.dim() == 4]
    assert convs and all(p.is_contiguous(memory_format=torch.channels_last) and
                         not p.is_contiguous() for p in convs)
    x, z = torch.rand(2, 3, 13, 30), torch.randn(2, 3)
    mu, logits = model.encode(x).mean, model.decode(z).logits
    model.to(memory_format=torch.contiguous_format)
    assert torch.allclose(model.encode(x).mean, mu, atol=1e-5)
    assert torch.allclose(model.decode(z).logits, logits, atol=1e-5)


def test_conv_rejects_tabular_and_too_small_images():
    with pytest.raises(ConfigError, match="image data"):
        build_model(ModelConfig(arch="conv"), (10,))
    with pytest.raises(ConfigError, match="too small"):
        build_model(ModelConfig(arch="conv", channels=[4, 4, 4, 4]), (1, 8, 8))


def test_mlp_with_no_hidden_layers_is_linear():
    model = build_model(ModelConfig(hidden=[], latent_dim=2, likelihood="gaussian"), (5,))
    z = torch.randn(4, 2)
    out = model.decode(z).mean
    # An affine map keeps affine combinations: decode(2 z1 - z2) = 2 decode(z1) - decode(z2).
    mix = model.decode(2 * z[:1] - z[1:2]).mean
    assert torch.allclose(mix, 2 * out[:1] - out[1:2], atol=1e-5)
    assert model.encode(torch.randn(3, 5)).mean.shape == (3, 2)


def _lrs(schedule: str, epochs: int = 4, **kw):
    """The rates of the first step of each epoch, one step per epoch."""
    sched = LRSchedule(TrainConfig(lr=1.0, epochs=epochs, lr_schedule=schedule, **kw), 1)
    return [sched.rate(step) for step in range(epochs)]


def test_lr_schedules():
    assert _lrs("constant") == [1.0] * 4
    assert _lrs("step", lr_step_epochs=2) == [1.0, 1.0, 0.5, 0.5]
    cos = _lrs("cosine")
    assert cos[0] == 1.0 and all(a > b for a, b in itertools.pairwise(cos))
    # wsd: flat, then a straight line to 0 over the last 40% of the run.
    assert _lrs("wsd", epochs=5, lr_decay_fraction=0.4) == pytest.approx([1, 1, 1, 1, 0.5])
    wsd = LRSchedule(TrainConfig(lr=1.0, lr_schedule="wsd", lr_decay_fraction=0.4,
                                 max_minutes=2.0), 5)
    assert wsd.rate(10**6, 0.5) == 1.0 and wsd.rate(10**6, 0.9) == pytest.approx(0.25)
    assert wsd.rate(10**6, 1.0) == 0.0

