"""Reader of IDX files (the MNIST format), plain or gzipped.

Layout (big-endian): two zero bytes, a dtype code (only 0x08 = unsigned byte is supported),
the number of dimensions ``ndim``, then ``ndim`` uint32 sizes, then the payload of
``prod(sizes)`` bytes in C order. Images files are (N, H, W), label files (N,).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from vaekit.errors import DataError

_UINT8 = 0x08
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    """The decompressed content of ``path`` (gzip detected by its magic bytes, not the suffix)."""
    try:
        with path.open("rb") as f:
            gzipped = f.read(2) == _GZIP_MAGIC
        if gzipped:
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"IDX file {path} not found") from None
    except (OSError, EOFError, zlib.error) as e:
        # gzip.BadGzipFile is an OSError; a truncated gzip stream raises EOFError.
        raise DataError(f"IDX file {path} is corrupt or truncated ({e}); delete it and download "
                        "it again") from None


def read_idx(path: str | Path) -> Tensor:
    """Read an unsigned-byte IDX file into a uint8 tensor of the shape stored in its header.

    For example ``train-images-idx3-ubyte.gz`` -> (60000, 28, 28) uint8 in [0, 255] and
    ``train-labels-idx1-ubyte.gz`` -> (60000,) uint8. No per-item Python loop: the payload is
    wrapped with ``numpy.frombuffer``.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(f"IDX file {path}: bad magic number (not an IDX file)")
    code, ndim = data[2], data[3]
    if code != _UINT8:
        raise DataError(f"IDX file {path}: dtype code 0x{code:02x} is not supported (only 0x08, "
                        "unsigned bytes)")
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise DataError(f"IDX file {path}: truncated header ({len(data)} bytes for {ndim} dims)")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(dims, dtype=np.int64))
    if len(data) - header != expected:
        raise DataError(f"IDX file {path}: payload has {len(data) - header} bytes but the header "
                        f"{dims} needs {expected}; the file is truncated or corrupt, replace it")
    array = np.frombuffer(data, dtype=np.uint8, count=expected, offset=header).reshape(dims)
    # frombuffer over immutable bytes is read-only; one copy makes a writable tensor.
    return torch.from_numpy(array.copy())


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write a uint8 array as an IDX file, gzipped if ``path`` ends in ``.gz`` (tests, export)."""
    path = Path(path)
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, _UINT8, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + array.tobytes()
    if path.suffix == ".gz":
        payload = gzip.compress(payload)
    path.write_bytes(payload)
