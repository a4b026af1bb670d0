"""What the count likelihoods share: library size, log1p encoder input, the count check.

As in scVI, the decoder gives each example's proportions over the D features (a softmax of its
logits) and the mean of feature d is rho_d * l, l the example's library size. Scoring x, l is
its observed total count sum_d x_d, so log p(x|z) is the probability of the counts given their
library size. Drawing new examples, l comes from a log-normal whose mean and std of log l the
data source fitted on the training data (``library_log_mean``, ``library_log_std``); a mean
without x is rho * E[l] under it. The encoder reads log1p(x) (counts span orders of magnitude).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood
from vaekit.errors import ConfigError, DataError
from vaekit.registry.constraints import NonNegative

# Log of the library size of an all-zero row (its counts are 0 under any proportions).
_LOG_EMPTY = math.log(1e-8)


class CountDist(FactorizedDist):
    """Counts of (B, D) rows: ``log_rho`` (B, D) log-proportions; ``library``: (mean, std) of
    log l for draws, or None (then there is no mean or sample without x)."""

    discrete = True

    def __init__(self, log_rho: Tensor, library: tuple[float, float] | None) -> None:
        super().__init__(event_ndim=1)
        self.log_rho, self.library = log_rho, library

    def log_pmf(self, x: Tensor, log_mu: Tensor) -> Tensor:  # pragma: no cover - interface
        """Elementwise log p(x_d) at means exp(log_mu)."""
        raise NotImplementedError

    def draw(self, mu: Tensor, generator: torch.Generator | None) -> Tensor:  # pragma: no cover
        """One draw of the counts at means ``mu``."""
        raise NotImplementedError

    def expected(self, mu: Tensor) -> Tensor:
        """E[x_d] for a count component of mean ``mu`` (a zero-inflation lowers it)."""
        return mu

    def log_prob_elementwise(self, x: Tensor) -> Tensor:
        log_l = torch.log(x.sum(-1, keepdim=True)).clamp(min=_LOG_EMPTY)
        return self.log_pmf(x, self.log_rho + log_l)

    def _prior(self) -> tuple[float, float]:
        if self.library is None:
            raise ConfigError("this count likelihood has no library size distribution to draw "
                              "from: set model.likelihood_args.library_log_mean (a counts data "
                              "source sets it)")
        return self.library

    @property
    def mean(self) -> Tensor:
        m, s = self._prior()
        return self.expected(torch.exp(self.log_rho + m + 0.5 * s * s))

    def prediction(self, x: Tensor) -> Tensor:
        """The expected counts at x's own library size."""
        return self.expected(torch.exp(self.log_rho) * x.sum(-1, keepdim=True))

    @torch.no_grad()  # counts are discrete: no gradient flows through a draw
    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        m, s = self._prior()
        n = self.log_rho.shape[:-1]
        eps = torch.randn((*n, 1), generator=generator, device=self.log_rho.device,
                          dtype=self.log_rho.dtype)
        return self.draw(torch.exp(self.log_rho + m + s * eps), generator)


class CountLikelihood(Likelihood):
    """Maps decoder outputs to a :class:`CountDist` over (D,) rows of counts."""

    discrete = True
    support = (0.0, math.inf)
    units = "nats per example of the counts given their library size (their total)"
    models = "counts"

    def __init__(self, library_log_mean: float | None = None,
                 library_log_std: NonNegative = 1.0) -> None:
        super().__init__()
        self.library = None if library_log_mean is None else (float(library_log_mean),
                                                               float(library_log_std))

    def setup(self, shape: tuple[int, ...]) -> None:
        if len(shape) != 1:
            raise ConfigError(f"model.likelihood {self.name!r} models rows of counts (D,), not "
                              f"examples of shape {shape}")

    def prepare_input(self, x: Tensor) -> Tensor:
        """The encoder reads log1p(x): counts span orders of magnitude."""
        return torch.log1p(x)

    def check_support(self, x: Tensor, binarized: bool) -> None:
        """DataError naming the first value that is not a count (row and column from 0)."""
        bad = (x < 0) | (x != torch.round(x)) | ~torch.isfinite(x)
        if bool(bad.any()):
            row, col = (int(i) for i in bad.nonzero()[0])
            raise DataError(f"likelihood {self.name!r} models counts: the value {float(x[row, col]):g} "
                            f"in row {row}, column {col} is not a non-negative integer")
