"""Data given from Python (a numpy array, a torch tensor, a pandas DataFrame) as a file a run
can name: a run must open again without the process that trained it.

The data are written once into the cache folder under their content's sha256
(``<cache>/data/<sha256>.npy`` or ``.parquet``), so the same array trained twice is one file,
and the run's config names that file as any other ``data.path``.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from vaekit.config.schema import DataConfig
from vaekit.data.download import cache_root
from vaekit.errors import DataError


def _bytes(data: Any) -> tuple[bytes, str]:
    """The data as the bytes of a file and its suffix (.npy for arrays, .parquet for frames)."""
    if type(data).__module__.startswith("pandas") and hasattr(data, "to_parquet"):
        buf = io.BytesIO()
        try:
            data.to_parquet(buf, index=False)
        except (ImportError, ValueError, TypeError) as exc:
            raise DataError(f"the DataFrame cannot be stored as Parquet ({exc})") from None
        return buf.getvalue(), ".parquet"
    import numpy as np

    if type(data).__module__.startswith("torch"):
        data = data.detach().cpu().numpy()
    if not isinstance(data, np.ndarray):
        raise DataError(f"data: a numpy array, a torch tensor or a pandas DataFrame, got "
                        f"{type(data).__name__}")
    if data.dtype == object:
        raise DataError("data: an array of Python objects; give numbers")
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(data), allow_pickle=False)
    return buf.getvalue(), ".npy"


def stored(data: Any, cfg: DataConfig) -> Path:
    """The file in the cache that holds ``data`` (written the first time, atomically)."""
    content, suffix = _bytes(data)
    folder = cache_root(cfg) / "data"
    path = folder / f"{hashlib.sha256(content).hexdigest()}{suffix}"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # the user's umask, not mkstemp's 0600
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path
