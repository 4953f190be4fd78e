"""linuxsys.perf: perf_event_open with software counters of the calling thread, the event
ioctls, PerfEventAttr -- against the real kernel.  qemu-user may lack perf_event_open (ENOSYS):
those tests skip there."""
import errno
import os
import struct
import sys
import time

import pytest

import linuxsys as L
from conftest import as_nobody, cloexec, dead_pid, qemu_may_lack, raises_errno


def spin(seconds=0.005):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@pytest.fixture
def counter():
    with qemu_may_lack(L.perf_counter) as fd:
        yield fd


def test_task_clock(counter):
    fd = counter
    assert cloexec(fd) and os.readlink(f"/proc/self/fd/{fd.fd}") == "anon_inode:[perf_event]"
    assert fd.perf_event_read() == 0  # opened disabled
    start = time.monotonic_ns()
    fd.perf_event_enable()
    spin()
    fd.perf_event_disable()
    elapsed = time.monotonic_ns() - start
    count = fd.perf_event_read()
    assert 0 < count <= elapsed  # ns of this thread's CPU time, within the wall time
    assert L.read(fd, 8) == count.to_bytes(8, sys.byteorder)  # read(2)'s own answer
    spin(0.001)
    assert fd.perf_event_read() == count  # disabled: it stays
    L.perf_event_reset(fd)
    assert L.perf_event_read(fd) == 0
    assert L.perf_event_id(fd) > 0


def test_perf_event_open():
    attr = L.PerfEventAttr(L.PERF_TYPE.SOFTWARE, L.PERF_COUNT_SW.TASK_CLOCK, disabled=1,
                           exclude_kernel=1, exclude_hv=1, read_format="id|total_time_enabled")
    with qemu_may_lack(L.perf_event_open, attr, 0, -1, -1, inheritable=True) as fd:
        assert not cloexec(fd)
        fd.perf_event_enable()
        spin(0.001)
        value, enabled, ident = struct.unpack("=3Q", L.read(fd, 24))
        assert value > 0 and enabled > 0 and ident == fd.perf_event_id()
        raises_errno(errno.ENOSPC, fd.perf_event_read)  # read_format asks for 24 bytes
    raises_errno(errno.EINVAL, L.perf_event_open, attr, 0, -1, -1, 1 << 20)  # unknown flag
    raises_errno(errno.ESRCH, L.perf_event_open, attr, dead_pid())
    bad = L.PerfEventAttr(L.PERF_TYPE.SOFTWARE, 10**6)  # no such software event
    raises_errno(errno.ENOENT, L.perf_event_open, bad)
    with pytest.raises(TypeError):
        L.perf_event_open(bytes(attr))
    with pytest.raises(TypeError):
        L.perf_event_open(attr, 0, -1, -1, L.O.CLOEXEC)
    r, w = L.pipe()  # the ioctls check the kind of fd: another driver's '$' ioctls differ
    with r, w:
        raises_errno(errno.EINVAL, L.perf_event_enable, r)
        raises_errno(errno.EINVAL, L.perf_event_read, w)
    closed = L.perf_counter()
    closed.close()
    with pytest.raises(L.ClosedFdError):
        closed.perf_event_enable()


def test_group():
    leader = qemu_may_lack(L.perf_counter)
    member_attr = L.PerfEventAttr("software", "page_faults", exclude_kernel=1, exclude_hv=1)
    with leader, L.perf_event_open(member_attr, 0, -1, leader) as member:
        leader.perf_event_enable(L.PERF_IOC_FLAG.GROUP)  # the whole group
        spin(0.001)
        bytearray(1 << 20)  # page faults, counted by the member
        leader.perf_event_disable("group")
        assert leader.perf_event_read() > 0 and member.perf_event_read() > 0
        leader.perf_event_reset(L.PERF_IOC_FLAG.GROUP)
        assert leader.perf_event_read() == member.perf_event_read() == 0


def test_attr():
    attr = L.PerfEventAttr(type="software", config="cpu_clock", disabled=True, precise_ip=3,
                           sample_period=1000)
    assert attr.size == 136 and len(bytes(attr)) == 136
    assert (attr.type, attr.config, attr.disabled, attr.precise_ip) == (1, 0, 1, 3)
    assert attr.sample_freq == 1000  # the union with sample_period
    raw = bytes(attr)
    flags = int.from_bytes(raw[40:48], sys.byteorder)
    assert flags == 1 | 3 << 15  # disabled is bit 0, precise_ip bits 15-16 (the kernel's)
    attr.config1 = 5
    assert attr.bp_addr == 5 and attr.kprobe_func == 5
    assert "precise_ip=3" in repr(attr)
    with pytest.raises(TypeError):
        L.PerfEventAttr(no_such_field=1)
    with pytest.raises(TypeError):
        L.PerfEventAttr(__reserved_1=1)
    with pytest.raises(OverflowError):
        L.PerfEventAttr(precise_ip=4)
    with pytest.raises(TypeError):
        L.PerfEventAttr(type=L.PERF_TYPE.TRACEPOINT, config="task_clock")
    with pytest.raises(ValueError):
        L.PerfEventAttr(type="software", config="bogus")
    with pytest.raises(AttributeError):
        attr.nothing
    attr.size = 200  # larger than the struct: the kernel would read past it
    with pytest.raises(ValueError):
        L.perf_event_open(attr)


def test_unprivileged():
    qemu_may_lack(L.perf_counter).close()  # under qemu-user: skips here, not in the child
    with open("/proc/sys/kernel/perf_event_paranoid") as f:
        paranoid = int(f.read())

    def child():
        with L.perf_counter() as fd:  # user space only: allowed up to paranoid 2
            fd.perf_event_enable()
            spin(0.001)
            assert fd.perf_event_read() > 0
        kernel_too = L.PerfEventAttr("software", "task_clock")
        if paranoid >= 2:
            raises_errno(errno.EACCES, L.perf_event_open, kernel_too)
        if paranoid < 3:
            raises_errno(errno.EACCES, L.perf_event_open, kernel_too, 1)  # init's
    if os.geteuid() == 0 and paranoid <= 2:
        assert as_nobody(child) == 0
