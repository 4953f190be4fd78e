"""The raw escape hatch: ``syscall(nr, *args)`` and this arch's numbers in ``SYS``.  UNSAFE."""
from __future__ import annotations

import types
from typing import Any, Union

from ._core import CHARS, Buffer, error, ffi, in_range, lib, release
from .fd import Fd, fdnum

_syscall6 = lib.ls_syscall6
_from_buffer = ffi.from_buffer
_CData = ffi.CData

SYS = types.SimpleNamespace(**{n[4:]: getattr(lib, n) for n in dir(lib) if n.startswith("SYS_")})
"""Syscall numbers of the arch this module was built for: ``SYS.openat``."""

_NAMES = {v: k for k, v in vars(SYS).items()}  # number -> name, for errors and the trace
_BITS = 8 * ffi.sizeof("long")
_LIMIT = 1 << _BITS
_NR_MAX = 2**31 - 1  # the kernel reads the number as an int: a wider one would wrap

RawArg = Union[int, None, Fd, Buffer]


def _word(arg: RawArg, views: list[Any]) -> int:
    """One argument as the register value the kernel gets; a view made of a caller's buffer
    goes to ``views`` (to be released after the call)."""
    if arg is None:
        return 0
    if isinstance(arg, Fd):
        return fdnum(arg)
    if isinstance(arg, int):
        v = int(arg)
        if not -(_LIMIT >> 1) <= v < _LIMIT:
            raise OverflowError(f"{v} does not fit a {_BITS}-bit register; split it yourself")
        return v - _LIMIT if v >= _LIMIT >> 1 else v
    if isinstance(arg, str):
        raise TypeError("syscall() takes bytes or buffers, not str")
    if isinstance(arg, _CData):  # the caller's own cdata: theirs to keep alive and release
        return int(ffi.cast("long", arg))
    view = _from_buffer(CHARS, arg)  # bytes too: the kernel may write into them (UNSAFE)
    views.append(view)
    return int(ffi.cast("long", view))


def syscall(nr: int, *args: RawArg) -> int:
    """Issue syscall ``nr`` with up to six arguments (man 2 syscall).  UNSAFE.

    Arguments: ints (register-sized; negative ones as the two's complement), None (NULL), Fds
    (their number), cdata (its address) and bytes-like objects (the address of their data, a
    view released when the call returns).  The kernel gets exactly what you pass and nothing
    checks its meaning: it may write into any buffer, bytes included, or past its end, and
    act on any address.  Only the number is checked (``SYS.<name>``, 0..2**31-1).

    Returns the result (a negative long as its unsigned value).

    https://man7.org/linux/man-pages/man2/syscall.2.html

    Raises:
        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS) --
            InterruptedError (EINTR) included, never retried: a raw call may not be safe to
            repeat.
        ClosedFdError: an argument is a closed Fd (before the call).
        TypeError: more than six arguments, a str or another non-buffer argument, or a
            number that is not an int (before the call).
        BufferError: a buffer that is not C-contiguous (before the call).
        OverflowError: a number outside 0..2**31-1, or an int that does not fit a register
            (before the call).
    """
    if len(args) > 6:
        raise TypeError(f"syscall() takes at most 6 arguments after the number ({len(args)} given)")
    number = in_range(nr, "syscall number", 0, _NR_MAX)
    views: list[Any] = []
    try:
        words = [_word(a, views) for a in args]
        r = _syscall6(number, *words, *(0,) * (6 - len(words)))
    finally:
        for v in views:  # released before anything raises: a live view pins the caller's buffer
            release(v, None)
    if -4096 < r < 0:
        raise error(-r, _NAMES.get(number, f"syscall {number}"))
    return r + _LIMIT if r < 0 else r


__all__ = ["syscall", "SYS"]
