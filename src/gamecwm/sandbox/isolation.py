"""What isolation this machine offers: run-time detection, the level string, and the bubblewrap command.

Layers, strongest first: `bubblewrap` (namespaces: no network, private PID space, read-only view of
only the Python installation and the trusted package, game folders hidden), `seccomp` (no new
processes, no signals or ptrace to other processes, no sockets), `landlock` (writes only in the
scratch folder, reads only the Python installation; TCP and signals outside the sandbox denied where
the kernel's Landlock ABI allows) and `rlimits` (CPU, memory, file size; always present). Each layer
is probed once per process; layers can be switched off (for tests, or by an operator) with the
`disable` arguments or the GAMECWM_SANDBOX_DISABLE environment variable (comma-separated names).
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

import gamecwm

LAYERS = ("bubblewrap", "seccomp", "landlock", "rlimits")
DISABLE_ENV = "GAMECWM_SANDBOX_DISABLE"
SANDBOX_TMP_BYTES = 64 * 2**20
PROBE_TIMEOUT_S = 20.0
_LANDLOCK_CREATE_RULESET = 444
_LANDLOCK_CREATE_RULESET_VERSION = 1


@dataclass(frozen=True)
class Isolation:
    """The isolation layers in use (rlimits are always applied)."""

    bubblewrap: bool
    seccomp: bool
    landlock_abi: int  # 0 when Landlock is unavailable

    @property
    def landlock(self) -> bool:
        """True when Landlock is in use."""
        return self.landlock_abi > 0

    @property
    def level(self) -> str:
        """The level string reported in results, e.g. `bubblewrap+seccomp+landlock+rlimits`."""
        return level_string(self.layers())

    def layers(self) -> list[str]:
        """The names of the layers in use, strongest first."""
        present = {"bubblewrap": self.bubblewrap, "seccomp": self.seccomp, "landlock": self.landlock, "rlimits": True}
        return [name for name in LAYERS if present[name]]

    def without(self, disabled: Iterable[str]) -> "Isolation":
        """A copy with the named layers switched off (unknown names raise ValueError)."""
        names = {name.strip() for name in disabled if name.strip()}
        unknown = names - set(LAYERS[:-1])
        if unknown:
            raise ValueError(f"unknown isolation layers {sorted(unknown)}; known: {list(LAYERS[:-1])}")
        result = self
        if "bubblewrap" in names:
            result = replace(result, bubblewrap=False)
        if "seccomp" in names:
            result = replace(result, seccomp=False)
        if "landlock" in names:
            result = replace(result, landlock_abi=0)
        return result


def level_string(layers: Iterable[str]) -> str:
    """Join layer names in canonical order; only rlimits gives `rlimits-only`."""
    present = [name for name in LAYERS if name in set(layers)]
    if present == ["rlimits"]:
        return "rlimits-only"
    return "+".join(present)


def detect(disable: Iterable[str] = ()) -> Isolation:
    """The strongest isolation available here, minus disabled layers (argument and environment)."""
    env_disabled = os.environ.get(DISABLE_ENV, "").split(",")
    return _probe().without([*env_disabled, *disable])


def isolation_level(disable: Iterable[str] = ()) -> str:
    """The isolation level string that sandbox results on this machine report."""
    return detect(disable).level


@functools.cache
def _probe() -> Isolation:
    landlock_abi = landlock_abi_version()
    seccomp = _probe_seccomp()
    bubblewrap = _probe_bubblewrap()
    return Isolation(bubblewrap=bubblewrap, seccomp=seccomp, landlock_abi=landlock_abi)


def landlock_abi_version() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is missing or disabled."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    version = libc.syscall(_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), _LANDLOCK_CREATE_RULESET_VERSION)
    return max(0, int(version))


def _probe_seccomp() -> bool:
    """Load a small filter in a throw-away interpreter (never in this process)."""
    code = (
        "from gamecwm.sandbox.confine import build_seccomp_filter, load_seccomp\n"
        "import os\n"
        "f = build_seccomp_filter()\n"
        "assert f is not None and load_seccomp(f)\n"
        "try:\n    os.fork()\nexcept PermissionError:\n    raise SystemExit(0)\n"
        "raise SystemExit(3)\n"
    )
    return _run_probe([sys.executable, "-I", "-S", "-c", _path_prelude() + code])


def _probe_bubblewrap() -> bool:
    """Start the interpreter inside bubblewrap with the binds the fork server uses."""
    if shutil.which("bwrap") is None or not sys.platform.startswith("linux"):
        return False
    command = bwrap_command() + [sys.executable, "-I", "-S", "-c", _path_prelude() + "import gamecwm.protocol"]
    return _run_probe(command)


def _run_probe(command: list[str]) -> bool:
    try:
        completed = subprocess.run(
            command, env={}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=PROBE_TIMEOUT_S, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0


def _path_prelude() -> str:
    return f"import sys; sys.path[:0] = {python_path()!r}\n"


def package_dir() -> Path:
    """The folder of the trusted `gamecwm` package."""
    return Path(gamecwm.__file__).resolve().parent


def python_roots() -> list[str]:
    """Folders holding the Python installation and its site-packages (read-only in the sandbox)."""
    roots = []  # both the path as named and its real path, so that either resolves in the sandbox
    for candidate in (sys.base_prefix, sys.prefix, sys.exec_prefix, str(Path(sys.executable).parent)):
        path = os.path.realpath(candidate)
        if path not in roots:
            roots.append(path)
        if candidate not in roots:
            roots.append(candidate)
    return [root for root in roots if os.path.isdir(root)]


def python_path() -> list[str]:
    """The module search path of the fork server: the installation's entries plus the package root."""
    roots = python_roots()
    entries = [str(package_dir().parent)]
    for entry in sys.path:
        if entry and os.path.isdir(entry) and any(_within(entry, root) for root in roots) and entry not in entries:
            entries.append(entry)
    return entries


def hidden_game_folders() -> list[str]:
    """Game folders (references, scenarios) that the sandbox hides from candidates."""
    games = package_dir() / "games"
    if not games.is_dir():
        return []
    return sorted(str(path) for path in games.iterdir() if path.is_dir() and not path.name.startswith("__"))


def bwrap_command() -> list[str]:
    """The bubblewrap command line that wraps a fork server (without the program to run)."""
    command = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    command += ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            command += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            command += ["--ro-bind", name, name]
    command += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    for root in python_roots():
        command += ["--ro-bind", root, root]
    package = str(package_dir())
    command += ["--ro-bind", package, package]
    for folder in hidden_game_folders():
        command += ["--tmpfs", folder, "--remount-ro", folder]
    command += ["--proc", "/proc", "--dev", "/dev", "--size", str(SANDBOX_TMP_BYTES), "--tmpfs", "/tmp", "--chdir", "/tmp"]
    return command


def _within(path: str, root: str) -> bool:
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
