"""Latent components (posterior heads), one registered file each."""

from vaekit.model.latents import (  # noqa: F401
    deterministic,
    gaussian,
    hierarchical,
    vector_quantized,
)
