"""Build a model from its config by composing registered parts.

Each part is a registered name plus its own options (``model.<kind>_args``), bound to the
builder's signature; what a part needs from the others (sizes, the encoder) it gets from here,
so a new part never edits this file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import Tensor

from vaekit import registry
from vaekit.config.schema import ModelConfig
from vaekit.dists.priors.base import PriorContext
from vaekit.errors import ConfigError
from vaekit.model.vae import VAE


def _build(kind: str, name: str, args: dict[str, Any], *supplied: Any) -> Any:
    """``registry.get(kind, name)(*supplied, **args)``; a bad option value is a ConfigError."""
    builder = registry.get(kind, name)
    try:
        return builder(*supplied, **registry.bind(kind, name, args))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model.{kind} {name!r}: {exc}") from None


def build_model(cfg: ModelConfig, shape: tuple[int, ...]) -> VAE:
    """Compose encoder, latent, decoder, likelihood and prior for data of one-example ``shape``."""
    likelihood = _build("likelihood", cfg.likelihood, cfg.likelihood_args)
    likelihood.registered_name = cfg.likelihood
    # A conditioner (CVAE) appends its label code to the encoder features and to z.
    cond = (_build("conditioner", cfg.conditioner, {"label_dim": cfg.label_dim}, cfg.num_classes)
            if cfg.conditioner else None)
    extra = cond.dim if cond is not None else 0
    latent_cls = registry.get("latent", cfg.latent)
    registry.bind("latent", cfg.latent, cfg.latent_args)
    # The decoder reads what the latent says it emits (a code grid, a ladder's every layer).
    try:
        z_dim = latent_cls.decoder_dim(cfg.latent_dim, cfg.latent_args)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model.latent {cfg.latent!r}: {exc}") from None
    arch = _build("arch", cfg.arch, cfg.arch_args, shape, z_dim + extra,
                  likelihood.params_per_dim)
    latent = _build("latent", cfg.latent, cfg.latent_args, arch.feature_dim + extra,
                    cfg.latent_dim)
    prior = latent.own_prior()
    if prior is not None and (cfg.prior != "standard_normal" or cfg.prior_args):
        raise ConfigError(f"model.prior {cfg.prior!r}: latent {cfg.latent!r} brings its own prior "
                          f"({prior.description}); leave model.prior unset")
    if prior is None:
        encode: Callable[[Tensor], Any] | None = None
        if cond is None:
            def encode(u: Tensor) -> Any:
                return latent(arch.encoder(u))
        ctx = PriorContext(latent_dim=z_dim, shape=tuple(shape), encode=encode, latent=latent)
        prior = _build("prior", cfg.prior, cfg.prior_args, ctx)
    return VAE(arch.encoder, latent, arch.decoder, likelihood, prior, shape, cond)
