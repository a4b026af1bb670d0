"""Architectures: encoder and decoder bodies, one registered file each."""

from vaekit.nn import conv, mlp  # noqa: F401
from vaekit.nn.base import Arch

__all__ = ["Arch"]
