"""signal: signal masks, waiting for signals, queueing them with data, signalfd (man 7 signal).

Signal sets cross into C as one int bit mask, bit n-1 for signal n: the kernel's 64-bit
sigset (never glibc's 128-byte sigset_t).  Functions take any iterable of signals (ints, SIG
members, names such as "SIGUSR1" or "usr1") and return sets of SIG members (plain ints for
real-time signals).  Signal numbers outside 1..SIGRTMAX raise ValueError before any syscall.

A received signal is described by a ``Siginfo``, whichever way it was taken (sigtimedwait or
a signalfd): the C helpers flatten the kernel's siginfo union by the signal's layout (chosen by
``si_code``), and fields outside that layout are 0, as in the kernel's signalfd records.

Deliberately left out:

* ``rt_sigaction`` (sigaction): installing kernel-level handlers behind the interpreter's back
  breaks Python's own signal handling (its C handler, its wakeup fd, ``signal.getsignal``).
  Use Python's ``signal.signal``; rustix leaves such libc-conflicting calls out likewise (see
  its ``not_implemented`` list).
* ``sigaltstack`` and ``rt_sigreturn``: they belong to the handler machinery the interpreter
  and the C library own; there is nothing a Python caller can safely do with them.
* ``kill``, ``tgkill``, ``tkill``, ``pidfd_send_signal``: the process family's.

The mask calls act on the calling thread, like ``signal.pthread_sigmask``: block a signal in
every thread that must not take it (or before starting threads), or the kernel delivers it to
a thread that has it unblocked.

``signalfd_read`` on a nonblocking signalfd with nothing pending raises ``BlockingIOError``
(EAGAIN), as ``os.read`` does and every event-record reader of linuxsys does; it refuses any
other kind of fd (OSError EINVAL) before reading, so a pipe's data is never eaten.
"""
from __future__ import annotations

import math
import operator
from time import monotonic_ns
from typing import Any, Iterable, NamedTuple, Optional, Union, cast

from ._core import NEG_EINTR, call, error, ffi, lib
from .fd import Fd, FdArg, fdnum, fdnum_of_kind, methods
from .flags import FlagArg, to_int

from ._consts import SIG, SIG_HOW, SFD
SIGRTMIN = lib.LS_SIGRTMIN
SIGRTMAX = lib.LS_SIGRTMAX

SignalArg = Union[int, str]

_rt_sigprocmask = lib.ls_rt_sigprocmask
_rt_sigpending = lib.ls_rt_sigpending
_rt_sigsuspend = lib.ls_rt_sigsuspend
_rt_sigtimedwait = lib.ls_rt_sigtimedwait
_signalfd4 = lib.ls_signalfd4
_signalfd_read = lib.ls_signalfd_read

_SIGSET_SIZE = lib.LS_SIGSET_SIZE
_SI_COUNT = lib.LS_SI_COUNT
_SFD_CLOEXEC = lib.SFD_CLOEXEC
_NEG_EAGAIN = -lib.EAGAIN
_SFD_CHUNK = 64  # records a signalfd_read call takes per helper call (its buffer's size)
_NULL = ffi.NULL
_new = ffi.new
_unpack = ffi.unpack
_NS = 10**9
_NS_MAX = 2**63 - 1
# number -> its canonical SIG member (the Enum's own map, typed: typeshed says dict[Any, Enum])
_SIG_MEMBERS = cast("dict[int, SIG]", SIG._value2member_map_)


def signum(sig: SignalArg) -> int:
    """A signal number from an int, a SIG member (``SIG.TERM``, alias ``SIG.SIGTERM``),
    Python's ``signal.SIGTERM``, or a name ("SIGTERM", "term").

    https://man7.org/linux/man-pages/man7/signal.7.html

    Raises:
        TypeError: ``sig`` is neither an int nor a str, or a member of another linuxsys
            namespace.
        ValueError: an unknown signal name, or a number outside 1..SIGRTMAX.
    """
    if isinstance(sig, int):
        n = to_int(sig, SIG)
    elif isinstance(sig, str):  # pyright: ignore[reportUnnecessaryIsInstance]: untyped callers
        name = sig.strip().upper()
        member = SIG.__members__.get(name) or SIG.__members__.get("SIG" + name)
        if member is None:
            raise ValueError(f"unknown signal {sig!r}")
        n = int(member)
    else:
        raise TypeError(f"a signal is an int or a name, not {type(sig).__name__!r}")
    if not 1 <= n <= SIGRTMAX:
        raise ValueError(f"signal number {n} outside 1..{SIGRTMAX}")
    return n


def sigmask(signals: Iterable[SignalArg]) -> int:
    """The kernel sigset bit mask of some signals (the set sigaddset builds, as one int).

    https://man7.org/linux/man-pages/man3/sigsetops.3.html

    Raises:
        TypeError: ``signals`` is a single str or int rather than an iterable of signals, or
            holds an item that is neither an int nor a str (as signum).
        ValueError: an unknown signal name, or a number outside 1..SIGRTMAX (as signum).
    """
    if isinstance(signals, (str, int)):
        raise TypeError("a signal set is an iterable of signals")
    mask = 0
    for s in signals:
        mask |= 1 << (signum(s) - 1)
    return mask


def signals_of(mask: int) -> set[SIG | int]:
    """The signals in a kernel sigset bit mask, as SIG members (``SIG.USR1``; plain ints for
    real-time ones).

    https://man7.org/linux/man-pages/man3/sigsetops.3.html

    Raises:
        TypeError: ``mask`` is not an int.
    """
    members = _SIG_MEMBERS
    return {members.get(n, n) for n in range(1, SIGRTMAX + 1) if mask >> (n - 1) & 1}


def _sigset(signals: Iterable[SignalArg]) -> Any:
    return _new("uint64_t *", sigmask(signals))


class Siginfo(NamedTuple):
    """One received signal (man 2 rt_sigqueueinfo, man 2 signalfd): the kernel's siginfo.

    Fields outside the signal's layout are 0.  The layouts: ``si_pid``, ``si_uid`` for a
    signal a process sent, with ``si_value`` if it was queued with data (si_code < 0);
    ``si_pid``, ``si_uid``, ``si_status``, ``si_utime``, ``si_stime`` for SIGCHLD; ``si_addr``
    for faults; ``si_band``, ``si_fd`` for I/O readiness; ``si_timerid``, ``si_overrun``,
    ``si_value`` for POSIX timers; ``si_call_addr``, ``si_syscall``, ``si_arch`` for seccomp's
    SIGSYS.  ``si_value`` is the sigval as a signed pointer-sized int; addresses are unsigned.
    The fields are in the order of the C helpers' slots (LS_SI_*).
    """
    si_signo: int  # a SIG member, or a plain int for real-time signals
    si_errno: int
    si_code: int  # SI.* for any signal; per-signal codes (CLD_*, SEGV_* ...) otherwise
    si_pid: int
    si_uid: int
    si_status: int
    si_utime: int
    si_stime: int
    si_value: int
    si_addr: int
    si_addr_lsb: int
    si_band: int
    si_fd: int
    si_timerid: int
    si_overrun: int
    si_call_addr: int
    si_syscall: int
    si_arch: int


_make_siginfo = Siginfo._make


def _siginfo(flat: Any, start: int = 0) -> Siginfo:
    """A Siginfo from the LS_SI_COUNT int64 slots at ``flat[start]``."""
    values = _unpack(flat + start, _SI_COUNT)
    values[0] = _SIG_MEMBERS.get(values[0], values[0])
    return _make_siginfo(values)


def sigprocmask(how: FlagArg, set: Optional[Iterable[SignalArg]] = None) -> set[SIG | int]:
    """Block (``SIG_HOW.BLOCK``), unblock (``UNBLOCK``) or set (``SETMASK``) the calling
    thread's blocked signals to those of ``set``; return the previous mask
    (man 2 rt_sigprocmask).

    ``set=None`` changes nothing and only returns the mask (the kernel then ignores ``how``).
    SIGKILL and SIGSTOP cannot be blocked: the kernel leaves them out silently.

    https://man7.org/linux/man-pages/man2/sigprocmask.2.html

    Raises:
        OSError: EINVAL for an unknown ``how`` (with a ``set``), the subclass os raises for
            any other errno.
        TypeError: ``how`` is not an int, SIG_HOW member or name string; ``set`` is a single
            str or int, or holds an item that is neither an int nor a str (before any call).
        ValueError: an unknown ``how`` or signal name, or a signal number outside
            1..SIGRTMAX (before any call).
        OverflowError: ``how`` past a C int (before any call).
    """
    h = to_int(how, SIG_HOW)
    masks = _new("uint64_t[2]")
    if set is None:
        new = _NULL
    else:
        masks[0] = sigmask(set)
        new = masks
    call(_rt_sigprocmask, "rt_sigprocmask", h, new, masks + 1, _SIGSET_SIZE)
    return signals_of(masks[1])


def sigpending() -> set[SIG | int]:
    """The signals pending for the calling thread or its process while blocked
    (man 2 rt_sigpending).

    https://man7.org/linux/man-pages/man2/sigpending.2.html

    Raises:
        OSError: the subclass os raises for an errno; none is expected (rt_sigpending fails
            only for a bad address or set size, which linuxsys never passes).
    """
    mask = _new("uint64_t *")
    call(_rt_sigpending, "rt_sigpending", mask, _SIGSET_SIZE)
    return signals_of(mask[0])


def sigsuspend(mask: Iterable[SignalArg]) -> None:
    """Wait, with the thread's mask replaced by the signals of ``mask``, until a signal handler
    has run (man 2 rt_sigsuspend); the old mask is back on return.

    The kernel's EINTR is the normal end here, so it is not retried: a Python handler runs
    as soon as this returns.  A signal whose action is to ignore it does not end the wait.

    https://man7.org/linux/man-pages/man2/sigsuspend.2.html

    Raises:
        KeyboardInterrupt: SIGINT ended the wait under Python's default handler (whatever
            the Python handler of the signal that ended it raises comes out of this call).
        OSError: the subclass os raises for an errno other than EINTR; none is expected
            (rt_sigsuspend fails otherwise only for a bad address or set size).
        TypeError: ``mask`` is a single str or int, or holds an item that is neither an int
            nor a str (before any call).
        ValueError: an unknown signal name, or a number outside 1..SIGRTMAX (before any
            call).
    """
    r = _rt_sigsuspend(_sigset(mask), _SIGSET_SIZE)
    if r != NEG_EINTR:
        raise error(-r, "rt_sigsuspend")


def _timeout_ns(timeout: float) -> int:
    """Seconds (int or float, rounded up to whole ns) as int64 nanoseconds."""
    if isinstance(timeout, int):
        ns = int(timeout) * _NS
    elif isinstance(timeout, float):  # pyright: ignore[reportUnnecessaryIsInstance]: untyped callers
        if not math.isfinite(timeout):
            raise ValueError(f"timeout must be finite, not {timeout!r}")
        ns = math.ceil(timeout * 1e9)
    else:
        raise TypeError(f"timeout is seconds as an int or float, not {type(timeout).__name__!r}")
    if ns < 0:
        raise ValueError("timeout must be non-negative")
    if ns > _NS_MAX:
        raise ValueError("timeout too large (more than 292 years)")
    return ns


def sigtimedwait(set: Iterable[SignalArg], timeout: Optional[float] = None
                 ) -> Optional[Siginfo]:
    """Take one of the signals of ``set`` off the pending ones, waiting ``timeout`` seconds at
    most (man 2 rt_sigtimedwait; rt_sigtimedwait_time64 on 32-bit arches).

    ``timeout`` is seconds as an int or float, like ``signal.sigtimedwait``: ``None`` waits
    without a limit, 0 only polls.  Returns the signal's Siginfo, or None once the timeout has
    passed (a wait, not a read: nothing is raised).  The signals should be blocked, or the
    kernel may deliver them instead.  EINTR (another signal's handler ran) is retried with
    what is left of the timeout.

    https://man7.org/linux/man-pages/man2/sigtimedwait.2.html

    Raises:
        OSError: the subclass os raises for an errno; none is expected (rt_sigtimedwait
            fails otherwise only for a bad address, set size or timeout, which linuxsys
            never passes).
        TypeError: ``timeout`` is not an int, float or None; ``set`` is a single str or int,
            or holds an item that is neither an int nor a str (before any call).
        ValueError: a negative, infinite, NaN or over-292-years ``timeout``, an unknown
            signal name, or a number outside 1..SIGRTMAX (before any call).
    """
    mask = _sigset(set)
    info = _new("int64_t[]", _SI_COUNT)
    if timeout is None:
        ns = deadline = -1
    else:
        ns = _timeout_ns(timeout)
        deadline = monotonic_ns() + ns
    r = _rt_sigtimedwait(mask, info, ns, _SIGSET_SIZE)
    while r < 0:
        if r == _NEG_EAGAIN:
            return None
        if r != NEG_EINTR:
            raise error(-r, "rt_sigtimedwait")
        if deadline >= 0:
            ns = max(0, deadline - monotonic_ns())
        r = _rt_sigtimedwait(mask, info, ns, _SIGSET_SIZE)
    return _siginfo(info)


def sigwaitinfo(set: Iterable[SignalArg]) -> Siginfo:
    """Wait for one of the signals of ``set`` and take it: sigtimedwait without a timeout
    (man 2 sigwaitinfo).

    https://man7.org/linux/man-pages/man2/sigwaitinfo.2.html

    Raises:
        OSError: the subclass os raises for an errno; none is expected (as sigtimedwait).
        TypeError: ``set`` is a single str or int, or holds an item that is neither an int
            nor a str (before any call).
        ValueError: an unknown signal name, or a number outside 1..SIGRTMAX (before any
            call).
    """
    return sigtimedwait(set)  # type: ignore[return-value]


class SignalFd(Fd):
    """A signalfd: an Fd whose ``read()`` returns Siginfo records (see signalfd_read)."""

    __slots__ = ()

    def read(self, limit: int = 64) -> list[Siginfo]:  # type: ignore[override]
        """The pending signals as Siginfo records, at most ``limit``; BlockingIOError on a
        nonblocking signalfd with none pending (man 2 signalfd)."""
        return signalfd_read(self, limit)


def signalfd(mask: Iterable[SignalArg], flags: FlagArg = 0, fd: FdArg = -1,
             *, inheritable: bool = False) -> Fd:
    """An fd to read the signals of ``mask`` from (man 2 signalfd; signalfd4 on every arch).

    ``flags``: ``SFD.NONBLOCK``, ``SFD.CLOEXEC`` (added unless ``inheritable``).  Block the
    signals first, or the kernel delivers them before the fd sees them.  A new fd is a
    SignalFd, whose ``read()`` gives Siginfo records (``L.read(fd, n)`` still gives the raw
    128-byte records).  With ``fd``, that signalfd's mask is replaced instead (``flags`` are
    then ignored) and ``fd`` is returned, itself if it is an Fd, else as a non-owning SignalFd.

    https://man7.org/linux/man-pages/man2/signalfd.2.html

    Raises:
        OSError: EINVAL for unknown flags or an ``fd`` that is no signalfd, EBADF for an
            ``fd`` not open, EMFILE or ENFILE for too many open fds, ENODEV, ENOMEM, the
            subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``flags`` is not an int, SFD member or name string, ``fd`` no fd;
            ``mask`` is a single str or int, or holds an item that is neither an int nor a
            str (before any call).
        ValueError: an unknown flag, signal or std fd name, or a signal number outside
            1..SIGRTMAX (before any call).
        OverflowError: ``flags`` or ``fd`` past a C int (before any call).
    """
    f = to_int(flags, SFD)
    if not inheritable:
        f |= _SFD_CLOEXEC
    n = fdnum(fd)
    r = call(_signalfd4, "signalfd4", n, _sigset(mask), _SIGSET_SIZE, f)
    if n != -1 and isinstance(fd, Fd):
        fd._kind = "signalfd"  # the kernel took it for one
        return fd
    new = SignalFd(r, own=n == -1)
    new._kind = "signalfd"  # so signalfd_read need not ask /proc
    return new


_sfd_bufs: list[object] = []  # record buffers of signalfd_read (_SFD_CHUNK records), popped


def signalfd_read(fd: FdArg, limit: int = 64) -> list[Siginfo]:
    """The pending signals of a signalfd as Siginfo records, at most ``limit`` (man 2 signalfd).

    Like read(2) it waits for the first record on a blocking fd; the rest are taken only while
    some are pending, so it never waits after the first.  A nonblocking fd with nothing pending
    raises BlockingIOError (EAGAIN).  Records beyond ``limit`` stay pending (the fd stays
    readable).

    https://man7.org/linux/man-pages/man2/signalfd.2.html

    Raises:
        BlockingIOError: ``fd`` is nonblocking and no signal of its mask is pending (EAGAIN).
        OSError: EINVAL for an fd that is no signalfd (checked before anything is read: a
            pipe's data is never eaten), EBADF for an fd not open, the subclass os raises
            for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``limit`` is not an int, or ``fd`` no fd (before any call).
        ValueError: ``limit`` is below 1, or an unknown std fd name (before any call).
    """
    count = operator.index(limit)
    if count < 1:
        raise ValueError("limit must be at least 1")
    n = fdnum_of_kind(fd, "signalfd", "signalfd_read")
    try:
        flat = _sfd_bufs.pop()
    except IndexError:
        flat = _new("int64_t[]", _SFD_CHUNK * _SI_COUNT)
    try:
        want = min(count, _SFD_CHUNK)
        r = _signalfd_read(n, flat, want, 1)
        while r < 0:
            if r != NEG_EINTR:
                raise error(-r, "read")
            r = _signalfd_read(n, flat, want, 1)
        out = [_siginfo(flat, i * _SI_COUNT) for i in range(r)]
        # More than a buffer's worth: read on without waiting, a chunk at a time, so that a
        # large limit costs no memory up front.
        while r == want and len(out) < count:
            want = min(count - len(out), _SFD_CHUNK)
            r = _signalfd_read(n, flat, want, 0)
            out += [_siginfo(flat, i * _SI_COUNT) for i in range(max(r, 0))]
        return out
    finally:
        _sfd_bufs.append(flat)


methods(signalfd_read)

# The plain syscalls, declared in cdefs/signal.h (rt_sigqueueinfo, rt_tgsigqueueinfo): imported
# last, as they check their signal with signum() from here.
from . import _sys_signal  # noqa: E402
from ._sys_signal import *  # noqa: E402,F401,F403

__all__ = ["SIGRTMIN", "SIGRTMAX", "signum", "sigmask", "signals_of", "Siginfo",
           "sigprocmask", "sigpending", "sigsuspend", "sigtimedwait", "sigwaitinfo",
           "signalfd", "signalfd_read", "SignalFd"]
__all__ += _sys_signal.__all__
