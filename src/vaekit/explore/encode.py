"""The posterior moments of many examples, batched: embeddings for other models."""

from __future__ import annotations

import torch
from torch import Tensor
from tqdm import tqdm

from vaekit.model.vae import VAE


@torch.no_grad()  # not inference mode: the codes may train a prior afterwards
def posterior_moments(model: VAE, x: Tensor, y: Tensor | None = None, batch_size: int = 500,
                      progress: bool | None = False) -> tuple[Tensor, Tensor | None]:
    """(N, L) posterior means and log-variances of x (None for a posterior without variances,
    such as a code grid); x stays where it is, each batch goes to the model's device."""
    was_training = model.training
    model.eval()
    means, logvars = [], []
    device = model.device
    bar = tqdm(total=len(x), unit="ex", disable=not progress if progress is not None else None,
               leave=False)
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size].to(device)
        yb = None if y is None else y[i : i + batch_size].to(device)
        q = model.encode(xb, yb)
        means.append(q.mean.flatten(1).float().cpu())
        moments = q.moments()
        if moments is not None:
            logvars.append(moments[1].flatten(1).float().cpu())
        bar.update(len(xb))
    bar.close()
    model.train(was_training)
    return torch.cat(means), torch.cat(logvars) if logvars else None
