"""aio: asyncio over linuxsys fds -- awaitable socket calls, iterators over the records of
event fds (inotify, eventfd, signalfd, timerfd), and io_uring requests as awaitables
(``AsyncRing``)::

    import linuxsys as L, linuxsys.aio

    async def echo(conn):
        with conn:
            while data := await linuxsys.aio.recv(conn, 65536):
                await linuxsys.aio.sendall(conn, data)

    async def serve(listener):          # a nonblocking listening socket
        while True:
            conn, address = await linuxsys.aio.accept(listener)
            asyncio.ensure_future(echo(conn))

**Sockets**: ``accept``, ``connect``, ``recv``, ``recv_into``, ``recvmsg``, ``send``,
``sendall`` and ``sendmsg`` are the calls of ``linuxsys.net`` as coroutines on the running
loop, shaped as asyncio's ``loop.sock_recv``/``sock_accept``/``sock_connect``: each tries its
call once; on BlockingIOError it registers ``loop.add_reader`` (``add_writer`` for sending and
connecting), and each time the loop reports the socket ready it tries once more: one syscall
per readiness, none more when the call found data (a readiness that another reader took first
is waited again).  The reader or writer is removed on every way out, cancellation included,
so nothing is left in the loop; a call cancelled while waiting has read or sent nothing.  A
nonblocking ``connect`` waits until the socket is writable and raises the OSError that
``SO_ERROR`` then holds (ConnectionRefusedError ...).  They need a nonblocking socket
(``SOCK_FLAG.NONBLOCK``, or ``set_nonblocking``) and refuse a blocking one with ValueError
before any call that would block the loop (one fcntl F_GETFL per call tells); ``accept``
gives nonblocking connections.  One waiting reader and one waiting writer per fd at a time,
as with ``loop.sock_*``: the loop keeps one callback per fd and direction.  Other errors are
those of the ``linuxsys.net`` call (a closed Fd: ClosedFdError; bad arguments TypeError or
ValueError before any call).

**Event fds**: one generic piece, ``FdReader``: each time the running loop sees the fd
readable (``loop.add_reader``), it reads once and yields what that read gave, record by
record: one read(2) per readiness, none that finds nothing (records already pending are read
once the loop reports them, at its next turn).  With ``drain=True`` it reads on at each
readiness until nothing is pending (one more read, the one that finds nothing), for a reader
that wants everything queued at once: an eventfd in EFD.SEMAPHORE mode gives one count a
read.  It makes the fd nonblocking (O_NONBLOCK, as asyncio's pipe transports do), so reads
never stall the loop; that flag is the open file's, shared by every fd duplicated from it.
One iterator per fd at a time: the loop keeps one reader callback per fd.  Iteration ends when
it finds the fd object (an Fd, Inotify ...) closed; to stop one waiting, cancel its task.  The
reader callback is registered for each wait only, so nothing is left in the loop once
iteration stops (a registration outliving its fd would break the next add_reader of that
number)::

    with L.Inotify() as ino:
        ino.add_watch("/tmp", L.IN.CREATE)
        async for event in linuxsys.aio.inotify_events(ino):
            print(event.name)

**io_uring**: ``AsyncRing`` registers an eventfd on a ``Ring`` (IORING_REGISTER_EVENTFD),
watches it with ``loop.add_reader`` and resolves each request's future from its completion
(by user_data): ``await ar.read(fd, 4096, offset)``, ``write``, ``nop``, ``fsync``, ``poll``,
``recv``, ``send``, ``sleep``, any ``Ring.prep_*`` through ``request()``, and
``completions()``, an async iterator over the Cqes of requests prepared on ``ar.ring`` by
hand.  Requests of one turn of the loop go to the kernel in one io_uring_enter; a task
cancelled while waiting cancels its request on the ring (IORING_OP_ASYNC_CANCEL), whose
buffer the ring holds until the request's own completion.  Regular files, pipes and blocking
sockets alike: the ring waits, not the loop::

    async with linuxsys.aio.AsyncRing() as ar:
        blocks = await asyncio.gather(*(ar.read(fd, 4096, i * 4096) for i in range(100)))

The readers of linuxsys raise BlockingIOError (EAGAIN) when nothing is pending; FdReader takes
that (or an empty batch) as "wait until readable", so it never reaches the caller.  Arguments
are checked before the fd is touched: a wrong kind of fd (a pipe given to
``eventfd_values``) raises OSError EINVAL, a closed Fd ClosedFdError, a read that is not
callable TypeError, and O_NONBLOCK is then left as it was.
"""
from __future__ import annotations

import asyncio
from collections import deque
from typing import (TYPE_CHECKING, Any, AsyncIterator, Callable, Iterable, Optional, TypeVar,
                    Union, overload)

from . import net
from ._core import Buffer, error, lib, read_size
from .event import Inotify, InotifyEvent, eventfd, eventfd_read, inotify_read
from .fd import ClosedFdError, Fd, FdArg, fdnum, fdnum_of_kind
from .flags import FlagArg, to_int
from .io import fcntl
from .net import Address, AncData
from .signal import Siginfo, signalfd_read
from .time import timerfd_read
from .uring import Cqe, Ring

from ._consts import MSG, SOCK_FLAG

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

    from .netlink import Event, Netlink

T = TypeVar("T")

_F_GETFL = lib.F_GETFL
_F_SETFL = lib.F_SETFL
_O_NONBLOCK = lib.O_NONBLOCK
_fcntl = lib.ls_fcntl
_SOCK_NONBLOCK = lib.SOCK_NONBLOCK
_SOL_SOCKET = lib.SOL_SOCKET
_SO_ERROR = lib.SO_ERROR
_EINPROGRESS = lib.EINPROGRESS
_EFD_NONBLOCK = lib.EFD_NONBLOCK
_EAGAIN = lib.EAGAIN
_ENOMEM = lib.ENOMEM
_EBUSY = lib.EBUSY
_ETIME = lib.ETIME
_DATASYNC = lib.IORING_FSYNC_DATASYNC


def set_nonblocking(fd: FdArg) -> None:
    """Set O_NONBLOCK on an fd's open file unless it is set (man 2 fcntl, F_SETFL).

    https://man7.org/linux/man-pages/man2/fcntl.2.html

    Raises:
        OSError: EBADF (``fd`` is not open) (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is not an fd.
    """
    flags = fcntl(fd, _F_GETFL)
    if not flags & _O_NONBLOCK:
        fcntl(fd, _F_SETFL, flags | _O_NONBLOCK)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def _ready(loop: asyncio.AbstractEventLoop, n: int, writing: bool) -> None:
    """Wait until ``loop`` reports fd ``n`` readable (``writing``: writable).  The callback is
    removed on every way out, cancellation included: a registration outliving the wait would
    take the next one's place, or outlive the fd."""
    future = loop.create_future()
    if writing:
        loop.add_writer(n, _wake, future)
        try:
            await future
        finally:
            loop.remove_writer(n)
    else:
        loop.add_reader(n, _wake, future)
        try:
            await future
        finally:
            loop.remove_reader(n)


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
        await _ready(asyncio.get_running_loop(), fdnum(self._fd), False)


def _reader(fd: FdArg, read: Callable[[Any], Iterable[T]], kind: str, call: str,
            drain: bool) -> FdReader[T]:
    """An FdReader once ``fd`` (an Inotify: its Fd) is known to be a ``kind`` of fd: the
    wrong kind is refused before O_NONBLOCK is set on it."""
    fdnum_of_kind(fd.fd if isinstance(fd, Inotify) else fd, kind, call)
    return FdReader(fd, read, drain=drain)


def inotify_events(fd: FdArg, *, drain: bool = False) -> FdReader[InotifyEvent]:
    """InotifyEvents as they arrive on an Inotify or inotify fd (man 7 inotify).

    https://man7.org/linux/man-pages/man7/inotify.7.html

    Raises:
        OSError: EINVAL (``fd`` is another kind of fd than an inotify), EBADF (a number not open),
            both before O_NONBLOCK is set; while iterating, the errors of read(2) other than EAGAIN.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is not an fd.
    """
    return _reader(fd, inotify_read, "inotify", "inotify_events", drain)


def _eventfd_values(fd: Any) -> list[int]:
    return [eventfd_read(fd)]  # BlockingIOError once the counter is 0


def eventfd_values(fd: FdArg, *, drain: bool = False) -> FdReader[int]:
    """An eventfd's counter each time it is taken: its value, or 1s with EFD.SEMAPHORE
    (man 2 eventfd).

    https://man7.org/linux/man-pages/man2/eventfd.2.html

    Raises:
        OSError: EINVAL (``fd`` is another kind of fd than an eventfd), EBADF (a number not open),
            both before O_NONBLOCK is set; while iterating, the errors of read(2) other than EAGAIN.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is not an fd.
    """
    return _reader(fd, _eventfd_values, "eventfd", "eventfd_values", drain)


def signalfd_siginfos(fd: FdArg, *, drain: bool = False) -> FdReader[Siginfo]:
    """The signals a signalfd receives, as Siginfo records (man 2 signalfd).

    https://man7.org/linux/man-pages/man2/signalfd.2.html

    Raises:
        OSError: EINVAL (``fd`` is another kind of fd than a signalfd), EBADF (a number not open),
            both before O_NONBLOCK is set; while iterating, the errors of read(2) other than EAGAIN.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is not an fd.
    """
    return _reader(fd, signalfd_read, "signalfd", "signalfd_siginfos", drain)


def _timerfd_counts(fd: Any) -> list[int]:
    return [timerfd_read(fd)]  # BlockingIOError until it expires again


def timerfd_expirations(fd: FdArg, *, drain: bool = False) -> FdReader[int]:
    """A timerfd's expiration counts, one per read that found any (man 2 timerfd_create).

    https://man7.org/linux/man-pages/man2/timerfd_create.2.html

    Raises:
        OSError: EINVAL (``fd`` is another kind of fd than a timerfd), EBADF (a number not open),
            both before O_NONBLOCK is set; while iterating, the errors of read(2) other than EAGAIN.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is not an fd.
    """
    return _reader(fd, _timerfd_counts, "timerfd", "timerfd_expirations", drain)


def _netlink_events(nl: Netlink) -> list[Event]:
    return nl.read_events()  # BlockingIOError when nothing is pending


def netlink_events(nl: Netlink, *, drain: bool = False) -> FdReader[Event]:
    """The rtnetlink events a ``linuxsys.netlink.monitor()`` socket receives, as
    ``netlink.Event`` records (man 7 rtnetlink).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        TypeError: ``nl`` is not a ``linuxsys.netlink.Netlink`` socket.
        ClosedFdError: ``nl`` is closed.
        OSError: while iterating, the errors of recv(2) other than EAGAIN (ENOBUFS: events were
            lost).
    """
    if not hasattr(nl, "read_events"):
        raise TypeError(f"a linuxsys.netlink.Netlink socket is needed, not {type(nl).__name__}")
    return FdReader(nl, _netlink_events, drain=drain)


# ---- sockets -------------------------------------------------------------------------------

def _start(sockfd: FdArg) -> tuple[asyncio.AbstractEventLoop, int]:
    """The running loop and ``sockfd``'s number, once its open file is known to be nonblocking
    (man 2 fcntl, F_GETFL): ValueError for a blocking one, as asyncio's ``loop.sock_*`` raise,
    since a call on it would stall the loop."""
    loop = asyncio.get_running_loop()  # RuntimeError outside a loop, before any syscall
    n = fdnum(sockfd)
    r = _fcntl(n, _F_GETFL, 0)  # F_GETFL never sleeps, so never EINTR
    if r < 0:
        raise error(-r, "fcntl")
    if not r & _O_NONBLOCK:
        raise ValueError("the socket must be non-blocking")
    return loop, n


async def _again(loop: asyncio.AbstractEventLoop, n: int, writing: bool,
                 fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` once each time fd ``n`` is ready, until it does not raise
    BlockingIOError (a readiness another reader or writer took first is waited again)."""
    while True:
        await _ready(loop, n, writing)
        try:
            return fn(*args, **kwargs)
        except BlockingIOError:
            pass


async def _call(sockfd: FdArg, writing: bool, fn: Callable[..., T], *args: Any,
                **kwargs: Any) -> T:
    """``fn(sockfd, *args, **kwargs)`` now, or if it raises BlockingIOError, once each time
    the socket is ready (``writing``: writable) until it does not."""
    loop, n = _start(sockfd)
    try:
        return fn(sockfd, *args, **kwargs)
    except BlockingIOError:
        pass
    return await _again(loop, n, writing, fn, sockfd, *args, **kwargs)


def _msg(flags: FlagArg) -> int:
    return flags if type(flags) is int else to_int(flags, MSG)


async def accept(sockfd: FdArg, flags: FlagArg = 0, *, inheritable: bool = False
                 ) -> tuple[Fd, Address]:
    """Take a connection from a nonblocking listening socket once one is waiting (man 2
    accept4): ``(Fd, address)``, the Fd nonblocking (``SOCK_FLAG.NONBLOCK`` is added to
    ``flags``) and close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/accept4.2.html

    Raises:
        ValueError: a blocking socket (the call would stall the loop: one fcntl(2) F_GETFL tells);
            an unknown flag name (before any call).
        ConnectionAbortedError: a connection was aborted before it was taken (ECONNABORTED).
        PermissionError: firewall rules forbid the connection (EPERM).
        OSError: EINVAL (a socket that does not listen), EMFILE, ENFILE, ENOTSOCK, EBADF (``sockfd``
            is not open, from F_GETFL) ... (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``flags`` is not an int, ``SOCK_FLAG`` member or name string (before any call).
    """
    f = to_int(flags, SOCK_FLAG) | _SOCK_NONBLOCK
    return await _call(sockfd, False, net.accept4, f, inheritable=inheritable)


async def connect(sockfd: FdArg, addr: Address) -> None:
    """Connect a nonblocking socket to ``addr`` (man 2 connect): once the kernel answers
    EINPROGRESS, wait until the socket is writable and raise the error ``SO_ERROR`` then holds
    (as loop.sock_connect does).  A task cancelled meanwhile leaves the connection going on.

    https://man7.org/linux/man-pages/man2/connect.2.html

    Raises:
        ValueError: a blocking socket (the call would stall the loop: one fcntl(2) F_GETFL tells); a
            host that is not an IP literal, a path with a NUL byte.
        ConnectionRefusedError: nothing listens at ``addr`` (ECONNREFUSED).
        TimeoutError: the peer did not answer (ETIMEDOUT).
        FileNotFoundError: no AF_UNIX path ``addr`` (ENOENT).
        BlockingIOError: an AF_UNIX listener whose backlog is full (EAGAIN: no readiness tells when
            it has room).
        OSError: ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, EISCONN, EBADF (``sockfd`` is not open,
            from F_GETFL) ... (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``addr`` is not of the socket domain's form (see ``linuxsys.net``).
        OverflowError: a port outside 0..65535.
    """
    loop, n = _start(sockfd)
    try:
        net.connect(sockfd, addr)
        return
    except BlockingIOError as e:
        if e.errno != _EINPROGRESS:
            raise
    await _ready(loop, n, True)
    err = net.getsockopt(sockfd, _SOL_SOCKET, _SO_ERROR)
    if err:
        raise error(err, "connect", addr if isinstance(addr, str) else None)


@overload
async def recv(sockfd: FdArg, n_or_buf: int, flags: FlagArg = 0) -> bytes: ...
@overload
async def recv(sockfd: FdArg, n_or_buf: WriteableBuffer, flags: FlagArg = 0) -> int: ...


async def recv(sockfd: FdArg, n_or_buf: Union[int, Buffer], flags: FlagArg = 0
               ) -> Union[bytes, int]:
    """Receive up to ``n`` bytes once there are any (man 2 recv), or fill a writable buffer and
    return the count; b'' / 0 once the peer shut down.

    https://man7.org/linux/man-pages/man2/recv.2.html

    Raises:
        ValueError: a blocking socket (the call would stall the loop: one fcntl(2) F_GETFL tells); a
            negative ``n``, an unknown flag name.
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        OSError: ENOTCONN, ENOTSOCK, EBADF (``sockfd`` is not open, from F_GETFL) ...
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: a buffer that is not a writable bytes-like object, ``flags`` not an int, ``MSG``
            member or name string.
        OverflowError: an ``n`` past what a bytes object can hold.
    """
    return await _call(sockfd, False, net.recv, n_or_buf, _msg(flags))


async def recv_into(sockfd: FdArg, buf: Buffer, flags: FlagArg = 0) -> int:
    """Receive into a writable buffer once there is data (man 2 recv): the count.

    https://man7.org/linux/man-pages/man2/recv.2.html

    Raises:
        ValueError: a blocking socket (the call would stall the loop: one fcntl(2) F_GETFL tells);
            an unknown flag name.
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        OSError: ENOTCONN, ENOTSOCK, EBADF (``sockfd`` is not open, from F_GETFL) ...
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: a buffer that is not a writable bytes-like object (a read-only one), ``flags``
            not an int, ``MSG`` member or name string.
    """
    return await _call(sockfd, False, net.recv_into, buf, _msg(flags))


async def recvmsg(sockfd: FdArg, bufsize: int, ancbufsize: int = 0, flags: FlagArg = 0, *,
                  inheritable: bool = False
                  ) -> tuple[bytes, list[tuple[int, int, Any]], int, Address]:
    """Receive a message and its ancillary data once one is there (man 2 recvmsg):
    ``(data, ancdata, msg_flags, address)`` as ``linuxsys.net.recvmsg`` gives them
    (``SCM.RIGHTS`` as owning Fds, close-on-exec unless ``inheritable``).

    https://man7.org/linux/man-pages/man2/recvmsg.2.html

    Raises:
        ValueError: a blocking socket (the call would stall the loop: one fcntl(2) F_GETFL tells); a
            negative size, an unknown flag name.
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        OSError: ENOTCONN, ENOTSOCK, EBADF (``sockfd`` is not open, from F_GETFL) ...
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: an argument of the wrong type.
        OverflowError: ``ancbufsize`` past 16 MiB, ``bufsize`` past what a bytes object can hold.
    """
    return await _call(sockfd, False, net.recvmsg, bufsize, ancbufsize, _msg(flags),
                       inheritable=inheritable)


async def send(sockfd: FdArg, buf: Buffer, flags: FlagArg = 0) -> int:
    """Send once there is room (man 2 send): the count of that one send, which may be less
    than ``len(buf)`` (``sendall`` sends everything).

    https://man7.org/linux/man-pages/man2/send.2.html

    Raises:
        ValueError: a blocking socket (the call would stall the loop: one fcntl(2) F_GETFL tells);
            an unknown flag name.
        BrokenPipeError: the connection is shut down for writing (EPIPE).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        OSError: ENOTCONN, EMSGSIZE, ENOTSOCK, EBADF (``sockfd`` is not open, from F_GETFL) ...
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``buf`` is not a bytes-like object, ``flags`` not an int, ``MSG`` member or name
            string.
        BufferError: ``buf`` is not C-contiguous.
    """
    return await _call(sockfd, True, net.send, buf, _msg(flags))


async def sendall(sockfd: FdArg, buf: Buffer, flags: FlagArg = 0) -> None:
    """Send all of ``buf`` (man 2 send), one send each time there is room, as
    loop.sock_sendall.  An error (or cancellation) after part was sent loses the count of
    what was.

    https://man7.org/linux/man-pages/man2/send.2.html

    Raises:
        ValueError: a blocking socket (the call would stall the loop: one fcntl(2) F_GETFL tells);
            an unknown flag name.
        BrokenPipeError: the connection is shut down for writing (EPIPE).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        OSError: ENOTCONN, EMSGSIZE, ENOTSOCK, EBADF (``sockfd`` is not open, from F_GETFL) ...
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``buf`` is not a bytes-like object, ``flags`` not an int, ``MSG`` member or name
            string.
        BufferError: ``buf`` is not C-contiguous.
    """
    f = _msg(flags)
    loop, n = _start(sockfd)
    try:
        sent = net.send(sockfd, buf, f)  # also checks buf: a bytes-like, contiguous object
    except BlockingIOError:
        sent = 0
    if type(buf) is bytes and sent == len(buf):
        return
    with memoryview(buf) as whole, whole.cast("B") as data:
        while sent < len(data):
            await _ready(loop, n, True)
            with data[sent:] as rest:
                try:
                    sent += net.send(sockfd, rest, f)
                except BlockingIOError:
                    pass


async def sendmsg(sockfd: FdArg, buffers: Iterable[Buffer], ancdata: AncData = (),
                  flags: FlagArg = 0, address: Optional[Address] = None) -> int:
    """Send one message with ancillary data once there is room (man 2 sendmsg): the count
    sent, arguments as ``linuxsys.net.sendmsg`` takes them (``(level, type, data)`` triples,
    a list of fds for ``SCM.RIGHTS``).

    https://man7.org/linux/man-pages/man2/sendmsg.2.html

    Raises:
        ValueError: a blocking socket (the call would stall the loop: one fcntl(2) F_GETFL tells);
            an unknown level, type or flag name.
        BrokenPipeError: the connection is shut down for writing (EPIPE).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        OSError: EBADF (an ``SCM.RIGHTS`` fd that is not open), EINVAL, EMSGSIZE, ENOTCONN, ENOTSOCK
            ... (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd``, or an Fd of ``SCM.RIGHTS``, is a closed Fd.
        TypeError: an ancillary item that is not a ``(level, type, data)`` triple of its type's
            form, a buffer that is not bytes-like, an ``address`` not of the socket domain's form.
    """
    f = _msg(flags)
    # An iterator would be spent by the first try: taken whole, once.
    bufs = buffers if isinstance(buffers, (list, tuple)) else list(buffers)
    anc = ancdata if isinstance(ancdata, (list, tuple)) else list(ancdata)
    return await _call(sockfd, True, net.sendmsg, bufs, anc, f, address)


# ---- io_uring -------------------------------------------------------------------------------

def _closed_ring() -> ClosedFdError:
    return ClosedFdError("io_uring")


class AsyncRing:
    """io_uring requests as awaitables on the running loop: a ``Ring`` (made here with
    ``entries`` SQEs, or one given, which is the AsyncRing's from then on) with an eventfd
    registered (IORING_REGISTER_EVENTFD) that the loop watches (``loop.add_reader``); each
    completion resolves the future of the request by its user_data::

        async with linuxsys.aio.AsyncRing() as ar:
            data = await ar.read(fd, 4096, 0)
            blocks = await asyncio.gather(*(ar.read(fd, 4096, i * 4096) for i in range(100)))

    Requests prepared during one turn of the loop are submitted together (one
    io_uring_enter, scheduled with ``call_soon``; a full SQ is submitted at once).  A task
    cancelled while its request is in flight submits an IORING_OP_ASYNC_CANCEL for it; the
    buffer stays held by the ring until the request's own completion arrives, so nothing is
    written into memory that was let go (a read cancelled may have read).  ``request()``
    awaits any ``Ring.prep_*`` call; requests prepared on ``ar.ring`` directly (then
    ``ar.submit()``) have their Cqes yielded by ``completions()``, an async iterator.

    ``close()`` (also ``async with``/``with``) fails the pending awaitables with
    ClosedFdError, then closes the ring (which cancels what is in flight and waits for it)
    and the eventfd.  The AsyncRing belongs to the first loop it is used on (RuntimeError on
    another) and stays registered in it until closed.  Arguments are checked by the
    ``prep_*`` method before anything is queued (TypeError, ValueError ...); a request's own
    failure is raised as the OSError its -errno means.
    """

    __slots__ = ("_ring", "_efd", "_loop", "_futures", "_orphans", "_cqes", "_wakeups",
                 "_flushing")

    def __init__(self, ring: Union[Ring, int] = 64) -> None:
        self._ring: Optional[Ring] = None
        r = ring if isinstance(ring, Ring) else Ring(ring)
        made = r is not ring
        if r.closed:
            raise _closed_ring()
        efd = eventfd(0, _EFD_NONBLOCK)
        try:
            r.register_eventfd(efd)
        except BaseException:
            efd.close()
            if made:
                r.close()
            raise
        self._ring = r
        self._efd = efd
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._futures: dict[int, asyncio.Future[Cqe]] = {}
        self._orphans: set[int] = set()  # cancelled requests and their cancels: CQEs dropped
        self._cqes: deque[Cqe] = deque()  # completions of requests nobody awaits
        self._wakeups: list[asyncio.Future[None]] = []  # completions() and room waiting
        self._flushing = False

    @property
    def ring(self) -> Ring:
        """The Ring (ClosedFdError once closed)."""
        if self._ring is None:
            raise _closed_ring()
        return self._ring

    @property
    def closed(self) -> bool:
        return self._ring is None

    def __repr__(self) -> str:
        return "<AsyncRing closed>" if self._ring is None else \
            f"<AsyncRing {self._ring!r} pending={len(self._futures)}>"

    async def __aenter__(self) -> "AsyncRing":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    def __enter__(self) -> "AsyncRing":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Fail what is awaited with ClosedFdError, close the ring (cancelling and waiting for
        what is in flight) and the eventfd (idempotent)."""
        ring = self._ring
        if ring is None:
            return
        self._ring = None
        loop = self._loop
        try:
            if loop is not None and not loop.is_closed():
                loop.remove_reader(self._efd.fd)
            futures, self._futures = self._futures, {}
            for fut in futures.values():
                if not fut.done():
                    fut.set_exception(_closed_ring())
            self._wake()
            ring.close()
        finally:
            self._efd.close()

    # -- the loop's side -------------------------------------------------------------------

    def _bind(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()  # RuntimeError outside a loop
        if self._ring is None:
            raise _closed_ring()
        if self._loop is not loop:
            if self._loop is not None and not self._loop.is_closed():
                raise RuntimeError("this AsyncRing belongs to another event loop")
            loop.add_reader(self._efd.fd, self._ready)
            self._loop = loop
        return loop

    def _ready(self) -> None:
        """The eventfd is readable: take its count and dispatch every completion."""
        try:
            eventfd_read(self._efd)
        except BlockingIOError:  # completions reaped already by an earlier dispatch
            pass
        self._dispatch()

    def _dispatch(self) -> None:
        ring = self._ring
        if ring is None:
            return
        futures, orphans = self._futures, self._orphans
        for cqe in ring.completions():
            ud = cqe.user_data
            fut = futures.pop(ud, None)
            if fut is not None:
                if not fut.done():
                    fut.set_result(cqe)
            elif ud in orphans:
                orphans.discard(ud)
            else:
                self._cqes.append(cqe)
        self._wake()

    def _wake(self) -> None:
        wakeups, self._wakeups = self._wakeups, []
        for fut in wakeups:
            if not fut.done():
                fut.set_result(None)

    async def _changed(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wait for the next dispatch (or close)."""
        fut = loop.create_future()
        self._wakeups.append(fut)
        await fut

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._flushing:
            self._flushing = True
            loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Submit what this turn of the loop prepared (one io_uring_enter)."""
        self._flushing = False
        ring = self._ring
        if ring is None:
            return
        try:
            ring.submit()
        except OSError as e:  # EAGAIN/ENOMEM/EBUSY: reap, then try again a little later
            self._dispatch()
            if self._ring is not None and self._loop is not None:
                self._flushing = True
                self._loop.call_later(0.001, self._flush)
            if e.errno not in (_EAGAIN, _ENOMEM, _EBUSY):
                raise

    def submit(self) -> int:
        """Submit what is prepared on ``ring`` now (Ring.submit): the count.

        https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

        Raises:
            OSError: EAGAIN, ENOMEM, EBUSY (try again) ... of io_uring_enter(2).
            ClosedFdError: the AsyncRing is closed.
        """
        return self.ring.submit()

    # -- requests ----------------------------------------------------------------------------

    async def request(self, prep: str, *args: Any, **kwargs: Any) -> Cqe:
        """Prepare ``ring.<prep>(*args, **kwargs)`` (a ``prep_*`` method's name, e.g.
        ``"prep_statx"``; the user_data is chosen here), submit it with this turn's others
        and return its Cqe once it completes (a failed request's Cqe too: ``check()`` it).
        Cancelling the awaiting task cancels the request.

        https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

        Raises:
            ValueError: ``prep`` is not the name of a ``Ring.prep_*`` method of one request, or the
                method refused an argument.
            TypeError: a ``user_data`` argument (the AsyncRing chooses it), or an argument the
                method refused.
            ClosedFdError: the AsyncRing is closed (also what a request pending at close() raises),
                or an Fd argument is.
            RuntimeError: the AsyncRing is bound to another running loop.
        """
        if not (isinstance(prep, str)  # pyright: ignore[reportUnnecessaryIsInstance]: a caller's
                and prep.startswith("prep_")
                and not prep.endswith("_batch") and hasattr(Ring, prep)):
            raise ValueError(f"{prep!r} is not a Ring.prep_* method of one request")
        if "user_data" in kwargs:
            raise TypeError("the AsyncRing chooses each request's user_data")
        loop = self._bind()
        while True:
            ring = self._ring
            if ring is None:
                raise _closed_ring()
            try:
                ud = getattr(ring, prep)(*args, **kwargs)
                break
            except BlockingIOError:
                if not ring.sqe_free():
                    ring.submit()  # a full SQ: hand it over now, then prepare again
                else:
                    await self._changed(loop)  # the CQ's worth in flight: wait for one
        fut: asyncio.Future[Cqe] = loop.create_future()
        self._futures[ud] = fut
        self._schedule(loop)
        try:
            return await fut
        except asyncio.CancelledError:
            if self._futures.pop(ud, None) is not None:
                self._cancel(ud)
            raise

    def _cancel(self, ud: int) -> None:
        """An awaiting task was cancelled: its request's CQE is dropped when it comes, and
        an IORING_OP_ASYNC_CANCEL is submitted for it (if the ring has room; else the request
        runs to its end)."""
        ring = self._ring
        if ring is None:
            return
        self._orphans.add(ud)
        for _ in range(2):
            try:
                self._orphans.add(ring.prep_cancel(ud))
            except BlockingIOError:
                if ring.sqe_free():
                    return  # the CQ's worth in flight: no room for a cancel
                ring.submit()
                continue
            if self._loop is not None:
                self._schedule(self._loop)
            return

    async def _res(self, prep: str, *args: Any, **kwargs: Any) -> int:
        return (await self.request(prep, *args, **kwargs)).check()

    async def nop(self) -> int:
        """A request that does nothing (IORING_OP_NOP): 0.

        https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

        Raises:
            OSError: the request's own failure, the subclass of its -errno (FileNotFoundError ...),
                or io_uring_enter(2)'s.
            ClosedFdError: the AsyncRing is closed (also what a request pending at close() raises),
                or an Fd argument is.
            RuntimeError: the AsyncRing is bound to another running loop.
        """
        return await self._res("prep_nop")

    @overload
    async def read(self, fd: FdArg, buf_or_n: int, offset: int = -1) -> bytes: ...
    @overload
    async def read(self, fd: FdArg, buf_or_n: WriteableBuffer, offset: int = -1) -> int: ...

    async def read(self, fd: FdArg, buf_or_n: Union[int, Buffer], offset: int = -1
                   ) -> Union[bytes, int]:
        """Read (IORING_OP_READ, as pread(2); offset -1: the file position): ``n`` bytes at
        most as bytes, or into a writable buffer, returning the count.

        https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

        Raises:
            OSError: the request's own failure, the subclass of its -errno (FileNotFoundError ...),
                or io_uring_enter(2)'s.
            ClosedFdError: the AsyncRing is closed (also what a request pending at close() raises),
                or an Fd argument is.
            RuntimeError: the AsyncRing is bound to another running loop.
            TypeError: a buffer that is not a writable bytes-like object, ``fd`` not an fd.
            ValueError: a negative ``n``.
        """
        if type(buf_or_n) is int:
            buf = bytearray(read_size(buf_or_n))
            n = await self._res("prep_read", fd, buf, offset)
            del buf[n:]
            return bytes(buf)
        return await self._res("prep_read", fd, buf_or_n, offset)

    async def write(self, fd: FdArg, data: Buffer, offset: int = -1) -> int:
        """Write ``data`` (IORING_OP_WRITE, as pwrite(2); offset -1: the file position): the
        count written.

        https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

        Raises:
            OSError: the request's own failure, the subclass of its -errno (FileNotFoundError ...),
                or io_uring_enter(2)'s.
            ClosedFdError: the AsyncRing is closed (also what a request pending at close() raises),
                or an Fd argument is.
            RuntimeError: the AsyncRing is bound to another running loop.
            TypeError: ``data`` is not a bytes-like object, ``fd`` not an fd.
        """
        return await self._res("prep_write", fd, data, offset)

    async def fsync(self, fd: FdArg, datasync: bool = False) -> None:
        """fsync(2), fdatasync(2) with ``datasync`` (IORING_OP_FSYNC).

        https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

        Raises:
            OSError: the request's own failure, the subclass of its -errno (FileNotFoundError ...),
                or io_uring_enter(2)'s.
            ClosedFdError: the AsyncRing is closed (also what a request pending at close() raises),
                or an Fd argument is.
            RuntimeError: the AsyncRing is bound to another running loop.
            TypeError: ``fd`` is not an fd.
        """
        await self._res("prep_fsync", fd, _DATASYNC if datasync else 0)

    async def poll(self, fd: FdArg, events: FlagArg) -> int:
        """Wait until ``fd`` has one of ``events`` (``POLL``; IORING_OP_POLL_ADD): those it
        has.

        https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

        Raises:
            OSError: the request's own failure, the subclass of its -errno (FileNotFoundError ...),
                or io_uring_enter(2)'s.
            ClosedFdError: the AsyncRing is closed (also what a request pending at close() raises),
                or an Fd argument is.
            RuntimeError: the AsyncRing is bound to another running loop.
            TypeError: ``fd`` is not an fd, ``events`` not an int, ``POLL`` member or name string.
        """
        return await self._res("prep_poll_add", fd, events)

    @overload
    async def recv(self, sockfd: FdArg, buf_or_n: int, flags: FlagArg = 0) -> bytes: ...
    @overload
    async def recv(self, sockfd: FdArg, buf_or_n: WriteableBuffer, flags: FlagArg = 0
                   ) -> int: ...

    async def recv(self, sockfd: FdArg, buf_or_n: Union[int, Buffer], flags: FlagArg = 0
                   ) -> Union[bytes, int]:
        """recv(2) (IORING_OP_RECV): up to ``n`` bytes as bytes, or into a writable buffer,
        returning the count.  The socket may be blocking: the ring waits, not the loop.

        https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

        Raises:
            OSError: the request's own failure, the subclass of its -errno (FileNotFoundError ...),
                or io_uring_enter(2)'s.
            ClosedFdError: the AsyncRing is closed (also what a request pending at close() raises),
                or an Fd argument is.
            RuntimeError: the AsyncRing is bound to another running loop.
            TypeError: a buffer that is not a writable bytes-like object, ``sockfd`` not an fd.
            ValueError: a negative ``n``.
        """
        if type(buf_or_n) is int:
            buf = bytearray(read_size(buf_or_n))
            n = await self._res("prep_recv", sockfd, buf, flags)
            del buf[n:]
            return bytes(buf)
        return await self._res("prep_recv", sockfd, buf_or_n, flags)

    async def send(self, sockfd: FdArg, data: Buffer, flags: FlagArg = 0) -> int:
        """send(2) (IORING_OP_SEND): the count sent.

        https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

        Raises:
            OSError: the request's own failure, the subclass of its -errno (FileNotFoundError ...),
                or io_uring_enter(2)'s.
            ClosedFdError: the AsyncRing is closed (also what a request pending at close() raises),
                or an Fd argument is.
            RuntimeError: the AsyncRing is bound to another running loop.
            TypeError: ``data`` is not a bytes-like object, ``sockfd`` not an fd.
        """
        return await self._res("prep_send", sockfd, data, flags)

    async def sleep(self, timeout_ns: int) -> None:
        """Wait ``timeout_ns`` on the ring (IORING_OP_TIMEOUT).

        https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

        Raises:
            OSError: the request's own failure, the subclass of its -errno (FileNotFoundError ...),
                or io_uring_enter(2)'s.
            ClosedFdError: the AsyncRing is closed (also what a request pending at close() raises),
                or an Fd argument is.
            RuntimeError: the AsyncRing is bound to another running loop.
        """
        cqe = await self.request("prep_timeout", timeout_ns)
        if cqe.res != -_ETIME:
            cqe.check()

    # -- completions of requests nobody awaits -----------------------------------------------

    def completions(self) -> AsyncIterator[Cqe]:
        """The Cqes of requests prepared on ``ring`` directly, as they complete; iteration
        ends once the AsyncRing is closed."""
        return _Completions(self)


class _Completions(AsyncIterator[Cqe]):
    __slots__ = ("_ar",)

    def __init__(self, ar: AsyncRing) -> None:
        self._ar = ar

    def __aiter__(self) -> "_Completions":
        return self

    async def __anext__(self) -> Cqe:
        ar = self._ar
        while not ar._cqes:
            if ar._ring is None:
                raise StopAsyncIteration
            loop = ar._bind()
            ar._dispatch()  # any ready already (prepared and submitted by hand)
            if ar._cqes:
                break
            await ar._changed(loop)
        return ar._cqes.popleft()


__all__ = ["FdReader", "set_nonblocking", "inotify_events", "eventfd_values",
           "signalfd_siginfos", "timerfd_expirations", "accept", "connect", "recv",
           "recv_into", "recvmsg", "send", "sendall", "sendmsg", "AsyncRing"]
