"""Verify every sample of a generations file through the sandbox pool; one result line per sample.

Results are appended as each sample is verified, keyed by (model, sample id), so an interrupted
evaluation resumes without redoing finished samples.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from gamecwm.games import get_game
from gamecwm.jsonl import append_record, read_records, resume_records
from gamecwm.sandbox import SandboxPool
from gamecwm.verify.batch import Candidate, verify_many
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.report import INFRASTRUCTURE_PREFIX, Report


def parses(code: str) -> bool:
    """True when the code is syntactically valid Python (checked without running it)."""
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def result_record(sample: dict[str, Any], report: Report) -> dict[str, Any]:
    """The result line for one verified sample: the sample's facts, the game's facts and the report."""
    info = get_game(sample["game"])
    static = report.tier("static")
    return {
        "key": f"{sample['model']}|{sample['id']}",
        "id": sample["id"],
        "model": sample["model"],
        "prompt_template": sample.get("prompt_template"),
        "game": info.name,
        "information": info.information,
        "split": info.split,
        "tier": info.tier,
        "ood": info.ood,
        "parsed": parses(sample["code"]),
        "static_passed": bool(static and static.passed),
        "passed": report.passed,
        "score": report.score,
        "tier_scores": {t.name: t.score for t in report.tiers},
        "report": report.to_json(),
        **({"repair": sample["repair"]} if "repair" in sample else {}),
    }


def _is_final(record: dict[str, Any]) -> bool:
    return not (record.get("report", {}).get("error") or "").startswith(INFRASTRUCTURE_PREFIX)


def evaluate_samples(
    generations: Path,
    results_path: Path,
    workers: int | None = None,
    seed: int = 0,
    config: VerifyConfig | None = None,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Verify the samples not yet in `results_path`; returns all result records."""
    from rich.progress import Progress

    samples = read_records(generations)
    if not samples:
        raise ValueError(f"{generations}: no samples")
    missing = [s.get("id", "?") for s in samples if not all(k in s for k in ("id", "model", "game", "code"))]
    if missing:
        raise ValueError(f"{generations}: samples without id/model/game/code: {missing[:5]}")
    done = {r["key"] for r in resume_records(results_path, keep=_is_final)}
    todo = [s for s in samples if f"{s['model']}|{s['id']}" not in done]
    candidates = [Candidate(str(i), s["game"], s["code"]) for i, s in enumerate(todo)]
    with SandboxPool(workers=workers) as pool, Path(results_path).open("a") as out, \
            Progress(disable=not progress) as bar:
        task = bar.add_task("verifying samples", total=len(todo))
        for candidate, report in verify_many(candidates, pool, seed, config):
            append_record(out, result_record(todo[int(candidate.id)], report))
            bar.advance(task)
    return read_records(results_path)
