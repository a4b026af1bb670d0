"""Latent components (posterior heads), one registered file each (found by the registry)."""
