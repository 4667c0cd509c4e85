"""Small GameCWMs written for the planning tests."""

from __future__ import annotations

from types import ModuleType

from gamecwm.protocol import load_module_from_source

GAMBLE_SOURCE = '''
"""Player 0 takes SAFE (reward {safe}) or GAMBLE (a chance node: +1 with probability {p}, else -1)."""

def get_initial_state():
    return {{"stage": "choose", "result": None}}

def get_current_player(state):
    return {{"choose": 0, "chance": -1, "done": -4}}[state["stage"]]

def get_player_name(player_id):
    return f"Player {{player_id}}"

def get_legal_actions(state):
    if state["stage"] == "choose":
        return ["SAFE", "GAMBLE"]
    if state["stage"] == "chance":
        return ["win", "lose"]
    return []

def get_chance_outcomes(state):
    return [("win", {p}), ("lose", {q})]

def apply_action(state, action):
    if state["stage"] == "choose":
        if action == "SAFE":
            return {{"stage": "done", "result": {safe}}}
        return {{"stage": "chance", "result": None}}
    return {{"stage": "done", "result": 1.0 if action == "win" else -1.0}}

def get_rewards(state):
    if state["stage"] != "done":
        return [0.0, 0.0]
    return [state["result"], -state["result"]]

def get_observations(state):
    return [dict(state), dict(state)]
'''


def gamble_module(p_win: float, safe: float = 0.2) -> ModuleType:
    """The one-decision gamble game with a win probability `p_win` and a sure reward `safe`."""
    return load_module_from_source(GAMBLE_SOURCE.format(p=p_win, q=1.0 - p_win, safe=safe))


def reference_source(game: str) -> str:
    """The source text of a game's reference."""
    from gamecwm.games.registry import get_game

    return get_game(game).reference_path.read_text()


def inverted_tic_tac_toe() -> str:
    """A wrong tic_tac_toe model that pays the loser: a planner using it tries to lose."""
    source = reference_source("tic_tac_toe")
    old = '''    if state["status"] == "x_won":
        return [1.0, -1.0]
    if state["status"] == "o_won":
        return [-1.0, 1.0]'''
    assert old in source
    return source.replace(old, '''    if state["status"] == "x_won":
        return [-1.0, 1.0]
    if state["status"] == "o_won":
        return [1.0, -1.0]''')


def uppercase_tic_tac_toe() -> str:
    """A wrong tic_tac_toe model whose actions are written `X(r,c)`: illegal in the true game."""
    source = reference_source("tic_tac_toe")
    old = 'MARKS = ("x", "o")'
    assert old in source
    return source.replace(old, 'MARKS = ("X", "O")')
