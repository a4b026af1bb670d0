"""Build a model from its config by composing registered parts."""

from __future__ import annotations

import inspect
from typing import Any

from vaekit import registry
from vaekit.config.schema import ModelConfig
from vaekit.errors import ConfigError
from vaekit.model.vae import VAE


def bind_kwargs(kind: str, name: str, builder: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Check ``kwargs`` against the builder's signature; ConfigError naming the unknown ones."""
    params = [
        p.name for p in inspect.signature(builder).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self"
    ]
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        valid = ", ".join(params) or "none"
        raise ConfigError(f"{kind} {name!r} has no option {', '.join(unknown)} (valid: {valid})")
    return kwargs


def build_model(cfg: ModelConfig, shape: tuple[int, ...]) -> VAE:
    """Compose encoder, latent, decoder, likelihood and prior for data of one-example ``shape``."""
    lik_cls = registry.get("likelihood", cfg.likelihood)
    try:
        likelihood = lik_cls(**bind_kwargs("likelihood", cfg.likelihood, lik_cls,
                                           cfg.likelihood_args))
    except ValueError as exc:
        raise ConfigError(f"model.likelihood_args: {exc}") from None
    likelihood.registered_name = cfg.likelihood
    arch = registry.get("arch", cfg.arch)(
        shape, cfg.latent_dim, likelihood.params_per_dim, hidden=cfg.hidden,
        channels=cfg.channels,
    )
    latent = registry.get("latent", cfg.latent)(arch.feature_dim, cfg.latent_dim)
    prior = registry.get("prior", cfg.prior)(cfg.latent_dim)
    return VAE(arch.encoder, latent, arch.decoder, likelihood, prior, shape)
