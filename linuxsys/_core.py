"""What every family shares: the native module, errors, and argument conversion.

Family modules bind each native helper to a module global (``_read = lib.ls_read``) and call
it only through that global: a global lookup is the cheapest call path, and it is what
``linuxsys.trace`` swaps to log every syscall.
"""
from __future__ import annotations

import operator
import os
import sys
from typing import Any, Union

from ._native import ffi, lib

PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
Buffer = Any  # any object supporting the buffer protocol

ENOSYS = lib.ENOSYS
EBADF = lib.EBADF
NEG_EINTR = -lib.EINTR

_from_buffer = ffi.from_buffer
_CData = ffi.CData
CHARS = ffi.typeof("char[]")  # a ctype object skips the string lookup from_buffer would do

_FSENC = sys.getfilesystemencoding()
_FSERR = sys.getfilesystemencodeerrors()


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


class _Strerror(dict):
    def __missing__(self, e: int) -> str:
        s = self[e] = os.strerror(e)
        return s


STRERROR: dict[int, str] = _Strerror()


def error(e: int, syscall: str, filename: Any = None, filename2: Any = None) -> OSError:
    """The exception for errno ``e``: OSError picks the builtin subclass (FileNotFoundError...)."""
    if filename is not None and not isinstance(filename, (str, bytes)):
        filename = os.fspath(filename)  # os reports the str/bytes form of a PathLike
    if filename2 is not None and not isinstance(filename2, (str, bytes)):
        filename2 = os.fspath(filename2)
    if e == ENOSYS:
        return UnsupportedError(syscall, filename, filename2)
    if filename is None:
        return OSError(e, STRERROR[e])
    return OSError(e, STRERROR[e], filename, None, filename2)


def call(fn: Any, name: str, *args: Any, filename: Any = None, filename2: Any = None) -> int:
    """Call a native helper, retrying EINTR (PEP 475) and raising on failure.

    For calls off the hot path; hot ones inline the same loop.
    """
    r = fn(*args)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, name, filename, filename2)
        r = fn(*args)
    return r


# Calls returning fresh bytes (read, getrandom) fill a pooled scratch buffer and copy out.  A
# pool, not a thread-local: the GIL is released during the syscall and a signal handler may
# re-enter on the same thread, so each call owns the buffer it popped until it pushes it back.
SCRATCH_SIZE = 65536
scratch: list[Any] = []
alloc = ffi.new_allocator(should_clear_after_alloc=False)


def pop_scratch() -> Any:
    """A SCRATCH_SIZE buffer from the pool (or a new one); push it back with scratch.append."""
    try:
        return scratch.pop()
    except IndexError:
        return alloc("char[]", SCRATCH_SIZE)


U32 = 0xFFFFFFFF
U64 = (1 << 64) - 1


def in_range(value: int, what: str, low: int, high: int) -> int:
    """An integer argument checked against the C type it crosses into (OverflowError, as os)."""
    v = operator.index(value)
    if not low <= v <= high:
        raise OverflowError(f"{what} must be in {low}..{high}, not {v}")
    return v


def id_arg(value: int, what: str) -> int:
    """A uid/gid as the kernel takes it: -1 ("leave unchanged") is 0xFFFFFFFF."""
    return in_range(value, what, -1, U32 - 1) & U32


def path(p: PathArg) -> bytes:
    """A path as the kernel takes it: str is encoded like os.fsencode; NUL bytes are refused."""
    t = type(p)
    if t is str:
        b = p.encode(_FSENC, _FSERR)  # type: ignore[union-attr]
    elif t is bytes:
        b = p  # type: ignore[assignment]
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


def writable(buf: Buffer) -> Any:
    """A cdata view of a writable buffer (cffi alone would let the kernel write into bytes)."""
    if isinstance(buf, _CData):
        return buf
    try:
        return _from_buffer(CHARS, buf, True)
    except (TypeError, BufferError):
        raise TypeError(f"a writable bytes-like object is required, not "
                        f"{type(buf).__name__!r}") from None


def view(data: Buffer) -> Any:
    """A char[] view of any bytes-like object, for the kernel to read."""
    if isinstance(data, _CData):
        return data
    try:
        return _from_buffer(CHARS, data)
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not {type(data).__name__!r}") from None


def readable(data: Buffer) -> Any:
    """Like view(), but bytes pass through as they are: cffi takes them for pointer arguments."""
    return data if type(data) is bytes else view(data)
