"""Connect Four: the reference GameCWM.

Two players drop marks into a 6-row, 7-column grid; a mark falls to the lowest empty cell of its
column. Four or more in a line (horizontal, vertical or diagonal) wins; a full board is a draw.
Player 0 is `x` and moves first, player 1 is `o`. Actions are `<mark><col>`, e.g. `x3`.

State: `board` (6 rows of 7 cells, row 0 at the top, each `.`, `x` or `o`), `current_player`
(0, 1, or -4 once the game is over) and `winner` (0, 1, or None).
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
ROWS = 6
COLUMNS = 7
WIN_LENGTH = 4
EMPTY = "."
MARKS = ("x", "o")
PLAYER_NAMES = {0: "Player 0 (x)", 1: "Player 1 (o)"}
# ACTIONS[player][col] is the action string; ACTION_COLUMN maps a string back to (player, col).
ACTIONS = tuple(tuple(f"{mark}{col}" for col in range(COLUMNS)) for mark in MARKS)
ACTION_COLUMN = {ACTIONS[p][c]: (p, c) for p in range(2) for c in range(COLUMNS)}
DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))
# RAYS[row * 7 + col][direction] holds the two rays (up to three cells on each side of the cell,
# nearest first) along which a mark placed there can extend a line.
RAYS = tuple(
    tuple(
        tuple(
            tuple(
                (r + sign * dr * k, c + sign * dc * k)
                for k in range(1, WIN_LENGTH)
                if 0 <= r + sign * dr * k < ROWS and 0 <= c + sign * dc * k < COLUMNS
            )
            for sign in (1, -1)
        )
        for dr, dc in DIRECTIONS
    )
    for r in range(ROWS)
    for c in range(COLUMNS)
)


def get_initial_state() -> State:
    """An empty board with player 0 (`x`) to move."""
    return {"board": [[EMPTY] * COLUMNS for _ in range(ROWS)], "current_player": 0, "winner": None}


def get_current_player(state: State) -> int:
    """0 or 1 while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0 (x)`, `Player 1 (o)`, or `Terminal` for any other id."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """One drop per column whose top cell is empty, columns 0..6, written with the mover's mark."""
    player = state["current_player"]
    if player == TERMINAL:
        return []
    top = state["board"][0]
    actions = ACTIONS[player]
    return [actions[c] for c in range(COLUMNS) if top[c] == EMPTY]


def apply_action(state: State, action: str) -> State:
    """Drop the mover's mark into the chosen column; raises ValueError for anything not legal."""
    player = state["current_player"]
    parsed = ACTION_COLUMN.get(action) if isinstance(action, str) else None
    if player == TERMINAL or parsed is None or parsed[0] != player:
        raise ValueError(f"illegal action {action!r}")
    col = parsed[1]
    board = state["board"]
    row = _landing_row(board, col)
    if row < 0:
        raise ValueError(f"illegal action {action!r}: column {col} is full")
    mark = MARKS[player]
    new_board = list(board)  # rows are shared with the old state except the one that changes
    new_row = list(board[row])
    new_row[col] = mark
    new_board[row] = new_row
    if _completes_line(new_board, row, col, mark):
        return {"board": new_board, "current_player": TERMINAL, "winner": player}
    if row == 0 and all(cell != EMPTY for cell in new_board[0]):
        return {"board": new_board, "current_player": TERMINAL, "winner": None}
    return {"board": new_board, "current_player": 1 - player, "winner": None}


def get_rewards(state: State) -> list[float]:
    """+1/-1 to the winner/loser; 0/0 for a draw or a running game."""
    winner = state["winner"]
    if winner == 0:
        return [1.0, -1.0]
    if winner == 1:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the whole board and the player to move (-4 after the end)."""
    return [
        {"board": [list(row) for row in state["board"]], "current_player": state["current_player"]}
        for _ in range(2)
    ]


def _landing_row(board: list[list[str]], col: int) -> int:
    """The lowest empty row of a column, or -1 when the column is full."""
    for row in range(ROWS - 1, -1, -1):
        if board[row][col] == EMPTY:
            return row
    return -1


def _completes_line(board: list[list[str]], row: int, col: int, mark: str) -> bool:
    """Whether the mark just placed at (row, col) lies on a line of at least four of its kind."""
    for forward, backward in RAYS[row * COLUMNS + col]:
        count = 1
        for r, c in forward:
            if board[r][c] != mark:
                break
            count += 1
        for r, c in backward:
            if board[r][c] != mark:
                break
            count += 1
        if count >= WIN_LENGTH:
            return True
    return False
