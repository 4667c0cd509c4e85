"""Agreement tier: transition accuracy against the reference, step by step.

Two directions: histories played by the reference and replayed on the candidate, and walks chosen by
the candidate replayed on the reference. At each state the player to move, terminal status, legal
action set, rewards and chance distribution must match. The score is the fraction of agreeing steps;
a history stops counting at its first disagreement, which is reported with the actions that lead to it.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from gamecwm.verify import drivers
from gamecwm.verify.plan import ReferencePlan
from gamecwm.verify.report import Check

REWARD_TOLERANCE = 1e-6
PROBABILITY_TOLERANCE = 1e-6
SHOWN_ACTIONS = 8


def compare_records(reference: dict[str, Any], candidate: dict[str, Any]) -> str | None:
    """What differs between the reference's and the candidate's record of the same state, if anything."""
    if candidate["player"] != reference["player"]:
        return f"player to move is {candidate['player']}, expected {reference['player']}"
    ref_legal, cand_legal = set(reference["legal"]), set(candidate["legal"])
    if ref_legal != cand_legal or len(candidate["legal"]) != len(cand_legal):
        missing = sorted(ref_legal - cand_legal)[:SHOWN_ACTIONS]
        extra = sorted(cand_legal - ref_legal)[:SHOWN_ACTIONS]
        duplicated = len(candidate["legal"]) != len(cand_legal)
        return f"legal actions differ: missing {missing}, unexpected {extra}" + (", duplicates" if duplicated else "")
    if candidate.get("rewards") is None:
        return candidate.get("rewards_problem", "rewards missing")
    if any(abs(a - b) > REWARD_TOLERANCE for a, b in zip(candidate["rewards"], reference["rewards"])):
        return f"rewards {candidate['rewards']}, expected {reference['rewards']}"
    if reference["player"] == -1:
        ref_chance, cand_chance = reference.get("chance") or {}, candidate.get("chance") or {}
        if cand_chance.keys() != ref_chance.keys() or any(
            abs(cand_chance[a] - ref_chance[a]) > PROBABILITY_TOLERANCE for a in ref_chance
        ):
            return candidate.get("chance_problem") or "chance probabilities differ from the reference"
    return None


def _describe(history: list[str], problem: str) -> str:
    shown = history if len(history) <= 2 * SHOWN_ACTIONS else ["..."] + history[-2 * SHOWN_ACTIONS:]
    return f"after {len(history)} actions {shown}: {problem}"


def _agreeing_prefix(ref_steps: list[dict], cand_trace: dict, history: list[str]) -> tuple[int, str | None]:
    """Number of agreeing states along a replayed history, and the first problem."""
    cand_steps = cand_trace["steps"]
    for index, ref_step in enumerate(ref_steps):
        if index >= len(cand_steps):
            return index, _describe(history[:index], cand_trace.get("error") or "the candidate stopped")
        problem = compare_records(ref_step, cand_steps[index])
        if problem:
            return index, _describe(history[:index], problem)
    return len(ref_steps), None


def judge_agreement(
    plan: ReferencePlan,
    reference: ModuleType,
    replays: list[dict[str, Any]] | None,
    walks: list[dict[str, Any]] | None,
) -> tuple[float, list[Check]]:
    """Score and checks from the candidate's replays of reference histories and its own walks."""
    agreeing = total = 0
    first_problem = None
    if replays is None:
        first_problem = "the candidate did not finish replaying the reference histories"
        total += sum(len(t["steps"]) for t in plan.reference_traces)
    else:
        for history, ref_trace, cand_trace in zip(plan.reference_histories, plan.reference_traces, replays):
            count, problem = _agreeing_prefix(ref_trace["steps"], cand_trace, history)
            agreeing += count
            total += len(ref_trace["steps"])
            first_problem = first_problem or problem
    reference_check = Check("reference_driven_play_agrees", first_problem is None, first_problem or "")

    walk_problem = None
    walk_agreeing = walk_total = 0
    if walks is None:
        walk_problem = "the candidate did not finish its own playouts"
        walk_total = max(1, plan.reference_walk_steps)
    else:
        for walk, stream in zip(walks, plan.streams):
            actions = [step["action"] for step in walk["steps"] if "action" in step]
            forged = _forged_choice(walk, stream)
            if forged:
                walk_problem = walk_problem or forged
                walk_total += len(walk["steps"])
                continue
            ref_trace = drivers.replay(reference, [actions])[0]
            count, problem = _agreeing_prefix(ref_trace["steps"], walk, actions)
            if ref_trace["error"] and problem is None:
                problem = _describe(actions, f"the reference refuses the candidate's move ({ref_trace['error']})")
            walk_agreeing += count
            walk_total += len(walk["steps"])
            walk_problem = walk_problem or problem
    walk_check = Check("candidate_driven_play_agrees", walk_problem is None, walk_problem or "")
    score = (agreeing + walk_agreeing) / max(1, total + walk_total)
    return score, [reference_check, walk_check]


def _forged_choice(walk: dict[str, Any], stream: list[float]) -> str | None:
    """The walk's actions must be the ones the parent's choice stream selects from the recorded legal lists."""
    for index, step in enumerate(walk["steps"]):
        if "action" not in step:
            continue
        expected = drivers.choose_action(step, stream[index % len(stream)]) if step["legal"] else None
        if step["action"] != expected:
            return f"step {index}: the trace's action {step['action']!r} is not the one the choice stream selects"
    return None
