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

def _trace_messages(caplog, fn):
    """The lines the trace logs while fn runs."""
    caplog.set_level(logging.DEBUG, logger="linuxsys.syscall")
    caplog.clear()
    L.trace(True)
    try:
        fn()
    finally:
        L.trace(False)
    return [r.getMessage() for r in caplog.records if r.name == "linuxsys.syscall"]


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
    assert f"getpid() = {os.getpid()}" in messages
    assert any("statx(" in m and "/nonexistent-trace" in m and "= -1 ENOENT (" in m
               for m in messages)
    caplog.clear()
    L.getpid()
    assert not [r for r in caplog.records if r.name == "linuxsys.syscall"]
    assert L.getpid is L._native.lib.ls_getpid   # off means the bare helper again


def test_trace_environment_variable():
    code = "import linuxsys as L; L.getppid()"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "LINUXSYS_TRACE": "1"}, check=True)
    assert "getppid() = " in out.stderr


def test_trace_flags_symbolically(caplog, tmp_path):
    p = tmp_path / "f"

    def calls():
        L.open(p, "wronly|creat|excl", 0o640).close()
        L.open(p).close()
        L.mkdir(tmp_path / "d", 0o4755)
        with pytest.raises(FileNotFoundError):
            L.stat(tmp_path / "missing")
    messages = _trace_messages(caplog, calls)
    path = repr(bytes(p))
    assert f"openat(AT_FDCWD, {path}, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0o640) = " in \
        "\n".join(messages)
    assert any(m.startswith(f"openat(AT_FDCWD, {path}, O_RDONLY|O_CLOEXEC, ") for m in messages)
    assert any(m.startswith("mkdirat(") and ", S_ISUID|0o755) = 0" in m for m in messages)
    # statx: its AT flags and STATX mask by name; the out-struct of a failed call as an address
    statx = next(m for m in messages if m.startswith("statx("))
    assert "STATX_BASIC_STATS" in statx and " = -1 ENOENT (No such file or directory)" in statx
    assert ", 0x" in statx


def test_trace_renders_namespaces_like_strace():
    T = sys.modules["linuxsys.trace"]
    assert T._symbolic(L.O.CLOEXEC, "O", "openat") == "O_RDONLY|O_CLOEXEC"
    assert T._symbolic(L.O.CLOEXEC | L.O.NONBLOCK, "O", "pipe2") == "O_NONBLOCK|O_CLOEXEC"
    assert T._symbolic(L.O.RDWR | L.O.CREAT | 0x80000000, "O", "openat") == \
        "O_RDWR|O_CREAT|0x80000000"                       # unknown bits in hex
    assert T._symbolic(os.O_SYNC, "O", "pipe2") == "O_SYNC"  # not O_DSYNC|0x...: widest first
    assert T._symbolic(0o100644, "S") == "S_IFREG|0o644"
    assert T._symbolic(0, "S") == "0o0"
    assert T._symbolic(os.SEEK_END, "SEEK") == "SEEK_END"    # enums: the C name
    assert T._symbolic(99, "SEEK") == "99"
    assert T._symbolic(L.PROT.READ | L.PROT.WRITE, "PROT") == "PROT_READ|PROT_WRITE"
    assert T._symbolic(0, "PROT") == "PROT_NONE"
    assert T._symbolic(L.MAP.PRIVATE | L.MAP.ANONYMOUS, "MAP") == "MAP_PRIVATE|MAP_ANONYMOUS"
    assert T._symbolic(15, "SIG") == "SIGTERM"
    assert T._symbolic(errno.E2BIG, "E") == "E2BIG" and T._symbolic(errno.EAGAIN, "E") == "EAGAIN"
    assert T._symbolic(os.R_OK | os.W_OK, "OK") == "R_OK|W_OK"
    assert T._symbolic(L.W.NOHANG, "W") == "WNOHANG"          # LS_-prefixed in cdefs
    assert T._symbolic(L.IPC.CREAT | 0o600, "IPC") == "IPC_CREAT|0o600"


def test_trace_out_parameters_as_values(caplog, tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x" * 1234)
    pipe = []

    def calls():
        pipe.extend(L.pipe2(L.O.NONBLOCK))
        with L.open(p) as fd:
            assert L.lseek(fd, 0, L.SEEK.END) == 1234
    messages = _trace_messages(caplog, calls)
    r, w = pipe
    with r, w:
        assert any(m.startswith(f"pipe2([{r.fd}, {w.fd}], ") and m.endswith(" = 0")
                   for m in messages), messages
        assert any(m.startswith("lseek(") and m.endswith(", [1234]) = 0") for m in messages)
    assert not any("<cdata" in m for m in messages)


def test_trace_buffers_as_short_bytes(caplog):
    r, w = L.pipe()
    with r, w:
        messages = _trace_messages(caplog, lambda: (L.write(w, b"abc" * 20), L.write(w, b"hi")))
        assert f"write({w.fd}, {(b'abc' * 20)[:32]!r}..., 60) = 60" in messages
        assert f"write({w.fd}, b'hi', 2) = 2" in messages
        # read()'s fast path (ls_read16) shows as the syscall it issues
        messages = _trace_messages(caplog, lambda: L.read(r, 100))
        assert messages == [f"read({r.fd}, {(b'abc' * 20)[:32]!r}..., 100) = 62"]


def test_trace_raw_syscalls_by_name(caplog):
    r, w = L.pipe()
    with r, w:
        def calls():
            L.syscall(L.SYS.getpid)
            L.syscall(L.SYS.write, w, b"raw", 3)
            L.syscall(L.SYS.read, r, bytearray(8), 8)
            with pytest.raises(OSError):
                L.syscall(L.SYS.close, -1)
            with pytest.raises(L.UnsupportedError):
                L.syscall(4000, 1)
        messages = _trace_messages(caplog, calls)
        assert f"getpid() = {os.getpid()}" in messages
        assert f"write({w.fd}, b'raw', 3) = 3" in messages
        assert f"read({r.fd}, b'raw', 8) = 3" in messages   # read's out buffer: what it read
        assert "close(-1) = -1 EBADF (Bad file descriptor)" in messages
        assert "syscall(4000, 1) = -1 ENOSYS (Function not implemented)" in messages
    assert not any("syscall6" in m for m in messages)


def test_trace_shows_the_pid_of_a_child(caplog):
    from conftest import in_child
    caplog.set_level(logging.DEBUG, logger="linuxsys.syscall")
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    def child():
        handler = Keep()
        logging.getLogger("linuxsys.syscall").addHandler(handler)
        L.getppid()
        assert f"[pid {os.getpid()}] getppid() = {os.getppid()}" in seen, seen
    L.trace(True)
    try:
        assert in_child(child) == 0
        L.getppid()
    finally:
        L.trace(False)
    messages = [r.getMessage() for r in caplog.records if r.name == "linuxsys.syscall"]
    assert f"getppid() = {os.getppid()}" in messages   # the tracer's own pid: no prefix


def test_trace_never_breaks_the_call_it_logs(caplog, monkeypatch):
    T = sys.modules["linuxsys.trace"]

    def broken(*args):
        raise RuntimeError("renderer bug")
    monkeypatch.setattr(T, "_arg", broken)
    messages = _trace_messages(caplog, lambda: L.write(1, b""))
    assert any(m.startswith("write(") and "renderer bug" in m for m in messages)


# ---- the package's names ------------------------------------------------------------------

def test_star_import_gives_the_api_and_keeps_the_callers_modules():
    import io as io_module
    import signal as signal_module
    import time as time_module
    namespace = {"time": time_module, "signal": signal_module, "io": io_module, "os": os}
    exec("from linuxsys import *", namespace)
    assert namespace["time"] is time_module and namespace["signal"] is signal_module
    assert namespace["io"] is io_module and namespace["os"] is os
    for name in ("open", "read", "Fd", "ClosedFdError", "UnsupportedError", "SYS", "syscall",
                 "trace", "tracing", "ffi", "Stat", "Dirent", "O", "E", "SIG", "O_RDONLY",
                 "ENOENT", "AT_FDCWD", "PER_LINUX", "ARCH"):
        assert namespace[name] is getattr(L, name), name


def test_all_is_every_public_name_and_no_module():
    import types
    assert len(L.__all__) == len(set(L.__all__))
    for name in L.__all__:
        assert not isinstance(getattr(L, name), types.ModuleType), name
    public = {n for n, v in vars(L).items() if not n.startswith("_")
              and not isinstance(v, types.ModuleType)} - {"annotations"}
    assert public <= set(L.__all__), public - set(L.__all__)
    for family in (L.fs, L.io, L.process, L.signal, L.time):
        assert set(family.__all__) - {family.__name__.rpartition(".")[2]} <= set(L.__all__)
    assert set(L.flags.NAMESPACES) <= set(L.__all__) and set(L.flags.FLAT) <= set(L.__all__)


def test_dir_and_help_show_functions_and_classes_and_name_the_namespaces():
    import pydoc
    names = dir(L)
    assert {"open", "read", "Fd", "Stat", "Epoll", "ARCH", "SYS", "syscall"} <= set(names)
    assert not set(names) & (set(L.flags.FLAT) | set(L.flags.NAMESPACES))
    assert len(names) < 1000  # not the ~3,000 constants
    text = pydoc.render_doc(L, renderer=pydoc.plaintext)
    classes, functions, data = (text.index(f"\n{h}\n") for h in ("CLASSES", "FUNCTIONS", "DATA"))
    assert classes < functions < data
    assert "class O(" not in text and "O_RDONLY = " not in text
    assert "    open(path" in text[functions:data] and "class Fd(" in text[classes:functions]
    listed = text[text.index("Namespaces:"):classes]
    assert all(f" {n}," in listed or f" {n}." in listed for n in L.flags.NAMESPACES)


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


def test_raw_syscall_number_range():
    """The kernel reads the number as an int: 2**40 must not wrap to read (0) or anything."""
    for nr in (-1, 2**31, 2**32, 2**40, 2**40 + L.SYS.getpid, -2**63):
        with pytest.raises(OverflowError):
            L.syscall(nr)
    with pytest.raises(L.UnsupportedError):
        L.syscall(4000)  # unassigned everywhere (ARM answers numbers from 0xf0000 with SIGILL)
    with pytest.raises(TypeError):
        L.syscall(float(L.SYS.getpid))


def test_raw_syscall_releases_its_views_before_raising():
    ba = bytearray(8)
    try:
        L.syscall(L.SYS.read, -1, ba, 8)
    except OSError as e:
        err = e          # the traceback keeps syscall's frame alive
    assert err.errno == errno.EBADF
    ba.extend(b"x")      # BufferError if a view of it were still exported
    ba = bytearray(8)
    with pytest.raises(TypeError):
        L.syscall(L.SYS.read, 0, ba, "not an int")   # fails after the view was made
    ba.extend(b"x")
    for _ in range(200):  # the memoryview crash of issue 7 defect 2
        try:
            L.syscall(L.SYS.read, -1, memoryview(bytearray(16)), 16)
        except OSError as e:
            err = e
    gc.collect()


def test_raw_syscall_leaves_the_callers_own_cdata_alone():
    view = L.ffi.from_buffer(bytearray(b"abcd"))
    assert L.syscall(L.SYS.getpid, view) == os.getpid()
    assert view[0] == b"a"   # not released: it is the caller's
    r, w = L.pipe()
    with r, w:
        L.write(w, b"zz")
        out = L.ffi.new("char[2]")
        assert L.syscall(L.SYS.read, r, out, 2) == 2 and L.ffi.buffer(out)[:] == b"zz"


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
