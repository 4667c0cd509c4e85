"""Battleship on two 4x4 grids: the reference GameCWM.

Each player's fleet is a two-cell ship (horizontal or vertical) and a one-cell ship that does not overlap
it. Two chance actions place the fleets, `place_p0:<layout>` then `place_p1:<layout>`, each uniform over
the 336 layouts `<a>_<b>|<s>` (cells written `<row><col>`, the long ship's lower cell first). The players
then alternate single shots `fire_<r>_<c>`, player 0 first, never firing twice at a cell; the first player
to hit all three enemy ship cells wins.

State: `layouts` (each player's fleet layout name, None until chance places it), `shots` (each
player's fired cells, as indices r * 4 + c, in order), `hits` (the fired cells that hit), `current_player`
(-1 while placing, 0 or 1, -4 once the game is over) and `winner` (0, 1 or None).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
SIZE = 4
CELLS = [(r, c) for r in range(SIZE) for c in range(SIZE)]  # index r * SIZE + c
FLEET_CELLS = 3
PLACE_PREFIXES = ("place_p0:", "place_p1:")
PLAYER_NAMES = {0: "Player 0", 1: "Player 1", CHANCE: "Chance", TERMINAL: "Terminal"}
FIRE_ACTIONS = [f"fire_{r}_{c}" for r, c in CELLS]
FIRE_CELL = {action: index for index, action in enumerate(FIRE_ACTIONS)}


def _layout_table() -> dict[str, tuple[int, int, int]]:
    """Every layout string mapped to its cell indices (long ship's two cells, then the single)."""
    long_ships = [(r * SIZE + c, r * SIZE + c + 1) for r in range(SIZE) for c in range(SIZE - 1)]
    long_ships += [(r * SIZE + c, (r + 1) * SIZE + c) for r in range(SIZE - 1) for c in range(SIZE)]
    name = lambda index: f"{index // SIZE}{index % SIZE}"  # noqa: E731
    table = {}
    for a, b in long_ships:
        for single in range(SIZE * SIZE):
            if single not in (a, b):
                table[f"{name(a)}_{name(b)}|{name(single)}"] = (a, b, single)
    return dict(sorted(table.items()))


LAYOUTS = _layout_table()  # 336 layouts in ascending string order
PLACE_ACTIONS = [[prefix + layout for layout in LAYOUTS] for prefix in PLACE_PREFIXES]
PLACE_LAYOUT = [{prefix + layout: layout for layout in LAYOUTS} for prefix in PLACE_PREFIXES]
LAYOUT_SETS = {layout: frozenset(cells) for layout, cells in LAYOUTS.items()}


def get_initial_state() -> State:
    """No fleets and no shots; chance places player 0's fleet first."""
    return {
        "layouts": [None, None],
        "shots": [[], []],
        "hits": [[], []],
        "current_player": CHANCE,
        "winner": None,
    }


def get_current_player(state: State) -> int:
    """-1 while fleets are placed, then 0 or 1 alternately, -4 once someone has won."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, `Chance`, `Terminal`, or `Unknown` for any other id."""
    return PLAYER_NAMES.get(player_id, "Unknown")


def get_legal_actions(state: State) -> list[str]:
    """The 336 layouts of the fleet being placed, or one shot per cell the mover has not fired at."""
    player = state["current_player"]
    if player == CHANCE:
        return list(PLACE_ACTIONS[0 if state["layouts"][0] is None else 1])
    if player == TERMINAL:
        return []
    fired = set(state["shots"][player])
    return [action for index, action in enumerate(FIRE_ACTIONS) if index not in fired]


def apply_action(state: State, action: str) -> State:
    """Place a fleet or fire a shot; raises ValueError for anything not legal."""
    if not isinstance(action, str):
        raise ValueError(f"illegal action {action!r}: an action is a string")
    player = state["current_player"]
    if player == CHANCE:
        placing = 0 if state["layouts"][0] is None else 1
        layout = PLACE_LAYOUT[placing].get(action)
        if layout is None:
            raise ValueError(f"illegal action {action!r}")
        layouts = list(state["layouts"])
        layouts[placing] = layout
        next_state = dict(state)
        next_state["layouts"] = layouts
        next_state["current_player"] = CHANCE if placing == 0 else 0
        return next_state
    cell = FIRE_CELL.get(action)
    if player == TERMINAL or cell is None or cell in state["shots"][player]:
        raise ValueError(f"illegal action {action!r}")
    shots = list(state["shots"])
    shots[player] = shots[player] + [cell]
    next_state = dict(state)
    next_state["shots"] = shots
    next_state["current_player"] = 1 - player
    if cell in LAYOUT_SETS[state["layouts"][1 - player]]:
        hits = list(state["hits"])
        hits[player] = hits[player] + [cell]
        next_state["hits"] = hits
        if len(hits[player]) == FLEET_CELLS:
            next_state["current_player"] = TERMINAL
            next_state["winner"] = player
    return next_state


def get_rewards(state: State) -> list[float]:
    """+1 to the winner and -1 to the loser; 0/0 before the end."""
    winner = state["winner"]
    if winner is None:
        return [0.0, 0.0]
    return [1.0, -1.0] if winner == 0 else [-1.0, 1.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Own fleet, own shots and hits, the opponent's shots and hits; the enemy fleet only at the end."""
    layouts = state["layouts"]
    if layouts[1] is None:
        return [{}, {}]
    shots, hits = state["shots"], state["hits"]
    winner = state["winner"]
    observations = []
    for player in (0, 1):
        opponent = 1 - player
        observation = {
            "my_ships": _ships(layouts[player]),
            "my_shots": [CELLS[index] for index in shots[player]],
            "my_hits": [CELLS[index] for index in hits[player]],
            "opponent_shots_at_me": [CELLS[index] for index in shots[opponent]],
            "opponent_hits_on_me": [CELLS[index] for index in hits[opponent]],
        }
        if winner is not None:
            observation["opponent_ships"] = _ships(layouts[opponent])
            observation["winner"] = winner
        observations.append(observation)
    return observations


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """Own layout, an opponent layout drawn uniformly from those fitting the player's hits and misses,
    then the shots of both players interleaved, player 0 first."""
    if not obs_action_history:
        return []
    last_observation = obs_action_history[-1][0]
    own_layout = _layout_of(last_observation["my_ships"])
    if "opponent_ships" in last_observation:
        opponent_layout = _layout_of(last_observation["opponent_ships"])
    else:
        opponent_layout = random.choice(_consistent_layouts(last_observation["my_shots"], last_observation["my_hits"]))
    layouts = [own_layout, opponent_layout] if player_id == 0 else [opponent_layout, own_layout]
    history = [PLACE_PREFIXES[0] + layouts[0], PLACE_PREFIXES[1] + layouts[1]]
    own_shots = [action for _, action in obs_action_history if action is not None]
    opponent_shots = [f"fire_{r}_{c}" for r, c in last_observation["opponent_shots_at_me"]]
    shots = [own_shots, opponent_shots] if player_id == 0 else [opponent_shots, own_shots]
    for turn in range(len(shots[0])):
        history.append(shots[0][turn])
        if turn < len(shots[1]):
            history.append(shots[1][turn])
    return history


def _ships(layout: str) -> list[list[tuple[int, int]]]:
    """The two ships of a layout as lists of (row, col) cells, the 2-cell ship first."""
    a, b, single = LAYOUTS[layout]
    return [[CELLS[a], CELLS[b]], [CELLS[single]]]


def _layout_of(ships: list[list[tuple[int, int]]]) -> str:
    """The layout name of two ships given as lists of (row, col) cells."""
    (a, b), (single,) = ships
    return f"{a[0]}{a[1]}_{b[0]}{b[1]}|{single[0]}{single[1]}"


def _consistent_layouts(shots: list[tuple[int, int]], hits: list[tuple[int, int]]) -> list[str]:
    """The layouts holding every hit cell and no missed cell."""
    hit_cells = {r * SIZE + c for r, c in hits}
    missed_cells = {r * SIZE + c for r, c in shots} - hit_cells
    return [
        layout for layout, cells in LAYOUT_SETS.items() if hit_cells <= cells and not (missed_cells & cells)
    ]
