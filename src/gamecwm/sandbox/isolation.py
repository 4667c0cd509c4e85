"""What isolation this machine offers: run-time detection, the level string, and the bubblewrap command.

Layers, strongest first: `bubblewrap` (namespaces: no network, private PID space, read-only view of
only the Python installation and the trusted package, game folders hidden), `seccomp` (no new
processes, no signals or ptrace to other processes, no sockets), `landlock` (writes only in the
scratch folder, reads only the Python installation; TCP and signals outside the sandbox denied where
the kernel's Landlock ABI allows) and `rlimits` (CPU, memory, file size; always present). Each layer
is probed once per process; layers can be switched off (for tests, or by an operator) with the
`disable` arguments or the GAMECWM_SANDBOX_DISABLE environment variable (comma-separated names).

Untrusted code runs only at the full level unless the user accepts a weaker one (`--isolation weak`
on the command line, GAMECWM_ISOLATION=weak, or `allow_weak` in code): `require_isolation` decides,
and says on stderr, once per process, which weaker level is in use.
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
FULL_LEVEL = "+".join(LAYERS)
DISABLE_ENV = "GAMECWM_SANDBOX_DISABLE"
ISOLATION_ENV = "GAMECWM_ISOLATION"
SCRATCH_ROOT = "/scratch"  # inside bubblewrap: the folder holding each worker's scratch mount point
SCRATCH_ROOT_BYTES = 2**20
# Capabilities the fork server keeps inside bubblewrap when started as root, so that each worker can
# mount its own scratch tmpfs and then drop to an unprivileged uid (which clears all of them).
SERVER_CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP", "CAP_KILL")
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


# Every level a worker may report (each combination of the optional layers, with rlimits).
KNOWN_LEVELS = frozenset(
    level_string([name for bit, name in enumerate(LAYERS[:-1]) if mask >> bit & 1] + ["rlimits"])
    for mask in range(1 << (len(LAYERS) - 1))
)


def detect(disable: Iterable[str] = ()) -> Isolation:
    """The strongest isolation available here, minus disabled layers (argument and environment)."""
    env_disabled = os.environ.get(DISABLE_ENV, "").split(",")
    return _probe().without([*env_disabled, *disable])


def isolation_level(disable: Iterable[str] = ()) -> str:
    """The isolation level string that sandbox results on this machine report."""
    return detect(disable).level


class WeakIsolationError(RuntimeError):
    """The isolation available is weaker than the full level and the user has not accepted that."""


_weak_allowed = False
_warned: set[str] = set()


def allow_weak_isolation(allow: bool = True) -> None:
    """Accept (for this process) running untrusted code below the full isolation level."""
    global _weak_allowed
    _weak_allowed = allow


def weak_isolation_allowed() -> bool:
    """True when weak isolation was accepted in this process or with GAMECWM_ISOLATION=weak."""
    return _weak_allowed or os.environ.get(ISOLATION_ENV, "").strip().lower() == "weak"


def require_isolation(allow_weak: bool | None = None, disable: Iterable[str] = ()) -> Isolation:
    """The isolation to run untrusted code with; WeakIsolationError when it is below the full level
    and weak isolation is not allowed (`allow_weak`, or when None, `weak_isolation_allowed()`).

    When a weaker level is allowed, one line on stderr names it (once per process and level).
    """
    isolation = detect(disable)
    level = isolation.level
    if level == FULL_LEVEL:
        return isolation
    if not (weak_isolation_allowed() if allow_weak is None else allow_weak):
        raise WeakIsolationError(
            f"the sandbox offers only {level} here, weaker than {FULL_LEVEL}; install bubblewrap "
            f"(e.g. apt-get install bubblewrap) or accept the weaker level with --isolation weak "
            f"or {ISOLATION_ENV}=weak"
        )
    if level not in _warned:
        _warned.add(level)
        print(f"gamecwm: warning: running untrusted code at the weaker isolation level {level} "
              f"(full: {FULL_LEVEL})", file=sys.stderr)
    return isolation


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
    """The bubblewrap command line that wraps a fork server (without the program to run).

    Mounts are listed parents first, so that a Python installation or package under /tmp (or any
    folder that also gets a mount) stays visible. As root no user namespace is made: the server
    keeps only SERVER_CAPABILITIES, and each worker drops to an unprivileged uid.
    """
    if os.geteuid() == 0:
        command = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                   "--cap-drop", "ALL"]
        for capability in SERVER_CAPABILITIES:
            command += ["--cap-add", capability]
    else:
        command = ["bwrap", "--unshare-all", "--cap-drop", "ALL"]
    command += ["--die-with-parent", "--new-session"]
    mounts: list[tuple[str, list[str]]] = [("/usr", ["--ro-bind", "/usr", "/usr"])]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            mounts.append((name, ["--symlink", os.readlink(name), name]))
        elif os.path.isdir(name):
            mounts.append((name, ["--ro-bind", name, name]))
    mounts.append(("/etc/ld.so.cache", ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]))
    for root in python_roots():
        mounts.append((root, ["--ro-bind", root, root]))
    package = str(package_dir())
    mounts.append((package, ["--ro-bind", package, package]))
    for folder in hidden_game_folders():
        mounts.append((folder, ["--tmpfs", folder, "--remount-ro", folder]))
    mounts.append(("/proc", ["--proc", "/proc"]))
    mounts.append(("/dev", ["--dev", "/dev"]))
    mounts.append((SCRATCH_ROOT, ["--size", str(SCRATCH_ROOT_BYTES), "--tmpfs", SCRATCH_ROOT]))
    for _path, arguments in sorted(mounts, key=lambda mount: mount[0].rstrip("/").count("/")):
        command += arguments
    return command + ["--chdir", SCRATCH_ROOT]


def server_exec_prefix(bubblewrap: bool) -> list[str]:
    """Programs that start the fork server's interpreter: `setarch -R` (no address-space
    randomisation, so that fork servers lay out memory alike and id()-based behaviour repeats),
    preceded inside bubblewrap as root by `setpriv` limiting the capability bounding set to
    SERVER_CAPABILITIES (an exec that could gain capabilities would clear the setarch setting)."""
    prefix = []
    setpriv, setarch = shutil.which("setpriv"), shutil.which("setarch")
    if bubblewrap and os.geteuid() == 0 and setpriv and setarch:
        names = ",".join("+" + name.removeprefix("CAP_").lower() for name in SERVER_CAPABILITIES)
        prefix += [setpriv, f"--bounding-set=-all,{names}"]
    if setarch:
        prefix += [setarch, os.uname().machine, "-R"]
    return prefix


def _within(path: str, root: str) -> bool:
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
