"""time: clocks, sleeps, timerfd, gettimeofday and times (man 2 clock_gettime, timerfd_create ...).

Times are integer nanoseconds (plain Python ints, 64-bit seconds on every arch: the time64
calls on 32-bit ones); the ``*_s`` helpers give float seconds.  Times passed in beyond the
kernel's own limit, ktime_t's +-292 years, are saturated there as the kernel saturates
them; negative ones are refused by the kernel (EINVAL).  Clocks are ``CLOCK`` members, ints
(also the negative ids of CPU and fd clocks) or names such as ``"monotonic"``.

Flags: ``TIMER`` for clock_nanosleep and timer_settime, ``TFD`` for timerfd_create,
``TFD_TIMER`` for timerfd_settime.  ``timerfd_read`` on a nonblocking timerfd that has not
expired raises ``BlockingIOError`` (EAGAIN), as ``os.read`` does and every event-record reader
of linuxsys does; it refuses any other kind of fd (OSError EINVAL) before reading.

POSIX timers (timer_create ...) are the kernel's: a timer id is the kernel's int, and how a
timer notifies is a ``Sigevent`` (``SIGEV.SIGNAL``, ``SIGEV.THREAD_ID``, ``SIGEV.NONE``; the C
library's SIGEV_THREAD, a thread started per expiration, is not a kernel notification).  Timers
are per process, not inherited by fork; ``Timer`` deletes its timer at the end of a ``with``.
Interval timers (getitimer/setitimer) take and give ns in whole microseconds, rounded up; their
kernel struct has long seconds, so 32-bit arches refuse values from 2**31 s (EOVERFLOW).
adjtimex/clock_adjtime take and give a ``Timex``; without one they only read (modes 0).
"""
from __future__ import annotations

import operator
from typing import Any, NamedTuple, Optional

from ._core import NEG_EINTR, c_int, call, error, ffi, in_range, lib
from .fd import Fd, FdArg, fdnum, methods, tagged
from .flags import FlagArg, to_int
from .fd import fdnum_of_kind
from . import _sys_time
from ._sys_time import *  # noqa: F401,F403  (the plain syscalls, declared in cdefs/time.h)
from ._sys_time import clock_getres, clock_gettime, timer_delete, timer_getoverrun
from .signal import SignalArg, signum

from ._consts import CLOCK, TIMER, TFD, TFD_TIMER, SIGEV, ITIMER, ADJ, STA, TIME

_clock_settime = lib.ls_clock_settime
_clock_nanosleep = lib.ls_clock_nanosleep
_times = lib.ls_times
_timerfd_create = lib.ls_timerfd_create
_timerfd_settime = lib.ls_timerfd_settime
_timerfd_gettime = lib.ls_timerfd_gettime
_read = lib.ls_read
_timer_create = lib.ls_timer_create
_timer_settime = lib.ls_timer_settime
_timer_gettime = lib.ls_timer_gettime
_getitimer = lib.ls_getitimer
_setitimer = lib.ls_setitimer
_adjtimex = lib.ls_adjtimex
_clock_adjtime = lib.ls_clock_adjtime

_CLOCK_MONOTONIC = lib.CLOCK_MONOTONIC
_TIMER_ABSTIME = lib.TIMER_ABSTIME
_TFD_CLOEXEC = lib.TFD_CLOEXEC
_EINVAL = lib.EINVAL
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_new = ffi.new
_NULL = ffi.NULL
_INTPTR_MAX = (1 << (8 * ffi.sizeof("intptr_t") - 1)) - 1
_SIGEV_NONE = lib.SIGEV_NONE
_SIGEV_KINDS = (lib.SIGEV_SIGNAL, lib.SIGEV_NONE, lib.SIGEV_THREAD_ID)
_STA_NANO = lib.STA_NANO


def _clock(clockid: FlagArg) -> int:
    return clockid if type(clockid) is int else to_int(clockid, CLOCK)


def _ns(value: int) -> int:
    """An int64 ns count for C: beyond it saturated, as the kernel saturates at KTIME_MAX."""
    n = operator.index(value)
    if _INT64_MIN <= n <= _INT64_MAX:
        return n
    return _INT64_MAX if n > 0 else _INT64_MIN


# ---- clocks --------------------------------------------------------------------------------

def clock_gettime_s(clockid: FlagArg) -> float:
    """clock_gettime() in float seconds (man 2 clock_gettime; time.clock_gettime).

    https://man7.org/linux/man-pages/man2/clock_gettime.2.html

    Raises:
        OSError: EINVAL for an unknown clock (or a CPU clock of a process that is gone),
            the subclass os raises for any other errno.
        TypeError: ``clockid`` is not an int, CLOCK member or name string (before any
            call).
        ValueError: an unknown CLOCK name (before any call).
        OverflowError: ``clockid`` beyond a C int (before any call).
    """
    return clock_gettime(clockid) / 1e9


def clock_getres_s(clockid: FlagArg) -> float:
    """clock_getres() in float seconds (man 2 clock_getres; time.clock_getres).

    https://man7.org/linux/man-pages/man2/clock_getres.2.html

    Raises:
        OSError: EINVAL for an unknown clock, the subclass os raises for any other errno.
        TypeError: ``clockid`` is not an int, CLOCK member or name string (before any
            call).
        ValueError: an unknown CLOCK name (before any call).
        OverflowError: ``clockid`` beyond a C int (before any call).
    """
    return clock_getres(clockid) / 1e9


def clock_settime(clockid: FlagArg, tp_ns: int) -> None:
    """Set a clock to ``tp_ns`` (man 2 clock_settime; needs CAP_SYS_TIME, CPU clocks: EPERM).

    https://man7.org/linux/man-pages/man2/clock_settime.2.html

    Raises:
        PermissionError: without CAP_SYS_TIME, or for a CPU clock (EPERM); a dynamic clock's
            device not open for writing (EACCES).
        OSError: EINVAL for an unknown clock, one that cannot be set (CLOCK.MONOTONIC ...), a
            negative time or CLOCK.REALTIME set below CLOCK.MONOTONIC, EOPNOTSUPP, ENODEV,
            the subclass os raises for any other errno.
        TypeError: ``clockid`` is not an int, CLOCK member or name string (before any
            call).
        ValueError: an unknown CLOCK name (before any call).
        OverflowError: ``clockid`` beyond a C int (before any call).
    """
    call(_clock_settime, "clock_settime", _clock(clockid), _ns(tp_ns))


# ---- sleeps --------------------------------------------------------------------------------

def clock_nanosleep(clockid: FlagArg, flags: FlagArg, request_ns: int) -> None:
    """Sleep ``request_ns`` on a clock, or until it reads ``request_ns`` with
    ``TIMER.ABSTIME`` (man 2 clock_nanosleep).

    Signals (PEP 475): their Python handlers run, then a relative sleep goes on for the time
    the kernel reported left, an absolute one for the same deadline; a handler's exception
    ends the sleep (and leaves this call).

    https://man7.org/linux/man-pages/man2/clock_nanosleep.2.html

    Raises:
        OSError: EINVAL for an unknown clock, CLOCK.THREAD_CPUTIME_ID or a negative relative
            time, EOPNOTSUPP for a clock the kernel cannot sleep on, the subclass os raises
            for any other errno.
        TypeError: ``clockid``/``flags`` is not an int, member or name string, or
            ``request_ns`` not an int (before any call).
        ValueError: an unknown CLOCK or TIMER name (before any call).
        OverflowError: ``clockid`` beyond a C int (before any call).
    """
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
    issued as clock_nanosleep, which has the time64 variant).

    A signal handler's exception ends the sleep (and leaves this call).

    https://man7.org/linux/man-pages/man2/nanosleep.2.html

    Raises:
        OSError: EINVAL for a negative ``req_ns``, the subclass os raises for any other
            errno.
        TypeError: ``req_ns`` is not an int (before any call).
    """
    clock_nanosleep(_CLOCK_MONOTONIC, 0, req_ns)


# ---- timerfd -------------------------------------------------------------------------------

def timerfd_create(clockid: FlagArg, flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """A timer delivering its expirations through an Fd (man 2 timerfd_create; ``TFD.NONBLOCK``,
    ``TFD.CLOEXEC``), close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/timerfd_create.2.html

    Raises:
        PermissionError: CLOCK.REALTIME_ALARM or CLOCK.BOOTTIME_ALARM without CAP_WAKE_ALARM
            (EPERM).
        OSError: EINVAL for a clock a timerfd cannot use or an unknown flag, EMFILE or
            ENFILE when the process or the system has no fd to spare, ENOMEM, ENODEV, the
            subclass os raises for any other errno.
        TypeError: ``clockid``/``flags`` is not an int, member or name string (before any
            call).
        ValueError: an unknown CLOCK or TFD name (before any call).
        OverflowError: ``clockid`` or ``flags`` beyond a C int (before any call).
    """
    c = _clock(clockid)
    f = to_int(flags, TFD)
    if not inheritable:
        f |= _TFD_CLOEXEC
    return tagged(call(_timerfd_create, "timerfd_create", c, f), "timerfd")


def timerfd_settime(fd: FdArg, flags: FlagArg, value_ns: int,
                    interval_ns: int = 0) -> tuple[int, int]:
    """Arm (``value_ns`` > 0) or disarm (0) a timerfd, then every ``interval_ns``; return the
    previous ``(value_ns, interval_ns)`` (man 2 timerfd_settime; ``TFD_TIMER.ABSTIME``,
    ``TFD_TIMER.CANCEL_ON_SET``).

    https://man7.org/linux/man-pages/man2/timerfd_settime.2.html

    Raises:
        OSError: EINVAL for an fd that is no timerfd, an unknown flag or a negative time,
            EBADF, ECANCELED, the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``flags`` is not an int, TFD_TIMER member or name string, a time not an
            int, or ``fd`` no fd (before any call).
        ValueError: an unknown TFD_TIMER name or std fd name (before any call).
    """
    old = _new("int64_t[2]")
    call(_timerfd_settime, "timerfd_settime", fdnum(fd), to_int(flags, TFD_TIMER), _ns(value_ns),
         _ns(interval_ns), old)
    return old[0], old[1]


def timerfd_gettime(fd: FdArg) -> tuple[int, int]:
    """``(value_ns, interval_ns)``: the time to the next expiration (0: disarmed) and the
    period (man 2 timerfd_gettime).

    https://man7.org/linux/man-pages/man2/timerfd_gettime.2.html

    Raises:
        OSError: EINVAL for an fd that is no timerfd, EBADF, the subclass os raises for any
            other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    cur = _new("int64_t[2]")
    call(_timerfd_gettime, "timerfd_gettime", fdnum(fd), cur)
    return cur[0], cur[1]


def timerfd_read(fd: FdArg) -> int:
    """The number of expirations since the last read, waiting for one on a blocking timerfd
    (man 2 timerfd_create: read(2) of its 8-byte counter).

    https://man7.org/linux/man-pages/man2/timerfd_create.2.html

    Raises:
        BlockingIOError: a nonblocking timerfd that has not expired (EAGAIN).
        OSError: ECANCELED when the clock was set under ``TFD_TIMER.CANCEL_ON_SET``, EINVAL
            for any other kind of fd (left unread), EBADF, the subclass os raises for any
            other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    n = fdnum_of_kind(fd, "timerfd", "timerfd_read")
    buf = _new("uint64_t[1]")
    r = _read(n, buf, 8)
    while r != 8:
        if r >= 0:  # not a timerfd (and no /proc to tell): a timerfd always gives 8 bytes
            r = -_EINVAL
        if r != NEG_EINTR:
            raise error(-r, "read")
        r = _read(n, buf, 8)
    count: int = buf[0]
    return count


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
    ticks (man 2 times; os.times in seconds).

    https://man7.org/linux/man-pages/man2/times.2.html

    Raises:
        OSError: the subclass os raises for the errno (none is expected: the only one in
            the man page, EFAULT, is not reachable from here).
    """
    out = _new("int64_t[5]")
    call(_times, "times", out)
    return Tms._make(out)


# ---- POSIX timers ----------------------------------------------------------------------------

class Sigevent(NamedTuple):
    """How a POSIX timer (timer_create) or a message queue (mq_notify) notifies: the kernel's
    struct sigevent (man 7 sigevent).

    ``sigev_notify``: ``SIGEV.SIGNAL`` sends ``sigev_signo`` to the process, ``SIGEV.THREAD_ID``
    to thread ``sigev_notify_thread_id`` of this process (timers only), ``SIGEV.NONE`` nothing
    (a timer is then read with timer_gettime).  The signal's siginfo carries ``sigev_value``
    (``si_value``, a pointer-sized signed int).  ``Sigevent(SIGEV.SIGNAL, "SIGUSR1", 42)``.
    """
    sigev_notify: FlagArg = SIGEV.SIGNAL
    sigev_signo: SignalArg = 0  # required for SIGNAL and THREAD_ID (1..SIGRTMAX)
    sigev_value: int = 0
    sigev_notify_thread_id: int = 0  # a thread id (gettid) of this process, for THREAD_ID


def _sigevent(sevp: Optional[Sigevent]) -> Any:
    """The kernel's struct sigevent for ``sevp`` (NULL for None), every field checked:
    TypeError for anything but a Sigevent, ValueError for a notification that is not SIGEV's
    or a signal outside 1..SIGRTMAX, OverflowError for a value or thread id out of range."""
    if sevp is None:
        return _NULL
    if not isinstance(sevp, Sigevent):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"sevp is a Sigevent or None, not {type(sevp).__name__!r}")
    notify = to_int(sevp.sigev_notify, SIGEV)
    if notify not in _SIGEV_KINDS:
        raise ValueError(f"sigev_notify {notify} is not SIGEV.SIGNAL, SIGEV.THREAD_ID or "
                         "SIGEV.NONE")
    signo = sevp.sigev_signo
    # SIGEV_NONE sends nothing: its signal may be left 0
    signo = 0 if notify == _SIGEV_NONE and signo == 0 else signum(signo)
    value = in_range(sevp.sigev_value, "sigev_value", -_INTPTR_MAX - 1, _INTPTR_MAX)
    tid = c_int(sevp.sigev_notify_thread_id, "sigev_notify_thread_id")
    return _new("struct ls_sigevent *", {"value": value, "signo": signo, "notify": notify,
                                         "tid": tid})


def timer_create(clockid: FlagArg, sevp: Optional[Sigevent] = None) -> int:
    """A new POSIX timer on a clock, disarmed; return its id (man 2 timer_create).

    ``sevp`` says how it notifies (a ``Sigevent``); None is the kernel's default, SIGALRM to
    the process with the timer id as ``si_value``.  Arm it with timer_settime, delete it with
    timer_delete (or use ``Timer``).

    https://man7.org/linux/man-pages/man2/timer_create.2.html

    Raises:
        BlockingIOError: the kernel has no timer to spare (EAGAIN: RLIMIT_SIGPENDING ...).
        PermissionError: CLOCK.REALTIME_ALARM or CLOCK.BOOTTIME_ALARM without CAP_WAKE_ALARM
            (EPERM).
        OSError: EINVAL for an unknown clock, or a thread id that is no thread of this
            process, EOPNOTSUPP for a clock the kernel has no timers on, ENOMEM, the
            subclass os raises for any other errno.
        TypeError: ``sevp`` is no Sigevent or None, ``clockid`` or ``sevp.sigev_notify`` not
            an int, member or name string, a field of the wrong type (before any call).
        ValueError: a ``sigev_notify`` other than SIGEV.SIGNAL, THREAD_ID or NONE, a signal
            outside 1..SIGRTMAX, an unknown CLOCK, SIGEV or signal name (before any call).
        OverflowError: ``sigev_value`` beyond a pointer, ``sigev_notify_thread_id`` or
            ``clockid`` beyond a C int (before any call).
    """
    c = _clock(clockid)
    sev = _sigevent(sevp)
    out = _new("int *")
    call(_timer_create, "timer_create", c, sev, out)
    timerid: int = out[0]
    return timerid


def timer_settime(timerid: int, flags: FlagArg, value_ns: int,
                  interval_ns: int = 0) -> tuple[int, int]:
    """Arm (``value_ns`` > 0) or disarm (0) a POSIX timer, then every ``interval_ns``; return
    the previous ``(value_ns, interval_ns)`` (man 2 timer_settime; timer_settime64 on 32-bit
    arches).  ``TIMER.ABSTIME``: ``value_ns`` is a time of the timer's clock.

    https://man7.org/linux/man-pages/man2/timer_settime.2.html

    Raises:
        OSError: EINVAL for an unknown (or deleted) timer or a negative time, the subclass
            os raises for any other errno.
        TypeError: ``flags`` is not an int, TIMER member or name string, ``timerid`` or a
            time not an int (before any call).
        ValueError: an unknown TIMER name (before any call).
        OverflowError: ``timerid`` beyond a C int (before any call).
    """
    old = _new("int64_t[2]")
    call(_timer_settime, "timer_settime", timerid, to_int(flags, TIMER), _ns(value_ns),
         _ns(interval_ns), old)
    return old[0], old[1]


def timer_gettime(timerid: int) -> tuple[int, int]:
    """``(value_ns, interval_ns)`` of a POSIX timer: the time to its next expiration (0:
    disarmed) and its period (man 2 timer_gettime; timer_gettime64 on 32-bit arches).

    https://man7.org/linux/man-pages/man2/timer_gettime.2.html

    Raises:
        OSError: EINVAL for an unknown (or deleted) timer, the subclass os raises for any
            other errno.
        TypeError: ``timerid`` is not an int (before any call).
        OverflowError: ``timerid`` beyond a C int (before any call).
    """
    cur = _new("int64_t[2]")
    call(_timer_gettime, "timer_gettime", timerid, cur)
    return cur[0], cur[1]


class Timer:
    """A POSIX timer deleted at the end of a ``with`` block (or by ``delete()``): the calls
    timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete as methods.

    The garbage collector does not delete it (a timer id is not inherited by a forked child,
    which may get the same id for a timer of its own).  Once deleted, ``timerid`` is -1 and
    the methods raise OSError EINVAL, as the kernel does for a timer it does not know.
    """

    __slots__ = ("timerid",)

    def __init__(self, clockid: FlagArg = CLOCK.MONOTONIC, sevp: Optional[Sigevent] = None) -> None:
        self.timerid = -1
        self.timerid = timer_create(clockid, sevp)

    def settime(self, flags: FlagArg, value_ns: int, interval_ns: int = 0) -> tuple[int, int]:
        """timer_settime() of this timer."""
        return timer_settime(self.timerid, flags, value_ns, interval_ns)

    def gettime(self) -> tuple[int, int]:
        """timer_gettime() of this timer."""
        return timer_gettime(self.timerid)

    def getoverrun(self) -> int:
        """timer_getoverrun() of this timer."""
        return timer_getoverrun(self.timerid)

    def delete(self) -> None:
        """timer_delete() once; later calls do nothing."""
        t, self.timerid = self.timerid, -1
        if t >= 0:
            timer_delete(t)

    def __enter__(self) -> "Timer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.delete()

    def __repr__(self) -> str:
        return f"<Timer {self.timerid}>" if self.timerid >= 0 else "<Timer deleted>"


# ---- interval timers -------------------------------------------------------------------------

def getitimer(which: FlagArg) -> tuple[int, int]:
    """``(value_ns, interval_ns)`` of an interval timer (``ITIMER.REAL``, ``VIRTUAL``,
    ``PROF``), in whole microseconds (man 2 getitimer; signal.getitimer in float seconds).

    https://man7.org/linux/man-pages/man2/getitimer.2.html

    Raises:
        OSError: EINVAL for an unknown ``which``, the subclass os raises for any other
            errno.
        TypeError: ``which`` is not an int, ITIMER member or name string (before any call).
        ValueError: an unknown ITIMER name (before any call).
        OverflowError: ``which`` beyond a C int (before any call).
    """
    cur = _new("int64_t[2]")
    call(_getitimer, "getitimer", to_int(which, ITIMER), cur)
    return cur[0], cur[1]


def setitimer(which: FlagArg, value_ns: int, interval_ns: int = 0) -> tuple[int, int]:
    """Arm (``value_ns`` > 0) or disarm (0) an interval timer, then every ``interval_ns``;
    return the previous ``(value_ns, interval_ns)`` (man 2 setitimer).

    Times are rounded up to whole microseconds.  On expiry the process gets SIGALRM
    (``ITIMER.REAL``), SIGVTALRM (``VIRTUAL``) or SIGPROF (``PROF``), whose default action
    ends it.

    https://man7.org/linux/man-pages/man2/setitimer.2.html

    Raises:
        OSError: EINVAL for an unknown ``which`` or a negative time, EOVERFLOW on 32-bit
            arches for one from 2**31 s, the subclass os raises for any other errno.
        TypeError: ``which`` is not an int, ITIMER member or name string, or a time not an
            int (before any call).
        ValueError: an unknown ITIMER name (before any call).
        OverflowError: ``which`` beyond a C int (before any call).
    """
    old = _new("int64_t[2]")
    call(_setitimer, "setitimer", to_int(which, ITIMER), _ns(value_ns), _ns(interval_ns), old)
    return old[0], old[1]


# ---- clock adjustment ------------------------------------------------------------------------

class Timex(NamedTuple):
    """The kernel's struct timex (man 2 adjtimex): what adjtimex/clock_adjtime set (the
    fields ``modes`` names) and what they give back, with the clock ``state``.

    Units are the kernel's: ``offset``, ``maxerror``, ``esterror``, ``jitter`` in
    microseconds (ns with ``STA.NANO``), ``freq``, ``ppsfreq``, ``stabil``, ``tolerance`` in
    ppm << 16, ``tick`` in microseconds.  ``time_sec``/``time_usec`` are the clock's time
    (usec in ns with ``STA.NANO``), or with ``ADJ.SETOFFSET`` the step to add.
    """
    modes: FlagArg = 0      # ADJ flags: what to set (0: only read; setting needs CAP_SYS_TIME)
    offset: int = 0         # time offset
    freq: int = 0           # frequency offset
    maxerror: int = 0       # maximum error
    esterror: int = 0       # estimated error
    status: FlagArg = 0     # STA flags
    constant: int = 0       # PLL time constant
    precision: int = 0      # clock precision (read-only)
    tolerance: int = 0      # clock frequency tolerance (read-only)
    time_sec: int = 0       # the clock's time, seconds
    time_usec: int = 0      # and microseconds (ns with STA.NANO)
    tick: int = 0           # microseconds between clock ticks
    ppsfreq: int = 0        # PPS frequency (read-only)
    jitter: int = 0         # PPS jitter (read-only)
    shift: int = 0          # PPS interval duration, log2 s (read-only)
    stabil: int = 0         # PPS stability (read-only)
    jitcnt: int = 0         # PPS jitter limit exceeded (read-only)
    calcnt: int = 0         # PPS calibration intervals (read-only)
    errcnt: int = 0         # PPS calibration errors (read-only)
    stbcnt: int = 0         # PPS stability limit exceeded (read-only)
    tai: int = 0            # TAI - UTC in seconds
    state: int = 0          # the clock state the call returned (TIME.OK ...); ignored on input

    @property
    def time_ns(self) -> int:
        """``time_sec`` and ``time_usec`` in ns (the latter's unit depends on STA.NANO)."""
        unit = 1 if int(self.status) & _STA_NANO else 1000
        return self.time_sec * 1_000_000_000 + self.time_usec * unit


_TIMEX_FIELDS = Timex._fields[:-1]  # the struct's, in its order; state is the result


def _timex(buf: Optional[Timex]) -> Any:
    """A struct ls_timex from ``buf`` (None: all 0, a read), every field checked by cffi."""
    tx = _new("struct ls_timex *")
    if buf is None:
        return tx
    if not isinstance(buf, Timex):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"buf is a Timex or None, not {type(buf).__name__!r}")
    for name, value in zip(_TIMEX_FIELDS, buf):
        if name == "modes":
            value = to_int(value, ADJ)
        elif name == "status":
            value = to_int(value, STA)
        setattr(tx, name, value)  # OverflowError (or TypeError) before any syscall
    return tx


def _timex_out(tx: Any, state: int) -> Timex:
    values = [getattr(tx, name) for name in _TIMEX_FIELDS]
    values[0] = ADJ(values[0])
    values[5] = STA(values[5])
    values.append(TIME._value2member_map_.get(state, state))
    return Timex._make(values)


def adjtimex(buf: Optional[Timex] = None) -> Timex:
    """Read (``buf`` None, or ``modes`` 0) or tune (the fields ``buf.modes`` names) the
    kernel's clock discipline; return every field and the clock state (man 2 adjtimex;
    clock_adjtime64 on CLOCK_REALTIME on 32-bit arches, as the C library does).

    https://man7.org/linux/man-pages/man2/adjtimex.2.html

    Raises:
        PermissionError: setting anything without CAP_SYS_TIME (EPERM).
        OSError: EINVAL for a ``status`` or ``tick`` out of range, the subclass os raises for
            any other errno.
        TypeError: ``buf`` is no Timex or None, ``modes``/``status`` not an int, member or
            name string, another field not an int (before any call).
        ValueError: an unknown ADJ or STA name (before any call).
        OverflowError: a field beyond its C type (before any call).
    """
    tx = _timex(buf)
    return _timex_out(tx, call(_adjtimex, "adjtimex", tx))


def clock_adjtime(clockid: FlagArg, buf: Optional[Timex] = None) -> Timex:
    """adjtimex() on a clock: CLOCK.REALTIME, or a dynamic (PTP) clock's fd clock id
    (man 2 clock_adjtime; clock_adjtime64 on 32-bit arches).

    https://man7.org/linux/man-pages/man2/clock_adjtime.2.html

    Raises:
        PermissionError: setting anything without CAP_SYS_TIME (EPERM).
        OSError: EOPNOTSUPP for a clock that cannot be adjusted (CLOCK.MONOTONIC), EINVAL for
            an unknown one or a ``status``/``tick`` out of range, ENODEV for a dynamic
            clock's device that is gone, the subclass os raises for any other errno.
        TypeError: ``buf`` is no Timex or None, ``clockid``/``modes``/``status`` not an int,
            member or name string, another field not an int (before any call).
        ValueError: an unknown CLOCK, ADJ or STA name (before any call).
        OverflowError: ``clockid`` or a field beyond its C type (before any call).
    """
    c = _clock(clockid)
    tx = _timex(buf)
    return _timex_out(tx, call(_clock_adjtime, "clock_adjtime", c, tx))


methods(timerfd_settime, timerfd_gettime, timerfd_read)

__all__ = ["clock_gettime_s", "clock_getres_s", "clock_settime", "clock_nanosleep", "nanosleep",
           "timerfd_create", "timerfd_settime", "timerfd_gettime", "timerfd_read",
           "times", "Tms", "Sigevent", "timer_create", "timer_settime", "timer_gettime", "Timer",
           "getitimer", "setitimer", "Timex", "adjtimex", "clock_adjtime"]
__all__ += _sys_time.__all__
