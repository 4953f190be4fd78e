"""fs: paths, metadata, directories and whole-file operations (man 2 openat, statx ...).

Every function raises the OSError subclass os would for the kernel's errno (``UnsupportedError``
for ENOSYS; EINTR is retried), ``ClosedFdError`` for a closed Fd, and TypeError, ValueError or
OverflowError for a bad Python argument before any syscall.  Parameters carry the man page's
names (``path``, ``dirfd``, ``oldpath``/``newpath`` ...), so keyword calls read like it.
"""
from __future__ import annotations

import operator
import struct
from collections import deque
from typing import Any, NamedTuple, Optional, Union

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
_unpack = ffi.unpack
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
    """Open ``path`` relative to ``dirfd`` (man 2 openat); close-on-exec unless ``inheritable``."""
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
    unless ``inheritable`` (PEP 446)."""
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
    """openat with ``RESOLVE`` restrictions on path resolution (man 2 openat2)."""
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
    ``AT.SYMLINK_NOFOLLOW``, ``AT.EMPTY_PATH``, ``AT.NO_AUTOMOUNT``, ``AT.STATX_*``."""
    return _statx_into(_dirfd(dirfd), _path(path), to_int(flags, AT), to_int(mask, STATX),
                       path)


def fstatat(dirfd: FdArg, path: PathArg, flags: FlagArg = 0) -> Stat:
    """stat relative to ``dirfd``; ``AT.SYMLINK_NOFOLLOW``, ``AT.EMPTY_PATH`` (man 2 fstatat)."""
    return _statx_into(_dirfd(dirfd), _path(path), to_int(flags, AT), _STAT_MASK, path)


def stat(path: PathArg) -> Stat:
    """File status, following symlinks (man 2 stat; statx on every arch)."""
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
    """File status of a symlink itself (man 2 lstat; statx on every arch)."""
    return _statx_into(_AT_FDCWD, _path(path), _AT_SYMLINK_NOFOLLOW, _STAT_MASK, path)


def fstat(fd: FdArg) -> Stat:
    """File status of an open fd (man 2 fstat; statx with AT_EMPTY_PATH on every arch)."""
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
    0 at the end (man 2 getdents64).  TypeError for a read-only buffer or an
    ``ffi.from_buffer`` view; EINVAL if the buffer is too small for the next entry."""
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

    This is the syscall, not os.access: it returns None when access is allowed and raises
    (PermissionError, FileNotFoundError ...) when not.  ``mode`` is ``OK.F`` or a combination
    of ``OK.R``, ``OK.W``, ``OK.X``; ``flags`` are ``FACCESSAT.EACCESS``, ``.SYMLINK_NOFOLLOW``,
    ``.EMPTY_PATH`` (the last two also as AT members; faccessat2, Linux 5.8: older kernels
    raise UnsupportedError rather than emulate them)."""
    _at_or_at2(_faccessat, "faccessat", _faccessat2, dirfd, path, to_int(mode, OK),
               _faccessat_flags(flags))


def access(path: PathArg, mode: FlagArg) -> None:
    """Check the real ids' access to a file; None or raises, unlike os.access (man 2 access;
    faccessat on every arch)."""
    faccessat(_AT_FDCWD, path, mode)


def fchmodat(dirfd: FdArg, path: PathArg, mode: FlagArg, flags: FlagArg = 0) -> None:
    """Change a file's mode bits relative to dirfd (man 2 fchmodat).

    ``flags`` (``AT.SYMLINK_NOFOLLOW``, ``AT.EMPTY_PATH``) need fchmodat2 (Linux 6.6); a
    symlink itself cannot be chmod-ed (EOPNOTSUPP)."""
    _at_or_at2(_fchmodat, "fchmodat", _fchmodat2, dirfd, path, to_int(mode, S),
               to_int(flags, AT))


def chmod(path: PathArg, mode: FlagArg) -> None:
    """Change a file's mode bits (man 2 chmod; fchmodat on every arch)."""
    fchmodat(_AT_FDCWD, path, mode)


def chown(path: PathArg, owner: int, group: int) -> None:
    """Change a file's owner and group, following symlinks; -1 leaves one unchanged
    (man 2 chown; fchownat on every arch)."""
    fchownat(_AT_FDCWD, path, owner, group)


def lchown(path: PathArg, owner: int, group: int) -> None:
    """chown of a symlink itself (man 2 lchown; fchownat on every arch)."""
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

    ``times`` is None (both now) or ``(atime, mtime)``, each a ``(sec, nsec)`` pair or
    ``UTIME_NOW`` / ``UTIME_OMIT``; seconds are 64-bit on every arch (utimensat_time64 on
    32-bit ones).  A ``path`` of None means dirfd itself.  ``AT.SYMLINK_NOFOLLOW``."""
    p = _NULL if path is None else _path(path)
    call(_utimensat, "utimensat", _dirfd(dirfd), p, _times(times), to_int(flags, AT),
         filename=path)


def futimens(fd: FdArg, times: Any = None) -> None:
    """Set an open file's access and modification times (man 2 futimens: utimensat(fd, NULL))."""
    utimensat(fd, None, times)


# ---- links, names, directories -------------------------------------------------------------

def link(oldpath: PathArg, newpath: PathArg) -> None:
    """Make ``newpath`` a hard link to ``oldpath`` (man 2 link; linkat on every arch)."""
    linkat(_AT_FDCWD, oldpath, _AT_FDCWD, newpath)


def symlink(target: PathArg, linkpath: PathArg) -> None:
    """Make ``linkpath`` a symlink holding ``target`` (man 2 symlink; symlinkat on every arch)."""
    symlinkat(target, _AT_FDCWD, linkpath)


def readlinkat(dirfd: FdArg, path: PathArg,
               buf: Optional[Buffer] = None) -> Union[str, bytes, int]:
    """A symlink's target relative to dirfd (man 2 readlinkat): str (bytes for a bytes path),
    or with ``buf`` the count written into it (no NUL; a full buffer may mean truncated).
    TypeError for a read-only ``buf`` or an ``ffi.from_buffer`` view."""
    d, p = _dirfd(dirfd), _path(path)
    if buf is None:
        return fsdecode_like(path, _grown(_readlinkat, "readlinkat", path, d, p))
    cbuf = writable(buf)
    return call_buf(_readlinkat, "readlinkat", cbuf, buf, d, p, cbuf, nbytes(cbuf), filename=path)


def readlink(path: PathArg, buf: Optional[Buffer] = None) -> Union[str, bytes, int]:
    """A symlink's target: str (bytes for a bytes path), or with ``buf`` the count written
    (man 2 readlink; readlinkat on every arch)."""
    return readlinkat(_AT_FDCWD, path, buf)


def unlink(path: PathArg) -> None:
    """Remove a name (man 2 unlink; unlinkat on every arch)."""
    unlinkat(_AT_FDCWD, path)


def rmdir(path: PathArg) -> None:
    """Remove an empty directory (man 2 rmdir; unlinkat(AT_REMOVEDIR) on every arch)."""
    unlinkat(_AT_FDCWD, path, _AT_REMOVEDIR)


def rename(oldpath: PathArg, newpath: PathArg) -> None:
    """Rename ``oldpath`` to ``newpath``, replacing it (man 2 rename; renameat2 on every arch)."""
    renameat2(_AT_FDCWD, oldpath, _AT_FDCWD, newpath)


def mkdir(path: PathArg, mode: FlagArg = 0o777) -> None:
    """Make a directory (man 2 mkdir; mkdirat on every arch)."""
    mkdirat(_AT_FDCWD, path, mode)


def mknod(path: PathArg, mode: FlagArg = 0o600, dev: int = 0) -> None:
    """Make a file, FIFO, socket or device node (man 2 mknod; mknodat on every arch)."""
    mknodat(_AT_FDCWD, path, mode, dev)


# ---- the current directory -----------------------------------------------------------------

def getcwd(buf: Optional[Buffer] = None) -> Union[str, int]:
    """The current directory as str, or with ``buf`` the length written into it without the
    NUL (man 2 getcwd; ERANGE if it does not fit; TypeError for a read-only ``buf`` or an
    ``ffi.from_buffer`` view)."""
    if buf is None:
        return decode(_grown(_getcwd, "getcwd", None)[:-1])  # the kernel counts the NUL
    cbuf = writable(buf)
    return call_buf(_getcwd, "getcwd", cbuf, buf, cbuf, nbytes(cbuf)) - 1


# ---- sizes, space, caching, syncing --------------------------------------------------------

def posix_fadvise(fd: FdArg, offset: int, len: int, advice: FlagArg) -> None:
    """Declare an access pattern (``POSIX_FADV``) for a byte range; len 0 means to the end
    (man 2 posix_fadvise; fadvise64)."""
    call(_fadvise, "fadvise64", fdnum(fd), offset, len, to_int(advice, POSIX_FADV))


def memfd_create(name: Union[str, bytes], flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """An anonymous memory-backed file as an Fd (man 2 memfd_create; ``MFD`` flags),
    close-on-exec unless ``inheritable``."""
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
    """Statistics of the filesystem holding a path (man 2 statfs; statfs64 on 32-bit arches)."""
    return _statfs_result(_statfs, "statfs", _path(path), path)


def fstatfs(fd: FdArg) -> Statfs:
    """Statistics of the filesystem holding an open file (man 2 fstatfs)."""
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

    ``flags``: ``NAME_TO_HANDLE_AT.SYMLINK_FOLLOW``, ``.EMPTY_PATH`` (also as AT members),
    ``.HANDLE_FID`` (a handle that only identifies the file, for filesystems that cannot open
    by handle; Linux 6.5), ``.HANDLE_MNT_ID_UNIQUE`` (the 64-bit unique mount id of statx's
    STATX_MNT_ID_UNIQUE instead of the reusable one; Linux 6.12), ``.HANDLE_CONNECTABLE``
    (Linux 6.13).  EOPNOTSUPP: the filesystem has no handles; EINVAL: a flag this kernel
    lacks."""
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

    ``handle`` is a FileHandle or its ``bytes()`` form; ``flags`` are open's ``O`` flags.
    PermissionError without CAP_DAC_READ_SEARCH; ESTALE for a handle of a deleted file;
    EINVAL for an empty handle or one over the kernel's 128 bytes; ValueError for bytes
    that are no ``struct file_handle``."""
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
    means to the end (man 2 cachestat; Linux 6.5).  ``flags`` must be 0 (EINVAL otherwise);
    EOPNOTSUPP for a hugetlbfs file; EPERM where the kernel keeps the page-cache state of a
    file from whoever neither owns it nor may write it (a side channel, closed in 2025)."""
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
    ``FS_XFLAG`` flags, extent size hints, project id.  ``at_flags``: ``AT.SYMLINK_NOFOLLOW``,
    ``AT.EMPTY_PATH`` (``path`` "" then names dirfd itself).  EOPNOTSUPP where the filesystem
    keeps no such attributes."""
    f = to_int(at_flags, AT)
    p = _path(path)
    out = _new("int64_t[]", lib.LS_FA_COUNT)
    call(_file_getattr, "file_getattr", _dirfd(dirfd), p, out, f, filename=path)
    return FileAttr._make(v & U64 for v in out)


def file_setattr(dirfd: FdArg, path: PathArg, attr: FileAttr, at_flags: FlagArg = 0) -> None:
    """Set a file's inode attributes relative to dirfd (man 2 file_setattr; Linux 6.17).

    ``attr`` is a FileAttr (usually file_getattr's, ``._replace()``-d); its fa_nextents is
    read only and not sent.  ``at_flags`` as for file_getattr.  EPERM for a file the caller
    does not own, or a change of ``FS_XFLAG.IMMUTABLE``/``.APPEND`` without
    CAP_LINUX_IMMUTABLE; EINVAL for flags the kernel does not know or a bad combination."""
    if not isinstance(attr, FileAttr):
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
