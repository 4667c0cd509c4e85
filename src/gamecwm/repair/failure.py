"""The most informative failure in a verification report, with the history that shows it and what the
reference does after that history (the expected outcome; the check's message says what the candidate did).

The verifier's messages name the failing history as a Python list after the word "after" (agreement
and scenario messages, property messages from the candidate's walks, resample probes). Long histories
are shortened to their tail there; a shortened history is recovered from the reference's own playouts
when it is one of them, and otherwise reported as shortened.
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass
from typing import Any

from gamecwm.games import load_reference
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID
from gamecwm.verify import drivers
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.plan import build_plan
from gamecwm.verify.report import Report

_HISTORY_START = re.compile(r"\bafter (?:(?P<length>\d+) actions )?(?=\[)")
_ELLIPSIS = "..."
SHOWN_LEGAL_ACTIONS = 24


@dataclass(frozen=True)
class Failure:
    """One failed check, the actions that reach it (None when it has none) and the reference's outcome there."""

    tier: str
    check: str
    message: str
    history: list[str] | None = None
    history_complete: bool = True
    expected: str | None = None
    scenario: str | None = None  # the scenario's description, for a failed scenario

    def to_json(self) -> dict[str, Any]:
        """Plain-data form, recorded with every repaired version."""
        return asdict(self)


def history_in_message(message: str) -> tuple[list[str] | None, int | None]:
    """The first action history a check message names, and the full length it states (if it does)."""
    for match in _HISTORY_START.finditer(message):
        start = match.end()
        end = message.find("]", start)
        while end != -1:
            try:
                value = ast.literal_eval(message[start:end + 1])
            except (SyntaxError, ValueError):
                end = message.find("]", end + 1)
                continue
            if isinstance(value, list) and all(isinstance(a, str) for a in value):
                length = int(match["length"]) if match["length"] else None
                return value, length
            break
    return None, None


def _recover(tail: list[str], length: int | None, game: str, seed: int, config: VerifyConfig) -> list[str] | None:
    """The full history whose shown tail is `tail`, when it is a prefix of one of the reference's playouts."""
    if length is None or length < len(tail):
        return None
    for history in build_plan(game, seed, config).reference_histories:
        if len(history) >= length and history[length - len(tail):length] == tail:
            return history[:length]
    return None


def _player_text(player: Any) -> str:
    if player == TERMINAL_PLAYER_ID:
        return "the game is over"
    if player == CHANCE_PLAYER_ID:
        return "a chance node"
    return f"player {player} to move"


def reference_outcome(game: str, history: list[str]) -> str:
    """What the reference implementation shows after `history`: the player to move, legal actions, rewards,
    chance probabilities, or which action it refuses."""
    trace = drivers.replay(load_reference(game), [history])[0]
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
    history, length = history_in_message(check.message)
    complete = history is not None and (not history or history[0] != _ELLIPSIS)
    if history is not None and not complete:
        recovered = _recover(history[1:], length, report.game, seed, config or VerifyConfig())
        if recovered is not None:
            history, complete = recovered, True
    expected = reference_outcome(report.game, history) if history is not None and complete else None
    scenario = None
    if tier == "scenarios":
        plan = build_plan(report.game, seed, config or VerifyConfig())
        scenario = next((s["description"] for s in plan.scenarios if s["name"] == check.name), None)
    return Failure(tier, check.name, check.message, history, complete, expected, scenario)
