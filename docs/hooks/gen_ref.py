"""The generated reference pages: every CLI command and option (from click), every config key
(from the pydantic schema) and every registered component with its options (from the registry).

Each function returns markdown; ``hooks.py`` puts it where a page says ``{{ reference:NAME }}``.
Run as a script to print one: ``python docs/hooks/gen_ref.py cli|config|components``.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any, Literal, get_args, get_origin


def _cell(text: Any) -> str:
    """One markdown table cell: no newlines, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def cli_reference() -> str:
    """Every command of ``vaekit``, its usage, help text and options, as ``--help`` shows them."""
    import click

    from vaekit.cli.main import _register_commands, cli

    _register_commands()
    out = []
    for name in sorted(cli.commands):
        command = cli.commands[name]
        parent = click.Context(cli, info_name="vaekit")
        ctx = click.Context(command, info_name=name, parent=parent)
        out += [f"## `vaekit {name}`", "", "```text", command.get_usage(ctx), "```", ""]
        out += [inspect.cleandoc(command.help or ""), ""]
        rows = [p.get_help_record(ctx) for p in command.params if isinstance(p, click.Option)]
        rows = [r for r in rows if r is not None]
        if rows:
            out += ["| option | meaning |", "|---|---|"]
            out += [f"| `{_cell(opts)}` | {_cell(help_)} |" for opts, help_ in rows]
            out.append("")
    return "\n".join(out)


def _type_name(annotation: Any) -> str:
    """``str``, ``int | None``, or the allowed values of a Literal: ``'a' | 'b'``."""
    if get_origin(annotation) is Literal:
        return " | ".join(repr(a) for a in get_args(annotation))
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _default(field: Any) -> str:
    if field.default_factory is not None:
        return f"`{field.default_factory()!r}`"
    return f"`{field.default!r}`" if field.default is not None else "`None`"


def config_reference() -> str:
    """Every key of ``vaekit.config.schema.Config``: its type, default and description."""
    from vaekit.config.schema import Config

    out = []
    for section, field in Config.model_fields.items():
        model = field.annotation
        out += [f"## `{section}`", "", inspect.cleandoc(model.__doc__ or ""), "",
                "| key | type | default | meaning |", "|---|---|---|---|"]
        for key, sub in model.model_fields.items():
            kind = _type_name(sub.annotation)
            out.append(f"| `{section}.{key}` | `{_cell(kind)}` | {_cell(_default(sub))} | "
                       f"{_cell(sub.description or '')} |")
        out.append("")
    return "\n".join(out)


KINDS = ("data", "modality", "arch", "latent", "likelihood", "prior", "objective", "conditioner",
         "sampler", "tracker")


def _summary(kind: str, name: str) -> str:
    """The first sentence of the builder's docstring, or of the class it returns."""
    from vaekit import registry

    builder = registry.get(kind, name)
    doc = inspect.getdoc(builder) or inspect.getdoc(sys.modules[builder.__module__]) or ""
    return doc.split("\n\n")[0]


def components_reference() -> str:
    """Every registered component, by kind, with its options and their defaults."""
    from vaekit import registry

    out = []
    for kind in KINDS:
        out += [f"## {kind}", "", "| name | options (default) | what it is |", "|---|---|---|"]
        for name in registry.names(kind):
            opts = registry.options(kind, name)
            shown = ", ".join(f"`{k}`" if v is inspect.Parameter.empty else f"`{k}={v!r}`"
                              for k, v in opts.items()) or "none"
            out.append(f"| `{name}` | {_cell(shown)} | {_cell(_summary(kind, name))} |")
        out.append("")
    out += ["## variant", "", "`model.variant` names a preset: the config keys it fills where "
            "yours do not set them.", "", "| name | sets | what it is |", "|---|---|---|"]
    for name in registry.names("variant"):
        variant = registry.get("variant", name)
        out.append(f"| `{name}` | `{_cell(variant.defaults)}` | {_cell(variant.summary)} |")
    return "\n".join(out) + "\n"


GENERATORS = {"cli": cli_reference, "config": config_reference, "components": components_reference}

if __name__ == "__main__":
    print(GENERATORS[sys.argv[1]]())
