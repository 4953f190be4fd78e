"""SysV message queues and semaphore sets (linuxsys/ipc.py) against the real kernel, with
/proc/sysvipc/{msg,sem} as the oracle.  Every object made here is removed in ``finally``
(conftest.no_fd_leaks fails a test that leaves one)."""
import errno
import os
import random
import time

import pytest

import linuxsys as L
from conftest import EMULATED, as_nobody, child_ok, raises_errno


@pytest.fixture
def queue():
    q = L.msgget(L.IPC.PRIVATE, L.IPC.CREAT | 0o600)
    try:
        yield q
    finally:
        L.msgctl(q, L.IPC_CMD.RMID)


@pytest.fixture
def sems():
    s = L.semget(L.IPC.PRIVATE, 3, L.IPC.CREAT | 0o600)
    try:
        yield s
    finally:
        L.semctl(s, 0, L.IPC_CMD.RMID)


def sysvipc(kind, ident):
    """/proc/sysvipc/<kind>'s row for ident as a dict of ints, or None."""
    with open(f"/proc/sysvipc/{kind}") as f:
        lines = f.read().splitlines()
    cols = lines[0].split()
    for line in lines[1:]:
        row = {c: int(v, 8 if c == "perms" else 10) for c, v in zip(cols, line.split())}
        if row["msqid" if kind == "msg" else "semid"] == ident:
            return row
    return None


# ---- message queues --------------------------------------------------------------------------

def test_msg_send_receive_by_type(queue):
    L.msgsnd(queue, 5, b"five")
    L.msgsnd(queue, 2, bytearray(b"two"))
    L.msgsnd(queue, 9, memoryview(b"xnine")[1:])
    L.msgsnd(queue, 3, b"")
    assert L.msgrcv(queue, 100, 9) == (9, b"nine")                       # that type
    assert L.msgrcv(queue, 100, -4) == (2, b"two")                       # lowest type <= 4
    assert L.msgrcv(queue, 100, 3, L.MSG_RCV.EXCEPT) == (5, b"five")     # any but type 3
    assert L.msgrcv(queue, 0, 0, "nowait") == (3, b"")                   # the first
    raises_errno(errno.ENOMSG, L.msgrcv, queue, 100, 0, L.IPC.NOWAIT)


def test_msg_too_long_copy_and_buffer_form(queue):
    L.msgsnd(queue, 1, b"0123456789")
    raises_errno(errno.E2BIG, L.msgrcv, queue, 4, 0, L.IPC.NOWAIT)      # stays queued
    assert L.msgrcv(queue, 100, 0, L.MSG_RCV.COPY | L.IPC.NOWAIT) == (1, b"0123456789")
    buf = bytearray(b"." * 6)
    assert L.msgrcv(queue, buf, 0, L.MSG_RCV.NOERROR) == (1, 4 + 2)      # cut to the buffer
    assert buf == b"012345"
    L.msgsnd(queue, 7, bytes(range(256)) * 20)                          # past the stack copy
    assert L.msgrcv(queue, 8192) == (7, bytes(range(256)) * 20)
    try:
        L.msgrcv(queue, buf, 0, L.IPC.NOWAIT)
    except OSError as e:
        err = e
    assert err.errno == errno.ENOMSG
    buf.extend(b"x")  # the view was released before the raise


def test_msgctl_stat_set_info_against_proc(queue):
    ds = L.msgctl(queue, L.IPC_CMD.STAT)
    assert isinstance(ds, L.MsqidDs) and isinstance(ds.msg_perm, L.IpcPerm)
    assert (ds.msg_qnum, ds.msg_cbytes, ds.msg_lspid, ds.msg_stime) == (0, 0, 0, 0)
    L.msgsnd(queue, 1, b"abc")
    ds = L.msgctl(queue, "stat")
    row = sysvipc("msg", queue)
    assert (ds.msg_perm.key, ds.msg_perm.mode & 0o777, ds.msg_cbytes, ds.msg_qnum,
            ds.msg_lspid, ds.msg_lrpid, ds.msg_perm.uid, ds.msg_perm.cuid, ds.msg_stime,
            ds.msg_ctime) == (
        row["key"], row["perms"], row["cbytes"], row["qnum"], row["lspid"], row["lrpid"],
        row["uid"], row["cuid"], row["stime"], row["ctime"])
    assert ds.msg_lspid == os.getpid() and abs(ds.msg_stime - time.time()) < 60
    L.msgrcv(queue, 10)
    if not EMULATED:  # qemu-user writes msg_lspid as 8 bytes on 64-bit arches: lrpid reads 0
        assert L.msgctl(queue, L.IPC_CMD.STAT).msg_lrpid == os.getpid()
    new = ds._replace(msg_perm=ds.msg_perm._replace(mode=0o640), msg_qbytes=ds.msg_qbytes // 2)
    assert L.msgctl(queue, L.IPC_CMD.SET, new) is None
    ds = L.msgctl(queue, L.IPC_CMD.STAT)
    assert (ds.msg_perm.mode & 0o777, ds.msg_qbytes) == (0o640, new.msg_qbytes)
    assert sysvipc("msg", queue)["perms"] == 0o640
    top, info = L.msgctl(0, L.IPC_CMD.INFO)
    assert isinstance(info, L.MsgInfo) and top >= 0 and info.msgmax > 0 and info.msgmni > 0
    with open("/proc/sys/kernel/msgmax") as f:
        assert info.msgmax == int(f.read())
    top, used = L.msgctl(0, L.MSG_CMD.INFO)
    assert used.msgpool >= 1  # queues in use
    for index in range(top + 1):  # MSG_STAT takes an index, answers (id, MsqidDs)
        try:
            ident, ds = L.msgctl(index, L.MSG_CMD.STAT)
        except OSError:
            continue
        if ident == queue:
            assert ds.msg_perm.mode & 0o777 == 0o640
            break
    else:
        pytest.fail("MSG_STAT did not find the queue")


def test_msg_blocking_receive_woken_by_a_child(queue):
    pid = os.fork()
    if pid == 0:
        try:
            L.msgsnd(queue, 4, b"from the child")
        finally:
            os._exit(0)
    try:
        assert L.msgrcv(queue, 100, 4) == (4, b"from the child")
    finally:
        os.waitpid(pid, 0)


def test_msgget_by_key_and_errors():
    key = random.randrange(1 << 24, 1 << 31)
    while True:  # a key no object of the machine has
        try:
            L.msgget(key)
        except FileNotFoundError:
            break
        key += 1
    q = L.msgget(key, L.IPC.CREAT | L.IPC.EXCL | 0o600)
    try:
        assert L.msgget(key) == q and L.msgctl(q, "stat").msg_perm.key == key
        raises_errno(errno.EEXIST, L.msgget, key, "creat|excl")
    finally:
        L.msgctl(q, "rmid")
    raises_errno(errno.EINVAL, L.msgctl, q, L.IPC_CMD.STAT)            # removed
    raises_errno(errno.EINVAL, L.msgsnd, -1, 1, b"x")
    raises_errno(errno.EINVAL, L.msgrcv, -1, 10)


def test_msg_argument_errors(queue):
    raises_errno(errno.EINVAL, L.msgsnd, queue, 0, b"x")               # types start at 1
    with pytest.raises(TypeError):
        L.msgsnd(queue, 1, "text")
    with pytest.raises(ValueError):
        L.msgrcv(queue, -1)
    with pytest.raises(OverflowError):
        L.msgsnd(queue, 1 << 64, b"x")
    with pytest.raises(TypeError):
        L.msgrcv(queue, b"read-only")
    with pytest.raises(TypeError):
        L.msgctl(queue, L.IPC_CMD.SET, L.msgctl(queue, "stat").msg_perm)  # qbytes needed
    with pytest.raises(TypeError):
        L.msgctl(queue, L.IPC_CMD.STAT, L.msgctl(queue, "stat"))
    assert L.msgctl(queue, "stat").msg_qnum == 0


def test_msg_as_nobody(queue):
    def send():
        raises_errno(errno.EACCES, L.msgsnd, queue, 1, b"x")
        raises_errno(errno.EACCES, L.msgctl, queue, L.IPC_CMD.STAT)
        raises_errno(errno.EPERM, L.msgctl, queue, L.IPC_CMD.RMID)
    assert as_nobody(send) == 0


def test_ipc_namespaces_one_per_argument():
    """msgrcv's MSG_* flags are not send(2)'s L.MSG; semctl's SEM_STAT is not IPC_STAT."""
    assert L.MSG_RCV.NOERROR == L.MSG_NOERROR and L.MSG_CMD.STAT == L.MSG_STAT
    assert L.SEM_CMD.STAT == L.SEM_STAT != L.IPC_CMD.STAT and L.SEM_CMD.GETVAL == L.GETVAL
    assert L.SEM.UNDO == L.SEM_UNDO
    with pytest.raises(TypeError):
        L.msgrcv(0, 1, 0, L.MSG.PEEK)
    with pytest.raises(TypeError):
        L.msgget(L.IPC.PRIVATE, L.MSG_RCV.EXCEPT)
    with pytest.raises(TypeError):
        L.semctl(0, 0, L.SHM_CMD.LOCK)
    with pytest.raises(TypeError):
        L.semop(0, [(0, 1, L.MSG_RCV.COPY)])
    with pytest.raises(ValueError):
        L.msgctl(0, "bogus")


# ---- semaphores ------------------------------------------------------------------------------

def test_sem_values_and_ops(sems):
    assert L.semctl(sems, 0, L.SEM_CMD.GETALL) == [0, 0, 0]
    assert L.semctl(sems, 1, L.SEM_CMD.SETVAL, 5) is None
    assert L.semctl(sems, 1, "getval") == 5
    L.semop(sems, [(1, -2), (2, 3, 0), [0, 1, "undo"]])
    assert L.semctl(sems, 0, "getall") == [1, 3, 3]
    assert L.semctl(sems, 2, L.SEM_CMD.GETPID) == os.getpid()
    assert L.semctl(sems, 0, L.SEM_CMD.SETALL, (7, 8, 9)) is None
    assert L.semctl(sems, 0, L.SEM_CMD.GETALL) == [7, 8, 9]
    assert L.semctl(sems, 0, L.SEM_CMD.GETNCNT) == L.semctl(sems, 0, L.SEM_CMD.GETZCNT) == 0
    raises_errno(errno.EAGAIN, L.semop, sems, [(0, -8, L.IPC.NOWAIT)])
    raises_errno(errno.EAGAIN, L.semop, sems, [(0, 0, L.IPC.NOWAIT)])      # not zero
    raises_errno(errno.EFBIG, L.semop, sems, [(3, 1)])                     # past the set
    raises_errno(errno.EINVAL, L.semop, sems, [])
    raises_errno(errno.ERANGE, L.semctl, sems, 0, L.SEM_CMD.SETVAL, 40000)  # > SEMVMX
    assert L.semctl(sems, 0, "getall") == [7, 8, 9]  # all or nothing


def test_semtimedop_times_out(sems):
    start = time.monotonic()
    raises_errno(errno.EAGAIN, L.semtimedop, sems, [(0, -1)], 20_000_000)
    assert time.monotonic() - start >= 0.015
    raises_errno(errno.EAGAIN, L.semtimedop, sems, [(0, -1)], 0)
    L.semtimedop(sems, [(0, 2)], 0)
    L.semtimedop(sems, [(0, -1)])
    assert L.semctl(sems, 0, "getval") == 1
    with pytest.raises(OverflowError):
        L.semtimedop(sems, [(0, 1)], -1)


def test_sem_waiter_counted_and_woken(sems):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            L.semop(sems, [(1, -1)])  # waits for the parent's +1
            code = 0
        finally:
            os._exit(code)
    try:
        deadline = time.monotonic() + 5
        while L.semctl(sems, 1, L.SEM_CMD.GETNCNT) != 1:
            assert time.monotonic() < deadline, "the child never waited"
            time.sleep(0.001)
        L.semop(sems, [(1, 1)])
    finally:
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert L.semctl(sems, 1, "getval") == 0


def test_sem_undo_on_exit(sems):
    child_ok(lambda: L.semop(sems, [(0, 4, L.SEM.UNDO), (1, 1)]))
    assert L.semctl(sems, 0, "getall") == [0, 1, 0]  # the UNDO one is undone at exit


def test_semctl_stat_set_info_against_proc(sems):
    ds = L.semctl(sems, 0, L.IPC_CMD.STAT)
    assert isinstance(ds, L.SemidDs) and ds.sem_nsems == 3 and ds.sem_otime == 0
    row = sysvipc("sem", sems)
    assert (ds.sem_perm.key, ds.sem_perm.mode & 0o777, ds.sem_nsems, ds.sem_perm.uid,
            ds.sem_perm.cgid, ds.sem_ctime) == (
        row["key"], row["perms"], row["nsems"], row["uid"], row["cgid"], row["ctime"])
    L.semop(sems, [(0, 1)])
    assert abs(L.semctl(sems, 0, "stat").sem_otime - time.time()) < 60
    assert L.semctl(sems, 0, L.IPC_CMD.SET, ds.sem_perm._replace(mode=0o640)) is None
    assert sysvipc("sem", sems)["perms"] == 0o640
    L.semctl(sems, 0, "ipc_set", ds._replace(sem_perm=ds.sem_perm._replace(mode=0o604)))
    assert L.semctl(sems, 0, L.IPC_CMD.STAT).sem_perm.mode & 0o777 == 0o604
    top, info = L.semctl(0, 0, L.IPC_CMD.INFO)
    assert isinstance(info, L.SemInfo) and top >= 0
    with open("/proc/sys/kernel/sem") as f:
        semmsl, semmns, semopm, semmni = map(int, f.read().split())
    assert (info.semmsl, info.semmns, info.semopm, info.semmni) == (semmsl, semmns, semopm,
                                                                    semmni)
    top, used = L.semctl(0, 0, L.SEM_CMD.INFO)
    assert used.semusz >= 1  # sets in use
    found = []
    for index in range(top + 1):  # SEM_STAT takes an index, answers (id, SemidDs)
        try:
            found.append(L.semctl(index, 0, L.SEM_CMD.STAT))
        except OSError:
            pass
    assert any(ident == sems and d.sem_nsems == 3 for ident, d in found)


def test_semctl_argument_errors(sems):
    with pytest.raises(ValueError):
        L.semctl(sems, 0, L.SEM_CMD.SETALL, [1, 2])        # the set has 3
    with pytest.raises(OverflowError):
        L.semctl(sems, 0, L.SEM_CMD.SETALL, [1, 2, 1 << 16])
    with pytest.raises(TypeError):
        L.semctl(sems, 0, L.SEM_CMD.SETALL, 3)
    with pytest.raises(TypeError):
        L.semctl(sems, 0, L.SEM_CMD.SETVAL, None)
    with pytest.raises(TypeError):
        L.semctl(sems, 0, L.SEM_CMD.GETALL, [0, 0, 0])
    with pytest.raises(TypeError):
        L.semctl(sems, 0, L.IPC_CMD.SET)
    with pytest.raises(TypeError):
        L.semctl(sems, 0, L.SEM_CMD.GETVAL, 1)
    with pytest.raises(OverflowError):
        L.semop(sems, [(0, 1 << 15)])                     # sem_op is a short
    with pytest.raises(OverflowError):
        L.semop(sems, [(-1, 1)])
    with pytest.raises(TypeError):
        L.semop(sems, [5])
    assert L.semctl(sems, 0, "getall") == [0, 0, 0]
    if not EMULATED:  # qemu-user answers an unknown command itself
        raises_errno(errno.EINVAL, L.semctl, sems, 0, 9999)
    raises_errno(errno.EINVAL, L.semget, L.IPC.PRIVATE, -1, L.IPC.CREAT)


def test_sem_removed_and_as_nobody():
    s = L.semget(L.IPC.PRIVATE, 1, L.IPC.CREAT | 0o600)
    try:
        def alter():
            raises_errno(errno.EACCES, L.semop, s, [(0, 1)])
            raises_errno(errno.EACCES, L.semctl, s, 0, L.SEM_CMD.GETVAL)
            raises_errno(errno.EPERM, L.semctl, s, 0, L.IPC_CMD.RMID)
        assert as_nobody(alter) == 0
    finally:
        L.semctl(s, 0, L.IPC_CMD.RMID)
    raises_errno(errno.EINVAL, L.semop, s, [(0, 1)])
    raises_errno(errno.EINVAL, L.semctl, s, 0, L.IPC_CMD.STAT)


# ---- i686: the ipc(2) multiplexer ------------------------------------------------------------

def test_force_multiplexer_is_a_no_op_elsewhere():
    import linuxsys.ipc
    if L.ARCH in ("i686", "i386"):
        pytest.skip("ipc(2) is i686's fallback: test_i686_ipc_multiplexer")
    try:
        assert linuxsys.ipc._force_multiplexer(True) is False
    finally:
        linuxsys.ipc._force_multiplexer(False)


@pytest.mark.skipif(L.ARCH not in ("i686", "i386"), reason="ipc(2) is the i686 fallback")
def test_i686_ipc_multiplexer():
    """Every call through ipc(2), as on kernels before Linux 5.1 (IPC_64 structs, the msgrcv
    kludge, semtimedop's 32-bit timespec)."""
    import linuxsys.ipc
    assert linuxsys.ipc._force_multiplexer(True)
    try:
        q = L.msgget(L.IPC.PRIVATE, L.IPC.CREAT | 0o600)
        try:
            L.msgsnd(q, 3, b"via ipc(2)")
            ds = L.msgctl(q, L.IPC_CMD.STAT)
            assert (ds.msg_qnum, ds.msg_lspid, ds.msg_perm.mode & 0o777) == (1, os.getpid(), 0o600)
            assert abs(ds.msg_stime - time.time()) < 60
            assert L.msgrcv(q, 100, -5) == (3, b"via ipc(2)")
            assert L.msgctl(q, L.IPC_CMD.INFO)[1].msgmax > 0
        finally:
            L.msgctl(q, L.IPC_CMD.RMID)
        s = L.semget(L.IPC.PRIVATE, 2, L.IPC.CREAT | 0o600)
        try:
            L.semctl(s, 0, L.SEM_CMD.SETALL, [1, 2])
            L.semop(s, [(0, 1), (1, -1)])
            assert L.semctl(s, 0, "getall") == [2, 1]
            assert L.semctl(s, 1, L.SEM_CMD.GETPID) == os.getpid()
            raises_errno(errno.EAGAIN, L.semtimedop, s, [(1, -2)], 1_000_000)
            L.semtimedop(s, [(1, -1)], 1_000_000)
            ds = L.semctl(s, 0, L.IPC_CMD.STAT)
            assert ds.sem_nsems == 2 and abs(ds.sem_otime - time.time()) < 60
            L.semctl(s, 0, L.IPC_CMD.SET, ds.sem_perm._replace(mode=0o640))
            assert sysvipc("sem", s)["perms"] == 0o640
        finally:
            L.semctl(s, 0, L.IPC_CMD.RMID)
    finally:
        linuxsys.ipc._force_multiplexer(False)
