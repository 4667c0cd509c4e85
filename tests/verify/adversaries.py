"""Hostile candidate programs: each tries to raise its score through its own process, not by implementing the game.

Every attack is paired with the same program without the trick (`honest`), so a test can assert the
trick gains nothing. The attacks reach for what a worker holds (frames, the garbage collector, the wire
encoder, the drivers, the result descriptor), forge answers of every malformed kind, and use
non-finite numbers. They are written defensively: if the internals they reach for are absent, they
simply find nothing, which is the point.
"""

from __future__ import annotations

from tests.verify.candidates import reference_source

# A made-up two-player game with no relation to any dataset game: the base every forger builds on.
MADE_UP_GAME = '''
def get_initial_state():
    return {"turn": 0, "moves": 0}
def get_current_player(state):
    return -4 if state["moves"] >= 6 else state["turn"]
def get_player_name(player_id):
    return "Player %d" % player_id
def get_legal_actions(state):
    return [] if state["moves"] >= 6 else ["a", "b"]
def apply_action(state, action):
    if action not in get_legal_actions(state):
        raise ValueError(action)
    return {"turn": 1 - state["turn"], "moves": state["moves"] + 1}
def get_rewards(state):
    return [0.0, 0.0]
def get_observations(state):
    return [dict(state), dict(state)]
def resample_history(obs_action_history, player_id):
    return []
'''

# Reads whatever the verifier might have left in the worker: scenario expectations, true histories,
# look-alike pairs, reference records. Answers rewards, players and legal actions from them when found.
SNOOPER = MADE_UP_GAME + '''
import gc as _gc
import sys as _sys

_FOUND = {}


def _snoop():
    if _FOUND:
        return _FOUND
    for obj in _gc.get_objects():
        if isinstance(obj, dict):
            for key in ("expect", "checkpoints", "reference_traces", "true_history", "same", "view", "history"):
                if key in obj:
                    _FOUND.setdefault(key, []).append(obj[key])
    frame = _sys._getframe()
    while frame is not None:
        for name, value in frame.f_locals.items():
            if name in ("scenario_list", "plan", "probes", "info_pairs", "reference"):
                _FOUND.setdefault(name, []).append(value)
        frame = frame.f_back
    _FOUND.setdefault("done", True)
    return _FOUND


_made_up_rewards = get_rewards


def get_rewards(state):
    found = _snoop()
    for expect in found.get("expect", []):
        if isinstance(expect, dict) and "rewards" in expect:
            return list(expect["rewards"])
    return _made_up_rewards(state)
'''

# The worker's encoder rewrites every result it sends: whatever was computed, claim a perfect record.
ENCODER_FORGER = MADE_UP_GAME + '''
def _forge(value):
    if isinstance(value, list):
        return [_forge(v) for v in value]
    if isinstance(value, dict):
        forged = {k: _forge(v) for k, v in value.items()}
        if "steps" in forged:
            forged["steps"] = []
            forged["error"] = None
        if "samples" in forged:
            forged["samples"] = [[]]
            forged["error"] = None
        return forged
    return value

try:
    import gamecwm.sandbox.wire as _wire
    _encode = _wire._ENCODER.encode
    def _forged_encode(message):
        if isinstance(message, dict) and message.get("t") == "result" and message.get("ok"):
            message = dict(message, value=_forge(message["value"]))
        return _encode(message)
    _wire._ENCODER.encode = _forged_encode
except Exception:
    pass
'''

# Replaces every driver it can reach with one that returns malformed data of a given kind.
def driver_swapper(payload: str) -> str:
    """A program that swaps the worker's drivers for one returning `payload` (a Python expression)."""
    return MADE_UP_GAME + f'''
import gc as _gc
import sys as _sys

def _fake(module, **args):
    return {payload}

try:
    import gamecwm.verify.drivers as _drivers
    for _name in ("static_probe", "query", "walk", "resample"):
        setattr(_drivers, _name, _fake)
except Exception:
    pass
_frame = _sys._getframe()
while _frame is not None:
    for _value in list(_frame.f_locals.values()):
        if isinstance(_value, list) and _value and all(callable(v) for v in _value):
            for _i in range(len(_value)):
                _value[_i] = _fake
    _frame = _frame.f_back
'''


# Writes its own frames on the result descriptor with the run's stolen token, then exits.
FD_WRITER = MADE_UP_GAME + '''
import gc as _gc
import json as _json
import os as _os
import struct as _struct

def _steal():
    for obj in _gc.get_objects():
        token = getattr(obj, "token", None) if not isinstance(obj, type) else None
        if isinstance(token, str):
            return token
    return None

def _send(message):
    data = _json.dumps(message).encode()
    _os.write(3, _struct.pack(">I", len(data)) + data)

try:
    _token = _steal()
    _send({"t": "loaded", "elapsed": 0.0, "k": _token})
    for _index in range(6):
        _send({"t": "result", "index": _index, "ok": True, "value": [], "error": None, "elapsed": 0.0, "k": _token})
    _send({"t": "done", "k": _token})
    _os._exit(0)
except Exception:
    pass
'''

# Malformed values a forger could send, each as the value of every task (via the driver swapper).
MALFORMED_PAYLOADS = {
    "a list where an object is expected": "[[1, 2, 3]]",
    "empty answers": "[]",
    "a number": "42",
    "nan rewards": "[{'steps': [{'player': 0, 'legal': ['a'], 'rewards': [float('nan'), 0.0], 'problem': {}}], "
                   "'probes': {}, 'branched': {}, 'error': None}]",
    "infinite probabilities": "[{'steps': [{'player': -1, 'legal': ['a'], 'rewards': [0.0, 0.0], "
                              "'chance': {'a': float('inf')}, 'problem': {}}], 'error': None}]",
    "deep nesting": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "extra walks": "[{'steps': [], 'error': 'x'}] * 500",
    "raises": "1 / 0",
}


def with_nan_chance(game: str) -> str:
    """A reference whose chance probabilities are NaN."""
    return reference_source(game) + '''

def get_chance_outcomes(state):
    return [(a, float("nan")) for a in get_legal_actions(state)]
'''


def with_infinite_rewards(game: str) -> str:
    """A reference whose rewards are infinite at the end of the game."""
    return reference_source(game) + '''

_finite_rewards = get_rewards


def get_rewards(state):
    rewards = _finite_rewards(state)
    return [float("inf") if r > 0 else r for r in rewards]
'''


def hash_parity_winner(game: str) -> str:
    """A reference that reverses the winner when this process's string hashing makes a hash odd."""
    return reference_source(game) + '''

_true_rewards = get_rewards


def get_rewards(state):
    rewards = list(_true_rewards(state))
    return [rewards[1], rewards[0]] if hash("gamecwm") % 2 else rewards
'''


def silent_in_one_worker(game: str, marker_hash: int) -> str:
    """A reference that fails every call in the worker whose hash of 'gamecwm' is `marker_hash` (so it
    can tell the two workers apart), hoping that worker's answers are only compared, never counted."""
    return reference_source(game) + f'''

_SILENT = hash("gamecwm") == {marker_hash}
_true_initial_state = get_initial_state


def get_initial_state():
    if _SILENT:
        raise RuntimeError("nothing to say here")
    return _true_initial_state()
'''


def tampering_in_one_worker(game: str, marker_hash: int) -> str:
    """A reference that replaces a trusted function in the worker whose hash of 'gamecwm' is `marker_hash`."""
    return reference_source(game) + f'''

if hash("gamecwm") == {marker_hash}:
    import json
    json.dumps = lambda *args, **kwargs: "{{}}"
'''


def dealt_then_stuck(game: str, deal: list[str]) -> str:
    """A reference that deals inside get_initial_state (a convention slip) and then refuses every move: its
    first state is right in its own convention, and nothing after it is."""
    return reference_source(game) + f'''

_r_initial, _r_apply = get_initial_state, apply_action


def get_initial_state():
    state = _r_initial()
    for outcome in {deal!r}:
        state = _r_apply(state, outcome)
    return state


def apply_action(state, action):
    raise RuntimeError("not implemented")
'''


def mutating(game: str) -> str:
    """tic_tac_toe-style reference whose apply_action writes into its input state and returns it."""
    return reference_source(game) + '''

_pure_apply = apply_action


def apply_action(state, action):
    new_state = _pure_apply(state, action)
    state.clear()
    state.update(new_state)
    return state
'''


def mutating_and_erasing(game: str) -> str:
    """A mutating reference that also tries to erase the evidence the worker could keep of it."""
    return mutating(game) + '''

try:
    import gamecwm.verify.drivers as _drivers
    _drivers._branch = lambda module, states, branches, observations: {}
except Exception:
    pass
'''


def true_history_resampler(game: str) -> str:
    """A reference whose resample_history returns any true history it finds in its process, else nothing."""
    return reference_source(game) + '''
import gc as _gc
import sys as _sys


def resample_history(obs_action_history, player_id):
    frame = _sys._getframe()
    while frame is not None:
        for name in ("probe", "probes", "history"):
            value = frame.f_locals.get(name)
            if isinstance(value, dict) and isinstance(value.get("history"), list):
                return list(value["history"])
        frame = frame.f_back
    for obj in _gc.get_objects():
        if isinstance(obj, dict) and isinstance(obj.get("history"), list) and obj.get("player") == player_id:
            return list(obj["history"])
    return []
'''


def honest_empty_resampler(game: str) -> str:
    """The same reference with a resample_history that returns nothing (the trick without its find)."""
    return reference_source(game) + '''

def resample_history(obs_action_history, player_id):
    return []
'''
