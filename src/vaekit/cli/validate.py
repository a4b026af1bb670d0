"""``vaekit validate``: check a config without training; every error at once."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vaekit.cli.options import INPUT


@click.command("validate")
@click.argument("config_file", type=INPUT)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a key.")
def validate_cmd(config_file: Path, overrides: tuple[str, ...]) -> None:
    """Check CONFIG_FILE (unknown keys, types, component names) and list every problem."""
    from vaekit.config.load import apply_overrides, config_errors, read_yaml

    data = apply_overrides(read_yaml(config_file), list(overrides))
    _, errors = config_errors(data)
    if errors:
        for e in errors:
            click.echo(f"error: {config_file}: {e}", err=True)
        sys.exit(2)
    click.echo(f"{config_file}: ok")


COMMANDS = [validate_cmd]
