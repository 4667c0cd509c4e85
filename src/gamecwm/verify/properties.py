"""Protocol-properties tier: what any correct GameCWM satisfies, checked on the candidate's own play.

Evidence comes from the candidate-driven walks. A property only counts as passed when the walks
actually exercised it (a program that ends at once has no states to violate a property in, and earns
nothing for that), and the tier's score is scaled by how much of the reference's play the walks covered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gamecwm.protocol import CHANCE_PLAYER_ID, PROBABILITY_TOLERANCE, TERMINAL_PLAYER_ID
from gamecwm.verify.report import Check

if TYPE_CHECKING:
    from gamecwm.verify.plan import ReferencePlan

MUTATION_CHECKED_STEPS = 40  # the walk driver's default number of mutation-checked steps

PROPERTIES = (
    "no_exceptions",
    "no_mutation",
    "deterministic",
    "apply_action_returns_a_dict",
    "legal_actions_unique_strings",
    "nonterminal_has_legal_actions",
    "terminal_has_no_legal_actions",
    "chance_outcomes_valid",
    "rewards_two_finite_numbers",
    "observations_are_a_pair",
    "ends_within_length_limit",
)


class _Evidence:
    """For each property: how often it was exercised and the first violation seen."""

    def __init__(self) -> None:
        self.exercised = {name: 0 for name in PROPERTIES}
        self.violation: dict[str, str] = {}

    def saw(self, name: str, ok: bool, message: str) -> None:
        self.exercised[name] += 1
        if not ok and name not in self.violation:
            self.violation[name] = message


def collect_evidence(walks: list[dict[str, Any]], walk_reaches_limit: bool, max_game_length: int,
                     has_chance: bool) -> tuple[_Evidence, int]:
    """What a set of walks exercised and violated, and how many actions they played."""
    evidence = _Evidence()
    steps_played = 0
    for number, walk in enumerate(walks):
        history: list[str] = []
        for step in walk["steps"]:
            _state_properties(step, evidence, f"walk {number} after {_tail(history)}")
            if "action" in step:
                history.append(step["action"])
        steps_played += len(history)
        where = f"walk {number} after {_tail(history)}"
        evidence.saw("no_exceptions", walk["error"] is None, f"{where}: {walk['error']}")
        for violation in walk["violations"]:
            evidence.saw(violation["property"], False, f"walk {number}, step {violation['step']}: {violation['property']} violated")
        checked_steps = min(len(history), MUTATION_CHECKED_STEPS)
        evidence.exercised["no_mutation"] += checked_steps
        evidence.exercised["deterministic"] += checked_steps
        evidence.exercised["apply_action_returns_a_dict"] += len(history)
        if walk_reaches_limit and walk["error"] is None and history:
            evidence.saw("ends_within_length_limit", walk["ended"],
                         f"{where}: not over after {len(history)} actions (the game's limit is {max_game_length})")
        elif walk["ended"] and history:
            evidence.saw("ends_within_length_limit", True, "")
    if not has_chance:
        evidence.exercised["chance_outcomes_valid"] += 1  # nothing to exercise in a game without chance
    return evidence, steps_played


def judge_properties(plan: ReferencePlan, walks: list[dict[str, Any]] | None) -> tuple[float, list[Check]]:
    """Score and one check per property from the candidate's walks.

    A property the candidate's walks never exercised fails when the reference's walks on the same
    choice streams did exercise it; one that neither exercised (a terminal state beyond the step
    budget, say) is not held against the candidate.
    """
    if walks is None:
        return 0.0, [Check(name, False, "the candidate's playouts did not complete") for name in PROPERTIES]
    evidence, steps_played = collect_evidence(walks, plan.walk_reaches_limit, plan.game.max_game_length,
                                              plan.game.chance)
    checks = []
    for name in PROPERTIES:
        if name in evidence.violation:
            checks.append(Check(name, False, evidence.violation[name]))
        elif evidence.exercised[name] == 0 and name in plan.reference_exercised:
            checks.append(Check(name, False, "never exercised: the candidate's play never reached a state that tests it"))
        else:
            checks.append(Check(name, True))
    coverage = min(1.0, steps_played / max(1, plan.reference_walk_steps))
    score = coverage * sum(c.passed for c in checks) / len(checks)
    return score, checks


def _tail(history: list[str]) -> str:
    return str(history if len(history) <= 12 else ["..."] + history[-12:])


def _state_properties(step: dict[str, Any], evidence: _Evidence, where: str) -> None:
    player = step["player"]
    legal = step["legal"]
    if legal:
        problem = step.get("legal_problem") or ("duplicate legal actions" if len(set(legal)) != len(legal) else None)
        evidence.saw("legal_actions_unique_strings", problem is None, f"{where}: {problem}")
    if player == TERMINAL_PLAYER_ID:
        evidence.saw("terminal_has_no_legal_actions", not legal, f"{where}: terminal state lists {legal[:5]}")
    elif player in (0, 1, CHANCE_PLAYER_ID):
        evidence.saw("nonterminal_has_legal_actions", bool(legal), f"{where}: player {player} has no legal action")
    else:
        evidence.saw("nonterminal_has_legal_actions", False, f"{where}: invalid player id {player!r}")
    if player == CHANCE_PLAYER_ID:
        chance = step.get("chance")
        problem = step.get("chance_problem")
        if chance is not None and problem is None:
            total = sum(chance.values())
            if abs(total - 1.0) > PROBABILITY_TOLERANCE:
                problem = f"chance probabilities sum to {total}"
            elif any(p < 0 for p in chance.values()):
                problem = "negative chance probability"
            elif set(chance) != set(legal):
                problem = "chance outcomes differ from the legal actions"
        evidence.saw("chance_outcomes_valid", problem is None, f"{where}: {problem}")
    evidence.saw("rewards_two_finite_numbers", step.get("rewards") is not None, f"{where}: {step.get('rewards_problem')}")
    evidence.saw("observations_are_a_pair", "obs_problem" not in step, f"{where}: {step.get('obs_problem')}")
