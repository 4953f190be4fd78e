"""kaio: Linux native AIO (man 2 io_setup, io_submit, io_getevents, io_pgetevents, io_cancel,
io_destroy) -- the older interface, still the one for O_DIRECT I/O without io_uring.

The six syscalls are here as the kernel takes them (``io_submit`` and ``io_cancel``, taking
``struct iocb`` cdata whose ``aio_buf`` is a raw address, are UNSAFE: see their docs).
``AioContext`` is the safe way in::

    with L.AioContext(64) as ctx:
        ctx.pread(fd, buf, 0)                    # -> its user_data
        ctx.pwrite(out, b"data", 4096)
        ctx.submit()                             # one io_submit for all that is queued
        for event in ctx.getevents(2):
            event.check()                        # the OSError of a failed request

**Lifetimes**: the buffer (and Fd) a request uses is held by the context from ``pread``/
``pwrite`` until its event is reaped (``getevents``), then released (a bytearray held cannot
be resized meanwhile: BufferError, never a use-after-free).  ``close()`` (also ``with`` and
garbage collection) is io_destroy(2), which cancels what can be cancelled (polls) and waits
for every other request in flight to finish before it returns: only then are the buffers let
go.  Each request has its own ``struct iocb`` until its event is reaped (the kernel knows a
request by its iocb's address, ``AioEvent.obj``), so a context holds at most ``nr_events``
requests: one more raises BlockingIOError (reap events first).

**What AIO does asynchronously**: reads and writes with O_DIRECT on filesystems that support
it, and ``poll``.  Buffered reads and writes, fsync and fdsync are done inside ``io_submit``
itself, which returns once they are (their events are ready at once); a read from a pipe or
socket with nothing to read blocks io_submit -- use ``poll`` first, or io_uring.

**Errors**: arguments are checked before anything is queued (TypeError, ValueError,
OverflowError).  A request the kernel refuses outright (a bad fd: EBADF; an fd whose file
cannot do it, such as a directory: EINVAL) makes ``submit`` raise that OSError; that request
is dropped and the ones queued after it stay queued (``submit()`` again).  A request's own
failure is its event's negative ``res``: ``AioEvent.check()`` raises it.  Times are int
nanoseconds (``timeout_ns``; None waits forever), as everywhere in linuxsys.  ``user_data``
(the iocb's ``aio_data``, the event's ``data``) is 0..2**63-1, counted up by the context
unless given; one in flight already raises ValueError.  A context is used by one thread at a
time; it does not survive fork (the child's is EINVAL).
"""
from __future__ import annotations

import warnings
from time import monotonic_ns as _monotonic_ns
from typing import Any, NamedTuple, Optional

from ._core import NEG_EINTR, U32, Buffer, call, error, ffi, in_range, lib, nbytes, release, \
    view, writable
from .event import Signals, _sigset
from .fd import ClosedFdError, FdArg, fdnum
from .flags import FlagArg, to_int

from ._consts import POLL, RWF

_io_setup = lib.ls_io_setup
_io_destroy = lib.ls_io_destroy
_io_submit = lib.ls_io_submit
_io_getevents = lib.ls_io_getevents
_io_pgetevents = lib.ls_io_pgetevents
_io_cancel = lib.ls_io_cancel
_aio_prep = lib.ls_aio_prep
_aio_submit = lib.ls_aio_submit

_new = ffi.new
_cast = ffi.cast
_unpack = ffi.unpack
_typeof = ffi.typeof
_NULL = ffi.NULL
_IOCB = ffi.typeof("struct iocb *")
_IOCB_ARRAY = ffi.typeof("struct iocb *[]")
_IOCB_PP = ffi.typeof("struct iocb **")
_I64_MAX = (1 << 63) - 1
_U64 = (1 << 64) - 1
_LONG_MAX = (1 << (8 * ffi.sizeof("long") - 1)) - 1
_MAX_NR = 1 << 20  # events a raw io_getevents reaps at once (32 MiB of rows): far past any ring
_IOCB_SIZE = ffi.sizeof("struct iocb")
_PREAD = lib.IOCB_CMD_PREAD
_PWRITE = lib.IOCB_CMD_PWRITE
_EAGAIN = lib.EAGAIN
_EINVAL = lib.EINVAL
_ECANCELED = lib.ECANCELED
_NEG_EINPROGRESS = -lib.EINPROGRESS


class AioEvent(NamedTuple):
    """A completion (struct io_event): ``data`` (the request's user_data), ``obj`` (its
    iocb's address), ``res`` (the syscall's result, or -errno) and ``res2``."""
    data: int
    obj: int
    res: int
    res2: int

    @property
    def user_data(self) -> int:
        """``data``, named as Ring's Cqe names it."""
        return self.data

    def check(self) -> int:
        """``res``, or the OSError its -errno means (ECANCELED for a cancelled request)."""
        if self.res < 0:
            raise error(-self.res, "aio")
        return self.res


def _events(rows: Any, n: int) -> list[AioEvent]:
    """n struct io_event rows (int64 quadruples) as AioEvents; data and obj are u64."""
    flat = _unpack(rows, 4 * n)
    return [AioEvent(flat[i] & _U64, flat[i + 1] & _U64, flat[i + 2], flat[i + 3])
            for i in range(0, 4 * n, 4)]


def _ctx_id(ctx_id: int) -> int:
    return in_range(ctx_id, "ctx_id", 0, _U64)


def _timeout(timeout_ns: Optional[int]) -> int:
    return -1 if timeout_ns is None else in_range(timeout_ns, "timeout_ns", 0, _I64_MAX)


def _wait(fn: Any, name: str, ctx: int, min_nr: int, rows: Any, nr: int, ns: int,
          *mask: Any) -> int:
    """``fn`` (io_getevents or io_pgetevents) retried on EINTR with the time left (PEP 475):
    the count of events, 0 once the time is up."""
    deadline = _monotonic_ns() + ns if ns > 0 else 0
    while True:
        r: int = fn(ctx, min_nr, nr, rows, ns, *mask)
        if r >= 0:
            return r
        if r != NEG_EINTR:
            raise error(-r, name)
        if ns > 0:
            ns = max(deadline - _monotonic_ns(), 0)


# ---- the syscalls ------------------------------------------------------------------------------

def io_setup(nr_events: int) -> int:
    """Create an AIO context able to hold ``nr_events`` requests (man 2 io_setup): its id (an
    ``aio_context_t``).  Destroy it with io_destroy (``AioContext`` does).

    https://man7.org/linux/man-pages/man2/io_setup.2.html

    Raises:
        BlockingIOError: ``nr_events`` is past /proc/sys/fs/aio-max-nr (EAGAIN).
        OSError: EINVAL for ``nr_events`` 0 or past the kernel's limits, ENOMEM, the subclass
            os raises for any other errno (UnsupportedError for ENOSYS: no CONFIG_AIO).
        TypeError: ``nr_events`` is not an int (before any call).
        OverflowError: ``nr_events`` beyond 32 bits (before any call).
    """
    n = in_range(nr_events, "nr_events", 0, U32)
    out = _new("uint64_t *")
    call(_io_setup, "io_setup", n, out)
    ctx_id: int = out[0]
    return ctx_id


def io_destroy(ctx_id: int) -> None:
    """Cancel what can be cancelled, wait for every other request of ``ctx_id``, and destroy
    the context (man 2 io_destroy).

    https://man7.org/linux/man-pages/man2/io_destroy.2.html

    Raises:
        OSError: EINVAL for no such context, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        TypeError: ``ctx_id`` is not an int (before any call).
        OverflowError: ``ctx_id`` is negative or beyond 64 bits (before any call).
    """
    call(_io_destroy, "io_destroy", _ctx_id(ctx_id))


def io_submit(ctx_id: int, iocbpp: Any, nr: Optional[int] = None) -> int:
    """Submit ``nr`` (default: all) iocbs (man 2 io_submit): ``iocbpp`` an
    ``ffi.new("struct iocb *[]")`` of ``ffi.new("struct iocb *")`` (the kernel writes each
    one's aio_key).  The count submitted (fewer than ``nr`` when one is refused: the next call
    names its error).  UNSAFE: each iocb's ``aio_buf`` is a raw address the kernel reads or
    writes for as long as the request runs; ``AioContext`` is the safe form.

    https://man7.org/linux/man-pages/man2/io_submit.2.html

    Raises:
        BlockingIOError: the kernel is short of resources to queue any iocb (EAGAIN).
        PermissionError: an IOPRIO_CLASS_RT ``aio_reqprio`` without CAP_SYS_ADMIN (EPERM).
        OSError: EBADF for the first iocb's fd, EINVAL for no such context or an iocb the
            file cannot do, EFAULT, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        TypeError: ``iocbpp`` is no ``struct iocb *[]`` (or ``struct iocb **`` with ``nr``),
            ``ctx_id``/``nr`` not an int (before any call).
        ValueError: ``nr`` exceeds the iocb pointers (before any call).
        OverflowError: a negative ``ctx_id`` or ``nr``, or one beyond 64 bits or a C long
            (before any call).
    """
    c = _ctx_id(ctx_id)
    if not isinstance(iocbpp, ffi.CData) or _typeof(iocbpp) not in (_IOCB_ARRAY, _IOCB_PP):
        raise TypeError("iocbpp is an ffi.new('struct iocb *[]')")
    if nr is None:
        if _typeof(iocbpp) is not _IOCB_ARRAY:
            raise TypeError("nr is needed with a struct iocb ** pointer")
        nr = len(iocbpp)
    elif _typeof(iocbpp) is _IOCB_ARRAY and not 0 <= nr <= len(iocbpp):
        raise ValueError(f"nr {nr} exceeds the {len(iocbpp)} iocb pointers")
    n = in_range(nr, "nr", 0, _LONG_MAX)
    return call(_io_submit, "io_submit", c, n, iocbpp)


def io_getevents(ctx_id: int, min_nr: int, nr: int, timeout_ns: Optional[int] = None
                 ) -> list[AioEvent]:
    """Wait for at least ``min_nr`` and reap up to ``nr`` events of ``ctx_id`` (man 2
    io_getevents); ``timeout_ns`` bounds the wait (then fewer, maybe none).  On 32-bit arches
    io_pgetevents_time64 (no 2038 limit), the plain call before Linux 5.1.  Signals are
    handled while waiting (PEP 475).

    https://man7.org/linux/man-pages/man2/io_getevents.2.html

    Raises:
        OSError: EINVAL for no such context or ``min_nr`` > ``nr``, the subclass os raises
            for any other errno (UnsupportedError for ENOSYS).
        TypeError: an argument is not an int (``timeout_ns``: or None) (before any call).
        OverflowError: a negative argument, or ``ctx_id`` beyond 64 bits, ``nr`` beyond 2**20
            events, ``min_nr`` beyond a C long, ``timeout_ns`` beyond 63 bits (before any
            call).
    """
    c = _ctx_id(ctx_id)
    n = in_range(nr, "nr", 0, _MAX_NR)
    m = in_range(min_nr, "min_nr", 0, _LONG_MAX)
    rows = _new("int64_t[]", 4 * max(n, 1))
    k = _wait(_io_getevents, "io_getevents", c, m, rows, n, _timeout(timeout_ns))
    return _events(rows, k)


def io_pgetevents(ctx_id: int, min_nr: int, nr: int, timeout_ns: Optional[int] = None,
                  sigmask: Signals = None) -> list[AioEvent]:
    """io_getevents with the thread's signal mask replaced by ``sigmask`` while it waits (man
    2 io_pgetevents, Linux 4.18; io_pgetevents_time64 on 32-bit arches).  None keeps the mask.

    https://man7.org/linux/man-pages/man2/io_getevents.2.html

    Raises:
        OSError: EINVAL for no such context or ``min_nr`` > ``nr``, the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: before Linux 4.18).
        TypeError: an argument is not an int (``timeout_ns``: or None), ``sigmask`` no
            iterable of signals (before any call).
        ValueError: an unknown signal name or number in ``sigmask`` (before any call).
        OverflowError: a negative argument, or ``ctx_id`` beyond 64 bits, ``nr`` beyond 2**20
            events, ``min_nr`` beyond a C long, ``timeout_ns`` beyond 63 bits (before any
            call).
    """
    c = _ctx_id(ctx_id)
    n = in_range(nr, "nr", 0, _MAX_NR)
    m = in_range(min_nr, "min_nr", 0, _LONG_MAX)
    ns = _timeout(timeout_ns)
    mask = _sigset(sigmask)
    rows = _new("int64_t[]", 4 * max(n, 1))
    k = _wait(_io_pgetevents, "io_pgetevents", c, m, rows, n, ns, mask)
    return _events(rows, k)


def io_cancel(ctx_id: int, iocb: Any) -> Optional[AioEvent]:
    """Cancel the request submitted with ``iocb`` (an ``ffi.new("struct iocb *")``) (man 2
    io_cancel): None once cancellation is under way (Linux 4.19 on: the event, res
    -ECANCELED, comes through io_getevents), or the event itself (older kernels).  UNSAFE as
    io_submit: the kernel knows a request by its iocb's address.

    https://man7.org/linux/man-pages/man2/io_cancel.2.html

    Raises:
        BlockingIOError: the request was not cancelled (EAGAIN).
        OSError: EINVAL for no such context, a request not found or one that cannot be
            cancelled (reads and writes of files), the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        TypeError: ``iocb`` is no ``struct iocb *``, ``ctx_id`` not an int (before any
            call).
        OverflowError: ``ctx_id`` is negative or beyond 64 bits (before any call).
    """
    c = _ctx_id(ctx_id)
    if not isinstance(iocb, ffi.CData) or _typeof(iocb) is not _IOCB:
        raise TypeError("iocb is an ffi.new('struct iocb *')")
    result = _new("int64_t[4]")
    r = _io_cancel(c, iocb, result)
    if r == _NEG_EINPROGRESS:
        return None
    if r < 0:
        raise error(-r, "io_cancel")
    return _events(result, 1)[0]


# ---- the context -------------------------------------------------------------------------------

def _closed() -> ClosedFdError:
    return ClosedFdError("io_destroy")


class AioContext:
    """An AIO context (man 2 io_setup) for up to ``nr_events`` requests at once, with a
    ``struct iocb`` per request; ``resfd`` an eventfd that every completion signals
    (IOCB_FLAG.RESFD; held by the context).  See the module doc for lifetimes.

    Raises OSError EINVAL (nr_events 0), EAGAIN (past /proc/sys/fs/aio-max-nr) ..."""

    __slots__ = ("_ctx", "_nr", "_cbs", "_base", "_queue", "_nq", "_free", "_held", "_slots",
                 "_done", "_rows", "_next", "_resfd", "_resfd_n", "_err", "__weakref__")

    def __init__(self, nr_events: int, *, resfd: Optional[FdArg] = None) -> None:
        self._ctx: Optional[int] = None
        n = in_range(nr_events, "nr_events", 0, U32)
        rn = -1 if resfd is None else fdnum(resfd)
        out = _new("uint64_t *")
        call(_io_setup, "io_setup", n, out)
        self._ctx = out[0]
        self._nr = n
        self._cbs = _new("struct iocb[]", n)
        self._base = int(_cast("uintptr_t", self._cbs))
        self._queue = _new("struct iocb *[]", n)  # the iocbs submit() hands over, in order
        self._nq = 0
        self._free = list(range(n - 1, -1, -1))  # iocb slots no request uses
        # slot -> (user_data, what the request holds: (fd, view, buffer))
        self._held: dict[int, tuple[int, tuple[Any, Any, Any]]] = {}
        self._slots: dict[int, int] = {}  # user_data -> slot
        self._done: list[AioEvent] = []  # events known before the kernel gives them
        self._rows = _new("int64_t[]", 4 * n)
        self._next = 1
        self._resfd = resfd
        self._resfd_n = rn
        self._err = _new("long *")

    # -- life --------------------------------------------------------------------------------

    @property
    def ctx_id(self) -> int:
        """The kernel's aio_context_t (ClosedFdError once closed)."""
        if self._ctx is None:
            raise _closed()
        return self._ctx

    @property
    def closed(self) -> bool:
        return self._ctx is None

    @property
    def in_flight(self) -> int:
        """Requests queued or submitted whose event is not reaped yet."""
        return len(self._held) if self._ctx is not None else 0

    @property
    def queued(self) -> int:
        """Requests queued for the next submit()."""
        return self._nq if self._ctx is not None else 0

    def __enter__(self) -> "AioContext":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._ctx is None:
            return "<AioContext closed>"
        return f"<AioContext {self._ctx:#x} nr_events={self._nr} in_flight={len(self._held)}>"

    def __del__(self) -> None:
        if getattr(self, "_ctx", None) is not None:
            warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self)
            self.close()

    def close(self) -> None:
        """io_destroy(2): cancel what can be cancelled, wait for every other request in flight,
        then let their buffers go (idempotent).  Requests queued and never submitted are
        dropped."""
        ctx = self._ctx
        if ctx is None:
            return
        r = _io_destroy(ctx)
        while r == NEG_EINTR:
            r = _io_destroy(ctx)
        # EINVAL: the context is gone already (io_destroy(ctx_id) by hand), requests with it
        self._ctx = None
        for slot_held in self._held.values():
            _let_go(slot_held[1])
        self._held.clear()
        self._slots.clear()
        self._done.clear()
        self._nq = 0
        self._resfd = None
        if r < 0 and r != -_EINVAL:
            raise error(-r, "io_destroy")

    # -- preparing requests --------------------------------------------------------------------

    def _ud(self, user_data: Optional[int]) -> int:
        slots = self._slots
        if user_data is None:
            ud = self._next
            while ud in slots:
                ud = ud + 1 if ud < _I64_MAX else 1
            self._next = ud + 1 if ud < _I64_MAX else 1
            return ud
        ud = in_range(user_data, "user_data", 0, _I64_MAX)
        if ud in slots:
            raise ValueError(f"user_data {ud} is in flight already")
        return ud

    def _prep(self, opcode: int, fd: FdArg, buf: Any, v: Any, size: int, offset: int,
              user_data: Optional[int], rw_flags: FlagArg) -> int:
        """Queue one request; ``v`` a view made of ``buf`` (released on any error here)."""
        try:
            if self._ctx is None:
                raise _closed()
            n = fd if type(fd) is int else fdnum(fd)
            off = in_range(offset, "offset", 0, _I64_MAX)
            rwf = rw_flags if type(rw_flags) is int and 0 <= rw_flags <= U32 \
                else in_range(to_int(rw_flags, RWF), "rw_flags", 0, U32)
            ud = self._ud(user_data)
            if not self._free:
                raise BlockingIOError(_EAGAIN, f"{self._nr} requests in flight fill the "
                                      f"context: reap events first")
            in_range(n, "fd", -(1 << 31), (1 << 31) - 1)
        except BaseException:
            release(v, buf)
            raise
        slot = self._free.pop()
        _aio_prep(self._cbs + slot, self._queue + self._nq, opcode, n, v, size, off, ud, rwf,
                  self._resfd_n)
        self._nq += 1
        self._held[slot] = (ud, (fd, v, buf))
        self._slots[ud] = slot
        return ud

    def pread(self, fd: FdArg, buf: Buffer, offset: int, user_data: Optional[int] = None, *,
              rw_flags: FlagArg = 0) -> int:
        """Queue a read into a writable buffer at ``offset`` (IOCB_CMD.PREAD, as pread(2);
        ``RWF`` rw_flags): the event's res is the count read.  With O_DIRECT the buffer,
        offset and size must be aligned as the filesystem says (EINVAL in the event
        otherwise).  Returns the request's user_data."""
        v = writable(buf)
        return self._prep(_PREAD, fd, buf, v, nbytes(v), offset, user_data, rw_flags)

    def pwrite(self, fd: FdArg, data: Buffer, offset: int, user_data: Optional[int] = None, *,
               rw_flags: FlagArg = 0) -> int:
        """Queue a write of ``data`` at ``offset`` (IOCB_CMD.PWRITE, as pwrite(2)): the
        event's res is the count written.  Returns the request's user_data."""
        if type(data) is bytes:
            return self._prep(_PWRITE, fd, data, data, len(data), offset, user_data, rw_flags)
        v = view(data)
        return self._prep(_PWRITE, fd, data, v, nbytes(v), offset, user_data, rw_flags)

    def fsync(self, fd: FdArg, user_data: Optional[int] = None) -> int:
        """Queue fsync(2) of ``fd`` (IOCB_CMD.FSYNC, Linux 4.18).  Returns its user_data."""
        return self._prep(lib.IOCB_CMD_FSYNC, fd, None, _NULL, 0, 0, user_data, 0)

    def fdsync(self, fd: FdArg, user_data: Optional[int] = None) -> int:
        """Queue fdatasync(2) of ``fd`` (IOCB_CMD.FDSYNC, Linux 4.18).  Returns its
        user_data."""
        return self._prep(lib.IOCB_CMD_FDSYNC, fd, None, _NULL, 0, 0, user_data, 0)

    def poll(self, fd: FdArg, events: FlagArg, user_data: Optional[int] = None) -> int:
        """Queue a one-shot poll of ``fd`` for ``events`` (``POLL`` bits) (IOCB_CMD.POLL,
        Linux 4.18): the event's res is the events that came.  Cancellable (cancel(): the
        event's res is then 0).
        Returns its user_data."""
        ev = in_range(to_int(events, POLL), "events", 0, 0xFFFF)  # __poll_t as aio takes it
        return self._prep(lib.IOCB_CMD_POLL, fd, None, _cast("void *", ev), 0, 0, user_data, 0)

    # -- submission and completion ------------------------------------------------------------

    def submit(self) -> int:
        """Hand every queued request to the kernel in one io_submit (more only if it takes
        them in parts): the count submitted.  A request it refuses raises its OSError (EBADF,
        EINVAL ...) and is dropped; those queued after it stay queued.  EAGAIN (the kernel
        short of resources) raises BlockingIOError and drops nothing."""
        ctx = self._ctx
        if ctx is None:
            raise _closed()
        nq = self._nq
        if not nq:
            return 0
        queue = self._queue
        err = self._err
        done = _aio_submit(ctx, queue, nq, err)
        e = err[0]
        if not e:
            self._nq = 0
            return done
        rest = nq - done
        if e != -_EAGAIN:  # the refused request is dropped
            slot = (int(_cast("uintptr_t", queue[done])) - self._base) // _IOCB_SIZE
            ud, held = self._held.pop(slot)
            del self._slots[ud]
            self._free.append(slot)
            _let_go(held)
            rest -= 1
            if rest:
                ffi.memmove(queue, queue + done + 1, rest * ffi.sizeof("void *"))
        elif done:
            ffi.memmove(queue, queue + done, rest * ffi.sizeof("void *"))
        self._nq = rest
        raise error(-e, "io_submit")

    def _reap(self, k: int) -> list[AioEvent]:
        """The k events in the rows, each request's slot and holds let go."""
        events = _events(self._rows, k)
        held, slots, free, base, nr = self._held, self._slots, self._free, self._base, self._nr
        for ev in events:
            slot = (ev.obj - base) // _IOCB_SIZE
            if 0 <= slot < nr and slot in held:
                ud, h = held.pop(slot)
                slots.pop(ud, None)
                free.append(slot)
                _let_go(h)
        return events

    def getevents(self, min_nr: int = 1, max_nr: Optional[int] = None,
                  timeout_ns: Optional[int] = None) -> list[AioEvent]:
        """Wait until ``min_nr`` requests have completed (at most ``timeout_ns``: then fewer,
        maybe none) and return up to ``max_nr`` (default: nr_events) events (man 2
        io_getevents), each request's buffer let go.  Signals are handled while waiting.

        Raises ValueError for a min_nr larger than the requests submitted (it would never
        end) or than max_nr."""
        ctx = self._ctx
        if ctx is None:
            raise _closed()
        mx = self._nr if max_nr is None else in_range(max_nr, "max_nr", 1, self._nr)
        mn = in_range(min_nr, "min_nr", 0, mx)
        done = self._done
        submitted = len(self._held) - self._nq
        if mn > submitted + len(done):
            raise ValueError(f"waiting for {mn} events with {submitted} requests submitted "
                             f"would never end")
        out: list[AioEvent] = []
        if done:
            out, self._done = done[:mx], done[mx:]
        room = mx - len(out)
        if room and submitted:
            need = max(mn - len(out), 0)
            ns = _timeout(timeout_ns) if need else 0
            k = _wait(_io_getevents, "io_getevents", ctx, need, self._rows, room, ns)
            if k:
                out.extend(self._reap(k))
        return out

    def cancel(self, user_data: int) -> None:
        """Cancel a request (man 2 io_cancel): its event (res -ECANCELED) then comes with
        getevents.  A request still queued is dropped at once (its event is ready).  The
        kernel cancels polls; reads and writes of files run to their end.

        Raises ValueError for a user_data not in flight, OSError EINVAL for a request the
        kernel cannot cancel (or one that just completed: its event is ready)."""
        ctx = self._ctx
        if ctx is None:
            raise _closed()
        ud = in_range(user_data, "user_data", 0, _I64_MAX)
        slot = self._slots.get(ud)
        if slot is None:
            raise ValueError(f"no request with user_data {ud} is in flight")
        cb = self._cbs + slot
        address = self._base + slot * _IOCB_SIZE
        queue = self._queue
        for i in range(self._nq):
            if queue[i] == cb:  # not submitted: dropped here
                rest = self._nq - i - 1
                if rest:
                    ffi.memmove(queue + i, queue + i + 1, rest * ffi.sizeof("void *"))
                self._nq -= 1
                self._forget(slot, ud)
                self._done.append(AioEvent(ud, address, -_ECANCELED, 0))
                return
        r = _io_cancel(ctx, cb, self._rows)
        if r == _NEG_EINPROGRESS:
            return
        if r < 0:
            raise error(-r, "io_cancel")
        # before Linux 4.19: the event came back here instead of through io_getevents
        self._forget(slot, ud)
        self._done.extend(_events(self._rows, 1))

    def _forget(self, slot: int, ud: int) -> None:
        _, h = self._held.pop(slot)
        del self._slots[ud]
        self._free.append(slot)
        _let_go(h)


def _let_go(held: tuple[Any, Any, Any]) -> None:
    """Release the view a request held (its fd, view, buffer)."""
    _, v, buf = held
    release(v, buf)


__all__ = ["io_setup", "io_destroy", "io_submit", "io_getevents", "io_pgetevents", "io_cancel",
           "AioContext", "AioEvent"]
