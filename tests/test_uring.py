"""io_uring (linuxsys.uring) against the real kernel: every prep_* request compared with the
same operation done by os, linked requests, cancellation, lifetimes, and the layout checks
(which run everywhere: qemu-user answers ENOSYS for io_uring itself, so those tests skip
there)."""
import errno
import gc
import os
import random
import signal
import socket
import stat
import time

import pytest

import linuxsys as L
from linuxsys import uring
from linuxsys._core import ffi, lib
from conftest import EMULATED, qemu_may_lack, raises_errno, requires_root

MS = 1_000_000


def _ring(*args, **kwargs):
    return qemu_may_lack(L.Ring, *args, **kwargs)  # qemu-user: ENOSYS for io_uring


@pytest.fixture
def ring():
    r = _ring(32)
    yield r
    r.close()


def one(ring, n=1, timeout_ns=None):
    """The CQEs of the next n completions."""
    got = []
    while len(got) < n:
        got += ring.wait(n - len(got), timeout_ns)
    return got


def result(ring):
    (cqe,) = one(ring)
    return cqe.check()


# ---- layout and constants: every arch, emulated or not ----------------------------------------

def test_layouts_are_the_kernels():
    assert ffi.sizeof("struct ls_uring_sqe") == 64
    assert ffi.sizeof("struct ls_uring_cqe") == 16
    assert ffi.sizeof("struct ls_uring_params") == 120
    sqe = {"opcode": 0, "flags": 1, "ioprio": 2, "fd": 4, "off": 8, "addr": 16, "len": 24,
           "op_flags": 28, "user_data": 32, "buf_index": 40, "personality": 42,
           "splice_fd_in": 44, "addr3": 48}
    for field, at in sqe.items():
        assert ffi.offsetof("struct ls_uring_sqe", field) == at, field
    assert [ffi.offsetof("struct ls_uring_cqe", f) for f in ("user_data", "res", "flags")] \
        == [0, 8, 12]
    params = {"sq_entries": 0, "cq_entries": 4, "flags": 8, "sq_thread_cpu": 12,
              "sq_thread_idle": 16, "features": 20, "wq_fd": 24, "sq_off": 40, "cq_off": 80}
    for field, at in params.items():
        assert ffi.offsetof("struct ls_uring_params", field) == at, field
    for struct in ("struct ls_sqring_offsets", "struct ls_cqring_offsets"):
        assert ffi.sizeof(struct) == 40
        assert ffi.offsetof(struct, "user_addr") == 32


def test_constants():
    assert (L.IORING_OP.NOP, L.IORING_OP.READV, L.IORING_OP.READ, L.IORING_OP.MKDIRAT) \
        == (0, 1, 22, 37)
    assert (L.IOSQE.FIXED_FILE, L.IOSQE.IO_DRAIN, L.IOSQE.IO_LINK, L.IOSQE.ASYNC) == (1, 2, 4, 16)
    assert L.IORING_SETUP.SQPOLL == 2 and L.IORING_ENTER.GETEVENTS == 1
    assert L.IORING_FEAT.SINGLE_MMAP == 1 and L.IORING_TIMEOUT.ABS == 1
    assert (L.IORING_REGISTER.REGISTER_BUFFERS, L.IORING_REGISTER.UNREGISTER_BUFFERS,
            L.IORING_REGISTER.REGISTER_EVENTFD) == (0, 1, 4)
    assert L.IORING_ASYNC_CANCEL.ANY == 4 and L.IORING_FSYNC.DATASYNC == 1
    assert lib.IORING_OFF_SQES == 0x10000000 and lib.LS_URING_MAX_ENTRIES == 32768


@pytest.mark.parametrize("entries", [0, 3, 48, 65536, -1, 1 << 40])
def test_bad_entries_refused_before_any_syscall(entries):
    with pytest.raises(ValueError, match="power of two"):
        L.Ring(entries)


def test_bad_ring_arguments():
    with pytest.raises(TypeError):
        L.Ring("8")
    with pytest.raises(ValueError):
        L.Ring(8, cq_entries=4)
    with pytest.raises(ValueError):
        L.Ring(8, cq_entries=24)
    with pytest.raises(ValueError):
        L.Ring(8, L.IORING_SETUP.CQSIZE)
    with pytest.raises(ValueError):
        L.Ring(8, L.IORING_SETUP.CQE32)
    with pytest.raises(TypeError):
        L.Ring(8, L.O.RDONLY)  # another namespace's member


def test_cqe_check():
    assert uring.Cqe(1, 5, 0).check() == 5
    with pytest.raises(FileNotFoundError):
        uring.Cqe(1, -errno.ENOENT, 0).check()
    with pytest.raises(OSError) as e:
        uring.Cqe(1, -errno.ETIME, 0).check()  # not ETIMEDOUT: no TimeoutError
    assert e.value.errno == errno.ETIME


# ---- the syscalls --------------------------------------------------------------------------------

def test_io_uring_setup_raw():
    try:
        raises_errno(errno.EINVAL, L.io_uring_setup, 0)
    except L.UnsupportedError:
        if EMULATED:
            pytest.skip("qemu-user answers ENOSYS for io_uring")
        raise
    p = ffi.new("struct ls_uring_params *")
    with L.io_uring_setup(4, p) as fd:
        assert p.sq_entries == 4 and p.cq_entries == 8
        assert p.features & L.IORING_FEAT.NODROP
        assert not os.get_inheritable(fd.fd)
        assert L.io_uring_enter(fd, 0, 0) == 0
        assert L.io_uring_register(fd, L.IORING_REGISTER.REGISTER_FILES,
                                   ffi.new("int[]", [0]), 1) == 0
    with pytest.raises(TypeError):
        L.io_uring_setup(4, bytearray(120))


def test_io_uring_enter_and_register_errors(pipe):
    raises_errno(errno.EBADF, L.io_uring_enter, -1, 0, 0)
    bad = 1 << 20  # (-1 is the "no ring" of opcodes that need none: EINVAL for the others)
    raises_errno(errno.EBADF, L.io_uring_register, bad, L.IORING_REGISTER.REGISTER_FILES)
    try:
        raises_errno(errno.EOPNOTSUPP, L.io_uring_enter, pipe[0], 0, 0)
    except L.UnsupportedError:
        if EMULATED:
            pytest.skip("qemu-user answers ENOSYS for io_uring")
        raise
    with pytest.raises(TypeError):
        L.io_uring_register(-1, 0, b"bytes are read-only")


def test_io_uring_enter_timeout(ring):
    raises_errno(errno.ETIME, L.io_uring_enter, ring, 0, 1, L.IORING_ENTER.GETEVENTS,
                 timeout_ns=MS)


# ---- the ring ------------------------------------------------------------------------------------

def test_ring_basics(ring):
    assert ring.sq_entries == 32 and ring.cq_entries == 64
    assert ring.sqe_free() == 32 and ring.in_flight == 0
    assert ring.completions() == []
    ud = ring.prep_nop()
    assert ring.in_flight == 1 and ring.sqe_free() == 31
    assert ring.submit() == 1
    (cqe,) = one(ring)
    assert cqe == (ud, 0, 0) and cqe.check() == 0
    assert ring.prep_nop(user_data=12345) == 12345
    assert ring.wait() == [(12345, 0, 0)]
    assert "sq=32" in repr(ring)


def test_cq_entries_and_single_mmap():
    with _ring(4, cq_entries=64) as r:
        assert r.cq_entries == 64
        assert r.features & L.IORING_FEAT.SINGLE_MMAP
        assert r.nop_batch(100) == [0] * 100


def test_closed_ring():
    r = _ring(4)
    r.close()
    r.close()
    assert r.closed and repr(r) == "<Ring closed>"
    for call in (r.fileno, r.submit, r.completions, r.wait, r.prep_nop, r.sqe_free,
                 lambda: r.nop_batch(1)):
        with pytest.raises(L.ClosedFdError):
            call()
    ba = bytearray(8)
    with pytest.raises(ValueError):  # ClosedFdError is a ValueError too
        r.prep_read(0, ba)
    ba.extend(b"x")  # no view left behind


def test_full_sq_and_full_cq(ring):
    for _ in range(32):
        ring.prep_nop()
    ba = bytearray(4)
    with pytest.raises(BlockingIOError):
        ring.prep_nop()
    with pytest.raises(BlockingIOError):
        ring.prep_read(0, ba)
    ba.extend(b"x")
    ring.submit()
    for _ in range(32):
        ring.prep_nop()
    with pytest.raises(BlockingIOError, match="completion queue"):
        ring.prep_nop()  # 64 in flight: the CQ's size
    assert len(ring.wait(64)) == 64
    with pytest.raises(BlockingIOError):
        ring.prep_read_batch(0, bytearray(33 * 4), list(range(33)), 4)


def test_user_data(ring):
    ring.prep_nop(user_data=7)
    with pytest.raises(ValueError, match="in flight"):
        ring.prep_nop(user_data=7)
    for bad in (-1, 1 << 63):
        with pytest.raises(OverflowError):
            ring.prep_nop(user_data=bad)
    auto = {ring.prep_nop() for _ in range(10)}
    assert 7 not in auto and len(auto) == 10
    assert {c.user_data for c in one(ring, 11)} == auto | {7}


def test_wait_more_than_in_flight_is_refused(ring):
    with pytest.raises(ValueError, match="never end"):
        ring.wait(1)
    ring.prep_nop()
    with pytest.raises(ValueError):
        ring.submit(2)
    assert len(ring.wait(1)) == 1


def test_wait_timeout(ring, pipe):
    ba = bytearray(4)
    ring.prep_read(pipe[0], ba)
    t0 = time.monotonic()
    assert ring.wait(1, timeout_ns=20 * MS) == []
    assert time.monotonic() - t0 >= 0.015
    os.write(pipe[1], b"abcd")
    assert one(ring)[0].res == 4 and ba == b"abcd"


def test_bad_sqe_flags(ring):
    with pytest.raises(ValueError):
        ring.prep_nop(flags=L.IOSQE.CQE_SKIP_SUCCESS)
    with pytest.raises(ValueError):
        ring.prep_nop(flags=L.IOSQE.BUFFER_SELECT)
    with pytest.raises(TypeError):
        ring.prep_nop(flags=L.O.RDONLY)


# ---- every request against os ------------------------------------------------------------------

@pytest.fixture
def data_file(tmp_path):
    data = os.urandom(1 << 16)
    p = tmp_path / "data"
    p.write_bytes(data)
    fd = os.open(p, os.O_RDWR)
    yield fd, data, p
    os.close(fd)


def test_read_write(ring, data_file):
    fd, data, _ = data_file
    buf = bytearray(100)
    ring.prep_read(fd, buf, 1000)
    assert result(ring) == 100 and buf == os.pread(fd, 100, 1000)
    ring.prep_write(fd, b"hello", 10)
    assert result(ring) == 5 and os.pread(fd, 5, 10) == b"hello"
    ring.prep_write(fd, memoryview(bytearray(b"abc")), 20)
    assert result(ring) == 3 and os.pread(fd, 3, 20) == b"abc"
    os.lseek(fd, 30, os.SEEK_SET)
    ring.prep_read(L.Fd(os.dup(fd)), buf)  # offset -1: the file position; a temporary Fd
    assert result(ring) == 100 and buf == data[30:130]
    gc.collect()
    with pytest.raises(TypeError):
        ring.prep_read(fd, b"read-only")
    raises_errno(errno.EBADF, lambda: ring.prep_read(-1, buf) and result(ring))


def test_readv_writev(ring, data_file):
    fd, data, _ = data_file
    a, b = bytearray(3), bytearray(5)
    ring.prep_readv(fd, [a, b], 100)
    assert result(ring) == 8 and a + b == data[100:108]
    ring.prep_writev(fd, [b"12", bytearray(b"345")], 0)
    assert result(ring) == 5 and os.pread(fd, 5, 0) == b"12345"


def test_fsync_fallocate(ring, data_file):
    fd, data, _ = data_file
    ring.prep_fsync(fd)
    ring.prep_fsync(fd, L.IORING_FSYNC.DATASYNC)
    assert [c.check() for c in one(ring, 2)] == [0, 0]
    ring.prep_fallocate(fd, 0, 0, 1 << 20)
    assert result(ring) == 0 and os.fstat(fd).st_size == 1 << 20
    raises_errno(errno.EINVAL, lambda: ring.prep_fallocate(fd, 0, 0, 0) and result(ring))


def test_openat_close_statx(ring, data_file, tmp_path):
    _, data, p = data_file
    ring.prep_openat(L.AT.FDCWD, p)
    fd = L.Fd(result(ring))
    assert os.read(fd.fd, 10) == data[:10] and not os.get_inheritable(fd.fd)
    ring.prep_openat(L.AT.FDCWD, tmp_path / "missing")
    with pytest.raises(FileNotFoundError):
        result(ring)
    dfd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    sx = ffi.new("char[256]")
    ring.prep_statx(dfd, "data", sx)
    assert result(ring) == 0
    st, ref = uring.statx_decode(sx), os.stat(p)
    assert (st.st_ino, st.st_size, st.st_mode, st.st_mtime_ns) \
        == (ref.st_ino, ref.st_size, ref.st_mode, ref.st_mtime_ns)
    with pytest.raises(ValueError):
        ring.prep_statx(dfd, "data", bytearray(100))
    ring.prep_close(dfd)
    assert result(ring) == 0 and not _is_open(dfd)
    ring.prep_close(fd)
    assert fd.closed and result(ring) == 0


def _is_open(n):
    try:
        os.fstat(n)
        return True
    except OSError:
        return False


def test_mkdirat_renameat_unlinkat(ring, tmp_path):
    d = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        ring.prep_mkdirat(d, "sub", 0o750)
        assert result(ring) == 0
        assert stat.S_IMODE(os.stat(tmp_path / "sub").st_mode) == 0o750 & ~_umask()
        ring.prep_renameat(d, "sub", L.AT.FDCWD, tmp_path / "moved")
        assert result(ring) == 0 and os.path.isdir(tmp_path / "moved")
        ring.prep_unlinkat(d, "moved", L.AT.REMOVEDIR)
        assert result(ring) == 0 and not os.path.exists(tmp_path / "moved")
        ring.prep_unlinkat(d, "moved")
        with pytest.raises(FileNotFoundError):
            result(ring)
    finally:
        os.close(d)


def _umask():
    m = os.umask(0)
    os.umask(m)
    return m


def test_madvise(ring):
    m = L.mmap(None, 4 * 4096, L.PROT.READ | L.PROT.WRITE, L.MAP.PRIVATE | L.MAP.ANONYMOUS)
    try:
        m[:4] = b"abcd"
        ring.prep_madvise(m, L.MADV.DONTNEED)
        ring.submit()
        with pytest.raises(BufferError):
            m.close()  # held until its completion is reaped
        assert one(ring)[0].check() == 0
        assert m[:4] == bytes(4)  # DONTNEED on private anonymous memory: zeroes
        with pytest.raises(TypeError):
            ring.prep_madvise(m.address, L.MADV.NORMAL)
        with pytest.raises(ValueError):
            ring.prep_madvise(m, L.MADV.DONTFORK)
    finally:
        m.close()


def test_splice(ring, data_file, pipe):
    fd, data, _ = data_file
    ring.prep_splice(fd, 50, pipe[1], -1, 100)
    assert result(ring) == 100 and os.read(pipe[0], 200) == data[50:150]


def test_poll_add_and_cancel(ring, pipe):
    ud = ring.prep_poll_add(pipe[0], L.POLL.IN)
    ring.submit()
    assert ring.wait(1, timeout_ns=10 * MS) == []
    os.write(pipe[1], b"x")
    (cqe,) = one(ring)
    assert cqe.user_data == ud and cqe.res & L.POLL.IN
    buf = bytearray(10)
    target = ring.prep_read(pipe[0], buf)  # reads the x at once
    assert result(ring) == 1
    target = ring.prep_read(pipe[0], buf)  # an empty pipe: waits
    ring.submit()
    ring.prep_cancel(target)
    res = {c.user_data: c.res for c in one(ring, 2)}
    assert res[target] in (-errno.ECANCELED, -errno.EINTR)
    assert min(res.values()) < 0 and max(res.values()) == 0
    buf.extend(b"released")


def test_timeouts(ring, pipe):
    ud = ring.prep_timeout(5 * MS)
    (cqe,) = one(ring)
    assert cqe.user_data == ud and cqe.res == -errno.ETIME
    ring.prep_nop()
    ring.prep_timeout(10_000 * MS, count=1)  # done after one other completion
    assert sorted(c.res for c in one(ring, 2)) == [0, 0]


def test_linked_requests_and_link_timeout(ring, data_file, pipe):
    fd, data, _ = data_file
    buf = bytearray(16)
    a = ring.prep_read(fd, buf, 0, flags=L.IOSQE.IO_LINK)
    b = ring.prep_write(pipe[1], buf, flags=L.IOSQE.IO_LINK)  # after the read: its data
    c = ring.prep_nop()
    res = {x.user_data: x.res for x in one(ring, 3)}
    assert res == {a: 16, b: 16, c: 0} and os.read(pipe[0], 16) == data[:16]
    # a failed link cancels the rest of the chain
    a = ring.prep_read(-1, buf, flags=L.IOSQE.IO_LINK)
    b = ring.prep_nop()
    res = {x.user_data: x.res for x in one(ring, 2)}
    assert res == {a: -errno.EBADF, b: -errno.ECANCELED}
    # a read of an empty pipe, linked to a timeout
    r = ring.prep_read(pipe[0], buf, flags=L.IOSQE.IO_LINK)
    t = ring.prep_link_timeout(10 * MS)
    res = {x.user_data: x.res for x in one(ring, 2)}
    assert res[r] in (-errno.ECANCELED, -errno.EINTR) and res[t] == -errno.ETIME
    # a timeout that does not fire
    r = ring.prep_nop(flags=L.IOSQE.IO_LINK)
    t = ring.prep_link_timeout(10_000 * MS)
    res = {x.user_data: x.res for x in one(ring, 2)}
    assert res == {r: 0, t: -errno.ECANCELED}


def test_drain_flag(ring, pipe):
    buf = bytearray(1)
    r = ring.prep_read(pipe[0], buf)
    d = ring.prep_nop(flags=L.IOSQE.IO_DRAIN)  # waits for the read
    ring.submit()
    assert ring.wait(1, timeout_ns=10 * MS) == []
    os.write(pipe[1], b"z")
    assert [x.user_data for x in one(ring, 2)] == [r, d]


def test_registered_buffers(ring, data_file):
    fd, data, _ = data_file
    a, b = bytearray(4096), bytearray(100)
    ring.register_buffers([a, b])
    with pytest.raises(BufferError):
        a.extend(b"x")
    with pytest.raises(ValueError):
        ring.register_buffers([bytearray(1)])
    ring.prep_read_fixed(fd, 0, 8192)
    assert result(ring) == 4096 and a == data[8192:12288]
    ring.prep_read_fixed(fd, 1, 0, start=10, count=20)
    assert result(ring) == 20 and b[10:30] == data[:20]
    ring.prep_write_fixed(fd, 1, 5, start=10, count=3)
    assert result(ring) == 3 and os.pread(fd, 3, 5) == data[:3]
    with pytest.raises(ValueError):
        ring.prep_read_fixed(fd, 2)
    with pytest.raises(ValueError):
        ring.prep_read_fixed(fd, 1, start=90, count=20)
    ring.unregister_buffers()
    a.extend(b"x")
    with pytest.raises(ValueError):
        ring.prep_read_fixed(fd, 0)


def test_registered_files(ring, data_file):
    fd, data, _ = data_file
    ring.register_files([fd])
    buf = bytearray(10)
    ring.prep_read(0, buf, 100, flags=L.IOSQE.FIXED_FILE)  # index 0: fd
    assert result(ring) == 10 and buf == data[100:110]
    ring.unregister_files()


def test_eventfd(ring):
    efd = L.eventfd(0, L.EFD.NONBLOCK)
    with efd:
        ring.register_eventfd(efd)
        ring.prep_nop()
        one(ring)
        assert L.eventfd_read(efd) >= 1
        ring.unregister_eventfd()


# ---- sockets -------------------------------------------------------------------------------------

def test_tcp_echo_through_the_ring(ring):
    lst = L.socket(L.AF.INET, L.SOCK.STREAM)
    cli = L.socket(L.AF.INET, L.SOCK.STREAM)
    with lst, cli:
        L.bind(lst, ("127.0.0.1", 0))
        L.listen(lst)
        a = ring.prep_accept(lst)
        c = ring.prep_connect(cli, L.getsockname(lst))
        res = {x.user_data: x for x in one(ring, 2)}
        assert res[c].check() == 0
        with L.Fd(res[a].check()) as conn:
            assert not os.get_inheritable(conn.fd)
            ring.prep_send(cli, b"ping")
            buf = bytearray(16)
            ring.prep_recv(conn, buf)  # linked by arrival: recv waits for the data
            res = {x.user_data: x.res for x in one(ring, 2)}
            assert sorted(res.values()) == [4, 4] and buf[:4] == b"ping"
            ring.prep_sendmsg(conn, [b"po", bytearray(b"ng")])  # the echo
            a, b = bytearray(1), bytearray(8)
            ring.prep_recvmsg(cli, [a, b])
            res = sorted(x.res for x in one(ring, 2))
            assert res == [4, 4] and a + b[:3] == b"pong"
            ring.prep_shutdown(conn, L.SHUT.WR)
            assert result(ring) == 0
            ring.prep_recv(cli, buf)
            assert result(ring) == 0  # EOF


def test_udp_sendmsg_address(ring):
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tx = L.socket(L.AF.INET, L.SOCK.DGRAM)
    with rx, tx:
        rx.bind(("127.0.0.1", 0))
        ring.prep_sendmsg(tx, [b"dgram"], 0, rx.getsockname())
        assert result(ring) == 5 and rx.recv(10) == b"dgram"


# ---- batches -------------------------------------------------------------------------------------

def test_10000_random_reads(ring, data_file):
    fd, data, _ = data_file
    rnd = random.Random(5)
    offsets = [rnd.randrange(0, len(data) - 512) for _ in range(10_000)]
    buf = bytearray(512 * 10_000)
    assert ring.read_batch(fd, buf, offsets, 512) == [512] * 10_000
    for i, off in enumerate(offsets):
        assert buf[i * 512:(i + 1) * 512] == data[off:off + 512], i
    # the same through the asynchronous batch, in SQ-sized pieces
    buf2 = bytearray(len(buf))
    done = 0
    while done < len(offsets):
        k = min(32, len(offsets) - done)
        with memoryview(buf2) as mv, mv[done * 512:(done + k) * 512] as part:
            first = ring.prep_read_batch(fd, part, offsets[done:done + k], 512)
            got = one(ring, k)
        assert sorted(c.user_data for c in got) == list(range(first, first + k))
        assert all(c.res == 512 for c in got)
        done += k
    assert buf2 == buf


def test_batch_writes_and_errors(ring, data_file):
    fd, data, _ = data_file
    blocks = b"".join(bytes([i]) * 8 for i in range(5))
    offs = ffi.new("int64_t[]", [0, 100, 200, 300, 400])
    assert ring.write_batch(fd, blocks, offs, 8) == [8] * 5
    assert all(os.pread(fd, 8, 100 * i) == bytes([i]) * 8 for i in range(5))
    with pytest.raises(ValueError):
        ring.read_batch(fd, bytearray(10), [0, 8], 8)
    with pytest.raises(OSError) as e:
        ring.read_batch(-1, bytearray(8), [0], 8)
    assert e.value.errno == errno.EBADF
    assert ring.in_flight == 0
    with pytest.raises(TypeError):
        ring.read_batch(fd, bytearray(8), b"x", 8)


def test_batch_on_registered_buffer_and_file(ring, data_file):
    fd, data, _ = data_file
    buf = bytearray(4 * 1024)
    ring.register_buffers([buf])
    ring.register_files([fd])
    offs = [4096, 0, 8192, 100]
    assert ring.read_batch(0, 0, offs, 1024, flags=L.IOSQE.FIXED_FILE) == [1024] * 4
    assert buf == b"".join(data[o:o + 1024] for o in offs)
    with pytest.raises(ValueError):
        ring.read_batch(fd, 0, offs + [0], 1024)  # 5 KiB past the 4 KiB buffer
    with pytest.raises(ValueError):
        ring.read_batch(fd, 1, offs, 1024)
    first = ring.prep_read_batch(fd, 0, [0, 1024], 1024)
    assert sorted(c.user_data for c in one(ring, 2)) == [first, first + 1]
    ring.unregister_buffers()
    buf.extend(b"x")  # the registration held it; nothing else does


def test_batch_keeps_other_completions(ring, pipe):
    ud = ring.prep_nop()
    ring.submit()
    assert ring.nop_batch(40) == [0] * 40
    assert ring.completions() == [(ud, 0, 0)]


@pytest.fixture
def alarm():
    """alarm(handler): SIGALRM runs handler once, 50 ms from now (the old handler restored)."""
    old = signal.getsignal(signal.SIGALRM)

    def arm(handler):
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, 0.05)
    yield arm
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)


def test_batch_wait_interrupted_runs_handlers_and_goes_on(ring, pipe, alarm):
    """A signal ends the batch's wait in the kernel: the one C call returns, Python runs the
    handler (here it writes what the read waits for) and the batch goes on (PEP 475)."""
    alarm(lambda *_: os.write(pipe[1], b"late"))
    buf = bytearray(4)
    assert ring.read_batch(pipe[0], buf, [0], 4) == [4]
    assert buf == b"late" and ring.in_flight == 0


def test_batch_interrupted_by_an_exception_keeps_what_is_out(ring, pipe, alarm):
    """A handler's exception leaves the batch: the requests still out stay in flight, holding
    the buffer, and complete later through wait(); then the buffer is free."""
    class Stop(Exception):
        pass

    def stop(*_):
        raise Stop
    alarm(stop)
    buf = bytearray(8)
    with pytest.raises(Stop):
        ring.read_batch(pipe[0], buf, [0, 0], 4)
    assert ring.in_flight == 2
    with pytest.raises(BufferError):
        buf.extend(b"x")  # the ring holds it for the reads still out
    os.write(pipe[1], b"12345678")
    assert sorted(c.res for c in one(ring, 2)) == [4, 4] and ring.in_flight == 0
    assert sorted((bytes(buf[:4]), bytes(buf[4:]))) == [b"1234", b"5678"]
    buf.extend(b"x")
    assert ring.nop_batch(3) == [0, 0, 0]  # the next batch starts afresh


def test_batch_refused_when_requests_in_flight_fill_the_cq(pipe):
    r = _ring(4)
    with r:
        bufs = [bytearray(1) for _ in range(r.cq_entries)]
        for i, b in enumerate(bufs):
            r.prep_read(pipe[0], b)  # never satisfied until the pipe gets data
            if (i + 1) % r.sq_entries == 0:
                r.submit()
        assert r.in_flight == r.cq_entries
        with pytest.raises(BlockingIOError) as e:
            r.nop_batch(1)
        assert e.value.errno == errno.EBUSY and r.in_flight == r.cq_entries
        ba = bytearray(4)
        with pytest.raises(BlockingIOError):
            r.read_batch(pipe[0], ba, [0], 4)
        ba.extend(b"x")  # the refused batch holds nothing
        os.write(pipe[1], b"x" * r.cq_entries)
        assert len(one(r, r.cq_entries)) == r.cq_entries
        assert r.nop_batch(3) == [0, 0, 0] and r.in_flight == 0


# ---- lifetimes -----------------------------------------------------------------------------------

def test_close_with_requests_in_flight(pipe):
    r = _ring(8)
    bufs = [bytearray(16) for _ in range(3)]
    for b in bufs:
        r.prep_read(pipe[0], b)  # never satisfied: an empty pipe
    r.submit()
    r.prep_read(pipe[0], bytearray(4))  # prepared, not submitted
    r.prep_timeout(10_000 * MS)
    r.close()
    assert r.closed
    os.write(pipe[1], b"late data")  # nobody reads into the old buffers any more
    assert os.read(pipe[0], 100) == b"late data"
    for b in bufs:
        b.extend(b"x")  # released
        assert b[:16] == bytes(16)


def test_close_closes_unreaped_fds(data_file):
    _, _, p = data_file
    before = set(os.listdir("/proc/self/fd"))
    r = _ring(4)
    r.prep_openat(L.AT.FDCWD, p)
    r.submit(1)
    r.close()
    assert set(os.listdir("/proc/self/fd")) == before


def test_garbage_collected_ring(pipe):
    r = _ring(4)
    buf = bytearray(4)
    r.prep_read(pipe[0], buf)
    r.submit()
    with pytest.warns(ResourceWarning):
        del r
        gc.collect()
    buf.extend(b"x")


def test_views_released_on_errors(ring):
    ba = bytearray(8)
    for bad in (lambda: ring.prep_read(0, ba, -2), lambda: ring.prep_read("nope", ba),
                lambda: ring.prep_recv(-1, ba, "nonsense"),
                lambda: ring.prep_statx(0, "x\0y", ba)):
        with pytest.raises((ValueError, TypeError, OverflowError)):
            bad()
    ba.extend(b"x")
    assert ring.in_flight == 0


# ---- SQPOLL --------------------------------------------------------------------------------------

@requires_root()
def test_sqpoll(data_file):
    fd, data, _ = data_file
    with _ring(8, L.IORING_SETUP.SQPOLL, sq_thread_idle=10) as r:
        buf = bytearray(64)
        r.prep_read(fd, buf, 64)
        assert r.submit() == 1
        assert one(r)[0].res == 64 and buf == data[64:128]
        time.sleep(0.05)  # the thread goes idle: submit must wake it
        assert r.read_batch(fd, buf, [0, 32], 32) == [32, 32] and buf == data[:64]


def test_no_sqarray(data_file):
    fd, data, _ = data_file
    try:
        r = _ring(8, L.IORING_SETUP.NO_SQARRAY)
    except OSError as e:  # before Linux 6.6
        assert e.errno == errno.EINVAL
        pytest.skip("this kernel lacks IORING_SETUP_NO_SQARRAY")
    with r:
        buf = bytearray(30)
        assert r.read_batch(fd, buf, [0, 10, 20], 10) == [10] * 3 and buf == data[:30]
        assert r.nop_batch(20) == [0] * 20
