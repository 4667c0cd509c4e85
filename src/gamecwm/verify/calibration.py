"""Programs that do not play their game at all, used to calibrate the verifier and in the demo.

Any of them must score at most 0.2 on any game: a property that holds only vacuously earns nothing.
"""

from __future__ import annotations

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

CRASHING_EVERYWHERE = '''
def get_initial_state():
    raise RuntimeError("not implemented")
def get_current_player(state):
    raise RuntimeError("not implemented")
def get_player_name(player_id):
    raise RuntimeError("not implemented")
def get_legal_actions(state):
    raise RuntimeError("not implemented")
def apply_action(state, action):
    raise RuntimeError("not implemented")
def get_rewards(state):
    raise RuntimeError("not implemented")
def get_observations(state):
    raise RuntimeError("not implemented")
def resample_history(obs_action_history, player_id):
    raise RuntimeError("not implemented")
'''

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
