"""The whole-split evaluation: exact values on PPCA, KL per dimension, active units, conventions."""

from __future__ import annotations

import math

import pytest
import torch
from test_exact_bounds import BREAK, broken
from test_iw import data, exact_elbo, exact_log_px, ppca

import vaekit
from vaekit.config.schema import ModelConfig
from vaekit.eval.metrics import DENSITY, DEQUANTIZED, DISCRETE, GREY_BERNOULLI, TABULAR
from vaekit.model.build import build_model

pytestmark = pytest.mark.usefixtures("one_thread")


def test_evaluate_matches_exact_ppca_values():
    model, w, b = ppca(shift=0.3, widen=2.0)
    x = data(model, 300)
    r = vaekit.evaluate(model, x, k=2000, batch_size=128, seed=1)
    logp, elbo = exact_log_px(x, w, b), exact_elbo(model, x)
    assert r.n == 300 and r.k == 2000 and r.dims == 6 and r.split == "test"
    # nll and elbo estimate the exact means; each SE covers the MC noise and the data spread,
    # so compare paired differences per example instead: far tighter.
    assert r.nll == pytest.approx(-float(logp.mean()), abs=0.01)
    assert r.elbo == pytest.approx(float(elbo.mean()), abs=0.05)
    assert r.elbo_gap == pytest.approx(float((logp - elbo).mean()), abs=0.05)
    assert r.nll_se == pytest.approx(float(logp.std()) / math.sqrt(300), rel=0.05)
    # KL per dimension in closed form from the encoder's moments, and the reconstruction term
    # as the exact ELBO plus that KL: independent of how evaluate splits its terms.
    with torch.no_grad():
        q = model.encode(x)
    kl_dims = 0.5 * (q.mu**2 + q.std**2 - 1 - 2 * q.std.log()).double()  # (N, L)
    assert r.kl_per_dim == pytest.approx(kl_dims.mean(0).tolist(), rel=1e-5)
    assert r.kl == pytest.approx(float(kl_dims.sum(1).mean()), rel=1e-5)
    assert r.recon == pytest.approx(float((elbo + kl_dims.sum(1)).mean()), abs=0.05)
    assert r.bits_per_dim is None and r.bits_per_dim_convention == TABULAR
    assert r.active_units == 2 and r.mi is not None and 0 < r.mi < math.log(300)


@pytest.mark.parametrize("part", ["likelihood", "prior"])
def test_a_broken_ppca_misses_the_exact_values(part, monkeypatch):
    """The check above on a Gaussian likelihood missing part of its normalizer, or a prior off by
    a constant (0.5 nats): the NLL is off the exact value by about that much."""
    model, w, b = ppca(shift=0.3, widen=2.0)
    x = data(model, 300)
    r = vaekit.evaluate(broken(model, part, monkeypatch), x, k=500, batch_size=128, seed=1)
    assert r.nll == pytest.approx(-float(exact_log_px(x, w, b).mean()) - BREAK, abs=0.05)


def _image_model(likelihood: str = "bernoulli", latent: int = 3):
    torch.manual_seed(0)
    return build_model(ModelConfig(hidden=[16], latent_dim=latent, likelihood=likelihood),
                       (1, 4, 4)).eval()


def test_kl_per_dim_sums_to_kl_and_a_planted_dead_unit_is_inactive():
    model = _image_model()
    with torch.no_grad():  # unit 0: q(z_0|x) = N(0, 1) = p(z_0) for every x
        model.latent.mu.weight[0].zero_()
        model.latent.mu.bias[0] = 0.0
        model.latent.logvar.weight[0].zero_()
        model.latent.logvar.bias[0] = 0.0
        model.latent.mu.weight[1:] *= 20  # units 1 and 2 vary strongly with x
    x = torch.rand(200, 1, 4, 4, generator=torch.Generator().manual_seed(0)).round()
    r = vaekit.evaluate(model, x, k=5)
    assert r.kl_per_dim[0] == pytest.approx(0.0, abs=1e-7)
    assert min(r.kl_per_dim[1:]) > 0.1
    assert sum(r.kl_per_dim) == pytest.approx(r.kl, rel=1e-9)
    assert r.active_units == 2 and r.latent_dim == 3
    assert r.bits_per_dim_convention == DISCRETE
    assert r.bits_per_dim == pytest.approx(r.nll / (16 * math.log(2)))
    assert r.elbo_bits_per_dim == pytest.approx(-r.elbo / (16 * math.log(2)))
    assert not r.warnings
    assert all(math.isfinite(v) for v in (r.nll, r.elbo, r.mse, r.mi, r.nll_se, r.elbo_se))


def test_a_collapsed_posterior_is_reported():
    model = _image_model()
    with torch.no_grad():
        for head in (model.latent.mu, model.latent.logvar):
            head.weight.zero_()
            head.bias.zero_()
    x = torch.rand(50, 1, 4, 4, generator=torch.Generator().manual_seed(0)).round()
    r = vaekit.evaluate(model, x, k=3)
    assert r.active_units == 0 and r.kl == pytest.approx(0.0, abs=1e-7)
    assert r.mi == pytest.approx(0.0, abs=1e-9)
    assert len(r.warnings) == 1 and "posterior collapse" in r.warnings[0]


def test_conventions_follow_the_likelihood_and_the_data():
    raw = torch.randint(0, 256, (40, 1, 4, 4), dtype=torch.uint8,
                        generator=torch.Generator().manual_seed(0))
    cb = vaekit.evaluate(_image_model("continuous_bernoulli"), raw, k=4)
    assert cb.bits_per_dim_convention == DEQUANTIZED
    assert cb.bits_per_dim == pytest.approx((cb.nll + 16 * math.log(255)) / (16 * math.log(2)))
    grey = vaekit.evaluate(_image_model("continuous_bernoulli"), raw.float() / 255, k=4)
    assert grey.bits_per_dim_convention == DENSITY
    with pytest.warns(UserWarning, match="grey levels"):
        bern = vaekit.evaluate(_image_model("bernoulli"), raw.float() / 255, k=4)
    assert bern.bits_per_dim_convention == GREY_BERNOULLI and bern.bits_per_dim is None
    assert any("not a likelihood" in w for w in bern.warnings)
    dyn = vaekit.evaluate(_image_model("bernoulli"), raw, k=4, binarize="dynamic")
    assert dyn.bits_per_dim_convention == DISCRETE and dyn.binarization.startswith("dynamic")


def test_evaluation_is_reproducible_from_its_seed_and_restores_training_mode():
    model = _image_model().train()
    x = torch.rand(30, 1, 4, 4, generator=torch.Generator().manual_seed(1)).round()
    a, b = vaekit.evaluate(model, x, k=8, seed=3), vaekit.evaluate(model, x, k=8, seed=3)
    assert (a.nll, a.elbo, a.mi) == (b.nll, b.elbo, b.mi)
    assert vaekit.evaluate(model, x, k=8, seed=4).nll != a.nll
    assert model.training


def test_a_run_from_train_is_evaluated_on_its_own_data(tiny_run, tmp_path):
    run = vaekit.train({"data": {"name": "digits"}, "model": {"hidden": [8], "latent_dim": 2},
                        "train": {"epochs": 1}}, out=tmp_path / "run")
    r = vaekit.evaluate(run, k=4)
    assert r.data == "digits" and r.n == 359 and r.binarization == "none"
    # likelihood auto: a true probability over the digits' 17 grey levels, honest bits/dim.
    assert r.likelihood == "discretized_logistic" and r.bits_per_dim_convention == DISCRETE
    # 1,438 training digits: 144 (10%) validate, 1,294 train.
    assert vaekit.evaluate(tiny_run, k=4, split="train").n == 1294
    assert vaekit.evaluate(tiny_run, k=4, split="val").n == 144


def test_the_information_estimate_does_not_depend_on_how_the_samples_were_decoded():
    """I(x;z) is drawn on the CPU from its own seeded generator: the same for any k,
    and so the same whichever device decoded the importance samples."""
    model = _image_model()
    x = torch.rand(60, 1, 4, 4, generator=torch.Generator().manual_seed(2)).round()
    a = vaekit.evaluate(model, x, k=2, seed=5)
    b = vaekit.evaluate(model, x, k=7, seed=5)
    assert a.mi == b.mi and a.nll != b.nll
    assert vaekit.evaluate(model, x, k=2, seed=6).mi != a.mi
