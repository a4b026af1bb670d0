"""The in-memory batch source: seeded epochs, disjoint ranks that cover an epoch once, and a
mid-epoch start that gives the rest of the same epoch."""

from __future__ import annotations

import torch

from vaekit.data.source import TensorSource


def _source(rank: int = 0, size: int = 1, seed: int = 5) -> TensorSource:
    x = torch.arange(23, dtype=torch.float32)[:, None]  # example i holds the value i
    return TensorSource(x, torch.arange(23), "none", seed, rank, size)


def _values(source: TensorSource, epoch: int, start: int = 0) -> list[list[int]]:
    return [b.x[:, 0].long().tolist() for b in source.epoch(epoch, 5, torch.Generator(), start)]


def test_an_epoch_is_a_seeded_permutation_of_the_split():
    src = _source()
    first = _values(src, 1)
    assert [len(b) for b in first] == [5, 5, 5, 5, 3] and src.steps(5) == 5
    assert sorted(v for b in first for v in b) == list(range(23))
    assert _values(_source(), 1) == first  # the same seed and epoch: the same order
    assert _values(src, 2) != first and _values(_source(seed=6), 1) != first
    batch = next(iter(src.epoch(1, 5, torch.Generator())))
    assert torch.equal(batch.y, batch.x[:, 0].long())  # labels travel with their examples


def test_ranks_take_disjoint_shares_that_cover_each_global_batch_once():
    whole = _values(_source(), 3)
    ranks = [_values(_source(r, 2), 3) for r in (0, 1)]
    for step, batch in enumerate(whole):
        shares = ranks[0][step] + ranks[1][step]
        assert sorted(shares) == sorted(batch) and len(shares) == len(batch)
        assert abs(len(ranks[0][step]) - len(ranks[1][step])) <= 1


def test_a_mid_epoch_start_gives_the_rest_of_the_same_epoch():
    src = _source()
    assert _values(src, 4, start=2) == _values(src, 4)[2:]


def test_dynamic_binarization_draws_from_the_given_generator():
    x = torch.full((8, 1, 2, 2), 0.5)
    src = TensorSource(x, None, "dynamic", seed=0)
    draw = [b.x for b in src.epoch(0, 4, torch.Generator().manual_seed(1))]
    again = [b.x for b in src.epoch(0, 4, torch.Generator().manual_seed(1))]
    other = [b.x for b in src.epoch(0, 4, torch.Generator().manual_seed(2))]
    assert all(torch.equal(a, b) for a, b in zip(draw, again, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(draw, other, strict=True))
    assert set(torch.cat(draw).unique().tolist()) == {0.0, 1.0}
