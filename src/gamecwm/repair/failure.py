"""The most informative failure in a verification report, with the history that shows it and what the
reference does after that history (the expected outcome; the check's message says what the candidate did).

Every failed check carries its evidence as data (`Check.history`, the actions from the initial state that
reach the failure); nothing here reads the human-readable message.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gamecwm.games import load_reference
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID
from gamecwm.verify.agreement import replay_on_reference
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.plan import build_plan
from gamecwm.verify.report import Report

SHOWN_LEGAL_ACTIONS = 24


@dataclass(frozen=True)
class Failure:
    """One failed check, the actions that reach it (None when it has none) and the reference's outcome there."""

    tier: str
    check: str
    message: str
    history: list[str] | None = None
    expected: str | None = None
    scenario: str | None = None  # the scenario's description, for a failed scenario

    def to_json(self) -> dict[str, Any]:
        """Plain-data form, recorded with every repaired version."""
        return asdict(self)


def _player_text(player: Any) -> str:
    if player == TERMINAL_PLAYER_ID:
        return "the game is over"
    if player == CHANCE_PLAYER_ID:
        return "a chance node"
    return f"player {player} to move"


def reference_outcome(game: str, history: list[str]) -> str:
    """What the reference implementation shows after `history`: the player to move, legal actions, rewards,
    chance probabilities, or which action it refuses."""
    trace = replay_on_reference(load_reference(game), history)
    if trace["error"]:
        return f"the reference {trace['error'].replace('apply_action refused', 'refuses')} (that action is illegal there)"
    step = trace["steps"][-1]
    legal = sorted(step["legal"])
    shown = legal[:SHOWN_LEGAL_ACTIONS] + ([f"... {len(legal) - SHOWN_LEGAL_ACTIONS} more"]
                                          if len(legal) > SHOWN_LEGAL_ACTIONS else [])
    parts = [_player_text(step["player"]), f"legal actions {shown}", f"rewards {step['rewards']}"]
    if step["player"] == CHANCE_PLAYER_ID and step.get("chance"):
        parts.append(f"chance outcomes {step['chance']}")
    return "; ".join(parts)


def most_informative_failure(report: Report, seed: int = 0, config: VerifyConfig | None = None) -> Failure | None:
    """The first failing check of the lowest tier, with its history and the reference's outcome there.

    None when nothing failed or the report is an infrastructure failure (it says nothing about the program).
    """
    if report.infrastructure_failure:
        return None
    failed = report.failed_checks()
    if not failed:
        if report.error:
            return Failure("sandbox", "runs_to_completion", report.error)
        return None
    tier, check = failed[0]
    history = check.history
    expected = reference_outcome(report.game, history) if history is not None else None
    scenario = None
    if tier == "scenarios":
        plan = build_plan(report.game, seed, config or VerifyConfig())
        scenario = next((q.scenario["description"] for q in plan.scenarios if q.scenario["name"] == check.name), None)
    return Failure(tier, check.name, check.message, history, expected, scenario)
