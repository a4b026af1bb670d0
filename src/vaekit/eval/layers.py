"""Per-layer diagnostics of a hierarchical (ladder) latent: each layer's KL and active units."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from vaekit.eval.elbo import active_units


def layer_summary(sizes: list[int] | None, kl_dims: Tensor | None, kl_layers: Tensor | None,
                  means: Tensor) -> list[dict[str, Any]] | None:
    """One row per stochastic layer (z1 at the bottom), or None for a single-layer latent.

    ``sizes``: the layers' sizes as the latent declares them (``layer_sizes()``); ``kl_dims``:
    (N, L) per-dimension KLs (nats), ``means``: (N, L) posterior means, with L the layers' sizes
    concatenated bottom to top. A layer's KL is its closed-form KL given the sampled layer
    above, averaged over the split; where the top layer has none (a mixture prior), every
    layer's is the Monte Carlo KL of the importance samples, ``kl_layers`` (N, layers), and the
    row says so (``"kl_estimate": "monte carlo"``).
    """
    if not sizes or means.shape[1] != sum(sizes):
        return None
    rows, start = [], 0
    for i, size in enumerate(sizes):
        cols = slice(start, start + size)
        start += size
        if kl_dims is not None:
            kl, how = float(kl_dims[:, cols].sum(1).mean()), "closed form"
        elif kl_layers is not None:
            kl, how = float(kl_layers[:, i].mean()), "monte carlo"
        else:
            kl, how = None, None
        rows.append({"layer": f"z{i + 1}", "size": size, "kl": kl, "kl_estimate": how,
                     "active_units": int(active_units(means[:, cols]).sum())})
    return rows
