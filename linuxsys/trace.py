"""The syscall trace switch: ``trace(True)`` or ``LINUXSYS_TRACE=1`` (libjs's ``DEBUG=libjs:*``).

Tracing swaps every native helper bound in a linuxsys module for a logging wrapper and back,
so a disabled trace costs nothing: no ``if tracing`` test sits on any call path.

Lines read like strace's, logged after the call on logger ``"linuxsys.syscall"`` at DEBUG::

    openat(AT_FDCWD, b'/x', O_RDONLY|O_CLOEXEC, 0o666) = 3
    pipe2([3, 4], O_CLOEXEC) = 0
    read(3, b'hello', 65536) = 5
    [pid 4242] getpid() = 4242
    unlinkat(AT_FDCWD, b'/nope', AT_REMOVEDIR) = -1 ENOENT (No such file or directory)

How an argument shows depends on its note in cdefs/ (``ls_argspec()``, see build_ffi.py):

* ``/* NS */`` (a namespace of ``linuxsys.flags``): a flag namespace as ``A|B|0x...`` (unknown
  bits in hex), an enum as its member's C name, anything else as the number; C names keep
  their prefix, like strace's (``O_CREAT``, ``SEEK_END``, ``SIGTERM``).  ``S`` shows the file
  type and set-id bits by name and the permission bits in octal (``S_IFREG|0o644``).
* ``/* dirfd */``: an fd that may be ``AT_FDCWD``, shown by that name.
* ``/* SYS */``: a syscall number, as ``SYS_name``; the helper taking it first
  (``ls_syscall6``) is logged as the call that number names.
* ``/* out */`` (a pointer the kernel fills) and any cdata pointer or array of numbers: the
  values after the call (``[3, 4]``, at most 16); a char buffer as the bytes the call returned,
  its result taken as their count (at most 32, then ``...``).  After a failed call an
  out-pointer shows as its address, as in strace.
* other char buffers: their first 32 bytes; C strings (``char *`` given bytes, the paths) in
  full; pointers linuxsys did not allocate: their address.

Raw syscalls (``L.syscall``) show by name (``syscall(SYS.getpid)`` as ``getpid()``).  A line
logged by another process than the one that switched the trace on (after fork or clone)
starts with ``[pid N]``.
"""
from __future__ import annotations

import enum
import logging
import os
import sys
from types import ModuleType
from typing import Any, Callable, Optional

from . import raw
from ._core import OWNED, _FromBuf, STRERROR, ffi, lib
from .fd import Fd
from .flags import _PREFIX, FLAT, NAMESPACES, _member_name

log = logging.getLogger("linuxsys.syscall")

# Every native helper, by identity (ls_namespaces and ls_argspec return tables, not results).
_HELPERS = {id(f): (f, n[3:]) for n, f in ((n, getattr(lib, n)) for n in dir(lib)
                                           if n.startswith("ls_"))
            if callable(f) and ffi.typeof(f).result.kind != "pointer"}
_BY_NAME = {name: f for f, name in _HELPERS.values()}
_SYSNAMES = raw._NAMES  # number -> syscall name
# helper name -> its arguments' notes ("-" for none), as build_ffi.py wrote them from cdefs/.
_SPEC = [line.split() for line in ffi.string(lib.ls_argspec()).decode().splitlines()]
_NOTES = {head.partition("=")[0]: tuple(notes) for head, *notes in _SPEC}
# helper name -> the syscall it issues, where they differ (read16 issues read)
_SHOWN = {name: call for name, _, call in (spec[0].partition("=") for spec in _SPEC) if call}

_STRSIZE = 32  # bytes of a data buffer shown, as strace's default -s 32
_ITEMS = 16    # elements of an array shown
_STRMAX = 4096  # a C string (path) is shown whole up to PATH_MAX
_CHARS = frozenset(["char", "signed char", "unsigned char", "int8_t", "uint8_t"])
# Memory the trace may read behind a pointer: what ffi.new allocated and views of buffers.  A
# pointer of any other origin (ffi.cast, ffi.gc, a struct field) shows as its address.
_OWNED = (OWNED, _FromBuf)
_RAW_CODE = raw.syscall.__code__  # the frame whose arguments a raw syscall shows
_AT_FDCWD = FLAT.get("AT_FDCWD")

# Rendering knowledge the namespaces cannot carry, as strace has it: a mask whose bits hold
# one value of an enum rather than flags (the open access mode, the statx sync type, the file
# type, the mapping type), with the helpers (by name prefix) where the field's value 0 has a
# name -- O_RDONLY in openat, nothing in pipe2(O_CLOEXEC); and the permission bits of S and
# of the SysV IPC get flags, shown as an octal number.
_FIELDS = {"O": ("O_ACCMODE", "open"), "AT": ("AT_STATX_SYNC_TYPE", "statx"),
           "S": ("S_IFMT", ""), "MAP": ("MAP_TYPE", "")}
_OCTAL = {"S": 0o777, "IPC": 0o777}
_ADDRESSES = frozenset(["uintptr_t", "intptr_t"])  # numbers shown in hex

_first_pid: Optional[int] = None


class _Names:
    """How the values of one namespace print: C names, from flags' members and prefix."""

    def __init__(self, ns: Any) -> None:
        prefix = _PREFIX[ns]
        members = ns.__members__
        cname: dict[str, str] = {}  # member name -> C name, by flags' own stripping rule
        for c, v in FLAT.items():
            for raw_name in (c, "LS_" + c):  # FLAT names LS_PER_LINUX as PER_LINUX
                short = _member_name(raw_name, prefix)
                m = members.get(short)
                if m is not None and int(m) == v:
                    cname.setdefault(short, c)
        self.enum = not issubclass(ns, enum.IntFlag)
        self.by_value: dict[int, str] = {}  # canonical member (first defined) per value
        for short, m in members.items():
            if short in cname:
                self.by_value.setdefault(int(m), cname[short])
        mask, self.zero_calls = _FIELDS.get(ns.__name__, ("", ""))
        self.mask = int(FLAT.get(mask, 0))
        self.octal = _OCTAL.get(ns.__name__, 0)
        hidden = self.mask | self.octal
        # Flags chosen widest first (O_SYNC over O_DSYNC), printed in definition order.
        order = {v: i for i, v in enumerate(self.by_value)}
        self.flags = sorted(((v, c) for v, c in self.by_value.items()
                             if v > 0 and v & ~hidden),
                            key=lambda vc: (-bin(vc[0]).count("1"), order[vc[0]]))
        self.order = order

    def show(self, v: int, call: str) -> str:
        """``v`` in an argument of helper ``call``."""
        if self.enum:
            return self.by_value.get(v, str(v))
        if v < 0:
            return str(v)
        if v == 0 and not self.mask:
            return self.by_value.get(0, "0")
        parts: list[tuple[int, str]] = []
        rest = v
        if self.mask:  # the field's value by name (O_RDONLY is 0), or in hex
            field = v & self.mask
            name = self.by_value.get(field)
            if name is not None and (field or call.startswith(self.zero_calls)):
                parts.append((-1, name))
            elif field:
                parts.append((-1, hex(field)))
            rest &= ~self.mask
        perms = rest & self.octal
        rest &= ~self.octal
        for bits, name in self.flags:
            if rest & bits == bits:
                parts.append((self.order[bits], name))
                rest &= ~bits
        out = [name for _, name in sorted(parts)]
        if rest:
            out.append(hex(rest))
        if self.octal and (perms or not out):
            out.append(oct(perms))
        return "|".join(out) or "0"


_NAMES: dict[str, _Names] = {}


def _symbolic(v: int, note: str, call: str = "") -> str:
    """``v`` as namespace ``note`` names it, in an argument of helper ``call``."""
    names = _NAMES.get(note)
    if names is None:
        names = _NAMES[note] = _Names(NAMESPACES[note])
    return names.show(int(v), call)


def _short(data: bytes, limit: int = _STRSIZE) -> str:
    """At most ``limit`` bytes as a bytes repr, ``...`` after it when there is more."""
    return repr(data[:limit]) + ("..." if len(data) > limit else "")


def _address(p: Any) -> str:
    n = int(ffi.cast("uintptr_t", p))
    return hex(n) if n else "NULL"


def _cdata(p: Any, out: bool = False, result: int = 0, depth: int = 0) -> str:
    """A cdata argument: numbers, bytes or fields read back after the call."""
    t = ffi.typeof(p)
    if t.kind == "primitive":
        return str(p) if t.cname not in _CHARS else repr(p)
    if t.kind == "struct" or t.kind == "union":
        if depth > 2:
            return "{...}"
        return "{" + ", ".join(f"{name}={_field(getattr(p, name), depth + 1)}"
                               for name, _ in t.fields) + "}"
    if t.kind not in ("pointer", "array") or t.item.kind in ("void", "function"):
        return _address(p)
    if t.kind == "pointer" and type(p) not in _OWNED:
        return _address(p)  # not ours: reading it could fault
    if out and result < 0:
        return _address(p)  # the kernel filled nothing
    item = t.item
    if item.kind == "primitive" and item.cname in _CHARS:
        data = ffi.buffer(p)
        if out:
            return _short(data[:max(0, min(result, _STRSIZE + 1))])
        return _short(data[:_STRSIZE + 1])
    count = len(p) if t.kind == "array" else len(ffi.buffer(p)) // ffi.sizeof(item)
    if count == 1 and t.kind == "pointer" and item.kind in ("struct", "union"):
        return _field(p[0], depth)  # one struct: {...}, as strace
    if item.cname in _ADDRESSES:
        shown = [hex(p[i]) for i in range(min(count, _ITEMS))]
    else:
        shown = [_field(p[i], depth + 1) for i in range(min(count, _ITEMS))]
    if count > _ITEMS:
        shown.append("...")
    return "[" + ", ".join(shown) + "]"


def _field(v: Any, depth: int) -> str:
    if isinstance(v, ffi.CData):
        t = ffi.typeof(v)
        if t.kind == "pointer":  # inside a struct or array: someone else's memory
            return _address(v)
        return _cdata(v, depth=depth)
    return repr(v)


def _arg(v: Any, ctype: Any, note: str, result: int, call: str = "") -> str:
    """One argument of helper ``call``, as its note and C type say."""
    if isinstance(v, int):
        if note in NAMESPACES:
            return _symbolic(v, note, call)
        if note == "dirfd" and v == _AT_FDCWD:
            return "AT_FDCWD"
        if note == "SYS" and v in _SYSNAMES:
            return "SYS_" + _SYSNAMES[v]
        if ctype is not None and (ctype.kind == "pointer" or ctype.cname in _ADDRESSES):
            return hex(v) if v else "NULL"
        return str(int(v))
    if v is None:
        return "NULL"
    if isinstance(v, bytes):
        if ctype is not None and ctype.cname == "char *":  # a C string: a path, a name
            return _short(v, _STRMAX)
        return _short(v)
    if isinstance(v, ffi.CData):
        return _cdata(v, note == "out", result)
    return _buffer(v, note == "out", result)


def _buffer(v: Any, out: bool, result: int) -> str:
    """A Python buffer (bytearray, memoryview ...) passed to L.syscall: its first bytes, or
    for an out-buffer those the call returned."""
    try:
        with memoryview(v) as m, m.cast("B") as b:
            end = _STRSIZE + 1 if not out or result < 0 else min(result, _STRSIZE + 1)
            return _short(b[:end].tobytes())
    except (TypeError, ValueError, BufferError):
        return repr(v)


def _result(r: int) -> str:
    if -4096 < r < 0:
        return f"-1 {_symbolic(-r, 'E')} ({STRERROR[-r]})"  # errno by its C name, as strace
    return str(r)


class _Traced:
    __slots__ = ("fn", "name", "types", "notes")

    def __init__(self, fn: Callable[..., int], name: str) -> None:
        self.fn = fn
        self.name = _SHOWN.get(name, name)
        self.types = ffi.typeof(fn).args
        self.notes = _NOTES.get(name, ())

    def __call__(self, *args: Any) -> int:
        r = self.fn(*args)
        if log.isEnabledFor(logging.DEBUG):
            try:
                line = self._line(args, r)
            except Exception as e:  # never let the trace break the call it logs
                line = f"{self.name}{args!r} = {r} [trace: {e!r}]"
            pid = os.getpid()
            log.debug("%s%s", f"[pid {pid}] " if pid != _first_pid else "", line)
        return r

    def _line(self, args: tuple[Any, ...], r: int) -> str:
        if self.notes[:1] == ("SYS",):  # the raw entry: shown as the call its number names
            frame = sys._getframe(2)  # _line <- __call__ <- raw.syscall
            if frame.f_code is _RAW_CODE:
                return _raw_line(args[0], frame.f_locals["args"], r)
        shown: list[str] = []
        for i, v in enumerate(args):
            note = self.notes[i] if i < len(self.notes) else "-"
            shown.append(_arg(v, self.types[i] if i < len(self.types) else None, note, r,
                              self.name))
        return f"{self.name}({', '.join(shown)}) = {_result(r)}"


def _raw_line(nr: int, originals: tuple[Any, ...], r: int) -> str:
    """L.syscall(nr, *originals) as the named call.  The helper of the same name lends its
    notes and C types when it takes the same number of arguments (a SYSCALL() line does)."""
    name = _SYSNAMES.get(nr)
    values = [v.fd if isinstance(v, Fd) else v for v in originals]
    if name is None:
        return f"syscall({', '.join([str(nr)] + [_arg(v, None, '-', r) for v in values])})" \
               f" = {_result(r)}"
    helper = _BY_NAME.get(name)
    types = ffi.typeof(helper).args if helper is not None else ()
    notes = _NOTES.get(name, ())
    if len(types) != len(values):
        types, notes = (), ()
    shown = [_arg(v, types[i] if types else None, notes[i] if i < len(notes) else "-", r, name)
             for i, v in enumerate(values)]
    return f"{name}({', '.join(shown)}) = {_result(r)}"


def _modules() -> list[ModuleType]:
    return [m for n, m in list(sys.modules.items())
            if (n == "linuxsys" or n.startswith("linuxsys."))
            and not n.startswith("linuxsys._native")
            and m is not None]  # pyright: ignore[reportUnnecessaryComparison]: None blocks an import


def trace(on: bool = True) -> None:
    """Log every syscall (name, arguments, result or errno) on logger "linuxsys.syscall".

    ``trace(False)`` switches it off.  The lines read like strace(1)'s; the calls are the
    kernel's, as syscall(2) lists them.

    https://man7.org/linux/man-pages/man2/syscall.2.html

    Raises:
        Exception: nothing of its own: switching makes no syscall and checks no argument
            (``on`` is taken by its truth value).  A traced call raises as it does
            untraced; a line that cannot be formatted is logged with the error instead.
    """
    global _first_pid
    if on and _first_pid is None:
        _first_pid = os.getpid()
    for mod in _modules():
        for attr, value in list(vars(mod).items()):
            if on and id(value) in _HELPERS and _HELPERS[id(value)][0] is value:
                setattr(mod, attr, _Traced(value, _HELPERS[id(value)][1]))
            elif not on and type(value) is _Traced:
                setattr(mod, attr, value.fn)


def tracing() -> bool:
    """Whether trace(True) is in force (its helpers are swapped in: see trace()).

    https://man7.org/linux/man-pages/man2/syscall.2.html

    Raises:
        Exception: nothing of its own: it only looks at the linuxsys modules' attributes.
    """
    return any(type(v) is _Traced for m in _modules() for v in list(vars(m).values()))


__all__ = ["trace", "tracing"]
