"""Fashion-MNIST (Zalando): 60000 + 10000 grey 28x28 images of 10 clothing classes.

Read from ``data.path`` if given, else from ``/usr/share/datasets/fashion-mnist/`` if it holds
the files, else downloaded into the cache. Known hashes (of the upstream ``.gz`` files) are the
sha256 values listed by TensorFlow Datasets (``tensorflow_datasets/url_checksums/
fashion_mnist.txt``), the same files whose md5s torchvision and the Zalando README list.
The system copy is not hash-checked: its ``.gz`` bytes differ from upstream (re-written gzip
headers: no file name, another mtime) although the compressed data is identical.
"""

from __future__ import annotations

from pathlib import Path

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset
from vaekit.data.mnist_like import load_mnist_like, remotes
from vaekit.registry import register

SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
HASHES = {
    "train_images": "sha256:3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train_labels": "sha256:a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "test_images": "sha256:346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "test_labels": "sha256:67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
           "Bag", "Ankle boot"]


@register("data", "fashion-mnist")
def load_fashion_mnist(cfg: DataConfig) -> Dataset:
    """(N, 1, 28, 28) uint8 in [0, 255], labels 0..9 (``CLASSES``), the official test split."""
    return load_mnist_like(cfg, "fashion-mnist", CLASSES, remotes(MIRRORS, HASHES), SYSTEM_DIR)
