"""The training recipe's parts on tiny tensors: the optimizers."""

import pytest
import torch

from vaekit.config.schema import ModelConfig, TrainConfig
from vaekit.model.build import build_model
from vaekit.training.setup import make_optimizer


def _tiny():
    torch.manual_seed(0)
    return build_model(ModelConfig(hidden=[4], latent_dim=2, likelihood="bernoulli"), (1, 2, 2))


def _one_step(model, opt):
    """One optimizer step on a fixed loss of every parameter; returns the new weights."""
    opt.zero_grad()
    sum((p * torch.linspace(-1, 1, p.numel()).view_as(p)).sum() + (p**2).sum()
        for p in model.parameters()).backward()
    opt.step()
    return [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize("name, cls", [("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW),
                                       ("adamax", torch.optim.Adamax)])
def test_each_optimizer_steps_as_torch_defines_it(name, cls):
    cfg = TrainConfig(optimizer=name, lr=0.1, weight_decay=0.5)
    ours, theirs = _tiny(), _tiny()
    opt = make_optimizer(ours, cfg)
    assert type(opt) is cls
    a = _one_step(ours, opt)
    b = _one_step(theirs, cls(theirs.parameters(), lr=0.1, weight_decay=0.5))
    assert all(torch.allclose(x, y, atol=1e-7) for x, y in zip(a, b, strict=True))


def _step_with(**kw):
    model = _tiny()
    return _one_step(model, make_optimizer(model, TrainConfig(lr=0.1, **kw)))


def test_adamw_decouples_the_decay_that_adam_adds_to_the_gradient():
    before = [p.detach() for p in _tiny().parameters()]
    adam = _step_with(weight_decay=0.5)
    adamw = _step_with(optimizer="adamw", weight_decay=0.5)
    # AdamW: the Adam step of the loss alone, and every weight shrunk by lr * decay.
    expected = [p - 0.1 * 0.5 * p0 for p, p0 in zip(_step_with(), before, strict=True)]
    assert all(torch.allclose(x, y, atol=1e-6) for x, y in zip(adamw, expected, strict=True))
    assert not all(torch.allclose(x, y, atol=1e-3) for x, y in zip(adam, adamw, strict=True))
