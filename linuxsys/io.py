"""io: reading, writing, seeking and plumbing file descriptors (man 2 read, write, dup ...)."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, Union, overload

from ._core import (ENOSYS, NEG_EINTR, OWNED, STRERROR, U32, Buffer, alloc, call,
                    copy_bufs, error, ffi, in_range, lib, nbytes, new_copy_buf, read_size,
                    readable, release, view, writable)
from . import _sys_io
from ._sys_io import *  # noqa: F401,F403  (the plain syscalls, generated from cdefs/io.h)
from .fd import Fd, FdArg, fdnum, methods
from .flags import FlagArg, to_int

from ._consts import O, F, SEEK, SPLICE_F, RWF

_read = lib.ls_read
# (typed to take any count: read() leaves its check to cffi's uint16_t conversion)
_read16: Callable[[int, Any, Any], int] = lib.ls_read16
_write = lib.ls_write
_pread = lib.ls_pread64
_pwrite = lib.ls_pwrite64
_readv = lib.ls_readv
_writev = lib.ls_writev
_preadv2 = lib.ls_preadv2
_pwritev2 = lib.ls_pwritev2
_lseek = lib.ls_lseek
_close = lib.ls_close
_dup = lib.ls_dup
_dup3 = lib.ls_dup3
_pipe2 = lib.ls_pipe2
_fcntl = lib.ls_fcntl
_fcntl_ptr = lib.ls_fcntl_ptr
_ioctl = lib.ls_ioctl
_ioctl_ptr = lib.ls_ioctl_ptr
_sendfile = lib.ls_sendfile
_splice = lib.ls_splice
_copy_file_range = lib.ls_copy_file_range
_vmsplice = lib.ls_vmsplice

# Pool methods bound here: Python 3.11 compiles a method call on an imported name
# (``copy_bufs.pop()``) as an attribute load making a bound method, ~60 ns slower.
_copy_pop = copy_bufs.pop
_copy_push = copy_bufs.append

_NEG_ENOSYS = -ENOSYS  # the one errno the inline raises leave to error(): UnsupportedError
_O_CLOEXEC = lib.O_CLOEXEC
_F_GETFD = lib.F_GETFD
_F_DUPFD_CLOEXEC = lib.F_DUPFD_CLOEXEC
_F_GETFL = lib.F_GETFL
_O_ACCMODE = lib.O_ACCMODE
_O_RDONLY = lib.O_RDONLY
_unpack: Callable[[Any, int], bytes] = ffi.unpack  # (used on char[] only: bytes)
_new = ffi.new
_from_buffer = ffi.from_buffer
_sizeof = ffi.sizeof
_buffer = ffi.buffer
_memmove = ffi.memmove
_LONG_MIN = -(1 << (8 * _sizeof("long") - 1))
_ULONG = (1 << (8 * _sizeof("long"))) - 1  # an int argument as the unsigned long it crosses as
_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1


@overload
def read(fd: FdArg, n_or_buf: int) -> bytes: ...
@overload
def read(fd: FdArg, n_or_buf: Buffer) -> int: ...


def read(fd: FdArg, n_or_buf: Union[int, Buffer]) -> Union[bytes, int]:
    """Read up to ``n`` bytes and return them, or fill a buffer and return the count (man 2 read).

    The buffer form is readinto(); EINTR is retried (PEP 475).

    https://man7.org/linux/man-pages/man2/read.2.html

    Raises:
        BlockingIOError: ``fd`` is nonblocking and has nothing to read yet (EAGAIN).
        IsADirectoryError: ``fd`` is a directory (EISDIR).
        OSError: EBADF for an fd not open for reading, EINVAL for one that cannot be read
            (an eventfd given fewer than 8 bytes ...), EIO ..., the subclass os raises for
            any other errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd, or a buffer is read-only or no bytes-like object (before
            any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: a negative ``n`` (as os.read), or an unknown std fd name (before anything
            is allocated).
        OverflowError: ``n`` past what a bytes object can hold (as os.read, before anything
            is allocated).
    """
    # The number goes in another local: ``fd`` keeps a temporary Fd open until the call returns.
    if type(fd) is int:
        n = fd
    elif type(fd) is Fd and fd._fd >= 0:
        n = fd._fd
    else:
        n = fdnum(fd)  # fileno() objects, std names; ClosedFdError for a closed Fd
    try:
        pair = _copy_pop()
    except IndexError:
        pair = new_copy_buf()
    try:
        # cffi converting the count to uint16_t is the hot path's only check: TypeError for
        # a buffer, OverflowError for a count outside 0..65535 -- both taken by _read_other.
        r = _read16(n, pair[0], n_or_buf)
    except (TypeError, OverflowError):
        _copy_push(pair)
        return _read_other(n, n_or_buf)
    while r < 0:
        if r != NEG_EINTR:
            _copy_push(pair)
            # error()'s common case inline: EAGAIN of a nonblocking fd is a hot path too
            raise OSError(-r, STRERROR[-r]) if r != _NEG_ENOSYS else error(-r, "read")
        r = _read16(n, pair[0], n_or_buf)
    data: bytes = pair[1][:r]
    _copy_push(pair)
    return data


def _read_other(n: int, n_or_buf: Union[int, Buffer]) -> Union[bytes, int]:
    """read() of fd number ``n`` into a buffer, or of a count past the scratch buffer's."""
    if not isinstance(n_or_buf, int):
        return readinto(n, n_or_buf)
    count = read_size(n_or_buf)  # ValueError if negative, OverflowError if too large
    buf = alloc("char[]", count)
    return _unpack(buf, call(_read, "read", n, buf, count))


def readinto(fd: FdArg, buf: Buffer) -> int:
    """Fill a writable buffer from ``fd``; return the count, 0 at end of file (man 2 read).

    ``buf`` is a writable bytes-like object or ``ffi.new`` memory (an ``ffi.from_buffer`` view
    is refused: it may be of bytes).  EINTR is retried (PEP 475).

    https://man7.org/linux/man-pages/man2/read.2.html

    Raises:
        BlockingIOError: ``fd`` is nonblocking and has nothing to read yet (EAGAIN).
        IsADirectoryError: ``fd`` is a directory (EISDIR).
        OSError: EBADF for an fd not open for reading, EINVAL for one that cannot be read
            into a buffer that size, EFAULT, EIO ..., the subclass os raises for any other
            errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``buf`` is read-only, an ``ffi.from_buffer`` view or other foreign cdata,
            or no bytes-like object; ``fd`` is no fd (before any call).
        BufferError: ``buf`` is not C-contiguous (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    if type(fd) is int:
        n = fd
    elif type(fd) is Fd and fd._fd >= 0:
        n = fd._fd
    else:
        n = fdnum(fd)
    if type(buf) is bytearray:  # the common case, always writable: skip writable()'s checks
        cbuf = _from_buffer(buf)  # (and from_buffer's: char[] and require_writable cost 25 ns)
        count = len(buf)
    elif type(buf) is OWNED:  # ffi.new memory: writable, passed as it is
        cbuf = buf
        count = nbytes(buf)
    else:
        cbuf = writable(buf)
        count = nbytes(cbuf)
    try:
        r = _read(n, cbuf, count)
        while r < 0:
            if r != NEG_EINTR:
                raise OSError(-r, STRERROR[-r]) if r != _NEG_ENOSYS else error(-r, "read")
            r = _read(n, cbuf, count)
    except BaseException:
        release(cbuf, buf)  # a view left in the traceback would keep buf exported
        raise
    return r


def write(fd: FdArg, data: Buffer) -> int:
    """Write a bytes-like object; return the count written (man 2 write).

    The count may be short of ``len(data)`` (a pipe, a socket, a signal); EINTR before
    anything is written is retried (PEP 475).

    https://man7.org/linux/man-pages/man2/write.2.html

    Raises:
        BlockingIOError: ``fd`` is nonblocking and full (EAGAIN).
        BrokenPipeError: a pipe or socket whose reading end is closed (EPIPE; Python ignores
            the SIGPIPE that comes with it).
        OSError: EBADF for an fd not open for writing, ENOSPC, EDQUOT, EFBIG, EIO, EINVAL
            ..., the subclass os raises for any other errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``data`` is no bytes-like object, or ``fd`` no fd (before any call).
        BufferError: ``data`` is not C-contiguous (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    if type(fd) is int:
        n = fd
    elif type(fd) is Fd and fd._fd >= 0:
        n = fd._fd
    else:
        n = fdnum(fd)
    if type(data) is bytes:  # the hot path: cffi passes bytes as they are, nothing to release
        r = _write(n, data, len(data))
        while r < 0:
            if r != NEG_EINTR:
                raise OSError(-r, STRERROR[-r]) if r != _NEG_ENOSYS else error(-r, "write")
            r = _write(n, data, len(data))
        return r
    cdata = view(data)
    count = nbytes(cdata)
    try:
        r = _write(n, cdata, count)
        while r < 0:
            if r != NEG_EINTR:
                raise error(-r, "write")
            r = _write(n, cdata, count)
    except BaseException:
        release(cdata, data)
        raise
    return r


def _offset64(offset: int) -> int:
    return in_range(offset, "offset", _I64_MIN, _I64_MAX)


@overload
def pread(fd: FdArg, n_or_buf: int,
          offset: int) -> bytes: ...
@overload
def pread(fd: FdArg, n_or_buf: Buffer, offset: int) -> int: ...


def pread(fd: FdArg, n_or_buf: Union[int, Buffer], offset: int) -> Union[bytes, int]:
    """read() at ``offset`` without moving the file position (man 2 pread).

    https://man7.org/linux/man-pages/man2/pread.2.html

    Raises:
        IsADirectoryError: ``fd`` is a directory (EISDIR).
        OSError: ESPIPE for a pipe, socket or FIFO, EINVAL for a negative ``offset``, EBADF
            for an fd not open for reading, EAGAIN, EIO ..., the subclass os raises for any
            other errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd, or a buffer is read-only or no bytes-like object (before
            any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: a negative ``n``, or an unknown std fd name (before any call).
        OverflowError: ``n`` past what a bytes object can hold, or ``offset`` beyond 64 bits
            (before any call).
    """
    n = fdnum(fd)
    off = _offset64(offset)
    if isinstance(n_or_buf, int):
        count = read_size(n_or_buf)
        buf = alloc("char[]", count)
        return _unpack(buf, call(_pread, "pread64", n, buf, count, off))
    cbuf = writable(n_or_buf)
    try:
        return call(_pread, "pread64", n, cbuf, nbytes(cbuf), off)
    finally:
        release(cbuf, n_or_buf)


def pwrite(fd: FdArg, data: Buffer, offset: int) -> int:
    """write() at ``offset`` without moving the file position (man 2 pwrite).

    https://man7.org/linux/man-pages/man2/pwrite.2.html

    Raises:
        OSError: ESPIPE for a pipe, socket or FIFO, EINVAL for a negative ``offset``, EBADF
            for an fd not open for writing, ENOSPC, EDQUOT, EFBIG, EAGAIN ..., the subclass
            os raises for any other errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``data`` is no bytes-like object, or ``fd`` no fd (before any call).
        BufferError: ``data`` is not C-contiguous (before any call).
        ValueError: an unknown std fd name (before any call).
        OverflowError: ``offset`` beyond 64 bits (before any call).
    """
    n = fdnum(fd)
    off = _offset64(offset)
    cdata = readable(data)
    try:
        return call(_pwrite, "pwrite64", n, cdata,
                    len(data) if type(data) is bytes else nbytes(cdata), off)
    finally:
        release(cdata, data)


def _iovecs(buffers: Iterable[Buffer], convert: Any) -> tuple[Any, list[tuple[Any, Any]]]:
    """A ``struct iovec[]`` over views of ``buffers`` made by ``convert`` (writable or view),
    and the (view, buffer) pairs to hand to _release_views() once the call returns or fails.
    If a buffer is refused, the views made so far are released before the error leaves."""
    views: list[tuple[Any, Any]] = []
    try:
        for b in buffers:
            views.append((convert(b), b))
        iov = _new("struct iovec[]", len(views))
        for (v, _), slot in zip(views, iov):
            slot.iov_base = v
            slot.iov_len = nbytes(v)
    except BaseException:
        _release_views(views)
        raise
    return iov, views


def _release_views(views: list[tuple[Any, Any]]) -> None:
    for v, b in views:
        release(v, b)


def _vector(fn: Any, name: str, n: int, buffers: Iterable[Buffer], convert: Any,
            *tail: int) -> int:
    """One call of a vectored helper ``fn(n, iov, count, *tail)`` over ``buffers``' views,
    released after it, also on error."""
    iov, views = _iovecs(buffers, convert)
    try:
        return call(fn, name, n, iov, len(views), *tail)
    finally:
        _release_views(views)


def readv(fd: FdArg, buffers: Iterable[Buffer]) -> int:
    """Scatter-read into writable buffers in order; return the total (man 2 readv).

    https://man7.org/linux/man-pages/man2/readv.2.html

    Raises:
        BlockingIOError: ``fd`` is nonblocking and has nothing to read yet (EAGAIN).
        IsADirectoryError: ``fd`` is a directory (EISDIR).
        OSError: EINVAL for more than IOV_MAX (1024) buffers or a total past SSIZE_MAX, EBADF
            for an fd not open for reading, EIO ..., the subclass os raises for any other
            errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``buffers`` is not iterable, or holds a read-only or non-bytes-like
            object; ``fd`` is no fd (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    return _vector(_readv, "readv", fdnum(fd), buffers, writable)


def writev(fd: FdArg, buffers: Iterable[Buffer]) -> int:
    """Gather-write buffers in order; return the total (man 2 writev).

    https://man7.org/linux/man-pages/man2/writev.2.html

    Raises:
        BlockingIOError: ``fd`` is nonblocking and full (EAGAIN).
        BrokenPipeError: a pipe or socket whose reading end is closed (EPIPE).
        OSError: EINVAL for more than IOV_MAX (1024) buffers or a total past SSIZE_MAX, EBADF
            for an fd not open for writing, ENOSPC, EDQUOT, EFBIG, EIO ..., the subclass os
            raises for any other errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``buffers`` is not iterable or holds a non-bytes-like object; ``fd`` is no
            fd (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    return _vector(_writev, "writev", fdnum(fd), buffers, view)


def preadv2(fd: FdArg, buffers: Iterable[Buffer], offset: int = -1, flags: FlagArg = 0) -> int:
    """readv() at ``offset`` (-1: the file position) with ``RWF`` flags (man 2 preadv2).

    https://man7.org/linux/man-pages/man2/preadv2.2.html

    Raises:
        BlockingIOError: ``RWF.NOWAIT`` and the data is not in the page cache, or a
            nonblocking ``fd`` with nothing to read (EAGAIN).
        IsADirectoryError: ``fd`` is a directory (EISDIR).
        OSError: ESPIPE for an ``offset`` on a pipe or socket, EOPNOTSUPP for an ``RWF`` flag
            the file does not support, EINVAL for an unknown flag, more than IOV_MAX (1024)
            buffers or an offset below -1, EBADF ..., the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: before Linux 4.6).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``buffers`` is not iterable, or holds a read-only or non-bytes-like
            object; ``flags`` is not an int, RWF member or name string, or ``fd`` no fd
            (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: an unknown RWF name or std fd name (before any call).
        OverflowError: ``offset`` beyond 64 bits (before any call).
    """
    n, off, f = fdnum(fd), _offset64(offset), to_int(flags, RWF)
    return _vector(_preadv2, "preadv2", n, buffers, writable, off, f)


def pwritev2(fd: FdArg, buffers: Iterable[Buffer], offset: int = -1, flags: FlagArg = 0) -> int:
    """writev() at ``offset`` (-1: the file position) with ``RWF`` flags (man 2 pwritev2).

    https://man7.org/linux/man-pages/man2/pwritev2.2.html

    Raises:
        BlockingIOError: ``RWF.NOWAIT`` and the write would block, or a nonblocking ``fd``
            that is full (EAGAIN).
        BrokenPipeError: a pipe or socket whose reading end is closed (EPIPE).
        OSError: ESPIPE for an ``offset`` on a pipe or socket, EOPNOTSUPP for an ``RWF`` flag
            the file does not support, EINVAL for an unknown flag, more than IOV_MAX (1024)
            buffers or an offset below -1, EBADF, ENOSPC, EDQUOT, EFBIG ..., the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: before Linux 4.6).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``buffers`` is not iterable or holds a non-bytes-like object; ``flags``
            is not an int, RWF member or name string, or ``fd`` no fd (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: an unknown RWF name or std fd name (before any call).
        OverflowError: ``offset`` beyond 64 bits (before any call).
    """
    n, off, f = fdnum(fd), _offset64(offset), to_int(flags, RWF)
    return _vector(_pwritev2, "pwritev2", n, buffers, view, off, f)


def lseek(fd: FdArg, offset: int, whence: FlagArg = 0) -> int:
    """Move the file position; return the new one (man 2 lseek; _llseek on 32-bit arches).

    ``whence`` is a ``SEEK`` member (``SEEK.SET``, ``CUR``, ``END``, ``DATA``, ``HOLE``).

    https://man7.org/linux/man-pages/man2/lseek.2.html

    Raises:
        OSError: ESPIPE for a pipe, socket or FIFO, EINVAL for an unknown ``whence`` or a
            resulting negative position, ENXIO for ``SEEK.DATA``/``SEEK.HOLE`` at or past
            the end, EOVERFLOW, EBADF ..., the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``whence`` is not an int, SEEK member or name string, ``offset`` not an
            int, or ``fd`` no fd (before any call).
        ValueError: an unknown SEEK name or std fd name (before any call).
        OverflowError: ``offset`` beyond 64 bits (before any call).
    """
    result = _new("int64_t *")
    call(_lseek, "lseek", fdnum(fd), offset, to_int(whence, SEEK), result)
    pos: int = result[0]
    return pos


def close(fd: FdArg) -> None:
    """Close an fd (man 2 close).  An Fd is marked closed (closing a closed Fd does nothing);
    EINTR is not retried, nor raised (Linux has already released the number, so a retry
    could close someone else's).

    https://man7.org/linux/man-pages/man2/close.2.html

    Raises:
        OSError: EBADF for a number that is not open, EIO, ENOSPC or EDQUOT for a deferred
            write error (NFS ...: the fd is closed all the same), the subclass os raises for
            any other errno.
        TypeError: ``fd`` is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    if isinstance(fd, Fd):
        fd.close()
        return
    r = _close(fdnum(fd))
    if r < 0 and r != NEG_EINTR:
        raise error(-r, "close")


def _target(newfd: FdArg) -> Fd:
    return newfd if isinstance(newfd, Fd) else Fd(fdnum(newfd), own=False)


def dup(oldfd: FdArg, newfd: Optional[FdArg] = None, flags: Optional[FlagArg] = None,
        *, inheritable: bool = False) -> Fd:
    """Duplicate an fd (man 2 dup), folding dup2 and dup3 in as ljsyscall does.

    ``dup(oldfd)`` returns a new owning Fd (close-on-exec unless ``inheritable``);
    ``dup(oldfd, newfd)`` is dup2; ``dup(oldfd, newfd, flags)`` is dup3.  With a target, the
    result is ``newfd`` itself if it is an Fd, else a non-owning Fd for that number.

    https://man7.org/linux/man-pages/man2/dup.2.html

    Raises:
        OSError: EBADF for an ``oldfd`` that is not open, EMFILE when the process has no fd to
            spare, EINVAL (dup3: ``oldfd == newfd``, unknown flags), EBUSY, the subclass os
            raises for any other errno.
        ClosedFdError: ``oldfd`` or ``newfd`` is a closed Fd.
        TypeError: ``flags`` without ``newfd``, ``flags`` not an int, O member or name
            string, or an fd argument no fd (before any call).
        ValueError: an unknown O name or std fd name (before any call).
    """
    if newfd is None:
        if flags is not None:
            raise TypeError("dup(oldfd, flags) needs a target: dup(oldfd, newfd, flags)")
        n = fdnum(oldfd)
        if inheritable:
            return Fd(call(_dup, "dup", n))
        return Fd(call(_fcntl, "fcntl", n, _F_DUPFD_CLOEXEC, 0))
    if flags is None:
        return dup2(oldfd, newfd)
    return dup3(oldfd, newfd, flags)


def dup2(oldfd: FdArg, newfd: FdArg, inheritable: bool = True) -> Fd:
    """Make ``newfd`` a copy of ``oldfd`` (man 2 dup2), through dup3 on every arch.

    dup2(fd, fd) checks fd and does nothing, as dup2 does (dup3 would refuse it).
    ``inheritable`` False makes ``newfd`` close-on-exec.

    https://man7.org/linux/man-pages/man2/dup2.2.html

    Raises:
        OSError: EBADF for an ``oldfd`` that is not open or a ``newfd`` out of range, EBUSY
            (a race with open()), the subclass os raises for any other errno.
        ClosedFdError: ``oldfd`` or ``newfd`` is a closed Fd.
        TypeError: an fd argument is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    o, n = fdnum(oldfd), fdnum(newfd)
    if o == n:
        call(_fcntl, "fcntl", o, _F_GETFD, 0)
    else:
        call(_dup3, "dup3", o, n, 0 if inheritable else _O_CLOEXEC)
    return _target(newfd)


def dup3(oldfd: FdArg, newfd: FdArg, flags: FlagArg = 0) -> Fd:
    """dup2 with ``O.CLOEXEC`` as the only flag (man 2 dup3).

    https://man7.org/linux/man-pages/man2/dup3.2.html

    Raises:
        OSError: EINVAL for ``oldfd == newfd`` or a flag other than ``O.CLOEXEC``, EBADF for
            an ``oldfd`` that is not open or a ``newfd`` out of range, EBUSY, the subclass os
            raises for any other errno.
        ClosedFdError: ``oldfd`` or ``newfd`` is a closed Fd.
        TypeError: ``flags`` is not an int, O member or name string, or an fd argument no fd
            (before any call).
        ValueError: an unknown O name or std fd name (before any call).
    """
    o, n = fdnum(oldfd), fdnum(newfd)
    call(_dup3, "dup3", o, n, to_int(flags, O))
    return _target(newfd)


def pipe2(flags: FlagArg = 0, *, inheritable: bool = False) -> tuple[Fd, Fd]:
    """A pipe as ``(read_end, write_end)`` (man 2 pipe2); close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/pipe2.2.html

    Raises:
        OSError: EMFILE or ENFILE when the process or the system has no fd to spare, EINVAL
            for a flag other than ``O.CLOEXEC``, ``O.NONBLOCK``, ``O.DIRECT`` (and
            O_NOTIFICATION_PIPE), the subclass os raises for any other errno.
        TypeError: ``flags`` is not an int, O member or name string (before any call).
        ValueError: an unknown O name (before any call).
    """
    fds = _new("int[2]")
    f = to_int(flags, O)
    call(_pipe2, "pipe2", fds, f if inheritable else f | _O_CLOEXEC)
    return Fd(fds[0]), Fd(fds[1])


def pipe(flags: FlagArg = 0, *, inheritable: bool = False) -> tuple[Fd, Fd]:
    """A pipe as two Fds, ``(read_end, write_end)`` (man 2 pipe; pipe2 on every arch).

    https://man7.org/linux/man-pages/man2/pipe.2.html

    Raises:
        OSError: EMFILE or ENFILE when the process or the system has no fd to spare, EINVAL
            for a flag other than ``O.CLOEXEC``, ``O.NONBLOCK``, ``O.DIRECT`` (and
            O_NOTIFICATION_PIPE), the subclass os raises for any other errno.
        TypeError: ``flags`` is not an int, O member or name string (before any call).
        ValueError: an unknown O name (before any call).
    """
    return pipe2(flags, inheritable=inheritable)


# How many bytes the kernel reads or writes through the argument of a known command: a
# shorter buffer is refused before the call.  Sizes are the headers' (the kernel's struct
# termios is smaller than the C library's; see io.c).
def _sizes(pairs: Iterable[tuple[Iterable[str], str]]) -> dict[int, int]:
    return {getattr(lib, name): _sizeof(ctype) for names, ctype in pairs for name in names
            if hasattr(lib, name)}


_FCNTL_ARG = _sizes([
    (("F_GETLK", "F_SETLK", "F_SETLKW", "F_OFD_GETLK", "F_OFD_SETLK", "F_OFD_SETLKW"),
     "struct flock"),
    (("F_GETOWN_EX", "F_SETOWN_EX"), "struct f_owner_ex"),
])
_IOCTL_ARG = _sizes([
    (("LS_TCGETS", "LS_TCSETS", "LS_TCSETSW", "LS_TCSETSF", "LS_TIOCGLCKTRMIOS",
      "LS_TIOCSLCKTRMIOS"), "struct ls_kernel_termios"),
    (("LS_TCGETA", "LS_TCSETA", "LS_TCSETAW", "LS_TCSETAF"), "struct termio"),
    (("LS_TIOCGWINSZ", "LS_TIOCSWINSZ"), "struct winsize"),
    (("LS_FIONREAD", "LS_TIOCOUTQ", "LS_FIONBIO", "LS_FIOASYNC", "LS_TIOCMGET", "LS_TIOCMSET",
      "LS_TIOCMBIS", "LS_TIOCMBIC", "LS_TIOCGETD", "LS_TIOCSETD", "LS_TIOCPKT",
      "LS_TIOCGSOFTCAR", "LS_TIOCSSOFTCAR"), "int"),
    (("LS_TIOCGPGRP", "LS_TIOCSPGRP", "LS_TIOCGSID"), "pid_t"),
    (("LS_TIOCSTI",), "char"),
])
_IOC_NONE = lib.LS_IOC_NONE
_IOC_DIRSHIFT, _IOC_DIRMASK = lib.LS_IOC_DIRSHIFT, lib.LS_IOC_DIRMASK
_IOC_SIZESHIFT, _IOC_SIZEMASK = lib.LS_IOC_SIZESHIFT, lib.LS_IOC_SIZEMASK

# CPython's fcntl/ioctl rule: a buffer up to this long is copied through a scratch buffer this
# long, so that a command writing more than the caller's buffer holds cannot overrun it; a
# longer one is passed as it is.  The guard after the copy tells whether the kernel wrote past.
_ARG_SCRATCH = 1024
_GUARD = b"\x00\xfa\x69\xc4\x67\xa3\x6c\x58"  # NUL, then bytes a struct is unlikely to end with


def _int_or_buffer(fn_int: Any, fn_ptr: Any, name: str, fd: FdArg, cmd: int,
                   arg: Union[int, Buffer, None], need: int, known: bool) -> int:
    """fcntl/ioctl with ``arg`` an int, None (NULL) or a buffer of at least ``need`` bytes;
    ``known``: the command takes a pointer to its struct, never an int."""
    n = fdnum(fd)
    if arg is None:
        return call(fn_ptr, name, n, cmd, ffi.NULL)
    if isinstance(arg, int):
        if known:  # an int would be an address for the kernel to write at
            raise TypeError(f"{name} command {cmd:#x} takes a buffer, not an int")
        return call(fn_int, name, n, cmd, in_range(arg, "arg", _LONG_MIN, _ULONG) & _ULONG)
    cbuf = writable(arg)
    try:
        size = nbytes(cbuf)
        if size < need:
            raise ValueError(f"{name} command {cmd:#x} takes a {need}-byte argument; "
                             f"the buffer holds {size}")
        if size > _ARG_SCRATCH:
            return call(fn_ptr, name, n, cmd, cbuf)
        copy = _new("char[]", _ARG_SCRATCH + len(_GUARD))
        _memmove(copy, cbuf, size)
        _memmove(copy + size, _GUARD, len(_GUARD))
        r = call(fn_ptr, name, n, cmd, copy)
        _memmove(cbuf, copy, size)
        if _buffer(copy)[size:size + len(_GUARD)] != _GUARD:
            raise ValueError(f"{name} command {cmd:#x} wrote past the {size}-byte buffer "
                             f"(its first {size} bytes hold the start of the result): "
                             "pass a buffer the size of the command's struct")
        return r
    finally:
        release(cbuf, arg)


def fcntl(fd: FdArg, cmd: FlagArg, arg: Union[int, Buffer, None] = 0) -> int:
    """fcntl(fd, cmd, arg) (man 2 fcntl; fcntl64 on 32-bit arches).

    ``arg`` is an int, or a writable buffer holding the struct the command reads or fills
    (e.g. ``struct flock`` from ``L.ffi``), which the kernel updates in place.  A buffer
    shorter than a known command's struct (F_GETLK/F_SETLK*/F_OFD_*: struct flock,
    F_GETOWN_EX/F_SETOWN_EX: struct f_owner_ex) raises ValueError before the call; a buffer
    of up to 1024 bytes is passed through a copy of that size.  For other commands an int
    that the kernel takes as an address is unsafe.

    https://man7.org/linux/man-pages/man2/fcntl.2.html

    Raises:
        BlockingIOError: F_SETLK/F_OFD_SETLK on a range another lock holds (EAGAIN).
        OSError: EINVAL for an unknown command or a bad argument, EDEADLK (F_SETLKW), EBADF
            for an fd not open as the lock needs, EMFILE (F_DUPFD), EPERM, EBUSY, ENOLCK ...,
            the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: an int for a command that takes a struct, an ``arg`` that is no int,
            None or writable buffer, ``cmd`` not an int, F member or name string, or ``fd``
            no fd (before any call).
        ValueError: a buffer shorter than the command's struct, or an unknown F name or std
            fd name (before any call); a buffer the kernel wrote past (after the completed
            call: its first bytes hold the start of the result).
        OverflowError: ``cmd`` beyond 32 bits, an int ``arg`` beyond a C long (before any
            call).
    """
    c = in_range(to_int(cmd, F), "cmd", -(1 << 31), U32) & U32
    need = _FCNTL_ARG.get(c)
    return _int_or_buffer(_fcntl, _fcntl_ptr, "fcntl", fd, c, arg, need or 0, need is not None)


def ioctl(fd: FdArg, request: int, arg: Union[int, Buffer, None] = 0) -> int:
    """ioctl(fd, request, arg) (man 2 ioctl): ``arg`` an int or a writable buffer.

    ``request`` is the kernel's 32-bit command (negative values as their unsigned form, as
    CPython's fcntl.ioctl takes them).  A buffer shorter than the request's struct raises
    ValueError before the call: the size encoded in an _IOR/_IOW/_IOWR request, or for
    the terminal requests TCGETS/TCSETS* (the kernel's struct termios), TCGETA/TCSETA*,
    TIOCGWINSZ/TIOCSWINSZ, FIONREAD, FIONBIO, TIOCOUTQ, TIOCM*, TIOC[GS]PGRP ... their
    struct or int (those named refuse an int: TypeError).  Buffers of up to 1024 bytes go
    through a copy as in fcntl().  Unsafe for an int the kernel takes as an address, and for
    requests whose struct holds pointers or lengths: the kernel follows them.

    https://man7.org/linux/man-pages/man2/ioctl.2.html

    Raises:
        OSError: ENOTTY for a request the fd's driver does not know, EINVAL for a bad
            argument, EFAULT, EBADF, EPERM ..., the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: an int for one of the named requests, an ``arg`` that is no int, None or
            writable buffer, or ``fd`` no fd (before any call).
        ValueError: a buffer shorter than the request's struct, or an unknown std fd name
            (before any call); a buffer the kernel wrote past (after the completed call, as
            fcntl()).
        OverflowError: ``request`` beyond 32 bits, an int ``arg`` beyond a C long (before
            any call).
    """
    req = in_range(request, "request", -(1 << 31), U32) & U32
    need = _IOCTL_ARG.get(req)
    if need is not None:
        return _int_or_buffer(_ioctl, _ioctl_ptr, "ioctl", fd, req, arg, need, True)
    # An int stays allowed here: some _IOW requests take their value itself (UI_SET_EVBIT).
    encoded = ((req >> _IOC_SIZESHIFT) & _IOC_SIZEMASK
               if (req >> _IOC_DIRSHIFT) & _IOC_DIRMASK != _IOC_NONE else 0)
    return _int_or_buffer(_ioctl, _ioctl_ptr, "ioctl", fd, req, arg, encoded, False)


def _offset(off: Optional[int]) -> Any:
    return ffi.NULL if off is None else _new("int64_t *", off)


def sendfile(out_fd: FdArg, in_fd: FdArg, offset: Optional[int], count: int) -> int:
    """Copy ``count`` bytes from in_fd (at ``offset``, or its position if None) to out_fd
    inside the kernel; return the count (man 2 sendfile).

    https://man7.org/linux/man-pages/man2/sendfile.2.html

    Raises:
        BlockingIOError: ``out_fd`` is nonblocking and full (EAGAIN).
        BrokenPipeError: ``out_fd`` is a pipe or socket whose reading end is closed (EPIPE).
        OSError: ESPIPE for an ``offset`` on an ``in_fd`` that cannot seek, EINVAL for an
            ``in_fd`` without mmap-like reads or an ``out_fd`` opened with O_APPEND, EBADF,
            EIO, EOVERFLOW ..., the subclass os raises for any other errno.
        ClosedFdError: ``out_fd`` or ``in_fd`` is a closed Fd.
        TypeError: ``offset`` or ``count`` is not an int, or an fd argument no fd (before any
            call).
        ValueError: an unknown std fd name (before any call).
        OverflowError: ``offset`` beyond 64 bits, ``count`` negative or beyond a size_t
            (before any call).
    """
    return call(_sendfile, "sendfile", fdnum(out_fd), fdnum(in_fd), _offset(offset), count)


def splice(fd_in: FdArg, off_in: Optional[int], fd_out: FdArg, off_out: Optional[int],
           len: int, flags: FlagArg = 0) -> int:
    """Move up to ``len`` bytes between fds, one of them a pipe (man 2 splice).

    Offsets are None for a pipe or to use and advance the file position.

    https://man7.org/linux/man-pages/man2/splice.2.html

    Raises:
        BlockingIOError: ``SPLICE_F.NONBLOCK`` or a nonblocking fd, and the move would
            block (EAGAIN).
        BrokenPipeError: ``fd_out`` is a pipe whose reading end is closed (EPIPE).
        OSError: EINVAL when neither fd is a pipe, for a file that cannot splice or one
            opened with O_APPEND, ESPIPE for an offset of a pipe, EBADF, ENOMEM ..., the
            subclass os raises for any other errno.
        ClosedFdError: ``fd_in`` or ``fd_out`` is a closed Fd.
        TypeError: ``flags`` is not an int, SPLICE_F member or name string, an offset or
            ``len`` not an int, or an fd argument no fd (before any call).
        ValueError: an unknown SPLICE_F name or std fd name (before any call).
        OverflowError: an offset beyond 64 bits, ``len`` negative or beyond a size_t (before
            any call).
    """
    return call(_splice, "splice", fdnum(fd_in), _offset(off_in), fdnum(fd_out),
                _offset(off_out), len, to_int(flags, SPLICE_F))


def copy_file_range(fd_in: FdArg, off_in: Optional[int], fd_out: FdArg, off_out: Optional[int],
                    len: int, flags: int = 0) -> int:
    """Copy up to ``len`` bytes between files inside the kernel (man 2 copy_file_range).

    Offsets are None to use and advance the file positions.

    https://man7.org/linux/man-pages/man2/copy_file_range.2.html

    Raises:
        IsADirectoryError: either fd is a directory (EISDIR).
        OSError: EXDEV for files on different filesystems (before Linux 5.3; since 5.19
            only those of different types or without cross-filesystem copy), EINVAL for
            overlapping ranges in one file,
            non-regular files or ``flags`` other than 0, EBADF, EFBIG, ENOSPC, EOVERFLOW,
            EOPNOTSUPP ..., the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: before Linux 4.5).
        ClosedFdError: ``fd_in`` or ``fd_out`` is a closed Fd.
        TypeError: an offset, ``len`` or ``flags`` is not an int, or an fd argument no fd
            (before any call).
        ValueError: an unknown std fd name (before any call).
        OverflowError: an offset beyond 64 bits, ``len`` or ``flags`` out of its C type's
            range (before any call).
    """
    return call(_copy_file_range, "copy_file_range", fdnum(fd_in), _offset(off_in),
                fdnum(fd_out), _offset(off_out), len, flags)


def vmsplice(fd: FdArg, iov: Iterable[Buffer], flags: FlagArg = 0) -> int:
    """Hand buffers to a pipe, or fill them from it; return the byte count (man 2 vmsplice).

    On a pipe's write end the kernel takes references to the buffers' pages, not a copy of
    their bytes: until the reader has read them, a change to a buffer (or reuse of its
    memory once it is freed or resized) shows in what the reader gets.  Keep the buffers
    alive and unchanged until then, or use write()/writev(), which copy.  Read-only buffers
    (bytes) are fine there.  On a read end it copies the pipe's bytes into the buffers,
    which must be writable (TypeError otherwise), as readv.  ``flags``: ``SPLICE_F.NONBLOCK``
    (EAGAIN rather than wait), ``SPLICE_F.GIFT`` (the pages are given away: a consumer such
    as FUSE may take them over, so never touch them again).

    https://man7.org/linux/man-pages/man2/vmsplice.2.html

    Raises:
        BlockingIOError: ``SPLICE_F.NONBLOCK`` or a nonblocking pipe, and the pipe is full
            or empty (EAGAIN).
        OSError: EBADF for an fd that is not open or no pipe, EINVAL for more than IOV_MAX
            (1024) buffers, ENOMEM ..., the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``iov`` is not iterable or holds a non-bytes-like object (or, for a read
            end, a read-only one); ``flags`` is not an int, SPLICE_F member or name string,
            or ``fd`` no fd (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: an unknown SPLICE_F name or std fd name (before any call).
    """
    n = fdnum(fd)
    f = to_int(flags, SPLICE_F)
    # The fd's access mode says which way the kernel goes: a write end (or a FIFO opened
    # read-write) only reads the buffers; a read end writes into them.
    mode = call(_fcntl, "fcntl", n, _F_GETFL, 0)
    convert = writable if mode & _O_ACCMODE == _O_RDONLY else view
    vec, views = _iovecs(iov, convert)
    try:
        return call(_vmsplice, "vmsplice", n, vec, len(views), f)
    finally:
        _release_views(views)


methods(read, readinto, write, pread, pwrite, readv, writev, preadv2, pwritev2, lseek,
        dup, dup2, dup3, fcntl, ioctl, sendfile, splice, copy_file_range, vmsplice)

__all__ = ["read", "readinto", "write", "pread", "pwrite", "readv", "writev", "preadv2",
           "pwritev2", "lseek", "close", "dup", "dup2", "dup3", "pipe", "pipe2",
           "fcntl", "ioctl", "sendfile", "splice", "copy_file_range",
           "vmsplice"]
__all__ += _sys_io.__all__
