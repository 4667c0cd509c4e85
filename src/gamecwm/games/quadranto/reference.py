"""Quadranto: the reference GameCWM.

A pursuit game on a 4x4 grid. Chance places player 0 on a random cell of the top-left quadrant and
player 1 on a random cell of the bottom-right quadrant (`place_p0:<row>,<col>`, `place_p1:<row>,<col>`).
Then the players alternate, player 0 first, each moving one step (`Up`, `Down`, `Left`, `Right`) or
`Stay`. A mover that steps onto the opponent's cell wins; after 20 player moves without a capture the
game is a draw. A player sees its own cell and only the quadrant (1-4) of the opponent's cell.

State: `p0_loc` and `p1_loc` (each player's [row, col], None until placed), `moves` (player moves so
far), `current_player` (-1 while placing, 0, 1, -4 once the game is over) and `status` ("setup", "playing",
"p0_won", "p1_won" or "draw").
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
SIZE = 4
MOVE_LIMIT = 20
PLAYER_NAMES = {0: "Player 0", 1: "Player 1", CHANCE: "Chance"}
# Alphabetical, which is the reference order of the legal list.
MOVES = (("Down", 1, 0), ("Left", 0, -1), ("Right", 0, 1), ("Stay", 0, 0), ("Up", -1, 0))
MOVE_DELTAS = {name: (dr, dc) for name, dr, dc in MOVES}
MOVE_BY_DELTA = {(dr, dc): name for name, dr, dc in MOVES}
CELLS = [(r, c) for r in range(SIZE) for c in range(SIZE)]
LEGAL_MOVES = {
    cell: [name for name, dr, dc in MOVES if 0 <= cell[0] + dr < SIZE and 0 <= cell[1] + dc < SIZE]
    for cell in CELLS
}
# Cells reachable in one move (Stay included), per cell.
NEIGHBOURS = {
    cell: [(cell[0] + MOVE_DELTAS[m][0], cell[1] + MOVE_DELTAS[m][1]) for m in LEGAL_MOVES[cell]] for cell in CELLS
}
QUADRANT = {(r, c): 1 + (c >= 2) + 2 * (r >= 2) for r, c in CELLS}
QUADRANT_CELLS = {q: [cell for cell in CELLS if QUADRANT[cell] == q] for q in (1, 2, 3, 4)}
PLACE_P0 = {f"place_p0:{r},{c}": [r, c] for r, c in QUADRANT_CELLS[1]}
PLACE_P1 = {f"place_p1:{r},{c}": [r, c] for r, c in QUADRANT_CELLS[4]}
STATUS_BY_WINNER = ("p0_won", "p1_won")


def get_initial_state() -> State:
    """Nobody placed yet: chance places player 0 first."""
    return {"p0_loc": None, "p1_loc": None, "moves": 0, "current_player": CHANCE, "status": "setup"}


def get_current_player(state: State) -> int:
    """-1 during the two placements, 0 or 1 while playing, -4 once the game is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Chance`, `Player 0`, `Player 1`, or `Terminal` for any other id."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """The four placements of the quadrant being filled, or the on-grid moves of the mover."""
    player = state["current_player"]
    if player == CHANCE:
        return list(PLACE_P0) if state["p0_loc"] is None else list(PLACE_P1)
    if player == TERMINAL:
        return []
    row, col = state["p0_loc"] if player == 0 else state["p1_loc"]
    return list(LEGAL_MOVES[(row, col)])


def apply_action(state: State, action: str) -> State:
    """Place a player or move the mover; raises ValueError for anything not legal."""
    if action not in get_legal_actions(state):
        raise ValueError(f"illegal action {action!r}")
    next_state = dict(state)
    player = state["current_player"]
    if player == CHANCE:
        if state["p0_loc"] is None:
            next_state["p0_loc"] = list(PLACE_P0[action])
        else:
            next_state["p1_loc"] = list(PLACE_P1[action])
            next_state["current_player"] = 0
            next_state["status"] = "playing"
        return next_state
    key, other = ("p0_loc", "p1_loc") if player == 0 else ("p1_loc", "p0_loc")
    dr, dc = MOVE_DELTAS[action]
    row, col = state[key]
    destination = [row + dr, col + dc]
    next_state[key] = destination
    if action != "Stay" and destination == state[other]:
        next_state["status"] = STATUS_BY_WINNER[player]
        next_state["current_player"] = TERMINAL
        return next_state
    moves = state["moves"] + 1
    next_state["moves"] = moves
    if moves >= MOVE_LIMIT:
        next_state["status"] = "draw"
        next_state["current_player"] = TERMINAL
    else:
        next_state["current_player"] = 1 - player
    return next_state


def get_rewards(state: State) -> list[float]:
    """+1/-1 for a capture, 0/0 for a draw and every state before the end."""
    status = state["status"]
    if status == "p0_won":
        return [1.0, -1.0]
    if status == "p1_won":
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Empty during the placements; afterwards the own cell and the opponent's quadrant."""
    p0_loc, p1_loc = state["p0_loc"], state["p1_loc"]
    if p0_loc is None or p1_loc is None:
        return [{}, {}]
    return [
        {"loc": list(p0_loc), "opponent_quadrant": QUADRANT[(p1_loc[0], p1_loc[1])]},
        {"loc": list(p1_loc), "opponent_quadrant": QUADRANT[(p0_loc[0], p0_loc[1])]},
    ]


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """Both placements and an opponent path that fits every observed quadrant, then the own moves.

    The opponent's path is a walk through per-turn sets of allowed cells (the observed quadrant, never
    on the player's cell or the cell the player moves to next); it is drawn step by step among the
    cells from which the rest of the record can still be met, so every consistent path is possible.
    """
    if not obs_action_history:
        return []
    own_cells = [tuple(obs["loc"]) for obs, _ in obs_action_history]
    own_actions = [action for _, action in obs_action_history]
    allowed = _opponent_cells_per_turn(obs_action_history)
    if player_id == 1:
        allowed.insert(0, QUADRANT_CELLS[1])  # player 0's start, before its first move
    path = _sample_walk(allowed)
    own_start, opponent_start = own_cells[0], path[0]
    starts = (own_start, opponent_start) if player_id == 0 else (opponent_start, own_start)
    history = [f"place_p0:{starts[0][0]},{starts[0][1]}", f"place_p1:{starts[1][0]},{starts[1][1]}"]
    opponent_moves = [_move_name(a, b) for a, b in zip(path, path[1:])]
    if player_id == 1:
        history.append(opponent_moves.pop(0))
    for turn, action in enumerate(own_actions):
        if action is None:
            break
        history.append(action)
        if turn < len(opponent_moves):
            history.append(opponent_moves[turn])
    return history


def _opponent_cells_per_turn(obs_action_history: list[tuple[Any, str | None]]) -> list[list[tuple[int, int]]]:
    """Where the opponent may stand at each of the player's turns."""
    last = len(obs_action_history) - 1
    allowed = []
    for turn, (obs, action) in enumerate(obs_action_history):
        own = tuple(obs["loc"])
        forbidden = {own}
        if turn < last and action is not None:
            dr, dc = MOVE_DELTAS[action]
            forbidden.add((own[0] + dr, own[1] + dc))  # the player's move did not capture
        allowed.append([cell for cell in QUADRANT_CELLS[obs["opponent_quadrant"]] if cell not in forbidden])
    return allowed


def _sample_walk(allowed: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """A random walk (one move or Stay per step) through the allowed cells of each step."""
    feasible = [set(cells) for cells in allowed]
    for step in range(len(allowed) - 2, -1, -1):
        ahead = feasible[step + 1]
        feasible[step] = {cell for cell in feasible[step] if any(n in ahead for n in NEIGHBOURS[cell])}
    if not feasible[0]:
        raise ValueError("no opponent path fits these observations")
    path = [random.choice(sorted(feasible[0]))]
    for step in range(1, len(allowed)):
        options = [n for n in NEIGHBOURS[path[-1]] if n in feasible[step]]
        path.append(random.choice(options))
    return path


def _move_name(source: tuple[int, int], target: tuple[int, int]) -> str:
    """The name of the one-step move from `source` to `target`."""
    return MOVE_BY_DELTA[(target[0] - source[0], target[1] - source[1])]
