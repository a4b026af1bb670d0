"""Shared fixtures: tiny configs and trained runs on the embedded digits; the test tiers.

Each test gets one tier marker from its folder: ``unit`` (tests/unit: exact math on tiny
tensors, the developer's default lane, ``pytest -m unit``), ``contract`` (tests/contracts: every
registered component), ``integration`` (tests/integration, tests/cli, tests/serve: real runs,
the CLI, the server) and ``browser`` (tests that drive a browser). ``pytest`` alone runs them all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vaekit.config.load import load_config
from vaekit.config.schema import Config

TINY = ["model.hidden=[32]", "model.latent_dim=4", "train.epochs=2", "train.batch_size=128"]


# Folder -> tier; a file whose name ends in _browser drives a browser, whatever its folder.
TIERS = {"unit": "unit", "contracts": "contract", "integration": "integration",
         "cli": "integration", "serve": "integration"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        tier = "browser" if path.stem.endswith("_browser") else TIERS.get(path.parent.name)
        if tier is not None:
            item.add_marker(tier)


def tiny_config(*overrides: str) -> Config:
    """A tiny config; ``TINY``'s MLP width only where the overrides keep an MLP (an option of
    an architecture the config does not use is an error)."""
    from vaekit import registry

    arch = load_config(overrides=list(overrides)).model.arch
    mlp = "hidden" in registry.options("arch", arch)
    tiny = [o for o in TINY if mlp or not o.startswith("model.hidden=")]
    return load_config(overrides=[*tiny, *overrides])


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-epoch digits run, trained once per session (read-only for tests)."""
    from vaekit.training.trainer import train

    out = tmp_path_factory.mktemp("runs") / "tiny"
    train(tiny_config(), out, progress=False)
    return out


@pytest.fixture
def one_thread():
    """Small tensors: one intra-op thread avoids OpenMP stalls when the machine is oversubscribed."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
