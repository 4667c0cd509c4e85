"""Convention slips: a program that plays the game's rules in another convention than the protocol's.

Spaces or letter case in action strings, other player ids, returns shifted or scaled, or chance resolved
inside `get_initial_state` make every comparison with the reference fail, so such a program would score
like one that implements nothing. Here they are recognised from the candidate's own walks, named in one
line each (what to change), and the walks are judged again in the candidate's convention: the share of
the game right that way, `tolerant`, gives the program `CONVENTION_SHARE x tolerant`, above every
program that does not implement the rules and below a pass (a slip always fails the verdict, since no
planner or tool can use the program as it is).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID
from gamecwm.verify.plan import ReferencePlan
from gamecwm.verify.report import Check

CONVENTION_SHARE = 0.5
MIN_TOLERANT_SHARE = 0.5  # a slip is named only for a program mostly right in its own convention
MAX_CHANCE_PREFIXES = 2000
FIT_TOLERANCE = 1e-6


def normalized(action: str) -> str:
    """An action string without spaces and in lower case."""
    return "".join(action.split()).lower()


@dataclass
class Slips:
    """The conventions in which the candidate differs, and how to read its answers in the protocol's."""

    lines: list[str] = field(default_factory=list)
    normalize: bool = False
    players: dict[int, Any] = field(default_factory=lambda: {0: 0, 1: 1, -1: -1, -4: -4})
    scale: float = 1.0
    shift: float = 0.0


def _legal_key(legal: list[str], normalize: bool) -> frozenset[str]:
    return frozenset(normalized(a) for a in legal) if normalize else frozenset(legal)


def _translate(reference_legal: list[str], action: str, normalize: bool) -> str | None:
    if not normalize:
        return action if action in reference_legal else None
    matches = [a for a in reference_legal if normalized(a) == normalized(action)]
    return matches[0] if len(matches) == 1 else None


def _chance_prefixes(reference: ModuleType) -> list[list[str]]:
    """Every sequence of chance outcomes from the initial state up to the first player decision (bounded)."""
    finished: list[list[str]] = []
    frontier = [([], reference.get_initial_state())]
    while frontier and len(finished) + len(frontier) <= MAX_CHANCE_PREFIXES:
        prefix, state = frontier.pop()
        if reference.get_current_player(state) != CHANCE_PLAYER_ID:
            finished.append(prefix)
            continue
        frontier += [(prefix + [a], reference.apply_action(state, a)) for a in reference.get_legal_actions(state)]
    return finished if not frontier else []


def _tolerant_walk(reference: ModuleType, walk: dict[str, Any], slips: Slips,
                   prefix: list[str]) -> tuple[int, int, bool | None]:
    """(agreeing states, states compared, outcome right or None when the game does not end) in the slips' reading."""
    state = reference.get_initial_state()
    for action in prefix:
        state = reference.apply_action(state, action)
    agreeing = 0
    steps = walk["steps"]
    for index, step in enumerate(steps):
        player = reference.get_current_player(state)
        legal = list(reference.get_legal_actions(state))
        same = (slips.players.get(player) == step["player"] and
                _legal_key(legal, slips.normalize) == _legal_key(step["legal"], slips.normalize))
        if player == TERMINAL_PLAYER_ID:
            rewards = step["rewards"]
            right = same and rewards is not None and all(
                abs(slips.scale * r + slips.shift - c) <= FIT_TOLERANCE for r, c in zip(reference.get_rewards(state), rewards))
            return agreeing + right, len(steps), right
        if not same or "action" not in step:
            return agreeing, len(steps), None if "action" not in step and same else False
        agreeing += 1
        action = _translate(legal, step["action"], slips.normalize)
        if action is None:
            return agreeing, len(steps), False
        state = reference.apply_action(state, action)
    if walk["error"] is not None:
        return agreeing, max(1, len(steps)), False  # a walk that fails before the game ends is not right
    return agreeing, max(1, len(steps)), None


def _fit_returns(reference: ModuleType, walks: list[dict[str, Any]], slips: Slips, prefix: list[str]) -> None:
    """Find returns that are the rules' scaled and shifted, from the candidate's ended walks."""
    pairs: list[tuple[float, float]] = []
    for walk in walks:
        state = reference.get_initial_state()
        for action in prefix:
            state = reference.apply_action(state, action)
        for step in walk["steps"]:
            if reference.get_current_player(state) == TERMINAL_PLAYER_ID:
                if step["player"] == slips.players[TERMINAL_PLAYER_ID] and step["rewards"] is not None:
                    pairs += list(zip(reference.get_rewards(state), step["rewards"]))
                break
            action = _translate(list(reference.get_legal_actions(state)), step.get("action", ""), slips.normalize)
            if action is None:
                break
            state = reference.apply_action(state, action)
    distinct = {r for r, _ in pairs}
    if len(distinct) < 2:
        return
    (r1, c1), (r2, c2) = next((p, q) for p in pairs for q in pairs if p[0] != q[0])
    scale = (c2 - c1) / (r2 - r1)
    shift = c1 - scale * r1
    if scale > 0 and all(abs(scale * r + shift - c) <= FIT_TOLERANCE for r, c in pairs) and (scale, shift) != (1.0, 0.0):
        slips.scale, slips.shift = scale, shift
        slips.lines.append(f"returns are the rules' times {scale:g} plus {shift:g}: get_rewards must return the "
                           "payoffs the rules state")


def diagnose(plan: ReferencePlan, reference: ModuleType, walks: list[dict[str, Any]] | None) -> tuple[Slips, float]:
    """The candidate's convention slips and the share of its walks right in its own convention (0 when none).

    Slips are kept only when that share is at least MIN_TOLERANT_SHARE: a program that is wrong in its
    own convention too has no convention to blame.
    """
    slips = Slips()
    if not walks or not walks[0]["steps"] or not plan.reference_walks[0]["steps"]:
        return slips, 0.0
    mine, theirs = walks[0]["steps"][0], plan.reference_walks[0]["steps"][0]
    prefixes: list[list[str]] = [[]]
    if theirs["player"] == CHANCE_PLAYER_ID and mine["player"] != CHANCE_PLAYER_ID:
        prefixes = _chance_prefixes(reference)
        slips.lines.append("the game starts with chance (the rules' first actions are chance outcomes by player -1), "
                           "but get_initial_state resolves it itself: start at the chance node and deal through actions")
        theirs = None
    if theirs is not None and set(mine["legal"]) != set(theirs["legal"]) and \
            _legal_key(mine["legal"], True) == _legal_key(theirs["legal"], True):
        slips.normalize = True
        example = next(a for a in mine["legal"] if a not in theirs["legal"])
        slips.lines.append(f"action strings differ from the rules only in spaces or letter case ({example!r}): use "
                           "the exact strings the rules give")
    elif theirs is None and prefixes:
        slips.normalize = any(set(mine["legal"]) != _reference_legal(reference, p) and
                              _legal_key(mine["legal"], True) == _legal_key(list(_reference_legal(reference, p)), True)
                              for p in prefixes[:50])
    if theirs is not None and isinstance(mine["player"], int) and mine["player"] != theirs["player"] and \
            theirs["player"] in (0, 1) and mine["player"] in (1, 2):
        slips.players = {0: 1, 1: 2, -1: -1, -4: -4} if mine["player"] == theirs["player"] + 1 else {0: 1, 1: 0, -1: -1,
                                                                                                       -4: -4}
        slips.lines.append(f"player ids: the candidate says player {mine['player']} moves first where the protocol's "
                           f"ids are 0 and 1 (chance -1, terminal -4)")
    if not slips.lines and not _rewards_differ_only(plan, walks):
        return slips, 0.0
    first_states = len(plan.reference_walks[0]["steps"])
    all_states = sum(len(walk["steps"]) for walk in plan.reference_walks[: len(walks)])
    best_prefix, best = [], -1.0
    for prefix in prefixes or [[]]:
        _fit_returns(reference, walks[:1], Slips(normalize=slips.normalize, players=slips.players), prefix)
        share = _tolerant_share(reference, walks[:1], slips, prefix, first_states)
        if share > best:
            best_prefix, best = prefix, share
    _fit_returns(reference, walks, slips, best_prefix)
    share = _tolerant_share(reference, walks, slips, best_prefix, all_states) if slips.lines else 0.0
    if share < MIN_TOLERANT_SHARE:
        return Slips(), 0.0
    return slips, share


def _reference_legal(reference: ModuleType, prefix: list[str]) -> set[str]:
    state = reference.get_initial_state()
    for action in prefix:
        state = reference.apply_action(state, action)
    return set(reference.get_legal_actions(state))


def _rewards_differ_only(plan: ReferencePlan, walks: list[dict[str, Any]]) -> bool:
    """True when the first walk agrees with the reference's in everything but its returns (a candidate for a fit)."""
    mine, theirs = walks[0]["steps"], plan.reference_walks[0]["steps"]
    if len(mine) != len(theirs):
        return False
    return all(a["player"] == b["player"] and set(a["legal"]) == set(b["legal"]) for a, b in zip(mine, theirs)) and \
        any(a["rewards"] != b["rewards"] for a, b in zip(mine, theirs))


def _tolerant_share(reference: ModuleType, walks: list[dict[str, Any]], slips: Slips, prefix: list[str],
                    reference_states: int) -> float:
    """The share of the walks right in the slips' reading, scaled by how much of the reference's play
    (`reference_states` states on the same streams) they cover, so that a program that stops after a
    move or two has little to be right about."""
    agreeing = total = 0
    outcomes: list[bool] = []
    for walk in walks:
        count, compared, outcome = _tolerant_walk(reference, walk, slips, prefix)
        agreeing, total = agreeing + count, total + compared
        if outcome is not None:
            outcomes.append(outcome)
    agreement = agreeing / max(1, total)
    coverage = min(1.0, (agreeing + len(prefix) * len(walks)) / max(1, reference_states))
    return coverage * agreement * (sum(outcomes) / len(outcomes) if outcomes else agreement)


def convention_checks(slips: Slips) -> list[Check]:
    """One failed check per slip, its message the line that says what to change."""
    return [Check("follows_the_protocols_conventions", False, line) for line in slips.lines]
