"""pig: observations, the move cap, and a lockstep cross-check against OpenSpiel's pig.

OpenSpiel's pig (players=2, winscore=100, diceoutcomes=6, horizon=1000, piglet=False) counts
`roll`/`stop` as moves towards the horizon exactly as we count player actions, and pays 0/0 at the
horizon. Two legality rules differ, so `crosscheck_playouts` (which compares legal sets exactly)
cannot be used and the lockstep below compares only what is the same:
- OpenSpiel allows `stop` with a zero turn total (a pass); our `hold` needs a positive turn total.
- OpenSpiel offers only `stop` once banking would reach the win score; our `roll` stays legal.
Both play only actions legal in both games; everything else (players, chance outcomes and
probabilities, the legal sets up to those two rules, terminal states, returns) must agree.
"""

import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.runtime import replay
from gamecwm.protocol import chance_outcomes

ref = load_reference("pig")

PARAMS = {"players": 2, "winscore": 100, "diceoutcomes": 6, "horizon": 1000, "piglet": False}


def _os_player(os_state: pyspiel.State) -> int:
    if os_state.is_terminal():
        return -4
    return -1 if os_state.is_chance_node() else os_state.current_player()


def _lockstep(game: pyspiel.Game, rng: random.Random, roll_bias: float) -> tuple[int, list[float]]:
    state = ref.get_initial_state()
    os_state = game.new_initial_state()
    steps = 0
    while True:
        player = ref.get_current_player(state)
        assert player == _os_player(os_state), (player, str(os_state))
        if player == -4:
            break
        legal = ref.get_legal_actions(state)
        if player == -1:
            os_outcomes = {str(a + 1): p for a, p in os_state.chance_outcomes()}
            assert dict(chance_outcomes(ref, state)) == os_outcomes
            action = rng.choice(legal)
            os_action = int(action) - 1
        else:
            os_legal = {"roll" if a == 0 else "hold" for a in os_state.legal_actions()}
            turn_total, score = state["turn_total"], state["scores"][player]
            expected_os = ({"hold"} if score + turn_total >= 100 else {"roll", "hold"})
            assert os_legal == expected_os
            assert set(legal) == ({"roll", "hold"} if turn_total > 0 else {"roll"})
            common = sorted(set(legal) & os_legal)
            action = "roll" if "roll" in common and rng.random() < roll_bias else rng.choice(common)
            os_action = 0 if action == "roll" else 1
        state = ref.apply_action(state, action)
        os_state.apply_action(os_action)
        steps += 1
    assert ref.get_rewards(state) == list(os_state.returns())
    return steps, ref.get_rewards(state)


def test_agrees_with_openspiel() -> None:
    game = pyspiel.load_game("pig", PARAMS)
    rng = random.Random(11)
    results = [_lockstep(game, rng, roll_bias) for roll_bias in (0.5, 0.8, 0.95) for _ in range(40)]
    assert sum(steps for steps, _ in results) > 120 * 20
    outcomes = {tuple(rewards) for _, rewards in results}
    assert {(1.0, -1.0), (-1.0, 1.0)} <= outcomes


def test_cap_matches_openspiel_on_endless_busts() -> None:
    game = pyspiel.load_game("pig", PARAMS)
    os_state = game.new_initial_state()
    state = ref.get_initial_state()
    for _ in range(999):
        state = ref.apply_action(ref.apply_action(state, "roll"), "1")
        os_state.apply_action(0)
        os_state.apply_action(0)
    assert not os_state.is_terminal() and ref.get_current_player(state) == 1
    state = ref.apply_action(state, "roll")
    os_state.apply_action(0)
    assert os_state.is_terminal() and ref.get_current_player(state) == -4
    assert ref.get_rewards(state) == list(os_state.returns()) == [0.0, 0.0]
    assert state["player_actions"] == 1000


def test_observations_of_worked_example() -> None:
    expected = [
        {"scores": [0, 0], "turn_total": 0, "turn_player": 0, "current_player": 0, "player_actions": 0},
        {"scores": [0, 0], "turn_total": 0, "turn_player": 0, "current_player": -1, "player_actions": 1},
        {"scores": [0, 0], "turn_total": 5, "turn_player": 0, "current_player": 0, "player_actions": 1},
        {"scores": [0, 0], "turn_total": 5, "turn_player": 0, "current_player": -1, "player_actions": 2},
        {"scores": [0, 0], "turn_total": 9, "turn_player": 0, "current_player": 0, "player_actions": 2},
        {"scores": [9, 0], "turn_total": 0, "turn_player": 1, "current_player": 1, "player_actions": 3},
        {"scores": [9, 0], "turn_total": 0, "turn_player": 1, "current_player": -1, "player_actions": 4},
        {"scores": [9, 0], "turn_total": 0, "turn_player": 0, "current_player": 0, "player_actions": 4},
    ]
    actions = ["roll", "5", "roll", "4", "hold", "roll", "1"]
    for step, observation in enumerate(expected):
        assert ref.get_observations(replay(ref, actions[:step])) == [observation, observation]


def test_bust_loses_turn_total_and_win_observation() -> None:
    state = replay(ref, ["roll", "6", "roll", "1"])
    assert ref.get_observations(state)[0]["turn_total"] == 0
    assert ref.get_observations(state)[0]["turn_player"] == 1
    final = replay(ref, ["roll", "6"] * 17 + ["hold"])
    assert ref.get_observations(final)[0]["scores"] == [102, 0]
    assert ref.get_observations(final)[0]["current_player"] == -4


def test_apply_action_does_not_mutate_and_names() -> None:
    state = replay(ref, ["roll", "4"])
    snapshot = repr(state)
    ref.apply_action(state, "hold")
    ref.apply_action(ref.apply_action(state, "roll"), "1")
    assert repr(state) == snapshot
    assert [ref.get_player_name(p) for p in (0, 1, -1, -4)] == ["Player 0", "Player 1", "Chance", "Terminal"]
