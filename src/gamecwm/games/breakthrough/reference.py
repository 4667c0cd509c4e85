"""Breakthrough: the reference GameCWM.

An 8x8 board; White (player 0) starts on ranks 1-2 and moves up, Black (player 1) starts on ranks
7-8 and moves down. Every move advances one piece one rank, straight onto an empty square or
diagonally onto an empty or enemy square (capturing it). Captures are mandatory. Reaching the far
rank wins, and so does leaving the opponent without a legal move. Actions are `<src>-<dst>` or
`<src>x<dst>` with squares written as file letter and rank digit, e.g. `e2-e3`, `d4xe5`.

State: `board` (8 rows of 8 cells, row 0 = rank 1, column 0 = file a; each -1 empty, 0 White,
1 Black), `current_player` (0, 1, or -4 once the game is over), `terminal` (bool) and `winner`
(0, 1 or None).
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
SIZE = 8
EMPTY = -1
PLAYER_NAMES = {0: "White", 1: "Black"}
FILES = "abcdefgh"
# SQUARE_NAMES[row * 8 + col] is a square's name; SQUARE_INDEX maps a name back to row * 8 + col.
SQUARE_NAMES = tuple(f"{FILES[col]}{row + 1}" for row in range(SIZE) for col in range(SIZE))
SQUARE_INDEX = {name: index for index, name in enumerate(SQUARE_NAMES)}
FORWARD = (1, -1)  # row direction of travel: White up the ranks, Black down
FAR_ROW = (SIZE - 1, 0)
# STEPS[player][row * 8 + col] lists (dst_row, dst_col, is_diagonal, quiet text, capture text) for
# each forward square in bounds: straight ahead first, then the two diagonals.
STEPS = tuple(
    tuple(
        tuple(
            (
                row + FORWARD[player],
                col + dc,
                dc != 0,
                f"{SQUARE_NAMES[row * SIZE + col]}-{SQUARE_NAMES[(row + FORWARD[player]) * SIZE + col + dc]}",
                f"{SQUARE_NAMES[row * SIZE + col]}x{SQUARE_NAMES[(row + FORWARD[player]) * SIZE + col + dc]}",
            )
            for dc in (0, -1, 1)
            if 0 <= row + FORWARD[player] < SIZE and 0 <= col + dc < SIZE
        )
        for row in range(SIZE)
        for col in range(SIZE)
    )
    for player in (0, 1)
)


def get_initial_state() -> State:
    """White on ranks 1-2, Black on ranks 7-8, White to move."""
    board = [[0] * SIZE, [0] * SIZE] + [[EMPTY] * SIZE for _ in range(SIZE - 4)] + [[1] * SIZE, [1] * SIZE]
    return {"board": board, "current_player": 0, "terminal": False, "winner": None}


def get_current_player(state: State) -> int:
    """0 (White) or 1 (Black) while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`White`, `Black`, or `Unknown` for any other id."""
    return PLAYER_NAMES.get(player_id, "Unknown")


def get_legal_actions(state: State) -> list[str]:
    """The mover's captures if it has any, otherwise its non-capturing moves; sorted as strings."""
    if state["terminal"]:
        return []
    return _legal_moves(state["board"], state["current_player"])


def apply_action(state: State, action: str) -> State:
    """Move one piece one rank forward; raises ValueError for anything not legal."""
    if state["terminal"] or not isinstance(action, str):
        raise ValueError(f"illegal action {action!r}")
    board = state["board"]
    player = state["current_player"]
    if action not in _legal_moves(board, player):
        raise ValueError(f"illegal action {action!r}")
    src_row, src_col = divmod(SQUARE_INDEX[action[:2]], SIZE)
    dst_row, dst_col = divmod(SQUARE_INDEX[action[3:]], SIZE)
    new_board = list(board)  # rows are shared with the old state except the two that change
    new_src = list(board[src_row])
    new_src[src_col] = EMPTY
    new_board[src_row] = new_src
    new_dst = list(board[dst_row])
    new_dst[dst_col] = player
    new_board[dst_row] = new_dst
    opponent = 1 - player
    if dst_row == FAR_ROW[player] or not _has_any_move(new_board, opponent):
        return {"board": new_board, "current_player": TERMINAL, "terminal": True, "winner": player}
    return {"board": new_board, "current_player": opponent, "terminal": False, "winner": None}


def get_rewards(state: State) -> list[float]:
    """+1/-1 to the winner/loser; 0/0 while the game runs (there are no draws)."""
    winner = state["winner"]
    if winner == 0:
        return [1.0, -1.0]
    if winner == 1:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the whole board, the player to move and whether the game is over."""
    return [
        {
            "board": [list(row) for row in state["board"]],
            "current_player": state["current_player"],
            "terminal": state["terminal"],
        }
        for _ in range(2)
    ]


def _legal_moves(board: list[list[int]], player: int) -> list[str]:
    """The player's captures if there are any, else its non-capturing moves, sorted as strings."""
    opponent = 1 - player
    steps = STEPS[player]
    captures = []
    quiet = []
    for row in range(SIZE):
        line = board[row]
        for col in range(SIZE):
            if line[col] != player:
                continue
            for dst_row, dst_col, diagonal, quiet_text, capture_text in steps[row * SIZE + col]:
                target = board[dst_row][dst_col]
                if target == EMPTY:
                    quiet.append(quiet_text)
                elif diagonal and target == opponent:
                    captures.append(capture_text)
    if captures:
        captures.sort()
        return captures
    quiet.sort()
    return quiet


def _has_any_move(board: list[list[int]], player: int) -> bool:
    """Whether the player has at least one move (capture or not); False with no pieces left."""
    opponent = 1 - player
    steps = STEPS[player]
    for row in range(SIZE):
        line = board[row]
        for col in range(SIZE):
            if line[col] != player:
                continue
            for dst_row, dst_col, diagonal, _, _ in steps[row * SIZE + col]:
                target = board[dst_row][dst_col]
                if target == EMPTY or (diagonal and target == opponent):
                    return True
    return False
