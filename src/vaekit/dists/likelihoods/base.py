"""What every likelihood p(x|z) shares: a factorized distribution over the data dimensions."""

from __future__ import annotations

import warnings

import torch
from torch import Tensor, nn

from vaekit.errors import DataError


class FactorizedDist:
    """A distribution over x that factorizes over its ``event_ndim`` trailing dimensions.

    Subclasses give the elementwise log-density; ``log_prob`` sums it per example (nats).
    """

    discrete: bool = False

    def __init__(self, event_ndim: int) -> None:
        self.event_ndim = event_ndim

    def log_prob_elementwise(self, x: Tensor) -> Tensor:  # pragma: no cover - interface
        raise NotImplementedError

    def log_prob(self, x: Tensor) -> Tensor:
        """log p(x|z) summed over the data dimensions: (B,) nats, normalizing constants included."""
        return self.log_prob_elementwise(x).flatten(-self.event_ndim).sum(-1)

    def log_prob_observed(self, x: Tensor) -> Tensor:
        """log p(x_observed | z): (B,) nats, the NaN entries of x (missing) left out. Exact for a
        distribution that factorizes over the entries of x."""
        missing = torch.isnan(x)
        lp = self.log_prob_elementwise(torch.where(missing, torch.zeros_like(x), x))
        return lp.masked_fill(missing, 0.0).flatten(-self.event_ndim).sum(-1)

    @property
    def mean(self) -> Tensor:  # pragma: no cover - interface
        raise NotImplementedError

    def mean_of(self, w: Tensor) -> Tensor:
        """E[x] under the mixture sum_k w_k p(x | z_k), when this distribution holds the K * B
        draws draw-major and ``w`` (K, B) their weights (summing to 1 over K): (B, *shape). The
        weighted average of the means, as they are linear in x here; a likelihood whose rows
        encode a value non-linearly averages the values themselves."""
        k, b = w.shape
        mean = self.mean.reshape(k, b, -1)
        return (w[..., None].to(mean) * mean).sum(0).reshape(b, *self.mean.shape[1:])

    def prediction(self, x: Tensor) -> Tensor:
        """What the model predicts for each dimension of x: the mean, which for a factorized
        likelihood does not depend on x. An autoregressive one predicts each dimension from the
        dimensions of x before it (one parallel pass, where its ``mean`` takes one per pixel)."""
        return self.mean

    def sample(self, generator: torch.Generator | None = None) -> Tensor:  # pragma: no cover
        raise NotImplementedError


class Likelihood(nn.Module):
    """Maps decoder outputs to p(x|z). ``params_per_dim`` decoder channels per data channel."""

    params_per_dim: int = 1
    discrete: bool = False
    # Defined for {0, 1} values only (a Bernoulli): on grey levels its numbers are no likelihood.
    binary_only: bool = False
    # The range of x this likelihood is defined on; None means the whole real line.
    support: tuple[float, float] | None = None
    # Its distribution gives each continuous table column as a Gaussian mixture in the column's
    # units (``value_mixture``, ``put_values``): what conditions on ranges of a value need.
    mixture_columns: bool = False
    # What its log-densities are per example, when that is not simply the rows the model reads.
    units: str | None = None
    # The registered modality whose data it models and no other's (counts), or None: a file
    # given to it is read by that modality's source, whatever its suffix would choose.
    models: str | None = None

    def __init__(self) -> None:
        """No options; a likelihood that has some takes them in its own ``__init__`` (so the
        registry's source index reads the options of one without one: none)."""
        super().__init__()

    def setup(self, shape: tuple[int, ...]) -> None:
        """Make the parts sized by one example's ``shape`` (called once, when the model is
        built); ConfigError for a shape this likelihood cannot model. Most have none."""

    def forward(self, params: Tensor) -> FactorizedDist:  # pragma: no cover - interface
        raise NotImplementedError

    def prepare_input(self, x: Tensor) -> Tensor:
        """x as the encoder reads it (the likelihood scores x itself): the identity, except where
        the data have cells a likelihood models as missing."""
        return x

    def split(self, params: Tensor) -> tuple[Tensor, ...]:
        """Split (B, k*C, ...) decoder output into k parameter tensors of (B, C, ...)."""
        return params.chunk(self.params_per_dim, dim=1)

    def check_support(self, x: Tensor, binarized: bool) -> None:
        """Raise DataError when x lies outside the support (x: raw uint8 or float data)."""
        if self.support is None or x.dtype == torch.uint8:
            return
        lo, hi = float(x.min()), float(x.max())
        if lo < self.support[0] or hi > self.support[1]:
            raise DataError(
                f"likelihood {self.name!r} needs values in [{self.support[0]:g}, "
                f"{self.support[1]:g}], the data has [{lo:g}, {hi:g}]; rescale the data or "
                "choose model.likelihood=gaussian"
            )

    @property
    def name(self) -> str:
        return getattr(self, "registered_name", type(self).__name__)


def warn_grey_levels(name: str) -> None:
    warnings.warn(
        f"likelihood {name!r} on grey levels: it is not a normalized density for values strictly "
        "between 0 and 1, so its -ELBO is not a likelihood. Use data.binarize=dynamic (the "
        "standard for likelihood benchmarks) or model.likelihood=continuous_bernoulli.",
        stacklevel=3,
    )
