"""``vaekit impute``: missing pixels or cells filled in by a run; observed values kept exactly."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaekit.cli.apply_options import batch_option
from vaekit.cli.options import INPUT, OUTPUT, SEED, run_argument

if TYPE_CHECKING:
    import numpy as np

    from vaekit.artifacts.imputation import How


@click.command("impute")
@run_argument
@click.option("--data", "source", required=True, metavar="SRC",
              help="An .npz/.npy file whose missing values are NaN (float pixels in [0, 1] or "
              "rows), or any examples with --mask; for a table run, a CSV/Parquet file whose "
              "empty cells are missing, or a folder or glob of them, read and written a chunk "
              "at a time (memory holds one chunk, whatever the rows).")
@click.option("--mask", type=INPUT, default=None,
              help="An .npy of SRC's shape, nonzero where a value is missing.")
@click.option("--out", type=OUTPUT, required=True,
              help="File to write: .npy (the completed examples) or .npz (x, id, and mask); "
              ".csv or .parquet for a table file.")
@click.option("--method", type=click.Choice(["mean", "sample"]), default="mean",
              show_default=True, help="mean: one completion, E[missing | observed] under the model "
              "(the likelihood means of the importance draws averaged by weight, numbers in their "
              "own units); sample: draws of p(missing | observed) under the "
              "model (latent importance resampling), --draws of them.")
@click.option("--draws", type=click.IntRange(1, 1000), default=1, show_default=True,
              help="With --method sample: completions per example (multiple imputation); a table "
              "gets a first column 'draw', arrays a second axis.")
@click.option("--k", "k", type=click.IntRange(2, 100_000), default=256, show_default=True,
              help="Importance draws of z per example; the effective sample size is reported.")
@click.option("--rounds", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Rounds of encode-decode-refill, for runs whose posterior is a point mass "
              "(autoencoders), which have no density to weight by.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the draws.")
@batch_option
def impute_cmd(run: Path, source: str, mask: Path | None, out: Path, method: str, draws: int,
               k: int, rounds: int, seed: int, batch_size: int) -> None:
    """Fill the missing values of SRC with RUN's model, in SRC's own units."""
    from vaekit.artifacts.figures import save_table
    from vaekit.artifacts.imputation import How, impute_examples, read_mask
    from vaekit.artifacts.table_files import check_format, write_columns
    from vaekit.cli.options import open_context
    from vaekit.store.paths import protect_input

    if draws > 1 and method != "sample":
        raise click.BadParameter("several draws need --method sample", param_hint="--draws")
    suffix = check_format(out, "x")
    ctx = open_context(run)
    files = ctx.modality.has_codec and (Path(source).is_dir() or any(c in source for c in "*?["))
    table = files or Path(source).suffix.lower() in ctx.modality.frame_suffixes
    wanted = (".csv", ".parquet") if table else (".npy", ".npz")
    if suffix not in wanted:
        raise click.BadParameter(f"impute writes {' or '.join(wanted)} for this source",
                                 param_hint="--out")
    how = How(method, draws, k, rounds, seed, batch_size)
    if files:  # a folder or glob of table files: streamed, a chunk at a time
        from vaekit.artifacts.imputation_stream import impute_files

        if mask is not None:
            raise click.BadParameter("a table's missing values are its empty cells; --mask is "
                                     "for arrays", param_hint="--mask")
        protect_input(source)
        tally = impute_files(ctx, source, how, out)
        _report(tally.cells, tally.gapped, tally.rows, tally.ess, tally.ess_min, how, out)
        return
    done = impute_examples(ctx, source, None if mask is None else read_mask(mask), how)
    if done.is_table:
        save_table(done.values, out, float_format=None)  # observed cells to the last digit
    else:
        write_columns(out, {"x": done.values, "id": done.ids, "mask": done.missing}, "x")
    missing = done.missing.reshape(len(done.missing), -1)
    gaps = missing.any(1)
    ess = None if done.ess is None else done.ess[gaps] if gaps.any() else done.ess
    _report(int(missing.sum()), int(gaps.sum()), len(missing), ess,
            None if ess is None else float(ess.min()), how, out)


def _report(cells: int, gapped: int, rows: int, ess: np.ndarray | None, ess_min: float | None,
            how: How, out: Path) -> None:
    """The line that says what was filled (``ess``: the gapped examples' effective sample sizes,
    or a sample of them; None when rounds filled them)."""
    method, k, rounds, draws = how.method, how.k, how.rounds, how.draws
    if ess is None or not len(ess):
        how_text = f"{method}, {rounds} rounds" if ess is None else f"{method}, {k} importance draws"
    else:
        how_text = (f"{method}, {k} importance draws, effective sample size median "
                    f"{_median(ess):.1f}, min {ess_min:.1f}")
    click.echo(f"filled {cells} missing values in {gapped} of {rows} examples ({how_text}; "
               f"{draws} draw{'s' * (draws > 1)}); wrote {out}")


COMMANDS = [impute_cmd]


def _median(values: object) -> float:
    """The median of an array of numbers (numpy is imported when a command runs, not at start)."""
    import numpy as np

    return float(np.median(values))
