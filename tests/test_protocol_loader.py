"""The loader compiles a candidate's source exactly as plain Python would."""

from __future__ import annotations

import pytest

from gamecwm.protocol import load_module_from_source

# `int | "Forward"` is evaluated at definition time unless annotations are postponed.
NEEDS_POSTPONED_ANNOTATIONS = """
def get_initial_state() -> int | "Forward":
    return 0
"""


def _plain_python_import(source: str) -> None:
    exec(compile(source, "<plain>", "exec", dont_inherit=True), {})  # noqa: S102 (trusted test source)


def test_plain_python_rejects_the_source() -> None:
    with pytest.raises(TypeError):
        _plain_python_import(NEEDS_POSTPONED_ANNOTATIONS)


def test_loader_does_not_inherit_future_annotations() -> None:
    with pytest.raises(TypeError):
        load_module_from_source(NEEDS_POSTPONED_ANNOTATIONS)


def test_loader_honours_the_sources_own_future_import() -> None:
    module = load_module_from_source("from __future__ import annotations\n" + NEEDS_POSTPONED_ANNOTATIONS)
    assert module.get_initial_state() == 0
