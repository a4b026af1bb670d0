"""A posterior's draws together with their log-density (see ``Posterior.rsample_with_log_prob``)."""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor


@dataclass
class Draw:
    """Draws of q(z|x) with what the posterior knows of them as it draws them.

    ``z`` (..., B, L); ``log_q`` (..., B) log q(z|x) at z, nats (a flow carries its log|det|
    with the draw, so it never inverts itself to score it). A latent that brings its own prior
    and walks it along the draw (a ladder) also gives ``log_p`` (..., B), log p(z) at z, and
    ``layers`` (..., B, layers), log q(z_l | .) - log p(z_l | .) per stochastic layer, bottom
    first, summing to log_q - log_p; both None otherwise (the model's prior scores z).
    ``readout``: the decoder's input the draw computed on its way (a hierarchy on feature maps:
    its top-down state, (prod of the leading dims, C, h, w)), or None: the decoder reads z.
    """

    z: Tensor
    log_q: Tensor
    log_p: Tensor | None = None
    layers: Tensor | None = None
    readout: Tensor | None = None
