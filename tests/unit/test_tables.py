"""Mixed-type tables: column types (inferred and overridden), the codec between a frame and the
model's rows (exact round trips, through its JSON), and the columns likelihood's exact values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

pd = pytest.importorskip("pandas")

from vaekit.config.schema import DataConfig  # noqa: E402
from vaekit.data import load_data  # noqa: E402
from vaekit.data.table_codec import TableCodec, load_codec  # noqa: E402
from vaekit.dists.likelihoods.columns import Columns  # noqa: E402
from vaekit.errors import DataError  # noqa: E402

CSV = """height,age,smoker,color,note,label
170.5,31,yes,red,a1,x
,45,no,blue,a2,y
160.25,22,no,,a3,x
181.0,60,yes,green,a4,y
175.75,38,no,red,a5,x
"""


def _csv(tmp_path: Path, text: str = CSV, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _load(path: Path, **columns: str):
    """The codec's tests: five rows are too few for three splits, so no validation split."""
    return load_data(DataConfig(name="table", path=str(path), test_fraction=0.4, val_size=None,
                                args={"columns": columns} if columns else {}))


def test_types_are_inferred_printed_and_overridden(tmp_path):
    ds = _load(_csv(tmp_path))
    assert ds.codec.types() == {"height": "continuous", "age": "integer", "smoker": "boolean",
                                "color": "categorical", "note": "categorical"}
    assert ds.codec.label == "label" and ds.classes == ["x", "y"]
    assert "smoker  boolean" in ds.summary and "label   label" in ds.summary
    assert ds.missing_cells and ds.likelihood[0] == "columns"
    ds = _load(_csv(tmp_path), age="categorical", note="drop")
    assert ds.codec.types()["age"] == "categorical" and "note" not in ds.codec.columns
    assert ds.codec.specs[1].vocabulary == ["22", "31", "38", "45", "60"]


@pytest.mark.parametrize(("text", "columns", "needle"), [
    (CSV, {"color": "integer"}, "column 'color', data row 1: 'red' is not a number"),
    (CSV, {"height": "integer"}, "'170.5' is not an integer"),
    (CSV, {"weight": "continuous"}, "data.columns: no column 'weight'"),
    (CSV, {"age": "decimal"}, "unknown type 'decimal'"),
    ("a,b\n1,\n2,\n3,\n", {}, "column 'b': every cell is missing"),
])
def test_bad_columns_are_one_clear_error(tmp_path, text, columns, needle):
    with pytest.raises(DataError) as err:
        _load(_csv(tmp_path, text), **columns)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,x\ncaf\xe9,1\nb,2\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        _load(path)


def test_the_codec_round_trips_a_frame_and_its_json(tmp_path):
    path = _csv(tmp_path)
    codec = _load(path).codec
    frame = codec.read(path)
    x = codec.encode(frame)
    assert x.dtype == torch.float32 and x.shape == (5, codec.width)
    assert x[1, :codec.specs[0].width].isnan().all()  # a missing cell: its whole block is NaN
    back = codec.decode(x)
    assert list(back.columns) == codec.columns
    assert str(back["age"].dtype) == "Int64" and list(back["smoker"].cat.categories) == ["no", "yes"]
    assert list(back["color"].cat.categories) == ["blue", "green", "red"]
    assert back["age"].tolist() == [31, 45, 22, 60, 38]
    assert back["smoker"].tolist() == ["yes", "no", "no", "yes", "no"]  # the data's words
    assert back["color"].astype(object).where(back["color"].notna(), None).tolist() == \
        ["red", "blue", None, "green", "red"]
    assert back["height"].isna().tolist() == [False, True, False, False, False]
    assert abs(back["height"] - frame["height"]).max() < 1e-4  # float32 rows
    again = TableCodec.from_json(json.loads(json.dumps(codec.to_json())))
    assert torch.equal(again.encode(frame).nan_to_num(7.0), x.nan_to_num(7.0))
    assert load_codec({"codec": codec.to_json()}).columns == codec.columns


def test_new_files_are_checked_against_the_run(tmp_path):
    codec = _load(_csv(tmp_path)).codec
    with pytest.raises(DataError, match="missing column.*'smoker'"):
        codec.read(_csv(tmp_path, "height,age,color,note\n1,2,red,a\n", "new.csv"))
    with pytest.raises(DataError, match="category 'purple' was not in the training data"):
        codec.encode(codec.read(_csv(tmp_path, CSV.replace("green", "purple"), "new2.csv")))
    # Runs made before mixed tables: standardized continuous columns from column_mean/std.
    old = load_codec({"columns": ["a", "b"], "column_mean": [1.0, 10.0], "column_std": [2.0, 5.0]})
    rows = old.decode(torch.tensor([[0.5, -1.0]]))
    assert rows.to_dict("list") == {"a": [2.0], "b": [5.0]}


def test_parquet_reads_with_its_own_types(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"w": [1.5, 2.5, None, 4.0, 5.5], "ok": [True, False, True, True, False],
                          "kind": pd.Categorical(["a", "b", "a", None, "b"])})
    frame.to_parquet(tmp_path / "t.parquet")
    ds = _load(tmp_path / "t.parquet")
    assert ds.codec.types() == {"w": "continuous", "ok": "boolean", "kind": "categorical"}
    back = ds.codec.decode(ds.codec.encode(ds.codec.read(tmp_path / "t.parquet")))
    assert back["ok"].tolist() == frame["ok"].tolist()


BLOCKS = [{"kind": "categorical", "size": 3}, {"kind": "boolean"},
          {"kind": "continuous", "means": [10.0], "stds": [2.0]}]


def test_the_columns_likelihood_is_exact_on_a_tiny_example():
    lik = Columns(BLOCKS)
    # Decoder output: 3 category logits, 1 boolean logit, then mode logit, a, raw log s.
    params = torch.tensor([[0.5, -1.0, 2.0, 0.3, 0.0, 0.2, math.log(0.5)]])
    x_value = 12.0
    alpha = (x_value - 10.0) / (4 * 2.0)
    x = torch.tensor([[0.0, 1.0, 0.0, 1.0, alpha, 1.0]])
    terms = lik(params).log_prob_elementwise(x)[0]
    cat = torch.log_softmax(torch.tensor([0.5, -1.0, 2.0]), 0)[1]
    boolean = -math.log1p(math.exp(-0.3))
    # One mode: p(x) = N((x - mu)/(4 sigma); a, s) / (4 sigma) = N(x; mu + 4 sigma a, 4 sigma s),
    # with weight 1e-3 moved to the broad outlier component N(x; mu, 10 sigma).
    s = math.exp(math.log(0.01) + math.log1p(math.exp(math.log(0.5) - math.log(0.01))))
    value = torch.tensor(x_value)
    gauss = torch.distributions.Normal(10.0 + 8.0 * 0.2, 8.0 * s).log_prob(value).exp()
    broad = torch.distributions.Normal(10.0, 20.0).log_prob(value).exp()
    density = torch.log(0.999 * gauss + 0.001 * broad)
    torch.testing.assert_close(terms, torch.stack([cat, torch.tensor(boolean), density]))
    pure = Columns(BLOCKS, outlier_weight=0.0)(params).log_prob_elementwise(x)[0, 2]
    torch.testing.assert_close(pure, torch.log(gauss))
    # A missing cell is left out: the other terms are unchanged, and nothing is filled in.
    x_missing = x.clone()
    x_missing[0, :3] = math.nan
    left = lik(params).log_prob_elementwise(x_missing)[0]
    assert float(left[0]) == 0.0 and torch.equal(left[1:], terms[1:])
    assert torch.equal(lik.prepare_input(x_missing)[0, :3], torch.zeros(3))


def test_two_modes_give_a_mixture_density_that_integrates_to_one():
    lik = Columns([{"kind": "continuous", "means": [-5.0, 5.0], "stds": [1.0, 2.0]}])
    params = torch.tensor([[0.4, -0.4, 0.1, -0.2, math.log(0.3), math.log(0.6)]])
    grid = torch.linspace(-150, 160, 60001)  # wide: the outlier component has scale 10 x spread
    rows = torch.zeros(len(grid), 3)
    mode = (grid > 0).long()  # any mode can carry a value: x is recovered exactly from its block
    sd, mu = torch.tensor([1.0, 2.0])[mode], torch.tensor([-5.0, 5.0])[mode]
    rows[:, 0] = (grid - mu) / (4 * sd)
    rows[torch.arange(len(grid)), 1 + mode] = 1.0
    dens = lik(params.expand(len(grid), -1)).log_prob(rows).exp()
    assert abs(float(torch.trapezoid(dens, grid)) - 1.0) < 1e-4
    dist = lik(params)
    x_mean = float(lik(params).mean[0, 0] * 4 * [1.0, 2.0][int(dist.mean[0, 1:].argmax())]
                   + [-5.0, 5.0][int(dist.mean[0, 1:].argmax())])
    assert abs(x_mean - float(torch.trapezoid(dens * grid, grid))) < 1e-2
