"""Backgammon: the reference GameCWM.

Two players race 15 checkers each around 24 points and bear them off. Every turn is a chance roll of
two dice (`D_<a>_<b>`, 36 ordered outcomes) followed by one action describing the whole turn: the
single moves `<from>/<to>` joined by `,` (e.g. `8/5,6/5`, `bar/22,13/7`), or `pass`. As many dice as
possible must be used, and the larger die when only one can be. Player 0 moves toward point 1 and
bears off below it; player 1 moves toward point 24 and bears off above it. First to bear off all 15
checkers wins (+1/-1); no doubling cube, gammons or backgammons. 1000 player actions without a
winner end in a draw.

State: `points` (24 signed checker counts, index i for point i + 1: positive for player 0, negative for
player 1), `bar` and `borne_off` (checker counts per player), `dice` (the dice still to play, [] before
the roll), `player` (whose turn it is, also while its dice are rolled), `current_player` (-1 before the
roll, then `player`; -4 once the game is over), `turn` (player actions so far) and `winner` (0, 1 or
None).
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
CHECKERS = 15
MAX_TURNS = 1000
PLAYER_NAMES = {0: "Player 0", 1: "Player 1", CHANCE: "Chance", TERMINAL: "Terminal"}
ROLLS = tuple(f"D_{a}_{b}" for a in range(1, 7) for b in range(1, 7))
ROLL_DICE = {f"D_{a}_{b}": ([a] * 4 if a == b else [a, b]) for a in range(1, 7) for b in range(1, 7)}
ROLL_PROBABILITY = 1.0 / 36.0
# The board is a list of 24 signed counts, index i for point i + 1: positive counts are player 0's
# checkers, negative counts player 1's. SIGN[p] turns a count into "own checkers of p".
SIGN = (1, -1)
# Indices of the points outside each player's home board (player 0: points 7-24, player 1: 1-18).
OUTSIDE_HOME = (range(6, 24), range(0, 18))


def _initial_points() -> list[int]:
    """Checker counts on points 1-24 at the start (positive: player 0, negative: player 1)."""
    points = [0] * 24
    for point, count in ((24, 2), (13, 5), (8, 3), (6, 5)):
        points[point - 1] += count
    for point, count in ((1, 2), (12, 5), (17, 3), (19, 5)):
        points[point - 1] -= count
    return points


INITIAL_POINTS = _initial_points()


def get_initial_state() -> State:
    """The standard starting position; a chance node (no dice yet) with player 0 due to move."""
    return {
        "points": list(INITIAL_POINTS),
        "bar": [0, 0],
        "borne_off": [0, 0],
        "dice": [],
        "player": 0,
        "current_player": CHANCE,
        "turn": 0,
        "winner": None,
    }


def get_current_player(state: State) -> int:
    """-1 while the dice are to be rolled, then the player whose turn it is; -4 once the game is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, `Chance` (-1), `Terminal` (-4), or `Unknown` for any other id."""
    return PLAYER_NAMES.get(player_id, "Unknown")


def get_legal_actions(state: State) -> list[str]:
    """At a chance node the 36 ordered rolls; otherwise every whole-turn string using as many dice as
    possible (the larger die when only one die can be used), sorted, or just `pass`."""
    if state["current_player"] == TERMINAL:
        return []
    if not state["dice"]:
        return list(ROLLS)
    return _turn_actions(state)


def apply_action(state: State, action: str) -> State:
    """Roll the dice or play a whole turn; raises ValueError for anything not legal."""
    if not isinstance(action, str):
        raise ValueError(f"illegal action {action!r}: an action is a string")
    if state["current_player"] == TERMINAL:
        raise ValueError(f"illegal action {action!r}: the game is over")
    if not state["dice"]:
        if action not in ROLL_DICE:
            raise ValueError(f"illegal chance outcome {action!r}")
        next_state = dict(state)
        next_state["dice"] = list(ROLL_DICE[action])
        next_state["current_player"] = state["player"]
        return next_state
    # Equivalent to membership in get_legal_actions, without listing every turn (doubles can have thousands).
    if not _is_legal_turn(state, action):
        raise ValueError(f"illegal action {action!r}")
    player = state["player"]
    points = list(state["points"])
    bar = list(state["bar"])
    borne_off = list(state["borne_off"])
    if action != "pass":
        for move in action.split(","):
            source, target = move.split("/")
            _move_checker(
                points, bar, borne_off, player,
                -1 if source == "bar" else int(source) - 1,
                -1 if target == "off" else int(target) - 1,
            )
    turn = state["turn"] + 1
    won = borne_off[player] == CHECKERS
    return {
        "points": points,
        "bar": bar,
        "borne_off": borne_off,
        "dice": [],
        "player": 1 - player,
        "current_player": TERMINAL if won or turn >= MAX_TURNS else CHANCE,
        "turn": turn,
        "winner": player if won else None,
    }


def get_rewards(state: State) -> list[float]:
    """+1/-1 to the winner/loser; a draw at the move cap and every running state give 0/0."""
    winner = state["winner"]
    if winner is None:
        return [0.0, 0.0]
    return [1.0, -1.0] if winner == 0 else [-1.0, 1.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the board, bars, borne-off counts, dice, the player to move and the turn number."""
    return [_observation(state), _observation(state)]


def get_chance_outcomes(state: State) -> list[tuple[str, float]]:
    """The 36 ordered rolls, each with probability 1/36 (so a given double has 1/36 and any other
    pair of values 2/36); empty away from chance nodes."""
    if get_current_player(state) != CHANCE:
        return []
    return [(roll, ROLL_PROBABILITY) for roll in ROLLS]


def _observation(state: State) -> dict[str, Any]:
    """The public view of the position, shared by both players."""
    board = {}
    for index, count in enumerate(state["points"]):
        if count > 0:
            board[index + 1] = (count, 0)
        elif count < 0:
            board[index + 1] = (-count, 1)
    return {
        "board": board,
        "bar": {0: state["bar"][0], 1: state["bar"][1]},
        "borne_off": {0: state["borne_off"][0], 1: state["borne_off"][1]},
        "dice": list(state["dice"]),
        "current_player": get_current_player(state),
        "turn": state["turn"],
    }


def _move_checker(
    points: list[int], bar: list[int], borne_off: list[int], player: int, source: int, target: int
) -> None:
    """Move one checker of `player` in place, hitting a lone opposing checker on the target."""
    # Index -1 stands for the bar as `source` and for off the board as `target`.
    sign = SIGN[player]
    if source < 0:
        bar[player] -= 1
    else:
        points[source] -= sign
    if target < 0:
        borne_off[player] += 1
        return
    if points[target] == -sign:
        points[target] = 0
        bar[1 - player] += 1
    points[target] += sign


def _single_moves(points: list[int], bar: list[int], player: int, die: int) -> list[tuple[int, int, str]]:
    """Every single move of `player` with one die as (source index, target index, text)."""
    # Index -1 stands for the bar as the source and for off the board as the target.
    sign = SIGN[player]
    if bar[player]:
        entry = 24 - die if player == 0 else die - 1
        if points[entry] * sign >= -1:
            return [(-1, entry, f"bar/{entry + 1}")]
        return []
    moves = []
    can_bear_off = not any(points[i] * sign > 0 for i in OUTSIDE_HOME[player])
    step = -die if player == 0 else die
    for index in range(24):
        if points[index] * sign <= 0:
            continue
        target = index + step
        if 0 <= target < 24:
            if points[target] * sign >= -1:
                moves.append((index, target, f"{index + 1}/{target + 1}"))
        elif can_bear_off and (target in (-1, 24) or _is_farthest(points, player, index)):
            moves.append((index, -1, f"{index + 1}/off"))
    return moves


def _is_farthest(points: list[int], player: int, index: int) -> bool:
    """Whether no checker of `player` stands farther from home than the one on `index` (home board only)."""
    if player == 0:
        return not any(points[i] > 0 for i in range(index + 1, 6))
    return not any(points[i] < 0 for i in range(18, index))


def _is_legal_turn(state: State, action: str) -> bool:
    """Whether `action` is one of the turn strings get_legal_actions would list."""
    player = state["player"]
    dice = state["dice"]
    points = list(state["points"])
    bar = list(state["bar"])
    borne_off = list(state["borne_off"])
    most = _max_dice_used(points, bar, borne_off, player, list(dice))
    if action == "pass":
        return most == 0
    moves = action.split(",")
    if len(moves) != most or not _can_play(points, bar, borne_off, player, list(dice), moves, 0):
        return False
    if most == 1 and len(dice) == 2 and dice[0] != dice[1]:
        larger = _single_moves(points, bar, player, max(dice))
        if larger:
            return any(text == moves[0] for _, _, text in larger)
    return True


def _can_play(
    points: list[int], bar: list[int], borne_off: list[int], player: int, dice: list[int], moves: list[str], index: int
) -> bool:
    """Whether moves[index:] can be played in order, each with one of the remaining dice."""
    if index == len(moves):
        return True
    tried = set()
    for position, die in enumerate(dice):
        if die in tried:
            continue
        tried.add(die)
        for source, target, text in _single_moves(points, bar, player, die):
            if text != moves[index]:
                continue
            saved = (points[:], bar[:], borne_off[:])
            _move_checker(points, bar, borne_off, player, source, target)
            ok = _can_play(points, bar, borne_off, player, dice[:position] + dice[position + 1 :], moves, index + 1)
            points[:], bar[:], borne_off[:] = saved
            if ok:
                return True
    return False


def _max_dice_used(points: list[int], bar: list[int], borne_off: list[int], player: int, dice: list[int]) -> int:
    """The largest number of the dice that some sequence of single moves can use."""
    best = 0
    tried = set()
    for position, die in enumerate(dice):
        if die in tried:
            continue
        tried.add(die)
        for source, target, _ in _single_moves(points, bar, player, die):
            saved = (points[:], bar[:], borne_off[:])
            _move_checker(points, bar, borne_off, player, source, target)
            used = 1 + _max_dice_used(points, bar, borne_off, player, dice[:position] + dice[position + 1 :])
            points[:], bar[:], borne_off[:] = saved
            if used == len(dice):
                return used
            best = max(best, used)
    return best


def _turn_actions(state: State) -> list[str]:
    """Every legal whole-turn action for the dice rolled, or `pass` when none exists."""
    player = state["player"]
    dice = state["dice"]
    points = list(state["points"])
    bar = list(state["bar"])
    borne_off = list(state["borne_off"])
    # found[k] maps the text of each finished sequence of k single moves to the die it used first.
    found: dict[int, dict[str, int]] = {}
    _search(points, bar, borne_off, player, list(dice), [], 0, found)
    most = max(found) if found else 0
    if most == 0:
        return ["pass"]
    best = found[most]
    if most == 1 and len(dice) == 2 and dice[0] != dice[1]:
        larger = max(dice)
        with_larger = [text for text, die in best.items() if die == larger]
        if with_larger:
            return sorted(with_larger)
    return sorted(best)


def _search(
    points: list[int],
    bar: list[int],
    borne_off: list[int],
    player: int,
    dice: list[int],
    moves: list[str],
    first_die: int,
    found: dict[int, dict[str, int]],
) -> None:
    """Record in `found`, by length, each move sequence with the remaining `dice` that cannot be extended."""
    # Depth-first; which length is maximal is decided by the caller afterwards.
    extended = False
    tried = set()
    for position, die in enumerate(dice):
        if die in tried:
            continue  # equal dice give identical continuations
        tried.add(die)
        rest = dice[:position] + dice[position + 1 :]
        for source, target, text in _single_moves(points, bar, player, die):
            extended = True
            saved = (points[:], bar[:], borne_off[:])
            _move_checker(points, bar, borne_off, player, source, target)
            _search(points, bar, borne_off, player, rest, moves + [text], first_die or die, found)
            points[:], bar[:], borne_off[:] = saved
    if not extended and moves:
        level = found.setdefault(len(moves), {})
        # A string made with the larger die is preferred for the larger-die rule.
        text = ",".join(moves)
        level[text] = max(level.get(text, 0), first_die)
