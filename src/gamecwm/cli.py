"""The `gamecwm` command line: argument parsing only; every command calls a library function."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from gamecwm.games import UnknownGameError, get_game, list_games, load_reference, load_rules

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: reported as a clear message with exit status 2."""


def _cmd_games_list(args: argparse.Namespace, console: Console) -> int:
    games = list_games()
    if args.json:
        print(json.dumps([g.to_json() for g in games], indent=2))
    else:
        from gamecwm.games.present import games_table

        console.print(games_table(games))
    return 0


def _cmd_games_show(args: argparse.Namespace, console: Console) -> int:
    print(load_rules(args.name), end="")
    return 0


def _cmd_games_play(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.games.playout import random_playout
    from gamecwm.games.present import print_playout

    game = get_game(args.name)
    module = load_reference(game.name)
    playout = random_playout(module, seed=args.seed, max_steps=game.max_game_length + 1)
    print_playout(console, module, playout, game)
    return 0


def _cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.demo import run_demo

    from pathlib import Path

    unfinished = run_demo(console, seed=args.seed, out_dir=None if args.skip_training else Path(args.out))
    return 1 if unfinished else 0


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc


def _cmd_verify(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.generate.extract import extract_code
    from gamecwm.verify import format_report, verify

    get_game(args.game)
    text = _read_text(args.file)
    code = text if args.file.endswith(".py") else extract_code(text)
    report = verify(code, args.game, seed=args.seed)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print(format_report(report))
    return 0


def _cmd_verify_batch(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.verify.batch import BatchInputError, run_batch
    from gamecwm.verify.summary import summarize, summary_tables

    try:
        records = run_batch(Path(args.input), Path(args.output), workers=args.workers, seed=args.seed)
    except BatchInputError as exc:
        raise UsageError(str(exc)) from exc
    for table in summary_tables(summarize(records)):
        console.print(table)
    return 0


def _cmd_generate(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.generate.backends import BackendError, SamplingParams, make_backend
    from gamecwm.generate.prompts import get_template
    from gamecwm.generate.run import generate_samples, select_games
    from gamecwm.repair.run import RepairConfig, default_repair_path, describe_summary, repair_samples

    try:
        games = select_games(args.games)
        get_template(args.template)
        params = SamplingParams(temperature=args.temperature, top_p=args.top_p, max_tokens=args.max_tokens)
        repair = RepairConfig(rounds=args.repair_rounds, width=args.repair_width)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    repair_out = Path(args.repair_out) if args.repair_out else default_repair_path(Path(args.out))
    try:
        backend = make_backend(args.backend, args.model, **_backend_options(args))
        written = generate_samples(backend, games, args.samples, Path(args.out), params, args.template, args.seed)
        if repair.rounds:
            console.print(f"{written} new samples in {args.out}")
            summary = repair_samples(backend, Path(args.out), repair_out, params, repair)
            console.print(describe_summary(summary, repair_out))
            return 0
    except BackendError as exc:
        print(f"gamecwm: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted: the samples written so far are in {args.out}; run the same command to resume",
              file=sys.stderr)
        return 130
    console.print(f"{written} new samples in {args.out}")
    return 0


def _cmd_import_samples(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.generate.run import import_samples

    try:
        added = import_samples(Path(args.folder), args.model, Path(args.out))
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"{added} samples imported into {args.out}")
    return 0


def _cmd_evaluate(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.evaluate.metrics import model_metrics
    from gamecwm.evaluate.repair_curve import curve_table, has_repairs, repair_curve
    from gamecwm.evaluate.report import results_table
    from gamecwm.evaluate.run import evaluate_samples

    try:
        results = evaluate_samples(Path(args.generations), Path(args.out), workers=args.workers, seed=args.seed)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    print(results_table(model_metrics(results, seed=args.seed)))
    if has_repairs(results):
        print("\nRepair: score and pass rate by model calls\n\n" + curve_table(repair_curve(results)))
    if args.play:
        from gamecwm.evaluate.playability import evaluate_playability, playability_metrics
        from gamecwm.evaluate.report import playability_table

        records = evaluate_playability(Path(args.generations), Path(args.out), min_score=args.play_min_score,
                                       games=args.play_games, sims=args.play_sims, seed=args.seed,
                                       workers=args.workers)
        print("\nPlayability\n\n" + playability_table(playability_metrics(records, seed=args.seed)))
    return 0


def _cmd_repair(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.generate.backends import BackendError, SamplingParams, make_backend
    from gamecwm.repair.run import RepairConfig, describe_summary, read_samples, repair_samples

    try:
        read_samples(Path(args.generations))
        params = SamplingParams(temperature=args.temperature, top_p=args.top_p, max_tokens=args.max_tokens)
        config = RepairConfig(rounds=args.rounds, width=args.width, max_calls=args.max_calls,
                              exploration=args.exploration, seed=args.seed, workers=args.workers)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    try:
        backend = make_backend(args.backend, args.model, **_backend_options(args))
        summary = repair_samples(backend, Path(args.generations), Path(args.out), params, config)
    except BackendError as exc:
        print(f"gamecwm: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted: the versions written so far are in {args.out}; run the same command to resume",
              file=sys.stderr)
        return 130
    console.print(describe_summary(summary, Path(args.out)))
    return 0


def _cmd_report(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.evaluate.report import write_report

    missing = [p for p in args.results if not Path(p).is_file()]
    if missing:
        raise UsageError(f"no such results file: {', '.join(missing)}")
    path = write_report([Path(p) for p in args.results], Path(args.out))
    console.print(f"report written to {path}")
    return 0


def _cmd_play(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.generate.extract import extract_code
    from gamecwm.play.agents import AgentSpecError
    from gamecwm.play.arena import arena_table, run_arena

    get_game(args.game)
    specs = args.agent or []
    if len(specs) != 2:
        raise UsageError(f"give exactly two --agent specs (got {len(specs)})")
    if args.games < 1:
        raise UsageError("--games must be at least 1")
    models = []
    for path in (args.model_a, args.model_b):
        if path is None:
            models.append(None)
            continue
        text = _read_text(path)
        models.append(text if path.endswith(".py") else extract_code(text))
    try:
        result = run_arena(args.game, specs, models, games=args.games, seed=args.seed)
    except AgentSpecError as exc:
        raise UsageError(str(exc)) from exc
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        console.print(arena_table(result))
    return 0


def _cmd_tiny_model(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.train.tiny_model import TinyModelConfig, build_tiny_model

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    path = build_tiny_model(out, TinyModelConfig(seed=args.seed))
    console.print(f"tiny model written to {path}")
    return 0


def _cmd_dataset_sft(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.train.data import write_sft_dataset

    try:
        rows = write_sft_dataset(Path(args.out), template=args.template, seed=args.seed, repeats=args.repeats)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"{rows} SFT examples (training games' references, by curriculum tier) written to {args.out}")
    return 0


def _cmd_distill(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.train.data import distill

    missing = [p for p in (args.generations, args.results) if not Path(p).is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    try:
        summary = distill(Path(args.generations), Path(args.results), args.min_score, Path(args.out), seed=args.seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"{summary.added} programs added to {args.out} ({summary.total_rows} examples in all); left out: "
                  f"{summary.below_threshold} below {args.min_score}, {summary.duplicates} duplicates, "
                  f"{summary.not_training_games} of test games, {summary.unscored} without a score")
    return 0


def _cmd_train(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.train.config import ConfigError, load_section

    if args.config is not None and not Path(args.config).is_file():
        raise UsageError(f"no such config file: {args.config}")
    try:
        if args.train_command == "sft":
            from gamecwm.train.sft import SFTRunConfig, run_sft

            result = run_sft(args.model, Path(args.data), Path(args.out),
                             load_section(args.config, "sft", SFTRunConfig), resume=not args.no_resume)
        else:
            from gamecwm.train.grpo import GRPORunConfig, run_grpo

            result = run_grpo(args.model, Path(args.out), load_section(args.config, "grpo", GRPORunConfig),
                              resume=not args.no_resume)
    except (ConfigError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"{result.steps} steps; the trained model (adapter merged) is in {result.final_model}")
    return 0


def _add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The backend, model, sampling and endpoint options shared by `generate` and `repair`."""
    parser.add_argument("--backend", required=True, choices=("transformers", "openai", "vllm"))
    parser.add_argument("--model", required=True, help="local path or hub id (transformers, vllm); model name (openai)")
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--top-p", type=float, default=0.95)
    parser.add_argument("--max-tokens", type=int, default=4096)
    parser.add_argument("--base-url", default=None, help="openai: the endpoint (default $OPENAI_BASE_URL)")
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY", help="openai: variable holding the API key")
    parser.add_argument("--concurrency", type=int, default=8, help="openai: concurrent requests")
    parser.add_argument("--max-retries", type=int, default=5,
                        help="openai: retries with backoff on rate limits, server errors and lost connections")


def _backend_options(args: argparse.Namespace) -> dict:
    """Constructor options for the chosen backend from the shared model arguments."""
    if args.backend != "openai":
        return {}
    return {"base_url": args.base_url, "api_key_env": args.api_key_env, "concurrency": args.concurrency,
            "max_retries": args.max_retries}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="gamecwm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    games = commands.add_parser("games", help="list, show and play the dataset's games")
    games_commands = games.add_subparsers(dest="games_command", required=True)
    listing = games_commands.add_parser("list", help="list the registered games")
    listing.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    listing.set_defaults(handler=_cmd_games_list)
    show = games_commands.add_parser("show", help="print a game's rules (what a model receives)")
    show.add_argument("name")
    show.set_defaults(handler=_cmd_games_show)
    play = games_commands.add_parser("play", help="play one random game with the reference")
    play.add_argument("name")
    play.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    play.set_defaults(handler=_cmd_games_play)

    verify = commands.add_parser("verify", help="verify a GameCWM file against a game's reference")
    verify.add_argument("file", help="a Python file (or a model completion with a fenced code block)")
    verify.add_argument("--game", required=True, help="the registered game it implements")
    verify.add_argument("--json", action="store_true", help="print exactly one JSON object")
    verify.add_argument("--seed", type=int, default=0, help="verification seed (default 0)")
    verify.set_defaults(handler=_cmd_verify)

    batch = commands.add_parser("verify-batch", help="verify a JSONL file of candidates in parallel (resumable)")
    batch.add_argument("input", help='JSON lines {"id", "game", "code"}')
    batch.add_argument("--output", required=True, help="JSONL reports, appended as they finish")
    batch.add_argument("--workers", type=int, default=None, help="sandbox workers (default: one per core)")
    batch.add_argument("--seed", type=int, default=0, help="verification seed (default 0)")
    batch.set_defaults(handler=_cmd_verify_batch)

    generate = commands.add_parser("generate", help="sample GameCWMs from a model (resumable)")
    _add_model_arguments(generate)
    generate.add_argument("--games", default="test", help="test, train, all, or comma-separated names (default test)")
    generate.add_argument("--samples", type=int, default=1, help="samples per game (default 1)")
    generate.add_argument("--template", default="protocol", help="prompt template (default protocol)")
    generate.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    generate.add_argument("--out", required=True, help="generations JSONL (appended; resumes)")
    generate.add_argument("--repair-rounds", type=int, default=0,
                          help="then repair each sample with the verifier's feedback for N rounds (default 0: no repair)")
    generate.add_argument("--repair-width", type=int, default=1, help="refinements per round (default 1)")
    generate.add_argument("--repair-out", default=None, help="repair versions JSONL (default <out>.repairs.jsonl)")
    generate.set_defaults(handler=_cmd_generate)

    importing = commands.add_parser("import-samples", help="import a folder of <game>_gen<N>.py samples")
    importing.add_argument("folder")
    importing.add_argument("--model", required=True, help="the name the samples are reported under")
    importing.add_argument("--out", required=True, help="generations JSONL (appended)")
    importing.set_defaults(handler=_cmd_import_samples)

    evaluate = commands.add_parser("evaluate", help="verify every sample and compute metrics (resumable)")
    evaluate.add_argument("generations", help="generations JSONL from generate or import-samples")
    evaluate.add_argument("--out", required=True, help="results JSONL (appended; resumes)")
    evaluate.add_argument("--workers", type=int, default=None, help="sandbox workers (default: one per core)")
    evaluate.add_argument("--seed", type=int, default=0, help="verification and bootstrap seed")
    evaluate.add_argument("--play", action="store_true",
                          help="also measure playability: MCTS with the sample against MCTS with the reference")
    evaluate.add_argument("--play-min-score", type=float, default=0.9,
                          help="only samples with at least this verifier score are played (default 0.9)")
    evaluate.add_argument("--play-games", type=int, default=10, help="games per sample (default 10)")
    evaluate.add_argument("--play-sims", type=int, default=50, help="simulations per move (default 50)")
    evaluate.set_defaults(handler=_cmd_evaluate)

    repair = commands.add_parser("repair", help="refine each sample with the verifier's feedback (resumable)")
    repair.add_argument("generations", help="generations JSONL from generate or import-samples")
    _add_model_arguments(repair)
    repair.add_argument("--rounds", type=int, default=3, help="refinement rounds per sample (default 3)")
    repair.add_argument("--width", type=int, default=1, help="refinements per round (default 1)")
    repair.add_argument("--max-calls", type=int, default=None,
                        help="model calls per sample, its own generation included (default 1 + rounds * width)")
    repair.add_argument("--exploration", type=float, default=0.1, help="exploration term of the search (default 0.1)")
    repair.add_argument("--seed", type=int, default=0, help="verification seed (default 0)")
    repair.add_argument("--workers", type=int, default=None, help="sandbox workers (default: one per core)")
    repair.add_argument("--out", required=True, help="versions JSONL (appended; resumes)")
    repair.set_defaults(handler=_cmd_repair)

    report = commands.add_parser("report", help="write a Markdown report with tables and plots")
    report.add_argument("results", nargs="+", help="results JSONL files (several models side by side)")
    report.add_argument("--out", required=True, help="output folder")
    report.set_defaults(handler=_cmd_report)

    arena = commands.add_parser("play", help="an arena: two agents play N games of the true game")
    arena.add_argument("--game", required=True, help="the registered game (its reference is the true game)")
    arena.add_argument("--agent", action="append", metavar="SPEC",
                       help="twice: random, mcts[:sims=N,c=X,rollouts=N,max_rollout=N] or ismcts[:...]")
    arena.add_argument("--model-a", default=None, help="a GameCWM file the first agent plans with (default: the reference)")
    arena.add_argument("--model-b", default=None, help="a GameCWM file the second agent plans with (default: the reference)")
    arena.add_argument("--games", type=int, default=10, help="games to play, seats alternating (default 10)")
    arena.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    arena.add_argument("--json", action="store_true", help="print exactly one JSON object")
    arena.set_defaults(handler=_cmd_play)

    tiny = commands.add_parser("tiny-model", help="build a tiny random-weight Qwen2 model for tests and the demo")
    tiny.add_argument("--out", required=True, help="output folder (loadable with local_files_only=True)")
    tiny.add_argument("--seed", type=int, default=0, help="weight initialisation seed (default 0)")
    tiny.set_defaults(handler=_cmd_tiny_model)

    dataset = commands.add_parser("dataset", help="training data")
    dataset_commands = dataset.add_subparsers(dest="dataset_command", required=True)
    sft_data = dataset_commands.add_parser("sft", help="SFT pairs from the training games' references, by tier")
    sft_data.add_argument("--out", required=True, help="output folder (a datasets Dataset)")
    sft_data.add_argument("--template", default="protocol", help="prompt template (default protocol)")
    sft_data.add_argument("--repeats", type=int, default=1, help="copies of each reference (default 1)")
    sft_data.add_argument("--seed", type=int, default=0, help="order within a tier (default 0)")
    sft_data.set_defaults(handler=_cmd_dataset_sft)

    distill = commands.add_parser("distill", help="add a model's well-verified programs to an SFT dataset")
    distill.add_argument("generations", help="generations JSONL (from generate)")
    distill.add_argument("results", help="results JSONL (from evaluate)")
    distill.add_argument("--min-score", type=float, required=True, help="keep programs scoring at least this")
    distill.add_argument("--out", required=True, help="the SFT dataset folder to add to (created if absent)")
    distill.add_argument("--seed", type=int, default=0, help="order within a tier (default 0)")
    distill.set_defaults(handler=_cmd_distill)

    train = commands.add_parser("train", help="post-train a model: SFT, then GRPO with the verifier as reward")
    train_commands = train.add_subparsers(dest="train_command", required=True)
    for name, help_text in (("sft", "supervised fine-tuning on an SFT dataset (TRL SFTTrainer)"),
                            ("grpo", "GRPO with the verifier reward on the training games (TRL GRPOTrainer)")):
        stage = train_commands.add_parser(name, help=help_text)
        stage.add_argument("--model", required=True, help="local folder or hub id")
        if name == "sft":
            stage.add_argument("--data", required=True, help="SFT dataset folder (from dataset sft / distill)")
        stage.add_argument("--out", required=True, help="output folder: checkpoints, and final/ (adapter merged)")
        stage.add_argument("--config", default=None, help=f"YAML or JSON config with a {name} section")
        stage.add_argument("--no-resume", action="store_true", help="start over even if checkpoints exist")
        stage.set_defaults(handler=_cmd_train)

    demo = commands.add_parser("demo", help="run the main job: a tour of the whole pipeline")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--out", default="runs/demo", help="the pipeline's folder and report (default runs/demo)")
    demo.add_argument("--skip-training", action="store_true", help="only the tour of the games and the verifier")
    demo.set_defaults(handler=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `gamecwm` command."""
    args = build_parser().parse_args(argv)
    console = Console()
    try:
        return args.handler(args, console)
    except (UnknownGameError, UsageError) as exc:
        print(f"gamecwm: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
