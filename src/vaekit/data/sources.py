"""Importing this module registers every built-in data source (one file each)."""

from vaekit.data import (
    arrays,  # noqa: F401
    cifar10,  # noqa: F401
    csv_table,  # noqa: F401
    digits,  # noqa: F401
    fashion_mnist,  # noqa: F401
    folder,  # noqa: F401
    mnist,  # noqa: F401
)
