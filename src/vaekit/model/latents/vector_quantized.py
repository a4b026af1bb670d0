"""The vector-quantized latent (van den Oord et al. 2017): a grid of codes from a codebook.

Encoder features h: (B, F) are read as T positions of F/T channels, channels first -- the layout
of a flattened conv feature map, so with ``arch=conv`` and T = h*w each code is one spatial cell
(any T dividing F works; with an MLP the encoder's last layer learns what each block means).
Each position is projected to D numbers (z_e), replaced by its nearest codebook vector (z_q) and
passed on flattened channels first: the decoder reads (B, D*T). ``model.latent_dim`` is T.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaekit.dists.draw import Draw
from vaekit.model.latents.base import LatentCaps
from vaekit.model.latents.code_prior import UniformCodes
from vaekit.registry import register

CODEBOOK_SIZE, CODE_DIM = 128, 8


@dataclass
class Quantized:
    """What encoding through the quantizer gives; it stands where a posterior stands.

    ``z``: (B, D*T) codebook vectors with straight-through gradients to the encoder (the
    posterior is a point mass, so ``mean`` and ``rsample`` are both ``z``). ``codes``: (B, T)
    int64 indices. ``commitment`` = ||z_e - sg(e)||^2 and ``codebook`` = ||sg(z_e) - e||^2,
    summed over positions and dimensions, (B,); ``codebook`` is zero under EMA updates.
    ``stats``: batch perplexity exp(H(code frequencies)) and the fraction of codes used.
    """

    deterministic = True  # every draw is the same grid: one importance sample is exact

    z: Tensor
    codes: Tensor
    commitment: Tensor
    codebook: Tensor
    stats: dict[str, Tensor]
    codebook_size: int

    @property
    def mean(self) -> Tensor:
        return self.z

    def rsample(self, n: int | None = None, generator: torch.Generator | None = None) -> Tensor:
        return self.z if n is None else self.z.expand(n, *self.z.shape)

    def rsample_with_log_prob(self, n: int | None = None,
                              generator: torch.Generator | None = None) -> Draw:
        """The grid (n copies when ``n`` is given) with log q = 0 (a point mass on it)."""
        z = self.rsample(n, generator)
        return Draw(z, self.log_prob(z))

    def log_prob(self, z: Tensor) -> Tensor:
        """log q(codes|x) = 0: all the mass is on one grid of a discrete space. (..., B)."""
        return torch.zeros(z.shape[:-1], device=z.device)

    def kl_per_dim(self, prior: object = None) -> None:
        """None: KL(q || p) = -log p(codes) is a sum over code positions, not over the numbers
        of z (it comes out of the Monte Carlo estimate, exact here: q is a point mass)."""
        return None

    def moments(self) -> None:
        return None

    def log_ratio_layers(self, prior: object, z: Tensor) -> None:
        """None: one layer."""
        return None


@register("latent", "vector_quantized")
class VectorQuantizer(nn.Module):
    """K codes of D numbers over T positions; codebook loss or EMA updates; dead-code restart.

    A point-mass posterior on a discrete grid: no Gaussian units, and the prior that makes it
    generative is fitted on the codes after training (the code transformer).

    ``ema``: update the codebook as an exponential moving average of the vectors assigned to
    each code (decay ``decay``), instead of by gradient of the codebook loss. ``restart_below``:
    a code whose moving-average share of assignments falls below this fraction of the mean share
    is moved onto the batch's worst-quantized encoder output (deterministic, so resume is exact).
    """

    caps = LatentCaps(gaussian_units=False, coordinates="code vector entry",
                      fitted_prior="code_transformer", sized_by_feature_map=True)

    def __init__(self, feature_dim: int, latent_dim: int, codebook_size: int = CODEBOOK_SIZE,
                 code_dim: int = CODE_DIM, ema: bool = False, decay: float = 0.99,
                 restart_below: float = 0.03) -> None:
        super().__init__()
        if feature_dim % latent_dim:
            raise ValueError(f"latent_dim = {latent_dim} code positions must divide the encoder's "
                             f"{feature_dim} features (conv: h*w of the last feature map)")
        if codebook_size < 2 or code_dim < 1 or not 0 < decay < 1:
            raise ValueError("need codebook_size >= 2, code_dim >= 1 and 0 < decay < 1")
        self.positions, self.codebook_size, self.code_dim = latent_dim, codebook_size, code_dim
        self.latent_dim = latent_dim * code_dim  # what the decoder reads
        self.ema, self.decay, self.restart_below = ema, decay, restart_below
        self.project = nn.Linear(feature_dim // latent_dim, code_dim)
        book = torch.randn(codebook_size, code_dim) / code_dim**0.5
        if ema:
            self.register_buffer("codebook", book)
            self.register_buffer("ema_sum", book.clone())
            self.register_buffer("ema_count", torch.ones(codebook_size))
        else:
            self.codebook = nn.Parameter(book)
        # Zero usage makes every code "dead" at the first training step, so the codebook starts
        # on that batch's encoder outputs (a data-dependent initialization).
        self.register_buffer("usage", torch.zeros(codebook_size))

    @classmethod
    def decoder_dim(cls, latent_dim: int, args: Mapping[str, Any]) -> int:
        """Numbers the decoder reads: T positions times D."""
        return latent_dim * int(args.get("code_dim", CODE_DIM))

    def own_prior(self) -> UniformCodes:
        """Uniform over the codes while it trains; ``caps.fitted_prior`` is fitted afterwards."""
        return UniformCodes(self)

    def layer_sizes(self) -> None:
        return None

    def embed(self, codes: Tensor) -> Tensor:
        """codes: (B, T) int64 -> (B, D*T) codebook vectors, channels first (decoder input)."""
        return self.codebook[codes].transpose(1, 2).flatten(1)

    def codes_of(self, z: Tensor) -> Tensor:
        """(..., D*T) codebook vectors (as ``embed`` gives) -> (..., T) their codes."""
        grid = z.unflatten(-1, (self.code_dim, self.positions)).transpose(-1, -2)
        return self._distances(grid.reshape(-1, self.code_dim)).argmin(1).view(grid.shape[:-1])

    def _distances(self, z_e: Tensor) -> Tensor:
        """Squared distances (N, K) between z_e (N, D) and every code."""
        book = self.codebook
        return (z_e.pow(2).sum(1, keepdim=True) - 2 * z_e @ book.T + book.pow(2).sum(1))

    @torch.no_grad()
    def _update(self, z_e: Tensor) -> None:
        """Training only: EMA codebook step, usage average, restart of dead codes.

        Under data-parallel training the code counts and sums are summed over all ranks and
        restarted codes come from rank 0's batch, so every rank keeps the same codebook and the
        statistics are those of the global batch.
        """
        z_e = z_e.float()
        dist = self._distances(z_e)
        onehot = F.one_hot(dist.argmin(1), self.codebook_size).to(z_e.dtype)
        counts = _all_sum(onehot.sum(0))
        self.usage.mul_(self.decay).add_(counts, alpha=1 - self.decay)
        if self.ema:
            self.ema_count.mul_(self.decay).add_(counts, alpha=1 - self.decay)
            self.ema_sum.mul_(self.decay).add_(_all_sum(onehot.T @ z_e), alpha=1 - self.decay)
            n = self.ema_count.sum()  # Laplace smoothing keeps rare codes finite
            smoothed = (self.ema_count + 1e-5) / (n + self.codebook_size * 1e-5) * n
            self.codebook.copy_(self.ema_sum / smoothed[:, None])
        dead = (self.usage < self.restart_below * self.usage.mean()).nonzero().flatten()
        if len(dead):
            worst = dist.min(1).values.argsort(descending=True)[: len(dead)]
            fresh = _from_rank0(z_e[worst])
            dead = dead[: len(fresh)]
            self.codebook[dead] = fresh
            self.usage[dead] = self.usage.mean()
            if self.ema:
                self.ema_count[dead] = self.usage[dead]
                self.ema_sum[dead] = fresh * self.usage[dead, None]

    def forward(self, h: Tensor) -> Quantized:
        """h: (B, F) encoder features -> Quantized (z: (B, D*T), codes: (B, T))."""
        b = h.shape[0]
        z_e = self.project(h.reshape(b, -1, self.positions).transpose(1, 2))  # (B, T, D)
        flat = z_e.reshape(-1, self.code_dim)
        if self.training:
            self._update(flat.detach())
        with torch.no_grad():
            codes = self._distances(flat).argmin(1)
        e = self.codebook[codes].reshape_as(z_e)
        # Straight through: the value is exactly e (z_e - z_e is 0), the gradient reaches z_e.
        z_q = e.detach() + (z_e - z_e.detach())
        commitment = (z_e - e.detach()).pow(2).sum((1, 2))
        codebook = (z_e.detach() - e).pow(2).sum((1, 2)) if not self.ema else torch.zeros_like(commitment)
        freq = F.one_hot(codes, self.codebook_size).float().mean(0)
        entropy = -(freq * torch.log(freq.clamp_min(1e-12))).sum()
        stats = {"perplexity": entropy.exp(), "codebook_usage": (freq > 0).float().mean()}
        return Quantized(z=z_q.transpose(1, 2).flatten(1), codes=codes.reshape(b, -1),
                         commitment=commitment, codebook=codebook, stats=stats,
                         codebook_size=self.codebook_size)


def _distributed() -> bool:
    return torch.distributed.is_available() and torch.distributed.is_initialized()


def _all_sum(t: Tensor) -> Tensor:
    """``t`` summed over the ranks of a data-parallel run (``t`` itself in one process)."""
    if _distributed():
        torch.distributed.all_reduce(t)
    return t


def _from_rank0(rows: Tensor) -> Tensor:
    """Rank 0's ``rows`` (N, D) on every rank, cut to the fewest rows any rank has."""
    if not _distributed():
        return rows
    n = torch.tensor([len(rows)], device=rows.device)
    torch.distributed.all_reduce(n, op=torch.distributed.ReduceOp.MIN)
    rows = rows[: int(n)].contiguous()
    torch.distributed.broadcast(rows, src=0)
    return rows
