"""MNIST handwritten digits: 60000 + 10000 grey 28x28 images of the digits 0..9.

Read from ``data.path`` if given, else downloaded into the cache from the PyTorch S3 mirror
(falling back to LeCun's site). Known hashes are the md5s of the ``.gz`` files listed by
torchvision (``torchvision/datasets/mnist.py``), which checks them against both mirrors.
"""

from __future__ import annotations

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset
from vaekit.data.mnist_like import load_mnist_like, remotes
from vaekit.registry import register

MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
HASHES = {
    "train_images": "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train_labels": "md5:d53e105ee54ea40749a09fcbcd1e9432",
    "test_images": "md5:9fb629c4189551a2d022fa330f9573f3",
    "test_labels": "md5:ec29112dd5afa0611ce80d1b7f02629c",
}
CLASSES = [str(d) for d in range(10)]


@register("data", "mnist")
def load_mnist(cfg: DataConfig) -> Dataset:
    """(N, 1, 28, 28) uint8 in [0, 255], labels 0..9, the official test split."""
    return load_mnist_like(cfg, "mnist", CLASSES, remotes(MIRRORS, HASHES))
