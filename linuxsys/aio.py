"""aio: asyncio iterators over the records of event fds (inotify, eventfd, signalfd, timerfd).

    import linuxsys as L, linuxsys.aio

    with L.Inotify() as ino:
        ino.add_watch("/tmp", L.IN.CREATE)
        async for event in linuxsys.aio.inotify_events(ino):
            print(event.name)

One generic piece, ``FdReader``: each time the running loop sees the fd readable
(``loop.add_reader``), it reads once and yields what that read gave, record by record: one
read(2) per readiness, none that finds nothing (records already pending are read once the
loop reports them, at its next turn).  With ``drain=True`` it reads on at each readiness until
nothing is pending (one more read, the one that finds nothing), for a reader that wants
everything queued at once: an eventfd in EFD.SEMAPHORE mode gives one count a read.  It makes
the fd nonblocking (O_NONBLOCK, as asyncio's pipe transports do), so reads never stall the
loop; that flag is the open file's, shared by every fd duplicated from it.  One iterator per
fd at a time: the loop keeps one reader callback per fd.  Iteration ends when it finds the
fd object (an Fd, Inotify ...) closed; to stop one waiting, cancel its task.  The reader
callback is registered for each wait only, so nothing is left in the loop once iteration
stops (a registration outliving its fd would break the next add_reader of that number).

The readers of linuxsys raise BlockingIOError (EAGAIN) when nothing is pending; FdReader takes
that (or an empty batch) as "wait until readable", so it never reaches the caller.  Arguments
are checked before the fd is touched: a wrong kind of fd (a pipe given to
``eventfd_values``) raises OSError EINVAL, a closed Fd ClosedFdError, a read that is not
callable TypeError, and O_NONBLOCK is then left as it was.
"""
from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, AsyncIterator, Callable, Iterable, TypeVar

from ._core import lib
from .event import Inotify, InotifyEvent, eventfd_read, inotify_read
from .fd import FdArg, fdnum
from .io import fcntl
from .fd import fdnum_of_kind
from .signal import Siginfo, signalfd_read
from .time import timerfd_read

T = TypeVar("T")

_F_GETFL = lib.F_GETFL
_F_SETFL = lib.F_SETFL
_O_NONBLOCK = lib.O_NONBLOCK


def set_nonblocking(fd: FdArg) -> None:
    """Set O_NONBLOCK on an fd's open file unless it is set (man 2 fcntl, F_SETFL)."""
    flags = fcntl(fd, _F_GETFL)
    if not flags & _O_NONBLOCK:
        fcntl(fd, _F_SETFL, flags | _O_NONBLOCK)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class FdReader(AsyncIterator[T]):
    """Async iterator over the records ``read(fd)`` returns, one call of it each time the loop
    reports ``fd`` readable (with ``drain``: calls until nothing is pending).

    ``read`` is called with the fd object as given, on a nonblocking fd; it returns an
    iterable of records, empty (or raising BlockingIOError) when none is pending.  Both are
    checked (TypeError, ClosedFdError ...) before O_NONBLOCK is set.
    """

    def __init__(self, fd: FdArg, read: Callable[[Any], Iterable[T]], *,
                 drain: bool = False) -> None:
        if not callable(read):
            raise TypeError(f"read must be callable, not {type(read).__name__!r}")
        fdnum(fd)  # a closed Fd, or no fd at all, is refused here rather than after F_SETFL
        set_nonblocking(fd)
        self._fd = fd
        self._read = read
        self._drain = bool(drain)
        self._pending: deque[T] = deque()

    def __aiter__(self) -> FdReader[T]:
        return self

    async def __anext__(self) -> T:
        pending = self._pending
        while not pending:
            if getattr(self._fd, "closed", False):
                raise StopAsyncIteration
            # Wait first, then read: a read that finds nothing (EAGAIN) is a syscall for no
            # record, and level-triggered readiness reports what is pending already at once.
            await self._readable()
            if getattr(self._fd, "closed", False):  # closed by another task meanwhile
                raise StopAsyncIteration
            self._take()
        return pending.popleft()

    def _take(self) -> None:
        """One read into the pending records; with drain, reads until nothing is pending."""
        while True:
            try:
                records = self._read(self._fd)
            except BlockingIOError:  # readiness taken by someone else, or drained
                return
            n = len(self._pending)
            self._pending.extend(records)
            if not self._drain or len(self._pending) == n:
                return

    async def _readable(self) -> None:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        n = fdnum(self._fd)
        loop.add_reader(n, _wake, future)
        try:
            await future
        finally:
            loop.remove_reader(n)


def _reader(fd: FdArg, read: Callable[[Any], Iterable[T]], kind: str, call: str,
            drain: bool) -> FdReader[T]:
    """An FdReader once ``fd`` (an Inotify: its Fd) is known to be a ``kind`` of fd: the
    wrong kind is refused before O_NONBLOCK is set on it."""
    fdnum_of_kind(fd.fd if isinstance(fd, Inotify) else fd, kind, call)
    return FdReader(fd, read, drain=drain)


def inotify_events(fd: FdArg, *, drain: bool = False) -> FdReader[InotifyEvent]:
    """InotifyEvents as they arrive on an Inotify or inotify fd (man 7 inotify)."""
    return _reader(fd, inotify_read, "inotify", "inotify_events", drain)


def _eventfd_values(fd: Any) -> list[int]:
    return [eventfd_read(fd)]  # BlockingIOError once the counter is 0


def eventfd_values(fd: FdArg, *, drain: bool = False) -> FdReader[int]:
    """An eventfd's counter each time it is taken: its value, or 1s with EFD.SEMAPHORE
    (man 2 eventfd)."""
    return _reader(fd, _eventfd_values, "eventfd", "eventfd_values", drain)


def signalfd_siginfos(fd: FdArg, *, drain: bool = False) -> FdReader[Siginfo]:
    """The signals a signalfd receives, as Siginfo records (man 2 signalfd)."""
    return _reader(fd, signalfd_read, "signalfd", "signalfd_siginfos", drain)


def _timerfd_counts(fd: Any) -> list[int]:
    return [timerfd_read(fd)]  # BlockingIOError until it expires again


def timerfd_expirations(fd: FdArg, *, drain: bool = False) -> FdReader[int]:
    """A timerfd's expiration counts, one per read that found any (man 2 timerfd_create)."""
    return _reader(fd, _timerfd_counts, "timerfd", "timerfd_expirations", drain)


__all__ = ["FdReader", "set_nonblocking", "inotify_events", "eventfd_values",
           "signalfd_siginfos", "timerfd_expirations"]
