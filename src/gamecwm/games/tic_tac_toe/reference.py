"""Tic-Tac-Toe: the reference GameCWM.

Two players place marks on a 3x3 grid; three in a row wins. Player 0 is `x`, player 1 is `o`.
Actions are `<mark>(<row>,<col>)`, e.g. `x(1,1)`.

State: `board` (3 rows of 3 cells, each "", "x" or "o"), `current_player` (0, 1, or -4 once the game is
over) and `status` ("ongoing", "x_won", "o_won" or "draw").
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
SIZE = 3
MARKS = ("x", "o")
PLAYER_NAMES = {0: "Player 0", 1: "Player 1"}
LINES = (
    [[(r, c) for c in range(SIZE)] for r in range(SIZE)]
    + [[(r, c) for r in range(SIZE)] for c in range(SIZE)]
    + [[(i, i) for i in range(SIZE)], [(i, SIZE - 1 - i) for i in range(SIZE)]]
)
CELLS = [(r, c) for r in range(SIZE) for c in range(SIZE)]


def get_initial_state() -> State:
    """An empty board with player 0 (`x`) to move."""
    return {"board": [["" for _ in range(SIZE)] for _ in range(SIZE)], "current_player": 0, "status": "ongoing"}


def get_current_player(state: State) -> int:
    """0 or 1 while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, or `Terminal` for any other id."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """One placement per empty cell, row-major, written with the mover's mark."""
    if state["status"] != "ongoing":
        return []
    mark = MARKS[state["current_player"]]
    board = state["board"]
    return [f"{mark}({r},{c})" for r, c in CELLS if board[r][c] == ""]


def apply_action(state: State, action: str) -> State:
    """Place the mover's mark; raises ValueError for anything not legal."""
    if action not in get_legal_actions(state):
        raise ValueError(f"illegal action {action!r}")
    player = state["current_player"]
    mark = MARKS[player]
    row, col = int(action[2]), int(action[4])
    board = [list(line) for line in state["board"]]
    board[row][col] = mark
    if _has_line(board, mark):
        status = f"{mark}_won"
    elif all(board[r][c] for r, c in CELLS):
        status = "draw"
    else:
        status = "ongoing"
    next_player = 1 - player if status == "ongoing" else TERMINAL
    return {"board": board, "current_player": next_player, "status": status}


def get_rewards(state: State) -> list[float]:
    """+1/-1 to the winner/loser, 0/0 for a draw or a running game."""
    if state["status"] == "x_won":
        return [1.0, -1.0]
    if state["status"] == "o_won":
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the whole board and the status."""
    observation = {"board": [list(line) for line in state["board"]], "status": state["status"]}
    return [observation, {"board": [list(line) for line in state["board"]], "status": state["status"]}]


def _has_line(board: list[list[str]], mark: str) -> bool:
    """Whether `mark` fills a whole row, column or diagonal."""
    return any(all(board[r][c] == mark for r, c in line) for line in LINES)
