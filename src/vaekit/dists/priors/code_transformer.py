"""A small causal transformer over a VQ-VAE's code grid: p(c) = prod_t p(c_t | c_<t).

Registered as the prior ``code_transformer``: the vector-quantized latent declares it as the
prior to fit on its codes after training (``vaekit train-prior RUN``), and the run then samples,
evaluates and serves through it like any prior.

The T codes of a grid are read in raster order (the order of the VQ latent's positions). The
input at position t is the code at t-1 (a start token at t = 0) plus a learned position
embedding; causal self-attention lets position t see inputs 0..t only, so the logits of c_t
depend on c_<t alone (tests/unit/test_ar_prior.py checks it).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaekit.dists.priors.base import CodeGrid, PriorContext, code_grid
from vaekit.dists.protocols import sampled_moments
from vaekit.errors import ConfigError
from vaekit.registry import register


class Block(nn.Module):
    """Pre-norm causal self-attention and MLP, each with a residual connection."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, h: Tensor) -> Tensor:
        b, t, w = h.shape
        q, k, v = self.qkv(self.norm1(h)).view(b, t, 3, self.heads, w // self.heads).unbind(2)
        att = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2),
                                             v.transpose(1, 2), is_causal=True)
        h = h + self.proj(att.transpose(1, 2).reshape(b, t, w))
        return h + self.mlp(self.norm2(h))


class CodeTransformer(nn.Module):
    """Autoregressive distribution over (B, T) grids of codes in [0, K).

    ``codebook_size`` K, ``positions`` T, ``width`` of the embeddings, ``depth`` blocks of
    ``heads`` attention heads. These constructor arguments are what ``prior.json`` stores.
    With a code grid attached (``on_grid``) it is a prior p(z) over the codebook vectors the
    decoder reads (see ``vaekit.dists.protocols.Prior``).
    """

    standard_normal = False

    def __init__(self, codebook_size: int, positions: int, width: int = 64, depth: int = 2,
                 heads: int = 4) -> None:
        super().__init__()
        if width % heads:
            raise ValueError(f"width {width} must be a multiple of heads {heads}")
        self.codebook_size, self.positions = codebook_size, positions
        self.embed = nn.Embedding(codebook_size + 1, width)  # index K is the start token
        self.pos = nn.Parameter(torch.randn(positions, width) * 0.02)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, codebook_size)

    def on_grid(self, grid: CodeGrid) -> CodeTransformer:
        """Attach the latent whose codes this models (not a submodule: its weights are the VAE's)."""
        self.__dict__["grid"] = grid
        self.dim = grid.latent_dim
        self.description = (f"code transformer over {self.positions} positions of "
                            f"{self.codebook_size} codes (fitted after training)")
        return self

    def gaussian(self) -> None:
        return None

    def center(self) -> Tensor:
        return sampled_moments(self, self.parameters(), self.pos.device)[0]

    def scale(self) -> Tensor:
        return sampled_moments(self, self.parameters(), self.pos.device)[1]

    def config(self) -> dict[str, int]:
        return {"codebook_size": self.codebook_size, "positions": self.positions,
                "width": self.embed.embedding_dim, "depth": len(self.blocks),
                "heads": self.blocks[0].heads if len(self.blocks) else 1}

    def logits(self, codes: Tensor) -> Tensor:
        """codes: (B, t) int64, t <= T -> (B, t, K): row s gives p(c_s | c_<s)."""
        start = torch.full_like(codes[:, :1], self.codebook_size)
        inputs = torch.cat([start, codes[:, :-1]], 1)
        h = self.embed(inputs) + self.pos[: codes.shape[1]]
        for block in self.blocks:
            h = block(h)
        return self.head(self.norm(h))

    def log_prob_per_position(self, codes: Tensor) -> Tensor:
        """log p(c_t | c_<t): (B, T) nats."""
        logp = torch.log_softmax(self.logits(codes), -1)
        return logp.gather(-1, codes.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, codes: Tensor) -> Tensor:
        """log p(codes) summed over the T positions: (...,) nats. ``codes``: (..., T) int64, or
        (..., D*T) codebook vectors of the attached grid (mapped back to their codes)."""
        if codes.is_floating_point():
            codes = self.__dict__["grid"].codes_of(codes)
        lead = codes.shape[:-1]
        return self.log_prob_per_position(codes.reshape(-1, codes.shape[-1])).sum(-1).view(lead)

    def sample(self, n: int, device: torch.device | str = "cpu", temperature: float = 1.0,
               generator: torch.Generator | None = None) -> Tensor:
        """(n, D*T) codebook vectors of sampled grids (what the decoder reads)."""
        codes = self.sample_codes(n, temperature, generator).to(device)
        return self.__dict__["grid"].embed(codes)

    @torch.no_grad()
    def sample_codes(self, n: int, temperature: float = 1.0,
                     generator: torch.Generator | None = None) -> Tensor:
        """(n, T) code grids drawn position by position; logits divided by ``temperature``."""
        device = self.pos.device
        codes = torch.zeros(n, 0, dtype=torch.long, device=device)
        for _ in range(self.positions):
            # The last row's logits need the next code's slot: feed a placeholder, it is not seen.
            padded = torch.cat([codes, codes.new_zeros(n, 1)], 1)
            logits = self.logits(padded)[:, -1] / temperature
            nxt = torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)
            codes = torch.cat([codes, nxt], 1)
        return codes


@register("prior", "code_transformer")
def code_transformer(ctx: PriorContext, width: int = 64, depth: int = 2,
                     heads: int = 4) -> CodeTransformer:
    """The transformer prior over the code grid of ``ctx.latent``."""
    grid = code_grid(ctx, "code_transformer")
    if width % heads or min(width, depth, heads) < 1:
        raise ConfigError(f"code_transformer: width {width} must be a positive multiple of heads "
                          f"{heads}, depth >= 1")
    return CodeTransformer(grid.codebook_size, grid.positions, width, depth, heads).on_grid(grid)
