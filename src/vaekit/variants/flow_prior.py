"""VAE with a flow prior: p(z) is N(0, I) pushed through RealNVP coupling layers (Dinh et al.
2017), learned with the model, its log p(z) exact.

The one new component is the prior ``realnvp`` (``vaekit/dists/priors/realnvp.py``); its KL has
no closed form and is estimated by Monte Carlo at the reconstruction's draw.
"""

from vaekit.variants.base import Variant, register_variant

FLOW_PRIOR = register_variant(Variant(
    name="flow_prior",
    summary="a RealNVP flow (4 affine coupling layers) as the learned prior p(z)",
    defaults={"model": {"prior": "realnvp", "prior_args": {"couplings": 4, "hidden": 64}}},
    new_component="prior realnvp",
    paper="Dinh et al. 2017",
))
