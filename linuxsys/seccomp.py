"""seccomp: syscall filters and their user-space supervisors (man 2 seccomp, man 2
seccomp_unotify).

The raw call is ``seccomp(operation, flags=0, args=None)``; ``seccomp_get_action_avail(action)``
and ``seccomp_get_notif_sizes()`` are its two queries.

Filters are built with names taken from libseccomp's Python bindings, so their users feel at
home (``from linuxsys.seccomp import Filter, Arg, ALLOW, ERRNO, EQ``)::

    f = Filter(ERRNO(errno.EPERM))                 # what every other syscall gets
    for name in ("read", "write", "close", "fstat", "exit_group", "rt_sigreturn"):
        f.add_rule(ALLOW, name)                    # a name of this arch's L.SYS, or a number
    f.add_rule(ALLOW, "openat", Arg(2, MASKED_EQ, os.O_RDONLY, mask=os.O_ACCMODE))
    f.load()                                       # sets no_new_privs first, as libseccomp

Actions: ``ALLOW``, ``ERRNO(n)``, ``KILL_PROCESS``, ``KILL_THREAD`` (alias ``KILL``), ``TRAP``,
``TRACE(n)``, ``LOG``, ``USER_NOTIF`` (alias ``NOTIFY``): plain ints, the ``SECCOMP_RET_*``
values.  ``Arg(index, op, value, mask=None)`` compares argument ``index`` (0..5) as an unsigned
64-bit number (negative values are taken modulo 2**64, as C casts them) with ``EQ``, ``NE``,
``LT``, ``LE``, ``GT``, ``GE`` or ``MASKED_EQ`` (``arg & mask == value & mask``).  The arguments of
one rule must all hold; when several rules of one syscall hold, the action the kernel ranks
highest wins (``KILL_PROCESS``, ``KILL_THREAD``, ``TRAP``, ``ERRNO``, ``USER_NOTIF``,
``TRACE``, ``LOG``, ``ALLOW``; between equals, the rule added first), as it does between
stacked filters -- so "allow dup, but not of fd 3" is two rules in any order.  libseccomp
differs there: its unconditional rule replaces the conditional rules of that syscall, and
overlapping conditional rules resolve by the shape of its decision tree.

The program checks ``seccomp_data.arch`` first (another ABI: ``KILL_PROCESS``; on x86_64 the
x32 numbers too), then finds the syscall by binary search.  A 64-bit ABI compares the two 32-bit
halves of an argument, high word first; a 32-bit one (i686, armv7l), whose arguments are 32
bits wide, compares the low word with ``value`` and ``mask`` taken modulo 2**32, exactly as
libseccomp does (so ``Arg(0, EQ, -100)`` matches ``AT_FDCWD`` on either).

``Filter(default, arch=Arch(audit_arch, syscalls))`` compiles for another ABI (its
``AUDIT_ARCH`` value and syscall table): for tests and for filters a program installs for code
of another ABI.  ``bpf()`` is the program as the kernel reads it (``struct sock_filter``
array), ``disassemble()`` a listing.

User notification: ``load(SECCOMP_FILTER_FLAG.NEW_LISTENER)`` returns the listener Fd; a
supervisor reads ``seccomp_notif_recv(fd)`` (a ``SeccompNotif``), checks
``seccomp_notif_id_valid``, answers with ``seccomp_notif_send`` (a value, an errno, or
``SECCOMP_USER_NOTIF_FLAG.CONTINUE``) and can put one of its fds into the target with
``seccomp_notif_addfd``.
"""
from __future__ import annotations

import enum
import itertools
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Set, Tuple, Union

from ._core import (NEG_EINTR, U32, U64, Buffer, UnsupportedError, call, call_buf, error, ffi,
                    lib, nbytes, readable, release, writable)
from .fd import Fd, FdArg, fdnum, fdnum_of_kind, methods, tagged
from .flags import FlagArg, to_int
from .raw import SYS

from ._consts import (AUDIT_ARCH, SECCOMP, SECCOMP_FILTER_FLAG, SECCOMP_USER_NOTIF_FLAG,
                      SECCOMP_ADDFD_FLAG, O, IPC_CALL, SOCKETCALL)

_seccomp = lib.ls_seccomp
_seccomp_filter = lib.ls_seccomp_filter
_ioctl_ptr = lib.ls_ioctl_ptr

_NULL = ffi.NULL
_NOTIF_RECV = lib.LS_SECCOMP_IOCTL_NOTIF_RECV
_NOTIF_SEND = lib.LS_SECCOMP_IOCTL_NOTIF_SEND
_NOTIF_ID_VALID = lib.LS_SECCOMP_IOCTL_NOTIF_ID_VALID
_NOTIF_ADDFD = lib.LS_SECCOMP_IOCTL_NOTIF_ADDFD
_NOTIFY_KIND = "seccomp notify"  # what /proc/self/fd calls a listener (anon_inode:seccomp notify)

# ---- actions -------------------------------------------------------------------------------

KILL_PROCESS = lib.SECCOMP_RET_KILL_PROCESS
KILL_THREAD = lib.SECCOMP_RET_KILL_THREAD
KILL = KILL_THREAD  # libseccomp's name (SECCOMP_RET_KILL)
TRAP = lib.SECCOMP_RET_TRAP
USER_NOTIF = lib.SECCOMP_RET_USER_NOTIF
NOTIFY = USER_NOTIF  # libseccomp's name
LOG = lib.SECCOMP_RET_LOG
ALLOW = lib.SECCOMP_RET_ALLOW
_RET_ERRNO = lib.SECCOMP_RET_ERRNO
_RET_TRACE = lib.SECCOMP_RET_TRACE
_ACTION_FULL = lib.SECCOMP_RET_ACTION_FULL
_DATA = lib.SECCOMP_RET_DATA
_MAX_ERRNO = 4095  # the kernel's MAX_ERRNO: a larger SECCOMP_RET_ERRNO datum is cut to it
_PLAIN = {KILL_PROCESS: "KILL_PROCESS", KILL_THREAD: "KILL_THREAD", TRAP: "TRAP",
          USER_NOTIF: "USER_NOTIF", LOG: "LOG", ALLOW: "ALLOW"}


def _errno_datum(n: object, what: str) -> int:
    if type(n) is bool or not isinstance(n, int):
        raise TypeError(f"{what}: an errno must be an int, not {type(n).__name__}")
    if not 0 <= n <= _MAX_ERRNO:
        raise ValueError(f"{what}: an errno must be in 0..{_MAX_ERRNO}, not {n}")
    return int(n)


def ERRNO(errno: int) -> int:
    """The action that fails the syscall with ``errno`` (0..4095, ValueError otherwise)."""
    return _RET_ERRNO | _errno_datum(errno, "ERRNO")


def TRACE(msg: int) -> int:
    """The action that stops a ptrace tracer's tracee (PTRACE_EVENT_SECCOMP with ``msg``,
    0..65535); without a tracer the syscall fails with ENOSYS."""
    if type(msg) is bool or not isinstance(msg, int):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"TRACE: msg must be an int, not {type(msg).__name__}")
    if not 0 <= msg <= _DATA:
        raise ValueError(f"TRACE: msg must be in 0..{_DATA}, not {msg}")
    return _RET_TRACE | int(msg)


def _action(action: object) -> int:
    """An action checked: one the kernel knows, data only where it has a meaning."""
    if type(action) is bool or not isinstance(action, int):
        raise TypeError(f"an action must be an int (ALLOW, ERRNO(n) ...), "
                        f"not {type(action).__name__}")
    a = int(action)
    kind = a & _ACTION_FULL
    if a < 0 or a > U32 or (kind not in _PLAIN and kind not in (_RET_ERRNO, _RET_TRACE)):
        raise ValueError(f"unknown seccomp action {a:#x}")
    if kind == _RET_ERRNO:
        _errno_datum(a & _DATA, "ERRNO")
    elif kind != _RET_TRACE and a & _DATA:
        raise ValueError(f"{_PLAIN[kind]} takes no data: {a:#x}")
    return a


def _action_name(a: int) -> str:
    kind = a & _ACTION_FULL
    if kind == _RET_ERRNO:
        return f"ERRNO({a & _DATA})"
    if kind == _RET_TRACE:
        return f"TRACE({a & _DATA})"
    return _PLAIN.get(kind, f"{a:#x}")


def _rank(action: int) -> int:
    """The kernel's precedence (lower wins): the action part as a signed 32-bit number."""
    kind = action & _ACTION_FULL
    return kind - (1 << 32) if kind & 0x80000000 else kind


# ---- rules ---------------------------------------------------------------------------------

class Op(enum.IntEnum):
    """Argument comparisons (libseccomp's enum scmp_compare numbering)."""
    NE = 1
    LT = 2
    LE = 3
    EQ = 4
    GE = 5
    GT = 6
    MASKED_EQ = 7


NE, LT, LE, EQ, GE, GT, MASKED_EQ = Op.NE, Op.LT, Op.LE, Op.EQ, Op.GE, Op.GT, Op.MASKED_EQ


class Arg(NamedTuple):
    """Argument ``index`` (0..5) compared with ``value`` by ``op``; ``MASKED_EQ`` holds when
    ``arg & mask == value & mask``.  Checked by ``Filter.add_rule``."""
    index: int  # type: ignore[assignment]  # tuple.index: the field is libseccomp's name
    op: Op
    value: int
    mask: Optional[int] = None


def _u64(v: object, what: str) -> int:
    if type(v) is bool or not isinstance(v, int):
        raise TypeError(f"{what} must be an int, not {type(v).__name__}")
    if not -(1 << 63) <= v <= U64:
        raise ValueError(f"{what} must fit 64 bits, not {v}")
    return int(v) & U64


def _arg(a: object) -> Tuple[int, Op, int, int]:
    if not isinstance(a, Arg):
        raise TypeError(f"argument comparisons are Arg(index, op, value, mask=None), not {a!r}")
    index, op, value, mask = a
    if type(index) is bool or not isinstance(index, int):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"Arg index must be an int, not {type(index).__name__}")
    if not 0 <= index <= 5:
        raise ValueError(f"a syscall has arguments 0..5, not {index}")
    if type(op) is bool or op not in Op._value2member_map_:  # type: ignore[comparison-overlap]
        raise ValueError(f"unknown comparison {op!r} (EQ, NE, LT, LE, GT, GE, MASKED_EQ)")
    op = Op(op)
    if (mask is None) == (op is Op.MASKED_EQ):
        raise ValueError("MASKED_EQ needs a mask" if mask is None else
                         f"a mask is for MASKED_EQ, not {op.name}")
    v = _u64(value, "Arg value")
    if mask is None:
        return int(index), op, v, 0
    m = _u64(mask, "Arg mask")
    return int(index), op, v & m, m  # bits outside the mask never count (as libseccomp)


_AUDIT_ARCH_64BIT = getattr(lib, "__AUDIT_ARCH_64BIT")  # (getattr: no name mangling in Arch)
_AUDIT_ARCH_LE = getattr(lib, "__AUDIT_ARCH_LE")


class Arch(NamedTuple):
    """The ABI a filter is compiled for: its ``AUDIT_ARCH`` value (``L.AUDIT_ARCH``), its
    syscall table (name -> number), and ``x32_bit``: numbers with that bit set belong to
    another ABI sharing the arch value (x86_64's x32, ``__X32_SYSCALL_BIT``) and are killed.
    The argument width and byte order come from the ``AUDIT_ARCH`` value's bits."""
    audit_arch: int
    syscalls: Mapping[str, int]
    x32_bit: int = 0

    @property
    def bits(self) -> int:
        return 64 if self.audit_arch & _AUDIT_ARCH_64BIT else 32

    @property
    def little_endian(self) -> bool:
        return bool(self.audit_arch & _AUDIT_ARCH_LE)


_X32_BIT = getattr(lib, "__X32_SYSCALL_BIT", 0)
NATIVE: Optional[Arch] = (Arch(lib.LS_AUDIT_ARCH, dict(vars(SYS)),
                               _X32_BIT if lib.LS_AUDIT_ARCH == lib.AUDIT_ARCH_X86_64 else 0)
                          if lib.LS_AUDIT_ARCH else None)
_SYSCALL_NAMES = {nr: name for name, nr in sorted(vars(SYS).items(), reverse=True)}
# The calls socketcall(2) and ipc(2) multiplex, by syscall name: (multiplexer, its call number).
_MULTIPLEXED: Dict[str, Tuple[str, int]] = {
    **{m.name.lower(): ("socketcall", int(m)) for m in SOCKETCALL},
    **{m.name.lower(): ("ipc", int(m)) for m in IPC_CALL}}

# ---- the compiler --------------------------------------------------------------------------

_LD = lib.BPF_LD | lib.BPF_W | lib.BPF_ABS
_AND = lib.BPF_ALU | lib.BPF_AND | lib.BPF_K
_JA = lib.BPF_JMP | lib.BPF_JA
_JEQ = lib.BPF_JMP | lib.BPF_JEQ | lib.BPF_K
_JGT = lib.BPF_JMP | lib.BPF_JGT | lib.BPF_K
_JGE = lib.BPF_JMP | lib.BPF_JGE | lib.BPF_K
_JSET = lib.BPF_JMP | lib.BPF_JSET | lib.BPF_K
_RET = lib.BPF_RET | lib.BPF_K
_MAXINSNS = lib.BPF_MAXINSNS
_OFF_NR = ffi.offsetof("struct seccomp_data", "nr")
_OFF_ARCH = ffi.offsetof("struct seccomp_data", "arch")
_OFF_IP = ffi.offsetof("struct seccomp_data", "instruction_pointer")
_OFF_ARGS = ffi.offsetof("struct seccomp_data", "args")
_INSN = ffi.sizeof("struct sock_filter")
_LEAF = 4  # syscalls a dispatch leaf compares one by one

# Items of the program before layout: ("label", L), ("ld", offset), ("and", k), ("ret", k),
# ("ja", L) and ("j", opcode, k, jt, jf) with jt/jf a label or None (the next instruction).
_Item = Tuple[Any, ...]
Rule = Tuple[int, Tuple[Tuple[int, Op, int, int], ...]]


def _assemble(items: List[_Item]) -> List[Tuple[int, int, int, int]]:
    """Lay out items as (code, jt, jf, k) rows.  Conditional jumps reach 255 instructions
    ahead: an edge that must go further goes through a ``ja`` placed right after its jump (a
    trampoline); placing one moves what follows, so this repeats until nothing grows."""
    far: Set[Tuple[int, int]] = set()
    while True:
        pos: Dict[object, int] = {}
        addr: List[int] = []
        p = 0
        for i, it in enumerate(items):
            addr.append(p)
            if it[0] == "label":
                pos[it[1]] = p
            else:
                p += 1 + ((i, 3) in far) + ((i, 4) in far)
        grew = False
        for i, it in enumerate(items):
            if it[0] != "j":
                continue
            for e in (3, 4):
                if it[e] is not None and (i, e) not in far and pos[it[e]] - addr[i] - 1 > 255:
                    far.add((i, e))
                    grew = True
        if not grew:
            break
    out: List[Tuple[int, int, int, int]] = []
    for i, it in enumerate(items):
        kind = it[0]
        if kind == "ld":
            out.append((_LD, 0, 0, it[1]))
        elif kind == "and":
            out.append((_AND, 0, 0, it[1]))
        elif kind == "ret":
            out.append((_RET, 0, 0, it[1]))
        elif kind == "ja":
            out.append((_JA, 0, 0, pos[it[1]] - addr[i] - 1))
        elif kind == "j":
            tramps = [e for e in (3, 4) if (i, e) in far]
            offs = [tramps.index(e) if e in tramps
                    else len(tramps) if it[e] is None
                    else pos[it[e]] - addr[i] - 1 for e in (3, 4)]
            out.append((it[1], offs[0], offs[1], it[2]))
            for t, e in enumerate(tramps):
                out.append((_JA, 0, 0, pos[it[e]] - (addr[i] + 1 + t) - 1))
    return out


class Filter:
    """A seccomp filter under construction (libseccomp's ``SyscallFilter``, its Python name).

    ``default_action`` is what a syscall without a matching rule gets; ``arch`` the ABI to
    compile for (None: this build's; an ``Arch`` for another).  Raises UnsupportedError when
    this build's ABI is one seccomp.py does not know (x32), TypeError/ValueError for a bad
    action."""

    def __init__(self, default_action: int, *, arch: Optional[Arch] = None) -> None:
        if arch is None:
            if NATIVE is None:
                raise UnsupportedError("seccomp filters for this ABI (pass arch=Arch(...))")
            arch = NATIVE
        elif not isinstance(arch, Arch):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"arch must be an Arch, not {type(arch).__name__}")
        self.default_action = _action(default_action)
        self.arch = arch
        self._rules: Dict[int, List[Rule]] = {}
        self._names: Optional[Dict[int, str]] = None
        self._loaded = False

    def add_rule(self, action: int, syscall: Union[str, int], *args: Arg) -> None:
        """Add a rule: ``syscall`` (a name in this filter's syscall table, or a number) gets
        ``action`` when every ``Arg`` comparison holds.  On an arch with the socketcall(2) and
        ipc(2) multiplexers (i386), a rule without comparisons on a call they multiplex
        (``socket``, ``connect``, ``send``, ``shmget``, ``semop`` ...: ``L.SOCKETCALL``,
        ``L.IPC_CALL``) also gives the multiplexer ``action`` for that call, as libseccomp
        does; a rule with comparisons covers the direct call alone (the multiplexed call's
        arguments are in memory or shifted, where libseccomp compares other values): add a
        rule on ``socketcall``/``ipc`` for those.  Raises ValueError for an unknown name, a
        comparison on a call this arch has only multiplexed (i386's ``send``, ``recv``),
        a number outside 0..2**31-1 (or an x32 one), an argument index outside 0..5, an errno
        over 4095, an unknown op, a mask without MASKED_EQ (or MASKED_EQ without one), a value
        past 64 bits; TypeError for a non-Arg comparison; RuntimeError once the filter is
        loaded.  Nothing is added when it raises."""
        if self._loaded:
            raise RuntimeError("filter already loaded: build a new Filter for more rules")
        a = _action(action)
        if isinstance(syscall, str):
            name, nr = syscall, self.arch.syscalls.get(syscall, -1)
        elif type(syscall) is bool or not isinstance(syscall, int):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"syscall must be a name or a number, not {type(syscall).__name__}")
        else:
            nr = int(syscall)
            if not 0 <= nr <= 0x7FFFFFFF:
                raise ValueError(f"syscall numbers are 0..2**31-1, not {nr}")
            name = self._syscall_names().get(nr, "")
        multiplexed = _MULTIPLEXED.get(name)
        if multiplexed is not None and multiplexed[0] not in self.arch.syscalls:
            multiplexed = None  # an arch without the multiplexer: the direct call alone
        if nr < 0 and multiplexed is None:
            raise ValueError(f"unknown syscall {syscall!r} on this arch")
        if self.arch.x32_bit and nr >= 0 and nr & self.arch.x32_bit:
            raise ValueError(f"syscall {nr:#x} is another ABI's (x32): this filter kills it")
        cmps = tuple(_arg(x) for x in args)
        if nr < 0 and cmps:  # i386's send and recv exist only through socketcall(2)
            raise ValueError(f"{syscall} is only socketcall(2)'s on this arch, whose arguments a "
                             "filter cannot compare: a rule on it takes no Arg")
        if nr >= 0:
            self._rules.setdefault(nr, []).append((a, cmps))
        if multiplexed is not None and not cmps:
            mux, number = multiplexed
            self._rules.setdefault(self.arch.syscalls[mux], []).append(
                (a, (_arg(Arg(0, Op.EQ, number)),)))

    # -- compiling --

    def _block(self, rules: List[Rule], label: itertools.count[int]) -> List[_Item]:
        """One syscall's code: its rules by precedence, each a chain of comparisons that falls
        to the next rule when one fails; an unconditional rule ends the chain."""
        rules = sorted(rules, key=lambda r: _rank(r[0]))
        code: List[_Item] = []
        for action, args in rules:
            if not args:
                code.append(("ret", action))
                return code
            fail = next(label)
            for cmp in args:
                code += self._compare(cmp, fail, label)
            code += [("ret", action), ("label", fail)]
        code.append(("ret", self.default_action))
        return code

    def _compare(self, cmp: Tuple[int, Op, int, int], fail: int,
                 label: itertools.count[int]) -> List[_Item]:
        index, op, value, mask = cmp
        base = _OFF_ARGS + 8 * index
        lo, hi = (base, base + 4) if self.arch.little_endian else (base + 4, base)
        vl, ml = value & U32, mask & U32
        if self.arch.bits == 32:  # 32-bit arguments: the low word alone, as libseccomp
            table: Dict[Op, List[_Item]] = {
                Op.EQ: [("j", _JEQ, vl, None, fail)],
                Op.NE: [("j", _JEQ, vl, fail, None)],
                Op.GT: [("j", _JGT, vl, None, fail)],
                Op.GE: [("j", _JGE, vl, None, fail)],
                Op.LT: [("j", _JGE, vl, fail, None)],
                Op.LE: [("j", _JGT, vl, fail, None)],
                Op.MASKED_EQ: [("and", ml), ("j", _JEQ, vl, None, fail)],
            }
            return [("ld", lo)] + table[op]
        vh, mh = value >> 32, mask >> 32
        ok = next(label)
        table64: Dict[Op, List[_Item]] = {  # unsigned 64: the high words decide unless equal
            Op.EQ: [("ld", hi), ("j", _JEQ, vh, None, fail),
                    ("ld", lo), ("j", _JEQ, vl, None, fail)],
            Op.NE: [("ld", hi), ("j", _JEQ, vh, None, ok),
                    ("ld", lo), ("j", _JEQ, vl, fail, None)],
            Op.GT: [("ld", hi), ("j", _JGT, vh, ok, None), ("j", _JEQ, vh, None, fail),
                    ("ld", lo), ("j", _JGT, vl, None, fail)],
            Op.GE: [("ld", hi), ("j", _JGT, vh, ok, None), ("j", _JEQ, vh, None, fail),
                    ("ld", lo), ("j", _JGE, vl, None, fail)],
            Op.LT: [("ld", hi), ("j", _JGT, vh, fail, None), ("j", _JEQ, vh, None, ok),
                    ("ld", lo), ("j", _JGE, vl, fail, None)],
            Op.LE: [("ld", hi), ("j", _JGT, vh, fail, None), ("j", _JEQ, vh, None, ok),
                    ("ld", lo), ("j", _JGT, vl, fail, None)],
            Op.MASKED_EQ: [("ld", hi), ("and", mh), ("j", _JEQ, vh, None, fail),
                           ("ld", lo), ("and", ml), ("j", _JEQ, vl, None, fail)],
        }
        return table64[op] + [("label", ok)]

    def _items(self) -> List[_Item]:
        label = itertools.count()
        arch = self.arch
        items: List[_Item] = [("ld", _OFF_ARCH), ("j", _JEQ, arch.audit_arch & U32, "arch", None),
                              ("ret", KILL_PROCESS), ("label", "arch"), ("ld", _OFF_NR)]
        if arch.x32_bit:  # (nr -1, a syscall a tracer skipped, is no x32 call: libseccomp)
            items += [("j", _JGE, arch.x32_bit, None, "abi"), ("j", _JEQ, U32, "abi", None),
                      ("ret", KILL_PROCESS), ("label", "abi")]
        # Each syscall's code, shared between syscalls whose rules compile alike; a syscall
        # whose code is just the default action needs no entry at all.
        blocks: Dict[Tuple[Rule, ...], Tuple[int, List[_Item]]] = {}
        entry: Dict[int, Tuple[Rule, ...]] = {}
        for nr, rules in self._rules.items():
            key = tuple(sorted(rules, key=lambda r: _rank(r[0])))
            if key not in blocks:
                blocks[key] = (next(label), self._block(rules, label))
            if blocks[key][1] != [("ret", self.default_action)]:
                entry[nr] = key
        tail: List[_Item] = []
        placed: Set[int] = set()

        def dispatch(nrs: List[int]) -> None:
            if len(nrs) > _LEAF:
                right = next(label)
                half = len(nrs) // 2
                items.append(("j", _JGE, nrs[half], right, None))
                dispatch(nrs[:half])
                items.append(("label", right))
                dispatch(nrs[half:])
                return
            local: Dict[int, int] = {}  # one-instruction code goes right after its leaf
            for nr in nrs:
                lab, code = blocks[entry[nr]]
                if len(code) == 1:
                    lab = local.setdefault(code[0][1], next(label))
                elif lab not in placed:
                    placed.add(lab)
                    tail.extend([("label", lab)] + code)
                items.append(("j", _JEQ, nr, lab, None))
            items.append(("ret", self.default_action))
            for k, lab in local.items():
                items.extend([("label", lab), ("ret", k)])

        dispatch(sorted(entry))
        return items + tail

    def _program(self) -> List[Tuple[int, int, int, int]]:
        rows = _assemble(self._items())
        if len(rows) > _MAXINSNS:
            raise ValueError(f"the filter compiles to {len(rows)} instructions, "
                             f"the kernel takes at most {_MAXINSNS}")
        return rows

    def bpf(self) -> bytes:
        """The program as the kernel reads it: an array of ``struct sock_filter``.  Raises
        ValueError when it would exceed BPF_MAXINSNS (4096) instructions."""
        rows = self._program()
        prog = ffi.new("struct sock_filter[]", len(rows))
        for insn, (code, jt, jf, k) in zip(prog, rows):
            insn.code, insn.jt, insn.jf, insn.k = code, jt, jf, k
        data: bytes = ffi.buffer(prog)[:]
        return data

    def disassemble(self) -> str:
        """A listing of ``bpf()``, one instruction a line, with the fields and syscalls named."""
        return disassemble(self.bpf(), self._syscall_names())

    def _syscall_names(self) -> Dict[int, str]:
        """Number -> name in this filter's table (of several names, the first in order)."""
        if self._names is None:
            self._names = {nr: name for name, nr in
                           sorted(self.arch.syscalls.items(), reverse=True)}
        return self._names

    def load(self, flags: FlagArg = 0, *, no_new_privs: bool = True) -> Optional[Fd]:
        """Install the filter on the calling thread (all threads with ``TSYNC``) for good
        (man 2 seccomp, SECCOMP_SET_MODE_FILTER).  ``flags``: ``SECCOMP_FILTER_FLAG`` members
        (``TSYNC``, ``LOG``, ``SPEC_ALLOW``, ``NEW_LISTENER``, ``TSYNC_ESRCH``,
        ``WAIT_KILLABLE_RECV``).  With ``no_new_privs`` (the default, as libseccomp) it sets
        PR_SET_NO_NEW_PRIVS first, which an unprivileged caller needs; it stays set if the
        load then fails.

        Returns the notification listener Fd (close-on-exec) with ``NEW_LISTENER``, else None.
        Raises RuntimeError if this filter was loaded already, ValueError for a program over
        4096 instructions, PermissionError (EACCES) without no_new_privs or CAP_SYS_ADMIN,
        OSError(EINVAL) for flags this kernel does not know, OSError(ESRCH) when ``TSYNC``
        meets a thread with another filter, UnsupportedError without seccomp(2)."""
        if self._loaded:
            raise RuntimeError("filter already loaded")
        f = to_int(flags, SECCOMP_FILTER_FLAG)
        prog = self.bpf()
        r = call(_seccomp_filter, "seccomp", f, prog, len(prog) // _INSN,
                 1 if no_new_privs else 0)
        if f & lib.SECCOMP_FILTER_FLAG_NEW_LISTENER:
            self._loaded = True
            return tagged(r, _NOTIFY_KIND)
        if r > 0:  # TSYNC: the thread that could not be synchronized; nothing was installed
            raise OSError(lib.ESRCH, f"seccomp: TSYNC failed on thread {r}")
        self._loaded = True
        return None


def disassemble(prog: Buffer, names: Optional[Mapping[int, str]] = None) -> str:
    """A listing of a classic BPF seccomp program (``struct sock_filter`` array): offsets of
    ``seccomp_data`` by field name, jump targets as instruction numbers, syscall numbers named
    from ``names`` (default: this arch's ``L.SYS``).  For reading only: the comments follow
    the program's order, not its branches."""
    if names is None:
        names = _SYSCALL_NAMES
    data = bytes(prog)
    if len(data) % _INSN:
        raise ValueError(f"a program is a whole number of {_INSN}-byte instructions")
    insns = ffi.from_buffer("struct sock_filter[]", data)
    fields = {_OFF_NR: "nr", _OFF_ARCH: "arch", _OFF_IP: "instruction_pointer",
              _OFF_IP + 4: "instruction_pointer+4"}
    for i in range(6):
        fields[_OFF_ARGS + 8 * i] = f"args[{i}]"
        fields[_OFF_ARGS + 8 * i + 4] = f"args[{i}]+4"
    ops = {_JEQ: "jeq", _JGT: "jgt", _JGE: "jge", _JSET: "jset"}
    lines: List[str] = []
    loaded: Optional[str] = None
    for i, insn in enumerate(insns):
        code, jt, jf, k = insn.code, insn.jt, insn.jf, insn.k
        note = ""
        if code == _LD:
            loaded = fields.get(k)
            text = f"ld   [{k}]"
            note = loaded or ""
        elif code == _AND:
            text = f"and  #{k:#x}"
        elif code == _JA:
            text = f"ja   {i + 1 + k}"
        elif code in ops:
            text = f"{ops[code]:<4} #{k:#x}, {i + 1 + jt}, {i + 1 + jf}"
            if loaded == "nr" and code == _JEQ:
                note = names.get(k, "")
            elif loaded == "arch":
                note = _audit_arch_name(k)
        elif code == _RET:
            text = f"ret  {_action_name(k)}"
        else:
            text = f"code={code:#06x} jt={jt} jf={jf} k={k:#x}"
        lines.append(f"{i:04d}: {text:<32}" + (f" ; {note}" if note else "").rstrip())
    ffi.release(insns)
    return "\n".join(line.rstrip() for line in lines)


def _audit_arch_name(k: int) -> str:
    try:
        return "AUDIT_ARCH_" + AUDIT_ARCH(k).name
    except ValueError:
        return ""


# ---- seccomp(2) ----------------------------------------------------------------------------

_SIZES_SIZE = ffi.sizeof("struct seccomp_notif_sizes")


def seccomp(operation: FlagArg, flags: FlagArg = 0, args: Optional[Buffer] = None) -> int:
    """seccomp(2) as the kernel takes it (unsafe to the calling process: a filter installed
    here stays for good).  ``args`` per operation:

    - ``SECCOMP.SET_MODE_STRICT``: None.
    - ``SECCOMP.SET_MODE_FILTER``: the program (``struct sock_filter`` array, as
      ``Filter.bpf()`` returns it; the ``sock_fprog`` is built here).  Returns 0, or the
      listener fd number with ``NEW_LISTENER``.  No no_new_privs here: see ``Filter.load``.
    - ``SECCOMP.GET_ACTION_AVAIL``: a buffer holding the u32 action; returns 0 or raises
      OSError(EOPNOTSUPP).
    - ``SECCOMP.GET_NOTIF_SIZES``: a writable buffer of at least 6 bytes (``struct
      seccomp_notif_sizes``) the kernel fills.
    - another operation: None.

    https://man7.org/linux/man-pages/man2/seccomp.2.html

    Raises:
        PermissionError: SET_MODE_FILTER without no_new_privs or CAP_SYS_ADMIN (EACCES).
        OSError: EINVAL for what the kernel refuses (an unknown operation or flags, an invalid
            program, another mode already set), EOPNOTSUPP for an action GET_ACTION_AVAIL does
            not know, EBUSY for a second NEW_LISTENER, ENOMEM ...; the subclass os raises for
            any other errno (UnsupportedError for ENOSYS: no seccomp(2)).
        TypeError: ``operation``/``flags`` is not an int, member or name string, or ``args`` is
            not a bytes-like object (a writable one for GET_NOTIF_SIZES), before any call.
        ValueError: a buffer the operation cannot take (too small, a program that is not 1..4096
            whole instructions), ``args`` for an operation that takes None, or an unknown flag
            name, before any call.
        BufferError: ``args`` is not C-contiguous.
        OverflowError: ``operation`` or ``flags`` does not fit the kernel's unsigned int.
    """
    op = to_int(operation, SECCOMP)
    f = to_int(flags, SECCOMP_FILTER_FLAG)
    if args is None:
        return call(_seccomp, "seccomp", op, f, _NULL)
    if op == lib.SECCOMP_SET_MODE_FILTER:
        v = readable(args)
        n = nbytes(v) if isinstance(v, ffi.CData) else len(v)
        if n % _INSN or not 0 < n // _INSN <= _MAXINSNS:
            release(v, args)
            raise ValueError(f"a program is 1..{_MAXINSNS} instructions of {_INSN} bytes, "
                             f"not {n} bytes")
        r = call_buf(_seccomp_filter, "seccomp", v, args, f, v, n // _INSN, 0)
        release(v, args)
        return r
    if op == lib.SECCOMP_GET_ACTION_AVAIL:
        v = readable(args)
        need = 4
    elif op == lib.SECCOMP_GET_NOTIF_SIZES:
        v = writable(args)
        need = _SIZES_SIZE
    else:
        raise ValueError(f"seccomp operation {op} takes args=None")
    n = nbytes(v) if isinstance(v, ffi.CData) else len(v)
    if n < need:
        release(v, args)
        raise ValueError(f"seccomp operation {op} needs a buffer of {need} bytes, not {n}")
    r = call_buf(_seccomp, "seccomp", v, args, op, f, v)
    release(v, args)
    return r


def seccomp_get_action_avail(action: int) -> bool:
    """Whether this kernel knows a filter action (man 2 seccomp, SECCOMP_GET_ACTION_AVAIL):
    ``ALLOW``, ``ERRNO(n)``, ``LOG``, ``KILL_PROCESS``, ``USER_NOTIF`` ... (its data part is
    ignored).

    https://man7.org/linux/man-pages/man2/seccomp.2.html

    Raises:
        OSError: the subclass os raises for the errno (EINVAL before Linux 4.14, which lacks
            SECCOMP_GET_ACTION_AVAIL; UnsupportedError for ENOSYS: no seccomp(2)).
        TypeError: ``action`` is not an int, before any call.
        ValueError: ``action`` is no action the kernel defines (or has data it takes none for),
            before any call.
    """
    a = ffi.new("uint32_t *", _action(action) & _ACTION_FULL)  # the kernel wants no data
    r = _seccomp(lib.SECCOMP_GET_ACTION_AVAIL, 0, a)
    if r == -lib.ENOTSUP:  # (EOPNOTSUPP: the same number on Linux)
        return False
    if r < 0:
        call(_seccomp, "seccomp", lib.SECCOMP_GET_ACTION_AVAIL, 0, a)  # raises
    return True


class SeccompNotifSizes(NamedTuple):
    """The kernel's sizes of the user-notification structs (SECCOMP_GET_NOTIF_SIZES)."""
    seccomp_notif: int
    seccomp_notif_resp: int
    seccomp_data: int


def seccomp_get_notif_sizes() -> SeccompNotifSizes:
    """The sizes this kernel uses for ``struct seccomp_notif``, ``seccomp_notif_resp`` and
    ``seccomp_data`` (man 2 seccomp, SECCOMP_GET_NOTIF_SIZES).

    https://man7.org/linux/man-pages/man2/seccomp.2.html

    Raises:
        OSError: EINVAL before Linux 5.0; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: no seccomp(2)).
    """
    s = ffi.new("struct seccomp_notif_sizes *")
    call(_seccomp, "seccomp", lib.SECCOMP_GET_NOTIF_SIZES, 0, s)
    return SeccompNotifSizes(s.seccomp_notif, s.seccomp_notif_resp, s.seccomp_data)


# ---- user notification ---------------------------------------------------------------------

class SeccompNotif(NamedTuple):
    """A syscall waiting for its supervisor (``struct seccomp_notif``): ``name`` is the
    syscall's in this build's ``L.SYS`` (None for an unknown number or another ABI)."""
    id: int
    pid: int
    flags: int
    nr: int
    name: Optional[str]
    arch: int
    instruction_pointer: int
    args: Tuple[int, int, int, int, int, int]


_notif_size: Optional[int] = None


def _recv_buffer() -> Tuple[Any, Any]:
    """A zeroed struct seccomp_notif as large as the kernel says it may be (asked once): the
    memory's owner and the struct pointer into it."""
    global _notif_size
    if _notif_size is None:
        size = ffi.sizeof("struct seccomp_notif")
        s = ffi.new("struct seccomp_notif_sizes *")
        if _seccomp(lib.SECCOMP_GET_NOTIF_SIZES, 0, s) == 0:
            size = max(size, s.seccomp_notif)
        _notif_size = size
    owner = ffi.new("char[]", _notif_size)
    return owner, ffi.cast("struct seccomp_notif *", owner)


def seccomp_notif_recv(fd: FdArg) -> SeccompNotif:
    """Wait for the next notification on a listener Fd (man 2 seccomp_unotify,
    SECCOMP_IOCTL_NOTIF_RECV; EINTR retried).

    https://man7.org/linux/man-pages/man2/seccomp_unotify.2.html

    Raises:
        FileNotFoundError: the target died, or a signal interrupted its syscall, before the
            notification was read (ENOENT).
        OSError: EINVAL for an fd that is no seccomp listener (checked before the ioctl), EBADF
            for one that is not open; the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is not an Fd, an int or an object with fileno() (ValueError: an
            unknown std name), before any call.
    """
    n = fdnum_of_kind(fd, _NOTIFY_KIND, "seccomp_notif_recv")
    _owner, raw = _recv_buffer()  # _owner: the memory behind raw, alive until the return
    call(_ioctl_ptr, "ioctl", n, _NOTIF_RECV, raw)
    d = raw.data
    arch = d.arch
    name = _SYSCALL_NAMES.get(d.nr) if NATIVE is not None and arch == NATIVE.audit_arch else None
    return SeccompNotif(raw.id, raw.pid, raw.flags, d.nr, name, arch, d.instruction_pointer,
                        tuple(d.args))


def seccomp_notif_id_valid(fd: FdArg, id: int) -> bool:
    """Whether notification ``id`` is still pending, its target alive and waiting (man 2
    seccomp_unotify, SECCOMP_IOCTL_NOTIF_ID_VALID): check it between reading the target's
    memory and acting on it.

    https://man7.org/linux/man-pages/man2/seccomp_unotify.2.html

    Raises:
        OSError: EINVAL for an fd that is no seccomp listener (checked before the ioctl), EBADF
            for one that is not open; the subclass os raises for any other errno (ENOENT is the
            answer False, not an error).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` or ``id`` of the wrong type, before any call.
        ValueError: ``id`` does not fit 64 bits, before any call.
    """
    n = fdnum_of_kind(fd, _NOTIFY_KIND, "seccomp_notif_id_valid")
    p = ffi.new("uint64_t *", _u64(id, "id"))
    r = _ioctl_ptr(n, _NOTIF_ID_VALID, p)
    while r == NEG_EINTR:
        r = _ioctl_ptr(n, _NOTIF_ID_VALID, p)
    if r == -lib.ENOENT:
        return False
    if r < 0:
        raise error(-r, "ioctl")
    return True


def seccomp_notif_send(fd: FdArg, id: int, val: int = 0, error: int = 0,
                       flags: FlagArg = 0) -> None:
    """Answer notification ``id`` (man 2 seccomp_unotify, SECCOMP_IOCTL_NOTIF_SEND): the
    syscall returns ``val``, or fails with ``error`` (a positive errno, 0: none); with
    ``SECCOMP_USER_NOTIF_FLAG.CONTINUE`` (val and error 0) the kernel runs it as it was.

    https://man7.org/linux/man-pages/man2/seccomp_unotify.2.html

    Raises:
        FileNotFoundError: the target is gone, a signal interrupted its syscall, or the id is
            unknown (ENOENT).
        OSError: EINPROGRESS when the notification was answered already (until the target picks
            up the answer), EINVAL for an fd that is no seccomp listener (checked before the
            ioctl) or flags the kernel does not know; the subclass os raises for any other
            errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd``, ``id``, ``val`` or ``error`` of the wrong type, or ``flags`` not an
            int, SECCOMP_USER_NOTIF_FLAG member or name string, before any call.
        ValueError: an errno outside 0..4095 (a negative one too), CONTINUE with a value or an
            errno, an ``id`` past 64 bits or an unknown flag name, before any call.
        OverflowError: ``val`` does not fit a signed 64-bit number, before any call.
    """
    n = fdnum_of_kind(fd, _NOTIFY_KIND, "seccomp_notif_send")
    f = to_int(flags, SECCOMP_USER_NOTIF_FLAG)
    if type(val) is bool or not isinstance(val, int):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"val must be an int, not {type(val).__name__}")
    if not -(1 << 63) <= val < (1 << 63):
        raise OverflowError(f"val must fit a signed 64-bit number, not {val}")
    e = _errno_datum(error, "seccomp_notif_send error")
    if f & lib.SECCOMP_USER_NOTIF_FLAG_CONTINUE and (val or e):
        raise ValueError("CONTINUE runs the syscall itself: val and error must be 0")
    resp = ffi.new("struct seccomp_notif_resp *")
    resp.id = _u64(id, "id")
    resp.val = val
    resp.error = -e
    resp.flags = f
    call(_ioctl_ptr, "ioctl", n, _NOTIF_SEND, resp)


def seccomp_notif_addfd(fd: FdArg, id: int, srcfd: FdArg, newfd: Optional[int] = None,
                        flags: FlagArg = 0, newfd_flags: FlagArg = 0) -> int:
    """Copy ``srcfd`` into the target of notification ``id`` (man 2 seccomp_unotify,
    SECCOMP_IOCTL_NOTIF_ADDFD) as its lowest free fd, or as ``newfd`` (replacing what is
    there); ``newfd_flags`` may hold ``O.CLOEXEC``; ``flags`` ``SECCOMP_ADDFD_FLAG.SEND`` also
    answers the notification with that fd.  Returns the fd's number in the target.

    https://man7.org/linux/man-pages/man2/seccomp_unotify.2.html

    Raises:
        FileNotFoundError: the target is gone, or a signal interrupted its syscall (ENOENT).
        OSError: EINPROGRESS if the notification was not received yet (or was answered), EBADF
            for a bad ``srcfd`` or past the target's RLIMIT_NOFILE, EMFILE for a ``newfd`` past
            fs.nr_open, EBUSY (SEND while other ADDFDs are pending), EINVAL for an fd that is no
            seccomp listener (checked before the ioctl) or flags the kernel does not know; the
            subclass os raises for any other errno.
        ClosedFdError: ``fd`` or ``srcfd`` is a closed Fd.
        TypeError: an fd, ``id`` or ``newfd`` of the wrong type, or ``flags``/``newfd_flags``
            not an int, member or name string, before any call.
        ValueError: ``newfd`` outside 0..2**31-1, an ``id`` past 64 bits or an unknown flag
            name, before any call.
        OverflowError: ``flags`` or ``newfd_flags`` does not fit the kernel's 32 bits.
    """
    n = fdnum_of_kind(fd, _NOTIFY_KIND, "seccomp_notif_addfd")
    f = to_int(flags, SECCOMP_ADDFD_FLAG)
    nf = to_int(newfd_flags, O)
    src = fdnum(srcfd)
    add = ffi.new("struct seccomp_notif_addfd *")
    add.id = _u64(id, "id")
    if newfd is not None:
        if type(newfd) is bool or not isinstance(newfd, int):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"newfd must be an int or None, not {type(newfd).__name__}")
        if not 0 <= newfd <= 0x7FFFFFFF:
            raise ValueError(f"newfd must be in 0..2**31-1, not {newfd}")
        f |= lib.SECCOMP_ADDFD_FLAG_SETFD
        add.newfd = newfd
    add.flags = f
    add.srcfd = src
    add.newfd_flags = nf
    return call(_ioctl_ptr, "ioctl", n, _NOTIF_ADDFD, add)


methods(seccomp_notif_recv, seccomp_notif_id_valid, seccomp_notif_send, seccomp_notif_addfd)

__all__ = ["seccomp", "seccomp_get_action_avail", "seccomp_get_notif_sizes",
           "seccomp_notif_recv", "seccomp_notif_id_valid", "seccomp_notif_send",
           "seccomp_notif_addfd", "SeccompNotif", "SeccompNotifSizes"]
