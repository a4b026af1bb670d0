"""beta-VAE: the ELBO with the KL weighted by beta (Higgins et al. 2017), or its
capacity-controlled form (Burgess et al. 2018) with ``objective.name: capacity``.

- ``beta``:     loss = -E_q[log p(x|z)] + beta * KL (``objective.beta``, default 4 here).
- ``capacity``: loss = -E_q[log p(x|z)] + gamma * |KL - C|, C raised linearly from 0 to
  ``objective.capacity_max`` nats over ``objective.capacity_steps`` steps (``objective.gamma``).

No new component for the beta form (it sets a key); the capacity form adds the ``capacity``
objective (``vaekit/objectives/capacity.py``).
"""

from vaekit.variants.base import Variant, register_variant

BETA_VAE = register_variant(Variant(
    name="beta_vae",
    summary="KL weighted by beta (Higgins et al.); objective.name=capacity for |KL - C| "
            "(Burgess et al.)",
    defaults={"objective": {"beta": 4.0}},
    new_component="objective capacity (only for the capacity form)",
    paper="Higgins et al. 2017; Burgess et al. 2018",
))
