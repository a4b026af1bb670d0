"""Fill in missing values with the model: the observed values are kept exactly.

Missing values are NaN in x (as the model sees it). Starting from a neutral fill, each round
encodes the completed examples, takes z (the posterior mean, or a draw), decodes p(x|z) and
replaces the missing values (and only them) by its mean or a draw: the pseudo-Gibbs sampler of
Rezende et al. (2014, section 5), whose fixed point with ``draw=False`` is a self-consistent
completion, and which with ``draw=True`` samples plausible completions.
"""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.model.vae import VAE


@torch.no_grad()
def impute(model: VAE, x: Tensor, y: Tensor | None = None, rounds: int = 20,
           draw: bool = False, generator: torch.Generator | None = None,
           batch_size: int = 500) -> Tensor:
    """x: (N, *shape) with NaN where missing -> the completed x (observed values unchanged).

    The first fill is the likelihood mean at the centre of the prior (the model's "average"
    example); ``draw``: sample z and the missing values each round instead of taking means.
    """
    was_training = model.training
    model.eval()
    out = x.clone()
    start = model.decode(model.prior.center().to(x).unsqueeze(0),
                         None if y is None else y[:1]).mean[0]
    for i in range(0, len(x), batch_size):
        xb = out[i : i + batch_size]
        yb = None if y is None else y[i : i + batch_size]
        missing = torch.isnan(xb)
        if not bool(missing.any()):
            continue
        xb = torch.where(missing, start.expand_as(xb), xb)
        for _ in range(rounds):
            q = model.encode(xb, yb)
            z = q.rsample(1, generator=generator)[0] if draw else q.mean
            px = model.decode(z, yb)
            fill = px.sample(generator) if draw else px.mean
            xb = torch.where(missing, fill, xb)
        out[i : i + batch_size] = xb
    model.train(was_training)
    return out
