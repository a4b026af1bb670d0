"""The pieces under ranges in conditional rows, each against an independent path: a mixture's
mass on an interval against the integral of the columns likelihood's own density, draws
truncated to it against the truncated density's mean, and a range of written values against
the values the column writes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vaekit.dists.likelihoods.columns import Columns
from vaekit.dists.mixture_interval import component_log_mass, log_mass, truncated_draw

BLOCKS = [{"kind": "categorical", "size": 2},
          {"kind": "continuous", "means": [0.0, 30.0], "stds": [0.5, 8.0], "weights": [0.6, 0.4]}]


def test_the_mass_of_an_interval_is_the_integral_of_the_likelihoods_density():
    """value_mixture + log_mass against a trapezoid over exp(log p(x|z)) of rows put_values
    writes: wrong weights, means, scales, outlier component or mode expression all break it."""
    lik = Columns(BLOCKS)
    params = torch.randn(2, lik.layout.n_params, generator=torch.Generator().manual_seed(3))
    mixture = [t[:, 0] for t in lik(params).value_mixture()]  # (4, M) each
    for lo, hi in ((-1.0, 2.5), (10.0, 35.0), (-math.inf, 0.3)):
        # Fine near the modes, coarse in the broad outlier component's far tail.
        x = torch.cat([torch.linspace(-3000.0, -60.0, 3000, dtype=torch.float64)[:-1],
                       torch.linspace(-60.0, hi, 20001, dtype=torch.float64)]) \
            if lo == -math.inf else torch.linspace(lo, hi, 20001, dtype=torch.float64)
        density = []
        for b in range(len(params)):
            px = lik(params[b : b + 1].expand(len(x), -1))
            rows = px.put_values(torch.zeros(len(x), lik.layout.width), x.float()[:, None])
            density.append(px.log_prob_elementwise(rows)[:, 1].double().exp())
        integral = torch.trapezoid(torch.stack(density), x, dim=-1)
        mass = log_mass(*mixture, lo, hi).exp()
        assert torch.allclose(mass, integral, rtol=2e-3, atol=2e-4), (lo, hi, mass, integral)


def test_a_far_interval_keeps_a_finite_log_mass_and_draws_stay_inside():
    far = component_log_mass(torch.tensor([0.0]), torch.tensor([1.0]), 30.0, math.inf)
    assert math.isfinite(float(far)) and abs(float(far) - (-454.321)) < 0.5  # log Phi(-30)
    w = torch.log(torch.tensor([[0.7, 0.3]]))
    mean, sd = torch.tensor([[0.0, 5.0]]), torch.tensor([[1.0, 2.0]])
    g = torch.Generator().manual_seed(0)
    x, lm = truncated_draw(w.expand(20000, -1), mean.expand(20000, -1), sd.expand(20000, -1),
                           1.0, 4.0, g)
    assert bool(((x >= 1.0) & (x < 4.0)).all())
    grid = np.linspace(1.0, 4.0, 30001)
    pdf = sum(p * np.exp(-0.5 * ((grid - m) / s) ** 2) / s for p, m, s in
              ((0.7, 0.0, 1.0), (0.3, 5.0, 2.0))) / math.sqrt(2 * math.pi)
    exact_mean = np.trapezoid(grid * pdf, grid) / np.trapezoid(pdf, grid)
    assert abs(float(x.mean()) - exact_mean) < 4 * float(x.std()) / math.sqrt(len(x))
    assert abs(float(lm[0].exp()) - np.trapezoid(pdf, grid)) < 1e-6
    empty, _ = truncated_draw(w, mean, sd, 3.0, 3.0, g)
    assert bool(torch.isnan(empty).all())


@pytest.mark.parametrize(("spec", "clauses", "written", "outside"), [
    ({"integer": True}, [">=", 30, "<", 40], [30, 39], [29, 40]),
    ({"integer": True}, [">", 29.5, "<=", 39.2], [30, 39], [29, 40]),
    ({"decimals": 2}, [">", 1.5, "<", 2.0], [1.51, 1.99], [1.5, 2.0]),
    ({"decimals": 2}, [">=", 18.0], [18.0, 79.0], []),  # the lowest value: all clipped below
])
def test_a_range_of_written_values_maps_to_the_values_that_write_inside_it(spec, clauses,
                                                                           written, outside):
    """value_interval against the column's own writing (clip, round) of values on a fine grid."""
    from vaekit.artifacts.conditional import value_interval
    from vaekit.artifacts.constraints import Bound
    from vaekit.data.table_columns import Continuous

    col = Continuous("c", [50.0], [10.0], [1.0], low=18.0, high=79.0,
                     **{"integer": False, "decimals": None, **spec})
    bound = Bound()
    for op, v in zip(clauses[::2], clauses[1::2], strict=True):
        bound = bound.meet(op, float(v))
    a, b = value_interval(col, bound)
    x = np.linspace(0.0, 100.0, 100001)
    shown = np.asarray(col.written(np.clip(x, col.low, col.high)), dtype=np.float64)
    above = (shown >= bound.lo) if bound.lo_in else (shown > bound.lo)
    inside = above & ((shown <= bound.hi) if bound.hi_in else (shown < bound.hi))
    assert ((x >= a) & (x < b) == inside).all()
    assert all(bound.contains(v) for v in written) and not any(bound.contains(v) for v in outside)
