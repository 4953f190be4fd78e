"""signal: signal numbers and sets (man 7 signal).

Signal sets cross into C as one int bit mask, bit n-1 for signal n: the kernel's 64-bit
sigset (never glibc's 128-byte sigset_t).
"""
from __future__ import annotations

from typing import Iterable, Union

from ._core import lib
from .flags import NAMESPACES

SIG = NAMESPACES["SIG"]
SIGRTMIN = lib.LS_SIGRTMIN
SIGRTMAX = lib.LS_SIGRTMAX

SignalArg = Union[int, str]


def signum(sig: SignalArg) -> int:
    """A signal number from an int, a SIG member, or a name ("SIGTERM", "term")."""
    if isinstance(sig, int):
        n = int(sig)
    elif isinstance(sig, str):
        name = sig.strip().upper()
        member = SIG.__members__.get(name) or SIG.__members__.get("SIG" + name)
        if member is None:
            raise ValueError(f"unknown signal {sig!r}")
        n = int(member)
    else:
        raise TypeError(f"a signal is an int or a name, not {type(sig).__name__!r}")
    if not 1 <= n <= SIGRTMAX:
        raise ValueError(f"signal number {n} outside 1..{SIGRTMAX}")
    return n


def sigmask(signals: Iterable[SignalArg]) -> int:
    """The kernel sigset bit mask of some signals."""
    if isinstance(signals, (str, int)):
        raise TypeError("a signal set is an iterable of signals")
    mask = 0
    for s in signals:
        mask |= 1 << (signum(s) - 1)
    return mask


def signals_of(mask: int) -> set[SIG]:
    """The signals in a kernel sigset bit mask, as SIG members (plain ints for real-time ones)."""
    members = SIG._value2member_map_
    return {members.get(n, n) for n in range(1, SIGRTMAX + 1) if mask >> (n - 1) & 1}


__all__ = ["SIGRTMIN", "SIGRTMAX", "signum", "sigmask", "signals_of"]
