"""The ELBO objective: beta, free bits, and the KL schedules."""

import torch

from vaekit.dists.gaussian import DiagGaussian
from vaekit.objectives import ElboTerms, beta_at, elbo_loss
from vaekit.objectives.schedules import KLSchedule


def _terms(recon, kl_per_dim):
    q = DiagGaussian(torch.zeros_like(kl_per_dim), torch.zeros_like(kl_per_dim))
    return ElboTerms(recon, kl_per_dim.sum(-1), kl_per_dim, q)


def test_loss_is_minus_recon_plus_beta_kl_per_example():
    t = _terms(torch.tensor([-10.0, -20.0]), torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert elbo_loss(t).item() == 15.0 + 5.0
    assert elbo_loss(t, beta=0.5).item() == 15.0 + 2.5


def test_free_bits_floor_the_batch_mean_kl_per_dimension():
    t = _terms(torch.tensor([0.0, 0.0]), torch.tensor([[0.1, 2.0], [0.3, 4.0]]))
    # dim 0 batch mean 0.2 -> floored at 1.0; dim 1 mean 3.0 stays.
    assert elbo_loss(t, free_bits=1.0).item() == 4.0


def test_free_bits_stop_the_gradient_below_the_floor():
    kl = torch.tensor([[0.1, 2.0]], requires_grad=True)
    elbo_loss(_terms(torch.zeros(1), kl), free_bits=1.0).backward()
    assert kl.grad.tolist() == [[0.0, 1.0]]


def test_linear_warmup_and_cyclical_schedules():
    lin = KLSchedule(beta=2.0, kl_warmup_steps=10)
    assert [beta_at(s, lin) for s in (0, 5, 10, 50)] == [0.0, 1.0, 2.0, 2.0]
    cyc = KLSchedule(beta=1.0, kl_warmup_steps=4, kl_schedule="cyclical", kl_cycle_steps=8)
    assert [beta_at(s, cyc) for s in (0, 2, 4, 7, 8, 10)] == [0.0, 0.5, 1.0, 1.0, 0.0, 0.5]
    assert beta_at(3, KLSchedule(beta=0.7)) == 0.7


def test_adaptive_weight_falls_after_patience_stale_epochs_and_stops_at_its_floor():
    from vaekit.objectives.schedules import KLAdaptation

    a = KLSchedule(beta=0.01, kl_schedule="adaptive", beta_min=0.004, kl_decay=0.5,
                   kl_patience=2).adaptation()
    # validation reconstruction losses: better, better, stale, stale (-> 0.005), stale,
    # better, stale, stale (-> 0.004, the floor, not 0.0025), stale, stale (stays)
    lowered = [a.observe(v) for v in (5.0, 4.0, 4.5, 4.0, 4.2, 3.0, 3.1, 3.2, 3.3, 3.4)]
    assert lowered == [None, None, None, 0.005, None, None, None, 0.004, None, None]
    assert a.weight == 0.004
    assert KLSchedule(beta=0.5, kl_schedule="adaptive", kl_warmup_steps=10).at(5, a.weight) == 0.002
    copy = KLAdaptation(1.0, 0.0, 0.5, 2)
    copy.load_state_dict(a.state_dict())
    assert (copy.weight, copy.best, copy.stale) == (a.weight, a.best, a.stale)
    assert KLSchedule(beta=0.5).adaptation() is None
