"""The signal family against the real kernel, with Python's signal module as the oracle."""
import contextlib
import errno
import fcntl
import os
import sys
import select
import selectors
import signal
import socket
import struct
import threading

import pytest

import linuxsys as L
from linuxsys import signal as lsig
from conftest import EMULATED, as_nobody, cloexec, dead_pid, in_child, raises_errno

USR1, USR2 = signal.SIGUSR1, signal.SIGUSR2
RT = signal.SIGRTMIN + 1  # glibc's SIGRTMIN: the kernel's first two or three are glibc's own
SFD_SIGINFO = 128  # sizeof(struct signalfd_siginfo)



def current_mask():
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, []))


def drain(*sigs):
    while signal.sigtimedwait(sigs, 0) is not None:
        pass


@contextlib.contextmanager
def blocked(*sigs, block=True):
    """Block sigs in this thread for the block (through Python's signal module, the oracle),
    with handlers recording any delivery; afterwards drain what is pending and restore the
    mask and the handlers."""
    hits = []
    handlers = {s: signal.signal(s, lambda n, frame: hits.append(n)) for s in sigs}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs if block else [])
    try:
        drain(*sigs)
        yield hits
    finally:
        drain(*sigs)
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
        for s, h in handlers.items():
            signal.signal(s, h)


@pytest.fixture
def restore_mask():
    """For tests changing the mask themselves."""
    with blocked(USR1, USR2, RT, block=False):
        yield



def assert_same_as_stdlib(info, std):
    """Our Siginfo against signal.sigtimedwait's struct_siginfo for the same kind of signal."""
    assert (info.si_signo, info.si_code, info.si_errno, info.si_pid, info.si_uid) == \
        (std.si_signo, std.si_code, std.si_errno, std.si_pid, std.si_uid)


# ---- numbers, sets, namespaces --------------------------------------------------------------

def test_signum_and_masks():
    assert L.signum("SIGTERM") == L.signum("term") == L.signum(L.SIG.SIGTERM) == signal.SIGTERM
    assert L.sigmask([1, "usr1", RT]) == 1 | 1 << (USR1 - 1) | 1 << (RT - 1)
    assert L.signals_of(L.sigmask([USR1, RT, 64])) == {USR1, RT, 64}
    assert L.SIGRTMAX == 64 and L.SIGRTMIN <= signal.SIGRTMIN
    for bad in (0, -1, 65, "nosuch"):
        with pytest.raises(ValueError):
            L.signum(bad)
    for bad in (USR1, "usr1"):
        with pytest.raises(TypeError):
            L.sigmask(bad)
    for foreign in (L.E.NOENT, L.CLOCK.MONOTONIC, L.SIG_HOW.BLOCK):  # another namespace's
        with pytest.raises(TypeError):
            L.signum(foreign)
        with pytest.raises(TypeError):
            L.sigmask([foreign])
    assert L.signum(signal.SIGTERM) == L.signum(L.SIG.TERM) == 15  # Python's enum: an int


def test_sig_members_print_short():
    """SIG strips its prefix (SIG.INT), SIGINT stays an alias: what comes back prints short."""
    assert L.SIG.SIGINT is L.SIG.INT and repr(L.SIG.INT) == "<SIG.INT: 2>"
    assert L.signals_of(L.sigmask(["SIGINT", "usr1"])) == {L.SIG.INT, L.SIG.USR1}
    assert all(type(s) is L.SIG for s in L.signals_of(L.sigmask([1, 2, 15])))
    with blocked(USR1):
        os.kill(os.getpid(), USR1)
        info = L.sigtimedwait(["usr1"], 0)
    assert "si_signo=<SIG.USR1: 10>" in repr(info)


def test_namespaces():
    assert (L.SIG_BLOCK, L.SIG_UNBLOCK, L.SIG_SETMASK) == \
        (signal.SIG_BLOCK, signal.SIG_UNBLOCK, signal.SIG_SETMASK)
    assert L.SIG_HOW.BLOCK == L.SIG_BLOCK and L.SIG_HOW.SETMASK == L.SIG_SETMASK
    assert L.SFD.NONBLOCK == os.O_NONBLOCK and L.SFD.CLOEXEC == os.O_CLOEXEC
    assert (L.SI.USER, L.SI.QUEUE, L.SI.TKILL, L.SI.KERNEL) == (0, -1, -6, 0x80)
    assert L.SI_QUEUE == L.SI.QUEUE
    assert [getattr(L._native.lib, "LS_" + f.upper()) for f in L.Siginfo._fields] == \
        list(range(L._native.lib.LS_SI_COUNT))


def test_exported():
    assert all(getattr(L, name) is getattr(lsig, name) for name in lsig.__all__)
    assert L.Fd.signalfd_read is L.signalfd_read


# ---- sigprocmask, sigpending, sigsuspend ----------------------------------------------------

def test_block_raise_pending_wait_read(restore_mask):
    """The whole path on our own calls: block, raise, see it pending, take it two ways."""
    old = L.sigprocmask(L.SIG_BLOCK, [USR1])
    try:
        assert USR1 in current_mask() and USR1 not in old
        os.kill(os.getpid(), USR1)
        assert L.sigpending() == {USR1}
        assert L.sigtimedwait([USR1]).si_pid == os.getpid()
        assert L.sigpending() == set()
        os.kill(os.getpid(), USR1)
        with L.signalfd([USR1]) as fd:
            assert [i.si_pid for i in L.signalfd_read(fd)] == [os.getpid()]
    finally:
        L.sigprocmask(L.SIG_SETMASK, old)
    assert current_mask() == old


def test_sigprocmask_against_pthread_sigmask(restore_mask):
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [USR1, USR2, RT])
    before = current_mask()
    assert L.sigprocmask(L.SIG_BLOCK) == before  # a query
    assert L.sigprocmask(L.SIG_BLOCK, [USR1, RT]) == before
    assert current_mask() == before | {USR1, RT}
    assert L.sigprocmask("block", None) == current_mask()
    assert L.sigprocmask("unblock", ["usr1"]) == before | {USR1, RT}
    assert current_mask() == before | {RT}
    old = L.sigprocmask(L.SIG_HOW.SETMASK, {USR2, signal.SIGKILL, signal.SIGSTOP})
    assert old == before | {RT}
    assert current_mask() == {USR2}  # SIGKILL and SIGSTOP cannot be blocked: left out
    got = L.sigprocmask("SIG_SETMASK", before)
    assert got == {USR2} and all(type(s) is L.SIG for s in got)
    assert current_mask() == before
    # Real-time signals come back as ints, the others as SIG members.
    L.sigprocmask(L.SIG_BLOCK, [RT])
    assert {s for s in L.sigprocmask(L.SIG_BLOCK) if type(s) is int} == {RT}


def test_sigprocmask_acts_on_the_calling_thread(restore_mask):
    seen = {}

    def other():
        seen["before"] = L.sigprocmask(L.SIG_BLOCK, [USR2])
        seen["after"] = current_mask()

    signal.pthread_sigmask(signal.SIG_UNBLOCK, [USR2])
    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert USR2 in seen["after"] and USR2 not in seen["before"]
    assert USR2 not in current_mask()


def test_sigprocmask_errors(restore_mask):
    before = current_mask()
    raises_errno(errno.EINVAL, L.sigprocmask, 99, [USR1])
    for bad in ([0], [65], [-1], ["nosuch"]):
        with pytest.raises(ValueError):
            L.sigprocmask(L.SIG_BLOCK, bad)
    with pytest.raises(ValueError):
        L.sigprocmask("nosuch", [USR1])
    with pytest.raises(TypeError):
        L.sigprocmask(L.SIG_BLOCK, USR1)
    assert current_mask() == before


def test_sigpending():
    with blocked(USR1, USR2, RT) as hits:
        assert L.sigpending() == set(signal.sigpending()) == set()
        os.kill(os.getpid(), USR1)
        L.rt_sigqueueinfo(os.getpid(), RT, 5)
        assert L.sigpending() == set(signal.sigpending()) == {USR1, RT}
        assert L.sigtimedwait([USR1, RT], 0).si_signo == USR1
        assert L.sigpending() == {RT}
    assert hits == []


def test_sigsuspend():
    with blocked(USR1) as hits:
        os.kill(os.getpid(), USR1)
        assert hits == []
        L.sigsuspend([USR2])  # USR1 pending and now unblocked: its handler runs, the wait ends
        assert hits == [USR1]
        assert USR1 in current_mask() and USR2 not in current_mask()  # the old mask is back
        with pytest.raises(ValueError):
            L.sigsuspend([0])


# ---- sigtimedwait, queueing ------------------------------------------------------------------

def test_sigtimedwait_takes_a_kill():
    with blocked(USR1, USR2) as hits:
        os.kill(os.getpid(), USR1)
        info = L.sigtimedwait([USR1, "usr2"])
        assert isinstance(info, L.Siginfo)
        assert info.si_signo is L.SIG.SIGUSR1
        assert (info.si_code, info.si_pid, info.si_uid) == (L.SI.USER, os.getpid(), os.getuid())
        assert info.si_value == info.si_addr == info.si_status == 0  # outside the layout
        os.kill(os.getpid(), USR1)
        assert_same_as_stdlib(info, signal.sigtimedwait([USR1], 0))
        signal.pthread_kill(threading.get_ident(), USR2)
        info = L.sigwaitinfo([USR2])
        assert (info.si_signo, info.si_code, info.si_pid) == (USR2, L.SI.TKILL, os.getpid())
        assert L.sigpending() == set()
    assert hits == []


def test_sigtimedwait_timeout():
    with blocked(USR1):
        assert L.sigtimedwait([USR1], 0) is None
        assert L.sigtimedwait([USR1], 0.0) is None
        assert L.sigtimedwait([USR1], 0.001) is None
        assert L.sigtimedwait([USR1], 1e-9) is None
        os.kill(os.getpid(), USR1)
        assert L.sigtimedwait([USR1], 10**9).si_signo == USR1  # huge but fine: returns at once
        os.kill(os.getpid(), USR1)
        assert L.sigtimedwait([USR2], 0) is None  # another signal pending does not count
        assert L.sigtimedwait([USR1], 0).si_signo == USR1


def test_sigtimedwait_arguments():
    with blocked(USR1):
        for bad in (-1, -0.5, float("nan"), float("inf"), 2**63):
            with pytest.raises(ValueError):
                L.sigtimedwait([USR1], bad)
        for bad in ("1", b"1", [1]):
            with pytest.raises(TypeError):
                L.sigtimedwait([USR1], bad)
        with pytest.raises(ValueError):
            L.sigtimedwait([65], 0)


def test_sigtimedwait_retries_eintr():
    """A handled signal interrupting the wait is retried (PEP 475) and its handler runs."""
    hits = []
    old = signal.signal(signal.SIGALRM, lambda *a: hits.append(1))
    try:
        with blocked(USR1):
            signal.setitimer(signal.ITIMER_REAL, 0.01)
            assert L.sigtimedwait([USR1], 0.2) is None
            assert hits == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_rt_sigqueueinfo_value():
    bits = 8 * L.ffi.sizeof("void *")
    values = [0, 1, -1, 1234, 2**31 - 1, -2**31, 2**(bits - 1) - 1, -2**(bits - 1)]
    with blocked(RT, USR1) as hits:
        for v in values:  # real-time signals queue: each arrives, in order
            L.rt_sigqueueinfo(os.getpid(), RT, v)
        for v in values:
            info = L.sigtimedwait([RT], 0)
            assert (info.si_signo, info.si_code, info.si_value) == (RT, L.SI_QUEUE, v)
            assert (info.si_pid, info.si_uid) == (os.getpid(), os.getuid())
        assert L.sigtimedwait([RT], 0) is None
        # The oracle: the kernel's siginfo holds SI_QUEUE from us; CPython's si_status is the
        # int at the sigval's place in the union (the kernel's layout), so it shows the value.
        L.rt_sigqueueinfo(os.getpid(), "SIGUSR1", 4321)
        std = signal.sigtimedwait([USR1], 0)
        assert std.si_code == L.SI.QUEUE and std.si_status == 4321
        L.rt_sigqueueinfo(os.getpid(), USR1, 4321)
        assert_same_as_stdlib(L.sigtimedwait([USR1], 0), std)
        L.rt_sigqueueinfo(os.getpid(), 0)  # signal 0: checks only
        assert L.sigpending() == set()
        for bad in (2**(bits - 1), -2**(bits - 1) - 1):  # beyond intptr_t: as os, OverflowError
            with pytest.raises(OverflowError):
                L.rt_sigqueueinfo(os.getpid(), RT, bad)
            with pytest.raises(OverflowError):
                L.rt_tgsigqueueinfo(os.getpid(), L.gettid(), RT, bad)
        with pytest.raises(TypeError):
            L.rt_sigqueueinfo(os.getpid(), RT, 1.5)
        for bad in (-1, 65, "nosuch"):
            with pytest.raises(ValueError):
                L.rt_sigqueueinfo(os.getpid(), bad)
    assert hits == []


def test_rt_tgsigqueueinfo():
    with blocked(RT) as hits:
        L.rt_tgsigqueueinfo(os.getpid(), L.gettid(), RT, -77)
        assert L.sigpending() == {RT}
        info = L.sigtimedwait([RT], 0)
        assert (info.si_signo, info.si_code, info.si_value, info.si_pid) == \
            (RT, L.SI.QUEUE, -77, os.getpid())
        raises_errno(errno.ESRCH, L.rt_tgsigqueueinfo, os.getpid(), dead_pid(), RT)
        raises_errno(errno.EINVAL, L.rt_tgsigqueueinfo, os.getpid(), 0, RT)
        with pytest.raises(ValueError):
            L.rt_tgsigqueueinfo(os.getpid(), L.gettid(), 65)
    assert hits == []


def test_rt_sigqueueinfo_errors():
    raises_errno(errno.ESRCH, L.rt_sigqueueinfo, dead_pid(), 0)  # 0: harmless if reused

    def to_init():
        raises_errno(errno.EPERM, L.rt_sigqueueinfo, 1, 0)
        raises_errno(errno.EPERM, L.rt_tgsigqueueinfo, 1, 1, 0)
    assert as_nobody(to_init) == 0


def test_sigchld_layout():
    """SIGCHLD's fields against os.waitid, taken by sigtimedwait and by a signalfd."""
    with blocked(signal.SIGCHLD):
        with L.signalfd([signal.SIGCHLD]) as sfd:
            for take in (lambda: L.sigtimedwait([signal.SIGCHLD]), lambda: sfd.signalfd_read()[0]):
                pid = os.fork()
                if pid == 0:
                    os._exit(7)
                info = take()
                w = os.waitid(os.P_PID, pid, os.WEXITED)
                assert (info.si_signo, info.si_code, info.si_pid, info.si_uid, info.si_status) \
                    == (w.si_signo, w.si_code, w.si_pid, w.si_uid, w.si_status) \
                    == (signal.SIGCHLD, os.CLD_EXITED, pid, os.getuid(), 7)
                assert info.si_utime >= 0 and info.si_stime >= 0 and info.si_value == 0


def test_sigio_layout():
    """SIGIO for a readable pipe, F_SETSIG'd to carry a siginfo: si_fd and si_band (the poll
    layout).  (qemu-user hands a real-time signal's siginfo over in the RT layout, so SIGIO.)"""
    r, w = os.pipe()
    try:
        with blocked(signal.SIGIO), L.signalfd([signal.SIGIO], "nonblock") as sfd:
            fcntl.fcntl(r, fcntl.F_SETOWN, os.getpid())
            fcntl.fcntl(r, fcntl.F_SETSIG, signal.SIGIO)
            fcntl.fcntl(r, fcntl.F_SETFL, os.O_ASYNC | os.O_NONBLOCK)
            os.write(w, b"x")
            (info,) = sfd.signalfd_read()
            assert (info.si_signo, info.si_code, info.si_fd) == (signal.SIGIO, 1, r)  # POLL_IN
            assert info.si_band & select.POLLIN
            assert info.si_pid == info.si_value == 0
            os.write(w, b"y")
            taken = L.sigtimedwait([signal.SIGIO], 0)
            if EMULATED:  # qemu-user garbles sigtimedwait's si_band/si_fd (aarch64: fd in band)
                taken = taken._replace(si_band=info.si_band, si_fd=info.si_fd)
            assert taken == info
    finally:
        os.close(r)
        os.close(w)


# ---- signalfd --------------------------------------------------------------------------------


def test_signalfd_reads_siginfo():
    with blocked(USR1, USR2) as hits:
        with L.signalfd([USR1]) as fd:
            assert isinstance(fd, L.Fd) and cloexec(fd)
            assert not fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK
            assert os.readlink(f"/proc/self/fd/{fd.fd}") == "anon_inode:[signalfd]"
            os.kill(os.getpid(), USR1)
            (info,) = L.signalfd_read(fd)
            os.kill(os.getpid(), USR1)
            assert info == L.sigtimedwait([USR1], 0)  # the same Siginfo either way
            assert (info.si_signo, info.si_code, info.si_pid, info.si_uid) == \
                (USR1, L.SI.USER, os.getpid(), os.getuid())
            L.rt_sigqueueinfo(os.getpid(), USR1, -3)
            queued = fd.signalfd_read()
            L.rt_sigqueueinfo(os.getpid(), USR1, -3)
            assert queued == [L.sigtimedwait([USR1], 0)]
            assert queued[0].si_value == -3
            os.kill(os.getpid(), USR2)  # not in the fd's mask: left pending
            os.set_blocking(fd.fd, False)
            e = raises_errno(errno.EAGAIN, L.signalfd_read, fd)
            assert type(e) is BlockingIOError  # nothing pending: as os.read says it
            assert L.sigpending() == {USR2}
    assert hits == []


def test_signalfd_plain_read_gives_raw_records():
    with blocked(USR1), L.signalfd([USR1], L.SFD.NONBLOCK) as fd:
        raises_errno(errno.EAGAIN, L.read, fd, SFD_SIGINFO)
        os.kill(os.getpid(), USR1)
        raises_errno(errno.EINVAL, L.read, fd, 10)  # the kernel wants room for a whole record
        raw = L.read(fd, SFD_SIGINFO * 2)
        assert len(raw) == SFD_SIGINFO
        signo, err, code, pid, uid = struct.unpack_from("IiiII", raw)
        assert (signo, err, code, pid, uid) == (USR1, 0, 0, os.getpid(), os.getuid())


def test_signalfd_read_many():
    with blocked(RT) as hits:
        with L.signalfd([RT], "nonblock") as nb, L.signalfd([RT]) as blocking:
            for v in range(200):
                L.rt_sigqueueinfo(os.getpid(), RT, v)
            first = nb.signalfd_read()
            assert [i.si_value for i in first] == list(range(64))  # limit's default
            assert [i.si_value for i in nb.signalfd_read(limit=5)] == list(range(64, 69))
            # 131 records: more than one buffer's worth, read on without waiting
            assert [i.si_value for i in nb.signalfd_read(10**12)] == list(range(69, 200))
            with pytest.raises(BlockingIOError):
                nb.signalfd_read()
            for v in range(3):
                L.rt_sigqueueinfo(os.getpid(), RT, v)
            assert [i.si_value for i in blocking.signalfd_read(2**70)] == [0, 1, 2]
            # A blocking fd waits for the first record only: 32 (two of the helper's reads)
            # come back without a third read that would block.
            for v in range(32):
                L.rt_sigqueueinfo(os.getpid(), RT, v)
            assert [i.si_value for i in blocking.signalfd_read()] == list(range(32))
            with pytest.raises(ValueError):
                nb.signalfd_read(0)
            with pytest.raises(TypeError):
                nb.signalfd_read(1.5)
    assert hits == []


def test_signalfd_with_selectors():
    with blocked(USR1, USR2), L.signalfd([USR1, USR2], "nonblock|cloexec") as fd:
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            assert sel.select(timeout=0) == []
            os.kill(os.getpid(), USR2)
            os.kill(os.getpid(), USR1)
            (key, events), = sel.select(timeout=0)
            assert key.fileobj is fd and events == selectors.EVENT_READ
            infos = fd.signalfd_read()
            assert [i.si_signo for i in infos] == [USR1, USR2]  # lowest number first
            assert sel.select(timeout=0) == []
            sel.unregister(fd)


def test_signalfd_flags_and_update():
    with blocked(USR1, USR2):
        fd = L.signalfd([USR1], inheritable=True)
        try:
            assert not cloexec(fd)
            n = fd.fd
            same = L.signalfd([USR2], L.SFD.NONBLOCK, fd=fd)
            assert same is fd and fd.fd == n
            assert not fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK  # flags only at creation
            num = L.signalfd([USR1, USR2], fd=n)
            assert type(num) is L.SignalFd and num.fd == n
            del num  # non-owning: garbage collection leaves n open
            os.kill(os.getpid(), USR2)
            assert [i.si_signo for i in fd.signalfd_read()] == [USR2]
        finally:
            fd.close()


def test_signalfd_errors():
    fd = L.signalfd([USR1])
    n = fd.fd
    fd.close()
    raises_errno(errno.EBADF, L.signalfd, [USR1], fd=fd)  # closed Fd: refused before the call
    raises_errno(errno.EBADF, L.signalfd, [USR1], fd=n)  # the kernel's EBADF
    raises_errno(errno.EBADF, L.signalfd_read, fd)
    raises_errno(errno.EBADF, L.signalfd_read, n)
    r, w = os.pipe()
    try:
        raises_errno(errno.EINVAL, L.signalfd, [USR1], fd=r)  # not a signalfd
    finally:
        os.close(r)
        os.close(w)
    raises_errno(errno.EINVAL, L.signalfd, [USR1], -1)  # every flag bit
    with pytest.raises(ValueError):
        L.signalfd([USR1], "nosuch")
    with pytest.raises(ValueError):
        L.signalfd([0])


def test_signalfd_in_child_after_fork():
    """A signalfd reads the signals of the process reading it (man 2 signalfd)."""
    def child():
        signal.pthread_sigmask(signal.SIG_BLOCK, [USR1])
        with L.signalfd([USR1]) as fd:
            os.kill(os.getpid(), USR1)
            (info,) = fd.signalfd_read()
            assert info.si_pid == os.getpid()
    assert in_child(child) == 0


def test_signalfd_reads_return_siginfo_records():
    """signalfd gives an Fd whose read() returns Siginfo records (the raw bytes stay
    available through L.read)."""
    usr1 = L.SIG.SIGUSR1
    old = L.sigprocmask(L.SIG_BLOCK, [usr1])
    try:
        with L.signalfd([usr1], L.SFD.NONBLOCK) as sfd:
            assert isinstance(sfd, L.SignalFd) and isinstance(sfd, L.Fd)
            with pytest.raises(BlockingIOError):
                sfd.read()
            os.kill(os.getpid(), usr1)
            (info,) = sfd.read()
            assert (info.si_signo, info.si_pid, info.si_uid) == (usr1, os.getpid(), os.getuid())
            os.kill(os.getpid(), usr1)
            raw = L.read(sfd, 128)
            assert len(raw) == 128 and int.from_bytes(raw[:4], sys.byteorder) == usr1
    finally:
        L.sigprocmask(L.SIG_SETMASK, old)


def test_signalfd_read_refuses_other_fds(tmp_path):
    """A pipe (or a file, a socket, an eventfd) is not read as a signalfd: OSError EINVAL, and
    its data stays (signalfd_read used to eat it)."""
    (tmp_path / "f").write_bytes(b"x" * 256)
    r, w = L.pipe()
    a, b = socket.socketpair()
    with r, w, a, b, L.open(tmp_path / "f") as f, L.eventfd(1) as efd:
        L.write(w, b"y" * 256)
        b.sendall(b"z" * 256)
        for fd in (r, r.fd, f, a, efd, efd.fd):
            e = raises_errno(errno.EINVAL, L.signalfd_read, fd)
            assert "not a signalfd" in str(e)
        assert L.read(r, 1000) == b"y" * 256
        assert a.recv(1000) == b"z" * 256
        assert L.read(f, 1000) == b"x" * 256
        assert L.eventfd_read(efd) == 1


def test_signalfd_is_tagged():
    """signalfd's SignalFd knows its kind (signalfd_read asks /proc nothing); one made from a
    number by fd= as well, since the kernel accepted it as a signalfd."""
    with blocked(USR1), L.signalfd([USR1], "nonblock") as fd:
        assert type(fd) is L.SignalFd and fd._kind == "signalfd"
        other = L.signalfd([USR1], fd=fd.fd)
        assert other._kind == "signalfd" and not other.closed
        plain = L.Fd(L.dup(fd).detach())
        with plain:
            assert L.signalfd([USR1], fd=plain) is plain and plain._kind == "signalfd"


def test_signalfd_only_reference():
    """A temporary Fd passed as the only reference stays open for the whole call."""
    with blocked(USR1):
        with pytest.raises(BlockingIOError):
            L.signalfd_read(L.signalfd([USR1], "nonblock"))
        os.kill(os.getpid(), USR1)
        fd = L.signalfd([USR1], "nonblock")
        assert [i.si_signo for i in L.signalfd_read(L.Fd(fd.detach()))] == [USR1]
        tmp = L.signalfd([USR2])
        assert L.signalfd([USR1], fd=L.Fd(tmp.detach())).closed is False


def test_parameter_names_are_the_man_pages(restore_mask):
    """how/set (sigprocmask), set (sigtimedwait, sigwaitinfo), mask (signalfd), tgid
    (rt_sigqueueinfo): keyword calls as in man 2."""
    old = L.sigprocmask(how=L.SIG_HOW.BLOCK, set=[USR1])
    try:
        L.rt_sigqueueinfo(tgid=os.getpid(), sig=USR1, value=7)
        assert L.sigtimedwait(set=[USR1], timeout=0).si_value == 7
        os.kill(os.getpid(), USR1)
        assert L.sigwaitinfo(set=[USR1]).si_signo == USR1
        with L.signalfd(mask=[USR1], flags="nonblock") as fd:
            with pytest.raises(BlockingIOError):
                L.signalfd_read(fd=fd, limit=3)
        L.rt_tgsigqueueinfo(tgid=os.getpid(), tid=threading.get_native_id(), sig=USR1)
        assert L.sigtimedwait([USR1], 0).si_signo == USR1
    finally:
        L.sigprocmask(L.SIG_HOW.SETMASK, old)


def test_namespaces_are_checked():
    """SIG_HOW, SFD take their own members; another namespace's raises TypeError first."""
    with pytest.raises(TypeError):
        L.sigprocmask(L.EPOLL_CTL.ADD, [])
    with pytest.raises(TypeError):
        L.signalfd([USR1], L.EFD.NONBLOCK)
    with pytest.raises(TypeError):
        L.signalfd([USR1], L.TFD.NONBLOCK)
    assert L.SIG_HOW(0) is L.SIG_HOW.BLOCK and repr(L.SFD(L.SFD.NONBLOCK)) == \
        f"<SFD.NONBLOCK: {os.O_NONBLOCK}>"


def test_queueing_calls_are_declared_plain_syscalls():
    """rt_sigqueueinfo and rt_tgsigqueueinfo are generated from their cdefs/signal.h prototypes
    (linuxsys/_sys_signal.py): the signal checked by signum() before the call."""
    from linuxsys import _sys_signal
    from linuxsys.__main__ import PROBES
    assert L.rt_sigqueueinfo is L.signal.rt_sigqueueinfo is _sys_signal.rt_sigqueueinfo
    assert L.rt_tgsigqueueinfo is L.signal.rt_tgsigqueueinfo is _sys_signal.rt_tgsigqueueinfo
    assert PROBES["signal"]["rt_sigqueueinfo"] == (0, -1, 0)
    assert PROBES["signal"]["rt_tgsigqueueinfo"] == (0, 0, -1, 0)
    for bad in (L.SIGRTMAX + 1, -1, "nosuch"):
        with pytest.raises(ValueError):
            L.rt_tgsigqueueinfo(0, 0, bad)  # tgid 0 would be EINVAL: the signal is first
    with pytest.raises(TypeError):
        L.rt_sigqueueinfo(os.getpid(), L.O.RDONLY)
    raises_errno(errno.EINVAL, L.rt_tgsigqueueinfo, 0, 0, 0)
