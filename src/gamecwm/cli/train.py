"""The post-training commands: `tiny-model`, `dataset sft`, `distill`, `train sft|grpo`."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from gamecwm.cli.common import UsageError, positive_int, unit_float


def _cmd_tiny_model(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.train.tiny_model import TinyModelConfig, build_tiny_model

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    path = build_tiny_model(out, TinyModelConfig(seed=args.seed))
    console.print(f"tiny model written to {path}")
    return 0


def _cmd_dataset_sft(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.train.data import write_sft_dataset

    try:
        rows = write_sft_dataset(Path(args.out), template=args.template, seed=args.seed, repeats=args.repeats)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"{rows} SFT examples (training games' references, by curriculum tier) written to {args.out}")
    return 0


def _cmd_distill(args: argparse.Namespace, console: Console) -> int:
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


def _check_vllm_possible(use_vllm: bool, config_path: str | None) -> None:
    """GRPO generation with vLLM needs vLLM and a GPU: say so before the trainer starts."""
    if not use_vllm:
        return
    import importlib.util

    import torch

    if importlib.util.find_spec("vllm") is None or not torch.cuda.is_available():
        raise UsageError(f"{config_path}: use_vllm: true needs vLLM and a CUDA GPU, and this machine "
                         f"{'has no CUDA GPU' if not torch.cuda.is_available() else 'has no vllm installed'}; "
                         "set use_vllm: false (generation with transformers) or run on a GPU machine")


def _cmd_train(args: argparse.Namespace, console: Console) -> int:
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

            config = load_section(args.config, "grpo", GRPORunConfig)
            _check_vllm_possible(config.use_vllm, args.config)
            result = run_grpo(args.model, Path(args.out), config, resume=not args.no_resume)
    except (ConfigError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"{result.steps} steps; the trained model (adapter merged) is in {result.final_model}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    tiny = commands.add_parser("tiny-model", help="build a tiny random-weight Qwen2 model for tests and the demo")
    tiny.add_argument("--out", required=True, help="output folder (loadable with local_files_only=True)")
    tiny.add_argument("--seed", type=int, default=0, help="weight initialisation seed (default 0)")
    tiny.set_defaults(handler=_cmd_tiny_model)

    dataset = commands.add_parser("dataset", help="training data")
    dataset_commands = dataset.add_subparsers(dest="dataset_command", required=True)
    sft_data = dataset_commands.add_parser("sft", help="SFT pairs from the training games' references, by tier")
    sft_data.add_argument("--out", required=True, help="output folder (a datasets Dataset)")
    sft_data.add_argument("--template", default="protocol", help="prompt template (default protocol)")
    sft_data.add_argument("--repeats", type=positive_int, default=1, help="copies of each reference (default 1)")
    sft_data.add_argument("--seed", type=int, default=0, help="order within a tier (default 0)")
    sft_data.set_defaults(handler=_cmd_dataset_sft)

    distill = commands.add_parser("distill", help="add a model's well-verified programs to an SFT dataset")
    distill.add_argument("generations", help="generations JSONL (from generate)")
    distill.add_argument("results", help="results JSONL (from evaluate)")
    distill.add_argument("--min-score", type=unit_float, required=True, help="keep programs scoring at least this")
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
        stage.set_defaults(handler=_cmd_train, resumable=True)
