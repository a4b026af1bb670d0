"""The ``vaekit`` command: a click group; each command lives in its own small file."""

from __future__ import annotations

import sys
import warnings
from functools import partial

import click

from vaekit import __version__
from vaekit.errors import UserError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaekit")
def cli() -> None:
    """vaekit: train, evaluate and explore Variational Autoencoders.

    Start with `vaekit quickstart`; every command explains its options with --help.
    """
    from vaekit.store import paths

    click.get_current_context().call_on_close(partial(paths.end, paths.begin()))


def _register_commands() -> None:
    """Every module of ``vaekit.cli`` that defines COMMANDS adds them: one file per command."""
    import importlib
    import pkgutil

    import vaekit.cli as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"vaekit.cli.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def os_error(exc: OSError) -> str:
    """One line for an operating-system error on a path: what failed, and where."""
    where = " -> ".join(str(p) for p in (exc.filename, exc.filename2) if p is not None)
    reason = exc.strerror or type(exc).__name__
    return f"{where}: {reason}" if where else f"{reason} ({exc})"


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors print one line and exit 2, never a traceback."""
    _register_commands()
    warnings.showwarning = _show_warning
    try:
        # Outside standalone mode click *returns* the code of a `ctx.exit(n)` / `Exit(n)`.
        code = cli.main(args=argv, prog_name="vaekit", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as exc:
        print(f"error: {exc.format_message()}", file=sys.stderr)
        sys.exit(2)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except OSError as exc:  # a path the user gave: read-only, missing, full, a folder, ...
        print(f"error: {os_error(exc)}", file=sys.stderr)
        sys.exit(2)
    except RecursionError:  # a YAML or JSON input nested thousands of levels deep (before
        # RuntimeError, its base class)
        print("error: an input (a config file, a --set value, a run's JSON) is nested too deeply "
              "to read", file=sys.stderr)
        sys.exit(2)
    except (MemoryError, RuntimeError) as exc:  # an allocation larger than memory, anywhere
        from vaekit.resources import out_of_memory

        line = out_of_memory(exc)
        if line is None:
            raise
        print(f"error: {line}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
