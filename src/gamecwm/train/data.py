"""SFT data: (prompt, completion) pairs from the training games, ordered by curriculum tier.

A row is conversational, as TRL's `SFTTrainer` expects: `prompt` is the chat messages from
`gamecwm.generate.prompts.build_messages`, `completion` is one assistant message holding the program
in a ```python block, plus `game`, `tier` and `source` (`reference`, or the model a distilled program
came from). Only training games ever enter: held-out games stay unseen. Rows are sorted by tier
(a seeded shuffle within each tier), so sequential training follows the curriculum.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gamecwm.games import get_game, list_games
from gamecwm.generate.prompts import DEFAULT_TEMPLATE, TEMPLATES, build_messages, get_template
from gamecwm.jsonl import read_records

COLUMNS = ("prompt", "completion", "game", "tier", "source")


def completion_message(code: str) -> list[dict[str, str]]:
    """The assistant turn for a program: the code in one ```python block, as the prompts ask."""
    return [{"role": "assistant", "content": f"```python\n{code.strip()}\n```"}]


def sft_row(game: str, code: str, source: str, template: str = DEFAULT_TEMPLATE) -> dict[str, Any]:
    """One SFT example: the game's prompt and the program as the completion."""
    info = get_game(game)
    return {"prompt": build_messages(game, template), "completion": completion_message(code),
            "game": game, "tier": info.tier, "source": source}


def curriculum_order(rows: list[dict[str, Any]], seed: int = 0) -> list[dict[str, Any]]:
    """Rows sorted by curriculum tier (lowest first), shuffled with `seed` within each tier only."""
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    return sorted(rows, key=lambda row: row["tier"])


def reference_rows(template: str = DEFAULT_TEMPLATE, seed: int = 0, repeats: int = 1) -> list[dict[str, Any]]:
    """SFT rows from every training game's reference (each `repeats` times), in curriculum order."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    get_template(template)
    rows = [sft_row(g.name, g.reference_path.read_text(), "reference", template)
            for g in list_games(split="train") for _ in range(repeats)]
    return curriculum_order(rows, seed)


def _code_key(game: str, code: str) -> str:
    normalized = "\n".join(line.rstrip() for line in code.strip().splitlines())
    return f"{game}:{hashlib.sha256(normalized.encode()).hexdigest()}"


def dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the same game and program (ignoring trailing whitespace) kept once, first one wins."""
    seen, kept = set(), []
    for row in rows:
        key = _code_key(row["game"], row["completion"][-1]["content"])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


@dataclass
class DistillSummary:
    """What a distillation run took and why it left samples out."""

    added: int
    below_threshold: int
    duplicates: int
    not_training_games: int
    unscored: int
    total_rows: int


def distilled_rows(generations: Path, results: Path, min_score: float) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """SFT rows from the generations whose verification score is at least `min_score`, and skip counts.

    Samples are matched to their results by (model, sample id). Samples of test games, samples without
    a result, and results without a score (infrastructure failures) are skipped and counted.
    """
    scores = {r["key"]: r.get("score") for r in read_records(results) if "key" in r}
    samples = read_records(generations)
    if not samples:
        raise ValueError(f"{generations}: no samples")
    if not scores:
        raise ValueError(f"{results}: no results")
    skipped = {"below_threshold": 0, "not_training_games": 0, "unscored": 0}
    rows = []
    for sample in samples:
        if not all(k in sample for k in ("id", "model", "game", "code")):
            raise ValueError(f"{generations}: a sample without id/model/game/code: {sample.get('id', '?')}")
        score = scores.get(f"{sample['model']}|{sample['id']}")
        if get_game(sample["game"]).split != "train":
            skipped["not_training_games"] += 1
        elif score is None:
            skipped["unscored"] += 1
        elif score < min_score:
            skipped["below_threshold"] += 1
        else:
            template = str(sample.get("prompt_template") or DEFAULT_TEMPLATE).partition("@")[0]
            template = template if template in TEMPLATES else DEFAULT_TEMPLATE
            rows.append(sft_row(sample["game"], sample["code"], str(sample["model"]), template))
    return rows, skipped


def save_rows(rows: list[dict[str, Any]], out_dir: Path) -> Path:
    """Save rows as a datasets `Dataset` (loadable with `datasets.load_from_disk`); returns the folder."""
    from datasets import Dataset

    if not rows:
        raise ValueError("no rows to save")
    dataset = Dataset.from_list([{column: row[column] for column in COLUMNS} for row in rows])
    out_dir = Path(out_dir)
    if out_dir.exists():
        # save_to_disk refuses to overwrite a dataset it is reading from, so write beside it first.
        temporary = out_dir.with_name(out_dir.name + ".tmp")
        dataset.save_to_disk(str(temporary))
        shutil.rmtree(out_dir)
        temporary.rename(out_dir)
    else:
        dataset.save_to_disk(str(out_dir))
    return out_dir


def load_rows(data_dir: Path) -> list[dict[str, Any]]:
    """The rows of a saved SFT dataset; a ValueError when the folder holds none."""
    from datasets import load_from_disk

    data_dir = Path(data_dir)
    if not (data_dir / "dataset_info.json").is_file():
        raise ValueError(f"{data_dir} is not a saved dataset (make one with `gamecwm dataset sft`)")
    dataset = load_from_disk(str(data_dir))
    missing = set(COLUMNS) - set(dataset.column_names)
    if missing:
        raise ValueError(f"{data_dir}: the dataset lacks the columns {sorted(missing)}")
    return dataset.to_list()


def write_sft_dataset(out_dir: Path, template: str = DEFAULT_TEMPLATE, seed: int = 0, repeats: int = 1) -> int:
    """Write the reference SFT dataset to `out_dir`; returns its number of rows."""
    rows = reference_rows(template, seed, repeats)
    save_rows(rows, out_dir)
    return len(rows)


def distill(generations: Path, results: Path, min_score: float, out_dir: Path, seed: int = 0) -> DistillSummary:
    """Add the well-scored programs of a generations file to the dataset in `out_dir` (created if absent).

    The merged rows are deduplicated (same game and program) and put back in curriculum order.
    """
    if not 0 <= min_score <= 1:
        raise ValueError("min-score must be in [0, 1]")
    new_rows, skipped = distilled_rows(Path(generations), Path(results), min_score)
    existing = load_rows(out_dir) if (Path(out_dir) / "dataset_info.json").is_file() else []
    merged = dedupe(existing + new_rows)
    added = len(merged) - len(dedupe(existing))
    if merged:
        save_rows(curriculum_order(merged, seed), out_dir)
    return DistillSummary(added=added, duplicates=len(new_rows) - added, total_rows=len(merged), **skipped)
