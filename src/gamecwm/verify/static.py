"""Static tier: the code imports, defines every protocol function, and returns the right types."""

from __future__ import annotations

from typing import Any

from gamecwm.protocol import required_functions
from gamecwm.verify.report import Check


def judge_static(probe: dict[str, Any] | None, import_error: str | None, imperfect_information: bool) -> list[Check]:
    """Checks from the sandbox's import outcome and the `static_probe` driver's result."""
    if import_error is not None:
        return [Check("imports", False, import_error)]
    checks = [Check("imports", True)]
    if probe is None:
        return checks + [Check("protocol_functions", False, "the static probe did not run")]
    problems = probe.get("problems", [])
    for name in required_functions(imperfect_information):
        mine = [p for p in problems if name in p]
        checks.append(Check(f"defines_{name}", not mine, "; ".join(mine)))
    if problems:
        return checks
    initial = probe.get("initial", {})
    if initial.get("error"):
        return checks + [Check("initial_state_runs", False, f"calling the API on the initial state: {initial['error']}")]
    player = initial.get("player")
    checks += [
        Check("initial_state_is_dict", bool(initial.get("state_is_dict")), "get_initial_state must return a dict"),
        Check(
            "current_player_is_valid",
            player in (0, 1, -1, -4),
            f"get_current_player returned {player!r}; expected 0, 1, -1 (chance) or -4 (terminal)",
        ),
        Check("legal_actions_are_strings", bool(initial.get("legal_is_list_of_str")),
              "get_legal_actions must return a list of strings"),
        Check("rewards_are_two_numbers", initial.get("rewards_problem") is None, str(initial.get("rewards_problem"))),
        Check("observations_are_a_pair", bool(initial.get("observations_are_pair")),
              "get_observations must return [obs_player0, obs_player1]"),
        Check("player_name_is_text", bool(initial.get("player_name_is_str")), "get_player_name must return a string"),
    ]
    return checks
