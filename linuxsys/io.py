"""io: reading, writing, seeking and plumbing file descriptors (man 2 read, write, dup ...)."""
from __future__ import annotations

from typing import Any, Iterable, Optional, Union

from ._core import (CHARS, NEG_EINTR, SCRATCH_SIZE, Buffer, alloc, call, error, ffi, lib,
                    pop_scratch, readable, scratch, view, writable)
from .fd import Fd, FdArg, fdnum, methods
from .flags import NAMESPACES, FlagArg, to_int

O = NAMESPACES["O"]
F = NAMESPACES["F"]
SEEK = NAMESPACES["SEEK"]
LOCK = NAMESPACES["LOCK"]
SPLICE_F = NAMESPACES["SPLICE_F"]
RWF = NAMESPACES["RWF"]
CLOSE_RANGE = NAMESPACES["CLOSE_RANGE"]

_read = lib.ls_read
_write = lib.ls_write
_pread = lib.ls_pread64
_pwrite = lib.ls_pwrite64
_readv = lib.ls_readv
_writev = lib.ls_writev
_preadv2 = lib.ls_preadv2
_pwritev2 = lib.ls_pwritev2
_lseek = lib.ls_lseek
_close = lib.ls_close
_close_range = lib.ls_close_range
_dup = lib.ls_dup
_dup3 = lib.ls_dup3
_pipe2 = lib.ls_pipe2
_fcntl = lib.ls_fcntl
_fcntl_ptr = lib.ls_fcntl_ptr
_ioctl = lib.ls_ioctl
_ioctl_ptr = lib.ls_ioctl_ptr
_flock = lib.ls_flock
_sendfile = lib.ls_sendfile
_splice = lib.ls_splice
_tee = lib.ls_tee
_copy_file_range = lib.ls_copy_file_range

_O_CLOEXEC = lib.O_CLOEXEC
_F_GETFD = lib.F_GETFD
_F_DUPFD_CLOEXEC = lib.F_DUPFD_CLOEXEC
_unpack = ffi.unpack
_new = ffi.new
_from_buffer = ffi.from_buffer
_CData = ffi.CData
_ULONG = (1 << (8 * ffi.sizeof("long"))) - 1  # an int argument as the unsigned long it crosses as


def read(fd: FdArg, n_or_buf: Union[int, Buffer]) -> Union[bytes, int]:
    """Read up to ``n`` bytes and return them, or fill a buffer and return the count (man 2 read)."""
    if type(fd) is not int:
        fd = fd._fd if type(fd) is Fd else fdnum(fd)
    if type(n_or_buf) is not int:
        return readinto(fd, n_or_buf)
    n = n_or_buf
    if n <= SCRATCH_SIZE:
        if n < 0:
            raise ValueError("negative read size")
        buf = pop_scratch()
        r = _read(fd, buf, n)
        while r < 0:
            if r != NEG_EINTR:
                scratch.append(buf)
                raise error(-r, "read")
            r = _read(fd, buf, n)
        data = _unpack(buf, r)
        scratch.append(buf)
        return data
    buf = alloc("char[]", n)
    return _unpack(buf, call(_read, "read", fd, buf, n))


def readinto(fd: FdArg, buf: Buffer) -> int:
    """Fill a writable buffer from ``fd``; return the count, 0 at end of file (man 2 read)."""
    if type(fd) is not int:
        fd = fd._fd if type(fd) is Fd else fdnum(fd)
    if type(buf) is bytearray:  # the common case, always writable: skip writable()'s checks
        cbuf = _from_buffer(CHARS, buf, True)
    elif isinstance(buf, _CData):
        cbuf = buf
    else:
        cbuf = writable(buf)
    n = len(cbuf)
    r = _read(fd, cbuf, n)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, "read")
        r = _read(fd, cbuf, n)
    return r


def write(fd: FdArg, data: Buffer) -> int:
    """Write a bytes-like object; return the count written (man 2 write)."""
    if type(fd) is not int:
        fd = fd._fd if type(fd) is Fd else fdnum(fd)
    if type(data) is not bytes:
        data = readable(data)
    n = len(data)
    r = _write(fd, data, n)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, "write")
        r = _write(fd, data, n)
    return r


def pread(fd: FdArg, n_or_buf: Union[int, Buffer], offset: int) -> Union[bytes, int]:
    """read() at ``offset`` without moving the file position (man 2 pread)."""
    fd = fdnum(fd)
    if isinstance(n_or_buf, int):
        if n_or_buf < 0:
            raise ValueError("negative read size")
        buf = alloc("char[]", n_or_buf)
        return _unpack(buf, call(_pread, "pread64", fd, buf, n_or_buf, offset))
    cbuf = writable(n_or_buf)
    return call(_pread, "pread64", fd, cbuf, len(cbuf), offset)


def pwrite(fd: FdArg, data: Buffer, offset: int) -> int:
    """write() at ``offset`` without moving the file position (man 2 pwrite)."""
    data = readable(data)
    return call(_pwrite, "pwrite64", fdnum(fd), data, len(data), offset)


def _iovecs(buffers: Iterable[Buffer], convert: Any) -> tuple[Any, list[Any]]:
    views = [convert(b) for b in buffers]
    iov = _new("struct iovec[]", len(views))
    for v, slot in zip(views, iov):
        slot.iov_base = v
        slot.iov_len = len(v)
    return iov, views


def readv(fd: FdArg, buffers: Iterable[Buffer]) -> int:
    """Scatter-read into writable buffers in order; return the total (man 2 readv)."""
    iov, _keep = _iovecs(buffers, writable)
    return call(_readv, "readv", fdnum(fd), iov, len(iov))


def writev(fd: FdArg, buffers: Iterable[Buffer]) -> int:
    """Gather-write buffers in order; return the total (man 2 writev)."""
    iov, _keep = _iovecs(buffers, view)
    return call(_writev, "writev", fdnum(fd), iov, len(iov))


def preadv2(fd: FdArg, buffers: Iterable[Buffer], offset: int = -1, flags: FlagArg = 0) -> int:
    """readv() at ``offset`` (-1: the file position) with ``RWF`` flags (man 2 preadv2)."""
    iov, _keep = _iovecs(buffers, writable)
    return call(_preadv2, "preadv2", fdnum(fd), iov, len(iov), offset, to_int(flags, RWF))


def pwritev2(fd: FdArg, buffers: Iterable[Buffer], offset: int = -1, flags: FlagArg = 0) -> int:
    """writev() at ``offset`` (-1: the file position) with ``RWF`` flags (man 2 pwritev2)."""
    iov, _keep = _iovecs(buffers, view)
    return call(_pwritev2, "pwritev2", fdnum(fd), iov, len(iov), offset, to_int(flags, RWF))


def lseek(fd: FdArg, offset: int, whence: FlagArg = 0) -> int:
    """Move the file position; return the new one (man 2 lseek; _llseek on 32-bit arches)."""
    result = _new("int64_t *")
    call(_lseek, "lseek", fdnum(fd), offset, to_int(whence, SEEK), result)
    return result[0]


def close(fd: FdArg) -> None:
    """Close an fd (man 2 close).  An Fd is marked closed; EINTR is not retried (Linux has
    already released the number, so a retry could close someone else's)."""
    if isinstance(fd, Fd):
        fd.close()
        return
    r = _close(fdnum(fd))
    if r < 0 and r != NEG_EINTR:
        raise error(-r, "close")


def close_range(first: int, last: int = 0xFFFFFFFF, flags: FlagArg = 0) -> None:
    """Close (or with CLOSE_RANGE.CLOEXEC mark) every fd in first..last (man 2 close_range).

    Fd objects for those numbers are not told: close them first, or detach() them."""
    call(_close_range, "close_range", first, last, to_int(flags, CLOSE_RANGE))


def _target(new: FdArg) -> Fd:
    return new if isinstance(new, Fd) else Fd(fdnum(new), own=False)


def dup(old: FdArg, new: Optional[FdArg] = None, flags: Optional[FlagArg] = None,
        *, inheritable: bool = False) -> Fd:
    """Duplicate an fd (man 2 dup), folding dup2 and dup3 in as ljsyscall does.

    ``dup(old)`` returns a new owning Fd (close-on-exec unless ``inheritable``);
    ``dup(old, new)`` is dup2; ``dup(old, new, flags)`` is dup3.  With a target, the result is
    ``new`` itself if it is an Fd, else a non-owning Fd for that number.
    """
    if new is None:
        if flags is not None:
            raise TypeError("dup(old, flags) needs a target: dup(old, new, flags)")
        n = fdnum(old)
        if inheritable:
            return Fd(call(_dup, "dup", n))
        return Fd(call(_fcntl, "fcntl", n, _F_DUPFD_CLOEXEC, 0))
    if flags is None:
        return dup2(old, new)
    return dup3(old, new, flags)


def dup2(old: FdArg, new: FdArg, inheritable: bool = True) -> Fd:
    """Make ``new`` a copy of ``old`` (man 2 dup2), through dup3 on every arch.

    dup2(fd, fd) checks fd and does nothing, as dup2 does (dup3 would refuse it)."""
    o, n = fdnum(old), fdnum(new)
    if o == n:
        call(_fcntl, "fcntl", o, _F_GETFD, 0)
    else:
        call(_dup3, "dup3", o, n, 0 if inheritable else _O_CLOEXEC)
    return _target(new)


def dup3(old: FdArg, new: FdArg, flags: FlagArg = 0) -> Fd:
    """dup2 with ``O.CLOEXEC`` as the only flag; ``old == new`` is EINVAL (man 2 dup3)."""
    o = fdnum(old)
    call(_dup3, "dup3", o, fdnum(new), to_int(flags, O))
    return _target(new)


def pipe2(flags: FlagArg = 0, *, inheritable: bool = False) -> tuple[Fd, Fd]:
    """A pipe as ``(read_end, write_end)`` (man 2 pipe2); close-on-exec unless ``inheritable``."""
    fds = _new("int[2]")
    f = to_int(flags, O)
    call(_pipe2, "pipe2", fds, f if inheritable else f | _O_CLOEXEC)
    return Fd(fds[0]), Fd(fds[1])


def pipe(flags: FlagArg = 0, *, inheritable: bool = False) -> tuple[Fd, Fd]:
    """A pipe as two Fds, ``(read_end, write_end)`` (man 2 pipe; pipe2 on every arch)."""
    return pipe2(flags, inheritable=inheritable)


def _int_or_buffer(fn_int: Any, fn_ptr: Any, name: str, fd: FdArg, cmd: int,
                   arg: Union[int, Buffer, None]) -> int:
    fd = fdnum(fd)
    if arg is None:
        return call(fn_ptr, name, fd, cmd, ffi.NULL)
    if isinstance(arg, int):
        return call(fn_int, name, fd, cmd, arg & _ULONG)
    return call(fn_ptr, name, fd, cmd, writable(arg))


def fcntl(fd: FdArg, cmd: FlagArg, arg: Union[int, Buffer, None] = 0) -> int:
    """fcntl(fd, cmd, arg) (man 2 fcntl; fcntl64 on 32-bit arches).

    ``arg`` is an int, or a writable buffer holding the struct the command reads or fills
    (e.g. ``struct flock`` from ``L.ffi``), which the kernel updates in place."""
    return _int_or_buffer(_fcntl, _fcntl_ptr, "fcntl", fd, to_int(cmd, F), arg)


def ioctl(fd: FdArg, request: int, arg: Union[int, Buffer, None] = 0) -> int:
    """ioctl(fd, request, arg) (man 2 ioctl): ``arg`` an int or a writable buffer."""
    return _int_or_buffer(_ioctl, _ioctl_ptr, "ioctl", fd, request, arg)


def flock(fd: FdArg, operation: FlagArg) -> None:
    """Apply or remove an advisory lock: ``LOCK.SH``/``EX``/``UN`` [| ``NB``] (man 2 flock)."""
    call(_flock, "flock", fdnum(fd), to_int(operation, LOCK))


def _offset(off: Optional[int]) -> Any:
    return ffi.NULL if off is None else _new("int64_t *", off)


def sendfile(out_fd: FdArg, in_fd: FdArg, offset: Optional[int], count: int) -> int:
    """Copy ``count`` bytes from in_fd (at ``offset``, or its position if None) to out_fd
    inside the kernel; return the count (man 2 sendfile)."""
    return call(_sendfile, "sendfile", fdnum(out_fd), fdnum(in_fd), _offset(offset), count)


def splice(fd_in: FdArg, off_in: Optional[int], fd_out: FdArg, off_out: Optional[int],
           len: int, flags: FlagArg = 0) -> int:
    """Move up to ``len`` bytes between fds, one of them a pipe (man 2 splice).

    Offsets are None for a pipe or to use and advance the file position."""
    return call(_splice, "splice", fdnum(fd_in), _offset(off_in), fdnum(fd_out),
                _offset(off_out), len, to_int(flags, SPLICE_F))


def tee(fd_in: FdArg, fd_out: FdArg, len: int, flags: FlagArg = 0) -> int:
    """Duplicate up to ``len`` bytes from one pipe to another without consuming them (man 2 tee)."""
    return call(_tee, "tee", fdnum(fd_in), fdnum(fd_out), len, to_int(flags, SPLICE_F))


def copy_file_range(fd_in: FdArg, off_in: Optional[int], fd_out: FdArg, off_out: Optional[int],
                    len: int, flags: int = 0) -> int:
    """Copy up to ``len`` bytes between files inside the kernel (man 2 copy_file_range).

    Offsets are None to use and advance the file positions."""
    return call(_copy_file_range, "copy_file_range", fdnum(fd_in), _offset(off_in),
                fdnum(fd_out), _offset(off_out), len, flags)


methods(read, readinto, write, pread, pwrite, readv, writev, preadv2, pwritev2, lseek,
        dup, dup2, dup3, fcntl, ioctl, flock, sendfile, splice, tee, copy_file_range)

__all__ = ["read", "readinto", "write", "pread", "pwrite", "readv", "writev", "preadv2",
           "pwritev2", "lseek", "close", "close_range", "dup", "dup2", "dup3", "pipe", "pipe2",
           "fcntl", "ioctl", "flock", "sendfile", "splice", "tee", "copy_file_range"]
