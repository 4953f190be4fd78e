"""sync: futexes (man 2 futex, man 2 futex_waitv; futex_wake, futex_wait, futex_requeue of
Linux 6.7).

A futex word lives in memory the caller holds: a ``Mapping`` (``MAP.SHARED`` for words shared
between processes), a ``bytearray``, ``ffi.new`` memory or any other writable buffer, with the
word at byte ``offset`` (``offset2`` for futex's ``uaddr2``).  Before any syscall the word must
lie inside the buffer and be aligned to its size (4 bytes; futex2's ``FUTEX2`` size flags
say otherwise, doubled with ``FUTEX2.NUMA``): ValueError otherwise; a read-only buffer
(bytes, an ``ACCESS_READ`` mapping) is a TypeError, as futex ops may write the word.  The
buffer stays exported for the whole call, so it cannot be resized or unmapped under a waiter.
Waiting calls release the GIL.

Times are ``timeout_ns`` ints, None to wait forever.  Whether a timeout is relative or
absolute is the kernel's choice per call: FUTEX.WAIT's is relative (a span measured on
CLOCK_MONOTONIC); WAIT_BITSET's, LOCK_PI2's and WAIT_REQUEUE_PI's are absolute on
CLOCK_MONOTONIC, or CLOCK_REALTIME with FUTEX.CLOCK_REALTIME (which the kernel refuses with
ENOSYS, so UnsupportedError, for every other op); LOCK_PI's is absolute on CLOCK_REALTIME;
futex_waitv's and futex_wait's are absolute on their ``clockid``.
FUTEX.REQUEUE, CMP_REQUEUE, WAKE_OP and CMP_REQUEUE_PI read the same argument as ``val2`` (a
count, or WAKE_OP's second wake count): pass ``val2=``, never a timeout.

Results and errors are the kernel's: EAGAIN (BlockingIOError) when the word did not hold
``val``, ETIMEDOUT (TimeoutError) when the time ran out.  A signal interrupting a wait runs the
Python handlers (an exception raised there, KeyboardInterrupt included, ends the wait), then
the wait goes on (PEP 475): FUTEX.WAIT for the time left of its span (TimeoutError once it is
up), every other call with the same absolute deadline.  As the man page says, a wait may also
return 0 without a wake-up: callers check the word again, as every futex user does.

Namespaces: ``FUTEX`` (futex_op: the ops, their ``*_PRIVATE`` shorthands, ``PRIVATE_FLAG``,
``CLOCK_REALTIME``), ``FUTEX_OP`` and ``FUTEX_OP_CMP`` (FUTEX.WAKE_OP's operation and
comparison, encoded into val3 by ``encode_futex_op``), ``FUTEX2`` (the futex2 calls' flags).
Flat names: ``FUTEX_WAITERS``, ``FUTEX_OWNER_DIED``, ``FUTEX_TID_MASK`` (a PI word's bits),
``FUTEX_BITSET_MATCH_ANY``, ``FUTEX_WAITV_MAX``.
"""
from __future__ import annotations

import operator
from time import monotonic_ns as _monotonic_ns
from typing import Any, Iterable, NamedTuple, Optional, Tuple, Union

from ._core import (NEG_EINTR, U32, Buffer, c_int, error, ffi, in_range, lib, nbytes, release,
                    writable)
from .flags import FlagArg, to_int
from ._sys_fs import sync  # sync(2), exported again: this module's name must not hide it as L.sync

from ._consts import FUTEX, FUTEX_OP, FUTEX_OP_CMP, FUTEX2, CLOCK

_futex = lib.ls_futex
_futex_waitv = lib.ls_futex_waitv
_futex_wake = lib.ls_futex_wake
_futex_wait = lib.ls_futex_wait
_futex_requeue = lib.ls_futex_requeue

_WAIT = lib.FUTEX_WAIT
_FLAGS = lib.FUTEX_PRIVATE_FLAG | lib.FUTEX_CLOCK_REALTIME  # not part of the op (CMD_MASK)
# Ops whose fourth argument is a timeout (the kernel's futex_cmd_has_timeout) ...
_TIMED = frozenset([lib.FUTEX_WAIT, lib.FUTEX_LOCK_PI, lib.FUTEX_LOCK_PI2, lib.FUTEX_WAIT_BITSET,
                    lib.FUTEX_WAIT_REQUEUE_PI])
# ... or val2, and which act on uaddr2.
_VAL2 = frozenset([lib.FUTEX_REQUEUE, lib.FUTEX_CMP_REQUEUE, lib.FUTEX_WAKE_OP,
                   lib.FUTEX_CMP_REQUEUE_PI])
_TWO = _VAL2 | {lib.FUTEX_WAIT_REQUEUE_PI}
_SIZE_MASK = lib.FUTEX2_SIZE_MASK
_NUMA = lib.FUTEX2_NUMA
_WAITV_MAX = lib.FUTEX_WAITV_MAX
_ETIMEDOUT = lib.ETIMEDOUT
_I32_MIN = -(1 << 31)
_I32_MAX = (1 << 31) - 1
_I64_MAX = (1 << 63) - 1
_ULONG_MAX = (1 << (8 * ffi.sizeof("long"))) - 1  # futex2's values and masks: unsigned long
_LONG_MIN = -(_ULONG_MAX + 1) // 2
_cast = ffi.cast
_new = ffi.new
_from_buffer = ffi.from_buffer
_UINTPTR = ffi.typeof("uintptr_t")  # a ctype object: cast skips parsing the type's name
_OP_NAMES = {int(m): f"FUTEX_{n}" for n, m in FUTEX.__members__.items() if not int(m) & ~0x7F}


# ---- arguments -------------------------------------------------------------------------------

def _u32(value: int, what: str) -> int:
    """A 32-bit futex value, signed or unsigned (a word may be read either way)."""
    if type(value) is int and 0 <= value <= U32:
        return value
    return in_range(value, what, _I32_MIN, U32) & U32


def _timeout(timeout_ns: Optional[int]) -> int:
    return -1 if timeout_ns is None else in_range(timeout_ns, "timeout_ns", 0, _I64_MAX)


def _word(buf: Buffer, offset: int, size: int, what: str) -> tuple[Any, int]:
    """(a view of ``buf``, the address of its ``size``-byte word at byte ``offset``), which
    must lie inside the buffer and be aligned to ``size``: else ValueError, the view
    released.  The caller keeps the view referenced until the syscall returns."""
    off = offset if type(offset) is int else operator.index(offset)
    if type(buf) is bytearray:  # writable() and nbytes() inlined for the commonest buffer
        v = _from_buffer(buf)
        n = len(buf)
    else:
        v = writable(buf)
        n = nbytes(v)
    addr = int(_cast(_UINTPTR, v)) + off
    if off < 0 or off + size > n or addr & (size - 1):
        release(v, buf)
        raise ValueError(f"{what}: a {size}-byte futex word at offset {off} must lie inside "
                         f"the buffer and be {size}-byte aligned")
    return v, addr


def _futex2_bits(flags: int) -> int:
    """The bits of a futex2 word's value, from its FUTEX2 size."""
    return 8 << (flags & _SIZE_MASK)


def _futex2_size(flags: int) -> int:
    """The bytes a futex2 word takes: its size, twice that with FUTEX2.NUMA (the node id
    follows the value), which is also its alignment."""
    size = _futex2_bits(flags) // 8
    return size * 2 if flags & _NUMA else size


def _futex2_val(value: int, flags: int, what: str) -> int:
    """A futex2 value: unsigned long; a negative one is the word size's two's complement."""
    v = in_range(value, what, _LONG_MIN, _ULONG_MAX)
    return v & ((1 << _futex2_bits(flags)) - 1) if v < 0 else v


def _futex2_flags(flags: FlagArg) -> int:
    return in_range(to_int(flags, FUTEX2), "flags", 0, U32)


def _fail(r: int, name: str, held: Iterable[tuple[Any, Any]]) -> OSError:
    """-r's OSError, after releasing the (view, buffer) pairs in ``held``."""
    for v, b in held:
        release(v, b)
    return error(-r, name)


def _clock(clockid: FlagArg) -> int:
    return c_int(clockid if type(clockid) is int else to_int(clockid, CLOCK), "clockid")


# ---- futex -----------------------------------------------------------------------------------

def futex(uaddr: Buffer, futex_op: FlagArg, val: int = 0, timeout_ns: Optional[int] = None,
          uaddr2: Optional[Buffer] = None, val3: int = 0, *, offset: int = 0,
          offset2: int = 0, val2: Optional[int] = None) -> int:
    """Operate on the 32-bit futex word at byte ``offset`` of ``uaddr`` (man 2 futex); return
    the kernel's result (0 for a wait that was woken, the count woken or requeued ...).

    ``futex_op`` is a ``FUTEX`` op, with ``FUTEX.PRIVATE_FLAG`` for a word only this process
    uses and ``FUTEX.CLOCK_REALTIME``; ``val`` and ``val3`` (bitset, WAKE_OP encoding) are
    32-bit values, signed or unsigned.  ``timeout_ns`` (None: forever) is taken only by the
    waits and PI locks (relative for WAIT, absolute for the others, see the module's doc);
    ``val2`` only by REQUEUE, CMP_REQUEUE, WAKE_OP and CMP_REQUEUE_PI, which with
    WAIT_REQUEUE_PI need ``uaddr2`` (its word at ``offset2``).

    https://man7.org/linux/man-pages/man2/futex.2.html

    Raises:
        BlockingIOError: the word does not hold ``val`` (EAGAIN).
        TimeoutError: the time ran out (ETIMEDOUT).
        ProcessLookupError: a PI op whose word names a thread that does not exist (ESRCH).
        PermissionError: a PI op the caller may not perform on that word (EPERM).
        OSError: EINVAL for arguments the op refuses, EDEADLK for a PI lock this thread holds
            already, ENOMEM ...; the subclass os raises for any other errno (UnsupportedError
            for ENOSYS: an op this kernel lacks, or FUTEX.CLOCK_REALTIME with an op that takes
            none).
        TypeError: an argument the op does not take (or one it needs missing), a read-only
            buffer, or ``futex_op`` not an int, FUTEX member or name string, before any call.
        ValueError: a word outside the buffer or misaligned, or an unknown FUTEX name, before
            any call.
        BufferError: a buffer that is not C-contiguous, before any call.
        OverflowError: a value, offset or timeout that does not fit, before any call.
    """
    op = futex_op if type(futex_op) is int else to_int(futex_op, FUTEX)
    if not _I32_MIN <= op <= _I32_MAX:  # the kernel's int, checked before any view is made
        op = c_int(op, "futex_op")
    cmd = op & ~_FLAGS
    v, v3 = _u32(val, "val"), _u32(val3, "val3")
    if cmd in _TIMED:
        if val2 is not None:
            raise TypeError(f"futex: {_OP_NAMES[cmd]} takes timeout_ns, not val2")
        ns, v2 = _timeout(timeout_ns), 0
    else:
        if timeout_ns is not None:
            raise TypeError(f"futex: {_OP_NAMES.get(cmd, cmd)} takes no timeout_ns"
                            + (" (its fourth argument is val2)" if cmd in _VAL2 else ""))
        if val2 is not None and cmd not in _VAL2:
            raise TypeError(f"futex: {_OP_NAMES.get(cmd, cmd)} takes no val2")
        ns, v2 = -1, (0 if val2 is None else _u32(val2, "val2"))
    if uaddr2 is None:
        if cmd in _TWO:
            raise TypeError(f"futex: {_OP_NAMES[cmd]} needs uaddr2")
        w, a = _word(uaddr, offset, 4, "uaddr")
        held: tuple[tuple[Any, Any], ...] = ((w, uaddr),)
        a2 = 0
    else:
        off2 = operator.index(offset2)
        w, a = _word(uaddr, offset, 4, "uaddr")
        try:
            w2, a2 = _word(uaddr2, off2, 4, "uaddr2")
        except BaseException:
            release(w, uaddr)
            raise
        held = ((w, uaddr), (w2, uaddr2))
    start = _monotonic_ns() if ns > 0 and cmd == _WAIT else 0  # WAIT's span is relative
    r = _futex(a, op, v, ns, v2, a2, v3)
    while r < 0:
        if r != NEG_EINTR:
            raise _fail(r, "futex", held)
        if start:  # the time left of the span; ETIMEDOUT, as the kernel says, once it is up
            left = start + ns - _monotonic_ns()
            if left <= 0:
                raise _fail(-_ETIMEDOUT, "futex", held)
            r = _futex(a, op, v, left, v2, a2, v3)
        else:
            r = _futex(a, op, v, ns, v2, a2, v3)
    return r


def encode_futex_op(op: FlagArg, oparg: int, cmp: FlagArg, cmparg: int) -> int:
    """FUTEX.WAKE_OP's val3, as the FUTEX_OP() macro makes it (man 2 futex): ``op``
    (``FUTEX_OP.SET``/ADD/OR/ANDN/XOR, with ``FUTEX_OP.OPARG_SHIFT`` for 1 << oparg) applied
    with ``oparg`` to the word at uaddr2, and ``cmp`` (``FUTEX_OP_CMP``) of its old value
    with ``cmparg`` deciding whether its waiters are woken too.  The args are 12-bit, signed
    or unsigned.  No syscall: the value is futex()'s ``val3``.

    https://man7.org/linux/man-pages/man2/futex.2.html

    Raises:
        TypeError: ``op``/``cmp`` not an int, member or name string, or ``oparg``/``cmparg`` not
            an int.
        ValueError: an unknown FUTEX_OP or FUTEX_OP_CMP name.
        OverflowError: an ``op``/``cmp`` outside 0..15, an ``oparg``/``cmparg`` past 12 bits.
    """
    o = in_range(to_int(op, FUTEX_OP), "op", 0, 15)
    c = in_range(to_int(cmp, FUTEX_OP_CMP), "cmp", 0, 15)
    oa = in_range(oparg, "oparg", -(1 << 11), (1 << 12) - 1)
    ca = in_range(cmparg, "cmparg", -(1 << 11), (1 << 12) - 1)
    return (o << 28) | (c << 24) | ((oa & 0xFFF) << 12) | (ca & 0xFFF)


# ---- futex2 ----------------------------------------------------------------------------------

class FutexWaitv(NamedTuple):
    """One futex word of futex_waitv and futex_requeue (the kernel's struct futex_waitv): the
    buffer holding it, the value it must hold, its ``FUTEX2`` flags (size and
    ``FUTEX2.PRIVATE``), and its byte offset in the buffer.  A plain tuple of the same
    fields (two to four of them) serves as well."""
    uaddr: Any
    val: int
    flags: FlagArg = FUTEX2.SIZE_U32
    offset: int = 0


WaitvArg = Union[FutexWaitv, Tuple[Buffer, int], Tuple[Buffer, int, FlagArg],
                 Tuple[Buffer, int, FlagArg, int]]


def _waiters(waiters: Iterable[WaitvArg], name: str,
             count: Optional[int] = None) -> tuple[Any, int, list[tuple[Any, Any]]]:
    """(the (val, uaddr, flags) rows the C helper takes, their count, the views held):
    every field checked before the first view is made."""
    try:
        # (pyright spreads the union of tuple lengths over every field: "FlagArg to val")
        items = [w if type(w) is FutexWaitv else FutexWaitv(*w)  # pyright: ignore[reportArgumentType]
                 for w in waiters]
    except NotImplementedError:  # what iterating a multi-dimensional memoryview raises
        raise TypeError(f"{name}: waiters must be an iterable of FutexWaitv or tuples") from None
    n = len(items)
    if count is not None and n != count:
        raise ValueError(f"{name} takes {count} waiters, not {n}")
    if n > _WAITV_MAX:
        raise ValueError(f"{name} takes at most FUTEX_WAITV_MAX ({_WAITV_MAX}) waiters, not {n}")
    checked: list[tuple[Any, int, int, int]] = []
    for w in items:
        f = _futex2_flags(w.flags)
        checked.append((w.uaddr, operator.index(w.offset), _futex2_val(w.val, f, "val"), f))
    rows = _new("uint64_t[]", 3 * n or 1)
    held: list[tuple[Any, Any]] = []
    try:
        for i, (buf, off, val, f) in enumerate(checked):
            v, a = _word(buf, off, _futex2_size(f), f"{name}: waiters[{i}]")
            held.append((v, buf))
            rows[3 * i], rows[3 * i + 1], rows[3 * i + 2] = val, a, f
    except BaseException:
        for v, b in held:
            release(v, b)
        raise
    return rows, n, held


def futex_waitv(waiters: Iterable[Union[FutexWaitv, Tuple[Buffer, int],
                                        Tuple[Buffer, int, FlagArg],
                                        Tuple[Buffer, int, FlagArg, int]]],
                flags: int = 0, timeout_ns: Optional[int] = None,
                clockid: FlagArg = lib.CLOCK_MONOTONIC) -> int:
    """Wait on up to FUTEX_WAITV_MAX futex words at once (man 2 futex_waitv; Linux 5.16):
    each a ``FutexWaitv`` (or a tuple of its fields) whose word must hold its ``val``;
    return the index of the one woken.  ``flags`` must be 0; ``timeout_ns`` is an absolute
    time on ``clockid`` (CLOCK.MONOTONIC or CLOCK.REALTIME), None waits forever.

    https://man7.org/linux/man-pages/man2/futex_waitv.2.html

    Raises:
        BlockingIOError: a word does not hold its value (EAGAIN).
        TimeoutError: the time ran out (ETIMEDOUT).
        OSError: EINVAL for no waiters, ``flags`` other than 0, a clock or a waiter's FUTEX2
            flags the kernel refuses; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: before Linux 5.16).
        TypeError: ``waiters`` is not an iterable of FutexWaitv or tuples of its fields, a
            read-only buffer, or an argument of the wrong type, before any call.
        ValueError: more than FUTEX_WAITV_MAX waiters, a word outside its buffer or misaligned,
            or an unknown flag or clock name, before any call.
        BufferError: a buffer that is not C-contiguous, before any call.
        OverflowError: a value, flags or timeout that does not fit, before any call.
    """
    fl = in_range(flags, "flags", 0, U32)
    ns = _timeout(timeout_ns)
    c = _clock(clockid)
    rows, n, held = _waiters(waiters, "futex_waitv")
    r = _futex_waitv(rows, n, fl, ns, c)
    while r < 0:
        if r != NEG_EINTR:
            raise _fail(r, "futex_waitv", held)
        r = _futex_waitv(rows, n, fl, ns, c)
    return r


def futex_wake(uaddr: Buffer, mask: int = lib.FUTEX_BITSET_MATCH_ANY, nr: int = 1,
               flags: FlagArg = FUTEX2.SIZE_U32, *, offset: int = 0) -> int:
    """Wake at most ``nr`` waiters of the futex word at byte ``offset`` of ``uaddr`` whose
    wait mask shares a bit with ``mask`` (futex_wake(2), Linux 6.7); return how many were
    woken.  ``flags``: the word's ``FUTEX2`` size (U32 is what the kernel supports) and
    ``FUTEX2.PRIVATE``.  futex_wake(2) has no man page yet: futex(2)'s FUTEX_WAKE_BITSET
    is the same wake-up.

    https://man7.org/linux/man-pages/man2/futex.2.html

    Raises:
        OSError: EINVAL for flags or a mask the kernel refuses; the subclass os raises for any
            other errno (UnsupportedError for ENOSYS: before Linux 6.7).
        TypeError: a read-only buffer, ``flags`` not an int, FUTEX2 member or name string, or a
            number of the wrong type, before any call.
        ValueError: a word outside the buffer or misaligned, or an unknown FUTEX2 name, before
            any call.
        BufferError: a buffer that is not C-contiguous, before any call.
        OverflowError: ``mask``, ``nr`` or ``flags`` that does not fit, before any call.
    """
    m = in_range(mask, "mask", 0, _ULONG_MAX)
    n = in_range(nr, "nr", _I32_MIN, _I32_MAX)
    f = _futex2_flags(flags)
    w, a = _word(uaddr, offset, _futex2_size(f), "uaddr")
    r = _futex_wake(a, m, n, f)
    while r < 0:
        if r != NEG_EINTR:
            raise _fail(r, "futex_wake", ((w, uaddr),))
        r = _futex_wake(a, m, n, f)
    return r


def futex_wait(uaddr: Buffer, val: int, mask: int = lib.FUTEX_BITSET_MATCH_ANY,
               flags: FlagArg = FUTEX2.SIZE_U32, timeout_ns: Optional[int] = None,
               clockid: FlagArg = lib.CLOCK_MONOTONIC, *, offset: int = 0) -> None:
    """Wait on the futex word at byte ``offset`` of ``uaddr`` while it holds ``val``
    (futex_wait(2), Linux 6.7), until a wake whose mask shares a bit with ``mask``.
    ``flags`` as futex_wake's; ``timeout_ns`` is an absolute time on ``clockid``
    (CLOCK.MONOTONIC or CLOCK.REALTIME), None waits forever.  futex_wait(2) has no man page
    yet: futex(2)'s FUTEX_WAIT_BITSET is the same wait.

    https://man7.org/linux/man-pages/man2/futex.2.html

    Raises:
        BlockingIOError: the word does not hold ``val`` (EAGAIN).
        TimeoutError: the time ran out (ETIMEDOUT).
        OSError: EINVAL for flags, a mask or a clock the kernel refuses; the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: before Linux 6.7).
        TypeError: a read-only buffer, ``flags``/``clockid`` not an int, member or name string,
            or a number of the wrong type, before any call.
        ValueError: a word outside the buffer or misaligned, or an unknown flag or clock name,
            before any call.
        BufferError: a buffer that is not C-contiguous, before any call.
        OverflowError: a value, mask, flags or timeout that does not fit, before any call.
    """
    f = _futex2_flags(flags)
    v = _futex2_val(val, f, "val")
    m = in_range(mask, "mask", 0, _ULONG_MAX)
    ns = _timeout(timeout_ns)
    c = _clock(clockid)
    w, a = _word(uaddr, offset, _futex2_size(f), "uaddr")
    r = _futex_wait(a, v, m, f, ns, c)
    while r < 0:
        if r != NEG_EINTR:
            raise _fail(r, "futex_wait", ((w, uaddr),))
        r = _futex_wait(a, v, m, f, ns, c)


def futex_requeue(waiters: Iterable[Union[FutexWaitv, Tuple[Buffer, int],
                                          Tuple[Buffer, int, FlagArg],
                                          Tuple[Buffer, int, FlagArg, int]]],
                  flags: int, nr_wake: int, nr_requeue: int) -> int:
    """Wake ``nr_wake`` waiters of the first of two futex words, and move ``nr_requeue``
    more to the second, if the first holds its ``val`` (futex_requeue(2), Linux 6.7; the
    second's val is not used); return how many were woken and moved.  ``waiters``: two
    ``FutexWaitv`` (or tuples of their fields); ``flags`` must be 0.  futex_requeue(2) has
    no man page yet: futex(2)'s FUTEX_CMP_REQUEUE is the same requeue.

    https://man7.org/linux/man-pages/man2/futex.2.html

    Raises:
        BlockingIOError: the first word does not hold its value (EAGAIN).
        OSError: EINVAL for ``flags`` other than 0, FUTEX2 flags the kernel refuses or that
            differ between the two waiters; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: before Linux 6.7).
        TypeError: ``waiters`` is not an iterable of FutexWaitv or tuples of its fields, a
            read-only buffer, or a number of the wrong type, before any call.
        ValueError: another number of waiters than two, a word outside its buffer or misaligned,
            or an unknown FUTEX2 name, before any call.
        BufferError: a buffer that is not C-contiguous, before any call.
        OverflowError: a value, flags or count that does not fit, before any call.
    """
    fl = in_range(flags, "flags", 0, U32)
    nw = in_range(nr_wake, "nr_wake", _I32_MIN, _I32_MAX)
    nq = in_range(nr_requeue, "nr_requeue", _I32_MIN, _I32_MAX)
    rows, _, held = _waiters(waiters, "futex_requeue", 2)
    r = _futex_requeue(rows, fl, nw, nq)
    while r < 0:
        if r != NEG_EINTR:
            raise _fail(r, "futex_requeue", held)
        r = _futex_requeue(rows, fl, nw, nq)
    return r


__all__ = ["futex", "encode_futex_op", "futex_waitv", "futex_wake", "futex_wait",
           "futex_requeue", "FutexWaitv", "sync"]
