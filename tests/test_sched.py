"""The sched family against the real kernel, os as the oracle.  Policy and affinity changes run
in a child (conftest.in_child)."""
import errno
import os
import resource

import pytest

import linuxsys as L
from linuxsys import _sys_sched, sched
from conftest import as_nobody, child_ok, dead_pid, raises_errno, record_native_calls, requires_root

POLICIES = ("OTHER", "FIFO", "RR", "BATCH", "IDLE")


def test_sched_namespaces():
    for name in POLICIES + ("DEADLINE", "RESET_ON_FORK"):
        assert L.SCHED[name] == getattr(os, "SCHED_" + name, L.SCHED[name])
    assert L.SCHED.NORMAL is L.SCHED.OTHER
    assert L.SCHED_FIFO == L.SCHED.FIFO == 1
    assert L.SCHED_FLAG.KEEP_ALL == L.SCHED_FLAG.KEEP_POLICY | L.SCHED_FLAG.KEEP_PARAMS


# ---- affinity -------------------------------------------------------------------------------

def test_sched_getaffinity():
    assert L.sched_getaffinity() == L.sched_getaffinity(0) == os.sched_getaffinity(0)
    assert L.sched_getaffinity(os.getppid()) == os.sched_getaffinity(os.getppid())
    assert L.sched_getaffinity(L.gettid()) == os.sched_getaffinity(0)


def test_sched_getaffinity_grows_the_mask(monkeypatch):
    """A kernel with more CPUs than one long's bits says EINVAL to a small mask: it doubles."""
    sizes = []
    real = sched._sched_getaffinity

    def many_cpus(pid, size, mask):
        sizes.append(size)
        return -errno.EINVAL if size < 64 else real(pid, size, mask)

    monkeypatch.setattr(sched, "_sched_getaffinity", many_cpus)
    monkeypatch.setattr(sched, "_mask_longs", 0)
    long_size = sched._LONG
    assert L.sched_getaffinity() == os.sched_getaffinity(0)
    assert sizes == [n for n in (long_size, 2 * long_size, 4 * long_size, 8 * long_size,
                                 16 * long_size) if n <= 64]
    assert sched._mask_longs * long_size == 64
    sizes.clear()
    assert L.sched_getaffinity() == os.sched_getaffinity(0)  # learned: no retry
    assert sizes == [64]

    monkeypatch.setattr(sched, "_sched_getaffinity", lambda pid, size, mask: -errno.EINVAL)
    monkeypatch.setattr(sched, "_mask_longs", 0)
    raises_errno(errno.EINVAL, L.sched_getaffinity)  # gives up at a 1 MiB mask


def test_sched_setaffinity():
    def check():
        cpus = sorted(os.sched_getaffinity(0))
        L.sched_setaffinity(0, {cpus[-1]})
        assert L.sched_getaffinity() == os.sched_getaffinity(0) == {cpus[-1]}
        L.sched_setaffinity(0, iter(cpus + [10**6, 2**70]))  # CPUs it has not: left out
        assert L.sched_getaffinity() == os.sched_getaffinity(0) == set(cpus)
        os.sched_setaffinity(0, {cpus[0]})
        assert L.sched_getaffinity() == {cpus[0]}
    child_ok(check)


def test_sched_setaffinity_large_mask(monkeypatch):
    """With a kernel mask of many longs, all of them are sent, each CPU in its own long."""
    sent = []
    real = sched._sched_setaffinity
    bits = sched._LONG_BITS
    longs = 8192 // bits + 2  # more CPUs than any kernel's NR_CPUS

    def record(pid, size, mask):
        sent.append(list(mask[0:size // sched._LONG]))
        return real(pid, size, mask)

    def check():
        monkeypatch.setattr(sched, "_mask_longs", longs)
        monkeypatch.setattr(sched, "_sched_setaffinity", record)
        cpus = os.sched_getaffinity(0)
        L.sched_setaffinity(0, cpus | {8192 + bits + 1, longs * bits})
        expected = [0] * longs
        for c in cpus:
            expected[c // bits] |= 1 << c % bits
        expected[-1] = 2  # CPU 8192 + bits + 1; the last one is beyond the mask
        assert sent == [expected]
        assert os.sched_getaffinity(0) == cpus
    child_ok(check)


def test_affinity_errors():
    pid = dead_pid()
    raises_errno(errno.ESRCH, L.sched_getaffinity, pid)
    raises_errno(errno.ESRCH, L.sched_setaffinity, pid, {0})
    raises_errno(errno.EINVAL, L.sched_setaffinity, 0, set())
    raises_errno(errno.EINVAL, L.sched_setaffinity, 0, {10**6})  # no CPU it has
    assert L.sched_getaffinity() == os.sched_getaffinity(0)
    with pytest.raises(ValueError):
        L.sched_setaffinity(0, {-1})
    with pytest.raises(TypeError):
        L.sched_setaffinity(0, ["0"])
    with pytest.raises(TypeError):
        L.sched_setaffinity(0, 1)


# ---- policies and priorities --------------------------------------------------------------

def test_sched_yield():
    assert L.sched_yield() is None


def test_getscheduler_getparam_priorities():
    assert L.sched_getscheduler() == L.sched_getscheduler(0) == os.sched_getscheduler(0)
    assert L.sched_getparam() == os.sched_getparam(0).sched_priority
    assert L.sched_getscheduler(os.getppid()) == os.sched_getscheduler(os.getppid())
    for name in POLICIES:
        policy = L.SCHED[name]
        assert L.sched_get_priority_min(policy) == os.sched_get_priority_min(policy)
        assert L.sched_get_priority_max(policy) == os.sched_get_priority_max(policy)
    assert L.sched_get_priority_max("fifo") == L.sched_get_priority_max(L.SCHED.RR) == 99
    assert L.sched_get_priority_min("sched_rr") == 1
    assert L.sched_get_priority_max(L.SCHED.DEADLINE) == 0


@requires_root()
def test_fifo_and_rr():
    def check():
        L.sched_setscheduler(0, L.SCHED.FIFO, 10)
        assert L.sched_getscheduler() == os.sched_getscheduler(0) == L.SCHED.FIFO
        assert L.sched_getparam() == os.sched_getparam(0).sched_priority == 10
        L.sched_setparam(0, 20)
        assert L.sched_getparam() == os.sched_getparam(0).sched_priority == 20
        attr = L.sched_getattr()
        assert (attr.sched_policy, attr.sched_priority) == (L.SCHED.FIFO, 20)
        assert L.sched_rr_get_interval() == (0, 0)  # FIFO has no time slice

        L.sched_setscheduler(0, "rr|reset_on_fork", 5)
        assert L.sched_getscheduler() == os.sched_getscheduler(0) \
            == L.SCHED.RR | L.SCHED.RESET_ON_FORK
        assert L.sched_getattr().sched_flags & L.SCHED_FLAG.RESET_ON_FORK
        sec, nsec = L.sched_rr_get_interval()
        assert 0 <= nsec < 10**9 and (sec, nsec) != (0, 0)
        assert sec + nsec / 1e9 == pytest.approx(os.sched_rr_get_interval(0))
        assert L.sched_rr_get_interval(os.getpid()) == (sec, nsec)

        L.sched_setscheduler(0, L.SCHED.OTHER)
        assert os.sched_getscheduler(0) == L.SCHED.OTHER
        assert L.sched_getparam() == 0
    child_ok(check)


@requires_root()
def test_setattr_idle_and_nice():
    def check():
        L.sched_setattr(0, L.SchedAttr(sched_policy=L.SCHED.OTHER, sched_nice=7))
        assert os.getpriority(os.PRIO_PROCESS, 0) == 7
        assert L.sched_getattr().sched_nice == 7

        L.sched_setattr(0, L.SchedAttr(sched_policy="idle"))
        assert L.sched_getscheduler() == os.sched_getscheduler(0) == L.SCHED.IDLE
        attr = L.sched_getattr()
        assert isinstance(attr, L.SchedAttr)
        assert (attr.sched_policy, attr.sched_flags, attr.sched_priority) == (L.SCHED.IDLE, 0, 0)

        L.sched_setattr(0, L.SchedAttr(sched_policy=L.SCHED.BATCH, sched_nice=-3,
                                       sched_flags="reset_on_fork"))
        assert os.sched_getscheduler(0) == L.SCHED.BATCH | L.SCHED.RESET_ON_FORK
        assert L.sched_getattr(0, 0)._replace(sched_runtime=0, sched_util_min=0,
                                              sched_util_max=0) == \
            L.SchedAttr(L.SCHED.BATCH, L.SCHED_FLAG.RESET_ON_FORK, -3)
    child_ok(check)


@requires_root()
def test_setattr_deadline():
    def check():
        ms = 10**6  # ns; the deadline is beyond 2^31 ns, the period the kernel's 4 s limit
        attr = L.SchedAttr(sched_policy=L.SCHED.DEADLINE, sched_runtime=2 * ms,
                           sched_deadline=3000 * ms, sched_period=4000 * ms)
        L.sched_setattr(0, attr)
        assert os.sched_getscheduler(0) == L.SCHED.DEADLINE
        got = L.sched_getattr()
        assert got._replace(sched_util_max=0, sched_util_min=0) == attr
    child_ok(check)


def test_policy_errors():
    pid = dead_pid()
    for fn, args in ((L.sched_getscheduler, ()), (L.sched_setscheduler, (L.SCHED.OTHER,)),
                     (L.sched_getparam, ()), (L.sched_setparam, (0,)),
                     (L.sched_getattr, ()), (L.sched_setattr, (L.SchedAttr(),)),
                     (L.sched_rr_get_interval, ())):
        raises_errno(errno.ESRCH, fn, pid, *args)
    raises_errno(errno.EINVAL, L.sched_setscheduler, 0, 12345)
    raises_errno(errno.EINVAL, L.sched_setscheduler, 0, L.SCHED.OTHER, 5)  # OTHER: priority 0
    raises_errno(errno.EINVAL, L.sched_setscheduler, 0, L.SCHED.FIFO, 100)
    raises_errno(errno.EINVAL, L.sched_setparam, 0, 50)
    raises_errno(errno.EINVAL, L.sched_get_priority_max, 12345)
    raises_errno(errno.EINVAL, L.sched_get_priority_min, -1)
    raises_errno(errno.EINVAL, L.sched_setattr, 0, L.SchedAttr(sched_policy=12345))
    raises_errno(errno.EINVAL, L.sched_setattr, 0, L.SchedAttr(), 1)
    raises_errno(errno.EINVAL, L.sched_getattr, 0, 1)
    raises_errno(errno.EINVAL, L.sched_getscheduler, -1)
    assert os.sched_getscheduler(0) == L.SCHED.OTHER


@requires_root()
def test_eperm_as_nobody():
    def check():
        raises_errno(errno.EPERM, L.sched_setaffinity, 1, os.sched_getaffinity(1))  # not ours
        resource.setrlimit(resource.RLIMIT_RTPRIO, (0, 0))  # no real-time priority at all
        raises_errno(errno.EPERM, L.sched_setscheduler, 0, L.SCHED.FIFO, 1)
        raises_errno(errno.EPERM, L.sched_setattr, 0,
                     L.SchedAttr(sched_policy=L.SCHED.RR, sched_priority=1))
        raises_errno(errno.EPERM, L.sched_setscheduler, 1, L.SCHED.OTHER)  # not ours
        assert os.sched_getscheduler(0) == L.SCHED.OTHER
    assert as_nobody(check) == 0


def test_bad_python_arguments():
    with pytest.raises(ValueError):
        L.sched_setscheduler(0, "bogus")
    with pytest.raises(TypeError):
        L.sched_setattr(0, (0, 0))
    with pytest.raises(OverflowError):
        L.sched_setattr(0, L.SchedAttr(sched_nice=2**31))
    with pytest.raises(OverflowError):
        L.sched_setattr(0, L.SchedAttr(sched_runtime=-1))
    with pytest.raises(OverflowError):
        L.sched_setattr(0, L.SchedAttr(sched_period=2**64))
    with pytest.raises(TypeError):
        L.sched_getparam("0")
    assert os.sched_getscheduler(0) == L.SCHED.OTHER


# ---- hardening (issue 7) -------------------------------------------------------------------

@pytest.fixture
def native_calls(monkeypatch):
    """The calls of sched.py's native helpers (and its generated module's) that reach C."""
    return record_native_calls(monkeypatch, sched, _sys_sched)


@pytest.mark.parametrize("call, exc", [
    (lambda: L.sched_setaffinity(None, {0}), TypeError),  # issue 7, defect 8
    (lambda: L.sched_setaffinity(2**31, {0}), OverflowError),
    (lambda: L.sched_setaffinity(0, None), TypeError),
    (lambda: L.sched_setaffinity(0, {0, -1}), ValueError),
    (lambda: L.sched_setaffinity(0, [0, "1"]), TypeError),
    (lambda: L.sched_getaffinity(None), TypeError),
    (lambda: L.sched_setscheduler(0, L.SCHED.OTHER, 2**31), OverflowError),
    (lambda: L.sched_setscheduler(0, L.SCHED_FLAG.RECLAIM), TypeError),
    (lambda: L.sched_setparam(0, "0"), TypeError),
    (lambda: L.sched_setattr(None, L.SchedAttr()), TypeError),
    (lambda: L.sched_getattr(0, -1), OverflowError),
    (lambda: L.sched_getscheduler(2**31), OverflowError),  # generated (cdefs/sched.h)
    (lambda: L.sched_getparam(None), TypeError),
    (lambda: L.sched_get_priority_max("fifo|bogus"), ValueError),
    (lambda: L.sched_get_priority_min(L.SCHED_FLAG.RECLAIM), TypeError),
])
def test_arguments_checked_before_any_syscall(monkeypatch, native_calls, call, exc):
    """sched_setaffinity(None, ...) asked the kernel for the mask size before cffi refused
    None; now every argument is checked first."""
    monkeypatch.setattr(sched, "_mask_longs", 0)  # a call would have to learn it again
    with pytest.raises(exc):
        call()
    assert native_calls == []


def test_keyword_arguments_named_as_in_the_man_pages():
    assert L.sched_getaffinity(pid=0) == os.sched_getaffinity(0)
    assert L.sched_getscheduler(pid=0) == os.sched_getscheduler(0)
    assert L.sched_getparam(pid=0) == os.sched_getparam(0).sched_priority
    assert L.sched_get_priority_max(policy="rr") == os.sched_get_priority_max(os.SCHED_RR)
    assert (L.sched_get_priority_min(policy=L.SCHED.FIFO)
            == os.sched_get_priority_min(os.SCHED_FIFO))

    def check():
        cpus = os.sched_getaffinity(0)
        L.sched_setaffinity(pid=0, mask={min(cpus)})
        assert os.sched_getaffinity(0) == {min(cpus)}
        L.sched_setscheduler(pid=0, policy=L.SCHED.BATCH, param=os.sched_param(0))
        assert os.sched_getscheduler(0) == L.SCHED.BATCH
        L.sched_setparam(pid=0, param=os.sched_param(0))
        L.sched_setparam(0, 0)
        with pytest.raises(OverflowError):
            L.sched_setparam(0, os.sched_param(2**31))
    child_ok(check)


# ---- I/O priorities -------------------------------------------------------------------------

def test_ioprio_helpers_and_namespaces():
    assert (L.IOPRIO_CLASS.NONE, L.IOPRIO_CLASS.RT, L.IOPRIO_CLASS.BE, L.IOPRIO_CLASS.IDLE) == (
        0, 1, 2, 3)
    assert (L.IOPRIO_WHO.PROCESS, L.IOPRIO_WHO.PGRP, L.IOPRIO_WHO.USER) == (1, 2, 3)
    assert L.IOPRIO_CLASS_BE == L.IOPRIO_CLASS.BE == 2 and L.IOPRIO_HINT.NONE == 0
    v = L.IOPRIO_PRIO_VALUE(L.IOPRIO_CLASS.BE, 4)
    assert v == 2 << 13 | 4 == L.IOPRIO_PRIO_VALUE("be", 4)
    assert (L.IOPRIO_PRIO_CLASS(v), L.IOPRIO_PRIO_LEVEL(v), L.IOPRIO_PRIO_DATA(v),
            L.IOPRIO_PRIO_HINT(v)) == (L.IOPRIO_CLASS.BE, 4, 4, 0)
    hinted = L.IOPRIO_PRIO_VALUE(prioclass="rt", priolevel=7,
                                 priohint=L.IOPRIO_HINT.DEV_DURATION_LIMIT_3)
    assert hinted == 1 << 13 | 3 << 3 | 7
    assert (L.IOPRIO_PRIO_CLASS(hinted), L.IOPRIO_PRIO_LEVEL(hinted),
            L.IOPRIO_PRIO_HINT(hinted), L.IOPRIO_PRIO_DATA(hinted)) == (1, 7, 3, 3 << 3 | 7)
    for args in (("be", 8), ("be", -1), (8, 0), ("be", 0, 1024)):
        with pytest.raises(ValueError):  # where the C macro gives IOPRIO_CLASS_INVALID
            L.IOPRIO_PRIO_VALUE(*args)
    with pytest.raises(TypeError):
        L.IOPRIO_PRIO_VALUE(L.IOPRIO_WHO.PROCESS, 0)  # another namespace's member
    with pytest.raises(TypeError):
        L.IOPRIO_PRIO_CLASS(1.5)


def test_ioprio_get():
    mine = L.ioprio_get(L.IOPRIO_WHO.PROCESS, 0)
    assert L.ioprio_get(which="process", who=os.getpid()) == mine
    assert L.IOPRIO_PRIO_CLASS(mine) in set(L.IOPRIO_CLASS) - {L.IOPRIO_CLASS.INVALID}
    assert L.ioprio_get(L.IOPRIO_WHO.PGRP, 0) >= 0
    assert L.ioprio_get(L.IOPRIO_WHO.USER, os.getuid()) >= 0
    raises_errno(errno.ESRCH, L.ioprio_get, L.IOPRIO_WHO.PROCESS, dead_pid())
    raises_errno(errno.EINVAL, L.ioprio_get, 99, 0)
    with pytest.raises(TypeError):
        L.ioprio_get(L.PRIO.PROCESS, 0)  # getpriority's namespace, not ioprio's


def test_ioprio_set_self_and_child():
    def check():
        for value in (L.IOPRIO_PRIO_VALUE("be", 7), L.IOPRIO_PRIO_VALUE("idle", 0),
                      L.IOPRIO_PRIO_VALUE("rt", 0)):
            L.ioprio_set(L.IOPRIO_WHO.PROCESS, 0, value)
            assert L.ioprio_get(L.IOPRIO_WHO.PROCESS, 0) == value
        raises_errno(errno.EINVAL, L.ioprio_set, L.IOPRIO_WHO.PROCESS, 0, 7 << 13)  # INVALID
        raises_errno(errno.EINVAL, L.ioprio_set, L.IOPRIO_WHO.PROCESS, 0,
                     L.IOPRIO_PRIO_VALUE("none", 1))  # NONE takes no level
        raises_errno(errno.EINVAL, L.ioprio_set, 99, 0, L.IOPRIO_PRIO_VALUE("be", 4))
        raises_errno(errno.ESRCH, L.ioprio_set, L.IOPRIO_WHO.PROCESS, dead_pid(),
                     L.IOPRIO_PRIO_VALUE("be", 4))
        with pytest.raises(OverflowError):
            L.ioprio_set(L.IOPRIO_WHO.PROCESS, 0, 2**31)
    child_ok(check)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    os.close(r)
    try:
        value = L.IOPRIO_PRIO_VALUE("be", 3)
        L.ioprio_set(L.IOPRIO_WHO.PROCESS, pid, value)  # a child of ours
        assert L.ioprio_get(L.IOPRIO_WHO.PROCESS, pid) == value
    finally:
        os.close(w)
        os.waitpid(pid, 0)


@requires_root()
def test_ioprio_set_eperm_as_nobody():
    def check():
        raises_errno(errno.EPERM, L.ioprio_set, L.IOPRIO_WHO.PROCESS, 0,
                     L.IOPRIO_PRIO_VALUE("rt", 0))  # the real-time class: CAP_SYS_NICE
        raises_errno(errno.EPERM, L.ioprio_set, L.IOPRIO_WHO.PROCESS, 1,
                     L.IOPRIO_PRIO_VALUE("be", 4))  # not ours
        L.ioprio_set(L.IOPRIO_WHO.PROCESS, 0, L.IOPRIO_PRIO_VALUE("be", 6))  # our own: fine
    assert as_nobody(check) == 0


# ---- plain syscalls: one declaration each in cdefs/sched.h ----------------------------------

def test_plain_syscalls_are_declarations():
    """Issue 8: sched_yield, sched_getscheduler, sched_getparam (a hand-written C helper with a
    plain Python side) and the priority ranges come from linuxsys/_sys_sched.py."""
    import linuxsys.__main__ as M
    assert set(_sys_sched.__all__) == {"sched_yield", "sched_getscheduler", "sched_getparam",
                                       "sched_get_priority_min", "sched_get_priority_max",
                                       "ioprio_get", "ioprio_set"}
    for name in _sys_sched.__all__:
        assert getattr(L, name) is getattr(sched, name) is getattr(_sys_sched, name)
        assert M.PROBES["sched"][name] == _sys_sched.PROBES[name]
        assert f"(man 2 {name})" in " ".join(getattr(L, name).__doc__.split())
