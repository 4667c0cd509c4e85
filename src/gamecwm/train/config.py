"""Training configuration files: YAML (or JSON) with an `sft` and/or a `grpo` section.

Each section maps onto a trainer's config dataclass (`SFTRunConfig`, `GRPORunConfig`). Loading is
strict: an unknown key, a value of the wrong type or an out-of-range value is a `ConfigError` that
names the file, the section and the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
SECTIONS = ("sft", "grpo")


class ConfigError(ValueError):
    """A training configuration that cannot be used, with a message saying where and why."""


def read_config_file(path: Path) -> dict[str, Any]:
    """The mapping in a YAML or JSON config file; a ConfigError when it cannot be read or is not a mapping."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read the config {path}: {exc.strerror or exc}") from exc
    try:
        if path.suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # yaml and json raise different error types
        raise ConfigError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with sections {', '.join(SECTIONS)}")
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{path}: unknown sections {unknown}; known sections: {', '.join(SECTIONS)}")
    return data


def _matches(value: Any, annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if origin is typing.Literal:
        return value in typing.get_args(annotation)
    return isinstance(value, annotation)


def _describe(annotation: Any) -> str:
    if typing.get_origin(annotation) is typing.Literal:
        return " or ".join(repr(a) for a in typing.get_args(annotation))
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _number_as_text_hint(value: Any, annotation: Any) -> str:
    """A hint for YAML 1.1's trap: `1e-4` (no dot) is read as a string, not a float."""
    if not isinstance(value, str) or not _matches(0.5, annotation):
        return ""
    try:
        number = float(value)
    except ValueError:
        return ""
    mantissa, _, exponent = value.lower().partition("e")
    written = f"{float(mantissa):.1f}e{int(exponent)}" if exponent else repr(number)
    return f" (YAML reads {value} as text; write it with a dot, e.g. {written}, or as {number!r})"


def build_config(cls: type[T], values: dict[str, Any], where: str = "config") -> T:
    """An instance of the dataclass `cls` from a mapping, checking keys and types (ConfigError otherwise).

    A float field accepts an integer (`lr: 1` means 1.0); the dataclass's own `__post_init__` checks ranges.
    """
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: expected a mapping of settings, got {type(values).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise ConfigError(f"{where}: unknown settings {unknown}; known settings: {', '.join(sorted(fields))}")
    converted = {}
    for key, value in values.items():
        annotation = hints[key]
        if not _matches(value, annotation):
            raise ConfigError(f"{where}: {key} must be {_describe(annotation)}, got {value!r}"
                              + _number_as_text_hint(value, annotation))
        converted[key] = float(value) if annotation is float else value
    try:
        return cls(**converted)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def load_section(path: Path | None, section: str, cls: type[T], overrides: dict[str, Any] | None = None) -> T:
    """The `section` of a config file as a `cls` instance (defaults where the file is silent or absent)."""
    values = dict(read_config_file(path).get(section) or {}) if path is not None else {}
    values.update(overrides or {})
    return build_config(cls, values, f"{path or 'defaults'} [{section}]")
