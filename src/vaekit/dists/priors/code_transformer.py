"""A small causal transformer over a VQ-VAE's code grid: p(c) = prod_t p(c_t | c_<t).

The T codes of a grid are read in raster order (the order of the VQ latent's positions). The
input at position t is the code at t-1 (a start token at t = 0) plus a learned position
embedding; causal self-attention lets position t see inputs 0..t only, so the logits of c_t
depend on c_<t alone (tests/unit/test_ar_prior.py checks it).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


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
    """

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
        """log p(codes) summed over the T positions: (B,) nats."""
        return self.log_prob_per_position(codes).sum(-1)

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 1.0,
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
