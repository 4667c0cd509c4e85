"""Programs used to calibrate the verifier and in the demo.

Programs that do not play their game at all must score at most 0.2 on any game: a property that holds
only vacuously earns nothing. Wrong programs (the reference with its winner reversed, constant
rewards, no end, ...) must fail, and score at most 0.5 (0.6 for information errors).
"""

from __future__ import annotations

from gamecwm.protocol import IMPERFECT_INFORMATION_FUNCTIONS

OVER_AT_THE_START = '''
def get_initial_state():
    return {"over": True}
def get_current_player(state):
    return -4
def get_player_name(player_id):
    return "Player %d" % player_id
def get_legal_actions(state):
    return []
def apply_action(state, action):
    raise ValueError(action)
def get_rewards(state):
    return [0.0, 0.0]
def get_observations(state):
    return [dict(state), dict(state)]
def resample_history(obs_action_history, player_id):
    return []
'''


def _crashing_everywhere() -> str:
    """A program that defines every protocol function, each taking its arguments and raising."""
    definitions = []
    for name, arity in IMPERFECT_INFORMATION_FUNCTIONS.items():
        parameters = ", ".join(f"arg{index}" for index in range(arity))
        definitions.append(f'def {name}({parameters}):\n    raise RuntimeError("not implemented")\n')
    return "\n" + "".join(definitions)


CRASHING_EVERYWHERE = _crashing_everywhere()

ONE_MOVE_FOREVER = '''
def get_initial_state():
    return {"turn": 0, "moves": 0}
def get_current_player(state):
    return state["turn"]
def get_player_name(player_id):
    return "Player %d" % player_id
def get_legal_actions(state):
    return ["move"]
def apply_action(state, action):
    if action != "move":
        raise ValueError(action)
    return {"turn": 1 - state["turn"], "moves": state["moves"] + 1}
def get_rewards(state):
    return [0.0, 0.0]
def get_observations(state):
    return [dict(state), dict(state)]
def resample_history(obs_action_history, player_id):
    return ["move"] * (2 * len(obs_action_history))
'''

IMPORTS_ONLY = '''
import random
import itertools
from typing import Any
'''

NON_PLAYING_STUBS = {
    "over_at_the_start": OVER_AT_THE_START,
    "crashing_everywhere": CRASHING_EVERYWHERE,
    "one_move_forever": ONE_MOVE_FOREVER,
    "imports_only": IMPORTS_ONLY,
}


# Wrong programs: a reference with one aspect of the game broken, written as wrappers appended to the
# reference's source (so the rest of the game stays exactly right). Each maps a name to the code appended.
WINNER_REVERSED = '''

_true_rewards = get_rewards


def get_rewards(state):
    rewards = list(_true_rewards(state))
    return [rewards[1], rewards[0]]
'''

CONSTANT_REWARDS = '''

def get_rewards(state):
    return [0.0, 0.0]
'''

NEVER_ENDS = '''

_true_player = get_current_player
_true_legal = get_legal_actions
_true_apply = apply_action


def get_current_player(state):
    player = _true_player(state)
    return 0 if player == -4 else player


def get_legal_actions(state):
    return ["continue"] if _true_player(state) == -4 else _true_legal(state)


def apply_action(state, action):
    if _true_player(state) == -4 and action == "continue":
        return dict(state)
    return _true_apply(state, action)
'''

TRUNCATED_AFTER_TEN_MOVES = '''

_true_player = get_current_player
_true_legal = get_legal_actions
_true_apply = apply_action
_true_rewards = get_rewards


def _cut(state):
    return state.get("_moves", 0) >= 10


def get_current_player(state):
    return -4 if _cut(state) else _true_player(state)


def get_legal_actions(state):
    return [] if _cut(state) else _true_legal(state)


def get_rewards(state):
    return [0.0, 0.0] if _cut(state) and _true_player(state) != -4 else _true_rewards(state)


def apply_action(state, action):
    if _cut(state):
        raise ValueError("the game is over")
    new_state = dict(_true_apply(state, action))
    new_state["_moves"] = state.get("_moves", 0) + 1
    return new_state
'''

LEAKING_OBSERVATIONS = '''

_true_observations = get_observations


def get_observations(state):
    first, second = _true_observations(state)
    return [{"own": first, "other": second}, {"own": second, "other": first}]
'''

CONSTANT_OBSERVATIONS = '''

def get_observations(state):
    return [{}, {}]
'''

WRONG_CHANCE_PROBABILITIES = '''

def get_chance_outcomes(state):
    outcomes = list(get_legal_actions(state))
    weights = [2.0 if i == 0 else 1.0 for i in range(len(outcomes))]
    total = sum(weights)
    return [(a, w / total) for a, w in zip(outcomes, weights)]
'''

WRONG_PROGRAMS = {
    "winner_reversed": WINNER_REVERSED,
    "constant_rewards": CONSTANT_REWARDS,
    "never_ends": NEVER_ENDS,
    "truncated_after_ten_moves": TRUNCATED_AFTER_TEN_MOVES,
    "leaking_observations": LEAKING_OBSERVATIONS,
    "constant_observations": CONSTANT_OBSERVATIONS,
    "wrong_chance_probabilities": WRONG_CHANCE_PROBABILITIES,
}
INFORMATION_ONLY = ("leaking_observations", "constant_observations")
CHANCE_ONLY = ("wrong_chance_probabilities",)


def wrong_program(reference_source: str, kind: str) -> str:
    """A reference with one aspect broken (a key of WRONG_PROGRAMS)."""
    return reference_source + WRONG_PROGRAMS[kind]


def truncated_after(moves: int) -> str:
    """The code that ends a reference's game after `moves` actions, with no returns."""
    return TRUNCATED_AFTER_TEN_MOVES.replace(">= 10", f">= {moves}")


def calibration_set(game: str, mutants: int = 3, seed: int = 0) -> list[tuple[str, str]]:
    """(name, source) of the reference and the wrong programs of the calibration set that apply to `game`.

    The wrong programs: winner reversed, constant rewards, never ending, truncated halfway through a
    typical game, leaking and constant observations (hidden information), wrong chance probabilities
    (chance), and `mutants` small syntax mutants of the reference.
    """
    from gamecwm.games import get_game, load_reference
    from gamecwm.games.playout import random_playout
    from gamecwm.verify.mutants import make_mutants

    info = get_game(game)
    source = info.reference_path.read_text()
    programs = [("reference", source)]
    for kind in WRONG_PROGRAMS:
        if kind in INFORMATION_ONLY and not info.imperfect_information or kind in CHANCE_ONLY and not info.chance:
            continue
        if kind == "truncated_after_ten_moves":
            lengths = sorted(len(random_playout(load_reference(game), seed=s).actions) for s in range(9))
            moves = max(1, lengths[len(lengths) // 2] // 2)
            programs.append((f"truncated_after_{moves}_moves", source + truncated_after(moves)))
            continue
        programs.append((kind, wrong_program(source, kind)))
    for number, mutant in enumerate(make_mutants(source, mutants, seed)):
        programs.append((f"mutant_{number}: {mutant.description}", mutant.source))
    return programs
