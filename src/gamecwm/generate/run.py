"""Sample GameCWMs from a model for a set of games, writing one JSON line per sample as it arrives.

Each sample has a stable id (`<model>/<game>/<template id>/<index>`) and records its provenance (model,
backend, sampling, template, seeds, dataset and package versions). A run that is interrupted (Ctrl-C,
a crash, a lost endpoint) resumes without redoing the samples already written, and only a run with
the same provenance resumes a file. A prompt whose request fails is recorded as a failed attempt in
`<out>.failures.jsonl` (with its error) and the run goes on; a rerun retries it, up to `max_attempts`
attempts in all.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gamecwm.games import dataset_version, get_game, list_games
from gamecwm.games.registry import game_problem
from gamecwm.generate.backends.base import Backend, Generation, SamplingParams
from gamecwm.extract import extract_code
from gamecwm.generate.prompts import Messages, build_messages, get_template
from gamecwm.jsonl import append_record
from gamecwm.records import GENERATION_FAILURES, GENERATIONS, PROVENANCE, RecordKind, base_provenance, open_output

DEFAULT_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class SampleJob:
    """One sample to draw: a model, a game, a prompt template, a sample index and its seed."""

    model: str
    game: str
    template_id: str
    index: int
    seed: int

    @property
    def id(self) -> str:
        """The sample's stable id: the same model, game, template and index always give the same id."""
        return f"{self.model}/{self.game}/{self.template_id}/{self.index}"


@dataclass
class GenerationSummary:
    """What a generation run did: samples written, prompts that failed, and what is left to do."""

    written: int = 0
    failed: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # sample id -> its latest error (still unfinished)
    given_up: list[str] = field(default_factory=list)  # ids that failed max_attempts times over all runs
    total: int = 0
    present: int = 0  # samples in the file after the run

    def describe(self, out_path: Path) -> str:
        """One paragraph for the user: counts, and what to do about failures."""
        lines = [f"{self.written} new samples in {out_path} ({self.present} of {self.total} present)"]
        if self.failures:
            first_id, first_error = next(iter(self.failures.items()))
            lines.append(f"{len(self.failures)} samples failed in this run (recorded in "
                         f"{failures_path(out_path)}), e.g. {first_id}: {first_error}")
        if any(sample not in self.given_up for sample in self.failures):
            lines.append("run the same command again to retry them")
        if self.given_up:
            lines.append(f"{len(self.given_up)} samples failed on every attempt and are not retried "
                         f"(e.g. {self.given_up[0]}); raise --max-attempts to try them again")
        return "\n".join(lines)


def failures_path(out_path: Path) -> Path:
    """Where the failed attempts of a generations file are recorded: `<name>.failures.jsonl` beside it."""
    out_path = Path(out_path)
    return out_path.with_name(out_path.stem + ".failures.jsonl")


def select_games(selection: str) -> list[str]:
    """Games for `test`, `train`, `all`, or a comma-separated list of names (unknown names are errors)."""
    if selection in ("train", "test"):
        return [g.name for g in list_games(split=selection)]
    if selection == "all":
        return [g.name for g in list_games()]
    names = [name.strip() for name in selection.split(",") if name.strip()]
    for name in names:
        get_game(name)
    if not names:
        raise ValueError("no games selected")
    return names


def plan_samples(model: str, games: list[str], samples: int, template: str, base_seed: int) -> list[SampleJob]:
    """Every sample of a run, in a fixed order, each with its own seed."""
    template_id = get_template(template).id
    return [
        SampleJob(model, game, template_id, index, base_seed + 1000 * number + index)
        for number, game in enumerate(games)
        for index in range(samples)
    ]


def generation_provenance(kind: RecordKind, backend: Backend, params: SamplingParams, template_id: str,
                          base_seed: int) -> dict[str, Any]:
    """What produces the samples of a run; a file is resumed only by a run with the same provenance."""
    return {**base_provenance(kind), "model": backend.model, "backend": backend.name,
            "sampling": params.to_json(), "prompt_template": template_id, "base_seed": base_seed,
            "dataset_version": dataset_version()}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def sampled_record(sample_id: str, game: str, backend: Backend, template_id: str, params: SamplingParams, seed: int,
                   generation: Generation) -> dict[str, Any]:
    """The fields of every record of a program sampled from a model: the sample, how it was asked for, the answer."""
    return {"id": sample_id, "model": backend.model, "backend": backend.name, "prompt_template": template_id,
            "sampling": params.to_json(), "seed": seed, "game": game, "completion": generation.text,
            "code": extract_code(generation.text), "prompt_tokens": generation.prompt_tokens,
            "completion_tokens": generation.completion_tokens, "elapsed_s": round(generation.elapsed_s, 3),
            "created": _now()}


def sample_record(job: SampleJob, backend: Backend, params: SamplingParams, generation: Generation,
                  provenance: dict[str, Any]) -> dict[str, Any]:
    """The JSON line recorded for one sample."""
    return {**sampled_record(job.id, job.game, backend, job.template_id, params, job.seed, generation),
            PROVENANCE: provenance}


def failure_record(job: SampleJob, error: str, attempt: int, elapsed_s: float,
                   provenance: dict[str, Any]) -> dict[str, Any]:
    """The JSON line recorded for one failed attempt at a sample."""
    return {"id": job.id, "model": job.model, "game": job.game, "seed": job.seed, "attempt": attempt,
            "error": error, "elapsed_s": round(elapsed_s, 3), "created": _now(), PROVENANCE: provenance}


def generate_samples(
    backend: Backend,
    games: list[str],
    samples: int,
    out_path: Path,
    params: SamplingParams | None = None,
    template: str = "protocol",
    base_seed: int = 0,
    progress: bool = True,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    resume_anyway: bool = False,
) -> GenerationSummary:
    """Draw `samples` completions per game into `out_path`, resuming the same run; returns what happened.

    Raises RecordFileError when `out_path` is not a generations file of this run (see `open_output`).
    """
    from rich.progress import Progress

    if samples < 1 or max_attempts < 1:
        raise ValueError("samples and max_attempts must be at least 1")
    params = params or SamplingParams()
    out_path = Path(out_path)
    template_id = get_template(template).id
    provenance = generation_provenance(GENERATIONS, backend, params, template_id, base_seed)
    failure_provenance = generation_provenance(GENERATION_FAILURES, backend, params, template_id, base_seed)
    done = {str(record["id"]) for record in open_output(out_path, GENERATIONS, provenance, resume_anyway).records}
    failed_before = open_output(failures_path(out_path), GENERATION_FAILURES, failure_provenance, resume_anyway)
    attempts = Counter(str(record["id"]) for record in failed_before.records)
    plan = plan_samples(backend.model, games, samples, template, base_seed)
    summary = GenerationSummary(total=len(plan))
    todo = [job for job in plan if job.id not in done and attempts[job.id] < max_attempts]
    summary.given_up = [job.id for job in plan if job.id not in done and attempts[job.id] >= max_attempts]
    prompts: list[Messages] = [build_messages(job.game, template) for job in todo]
    with out_path.open("a") as out, failures_path(out_path).open("a") as failures, \
            Progress(disable=not progress) as bar:
        task = bar.add_task(f"sampling {backend.model}", total=len(todo))
        for index, generation in backend.generate(prompts, [job.seed for job in todo], params):
            job = todo[index]
            error = generation.error
            if error is None and not generation.text.strip():
                error = "empty completion"
            if error is None:
                append_record(out, sample_record(job, backend, params, generation, provenance))
                summary.written += 1
            else:
                attempts[job.id] += 1
                append_record(failures, failure_record(job, error, attempts[job.id], generation.elapsed_s,
                                                       failure_provenance))
                summary.failures[job.id] = error
                if attempts[job.id] >= max_attempts:
                    summary.given_up.append(job.id)
            bar.advance(task)
    summary.failed = len(summary.failures)
    summary.present = len(done) + summary.written
    return summary


def import_samples(folder: Path, model: str, out_path: Path, resume_anyway: bool = False) -> int:
    """Bring outside samples named `<game>_gen<N>.py` into a generations file; returns how many were added.

    Files whose game is not registered are an error naming them; samples already in the file are skipped.
    """
    import re

    pattern = re.compile(r"^(?P<game>.+)_gen(?P<index>\d+)\.py$")
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"no such folder: {folder}")
    files = sorted(folder.glob("*.py"))
    unknown, jobs = [], []
    for path in files:
        match = pattern.match(path.name)
        problem = game_problem(match["game"]) if match else "expected <game>_gen<N>.py"
        if problem:
            unknown.append(f"{path.name} ({problem})")
        else:
            jobs.append((path, SampleJob(model, match["game"], "imported", int(match["index"]), 0)))
    if unknown:
        raise ValueError("cannot import: " + "; ".join(unknown))
    if not jobs:
        raise ValueError(f"no <game>_gen<N>.py files in {folder}")
    provenance = {**base_provenance(GENERATIONS), "model": model, "backend": "imported",
                  "dataset_version": dataset_version()}
    done = {str(record["id"]) for record in open_output(Path(out_path), GENERATIONS, provenance, resume_anyway).records}
    added = 0
    with Path(out_path).open("a") as out:
        for path, job in jobs:
            if job.id in done:
                continue
            try:
                code = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"{path} is not a UTF-8 text file") from None
            append_record(out, {
                "id": job.id, "model": model, "backend": "imported", "prompt_template": "imported",
                "sampling": None, "seed": None, "game": job.game, "completion": code, "code": code,
                "prompt_tokens": None, "completion_tokens": None, "elapsed_s": None, "source_file": path.name,
                "created": _now(), PROVENANCE: provenance,
            })
            added += 1
    return added
