"""The model options shared by `generate` and `repair` reach the chosen backend, and only it."""

from __future__ import annotations

import argparse

import pytest

from gamecwm.cli.common import add_model_arguments, backend_options


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_model_arguments(parser)
    return parser.parse_args(["--model", "m", *argv])


def test_threads_go_to_llamacpp_only() -> None:
    assert backend_options(_parse("--backend", "llamacpp", "--threads", "2")) == {"threads": 2}
    assert backend_options(_parse("--backend", "llamacpp")) == {}
    assert "threads" not in backend_options(_parse("--backend", "openai", "--threads", "2"))


def test_threads_must_be_positive(capsys) -> None:
    with pytest.raises(SystemExit):
        _parse("--backend", "llamacpp", "--threads", "0")
    assert "--threads" in capsys.readouterr().err
