"""Count files become rows the model sees as counts: never standardized, the negative binomial
declared with a library-size prior from the training rows, the encoder reading log1p(x)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vaekit.config.load import load_config
from vaekit.config.schema import DataConfig
from vaekit.data import load_data
from vaekit.data.counts import load_counts
from vaekit.data.spec import DataSpec
from vaekit.errors import DataError
from vaekit.model.build import build_model
from vaekit.training.likelihood_choice import resolve_likelihood


def _counts(n: int = 60, d: int = 5, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.negative_binomial(3, 3 / (3 + rng.uniform(1, 40, (n, d))))


def test_an_integer_matrix_is_read_as_counts_as_they_are(tmp_path):
    x = _counts()
    np.save(tmp_path / "c.npy", x)
    ds = load_data(DataConfig(name="arrays", path=str(tmp_path / "c.npy")))
    assert ds.kind == "counts" and ds.log_jacobian == 0.0
    rows = torch.cat([ds.train, ds.val, ds.test]).double()
    # Every row of the file, unchanged (a permutation of them: the splits are seeded subsets).
    assert sorted(map(tuple, rows.tolist())) == sorted(map(tuple, x.astype(float).tolist()))
    name = ds.likelihood[0]
    assert name == "negative_binomial"
    spec = DataSpec.of(ds, "none", name)
    assert spec.kind == "counts" and spec.log_jacobian == 0.0


def test_the_library_prior_is_the_log_normal_of_the_training_rows_totals(tmp_path):
    x = _counts()
    x[4] = 0  # an all-zero row counts as a library of 1
    np.save(tmp_path / "c.npy", x)
    ds = load_counts(DataConfig(name="counts", path=str(tmp_path / "c.npy")))
    totals = np.maximum(ds.train.numpy().astype(np.float64).sum(1), 1)
    _, args = ds.likelihood
    assert args["library_log_mean"] == pytest.approx(np.log(totals).mean(), rel=1e-9)
    assert args["library_log_std"] == pytest.approx(np.log(totals).std(), rel=1e-9)


def test_a_float_matrix_stays_standardized_rows_unless_named_counts(tmp_path):
    x = _counts().astype(np.float32)
    np.save(tmp_path / "f.npy", x)
    assert load_data(DataConfig(name="arrays", path=str(tmp_path / "f.npy"))).kind == "table"
    assert load_data(DataConfig(name="counts", path=str(tmp_path / "f.npy"))).kind == "counts"


def test_signed_integers_stay_table_rows(tmp_path):
    x = _counts()
    x[0, 0] = -3
    np.save(tmp_path / "s.npy", x)
    assert load_data(DataConfig(name="arrays", path=str(tmp_path / "s.npy"))).kind == "table"


@pytest.mark.parametrize(("value", "shown"), [(-2, "-2"), (1.5, "1.5"), (np.nan, "nan")])
def test_a_value_that_is_not_a_count_is_named_by_file_row_and_column(tmp_path, value, shown):
    x = _counts().astype(np.float64)
    x[7, 3] = value
    path = tmp_path / "counts.npz"
    np.savez(path, counts=x)
    with pytest.raises(DataError, match=rf"counts\.npz: row 7, column 3: {shown} is not a count"):
        load_data(DataConfig(name="arrays", path=str(path)))


def test_an_npz_with_a_train_test_split_keeps_it(tmp_path):
    path = tmp_path / "split.npz"
    np.savez(path, train=_counts(50), test=_counts(20, seed=1), train_labels=np.arange(50) % 2,
             test_labels=np.arange(20) % 2)
    ds = load_data(DataConfig(name="counts", path=str(path)))
    assert ds.test_is_official and len(ds.test) == 20
    assert torch.equal(ds.test, torch.from_numpy(_counts(20, seed=1).astype(np.float32)))


def test_auto_is_the_negative_binomial_and_a_named_count_likelihood_takes_the_library(tmp_path):
    np.save(tmp_path / "c.npy", _counts())
    ds = load_data(DataConfig(name="arrays", path=str(tmp_path / "c.npy")))
    base = ["model.hidden=[8]", "model.latent_dim=2", f"data.path={tmp_path / 'c.npy'}",
            "data.name=arrays"]
    auto = resolve_likelihood(load_config(overrides=base), ds)
    assert auto.model.likelihood == "negative_binomial"
    assert auto.model.likelihood_args == ds.likelihood[1]
    named = resolve_likelihood(load_config(overrides=[*base, "model.likelihood=poisson"]), ds)
    assert named.model.likelihood_args == ds.likelihood[1]


def test_the_encoder_reads_log1p_of_the_counts():
    cfg = load_config(overrides=["model.hidden=[8]", "model.latent_dim=2",
                                 "model.likelihood=negative_binomial"])
    torch.manual_seed(0)
    model = build_model(cfg.model, (5,))
    x = torch.tensor(_counts(4), dtype=torch.float32)
    with torch.no_grad():
        got = model.encode(x).mean
        want = model.latent(model.encoder(torch.log(1 + x))).mean
    assert torch.equal(got, want)
    assert not torch.allclose(got, model.latent(model.encoder(x)).mean)


def test_parquet_integer_columns_are_counts_with_their_names(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    x = _counts()
    frame = pd.DataFrame(x, columns=[f"gene{i}" for i in range(5)])
    frame.to_parquet(tmp_path / "c.parquet")
    ds = load_counts(DataConfig(name="counts", path=str(tmp_path / "c.parquet")))
    assert ds.columns == list(frame.columns) and ds.kind == "counts"
    assert math.isclose(float(torch.cat([ds.train, ds.test]).sum()), float(x.sum()))
    frame["gene2"] = frame["gene2"].astype(float)
    frame.loc[11, "gene2"] = 0.5
    frame.to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(DataError, match=r"bad\.parquet: row 11, column 'gene2': 0\.5 is not a count"):
        load_counts(DataConfig(name="counts", path=str(tmp_path / "bad.parquet")))
    frame["name"] = "a"
    frame.to_parquet(tmp_path / "text.parquet")
    with pytest.raises(DataError, match=r"column 'name' is \w*string, not counts"):
        load_counts(DataConfig(name="counts", path=str(tmp_path / "text.parquet")))


def test_an_h5ad_file_is_read_through_anndata(tmp_path):
    anndata = pytest.importorskip("anndata")
    from scipy import sparse

    x = _counts()
    adata = anndata.AnnData(X=sparse.csr_matrix(x.astype(np.float32)))
    adata.var_names = [f"g{i}" for i in range(5)]
    adata.layers["raw"] = x * 2
    adata.write_h5ad(tmp_path / "c.h5ad")
    ds = load_counts(DataConfig(name="counts", path=str(tmp_path / "c.h5ad")))
    assert ds.columns == [f"g{i}" for i in range(5)]
    assert float(torch.cat([ds.train, ds.test]).sum()) == float(x.sum())
    layer = load_counts(DataConfig(name="counts", path=str(tmp_path / "c.h5ad")), layer="raw")
    assert float(torch.cat([layer.train, layer.test]).sum()) == float(2 * x.sum())
    with pytest.raises(DataError, match="no layer 'spliced'"):
        load_counts(DataConfig(name="counts", path=str(tmp_path / "c.h5ad")), layer="spliced")
