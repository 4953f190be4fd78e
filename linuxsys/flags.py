"""Flag namespaces (``O``, ``AT``, ``S`` ...) and flat names (``O_RDONLY``), from the headers.

Which names form a namespace is declared in cdefs/ (``// namespace``); values come from the
build's headers.  Functions accept an int, namespace members, or a string such as
``"rdonly|creat"``; internally everything is a plain int (IntFlag arithmetic is ~40x slower).
"""
from __future__ import annotations

import enum
import re
from typing import Union

from ._core import ffi, lib

FlagArg = Union[int, str]

NAMESPACES: dict[str, type[enum.IntEnum] | type[enum.IntFlag]] = {}
_PREFIX: dict[type, str] = {}
_CACHE: dict[tuple[type, str], int] = {}

FLAT: dict[str, int] = {
    n: getattr(lib, n) for n in dir(lib)
    if n[:1].isupper() and not n.startswith(("SYS_", "LS_"))
}

for _line in ffi.string(lib.ls_namespaces()).decode().splitlines():
    _name, _kind, _prefix, *_members = _line.split()
    _prefix = "" if _prefix == "-" else _prefix
    _base = enum.IntFlag if _kind == "flag" else enum.IntEnum
    # lstrip: one prefix serves EPOLLIN and EPOLL_CLOEXEC alike
    _cls = _base(_name, [(m[len(_prefix):].lstrip("_"), getattr(lib, m)) for m in _members],
                 module=__name__)
    NAMESPACES[_name] = _cls
    _PREFIX[_cls] = _prefix
    globals()[_name] = _cls


def _parse(ns: type, text: str) -> int:
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
        if member is None and prefix and name.startswith(prefix):
            member = members.get(name[len(prefix):].lstrip("_"))
        if member is None:
            raise ValueError(f"unknown {ns.__name__} flag {part.strip()!r}")
        value |= int(member)
    return value


def to_int(value: FlagArg, ns: type) -> int:
    """``value`` (int, member, or "a|b" names of ``ns``) as a plain int."""
    if type(value) is int:
        return value  # type: ignore[return-value]
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        key = (ns, value)
        try:
            return _CACHE[key]
        except KeyError:
            r = _CACHE[key] = _parse(ns, value)
            return r
    raise TypeError(f"{ns.__name__} flags must be an int or a string, not {type(value).__name__!r}")
