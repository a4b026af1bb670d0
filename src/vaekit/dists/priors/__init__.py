"""Priors p(z), one registered file each (found by the registry)."""
