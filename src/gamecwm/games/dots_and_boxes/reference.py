"""Dots and Boxes (3x3 dots, 2x2 boxes, 12 lines): the reference GameCWM.

Players take turns drawing a line between two adjacent dots. Drawing the fourth side of a box claims
it and earns another move. When all 12 lines are drawn, the player with more boxes wins.
Actions are `h_<r>_<c>` (dot (r,c) to (r,c+1)) and `v_<r>_<c>` (dot (r,c) to (r+1,c)).

State: `drawn` (one bool per line, in the order of the line actions), `box_owners` (2 rows of 2, each
None, 0 or 1), `scores` (boxes per player) and `current_player` (0, 1, or -4 once the game is over).
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

TERMINAL = -4
BOX_ROWS = 2
BOX_COLS = 2
PLAYER_NAMES = {0: "Player 0", 1: "Player 1", TERMINAL: "Terminal"}

# The fixed order of all lines: horizontal lines row-major, then vertical lines row-major.
LINES = tuple(
    [f"h_{r}_{c}" for r in range(BOX_ROWS + 1) for c in range(BOX_COLS)]
    + [f"v_{r}_{c}" for r in range(BOX_ROWS) for c in range(BOX_COLS + 1)]
)
LINE_INDEX = {line: index for index, line in enumerate(LINES)}
BOXES = tuple((r, c) for r in range(BOX_ROWS) for c in range(BOX_COLS))
# The four sides (line indices) of each box, and the boxes each line borders.
BOX_SIDES = {
    (r, c): (
        LINE_INDEX[f"h_{r}_{c}"],
        LINE_INDEX[f"h_{r + 1}_{c}"],
        LINE_INDEX[f"v_{r}_{c}"],
        LINE_INDEX[f"v_{r}_{c + 1}"],
    )
    for r, c in BOXES
}
LINE_BOXES = tuple(tuple(box for box in BOXES if index in BOX_SIDES[box]) for index in range(len(LINES)))


def get_initial_state() -> State:
    """No line drawn, no box claimed, player 0 to move."""
    return {
        "drawn": [False] * len(LINES),
        "box_owners": [[None] * BOX_COLS for _ in range(BOX_ROWS)],
        "scores": [0, 0],
        "current_player": 0,
    }


def get_current_player(state: State) -> int:
    """0 or 1 while lines remain, -4 once all lines are drawn."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, `Terminal` for -4, `Unknown` for anything else."""
    return PLAYER_NAMES.get(player_id, "Unknown")


def get_legal_actions(state: State) -> list[str]:
    """Every undrawn line, in the fixed line order; empty at the end."""
    if state["current_player"] == TERMINAL:
        return []
    drawn = state["drawn"]
    return [line for index, line in enumerate(LINES) if not drawn[index]]


def apply_action(state: State, action: str) -> State:
    """Draw a line; a completed box is claimed and the mover moves again. Raises ValueError if illegal."""
    index = LINE_INDEX.get(action) if isinstance(action, str) else None
    if index is None or state["current_player"] == TERMINAL or state["drawn"][index]:
        raise ValueError(f"illegal action {action!r}")
    player = state["current_player"]
    drawn = list(state["drawn"])
    drawn[index] = True
    owners = [list(row) for row in state["box_owners"]]
    scores = list(state["scores"])
    completed = [box for box in LINE_BOXES[index] if all(drawn[side] for side in BOX_SIDES[box])]
    for r, c in completed:
        owners[r][c] = player
        scores[player] += 1
    if all(drawn):
        next_player = TERMINAL
    elif completed:
        next_player = player
    else:
        next_player = 1 - player
    return {"drawn": drawn, "box_owners": owners, "scores": scores, "current_player": next_player}


def get_rewards(state: State) -> list[float]:
    """At the end +1/-1 for more/fewer boxes, 0/0 for 2-2; 0/0 before the end."""
    if state["current_player"] != TERMINAL:
        return [0.0, 0.0]
    boxes0, boxes1 = state["scores"]
    if boxes0 > boxes1:
        return [1.0, -1.0]
    if boxes1 > boxes0:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the drawn lines, the box owners, the scores and the player to move."""
    return [_observation(state), _observation(state)]


def _observation(state: State) -> dict[str, Any]:
    """The public view of the game, shared by both players."""
    drawn = state["drawn"]
    owners = state["box_owners"]
    return {
        "drawn_lines": [line for index, line in enumerate(LINES) if drawn[index]],
        "box_owners": {(r, c): owners[r][c] for r, c in BOXES if owners[r][c] is not None},
        "scores": list(state["scores"]),
        "current_player": state["current_player"],
    }
