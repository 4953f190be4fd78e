"""Linux native AIO (linuxsys.kaio) against the real kernel: AioContext reads and writes
(buffered and O_DIRECT) compared with os.pread, fsync/fdsync, poll and cancellation,
lifetimes of the buffers, the raw syscalls and their error paths.  qemu-user answers ENOSYS
for the AIO syscalls: those tests skip there (the layout and argument checks still run)."""
import errno
import gc
import mmap
import os
import random
import signal
import time
import warnings

import pytest

import linuxsys as L
from linuxsys._core import ffi, lib
from conftest import qemu_may_lack, raises_errno

MS = 1_000_000


def _ctx(n=32, **kwargs):
    return qemu_may_lack(L.AioContext, n, **kwargs)  # qemu-user: ENOSYS for io_setup


def _setup(n):
    return qemu_may_lack(L.io_setup, n)


@pytest.fixture
def ctx():
    c = _ctx()
    yield c
    c.close()


@pytest.fixture
def data_file(tmp_path):
    data = random.Random(13).randbytes(1 << 18)
    path = tmp_path / "data"
    path.write_bytes(data)
    return path, data


def _direct(path, flags=L.O.RDWR):
    """path opened with O_DIRECT, or a skip where its filesystem refuses it (tmpfs: EINVAL)."""
    try:
        return L.open(path, flags | L.O.DIRECT)
    except OSError as e:
        if e.errno == errno.EINVAL:
            pytest.skip(f"{path}'s filesystem refuses O_DIRECT")
        raise


# ---- layout and constants: every arch --------------------------------------------------------

def test_layout_and_namespaces():
    assert ffi.sizeof("struct iocb") == 64 and ffi.sizeof("struct io_event") == 32
    assert ffi.offsetof("struct iocb", "aio_buf") == 24
    assert ffi.offsetof("struct iocb", "aio_resfd") == 60
    assert (L.IOCB_CMD.PREAD, L.IOCB_CMD.PWRITE, L.IOCB_CMD.FSYNC, L.IOCB_CMD.FDSYNC,
            L.IOCB_CMD.POLL, L.IOCB_CMD.NOOP, L.IOCB_CMD.PREADV) == (0, 1, 2, 3, 5, 6, 7)
    assert L.IOCB_FLAG.RESFD == 1 and L.IOCB_CMD_PWRITEV == 8
    # aio_rw_flags is the u32 after aio_key: what ls_aio_prep fills
    cb = ffi.new("struct iocb *")
    slot = ffi.new("struct iocb *[1]")
    lib.ls_aio_prep(cb, slot, L.IOCB_CMD.PREAD, 7, ffi.NULL, 10, 20, 2**63 + 5, 0xABCD, 3)
    raw = bytes(ffi.buffer(cb))
    assert int.from_bytes(raw[12:16], "little") == 0xABCD and slot[0] == cb
    assert (cb.aio_data, cb.aio_fildes, cb.aio_nbytes, cb.aio_offset) == (2**63 + 5, 7, 10, 20)
    assert (cb.aio_flags, cb.aio_resfd) == (L.IOCB_FLAG.RESFD, 3)


def test_arguments_checked_before_any_call():
    with pytest.raises(OverflowError):
        L.AioContext(-1)
    with pytest.raises(TypeError):
        L.AioContext("4")
    with pytest.raises(OverflowError):
        L.io_destroy(-1)
    with pytest.raises(TypeError):
        L.io_submit(0, [1, 2])
    with pytest.raises(TypeError):
        L.io_cancel(0, ffi.new("int *"))
    with pytest.raises(OverflowError):
        L.io_getevents(0, 0, 1, timeout_ns=-1)


# ---- AioContext ------------------------------------------------------------------------------

def test_buffered_reads_match_os_pread(ctx, data_file):
    path, data = data_file
    rng = random.Random(1)
    with L.open(path) as fd:
        jobs = []
        for _ in range(32):
            off, size = rng.randrange(len(data) + 100), rng.randrange(1, 9000)
            buf = bytearray(size)
            jobs.append((ctx.pread(fd, buf, off), off, buf))
        assert ctx.queued == 32 and ctx.in_flight == 32
        assert ctx.submit() == 32  # one io_submit for all
        assert ctx.queued == 0
        events = []
        while len(events) < 32:
            events += ctx.getevents(32 - len(events))
        assert ctx.in_flight == 0
        by_data = {e.user_data: e for e in events}
        for ud, off, buf in jobs:
            n = by_data[ud].check()
            assert bytes(buf[:n]) == os.pread(fd.fd, len(buf), off)


def test_writes_and_syncs(ctx, tmp_path):
    path = tmp_path / "w"
    with L.open(path, "rdwr|creat", 0o600) as fd:
        a = ctx.pwrite(fd, b"hello ", 0, user_data=100)
        b = ctx.pwrite(fd, memoryview(bytearray(b"world")), 6)
        assert (a, b) == (100, 1)
        ctx.submit()
        got = sorted((e.data, e.res) for e in ctx.getevents(2))
        assert got == [(1, 5), (100, 6)]
        assert path.read_bytes() == b"hello world"
        ctx.fsync(fd, 7)
        ctx.fdsync(fd, 8)
        assert ctx.submit() == 2
        assert sorted((e.data, e.res) for e in ctx.getevents(2)) == [(7, 0), (8, 0)]


def test_o_direct(tmp_path):
    """O_DIRECT reads and writes of aligned blocks, checked against os.pread (in the test's
    tmp dir and in /var/tmp, which may be another filesystem)."""
    for d in (tmp_path, "/var/tmp"):
        path = os.path.join(d, f"linuxsys-kaio-{os.getpid()}")
        with open(path, "wb") as f:
            f.write(random.Random(2).randbytes(1 << 16))
        try:
            fd = _direct(path)
            with fd, _ctx(8) as ctx, mmap.mmap(-1, 3 * 4096) as mem:  # page-aligned memory
                block = random.Random(3).randbytes(4096)
                mem[8192:] = block
                with memoryview(mem) as m:
                    ctx.pread(fd, m[:8192], 4096)
                    ctx.pwrite(fd, m[8192:], 32768)
                    ctx.submit()
                    events = ctx.getevents(2)
                    del m
                assert sorted(e.check() for e in events) == [4096, 8192]
                with L.open(path) as plain:  # os.pread's buffer is not aligned
                    assert mem[:8192] == os.pread(plain.fd, 8192, 4096)
                    assert os.pread(plain.fd, 4096, 32768) == block
                # a misaligned O_DIRECT read fails in its event, not at submit (EINVAL),
                # where the filesystem does direct I/O (tmpfs takes O_DIRECT as buffered)
                small = bytearray(100)
                ctx.pread(fd, small, 1)
                ctx.submit()
                (ev,) = ctx.getevents(1)
                with L.open(path) as plain:
                    assert ev.res == -errno.EINVAL or small == os.pread(plain.fd, 100, 1)
        finally:
            os.unlink(path)


def test_poll_later_cancel_and_timeout(ctx, pipe):
    r, w = pipe
    u = ctx.poll(r, L.POLL.IN)
    ctx.submit()
    start = time.monotonic()
    assert ctx.getevents(1, timeout_ns=20 * MS) == []  # nothing readable: the time runs out
    assert time.monotonic() - start >= 0.015
    assert ctx.getevents(0) == []
    os.write(w, b"x")
    (ev,) = ctx.getevents(1)
    assert ev.data == u and ev.res & L.POLL.IN
    os.read(r, 1)
    # a poll is cancellable: its event then comes (res 0: no events, or -ECANCELED)
    u = ctx.poll(r, "in")
    ctx.submit()
    ctx.cancel(u)
    (ev,) = ctx.getevents(1)
    assert ev.data == u and ev.res in (0, -errno.ECANCELED)
    assert ctx.in_flight == 0


def test_cancel_queued_and_unknown(ctx, pipe):
    r, _ = pipe
    buf = bytearray(10)
    u1 = ctx.pread(r, buf, 0)
    u2 = ctx.poll(r, "in")
    ctx.cancel(u1)  # never submitted: dropped at once, its buffer let go
    buf.extend(b"x")
    assert ctx.queued == 1
    (ev,) = ctx.getevents(1)
    assert (ev.data, ev.res) == (u1, -errno.ECANCELED)
    with pytest.raises(ValueError):
        ctx.cancel(u1)
    assert ctx.submit() == 1
    ctx.cancel(u2)
    assert ctx.getevents(1)[0].data == u2


def test_file_reads_cannot_be_cancelled(ctx, data_file):
    path, _ = data_file
    with L.open(path) as fd:
        u = ctx.pread(fd, bytearray(4096), 0)
        ctx.submit()  # a buffered read is done inside io_submit
        raises_errno(errno.EINVAL, ctx.cancel, u)
        assert ctx.getevents(1)[0].res == 4096


def test_resfd(pipe):
    with L.eventfd(0, "nonblock") as efd, _ctx(4, resfd=efd) as ctx:
        r, w = pipe
        os.write(w, b"ab")
        ctx.pread(r, bytearray(1), 0)
        ctx.pread(r, bytearray(1), 0)
        ctx.submit()  # (a pipe has no offsets: AIO reads it as read(2) does)
        events = ctx.getevents(2)
        assert [e.res for e in events] == [1, 1]
        assert L.eventfd_read(efd) == 2


def test_submit_errors_drop_only_the_refused_request(ctx, tmp_path, pipe):
    r, _ = pipe
    with L.open(tmp_path, L.O.RDONLY | L.O.DIRECTORY) as d, L.open(tmp_path / "f", "rdwr|creat") \
            as f:
        L.write(f, b"abc")
        good = bytearray(3)
        bad = bytearray(3)
        ctx.pread(f, good, 0, user_data=1)
        ctx.pread(1 << 20, bad, 0, user_data=2)  # no such fd: EBADF
        ctx.pread(f, bytearray(3), 0, user_data=3)
        raises_errno(errno.EBADF, ctx.submit)
        bad.extend(b"x")  # the refused request's buffer is let go
        assert ctx.queued == 1 and ctx.in_flight == 2
        assert ctx.submit() == 1
        assert sorted(e.data for e in ctx.getevents(2)) == [1, 3] and good == b"abc"
        ctx.pread(d, bytearray(3), 0)  # a directory cannot be read: EINVAL
        raises_errno(errno.EINVAL, ctx.submit)
        ctx.fsync(r)  # nor a pipe synced
        raises_errno(errno.EINVAL, ctx.submit)
        assert ctx.in_flight == 0


def test_context_errors():
    raises_errno(errno.EINVAL, L.AioContext, 0)
    c = _ctx(2)
    buf = bytearray(4)
    with pytest.raises(TypeError):
        c.pread(0, b"bytes", 0)  # the kernel would write into it
    with pytest.raises(OverflowError):
        c.pread(0, buf, -1)
    buf.extend(b"x")  # released before raising
    c.pread(0, bytearray(1), 0, user_data=5)
    with pytest.raises(ValueError):
        c.pread(0, buf, 0, user_data=5)  # in flight already
    c.pread(0, bytearray(1), 0)
    with pytest.raises(BlockingIOError):
        c.pread(0, buf, 0)  # nr_events requests at once
    buf.extend(b"x")
    with pytest.raises(ValueError):
        c.getevents(1)  # nothing submitted: would never end
    with pytest.raises(OverflowError):
        c.getevents(1, max_nr=3)
    c.close()
    c.close()
    assert c.closed and c.in_flight == 0 and repr(c) == "<AioContext closed>"
    for call in (lambda: c.pread(0, buf, 0), c.submit, c.getevents, lambda: c.cancel(1),
                 lambda: c.ctx_id):
        with pytest.raises(L.ClosedFdError):
            call()
    buf.extend(b"x")
    closed = L.open("/dev/null")
    closed.close()
    with _ctx(2) as c, pytest.raises(L.ClosedFdError):
        c.pread(closed, buf, 0)
    buf.extend(b"x")


def test_buffers_held_until_reaped_or_destroyed(data_file):
    path, data = data_file
    with L.open(path) as fd:
        c = _ctx(4)
        buf = bytearray(100)
        c.pread(fd, buf, 0)
        c.submit()
        with pytest.raises(BufferError):
            buf.extend(b"x")  # the kernel may write into it: held
        c.getevents(1)
        buf.extend(b"x")  # reaped: let go
        c.pread(fd, buf, 0)
        c.submit()
        c.close()  # io_destroy waited for it: let go
        buf.extend(b"x")
        assert bytes(buf[:100]) == data[:100]


def test_close_with_a_poll_in_flight(pipe):
    r, _ = pipe
    c = _ctx(4)
    c.poll(r, "in")
    c.submit()
    c.pread(r, bytearray(1), 0)  # queued, never submitted: dropped
    c.close()  # the kernel cancels the poll: io_destroy returns
    assert c.closed


def test_gc_destroys_with_a_warning(pipe):
    r, _ = pipe
    c = _ctx(2)
    ctx_id = c.ctx_id
    c.poll(r, "in")
    c.submit()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del c
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) for w in caught)
    raises_errno(errno.EINVAL, L.io_destroy, ctx_id)  # gone


def test_getevents_retries_eintr(ctx, pipe):
    r, w = pipe
    got = []
    old = signal.signal(signal.SIGALRM, lambda *a: got.append(1))
    try:
        ctx.poll(r, "in")
        ctx.submit()
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        start = time.monotonic()
        assert ctx.getevents(1, timeout_ns=60 * MS) == []
        assert got and time.monotonic() - start >= 0.05
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    os.write(w, b"x")
    assert len(ctx.getevents(1)) == 1


# ---- the raw syscalls ------------------------------------------------------------------------

def test_raw_syscalls(data_file, pipe):
    path, data = data_file
    r, w = pipe
    ctx_id = _setup(4)
    try:
        with L.open(path) as fd:
            buf = ffi.new("char[]", 64)
            cb = ffi.new("struct iocb *")
            cb.aio_lio_opcode = L.IOCB_CMD.PREAD
            cb.aio_fildes = fd.fd
            cb.aio_buf = int(ffi.cast("uintptr_t", buf))
            cb.aio_nbytes = 64
            cb.aio_offset = 1000
            cb.aio_data = 2**64 - 1
            poll = ffi.new("struct iocb *")
            poll.aio_lio_opcode = L.IOCB_CMD.POLL
            poll.aio_fildes = r
            poll.aio_buf = L.POLL.IN
            assert L.io_submit(ctx_id, ffi.new("struct iocb *[]", [cb, poll])) == 2
            (ev,) = L.io_getevents(ctx_id, 1, 4)
            assert (ev.data, ev.obj, ev.res, ev.res2) == (2**64 - 1, int(ffi.cast(
                "uintptr_t", cb)), 64, 0)
            assert ffi.buffer(buf)[:] == data[1000:1064]
            assert L.io_getevents(ctx_id, 0, 4, timeout_ns=0) == []
            assert L.io_cancel(ctx_id, poll) is None  # under way: the event follows
            (ev,) = L.io_getevents(ctx_id, 1, 4, timeout_ns=10**9)
            assert ev.obj == int(ffi.cast("uintptr_t", poll))
            raises_errno(errno.EINVAL, L.io_cancel, ctx_id, poll)  # not in flight any more
            assert L.io_submit(ctx_id, ffi.new("struct iocb *[]", [poll]), 1) == 1
            os.write(w, b"x")
            (ev,) = L.io_pgetevents(ctx_id, 1, 4, None, {signal.SIGUSR1})
            assert ev.res & L.POLL.IN
            assert L.io_submit(ctx_id, ffi.new("struct iocb *[]", 0)) == 0
            with pytest.raises(ValueError):
                L.io_submit(ctx_id, ffi.new("struct iocb *[]", [cb]), 2)
    finally:
        L.io_destroy(ctx_id)


def test_raw_errors():
    L.io_destroy(_setup(1))
    raises_errno(errno.EINVAL, L.io_setup, 0)
    raises_errno(errno.EINVAL, L.io_destroy, 0)
    raises_errno(errno.EINVAL, L.io_submit, 0, ffi.new("struct iocb *[]", 1))
    raises_errno(errno.EINVAL, L.io_getevents, 0, 0, 1)
    raises_errno(errno.EINVAL, L.io_pgetevents, 0, 0, 1)
    raises_errno(errno.EINVAL, L.io_cancel, 0, ffi.new("struct iocb *"))
    # an id past this arch's unsigned long is refused, not truncated into another
    raises_errno(errno.EINVAL, L.io_destroy, 2**64 - 1 if ffi.sizeof("long") == 4 else 0)
    ctx_id = L.io_setup(1)
    try:
        raises_errno(errno.EINVAL, L.io_getevents, ctx_id, 2, 1)  # min_nr > nr
        cb = ffi.new("struct iocb *")
        cb.aio_fildes = 1 << 20
        raises_errno(errno.EBADF, L.io_submit, ctx_id, ffi.new("struct iocb *[]", [cb]))
    finally:
        L.io_destroy(ctx_id)
