"""Playability: how well a generated GameCWM serves a planner on the true game.

MCTS planning with the sample (in the sandbox) plays MCTS planning with the reference, with the same
search settings, on the true game, seats alternating. ISMCTS takes MCTS's place for
imperfect-information games. A sample as good as the reference for planning scores about 0.5
(wins plus half the draws over games); a model that misleads its planner scores lower, and its
illegal choices are counted and resolved by the arena's rule (`gamecwm.play.arena`).
"""

from __future__ import annotations

from typing import Any

from gamecwm.games.registry import get_game, load_reference
from gamecwm.play.agents import PlanningAgent, parse_agent_spec
from gamecwm.play.arena import play_match
from gamecwm.play.remote import RemotePlanningAgent
from gamecwm.sandbox import Limits, SandboxPool


def planner_kind(game: str) -> str:
    """"ismcts" for imperfect-information games, "mcts" otherwise."""
    return "ismcts" if get_game(game).imperfect_information else "mcts"


def playability(code: str, game: str, games: int = 20, sims: int = 100, seed: int = 0, *,
                pool: SandboxPool | None = None, limits: Limits | None = None) -> dict[str, Any]:
    """Win/draw/loss rates of a planner using `code` against the same planner using the reference.

    Returns `{"game", "games", "planner", "simulations", "wins", "draws", "losses", "win_rate",
    "draw_rate", "loss_rate", "win_rate_ci", "score", "mean_return", "illegal_moves", "last_error"}`
    for the sample's side; `score` is (wins + draws / 2) / games. Uses `pool` when given (otherwise
    one sandbox worker opened for the call). Raises PlanningInfrastructureError when the sandbox fails.
    """
    get_game(game)
    spec = parse_agent_spec(f"{planner_kind(game)}:sims={sims}")
    owned = pool is None
    sandbox = pool if pool is not None else SandboxPool(workers=1)
    try:
        sample = RemotePlanningAgent(spec, code, sandbox, limits, game=game)

        reference = PlanningAgent(spec, load_reference(game))
        result = play_match(game, [sample, reference], games, seed)
    finally:
        if owned:
            sandbox.close()
    record = result.agents[0]
    win_rate, interval = record.rate("wins")
    return {
        "game": game,
        "games": games,
        "planner": spec.kind,
        "simulations": sims,
        "wins": record.wins,
        "draws": record.draws,
        "losses": record.losses,
        "win_rate": win_rate,
        "draw_rate": record.rate("draws")[0],
        "loss_rate": record.rate("losses")[0],
        "win_rate_ci": list(interval),
        "score": (record.wins + record.draws / 2) / games,
        "mean_return": record.mean_return,
        "illegal_moves": record.illegal_moves,
        "last_error": sample.last_error,
    }
