"""Comparing a candidate's record of a state with the reference's, field by field (never true for NaN)."""

from __future__ import annotations

from typing import Any

REWARD_TOLERANCE = 1e-6
PROBABILITY_TOLERANCE = 1e-6
SHOWN_ACTIONS = 8


def close(first: float, second: float, tolerance: float) -> bool:
    """True when two numbers differ by at most `tolerance` (never for NaN)."""
    return abs(first - second) <= tolerance


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
    if candidate["rewards"] is None:
        return candidate["problem"].get("rewards", "rewards missing")
    if not all(close(a, b, REWARD_TOLERANCE) for a, b in zip(candidate["rewards"], reference["rewards"])):
        return f"rewards {candidate['rewards']}, expected {reference['rewards']}"
    if reference["player"] == -1:
        ref_chance, cand_chance = reference.get("chance") or {}, candidate.get("chance") or {}
        if cand_chance != ref_chance and (cand_chance.keys() != ref_chance.keys() or not all(
            close(cand_chance[a], ref_chance[a], PROBABILITY_TOLERANCE) for a in ref_chance
        )):
            return candidate["problem"].get("chance") or "chance probabilities differ from the reference"
    return None
