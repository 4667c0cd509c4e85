"""Checkers (American/English draughts, 8x8): the reference GameCWM.

Red (player 0, men `r`, kings `R`) starts on rows 5-7 and moves up the board toward row 0; Black
(player 1, men `b`, kings `B`) starts on rows 0-2 and moves down toward row 7. Captures are
mandatory, a whole multi-jump is one action, and only maximal chains are legal. Actions are
`move_<r1>_<c1>_<r2>_<c2>` and `jump_<r0>_<c0>_<r1>_<c1>[_<r2>_<c2>...]`.
Forty consecutive plies without a capture end the game in a draw.

State: `board` (8 rows of 8 cells, each "", `r`, `R`, `b` or `B`), `current_player` (0, 1, or -4 once
the game is over), `no_capture_count` (plies since the last capture) and `status` ("ongoing", "p0_won",
"p1_won" or "draw").
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
SIZE = 8
DRAW_PLIES = 40
PLAYER_NAMES = {0: "Player 0 (Red)", 1: "Player 1 (Black)"}
MEN = ("r", "b")
KINGS = ("R", "B")
OWNER = {"r": 0, "R": 0, "b": 1, "B": 1}
CROWN_ROW = (0, SIZE - 1)
# Row directions each kind of piece may use, in the reference order (-1 before +1).
MAN_ROW_DIRECTIONS = ((-1,), (1,))
KING_ROW_DIRECTIONS = (-1, 1)
COLUMN_DIRECTIONS = (-1, 1)


def _steps_table() -> dict[tuple[int, int, int], list[tuple[int, int, int, int, int]]]:
    """(row, col, row_direction) -> [(step_row, step_col, land_row, land_col, jump_fits_on_board)]."""
    table = {}
    for r in range(SIZE):
        for c in range(SIZE):
            for dr in (-1, 1):
                entries = []
                for dc in COLUMN_DIRECTIONS:
                    r1, c1, r2, c2 = r + dr, c + dc, r + 2 * dr, c + 2 * dc
                    if 0 <= r1 < SIZE and 0 <= c1 < SIZE:
                        jump_ok = int(0 <= r2 < SIZE and 0 <= c2 < SIZE)
                        entries.append((r1, c1, r2, c2, jump_ok))
                table[(r, c, dr)] = entries
    return table


STEPS = _steps_table()
DARK_SQUARES = [(r, c) for r in range(SIZE) for c in range(SIZE) if (r + c) % 2 == 1]


def get_initial_state() -> State:
    """Twelve men each on the dark squares of rows 0-2 (Black) and 5-7 (Red); Red to move."""
    board = [["" for _ in range(SIZE)] for _ in range(SIZE)]
    for r, c in DARK_SQUARES:
        if r <= 2:
            board[r][c] = "b"
        elif r >= 5:
            board[r][c] = "r"
    return {"board": board, "current_player": 0, "no_capture_count": 0, "status": "ongoing"}


def get_current_player(state: State) -> int:
    """0 (Red) or 1 (Black) while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0 (Red)`, `Player 1 (Black)`, or `Terminal` for any other id."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """All maximal jump chains if any exists (capture is mandatory), otherwise all simple moves."""
    if state["status"] != "ongoing":
        return []
    board = state["board"]
    player = state["current_player"]
    jumps = _jump_actions(board, player)
    if jumps:
        return jumps
    return _simple_moves(board, player)


def apply_action(state: State, action: str) -> State:
    """Play one simple move or one whole jump chain; raises ValueError for anything not legal."""
    if action not in get_legal_actions(state):
        raise ValueError(f"illegal action {action!r}")
    player = state["current_player"]
    opponent = 1 - player
    parts = action.split("_")
    squares = [(int(parts[i]), int(parts[i + 1])) for i in range(1, len(parts), 2)]
    board = [row[:] for row in state["board"]]
    r0, c0 = squares[0]
    piece = board[r0][c0]
    board[r0][c0] = ""
    if parts[0] == "jump":
        for (ra, ca), (rb, cb) in zip(squares, squares[1:]):
            board[(ra + rb) // 2][(ca + cb) // 2] = ""
        count = 0
    else:
        count = state["no_capture_count"] + 1
    r_end, c_end = squares[-1]
    if r_end == CROWN_ROW[player]:
        piece = KINGS[player]
    board[r_end][c_end] = piece

    if not any(OWNER.get(cell) == opponent for row in board for cell in row):
        status = f"p{player}_won"
    elif count >= DRAW_PLIES:
        status = "draw"
    elif not _has_any_action(board, opponent):
        status = f"p{player}_won"
    else:
        status = "ongoing"
    next_player = opponent if status == "ongoing" else TERMINAL
    return {"board": board, "current_player": next_player, "no_capture_count": count, "status": status}


def get_rewards(state: State) -> list[float]:
    """+1/-1 to the winner/loser; a draw and every running state give 0/0."""
    if state["status"] == "p0_won":
        return [1.0, -1.0]
    if state["status"] == "p1_won":
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the whole board, the status, the quiet-ply counter and the player to move."""
    return [_observation(state), _observation(state)]


def _observation(state: State) -> dict[str, Any]:
    """The public view of the position, shared by both players."""
    return {
        "board": [row[:] for row in state["board"]],
        "status": state["status"],
        "no_capture_count": state["no_capture_count"],
        "current_player": get_current_player(state),
    }


def _row_directions(piece: str, player: int) -> tuple[int, ...]:
    """The row directions a piece of `player` may move in (both for a king)."""
    return KING_ROW_DIRECTIONS if piece in KINGS else MAN_ROW_DIRECTIONS[player]


def _simple_moves(board: list[list[str]], player: int) -> list[str]:
    """Every non-capturing one-step move of `player`."""
    moves = []
    for r, c in DARK_SQUARES:
        piece = board[r][c]
        if not piece or OWNER[piece] != player:
            continue
        for dr in _row_directions(piece, player):
            for r1, c1, _, _, _ in STEPS[(r, c, dr)]:
                if board[r1][c1] == "":
                    moves.append(f"move_{r}_{c}_{r1}_{c1}")
    return moves


def _jump_actions(board: list[list[str]], player: int) -> list[str]:
    """Every maximal capture chain of `player`, one action each."""
    chains: list[str] = []
    for r, c in DARK_SQUARES:
        piece = board[r][c]
        if not piece or OWNER[piece] != player:
            continue
        directions = _row_directions(piece, player)
        is_king = piece in KINGS
        _extend_chain(board, player, directions, is_king, (r, c), r, c, set(), f"jump_{r}_{c}", chains)
    return chains


def _extend_chain(
    board: list[list[str]],
    player: int,
    directions: tuple[int, ...],
    is_king: bool,
    start: tuple[int, int],
    r: int,
    c: int,
    jumped: set[tuple[int, int]],
    prefix: str,
    chains: list[str],
) -> None:
    """Depth-first search of hop continuations from (r, c); appends every maximal chain to `chains`."""
    found = False
    for dr in directions:
        for r1, c1, r2, c2, jump_ok in STEPS[(r, c, dr)]:
            if not jump_ok or (r1, c1) in jumped:
                continue
            victim = board[r1][c1]
            if not victim or OWNER[victim] == player:
                continue
            # The moving piece has left its start square, so the chain may land there again.
            if board[r2][c2] != "" and (r2, c2) != start:
                continue
            found = True
            path = f"{prefix}_{r2}_{c2}"
            if not is_king and r2 == CROWN_ROW[player]:
                chains.append(path)  # a man crowned mid-chain stops there
                continue
            jumped.add((r1, c1))
            _extend_chain(board, player, directions, is_king, start, r2, c2, jumped, path, chains)
            jumped.discard((r1, c1))
    if not found and prefix.count("_") > 2:
        chains.append(prefix)


def _has_any_action(board: list[list[str]], player: int) -> bool:
    """Whether `player` has any simple move or capture."""
    for r, c in DARK_SQUARES:
        piece = board[r][c]
        if not piece or OWNER[piece] != player:
            continue
        for dr in _row_directions(piece, player):
            for r1, c1, r2, c2, jump_ok in STEPS[(r, c, dr)]:
                target = board[r1][c1]
                if target == "":
                    return True
                if jump_ok and OWNER[target] != player and board[r2][c2] == "":
                    return True
    return False
