"""Verifier calibration: each wrong program's score next to how well a planner using it plays.

Run with `.venv/bin/python bench/verifier_calibration.py [--games N] [--sims N]`. For each game of the
calibration set, the reference and its wrong programs (`gamecwm.verify.calibration.calibration_set`:
winner reversed, constant rewards, never ending, truncated, leaking and constant observations, wrong
chance probabilities, syntax mutants) are verified (seed 0, sandbox on), and a planner using each
(MCTS, ISMCTS for hidden information; sandboxed, seeing only what its player may know) plays the true
game against the same planner using the reference, seats alternating. Playability is the program's
planner's share of the points (a win 1, a draw 1/2): 0.5 when planning with it is as good as with the
reference. The planner also plays random play, to list the programs whose planner loses to random
play yet score above 0.5. Prints the table and the rank correlation (Spearman) of score and playability.

Playability does not depend on the verifier, and measuring it takes hours at 48 games per pairing:
`--rows FILE` keeps each program's row (with the settings it was measured at), and
`--playability-from FILE` re-verifies every program and reuses the playabilities recorded there
(`bench/baselines/calibration_playability.jsonl` holds the README's), so a change to the verifier's
scoring is calibrated in minutes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table
from scipy.stats import spearmanr

from gamecwm.games import get_game, load_reference
from gamecwm.play.agents import PlanningAgent, RandomAgent, parse_agent_spec
from gamecwm.play.arena import play_match
from gamecwm.play.remote import RemotePlanningAgent
from gamecwm.sandbox import Limits, SandboxPool
from gamecwm.verify import verify
from gamecwm.verify.calibration import calibration_set

ROLLOUT_LIMIT = 200  # a rollout stops there and reads the rewards: a model that never ends cannot stall the bench
GAMES = ("tic_tac_toe", "connect4", "dots_and_boxes", "pig", "kuhn_poker", "leduc_poker", "liars_dice", "goofspiel")
DECISION_LIMITS = Limits(wall_s=20.0, cpu_s=20.0, memory_mb=1024)


def _spec(game: str, sims: int):
    kind = "ismcts" if get_game(game).imperfect_information else "mcts"
    return parse_agent_spec(f"{kind}:sims={sims},max_rollout={ROLLOUT_LIMIT}")


def playability(game: str, source: str, games: int, sims: int, pool: SandboxPool) -> tuple[float, float]:
    """(share of the points against the reference's planner, mean return against random play); `sims` is the
    planner's simulations per move."""
    spec = _spec(game, sims)
    program = RemotePlanningAgent(spec, source, pool, DECISION_LIMITS, game=game)
    versus_reference = play_match(game, [program, PlanningAgent(spec, load_reference(game))], games, seed=11)
    record = versus_reference.agents[0]
    share = (record.wins + record.draws / 2) / record.games
    versus_random = play_match(game, [program, RandomAgent()], games, seed=12).agents[0].mean_return
    return share, versus_random


def recorded_playability(path: Path) -> dict:
    """{"settings": (games, sims, ismcts_sims), "rows": {(game, program): (playability, return vs random)}} from a
    --rows file; ValueError when it cannot be read or mixes settings."""
    try:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        settings = {(row["games"], row["sims"], row["ismcts_sims"]) for row in rows}
        table = {(row["game"], row["program"]): (float(row["playability"]), float(row["return_vs_random"]))
                 for row in rows}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"--playability-from {path}: not a --rows file of this bench ({exc})") from None
    if len(settings) != 1:
        raise ValueError(f"--playability-from {path}: its rows were measured at {len(settings)} different settings; "
                         "give the rows of one run")
    return {"settings": settings.pop(), "rows": table}


def main() -> None:
    """Print the calibration table and the rank correlation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=20, help="games per program and opponent")
    parser.add_argument("--sims", type=int, default=30, help="MCTS simulations per move (perfect information)")
    parser.add_argument("--ismcts-sims", type=int, default=30,
                        help="ISMCTS simulations per move (hidden information: they are spread over sampled worlds, "
                             "so a planner needs more of them to play as well)")
    parser.add_argument("--only", help="comma-separated games of the calibration set to run (default: all 8)")
    parser.add_argument("--mutants", type=int, default=3, help="syntax mutants per game")
    parser.add_argument("--rows", type=Path, help="also write each program's row to this JSON-lines file (new)")
    parser.add_argument("--playability-from", type=Path, metavar="FILE",
                        help="reuse the playabilities recorded in this --rows file (its settings replace --games, "
                             "--sims and --ismcts-sims); only the scores are measured again")
    args = parser.parse_args()
    selected = args.only.split(",") if args.only else list(GAMES)
    if any(game not in GAMES for game in selected):
        parser.error(f"--only takes games of the calibration set: {', '.join(GAMES)}")
    if args.rows is not None and args.rows.exists():
        parser.error(f"--rows {args.rows} already exists; give a new file")
    recorded = None
    if args.playability_from is not None:
        try:
            recorded = recorded_playability(args.playability_from)
        except ValueError as exc:
            parser.error(str(exc))
        args.games, args.sims, args.ismcts_sims = recorded["settings"]
    source_note = f", playability recorded in {args.playability_from}" if recorded else ""
    table = Table(title=f"Verifier score vs playability ({args.games} games per opponent, {args.sims} MCTS and "
                        f"{args.ismcts_sims} ISMCTS simulations{source_note})")
    for column in ("game", "program", "score", "passed", "playability", "return vs random"):
        table.add_column(column, justify="left" if column in ("game", "program") else "right")
    scores, playabilities, offenders = [], [], []
    with SandboxPool(workers=2) as pool:
        for game in selected:
            sims = args.ismcts_sims if get_game(game).imperfect_information else args.sims
            for name, source in calibration_set(game, mutants=args.mutants):
                report = verify(source, game, seed=0, runner=pool.run)
                if recorded is None:
                    share, versus_random = playability(game, source, args.games, sims, pool)
                elif (game, name) in recorded["rows"]:
                    share, versus_random = recorded["rows"][(game, name)]
                else:
                    parser.exit(2, f"{args.playability_from} has no playability for {game}/{name}: the calibration "
                                   "set changed since it was recorded; measure it again without --playability-from\n")
                score = report.score or 0.0
                scores.append(score)
                playabilities.append(share)
                if versus_random < 0 and score > 0.5:
                    offenders.append(f"{game}/{name}")
                row = (game, name[:48], f"{score:.3f}", "yes" if report.passed else "no", f"{share:.2f}",
                       f"{versus_random:+.2f}")
                table.add_row(*row)
                print(" | ".join(row), flush=True)
                if args.rows is not None:
                    with args.rows.open("a") as rows:
                        rows.write(json.dumps({"game": game, "program": name, "score": score,
                                               "passed": report.passed, "playability": share,
                                               "return_vs_random": versus_random, "games": args.games,
                                               "sims": args.sims, "ismcts_sims": args.ismcts_sims}) + "\n")
    console = Console()
    console.print(table)
    correlation = spearmanr(scores, playabilities).statistic
    console.print(f"rank correlation (Spearman) between score and playability over {len(scores)} programs: "
                  f"{correlation:.3f}")
    console.print("programs that lose to random play but score above 0.5: " + (", ".join(offenders) or "none"))


if __name__ == "__main__":
    main()
