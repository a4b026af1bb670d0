"""Every example config in configs/ validates."""

from pathlib import Path

import pytest

from vaekit.config.load import config_errors, read_yaml

CONFIGS = sorted(Path(__file__).parents[2].joinpath("configs").glob("*.yaml"))


def test_there_are_example_configs():
    assert len(CONFIGS) >= 3


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_example_config_is_valid(path):
    cfg, errors = config_errors(read_yaml(path))
    assert errors == [] and cfg is not None
