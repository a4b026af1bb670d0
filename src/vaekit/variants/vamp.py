"""VampPrior VAE (Tomczak & Welling 2018): the prior is a mixture of the posteriors of learned
pseudo-inputs, p(z) = (1/K) sum_k q(z | u_k), trained with the rest of the model.

The new component is the prior ``vamp`` (``vaekit/dists/priors/vamp.py``); its KL has no closed
form and is estimated by Monte Carlo at the same draw as the reconstruction term.
"""

from vaekit.variants.base import Variant, register_variant

VAMP = register_variant(Variant(
    name="vamp",
    summary="VampPrior: a mixture of K = 500 posteriors of learned pseudo-inputs as p(z)",
    defaults={"model": {"prior": "vamp", "prior_args": {"components": 500}}},
    new_component="prior vamp",
    paper="Tomczak & Welling 2018",
))
