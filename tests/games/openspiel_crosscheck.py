"""Differential testing of a reference against OpenSpiel's implementation of the same game.

A cross-check needs a translation from an OpenSpiel state to our action strings: a function that
maps every legal OpenSpiel action id in a state to the string our reference uses for it.
"""

from __future__ import annotations

import random
from types import ModuleType
from typing import Callable

import pyspiel

from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID

# (openspiel_state, openspiel_action_id) -> our action string
Translate = Callable[[pyspiel.State, int], str]


def _expected_player(os_state: pyspiel.State) -> int:
    if os_state.is_terminal():
        return TERMINAL_PLAYER_ID
    if os_state.is_chance_node():
        return CHANCE_PLAYER_ID
    return os_state.current_player()


def crosscheck_playouts(
    module: ModuleType,
    game: pyspiel.Game,
    translate: Translate,
    playouts: int,
    seed: int = 0,
    compare_returns: bool = True,
    compare_chance_probabilities: bool = True,
    max_steps: int = 10_000,
) -> int:
    """Play random games on both implementations in lockstep, asserting they agree at every step.

    Compares the player to move, terminal status, the legal action sets (after translation), chance
    probabilities and, at the end, the returns. Returns the total number of steps compared.
    """
    rng = random.Random(seed)
    steps = 0
    for _ in range(playouts):
        state = module.get_initial_state()
        os_state = game.new_initial_state()
        history: list[str] = []
        for _ in range(max_steps):
            player = module.get_current_player(state)
            assert player == _expected_player(os_state), (
                f"player {player} vs OpenSpiel {_expected_player(os_state)} after {history}"
            )
            if os_state.is_terminal():
                break
            if os_state.is_chance_node():
                os_outcomes = {translate(os_state, a): p for a, p in os_state.chance_outcomes()}
                ours = set(module.get_legal_actions(state))
                assert ours == set(os_outcomes), f"chance outcomes differ after {history}"
                if compare_chance_probabilities:
                    from gamecwm.protocol import chance_outcomes

                    for action, probability in chance_outcomes(module, state):
                        assert abs(probability - os_outcomes[action]) < 1e-9, (
                            f"chance probability of {action} after {history}"
                        )
                os_ids = {translate(os_state, a): a for a, _ in os_state.chance_outcomes()}
            else:
                os_ids = {translate(os_state, a): a for a in os_state.legal_actions()}
                ours = set(module.get_legal_actions(state))
                assert ours == set(os_ids), (
                    f"legal actions differ after {history}: only ours {sorted(ours - set(os_ids))}, "
                    f"only OpenSpiel {sorted(set(os_ids) - ours)}"
                )
            action = rng.choice(sorted(ours))
            state = module.apply_action(state, action)
            os_state.apply_action(os_ids[action])
            history.append(action)
            steps += 1
        else:
            raise AssertionError(f"playout did not end within {max_steps} steps")
        if compare_returns:
            assert [float(r) for r in module.get_rewards(state)] == list(os_state.returns()), (
                f"returns {module.get_rewards(state)} vs OpenSpiel {os_state.returns()} after {history}"
            )
    return steps
