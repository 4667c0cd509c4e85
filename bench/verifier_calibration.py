"""Verifier calibration: each wrong program's score next to how well a planner using it plays.

Run with `.venv/bin/python bench/verifier_calibration.py [--games N] [--sims N]`. For each game of the
calibration set, the reference and its wrong programs (`gamecwm.verify.calibration.calibration_set`:
winner reversed, constant rewards, never ending, truncated, leaking and constant observations, wrong
chance probabilities, syntax mutants) are verified (seed 0, sandbox on), and MCTS (ISMCTS for hidden
information) plans with each against a random player on the true game. Playability is the planner's
mean return, scaled per game so that random play is 0 and planning with the reference is 1. Prints the
table, the programs whose planner loses to random play yet score above 0.5, and the rank correlation
(Spearman) between score and playability. The programs are this project's own, so planning runs in
this process.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table
from scipy.stats import spearmanr

from gamecwm.games import get_game
from gamecwm.play.agents import PlanningAgent, RandomAgent, parse_agent_spec
from gamecwm.play.arena import play_match
from gamecwm.protocol import load_module_from_source
from gamecwm.sandbox import SandboxPool
from gamecwm.verify import verify
from gamecwm.verify.calibration import calibration_set

GAMES = ("tic_tac_toe", "connect4", "dots_and_boxes", "pig", "kuhn_poker", "leduc_poker", "liars_dice", "goofspiel")


def planner_return(game: str, source: str | None, games: int, sims: int) -> float:
    """Mean return of a planner using `source` (random play when None) against a random player."""
    info = get_game(game)
    if source is None:
        agent = RandomAgent()
    else:
        spec = parse_agent_spec(f"{'ismcts' if info.imperfect_information else 'mcts'}:sims={sims}")
        agent = PlanningAgent(spec, load_module_from_source(source, filename=f"<{game} calibration>"))
    return play_match(game, [agent, RandomAgent()], games, seed=11).agents[0].mean_return


def main() -> None:
    """Print the calibration table and the rank correlation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=20, help="games per program against random play")
    parser.add_argument("--sims", type=int, default=40, help="planner simulations per move")
    parser.add_argument("--mutants", type=int, default=3, help="syntax mutants per game")
    args = parser.parse_args()
    table = Table(title=f"Verifier score vs playability ({args.games} games against random, {args.sims} simulations)")
    for column in ("game", "program", "score", "passed", "mean return", "playability"):
        table.add_column(column, justify="left" if column in ("game", "program") else "right")
    scores, playabilities, offenders = [], [], []
    with SandboxPool(workers=2) as pool:
        for game in GAMES:
            random_return = planner_return(game, None, args.games, args.sims)
            programs = calibration_set(game, mutants=args.mutants)
            reference_return = planner_return(game, programs[0][1], args.games, args.sims)
            span = reference_return - random_return
            for name, source in programs:
                report = verify(source, game, seed=0, runner=pool.run)
                mean_return = reference_return if name == "reference" else planner_return(game, source, args.games,
                                                                                          args.sims)
                playability = (mean_return - random_return) / span if abs(span) > 1e-9 else 0.0
                score = report.score or 0.0
                scores.append(score)
                playabilities.append(playability)
                if mean_return < random_return and score > 0.5:
                    offenders.append(f"{game}/{name}")
                row = (game, name[:48], f"{score:.3f}", "yes" if report.passed else "no", f"{mean_return:+.3f}",
                       f"{playability:+.2f}")
                table.add_row(*row)
                print(" | ".join(row), flush=True)
    console = Console()
    console.print(table)
    correlation = spearmanr(scores, playabilities).statistic
    console.print(f"rank correlation (Spearman) between score and playability over {len(scores)} programs: "
                  f"{correlation:.3f}")
    console.print("programs that lose to random play but score above 0.5: " + (", ".join(offenders) or "none"))


if __name__ == "__main__":
    main()
