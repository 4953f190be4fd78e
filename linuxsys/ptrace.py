"""ptrace: tracing another process (man 2 ptrace).

``ptrace(request, pid, addr=0, data=0)`` is the raw call (UNSAFE: some requests take
``addr``/``data`` as addresses in this process).  The named helpers are its safe forms, one
per arch-neutral request: ``ptrace_traceme``, ``ptrace_attach``, ``ptrace_seize``,
``ptrace_interrupt``, ``ptrace_cont``, ``ptrace_syscall``, ``ptrace_listen``,
``ptrace_detach``, ``ptrace_kill``, ``ptrace_setoptions``, ``ptrace_geteventmsg``,
``ptrace_getsiginfo`` (a ``Siginfo``), ``ptrace_peekdata``/``ptrace_pokedata`` (one word of
the tracee's memory), ``ptrace_get_syscall_info`` (a ``SyscallInfo``) and
``ptrace_getregset`` (a register set as the kernel's bytes).

Namespaces: ``PTRACE`` (requests), ``PTRACE_O`` (options), ``PTRACE_EVENT`` (the event of a
stop, ``status >> 16`` of a wait status), ``PTRACE_SYSCALL_INFO`` (``SyscallInfo.op``) and
``NT`` (register sets).  A word is the arch's ``unsigned long``: 32 bits on i686 and armv7l,
where an address or a word past 2**32 - 1 raises OverflowError before the call.

The tracer's side of the protocol is ``wait4``/``waitid`` with ``W.ALL`` and the W* status
helpers of linuxsys.process; ``examples/strace.py`` is a complete tracer in ~100 lines.
Most requests need the tracee stopped (ESRCH otherwise, also for a process not traced by the
caller); qemu-user implements none of ptrace (UnsupportedError).
"""
from __future__ import annotations

from typing import NamedTuple, Tuple, cast

from ._core import c_int as _c_int, call, ffi, in_range, lib
from .flags import FlagArg, to_int
from .process import _signal_or_zero
from .signal import Siginfo, SignalArg, _siginfo

from ._consts import PTRACE, PTRACE_O, PTRACE_SYSCALL_INFO, NT

_ptrace = lib.ls_ptrace
_ptrace_ptr = lib.ls_ptrace_ptr
_ptrace_getsiginfo = lib.ls_ptrace_getsiginfo

_new = ffi.new
_unpack = ffi.unpack
_WORD_BITS = 8 * ffi.sizeof("long")
_ULONG_MAX = (1 << _WORD_BITS) - 1
_LONG_MIN = -(1 << (_WORD_BITS - 1))
_SI_COUNT = lib.LS_SI_COUNT
_INFO_SIZE = ffi.sizeof("struct ptrace_syscall_info")
# GETREGSET's first buffer and its limit: NT_PRSTATUS is 68 to 272 bytes, the largest set
# (arm64 SME's ZA) 64 KiB and 16 bytes.  Powers of two: the kernel wants a multiple of the
# set's item size (at most 16 bytes) and fills at most the set's size.
_REGSET_FIRST = 4096
_REGSET_MAX = 1 << 20

_TRACEME = lib.PTRACE_TRACEME
_PEEKDATA = lib.PTRACE_PEEKDATA
_POKEDATA = lib.PTRACE_POKEDATA
_CONT = lib.PTRACE_CONT
_KILL = lib.PTRACE_KILL
_ATTACH = lib.PTRACE_ATTACH
_DETACH = lib.PTRACE_DETACH
_SYSCALL = lib.PTRACE_SYSCALL
_SETOPTIONS = lib.PTRACE_SETOPTIONS
_GETEVENTMSG = lib.PTRACE_GETEVENTMSG
_GETREGSET = lib.PTRACE_GETREGSET
_SEIZE = lib.PTRACE_SEIZE
_INTERRUPT = lib.PTRACE_INTERRUPT
_LISTEN = lib.PTRACE_LISTEN
_GET_SYSCALL_INFO = lib.PTRACE_GET_SYSCALL_INFO
_OP_ENTRY = lib.PTRACE_SYSCALL_INFO_ENTRY
_OP_EXIT = lib.PTRACE_SYSCALL_INFO_EXIT
_OP_SECCOMP = lib.PTRACE_SYSCALL_INFO_SECCOMP


def _word(value: int, what: str) -> int:
    """An address or a data word: the arch's unsigned long."""
    return in_range(value, what, 0, _ULONG_MAX)


def ptrace(request: FlagArg, pid: int, addr: int = 0, data: int = 0) -> int:
    """Issue ptrace request ``request`` (a ``PTRACE`` member, its name, or any number) on
    ``pid`` with ``addr`` and ``data`` as they are (man 2 ptrace).  UNSAFE.

    This is the kernel's call, not glibc's ptrace(3): ``PEEKTEXT``/``PEEKDATA``/``PEEKUSR``
    store the word at the address ``data`` and return 0; ``GETSIGINFO``, ``GETEVENTMSG``,
    ``GETREGSET`` (an iovec), ``GET_SYSCALL_INFO`` ... write through ``data`` as an address
    in this process, so a wrong one corrupts memory.  Use the ``ptrace_*`` helpers instead.
    ``addr`` and ``data`` are register-sized ints (a negative one as its two's complement).

    Returns the call's result.

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: no such tracee, or not stopped (ESRCH).
        PermissionError: the caller may not trace ``pid`` (EPERM).
        OSError: EIO for an unknown request, EFAULT or EIO for a bad address, EINVAL, the
            subclass os raises for any other errno (UnsupportedError for ENOSYS: qemu-user
            has no ptrace).
        TypeError: ``request`` is a member of another namespace or no int or str, or an
            argument not an int (before any call).
        ValueError: an unknown request name (before any call).
        OverflowError: an int that does not fit its register or ``pid`` a C int (before any
            call).
    """
    r = in_range(to_int(request, PTRACE), "request", _LONG_MIN, _ULONG_MAX >> 1)
    p = _c_int(pid, "pid")
    a = in_range(addr, "addr", _LONG_MIN, _ULONG_MAX) & _ULONG_MAX
    d = in_range(data, "data", _LONG_MIN, _ULONG_MAX) & _ULONG_MAX
    return call(_ptrace, "ptrace", r, p, a, d)


# ---- starting and ending a trace -------------------------------------------------------------

def ptrace_traceme() -> None:
    """Make the calling process a tracee of its parent (man 2 ptrace, PTRACE_TRACEME); its
    next execve stops it with SIGTRAP.

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        PermissionError: the process is traced already, or a security module refuses
            (EPERM).
        OSError: the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            qemu-user has no ptrace).
    """
    call(_ptrace, "ptrace", _TRACEME, 0, 0, 0)


def ptrace_attach(pid: int) -> None:
    """Attach to process ``pid`` and send it SIGSTOP (man 2 ptrace, PTRACE_ATTACH): wait for
    that stop before other requests.

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        PermissionError: the caller may not trace it (another user's, a setuid program,
            ptrace_scope), or it is traced already (EPERM).
        ProcessLookupError: no such process (ESRCH).
        OSError: the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            qemu-user has no ptrace).
        TypeError: ``pid`` is not an int (before any call).
        OverflowError: ``pid`` past a C int (before any call).
    """
    call(_ptrace, "ptrace", _ATTACH, _c_int(pid, "pid"), 0, 0)


def ptrace_seize(pid: int, options: FlagArg = 0) -> None:
    """Attach to process ``pid`` without stopping it, with ``PTRACE_O`` ``options`` (man 2
    ptrace, PTRACE_SEIZE); stops then report as PTRACE_EVENT.STOP and INTERRUPT/LISTEN work.

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        PermissionError: the caller may not trace it (another user's, a setuid program,
            ptrace_scope), or it is traced already (EPERM).
        ProcessLookupError: no such process (ESRCH).
        OSError: EINVAL for an unknown option bit, the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: qemu-user has no ptrace).
        TypeError: ``options`` is not an int, PTRACE_O member or name string, or ``pid`` not
            an int (before any call).
        ValueError: an unknown option name (before any call).
        OverflowError: ``pid`` past a C int, ``options`` outside a word (before any call).
    """
    o = _word(to_int(options, PTRACE_O), "options")
    call(_ptrace, "ptrace", _SEIZE, _c_int(pid, "pid"), 0, o)


def ptrace_interrupt(pid: int) -> None:
    """Stop a seized tracee (man 2 ptrace, PTRACE_INTERRUPT): it reports a
    PTRACE_EVENT.STOP.

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's (ESRCH).
        OSError: EIO for a tracee attached without ptrace_seize, the subclass os raises for
            any other errno (UnsupportedError for ENOSYS: qemu-user has no ptrace).
        TypeError: ``pid`` is not an int (before any call).
        OverflowError: ``pid`` past a C int (before any call).
    """
    call(_ptrace, "ptrace", _INTERRUPT, _c_int(pid, "pid"), 0, 0)


def ptrace_listen(pid: int) -> None:
    """Let a seized tracee in group-stop wait for SIGCONT without running (man 2 ptrace,
    PTRACE_LISTEN).

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: EIO when it is not in a group-stop or not seized, the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: qemu-user has no ptrace).
        TypeError: ``pid`` is not an int (before any call).
        OverflowError: ``pid`` past a C int (before any call).
    """
    call(_ptrace, "ptrace", _LISTEN, _c_int(pid, "pid"), 0, 0)


def ptrace_detach(pid: int, sig: SignalArg = 0) -> None:
    """Stop tracing stopped tracee ``pid``, resuming it with signal ``sig`` (0: none) (man 2
    ptrace, PTRACE_DETACH).

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            qemu-user has no ptrace).
        TypeError: ``sig`` is not an int or a name, or ``pid`` not an int (before any call).
        ValueError: an unknown signal name, or a signal outside 0..SIGRTMAX (before any
            call).
        OverflowError: ``pid`` past a C int (before any call).
    """
    s = _signal_or_zero(sig)
    call(_ptrace, "ptrace", _DETACH, _c_int(pid, "pid"), 0, s)


def ptrace_kill(pid: int) -> None:
    """Kill stopped tracee ``pid`` (man 2 ptrace, PTRACE_KILL; deprecated there in favour of
    ``kill(pid, SIGKILL)``, which works whether it is stopped or not).

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            qemu-user has no ptrace).
        TypeError: ``pid`` is not an int (before any call).
        OverflowError: ``pid`` past a C int (before any call).
    """
    call(_ptrace, "ptrace", _KILL, _c_int(pid, "pid"), 0, 0)


# ---- resuming ------------------------------------------------------------------------------

def ptrace_cont(pid: int, sig: SignalArg = 0) -> None:
    """Resume stopped tracee ``pid``, delivering signal ``sig`` (0: none; man 2 ptrace,
    PTRACE_CONT).

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            qemu-user has no ptrace).
        TypeError: ``sig`` is not an int or a name, or ``pid`` not an int (before any call).
        ValueError: an unknown signal name, or a signal outside 0..SIGRTMAX (before any
            call).
        OverflowError: ``pid`` past a C int (before any call).
    """
    s = _signal_or_zero(sig)
    call(_ptrace, "ptrace", _CONT, _c_int(pid, "pid"), 0, s)


def ptrace_syscall(pid: int, sig: SignalArg = 0) -> None:
    """Resume stopped tracee ``pid`` until its next syscall entry or exit (man 2 ptrace,
    PTRACE_SYSCALL), delivering signal ``sig`` (0: none).

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            qemu-user has no ptrace).
        TypeError: ``sig`` is not an int or a name, or ``pid`` not an int (before any call).
        ValueError: an unknown signal name, or a signal outside 0..SIGRTMAX (before any
            call).
        OverflowError: ``pid`` past a C int (before any call).
    """
    s = _signal_or_zero(sig)
    call(_ptrace, "ptrace", _SYSCALL, _c_int(pid, "pid"), 0, s)


def ptrace_setoptions(pid: int, options: FlagArg) -> None:
    """Set the ``PTRACE_O`` options of stopped tracee ``pid`` (man 2 ptrace,
    PTRACE_SETOPTIONS), replacing the previous ones.

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: EINVAL for an unknown option bit, the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: qemu-user has no ptrace).
        TypeError: ``options`` is not an int, PTRACE_O member or name string, or ``pid`` not
            an int (before any call).
        ValueError: an unknown option name (before any call).
        OverflowError: ``pid`` past a C int, ``options`` outside a word (before any call).
    """
    o = _word(to_int(options, PTRACE_O), "options")
    call(_ptrace, "ptrace", _SETOPTIONS, _c_int(pid, "pid"), 0, o)


# ---- reading and writing the tracee ----------------------------------------------------------

def ptrace_geteventmsg(pid: int) -> int:
    """The message of tracee ``pid``'s last ptrace event (man 2 ptrace, PTRACE_GETEVENTMSG):
    the new pid for FORK/VFORK/CLONE, the former thread id for EXEC, the exit status for
    EXIT, SECCOMP_RET_DATA for SECCOMP.

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            qemu-user has no ptrace).
        TypeError: ``pid`` is not an int (before any call).
        OverflowError: ``pid`` past a C int (before any call).
    """
    msg = _new("unsigned long *")
    call(_ptrace_ptr, "ptrace", _GETEVENTMSG, _c_int(pid, "pid"), 0, msg)
    m: int = msg[0]
    return m


def ptrace_getsiginfo(pid: int) -> Siginfo:
    """The siginfo of the signal that stopped tracee ``pid`` (man 2 ptrace,
    PTRACE_GETSIGINFO), as ``linuxsys.Siginfo``.

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: EINVAL in a group-stop (no signal), the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: qemu-user has no ptrace).
        TypeError: ``pid`` is not an int (before any call).
        OverflowError: ``pid`` past a C int (before any call).
    """
    info = _new("int64_t[]", _SI_COUNT)
    call(_ptrace_getsiginfo, "ptrace", _c_int(pid, "pid"), info)
    return _siginfo(info)


def ptrace_peekdata(pid: int, addr: int) -> int:
    """The word at address ``addr`` of stopped tracee ``pid``, as an unsigned int of the
    arch's word size (man 2 ptrace, PTRACE_PEEKDATA; the kernel stores it, so every value,
    -1 included, is a word).

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: EIO or EFAULT for an unmapped address, the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: qemu-user has no ptrace).
        TypeError: ``pid`` or ``addr`` is not an int (before any call).
        OverflowError: ``addr`` outside a word (negative, or past 2**32 - 1 on 32-bit
            arches), ``pid`` past a C int (before any call).
    """
    a = _word(addr, "addr")
    word = _new("unsigned long *")
    call(_ptrace_ptr, "ptrace", _PEEKDATA, _c_int(pid, "pid"), a, word)
    w: int = word[0]
    return w


def ptrace_pokedata(pid: int, addr: int, data: int) -> None:
    """Store the word ``data`` (an unsigned int of the arch's word size) at address ``addr``
    of stopped tracee ``pid`` (man 2 ptrace, PTRACE_POKEDATA).

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: EIO or EFAULT for an unmapped address, the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: qemu-user has no ptrace).
        TypeError: ``pid``, ``addr`` or ``data`` is not an int (before any call).
        OverflowError: ``addr`` or ``data`` outside a word (negative, or past 2**32 - 1 on
            32-bit arches), ``pid`` past a C int (before any call).
    """
    a = _word(addr, "addr")
    d = _word(data, "data")
    call(_ptrace, "ptrace", _POKEDATA, _c_int(pid, "pid"), a, d)


class SyscallInfo(NamedTuple):
    """The syscall a tracee is stopped at (man 2 ptrace, PTRACE_GET_SYSCALL_INFO).

    ``op`` says which fields are valid (the others are 0, ``args`` is ``()``): ``ENTRY``
    (a syscall-enter-stop): ``nr`` and ``args``; ``EXIT`` (syscall-exit-stop): ``rval`` and
    ``is_error`` (``rval`` is then ``-errno``); ``SECCOMP`` (a PTRACE_EVENT.SECCOMP stop):
    ``nr``, ``args`` and ``ret_data`` (SECCOMP_RET_DATA); ``NONE``: another kind of stop.
    ``arch`` is the syscall's AUDIT_ARCH_* value (L.AUDIT_ARCH), telling apart an i386
    process on an x86_64 kernel.  ``args`` are unsigned 64-bit; ``rval`` is the kernel's
    signed long (on 32-bit arches an address above 2 GiB reads negative: mask it with
    ``2**32 - 1``).
    """
    op: int  # a PTRACE_SYSCALL_INFO member
    arch: int
    instruction_pointer: int
    stack_pointer: int
    nr: int
    args: Tuple[int, ...]
    rval: int
    is_error: bool
    ret_data: int


_OPS = cast("dict[int, PTRACE_SYSCALL_INFO]", PTRACE_SYSCALL_INFO._value2member_map_)


def ptrace_get_syscall_info(pid: int) -> SyscallInfo:
    """The syscall stopped tracee ``pid`` is at, as a ``SyscallInfo`` (man 2 ptrace,
    PTRACE_GET_SYSCALL_INFO, Linux 5.3).

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: EIO before Linux 5.3 (an unknown request), the subclass os raises for any
            other errno (UnsupportedError for ENOSYS: qemu-user has no ptrace).
        TypeError: ``pid`` is not an int (before any call).
        OverflowError: ``pid`` past a C int (before any call).
    """
    info = _new("struct ptrace_syscall_info *")
    call(_ptrace_ptr, "ptrace", _GET_SYSCALL_INFO, _c_int(pid, "pid"), _INFO_SIZE, info)
    op: int = info.op
    nr, args, rval, is_error, ret_data = 0, (), 0, False, 0
    if op == _OP_ENTRY:
        nr, args = info.entry.nr, tuple(info.entry.args)
    elif op == _OP_EXIT:
        rval, is_error = info.exit.rval, bool(info.exit.is_error)
    elif op == _OP_SECCOMP:
        nr, args, ret_data = info.seccomp.nr, tuple(info.seccomp.args), info.seccomp.ret_data
    return SyscallInfo(_OPS.get(op, op), info.arch, info.instruction_pointer,
                       info.stack_pointer, nr, args, rval, is_error, ret_data)


def ptrace_getregset(pid: int, nt_type: FlagArg = NT.PRSTATUS) -> bytes:
    """Register set ``nt_type`` (an ``NT`` member; NT.PRSTATUS: the general registers, as
    the arch's ``elf_gregset_t``) of stopped tracee ``pid``, as the kernel's bytes (man 2
    ptrace, PTRACE_GETREGSET): exactly what it filled, whatever the set's size.

    https://man7.org/linux/man-pages/man2/ptrace.2.html

    Raises:
        ProcessLookupError: ``pid`` is no tracee of the caller's, or not stopped (ESRCH).
        OSError: EINVAL for a set this arch or CPU does not have (ENODEV for some inactive
            ones), the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            qemu-user has no ptrace).
        TypeError: ``nt_type`` is not an int, NT member or name string, or ``pid`` not an
            int (before any call).
        ValueError: an unknown ``nt_type`` name (before any call).
        OverflowError: ``pid`` past a C int, ``nt_type`` outside a word (before any call).
    """
    nt = _word(to_int(nt_type, NT), "nt_type")
    p = _c_int(pid, "pid")
    size = _REGSET_FIRST
    while True:
        buf = _new("char[]", size)
        iov = _new("struct iovec *", (buf, size))
        call(_ptrace_ptr, "ptrace", _GETREGSET, p, nt, iov)
        n = iov.iov_len
        if n < size or size >= _REGSET_MAX:  # a full buffer may have cut the set short
            data: bytes = _unpack(buf, n)
            return data
        size *= 2


__all__ = ["ptrace", "ptrace_traceme", "ptrace_attach", "ptrace_seize", "ptrace_interrupt",
           "ptrace_listen", "ptrace_detach", "ptrace_kill", "ptrace_cont", "ptrace_syscall",
           "ptrace_setoptions", "ptrace_geteventmsg", "ptrace_getsiginfo", "ptrace_peekdata",
           "ptrace_pokedata", "ptrace_get_syscall_info", "ptrace_getregset", "SyscallInfo"]
