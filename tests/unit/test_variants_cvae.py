"""CVAE: the label reaches encoder and decoder; samples for label y are decoded with y."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from vaekit.config.load import load_config
from vaekit.errors import UserError
from vaekit.model.build import build_model
from vaekit.samplers import parse_label
from vaekit.samplers.base import draw_images
from vaekit.samplers.prior import PriorSampler

SHAPE = (1, 8, 8)


def _cvae(*overrides: str):
    cfg = load_config(overrides=["model.variant=cvae", "model.hidden=[16]", "model.latent_dim=3",
                                 *overrides])
    torch.manual_seed(0)
    return build_model(cfg.model, SHAPE).eval()


def test_the_decoder_receives_z_and_the_one_hot_label():
    model = _cvae()
    seen = []
    model.decoder.register_forward_pre_hook(lambda mod, args: seen.append(args[0]))
    y = torch.tensor([3, 0, 9, 3])
    model.sample(4, generator=torch.Generator().manual_seed(0), y=y)
    (inp,) = seen
    assert inp.shape == (4, 3 + 10)
    assert torch.equal(inp[:, 3:], F.one_hot(y, 10).float())


def test_changing_the_label_changes_the_sample_with_the_same_z():
    model = _cvae()
    a = model.sample(4, generator=torch.Generator().manual_seed(0), y=torch.full((4,), 2))
    b = model.sample(4, generator=torch.Generator().manual_seed(0), y=torch.full((4,), 7))
    c = model.sample(4, generator=torch.Generator().manual_seed(0), y=torch.full((4,), 2))
    assert not torch.allclose(a, b) and torch.equal(a, c)


def test_the_encoder_sees_the_label():
    model = _cvae("model.conditioner=embedding", "model.label_dim=5")
    x = torch.rand(4, *SHAPE)
    q0, q1 = model.encode(x, torch.zeros(4, dtype=torch.long)), model.encode(x, torch.ones(4).long())
    assert not torch.allclose(q0.mean, q1.mean)
    assert model.conditioner.table.weight.shape == (10, 5)


def test_missing_or_out_of_range_labels_are_user_errors():
    model = _cvae()
    with pytest.raises(UserError, match="conditional"):
        model.sample(2)
    with pytest.raises(UserError, match=r"0\.\.9"):
        model.encode(torch.rand(2, *SHAPE), torch.tensor([1, 10]))


def test_without_a_conditioner_the_plain_vae_is_unchanged():
    cfg = load_config(overrides=["model.hidden=[16]", "model.latent_dim=3"])
    model = build_model(cfg.model, SHAPE)
    assert model.conditioner is None
    assert not any(k.startswith("conditioner") for k in model.state_dict())
    x = torch.rand(3, *SHAPE)
    assert torch.equal(model.encode(x).mean, model.encode(x, torch.tensor([1, 2, 3])).mean)


def test_a_label_grid_has_one_row_per_class_with_the_same_codes():
    model = _cvae()
    plan = parse_label(model, "all", 20)
    assert plan.ncol == 2 and plan.labels.tolist() == [c for c in range(10) for _ in range(2)]
    seen = []
    model.decoder.register_forward_pre_hook(lambda mod, args: seen.append(args[0]))
    images = draw_images(model, PriorSampler(model), plan.n_codes, plan.labels)
    assert images.shape == (20, *SHAPE)
    z = seen[0][:, :3]
    assert torch.equal(z[0:2], z[18:20])  # the same two codes in every class row
    one = parse_label(model, "4", 6)
    assert one.labels.tolist() == [4] * 6 and one.n_codes == 6
