"""mq: POSIX message queues (man 7 mq_overview).

A queue descriptor is an ``Fd``: it works with epoll, poll and select (readable while a message
is queued, writable while there is room).  The kernel makes it close-on-exec whatever the
flags say (POSIX closes queue descriptors on exec); ``os.set_inheritable`` clears that.

Names: POSIX writes them ``"/name"`` (one leading slash, no other); the kernel's mq_open and
mq_unlink take them without the slash, which the C library strips, and so does linuxsys: both
``"/name"`` and ``"name"`` name the same queue.  Queues live until mq_unlink, in the IPC
namespace (``mount -t mqueue none /dev/mqueue`` lists them).

Timeouts: ``timeout_ns`` is relative (None or negative: wait as long as it takes; 0: do not
wait), ``abs_timeout_ns`` is the kernel's own absolute CLOCK_REALTIME time (man 3 mq_send);
either may be given.  A wait that times out raises ``TimeoutError`` (ETIMEDOUT); a queue opened
``O.NONBLOCK`` (or set so with mq_setattr) raises ``BlockingIOError`` (EAGAIN) instead of
waiting.  EINTR is retried with the same deadline.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Optional, Union, overload

from ._core import (Buffer, PathArg, U32, alloc, call, call_buf, error, ffi, in_range, lib,
                    nbytes, read_size, release, view, writable)
from ._core import path as _path
from .fd import Fd, FdArg, fdnum, methods
from .flags import FlagArg, to_int
from .time import Sigevent, _sigevent

from ._consts import O, S

_mq_open = lib.ls_mq_open
_mq_unlink = lib.ls_mq_unlink
_mq_timedsend = lib.ls_mq_timedsend
_mq_timedreceive = lib.ls_mq_timedreceive
_mq_notify = lib.ls_mq_notify
_mq_getsetattr = lib.ls_mq_getsetattr
_clock_gettime = lib.ls_clock_gettime

_CLOCK_REALTIME = lib.CLOCK_REALTIME
_EINVAL = lib.EINVAL
_I64_MAX = (1 << 63) - 1
_NULL = ffi.NULL
_new = ffi.new
_unpack = ffi.unpack


class MqAttr(NamedTuple):
    """A queue's attributes, the kernel's struct mq_attr (man 3 mq_getattr).

    mq_open takes ``mq_maxmsg`` and ``mq_msgsize`` (for a new queue: its capacity in messages
    and the largest message); mq_setattr only ``mq_flags`` (``O.NONBLOCK`` or 0)."""
    mq_flags: FlagArg = 0  # O.NONBLOCK or 0
    mq_maxmsg: int = 0     # the most messages the queue holds
    mq_msgsize: int = 0    # the largest message, in bytes
    mq_curmsgs: int = 0    # messages queued now (read-only)


def _name(name: PathArg) -> bytes:
    """A queue name with its leading slash (added if missing): the C helpers hand the kernel
    what follows it, as the C library does."""
    b = _path(name)
    return b if b[:1] == b"/" else b"/" + b


def _attr(attr: Optional[MqAttr], what: str) -> Any:
    """A struct ls_mq_attr (NULL for None); cffi checks each field fits a long."""
    if attr is None:
        return _NULL
    if not isinstance(attr, MqAttr):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"{what} is an MqAttr or None, not {type(attr).__name__!r}")
    return _new("struct ls_mq_attr *", [to_int(attr.mq_flags, O), attr.mq_maxmsg,
                                        attr.mq_msgsize, attr.mq_curmsgs])


def _deadline(abs_timeout_ns: Optional[int], timeout_ns: Optional[int], call_name: str) -> int:
    """The kernel's absolute CLOCK_REALTIME deadline in ns, -1 for none."""
    if abs_timeout_ns is not None:
        if timeout_ns is not None:
            raise TypeError(f"{call_name}: give timeout_ns or abs_timeout_ns, not both")
        ns = in_range(abs_timeout_ns, "abs_timeout_ns", -(1 << 63), _I64_MAX)
        if ns < 0:  # a time before 1970: the kernel's EINVAL, before anything is sent
            raise error(_EINVAL, call_name)
        return ns
    if timeout_ns is None:
        return -1
    ns = in_range(timeout_ns, "timeout_ns", -(1 << 63), _I64_MAX)
    if ns < 0:
        return -1
    now = _clock_gettime(_CLOCK_REALTIME)
    return min(now + ns, _I64_MAX)


def mq_open(name: PathArg, oflag: FlagArg, mode: FlagArg = 0o600,
            attr: Optional[MqAttr] = None) -> Fd:
    """Open (``O.RDONLY``, ``O.WRONLY``, ``O.RDWR``) or create (``O.CREAT``, ``O.EXCL``) a
    message queue; ``O.NONBLOCK`` makes sends and receives fail instead of waiting
    (man 3 mq_open, man 2 mq_open).

    ``name`` is ``"/name"`` or ``"name"`` (see the module's doc).  A new queue takes ``mode``
    (and the umask) and ``attr``'s ``mq_maxmsg`` and ``mq_msgsize`` (None: the system's
    defaults, /proc/sys/fs/mqueue).  Returns an owning Fd, close-on-exec.

    https://man7.org/linux/man-pages/man3/mq_open.3.html

    Raises:
        FileNotFoundError: no such queue without ``O.CREAT``, or the name ``"/"`` (ENOENT).
        FileExistsError: the queue exists and ``oflag`` has ``O.CREAT | O.EXCL`` (EEXIST).
        PermissionError: the queue's mode denies the access asked for, or ``name`` has another
            slash (EACCES).
        OSError: EINVAL (attributes out of range or past the system's limits), EMFILE, ENFILE,
            ENAMETOOLONG, ENOSPC, ENOMEM ...; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: no CONFIG_POSIX_MQUEUE).
        TypeError: ``name`` is no path, ``oflag``/``mode`` not an int, member or name string, or
            ``attr`` not an MqAttr or None, before any call.
        ValueError: a NUL byte in ``name`` or an unknown flag name, before any call.
        OverflowError: an ``attr`` field that does not fit a C long.
    """
    n = _name(name)
    f = to_int(oflag, O)
    m = to_int(mode, S)
    a = _attr(attr, "attr")
    return Fd(call(_mq_open, "mq_open", n, f, m, a, filename=name))


def mq_unlink(name: PathArg) -> None:
    """Remove a message queue's name; it goes once the last descriptor is closed
    (man 3 mq_unlink).

    https://man7.org/linux/man-pages/man3/mq_unlink.3.html

    Raises:
        FileNotFoundError: there is no such queue (ENOENT).
        PermissionError: the caller may not remove it: EPERM for another user's queue (the
            queues' directory is sticky; glibc's mq_unlink says EACCES, as POSIX has it).
        OSError: ENAMETOOLONG ...; the subclass os raises for any other errno (UnsupportedError
            for ENOSYS: no CONFIG_POSIX_MQUEUE).
        TypeError: ``name`` is no path, before any call.
        ValueError: a NUL byte in ``name``, before any call.
    """
    call(_mq_unlink, "mq_unlink", _name(name), filename=name)


def mq_timedsend(mqdes: FdArg, msg: Buffer, msg_prio: int = 0,
                 abs_timeout_ns: Optional[int] = None, *,
                 timeout_ns: Optional[int] = None) -> None:
    """Queue a message (bytes-like) with priority ``msg_prio`` (0 .. 32767: higher ones are
    received first), waiting for room while the queue is full (man 3 mq_timedsend,
    man 2 mq_timedsend; mq_timedsend_time64 on 32-bit arches).

    https://man7.org/linux/man-pages/man3/mq_send.3.html

    Raises:
        BlockingIOError: the queue is full and opened ``O.NONBLOCK`` (EAGAIN).
        TimeoutError: the queue stayed full until the deadline (ETIMEDOUT).
        OSError: EMSGSIZE for a message longer than the queue's ``mq_msgsize``, EBADF for a
            descriptor not open for writing, EINVAL for a ``msg_prio`` of MQ_PRIO_MAX (32768) or
            more or an ``abs_timeout_ns`` before 1970 (checked first); the subclass os raises
            for any other errno.
        ClosedFdError: ``mqdes`` is a closed Fd.
        TypeError: ``msg`` is not bytes-like, an fd or a number of the wrong type, or both
            ``timeout_ns`` and ``abs_timeout_ns`` given, before any call.
        BufferError: ``msg`` is not C-contiguous.
        OverflowError: ``msg_prio`` outside 0..2**32-1 or a timeout past 64 bits, before any
            call.
    """
    n = fdnum(mqdes)
    prio = in_range(msg_prio, "msg_prio", 0, U32)
    deadline = _deadline(abs_timeout_ns, timeout_ns, "mq_timedsend")
    if type(msg) is bytes:  # cffi passes bytes as they are: no view to release
        call(_mq_timedsend, "mq_timedsend", n, msg, len(msg), prio, deadline)
        return
    cmsg = view(msg)
    call_buf(_mq_timedsend, "mq_timedsend", cmsg, msg, n, cmsg, nbytes(cmsg), prio, deadline)
    release(cmsg, msg)


@overload
def mq_timedreceive(mqdes: FdArg, n_or_buf: Optional[int] = None,
                    abs_timeout_ns: Optional[int] = None, *,
                    timeout_ns: Optional[int] = None) -> tuple[bytes, int]: ...
@overload
def mq_timedreceive(mqdes: FdArg, n_or_buf: Buffer,
                    abs_timeout_ns: Optional[int] = None, *,
                    timeout_ns: Optional[int] = None) -> tuple[int, int]: ...
def mq_timedreceive(mqdes: FdArg, n_or_buf: Union[int, Buffer, None] = None,
                    abs_timeout_ns: Optional[int] = None, *,
                    timeout_ns: Optional[int] = None) -> tuple[Union[bytes, int], int]:
    """Take the oldest of the highest-priority messages: ``(data, msg_prio)``, or with a
    writable buffer ``(count, msg_prio)`` (man 3 mq_timedreceive, man 2 mq_timedreceive;
    mq_timedreceive_time64 on 32-bit arches).

    The size (``n``, or the buffer's) must be at least the queue's ``mq_msgsize`` (OSError
    EMSGSIZE otherwise); None asks the queue for it first (one more syscall).  Waits while
    the queue is empty.

    https://man7.org/linux/man-pages/man3/mq_receive.3.html

    Raises:
        BlockingIOError: the queue is empty and opened ``O.NONBLOCK`` (EAGAIN).
        TimeoutError: the queue stayed empty until the deadline (ETIMEDOUT).
        OSError: EMSGSIZE for a size below the queue's ``mq_msgsize``, EBADF for a descriptor
            not open for reading, EINVAL for an ``abs_timeout_ns`` before 1970 (checked first);
            the subclass os raises for any other errno.
        ClosedFdError: ``mqdes`` is a closed Fd.
        TypeError: a buffer that is not writable, an fd or a number of the wrong type, or both
            ``timeout_ns`` and ``abs_timeout_ns`` given, before any call.
        ValueError: a negative size, before any call.
        BufferError: the buffer is not C-contiguous.
        OverflowError: a size past what a bytes object holds or a timeout past 64 bits, before
            any call.
    """
    n = fdnum(mqdes)
    deadline = _deadline(abs_timeout_ns, timeout_ns, "mq_timedreceive")
    prio = _new("unsigned int *")
    if n_or_buf is None or isinstance(n_or_buf, int):
        size = mq_getattr(n).mq_msgsize if n_or_buf is None else read_size(n_or_buf)
        buf = alloc("char[]", size)
        r = call(_mq_timedreceive, "mq_timedreceive", n, buf, size, prio, deadline)
        return _unpack(buf, r), prio[0]
    cbuf = writable(n_or_buf)
    r = call_buf(_mq_timedreceive, "mq_timedreceive", cbuf, n_or_buf, n, cbuf, nbytes(cbuf),
                 prio, deadline)
    release(cbuf, n_or_buf)
    return r, prio[0]


def mq_notify(mqdes: FdArg, sevp: Optional[Sigevent] = None) -> None:
    """Ask to be notified when a message arrives on the empty queue while no one waits in
    mq_timedreceive: ``sevp`` a ``Sigevent`` (``SIGEV.SIGNAL`` sends its signal with
    ``si_code`` SI_MESGQ, ``si_value``, the sender's pid and uid; ``SIGEV.NONE`` only
    registers); None removes this process's registration (man 3 mq_notify, man 2 mq_notify).

    A notification fires once, then the registration is gone.

    https://man7.org/linux/man-pages/man3/mq_notify.3.html

    Raises:
        OSError: EBUSY if another process is registered, EINVAL for ``SIGEV.THREAD_ID``, EBADF
            for a descriptor that is no queue; the subclass os raises for any other errno.
        ClosedFdError: ``mqdes`` is a closed Fd.
        TypeError: ``sevp`` is not a Sigevent or None, or an fd of the wrong type, before any
            call.
        ValueError: a ``sigev_notify`` that is not SIGEV's or a signal outside 1..SIGRTMAX,
            before any call.
        OverflowError: a ``sigev_value`` or thread id out of range, before any call.
    """
    n = fdnum(mqdes)
    call(_mq_notify, "mq_notify", n, _sigevent(sevp))


def mq_getsetattr(mqdes: FdArg, newattr: Optional[MqAttr] = None) -> MqAttr:
    """The queue's attributes as they were, after setting ``newattr``'s ``mq_flags``
    (``O.NONBLOCK`` or 0; its other fields are ignored) unless None (man 2 mq_getsetattr).

    https://man7.org/linux/man-pages/man2/mq_getsetattr.2.html

    Raises:
        OSError: EBADF for a descriptor that is no queue, EINVAL for ``mq_flags`` other than
            ``O.NONBLOCK`` or 0; the subclass os raises for any other errno.
        ClosedFdError: ``mqdes`` is a closed Fd.
        TypeError: ``newattr`` is not an MqAttr or None, or its ``mq_flags`` not an int, O
            member or name string, before any call.
        ValueError: an unknown flag name, before any call.
        OverflowError: a ``newattr`` field that does not fit a C long.
    """
    n = fdnum(mqdes)
    new = _attr(newattr, "newattr")
    old = _new("struct ls_mq_attr *")
    call(_mq_getsetattr, "mq_getsetattr", n, new, old)
    return MqAttr(O(old.mq_flags), old.mq_maxmsg, old.mq_msgsize, old.mq_curmsgs)


def mq_getattr(mqdes: FdArg) -> MqAttr:
    """A queue's attributes: flags, capacity, message size, messages queued now
    (man 3 mq_getattr).

    https://man7.org/linux/man-pages/man3/mq_getattr.3.html

    Raises:
        OSError: EBADF for a descriptor that is no queue; the subclass os raises for any other
            errno.
        ClosedFdError: ``mqdes`` is a closed Fd.
        TypeError: an fd of the wrong type, before any call.
    """
    return mq_getsetattr(mqdes)


def mq_setattr(mqdes: FdArg, newattr: MqAttr) -> MqAttr:
    """Set a queue descriptor's ``mq_flags`` (``O.NONBLOCK`` or 0) from ``newattr``; return
    the attributes as they were (man 3 mq_setattr).

    https://man7.org/linux/man-pages/man3/mq_getattr.3.html

    Raises:
        OSError: EBADF for a descriptor that is no queue, EINVAL for ``mq_flags`` other than
            ``O.NONBLOCK`` or 0; the subclass os raises for any other errno.
        ClosedFdError: ``mqdes`` is a closed Fd.
        TypeError: ``newattr`` is not an MqAttr (None reads: mq_getattr), or its ``mq_flags``
            not an int, O member or name string, before any call.
        ValueError: an unknown flag name, before any call.
        OverflowError: a ``newattr`` field that does not fit a C long.
    """
    if newattr is None:  # pyright: ignore[reportUnnecessaryComparison]
        raise TypeError("newattr is an MqAttr, not None (mq_getattr reads)")
    return mq_getsetattr(mqdes, newattr)


methods(mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr, mq_getattr, mq_setattr)

__all__ = ["MqAttr", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
           "mq_getsetattr", "mq_getattr", "mq_setattr"]
