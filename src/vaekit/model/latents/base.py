"""What a latent component declares about itself, so that no consumer probes its class.

Every registered latent is an ``nn.Module`` mapping encoder features h: (B, feature_dim) to a
posterior (``vaekit.dists.protocols.Posterior``) and declares :class:`LatentCaps` as ``caps``,
plus the two hooks of :class:`Latent`. Evaluation, exploration, the samplers, the report, the
server and the CLI read these declarations and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from torch import Tensor

from vaekit.dists.protocols import Posterior, Prior


@dataclass(frozen=True)
class LatentCaps:
    """What a latent can do.

    ``density``: q(z|x) has a density and the model a prior p(z) to sample and to bound log p(x)
    with (False for the plain autoencoder: generate through a density fitted on its codes).
    ``coordinates``: what one number of z is, for labels (``"dimension"``; ``"code vector entry"``
    for a code grid). ``gaussian_units``: each coordinate is a Gaussian unit with a KL of its
    own, so "KL per dimension", "active units" and posterior collapse apply.
    ``fitted_prior``: the registered prior fitted on the codes after training
    (``vaekit train-prior``), or None when the prior trains with the model.
    ``sized_by_feature_map``: ``model.latent_dim`` counts positions of the encoder's feature map,
    so left unset (null) it is derived: h*w of the map, whatever the image size.
    ``feature_map``: the latent works on the encoder's feature map (built with it as
    ``feature_map=(channels, h, w)``) and hands the decoder a map, ``readout(z)``, not z itself.
    ``prior_on_top``: the latent brings its own prior (``own_prior``) and takes ``model.prior``,
    when one is set, as the prior of its top layer (:class:`TopPrior`): a ladder's p(z_L).
    ``embedding``: what the posterior's ``mean`` is, the point that stands for an example in
    encodings, traversals, active units and the explorer (a flow's q has no closed-form mean).
    """

    density: bool = True
    coordinates: str = "dimension"
    gaussian_units: bool = True
    fitted_prior: str | None = None
    sized_by_feature_map: bool = False
    feature_map: bool = False
    prior_on_top: bool = False
    embedding: str = "posterior mean"


class Latent(Protocol):
    """A registered latent: ``latent_dim`` numbers reach the decoder."""

    caps: ClassVar[LatentCaps]
    latent_dim: int

    @classmethod
    def decoder_dim(cls, latent_dim: int, args: Mapping[str, Any]) -> int:
        """Numbers the decoder reads, from ``model.latent_dim`` and ``model.latent_args``."""
        ...

    def own_prior(self) -> Prior | None:
        """The prior this latent brings (a ladder's top-down path, a code grid's uniform prior),
        or None to use ``model.prior``."""
        ...

    def layer_sizes(self) -> list[int] | None:
        """Sizes of the stochastic layers that z concatenates (bottom first), or None for one."""
        ...


class TopPrior(Protocol):
    """The hooks of a latent that declares ``prior_on_top``."""

    def top_posterior(self, h: Tensor) -> Posterior:
        """q(z_L | x) from encoder features h (B, feature_dim): what a mixture-of-posteriors prior
        (the VampPrior) runs its pseudo-inputs through."""
        ...

    def put_prior_on_top(self, prior: Prior) -> None:
        """Make ``prior`` (over ``layer_sizes()[-1]`` numbers) p(z_L); an ``nn.Module`` prior
        becomes a submodule, saved with the latent."""
        ...
