"""security: prctl (man 2 prctl), capabilities (man 2 capget, man 7 capabilities) and LSM
attributes (man 2 lsm_get_self_attr, Linux 6.8).

``prctl(option, arg2=0, arg3=0, arg4=0, arg5=0)`` is the raw call: a ``PR`` option (member,
int or name such as ``"get_dumpable"``), unsigned long arguments, the result as an int.  The
``pr_*`` functions name what people use: the thread name, ``no_new_privs``, the parent-death
signal, dumpable, child subreaper, keepcaps, securebits (``SECBIT``), ambient capabilities
(``PR_CAP_AMBIENT_OP``), the bounding set, timer slack, THP disable, the seccomp mode and
speculation control (``PR_SPEC_WHICH``, ``PR_SPEC``).  Each acts on the calling thread (or
process) and most for good: a program that only wants to look runs them in a child.

``PR_SET_MM`` has no helper on purpose: it rewrites the fields the kernel keeps about the
process's memory layout (code, data, brk, stack, argv/environ areas, auxv, the exe file) --
the interpreter's own allocator and ``/proc/self`` readers then see a layout that is no longer
true, and a wrong value corrupts the process; it also needs CAP_SYS_RESOURCE and is meant for
checkpoint/restore tools.  ``prctl(PR.SET_MM, ...)`` remains for those.

Capabilities are sets of ``CAP`` members (a bit the running kernel knows but these headers do
not stays a plain int): ``capget(pid=0) -> Caps`` and ``capset(caps)`` use the 64-bit
``_LINUX_CAPABILITY_VERSION_3`` form.  A capability argument is a ``CAP`` member, an int
0..63, or a name (``"net_admin"``, ``"CAP_NET_ADMIN"``).

The LSM calls (``lsm_list_modules``, ``lsm_get_self_attr``, ``lsm_set_self_attr``) raise
``UnsupportedError`` before Linux 6.8.
"""
from __future__ import annotations

import os
from typing import Any, Iterable, NamedTuple, Optional, Union

from ._core import NEG_EINTR, call, decode, error, ffi, lib, path as _path
from .flags import FlagArg, to_int
from .process import _signal_or_zero
from .signal import SignalArg, _SIG_MEMBERS
from . import _sys_security
from ._sys_security import *  # noqa: F401,F403  (prctl: cdefs/security.h)

from ._consts import PR_SPEC, PR_SPEC_WHICH, SECBIT, CAP, LSM_ID, LSM_ATTR, LSM_FLAG

_prctl = lib.ls_prctl
_prctl_str = lib.ls_prctl_str
_prctl_out = lib.ls_prctl_out
_capget = lib.ls_capget
_capset = lib.ls_capset
_lsm_list_modules = lib.ls_lsm_list_modules
_lsm_get_self_attr = lib.ls_lsm_get_self_attr
_lsm_set_self_attr = lib.ls_lsm_set_self_attr

_new = ffi.new
_NEG_E2BIG = -lib.E2BIG
_ULONG_MAX = (1 << (8 * ffi.sizeof("unsigned long"))) - 1
_TASK_COMM_LEN = 16  # the kernel's comm buffer, NUL included
_CAP_BITS = 64  # _LINUX_CAPABILITY_U32S_3 words of 32 bits
_CAP_VERSION = lib._LINUX_CAPABILITY_VERSION_3
_CAP_WORDS = lib._LINUX_CAPABILITY_U32S_3
_LSM_CTX = ffi.sizeof("struct lsm_ctx")  # the header before each context's bytes
_CAPS = {int(c): c for c in CAP}
_LSM_IDS = {int(m): m for m in LSM_ID}


# ---- prctl helpers ----------------------------------------------------------------------------

def _flag(value: Any, what: str) -> int:
    """A yes/no argument (bool or 0/1) as the kernel's 0 or 1."""
    if value is True or value is False or (type(value) is int and value in (0, 1)):
        return int(value)
    raise (TypeError if not isinstance(value, int) else ValueError)(
        f"{what} must be a bool (or 0/1), not {value!r}")


def pr_set_no_new_privs() -> None:
    """Set this thread's no_new_privs bit, for good (man 2 prctl, PR_SET_NO_NEW_PRIVS): execve
    grants no privilege any more (set-user-ID bits, file capabilities), and an unprivileged
    thread may load a seccomp filter.  Inherited by children and across execve; it cannot be
    unset.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: EINVAL before Linux 3.5, the subclass os raises for any other errno.
    """
    call(_prctl, "prctl", lib.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def pr_get_no_new_privs() -> bool:
    """Whether this thread's no_new_privs bit is set (man 2 prctl, PR_GET_NO_NEW_PRIVS).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: EINVAL before Linux 3.5, the subclass os raises for any other errno.
    """
    return bool(call(_prctl, "prctl", lib.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0))


def pr_set_name(name: Union[str, bytes]) -> None:
    """Set this thread's name, ``/proc/self/task/TID/comm`` (``/proc/self/comm`` for the main
    thread) (man 2 prctl, PR_SET_NAME).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    The kernel keeps 15 bytes and silently cuts a longer name (maybe inside a UTF-8
    character); here a name over 15 bytes (once encoded as the file system encoding) raises
    ValueError instead, as pthread_setname_np refuses it (ERANGE): cut it yourself
    (``name.encode()[:15]``).

    Raises:
        ValueError: a name over 15 bytes once encoded, or with a NUL byte (before any call).
        TypeError: ``name`` is neither str nor bytes (before any call).
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    if not isinstance(name, (str, bytes)):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"pr_set_name: name must be str or bytes, not {type(name).__name__}")
    b = _path(name)
    if len(b) >= _TASK_COMM_LEN:
        raise ValueError(f"pr_set_name: a thread name is at most {_TASK_COMM_LEN - 1} bytes, "
                         f"not {len(b)}")
    call(_prctl_str, "prctl", lib.PR_SET_NAME, b, 0, 0, 0)


def pr_get_name() -> str:
    """This thread's name (man 2 prctl, PR_GET_NAME), decoded as file names are.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    buf = _new("char[]", _TASK_COMM_LEN)
    call(_prctl_out, "prctl", lib.PR_GET_NAME, buf, 0, 0, 0)
    return decode(ffi.string(buf))


def pr_set_pdeathsig(sig: SignalArg) -> None:
    """The signal this thread gets when its parent thread dies (man 2 prctl, PR_SET_PDEATHSIG):
    a signal (int, ``SIG`` member, ``signal.Signals``, name), 0 to clear it.  Cleared in a
    child of fork and by execve of a set-user-ID or capability-granting file.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        ValueError: a number outside 0..SIGRTMAX or an unknown signal name (before any call).
        TypeError: ``sig`` is not an int, a signal member or a name (before any call).
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    call(_prctl, "prctl", lib.PR_SET_PDEATHSIG, _signal_or_zero(sig), 0, 0, 0)


def pr_get_pdeathsig() -> int:
    """The parent-death signal (man 2 prctl, PR_GET_PDEATHSIG): a ``SIG`` member, a plain int
    for a real-time signal, 0 when none is set.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    out = _new("int *")
    call(_prctl_out, "prctl", lib.PR_GET_PDEATHSIG, out, 0, 0, 0)
    return _signal(out[0])


def _signal(n: int) -> int:
    return _SIG_MEMBERS.get(n, n)  # 0 (none) and real-time signals stay ints


def pr_set_dumpable(dumpable: bool) -> None:
    """Whether this process may dump core and be ptrace-attached by its owner, and whether
    its /proc/PID files are owned by it rather than root (man 2 prctl, PR_SET_DUMPABLE).
    Reset by execve of a set-user-ID file and by credential changes.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        TypeError: ``dumpable`` is not a bool or an int (before any call).
        ValueError: ``dumpable`` is an int other than 0 and 1 (before any call).
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    call(_prctl, "prctl", lib.PR_SET_DUMPABLE, _flag(dumpable, "dumpable"), 0, 0, 0)


def pr_get_dumpable() -> int:
    """The dumpable state (man 2 prctl, PR_GET_DUMPABLE): 0 (no), 1 (yes) or 2 (root-only
    dumps, after a set-user-ID execve under ``fs.suid_dumpable=2``).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    return call(_prctl, "prctl", lib.PR_GET_DUMPABLE, 0, 0, 0, 0)


def pr_set_child_subreaper(enable: bool = True) -> None:
    """Make this process a subreaper (man 2 prctl, PR_SET_CHILD_SUBREAPER): orphaned
    descendants are reparented to it, not to init, and it waits for them.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        TypeError: ``enable`` is not a bool or an int (before any call).
        ValueError: ``enable`` is an int other than 0 and 1 (before any call).
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    call(_prctl, "prctl", lib.PR_SET_CHILD_SUBREAPER, _flag(enable, "enable"), 0, 0, 0)


def pr_get_child_subreaper() -> bool:
    """Whether this process is a subreaper (man 2 prctl, PR_GET_CHILD_SUBREAPER).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    out = _new("int *")
    call(_prctl_out, "prctl", lib.PR_GET_CHILD_SUBREAPER, out, 0, 0, 0)
    return bool(out[0])


def pr_set_keepcaps(keep: bool) -> None:
    """Whether this thread keeps its permitted capabilities when all its uids become nonzero
    (man 2 prctl, PR_SET_KEEPCAPS; the effective set is cleared anyway).  Cleared by execve.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        PermissionError: SECBIT.KEEP_CAPS_LOCKED is set (EPERM).
        TypeError: ``keep`` is not a bool or an int (before any call).
        ValueError: ``keep`` is an int other than 0 and 1 (before any call).
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    call(_prctl, "prctl", lib.PR_SET_KEEPCAPS, _flag(keep, "keep"), 0, 0, 0)


def pr_get_keepcaps() -> bool:
    """This thread's keep-capabilities flag (man 2 prctl, PR_GET_KEEPCAPS).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    return bool(call(_prctl, "prctl", lib.PR_GET_KEEPCAPS, 0, 0, 0, 0))


def pr_set_securebits(bits: FlagArg) -> None:
    """Set this thread's securebits (``SECBIT`` flags; man 2 prctl, PR_SET_SECUREBITS; man 7
    capabilities): the whole set, so read-modify-write with pr_get_securebits.  Needs
    CAP_SETPCAP; a ``*_LOCKED`` bit can never be cleared.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        PermissionError: without CAP_SETPCAP, or to clear a locked bit or set one its lock
            forbids (EPERM).
        OSError: EINVAL for a bit the kernel does not know, the subclass os raises for any
            other errno.
        TypeError: ``bits`` is not an int, SECBIT member or name string (before any call).
        ValueError: an unknown SECBIT name (before any call).
    """
    n = bits if type(bits) is int else to_int(bits, SECBIT)
    call(_prctl, "prctl", lib.PR_SET_SECUREBITS, n, 0, 0, 0)


def pr_get_securebits() -> int:
    """This thread's securebits as ``SECBIT`` flags (man 2 prctl, PR_GET_SECUREBITS).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    return SECBIT(call(_prctl, "prctl", lib.PR_GET_SECUREBITS, 0, 0, 0, 0))


def _cap(cap: Any) -> int:
    """A capability number 0..63 from a CAP member, an int or a name ("net_admin")."""
    if isinstance(cap, str):
        name = cap.strip().upper()
        member = CAP.__members__.get(name[4:] if name.startswith("CAP_") else name)
        if member is None:  # (not "or": CAP.CHOWN is 0)
            raise ValueError(f"unknown capability {cap!r}")
        return int(member)
    if type(cap) is bool or not isinstance(cap, int):
        raise TypeError(f"a capability is a CAP member, an int or a name, not "
                        f"{type(cap).__name__!r}")
    n = to_int(cap, CAP)  # TypeError for another linuxsys namespace's member
    if not 0 <= n < _CAP_BITS:
        raise ValueError(f"capability {n} outside 0..{_CAP_BITS - 1}")
    return n


def pr_cap_ambient_raise(cap: Union[int, str]) -> None:
    """Add a capability to this thread's ambient set (man 2 prctl, PR_CAP_AMBIENT_RAISE): kept
    across execve of an unprivileged program, into its permitted and effective sets.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        PermissionError: ``cap`` is not both permitted and inheritable, or
            SECBIT.NO_CAP_AMBIENT_RAISE is set (EPERM).
        OSError: EINVAL for a number the kernel lacks (or before Linux 4.3), the subclass os
            raises for any other errno.
        TypeError: ``cap`` is not a CAP member, an int or a name, or a member of another
            namespace (before any call).
        ValueError: an unknown capability name, or a number outside 0..63 (before any call).
    """
    call(_prctl, "prctl", lib.PR_CAP_AMBIENT, lib.PR_CAP_AMBIENT_RAISE, _cap(cap), 0, 0)


def pr_cap_ambient_lower(cap: Union[int, str]) -> None:
    """Remove a capability from this thread's ambient set (man 2 prctl, PR_CAP_AMBIENT_LOWER).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: EINVAL for a number the kernel lacks (or before Linux 4.3), the subclass os
            raises for any other errno.
        TypeError: ``cap`` is not a CAP member, an int or a name, or a member of another
            namespace (before any call).
        ValueError: an unknown capability name, or a number outside 0..63 (before any call).
    """
    call(_prctl, "prctl", lib.PR_CAP_AMBIENT, lib.PR_CAP_AMBIENT_LOWER, _cap(cap), 0, 0)


def pr_cap_ambient_is_set(cap: Union[int, str]) -> bool:
    """Whether a capability is in this thread's ambient set (man 2 prctl,
    PR_CAP_AMBIENT_IS_SET).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: EINVAL for a number the kernel lacks (or before Linux 4.3), the subclass os
            raises for any other errno.
        TypeError: ``cap`` is not a CAP member, an int or a name, or a member of another
            namespace (before any call).
        ValueError: an unknown capability name, or a number outside 0..63 (before any call).
    """
    return bool(call(_prctl, "prctl", lib.PR_CAP_AMBIENT, lib.PR_CAP_AMBIENT_IS_SET, _cap(cap),
                     0, 0))


def pr_cap_ambient_clear_all() -> None:
    """Empty this thread's ambient set (man 2 prctl, PR_CAP_AMBIENT_CLEAR_ALL).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: EINVAL before Linux 4.3, the subclass os raises for any other errno.
    """
    call(_prctl, "prctl", lib.PR_CAP_AMBIENT, lib.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)


def pr_capbset_read(cap: Union[int, str]) -> bool:
    """Whether a capability is in this thread's bounding set (man 2 prctl, PR_CAPBSET_READ).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: EINVAL for a number the kernel lacks, the subclass os raises for any other
            errno.
        TypeError: ``cap`` is not a CAP member, an int or a name, or a member of another
            namespace (before any call).
        ValueError: an unknown capability name, or a number outside 0..63 (before any call).
    """
    return bool(call(_prctl, "prctl", lib.PR_CAPBSET_READ, _cap(cap), 0, 0, 0))


def pr_capbset_drop(cap: Union[int, str]) -> None:
    """Drop a capability from this thread's bounding set, for good (man 2 prctl,
    PR_CAPBSET_DROP): no execve can grant it again, nor capset make it inheritable.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        PermissionError: without CAP_SETPCAP (EPERM).
        OSError: EINVAL for a number the kernel lacks, the subclass os raises for any other
            errno.
        TypeError: ``cap`` is not a CAP member, an int or a name, or a member of another
            namespace (before any call).
        ValueError: an unknown capability name, or a number outside 0..63 (before any call).
    """
    call(_prctl, "prctl", lib.PR_CAPBSET_DROP, _cap(cap), 0, 0, 0)


def pr_set_timerslack(slack_ns: int) -> None:
    """This thread's timer slack in ns, how late the kernel may fire its timers to batch
    wakeups (man 2 prctl, PR_SET_TIMERSLACK); 0 restores the default (the value inherited at
    fork).  Ignored for real-time threads.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        TypeError: ``slack_ns`` is not an int (before any call).
        OverflowError: ``slack_ns`` outside an unsigned long (before any call).
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    if type(slack_ns) is bool or not isinstance(slack_ns, int):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"slack_ns must be an int, not {type(slack_ns).__name__}")
    if not 0 <= slack_ns <= _ULONG_MAX:
        raise OverflowError(f"slack_ns must be in 0..{_ULONG_MAX}, not {slack_ns}")
    call(_prctl, "prctl", lib.PR_SET_TIMERSLACK, int(slack_ns), 0, 0, 0)


def pr_get_timerslack() -> int:
    """This thread's timer slack in ns (man 2 prctl, PR_GET_TIMERSLACK).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).
    """
    return call(_prctl, "prctl", lib.PR_GET_TIMERSLACK, 0, 0, 0, 0)


def pr_set_thp_disable(disable: bool) -> None:
    """Disable (or allow again) transparent huge pages for this process and its children
    (man 2 prctl, PR_SET_THP_DISABLE); inherited across fork and execve.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        TypeError: ``disable`` is not a bool or an int (before any call).
        ValueError: ``disable`` is an int other than 0 and 1 (before any call).
        OSError: EINVAL before Linux 3.15, the subclass os raises for any other
            errno.
    """
    call(_prctl, "prctl", lib.PR_SET_THP_DISABLE, _flag(disable, "disable"), 0, 0, 0)


def pr_get_thp_disable() -> bool:
    """Whether transparent huge pages are disabled for this process (man 2 prctl,
    PR_GET_THP_DISABLE; Linux 6.18's "except advised" mode reads as True too).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: EINVAL before Linux 3.15, the subclass os raises for any other errno.
    """
    return bool(call(_prctl, "prctl", lib.PR_GET_THP_DISABLE, 0, 0, 0, 0))


def pr_get_seccomp() -> int:
    """This thread's seccomp mode (man 2 prctl, PR_GET_SECCOMP): 0 none, 2 filter.  In strict
    mode (1) the call itself is not allowed: the kernel kills the thread (SIGKILL).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: EINVAL for a kernel without CONFIG_SECCOMP, the subclass os raises for any
            other errno.
    """
    return call(_prctl, "prctl", lib.PR_GET_SECCOMP, 0, 0, 0, 0)


def pr_get_speculation_ctrl(which: FlagArg) -> int:
    """The state of a speculation misfeature (``PR_SPEC_WHICH``: STORE_BYPASS,
    INDIRECT_BRANCH, L1D_FLUSH) for this thread, as ``PR_SPEC`` flags (man 2 prctl,
    PR_GET_SPECULATION_CTRL): NOT_AFFECTED (0), or PRCTL (settable) with ENABLE, DISABLE,
    FORCE_DISABLE or DISABLE_NOEXEC.

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        OSError: ENODEV for a misfeature the kernel does not control here, EINVAL for an
            unknown one, the subclass os raises for any other errno.
        TypeError: ``which`` is not an int, PR_SPEC_WHICH member or name string (before any
            call).
        ValueError: an unknown PR_SPEC_WHICH name (before any call).
    """
    w = which if type(which) is int else to_int(which, PR_SPEC_WHICH)
    return PR_SPEC(call(_prctl, "prctl", lib.PR_GET_SPECULATION_CTRL, w, 0, 0, 0))


def pr_set_speculation_ctrl(which: FlagArg, value: FlagArg) -> None:
    """Set the state of a speculation misfeature for this thread (man 2 prctl,
    PR_SET_SPECULATION_CTRL): ``which`` a ``PR_SPEC_WHICH``, ``value`` one of ``PR_SPEC``
    ENABLE, DISABLE, FORCE_DISABLE (for good) or DISABLE_NOEXEC (until execve).

    https://man7.org/linux/man-pages/man2/prctl.2.html

    Raises:
        PermissionError: to enable after FORCE_DISABLE (EPERM).
        OSError: ENXIO when the kernel's mitigation mode does not allow the per-thread control,
            ERANGE for a bad value, ENODEV for a misfeature the kernel does not control, EINVAL
            for an unknown one, the subclass os raises for any other errno.
        TypeError: ``which``/``value`` is not an int, member or name string (before any call).
        ValueError: an unknown PR_SPEC_WHICH or PR_SPEC name (before any call).
    """
    w = which if type(which) is int else to_int(which, PR_SPEC_WHICH)
    v = value if type(value) is int else to_int(value, PR_SPEC)
    call(_prctl, "prctl", lib.PR_SET_SPECULATION_CTRL, w, v, 0, 0)


# ---- capabilities -----------------------------------------------------------------------------

class Caps(NamedTuple):
    """A thread's capability sets (man 7 capabilities): frozensets of ``CAP`` members (a plain
    int for a capability these headers do not name)."""
    effective: frozenset[Union[CAP, int]]
    permitted: frozenset[Union[CAP, int]]
    inheritable: frozenset[Union[CAP, int]]


def _set_of(lo: int, hi: int) -> frozenset[Union[CAP, int]]:
    bits = lo | hi << 32
    return frozenset(_CAPS.get(i, i) for i in range(_CAP_BITS) if bits >> i & 1)


def _bits_of(caps: Iterable[Any], what: str) -> int:
    if isinstance(caps, (str, bytes)):
        raise TypeError(f"capset: {what} is a set of capabilities, not a single "
                        f"{type(caps).__name__}")
    bits = 0
    for c in caps:
        bits |= 1 << _cap(c)
    return bits


def _header(pid: int) -> Any:
    if type(pid) is bool or not isinstance(pid, int):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"pid must be an int, not {type(pid).__name__}")
    return _new("struct __user_cap_header_struct *", {"version": _CAP_VERSION, "pid": pid})


def capget(pid: int = 0) -> Caps:
    """The capability sets of thread ``pid`` (0: the calling thread) (man 2 capget).

    https://man7.org/linux/man-pages/man2/capget.2.html

    Raises:
        ProcessLookupError: no such thread (ESRCH).
        OSError: EINVAL for a negative pid, the subclass os raises for any other errno.
        TypeError: ``pid`` is not an int (before any call).
        OverflowError: ``pid`` beyond a C int (before any call).
    """
    hdr = _header(pid)
    data = _new("struct __user_cap_data_struct[]", _CAP_WORDS)
    call(_capget, "capget", hdr, data)
    lo, hi = data[0], data[1]
    return Caps(_set_of(lo.effective, hi.effective), _set_of(lo.permitted, hi.permitted),
                _set_of(lo.inheritable, hi.inheritable))


def capset(caps: Any, pid: int = 0) -> None:
    """Set the calling thread's capability sets (man 2 capset): ``caps`` is a ``Caps`` or any
    object with ``effective``, ``permitted`` and ``inheritable`` iterables of capabilities
    (``CAP`` members, ints 0..63, names such as ``"net_admin"``).  ``pid`` may only be 0 or
    the caller's own tid.

    https://man7.org/linux/man-pages/man2/capget.2.html

    Raises:
        PermissionError: permitted grows, effective leaves permitted, or inheritable leaves
            (inheritable | permitted) without CAP_SETPCAP, or leaves (inheritable | bounding
            set) at all; also for another thread's ``pid`` (EPERM).
        OSError: the subclass os raises for any other errno.
        TypeError: ``caps`` lacks one of the three sets, a set is a str/bytes or no iterable, a
            capability is not a CAP member, an int or a name, or ``pid`` is not an int
            (everything is checked before any call).
        ValueError: an unknown capability name, or a number over 63 (before any call).
        OverflowError: ``pid`` beyond a C int (before any call).
    """
    sets: list[int] = []
    for what in ("effective", "permitted", "inheritable"):
        try:
            value = getattr(caps, what)
        except AttributeError:
            raise TypeError(f"capset: caps needs an {what} attribute (a Caps), not "
                            f"{type(caps).__name__}") from None
        sets.append(_bits_of(value, what))
    hdr = _header(pid)
    eff, prm, inh = sets
    data = _new("struct __user_cap_data_struct[]", [
        {"effective": eff & 0xFFFFFFFF, "permitted": prm & 0xFFFFFFFF,
         "inheritable": inh & 0xFFFFFFFF},
        {"effective": eff >> 32, "permitted": prm >> 32, "inheritable": inh >> 32}])
    call(_capset, "capset", hdr, data)


# ---- LSM --------------------------------------------------------------------------------------

class LsmCtx(NamedTuple):
    """One LSM's answer in lsm_get_self_attr (the kernel's struct lsm_ctx): the module's
    ``LSM_ID`` (a plain int if these headers do not name it), its flags, the context bytes as
    the module gives them (often a NUL-terminated string)."""
    id: int
    flags: int
    ctx: bytes


def _lsm_id(n: int) -> int:
    return _LSM_IDS.get(n, n)


def lsm_list_modules() -> list[int]:
    """The LSMs active in this kernel, in the order they are called, as ``LSM_ID`` members (a
    plain int for one these headers do not name) (man 2 lsm_list_modules, Linux 6.8).

    https://man7.org/linux/man-pages/man2/syscalls.2.html

    The LSM calls have no man page of their own yet: syscalls(2) lists them, the kernel's
    Documentation/userspace-api/lsm.rst describes them.

    Raises:
        UnsupportedError: before Linux 6.8 (ENOSYS).
        OSError: the subclass os raises for any other errno.
    """
    size = _new("uint32_t *", 16 * 8)
    while True:
        ids = _new("uint64_t[]", size[0] // 8)
        r = _lsm_list_modules(ids, size, 0)
        if r >= 0:
            return [_lsm_id(ids[i]) for i in range(r)]
        if r != _NEG_E2BIG or size[0] <= 8 * len(ids):  # E2BIG: *size says what it needs
            raise error(-r, "lsm_list_modules")


def lsm_get_self_attr(attr: FlagArg, flags: FlagArg = 0,
                      id: Optional[Union[int, str]] = None) -> list[LsmCtx]:
    """Attribute ``attr`` (``LSM_ATTR``: CURRENT, EXEC, FSCREATE, KEYCREATE, PREV,
    SOCKCREATE) of the calling thread from every LSM that has it (man 2 lsm_get_self_attr,
    Linux 6.8), or with ``flags=LSM_FLAG.SINGLE`` from LSM ``id`` (an ``LSM_ID``) alone.

    https://man7.org/linux/man-pages/man2/syscalls.2.html

    The buffer is sized from the kernel's answer (E2BIG tells how much it needs).  No man
    page of its own yet: syscalls(2) lists it, the kernel's
    Documentation/userspace-api/lsm.rst describes it.

    Raises:
        UnsupportedError: before Linux 6.8 (ENOSYS).
        OSError: EOPNOTSUPP when no active LSM has the attribute, EINVAL for unknown flags or
            an LSM that is not active, the subclass os raises for any other errno.
        ValueError: SINGLE without ``id`` (or ``id`` without SINGLE), or an unknown name
            (before any call).
        TypeError: ``attr``, ``flags`` or ``id`` is not an int, member or name string (before
            any call).
    """
    a = attr if type(attr) is int else to_int(attr, LSM_ATTR)
    f = flags if type(flags) is int else to_int(flags, LSM_FLAG)
    single = f & lib.LSM_FLAG_SINGLE
    if single and id is None:
        raise ValueError("lsm_get_self_attr: LSM_FLAG.SINGLE needs the LSM's id")
    if id is not None and not single:
        raise ValueError("lsm_get_self_attr: an id is used with LSM_FLAG.SINGLE only")
    lsm = 0 if id is None else (id if type(id) is int else to_int(id, LSM_ID))
    size = _new("uint32_t *", 256)
    while True:
        buf = _new("char[]", size[0])
        ctx = ffi.cast("struct lsm_ctx *", buf)
        ctx.id = lsm  # read by the kernel with SINGLE only
        r = _lsm_get_self_attr(a, ctx, size, f)
        if r >= 0:
            return _lsm_ctxs(buf, size[0], r)
        if r == NEG_EINTR:
            continue
        if r != _NEG_E2BIG or size[0] <= len(buf):  # E2BIG: *size says what it needs
            raise error(-r, "lsm_get_self_attr")


def _lsm_ctxs(buf: Any, total: int, count: int) -> list[LsmCtx]:
    out: list[LsmCtx] = []
    offset = 0
    for _ in range(count):
        if offset + _LSM_CTX > total:
            break
        c = ffi.cast("struct lsm_ctx *", buf + offset)
        n = min(c.ctx_len, total - offset - _LSM_CTX)
        out.append(LsmCtx(_lsm_id(c.id), c.flags, ffi.unpack(buf + offset + _LSM_CTX, n)))
        if c.len < _LSM_CTX:  # a malformed entry: nothing after it can be trusted
            break
        offset += c.len
    return out


def lsm_set_self_attr(attr: FlagArg, ctx: Union[str, bytes, bytearray, memoryview],
                      id: Union[int, str],
                      flags: FlagArg = 0) -> None:
    """Set attribute ``attr`` (``LSM_ATTR``) of the calling thread in LSM ``id`` (an
    ``LSM_ID``) to ``ctx`` (bytes-like; a str is encoded as file names are) (man 2
    lsm_set_self_attr, Linux 6.8).  ``flags`` must be 0 today.

    https://man7.org/linux/man-pages/man2/syscalls.2.html

    No man page of its own yet: syscalls(2) lists it, the kernel's
    Documentation/userspace-api/lsm.rst describes it.

    Raises:
        UnsupportedError: before Linux 6.8 (ENOSYS).
        PermissionError: the module forbids the change (EPERM, EACCES).
        OSError: EOPNOTSUPP when that LSM is not active or lacks the attribute, EINVAL for bad
            flags or a context the module refuses, the subclass os raises for any other errno.
        TypeError: ``ctx`` is no bytes-like object or str, or ``attr``, ``flags`` or ``id`` not
            an int, member or name string (before any call).
        ValueError: an unknown name (before any call).
    """
    a = attr if type(attr) is int else to_int(attr, LSM_ATTR)
    f = flags if type(flags) is int else to_int(flags, LSM_FLAG)
    lsm = id if type(id) is int else to_int(id, LSM_ID)
    if isinstance(ctx, str):
        data = os.fsencode(ctx)
    else:
        with memoryview(ctx) as m:  # TypeError for a non-buffer; a copy: no view outlives this
            data = m.tobytes()
    total = _LSM_CTX + len(data)
    buf = _new("char[]", total)
    c = ffi.cast("struct lsm_ctx *", buf)
    c.id = lsm
    c.flags = 0
    c.len = total
    c.ctx_len = len(data)
    ffi.memmove(buf + _LSM_CTX, data, len(data))
    call(_lsm_set_self_attr, "lsm_set_self_attr", a, c, total, f)


__all__ = ["pr_set_no_new_privs", "pr_get_no_new_privs", "pr_set_name", "pr_get_name",
           "pr_set_pdeathsig", "pr_get_pdeathsig", "pr_set_dumpable", "pr_get_dumpable",
           "pr_set_child_subreaper", "pr_get_child_subreaper", "pr_set_keepcaps",
           "pr_get_keepcaps", "pr_set_securebits", "pr_get_securebits", "pr_cap_ambient_raise",
           "pr_cap_ambient_lower", "pr_cap_ambient_is_set", "pr_cap_ambient_clear_all",
           "pr_capbset_read", "pr_capbset_drop", "pr_set_timerslack", "pr_get_timerslack",
           "pr_set_thp_disable", "pr_get_thp_disable", "pr_get_seccomp",
           "pr_get_speculation_ctrl", "pr_set_speculation_ctrl", "Caps", "capget", "capset",
           "LsmCtx", "lsm_list_modules", "lsm_get_self_attr",
           "lsm_set_self_attr"]
__all__ += _sys_security.__all__
