"""Latent components (posterior heads), one registered file each."""

from vaekit.model.latents import gaussian  # noqa: F401
