"""Hierarchical VAE with top-down inference (the ladder VAE of Sonderby et al. 2016).

The new component is the ladder latent (``vaekit/model/latents/hierarchical.py``): z_1 of
``model.latent_dim`` units and the layers ``latent_args.layers`` above it, each posterior the
precision-weighted combination of a bottom-up estimate and the top-down prior
p(z_l | z_{l+1}). Its objective (``objective.name: hierarchical``) is the ELBO with the KL of
each layer in closed form, free bits per layer and KL warm-up, the two remedies for a collapsed
top layer.
"""

from vaekit.variants.base import Variant, register_variant

HVAE = register_variant(Variant(
    name="hvae",
    summary="two stochastic layers (z1: latent_dim, z2: latent_args.layers) with ladder "
            "top-down inference; per-layer KL, free bits per layer, KL warm-up",
    defaults={
        "model": {"latent": "hierarchical", "latent_args": {"layers": [10], "hidden": 256}},
        "objective": {"name": "hierarchical", "kl_warmup_steps": 2000, "free_bits": 0.02},
    },
    new_component="latent hierarchical (with its objective hierarchical)",
    paper="Sonderby et al. 2016; Vahdat & Kautz 2020 (NVAE)",
))
