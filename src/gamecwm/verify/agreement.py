"""Agreement tier: transition accuracy against the reference, state by state.

Two directions: histories played by the reference and replayed on the candidate, and walks chosen by
the candidate replayed on the reference. At each state the player to move, terminal status, legal
action set, rewards and chance distribution must match. The score is the fraction of agreeing states;
a history stops counting at its first disagreement, which is reported with the actions that lead to it.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from gamecwm.verify import drivers
from gamecwm.verify.compare import SHOWN_ACTIONS, compare_records
from gamecwm.verify.plan import ReferencePlan
from gamecwm.verify.report import Check

def describe(history: list[str], problem: str) -> str:
    """A problem with the (shortened) history that reaches it."""
    shown = history if len(history) <= 2 * SHOWN_ACTIONS else ["..."] + history[-2 * SHOWN_ACTIONS:]
    return f"after {len(history)} actions {shown}: {problem}"


def agreeing_prefix(ref_steps: list[dict], cand_steps: list[dict], cand_error: str | None,
                    history: list[str]) -> tuple[int, Check | None]:
    """Number of agreeing states along a replayed history, and a failed check for the first problem."""
    for index, ref_step in enumerate(ref_steps):
        if index >= len(cand_steps):
            problem = cand_error or "the candidate stopped"
            return index, Check("", False, describe(history[:index], problem), history=history[:index + 1])
        problem = compare_records(ref_step, cand_steps[index])
        if problem:
            return index, Check("", False, describe(history[:index], problem), history=history[:index],
                                expected=_facts(ref_step), actual=_facts(cand_steps[index]))
    return len(ref_steps), None


def _facts(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in ("player", "legal", "rewards", "chance") if key in record}


def replay_on_reference(reference: ModuleType, actions: list[str]) -> dict[str, Any]:
    """The reference's full records along a history (stopping where it refuses an action)."""
    request = {"actions": actions, "full": "all", "observations": False, "probes": {}, "branches": {}}
    return drivers.query(reference, [request])[0]


def walk_references(plan: ReferencePlan, reference: ModuleType, walks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reference's records along each of the candidate's walks (the plan's own walk where the actions match)."""
    traces = []
    for walk, own in zip(walks, plan.reference_walks):
        actions = [step["action"] for step in walk["steps"] if "action" in step]
        own_actions = [step["action"] for step in own["steps"] if "action" in step]
        if own["error"] is None and actions == own_actions[: len(actions)]:
            traces.append({"steps": own["steps"][: len(actions) + 1], "error": None})
        else:
            traces.append(replay_on_reference(reference, actions))
    return traces


def replay_agreement(plan: ReferencePlan, answers: list[dict[str, Any]] | None) -> dict[int, tuple[int, Check | None]]:
    """For each request replaying reference play: the states the candidate agrees on from the start, and the
    first disagreement (empty when the candidate gave no answers)."""
    if answers is None:
        return {}
    return {index: agreeing_prefix(plan.reference_answers[index]["steps"], answers[index]["steps"],
                                   answers[index]["error"], plan.requests[index]["actions"])
            for index in plan.reference_play}


def judge_agreement(plan: ReferencePlan, replayed: dict[int, tuple[int, Check | None]], answers_missing: bool,
                    walks: list[dict[str, Any]] | None, references: list[dict[str, Any]]) -> tuple[float, list[Check]]:
    """Score and checks from the candidate's replays of reference play (`replay_agreement`) and its own walks.

    `references` holds the reference's records along each walk (`walk_references`).
    """
    agreeing = sum(replayed[index][0] for index in plan.reference_play if index in replayed)
    total = sum(len(plan.reference_answers[index]["steps"]) for index in plan.reference_play)
    first = next((replayed[i][1] for i in plan.reference_play if i in replayed and replayed[i][1] is not None), None)
    if answers_missing:
        first = Check("", False, "the candidate did not finish replaying the reference's play")
    reference_check = named("reference_driven_play_agrees", first)

    walk_agreeing = walk_total = 0
    walk_first: Check | None = None
    if walks is None:
        walk_first = Check("", False, "the candidate did not finish its own playouts")
        walk_total = max(1, plan.reference_walk_steps)
    else:
        for walk, reference_walk, ref_trace in zip(walks, plan.reference_walks, references):
            actions = [step["action"] for step in walk["steps"] if "action" in step]
            count, problem = agreeing_prefix(ref_trace["steps"], walk["steps"], walk["error"], actions)
            if ref_trace["error"] and problem is None:
                problem = Check("", False, describe(actions, f"the reference refuses the candidate's move "
                                                              f"({ref_trace['error']})"), history=actions)
            walk_agreeing += count
            walk_total += max(len(walk["steps"]), len(reference_walk["steps"]))
            walk_first = walk_first or problem
    walk_check = named("candidate_driven_play_agrees", walk_first)
    score = (agreeing + walk_agreeing) / max(1, total + walk_total)
    return score, [reference_check, walk_check]


def named(name: str, failure: Check | None) -> Check:
    """A passed check of that name, or the failure renamed to it."""
    if failure is None:
        return Check(name, True)
    failure.name = name
    return failure
