"""``vaekit migrate``: write a vaekit 0.1 config (a YAML file, or a run's config.json or folder)
in the current form, to stdout or a new file; the input is never changed."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.options import OUTPUT


@click.command("migrate")
@click.argument("config_file", type=click.Path(path_type=Path))
@click.option("--out", type=OUTPUT, default=None,
              help="Write the converted config to this new file (default: stdout).")
def migrate_cmd(config_file: Path, out: Path | None) -> None:
    """Convert CONFIG_FILE (a YAML config, or a run folder or its config.json) from the vaekit
    0.1 form: options of components the config does not
    use (0.1 kept them all, e.g. model.hidden beside model.arch: conv) are dropped, each named
    on stderr. The result is validated before it is written."""
    import yaml

    from vaekit.config.load import config_errors, read_yaml
    from vaekit.config.migrate import migrate
    from vaekit.errors import ConfigError, UserError
    from vaekit.store.atomic import write_text

    if out is not None and out.exists():  # covers the input itself: a user's file stays as it is
        raise UserError(f"--out {out} exists; give a new file name")
    if config_file.is_dir() and (config_file / "config.json").is_file():
        config_file = config_file / "config.json"
    data = read_yaml(config_file)
    if isinstance(data.get("config"), dict) and "shape" in data:  # a run's config.json
        data = data["config"]
    new, dropped = migrate(data)
    _, errors = config_errors(new)
    if errors:
        raise ConfigError(f"{config_file} is still invalid once converted: {'; '.join(errors)}")
    text = yaml.safe_dump(new, sort_keys=False)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text(out, text)
    for key, component in dropped.items():
        click.echo(f"dropped {key}: not an option of {component}", err=True)
    if out is not None:
        click.echo(f"wrote {out}", err=True)


COMMANDS = [migrate_cmd]
