"""An ex-post density on the codes: a Gaussian mixture fitted to posterior means (Ghosh et al.
2020, as in Pythae), for autoencoders without a usable prior and for VAEs whose aggregate
posterior does not match N(0, I). Fitted with scikit-learn; sampled and stored as plain tensors.
"""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.errors import UserError
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
        from sklearn.mixture import GaussianMixture
        from threadpoolctl import threadpool_limits

        if len(codes) > FIT_CODES:
            pick = torch.randperm(len(codes), generator=torch.Generator().manual_seed(seed))
            codes = codes[pick[:FIT_CODES]]
        if len(codes) < n_components:
            raise UserError(f"cannot fit {n_components} mixture components to {len(codes)} codes")
        gm = GaussianMixture(n_components, covariance_type="full", reg_covar=1e-6,
                             random_state=seed)
        # One BLAS thread: these matrices are small, and threaded OpenBLAS spins when the cores
        # are busy (13x slower measured on a loaded 2-core machine).
        with threadpool_limits(1):
            gm.fit(codes.double().numpy())
        return cls(torch.from_numpy(gm.weights_), torch.from_numpy(gm.means_),
                   torch.from_numpy(gm.covariances_))

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
        k = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        eps = torch.randn(n, self.means.shape[1], generator=generator, dtype=torch.float64)
        z = self.means[k] + temperature * (self.chol[k] @ eps.unsqueeze(-1)).squeeze(-1)
        return z.float()

    def log_prob(self, z: Tensor) -> Tensor:
        """log density of codes z: (n, L) -> (n,) nats."""
        comp = torch.distributions.MultivariateNormal(self.means, scale_tril=self.chol)
        mix = torch.distributions.Categorical(probs=self.weights)
        return torch.distributions.MixtureSameFamily(mix, comp).log_prob(z.double())

    def state(self) -> dict[str, Tensor]:
        """The tensors that define the mixture (saved as safetensors)."""
        return {"weights": self.weights, "means": self.means, "covariances": self.covariances}

    @classmethod
    def from_state(cls, tensors: dict[str, Tensor]) -> GaussianMixtureSampler:
        return cls(tensors["weights"], tensors["means"], tensors["covariances"])
