"""Verify every sample of a generations file through the sandbox pool; one result line per sample and seed.

Results are appended as each sample is verified, keyed by (model, sample id, verification seed), so
an interrupted evaluation resumes without redoing finished samples. Every result records what
produced it (the verification seeds and verifier config, the dataset version, the sandbox's isolation
level, the package version, and the sample's own provenance), and a results file is resumed only by
an evaluation with the same provenance of the same programs.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gamecwm.games import dataset_version, get_game
from gamecwm.jsonl import append_record
from gamecwm.records import (
    GENERATIONS,
    PROVENANCE,
    RESULTS,
    RecordFileError,
    base_provenance,
    open_output,
    program_problem,
    read_record_file,
)
from gamecwm.sandbox import SandboxPool, isolation_level
from gamecwm.verify.batch import Candidate, verify_many
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.report import Report


@dataclass
class Evaluation:
    """An evaluation's outcome: every result in the results file, and the input lines that were skipped."""

    records: list[dict[str, Any]]
    added: int = 0
    skipped: list[str] = field(default_factory=list)


def parses(code: str) -> bool:
    """True when the code is syntactically valid Python (checked without running it)."""
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def code_digest(code: str) -> str:
    """A short hash of a program, recorded with its results so a resume never pairs them with other code."""
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def sample_key(sample: dict[str, Any]) -> str:
    """The key of a sample's results: its model and id."""
    return f"{sample['model']}|{sample['id']}"


def evaluation_provenance(seeds: list[int], config: VerifyConfig) -> dict[str, Any]:
    """What produces the results of an evaluation; a results file is resumed only with the same provenance."""
    return {**base_provenance(RESULTS), "verify_seeds": sorted(set(seeds)),
            "verify_config": dataclasses.asdict(config), "dataset_version": dataset_version(),
            "isolation_level": isolation_level()}


def result_record(sample: dict[str, Any], report: Report, seed: int, provenance: dict[str, Any]) -> dict[str, Any]:
    """The result line for one verified sample at one seed: the sample's facts, the game's facts, the report."""
    info = get_game(sample["game"])
    static = report.tier("static")
    return {
        "key": sample_key(sample),
        "id": sample["id"],
        "model": sample["model"],
        "verify_seed": seed,
        "prompt_template": sample.get("prompt_template"),
        "game": info.name,
        "information": info.information,
        "split": info.split,
        "tier": info.tier,
        "ood": info.ood,
        "code_sha256": code_digest(sample["code"]),
        "parsed": parses(sample["code"]),
        "static_passed": bool(static and static.passed),
        "passed": report.passed,
        "score": report.score,
        "tier_scores": {t.name: t.score for t in report.tiers},
        "report": report.to_json(),
        "generation": sample.get(PROVENANCE),
        PROVENANCE: provenance,
        **({"repair": sample["repair"]} if "repair" in sample else {}),
    }


def read_samples(generations: Path, skip_malformed: bool = False) -> tuple[list[dict[str, Any]], list[str]]:
    """The samples of a generations file (checked by the record reader), and the lines skipped."""
    samples = read_record_file(Path(generations), GENERATIONS, skip_malformed)
    problems = [f"{sample['id']!r}: {problem}" for sample in samples.records if (problem := program_problem(sample))]
    if problems:
        raise RecordFileError(f"{generations}: {'; '.join(problems[:5])}")
    if not samples.records:
        raise RecordFileError(f"{generations}: no samples (the file is empty)")
    return samples.records, samples.skipped


def _check_same_programs(existing: list[dict[str, Any]], samples: list[dict[str, Any]], path: Path) -> None:
    digests = {sample_key(s): code_digest(s["code"]) for s in samples}
    for record in existing:
        recorded = record.get("code_sha256")
        if record["key"] in digests and recorded != digests[record["key"]]:
            raise RecordFileError(f"--out {path} holds results for {record['key']!r} computed from another program "
                                  "than the one in the generations file; use a new --out, or --resume-anyway")


def evaluate_samples(
    generations: Path,
    results_path: Path,
    *,
    seeds: Sequence[int] = (0,),
    config: VerifyConfig | None = None,
    workers: int | None = None,
    progress: bool = True,
    skip_malformed: bool = False,
    resume_anyway: bool = False,
) -> Evaluation:
    """Verify each sample at each of the verification `seeds` where the results file lacks it.

    Raises RecordFileError for an unusable generations or results file.
    """
    from rich.progress import Progress

    seeds = sorted(set(seeds))
    config = config or VerifyConfig()
    samples, skipped = read_samples(generations, skip_malformed)
    provenance = evaluation_provenance(seeds, config)
    existing = open_output(Path(results_path), RESULTS, provenance, resume_anyway, inputs=(Path(generations),))
    if not resume_anyway:
        _check_same_programs(existing.records, samples, Path(results_path))
    done = {(r["key"], r.get("verify_seed", 0)) for r in existing.records if not RESULTS.is_failed_attempt(r)}
    todo = [(s, run_seed) for run_seed in seeds for s in samples if (sample_key(s), run_seed) not in done]
    added = 0
    with SandboxPool(workers=workers) as pool, Path(results_path).open("a") as out, \
            Progress(disable=not progress) as bar:
        task = bar.add_task("verifying samples", total=len(todo))
        for run_seed in seeds:
            batch = [s for s, s_seed in todo if s_seed == run_seed]
            candidates = [Candidate(str(i), s["game"], s["code"]) for i, s in enumerate(batch)]
            for candidate, report in verify_many(candidates, pool, run_seed, config):
                append_record(out, result_record(batch[int(candidate.id)], report, run_seed, provenance))
                added += 1
                bar.advance(task)
    return Evaluation(read_record_file(Path(results_path), RESULTS).records, added, skipped)
