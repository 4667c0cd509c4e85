"""go: game-specific rules, and a cross-check against OpenSpiel's go (9x9, komi 6.5, 162 actions).

OpenSpiel numbers the points row-major from its bottom row; mapping its id `a` to `place_<a//9>_<a%9>`
mirrors the board top-to-bottom, which changes neither adjacency nor scores. Both use simple ko,
forbid suicide, end on two passes or at 162 actions, and score by area with komi.
"""

import random

import pyspiel
import pytest

from gamecwm.games import load_reference
from gamecwm.games.runtime import replay
from tests.games.openspiel_crosscheck import crosscheck_playouts

go = load_reference("go")


def test_initial_legal_list_is_pass_then_row_major() -> None:
    legal = go.get_legal_actions(go.get_initial_state())
    assert len(legal) == 82 and legal[0] == "pass" and legal[1] == "place_0_0" and legal[-1] == "place_8_8"
    assert legal[1:] == [f"place_{r}_{c}" for r in range(9) for c in range(9)]


def test_suicide_is_illegal_but_capture_beats_suicide() -> None:
    # White stones on (0,1) and (1,0) make (0,0) suicide for Black.
    state = replay(go, ["place_4_4", "place_0_1", "place_4_5", "place_1_0"])
    assert "place_0_0" not in go.get_legal_actions(state)
    with pytest.raises(ValueError):
        go.apply_action(state, "place_0_0")
    # Once Black surrounds (1,0) except for (0,0), playing (0,0) captures it and is legal.
    state = replay(go, ["place_2_0", "place_0_1", "place_1_1", "place_1_0", "place_0_2", "pass"])
    assert "place_0_0" in go.get_legal_actions(state)
    after = go.apply_action(state, "place_0_0")
    assert after["captures"] == [2, 0]
    assert go.get_observations(after)[0]["board"][0][1] == "" and go.get_observations(after)[0]["board"][1][0] == ""


def test_ko_is_lifted_by_a_pass() -> None:
    ko = [
        "place_0_1", "place_0_2", "place_1_0", "place_1_3", "place_2_1",
        "place_2_2", "place_8_8", "place_1_1", "place_1_2",
    ]
    state = replay(go, ko)
    assert "place_1_1" not in go.get_legal_actions(state)
    # Two passes in a row end the game; a lone pass by Black lifts the ko for White.
    assert go.get_current_player(replay(go, ko + ["pass", "pass"])) == -4
    state = replay(go, ko + ["place_5_5", "pass"])
    assert "place_1_1" in go.get_legal_actions(state)


def test_move_cap_ends_and_scores_the_game() -> None:
    rng = random.Random(3)
    state = go.get_initial_state()
    count = 0
    while go.get_current_player(state) != -4:
        legal = go.get_legal_actions(state)
        placements = [a for a in legal if a != "pass"]
        state = go.apply_action(state, rng.choice(placements or legal))
        count += 1
    assert count == 162 and state["passes"] < 2
    assert go.get_rewards(state) in ([1.0, -1.0], [-1.0, 1.0])
    assert go.get_legal_actions(state) == []


def test_observation_dictionary() -> None:
    state = replay(go, ["place_0_0", "pass"])
    obs = go.get_observations(state)
    assert obs[0] == obs[1]
    assert obs[0]["board"][0][0] == "B" and obs[0]["board"][0][1] == ""
    assert obs[0]["captures"] == {0: 0, 1: 0}
    assert (obs[0]["passes"], obs[0]["current_player"], obs[0]["move_count"]) == (1, 0, 2)


def _translate(os_state: pyspiel.State, action: int) -> str:
    return "pass" if action == 81 else f"place_{action // 9}_{action % 9}"


def test_go_agrees_with_openspiel() -> None:
    game = pyspiel.load_game("go", {"board_size": 9, "komi": 6.5, "max_game_length": 162})
    steps = crosscheck_playouts(go, game, _translate, playouts=25, seed=5)
    assert steps > 25 * 30


def test_go_agrees_with_openspiel_on_short_games() -> None:
    """Frequent passes: games ending by two passes on unfinished boards, scored by area."""
    game = pyspiel.load_game("go", {"board_size": 9, "komi": 6.5, "max_game_length": 162})
    rng = random.Random(9)
    ended_by_passes = 0
    for _ in range(60):
        state = go.get_initial_state()
        os_state = game.new_initial_state()
        while not os_state.is_terminal():
            legal = go.get_legal_actions(state)
            assert set(legal) == {_translate(os_state, a) for a in os_state.legal_actions()}
            action = "pass" if rng.random() < 0.2 else rng.choice(legal)
            state = go.apply_action(state, action)
            os_state.apply_action(81 if action == "pass" else int(action[6]) * 9 + int(action[8]))
        assert go.get_current_player(state) == -4
        assert go.get_rewards(state) == list(os_state.returns())
        ended_by_passes += state["passes"] == 2
    assert ended_by_passes > 40
