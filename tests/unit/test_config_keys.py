"""A config key that applies to no chosen component is an error naming the component it belongs
to, never dropped; a vaekit 0.1 config is converted explicitly, each dropped key named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vaekit.config.load import config_errors, load_config
from vaekit.config.migrate import migrate, open_old_config
from vaekit.errors import ConfigError

OLD = Path(__file__).resolve().parents[1] / "data" / "runs_0.1"


def _old(name: str) -> dict:
    return json.loads((OLD / name / "config.json").read_text())["config"]


def test_options_of_components_not_chosen_are_refused_in_one_line():
    with pytest.raises(ConfigError) as exc:
        load_config(overrides=["model.arch=conv", "model.hidden=[400]", "objective.k=50"])
    msg = str(exc.value)
    assert "\n" not in msg
    assert "model.hidden: an option of arch mlp, not of the chosen arch conv" in msg
    assert "objective.k: an option of objective iwae, not of the chosen objective elbo" in msg


def test_an_option_of_the_chosen_component_is_kept():
    cfg = load_config(overrides=["model.arch=conv", "model.channels=[4]", "objective.name=iwae",
                                 "objective.k=50"])
    assert cfg.model.arch_args == {"channels": [4]} and cfg.objective.args == {"k": 50}


def test_a_preset_option_of_a_replaced_component_is_not_filled():
    """vq_vae's preset sets conv channels; a user who picks the mlp gave no channels, so none
    apply, and none are refused."""
    cfg = load_config(overrides=["model.variant=vq_vae", "model.arch=mlp", "model.hidden=[8]"])
    assert cfg.model.arch_args == {"hidden": [8]}
    assert load_config(overrides=["model.variant=vq_vae"]).model.arch_args == {"channels": [16, 32]}


def test_an_unknown_key_lists_the_chosen_components_options():
    _, errors = config_errors({"model": {"arch": "conv", "chanels": [4]}})
    assert errors == [errors[0]] and "model.chanels: unknown key" in errors[0]
    assert "the options of arch conv (" in errors[0] and "channels" in errors[0]


def test_a_0_1_config_is_refused_as_is_and_valid_once_migrated():
    data = _old("conv")
    assert config_errors(data)[1]  # it holds every component's options flat
    new, dropped = migrate(data)
    assert dropped["model.hidden"] == "arch conv" and dropped["objective.k"] == "objective elbo"
    assert dropped["data.mmap"] == "data digits"
    assert "model.channels" not in dropped and new["model"]["channels"] == [4, 8]
    cfg, errors = config_errors(new)
    assert errors == [] and cfg.model.arch_args == {"channels": [4, 8]}
    assert cfg.objective.args == {"beta": 1.0, "free_bits": 0.0, "kl_warmup_steps": 0,
                                  "kl_schedule": "linear", "kl_cycle_steps": 0}


def test_a_current_config_is_left_as_it_is():
    data = {"model": {"arch": "mlp", "hidden": [8]}, "objective": {"name": "iwae", "k": 3}}
    assert migrate(data) == (data, {})


def test_opening_a_0_1_config_says_so_once(capsys):
    data = _old("vae")
    first = open_old_config(data, "somewhere/config.json")
    second = open_old_config(data, "somewhere/config.json")
    assert first == second == migrate(data)[0]
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("note: somewhere/config.json holds a vaekit 0.1")
    assert "model.channels" in err[0] and "vaekit migrate" in err[0]
