"""The time family against the real kernel, with Python's time and os modules as oracles."""
import errno
import os
import signal
import struct
import time

import pytest

import linuxsys as L
from conftest import (EMULATED, as_nobody, child_ok, cloexec, in_child, qemu_may_lack,
                      raises_errno, requires_root)

NS = 1_000_000_000
MS = 1_000_000
BAD_CLOCK = 0x7FFFFFFF  # beyond the kernel's clock table: EINVAL
Y2038 = 2**31 * NS  # the last second a 32-bit time_t holds
# Ordered reads: a clock read between two oracle reads lies between them.
MONOTONIC = ["MONOTONIC", "MONOTONIC_RAW", "MONOTONIC_COARSE", "BOOTTIME",
             "PROCESS_CPUTIME_ID", "THREAD_CPUTIME_ID"]
# Settable clocks: an NTP step may move them between reads, so only close to the oracle.
WALL = ["REALTIME", "REALTIME_COARSE", "TAI"]
ALARM = ["REALTIME_ALARM", "BOOTTIME_ALARM"]  # EINVAL without an RTC able to wake the system




def oracle_errno(fn, *args):
    """The errno Python's time module raises for a call, None if it succeeds."""
    try:
        fn(*args)
    except OSError as e:
        return e.errno
    return None


def mono():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


@pytest.fixture
def alarm_handler():
    """SIGALRM calls ``alarm_handler.action`` (default: count the call) and is restored after."""
    class Handler:
        calls = 0
        action = None

        def __call__(self, signum, frame):
            self.calls += 1
            if self.action:
                self.action()

    h = Handler()
    old = signal.signal(signal.SIGALRM, h)
    yield h
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)


def still_sleeping(fn, *args):
    """Run fn(*args) in a child; assert it is still at it after 0.3 s, then kill it."""
    pid = os.fork()
    if pid == 0:
        try:
            fn(*args)
        finally:
            os._exit(3)
    time.sleep(0.3)
    assert os.waitpid(pid, os.WNOHANG) == (0, 0), "returned at once: a truncated time?"
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


# ---- namespaces ----------------------------------------------------------------------------

def test_namespaces_match_python():
    for name in MONOTONIC + WALL + ALARM:
        assert name in L.CLOCK.__members__, name
        if hasattr(time, "CLOCK_" + name):
            assert L.CLOCK[name] == getattr(time, "CLOCK_" + name), name
    assert L.CLOCK_MONOTONIC == L.CLOCK.MONOTONIC == time.CLOCK_MONOTONIC
    assert L.TIMER.ABSTIME == L.TIMER_ABSTIME == 1
    assert L.TFD.CLOEXEC == os.O_CLOEXEC and L.TFD.NONBLOCK == os.O_NONBLOCK
    assert (L.TFD_TIMER.ABSTIME, L.TFD_TIMER.CANCEL_ON_SET) == (1, 2)
    assert (L.TFD_TIMER_ABSTIME, L.TFD_TIMER_CANCEL_ON_SET) == (1, 2)  # flat names: C's


def test_one_namespace_per_argument():
    """timerfd_create's flags and timerfd_settime's share the TFD_ prefix, not a meaning: TFD
    (create) and TFD_TIMER (settime) are apart, and a member of one is refused by the other."""
    assert set(L.TFD.__members__) == {"NONBLOCK", "CLOEXEC"}
    assert set(L.TFD_TIMER.__members__) == {"ABSTIME", "CANCEL_ON_SET"}
    assert repr(L.TFD_TIMER(1)) == "<TFD_TIMER.ABSTIME: 1>"
    with pytest.raises(TypeError):
        L.timerfd_create(L.CLOCK.MONOTONIC, L.TFD_TIMER.ABSTIME)
    with L.timerfd_create(L.CLOCK.MONOTONIC) as fd:
        with pytest.raises(TypeError):
            L.timerfd_settime(fd, L.TFD.NONBLOCK, MS)
        with pytest.raises(TypeError):
            L.timerfd_settime(fd, L.TIMER.ABSTIME, MS)  # clock_nanosleep's, not timerfd's
    with pytest.raises(TypeError):
        L.clock_gettime(L.TFD.CLOEXEC)
    with pytest.raises(TypeError):
        L.clock_nanosleep(L.CLOCK.MONOTONIC, L.TFD_TIMER.ABSTIME, 0)


def test_parameter_names_are_the_man_pages():
    """clockid, tp (a timespec: tp_ns), request and req, as in man 2 clock_gettime,
    clock_nanosleep and nanosleep; keyword calls work."""
    assert L.clock_gettime(clockid=L.CLOCK.MONOTONIC) > 0
    assert L.clock_getres(clockid="monotonic") > 0
    assert L.clock_gettime_s(clockid=L.CLOCK.MONOTONIC) > 0
    assert L.clock_getres_s(clockid=L.CLOCK.MONOTONIC) > 0
    L.clock_nanosleep(clockid=L.CLOCK.MONOTONIC, flags=0, request_ns=0)
    L.nanosleep(req_ns=0)
    raises_errno(errno.EINVAL, L.clock_settime, clockid=BAD_CLOCK, tp_ns=0)
    with L.timerfd_create(clockid=L.CLOCK.MONOTONIC, flags="nonblock") as fd:
        assert L.timerfd_settime(fd=fd, flags=0, value_ns=0, interval_ns=0) == (0, 0)
        assert L.timerfd_gettime(fd=fd) == (0, 0)
        with pytest.raises(BlockingIOError):
            L.timerfd_read(fd=fd)


# ---- clock_gettime, clock_getres ------------------------------------------------------------

@pytest.mark.parametrize("name", MONOTONIC)
def test_clock_gettime_ordered(name):
    clock = getattr(time, "CLOCK_" + name, L.CLOCK[name])
    for arg in (L.CLOCK[name], int(L.CLOCK[name]), name.lower(), "CLOCK_" + name):
        before = time.clock_gettime_ns(clock)
        now = L.clock_gettime(arg)
        after = time.clock_gettime_ns(clock)
        assert type(now) is int
        assert before <= now <= after
    assert L.clock_gettime_s(name) == pytest.approx(time.clock_gettime(clock), abs=0.5)


@pytest.mark.parametrize("name", WALL)
def test_clock_gettime_wall(name):
    clock = getattr(time, "CLOCK_" + name, L.CLOCK[name])
    now = L.clock_gettime(L.CLOCK[name])
    assert type(now) is int
    assert abs(now - time.clock_gettime_ns(clock)) < NS
    assert abs(L.clock_gettime_s(name) - time.clock_gettime(clock)) < 1


@pytest.mark.parametrize("name", ALARM)
def test_clock_gettime_alarm(name):
    """The alarm clocks read as their base clock where the machine can wake up, else EINVAL."""
    code = oracle_errno(time.clock_gettime_ns, L.CLOCK[name])
    if code is not None:
        raises_errno(code, L.clock_gettime, L.CLOCK[name])
        return
    base = L.CLOCK.REALTIME if name == "REALTIME_ALARM" else L.CLOCK.BOOTTIME
    assert abs(L.clock_gettime(name) - L.clock_gettime(base)) < NS


def test_clock_gettime_cpu_clocks():
    """CPU clocks count this process's and thread's CPU time, as os/time report it."""
    spent = time.process_time_ns()
    assert abs(L.clock_gettime(L.CLOCK.PROCESS_CPUTIME_ID) - spent) < NS
    assert L.clock_gettime("thread_cputime_id") <= L.clock_gettime("process_cputime_id")


def test_clock_gettime_errors():
    assert oracle_errno(time.clock_gettime_ns, BAD_CLOCK) == errno.EINVAL
    raises_errno(errno.EINVAL, L.clock_gettime, BAD_CLOCK)
    raises_errno(errno.EINVAL, L.clock_gettime_s, BAD_CLOCK)
    raises_errno(errno.EINVAL, L.clock_gettime, -1)  # a CPU-clock id naming no clock
    with pytest.raises(ValueError):
        L.clock_gettime("nosuch")
    with pytest.raises(TypeError):
        L.clock_gettime(1.5)


@pytest.mark.parametrize("name", MONOTONIC + WALL + ALARM)
def test_clock_getres(name):
    code = oracle_errno(time.clock_getres, L.CLOCK[name])
    if code is not None:
        raises_errno(code, L.clock_getres, L.CLOCK[name])
        return
    res = L.clock_getres(name)
    assert type(res) is int and res > 0
    assert res == round(time.clock_getres(L.CLOCK[name]) * NS)
    assert L.clock_getres_s(name) == time.clock_getres(L.CLOCK[name])


def test_clock_getres_errors():
    raises_errno(errno.EINVAL, L.clock_getres, BAD_CLOCK)
    raises_errno(errno.EINVAL, L.clock_getres_s, BAD_CLOCK)


# ---- clock_settime (never changes the clock: refused before it could) ---------------------

def test_clock_settime_refused():
    """As root only calls that cannot set anything: an invalid clock, wrong arguments."""
    raises_errno(errno.EINVAL, L.clock_settime, BAD_CLOCK, 0)
    raises_errno(errno.EINVAL, L.clock_settime, -1, 0)  # a CPU-clock id naming no clock
    with pytest.raises(TypeError):
        L.clock_settime(L.CLOCK.REALTIME, 1.5)
    with pytest.raises(ValueError):
        L.clock_settime("nosuch", 0)


@requires_root()
def test_clock_settime_as_nobody():
    def check():
        now = L.clock_gettime(L.CLOCK.REALTIME)
        raises_errno(errno.EPERM, L.clock_settime, L.CLOCK.REALTIME, now)
        raises_errno(errno.EPERM, L.clock_settime, "realtime", now + 3600 * NS)
        # invalid times are refused before the permission check
        raises_errno(errno.EINVAL, L.clock_settime, L.CLOCK.REALTIME, -1)
        raises_errno(errno.EINVAL, L.clock_settime, L.CLOCK.REALTIME, 2**80)  # saturated
        for name in ("MONOTONIC", "BOOTTIME", "PROCESS_CPUTIME_ID"):  # clocks no one can set
            code = oracle_errno(time.clock_settime_ns, L.CLOCK[name], now)
            assert code in (errno.EINVAL, errno.EPERM), name
            raises_errno(code, L.clock_settime, L.CLOCK[name], now)
        assert abs(L.clock_gettime(L.CLOCK.REALTIME) - now) < 60 * NS
    assert as_nobody(check) == 0


# ---- clock_nanosleep, nanosleep -----------------------------------------------------------

def test_nanosleep_sleeps():
    start = mono()
    assert L.nanosleep(50 * MS) is None
    assert mono() - start >= 50 * MS
    L.nanosleep(0)


def test_clock_nanosleep_relative_and_absolute():
    start = mono()
    L.clock_nanosleep(L.CLOCK.MONOTONIC, 0, 30 * MS)
    assert mono() - start >= 30 * MS
    deadline = mono() + 30 * MS
    L.clock_nanosleep("monotonic", "abstime", deadline)
    assert mono() >= deadline
    deadline = time.time_ns() + 30 * MS
    L.clock_nanosleep(L.CLOCK.REALTIME, L.TIMER.ABSTIME, deadline)
    assert time.time_ns() >= deadline


def test_clock_nanosleep_past_deadline_returns():
    for deadline in (0, time.time_ns() - NS):
        start = mono()
        L.clock_nanosleep(L.CLOCK.REALTIME, L.TIMER.ABSTIME, deadline)
        assert mono() - start < 5 * NS


def test_clock_nanosleep_errors():
    raises_errno(errno.EINVAL, L.clock_nanosleep, BAD_CLOCK, 0, MS)
    raises_errno(errno.EINVAL, L.clock_nanosleep, L.CLOCK.MONOTONIC, 0, -1)
    raises_errno(errno.EINVAL, L.clock_nanosleep, L.CLOCK.MONOTONIC, 0, -NS)
    raises_errno(errno.EINVAL, L.clock_nanosleep, L.CLOCK.REALTIME, L.TIMER.ABSTIME, -NS)
    raises_errno(errno.EINVAL, L.nanosleep, -2**80)
    with pytest.raises(TypeError):
        L.nanosleep(0.5)
    with pytest.raises(ValueError):
        L.clock_nanosleep("monotonic", "nosuch", MS)


@pytest.mark.parametrize("flags", [0, L.TIMER.ABSTIME])
def test_sleep_lasts_through_signals(alarm_handler, flags):
    """PEP 475: the handler runs, the sleep goes on (with the time the kernel reported left)."""
    start = mono()
    signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
    try:
        if flags:
            L.clock_nanosleep(L.CLOCK.MONOTONIC, flags, start + 300 * MS)
        else:
            L.nanosleep(300 * MS)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert mono() - start >= 300 * MS
    assert alarm_handler.calls >= 2


def test_sleep_ends_with_the_handlers_exception(alarm_handler):
    def fail():
        raise KeyboardInterrupt
    alarm_handler.action = fail
    start = mono()
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    with pytest.raises(KeyboardInterrupt):
        L.nanosleep(30 * NS)
    assert mono() - start < 20 * NS
    assert alarm_handler.calls == 1


@pytest.mark.parametrize("sleep", [
    pytest.param(lambda: L.clock_nanosleep(L.CLOCK.MONOTONIC, 0, 2**33 * NS), id="relative"),
    pytest.param(lambda: L.nanosleep(2**33 * NS), id="nanosleep"),
    pytest.param(lambda: L.nanosleep(2**80), id="saturated"),
    # 2106: truncated to 32 bits it would be 1970, long past
    pytest.param(lambda: L.clock_nanosleep(L.CLOCK.REALTIME, L.TIMER.ABSTIME, 2**32 * NS),
                 id="absolute"),
])
def test_sleep_no_2038_truncation(sleep):
    still_sleeping(sleep)


# ---- timerfd -------------------------------------------------------------------------------

def test_timerfd_create_flags():
    with L.timerfd_create(L.CLOCK.MONOTONIC) as fd:
        assert isinstance(fd, L.Fd)
        assert os.readlink(f"/proc/self/fd/{fd.fd}") == "anon_inode:[timerfd]"
        assert cloexec(fd)
        assert os.get_blocking(fd)
        assert fd.timerfd_gettime() == (0, 0)
    with L.timerfd_create("realtime", "nonblock", inheritable=True) as fd:
        assert not cloexec(fd)
        assert not os.get_blocking(fd)
    with L.timerfd_create(L.CLOCK.BOOTTIME, L.TFD.NONBLOCK | L.TFD.CLOEXEC) as fd:
        assert cloexec(fd) and not os.get_blocking(fd)


def test_timerfd_relative_expiry():
    with L.timerfd_create(L.CLOCK.MONOTONIC) as fd:
        start = mono()
        assert L.timerfd_settime(fd, 0, 50 * MS) == (0, 0)
        value, interval = L.timerfd_gettime(fd)
        assert 0 < value <= 50 * MS and interval == 0
        assert L.timerfd_read(fd) == 1  # blocks until the expiration
        assert mono() - start >= 50 * MS
        assert fd.timerfd_gettime() == (0, 0)  # one-shot: disarmed after it fired


def test_timerfd_interval_counts_expirations():
    """The count read equals the expirations the elapsed time allows."""
    with L.timerfd_create(L.CLOCK.MONOTONIC, L.TFD.NONBLOCK) as fd:
        with pytest.raises(BlockingIOError):  # disarmed, nonblocking: nothing pending
            L.timerfd_read(fd)
        period = 20 * MS
        armed_before = mono()
        fd.timerfd_settime(0, period, period)
        armed_after = mono()
        assert fd.timerfd_gettime()[1] == period
        L.nanosleep(110 * MS)
        read_before = mono()
        n = fd.timerfd_read()
        read_after = mono()
        most = (read_after - armed_before) // period
        least = (read_before - armed_after) // period - 1  # an expiry may still be in flight
        assert max(least, 1) <= n <= most
        try:
            assert fd.timerfd_read() == 1
        except BlockingIOError:
            pass  # no expiry since: the usual case
        assert fd.timerfd_settime(0, 0)[1] == period  # disarm, returning the old setting
        with pytest.raises(BlockingIOError):
            fd.timerfd_read()


def test_timerfd_settime_returns_old_setting():
    with L.timerfd_create(L.CLOCK.MONOTONIC) as fd:
        assert fd.timerfd_settime(0, 10 * NS, 3 * NS) == (0, 0)
        old_value, old_interval = fd.timerfd_settime(0, 20 * NS)
        assert 9 * NS < old_value <= 10 * NS and old_interval == 3 * NS
        value, interval = fd.timerfd_gettime()
        assert 19 * NS < value <= 20 * NS and interval == 0
        if hasattr(os, "timerfd_gettime_ns"):  # Python >= 3.13: its reading of the same timer
            assert os.timerfd_gettime_ns(fd)[1] == interval
            assert abs(os.timerfd_gettime_ns(fd)[0] - value) < NS


def test_timerfd_absolute_past_2038():
    """A CLOCK_REALTIME deadline in 2242 round-trips: the time left exceeds 2**31 s."""
    target = 2**33 * NS
    with L.timerfd_create(L.CLOCK.REALTIME) as fd:
        assert L.timerfd_settime(fd, L.TFD_TIMER.ABSTIME, target, 7 * NS) == (0, 0)
        value, interval = L.timerfd_gettime(fd)
        assert interval == 7 * NS
        assert value > Y2038
        assert abs(value - (target - time.time_ns())) < 10 * NS
        old_value, _ = L.timerfd_settime(fd, "abstime|tfd_timer_cancel_on_set", target)
        assert abs(old_value - value) < 10 * NS
    with L.timerfd_create(L.CLOCK.MONOTONIC) as fd:  # relative, saturated at ktime's end
        fd.timerfd_settime(0, 2**80)
        assert fd.timerfd_gettime()[0] > 2**62


def test_timerfd_absolute_past_deadline_fires_at_once():
    with L.timerfd_create(L.CLOCK.REALTIME, L.TFD.NONBLOCK) as fd:
        L.timerfd_settime(fd, L.TFD_TIMER.ABSTIME, time.time_ns() - NS)
        assert L.timerfd_read(fd) == 1


def test_timerfd_read_through_signals(alarm_handler):
    with L.timerfd_create(L.CLOCK.MONOTONIC) as fd:
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
        try:
            fd.timerfd_settime(0, 150 * MS)
            assert fd.timerfd_read() == 1
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        assert alarm_handler.calls >= 2


def test_timerfd_errors():
    raises_errno(errno.EINVAL, L.timerfd_create, BAD_CLOCK)
    raises_errno(errno.EINVAL, L.timerfd_create, L.CLOCK.MONOTONIC_RAW)  # not a timer clock
    raises_errno(errno.EINVAL, L.timerfd_create, L.CLOCK.MONOTONIC, 0x40)
    with L.timerfd_create(L.CLOCK.MONOTONIC) as fd:
        raises_errno(errno.EINVAL, L.timerfd_settime, fd, 0, -1)
        raises_errno(errno.EINVAL, L.timerfd_settime, fd, 0, MS, -NS)
        raises_errno(errno.EINVAL, L.timerfd_settime, fd, 0x80, MS)
    for fn, args in ((L.timerfd_settime, (0, MS)), (L.timerfd_gettime, ()),
                     (L.timerfd_read, ())):
        raises_errno(errno.EBADF, fn, fd, *args)  # the closed Fd
        raises_errno(errno.EBADF, fn, -1, *args)  # from the kernel
        raises_errno(errno.EBADF, getattr(fd, fn.__name__), *args)
    r, w = os.pipe()
    try:
        raises_errno(errno.EINVAL, L.timerfd_settime, r, 0, MS)
        raises_errno(errno.EINVAL, L.timerfd_gettime, r)
    finally:
        os.close(r)
        os.close(w)


def test_timerfd_read_refuses_other_fds(tmp_path):
    """A pipe, a socket or a file is not read as a timerfd's counter: OSError EINVAL, and the
    data stays where it was (it used to come back as an expiration count)."""
    (tmp_path / "f").write_bytes(b"12345678")
    r, w = L.pipe()
    with r, w, L.open(tmp_path / "f") as f, L.eventfd(5) as efd:
        L.write(w, b"12345678")
        for fd in (r, r.fd, f, f.fd, efd):
            e = raises_errno(errno.EINVAL, L.timerfd_read, fd)
            assert "not a timerfd" in str(e)
        assert L.read(r, 100) == b"12345678"
        assert L.read(f, 100) == b"12345678"  # the offset did not move
        assert L.eventfd_read(efd) == 5
        with pytest.raises(TypeError):
            L.timerfd_read(None)
        with pytest.raises(TypeError):
            L.timerfd_read(1.5)


def test_timerfd_tagged_by_its_maker():
    """timerfd_create's Fd knows its kind: timerfd_read asks /proc nothing."""
    from linuxsys.fd import fd_kind
    with L.timerfd_create(L.CLOCK.MONOTONIC, L.TFD.NONBLOCK) as fd:
        assert fd._kind == "timerfd" == fd_kind(fd.fd)
        untagged = L.Fd(L.dup(fd).detach())
        with untagged:
            assert untagged._kind is None
            with pytest.raises(BlockingIOError):
                L.timerfd_read(untagged)
            assert untagged._kind == "timerfd"  # asked once, then remembered


def test_timerfd_only_reference():
    """A temporary Fd passed as the only reference stays open for the whole call."""
    assert L.timerfd_settime(L.timerfd_create(L.CLOCK.MONOTONIC), 0, 0) == (0, 0)
    assert L.timerfd_gettime(L.timerfd_create(L.CLOCK.MONOTONIC)) == (0, 0)
    with pytest.raises(BlockingIOError):
        L.timerfd_read(L.timerfd_create(L.CLOCK.MONOTONIC, L.TFD.NONBLOCK))
    fd = L.timerfd_create(L.CLOCK.REALTIME, L.TFD.NONBLOCK)
    L.timerfd_settime(fd, L.TFD_TIMER.ABSTIME, time.time_ns() - NS)
    assert L.timerfd_read(L.Fd(fd.detach())) == 1


# ---- gettimeofday, times -------------------------------------------------------------------

def test_gettimeofday():
    now = L.gettimeofday()
    assert type(now) is int and now % 1000 == 0
    assert abs(now - time.time_ns()) < NS
    assert abs(now / NS - time.time()) < 1


def test_times_matches_os_times():
    hz = os.sysconf("SC_CLK_TCK")
    wrap = 1 << (8 * struct.calcsize("l"))

    def spin():
        end = time.process_time() + 0.1
        while time.process_time() < end:
            pass
    assert in_child(spin) == 0  # gives the children's fields something to count
    spin()
    before = os.times()
    t = L.times()
    after = os.times()
    assert isinstance(t, L.Tms) and all(type(v) is int and v >= 0 for v in t)
    for mine, field in ((t.tms_utime, "user"), (t.tms_stime, "system"),
                        (t.tms_cutime, "children_user"), (t.tms_cstime, "children_system")):
        low, high = round(getattr(before, field) * hz), round(getattr(after, field) * hz)
        assert low - 1 <= mine <= high + 1, field  # +-1: os.times went through a float
    assert t.tms_utime + t.tms_stime >= hz // 20  # the spin's 0.1 s
    assert t.tms_cutime + t.tms_cstime >= hz // 20
    low, high = round(before.elapsed * hz), round(after.elapsed * hz)  # os's may be negative
    assert (t.elapsed - low) % wrap <= (high - low) % wrap + 1


# ---- trace ---------------------------------------------------------------------------------

def test_trace_names_the_syscalls(caplog):
    with caplog.at_level("DEBUG", logger="linuxsys.syscall"):
        L.trace(True)
        try:
            L.clock_gettime(L.CLOCK.MONOTONIC)
            L.nanosleep(0)
            with L.timerfd_create(L.CLOCK.MONOTONIC, L.TFD.NONBLOCK) as fd:
                with pytest.raises(BlockingIOError):
                    L.timerfd_read(fd)
        finally:
            L.trace(False)
    logged = " ".join(r.getMessage() for r in caplog.records)
    for name in ("clock_gettime(", "clock_nanosleep(", "timerfd_create(", "read(", "EAGAIN"):
        assert name in logged, name


def test_clock_reads_are_declared_plain_syscalls(monkeypatch):
    """clock_gettime, clock_getres and gettimeofday are generated from their cdefs/time.h
    prototypes (linuxsys/_sys_time.py): ENOSYS raises UnsupportedError, EINTR is retried."""
    from linuxsys import _sys_time
    from linuxsys.__main__ import PROBES
    for name in ("clock_gettime", "clock_getres", "gettimeofday"):
        assert getattr(L, name) is getattr(L.time, name) is getattr(_sys_time, name)
        assert name in L.time.__all__
    assert PROBES["time"]["clock_gettime"] == PROBES["time"]["clock_getres"] == (BAD_CLOCK,)
    assert PROBES["time"]["gettimeofday"] == ()
    assert L.gettimeofday() % 1000 == 0 and abs(L.gettimeofday() - time.time_ns()) < NS
    results = [-errno.EINTR, 12345]
    monkeypatch.setattr(_sys_time, "_clock_getres", lambda clockid: results.pop(0))
    assert L.clock_getres("monotonic") == 12345 and results == []
    monkeypatch.setattr(_sys_time, "_gettimeofday", lambda: -errno.ENOSYS)
    with pytest.raises(L.UnsupportedError):
        L.gettimeofday()


# ---- POSIX timers ----------------------------------------------------------------------------

def test_timer_namespaces():
    assert (L.SIGEV.SIGNAL, L.SIGEV.NONE, L.SIGEV.THREAD_ID) == (0, 1, 4)
    assert set(L.SIGEV.__members__) == {"SIGNAL", "NONE", "THREAD_ID"}  # no libc SIGEV_THREAD
    assert L.SIGEV_THREAD_ID == 4
    for name in ("REAL", "VIRTUAL", "PROF"):
        assert L.ITIMER[name] == getattr(signal, "ITIMER_" + name)
    assert (L.TIME.OK, L.TIME.ERROR, L.TIME_WAIT) == (0, 5, 4)
    assert L.ADJ.OFFSET_SS_READ == 0xA001 and L.STA.NANO == 0x2000
    with pytest.raises(TypeError):  # one namespace per argument
        L.timer_settime(0, L.TFD_TIMER.ABSTIME, 0)


@pytest.mark.parametrize("sevp", [L.Sigevent(L.SIGEV.NONE),
                                  L.Sigevent(L.SIGEV.SIGNAL, signal.SIGWINCH)])  # ignored
def test_timer_settime_gettime(sevp):
    """timer_gettime tells the time left, timer_settime the setting it replaced."""
    with L.Timer(L.CLOCK.MONOTONIC, sevp) as t:
        assert t.timerid >= 0 and repr(t) == f"<Timer {t.timerid}>"
        assert t.gettime() == (0, 0) and t.getoverrun() == 0
        assert t.settime(0, 10 * NS, NS) == (0, 0)
        value, interval = L.timer_gettime(t.timerid)
        assert 9 * NS < value <= 10 * NS and interval == NS
        old_value, old_interval = L.timer_settime(t.timerid, 0, 0)  # disarm
        assert 9 * NS < old_value <= 10 * NS and old_interval == NS
        if sevp.sigev_notify == L.SIGEV.SIGNAL:
            # (Linux 6.18 still tells a disarmed SIGEV_NONE timer's old time left)
            assert t.gettime() == (0, 0)
        # absolute: a time of the timer's clock, past 2038 too on every arch
        deadline = mono() + 5 * NS
        t.settime(L.TIMER.ABSTIME, deadline)
        assert 4 * NS < t.gettime()[0] <= 5 * NS
        t.settime("abstime", Y2038 + 5 * NS)
        assert t.gettime()[0] > Y2038 - mono()
        t.settime(L.TIMER.ABSTIME, 1)  # long past: expires at once, and stays disarmed
        assert t.gettime() == (0, 0)
    assert t.timerid == -1 and repr(t) == "<Timer deleted>"
    t.delete()  # once only


def test_timer_keywords_and_clocks():
    """Parameters as in man 2 timer_create/timer_settime; CPU-time clocks have timers too."""
    for clock in ("monotonic", L.CLOCK.REALTIME, L.CLOCK.BOOTTIME, L.CLOCK.PROCESS_CPUTIME_ID,
                  L.CLOCK.THREAD_CPUTIME_ID):
        tid = L.timer_create(clockid=clock, sevp=L.Sigevent(sigev_notify=L.SIGEV.NONE))
        try:
            assert L.timer_settime(timerid=tid, flags=0, value_ns=NS, interval_ns=0) == (0, 0)
            assert L.timer_gettime(timerid=tid)[0] > 0
            assert L.timer_getoverrun(timerid=tid) == 0
        finally:
            L.timer_delete(timerid=tid)


def _take(sig, timeout=5):
    info = L.sigtimedwait([sig], timeout)
    assert info is not None, f"no {sig} within {timeout} s"
    return info


def test_timer_signal_carries_value_and_id():
    def child():
        L.sigprocmask(L.SIG_HOW.BLOCK, [signal.SIGUSR1, signal.SIGALRM])
        with L.Timer(L.CLOCK.MONOTONIC, L.Sigevent(L.SIGEV.SIGNAL, "SIGUSR1", -1234)) as t:
            t.settime(0, MS)
            info = _take(signal.SIGUSR1)
            assert (info.si_signo, info.si_code) == (L.SIG.USR1, L.SI.TIMER)
            assert (info.si_value, info.si_overrun) == (-1234, 0)
            assert EMULATED or info.si_timerid == t.timerid  # (qemu-user's ids are its own)
        # no sevp: the kernel's default, SIGALRM with the timer id as the value
        tid = L.timer_create(L.CLOCK.MONOTONIC)
        L.timer_settime(tid, 0, MS)
        info = _take(signal.SIGALRM)
        assert info.si_code == L.SI.TIMER
        assert EMULATED or info.si_value == info.si_timerid == tid
        L.timer_delete(tid)
    child_ok(child)


def test_timer_overrun():
    """Expirations while the signal is still pending count as overruns, in the siginfo and
    in timer_getoverrun."""
    def child():
        L.sigprocmask(L.SIG_HOW.BLOCK, [signal.SIGUSR2])
        with L.Timer(L.CLOCK.MONOTONIC, L.Sigevent(L.SIGEV.SIGNAL, signal.SIGUSR2)) as t:
            t.settime(0, 100_000, 100_000)  # every 0.1 ms
            time.sleep(0.02)
            info = _take(signal.SIGUSR2)
            assert info.si_overrun > 10
            assert t.getoverrun() == info.si_overrun
            t.settime(0, 0)
    child_ok(child)


def test_timer_thread_id():
    """SIGEV_THREAD_ID: the signal goes to that thread of this process; another process's
    thread is refused (EINVAL)."""
    def child():
        L.sigprocmask(L.SIG_HOW.BLOCK, [signal.SIGUSR1])
        sev = L.Sigevent(L.SIGEV.THREAD_ID, signal.SIGUSR1, 5, L.gettid())
        with L.Timer("monotonic", sev) as t:
            t.settime(0, MS)
            info = _take(signal.SIGUSR1)
            assert (info.si_code, info.si_value) == (L.SI.TIMER, 5)
            assert EMULATED or info.si_timerid == t.timerid
        for tid in (os.getppid(), 0, -1):
            bad = L.Sigevent(L.SIGEV.THREAD_ID, signal.SIGUSR1, 0, tid)
            raises_errno(errno.EINVAL, L.timer_create, L.CLOCK.MONOTONIC, bad)
    child_ok(child)


def test_timer_errors():
    raises_errno(errno.EINVAL, L.timer_create, BAD_CLOCK)
    tid = L.timer_create(L.CLOCK.MONOTONIC, L.Sigevent(L.SIGEV.NONE))
    raises_errno(errno.EINVAL, L.timer_settime, tid, 0, -1)  # negative time
    raises_errno(errno.EINVAL, L.timer_settime, tid, 0, NS, -1)
    assert L.timer_settime(tid, 0, 2**80) == (0, 0)  # beyond int64: saturated, as the kernel does
    L.timer_delete(tid)
    for fn, args in ((L.timer_settime, (tid, 0, NS)), (L.timer_gettime, (tid,)),
                     (L.timer_getoverrun, (tid,)), (L.timer_delete, (tid,)),
                     (L.timer_gettime, (-1,))):
        raises_errno(errno.EINVAL, fn, *args)
    t = L.Timer(sevp=L.Sigevent(L.SIGEV.NONE))
    t.delete()
    raises_errno(errno.EINVAL, t.settime, 0, NS)  # -1: never another timer
    raises_errno(errno.EINVAL, t.gettime)
    with pytest.raises(OverflowError):
        L.timer_gettime(2**40)
    with pytest.raises(TypeError):
        L.timer_gettime("1")


def test_sigevent_checked_before_the_call():
    bad = [(TypeError, (0, 10, 0, 0)),  # a plain tuple, not a Sigevent
           (TypeError, "signal"),
           (ValueError, L.Sigevent(2, 10)),  # SIGEV_THREAD: the C library's
           (ValueError, L.Sigevent(99, 10)),
           (ValueError, L.Sigevent(L.SIGEV.SIGNAL)),  # no signal
           (ValueError, L.Sigevent(L.SIGEV.SIGNAL, 65)),
           (ValueError, L.Sigevent(L.SIGEV.NONE, -1)),
           (ValueError, L.Sigevent(L.SIGEV.SIGNAL, "SIGNOPE")),
           (OverflowError, L.Sigevent(L.SIGEV.SIGNAL, 10, 2**64)),
           (OverflowError, L.Sigevent(L.SIGEV.THREAD_ID, 10, 0, 2**31)),
           (TypeError, L.Sigevent(L.TIMER.ABSTIME, 10))]  # another namespace's member
    for exc, sev in bad:
        with pytest.raises(exc):
            L.timer_create(L.CLOCK.MONOTONIC, sev)
    # SIGEV_NONE may leave the signal 0, or name one; the notification may be a name
    for sev in (L.Sigevent(L.SIGEV.NONE), L.Sigevent("none", "usr1"),
                L.Sigevent(L.SIGEV.SIGNAL, signal.SIGUSR1, -(2**31))):
        L.timer_delete(L.timer_create(L.CLOCK.MONOTONIC, sev))


# ---- interval timers -------------------------------------------------------------------------

def test_itimer_matches_signal_module(alarm_handler):
    assert L.getitimer(L.ITIMER.REAL) == (0, 0)
    assert L.setitimer(L.ITIMER.REAL, 100 * NS, 2 * NS) == (0, 0)
    value, interval = signal.getitimer(signal.ITIMER_REAL)
    assert 99 < value <= 100 and interval == 2.0
    value, interval = L.getitimer("real")
    assert 99 * NS < value <= 100 * NS and interval == 2 * NS and value % 1000 == 0
    signal.setitimer(signal.ITIMER_REAL, 50, 0.25)
    value, interval = L.setitimer(which=L.ITIMER.REAL, value_ns=0, interval_ns=0)
    assert 49 * NS < value <= 50 * NS and interval == NS // 4
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    # rounded up to whole microseconds: 1 ns must not read as 0 (disarmed)
    L.setitimer(L.ITIMER.REAL, 100 * NS, 1)
    assert L.setitimer(L.ITIMER.REAL, 0)[1] == 1000


def test_itimer_fires(alarm_handler):
    L.setitimer(L.ITIMER.REAL, MS)
    deadline = time.monotonic() + 5
    while not alarm_handler.calls and time.monotonic() < deadline:
        time.sleep(0.001)
    assert alarm_handler.calls == 1
    assert L.getitimer(L.ITIMER.REAL) == (0, 0)


def test_itimer_cpu_clocks():
    def child():
        for which, sig in ((L.ITIMER.VIRTUAL, signal.SIGVTALRM), (L.ITIMER.PROF, signal.SIGPROF)):
            L.setitimer(which, 100 * NS, NS)
            value, interval = signal.getitimer(int(which))
            assert 99 < value <= 100.1 and interval == 1.0  # (CPU timers count in ticks)
            assert L.setitimer(which, 0)[1] == NS
    child_ok(child)


def test_itimer_errors(alarm_handler):
    raises_errno(errno.EINVAL, L.getitimer, 3)
    raises_errno(errno.EINVAL, L.setitimer, 3, NS)
    raises_errno(errno.EINVAL, L.setitimer, L.ITIMER.REAL, -1)
    raises_errno(errno.EINVAL, L.setitimer, L.ITIMER.REAL, NS, -NS)
    with pytest.raises(TypeError):
        L.setitimer(L.TIMER.ABSTIME, NS)
    with pytest.raises(ValueError):
        L.getitimer("nope")
    big = 2**31 * NS  # past a 32-bit long's seconds
    if L.ffi.sizeof("long") == 4:  # no time64 twin: the kernel's struct has long seconds
        raises_errno(errno.EOVERFLOW, L.setitimer, L.ITIMER.REAL, big)
    else:
        L.setitimer(L.ITIMER.REAL, big)
        assert L.setitimer(L.ITIMER.REAL, 0)[0] > big - 10 * NS
    assert L.getitimer(L.ITIMER.REAL) == (0, 0)


# ---- adjtimex, clock_adjtime (read-only here: the clock is the machine's) --------------------

def _read_clock_state(fn, *args):
    tx = qemu_may_lack(fn, *args)
    assert isinstance(tx, L.Timex)
    assert isinstance(tx.state, L.TIME) and isinstance(tx.status, L.STA) and tx.modes == 0
    assert tx.tolerance == 500 << 16  # MAXFREQ_SCALED: 500 ppm
    hz = os.sysconf("SC_CLK_TCK")
    assert 900_000 // hz <= tx.tick <= 1_100_000 // hz
    assert 0 <= tx.time_usec < (NS if tx.status & L.STA.NANO else 1_000_000)
    assert abs(tx.time_ns - time.time_ns()) < 5 * NS
    return tx


def test_adjtimex_reads():
    a = _read_clock_state(L.adjtimex)
    b = _read_clock_state(L.clock_adjtime, L.CLOCK.REALTIME)
    c = _read_clock_state(L.adjtimex, L.Timex())  # modes 0: a read too
    d = _read_clock_state(lambda: L.clock_adjtime(clockid="realtime", buf=L.Timex(modes=0)))
    for x in (b, c, d):
        assert (x.state, x.status, x.tick, x.tai, x.constant) == (a.state, a.status, a.tick,
                                                                 a.tai, a.constant)


def test_adjtimex_needs_cap_sys_time():
    """Setting anything needs CAP_SYS_TIME: as nobody, EPERM (the values asked for are the
    clock's own, so nothing would change anyway); the read-only adjtime query passes."""
    now = qemu_may_lack(L.adjtimex)
    same_freq = L.Timex(modes=L.ADJ.FREQUENCY, freq=now.freq)

    def nobody():
        raises_errno(errno.EPERM, L.adjtimex, same_freq)
        raises_errno(errno.EPERM, L.clock_adjtime, L.CLOCK.REALTIME, same_freq)
        raises_errno(errno.EPERM, L.adjtimex, L.Timex(modes=L.ADJ.TAI, tai=now.tai))
        L.adjtimex(L.Timex(modes=L.ADJ.OFFSET_SS_READ))  # adjtime's read: allowed to anyone
    assert as_nobody(nobody) == 0


def test_adjtimex_errors():
    qemu_may_lack(L.adjtimex)
    raises_errno(errno.EINVAL, L.clock_adjtime, BAD_CLOCK)
    raises_errno(errno.EOPNOTSUPP, L.clock_adjtime, L.CLOCK.MONOTONIC)
    for bad, exc in ((L.Timex(tai=2**31), OverflowError), (L.Timex(offset=2**63), OverflowError),
                     (L.Timex(modes=-1), OverflowError), (L.Timex(status=L.ADJ.TAI), TypeError),
                     (L.Timex(modes=L.STA.PLL), TypeError), ((0,) * 22, TypeError),
                     (L.Timex(freq="1"), TypeError)):
        with pytest.raises(exc):
            L.adjtimex(bad)
        with pytest.raises(exc):
            L.clock_adjtime(L.CLOCK.REALTIME, bad)
