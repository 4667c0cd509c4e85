"""The end-to-end post-training pipeline at toy scale: base vs SFT vs SFT+GRPO, with a report.

Stages: build the tiny model; evaluate it; SFT on the training games' references; evaluate; GRPO
with the verifier reward; evaluate; write `report.md` (the evaluation tables and plots of the three
models side by side, then the training curves and each stage's wall time). Every stage really runs;
the numbers are whatever the tiny model achieves.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from gamecwm.train.grpo import GRPORunConfig
from gamecwm.train.sft import SFTRunConfig

# The tiny model's settings on CPU; configs/tiny-cpu.yaml holds the same values for `gamecwm train`.
TINY_SFT = SFTRunConfig(use_lora=False, learning_rate=3e-3, num_train_epochs=16.0, max_length=3072,
                        warmup_steps=0.05, lr_scheduler_type="cosine", save_steps=100, save_total_limit=1)
TINY_GRPO = GRPORunConfig(template="protocol-no-example", prompts_per_game=4, use_lora=False, learning_rate=2e-4,
                          max_steps=40, num_generations=4, per_device_train_batch_size=4,
                          max_completion_length=128, temperature=1.0, partial_credit_weight=0.5,
                          save_steps=15, save_total_limit=1, verifier_workers=2)
TEMPLATE = "protocol-no-example"  # shorter prompts: the tiny model's context stays small on CPU
STAGE_DIRS = ("models", "data", "sft", "grpo", "eval", "real-model")
RUN_MARK = ".gamecwm-demo-run"
TRAINING_PLOT = "training.png"


class RunFolderError(ValueError):
    """A folder the pipeline may not write into: it exists, holds files and was not made by the pipeline."""


def claim_run_folder(out_dir: Path) -> Path:
    """Make `out_dir` the pipeline's own run folder, or refuse it; returns it.

    A missing or empty folder is created and marked (`RUN_MARK`); a marked folder is the pipeline's
    own from an earlier run and is reused. Any other folder is refused, so the pipeline (which starts
    its stage folders afresh) never deletes or overwrites what it did not write.
    """
    mark = out_dir / RUN_MARK
    if out_dir.exists() and not out_dir.is_dir():
        raise RunFolderError(f"--out {out_dir} is a file; give a folder for the pipeline's run")
    if mark.is_file():
        return out_dir
    if out_dir.exists() and any(out_dir.iterdir()):
        raise RunFolderError(f"--out {out_dir} already holds files and is not a gamecwm demo run folder (it has no "
                             f"{RUN_MARK}); the demo writes only into its own folders: give a new or empty --out")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        mark.write_text("gamecwm demo run folder: `gamecwm demo` may replace its stage folders "
                        f"({', '.join(STAGE_DIRS)}) and its report here.\n")
    except OSError as exc:
        raise RunFolderError(f"cannot write the run folder {out_dir}: {exc.strerror or exc}") from exc
    return out_dir


@dataclass(frozen=True)
class PipelineScale:
    """How big a pipeline run is: which games are evaluated, how many samples, and the trainers' settings."""

    eval_games: str = "all"
    eval_samples: int = 2
    eval_max_tokens: int = 128
    eval_temperature: float = 0.7
    sft: SFTRunConfig = field(default_factory=lambda: TINY_SFT)
    grpo: GRPORunConfig = field(default_factory=lambda: TINY_GRPO)
    workers: int = 2
    seed: int = 0

    @classmethod
    def reduced(cls) -> PipelineScale:
        """A run of well under a minute on 2 cores that still exercises every stage (for the test suite)."""
        return cls(eval_games="tic_tac_toe,pig,kuhn_poker,gen_tic_tac_toe,y", eval_samples=1, eval_max_tokens=32,
                   sft=replace(TINY_SFT, num_train_epochs=1.0, max_steps=8, max_length=2048),
                   grpo=replace(TINY_GRPO, games="tic_tac_toe,pig", max_steps=2, max_completion_length=32,
                                prompts_per_game=1))


@dataclass
class PipelineResult:
    """What a pipeline run produced."""

    report: Path
    results: dict[str, Path]
    stage_seconds: dict[str, float]
    sft_losses: list[float]
    grpo_log: list[dict[str, Any]]


def evaluate_model(model_dir: Path, label: str, out_dir: Path, scale: PipelineScale) -> Path:
    """Sample programs from a model for the evaluation games, verify them; returns the results file."""
    from gamecwm.evaluate.run import evaluate_samples
    from gamecwm.generate.backends import SamplingParams
    from gamecwm.generate.backends.transformers_backend import TransformersBackend
    from gamecwm.generate.run import generate_samples, select_games

    backend = TransformersBackend(str(model_dir), batch_size=10, device="cpu")
    backend.model = label  # the name the results and the report show, instead of a local folder
    generations = out_dir / f"{label}.gens.jsonl"
    results = out_dir / f"{label}.results.jsonl"
    params = SamplingParams(temperature=scale.eval_temperature, top_p=0.95, max_tokens=scale.eval_max_tokens)
    generate_samples(backend, select_games(scale.eval_games), scale.eval_samples, generations, params,
                     TEMPLATE, scale.seed, progress=False)
    evaluate_samples(generations, results, seeds=[scale.seed], workers=scale.workers, progress=False)
    return results


def run_pipeline(out_dir: Path, scale: PipelineScale | None = None,
                 log: Callable[[str], None] = print) -> PipelineResult:
    """Run every stage into `out_dir` and write the report.

    `out_dir` must be new, empty or an earlier run's folder (see `claim_run_folder`, RunFolderError
    otherwise); its stage folders are started afresh.
    """
    from gamecwm.evaluate.report import write_report
    from gamecwm.train.data import write_sft_dataset
    from gamecwm.train.grpo import run_grpo
    from gamecwm.train.sft import run_sft
    from gamecwm.train.tiny_model import TinyModelConfig, build_tiny_model

    scale = scale or PipelineScale()
    out_dir = claim_run_folder(Path(out_dir))
    for name in STAGE_DIRS:  # what an earlier pipeline run made in this folder (it is marked as ours)
        shutil.rmtree(out_dir / name, ignore_errors=True)
    eval_dir = out_dir / "eval"
    eval_dir.mkdir(parents=True)
    seconds: dict[str, float] = {}
    results: dict[str, Path] = {}

    def stage(name: str, work: Callable[[], Any]) -> Any:
        log(f"pipeline: {name} ...")
        started = time.perf_counter()
        value = work()
        seconds[name] = time.perf_counter() - started
        log(f"pipeline: {name} done in {seconds[name]:.1f}s")
        return value

    base = stage("build tiny model", lambda: build_tiny_model(out_dir / "models" / "base",
                                                              TinyModelConfig(seed=scale.seed)))
    results["tiny-base"] = stage("evaluate base", lambda: evaluate_model(base, "tiny-base", eval_dir, scale))
    stage("SFT data", lambda: write_sft_dataset(out_dir / "data" / "sft", TEMPLATE, scale.seed))
    sft = stage("SFT", lambda: run_sft(str(base), out_dir / "data" / "sft", out_dir / "sft", scale.sft, resume=False,
                                          log=log))
    results["tiny-sft"] = stage("evaluate SFT", lambda: evaluate_model(sft.final_model, "tiny-sft", eval_dir, scale))
    grpo = stage("GRPO", lambda: run_grpo(str(sft.final_model), out_dir / "grpo", scale.grpo, resume=False,
                                             log=log))
    results["tiny-sft-grpo"] = stage("evaluate SFT+GRPO",
                                     lambda: evaluate_model(grpo.final_model, "tiny-sft-grpo", eval_dir, scale))
    report = write_report(list(results.values()), out_dir, seed=scale.seed)
    plot_training(sft.losses(), grpo.log_history, out_dir / TRAINING_PLOT)
    with report.open("a") as handle:
        handle.write("\n" + partial_credit_section(eval_dir, list(results)) + "\n")
        handle.write("\n" + training_section(scale, seconds, sft.losses(), grpo.log_history) + "\n")
    return PipelineResult(report, results, seconds, sft.losses(), grpo.log_history)



def grpo_series(log_history: list[dict[str, Any]], key: str) -> list[tuple[int, float]]:
    """(step, value) for a logged GRPO metric, skipping steps where it was not recorded."""
    return [(entry["step"], entry[key]) for entry in log_history if entry.get(key) is not None and "step" in entry]


def plot_training(sft_losses: list[float], grpo_log: list[dict[str, Any]], path: Path) -> None:
    """Two panels: the SFT loss per step; GRPO's total reward, verifier score and partial credit per step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    left.plot(range(1, len(sft_losses) + 1), sft_losses)
    left.set_xlabel("SFT step")
    left.set_ylabel("loss (completion tokens)")
    for key, label in (("reward", "total reward"), ("rewards/verifier_score/mean", "verifier score"),
                       ("rewards/partial_credit/mean", "partial credit")):
        series = grpo_series(grpo_log, key)
        right.plot([s for s, _ in series], [v for _, v in series], marker=".", label=label)
    right.set_xlabel("GRPO step")
    right.set_ylabel("mean over the step's completions")
    right.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def partial_credit_section(eval_dir: Path, labels: list[str]) -> str:
    """Mean partial credit (the GRPO shaping term) of each model's evaluation samples, by split.

    Verifier scores of a tiny model are all near 0; this shows whether its text moved towards a program.
    """
    from gamecwm.games import get_game
    from gamecwm.jsonl import read_records
    from gamecwm.train.rewards import partial_credit

    rows = ["| model | all games | training games | test games |", "|---|---|---|---|"]
    for label in labels:
        samples = read_records(eval_dir / f"{label}.gens.jsonl")
        credit = {split: [partial_credit(s["completion"], s["game"]) for s in samples
                          if split == "all" or get_game(s["game"]).split == split]
                  for split in ("all", "train", "test")}
        rows.append(f"| {label} | " + " | ".join(_mean(credit[split]) for split in ("all", "train", "test")) + " |")
    return "\n\n".join([
        "## Partial credit of the evaluation samples",
        "The GRPO shaping term (see `gamecwm.train.rewards.partial_credit`), computed on the same samples as the "
        "tables above; it is not part of the verifier's score.",
        "\n".join(rows),
    ])


def _mean(values: list[float]) -> str:
    return f"{sum(values) / len(values):.4f}" if values else "-"


def training_section(scale: PipelineScale, seconds: dict[str, float], sft_losses: list[float],
                     grpo_log: list[dict[str, Any]]) -> str:
    """The report's training part: stage wall times, SFT loss, GRPO rewards per tier, the settings used."""
    rows = ["| stage | wall time (s) |", "|---|---|"]
    rows += [f"| {name} | {value:.1f} |" for name, value in seconds.items()]
    rows.append(f"| total | {sum(seconds.values()):.1f} |")
    head, tail = sft_losses[: max(1, len(sft_losses) // 10)], sft_losses[-max(1, len(sft_losses) // 10):]
    first, last = grpo_log[: max(1, len(grpo_log) // 3)], grpo_log[-max(1, len(grpo_log) // 3):]
    keys = ["reward", "rewards/verifier_score/mean", "rewards/partial_credit/mean"] + \
        [f"rewards/tier_{t}/mean" for t in ("static", "properties", "agreement", "information", "scenarios")]
    reward_rows = ["| metric | first third of steps | last third of steps |", "|---|---|---|"]
    for key in keys:
        early = [e[key] for e in first if e.get(key) is not None]
        late = [e[key] for e in last if e.get(key) is not None]
        reward_rows.append(f"| {key} | {_mean(early)} | {_mean(late)} |")
    return "\n\n".join([
        "## Training (toy scale, CPU)",
        f"SFT: {len(sft_losses)} steps on the training games' references (curriculum order, completion-only "
        f"loss); mean loss over the first tenth of steps {_mean(head)}, over the last tenth {_mean(tail)}. "
        f"GRPO: {scale.grpo.max_steps} steps, group size {scale.grpo.num_generations}, reward = verifier "
        f"score + {scale.grpo.partial_credit_weight} x partial credit; per-tier verifier scores are logged "
        "beside the total with weight 0.",
        "\n".join(reward_rows),
        f"![SFT loss and GRPO rewards]({TRAINING_PLOT})",
        "### Wall time per stage", "\n".join(rows),
        f"Evaluation: games `{scale.eval_games}`, {scale.eval_samples} sample(s) per game, at most "
        f"{scale.eval_max_tokens} new tokens, temperature {scale.eval_temperature}, prompt template `{TEMPLATE}`.",
    ])
