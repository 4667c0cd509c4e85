"""Every isolation level protects the host and the next candidate: file metadata, identity, disk
and inodes, deep trees, and channels between candidates through the scratch folder."""

from __future__ import annotations

import dataclasses
import os
import stat
import tempfile
from pathlib import Path

import pytest

from gamecwm.sandbox import SandboxPool
from gamecwm.sandbox.forkserver import remove_tree
from gamecwm.sandbox.limits import SCRATCH_FILE_BYTES
from tests.sandbox.conftest import MODES
from tests.sandbox.helpers import FAST, REFERENCE, REFERENCE_PATH, expected_values, hostile, standard_tasks, wait_until


def assert_correct(result) -> None:
    assert result.status == "ok", (result.status, result.detail, result.stdout_tail)
    assert [r.value for r in result.task_results] == expected_values()


@pytest.fixture
def canaries():
    """A world-readable folder on the host with a data file (with an xattr) and an executable."""
    folder = tempfile.mkdtemp(prefix="gamecwm-canary-")
    os.chmod(folder, 0o755)
    data = os.path.join(folder, "data.txt")
    program = os.path.join(folder, "program.sh")
    with open(data, "w") as handle:
        handle.write("precious")
    with open(program, "w") as handle:
        handle.write("#!/bin/sh\n")
    os.chmod(data, 0o644)
    os.chmod(program, 0o755)
    os.utime(data, (1_000_000_000, 1_000_000_000))
    try:
        os.setxattr(data, "user.origin", b"host")
        has_xattrs = True
    except OSError:
        has_xattrs = False
    yield folder, data, program, has_xattrs
    remove_tree(folder)


def _snapshot(path: str, has_xattrs: bool) -> tuple:
    info = os.lstat(path)
    xattrs = sorted((name, os.getxattr(path, name)) for name in os.listxattr(path)) if has_xattrs else []
    return stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid, info.st_mtime_ns, xattrs


def test_host_file_modes_owners_times_and_xattrs_are_untouched(any_pool, canaries):
    folder, data, program, has_xattrs = canaries
    before = {path: _snapshot(path, has_xattrs) for path in (folder, data, program)}
    attack = f"""
import os
outcome = []
for action in (
    lambda: os.chmod({data!r}, 0o4777),
    lambda: os.chmod({program!r}, 0o644),
    lambda: os.chmod({folder!r}, 0o777),
    lambda: os.chown({data!r}, 12345, 12345),
    lambda: os.utime({data!r}, (0, 0)),
    lambda: os.setxattr({data!r}, "user.planted", b"x"),
    lambda: os.removexattr({data!r}, "user.origin"),
    lambda: os.setxattr({folder!r}, "user.planted", b"x"),
):
    try:
        action()
        outcome.append("done")
    except OSError:
        outcome.append("blocked")
print(*outcome)
"""
    result = any_pool.run(hostile(attack), standard_tasks())
    assert_correct(result)
    assert result.stdout_tail.split() == ["blocked"] * 8
    assert {path: _snapshot(path, has_xattrs) for path in (folder, data, program)} == before


def test_candidates_started_as_root_run_unprivileged(any_pool):
    attack = """
import ctypes, os
header = (ctypes.c_uint32 * 2)(0x20080522, 0)
data = (ctypes.c_uint32 * 6)()
ctypes.CDLL(None).capget(header, data)
print(os.getuid(), os.geteuid(), os.getgid(), os.getgroups(), "caps", sum(data[:2]) + sum(data[3:5]))
"""
    result = any_pool.run(hostile(attack), standard_tasks())
    assert_correct(result)
    words = result.stdout_tail.split()
    if os.geteuid() == 0:
        assert words[:4] == ["65534", "65534", "65534", "[]"]
    assert words[-2:] == ["caps", "0"]


FILL_DISK = """
import errno, os
written, failure = 0, "none"
chunk = b"x" * (1 << 20)
try:
    for index in range(400):
        with open(f"fill{index}", "wb") as handle:
            for _ in range(8):
                handle.write(chunk)
                handle.flush()
                written += len(chunk)
except OSError as exc:
    failure = errno.errorcode.get(exc.errno, str(exc.errno))
print("written", written, failure)
"""


def test_scratch_size_is_capped(any_pool):
    limits = dataclasses.replace(FAST, scratch_bytes=8 * 2**20)
    result = any_pool.run(hostile(FILL_DISK), standard_tasks(), limits)
    assert_correct(result)
    _, written, failure = result.stdout_tail.split()
    assert failure in ("ENOSPC", "EDQUOT")
    assert int(written) <= limits.scratch_bytes


FILL_INODES = """
import errno, os
made, failure = 0, "none"
try:
    for index in range(200_000):
        os.mkdir(f"d{index}") if index % 2 else open(f"f{index}", "w").close()
        made += 1
except OSError as exc:
    failure = errno.errorcode.get(exc.errno, str(exc.errno))
print("made", made, failure)
"""


def test_scratch_inodes_are_capped(any_pool):
    limits = dataclasses.replace(FAST, scratch_inodes=500)
    result = any_pool.run(hostile(FILL_INODES), standard_tasks(), limits)
    assert_correct(result)
    _, made, failure = result.stdout_tail.split()
    assert failure == "ENOSPC"
    assert int(made) <= limits.scratch_inodes


DEEP_TREE = """
import os
fd = os.open(".", os.O_RDONLY)
for _ in range(DEPTH):
    os.mkdir("d", dir_fd=fd)
    inner = os.open("d", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = inner
with open(os.open("leaf", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "w") as handle:
    handle.write("deep")
os.chmod(".", 0o500) if False else None
print("built", os.getcwd())
"""


def test_a_deep_tree_in_scratch_is_the_candidates_business_only(any_pool):
    result = any_pool.run(hostile(DEEP_TREE.replace("DEPTH", "1500")), standard_tasks())
    assert_correct(result)
    scratch = result.stdout_tail.split()[-1]
    if not any_pool.isolation.bubblewrap:
        assert wait_until(lambda: not os.path.exists(scratch))  # a host folder outside bubblewrap
    assert_correct(any_pool.run(REFERENCE, standard_tasks()))  # the server lives on


def test_remove_tree_handles_any_depth_and_closed_folders(tmp_path):
    memory = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # fast; a disk works the same, slower
    top = Path(tempfile.mkdtemp(prefix="gamecwm-tree-", dir=memory or tmp_path))
    fd = os.open(top, os.O_RDONLY)
    for index in range(1500):
        os.mkdir("d", dir_fd=fd)
        with open(os.open(f"f{index % 3}", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "w") as handle:
            handle.write("x")
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.symlink("/etc/passwd", "link", dir_fd=fd)
    os.chmod("..", 0o000, dir_fd=fd)  # a folder its owner closed on the way down
    os.close(fd)
    remove_tree(str(top))
    assert not top.exists()
    assert os.path.exists("/etc/passwd")


XATTR_WRITER = """
import os
for path in (".", "..", "/tmp", "/scratch", os.path.dirname(os.getcwd())):
    for attempt in (lambda: os.setxattr(path, "user.channel", b"SECRET"), lambda: open(os.path.join(path, "note"), "w").write("SECRET")):
        try:
            attempt()
        except (OSError, ValueError):
            pass
"""

XATTR_READER = """
import os
found = []
for path in (".", "..", "/tmp", "/scratch", os.path.dirname(os.getcwd())):
    try:
        found += [name for name in os.listxattr(path) if os.getxattr(path, name) == b"SECRET"]
    except OSError:
        pass
    try:
        found += [name for name in os.listdir(path) if name == "note"]
    except OSError:
        pass
print("found", len(found), sorted(os.listdir(".")))
"""


@pytest.mark.parametrize("mode", list(MODES))
def test_no_channel_between_candidates_through_scratch(mode):
    with SandboxPool(workers=1, limits=FAST, disable=MODES[mode], allow_weak=True) as pool:
        assert_correct(pool.run(hostile(XATTR_WRITER), standard_tasks()))
        result = pool.run(hostile(XATTR_READER), standard_tasks())
    assert_correct(result)
    assert result.stdout_tail.split() == ["found", "0", "[]"]


def test_a_single_file_is_capped_too(any_pool):
    attack = """
import errno
try:
    with open("big", "wb") as handle:
        handle.write(b"x" * (SIZE + 1))
    print("wrote")
except OSError as exc:
    print(errno.errorcode[exc.errno])
""".replace("SIZE", str(SCRATCH_FILE_BYTES))
    result = any_pool.run(hostile(attack), standard_tasks(), dataclasses.replace(FAST, scratch_bytes=64 * 2**20))
    assert_correct(result)
    assert result.stdout_tail.split() in (["EFBIG"], ["ENOSPC"])


def test_landlock_grants_leave_the_hidden_folders_out(tmp_path):
    from gamecwm.sandbox.confine import apply_landlock, landlock_read_rules
    from gamecwm.sandbox.isolation import landlock_abi_version

    package = tmp_path / "site" / "pkg"
    (package / "games" / "chess").mkdir(parents=True)
    (package / "games" / "chess" / "reference.py").write_text("SECRET")
    (package / "games" / "registry.py").write_text("PUBLIC")
    (package / "protocol.py").write_text("PUBLIC")
    (tmp_path / "site" / "other.py").write_text("PUBLIC")
    read, listed = landlock_read_rules([str(tmp_path / "site")], [str(package / "games" / "chess")])
    assert str(package / "games" / "chess") not in read and str(package / "games" / "registry.py") in read
    assert str(tmp_path / "site") in listed and str(package / "games") in listed
    if landlock_abi_version() < 1:
        pytest.skip("no Landlock in this kernel")
    pid = os.fork()
    if pid == 0:  # a throw-away child: Landlock cannot be lifted once applied
        code = 1
        try:
            if apply_landlock(landlock_abi_version(), read, [], [], [], listed):
                public = [Path(path).read_text() for path in (package / "protocol.py", package / "games" / "registry.py")]
                try:
                    (package / "games" / "chess" / "reference.py").read_text()
                except PermissionError:
                    code = 0 if public == ["PUBLIC", "PUBLIC"] and "games" in os.listdir(package) else 3
                else:
                    code = 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_checkout_and_home_folders_are_out_of_reach(any_pool):
    checkout = REFERENCE_PATH.parents[4]
    targets = [checkout / "README.md", checkout / "tests" / "sandbox" / "helpers.py", Path.home() / ".bashrc",
               Path("/etc/shadow")]
    attack = f"""
outcome = []
for path in {[str(path) for path in targets]!r}:
    try:
        open(path, "rb").read(1)
        outcome.append("read")
    except OSError:
        outcome.append("blocked")
print(*outcome)
"""
    result = any_pool.run(hostile(attack), standard_tasks())
    assert_correct(result)
    assert result.stdout_tail.split() == ["blocked"] * len(targets)
