"""Verifier speed: time to verify one correct candidate per game, and throughput on 1 and 2 workers.

Run with `.venv/bin/python bench/verify_bench.py [--seeds N] [--baseline-src DIR]`. Each game's reference
is verified as a candidate (through the sandbox) under N seeds; the reference plan for a seed is computed
first, as a batch run would have it cached, so the times are those of verifying a candidate. The ratio
column compares each median with `bench/baselines/verify_medians.json`, the medians of the verifier
before it judged answers alone (both workers' runs, the second hash seed's included, count here). A
machine's speed drifts between runs by more than the differences measured, so `--baseline-src`, the
`src` folder of another checkout (e.g. `git worktree add ../before <commit>`), instead times that
verifier and this one game by game, alternating, each in a fresh process, and prints their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from gamecwm.games import get_game, list_games
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
    for game in list_games():
        times, plan_times, scores = timed_verifications(game.name, seeds, pool)
        times.sort()
        p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
        median = statistics.median(times)
        ratio = f"{median / baseline[game.name]:.2f}x" if game.name in baseline else "n/a"
        table.add_row(game.name, f"{median:.3f}", f"{p90:.3f}", f"{statistics.median(plan_times):.3f}",
                      f"{min(scores):.3f}", ratio)
    return table


def timed_verifications(game: str, seeds: int, pool: SandboxPool) -> tuple[list[float], list[float], list[float]]:
    """Seconds to build the reference plan and to verify `game`'s reference for seeds 0..seeds-1, and the scores
    (each plan is built first, as a batch run would have it cached)."""
    source = get_game(game).reference_path.read_text()
    times, plan_times, scores = [], [], []
    for seed in range(seeds):
        started = time.perf_counter()
        build_plan(game, seed, VerifyConfig())
        plan_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        report = verify(source, game, seed=seed, runner=pool.run)
        times.append(time.perf_counter() - started)
        scores.append(report.score or 0.0)
    return times, plan_times, scores


def median_time(game: str, seeds: int) -> float:
    """Median seconds to verify `game`'s reference, one worker, after two warm-up runs (plans cached first)."""
    with SandboxPool(workers=1) as pool:
        timed_verifications(game, 2, pool)
        return statistics.median(timed_verifications(game, seeds, pool)[0])


def _median_time_in(src: Path, game: str, seeds: int) -> float:
    """`median_time` run in a fresh process that imports gamecwm from the `src` folder `src`."""
    command = [sys.executable, __file__, "--median-time", game, "--seeds", str(seeds)]
    environment = {**os.environ, "PYTHONPATH": str(src.resolve())}
    done = subprocess.run(command, env=environment, capture_output=True, text=True, cwd=tempfile.gettempdir(),
                          check=True)
    return float(done.stdout.strip().splitlines()[-1])


def interleaved_times(seeds: int, baseline_src: Path, alternations: int) -> Table:
    """Per game, the median verification time of the checkout at `baseline_src` and of this one, alternating
    `alternations` times (each a fresh process: a process's own median varies by a third from one to the next)."""
    here = Path(__file__).resolve().parents[1] / "src"
    table = Table(title=f"Verifying a correct candidate: {baseline_src} vs this checkout, alternating "
                        f"({alternations} x {seeds} seeds, one worker, sandbox on)")
    for column in ("game", "baseline median (s)", "median (s)", "ratio"):
        table.add_column(column, justify="left" if column == "game" else "right")
    ratios = []
    for game in list_games():
        before, after = [], []
        for _ in range(alternations):
            before.append(_median_time_in(baseline_src, game.name, seeds))
            after.append(_median_time_in(here, game.name, seeds))
        ratios.append(statistics.median(after) / statistics.median(before))
        table.add_row(game.name, f"{statistics.median(before):.3f}", f"{statistics.median(after):.3f}",
                      f"{ratios[-1]:.2f}x")
    table.add_section()
    table.add_row("median ratio", "", "", f"{statistics.median(ratios):.2f}x")
    table.add_row("highest ratio", "", "", f"{max(ratios):.2f}x")
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
    parser.add_argument("--baseline-src", type=Path,
                        help="the src folder of another checkout: time it and this one alternately, game by game")
    parser.add_argument("--alternations", type=int, default=3,
                        help="with --baseline-src: fresh processes per game and checkout, alternating")
    parser.add_argument("--median-time", metavar="GAME", help=argparse.SUPPRESS)  # one game, in a fresh process
    args = parser.parse_args()
    if args.median_time:
        print(median_time(args.median_time, args.seeds))
        return
    console = Console(width=140)
    if args.baseline_src is not None:
        if not (args.baseline_src / "gamecwm").is_dir():
            parser.error(f"--baseline-src {args.baseline_src} holds no gamecwm package; give a checkout's src folder")
        console.print(interleaved_times(args.seeds, args.baseline_src, args.alternations))
        return
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
