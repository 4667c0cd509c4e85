"""Sample GameCWMs from a model for a set of games, writing one JSON line per sample as it arrives.

Each sample has a stable id (`<game>/<template id>/<index>`); a run that is interrupted (Ctrl-C, a
crash, a lost endpoint) resumes without redoing the samples already written, and nothing written is
lost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gamecwm.games import get_game, list_games
from gamecwm.generate.backends.base import Backend, SamplingParams
from gamecwm.generate.extract import extract_code
from gamecwm.generate.prompts import Messages, build_messages, get_template
from gamecwm.jsonl import append_record, resume_records


@dataclass(frozen=True)
class SampleJob:
    """One sample to draw: a game, a prompt template, a sample index and its seed."""

    game: str
    template_id: str
    index: int
    seed: int

    @property
    def id(self) -> str:
        """The sample's stable id within a run."""
        return f"{self.game}/{self.template_id}/{self.index}"


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


def plan_samples(games: list[str], samples: int, template: str, base_seed: int) -> list[SampleJob]:
    """Every sample of a run, in a fixed order, each with its own seed."""
    template_id = get_template(template).id
    return [
        SampleJob(game, template_id, index, base_seed + 1000 * number + index)
        for number, game in enumerate(games)
        for index in range(samples)
    ]


def sample_record(job: SampleJob, backend: Backend, params: SamplingParams, completion: str,
                  prompt_tokens: int | None, completion_tokens: int | None, elapsed_s: float) -> dict[str, Any]:
    """The JSON line recorded for one sample."""
    return {
        "id": job.id,
        "model": backend.model,
        "backend": backend.name,
        "prompt_template": job.template_id,
        "sampling": params.to_json(),
        "seed": job.seed,
        "game": job.game,
        "completion": completion,
        "code": extract_code(completion),
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "elapsed_s": round(elapsed_s, 3),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def generate_samples(
    backend: Backend,
    games: list[str],
    samples: int,
    out_path: Path,
    params: SamplingParams | None = None,
    template: str = "protocol",
    base_seed: int = 0,
    progress: bool = True,
) -> int:
    """Draw `samples` completions per game into `out_path` (resuming it); returns how many were added."""
    from rich.progress import Progress

    params = params or SamplingParams()
    done = {record.get("id") for record in resume_records(out_path, keep=lambda r: "id" in r)}
    todo = [job for job in plan_samples(games, samples, template, base_seed) if job.id not in done]
    prompts: list[Messages] = [build_messages(job.game, template) for job in todo]
    written = 0
    with Path(out_path).open("a") as out, Progress(disable=not progress) as bar:
        task = bar.add_task(f"sampling {backend.model}", total=len(todo))
        for index, generation in backend.generate(prompts, [job.seed for job in todo], params):
            append_record(out, sample_record(todo[index], backend, params, generation.text, generation.prompt_tokens,
                                             generation.completion_tokens, generation.elapsed_s))
            written += 1
            bar.advance(task)
    return written


def import_samples(folder: Path, model: str, out_path: Path) -> int:
    """Bring outside samples named `<game>_gen<N>.py` into a generations file; returns how many were added.

    Files whose game is not registered are an error naming them; samples already in the file are skipped.
    """
    import re

    pattern = re.compile(r"^(?P<game>.+)_gen(?P<index>\d+)\.py$")
    files = sorted(Path(folder).glob("*.py"))
    unknown, jobs = [], []
    for path in files:
        match = pattern.match(path.name)
        if not match:
            unknown.append(f"{path.name} (expected <game>_gen<N>.py)")
            continue
        try:
            get_game(match["game"])
        except KeyError as exc:
            unknown.append(f"{path.name} ({exc})")
            continue
        jobs.append((path, SampleJob(match["game"], "imported", int(match["index"]), 0)))
    if unknown:
        raise ValueError("cannot import: " + "; ".join(unknown))
    if not jobs:
        raise ValueError(f"no <game>_gen<N>.py files in {folder}")
    done = {record.get("id") for record in resume_records(out_path, keep=lambda r: "id" in r)}
    added = 0
    with Path(out_path).open("a") as out:
        for path, job in jobs:
            if job.id in done:
                continue
            code = path.read_text()
            append_record(out, {
                "id": job.id, "model": model, "backend": "imported", "prompt_template": "imported",
                "sampling": None, "seed": None, "game": job.game, "completion": code, "code": code,
                "prompt_tokens": None, "completion_tokens": None, "elapsed_s": None, "source_file": path.name,
            })
            added += 1
    return added
