"""xattr: extended attributes (man 2 getxattr, setxattr, listxattr, removexattr).

Each call comes in three forms: by path (following symlinks), ``l`` (the symlink itself) and
``f`` (an open fd); Linux 6.13 adds a fourth that does all three, ``*xattrat`` (a path
relative to a directory fd, with ``AT.SYMLINK_NOFOLLOW`` and ``AT.EMPTY_PATH``).  Attribute
names are str or bytes, encoded like paths.  Every function raises the OSError subclass os
would for the kernel's errno (ENODATA: no such attribute, ERANGE: ``buf`` too small),
``ClosedFdError`` for a closed Fd, and TypeError or ValueError for a bad Python argument (a
read-only ``buf``, an ``ffi.from_buffer`` view, a NUL in a name) before any syscall.
"""
from __future__ import annotations

from typing import Any, Optional, Union

from . import _sys_xattr
from ._core import (NEG_EINTR, Buffer, PathArg, call, call_buf, decode, error, ffi,
                    fsdecode_like, lib, nbytes, readable, writable)
from ._core import path as _path  # the converter: ``path`` is the functions' parameter
from .fd import FdArg, fdnum, methods
from .flags import FlagArg, to_int
# The plain syscalls (removexattr ...), generated from cdefs/xattr.h (tools/gen_syscalls.py).
from ._sys_xattr import *  # noqa: F401,F403

from ._consts import XATTR, AT

_getxattr = lib.ls_getxattr
_lgetxattr = lib.ls_lgetxattr
_fgetxattr = lib.ls_fgetxattr
_setxattr = lib.ls_setxattr
_lsetxattr = lib.ls_lsetxattr
_fsetxattr = lib.ls_fsetxattr
_listxattr = lib.ls_listxattr
_llistxattr = lib.ls_llistxattr
_flistxattr = lib.ls_flistxattr
_setxattrat = lib.ls_setxattrat
_getxattrat = lib.ls_getxattrat
_listxattrat = lib.ls_listxattrat
_removexattrat = lib.ls_removexattrat

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
    a = _path(attr)
    if buf is None:
        return _sized(fn, name, shown, target, a)
    cbuf = writable(buf)
    return call_buf(fn, name, cbuf, buf, target, a, cbuf, nbytes(cbuf), filename=shown)


def getxattr(path: PathArg, name: PathArg, buf: Optional[Buffer] = None) -> Union[bytes, int]:
    """An attribute's value as bytes, or filled into ``buf`` returning the count; follows
    symlinks (man 2 getxattr)."""
    return _get(_getxattr, "getxattr", path, _path(path), name, buf)


def lgetxattr(path: PathArg, name: PathArg, buf: Optional[Buffer] = None) -> Union[bytes, int]:
    """getxattr of a symlink itself (man 2 lgetxattr)."""
    return _get(_lgetxattr, "lgetxattr", path, _path(path), name, buf)


def fgetxattr(fd: FdArg, name: PathArg, buf: Optional[Buffer] = None) -> Union[bytes, int]:
    """getxattr of an open fd (man 2 fgetxattr)."""
    return _get(_fgetxattr, "fgetxattr", None, fdnum(fd), name, buf)


def _set(fn: Any, name: str, shown: Any, target: Any, attr: PathArg, value: Buffer,
         flags: FlagArg) -> None:
    a, f = _path(attr), to_int(flags, XATTR)
    v = readable(value)
    call_buf(fn, name, v, value, target, a, v, len(v) if type(v) is bytes else nbytes(v), f, filename=shown)


def setxattr(path: PathArg, name: PathArg, value: Buffer, flags: FlagArg = 0) -> None:
    """Set an attribute; ``XATTR.CREATE`` / ``XATTR.REPLACE`` insist it is new / exists;
    follows symlinks (man 2 setxattr)."""
    _set(_setxattr, "setxattr", path, _path(path), name, value, flags)


def lsetxattr(path: PathArg, name: PathArg, value: Buffer, flags: FlagArg = 0) -> None:
    """setxattr of a symlink itself (man 2 lsetxattr)."""
    _set(_lsetxattr, "lsetxattr", path, _path(path), name, value, flags)


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


def listxattr(path: PathArg) -> list:
    """The attribute names of a file, following symlinks; str unless the path was bytes
    (man 2 listxattr)."""
    return _names(_sized(_listxattr, "listxattr", path, _path(path)), path)


def llistxattr(path: PathArg) -> list:
    """listxattr of a symlink itself (man 2 llistxattr)."""
    return _names(_sized(_llistxattr, "llistxattr", path, _path(path)), path)


def flistxattr(fd: FdArg) -> list[str]:
    """listxattr of an open fd; names as str (man 2 flistxattr)."""
    return _names(_sized(_flistxattr, "flistxattr", None, fdnum(fd)), None)


# ---- relative to a directory fd (Linux 6.13) ------------------------------------------------
# The *at forms take the file as (dirfd, path) with at_flags AT.SYMLINK_NOFOLLOW (the l forms)
# and AT.EMPTY_PATH (path "" names dirfd itself: the f forms); the value travels in a struct
# xattr_args (xattr.c).  at_flags come last so that the calls read like their path forms.

def getxattrat(dirfd: FdArg, path: PathArg, name: PathArg, buf: Optional[Buffer] = None,
               at_flags: FlagArg = 0) -> Union[bytes, int]:
    """An attribute's value relative to dirfd as bytes, or filled into ``buf`` returning the
    count (man 2 getxattrat; Linux 6.13).  ``at_flags``: ``AT.SYMLINK_NOFOLLOW``,
    ``AT.EMPTY_PATH``.  ENODATA: no such attribute; ERANGE: ``buf`` too small."""
    d, p, a, at = fdnum(dirfd), _path(path), _path(name), to_int(at_flags, AT)
    if buf is None:
        return _sized(_getxattrat, "getxattrat", path, d, p, at, a)
    cbuf = writable(buf)
    return call_buf(_getxattrat, "getxattrat", cbuf, buf, d, p, at, a, cbuf, nbytes(cbuf),
                    filename=path)


def setxattrat(dirfd: FdArg, path: PathArg, name: PathArg, value: Buffer, flags: FlagArg = 0,
               at_flags: FlagArg = 0) -> None:
    """Set an attribute relative to dirfd (man 2 setxattrat; Linux 6.13); ``flags``
    ``XATTR.CREATE`` / ``XATTR.REPLACE``, ``at_flags`` ``AT.SYMLINK_NOFOLLOW``,
    ``AT.EMPTY_PATH``."""
    d, p, a = fdnum(dirfd), _path(path), _path(name)
    f, at = to_int(flags, XATTR), to_int(at_flags, AT)
    v = readable(value)
    call_buf(_setxattrat, "setxattrat", v, value, d, p, at, a, v,
             len(v) if type(v) is bytes else nbytes(v), f, filename=path)


def listxattrat(dirfd: FdArg, path: PathArg, at_flags: FlagArg = 0) -> list:
    """The attribute names of a file relative to dirfd; str unless the path was bytes
    (man 2 listxattrat; Linux 6.13).  ``at_flags`` as for getxattrat."""
    at = to_int(at_flags, AT)
    return _names(_sized(_listxattrat, "listxattrat", path, fdnum(dirfd), _path(path), at), path)


def removexattrat(dirfd: FdArg, path: PathArg, name: PathArg, at_flags: FlagArg = 0) -> None:
    """Remove an attribute relative to dirfd (man 2 removexattrat; Linux 6.13); ENODATA if it
    is not there.  ``at_flags`` as for getxattrat."""
    at = to_int(at_flags, AT)
    call(_removexattrat, "removexattrat", fdnum(dirfd), _path(path), at, _path(name),
         filename=path)


methods(fgetxattr, fsetxattr, flistxattr, getxattrat, setxattrat, listxattrat, removexattrat)

__all__ = ["getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr",
           "listxattr", "llistxattr", "flistxattr", "getxattrat", "setxattrat", "listxattrat",
           "removexattrat"]
__all__ += _sys_xattr.__all__
