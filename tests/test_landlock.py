"""linuxsys.landlock: landlock_create_ruleset, landlock_add_rule, landlock_restrict_self, the
ABI queries and the best-effort Ruleset builder — against the real kernel.

Every landlock_restrict_self runs in a forked child (conftest.child_ok): the test process is
never sandboxed.  Signals go only to processes these tests start."""
import errno
import os
import re
import shutil
import signal
import socket
import subprocess
import sys

import pytest

import linuxsys as L
from linuxsys import landlock
from linuxsys.landlock import LandlockRights, Ruleset, rights
from conftest import EMULATED, as_nobody, child_ok, cloexec, raises_errno, requires_root

FS, NET, SCOPE = L.LANDLOCK_ACCESS_FS, L.LANDLOCK_ACCESS_NET, L.LANDLOCK_SCOPE
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The first mainline release of each Landlock ABI (Documentation/userspace-api/landlock.rst).
RELEASES = [((5, 13), 1), ((5, 19), 2), ((6, 2), 3), ((6, 7), 4), ((6, 10), 5), ((6, 12), 6),
            ((6, 15), 7)]


def abi_at_least(n):
    """The running ABI; skip below ``n``.  No Landlock at all skips under qemu-user only."""
    abi = L.landlock_abi_version()
    if abi == 0 and EMULATED:
        pytest.skip("qemu-user: no Landlock here (ENOSYS/EOPNOTSUPP)")
    assert abi > 0, "this kernel has no Landlock (or it is disabled at boot)"
    if abi < n:
        pytest.skip(f"needs Landlock ABI {n}, the kernel has {abi}")
    return abi


def no_new_privs():
    with open("/proc/self/status") as f:
        return re.search(r"^NoNewPrivs:\s*(\d)", f.read(), re.M).group(1) == "1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def tree(tmp_path):
    """inside/ (a.txt) and outside/ (b.txt, c.txt)."""
    for d, names in (("inside", ["a.txt"]), ("outside", ["b.txt", "c.txt"])):
        (tmp_path / d).mkdir()
        for n in names:
            (tmp_path / d / n).write_text(n)
    return tmp_path


# ---- the ABI queries -------------------------------------------------------------------------

def test_abi_version_matches_the_kernel():
    if EMULATED and L.landlock_abi_version() == 0:  # qemu-user: what a kernel without it says
        with pytest.raises(OSError) as ei:
            L.landlock_create_ruleset("read_file")
        assert ei.value.errno in (errno.ENOSYS, errno.EOPNOTSUPP)
        assert L.landlock_errata() == 0
        with pytest.raises(OSError) as ei:  # UnsupportedError: nothing can be enforced
            Ruleset()
        assert ei.value.errno == errno.ENOSYS
        return
    abi = abi_at_least(1)
    assert L.landlock_abi_version is landlock.abi_version
    assert landlock.landlock_create_ruleset(flags="version") == abi
    assert type(L.landlock_create_ruleset(flags=L.LANDLOCK_CREATE_RULESET.VERSION)) is int
    release = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", os.uname().release).groups())
    expected = max([a for r, a in RELEASES if release >= r], default=0)
    assert abi >= expected, (os.uname().release, abi)
    if release[:2] == (6, 18):
        assert abi == 7
    try:
        with open("/sys/kernel/security/lsm") as f:
            assert "landlock" in f.read().split(",")
    except FileNotFoundError:  # securityfs not mounted here
        pass


def test_errata():
    abi = abi_at_least(1)
    e = L.landlock_errata()
    assert e >= 0
    if abi >= 7:  # the ERRATA query came with ABI 7 (6.15)
        assert e == L.landlock_create_ruleset(flags="errata")


def test_rights_by_abi():
    assert rights(0) == (0, 0, 0)
    v1 = rights(1)
    assert v1.fs == (int(FS.MAKE_SYM) << 1) - 1 and v1.net == 0 and v1.scoped == 0
    assert rights(2).fs == v1.fs | FS.REFER
    assert rights(3).fs == v1.fs | FS.REFER | FS.TRUNCATE
    assert rights(4) == (rights(3).fs, NET.BIND_TCP | NET.CONNECT_TCP, 0)
    assert rights(5).fs == rights(3).fs | FS.IOCTL_DEV
    assert rights(6).scoped == SCOPE.SIGNAL | SCOPE.ABSTRACT_UNIX_SOCKET
    assert rights(7) == rights(6) == rights(99)
    assert isinstance(rights(6), LandlockRights) and isinstance(rights(6).fs, FS)
    assert rights() == rights(L.landlock_abi_version())
    with pytest.raises(ValueError):
        rights(-1)
    with pytest.raises(TypeError):
        rights("3")


# ---- landlock_create_ruleset -----------------------------------------------------------------

def test_create_ruleset():
    abi = abi_at_least(1)
    with L.landlock_create_ruleset("read_file|read_dir") as fd:
        assert isinstance(fd, L.Fd) and cloexec(fd)
        assert os.readlink(f"/proc/self/fd/{fd.fileno()}") == "anon_inode:[landlock-ruleset]"
    if abi >= 4:
        L.landlock_create_ruleset(FS.READ_FILE, NET.BIND_TCP).close()
        L.landlock_create_ruleset(handled_access_net="connect_tcp").close()
    if abi >= 6:
        L.landlock_create_ruleset(scoped=SCOPE.SIGNAL).close()
    raises_errno(errno.ENOMSG, L.landlock_create_ruleset)  # handles nothing
    raises_errno(errno.EINVAL, L.landlock_create_ruleset, 1 << 40)  # a right no ABI knows
    raises_errno(errno.EINVAL, L.landlock_create_ruleset, "read_file", flags="version")
    raises_errno(errno.EINVAL, L.landlock_create_ruleset, flags=1 << 20)
    with pytest.raises(ValueError):
        L.landlock_create_ruleset("read_fil")
    with pytest.raises(TypeError):  # another namespace's member
        L.landlock_create_ruleset(NET.BIND_TCP)
    with pytest.raises(OverflowError):
        L.landlock_create_ruleset(-1)
    with pytest.raises(OverflowError):
        L.landlock_create_ruleset(1 << 64)


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_create_ruleset_passes_the_smallest_attr_size():
    """ABI 1-3 kernels know an 8-byte landlock_ruleset_attr, 4-5 a 16-byte one: a field left 0
    is not sent (seen through strace)."""
    if EMULATED:
        pytest.skip("qemu-user: no ptrace")
    abi_at_least(6)
    script = ("from linuxsys.landlock import landlock_create_ruleset as c\n"
              "c('read_file').close(); c('read_file', 'bind_tcp').close()\n"
              "c(0, 0, 'signal').close(); c('read_file', 0, 'signal').close()\n"
              "c(flags='version')\n")
    out = subprocess.run(["strace", "-f", "-qq", "-e", "trace=landlock_create_ruleset",
                          sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True).stderr
    sizes = [int(m) for m in re.findall(r"landlock_create_ruleset\((?:NULL|\{.*?\}), (\d+),", out)]
    assert sizes == [8, 16, 24, 24, 0], out


# ---- landlock_add_rule -----------------------------------------------------------------------

def test_add_rule(tree):
    abi = abi_at_least(1)
    rs = L.landlock_create_ruleset("read_file|read_dir|write_file", "bind_tcp" if abi >= 4 else 0)
    inside = L.open(tree / "inside", L.O.PATH)
    file_ = L.open(tree / "inside" / "a.txt", L.O.PATH)
    try:
        L.landlock_add_rule(rs, L.LANDLOCK_RULE.PATH_BENEATH, "read_file|read_dir",
                            parent_fd=inside)
        rs.landlock_add_rule("path_beneath", FS.READ_FILE, parent_fd=file_)  # the Fd method
        L.landlock_add_rule(rs.fileno(), 1, 4, parent_fd=file_.fileno())  # plain ints
        # a directory right on a file; a right not handled; no right
        raises_errno(errno.EINVAL, L.landlock_add_rule, rs, "path_beneath", "read_dir",
                     parent_fd=file_)
        raises_errno(errno.EINVAL, L.landlock_add_rule, rs, "path_beneath", "execute",
                     parent_fd=inside)
        raises_errno(errno.ENOMSG, L.landlock_add_rule, rs, "path_beneath", 0, parent_fd=inside)
        raises_errno(errno.EBADF, L.landlock_add_rule, rs, "path_beneath", "read_file",
                     parent_fd=-1)
        raises_errno(errno.EINVAL, L.landlock_add_rule, rs, "path_beneath", "read_file",
                     parent_fd=inside, flags=1)
        with open(tree / "inside" / "a.txt") as f:  # not a ruleset: EBADFD
            raises_errno(errno.EBADFD, L.landlock_add_rule, f, "path_beneath", "read_file",
                         parent_fd=inside)
        raises_errno(errno.EBADF, L.landlock_add_rule, -1, "path_beneath", "read_file",
                     parent_fd=inside)
        if abi >= 4:
            L.landlock_add_rule(rs, L.LANDLOCK_RULE.NET_PORT, NET.BIND_TCP, port=8080)
            raises_errno(errno.EINVAL, L.landlock_add_rule, rs, "net_port", "bind_tcp",
                         port=65536)
            raises_errno(errno.EINVAL, L.landlock_add_rule, rs, "net_port", "connect_tcp",
                         port=80)  # not handled
        # before any syscall
        with pytest.raises(TypeError):
            L.landlock_add_rule(rs, "path_beneath", "read_file")  # no parent_fd
        with pytest.raises(TypeError):
            L.landlock_add_rule(rs, "path_beneath", "read_file", parent_fd=inside, port=1)
        with pytest.raises(TypeError):
            L.landlock_add_rule(rs, "net_port", "bind_tcp", parent_fd=inside)
        with pytest.raises(ValueError):
            L.landlock_add_rule(rs, 3, "read_file", parent_fd=inside)
        with pytest.raises(ValueError):
            L.landlock_add_rule(rs, "path_beneath", "bind_tcp", parent_fd=inside)
        with pytest.raises(TypeError):  # a net right for a path rule
            L.landlock_add_rule(rs, "path_beneath", NET.BIND_TCP, parent_fd=inside)
        with pytest.raises(OverflowError):
            L.landlock_add_rule(rs, "net_port", "bind_tcp", port=-1)
    finally:
        inside.close()
        file_.close()
        rs.close()
    raises_errno(errno.EBADF, L.landlock_add_rule, rs, "path_beneath", "read_file", parent_fd=0)


# ---- landlock_restrict_self (always in a child) ----------------------------------------------

def test_restrict_self_raw(tree):
    abi_at_least(1)

    def child():
        raises_errno(errno.EBADF, L.landlock_restrict_self, -1)
        with open(tree / "inside" / "a.txt") as f:
            raises_errno(errno.EBADFD, L.landlock_restrict_self, f)
        rs = L.landlock_create_ruleset("write_file")
        raises_errno(errno.EINVAL, L.landlock_restrict_self, rs, 1 << 20)
        L.pr_set_no_new_privs()
        rs.landlock_restrict_self()
        rs.close()
        raises_errno(errno.EBADF, L.landlock_restrict_self, rs)
        with pytest.raises(PermissionError):
            open(tree / "inside" / "a.txt", "w")
    child_ok(child)
    assert (tree / "inside" / "a.txt").read_text() == "a.txt"


def test_sandbox_reads_one_directory(tree):
    abi_at_least(1)
    inside, outside = tree / "inside", tree / "outside"

    def child():
        with Ruleset() as rs:  # every fs right of this kernel
            assert rs.handled.fs == rights().fs and rs.dropped == (0, 0, 0)
            rs.allow_path(str(inside), "read_file|read_dir")
            rs.restrict_self()
        assert L.pr_get_no_new_privs()  # (/proc is outside the sandbox: asked through prctl)
        with open(inside / "a.txt") as f:
            assert f.read() == "a.txt"
        assert os.listdir(inside) == ["a.txt"]
        for fn in (lambda: open(outside / "b.txt"), lambda: os.listdir(outside),
                   lambda: open(inside / "a.txt", "a"), lambda: open(inside / "new", "w"),
                   lambda: os.mkdir(inside / "d"), lambda: os.unlink(inside / "a.txt")):
            with pytest.raises(PermissionError) as ei:
                fn()
            assert ei.value.errno == errno.EACCES
    child_ok(child)
    assert sorted(os.listdir(inside)) == ["a.txt"]


def test_sandbox_rule_on_a_file_drops_directory_rights(tree):
    abi_at_least(1)
    outside = tree / "outside"

    def child():
        rs = Ruleset("read_file|read_dir|write_file")
        # read_dir and remove_file mean nothing on a file: left out, not an EINVAL
        rs.allow_path(outside / "b.txt", "read_file|read_dir|remove_file")
        rs.allow_path(outside / "c.txt", "read_dir")  # nothing left: no rule
        with L.open(tree / "inside", L.O.PATH) as d:  # an open fd works too
            rs.allow_path(d, "read_file")
        rs.restrict_self()
        with open(outside / "b.txt") as f:
            assert f.read() == "b.txt"
        with open(tree / "inside" / "a.txt") as f:
            assert f.read() == "a.txt"
        raises_errno(errno.EACCES, L.open, outside / "c.txt")
        raises_errno(errno.EACCES, L.open, outside / "b.txt", L.O.WRONLY)
        raises_errno(errno.EACCES, os.listdir, outside)
    child_ok(child)


def test_sandbox_tcp_ports():
    abi_at_least(4)

    def child():
        allowed, other = free_port(), free_port()
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))  # before the sandbox
        listener.listen(1)
        target = listener.getsockname()[1]
        rs = Ruleset(fs=0, net="bind_tcp|connect_tcp")
        rs.allow_port(allowed, "bind_tcp")
        rs.allow_port(target, NET.CONNECT_TCP)
        rs.restrict_self()
        with socket.socket() as s:
            s.bind(("127.0.0.1", allowed))
        with socket.socket() as s:
            with pytest.raises(PermissionError) as ei:
                s.bind(("127.0.0.1", other))
            assert ei.value.errno == errno.EACCES
        with socket.socket() as s:
            s.connect(("127.0.0.1", target))
        with socket.socket() as s:
            with pytest.raises(PermissionError) as ei:
                s.connect(("127.0.0.1", other))
            assert ei.value.errno == errno.EACCES
        listener.close()
    child_ok(child)


def test_scoped_signal_and_abstract_socket():
    abi_at_least(6)
    sibling = os.fork()  # a process of ours outside the sandbox's domain
    if sibling == 0:
        try:
            while True:
                signal.pause()
        finally:
            os._exit(0)
    name = b"\0linuxsys-landlock-" + os.urandom(8).hex().encode()
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(name)
        server.listen(1)

        def child():
            rs = Ruleset(fs=0, scoped="signal|abstract_unix_socket")
            rs.restrict_self()
            raises_errno(errno.EPERM, os.kill, sibling, 0)
            raises_errno(errno.EPERM, os.kill, sibling, signal.SIGTERM)
            os.kill(os.getpid(), 0)  # its own domain
            inner = os.fork()  # a child of the sandbox is inside its domain
            if inner == 0:
                signal.pause()
                os._exit(0)
            os.kill(inner, signal.SIGKILL)
            os.waitpid(inner, 0)
            with socket.socket(socket.AF_UNIX) as s:
                raises_errno(errno.EPERM, s.connect, name)
        child_ok(child)
        with socket.socket(socket.AF_UNIX) as s:  # outside the sandbox: reachable
            s.connect(name)
    finally:
        server.close()
        os.kill(sibling, signal.SIGKILL)
        os.waitpid(sibling, 0)


# ---- best effort by ABI ----------------------------------------------------------------------

def test_lower_abi_drops_and_reports(tree):
    abi_at_least(4)  # net rights exist here, so ABI 3 really drops some
    rs = Ruleset("read_file|read_dir|refer|truncate|ioctl_dev", "bind_tcp", "signal", abi=3)
    with rs:
        assert rs.abi == 3
        assert rs.handled == (FS.READ_FILE | FS.READ_DIR | FS.REFER | FS.TRUNCATE, 0, 0)
        assert rs.dropped == (FS.IOCTL_DEV, NET.BIND_TCP, SCOPE.SIGNAL)
        assert isinstance(rs.dropped.net, NET)
    with Ruleset(abi=1) as rs:
        assert rs.handled.fs == rights(1).fs and rs.dropped == (0, 0, 0)
    with Ruleset("refer|read_file", abi=1) as rs:
        assert rs.dropped.fs == FS.REFER
    with Ruleset(abi=99) as rs:  # capped by the kernel's
        assert rs.abi == L.landlock_abi_version()
    port = free_port()

    def child():
        rs = Ruleset("read_file|read_dir|ioctl_dev", "bind_tcp", abi=3)
        rs.allow_path(tree / "inside", "read_file|read_dir|ioctl_dev")
        rs.allow_port(1, "bind_tcp")  # net is not handled: nothing added
        rs.restrict_self()  # no EINVAL for what ABI 3 lacks
        with socket.socket() as s:  # TCP is not sandboxed
            s.bind(("127.0.0.1", port))
        raises_errno(errno.EACCES, L.open, tree / "outside" / "b.txt")
        L.open(tree / "inside" / "a.txt").close()
    child_ok(child)


def test_older_kernel_simulated(monkeypatch, tree):
    abi_at_least(1)
    monkeypatch.setattr(landlock, "abi_version", lambda: 3)
    rs = Ruleset(net="bind_tcp", scoped="signal")
    assert rs.abi == 3 and rs.handled.fs == rights(3).fs
    assert rs.dropped == (0, NET.BIND_TCP, SCOPE.SIGNAL)
    rs.close()
    # nothing asked is left: no ruleset; restrict_self only sets no_new_privs
    rs = Ruleset(fs=0, net="bind_tcp")
    assert rs.fd is None and rs.handled == (0, 0, 0) and rs.dropped.net == NET.BIND_TCP
    rs.allow_path(tree, "read_file")
    rs.allow_port(80, "bind_tcp")
    with pytest.raises(FileNotFoundError):
        rs.allow_path(tree / "nope", "read_file")

    def child():
        rs.restrict_self()
        assert L.pr_get_no_new_privs()
        L.open(tree / "outside" / "b.txt").close()
    child_ok(child)
    rs.close()
    monkeypatch.setattr(landlock, "abi_version", lambda: 0)  # no Landlock: nothing pretended
    with pytest.raises(L.UnsupportedError):
        Ruleset()


def test_restrict_flags_by_abi(tree):
    abi = abi_at_least(1)

    def child():
        if landlock._ABI7_LOG_FLAGS:  # the build's headers name the logging flags
            with Ruleset("write_file", abi=min(abi, 6)) as rs:
                rs.restrict_self(flags=landlock._ABI7_LOG_FLAGS)  # left out before ABI 7
        if abi >= 7:
            with Ruleset("write_file") as rs:
                rs.restrict_self(flags=1)  # LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
        with Ruleset("write_file") as rs:
            raises_errno(errno.EINVAL, rs.restrict_self, flags=1 << 20)  # never dropped
        raises_errno(errno.EACCES, L.open, tree / "inside" / "a.txt", L.O.WRONLY)
    child_ok(child)


# ---- privileges ------------------------------------------------------------------------------

@requires_root()
def test_restrict_without_no_new_privs():
    abi_at_least(1)
    if no_new_privs():
        pytest.skip("no_new_privs is set already in this process")

    def nobody():
        rs = Ruleset("write_file")
        raises_errno(errno.EPERM, rs.restrict_self, no_new_privs=False)
        assert not L.pr_get_no_new_privs()
        rs.restrict_self()
        assert L.pr_get_no_new_privs()
    assert as_nobody(nobody) == 0

    def root():  # CAP_SYS_ADMIN may restrict without no_new_privs
        Ruleset("write_file").restrict_self(no_new_privs=False)
        assert not L.pr_get_no_new_privs()
    child_ok(root)


# ---- bad input, before any syscall -----------------------------------------------------------

def test_bad_input(monkeypatch, tree):
    abi_at_least(1)
    issued = []
    monkeypatch.setattr(landlock, "_add_rule_path_beneath",
                        lambda *a: issued.append(a) or 0)
    with Ruleset() as rs:
        with pytest.raises(FileNotFoundError) as ei:
            rs.allow_path(tree / "nope", "read_file")
        assert ei.value.filename == str(tree / "nope")
        assert issued == []
        rs.allow_path(tree, "read_file")  # the ruleset is still good
        assert len(issued) == 1
        for bad in ("read_fil", "bind_tcp", 0):
            with pytest.raises(ValueError):
                rs.allow_path(tree, bad)
        with pytest.raises(TypeError):
            rs.allow_path(tree, NET.BIND_TCP)
        for port, exc in ((70000, ValueError), (-1, ValueError), ("80", TypeError),
                          (True, TypeError)):
            with pytest.raises(exc):
                rs.allow_port(port, "bind_tcp")
        for access in ("read_file", 0):
            with pytest.raises(ValueError):
                rs.allow_port(80, access)
        with pytest.raises(TypeError):
            rs.restrict_self(flags="log")
        with pytest.raises(OverflowError):
            rs.restrict_self(flags=-1)
        assert not L.pr_get_no_new_privs()  # nothing happened
        assert re.match(r"<Ruleset abi=\d+ fs=0x[0-9a-f]+ net=0x0 scoped=0x0 <Fd \d+>>", repr(rs))
    assert rs.fd.closed
    for fn in (lambda: rs.allow_path(tree, "read_file"), lambda: rs.allow_port(80, "bind_tcp"),
               lambda: rs.restrict_self()):
        with pytest.raises(L.ClosedFdError):
            fn()


def test_bad_input_before_any_syscall(monkeypatch):
    """Refused before the kernel is asked anything (so under qemu-user too)."""
    def forbidden(*args):
        raise AssertionError("a landlock syscall was issued")
    for helper in ("_create_ruleset", "_add_rule_path_beneath", "_add_rule_net_port"):
        monkeypatch.setattr(landlock, helper, forbidden)
    for args, kwargs, exc in [
            (("read_fil",), {}, ValueError), ((0,), {}, ValueError),  # handles nothing
            ((SCOPE.SIGNAL,), {}, TypeError), ((), {"net": FS.READ_FILE}, TypeError),
            ((), {"scoped": "bind_tcp"}, ValueError), ((), {"abi": 0}, ValueError),
            ((), {"abi": "3"}, TypeError), ((), {"abi": 3.0}, TypeError)]:
        with pytest.raises(exc):
            Ruleset(*args, **kwargs)
    for args, kwargs, exc in [
            (("read_fil",), {}, ValueError), ((NET.BIND_TCP,), {}, TypeError),
            ((), {"flags": "nope"}, ValueError), ((), {"scoped": 1.5}, TypeError)]:
        with pytest.raises(exc):
            L.landlock_create_ruleset(*args, **kwargs)
    for args, kwargs, exc in [
            ((0, "path_beneath", "read_file"), {}, TypeError),  # no parent_fd
            ((0, "path_beneath", "read_file"), {"parent_fd": 0, "port": 1}, TypeError),
            ((0, "net_port", "bind_tcp"), {"parent_fd": 0}, TypeError),
            ((0, "net_port", "bind_tcp"), {}, TypeError),  # no port
            ((0, 3, "read_file"), {"parent_fd": 0}, ValueError),
            ((0, "nope", "read_file"), {"parent_fd": 0}, ValueError),
            ((0, "path_beneath", "bind_tcp"), {"parent_fd": 0}, ValueError),
            ((0, "path_beneath", NET.BIND_TCP), {"parent_fd": 0}, TypeError),
            ((0, "net_port", FS.READ_FILE), {"port": 1}, TypeError)]:
        with pytest.raises(exc):
            L.landlock_add_rule(*args, **kwargs)
