"""JSON-lines files written incrementally: one record per line, flushed as each is done.

A run interrupted mid-write leaves at most one torn last line; `resume_records` drops it (and any
record the caller wants redone) so the run continues where it stopped without redoing finished work.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, TextIO


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every complete JSON object in a JSON-lines file (torn or malformed lines are skipped)."""
    records = []
    if not Path(path).exists():
        return records
    for line in Path(path).read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def resume_records(path: Path, keep: Callable[[dict[str, Any]], bool] = lambda record: True) -> list[dict[str, Any]]:
    """Prepare a JSON-lines file for appending: keep the complete records that `keep` accepts.

    The file is rewritten (atomically) only when something was dropped or its last line is torn.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        return []
    text = path.read_text()
    lines = text.splitlines()
    kept_lines, kept = [], []
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and keep(record):
            kept_lines.append(line)
            kept.append(record)
    if len(kept_lines) != len(lines) or (text and not text.endswith("\n")):
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text("".join(line + "\n" for line in kept_lines))
        temporary.replace(path)
    return kept


def append_record(handle: TextIO, record: dict[str, Any]) -> None:
    """Write one record as a line and flush it, so it survives an interruption."""
    handle.write(json.dumps(record) + "\n")
    handle.flush()
