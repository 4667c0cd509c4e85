"""Converge (race a unit to the centre of a 5x5 grid): the reference GameCWM.

Player 0 (Blue) starts with units on (0,0) and (0,4), player 1 (Red) on (4,0) and (4,4). A turn moves one
unit one step to an empty neighbouring cell (8 directions); the first unit to reach (2,2) wins. A move
stuns the opponent's units next to its destination for the opponent's next turn. A player with no move
must `pass`. After 50 plies without a winner the game is drawn.
Actions are `move (<r1>,<c1>) to (<r2>,<c2>)` or `pass`.

State: `board` (a dict from each occupied cell `r_c` to its owner), `stunned` (the cells whose units may not
move this turn), `current_player` (0, 1, or -4 once the game is over), `turn_count` (plies so far),
`status` ("ongoing", "won" or "draw") and `winner` (0, 1 or None).
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
PLAYER_NAMES = {0: "0", 1: "1", TERMINAL: "terminal"}
SIZE = 5
GOAL = "2_2"
MAX_PLIES = 50
PASS = "pass"
INITIAL_UNITS = {"0_0": 0, "0_4": 0, "4_0": 1, "4_4": 1}

CELLS = [f"{r}_{c}" for r in range(SIZE) for c in range(SIZE)]
# cell -> its on-board king-move neighbours
NEIGHBOURS = {
    f"{r}_{c}": [
        f"{r + dr}_{c + dc}"
        for dr in (-1, 0, 1)
        for dc in (-1, 0, 1)
        if (dr or dc) and 0 <= r + dr < SIZE and 0 <= c + dc < SIZE
    ]
    for r in range(SIZE)
    for c in range(SIZE)
}
# (from cell, to cell) -> action string, and back
MOVE_STRINGS = {
    (src, dst): f"move ({src[0]},{src[2]}) to ({dst[0]},{dst[2]})" for src in CELLS for dst in NEIGHBOURS[src]
}
MOVES_BY_STRING = {text: move for move, text in MOVE_STRINGS.items()}


def get_initial_state() -> State:
    """The starting position: Blue (player 0) to move, ply counter 0, nothing stunned."""
    return {
        "board": dict(INITIAL_UNITS),
        "stunned": [],
        "current_player": 0,
        "turn_count": 0,
        "status": "ongoing",
        "winner": None,
    }


def get_current_player(state: State) -> int:
    """0 or 1 while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`terminal` for -4, otherwise the id written as a string."""
    return PLAYER_NAMES.get(player_id, str(player_id))


def get_legal_actions(state: State) -> list[str]:
    """Every step of a non-stunned own unit to an empty neighbour, sorted; [`pass`] if none; [] at the end."""
    if state["status"] != "ongoing":
        return []
    moves = _moves(state)
    return moves if moves else [PASS]


def apply_action(state: State, action: str) -> State:
    """Play a move or a forced pass; raises ValueError for anything not legal."""
    if not isinstance(action, str) or action not in get_legal_actions(state):
        raise ValueError(f"illegal action {action!r}")
    player = state["current_player"]
    opponent = 1 - player
    board = state["board"]
    stunned: list[str] = []
    if action != PASS:
        src, dst = MOVES_BY_STRING[action]
        board = dict(board)
        del board[src]
        board[dst] = player
        if dst == GOAL:
            return {
                "board": board,
                "stunned": [],
                "current_player": TERMINAL,
                "turn_count": state["turn_count"],
                "status": "won",
                "winner": player,
            }
        stunned = sorted(cell for cell in NEIGHBOURS[dst] if board.get(cell) == opponent)
    turn_count = state["turn_count"] + 1
    if turn_count >= MAX_PLIES:
        return {
            "board": board,
            "stunned": [],
            "current_player": TERMINAL,
            "turn_count": turn_count,
            "status": "draw",
            "winner": None,
        }
    return {
        "board": board,
        "stunned": stunned,
        "current_player": opponent,
        "turn_count": turn_count,
        "status": "ongoing",
        "winner": None,
    }


def get_rewards(state: State) -> list[float]:
    """+1/-1 to the winner/loser; [0.0, 0.0] for a draw or a running game."""
    if state["winner"] == 0:
        return [1.0, -1.0]
    if state["winner"] == 1:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the units, the active stuns, the player to move, the ply counter and the outcome."""
    return [_observation(state), _observation(state)]


def _moves(state: State) -> list[str]:
    """The unit moves of the player to move, sorted."""
    player = state["current_player"]
    board = state["board"]
    stunned = state["stunned"]
    moves = [
        MOVE_STRINGS[(src, dst)]
        for src, owner in board.items()
        if owner == player and src not in stunned
        for dst in NEIGHBOURS[src]
        if dst not in board
    ]
    moves.sort()
    return moves


def _observation(state: State) -> dict[str, Any]:
    """The public view of the game, shared by both players."""
    return {
        "board": dict(state["board"]),
        "stunned": list(state["stunned"]),
        "current_player": state["current_player"],
        "turn_count": state["turn_count"],
        "status": state["status"],
        "winner": state["winner"],
    }
