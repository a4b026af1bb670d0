"""Architectures: encoder and decoder bodies, one registered file each (found by the registry)."""

from vaekit.nn.base import Arch

__all__ = ["Arch"]
