"""The posterior and prior objects of the ladder latent (see ``hierarchical.py``).

Both are views on the ladder's top-down networks, so they stand where a Gaussian posterior and
N(0, I) stand: ``rsample``, ``log_prob`` (nats, summed over all layers), ``mean``, ``kl_per_dim``;
``sample`` and ``log_prob`` for the prior. z is always [z_1, ..., z_L] concatenated on the last
dimension; leading sample dimensions (n, B, ...) broadcast through every method.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import torch
from torch import Tensor

from vaekit.dists.draw import Draw
from vaekit.dists.protocols import sampled_moments


@dataclass
class Path:
    """One top-down pass: z (..., B, sum of sizes), and per layer (bottom to top) the posterior
    q(z_l | z_{l+1}, x) (None when generating) and the prior p(z_l | z_{l+1}) it was drawn under;
    ``state``: what the decoder reads of a hierarchy on feature maps (its top-down state after
    every group), None for one whose decoder reads z. ``top_log_q``: log q(z_L | x) (..., B) as
    the top posterior handed it over with its draw (a flow's, which it would otherwise have to
    invert), None for a walk given z."""

    z: Tensor
    posteriors: list[Any]  # DiagGaussian (the top: any posterior), None when generating
    priors: list[Any]  # DiagGaussian below the top; on top N(0, I) or the model's prior
    state: Tensor | None = None
    top_log_q: Tensor | None = None

    def kl_layers(self) -> list[Tensor] | None:
        """Closed-form KL(q_l || p_l) per dimension for each layer, (..., B, size_l) nats, or
        None when a layer has no closed form (a mixture prior on the top layer).

        The lower layers' KLs are conditional on the sampled parents z_{l+1}; their sum is a
        single-sample estimate of KL(q(z|x) || p(z)), each term >= 0.
        """
        lead = self.z.shape[:-1]  # the top layer's KL has no sample dimension: broadcast it
        dims = [q.kl_per_dim(p) for q, p in zip(self.posteriors, self.priors, strict=True)
                if q is not None]
        if any(d is None for d in dims):
            return None
        return [d.expand(*lead, -1) for d in dims]

    def layer_kls(self) -> list[Tensor]:
        """KL of each layer, (..., B) nats: closed form given the parent where there is one,
        else the Monte Carlo estimate log q(z_l | x) - log p(z_l) at this path's draw.
        (A path of inference: every layer has its posterior.)"""
        qs = [q for q in self.posteriors if q is not None]
        parts = self.z.split([q.mean.shape[-1] for q in qs], -1)
        out = []
        for i, (q, p, z) in enumerate(zip(qs, self.priors, parts, strict=True)):
            dims = q.kl_per_dim(p)
            if dims is not None:
                out.append(dims.sum(-1).expand(self.z.shape[:-1]))
                continue
            carried = self.top_log_q if i == len(qs) - 1 else None
            out.append((q.log_prob(z) if carried is None else carried) - p.log_prob(z))
        return out


def _given(ladder: Any, z: Tensor) -> Any:
    parts = z.split(ladder.sizes, -1)
    return lambda i, q, p: parts[i]


class LadderPosterior:
    """q(z|x) = q(z_L|x) prod_l q(z_l | z_{l+1}, x), from the bottom-up ``estimates`` (B, size_l):
    Gaussians (the top one may be any posterior, such as a flow) or a map ladder's states."""

    deterministic = False

    def __init__(self, ladder: Any, estimates: list[Any]) -> None:
        self.ladder = ladder
        self.estimates = estimates

    def _path_at(self, z: Tensor) -> Path:
        """The top-down path through a given z."""
        return self.ladder.descend(self.estimates, _given(self.ladder, z))

    def moments(self) -> None:
        """None: q(z|x) is a Gaussian per layer given the layer above, not one diagonal Gaussian."""
        return None

    def path(self, generator: torch.Generator | None = None, n: int | None = None) -> Path:
        """A reparameterized top-down draw; z: (B, L) or (n, B, L), the top layer's log q carried."""
        top = len(self.estimates) - 1
        carried: list[Tensor] = []

        def pick(i: int, q: Any, p: Any) -> Tensor:
            if i < top:
                return q.rsample(None, generator)
            draw = q.rsample_with_log_prob(n, generator)
            carried.append(draw.log_q)
            return draw.z

        path = self.ladder.descend(self.estimates, pick)
        path.top_log_q = carried[0]
        return path

    def rsample(self, n: int | None = None, generator: torch.Generator | None = None) -> Tensor:
        return self.path(generator, n).z

    def rsample_with_log_prob(self, n: int | None = None,
                              generator: torch.Generator | None = None) -> Draw:
        """A top-down draw scored along the walk that drew it: log q(z|x), log p(z) and each
        layer's log q(z_l | .) - log p(z_l | .) from the same Gaussians, and the decoder's input
        where the walk computed it."""
        path = self.path(generator, n)
        parts = path.z.split(self.ladder.sizes, -1)
        log_q = [q.log_prob(zl) for q, zl in zip(path.posteriors[:-1], parts[:-1], strict=True)]
        log_q.append(path.top_log_q)  # type: ignore[arg-type]
        log_p = [p.log_prob(zl) for p, zl in zip(path.priors, parts, strict=True)]
        layers = torch.stack([a - b for a, b in zip(log_q, log_p, strict=True)], -1)
        return Draw(path.z, sum(log_q), sum(log_p), layers, path.state)  # type: ignore[arg-type]

    def log_prob(self, z: Tensor) -> Tensor:
        """log q(z|x) = sum over layers of log q(z_l | z_{l+1}, x): (..., B) nats."""
        path = self._path_at(z)
        parts = z.split(self.ladder.sizes, -1)
        return sum(q.log_prob(zl) for q, zl in zip(path.posteriors, parts, strict=True))

    def log_ratio_layers(self, prior: object, z: Tensor) -> Tensor:
        """(..., B, layers) log q(z_l | z_{l+1}, x) - log p(z_l | z_{l+1}) at z, bottom to top, in
        one top-down pass (``prior`` is ignored: the ladder's own priors are the model's)."""
        path = self._path_at(z)
        parts = z.split(self.ladder.sizes, -1)
        return torch.stack([q.log_prob(zl) - p.log_prob(zl) for q, p, zl
                            in zip(path.posteriors, path.priors, parts, strict=True)], -1)

    def kl_per_dim(self, other: object = None, generator: torch.Generator | None = None) -> Tensor:
        """Per-dimension KLs of all layers along one sampled path, (B, sum of sizes) nats; None
        when the top layer's prior has no closed-form KL (a mixture: Monte Carlo instead).

        ``other`` is ignored: the ladder's own top-down prior is the prior of every layer.
        """
        layers = self.path(generator).kl_layers()
        return None if layers is None else torch.cat(layers, -1)

    @cached_property
    def _mean_path(self) -> Path:
        return self.ladder.descend(self.estimates, lambda i, q, p: q.mean)

    @property
    def mean(self) -> Tensor:
        """The top-down pass through posterior means (B, sum of sizes): the embedding."""
        return self._mean_path.z


class LadderPrior:
    """p(z) = p(z_L) prod_l p(z_l | z_{l+1}); ``top``: p(z_L) when it is not N(0, I) (the
    model's prior, put on the top layer), for the description."""

    standard_normal = False

    def __init__(self, ladder: Any, top: Any = None) -> None:
        self.ladder = ladder
        self.dim = ladder.latent_dim
        on_top = "" if top is None or top.standard_normal else f", top layer: {top.description}"
        self.description = (f"top-down ladder prior over {len(ladder.sizes)} layers "
                            f"{ladder.sizes}{on_top}")

    def gaussian(self) -> None:
        """None as a whole: each layer's KL is closed-form given its parent (``kl_per_dim``)."""
        return None

    def center(self) -> Tensor:
        return self._moments()[0]

    def scale(self) -> Tensor:
        return self._moments()[1]

    def _moments(self) -> tuple[Tensor, Tensor]:
        params = list(self.ladder.parameters())
        return sampled_moments(self, params, params[0].device)

    def sample(self, n: int, device: torch.device | str = "cpu", temperature: float = 1.0,
               generator: torch.Generator | None = None) -> Tensor:
        """(n, sum of sizes) ancestral draws; ``temperature`` scales every layer's noise."""
        top = len(self.ladder.sizes) - 1

        def pick(i: int, q: object, p: Any) -> Tensor:
            if i == top:  # N(0, I) or the model's prior: (n, size_L) draws
                return p.sample(n, device, temperature, generator)
            eps = torch.randn(p.mu.shape, generator=generator, device=p.mu.device)
            return p.mu + temperature * p.std * eps

        return self.ladder.descend(None, pick).z

    def log_prob(self, z: Tensor) -> Tensor:
        """log p(z) = log p(z_L) + sum_l log p(z_l | z_{l+1}): (..., B) nats."""
        path = self.ladder.descend(None, _given(self.ladder, z))
        parts = z.split(self.ladder.sizes, -1)
        return sum(p.log_prob(zl) for p, zl in zip(path.priors, parts, strict=True))
