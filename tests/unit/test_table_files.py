"""Result files written batch by batch: the same files as written whole, atomically."""

from __future__ import annotations

import csv
import io
import os

import numpy as np
import pytest

from vaekit.artifacts.table_files import write_batches, write_columns

N = 150
RNG = np.random.default_rng(0)
COLUMNS = {"id": np.array([str(i) for i in range(N)]), "label": RNG.integers(0, 9, N),
           "mu": RNG.normal(size=(N, 3)).astype(np.float32),
           "logvar": RNG.normal(size=(N, 3)).astype(np.float32)}
FORMATS = [".npy", ".npz", ".csv", ".parquet"]


def _batches(size: int):
    return ({name: v[i : i + size] for name, v in COLUMNS.items()} for i in range(0, N, size))


def _whole(suffix: str) -> bytes | dict[str, np.ndarray]:
    """What numpy, the csv module and pyarrow write of COLUMNS in one go (bytes for a format
    whose bytes are deterministic, else the arrays read back)."""
    buf = io.BytesIO()
    if suffix == ".npy":
        np.save(buf, COLUMNS["mu"], allow_pickle=False)
        return buf.getvalue()
    if suffix == ".npz":
        np.savez(buf, **COLUMNS)
        with np.load(io.BytesIO(buf.getvalue())) as z:
            return {name: z[name] for name in z.files}
    flat = {"id": COLUMNS["id"], "label": COLUMNS["label"],
            **{f"{b}_{j}": COLUMNS[b][:, j] for b in ("mu", "logvar") for j in range(3)}}
    if suffix == ".csv":
        text = io.StringIO()
        w = csv.writer(text, lineterminator="\n")
        w.writerow(list(flat))
        w.writerows(zip(*[v.tolist() for v in flat.values()], strict=True))
        return text.getvalue().encode()
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({k: pa.array(v) for k, v in flat.items()}), buf)
    return buf.getvalue()


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("size", [7, 64])
def test_batches_give_the_file_written_whole(tmp_path, suffix, size):
    path = tmp_path / f"out{suffix}"
    shapes = write_batches(path, N, _batches(size), "mu")
    assert shapes == {"id": (N,), "label": (N,), "mu": (N, 3), "logvar": (N, 3)}
    expected = _whole(suffix)
    if isinstance(expected, bytes):
        assert path.read_bytes() == expected
    else:
        with np.load(path) as z:
            assert z.files == list(expected)
            for name, v in expected.items():
                assert z[name].dtype == v.dtype and np.array_equal(z[name], v)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_batch_that_raises_leaves_the_file_as_it_was(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    write_columns(path, {name: v[:5] for name, v in COLUMNS.items()}, "mu")
    before = path.read_bytes()

    def late_error():
        yield from list(_batches(7))[:-1]
        raise ValueError("bad last batch")

    with pytest.raises(ValueError, match="bad last batch"):
        write_batches(path, N, late_error(), "mu")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_batch_of_another_dtype_is_refused_rather_than_cast(tmp_path):
    batches = [{"id": np.array(["0", "1"]), "mu": np.zeros((2, 3), np.float32)},
               {"id": np.array(["10"]), "mu": np.zeros((1, 3), np.float32)}]
    with pytest.raises(ValueError, match="<U2"):  # the id would be cut to "1"
        write_batches(tmp_path / "out.npz", 3, batches, "mu")
    with pytest.raises(ValueError, match="3 rows announced, 2 written"):
        write_batches(tmp_path / "out.csv", 3, batches[:1], "mu")
    assert not list(tmp_path.iterdir())
