"""Outcomes tier: complete games end when and as the reference's do.

Judged on whole games, not on states: reference games played to their end (random, steered to take a
scoring ending when one is a move away, and the scenarios that play a game to its end), and the
candidate's own walks that end, or should have ended, replayed on the reference. A game counts when
the candidate declares it over exactly where the reference does, with the same returns. The tier's
score is the mean, over the ways the reference's games end (their returns), of the fraction of games
that end right, and it multiplies the overall score (see `gamecwm.verify.config`): a wrong winner,
constant rewards or a game that never ends fails nearly every game.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from gamecwm.protocol import TERMINAL_PLAYER_ID
from gamecwm.verify.agreement import describe, named
from gamecwm.verify.compare import REWARD_TOLERANCE, close
from gamecwm.verify.plan import ReferencePlan
from gamecwm.verify.report import Check


def _first_terminal(steps: list[dict[str, Any]]) -> int | None:
    return next((i for i, step in enumerate(steps) if step["player"] == TERMINAL_PLAYER_ID), None)


def _ending_problem(ref_steps: list[dict[str, Any]], cand_steps: list[dict[str, Any]], cand_error: str | None,
                    actions: list[str]) -> Check | None:
    """Why the candidate's game does not end as the reference's (None when it does)."""
    end = _first_terminal(ref_steps)
    if end is None:
        return None
    cand_end = _first_terminal(cand_steps[: end + 1])
    if cand_end is not None and cand_end < end:
        return Check("", False, describe(actions[:cand_end], "the candidate ends the game here; the reference "
                                                            f"plays on for {end - cand_end} more actions"),
                     history=actions[:cand_end], expected={"player": ref_steps[cand_end]["player"]},
                     actual={"player": TERMINAL_PLAYER_ID})
    if end >= len(cand_steps):
        return Check("", False, describe(actions[: len(cand_steps)], cand_error or "the candidate stopped before "
                                         "the end of the game"), history=actions[:end])
    if cand_end is None:
        return Check("", False, describe(actions[:end], "the game is over here, but the candidate plays on "
                                         f"(player {cand_steps[end]['player']} to move)"),
                     history=actions[:end], expected={"player": TERMINAL_PLAYER_ID},
                     actual={"player": cand_steps[end]["player"]})
    expected, actual = ref_steps[end]["rewards"], cand_steps[end].get("rewards")
    if actual is None or not all(close(a, b, REWARD_TOLERANCE) for a, b in zip(actual, expected)):
        shown = actual if actual is not None else cand_steps[end].get("problem", {}).get("rewards")
        return Check("", False, describe(actions[:end], f"the game ends with returns {shown}, expected {expected}"),
                     history=actions[:end], expected={"rewards": expected}, actual={"rewards": actual})
    return None


def judge_outcomes(plan: ReferencePlan, answers: list[dict[str, Any]] | None, walks: list[dict[str, Any]] | None,
                   walk_references: list[dict[str, Any]]) -> tuple[float, list[Check]]:
    """Score and checks from the candidate's answers on complete games and on its own ended walks.

    Games are grouped by how the reference says they end (its returns); the score is the mean over those
    endings of the fraction of games that end right, so every way the game ends weighs the same however
    often random play reaches it. `walk_references` holds the reference's records along each walk.
    """
    by_ending: dict[tuple[float, ...], list[bool]] = defaultdict(list)
    first: Check | None = None
    for index in plan.complete_games:
        ref_steps = plan.reference_answers[index]["steps"]
        ending = tuple(ref_steps[-1]["rewards"])
        if answers is None:
            by_ending[ending].append(False)
            continue
        answer = answers[index]
        problem = _ending_problem(ref_steps, answer["steps"], answer["error"], plan.requests[index]["actions"])
        by_ending[ending].append(problem is None)
        first = first or problem
    if answers is None:
        first = Check("", False, "the candidate did not finish replaying the complete games")
    complete_check = named("complete_games_end_as_the_reference", first)

    walk_first: Check | None = None
    if walks is None:
        walk_first = Check("", False, "the candidate did not finish its own playouts")
    else:
        for walk, ref_trace in zip(walks, walk_references):
            actions = [step["action"] for step in walk["steps"] if "action" in step]
            ref_end = _first_terminal(ref_trace["steps"])
            if ref_end is None:
                if ref_trace["error"] is not None or _first_terminal(walk["steps"]) is None:
                    continue  # not over in the game, or the candidate's move is illegal there (an agreement failure)
                end = _first_terminal(walk["steps"])
                problem: Check | None = Check("", False, describe(actions[:end], "the candidate ends the game here; "
                                                                  "the reference does not"), history=actions[:end])
                ending: tuple[float, ...] = ("not over",)  # type: ignore[assignment]
            else:
                problem = _ending_problem(ref_trace["steps"], walk["steps"], walk["error"], actions)
                ending = tuple(ref_trace["steps"][ref_end]["rewards"])
            by_ending[ending].append(problem is None)
            walk_first = walk_first or problem
    walk_check = named("own_games_end_as_the_reference", walk_first)
    fractions = [sum(results) / len(results) for results in by_ending.values()]
    score = sum(fractions) / len(fractions) if fractions else 0.0
    if walks is None or answers is None:
        score = 0.0
    return score, [complete_check, walk_check]
