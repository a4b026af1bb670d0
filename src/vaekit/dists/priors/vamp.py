"""The VampPrior (Tomczak & Welling 2018): p(z) as a mixture of the model's own posteriors.

K learned pseudo-inputs u_1..u_K, shaped like one example, are run through the model's encoder;
the prior is the uniform mixture of their posteriors (a ``DiagGaussianMixture``):

    p(z) = (1/K) sum_k q(z | u_k).

The pseudo-inputs are an ``nn.Parameter`` of the prior (saved in model.safetensors, trained by
the same optimizer); the encoder is shared with the VAE, not copied. Example config::

    model.prior: vamp
    model.prior_args: {components: 500}
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from vaekit.data.modalities import for_shape
from vaekit.dists.priors.base import PriorContext
from vaekit.dists.priors.mixture import DiagGaussianMixture
from vaekit.dists.protocols import Posterior
from vaekit.errors import ConfigError
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne


class VampPrior(DiagGaussianMixture):
    """Uniform mixture of q(z|u_k) over K pseudo-inputs; ``raw`` (K, *shape) is its only parameter.

    Images (3-dim shapes, data in [0, 1]): u = sigmoid(raw), raw ~ N(0, 0.1^2), so u starts near
    0.5 with small noise. Other shapes (standardized rows): u = raw, raw ~ N(0, 1).
    """

    def __init__(self, ctx: PriorContext, components: int) -> None:
        super().__init__(ctx.latent_dim, components)
        if ctx.encode is None:
            raise ConfigError("model.prior=vamp needs an encoder; got a PriorContext without one")
        self.shape = tuple(ctx.shape)
        self.description = f"VampPrior, {components} pseudo-inputs"
        self.image = for_shape(self.shape).unit_interval  # pseudo-inputs in [0, 1], as pixels
        self.raw = nn.Parameter(torch.randn(components, *self.shape) * (0.1 if self.image else 1.0))
        # Plain attributes, not submodules: the encoder and latent belong to the VAE's state dict.
        self._encode: Callable[[Tensor], Posterior] = ctx.encode
        self._latent_params = ctx.latent.parameters if ctx.latent is not None else None
        self._cache: tuple[tuple[int, ...], Tensor, Tensor] | None = None

    def pseudo_inputs(self) -> Tensor:
        """u: (K, *shape), in the data's range."""
        return torch.sigmoid(self.raw) if self.image else self.raw

    # Cache policy. With grad enabled (training) the components are always recomputed, so the
    # ELBO differentiates through the encoder, and the cache is dropped: the next evaluation
    # after a training step re-encodes. Without grad (no_grad or inference_mode evaluation,
    # sampling) (mu, logvar) are cached under a key of raw's version counter and storage and the
    # version counters of the latent's parameters when ctx.latent was given, so an optimizer
    # step, a load_state_dict or a device move since the cached encoding invalidates it.
    # train(mode) and clear_cache() drop it too (call clear_cache after editing the encoder by
    # hand under no_grad).
    def _key(self) -> tuple[int, ...] | None:
        try:  # None (never cached) for an inference tensor, which has no version counter
            versions = sum(p._version for p in self._latent_params()) if self._latent_params else 0
            return (self.raw._version, self.raw.data_ptr(), versions)
        except RuntimeError:
            return None

    def clear_cache(self) -> None:
        self._cache = None

    def train(self, mode: bool = True) -> VampPrior:
        self.clear_cache()
        return super().train(mode)

    def _moments(self) -> tuple[Tensor, Tensor]:
        moments = self._encode(self.pseudo_inputs()).moments()
        if moments is None:
            raise ConfigError("model.prior=vamp needs a diagonal Gaussian posterior "
                              "(model.latent=gaussian)")
        return moments

    def components_moments(self) -> tuple[Tensor, Tensor]:
        """(mu, logvar), each (K, L): the posterior of every pseudo-input."""
        if torch.is_grad_enabled():
            self._cache = None
            return self._moments()
        key = self._key()
        if key is None or self._cache is None or self._cache[0] != key:
            mu, logvar = self._moments()
            self._cache = (key, mu, logvar) if key is not None else None
            return mu, logvar
        return self._cache[1], self._cache[2]


@register("prior", "vamp")
def vamp(ctx: PriorContext, components: AtLeastOne = 500) -> VampPrior:
    """VampPrior with ``components`` learned pseudo-inputs; unconditional models only."""
    if ctx.encode is None:
        raise ConfigError("model.prior=vamp needs an unconditional model: its components are the "
                          "encoder's posteriors of pseudo-inputs, and a conditional encoder needs labels")
    prior = VampPrior(ctx, components)
    with torch.no_grad():
        prior.components_moments()  # a posterior without Gaussian moments fails here, at build
        prior.clear_cache()
    return prior
