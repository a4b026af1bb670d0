"""A trained run put to work: encode, score and impute on its own split and on new files."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pytest
import torch
from cli_support import assert_one_line_error, run_cli

import vaekit
from vaekit.artifacts.apply_data import eval_data, prepare_examples, prepared_batches, source_examples
from vaekit.artifacts.encoding import posterior_columns
from vaekit.artifacts.run_context import RunContext
from vaekit.artifacts.scores import example_scores
from vaekit.artifacts.table_files import write_columns
from vaekit.data import heldout_tensor
from vaekit.eval.per_example import example_terms
from vaekit.explore.encode import posterior_moments

FORMATS = [".npy", ".npz", ".csv", ".parquet"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("apply") / "r"
    vaekit.train({"model": {"hidden": [64], "latent_dim": 4}, "train": {"epochs": 6, "lr": 3e-3}},
                 out=out)
    return out


@pytest.fixture(scope="module")
def ctx(run):
    return RunContext.open(run)


@pytest.fixture(scope="module")
def binary_run(tmp_path_factory):
    """A run of 8-bit pixels binarized afresh each epoch: its held-out split is one fixed draw."""
    out = tmp_path_factory.mktemp("apply") / "b"
    with warnings.catch_warnings():  # one epoch: a posterior still collapsed, said in a warning
        warnings.simplefilter("ignore", UserWarning)
        vaekit.train({"model": {"hidden": [32], "latent_dim": 4, "likelihood": "bernoulli"},
                      "data": {"binarize": "dynamic"}, "train": {"epochs": 1}}, out=out)
    return out


@pytest.fixture(scope="module")
def pixels(ctx, tmp_path_factory):
    """The held-out digits as a uint8 .npy, which is read memory-mapped."""
    path = tmp_path_factory.mktemp("pixels") / "px.npy"
    np.save(path, (ctx.split("test").stored[:, 0] * 255).round().to(torch.uint8).numpy())
    return path


def test_encode_writes_the_posterior_of_every_example_with_ids_and_labels(run, ctx, tmp_path,
                                                                          capsys):
    code, _, err = run_cli(capsys, "encode", str(run), "--out", str(tmp_path / "e.npz"))
    assert code == 0, err
    z = np.load(tmp_path / "e.npz")
    test = ctx.split("test")
    q = ctx.model.encode(test.x)
    assert np.allclose(z["mu"], q.mean.detach().numpy(), atol=1e-5)
    assert np.allclose(z["logvar"], q.moments()[1].detach().numpy(), atol=1e-5)
    assert list(z["id"][:2]) == ["test/0", "test/1"] and (z["label"] == test.y.numpy()).all()
    code, _, err = run_cli(capsys, "encode", str(run), "--out", str(tmp_path / "e.csv"))
    header = (tmp_path / "e.csv").read_text().splitlines()[0]
    assert code == 0 and header == "id,label,mu_0,mu_1,mu_2,mu_3,logvar_0,logvar_1,logvar_2,logvar_3"
    run_cli(capsys, "encode", str(run), "--out", str(tmp_path / "e.npy"))
    assert np.load(tmp_path / "e.npy").shape == (len(test), 4)


def test_a_new_file_is_encoded_whole_and_in_order(run, ctx, tmp_path, capsys):
    test = ctx.split("test")
    np.savez(tmp_path / "new.npz", x=test.stored[:7].numpy()[:, 0], y=test.y[:7].numpy())
    code, _, err = run_cli(capsys, "encode", str(run), "--data", str(tmp_path / "new.npz"),
                           "--out", str(tmp_path / "e.npz"))
    assert code == 0, err
    z = np.load(tmp_path / "e.npz")
    assert list(z["id"]) == [str(i) for i in range(7)] and (z["label"] == test.y[:7].numpy()).all()
    assert np.allclose(z["mu"], ctx.model.encode(test.x[:7]).mean.detach().numpy(), atol=1e-5)


def test_scores_bound_each_other_and_rank_noise_as_unlikely(run, ctx, tmp_path, capsys):
    torch.manual_seed(0)
    noise = torch.randint(0, 17, (20, 8, 8)).float() / 16
    np.save(tmp_path / "noise.npy", noise.numpy())
    code, out, err = run_cli(capsys, "score", str(run), "--data", str(tmp_path / "noise.npy"),
                             "--k", "20", "--out", str(tmp_path / "s.csv"))
    assert code == 0, err and "scored 20 examples" in out
    noise_scores = vaekit.score(run, data=str(tmp_path / "noise.npy"), k=20)
    own = vaekit.score(run, k=20)
    for table in (noise_scores, own):
        assert (table["nll"] <= table["neg_elbo"] + 1e-9).all()  # IW_k >= ELBO, per example
    assert (noise_scores["nll_pct"] == 100).all()  # every noise image beats every held-out one
    pct = own["nll_pct"]
    assert pct.max() == 100 and 45 < pct.median() < 55  # the held-out split against itself
    cache = list((run / "scores").glob("heldout-k20-seed0.safetensors"))
    assert len(cache) == 1


def test_a_score_cache_drawn_under_another_seeding_or_prior_is_not_reused(run, ctx):
    from safetensors import safe_open
    from safetensors.torch import save_file

    from vaekit.artifacts.scores import SCORES, heldout_scores

    fresh = heldout_scores(ctx, k=5, seed=3)
    path = run / "scores" / "heldout-k5-seed3.safetensors"
    with safe_open(str(path), "pt") as f:
        digest = (f.metadata() or {})["model_sha256"]
    # A cache of the same weights, k and seed, written before the draws were seeded per block.
    save_file({name: torch.zeros_like(fresh[name]) for name in SCORES}, str(path),
              metadata={"model_sha256": digest})
    again = heldout_scores(ctx, k=5, seed=3)
    assert torch.equal(again["nll"], fresh["nll"])
    # The same weights and draws under another prior (one fitted after training, since removed).
    with safe_open(str(path), "pt") as f:
        stamp = dict(f.metadata() or {})
    assert stamp["prior"] == "trained"
    save_file({name: torch.zeros_like(fresh[name]) for name in SCORES}, str(path),
              metadata={**stamp, "prior": "0" * 64})
    assert torch.equal(heldout_scores(ctx, k=5, seed=3)["nll"], fresh["nll"])


def test_impute_keeps_what_is_observed_and_fills_what_is_missing(run, ctx, tmp_path, capsys):
    test = ctx.split("test")
    x = test.stored[:50].numpy()
    mask = np.zeros(x.shape[1:], dtype=bool)
    mask[:, 4:, :] = True  # the lower half of every digit is missing
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "mask.npy", mask)
    code, _, err = run_cli(capsys, "impute", str(run), "--data", str(tmp_path / "x.npy"),
                             "--mask", str(tmp_path / "mask.npy"), "--out", str(tmp_path / "f.npz"))
    assert code == 0, err
    f = np.load(tmp_path / "f.npz")
    filled, missing = f["x"], f["mask"]
    assert (filled[~missing] == x[~missing]).all() and missing.sum() == 50 * 32
    assert np.isfinite(filled).all() and filled.min() >= 0 and filled.max() <= 1
    # Better than the average image of the training split, pixel by pixel.
    average = ctx.split("train").x.mean(0).numpy()
    model_err = ((filled - x)[missing] ** 2).mean()
    average_err = ((np.broadcast_to(average, x.shape) - x)[missing] ** 2).mean()
    assert model_err < average_err


@pytest.mark.parametrize("bad", ["shape", "mask", "format", "nan"])
def test_bad_sources_get_one_line_and_write_nothing(run, tmp_path, capsys, bad):
    np.save(tmp_path / "x.npy", np.zeros((3, 4, 4), dtype=np.float32))
    np.save(tmp_path / "m.npy", np.zeros((2, 8), dtype=bool))
    np.save(tmp_path / "ok.npy", np.zeros((3, 8, 8), dtype=np.float32))
    np.save(tmp_path / "nan.npy", np.full((3, 8, 8), np.nan, dtype=np.float32))
    args = {"shape": ["score", str(run), "--data", str(tmp_path / "x.npy"), "--out",
                      str(tmp_path / "o.csv")],
            "mask": ["impute", str(run), "--data", str(tmp_path / "ok.npy"), "--mask",
                     str(tmp_path / "m.npy"), "--out", str(tmp_path / "o.npy")],
            "format": ["encode", str(run), "--out", str(tmp_path / "o.txt")],
            "nan": ["encode", str(run), "--data", str(tmp_path / "nan.npy"), "--out",
                    str(tmp_path / "o.npz")]}[bad]
    code, _, err = run_cli(capsys, *args)
    assert_one_line_error(code, err, {"shape": "(1, 4, 4)", "mask": "shape (2, 8)",
                                      "format": ".txt", "nan": "NaN"}[bad])
    assert not list(tmp_path.glob("o.*"))


def test_batches_are_the_whole_tensor_bit_for_bit_with_its_one_binarization_draw(binary_run,
                                                                                 pixels):
    dynamic = RunContext.open(binary_run)
    ex = source_examples(dynamic, str(pixels))
    assert not ex.checked  # memory-mapped: its values are read batch by batch
    whole = heldout_tensor(ex.x, "dynamic", torch.device("cpu"))
    for size in (7, 64):
        batches = list(prepared_batches(dynamic, ex, size))
        assert max(len(b) for b in batches) == size
        assert torch.equal(torch.cat([b.x for b in batches]), whole)
    assert torch.equal(prepare_examples(dynamic, ex).x, whole)


def _same_file(a, b, suffix):
    if suffix != ".npz":  # npz members carry the time they were written
        assert a.read_bytes() == b.read_bytes()
        return
    with np.load(a) as za, np.load(b) as zb:
        assert za.files == zb.files
        for name in za.files:
            assert za[name].dtype == zb[name].dtype and np.array_equal(za[name], zb[name])


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("size", [7, 64])
def test_a_mapped_source_encoded_in_batches_gives_the_whole_tensor_result(binary_run, pixels,
                                                                          tmp_path, capsys,
                                                                          suffix, size):
    ctx = RunContext.open(binary_run)
    a = np.load(pixels)
    # What encode did before it streamed: the whole source prepared, then encoded in batches.
    x = heldout_tensor(torch.from_numpy(a)[:, None], ctx.binarize, torch.device("cpu"))
    mu, logvar = posterior_moments(ctx.model, x, None, size)
    write_columns(tmp_path / f"whole{suffix}", {"id": [str(i) for i in range(len(a))],
                                                "mu": mu.numpy(), "logvar": logvar.numpy()}, "mu")
    code, out, err = run_cli(capsys, "encode", str(binary_run), "--data", str(pixels), "--batch-size",
                             str(size), "--out", str(tmp_path / f"streamed{suffix}"))
    assert code == 0 and f"{len(a)} examples x 4 latent dimensions (mu, logvar)" in out, err
    _same_file(tmp_path / f"streamed{suffix}", tmp_path / f"whole{suffix}", suffix)


class _Spy(torch.Tensor):
    """A source that records the most values of any float tensor made from it, or from what is
    made from it."""

    largest = 0

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        out = super().__torch_function__(func, types, args, kwargs)
        if isinstance(out, torch.Tensor) and out.dtype.is_floating_point:
            _Spy.largest = max(_Spy.largest, out.numel())
        return out


def test_no_more_than_a_batch_is_made_into_floats_or_given_to_the_encoder(binary_run, pixels,
                                                                         monkeypatch):
    ctx = RunContext.open(binary_run)
    seen = []
    encode = ctx.model.encode

    def spied(x, y=None):  # the model's own work on a batch is not the source's
        seen.append(len(x))
        return encode(x.as_subclass(torch.Tensor), y)

    monkeypatch.setattr(ctx.model, "encode", spied)
    ex = source_examples(ctx, str(pixels))
    ex = replace(ex, x=ex.x.as_subclass(_Spy))
    per_batch = 7 * 64  # 7 examples of 1 x 8 x 8
    _Spy.largest = 0
    assert sum(len(c["mu"]) for c in posterior_columns(ctx, ex, 7)) == len(ex)
    assert max(seen) == 7 and _Spy.largest == per_batch  # the whole source is 359 x 64
    seen.clear()
    _Spy.largest = 0
    assert len(example_scores(ctx, ex, k=1, seed=0, batch_size=7)["nll"]) == len(ex)
    assert max(seen) == 7 and _Spy.largest == per_batch


def test_scores_of_batches_prepared_one_at_a_time_are_the_whole_tensor_scores(binary_run,
                                                                             pixels):
    ctx = RunContext.open(binary_run)
    ex = source_examples(ctx, str(pixels))
    got = example_scores(ctx, ex, k=5, seed=0, batch_size=64)
    # What score did before it streamed: the whole source prepared, then scored in batches.
    terms = example_terms(ctx.model, eval_data(prepare_examples(ctx, ex)), 5, 64, seed=0)
    assert torch.equal(got["nll"], terms.nll) and torch.equal(got["neg_elbo"], -terms.elbo)
    assert torch.equal(got["recon_error"], terms.sq_err / terms.n_obs.clamp(min=1))


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("bad", ["nan", "range"])
def test_a_bad_value_in_the_last_batch_leaves_an_existing_file_as_it_was(run, ctx, tmp_path,
                                                                        capsys, suffix, bad):
    x = ctx.split("test").stored[:30, 0].numpy().copy()  # float32, read memory-mapped
    x[-1, 3, 3] = {"nan": np.nan, "range": 2.0}[bad]
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / f"o{suffix}"
    out.write_bytes(b"an earlier result")
    code, _, err = run_cli(capsys, "encode", str(run), "--data", str(tmp_path / "x.npy"),
                           "--batch-size", "7", "--out", str(out))
    # Examples 28 and 29 are the last of five batches.
    assert_one_line_error(code, err, {"nan": "example 29: NaN",
                                      "range": "examples 28 to 29: likelihood"}[bad])
    assert out.read_bytes() == b"an earlier result"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["x.npy", out.name])
