"""linuxsys.ptrace against the real kernel, and examples/strace.py against strace(1).

Every tracee is a child this test forked (the test process is the tracer, never a tracee:
TRACEME runs in the children); nothing here traces or signals a process the test did not
start.  qemu-user implements no ptrace (ENOSYS): there only the checks made before the call
run, and strace cannot run either."""
import contextlib
import ctypes
import errno
import importlib
import os
import re
import shutil
import signal
import struct
import subprocess
import sys

import pytest

import linuxsys as L
from conftest import EMULATED, as_nobody, dead_pid, raises_errno, requires_root

P = importlib.import_module("linuxsys.ptrace")  # the module: L.ptrace is ptrace(2)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "strace.py")
WALL = int(L.W.ALL)
WORD_BITS = 8 * L.ffi.sizeof("long")
WORD_MAX = (1 << WORD_BITS) - 1


def _ptrace_missing():
    """Whether this kernel (or emulator) answers ENOSYS: pid 0 is no tracee (ESRCH), so the
    probe does nothing wherever ptrace exists."""
    try:
        L.ptrace(L.PTRACE.DETACH, 0)
    except L.UnsupportedError:
        return True
    except ProcessLookupError:
        return False
    raise AssertionError("PTRACE_DETACH of pid 0 did not fail")


# Natively ptrace must work (a failure, not a skip); qemu-user lacks it.
needs_ptrace = pytest.mark.skipif(EMULATED and _ptrace_missing(), reason="qemu-user lacks ptrace")


class Child:
    """A forked child running ``body()`` (exit 0 if it returns, 1 with the error on stderr if
    it raises).  With ``traceme`` it first asks to be traced and stops itself with SIGSTOP,
    and the constructor waits for that stop.  ``close()`` kills and reaps it unless it was
    reaped already (a reaped pid may be another process's by then: never signalled)."""

    def __init__(self, body=lambda: None, traceme=True):
        self.reaped = False
        self.pid = os.fork()
        if self.pid == 0:
            code = 1
            try:
                if traceme:
                    L.ptrace_traceme()
                    os.kill(os.getpid(), signal.SIGSTOP)
                body()
                code = 0
            except BaseException as e:
                sys.stderr.write(f"tracee failed: {e!r}\n")
            finally:
                os._exit(code)
        if traceme:
            assert self.stopsig() == signal.SIGSTOP

    def wait(self):
        """The next wait status (any stop, or the exit)."""
        _, status = os.waitpid(self.pid, WALL)
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            self.reaped = True
        return status

    def stopsig(self):
        status = self.wait()
        assert os.WIFSTOPPED(status), status
        return os.WSTOPSIG(status)

    def event(self):
        """The PTRACE_EVENT of the stop that comes next (0: none)."""
        status = self.wait()
        assert os.WIFSTOPPED(status), status
        return status >> 16

    def exit_code(self):
        """Run the tracee to its end (delivering the signals it gets on the way, such as
        SIGCHLD); its exit code."""
        while True:
            status = self.wait()
            if not os.WIFSTOPPED(status):
                return os.waitstatus_to_exitcode(status)
            sig = os.WSTOPSIG(status)
            L.ptrace_cont(self.pid, 0 if status >> 16 or sig == signal.SIGTRAP | 0x80 else sig)

    def close(self):
        if not self.reaped:
            os.kill(self.pid, signal.SIGKILL)
            while not self.reaped:
                self.wait()


@contextlib.contextmanager
def child(body=lambda: None, traceme=True):
    c = Child(body, traceme)
    try:
        yield c
    finally:
        c.close()


@contextlib.contextmanager
def blocked_child():
    """A child that is no tracee, blocked reading a pipe until the test writes to it; it
    exits 0 then."""
    r, w = os.pipe()
    try:
        with child(lambda: os.read(r, 1), traceme=False) as c:
            c.release = lambda: os.write(w, b"x")
            yield c
    finally:
        os.close(r)
        os.close(w)


def tracer_of(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^TracerPid:\s*(\d+)", f.read(), re.M)[1])


# ---- starting, resuming, ending ------------------------------------------------------------

@needs_ptrace
def test_traceme_stops_and_cont_resumes():
    with child() as c:
        assert tracer_of(c.pid) == os.getpid()
        L.ptrace_cont(c.pid)
        assert c.exit_code() == 0


@needs_ptrace
def test_traceme_twice_is_eperm():
    with child(lambda: raises_errno(errno.EPERM, L.ptrace_traceme)) as c:
        L.ptrace_cont(c.pid)
        assert c.exit_code() == 0


@needs_ptrace
def test_attach_and_detach():
    with blocked_child() as c:
        L.ptrace_attach(c.pid)
        assert c.stopsig() == signal.SIGSTOP
        assert tracer_of(c.pid) == os.getpid()
        raises_errno(errno.EPERM, L.ptrace_attach, c.pid)  # traced already
        L.ptrace_detach(c.pid)
        assert tracer_of(c.pid) == 0
        c.release()
        assert c.exit_code() == 0


@needs_ptrace
def test_detach_delivers_the_signal():
    with child() as c:
        L.ptrace_detach(c.pid, "SIGUSR1")  # default action: the child dies of it
        status = c.wait()
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGUSR1


@needs_ptrace
def test_kill():
    with child() as c:
        L.ptrace_kill(c.pid)
        status = c.wait()
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


@needs_ptrace
def test_seize_interrupt_listen():
    with blocked_child() as c:
        L.ptrace_seize(c.pid, "exitkill|tracesysgood")
        assert tracer_of(c.pid) == os.getpid()
        L.ptrace_interrupt(c.pid)  # a seized tracee stops only when asked
        assert c.event() == L.PTRACE_EVENT.STOP
        L.ptrace_cont(c.pid)
        os.kill(c.pid, signal.SIGSTOP)
        assert c.stopsig() == signal.SIGSTOP  # the signal-delivery-stop
        L.ptrace_cont(c.pid, signal.SIGSTOP)
        status = c.wait()  # the group-stop, reported as an event under SEIZE
        assert status >> 16 == L.PTRACE_EVENT.STOP and os.WSTOPSIG(status) == signal.SIGSTOP
        L.ptrace_listen(c.pid)  # stays stopped, but SIGCONT will be reported
        os.kill(c.pid, signal.SIGCONT)
        assert c.event() == L.PTRACE_EVENT.STOP
        L.ptrace_cont(c.pid)
        c.release()
        assert c.exit_code() == 0


@needs_ptrace
def test_interrupt_and_listen_need_seize():
    with child() as c:
        raises_errno(errno.EIO, L.ptrace_interrupt, c.pid)
        raises_errno(errno.EIO, L.ptrace_listen, c.pid)


# ---- options and events --------------------------------------------------------------------

@needs_ptrace
def test_geteventmsg_after_fork():
    def body():
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 7

    with child(body) as c:
        L.ptrace_setoptions(c.pid, L.PTRACE_O.TRACEFORK)
        L.ptrace_cont(c.pid)
        assert c.event() == L.PTRACE_EVENT.FORK
        new = L.ptrace_geteventmsg(c.pid)
        try:
            assert tracer_of(new) == os.getpid()  # traced from its start
            _, status = os.waitpid(new, WALL)  # its first stop: SIGSTOP
            assert os.WIFSTOPPED(status) and os.WSTOPSIG(status) == signal.SIGSTOP
            L.ptrace_detach(new)
        except BaseException:
            os.kill(new, signal.SIGKILL)  # the child's own child: it reaps it
            raise
        L.ptrace_cont(c.pid)
        assert c.exit_code() == 0


@needs_ptrace
def test_setoptions_errors():
    with child() as c:
        raises_errno(errno.EINVAL, L.ptrace_setoptions, c.pid, 1 << 30)  # no such option
        with pytest.raises(TypeError):
            L.ptrace_setoptions(c.pid, L.O.RDONLY)  # another namespace's member
        with pytest.raises(ValueError):
            L.ptrace_setoptions(c.pid, "tracenothing")


# ---- signals -------------------------------------------------------------------------------

@needs_ptrace
def test_getsiginfo_after_a_signal_stop():
    def body():
        L.rt_sigqueueinfo(os.getpid(), signal.SIGUSR1, 42)
        # reached only because the tracer suppressed SIGUSR1 (its default action kills)

    with child(body) as c:
        info = L.ptrace_getsiginfo(c.pid)  # the SIGSTOP it sent itself
        assert (info.si_signo, info.si_code, info.si_pid) == (L.SIG.STOP, L.SI.USER, c.pid)
        assert info.si_uid == os.getuid()
        L.ptrace_cont(c.pid)
        assert c.stopsig() == signal.SIGUSR1
        info = L.ptrace_getsiginfo(c.pid)
        assert info.si_signo == L.SIG.USR1 and info.si_code == L.SI.QUEUE
        assert (info.si_pid, info.si_value) == (c.pid, 42)
        L.ptrace_cont(c.pid, 0)
        status = c.wait()
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


@needs_ptrace
def test_cont_delivers_the_signal():
    with child(lambda: os.kill(os.getpid(), signal.SIGUSR2)) as c:
        L.ptrace_cont(c.pid)
        assert c.stopsig() == signal.SIGUSR2
        L.ptrace_cont(c.pid, L.SIG.USR2)
        status = c.wait()
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGUSR2


# ---- memory --------------------------------------------------------------------------------

@needs_ptrace
def test_peekdata_and_pokedata():
    words = (ctypes.c_ulong * 2)(0x12345678, WORD_MAX)  # the child's copy is at the same address
    addr = ctypes.addressof(words)

    def body():
        assert list(words) == [0xCAFE, WORD_MAX]

    with child(body) as c:
        assert L.ptrace_peekdata(c.pid, addr) == 0x12345678
        # all ones is a word like another (no -1 ambiguity: the kernel stores it)
        assert L.ptrace_peekdata(c.pid, addr + WORD_BITS // 8) == WORD_MAX
        L.ptrace_pokedata(c.pid, addr, 0xCAFE)
        assert L.ptrace_peekdata(c.pid, addr) == 0xCAFE
        assert words[0] == 0x12345678  # the tracer's own copy is untouched
        raises_errno(errno.EIO, L.ptrace_peekdata, c.pid, 0)  # unmapped
        raises_errno(errno.EIO, L.ptrace_pokedata, c.pid, 0, 1)
        # the raw form: PEEKDATA stores the word at the address data
        out = L.ffi.new("unsigned long *")
        assert L.ptrace(L.PTRACE.PEEKDATA, c.pid, addr, int(L.ffi.cast("uintptr_t", out))) == 0
        assert out[0] == 0xCAFE
        L.ptrace_cont(c.pid)
        assert c.exit_code() == 0


def test_word_ranges_are_checked_before_the_call():
    pid = os.getpid()  # never reached: each is refused before the syscall
    for bad in (-1, WORD_MAX + 1):
        with pytest.raises(OverflowError):
            L.ptrace_peekdata(pid, bad)
        with pytest.raises(OverflowError):
            L.ptrace_pokedata(pid, bad, 0)
        with pytest.raises(OverflowError):
            L.ptrace_pokedata(pid, 0x1000, bad)
    with pytest.raises(OverflowError):
        L.ptrace(L.PTRACE.PEEKDATA, pid, WORD_MAX + 1)
    with pytest.raises(OverflowError):
        L.ptrace(L.PTRACE.PEEKDATA, pid, 0, -(1 << (WORD_BITS - 1)) - 1)
    for fn in (L.ptrace_attach, L.ptrace_cont, L.ptrace_kill, L.ptrace_getsiginfo):
        with pytest.raises(OverflowError):
            fn(2**31)
        with pytest.raises(TypeError):
            fn("1")
    with pytest.raises(TypeError):
        L.ptrace_peekdata(pid, 1.5)
    with pytest.raises(ValueError):
        L.ptrace_cont(pid, 999)  # no such signal
    with pytest.raises(ValueError):
        L.ptrace_detach(pid, "SIGNOPE")
    with pytest.raises(ValueError):
        L.ptrace("peeknothing", pid)
    with pytest.raises(TypeError):
        L.ptrace(L.O.RDONLY, pid)  # another namespace's member
    with pytest.raises(TypeError):
        L.ptrace_getregset(pid, L.PTRACE.CONT)


# ---- syscall stops and registers -----------------------------------------------------------

BAD_FD = -12345


def _syscall_stop(c, nr, op):
    """Resume tracee c with PTRACE_SYSCALL until it stops at syscall ``nr``'s ``op``."""
    for _ in range(1000):
        L.ptrace_syscall(c.pid)
        assert c.stopsig() == signal.SIGTRAP | 0x80  # TRACESYSGOOD
        info = L.ptrace_get_syscall_info(c.pid)
        if info.op == op and (op != L.PTRACE_SYSCALL_INFO.ENTRY or info.nr == nr):
            return info
    raise AssertionError(f"no syscall {nr} stop")


def _close_bad_fd():
    with pytest.raises(OSError):
        os.close(BAD_FD)


@needs_ptrace
def test_get_syscall_info():
    with child(_close_bad_fd) as c:
        info = L.ptrace_get_syscall_info(c.pid)  # a signal stop: no syscall
        assert info.op == L.PTRACE_SYSCALL_INFO.NONE and info.args == () and info.nr == 0
        assert info.instruction_pointer and info.stack_pointer and info.arch
        L.ptrace_setoptions(c.pid, L.PTRACE_O.TRACESYSGOOD)
        entry = _syscall_stop(c, L.SYS.close, L.PTRACE_SYSCALL_INFO.ENTRY)
        assert entry.op == L.PTRACE_SYSCALL_INFO.ENTRY and entry.arch == info.arch
        assert len(entry.args) == 6
        # an int argument: its register's low 32 bits (the rest is the C library's to fill)
        assert entry.args[0] & 0xFFFFFFFF == BAD_FD & 0xFFFFFFFF
        exit_ = _syscall_stop(c, L.SYS.close, L.PTRACE_SYSCALL_INFO.EXIT)
        assert (exit_.rval, exit_.is_error, exit_.args) == (-errno.EBADF, True, ())
        L.ptrace_cont(c.pid)
        assert c.exit_code() == 0


# The general registers (NT_PRSTATUS: elf_gregset_t) of each arch, as the kernel gives them
# to a tracer of this arch: size, item format, index of the instruction and stack pointers.
GREGS = {
    "x86_64": (216, "27Q", 16, 19),   # struct user_regs_struct: ..., rip, cs, eflags, rsp
    "i686": (68, "17I", 12, 15),      # struct user_regs_struct (i386): ..., eip, xcs, eflags, esp
    "aarch64": (272, "34Q", 32, 31),  # struct user_pt_regs: regs[31], sp, pc, pstate
    "armv7l": (72, "18I", 15, 13),    # struct pt_regs: r0..r15 (sp r13, pc r15), cpsr, orig_r0
}


@needs_ptrace
def test_getregset(monkeypatch):
    with child(_close_bad_fd) as c:
        L.ptrace_setoptions(c.pid, L.PTRACE_O.TRACESYSGOOD)
        info = _syscall_stop(c, L.SYS.close, L.PTRACE_SYSCALL_INFO.ENTRY)
        regs = L.ptrace_getregset(c.pid)
        size, fmt, ip, sp = GREGS[L.ARCH]
        assert len(regs) == size
        values = struct.unpack(fmt, regs)
        assert (values[ip], values[sp]) == (info.instruction_pointer, info.stack_pointer)
        assert L.ptrace_getregset(c.pid, "prstatus") == regs
        # a set larger than the first buffer is read whole (the buffer doubles until it fits)
        monkeypatch.setattr(P, "_REGSET_FIRST", 16)
        assert L.ptrace_getregset(c.pid, L.NT.PRSTATUS) == regs
        raises_errno(errno.EINVAL, L.ptrace_getregset, c.pid, L.NT.TASKSTRUCT)  # no such set
        L.ptrace_cont(c.pid)
        assert c.exit_code() == 0


# ---- error paths ---------------------------------------------------------------------------

@needs_ptrace
def test_esrch_for_no_tracee():
    dead = dead_pid()
    raises_errno(errno.ESRCH, L.ptrace_attach, dead)
    raises_errno(errno.ESRCH, L.ptrace_seize, dead)
    raises_errno(errno.ESRCH, L.ptrace_cont, dead)
    with blocked_child() as c:  # alive, but nobody's tracee
        for fn in (L.ptrace_cont, L.ptrace_syscall, L.ptrace_detach, L.ptrace_kill,
                   L.ptrace_interrupt, L.ptrace_listen, L.ptrace_geteventmsg,
                   L.ptrace_getsiginfo, L.ptrace_get_syscall_info, L.ptrace_getregset):
            raises_errno(errno.ESRCH, fn, c.pid)
        raises_errno(errno.ESRCH, L.ptrace_peekdata, c.pid, 0x1000)
        raises_errno(errno.ESRCH, L.ptrace_pokedata, c.pid, 0x1000, 0)
        raises_errno(errno.ESRCH, L.ptrace_setoptions, c.pid, 0)
        c.release()
        assert c.exit_code() == 0


@needs_ptrace
def test_running_tracee_is_esrch():
    r, w = os.pipe()
    try:
        with child(lambda: os.read(r, 1)) as c:
            L.ptrace_cont(c.pid)  # now running (blocked in read): requests need a stop
            raises_errno(errno.ESRCH, L.ptrace_peekdata, c.pid, 0x1000)
            raises_errno(errno.ESRCH, L.ptrace_getsiginfo, c.pid)
            os.write(w, b"x")
            assert c.exit_code() == 0
    finally:
        os.close(r)
        os.close(w)


@needs_ptrace
def test_unknown_request_is_eio():
    with child() as c:
        raises_errno(errno.EIO, L.ptrace, 0x7FFF, c.pid)


@requires_root()
@needs_ptrace
def test_nobody_may_not_attach_to_root():
    with blocked_child() as c:  # root's
        assert as_nobody(lambda: raises_errno(errno.EPERM, L.ptrace_attach, c.pid)) == 0
        assert as_nobody(lambda: raises_errno(errno.EPERM, L.ptrace_seize, c.pid)) == 0
        assert tracer_of(c.pid) == 0
        c.release()
        assert c.exit_code() == 0


# ---- examples/strace.py --------------------------------------------------------------------

# A syscall line of strace or of the example: "name(" after an optional "[pid N] ".
SYSCALL_LINE = re.compile(r"^(?:\[pid\s+\d+\] )?(\w+)\(")


def _names(stderr):
    return [m[1] for line in stderr.splitlines() if (m := SYSCALL_LINE.match(line))]


def test_strace_example_matches_strace():
    """Both start the command with ptrace and print nothing before its execve (strace hides
    its own child's calls until then, the example likewise), so the lists agree as they are:
    execve first, exit_group last."""
    strace = shutil.which("strace")
    if EMULATED and (strace is None or subprocess.run(
            [strace, "-qq", "/bin/true"], capture_output=True).returncode != 0):
        pytest.skip("strace cannot run under qemu-user (no ptrace)")
    assert strace, "strace(1) is the oracle: install Debian's strace (.ci/run does)"
    want = subprocess.run([strace, "-f", "-qq", "-e", "trace=all", "/bin/true"],
                          capture_output=True, text=True, timeout=60)
    assert want.returncode == 0, want.stderr
    got = subprocess.run([sys.executable, EXAMPLE, "/bin/true"],
                         capture_output=True, text=True, timeout=60)
    assert got.returncode == 0, got.stderr
    names = _names(got.stderr)
    assert names[0] == "execve" and names[-1] == "exit_group"
    assert names == _names(want.stderr), (got.stderr, want.stderr)
    assert got.stderr.splitlines()[-1] == "+++ exited with 0 +++"


@needs_ptrace
def test_strace_example_follows_forks_and_exit_status():
    got = subprocess.run([sys.executable, EXAMPLE, "/bin/sh", "-c", "/bin/true; exit 3"],
                         capture_output=True, text=True, timeout=60)
    assert got.returncode == 3, got.stderr
    lines = got.stderr.splitlines()
    # the shell's child: its own lines, its execve of /bin/true among them
    forked = [line for line in lines if line.startswith("[pid ")]
    assert any(SYSCALL_LINE.match(line)[1] == "execve" for line in forked
               if SYSCALL_LINE.match(line)), got.stderr
    assert re.match(r"^\[pid \d+\] \+\+\+ exited with 0 \+\+\+$", forked[-1]), got.stderr
    assert lines[-1] == "+++ exited with 3 +++"
    assert re.search(r"= -1 E[A-Z]+ \(", got.stderr)  # failed calls show their errno
