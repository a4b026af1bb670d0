"""Diagnostics of a whole split: bits/dim and its convention, standard errors, I(x; z), collapse."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from vaekit.dists.gaussian import LOG_2PI

# Conventions of bits_per_dim (stated in eval.json next to the number).
DISCRETE = "discrete: -log2 P(x) / D, a true probability (discrete likelihood on discrete data)"
DEQUANTIZED = (
    "8-bit dequantized: (-log p(x/255) + D ln 255) / (D ln 2), -log2 of the probability of the "
    "bin of width 1/255 centred on x/255 (midpoint rule), i.e. uniform dequantization in units "
    "of the data as the model saw it"
)
DENSITY = "density: -log2 p(x) / D of a continuous density, not a probability; depends on scaling"
GREY_BERNOULLI = "none: a Bernoulli likelihood on grey levels is not a normalized likelihood"
TABULAR = "none: bits/dim is reported for image data only"


def bpd_convention(discrete: bool, binary_only: bool, binary_data: bool, eight_bit: bool,
                   per_dim: bool) -> str:
    """Which convention applies to a likelihood and the data it was evaluated on.

    ``binary_only``: the likelihood is defined for {0, 1} values only (Bernoulli);
    ``eight_bit``: the data are 8-bit pixels scaled to x/255 without binarization;
    ``per_dim``: the data's modality reports bits/dim (pixels; not table rows or counts).
    """
    if not per_dim:
        return TABULAR
    if discrete:
        return GREY_BERNOULLI if binary_only and not binary_data else DISCRETE
    return DEQUANTIZED if eight_bit else DENSITY


def bits_per_dim(nats: float, dims: int, convention: str) -> float | None:
    """Nats per example -> bits per dimension under ``convention`` (None when it does not apply).

    Dequantized 8-bit data add ln 255 nats per dimension. The model saw pixels as v = j/255, so
    in its units the pixel value j owns the bin [v - 1/510, v + 1/510] of width 1/255 and
    P(j) ~ p(v) / 255 (midpoint rule, second-order accurate; equivalently the density of j + u,
    u ~ U(-1/2, 1/2), in integer units). The familiar D ln 256 belongs to models of (j + u)/256.
    """
    if convention in (GREY_BERNOULLI, TABULAR):
        return None
    extra = dims * math.log(255) if convention == DEQUANTIZED else 0.0
    return (nats + extra) / (dims * math.log(2))


def mean_se(values: Tensor) -> tuple[float, float]:
    """Mean and its standard error std / sqrt(n) over examples; values: (N,). SE 0 when N = 1."""
    v = values.double()
    se = float(v.std() / math.sqrt(len(v))) if len(v) > 1 else 0.0
    return float(v.mean()), se


def mutual_information(mu: Tensor, logvar: Tensor, generator: torch.Generator | None = None,
                       block: int = 1024) -> float:
    """I(x; z) under the aggregate posterior q(z) = (1/N) sum_n q(z | x_n), nats.

    E_n E_{q(z|x_n)}[log q(z | x_n) - log q(z)] with one draw per example; mu, logvar: (N, L).
    Exact pairwise sums in float64 blocks; the estimate lies in [0, log N].
    """
    mu, logvar = mu.double(), logvar.double()
    n = len(mu)
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=torch.float64)
    z = mu + torch.exp(0.5 * logvar) * eps
    prec = torch.exp(-logvar)  # (N, L)
    const = -0.5 * (mu.shape[1] * LOG_2PI + logvar.sum(1) + (mu**2 * prec).sum(1))  # (N,)
    log_own = -0.5 * (LOG_2PI + logvar + (z - mu) ** 2 * prec).sum(1)  # log q(z_i | x_i)
    log_agg = torch.empty(n, dtype=torch.float64, device=mu.device)
    for i in range(0, n, block):
        zi = z[i : i + block]
        # log q(z_i | x_n) for all n: expand the square into matmuls, (b, N).
        pair = const - 0.5 * (zi**2 @ prec.T) + zi @ (mu * prec).T
        log_agg[i : i + block] = torch.logsumexp(pair, 1) - math.log(n)
    return float((log_own - log_agg).mean())


def collapsed(kl: float, active: int, min_kl: float = 0.5, min_active: int = 1) -> bool:
    """Whether a posterior collapsed: fewer than ``min_active`` latent units active, or almost
    no KL at all (below ``min_kl`` nats per example). A model that uses a few of its units (a
    table of ten columns coded in five) has not collapsed, whatever its total KL."""
    return active < min_active or kl < min_kl


def collapse_warning(kl: float, active: int, dims: int, split: str = "",
                     remedies: str = "a KL warm-up (objective.kl_warmup_steps), free bits "
                     "(objective.free_bits) or a smaller objective.beta than the run's") -> str | None:
    """The message of a collapsed posterior (see :func:`collapsed`), or None. ``split`` names
    the data; ``remedies`` the settings to try (the trainer names them from the run's own)."""
    if not collapsed(kl, active):
        return None
    where = f"{split} " if split else ""
    return (f"posterior collapse: {where}KL {kl:.3f} nats, {active}/{dims} active latent units. "
            f"The decoder is ignoring z; remedies: {remedies}")
