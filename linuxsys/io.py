"""io: reading, writing, seeking and plumbing file descriptors (man 2 read, write, dup ...)."""
from __future__ import annotations

from typing import Any, Iterable, Optional, Union

from ._core import (ENOSYS, NEG_EINTR, OWNED, SCRATCH_SIZE, STRERROR, U32, Buffer, alloc, call,
                    copy_bufs, error, ffi, in_range, lib, nbytes, new_copy_buf, read_size,
                    readable, release, view, writable)
from . import _sys_io
from ._sys_io import *  # noqa: F401,F403  (the plain syscalls, generated from cdefs/io.h)
from .fd import Fd, FdArg, fdnum, methods
from .flags import FlagArg, to_int

from ._consts import O, F, SEEK, SPLICE_F, RWF

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
_unpack = ffi.unpack
_new = ffi.new
_from_buffer = ffi.from_buffer
_sizeof = ffi.sizeof
_buffer = ffi.buffer
_memmove = ffi.memmove
_LONG_MIN = -(1 << (8 * _sizeof("long") - 1))
_ULONG = (1 << (8 * _sizeof("long"))) - 1  # an int argument as the unsigned long it crosses as
_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1


def read(fd: FdArg, n_or_buf: Union[int, Buffer]) -> Union[bytes, int]:
    """Read up to ``n`` bytes and return them, or fill a buffer and return the count (man 2 read).

    A negative ``n`` raises ValueError, one past what a bytes object can hold OverflowError
    (as os.read), both before anything is allocated."""
    if type(n_or_buf) is int and 0 <= n_or_buf <= SCRATCH_SIZE:  # the hot path
        # The number goes in another local: ``fd`` keeps a temporary Fd open until the call
        # returns.
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
        r = _read(n, pair[0], n_or_buf)
        while r < 0:
            if r != NEG_EINTR:
                _copy_push(pair)
                # error()'s common case inline: EAGAIN of a nonblocking fd is a hot path too
                raise OSError(-r, STRERROR[-r]) if r != _NEG_ENOSYS else error(-r, "read")
            r = _read(n, pair[0], n_or_buf)
        data = pair[1][:r]
        _copy_push(pair)
        return data
    if not isinstance(n_or_buf, int):
        return readinto(fd, n_or_buf)
    count = read_size(n_or_buf)  # ValueError if negative, OverflowError if too large
    n = fdnum(fd)
    buf = alloc("char[]", count)
    return _unpack(buf, call(_read, "read", n, buf, count))


def readinto(fd: FdArg, buf: Buffer) -> int:
    """Fill a writable buffer from ``fd``; return the count, 0 at end of file (man 2 read).

    ``buf`` is a writable bytes-like object or ``ffi.new`` memory (an ``ffi.from_buffer`` view
    is refused: it may be of bytes); TypeError for a read-only one, BufferError for a
    non-contiguous one."""
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

    BufferError for a non-contiguous buffer, TypeError for an object without the buffer
    protocol."""
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


def pread(fd: FdArg, n_or_buf: Union[int, Buffer], offset: int) -> Union[bytes, int]:
    """read() at ``offset`` without moving the file position (man 2 pread)."""
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
    """write() at ``offset`` without moving the file position (man 2 pwrite)."""
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
    """Scatter-read into writable buffers in order; return the total (man 2 readv)."""
    return _vector(_readv, "readv", fdnum(fd), buffers, writable)


def writev(fd: FdArg, buffers: Iterable[Buffer]) -> int:
    """Gather-write buffers in order; return the total (man 2 writev)."""
    return _vector(_writev, "writev", fdnum(fd), buffers, view)


def preadv2(fd: FdArg, buffers: Iterable[Buffer], offset: int = -1, flags: FlagArg = 0) -> int:
    """readv() at ``offset`` (-1: the file position) with ``RWF`` flags (man 2 preadv2)."""
    n, off, f = fdnum(fd), _offset64(offset), to_int(flags, RWF)
    return _vector(_preadv2, "preadv2", n, buffers, writable, off, f)


def pwritev2(fd: FdArg, buffers: Iterable[Buffer], offset: int = -1, flags: FlagArg = 0) -> int:
    """writev() at ``offset`` (-1: the file position) with ``RWF`` flags (man 2 pwritev2)."""
    n, off, f = fdnum(fd), _offset64(offset), to_int(flags, RWF)
    return _vector(_pwritev2, "pwritev2", n, buffers, view, off, f)


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


def _target(newfd: FdArg) -> Fd:
    return newfd if isinstance(newfd, Fd) else Fd(fdnum(newfd), own=False)


def dup(oldfd: FdArg, newfd: Optional[FdArg] = None, flags: Optional[FlagArg] = None,
        *, inheritable: bool = False) -> Fd:
    """Duplicate an fd (man 2 dup), folding dup2 and dup3 in as ljsyscall does.

    ``dup(oldfd)`` returns a new owning Fd (close-on-exec unless ``inheritable``);
    ``dup(oldfd, newfd)`` is dup2; ``dup(oldfd, newfd, flags)`` is dup3.  With a target, the
    result is ``newfd`` itself if it is an Fd, else a non-owning Fd for that number.
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

    dup2(fd, fd) checks fd and does nothing, as dup2 does (dup3 would refuse it)."""
    o, n = fdnum(oldfd), fdnum(newfd)
    if o == n:
        call(_fcntl, "fcntl", o, _F_GETFD, 0)
    else:
        call(_dup3, "dup3", o, n, 0 if inheritable else _O_CLOEXEC)
    return _target(newfd)


def dup3(oldfd: FdArg, newfd: FdArg, flags: FlagArg = 0) -> Fd:
    """dup2 with ``O.CLOEXEC`` as the only flag; ``oldfd == newfd`` is EINVAL (man 2 dup3)."""
    o, n = fdnum(oldfd), fdnum(newfd)
    call(_dup3, "dup3", o, n, to_int(flags, O))
    return _target(newfd)


def pipe2(flags: FlagArg = 0, *, inheritable: bool = False) -> tuple[Fd, Fd]:
    """A pipe as ``(read_end, write_end)`` (man 2 pipe2); close-on-exec unless ``inheritable``."""
    fds = _new("int[2]")
    f = to_int(flags, O)
    call(_pipe2, "pipe2", fds, f if inheritable else f | _O_CLOEXEC)
    return Fd(fds[0]), Fd(fds[1])


def pipe(flags: FlagArg = 0, *, inheritable: bool = False) -> tuple[Fd, Fd]:
    """A pipe as two Fds, ``(read_end, write_end)`` (man 2 pipe; pipe2 on every arch)."""
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
    of up to 1024 bytes is passed through a copy of that size, and if the kernel wrote past
    the buffer's end, ValueError follows the (completed) call.  Those commands refuse an int
    (TypeError); for other commands an int that the kernel takes as an address is unsafe."""
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
    requests whose struct holds pointers or lengths: the kernel follows them."""
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
    inside the kernel; return the count (man 2 sendfile)."""
    return call(_sendfile, "sendfile", fdnum(out_fd), fdnum(in_fd), _offset(offset), count)


def splice(fd_in: FdArg, off_in: Optional[int], fd_out: FdArg, off_out: Optional[int],
           len: int, flags: FlagArg = 0) -> int:
    """Move up to ``len`` bytes between fds, one of them a pipe (man 2 splice).

    Offsets are None for a pipe or to use and advance the file position."""
    return call(_splice, "splice", fdnum(fd_in), _offset(off_in), fdnum(fd_out),
                _offset(off_out), len, to_int(flags, SPLICE_F))


def copy_file_range(fd_in: FdArg, off_in: Optional[int], fd_out: FdArg, off_out: Optional[int],
                    len: int, flags: int = 0) -> int:
    """Copy up to ``len`` bytes between files inside the kernel (man 2 copy_file_range).

    Offsets are None to use and advance the file positions."""
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
    as FUSE may take them over, so never touch them again).  EBADF for an fd that is no
    pipe."""
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
