"""POSIX message queues against the real kernel (the queues are this test's own, unlinked)."""
import errno
import itertools
import os
import select
import signal

import pytest

import linuxsys as L
from conftest import EMULATED, as_nobody, child_ok, cloexec, qemu_may_lack, raises_errno

MS = 1_000_000
_serial = itertools.count()


@pytest.fixture
def name():
    """A queue name of this test's own ("/linuxsys-test-<pid>-<n>"), unlinked afterwards."""
    n = f"/linuxsys-test-{os.getpid()}-{next(_serial)}"
    yield n
    try:
        L.mq_unlink(n)
    except FileNotFoundError:
        pass


def small(name, oflag=L.O.RDWR, maxmsg=4, msgsize=64):
    """A new queue of ``maxmsg`` messages of up to ``msgsize`` bytes."""
    return qemu_may_lack(L.mq_open, name, oflag | L.O.CREAT | L.O.EXCL, 0o600,
                         L.MqAttr(mq_maxmsg=maxmsg, mq_msgsize=msgsize))


def test_open_create_attributes(name):
    with small(name) as q:
        assert isinstance(q, L.Fd)
        assert cloexec(q)  # the kernel makes every queue descriptor close-on-exec
        attr = L.mq_getattr(q)
        assert attr == L.MqAttr(0, 4, 64, 0) and isinstance(attr.mq_flags, L.O)
        # "/name" and "name" are the same queue (the C library strips the slash, as linuxsys)
        with L.mq_open(name[1:], L.O.RDONLY) as r:
            L.mq_timedsend(q, b"hi")
            assert L.mq_timedreceive(r) == (b"hi", 0)
        with L.mq_open(name=name.encode(), oflag="wronly|nonblock") as w:
            assert w.mq_getattr().mq_flags == L.O.NONBLOCK


def test_open_defaults_and_keywords(name):
    """attr None: the system's defaults (/proc/sys/fs/mqueue)."""
    with open("/proc/sys/fs/mqueue/msg_default") as f:
        maxmsg = int(f.read())
    with open("/proc/sys/fs/mqueue/msgsize_default") as f:
        msgsize = int(f.read())
    with qemu_may_lack(L.mq_open, name=name, oflag=L.O.RDWR | L.O.CREAT, mode=0o640,
                       attr=None) as q:
        assert L.mq_getsetattr(mqdes=q, newattr=None) == (0, maxmsg, msgsize, 0)


def test_open_errors(name):
    qemu_may_lack(lambda: small(name).close())
    e = raises_errno(errno.EEXIST, small, name)
    assert e.filename == name
    missing = name + "-none"
    assert raises_errno(errno.ENOENT, L.mq_open, missing, L.O.RDONLY).filename == missing
    raises_errno(errno.ENOENT, L.mq_unlink, missing)
    raises_errno(errno.EINVAL, L.mq_open, missing, L.O.RDWR | L.O.CREAT, 0o600,
                 L.MqAttr(mq_maxmsg=0, mq_msgsize=64))
    raises_errno(errno.EACCES, L.mq_open, "/a/b", L.O.RDONLY)  # no other slash
    with pytest.raises(ValueError):
        L.mq_open("bad\0name", L.O.RDONLY)
    with pytest.raises(TypeError):
        L.mq_open(name, L.O.RDONLY, 0o600, (0, 4, 64, 0))
    with pytest.raises(TypeError):
        L.mq_open(name, L.EPOLL.IN)  # another namespace's member
    with pytest.raises(OverflowError):
        L.mq_open(name, L.O.RDONLY, 0o600, L.MqAttr(mq_maxmsg=2**64))

    def nobody():  # the queue is root's, mode 0600
        raises_errno(errno.EACCES, L.mq_open, name, L.O.RDONLY)
        # the queues' directory is sticky: EPERM (qemu-user calls the C library's mq_unlink,
        # which says EACCES, as POSIX has it)
        raises_errno(errno.EACCES if EMULATED else errno.EPERM, L.mq_unlink, name)
    assert as_nobody(nobody) == 0


def test_send_receive_priorities(name):
    with small(name) as q:
        for msg, prio in ((b"low", 1), (bytearray(b"high"), 5), (memoryview(b"xmid")[1:], 3),
                          (b"", 1)):
            L.mq_timedsend(q, msg, prio)
        assert q.mq_getattr().mq_curmsgs == 4
        assert L.mq_timedreceive(q, 64) == (b"high", 5)
        buf = bytearray(100)
        assert L.mq_timedreceive(q, buf) == (3, 3) and buf[:3] == b"mid"
        assert q.mq_timedreceive() == (b"low", 1)  # None: the queue's mq_msgsize
        assert L.mq_timedreceive(mqdes=q, n_or_buf=64, timeout_ns=0) == (b"", 1)


def test_sizes(name):
    with small(name, msgsize=8) as q:
        ba = bytearray(b"x" * 9)
        raises_errno(errno.EMSGSIZE, L.mq_timedsend, q, ba)
        ba.extend(b"y")  # the view was released before the raise
        L.mq_timedsend(q, b"12345678")
        raises_errno(errno.EMSGSIZE, L.mq_timedreceive, q, 7)  # smaller than mq_msgsize
        small_buf = bytearray(7)
        raises_errno(errno.EMSGSIZE, L.mq_timedreceive, q, small_buf)
        small_buf.extend(b"z")
        assert q.mq_timedreceive(8) == (b"12345678", 0)
        with pytest.raises(TypeError):
            L.mq_timedreceive(q, b"read-only bytes")
        with pytest.raises(ValueError):
            L.mq_timedreceive(q, -1)
        with pytest.raises(OverflowError):
            L.mq_timedsend(q, b"x", 2**32)
        raises_errno(errno.EINVAL, L.mq_timedsend, q, b"x", 32768)  # MQ_PRIO_MAX


def test_nonblocking_and_timeouts(name):
    with small(name, maxmsg=1) as q:
        raises_errno(errno.ETIMEDOUT, L.mq_timedreceive, q, timeout_ns=MS)
        raises_errno(errno.ETIMEDOUT, L.mq_timedreceive, q, abs_timeout_ns=0)  # long past
        L.mq_timedsend(q, b"a")
        raises_errno(errno.ETIMEDOUT, L.mq_timedsend, q, b"b", 0, timeout_ns=0)  # full
        deadline = L.clock_gettime(L.CLOCK.REALTIME) + MS
        raises_errno(errno.ETIMEDOUT, L.mq_timedsend, q, b"b", 0, deadline)
        raises_errno(errno.EINVAL, L.mq_timedsend, q, b"b", 0, -1)  # a time before 1970
        with pytest.raises(TypeError):
            L.mq_timedsend(q, b"b", 0, 0, timeout_ns=0)
        old = L.mq_setattr(q, L.MqAttr(mq_flags=L.O.NONBLOCK))
        assert old == (0, 1, 64, 1)
        assert q.mq_getattr().mq_flags == L.O.NONBLOCK
        raises_errno(errno.EAGAIN, L.mq_timedsend, q, b"b")
        assert L.mq_timedreceive(q) == (b"a", 0)
        raises_errno(errno.EAGAIN, L.mq_timedreceive, q)
        assert q.mq_setattr(L.MqAttr()).mq_flags == L.O.NONBLOCK
        assert L.mq_getattr(q).mq_flags == 0
        with pytest.raises(TypeError):
            L.mq_setattr(q, None)


def test_access_mode_and_bad_fds(name, tmp_path):
    qemu_may_lack(lambda: small(name).close())
    with L.mq_open(name, L.O.RDONLY) as r, L.mq_open(name, L.O.WRONLY) as w:
        raises_errno(errno.EBADF, L.mq_timedsend, r, b"x")
        raises_errno(errno.EBADF, L.mq_timedreceive, w, 64)
    with open(tmp_path / "f", "w") as f:  # not a queue
        raises_errno(errno.EBADF, L.mq_getattr, f)
        raises_errno(errno.EBADF, L.mq_timedsend, f, b"x")
        r.close()
        raises_errno(errno.EBADF, L.mq_getattr, r)  # ClosedFdError
        raises_errno(errno.EBADF, r.mq_timedsend, b"x")
        raises_errno(errno.EBADF, L.mq_notify, f)  # (last: qemu-user lacks mq_notify)


def test_epoll_readiness(name):
    with small(name, maxmsg=1) as q, L.epoll_create1() as ep:
        L.epoll_ctl(ep, L.EPOLL_CTL.ADD, q, L.EPOLL.IN | L.EPOLL.OUT)
        assert L.epoll_wait(ep, 4, 0) == [(q.fd, L.EPOLL.OUT)]  # empty: room only
        q.mq_timedsend(b"x")
        assert L.epoll_wait(ep, 4, 0) == [(q.fd, L.EPOLL.IN)]  # full: a message, no room
        assert select.select([q], [], [], 0)[0] == [q]
        q.mq_timedreceive()
        assert L.epoll_wait(ep, 4, 0) == [(q.fd, L.EPOLL.OUT)]


def test_notify_signal(name):
    """A message arriving on the empty queue sends the registered signal once, with
    SI_MESGQ, the value and the sender's pid; another process's registration is EBUSY."""
    with small(name) as q:
        qemu_may_lack(L.mq_notify, q, None)

    def child():
        L.sigprocmask(L.SIG_HOW.BLOCK, [signal.SIGUSR1])
        with L.mq_open(name, L.O.RDWR) as q:
            L.mq_notify(q, L.Sigevent(L.SIGEV.SIGNAL, "SIGUSR1", 77))
            L.mq_timedsend(q, b"x")
            info = L.sigtimedwait([signal.SIGUSR1], 5)
            assert info is not None
            assert (info.si_code, info.si_value, info.si_pid) == (L.SI.MESGQ, 77, os.getpid())
            assert info.si_uid == os.getuid()
            q.mq_notify(L.Sigevent(L.SIGEV.NONE))  # registered again (the first one fired)
            pid = os.fork()
            if pid == 0:  # another process
                code = 1
                try:
                    raises_errno(errno.EBUSY, L.mq_notify, q, L.Sigevent(L.SIGEV.NONE))
                    code = 0
                finally:
                    os._exit(code)
            assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
            L.mq_notify(q, None)  # removed
            L.mq_notify(q, None)  # nothing to remove: no error
            raises_errno(errno.EINVAL, L.mq_notify, q,
                         L.Sigevent(L.SIGEV.THREAD_ID, "SIGUSR1", 0, L.gettid()))
            with pytest.raises(ValueError):
                L.mq_notify(q, L.Sigevent(L.SIGEV.SIGNAL))
    child_ok(child)
