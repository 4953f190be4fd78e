"""io: read/write family, seeking, dup/pipe/fcntl/ioctl, in-kernel copies."""
import array
import errno
import fcntl as pyfcntl
import gc
import os
import socket
import struct
import sys
import termios

import pytest

import linuxsys as L
from linuxsys import io as lio
from linuxsys._native import lib
from conftest import EMULATED, child_ok, is_open, qemu_may_lack, raises_errno

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


# ---- issue 7: hardening ------------------------------------------------------------------------

FIGETBSZ = 2  # _IO(0x00, 2) in <linux/fs.h>: writes an int, and io.py does not know it


def fd_functions():
    """The io functions whose first argument is an fd (as methods() made Fd methods of)."""
    return {name for name in lio.__all__ if getattr(L.Fd, name, None) is getattr(lio, name)}


@pytest.fixture
def files(datafile, tmp_path):
    """(source with 4096 known bytes, an empty writable target)."""
    out = tmp_path / "out"
    out.write_bytes(b"")
    return datafile, out


# Each call gets an Fd built inside the call expression: its only reference is the argument,
# so a function that rebinds its fd parameter to the number lets the GC close it mid-call.
def temp_fd_calls(src, dst, r, w, w2):
    def rd():
        return L.open(src)

    def wr():
        return L.open(dst, "rdwr")
    return {
        "read": (lambda: L.read(rd(), 4), bytes(range(4))),
        "readinto": (lambda: L.readinto(rd(), bytearray(3)), 3),
        "write": (lambda: L.write(wr(), b"abc"), 3),
        "pread": (lambda: L.pread(rd(), 2, 5), bytes([5, 6])),
        "pwrite": (lambda: L.pwrite(wr(), b"xy", 1), 2),
        "readv": (lambda: L.readv(rd(), [bytearray(2), bytearray(2)]), 4),
        "writev": (lambda: L.writev(wr(), [b"a", b"bc"]), 3),
        "preadv2": (lambda: qemu_may_lack(L.preadv2, rd(), [bytearray(2)], 0), 2),
        "pwritev2": (lambda: qemu_may_lack(L.pwritev2, wr(), [b"z"], 0), 1),
        "lseek": (lambda: L.lseek(rd(), 7), 7),
        "dup": (lambda: L.dup(rd()).close(), None),
        "dup2": (lambda: L.dup2(rd(), L.open("/dev/null")).close(), None),
        "dup3": (lambda: L.dup3(rd(), L.open("/dev/null"), "cloexec").close(), None),
        "fcntl": (lambda: L.fcntl(rd(), L.F.GETFL) & os.O_ACCMODE, os.O_RDONLY),
        "ioctl": (lambda: L.ioctl(rd(), termios.FIONREAD, array.array("i", [0])), 0),
        "flock": (lambda: L.flock(rd(), "sh|nb"), None),
        "sendfile": (lambda: L.sendfile(wr(), rd(), 0, 4), 4),
        "splice": (lambda: L.splice(rd(), 0, w, None, 4), 4),
        "tee": (lambda: L.tee(L.dup(r), w2, 1), 1),
        "copy_file_range": (lambda: L.copy_file_range(rd(), 0, wr(), 0, 4), 4),
        "vmsplice": (lambda: L.vmsplice(L.dup(w2), [b"ab"]), 2),
    }


def test_temp_fd_table_covers_every_fd_function(files):
    assert set(temp_fd_calls(*files, None, None, None)) == fd_functions()


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # the temporary Fd is collected after
@pytest.mark.parametrize("name", sorted(fd_functions()))
def test_a_temporary_fd_lives_through_the_call(files, name):
    r, w = L.pipe()
    r2, w2 = L.pipe()
    with r, w, r2, w2:
        w.write(b"x")
        call, expected = temp_fd_calls(*files, r, w, w2)[name]
        gc.collect()
        assert call() == expected
        gc.collect()


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_temporary_fds_as_second_argument(files):
    src, dst = files
    r, w = L.pipe()
    with r, w:
        assert L.sendfile(L.open(dst, "wronly"), L.open(src), 0, 4) == 4
        assert L.copy_file_range(L.open(src), 0, L.open(dst, "wronly"), 0, 4) == 4
        w.write(b"abcd")
        assert L.splice(r, None, L.open(dst, "wronly"), 0, 4) == 4
        w.write(b"x")
        r2, w2 = L.pipe()
        with r2, w2:
            assert L.tee(L.dup(r), w2, 1) == 1
        target = L.dup2(L.open(src), L.open("/dev/null"))   # both temporary
        assert target.closed is False and target.lseek(0, L.SEEK.END) == 4096
        target.close()
        gc.collect()


def test_closed_fd_raises_closed_fd_error_on_the_fast_paths(datafile):
    fd = L.open(datafile)
    fd.close()
    for fn, args in ((L.read, (1,)), (L.read, (bytearray(1),)), (L.readinto, (bytearray(1),)),
                     (L.write, (b"x",)), (L.pread, (1, 0)), (L.fcntl, (L.F.GETFD,))):
        raises_errno(errno.EBADF, fn, fd, *args)
        with pytest.raises(L.ClosedFdError):
            getattr(fd, fn.__name__)(*args)


def kept_error(fn, *args, **kwargs):
    """The exception fn raises, kept alive (and its traceback's frames) as callers keep them."""
    try:
        fn(*args, **kwargs)
    except (OSError, TypeError, ValueError, OverflowError, BufferError) as e:
        return e
    raise AssertionError(f"{fn.__name__}{args} did not raise")


def ior(size, nr=0x7F):
    """An _IOC request (type 'z') that names a ``size``-byte struct, with the top bit set."""
    d = 3 if lib.LS_IOC_NONE != 3 else 2
    return (d << lib.LS_IOC_DIRSHIFT) | (size << lib.LS_IOC_SIZESHIFT) | (ord("z") << 8) | nr


# Failing calls of every buffer-taking io function: kernel errors (fd -1), and argument errors
# found once the buffer is in hand (an fd past a C int, a refused second buffer, bad flags).
BUFFER_CALLS = [
    ("read", lambda b: L.read(-1, b)),
    ("readinto", lambda b: L.readinto(-1, b)),
    ("readinto fd range", lambda b: L.readinto(2**40, b)),
    ("write", lambda b: L.write(-1, b)),
    ("write fd range", lambda b: L.write(2**40, b)),
    ("pread", lambda b: L.pread(-1, b, 0)),
    ("pread fd range", lambda b: L.pread(2**40, b, 0)),
    ("pwrite", lambda b: L.pwrite(-1, b, 0)),
    ("readv", lambda b: L.readv(-1, [b])),
    ("readv refused", lambda b: L.readv(0, [b, b"read-only"])),
    ("writev", lambda b: L.writev(-1, [b, b"x"])),
    ("writev refused", lambda b: L.writev(0, [b, 3])),
    ("preadv2", lambda b: L.preadv2(-1, [b], 0)),
    ("preadv2 flags", lambda b: L.preadv2(-1, [b], 0, 2**40)),
    ("pwritev2", lambda b: L.pwritev2(-1, [b])),
    ("fcntl", lambda b: L.fcntl(-1, L.F.GETLK, b)),
    ("ioctl short", lambda b: L.ioctl(0, ior(8192), b)),
    ("ioctl", lambda b: L.ioctl(-1, termios.TCGETS, b)),
    ("ioctl fd range", lambda b: L.ioctl(2**40, termios.TCGETS, b)),
]


@pytest.mark.parametrize("size", [64, 4096])  # through the fcntl/ioctl copy, and past it
@pytest.mark.parametrize("name", [name for name, _ in BUFFER_CALLS])
def test_failed_calls_release_the_callers_buffer(name, size):
    call = dict(BUFFER_CALLS)[name]
    ba = bytearray(size)
    err = kept_error(call, ba)
    ba.extend(b"x")  # BufferError while a view made for the call is still exported
    mv = memoryview(bytearray(size))
    err2 = kept_error(call, mv)
    mv.release()     # BufferError while the call's view of the memoryview is alive
    del err, err2


def test_kept_errors_with_memoryviews_do_not_crash_the_collector():
    # The reproducer: a view left exported in a raising frame, a memoryview, and a kept
    # exception; the cycle collector then clears the exported memoryview (SIGSEGV): a child.
    def kept(call):
        for _ in range(100):
            try:
                call(memoryview(bytearray(16)))
            except (OSError, TypeError, ValueError, OverflowError) as e:
                err = e  # a frame <-> traceback cycle once returned: the collector clears it
        return err

    def loop():
        for _ in range(5):
            for _, call in BUFFER_CALLS:
                kept(call)
                gc.collect()
    child_ok(loop)


def test_cdata_views_of_bytes_are_not_written():
    b = b"immutable bytes here, 32 bytes!!"
    fb = L.ffi.from_buffer(b)
    with L.open("/dev/zero") as z:
        for fn, args in ((L.readinto, (fb,)), (L.read, (fb,)), (L.pread, (fb, 0)),
                         (L.readv, ([fb],)), (L.preadv2, ([fb], 0)),
                         (L.fcntl, (L.F.GETLK, fb)), (L.ioctl, (termios.FIONREAD, fb))):
            with pytest.raises(TypeError, match="from_buffer"):
                fn(z, *args)
    assert b == b"immutable bytes here, 32 bytes!!"


def test_read_sizes_as_os_read():
    with L.open("/dev/zero") as z:
        for n in (2**63 - 1, sys.maxsize, 2**64):
            with pytest.raises(OverflowError):
                os.read(z.fd, n)
            with pytest.raises(OverflowError):
                L.read(z, n)
            with pytest.raises(OverflowError):
                L.pread(z, n, 0)
        for fn, args in ((L.read, (-1,)), (L.pread, (-1, 0))):
            with pytest.raises(ValueError):
                fn(z, *args)
        with pytest.raises(OverflowError):
            L.pread(z, 1, 2**63)
        assert L.read(z, True) == b"\0"          # an int subclass is a size, as for os.read


def test_non_contiguous_buffers_raise_buffer_error_everywhere():
    nc = memoryview(bytearray(8))[::2]
    with pytest.raises(BufferError):
        os.write(1, nc)
    with L.open("/dev/zero") as z, L.open("/dev/null", "wronly") as null:
        for fn, fd, args in ((L.readinto, z, (nc,)), (L.read, z, (nc,)), (L.write, null, (nc,)),
                             (L.pread, z, (nc, 0)), (L.pwrite, null, (nc, 0)),
                             (L.readv, z, ([nc],)), (L.writev, null, ([nc],)),
                             (L.preadv2, z, ([nc], 0)), (L.pwritev2, null, ([nc],)),
                             (L.fcntl, z, (L.F.GETLK, nc)), (L.ioctl, z, (termios.FIONREAD, nc))):
            with pytest.raises(BufferError):
                fn(fd, *args)


def test_sizes_come_from_the_buffer_in_bytes(tmp_path):
    ffi = L.ffi
    with L.open("/dev/zero") as z, L.open("/dev/null", "wronly") as null:
        ints = ffi.new("int[]", 4)
        ints[3] = 7
        assert L.readinto(z, ints) == 16 and ints[3] == 0          # not len() == 4 items
        lock = ffi.new("struct flock *")
        assert L.readinto(z, lock) == ffi.sizeof("struct flock")    # the struct, not a pointer
        assert L.read(z, ffi.new("char[]", 8)) == 8
        assert L.pread(z, ffi.new("int[]", 2), 0) == 8
        assert L.readv(z, [ffi.new("short[]", 3), bytearray(2)]) == 8
        assert L.write(null, ffi.new("int[]", 3)) == 12
        assert L.pwrite(null, ffi.new("int[]", 3), 0) == 12
        assert L.writev(null, [ffi.new("int[]", 2), b"ab"]) == 10
        assert L.write(null, array.array("i", [1, 2])) == 8
        assert L.readinto(z, bytearray()) == 0


# fcntl/ioctl: the command decides how much the kernel reads or writes through the pointer.

PAD = 16
FILL = 0xA5


def guarded(size, content=b""):
    """A bytearray with PAD fill bytes on both sides of a ``size``-byte middle (holding
    ``content``), and a memoryview of the middle."""
    ba = bytearray([FILL]) * (size + 2 * PAD)
    ba[PAD:PAD + len(content)] = content
    return ba, memoryview(ba)[PAD:PAD + size]


def untouched(ba, size):
    return ba[:PAD] == bytearray([FILL]) * PAD and ba[PAD + size:] == bytearray([FILL]) * PAD


def flock_bytes(l_type, start=0, length=0, pid=0):
    p = L.ffi.new("struct flock *")
    p.l_type, p.l_whence, p.l_start, p.l_len, p.l_pid = l_type, os.SEEK_SET, start, length, pid
    return bytes(L.ffi.buffer(p))


def flock_of(data):
    p = L.ffi.new("struct flock *")
    L.ffi.memmove(p, bytes(data), L.ffi.sizeof("struct flock"))
    return p


@pytest.fixture
def pty():
    master, slave = os.openpty()
    yield master, slave
    os.close(slave)
    os.close(master)


def ioctl_cases(master, slave, sock, peer):
    """request name -> (fd, argument bytes, allowed errnos): every request io.py knows."""
    tcgets = bytes(L.ffi.sizeof("struct ls_kernel_termios"))
    tcgeta = bytes(L.ffi.sizeof("struct termio"))
    one = struct.pack("i", 1)
    zero = struct.pack("i", 0)
    not_a_modem = (errno.ENOTTY, errno.EINVAL, errno.EIO)
    return {
        "TCGETS": (slave, tcgets, ()), "TCSETS": (slave, None, ()), "TCSETSW": (slave, None, ()),
        "TCSETSF": (slave, None, ()), "TIOCGLCKTRMIOS": (slave, tcgets, ()),
        "TIOCSLCKTRMIOS": (slave, "TIOCGLCKTRMIOS", (errno.EPERM,)),
        "TCGETA": (slave, tcgeta, ()), "TCSETA": (slave, "TCGETA", ()),
        "TCSETAW": (slave, "TCGETA", ()), "TCSETAF": (slave, "TCGETA", ()),
        "TIOCSWINSZ": (slave, struct.pack("4H", 24, 80, 0, 0), ()),
        "TIOCGWINSZ": (slave, bytes(8), ()),
        "FIONREAD": (sock, zero, ()), "TIOCOUTQ": (sock, zero, ()), "FIONBIO": (peer, one, ()),
        "FIOASYNC": (peer, zero, ()), "TIOCMGET": (slave, zero, not_a_modem),
        "TIOCMSET": (slave, zero, not_a_modem), "TIOCMBIS": (slave, zero, not_a_modem),
        "TIOCMBIC": (slave, zero, not_a_modem), "TIOCGETD": (slave, zero, ()),
        "TIOCSETD": (slave, zero, ()), "TIOCPKT": (master, zero, ()),
        "TIOCGSOFTCAR": (slave, zero, ()), "TIOCSSOFTCAR": (slave, zero, ()),
        "TIOCGPGRP": (master, zero, (errno.ENOTTY,)), "TIOCSPGRP": (slave, zero, (errno.ENOTTY,)),
        "TIOCGSID": (master, zero, (errno.ENOTTY,)),
        "TIOCSTI": (slave, b"x", (errno.EIO, errno.EPERM)),
    }


def test_ioctl_known_requests_write_inside_the_buffer(pty):
    master, slave = pty
    sock, peer = socket.socketpair()
    with sock, peer:
        peer.send(b"12345")
        cases = ioctl_cases(master, slave, sock, peer)
        assert {getattr(lib, "LS_" + name) for name in cases} == set(lio._IOCTL_ARG)
        got = {}
        for name, (fd, content, allowed) in cases.items():
            req = getattr(lib, "LS_" + name)
            size = lio._IOCTL_ARG[req]
            if content is None:
                content = got["TCGETS"]
            elif isinstance(content, str):
                content = got[content]
            assert len(content) == size, name
            ba, view = guarded(size, content)
            try:
                assert L.ioctl(fd, req, view) == 0, name
                got[name] = bytes(view)
            except OSError as e:
                assert e.errno in allowed, (name, e)
            assert untouched(ba, size), name
            view.release()
    # What the kernel wrote is what libc's termios and the socket say.
    assert struct.unpack("4I", got["TCGETS"][:16]) == tuple(termios.tcgetattr(slave)[:4])
    assert struct.unpack("4H", got["TIOCGWINSZ"]) == (24, 80, 0, 0)
    assert struct.unpack("i", got["FIONREAD"]) == (5,)


def test_ioctl_short_buffers_are_refused_before_the_call(pty, monkeypatch):
    def forbidden(*args):
        raise AssertionError("the syscall ran")
    monkeypatch.setattr(lio, "_ioctl_ptr", forbidden)
    for req, size in lio._IOCTL_ARG.items():
        ba, view = guarded(size - 1, bytes(size - 1))
        with pytest.raises(ValueError, match=f"{size}-byte"):
            L.ioctl(pty[1], req, view)
        assert untouched(ba, size - 1)
        view.release()
        with pytest.raises(TypeError):                 # an int would be an address
            L.ioctl(pty[1], req, 1)


def test_ioctl_size_encoded_in_the_request(monkeypatch):
    # An _IOC request names its struct's size: a shorter buffer is refused before the call.
    req = ior(64)
    with L.open("/dev/null") as null:
        for r in (req, req - 2**32):                    # the signed form of the same request
            with pytest.raises(ValueError, match="64-byte"):
                L.ioctl(null, r, bytearray(63))
        ba, view = guarded(64)
        raises_errno(errno.ENOTTY, L.ioctl, null, req, view)
        assert untouched(ba, 64)
        view.release()
        with pytest.raises(OverflowError):
            L.ioctl(null, 2**32 + 0x541B, bytearray(4))   # would be FIONREAD once truncated
        with pytest.raises(OverflowError):
            L.ioctl(null, -(2**31) - 1, bytearray(4))


def test_ioctl_unknown_request_writing_past_the_buffer(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x")
    with L.open(p) as fd:
        n = array.array("i", [0])
        assert L.ioctl(fd, FIGETBSZ, n) == 0 and n[0] > 0   # through the 1024-byte copy
        ba, view = guarded(1)
        with pytest.raises(ValueError, match="wrote past"):
            L.ioctl(fd, FIGETBSZ, view)                  # 4 bytes into 1: caught in the copy
        assert untouched(ba, 1) and view[0] == n[0] & 0xFF
        view.release()
        big, view = guarded(2048)                         # past 1024: passed as it is
        assert L.ioctl(fd, FIGETBSZ, view) == 0
        assert struct.unpack("i", view[:4]) == (n[0],) and untouched(big, 2048)
        assert view[4:] == bytearray([FILL]) * 2044
        view.release()


def test_fcntl_known_commands_write_inside_the_buffer(tmp_path):
    p = tmp_path / "locks"
    p.write_bytes(bytes(100))
    size = L.ffi.sizeof("struct flock")
    F = L.F
    sock, peer = socket.socketpair()
    with L.open(p, "rdwr") as fd, L.open(p, "rdwr") as other, sock, peer:
        steps = [
            (fd, F.SETLK, flock_bytes(L.F_WRLCK, 0, 10), ()),
            (fd, F.SETLKW, flock_bytes(L.F_RDLCK, 20, 10), ()),
            (other, F.OFD_SETLK, flock_bytes(L.F_WRLCK, 50, 5), ()),
            (other, F.OFD_SETLKW, flock_bytes(L.F_RDLCK, 60, 5), ()),
            (fd, F.GETLK, flock_bytes(L.F_WRLCK, 50, 1), ()),      # conflicts with the OFD lock
            (other, F.OFD_GETLK, flock_bytes(L.F_WRLCK, 0, 1), ()),  # with fd's process lock
        ]
        got = {}
        for f, cmd, content, _ in steps:
            ba, view = guarded(size, content)
            assert L.fcntl(f, cmd, view) == 0, cmd
            got[cmd] = flock_of(view)
            assert untouched(ba, size), cmd
            view.release()
        assert (got[F.GETLK].l_type, got[F.GETLK].l_start, got[F.GETLK].l_pid) == (
            L.F_WRLCK, 50, -1)                                          # an OFD lock: pid -1
        assert (got[F.OFD_GETLK].l_type, got[F.OFD_GETLK].l_len,
                got[F.OFD_GETLK].l_pid) == (L.F_WRLCK, 10, os.getpid())

        owner = L.ffi.sizeof("struct f_owner_ex")
        assert L.fcntl(sock, F.SETOWN, os.getpid()) == 0
        ba, view = guarded(owner)
        assert L.fcntl(sock, F.GETOWN_EX, view) == 0 and untouched(ba, owner)
        ex = L.ffi.new("struct f_owner_ex *")
        L.ffi.memmove(ex, bytes(view), owner)
        assert ex.pid == os.getpid()
        ba2, view2 = guarded(owner, bytes(view))
        assert L.fcntl(peer, F.SETOWN_EX, view2) == 0 and untouched(ba2, owner)
        assert L.fcntl(peer, F.GETOWN) == os.getpid()
        view.release()
        view2.release()
        assert {F.SETLK, F.SETLKW, F.OFD_SETLK, F.OFD_SETLKW, F.GETLK, F.OFD_GETLK,
                F.GETOWN_EX, F.SETOWN_EX} == set(lio._FCNTL_ARG)

        probe = L.ffi.new("struct flock *")                     # ffi.new memory, copied back
        probe.l_type, probe.l_start, probe.l_len = L.F_WRLCK, 50, 1
        assert L.fcntl(fd, F.GETLK, probe) == 0 and (probe.l_pid, probe.l_len) == (-1, 5)

        big, view = guarded(2048, flock_bytes(L.F_WRLCK, 50, 1))    # past 1024: as it is
        assert L.fcntl(fd, F.GETLK, view) == 0 and untouched(big, 2048)
        assert flock_of(view).l_start == 50 and view[size:] == bytearray([FILL]) * (2048 - size)
        view.release()


def test_fcntl_short_buffers_are_refused_before_the_call(tmp_path, monkeypatch):
    def forbidden(*args):
        raise AssertionError("the syscall ran")
    monkeypatch.setattr(lio, "_fcntl_ptr", forbidden)
    with L.open(tmp_path / "f", "creat|rdwr", 0o600) as fd:
        with pytest.raises(ValueError):
            L.fcntl(fd, L.F.GETLK, bytearray(1))      # the kernel would write 32 bytes
        for cmd, size in lio._FCNTL_ARG.items():
            ba, view = guarded(size - 1)
            with pytest.raises(ValueError, match=f"{size}-byte"):
                L.fcntl(fd, cmd, view)
            assert untouched(ba, size - 1)
            view.release()
            with pytest.raises(TypeError):             # an int would be an address
                L.fcntl(fd, cmd, 4096)
            with pytest.raises(TypeError):
                L.fcntl(fd, cmd)


def test_fcntl_int_argument_range(tmp_path):
    with L.open(tmp_path / "f", "creat|rdwr", 0o600) as fd:
        for arg in (2**64, -(2**63) - 1):
            with pytest.raises(OverflowError):
                L.fcntl(fd, L.F.DUPFD_CLOEXEC, arg)
        with pytest.raises(OverflowError):
            L.fcntl(fd, 2**32 + int(L.F.GETFD))


def test_seal_namespace_follows_its_c_prefix():
    assert not hasattr(L, "SEAL")
    assert L.F_SEAL.WRITE == L.F_SEAL_WRITE and L.F_SEAL.SEAL == L.F_SEAL_SEAL
    assert L.F_SEAL.GROW == L.F_SEAL_GROW and L.F_SEAL.SHRINK == L.F_SEAL_SHRINK
    n = os.memfd_create("seals", os.MFD_ALLOW_SEALING)
    try:
        L.fcntl(n, L.F.ADD_SEALS, L.F_SEAL.WRITE | L.F_SEAL.GROW)
        assert L.F_SEAL(L.fcntl(n, L.F.GET_SEALS)) == L.F_SEAL.WRITE | L.F_SEAL.GROW
    finally:
        os.close(n)


def test_members_of_another_namespace_are_refused(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x")
    r, w = L.pipe()
    with L.open(p, "rdwr") as fd, r, w:
        for fn, args in ((L.flock, (fd, L.SEEK.SET)), (L.lseek, (fd, 0, L.LOCK.SH)),
                         (L.fcntl, (fd, L.FD.CLOEXEC)), (L.pipe2, (L.RWF.NOWAIT,)),
                         (L.dup3, (fd, 100, L.FD.CLOEXEC)),
                         (L.splice, (fd, 0, w, None, 1, L.RWF.HIPRI)),
                         (L.tee, (r, w, 1, L.LOCK.NB)),
                         (L.preadv2, (fd, [bytearray(1)], 0, L.SPLICE_F.MOVE)),
                         (L.pwritev2, (fd, [b"x"], 0, L.CLOSE_RANGE.CLOEXEC)),
                         (L.close_range, (1000, 1000, L.RWF.SYNC)),
                         (L.lseek, (fd, 0, L.F.GETFD))):
            with pytest.raises(TypeError):
                fn(*args)
        assert not is_open(100)
        assert L.fcntl(fd, L.F.SETFD, L.FD.CLOEXEC) == 0     # FD is F_SETFD's argument


def test_keyword_arguments_are_the_man_page_names(tmp_path):
    p = tmp_path / "kw"
    with L.open(path=p, flags="creat|rdwr", mode=0o600) as fd:
        assert L.write(fd=fd, data=b"hello") == 5
        assert L.lseek(fd=fd, offset=0, whence=L.SEEK.SET) == 0
        assert L.read(fd=fd, n_or_buf=2) == b"he"
        assert L.readinto(fd=fd, buf=bytearray(1)) == 1
        assert L.pread(fd=fd, n_or_buf=1, offset=4) == b"o"
        assert L.pwrite(fd=fd, data=b"H", offset=0) == 1
        assert L.readv(fd=fd, buffers=[bytearray(1)]) == 1
        assert L.fcntl(fd=fd, cmd=L.F.GETFD, arg=0) & L.FD.CLOEXEC
        L.flock(fd=fd, operation=L.LOCK.EX)
        assert L.ioctl(fd=fd, request=termios.FIONREAD, arg=array.array("i", [0])) == 0
        with L.dup(oldfd=fd) as d, L.open("/dev/null") as target:
            assert L.dup2(oldfd=d, newfd=target) is target
            assert L.dup3(oldfd=d, newfd=target, flags=L.O.CLOEXEC) is target
        with L.open(tmp_path / "out", "creat|rdwr", 0o600) as out:
            assert L.sendfile(out_fd=out, in_fd=fd, offset=0, count=2) == 2
            assert L.copy_file_range(fd_in=fd, off_in=0, fd_out=out, off_out=2, len=1) == 1
        r, w = L.pipe2(flags=0)
        with r, w:
            assert L.splice(fd_in=fd, off_in=0, fd_out=w, off_out=None, len=2, flags=0) == 2
    L.close_range(first=2**31, last=2**31, flags=0)


def test_read_counts_either_side_of_the_scratch_buffer():
    """read()'s hot path takes 0..65535 bytes (cffi's uint16_t check); 65536 and more, a
    negative count, a buffer and a float go the other way, each as os.read takes them."""
    pool = len(lio.copy_bufs)
    with L.open("/dev/zero") as z:
        zn = z.fd
        for n in (0, 1, 65535, 65536, 200_000, True):
            assert L.read(z, n) == os.read(zn, n) == bytes(n)
        with pytest.raises(ValueError, match="negative"):
            L.read(z, -1)
        with pytest.raises(OverflowError):
            L.read(z, 1 << 64)
        with pytest.raises(TypeError):
            L.read(z, 1.0)
        buf = bytearray(b"x" * 70_000)
        assert L.read(z, buf) == 70_000 and buf == bytes(70_000)
    with pytest.raises(L.ClosedFdError):
        L.read(z, 1)
    with pytest.raises(TypeError):
        L.read([], 1)
    assert len(lio.copy_bufs) >= max(pool, 1)


def test_hot_paths_raise_what_error_makes(monkeypatch):
    """Issue 8: read, readinto and write build the common OSError inline; ENOSYS (a seccomp
    filter's answer, say) is still UnsupportedError, and the copy buffer goes back."""
    pool = len(lio.copy_bufs)
    with L.open("/dev/zero") as z, L.open("/dev/null", "wronly") as null:
        for code, cls in ((errno.EAGAIN, BlockingIOError), (errno.EIO, OSError),
                          (errno.ENOSYS, L.UnsupportedError)):
            monkeypatch.setattr(lio, "_read", lambda *a, code=code: -code)
            monkeypatch.setattr(lio, "_read16", lambda *a, code=code: -code)
            monkeypatch.setattr(lio, "_write", lambda *a, code=code: -code)
            for fn, fd, arg in ((L.read, z, 4), (L.readinto, z, bytearray(4)),
                                (L.write, null, b"x")):
                with pytest.raises(cls) as e:
                    fn(fd, arg)
                assert e.value.errno == code and e.value.filename is None
                assert e.value.strerror.startswith(os.strerror(code))
                if code == errno.ENOSYS:
                    assert e.value.syscall == fn.__name__.replace("readinto", "read")
    assert len(lio.copy_bufs) >= max(pool, 1)


def test_read_reentered_before_its_copy_out(monkeypatch):
    """A signal handler may call read() between another read's syscall and its copy-out (the
    GIL is released in the syscall): each call keeps the pooled buffer it popped."""
    real = lio._read16
    r1, w1 = L.pipe()
    r2, w2 = L.pipe()
    inner = []

    def read_then_handler(fd, buf, count):
        n = real(fd, buf, count)
        if fd == r1.fd and not inner:
            inner.append(L.read(r2, 100))  # the "handler", re-entering read
        return n

    with r1, w1, r2, w2:
        L.write(w1, b"outer")
        L.write(w2, b"inner!")
        monkeypatch.setattr(lio, "_read16", read_then_handler)
        assert L.read(r1, 100) == b"outer"
        assert inner == [b"inner!"]
        assert len({id(pair) for pair in lio.copy_bufs}) == len(lio.copy_bufs) >= 2


# ---- vmsplice ------------------------------------------------------------------------------

def test_vmsplice_write_end_references_the_pages():
    r, w = L.pipe()
    with r, w:
        ba = bytearray(b"A" * 16)
        assert L.vmsplice(w, [ba, b"xyz", memoryview(b"0123")[1:3]]) == 21
        # the pipe holds the bytearray's page, not a copy: a change before the read shows
        ba[:] = b"B" * 16
        data = os.read(r.fileno(), 100)
        if not EMULATED:  # qemu-user may bounce guest buffers through copies of its own
            assert data == b"B" * 16 + b"xyz12"
        else:
            assert data[16:] == b"xyz12"
        assert w.vmsplice([b"more"], L.SPLICE_F.NONBLOCK) == 4
        assert os.read(r.fileno(), 100) == b"more"


def test_vmsplice_read_end_copies_into_writable_buffers():
    r, w = L.pipe()
    with r, w:
        os.write(w.fileno(), b"hello world")
        a, b = bytearray(3), L.ffi.new("char[20]")
        assert L.vmsplice(r, [a, b]) == 11
        assert a == b"hel" and L.ffi.string(b) == b"lo world"
        os.write(w.fileno(), b"x")
        ro = b"read-only"
        with pytest.raises(TypeError):  # the kernel would write into it
            L.vmsplice(r, [bytearray(1), ro])
        assert ro == b"read-only" and os.read(r.fileno(), 10) == b"x"


def test_vmsplice_errors(tmp_path):
    r, w = L.pipe()
    with r, w:
        pyfcntl.fcntl(w.fileno(), pyfcntl.F_SETPIPE_SZ, 4096)
        os.write(w.fileno(), b"x" * 4096)
        ba = bytearray(b"y")
        raises_errno(errno.EAGAIN, L.vmsplice, w, [ba], L.SPLICE_F.NONBLOCK)
        ba.extend(b"x")  # the view made for the call was released before the raise
    with L.open(tmp_path / "f", "creat|wronly") as fd:
        raises_errno(errno.EBADF, L.vmsplice, fd, [b"data"])  # no pipe
    raises_errno(errno.EBADF, L.vmsplice, w, [b"x"])  # closed
    with pytest.raises(TypeError):
        L.vmsplice(1, [b"x"], L.O.CREAT)
