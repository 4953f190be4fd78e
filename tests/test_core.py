"""The facade core: errors, Fd, flags, trace, the raw escape hatch, process ids."""
import errno
import gc
import logging
import os
import selectors
import subprocess
import sys
import threading
import warnings

import pytest

import linuxsys as L
from conftest import is_open


# ---- errors -------------------------------------------------------------------------------

def test_error_subclass_errno_strerror_filename(tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError) as ei:
        L.open(missing)
    e = ei.value
    assert e.errno == errno.ENOENT
    assert e.strerror == os.strerror(errno.ENOENT)
    assert e.filename == str(missing)
    with pytest.raises(FileNotFoundError) as oi:
        os.open(missing, os.O_RDONLY)
    assert str(e) == str(oi.value)


def test_error_without_filename_matches_os():
    with pytest.raises(OSError) as ei:
        L.read(10**6, 1)
    with pytest.raises(OSError) as oi:
        os.read(10**6, 1)
    assert type(ei.value) is type(oi.value)
    assert (ei.value.errno, ei.value.strerror, str(ei.value)) == (
        oi.value.errno, oi.value.strerror, str(oi.value))


def test_enosys_is_unsupported_error_naming_the_call():
    with pytest.raises(L.UnsupportedError) as ei:
        L.syscall(4000)
    assert isinstance(ei.value, OSError)
    assert ei.value.errno == errno.ENOSYS
    assert ei.value.syscall == "syscall 4000"
    assert "4000" in str(ei.value)


def test_bad_python_arguments_raise_before_any_syscall(tmp_path):
    with pytest.raises(TypeError):
        L.open(3.5)
    with pytest.raises(ValueError):
        L.open("a\0b")
    with pytest.raises(TypeError):
        L.read(1.5, 1)
    with pytest.raises(TypeError):
        L.read(0, "not a buffer")
    with pytest.raises(ValueError):
        L.read(0, -1)
    with pytest.raises(TypeError):
        L.write(1, "str is not bytes")
    with pytest.raises(ValueError):
        L.write("stdnothing", b"x")
    with pytest.raises(TypeError):
        L.write(object(), b"x")
    with pytest.raises(TypeError):
        L.open(tmp_path / "x", 3.0)
    with pytest.raises(ValueError):
        L.open(tmp_path / "x", "rdonly|bogus")


def test_kernel_never_writes_into_immutable_bytes():
    r, w = L.pipe()
    with r, w:
        L.write(w, b"abc")
        target = b"\0\0\0"
        with pytest.raises(TypeError):
            L.read(r, target)
        with pytest.raises(TypeError):
            L.readinto(r, memoryview(b"xyz"))
        assert target == b"\0\0\0"
        assert L.read(r, 3) == b"abc"


def test_eintr_is_retried():
    """A signal interrupting a blocking read must not surface as InterruptedError (PEP 475)."""
    import signal
    r, w = L.pipe()
    hits = []
    old = signal.signal(signal.SIGALRM, lambda *a: hits.append(1))
    try:
        def writer():
            import time
            time.sleep(0.3)
            L.write(w, b"z")
        t = threading.Thread(target=writer)
        signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
        t.start()
        assert L.read(r, 1) == b"z"
        t.join()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        r.close()
        w.close()
    assert hits, "the read was never interrupted, so EINTR was not exercised"


# ---- Fd -----------------------------------------------------------------------------------

def test_fd_basics(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"hello")
    fd = L.open(p)
    n = fd.fd
    assert isinstance(fd, L.Fd) and fd.fileno() == n == fd.__index__()
    assert repr(fd) == f"<Fd {n}>"
    assert os.read(fd, 5) == b"hello"           # os accepts an Fd through __index__
    assert not fd.closed
    fd.close()
    fd.close()                                   # idempotent
    assert fd.closed and fd.fd == -1 and repr(fd) == "<Fd closed>"
    assert not is_open(n)


def test_closed_fd_never_touches_a_reused_number(tmp_path):
    fd = L.open("/dev/null")
    fd.close()
    other = L.open(tmp_path / "victim", "wronly|creat")
    try:
        for call in (lambda: fd.read(1), lambda: fd.write(b"x"), lambda: fd.fstat(),
                     lambda: fd.fileno(), lambda: fd.lseek(0), lambda: L.write(fd, b"x"),
                     lambda: fd.openat("x"), lambda: fd.detach()):
            with pytest.raises(OSError) as ei:
                call()
            assert ei.value.errno == errno.EBADF
        assert os.fstat(other.fd).st_size == 0
    finally:
        other.close()


def test_gc_closes_and_warns():
    fd = L.open("/dev/null")
    n = fd.fd
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del fd
        gc.collect()
    assert not is_open(n)
    assert any(issubclass(w.category, ResourceWarning) for w in caught)


def test_nogc_and_detach():
    fd = L.open("/dev/null")
    assert fd.nogc() is fd
    n = fd.fd
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        del fd
        gc.collect()
    assert is_open(n)
    os.close(n)

    fd = L.open("/dev/null")
    n = fd.detach()
    assert fd.closed
    del fd
    gc.collect()
    assert is_open(n)
    os.close(n)

    keep = L.Fd(os.open("/dev/null", os.O_RDONLY), own=False)
    n = keep.fd
    del keep
    gc.collect()
    assert is_open(n)
    os.close(n)


def test_context_manager_and_invalid_numbers():
    with L.open("/dev/null") as fd:
        n = fd.fd
    assert fd.closed and not is_open(n)
    with pytest.raises(ValueError):
        L.Fd(-1)
    with pytest.raises(TypeError):
        L.Fd("3")


def test_fd_arguments_accept_int_fileno_and_std_names(tmp_path, capfd):
    L.write("stdout", b"via-name ")
    L.write(1, b"via-int ")
    L.write(sys.stdout, b"via-fileno")
    assert capfd.readouterr().out == "via-name via-int via-fileno"


def test_fd_works_with_selectors():
    r, w = L.pipe()
    with r, w, selectors.DefaultSelector() as sel:
        sel.register(r, selectors.EVENT_READ)
        assert sel.select(0) == []
        w.write(b"!")
        (key, events), = sel.select(1)
        assert key.fileobj is r and events == selectors.EVENT_READ
        sel.unregister(r)


# ---- flags --------------------------------------------------------------------------------

def test_namespaces_hold_the_headers_values():
    assert L.O.RDONLY == os.O_RDONLY and L.O.CLOEXEC == os.O_CLOEXEC
    assert L.O.DIRECTORY == os.O_DIRECTORY and L.O.NOFOLLOW == os.O_NOFOLLOW
    assert L.SEEK.END == os.SEEK_END and L.SEEK_HOLE == os.SEEK_HOLE
    assert L.E.ENOENT == errno.ENOENT and L.ENOENT == errno.ENOENT
    assert all(getattr(L.E, name) == code for code, name in errno.errorcode.items()
               if name in L.E.__members__)
    assert L.AT.FDCWD == L.AT_FDCWD < 0
    assert L.S.IFDIR == 0o040000 and L.S_IRWXU == 0o700
    assert isinstance(L.O_RDONLY, int) and type(L.O_CLOEXEC) is int
    assert issubclass(L.O, int) and issubclass(L.SEEK, int)


def test_flag_strings(tmp_path):
    p = tmp_path / "f"
    with L.open(p, "wronly|creat|trunc", "0600") as fd:
        fd.write(b"x")
    assert os.stat(p).st_mode & 0o777 == 0o600
    assert L.flags.to_int("rdonly|creat|cloexec", L.O) == os.O_CREAT | os.O_CLOEXEC
    assert L.flags.to_int("O_WRONLY, o_append", L.O) == os.O_WRONLY | os.O_APPEND
    assert L.flags.to_int(L.O.WRONLY | L.O.APPEND, L.O) == os.O_WRONLY | os.O_APPEND
    assert L.O.CREAT + L.O.EXCL == os.O_CREAT | os.O_EXCL
    with pytest.raises(ValueError):
        L.flags.to_int("nonesuch", L.O)
    with pytest.raises(TypeError):
        L.flags.to_int(1.0, L.O)


# ---- trace --------------------------------------------------------------------------------

def test_trace_logs_every_call_and_switches_off(caplog):
    caplog.set_level(logging.DEBUG, logger="linuxsys.syscall")
    L.trace(True)
    try:
        assert L.tracing()
        L.getpid()
        with pytest.raises(FileNotFoundError):
            L.stat("/nonexistent-trace")
    finally:
        L.trace(False)
    assert not L.tracing()
    messages = [r.getMessage() for r in caplog.records if r.name == "linuxsys.syscall"]
    assert any(m.startswith("getpid() = ") for m in messages)
    assert any("statx(" in m and "/nonexistent-trace" in m and "ENOENT" in m for m in messages)
    caplog.clear()
    L.getpid()
    assert not [r for r in caplog.records if r.name == "linuxsys.syscall"]
    assert L.getpid is L._native.lib.ls_getpid   # off means the bare helper again


def test_trace_environment_variable():
    code = "import linuxsys as L; L.getppid()"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "LINUXSYS_TRACE": "1"}, check=True)
    assert "getppid() = " in out.stderr


# ---- raw syscall and numbers --------------------------------------------------------------

def test_raw_syscall():
    assert L.syscall(L.SYS.getpid) == os.getpid()
    r, w = L.pipe()
    with r, w:
        assert L.syscall(L.SYS.write, w, b"raw", 3) == 3
        buf = bytearray(3)
        assert L.syscall(L.SYS.read, r.fd, buf, 3) == 3 and buf == b"raw"
    with pytest.raises(OSError) as ei:
        L.syscall(L.SYS.close, 10**6)
    assert ei.value.errno == errno.EBADF
    with pytest.raises(TypeError):
        L.syscall(L.SYS.getpid, "str")
    with pytest.raises(TypeError):
        L.syscall(L.SYS.getpid, 1, 2, 3, 4, 5, 6, 7)
    with pytest.raises(OverflowError):
        L.syscall(L.SYS.getpid, 1 << 200)


def test_sys_numbers_are_this_arch():
    assert L.SYS.getpid > 0 and L.SYS.openat > 0
    assert not hasattr(L.SYS, "nonexistent_call")


# ---- process ids --------------------------------------------------------------------------

def test_process_ids_match_os():
    assert L.getpid() == os.getpid()
    assert L.getppid() == os.getppid()
    assert L.gettid() == threading.get_native_id()
    assert (L.getuid(), L.geteuid(), L.getgid(), L.getegid()) == (
        os.getuid(), os.geteuid(), os.getgid(), os.getegid())


def test_process_ids_in_another_thread_and_as_nobody():
    tids = []
    t = threading.Thread(target=lambda: tids.append((L.gettid(), threading.get_native_id())))
    t.start()
    t.join()
    assert tids[0][0] == tids[0][1] != L.gettid()
    if os.geteuid() != 0:
        pytest.skip("needs root to become another uid")
    from conftest import as_nobody

    def check():
        assert (L.getuid(), L.geteuid(), L.getgid(), L.getegid()) == (65534,) * 4
    assert as_nobody(check) == 0


def test_id_getters_are_unsigned_32_bit():
    """ids >= 2^31 must not come back negative on 32-bit arches (nor truncated to 16 bits)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to take such ids")
    from conftest import in_child
    big = 3_000_000_000

    def check():
        os.setresgid(big, big + 1, big + 2)
        os.setresuid(big + 3, big + 4, big + 5)
        assert (L.getuid(), L.geteuid(), L.getgid(), L.getegid()) == (
            big + 3, big + 4, big, big + 1) == (os.getuid(), os.geteuid(), os.getgid(), os.getegid())
    assert in_child(check) == 0
