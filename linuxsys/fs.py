"""fs: paths, metadata, directories and whole-file operations (man 2 openat, statx ...)."""
from __future__ import annotations

from typing import Any, NamedTuple, Optional, Union

from ._core import (NEG_EINTR, Buffer, PathArg, call, decode, error, ffi, lib, path,
                    writable)
from .fd import Fd, FdArg, fdnum, methods
from .flags import NAMESPACES, FlagArg, to_int
from .stat import Stat

O = NAMESPACES["O"]
AT = NAMESPACES["AT"]
S = NAMESPACES["S"]
STATX = NAMESPACES["STATX"]
RESOLVE = NAMESPACES["RESOLVE"]
DT = NAMESPACES["DT"]

_openat = lib.ls_openat
_openat2 = lib.ls_openat2
_statx = lib.ls_statx
_getdents64 = lib.ls_getdents64
_getdents_names = lib.ls_getdents_names

_AT_FDCWD = lib.AT_FDCWD
_AT_EMPTY_PATH = lib.AT_EMPTY_PATH
_AT_SYMLINK_NOFOLLOW = lib.AT_SYMLINK_NOFOLLOW
_O_CLOEXEC = lib.O_CLOEXEC
_O_DIRECTORY_RDONLY = lib.O_DIRECTORY | lib.O_RDONLY | lib.O_CLOEXEC
_STAT_MASK = lib.STATX_BASIC_STATS | lib.STATX_BTIME
_ST_COUNT = lib.LS_ST_COUNT

_new = ffi.new
_unpack = ffi.unpack
_tuple_new = tuple.__new__

# Pooled statx result arrays: the GIL is released during the syscall, so each call owns the
# array it popped (see io.read).
_stat_bufs: list[Any] = []


def _dirfd(dirfd: FdArg) -> int:
    return dirfd if type(dirfd) is int else fdnum(dirfd)


def openat(dirfd: FdArg, path_: PathArg, flags: FlagArg = 0, mode: FlagArg = 0o666,
           *, inheritable: bool = False) -> Fd:
    """Open ``path`` relative to ``dirfd`` (man 2 openat); close-on-exec unless ``inheritable``."""
    p = path(path_)
    f = flags if type(flags) is int else to_int(flags, O)
    if not inheritable:
        f |= _O_CLOEXEC
    m = mode if type(mode) is int else to_int(mode, S)
    d = dirfd if type(dirfd) is int else fdnum(dirfd)
    r = _openat(d, p, f, m)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, "openat", path_)
        r = _openat(d, p, f, m)
    return Fd(r)


def open(path_: PathArg, flags: FlagArg = 0, mode: FlagArg = 0o666,
         *, inheritable: bool = False) -> Fd:
    """Open a file (man 2 open; openat(AT_FDCWD) on every arch); an Fd, close-on-exec
    unless ``inheritable`` (PEP 446)."""
    return openat(_AT_FDCWD, path_, flags, mode, inheritable=inheritable)


def openat2(dirfd: FdArg, path_: PathArg, flags: FlagArg = 0, mode: FlagArg = 0,
            resolve: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """openat with ``RESOLVE`` restrictions on path resolution (man 2 openat2)."""
    f = to_int(flags, O)
    if not inheritable:
        f |= _O_CLOEXEC
    return Fd(call(_openat2, "openat2", _dirfd(dirfd), path(path_), f, to_int(mode, S),
                   to_int(resolve, RESOLVE), filename=path_))


def _statx_into(dirfd: int, p: bytes, flags: int, mask: int, shown: Any) -> Stat:
    try:
        buf = _stat_bufs.pop()
    except IndexError:
        buf = _new("int64_t[]", _ST_COUNT)
    r = _statx(dirfd, p, flags, mask, buf)
    while r < 0:
        if r != NEG_EINTR:
            _stat_bufs.append(buf)
            raise error(-r, "statx", shown)
        r = _statx(dirfd, p, flags, mask, buf)
    st = _tuple_new(Stat, _unpack(buf, _ST_COUNT))
    _stat_bufs.append(buf)
    return st


def statx(dirfd: FdArg, path_: PathArg, flags: FlagArg = 0,
          mask: FlagArg = lib.STATX_BASIC_STATS) -> Stat:
    """File status, asking for the ``STATX`` fields in ``mask`` (man 2 statx)."""
    return _statx_into(_dirfd(dirfd), path(path_), to_int(flags, AT), to_int(mask, STATX),
                       path_)


def fstatat(dirfd: FdArg, path_: PathArg, flags: FlagArg = 0) -> Stat:
    """stat relative to ``dirfd``; ``AT.SYMLINK_NOFOLLOW``, ``AT.EMPTY_PATH`` (man 2 fstatat)."""
    return _statx_into(_dirfd(dirfd), path(path_), to_int(flags, AT), _STAT_MASK, path_)


def stat(path_: PathArg) -> Stat:
    """File status, following symlinks (man 2 stat; statx on every arch)."""
    return _statx_into(_AT_FDCWD, path(path_), 0, _STAT_MASK, path_)


def lstat(path_: PathArg) -> Stat:
    """File status of a symlink itself (man 2 lstat; statx on every arch)."""
    return _statx_into(_AT_FDCWD, path(path_), _AT_SYMLINK_NOFOLLOW, _STAT_MASK, path_)


def fstat(fd: FdArg) -> Stat:
    """File status of an open fd (man 2 fstat; statx with AT_EMPTY_PATH on every arch)."""
    if type(fd) is not int:
        fd = fdnum(fd)
    return _statx_into(fd, b"", _AT_EMPTY_PATH, _STAT_MASK, None)


def getdents64(fd: FdArg, buf: Buffer) -> int:
    """Fill ``buf`` with ``struct linux_dirent64`` records; return the bytes used, 0 at the end
    (man 2 getdents64)."""
    cbuf = writable(buf)
    return call(_getdents64, "getdents64", fdnum(fd), cbuf, len(cbuf))


class Dirent(NamedTuple):
    """One directory entry from getdents64."""
    ino: int
    off: int
    type: Any  # a DT member
    name: Union[str, bytes]


_DIRBUF = 65536


def _open_dir(path_or_fd: Union[PathArg, FdArg]) -> tuple[int, Optional[Fd]]:
    """The directory fd number to read and, when given a path, the Fd opened for it."""
    if isinstance(path_or_fd, (str, bytes)) or hasattr(path_or_fd, "__fspath__"):
        d = openat(_AT_FDCWD, path_or_fd, _O_DIRECTORY_RDONLY)
        return d.fd, d
    return fdnum(path_or_fd), None


def _wants_bytes(path_or_fd: Any) -> bool:
    return isinstance(path_or_fd, bytes) or (
        hasattr(path_or_fd, "__fspath__") and isinstance(path_or_fd.__fspath__(), bytes))


def listdir(path_or_fd: Union[PathArg, FdArg] = ".") -> list:
    """Names in a directory, without "." and ".." (getdents64; like os.listdir).

    Names are str unless the path was bytes.  A given fd is read from its current position
    and left open; a path is opened and closed, also on error."""
    fd, owned = _open_dir(path_or_fd)
    sep = b"\0" if _wants_bytes(path_or_fd) else "\0"
    buf = _new("char[]", _DIRBUF)
    names: list = []
    try:
        while True:
            r = _getdents_names(fd, buf, _DIRBUF)
            if r > 0:
                chunk = _unpack(buf, r - 1)  # drop the last name's NUL
                names += (chunk if type(sep) is bytes else decode(chunk)).split(sep)
            elif r == 0:
                return names
            elif r != NEG_EINTR:
                raise error(-r, "getdents64", path_or_fd if owned else None)
    finally:
        if owned:
            owned.close()


def readdir(path_or_fd: Union[PathArg, FdArg] = ".") -> list[Dirent]:
    """Every entry of a directory, "." and ".." included, as Dirent(ino, off, type, name)
    (getdents64; libjs's readdir).  Closes what it opens, also on error."""
    fd, owned = _open_dir(path_or_fd)
    as_bytes = _wants_bytes(path_or_fd)
    buf = _new("char[]", _DIRBUF)
    entries: list[Dirent] = []
    try:
        while True:
            n = call(_getdents64, "getdents64", fd, buf, _DIRBUF,
                     filename=path_or_fd if owned else None)
            if n == 0:
                return entries
            pos = 0
            while pos < n:
                e = ffi.cast("struct dirent64 *", buf + pos)
                name = ffi.string(e.d_name)
                entries.append(Dirent(e.d_ino, e.d_off, DT(e.d_type),
                                      name if as_bytes else decode(name)))
                pos += e.d_reclen
    finally:
        if owned:
            owned.close()


methods(openat, openat2, statx, fstatat, fstat, getdents64)

__all__ = ["open", "openat", "openat2", "stat", "lstat", "fstat", "fstatat", "statx",
           "getdents64", "readdir", "listdir"]
