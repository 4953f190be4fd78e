import errno
import gc
import os
import signal
import sys

import pytest

EMULATED = os.environ.get("XARCH_EMULATED") == "1"


def is_open(n):
    """Whether fd number n is open (fstat, not a listing: listing /proc/self/fd opens an fd)."""
    try:
        os.fstat(n)
        return True
    except OSError:
        return False


def _open_fds():
    return set(os.listdir("/proc/self/fd"))


# Children made by fork (os.fork, linuxsys.clone: both run the interpreter's fork hooks) report
# their pid here, so a SysV object a test's child made is known as the test's after the child
# is gone.  Non-blocking: a child never waits on it; 4-byte writes are atomic.
_FORKS_R, _FORKS_W = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)


def _report_fork():
    try:
        os.write(_FORKS_W, os.getpid().to_bytes(4, sys.byteorder))
    except OSError:
        pass


os.register_at_fork(after_in_child=_report_fork)


def _forked():
    """Pids reported since the last call."""
    data = b""
    while True:
        try:
            chunk = os.read(_FORKS_R, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        data += chunk
    return {int.from_bytes(data[i:i + 4], sys.byteorder) for i in range(0, len(data) - 3, 4)}


def _children():
    """This process's children, alive or not yet reaped.  One waitid() answers the usual
    question (none); only when some exist are they listed from /proc."""
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return set()
    me = str(os.getpid())
    kids = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    stat = f.read().decode("ascii", "replace")
            except OSError:
                continue
            if stat[stat.rfind(")") + 2:].split()[1] == me:  # field 4, after "(comm) state"
                kids.add(int(pid))
    return kids


_SYSV_ID = {"shm": "shmid", "msg": "msqid", "sem": "semid"}


def _sysv():
    """{(kind, id): row} of /proc/sysvipc/{shm,msg,sem}."""
    out = {}
    for kind, id_col in _SYSV_ID.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        cols = lines[0].split() if lines else []
        for line in lines[1:]:
            row = dict(zip(cols, line.split()))
            if id_col in row:
                out[(kind, int(row[id_col]))] = row
    return out


def _sysv_creators(kind, ident, row):
    """The pids that tie a SysV object to a process.  Only shm records its creator (cpid);
    msg has the last sender and receiver, sem the last semop()'s pid (semctl GETPID)."""
    if kind == "shm":
        return {int(row["cpid"])}
    if kind == "msg":
        return {int(row["lspid"]), int(row["lrpid"])}
    import ctypes
    return {ctypes.CDLL(None).semctl(ident, 0, 11)}  # GETPID


def _sysv_remove(kind, ident):
    import ctypes
    libc = ctypes.CDLL(None)
    if kind == "shm":
        libc.shmctl(ident, 0, None)  # IPC_RMID
    elif kind == "msg":
        libc.msgctl(ident, 0, None)
    else:
        libc.semctl(ident, 0, 0)


@pytest.fixture(autouse=True)
def no_fd_leaks(request):
    """Every test must close what it opens (the GC-close tests close through the collector),
    reap the children it starts, and remove the SysV objects it (or its children) makes.
    A child still there is killed and reaped, an object removed, and the test fails."""
    before = _open_fds()
    kids_before = _children()
    sysv_before = _sysv()
    _forked()
    yield
    gc.collect()
    problems = []
    leaked = _open_fds() - before
    if leaked:
        details = {fd: os.readlink(f"/proc/self/fd/{fd}") for fd in leaked
                   if os.path.exists(f"/proc/self/fd/{fd}")}
        problems.append(f"leaked fds: {details}")
    forked = _forked()
    kids = _children() - kids_before
    if kids:
        for pid in kids:  # this process's own children, started by this test
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
        problems.append(f"left child processes {sorted(kids)} (now killed and reaped)")
    ours = {os.getpid()} | forked | kids
    new = {k: row for k, row in _sysv().items() if k not in sysv_before}
    mine = [k for k, row in new.items() if _sysv_creators(*k, row) & ours]
    if mine:
        for kind, ident in mine:
            _sysv_remove(kind, ident)
        problems.append(f"left SysV objects {sorted(mine)} (now removed)")
    if problems:
        pytest.fail(f"{request.node.nodeid}: " + "; ".join(problems))


def qemu_may_lack(fn, *args, **kwargs):
    """Call fn; under qemu-user (XARCH_EMULATED=1) skip if it answers ENOSYS.  Natively the
    call must work: an UnsupportedError there fails the test."""
    import linuxsys
    try:
        return fn(*args, **kwargs)
    except linuxsys.UnsupportedError as e:
        if EMULATED:
            pytest.skip(f"qemu-user lacks {e.syscall}")
        raise


def raises_errno(code, fn, *args, **kwargs):
    """Call fn, assert it raises OSError ``code`` (and the subclass os would), return it.
    Under qemu-user a missing syscall skips instead."""
    import linuxsys
    with pytest.raises(OSError) as ei:
        fn(*args, **kwargs)
    if EMULATED and isinstance(ei.value, linuxsys.UnsupportedError):
        pytest.skip(f"qemu-user lacks {ei.value.syscall}")
    assert ei.value.errno == code, ei.value
    expected = type(OSError(code, "x"))
    closed = [a for a in (*args, *kwargs.values(), getattr(fn, "__self__", None))
              if isinstance(a, linuxsys.Fd) and a.closed]
    if code == errno.EBADF and closed:  # a closed Fd is refused before any syscall
        expected = linuxsys.ClosedFdError
    assert type(ei.value) is expected, ei.value
    return ei.value


def cloexec(fd):
    """Whether fd (a number or anything with fileno()) is close-on-exec, asked through fcntl."""
    import fcntl
    return bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)


def dead_pid():
    """The pid of a child that has exited and been reaped."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def requires_root():
    return pytest.mark.skipif(os.geteuid() != 0, reason="needs root")


def in_child(fn, *args):
    """Run fn(*args) in a forked child; return its exit status (0 when fn returns normally).

    For calls that change process state for good (uid changes, chroot)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fn(*args)
            code = 0
        except BaseException as e:  # report, then leave without running pytest's cleanup
            sys.stderr.write(f"child failed: {e!r}\n")
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def child_ok(fn, *args):
    """Run fn(*args) in a forked child and assert it returned normally."""
    assert in_child(fn, *args) == 0


def as_nobody(fn, *args):
    """Run fn(*args) as uid/gid 65534 in a child: how EACCES paths are reached when root."""
    def drop():
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        fn(*args)
    return in_child(drop)


def _userns_refused():
    """Why a child cannot unshare(CLONE_NEWUSER) here (None: it can): qemu-user answers EINVAL
    (its process has threads of its own), a chroot EPERM (as in the xarch roots: the kernel
    refuses it to a process whose root is not its mount namespace's)."""
    import ctypes
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        err = 0 if libc.unshare(0x10000000) == 0 else ctypes.get_errno()  # CLONE_NEWUSER
        os.write(w, err.to_bytes(4, sys.byteorder))
        os._exit(0)
    os.close(w)
    err = int.from_bytes(os.read(r, 4), sys.byteorder)
    os.close(r)
    os.waitpid(pid, 0)
    return None if not err else f"{errno.errorcode.get(err, err)} {os.strerror(err)}"


USERNS_REFUSED = _userns_refused()
needs_userns = pytest.mark.skipif(
    USERNS_REFUSED is not None,
    reason=f"the kernel refuses a child unshare(CLONE_NEWUSER) here: {USERNS_REFUSED} "
           "(qemu-user's threads: EINVAL; a chroot such as the xarch roots: EPERM)")
