"""Hierarchical VAE with a VampPrior on its top layer (Tomczak & Welling 2018, "HVAE + VampPrior").

No new component: the ladder latent (``latent hierarchical``) takes ``model.prior`` as p(z_L) of
its top layer, so the VampPrior (``prior vamp``) runs its pseudo-inputs through the encoder and
the bottom-up path to the top posterior, p(z_L) = (1/K) sum_k q(z_L | u_k). The layers below keep
their top-down conditionals p(z_l | z_{l+1}) and closed-form KLs; the top layer's KL is the Monte
Carlo estimate at the sampled z_L.
"""

from vaekit.variants.base import Variant, register_variant

HVAE_VAMP = register_variant(Variant(
    name="hvae_vamp",
    summary="the two-layer ladder (hvae) with a VampPrior of K = 500 pseudo-inputs as p(z2)",
    defaults={
        "model": {"latent": "hierarchical", "latent_args": {"layers": [10], "hidden": 256},
                  "prior": "vamp", "prior_args": {"components": 500}},
        "objective": {"name": "hierarchical", "kl_warmup_steps": 2000, "free_bits": 0.02},
    },
    paper="Tomczak & Welling 2018; Sonderby et al. 2016",
))
