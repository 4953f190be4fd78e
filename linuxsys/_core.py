"""What every family shares: the native module, errors, and argument conversion.

Family modules bind each native helper to a module global (``_read = lib.ls_read``) and call
it only through that global: a global lookup is the cheapest call path, and it is what
``linuxsys.trace`` swaps to log every syscall.
"""
from __future__ import annotations

import operator
import os
import sys
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Union

from ._native import ffi as ffi, lib as lib  # re-exported: every family imports them from here

PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
if TYPE_CHECKING:  # the buffer protocol's type (collections.abc.Buffer from 3.12 on)
    from typing_extensions import Buffer as Buffer
else:
    Buffer = Any  # any object supporting the buffer protocol

ENOSYS = lib.ENOSYS
EBADF = lib.EBADF
EINVAL = lib.EINVAL
NEG_EINTR = -lib.EINTR

_from_buffer = ffi.from_buffer
_CData = ffi.CData
CHARS = ffi.typeof("char[]")  # a ctype object skips the string lookup from_buffer would do

_FSENC = sys.getfilesystemencoding()
_FSERR = sys.getfilesystemencodeerrors()
# str.encode() without arguments is 2x faster than with them: UTF-8 (the usual filesystem
# encoding) encodes it that way, strictly, so only lone surrogates need the slow call.
_UTF8 = _FSENC == "utf-8"


_fspath: Callable[[Any], Union[str, bytes]] = os.fspath  # typed for what callers pass: Any


class UnsupportedError(OSError):
    """ENOSYS: this kernel, a seccomp filter, or the build's headers lack the syscall.

    ``.syscall`` names it.
    """

    def __init__(self, syscall: str, filename: Any = None, filename2: Any = None) -> None:
        if filename is None:
            super().__init__(ENOSYS, f"{STRERROR[ENOSYS]}: {syscall}")
        else:
            super().__init__(ENOSYS, f"{STRERROR[ENOSYS]}: {syscall}", filename, None, filename2)
        self.syscall = syscall


class _Strerror(dict[int, str]):
    def __missing__(self, e: int) -> str:
        s = self[e] = os.strerror(e)
        return s


STRERROR: dict[int, str] = _Strerror()


def error(e: int, syscall: str, filename: Any = None, filename2: Any = None) -> OSError:
    """The exception for errno ``e``: OSError picks the builtin subclass (FileNotFoundError...)."""
    if filename is None:  # the commonest case first (EBADF, EAGAIN ...): fewest tests
        return OSError(e, STRERROR[e]) if e != ENOSYS else UnsupportedError(syscall)
    if not isinstance(filename, (str, bytes)):
        filename = _fspath(filename)  # os reports the str/bytes form of a PathLike
    if filename2 is not None and not isinstance(filename2, (str, bytes)):
        filename2 = _fspath(filename2)
    if e == ENOSYS:
        return UnsupportedError(syscall, filename, filename2)
    return OSError(e, STRERROR[e], filename, None, filename2)


def call(fn: Any, name: str, *args: Any, filename: Any = None, filename2: Any = None) -> int:
    """Call a native helper, retrying EINTR (PEP 475) and raising on failure.

    For calls off the hot path; hot ones inline the same loop.
    """
    r: int = fn(*args)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, name, filename, filename2)
        r = fn(*args)
    return r


# Pooled buffers: a pool, not a thread-local, since the GIL is released during the syscall and
# a signal handler may re-enter on the same thread, so each call owns the buffer it popped
# until it pushes it back.  Pools are deques: a list popped empty frees its item array and the
# next append allocates it again, ~25 ns a call on pools that mostly hold one buffer.
SCRATCH_SIZE = 65536  # holds any uint16_t count: ls_read16 and ls_getrandom16 rely on it
scratch: deque[Any] = deque()  # SCRATCH_SIZE char[] buffers (getdents64 chunks ...)
alloc = ffi.new_allocator(should_clear_after_alloc=False)


def pop_scratch() -> Any:
    """A SCRATCH_SIZE buffer from the pool (or a new one); push it back with scratch.append."""
    try:
        return scratch.pop()
    except IndexError:
        return alloc("char[]", SCRATCH_SIZE)


# Calls returning fresh bytes (read, getrandom) fill one of these (SCRATCH_SIZE char[], ffi.buffer
# over it) pairs and copy out by slicing the buffer: ~60 ns less than ffi.unpack for small reads.
copy_bufs: deque[tuple[Any, Any]] = deque()


def new_copy_buf() -> tuple[Any, Any]:
    """A new (char[], ffi.buffer) pair for copy_bufs (popped empty: a re-entered call)."""
    buf = alloc("char[]", SCRATCH_SIZE)
    return buf, ffi.buffer(buf)


U32 = 0xFFFFFFFF
U64 = (1 << 64) - 1


def in_range(value: int, what: str, low: int, high: int) -> int:
    """An integer argument checked against the C type it crosses into (OverflowError, as os)."""
    v = operator.index(value)
    if not low <= v <= high:
        raise OverflowError(f"{what} must be in {low}..{high}, not {v}")
    return v


def c_int(value: int, what: str) -> int:
    """An argument the kernel takes as a C int (a pid, an fd, an int-sized flags word)."""
    return in_range(value, what, -(1 << 31), (1 << 31) - 1)


def ipc_key(key: int) -> int:
    """A SysV IPC key (shmget, msgget, semget): any 32-bit value, signed or not, as the C int the
    kernel takes; ValueError otherwise."""
    k = operator.index(key)
    if not -(1 << 31) <= k < 1 << 32:
        raise ValueError(f"key {k} is not 32 bits")
    return k - (1 << 32) if k >= 1 << 31 else k


def id_arg(value: int, what: str) -> int:
    """A uid/gid as the kernel takes it: -1 ("leave unchanged") is 0xFFFFFFFF."""
    return in_range(value, what, -1, U32 - 1) & U32


def path(p: PathArg) -> bytes:
    """A path as the kernel takes it: str is encoded like os.fsencode; NUL bytes are refused."""
    if type(p) is str:
        try:
            b = p.encode() if _UTF8 else p.encode(_FSENC, _FSERR)
        except UnicodeEncodeError:  # lone surrogates: surrogateescape's, as os.fsencode
            b = p.encode(_FSENC, _FSERR)
    elif type(p) is bytes:
        b = p
    else:
        b = os.fsencode(p)
    if 0 in b:  # 6x cheaper than b"\0" in b
        raise ValueError("embedded null byte")
    return b


def fsdecode_like(original: Any, raw: bytes) -> Any:
    """Return ``raw`` as bytes if the caller's path was bytes, else as str (as os does)."""
    if isinstance(original, bytes) or (not isinstance(original, str)
                                       and isinstance(os.fspath(original), bytes)):
        return raw
    return raw.decode(_FSENC, _FSERR)


def decode(raw: bytes) -> str:
    return raw.decode(_FSENC, _FSERR)


# cffi's view of someone else's buffer, and cdata that ffi.new (or an allocator) made: memory
# of its own.  (pyright types type() of an Any value as type[Unknown], even when declared.)
_FromBuf: type[Any] = type(_from_buffer(CHARS, bytearray()))  # pyright: ignore[reportUnknownVariableType]
OWNED: type[Any] = type(ffi.new("char[1]"))  # pyright: ignore[reportUnknownVariableType]
_release = ffi.release
_sizeof = ffi.sizeof
_cbuffer = ffi.buffer
_POINTER = _sizeof("void *")


def nbytes(cbuf: Any) -> int:
    """The bytes behind a cdata buffer: an array's whole size (len() counts items), or for a
    pointer (``ffi.new("struct flock *")``) the object it points to."""
    size = _sizeof(cbuf)
    return len(_cbuffer(cbuf)) if size == _POINTER else size


def _refuse(buf: Buffer, need: str) -> Exception:
    """The error for a buffer cffi would not view: BufferError when it is not C-contiguous
    (as os says), TypeError when it is not a (writable) bytes-like object at all."""
    try:
        with memoryview(buf) as m:
            if not m.c_contiguous:
                return BufferError("a C-contiguous buffer is required")
    except TypeError:
        pass
    return TypeError(f"a {need} object is required, not {type(buf).__name__!r}")


def writable(buf: Buffer) -> Any:
    """A cdata view of a writable buffer (cffi alone would let the kernel write into bytes).

    cdata from ``ffi.new`` passes as it is; an ``ffi.from_buffer`` view is refused, since
    nothing tells whether the object behind it (bytes?) may be written, and so is any other
    cdata (a cast address, a field of a struct): only memory of its own has a known size.  A
    view made here must be released with ``release(view, buf)`` before any raise (CONTRACT
    §1)."""
    t: type[Any] = type(buf)  # pyright: ignore[reportUnknownVariableType]
    if t is bytearray:  # always writable: from_buffer's own check (and char[]) cost 25 ns
        return _from_buffer(buf)
    if t is OWNED:
        return buf
    if isinstance(buf, _CData):
        if t is _FromBuf:
            raise TypeError("pass the buffer itself, not an ffi.from_buffer() view: "
                            "linuxsys cannot tell whether the kernel may write into it")
        raise TypeError(f"only linuxsys.ffi.new() memory is a writable cdata buffer, not {buf!r}")
    try:
        return _from_buffer(CHARS, buf, True)
    except (TypeError, BufferError):
        raise _refuse(buf, "writable bytes-like") from None


def view(data: Buffer) -> Any:
    """A char[] view of any bytes-like object, for the kernel to read (release it likewise)."""
    if isinstance(data, _CData):
        return data
    try:
        return _from_buffer(CHARS, data)
    except (TypeError, BufferError):
        raise _refuse(data, "bytes-like") from None


def readable(data: Buffer) -> Any:
    """Like view(), but bytes pass through as they are: cffi takes them for pointer arguments."""
    return data if type(data) is bytes else view(data)


def release(cview: Any, original: Any) -> None:
    """Release a view that writable()/view() made of ``original`` (not a caller's own cdata):
    a view left in a raising frame keeps the buffer exported for as long as the traceback
    lives, and the cycle collector then clears an exported memoryview -- a crash."""
    if cview is not original and type(cview) is _FromBuf:
        _release(cview)


def call_buf(fn: Any, name: str, cview: Any, original: Any, *args: Any,
             filename: Any = None) -> int:
    """call() for a helper whose arguments include a view made from ``original``: the view is
    released before anything is raised -- the errno's OSError, or cffi's own OverflowError/
    TypeError for an argument that does not fit its C type."""
    try:
        r: int = fn(*args)
        while r == NEG_EINTR:
            r = fn(*args)
    except BaseException:
        release(cview, original)
        raise
    if r < 0:
        release(cview, original)
        raise error(-r, name, filename)
    return r


MAX_BYTES = sys.maxsize - 64  # the largest bytes object CPython can make (os.read's limit)


def read_size(n: int) -> int:
    """A byte count to allocate: ValueError if negative, OverflowError past what a bytes object
    can hold (as os.read), checked before anything is allocated."""
    n = operator.index(n)
    if n < 0:
        raise ValueError("negative read size")
    if n > MAX_BYTES:
        raise OverflowError("byte string is too large")
    return n


def u64(value: object, what: str) -> int:
    """An unsigned 64-bit argument (ids of mounts and namespaces): TypeError, OverflowError."""
    if type(value) is bool or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value < 1 << 64:
        raise OverflowError(f"{what} {value} does not fit 64 bits")
    return int(value)


def id_pages(fetch: Callable[[int, Any, int], int], last: int, count: object) -> list[int]:
    """The 64-bit ids a listing call (listmount, listns) gives after id ``last``, at most
    ``count`` (None: all), page by page: ``fetch(last, buf, want)`` fills ``buf`` with up to
    ``want`` ids and returns how many (a short page is the last)."""
    if count is not None:
        if type(count) is bool or not isinstance(count, int):
            raise TypeError(f"count must be an int or None, not {type(count).__name__}")
        if count < 0:
            raise ValueError(f"count must be >= 0, not {count}")
    ids: list[int] = []
    page = 512 if count is None else min(count, 1 << 20)
    while count is None or len(ids) < count:
        want = page if count is None else min(page, count - len(ids))
        if want == 0:
            break
        buf = ffi.new("uint64_t[]", want)
        r = fetch(last, buf, want)
        ids.extend(buf[0:r])
        if r < want:
            break
        last = ids[-1]
    return ids
