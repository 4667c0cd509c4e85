"""The main job's first part: every game played once, then the references and broken programs verified."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from gamecwm.cli.games import games_table
from gamecwm.games import get_game, list_games, load_reference
from gamecwm.games.playout import random_playout
from gamecwm.sandbox import SandboxPool
from gamecwm.verify.batch import Candidate, verify_many
from gamecwm.verify.calibration import NON_PLAYING_STUBS
from gamecwm.verify.mutants import make_mutants
from gamecwm.verify.summary import summarize, summary_tables

BROKEN_GAMES = ("tic_tac_toe", "kuhn_poker", "pig")


def play_every_game(console: Console, seed: int) -> int:
    """Play one seeded random game of each registered game; returns how many did not finish."""
    unfinished = 0
    for game in list_games():
        module = load_reference(game.name)
        playout = random_playout(module, seed=seed, max_steps=game.max_game_length + 1)
        console.rule(f"{game.title} ({game.name})")
        console.print(" ".join(playout.actions), highlight=False, soft_wrap=True)
        state_text = "terminal" if playout.terminal else "NOT TERMINAL"
        console.print(f"{len(playout.actions)} actions, {state_text}, rewards {playout.rewards}", highlight=False)
        unfinished += not playout.terminal
    return unfinished


def demo_candidates(seed: int) -> list[Candidate]:
    """Every reference as a candidate, plus deliberately broken ones: stubs and small mutants."""
    candidates = [Candidate(f"{g.name}/reference", g.name, g.reference_path.read_text()) for g in list_games()]
    names = {g.name for g in list_games()}
    for game in (g for g in BROKEN_GAMES if g in names):
        source = get_game(game).reference_path.read_text()
        for mutant in make_mutants(source, 2, seed=seed):
            candidates.append(Candidate(f"{game}/mutant {mutant.description}", game, mutant.source))
        for stub_name, stub in NON_PLAYING_STUBS.items():
            candidates.append(Candidate(f"{game}/{stub_name}", game, stub))
    return candidates


def verify_candidates(console: Console, seed: int) -> list[dict]:
    """Verify the demo candidates through the sandbox pool and print one row each plus the summary."""
    table = Table(title="Verification of the references and of deliberately broken programs")
    for column in ("candidate", "score", "passed", "first failed check"):
        table.add_column(column, justify="right" if column == "score" else "left")
    records = []
    with SandboxPool() as pool:
        for candidate, report in verify_many(demo_candidates(seed), pool, seed=seed):
            failed = report.failed_checks()
            first = f"{failed[0][0]}/{failed[0][1].name}" if failed else ""
            score = "n/a" if report.score is None else f"{report.score:.3f}"
            table.add_row(candidate.id, score, "yes" if report.passed else "no", first)
            records.append({"id": candidate.id, **report.to_json()})
    console.print(table)
    for summary_table in summary_tables(summarize(records)):
        console.print(summary_table)
    return records


def tour(console: Console, seed: int) -> int:
    """List the games, play one of each, verify every reference and broken programs; returns the problems
    found (unfinished playouts, references that fail verification), 0 when all is well."""
    console.rule("The games and the verifier")
    console.print("Every game played once at random, then every reference and deliberately broken programs "
                  "verified in the sandbox (under a minute on 2 cores).", highlight=False)
    console.print(games_table(list_games()))
    problems = play_every_game(console, seed)
    records = verify_candidates(console, seed)
    failing_references = [r["id"] for r in records if r["id"].endswith("/reference") and not r["passed"]]
    if failing_references:
        console.print(f"[red]references failing verification: {failing_references}[/red]")
    return problems + len(failing_references)
