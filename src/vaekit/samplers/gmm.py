"""An ex-post density on the codes: a Gaussian mixture fitted to posterior means (Ghosh et al.
2020, as in Pythae), for autoencoders without a usable prior and for VAEs whose aggregate
posterior does not match N(0, I). Fitted with scikit-learn; sampled and stored as plain tensors.
"""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.dists.priors.code_mixture import fit_mixture, mixture_log_prob, mixture_sample
from vaekit.registry import register

# The most codes a mixture is fitted on: enough for 50 full-covariance components of a few
# dozen dimensions, and EM stays seconds on a large table.
FIT_CODES = 50_000


@register("sampler", "gmm")
class GaussianMixtureSampler:
    """Mixture of C full-covariance Gaussians over L-dim codes.

    ``weights``: (C,) summing to 1; ``means``: (C, L); ``covariances``: (C, L, L), float64.
    """

    name = "gmm"
    on_model_device = False

    def __init__(self, weights: Tensor, means: Tensor, covariances: Tensor) -> None:
        self.weights = weights.double()
        self.means = means.double()
        self.covariances = covariances.double()
        self.chol = torch.linalg.cholesky(self.covariances)
        self.description = (f"a {len(self.weights)}-component Gaussian mixture fitted to the "
                            "posterior means of the training split")

    @classmethod
    def fit(cls, codes: Tensor, n_components: int = 10, seed: int = 0) -> GaussianMixtureSampler:
        """Fit by EM (scikit-learn, k-means init) to codes: (N, L) posterior means (a seeded
        subset of ``FIT_CODES`` of them when there are more)."""
        if len(codes) > FIT_CODES:
            pick = torch.randperm(len(codes), generator=torch.Generator().manual_seed(seed))
            codes = codes[pick[:FIT_CODES]]
        return cls(*fit_mixture(codes, n_components, seed))

    @property
    def n_components(self) -> int:
        return len(self.weights)

    def describe(self) -> dict[str, int]:
        """What sets this mixture apart from another fit (stored in its JSON)."""
        return {"n_components": self.n_components}

    def matches(self, options: dict[str, int]) -> bool:
        """Whether a saved mixture answers a request for ``options`` (``components``)."""
        return self.n_components == options.get("components", self.n_components)

    def sample(self, n: int, generator: torch.Generator | None = None,
               temperature: float = 1.0) -> Tensor:
        """(n, L) float32 codes: a component by weight, then mean + T * chol @ eps (on the CPU)."""
        return mixture_sample(n, self.weights, self.means, self.chol, generator,
                              temperature).float()

    def log_prob(self, z: Tensor) -> Tensor:
        """log density of codes z: (n, L) -> (n,) nats."""
        return mixture_log_prob(z.double(), self.weights.log(), self.means, self.chol)

    def state(self) -> dict[str, Tensor]:
        """The tensors that define the mixture (saved as safetensors)."""
        return {"weights": self.weights, "means": self.means, "covariances": self.covariances}

    @classmethod
    def from_state(cls, tensors: dict[str, Tensor]) -> GaussianMixtureSampler:
        return cls(tensors["weights"], tensors["means"], tensors["covariances"])
