"""A small strace: run a command and print each of its syscalls, and those of the processes it
forks, as ``name(args) = result`` on stderr.

    python examples/strace.py CMD ARGS...

How it traces (man 2 ptrace): the child asks to be traced (PTRACE_TRACEME) and stops itself
with SIGSTOP; the tracer sets its options (TRACESYSGOOD: syscall stops are SIGTRAP|0x80;
TRACEEXEC; TRACEFORK/VFORK/CLONE: new processes are traced from their start, as strace -f;
EXITKILL: the tracees die with the tracer) and resumes it with PTRACE_SYSCALL, which stops it
at every syscall's entry and exit; PTRACE_GET_SYSCALL_INFO (Linux 5.3) says which, with the
number and arguments at entry, the result at exit.  As strace does for a command it starts,
nothing is printed before the command's execve: what the child runs before it is ours.
The arguments are the six registers in hex (no decoding: syscalls take fewer), a call is
printed when it returns (``= ?`` when it never does: exit, exit_group) and a line of a
process other than the command starts with ``[pid N]``.  Exits with the command's status.
"""
import errno
import os
import shutil
import signal
import sys
from typing import Sequence

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import linuxsys as L  # noqa: E402

NAMES = {nr: name for name, nr in vars(L.SYS).items()}  # this arch's numbers, reversed
OPTIONS = (L.PTRACE_O.TRACESYSGOOD | L.PTRACE_O.TRACEEXEC | L.PTRACE_O.EXITKILL
           | L.PTRACE_O.TRACEFORK | L.PTRACE_O.TRACEVFORK | L.PTRACE_O.TRACECLONE)
SYSCALL_STOP = signal.SIGTRAP | 0x80
NEVER_RETURN = {"exit", "exit_group"}
WORD = (1 << 8 * L.ffi.sizeof("long")) - 1
SIGNAMES = {s.value: s.name for s in signal.Signals}
Entered = dict[int, tuple[str, Sequence[int]]]


def start(argv: list[str]) -> int:
    path = shutil.which(argv[0]) or sys.exit(f"strace.py: {argv[0]}: command not found")
    pid = os.fork()
    if pid == 0:
        try:
            L.ptrace_traceme()
            os.kill(os.getpid(), signal.SIGSTOP)  # wait for the tracer's options
            os.execv(path, argv)
        finally:
            os._exit(127)
    _, status, _ = L.wait4(pid, L.W.ALL)
    assert L.WIFSTOPPED(status) and L.WSTOPSIG(status) == signal.SIGSTOP, status
    L.ptrace_setoptions(pid, OPTIONS)
    L.ptrace_syscall(pid)
    return pid


def show(pid: int, first: int, text: str) -> None:
    print(text if pid == first else f"[pid {pid}] {text}", file=sys.stderr, flush=True)


def call_text(name: str, args: Sequence[int]) -> str:
    return f"{name}({', '.join(hex(a) for a in args)})"


def result_text(info: L.SyscallInfo) -> str:
    if not info.is_error:
        value = info.rval & WORD  # an address above 2 GiB reads negative on 32-bit arches
        return hex(value) if value > 0xFFFF else str(value)
    e = -info.rval
    return f"-1 {errno.errorcode.get(e, e)} ({os.strerror(e)})"


def trace(argv: list[str]) -> int:
    first = start(argv)
    entered: Entered = {}  # pid -> (name, args) of the syscall it is in
    hidden = {first}  # pids whose lines wait for their first execve (only the command's)
    known = {first}
    exit_code = 0
    while True:
        try:
            pid, status, _ = L.wait4(-1, L.W.ALL)
        except ChildProcessError:  # no tracee left
            return exit_code
        if L.WIFEXITED(status) or L.WIFSIGNALED(status):
            entered.pop(pid, None)
            if pid == first:
                exit_code = (L.WEXITSTATUS(status) if L.WIFEXITED(status)
                             else 128 + L.WTERMSIG(status))
            how = (f"exited with {L.WEXITSTATUS(status)}" if L.WIFEXITED(status)
                   else f"killed by {SIGNAMES.get(L.WTERMSIG(status), L.WTERMSIG(status))}")
            show(pid, first, f"+++ {how} +++")
            continue
        sig, event = L.WSTOPSIG(status), status >> 16
        inject = 0
        if pid not in known:  # a new process, traced from its start: its first stop is SIGSTOP
            known.add(pid)
        elif sig == SYSCALL_STOP:
            syscall_stop(pid, first, entered, hidden)
        elif event == L.PTRACE_EVENT.EXEC:
            former = L.ptrace_geteventmsg(pid)  # a thread's execve: it now has the leader's pid
            if former != pid and former in entered:
                entered[pid] = entered.pop(former)
        elif not event:  # FORK/VFORK/CLONE events need nothing: the new process comes by itself
            inject = signal_for(pid, sig)
        try:
            L.ptrace_syscall(pid, inject)
        except ProcessLookupError:  # killed meanwhile (SIGKILL needs no tracer's leave)
            pass


def syscall_stop(pid: int, first: int, entered: Entered, hidden: set[int]) -> None:
    info = L.ptrace_get_syscall_info(pid)
    if info.op == L.PTRACE_SYSCALL_INFO.ENTRY:
        name = NAMES.get(info.nr, f"syscall_{info.nr}")
        if name in ("execve", "execveat"):
            hidden.discard(pid)
        entered[pid] = (name, info.args)
        if name in NEVER_RETURN and pid not in hidden:
            show(pid, first, f"{call_text(name, info.args)} = ?")
    elif info.op == L.PTRACE_SYSCALL_INFO.EXIT and pid in entered:
        name, args = entered.pop(pid)
        if pid not in hidden:
            show(pid, first, f"{call_text(name, args)} = {result_text(info)}")


def signal_for(pid: int, sig: int) -> int:
    """The signal to deliver at a signal stop: the one that stopped the tracee, unless the
    stop is a group-stop (no siginfo: EINVAL), which needs nothing delivered."""
    try:
        L.ptrace_getsiginfo(pid)
    except OSError as e:
        if e.errno != errno.EINVAL:
            raise
        return 0
    return sig


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(trace(sys.argv[1:]))
