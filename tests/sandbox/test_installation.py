"""A regular (non-editable) install in a folder under /tmp: bubblewrap works there, and the game
references inside site-packages stay unreadable to candidates at every level."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from gamecwm.sandbox import FULL_LEVEL, isolation_level

REPOSITORY = Path(__file__).resolve().parents[2]

CHECK = """
import json, sys
from pathlib import Path
import gamecwm
from gamecwm.sandbox import FULL_LEVEL, SandboxPool, Task, isolation_level
reference = Path(gamecwm.__file__).parent / "games" / "tic_tac_toe" / "reference.py"
attacks = {
    "import": "from gamecwm.games.tic_tac_toe.reference import *\\n",
    "read": f"print(len(open({str(reference)!r}).read()))\\n",
    "list": f"import os\\nprint(os.listdir({str(reference.parent)!r}))\\n",
}
outcome = {"package": gamecwm.__file__, "level": isolation_level(), "reference_exists": reference.is_file()}
for label, disable in (("full", ()), ("no-bubblewrap", ("bubblewrap",)), ("rlimits-only", ("bubblewrap", "seccomp", "landlock"))):
    with SandboxPool(workers=1, disable=disable, allow_weak=True) as pool:
        for name, source in attacks.items():
            result = pool.run(source, [Task("gamecwm.sandbox.testing:probe", {})])
            outcome[f"{label}/{name}"] = [result.status, result.isolation, result.stdout_tail.strip()]
print(json.dumps(outcome))
"""


def _build_wheel(folder: Path) -> Path:
    source = folder / "source"
    shutil.copytree(REPOSITORY / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (REPOSITORY / name).exists():
            shutil.copy(REPOSITORY / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(folder / "dist"), str(source)], check=True, timeout=300)
    (wheel,) = (folder / "dist").glob("gamecwm-*.whl")
    return wheel


@pytest.mark.slow
@pytest.mark.skipif(isolation_level() != FULL_LEVEL, reason="needs the full level on this machine")
def test_wheel_install_under_tmp_reaches_bubblewrap_and_hides_references():
    folder = Path(tempfile.mkdtemp(prefix="gamecwm-install-", dir="/tmp"))
    try:
        wheel = _build_wheel(folder)
        venv = folder / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
        python = venv / "bin" / "python"
        site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   check=True, capture_output=True, text=True).stdout.strip())
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target",
                        str(site), str(wheel)], check=True, timeout=300)
        import pyseccomp  # the sandbox's own dependency: installed beside the package, as pip would

        shutil.copy(pyseccomp.__file__, site)
        # the other dependencies (not needed inside the sandbox) come from this environment, after the install's own
        (site / "zz_host.pth").write_text(sysconfig.get_path("purelib") + "\n")
        completed = subprocess.run([str(python), "-c", CHECK], check=False, cwd=str(folder), capture_output=True, text=True,
                                   timeout=300, env={key: value for key, value in os.environ.items()
                                                     if not key.startswith(("PYTHON", "GAMECWM"))})
        assert completed.returncode == 0, completed.stderr[-3000:]
        outcome = json.loads(completed.stdout.splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert outcome["package"].startswith(str(site)) and outcome["reference_exists"]
    assert outcome["level"] == FULL_LEVEL
    assert outcome["full/import"][:2] == ["import_error", FULL_LEVEL]
    for level in ("full", "no-bubblewrap", "rlimits-only"):
        assert outcome[f"{level}/import"][0] == "import_error", outcome
        assert outcome[f"{level}/read"][0] == "import_error", outcome
        listing = outcome[f"{level}/list"]
        assert listing[0] == "import_error" or "reference.py" not in listing[2], outcome


UNPRIVILEGED_CHECK = """
import json, sys
sys.path.insert(0, sys.argv[1])
from gamecwm.sandbox import SandboxPool, Task
game = '''
import errno, os
try:
    open(REFERENCE).read()
    print("reference-read")
except OSError:
    print("reference-blocked")
for index in range(100000):
    try:
        open(f"f{index}", "w").close()
    except OSError as exc:
        print("files", index, errno.errorcode[exc.errno])
        break
'''.replace("REFERENCE", repr(sys.argv[2]))
outcome = {}
for disable in ((), ("bubblewrap",), ("bubblewrap", "seccomp", "landlock")):
    with SandboxPool(workers=1, disable=disable, allow_weak=True) as pool:
        result = pool.run(game, [Task("gamecwm.sandbox.testing:probe", {})])
        outcome[result.isolation] = [result.status, result.stdout_tail.split()]
print(json.dumps(outcome))
"""


USABLE = "import os, sys; open(os.path.realpath(sys.executable), 'rb').close()"  # it can read itself


def _python_for(uid: int) -> str | None:
    """An interpreter of this Python version that `uid` can run (None when there is none)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, f"/usr/bin/{version}"):
        if candidate and subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                                         candidate, "-c", USABLE], check=False, capture_output=True).returncode == 0:
            return candidate
    return None


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root to become another user")
def test_an_unprivileged_user_gets_a_capped_scratch_and_no_references():
    uid = 65534
    python = _python_for(uid)
    source = REPOSITORY / "src"
    reference = source / "gamecwm" / "games" / "tic_tac_toe" / "reference.py"
    if python is None or subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", python, "-c",
                                         f"open({str(reference)!r}).read()"], check=False).returncode != 0:
        pytest.skip("no interpreter or checkout that the unprivileged user can read")
    completed = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", python, "-c",
                                UNPRIVILEGED_CHECK, str(source), str(reference)],
                               check=False, capture_output=True, text=True, timeout=300, cwd="/")
    assert completed.returncode == 0, completed.stderr[-3000:]
    outcome = json.loads(completed.stdout.splitlines()[-1])
    assert len(outcome) == 3
    for level, (status, words) in outcome.items():
        assert status == "ok", (level, words)
        assert words[0] == "reference-blocked", level
        assert words[1] == "files" and int(words[2]) <= 4096 and words[3] == "ENOSPC", (level, words)
