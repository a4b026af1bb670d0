"""The VampPrior (Tomczak & Welling 2018): p(z) as a mixture of the model's own posteriors.

K learned pseudo-inputs u_1..u_K, shaped like one example, are run through the model's encoder;
the prior is the uniform mixture of their posteriors:

    p(z) = (1/K) sum_k q(z | u_k),   log p(z) = logsumexp_k log N(z; mu_k, var_k) - log K.

The pseudo-inputs are an ``nn.Parameter`` of the prior (saved in model.safetensors, trained by
the same optimizer); the encoder is shared with the VAE, not copied. A mixture has no closed-form
KL against q(z|x): ``gaussian()`` is None and ``kl_terms`` uses the Monte Carlo estimate
log q(z|x) - log p(z) at the reconstruction's draw. Example config::

    model.prior: vamp
    model.prior_args: {components: 500}
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from vaekit.dists.gaussian import LOG_2PI
from vaekit.dists.priors.base import PriorContext
from vaekit.dists.protocols import Posterior
from vaekit.errors import ConfigError
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne


class VampPrior(nn.Module):
    """Uniform mixture of q(z|u_k) over K pseudo-inputs; ``raw`` (K, *shape) is its only parameter.

    Images (3-dim shapes, data in [0, 1]): u = sigmoid(raw), raw ~ N(0, 0.1^2), so u starts near
    0.5 with small noise. Other shapes (standardized rows): u = raw, raw ~ N(0, 1).
    """

    standard_normal = False

    def __init__(self, ctx: PriorContext, components: int) -> None:
        super().__init__()
        if ctx.encode is None:
            raise ConfigError("model.prior=vamp needs an encoder; got a PriorContext without one")
        self.dim, self.shape, self.components = int(ctx.latent_dim), tuple(ctx.shape), components
        self.description = f"VampPrior, {components} pseudo-inputs"
        self.image = len(self.shape) == 3
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

    def log_prob(self, z: Tensor) -> Tensor:
        """log p(z): z (..., L) -> (...,) nats; differentiable in z, raw and the encoder."""
        mu, logvar = self.components_moments()
        # sum_l (z - mu_k)^2 / var_k expanded into matmuls: an (N, K) matrix, never (N, K, L).
        # Float64 because the expansion cancels badly in float32 where a variance is small.
        dt = torch.float32 if z.device.type == "mps" else torch.float64
        flat, mu, logvar = z.reshape(-1, self.dim).to(dt), mu.to(dt), logvar.to(dt)
        prec = torch.exp(-logvar)
        quad = (flat**2) @ prec.T - 2 * flat @ (mu * prec).T + (mu**2 * prec).sum(-1)
        log_k = -0.5 * (quad + logvar.sum(-1) + self.dim * LOG_2PI)
        out = torch.logsumexp(log_k, -1) - math.log(self.components)
        return out.to(z.dtype).reshape(z.shape[:-1])

    @torch.no_grad()
    def sample(self, n: int, device: torch.device | str = "cpu", temperature: float = 1.0,
               generator: torch.Generator | None = None) -> Tensor:
        """(n, L) draws: a uniform component k, then mu_k + temperature * sigma_k * eps."""
        mu, logvar = (t.to(device) for t in self.components_moments())
        k = torch.randint(self.components, (n,), generator=generator, device=device)
        eps = torch.randn(n, self.dim, generator=generator, device=device, dtype=mu.dtype)
        return mu[k] + temperature * torch.exp(0.5 * logvar[k]) * eps

    def gaussian(self) -> None:
        """None: a mixture is not one Gaussian, so its KL is estimated by Monte Carlo."""
        return None

    @torch.no_grad()
    def center(self) -> Tensor:
        """(L,): the prior's mean, the average of the components' means (traversals start here)."""
        return self.components_moments()[0].mean(0)

    @torch.no_grad()
    def scale(self) -> Tensor:
        """(L,): the prior's marginal std per coordinate, sqrt(E_k[var_k + mu_k^2] - center^2)."""
        mu, logvar = self.components_moments()
        second = (torch.exp(logvar) + mu**2).mean(0)
        return (second - mu.mean(0) ** 2).clamp_min(0).sqrt()


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
