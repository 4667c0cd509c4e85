"""Benchmark of the sandbox (prints a table; not a test).

Measures, on this machine:
  * the per-candidate start-up cost (fork from the warm server, confinement, load, one tiny task),
    against a cold interpreter start;
  * the overhead of one full random playout run as a single batched task through the sandbox,
    against the same playout run directly in-process, for 5 games of different sizes;
  * candidates per second through the pool with 1 and 2 workers.

Run: .venv/bin/python bench/sandbox_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time

from rich.console import Console
from rich.table import Table

from gamecwm.games.registry import game_names, get_game, load_reference
from gamecwm.protocol import load_module_from_source
from gamecwm.sandbox import Limits, SandboxPool, Task, isolation_level
from gamecwm.sandbox.testing import playout

# Five sizes: a handful of moves, tens, about a hundred, and a few hundred (cheap and costly moves).
PREFERRED_GAMES = ("tic_tac_toe", "connect4", "havannah", "go", "chess", "backgammon", "checkers", "breakthrough", "y")
GAME_COUNT = 5
MAX_STEPS = 1000
LIMITS = Limits(wall_s=60.0, cpu_s=60.0, memory_mb=1024)
STARTUP_BUDGET_S = 0.015  # per candidate, at every level


def _source(name: str) -> str:
    module = load_reference(name)
    return module.__loader__.get_source(module.__name__)


def _median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _pick_games() -> list[tuple[str, str, list[float], int]]:
    """Up to GAME_COUNT games (preferred ones first) whose reference plays a full game in-process."""
    picked = []
    names = [n for n in PREFERRED_GAMES if n in game_names()] + [n for n in game_names() if n not in PREFERRED_GAMES]
    for name in names:
        if len(picked) == GAME_COUNT:
            break
        try:
            source = _source(name)
            module = load_module_from_source(source)
            steps = min(MAX_STEPS, get_game(name).max_game_length)
            rng = random.Random(7)
            choices = [rng.random() for _ in range(steps + 1)]
            trace = playout(module, choices=choices, max_steps=steps)
        except Exception:  # noqa: BLE001 - a game still being written: benchmark the others
            continue
        picked.append((name, source, choices, len(trace) - 1))
    return picked


def startup_rows(repeat: int) -> list[tuple[str, str]]:
    """Per-candidate start-up cost through warm servers, and cold interpreter starts for comparison."""
    rows = []
    source = _source("tic_tac_toe")
    probe = [Task("gamecwm.sandbox.testing:probe", {})]
    for label, disable in (("strongest", ()), ("no bubblewrap", ("bubblewrap",)),
                           ("rlimits only", ("bubblewrap", "seccomp", "landlock"))):
        with SandboxPool(workers=1, limits=LIMITS, disable=disable, allow_weak=bool(disable)) as pool:
            pool.run(source, probe)  # start the fork server
            cost = _median_time(lambda: pool.run(source, probe), repeat)
            verdict = "within" if cost < STARTUP_BUDGET_S else "OVER"
            rows.append((f"candidate start-up, {label} ({pool.isolation_level})",
                         f"{cost * 1000:.1f} ms ({verdict} the {STARTUP_BUDGET_S * 1000:.0f} ms budget)"))
    cold = _median_time(lambda: subprocess.run([sys.executable, "-I", "-S", "-c", "pass"], check=True), 5)
    rows.append(("cold interpreter start (python -I -S -c pass)", f"{cold * 1000:.1f} ms"))
    return rows


def playout_rows(repeat: int) -> list[tuple[str, int, str, str, str, str, str, str]]:
    """Per game: load + one playout in-process vs the same batched through the sandbox.

    In-process, like in the sandbox, the candidate is loaded from source each time (a verifier
    running in-process would load it once per candidate too). "batch only" compares the playout's
    share of the sandbox run (total minus a run with no task) with the playout alone in-process.
    """
    rows = []
    with SandboxPool(workers=1, limits=LIMITS) as pool:
        for name, source, choices, moves in _pick_games():
            steps = min(MAX_STEPS, get_game(name).max_game_length)
            args = {"choices": choices, "max_steps": steps}
            direct = _median_time(lambda: playout(load_module_from_source(source), **args), repeat)
            load = _median_time(lambda: load_module_from_source(source), repeat)
            task = [Task("gamecwm.sandbox.testing:playout", args)]
            pool.run(source, task)
            empty = _median_time(lambda: pool.run(source, []), repeat)
            worker_times: list[float] = []

            def run_once() -> None:
                """One sandboxed run, remembering the playout's time inside the worker."""
                worker_times.append(pool.run(source, task).task_results[0].elapsed_s)

            total = _median_time(run_once, repeat)
            batch, batch_direct = max(0.0, total - empty), max(1e-9, direct - load)
            rows.append((
                name, moves, f"{direct * 1000:.2f} ms", f"{statistics.median(worker_times) * 1000:.2f} ms",
                f"{total * 1000:.2f} ms", f"{empty * 1000:.2f} ms",
                f"{(batch / batch_direct - 1) * 100:+.0f}%", f"{(total / direct - 1) * 100:+.0f}%",
            ))
    return rows


def throughput_rows(jobs: int) -> list[tuple[str, str]]:
    """Candidates per second (tic-tac-toe: probe + one playout) through the pool on 1 and 2 workers."""
    source = _source("tic_tac_toe")
    tasks = [Task("gamecwm.sandbox.testing:probe", {}),
             Task("gamecwm.sandbox.testing:playout", {"choices": [0.5] * 10, "max_steps": 9})]
    rows = []
    for workers in (1, 2):
        with SandboxPool(workers=workers, limits=LIMITS) as pool:
            list(pool.map([(source, tasks)] * workers))  # warm every server
            start = time.perf_counter()
            results = [result for _, result in pool.map([(source, tasks)] * jobs)]
            elapsed = time.perf_counter() - start
        ok = sum(result.status == "ok" for result in results)
        rows.append((f"{workers} worker(s)", f"{jobs / elapsed:.0f} candidates/s ({ok}/{jobs} ok)"))
    return rows


def main() -> None:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="repetitions per measurement (median)")
    parser.add_argument("--jobs", type=int, default=200, help="candidates for the throughput measurement")
    options = parser.parse_args()
    console = Console(width=max(130, Console().width))
    console.print(f"isolation level: [bold]{isolation_level()}[/bold]")

    table = Table(title="Start-up cost per candidate (median)")
    table.add_column("measurement")
    table.add_column("time", justify="right")
    for row in startup_rows(options.repeat):
        table.add_row(*row)
    console.print(table)

    table = Table(title="One full random playout: in-process vs through the sandbox (median)")
    for column in ("game", "moves", "in-process (load + playout)", "playout in worker", "sandbox total",
                   "sandbox, no task",
                   "overhead (batch only)", "overhead (incl. start-up)"):
        table.add_column(column, justify="left" if column == "game" else "right")
    for name, moves, *cells in playout_rows(options.repeat):
        table.add_row(name, str(moves), *cells)
    console.print(table)

    table = Table(title="Throughput through the pool")
    table.add_column("pool")
    table.add_column("throughput", justify="right")
    for row in throughput_rows(options.jobs):
        table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    main()
