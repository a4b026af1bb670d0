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
    # A latent's first two arguments come from the model, not from its options.
    fixed = {"self", "feature_dim", "latent_dim"} if kind == "latent" else {"self"}
    params = [
        p.name for p in inspect.signature(builder).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in fixed
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
    # A conditioner (CVAE) appends its label code to the encoder features and to z.
    cond = (registry.get("conditioner", cfg.conditioner)(cfg.num_classes, cfg.label_dim)
            if cfg.conditioner else None)
    extra = cond.dim if cond is not None else 0
    latent_cls = registry.get("latent", cfg.latent)
    latent_args = bind_kwargs("latent", cfg.latent, latent_cls, cfg.latent_args)
    # A latent whose decoder input is not latent_dim numbers (a code grid, a ladder) says so.
    try:
        z_dim = (latent_cls.decoder_dim(cfg.latent_dim, **latent_args)
                 if hasattr(latent_cls, "decoder_dim") else cfg.latent_dim)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model.latent {cfg.latent!r}: {exc}") from None
    arch = registry.get("arch", cfg.arch)(
        shape, z_dim + extra, likelihood.params_per_dim, hidden=cfg.hidden,
        channels=cfg.channels,
    )
    try:
        latent = latent_cls(arch.feature_dim + extra, cfg.latent_dim, **latent_args)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model.latent {cfg.latent!r}: {exc}") from None
    # A latent with its own generative path (ladder, code grid) brings its prior p(z).
    prior = (latent.make_prior() if hasattr(latent, "make_prior")
             else registry.get("prior", cfg.prior)(cfg.latent_dim))
    return VAE(arch.encoder, latent, arch.decoder, likelihood, prior, shape, cond)
