"""Go on a 9x9 board: the reference GameCWM.

Black (player 0) and White (player 1) alternately place a stone (`place_<r>_<c>`) or `pass`.
Opposing groups left without liberties are removed; suicide and simple-ko retakes are illegal.
The game ends after two consecutive passes or 162 actions, and is scored by area (stones plus
empty regions bordered by one colour only) with komi 6.5 for White.

State: `board` (81 characters, row-major, each `.`, `B` or `W`), `previous_board` (the board before the
last action, for the ko rule), `current_player` (0, 1, or -4 once the game is over), `passes`
(consecutive passes so far), `captures` (stones captured by each player) and `move_count` (actions so
far, passes included).
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
SIZE = 9
POINTS = SIZE * SIZE
KOMI = 6.5
MAX_ACTIONS = 2 * POINTS
EMPTY = "."
STONES = ("B", "W")
PLAYER_NAMES = {0: "Player 0 (Black)", 1: "Player 1 (White)"}
# The board is kept as an 81-character string, row-major: cheap to copy, hash and compare (for ko).
NEIGHBOURS = tuple(
    tuple(
        (r + dr) * SIZE + (c + dc)
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))
        if 0 <= r + dr < SIZE and 0 <= c + dc < SIZE
    )
    for r in range(SIZE)
    for c in range(SIZE)
)
PLACE_ACTIONS = tuple(f"place_{p // SIZE}_{p % SIZE}" for p in range(POINTS))
ACTION_POINTS = {action: point for point, action in enumerate(PLACE_ACTIONS)}
EMPTY_BOARD = EMPTY * POINTS


def get_initial_state() -> State:
    """The empty board, Black to move."""
    return {
        "board": EMPTY_BOARD,
        "previous_board": EMPTY_BOARD,
        "current_player": 0,
        "passes": 0,
        "captures": [0, 0],
        "move_count": 0,
    }


def get_current_player(state: State) -> int:
    """0 (Black) or 1 (White) while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0 (Black)`, `Player 1 (White)`, or `Terminal` for any other id."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """`pass` first, then every legal placement in row-major order; empty once the game is over."""
    if state["current_player"] == TERMINAL:
        return []
    board = state["board"]
    previous = state["previous_board"]
    player = state["current_player"]
    legal = ["pass"]
    for point in range(POINTS):
        if board[point] != EMPTY:
            continue
        # A stone with an empty neighbour is never suicide, and it cannot recreate the previous
        # board either (a ko retake fills a point whose neighbours are all occupied).
        if any(board[n] == EMPTY for n in NEIGHBOURS[point]) or _placement(board, previous, point, player):
            legal.append(PLACE_ACTIONS[point])
    return legal


def apply_action(state: State, action: str) -> State:
    """Play a placement (with its captures) or a pass; raises ValueError for anything not legal."""
    if not isinstance(action, str):
        raise ValueError(f"illegal action {action!r}: an action is a string")
    if state["current_player"] == TERMINAL:
        raise ValueError(f"illegal action {action!r}: the game is over")
    player = state["current_player"]
    board = state["board"]
    move_count = state["move_count"] + 1
    if action == "pass":
        passes = state["passes"] + 1
        over = passes >= 2 or move_count >= MAX_ACTIONS
        return {
            "board": board,
            "previous_board": board,
            "current_player": TERMINAL if over else 1 - player,
            "passes": passes,
            "captures": list(state["captures"]),
            "move_count": move_count,
        }
    point = ACTION_POINTS.get(action)
    if point is None or board[point] != EMPTY:
        raise ValueError(f"illegal action {action!r}")
    result = _placement(board, state["previous_board"], point, player)
    if result is None:
        raise ValueError(f"illegal action {action!r}: suicide or ko")
    new_board, captured = result
    captures = list(state["captures"])
    captures[player] += captured
    return {
        "board": new_board,
        "previous_board": board,
        "current_player": TERMINAL if move_count >= MAX_ACTIONS else 1 - player,
        "passes": 0,
        "captures": captures,
        "move_count": move_count,
    }


def get_rewards(state: State) -> list[float]:
    """Area score with komi at the end (+1 to the higher score, -1 to the other); 0/0 before."""
    if state["current_player"] != TERMINAL:
        return [0.0, 0.0]
    black, white = _area_scores(state["board"])
    return [1.0, -1.0] if black > white else [-1.0, 1.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the board, the capture counts, the pass run, the mover and the move count."""
    return [_observation(state), _observation(state)]


def _observation(state: State) -> dict[str, Any]:
    """The public view of the position, shared by both players."""
    board = state["board"]
    return {
        "board": [
            ["" if cell == EMPTY else cell for cell in board[r * SIZE : (r + 1) * SIZE]] for r in range(SIZE)
        ],
        "captures": {0: state["captures"][0], 1: state["captures"][1]},
        "passes": state["passes"],
        "current_player": get_current_player(state),
        "move_count": state["move_count"],
    }


def _placement(board: str, previous: str, point: int, player: int) -> tuple[str, int] | None:
    """(board, stones captured) after `player` places on the empty `point`; None for suicide or ko."""
    stone = STONES[player]
    enemy = STONES[1 - player]
    cells = list(board)
    cells[point] = stone
    captured = 0
    for n in NEIGHBOURS[point]:
        if cells[n] == enemy:
            group, has_liberty = _group(cells, n)
            if not has_liberty:
                for p in group:
                    cells[p] = EMPTY
                captured += len(group)
    if captured == 0:
        _, has_liberty = _group(cells, point)
        if not has_liberty:
            return None
    new_board = "".join(cells)
    if captured and new_board == previous:
        return None
    return new_board, captured


def _group(cells: list[str] | str, start: int) -> tuple[list[int], bool]:
    """The stones connected to `start` and whether the group has at least one liberty."""
    colour = cells[start]
    group = [start]
    seen = {start}
    has_liberty = False
    index = 0
    while index < len(group):
        for n in NEIGHBOURS[group[index]]:
            cell = cells[n]
            if cell == EMPTY:
                has_liberty = True
            elif cell == colour and n not in seen:
                seen.add(n)
                group.append(n)
        index += 1
    return group, has_liberty


def _area_scores(board: str) -> tuple[float, float]:
    """(Black, White) area scores: stones plus single-colour-bordered empty regions; komi to White."""
    black = board.count("B")
    white = board.count("W") + KOMI
    seen = set()
    for start in range(POINTS):
        if board[start] != EMPTY or start in seen:
            continue
        region = [start]
        seen.add(start)
        borders = set()
        index = 0
        while index < len(region):
            for n in NEIGHBOURS[region[index]]:
                cell = board[n]
                if cell == EMPTY:
                    if n not in seen:
                        seen.add(n)
                        region.append(n)
                else:
                    borders.add(cell)
            index += 1
        if borders == {"B"}:
            black += len(region)
        elif borders == {"W"}:
            white += len(region)
    return black, white
