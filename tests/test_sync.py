"""The sync family (futex, futex_waitv, futex_wake/futex_wait/futex_requeue) against the real
kernel: waits woken by other threads and by another process through a MAP_SHARED Mapping, the
values, timeouts and errors the kernel answers, and the checks made before any syscall.

Whether a thread is queued on a word is told without timing: FUTEX.CMP_REQUEUE moves it to
another word and counts it (the ``park`` helper), FUTEX_WAITERS appears in a PI word, or a
wake counts it.  Every wait in a thread has a timeout, so a bug fails instead of hanging.
"""
import errno
import mmap
import os
import signal
import struct
import threading
import time

import pytest

import linuxsys as L
from conftest import EMULATED, raises_errno

MS = 1_000_000
SAFETY_NS = 5_000_000_000  # the longest any wait here may take: a hang fails, after 5 s
ALL = (1 << 31) - 1        # wake every waiter
PRIVATE = L.FUTEX.PRIVATE_FLAG


def word(buf, offset=0):
    return struct.unpack_from("I", buf, offset)[0]


def put(buf, value, offset=0):
    struct.pack_into("I", buf, offset, value)


def have(fn, *args):
    """Whether fn is there: fn(*args) must fail with an error other than ENOSYS.  Only
    qemu-user may lack the futex2 calls (it answers ENOSYS): natively that fails the test."""
    try:
        fn(*args)
    except L.UnsupportedError:
        if EMULATED:
            return False
        raise
    except OSError:
        pass
    return True


def need(fn, *args):
    """Skip the test where have() says no."""
    if not have(fn, *args):
        pytest.skip(f"qemu-user lacks {fn.__name__}")


def need_waitv():
    need(L.futex_waitv, [])  # EINVAL


def need_futex2():
    need(L.futex_wake, bytearray(4), 0)  # EINVAL: mask 0 (futex_wait and futex_requeue: 6.7 too)


def mono_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


class Waiter(threading.Thread):
    """fn(*args, **kwargs) in a thread; .result is what it returned or the exception raised."""

    def __init__(self, fn, *args, **kwargs):
        super().__init__(daemon=True)
        self.call = (fn, args, kwargs)
        self.result = None
        self.start()

    def run(self):
        fn, args, kwargs = self.call
        try:
            self.result = fn(*args, **kwargs)
        except BaseException as e:  # handed to the test
            self.result = e

    def done(self):
        self.join(SAFETY_NS / 1e9)
        assert not self.is_alive(), "the waiter was never woken"
        return self.result


def park(buf, op_flags=PRIVATE, off_from=0, off_to=4, val=0):
    """Wait until one waiter queued on the word at off_from, then move it to off_to (on
    which it stays queued): CMP_REQUEUE counts the waiters it moved."""
    deadline = time.monotonic() + SAFETY_NS / 1e9
    while L.futex(buf, L.FUTEX.CMP_REQUEUE | op_flags, 0, uaddr2=buf, val3=val,
                  offset=off_from, offset2=off_to, val2=1) != 1:
        assert time.monotonic() < deadline, "no waiter queued"
        time.sleep(0.0005)


# ---- FUTEX.WAIT / WAKE -------------------------------------------------------------------------

@pytest.mark.parametrize("private", [0, PRIVATE])
def test_wait_woken_by_another_thread(private):
    ba = bytearray(8)
    t = Waiter(L.futex, ba, L.FUTEX.WAIT | private, 0, SAFETY_NS)
    park(ba, private)
    with pytest.raises(BufferError):  # exported for the whole wait: never moved under it
        ba.extend(b"x")
    assert L.futex(ba, L.FUTEX.WAKE | private, 1) == 0  # moved away: none left on word 0
    assert L.futex(ba, L.FUTEX.WAKE | private, ALL, offset=4) == 1
    assert t.done() == 0


def test_keywords_and_flag_strings():
    ba = bytearray(8)
    assert L.futex(uaddr=ba, futex_op="wake_private", val=1, offset=4) == 0
    assert L.futex(ba, "wake|private_flag", 1) == 0
    cdata = L.ffi.new("uint32_t[2]")  # ffi.new memory: its size in bytes, not items
    assert L.futex(cdata, L.FUTEX.WAKE, 1, offset=4) == 0
    with pytest.raises(ValueError):
        L.futex(cdata, L.FUTEX.WAKE, 1, offset=8)
    assert L.FUTEX.WAKE | L.FUTEX.PRIVATE_FLAG == L.FUTEX.WAKE_PRIVATE == L.FUTEX_WAKE_PRIVATE


def test_wait_when_the_value_differs():
    ba = bytearray(4)
    put(ba, 0xFFFFFFFF)
    e = raises_errno(errno.EAGAIN, L.futex, ba, L.FUTEX.WAIT_PRIVATE, 0)
    assert isinstance(e, BlockingIOError)
    # The word read signed or unsigned is the same value: it matched, so the wait timed out.
    for val in (-1, 0xFFFFFFFF):
        with pytest.raises(TimeoutError):
            L.futex(ba, L.FUTEX.WAIT_PRIVATE, val, 0)
    ba.extend(b"x")  # the failed calls released their views of ba


def test_timeouts():
    ba = bytearray(4)
    e = raises_errno(errno.ETIMEDOUT, L.futex, ba, L.FUTEX.WAIT, 0, MS)  # relative
    assert isinstance(e, TimeoutError)
    # WAIT_BITSET's is absolute: on CLOCK_MONOTONIC, or CLOCK_REALTIME with the flag
    raises_errno(errno.ETIMEDOUT, L.futex, ba, L.FUTEX.WAIT_BITSET, 0, mono_ns() + MS,
                 val3=L.FUTEX_BITSET_MATCH_ANY)
    raises_errno(errno.ETIMEDOUT, L.futex, ba, L.FUTEX.WAIT_BITSET | L.FUTEX.CLOCK_REALTIME,
                 0, time.time_ns() + MS, val3=-1)
    raises_errno(errno.ETIMEDOUT, L.futex, ba, L.FUTEX.WAIT_BITSET, 0, 0, val3=-1)  # long past
    # CLOCK_REALTIME with an op that has no absolute timeout: the kernel says ENOSYS
    with pytest.raises(L.UnsupportedError):
        L.futex(ba, L.FUTEX.WAIT | L.FUTEX.CLOCK_REALTIME, 0, MS)


def test_signal_interrupts_run_handlers_and_go_on():
    """EINTR: the handler runs, the wait goes on for the time left (TimeoutError at the end,
    not before); a handler's exception ends a wait without a timeout (Ctrl-C works)."""
    ba = bytearray(4)
    seen = []

    class Stop(Exception):
        pass

    def note(signum, frame):
        seen.append(signum)

    def stop(signum, frame):
        raise Stop

    old = signal.signal(signal.SIGALRM, note)
    try:
        start = time.monotonic_ns()
        signal.setitimer(signal.ITIMER_REAL, 0.005)
        with pytest.raises(TimeoutError):
            L.futex(ba, L.FUTEX.WAIT_PRIVATE, 0, 30 * MS)
        assert seen == [signal.SIGALRM]
        assert time.monotonic_ns() - start >= 30 * MS
        signal.signal(signal.SIGALRM, stop)
        calls = [lambda: L.futex(ba, L.FUTEX.WAIT_PRIVATE, 0)]
        if have(L.futex_wake, ba, 0):
            calls.append(lambda: L.futex_wait(ba, 0))
        if have(L.futex_waitv, []):
            calls.append(lambda: L.futex_waitv([(ba, 0)]))
        for call in calls:
            signal.setitimer(signal.ITIMER_REAL, 0.005)
            with pytest.raises(Stop):
                call()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    ba.extend(b"x")


def test_unknown_op_is_the_kernels_enosys():
    with pytest.raises(L.UnsupportedError):
        L.futex(bytearray(4), 2)  # FUTEX_FD, removed in Linux 2.6.26


# ---- bitsets, requeue, wake_op -----------------------------------------------------------------

def test_bitset():
    ba = bytearray(8)
    t = Waiter(L.futex, ba, L.FUTEX.WAIT_BITSET_PRIVATE, 0, mono_ns() + SAFETY_NS, val3=0b01)
    park(ba)  # requeued waiters keep their bitset
    assert L.futex(ba, L.FUTEX.WAKE_BITSET_PRIVATE, 1, offset=4, val3=0b10) == 0
    assert L.futex(ba, L.FUTEX.WAKE_BITSET_PRIVATE, 1, offset=4, val3=0b11) == 1
    assert t.done() == 0
    raises_errno(errno.EINVAL, L.futex, ba, L.FUTEX.WAIT_BITSET_PRIVATE, 0, val3=0)
    raises_errno(errno.EINVAL, L.futex, ba, L.FUTEX.WAKE_BITSET_PRIVATE, 1, val3=0)


def test_requeue_and_cmp_requeue():
    ba = bytearray(8)
    t = Waiter(L.futex, ba, L.FUTEX.WAIT_PRIVATE, 0, SAFETY_NS)
    park(ba)  # CMP_REQUEUE 0 -> 4, counted
    # REQUEUE 4 -> 0, none woken: the waiter moved back (counted, as CMP_REQUEUE counts)
    assert L.futex(ba, L.FUTEX.REQUEUE_PRIVATE, 0, uaddr2=ba, offset=4, val2=1) == 1
    put(ba, 7, 0)
    e = raises_errno(errno.EAGAIN, L.futex, ba, L.FUTEX.CMP_REQUEUE_PRIVATE, 0, uaddr2=ba,
                     offset2=4, val2=1, val3=0)  # val3 must be the word's value
    park(ba, val=7)
    assert L.futex(ba, L.FUTEX.WAKE_PRIVATE, 1) == 0
    assert L.futex(ba, L.FUTEX.WAKE_PRIVATE, 1, offset=4) == 1
    assert t.done() == 0
    ba.extend(b"x")  # both views released by the failed CMP_REQUEUE
    del e


def test_wake_op():
    ba = bytearray(8)
    put(ba, 10, 4)
    t = Waiter(L.futex, ba, L.FUTEX.WAIT_PRIVATE, 10, SAFETY_NS, offset=4)
    park(ba, off_from=4, off_to=0, val=10)  # now queued on word 0, which holds 0
    # *uaddr2 += 5, and wake val2 of its waiters if its old value == 0 (and val of uaddr's)
    op = L.encode_futex_op(L.FUTEX_OP.ADD, 5, L.FUTEX_OP_CMP.EQ, 0)
    assert L.futex(ba, L.FUTEX.WAKE_OP_PRIVATE, 1, uaddr2=ba, val3=op, offset=4, val2=1) == 1
    assert word(ba, 0) == 5
    assert t.done() == 0
    # comparison false: the operation is done, nobody woken
    op = L.encode_futex_op(L.FUTEX_OP.OR | L.FUTEX_OP.OPARG_SHIFT, 4, L.FUTEX_OP_CMP.LT, 0)
    assert L.futex(ba, L.FUTEX.WAKE_OP_PRIVATE, 1, uaddr2=ba, val3=op, offset=4, val2=1) == 0
    assert word(ba, 0) == 5 | 16


def test_encode_futex_op_is_the_macro():
    def macro(op, oparg, cmp, cmparg):  # <linux/futex.h>'s FUTEX_OP()
        return (((op & 0xf) << 28) | ((cmp & 0xf) << 24) | ((oparg & 0xfff) << 12)
                | (cmparg & 0xfff))
    for args in [(1, 5, 4, 0), (0, 0xfff, 5, 0xfff), (4 | 8, 31, 1, -1), (3, -2048, 2, -1)]:
        assert L.encode_futex_op(*args) == macro(*args)
    assert L.encode_futex_op("add", 1, "gt", 0) == macro(1, 1, 4, 0)
    with pytest.raises(OverflowError):
        L.encode_futex_op(0, 4096, 0, 0)
    with pytest.raises(OverflowError):
        L.encode_futex_op(0, 0, 0, -2049)
    with pytest.raises(TypeError):
        L.encode_futex_op(L.FUTEX.WAKE, 0, 0, 0)  # another namespace's member


# ---- PI ----------------------------------------------------------------------------------------

def test_pi_trylock_unlock():
    ba = bytearray(4)
    assert L.futex(ba, L.FUTEX.TRYLOCK_PI_PRIVATE) == 0
    assert word(ba) == L.gettid()
    raises_errno(errno.EDEADLK, L.futex, ba, L.FUTEX.TRYLOCK_PI_PRIVATE)
    raises_errno(errno.EDEADLK, L.futex, ba, L.FUTEX.LOCK_PI_PRIVATE)
    assert L.futex(ba, L.FUTEX.UNLOCK_PI_PRIVATE) == 0
    assert word(ba) == 0
    raises_errno(errno.EPERM, L.futex, ba, L.FUTEX.UNLOCK_PI_PRIVATE)  # not the owner


def test_pi_lock_contended():
    ba = bytearray(4)
    assert L.futex(ba, L.FUTEX.LOCK_PI_PRIVATE, timeout_ns=time.time_ns() + SAFETY_NS) == 0

    def lock_then_unlock():
        L.futex(ba, L.FUTEX.LOCK_PI_PRIVATE, timeout_ns=time.time_ns() + SAFETY_NS)
        owner = word(ba) & L.FUTEX_TID_MASK
        L.futex(ba, L.FUTEX.UNLOCK_PI_PRIVATE)
        return owner, L.gettid()

    t = Waiter(lock_then_unlock)
    deadline = time.monotonic() + 5
    while not word(ba) & L.FUTEX_WAITERS:  # the kernel marks the word once the thread blocks
        assert time.monotonic() < deadline
        time.sleep(0.0005)
    assert word(ba) & L.FUTEX_TID_MASK == L.gettid()
    assert L.futex(ba, L.FUTEX.UNLOCK_PI_PRIVATE) == 0  # hands the lock to the thread
    owner, tid = t.done()
    assert owner == tid
    assert word(ba) == 0
    # LOCK_PI's timeout is absolute on CLOCK_REALTIME: a held lock and a deadline just ahead
    assert L.futex(ba, L.FUTEX.TRYLOCK_PI_PRIVATE) == 0
    t = Waiter(L.futex, ba, L.FUTEX.LOCK_PI_PRIVATE, timeout_ns=time.time_ns() + MS)
    assert isinstance(t.done(), TimeoutError)
    assert L.futex(ba, L.FUTEX.UNLOCK_PI_PRIVATE) == 0


def test_requeue_pi_einval():
    ba = bytearray(8)
    # uaddr2 must be another word
    raises_errno(errno.EINVAL, L.futex, ba, L.FUTEX.WAIT_REQUEUE_PI_PRIVATE, 0, 0, uaddr2=ba)
    raises_errno(errno.EINVAL, L.futex, ba, L.FUTEX.CMP_REQUEUE_PI_PRIVATE, 1, uaddr2=ba,
                 val2=0)


# ---- across processes --------------------------------------------------------------------------

def test_ping_pong_between_processes_on_a_shared_mapping():
    m = L.mmap(None, 4096, L.PROT.READ | L.PROT.WRITE, L.MAP.SHARED | L.MAP.ANONYMOUS)
    off = 4092  # the last word of the mapping
    try:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                while word(m, off) == 0:  # wait for the parent's 1 ...
                    try:
                        L.futex(m, L.FUTEX.WAIT, 0, SAFETY_NS, offset=off)
                    except BlockingIOError:
                        pass
                put(m, 2, off)  # ... answer 2
                L.futex(m, L.FUTEX.WAKE, 1, offset=off)
                code = 0
            finally:
                os._exit(code)
        put(m, 1, off)
        L.futex(m, L.FUTEX.WAKE, 1, offset=off)
        while word(m, off) == 1:
            try:
                L.futex(m, L.FUTEX.WAIT, 1, SAFETY_NS, offset=off)
            except BlockingIOError:
                pass
        assert word(m, off) == 2
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    finally:
        m.close()


# ---- futex2 ------------------------------------------------------------------------------------

def test_futex_waitv_two_words():
    need_waitv()
    ba = bytearray(8)
    put(ba, 3, 4)
    t = Waiter(L.futex_waitv,
               [L.FutexWaitv(ba, 0), (ba, 3, L.FUTEX2.SIZE_U32 | L.FUTEX2.PRIVATE, 4)],
               timeout_ns=mono_ns() + SAFETY_NS)
    deadline = time.monotonic() + 5
    # the second word is private: FUTEX.WAKE_PRIVATE reaches it as futex_wake does
    while L.futex(ba, L.FUTEX.WAKE_PRIVATE, 1, offset=4) == 0:
        assert time.monotonic() < deadline
        time.sleep(0.0005)
    assert t.done() == 1  # the index of the word woken


def test_futex_waitv_errors():
    need_waitv()
    ba = bytearray(8)
    raises_errno(errno.EAGAIN, L.futex_waitv, [(ba, 0), (ba, 1, L.FUTEX2.SIZE_U32, 4)])
    raises_errno(errno.ETIMEDOUT, L.futex_waitv, [(ba, 0)], 0, mono_ns() + MS)
    raises_errno(errno.ETIMEDOUT, L.futex_waitv, [(ba, 0)], 0, time.time_ns() + MS,
                 L.CLOCK.REALTIME)
    raises_errno(errno.EINVAL, L.futex_waitv, [])
    raises_errno(errno.EINVAL, L.futex_waitv, [(ba, 0)], 1)  # flags must be 0
    raises_errno(errno.EINVAL, L.futex_waitv, [(ba, 0, L.FUTEX2.SIZE_U8)], 0, 0)
    with pytest.raises(ValueError):
        L.futex_waitv([(ba, 0)] * (L.FUTEX_WAITV_MAX + 1))
    with pytest.raises(ValueError):
        L.futex_waitv([(ba, 0), (ba, 0, L.FUTEX2.SIZE_U32, 2)])  # misaligned
    with pytest.raises(TypeError):
        L.futex_waitv([(ba, 0), (b"abcd", 0)])
    with pytest.raises(TypeError):
        L.futex_waitv([(ba,)])
    ba.extend(b"x")  # every view released


def test_futex_wait_and_wake():
    need_futex2()
    ba = bytearray(8)
    t = Waiter(L.futex_wait, ba, 0, 0b01, L.FUTEX2.SIZE_U32 | L.FUTEX2.PRIVATE,
               mono_ns() + SAFETY_NS)
    deadline = time.monotonic() + 5
    while True:
        assert L.futex_wake(ba, 0b10, 1, L.FUTEX2.SIZE_U32 | L.FUTEX2.PRIVATE) == 0  # mask
        if L.futex_wake(ba, 0b11, 1, L.FUTEX2.SIZE_U32 | L.FUTEX2.PRIVATE) == 1:
            break
        assert time.monotonic() < deadline
        time.sleep(0.0005)
    assert t.done() is None
    raises_errno(errno.EAGAIN, L.futex_wait, ba, 1)
    raises_errno(errno.ETIMEDOUT, L.futex_wait, ba, 0, timeout_ns=mono_ns() + MS)
    raises_errno(errno.ETIMEDOUT, L.futex_wait, ba, 0, timeout_ns=time.time_ns() + MS,
                 clockid="realtime")
    raises_errno(errno.EINVAL, L.futex_wait, ba, 0, flags=L.FUTEX2.SIZE_U8)
    if L.ffi.sizeof("long") == 8:  # more than a u32 word holds
        raises_errno(errno.EINVAL, L.futex_wait, ba, 1 << 32)
    else:  # more than the unsigned long it crosses as
        with pytest.raises(OverflowError):
            L.futex_wait(ba, 1 << 32)
    raises_errno(errno.EINVAL, L.futex_wake, ba, 0)  # mask 0
    assert L.futex_wake(uaddr=ba, mask=1, nr=1, flags="size_u32|private", offset=4) == 0
    # NUMA: the node id follows the value, so the word is 8 bytes, 8-aligned
    assert L.futex_wake(ba, flags=L.FUTEX2.SIZE_U32 | L.FUTEX2.NUMA) == 0
    with pytest.raises(ValueError):
        L.futex_wake(ba, flags=L.FUTEX2.SIZE_U32 | L.FUTEX2.NUMA, offset=4)
    ba.extend(b"x")


def test_futex_requeue():
    need_futex2()
    ba = bytearray(8)
    t = Waiter(L.futex_wait, ba, 0, timeout_ns=mono_ns() + SAFETY_NS)
    deadline = time.monotonic() + 5
    waiters = [(ba, 0), L.FutexWaitv(ba, 0, offset=4)]
    while L.futex_requeue(waiters, 0, 0, 1) != 1:  # moved to the second word, not woken
        assert time.monotonic() < deadline
        time.sleep(0.0005)
    assert L.futex_wake(ba) == 0
    assert L.futex_wake(ba, offset=4) == 1
    assert t.done() is None
    raises_errno(errno.EAGAIN, L.futex_requeue, [(ba, 1), (ba, 0, 2, 4)], 0, 1, 1)
    raises_errno(errno.EINVAL, L.futex_requeue, waiters, 1, 1, 1)
    with pytest.raises(ValueError):
        L.futex_requeue(waiters[:1], 0, 1, 1)
    ba.extend(b"x")


# ---- checks before any syscall -----------------------------------------------------------------

def test_word_outside_the_buffer_or_misaligned():
    ba = bytearray(12)
    for offset in (-4, -1, 2, 5, 9, 12, 1 << 70):
        with pytest.raises(ValueError):
            L.futex(ba, L.FUTEX.WAKE, 1, offset=offset)
        with pytest.raises(ValueError):
            L.futex(bytearray(8), L.FUTEX.REQUEUE, 1, uaddr2=ba, offset2=offset, val2=1)
        with pytest.raises(ValueError):
            L.futex_wake(ba, offset=offset)
        with pytest.raises(ValueError):
            L.futex_waitv([(ba, 0, L.FUTEX2.SIZE_U32, offset)])
    ba.extend(b"x")


def test_misaligned_buffer_address():
    """The word's address is checked, not only its offset: a view starting at an odd byte."""
    ba = bytearray(16)
    with pytest.raises(ValueError):
        L.futex(memoryview(ba)[1:9], L.FUTEX.WAKE, 1)
    assert L.futex(memoryview(ba)[4:8], L.FUTEX.WAKE, 1) == 0
    ba.extend(b"x")


def test_read_only_and_closed_buffers():
    with pytest.raises(TypeError):
        L.futex(b"\0" * 4, L.FUTEX.WAKE, 1)
    with pytest.raises(TypeError):
        L.futex(bytearray(4), L.FUTEX.REQUEUE, 1, uaddr2=b"\0" * 4, val2=1)
    with pytest.raises(TypeError):
        L.futex_wake(memoryview(bytes(4)))
    ro = mmap.mmap(-1, 4096, access=mmap.ACCESS_READ)
    try:
        with pytest.raises(TypeError):
            L.futex(ro, L.FUTEX.WAKE, 1)
    finally:
        ro.close()
    m = L.mmap(None, 4096)
    m.close()
    with pytest.raises(ValueError):
        L.futex(m, L.FUTEX.WAKE, 1)


def test_arguments_the_op_does_not_take():
    ba = bytearray(8)
    with pytest.raises(TypeError, match="val2"):
        L.futex(ba, L.FUTEX.CMP_REQUEUE, 1, MS, uaddr2=ba, offset2=4)  # a timeout for val2
    with pytest.raises(TypeError):
        L.futex(ba, L.FUTEX.WAKE, 1, MS)
    with pytest.raises(TypeError):
        L.futex(ba, L.FUTEX.WAIT, 0, val2=1)
    with pytest.raises(TypeError):
        L.futex(ba, L.FUTEX.WAKE, 1, val2=1)
    with pytest.raises(TypeError):
        L.futex(ba, L.FUTEX.WAKE_OP, 1, val2=1)  # no uaddr2
    with pytest.raises(TypeError):
        L.futex(ba, L.IN.MODIFY, 1)  # another namespace's member
    with pytest.raises(OverflowError):
        L.futex(ba, L.FUTEX.WAIT, 0, -1)
    with pytest.raises(OverflowError):
        L.futex(ba, L.FUTEX.WAKE, 1 << 32)
    with pytest.raises(OverflowError):
        L.futex_wake(ba, -1)
    with pytest.raises(OverflowError):
        L.futex_waitv([(ba, 0)], timeout_ns=-1)
    # arguments cffi would refuse only at the call, after the views are made (fuzz findings):
    # refused before them, so ba is not left exported
    with pytest.raises(OverflowError):
        L.futex(ba, 1 << 40, 1)
    with pytest.raises(OverflowError):
        L.futex_wait(ba, 1, clockid=-2**63)
    with pytest.raises(OverflowError):
        L.futex_waitv([(ba, 1)], clockid=2**31)
    with pytest.raises(TypeError):  # iterating a 2-D memoryview raises NotImplementedError
        L.futex_waitv(memoryview(bytearray(4)).cast("B", (2, 2)))
    ba.extend(b"x")


def test_sync_is_still_sync2():
    """The family's module is named sync: L.sync stays sync(2)."""
    assert L.sync is L.sync_file_range.__globals__["sync"]
    assert "sync" in L.__all__ and "futex" in L.__all__
    L.sync()
