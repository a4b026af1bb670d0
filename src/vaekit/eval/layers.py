"""Per-layer diagnostics of a hierarchical (ladder) latent: each layer's KL and active units."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from vaekit.eval.elbo import active_units


def layer_summary(sizes: list[int] | None, kl_dims: Tensor | None,
                  means: Tensor) -> list[dict[str, Any]] | None:
    """One row per stochastic layer (z1 at the bottom), or None for a single-layer latent.

    ``sizes``: the layers' sizes as the latent declares them (``layer_sizes()``); ``kl_dims``:
    (N, L) per-dimension KLs (nats), ``means``: (N, L) posterior means, with L the layers' sizes
    concatenated bottom to top. A layer's KL is its closed-form KL given the sampled layer
    above, averaged over the split.
    """
    if not sizes or means.shape[1] != sum(sizes):
        return None
    rows, start = [], 0
    for i, size in enumerate(sizes):
        cols = slice(start, start + size)
        start += size
        rows.append({"layer": f"z{i + 1}", "size": size,
                     "kl": None if kl_dims is None else float(kl_dims[:, cols].sum(1).mean()),
                     "active_units": int(active_units(means[:, cols]).sum())})
    return rows
