"""Build a model from its config by composing registered parts.

Each part is a registered name plus its own options (``model.<kind>_args``), bound to the
builder's signature; what a part needs from the others (sizes, the encoder) it gets from here,
so a new part never edits this file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from vaekit import registry
from vaekit.config.schema import ModelConfig
from vaekit.data.likelihood_choice import likelihood_for_shape
from vaekit.dists.priors.base import PriorContext
from vaekit.errors import ConfigError
from vaekit.model.vae import VAE


class EncodeThrough:
    """u -> posterior(encoder(u)): how a prior of posteriors (the VampPrior) encodes its
    pseudo-inputs. An object, not a closure, so that a deep copy of the model (the moving average
    of its weights) encodes through the copy's own encoder and latent, not the original's."""

    def __init__(self, encoder: torch.nn.Module, posterior: Callable[[Tensor], Any]) -> None:
        self.encoder, self.posterior = encoder, posterior

    def __call__(self, u: Tensor) -> Any:
        return self.posterior(self.encoder(u))


def _build(kind: str, name: str, args: dict[str, Any], *supplied: Any) -> Any:
    """``registry.get(kind, name)(*supplied, **args)``; a bad option value is a ConfigError."""
    builder = registry.get(kind, name)
    try:
        return builder(*supplied, **registry.bind(kind, name, args))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model.{kind} {name!r}: {exc}") from None


def _positions(cfg: ModelConfig, latent_cls: Any, shape: tuple[int, ...], params: int) -> int:
    """``model.latent_dim`` left unset: the h*w positions of the encoder's last feature map, for a
    latent that declares it is sized by it (the weights drawn are unaffected: the arch is built
    once to read its map, with the random state restored)."""
    if not latent_cls.caps.sized_by_feature_map:
        raise ConfigError(f"model.latent_dim: latent {cfg.latent!r} needs a size (an integer)")
    with torch.random.fork_rng(devices=[]):
        probe = _build("arch", cfg.arch, cfg.arch_args, shape, 1, params)
    if probe.feature_map is None:
        raise ConfigError(f"model.latent_dim: latent {cfg.latent!r} counts the positions of the "
                          f"encoder's feature map and arch {cfg.arch!r} has none; set "
                          "model.latent_dim or use model.arch=conv")
    _, h, w = probe.feature_map
    return h * w


def build_model(cfg: ModelConfig, shape: tuple[int, ...]) -> VAE:
    """Compose encoder, latent, decoder, likelihood and prior for data of one-example ``shape``."""
    name, args = cfg.likelihood, cfg.likelihood_args
    if name == "auto":  # training settles it from the data; a model built without data:
        name, chosen = likelihood_for_shape(shape)
        args = {**chosen, **args}
    likelihood = _build("likelihood", name, args)
    likelihood.registered_name = name
    likelihood.setup(tuple(shape))
    # A conditioner (CVAE) appends its label code to the encoder features and to z.
    cond = (_build("conditioner", cfg.conditioner, {"label_dim": cfg.label_dim}, cfg.num_classes)
            if cfg.conditioner else None)
    extra = cond.dim if cond is not None else 0
    latent_cls = registry.get("latent", cfg.latent)
    registry.bind("latent", cfg.latent, cfg.latent_args)
    latent_dim = cfg.latent_dim
    if latent_dim is None:
        latent_dim = _positions(cfg, latent_cls, shape, likelihood.params_per_dim)
    # The decoder reads what the latent says it emits (a code grid, a ladder's every layer).
    try:
        z_dim = latent_cls.decoder_dim(latent_dim, cfg.latent_args)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model.latent {cfg.latent!r}: {exc}") from None
    if latent_cls.caps.feature_map and cond is not None:
        raise ConfigError(f"model.latent {cfg.latent!r} hands the decoder a feature map, which "
                          "a label code cannot join: leave model.conditioner unset")
    arch = _build("arch", cfg.arch, cfg.arch_args, shape, z_dim + extra if extra else z_dim,
                  likelihood.params_per_dim)
    # A latent on feature maps is given the encoder's map to unflatten its features into.
    supplied = (arch.feature_map,) if latent_cls.caps.feature_map else ()
    latent = _build("latent", cfg.latent, cfg.latent_args, arch.feature_dim + extra, latent_dim,
                    *supplied)

    def encoder_of(posterior: Callable[[Tensor], Any]) -> Callable[[Tensor], Any] | None:
        """u -> posterior(encoder(u)) for a prior of posteriors; None when labels are needed."""
        return None if cond is not None else EncodeThrough(arch.encoder, posterior)

    chosen = cfg.prior != "standard_normal" or bool(cfg.prior_args)
    if latent_cls.caps.prior_on_top and chosen:  # model.prior is p(z_L) of the top layer
        ctx = PriorContext(latent_dim=latent.layer_sizes()[-1], shape=tuple(shape),
                           encode=encoder_of(latent.top_posterior), latent=latent)
        latent.put_prior_on_top(_build("prior", cfg.prior, cfg.prior_args, ctx))
    prior = latent.own_prior()
    if prior is not None and chosen and not latent_cls.caps.prior_on_top:
        raise ConfigError(f"model.prior {cfg.prior!r}: latent {cfg.latent!r} brings its own prior "
                          f"({prior.description}); leave model.prior unset")
    if prior is None:
        ctx = PriorContext(latent_dim=z_dim, shape=tuple(shape), encode=encoder_of(latent),
                           latent=latent)
        prior = _build("prior", cfg.prior, cfg.prior_args, ctx)
    return VAE(arch.encoder, latent, arch.decoder, likelihood, prior, shape, cond)
