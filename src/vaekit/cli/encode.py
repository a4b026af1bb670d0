"""``vaekit encode``: the posterior of every example, as features for another model."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.apply_options import batch_option, source_options
from vaekit.cli.options import OUTPUT, run_argument


@click.command("encode")
@run_argument
@source_options
@click.option("--out", type=OUTPUT, required=True,
              help="File to write: .npz (id, label, mu, logvar), .csv or .parquet (one column "
              "per number), or .npy (the means alone, (N, L)).")
@batch_option
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
def encode_cmd(run: Path, source: str | None, split: str, out: Path, batch_size: int,
               progress: bool | None) -> None:
    """The posterior q(z|x) of every example of SRC under RUN: its mean `mu` (the embedding) and
    log-variance `logvar`, with each example's id and label. Memory bounded: one batch at a
    time, from SRC to the file."""
    from vaekit.artifacts.apply_data import source_examples
    from vaekit.artifacts.encoding import posterior_columns
    from vaekit.artifacts.table_files import check_format, write_batches
    from vaekit.cli.options import open_context

    check_format(out, "mu")
    ctx = open_context(run)
    ex = source_examples(ctx, source, split)
    shapes = write_batches(out, len(ex), posterior_columns(ctx, ex, batch_size, progress), "mu")
    click.echo(f"wrote {out}: {len(ex)} examples x {shapes['mu'][1]} latent dimensions "
               f"({'mu, logvar' if 'logvar' in shapes else 'codes, no variance'}) from {ex.source}")


COMMANDS = [encode_cmd]
