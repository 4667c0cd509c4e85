"""GameCWMs as OpenSpiel games: consistency, OpenSpiel's MCTS/ISMCTS, CFR and exploitability."""

from __future__ import annotations

import numpy as np
import pytest

pyspiel = pytest.importorskip("pyspiel")

from open_spiel.python.algorithms import cfr, exploitability, expected_game_score, ismcts, mcts  # noqa: E402

from gamecwm.games.registry import load_reference  # noqa: E402
from gamecwm.play.openspiel import ActionTableError, openspiel_game, register_gamecwm  # noqa: E402


@pytest.mark.parametrize("name", ["tic_tac_toe", "kuhn_poker", "leduc_poker", "pig"])
def test_passes_openspiels_consistency_test(name):
    game = openspiel_game(name)
    pyspiel.random_sim_test(game, num_sims=10, serialize=True, verbose=False)


def test_game_facts_come_from_the_module():
    kuhn = openspiel_game("kuhn_poker")
    assert kuhn.get_type().information == pyspiel.GameType.Information.IMPERFECT_INFORMATION
    assert kuhn.get_type().chance_mode == pyspiel.GameType.ChanceMode.EXPLICIT_STOCHASTIC
    assert kuhn.get_type().utility == pyspiel.GameType.Utility.ZERO_SUM
    assert (kuhn.num_distinct_actions(), kuhn.max_chance_outcomes()) == (3, 6)
    assert (kuhn.min_utility(), kuhn.max_utility()) == (-2.0, 2.0)
    state = kuhn.new_initial_state()
    assert [state.action_to_string(pyspiel.PlayerId.CHANCE, a) for a, _ in state.chance_outcomes()] == sorted(
        ["JQ", "JK", "QJ", "QK", "KJ", "KQ"])
    ttt = openspiel_game("tic_tac_toe")
    assert ttt.get_type().information == pyspiel.GameType.Information.PERFECT_INFORMATION
    assert ttt.num_distinct_actions() == 18


def test_openspiels_mcts_plays_our_tic_tac_toe():
    game = openspiel_game("tic_tac_toe")
    rng = np.random.RandomState(0)
    # A one-move win: x holds (0,0) and (0,1), o holds (1,0) and (1,1).
    state = game.new_initial_state()
    for text in ["x(0,0)", "o(1,0)", "x(0,1)", "o(1,1)"]:
        state.apply_action(state.string_to_action(text))
    bot = mcts.MCTSBot(game, 1.4, 200, mcts.RandomRolloutEvaluator(1, rng), random_state=rng)
    assert state.action_to_string(bot.step(state)) == "x(0,2)"
    for seat in (0, 1):
        state = game.new_initial_state()
        while not state.is_terminal():
            if state.current_player() == seat:
                action = bot.step(state)
            else:
                action = rng.choice(state.legal_actions())
            state.apply_action(action)
        assert state.returns()[seat] >= 0


def test_cfr_converges_to_the_kuhn_poker_game_value():
    game = openspiel_game("kuhn_poker")
    solver = cfr.CFRSolver(game)
    for _ in range(300):
        solver.evaluate_and_update_policy()
    policy = solver.average_policy()
    values = expected_game_score.policy_value(game.new_initial_state(), [policy, policy])
    assert values[0] == pytest.approx(-1 / 18, abs=2e-3)
    assert exploitability.exploitability(game, policy) < 0.01


def test_openspiels_ismcts_runs_on_our_kuhn_poker():
    game = openspiel_game("kuhn_poker")
    rng = np.random.RandomState(0)
    bot = ismcts.ISMCTSBot(game, mcts.RandomRolloutEvaluator(1, rng), 1.4, 300, random_state=rng)
    state = game.new_initial_state()
    state.apply_action(state.string_to_action("KQ"))
    state.apply_action(state.string_to_action("Raise"))
    # Player 1 holds Q facing a raise; resampled worlds keep its information state.
    resampled = state.resample_from_infostate(1, pyspiel.UniformProbabilitySampler(0.0, 1.0))
    assert resampled.information_state_string(1) == state.information_state_string(1)
    assert resampled.gamecwm_state["cards"][1] == "Q"
    assert state.action_to_string(bot.step(state)) in {"Fold", "Call"}
    king = game.new_initial_state()
    king.apply_action(king.string_to_action("QK"))
    king.apply_action(king.string_to_action("Raise"))
    assert king.action_to_string(bot.step(king)) == "Call"


def test_actions_outside_the_table_are_reported():
    module = load_reference("tic_tac_toe")
    name = register_gamecwm(module, "gamecwm_test_small_table", actions=["x(0,0)"], max_states=10, playouts=0)
    game = pyspiel.load_game(name)
    with pytest.raises(ActionTableError):
        game.new_initial_state().legal_actions()


TUPLE_KEYS_SOURCE = '''
"""Two players claim the cells (0, 0) and (0, 1) in turn; whoever holds (0, 0) wins. Everyone sees the board."""

def get_initial_state():
    return {"board": {(0, 0): None, (0, 1): None}, "turn": 0}

def get_current_player(state):
    return -4 if state["turn"] == 2 else state["turn"]

def get_player_name(player_id):
    return f"Player {player_id}"

def get_legal_actions(state):
    if state["turn"] == 2:
        return []
    return [f"claim{r}{c}" for (r, c), owner in sorted(state["board"].items()) if owner is None]

def apply_action(state, action):
    board = dict(state["board"])
    board[(int(action[5]), int(action[6]))] = state["turn"]
    return {"board": board, "turn": state["turn"] + 1}

def get_rewards(state):
    if state["turn"] < 2:
        return [0.0, 0.0]
    return [1.0, -1.0] if state["board"][(0, 0)] == 0 else [-1.0, 1.0]

def get_observations(state):
    return [{"board": state["board"]}, {"board": state["board"]}]
'''


def test_observations_with_tuple_keys_give_information_state_strings():
    from gamecwm.protocol import load_module_from_source

    game = openspiel_game(load_module_from_source(TUPLE_KEYS_SOURCE), short_name="gamecwm_test_tuple_keys")
    pyspiel.random_sim_test(game, num_sims=5, serialize=False, verbose=False)
    state = game.new_initial_state()
    state.apply_action(state.string_to_action("claim00"))
    assert "(0,0)" in state.observation_string(1) and state.information_state_string(0)
    assert state.information_state_string(1) != game.new_initial_state().information_state_string(1)
    assert state.returns() == [0.0, 0.0] and game.num_distinct_actions() == 2
