"""Pig (a two-player dice race to 100): the reference GameCWM.

On a turn a player rolls a die as often as they like, adding each result to a turn total; a 1 wipes
the turn total and ends the turn, while `hold` banks it. The first to bank 100 or more wins. After
1000 player actions (`roll`/`hold`) without a winner the game is a draw.
Player actions are `roll` and `hold`; the die outcomes are the chance actions `1`..`6`.

State: `scores` (banked points per player), `turn_total` (points at risk this turn), `turn_player` (whose
turn it is, also while its die is rolled), `player_actions` (`roll` and `hold` actions so far) and
`current_player` (-1 when the die is rolled, 0, 1, or -4 once the game is over).
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
WIN_SCORE = 100
MAX_PLAYER_ACTIONS = 1000
ROLL = "roll"
HOLD = "hold"
DIE_FACES = ("1", "2", "3", "4", "5", "6")
FACE_VALUES = {face: int(face) for face in DIE_FACES}
PLAYER_NAMES = {0: "Player 0", 1: "Player 1", CHANCE: "Chance", TERMINAL: "Terminal"}


def get_initial_state() -> State:
    """Both scores 0, no turn total, player 0 to roll, no action taken yet."""
    return {"scores": [0, 0], "turn_total": 0, "turn_player": 0, "current_player": 0, "player_actions": 0}


def get_current_player(state: State) -> int:
    """0 or 1 for a decision, -1 while a die roll is pending, -4 once the game is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, `Chance` (-1) or `Terminal` (-4)."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """`roll`, plus `hold` when the turn total is positive; the six faces at a chance node."""
    player = state["current_player"]
    if player == TERMINAL:
        return []
    if player == CHANCE:
        return list(DIE_FACES)
    return [ROLL, HOLD] if state["turn_total"] > 0 else [ROLL]


def apply_action(state: State, action: str) -> State:
    """Roll, hold, or resolve a die roll; raises ValueError for anything not legal."""
    player = state["current_player"]
    new = dict(state)
    if player == CHANCE:
        value = FACE_VALUES.get(action) if isinstance(action, str) else None
        if value is None:
            raise ValueError(f"illegal action {action!r}")
        if value == 1:
            new["turn_total"] = 0
            new["turn_player"] = 1 - state["turn_player"]
        else:
            new["turn_total"] = state["turn_total"] + value
        new["current_player"] = new["turn_player"]
        return new
    if player == TERMINAL or not (action == ROLL or (action == HOLD and state["turn_total"] > 0)):
        raise ValueError(f"illegal action {action!r}")
    actions_taken = state["player_actions"] + 1
    new["player_actions"] = actions_taken
    capped = actions_taken >= MAX_PLAYER_ACTIONS
    if action == ROLL:
        # On the last allowed action the game ends before the die is thrown.
        new["current_player"] = TERMINAL if capped else CHANCE
        return new
    scores = list(state["scores"])
    scores[player] += state["turn_total"]
    new["scores"] = scores
    new["turn_total"] = 0
    if scores[player] >= WIN_SCORE:
        new["current_player"] = TERMINAL
        return new
    new["turn_player"] = 1 - player
    new["current_player"] = TERMINAL if capped else 1 - player
    return new


def get_rewards(state: State) -> list[float]:
    """+1/-1 once a player has banked 100; 0/0 for a capped draw and before the end."""
    if state["current_player"] != TERMINAL:
        return [0.0, 0.0]
    score0, score1 = state["scores"]
    if score0 >= WIN_SCORE:
        return [1.0, -1.0]
    if score1 >= WIN_SCORE:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the scores, the turn total, whose turn it is, who acts, and the action count."""
    return [_observation(state), _observation(state)]


def _observation(state: State) -> dict[str, Any]:
    """The public view of the game, shared by both players."""
    return {
        "scores": list(state["scores"]),
        "turn_total": state["turn_total"],
        "turn_player": state["turn_player"],
        "current_player": state["current_player"],
        "player_actions": state["player_actions"],
    }
