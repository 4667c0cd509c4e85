"""Static tier: the code imports, defines every protocol function, and answers with the right types.

The score counts only what the candidate's answers show (it imported, and its records of the initial
state have the protocol's types). What only its own process can see (which functions the module
defines, whether the state is a dict, the type of a player name) is reported as diagnostics: a
failed diagnostic fails the verdict, but no diagnostic adds to the score.
"""

from __future__ import annotations

from typing import Any

from gamecwm.protocol import required_functions
from gamecwm.verify.report import Check


def judge_static(probe: dict[str, Any] | None, import_error: str | None, imperfect_information: bool,
                 initial: dict[str, Any] | None, initial_error: str | None = None) -> tuple[float, list[Check]]:
    """Score and checks from the import outcome, the static probe and the candidate's record of the initial state
    (`initial_error`: why the candidate could not answer about it, when it could not)."""
    if import_error is not None:
        return 0.0, [Check("imports", False, import_error)]
    scored = [Check("imports", True)]
    if initial is None:
        reason = f": {initial_error}" if initial_error else ""
        scored.append(Check("initial_state_runs", False,
                            f"the candidate gave no answers about its initial state{reason}", history=[]))
    else:
        player = initial["player"]
        problems = initial["problem"]
        scored += [
            Check("initial_state_runs", True),
            Check("current_player_is_valid", player in (0, 1, -1, -4),
                  f"get_current_player returned {player!r}; expected 0, 1, -1 (chance) or -4 (terminal)"),
            Check("legal_actions_are_strings", "legal" not in problems,
                  problems.get("legal", "") + "; get_legal_actions must return a list of strings"),
            Check("rewards_are_two_numbers", "rewards" not in problems, problems.get("rewards", "")),
            Check("observations_are_a_pair", "obs" not in problems,
                  "get_observations must return [obs_player0, obs_player1]"),
        ]
    score = sum(c.passed for c in scored) / len(scored)
    return score, scored + _diagnostics(probe, imperfect_information)


def _diagnostics(probe: dict[str, Any] | None, imperfect_information: bool) -> list[Check]:
    if probe is None:
        return [Check("protocol_functions", False, "the static probe did not run")]
    checks = []
    for name in required_functions(imperfect_information):
        mine = [p for p in probe["problems"] if name in p]
        checks.append(Check(f"defines_{name}", not mine, "; ".join(mine)))
    if probe["problems"]:
        return checks
    if probe["error"]:
        return checks + [Check("initial_state_runs_in_process", False, probe["error"])]
    return checks + [
        Check("initial_state_is_dict", probe["state_is_dict"], "get_initial_state must return a dict"),
        Check("player_name_is_text", probe["player_name_is_str"], "get_player_name must return a string"),
    ]
