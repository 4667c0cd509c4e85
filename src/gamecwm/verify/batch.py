"""Verify many candidates in parallel through the sandbox pool, incrementally and resumably.

Input: JSON lines `{"id", "game", "code"}` (`code` may be a whole model completion: the program is
extracted from Markdown fences). Output: one JSON report per line with its `id`, appended as each
finishes, so an interrupted run resumes without redoing finished ids.
"""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from gamecwm.extract import extract_code
from gamecwm.jsonl import append_record, read_records, resume_records
from gamecwm.records import RecordFileError, RecordKind, program_problem, read_record_file
from gamecwm.sandbox import SandboxPool
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.plan import build_plan
from gamecwm.verify.report import INFRASTRUCTURE_PREFIX, Report
from gamecwm.verify.verifier import verify


class BatchInputError(RecordFileError):
    """An input file with malformed lines; the message names the file and the bad lines."""


@dataclass
class Candidate:
    """One program to verify."""

    id: str
    game: str
    code: str


CANDIDATES = RecordKind("candidates", ("id", "game", "code"), lambda record: str(record["id"]), check=program_problem)


def read_candidates(path: Path) -> list[Candidate]:
    """Parse and validate an input JSONL file; raises BatchInputError naming the file and its bad lines."""
    try:
        records = read_record_file(Path(path), CANDIDATES).records
    except RecordFileError as exc:
        raise BatchInputError(str(exc)) from None
    return [Candidate(str(record["id"]), record["game"], extract_code(record["code"])) for record in records]


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
