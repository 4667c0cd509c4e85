"""The arena: hand-checked statistics, the illegal-move rule, remote planning and the CLI."""

from __future__ import annotations

import json

import pytest

from gamecwm.cli import main
from gamecwm.games.registry import load_reference
from gamecwm.play.agents import Agent, PlanningAgent, parse_agent_spec
from gamecwm.play.arena import play_match, run_arena, wilson_interval
from gamecwm.play.remote import RemotePlanningAgent
from gamecwm.sandbox import SandboxPool

from .helpers import reference_source, uppercase_tic_tac_toe


class FirstLegal(Agent):
    """Always plays the first legal action of the true game."""

    def __init__(self, spec: str):
        self.spec = spec

    def choose(self, history, player, legal):
        return legal[0]


class Bogus(Agent):
    """Always answers an action no game has."""

    spec = "bogus"

    def choose(self, history, player, legal):
        return "no such move"


def test_wilson_interval_hand_values():
    low, high = wilson_interval(3, 5)
    assert (low, high) == (pytest.approx(0.2307, abs=1e-4), pytest.approx(0.8824, abs=1e-4))
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_hand_checked_statistics_with_alternating_seats():
    # First-legal against first-legal: x(0,0) o(0,1) x(0,2) o(1,0) x(1,1) o(1,2) x(2,0), and x wins
    # on the anti-diagonal. Seats alternate, so A is player 0 (the winner) in games 0, 2 and 4.
    result = play_match("tic_tac_toe", [FirstLegal("A"), FirstLegal("B")], games=5, seed=0)
    assert [r.seats for r in result.records] == [(0, 1), (1, 0), (0, 1), (1, 0), (0, 1)]
    assert result.records[0].actions == ["x(0,0)", "o(0,1)", "x(0,2)", "o(1,0)", "x(1,1)", "o(1,2)", "x(2,0)"]
    assert result.to_json() == {
        "game": "tic_tac_toe",
        "games": 5,
        "agents": [
            {"spec": "A", "wins": 3, "draws": 0, "losses": 2, "mean_return": pytest.approx(0.2), "illegal_moves": 0},
            {"spec": "B", "wins": 2, "draws": 0, "losses": 3, "mean_return": pytest.approx(-0.2), "illegal_moves": 0},
        ],
    }
    rate, interval = result.agents[0].rate("wins")
    assert rate == pytest.approx(0.6)
    assert interval == wilson_interval(3, 5)


def test_illegal_choices_are_counted_and_replaced_by_a_random_legal_action():
    result = play_match("tic_tac_toe", [Bogus(), FirstLegal("first")], games=4, seed=3)
    bogus_turns = sum(
        sum(1 for index in range(len(r.actions)) if index % 2 == r.seats.index(0)) for r in result.records
    )
    assert result.agents[0].illegal_moves == bogus_turns > 0
    assert result.agents[1].illegal_moves == 0
    module = load_reference("tic_tac_toe")
    for record in result.records:
        state = module.get_initial_state()
        for action in record.actions:
            assert action in module.get_legal_actions(state)
            state = module.apply_action(state, action)
        assert module.get_current_player(state) == -4
        assert all(index == 0 and choice == "no such move" for index, choice in record.illegal)


def test_a_match_is_reproducible_for_a_seed():
    first = run_arena("kuhn_poker", ["ismcts:sims=30", "random"], games=20, seed=4)
    second = run_arena("kuhn_poker", ["ismcts:sims=30", "random"], games=20, seed=4)
    assert [r.actions for r in first.records] == [r.actions for r in second.records]


@pytest.mark.parametrize(("game", "spec"), [("tic_tac_toe", "mcts:sims=60"), ("kuhn_poker", "ismcts:sims=60")])
def test_remote_planning_chooses_what_local_planning_chooses(game, spec):
    parsed = parse_agent_spec(spec)
    with SandboxPool(workers=1) as pool:
        remote = RemotePlanningAgent(parsed, reference_source(game), pool, game=game)
        local = PlanningAgent(parsed, load_reference(game))
        histories = {"tic_tac_toe": ([], 0, ["x(1,1)"], 1), "kuhn_poker": (["KQ"], 0, ["JQ", "Raise"], 1)}[game]
        for seed, (history, player) in enumerate([histories[:2], histories[2:]]):
            remote.new_game(seed)
            local.new_game(seed)
            assert remote.choose(history, player, []) == local.choose(history, player, [])
        assert remote.failures == 0


def test_a_wrong_model_makes_illegal_moves_in_the_true_game():
    result = run_arena("tic_tac_toe", ["mcts:sims=20", "random"], [uppercase_tic_tac_toe(), None], games=2, seed=0)
    planner = result.agents[0]
    turns = sum(sum(1 for i in range(len(r.actions)) if i % 2 == r.seats.index(0)) for r in result.records)
    assert planner.illegal_moves == turns > 0


def test_cli_play_prints_one_json_object(capsys):
    code = main(["play", "--game", "tic_tac_toe", "--agent", "mcts:sims=50", "--agent", "random",
                 "--games", "2", "--seed", "1", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"game", "games", "agents"}
    assert data["game"] == "tic_tac_toe" and data["games"] == 2
    assert [set(agent) for agent in data["agents"]] == [
        {"spec", "wins", "draws", "losses", "mean_return", "illegal_moves"}] * 2
    assert [agent["spec"] for agent in data["agents"]] == ["mcts:sims=50", "random"]
    assert all(a["wins"] + a["draws"] + a["losses"] == 2 for a in data["agents"])


def test_cli_play_model_file_and_usage_errors(tmp_path, capsys):
    model = tmp_path / "ttt.py"
    model.write_text(reference_source("tic_tac_toe"))
    code = main(["play", "--game", "tic_tac_toe", "--agent", "mcts:sims=20", "--agent", "mcts:sims=20",
                 "--model-a", str(model), "--games", "2", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agents"][0]["illegal_moves"] == 0
    assert main(["play", "--game", "tic_tac_toe", "--agent", "random"]) == 2
    assert "exactly two --agent" in capsys.readouterr().err
    assert main(["play", "--game", "kuhn_poker", "--agent", "mcts", "--agent", "random"]) == 2
    assert "use ismcts" in capsys.readouterr().err
    assert main(["play", "--game", "tic_tac_toe", "--agent", "mcts:simz=3", "--agent", "random"]) == 2
    assert "unknown parameter" in capsys.readouterr().err
