"""No silent fallback: below the full isolation level untrusted code runs only with consent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gamecwm.sandbox import (
    FULL_LEVEL,
    SandboxPool,
    WeakIsolationError,
    isolation,
    isolation_level,
    require_isolation,
    run_candidate,
)
from gamecwm.sandbox.isolation import ISOLATION_ENV, bwrap_command
from tests.sandbox.helpers import FAST, REFERENCE, standard_tasks

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_consent(monkeypatch):
    """Weak isolation not accepted, whatever the session or environment say."""
    monkeypatch.delenv(ISOLATION_ENV, raising=False)
    monkeypatch.setattr(isolation, "_weak_allowed", False)
    monkeypatch.setattr(isolation, "_warned", set())


def test_ci_runs_at_the_full_level():
    if os.environ.get("CI") != "true":
        pytest.skip("asserted in CI (CI=true), where the full level is required")
    assert isolation_level() == FULL_LEVEL


def test_weaker_level_is_refused_without_consent(no_consent):
    with pytest.raises(WeakIsolationError, match="--isolation weak"):
        SandboxPool(workers=1, disable=("bubblewrap",))
    with pytest.raises(WeakIsolationError):
        run_candidate(REFERENCE, standard_tasks(), FAST, disable=("seccomp",))
    with pytest.raises(WeakIsolationError):
        require_isolation(allow_weak=False, disable=("landlock",))


def test_consent_by_environment_says_so_once_on_stderr(no_consent, monkeypatch, capsys):
    monkeypatch.setenv(ISOLATION_ENV, "weak")
    for _ in range(2):
        with SandboxPool(workers=1, limits=FAST, disable=("bubblewrap",)) as pool:
            result = pool.run(REFERENCE, standard_tasks())
            assert result.status == "ok"
            assert result.isolation == pool.isolation_level != FULL_LEVEL
    lines = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(lines) == 1 and pool.isolation_level in lines[0]


def test_consent_in_code(no_consent):
    with SandboxPool(workers=1, limits=FAST, disable=("bubblewrap", "seccomp", "landlock"), allow_weak=True) as pool:
        assert pool.run(REFERENCE, standard_tasks()).isolation == "rlimits-only"


@pytest.mark.skipif(isolation_level() != FULL_LEVEL, reason="needs the full level on this machine")
def test_full_level_needs_no_consent(no_consent):
    assert require_isolation(allow_weak=False).level == FULL_LEVEL


@pytest.mark.skipif(isolation_level() != FULL_LEVEL, reason="needs the full level on this machine")
def test_command_refuses_weak_isolation_in_one_line_and_accepts_consent(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key != ISOLATION_ENV}
    environment["GAMECWM_SANDBOX_DISABLE"] = "bubblewrap"
    batch = tmp_path / "batch.jsonl"
    batch.write_text("")
    command = [sys.executable, "-c", "import sys; from gamecwm.cli import main; sys.exit(main())",
               "verify-batch", str(batch), "--output", str(tmp_path / "out.jsonl")]
    refused = subprocess.run(command, check=False, env=environment, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "--isolation weak" in refused.stderr
    accepted = subprocess.run(command + ["--isolation", "weak"], check=False, env=environment, capture_output=True, text=True,
                              timeout=120)
    assert accepted.returncode == 0, accepted.stderr
    assert "warning" in accepted.stderr and "Traceback" not in accepted.stderr


def test_bubblewrap_mounts_parents_before_what_lies_inside(monkeypatch):
    monkeypatch.setattr(isolation, "python_roots", lambda: ["/tmp/project/.venv", "/usr"])
    monkeypatch.setattr(isolation, "package_dir", lambda: Path("/tmp/project/.venv/lib/site-packages/gamecwm"))
    monkeypatch.setattr(isolation, "hidden_game_folders", lambda: ["/tmp/project/.venv/lib/site-packages/gamecwm/games/go"])
    command = bwrap_command()
    targets = [command[index + 2] for index, word in enumerate(command) if word in ("--ro-bind", "--ro-bind-try")]
    targets += [command[index + 1] for index, word in enumerate(command) if word in ("--tmpfs", "--proc", "--dev")]
    order = {target: command.index(target) for target in targets}
    for outer in targets:
        for inner in targets:
            if inner.startswith(outer.rstrip("/") + "/"):
                assert order[outer] < order[inner], (outer, inner)
