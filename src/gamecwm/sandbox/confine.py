"""Confinement applied by the worker to itself before it loads a candidate: prctl, capabilities,
Landlock and seccomp. Everything here is best effort per layer and reports what it achieved."""

from __future__ import annotations

import ctypes
import errno
import os
import signal
from typing import Any, Iterable

_libc = ctypes.CDLL(None, use_errno=True)

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CLONE_THREAD = 0x00010000

_LANDLOCK_CREATE_RULESET = 444
_LANDLOCK_ADD_RULE = 445
_LANDLOCK_RESTRICT_SELF = 446
_LANDLOCK_RULE_PATH_BENEATH = 1

# Landlock filesystem rights by the ABI version that introduced them.
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_ABI1 = (1 << 13) - 1
FS_REFER = 1 << 13
FS_TRUNCATE = 1 << 14
FS_IOCTL_DEV = 1 << 15
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
NET_BIND_TCP = 1
NET_CONNECT_TCP = 2
SCOPE_ABSTRACT_UNIX_SOCKET = 1
SCOPE_SIGNAL = 2

# System calls the candidate never needs: new processes and programs, touching other processes,
# networking, namespaces and mounts, kernel facilities with a history of escapes.
DENIED_SYSCALLS = (
    "fork", "vfork", "execve", "execveat", "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    "process_madvise", "kcmp", "socket", "socketpair", "bind", "listen", "accept", "accept4", "connect",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree", "move_mount", "fsopen",
    "fsmount", "fsconfig", "fspick", "mount_setattr", "keyctl", "add_key", "request_key", "bpf",
    "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff", "acct",
    "quotactl", "syslog", "setpriority", "sched_setscheduler", "sched_setattr", "ioprio_set", "migrate_pages",
    "move_pages", "mbind", "set_mempolicy", "personality", "uselib", "lookup_dcookie", "name_to_handle_at",
    "open_by_handle_at", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
    "setdomainname", "vhangup", "nfsservctl", "fanotify_init", "inotify_init", "inotify_init1",
)


def prctl(option: int, arg: int = 0) -> bool:
    """Call prctl(2) with one argument; True on success."""
    return _libc.prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0


def set_parent_death_signal() -> bool:
    """Have the kernel SIGKILL this process when its parent dies."""
    return prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def set_undumpable() -> bool:
    """Forbid same-uid processes from reading this process's memory (/proc/<pid>/mem, ptrace)."""
    return prctl(PR_SET_DUMPABLE, 0)


def set_child_subreaper() -> bool:
    """Adopt orphaned descendants, so that ones that called setsid can still be found and killed."""
    return prctl(PR_SET_CHILD_SUBREAPER, 1)


def set_no_new_privs() -> bool:
    """Forbid gaining privileges through execve (required for Landlock and seccomp)."""
    return prctl(PR_SET_NO_NEW_PRIVS, 1)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> bool:
    """Drop every capability (bounding, ambient, effective, permitted, inheritable) of this process."""
    for cap in range(64):
        if not prctl(PR_CAPBSET_DROP, cap) and ctypes.get_errno() == errno.EINVAL:
            break
    _libc.prctl(PR_CAP_AMBIENT, ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    if _libc.capset(ctypes.byref(header), data) != 0:
        return False
    return _capabilities_empty()


def _capabilities_empty() -> bool:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16) == 0
    except OSError:
        return False
    return False


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _fs_rights(abi: int) -> int:
    rights = FS_ABI1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def apply_landlock(abi: int, read_dirs: Iterable[str], read_files: Iterable[str], write_dirs: Iterable[str],
                   rw_files: Iterable[str]) -> bool:
    """Restrict this process (and future threads) with Landlock; True when the ruleset is enforced.

    Reads are allowed beneath `read_dirs` and of `read_files`; every filesystem right beneath
    `write_dirs` and read/write of `rw_files`. With ABI >= 4 TCP bind/connect are denied; with
    ABI >= 6 signals and abstract unix sockets outside the sandbox are denied.
    """
    if abi < 1:
        return False
    handled = _fs_rights(abi)
    attr = _RulesetAttr(handled_access_fs=handled)
    size = 8
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    ruleset = _libc.syscall(_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        return False
    try:
        read = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
        rules: list[tuple[str, int]] = [(path, read) for path in read_dirs]
        rules += [(path, (FS_READ_FILE | FS_EXECUTE) & handled) for path in read_files]
        rules += [(path, handled) for path in write_dirs]
        rules += [(path, (FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE) & handled) for path in rw_files]
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                if not os.path.isdir(path):
                    rights &= FILE_RIGHTS
                rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
                if _libc.syscall(_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
                    return False
            finally:
                os.close(fd)
        if not set_no_new_privs():
            return False
        return _libc.syscall(_LANDLOCK_RESTRICT_SELF, ruleset, 0) == 0
    finally:
        os.close(ruleset)


def _seccomp_module() -> Any:
    try:
        import pyseccomp as seccomp_module  # PyPI: ctypes binding of libseccomp
    except (ImportError, RuntimeError, OSError):
        try:
            import seccomp as seccomp_module  # Debian's python3-seccomp
        except (ImportError, RuntimeError, OSError):
            return None
    return seccomp_module


def build_seccomp_filter() -> Any:
    """Build (not load) the worker's seccomp filter; None when no libseccomp binding is available.

    Default allow; the DENIED_SYSCALLS fail with EPERM, clone fails unless it creates a thread,
    clone3 fails with ENOSYS (so the C library falls back to clone), and prlimit64 may only target
    the calling process.
    """
    module = _seccomp_module()
    if module is None:
        return None
    try:
        filt = module.SyscallFilter(module.ALLOW)
        for name in DENIED_SYSCALLS:
            try:
                filt.add_rule(module.ERRNO(errno.EPERM), name)
            except (OSError, ValueError, RuntimeError):
                continue  # not a system call on this architecture
        filt.add_rule(module.ERRNO(errno.EPERM), "clone", module.Arg(0, module.MASKED_EQ, CLONE_THREAD, 0))
        filt.add_rule(module.ERRNO(errno.ENOSYS), "clone3")
        filt.add_rule(module.ERRNO(errno.EPERM), "prlimit64", module.Arg(0, module.NE, 0))
    except (OSError, ValueError, RuntimeError):
        return None
    return filt


def load_seccomp(filt: Any) -> bool:
    """Load a filter built by build_seccomp_filter into this process; True on success."""
    if filt is None:
        return False
    try:
        filt.load()
    except (OSError, ValueError, RuntimeError):
        return False
    return True
