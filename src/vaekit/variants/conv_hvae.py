"""A deep conv hierarchy: stochastic groups on feature maps, top-down (NVAE / VDVAE family).

The new component is the conv hierarchical latent (``vaekit/model/latents/conv_hierarchical.py``):
groups of ``model.latent_dim`` channels on maps at the encoder's resolution and at coarser
scales (``latent_args.groups``, coarsest first), residual cells bottom-up and top-down, each
posterior a residual correction of its prior, and the decoder reading the top-down state after
every group. It trains on the ladder's objective (``objective.name: hierarchical``): the KL of
each group in closed form, free bits per group and KL warm-up.
"""

from vaekit.variants.base import Variant, register_variant

CONV_HVAE = register_variant(Variant(
    name="conv_hvae",
    summary="stochastic groups on feature maps (1 at half the encoder's resolution, 2 at it; "
            "latent_dim channels each), NVAE-style residual posteriors; per-group KL, free "
            "bits per group, KL warm-up",
    defaults={
        "model": {"arch": "conv", "channels": [32, 64], "latent": "conv_hierarchical",
                  "latent_dim": 4, "latent_args": {"groups": [1, 2], "channels": 32}},
        "objective": {"name": "hierarchical", "kl_warmup_steps": 2000, "free_bits": 0.02},
    },
    new_component="latent conv_hierarchical (with its objective hierarchical)",
    paper="Vahdat & Kautz 2020 (NVAE); Child 2021 (VDVAE)",
))
