"""io: read/write family, seeking, dup/pipe/fcntl/ioctl, in-kernel copies."""
import array
import errno
import fcntl as pyfcntl
import os
import socket
import termios

import pytest

import linuxsys as L
from conftest import EMULATED, is_open, qemu_may_lack

BIG = (1 << 32) + 4096        # past 32-bit offsets
HUGE = (1 << 40) + 12345      # past 2^40


@pytest.fixture
def datafile(tmp_path):
    p = tmp_path / "data"
    p.write_bytes(bytes(range(256)) * 16)
    return p


def test_read_n_and_into_buffers(datafile):
    with L.open(datafile) as fd:
        assert L.read(fd, 4) == bytes(range(4))
        assert fd.read(0) == b""
        ba = bytearray(4)
        assert L.read(fd, ba) == 4 and ba == bytes(range(4, 8))
        mv = memoryview(bytearray(8))
        assert L.readinto(fd, mv[2:6]) == 4 and mv.tobytes() == b"\0\0" + bytes(range(8, 12)) + b"\0\0"
        arr = array.array("i", [0, 0])
        assert fd.readinto(arr) == 8
        assert arr.tobytes() == bytes(range(12, 20))
        cbuf = L.ffi.new("char[]", 4)
        assert fd.readinto(cbuf) == 4 and L.ffi.unpack(cbuf, 4) == bytes(range(20, 24))
        rest = L.read(fd, 1 << 20)                     # larger than the pooled scratch buffer
        assert rest == (bytes(range(256)) * 16)[24:]
        assert L.read(fd, 10) == b"" and L.readinto(fd, ba) == 0


def test_read_matches_os_on_dev_zero_and_urandom():
    with L.open("/dev/zero") as z:
        assert L.read(z, 70000) == os.read(z.fd, 70000) == bytes(70000)
    with L.open("/dev/urandom") as u:
        assert len(L.read(u, 100)) == 100


def test_write_variants(tmp_path):
    p = tmp_path / "w"
    with L.open(p, "wronly|creat", 0o644) as fd:
        assert L.write(fd, b"ab") == 2
        assert fd.write(bytearray(b"cd")) == 2
        assert fd.write(memoryview(b"xefx")[1:3]) == 2
        assert fd.write(array.array("b", [0x67])) == 1
        assert fd.write(b"") == 0
    assert p.read_bytes() == b"abcdefg"


def test_read_write_errors(tmp_path):
    with pytest.raises(OSError) as ei:
        L.read(10**6, 1)
    assert ei.value.errno == errno.EBADF
    with L.open(tmp_path / "ro", "creat|rdonly") as ro:
        with pytest.raises(OSError) as ei:
            ro.write(b"x")
        assert ei.value.errno == errno.EBADF
    with L.open(tmp_path) as d:
        with pytest.raises(IsADirectoryError):
            d.read(1)
    r, w = L.pipe()
    r.close()
    with w, pytest.raises(BrokenPipeError):
        import signal
        old = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        try:
            w.write(b"x")
        finally:
            signal.signal(signal.SIGPIPE, old)
    r, w = L.pipe("nonblock")
    with r, w, pytest.raises(BlockingIOError):
        r.read(1)


def test_pread_pwrite_keep_position_and_reach_large_offsets(tmp_path):
    p = tmp_path / "sparse"
    with L.open(p, "rdwr|creat", 0o600) as fd:
        assert L.pwrite(fd, b"low", 5) == 3
        for off in (BIG, HUGE):
            assert fd.pwrite(b"HIGH", off) == 4
            assert fd.pread(4, off) == b"HIGH"
            assert os.pread(fd.fd, 4, off) == b"HIGH"
            buf = bytearray(4)
            assert L.pread(fd, buf, off) == 4 and buf == b"HIGH"
        assert fd.lseek(0, L.SEEK.CUR) == 0                  # position untouched
        assert os.stat(p).st_size == HUGE + 4
        with pytest.raises(OSError) as ei:
            fd.pread(1, -1)
        assert ei.value.errno == errno.EINVAL


def test_lseek_whences_and_large_offsets(tmp_path):
    p = tmp_path / "s"
    p.write_bytes(b"0123456789")
    with L.open(p, "rdwr") as fd:
        assert fd.lseek(3) == 3 and fd.read(2) == b"34"
        assert L.lseek(fd, -2, L.SEEK.END) == 8
        assert L.lseek(fd, 1, "cur") == 9
        assert fd.lseek(HUGE, L.SEEK_SET) == HUGE == os.lseek(fd.fd, 0, os.SEEK_CUR)
        assert fd.lseek(0, L.SEEK.DATA) == 0
        with pytest.raises(OSError) as ei:
            fd.lseek(-1)
        assert ei.value.errno == errno.EINVAL
    r, w = L.pipe()
    with r, w, pytest.raises(OSError) as ei:
        r.lseek(0)
    assert ei.value.errno == errno.ESPIPE


def test_readv_writev(tmp_path):
    p = tmp_path / "v"
    with L.open(p, "rdwr|creat", 0o600) as fd:
        assert L.writev(fd, [b"ab", bytearray(b"cde"), memoryview(b"f")]) == 6
        fd.lseek(0)
        a, b = bytearray(2), bytearray(10)
        assert fd.readv([a, b]) == 6 and a == b"ab" and b[:4] == b"cdef"
        with pytest.raises(TypeError):
            fd.readv([b"immutable"])
        assert L.writev(fd, []) == 0


def test_preadv2_pwritev2(tmp_path):
    p = tmp_path / "v2"
    with L.open(p, "rdwr|creat", 0o600) as fd:
        assert qemu_may_lack(L.pwritev2, fd, [b"xy", b"z"], HUGE) == 3
        bufs = [bytearray(1), bytearray(2)]
        assert fd.preadv2(bufs, HUGE) == 3 and bufs == [b"x", b"yz"]
        assert fd.lseek(0, L.SEEK.CUR) == 0
        assert fd.pwritev2([b"pos"]) == 3                      # offset -1: the file position
        assert fd.lseek(0, L.SEEK.CUR) == 3
        assert fd.pwritev2([b"A"], 0, L.RWF.DSYNC) == 1
        assert os.pread(fd.fd, 3, 0) == b"Aos"
        with pytest.raises(OSError) as ei:
            fd.preadv2([bytearray(1)], 0, 1 << 30)               # unknown RWF bit
        assert ei.value.errno == errno.EOPNOTSUPP


def test_close_and_close_range():
    fd = L.open("/dev/null")
    n = fd.fd
    L.close(fd)
    assert fd.closed and not is_open(n)
    L.close(fd)                                                  # Fd close is idempotent
    raw = os.open("/dev/null", os.O_RDONLY)
    L.close(raw)
    assert not is_open(raw)
    with pytest.raises(OSError) as ei:
        L.close(raw)
    assert ei.value.errno == errno.EBADF

    nums = [os.open("/dev/null", os.O_RDONLY) for _ in range(3)]
    lo, hi = min(nums), max(nums)
    try:
        L.close_range(lo, hi, L.CLOSE_RANGE.CLOEXEC)
        assert all(pyfcntl.fcntl(n, pyfcntl.F_GETFD) & pyfcntl.FD_CLOEXEC for n in nums)
        L.close_range(lo, hi)
        assert not any(is_open(n) for n in nums)
    finally:
        for n in nums:
            if is_open(n):
                os.close(n)
    with pytest.raises(OSError) as ei:
        L.close_range(5, 4)
    assert ei.value.errno == errno.EINVAL


def test_dup_family():
    with L.open("/dev/null") as fd:
        d = L.dup(fd)
        with d:
            assert d.fd != fd.fd and os.path.samestat(os.fstat(d.fd), os.fstat(fd.fd))
            assert not os.get_inheritable(d.fd)                 # PEP 446, like os.dup
        with L.dup(fd, inheritable=True) as d:
            assert os.get_inheritable(d.fd)
        target = os.open("/dev/zero", os.O_RDONLY)
        t = L.dup(fd, target)                                    # dup2 onto a bare int
        assert t.fd == target and os.path.samestat(os.fstat(target), os.fstat(fd.fd))
        assert os.get_inheritable(target)
        del t                                                    # non-owning: GC leaves it open
        assert is_open(target)
        assert L.dup(fd, target, "cloexec").fd == target          # dup3
        assert not os.get_inheritable(target)
        same = L.dup2(fd, fd)                                    # dup2(fd, fd): a no-op, not EINVAL
        assert same is fd and is_open(fd.fd)
        with pytest.raises(OSError) as ei:
            L.dup3(fd, fd)
        assert ei.value.errno == errno.EINVAL
        with L.open("/dev/zero") as other:
            assert L.dup2(fd, other) is other                   # an Fd target is returned itself
            assert os.path.samestat(os.fstat(other.fd), os.fstat(fd.fd))
        os.close(target)
        with pytest.raises(TypeError):
            L.dup(fd, None, "cloexec")
    with pytest.raises(OSError) as ei:
        L.dup(10**6)
    assert ei.value.errno == errno.EBADF
    with pytest.raises(OSError) as ei:
        L.dup2(10**6, 10**6)
    assert ei.value.errno == errno.EBADF


def test_pipe_and_pipe2():
    r, w = L.pipe()
    with r, w:
        assert isinstance(r, L.Fd) and isinstance(w, L.Fd)
        assert not os.get_inheritable(r.fd)
        w.write(b"data")
        assert r.read(10) == b"data"
        assert os.readlink(f"/proc/self/fd/{r.fd}").startswith("pipe:")
    r, w = L.pipe2(L.O.NONBLOCK, inheritable=True)
    with r, w:
        assert os.get_inheritable(w.fd)
        assert pyfcntl.fcntl(r.fd, pyfcntl.F_GETFL) & os.O_NONBLOCK
    if not EMULATED:                                   # qemu-user drops unknown flags
        with pytest.raises(OSError) as ei:
            L.pipe2(1 << 30)
        assert ei.value.errno == errno.EINVAL


def test_fcntl_int_and_struct_args(tmp_path):
    with L.open(tmp_path / "f", "rdwr|creat", 0o600) as fd:
        assert fd.fcntl(L.F.GETFD) & L.FD.CLOEXEC
        fd.fcntl("setfd", 0)
        assert fd.fcntl(L.F.GETFD) == 0 == pyfcntl.fcntl(fd.fd, pyfcntl.F_GETFD)
        fl = fd.fcntl(L.F.GETFL)
        assert fl & os.O_ACCMODE == os.O_RDWR
        d = L.fcntl(fd, L.F.DUPFD_CLOEXEC, 100)
        assert d >= 100
        os.close(d)
        # A struct argument through a writable buffer: may a write lock be placed at 2^40?
        buf = bytearray(L.ffi.sizeof("struct flock"))
        lock = L.ffi.from_buffer("struct flock *", buf)
        lock.l_type, lock.l_whence, lock.l_start, lock.l_len = L.F_WRLCK, L.SEEK_SET, HUGE, 10
        fd.fcntl(L.F.SETLK, buf)
        with L.open(tmp_path / "f", "rdwr") as other:
            probe = L.ffi.new("struct flock *")
            probe.l_type, probe.l_whence, probe.l_start, probe.l_len = L.F_WRLCK, 0, HUGE, 1
            other.fcntl(L.F.OFD_GETLK, L.ffi.buffer(probe))
            assert (probe.l_type, probe.l_start, probe.l_len, probe.l_pid) == (
                L.F_WRLCK, HUGE, 10, os.getpid())
    with pytest.raises(OSError) as ei:
        L.fcntl(10**6, L.F.GETFD)
    assert ei.value.errno == errno.EBADF
    with pytest.raises(TypeError):
        L.fcntl(0, L.F.GETFD, b"immutable")


def test_ioctl_int_and_buffer():
    a, b = socket.socketpair()
    with a, b:
        b.send(b"12345")
        n = array.array("i", [0])
        assert L.ioctl(a, termios.FIONREAD, n) == 0 and n[0] == 5
        nb = array.array("i", [1])
        L.ioctl(a.fileno(), termios.FIONBIO, nb)
        assert pyfcntl.fcntl(a.fileno(), pyfcntl.F_GETFL) & os.O_NONBLOCK
    with L.open("/dev/null") as fd, pytest.raises(OSError) as ei:
        fd.ioctl(termios.TIOCGWINSZ, bytearray(8))
    assert ei.value.errno == errno.ENOTTY


def test_flock(tmp_path):
    p = tmp_path / "lock"
    with L.open(p, "creat|rdwr", 0o600) as a, L.open(p, "rdwr") as b:
        a.flock(L.LOCK.EX)
        with pytest.raises(BlockingIOError):
            L.flock(b, "ex|nb")
        L.flock(a, L.LOCK.UN)
        b.flock(L.LOCK.SH | L.LOCK.NB)
        with pytest.raises(OSError) as ei:
            L.flock(a, 0)
        assert ei.value.errno == errno.EINVAL


def test_sendfile(datafile, tmp_path):
    out = tmp_path / "out"
    with L.open(datafile) as src, L.open(out, "wronly|creat", 0o600) as dst:
        assert L.sendfile(dst, src, 10, 20) == 20
        assert src.lseek(0, L.SEEK.CUR) == 0                    # explicit offset: position kept
        assert dst.sendfile(src, None, 5) == 5                   # None: from the position
        assert src.lseek(0, L.SEEK.CUR) == 5
    assert out.read_bytes() == datafile.read_bytes()[10:30] + datafile.read_bytes()[:5]
    with L.open(out, "wronly") as dst, pytest.raises(OSError) as ei:
        L.sendfile(dst, 10**6, None, 1)
    assert ei.value.errno == errno.EBADF


def test_splice_and_tee(datafile, tmp_path):
    r1, w1 = L.pipe()
    r2, w2 = L.pipe()
    with r1, w1, r2, w2, L.open(datafile) as src:
        assert L.splice(src, 100, w1, None, 8) == 8
        assert src.lseek(0, L.SEEK.CUR) == 0
        assert L.tee(r1, w2, 8) == 8                            # copied, not consumed
        assert r2.read(8) == datafile.read_bytes()[100:108]
        out = tmp_path / "spliced"
        with L.open(out, "wronly|creat", 0o600) as dst:
            assert r1.splice(None, dst, HUGE, 8, L.SPLICE_F.MOVE) == 8
        with L.open(out) as check:
            assert check.pread(8, HUGE) == datafile.read_bytes()[100:108]
        with pytest.raises(OSError) as ei:
            L.tee(src, w2, 1)                                    # tee needs two pipes
        assert ei.value.errno == errno.EINVAL


def test_copy_file_range(datafile, tmp_path):
    out = tmp_path / "copy"
    with L.open(datafile) as src, L.open(out, "rdwr|creat", 0o600) as dst:
        assert L.copy_file_range(src, 16, dst, BIG, 32) == 32
        assert dst.pread(32, BIG) == datafile.read_bytes()[16:48]
        assert src.copy_file_range(None, dst, None, 4) == 4       # from and to the positions
        assert src.lseek(0, L.SEEK.CUR) == 4 and dst.lseek(0, L.SEEK.CUR) == 4
        with pytest.raises(OSError) as ei:
            L.copy_file_range(src, 0, dst, 0, 1, flags=1)
        assert ei.value.errno == errno.EINVAL


def test_fd_methods_exist_for_fd_first_functions():
    for name in ("read", "readinto", "write", "pread", "pwrite", "readv", "writev", "preadv2",
                 "pwritev2", "lseek", "dup", "dup2", "dup3", "fcntl", "ioctl", "flock",
                 "sendfile", "splice", "tee", "copy_file_range", "fstat", "openat", "statx",
                 "fstatat", "getdents64"):
        assert callable(getattr(L.Fd, name)), name
