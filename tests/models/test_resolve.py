"""The model resolver: known names, GGUF files, transformers folders and hub ids, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamecwm.generate.backends import BackendError, make_backend
from gamecwm.models.cache import cached_model
from gamecwm.models.resolve import ModelNotFoundError, looks_like_path, resolve_gguf, resolve_hf
from tests.models.fake_parts import fake_gguf

NAME = "qwen2.5-coder-0.5b-instruct"


def _fetched(cache: Path, with_hf: bool) -> Path:
    """Lay out a known model in `cache` as `models fetch` leaves it."""
    cached = cached_model(NAME, cache)
    cached.root.mkdir(parents=True)
    cached.gguf.write_bytes(fake_gguf(64))
    cached.manifest_path.write_text(json.dumps({"name": NAME}))
    if with_hf:
        cached.hf.mkdir()
        (cached.hf / "config.json").write_text("{}")
    return cached.root


def test_a_known_model_resolves_to_its_cached_files(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=f"not fetched; run `gamecwm models fetch {NAME}`"):
        resolve_gguf(NAME, tmp_path)
    with pytest.raises(ModelNotFoundError, match="not fetched"):
        resolve_hf(NAME, tmp_path)
    root = _fetched(tmp_path, with_hf=False)
    assert resolve_gguf(NAME.upper(), tmp_path) == root / "model.gguf"
    with pytest.raises(ModelNotFoundError, match="transformers folder is not prepared"):
        resolve_hf(NAME, tmp_path)
    (root / "hf").mkdir()
    (root / "hf" / "config.json").write_text("{}")
    assert resolve_hf(NAME, tmp_path) == str(root / "hf")


def test_the_cache_directory_comes_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    root = _fetched(tmp_path / "elsewhere", with_hf=True)
    monkeypatch.setenv("GAMECWM_CACHE", str(tmp_path / "elsewhere"))
    assert resolve_gguf(NAME) == root / "model.gguf" and resolve_hf(NAME) == str(root / "hf")


def test_local_files_and_folders(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(fake_gguf(64))
    assert resolve_gguf(str(gguf)) == gguf
    with pytest.raises(ModelNotFoundError, match="is a GGUF file; this needs a transformers folder"):
        resolve_hf(str(gguf))
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ModelNotFoundError, match="not a GGUF file"):
        resolve_gguf(str(tmp_path / "notes.txt"))
    folder = tmp_path / "run"
    folder.mkdir()
    with pytest.raises(ModelNotFoundError, match="not a transformers model"):
        resolve_hf(str(folder))
    with pytest.raises(ModelNotFoundError, match="holds 0 GGUF files"):
        resolve_gguf(str(folder))
    (folder / "only.gguf").write_bytes(fake_gguf(64))
    assert resolve_gguf(str(folder)) == folder / "only.gguf"
    (folder / "config.json").write_text("{}")
    assert resolve_hf(str(folder)) == str(folder)


def test_missing_local_paths_are_never_sent_to_the_hub(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    for missing in ("runs/sft/final", "runs/final", "./final", str(tmp_path / "final"), "model.gguf", "~/nope/x"):
        assert looks_like_path(missing)
        with pytest.raises(ModelNotFoundError, match=f"no such model folder: {missing}"):
            resolve_hf(missing)
        with pytest.raises(ModelNotFoundError, match=f"no such model file or folder: {missing}"):
            resolve_gguf(missing)
    assert resolve_hf("Qwen/Qwen2.5-3B-Instruct") == "Qwen/Qwen2.5-3B-Instruct"  # a hub id passes through
    with pytest.raises(ModelNotFoundError, match="hub ids need the transformers or vllm backend"):
        resolve_gguf("Qwen/Qwen2.5-3B-Instruct")


def test_backends_report_a_missing_model_clearly(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BackendError, match="no such model folder: ./runs/final"):
        make_backend("transformers", "./runs/final")
    monkeypatch.setenv("GAMECWM_CACHE", str(tmp_path / "cache"))
    with pytest.raises(BackendError, match=f"run `gamecwm models fetch {NAME}`"):
        make_backend("transformers", NAME)
