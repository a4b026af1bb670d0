"""Every registered architecture x likelihood meets the same contract on the digits. (A
likelihood whose options only a data source can give, such as a table's column layout or a count
matrix's library size, cannot be built for images: tests/contracts/test_kinds.py runs it on the
data that declares it.) The pairs that compose are found when the tests run, not when they are
collected."""

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


def _data(model) -> torch.Tensor:
    """32 real 8x8 digits in [0, 1] (thresholded for a likelihood defined on {0, 1} only)."""
    x = load_digits(DataConfig()).train[:32]
    return (x > 0.5).float() if model.likelihood.binary_only else x


def _config(arch: str, likelihood: str) -> Config:
    sizes = {k: v for k, v in {"hidden": [64], "channels": [8, 16]}.items()
             if k in registry.options("arch", arch)}
    return Config.model_validate({"model": {"arch": arch, "likelihood": likelihood,
                                            "arch_args": sizes, "latent_dim": 4}})


def _builds(arch: str, likelihood: str) -> bool:
    try:
        build_model(_config(arch, likelihood).model, SHAPE)
        return True
    except ConfigError:
        return False


def _archs(likelihood: str) -> list[str]:
    """The architectures ``likelihood`` composes with on images."""
    archs = [a for a in registry.names("arch") if _builds(a, likelihood)]
    assert archs, f"likelihood {likelihood!r} builds with no architecture"
    return archs


# Every likelihood but those whose options only a data source gives: a table's column layout, a
# count matrix's library size. (tests/contracts/test_kinds.py runs those on their data.)
DATA_OPTIONS = {"blocks", "library_log_mean"}
LIKELIHOODS = [n for n in registry.names("likelihood")
               if not DATA_OPTIONS & set(registry.options("likelihood", n))]


def test_the_image_likelihoods_are_found():
    assert {"bernoulli", "gaussian", "discretized_logistic", "pixelcnn"} <= set(LIKELIHOODS)


@pytest.mark.parametrize("likelihood", LIKELIHOODS)
def test_builds_and_forward_is_finite(likelihood):
    for arch in _archs(likelihood):
        _forward_is_finite(arch, likelihood)


def _forward_is_finite(arch, likelihood):
    torch.manual_seed(0)
    model = build_model(_config(arch, likelihood).model, SHAPE)
    terms = elbo_terms(model, _data(model))
    assert terms.recon.shape == (32,) and terms.kl_per_dim.shape == (32, 4)
    assert torch.isfinite(terms.elbo).all()
    assert model.sample(5).shape == (5, *SHAPE)


@pytest.mark.parametrize("likelihood", LIKELIHOODS)
def test_loss_falls_on_a_tiny_batch(likelihood):
    for arch in _archs(likelihood):
        _loss_falls(arch, likelihood)


def _loss_falls(arch, likelihood):
    torch.manual_seed(0)
    model = build_model(_config(arch, likelihood).model, SHAPE)
    x = _data(model)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(1)
    losses = []
    for _ in range(40):
        loss = elbo_loss(elbo_terms(model, x, g))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 1.0, arch


@pytest.mark.parametrize("likelihood", LIKELIHOODS)
def test_save_load_gives_identical_outputs(likelihood, tmp_path: Path):
    for arch in _archs(likelihood):
        _round_trip(arch, likelihood, tmp_path / arch)


def _round_trip(arch, likelihood, tmp_path: Path):
    torch.manual_seed(0)
    cfg = _config(arch, likelihood)
    model = build_model(cfg.model, SHAPE)
    with torch.no_grad():  # make learned likelihood parameters differ from their init
        for p in model.likelihood.parameters():
            p.add_(0.3)
    save_model(model, cfg, tmp_path)
    loaded = load_model(tmp_path)
    x = _data(model)
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert torch.equal(model.eval().reconstruct(x), loaded.reconstruct(x))
    assert torch.equal(elbo_terms(model, x, g1).elbo, elbo_terms(loaded, x, g2).elbo)
