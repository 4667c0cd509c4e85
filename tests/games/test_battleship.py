"""battleship: observations, hidden fleets, full-support resampling, and OpenSpiel's battleship.

OpenSpiel's battleship (board 4x4, ship sizes [2;1], no repeated shots, 16 shots each) differs from our spec
in how the fleets are placed: its players place their own ships at decision nodes, alternating (player 0's
long ship, player 1's long ship, player 0's single, player 1's single), where we use two chance actions; and
its returns are ship values won minus ship values lost instead of +1/-1. So the cross-check places the same
random fleets in both games (our layout drawn uniformly, translated into OpenSpiel's placement actions), then
plays the shooting phase in lockstep, comparing the player to move, the legal shot sets and the end of the
game, and checks that OpenSpiel's positive return goes to our winner.
"""

import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.runtime import replay

GAME = load_reference("battleship")
EXAMPLE = ["place_p0:00_01|22", "place_p1:10_11|33", "fire_1_0", "fire_0_3", "fire_1_1", "fire_1_3", "fire_3_3"]


def _cells(layout: str) -> set[tuple[int, int]]:
    a, b, s = layout[:2], layout[3:5], layout[6:]
    return {(int(x[0]), int(x[1])) for x in (a, b, s)}


def test_observations_along_the_worked_example() -> None:
    assert GAME.get_observations(replay(GAME, [])) == [{}, {}]
    assert GAME.get_observations(replay(GAME, EXAMPLE[:1])) == [{}, {}]
    assert GAME.get_observations(replay(GAME, EXAMPLE[:2]))[1] == {
        "my_ships": [[(1, 0), (1, 1)], [(3, 3)]], "my_shots": [], "my_hits": [], "opponent_shots_at_me": [],
        "opponent_hits_on_me": []}
    before_last = GAME.get_observations(replay(GAME, EXAMPLE[:6]))
    assert before_last[0] == {
        "my_ships": [[(0, 0), (0, 1)], [(2, 2)]], "my_shots": [(1, 0), (1, 1)], "my_hits": [(1, 0), (1, 1)],
        "opponent_shots_at_me": [(0, 3), (1, 3)], "opponent_hits_on_me": []}
    assert all(isinstance(cell, tuple) for cell in before_last[0]["my_shots"] + before_last[0]["my_ships"][0])
    final = GAME.get_observations(replay(GAME, EXAMPLE))
    assert final[1] == {
        "my_ships": [[(1, 0), (1, 1)], [(3, 3)]], "my_shots": [(0, 3), (1, 3)], "my_hits": [],
        "opponent_shots_at_me": [(1, 0), (1, 1), (3, 3)], "opponent_hits_on_me": [(1, 0), (1, 1), (3, 3)],
        "opponent_ships": [[(0, 0), (0, 1)], [(2, 2)]], "winner": 0}
    assert final[0]["opponent_ships"] == [[(1, 0), (1, 1)], [(3, 3)]] and final[0]["winner"] == 0
    assert GAME.get_rewards(replay(GAME, EXAMPLE)) == [1.0, -1.0]
    names = [GAME.get_player_name(p) for p in (0, 1, -1, -4, 7)]
    assert names == ["Player 0", "Player 1", "Chance", "Terminal", "Unknown"]


def test_hits_are_listed_in_firing_order() -> None:
    state = replay(GAME, ["place_p0:00_01|22", "place_p1:21_31|03", "fire_3_1", "fire_3_3", "fire_0_3"])
    assert GAME.get_observations(state)[0]["my_hits"] == [(3, 1), (0, 3)]
    assert GAME.get_observations(state)[1]["opponent_hits_on_me"] == [(3, 1), (0, 3)]


def _random_game(rng):
    actions = [rng.choice(GAME.get_legal_actions(replay(GAME, [])))]
    actions.append(rng.choice(GAME.get_legal_actions(replay(GAME, actions))))
    state = replay(GAME, actions)
    while GAME.get_current_player(state) != -4:
        action = rng.choice(GAME.get_legal_actions(state))
        actions.append(action)
        state = GAME.apply_action(state, action)
    return actions


def _with_opponent_layout(actions, player: int, layout: str):
    replaced = list(actions)
    replaced[1 - player] = f"place_p{1 - player}:{layout}"
    return replaced


def test_opponent_fleet_never_leaks() -> None:
    """Other enemy fleets that answer the player's shots the same way give identical views."""
    rng = random.Random(9)
    compared = 0
    layouts = [a[9:] for a in GAME.get_legal_actions(replay(GAME, []))]
    for _ in range(40):
        actions = _random_game(rng)
        player = rng.randrange(2)
        prefix = actions[: rng.randint(3, len(actions) - 1)]
        own_shots = [a for i, a in enumerate(prefix[2:]) if i % 2 == player]
        shot_cells = {(int(a[5]), int(a[7])) for a in own_shots}
        true_hits = shot_cells & _cells(prefix[1 - player][9:])
        alternatives = [l for l in layouts if shot_cells & _cells(l) == true_hits]
        assert prefix[1 - player][9:] in alternatives
        views = []
        for layout in rng.sample(alternatives, min(4, len(alternatives))):
            replayed = _with_opponent_layout(prefix, player, layout)
            observations = [GAME.get_observations(replay(GAME, replayed[:k]))[player] for k in range(len(replayed) + 1)]
            views.append((player_view(GAME, replayed, player), observations))
        assert all(view == views[0] for view in views)
        compared += len(views) > 1
    assert compared > 30


def test_resample_has_full_support() -> None:
    """Brute force over all 336 enemy layouts: each one that fits the view gets sampled."""
    random.seed(21)
    cases = [
        (EXAMPLE[:5], 0),
        (EXAMPLE[:6], 1),
        (["place_p0:00_01|22", "place_p1:10_11|33", "fire_0_0", "fire_2_2", "fire_1_0", "fire_0_0"], 0),
        (["place_p0:00_01|22", "place_p1:10_11|33", "fire_0_0", "fire_2_2", "fire_1_0", "fire_0_0", "fire_2_0"], 1),
        (EXAMPLE[:2], 0),
    ]
    layouts = [a[9:] for a in GAME.get_legal_actions(replay(GAME, []))]
    for actions, player in cases:
        view = player_view(GAME, actions, player)
        expected = set()
        for layout in layouts:
            if view_mismatch(GAME, _with_opponent_layout(actions, player, layout), player, view) is None:
                expected.add(layout)
        assert actions[1 - player][9:] in expected
        if len(actions) == 2:
            assert len(expected) == 336  # nothing fired yet: every layout fits
        sampled = set()
        for _ in range(20000):
            history = GAME.resample_history(view, player)
            assert view_mismatch(GAME, history, player, view) is None
            sampled.add(history[1 - player][9:])
            if len(sampled) >= len(expected):
                break
        assert sampled == expected, (actions, player)


def test_resample_draws_layouts_uniformly() -> None:
    """With one hit at (1,0) and no misses, each of the fitting layouts is about equally likely."""
    random.seed(5)
    view = player_view(GAME, EXAMPLE[:4], 0)
    counts = {}
    samples = 6000
    for _ in range(samples):
        layout = GAME.resample_history(view, 0)[1]
        counts[layout] = counts.get(layout, 0) + 1
    layouts = [a[9:] for a in GAME.get_legal_actions(replay(GAME, EXAMPLE[:1]))]
    fitting = {"place_p1:" + l for l in layouts if (1, 0) in _cells(l)}
    assert len(fitting) == 3 * 14 + 21  # three long ships through (1,0), or the single there
    assert set(counts) == fitting
    share = samples / len(counts)
    assert all(abs(count - share) < 0.5 * share for count in counts.values())


def _openspiel_placements(os_state, layouts) -> None:
    """Apply OpenSpiel's placement actions for our two layouts, in its turn order."""
    for ship in range(2):
        for player in (0, 1):
            layout = layouts[player]
            if ship == 0:
                direction = "vertically" if layout[0] != layout[3] else "horizontally"
                corner = (layout[0], layout[1])
            else:
                direction, corner = "horizontally", (layout[6], layout[7])
            text = f"Pl{player}: place ship {direction} with top-left corner in ({corner[0]}, {corner[1]})"
            assert os_state.current_player() == player
            by_text = {os_state.action_to_string(a): a for a in os_state.legal_actions()}
            os_state.apply_action(by_text[text])


def test_shooting_agrees_with_openspiel_battleship() -> None:
    game = pyspiel.load_game("battleship", {
        "board_width": 4, "board_height": 4, "ship_sizes": "[2;1]", "ship_values": "[1;1]", "num_shots": 16,
        "allow_repeated_shots": False, "loss_multiplier": 1.0})
    rng = random.Random(6)
    fire = {r * 4 + c: f"fire_{r}_{c}" for r in range(4) for c in range(4)}
    for _ in range(300):
        placements = [rng.choice(GAME.get_legal_actions(replay(GAME, []))), rng.choice(GAME.get_legal_actions(replay(GAME, [])))]
        placements[1] = "place_p1:" + placements[1][9:]
        state = replay(GAME, placements)
        os_state = game.new_initial_state()
        _openspiel_placements(os_state, [placements[0][9:], placements[1][9:]])
        history = list(placements)
        while not os_state.is_terminal():
            assert GAME.get_current_player(state) == os_state.current_player(), history
            ours = GAME.get_legal_actions(state)
            assert sorted(ours) == sorted(fire[a] for a in os_state.legal_actions()), history
            action = rng.choice(ours)
            state = GAME.apply_action(state, action)
            os_state.apply_action({name: a for a, name in fire.items()}[action])
            history.append(action)
        assert GAME.get_current_player(state) == -4, history
        returns = os_state.returns()
        rewards = GAME.get_rewards(state)
        assert (returns[0] > 0) == (rewards[0] > 0) and (returns[1] > 0) == (rewards[1] > 0), (history, returns)
