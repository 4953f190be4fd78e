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

import os
from typing import Any, Callable, Optional, Union, overload

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
_unpack: Callable[[Any, int], bytes] = ffi.unpack  # (of char arrays only, here)


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


@overload
def getxattr(path: PathArg, name: PathArg, buf: None = None) -> bytes: ...
@overload
def getxattr(path: PathArg, name: PathArg, buf: Buffer) -> int: ...


def getxattr(path: PathArg, name: PathArg, buf: Optional[Buffer] = None) -> Union[bytes, int]:
    """An attribute's value as bytes, or filled into ``buf`` returning the count; follows
    symlinks (man 2 getxattr).

    https://man7.org/linux/man-pages/man2/getxattr.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        PermissionError: the caller may not read ``user.`` attributes of the file, or search
            permission is denied on the way (EACCES).
        OSError: ENODATA (no such attribute, or one of ``trusted.`` without CAP_SYS_ADMIN), ENOTSUP
            (no extended attributes on this filesystem, or a ``name`` without a namespace it knows:
            ``user.``, ``trusted.``, ``security.``, ``system.``), ERANGE (``buf`` too small for the
            value; an empty ``name`` or one over 255 bytes), E2BIG, ELOOP ..., the subclass os
            raises for any other errno.
        TypeError: ``path`` or ``name`` is not str, bytes or os.PathLike; ``buf`` is read-only, an
            ``ffi.from_buffer`` view or other foreign cdata, or no bytes-like object (before any
            call).
        BufferError: ``buf`` is not C-contiguous (before any call).
        ValueError: a NUL in ``path`` or ``name`` (before any call).
    """
    return _get(_getxattr, "getxattr", path, _path(path), name, buf)


@overload
def lgetxattr(path: PathArg, name: PathArg, buf: None = None) -> bytes: ...
@overload
def lgetxattr(path: PathArg, name: PathArg, buf: Buffer) -> int: ...


def lgetxattr(path: PathArg, name: PathArg, buf: Optional[Buffer] = None) -> Union[bytes, int]:
    """getxattr of a symlink itself (man 2 lgetxattr).

    https://man7.org/linux/man-pages/man2/lgetxattr.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        PermissionError: the caller may not read ``user.`` attributes of the file, or search
            permission is denied on the way (EACCES).
        OSError: ENODATA (no such attribute, or one of ``trusted.`` without CAP_SYS_ADMIN), ENOTSUP
            (no extended attributes on this filesystem, or a ``name`` without a namespace it knows:
            ``user.``, ``trusted.``, ``security.``, ``system.``), ERANGE (``buf`` too small for the
            value; an empty ``name`` or one over 255 bytes), E2BIG, ELOOP ..., the subclass os
            raises for any other errno.
        TypeError: ``path`` or ``name`` is not str, bytes or os.PathLike; ``buf`` is read-only, an
            ``ffi.from_buffer`` view or other foreign cdata, or no bytes-like object (before any
            call).
        BufferError: ``buf`` is not C-contiguous (before any call).
        ValueError: a NUL in ``path`` or ``name`` (before any call).
    """
    return _get(_lgetxattr, "lgetxattr", path, _path(path), name, buf)


@overload
def fgetxattr(fd: FdArg, name: PathArg, buf: None = None) -> bytes: ...
@overload
def fgetxattr(fd: FdArg, name: PathArg, buf: Buffer) -> int: ...


def fgetxattr(fd: FdArg, name: PathArg, buf: Optional[Buffer] = None) -> Union[bytes, int]:
    """getxattr of an open fd (man 2 fgetxattr).

    https://man7.org/linux/man-pages/man2/fgetxattr.2.html

    Raises:
        PermissionError: the caller may not read ``user.`` attributes of the file (EACCES).
        OSError: ENODATA (no such attribute, or one of ``trusted.`` without CAP_SYS_ADMIN), ENOTSUP
            (no extended attributes on this filesystem, or a ``name`` without a namespace it knows:
            ``user.``, ``trusted.``, ``security.``, ``system.``), ERANGE (``buf`` too small for the
            value; an empty ``name`` or one over 255 bytes), E2BIG, ELOOP ..., the subclass os
            raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``name`` is not str, bytes or os.PathLike; ``buf`` is read-only, an
            ``ffi.from_buffer`` view or other foreign cdata, or no bytes-like object; ``fd`` is no
            fd (before any call).
        BufferError: ``buf`` is not C-contiguous (before any call).
        ValueError: a NUL in ``name``, an unknown std fd name (before any call).
    """
    return _get(_fgetxattr, "fgetxattr", None, fdnum(fd), name, buf)


def _set(fn: Any, name: str, shown: Any, target: Any, attr: PathArg, value: Buffer,
         flags: FlagArg) -> None:
    a, f = _path(attr), to_int(flags, XATTR)
    v = readable(value)
    call_buf(fn, name, v, value, target, a, v, len(v) if type(v) is bytes else nbytes(v), f, filename=shown)


def setxattr(path: PathArg, name: PathArg, value: Buffer, flags: FlagArg = 0) -> None:
    """Set an attribute; ``XATTR.CREATE`` / ``XATTR.REPLACE`` insist it is new / exists;
    follows symlinks (man 2 setxattr).

    https://man7.org/linux/man-pages/man2/setxattr.2.html

    Raises:
        FileExistsError: ``XATTR.CREATE`` and the attribute exists (EEXIST).
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        PermissionError: no write permission on the file, an immutable or append-only file,
            ``trusted.`` without CAP_SYS_ADMIN, ``user.`` on a file other than a regular file or
            directory (EACCES, EPERM).
        OSError: ENODATA (``XATTR.REPLACE`` and no such attribute), ENOTSUP (no extended attributes
            on this filesystem, or a ``name`` without a namespace it knows), ENOSPC, EDQUOT, ERANGE
            (a ``name`` or value over the filesystem's limit, or an empty ``name``), E2BIG (a value
            over 64 KiB), EROFS ..., the subclass os raises for any other errno.
        TypeError: ``path`` or ``name`` is not str, bytes or os.PathLike, ``value`` no bytes-like
            object, or ``flags`` not an int, XATTR member or name string (before any call).
        BufferError: ``value`` is not C-contiguous (before any call).
        ValueError: a NUL in ``path`` or ``name``, an unknown XATTR name (before any call).
    """
    _set(_setxattr, "setxattr", path, _path(path), name, value, flags)


def lsetxattr(path: PathArg, name: PathArg, value: Buffer, flags: FlagArg = 0) -> None:
    """setxattr of a symlink itself (man 2 lsetxattr).

    https://man7.org/linux/man-pages/man2/lsetxattr.2.html

    Raises:
        FileExistsError: ``XATTR.CREATE`` and the attribute exists (EEXIST).
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        PermissionError: no write permission on the file, an immutable or append-only file,
            ``trusted.`` without CAP_SYS_ADMIN, ``user.`` on a file other than a regular file or
            directory (EACCES, EPERM).
        OSError: ENODATA (``XATTR.REPLACE`` and no such attribute), ENOTSUP (no extended attributes
            on this filesystem, or a ``name`` without a namespace it knows), ENOSPC, EDQUOT, ERANGE
            (a ``name`` or value over the filesystem's limit, or an empty ``name``), E2BIG (a value
            over 64 KiB), EROFS ..., the subclass os raises for any other errno.
        TypeError: ``path`` or ``name`` is not str, bytes or os.PathLike, ``value`` no bytes-like
            object, or ``flags`` not an int, XATTR member or name string (before any call).
        BufferError: ``value`` is not C-contiguous (before any call).
        ValueError: a NUL in ``path`` or ``name``, an unknown XATTR name (before any call).
    """
    _set(_lsetxattr, "lsetxattr", path, _path(path), name, value, flags)


def fsetxattr(fd: FdArg, name: PathArg, value: Buffer, flags: FlagArg = 0) -> None:
    """setxattr of an open fd (man 2 fsetxattr).

    https://man7.org/linux/man-pages/man2/fsetxattr.2.html

    Raises:
        FileExistsError: ``XATTR.CREATE`` and the attribute exists (EEXIST).
        PermissionError: no write permission on the file, an immutable or append-only file,
            ``trusted.`` without CAP_SYS_ADMIN, ``user.`` on a file other than a regular file or
            directory (EACCES, EPERM).
        OSError: ENODATA (``XATTR.REPLACE`` and no such attribute), ENOTSUP (no extended attributes
            on this filesystem, or a ``name`` without a namespace it knows), ENOSPC, EDQUOT, ERANGE
            (a ``name`` or value over the filesystem's limit, or an empty ``name``), E2BIG (a value
            over 64 KiB), EROFS ..., the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``name`` is not str, bytes or os.PathLike, ``fd`` no fd, ``value`` no bytes-like
            object, or ``flags`` not an int, XATTR member or name string (before any call).
        BufferError: ``value`` is not C-contiguous (before any call).
        ValueError: a NUL in ``name``, an unknown XATTR name or std fd name (before any call).
    """
    _set(_fsetxattr, "fsetxattr", None, fdnum(fd), name, value, flags)


@overload
def _names(raw: bytes, original: None) -> list[str]: ...
@overload
def _names(raw: bytes, original: Any) -> Union[list[str], list[bytes]]: ...


def _names(raw: bytes, original: Any) -> Union[list[str], list[bytes]]:
    """Split the kernel's "name\\0name\\0" list; str names unless ``original`` was bytes."""
    if not raw:
        return []
    raw = raw[:-1]
    if original is None:
        return decode(raw).split("\0")
    listed = fsdecode_like(original, raw)
    # (mypy: _core.fsdecode_like returns Any)
    return listed.split(b"\0" if type(listed) is bytes else "\0")  # type: ignore[no-any-return]


@overload
def listxattr(path: Union[str, os.PathLike[str]]) -> list[str]: ...
@overload
def listxattr(path: Union[bytes, os.PathLike[bytes]]) -> list[bytes]: ...


def listxattr(path: PathArg) -> Union[list[str], list[bytes]]:
    """The attribute names of a file, following symlinks; str unless the path was bytes
    (man 2 listxattr).

    https://man7.org/linux/man-pages/man2/listxattr.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        OSError: ENOTSUP (no extended attributes on this filesystem), E2BIG (a list over 64 KiB),
            ELOOP ..., the subclass os raises for any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike (before any call).
        ValueError: a NUL in ``path`` (before any call).
    """
    return _names(_sized(_listxattr, "listxattr", path, _path(path)), path)


@overload
def llistxattr(path: Union[str, os.PathLike[str]]) -> list[str]: ...
@overload
def llistxattr(path: Union[bytes, os.PathLike[bytes]]) -> list[bytes]: ...


def llistxattr(path: PathArg) -> Union[list[str], list[bytes]]:
    """listxattr of a symlink itself (man 2 llistxattr).

    https://man7.org/linux/man-pages/man2/llistxattr.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        OSError: ENOTSUP (no extended attributes on this filesystem), E2BIG (a list over 64 KiB),
            ELOOP ..., the subclass os raises for any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike (before any call).
        ValueError: a NUL in ``path`` (before any call).
    """
    return _names(_sized(_llistxattr, "llistxattr", path, _path(path)), path)


def flistxattr(fd: FdArg) -> list[str]:
    """listxattr of an open fd; names as str (man 2 flistxattr).

    https://man7.org/linux/man-pages/man2/flistxattr.2.html

    Raises:
        OSError: ENOTSUP (no extended attributes on this filesystem), E2BIG (a list over 64 KiB),
            ELOOP ..., the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    return _names(_sized(_flistxattr, "flistxattr", None, fdnum(fd)), None)


# ---- relative to a directory fd (Linux 6.13) ------------------------------------------------
# The *at forms take the file as (dirfd, path) with at_flags AT.SYMLINK_NOFOLLOW (the l forms)
# and AT.EMPTY_PATH (path "" names dirfd itself: the f forms); the value travels in a struct
# xattr_args (xattr.c).  at_flags come last so that the calls read like their path forms.

@overload
def getxattrat(dirfd: FdArg, path: PathArg, name: PathArg, buf: None = None,
               at_flags: FlagArg = 0) -> bytes: ...
@overload
def getxattrat(dirfd: FdArg, path: PathArg, name: PathArg, buf: Buffer,
               at_flags: FlagArg = 0) -> int: ...


def getxattrat(dirfd: FdArg, path: PathArg, name: PathArg, buf: Optional[Buffer] = None,
               at_flags: FlagArg = 0) -> Union[bytes, int]:
    """An attribute's value relative to dirfd as bytes, or filled into ``buf`` returning the
    count (man 2 getxattrat; Linux 6.13).  ``at_flags``: ``AT.SYMLINK_NOFOLLOW``,
    ``AT.EMPTY_PATH``.

    https://man7.org/linux/man-pages/man2/getxattrat.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        PermissionError: the caller may not read ``user.`` attributes of the file, or search
            permission is denied on the way (EACCES).
        OSError: ENODATA (no such attribute, or one of ``trusted.`` without CAP_SYS_ADMIN), ENOTSUP
            (no extended attributes on this filesystem, or a ``name`` without a namespace it knows:
            ``user.``, ``trusted.``, ``security.``, ``system.``), ERANGE (``buf`` too small for the
            value; an empty ``name`` or one over 255 bytes), E2BIG, EINVAL (an unknown ``at_flags``
            bit), ELOOP ..., the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: before Linux 6.13).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` or ``name`` is not str, bytes or os.PathLike; ``buf`` is read-only, an
            ``ffi.from_buffer`` view or other foreign cdata, or no bytes-like object; ``at_flags``
            not an int, AT member or name string; ``dirfd`` is no fd (before any call).
        BufferError: ``buf`` is not C-contiguous (before any call).
        ValueError: a NUL in ``path`` or ``name``, an unknown AT name or std fd name (before any
            call).
    """
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
    ``AT.EMPTY_PATH``.

    https://man7.org/linux/man-pages/man2/setxattrat.2.html

    Raises:
        FileExistsError: ``XATTR.CREATE`` and the attribute exists (EEXIST).
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        PermissionError: no write permission on the file, an immutable or append-only file,
            ``trusted.`` without CAP_SYS_ADMIN, ``user.`` on a file other than a regular file or
            directory (EACCES, EPERM).
        OSError: ENODATA (``XATTR.REPLACE`` and no such attribute), ENOTSUP (no extended attributes
            on this filesystem, or a ``name`` without a namespace it knows), ENOSPC, EDQUOT, ERANGE
            (a ``name`` or value over the filesystem's limit, or an empty ``name``), E2BIG (a value
            over 64 KiB), EROFS ..., the subclass os raises for any other errno (UnsupportedError
            for ENOSYS: before Linux 6.13).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` or ``name`` is not str, bytes or os.PathLike, ``dirfd`` no fd,
            ``value`` no bytes-like object, or ``flags`` / ``at_flags`` not an int, XATTR / AT
            member or name string (before any call).
        BufferError: ``value`` is not C-contiguous (before any call).
        ValueError: a NUL in ``path`` or ``name``, an unknown XATTR or AT name or std fd name
            (before any call).
    """
    d, p, a = fdnum(dirfd), _path(path), _path(name)
    f, at = to_int(flags, XATTR), to_int(at_flags, AT)
    v = readable(value)
    call_buf(_setxattrat, "setxattrat", v, value, d, p, at, a, v,
             len(v) if type(v) is bytes else nbytes(v), f, filename=path)


@overload
def listxattrat(dirfd: FdArg, path: Union[str, os.PathLike[str]],
                at_flags: FlagArg = 0) -> list[str]: ...
@overload
def listxattrat(dirfd: FdArg, path: Union[bytes, os.PathLike[bytes]],
                at_flags: FlagArg = 0) -> list[bytes]: ...


def listxattrat(dirfd: FdArg, path: PathArg,
                at_flags: FlagArg = 0) -> Union[list[str], list[bytes]]:
    """The attribute names of a file relative to dirfd; str unless the path was bytes
    (man 2 listxattrat; Linux 6.13).  ``at_flags`` as for getxattrat.

    https://man7.org/linux/man-pages/man2/listxattrat.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        OSError: ENOTSUP (no extended attributes on this filesystem), E2BIG (a list over 64 KiB),
            EINVAL (an unknown ``at_flags`` bit), ELOOP ..., the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: before Linux 6.13).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or os.PathLike, ``at_flags`` not an int, AT member or
            name string, or ``dirfd`` no fd (before any call).
        ValueError: a NUL in ``path``, an unknown AT name or std fd name (before any call).
    """
    at = to_int(at_flags, AT)
    return _names(_sized(_listxattrat, "listxattrat", path, fdnum(dirfd), _path(path), at), path)


def removexattrat(dirfd: FdArg, path: PathArg, name: PathArg, at_flags: FlagArg = 0) -> None:
    """Remove an attribute relative to dirfd (man 2 removexattrat; Linux 6.13).  ``at_flags``
    as for getxattrat.

    https://man7.org/linux/man-pages/man2/removexattrat.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        PermissionError: no write permission on the file, an immutable or append-only file,
            ``trusted.`` without CAP_SYS_ADMIN (EACCES, EPERM).
        OSError: ENODATA (no such attribute), ENOTSUP (no extended attributes on this filesystem,
            or a ``name`` without a namespace it knows), EINVAL (an unknown ``at_flags`` bit),
            EROFS ..., the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            before Linux 6.13).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` or ``name`` is not str, bytes or os.PathLike, ``at_flags`` not an int,
            AT member or name string, or ``dirfd`` no fd (before any call).
        ValueError: a NUL in ``path`` or ``name``, an unknown AT name or std fd name (before any
            call).
    """
    at = to_int(at_flags, AT)
    call(_removexattrat, "removexattrat", fdnum(dirfd), _path(path), at, _path(name),
         filename=path)


methods(fgetxattr, fsetxattr, flistxattr, getxattrat, setxattrat, listxattrat, removexattrat)

__all__ = ["getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr",
           "listxattr", "llistxattr", "flistxattr", "getxattrat", "setxattrat", "listxattrat",
           "removexattrat"]
__all__ += _sys_xattr.__all__
