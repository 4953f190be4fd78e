"""process: ids, fork-like clones, exec, waiting, pidfds, signals to processes, resource limits
and usage, priorities, and what the kernel says about itself (man 2 clone, execve, wait4,
pidfd_open, kill, prlimit, getrusage, uname, sysinfo ...)."""
from __future__ import annotations

import enum
import operator
from collections.abc import Mapping
from typing import (Any, Callable, Iterable, Literal, NamedTuple, NoReturn, Optional, Tuple, Union,
                    overload)

from ._core import (NEG_EINTR, U32, Buffer, PathArg, alloc, call, call_buf,
                    copy_bufs, decode, error, ffi, in_range, lib, new_copy_buf, read_size,
                    readable, release, view, writable)
from ._core import c_int as _c_int, path as _path
from .fd import Fd, FdArg, fdnum, methods
from .flags import FlagArg, flags_of, to_int
from .memory import writable_mapping_holds
from .signal import SIGRTMAX, SignalArg, signum
from . import _sys_process
from ._sys_process import *  # noqa: F401,F403  (pidfd_open, kill ...: cdefs/process.h)

from ._consts import SIG, AT, CLONE, W, P, PIDFD_SIGNAL, RLIMIT, RUSAGE, PRIO, GRND, KCMP

# These calls cannot fail, so the native helpers are the functions themselves: no Python
# frame between the caller and the syscall.
getpid = lib.ls_getpid
getppid = lib.ls_getppid
gettid = lib.ls_gettid
getuid = lib.ls_getuid
geteuid = lib.ls_geteuid
getgid = lib.ls_getgid
getegid = lib.ls_getegid

_clone = lib.ls_clone
_clone3 = lib.ls_clone3
_execve = lib.ls_execve
_execveat = lib.ls_execveat
_exit_group = lib.ls_exit_group
_wait4 = lib.ls_wait4
_waitid = lib.ls_waitid
_pidfd_send_signal = lib.ls_pidfd_send_signal
_prlimit64 = lib.ls_prlimit64
_getrusage = lib.ls_getrusage
_getpriority = lib.ls_getpriority
_uname = lib.ls_uname
_sysinfo = lib.ls_sysinfo
_getrandom = lib.ls_getrandom
# (typed to take any count: getrandom() leaves its check to cffi's uint16_t conversion)
_getrandom16: Callable[[Any, Any, int], int] = lib.ls_getrandom16
_getcpu = lib.ls_getcpu
_tgkill = lib.ls_tgkill  # _own_process's signal-0 check (tgkill itself is generated)
_kcmp = lib.ls_kcmp
_process_vm_readv = lib.ls_process_vm_readv
_process_vm_writev = lib.ls_process_vm_writev

_CLONE_REFUSED = lib.LS_CLONE_REFUSED
_CLONE_PIDFD = lib.CLONE_PIDFD
_CLONE_INTO_CGROUP = lib.CLONE_INTO_CGROUP
_CSIGNAL = lib.CSIGNAL
_SIGCHLD = SIG.SIGCHLD
_P_PIDFD = lib.P_PIDFD
_LOAD_SCALE = float(1 << lib.SI_LOAD_SHIFT)
_SIGINFO_SIZE = 128  # the kernel's siginfo, on every arch
_RUSAGE_LONGS = 18   # the kernel's struct rusage: two timevals and fourteen longs
_ADDRESS_MAX = (1 << 8 * ffi.sizeof("void *")) - 1
_KCMP_EPOLL_TFD = lib.KCMP_EPOLL_TFD
_GETRANDOM_MAX = (1 << 25) - 1
_NS = 1_000_000_000
_NULL = ffi.NULL
_new = ffi.new
_copy_pop = copy_bufs.pop  # bound here: a method call on an imported name is slow (io.py)
_copy_push = copy_bufs.append
_cast = ffi.cast
_string = ffi.string
_unpack = ffi.unpack

RLIM_INFINITY = (1 << 64) - 1  # the kernel's RLIM64_INFINITY; -1 (resource's) is taken for it

Forked = Union[int, Tuple[int, Optional[Fd]]]
EnvArg = Union[Mapping[Any, Any], Iterable[PathArg]]


def _signal_or_zero(sig: SignalArg) -> int:
    """signum(), with 0 allowed: kill's existence check, clone3's "no exit signal"."""
    return 0 if isinstance(sig, int) and sig == 0 else signum(sig)


# ---- fork-like clones ----------------------------------------------------------------------

def _fork_flags(flags: FlagArg, name: str, bits: int) -> int:
    f = flags_of(flags, CLONE, SIG)  # clone's low byte is the exit signal: SIG members too
    if not 0 <= f < 1 << bits:
        raise ValueError(f"{name}: flags {f:#x} do not fit {bits} bits"
                         + (" (CLEAR_SIGHAND, INTO_CGROUP: clone3 only)" if bits == 32 else ""))
    if f & _CLONE_REFUSED:
        raise ValueError(f"{name}: {CLONE(f & _CLONE_REFUSED)!r} would share this address space "
                         f"or need memory the caller manages; only fork-like clones are made")
    return f


def _forked(pid: int, pidfd: Any) -> Forked:
    if pidfd is None:
        return pid
    return (pid, Fd(pidfd[0])) if pid else (0, None)


# Without flags there is no CLONE_PIDFD, so no pidfd: the pid alone (CLONE_PIDFD in a flags
# value is known only at run time: Forked).
@overload
def clone(flags: Literal[0] = 0) -> int: ...
@overload
def clone(flags: FlagArg) -> Forked: ...


def clone(flags: FlagArg = 0) -> Forked:
    """Create a child process like os.fork, with CLONE flags (man 2 clone).

    The flags' low byte (CSIGNAL) is the exit signal, SIGCHLD when 0 (CLONE_NEWTIME, 0x80, is
    clone3's): ``L.clone(L.CLONE.NEWNS | L.SIG.CHLD)``, ``L.clone(L.SIG.USR1)`` and
    ``"newns|chld"`` take SIG members and names beside CLONE's (CLONE's first: "io" is
    CLONE_IO).  The interpreter's fork hooks run around the raw syscall as for os.fork
    (os.register_at_fork callbacks, threading and the GIL reset in the child), so only the
    calling thread goes on in the child.  C libraries' pthread_atfork handlers do not run (a
    raw clone is not glibc's fork), so in a process running other threads the child may find
    a lock (malloc's) held for good: clone early, or from one thread.  Flags that share this
    address space or need memory the caller manages (VM, THREAD, SIGHAND, SETTLS,
    PARENT_SETTID, CHILD_SETTID, CHILD_CLEARTID) raise ValueError: the child would run on this
    very stack beside this interpreter.  With CLONE_VFORK the parent waits, holding the GIL,
    until the child execs or exits.  Returns the child's pid in the parent and 0 in the
    child; with CLONE_PIDFD, (pid, pidfd Fd) in the parent and (0, None) in the child.

    https://man7.org/linux/man-pages/man2/clone.2.html

    Raises:
        BlockingIOError: the process limit is reached (RLIMIT_NPROC, pid_max, a pid
            namespace's) (EAGAIN).
        PermissionError: a ``CLONE.NEW*`` flag the caller lacks the privilege for (EPERM).
        OSError: EINVAL for a flag combination the kernel refuses, ENOSPC for too many nested
            namespaces, ENOMEM, the subclass os raises for any other errno.
        TypeError: ``flags`` is not an int, CLONE or SIG member or name string (before any
            call).
        ValueError: an unknown flag name, flags past 32 bits, a refused flag (VM, THREAD,
            SETTLS ...) or an exit signal outside 1..SIGRTMAX (before any call).
    """
    f = _fork_flags(flags, "clone", 32)
    if not f & _CSIGNAL:
        f |= _SIGCHLD
    elif (f & _CSIGNAL) > SIGRTMAX:  # the kernel would take it and never send it
        raise ValueError(f"clone: exit signal {f & _CSIGNAL} outside 1..{SIGRTMAX}")
    pidfd = _new("int *", -1) if f & _CLONE_PIDFD else None
    return _forked(call(_clone, "clone", f, _NULL if pidfd is None else pidfd), pidfd)


@overload
def clone3(flags: Literal[0] = 0, exit_signal: SignalArg = _SIGCHLD, *,
           set_tid: Iterable[int] = (), cgroup: Optional[FdArg] = None) -> int: ...
@overload
def clone3(flags: FlagArg, exit_signal: SignalArg = _SIGCHLD, *,
           set_tid: Iterable[int] = (), cgroup: Optional[FdArg] = None) -> Forked: ...


def clone3(flags: FlagArg = 0, exit_signal: SignalArg = _SIGCHLD, *,
           set_tid: Iterable[int] = (), cgroup: Optional[FdArg] = None) -> Forked:
    """Create a child process like os.fork from struct clone_args (man 2 clone3).

    As clone() (the same hooks, refused flags and return values), with the exit signal
    apart (0: none; then wait with W.ALL or W.CLONE), ``set_tid`` the pids to take in each
    pid namespace (innermost first), and ``cgroup`` a cgroup directory fd to start in
    (CLONE_INTO_CGROUP is then implied).

    https://man7.org/linux/man-pages/man2/clone3.2.html

    Raises:
        BlockingIOError: the process limit is reached (RLIMIT_NPROC, pid_max, a pid
            namespace's) (EAGAIN).
        PermissionError: a ``CLONE.NEW*`` flag, or ``set_tid``, the caller lacks the privilege
            for (EPERM).
        FileExistsError: a pid of ``set_tid`` is taken (EEXIST).
        OSError: EINVAL for a flag combination or ``set_tid`` the kernel refuses, EBUSY or
            EOPNOTSUPP for a cgroup it cannot start in, ENOSPC, ENOMEM, the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: before Linux 5.3).
        ClosedFdError: ``cgroup`` is a closed Fd.
        TypeError: ``flags`` is not an int, CLONE or SIG member or name string, or an item of
            ``set_tid``, ``exit_signal`` or ``cgroup`` of the wrong type (before any call).
        ValueError: an unknown flag or signal name, flags past 64 bits, a refused flag (VM,
            THREAD, SETTLS ...), an exit signal outside 0..SIGRTMAX, an unknown std fd name,
            or CLONE_INTO_CGROUP without ``cgroup`` (before any call).
        OverflowError: a ``set_tid`` pid past a C int (before any call).
    """
    f = _fork_flags(flags, "clone3", 64)
    sig = _signal_or_zero(exit_signal)
    tids = [_c_int(t, "set_tid") for t in set_tid]  # pid_t; the kernel refuses those <= 0
    if cgroup is not None:
        f |= _CLONE_INTO_CGROUP
        cg = fdnum(cgroup)
    elif f & _CLONE_INTO_CGROUP:
        raise ValueError("clone3: CLONE_INTO_CGROUP needs cgroup=")
    else:
        cg = 0
    pidfd = _new("int *", -1) if f & _CLONE_PIDFD else None
    pid = call(_clone3, "clone3", f, sig, _new("int[]", tids) if tids else _NULL, len(tids), cg,
               _NULL if pidfd is None else pidfd)
    return _forked(pid, pidfd)


# ---- exec and exit -------------------------------------------------------------------------

def _argv(argv: Iterable[PathArg]) -> list[bytes]:
    if isinstance(argv, (str, bytes)):
        raise TypeError("argv must be a sequence of arguments, not a single string")
    args = [_path(a) for a in argv]
    if not args:
        raise ValueError("argv must not be empty")
    if not args[0]:
        raise ValueError("argv's first element must not be empty")
    return args


def _environ(env: EnvArg) -> list[bytes]:
    """"NAME=value" strings from a mapping (as os.execve takes) or from such strings."""
    if isinstance(env, (str, bytes)):
        raise TypeError("env must be a mapping or a sequence of 'NAME=value' strings")
    if not isinstance(env, Mapping):
        return [_path(e) for e in env]
    pairs: list[bytes] = []
    # pyright narrows EnvArg to Mapping[PathArg, <unknown>] (an Iterable that is a Mapping)
    mapping: Mapping[Any, Any] = env  # pyright: ignore[reportUnknownVariableType]
    for k, v in mapping.items():
        name = _path(k)
        if not name or b"=" in name[1:]:
            raise ValueError(f"illegal environment variable name {k!r}")
        pairs.append(name + b"=" + _path(v))
    return pairs


def _cstrings(items: list[bytes]) -> tuple[Any, list[Any]]:
    """A NULL-terminated char *[] and the char[]s it points to (keep them alive)."""
    keep = [_new("char[]", b) for b in items]
    return _new("char *[]", keep + [_NULL]), keep


def _exec(fn: Any, name: str, shown: PathArg, *args: Any) -> NoReturn:
    r = fn(*args)
    while r == NEG_EINTR:
        r = fn(*args)
    raise error(-r, name, shown)


def execve(path: PathArg, argv: Iterable[PathArg], envp: EnvArg) -> NoReturn:
    """Replace this process with a program (man 2 execve); returns only by raising.

    ``envp`` is a mapping (as os.execve's env) or a sequence of "NAME=value" strings.

    https://man7.org/linux/man-pages/man2/execve.2.html

    Raises:
        FileNotFoundError: ``path`` or its interpreter does not exist (ENOENT).
        PermissionError: ``path`` is not an executable regular file, search permission is
            denied, or the filesystem is mounted noexec (EACCES, EPERM).
        NotADirectoryError: a component of ``path`` is not a directory (ENOTDIR).
        OSError: ENOEXEC for a file in no format the kernel runs, E2BIG for arguments and
            environment too large, ETXTBSY, ELOOP, ENAMETOOLONG, EMFILE, ENOMEM ..., the
            subclass os raises for any other errno.
        TypeError: ``path``, an argument or an environment entry is not str, bytes or a path,
            ``argv`` is a single string, or ``envp`` a string (before any call).
        ValueError: an empty ``argv`` or first argument, an embedded NUL, or an environment
            variable name that is empty or holds "=" (before any call).
    """
    p = _path(path)
    args, _keep_args = _cstrings(_argv(argv))
    env, _keep_env = _cstrings(_environ(envp))
    _exec(_execve, "execve", path, p, args, env)


def execveat(dirfd: FdArg, path: PathArg, argv: Iterable[PathArg], envp: EnvArg,
             flags: FlagArg = 0) -> NoReturn:
    """execve relative to dirfd, or of dirfd itself with AT_EMPTY_PATH (man 2 execveat).

    https://man7.org/linux/man-pages/man2/execveat.2.html

    Raises:
        FileNotFoundError: ``path`` or its interpreter does not exist (ENOENT).
        PermissionError: ``path`` is not an executable regular file, search permission is
            denied, or the filesystem is mounted noexec (EACCES, EPERM).
        NotADirectoryError: a component of ``path`` is not a directory (ENOTDIR).
        OSError: ENOEXEC for a file in no format the kernel runs, E2BIG for arguments and
            environment too large, EINVAL for bad flags, EBADF for a ``dirfd`` not open,
            ETXTBSY, ELOOP, ENAMETOOLONG, EMFILE, ENOMEM ..., the subclass os raises for any
            other errno (UnsupportedError for ENOSYS: before Linux 3.19).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path``, an argument or an environment entry is not str, bytes or a path,
            ``argv`` is a single string, ``envp`` a string, ``flags`` not an int, AT member
            or name string, or ``dirfd`` no fd (before any call).
        ValueError: an empty ``argv`` or first argument, an embedded NUL, an environment
            variable name that is empty or holds "=", or an unknown flag or std fd name
            (before any call).
        OverflowError: ``flags`` past a C int (before any call).
    """
    p = _path(path)
    f = _c_int(to_int(flags, AT), "flags")
    n = fdnum(dirfd)
    args, _keep_args = _cstrings(_argv(argv))
    env, _keep_env = _cstrings(_environ(envp))
    _exec(_execveat, "execveat", path, n, p, args, env, f)


def exit_group(status: int) -> NoReturn:
    """End every thread of this process now, without Python's cleanup (man 2 exit_group).

    The call cannot fail: it returns only by raising, for an argument cffi refuses.

    https://man7.org/linux/man-pages/man2/exit_group.2.html

    Raises:
        TypeError: ``status`` is not an int (before the call).
        OverflowError: ``status`` past a C int (before the call).
    """
    raise error(-_exit_group(status), "exit_group")


# ---- waiting -------------------------------------------------------------------------------

class Rusage(NamedTuple):
    """Resource usage (man 2 getrusage): resource.struct_rusage's fields, then the times in ns."""
    ru_utime: float     # user CPU time, seconds
    ru_stime: float     # system CPU time, seconds
    ru_maxrss: int      # peak resident set, KiB
    ru_ixrss: int
    ru_idrss: int
    ru_isrss: int
    ru_minflt: int      # page faults without I/O
    ru_majflt: int      # page faults with I/O
    ru_nswap: int
    ru_inblock: int     # filesystem input, 512-byte blocks
    ru_oublock: int     # filesystem output, 512-byte blocks
    ru_msgsnd: int
    ru_msgrcv: int
    ru_nsignals: int
    ru_nvcsw: int       # voluntary context switches
    ru_nivcsw: int      # involuntary context switches
    ru_utime_ns: int    # ru_utime as integer nanoseconds (the kernel counts microseconds)
    ru_stime_ns: int


def _rusage(ru: Any) -> Rusage:
    v = _unpack(ru, _RUSAGE_LONGS)
    # resource's arithmetic (the ignores: checkers cannot count what a cdata slice unpacks to)
    return Rusage(v[0] + v[1] * 1e-6, v[2] + v[3] * 1e-6, *v[4:],  # type: ignore[call-arg]
                  v[0] * _NS + v[1] * 1000, v[2] * _NS + v[3] * 1000)  # pyright: ignore[reportCallIssue]


def wait4(pid: int, options: FlagArg = 0) -> tuple[int, int, Rusage]:
    """Wait for a child: (pid, status, its Rusage); (0, 0, ...) if W.NOHANG finds none ready
    (man 2 wait4).

    https://man7.org/linux/man-pages/man2/wait4.2.html

    Raises:
        ChildProcessError: no child (of those ``pid`` selects) to wait for (ECHILD).
        OSError: EINVAL for bad ``options``, the subclass os raises for any other errno.
        TypeError: ``pid`` is not an int, or ``options`` not an int, W member or name string
            (before any call).
        ValueError: an unknown ``options`` name (before any call).
        OverflowError: ``pid`` or ``options`` past a C int (before any call).
    """
    status = _new("int *")
    ru = _new("long[]", _RUSAGE_LONGS)
    r = call(_wait4, "wait4", pid, status, to_int(options, W), ru)
    return r, status[0], _rusage(ru)


class WaitidResult(NamedTuple):
    """What waitid reports of a child (man 2 waitid), as os.waitid_result."""
    si_pid: int
    si_uid: int
    si_signo: int   # SIGCHLD
    si_status: int  # the exit status, or the signal (see si_code)
    si_code: int    # a CLD member: EXITED, KILLED, DUMPED, STOPPED, TRAPPED, CONTINUED


@overload
def waitid(idtype: FlagArg, id: Union[int, FdArg], options: FlagArg, *,
           rusage: Literal[False] = False) -> Optional[WaitidResult]: ...
@overload
def waitid(idtype: FlagArg, id: Union[int, FdArg], options: FlagArg, *, rusage: Literal[True]
           ) -> Union[tuple[WaitidResult, Rusage], tuple[None, None]]: ...
@overload
def waitid(idtype: FlagArg, id: Union[int, FdArg], options: FlagArg, *, rusage: bool
           ) -> Union[Optional[WaitidResult], tuple[WaitidResult, Rusage], tuple[None, None]]: ...


def waitid(idtype: FlagArg, id: Union[int, FdArg], options: FlagArg, *, rusage: bool = False
           ) -> Union[Optional[WaitidResult], tuple[WaitidResult, Rusage], tuple[None, None]]:
    """Wait for a child's state change (man 2 waitid): idtype a P member (P.PIDFD: id is a
    pidfd); None if W.NOHANG finds none ready.

    With ``rusage=True`` (the kernel's fifth argument) the child's resource usage comes too,
    as wait4 gives it: ``(WaitidResult, Rusage)``, or ``(None, None)`` if none is ready.

    https://man7.org/linux/man-pages/man2/waitid.2.html

    Raises:
        ChildProcessError: no child (of those ``idtype`` and ``id`` select) to wait for,
            or a pidfd of a process that is not a child (ECHILD).
        BlockingIOError: P.PIDFD with a nonblocking pidfd whose process has not changed
            state yet (EAGAIN).
        OSError: EINVAL for bad ``options`` or ``idtype``, EBADF for a pidfd not open, the
            subclass os raises for any other errno.
        ClosedFdError: ``id`` is a closed Fd.
        TypeError: ``idtype`` or ``options`` is not an int, member or name string, or ``id``
            of the wrong type (before any call).
        ValueError: an unknown ``idtype`` or ``options`` name, or std fd name (before any
            call).
        OverflowError: ``idtype`` or ``id`` past a C int, ``options`` past 32 bits (before
            any call).
    """
    t = _c_int(to_int(idtype, P), "idtype")
    o = in_range(to_int(options, W), "options", 0, U32)
    # id's type follows idtype's value, which no checker sees: an Fd passes as its number
    # (Fd.__index__), anything else not an int raises TypeError in c_int.
    i = fdnum(id) if t == _P_PIDFD else _c_int(id, "id")  # type: ignore[arg-type]
    result = _new("int64_t[5]")
    ru = _new("long[]", _RUSAGE_LONGS) if rusage else _NULL
    call(_waitid, "waitid", t, i, o, result, ru)
    info = WaitidResult._make(result) if result[0] else None
    if not rusage:
        return info
    return (None, None) if info is None else (info, _rusage(ru))


def WIFEXITED(wstatus: int) -> bool:
    """True if the child ended by exiting (man 2 wait).

    https://man7.org/linux/man-pages/man2/wait.2.html

    Raises:
        TypeError: ``wstatus`` is not an int (the status wait4 gives).
    """
    return (wstatus & 0x7F) == 0


def WEXITSTATUS(wstatus: int) -> int:
    """The exit status of a child that exited (man 2 wait).

    https://man7.org/linux/man-pages/man2/wait.2.html

    Raises:
        TypeError: ``wstatus`` is not an int (the status wait4 gives).
    """
    return (wstatus >> 8) & 0xFF


def WIFSIGNALED(wstatus: int) -> bool:
    """True if a signal killed the child (man 2 wait).

    https://man7.org/linux/man-pages/man2/wait.2.html

    Raises:
        TypeError: ``wstatus`` is not an int (the status wait4 gives).
    """
    return 0 < (wstatus & 0x7F) < 0x7F


def WTERMSIG(wstatus: int) -> int:
    """The signal that killed the child (man 2 wait).

    https://man7.org/linux/man-pages/man2/wait.2.html

    Raises:
        TypeError: ``wstatus`` is not an int (the status wait4 gives).
    """
    return wstatus & 0x7F


def WIFSTOPPED(wstatus: int) -> bool:
    """True if the child is stopped (man 2 wait).

    https://man7.org/linux/man-pages/man2/wait.2.html

    Raises:
        TypeError: ``wstatus`` is not an int (the status wait4 gives).
    """
    return (wstatus & 0xFF) == 0x7F


def WSTOPSIG(wstatus: int) -> int:
    """The signal that stopped the child (man 2 wait).

    https://man7.org/linux/man-pages/man2/wait.2.html

    Raises:
        TypeError: ``wstatus`` is not an int (the status wait4 gives).
    """
    return (wstatus >> 8) & 0xFF


def WCOREDUMP(wstatus: int) -> bool:
    """True if the killed child dumped core (man 2 wait).

    https://man7.org/linux/man-pages/man2/wait.2.html

    Raises:
        TypeError: ``wstatus`` is not an int (the status wait4 gives).
    """
    return bool(wstatus & 0x80)


def WIFCONTINUED(wstatus: int) -> bool:
    """True if SIGCONT resumed the stopped child (man 2 wait).

    https://man7.org/linux/man-pages/man2/wait.2.html

    Raises:
        TypeError: ``wstatus`` is not an int (the status wait4 gives).
    """
    return wstatus == 0xFFFF


# ---- pidfds and signals --------------------------------------------------------------------



def pidfd_send_signal(pidfd: FdArg, sig: SignalArg, info: Optional[Buffer] = None,
                      flags: FlagArg = 0) -> None:
    """Send a signal to the process a pidfd refers to (man 2 pidfd_send_signal); ``info`` is
    None or a siginfo_t's 128 bytes; PIDFD_SIGNAL flags.

    https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html

    Raises:
        ProcessLookupError: the process has ended and been waited for (ESRCH).
        PermissionError: the caller may not signal that process, or ``info`` claims a
            kernel or another process's sending (EPERM).
        OSError: EBADF for an fd not open or no pidfd (nor a /proc/PID directory), EINVAL
            for bad flags, an ``info`` whose signal differs from ``sig`` or a process in a
            pid namespace the caller cannot signal into; the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: before Linux 5.1).
        ClosedFdError: ``pidfd`` is a closed Fd.
        TypeError: ``info`` is no bytes-like object, ``sig`` not an int or name, ``flags``
            not an int, PIDFD_SIGNAL member or name string, or ``pidfd`` no fd (before any
            call).
        BufferError: ``info`` is not C-contiguous (before any call).
        ValueError: ``info`` is not 128 bytes, or an unknown signal, flag or std fd name, or
            a signal outside 0..SIGRTMAX (before any call).
        OverflowError: ``pidfd`` past a C int, ``flags`` past 32 bits (before any call).
    """
    n, s = _c_int(fdnum(pidfd), "pidfd"), _signal_or_zero(sig)  # checked before info's view
    f = in_range(to_int(flags, PIDFD_SIGNAL), "flags", 0, U32)
    if info is None:
        data = _NULL
    else:
        data = readable(info)
        if len(data) != _SIGINFO_SIZE:
            release(data, info)
            raise ValueError(f"info must be a siginfo_t's {_SIGINFO_SIZE} bytes, not {len(data)}")
    call_buf(_pidfd_send_signal, "pidfd_send_signal", data, info, n, s, data, f)


class KcmpResult(enum.IntEnum):
    """What kcmp says of two processes' resources (man 2 kcmp)."""
    EQUAL = 0      # the same resource: shared
    LESS = 1       # different; the first orders before the second (an obfuscated ordering)
    GREATER = 2    # different; the first orders after the second
    NOT_EQUAL = 3  # different, with no ordering to give


_KCMP_RESULTS = tuple(KcmpResult)


def kcmp(pid1: int, pid2: int, type: FlagArg, idx1: int = 0,
         idx2: Union[int, tuple[int, int, int]] = 0) -> KcmpResult:
    """Whether two processes share a kernel resource (man 2 kcmp; CONFIG_KCMP): ``type`` a
    KCMP member.  FILE: ``idx1`` and ``idx2`` are fd numbers in pid1's and pid2's tables
    (EBADF if one is not open there); EPOLL_TFD: whether pid1's fd ``idx1`` is registered in
    an epoll instance of pid2, ``idx2`` = (efd, tfd, toff): the epoll fd in pid2, the fd number
    the target was added under and which of its entries (0: the first); the other types
    compare whole tables (VM, FILES, FS, SIGHAND, IO, SYSVSEM) and take no index.  Needs
    ptrace read access to both.  Returns a KcmpResult (an int): EQUAL (0) when shared.

    https://man7.org/linux/man-pages/man2/kcmp.2.html

    Raises:
        PermissionError: the caller lacks ptrace read access to either process (EPERM).
        ProcessLookupError: a pid that does not exist (ESRCH).
        OSError: EBADF for an fd number not open in its process (FILE, EPOLL_TFD), ENOENT
            for an EPOLL_TFD target not in that epoll instance, EINVAL for an unknown
            ``type``, the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: a kernel without CONFIG_KCMP).
        TypeError: ``type`` is not an int, KCMP member or name string, ``idx2`` not an
            (efd, tfd, toff) tuple for EPOLL_TFD, or an int argument not an int (before any
            call).
        ValueError: an unknown ``type`` name (before any call).
        OverflowError: a pid or ``type`` past a C int, an index outside 0..2**32-1 (before
            any call).
    """
    p1, p2 = _c_int(pid1, "pid1"), _c_int(pid2, "pid2")
    t = _c_int(to_int(type, KCMP), "type")
    # The kernel takes the indexes as unsigned long but reads an fd number as unsigned int:
    # a wider value would name another fd.
    i1 = in_range(idx1, "idx1", 0, U32)
    if t != _KCMP_EPOLL_TFD:
        # idx2's type follows type's value (a tuple for EPOLL_TFD only): in_range raises
        # TypeError for a tuple here.
        return _kcmp_result(call(_kcmp, "kcmp", p1, p2, t, i1,
                                 in_range(idx2, "idx2", 0, U32),  # type: ignore[arg-type]
                                 _NULL))
    if not isinstance(idx2, tuple) or len(idx2) != 3:
        raise TypeError("kcmp: KCMP.EPOLL_TFD takes idx2 as an (efd, tfd, toff) tuple")
    slot = _new("uint32_t[3]", [in_range(v, n, 0, U32)
                                for v, n in zip(idx2, ("efd", "tfd", "toff"))])
    return _kcmp_result(call(_kcmp, "kcmp", p1, p2, t, i1, 0, slot))


def _kcmp_result(r: int) -> KcmpResult:
    return _KCMP_RESULTS[r] if r < len(_KCMP_RESULTS) else r  # type: ignore[return-value]


# ---- limits, usage, priorities -------------------------------------------------------------

def _limit(value: int) -> int:
    v = operator.index(value)
    if v == -1:
        return RLIM_INFINITY
    if not 0 <= v <= RLIM_INFINITY:
        raise ValueError(f"resource limit {v} outside 0..RLIM_INFINITY (or -1)")
    return v


def prlimit(pid: int, resource: FlagArg, new_limit: Optional[tuple[int, int]] = None
            ) -> tuple[int, int]:
    """Get, and with ``new_limit`` set, a process's (soft, hard) limit; returns the old one
    (man 2 prlimit; prlimit64, 64-bit limits, RLIM_INFINITY = 2**64-1, -1 taken for it).

    https://man7.org/linux/man-pages/man2/prlimit.2.html

    Raises:
        PermissionError: raising a hard limit without CAP_SYS_RESOURCE (RLIMIT_NOFILE's
            never above /proc/sys/fs/nr_open), or no permission over process ``pid`` (EPERM).
        ProcessLookupError: no process ``pid`` (ESRCH).
        OSError: EINVAL for an unknown ``resource`` or a soft limit above the hard one, the
            subclass os raises for any other errno.
        TypeError: ``resource`` is not an int, RLIMIT member or name string, ``new_limit``
            not a (soft, hard) pair of ints, or ``pid`` not an int (before any call).
        ValueError: an unknown ``resource`` name, or a limit outside 0..RLIM_INFINITY (or
            -1) (before any call).
        OverflowError: ``resource`` outside 0..2**32-1, ``pid`` past a C int (before any
            call).
    """
    r = in_range(to_int(resource, RLIMIT), "resource", 0, U32)
    if new_limit is None:
        limits = _NULL
    else:
        soft, hard = new_limit
        limits = _new("uint64_t[2]", [_limit(soft), _limit(hard)])
    old = _new("uint64_t[2]")
    call(_prlimit64, "prlimit64", pid, r, limits, old)
    return old[0], old[1]


def getrlimit(resource: FlagArg) -> tuple[int, int]:
    """This process's (soft, hard) limit of a resource (man 2 getrlimit; via prlimit64).

    https://man7.org/linux/man-pages/man2/getrlimit.2.html

    Raises:
        OSError: EINVAL for an unknown ``resource``, the subclass os raises for any other
            errno.
        TypeError: ``resource`` is not an int, RLIMIT member or name string (before any call).
        ValueError: an unknown ``resource`` name (before any call).
        OverflowError: ``resource`` outside 0..2**32-1 (before any call).
    """
    return prlimit(0, resource)


def setrlimit(resource: FlagArg, rlim: tuple[int, int]) -> None:
    """Set this process's (soft, hard) limit of a resource (man 2 setrlimit; via prlimit64).

    https://man7.org/linux/man-pages/man2/setrlimit.2.html

    Raises:
        PermissionError: raising the hard limit without CAP_SYS_RESOURCE (RLIMIT_NOFILE's
            never above /proc/sys/fs/nr_open) (EPERM).
        OSError: EINVAL for an unknown ``resource`` or a soft limit above the hard one, the
            subclass os raises for any other errno.
        TypeError: ``resource`` is not an int, RLIMIT member or name string, or ``rlim`` not
            a (soft, hard) pair of ints (before any call).
        ValueError: an unknown ``resource`` name, or a limit outside 0..RLIM_INFINITY (or
            -1) (before any call).
        OverflowError: ``resource`` outside 0..2**32-1 (before any call).
    """
    prlimit(0, resource, rlim)


def getrusage(who: FlagArg = 0) -> Rusage:
    """Resource usage of this process, its reaped children or this thread (man 2 getrusage;
    RUSAGE members, SELF by default).

    https://man7.org/linux/man-pages/man2/getrusage.2.html

    Raises:
        OSError: EINVAL for an unknown ``who``, the subclass os raises for any other errno.
        TypeError: ``who`` is not an int, RUSAGE member or name string (before any call).
        ValueError: an unknown ``who`` name (before any call).
        OverflowError: ``who`` past a C int (before any call).
    """
    ru = _new("long[]", _RUSAGE_LONGS)
    call(_getrusage, "getrusage", to_int(who, RUSAGE), ru)
    return _rusage(ru)


def getpriority(which: FlagArg, who: int) -> int:
    """The nice value (-20..19) of a process, group or user (man 2 getpriority; PRIO members).

    https://man7.org/linux/man-pages/man2/getpriority.2.html

    Raises:
        ProcessLookupError: no process, group or user matches ``which`` and ``who`` (ESRCH).
        OSError: EINVAL for an unknown ``which``, the subclass os raises for any other errno.
        TypeError: ``which`` is not an int, PRIO member or name string, or ``who`` not an
            int (before any call).
        ValueError: an unknown ``which`` name (before any call).
        OverflowError: ``which`` or ``who`` past a C int (before any call).
    """
    return 20 - call(_getpriority, "getpriority", to_int(which, PRIO), who)


# ---- the system ----------------------------------------------------------------------------

class Uname(NamedTuple):
    """The kernel's names (man 2 uname): os.uname_result's fields and the NIS domain name."""
    sysname: str
    nodename: str
    release: str
    version: str
    machine: str
    domainname: str


def uname() -> Uname:
    """The kernel's name, release, version, machine and host names (man 2 uname).

    https://man7.org/linux/man-pages/man2/uname.2.html

    Raises:
        OSError: the subclass os raises for an errno; none is expected (uname fails only
            for a bad buffer address, which linuxsys never passes).
    """
    u = _new("struct utsname *")
    call(_uname, "uname", u)
    return Uname._make(decode(_string(getattr(u, f))) for f in Uname._fields)


class Sysinfo(NamedTuple):
    """System statistics (man 2 sysinfo); memory sizes in bytes (mem_unit applied)."""
    uptime: int                         # seconds since boot
    loads: tuple[float, float, float]   # 1, 5 and 15 minute load averages
    totalram: int
    freeram: int
    sharedram: int
    bufferram: int
    totalswap: int
    freeswap: int
    procs: int                          # number of tasks (threads)
    totalhigh: int
    freehigh: int


def sysinfo() -> Sysinfo:
    """Uptime, load averages, memory and swap totals, task count (man 2 sysinfo).

    https://man7.org/linux/man-pages/man2/sysinfo.2.html

    Raises:
        OSError: the subclass os raises for an errno; none is expected (sysinfo fails only
            for a bad buffer address, which linuxsys never passes).
    """
    s = _new("struct sysinfo *")
    call(_sysinfo, "sysinfo", s)
    unit = s.mem_unit or 1
    return Sysinfo(s.uptime, tuple(v / _LOAD_SCALE for v in s.loads),
                   s.totalram * unit, s.freeram * unit, s.sharedram * unit, s.bufferram * unit,
                   s.totalswap * unit, s.freeswap * unit, s.procs,
                   s.totalhigh * unit, s.freehigh * unit)


@overload
def getrandom(n_or_buf: int,
              flags: FlagArg = 0) -> bytes: ...
@overload
def getrandom(n_or_buf: Buffer, flags: FlagArg = 0) -> int: ...


def getrandom(n_or_buf: Union[int, Buffer], flags: FlagArg = 0) -> Union[bytes, int]:
    """Up to ``n`` random bytes (at most 33554431 a call), or fill a buffer and return the
    count (man 2 getrandom; GRND flags).

    https://man7.org/linux/man-pages/man2/getrandom.2.html

    Raises:
        BlockingIOError: ``GRND.NONBLOCK`` and no random bytes are ready yet (the entropy
            pool is not initialized) (EAGAIN).
        OSError: EINVAL for unknown flags, EFAULT, the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: before Linux 3.17).
        TypeError: a buffer is read-only, an ``ffi.from_buffer`` view or other foreign
            cdata, or no bytes-like object; ``flags`` not an int, GRND member or name string
            (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: a negative ``n`` (as os.read), or an unknown flag name, before anything
            is allocated.
        OverflowError: ``n`` past what a bytes object can hold (as os.read; os.getrandom
            tries to allocate it and raises MemoryError), or ``flags`` outside 0..2**32-1,
            before anything is allocated.
    """
    if type(flags) is not int:
        flags = to_int(flags, GRND)
    try:
        pair = _copy_pop()
    except IndexError:
        pair = new_copy_buf()
    try:
        # cffi's conversions are the hot path's checks (read()'s): TypeError for a buffer,
        # OverflowError for a count outside 0..65535 or flags outside unsigned int.
        r = _getrandom16(pair[0], n_or_buf, flags)
    except (TypeError, OverflowError):
        _copy_push(pair)
        return _getrandom_other(n_or_buf, flags)
    while r < 0:
        if r != NEG_EINTR:
            _copy_push(pair)
            raise error(-r, "getrandom")
        r = _getrandom16(pair[0], n_or_buf, flags)
    data: bytes = pair[1][:r]
    _copy_push(pair)
    return data


def _getrandom_other(n_or_buf: Union[int, Buffer], flags: int) -> Union[bytes, int]:
    """getrandom() into a buffer, or of a count past the scratch buffer's."""
    f = in_range(flags, "flags", 0, U32)
    if not isinstance(n_or_buf, int):
        buf = writable(n_or_buf)
        return call_buf(_getrandom, "getrandom", buf, n_or_buf, buf, len(buf), f)
    # At most 33554431 bytes a call, the urandom limit man 2 getrandom documents (callers
    # must take a short result anyway): neither gigabytes allocated nor seconds spent.
    n = min(read_size(n_or_buf), _GETRANDOM_MAX)
    buf = alloc("char[]", n)
    out: bytes = _unpack(buf, call(_getrandom, "getrandom", buf, n, f))
    return out


def getcpu() -> tuple[int, int]:
    """The (cpu, NUMA node) this thread runs on, now (man 2 getcpu).

    https://man7.org/linux/man-pages/man2/getcpu.2.html

    Raises:
        OSError: the subclass os raises for an errno; none is expected (getcpu fails only
            for a bad address, which linuxsys never passes).
    """
    cpu, node = _new("unsigned int *"), _new("unsigned int *")
    call(_getcpu, "getcpu", cpu, node, _NULL)
    return cpu[0], node[0]


def _remote_pairs(remote_iov: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    pairs = [(operator.index(a), operator.index(n)) for a, n in remote_iov]
    for address, length in pairs:
        if not (0 <= address <= _ADDRESS_MAX and 0 <= length <= _ADDRESS_MAX):
            raise ValueError(f"remote iovec ({address:#x}, {length}) outside the address space")
    return pairs


def _own_process(pid: int) -> bool:
    """Whether ``pid`` names this process: its pid, or the tid of one of its threads
    (tgkill with signal 0 only checks that)."""
    me = getpid()
    return pid == me or _tgkill(me, pid, 0) == 0


def _process_vm(fn: Any, name: str, pid: int, local_iov: Iterable[Buffer], convert: Any,
                remote_iov: Iterable[tuple[int, int]], flags: int, writes: bool) -> int:
    """Both calls: arguments checked, then the local views made (and released before any
    error leaves, so that a caller's bytearray can grow again and a Mapping close)."""
    p = _c_int(pid, "pid")
    f = in_range(flags, "flags", 0, _ADDRESS_MAX)
    pairs = _remote_pairs(remote_iov)
    originals = list(local_iov)
    views: list[Any] = []
    try:
        for b in originals:
            views.append(convert(b))
        if writes:
            stray = [(a, n) for a, n in pairs if n and not writable_mapping_holds(a, n)]
            if stray and _own_process(p):  # (two harmless queries: getpid, tgkill)
                raise ValueError(f"process_vm_writev to this process at {stray[0][0]:#x}+"
                                 f"{stray[0][1]}: only inside a live Mapping with a writable "
                                 f"or no buffer (anywhere else it would write over the "
                                 f"interpreter)")
        liov = _new("struct iovec[]", len(views))
        for v, slot in zip(views, liov):
            slot.iov_base = v
            slot.iov_len = len(v)  # TypeError for a caller's cdata pointer
    except BaseException:
        for v, b in zip(views, originals):
            release(v, b)
        raise
    riov = _new("struct iovec[]", len(pairs))
    for (address, length), slot in zip(pairs, riov):
        slot.iov_base = _cast("void *", address)
        slot.iov_len = length
    r: int = fn(p, liov, len(views), riov, len(pairs), f)
    while r < 0:
        if r != NEG_EINTR:
            for v, b in zip(views, originals):
                release(v, b)
            raise error(-r, name)
        r = fn(p, liov, len(views), riov, len(pairs), f)
    return r


def process_vm_readv(pid: int, local_iov: Iterable[Buffer],
                     remote_iov: Iterable[tuple[int, int]], flags: int = 0) -> int:
    """Copy a process's memory, (address, length) pairs, into local writable buffers;
    returns the count (man 2 process_vm_readv).  The remote addresses are raw, but only
    read: a wrong one gives EFAULT.

    https://man7.org/linux/man-pages/man2/process_vm_readv.2.html

    Raises:
        ProcessLookupError: no process ``pid`` (ESRCH).
        PermissionError: the caller lacks ptrace attach access to ``pid`` (EPERM).
        OSError: EFAULT for a remote range not mapped there (only when nothing was copied:
            a partial copy returns its count), EINVAL for flags or more than IOV_MAX (1024)
            ranges, ENOMEM, the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: a kernel without CONFIG_CROSS_MEMORY_ATTACH).
        TypeError: a local buffer is read-only, an ``ffi.from_buffer`` view or other foreign
            cdata, or no bytes-like object; a remote pair not two ints (before any call).
        BufferError: a local buffer that is not C-contiguous (before any call).
        ValueError: a remote range outside the address space (before any call).
        OverflowError: ``pid`` past a C int, ``flags`` past an unsigned long (before any
            call).
    """
    return _process_vm(_process_vm_readv, "process_vm_readv", pid, local_iov, writable,
                       remote_iov, flags, False)


def process_vm_writev(pid: int, local_iov: Iterable[Buffer],
                      remote_iov: Iterable[tuple[int, int]], flags: int = 0) -> int:
    """Copy local buffers into a process's memory at (address, length) pairs; returns the
    count (man 2 process_vm_writev).

    UNSAFE: the remote addresses are raw.  Into another process it writes wherever told.  Into
    this very process (its pid, or a tid of one of its threads) it would overwrite the
    interpreter's own objects, so there every non-empty range must lie inside one live Mapping
    that has a writable buffer or none (asking whether ``pid`` is this process takes getpid
    and a signal-0 tgkill).

    https://man7.org/linux/man-pages/man2/process_vm_writev.2.html

    Raises:
        ProcessLookupError: no process ``pid`` (ESRCH).
        PermissionError: the caller lacks ptrace attach access to ``pid`` (EPERM).
        OSError: EFAULT for a remote range not mapped there (only when nothing was copied:
            a partial copy returns its count), EINVAL for flags or more than IOV_MAX (1024)
            ranges, ENOMEM, the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: a kernel without CONFIG_CROSS_MEMORY_ATTACH).
        TypeError: a local buffer is no bytes-like object, a remote pair not two ints
            (before any call).
        BufferError: a local buffer that is not C-contiguous (before any call).
        ValueError: a remote range outside the address space, or into this process outside
            a live Mapping with a writable buffer or none (before any call).
        OverflowError: ``pid`` past a C int, ``flags`` past an unsigned long (before any
            call).
    """
    return _process_vm(_process_vm_writev, "process_vm_writev", pid, local_iov, view,
                       remote_iov, flags, True)


methods(execveat, pidfd_send_signal)

__all__ = ["getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid",
           "clone", "clone3", "execve", "execveat", "exit_group",
           "wait4", "waitid", "Rusage", "WaitidResult",
           "WIFEXITED", "WEXITSTATUS", "WIFSIGNALED", "WTERMSIG", "WIFSTOPPED", "WSTOPSIG",
           "WCOREDUMP", "WIFCONTINUED", "pidfd_send_signal",
           "prlimit", "getrlimit", "setrlimit", "RLIM_INFINITY", "getrusage", "getpriority",
           "uname", "Uname", "sysinfo", "Sysinfo", "getrandom", "getcpu",
           "process_vm_readv", "process_vm_writev", "kcmp", "KcmpResult"]
__all__ += _sys_process.__all__
