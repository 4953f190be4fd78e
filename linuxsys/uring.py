"""uring: io_uring, asynchronous I/O through shared rings (man 7 io_uring; man 2
io_uring_setup, io_uring_enter, io_uring_register).

The three syscalls are here as they are (``io_uring_register`` taking raw memory is UNSAFE,
see its doc).  ``Ring`` is the safe way in::

    with L.Ring(64) as ring:
        ring.prep_read(fd, buf, 0)                  # -> its user_data
        ring.prep_write(out, b"hello", 0, flags=L.IOSQE.IO_LINK)
        ring.submit()
        for cqe in ring.wait(2):
            cqe.check()                             # the OSError of a failed request

        results = ring.read_batch(fd, buf, offsets, 4096)   # N reads, one C call

**Ring memory** is mapped with the kernel's own ``io_uring_params`` offsets (one mapping with
IORING_FEAT_SINGLE_MMAP); SQEs are filled, the SQ tail published and CQEs copied out in C
(cdefs/uring.c) with acquire/release ordering on the heads and tails, never from Python.

**Lifetimes**: every buffer, path, address, timespec and Fd a request uses is held by the ring
from ``prep_*`` until its completion is reaped (``completions()``, ``wait()``), then dropped
(a bytearray held cannot be resized meanwhile: BufferError, not a use-after-free).  ``close()``
(also ``with`` and garbage collection) submits what was prepared, cancels everything in flight
(IORING_OP_ASYNC_CANCEL with IORING_ASYNC_CANCEL_ANY; one cancel per request on kernels before
5.19) and waits for every completion before it unmaps the rings; fds that openat/accept
requests made and nobody reaped are closed then.

**Errors**: arguments are checked before anything is queued (TypeError, ValueError,
OverflowError); a full submission queue, or as many requests in flight as the completion queue
holds, raises BlockingIOError (submit and reap first); a closed ring raises ClosedFdError (an
OSError EBADF and a ValueError).  A request's own failure is its CQE's negative ``res``:
``Cqe.check()`` raises it as the OSError ``os`` would.  ``user_data`` is 0..2**63-1, chosen
by the ring (counting up) unless given; a user_data already in flight raises ValueError.
Times are int nanoseconds (``timeout_ns``), as everywhere in linuxsys.  A Ring is used by one
thread at a time.
"""
from __future__ import annotations

import operator
import warnings
from time import monotonic_ns as _monotonic_ns
from typing import Any, Iterable, NamedTuple, Optional, Sequence, Union

from . import net as _net
from ._core import (NEG_EINTR, U32, Buffer, PathArg, call, error, ffi, in_range, lib, nbytes,
                    release, view, writable)
from ._core import path as _path
from .fd import ClosedFdError, Fd, FdArg, fdnum
from .flags import NAMESPACES, FlagArg, to_int
from .io import _iovecs, _release_views
from .memory import _HARMLESS_ADVICE, Mapping
from .stat import Stat

from ._consts import (IORING_SETUP, IORING_ENTER, IORING_REGISTER, IORING_TIMEOUT, IORING_FSYNC,
                      IORING_ASYNC_CANCEL, IOSQE, O, AT, S, STATX, MSG, POLL, SHUT, RENAME,
                      SPLICE_F, FALLOC_FL, MADV, SOCK_FLAG)

_io_uring_setup = lib.ls_io_uring_setup
_io_uring_enter = lib.ls_io_uring_enter
_io_uring_enter_ns = lib.ls_io_uring_enter_ns
_io_uring_register = lib.ls_io_uring_register
_ring_setup = lib.ls_ring_setup
_ring_exit = lib.ls_ring_exit
_ring_space = lib.ls_ring_space
_ring_ready = lib.ls_ring_ready
_ring_prep = lib.ls_ring_prep
_ring_prep_rw = lib.ls_ring_prep_rw
_ring_prep_batch = lib.ls_ring_prep_batch
_ring_submit = lib.ls_ring_submit
_ring_reap = lib.ls_ring_reap
_ring_run_batch = lib.ls_ring_run_batch
_ring_statx_flat = lib.ls_ring_statx_flat

_new = ffi.new
_cast = ffi.cast
_unpack = ffi.unpack
_from_buffer = ffi.from_buffer
_typeof = ffi.typeof
_NULL = ffi.NULL
_PARAMS = ffi.typeof("struct ls_uring_params *")
_I64 = ffi.typeof("int64_t[]")
_I64_MAX = (1 << 63) - 1
_UNREAPED = -(1 << 63)  # ls_ring_run_batch's result of a request not reaped yet
_U64 = (1 << 64) - 1
_MAX_ENTRIES = lib.LS_URING_MAX_ENTRIES
_STATX_SIZE = lib.LS_STATX_SIZE
_NEG_EBUSY = -lib.EBUSY
_NEG_ETIME = -lib.ETIME
_NEG_EINVAL = -lib.EINVAL
_EBUSY = lib.EBUSY
_SQPOLL = lib.IORING_SETUP_SQPOLL
_CQSIZE = lib.IORING_SETUP_CQSIZE
_SQ_AFF = lib.IORING_SETUP_SQ_AFF
_ATTACH_WQ = lib.IORING_SETUP_ATTACH_WQ
# Setup flags a Ring cannot serve: other SQE/CQE sizes, memory the caller maps, a ring fd that
# only exists registered.
_REFUSED_SETUP = sum(getattr(lib, "IORING_SETUP_" + n, 0)
                     for n in ("SQE128", "CQE32", "NO_MMAP", "REGISTERED_FD_ONLY"))
# SQE flags that break one-CQE-per-request accounting or need provided buffers.
_REFUSED_SQE = lib.IOSQE_CQE_SKIP_SUCCESS | lib.IOSQE_BUFFER_SELECT
_OP_NOP = lib.IORING_OP_NOP
_OP_READ = lib.IORING_OP_READ
_OP_WRITE = lib.IORING_OP_WRITE
_OP_READ_FIXED = lib.IORING_OP_READ_FIXED
_OP_WRITE_FIXED = lib.IORING_OP_WRITE_FIXED
_O_CLOEXEC = lib.O_CLOEXEC
_SOCK_CLOEXEC = lib.SOCK_CLOEXEC
_CANCEL_ANY = lib.IORING_ASYNC_CANCEL_ANY
_FD_RESULT = object()  # a request whose result is a new fd (openat, accept): see _drain


class Cqe(NamedTuple):
    """A completion (struct io_uring_cqe): the request's ``user_data``, its result ``res``
    (the syscall's return value, or -errno) and ``flags`` (``IORING_CQE_F``)."""
    user_data: int
    res: int
    flags: int

    def check(self) -> int:
        """``res``, or the OSError its -errno means (FileNotFoundError ...; ETIME for an
        expired timeout, ECANCELED for a cancelled request: plain OSErrors)."""
        if self.res < 0:
            raise error(-self.res, "io_uring")
        return self.res


_cqe = Cqe._make


# ---- the syscalls ------------------------------------------------------------------------------

def io_uring_setup(entries: int, params: Any = None) -> Fd:
    """Set up an io_uring instance of ``entries`` SQEs (man 2 io_uring_setup); ``params`` an
    ``ffi.new("struct ls_uring_params *")`` (the kernel's struct io_uring_params, read and
    filled in), or None.  The bare fd, mapped by nobody (``Ring`` maps one); close-on-exec, as
    the kernel makes every io_uring fd.

    https://man7.org/linux/man-pages/man2/io_uring_setup.2.html

    Raises:
        PermissionError: io_uring is disabled for this process (kernel.io_uring_disabled), or
            SQPOLL without the privilege an older kernel asks (EPERM).
        OSError: EINVAL for ``entries`` 0 or past 32768 without IORING_SETUP.CLAMP or for bad
            flags or params, EMFILE/ENFILE, ENOMEM, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: no CONFIG_IO_URING).
        TypeError: ``params`` is no ``struct ls_uring_params *``, ``entries`` not an int (before
            any call).
        OverflowError: ``entries`` outside 0..2**32-1 (before any call).
    """
    n = in_range(entries, "entries", 0, U32)
    if params is None:
        params = _new(_PARAMS)
    elif not isinstance(params, ffi.CData) or _typeof(params) is not _PARAMS:
        raise TypeError("params is an ffi.new('struct ls_uring_params *') or None")
    return Fd(call(_io_uring_setup, "io_uring_setup", n, params))


def io_uring_enter(fd: FdArg, to_submit: int, min_complete: int, flags: FlagArg = 0, *,
                   timeout_ns: Optional[int] = None) -> int:
    """Submit ``to_submit`` published SQEs and, with ``IORING_ENTER.GETEVENTS``, wait for
    ``min_complete`` completions (man 2 io_uring_enter); ``timeout_ns`` bounds the wait
    (IORING_ENTER_EXT_ARG, Linux 5.11).  The count submitted.  EINTR is not retried: the
    kernel may have submitted before the signal came (the count says).

    https://man7.org/linux/man-pages/man2/io_uring_enter.2.html

    Raises:
        InterruptedError: a signal came while it waited (EINTR, not retried).
        BlockingIOError: the kernel is short of resources (EAGAIN).
        OSError: EOPNOTSUPP for an fd that is no io_uring, EBADF, ETIME when ``timeout_ns``
            passed, EBUSY while completions overflow, EINVAL, the subclass os raises for any
            other errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: an argument of the wrong type, ``flags`` not an int, IORING_ENTER member or
            name string (before any call).
        ValueError: an unknown IORING_ENTER name (before any call).
        OverflowError: a count or ``flags`` outside 32 bits, a negative ``timeout_ns`` or one
            beyond 63 bits (before any call).
    """
    n = fdnum(fd)
    s = in_range(to_submit, "to_submit", 0, U32)
    m = in_range(min_complete, "min_complete", 0, U32)
    f = in_range(to_int(flags, IORING_ENTER), "flags", 0, U32)
    if timeout_ns is None:
        r = _io_uring_enter(n, s, m, f, _NULL, 0)
    else:
        r = _io_uring_enter_ns(n, s, m, f, in_range(timeout_ns, "timeout_ns", 0, _I64_MAX),
                               _NULL, 0)
    if r < 0:
        raise error(-r, "io_uring_enter")
    return r


def io_uring_register(fd: FdArg, opcode: FlagArg, arg: Optional[Buffer] = None,
                      nr_args: int = 0) -> int:
    """Register resources with a ring (man 2 io_uring_register): ``opcode`` an
    ``IORING_REGISTER`` member, ``arg`` a writable buffer holding what the opcode reads (or
    receives) or None.  UNSAFE: opcodes whose argument holds addresses (iovecs of
    REGISTER_BUFFERS ...) let the kernel write wherever they point, for as long as they stay
    registered.  The safe forms are Ring.register_buffers, register_files and
    register_eventfd.

    https://man7.org/linux/man-pages/man2/io_uring_register.2.html

    Raises:
        PermissionError: a limit or privilege the opcode needs, RLIMIT_MEMLOCK for buffers
            (EPERM, EACCES).
        OSError: EBADF, EINVAL for a bad opcode or argument, EBUSY for resources registered
            already, EFAULT, ENOMEM, EMFILE, ENXIO for a ring being torn down, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``arg`` is not a writable buffer, or ``opcode`` not an int, IORING_REGISTER
            member or name string (before any call).
        ValueError: an unknown IORING_REGISTER name (before any call).
        OverflowError: ``opcode`` or ``nr_args`` outside 32 bits (before any call).
        BufferError: ``arg`` is not C-contiguous (before any call).
    """
    n = fdnum(fd)
    op = in_range(to_int(opcode, IORING_REGISTER), "opcode", 0, U32)
    count = in_range(nr_args, "nr_args", 0, U32)
    if arg is None:
        return call(_io_uring_register, "io_uring_register", n, op, _NULL, count)
    v = writable(arg)
    try:
        return call(_io_uring_register, "io_uring_register", n, op, v, count)
    finally:
        release(v, arg)


def statx_decode(statxbuf: Buffer) -> Stat:
    """The Stat of a ``struct statx`` that a ``Ring.prep_statx`` request filled.

    https://man7.org/linux/man-pages/man2/statx.2.html

    Raises:
        ValueError: ``statxbuf`` is smaller than a struct statx.
        TypeError: ``statxbuf`` is no bytes-like object.
        BufferError: ``statxbuf`` is not C-contiguous.
        UnsupportedError: a build whose headers lack statx (ENOSYS).
    """
    data = view(statxbuf)
    try:
        if nbytes(data) < _STATX_SIZE:
            raise ValueError(f"a struct statx is {_STATX_SIZE} bytes, not {nbytes(data)}")
        out = _new("int64_t[]", lib.LS_ST_COUNT)
        call(_ring_statx_flat, "statx", data, out)
    finally:
        release(data, statxbuf)
    return Stat(bytes(ffi.buffer(out)))


# ---- arguments -----------------------------------------------------------------------------------

def _offset(offset: int) -> int:
    """A file offset; -1 (the file position) crosses as the kernel's (u64)-1."""
    return in_range(offset, "offset", -1, _I64_MAX) & _U64


def _address(cdata: Any) -> int:
    return int(_cast("uintptr_t", cdata))


def _sqe_flags(flags: FlagArg) -> int:
    f = flags if type(flags) is int else to_int(flags, IOSQE)
    if f & _REFUSED_SQE or not 0 <= f <= 255:
        raise ValueError("SQE flags: IOSQE.CQE_SKIP_SUCCESS and BUFFER_SELECT are not "
                         "supported by Ring (one completion per request is what it tracks)")
    return f


def _length(n: int, what: str = "length") -> int:
    if n > U32:
        raise ValueError(f"{what} {n} exceeds an SQE's 32-bit length")
    return n


def _timespec(timeout_ns: int) -> Any:
    ns = in_range(timeout_ns, "timeout_ns", 0, _I64_MAX)
    return _new("int64_t[2]", divmod(ns, 1_000_000_000))  # struct __kernel_timespec


def _power_of_two(value: int, what: str, high: int) -> int:
    n = operator.index(value)
    if not 1 <= n <= high or n & (n - 1):
        raise ValueError(f"{what} must be a power of two in 1..{high}, not {n}")
    return n


def _closed() -> ClosedFdError:
    return ClosedFdError("io_uring")


# ---- the ring ------------------------------------------------------------------------------------

class Ring:
    """An io_uring instance with its rings mapped (man 7 io_uring): ``entries`` SQEs (a power
    of two, 1..32768), ``cq_entries`` CQEs (a power of two >= entries; default 2 * entries),
    ``flags`` ``IORING_SETUP`` bits (``SQPOLL`` with ``sq_thread_idle`` ms and
    ``sq_thread_cpu``; ``ATTACH_WQ`` with ``wq_fd`` ...; SQE128, CQE32, NO_MMAP and
    REGISTERED_FD_ONLY are refused with ValueError).

    ``fileno()`` is the ring's fd; ``features`` the kernel's ``IORING_FEAT`` bits;
    ``sq_entries``/``cq_entries`` the sizes it gave.  See the module doc for lifetimes."""

    __slots__ = ("_r", "_inflight", "_next", "_explicit", "_rows", "_max", "_stash",
                 "_fixed", "_batch_out", "_prog", "sq_entries", "cq_entries", "features",
                 "flags", "__weakref__")

    def __init__(self, entries: int, flags: FlagArg = 0, *, sq_thread_idle: Optional[int] = None,
                 sq_thread_cpu: Optional[int] = None, cq_entries: Optional[int] = None,
                 wq_fd: Optional[FdArg] = None) -> None:
        self._r = None
        n = _power_of_two(entries, "entries", _MAX_ENTRIES)
        f = in_range(to_int(flags, IORING_SETUP), "flags", 0, U32)
        if f & _REFUSED_SETUP:
            raise ValueError("Ring maps 64-byte SQEs and 16-byte CQEs itself: SQE128, CQE32, "
                             "NO_MMAP and REGISTERED_FD_ONLY are refused")
        p = _new(_PARAMS)
        if cq_entries is not None:
            p.cq_entries = _power_of_two(cq_entries, "cq_entries", 2 * _MAX_ENTRIES)
            if p.cq_entries < n:
                raise ValueError(f"cq_entries ({cq_entries}) must be at least entries ({n})")
            f |= _CQSIZE
        elif f & _CQSIZE:
            raise ValueError("IORING_SETUP.CQSIZE needs cq_entries")
        if sq_thread_idle is not None:
            p.sq_thread_idle = in_range(sq_thread_idle, "sq_thread_idle", 0, U32)
        if sq_thread_cpu is not None:
            p.sq_thread_cpu = in_range(sq_thread_cpu, "sq_thread_cpu", 0, U32)
            f |= _SQ_AFF
        if wq_fd is not None:
            p.wq_fd = fdnum(wq_fd.fileno() if isinstance(wq_fd, Ring) else wq_fd)
            f |= _ATTACH_WQ
        p.flags = f
        r = _new("struct ls_ring *")
        call(_ring_setup, "io_uring_setup", r, n, p)
        self._r = r
        self.flags, self.features = r.flags, r.features
        self.sq_entries, self.cq_entries = r.sq_entries, r.cq_entries
        self._inflight: dict[int, Any] = {}  # user_data -> what the request holds (or None)
        self._next = 1
        self._explicit = False  # a caller chose a user_data: automatic ones check for clashes
        self._max = r.cq_entries
        self._rows = _new("int64_t[]", 3 * self._max)
        self._stash: list[Cqe] = []  # completions a batch call reaped for others
        self._fixed: Optional[list[tuple[Any, Any]]] = None  # registered buffers' views
        self._batch_out = _new("int64_t[]", r.sq_entries)
        self._prog = _new("unsigned int[4]")  # ls_ring_run_batch's progress

    # -- life --------------------------------------------------------------------------------

    def fileno(self) -> int:
        """The ring's fd (ClosedFdError once closed)."""
        r = self._r
        if r is None:
            raise _closed()
        fd: int = r.fd
        return fd

    @property
    def closed(self) -> bool:
        return self._r is None

    @property
    def in_flight(self) -> int:
        """Requests prepared or submitted whose completion is not reaped yet."""
        return len(self._inflight) if self._r is not None else 0

    def __enter__(self) -> "Ring":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._r is None:
            return "<Ring closed>"
        return f"<Ring fd={self._r.fd} sq={self.sq_entries} cq={self.cq_entries}>"

    def __del__(self) -> None:
        if getattr(self, "_r", None) is not None:
            warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self)
            self.close()

    def close(self) -> None:
        """Submit what is prepared, cancel what is in flight and wait for every completion,
        then unmap the rings and close the fd (idempotent).  Fds that reaped-by-nobody
        openat/accept requests made are closed.  Interrupted (KeyboardInterrupt ...), the ring
        stays open and mapped: call close() again."""
        r = self._r
        if r is None:
            return
        if self._inflight:
            self._drain(r)
        self._r = None
        self._fixed = None
        self._stash.clear()
        _ring_exit(r)

    def _drain(self, r: Any) -> None:
        """Cancel every request in flight and reap until none is: only then may the memory
        they use go."""
        inflight = self._inflight
        cancels: set[int] = set()
        per_request = False  # IORING_ASYNC_CANCEL_ANY unknown (before Linux 5.19)
        wait_ns = 1_000_000_000 if self.features & lib.IORING_FEAT_EXT_ARG else -1
        while inflight:
            _ring_submit(r, 0, -1)  # what was prepared reaches the kernel, to be cancelled
            targets = [0] if not per_request else [u for u in inflight if u not in cancels]
            for t in targets:
                if not _ring_space(r) or len(inflight) >= self._max:
                    break
                ud = self._auto()
                _ring_prep(r, lib.IORING_OP_ASYNC_CANCEL, 0, -1, t, 0, 0,
                           0 if per_request else _CANCEL_ANY, ud, -1, 0)
                inflight[ud] = None
                cancels.add(ud)
            # wait a second at most, then cancel again: a request may have started late
            _ring_submit(r, 1, wait_ns)
            for cqe in self._reap(r, True):
                if cqe.user_data in cancels:
                    cancels.discard(cqe.user_data)
                    if cqe.res == _NEG_EINVAL:
                        per_request = True
            self._stash.clear()

    def _auto(self) -> int:
        ud = self._next
        inflight = self._inflight
        while ud in inflight:
            ud += 1
        self._next = ud + 1 if ud < _I64_MAX else 1
        return ud

    def _live(self) -> Any:
        r = self._r
        if r is None:
            raise _closed()
        return r

    def _reap(self, r: Any, closing: bool = False) -> list[Cqe]:
        """Every ready CQE, in order, their requests' holds dropped; ``closing``: fds that
        openat/accept requests made are closed (nobody will see them)."""
        out: list[Cqe] = []
        pop = self._inflight.pop
        while True:
            n = _ring_reap(r, self._rows, self._max)
            if not n:
                return out
            rows = _unpack(self._rows, 3 * n)
            it = iter(rows)
            cqes = list(map(_cqe, zip(it, it, it)))
            if closing:
                for cqe in cqes:
                    held = pop(cqe.user_data, None)
                    if type(held) is tuple and held[0] is _FD_RESULT and cqe.res >= 0:
                        _close_fd(cqe.res)
            else:
                for ud in rows[0::3]:
                    pop(ud, None)
            out.extend(cqes)
            if n < self._max:
                return out

    # -- submission and completion ------------------------------------------------------------

    def sqe_free(self) -> int:
        """How many SQEs may still be prepared before submit()."""
        return _ring_space(self._live())

    def submit(self, wait_nr: int = 0, timeout_ns: Optional[int] = None) -> int:
        """Hand the prepared requests to the kernel (man 2 io_uring_enter) and, with
        ``wait_nr``, wait until that many completions are ready (at most ``timeout_ns``;
        then fewer may be).  Signals are handled while waiting (PEP 475).  The count
        submitted.  With SQPOLL, enters the kernel only to wake its thread or to wait.

        Raises ValueError for a wait_nr larger than the requests in flight (it would never
        end), UnsupportedError for a timeout on a kernel without IORING_FEAT_EXT_ARG (5.11),
        OSError EAGAIN/ENOMEM (try again) ..."""
        r = self._r
        if r is None:
            raise _closed()
        if wait_nr:
            if wait_nr > len(self._inflight) + len(self._stash):
                raise ValueError(f"waiting for {wait_nr} completions with "
                                 f"{len(self._inflight)} requests in flight would never end")
        if timeout_ns is None:
            ns = deadline = -1  # (no deadline: ns stays -1)
        else:
            ns = in_range(timeout_ns, "timeout_ns", 0, _I64_MAX)
            deadline = _monotonic_ns() + ns
        got = _ring_submit(r, wait_nr, ns)
        if got < 0:
            if got == _NEG_ETIME:
                return 0
            if got != NEG_EINTR:
                raise error(-got, "io_uring_enter")
            got = 0
        if wait_nr and _ring_ready(r) < wait_nr:
            while _ring_ready(r) < wait_nr:  # a signal (or a stray wakeup) cut the wait short
                if ns >= 0:
                    ns = deadline - _monotonic_ns()
                    if ns <= 0:
                        break
                x = _ring_submit(r, wait_nr, ns)
                if x == _NEG_ETIME:
                    break
                if x < 0 and x != NEG_EINTR:
                    raise error(-x, "io_uring_enter")
        return got

    def completions(self) -> list[Cqe]:
        """The completions ready now, without waiting (an empty list if none); each
        request's holds are dropped as its CQE is reaped."""
        r = self._r
        if r is None:
            raise _closed()
        if self._stash:
            out, self._stash = self._stash, []
            out.extend(self._reap(r))
            return out
        return self._reap(r)

    def wait(self, n: int = 1, timeout_ns: Optional[int] = None) -> list[Cqe]:
        """submit(), wait until ``n`` completions are ready (at most ``timeout_ns``: then
        fewer, maybe none), and return every ready one (completions()).

        Raises ValueError if fewer than ``n`` requests are in flight."""
        self.submit(n, timeout_ns)
        return self.completions()

    # -- preparing requests --------------------------------------------------------------------

    def _ud(self, user_data: Optional[int]) -> int:
        if len(self._inflight) >= self._max:
            raise BlockingIOError(_EBUSY, f"{self._max} requests in flight fill the completion "
                                  f"queue: reap completions first")
        if user_data is None:
            ud = self._next
            if self._explicit and ud in self._inflight:
                return self._auto()
            self._next = ud + 1 if ud < _I64_MAX else 1
            return ud
        ud = in_range(user_data, "user_data", 0, _I64_MAX)
        if ud in self._inflight:
            raise ValueError(f"user_data {ud} is in flight already")
        self._explicit = True
        return ud

    def _queued(self, r: int, ud: int, held: Any, cviews: Any = ()) -> int:
        """The prep helper's answer ``r``: the request is in flight holding ``held``, or the
        SQ was full (the views made for it released, BlockingIOError)."""
        if r < 0:
            for v, b in cviews:
                release(v, b)
            if r == _NEG_EBUSY:
                raise BlockingIOError(_EBUSY, "the submission queue is full: submit() first")
            raise error(-r, "io_uring")
        self._inflight[ud] = held
        return ud

    def _prep(self, opcode: int, flags: FlagArg, fd: int, addr: int, length: int, off: int,
              op_flags: int, user_data: Optional[int], held: Any, splice_fd_in: int = 0,
              cviews: Any = ()) -> int:
        r = self._r
        if r is None:
            for v, b in cviews:
                release(v, b)
            raise _closed()
        try:
            f = _sqe_flags(flags)
            ud = self._ud(user_data)
        except BaseException:
            for v, b in cviews:
                release(v, b)
            raise
        return self._queued(_ring_prep(r, opcode, f, fd, addr, length, off, op_flags, ud, -1,
                                       splice_fd_in), ud, held, cviews)

    def prep_nop(self, *, user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """A request that does nothing (IORING_OP_NOP): its CQE's res is 0."""
        return self._prep(_OP_NOP, flags, -1, 0, 0, 0, 0, user_data, None)

    def _rw(self, opcode: int, fd: FdArg, buf: Buffer, offset: int, user_data: Optional[int],
            flags: FlagArg, rw_flags: FlagArg, convert: Any) -> int:
        r = self._r
        if r is None:
            raise _closed()
        n = fd if type(fd) is int else fdnum(fd)
        off = offset & _U64 if type(offset) is int and -1 <= offset <= _I64_MAX \
            else _offset(offset)
        f = flags if type(flags) is int and not flags & _REFUSED_SQE and 0 <= flags < 256 \
            else _sqe_flags(flags)
        ud = self._ud(user_data)
        rwf = rw_flags if type(rw_flags) is int else to_int(rw_flags, NAMESPACES["RWF"])
        if type(buf) is bytes and convert is view:
            v = buf
            size = len(buf)
        else:
            v = convert(buf)
            size = nbytes(v)
        if size > U32:
            release(v, buf)
            raise ValueError(f"a {size}-byte buffer exceeds an SQE's 32-bit length")
        rc = _ring_prep_rw(r, opcode, f, n, v, size, off, ud, rwf, -1)
        if rc < 0:
            release(v, buf)
            raise BlockingIOError(_EBUSY, "the submission queue is full: submit() first")
        self._inflight[ud] = (fd, v, buf)
        return ud

    def prep_read(self, fd: FdArg, buf: Buffer, offset: int = -1, *,
                  user_data: Optional[int] = None, flags: FlagArg = 0,
                  rw_flags: FlagArg = 0) -> int:
        """Read into a writable buffer at ``offset`` (-1: the file position) (IORING_OP_READ,
        as pread(2)/preadv2's ``RWF`` ``rw_flags``): res is the count read."""
        return self._rw(_OP_READ, fd, buf, offset, user_data, flags, rw_flags, writable)

    def prep_write(self, fd: FdArg, data: Buffer, offset: int = -1, *,
                   user_data: Optional[int] = None, flags: FlagArg = 0,
                   rw_flags: FlagArg = 0) -> int:
        """Write ``data`` at ``offset`` (-1: the file position) (IORING_OP_WRITE, as
        pwrite(2)): res is the count written."""
        return self._rw(_OP_WRITE, fd, data, offset, user_data, flags, rw_flags, view)

    def _vec(self, opcode: int, fd: FdArg, buffers: Iterable[Buffer], offset: int,
             user_data: Optional[int], flags: FlagArg, rw_flags: FlagArg, convert: Any) -> int:
        r = self._live()
        n = fdnum(fd)
        off = _offset(offset)
        f = _sqe_flags(flags)
        rwf = to_int(rw_flags, NAMESPACES["RWF"])
        ud = self._ud(user_data)
        iov, views = _iovecs(buffers, convert)
        return self._queued(_ring_prep_rw(r, opcode, f, n, iov, len(views), off, ud, rwf, -1),
                            ud, (fd, iov, views), views)

    def prep_readv(self, fd: FdArg, buffers: Iterable[Buffer], offset: int = -1, *,
                   user_data: Optional[int] = None, flags: FlagArg = 0,
                   rw_flags: FlagArg = 0) -> int:
        """Scatter-read into writable buffers (IORING_OP_READV, as preadv2(2))."""
        return self._vec(lib.IORING_OP_READV, fd, buffers, offset, user_data, flags, rw_flags,
                         writable)

    def prep_writev(self, fd: FdArg, buffers: Iterable[Buffer], offset: int = -1, *,
                    user_data: Optional[int] = None, flags: FlagArg = 0,
                    rw_flags: FlagArg = 0) -> int:
        """Gather-write buffers (IORING_OP_WRITEV, as pwritev2(2))."""
        return self._vec(lib.IORING_OP_WRITEV, fd, buffers, offset, user_data, flags, rw_flags,
                         view)

    def _fixed_view(self, buf_index: int) -> tuple[Any, Any]:
        """(view, buffer) of registered buffer ``buf_index``."""
        if not self._fixed:
            raise ValueError("no buffers registered (register_buffers)")
        i = operator.index(buf_index)
        if not 0 <= i < len(self._fixed):
            raise ValueError(f"buf_index {i} outside the {len(self._fixed)} registered buffers")
        return self._fixed[i]

    def _fixed_rw(self, opcode: int, fd: FdArg, buf_index: int, offset: int, start: int,
                  count: Optional[int], user_data: Optional[int], flags: FlagArg) -> int:
        r = self._live()
        v, b = self._fixed_view(buf_index)
        i = operator.index(buf_index)
        size = nbytes(v)
        s = operator.index(start)
        c = size - s if count is None else operator.index(count)
        if not 0 <= s <= size or not 0 <= c <= size - s:
            raise ValueError(f"start {s} + count {c} outside registered buffer {i} ({size} B)")
        n = fdnum(fd)
        off = _offset(offset)
        f = _sqe_flags(flags)
        ud = self._ud(user_data)
        return self._queued(_ring_prep_rw(r, opcode, f, n, v + s, _length(c), off, ud, 0, i),
                            ud, (fd, v, b))

    def prep_read_fixed(self, fd: FdArg, buf_index: int, offset: int = -1, *, start: int = 0,
                        count: Optional[int] = None, user_data: Optional[int] = None,
                        flags: FlagArg = 0) -> int:
        """Read into registered buffer ``buf_index`` (register_buffers), ``count`` bytes from
        its byte ``start`` (default: to its end) (IORING_OP_READ_FIXED)."""
        return self._fixed_rw(_OP_READ_FIXED, fd, buf_index, offset, start, count, user_data,
                              flags)

    def prep_write_fixed(self, fd: FdArg, buf_index: int, offset: int = -1, *,
                         start: int = 0, count: Optional[int] = None,
                         user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """Write from registered buffer ``buf_index`` (IORING_OP_WRITE_FIXED)."""
        return self._fixed_rw(_OP_WRITE_FIXED, fd, buf_index, offset, start, count, user_data,
                              flags)

    def prep_fsync(self, fd: FdArg, fsync_flags: FlagArg = 0, *,
                   user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """fsync(2) (``IORING_FSYNC.DATASYNC``: fdatasync) (IORING_OP_FSYNC)."""
        ff = in_range(to_int(fsync_flags, IORING_FSYNC), "fsync_flags", 0, U32)
        return self._prep(lib.IORING_OP_FSYNC, flags, fdnum(fd), 0, 0, 0, ff, user_data, (fd,))

    def prep_openat(self, dirfd: FdArg, path: PathArg, flags: FlagArg = 0,
                    mode: FlagArg = 0o666, *, inheritable: bool = False,
                    user_data: Optional[int] = None, sqe_flags: FlagArg = 0) -> int:
        """openat(2) (IORING_OP_OPENAT): res is the new fd's number, close-on-exec unless
        ``inheritable`` -- wrap it, ``L.Fd(cqe.check())``; one nobody reaps is closed with
        the ring.  (``flags`` are openat's ``O`` flags; the SQE's are ``sqe_flags``.)"""
        p = _path(path)
        o = to_int(flags, O) | (0 if inheritable else _O_CLOEXEC)
        m = in_range(to_int(mode, S), "mode", 0, U32)
        d = _dirfd(dirfd)
        pv = _from_buffer(p)
        return self._prep(lib.IORING_OP_OPENAT, sqe_flags, d, _address(pv), m, 0,
                          in_range(o, "flags", -(1 << 31), U32) & U32, user_data,
                          (_FD_RESULT, dirfd, pv, p))

    def prep_close(self, fd: FdArg, *, user_data: Optional[int] = None,
                   flags: FlagArg = 0) -> int:
        """close(2) (IORING_OP_CLOSE).  An Fd is detached now (the ring closes its number;
        the Fd reads as closed)."""
        r = self._live()
        f = _sqe_flags(flags)
        ud = self._ud(user_data)
        n = fd.detach() if isinstance(fd, Fd) else fdnum(fd)
        return self._queued(_ring_prep(r, lib.IORING_OP_CLOSE, f, n, 0, 0, 0, 0, ud, -1, 0),
                            ud, None)

    def prep_statx(self, dirfd: FdArg, path: PathArg, statxbuf: Buffer, flags: FlagArg = 0,
                   mask: FlagArg = lib.STATX_BASIC_STATS, *, user_data: Optional[int] = None,
                   sqe_flags: FlagArg = 0) -> int:
        """statx(2) into ``statxbuf`` (a writable buffer of at least 256 bytes; decode it with
        ``statx_decode``) (IORING_OP_STATX)."""
        p = _path(path)
        at = in_range(to_int(flags, AT), "flags", 0, U32)
        mk = in_range(to_int(mask, STATX), "mask", 0, U32)
        d = _dirfd(dirfd)
        out = writable(statxbuf)
        if nbytes(out) < _STATX_SIZE:
            release(out, statxbuf)
            raise ValueError(f"statxbuf must hold {_STATX_SIZE} bytes, not {nbytes(out)}")
        pv = _from_buffer(p)
        return self._prep(lib.IORING_OP_STATX, sqe_flags, d, _address(pv), mk, _address(out),
                          at, user_data, (dirfd, pv, p, out, statxbuf), 0, [(out, statxbuf)])

    def prep_accept(self, sockfd: FdArg, flags: FlagArg = 0, *, inheritable: bool = False,
                    user_data: Optional[int] = None, sqe_flags: FlagArg = 0) -> int:
        """accept4(2) without the peer's address (IORING_OP_ACCEPT; ``SOCK_FLAG`` flags):
        res is the connection's fd, close-on-exec unless ``inheritable`` (wrap it:
        ``L.Fd(cqe.check())``)."""
        a = to_int(flags, SOCK_FLAG) | (0 if inheritable else _SOCK_CLOEXEC)
        return self._prep(lib.IORING_OP_ACCEPT, sqe_flags, fdnum(sockfd), 0, 0, 0,
                          in_range(a, "flags", 0, U32), user_data, (_FD_RESULT, sockfd))

    def prep_connect(self, sockfd: FdArg, addr: Any, *, user_data: Optional[int] = None,
                     flags: FlagArg = 0) -> int:
        """connect(2) to ``addr`` in the socket module's form (IORING_OP_CONNECT)."""
        n = fdnum(sockfd)
        raw = _net._encode(_net._domain(sockfd, n), addr)
        rv = _from_buffer(raw)
        return self._prep(lib.IORING_OP_CONNECT, flags, n, _address(rv), 0, len(raw), 0,
                          user_data, (sockfd, rv, raw))

    def _sendrecv(self, opcode: int, sockfd: FdArg, buf: Buffer, msg_flags: FlagArg,
                  user_data: Optional[int], flags: FlagArg, convert: Any) -> int:
        mf = in_range(to_int(msg_flags, MSG), "msg_flags", 0, U32)
        n = fdnum(sockfd)  # before the view: a closed Fd raises with nothing exported
        v = convert(buf)
        size = nbytes(v)
        if size > U32:
            release(v, buf)
            raise ValueError(f"a {size}-byte buffer exceeds an SQE's 32-bit length")
        return self._prep(opcode, flags, n, _address(v), size, 0, mf, user_data,
                          (sockfd, v, buf), 0, [(v, buf)])

    def prep_send(self, sockfd: FdArg, data: Buffer, msg_flags: FlagArg = 0, *,
                  user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """send(2) (IORING_OP_SEND; ``MSG`` msg_flags)."""
        return self._sendrecv(lib.IORING_OP_SEND, sockfd, data, msg_flags, user_data, flags,
                              view)

    def prep_recv(self, sockfd: FdArg, buf: Buffer, msg_flags: FlagArg = 0, *,
                  user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """recv(2) into a writable buffer (IORING_OP_RECV; ``MSG`` msg_flags)."""
        return self._sendrecv(lib.IORING_OP_RECV, sockfd, buf, msg_flags, user_data, flags,
                              writable)

    def _msg(self, opcode: int, sockfd: FdArg, buffers: Iterable[Buffer], msg_flags: FlagArg,
             address: Any, user_data: Optional[int], flags: FlagArg, convert: Any) -> int:
        n = fdnum(sockfd)
        mf = in_range(to_int(msg_flags, MSG), "msg_flags", 0, U32)
        raw = b"" if address is None else _net._encode(_net._domain(sockfd, n), address)
        iov, views = _iovecs(buffers, convert)
        msg = _new("struct msghdr *")
        name = _new("char[]", max(len(raw), 1)) if raw else _NULL
        if raw:
            ffi.memmove(name, raw, len(raw))
            msg.msg_name = name
            msg.msg_namelen = len(raw)
        msg.msg_iov = iov
        msg.msg_iovlen = len(views)
        return self._prep(opcode, flags, n, _address(msg), 0, 0, mf, user_data,
                          (sockfd, msg, name, iov, views), 0, views)

    def prep_sendmsg(self, sockfd: FdArg, buffers: Iterable[Buffer], msg_flags: FlagArg = 0,
                     address: Any = None, *, user_data: Optional[int] = None,
                     flags: FlagArg = 0) -> int:
        """sendmsg(2) of ``buffers`` in one message, to ``address`` on an unconnected socket
        (IORING_OP_SENDMSG; no ancillary data)."""
        return self._msg(lib.IORING_OP_SENDMSG, sockfd, buffers, msg_flags, address,
                         user_data, flags, view)

    def prep_recvmsg(self, sockfd: FdArg, buffers: Iterable[Buffer], msg_flags: FlagArg = 0,
                     *, user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """recvmsg(2) into writable ``buffers`` (IORING_OP_RECVMSG; no address, no ancillary
        data): res is the count received."""
        return self._msg(lib.IORING_OP_RECVMSG, sockfd, buffers, msg_flags, None, user_data,
                         flags, writable)

    def prep_timeout(self, timeout_ns: int, count: int = 0, timeout_flags: FlagArg = 0, *,
                     user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """Complete after ``timeout_ns`` (res -ETIME) or once ``count`` other requests have
        completed (res 0) (IORING_OP_TIMEOUT; ``IORING_TIMEOUT`` flags: ABS, BOOTTIME ...)."""
        ts = _timespec(timeout_ns)
        c = in_range(count, "count", 0, U32)
        tf = in_range(to_int(timeout_flags, IORING_TIMEOUT), "timeout_flags", 0, U32)
        return self._prep(lib.IORING_OP_TIMEOUT, flags, -1, _address(ts), 1, c, tf, user_data,
                          ts)

    def prep_link_timeout(self, timeout_ns: int, timeout_flags: FlagArg = 0, *,
                          user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """Cancel the previous request (prepared with ``IOSQE.IO_LINK``) unless it completes
        within ``timeout_ns`` (IORING_OP_LINK_TIMEOUT): that request's res is then
        -ECANCELED (-EINTR for some), this one's -ETIME; else this one's is -ECANCELED."""
        ts = _timespec(timeout_ns)
        tf = in_range(to_int(timeout_flags, IORING_TIMEOUT), "timeout_flags", 0, U32)
        return self._prep(lib.IORING_OP_LINK_TIMEOUT, flags, -1, _address(ts), 1, 0, tf,
                          user_data, ts)

    def prep_poll_add(self, fd: FdArg, events: FlagArg, *, user_data: Optional[int] = None,
                      flags: FlagArg = 0) -> int:
        """Complete once ``fd`` has one of ``events`` (``POLL`` bits): res is the events
        (IORING_OP_POLL_ADD, one shot)."""
        ev = in_range(to_int(events, POLL), "events", 0, U32)
        return self._prep(lib.IORING_OP_POLL_ADD, flags, fdnum(fd), 0, 0, 0, ev, user_data,
                          (fd,))

    def prep_cancel(self, target: int, cancel_flags: FlagArg = 0, *,
                    user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """Cancel the request whose user_data is ``target`` (IORING_OP_ASYNC_CANCEL;
        ``IORING_ASYNC_CANCEL`` flags: ALL, ANY ...): res 0 (cancelled), -ENOENT (not found)
        or -EALREADY (running: it completes on its own)."""
        t = in_range(target, "target", 0, _I64_MAX)
        cf = in_range(to_int(cancel_flags, IORING_ASYNC_CANCEL), "cancel_flags", 0, U32)
        if cf & (lib.IORING_ASYNC_CANCEL_FD | lib.IORING_ASYNC_CANCEL_FD_FIXED):
            raise ValueError("cancelling by fd is not offered here: cancel by user_data")
        return self._prep(lib.IORING_OP_ASYNC_CANCEL, flags, -1, t, 0, 0, cf, user_data, None)

    def prep_splice(self, fd_in: FdArg, off_in: int, fd_out: FdArg, off_out: int, nbytes: int,
                    splice_flags: FlagArg = 0, *, user_data: Optional[int] = None,
                    flags: FlagArg = 0) -> int:
        """splice(2) ``nbytes`` from ``fd_in`` at ``off_in`` to ``fd_out`` at ``off_out``
        (-1: no offset, for pipes) (IORING_OP_SPLICE; ``SPLICE_F`` flags)."""
        a, b = fdnum(fd_in), fdnum(fd_out)
        oi, oo = _offset(off_in), _offset(off_out)
        sf = in_range(to_int(splice_flags, SPLICE_F), "splice_flags", 0, U32)
        return self._prep(lib.IORING_OP_SPLICE, flags, b, oi, in_range(nbytes, "nbytes", 0, U32),
                          oo, sf, user_data, (fd_in, fd_out), a)

    def prep_fallocate(self, fd: FdArg, mode: FlagArg, offset: int, len: int, *,
                       user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """fallocate(2) of ``offset``..``offset + len`` (IORING_OP_FALLOCATE; ``FALLOC_FL``)."""
        m = in_range(to_int(mode, FALLOC_FL), "mode", 0, U32)
        return self._prep(lib.IORING_OP_FALLOCATE, flags, fdnum(fd),
                          in_range(len, "len", 0, _I64_MAX), m,
                          in_range(offset, "offset", 0, _I64_MAX), 0, user_data, (fd,))

    def prep_madvise(self, mapping: Mapping, advice: FlagArg, start: int = 0,
                     length: Optional[int] = None, *, user_data: Optional[int] = None,
                     flags: FlagArg = 0) -> int:
        """madvise(2) on a Mapping's range (IORING_OP_MADVISE; ``MADV``).  The Mapping stays
        exported (close() raises BufferError) until the completion is reaped; a Mapping
        without a buffer is refused (nothing could keep it mapped), and so is advice that
        would make its buffer fault."""
        if not isinstance(mapping, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"a Mapping is required, not {type(mapping).__name__} (no raw "
                            f"addresses on the ring)")
        a = in_range(to_int(advice, MADV), "advice", -(1 << 31), (1 << 31) - 1)
        addr, n = mapping._range(start, length)
        if not mapping._need:
            raise ValueError("a Mapping without a buffer cannot be kept mapped while the "
                             "request is in flight")
        if a not in _HARMLESS_ADVICE:
            raise ValueError(f"advice {a} would make this Mapping's buffer fault")
        pin = memoryview(mapping)
        return self._prep(lib.IORING_OP_MADVISE, flags, -1, addr, _length(n), 0, a & U32,
                          user_data, (mapping, pin))

    def prep_shutdown(self, sockfd: FdArg, how: FlagArg, *, user_data: Optional[int] = None,
                      flags: FlagArg = 0) -> int:
        """shutdown(2) (IORING_OP_SHUTDOWN; ``SHUT``)."""
        h = in_range(to_int(how, SHUT), "how", 0, U32)
        return self._prep(lib.IORING_OP_SHUTDOWN, flags, fdnum(sockfd), 0, h, 0, 0, user_data,
                          (sockfd,))

    def prep_renameat(self, olddirfd: FdArg, oldpath: PathArg, newdirfd: FdArg,
                      newpath: PathArg, flags: FlagArg = 0, *, user_data: Optional[int] = None,
                      sqe_flags: FlagArg = 0) -> int:
        """renameat2(2) (IORING_OP_RENAMEAT; ``RENAME`` flags)."""
        a, b = _path(oldpath), _path(newpath)
        rf = in_range(to_int(flags, RENAME), "flags", 0, U32)
        od, nd = _dirfd(olddirfd), _dirfd(newdirfd)
        av, bv = _from_buffer(a), _from_buffer(b)
        return self._prep(lib.IORING_OP_RENAMEAT, sqe_flags, od, _address(av), nd & U32,
                          _address(bv), rf, user_data, (olddirfd, newdirfd, av, a, bv, b))

    def prep_unlinkat(self, dirfd: FdArg, path: PathArg, flags: FlagArg = 0, *,
                      user_data: Optional[int] = None, sqe_flags: FlagArg = 0) -> int:
        """unlinkat(2) (IORING_OP_UNLINKAT; ``AT.REMOVEDIR`` for a directory)."""
        p = _path(path)
        uf = in_range(to_int(flags, AT), "flags", 0, U32)
        d = _dirfd(dirfd)
        pv = _from_buffer(p)
        return self._prep(lib.IORING_OP_UNLINKAT, sqe_flags, d, _address(pv), 0, 0, uf,
                          user_data, (dirfd, pv, p))

    def prep_mkdirat(self, dirfd: FdArg, path: PathArg, mode: FlagArg = 0o777, *,
                     user_data: Optional[int] = None, flags: FlagArg = 0) -> int:
        """mkdirat(2) (IORING_OP_MKDIRAT)."""
        p = _path(path)
        m = in_range(to_int(mode, S), "mode", 0, U32)
        d = _dirfd(dirfd)
        pv = _from_buffer(p)
        return self._prep(lib.IORING_OP_MKDIRAT, flags, d, _address(pv), m, 0, 0, user_data,
                          (dirfd, pv, p))

    # -- batches: many SQEs per C call ---------------------------------------------------------

    def _offsets(self, offsets: Any) -> tuple[Any, int]:
        if isinstance(offsets, ffi.CData):
            if _typeof(offsets) is not _I64:
                raise TypeError("offsets as cdata must be an int64_t[]")
            return offsets, len(offsets)
        if isinstance(offsets, (bytes, bytearray, str)):
            raise TypeError("offsets is a sequence of ints")
        if not isinstance(offsets, (list, tuple)):
            offsets = list(offsets)
        arr = _new(_I64, offsets)
        return arr, len(arr)

    def prep_read_batch(self, fd: FdArg, buf: Union[Buffer, int], offsets: Sequence[int],
                        block_size: int, *, user_data: Optional[int] = None,
                        flags: FlagArg = 0) -> int:
        """Prepare ``len(offsets)`` reads in one C call: read i fills ``buf[i * block_size:
        (i + 1) * block_size]`` from ``offsets[i]``, user_data ``first + i`` (``buf`` a
        registered buffer's index: READ_FIXED).  Returns
        ``first``.  BlockingIOError without SQ room for all (none is prepared then)."""
        return self._prep_batch(_OP_READ, fd, buf, offsets, block_size, user_data, flags,
                                writable)

    def prep_write_batch(self, fd: FdArg, data: Union[Buffer, int], offsets: Sequence[int],
                         block_size: int, *, user_data: Optional[int] = None,
                         flags: FlagArg = 0) -> int:
        """prep_read_batch's twin: write i writes ``data``'s block i at ``offsets[i]``."""
        return self._prep_batch(_OP_WRITE, fd, data, offsets, block_size, user_data, flags,
                                view)

    def _batch_args(self, fd: FdArg, buf: Union[Buffer, int], offsets: Any, block_size: int,
                    flags: FlagArg, convert: Any) -> tuple[int, Any, int, int, Any, int]:
        n = fd if type(fd) is int else fdnum(fd)
        f = _sqe_flags(flags)
        bs = in_range(block_size, "block_size", 1, U32)
        offs, count = self._offsets(offsets)
        if type(buf) is int:  # a registered buffer: the caller's opcode turns *_FIXED
            v = self._fixed_view(buf)[0]
            if count * bs > nbytes(v):
                raise ValueError(f"{count} blocks of {bs} bytes exceed registered buffer "
                                 f"{buf} ({nbytes(v)} bytes)")
            return n, offs, count, bs, v, f
        v = convert(buf)
        if count * bs > nbytes(v):
            _let_go(v, buf)
            raise ValueError(f"{count} blocks of {bs} bytes exceed the buffer's {nbytes(v)}")
        return n, offs, count, bs, v, f

    def _prep_batch(self, opcode: int, fd: FdArg, buf: Union[Buffer, int], offsets: Any, block_size: int,
                    user_data: Optional[int], flags: FlagArg, convert: Any) -> int:
        r = self._live()
        n, offs, count, bs, v, f = self._batch_args(fd, buf, offsets, block_size, flags,
                                                     convert)
        inflight = self._inflight
        if len(inflight) + count > self._max:
            _let_go(v, buf)
            raise BlockingIOError(_EBUSY, "the batch would overfill the completion queue")
        if user_data is None and not self._explicit:
            first = self._next
        else:
            try:
                first = in_range(self._next if user_data is None else user_data, "user_data",
                                 0, _I64_MAX - count)
            except (TypeError, ValueError, OverflowError):
                _let_go(v, buf)
                raise
            if any(u in inflight for u in range(first, first + count)):
                _let_go(v, buf)
                raise ValueError(f"user_data {first}..{first + count - 1} overlaps requests "
                                 f"in flight")
            self._explicit = True
        op, index = _fixed_op(opcode, buf)
        if _ring_prep_batch(r, op, f, n, v, bs, offs, 0, count, first, index) < 0:
            _let_go(v, buf)
            raise BlockingIOError(_EBUSY, "the submission queue lacks room for the batch")
        if user_data is None:
            self._next = first + count
        held = (fd, v, buf, offs)
        inflight.update(dict.fromkeys(range(first, first + count), held))
        return first

    def _sync_batch(self, opcode: int, fd: FdArg, n: int, buf: Any, offs: Any, count: int,
                    bs: int, v: Any, f: int) -> list[int]:
        """Prepare, submit and reap ``count`` requests (SQ-sized chunks) in one C call, their
        results copied straight into place; completions of other requests are kept for
        completions().  The C call returns early only for those, a signal or an error."""
        r = self._r
        if r is None:
            _let_go(v, buf)
            raise _closed()
        out = _new("int64_t[]", count) if count > len(self._batch_out) else self._batch_out
        inflight = self._inflight
        first = self._next
        if self._explicit:
            while any(u in inflight for u in range(first, first + count)):
                first += count
        if first + count > _I64_MAX:
            first = 1
        self._next = first + count
        held = (fd, v, buf, offs)
        op, index = _fixed_op(opcode, buf)
        prog, mx = self._prog, self._max
        try:
            while True:  # one call, again only after others' completions, a signal or an error
                got = _ring_run_batch(r, op, f, n, v, bs, offs, count, first, index,
                                      mx - len(inflight), out, self._rows, mx, prog)
                if prog[2]:
                    self._stash_rows(prog[2])
                if got == count:
                    break
                if got == _NEG_EBUSY:  # nothing of the batch is out
                    raise BlockingIOError(_EBUSY, f"{mx} requests in flight fill the "
                                          f"completion queue: reap completions first")
                if got < 0 and got != NEG_EINTR:
                    raise error(-got, "io_uring_enter")
        except BaseException:
            # requests still out keep the memory until close() or completions() reaps them:
            # those prepared (the first prog[0] + prog[1]) and not reaped (INT64_MIN)
            upto, out_now = prog[0] + prog[1], prog[1]
            prog[0] = prog[1] = 0
            if not out_now:
                _let_go(v, buf)
            for i, res in enumerate(_unpack(out, upto) if out_now else ()):
                if res == _UNREAPED:
                    inflight[first + i] = held
            raise
        results: list[int] = _unpack(out, count)
        failed: int = prog[3]  # 1 + the index of the first that failed
        if failed:
            _let_go(v, buf)  # every request completed: nothing holds the view (rule 2)
            raise error(-results[failed - 1], "io_uring")
        return results

    def _stash_rows(self, k: int) -> None:
        """Keep the k rows of other requests' completions a batch reaped for completions()."""
        rows = _unpack(self._rows, 3 * k)
        pop = self._inflight.pop
        for ud in rows[0::3]:
            pop(ud, None)
        it = iter(rows)
        self._stash.extend(map(_cqe, zip(it, it, it)))

    def read_batch(self, fd: FdArg, buf: Union[Buffer, int], offsets: Sequence[int],
                   block_size: int, *, flags: FlagArg = 0) -> list[int]:
        """Read ``len(offsets)`` blocks and wait for them all: block i of ``buf`` (bytes
        ``i * block_size`` on) from ``offsets[i]``; ``buf`` a writable buffer, or the index
        of a registered one (register_buffers: IORING_OP_READ_FIXED, cheaper per read).  One C
        call prepares, submits, waits for and reaps the whole batch, an SQ's worth at a time.
        Returns each read's count (a short read shows there); raises the OSError of the first
        that failed (once all completed).  ``offsets`` a sequence of ints or an
        ``ffi.new("int64_t[]")`` (reused: no conversion)."""
        n, offs, count, bs, v, f = self._batch_args(fd, buf, offsets, block_size, flags,
                                                     writable)
        return self._sync_batch(_OP_READ, fd, n, buf, offs, count, bs, v, f)

    def write_batch(self, fd: FdArg, data: Union[Buffer, int], offsets: Sequence[int],
                    block_size: int, *, flags: FlagArg = 0) -> list[int]:
        """read_batch's twin: block i of ``data`` written at ``offsets[i]``; the counts."""
        n, offs, count, bs, v, f = self._batch_args(fd, data, offsets, block_size, flags,
                                                     view)
        return self._sync_batch(_OP_WRITE, fd, n, data, offs, count, bs, v, f)

    def nop_batch(self, count: int) -> list[int]:
        """``count`` NOPs prepared, submitted and reaped (a round trip's floor): their res."""
        c = in_range(count, "count", 1, _I64_MAX)
        return self._sync_batch(_OP_NOP, -1, -1, None, _NULL, c, 0, _NULL, 0)

    # -- registration --------------------------------------------------------------------------

    def _register(self, opcode: int, arg: Any, nr: int) -> int:
        return call(_io_uring_register, "io_uring_register", self.fileno(), opcode, arg, nr)

    def register_buffers(self, buffers: Iterable[Buffer]) -> None:
        """Register writable buffers for prep_read_fixed/prep_write_fixed
        (IORING_REGISTER_BUFFERS: the kernel pins their pages).  They stay exported (a
        bytearray cannot be resized) until unregister_buffers() or close()."""
        self._live()
        if self._fixed is not None:
            raise ValueError("buffers are registered already: unregister_buffers() first")
        iov, views = _iovecs(buffers, writable)
        try:
            self._register(lib.IORING_REGISTER_BUFFERS, iov, len(views))
        except BaseException:
            _release_views(views)
            raise
        self._fixed = views

    def unregister_buffers(self) -> None:
        """Unregister the buffers (IORING_UNREGISTER_BUFFERS); requests in flight on them
        keep theirs until they complete."""
        self._live()
        if self._fixed is None:
            raise ValueError("no buffers registered")
        self._register(lib.IORING_UNREGISTER_BUFFERS, _NULL, 0)
        self._fixed = None  # views in flight stay held by their requests

    def register_files(self, fds: Iterable[FdArg]) -> None:
        """Register fds (IORING_REGISTER_FILES): requests with ``IOSQE.FIXED_FILE`` then take
        an index into this list as their fd.  The kernel holds its own references: closing
        an fd afterwards leaves the registered file in place (-1 in the list: a hole)."""
        items = list(fds)
        nums = _new("int[]", [x if type(x) is int else fdnum(x) for x in items])
        self._register(lib.IORING_REGISTER_FILES, nums, len(items))

    def unregister_files(self) -> None:
        """Drop the registered files (IORING_UNREGISTER_FILES)."""
        self._register(lib.IORING_UNREGISTER_FILES, _NULL, 0)

    def register_eventfd(self, fd: FdArg) -> None:
        """Signal an eventfd on each completion (IORING_REGISTER_EVENTFD; linuxsys.aio uses
        it).  The kernel holds its own reference."""
        n = _new("int *", fdnum(fd))
        self._register(lib.IORING_REGISTER_EVENTFD, n, 1)

    def unregister_eventfd(self) -> None:
        """Stop signalling the eventfd (IORING_UNREGISTER_EVENTFD)."""
        self._register(lib.IORING_UNREGISTER_EVENTFD, _NULL, 0)


def _let_go(v: Any, buf: Any) -> None:
    """Release a batch's view of ``buf``, never a registered buffer's (``buf`` its index)."""
    if type(buf) is not int:
        release(v, buf)


def _fixed_op(opcode: int, buf: Any) -> tuple[int, int]:
    """A batch's opcode and buffer index: READ/WRITE on a buffer (-1), *_FIXED on the
    registered buffer whose index ``buf`` is."""
    if type(buf) is not int:
        return opcode, -1
    return (_OP_READ_FIXED if opcode == _OP_READ else _OP_WRITE_FIXED), buf


def _close_fd(n: int) -> None:
    lib.ls_close(n)


def _dirfd(dirfd: FdArg) -> int:
    return dirfd if type(dirfd) is int else fdnum(dirfd)


__all__ = ["io_uring_setup", "io_uring_enter", "io_uring_register", "Ring", "Cqe",
           "statx_decode"]
