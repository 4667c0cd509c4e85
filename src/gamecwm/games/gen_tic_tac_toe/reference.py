"""Generalized Tic-Tac-Toe (6x6, four in a row): the reference GameCWM.

Two players place marks on empty cells of a 6x6 grid; four or more of one's own marks in an unbroken
straight line (row, column or diagonal) wins; a full board without such a line is a draw. Player 0
(`x`) moves first. Actions are `<row>,<col>`, e.g. `2,3`.

State: `board` (6 rows of 6 cells, each None, 0 or 1), `current_player` (0, 1, or -4 once the game
is over), `status` (`ongoing`, `win` or `draw`) and `winner` (0, 1 or None).
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
SIZE = 6
WIN_LENGTH = 4
CELL_COUNT = SIZE * SIZE
PLAYER_NAMES = {0: "x", 1: "o"}
CELLS = tuple((r, c) for r in range(SIZE) for c in range(SIZE))
# ACTIONS[row][col] is the action string of a cell; ACTION_CELL maps a string back to its cell.
ACTIONS = tuple(tuple(f"{r},{c}" for c in range(SIZE)) for r in range(SIZE))
ACTION_CELL = {ACTIONS[r][c]: (r, c) for r, c in CELLS}
DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))
# RAYS[row * 6 + col][direction] holds the two rays (up to three cells on each side of the cell,
# nearest first) along which a mark placed there can extend a line.
RAYS = tuple(
    tuple(
        tuple(
            tuple(
                (r + sign * dr * k, c + sign * dc * k)
                for k in range(1, WIN_LENGTH)
                if 0 <= r + sign * dr * k < SIZE and 0 <= c + sign * dc * k < SIZE
            )
            for sign in (1, -1)
        )
        for dr, dc in DIRECTIONS
    )
    for r, c in CELLS
)


def get_initial_state() -> State:
    """An empty board with player 0 (`x`) to move."""
    return {
        "board": [[None] * SIZE for _ in range(SIZE)],
        "current_player": 0,
        "status": "ongoing",
        "winner": None,
    }


def get_current_player(state: State) -> int:
    """0 or 1 while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`x` for player 0, `o` for player 1, `Terminal` for any other id."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """Every empty cell in row-major order; empty once the game is over."""
    if state["status"] != "ongoing":
        return []
    board = state["board"]
    return [ACTIONS[r][c] for r, c in CELLS if board[r][c] is None]


def apply_action(state: State, action: str) -> State:
    """Place the mover's mark on the named cell; raises ValueError for anything not legal."""
    cell = ACTION_CELL.get(action) if isinstance(action, str) else None
    if state["status"] != "ongoing" or cell is None:
        raise ValueError(f"illegal action {action!r}")
    row, col = cell
    board = state["board"]
    if board[row][col] is not None:
        raise ValueError(f"illegal action {action!r}: cell is occupied")
    player = state["current_player"]
    new_board = list(board)  # rows are shared with the old state except the one that changes
    new_row = list(board[row])
    new_row[col] = player
    new_board[row] = new_row
    if _completes_line(new_board, row, col, player):
        return {"board": new_board, "current_player": TERMINAL, "status": "win", "winner": player}
    if all(cell is not None for line in new_board for cell in line):
        return {"board": new_board, "current_player": TERMINAL, "status": "draw", "winner": None}
    return {"board": new_board, "current_player": 1 - player, "status": "ongoing", "winner": None}


def get_rewards(state: State) -> list[float]:
    """+1/-1 to the winner/loser; 0/0 for a draw or a running game."""
    winner = state["winner"]
    if winner == 0:
        return [1.0, -1.0]
    if winner == 1:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the whole board, the player to move, the status and the winner."""
    return [
        {
            "board": [list(row) for row in state["board"]],
            "current_player": state["current_player"],
            "status": state["status"],
            "winner": state["winner"],
        }
        for _ in range(2)
    ]


def _completes_line(board: list[list[int | None]], row: int, col: int, player: int) -> bool:
    """Whether the mark just placed at (row, col) lies on a line of at least four of its owner's."""
    for forward, backward in RAYS[row * SIZE + col]:
        count = 1
        for r, c in forward:
            if board[r][c] != player:
                break
            count += 1
        for r, c in backward:
            if board[r][c] != player:
                break
            count += 1
        if count >= WIN_LENGTH:
            return True
    return False
