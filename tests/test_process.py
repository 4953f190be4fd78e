"""The process family against the real kernel: os, resource, signal and /proc as oracles.

Children made with L.clone/clone3 run their checks and leave with os._exit (child_exit), so a
failure there shows as an exit status, never as a second pytest.  State changes for good
(limits, priorities, personality, membarrier registration) happen in children.
"""
import contextlib
import gc
import ctypes
import errno
import importlib.util
import os
import re
import resource
import signal
import struct
import sys
import threading
import time
import traceback

import pytest

import linuxsys as L
from linuxsys import _core, process
from linuxsys._native import lib
from conftest import (EMULATED, as_nobody, child_ok, cloexec, dead_pid, in_child, qemu_may_lack,
                      raises_errno, record_native_calls, requires_root)

SIGINFO_SIZE = 128
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PRIVATE = L.MAP.PRIVATE | L.MAP.ANONYMOUS
PR_GET_TID_ADDRESS = 40

# What os.register_at_fork hooks saw: registered once for this process (there is no way to
# unregister), harmless for every other fork of the test run.
FORK_EVENTS = []
os.register_at_fork(before=lambda: FORK_EVENTS.append("before"),
                    after_in_parent=lambda: FORK_EVENTS.append("parent"),
                    after_in_child=lambda: FORK_EVENTS.append("child"))


def child_exit(body, *args):
    """In a clone()d child: run body, leave with its result (None: 0), 1 on an exception."""
    code = 1
    try:
        code = body(*args) or 0
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def no_child(fn):
    """fn for a clone that must fail: should it make a child after all, that child leaves at
    once instead of running the rest of the test session."""
    def call(*args, **kwargs):
        r = fn(*args, **kwargs)
        if r == 0 or r == (0, None):
            os._exit(99)
        return r
    return call


def exit_code(pid, options=0):
    _, status = os.waitpid(pid, options)
    return os.waitstatus_to_exitcode(status)


@contextlib.contextmanager
def sleeper():
    """A forked child blocked on a pipe until the block ends; yields its pid, reaps it."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    os.close(r)
    try:
        yield pid
    finally:
        os.close(w)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


@contextlib.contextmanager
def blocked(sig):
    """sig blocked in this thread, and whatever of it is pending consumed at the end."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, [sig])
    try:
        yield
    finally:
        while signal.sigtimedwait([sig], 0) is not None:
            pass
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def fork_flags(flags, fn, *args):
    """fn(*args); under qemu-user, whose fork emulation takes no clone flag but the tid ones
    and no exit signal but SIGCHLD, skip on EINVAL."""
    try:
        return qemu_may_lack(fn, *args)
    except OSError as e:
        if EMULATED and e.errno == errno.EINVAL:
            pytest.skip(f"qemu-user's clone refuses {flags}")
        raise


def tid_word_is_mine():
    """Whether the word at this thread's clear_child_tid address (glibc's cached tid) is this
    thread's tid.  qemu-user lacks PR_GET_TID_ADDRESS: True there."""
    address = ctypes.c_uint64(0)
    try:
        L.syscall(L.SYS.prctl, PR_GET_TID_ADDRESS, ctypes.addressof(address))
    except OSError as e:
        if EMULATED and e.errno == errno.EINVAL:
            return True
        raise
    return ctypes.c_int.from_address(address.value).value == L.gettid()


def free_pid():
    """A pid no process has now (from the top of the range, where pids are rarely in use)."""
    with open("/proc/sys/kernel/pid_max") as f:
        top = int(f.read())
    return next(p for p in range(top - 1, 300, -1) if not os.path.exists(f"/proc/{p}"))


# ---- ids -----------------------------------------------------------------------------------

def test_ids_match_os():
    assert L.getpid() == os.getpid()
    assert L.getppid() == os.getppid()
    assert L.gettid() == threading.get_native_id()
    assert (L.getuid(), L.geteuid(), L.getgid(), L.getegid()) == (
        os.getuid(), os.geteuid(), os.getgid(), os.getegid())


# The getters cdefs/core.c lets keep the GIL, as os.getpid and time.clock_gettime_ns keep it.
CDEFS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "cdefs")
KEPT_GIL = ["getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid",
            "clock_gettime", "clock_getres", "gettimeofday", "epoll_poll0"]


def test_getters_keep_the_gil():
    """Issue 8: a thread waiting for the GIL never runs while they are called back to back
    (the switch interval, 100 s, cannot end during the loop); only join() lets it."""
    lock = threading.Lock()
    lock.acquire()
    ran = []
    t = threading.Thread(target=lambda: (lock.acquire(), ran.append(1)))
    old = sys.getswitchinterval()
    sys.setswitchinterval(100)
    ep = L.Epoll()  # made before: epoll_create1 releases the GIL, and so does close
    events = L.ffi.new("uint64_t[]", 2)
    calls = [(getattr(lib, "ls_" + name),
              (time.CLOCK_MONOTONIC,) if name.startswith("clock") else
              (ep.fileno(), events, 1) if name.startswith("epoll") else ()) for name in KEPT_GIL]
    try:
        t.start()  # blocks in lock.acquire(), the GIL released
        lock.release()  # now it waits for the GIL alone
        for fn, args in calls:
            for _ in range(200):
                assert fn(*args) >= 0
        assert ran == []
    finally:
        ep.close()
        sys.setswitchinterval(old)
        t.join()
    assert ran == [1]


@pytest.mark.skipif(not os.path.isdir(CDEFS), reason="needs the source checkout (build_ffi.py)")
def test_kept_gil_wrappers_use_the_overridden_macros(tmp_path):
    """cdefs/core.c redefines Py_BEGIN/END_ALLOW_THREADS ahead of the wrappers cffi generates:
    they must still use those macros, and the list there name these getters only."""
    with open(os.path.join(CDEFS, "core.c")) as f:
        assert re.findall(r'LS_KEEPS\("(\w+)"\)', f.read()) == KEPT_GIL
    spec = importlib.util.spec_from_file_location(
        "build_ffi", os.path.join(os.path.dirname(CDEFS), "build_ffi.py"))
    build_ffi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_ffi)
    build_ffi.ffibuilder.emit_c_code(str(tmp_path / "native.c"))
    src = (tmp_path / "native.c").read_text()
    override = src.index("#define Py_BEGIN_ALLOW_THREADS")
    for name in KEPT_GIL + ["read"]:
        start = src.index(f"_cffi_f_ls_{name}(PyObject")
        body = src[start:src.index("\n}\n", start)]
        assert start > override
        assert "Py_BEGIN_ALLOW_THREADS" in body and "Py_END_ALLOW_THREADS" in body, name


# ---- clone ---------------------------------------------------------------------------------

def test_clone_is_a_fork():
    before = len(FORK_EVENTS)
    pid = L.clone()
    if pid == 0:
        def check():
            assert L.getppid() == os.getppid() != L.getpid() == os.getpid()
            assert FORK_EVENTS[before:] == ["before", "child"]
            assert tid_word_is_mine()  # glibc's cached tid is the child's own
            return 7
        child_exit(check)
    assert FORK_EVENTS[before:] == ["before", "parent"]
    rpid, status, ru = L.wait4(pid)
    assert rpid == pid and L.WIFEXITED(status) and L.WEXITSTATUS(status) == 7
    assert isinstance(ru, L.Rusage)


@requires_root()
def test_clone_new_pid_and_mount_namespace_is_a_sane_python():
    """The child is pid 1 of its namespace, its at-fork hooks ran, threading is reset."""
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    mnt = os.readlink("/proc/self/ns/mnt")
    before = len(FORK_EVENTS)
    try:
        pid = fork_flags("NEWPID|NEWNS", L.clone, L.CLONE.NEWPID | L.CLONE.NEWNS)
        if pid == 0:
            def check():
                assert L.getpid() == os.getpid() == 1
                assert L.getppid() == 0  # the parent lives outside the namespace
                assert FORK_EVENTS[before:] == ["before", "child"]
                assert threading.current_thread() is threading.main_thread()
                assert threading.active_count() == 1  # the worker did not come along
                assert os.readlink("/proc/self/ns/mnt") != mnt
                assert tid_word_is_mine()
                t = threading.Thread(target=lambda: None)  # threads work in the child
                t.start()
                t.join()
                return 42
            child_exit(check)
    finally:
        release.set()
        worker.join()
    _, status, _ = L.wait4(pid)
    assert os.waitstatus_to_exitcode(status) == 42
    assert FORK_EVENTS[before:] == ["before", "parent"]


@requires_root()
def test_clone_flags_as_a_string():
    uts = os.readlink("/proc/self/ns/uts")
    pid = fork_flags("NEWUTS|NEWIPC", L.clone, "newuts|CLONE_NEWIPC")
    if pid == 0:
        child_exit(lambda: 0 if os.readlink("/proc/self/ns/uts") != uts else 1)
    assert exit_code(pid) == 0


def test_clone_exit_signal_in_the_flags():
    pid = L.clone(signal.SIGCHLD)  # the default, given explicitly
    if pid == 0:
        child_exit(lambda: 1)
    assert exit_code(pid) == 1
    with blocked(signal.SIGUSR1):
        pid = fork_flags("an exit signal other than SIGCHLD", L.clone, signal.SIGUSR1)
        if pid == 0:
            child_exit(lambda: 2)
        raises_errno(errno.ECHILD, L.wait4, pid)  # not a SIGCHLD child
        _, status, _ = L.wait4(pid, L.W.ALL)
        assert L.WEXITSTATUS(status) == 2
        assert signal.SIGUSR1 in signal.sigpending()  # its exit signal


def test_clone_pidfd():
    r = fork_flags("PIDFD", L.clone, L.CLONE.PIDFD)
    if r[0] == 0:
        child_exit(lambda: 0 if r == (0, None) else 1)
    pid, pidfd = r
    with pidfd:
        assert isinstance(pidfd, L.Fd) and cloexec(pidfd)
        info = L.waitid(L.P.PIDFD, pidfd, L.W.EXITED)
    assert info.si_pid == pid and info.si_code == L.CLD.EXITED and info.si_status == 0


def test_clone_vfork_waits_for_the_child():
    r, w = os.pipe()
    try:
        pid = L.clone(L.CLONE.VFORK)
        if pid == 0:
            os.write(w, b"x")
            child_exit(lambda: 3)
        try:
            os.set_blocking(r, EMULATED)  # qemu-user's fork emulation drops VFORK
            assert os.read(r, 1) == b"x"  # written before clone returned here
        finally:
            code = exit_code(pid)
        assert code == 3
    finally:
        os.close(r)
        os.close(w)


def test_clone_parent_makes_a_sibling():
    r, w = os.pipe()
    me = os.getpid()

    def middle():
        try:
            pid = L.clone(L.CLONE.PARENT)
        except OSError as e:
            pid = -e.errno
        if pid == 0:
            child_exit(lambda: 5 if L.getppid() == me else 1)
        os.write(w, struct.pack("i", pid))
    try:
        assert in_child(middle) == 0
        sibling = struct.unpack("i", os.read(r, 4))[0]
    finally:
        os.close(r)
        os.close(w)
    if EMULATED and sibling == -errno.EINVAL:
        pytest.skip("qemu-user's clone refuses PARENT")
    assert exit_code(sibling) == 5  # our child now, not the middle one's


@pytest.mark.parametrize("name", ["VM", "THREAD", "SIGHAND", "SETTLS", "PARENT_SETTID",
                                  "CHILD_SETTID", "CHILD_CLEARTID"])
def test_clone_refuses_what_is_not_fork_like(name):
    flag = L.CLONE[name]
    before = len(FORK_EVENTS)
    with pytest.raises(ValueError, match="fork-like"):
        no_child(L.clone)(flag)
    with pytest.raises(ValueError, match="fork-like"):
        no_child(L.clone3)(flag | L.CLONE.NEWNS)
    assert lib.ls_clone(flag | signal.SIGCHLD, L.ffi.NULL) == -errno.EINVAL  # the C side too
    assert len(FORK_EVENTS) == before  # refused before any hook ran


def test_clone_argument_errors():
    with pytest.raises(ValueError, match="clone3 only"):
        no_child(L.clone)(L.CLONE.CLEAR_SIGHAND)
    with pytest.raises(ValueError):
        no_child(L.clone)(-1)
    with pytest.raises(ValueError, match="unknown CLONE"):
        no_child(L.clone)("newpid|bogus")
    with pytest.raises(ValueError, match="cgroup"):
        no_child(L.clone3)(L.CLONE.INTO_CGROUP)
    with pytest.raises(ValueError):
        no_child(L.clone3)(exit_signal=99)
    raises_errno(errno.EINVAL, no_child(L.clone), L.CLONE.NEWNS | L.CLONE.FS)  # the kernel's
    with pytest.raises(ValueError, match="exit signal"):
        no_child(L.clone)(99)  # the kernel's clone would take it


def test_clone_as_nobody_needs_privilege():
    def unprivileged():
        with pytest.raises(PermissionError):
            no_child(L.clone)(L.CLONE.NEWPID)
    if EMULATED:
        pytest.skip("qemu-user's clone refuses namespace flags with EINVAL")
    assert as_nobody(unprivileged) == 0


# ---- clone3 --------------------------------------------------------------------------------

def test_clone3_is_a_fork():
    before = len(FORK_EVENTS)
    pid = qemu_may_lack(L.clone3)
    if pid == 0:
        def check():
            assert FORK_EVENTS[before:] == ["before", "child"]
            assert L.getppid() == os.getppid()
            assert tid_word_is_mine()
            return 11
        child_exit(check)
    assert FORK_EVENTS[before:] == ["before", "parent"]
    assert exit_code(pid) == 11


@requires_root()
def test_clone3_new_pid_namespace_with_pidfd():
    r = qemu_may_lack(L.clone3, L.CLONE.NEWPID | L.CLONE.NEWNS | L.CLONE.PIDFD)
    if r[0] == 0:
        child_exit(lambda: 0 if (r, L.getpid(), os.getpid()) == ((0, None), 1, 1) else 1)
    pid, pidfd = r
    with pidfd:
        info = L.waitid(L.P.PIDFD, pidfd, L.W.EXITED)
    assert (info.si_pid, info.si_status, info.si_code) == (pid, 0, L.CLD.EXITED)


def test_clone3_without_exit_signal():
    pid = qemu_may_lack(L.clone3, 0, 0)
    if pid == 0:
        child_exit(lambda: 6)
    raises_errno(errno.ECHILD, L.wait4, pid)  # not a SIGCHLD child: only W.ALL/W.CLONE see it
    _, status, _ = L.wait4(pid, L.W.ALL)
    assert L.WEXITSTATUS(status) == 6


def test_clone3_exit_signal_by_name():
    pid = qemu_may_lack(L.clone3, exit_signal="SIGCHLD")
    if pid == 0:
        child_exit(lambda: 2)
    assert exit_code(pid) == 2


@requires_root()
def test_clone3_set_tid():
    want = free_pid()
    pid = qemu_may_lack(L.clone3, set_tid=[want])
    if pid == 0:
        child_exit(lambda: 0 if os.getpid() == want else 1)
    assert pid == want
    assert exit_code(pid) == 0
    raises_errno(errno.EEXIST, no_child(L.clone3), set_tid=[os.getpid()])
    raises_errno(errno.EINVAL, no_child(L.clone3), set_tid=[want] * 40)  # deeper than 32 levels


def _cgroup2_mount():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[fields.index("-") + 1] == "cgroup2":
                return fields[4]
    return None


@pytest.fixture
def cgroup(tmp_path):
    """A fresh cgroup v2 directory (the host's hierarchy, or one mounted for the test)."""
    mounted = None
    root = _cgroup2_mount()
    if root is None:
        mounted = tmp_path / "cgroup2"
        mounted.mkdir()
        L.syscall(L.SYS.mount, b"none", bytes(mounted), b"cgroup2", 0, None)
        root = str(mounted)
    path = os.path.join(root, f"linuxsys-test-{os.getpid()}")
    os.mkdir(path)
    try:
        yield path
    finally:
        os.rmdir(path)
        if mounted is not None:
            L.syscall(L.SYS.umount2, bytes(mounted), 0)


@requires_root()
def test_clone3_into_cgroup(cgroup):
    relative = "/" + os.path.basename(cgroup)

    def check():
        with open("/proc/self/cgroup") as f:
            line = next(ln for ln in f if ln.startswith("0::"))
        return 0 if line.strip().endswith(relative) else 1
    with L.open(cgroup, L.O.DIRECTORY | L.O.PATH) as fd:
        pid = qemu_may_lack(L.clone3, cgroup=fd)
        if pid == 0:
            child_exit(check)
        assert exit_code(pid) == 0
    with pytest.warns(ResourceWarning):  # a temporary Fd, the only reference: open for the call
        pid = L.clone3(cgroup=L.open(cgroup, L.O.DIRECTORY | L.O.PATH))
        if pid == 0:
            child_exit(check)
        gc.collect()
    assert exit_code(pid) == 0
    raises_errno(errno.EBADF, no_child(L.clone3), cgroup=1 << 20)
    with L.open("/", L.O.DIRECTORY) as not_a_cgroup:
        raises_errno(errno.EBADF, no_child(L.clone3), cgroup=not_a_cgroup)


def test_clone3_as_nobody_needs_privilege():
    def unprivileged():
        with pytest.raises(PermissionError):
            no_child(L.clone3)(L.CLONE.NEWNET)
        with pytest.raises(PermissionError):
            no_child(L.clone3)(set_tid=[free_pid()])
    if EMULATED:
        pytest.skip("qemu-user lacks clone3")
    assert as_nobody(unprivileged) == 0


# ---- exec and exit -------------------------------------------------------------------------

def test_execve():
    assert in_child(L.execve, "/bin/sh", ["sh", "-c", "exit 7"], {}) == 7
    env_check = ["sh", "-c", 'test "$GREETING" = "hi there" && test -z "$HOME"']
    assert in_child(L.execve, "/bin/sh", env_check, {"GREETING": "hi there"}) == 0
    assert in_child(L.execve, b"/bin/sh", env_check, [b"GREETING=hi there"]) == 0
    assert in_child(L.execve, "/bin/sh", ["sh", "-c", "exit 1"], os.environ) == 1


def test_execve_errors(tmp_path):
    e = raises_errno(errno.ENOENT, L.execve, tmp_path / "missing", ["x"], {})
    assert e.filename == str(tmp_path / "missing")
    script = tmp_path / "not-executable"
    script.write_text("#!/bin/sh\n")
    raises_errno(errno.EACCES, L.execve, script, ["x"], {})
    raises_errno(errno.EACCES, L.execve, tmp_path, ["x"], {})
    with pytest.raises(ValueError, match="empty"):
        L.execve("/bin/sh", [], {})
    with pytest.raises(ValueError, match="first element"):
        L.execve("/bin/sh", [""], {})
    with pytest.raises(TypeError):
        L.execve("/bin/sh", "sh", {})
    with pytest.raises(ValueError, match="null"):
        L.execve("/bin/sh", ["sh", "a\0b"], {})
    with pytest.raises(ValueError, match="environment variable name"):
        L.execve("/bin/sh", ["sh"], {"A=B": "c"})
    with pytest.raises(ValueError, match="environment variable name"):
        L.execve("/bin/sh", ["sh"], {"": "c"})


def test_execveat_memfd_and_dirfd():
    with L.open("/bin", L.O.DIRECTORY) as bindir:
        raises_errno(errno.EINVAL, L.execveat, bindir, "sh", ["sh"], {}, 0x4000)  # first: qemu
        raises_errno(errno.ENOENT, L.execveat, bindir, "no-such-program", ["x"], {})
        assert in_child(L.execveat, bindir, "sh", ["sh", "-c", "exit 8"], {}) == 8
    raises_errno(errno.EBADF, L.execveat, bindir, "sh", ["sh"], {})  # a closed Fd
    raises_errno(errno.EBADF, L.execveat, 1 << 20, "sh", ["sh"], {})
    with open("/bin/sh", "rb") as f:
        program = f.read()
    with L.memfd_create("sh") as memfd:  # close-on-exec: fine for an ELF program
        L.write(memfd, program)
        assert in_child(L.execveat, memfd, "", ["sh", "-c", "exit 9"], {}, L.AT.EMPTY_PATH) == 9
        assert in_child(memfd.execveat, "", ["sh", "-c", "exit 4"], {}, "empty_path") == 4


def test_exit_group():
    assert in_child(L.exit_group, 5) == 5

    def with_a_thread():
        threading.Thread(target=threading.Event().wait, daemon=False).start()
        L.exit_group(3)  # ends the blocked thread too
    assert in_child(with_a_thread) == 3


# ---- wait4 and the status helpers ---------------------------------------------------------

def test_wait4_status_and_rusage_match_resource():
    pid = os.fork()
    if pid == 0:
        sum(range(2_000_000))  # some user time
        os._exit(3)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    rpid, status, ru = L.wait4(pid)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert rpid == pid and os.waitstatus_to_exitcode(status) == 3
    # a reaped child's usage is what RUSAGE_CHILDREN grows by
    for field in ("ru_minflt", "ru_majflt", "ru_nvcsw", "ru_nivcsw", "ru_inblock", "ru_oublock"):
        assert getattr(ru, field) == getattr(after, field) - getattr(before, field), field
    assert ru.ru_utime == pytest.approx(after.ru_utime - before.ru_utime, abs=2e-6)
    assert ru.ru_stime == pytest.approx(after.ru_stime - before.ru_stime, abs=2e-6)
    assert ru.ru_utime > 0 and 0 < ru.ru_maxrss <= after.ru_maxrss
    assert ru.ru_utime_ns == round(ru.ru_utime * 1e6) * 1000
    assert ru.ru_stime_ns == round(ru.ru_stime * 1e6) * 1000
    assert tuple(ru)[:16] == tuple(ru[:16]) and len(ru) == 18


def test_wait4_nohang_stopped_continued_signaled():
    with sleeper() as pid:
        assert L.wait4(pid, L.W.NOHANG)[:2] == (0, 0)
        L.kill(pid, signal.SIGSTOP)
        _, status, _ = L.wait4(pid, L.W.UNTRACED)
        assert L.WIFSTOPPED(status) and L.WSTOPSIG(status) == signal.SIGSTOP
        assert os.WIFSTOPPED(status) and not L.WIFEXITED(status)
        L.kill(pid, "SIGCONT")
        _, status, _ = L.wait4(pid, "continued")
        assert L.WIFCONTINUED(status) and os.WIFCONTINUED(status)
        L.kill(pid, signal.SIGKILL)
        rpid, status, _ = L.wait4(pid)
        assert rpid == pid
        assert L.WIFSIGNALED(status) and L.WTERMSIG(status) == signal.SIGKILL
        assert not L.WCOREDUMP(status) and not L.WIFEXITED(status)


def test_wait4_errors():
    raises_errno(errno.ECHILD, L.wait4, dead_pid())
    raises_errno(errno.ECHILD, L.wait4, os.getppid())
    raises_errno(errno.EINVAL, L.wait4, -1, 1 << 20)
    with pytest.raises(ValueError):
        L.wait4(-1, "nohang|bogus")


def test_status_helpers_match_os():
    statuses = [hi << 8 | lo for hi in (0, 1, 7, 0x7F, 0x80, 0xFF) for lo in range(256)]
    pairs = [(L.WIFEXITED, os.WIFEXITED), (L.WEXITSTATUS, os.WEXITSTATUS),
             (L.WIFSIGNALED, os.WIFSIGNALED), (L.WTERMSIG, os.WTERMSIG),
             (L.WIFSTOPPED, os.WIFSTOPPED), (L.WSTOPSIG, os.WSTOPSIG),
             (L.WCOREDUMP, os.WCOREDUMP), (L.WIFCONTINUED, os.WIFCONTINUED)]
    for status in statuses + [0xFFFF]:
        for ours, theirs in pairs:
            assert ours(status) == theirs(status), (ours.__name__, hex(status))


def test_wait_namespaces_match_os():
    for name in ("WNOHANG", "WUNTRACED", "WSTOPPED", "WEXITED", "WCONTINUED", "WNOWAIT"):
        assert getattr(L, name) == L.W[name[1:]] == getattr(os, name), name
    assert (L.W.NOTHREAD, L.W.ALL, L.W.CLONE) == (0x20000000, 0x40000000, 0x80000000)
    for name in ("P_ALL", "P_PID", "P_PGID", "P_PIDFD"):
        assert getattr(L, name) == L.P[name[2:]] == getattr(os, name), name
    for name in ("CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED",
                 "CLD_CONTINUED"):
        assert L.CLD[name[4:]] == getattr(os, name), name


# ---- waitid --------------------------------------------------------------------------------

def _exiting_child(code):
    pid = os.fork()
    if pid == 0:
        os._exit(code)
    return pid


def test_waitid_matches_os():
    pid = _exiting_child(4)
    theirs = os.waitid(os.P_PID, _exiting_child(4), os.WEXITED)
    ours = L.waitid(L.P.PID, pid, L.W.EXITED)
    assert isinstance(ours, L.WaitidResult)
    assert ours.si_pid == pid
    assert ours[1:] == (theirs.si_uid, theirs.si_signo, theirs.si_status, theirs.si_code)
    assert ours[1:] == (os.getuid(), signal.SIGCHLD, 4, L.CLD.EXITED)


def test_waitid_nohang_nowait_killed_and_pidfd():
    with sleeper() as pid:
        assert L.waitid(L.P.PID, pid, L.W.EXITED | L.W.NOHANG) is None
        assert L.waitid("all", 0, "exited|nohang") is None
        L.kill(pid, signal.SIGTERM)
        info = L.waitid(L.P.ALL, 0, L.W.EXITED | L.W.NOWAIT)  # leaves it waitable
        assert (info.si_pid, info.si_code, info.si_status) == (pid, L.CLD.KILLED, signal.SIGTERM)
        with qemu_may_lack(L.pidfd_open, pid) as pidfd:
            assert L.waitid(L.P.PIDFD, pidfd, L.W.EXITED) == info
    with sleeper() as pid:
        os.kill(pid, signal.SIGSTOP)
        info = L.waitid(L.P.PID, pid, L.W.STOPPED)
        assert (info.si_code, info.si_status) == (L.CLD.STOPPED, signal.SIGSTOP)
        os.kill(pid, signal.SIGCONT)
        info = L.waitid(L.P.PID, pid, L.W.CONTINUED)
        assert (info.si_code, info.si_status) == (L.CLD.CONTINUED, signal.SIGCONT)


def test_waitid_errors():
    raises_errno(errno.ECHILD, L.waitid, L.P.PID, dead_pid(), L.W.EXITED)
    raises_errno(errno.EINVAL, L.waitid, L.P.ALL, 0, 0)  # neither EXITED, STOPPED nor CONTINUED
    raises_errno(errno.EINVAL, L.waitid, 99, 0, L.W.EXITED)
    with sleeper() as pid:
        pidfd = qemu_may_lack(L.pidfd_open, pid)
        number = pidfd.fd
        pidfd.close()
        raises_errno(errno.EBADF, L.waitid, L.P.PIDFD, pidfd, L.W.EXITED)  # a closed Fd
        raises_errno(errno.EBADF, L.waitid, L.P.PIDFD, number, L.W.EXITED)
        with L.open("/dev/null") as notpidfd:
            raises_errno(errno.EBADF, L.waitid, L.P.PIDFD, notpidfd, L.W.EXITED)


# ---- pidfds --------------------------------------------------------------------------------

def _siginfo(signo, code, pid, uid, value):
    """A siginfo_t: si_signo, si_errno, si_code, then the union (pointer-aligned) as _rt."""
    head = struct.pack("=iii", signo, 0, code)
    head += bytes(-len(head) % struct.calcsize("P"))
    body = struct.pack("@iIP", pid, uid, value)
    return head + body + bytes(SIGINFO_SIZE - len(head) - len(body))


def test_pidfd_open_send_signal_waitid():
    with sleeper() as pid:
        with qemu_may_lack(L.pidfd_open, pid) as pidfd:
            assert cloexec(pidfd)
            L.pidfd_send_signal(pidfd, 0)  # alive
            pidfd.pidfd_send_signal("SIGTERM")
            info = L.waitid(L.P.PIDFD, pidfd, L.W.EXITED)
            assert (info.si_pid, info.si_code, info.si_status) == (
                pid, L.CLD.KILLED, signal.SIGTERM)
            raises_errno(errno.ESRCH, L.pidfd_send_signal, pidfd, signal.SIGTERM)  # reaped


def test_pidfd_open_nonblock():
    with sleeper() as pid:
        with qemu_may_lack(L.pidfd_open, pid, L.PIDFD.NONBLOCK) as pidfd:
            assert L.fcntl(pidfd, L.F.GETFL) & L.O.NONBLOCK
            raises_errno(errno.EAGAIN, L.waitid, L.P.PIDFD, pidfd, L.W.EXITED)


def test_pidfd_send_signal_with_siginfo():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
            os.write(w, b"r")
            info = signal.sigtimedwait([signal.SIGUSR1], 60)
            code = 0 if (info.si_code, info.si_pid, info.si_uid) == (-1, 4242, 77) else 2
        finally:
            os._exit(code)
    try:
        assert os.read(r, 1) == b"r"
        with qemu_may_lack(L.pidfd_open, pid) as pidfd:
            sigqueue = -1  # SI_QUEUE: a queued signal whose sender says who it is
            raises_errno(errno.EINVAL, L.pidfd_send_signal, pidfd, signal.SIGUSR1,
                         _siginfo(signal.SIGUSR2, sigqueue, 4242, 77, 5))  # signo mismatch
            raises_errno(errno.EPERM, L.pidfd_send_signal, pidfd, signal.SIGUSR1,
                         _siginfo(signal.SIGUSR1, 0, 4242, 77, 5))  # SI_USER: the kernel's
            L.pidfd_send_signal(pidfd, signal.SIGUSR1,
                                bytearray(_siginfo(signal.SIGUSR1, sigqueue, 4242, 77, 5)))
        assert exit_code(pid) == 0
    finally:
        os.close(r)
        os.close(w)
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)  # if the test failed before it was done
            os.waitpid(pid, 0)


def test_pidfd_errors():
    raises_errno(errno.ESRCH, qemu_may_lack, L.pidfd_open, dead_pid())
    raises_errno(errno.EINVAL, L.pidfd_open, os.getpid(), 0xFFFF)
    raises_errno(errno.EINVAL, L.pidfd_open, 0)
    with L.pidfd_open(os.getpid()) as pidfd:
        raises_errno(errno.EINVAL, L.pidfd_send_signal, pidfd, 0, None, 0xFFFF)
        raises_errno(errno.EINVAL, L.pidfd_getfd, pidfd, 0, 1)
        raises_errno(errno.EBADF, L.pidfd_getfd, pidfd, 1 << 20)
        with pytest.raises(ValueError, match="128 bytes"):
            L.pidfd_send_signal(pidfd, signal.SIGUSR1, b"short")
        with pytest.raises(ValueError):
            L.pidfd_send_signal(pidfd, 99)
    raises_errno(errno.EBADF, L.pidfd_send_signal, pidfd, 0)  # closed
    raises_errno(errno.EBADF, L.pidfd_getfd, pidfd, 0)
    with L.open("/dev/null") as notpidfd:
        raises_errno(errno.EBADF, L.pidfd_send_signal, notpidfd, 0)
        raises_errno(errno.EBADF, L.pidfd_getfd, notpidfd, 0)


def test_pidfd_getfd_takes_a_childs_fd():
    r, w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            memfd = os.memfd_create("linuxsys-getfd")
            os.write(memfd, b"from the child")
            os.write(w, struct.pack("i", memfd))
            os.read(go_r, 1)
        finally:
            os._exit(0)
    try:
        target = struct.unpack("i", os.read(r, 4))[0]
        with qemu_may_lack(L.pidfd_open, pid) as pidfd:
            with qemu_may_lack(L.pidfd_getfd, pidfd, target) as fd:
                assert cloexec(fd)
                assert os.readlink(f"/proc/self/fd/{fd.fd}").startswith("/memfd:linuxsys-getfd")
                assert os.pread(fd.fd, 100, 0) == b"from the child"
            with pidfd.pidfd_getfd(target) as fd:
                assert fd.fstat().st_size == 14
    finally:
        os.write(go_w, b"x")
        for n in (r, w, go_r, go_w):
            os.close(n)
        exit_code(pid)


def test_pidfd_getfd_as_nobody():
    def unprivileged():
        with L.pidfd_open(1) as init:  # opening needs no permission, taking its fds does
            raises_errno(errno.EPERM, L.pidfd_getfd, init, 0)
    if EMULATED:
        pytest.skip("under qemu-user the target is qemu's own process")
    assert as_nobody(unprivileged) == 0


# ---- kcmp, process_mrelease ----------------------------------------------------------------

def test_kcmp_files_and_tables():
    me = os.getpid()
    r, w = os.pipe()
    d = os.dup(r)
    try:
        assert L.kcmp(me, me, L.KCMP.FILE, r, d) is L.KcmpResult.EQUAL  # one open file
        order = L.kcmp(me, me, "file", r, w)
        assert order in (L.KcmpResult.LESS, L.KcmpResult.GREATER)
        assert L.kcmp(me, me, "file", w, r) == 3 - order  # the same order, seen from w
        for kind in ("VM", "FILES", "FS", "SIGHAND", "IO", "SYSVSEM"):
            assert L.kcmp(pid1=me, pid2=me, type=L.KCMP[kind]) == 0, kind
        with sleeper() as child:
            # the child's copy of r is the same open file; its tables are its own
            assert L.kcmp(me, child, L.KCMP.FILE, r, r) == L.KcmpResult.EQUAL
            for kind in ("VM", "FILES", "FS", "SIGHAND"):
                assert L.kcmp(me, child, kind) in (1, 2), kind
        raises_errno(errno.EBADF, L.kcmp, me, me, L.KCMP.FILE, r, _unused_fd())
        raises_errno(errno.ESRCH, L.kcmp, me, dead_pid(), L.KCMP.VM)
        raises_errno(errno.EINVAL, L.kcmp, me, me, 99)
    finally:
        for n in (r, w, d):
            os.close(n)


def _unused_fd():
    n = os.dup(0)
    os.close(n)
    return n


def test_kcmp_epoll_target():
    if EMULATED and struct.calcsize("P") == 4:
        pytest.skip("qemu-user hands kcmp's idx2 (a guest pointer here) to the kernel untranslated")
    me = os.getpid()
    r, w = os.pipe()
    try:
        with L.epoll_create1() as ep:
            L.epoll_ctl(ep, L.EPOLL_CTL.ADD, r, L.EPOLL.IN)
            # is my fd r the file registered in ep under number r (its first entry)?
            assert L.kcmp(me, me, L.KCMP.EPOLL_TFD, r, (ep.fd, r, 0)) == L.KcmpResult.EQUAL
            assert L.kcmp(me, me, "epoll_tfd", w, (ep.fd, r, 0)) in (1, 2)
            raises_errno(errno.ENOENT, L.kcmp, me, me, L.KCMP.EPOLL_TFD, r, (ep.fd, w, 0))
            raises_errno(errno.EINVAL, L.kcmp, me, me, L.KCMP.EPOLL_TFD, r, (w, r, 0))
    finally:
        os.close(r)
        os.close(w)


def test_kcmp_arguments():
    me = os.getpid()
    with pytest.raises(TypeError, match="EPOLL_TFD"):
        L.kcmp(me, me, L.KCMP.EPOLL_TFD, 0, 0)
    with pytest.raises(TypeError):
        L.kcmp(me, me, L.KCMP.EPOLL_TFD, 0, (0, 0))
    with pytest.raises(TypeError):
        L.kcmp(me, me, L.KCMP.FILE, 0, (0, 0, 0))
    with pytest.raises(OverflowError):
        L.kcmp(me, me, L.KCMP.FILE, -1, 0)
    with pytest.raises(OverflowError):  # the kernel would read fd 2**32 + 1 as fd 1
        L.kcmp(me, me, L.KCMP.FILE, 1, 2**32 + 1)
    with pytest.raises(OverflowError):
        L.kcmp(me, me, L.KCMP.EPOLL_TFD, 0, (0, -1, 0))
    with pytest.raises(OverflowError):
        L.kcmp(2**31, me, L.KCMP.VM)
    with pytest.raises(TypeError):
        L.kcmp(me, me, L.CLONE.VM)  # another namespace's member
    with pytest.raises(ValueError):
        L.kcmp(me, me, "nonsense")


def test_kcmp_needs_ptrace_access():
    if EMULATED:
        pytest.skip("under qemu-user pid 1 is qemu's own process")
    assert as_nobody(lambda: raises_errno(errno.EPERM, L.kcmp, os.getpid(), 1, L.KCMP.VM)) == 0


def test_process_mrelease_errors():
    with sleeper() as pid:
        with qemu_may_lack(L.pidfd_open, pid) as pidfd:
            raises_errno(errno.EINVAL, L.process_mrelease, pidfd)  # alive: nothing to reap
            raises_errno(errno.EINVAL, pidfd.process_mrelease, 1)  # no flags yet
    raises_errno(errno.EBADF, L.process_mrelease, pidfd)  # closed
    raises_errno(errno.EBADF, L.process_mrelease, _unused_fd())
    with L.open("/dev/null") as notpidfd:
        raises_errno(errno.EBADF, L.process_mrelease, notpidfd)
    with pytest.raises(OverflowError):
        L.process_mrelease(0, -1)


def test_process_mrelease_reaps_a_killed_child():
    with sleeper() as pid:
        with qemu_may_lack(L.pidfd_open, pid) as pidfd:
            L.pidfd_send_signal(pidfd, signal.SIGKILL)
            try:
                qemu_may_lack(L.process_mrelease, pidfd=pidfd, flags=0)  # its memory, freed now
            except ProcessLookupError:
                pass  # the dying child's own exit released its memory first: a race the kernel allows
            info = L.waitid(L.P.PIDFD, pidfd, L.W.EXITED)
            assert (info.si_code, info.si_status) == (L.CLD.KILLED, signal.SIGKILL)
            raises_errno(errno.ESRCH, L.process_mrelease, pidfd)  # reaped: no process left


# ---- kill, tgkill, tkill -------------------------------------------------------------------

def test_kill():
    with sleeper() as pid:
        assert L.kill(pid, 0) is None
        L.kill(pid, "TERM")
        _, status = os.waitpid(pid, 0)
        assert os.WTERMSIG(status) == signal.SIGTERM
    raises_errno(errno.ESRCH, L.kill, pid, 0)
    with pytest.raises(ValueError):
        L.kill(pid, 65)
    with pytest.raises(ValueError):
        L.kill(pid, "SIGBOGUS")
    with blocked(signal.SIGUSR1):
        L.kill(os.getpid(), signal.SIGUSR1)
        assert signal.SIGUSR1 in signal.sigpending()


def test_kill_as_nobody():
    def unprivileged():
        raises_errno(errno.EPERM, L.kill, 1, 0)
        L.kill(os.getpid(), 0)  # its own process: allowed
    assert as_nobody(unprivileged) == 0


def test_tgkill_and_tkill():
    for send in (lambda: L.tgkill(os.getpid(), L.gettid(), signal.SIGUSR2),
                 lambda: L.tkill(L.gettid(), "SIGUSR2")):
        with blocked(signal.SIGUSR2):
            send()
            assert signal.sigpending() == {signal.SIGUSR2}
    L.tgkill(os.getpid(), L.gettid(), 0)
    L.tkill(L.gettid(), 0)
    gone = dead_pid()
    raises_errno(errno.ESRCH, L.tgkill, os.getpid(), gone, 0)
    raises_errno(errno.ESRCH, L.tkill, gone, 0)
    raises_errno(errno.EINVAL, L.tgkill, 0, L.gettid(), 0)
    raises_errno(errno.EINVAL, L.tkill, 0, 0)
    with pytest.raises(ValueError):
        L.tgkill(os.getpid(), L.gettid(), 0x100)


def test_tgkill_another_thread():
    got = []
    ready = threading.Event()

    def target():
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
        got.append(L.gettid())
        ready.set()
        got.append(signal.sigwait([signal.SIGUSR1]))
    with blocked(signal.SIGUSR1):  # so that only the target thread can take it
        t = threading.Thread(target=target)
        t.start()
        ready.wait()
        L.tgkill(os.getpid(), got[0], signal.SIGUSR1)
        t.join()
    assert got[1] == signal.SIGUSR1


# ---- limits --------------------------------------------------------------------------------

def _rlim(value):
    return L.RLIM_INFINITY if value == resource.RLIM_INFINITY else value


def test_getrlimit_matches_resource():
    assert L.RLIM_INFINITY == 2**64 - 1
    for member in L.RLIMIT:
        assert L.getrlimit(member) == L.prlimit(os.getpid(), member.name.lower())
        if not hasattr(resource, "RLIMIT_" + member.name):  # LOCKS: /proc tells
            with open("/proc/self/limits") as f:
                line = next(ln for ln in f if ln.startswith("Max file locks"))
            assert L.getrlimit(member) == tuple(
                L.RLIM_INFINITY if v == "unlimited" else int(v) for v in line.split()[3:5])
            continue
        assert member == getattr(resource, "RLIMIT_" + member.name), member
        soft, hard = resource.getrlimit(member)
        assert L.getrlimit(member) == (_rlim(soft), _rlim(hard)), member


def test_setrlimit_in_a_child():
    def change():
        big = 2**40 + 4096  # past 32 bits
        assert L.setrlimit(L.RLIMIT.FSIZE, (big, L.RLIM_INFINITY)) is None
        assert resource.getrlimit(resource.RLIMIT_FSIZE) == (big, resource.RLIM_INFINITY)
        L.setrlimit("core", (0, -1))  # -1: resource's RLIM_INFINITY
        assert L.getrlimit(L.RLIMIT.CORE) == (0, L.RLIM_INFINITY)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        L.setrlimit(L.RLIMIT.NOFILE, (soft - 1, hard))
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (soft - 1, hard)
        raises_errno(errno.EINVAL, L.setrlimit, L.RLIMIT.NOFILE, (hard, hard - 1))  # soft > hard
    child_ok(change)


def test_prlimit_another_process():
    with sleeper() as pid:
        old = L.prlimit(pid, L.RLIMIT.NOFILE, (100, 200))
        assert old == tuple(_rlim(v) for v in resource.getrlimit(resource.RLIMIT_NOFILE))
        assert resource.prlimit(pid, resource.RLIMIT_NOFILE) == (100, 200)
        assert L.prlimit(pid, L.RLIMIT.NOFILE) == (100, 200)
        with open(f"/proc/{pid}/limits") as f:
            line = next(ln for ln in f if ln.startswith("Max open files"))
        assert line.split()[3:5] == ["100", "200"]


def test_rlimit_errors():
    raises_errno(errno.ESRCH, L.prlimit, dead_pid(), L.RLIMIT.NOFILE)
    raises_errno(errno.EINVAL, L.getrlimit, 99)
    with pytest.raises(ValueError):
        L.setrlimit(L.RLIMIT.CORE, (-2, 0))
    with pytest.raises(ValueError):
        L.setrlimit(L.RLIMIT.CORE, (0, 2**64))
    with pytest.raises(ValueError):
        L.getrlimit("bogus")

    def unprivileged():
        soft, hard = L.getrlimit(L.RLIMIT.NOFILE)
        raises_errno(errno.EPERM, L.setrlimit, L.RLIMIT.NOFILE, (soft, hard + 1))
        raises_errno(errno.EPERM, L.prlimit, 1, L.RLIMIT.NOFILE)  # init's: not ours to see
    assert as_nobody(unprivileged) == 0


# ---- getrusage -----------------------------------------------------------------------------

COUNTERS = ("ru_maxrss", "ru_minflt", "ru_majflt", "ru_inblock", "ru_oublock", "ru_nvcsw",
            "ru_nivcsw")


def _us(seconds):
    """resource's float seconds as the kernel's microseconds (its float is computed in x87
    precision on i686, so compare integers)."""
    return round(seconds * 1e6)


def test_getrusage_matches_resource():
    for ours_who, their_who in ((L.RUSAGE.SELF, resource.RUSAGE_SELF),
                                ("children", resource.RUSAGE_CHILDREN),
                                (L.RUSAGE.THREAD, resource.RUSAGE_THREAD)):
        before = resource.getrusage(their_who)
        ours = L.getrusage(ours_who)
        after = resource.getrusage(their_who)
        for field in COUNTERS:
            assert getattr(before, field) <= getattr(ours, field) <= getattr(after, field), field
        for field in ("ru_utime", "ru_stime"):
            ns = getattr(ours, field + "_ns")
            assert _us(getattr(before, field)) <= ns // 1000 <= _us(getattr(after, field)), field
            assert getattr(ours, field) == pytest.approx(ns / 1e9, abs=1e-12), field
        for field in ("ru_ixrss", "ru_idrss", "ru_isrss", "ru_nswap", "ru_msgsnd", "ru_msgrcv",
                      "ru_nsignals"):
            assert getattr(ours, field) == getattr(after, field) == 0, field
    assert L.RUSAGE.SELF == resource.RUSAGE_SELF and L.RUSAGE.CHILDREN == resource.RUSAGE_CHILDREN
    raises_errno(errno.EINVAL, L.getrusage, 99)


# ---- priorities ----------------------------------------------------------------------------

def test_getpriority_matches_os():
    for which in ("PRIO_PROCESS", "PRIO_PGRP", "PRIO_USER"):
        assert L.PRIO[which[5:]] == getattr(os, which)
        assert L.getpriority(L.PRIO[which[5:]], 0) == os.getpriority(getattr(os, which), 0)


@requires_root()
def test_setpriority_in_a_child():
    def change():
        assert L.setpriority(L.PRIO.PROCESS, 0, 7) is None
        assert L.getpriority("process", 0) == os.getpriority(os.PRIO_PROCESS, 0) == 7
        L.setpriority(L.PRIO.PROCESS, os.getpid(), -5)  # root may lower it: negative nice
        assert L.getpriority(L.PRIO.PROCESS, 0) == os.getpriority(os.PRIO_PROCESS, 0) == -5
        L.setpriority(L.PRIO.PROCESS, 0, 100)  # clamped
        assert L.getpriority(L.PRIO.PROCESS, 0) == 19
    child_ok(change)


def test_priority_errors():
    raises_errno(errno.EINVAL, L.getpriority, 99, 0)
    raises_errno(errno.EINVAL, L.setpriority, 99, 0, 0)
    raises_errno(errno.ESRCH, L.getpriority, L.PRIO.PROCESS, dead_pid())

    def unprivileged():
        raises_errno(errno.EACCES, L.setpriority, L.PRIO.PROCESS, 0, -1)  # below 0 needs root
        raises_errno(errno.EPERM, L.setpriority, L.PRIO.PROCESS, 1, 0)  # someone else's
    assert as_nobody(unprivileged) == 0


# ---- uname, sysinfo, getrandom, personality, getcpu ---------------------------------------

def test_uname_matches_os():
    u = L.uname()
    assert isinstance(u, L.Uname)
    assert tuple(u[:5]) == tuple(os.uname())
    with open("/proc/sys/kernel/domainname") as f:
        assert u.domainname == f.read().strip()


def _meminfo():
    with open("/proc/meminfo") as f:
        return {line.split(":")[0]: int(line.split()[1]) * 1024 for line in f}


def test_sysinfo_matches_proc():
    assert L.SI_LOAD_SHIFT == 16
    with open("/proc/uptime") as f:
        before = float(f.read().split()[0])
    si = L.sysinfo()
    with open("/proc/uptime") as f:
        after = float(f.read().split()[0])
    mem = _meminfo()
    assert int(before) - 1 <= si.uptime <= after + 1
    assert si.loads == pytest.approx(os.getloadavg(), abs=0.5)
    assert 0 < si.procs
    if EMULATED and L.ffi.sizeof("long") == 4:
        # qemu-user copies a 64-bit host's counts into the guest's 32-bit longs, truncated
        # (a 32-bit kernel, or a 64-bit one's compat call, scales mem_unit instead)
        mem = {k: v % 2**32 for k, v in mem.items()}
        assert (si.totalram, si.totalswap) == (mem["MemTotal"], mem["SwapTotal"])
        return
    assert si.totalram == mem["MemTotal"]
    assert si.totalswap == mem["SwapTotal"]
    assert si.freeram == pytest.approx(mem["MemFree"], rel=0.2, abs=64 << 20)
    assert si.totalhigh == mem.get("HighTotal", 0)
    assert 0 < si.freeram <= si.totalram


def test_getrandom():
    assert len(L.getrandom(64)) == 64 and L.getrandom(64) != L.getrandom(64)
    assert L.getrandom(0) == b""
    buf = bytearray(32)
    assert L.getrandom(buf) == 32 and buf != bytearray(32)
    assert L.getrandom(memoryview(buf)[:8], L.GRND.NONBLOCK) == 8
    assert len(L.getrandom(16, "nonblock|random")) == 16
    assert (L.GRND.NONBLOCK, L.GRND.RANDOM) == (os.GRND_NONBLOCK, os.GRND_RANDOM)
    with pytest.raises(TypeError):
        L.getrandom(b"immutable")
    with pytest.raises(ValueError):
        L.getrandom(-1)
    raises_errno(errno.EINVAL, L.getrandom, 8, 0x40)
    raises_errno(errno.EINVAL, L.getrandom, 8, L.GRND.INSECURE | L.GRND.RANDOM)


def _proc_personality():
    with open("/proc/self/personality") as f:
        return int(f.read(), 16)


def test_personality():
    assert L.personality() == L.personality(0xFFFFFFFF) == _proc_personality()

    def change():
        old = L.personality()
        assert L.personality(L.PER.LINUX | L.PER.UNAME26 | L.PER.ADDR_NO_RANDOMIZE) == old
        assert L.personality() == _proc_personality() == L.PER.UNAME26 | L.PER.ADDR_NO_RANDOMIZE
        assert L.uname().release.startswith("2.6.") and os.uname().release.startswith("2.6.")
        assert L.personality("linux") == L.PER.UNAME26 | L.PER.ADDR_NO_RANDOMIZE
        assert L.personality() == 0
    child_ok(change)


def test_getcpu():
    allowed = os.sched_getaffinity(0)
    cpu, node = L.getcpu()
    assert cpu in allowed
    nodes = "/sys/devices/system/node"
    if os.path.isdir(nodes):
        assert os.path.isdir(f"{nodes}/node{node}")
    else:
        assert node == 0

    def pinned():
        for c in sorted(allowed)[:4]:
            os.sched_setaffinity(0, {c})
            assert L.getcpu()[0] == c
    child_ok(pinned)


# ---- process_vm_readv / writev -------------------------------------------------------------

@contextlib.contextmanager
def remote_buffer(content):
    """A forked child holding ``content`` in a ctypes buffer; yields (pid, address, size) and
    finally lets the child check that its buffer then holds what the test wrote ("b")."""
    report_r, report_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            buf = ctypes.create_string_buffer(content, len(content))
            os.write(report_w, struct.pack("=QQ", ctypes.addressof(buf), len(content)))
            expected = os.read(go_r, 4096)
            code = 0 if buf.raw == expected else 1
        finally:
            os._exit(code)
    try:
        address, size = struct.unpack("=QQ", os.read(report_r, 16))
        state = {"expect": content}
        yield pid, address, size, state
    finally:
        os.write(go_w, state["expect"])
        for n in (report_r, report_w, go_r, go_w):
            os.close(n)
        assert exit_code(pid) == 0


def test_process_vm_readv_writev():
    content = b"remote memory: 0123456789abcdef"
    with remote_buffer(content) as (pid, address, size, state):
        head, tail = bytearray(10), bytearray(size - 10)
        assert qemu_may_lack(L.process_vm_readv, pid, [head, tail], [(address, size)]) == size
        assert bytes(head + tail) == content
        part = bytearray(5)
        assert L.process_vm_readv(pid, [part], [(address + 15, 2), (address + 20, 3)]) == 5
        assert part == content[15:17] + content[20:23]
        new = b"WRITTEN" + content[7:]
        assert L.process_vm_writev(pid, [b"WRIT", memoryview(b"TEN")], [(address, 7)]) == 7
        state["expect"] = new  # the child checks its buffer
        check = bytearray(size)
        L.process_vm_readv(pid, [check], [(address, size)])
        assert check == new


def test_process_vm_errors():
    with remote_buffer(b"x" * 16) as (pid, address, size, _):
        buf = bytearray(16)
        raises_errno(errno.EINVAL, L.process_vm_readv, pid, [buf], [(address, 16)], 1)
        raises_errno(errno.EINVAL, L.process_vm_writev, pid, [buf], [(address, 16)], 1)
        raises_errno(errno.EFAULT, L.process_vm_readv, pid, [buf], [(0, 16)])
        raises_errno(errno.EFAULT, L.process_vm_writev, pid, [bytes(16)], [(0, 16)])
        with pytest.raises(TypeError):
            L.process_vm_readv(pid, [b"immutable"], [(address, 9)])
        with pytest.raises(ValueError):
            L.process_vm_readv(pid, [buf], [(-1, 16)])
        with pytest.raises(ValueError):
            L.process_vm_readv(pid, [buf], [(address, -16)])
    raises_errno(errno.ESRCH, L.process_vm_readv, dead_pid(), [buf], [(address, 16)])

    def unprivileged():
        raises_errno(errno.EPERM, L.process_vm_readv, 1, [bytearray(8)], [(0x10000, 8)])
    if EMULATED:
        pytest.skip("qemu-user lacks process_vm_readv")
    assert as_nobody(unprivileged) == 0


# ---- membarrier ----------------------------------------------------------------------------

def test_membarrier():
    supported = qemu_may_lack(L.membarrier, L.MEMBARRIER_CMD.QUERY)
    assert supported & L.MEMBARRIER_CMD.PRIVATE_EXPEDITED
    assert supported & L.MEMBARRIER_CMD.REGISTER_PRIVATE_EXPEDITED
    assert L.membarrier("query") == supported

    def registered():
        raises_errno(errno.EPERM, L.membarrier, L.MEMBARRIER_CMD.PRIVATE_EXPEDITED)
        assert L.membarrier(L.MEMBARRIER_CMD.REGISTER_PRIVATE_EXPEDITED) == 0
        assert L.membarrier(L.MEMBARRIER_CMD.PRIVATE_EXPEDITED) == 0
        if supported & L.MEMBARRIER_CMD.GET_REGISTRATIONS:
            assert (L.membarrier(L.MEMBARRIER_CMD.GET_REGISTRATIONS)
                    & L.MEMBARRIER_CMD.REGISTER_PRIVATE_EXPEDITED)
    child_ok(registered)
    raises_errno(errno.EINVAL, L.membarrier, 1 << 20)
    raises_errno(errno.EINVAL, L.membarrier, L.MEMBARRIER_CMD.QUERY, 0xFF)


# ---- plain syscalls: one declaration each in cdefs/process.h --------------------------------

GENERATED = ("pidfd_open", "pidfd_getfd", "kill", "tgkill", "tkill", "setpriority", "personality",
             "membarrier", "process_mrelease")


def test_plain_syscalls_are_declarations():
    """Issue 8: these functions, their Fd method and their probe come from their SYSCALL(...)
    lines (linuxsys/_sys_process.py), with the man page's parameter names."""
    import linuxsys.__main__ as M
    from linuxsys import _sys_process
    assert set(_sys_process.__all__) == set(GENERATED)
    for name in GENERATED:
        fn = getattr(_sys_process, name)
        assert getattr(L, name) is getattr(process, name) is fn
        assert f"(man 2 {name})" in " ".join(fn.__doc__.split())
        assert M.PROBES["process"][name] == _sys_process.PROBES[name]
    assert L.Fd.pidfd_getfd is L.pidfd_getfd
    me, tid = os.getpid(), L.gettid()
    assert L.kill(pid=me, sig=0) is L.tgkill(tgid=me, tid=tid, sig=0) is L.tkill(tid=tid, sig=0)
    assert L.personality(persona=0xFFFFFFFF) == L.personality()
    r, w = os.pipe()
    try:
        with qemu_may_lack(L.pidfd_open, pid=me, flags=0) as pidfd:
            with qemu_may_lack(L.pidfd_getfd, pidfd=pidfd, targetfd=w, flags=0) as fd:
                assert os.path.sameopenfile(fd.fd, w) and cloexec(fd)
    finally:
        os.close(r)
        os.close(w)


@pytest.mark.parametrize("sig, exc", [(-1, ValueError), (65, ValueError), (2**40, ValueError),
                                      ("SIGBOGUS", ValueError), (L.O.RDONLY, TypeError),
                                      (1.0, TypeError), (None, TypeError)])
def test_signal_arguments_checked_before_the_call(sig, exc):
    """The generated SIG converter refuses what signum refuses, before the syscall: a dead pid
    would answer ESRCH if the call were made."""
    gone = dead_pid()
    for send in (lambda: L.kill(gone, sig), lambda: L.tgkill(gone, gone, sig),
                 lambda: L.tkill(gone, sig)):
        with pytest.raises(exc):
            send()
    raises_errno(errno.ESRCH, L.kill, gone, L.SIGRTMAX)  # the top of the range is a signal
    raises_errno(errno.ESRCH, L.tkill, gone, signal.SIGUSR1)


# ---- the namespaces ------------------------------------------------------------------------

def test_clone_namespace_values():
    expected = {"VM": 0x100, "FILES": 0x400, "PIDFD": 0x1000, "VFORK": 0x4000,
                "NEWNS": 0x20000, "NEWUSER": 0x10000000, "NEWPID": 0x20000000,
                "NEWNET": 0x40000000, "NEWTIME": 0x80, "CLEAR_SIGHAND": 1 << 32,
                "INTO_CGROUP": 1 << 33}
    for name, value in expected.items():
        assert L.CLONE[name] == value, name
    assert L.CSIGNAL == 0xFF
    for name in ("NEWNS", "NEWPID", "NEWUSER", "NEWNET", "NEWUTS", "NEWIPC", "NEWCGROUP",
                 "FILES", "FS", "SYSVSEM", "VM", "THREAD", "SIGHAND", "NEWTIME"):
        if hasattr(os, "CLONE_" + name):  # Python 3.12+
            assert L.CLONE[name] == getattr(os, "CLONE_" + name)


# ---- hardening and cleanups (issue 7) ------------------------------------------------------

def test_clone_takes_the_exit_signal_as_a_sig_member():
    """clone's low byte is the exit signal: SIG members and names pass beside CLONE's,
    although a member of another namespace is otherwise a TypeError."""
    for flags in (L.SIG.CHLD, "chld", "SIGCHLD"):
        pid = L.clone(flags)
        if pid == 0:
            child_exit(lambda: 3)
        assert exit_code(pid) == 3
    with blocked(signal.SIGUSR1):
        pid = fork_flags("an exit signal other than SIGCHLD", L.clone, L.SIG.USR1)
        if pid == 0:
            child_exit(lambda: 2)
        raises_errno(errno.ECHILD, L.wait4, pid)  # not a SIGCHLD child
        _, status, _ = L.wait4(pid, L.W.ALL)
        assert L.WEXITSTATUS(status) == 2
    with pytest.raises(TypeError):
        no_child(L.clone)(L.O.CLOEXEC)
    with pytest.raises(ValueError, match="unknown CLONE/SIG name 'bogus'"):
        no_child(L.clone)("newns|bogus")


@requires_root()
def test_clone_namespace_flags_with_a_sig_member():
    mnt = os.readlink("/proc/self/ns/mnt")
    for flags in (L.CLONE.NEWNS | L.SIG.CHLD, L.SIG.CHLD | L.CLONE.NEWNS, "newns|sigchld"):
        pid = fork_flags("NEWNS", L.clone, flags)
        if pid == 0:
            child_exit(lambda: 0 if os.readlink("/proc/self/ns/mnt") != mnt else 1)
        assert exit_code(pid) == 0


def test_wait_flat_names():
    assert (L.WALL, L.WCLONE, L.WNOTHREAD) == (L.W.ALL, L.W.CLONE, L.W.NOTHREAD)
    assert L.W.NOHANG == L.WNOHANG == L.W["NOHANG"] == os.WNOHANG
    assert L.W.ALL | L.W.NOHANG == L.W(0x40000001)


def test_waitid_rusage_as_wait4():
    """waitid's fifth argument: the Rusage Linux fills, as wait4 gives it."""
    pid = os.fork()
    if pid == 0:
        sum(range(2_000_000))  # some user time
        os._exit(5)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    info, ru = L.waitid(L.P.PID, pid, L.W.EXITED, rusage=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert (info.si_pid, info.si_status, info.si_code) == (pid, 5, L.CLD.EXITED)
    assert isinstance(ru, L.Rusage) and ru.ru_utime > 0 and ru.ru_maxrss > 0
    for field in ("ru_minflt", "ru_majflt", "ru_nvcsw", "ru_nivcsw", "ru_inblock", "ru_oublock"):
        assert getattr(ru, field) == getattr(after, field) - getattr(before, field), field
    assert ru.ru_utime == pytest.approx(after.ru_utime - before.ru_utime, abs=2e-6)
    with sleeper() as pid:
        assert L.waitid(L.P.PID, pid, L.W.EXITED | L.W.NOHANG, rusage=True) == (None, None)
        assert L.waitid(L.P.PID, pid, L.W.EXITED | L.W.NOHANG) is None
        os.kill(pid, signal.SIGKILL)
        info, ru = L.waitid(L.P.PID, pid, L.W.EXITED | L.W.NOWAIT, rusage=True)
        assert (info.si_code, info.si_status) == (L.CLD.KILLED, signal.SIGKILL)
        assert isinstance(ru, L.Rusage)
        assert isinstance(L.waitid(L.P.PID, pid, L.W.EXITED | L.W.NOWAIT), L.WaitidResult)


def test_process_vm_writev_to_this_process():
    """Issue 7, defect 4: process_vm_writev to the caller's own pid wrote anywhere (the
    interpreter's objects included); only live Mappings with a writable or no buffer now."""
    buf = ctypes.create_string_buffer(16)  # the interpreter's memory
    victim = ctypes.addressof(buf)
    me = os.getpid()
    with L.mmap(0, PAGE_SIZE, flags=PRIVATE) as m, L.mmap(0, PAGE_SIZE, L.PROT.READ) as r, \
            L.mmap(0, PAGE_SIZE, L.PROT.NONE, PRIVATE) as n:
        assert qemu_may_lack(L.process_vm_writev, me, [b"into a ", b"Mapping"],
                             [(m.address + 8, 14)]) == 14
        assert m[8:22] == b"into a Mapping"
        assert L.process_vm_writev(L.gettid(), [b"x"], [(m.address, 1)]) == 1 and m[0] == ord("x")
        n.mprotect(L.PROT.READ | L.PROT.WRITE)  # no buffer: the caller manages it
        assert L.process_vm_writev(me, [b"raw"], [(n.address, 3)]) == 3
        for remote in ([(victim, 9)], [(m.address, 1), (victim, 1)],
                       [(m.address + PAGE_SIZE - 1, 2)],  # past the Mapping's end
                       [(r.address, 1)]):  # a read-only buffer
            with pytest.raises(ValueError, match="only inside a live Mapping"):
                L.process_vm_writev(me, [b"overwrite"], remote)
        assert L.process_vm_writev(me, [b""], [(victim, 0)]) == 0  # nothing written: free
        out = bytearray(3)  # reading this process stays free
        assert L.process_vm_readv(me, [out], [(n.address, 3)]) == 3 and out == b"raw"
        closed = m.address
    with pytest.raises(ValueError):
        L.process_vm_writev(me, [b"x"], [(closed, 1)])
    # a thread's tid names this process too
    tids, ready, done = [], threading.Event(), threading.Event()

    def thread():
        tids.append(L.gettid())
        ready.set()
        done.wait()
    t = threading.Thread(target=thread)
    t.start()
    try:
        ready.wait()
        with pytest.raises(ValueError):
            L.process_vm_writev(tids[0], [b"x"], [(victim, 1)])
    finally:
        done.set()
        t.join()
    assert buf.raw == bytes(16)


def _buffer_calls():
    """The process calls that view a caller's buffer, each failing in the kernel."""
    gone = dead_pid()
    return [lambda b: L.process_vm_readv(gone, [b], [(0x10000, 8)]),
            lambda b: L.process_vm_writev(gone, [b], [(0x10000, 8)]),
            lambda b: L.process_vm_readv(os.getpid(), [bytearray(1), b], [(0, 8)]),  # EFAULT
            lambda b: L.getrandom(b, 0x40),
            lambda b: L.pidfd_send_signal(1 << 20, signal.SIGUSR1, b)]


def test_buffers_released_when_a_call_fails():
    """Issue 7, defect 2: a failed call kept the caller's buffer exported while the exception
    lived: a bytearray could not grow, a Mapping not close."""
    for call in _buffer_calls():
        ba = bytearray(128)
        try:
            call(ba)
        except OSError as e:
            err = e
        ba.extend(b"x")  # BufferError while still exported
        with L.mmap(0, PAGE_SIZE) as m:
            try:
                call(m)
            except (OSError, ValueError) as e:  # pidfd_send_signal: not a siginfo's size
                err = e
        assert m.closed and err
    # Python-level refusals after some views were made release those too
    ba = bytearray(8)
    with pytest.raises(TypeError):
        L.process_vm_readv(os.getpid(), [ba, b"immutable"], [(0, 8)])
    ba.extend(b"x")
    with pytest.raises(ValueError, match="128 bytes"):
        L.pidfd_send_signal(1 << 20, 0, ba)
    ba.extend(b"x")
    info = bytearray(128)
    with pytest.raises(OverflowError):  # an fd number past C's int, refused before the view
        L.pidfd_send_signal(1 << 40, 0, info)
    info.extend(b"x")


def _exception_cycles():
    def loop():
        for _ in range(1000):
            for call in _buffer_calls():
                try:
                    call(memoryview(bytearray(128)))
                except OSError as e:
                    err = e  # noqa: F841 (a cycle through the traceback)
    loop()
    gc.collect()


def test_exception_cycles_do_not_crash():
    """The issue's reproducer, in a child: SIGSEGV when the collector cleared a memoryview
    that a failed call kept exported."""
    assert in_child(_exception_cycles) == 0


def test_getrandom_sizes_and_buffers():
    """Issue 7, defects 7 and 11."""
    pool = len(_core.copy_bufs)
    for n in (2**63 - 1, 2**63, 2**80):  # os.getrandom: MemoryError, then OverflowError
        with pytest.raises(OverflowError):
            L.getrandom(n)
    for flags in (2**32, -1):
        with pytest.raises(OverflowError):
            L.getrandom(16, flags)  # the fast path: its scratch buffer goes back to the pool
        with pytest.raises(OverflowError):
            L.getrandom(bytearray(8), flags)
    assert len(_core.copy_bufs) >= pool
    data = bytes(8)
    with pytest.raises(TypeError):
        L.getrandom(L.ffi.from_buffer(data))  # a view of immutable bytes
    with pytest.raises(TypeError):
        L.getrandom(memoryview(bytearray(8)).toreadonly())
    with pytest.raises(BufferError):
        L.getrandom(memoryview(bytearray(16))[::2])
    assert data == bytes(8)
    assert len(L.getrandom(100_000)) == 100_000  # past the scratch pool
    # either side of the hot path's uint16_t count
    assert [len(L.getrandom(n)) for n in (0, 1, 65535, 65536)] == [0, 1, 65535, 65536]
    with pytest.raises(ValueError, match="negative"):
        L.getrandom(-1)
    # a call's most (no terabyte allocated; the largest size a bytes object may have on 32-bit)
    assert len(L.getrandom(min(2**40, _core.MAX_BYTES))) == 2**25 - 1
    cdata = L.ffi.new("char[]", 8)
    assert L.getrandom(cdata) == 8


@pytest.fixture
def native_calls(monkeypatch):
    """The calls of process.py's native helpers that reach C."""
    return record_native_calls(monkeypatch, process)


@pytest.mark.parametrize("call, exc", [
    (lambda: L.process_vm_writev(None, [b"x"], [(0, 1)]), TypeError),
    (lambda: L.process_vm_readv(2**31, [bytearray(1)], [(0, 1)]), OverflowError),
    (lambda: L.process_vm_readv(1, [bytearray(1)], [(0, 1)], -1), OverflowError),
    (lambda: L.process_vm_readv(1, [bytearray(1)], [("0", 1)]), TypeError),
    (lambda: L.process_vm_readv(1, [bytearray(1)], [(0, -1)]), ValueError),
    (lambda: L.process_vm_readv(1, [b"x"], [(0, 1)]), TypeError),
    (lambda: L.process_vm_writev(1, [None], [(0, 1)]), TypeError),
    (lambda: L.waitid(L.P.PID, None, L.W.EXITED), TypeError),
    (lambda: L.waitid(L.P.PID, 2**31, L.W.EXITED), OverflowError),
    (lambda: L.waitid(L.P.PID, 0, 2**32), OverflowError),
    (lambda: L.waitid(L.P.PID, 0, L.CLONE.VM), TypeError),
    (lambda: L.waitid(L.P.PIDFD, "bogus", L.W.EXITED), ValueError),
    (lambda: L.execveat(-1, "sh", ["sh"], {}, 2**31), OverflowError),
    (lambda: L.execveat(None, "sh", ["sh"], {}), TypeError),
    (lambda: L.execve("/bin/sh", ["sh"], None), TypeError),
    (lambda: L.execve("/bin/sh", ["sh"], {"A": None}), TypeError),
    (lambda: L.pidfd_send_signal(-1, 0, None, 2**32), OverflowError),
    (lambda: L.pidfd_send_signal(-1, 0, b"short"), ValueError),
    (lambda: L.pidfd_send_signal(-1, 65), ValueError),
    (lambda: L.pidfd_getfd(-1, 0, -1), OverflowError),
    (lambda: L.pidfd_open(0, 2**32), OverflowError),
    (lambda: L.prlimit(0, 2**32), OverflowError),
    (lambda: L.prlimit(0, L.RLIMIT.NOFILE, (1, None)), TypeError),
    (lambda: L.clone3(set_tid=[2**31]), OverflowError),
    (lambda: L.clone3(exit_signal=None), TypeError),
    (lambda: L.clone(L.O.CLOEXEC), TypeError),
    (lambda: L.clone(1 << 32), ValueError),
    (lambda: L.getrandom(8, 2**32), OverflowError),
    (lambda: L.getrandom(2**63 - 1), OverflowError),
    (lambda: L.getrandom(L.ffi.from_buffer(bytes(8))), TypeError),
    (lambda: L.kill(None, 0), TypeError),
    (lambda: L.membarrier(L.MEMBARRIER_CMD.QUERY, 2**32), OverflowError),
])
def test_arguments_checked_before_any_syscall(native_calls, call, exc):
    """Issue 7, defect 8: every argument is checked before the first syscall (clone's fork
    hooks have not run either)."""
    events = len(FORK_EVENTS)
    with pytest.raises(exc):
        no_child(call)()
    assert native_calls == [] and len(FORK_EVENTS) == events


def test_fd_kept_alive_during_the_call():
    """Issue 7, defect 1: an Fd passed as the only reference stays open for the whole call
    (the garbage collector closes it afterwards, with its ResourceWarning)."""
    with sleeper() as pid, pytest.warns(ResourceWarning):
        L.pidfd_send_signal(qemu_may_lack(L.pidfd_open, pid), 0)
        L.pidfd_open(pid).pidfd_send_signal(0)
        L.pidfd_send_signal(L.pidfd_open(pid), signal.SIGKILL)
        info = L.waitid(L.P.PIDFD, L.pidfd_open(pid), L.W.EXITED | L.W.NOWAIT)
        assert (info.si_pid, info.si_code) == (pid, L.CLD.KILLED)
        gc.collect()
    r, w = os.pipe()
    try:
        with pytest.warns(ResourceWarning):
            with L.pidfd_getfd(L.pidfd_open(os.getpid()), r) as fd:
                assert os.path.sameopenfile(fd.fd, r)
            with L.pidfd_open(os.getpid()).pidfd_getfd(w) as fd:
                assert os.path.sameopenfile(fd.fd, w)
            gc.collect()
    finally:
        os.close(r)
        os.close(w)

    def exec_in_a_temporary_dirfd():
        L.execveat(L.open("/bin", L.O.DIRECTORY), "sh", ["sh", "-c", "exit 6"], {})
    if not EMULATED:  # qemu-user has no execveat
        assert in_child(exec_in_a_temporary_dirfd) == 6


def test_keyword_arguments_named_as_in_the_man_pages():
    assert in_child(lambda: L.execve(path="/bin/sh", argv=["sh", "-c", "exit 4"], envp={})) == 4
    with L.open("/bin", L.O.DIRECTORY) as d:
        if not EMULATED:  # qemu-user has no execveat
            assert in_child(lambda: L.execveat(dirfd=d, path="sh", argv=["sh", "-c", "exit 5"],
                                               envp=[], flags=0)) == 5
    child_ok(lambda: L.setrlimit(resource=L.RLIMIT.CORE, rlim=(0, -1)))
    assert L.prlimit(pid=0, resource="nofile", new_limit=None) == L.getrlimit(L.RLIMIT.NOFILE)
    with L.mmap(0, PAGE_SIZE, flags=PRIVATE) as m:
        assert qemu_may_lack(L.process_vm_writev, pid=os.getpid(), local_iov=[b"k"],
                             remote_iov=[(m.address, 1)], flags=0) == 1
        out = bytearray(1)
        assert L.process_vm_readv(pid=os.getpid(), local_iov=[out], remote_iov=[(m.address, 1)],
                                  flags=0) == 1 and out == b"k"
    with sleeper() as pid:
        assert L.waitid(idtype=L.P.PID, id=pid, options="exited|nohang", rusage=True) == (
            None, None)
