"""The *_time64 fallbacks of the 32-bit arches: with every time64 syscall answering ENOSYS (a
seccomp filter in a child, as a kernel before 5.1 would), each wrapper that issues one still
works through the plain call, and a time past what that call's 32-bit time_t holds is
EOVERFLOW, never a wrong time."""
import errno
import json
import os
import signal
import socket
import time

import pytest

import linuxsys as L
from conftest import raises_errno
from linuxsys.seccomp import ALLOW, ERRNO, Filter

# The kernel's y2038 calls (Linux 5.1), each the twin of a call whose timespec has long fields.
TIME64 = ("clock_gettime64", "clock_settime64", "clock_adjtime64", "clock_getres_time64",
          "clock_nanosleep_time64", "timer_gettime64", "timer_settime64", "timerfd_gettime64",
          "timerfd_settime64", "utimensat_time64", "pselect6_time64", "ppoll_time64",
          "io_pgetevents_time64", "recvmmsg_time64", "mq_timedsend_time64",
          "mq_timedreceive_time64", "semtimedop_time64", "rt_sigtimedwait_time64",
          "futex_time64", "sched_rr_get_interval_time64")
HAVE = [n for n in TIME64 if hasattr(L.SYS, n)]

pytestmark = pytest.mark.skipif(not HAVE, reason=f"{L.ARCH} has no time64 twins: its calls "
                                "take 64-bit times already")

MS = 1_000_000
Y2040 = 2_208_988_800  # 2040-01-01, past a 32-bit time_t


def _checks(tmp):
    """name -> a check of the wrapper, run where the time64 call answers ENOSYS."""
    def clock_gettime():
        mono = L.clock_gettime(L.CLOCK.MONOTONIC)
        assert abs(mono - time.clock_gettime_ns(time.CLOCK_MONOTONIC)) < 1_000 * MS

    def clock_getres():
        assert L.clock_getres(L.CLOCK.MONOTONIC) == time.clock_getres(time.CLOCK_MONOTONIC) * 1e9

    def clock_settime():  # the monotonic clock cannot be set: EINVAL is the plain call's answer
        raises_errno(errno.EINVAL, L.clock_settime, L.CLOCK.MONOTONIC, 0)

    def clock_adjtime():  # modes 0: read only
        tx = L.clock_adjtime(L.CLOCK.REALTIME, L.Timex(modes=0))
        assert abs(tx.time_sec - time.time()) < 2

    def clock_nanosleep():
        t0 = time.monotonic_ns()
        L.clock_nanosleep(L.CLOCK.MONOTONIC, 0, 2 * MS)
        assert time.monotonic_ns() - t0 >= 2 * MS

    def timer():
        tid = L.timer_create(L.CLOCK.MONOTONIC, L.Sigevent(L.SIGEV.NONE))
        try:
            assert L.timer_settime(tid, 0, 10_000 * MS, 5_000 * MS) == (0, 0)
            value, interval = L.timer_gettime(tid)
            assert 9_000 * MS < value <= 10_000 * MS and interval == 5_000 * MS
            raises_errno(errno.EOVERFLOW, L.timer_settime, tid, "abstime", Y2040 * 10**9)
        finally:
            L.timer_delete(tid)

    def timerfd():
        with L.timerfd_create(L.CLOCK.MONOTONIC) as fd:
            assert L.timerfd_settime(fd, 0, 10_000 * MS, 5_000 * MS) == (0, 0)
            value, interval = L.timerfd_gettime(fd)
            assert 9_000 * MS < value <= 10_000 * MS and interval == 5_000 * MS

    def utimensat():
        path = os.path.join(tmp, "file")
        L.utimensat(L.AT.FDCWD, path, ((1, 2), (3, 4)))
        st = os.stat(path)
        assert (st.st_atime_ns, st.st_mtime_ns) == (1_000_000_002, 3_000_000_004)
        raises_errno(errno.EOVERFLOW, L.utimensat, L.AT.FDCWD, path, ((Y2040, 0), (Y2040, 0)))
        assert os.stat(path).st_mtime_ns == 3_000_000_004  # unchanged

    def pselect6_and_ppoll():
        r, w = os.pipe()
        try:
            assert L.pselect6([r], [], [], 0) == ([], [], [])
            assert L.ppoll([(r, L.POLL.IN)], MS) == []
            os.write(w, b"x")
            assert L.pselect6([r], [], [], 10 * MS) == ([r], [], [])
            assert L.ppoll([(r, L.POLL.IN)], 10 * MS) == [(r, L.POLL.IN)]
        finally:
            os.close(r)
            os.close(w)

    def io_pgetevents():
        ctx = L.io_setup(4)
        try:
            assert L.io_pgetevents(ctx, 0, 4, MS) == []
        finally:
            L.io_destroy(ctx)

    def recvmmsg():
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        with a, b:
            a.send(b"one")
            a.send(b"two")
            got = L.recvmmsg(b, 4, 16, L.MSG.DONTWAIT, timeout_ns=1_000 * MS)
            assert [d for d, _, _ in got] == [b"one", b"two"]

    def mq():
        name = f"/linuxsys-time64-{os.getpid()}"
        q = L.mq_open(name, L.O.CREAT | L.O.RDWR, 0o600)
        try:
            L.mq_unlink(name)
            L.mq_timedsend(q, b"hi", 3, timeout_ns=1_000 * MS)
            assert L.mq_timedreceive(q, timeout_ns=1_000 * MS) == (b"hi", 3)
            raises_errno(errno.ETIMEDOUT, L.mq_timedreceive, q, timeout_ns=MS)
        finally:
            q.close()

    def semtimedop():
        sid = L.semget(L.IPC.PRIVATE, 1, L.IPC.CREAT | 0o600)
        try:
            L.semtimedop(sid, [(0, 1)], MS)
            L.semtimedop(sid, [(0, -1)], MS)
            raises_errno(errno.EAGAIN, L.semtimedop, sid, [(0, -1)], MS)  # timed out
        finally:
            L.semctl(sid, 0, L.IPC_CMD.RMID)

    def sigtimedwait():
        L.sigprocmask(L.SIG_BLOCK, [signal.SIGUSR1, signal.SIGUSR2])
        os.kill(os.getpid(), signal.SIGUSR1)
        info = L.sigtimedwait([signal.SIGUSR1], 1.0)
        assert info is not None and info.si_signo == signal.SIGUSR1
        assert L.sigtimedwait([signal.SIGUSR2], 0.001) is None

    def futex():
        word = bytearray(4)  # 0: the wait blocks until its timeout
        raises_errno(errno.ETIMEDOUT, L.futex, word, L.FUTEX.WAIT | L.FUTEX.PRIVATE_FLAG, 0,
                     timeout_ns=MS)

    def sched_rr_get_interval():
        sec, nsec = L.sched_rr_get_interval(0)
        assert sec >= 0 and 0 <= nsec < 10**9

    return {f.__name__: f for f in (clock_gettime, clock_getres, clock_settime, clock_adjtime,
                                    clock_nanosleep, timer, timerfd, utimensat,
                                    pselect6_and_ppoll, io_pgetevents, recvmmsg, mq, semtimedop,
                                    sigtimedwait, futex, sched_rr_get_interval)}


def _run_without_time64(tmp, w):
    """The child: load the filter, check that it holds, run every check; report as JSON."""
    report = {}
    try:
        f = Filter(ALLOW)
        for name in HAVE:
            f.add_rule(ERRNO(errno.ENOSYS), name)
        f.load()
    except L.UnsupportedError:
        report["unsupported"] = "no seccomp (qemu-user)"
    else:
        try:
            L.syscall(L.SYS.clock_gettime64, L.CLOCK.MONOTONIC, L.ffi.new("int64_t[2]"))
            report["filter"] = "clock_gettime64 answered"
        except L.UnsupportedError:
            pass
        for name, check in _checks(tmp).items():
            try:
                check()
            except BaseException as e:
                report[name] = repr(e)
            else:
                report[name] = "ok"
    os.write(w, json.dumps(report).encode())


def test_every_wrapper_falls_back_to_the_plain_call(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            _run_without_time64(str(tmp_path), w)
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and data, (status, data)
    report = json.loads(data)
    if "unsupported" in report:
        pytest.skip(report["unsupported"])
    failed = {k: v for k, v in report.items() if v != "ok"}
    assert not failed, failed
    assert len(report) == len(_checks(str(tmp_path)))  # every check ran (20 time64 calls)
