"""fs: paths, metadata, directories and whole-file operations (man 2 openat, statx ...).

Every function raises the OSError subclass os would for the kernel's errno (``UnsupportedError``
for ENOSYS; EINTR is retried), ``ClosedFdError`` for a closed Fd, and TypeError, ValueError or
OverflowError for a bad Python argument before any syscall.  Parameters carry the man page's
names (``path``, ``dirfd``, ``oldpath``/``newpath`` ...), so keyword calls read like it.
"""
from __future__ import annotations

import operator
import os
import struct
from collections import deque
from typing import Any, Callable, NamedTuple, Optional, Union, overload

from . import _sys_fs
from ._core import (NEG_EINTR, U32, U64, Buffer, PathArg, c_int, call, call_buf, decode, error,
                    ffi, fsdecode_like, in_range, lib, nbytes, writable)
from ._core import path as _path  # the converter: ``path`` is every function's parameter
from .fd import Fd, FdArg, fdnum, methods
from .flags import FlagArg, to_int
from .stat import RAW_SIZE, Stat
# The plain syscalls, generated from their declarations in cdefs/fs.h (tools/gen_syscalls.py);
# the path-only calls below wrap the *at ones named here.
from ._sys_fs import *  # noqa: F401,F403
from ._sys_fs import fchownat, linkat, mkdirat, mknodat, renameat2, symlinkat, unlinkat

from ._consts import (O, AT, S, STATX, FACCESSAT, RESOLVE, OK, POSIX_FADV, MFD, NAME_TO_HANDLE_AT,
                      FS_XFLAG)

_openat = lib.ls_openat
_openat2 = lib.ls_openat2
_statx = lib.ls_statx
_getdents64 = lib.ls_getdents64
_faccessat = lib.ls_faccessat
_faccessat2 = lib.ls_faccessat2
_fchmodat = lib.ls_fchmodat
_fchmodat2 = lib.ls_fchmodat2
_utimensat = lib.ls_utimensat
_readlinkat = lib.ls_readlinkat
_getcwd = lib.ls_getcwd
_fadvise = lib.ls_fadvise
_memfd_create = lib.ls_memfd_create
_statfs = lib.ls_statfs
_fstatfs = lib.ls_fstatfs
_name_to_handle_at = lib.ls_name_to_handle_at
_open_by_handle_at = lib.ls_open_by_handle_at
_cachestat = lib.ls_cachestat
_file_getattr = lib.ls_file_getattr
_file_setattr = lib.ls_file_setattr

_AT_FDCWD = lib.AT_FDCWD
_AT_EMPTY_PATH = lib.AT_EMPTY_PATH
_AT_SYMLINK_NOFOLLOW = lib.AT_SYMLINK_NOFOLLOW
_AT_REMOVEDIR = lib.AT_REMOVEDIR
_AT_ACCESS = lib.AT_SYMLINK_NOFOLLOW | lib.AT_EMPTY_PATH  # the AT bits faccessat takes too
_O_CLOEXEC = lib.O_CLOEXEC
_MFD_CLOEXEC = lib.MFD_CLOEXEC
_UTIME_SPECIAL = (lib.UTIME_NOW, lib.UTIME_OMIT)
_NEG_ERANGE = -lib.ERANGE
_NULL = ffi.NULL
_STAT_MASK = lib.STATX_BASIC_STATS | lib.STATX_BTIME

_new = ffi.new
_unpack: Callable[[Any, int], bytes] = ffi.unpack  # (of char arrays only, here)
_buffer = ffi.buffer
_object_new = object.__new__

# Pooled statx result buffers, each with a memoryview over it (tobytes() copies out faster
# than ffi.unpack): the GIL is released during the syscall, so each call owns the pair it
# popped (see _core's pools).  A Stat keeps the bytes and decodes fields when read.  The
# stat calls inline the pool and the Stat: a Python frame costs as much as the copy.
_stat_bufs: deque[tuple[Any, memoryview]] = deque()
_stat_pop = _stat_bufs.pop  # bound once: a bytecode less per call
_stat_push = _stat_bufs.append
_fstat = lib.ls_fstat


def _new_stat_buf() -> tuple[Any, memoryview]:
    buf = _new("char[]", RAW_SIZE)
    return buf, memoryview(ffi.buffer(buf))


def _dirfd(dirfd: FdArg) -> int:
    return dirfd if type(dirfd) is int else fdnum(dirfd)


# open and openat are one body each, not a shared helper: a Python frame costs 5 % of an
# open + close.
def openat(dirfd: FdArg, path: PathArg, flags: FlagArg = 0, mode: FlagArg = 0o666,
           *, inheritable: bool = False) -> Fd:
    """Open ``path`` relative to ``dirfd`` (man 2 openat); close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/openat.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (without ``O.CREAT``
            for the last component) (ENOENT).
        FileExistsError: ``O.CREAT | O.EXCL`` and ``path`` exists (EEXIST).
        PermissionError: search, read or write permission denied, ``O.NOATIME`` on a file not the
            caller's, a file seal (EACCES, EPERM).
        IsADirectoryError: ``path`` is a directory opened for writing (EISDIR).
        NotADirectoryError: a component of ``path`` is no directory, or ``O.DIRECTORY`` and
            ``path`` is none; a relative ``path`` with a ``dirfd`` that is no directory (ENOTDIR).
        OSError: ELOOP (too many symlinks, or a symlink with ``O.NOFOLLOW``), EMFILE/ENFILE (no fd
            to spare), EINVAL (bad flags, ``O.DIRECT`` unsupported), EROFS, ENOSPC, ETXTBSY, ENXIO,
            EBADF (a ``dirfd`` number that is not open) ..., the subclass os raises for any other
            errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or os.PathLike, ``flags`` / ``mode`` not an int, O /
            S member or name string, or ``dirfd`` no fd (before any call).
        ValueError: a NUL in ``path``, an unknown O or S name, or an unknown std fd name (before
            any call).
        OverflowError: ``flags`` or the fd number beyond a C int, ``mode`` negative or beyond 32
            bits (before any call).
    """
    p = _path(path)
    if type(flags) is not int:
        flags = to_int(flags, O)
    if not inheritable:
        flags |= _O_CLOEXEC
    if type(mode) is not int:
        mode = to_int(mode, S)
    d = dirfd if type(dirfd) is int else fdnum(dirfd)  # ``dirfd`` keeps a temporary Fd open
    r = _openat(d, p, flags, mode)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, "openat", path)
        r = _openat(d, p, flags, mode)
    fd = _object_new(Fd)  # Fd(r) would re-validate the number the kernel just gave
    fd._fd = r
    fd._gc = True
    fd._kind = None
    return fd


def open(path: PathArg, flags: FlagArg = 0, mode: FlagArg = 0o666,
         *, inheritable: bool = False) -> Fd:
    """Open a file (man 2 open; openat(AT_FDCWD) on every arch); an Fd, close-on-exec
    unless ``inheritable`` (PEP 446).

    https://man7.org/linux/man-pages/man2/open.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (without ``O.CREAT``
            for the last component) (ENOENT).
        FileExistsError: ``O.CREAT | O.EXCL`` and ``path`` exists (EEXIST).
        PermissionError: search, read or write permission denied, ``O.NOATIME`` on a file not the
            caller's, a file seal (EACCES, EPERM).
        IsADirectoryError: ``path`` is a directory opened for writing (EISDIR).
        NotADirectoryError: a component of ``path`` is no directory, or ``O.DIRECTORY`` and
            ``path`` is none (ENOTDIR).
        OSError: ELOOP (too many symlinks, or a symlink with ``O.NOFOLLOW``), EMFILE/ENFILE (no fd
            to spare), EINVAL (bad flags, ``O.DIRECT`` unsupported), EROFS, ENOSPC, ETXTBSY, ENXIO
            ..., the subclass os raises for any other errno (UnsupportedError for ENOSYS).
        TypeError: ``path`` is not str, bytes or os.PathLike, or ``flags`` / ``mode`` not an int, O
            / S member or name string (before any call).
        ValueError: a NUL in ``path``, or an unknown O or S name (before any call).
        OverflowError: ``flags`` beyond a C int, ``mode`` negative or beyond 32 bits (before any
            call).
    """
    p = _path(path)
    if type(flags) is not int:
        flags = to_int(flags, O)
    if not inheritable:
        flags |= _O_CLOEXEC
    if type(mode) is not int:
        mode = to_int(mode, S)
    r = _openat(_AT_FDCWD, p, flags, mode)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, "openat", path)
        r = _openat(_AT_FDCWD, p, flags, mode)
    fd = _object_new(Fd)
    fd._fd = r
    fd._gc = True
    fd._kind = None
    return fd


def openat2(dirfd: FdArg, path: PathArg, flags: FlagArg = 0, mode: FlagArg = 0,
            resolve: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """openat with ``RESOLVE`` restrictions on path resolution (man 2 openat2; Linux 5.6).

    https://man7.org/linux/man-pages/man2/openat2.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        FileExistsError: ``O.CREAT | O.EXCL`` and ``path`` exists (EEXIST).
        PermissionError: search, read or write permission denied (EACCES, EPERM).
        BlockingIOError: ``RESOLVE.CACHED`` and the lookup needs more than the cache, or a rename
            raced a ``RESOLVE.BENEATH`` / ``RESOLVE.IN_ROOT`` lookup (EAGAIN).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EXDEV (``path`` escapes ``dirfd`` under ``RESOLVE.BENEATH`` / ``RESOLVE.IN_ROOT``,
            or crosses a mount under ``RESOLVE.NO_XDEV``), ELOOP (a symlink under
            ``RESOLVE.NO_SYMLINKS``, a magic link under ``RESOLVE.NO_MAGICLINKS``), EINVAL (an
            unknown flag, which openat2 refuses unlike openat, or a ``mode`` without ``O.CREAT`` /
            ``O.TMPFILE``), EMFILE ..., the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: before Linux 5.6).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or os.PathLike, ``flags`` / ``mode`` / ``resolve``
            not an int, O / S / RESOLVE member or name string, or ``dirfd`` no fd (before any
            call).
        ValueError: a NUL in ``path``, an unknown flag name or std fd name (before any call).
    """
    f = to_int(flags, O)
    if not inheritable:
        f |= _O_CLOEXEC
    return Fd(call(_openat2, "openat2", _dirfd(dirfd), _path(path), f, to_int(mode, S),
                   to_int(resolve, RESOLVE), filename=path))


def _statx_into(dirfd: int, p: bytes, flags: int, mask: int, shown: Any) -> Stat:
    try:
        pair = _stat_pop()
    except IndexError:
        pair = _new_stat_buf()
    r = _statx(dirfd, p, flags, mask, pair[0])
    while r < 0:
        if r != NEG_EINTR:
            _stat_push(pair)
            raise error(-r, "statx", shown)
        r = _statx(dirfd, p, flags, mask, pair[0])
    st = _object_new(Stat)
    st._raw = pair[1].tobytes()
    _stat_push(pair)
    return st


def statx(dirfd: FdArg, path: PathArg, flags: FlagArg = 0,
          mask: FlagArg = lib.STATX_BASIC_STATS) -> Stat:
    """File status, asking for the ``STATX`` fields in ``mask`` (man 2 statx); ``flags``:
    ``AT.SYMLINK_NOFOLLOW``, ``AT.EMPTY_PATH``, ``AT.NO_AUTOMOUNT``, ``AT.STATX_*``.

    https://man7.org/linux/man-pages/man2/statx.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist, or is "" without
            ``AT.EMPTY_PATH`` (ENOENT).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        NotADirectoryError: a component of ``path`` is no directory, or a relative ``path`` with a
            ``dirfd`` that is no directory (ENOTDIR).
        OSError: ELOOP (too many symlinks), ENAMETOOLONG, EBADF (a ``dirfd`` number that is not
            open), EINVAL (an unknown flag, or the reserved bit in ``mask``) ..., the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: statx is Linux 4.11).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or os.PathLike, ``flags`` (AT) or ``mask`` (STATX)
            not an int, member or name string of their namespace, or ``dirfd`` no fd (before any
            call).
        ValueError: a NUL in ``path``, an unknown flag name or std fd name (before any call).
        OverflowError: ``flags`` or ``mask`` beyond its C type (before any call).
    """
    return _statx_into(_dirfd(dirfd), _path(path), to_int(flags, AT), to_int(mask, STATX),
                       path)


def fstatat(dirfd: FdArg, path: PathArg, flags: FlagArg = 0) -> Stat:
    """stat relative to ``dirfd``; ``AT.SYMLINK_NOFOLLOW``, ``AT.EMPTY_PATH`` (man 2 fstatat; statx
    on every arch).

    https://man7.org/linux/man-pages/man2/fstatat.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist, or is "" without
            ``AT.EMPTY_PATH`` (ENOENT).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        NotADirectoryError: a component of ``path`` is no directory, or a relative ``path`` with a
            ``dirfd`` that is no directory (ENOTDIR).
        OSError: ELOOP (too many symlinks), ENAMETOOLONG, EBADF (a ``dirfd`` number that is not
            open), EINVAL (an unknown flag) ..., the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: statx is Linux 4.11).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or os.PathLike, ``flags`` not an int, member or name
            string of their namespace, or ``dirfd`` no fd (before any call).
        ValueError: a NUL in ``path``, an unknown flag name or std fd name (before any call).
        OverflowError: ``flags`` beyond its C type (before any call).
    """
    return _statx_into(_dirfd(dirfd), _path(path), to_int(flags, AT), _STAT_MASK, path)


def stat(path: PathArg) -> Stat:
    """File status, following symlinks (man 2 stat; statx on every arch).

    https://man7.org/linux/man-pages/man2/stat.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist, or a dangling symlink
            (ENOENT).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: ELOOP (too many symlinks), ENAMETOOLONG, EOVERFLOW ..., the subclass os raises for
            any other errno (UnsupportedError for ENOSYS: statx is Linux 4.11).
        TypeError: ``path`` is not str, bytes or os.PathLike (before any call).
        ValueError: a NUL in ``path`` (before any call).
    """
    p = _path(path)  # _statx_into inlined: the commonest stat, and a frame costs 5 %
    try:
        pair = _stat_pop()
    except IndexError:
        pair = _new_stat_buf()
    r = _statx(_AT_FDCWD, p, 0, _STAT_MASK, pair[0])
    while r < 0:
        if r != NEG_EINTR:
            _stat_push(pair)
            raise error(-r, "statx", path)
        r = _statx(_AT_FDCWD, p, 0, _STAT_MASK, pair[0])
    st = _object_new(Stat)
    st._raw = pair[1].tobytes()
    _stat_push(pair)
    return st


def lstat(path: PathArg) -> Stat:
    """File status of a symlink itself (man 2 lstat; statx on every arch).

    https://man7.org/linux/man-pages/man2/lstat.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: ELOOP (too many symlinks on the way), ENAMETOOLONG ..., the subclass os raises for
            any other errno (UnsupportedError for ENOSYS: statx is Linux 4.11).
        TypeError: ``path`` is not str, bytes or os.PathLike (before any call).
        ValueError: a NUL in ``path`` (before any call).
    """
    return _statx_into(_AT_FDCWD, _path(path), _AT_SYMLINK_NOFOLLOW, _STAT_MASK, path)


def fstat(fd: FdArg) -> Stat:
    """File status of an open fd (man 2 fstat; statx with AT_EMPTY_PATH on every arch).

    https://man7.org/linux/man-pages/man2/fstat.2.html

    Raises:
        OSError: EBADF for a number that is not open, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: statx is Linux 4.11).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (an Fd, int, std name or object with fileno()) (before any
            call).
        ValueError: an unknown std fd name (before any call).
    """
    n = fd if type(fd) is int else fdnum(fd)  # ``fd`` itself keeps a temporary Fd open
    try:
        pair = _stat_pop()
    except IndexError:
        pair = _new_stat_buf()
    r = _fstat(n, pair[0])
    while r < 0:
        if r != NEG_EINTR:
            _stat_push(pair)
            raise error(-r, "statx")
        r = _fstat(n, pair[0])
    st = _object_new(Stat)
    st._raw = pair[1].tobytes()
    _stat_push(pair)
    return st


def getdents64(fd: FdArg, buf: Buffer) -> int:
    """Fill the writable ``buf`` with ``struct linux_dirent64`` records; return the bytes used,
    0 at the end (man 2 getdents64).

    https://man7.org/linux/man-pages/man2/getdents64.2.html

    Raises:
        NotADirectoryError: ``fd`` is not a directory (ENOTDIR).
        FileNotFoundError: the directory was removed (ENOENT).
        OSError: EINVAL if the buffer is too small for the next entry, EBADF for a number that is
            not open ..., the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``buf`` is read-only, an ``ffi.from_buffer`` view or other foreign cdata, or no
            bytes-like object; ``fd`` is no fd (before any call).
        BufferError: ``buf`` is not C-contiguous (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    n = fdnum(fd)  # before the view: nothing to release if the fd is refused
    cbuf = writable(buf)
    return call_buf(_getdents64, "getdents64", cbuf, buf, n, cbuf, nbytes(cbuf))


# ---- argument conversion shared below ------------------------------------------------------

_PATH_MAX = 4096  # the first buffer _grown tries


def _grown(fn: Any, name: str, shown: Any, *args: Any) -> bytes:
    """What ``fn(*args, buf, size)`` writes, the buffer doubled until it fits (readlink fills
    it to the brim, getcwd says ERANGE)."""
    n = _PATH_MAX
    while True:
        buf = _new("char[]", n)
        r = fn(*args, buf, n)
        if 0 <= r < n:
            return _unpack(buf, r)
        if r == n or r == _NEG_ERANGE:
            n *= 2
        elif r != NEG_EINTR:
            raise error(-r, name, shown)


# ---- permissions, ownership, times ---------------------------------------------------------

def _at_or_at2(at: Any, name: str, at2: Any, dirfd: FdArg, path: PathArg, mode: int,
               flags: int) -> None:
    """Call ``name`` (no flags argument), or its ``name + "2"`` successor when flags are given."""
    d, p = _dirfd(dirfd), _path(path)
    if flags:
        call(at2, name + "2", d, p, mode, flags, filename=path)
    else:
        call(at, name, d, p, mode, filename=path)


def _faccessat_flags(flags: FlagArg) -> int:
    """faccessat's flags: ``FACCESSAT`` members, or the AT members of the same bits
    (``AT.SYMLINK_NOFOLLOW``, ``AT.EMPTY_PATH``); another AT member (``AT.REMOVEDIR``, whose bit
    faccessat reads as EACCESS) is a TypeError."""
    if type(flags) is AT and not flags & ~_AT_ACCESS:
        return int(flags)
    return to_int(flags, FACCESSAT)


def faccessat(dirfd: FdArg, path: PathArg, mode: FlagArg, flags: FlagArg = 0) -> None:
    """Check access to a file relative to dirfd (man 2 faccessat; faccessat2 when flags are given).

    https://man7.org/linux/man-pages/man2/faccessat.2.html

    This is the syscall, not os.access: it returns None when access is allowed and raises
    when not.  ``mode`` is ``OK.F`` or a combination of ``OK.R``, ``OK.W``, ``OK.X``;
    ``flags`` are ``FACCESSAT.EACCESS``, ``.SYMLINK_NOFOLLOW``, ``.EMPTY_PATH`` (the last two
    also as AT members; faccessat2, Linux 5.8: older kernels raise UnsupportedError rather
    than emulate them).

    Raises:
        PermissionError: the access ``mode`` asks is denied, search permission is denied on the
            way, or write access to an immutable file (EACCES, EPERM).
        FileNotFoundError: ``path`` or a directory on its way does not exist, or a dangling symlink
            (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EROFS (write access on a read-only filesystem), ETXTBSY (write access to a running
            executable), ELOOP, EINVAL (a bad ``mode`` or flag), EBADF ..., the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: ``flags`` on a kernel before 5.8).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or os.PathLike, ``mode`` not an int, OK member or
            name string, ``flags`` not an int, FACCESSAT member, name string, or AT member of the
            same bits (``AT.REMOVEDIR`` ...), or ``dirfd`` no fd (before any call).
        ValueError: a NUL in ``path``, an unknown OK or FACCESSAT name, or an unknown std fd name
            (before any call).
    """
    _at_or_at2(_faccessat, "faccessat", _faccessat2, dirfd, path, to_int(mode, OK),
               _faccessat_flags(flags))


def access(path: PathArg, mode: FlagArg) -> None:
    """Check the real ids' access to a file; None or raises, unlike os.access (man 2 access;
    faccessat on every arch).

    https://man7.org/linux/man-pages/man2/access.2.html

    Raises:
        PermissionError: the access ``mode`` asks is denied, search permission is denied on the
            way, or write access to an immutable file (EACCES, EPERM).
        FileNotFoundError: ``path`` or a directory on its way does not exist, or a dangling symlink
            (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EROFS (write access on a read-only filesystem), ETXTBSY (write access to a running
            executable), ELOOP, EINVAL (a bad ``mode``) ..., the subclass os raises for any other
            errno.
        TypeError: ``path`` is not str, bytes or os.PathLike, or ``mode`` not an int, OK member or
            name string (before any call).
        ValueError: a NUL in ``path`` or an unknown OK name (before any call).
    """
    faccessat(_AT_FDCWD, path, mode)


def fchmodat(dirfd: FdArg, path: PathArg, mode: FlagArg, flags: FlagArg = 0) -> None:
    """Change a file's mode bits relative to dirfd (man 2 fchmodat).

    https://man7.org/linux/man-pages/man2/fchmodat.2.html

    ``flags`` (``AT.SYMLINK_NOFOLLOW``, ``AT.EMPTY_PATH``) need fchmodat2 (Linux 6.6).

    Raises:
        PermissionError: the caller neither owns the file nor has CAP_FOWNER, the file is immutable
            or append-only, or search permission is denied (EPERM, EACCES).
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EOPNOTSUPP (``AT.SYMLINK_NOFOLLOW`` on a symlink: a symlink itself cannot be
            chmod-ed), EROFS, ELOOP, EINVAL (an unknown flag), EBADF ..., the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: ``flags`` on a kernel before 6.6).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or os.PathLike, ``mode`` / ``flags`` not an int, S /
            AT member or name string, or ``dirfd`` no fd (before any call).
        ValueError: a NUL in ``path``, an unknown S or AT name, or an unknown std fd name (before
            any call).
        OverflowError: ``mode`` negative or beyond 32 bits, ``flags`` beyond a C int (before any
            call).
    """
    _at_or_at2(_fchmodat, "fchmodat", _fchmodat2, dirfd, path, to_int(mode, S),
               to_int(flags, AT))


def chmod(path: PathArg, mode: FlagArg) -> None:
    """Change a file's mode bits (man 2 chmod; fchmodat on every arch).

    https://man7.org/linux/man-pages/man2/chmod.2.html

    Raises:
        PermissionError: the caller neither owns the file nor has CAP_FOWNER, the file is immutable
            or append-only, or search permission is denied (EPERM, EACCES).
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EROFS, ELOOP ..., the subclass os raises for any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike, or ``mode`` not an int, S member or
            name string (before any call).
        ValueError: a NUL in ``path`` or an unknown S name (before any call).
        OverflowError: ``mode`` negative or beyond 32 bits (before any call).
    """
    fchmodat(_AT_FDCWD, path, mode)


def chown(path: PathArg, owner: int, group: int) -> None:
    """Change a file's owner and group, following symlinks; -1 leaves one unchanged
    (man 2 chown; fchownat on every arch).

    https://man7.org/linux/man-pages/man2/chown.2.html

    Raises:
        PermissionError: changing the owner without CAP_CHOWN, or the group to one the caller is
            not in; an immutable or append-only file; search permission denied (EPERM, EACCES).
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EINVAL (an id with no mapping in the caller's user namespace), EROFS, ELOOP ...,
            the subclass os raises for any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike, or an id not an int (before any
            call).
        ValueError: a NUL in ``path`` (before any call).
        OverflowError: an id outside -1..0xFFFFFFFE (before any call).
    """
    fchownat(_AT_FDCWD, path, owner, group)


def lchown(path: PathArg, owner: int, group: int) -> None:
    """chown of a symlink itself (man 2 lchown; fchownat on every arch).

    https://man7.org/linux/man-pages/man2/lchown.2.html

    Raises:
        PermissionError: changing the owner without CAP_CHOWN, or the group to one the caller is
            not in; an immutable or append-only file; search permission denied (EPERM, EACCES).
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EINVAL (an id with no mapping in the caller's user namespace), EROFS, ELOOP ...,
            the subclass os raises for any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike, or an id not an int (before any
            call).
        ValueError: a NUL in ``path`` (before any call).
        OverflowError: an id outside -1..0xFFFFFFFE (before any call).
    """
    fchownat(_AT_FDCWD, path, owner, group, _AT_SYMLINK_NOFOLLOW)


_TIME_FORMS = "a (sec, nsec) pair, UTIME_NOW or UTIME_OMIT"


def _timespec(t: Any) -> tuple[int, int]:
    if isinstance(t, int):
        if t not in _UTIME_SPECIAL:
            raise ValueError(f"a time must be {_TIME_FORMS}, not {t}")
        return 0, t
    try:
        sec, nsec = t
    except (TypeError, ValueError):
        raise TypeError(f"a time must be {_TIME_FORMS}, not {t!r}") from None
    sec, nsec = operator.index(sec), operator.index(nsec)
    if not 0 <= nsec < 1_000_000_000 and nsec not in _UTIME_SPECIAL:
        raise ValueError(f"nanoseconds must be in 0..999999999, not {nsec}")
    return sec, nsec


def _times(times: Any) -> Any:
    """None (both now) as NULL, else ``(atime, mtime)`` as int64_t[4] {sec, nsec, sec, nsec}."""
    if times is None:
        return _NULL
    try:
        atime, mtime = times
    except (TypeError, ValueError):
        raise TypeError(f"times must be None or an (atime, mtime) pair, not {times!r}") from None
    return _new("int64_t[4]", _timespec(atime) + _timespec(mtime))


def utimensat(dirfd: FdArg, path: Optional[PathArg], times: Any = None,
              flags: FlagArg = 0) -> None:
    """Set a file's access and modification times relative to dirfd (man 2 utimensat).

    https://man7.org/linux/man-pages/man2/utimensat.2.html

    ``times`` is None (both now) or ``(atime, mtime)``, each a ``(sec, nsec)`` pair or
    ``UTIME_NOW`` / ``UTIME_OMIT``; seconds are 64-bit on every arch (utimensat_time64 on
    32-bit ones).  A ``path`` of None means dirfd itself.  ``AT.SYMLINK_NOFOLLOW``.

    Raises:
        PermissionError: setting times other than now on a file not the caller's (without
            CAP_FOWNER), now without write access, an immutable or append-only file, or search
            permission denied (EPERM, EACCES).
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EROFS, ELOOP, EINVAL (an unknown flag; ``path`` None with
            ``AT.SYMLINK_NOFOLLOW``), EBADF ..., the subclass os raises for any other errno.
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is neither None nor str, bytes or os.PathLike, ``times`` not None or a
            pair of times in the forms above, ``flags`` not an int, AT member or name string, or
            ``dirfd`` no fd (before any call).
        ValueError: a time int other than UTIME_NOW / UTIME_OMIT, nanoseconds outside 0..999999999,
            a NUL in ``path``, an unknown AT name or std fd name (before any call).
        OverflowError: seconds beyond 64 bits (before any call).
    """
    p = _NULL if path is None else _path(path)
    call(_utimensat, "utimensat", _dirfd(dirfd), p, _times(times), to_int(flags, AT),
         filename=path)


def futimens(fd: FdArg, times: Any = None) -> None:
    """Set an open file's access and modification times (man 2 futimens: utimensat(fd, NULL)).

    https://man7.org/linux/man-pages/man2/futimens.2.html

    Raises:
        PermissionError: setting times other than now on a file not the caller's (without
            CAP_FOWNER), now without write access, or an immutable or append-only file (EPERM,
            EACCES).
        OSError: EBADF for a number that is not open, EROFS ..., the subclass os raises for any
            other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``times`` is not None or a pair of times as for utimensat, or ``fd`` no fd
            (before any call).
        ValueError: a time int other than UTIME_NOW / UTIME_OMIT, nanoseconds outside 0..999999999,
            or an unknown std fd name (before any call).
        OverflowError: seconds beyond 64 bits (before any call).
    """
    utimensat(fd, None, times)


# ---- links, names, directories -------------------------------------------------------------

def link(oldpath: PathArg, newpath: PathArg) -> None:
    """Make ``newpath`` a hard link to ``oldpath`` (man 2 link; linkat on every arch).

    https://man7.org/linux/man-pages/man2/link.2.html

    Raises:
        FileExistsError: ``newpath`` exists (EEXIST).
        FileNotFoundError: ``oldpath`` or a directory of either path does not exist (ENOENT).
        PermissionError: ``oldpath`` is a directory, protected_hardlinks refuses a file not the
            caller's, write permission on ``newpath``'s directory or search permission denied
            (EPERM, EACCES).
        NotADirectoryError: a component of either path is no directory (ENOTDIR).
        OSError: EXDEV (the two paths are on different mounts), EMLINK (too many links), ENOSPC,
            EDQUOT, EROFS, ELOOP ..., the subclass os raises for any other errno.
        TypeError: a path is not str, bytes or os.PathLike (before any call).
        ValueError: a NUL in a path (before any call).
    """
    linkat(_AT_FDCWD, oldpath, _AT_FDCWD, newpath)


def symlink(target: PathArg, linkpath: PathArg) -> None:
    """Make ``linkpath`` a symlink holding ``target`` (man 2 symlink; symlinkat on every arch).

    https://man7.org/linux/man-pages/man2/symlink.2.html

    Raises:
        FileExistsError: ``linkpath`` exists (EEXIST).
        FileNotFoundError: a directory of ``linkpath`` does not exist, or ``target`` is ""
            (ENOENT).
        PermissionError: write permission on ``linkpath``'s directory or search permission denied,
            or the filesystem takes no symlinks (EACCES, EPERM).
        NotADirectoryError: a component of ``linkpath`` is no directory (ENOTDIR).
        OSError: ENOSPC, EDQUOT, EROFS, ELOOP, ENAMETOOLONG ..., the subclass os raises for any
            other errno.
        TypeError: ``target`` or ``linkpath`` is not str, bytes or os.PathLike (before any call).
        ValueError: a NUL in ``target`` or ``linkpath`` (before any call).
    """
    symlinkat(target, _AT_FDCWD, linkpath)


@overload
def readlinkat(dirfd: FdArg, path: Union[str, os.PathLike[str]], buf: None = None) -> str: ...
@overload
def readlinkat(dirfd: FdArg, path: Union[bytes, os.PathLike[bytes]],
               buf: None = None) -> bytes: ...
@overload
def readlinkat(dirfd: FdArg, path: PathArg, buf: Buffer) -> int: ...


def readlinkat(dirfd: FdArg, path: PathArg,
               buf: Optional[Buffer] = None) -> Union[str, bytes, int]:
    """A symlink's target relative to dirfd (man 2 readlinkat): str (bytes for a bytes path),
    or with ``buf`` the count written into it (no NUL; a full buffer may mean truncated).

    https://man7.org/linux/man-pages/man2/readlinkat.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EINVAL when ``path`` is no symlink (or ``buf`` is empty), ELOOP, EIO ..., the
            subclass os raises for any other errno.
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or os.PathLike; ``buf`` is read-only, an
            ``ffi.from_buffer`` view or other foreign cdata, or no bytes-like object; ``dirfd`` no
            fd (before any call).
        BufferError: ``buf`` is not C-contiguous (before any call).
        ValueError: a NUL in ``path`` or an unknown std fd name (before any call).
    """
    d, p = _dirfd(dirfd), _path(path)
    if buf is None:
        # (mypy: _core.fsdecode_like returns Any)
        return fsdecode_like(path, _grown(_readlinkat, "readlinkat", path, d, p))  # type: ignore[no-any-return]
    cbuf = writable(buf)
    return call_buf(_readlinkat, "readlinkat", cbuf, buf, d, p, cbuf, nbytes(cbuf), filename=path)


@overload
def readlink(path: Union[str, os.PathLike[str]], buf: None = None) -> str: ...
@overload
def readlink(path: Union[bytes, os.PathLike[bytes]], buf: None = None) -> bytes: ...
@overload
def readlink(path: PathArg, buf: Buffer) -> int: ...


def readlink(path: PathArg, buf: Optional[Buffer] = None) -> Union[str, bytes, int]:
    """A symlink's target: str (bytes for a bytes path), or with ``buf`` the count written
    (man 2 readlink; readlinkat on every arch).

    https://man7.org/linux/man-pages/man2/readlink.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EINVAL when ``path`` is no symlink (or ``buf`` is empty), ELOOP, EIO ..., the
            subclass os raises for any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike; ``buf`` is read-only, an
            ``ffi.from_buffer`` view or other foreign cdata, or no bytes-like object (before any
            call).
        BufferError: ``buf`` is not C-contiguous (before any call).
        ValueError: a NUL in ``path`` (before any call).
    """
    return readlinkat(_AT_FDCWD, path, buf)


def unlink(path: PathArg) -> None:
    """Remove a name (man 2 unlink; unlinkat on every arch).

    https://man7.org/linux/man-pages/man2/unlink.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        IsADirectoryError: ``path`` is a directory (EISDIR; rmdir removes those).
        PermissionError: write permission on the directory or search permission denied, the
            directory's sticky bit and a file not the caller's, an immutable or append-only file
            (EACCES, EPERM).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EBUSY (in use by the system: a mount point ...), EROFS, ELOOP, EIO ..., the
            subclass os raises for any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike (before any call).
        ValueError: a NUL in ``path`` (before any call).
    """
    unlinkat(_AT_FDCWD, path)


def rmdir(path: PathArg) -> None:
    """Remove an empty directory (man 2 rmdir; unlinkat(AT_REMOVEDIR) on every arch).

    https://man7.org/linux/man-pages/man2/rmdir.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        NotADirectoryError: ``path`` or a component of it is no directory (ENOTDIR).
        PermissionError: write permission on the parent or search permission denied, the parent's
            sticky bit and a directory not the caller's (EACCES, EPERM).
        OSError: ENOTEMPTY (the directory holds entries), EBUSY (a mount point, a root), EINVAL
            (``path`` ends in "."), EROFS, ELOOP ..., the subclass os raises for any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike (before any call).
        ValueError: a NUL in ``path`` (before any call).
    """
    unlinkat(_AT_FDCWD, path, _AT_REMOVEDIR)


def rename(oldpath: PathArg, newpath: PathArg) -> None:
    """Rename ``oldpath`` to ``newpath``, replacing it (man 2 rename; renameat2 on every arch).

    https://man7.org/linux/man-pages/man2/rename.2.html

    Raises:
        FileNotFoundError: ``oldpath`` or a directory of either path does not exist (ENOENT).
        IsADirectoryError: ``newpath`` is a directory and ``oldpath`` is not (EISDIR).
        NotADirectoryError: ``oldpath`` is a directory and ``newpath`` is not, or a component of
            either path is no directory (ENOTDIR).
        PermissionError: write permission on a directory or search permission denied, a sticky
            directory, an immutable file (EACCES, EPERM).
        OSError: ENOTEMPTY/EEXIST (``newpath`` is a directory with entries), EXDEV (different
            mounts), EBUSY, EINVAL (a directory into its own subdirectory), EMLINK, ENOSPC, EROFS,
            ELOOP ..., the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            renameat2 is Linux 3.15).
        TypeError: a path is not str, bytes or os.PathLike (before any call).
        ValueError: a NUL in a path (before any call).
    """
    renameat2(_AT_FDCWD, oldpath, _AT_FDCWD, newpath)


def mkdir(path: PathArg, mode: FlagArg = 0o777) -> None:
    """Make a directory (man 2 mkdir; mkdirat on every arch).

    https://man7.org/linux/man-pages/man2/mkdir.2.html

    Raises:
        FileExistsError: ``path`` exists, as anything, dangling symlink included (EEXIST).
        FileNotFoundError: a directory on the way does not exist (ENOENT).
        PermissionError: write permission on the parent or search permission denied, or the
            filesystem makes no directories (EACCES, EPERM).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: ENOSPC, EDQUOT, EMLINK, EROFS, ELOOP, ENAMETOOLONG ..., the subclass os raises for
            any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike, or ``mode`` not an int, S member or
            name string (before any call).
        ValueError: a NUL in ``path`` or an unknown S name (before any call).
        OverflowError: ``mode`` negative or beyond 32 bits (before any call).
    """
    mkdirat(_AT_FDCWD, path, mode)


def mknod(path: PathArg, mode: FlagArg = 0o600, dev: int = 0) -> None:
    """Make a file, FIFO, socket or device node (man 2 mknod; mknodat on every arch).

    https://man7.org/linux/man-pages/man2/mknod.2.html

    Raises:
        FileExistsError: ``path`` exists, as anything, dangling symlink included (EEXIST).
        FileNotFoundError: a directory on the way does not exist (ENOENT).
        PermissionError: a device node without CAP_MKNOD, write permission on the parent or search
            permission denied (EPERM, EACCES).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EINVAL (``mode`` names a directory or an unknown type), ENOSPC, EDQUOT, EROFS,
            ELOOP ..., the subclass os raises for any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike, ``mode`` not an int, S member or name
            string, or ``dev`` not an int (before any call).
        ValueError: a NUL in ``path`` or an unknown S name (before any call).
        OverflowError: ``mode`` or ``dev`` negative or beyond 32 bits (before any call).
    """
    mknodat(_AT_FDCWD, path, mode, dev)


# ---- the current directory -----------------------------------------------------------------

@overload
def getcwd(buf: None = None) -> str: ...
@overload
def getcwd(buf: Buffer) -> int: ...


def getcwd(buf: Optional[Buffer] = None) -> Union[str, int]:
    """The current directory as str, or with ``buf`` the length written into it without the
    NUL (man 2 getcwd).

    https://man7.org/linux/man-pages/man2/getcwd.2.html

    Raises:
        FileNotFoundError: the current directory was removed (ENOENT).
        PermissionError: a directory above it cannot be read or searched (EACCES).
        OSError: ERANGE when it does not fit ``buf``, the subclass os raises for any other errno.
        TypeError: ``buf`` is read-only, an ``ffi.from_buffer`` view or other foreign cdata, or no
            bytes-like object (before any call).
        BufferError: ``buf`` is not C-contiguous (before any call).
    """
    if buf is None:
        return decode(_grown(_getcwd, "getcwd", None)[:-1])  # the kernel counts the NUL
    cbuf = writable(buf)
    return call_buf(_getcwd, "getcwd", cbuf, buf, cbuf, nbytes(cbuf)) - 1


# ---- sizes, space, caching, syncing --------------------------------------------------------

def posix_fadvise(fd: FdArg, offset: int, len: int, advice: FlagArg) -> None:
    """Declare an access pattern (``POSIX_FADV``) for a byte range; len 0 means to the end
    (man 2 posix_fadvise; fadvise64).

    https://man7.org/linux/man-pages/man2/posix_fadvise.2.html

    Raises:
        OSError: ESPIPE for a pipe or FIFO, EINVAL for an unknown ``advice`` or a negative ``len``,
            EBADF for a number that is not open ..., the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``advice`` is not an int, POSIX_FADV member or name string, ``offset`` / ``len``
            not an int, or ``fd`` no fd (before any call).
        ValueError: an unknown POSIX_FADV name or std fd name (before any call).
        OverflowError: ``offset`` or ``len`` beyond 64 bits (before any call).
    """
    call(_fadvise, "fadvise64", fdnum(fd), offset, len, to_int(advice, POSIX_FADV))


def memfd_create(name: Union[str, bytes], flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """An anonymous memory-backed file as an Fd (man 2 memfd_create; ``MFD`` flags),
    close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/memfd_create.2.html

    Raises:
        OSError: EINVAL for a ``name`` over 249 bytes, unknown flags or a bad combination of them,
            EMFILE/ENFILE (no fd to spare), ENOMEM ..., the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: before Linux 3.17).
        PermissionError: ``MFD.HUGETLB`` refused to the caller (EPERM).
        TypeError: ``name`` is not str, bytes or os.PathLike, or ``flags`` not an int, MFD member
            or name string (before any call).
        ValueError: a NUL in ``name`` or an unknown MFD name (before any call).
    """
    f = to_int(flags, MFD)
    if not inheritable:
        f |= _MFD_CLOEXEC
    return Fd(call(_memfd_create, "memfd_create", _path(name), f))


# ---- filesystem statistics -----------------------------------------------------------------

class Statfs(NamedTuple):
    """Filesystem statistics (man 2 statfs)."""
    f_type: int     # the filesystem's magic number (linux/magic.h)
    f_bsize: int    # optimal transfer block size
    f_blocks: int   # blocks in the filesystem, in f_frsize units
    f_bfree: int    # free blocks
    f_bavail: int   # free blocks an unprivileged user may use
    f_files: int    # inodes
    f_ffree: int    # free inodes
    f_fsid: int     # filesystem id, val[0] | val[1] << 32
    f_namelen: int  # longest file name
    f_frsize: int   # fragment size
    f_flags: int    # ST_* mount flags (ST_VALID set when filled)


# Statfs's fields in order: their slots in the flattened array and how many bits each keeps
# (the array is int64; a magic number is 32-bit, the fsid 64 unsigned bits).
_SF_COUNT = lib.LS_SF_COUNT
_SF_FIELDS = ((lib.LS_SF_TYPE, U32), (lib.LS_SF_BSIZE, U64), (lib.LS_SF_BLOCKS, U64),
              (lib.LS_SF_BFREE, U64), (lib.LS_SF_BAVAIL, U64), (lib.LS_SF_FILES, U64),
              (lib.LS_SF_FFREE, U64), (lib.LS_SF_FSID, U64), (lib.LS_SF_NAMELEN, U64),
              (lib.LS_SF_FRSIZE, U64), (lib.LS_SF_FLAGS, U64))


def _statfs_result(fn: Any, name: str, arg: Any, shown: Any) -> Statfs:
    buf = _new("int64_t[]", _SF_COUNT)
    call(fn, name, arg, buf, filename=shown)
    return Statfs._make([buf[slot] & bits for slot, bits in _SF_FIELDS])


def statfs(path: PathArg) -> Statfs:
    """Statistics of the filesystem holding a path (man 2 statfs; statfs64 on 32-bit arches).

    https://man7.org/linux/man-pages/man2/statfs.2.html

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        UnsupportedError: the filesystem does not support statfs (ENOSYS).
        OSError: ELOOP, EIO, EOVERFLOW ..., the subclass os raises for any other errno.
        TypeError: ``path`` is not str, bytes or os.PathLike (before any call).
        ValueError: a NUL in ``path`` (before any call).
    """
    return _statfs_result(_statfs, "statfs", _path(path), path)


def fstatfs(fd: FdArg) -> Statfs:
    """Statistics of the filesystem holding an open file (man 2 fstatfs).

    https://man7.org/linux/man-pages/man2/fstatfs.2.html

    Raises:
        UnsupportedError: the filesystem does not support statfs (ENOSYS).
        OSError: EBADF for a number that is not open, EIO, EOVERFLOW ..., the subclass os raises
            for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    return _statfs_result(_fstatfs, "fstatfs", fdnum(fd), None)


# ---- file handles ---------------------------------------------------------------------------

_MAX_HANDLE_SZ = lib.LS_MAX_HANDLE_SZ
_HANDLE_HEAD = struct.Struct("=Ii")  # struct file_handle's handle_bytes, handle_type
_AT_HANDLE_BITS = lib.AT_SYMLINK_FOLLOW | lib.AT_EMPTY_PATH  # AT members name_to_handle_at takes


class FileHandle(NamedTuple):
    """A file handle (man 2 name_to_handle_at): the filesystem's ``handle_type`` and the
    opaque ``f_handle`` bytes.  ``bytes(handle)`` is the kernel's ``struct file_handle``
    (native byte order), which ``FileHandle.frombytes`` reads back: a handle can be stored and
    used by another process on the same machine (open_by_handle_at)."""
    handle_type: int
    f_handle: bytes

    def __bytes__(self) -> bytes:
        return _HANDLE_HEAD.pack(len(self.f_handle), self.handle_type) + bytes(self.f_handle)

    @classmethod
    def frombytes(cls, data: Buffer) -> "FileHandle":
        """The handle ``bytes(handle)`` made; ValueError if ``data`` is not one."""
        with memoryview(data) as m:  # a buffer: bytes(5) would take an int as a length
            raw = m.tobytes()
        if len(raw) < _HANDLE_HEAD.size:
            raise ValueError(f"a struct file_handle has {_HANDLE_HEAD.size} bytes of header, "
                             f"not {len(raw)} bytes in all")
        size, handle_type = _HANDLE_HEAD.unpack_from(raw)
        if size != len(raw) - _HANDLE_HEAD.size:
            raise ValueError(f"the header says {size} handle bytes, "
                             f"{len(raw) - _HANDLE_HEAD.size} follow")
        return cls(handle_type, raw[_HANDLE_HEAD.size:])


def _name_to_handle_flags(flags: FlagArg) -> int:
    """``NAME_TO_HANDLE_AT`` members, or the AT members of the same bits (``AT.SYMLINK_FOLLOW``,
    ``AT.EMPTY_PATH``); another AT member is a TypeError."""
    if type(flags) is AT and not flags & ~_AT_HANDLE_BITS:
        return int(flags)
    return to_int(flags, NAME_TO_HANDLE_AT)


def name_to_handle_at(dirfd: FdArg, path: PathArg,
                      flags: FlagArg = 0) -> tuple[FileHandle, int]:
    """A file's handle and the id of the mount holding it, as ``(FileHandle, mount_id)``
    (man 2 name_to_handle_at).

    https://man7.org/linux/man-pages/man2/name_to_handle_at.2.html

    ``flags``: ``NAME_TO_HANDLE_AT.SYMLINK_FOLLOW``, ``.EMPTY_PATH`` (also as AT members),
    ``.HANDLE_FID`` (a handle that only identifies the file, for filesystems that cannot open
    by handle; Linux 6.5), ``.HANDLE_MNT_ID_UNIQUE`` (the 64-bit unique mount id of statx's
    STATX_MNT_ID_UNIQUE instead of the reusable one; Linux 6.12), ``.HANDLE_CONNECTABLE``
    (Linux 6.13).

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist, or is "" without
            ``.EMPTY_PATH`` (ENOENT).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EOPNOTSUPP (the filesystem has no handles), EINVAL (a flag this kernel lacks),
            ELOOP, EBADF ..., the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: a kernel built without CONFIG_FHANDLE).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or os.PathLike, ``flags`` not an int,
            NAME_TO_HANDLE_AT member, name string or AT member of the same bits, or ``dirfd`` no fd
            (before any call).
        ValueError: a NUL in ``path``, an unknown NAME_TO_HANDLE_AT name or std fd name (before any
            call).
    """
    f = _name_to_handle_flags(flags)
    p = _path(path)
    d = _dirfd(dirfd)
    handle_type = _new("int *")
    f_handle = _new("unsigned char[]", _MAX_HANDLE_SZ)
    mount_id = _new("uint64_t *")
    n = call(_name_to_handle_at, "name_to_handle_at", d, p, handle_type, f_handle, mount_id, f,
             filename=path)
    return FileHandle(handle_type[0], _buffer(f_handle, n)[:]), mount_id[0]


def open_by_handle_at(mount_fd: FdArg, handle: Union[FileHandle, Buffer], flags: FlagArg = 0,
                      *, inheritable: bool = False) -> Fd:
    """Open the file a handle names, on the filesystem ``mount_fd`` is an fd of
    (man 2 open_by_handle_at); close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/open_by_handle_at.2.html

    ``handle`` is a FileHandle or its ``bytes()`` form; ``flags`` are open's ``O`` flags.

    Raises:
        PermissionError: the caller lacks CAP_DAC_READ_SEARCH, or open permission on the file
            (EPERM, EACCES).
        OSError: ESTALE (the handle's file was deleted, or the handle is not valid), EINVAL (an
            empty handle or one over the kernel's 128 bytes), ELOOP (a symlink's handle without
            ``O.PATH``), EMFILE, EBADF ..., the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``mount_fd`` is a closed Fd.
        TypeError: ``handle`` is no FileHandle or bytes-like object, ``flags`` not an int, O member
            or name string, or ``mount_fd`` no fd (before any call).
        ValueError: bytes that are no ``struct file_handle``, an unknown O name or std fd name
            (before any call).
        OverflowError: a ``handle_type`` beyond a C int (before any call).
    """
    if not isinstance(handle, FileHandle):
        handle = FileHandle.frombytes(handle)
    handle_type = c_int(handle.handle_type, "handle_type")
    data = bytes(handle.f_handle)
    f = to_int(flags, O)
    if not inheritable:
        f |= _O_CLOEXEC
    return Fd(call(_open_by_handle_at, "open_by_handle_at", fdnum(mount_fd), handle_type, data,
                   len(data), f))


# ---- page cache, inode attributes ----------------------------------------------------------

class CacheStat(NamedTuple):
    """Page-cache state of a byte range, in pages (man 2 cachestat)."""
    nr_cache: int             # pages in the page cache
    nr_dirty: int             # dirty pages
    nr_writeback: int         # pages under writeback
    nr_evicted: int           # pages evicted from the cache
    nr_recently_evicted: int  # pages evicted recently, that would count as a refault


def cachestat(fd: FdArg, off: int = 0, len: int = 0, flags: int = 0) -> CacheStat:
    """Page-cache statistics of the byte range ``off``..``off + len`` of an open file; len 0
    means to the end (man 2 cachestat; Linux 6.5).

    https://man7.org/linux/man-pages/man2/cachestat.2.html

    Raises:
        PermissionError: the kernel keeps the page-cache state of a file from whoever neither owns
            it nor may write it (EPERM: a side channel, closed in 2025).
        OSError: EINVAL for ``flags`` other than 0, EOPNOTSUPP for a hugetlbfs file, EBADF ..., the
            subclass os raises for any other errno (UnsupportedError for ENOSYS: before Linux 6.5).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``off``, ``len`` or ``flags`` is not an int, or ``fd`` no fd (before any call).
        ValueError: an unknown std fd name (before any call).
        OverflowError: ``off`` or ``len`` negative or beyond 64 bits, ``flags`` negative or beyond
            32 bits (before any call).
    """
    o = in_range(off, "off", 0, U64)
    n = in_range(len, "len", 0, U64)
    f = in_range(flags, "flags", 0, U32)
    out = _new("int64_t[]", lib.LS_CS_COUNT)
    call(_cachestat, "cachestat", fdnum(fd), o, n, out, f)
    return CacheStat._make(v & U64 for v in out)


class FileAttr(NamedTuple):
    """A file's inode attributes (man 2 file_getattr: ``struct file_attr``)."""
    fa_xflags: int      # FS_XFLAG bits
    fa_extsize: int     # extent size hint (bytes)
    fa_nextents: int    # extents (read only)
    fa_projid: int      # project id
    fa_cowextsize: int  # copy-on-write extent size hint (bytes)


def file_getattr(dirfd: FdArg, path: PathArg, at_flags: FlagArg = 0) -> FileAttr:
    """A file's inode attributes relative to dirfd (man 2 file_getattr; Linux 6.17):
    ``FS_XFLAG`` flags, extent size hints, project id.

    https://man7.org/linux/man-pages/man2/file_getattr.2.html

    ``at_flags``: ``AT.SYMLINK_NOFOLLOW``, ``AT.EMPTY_PATH`` (``path`` "" then names dirfd
    itself).

    Raises:
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        PermissionError: search permission denied on a directory of ``path`` (EACCES).
        NotADirectoryError: a component of ``path`` is no directory (ENOTDIR).
        OSError: EOPNOTSUPP where the filesystem keeps no such attributes, EINVAL (an unknown
            flag), ELOOP ..., the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: before Linux 6.17).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or os.PathLike, ``at_flags`` not an int, AT member or
            name string, or ``dirfd`` no fd (before any call).
        ValueError: a NUL in ``path``, an unknown AT name or std fd name (before any call).
    """
    f = to_int(at_flags, AT)
    p = _path(path)
    out = _new("int64_t[]", lib.LS_FA_COUNT)
    call(_file_getattr, "file_getattr", _dirfd(dirfd), p, out, f, filename=path)
    return FileAttr._make(v & U64 for v in out)


def file_setattr(dirfd: FdArg, path: PathArg, attr: FileAttr, at_flags: FlagArg = 0) -> None:
    """Set a file's inode attributes relative to dirfd (man 2 file_setattr; Linux 6.17).

    https://man7.org/linux/man-pages/man2/file_setattr.2.html

    ``attr`` is a FileAttr (usually file_getattr's, ``._replace()``-d); its fa_nextents is
    read only and not sent.  ``at_flags`` as for file_getattr.

    Raises:
        PermissionError: a file the caller does not own, or a change of ``FS_XFLAG.IMMUTABLE`` /
            ``.APPEND`` without CAP_LINUX_IMMUTABLE (EPERM, EACCES).
        FileNotFoundError: ``path`` or a directory on its way does not exist (ENOENT).
        OSError: EINVAL for flags the kernel does not know or a bad combination, EOPNOTSUPP where
            the filesystem keeps no such attributes, EROFS ..., the subclass os raises for any
            other errno (UnsupportedError for ENOSYS: before Linux 6.17).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``attr`` is not a FileAttr, a field of it not an int (``fa_xflags``: or FS_XFLAG
            member or name string), ``path`` not str, bytes or os.PathLike, ``at_flags`` not an
            int, AT member or name string, or ``dirfd`` no fd (before any call).
        ValueError: a NUL in ``path``, an unknown FS_XFLAG or AT name or std fd name (before any
            call).
        OverflowError: a field negative or beyond its C type (``fa_xflags`` 64 bits, the others 32)
            (before any call).
    """
    # (pyright: the annotation says FileAttr; an untyped caller may pass anything)
    if not isinstance(attr, FileAttr):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"attr must be a FileAttr, not {type(attr).__name__!r}")
    xflags = in_range(to_int(attr.fa_xflags, FS_XFLAG), "fa_xflags", 0, U64)
    extsize = in_range(attr.fa_extsize, "fa_extsize", 0, U32)
    projid = in_range(attr.fa_projid, "fa_projid", 0, U32)
    cowextsize = in_range(attr.fa_cowextsize, "fa_cowextsize", 0, U32)
    f = to_int(at_flags, AT)
    call(_file_setattr, "file_setattr", _dirfd(dirfd), _path(path), xflags, extsize, projid,
         cowextsize, f, filename=path)


methods(openat, openat2, statx, fstatat, fstat, getdents64, faccessat, fchmodat, utimensat,
        futimens, readlinkat, posix_fadvise, fstatfs, name_to_handle_at, open_by_handle_at,
        cachestat, file_getattr, file_setattr)

__all__ = ["open", "openat", "openat2", "stat", "lstat", "fstat", "fstatat", "statx",
           "getdents64",
           "access", "faccessat", "chmod", "fchmodat", "chown", "lchown", "utimensat",
           "futimens", "link", "symlink", "readlink", "readlinkat", "unlink", "rmdir",
           "rename", "mkdir", "mknod", "getcwd", "posix_fadvise", "memfd_create",
           "statfs", "fstatfs", "Statfs", "name_to_handle_at", "open_by_handle_at",
           "FileHandle", "cachestat", "CacheStat", "file_getattr", "file_setattr",
           "FileAttr"]
__all__ += _sys_fs.__all__
