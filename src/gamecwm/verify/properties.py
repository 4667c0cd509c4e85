"""Protocol-properties tier: what any correct GameCWM satisfies, decided from its answers in this process.

Evidence comes from the candidate-driven walks. Immutability and determinism are decided by
comparing answers, never by the worker's word: another legal action applied to a state the game has
already gone on from must give what the reference gives there (no mutation: a program that changed
its input answers from a corrupted state), and a second worker with another hash seed must answer the
same questions the same way (deterministic, in every process). A property only counts as passed when the walks exercised
it (a program that ends at once has no states to violate a property in, and earns nothing for that),
and the tier's score is scaled by how much of the reference's play the walks covered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gamecwm.protocol import CHANCE_PLAYER_ID, PROBABILITY_TOLERANCE, TERMINAL_PLAYER_ID
from gamecwm.verify.compare import compare_records
from gamecwm.verify.report import Check

if TYPE_CHECKING:
    from gamecwm.verify.plan import ReferencePlan

PROPERTIES = (
    "no_exceptions",
    "no_mutation",
    "deterministic",
    "legal_actions_unique_strings",
    "nonterminal_has_legal_actions",
    "terminal_has_no_legal_actions",
    "chance_outcomes_valid",
    "rewards_two_finite_numbers",
    "observations_are_a_pair",
    "ends_within_length_limit",
)
COMPARED_FIELDS = ("player", "legal", "rewards", "chance", "obs")  # what a second worker must answer alike


class Evidence:
    """For each property: how often it was exercised, and the first violation seen with its history."""

    def __init__(self) -> None:
        self.exercised = {name: 0 for name in PROPERTIES}
        self.violation: dict[str, tuple[str, list[str] | None]] = {}

    def saw(self, name: str, ok: bool, message: str, history: list[str] | None = None) -> None:
        """Count one test of a property, and keep its first failure."""
        self.exercised[name] += 1
        if not ok and name not in self.violation:
            self.violation[name] = (message, history)


def answers_differ(first: dict[str, Any], second: dict[str, Any]) -> str | None:
    """The first field in which two records of what should be the same state differ (None when they agree)."""
    for name in COMPARED_FIELDS:
        if name in first and name in second and first[name] != second[name]:
            return name
    return None


def collect_evidence(walks: list[dict[str, Any]], walk_reaches_limit: bool, max_game_length: int,
                     has_chance: bool) -> tuple[Evidence, int]:
    """What a set of walks exercised and violated, and how many actions they played."""
    evidence = Evidence()
    steps_played = 0
    for number, walk in enumerate(walks):
        history: list[str] = []
        for step in walk["steps"]:
            _state_properties(step, evidence, f"walk {number} after {_tail(history)}", list(history))
            if "action" in step:
                history.append(step["action"])
        steps_played += len(history)
        where = f"walk {number} after {_tail(history)}"
        evidence.saw("no_exceptions", walk["error"] is None, f"{where}: {walk['error']}", history)
        ended = bool(walk["steps"]) and walk["steps"][-1]["player"] == TERMINAL_PLAYER_ID
        if walk_reaches_limit and walk["error"] is None and history:
            evidence.saw("ends_within_length_limit", ended,
                         f"{where}: not over after {len(history)} actions (the game's limit is {max_game_length})",
                         history)
        elif ended and history:
            evidence.saw("ends_within_length_limit", True, "")
    if not has_chance:
        evidence.exercised["chance_outcomes_valid"] += 1  # nothing to exercise in a game without chance
    return evidence, steps_played


def branch_evidence(evidence: Evidence, plan: ReferencePlan, answers: list[dict[str, Any]] | None,
                    agreeing: dict[int, int]) -> None:
    """No mutation: another legal action applied to an earlier state, once the history went on from it.

    A branch is judged against the reference only where the candidate's own play agreed with it past
    that state (`agreeing` maps a request to its number of agreeing states) and where the candidate
    answers the same branch, asked fresh from the initial state, as the reference does: so a rules
    error is left to the agreement tier and never taken for a mutation.
    """
    if answers is None:
        return
    for index, step, action, twin in plan.branch_twins:
        if int(step) + 2 > agreeing.get(index, 0):
            continue
        fresh = answers[twin]["steps"]
        reference_fresh = plan.reference_answers[twin]["steps"][-1]
        if len(fresh) < int(step) + 2 or compare_records(reference_fresh, fresh[-1]) is not None:
            continue
        mine = next((r for r in answers[index]["branched"].get(step, []) if r["action"] == action), None)
        if mine is None:
            continue  # the history itself failed later on, so nothing was branched: the agreement tier's failure
        actions = plan.requests[index]["actions"]
        prefix = actions[: int(step)]
        problem = mine["error"] or compare_records(reference_fresh, mine["record"])
        evidence.saw("no_mutation", problem is None,
                     f"applying {action!r} to the state after {_tail(prefix)}, once the game had gone on from it "
                     f"with {actions[int(step)]!r}: {problem}; asked from the initial state it answers correctly "
                     "(apply_action changed its input)", prefix + [action])


def cross_worker_evidence(evidence: Evidence, first: list[tuple[list[str], list[dict[str, Any]] | None]],
                          second: list[list[dict[str, Any]]] | None, second_problem: str | None) -> None:
    """Compare a second worker's records (another hash seed) with the first's, state by state (`first` holds
    what the second was asked: the same histories, the walks cut at its step limit)."""
    if second is None:
        evidence.saw("deterministic", False, f"a second worker with another hash seed did not finish: {second_problem}")
        return
    for (actions, steps), other in zip(first, second):
        if steps is None:
            continue  # the first worker's queries failed as a whole: the agreement tier's failure
        if len(other) != len(steps):
            evidence.saw("deterministic", False,
                         f"along {_tail(actions)}: a second worker with another hash seed answers {len(other)} states "
                         f"where the first answers {len(steps)}: the program depends on its process", actions)
            return
        for index, (a, b) in enumerate(zip(steps, other)):
            changed = answers_differ(a, b)
            evidence.saw("deterministic", changed is None,
                         f"after {_tail(actions[:index])}: a second worker with another hash seed answers "
                         f"differently ({changed}): the program depends on its process", actions[:index])
            if changed:
                return


def judge_properties(plan: ReferencePlan, walks: list[dict[str, Any]] | None,
                     evidence: Evidence | None = None, steps_played: int = 0) -> tuple[float, list[Check]]:
    """Score and one check per property from the evidence of the candidate's walks (and the second worker).

    A property the candidate never exercised fails when the reference's walks on the same choice streams
    did exercise it; one that neither exercised (a terminal state beyond the step budget, say) is not
    held against the candidate.
    """
    if walks is None or evidence is None:
        return 0.0, [Check(name, False, "the candidate's playouts did not complete") for name in PROPERTIES]
    checks = []
    for name in PROPERTIES:
        if name in evidence.violation:
            message, history = evidence.violation[name]
            checks.append(Check(name, False, message, history=history))
        elif evidence.exercised[name] == 0 and name in plan.reference_exercised:
            checks.append(Check(name, False, "never exercised: the candidate's play never reached a state that tests it"))
        else:
            checks.append(Check(name, True))
    coverage = min(1.0, steps_played / max(1, plan.reference_walk_steps))
    score = coverage * sum(c.passed for c in checks) / len(checks)
    return score, checks


def _tail(history: list[str]) -> str:
    return str(history if len(history) <= 12 else ["..."] + history[-12:])


def _state_properties(step: dict[str, Any], evidence: Evidence, where: str, history: list[str]) -> None:
    player = step["player"]
    legal = step["legal"]
    problems = step["problem"]
    if legal:
        problem = problems.get("legal") or ("duplicate legal actions" if len(set(legal)) != len(legal) else None)
        evidence.saw("legal_actions_unique_strings", problem is None, f"{where}: {problem}", history)
    if player == TERMINAL_PLAYER_ID:
        evidence.saw("terminal_has_no_legal_actions", not legal, f"{where}: terminal state lists {legal[:5]}", history)
    elif player in (0, 1, CHANCE_PLAYER_ID):
        evidence.saw("nonterminal_has_legal_actions", bool(legal), f"{where}: player {player} has no legal action",
                     history)
    else:
        evidence.saw("nonterminal_has_legal_actions", False, f"{where}: invalid player id {player!r}", history)
    if player == CHANCE_PLAYER_ID:
        chance = step.get("chance")
        problem = problems.get("chance")
        if chance is not None and problem is None:
            total = sum(chance.values())
            if not abs(total - 1.0) <= PROBABILITY_TOLERANCE:
                problem = f"chance probabilities sum to {total}"
            elif not all(p >= 0 for p in chance.values()):
                problem = "negative chance probability"
            elif set(chance) != set(legal):
                problem = "chance outcomes differ from the legal actions"
        evidence.saw("chance_outcomes_valid", problem is None, f"{where}: {problem}", history)
    evidence.saw("rewards_two_finite_numbers", step["rewards"] is not None, f"{where}: {problems.get('rewards')}",
                 history)
    evidence.saw("observations_are_a_pair", "obs" not in problems, f"{where}: {problems.get('obs')}", history)
