"""The event family against the real kernel: epoll (select.epoll as oracle), poll/ppoll
(select.poll), eventfd (os.eventfd_*), inotify, fanotify, and every event fd in selectors and
asyncio."""
import array
import asyncio
import errno
import gc
import inspect
import os
import select
import selectors
import signal
import struct
import threading
import time

import pytest

import linuxsys as L
from linuxsys import event
from conftest import EMULATED, as_nobody, cloexec, qemu_may_lack, raises_errno, requires_root

U64 = 2**64 - 1


@pytest.fixture
def pipes():
    """Two pipes: (r1, w1) with a byte waiting, (r2, w2) empty."""
    r1, w1 = L.pipe()
    r2, w2 = L.pipe()
    L.write(w1, b"x")
    yield r1, w1, r2, w2
    for fd in (r1, w1, r2, w2):
        fd.close()


def link(fd):
    return os.readlink(f"/proc/self/fd/{fd.fileno()}")


class Interrupted(Exception):
    pass


def signal_during(fn, *args, raise_from_handler=False):
    """Call fn while SIGALRM interrupts it (after 20 ms); return (result, handler calls)."""
    calls = []

    def handler(signum, frame):
        calls.append(signum)
        if raise_from_handler:
            raise Interrupted

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.02)
    try:
        return fn(*args), calls
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class PendingSignal:
    """SIGUSR1 blocked and pending, with a Python handler that raises Interrupted: a wait whose
    mask unblocks it is interrupted at once, a wait that keeps the mask is not."""

    def __enter__(self):
        self.old_handler = signal.signal(signal.SIGUSR1, self.handler)
        self.old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        os.kill(os.getpid(), signal.SIGUSR1)
        return self

    @staticmethod
    def handler(signum, frame):
        raise Interrupted

    def __exit__(self, *exc):
        signal.pthread_sigmask(signal.SIG_SETMASK, self.old_mask)
        signal.signal(signal.SIGUSR1, self.old_handler)
        return False

    def take(self):
        """Consume the pending signal (when the wait under test did not)."""
        assert signal.sigtimedwait({signal.SIGUSR1}, 0) is not None


# ---- epoll ---------------------------------------------------------------------------------

def test_epoll_create1():
    with L.epoll_create1() as ep:
        assert link(ep) == "anon_inode:[eventpoll]"
        assert cloexec(ep)
    with L.epoll_create1(inheritable=True) as ep:
        assert not cloexec(ep)
    with L.epoll_create1("cloexec", inheritable=True) as ep:
        assert cloexec(ep)
    raises_errno(errno.EINVAL, L.epoll_create1, 0x1234)
    with pytest.raises(ValueError):
        L.epoll_create1("nonsense")


def test_epoll_namespaces():
    for name in ("IN", "OUT", "PRI", "ERR", "HUP", "RDHUP", "ET", "ONESHOT", "EXCLUSIVE"):
        value = getattr(select, "EPOLL" + name) & 0xFFFFFFFF  # EPOLLET < 0 on 32-bit CPython
        assert getattr(L.EPOLL, name) == getattr(L, "EPOLL" + name) == value, name
    assert L.EPOLL.WAKEUP == getattr(select, "EPOLLWAKEUP", 1 << 29)  # select's since 3.14
    assert L.EPOLL_CREATE.CLOEXEC == L.EPOLL_CLOEXEC == select.EPOLL_CLOEXEC
    assert (L.EPOLL_CTL.ADD, L.EPOLL_CTL.MOD, L.EPOLL_CTL.DEL) == (1, 3, 2)
    from linuxsys.flags import to_int
    assert to_int("in|epollout|et", L.EPOLL) == (
        select.EPOLLIN | select.EPOLLOUT | select.EPOLLET) & 0xFFFFFFFF
    assert to_int("epoll_cloexec", L.EPOLL_CREATE) == select.EPOLL_CLOEXEC


def test_one_namespace_per_argument():
    """Flags of different arguments that share a C prefix live apart (CONTRACT §1): a member
    never prints as another argument's name, and another namespace's member is refused."""
    from linuxsys.flags import to_int
    assert set(L.EPOLL_CREATE.__members__) == {"CLOEXEC"} and "CLOEXEC" not in L.EPOLL.__members__
    assert set(L.IN_INIT.__members__) == {"CLOEXEC", "NONBLOCK"}
    assert not {"CLOEXEC", "NONBLOCK"} & set(L.IN.__members__)
    assert repr(L.IN_INIT(os.O_NONBLOCK)) == f"<IN_INIT.NONBLOCK: {os.O_NONBLOCK}>"
    assert repr(L.IN(L.IN_MOVE_SELF)) == f"<IN.MOVE_SELF: {L.IN_MOVE_SELF}>"
    assert L.IN_INIT.NONBLOCK == L.IN_NONBLOCK and L.IN_INIT.CLOEXEC == L.IN_CLOEXEC  # flat
    init = {"CLOEXEC", "NONBLOCK", "CLASS_NOTIF", "CLASS_CONTENT", "CLASS_PRE_CONTENT",
            "UNLIMITED_QUEUE", "UNLIMITED_MARKS", "ENABLE_AUDIT"}
    assert init <= set(L.FAN_INIT.__members__)
    assert all(n.startswith("REPORT_") for n in set(L.FAN_INIT.__members__) - init)
    assert not set(L.FAN_INIT.__members__) & set(L.FAN.__members__)
    assert not set(L.FAN_MARK.__members__) & set(L.FAN.__members__)
    assert repr(L.FAN_INIT(2)) == "<FAN_INIT.NONBLOCK: 2>" and repr(L.FAN(2)) == "<FAN.MODIFY: 2>"
    assert (L.FAN_RESPONSE.ALLOW, L.FAN_RESPONSE.DENY) == (L.FAN_ALLOW, L.FAN_DENY) == (1, 2)
    assert to_int("deny|audit", L.FAN_RESPONSE) == L.FAN_DENY | L.FAN_AUDIT
    for fn, args in ((L.epoll_create1, (L.EPOLL.IN,)), (L.inotify_init1, (L.IN.MOVE_SELF,)),
                     (L.fanotify_init, (L.FAN.MODIFY,)), (L.eventfd, (0, L.IN_INIT.NONBLOCK)),
                     (L.poll, ([(0, L.EPOLL.IN)], 0)), (L.Epoll, (L.EPOLL.ET,)),
                     (L.Inotify, (L.IN.ONESHOT,))):
        with pytest.raises(TypeError):
            fn(*args)
    with L.Epoll() as ep, L.eventfd() as efd:
        with pytest.raises(TypeError):
            ep.register(efd, L.POLL.IN)
        with pytest.raises(TypeError):
            L.epoll_ctl(ep, L.EPOLL.IN, efd)
        with pytest.raises(TypeError):
            L.epoll_create1(L.EPOLL_CTL.ADD)
    with L.inotify_init1() as ino:
        with pytest.raises(TypeError):
            L.inotify_add_watch(ino, "/", L.IN_INIT.NONBLOCK)
    with pytest.raises(ValueError):
        L.inotify_init1("move_self")  # an event name is no inotify_init1 flag
    with L.inotify_init1("nonblock|in_cloexec", inheritable=True) as fd:
        assert cloexec(fd) and not os.get_blocking(fd)


def test_epoll_wait_matches_select_epoll(pipes):
    r1, w1, r2, w2 = pipes
    with L.epoll_create1() as ep, select.epoll() as oracle:
        for fd, mask in ((r1, L.EPOLL.IN), (r2, L.EPOLL.IN), (w2, L.EPOLL.OUT)):
            L.epoll_ctl(ep, L.EPOLL_CTL.ADD, fd, mask)
            oracle.register(fd.fd, int(mask))
        got = L.epoll_wait(ep, 8, 0)
        assert sorted(got) == sorted(oracle.poll(0)) == sorted(
            [(r1.fd, select.EPOLLIN), (w2.fd, select.EPOLLOUT)])
        assert all(type(d) is int and type(e) is int for d, e in got)
        ep.epoll_ctl("mod", r1, "in|out")  # a method of Fd, flags by name
        oracle.modify(r1.fd, select.EPOLLIN | select.EPOLLOUT)
        assert sorted(ep.epoll_wait(8, 0)) == sorted(oracle.poll(0))
        L.epoll_ctl(ep, L.EPOLL_CTL.DEL, w2)
        oracle.unregister(w2.fd)
        assert L.epoll_wait(ep, 8, 0) == oracle.poll(0) == [(r1.fd, select.EPOLLIN)]
        w1.close()
        L.read(r1, 1)
        assert L.epoll_wait(ep, 8, 0) == oracle.poll(0) == [(r1.fd, select.EPOLLHUP)]
        assert L.epoll_wait(ep, 1) == [(r1.fd, select.EPOLLHUP)]  # default timeout: forever


def test_epoll_data_is_64_bit(pipes):
    r1, _, r2, _ = pipes
    with L.epoll_create1() as ep:
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, r1, L.EPOLL.IN, data=U64)
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, r2, L.EPOLL.IN | L.EPOLL.OUT, data=2**40 + 5)
        assert L.epoll_wait(ep, 4, 0) == [(U64, select.EPOLLIN)]
        L.epoll_ctl(ep, L.EPOLL_CTL.MOD, r1, L.EPOLL.IN, 0)
        assert L.epoll_wait(ep, 4, 0) == [(0, select.EPOLLIN)]
        with pytest.raises(OverflowError):
            L.epoll_ctl(ep, L.EPOLL_CTL.MOD, r1, L.EPOLL.IN, 2**64)
        with pytest.raises(OverflowError):
            L.epoll_ctl(ep, L.EPOLL_CTL.MOD, r1, L.EPOLL.IN, -1)


def test_epoll_wait_into_buffers(pipes):
    r1, _, r2, w2 = pipes
    with L.epoll_create1() as ep:
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, r1, L.EPOLL.IN, data=2**63 + 1)
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, w2, L.EPOLL.OUT)
        expected = sorted([(2**63 + 1, select.EPOLLIN), (w2.fd, select.EPOLLOUT)])
        ba = bytearray(5 * 16 + 7)  # 5 events; the spare bytes are not used
        assert L.epoll_wait(ep, ba, 0) == 2
        q = memoryview(ba)[:80].cast("Q")
        assert sorted([(q[0], q[1]), (q[2], q[3])]) == expected
        arr = array.array("Q", [0] * 2)  # room for one event
        assert L.epoll_wait(ep, arr, 0) == 1
        assert (arr[0], arr[1]) in expected
        cbuf = L.ffi.new("uint64_t[]", 8)
        assert L.epoll_pwait(ep, cbuf, 0) == 2
        assert sorted([(cbuf[0], cbuf[1]), (cbuf[2], cbuf[3])]) == expected
        with pytest.raises(TypeError):
            L.epoll_wait(ep, bytes(64), 0)
        with pytest.raises(ValueError):
            L.epoll_wait(ep, bytearray(15), 0)
        with pytest.raises(ValueError):
            L.epoll_wait(ep, 0, 0)


def test_epoll_edge_and_oneshot(pipes):
    r1, w1, _, _ = pipes
    with L.epoll_create1() as ep:
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, r1, L.EPOLL.IN | L.EPOLL.ET)
        assert L.epoll_wait(ep, 4, 0) == [(r1.fd, select.EPOLLIN)]
        assert L.epoll_wait(ep, 4, 0) == []  # edge-triggered: reported once per change
        L.write(w1, b"y")
        assert L.epoll_wait(ep, 4, 0) == [(r1.fd, select.EPOLLIN)]
        L.epoll_ctl(ep, L.EPOLL_CTL.MOD, r1, L.EPOLL.IN | L.EPOLL.ONESHOT)
        assert L.epoll_wait(ep, 4, 0) == [(r1.fd, select.EPOLLIN)]
        assert L.epoll_wait(ep, 4, 0) == []  # disabled until re-armed
        L.epoll_ctl(ep, L.EPOLL_CTL.MOD, r1, L.EPOLL.IN)
        assert L.epoll_wait(ep, 4, 0) == [(r1.fd, select.EPOLLIN)]


def test_epoll_errors(pipes, tmp_path):
    r1, _, r2, _ = pipes
    with L.epoll_create1() as ep:
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, r1, L.EPOLL.IN)
        raises_errno(errno.EEXIST, L.epoll_ctl, ep, L.EPOLL_CTL.ADD, r1, L.EPOLL.IN)
        raises_errno(errno.ENOENT, L.epoll_ctl, ep, L.EPOLL_CTL.MOD, r2, L.EPOLL.IN)
        raises_errno(errno.ENOENT, L.epoll_ctl, ep, L.EPOLL_CTL.DEL, r2)
        raises_errno(errno.EINVAL, L.epoll_ctl, ep, L.EPOLL_CTL.ADD, ep, L.EPOLL.IN)  # itself
        raises_errno(errno.EINVAL, L.epoll_ctl, ep, 99, r2, L.EPOLL.IN)
        (tmp_path / "f").write_bytes(b"")
        with L.open(tmp_path / "f") as f:
            raises_errno(errno.EPERM, L.epoll_ctl, ep, L.EPOLL_CTL.ADD, f, L.EPOLL.IN)
        raises_errno(errno.EBADF, L.epoll_ctl, ep, L.EPOLL_CTL.ADD, 10**6, L.EPOLL.IN)
        with pytest.raises(ValueError):
            L.epoll_ctl(ep, "nonsense", r2)
    raises_errno(errno.EBADF, L.epoll_ctl, ep, L.EPOLL_CTL.ADD, r2, L.EPOLL.IN)  # closed Fd
    raises_errno(errno.EINVAL, L.epoll_ctl, r1, L.EPOLL_CTL.ADD, r2, L.EPOLL.IN)  # not epoll
    raises_errno(errno.EINVAL, L.epoll_wait, r1, 4, 0)
    raises_errno(errno.EBADF, L.epoll_wait, 10**6, 4, 0)
    with pytest.raises(TypeError):
        L.epoll_wait(r1, 4, "soon")


def test_epoll_pwait_mask(pipes):
    r1, _, r2, _ = pipes
    with L.epoll_create1() as ep:
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, r1, L.EPOLL.IN)
        assert L.epoll_pwait(ep, 4, 0, []) == [(r1.fd, select.EPOLLIN)]
        L.epoll_ctl(ep, L.EPOLL_CTL.DEL, r1)
        with PendingSignal() as pending:
            assert L.epoll_pwait(ep, 4, 10, ["SIGUSR1"]) == []  # stays blocked: times out
            assert L.epoll_pwait(ep, 4, 10) == []  # no mask: the thread's, blocking it
            pending.take()
        with PendingSignal():
            with pytest.raises(Interrupted):
                L.epoll_pwait(ep, 4, 60_000, [])  # unblocked while waiting: the handler runs
        with pytest.raises(ValueError):
            L.epoll_pwait(ep, 4, 0, ["SIGNOPE"])
        with pytest.raises(TypeError):
            L.epoll_pwait(ep, 4, 0, signal.SIGUSR1)  # a set of signals, not one


def test_epoll_pwait2(pipes):
    r1, _, r2, _ = pipes
    with L.epoll_create1() as ep:
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, r1, L.EPOLL.IN)
        assert qemu_may_lack(L.epoll_pwait2, ep, 4, 0) == [(r1.fd, select.EPOLLIN)]
        assert L.epoll_pwait2(ep, 4) == [(r1.fd, select.EPOLLIN)]  # None: forever, ready now
        buf = bytearray(32)
        assert ep.epoll_pwait2(buf, 5_000_000, ["SIGUSR2"]) == 1
        assert tuple(memoryview(buf).cast("Q")[:2]) == (r1.fd, select.EPOLLIN)
        L.epoll_ctl(ep, L.EPOLL_CTL.DEL, r1)
        assert L.epoll_pwait2(ep, 4, 1_000_000) == []  # 1 ms: nothing ready
        with PendingSignal():
            with pytest.raises(Interrupted):
                L.epoll_pwait2(ep, 4, 60 * 10**9, [])
        with pytest.raises(OverflowError):
            L.epoll_pwait2(ep, 4, 2**63)
        raises_errno(errno.EINVAL, L.epoll_pwait2, r2, 4, 0)


def test_epoll_eintr_is_retried_with_the_time_left():
    with L.epoll_create1() as ep:
        t0 = time.monotonic()
        result, calls = signal_during(L.epoll_wait, ep, 4, 100)
        assert result == [] and calls == [signal.SIGALRM]
        assert time.monotonic() - t0 >= 0.1 - 0.002  # the full timeout, not restarted
        with pytest.raises(Interrupted):
            signal_during(L.epoll_wait, ep, 4, 60_000, raise_from_handler=True)
        with L.Epoll() as pyep:
            result, calls = signal_during(pyep.poll, 0.1)
            assert result == [] and calls == [signal.SIGALRM]


def test_epoll_timeouts(pipes):
    r1 = pipes[0]
    with L.epoll_create1() as ep:
        assert L.epoll_wait(ep, 4, 1) == []
        assert L.epoll_wait(ep, 4, 0.5) == []  # fractions of a ms round up
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, r1, L.EPOLL.IN)
        assert L.epoll_wait(ep, 4, None) == [(r1.fd, select.EPOLLIN)]  # forever: ready now
        assert L.epoll_wait(ep, 4, -5) == [(r1.fd, select.EPOLLIN)]
        with pytest.raises(OverflowError):
            L.epoll_wait(ep, 4, 2**31)
        with pytest.raises(ValueError):
            L.epoll_wait(ep, 4, float("nan"))


# ---- the Epoll class -----------------------------------------------------------------------

def test_Epoll_like_select_epoll(pipes):
    r1, w1, r2, w2 = pipes
    with L.Epoll() as ep, select.epoll() as oracle:
        assert isinstance(ep.fd, L.Fd) and ep.fileno() == ep.fd.fd
        assert link(ep.fd) == "anon_inode:[eventpoll]" and cloexec(ep.fd)
        for fd in (r1, r2, w2):
            ep.register(fd)  # default mask IN|PRI|OUT, as select.epoll
            oracle.register(fd)
        assert sorted(ep.poll(0)) == sorted(oracle.poll(0))
        assert sorted(ep.poll()) == sorted(oracle.poll())
        assert sorted(ep.poll(-1)) == sorted(oracle.poll(-1))
        ep.modify(r1, L.EPOLL.OUT)
        oracle.modify(r1, select.EPOLLOUT)
        ep.unregister(w2)
        oracle.unregister(w2)
        assert ep.poll(0.01) == oracle.poll(0.01) == []
        ep.modify(r1, "in")
        assert ep.poll(0, maxevents=1) == [(r1.fd, select.EPOLLIN)]
        with pytest.raises(FileExistsError):
            ep.register(r1)
        with pytest.raises(FileNotFoundError):
            ep.unregister(w1)
        with pytest.raises(ValueError):
            ep.poll(0, maxevents=0)
    assert ep.closed and repr(ep) == "<Epoll closed>"
    for method, args in ((ep.poll, (0,)), (ep.poll, ()), (ep.poll, (1, 5)),
                         (ep.register, (r1,)), (ep.modify, (r1, "in")), (ep.unregister, (r1,)),
                         (ep.fileno, ())):
        with pytest.raises(L.ClosedFdError) as e:  # select.epoll raises ValueError likewise
            method(*args)
        assert e.value.errno == errno.EBADF and isinstance(e.value, ValueError)
    ep.close()  # idempotent


def test_Epoll_reuses_its_buffer(pipes):
    r1, _, r2, w2 = pipes
    with L.Epoll(inheritable=True) as ep:
        assert not cloexec(ep.fd)
        ep.register(r1, L.EPOLL.IN)
        ep.poll(0)
        pair = ep._bufs[0]
        for _ in range(3):
            assert ep.poll(0) == [(r1.fd, select.EPOLLIN)]
            assert list(ep._bufs) == [pair]
        ep.poll(0, maxevents=5000)  # more than it holds: grown once, then kept
        assert len(ep._bufs) == 1 and ep._bufs[0] is not pair and len(ep._bufs[0][0]) >= 10000


def test_Epoll_poll_zero_every_count():
    """Issue 8: poll(0) inline, 0, 1 and several events, as select.epoll; other zeros too."""
    fds = [L.eventfd() for _ in range(3)]
    try:
        with L.Epoll() as ep, select.epoll() as oracle:
            for fd in fds:
                ep.register(fd, L.EPOLL.IN)
                oracle.register(fd, select.EPOLLIN)
            for ready in range(4):
                for fd in fds[:ready]:
                    L.eventfd_write(fd, 1)
                for timeout in (0, 0.0, False, -0.0):
                    assert sorted(ep.poll(timeout)) == sorted(oracle.poll(timeout)), timeout
                assert len(ep.poll(0)) == ready
                for fd in fds[:ready]:
                    L.eventfd_read(fd)
    finally:
        for fd in fds:
            fd.close()


def test_Epoll_many_fds():
    fds = [L.eventfd(1) for _ in range(40)]
    try:
        with L.Epoll() as ep, select.epoll() as oracle:
            for fd in fds:
                ep.register(fd, L.EPOLL.IN)
                oracle.register(fd, select.EPOLLIN)
            assert sorted(ep.poll(0)) == sorted(oracle.poll(0))
            got = ep.poll(0, maxevents=7)
            assert len(got) == 7 and set(got) <= {(fd.fd, select.EPOLLIN) for fd in fds}
    finally:
        for fd in fds:
            fd.close()


# ---- poll, ppoll ---------------------------------------------------------------------------

def select_poll(pairs, timeout=0):
    p = select.poll()
    for fd, events in pairs:
        p.register(fd, events)
    return sorted(p.poll(timeout))


def test_poll_matches_select_poll(pipes):
    r1, w1, r2, w2 = pipes
    pairs = [(r1.fd, select.POLLIN), (r2.fd, select.POLLIN | select.POLLPRI),
             (w2.fd, select.POLLOUT)]
    assert sorted(L.poll(pairs, 0)) == select_poll(pairs) == sorted(
        [(r1.fd, select.POLLIN), (w2.fd, select.POLLOUT)])
    assert sorted(L.poll([(r1, "in"), (r2, L.POLL.IN | L.POLL.PRI), (w2, L.POLL.OUT)])) == \
        select_poll(pairs)  # Fd objects, names; default timeout forever (ready now)
    w1.close()
    L.read(r1, 1)
    pairs = [(r1.fd, select.POLLIN | select.POLLRDHUP)]
    assert L.poll(pairs, 0) == select_poll(pairs) == [(r1.fd, select.POLLHUP)]
    free = max(int(n) for n in os.listdir("/proc/self/fd")) + 100
    assert L.poll([(free, select.POLLIN)], 0) == select_poll([(free, select.POLLIN)]) == [
        (free, select.POLLNVAL)]
    assert L.poll([(-1, select.POLLIN), (free, 0)], 0) == [(free, select.POLLNVAL)]  # -1: skipped
    assert L.poll([], 0) == []
    assert L.poll([(r2, 0)], 5) == []


def test_poll_namespace():
    for name in ("IN", "OUT", "PRI", "ERR", "HUP", "NVAL", "RDHUP", "RDNORM", "WRNORM"):
        assert getattr(L.POLL, name) == getattr(select, "POLL" + name), name


def test_poll_arguments(pipes):
    r1 = pipes[0]
    with pytest.raises(ValueError):
        L.poll([(r1, "nonsense")], 0)
    with pytest.raises(OverflowError):
        L.poll([(r1, 0x10000)], 0)
    with pytest.raises((TypeError, ValueError)):
        L.poll([r1], 0)
    with pytest.raises(TypeError):
        L.poll([(1.5, select.POLLIN)], 0)
    with pytest.raises(OverflowError):
        L.poll([(r1, select.POLLIN)], 2**31)
    closed = L.eventfd()
    closed.close()
    with pytest.raises(L.ClosedFdError):  # refused before the call, as a ValueError too
        L.poll([(closed, select.POLLIN)], 0)
    with pytest.raises(L.ClosedFdError):
        L.ppoll([(r1, select.POLLIN), (closed, select.POLLIN)], 0)


def test_ppoll(pipes):
    r1, _, r2, w2 = pipes
    assert L.ppoll([(r1, L.POLL.IN), (r2, L.POLL.IN)], 0) == [(r1.fd, select.POLLIN)]
    assert L.ppoll([(r1, L.POLL.IN)]) == [(r1.fd, select.POLLIN)]  # None: forever, ready now
    assert L.ppoll([(r2, L.POLL.IN)], 1_000_000, ["SIGUSR2"]) == []
    with PendingSignal() as pending:
        assert L.ppoll([(r2, L.POLL.IN)], 1_000_000, ["SIGUSR1"]) == []
        pending.take()
    with PendingSignal():
        with pytest.raises(Interrupted):
            L.ppoll([(r2, L.POLL.IN)], 60 * 10**9, [])
    t0 = time.monotonic()
    result, calls = signal_during(L.ppoll, [(r2, L.POLL.IN)], 100_000_000)
    assert result == [] and calls == [signal.SIGALRM]
    assert time.monotonic() - t0 >= 0.1 - 0.002
    result, calls = signal_during(L.poll, [(r2, L.POLL.IN)], 100)
    assert result == [] and calls == [signal.SIGALRM]
    with pytest.raises(OverflowError):
        L.ppoll([(r1, L.POLL.IN)], 2**63)


# ---- select / pselect6 ---------------------------------------------------------------------

def _free_fd():
    """A number no fd has, inside the fd table (select ignores the bits of a set beyond it)."""
    n = os.dup(0)
    os.close(n)
    return n


def test_pselect6_matches_select_select(pipes):
    r1, w1, r2, w2 = pipes
    assert L.pselect6([r1, r2], [w1, w2], [r1, r2], 0) == ([r1], [w1, w2], [])
    assert select.select([r1, r2], [w1, w2], [r1, r2], 0) == ([r1], [w1, w2], [])
    # the objects given come back, duplicates too; ints, std names and fileno() objects
    with open(os.devnull) as f:
        assert L.pselect6([r1.fd, r1, r1.fd, f], ["stdout"], [], None) == ([r1.fd, r1, r1.fd, f],
                                                                         ["stdout"], [])
    assert L.pselect6([r2], [], [r2], 1_000_000) == ([], [], [])  # 1 ms, nothing ready
    assert L.pselect6([], [], [], 0) == ([], [], [])
    assert L.select([r1, r2], [w2], [], 0.001) == select.select([r1, r2], [w2], [], 0.001)
    assert L.select([r2], [], [], 0) == ([], [], [])
    assert L.select(rlist=[r1], wlist=[], xlist=[], timeout=None) == ([r1], [], [])


def test_pselect6_exceptional_condition():
    import socket
    with socket.create_server(("127.0.0.1", 0)) as server, \
            socket.create_connection(server.getsockname()) as client:
        peer, _ = server.accept()
        with peer:
            assert L.pselect6([peer], [], [peer], 0) == ([], [], [])
            client.send(b"!", socket.MSG_OOB)
            deadline = time.monotonic() + 5
            while not L.pselect6([], [], [peer], 0)[2] and time.monotonic() < deadline:
                time.sleep(0.001)  # loopback delivers at once; the loop only guards a slow CI
            assert L.pselect6([], [], [peer], 0) == ([], [], [peer]) == \
                select.select([], [], [peer], 0)


def test_pselect6_sigmask_and_eintr(pipes):
    r2 = pipes[2]
    assert L.pselect6([r2], [], [], 1_000_000, ["SIGUSR2"]) == ([], [], [])
    with PendingSignal() as pending:  # the mask keeps SIGUSR1 blocked: no interruption
        assert L.pselect6([r2], [], [], 1_000_000, ["SIGUSR1"]) == ([], [], [])
        pending.take()
    with PendingSignal():  # an empty mask unblocks it: the handler runs (and raises)
        with pytest.raises(Interrupted):
            L.pselect6([r2], [], [], 60 * 10**9, [])
    result, calls = signal_during(L.pselect6, [r2], [], [], 50_000_000)
    assert result == ([], [], []) and calls == [signal.SIGALRM]  # EINTR retried, time left


def test_pselect6_errors(pipes):
    r1 = pipes[0]
    free = _free_fd()
    raises_errno(errno.EBADF, L.pselect6, [r1, free], [], [], 0)
    raises_errno(errno.EBADF, L.select, [], [free], [], 0)
    # what an fd_set cannot hold: refused as select.select does
    for bad, exc in ((1024, ValueError), (-1, ValueError), (2**40, OverflowError)):
        with pytest.raises(exc):
            select.select([bad], [], [], 0)
        with pytest.raises(exc):
            L.pselect6([r1], [], [bad], 0)
        with pytest.raises(exc):
            L.select([r1], [], [bad], 0)
    closed = L.eventfd()
    closed.close()
    with pytest.raises(L.ClosedFdError):
        L.pselect6([r1], [closed], [], 0)
    with pytest.raises(TypeError):
        L.pselect6([1.5], [], [], 0)
    with pytest.raises(TypeError):
        L.pselect6(r1, [], [], 0)  # a list of fds, not one
    with pytest.raises(OverflowError):
        L.pselect6([r1], [], [], 2**63)
    with pytest.raises(ValueError):
        L.pselect6([r1], [], [], 0, ["NOSUCHSIG"])
    for timeout, exc in ((-1, ValueError), (float("nan"), ValueError), ("1", TypeError),
                         (2**62, OverflowError), (float("inf"), OverflowError)):
        with pytest.raises(exc):
            L.select([r1], [], [], timeout)


# ---- eventfd -------------------------------------------------------------------------------

def test_eventfd_against_os():
    with L.eventfd(3) as fd:
        assert link(fd) == "anon_inode:[eventfd]" and cloexec(fd)
        assert os.eventfd_read(fd) == 3
        os.eventfd_write(fd, 2**63 + 12345)
        assert L.eventfd_read(fd) == 2**63 + 12345  # 64 bits, untruncated
        L.eventfd_write(fd, U64 - 1)  # the largest value a counter holds
        assert os.eventfd_read(fd) == U64 - 1
        fd.write_value(7)
        fd.write_value(8)
        assert fd.read_value() == 15
        fd.eventfd_write(1)
        assert fd.eventfd_read() == 1
        raises_errno(errno.EINVAL, L.eventfd_write, fd, U64)  # as os.eventfd_write
        with pytest.raises(OSError):
            os.eventfd_write(fd, U64)
        with pytest.raises(OverflowError):
            L.eventfd_write(fd, 2**64)
        with pytest.raises(OverflowError):
            L.eventfd_write(fd, -1)
        with pytest.raises(TypeError):
            L.eventfd_write(fd, 1.0)
    raises_errno(errno.EBADF, L.eventfd_read, fd)
    raises_errno(errno.EBADF, fd.write_value, 1)


def test_eventfd_flags():
    with L.eventfd(0, L.EFD.NONBLOCK, inheritable=True) as fd:
        assert not cloexec(fd)
        raises_errno(errno.EAGAIN, L.eventfd_read, fd)
        with pytest.raises(BlockingIOError):
            os.eventfd_read(fd)
        L.eventfd_write(fd, U64 - 1)
        raises_errno(errno.EAGAIN, L.eventfd_write, fd, 1)  # would overflow
    with L.eventfd(2, "semaphore|nonblock") as fd:
        assert [L.eventfd_read(fd), fd.read_value()] == [1, 1]
        raises_errno(errno.EAGAIN, L.eventfd_read, fd)
    assert (L.EFD.SEMAPHORE, L.EFD.NONBLOCK, L.EFD.CLOEXEC) == (
        os.EFD_SEMAPHORE, os.EFD_NONBLOCK, os.EFD_CLOEXEC)
    raises_errno(errno.EINVAL, L.eventfd, 0, 0x40)
    with pytest.raises(OverflowError):
        L.eventfd(2**32)


def test_eventfd_read_of_another_fd():
    r, w = L.pipe()
    with r, w:
        L.write(w, b"abc")
        raises_errno(errno.EINVAL, L.eventfd_read, r)  # 3 bytes: not an eventfd


def test_eventfd_read_every_range_of_counter():
    """Issue 8: the counter is the C helper's result; above INT64_MAX it reads negative, and
    the top 4094 values, which would read as -errno, come back through ls_eventfd_parked."""
    values = [1, 2**63 - 1, 2**63, 2**64 - 4097, 2**64 - 4096, 2**64 - 4095, 2**64 - 4094,
              2**64 - 22, 2**64 - 4, 2**64 - 2]
    with L.eventfd() as fd:
        for v in values:
            os.eventfd_write(fd.fd, v)
            assert L.eventfd_read(fd) == v
            L.eventfd_write(fd, v)
            assert os.eventfd_read(fd.fd) == v
        for n in range(20):  # more than the per-thread ring holds, none left behind
            os.eventfd_write(fd.fd, 2**64 - 2 - n)
            assert L.eventfd_read(fd) == 2**64 - 2 - n


def test_eventfd_parked_counters_under_reentry(monkeypatch):
    """A signal handler running between the read and the take of a parked counter, reading
    a parked counter itself, takes its own: newest first, by fd."""
    real = event._eventfd_read
    a, b = L.eventfd(), L.eventfd()
    got = []

    def read_then_handler(n):
        r = real(n)
        if n == a.fd and not got:
            got.append(L.eventfd_read(b))  # the "handler"
        return r

    with a, b:
        os.eventfd_write(a.fd, 2**64 - 2)
        os.eventfd_write(b.fd, 2**64 - 3)
        monkeypatch.setattr(event, "_eventfd_read", read_then_handler)
        assert L.eventfd_read(a) == 2**64 - 2
        assert got == [2**64 - 3]


def test_eventfd_wakes_a_blocked_reader():
    with L.eventfd() as fd:
        t = threading.Timer(0.02, L.eventfd_write, (fd, 42))
        t.start()
        assert L.eventfd_read(fd) == 42
        t.join()


# ---- inotify -------------------------------------------------------------------------------

def test_inotify_init1():
    with L.inotify_init1() as fd:
        assert link(fd) == "anon_inode:inotify" and cloexec(fd)
    with L.inotify_init1(L.IN_INIT.NONBLOCK, inheritable=True) as fd:
        assert not cloexec(fd)
        raises_errno(errno.EAGAIN, L.inotify_read, fd)  # nothing pending: BlockingIOError
    raises_errno(errno.EINVAL, L.inotify_init1, L.IN_ACCESS)  # a plain int: the kernel's say


def test_inotify_events(tmp_path):
    with L.Inotify(L.IN_INIT.NONBLOCK) as ino:
        assert link(ino.fd) == "anon_inode:inotify" and cloexec(ino.fd)
        wd = ino.add_watch(tmp_path)
        assert ino.add_watch(str(tmp_path), L.IN.ALL_EVENTS) == wd  # the same watch again
        (tmp_path / "f").write_bytes(b"data")
        os.rename(tmp_path / "f", tmp_path / "g")
        os.mkdir(tmp_path / "d")
        os.unlink(tmp_path / "g")
        events = list(ino)
        assert all(isinstance(e, L.InotifyEvent) and e.wd == wd for e in events)
        assert all(isinstance(e.mask, L.IN) for e in events)
        assert [(e.mask, e.name) for e in events] == [
            (L.IN.CREATE, "f"), (L.IN.OPEN, "f"), (L.IN.MODIFY, "f"), (L.IN.CLOSE_WRITE, "f"),
            (L.IN.MOVED_FROM, "f"), (L.IN.MOVED_TO, "g"), (L.IN.CREATE | L.IN.ISDIR, "d"),
            (L.IN.DELETE, "g")]
        moves = [e for e in events if e.mask & L.IN.MOVE]
        assert moves[0].cookie == moves[1].cookie != 0
        with pytest.raises(BlockingIOError):
            ino.read_events()
        assert list(ino) == []  # iteration ends where read_events raises
        ino.rm_watch(wd)
        assert [(e.wd, e.mask, e.name) for e in ino.read_events()] == [(wd, L.IN.IGNORED, None)]
    assert ino.closed and repr(ino) == "<Inotify closed>"
    for method, args in ((ino.read_events, ()), (ino.add_watch, (tmp_path,)),
                         (ino.rm_watch, (wd,)), (ino.fileno, ())):
        with pytest.raises(L.ClosedFdError):
            method(*args)
    with pytest.raises(L.ClosedFdError):
        list(ino)


def test_inotify_watch_on_a_file(tmp_path):
    p = tmp_path / "file"
    p.write_bytes(b"")
    with L.inotify_init1(L.IN_INIT.NONBLOCK) as fd:
        wd = L.inotify_add_watch(fd, p, L.IN.ATTRIB | L.IN.DELETE_SELF | L.IN.ONESHOT)
        os.chmod(p, 0o600)
        os.chmod(p, 0o644)  # oneshot: the watch is gone after the first
        assert L.inotify_read(fd) == [(wd, L.IN.ATTRIB, 0, None), (wd, L.IN.IGNORED, 0, None)]
        with pytest.raises(BlockingIOError):
            fd.inotify_read()
        wd = fd.inotify_add_watch(bytes(p), "delete_self|in_modify")
        os.unlink(p)
        got = L.inotify_read(fd)
        assert [e.mask for e in got] == [L.IN.DELETE_SELF, L.IN.IGNORED]
        raises_errno(errno.EINVAL, fd.inotify_rm_watch, wd)  # already gone


def test_inotify_names_and_big_batches(tmp_path):
    raw = b"caf\xe9-\xff"  # not UTF-8: surrogateescape'd, as os.fsdecode
    with L.Inotify(L.IN_INIT.NONBLOCK) as ino:
        ino.add_watch(tmp_path, L.IN.CREATE)
        os.close(os.open(os.path.join(bytes(tmp_path), raw), os.O_CREAT | os.O_WRONLY))
        names = [f"{i:04d}-" + "n" * 200 for i in range(300)]  # ~70 KB of events: many reads
        for n in names:
            (tmp_path / n).touch()
        events = list(ino)
    assert events[0].name == os.fsdecode(raw)
    assert [e.name for e in events[1:]] == names
    assert all(e.mask == L.IN.CREATE for e in events)


def test_inotify_blocking_iteration(tmp_path):
    with L.Inotify() as ino:
        ino.add_watch(tmp_path, L.IN.CREATE)
        t = threading.Timer(0.02, (tmp_path / "late").touch)
        t.start()
        for ev in ino:  # blocks until the file appears
            assert ev.name == "late"
            break
        t.join()


def test_inotify_errors(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    with L.Inotify() as ino:
        e = raises_errno(errno.ENOENT, ino.add_watch, tmp_path / "missing")
        assert e.filename == str(tmp_path / "missing")
        raises_errno(errno.ENOTDIR, ino.add_watch, tmp_path / "file", L.IN.ONLYDIR | L.IN.OPEN)
        raises_errno(errno.EINVAL, ino.add_watch, tmp_path, 0)
        raises_errno(errno.EINVAL, ino.rm_watch, 12345)
        with pytest.raises(ValueError):
            ino.add_watch(tmp_path, "nonsense")
        with pytest.raises(ValueError):
            ino.add_watch("a\0b")
    r, w = L.pipe()
    with r, w:
        raises_errno(errno.EINVAL, L.inotify_add_watch, r, tmp_path, L.IN.OPEN)
    raises_errno(errno.EBADF, L.inotify_add_watch, 10**6, tmp_path, L.IN.OPEN)


@requires_root()
def test_inotify_eacces_as_nobody(tmp_path):
    os.chmod(tmp_path, 0o700)

    def check():
        with L.Inotify() as ino:
            raises_errno(errno.EACCES, ino.add_watch, tmp_path)
    assert as_nobody(check) == 0


def test_inotify_namespace():
    assert L.IN.ALL_EVENTS == 0xFFF
    assert L.IN_INIT.CLOEXEC == os.O_CLOEXEC and L.IN_INIT.NONBLOCK == os.O_NONBLOCK
    assert L.IN.CLOSE == L.IN.CLOSE_WRITE | L.IN.CLOSE_NOWRITE
    for name in ("ACCESS", "MODIFY", "ATTRIB", "CLOSE_WRITE", "CLOSE_NOWRITE", "OPEN",
                 "MOVED_FROM", "MOVED_TO", "CREATE", "DELETE", "DELETE_SELF", "MOVE_SELF",
                 "UNMOUNT", "Q_OVERFLOW", "IGNORED", "ONLYDIR", "DONT_FOLLOW", "EXCL_UNLINK",
                 "MASK_ADD", "ISDIR", "ONESHOT"):
        assert getattr(L, "IN_" + name) == getattr(L.IN, name)


# ---- fanotify ------------------------------------------------------------------------------

def fanotify_or_skip(*args, **kwargs):
    """fanotify_init; skipped only under qemu-user, which lacks it."""
    return qemu_may_lack(L.fanotify_init, *args, **kwargs)


@requires_root()
def test_fanotify_open_event(tmp_path):
    (tmp_path / "watched").write_bytes(b"x")
    with fanotify_or_skip(L.FAN_INIT.CLASS_NOTIF | L.FAN_INIT.NONBLOCK, L.O.RDONLY) as fan:
        assert link(fan) == "anon_inode:[fanotify]" and cloexec(fan)
        raises_errno(errno.EAGAIN, L.fanotify_read, fan)  # nothing pending: BlockingIOError
        L.fanotify_mark(fan, L.FAN_MARK.ADD, L.FAN.OPEN | L.FAN.EVENT_ON_CHILD,
                        L.AT.FDCWD, tmp_path)
        with open(tmp_path / "watched", "rb"):
            pass
        events = L.fanotify_read(fan)
        try:
            assert len(events) == 1
            ev = events[0]
            assert isinstance(ev, L.FanotifyEvent)
            assert ev.mask == L.FAN.OPEN and isinstance(ev.mask, L.FAN)
            assert ev.pid == os.getpid() and ev.pidfd is None
            assert isinstance(ev.fd, L.Fd)
            assert link(ev.fd) == str(tmp_path / "watched")
            assert cloexec(ev.fd)
            assert L.read(ev.fd, 10) == b"x"
        finally:
            for ev in events:
                ev.fd.close()
        fan.fanotify_mark("remove", "open|event_on_child", L.AT.FDCWD, str(tmp_path))
        raises_errno(errno.ENOENT, L.fanotify_mark, fan, "remove", L.FAN.OPEN, L.AT.FDCWD,
                     tmp_path)


@requires_root()
def test_fanotify_dirfd_mark_and_pidfd(tmp_path):
    flags = L.FAN_INIT.CLASS_NOTIF | L.FAN_INIT.NONBLOCK | L.FAN_INIT.REPORT_PIDFD
    with fanotify_or_skip(flags, "rdonly", inheritable=True) as fan, \
            L.open(tmp_path, "directory") as d:
        assert not cloexec(fan)
        L.fanotify_mark(fan, "add", L.FAN.CLOSE_WRITE | L.FAN.EVENT_ON_CHILD, d)  # dirfd only
        (tmp_path / "new").write_bytes(b"")
        events = L.fanotify_read(fan)
        try:
            assert [(e.mask, e.pid) for e in events] == [(L.FAN.CLOSE_WRITE, os.getpid())]
            ev = events[0]
            assert not cloexec(ev.fd) and link(ev.fd) == str(tmp_path / "new")
            assert link(ev.pidfd) == "anon_inode:[pidfd]"
            with open(f"/proc/self/fdinfo/{ev.pidfd.fd}") as info:
                assert f"Pid:\t{os.getpid()}\n" in info.read()
        finally:
            for e in events:
                e.fd.close()
                e.pidfd.close()


@requires_root()
def test_fanotify_permission_event_denied(tmp_path):
    (tmp_path / "guarded").write_bytes(b"")
    with fanotify_or_skip(L.FAN_INIT.CLASS_CONTENT) as fan:
        L.fanotify_mark(fan, L.FAN_MARK.ADD, L.FAN.OPEN_PERM, L.AT.FDCWD, tmp_path / "guarded")
        outcome = []

        def opener():
            try:
                os.close(os.open(tmp_path / "guarded", os.O_RDONLY))
                outcome.append("opened")
            except OSError as e:
                outcome.append(e.errno)
        t = threading.Thread(target=opener)
        t.start()
        events = L.fanotify_read(fan)  # blocking: waits for the opener
        try:
            assert [e.mask for e in events] == [L.FAN.OPEN_PERM]
            L.fanotify_respond(fan, events[0].fd, L.FAN_RESPONSE.DENY)
        finally:
            for e in events:
                e.fd.close()
        t.join()
        assert outcome == [errno.EPERM]


@requires_root()
def test_fanotify_errors(tmp_path):
    raises_errno(errno.EINVAL, L.fanotify_init, 0xFFFFFFF0)
    raises_errno(errno.EINVAL, L.fanotify_init, 0, L.O.CREAT)  # not an event fd flag
    with fanotify_or_skip() as fan:
        raises_errno(errno.ENOENT, L.fanotify_mark, fan, "add", L.FAN.OPEN, L.AT.FDCWD,
                     tmp_path / "missing")
        raises_errno(errno.EINVAL, L.fanotify_mark, fan, 0xFFFF, L.FAN.OPEN, L.AT.FDCWD,
                     tmp_path)
        raises_errno(errno.EBADF, L.fanotify_mark, fan, "add", L.FAN.OPEN, 10**6, "relative")
        with pytest.raises(OverflowError):
            L.fanotify_mark(fan, "add", 2**64, L.AT.FDCWD, tmp_path)
    raises_errno(errno.EBADF, L.fanotify_mark, 10**6, "add", L.FAN.OPEN, L.AT.FDCWD, tmp_path)

    def unprivileged():
        raises_errno(errno.EPERM, L.fanotify_init, L.FAN_INIT.CLASS_CONTENT)
    assert as_nobody(unprivileged) == 0


def test_fanotify_namespaces():
    assert L.FAN.CLOSE == L.FAN.CLOSE_WRITE | L.FAN.CLOSE_NOWRITE
    assert (L.FAN_MARK.ADD, L.FAN_MARK.REMOVE, L.FAN_MARK.FLUSH) == (1, 2, 0x80)
    assert (L.FAN_ALLOW, L.FAN_DENY, L.FAN_NOFD) == (1, 2, -1)


# ---- every event fd in selectors and asyncio ----------------------------------------------

def readable_event_fds(tmp_path, stack):
    """(name, fd-like) of each event fd kind, each made readable."""
    r, w = L.pipe()
    stack += [r, w]
    L.write(w, b"x")
    ep = L.Epoll()
    ep.register(r, L.EPOLL.IN)
    raw_ep = L.epoll_create1()
    L.epoll_ctl(raw_ep, "add", r, "in")
    efd = L.eventfd(1)
    ino = L.Inotify()
    ino.add_watch(tmp_path, L.IN.CREATE)
    raw_ino = L.inotify_init1()
    L.inotify_add_watch(raw_ino, tmp_path, L.IN.CREATE)
    stack += [ep, raw_ep, efd, ino, raw_ino]
    fds = [("Epoll", ep), ("epoll fd", raw_ep), ("eventfd", efd), ("Inotify", ino),
           ("inotify fd", raw_ino)]
    if os.geteuid() == 0:
        try:
            fan = L.fanotify_init(L.FAN_INIT.CLASS_NOTIF)
        except L.UnsupportedError:
            if not EMULATED:
                raise
        else:
            stack.append(fan)
            L.fanotify_mark(fan, "add", L.FAN.CLOSE_WRITE | L.FAN.EVENT_ON_CHILD, L.AT.FDCWD,
                            tmp_path)
            fds.append(("fanotify fd", fan))
    (tmp_path / "made").write_bytes(b"")
    return fds


@pytest.fixture
def event_fds(tmp_path):
    stack = []
    yield readable_event_fds(tmp_path, stack)
    for obj in stack:
        obj.close()


def test_event_fds_with_selectors(event_fds):
    with selectors.DefaultSelector() as sel:
        for name, fd in event_fds:
            sel.register(fd, selectors.EVENT_READ, name)
        ready = {key.data for key, mask in sel.select(5) if mask & selectors.EVENT_READ}
    assert ready == {name for name, _ in event_fds}


def test_event_fds_with_asyncio_add_reader(event_fds):
    async def main():
        loop = asyncio.get_running_loop()
        futures = {}
        for name, fd in event_fds:
            fut = futures[name] = loop.create_future()
            loop.add_reader(fd, fut.set_result, name)
        try:
            done = await asyncio.wait_for(asyncio.gather(*futures.values()), 5)
        finally:
            for _, fd in event_fds:
                loop.remove_reader(fd)
        return done
    assert sorted(asyncio.run(main())) == sorted(name for name, _ in event_fds)


def test_module_exports():
    for name in event.__all__:
        assert getattr(L, name) is getattr(event, name)
        obj = getattr(event, name)
        if callable(obj) and not isinstance(obj, type):
            assert obj.__doc__ and "man " in obj.__doc__, name
    for name in ("epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd_read",
                 "eventfd_write", "inotify_add_watch", "inotify_rm_watch", "inotify_read",
                 "fanotify_mark", "fanotify_read", "fanotify_respond", "read_value",
                 "write_value"):
        assert callable(getattr(L.Fd, name)), name


# ---- hardening (issue 7) -------------------------------------------------------------------

FAN_METADATA = struct.Struct("=IBBHQii")  # struct fanotify_event_metadata, 24 bytes


def test_readers_refuse_other_kinds_of_fd(tmp_path):
    """Each reader checks the fd's kind before reading: a pipe's or a file's data stays
    unread (it used to come back as a count, or as records), OSError EINVAL instead."""
    (tmp_path / "f").write_bytes(b"12345678" * 4)
    r, w = L.pipe()
    with r, w, L.open(tmp_path / "f") as f, L.eventfd(7) as efd, L.Inotify() as ino, \
            L.epoll_create1() as ep:
        L.write(w, b"abcdefgh" * 4)
        cases = [(L.eventfd_read, ()), (L.inotify_read, ()), (L.fanotify_read, ()),
                 (L.eventfd_write, (1,)), (L.fanotify_respond, (0, L.FAN_RESPONSE.ALLOW))]
        for fn, args in cases:
            for fd in (r, r.fd, f, f.fd, ep):
                e = raises_errno(errno.EINVAL, fn, fd, *args)
                assert "not a" in str(e), (fn, fd)
        for fn in (L.inotify_read, L.fanotify_read):
            raises_errno(errno.EINVAL, fn, efd)
        for fn in (L.eventfd_read, L.fanotify_read):
            raises_errno(errno.EINVAL, fn, ino)  # an Inotify: its Fd's kind
            raises_errno(errno.EINVAL, fn, ino.fd)
        raises_errno(errno.EINVAL, L.eventfd_write, w, 1)  # nothing written into the pipe
        assert L.read(r, 100) == b"abcdefgh" * 4
        assert L.read(f, 100) == b"12345678" * 4
        assert L.eventfd_read(efd) == 7


def test_fanotify_read_of_a_pipe_adopts_no_fd():
    """A pipe holding what looks like fanotify events naming a victim's fd number: the read
    is refused before anything is read, and the victim stays open (fanotify_read used to
    wrap that number in an owning Fd that closed it)."""
    r, w = L.pipe()
    victim = L.eventfd(3)
    with r, w, victim:
        record = FAN_METADATA.pack(24, L.FANOTIFY_METADATA_VERSION, 0, 24, L.FAN.OPEN,
                                   victim.fd, os.getpid())
        L.write(w, record * 2)
        raises_errno(errno.EINVAL, L.fanotify_read, r)
        raises_errno(errno.EINVAL, L.fanotify_read, r.fd)
        gc.collect()
        assert L.eventfd_read(victim) == 3
        assert L.read(r, 100) == record * 2


def test_fanotify_read_checks_the_metadata_version():
    """Events of another metadata version are refused (OSError EPROTO) before any number in
    them is taken for an fd.  The version is checked in the C helper, so the fd here is a
    pipe told to pass for a fanotify group (as when /proc cannot say)."""
    r, w = L.pipe()
    victim = L.eventfd(3)
    with r, w, victim:
        r._kind = "fanotify"
        good = FAN_METADATA.pack(24, L.FANOTIFY_METADATA_VERSION, 0, 24, L.FAN.OPEN, -1, 1)
        bad = FAN_METADATA.pack(24, L.FANOTIFY_METADATA_VERSION + 1, 0, 24, L.FAN.OPEN,
                                victim.fd, 1)
        L.write(w, good + bad)
        e = raises_errno(errno.EPROTO, L.fanotify_read, r)
        assert f"version {L.FANOTIFY_METADATA_VERSION + 1}" in str(e)
        gc.collect()
        assert L.eventfd_read(victim) == 3  # not adopted, not closed
        L.write(w, good)  # the version this build parses, no fd: read as such
        assert L.fanotify_read(r) == [(L.FAN.OPEN, None, 1, None)]


def test_makers_tag_their_fds():
    """The Fds made here know their kind, so the readers' check costs nothing for them."""
    from linuxsys.fd import fd_kind
    with L.eventfd() as efd, L.inotify_init1() as ino, L.epoll_create1() as ep:
        for fd, kind in ((efd, "eventfd"), (ino, "inotify"), (ep, "eventpoll")):
            assert fd._kind == kind == fd_kind(fd.fd)
    if os.geteuid() == 0:
        try:
            fan = L.fanotify_init()
        except L.UnsupportedError:
            if not EMULATED:
                raise
        else:
            with fan:
                assert fan._kind == "fanotify" == fd_kind(fan.fd)


def test_nothing_pending_raises_blocking_io_error(tmp_path):
    """One convention for every nonblocking reader: BlockingIOError (EAGAIN), as os.read."""
    with L.eventfd(0, "nonblock") as efd, L.Inotify(L.IN_INIT.NONBLOCK) as ino:
        for fn, fd in ((L.eventfd_read, efd), (L.inotify_read, ino.fd), (L.inotify_read, ino),
                       (lambda x: x.read_events(), ino), (L.Fd.read_value, efd)):
            with pytest.raises(BlockingIOError) as e:
                fn(fd)
            assert e.value.errno == errno.EAGAIN
        assert list(ino) == []
        ino.add_watch(tmp_path, L.IN.CREATE)
        (tmp_path / "x").touch()
        assert [e.name for e in ino] == ["x"]


def test_only_reference_fds_stay_open_for_the_call(tmp_path):
    """Every fd-taking function with a temporary Fd as the only reference to it: the call
    acts on it (no EBADF), and garbage collection closes it afterwards."""
    L.eventfd_write(L.eventfd(0), 1)
    assert L.eventfd_read(L.eventfd(5)) == 5
    assert L.eventfd_read(L.Fd(L.eventfd(6).detach())) == 6  # untagged: /proc asked
    assert L.epoll_wait(L.epoll_create1(), 1, 0) == []
    assert L.epoll_pwait(L.epoll_create1(), 1, 0, []) == []
    assert L.epoll_wait(L.epoll_create1(), bytearray(16), 0) == 0
    with L.epoll_create1() as ep:
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, L.eventfd(1), L.EPOLL.IN)
        L.epoll_ctl(L.Fd(L.dup(ep).detach()), L.EPOLL_CTL.ADD, L.eventfd(1), L.EPOLL.IN)
    with L.Epoll() as ep:
        ep.register(L.eventfd(1), L.EPOLL.IN)
    got = L.poll(((L.eventfd(1), L.POLL.IN) for _ in range(3)), 0)  # a generator's Fds
    assert len({fd for fd, _ in got}) == 3 and all(ev == select.POLLIN for _, ev in got)
    got = L.ppoll(((L.eventfd(1), "in") for _ in range(3)), 0)
    assert len({fd for fd, _ in got}) == 3 and all(ev == select.POLLIN for _, ev in got)
    wd = L.inotify_add_watch(L.inotify_init1(), tmp_path, L.IN.CREATE)
    assert wd >= 1
    raises_errno(errno.EINVAL, L.inotify_rm_watch, L.inotify_init1(), wd)  # not EBADF
    with pytest.raises(BlockingIOError):
        L.inotify_read(L.inotify_init1(L.IN_INIT.NONBLOCK))
    if os.geteuid() == 0 and not EMULATED:
        with pytest.raises(BlockingIOError):
            L.fanotify_read(L.fanotify_init(L.FAN_INIT.NONBLOCK))
        L.fanotify_mark(L.fanotify_init(), L.FAN_MARK.ADD, L.FAN.OPEN, L.Fd(L.open(tmp_path)
                                                                              .detach()))
        raises_errno(errno.ENOENT, L.fanotify_respond, L.fanotify_init(L.FAN_INIT.CLASS_CONTENT),
                     L.eventfd(), L.FAN_RESPONSE.ALLOW)
    assert qemu_may_lack(L.epoll_pwait2, L.epoll_create1(), 1, 0) == []  # last: may skip


def test_parameter_names_are_the_man_pages(tmp_path):
    with L.inotify_init1(flags=L.IN_INIT.NONBLOCK) as fd:
        wd = L.inotify_add_watch(fd=fd, pathname=tmp_path, mask=L.IN.CREATE)
        L.inotify_rm_watch(fd=fd, wd=wd)
    with L.Inotify() as ino:
        assert ino.add_watch(pathname=str(tmp_path), mask="create") >= 1
    with L.epoll_create1(flags=0) as ep, L.eventfd(initval=1, flags=0) as efd:
        L.epoll_ctl(epfd=ep, op="add", fd=efd, events="in", data=9)
        assert L.epoll_wait(epfd=ep, maxevents_or_buffer=1, timeout=0) == [(9, select.EPOLLIN)]
        L.eventfd_write(fd=efd, value=1)
        assert L.eventfd_read(fd=efd) == 2
    assert L.poll(fds=[], timeout=0) == [] and L.ppoll(fds=[], timeout_ns=0, sigmask=None) == []
    if os.geteuid() == 0 and not EMULATED:
        with L.fanotify_init(flags=0, event_f_flags=0) as fan:
            L.fanotify_mark(fanotify_fd=fan, flags="add", mask="open", dirfd=L.AT.FDCWD,
                            pathname=tmp_path)
            e = raises_errno(errno.ENOENT, L.fanotify_mark, fanotify_fd=fan, flags="remove",
                             mask="open", pathname=tmp_path / "missing")
            assert e.filename == str(tmp_path / "missing")


def test_epoll_buffer_released_before_raising():
    """A failing wait into the caller's buffer leaves it unexported: the bytearray can grow
    while the exception lives, and a memoryview kept in a reference cycle with the exception
    is not cleared while exported (that used to crash the interpreter)."""
    def keep_errors():
        errors = []
        for _ in range(1000):
            try:
                L.epoll_wait(-1, memoryview(bytearray(16)), 0)
            except OSError as e:
                errors.append(e)  # the traceback holds the frame, a cycle through it
        return errors
    assert len(keep_errors()) == 1000
    gc.collect()
    with L.epoll_create1() as ep:
        for call, buf in ((lambda b: L.epoll_wait(-1, b, 0), bytearray(32)),
                          (lambda b: L.epoll_pwait(ep, b, 0, ["nosuch"]), bytearray(32)),
                          (lambda b: L.epoll_pwait2(ep, b, -1.5), bytearray(32)),
                          (lambda b: L.epoll_wait(ep, b, 0), bytearray(15))):
            try:
                call(buf)
            except (OSError, ValueError, TypeError) as e:
                err = e
            buf.extend(b"x")  # BufferError if still exported
            assert err.__traceback__ is not None
        buf = bytearray(32)
        with pytest.raises(Interrupted):  # a signal handler's exception out of the wait
            signal_during(L.epoll_wait, ep, buf, 60_000, raise_from_handler=True)
        buf.extend(b"x")
        assert L.epoll_wait(ep, buf, 0) == 0
        buf.extend(b"x")


def test_epoll_buffers_must_be_writable():
    with L.epoll_create1() as ep:
        for ro in (bytes(32), memoryview(bytearray(32)).toreadonly(),
                   L.ffi.from_buffer(bytes(32)), L.ffi.from_buffer(bytearray(32))):
            with pytest.raises(TypeError):
                L.epoll_wait(ep, ro, 0)
        with pytest.raises(BufferError):
            L.epoll_wait(ep, memoryview(bytearray(64))[::2], 0)
        assert L.epoll_wait(ep, L.ffi.new("char[]", 16), 0) == 0  # linuxsys-allocated: fine


def test_epoll_maxevents_checked_before_allocating():
    limit = L._native.lib.LS_EP_MAX_EVENTS
    with L.epoll_create1() as ep, L.Epoll() as pyep:
        for bad, exc in ((0, ValueError), (-5, ValueError), (limit + 1, OverflowError),
                         (2**31, OverflowError), (2**64, OverflowError), (2**200, OverflowError)):
            with pytest.raises(exc):
                L.epoll_wait(ep, bad, 0)
            with pytest.raises(exc):
                pyep.poll(0, maxevents=bad)
        for bad in (1.5, "3", None):
            with pytest.raises(TypeError):
                pyep.poll(0, maxevents=bad)
        for bad in ("3", [1], b"x"):
            with pytest.raises(TypeError):
                pyep.poll(bad)
        assert pyep.poll(0, maxevents=1) == [] and L.epoll_wait(ep, 1, 0) == []


def test_closed_fd_unregisters_like_a_closed_file():
    """ClosedFdError is a ValueError: selectors and asyncio unregister a closed Fd as they do
    a closed file object, and Epoll.unregister raises what select.epoll raises."""
    fd = L.eventfd(1)
    with selectors.EpollSelector() as sel:
        sel.register(fd, selectors.EVENT_READ, "data")
        fd.close()
        key = sel.unregister(fd)
        assert key.fileobj is fd and key.data == "data" and sel.get_map() == {}
    fd = L.eventfd(1)
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        fd.close()
        sel.unregister(fd)
    with L.Epoll() as ep, select.epoll() as oracle:
        fd = L.eventfd(1)
        ep.register(fd)
        pr, pw = os.pipe()
        os.close(pw)
        f = open(pr, "rb")
        oracle.register(f)
        fd.close()
        f.close()
        with pytest.raises(ValueError):
            oracle.unregister(f)
        with pytest.raises(ValueError) as e:
            ep.unregister(fd)
        assert type(e.value) is L.ClosedFdError and e.value.errno == errno.EBADF

    async def main():  # asyncio refuses both with ValueError("Invalid file object")
        loop = asyncio.get_running_loop()
        pr, pw = os.pipe()
        os.close(pw)
        f = open(pr, "rb")
        fd = L.eventfd(1)
        outcome = []
        for obj in (f, fd):
            loop.add_reader(obj, lambda: None)
            assert loop.remove_reader(obj) is True
            loop.add_reader(obj, lambda: None)
            obj.close()
            with pytest.raises(ValueError) as e:
                loop.remove_reader(obj)
            outcome.append(str(e.value).split(":")[0])
        return outcome
    assert asyncio.run(main()) == ["Invalid file object"] * 2


def test_arguments_checked_before_any_syscall(tmp_path):
    r, w = L.pipe()
    with r, w, L.eventfd(0, "nonblock") as efd:
        with pytest.raises(OverflowError):
            L.eventfd_write(w, -1)  # the value first: no /proc look, nothing written
        with pytest.raises(TypeError):
            L.eventfd_write(efd, "1")
        with pytest.raises(TypeError):
            L.eventfd_read(None)
        with pytest.raises(OverflowError):
            L.inotify_rm_watch(efd, 2**31)
        with pytest.raises(TypeError):
            L.inotify_rm_watch(efd, "1")
        with pytest.raises(ValueError):
            L.fanotify_respond(efd, 0, "nosuch")
        with pytest.raises(TypeError):
            L.fanotify_respond(efd, 0, L.FAN.OPEN)
        with pytest.raises(TypeError):
            L.poll([(r, L.EPOLL.IN)], 0)
        with pytest.raises(TypeError):
            L.epoll_wait(efd, 1, "soon")
        with L.Epoll() as ep:
            with pytest.raises(TypeError):
                ep.poll("soon")
        with pytest.raises(BlockingIOError):  # nothing was written into the pipe
            os.read(r.fd, 10) if os.set_blocking(r.fd, False) is None else None


def test_native_arguments_annotated_for_the_trace():
    """Every flag or enum argument of the event, signal and time helpers names its namespace,
    every pointer the kernel fills says out (cdefs /* NS */, /* out */, ls_argspec)."""
    spec = L.ffi.string(L._native.lib.ls_argspec()).decode().splitlines()
    mine = ("epoll_create1 EPOLL_CREATE", "eventfd2 - EFD", "inotify_init1 IN_INIT",
            "inotify_add_watch fd path IN", "inotify_rm_watch fd -", "fanotify_init FAN_INIT O",
            "epoll_ctl - EPOLL_CTL - EPOLL -", "epoll_pwait - out - - -",
            "epoll_wait - out - -", "epoll_pwait2 - out - - -", "inotify_read - out - out",
            "fanotify_mark fd FAN_MARK FAN dirfd path", "fanotify_read - out - out",
            "rt_sigprocmask SIG_HOW - out -", "rt_sigpending out -", "signalfd4 - - - SFD",
            "rt_sigtimedwait - out - -", "rt_sigqueueinfo - SIG -",
            "rt_tgsigqueueinfo - - SIG -", "signalfd_read - out - -",
            "timerfd_create CLOCK TFD", "clock_gettime CLOCK", "clock_getres CLOCK",
            "clock_settime CLOCK -", "clock_nanosleep CLOCK TIMER - out",
            "timerfd_settime - TFD_TIMER - - out", "timerfd_gettime - out", "times out")
    for line in mine:
        assert line in spec, line
        assert all(n in ("-", "out", "fd", "dirfd", "path") or n in L.flags.NAMESPACES
                   for n in line.split()[1:])


def test_trace_prints_init_flags_in_their_own_namespace(caplog):
    """inotify_init1's IN_NONBLOCK is 0x800 like IN_MOVE_SELF: the trace names the flag."""
    with caplog.at_level("DEBUG", logger="linuxsys.syscall"):
        L.trace(True)
        try:
            L.inotify_init1(L.IN_INIT.NONBLOCK).close()
        finally:
            L.trace(False)
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("inotify_init1")]
    assert "NONBLOCK" in line and "MOVE_SELF" not in line, line


def test_inotify_and_fanotify_marks_are_declared_plain_syscalls(tmp_path, monkeypatch):
    """inotify_add_watch, inotify_rm_watch, fanotify_mark are generated from cdefs/event.h
    (linuxsys/_sys_event.py) with the hand-written versions' behaviour: Fd methods, probes,
    argument checks before the call, EINTR retried, ENOSYS -> UnsupportedError."""
    from linuxsys import _sys_event
    from linuxsys.__main__ import PROBES
    assert L.inotify_add_watch is event.inotify_add_watch is _sys_event.inotify_add_watch
    assert L.inotify_rm_watch is event.inotify_rm_watch is _sys_event.inotify_rm_watch
    assert L.fanotify_mark is event.fanotify_mark is _sys_event.fanotify_mark
    assert {"inotify_add_watch", "inotify_rm_watch", "fanotify_mark"} <= set(event.__all__)
    assert PROBES["event"]["inotify_add_watch"] == (-1, L.ffi.NULL, 0)
    assert PROBES["event"]["inotify_rm_watch"] == (-1, 0)
    assert PROBES["event"]["fanotify_mark"] == (-1, 2**32 - 1, 0, -1, L.ffi.NULL)
    params = inspect.signature(L.fanotify_mark).parameters
    assert (params["dirfd"].default, params["pathname"].default) == (L.AT.FDCWD, None)
    for flags, mask in ((2**32, 0), (-1, 0), (0, 2**64), (0, -1)):  # before any call
        with pytest.raises(OverflowError):
            L.fanotify_mark(-1, flags, mask)
    with pytest.raises(TypeError):
        L.fanotify_mark(-1, L.FAN_MARK.ADD, L.IN.CREATE)  # another namespace's member
    raises_errno(errno.EBADF, L.fanotify_mark, -1, L.FAN_MARK.ADD, L.FAN.OPEN)  # pathname NULL
    with L.inotify_init1(L.IN_INIT.NONBLOCK) as fd:
        for bad in (-1, 2**32):
            with pytest.raises(OverflowError):
                L.inotify_add_watch(fd, tmp_path, bad)
        with pytest.raises(TypeError):
            L.inotify_add_watch(fd, tmp_path, 1.5)
        with pytest.raises(TypeError):
            L.inotify_add_watch(fd, 42, L.IN.CREATE)
        wd = fd.inotify_add_watch(tmp_path, "create")
        calls = []

        def interrupted_once(*args):
            calls.append(args)
            return -errno.EINTR if len(calls) == 1 else L._native.lib.ls_inotify_rm_watch(*args)
        monkeypatch.setattr(_sys_event, "_inotify_rm_watch", interrupted_once)
        fd.inotify_rm_watch(wd)
        assert calls == [(fd.fd, wd)] * 2
        monkeypatch.setattr(_sys_event, "_inotify_add_watch", lambda *args: -errno.ENOSYS)
        with pytest.raises(L.UnsupportedError) as e:
            L.inotify_add_watch(fd, tmp_path, L.IN.CREATE)
        assert "inotify_add_watch" in str(e.value)
