"""Priors p(z), one registered file each."""

from vaekit.dists.priors import standard_normal  # noqa: F401
