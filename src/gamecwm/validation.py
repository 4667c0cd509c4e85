"""Checking a settings object's numeric fields against their least allowed values, with one message form."""

from __future__ import annotations

from collections.abc import Mapping


def require_minimums(settings: object, minimums: Mapping[str, float]) -> None:
    """Raise ValueError for the first field of `settings` below its least value in `minimums` (name -> least value).

    A field holding None is unset and passes; NaN fails. The message names the class, the field, the
    least value and the value given, e.g. "EnvConfig.chance_draws must be at least 1, not 0".
    """
    owner = type(settings).__name__
    for name, least in minimums.items():
        value = getattr(settings, name)
        if value is not None and not value >= least:
            raise ValueError(f"{owner}.{name} must be at least {least}, not {value!r}")
