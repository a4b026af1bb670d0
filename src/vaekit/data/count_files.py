"""Count matrices from a Parquet file of integer columns or an AnnData ``.h5ad`` file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vaekit.errors import DataError


def read_parquet(path: Path) -> tuple[np.ndarray, list[str]]:
    """(N, D) values and the column names of a Parquet file whose every column holds counts
    (integers, or floats with integer values): DataError naming a column of another type."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(f"{path}: reading Parquet needs pyarrow (pip install vaekit[tables])") from None
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        table = pq.read_table(path)
    except Exception as e:  # pyarrow raises its own types for every kind of corrupt file
        raise DataError(f"{path}: not a readable Parquet file ({e})") from None
    import pyarrow.types as pt

    for field in table.schema:
        if not (pt.is_integer(field.type) or pt.is_floating(field.type)):
            raise DataError(f"{path}: column {field.name!r} is {field.type}, not counts (every "
                            "column of a counts file holds non-negative integers)")
    if table.num_columns == 0:
        raise DataError(f"{path}: no columns")
    a = np.stack([table.column(i).to_numpy(zero_copy_only=False).astype(np.float64)
                  for i in range(table.num_columns)], axis=1)
    return a, [str(n) for n in table.column_names]


def read_h5ad(path: Path, layer: str | None) -> tuple[np.ndarray, list[str]]:
    """(N, D) counts of an AnnData file (``X``, or the ``layer`` named) and its feature names;
    a sparse matrix is made dense."""
    try:
        import anndata
    except ImportError:
        raise DataError(f"{path}: reading .h5ad needs the anndata package "
                        "(pip install vaekit[counts])") from None
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        adata = anndata.read_h5ad(path)
    except Exception as e:  # h5py and anndata raise many types for a damaged file
        raise DataError(f"{path}: not a readable .h5ad file ({e})") from None
    if layer is not None and layer not in adata.layers:
        raise DataError(f"{path}: no layer {layer!r} (layers: {', '.join(adata.layers) or 'none'})")
    m = adata.X if layer is None else adata.layers[layer]
    if m is None:
        raise DataError(f"{path}: its X is empty; name a layer with data.layer")
    from scipy import sparse  # a dependency of anndata

    a = m.toarray() if sparse.issparse(m) else np.asarray(m)
    return a, [str(n) for n in adata.var_names]
