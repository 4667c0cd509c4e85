"""Settings checked against their least values: one message form naming the class and the field."""

from dataclasses import dataclass

import pytest

from gamecwm.envs.config import EnvConfig
from gamecwm.repair.run import RepairConfig
from gamecwm.validation import require_minimums


@dataclass
class _Settings:
    count: int = 1
    weight: float = 0.0
    limit: int | None = None


def test_values_at_their_least_and_unset_values_pass() -> None:
    require_minimums(_Settings(count=1, weight=0.0, limit=None), {"count": 1, "weight": 0, "limit": 1})


@pytest.mark.parametrize(("settings", "message"), [
    (_Settings(count=0), "_Settings.count must be at least 1, not 0"),
    (_Settings(weight=-0.5), "_Settings.weight must be at least 0, not -0.5"),
    (_Settings(weight=float("nan")), "_Settings.weight must be at least 0, not nan"),
    (_Settings(limit=0), "_Settings.limit must be at least 1, not 0"),
])
def test_a_value_below_its_least_is_refused_by_name(settings: _Settings, message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        require_minimums(settings, {"count": 1, "weight": 0, "limit": 1})
    assert str(excinfo.value) == message


@pytest.mark.parametrize(("make", "field"), [
    (lambda: EnvConfig(max_text_length=15), "EnvConfig.max_text_length"),
    (lambda: EnvConfig(max_steps=0), "EnvConfig.max_steps"),
    (lambda: EnvConfig(chance_draws=0), "EnvConfig.chance_draws"),
    (lambda: RepairConfig(rounds=-1), "RepairConfig.rounds"),
    (lambda: RepairConfig(width=0), "RepairConfig.width"),
    (lambda: RepairConfig(max_calls=0), "RepairConfig.max_calls"),
    (lambda: RepairConfig(exploration=-0.1), "RepairConfig.exploration"),
    (lambda: RepairConfig(resamples=-1), "RepairConfig.resamples"),
])
def test_configs_name_the_field_they_refuse(make, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        make()
