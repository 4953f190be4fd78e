"""Flag namespaces (``O``, ``AT``, ``S`` ...) and flat names (``O_RDONLY``), from the headers.

Which names form a namespace is declared in cdefs/ (``// namespace``); values come from the
build's headers.  Functions accept an int, namespace members, or a string such as
``"rdonly|creat"``; internally everything is a plain int (IntFlag arithmetic is ~40x slower).
"""
from __future__ import annotations

import enum
import re
from typing import Any, Union

from ._core import ffi, lib

FlagArg = Union[int, str]
Namespace = Union[type[enum.IntEnum], type[enum.IntFlag]]  # L.O, L.AT ...

NAMESPACES: dict[str, Namespace] = {}
_PREFIX: dict[type, str] = {}
_CACHE: dict[tuple[type, str], int] = {}

FLAT: dict[str, int] = {
    n: getattr(lib, n) for n in dir(lib)
    if n[:1].isupper() and not n.startswith(("SYS_", "LS_"))
}


def _member_name(c_name: str, prefix: str) -> str:
    """``O_RDONLY`` -> ``RDONLY``; ``R_OK`` with ``*_OK`` -> ``R``.  A name that would not be an
    identifier once stripped (``E2BIG``) keeps its prefix."""
    if prefix.startswith("*"):
        short = c_name[:-len(prefix) + 1] if c_name.endswith(prefix[1:]) else c_name
    else:
        # lstrip: one prefix serves EPOLLIN and EPOLL_CLOEXEC alike
        short = c_name[len(prefix):].lstrip("_") if c_name.startswith(prefix) else c_name
    return short if short.isidentifier() else c_name


def flat_name(c_name: str) -> str:
    """A constant's flat name: its C name, without the LS_ of a helper's (LS_PER_LINUX ->
    PER_LINUX)."""
    return c_name[3:] if c_name.startswith("LS_") else c_name


def namespace_names(kind: str, prefix: str,
                    names: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A namespace's (name, C name) pairs of its members -- with "+alias", the flat names after
    the short ones, so that the short ones are what members print as -- and of its plain
    attributes (``=NAME``: AT.FDCWD).  tools/gen_stubs.py names the stubs' members by it."""
    c_names = [n for n in names if not n.startswith("=")]
    members = [(_member_name(n, prefix), n) for n in c_names]
    if kind.endswith("+alias"):
        members += [(flat_name(n), n) for n in c_names if _member_name(n, prefix) != n]
    attrs = [(_member_name(n[1:], prefix), n[1:]) for n in names if n.startswith("=")]
    return members, attrs


for _line in ffi.string(lib.ls_namespaces()).decode().splitlines():
    _name, _kind, _prefix, *_names = _line.split()
    _prefix = "" if _prefix == "-" else _prefix
    # The functional API (Enum(name, members)), which the enum stubs type as a member lookup.
    _base: Any = enum.IntFlag if _kind.startswith("flag") else enum.IntEnum
    _members, _attrs = namespace_names(_kind, _prefix, _names)
    _cls = _base(_name, [(_m, getattr(lib, _c)) for _m, _c in _members], module=__name__)
    for _m, _c in _attrs:  # plain values of the namespace's argument that are not flags
        setattr(_cls, _m, getattr(lib, _c))
    NAMESPACES[_name] = _cls
    _PREFIX[_cls] = _prefix
    globals()[_name] = _cls
    for _m, _c in _members:  # every member has a flat name too
        FLAT.setdefault(flat_name(_c), getattr(lib, _c))


def _parse(ns: Namespace, text: str) -> int:
    prefix = _PREFIX[ns]
    members = ns.__members__
    value = 0
    for part in re.split(r"[|,+]", text):
        name = part.strip().upper()
        if not name:
            continue
        if name.isdigit() and ns is NAMESPACES.get("S"):
            value |= int(name, 8)  # mode strings such as "0644"
            continue
        member = members.get(name)
        if member is None and prefix:
            member = members.get(_member_name(name, prefix))
        if member is None:
            raise ValueError(f"unknown {ns.__name__} flag {part.strip()!r}")
        value |= int(member)
    return value


def to_int(value: object, ns: Namespace) -> int:
    """``value`` (int, member, or "a|b" names of ``ns``) as a plain int."""
    if type(value) is int:
        return value
    if isinstance(value, int):
        if type(value) is not ns and type(value) in _PREFIX:  # another linuxsys namespace's
            raise TypeError(f"{value!r} is not a {ns.__name__} flag")
        return int(value)
    if isinstance(value, str):
        key = (ns, value)
        try:
            return _CACHE[key]
        except KeyError:
            r = _CACHE[key] = _parse(ns, value)
            return r
    raise TypeError(f"{ns.__name__} flags must be an int or a string, not {type(value).__name__!r}")


def flags_of(value: object, *namespaces: Namespace) -> int:
    """to_int() for an argument whose values come from several namespaces (shmctl's IPC_CMD
    and SHM_CMD commands, clone's CLONE flags and SIG exit signal): a member of any of them,
    or a string of names each looked up in the namespaces in order; a member of another
    linuxsys namespace is still a TypeError."""
    t = type(value)
    if t is int or t in namespaces:
        return int(value)  # type: ignore[call-overload,no-any-return]  # an int: `t is` does not narrow
    if isinstance(value, str):
        total = 0
        for part in re.split(r"[|,+]", value):
            if part.strip():
                total |= _first(part, namespaces)
        return total
    return to_int(value, namespaces[0])


def _first(name: str, namespaces: tuple[Namespace, ...]) -> int:
    for ns in namespaces:
        try:
            return to_int(name, ns)
        except ValueError:
            pass
    raise ValueError(f"unknown {'/'.join(ns.__name__ for ns in namespaces)} name "
                     f"{name.strip()!r}")
