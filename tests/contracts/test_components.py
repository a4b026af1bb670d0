"""Every registered architecture x likelihood meets the same contract on the digits. (A
likelihood whose options only a data source can give, such as a table's column layout, cannot be
built for images: tests/contracts/test_pipeline.py runs it on the data that declares it.)"""

from pathlib import Path

import pytest
import torch

from vaekit import registry
from vaekit.config.schema import Config, DataConfig
from vaekit.data.digits import load_digits
from vaekit.errors import ConfigError
from vaekit.model.build import build_model
from vaekit.objectives import elbo_loss, elbo_terms
from vaekit.store.model_files import load_model, save_model

SHAPE = (1, 8, 8)


def _data(likelihood: str) -> torch.Tensor:
    """32 real 8x8 digits in [0, 1] (thresholded for Bernoulli)."""
    x = load_digits(DataConfig()).train[:32]
    return (x > 0.5).float() if likelihood in ("bernoulli", "pixelcnn") else x


def _config(arch: str, likelihood: str) -> Config:
    return Config.model_validate({"model": {"arch": arch, "likelihood": likelihood, "hidden": [64],
                                            "channels": [8, 16], "latent_dim": 4}})


def _builds(arch: str, likelihood: str) -> bool:
    try:
        build_model(_config(arch, likelihood).model, SHAPE)
        return True
    except ConfigError:
        return False


CASES = [(a, lik) for a in registry.names("arch") for lik in registry.names("likelihood")
         if _builds(a, lik)]


def test_every_likelihood_but_the_data_declared_ones_builds_on_images():
    assert {lik for _, lik in CASES} >= set(registry.names("likelihood")) - {"columns"}


@pytest.mark.parametrize(("arch", "likelihood"), CASES)
def test_builds_and_forward_is_finite(arch, likelihood):
    torch.manual_seed(0)
    model = build_model(_config(arch, likelihood).model, SHAPE)
    terms = elbo_terms(model, _data(likelihood))
    assert terms.recon.shape == (32,) and terms.kl_per_dim.shape == (32, 4)
    assert torch.isfinite(terms.elbo).all()
    assert model.sample(5).shape == (5, *SHAPE)


@pytest.mark.parametrize(("arch", "likelihood"), CASES)
def test_loss_falls_on_a_tiny_batch(arch, likelihood):
    torch.manual_seed(0)
    model = build_model(_config(arch, likelihood).model, SHAPE)
    x = _data(likelihood)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(1)
    losses = []
    for _ in range(40):
        loss = elbo_loss(elbo_terms(model, x, g))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 1.0


@pytest.mark.parametrize(("arch", "likelihood"), CASES)
def test_save_load_gives_identical_outputs(arch, likelihood, tmp_path: Path):
    torch.manual_seed(0)
    cfg = _config(arch, likelihood)
    model = build_model(cfg.model, SHAPE)
    with torch.no_grad():  # make learned likelihood parameters differ from their init
        for p in model.likelihood.parameters():
            p.add_(0.3)
    save_model(model, cfg, tmp_path)
    loaded = load_model(tmp_path)
    x = _data(likelihood)
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert torch.equal(model.eval().reconstruct(x), loaded.reconstruct(x))
    assert torch.equal(elbo_terms(model, x, g1).elbo, elbo_terms(loaded, x, g2).elbo)
