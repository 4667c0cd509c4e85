"""The game registry: lists the dataset's games and loads their rules, references and scenarios.

Each game is a folder beside this file holding `meta.json` (the facts), `rules.md` (what a language
model receives), `reference.py` (the reference GameCWM) and `scenarios.json` (scripted checks).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import importlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

GAMES_DIR = Path(__file__).resolve().parent
# The files of a game's folder.
META_FILE = "meta.json"
RULES_FILE = "rules.md"
REFERENCE_FILE = "reference.py"
SCENARIOS_FILE = "scenarios.json"

INFORMATION_KINDS = ("perfect", "imperfect")
SPLITS = ("train", "test")


class UnknownGameError(KeyError):
    """A game name that is not in the registry."""

    def __init__(self, name: str, known: list[str]):
        self.name = name
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        self.message = f"unknown game {name!r}.{hint} Known games: {', '.join(known)}."
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class GameMetadataError(ValueError):
    """A game folder whose meta.json is missing a field or holds a wrong value."""


@dataclass(frozen=True)
class GameInfo:
    """The facts of one game of the dataset."""

    name: str
    title: str
    information: str  # "perfect" or "imperfect"
    chance: bool
    split: str  # "train" or "test"
    tier: int | None  # curriculum tier 1-4 for training games, None for test games
    ood: bool
    max_game_length: int  # an upper bound on the number of actions (chance included) in one game
    folder: Path
    reference_path: Path  # the reference implementation's source file
    rules_path: Path  # the natural-language rules file
    scenarios_path: Path  # the scripted scenarios file

    @property
    def imperfect_information(self) -> bool:
        """True for games with hidden information (these define resample_history)."""
        return self.information == "imperfect"

    def to_json(self) -> dict[str, Any]:
        """The public JSON form used by `gamecwm games list --json`."""
        data = asdict(self)
        for local_path in ("folder", "rules_path", "scenarios_path"):
            data.pop(local_path)
        data["reference_path"] = str(self.reference_path)
        return data


def _read_meta(folder: Path) -> GameInfo:
    path = folder / META_FILE
    try:
        meta = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise GameMetadataError(f"{path}: invalid JSON: {exc}") from exc
    expected = {"name", "title", "information", "chance", "split", "tier", "ood", "max_game_length"}
    missing = expected - meta.keys()
    if missing:
        raise GameMetadataError(f"{path}: missing fields {sorted(missing)}")
    if meta["name"] != folder.name:
        raise GameMetadataError(f"{path}: name {meta['name']!r} differs from its folder {folder.name!r}")
    if meta["information"] not in INFORMATION_KINDS:
        raise GameMetadataError(f"{path}: information must be one of {INFORMATION_KINDS}")
    if meta["split"] not in SPLITS:
        raise GameMetadataError(f"{path}: split must be one of {SPLITS}")
    tier = meta["tier"]
    if meta["split"] == "train" and tier not in (1, 2, 3, 4):
        raise GameMetadataError(f"{path}: a training game needs a tier 1-4")
    if meta["split"] == "test" and tier is not None:
        raise GameMetadataError(f"{path}: a test game has no tier")
    if not isinstance(meta["max_game_length"], int) or meta["max_game_length"] < 1:
        raise GameMetadataError(f"{path}: max_game_length must be a positive integer")
    return GameInfo(
        name=meta["name"],
        title=meta["title"],
        information=meta["information"],
        chance=bool(meta["chance"]),
        split=meta["split"],
        tier=tier,
        ood=bool(meta["ood"]),
        max_game_length=meta["max_game_length"],
        folder=folder,
        reference_path=folder / REFERENCE_FILE,
        rules_path=folder / RULES_FILE,
        scenarios_path=folder / SCENARIOS_FILE,
    )


@functools.cache
def _registry() -> dict[str, GameInfo]:
    games = {}
    for meta_path in sorted(GAMES_DIR.glob(f"*/{META_FILE}")):
        info = _read_meta(meta_path.parent)
        games[info.name] = info
    return games


def game_names() -> list[str]:
    """All registered game names, sorted."""
    return sorted(_registry())


def list_games(split: str | None = None, information: str | None = None) -> list[GameInfo]:
    """All registered games, optionally filtered by split ("train"/"test") or information kind."""
    games = [_registry()[name] for name in game_names()]
    if split is not None:
        games = [g for g in games if g.split == split]
    if information is not None:
        games = [g for g in games if g.information == information]
    return games


def get_game(name: str) -> GameInfo:
    """The facts of one game; raises UnknownGameError (naming close matches) for an unknown name."""
    try:
        return _registry()[name]
    except KeyError:
        raise UnknownGameError(name, game_names()) from None


def game_problem(name: Any) -> str | None:
    """Why `name` (read from a file) names no registered game, or None when it names one."""
    if not isinstance(name, str):
        return f"game must be a string, not {type(name).__name__}"
    try:
        get_game(name)
    except UnknownGameError as exc:
        return str(exc)
    return None


def load_reference(name: str) -> ModuleType:
    """Import and return a game's reference GameCWM module (trusted code)."""
    get_game(name)
    return importlib.import_module(f"gamecwm.games.{name}.reference")


def load_rules(name: str) -> str:
    """The natural-language rules a language model receives for this game."""
    return get_game(name).rules_path.read_text()


def load_scenarios(name: str) -> list[dict[str, Any]]:
    """The game's scripted scenarios (see gamecwm.games.scenarios for the format)."""
    from gamecwm.games.scenarios import parse_scenarios

    return parse_scenarios(get_game(name).scenarios_path)


@functools.cache
def dataset_version() -> str:
    """A stable hash of every game's facts, rules, reference and scenarios (16 hex digits).

    Results recorded under one dataset version are comparable; any change to a game changes it.
    """
    digest = hashlib.sha256()
    for name in game_names():
        folder = get_game(name).folder
        for file_name in (META_FILE, RULES_FILE, REFERENCE_FILE, SCENARIOS_FILE):
            path = folder / file_name
            digest.update(f"{name}/{file_name}\0".encode())
            digest.update(path.read_bytes() if path.exists() else b"")
            digest.update(b"\0")
    return digest.hexdigest()[:16]
