"""A prior fitted after training on the codes of the training split: a mixture of full-covariance
Gaussians fitted by EM to draws of q(z|x), the aggregate posterior q(z) = E_x q(z|x).

    log p(z) = logsumexp_c [log w_c + log N(z; mu_c, Sigma_c)].

It replaces the prior a model trained under (N(0, I)) where the codes the decoder was trained
on are not distributed as N(0, I): generated codes come from where the data's codes are, and
since the mixture is a normalized density fitted on the training split alone, the IW bound of
a held-out example under it is still a lower bound on log p(x) of the model with this prior.
Fitted to draws of q(z|x), not to posterior means: a mixture of the means is narrower than the
codes the decoder reads, and gives log p(z) far below the truth at draws of q (on the
development tables of ``python -m benchmarks.tables`` a held-out NLL ten to seventy times
worse than N(0, I), where the mixture of draws improves on it).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from vaekit.dists.gaussian import LOG_2PI
from vaekit.dists.priors.base import PriorContext
from vaekit.errors import UserError
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne


def fit_mixture(codes: Tensor, components: int, seed: int = 0,
                covariance: str = "full") -> tuple[Tensor, Tensor, Tensor]:
    """EM (scikit-learn, k-means start) on codes (N, L): (weights (C,), means (C, L),
    covariances (C, L, L)), float64."""
    from sklearn.mixture import GaussianMixture
    from threadpoolctl import threadpool_limits

    if len(codes) < components:
        raise UserError(f"cannot fit {components} mixture components to {len(codes)} codes")
    gm = GaussianMixture(components, covariance_type=covariance, reg_covar=1e-6,
                         random_state=seed)
    # One BLAS thread: these matrices are small, and threaded OpenBLAS spins when the cores
    # are busy (13x slower measured on a loaded 2-core machine).
    with threadpool_limits(1):
        gm.fit(codes.double().numpy())
    return (torch.from_numpy(gm.weights_), torch.from_numpy(gm.means_),
            torch.from_numpy(gm.covariances_))


def mixture_log_prob(z: Tensor, log_weights: Tensor, means: Tensor, chol: Tensor) -> Tensor:
    """log density of a full-covariance mixture (float64 parameters, ``chol`` the Cholesky
    factors (C, L, L)) at z (..., L) -> (...,) nats in z's dtype."""
    flat = z.reshape(-1, means.shape[1]).to(means.dtype)
    diff = (flat.unsqueeze(0) - means.unsqueeze(1)).transpose(1, 2)  # (C, L, N)
    white = torch.linalg.solve_triangular(chol, diff, upper=False)  # (C, L, N)
    log_det = torch.diagonal(chol, dim1=-2, dim2=-1).log().sum(-1)  # (C,)
    log_c = -0.5 * (white**2).sum(1) - log_det.unsqueeze(1) - 0.5 * means.shape[1] * LOG_2PI
    out = torch.logsumexp(log_c + log_weights.unsqueeze(1), 0)
    return out.to(z.dtype).reshape(z.shape[:-1])


def mixture_sample(n: int, weights: Tensor, means: Tensor, chol: Tensor,
                   generator: torch.Generator | None = None, temperature: float = 1.0) -> Tensor:
    """(n, L) float64 draws: a component by weight, then mu_c + T * chol_c @ eps."""
    c = torch.multinomial(weights, n, replacement=True, generator=generator)
    eps = torch.randn(n, means.shape[1], generator=generator, dtype=means.dtype,
                      device=means.device)
    return means[c] + temperature * (chol[c] @ eps.unsqueeze(-1)).squeeze(-1)


class CodeMixture(nn.Module):
    """``weights`` (C,), ``means`` (C, L), ``covariances`` (C, L, L): float64 buffers, saved as
    the run's ``prior.safetensors``; set by ``fit`` (or loaded), never trained by gradient."""

    standard_normal = False

    def __init__(self, dim: int, components: int) -> None:
        super().__init__()
        self.dim, self.components = int(dim), int(components)
        eye = torch.eye(self.dim, dtype=torch.float64).expand(self.components, -1, -1)
        self.register_buffer("weights", torch.full((self.components,), 1.0 / self.components,
                                                   dtype=torch.float64))
        self.register_buffer("means", torch.zeros(self.components, self.dim, dtype=torch.float64))
        self.register_buffer("covariances", eye.clone())
        self.description = (f"a {self.components}-component Gaussian mixture fitted to draws of "
                            "q(z|x) on the training split")

    def fit(self, codes: Tensor, seed: int = 0) -> CodeMixture:
        """Fit by EM to codes (N, L): draws of q(z|x); returns self."""
        weights, means, covariances = fit_mixture(codes.cpu(), self.components, seed)
        device = self.means.device
        self.weights.copy_(weights.to(device))
        self.means.copy_(means.to(device))
        self.covariances.copy_(covariances.to(device))
        return self

    def _chol(self) -> Tensor:
        """The covariances' Cholesky factors, factored once per set of covariances (fitted,
        loaded or moved): log_prob runs for every chunk of an evaluation's draws."""
        key = (self.covariances._version, self.covariances.data_ptr())
        cached = self.__dict__.get("_chol_cache")
        if cached is None or cached[0] != key:
            cached = self.__dict__["_chol_cache"] = (key, torch.linalg.cholesky(self.covariances))
        return cached[1]

    def log_prob(self, z: Tensor) -> Tensor:
        """log p(z): z (..., L) -> (...,) nats."""
        return mixture_log_prob(z, self.weights.log(), self.means, self._chol())

    @torch.no_grad()
    def sample(self, n: int, device: torch.device | str = "cpu", temperature: float = 1.0,
               generator: torch.Generator | None = None) -> Tensor:
        """(n, L) float32 draws (on the generator's device, then moved to ``device``)."""
        where = generator.device if generator is not None else self.means.device
        params = [t.to(where) for t in (self.weights, self.means, self._chol())]
        return mixture_sample(n, *params, generator, temperature).float().to(device)

    def gaussian(self) -> None:
        """None: a mixture is not one Gaussian, so its KL is estimated by Monte Carlo."""
        return None

    @torch.no_grad()
    def center(self) -> Tensor:
        """(L,) the mixture's mean (traversals start here)."""
        return (self.weights.unsqueeze(1) * self.means).sum(0).float()

    @torch.no_grad()
    def scale(self) -> Tensor:
        """(L,) the mixture's marginal standard deviation per coordinate."""
        w = self.weights.unsqueeze(1)
        second = (w * (torch.diagonal(self.covariances, dim1=-2, dim2=-1) + self.means**2)).sum(0)
        return (second - ((w * self.means).sum(0)) ** 2).clamp_min(0).sqrt().float()


@register("prior", "code_mixture")
def code_mixture(ctx: PriorContext, components: AtLeastOne = 50) -> CodeMixture:
    """A mixture of ``components`` full-covariance Gaussians over z, fitted after training."""
    return CodeMixture(ctx.latent_dim, components)


def components_for(rows: int, most: int) -> int:
    """The components of a mixture fitted to the codes of ``rows`` training examples: ``most``,
    or fewer for a small data set, with at least 20 examples for each."""
    return max(1, min(most, rows // 20))

