"""xattr: extended attributes (man 2 getxattr, setxattr, listxattr, removexattr).

Each call comes in three forms: by path (following symlinks), ``l`` (the symlink itself) and
``f`` (an open fd).  Attribute names are str or bytes, encoded like paths.
"""
from __future__ import annotations

from typing import Any, Optional, Union

from ._core import (NEG_EINTR, Buffer, PathArg, call, decode, error, ffi, fsdecode_like, lib,
                    path, readable, writable)
from .fd import FdArg, fdnum, methods
from .flags import NAMESPACES, FlagArg, to_int

XATTR = NAMESPACES["XATTR"]

_getxattr = lib.ls_getxattr
_lgetxattr = lib.ls_lgetxattr
_fgetxattr = lib.ls_fgetxattr
_setxattr = lib.ls_setxattr
_lsetxattr = lib.ls_lsetxattr
_fsetxattr = lib.ls_fsetxattr
_listxattr = lib.ls_listxattr
_llistxattr = lib.ls_llistxattr
_flistxattr = lib.ls_flistxattr
_removexattr = lib.ls_removexattr
_lremovexattr = lib.ls_lremovexattr
_fremovexattr = lib.ls_fremovexattr

_NEG_ERANGE = -lib.ERANGE
_NULL = ffi.NULL
_alloc = ffi.new_allocator(should_clear_after_alloc=False)
_unpack = ffi.unpack


def _sized(fn: Any, name: str, shown: Any, *args: Any) -> bytes:
    """The whole result of a (..., buf, size) xattr call: ask the size with size 0, then read;
    ask again if the value grew in between (ERANGE)."""
    while True:
        n = call(fn, name, *args, _NULL, 0, filename=shown)
        if n == 0:
            return b""
        buf = _alloc("char[]", n)
        r = fn(*args, buf, n)
        while r == NEG_EINTR:
            r = fn(*args, buf, n)
        if r >= 0:
            return _unpack(buf, r)
        if r != _NEG_ERANGE:
            raise error(-r, name, shown)


def _get(fn: Any, name: str, shown: Any, target: Any, attr: PathArg,
         buf: Optional[Buffer]) -> Union[bytes, int]:
    a = path(attr)
    if buf is None:
        return _sized(fn, name, shown, target, a)
    cbuf = writable(buf)
    return call(fn, name, target, a, cbuf, len(cbuf), filename=shown)


def getxattr(path_: PathArg, name: PathArg, buf: Optional[Buffer] = None) -> Union[bytes, int]:
    """An attribute's value as bytes, or filled into ``buf`` returning the count; follows
    symlinks (man 2 getxattr)."""
    return _get(_getxattr, "getxattr", path_, path(path_), name, buf)


def lgetxattr(path_: PathArg, name: PathArg, buf: Optional[Buffer] = None) -> Union[bytes, int]:
    """getxattr of a symlink itself (man 2 lgetxattr)."""
    return _get(_lgetxattr, "lgetxattr", path_, path(path_), name, buf)


def fgetxattr(fd: FdArg, name: PathArg, buf: Optional[Buffer] = None) -> Union[bytes, int]:
    """getxattr of an open fd (man 2 fgetxattr)."""
    return _get(_fgetxattr, "fgetxattr", None, fdnum(fd), name, buf)


def _set(fn: Any, name: str, shown: Any, target: Any, attr: PathArg, value: Buffer,
         flags: FlagArg) -> None:
    a = path(attr)
    v = readable(value)
    call(fn, name, target, a, v, len(v), to_int(flags, XATTR), filename=shown)


def setxattr(path_: PathArg, name: PathArg, value: Buffer, flags: FlagArg = 0) -> None:
    """Set an attribute; ``XATTR.CREATE`` / ``XATTR.REPLACE`` insist it is new / exists;
    follows symlinks (man 2 setxattr)."""
    _set(_setxattr, "setxattr", path_, path(path_), name, value, flags)


def lsetxattr(path_: PathArg, name: PathArg, value: Buffer, flags: FlagArg = 0) -> None:
    """setxattr of a symlink itself (man 2 lsetxattr)."""
    _set(_lsetxattr, "lsetxattr", path_, path(path_), name, value, flags)


def fsetxattr(fd: FdArg, name: PathArg, value: Buffer, flags: FlagArg = 0) -> None:
    """setxattr of an open fd (man 2 fsetxattr)."""
    _set(_fsetxattr, "fsetxattr", None, fdnum(fd), name, value, flags)


def _names(raw: bytes, original: Any) -> list:
    """Split the kernel's "name\\0name\\0" list; str names unless ``original`` was bytes."""
    if not raw:
        return []
    raw = raw[:-1]
    if original is None:
        return decode(raw).split("\0")
    listed = fsdecode_like(original, raw)
    return listed.split(b"\0" if type(listed) is bytes else "\0")


def listxattr(path_: PathArg) -> list:
    """The attribute names of a file, following symlinks; str unless the path was bytes
    (man 2 listxattr)."""
    return _names(_sized(_listxattr, "listxattr", path_, path(path_)), path_)


def llistxattr(path_: PathArg) -> list:
    """listxattr of a symlink itself (man 2 llistxattr)."""
    return _names(_sized(_llistxattr, "llistxattr", path_, path(path_)), path_)


def flistxattr(fd: FdArg) -> list[str]:
    """listxattr of an open fd; names as str (man 2 flistxattr)."""
    return _names(_sized(_flistxattr, "flistxattr", None, fdnum(fd)), None)


def removexattr(path_: PathArg, name: PathArg) -> None:
    """Remove an attribute, following symlinks (man 2 removexattr)."""
    call(_removexattr, "removexattr", path(path_), path(name), filename=path_)


def lremovexattr(path_: PathArg, name: PathArg) -> None:
    """removexattr of a symlink itself (man 2 lremovexattr)."""
    call(_lremovexattr, "lremovexattr", path(path_), path(name), filename=path_)


def fremovexattr(fd: FdArg, name: PathArg) -> None:
    """removexattr of an open fd (man 2 fremovexattr)."""
    call(_fremovexattr, "fremovexattr", fdnum(fd), path(name))


methods(fgetxattr, fsetxattr, flistxattr, fremovexattr)

__all__ = ["getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr",
           "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
           "fremovexattr"]
