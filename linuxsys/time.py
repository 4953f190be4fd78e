"""time: clocks, sleeps, timerfd, gettimeofday and times (man 2 clock_gettime, timerfd_create ...).

Times are integer nanoseconds (plain Python ints, 64-bit seconds on every arch: the time64
calls on 32-bit ones); the ``*_s`` helpers give float seconds.  Times passed in beyond the
kernel's own limit, ktime_t's +-292 years, are saturated there as the kernel saturates
them; negative ones are refused by the kernel (EINVAL).  Clocks are ``CLOCK`` members, ints
(also the negative ids of CPU and fd clocks) or names such as ``"monotonic"``.

Flags: ``TIMER`` for clock_nanosleep, ``TFD`` for timerfd_create, ``TFD_TIMER`` for
timerfd_settime.  ``timerfd_read`` on a nonblocking timerfd that has not expired raises
``BlockingIOError`` (EAGAIN), as ``os.read`` does and every event-record reader of linuxsys
does; it refuses any other kind of fd (OSError EINVAL) before reading.
"""
from __future__ import annotations

import operator
from typing import NamedTuple

from ._core import NEG_EINTR, call, error, ffi, lib
from .fd import Fd, FdArg, fdnum, methods, tagged
from .flags import NAMESPACES, FlagArg, to_int
from .fd import fdnum_of_kind
from . import _sys_time
from ._sys_time import *  # noqa: F401,F403  (the plain syscalls, declared in cdefs/time.h)
from ._sys_time import clock_getres, clock_gettime

CLOCK = NAMESPACES["CLOCK"]
TIMER = NAMESPACES["TIMER"]
TFD = NAMESPACES["TFD"]
TFD_TIMER = NAMESPACES["TFD_TIMER"]

_clock_settime = lib.ls_clock_settime
_clock_nanosleep = lib.ls_clock_nanosleep
_times = lib.ls_times
_timerfd_create = lib.ls_timerfd_create
_timerfd_settime = lib.ls_timerfd_settime
_timerfd_gettime = lib.ls_timerfd_gettime
_read = lib.ls_read

_CLOCK_MONOTONIC = lib.CLOCK_MONOTONIC
_TIMER_ABSTIME = lib.TIMER_ABSTIME
_TFD_CLOEXEC = lib.TFD_CLOEXEC
_EINVAL = lib.EINVAL
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_new = ffi.new


def _clock(clockid: FlagArg) -> int:
    return clockid if type(clockid) is int else to_int(clockid, CLOCK)  # type: ignore[return-value]


def _ns(value: int) -> int:
    """An int64 ns count for C: beyond it saturated, as the kernel saturates at KTIME_MAX."""
    n = operator.index(value)
    if _INT64_MIN <= n <= _INT64_MAX:
        return n
    return _INT64_MAX if n > 0 else _INT64_MIN


# ---- clocks --------------------------------------------------------------------------------

def clock_gettime_s(clockid: FlagArg) -> float:
    """clock_gettime() in float seconds (man 2 clock_gettime; time.clock_gettime)."""
    return clock_gettime(clockid) / 1e9


def clock_getres_s(clockid: FlagArg) -> float:
    """clock_getres() in float seconds (man 2 clock_getres; time.clock_getres)."""
    return clock_getres(clockid) / 1e9


def clock_settime(clockid: FlagArg, tp_ns: int) -> None:
    """Set a clock to ``tp_ns`` (man 2 clock_settime; needs CAP_SYS_TIME, CPU clocks: EPERM)."""
    call(_clock_settime, "clock_settime", _clock(clockid), _ns(tp_ns))


# ---- sleeps --------------------------------------------------------------------------------

def clock_nanosleep(clockid: FlagArg, flags: FlagArg, request_ns: int) -> None:
    """Sleep ``request_ns`` on a clock, or until it reads ``request_ns`` with
    ``TIMER.ABSTIME`` (man 2 clock_nanosleep).

    Signals (PEP 475): their Python handlers run, then a relative sleep goes on for the time
    the kernel reported left, an absolute one for the same deadline; a handler's exception
    ends the sleep."""
    c = _clock(clockid)
    f = to_int(flags, TIMER)
    ns = _ns(request_ns)
    rem = _new("int64_t[1]")
    r = _clock_nanosleep(c, f, ns, rem)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, "clock_nanosleep")
        if not f & _TIMER_ABSTIME:
            ns = rem[0]
        r = _clock_nanosleep(c, f, ns, rem)


def nanosleep(req_ns: int) -> None:
    """Sleep ``req_ns`` on CLOCK_MONOTONIC, the whole time despite signals (man 2 nanosleep:
    issued as clock_nanosleep, which has the time64 variant)."""
    clock_nanosleep(_CLOCK_MONOTONIC, 0, req_ns)


# ---- timerfd -------------------------------------------------------------------------------

def timerfd_create(clockid: FlagArg, flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """A timer delivering its expirations through an Fd (man 2 timerfd_create; ``TFD.NONBLOCK``,
    ``TFD.CLOEXEC``), close-on-exec unless ``inheritable``."""
    c = _clock(clockid)
    f = to_int(flags, TFD)
    if not inheritable:
        f |= _TFD_CLOEXEC
    return tagged(call(_timerfd_create, "timerfd_create", c, f), "timerfd")


def timerfd_settime(fd: FdArg, flags: FlagArg, value_ns: int,
                    interval_ns: int = 0) -> tuple[int, int]:
    """Arm (``value_ns`` > 0) or disarm (0) a timerfd, then every ``interval_ns``; return the
    previous ``(value_ns, interval_ns)`` (man 2 timerfd_settime; ``TFD_TIMER.ABSTIME``,
    ``TFD_TIMER.CANCEL_ON_SET``)."""
    old = _new("int64_t[2]")
    call(_timerfd_settime, "timerfd_settime", fdnum(fd), to_int(flags, TFD_TIMER), _ns(value_ns),
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
    BlockingIOError on a nonblocking one with none (man 2 timerfd_create: read(2) of its
    8-byte counter).  ECANCELED (``TFD_TIMER.CANCEL_ON_SET``) raises; any other kind of fd
    raises OSError EINVAL, unread."""
    n = fdnum_of_kind(fd, "timerfd", "timerfd_read")
    buf = _new("uint64_t[1]")
    r = _read(n, buf, 8)
    while r != 8:
        if r >= 0:  # not a timerfd (and no /proc to tell): a timerfd always gives 8 bytes
            r = -_EINVAL
        if r != NEG_EINTR:
            raise error(-r, "read")
        r = _read(n, buf, 8)
    return buf[0]


# ---- times ---------------------------------------------------------------------------------

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

__all__ = ["clock_gettime_s", "clock_getres_s", "clock_settime", "clock_nanosleep", "nanosleep",
           "timerfd_create", "timerfd_settime", "timerfd_gettime", "timerfd_read",
           "times", "Tms"] + _sys_time.__all__
