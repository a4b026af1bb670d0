"""The preset mechanism: model.variant fills defaults, the user's keys win, names are checked."""

from __future__ import annotations

import pytest

from vaekit.config.load import config_errors, load_config
from vaekit.config.schema import Config
from vaekit.errors import ConfigError
from vaekit.variants import Variant, apply_variant


def test_variant_fills_defaults_and_records_its_name():
    cfg = load_config(overrides=["model.variant=iwae"])
    assert cfg.model.variant == "iwae" and cfg.objective.name == "iwae" and cfg.objective.option("k") == 5
    ae = load_config(overrides=["model.variant=ae"])
    assert (ae.model.latent, ae.objective.name) == ("deterministic", "ae")
    assert load_config().model.variant == "vae" and load_config().objective.name == "elbo"


def test_the_users_keys_win_over_the_preset():
    cfg = load_config(overrides=["model.variant=beta_vae", "objective.beta=1.5"])
    assert cfg.objective.option("beta") == 1.5
    assert load_config(overrides=["model.variant=beta_vae"]).objective.option("beta") == 4.0


def test_nested_keys_merge_with_the_preset_instead_of_replacing_it():
    cfg = load_config(overrides=["model.variant=vq_vae", "model.latent_args.ema=true"])
    assert cfg.model.latent_args == {"codebook_size": 128, "code_dim": 8, "ema": True}
    cfg = load_config(overrides=["model.variant=vq_vae", "model.latent_args.codebook_size=64"])
    assert cfg.model.latent_args == {"codebook_size": 64, "code_dim": 8}


def test_config_model_validate_applies_the_preset_too():
    cfg = Config.model_validate({"model": {"variant": "cvae"}})
    assert cfg.model.conditioner == "onehot"


def test_resolved_config_round_trips_unchanged():
    cfg = load_config(overrides=["model.variant=cvae", "model.conditioner=embedding"])
    again = Config.model_validate(cfg.model_dump())
    assert again == cfg


def test_unknown_variant_is_one_error_listing_the_valid_ones():
    with pytest.raises(ConfigError, match=r"model.variant: unknown variant 'bvae' \(valid: .*beta_vae"):
        load_config(overrides=["model.variant=bvae"])


def test_preset_component_names_are_checked_like_the_users():
    _, errors = config_errors({"model": {"variant": "cvae", "conditioner": "onehott"}})
    assert errors == ["model.conditioner: unknown conditioner 'onehott' (valid: embedding, onehot)"]


def test_apply_leaves_the_input_untouched_and_skips_bad_sections():
    v = Variant("x", "test", {"objective": {"beta": 2.0}, "model": {"latent_dim": 3}})
    data = {"objective": {"beta": 1.0}, "model": "oops"}
    out = v(data)
    assert out == {"objective": {"beta": 1.0}, "model": "oops"}
    assert data == {"objective": {"beta": 1.0}, "model": "oops"}
    assert v({}) == {"objective": {"beta": 2.0}, "model": {"latent_dim": 3}}
    assert apply_variant({"model": {"variant": "nope"}}) == {"model": {"variant": "nope"}}
