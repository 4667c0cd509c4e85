"""Verify many candidates in parallel through the sandbox pool, incrementally and resumably.

Input: JSON lines `{"id", "game", "code"}` (`code` may be a whole model completion: the program is
extracted from Markdown fences). Output: one JSON report per line with its `id`, appended as each
finishes, so an interrupted run resumes without redoing finished ids.
"""

from __future__ import annotations

import concurrent.futures
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from gamecwm.games import UnknownGameError, get_game
from gamecwm.extract import extract_code
from gamecwm.jsonl import append_record, read_records, resume_records
from gamecwm.sandbox import SandboxPool
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.plan import build_plan
from gamecwm.verify.report import INFRASTRUCTURE_PREFIX, Report
from gamecwm.verify.verifier import verify


class BatchInputError(ValueError):
    """An input file with malformed lines; the message lists each bad line."""


@dataclass
class Candidate:
    """One program to verify."""

    id: str
    game: str
    code: str


def read_candidates(path: Path) -> list[Candidate]:
    """Parse and validate an input JSONL file; raises BatchInputError naming every bad line."""
    candidates, problems, seen = [], [], set()
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise BatchInputError(f"cannot read {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("game", "code")) \
                or "id" not in record:
            problems.append(f"line {number}: expected an object with string 'game' and 'code' and an 'id'")
            continue
        try:
            get_game(record["game"])
        except UnknownGameError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        identifier = str(record["id"])
        if identifier in seen:
            problems.append(f"line {number}: duplicate id {identifier!r}")
            continue
        seen.add(identifier)
        candidates.append(Candidate(identifier, record["game"], extract_code(record["code"])))
    if problems:
        raise BatchInputError(f"{path}: " + "; ".join(problems[:20]) + (" ..." if len(problems) > 20 else ""))
    return candidates


def _is_retryable(record: dict[str, Any]) -> bool:
    return (record.get("error") or "").startswith(INFRASTRUCTURE_PREFIX)


def prepare_output(output: Path) -> set[str]:
    """Make an output file ready for resuming; returns the ids already verified.

    A torn last line from an interrupted run, and reports of infrastructure failures (which are
    retried), are dropped; every complete report is kept as it is.
    """
    kept = resume_records(output, keep=lambda record: "id" in record and not _is_retryable(record))
    return {str(record["id"]) for record in kept}


def verify_many(
    candidates: Iterable[Candidate],
    pool: SandboxPool,
    seed: int = 0,
    config: VerifyConfig | None = None,
) -> Iterator[tuple[Candidate, Report]]:
    """Verify candidates through a pool, yielding (candidate, report) as each completes.

    Candidates are read lazily and at most about twice the pool's workers are in flight, so memory
    does not grow with the number of candidates; each report is judged as soon as its answers arrive.
    """
    config = config or VerifyConfig()
    pending: dict[concurrent.futures.Future[Report], Candidate] = {}
    remaining = iter(candidates)
    exhausted = False
    with concurrent.futures.ThreadPoolExecutor(pool.workers, thread_name_prefix="gamecwm-verify") as executor:
        while pending or not exhausted:
            while not exhausted and len(pending) < 2 * pool.workers:
                candidate = next(remaining, None)
                if candidate is None:
                    exhausted = True
                    break
                build_plan(candidate.game, seed, config)
                pending[executor.submit(verify, candidate.code, candidate.game, seed, config, pool.run)] = candidate
            if not pending:
                break
            done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                yield pending.pop(future), future.result()


def run_batch(
    input_path: Path,
    output_path: Path,
    workers: int | None = None,
    seed: int = 0,
    config: VerifyConfig | None = None,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Verify every candidate of an input file not yet in the output file; returns all output records."""
    from rich.progress import Progress

    candidates = read_candidates(input_path)
    done = prepare_output(output_path)
    todo = [c for c in candidates if c.id not in done]
    with SandboxPool(workers=workers) as pool, output_path.open("a") as out, \
            Progress(disable=not progress, transient=False) as bar:
        task = bar.add_task("verifying", total=len(todo))
        for candidate, report in verify_many(todo, pool, seed, config):
            append_record(out, {"id": candidate.id, **report.to_json()})
            bar.advance(task)
    return read_records(output_path)
