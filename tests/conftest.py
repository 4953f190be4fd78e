import errno
import gc
import os
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


@pytest.fixture(autouse=True)
def no_fd_leaks(request):
    """Every test must close what it opens (the GC-close tests close through the collector)."""
    before = _open_fds()
    yield
    gc.collect()
    leaked = _open_fds() - before
    if leaked:
        details = {fd: os.readlink(f"/proc/self/fd/{fd}") for fd in leaked
                   if os.path.exists(f"/proc/self/fd/{fd}")}
        pytest.fail(f"{request.node.nodeid} leaked fds: {details}")


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
