"""``vaekit score``: how likely each example is under a run, next to its held-out percentile."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.apply_options import batch_option, source_options
from vaekit.cli.options import K_SAMPLES, OUTPUT, SEED, run_argument


@click.command("score")
@run_argument
@source_options
@click.option("--out", type=OUTPUT, default=Path("scores.csv"),
              show_default=True, help="File to write: .csv, .parquet, .npz (or .npy: the NLL).")
@click.option("--k", "k", type=K_SAMPLES, default=100, show_default=True,
              help="Importance samples per example for the NLL.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of every draw.")
@batch_option
def score_cmd(run: Path, source: str | None, split: str, out: Path, k: int, seed: int,
              batch_size: int) -> None:
    """Per example of SRC: the NLL (-IW bound with K samples, nats), the negative ELBO, the
    reconstruction error, and the percentile of each on RUN's held-out split (99 = less likely
    than 99% of held-out examples): anomaly scores with a scale."""
    import numpy as np

    from vaekit.artifacts.scores import SCORES, score
    from vaekit.artifacts.table_files import check_format, write_columns
    from vaekit.cli.options import open_context

    check_format(out, "nll")
    ctx = open_context(run)
    columns = score(ctx, source, split, k=k, seed=seed, batch_size=batch_size)
    write_columns(out, columns, "nll")
    n = len(columns["id"])
    click.echo(f"scored {n} examples (k={k}, nats per example; percentiles on the held-out "
               f"split of {run})")
    for name in SCORES:
        v, pct = columns[name], columns[f"{name}_pct"]
        click.echo(f"  {name:<12} median {float(np.median(v)):10.4g}   above the held-out 99th "
                   f"percentile: {int((pct > 99).sum())}")
    click.echo(f"wrote {out}")


COMMANDS = [score_cmd]
