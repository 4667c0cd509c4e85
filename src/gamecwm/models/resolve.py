"""What a model name given on the command line or in a config means.

Everywhere a model is named, it may be a known model's name (fetched into the cache by `gamecwm models
fetch`), a local GGUF file, a local transformers folder, or a hub id (where the hub is reachable). A name
that looks like a local path but names nothing is reported as a missing file, never sent to the hub.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gamecwm.models.cache import cached_model
from gamecwm.models.catalog import KNOWN_MODELS, known_model
from gamecwm.models.fetch import FetchError, read_gguf_header

CONVERTED_NAME = "gamecwm-converted.gguf"  # a name of our own: a user's file is never replaced


class ModelNotFoundError(ValueError):
    """A model name that resolves to nothing usable, with what to do about it."""


def _known_names() -> str:
    return ", ".join(KNOWN_MODELS)


def looks_like_path(spec: str) -> bool:
    """True when `spec` can only mean a local path: it starts with / . or ~, ends in .gguf, has more than one
    slash, or its first folder exists here (a hub id is `owner/name`)."""
    if spec.startswith(("/", ".", "~")) or spec.lower().endswith(".gguf") or spec.count("/") > 1 or "\\" in spec:
        return True
    return "/" in spec and Path(spec.split("/", 1)[0]).is_dir()


def is_gguf_file(path: Path) -> bool:
    """True when `path` is a file with a GGUF header."""
    try:
        read_gguf_header(path)
    except (FetchError, OSError):
        return False
    return True


def resolve_hf(spec: str, cache_dir: Path | None = None) -> str:
    """A transformers folder or hub id for `spec` (a known model's prepared folder, a local folder, a hub id)."""
    known = known_model(spec)
    if known is not None:
        cached = cached_model(known.name, cache_dir)
        if cached.has_hf():
            return str(cached.hf)
        state = "its transformers folder is not prepared" if cached.has_gguf() else "it is not fetched"
        raise ModelNotFoundError(f"{known.name}: {state}; run `gamecwm models fetch {known.name}`")
    path = Path(spec).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelNotFoundError(f"{spec} is a folder but not a transformers model (it has no config.json)")
        return str(path)
    if path.is_file():
        kind = "a GGUF file" if is_gguf_file(path) else "a file"
        raise ModelNotFoundError(f"{spec} is {kind}; this needs a transformers folder, a hub id or a known model "
                                 f"({_known_names()})")
    if looks_like_path(spec):
        raise ModelNotFoundError(f"no such model folder: {spec}")
    return spec


def _converted_is_current(folder: Path, converted: Path) -> bool:
    if not converted.is_file():
        return False
    newest_weights = max((p.stat().st_mtime for p in folder.glob("*.safetensors")), default=0.0)
    return converted.stat().st_mtime >= newest_weights


def resolve_gguf(spec: str, cache_dir: Path | None = None,
                 progress: Callable[[str], None] = lambda message: None) -> Path:
    """A GGUF file for `spec`: a known model's fetched file, a GGUF file, or a transformers folder of the
    Qwen2 family, converted once to `FOLDER/gamecwm-converted.gguf` (again when its weights are newer)."""
    known = known_model(spec)
    if known is not None:
        cached = cached_model(known.name, cache_dir)
        if not cached.has_gguf():
            raise ModelNotFoundError(f"{known.name} is not fetched; run `gamecwm models fetch {known.name}`")
        return cached.gguf
    path = Path(spec).expanduser()
    if path.is_file():
        if not is_gguf_file(path):
            raise ModelNotFoundError(f"{spec} is not a GGUF file")
        return path
    if path.is_dir():
        if (path / "config.json").is_file():
            converted = path / CONVERTED_NAME
            if not _converted_is_current(path, converted):
                from gamecwm.models.convert import convert_hf_to_gguf

                progress(f"converting {spec} to GGUF ({converted})")
                convert_hf_to_gguf(path, converted)
            return converted
        files = sorted(p for p in path.glob("*.gguf") if p.is_file())
        if len(files) == 1:
            return files[0]
        raise ModelNotFoundError(f"{spec} holds {len(files)} GGUF files and no transformers model; name the file")
    if looks_like_path(spec):
        raise ModelNotFoundError(f"no such model file or folder: {spec}")
    raise ModelNotFoundError(f"{spec!r} is not a known model ({_known_names()}), a GGUF file or a model folder; "
                             "hub ids need the transformers or vllm backend")
