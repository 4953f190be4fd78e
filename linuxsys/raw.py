"""The raw escape hatch: ``syscall(nr, *args)`` and this arch's numbers in ``SYS``."""
from __future__ import annotations

import types
from typing import Any

from ._core import error, ffi, in_range, lib, release
from .fd import Fd, fdnum

_syscall6 = lib.ls_syscall6

SYS = types.SimpleNamespace(**{n[4:]: getattr(lib, n) for n in dir(lib) if n.startswith("SYS_")})
"""Syscall numbers of the arch this module was built for: ``SYS.openat``."""

_NAMES = {v: k for k, v in vars(SYS).items()}
_BITS = 8 * ffi.sizeof("long")
_LIMIT = 1 << _BITS


def _word(arg: Any, keep: list[Any]) -> int:
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
    ptr = arg if isinstance(arg, ffi.CData) else ffi.from_buffer("char[]", arg)
    keep.append(ptr)
    return int(ffi.cast("long", ptr))


def syscall(nr: int, *args: Any) -> int:
    """Issue syscall ``nr`` with up to six arguments (man 2 syscall).  UNSAFE.

    ints (register-sized), None (NULL), Fds, bytes and buffers (their address) go in; the
    kernel gets exactly what you pass, may write into any buffer — bytes included — and
    nothing checks the arguments' meaning.  Returns the result; raises OSError on failure.
    """
    if len(args) > 6:
        raise TypeError(f"syscall() takes at most 6 arguments after the number ({len(args)} given)")
    number = in_range(nr, "syscall number", 0, 2**31 - 1)  # the kernel reads an int: no wrap
    keep: list[Any] = []
    try:
        words = [_word(a, keep) for a in args] + [0] * (6 - len(args))
        r = _syscall6(number, *words)
    finally:
        for v in keep:  # views of the caller's buffers: released before anything raises
            release(v, None)
    if -4096 < r < 0:
        raise error(-r, _NAMES.get(number, f"syscall {number}"))
    return r + _LIMIT if r < 0 else r
