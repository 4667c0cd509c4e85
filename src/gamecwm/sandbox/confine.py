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
    # File metadata, which Landlock does not cover: modes, owners, times and extended attributes.
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "utime", "utimes",
    "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr", "setxattrat", "removexattr",
    "lremovexattr", "fremovexattr", "removexattrat",
    # Identity changes (the worker has already dropped to its final ids).
    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups",
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
    """True when this process holds no capability (asked with capget: /proc may be out of reach)."""
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    if _libc.capget(ctypes.byref(header), data) != 0:
        return False
    return all(item.effective == 0 and item.permitted == 0 for item in data)


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
                   rw_files: Iterable[str], list_dirs: Iterable[str] = ()) -> bool:
    """Restrict this process (and future threads) with Landlock; True when the ruleset is enforced.

    Reads are allowed beneath `read_dirs` and of `read_files`; every filesystem right beneath
    `write_dirs` and read/write of `rw_files`; `list_dirs` may only be listed. With ABI >= 4 TCP bind/connect are denied; with
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
        rules += [(path, FS_READ_DIR) for path in list_dirs]
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


# --- a private filesystem view for one worker: its own scratch tmpfs, references hidden -------------

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
UNPRIVILEGED_ID = 65534  # "nobody": the uid and gid a worker started as root runs the candidate under


def _encode(text: str | None) -> bytes | None:
    return None if text is None else os.fsencode(text)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    if _libc.mount(_encode(source), _encode(target), _encode(fstype), ctypes.c_ulong(flags), _encode(data)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"mount {target}: {os.strerror(code)}")


def _enter_mount_namespace() -> bool:
    """A private mount namespace: directly with CAP_SYS_ADMIN, else inside a new user namespace."""
    if _libc.unshare(CLONE_NEWNS) == 0:
        return True
    uid, gid = os.geteuid(), os.getegid()
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        return False
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)
    except OSError:
        return False
    return True


def _cover(folder: str, keep: Iterable[str], mode: int) -> None:
    """Cover `folder` with an empty tmpfs in which only the folders in `keep` are bound again."""
    keep = list(keep)
    fds = [os.open(path, os.O_PATH | os.O_CLOEXEC) for path in keep]
    try:
        _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, f"size=1m,nr_inodes=1024,mode={mode:o}")
        for path, fd in zip(keep, fds):
            os.makedirs(path, 0o755, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
    finally:
        for fd in fds:
            os.close(fd)


# Top-level folders the system needs as they are; every other one (/home, /root, /opt, /srv, a
# checkout's folder...) is covered, keeping only the installation inside: so the rest (a checkout's
# history and build folders with copies of the references, home folders) is out of reach, and a
# folder closed to others (/root) no longer blocks the unprivileged uid.
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/proc", "/dev", "/sys",
                  "/run", "/var", "/tmp", "/boot")
# Folders any user may write to on a usual system: covered so that a candidate cannot leave files
# there (for the host, or for the next candidate) where Landlock does not confine writes.
SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", "/run/lock")


def _cover_top_folders(keep: list[str]) -> None:
    for entry in os.listdir("/"):
        top = "/" + entry
        if top in SYSTEM_FOLDERS or os.path.islink(top) or not os.path.isdir(top):
            continue
        inside = [path for path in keep if path == top or path.startswith(top + "/")]
        if top in inside:
            continue  # the installation is this whole folder
        _cover(top, inside, 0o755)
        _mount(None, top, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _cover_shared_writable(keep: list[str]) -> None:
    for folder in SHARED_WRITABLE:
        if os.path.isdir(folder) and not os.path.islink(folder):
            inside = [path for path in keep if path.startswith(os.path.realpath(folder) + os.sep)]
            _cover(folder, inside, 0o711)


def private_mount_namespace(hidden: Iterable[str], keep: Iterable[str]) -> bool:
    """Move this process (the fork server) into a mount namespace of its own, where of the
    top-level folders outside the system's only the installation (`keep`: the Python
    installation and the package) remains, the shared writable folders (/tmp, ...) are fresh and
    closed to others, and every folder in `hidden` is covered by an empty read-only tmpfs.
    False when no mount namespace can be had here."""
    if not _enter_mount_namespace():
        return False
    try:
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        keep = sorted({os.path.realpath(path) for path in keep})
        _cover_shared_writable(keep)
        _cover_top_folders(keep)
        for folder in hidden:
            if os.path.isdir(folder):
                _mount("tmpfs", folder, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       "size=4k,nr_inodes=2,mode=0555")
    except OSError:
        return False
    return True


def mount_scratch(path: str, size_bytes: int, inodes: int, owner: int) -> None:
    """Mount a fresh tmpfs of `size_bytes` and `inodes` at `path`, owned by uid and gid `owner`."""
    options = f"size={size_bytes},nr_inodes={inodes},mode=0700,uid={owner},gid={owner}"
    _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, options)


def unmount_scratch(path: str) -> None:
    """Detach the tmpfs at `path` (its contents go with it, however deep or large)."""
    if _libc.umount2(os.fsencode(path), ctypes.c_int(MNT_DETACH)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"umount {path}: {os.strerror(code)}")


def drop_privileges(uid: int = UNPRIVILEGED_ID, gid: int = UNPRIVILEGED_ID) -> bool:
    """Leave root: empty the capability bounding set, then switch every uid and gid (which clears
    every capability). True when the process now runs as `uid` without capabilities."""
    for cap in range(64):
        if not prctl(PR_CAPBSET_DROP, cap) and ctypes.get_errno() == errno.EINVAL:
            break
    _libc.prctl(PR_CAP_AMBIENT, ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
    try:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    except OSError:
        return False
    return os.getuid() == uid and _capabilities_empty()


def landlock_read_rules(roots: Iterable[str], hidden: Iterable[str]) -> tuple[list[str], list[str]]:
    """Landlock grants for reading everything under `roots` except inside the `hidden` folders.

    Returns (paths to read, folders only to list). A root that contains a hidden folder is replaced
    by its entries (recursively, only along the way to the hidden folder) and may only be listed,
    so Landlock, which only grants, still leaves the hidden folders' files out.
    """
    hidden_paths = [os.path.realpath(path) for path in hidden]
    read: list[str] = []
    listed: list[str] = []
    pending = [os.path.realpath(root) for root in roots]
    while pending:
        path = pending.pop()
        if path in hidden_paths:
            continue
        if not any(inner.startswith(path.rstrip(os.sep) + os.sep) for inner in hidden_paths):
            read.append(path)
            continue
        listed.append(path)
        try:
            pending.extend(os.path.join(path, entry) for entry in os.listdir(path))
        except OSError:
            continue
    return sorted(set(read)), sorted(set(listed))
