"""time: clocks, sleeps, timerfd, gettimeofday and times (man 2 clock_gettime, timerfd_create ...).

Times are integer nanoseconds (plain Python ints, 64-bit seconds on every arch: the time64
calls on 32-bit ones); the ``*_s`` helpers give float seconds.  Times passed in beyond the
kernel's own limit, ktime_t's +-292 years, are saturated there as the kernel saturates
them; negative ones are refused by the kernel (EINVAL).  Clocks are ``CLOCK`` members, ints
(also the negative ids of CPU and fd clocks) or names such as ``"monotonic"``.
"""
from __future__ import annotations

import operator
from typing import NamedTuple

from ._core import NEG_EINTR, call, error, ffi, lib
from .fd import Fd, FdArg, fdnum, methods
from .flags import NAMESPACES, FlagArg, to_int

CLOCK = NAMESPACES["CLOCK"]
TIMER = NAMESPACES["TIMER"]
TFD = NAMESPACES["TFD"]

_clock_gettime = lib.ls_clock_gettime
_clock_getres = lib.ls_clock_getres
_clock_settime = lib.ls_clock_settime
_clock_nanosleep = lib.ls_clock_nanosleep
_gettimeofday = lib.ls_gettimeofday
_times = lib.ls_times
_timerfd_create = lib.ls_timerfd_create
_timerfd_settime = lib.ls_timerfd_settime
_timerfd_gettime = lib.ls_timerfd_gettime
_read = lib.ls_read

_CLOCK_MONOTONIC = lib.CLOCK_MONOTONIC
_TIMER_ABSTIME = lib.TIMER_ABSTIME
_TFD_CLOEXEC = lib.TFD_CLOEXEC
_NEG_EAGAIN = -lib.EAGAIN
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_new = ffi.new


def _clock(clock: FlagArg) -> int:
    return clock if type(clock) is int else to_int(clock, CLOCK)  # type: ignore[return-value]


def _ns(value: int) -> int:
    """An int64 ns count for C: beyond it saturated, as the kernel saturates at KTIME_MAX."""
    n = operator.index(value)
    if _INT64_MIN <= n <= _INT64_MAX:
        return n
    return _INT64_MAX if n > 0 else _INT64_MIN


# ---- clocks --------------------------------------------------------------------------------

def clock_gettime(clock: FlagArg) -> int:
    """A clock's current time in ns, read from the vDSO where the kernel offers it
    (man 2 clock_gettime; time.clock_gettime_ns)."""
    if type(clock) is not int:
        clock = to_int(clock, CLOCK)
    r = _clock_gettime(clock)
    if r < 0:
        raise error(-r, "clock_gettime")
    return r


def clock_gettime_s(clock: FlagArg) -> float:
    """clock_gettime() in float seconds (man 2 clock_gettime; time.clock_gettime)."""
    return clock_gettime(clock) / 1e9


def clock_getres(clock: FlagArg) -> int:
    """A clock's resolution in ns (man 2 clock_getres)."""
    r = _clock_getres(_clock(clock))
    if r < 0:
        raise error(-r, "clock_getres")
    return r


def clock_getres_s(clock: FlagArg) -> float:
    """clock_getres() in float seconds (man 2 clock_getres; time.clock_getres)."""
    return clock_getres(clock) / 1e9


def clock_settime(clock: FlagArg, ns: int) -> None:
    """Set a clock to ``ns`` (man 2 clock_settime; needs CAP_SYS_TIME, CPU clocks: EPERM)."""
    call(_clock_settime, "clock_settime", _clock(clock), _ns(ns))


# ---- sleeps --------------------------------------------------------------------------------

def clock_nanosleep(clock: FlagArg, flags: FlagArg, ns: int) -> None:
    """Sleep ``ns`` on a clock, or until it reads ``ns`` with ``TIMER.ABSTIME``
    (man 2 clock_nanosleep).

    Signals (PEP 475): their Python handlers run, then a relative sleep goes on for the time
    the kernel reported left, an absolute one for the same deadline; a handler's exception
    ends the sleep."""
    c = _clock(clock)
    f = to_int(flags, TIMER)
    ns = _ns(ns)
    rem = _new("int64_t[1]")
    r = _clock_nanosleep(c, f, ns, rem)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, "clock_nanosleep")
        if not f & _TIMER_ABSTIME:
            ns = rem[0]
        r = _clock_nanosleep(c, f, ns, rem)


def nanosleep(ns: int) -> None:
    """Sleep ``ns`` on CLOCK_MONOTONIC, the whole time despite signals (man 2 nanosleep:
    issued as clock_nanosleep, which has the time64 variant)."""
    clock_nanosleep(_CLOCK_MONOTONIC, 0, ns)


# ---- timerfd -------------------------------------------------------------------------------

def timerfd_create(clock: FlagArg, flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """A timer delivering its expirations through an Fd (man 2 timerfd_create; ``TFD.NONBLOCK``,
    ``TFD.CLOEXEC``), close-on-exec unless ``inheritable``."""
    f = to_int(flags, TFD)
    if not inheritable:
        f |= _TFD_CLOEXEC
    return Fd(call(_timerfd_create, "timerfd_create", _clock(clock), f))


def timerfd_settime(fd: FdArg, flags: FlagArg, value_ns: int,
                    interval_ns: int = 0) -> tuple[int, int]:
    """Arm (``value_ns`` > 0) or disarm (0) a timerfd, then every ``interval_ns``; return the
    previous ``(value_ns, interval_ns)`` (man 2 timerfd_settime; ``TFD.TIMER_ABSTIME``,
    ``TFD.TIMER_CANCEL_ON_SET``)."""
    old = _new("int64_t[2]")
    call(_timerfd_settime, "timerfd_settime", fdnum(fd), to_int(flags, TFD), _ns(value_ns),
         _ns(interval_ns), old)
    return old[0], old[1]


def timerfd_gettime(fd: FdArg) -> tuple[int, int]:
    """``(value_ns, interval_ns)``: the time to the next expiration (0: disarmed) and the
    period (man 2 timerfd_gettime)."""
    cur = _new("int64_t[2]")
    call(_timerfd_gettime, "timerfd_gettime", fdnum(fd), cur)
    return cur[0], cur[1]


def timerfd_read(fd: FdArg) -> int:
    """The number of expirations since the last read, waiting for one on a blocking timerfd;
    0 on a nonblocking one with none pending, never an expiration count (man 2 timerfd_create:
    read(2) of its 8-byte counter).  ECANCELED (``TIMER_CANCEL_ON_SET``) raises."""
    n = fdnum(fd)
    buf = _new("uint64_t[1]")
    r = _read(n, buf, 8)
    while r < 0:
        if r == _NEG_EAGAIN:
            return 0
        if r != NEG_EINTR:
            raise error(-r, "read")
        r = _read(n, buf, 8)
    return buf[0]


# ---- gettimeofday, times -------------------------------------------------------------------

def gettimeofday() -> int:
    """The wall-clock time in ns, in whole microseconds (man 2 gettimeofday; time.time_ns)."""
    r = _gettimeofday()
    if r < 0:
        raise error(-r, "gettimeofday")
    return r


class Tms(NamedTuple):
    """Process times in clock ticks, ``os.sysconf("SC_CLK_TCK")`` a second (man 2 times)."""
    tms_utime: int   # user CPU time
    tms_stime: int   # system CPU time
    tms_cutime: int  # user CPU time of waited-for children
    tms_cstime: int  # system CPU time of waited-for children
    elapsed: int     # ticks since an arbitrary point; wraps at 2**32 on 32-bit arches


def times() -> Tms:
    """This process's and its waited-for children's CPU times, and a tick count, in clock
    ticks (man 2 times; os.times in seconds)."""
    out = _new("int64_t[5]")
    call(_times, "times", out)
    return Tms._make(out)


methods(timerfd_settime, timerfd_gettime, timerfd_read)

__all__ = ["clock_gettime", "clock_gettime_s", "clock_getres", "clock_getres_s", "clock_settime",
           "clock_nanosleep", "nanosleep",
           "timerfd_create", "timerfd_settime", "timerfd_gettime", "timerfd_read",
           "gettimeofday", "times", "Tms"]
