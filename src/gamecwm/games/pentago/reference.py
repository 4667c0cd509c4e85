"""Pentago: the reference GameCWM.

Place a marble on a 6x6 board, then rotate one 3x3 quadrant; five in a row wins.
Player 0 plays `x`, player 1 plays `o`. One action does both halves of a turn:
`<mark>(<row>,<col>)_rotate_<quad>_<dir>`, e.g. `x(0,0)_rotate_0_CW`. Wins are checked only after
the rotation; if both players have five then, the game is a draw.

State: `board` (6 rows of 6 cells, each "", "x" or "o"), `current_player` (0, 1, or -4 once the game is
over) and `status` ("ongoing", "x_won", "o_won" or "draw").
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
SIZE = 6
WIN_LENGTH = 5
MARKS = ("x", "o")
PLAYER_NAMES = {0: "Player 0 (X)", 1: "Player 1 (O)"}
DIRECTIONS = ("CW", "CCW")
CELLS = tuple((r, c) for r in range(SIZE) for c in range(SIZE))
# Top-left corner of each quadrant: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right.
QUADRANT_ORIGINS = ((0, 0), (0, 3), (3, 0), (3, 3))

# For each (quadrant, direction): (source cell, destination cell) pairs of the 8 cells that move.
# Local (r, c) goes to (c, 2 - r) clockwise and to (2 - c, r) counter-clockwise.
ROTATIONS = {
    (quad, direction): tuple(
        ((r0 + r, c0 + c), (r0 + c, c0 + 2 - r) if direction == "CW" else (r0 + 2 - c, c0 + r))
        for r in range(3)
        for c in range(3)
        if (r, c) != (1, 1)
    )
    for quad, (r0, c0) in enumerate(QUADRANT_ORIGINS)
    for direction in DIRECTIONS
}

# Every run of five cells: rows, columns, and both diagonal directions.
WIN_LINES = tuple(
    tuple((r + i * dr, c + i * dc) for i in range(WIN_LENGTH))
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1))
    for r, c in CELLS
    if 0 <= r + (WIN_LENGTH - 1) * dr < SIZE and 0 <= c + (WIN_LENGTH - 1) * dc < SIZE
)

# The 8 action strings of each (player, cell), in reference order (quadrants 0..3, CW before CCW),
# and the parsed form of every well-formed action string.
CELL_ACTIONS = {
    (player, cell): tuple(
        f"{MARKS[player]}({cell[0]},{cell[1]})_rotate_{quad}_{direction}"
        for quad in range(len(QUADRANT_ORIGINS))
        for direction in DIRECTIONS
    )
    for player in (0, 1)
    for cell in CELLS
}
ACTION_TABLE = {
    f"{MARKS[player]}({r},{c})_rotate_{quad}_{direction}": (player, r, c, quad, direction)
    for player in (0, 1)
    for r, c in CELLS
    for quad in range(len(QUADRANT_ORIGINS))
    for direction in DIRECTIONS
}


def get_initial_state() -> State:
    """An empty board with player 0 (`x`) to move."""
    return {"board": [[""] * SIZE for _ in range(SIZE)], "current_player": 0, "status": "ongoing"}


def get_current_player(state: State) -> int:
    """0 or 1 while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0 (X)`, `Player 1 (O)`, or `Terminal` for any other id."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """Every empty cell x 4 quadrants x 2 directions with the mover's mark; empty at the end."""
    if state["status"] != "ongoing":
        return []
    player = state["current_player"]
    board = state["board"]
    actions: list[str] = []
    for cell in CELLS:
        if board[cell[0]][cell[1]] == "":
            actions.extend(CELL_ACTIONS[player, cell])
    return actions


def apply_action(state: State, action: str) -> State:
    """Place the mover's marble, rotate the quadrant, then judge the board. Raises ValueError if illegal."""
    parsed = ACTION_TABLE.get(action) if isinstance(action, str) else None
    if parsed is None or state["status"] != "ongoing":
        raise ValueError(f"illegal action {action!r}")
    player, row, col, quad, direction = parsed
    board = state["board"]
    if player != state["current_player"] or board[row][col] != "":
        raise ValueError(f"illegal action {action!r}")
    placed = [list(line) for line in board]
    placed[row][col] = MARKS[player]
    rotated = [list(line) for line in placed]
    for (sr, sc), (dr, dc) in ROTATIONS[quad, direction]:
        rotated[dr][dc] = placed[sr][sc]
    status = _status(rotated)
    next_player = 1 - player if status == "ongoing" else TERMINAL
    return {"board": rotated, "current_player": next_player, "status": status}


def get_rewards(state: State) -> list[float]:
    """+1/-1 to the winner/loser; 0/0 for a draw or a running game."""
    if state["status"] == "x_won":
        return [1.0, -1.0]
    if state["status"] == "o_won":
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the whole board and the status."""
    return [
        {"board": [list(line) for line in state["board"]], "status": state["status"]},
        {"board": [list(line) for line in state["board"]], "status": state["status"]},
    ]


def _status(board: list[list[str]]) -> str:
    """The status after a rotation: a five for one mark wins, fives for both draw, a full board draws."""
    x_five = o_five = False
    for line in WIN_LINES:
        first = board[line[0][0]][line[0][1]]
        if first == "" or (first == "x" and x_five) or (first == "o" and o_five):
            continue
        if all(board[r][c] == first for r, c in line[1:]):
            if first == "x":
                x_five = True
            else:
                o_five = True
    if x_five and o_five:
        return "draw"
    if x_five:
        return "x_won"
    if o_five:
        return "o_won"
    if all(cell != "" for line in board for cell in line):
        return "draw"
    return "ongoing"
