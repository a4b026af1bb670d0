"""The per-image bounds half of ``vaekit evaluate``: ``--shard I/N``, ``--workers``, ``--pair``,
``--report`` (see ``vaekit.artifacts.long_eval``)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext


class ShardType(click.ParamType):
    """``I/N``: shard I (counted from 0) of N."""

    name = "I/N"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        try:
            i, n = (int(part) for part in str(value).split("/"))
        except ValueError:
            self.fail(f"{value!r} is not I/N (shard I of N, such as 0/4)", param, ctx)
        if not 0 <= i < n:
            self.fail(f"{value!r}: I counts from 0 and stays below N (0/{max(n, 1)} .. "
                      f"{max(n, 1) - 1}/{max(n, 1)})", param, ctx)
        return i, n


SHARD = ShardType()


def long_evaluation(ctx: RunContext, split: str, k: int, seed: int, batch: int,
                    shard: tuple[int, int], workers: int, pair: int | None, report: bool) -> None:
    """Compute the missing blocks of ``shard`` (unless ``report``), then report what the files
    of every shard written so far give; once they cover the split, write the summary."""
    from vaekit.artifacts.long_eval import compute_blocks, shard_blocks
    from vaekit.store.atomic import write_json
    from vaekit.store.eval_journal import digest
    from vaekit.store.iw_bounds import BoundsFolder, bounds_folder, paired, per_image, summary

    n = len(ctx.eval_data(split).x)
    meta = {"weights": digest(ctx.model.state_dict()), "k": k, "seed": seed, "batch": batch,
            "split": split}
    store = BoundsFolder(bounds_folder(ctx.path, k, seed, split), meta)
    records = store.records()
    done = store.done_blocks(records)
    mine = shard_blocks(n, batch, *shard)
    todo = [] if report else [f for f in mine if f not in done]
    click.echo(f"{ctx.path}: shard {shard[0]}/{shard[1]} has {len(mine)} blocks of {batch} "
               f"images, {len(mine) - len([f for f in mine if f not in done])} done, "
               f"{len(todo)} to compute (k={k}, {workers} worker{'s' * (workers > 1)})")
    t0 = time.perf_counter()
    for first, nll, elbo, seconds in compute_blocks(ctx, split, todo, k, seed, batch, workers):
        records[first] = store.write(first, nll, elbo, seconds)
        s = summary(records, n, k, seed)
        click.echo(f"block {first:5d} done ({time.perf_counter() - t0:.0f}s): {s['n']} of {n} "
                   f"images, NLL {s['nll']:.2f} ± {s['nll_se']:.2f} so far")
    if not records:
        click.echo("no per-image bounds written yet")
        return
    s = summary(records, n, k, seed)
    if pair is not None:
        theirs = BoundsFolder(bounds_folder(ctx.path, pair, seed, split), {**meta, "k": pair})
        other = theirs.records()
        if other:
            s[f"minus_k{pair}"] = p = paired(records, other)
            click.echo(f"k={k} minus k={pair} on the same {p['n']} images: {p['diff']:+.4f} ± "
                       f"{p['diff_se']:.4f} nats; k={k} projected over all "
                       f"{len(per_image(other))} images of k={pair}: {p['projected']:.3f}")
        else:
            click.echo(f"no per-image bounds at k={pair} (seed {seed}) to pair with")
    click.echo(json.dumps(s, indent=2))
    if s["n"] == n:
        path = store.folder.with_name(store.folder.name + ".json")
        write_json(path, s)
        click.echo(f"NLL (IW bound, k={k}) of all {n} {split} images: {s['nll']:.2f} ± "
                   f"{s['nll_se']:.2f} nats; written to {path}")
