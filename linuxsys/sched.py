"""sched: CPU affinity, scheduling policies and attributes (man 7 sched), I/O priorities
(man 2 ioprio_set).

Like the kernel, these act on one thread: ``pid`` is a thread id, 0 the calling thread.
Policies are ``SCHED`` members (``SCHED.FIFO | SCHED.RESET_ON_FORK``, "fifo|reset_on_fork").
An I/O priority is one int, built by ``IOPRIO_PRIO_VALUE`` from an ``IOPRIO_CLASS``, a level and
an ``IOPRIO_HINT``, and taken apart by ``IOPRIO_PRIO_CLASS``/``_LEVEL``/``_HINT``/``_DATA``, the
C macros of <linux/ioprio.h>; ``ioprio_get``/``ioprio_set`` name whose with ``IOPRIO_WHO``.
"""
from __future__ import annotations

import operator
from typing import Any, Iterable, NamedTuple, Union

from ._core import U32, U64, call, error, ffi, in_range, lib
from .flags import FlagArg, to_int
from . import _sys_sched
from ._sys_sched import *  # noqa: F401,F403  (sched_yield, sched_getparam ...: cdefs/sched.h)

from ._consts import SCHED, SCHED_FLAG, IOPRIO_CLASS, IOPRIO_HINT

_sched_getaffinity = lib.ls_sched_getaffinity
_sched_setaffinity = lib.ls_sched_setaffinity
_sched_setscheduler = lib.ls_sched_setscheduler
_sched_setparam = lib.ls_sched_setparam
_sched_getattr = lib.ls_sched_getattr
_sched_setattr = lib.ls_sched_setattr
_sched_rr_get_interval = lib.ls_sched_rr_get_interval

_NEG_EINVAL = -lib.EINVAL
_new = ffi.new
_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1

# CPU masks are arrays of unsigned long, bit n % LONG_BITS of long n // LONG_BITS for CPU n.
_LONG = ffi.sizeof("unsigned long")
_LONG_BITS = 8 * _LONG
_LONG_MASK = (1 << _LONG_BITS) - 1
_MAX_MASK = 1 << 20  # bytes: 8 Mi CPUs, far beyond any kernel's NR_CPUS
# Longs in a mask the kernel takes (nr_cpu_ids bits and more), 0 until sched_getaffinity
# has learned it: the kernel says EINVAL to a smaller one.
_mask_longs = 0


def _getaffinity(pid: int) -> tuple[Any, int]:
    """The CPU mask of ``pid`` and how many longs the kernel filled, the mask grown until the
    kernel takes it (as CPython's os.sched_getaffinity does)."""
    global _mask_longs
    n = _mask_longs or 1
    while True:
        mask = _new("unsigned long[]", n)
        r = _sched_getaffinity(pid, n * _LONG, mask)
        if r >= 0:
            _mask_longs = n
            return mask, r // _LONG
        if r != _NEG_EINVAL or n * _LONG >= _MAX_MASK:
            raise error(-r, "sched_getaffinity")
        n *= 2


def sched_getaffinity(pid: int = 0) -> set[int]:
    """The CPUs a thread (0: the caller) may run on (man 2 sched_getaffinity).

    https://man7.org/linux/man-pages/man2/sched_getaffinity.2.html

    Raises:
        ProcessLookupError: no thread ``pid`` (ESRCH).
        OSError: the subclass os raises for the errno.
        TypeError: ``pid`` is not an int (before any call).
        OverflowError: ``pid`` beyond a C int (before any call).
    """
    mask, filled = _getaffinity(pid)
    cpus: set[int] = set()
    for i in range(filled):
        word = mask[i]
        while word:
            low = word & -word
            cpus.add(i * _LONG_BITS + low.bit_length() - 1)
            word ^= low
    return cpus


def sched_setaffinity(pid: int, mask: Iterable[int]) -> None:
    """Restrict a thread (0: the caller) to the CPUs in ``mask``, an iterable of CPU numbers
    as for os.sched_setaffinity (man 2 sched_setaffinity).

    Any CPU number is accepted; the kernel ignores those it does not have (EINVAL if none is
    left), so numbers beyond the largest mask it takes are not even sent.

    https://man7.org/linux/man-pages/man2/sched_setaffinity.2.html

    Raises:
        ProcessLookupError: no thread ``pid`` (ESRCH).
        PermissionError: another user's thread, without CAP_SYS_NICE (EPERM).
        OSError: EINVAL when no CPU of ``mask`` is allowed (none online, or all outside the
            thread's cpuset), the subclass os raises for any other errno.
        TypeError: ``mask`` is not iterable or holds a non-int, ``pid`` is not an int (before
            any call).
        ValueError: a negative CPU number (before any call).
        OverflowError: ``pid`` beyond a C int (before any call).
    """
    p = in_range(pid, "pid", _INT_MIN, _INT_MAX)
    cpus: list[int] = []
    for cpu in mask:
        c = operator.index(cpu)
        if c < 0:
            raise ValueError(f"negative CPU number {c}")
        cpus.append(c)
    if not _mask_longs:
        _getaffinity(0)  # learns the size of the kernel's mask (a harmless query)
    n = _mask_longs
    bits = 0
    for c in cpus:
        if c < n * _LONG_BITS:
            bits |= 1 << c
    words = _new("unsigned long[]", [bits >> (i * _LONG_BITS) & _LONG_MASK for i in range(n)])
    call(_sched_setaffinity, "sched_setaffinity", p, n * _LONG, words)


def _priority(param: Union[int, Any]) -> int:
    """struct sched_param's only field: an int, or an object with ``sched_priority`` (such as
    os.sched_param)."""
    return in_range(getattr(param, "sched_priority", param), "sched_priority", _INT_MIN,
                    _INT_MAX)


def sched_setscheduler(pid: int, policy: FlagArg, param: Union[int, Any] = 0) -> None:
    """Set a thread's policy (SCHED, optionally | SCHED.RESET_ON_FORK) and static priority
    ``param``: an int, or an os.sched_param (man 2 sched_setscheduler).

    https://man7.org/linux/man-pages/man2/sched_setscheduler.2.html

    Raises:
        ProcessLookupError: no thread ``pid`` (ESRCH).
        PermissionError: a real-time policy or priority beyond RLIMIT_RTPRIO, or another
            user's thread, without CAP_SYS_NICE (EPERM).
        OSError: EINVAL for an unknown policy, a priority the policy does not take (1..99
            for FIFO and RR, 0 for the others) or a negative ``pid``, the subclass os raises
            for any other errno.
        TypeError: ``policy`` is not an int, SCHED member or name string, ``param`` no int
            nor has an int ``sched_priority``, ``pid`` is not an int (before any call).
        ValueError: an unknown SCHED name (before any call).
        OverflowError: ``pid`` or the priority beyond a C int (before any call).
    """
    call(_sched_setscheduler, "sched_setscheduler", pid, to_int(policy, SCHED), _priority(param))


def sched_setparam(pid: int, param: Union[int, Any]) -> None:
    """Set a thread's static priority under its current policy (man 2 sched_setparam):
    ``param`` an int, or an os.sched_param.

    https://man7.org/linux/man-pages/man2/sched_setparam.2.html

    Raises:
        ProcessLookupError: no thread ``pid`` (ESRCH).
        PermissionError: a priority beyond RLIMIT_RTPRIO, or another user's thread, without
            CAP_SYS_NICE (EPERM).
        OSError: EINVAL for a priority the thread's policy does not take or a negative
            ``pid``, the subclass os raises for any other errno.
        TypeError: ``param`` is no int nor has an int ``sched_priority``, ``pid`` is not an
            int (before any call).
        OverflowError: ``pid`` or the priority beyond a C int (before any call).
    """
    call(_sched_setparam, "sched_setparam", pid, _priority(param))


def sched_rr_get_interval(pid: int = 0) -> tuple[int, int]:
    """A thread's round-robin time slice as (seconds, nanoseconds) (man 2 sched_rr_get_interval;
    sched_rr_get_interval_time64 on 32-bit arches).

    https://man7.org/linux/man-pages/man2/sched_rr_get_interval.2.html

    Raises:
        ProcessLookupError: no thread ``pid`` (ESRCH).
        OSError: EINVAL for a negative ``pid``, the subclass os raises for any other errno.
        TypeError: ``pid`` is not an int (before any call).
        OverflowError: ``pid`` beyond a C int (before any call).
    """
    ts = _new("int64_t[2]")
    call(_sched_rr_get_interval, "sched_rr_get_interval", pid, ts)
    return ts[0], ts[1]


class SchedAttr(NamedTuple):
    """A thread's policy and its parameters: struct sched_attr (man 2 sched_setattr)."""
    sched_policy: int = 0    # a SCHED value (RESET_ON_FORK goes in sched_flags here)
    sched_flags: int = 0     # SCHED_FLAG bits
    sched_nice: int = 0      # SCHED.OTHER, SCHED.BATCH: -20..19
    sched_priority: int = 0  # SCHED.FIFO, SCHED.RR: 1..99
    sched_runtime: int = 0   # SCHED.DEADLINE: nanoseconds
    sched_deadline: int = 0
    sched_period: int = 0
    sched_util_min: int = 0  # utilization clamps (SCHED_FLAG.UTIL_CLAMP_*): 0..1024
    sched_util_max: int = 0


# SchedAttr's fields are the C helpers' uint64_t slots, in order; each one's C type's range.
_SA_COUNT = lib.LS_SA_COUNT
assert len(SchedAttr._fields) == _SA_COUNT
_SA_RANGES = ((0, U32), (0, U64), (-1 << 31, (1 << 31) - 1), (0, U32), (0, U64), (0, U64),
              (0, U64), (0, U32), (0, U32))
_NICE = SchedAttr._fields.index("sched_nice")


def sched_getattr(pid: int = 0, flags: int = 0) -> SchedAttr:
    """A thread's policy and parameters (man 2 sched_getattr; flags must be 0).

    https://man7.org/linux/man-pages/man2/sched_getattr.2.html

    Raises:
        ProcessLookupError: no thread ``pid`` (ESRCH).
        OSError: EINVAL for a negative ``pid`` or ``flags`` other than 0, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: before Linux 3.14).
        TypeError: ``pid`` or ``flags`` is not an int (before any call).
        OverflowError: ``pid`` or ``flags`` beyond its C type (before any call).
    """
    slots = _new("uint64_t[]", _SA_COUNT)
    call(_sched_getattr, "sched_getattr", pid, slots, flags)
    values = list(slots)
    if values[_NICE] >> 63:
        values[_NICE] -= 1 << 64
    return SchedAttr._make(values)


def sched_setattr(pid: int, attr: SchedAttr, flags: int = 0) -> None:
    """Set a thread's policy and parameters (man 2 sched_setattr; flags must be 0).

    https://man7.org/linux/man-pages/man2/sched_setattr.2.html

    Raises:
        ProcessLookupError: no thread ``pid`` (ESRCH).
        PermissionError: a real-time or deadline policy, a higher priority or a lower nice
            value without CAP_SYS_NICE (or beyond RLIMIT_RTPRIO/RLIMIT_NICE), or another
            user's thread (EPERM).
        OSError: EINVAL for an unknown policy or flag, parameters the policy does not take
            (a deadline below its runtime ...), a negative ``pid`` or ``flags`` other than 0,
            EBUSY when deadline admission control
            refuses the bandwidth, E2BIG, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: before Linux 3.14).
        TypeError: ``attr`` is no SchedAttr, a field is not an int (``sched_policy``:
            or a SCHED member or name, ``sched_flags``: or SCHED_FLAG's), or ``pid`` or
            ``flags`` not an int (before any call).
        ValueError: an unknown SCHED or SCHED_FLAG name (before any call).
        OverflowError: a field, ``pid`` or ``flags`` beyond its C type (before any call).
    """
    # checked for callers without a type checker (a plain tuple has no _replace)
    if not isinstance(attr, SchedAttr):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"attr must be a SchedAttr, not {type(attr).__name__!r}")
    attr = attr._replace(sched_policy=to_int(attr.sched_policy, SCHED),
                         sched_flags=to_int(attr.sched_flags, SCHED_FLAG))
    slots = _new("uint64_t[]", [in_range(value, name, low, high) & U64 for value, name, (low, high)
                                in zip(attr, SchedAttr._fields, _SA_RANGES)])
    call(_sched_setattr, "sched_setattr", pid, slots, flags)


# ---- I/O priorities: the <linux/ioprio.h> macros ------------------------------------------

_IOPRIO_CLASS_SHIFT = lib.IOPRIO_CLASS_SHIFT
_IOPRIO_CLASS_MASK = lib.IOPRIO_CLASS_MASK
_IOPRIO_PRIO_MASK = lib.IOPRIO_PRIO_MASK
_IOPRIO_LEVEL_MASK = lib.IOPRIO_NR_LEVELS - 1
_IOPRIO_HINT_SHIFT = lib.IOPRIO_HINT_SHIFT
_IOPRIO_HINT_MASK = lib.IOPRIO_HINT_MASK


def IOPRIO_PRIO_VALUE(prioclass: FlagArg, priolevel: int, priohint: FlagArg = 0) -> int:
    """An I/O priority for ioprio_set from an IOPRIO_CLASS, a level (0..7, 0 the highest; the
    kernel takes only 0 with IOPRIO_CLASS.NONE) and an IOPRIO_HINT (man 2 ioprio_set; the C macros
    IOPRIO_PRIO_VALUE and IOPRIO_PRIO_VALUE_HINT).

    https://man7.org/linux/man-pages/man2/ioprio_set.2.html

    Raises:
        ValueError: a value out of range, where the C macro would give
            IOPRIO_CLASS.INVALID; an unknown IOPRIO_CLASS or IOPRIO_HINT name.
        TypeError: ``priolevel`` is not an int, ``prioclass``/``priohint`` not an int,
            member or name string.
    """
    c = to_int(prioclass, IOPRIO_CLASS)
    level = operator.index(priolevel)
    h = to_int(priohint, IOPRIO_HINT)
    if not 0 <= c <= _IOPRIO_CLASS_MASK:
        raise ValueError(f"prioclass {c} outside 0..{_IOPRIO_CLASS_MASK}")
    if not 0 <= level <= _IOPRIO_LEVEL_MASK:
        raise ValueError(f"priolevel {level} outside 0..{_IOPRIO_LEVEL_MASK}")
    if not 0 <= h <= _IOPRIO_HINT_MASK:
        raise ValueError(f"priohint {h} outside 0..{_IOPRIO_HINT_MASK}")
    return c << _IOPRIO_CLASS_SHIFT | h << _IOPRIO_HINT_SHIFT | level


def IOPRIO_PRIO_CLASS(ioprio: int) -> int:
    """The class (an IOPRIO_CLASS value) of an I/O priority (man 2 ioprio_set).

    https://man7.org/linux/man-pages/man2/ioprio_set.2.html

    Raises:
        TypeError: ``ioprio`` is not an int.
    """
    return (operator.index(ioprio) >> _IOPRIO_CLASS_SHIFT) & _IOPRIO_CLASS_MASK


def IOPRIO_PRIO_DATA(ioprio: int) -> int:
    """The bits below the class of an I/O priority: the hint and the level (man 2 ioprio_set).

    https://man7.org/linux/man-pages/man2/ioprio_set.2.html

    Raises:
        TypeError: ``ioprio`` is not an int.
    """
    return operator.index(ioprio) & _IOPRIO_PRIO_MASK


def IOPRIO_PRIO_LEVEL(ioprio: int) -> int:
    """The level (0..7) of an I/O priority (man 2 ioprio_set).

    https://man7.org/linux/man-pages/man2/ioprio_set.2.html

    Raises:
        TypeError: ``ioprio`` is not an int.
    """
    return operator.index(ioprio) & _IOPRIO_LEVEL_MASK


def IOPRIO_PRIO_HINT(ioprio: int) -> int:
    """The hint (an IOPRIO_HINT value) of an I/O priority (man 2 ioprio_set).

    https://man7.org/linux/man-pages/man2/ioprio_set.2.html

    Raises:
        TypeError: ``ioprio`` is not an int.
    """
    return (operator.index(ioprio) >> _IOPRIO_HINT_SHIFT) & _IOPRIO_HINT_MASK


__all__ = ["sched_getaffinity", "sched_setaffinity", "sched_setscheduler", "sched_setparam",
           "sched_rr_get_interval", "SchedAttr", "sched_getattr",
           "sched_setattr", "IOPRIO_PRIO_VALUE", "IOPRIO_PRIO_CLASS", "IOPRIO_PRIO_DATA",
           "IOPRIO_PRIO_LEVEL", "IOPRIO_PRIO_HINT"]
__all__ += _sys_sched.__all__
