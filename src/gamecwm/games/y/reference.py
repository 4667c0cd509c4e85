"""Game of Y (triangular board of hexagonal cells, 19 per side): the reference GameCWM.

Black (player 0) and White (player 1) alternately place a stone on an empty cell; the first player whose
connected group touches all three sides of the triangle wins. Cells are (r, c) with r, c >= 0 and
r + c <= 18; actions are `<r>,<c>`, e.g. `4,9`.

State: `board` (a dict from each occupied cell, written `r,c`, to its owner, 0 or 1), `current_player` (0,
1, or -4 once the game is over) and `winner` (None while the game runs, then 0 or 1).
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
SIZE = 19
PLAYER_NAMES = {0: "Black", 1: "White"}
# bit flags for the three sides
SIDE_T, SIDE_L, SIDE_D = 1, 2, 4
ALL_SIDES = SIDE_T | SIDE_L | SIDE_D

COORDS = [(r, c) for r in range(SIZE) for c in range(SIZE - r)]
CELLS = [f"{r},{c}" for r, c in COORDS]  # the reference order of legal actions
CELL_SET = frozenset(CELLS)
COORD_OF = dict(zip(CELLS, COORDS))
NEIGHBOURS = {
    f"{r},{c}": [
        f"{r + dr},{c + dc}"
        for dr, dc in ((0, -1), (0, 1), (-1, 0), (1, 0), (-1, 1), (1, -1))
        if r + dr >= 0 and c + dc >= 0 and r + dr + c + dc < SIZE
    ]
    for r, c in COORDS
}
SIDES = {
    f"{r},{c}": (SIDE_T if r == 0 else 0) | (SIDE_L if c == 0 else 0) | (SIDE_D if r + c == SIZE - 1 else 0)
    for r, c in COORDS
}


def get_initial_state() -> State:
    """The empty board with Black (player 0) to move."""
    return {"board": {}, "current_player": 0, "winner": None}


def get_current_player(state: State) -> int:
    """0 or 1 while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Black` for 0, `White` for 1, `Unknown` for any other id."""
    return PLAYER_NAMES.get(player_id, "Unknown")


def get_legal_actions(state: State) -> list[str]:
    """Every empty cell as `r,c`, rows then columns ascending; [] once the game is over."""
    if state["winner"] is not None:
        return []
    board = state["board"]
    return [cell for cell in CELLS if cell not in board]


def apply_action(state: State, action: str) -> State:
    """Place the mover's stone on an empty cell; raises ValueError for anything not legal."""
    board = state["board"]
    if state["winner"] is not None or not isinstance(action, str) or action not in CELL_SET or action in board:
        raise ValueError(f"illegal action {action!r}")
    player = state["current_player"]
    board = dict(board)
    board[action] = player
    if _group_sides(board, action, player) == ALL_SIDES:
        winner: Any = player
    elif len(board) == len(CELLS):
        winner = "draw"  # cannot happen in Y, kept so that a full board always ends the game
    else:
        winner = None
    return {"board": board, "current_player": 1 - player if winner is None else TERMINAL, "winner": winner}


def get_rewards(state: State) -> list[float]:
    """[1.0, -1.0] if Black won, [-1.0, 1.0] if White won, [0.0, 0.0] otherwise."""
    if state["winner"] == 0:
        return [1.0, -1.0]
    if state["winner"] == 1:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the occupied cells keyed by (r, c) tuples, the player to move and whether it is over."""
    return [_observation(state), _observation(state)]


def _group_sides(board: dict[str, int], start: str, player: int) -> int:
    """The sides touched by the group of `player`'s stones containing `start`, as bit flags."""
    sides = 0
    seen = {start}
    stack = [start]
    while stack:
        cell = stack.pop()
        sides |= SIDES[cell]
        if sides == ALL_SIDES:
            return sides
        for neighbour in NEIGHBOURS[cell]:
            if neighbour not in seen and board.get(neighbour) == player:
                seen.add(neighbour)
                stack.append(neighbour)
    return sides


def _observation(state: State) -> dict[str, Any]:
    """The public view of the game, shared by both players."""
    return {
        "board": {COORD_OF[cell]: owner for cell, owner in state["board"].items()},
        "current_player": state["current_player"],
        "terminal": state["current_player"] == TERMINAL,
    }
