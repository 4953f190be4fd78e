"""linuxsys.system: syslog, acct, swapon/swapoff, reboot, kexec_load/kexec_file_load,
init_module/finit_module/delete_module, vhangup -- against the real kernel.

We are root on a shared machine: every call that could change the machine is made only on an
error path that fails before the kernel acts (a wrong reboot magic, unknown flags, a missing
path, a file holding no swap signature), or in a child that first unshares a user namespace
(and checks /proc/self/ns/user changed) or runs as nobody, where the capability check refuses
it.  syslog is only read (READ_ALL, SIZE_BUFFER, SIZE_UNREAD); acct never gets a file that
exists; reboot never gets the right magic numbers outside such a child, and there only an
unknown command.  Kernels built without modules or kexec answer ENOSYS (UnsupportedError):
/proc/config.gz (or the sysctls those options add) says which to expect."""
import ctypes
import errno
import gzip
import inspect
import os
import re

import pytest

import linuxsys as L
from linuxsys._native import lib
from conftest import as_nobody, child_ok, needs_userns, raises_errno, requires_root, userns_ready

pytestmark = requires_root()

NO_SUCH_MODULE = "linuxsys_no_such_module"
UNKNOWN_REBOOT_CMD = 0x12345678  # no LINUX_REBOOT_CMD: EINVAL once the checks pass


def _kconfig():
    try:
        with gzip.open("/proc/config.gz", "rt") as f:
            return f.read()
    except OSError:
        return None


KCONFIG = _kconfig()


def configured(option, sysctl=None):
    """Whether the running kernel has CONFIG_<option> (/proc/config.gz, else a sysctl file the
    option brings; None: cannot tell)."""
    if KCONFIG is not None:
        return re.search(rf"^CONFIG_{option}=[ym]$", KCONFIG, re.M) is not None
    if sysctl is not None:
        return os.path.exists(f"/proc/sys/kernel/{sysctl}")
    return None


MODULES = configured("MODULES", "modules_disabled")
KEXEC = configured("KEXEC", "kexec_load_disabled")
KEXEC_FILE = configured("KEXEC_FILE") and hasattr(lib, "SYS_kexec_file_load")


def expect(present, code, fn, *args, **kwargs):
    """fn(*args) fails with ``code`` where the kernel has the call, UnsupportedError where it
    does not (None: either)."""
    if present is None:
        with pytest.raises(OSError) as ei:
            fn(*args, **kwargs)
        assert ei.value.errno in (code, errno.ENOSYS), ei.value
    elif present:
        raises_errno(code, fn, *args, **kwargs)
    else:
        with pytest.raises(L.UnsupportedError):
            fn(*args, **kwargs)


def sysctl(name):
    with open(f"/proc/sys/kernel/{name}") as f:
        return int(f.read().split()[0])


# ---- syslog: read-only actions -------------------------------------------------------------

LINE = re.compile(rb"^<\d+>")


def test_syslog_reads():
    klogctl = ctypes.CDLL(None, use_errno=True).klogctl
    assert L.syslog(L.SYSLOG_ACTION.SIZE_BUFFER) == klogctl(10, None, 0) > 0
    assert L.syslog("size_buffer") == L.syslog(10, 0)
    assert L.syslog(L.SYSLOG_ACTION.SIZE_UNREAD) >= 0
    data = L.syslog(L.SYSLOG_ACTION.READ_ALL, 4096)
    assert isinstance(data, bytes) and 0 < len(data) <= 4096
    assert all(LINE.match(line) for line in data.splitlines())
    buf = bytearray(b"\xff" * 4096)
    n = L.syslog(L.SYSLOG_ACTION.READ_ALL, buf)
    assert 0 < n <= 4096 and all(LINE.match(line) for line in bytes(buf[:n]).splitlines())
    assert L.syslog(L.SYSLOG_ACTION.READ_ALL, 0) == b""
    mem = L.ffi.new("char[]", 256)
    assert 0 <= L.syslog(L.SYSLOG_ACTION.READ_ALL, mem) <= 256


def test_syslog_errors():
    raises_errno(errno.EINVAL, L.syslog, 99)
    ba = bytearray(16)
    try:
        L.syslog(99, ba)
    except OSError as e:
        err = e
    assert err.errno == errno.EINVAL
    ba.extend(b"x")  # the view was released before the raise
    with pytest.raises(TypeError):
        L.syslog(L.SYSLOG_ACTION.READ_ALL, b"read-only")
    with pytest.raises(TypeError):
        L.syslog(L.SYSLOG_ACTION.READ_ALL, "16")
    with pytest.raises(ValueError):
        L.syslog(L.SYSLOG_ACTION.READ_ALL, -1)
    with pytest.raises(OverflowError):
        L.syslog(L.SYSLOG_ACTION.READ_ALL, 1 << 31)  # len is a C int: refused before allocating
    with pytest.raises(ValueError):
        L.syslog("bogus")
    with pytest.raises(TypeError):
        L.syslog(L.O.RDONLY)


# ---- acct, swapon, swapoff -------------------------------------------------------------------

def test_acct_error_paths(tmp_path):
    # the file is opened before accounting is touched: a missing one changes nothing
    raises_errno(errno.ENOENT, L.acct, tmp_path / "missing" / "acct")
    e = raises_errno(errno.ENOENT, L.acct, str(tmp_path / "missing"))
    assert e.filename == str(tmp_path / "missing")
    with pytest.raises(ValueError):
        L.acct("a\0b")
    with pytest.raises(TypeError):
        L.acct(5)


@pytest.fixture
def not_swap(tmp_path):
    p = tmp_path / "not-swap"
    p.write_bytes(bytes(8192))  # no SWAPSPACE2 signature
    return p


def test_swapon_swapoff_error_paths(tmp_path, not_swap):
    missing = tmp_path / "missing"
    e = raises_errno(errno.ENOENT, L.swapon, missing)
    assert e.filename == str(missing)
    raises_errno(errno.ENOENT, L.swapoff, missing)
    raises_errno(errno.EINVAL, L.swapon, not_swap)            # no swap signature
    raises_errno(errno.EINVAL, L.swapon, not_swap, -1)        # unknown flags, checked first
    raises_errno(errno.EINVAL, L.swapoff, not_swap)           # not in use for swap
    with pytest.raises(ValueError):
        L.swapon(not_swap, "bogus")
    with pytest.raises(TypeError):
        L.swapon(not_swap, L.O.RDONLY)
    assert L.SWAP_FLAG.PRIO_MASK == 0x7FFF and L.SWAP_FLAG.PREFER == 0x8000


# ---- reboot ----------------------------------------------------------------------------------

def test_reboot_error_paths():
    # the capability check passes as root; the magic numbers are checked before anything else
    raises_errno(errno.EINVAL, L.reboot, L.LINUX_REBOOT_CMD.CAD_ON, magic=0)
    raises_errno(errno.EINVAL, L.reboot, L.LINUX_REBOOT_CMD.CAD_OFF, magic2=0)
    raises_errno(errno.EINVAL, L.reboot, UNKNOWN_REBOOT_CMD, magic=lib.LINUX_REBOOT_MAGIC2,
                 magic2=lib.LINUX_REBOOT_MAGIC1)
    # bad arguments are refused before the call (a wrong magic too, should they not be)
    for bad in (dict(arg="a\0b"), dict(arg=5)):
        with pytest.raises((ValueError, TypeError)):
            L.reboot(UNKNOWN_REBOOT_CMD, magic=0, **bad)
    with pytest.raises(OverflowError):
        L.reboot(UNKNOWN_REBOOT_CMD, magic=1 << 32)
    with pytest.raises(ValueError):
        L.reboot("bogus", magic=0)
    with pytest.raises(TypeError):
        L.reboot(L.O.RDONLY, magic=0)
    # reboot(cmd) passes reboot(3)'s magic numbers
    params = inspect.signature(L.reboot).parameters
    assert list(params)[:2] == ["cmd", "arg"]
    assert params["magic"].default == lib.LINUX_REBOOT_MAGIC1 == 0xFEE1DEAD
    assert params["magic2"].default == lib.LINUX_REBOOT_MAGIC2 == 672274793
    assert L.LINUX_REBOOT_CMD.RESTART == 0x01234567 and L.LINUX_REBOOT_CMD.KEXEC == 0x45584543
    assert UNKNOWN_REBOOT_CMD not in {int(m) for m in L.LINUX_REBOOT_CMD}


# ---- kexec -----------------------------------------------------------------------------------

BAD_KEXEC_FLAGS = 1 << 15  # neither a KEXEC flag nor in KEXEC.ARCH_MASK: EINVAL


def test_kexec_error_paths(tmp_path):
    assert not BAD_KEXEC_FLAGS & (sum(L.KEXEC) | L.KEXEC.ARCH_MASK)
    expect(KEXEC, errno.EINVAL, L.kexec_load, 0, [], BAD_KEXEC_FLAGS)
    ba = bytearray(64)
    with pytest.raises(OSError) as ei:
        L.kexec_load(0, [(ba, 0x100000, 4096)], BAD_KEXEC_FLAGS)
    assert ei.value.errno in (errno.EINVAL, errno.ENOSYS)
    ba.extend(b"x")  # every segment's view was released
    for segments in ([(b"x", 0)], [b"xyz"], b"abc", [(b"x", -1, 1)], [(b"x", 0, -1)],
                     [(5, 0, 1)]):
        with pytest.raises((TypeError, OverflowError)):
            L.kexec_load(0, segments, BAD_KEXEC_FLAGS)
    with pytest.raises(ValueError):
        L.kexec_load(0, [], "bogus")
    p = tmp_path / "not-a-kernel"
    p.write_bytes(b"\0" * 64)
    with L.open(p) as fd:
        expect(KEXEC_FILE, errno.EINVAL, L.kexec_file_load, fd, -1, "console=ttyS0", 1 << 20)
        expect(KEXEC_FILE, errno.EINVAL, fd.kexec_file_load, -1, None, 1 << 20)
    with pytest.raises(ValueError):
        L.kexec_file_load(-1, -1, "a\0b", 1 << 20)


# ---- modules ---------------------------------------------------------------------------------

def test_module_error_paths():
    expect(MODULES, errno.ENOENT, L.delete_module, NO_SUCH_MODULE)
    expect(MODULES, errno.ENOENT, L.delete_module, NO_SUCH_MODULE.encode(), L.O.NONBLOCK)
    with pytest.raises(ValueError):
        L.delete_module("a\0b")
    with pytest.raises(TypeError):
        L.delete_module(NO_SUCH_MODULE, L.CLONE.NEWUSER)
    expect(MODULES, errno.EBADF, L.finit_module, -1)
    expect(MODULES, errno.EINVAL, L.finit_module, -1, "", -1)  # flags are checked first
    with pytest.raises(ValueError):
        L.finit_module(-1, "a\0b")
    closed = L.open("/")
    closed.close()
    with pytest.raises(L.ClosedFdError):
        L.finit_module(closed)
    with pytest.raises(TypeError):
        L.init_module("not a buffer")
    with pytest.raises(ValueError):
        L.init_module(b"\x7fELF", "a\0b")


# ---- vhangup ---------------------------------------------------------------------------------

def test_vhangup_without_a_terminal():
    def child():
        os.setsid()  # a new session: no controlling terminal, so nothing to hang up
        with pytest.raises(OSError) as ei:
            os.open("/dev/tty", os.O_RDWR | os.O_CLOEXEC)
        assert ei.value.errno == errno.ENXIO
        assert L.vhangup() is None
    child_ok(child)


# ---- without the capabilities ----------------------------------------------------------------

def test_as_nobody():
    def child():
        # syslog's OPEN and CLOSE are no-ops that still need CAP_SYSLOG
        raises_errno(errno.EPERM, L.syslog, L.SYSLOG_ACTION.CLOSE)
        if sysctl("dmesg_restrict"):
            raises_errno(errno.EPERM, L.syslog, L.SYSLOG_ACTION.READ_ALL, 64)
        else:
            assert len(L.syslog(L.SYSLOG_ACTION.READ_ALL, 64)) <= 64
        raises_errno(errno.EPERM, L.acct, "/nonexistent/acct")
        raises_errno(errno.EPERM, L.reboot, UNKNOWN_REBOOT_CMD)
        os.setsid()
        raises_errno(errno.EPERM, L.vhangup)
    assert as_nobody(child) == 0


@needs_userns
def test_in_user_namespace(tmp_path, not_swap):
    """Every capability check of the initial namespace fails in a new user namespace: the calls
    that would change the machine answer EPERM (ENOSYS where the kernel lacks them)."""
    module = tmp_path / "garbage.ko"
    module.write_bytes(b"\x7fELF" + os.urandom(60))

    def child():
        userns_ready()
        before = os.readlink("/proc/self/ns/user")
        L.unshare(L.CLONE.NEWUSER)
        assert os.readlink("/proc/self/ns/user") != before
        raises_errno(errno.EPERM, L.acct, None)
        raises_errno(errno.EPERM, L.swapon, not_swap, L.SWAP_FLAG.DISCARD)
        raises_errno(errno.EPERM, L.swapoff, not_swap)
        # the right magic numbers, but an unknown command: EPERM comes first
        raises_errno(errno.EPERM, L.reboot, UNKNOWN_REBOOT_CMD)
        expect(KEXEC, errno.EPERM, L.kexec_load, 0, [(b"\0" * 16, 0x100000, 4096)],
               L.KEXEC.ON_CRASH)
        ba = bytearray(module.read_bytes())
        expect(MODULES, errno.EPERM, L.init_module, ba, "x=1")
        ba.extend(b"x")  # released after the error
        expect(MODULES, errno.EPERM, L.init_module, memoryview(bytes(ba)))
        with L.open(module) as fd:
            expect(KEXEC_FILE, errno.EPERM, L.kexec_file_load, fd, -1, None,
                   L.KEXEC_FILE.NO_INITRAMFS)
            expect(MODULES, errno.EPERM, L.finit_module, fd, "", L.MODULE_INIT.IGNORE_VERMAGIC)
            expect(MODULES, errno.EPERM, fd.finit_module)
        expect(MODULES, errno.EPERM, L.delete_module, NO_SUCH_MODULE)
    child_ok(child)
