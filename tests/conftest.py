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


@pytest.fixture
def pipe():
    """A pipe's (read end, write end) as os.pipe gives them, closed after the test."""
    r, w = os.pipe()
    yield r, w
    os.close(r)
    os.close(w)


def record_native_calls(monkeypatch, *modules):
    """Wrap every native helper the modules hold so that the list returned records, by name,
    each call that reached C (cffi refusing an argument that does not fit its C type does
    not): the hardening tests' check that a bad argument is refused before any syscall."""
    calls = []
    for module in modules:
        for name, fn in list(vars(module).items()):
            if getattr(fn, "__name__", "").startswith("ls_"):
                def counted(*args, _fn=fn, _name=fn.__name__):
                    r = _fn(*args)
                    calls.append(_name)
                    return r
                monkeypatch.setattr(module, name, counted)
    return calls


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


def _leave_chroot():
    """Make this process's root directory the root of a mount namespace of its own.

    The kernel refuses unshare(CLONE_NEWUSER) (EPERM) to a process whose root is not its mount
    namespace's root, which is where the xarch roots run the suite natively on i686: chroot(1)
    into the i686 tree.  As root, leave the chroot the way chroot(2) describes (chroot into a
    subdirectory, climb ".." from the old root to the real one), then, in a new mount namespace,
    bind the old root's tree on itself and pivot_root into it: the same files, now a root."""
    import linuxsys as L
    with L.open("/", L.O.PATH | L.O.DIRECTORY) as old_root:
        os.fchdir(old_root)
        os.chroot("/usr")  # the working directory stays at the old root, outside the new one
        while os.stat(".")[1:3] != os.stat("..")[1:3]:  # (st_ino, st_dev): "/" is its own ".."
            os.chdir("..")
        os.chroot(".")
        os.fchdir(old_root)
    tree = os.getcwd()  # the old root, as the real root names it
    before = os.readlink("/proc/self/ns/mnt")
    L.unshare(L.CLONE.NEWNS)
    assert os.readlink("/proc/self/ns/mnt") != before
    L.mount(None, "/", None, L.MS.REC | L.MS.PRIVATE)
    L.mount(tree, tree, None, L.MS.BIND | L.MS.REC)
    os.chdir(tree)
    L.pivot_root(".", ".")
    L.umount2(".", L.MNT.DETACH)  # the real root, stacked under the new one
    os.chdir("/")


def _userns_refused():
    """How a child can unshare(CLONE_NEWUSER) here: (None, False) directly, (None, True) after
    _leave_chroot, or (why not, False): qemu-user answers EINVAL (its process has threads of its
    own), a chroot EPERM where not root."""
    import ctypes

    def probe():
        libc = ctypes.CDLL(None, use_errno=True)
        return 0 if libc.unshare(0x10000000) == 0 else ctypes.get_errno()  # CLONE_NEWUSER

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:  # this child never returns into pytest
            err, unchroot = probe(), 0
            if err == errno.EPERM and os.geteuid() == 0:
                try:
                    _leave_chroot()
                    err, unchroot = probe(), 1
                except (OSError, AssertionError):
                    pass
            os.write(w, bytes([unchroot]) + err.to_bytes(4, sys.byteorder))
        finally:
            os._exit(0)
    os.close(w)
    said = os.read(r, 5)
    os.close(r)
    os.waitpid(pid, 0)
    if len(said) < 5:
        return "the probe's child failed", False
    err = int.from_bytes(said[1:], sys.byteorder)
    if err:
        return f"{errno.errorcode.get(err, err)} {os.strerror(err)}", False
    return None, bool(said[0])


USERNS_REFUSED, _UNCHROOT = _userns_refused()


def userns_ready():
    """Call in a child first thing before it unshares CLONE_NEWUSER: where the suite runs in a
    chroot (the xarch roots), the child leaves it (_leave_chroot).  Nothing elsewhere."""
    if _UNCHROOT:
        _leave_chroot()


needs_userns = pytest.mark.skipif(
    USERNS_REFUSED is not None,
    reason=f"the kernel refuses a child unshare(CLONE_NEWUSER) here: {USERNS_REFUSED} "
           "(qemu-user's threads: EINVAL)")
