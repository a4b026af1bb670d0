"""``vaekit encode``: the posterior of every example, as features for another model."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.apply_options import batch_option, source_options
from vaekit.cli.options import run_argument


@click.command("encode")
@run_argument
@source_options
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="File to write: .npz (id, label, mu, logvar), .csv or .parquet (one column "
              "per number), or .npy (the means alone, (N, L)).")
@batch_option
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
def encode_cmd(run: Path, source: str | None, split: str, out: Path, batch_size: int,
               progress: bool | None) -> None:
    """The posterior q(z|x) of every example of SRC under RUN: its mean `mu` (the embedding) and
    log-variance `logvar`, with each example's id and label."""
    from vaekit.artifacts.apply_data import prepare_examples, source_examples
    from vaekit.artifacts.table_files import check_format, write_columns
    from vaekit.cli.options import open_context
    from vaekit.explore.encode import posterior_moments

    check_format(out, "mu")
    ctx = open_context(run)
    p = prepare_examples(ctx, source_examples(ctx, source, split))
    mu, logvar = posterior_moments(ctx.model, p.x, p.y, batch_size, progress)
    columns = {"id": p.ids, **({} if p.y is None else {"label": p.y.numpy()}), "mu": mu.numpy()}
    if logvar is not None:
        columns["logvar"] = logvar.numpy()
    write_columns(out, columns, "mu")
    click.echo(f"wrote {out}: {len(p)} examples x {mu.shape[1]} latent dimensions "
               f"({'mu, logvar' if logvar is not None else 'codes, no variance'}) from {p.source}")


COMMANDS = [encode_cmd]
