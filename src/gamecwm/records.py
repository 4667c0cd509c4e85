"""The record files of a benchmark (generations, generation failures, results, playability): one reader for all.

Every command reads these JSON-lines files through `read_record_file`, which names the file and the
line of anything malformed and refuses it (or, asked to, skips and counts it); a repeated key is an
error, except that a failed attempt may be followed by a later attempt of the same key (the later one
counts). Every record a command writes carries its `provenance`: what produced it. `open_output`
claims an output file: it refuses a file that is not this kind's own output, and resumes only a run
with the same provenance, so no command rewrites a file it did not write and no file mixes runs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

SCHEMA_VERSION = 1
PROVENANCE = "provenance"


class RecordFileError(ValueError):
    """A record file that cannot be used as it is; the message names the file, the line and the way forward."""


@dataclass(frozen=True)
class RecordKind:
    """One kind of record file: the fields each record needs, its key, and which records are failed attempts."""

    name: str
    required: tuple[str, ...]
    key: Callable[[dict[str, Any]], str]
    is_failed_attempt: Callable[[dict[str, Any]], bool] = lambda record: False
    skip_option: str | None = None  # the command-line option that skips malformed lines, where there is one
    check: Callable[[dict[str, Any]], str | None] = lambda record: None  # what else is wrong with a record


def _result_key(record: dict[str, Any]) -> str:
    return f"{record['key']}|seed {record.get('verify_seed', 0)}"


def program_problem(record: dict[str, Any]) -> str | None:
    """What makes a record unusable as a program (`code`) of a registered game (`game`), or None."""
    from gamecwm.games.registry import game_problem

    if not isinstance(record["code"], str) or not isinstance(record["game"], str):
        return "game and code must be strings"
    return game_problem(record["game"])


def _infrastructure_error(report: Any) -> bool:
    from gamecwm.verify.report import INFRASTRUCTURE_PREFIX

    return isinstance(report, dict) and str(report.get("error") or "").startswith(INFRASTRUCTURE_PREFIX)


GENERATIONS = RecordKind("generations", ("id", "model", "game", "code"), lambda r: f"{r['model']}|{r['id']}",
                         skip_option="--skip-malformed")
GENERATION_FAILURES = RecordKind("generation failures", ("id", "model", "game", "error", "attempt"),
                                 lambda r: f"{r['id']}|attempt {r['attempt']}")
RESULTS = RecordKind("results", ("key", "id", "model", "game", "score", "passed", "tier_scores"), _result_key,
                     lambda r: _infrastructure_error(r.get("report")))
VERIFY_REPORTS = RecordKind("verification reports", ("id", "game", "score", "passed"), lambda r: str(r["id"]),
                            _infrastructure_error)
PLAYABILITY = RecordKind("playability", ("key", "model", "game", "score", "win_rate", "illegal_moves"),
                         lambda r: str(r["key"]))


@dataclass
class RecordFile:
    """What a record file holds: one final record per key (in file order), and what was left out."""

    path: Path
    kind: RecordKind
    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "line N: problem" for each malformed line skipped
    torn_end: bool = False  # the last line is incomplete (an interrupted write)

    def keys(self) -> set[str]:
        """The keys of the final records."""
        return {self.kind.key(record) for record in self.records}


def _read_lines(path: Path, kind: RecordKind) -> tuple[list[str], bool]:
    """The file's lines and whether its text ends without a newline; RecordFileError when it cannot be read."""
    if not path.exists():
        raise RecordFileError(f"no such {kind.name} file: {path}")
    if path.is_dir():
        raise RecordFileError(f"{path} is a folder, not a {kind.name} file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise RecordFileError(f"{path} is not a text file (expected {kind.name} as JSON lines)") from None
    except OSError as exc:
        raise RecordFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return text.splitlines(), bool(text) and not text.endswith("\n")


def _problem(record: Any, kind: RecordKind) -> str | None:
    if not isinstance(record, dict):
        return f"not a JSON object (a {kind.name} record is one)"
    missing = [name for name in kind.required if name not in record]
    if missing:
        return f"no {'/'.join(missing)} (a {kind.name} record needs {', '.join(kind.required)})"
    return kind.check(record)


def read_record_file(path: Path, kind: RecordKind, skip_malformed: bool = False,
                     allow_torn_end: bool = False) -> RecordFile:
    """Every record of a file of this kind, checked line by line.

    A malformed line is a RecordFileError naming the file and line, unless `skip_malformed` (then it is
    listed in `skipped`). A repeated key is an error, unless the earlier record is a failed attempt.
    An incomplete last line is tolerated (reported in `torn_end`) only with `allow_torn_end`.
    """
    path = Path(path)
    lines, unterminated = _read_lines(path, kind)
    result = RecordFile(path, kind)
    final: dict[str, int] = {}
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines) and unterminated and allow_torn_end:
                result.torn_end = True
                continue
            problems.append(f"line {number}: invalid JSON ({exc.msg})")
            continue
        problem = _problem(record, kind)
        if problem:
            problems.append(f"line {number}: {problem}")
            continue
        key = kind.key(record)
        if key in final:
            earlier = result.records[final[key]]
            if not kind.is_failed_attempt(earlier):
                problems.append(f"line {number}: duplicate {kind.name} record {key!r}")
                continue
            result.records[final[key]] = record
            continue
        final[key] = len(result.records)
        result.records.append(record)
    if problems and not skip_malformed:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise RecordFileError(f"{path}: {'; '.join(problems[:5])}{more}; fix or remove these lines"
                              + (f", or pass {kind.skip_option}" if kind.skip_option else ""))
    result.skipped = problems
    return result


def read_inputs(paths: list[Path], kind: RecordKind, skip_malformed: bool = False) -> list[RecordFile]:
    """Several files of one kind read together; the same file twice, or the same key in two files, is an error."""
    seen_paths: dict[Path, Path] = {}
    owners: dict[str, Path] = {}
    files = []
    for path in paths:
        resolved = Path(path).resolve()
        if resolved in seen_paths:
            raise RecordFileError(f"{path} is given twice; give each {kind.name} file once")
        seen_paths[resolved] = Path(path)
        records = read_record_file(Path(path), kind, skip_malformed)
        for key in sorted(records.keys()):
            if key in owners:
                raise RecordFileError(f"{owners[key]} and {path} both hold the {kind.name} record {key!r}; "
                                      f"give each run's {kind.name} once")
            owners[key] = Path(path)
        files.append(records)
    return files


def base_provenance(kind: RecordKind) -> dict[str, Any]:
    """The provenance every record of a kind starts from: the kind, the schema and the package version."""
    from gamecwm import __version__

    return {"kind": kind.name, "schema_version": SCHEMA_VERSION, "package_version": __version__}


def provenance_differences(recorded: Any, current: dict[str, Any]) -> list[str]:
    """The provenance fields that differ, as `field: recorded -> current` (empty when they agree)."""
    if not isinstance(recorded, dict):
        return ["provenance: none recorded"]
    current = json.loads(json.dumps(current))  # as it reads back from a file (tuples become lists)
    names = sorted(set(recorded) | set(current))
    return [f"{name}: {recorded.get(name)!r} -> {current.get(name)!r}" for name in names
            if recorded.get(name) != current.get(name)]


def check_own_output(path: Path, kind: RecordKind) -> None:
    """Refuse an existing, non-empty `path` that is not a file of this kind (for outputs without provenance)."""
    path = Path(path)
    if path.exists() and (path.is_dir() or path.stat().st_size):
        try:
            read_record_file(path, kind, allow_torn_end=True)
        except RecordFileError as exc:
            raise RecordFileError(f"--output {path} exists and is not a {kind.name} file written by gamecwm ({exc}); "
                                  "it is left as it is: choose another --output") from None


def _check_writable(path: Path) -> None:
    if path.parent.exists() and not path.parent.is_dir():
        raise RecordFileError(f"cannot write {path}: {path.parent} is not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a"):
            pass
    except OSError as exc:
        raise RecordFileError(f"cannot write {path}: {exc.strerror or exc}; choose another --out") from exc


def open_output(path: Path, kind: RecordKind, provenance: dict[str, Any], resume_anyway: bool = False,
                inputs: tuple[Path, ...] = ()) -> RecordFile:
    """Claim an output file of this kind and return what an earlier run left in it.

    A new or empty file is fine. An existing file must be this kind's own output (every line a record
    of the kind, carrying its provenance), else it is left untouched and the error names it. Its records
    must have been produced with the same provenance (unless `resume_anyway`). An incomplete last line
    from an interrupted write is cut off. `inputs` are files the command reads: writing to one of them
    is an error.
    """
    path = Path(path)
    for source in inputs:
        if Path(source).exists() and path.exists() and os.path.samefile(source, path):
            raise RecordFileError(f"--out {path} is also the input; write the {kind.name} to another file")
    if path.exists() and path.is_dir():
        raise RecordFileError(f"--out {path} is a folder; give a {kind.name} file (.jsonl)")
    if not path.exists() or path.stat().st_size == 0:
        _check_writable(path)
        return RecordFile(path, kind)
    try:
        existing = read_record_file(path, kind, allow_torn_end=True)
    except RecordFileError as exc:
        raise RecordFileError(f"--out {path} exists and is not a {kind.name} file written by gamecwm ({exc}); "
                              "it is left as it is: choose another --out") from None
    foreign = [r for r in existing.records if not isinstance(r.get(PROVENANCE), dict)
               or r[PROVENANCE].get("kind") != kind.name]
    if foreign:
        raise RecordFileError(f"--out {path} holds records that are not gamecwm {kind.name} (e.g. "
                              f"{kind.key(foreign[0])!r} has no {kind.name} provenance); it is left as it is: "
                              "choose another --out")
    if not resume_anyway:
        for record in existing.records:
            differences = provenance_differences(record[PROVENANCE], provenance)
            if differences:
                raise RecordFileError(
                    f"--out {path} holds {kind.name} of a different run ({'; '.join(differences[:4])}); "
                    "use a new --out, or --resume-anyway to add this run to it")
    _check_writable(path)
    if existing.torn_end:
        _cut_torn_end(path)
    return existing


def _cut_torn_end(path: Path) -> None:
    """Remove the incomplete last line this kind of run left when it was interrupted mid-write."""
    data = path.read_bytes()
    with path.open("r+b") as handle:
        handle.truncate(data.rfind(b"\n") + 1)
