"""Read a YAML config, apply dotted ``key=value`` overrides, and validate it, all errors at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from vaekit import registry
from vaekit.config.presets import FLAT, apply_variant, flat_options, foreign_option, own_options
from vaekit.config.schema import Config
from vaekit.errors import ConfigError

# Config fields that name registered components.
_NAMED = {("data", "name"): "data", ("model", "arch"): "arch", ("model", "latent"): "latent",
          ("model", "likelihood"): "likelihood", ("model", "prior"): "prior",
          ("objective", "name"): "objective", ("model", "variant"): "variant",
          ("model", "conditioner"): "conditioner"}


def read_yaml(path: str | Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a folder, not a YAML file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text (a YAML file?)") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ConfigError(f"config file {path} is not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of sections (data, model, ...)")
    return data


def parse_override(item: str) -> tuple[list[str], Any]:
    """``"model.hidden=[400,200]"`` -> (["model", "hidden"], [400, 200]); values parsed as YAML."""
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {item!r} must look like section.key=value")
    try:
        parsed = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        parsed = value
    return key.strip().split("."), parsed


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    for item in overrides:
        keys, value = parse_override(item)
        node = data
        for k in keys[:-1]:
            child = node.setdefault(k, {})
            if not isinstance(child, dict):
                raise ConfigError(f"override {item!r}: {k} is not a section")
            node = child
        node[keys[-1]] = value
    return data


def _fields(section: str) -> list[str]:
    model: type[BaseModel] | None = Config.model_fields.get(section) and \
        Config.model_fields[section].annotation  # type: ignore[assignment]
    return list(model.model_fields) if model else list(Config.model_fields)


def _describe(err: dict[str, Any], data: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        section = str(err["loc"][0]) if len(err["loc"]) > 1 else ""
        valid = ", ".join(_fields(section))
        if section in FLAT and len(err["loc"]) == 2:
            spec = FLAT[section]
            chosen = _raw(data, section, spec.name_key)
            why = foreign_option(section, str(err["loc"][1]), chosen)
            if why:
                return f"{loc}: {why}; remove it or choose that {spec.kind}"
            own = sorted(own_options({spec.name_key: chosen}, spec))
            valid += f"; and flat, the options of {spec.kind} {chosen} ({', '.join(own) or 'none'})"
        return f"{loc}: unknown key (valid: {valid})"
    msg = err["msg"]
    return f"{loc}: {msg[:1].lower()}{msg[1:]} (got {err.get('input')!r})"


def _raw(data: dict[str, Any], section: str, key: str) -> Any:
    node = data.get(section)
    if isinstance(node, dict) and key in node:
        return node[key]
    field = Config.model_fields[section].default_factory()  # type: ignore[misc]
    return getattr(field, key)


def _check_args(errors: list[str], kind: str, name: Any, args: Any, where: str) -> bool:
    """Append an error when ``args`` are not options of component ``name``; True if they are."""
    if not (isinstance(name, str) and name in registry.names(kind) and isinstance(args, dict)):
        return False
    try:
        registry.bind(kind, name, args)
    except ConfigError as exc:
        errors.append(f"{where}: {exc}")
        return False
    return True


def semantic_errors(data: dict[str, Any]) -> list[str]:
    """Errors pydantic cannot see: unknown component names and their options."""
    errors = []
    for (section, key), kind in _NAMED.items():
        name = _raw(data, section, key)
        if kind == "likelihood" and name == "auto":
            continue  # settled from the data when the run is trained
        if isinstance(name, str) and name not in registry.names(kind):
            errors.append(f"{section}.{key}: unknown {kind} {name!r} "
                          f"(valid: {', '.join(registry.names(kind))})")
    for kind in ("likelihood", "latent", "prior"):
        _check_args(errors, kind, _raw(data, "model", kind), _raw(data, "model", f"{kind}_args"),
                    f"model.{kind}_args")
    for section, spec in FLAT.items():  # flat options count as the component's args
        raw = data.get(section) if isinstance(data.get(section), dict) else {}
        fields = set(Config.model_fields[section].annotation.model_fields)  # type: ignore[union-attr]
        args = flat_options(raw, spec, fields).get(spec.args_key)
        _check_args(errors, spec.kind, raw.get(spec.name_key, spec.default), args,
                    f"{section}.{spec.args_key}")
    track = _raw(data, "train", "track")
    for name in track if isinstance(track, list) else []:
        if isinstance(name, str) and name not in registry.names("tracker"):
            errors.append(f"train.track: unknown tracker {name!r} "
                          f"(valid: {', '.join(registry.names('tracker'))})")
    files = {s for m in registry.names("modality")  # the sources that read a user's files
             for s in registry.declared("modality", m).get("file_sources", ())}
    if _raw(data, "data", "name") in files and not _raw(data, "data", "path"):
        errors.append("data.path: this data source needs a path")
    return errors


def config_errors(data: dict[str, Any]) -> tuple[Config | None, list[str]]:
    """Validate raw config data; returns the Config (or None) and every error found."""
    errors: list[str] = []
    cfg = None
    data = apply_variant(data)  # so the checks below see the preset's component names too
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        errors = [_describe(e, data) for e in exc.errors()]
    sections_ok = all(isinstance(data.get(s, {}), dict) for s in Config.model_fields)
    if sections_ok:
        errors += semantic_errors(data)
    return (cfg if not errors else None), errors


def load_config(path: str | Path | None = None, overrides: list[str] | None = None,
                base: dict[str, Any] | None = None) -> Config:
    """The Config from ``base`` (or a YAML file) with overrides; ConfigError listing all errors."""
    data = base if base is not None else (read_yaml(path) if path else {})
    data = apply_overrides(data, overrides or [])
    cfg, errors = config_errors(data)
    if errors or cfg is None:
        raise ConfigError("invalid config: " + "; ".join(errors))
    return cfg
