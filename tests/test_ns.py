"""linuxsys.ns: unshare, setns, sethostname/setdomainname, the nsfs ioctls, ns_open,
write_id_maps — against the real kernel.

Everything that changes a namespace runs in a forked child that first unshares what it
changes and checks that /proc/self/ns/<kind> differs: the test process never changes its own
namespaces, and the machine's hostname is never touched."""
import errno
import os
import re
import signal
import socket

import pytest

import linuxsys as L
from conftest import (EMULATED, child_ok, cloexec, needs_userns, qemu_may_lack, raises_errno,
                      requires_root, userns_ready)

pytestmark = requires_root()
# qemu-user runs threads of its own, and unshare(CLONE_NEWUSER) refuses a multithreaded
# process (EINVAL): user namespaces are tested natively only.

KINDS = {"net": L.CLONE.NEWNET, "mnt": L.CLONE.NEWNS, "user": L.CLONE.NEWUSER,
         "pid": L.CLONE.NEWPID, "uts": L.CLONE.NEWUTS, "ipc": L.CLONE.NEWIPC,
         "cgroup": L.CLONE.NEWCGROUP, "time": L.CLONE.NEWTIME}


def ns_link(kind, pid="self"):
    return os.readlink(f"/proc/{pid}/ns/{kind}")


def own(flags, *kinds):
    """In a child: unshare ``flags`` and check that each of ``kinds`` is a new namespace."""
    before = {k: ns_link(k) for k in kinds}
    L.unshare(flags)
    for k in kinds:
        assert ns_link(k) != before[k], k


def _helper(fn):
    """Fork a grandchild that runs fn(w) (w: a pipe end it writes one byte to when ready) and
    then waits to be killed; return (pid, the read end once the byte came)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            fn(w)
            os.write(w, b"1")
            while True:
                signal.pause()
        finally:
            os._exit(1)
    os.close(w)
    assert os.read(r, 1) == b"1"
    os.close(r)
    return pid


def _stop(pid):
    os.kill(pid, 9)
    os.waitpid(pid, 0)


# ---- unshare, sethostname, setdomainname ------------------------------------------------------

def test_sethostname_in_new_uts_namespace():
    host = socket.gethostname()

    def child():
        own(L.CLONE.NEWUTS, "uts")
        L.sethostname("ls-test-host")
        L.setdomainname(b"ls-test-domain")
        assert os.uname().nodename == "ls-test-host"
        with open("/proc/sys/kernel/domainname") as f:
            assert f.read().strip() == "ls-test-domain"
        raises_errno(errno.EINVAL, L.sethostname, "x" * 65)
        with pytest.raises(ValueError):
            L.sethostname("a\0b")
        with pytest.raises(TypeError):
            L.sethostname(5)
    child_ok(child)
    assert socket.gethostname() == host


def test_unshare_string_flags_and_wrong_namespace():
    def child():
        own("newuts|newipc", "uts", "ipc")
        with pytest.raises(TypeError):  # a member of another namespace: refused before the call
            L.unshare(L.MS.BIND)
        with pytest.raises(ValueError):
            L.unshare("newnope")
        raises_errno(errno.EINVAL, L.unshare, L.CLONE.VFORK)
    child_ok(child)


# ---- setns ------------------------------------------------------------------------------------

def test_setns_through_pidfd_and_ns_fd():
    def child():
        own(L.CLONE.NEWUTS | L.CLONE.NEWNET, "uts", "net")  # what this child will change

        def helper(w):
            own(L.CLONE.NEWUTS | L.CLONE.NEWNET, "uts", "net")
            L.sethostname("ls-helper")
        pid = _helper(helper)
        try:
            with L.pidfd_open(pid) as pidfd:
                L.setns(pidfd, L.CLONE.NEWUTS | L.CLONE.NEWNET)
            assert ns_link("uts") == ns_link("uts", pid)
            assert ns_link("net") == ns_link("net", pid)
            assert os.uname().nodename == "ls-helper"
            L.unshare(L.CLONE.NEWUTS)  # leave it, then come back through an ns Fd
            assert ns_link("uts") != ns_link("uts", pid)
            with L.ns_open(pid, "uts") as fd:
                raises_errno(errno.EINVAL, L.setns, fd, L.CLONE.NEWNET)  # wrong type
                fd.setns(L.CLONE.NEWUTS)
            assert ns_link("uts") == ns_link("uts", pid)
            with L.ns_open(pid, "net") as fd:
                L.setns(fd)  # nstype 0: any
            assert ns_link("net") == ns_link("net", pid)
            with pytest.raises(TypeError):
                L.setns(0, L.MS.BIND)
        finally:
            _stop(pid)
    child_ok(child)


def test_setns_bad_fd():
    raises_errno(errno.EBADF, L.setns, -1)
    fd = L.open("/dev/null")
    fd.close()
    raises_errno(errno.EBADF, L.setns, fd)


# ---- ns_open and the nsfs ioctls (read-only: in the test process) -----------------------------

@pytest.mark.parametrize("kind", sorted(KINDS))
def test_ns_open_and_nstype(kind):
    if not os.path.exists(f"/proc/self/ns/{kind}"):
        pytest.skip(f"no {kind} namespaces here")
    with L.ns_open("self", kind) as fd:
        assert cloexec(fd)
        assert os.fstat(fd).st_ino == os.stat(f"/proc/self/ns/{kind}").st_ino
        assert qemu_may_lack(L.ns_get_nstype, fd) == KINDS[kind]  # qemu: unknown ioctl
        assert isinstance(fd.ns_get_nstype(), L.CLONE)
        if kind == "user":  # its owner is its parent: none above the initial one
            return
        with L.ns_get_userns(fd) as user:
            assert cloexec(user)
            assert os.fstat(user).st_ino == os.stat("/proc/self/ns/user").st_ino


def test_ns_open_by_pid_and_inheritable():
    with L.ns_open(os.getpid(), "net", inheritable=True) as fd:
        assert not cloexec(fd)
        assert os.fstat(fd).st_ino == os.stat("/proc/self/ns/net").st_ino


def test_ns_open_bad_input():
    with pytest.raises(ValueError):
        L.ns_open("self", "nope")
    with pytest.raises(ValueError):
        L.ns_open(0, "net")
    with pytest.raises(TypeError):
        L.ns_open(1.5, "net")
    with pytest.raises(TypeError):
        L.ns_open(True, "net")
    raises_errno(errno.ENOENT, L.ns_open, 2**22 + 12345, "net")


def test_ns_get_owner_uid_and_parent():
    with L.ns_open("self", "user") as user:
        raises_errno(errno.EPERM, L.ns_get_parent, user)  # above the caller's own: out of scope
    with L.ns_open("self", "uts") as uts:
        raises_errno(errno.EINVAL, L.ns_get_owner_uid, uts)
        raises_errno(errno.EINVAL, L.ns_get_parent, uts)  # no hierarchy


@needs_userns
def test_ns_get_parent_and_owner_of_a_new_user_namespace():
    def child():
        def helper(w):
            userns_ready()
            own(L.CLONE.NEWUSER, "user")
        pid = _helper(helper)
        try:
            with L.ns_open(pid, "user") as fd, L.ns_get_parent(fd) as parent:
                assert os.fstat(parent).st_ino == os.stat("/proc/self/ns/user").st_ino
                assert L.ns_get_owner_uid(fd) == os.geteuid()
                assert fd.ns_get_owner_uid() == os.geteuid()
        finally:
            _stop(pid)
    child_ok(child)


def test_ns_ioctls_on_other_fds():
    with L.open("/dev/null") as fd:
        raises_errno(errno.ENOTTY, L.ns_get_nstype, fd)
        raises_errno(errno.ENOTTY, L.ns_get_userns, fd)
    raises_errno(errno.EBADF, L.ns_get_nstype, -1)


# ---- write_id_maps ----------------------------------------------------------------------------

@needs_userns
def test_write_id_maps():
    def child():
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the grandchild: a new user namespace, whose maps its parent writes
            code = 1
            try:
                userns_ready()
                own(L.CLONE.NEWUSER, "user")
                os.write(ready_w, b"1")
                assert os.read(go_r, 1) == b"1"
                with open("/proc/self/uid_map") as f:
                    assert [line.split() for line in f] == [["0", "0", "1"],
                                                             ["1", "100000", "10"]]
                with open("/proc/self/gid_map") as f:
                    assert [line.split() for line in f] == [["0", "0", "1"]]
                with open("/proc/self/setgroups") as f:
                    assert f.read().strip() == "deny"
                assert os.getuid() == 0 and os.getgid() == 0
                code = 0
            finally:
                os._exit(code)
        os.close(ready_w)  # a grandchild that fails before it is ready: EOF, not a hang
        os.close(go_r)
        try:
            assert os.read(ready_r, 1) == b"1"
            # checked before anything is written: setgroups stays "allow"
            for bad in ([], [(0, 0)], [(0, -1, 1)], [(0, 0, 0)], [(0, 0, 2**32)],
                        [(0, 0, 5), (3, 10, 5)], [("0", 0, 1)], "0 0 1", [(0, 0, 1)] * 341):
                with pytest.raises((TypeError, ValueError)):
                    L.write_id_maps(pid, bad, [(0, 0, 1)])
            with pytest.raises(ValueError):
                L.write_id_maps(pid, [(0, 0, 1)], [(0, 0, 1)], setgroups="maybe")
            with open(f"/proc/{pid}/setgroups") as f:
                assert f.read().strip() == "allow"
            L.write_id_maps(pid, [(0, 0, 1), (1, 100000, 10)], [(0, 0, 1)])
            raises_errno(errno.EPERM, L.write_id_maps, pid, [(0, 0, 1)], None, None)  # once
            os.write(go_w, b"1")
        finally:
            _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    child_ok(child)


def test_write_id_maps_bad_pid():
    with pytest.raises(ValueError):
        L.write_id_maps(-1, [(0, 0, 1)], None)
    raises_errno(errno.ENOENT, L.write_id_maps, 2**22 + 12345, [(0, 0, 1)], None)


def _kernel_at_least(major, minor):
    m = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return (int(m.group(1)), int(m.group(2))) >= (major, minor)


def test_listns():
    with pytest.raises(ValueError):
        L.listns(count=-1)
    with pytest.raises(OverflowError):
        L.listns(user_ns_id=2**64)
    with pytest.raises(TypeError):
        L.listns(L.MS.BIND)  # another namespace's member
    try:
        every = L.listns()
    except L.UnsupportedError:
        assert EMULATED or not _kernel_at_least(6, 19)
        return
    assert every and all(isinstance(i, int) and i > 0 for i in every)
    first = L.listns(count=2)
    assert first == every[:2]
    assert L.listns(last_ns_id=first[-1]) == every[2:]
    nets = L.listns(L.CLONE.NEWNET)
    assert set(nets) <= set(every)
    assert set(L.listns(L.CLONE.NEWNET, L.LISTNS_CURRENT_USER)) <= set(nets)
