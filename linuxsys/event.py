"""event: epoll, poll/ppoll, select/pselect6, eventfd, inotify and fanotify (man 7 epoll,
man 2 select, man 7 inotify ...).

Every fd made here is an ``Fd`` (close-on-exec unless ``inheritable=True``) that the ``select``
module, ``selectors`` and asyncio's ``add_reader`` accept.  The C helpers hand results over
flattened (epoll events as (data, events) pairs, poll fds as (fd, revents) pairs, inotify and
fanotify records as rows of ints, select's fd_sets as one flag per fd given), so no kernel
struct's layout is written out in Python: epoll's is packed on x86_64 only, and the headers
say so.

Waits retry EINTR with the time left (PEP 475) and return nothing once it is up.  Timeouts
follow the man page of the call: ``epoll_wait``/``epoll_pwait``/``poll`` in milliseconds,
``epoll_pwait2``/``ppoll``/``pselect6`` in nanoseconds, ``Epoll.poll`` and ``select`` in
seconds like select.epoll and select.select; None or a negative value waits forever (but for
``select``, which refuses it as select.select does).  Signal masks are iterables of signals (see
``linuxsys.sigmask``), None for none.

Reads of event records (``eventfd_read``, ``inotify_read``, ``Inotify.read_events``,
``fanotify_read``, like ``signalfd_read`` and ``timerfd_read``) wait on a blocking fd; on a
nonblocking one with nothing pending they raise ``BlockingIOError`` (EAGAIN), as ``os.read``
and ``os.eventfd_read`` do.  They first check that the fd is of the kind they parse
(``OSError`` EINVAL otherwise, with nothing read): free for the Fds made here, one look in
/proc per call for a bare number.

Flags of each argument have their own namespace: ``EPOLL_CREATE`` (epoll_create1), ``EPOLL``
(events), ``EPOLL_CTL`` (op), ``POLL``, ``EFD``, ``IN_INIT`` (inotify_init1), ``IN`` (watch
masks and event masks), ``FAN_INIT`` (fanotify_init), ``FAN`` (event masks), ``FAN_MARK``,
``FAN_RESPONSE``.
"""
from __future__ import annotations

import math
import operator
import struct
from collections import deque
from time import monotonic_ns as _monotonic_ns
from typing import (Any, Callable, Iterable, Iterator, NamedTuple, Optional, Tuple, TypeVar,
                    Union, overload)

from ._core import (NEG_EINTR, U32, U64, Buffer, PathArg, call, decode, error, ffi,
                    in_range, lib, release, writable)
from .fd import ClosedFdError, Fd, FdArg, fdnum, methods, tagged
from .flags import FlagArg, to_int
from .fd import fdnum_of_kind
from .signal import SignalArg, sigmask
from . import _sys_event
from ._sys_event import *  # noqa: F401,F403  (the plain syscalls, declared in cdefs/event.h)
from ._sys_event import inotify_add_watch, inotify_rm_watch

Signals = Optional[Iterable[SignalArg]]  # a signal mask: None leaves the thread's as it is
PollFds = Iterable[Tuple[FdArg, FlagArg]]

from ._consts import (EPOLL, EPOLL_CREATE, EPOLL_CTL, POLL, EFD, IN, IN_INIT, FAN, FAN_INIT,
                      FAN_RESPONSE, O)

_epoll_create1 = lib.ls_epoll_create1
_epoll_ctl = lib.ls_epoll_ctl
_epoll_pwait = lib.ls_epoll_pwait
_epoll_wait = lib.ls_epoll_wait
_epoll_poll0 = lib.ls_epoll_poll0
_epoll_pwait2 = lib.ls_epoll_pwait2
_ppoll = lib.ls_ppoll
_pselect6 = lib.ls_pselect6
_eventfd2 = lib.ls_eventfd2
_eventfd_read = lib.ls_eventfd_read
_eventfd_parked = lib.ls_eventfd_parked
_eventfd_write = lib.ls_eventfd_write
_write = lib.ls_write  # fanotify_respond's
_inotify_init1 = lib.ls_inotify_init1
_inotify_read = lib.ls_inotify_read
_fanotify_init = lib.ls_fanotify_init
_fanotify_read = lib.ls_fanotify_read

_EPOLL_CLOEXEC = lib.EPOLL_CLOEXEC
_EPOLL_CTL_ADD = lib.EPOLL_CTL_ADD
_EPOLL_CTL_MOD = lib.EPOLL_CTL_MOD
_EPOLL_CTL_DEL = lib.EPOLL_CTL_DEL
_EPOLL_DEFAULT = lib.EPOLLIN | lib.EPOLLPRI | lib.EPOLLOUT  # select.epoll.register's default
_EFD_CLOEXEC = lib.EFD_CLOEXEC
_IN_CLOEXEC = lib.IN_CLOEXEC
_FAN_CLOEXEC = lib.FAN_CLOEXEC
_O_CLOEXEC = lib.O_CLOEXEC
_O_LARGEFILE = lib.O_LARGEFILE  # as for openat: event fds of large files on 32-bit arches
_EPROTO = lib.EPROTO
_NEG_EPROTO = -lib.EPROTO
_METADATA_VERSION = lib.FANOTIFY_METADATA_VERSION
_EVENT_SIZE = lib.LS_EPOLL_EVENT_SIZE
_INOTIFY_ROW = lib.LS_INOTIFY_ROW
_FANOTIFY_ROW = lib.LS_FANOTIFY_ROW
_RESPONSE_SIZE = ffi.sizeof("struct fanotify_response")
_INT_MAX = (1 << 31) - 1
_I64_MAX = (1 << 63) - 1
_TWO64 = 1 << 64
_MAX_NEG_ERRNO = -4095  # the kernel's -MAX_ERRNO: results below it are not -errno
_NS_PER_MS = 1_000_000
_NS_PER_S = 1_000_000_000
_FD_SETSIZE = lib.LS_FD_SETSIZE
_MAXEVENTS = 1023  # Epoll.poll's and epoll_wait's default, as select.epoll (FD_SETSIZE - 1)
_MAX_MAXEVENTS = lib.LS_EP_MAX_EVENTS  # the kernel's EP_MAX_EVENTS (EINVAL beyond)
_POOLED_EVENTS = 65536  # event buffers up to this many events are kept for the next wait
_NULL = ffi.NULL
_new = ffi.new
_unpack = ffi.unpack
_sizeof = ffi.sizeof
_alloc = ffi.new_allocator(should_clear_after_alloc=False)
_tuple_new: Callable[..., Any] = tuple[Any, ...].__new__  # tuple.__new__, typed


# ---- timeouts, signal masks, EINTR ---------------------------------------------------------

def _ms(timeout: Optional[float]) -> int:
    """A timeout in ms for the kernel's int: -1 for None or negative; fractions round up."""
    if timeout is None:
        return -1
    if type(timeout) is not int:
        if not isinstance(timeout, (int, float)):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"a timeout is a number or None, not {type(timeout).__name__!r}")
        if math.isnan(timeout):
            raise ValueError("timeout is NaN")
        timeout = -1 if timeout < 0 else math.ceil(min(timeout, _INT_MAX + 1.0))
    if timeout < 0:
        return -1
    if timeout > _INT_MAX:
        raise OverflowError(f"timeout must be at most {_INT_MAX} ms")
    return timeout


def _ns(timeout_ns: Optional[int]) -> int:
    """A timeout in ns for C's int64: -1 for None or negative."""
    if timeout_ns is None:
        return -1
    ns = in_range(timeout_ns, "timeout_ns", -(1 << 63), _I64_MAX)
    return -1 if ns < 0 else ns


def _maxevents(maxevents: int) -> int:
    """A count of events to wait for: 1 .. the kernel's EP_MAX_EVENTS, checked before anything
    is allocated (ValueError below, OverflowError above, as select.epoll)."""
    n = operator.index(maxevents)
    if n < 1:
        raise ValueError("maxevents must be at least 1")
    if n > _MAX_MAXEVENTS:
        raise OverflowError(f"maxevents must be at most {_MAX_MAXEVENTS}")
    return n


def _sigset(signals: Signals) -> Any:
    """The kernel sigset of some signals, NULL for None (the mask stays as it is)."""
    return _NULL if signals is None else _new("uint64_t *", sigmask(signals))


def _retry(fn: Any, name: str, args: tuple[Any, ...], timeout: int, unit: int, mask: Any,
           start: int, r: int) -> int:
    """After ``fn(*args, timeout, mask)`` returned ``r`` < 0: retry EINTR with the time left
    (PEP 475; ``timeout`` counts ``unit`` ns from ``start``), 0 once it is up; raise any
    other error."""
    deadline = start + timeout * unit
    while r == NEG_EINTR:
        if timeout > 0:
            left = deadline - _monotonic_ns()
            if left <= 0:
                return 0
            timeout = -(-left // unit)
        r = fn(*args, timeout, mask)
    if r < 0:
        raise error(-r, name)
    return r


def _checked(fd: FdArg, kind: str, call: str) -> int:
    """fdnum_of_kind() that also looks through an Inotify (or other holder) to its Fd, whose
    kind its maker knew: aio hands the holder itself to the readers."""
    return fdnum_of_kind(fd._fd if isinstance(fd, _FdHolder) else fd, kind, call)


# ---- epoll ---------------------------------------------------------------------------------

def epoll_create1(flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """A new epoll instance (man 2 epoll_create1; ``EPOLL_CREATE.CLOEXEC``), close-on-exec
    unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/epoll_create.2.html

    Raises:
        OSError: EINVAL for a flag the kernel refuses, EMFILE/ENFILE for too many open files,
            ENOMEM, the subclass os raises for any other errno.
        TypeError: ``flags`` is not an int, EPOLL_CREATE member or name string (before any call).
        ValueError: an unknown EPOLL_CREATE name (before any call).
    """
    f = to_int(flags, EPOLL_CREATE)
    return tagged(call(_epoll_create1, "epoll_create1", f if inheritable else f | _EPOLL_CLOEXEC),
                  "eventpoll")


def epoll_ctl(epfd: FdArg, op: FlagArg, fd: FdArg, events: FlagArg = 0,
              data: Optional[int] = None) -> None:
    """Add, modify or delete (``EPOLL_CTL.ADD``/``MOD``/``DEL``) ``fd``'s entry in an epoll
    instance, with ``EPOLL`` event bits and a 64-bit ``data`` (default: fd's number) that
    waits report back (man 2 epoll_ctl).

    https://man7.org/linux/man-pages/man2/epoll_ctl.2.html

    Raises:
        FileExistsError: ADD of an fd already registered (EEXIST).
        FileNotFoundError: MOD or DEL of an fd not registered (ENOENT).
        PermissionError: ``fd`` does not support epoll: a regular file, a directory (EPERM).
        OSError: EINVAL for an ``epfd`` that is no epoll instance (or ``fd`` itself) or a bad
            EPOLLEXCLUSIVE use, ELOOP for epoll instances watching each other, ENOSPC past
            fs.epoll.max_user_watches, EBADF, the subclass os raises for any other errno.
        ClosedFdError: ``epfd`` or ``fd`` is a closed Fd (a ValueError too, as select.epoll says
            of a closed file).
        TypeError: ``op``/``events`` is not an int, member or name string, or ``data`` not an int
            (before any call).
        ValueError: an unknown EPOLL_CTL or EPOLL name (before any call).
        OverflowError: ``events`` beyond 32 bits, ``data`` outside 0..2**64-1 (before any call).
    """
    n = fdnum(fd)
    d = n if data is None else in_range(data, "data", 0, U64)
    call(_epoll_ctl, "epoll_ctl", fdnum(epfd), to_int(op, EPOLL_CTL), n,
         in_range(to_int(events, EPOLL), "events", 0, U32), d)


# Event buffers of epoll_wait(epfd, maxevents) (each call pops one, see _core's pools), as
# (uint64_t[], memoryview) pairs: a single event is read from the view with one unpack_from.
_wait_bufs: deque[tuple[Any, memoryview]] = deque()
_first_pair = struct.Struct("@QQ").unpack_from  # (data, events) of the first event


def _event_buf(maxevents: int) -> tuple[Any, memoryview]:
    buf = _alloc("uint64_t[]", 2 * max(maxevents, _MAXEVENTS))
    return buf, memoryview(ffi.buffer(buf))


def _pairs(buf: Any, r: int) -> list[tuple[int, int]]:
    """The first r (data, events) pairs of a flattened event buffer."""
    flat = iter(_unpack(buf, 2 * r))
    return list(zip(flat, flat))


def _epoll_events(fn: Any, name: str, epfd: int, maxevents: int, timeout: int, unit: int,
                  mask: Any, bufs: deque[tuple[Any, memoryview]]) -> list[tuple[int, int]]:
    """Wait into a buffer popped from ``bufs`` (grown when too small, then pushed back unless
    it is huge) and return the events as (data, events) pairs.  ``maxevents`` is checked."""
    try:
        pair = bufs.pop()
    except IndexError:
        pair = None
    if pair is None or len(pair[0]) < 2 * maxevents:
        pair = _event_buf(maxevents)
    buf = pair[0]
    try:
        start = _monotonic_ns() if timeout > 0 else 0
        r = fn(epfd, buf, maxevents, timeout, mask)
        if r < 0:
            r = _retry(fn, name, (epfd, buf, maxevents), timeout, unit, mask, start, r)
        return _pairs(buf, r)
    finally:
        if maxevents <= _POOLED_EVENTS:
            bufs.append(pair)


def _epoll(fn: Any, name: str, epfd: FdArg, maxevents_or_buffer: Union[int, Buffer],
           timeout: int, unit: int, signals: Signals) -> Union[list[tuple[int, int]], int]:
    n = fdnum(epfd)
    mask = _sigset(signals)
    if isinstance(maxevents_or_buffer, int):
        return _epoll_events(fn, name, n, _maxevents(maxevents_or_buffer), timeout, unit, mask,
                             _wait_bufs)
    obj = maxevents_or_buffer
    buf = writable(obj)
    try:  # the view is released before anything leaves (a signal handler's exception too)
        maxevents = min(_sizeof(buf) // _EVENT_SIZE, _MAX_MAXEVENTS)
        if maxevents < 1:
            raise ValueError(f"the buffer holds no event ({_EVENT_SIZE} bytes each)")
        start = _monotonic_ns() if timeout > 0 else 0
        r: int = fn(n, buf, maxevents, timeout, mask)
        if r < 0:
            r = _retry(fn, name, (n, buf, maxevents), timeout, unit, mask, start, r)
    except BaseException:
        release(buf, obj)
        raise
    release(buf, obj)
    return r


@overload
def epoll_wait(epfd: FdArg, maxevents_or_buffer: int = _MAXEVENTS,
               timeout: Optional[float] = -1) -> list[tuple[int, int]]: ...
@overload
def epoll_wait(epfd: FdArg, maxevents_or_buffer: Buffer,
               timeout: Optional[float] = -1) -> int: ...


def epoll_wait(epfd: FdArg, maxevents_or_buffer: Union[int, Buffer] = _MAXEVENTS,
               timeout: Optional[float] = -1) -> Union[list[tuple[int, int]], int]:
    """Wait up to ``timeout`` ms for events (man 2 epoll_wait; epoll_pwait on every arch).

    With ``maxevents`` (1 .. the kernel's EP_MAX_EVENTS), a list of (data, events) pairs; with
    a writable buffer, fills it with native uint64 (data, events) pairs, 16 bytes an event,
    and returns their count.

    https://man7.org/linux/man-pages/man2/epoll_wait.2.html

    Raises:
        OSError: EINVAL for an ``epfd`` that is no epoll instance, EBADF for a bad fd, the
            subclass os raises for any other errno.
        ClosedFdError: ``epfd`` is a closed Fd.
        TypeError: a buffer that is not writable, a ``timeout`` that is no number or None
            (before any call).
        ValueError: ``maxevents`` below 1 or a buffer too small for one event, a NaN ``timeout``
            (before any call).
        OverflowError: ``maxevents`` beyond the kernel's EP_MAX_EVENTS, a ``timeout`` beyond a C
            int of ms (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
    """
    return _epoll(_epoll_pwait, "epoll_pwait", epfd, maxevents_or_buffer, _ms(timeout),
                  _NS_PER_MS, None)


@overload
def epoll_pwait(epfd: FdArg, maxevents_or_buffer: int = _MAXEVENTS,
                timeout: Optional[float] = -1, sigmask: Signals = None
                ) -> list[tuple[int, int]]: ...
@overload
def epoll_pwait(epfd: FdArg, maxevents_or_buffer: Buffer,
                timeout: Optional[float] = -1, sigmask: Signals = None) -> int: ...


def epoll_pwait(epfd: FdArg, maxevents_or_buffer: Union[int, Buffer] = _MAXEVENTS,
                timeout: Optional[float] = -1, sigmask: Signals = None
                ) -> Union[list[tuple[int, int]], int]:
    """epoll_wait with the thread's signal mask replaced by ``sigmask`` while it waits
    (man 2 epoll_pwait).

    https://man7.org/linux/man-pages/man2/epoll_wait.2.html

    Raises:
        OSError: EINVAL for an ``epfd`` that is no epoll instance, EBADF for a bad fd, the
            subclass os raises for any other errno.
        ClosedFdError: ``epfd`` is a closed Fd.
        TypeError: a buffer that is not writable, a ``timeout`` that is no number or None, a
            ``sigmask`` that is no iterable of signals (before any call).
        ValueError: ``maxevents`` below 1 or a buffer too small for one event, a NaN
            ``timeout``, an unknown signal in ``sigmask`` (before any call).
        OverflowError: ``maxevents`` beyond the kernel's EP_MAX_EVENTS, a ``timeout`` beyond a C
            int of ms (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
    """
    return _epoll(_epoll_pwait, "epoll_pwait", epfd, maxevents_or_buffer, _ms(timeout),
                  _NS_PER_MS, sigmask)


@overload
def epoll_pwait2(epfd: FdArg, maxevents_or_buffer: int = _MAXEVENTS,
                 timeout_ns: Optional[int] = None, sigmask: Signals = None
                 ) -> list[tuple[int, int]]: ...
@overload
def epoll_pwait2(epfd: FdArg, maxevents_or_buffer: Buffer,
                 timeout_ns: Optional[int] = None, sigmask: Signals = None) -> int: ...


def epoll_pwait2(epfd: FdArg, maxevents_or_buffer: Union[int, Buffer] = _MAXEVENTS,
                 timeout_ns: Optional[int] = None, sigmask: Signals = None
                 ) -> Union[list[tuple[int, int]], int]:
    """epoll_pwait with a nanosecond timeout, 64-bit on every arch (man 2 epoll_pwait2,
    Linux 5.11).

    https://man7.org/linux/man-pages/man2/epoll_wait.2.html

    Raises:
        OSError: EINVAL for an ``epfd`` that is no epoll instance, EBADF for a bad fd, the
            subclass os raises for any other errno (UnsupportedError for ENOSYS: before Linux
            5.11).
        ClosedFdError: ``epfd`` is a closed Fd.
        TypeError: a buffer that is not writable, a ``timeout_ns`` that is no int or None, a
            ``sigmask`` that is no iterable of signals (before any call).
        ValueError: ``maxevents`` below 1 or a buffer too small for one event, an unknown signal
            in ``sigmask`` (before any call).
        OverflowError: ``maxevents`` beyond the kernel's EP_MAX_EVENTS, a ``timeout_ns`` beyond
            64 bits (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
    """
    return _epoll(_epoll_pwait2, "epoll_pwait2", epfd, maxevents_or_buffer, _ns(timeout_ns), 1,
                  sigmask)


class _FdHolder:
    """An object around one Fd (``.fd``): fileno(), close(), ``closed``, a context manager."""

    __slots__ = ("_fd",)
    _fd: Fd

    @property
    def fd(self) -> Fd:
        return self._fd

    @property
    def closed(self) -> bool:
        return self._fd.closed

    def fileno(self) -> int:
        return self._fd.fileno()

    def close(self) -> None:
        self._fd.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._fd.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {'closed' if self._fd.closed else self._fd.fd}>"


class Epoll(_FdHolder):
    """An epoll instance used like select.epoll (man 7 epoll): register/modify/unregister fds,
    ``poll`` for (fd, events) pairs.  ``poll`` reuses its event buffer from call to call.
    Once closed, every method raises ClosedFdError (an OSError EBADF and a ValueError, as
    select.epoll raises ValueError), and so does a closed Fd given to one."""

    __slots__ = ("_bufs",)

    def __init__(self, flags: FlagArg = 0, *, inheritable: bool = False) -> None:
        self._fd = epoll_create1(flags, inheritable=inheritable)
        self._bufs: deque[tuple[Any, memoryview]] = deque()  # as _wait_bufs

    def register(self, fd: FdArg, eventmask: FlagArg = _EPOLL_DEFAULT) -> None:
        """Watch ``fd`` for ``EPOLL`` events (default IN|PRI|OUT); EEXIST if it is already
        watched (man 2 epoll_ctl)."""
        epoll_ctl(self._fd, _EPOLL_CTL_ADD, fd, eventmask)

    def modify(self, fd: FdArg, eventmask: FlagArg) -> None:
        """Change the events a watched fd is watched for (man 2 epoll_ctl)."""
        epoll_ctl(self._fd, _EPOLL_CTL_MOD, fd, eventmask)

    def unregister(self, fd: FdArg) -> None:
        """Stop watching ``fd`` (man 2 epoll_ctl); ClosedFdError for a closed Fd, as
        select.epoll raises ValueError for a closed file (the kernel forgot it already)."""
        epoll_ctl(self._fd, _EPOLL_CTL_DEL, fd)

    def poll(self, timeout: Optional[float] = None,
             maxevents: int = -1) -> list[tuple[int, int]]:
        """Wait up to ``timeout`` seconds (None or negative: forever) for events; return
        (fd, events) pairs, at most ``maxevents`` (-1: 1023) (man 2 epoll_wait)."""
        if maxevents == -1 and type(timeout) is int and timeout == 0:  # poll(0), the hottest
            ms = 0
        else:
            if timeout is None:
                ms = -1
            elif not isinstance(timeout, (int, float)):  # pyright: ignore[reportUnnecessaryIsInstance]
                raise TypeError(f"timeout is seconds or None, not {type(timeout).__name__!r}")
            else:
                ms = 0 if timeout == 0 else _ms(timeout * 1000)
            if maxevents != -1 or ms > 0:  # a count to check or a deadline to keep
                return _epoll_events(_epoll_pwait, "epoll_pwait", fdnum(self._fd),
                                     _MAXEVENTS if maxevents == -1 else _maxevents(maxevents),
                                     ms, _NS_PER_MS, _NULL, self._bufs)
        # The usual call, inline: every test is a bytecode.  A zero timeout keeps the GIL.
        try:
            pair = self._bufs.pop()
        except IndexError:
            pair = _event_buf(_MAXEVENTS)
        if ms:
            r = _epoll_wait(self._fd._fd, pair[0], _MAXEVENTS, ms)
        else:
            r = _epoll_poll0(self._fd._fd, pair[0], _MAXEVENTS)
        if r == 1:  # one event (the common case) unpacked at once: 5x cheaper than unpack+zip
            events = [_first_pair(pair[1])]
        elif r > 1:
            events = _pairs(pair[0], r)
        elif r == 0:
            events = []
        else:  # EINTR or an error: the general path retries or raises
            self._bufs.append(pair)
            return _epoll_events(_epoll_pwait, "epoll_pwait", fdnum(self._fd), _MAXEVENTS, ms,
                                 _NS_PER_MS, _NULL, self._bufs)
        self._bufs.append(pair)
        return events


# ---- poll ----------------------------------------------------------------------------------

def _poll(name: str, fds: PollFds, timeout_ns: int, mask: Any) -> list[tuple[int, int]]:
    flat: list[int] = []
    keep: list[Any] = []  # the fd objects, alive until this returns: a generator would drop each one
    for fd, events in fds:
        if type(fd) is not int:
            keep.append(fd)
        flat.append(fd if type(fd) is int else fdnum(fd))
        if type(events) is not int or not 0 <= events <= 0xFFFF:
            events = in_range(to_int(events, POLL), "events", 0, 0xFFFF)
        flat.append(events)
    nfds = len(flat) >> 1
    arr = _new("int[]", flat)
    start = _monotonic_ns() if timeout_ns > 0 else 0
    r = _ppoll(arr, nfds, timeout_ns, mask)
    if r < 0:
        r = _retry(_ppoll, name, (arr, nfds), timeout_ns, 1, mask, start, r)
    if r == 0:
        return []
    out = _unpack(arr, 2 * nfds)
    return [(out[i], out[i + 1]) for i in range(0, 2 * nfds, 2) if out[i + 1]]


def poll(fds: PollFds, timeout: Optional[float] = -1) -> list[tuple[int, int]]:
    """Wait up to ``timeout`` ms until one of ``fds``, (fd, ``POLL`` events) pairs, is ready;
    return (fd, revents) for those with revents (man 2 poll; ppoll on every arch: aarch64 has
    no poll).

    https://man7.org/linux/man-pages/man2/poll.2.html

    Raises:
        OSError: EINVAL for more fds than RLIMIT_NOFILE, ENOMEM, the subclass os raises for
            any other errno (a bad fd is no error: its revents say POLLNVAL).
        ClosedFdError: an Fd of ``fds`` is closed.
        TypeError: ``fds`` is no iterable of (fd, events) pairs, an fd is no fd, events not an
            int, POLL member or name string, or a ``timeout`` that is no number or None (before
            any call).
        ValueError: an item that is no pair, an unknown POLL name, a NaN ``timeout`` (before any
            call).
        OverflowError: events beyond 16 bits, a ``timeout`` beyond a C int of ms (before any
            call).
    """
    ms = _ms(timeout)
    return _poll("ppoll", fds, ms * _NS_PER_MS if ms > 0 else ms, _NULL)


def ppoll(fds: PollFds, timeout_ns: Optional[int] = None,
          sigmask: Signals = None) -> list[tuple[int, int]]:
    """poll with a nanosecond timeout and the signal mask replaced by ``sigmask`` while it
    waits (man 2 ppoll; ppoll_time64 on 32-bit arches).

    https://man7.org/linux/man-pages/man2/poll.2.html

    Raises:
        OSError: EINVAL for more fds than RLIMIT_NOFILE, ENOMEM, the subclass os raises for
            any other errno (a bad fd is no error: its revents say POLLNVAL).
        ClosedFdError: an Fd of ``fds`` is closed.
        TypeError: ``fds`` is no iterable of (fd, events) pairs, an fd is no fd, events not an
            int, POLL member or name string, ``timeout_ns`` no int or None, ``sigmask`` no
            iterable of signals (before any call).
        ValueError: an item that is no pair, an unknown POLL name, an unknown signal in
            ``sigmask`` (before any call).
        OverflowError: events beyond 16 bits, a ``timeout_ns`` beyond 64 bits (before any call).
    """
    return _poll("ppoll", fds, _ns(timeout_ns), _sigset(sigmask))


# ---- select --------------------------------------------------------------------------------

def _select(rlist: Iterable[FdArg], wlist: Iterable[FdArg], xlist: Iterable[FdArg],
            timeout_ns: int, mask: Any) -> tuple[list[Any], list[Any], list[Any]]:
    lists = (list(rlist), list(wlist), list(xlist))  # the objects: alive until this returns
    nums: list[int] = []
    for objs in lists:
        for obj in objs:
            n = fdnum(obj)
            if not 0 <= n < _FD_SETSIZE:  # as select.select: OverflowError beyond a C int
                raise (OverflowError if not -_INT_MAX - 1 <= n <= _INT_MAX else ValueError)(
                    f"fd {n} outside 0..{_FD_SETSIZE - 1}, what an fd_set holds (FD_SETSIZE): "
                    f"use poll or epoll")
            nums.append(n)
    total = len(nums)
    fds = _new("int[]", nums) if total else _NULL
    ready = _new("unsigned char[]", total) if total else _NULL
    counts = (len(lists[0]), len(lists[1]), len(lists[2]))
    start = _monotonic_ns() if timeout_ns > 0 else 0
    r = _pselect6(fds, *counts, ready, timeout_ns, mask)
    if r < 0:
        r = _retry(_pselect6, "pselect6", (fds, *counts, ready), timeout_ns, 1, mask, start, r)
    if r == 0:
        return [], [], []
    flags = ffi.buffer(ready)[:]
    out: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    k = 0
    for objs, found in zip(lists, out):
        for obj in objs:
            if flags[k]:
                found.append(obj)
            k += 1
    return out


def pselect6(rlist: Iterable[FdArg], wlist: Iterable[FdArg], xlist: Iterable[FdArg],
             timeout_ns: Optional[int] = None, sigmask: Signals = None
             ) -> tuple[list[Any], list[Any], list[Any]]:
    """Wait up to ``timeout_ns`` (None: forever) until an fd of ``rlist`` is readable, one of
    ``wlist`` writable or one of ``xlist`` has an exceptional condition, with the signal mask
    replaced by ``sigmask`` while it waits (man 2 pselect6, man 2 select; pselect6_time64 on
    32-bit arches).  Returns the three lists of the objects given that are ready, as
    select.select does.

    https://man7.org/linux/man-pages/man2/select.2.html

    The fds (Fds, ints, objects with fileno(), std names) must be below FD_SETSIZE (1024):
    others raise ValueError (OverflowError past a C int), as in select.select; poll and epoll
    take any fd.

    Raises:
        OSError: EBADF for a number that is no open fd, EINVAL, ENOMEM, the subclass os raises
            for any other errno.
        ClosedFdError: an Fd of the lists is closed.
        TypeError: an item is no fd, ``timeout_ns`` no int or None, ``sigmask`` no iterable of
            signals (before any call).
        ValueError: an fd outside 0..FD_SETSIZE-1, an unknown signal in ``sigmask`` (before any
            call).
        OverflowError: an fd beyond a C int, a ``timeout_ns`` beyond 64 bits (before any call).
    """
    return _select(rlist, wlist, xlist, _ns(timeout_ns), _sigset(sigmask))


def select(rlist: Iterable[FdArg], wlist: Iterable[FdArg], xlist: Iterable[FdArg],
           timeout: Optional[float] = None) -> tuple[list[Any], list[Any], list[Any]]:
    """select.select's call: pselect6 with ``timeout`` in seconds (None: forever; negative:
    ValueError, as select.select), rounded up to whole ns (man 2 select; pselect6 on every
    arch: aarch64 has no select).

    https://man7.org/linux/man-pages/man2/select.2.html

    Raises:
        OSError: EBADF for a number that is no open fd, EINVAL, ENOMEM, the subclass os raises
            for any other errno.
        ClosedFdError: an Fd of the lists is closed.
        TypeError: an item is no fd, or a ``timeout`` that is no number or None (before any
            call).
        ValueError: an fd outside 0..FD_SETSIZE-1, a negative or NaN ``timeout`` (before any
            call).
        OverflowError: an fd beyond a C int, a ``timeout`` too large for 64-bit ns (before any
            call).
    """
    if timeout is None:
        ns = -1
    else:
        if not isinstance(timeout, (int, float)):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"timeout is seconds or None, not {type(timeout).__name__!r}")
        if timeout != timeout:
            raise ValueError("timeout is NaN")
        if timeout < 0:
            raise ValueError("timeout must be non-negative")
        ns = timeout * _NS_PER_S if type(timeout) is int else math.ceil(timeout * 1e9)
        if ns > _I64_MAX:
            raise OverflowError("timeout too large")
    return _select(rlist, wlist, xlist, ns, _NULL)


# ---- eventfd -------------------------------------------------------------------------------

def eventfd(initval: int = 0, flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """An eventfd counter starting at ``initval`` (man 2 eventfd; eventfd2 on every arch):
    ``EFD.SEMAPHORE``, ``EFD.NONBLOCK``, close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/eventfd.2.html

    Raises:
        OSError: EINVAL for a flag the kernel refuses, EMFILE/ENFILE for too many open files,
            ENOMEM, the subclass os raises for any other errno.
        TypeError: ``initval`` is not an int, or ``flags`` not an int, EFD member or name string
            (before any call).
        ValueError: an unknown EFD name (before any call).
        OverflowError: ``initval`` outside 0..2**32-1 (before any call).
    """
    f = to_int(flags, EFD)
    return tagged(call(_eventfd2, "eventfd2", in_range(initval, "initval", 0, U32),
                       f if inheritable else f | _EFD_CLOEXEC), "eventfd")


def eventfd_read(fd: FdArg) -> int:
    """Take an eventfd's counter (1 with EFD.SEMAPHORE), waiting while it is 0 on a blocking
    fd (man 2 eventfd; os.eventfd_read).

    https://man7.org/linux/man-pages/man2/eventfd.2.html

    Raises:
        BlockingIOError: a nonblocking fd with nothing pending (EAGAIN).
        OSError: EINVAL for an fd of another kind (nothing is read), the subclass os raises
            for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
    """
    if type(fd) is Fd and fd._kind == "eventfd":  # eventfd()'s own: the kind is known
        n = fd._fd
        if n < 0:
            raise ClosedFdError()
    else:
        n = fdnum_of_kind(fd, "eventfd", "eventfd_read")
    # The counter is the result (see cdefs/event.c): no buffer to pool, fill and read.
    r = _eventfd_read(n)
    while r < 0:
        if r < _MAX_NEG_ERRNO:  # a counter above INT64_MAX
            return r + _TWO64
        if r != NEG_EINTR:
            raise error(-r, "read")  # EINVAL too: not an eventfd (and no /proc to tell)
        r = _eventfd_read(n)
    return r if r else _eventfd_parked(n)


def eventfd_write(fd: FdArg, value: int) -> None:
    """Add ``value`` (0 .. 2**64-2) to an eventfd's counter, waiting while it would overflow
    unless the fd is nonblocking (man 2 eventfd; os.eventfd_write).

    https://man7.org/linux/man-pages/man2/eventfd.2.html

    Raises:
        BlockingIOError: a nonblocking fd whose counter would overflow (EAGAIN).
        OSError: EINVAL for an fd of another kind (nothing is written) or a ``value`` of
            2**64-1, the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``value`` is not an int, or ``fd`` no fd (before any call).
        OverflowError: ``value`` outside 0..2**64-1 (before any call).
    """
    if type(fd) is Fd and fd._kind == "eventfd" and type(value) is int:
        # eventfd()'s own: no /proc look, and cffi refuses an int outside uint64_t
        # (OverflowError) before the call; the kernel refuses 2**64-1 itself
        n = fd._fd
        if n < 0:
            raise ClosedFdError()
    else:
        value = in_range(value, "value", 0, U64)  # first: nothing looked up for a bad value
        n = fdnum_of_kind(fd, "eventfd", "eventfd_write")
    r = _eventfd_write(n, value)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, "write")
        r = _eventfd_write(n, value)


# ---- inotify and fanotify records ----------------------------------------------------------

_RECORDS = 8192  # bytes of one read: at least one inotify event (16 + NAME_MAX + 1)
# (buffer, rows) pairs of inotify_read/fanotify_read, each call pops one (see io.read).
_record_bufs: list[tuple[Any, Any]] = []
_Record = TypeVar("_Record")


def _read_records(fn: Any, n: int, parse: Callable[[int, Any, Any], list[_Record]]
                  ) -> list[_Record]:
    """One parsing read of fd ``n`` by ``fn`` into a pooled (buffer, rows) pair:
    ``parse(result, buffer, rows)``; BlockingIOError when a nonblocking fd has nothing."""
    try:
        buf, rows = _record_bufs.pop()
    except IndexError:
        buf = _alloc("char[]", _RECORDS)
        rows = _alloc("int64_t[]", _RECORDS // 16 * max(_INOTIFY_ROW, _FANOTIFY_ROW))
    try:
        r = fn(n, buf, _RECORDS, rows)
        while r < 0:
            if r == _NEG_EPROTO:  # ls_fanotify_read: a metadata version it cannot parse
                raise OSError(_EPROTO, f"fanotify_read: event metadata version {rows[0]}, "
                                       f"this build parses version {_METADATA_VERSION}")
            if r != NEG_EINTR:
                raise error(-r, "read")
            r = fn(n, buf, _RECORDS, rows)
        return parse(r, buf, rows)
    finally:
        _record_bufs.append((buf, rows))


class InotifyEvent(NamedTuple):
    """One inotify event (man 7 inotify): watch descriptor, IN mask, rename cookie, and the
    name of the entry inside a watched directory (None for the watched object itself)."""
    wd: int
    mask: IN
    cookie: int
    name: Optional[str]


class _Masks(dict[int, Any]):
    """mask -> ns(mask), cached: building an IntFlag costs ~0.3 us, masks repeat."""

    __slots__ = ("ns",)

    def __init__(self, ns: type) -> None:
        super().__init__()
        self.ns = ns

    def __missing__(self, m: int) -> Any:
        f = self[m] = self.ns(m)
        return f


_in_masks = _Masks(IN)
_fan_masks = _Masks(FAN)


def inotify_init1(flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """A new inotify instance (man 2 inotify_init1; ``IN_INIT.NONBLOCK``,
    ``IN_INIT.CLOEXEC``), close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/inotify_init.2.html

    Raises:
        OSError: EMFILE past fs.inotify.max_user_instances (or the open-files limit), ENFILE,
            EINVAL for a flag the kernel refuses, ENOMEM, the subclass os raises for any other
            errno.
        TypeError: ``flags`` is not an int, IN_INIT member or name string (before any call).
        ValueError: an unknown IN_INIT name (before any call).
    """
    f = to_int(flags, IN_INIT)
    return tagged(call(_inotify_init1, "inotify_init1", f if inheritable else f | _IN_CLOEXEC),
                  "inotify")


def _inotify_events(r: int, buf: Any, rows: Any) -> list[InotifyEvent]:
    names = decode(_unpack(buf, r)).split("\0")  # a name (maybe "") per event, then ""
    flat = _unpack(rows, _INOTIFY_ROW * (len(names) - 1))
    return [_tuple_new(InotifyEvent, (flat[j], _in_masks[flat[j + 1]], flat[j + 2], name or None))
            for j, name in zip(range(0, len(flat), _INOTIFY_ROW), names)]


def inotify_read(fd: FdArg) -> list[InotifyEvent]:
    """The events one read(2) of an inotify fd gives, as InotifyEvents: it waits for some on
    a blocking fd (man 7 inotify).

    https://man7.org/linux/man-pages/man7/inotify.7.html

    Raises:
        BlockingIOError: a nonblocking fd with nothing pending (EAGAIN).
        OSError: EINVAL for an fd of another kind (nothing is read), the subclass os raises
            for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
    """
    return _read_records(_inotify_read, _checked(fd, "inotify", "inotify_read"),
                         _inotify_events)


class Inotify(_FdHolder):
    """An inotify instance (man 7 inotify): add_watch/rm_watch, read_events(), and iteration
    yielding InotifyEvents: forever on a blocking fd, until none is pending on a nonblocking
    one (``Inotify(IN_INIT.NONBLOCK)``)."""

    __slots__ = ()

    def __init__(self, flags: FlagArg = 0, *, inheritable: bool = False) -> None:
        self._fd = inotify_init1(flags, inheritable=inheritable)

    def add_watch(self, pathname: PathArg, mask: FlagArg = IN.ALL_EVENTS) -> int:
        """Watch ``pathname`` (default: for every event); return its wd
        (man 2 inotify_add_watch)."""
        return inotify_add_watch(self._fd, pathname, mask)

    def rm_watch(self, wd: int) -> None:
        """Remove a watch (man 2 inotify_rm_watch)."""
        inotify_rm_watch(self._fd, wd)

    def read_events(self) -> list[InotifyEvent]:
        """The events one read gives; BlockingIOError if nonblocking and none is pending
        (man 7 inotify)."""
        return inotify_read(self._fd)

    def __iter__(self) -> Iterator[InotifyEvent]:
        """Events as read_events() gives them, until it finds none pending."""
        while True:
            try:
                events = inotify_read(self._fd)
            except BlockingIOError:
                return
            yield from events


class FanotifyEvent(NamedTuple):
    """One fanotify event (man 7 fanotify): FAN mask, an Fd of the object the caller owns and
    must close (None: FAN_NOFD, e.g. on overflow), the pid (a tid with FAN_REPORT_TID), and a
    pidfd of that process, also the caller's, with FAN_REPORT_PIDFD (else None)."""
    mask: FAN
    fd: Optional[Fd]
    pid: int
    pidfd: Optional[Fd]


def fanotify_init(flags: FlagArg = 0, event_f_flags: FlagArg = 0,
                  *, inheritable: bool = False) -> Fd:
    """A new fanotify group (man 2 fanotify_init; CAP_SYS_ADMIN for most uses): ``FAN_INIT``
    class/report flags, ``O`` flags for the event fds.  Both it and the event fds are
    close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/fanotify_init.2.html

    Raises:
        PermissionError: without CAP_SYS_ADMIN for a group that needs it (EPERM).
        OSError: EINVAL for flags the kernel refuses, EMFILE past the groups or open-files
            limit, ENOMEM, the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: no CONFIG_FANOTIFY).
        TypeError: ``flags``/``event_f_flags`` is not an int, member or name string (before any
            call).
        ValueError: an unknown FAN_INIT or O name (before any call).
        OverflowError: flags beyond 32 bits (before any call).
    """
    f, o = to_int(flags, FAN_INIT), to_int(event_f_flags, O) | _O_LARGEFILE
    if not inheritable:
        f |= _FAN_CLOEXEC
        o |= _O_CLOEXEC
    return tagged(call(_fanotify_init, "fanotify_init", in_range(f, "flags", 0, U32),
                       in_range(o, "event_f_flags", 0, U32)), "fanotify")


def _owned(n: int) -> Optional[Fd]:
    return Fd(n) if n >= 0 else None


def _fanotify_events(r: int, buf: Any, rows: Any) -> list[FanotifyEvent]:
    flat = _unpack(rows, _FANOTIFY_ROW * r)
    return [_tuple_new(FanotifyEvent, (_fan_masks[flat[j]], _owned(flat[j + 1]), flat[j + 2],
                                       _owned(flat[j + 3])))
            for j in range(0, len(flat), _FANOTIFY_ROW)]


def fanotify_read(fd: FdArg) -> list[FanotifyEvent]:
    """The events one read(2) of a fanotify fd gives: waits for some on a blocking fd (man 7
    fanotify).  Close each event's Fds.

    https://man7.org/linux/man-pages/man7/fanotify.7.html

    Raises:
        BlockingIOError: a nonblocking fd with nothing pending (EAGAIN).
        OSError: EINVAL for an fd of another kind (nothing is read), EPROTO for events whose
            metadata version is not the one this build parses (no fd is adopted), EMFILE/ENFILE
            when the kernel cannot open an event's fd, ETXTBSY for a writable event fd of a file
            being executed, the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
    """
    return _read_records(_fanotify_read, _checked(fd, "fanotify", "fanotify_read"),
                         _fanotify_events)


def fanotify_respond(fd: FdArg, event_fd: FdArg, response: FlagArg) -> None:
    """Allow or deny the access a permission event (FAN.OPEN_PERM ...) holds up:
    ``FAN_RESPONSE.ALLOW`` or ``DENY`` (| ``AUDIT``), written as a struct fanotify_response
    (man 7 fanotify).

    https://man7.org/linux/man-pages/man7/fanotify.7.html

    Raises:
        FileNotFoundError: ``event_fd`` is no pending permission event, answered already maybe
            (ENOENT).
        OSError: EINVAL for an fd other than a fanotify group (nothing is written) or a bad
            response, the subclass os raises for any other errno.
        ClosedFdError: ``fd`` or ``event_fd`` is a closed Fd.
        TypeError: ``response`` is not an int, FAN_RESPONSE member or name string, or an fd no
            fd (before any call).
        ValueError: an unknown FAN_RESPONSE name (before any call).
        OverflowError: ``response`` beyond 32 bits (before any call).
    """
    answer = _new("struct fanotify_response *")
    answer.fd = fdnum(event_fd)
    answer.response = in_range(to_int(response, FAN_RESPONSE), "response", 0, U32)
    call(_write, "write", _checked(fd, "fanotify", "fanotify_respond"), answer, _RESPONSE_SIZE)


methods(epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2, eventfd_read, eventfd_write,
        inotify_read, fanotify_read, fanotify_respond)
# The names the issue gives the eventfd methods: fd.read_value(), fd.write_value(v).
Fd.read_value = eventfd_read
Fd.write_value = eventfd_write

__all__ = ["epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "Epoll",
           "poll", "ppoll", "pselect6", "select", "eventfd", "eventfd_read", "eventfd_write",
           "inotify_init1", "inotify_read", "InotifyEvent", "Inotify",
           "fanotify_init", "fanotify_read", "fanotify_respond",
           "FanotifyEvent"]
__all__ += _sys_event.__all__
