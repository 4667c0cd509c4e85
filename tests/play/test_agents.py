"""Agent specs and agent construction."""

from __future__ import annotations

import pytest

from gamecwm.play.agents import AgentSpecError, PlanningAgent, RandomAgent, build_agent, parse_agent_spec


def test_parses_planner_specs_with_defaults():
    spec = parse_agent_spec("mcts:sims=500,c=1.4")
    assert (spec.kind, spec.config.simulations, spec.config.exploration, spec.config.rollouts) == ("mcts", 500, 1.4, 1)
    spec = parse_agent_spec("ismcts:sims=200,rollouts=2,max_rollout=50")
    assert (spec.kind, spec.config.simulations, spec.config.rollouts, spec.config.max_rollout_steps) == ("ismcts", 200, 2, 50)
    assert parse_agent_spec("mcts").config.simulations == 200
    assert parse_agent_spec("random").kind == "random"
    assert parse_agent_spec("mcts:sims=5").text == "mcts:sims=5"


@pytest.mark.parametrize(("text", "message"), [
    ("alphazero", "unknown agent"),
    ("mcts:sims", "not key=value"),
    ("mcts:depth=3", "unknown parameter"),
    ("mcts:sims=many", "must be an integer"),
    ("mcts:c=wide", "must be a number"),
    ("mcts:sims=0", "positive"),
    ("mcts:sims=3,sims=4", "given twice"),
    ("random:sims=3", "takes no parameters"),
])
def test_bad_specs_raise_clear_errors(text, message):
    with pytest.raises(AgentSpecError, match=message):
        parse_agent_spec(text)


def test_builds_agents_that_fit_the_game():
    assert isinstance(build_agent("random", "kuhn_poker"), RandomAgent)
    assert isinstance(build_agent("ismcts", "kuhn_poker"), PlanningAgent)
    assert isinstance(build_agent("mcts", "connect4"), PlanningAgent)
    with pytest.raises(AgentSpecError, match="use ismcts"):
        build_agent("mcts", "kuhn_poker")
    with pytest.raises(AgentSpecError, match="use mcts"):
        build_agent("ismcts", "tic_tac_toe")
    with pytest.raises(AgentSpecError, match="takes no model"):
        build_agent("random", "tic_tac_toe", model_code="x = 1")
