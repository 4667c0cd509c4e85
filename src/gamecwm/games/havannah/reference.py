"""Havannah (hexagonal board of base 10, 271 cells): the reference GameCWM.

Players 0 and 1 alternately place a stone on an empty cell. A player wins by connecting two of the six
corners (a bridge) or by closing a ring of own stones around at least one cell. A full board without a
winner is a draw. Cells are labelled by a column letter `A`..`S` and a row number 1..19 (e.g. `J10`);
the label exists when the column number and the row differ by at most 9.

State: `board` (a dict from each occupied cell's label to its owner, 0 or 1), `current_player` (0, 1, or
-4 once the game is over) and `winner` (None while the game runs, then 0, 1 or "draw").
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
BASE = 10
DIAMETER = 2 * BASE - 1
DRAW = "draw"
PLAYER_NAMES = {0: "Player 1", 1: "Player 2"}

COORDS = [(k, r) for k in range(1, DIAMETER + 1) for r in range(1, DIAMETER + 1) if abs(k - r) < BASE]
LABEL_OF = {(k, r): f"{chr(ord('A') + k - 1)}{r}" for k, r in COORDS}
CELLS = sorted(LABEL_OF.values(), key=lambda label: (len(label), label))  # reference legal order
CELL_SET = frozenset(CELLS)
NEIGHBOURS = {
    LABEL_OF[(k, r)]: [
        LABEL_OF[(k + dk, r + dr)]
        for dk, dr in ((-1, 0), (1, 0), (0, -1), (0, 1), (1, 1), (-1, -1))
        if (k + dk, r + dr) in LABEL_OF
    ]
    for k, r in COORDS
}
CORNERS = frozenset(
    LABEL_OF[cell] for cell in ((1, 1), (1, BASE), (BASE, 1), (BASE, DIAMETER), (DIAMETER, BASE), (DIAMETER, DIAMETER))
)
EDGE_CELLS = frozenset(label for label, neighbours in NEIGHBOURS.items() if len(neighbours) < 6)


def get_initial_state() -> State:
    """The empty board with player 0 to move."""
    return {"board": {}, "current_player": 0, "winner": None}


def get_current_player(state: State) -> int:
    """0 or 1 while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 1` for id 0, `Player 2` for id 1, `Terminal` otherwise."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """Every empty cell's label, shorter labels first, then alphabetically; [] once the game is over."""
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
    if _touches_two_corners(board, action, player) or _closes_ring(board, action, player):
        winner: Any = player
    elif len(board) == len(CELLS):
        winner = DRAW
    else:
        winner = None
    return {"board": board, "current_player": 1 - player if winner is None else TERMINAL, "winner": winner}


def get_rewards(state: State) -> list[float]:
    """[1.0, -1.0] if player 0 won, [-1.0, 1.0] if player 1 won, [0.0, 0.0] otherwise."""
    if state["winner"] == 0:
        return [1.0, -1.0]
    if state["winner"] == 1:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the occupied cells (label -> owner), the player to move and whether it is over."""
    return [_observation(state), _observation(state)]


def _touches_two_corners(board: dict[str, int], start: str, player: int) -> bool:
    """Bridge test (a fork, three corners, implies it): the new stone's group holds two corners."""
    corners = 0
    seen = {start}
    stack = [start]
    while stack:
        cell = stack.pop()
        if cell in CORNERS:
            corners += 1
            if corners >= 2:
                return True
        for neighbour in NEIGHBOURS[cell]:
            if neighbour not in seen and board.get(neighbour) == player:
                seen.add(neighbour)
                stack.append(neighbour)
    return False


def _closes_ring(board: dict[str, int], placed: str, player: int) -> bool:
    """Whether the stone `player` just placed on `placed` closes a ring."""
    # Only the new stone can cut a region of non-mover cells off from the edge, and only the new stone
    # or its neighbours can become an inner own stone with six own neighbours.
    neighbours = NEIGHBOURS[placed]
    own = [cell for cell in neighbours if board.get(cell) == player]
    for cell in [placed, *own]:
        if cell not in EDGE_CELLS and all(board.get(n) == player for n in NEIGHBOURS[cell]):
            return True
    # With at most one own neighbour the other neighbours stay linked around the new stone, and each
    # piece of them holds an edge cell when the new stone is itself an edge cell: nothing is cut off.
    if len(own) < 2:
        return False
    reaches_edge: set[str] = set()
    for start in neighbours:
        if board.get(start) == player or start in reaches_edge:
            continue
        region = {start}
        stack = [start]
        found_edge = start in EDGE_CELLS
        while stack and not found_edge:
            cell = stack.pop()
            for neighbour in NEIGHBOURS[cell]:
                if neighbour in region or board.get(neighbour) == player:
                    continue
                if neighbour in EDGE_CELLS or neighbour in reaches_edge:
                    found_edge = True
                    break
                region.add(neighbour)
                stack.append(neighbour)
        if not found_edge:
            return True
        reaches_edge |= region
    return False


def _observation(state: State) -> dict[str, Any]:
    """The public view of the game, shared by both players."""
    return {
        "board": dict(state["board"]),
        "current_player": state["current_player"],
        "terminal": state["current_player"] == TERMINAL,
    }
