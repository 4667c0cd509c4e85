"""Verifier speed: time to verify one correct candidate per game, and throughput on 1 and 2 workers.

Run with `.venv/bin/python bench/verify_bench.py [--seeds N]`. Each game's reference is verified as
a candidate (through the sandbox) under N seeds; the reference plan for a seed is computed first,
as a batch run would have it cached, so the times are those of verifying a candidate. The ratio
column compares each median with `bench/baselines/verify_medians.json`, the medians of the verifier
before it judged answers alone (both workers' runs, the second hash seed's included, count here).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from gamecwm.games import list_games
from gamecwm.sandbox import SandboxPool
from gamecwm.verify import VerifyConfig, verify
from gamecwm.verify.batch import Candidate, verify_many
from gamecwm.verify.plan import build_plan

BASELINE = Path(__file__).parent / "baselines" / "verify_medians.json"


def per_game_times(seeds: int, pool: SandboxPool) -> Table:
    """Median and 90th-percentile verification time of each game's reference, one worker."""
    table = Table(title=f"Verifying a correct candidate ({seeds} seeds, one worker, sandbox on)")
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    for column in ("game", "median (s)", "p90 (s)", "plan (s)", "score", "ratio to baseline"):
        table.add_column(column, justify="left" if column == "game" else "right")
    config = VerifyConfig()
    for game in list_games():
        source = game.reference_path.read_text()
        times, plan_times, scores = [], [], []
        for seed in range(seeds):
            started = time.perf_counter()
            build_plan(game.name, seed, config)
            plan_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            report = verify(source, game.name, seed=seed, runner=pool.run)
            times.append(time.perf_counter() - started)
            scores.append(report.score or 0.0)
        times.sort()
        p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
        median = statistics.median(times)
        ratio = f"{median / baseline[game.name]:.2f}x" if game.name in baseline else "n/a"
        table.add_row(game.name, f"{median:.3f}", f"{p90:.3f}", f"{statistics.median(plan_times):.3f}",
                      f"{min(scores):.3f}", ratio)
    return table


def throughput(workers: int, rounds: int) -> float:
    """Candidates per second verifying every game's reference `rounds` times through a pool."""
    candidates = [Candidate(f"{g.name}/{r}", g.name, g.reference_path.read_text())
                  for r in range(rounds) for g in list_games()]
    for candidate in candidates:
        build_plan(candidate.game, 0, VerifyConfig())
    with SandboxPool(workers=workers) as pool:
        started = time.perf_counter()
        count = sum(1 for _ in verify_many(candidates, pool, seed=0))
        return count / (time.perf_counter() - started)


def main() -> None:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2, help="rounds over all games for throughput")
    args = parser.parse_args()
    console = Console(width=140)
    with SandboxPool(workers=1) as pool:
        console.print(per_game_times(args.seeds, pool))
    table = Table(title="Throughput (every game's reference as a candidate)")
    table.add_column("workers", justify="right")
    table.add_column("candidates / s", justify="right")
    for workers in (1, 2):
        table.add_row(str(workers), f"{throughput(workers, args.rounds):.2f}")
    console.print(table)


if __name__ == "__main__":
    main()
