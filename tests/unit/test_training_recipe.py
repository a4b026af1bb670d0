"""The training recipe's parts on tiny tensors: the optimizers, the learning-rate schedule,
skipped steps, the moving average of the weights, the time budget."""

import math

import pytest
import torch

from vaekit.config.schema import ModelConfig, TrainConfig
from vaekit.model.build import build_model
from vaekit.training.budget import Budget
from vaekit.training.distributed import World
from vaekit.training.ema import EMA
from vaekit.training.loop import Update
from vaekit.training.setup import LRSchedule, make_optimizer


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


def test_warmup_then_cosine_over_the_steps_of_the_run():
    # 2 epochs of 5 steps: cosine over 10 steps, the first 4 warming up linearly.
    cfg = TrainConfig(lr=0.01, epochs=2, lr_schedule="cosine", warmup_steps=4)
    sched = LRSchedule(cfg, steps_per_epoch=5)

    def cosine(s):
        return 0.5 * (1 + math.cos(math.pi * s / 10))

    expected = {0: 0.01 / 4, 1: 0.01 * 2 / 4 * cosine(1), 3: 0.01 * cosine(3),
                5: 0.01 * cosine(5), 9: 0.01 * cosine(9)}
    assert {s: sched.rate(s) for s in expected} == pytest.approx(expected, rel=1e-12)
    opt = make_optimizer(_tiny(), cfg)
    assert sched.apply(opt, 1) == opt.param_groups[0]["lr"] == sched.rate(1)


def test_warmup_multiplies_the_step_schedule_and_constant():
    step = LRSchedule(TrainConfig(lr=1.0, lr_schedule="step", lr_step_epochs=1, warmup_steps=2),
                      steps_per_epoch=3)
    assert [step.rate(s) for s in range(7)] == [0.5, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    constant = LRSchedule(TrainConfig(lr=1.0, warmup_steps=4), steps_per_epoch=3)
    assert [constant.rate(s) for s in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]


def _update(model, **kw):
    opt = make_optimizer(model, TrainConfig(lr=0.1))
    return Update(opt, torch.amp.GradScaler("cpu", enabled=False),
                  LRSchedule(TrainConfig(lr=0.1), 1), **kw)


def test_skip_uses_the_norm_before_clipping_and_skips_a_non_finite_gradient():
    model = _tiny()
    before = [p.detach().clone() for p in model.parameters()]
    update = _update(model, clip=1e-3, skip=1.0)
    big = sum(5 * p.sum() for p in model.parameters())  # norm far above 1, clipped to 1e-3
    assert update(big) is False
    assert update(sum(p.sum() * float("inf") for p in model.parameters())) is False
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), before, strict=True))
    small = sum(1e-4 * p.sum() for p in model.parameters())
    assert update(small) is True
    assert not all(torch.equal(p, q) for p, q in zip(model.parameters(), before, strict=True))


def _with_buffer():
    module = torch.nn.Linear(3, 2)
    module.register_buffer("seen", torch.zeros(2))
    return module


def test_ema_is_the_analytic_moving_average_of_the_weights_it_followed():
    raw = _with_buffer()
    ema = EMA(raw, decay=0.5)
    avg = [p.detach().double().clone() for p in raw.parameters()]
    for n in range(6):
        with torch.no_grad():
            for p in raw.parameters():
                p.copy_(torch.randn_like(p))
            raw.seen.fill_(n)
        ema.update()
        d = min(0.5, (1 + n) / (10 + n))  # 0.1, 0.1818..., 0.25, ..., then 0.5
        avg = [d * a + (1 - d) * p.detach().double() for a, p in zip(avg, raw.parameters(),
                                                                       strict=True)]
    assert ema.updates == 6
    assert all(torch.allclose(p.double(), a, atol=1e-6)
               for p, a in zip(ema.model.parameters(), avg, strict=True))
    assert torch.equal(ema.model.seen, torch.full((2,), 5.0))  # buffers are copied, not averaged
    again = EMA(_with_buffer(), decay=0.5)
    again.load_state_dict(ema.state_dict())
    assert again.updates == 6 and torch.equal(again.model.weight, ema.model.weight)


def test_a_time_budget_counts_the_time_spent_before_and_stretches_the_cosine():
    budget = Budget(2.0, spent=60.0, world=World(), device=torch.device("cpu"))
    assert 60.0 <= budget.read() < 61.0 and budget.fraction(90.0) == 0.75
    assert not budget.over(119.9) and budget.over(120.0)
    free = Budget(None, spent=60.0, world=World(), device=torch.device("cpu"))
    assert free.read() == 0.0 and free.fraction(1e9) == 0.0 and not free.over(1e9)
    # No epochs: the budget alone is the run's progress; with epochs, whichever is further.
    cosine = LRSchedule(TrainConfig(lr=1.0, lr_schedule="cosine", max_minutes=2.0), 5)
    assert cosine.rate(1000, 0.25) == pytest.approx(0.5 * (1 + math.cos(math.pi / 4)))
    assert cosine.rate(1000, 1.0) == pytest.approx(0.0, abs=1e-15)
    both = LRSchedule(TrainConfig(lr=1.0, lr_schedule="cosine", epochs=2, max_minutes=2.0), 5)
    assert both.rate(5, 0.25) == pytest.approx(0.5 * (1 + math.cos(math.pi / 2)))
    assert both.rate(1, 0.5) == pytest.approx(0.5 * (1 + math.cos(math.pi / 2)))
