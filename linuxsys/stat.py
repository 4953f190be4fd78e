"""Stat: the result of stat/fstat/statx, with os.stat_result's fields and ljsyscall's helpers."""
from __future__ import annotations

import os
import struct
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, SupportsIndex, Union, overload

from ._core import lib

if TYPE_CHECKING:
    from typing import Protocol, TypeVar

    _T_co = TypeVar("_T_co", covariant=True)

    class _Field(Protocol[_T_co]):
        """What the checkers see of a Stat field: a read-only property of type ``_T_co``."""

        def __get__(self, instance: Any, owner: Any = None, /) -> _T_co: ...


_NS = 1_000_000_000
_MODE, _SIZE, _MASK = lib.LS_ST_MODE, lib.LS_ST_SIZE, lib.LS_ST_MASK
_ATIME, _MTIME, _CTIME, _BTIME = lib.LS_ST_ATIME, lib.LS_ST_MTIME, lib.LS_ST_CTIME, lib.LS_ST_BTIME
_ATIME_NS, _MTIME_NS, _CTIME_NS = lib.LS_ST_ATIME_NSEC, lib.LS_ST_MTIME_NSEC, lib.LS_ST_CTIME_NSEC
_BTIME_NS = lib.LS_ST_BTIME_NSEC

# The C helpers flatten statx into LS_ST_COUNT int64 slots; these hold unsigned kernel values.
_UNSIGNED = {lib.LS_ST_INO, lib.LS_ST_DEV, lib.LS_ST_BLOCKS, lib.LS_ST_RDEV,
             lib.LS_ST_ATTRIBUTES, lib.LS_ST_ATTRIBUTES_MASK, lib.LS_ST_MNT_ID}
_FORMAT = "".join("Q" if i in _UNSIGNED else "q" for i in range(lib.LS_ST_COUNT))
_LAYOUT = struct.Struct("@" + _FORMAT)
RAW_SIZE = _LAYOUT.size
_decode = _LAYOUT.unpack


def _reader(slot: int) -> Callable[[bytes], Any]:
    """A function decoding one slot from the raw bytes: a field read costs one unpack_from,
    not a decode of every slot."""
    unpack_from = struct.Struct("@" + _FORMAT[slot]).unpack_from
    offset = struct.calcsize("@" + _FORMAT[:slot])
    return lambda raw: unpack_from(raw, offset)[0]
_SEQUENCE = 10  # os.stat_result's tuple: mode ino dev nlink uid gid size atime mtime ctime

_TYPENAMES = {lib.S_IFDIR: "directory", lib.S_IFREG: "file", lib.S_IFLNK: "link",
              lib.S_IFCHR: "char", lib.S_IFBLK: "block", lib.S_IFIFO: "fifo",
              lib.S_IFSOCK: "socket"}
_S_IFMT = lib.S_IFMT


def _field(slot: int, doc: str) -> _Field[int]:
    read = _reader(slot)
    return property(lambda self: read(self._raw), doc=doc)


def _seconds(sec: int, nsec: int) -> _Field[float]:
    s, n = _reader(sec), _reader(nsec)
    return property(lambda self: s(self._raw) + n(self._raw) * 1e-9)  # os.stat's double


def _nanoseconds(sec: int, nsec: int) -> _Field[int]:
    s, n = _reader(sec), _reader(nsec)
    return property(lambda self: s(self._raw) * _NS + n(self._raw))


def _type_is(kind: int, doc: str) -> _Field[bool]:
    return property(lambda s: s.st_mode & _S_IFMT == kind, doc=doc)


class Stat:
    """File status from statx (man 2 statx), read like os.stat_result.

    As a sequence it is os.stat_result's ten items (mode, ino, dev, nlink, uid, gid, size and
    whole-second atime, mtime, ctime); attributes carry the rest.  The kernel's answer is kept
    as raw bytes and each field decoded when read, so a stat costs no conversion up front.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != RAW_SIZE:
            raise ValueError(f"a Stat is made of {RAW_SIZE} bytes, not {len(raw)}")
        self._raw = bytes(raw)

    st_mode = _field(_MODE, "file type and mode bits")
    st_ino = _field(lib.LS_ST_INO, "inode number")
    st_dev = _field(lib.LS_ST_DEV, "device holding the file")
    st_nlink = _field(lib.LS_ST_NLINK, "number of hard links")
    st_uid = _field(lib.LS_ST_UID, "owner's user id")
    st_gid = _field(lib.LS_ST_GID, "owner's group id")
    st_size = _field(_SIZE, "size in bytes")
    st_blksize = _field(lib.LS_ST_BLKSIZE, "preferred I/O block size")
    st_blocks = _field(lib.LS_ST_BLOCKS, "512-byte blocks allocated")
    st_rdev = _field(lib.LS_ST_RDEV, "device a special file stands for")
    stx_mask = _field(_MASK, "STATX bits of the fields the kernel filled")
    stx_attributes = _field(lib.LS_ST_ATTRIBUTES, "STATX_ATTR bits")
    stx_attributes_mask = _field(lib.LS_ST_ATTRIBUTES_MASK, "STATX_ATTR bits supported here")
    stx_mnt_id = _field(lib.LS_ST_MNT_ID, "mount id (STATX.MNT_ID)")

    def _values(self) -> tuple[int, ...]:
        return _decode(self._raw)

    st_atime = _seconds(_ATIME, _ATIME_NS)
    st_mtime = _seconds(_MTIME, _MTIME_NS)
    st_ctime = _seconds(_CTIME, _CTIME_NS)
    st_atime_ns = _nanoseconds(_ATIME, _ATIME_NS)
    st_mtime_ns = _nanoseconds(_MTIME, _MTIME_NS)
    st_ctime_ns = _nanoseconds(_CTIME, _CTIME_NS)
    _btime_ns = _nanoseconds(_BTIME, _BTIME_NS)

    @property
    def st_birthtime_ns(self) -> int:
        """Creation time in ns; AttributeError where the filesystem does not record it."""
        if not self.stx_mask & lib.STATX_BTIME:
            raise AttributeError("this file's birth time is not available")
        return self._btime_ns

    @property
    def st_birthtime(self) -> float:
        return self.st_birthtime_ns / _NS

    @property
    def major(self) -> int:
        """Major number of the device a special file names (st_rdev)."""
        return os.major(self.st_rdev)

    @property
    def minor(self) -> int:
        """Minor number of the device a special file names (st_rdev)."""
        return os.minor(self.st_rdev)

    @property
    def dev_major(self) -> int:
        """Major number of the device holding the file (st_dev)."""
        return os.major(self.st_dev)

    @property
    def dev_minor(self) -> int:
        """Minor number of the device holding the file (st_dev)."""
        return os.minor(self.st_dev)

    isdir = _type_is(lib.S_IFDIR, "a directory")
    isreg = _type_is(lib.S_IFREG, "a regular file")
    islnk = _type_is(lib.S_IFLNK, "a symbolic link")
    ischr = _type_is(lib.S_IFCHR, "a character device")
    isblk = _type_is(lib.S_IFBLK, "a block device")
    isfifo = _type_is(lib.S_IFIFO, "a FIFO")
    issock = _type_is(lib.S_IFSOCK, "a socket")

    @property
    def typename(self) -> Optional[str]:
        """"directory", "file", "link", "char", "block", "fifo" or "socket"."""
        return _TYPENAMES.get(self.st_mode & _S_IFMT)

    @property
    def perms(self) -> int:
        """The permission bits, st_mode & 0o7777."""
        return self.st_mode & 0o7777

    # The sequence protocol of os.stat_result.
    def __len__(self) -> int:
        return _SEQUENCE

    @overload
    def __getitem__(self, index: SupportsIndex) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[int, ...]: ...

    def __getitem__(self, index: Union[SupportsIndex, slice]) -> Union[int, tuple[int, ...]]:
        return self._values()[:_SEQUENCE][index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._values()[:_SEQUENCE])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Stat):
            return self._raw == other._raw
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._raw)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Stat, (self._raw,))

    def __repr__(self) -> str:
        return (f"Stat(st_mode={self.st_mode:#o}, st_ino={self.st_ino}, st_dev={self.st_dev}, "
                f"st_nlink={self.st_nlink}, st_uid={self.st_uid}, st_gid={self.st_gid}, "
                f"st_size={self.st_size}, st_mtime_ns={self.st_mtime_ns})")


def major(dev: int) -> int:
    """The major part of a device number (man 3 makedev).

    https://man7.org/linux/man-pages/man3/makedev.3.html

    Raises:
        TypeError: ``dev`` is not an int.
        OverflowError: ``dev`` is negative or beyond 64 bits.
    """
    return os.major(dev)


def minor(dev: int) -> int:
    """The minor part of a device number (man 3 makedev).

    https://man7.org/linux/man-pages/man3/makedev.3.html

    Raises:
        TypeError: ``dev`` is not an int.
        OverflowError: ``dev`` is negative or beyond 64 bits.
    """
    return os.minor(dev)


def makedev(major: int, minor: int) -> int:
    """A device number from its parts, with the full 32-bit split (man 3 makedev).

    https://man7.org/linux/man-pages/man3/makedev.3.html

    Raises:
        TypeError: ``major`` or ``minor`` is not an int.
        OverflowError: ``major`` or ``minor`` is beyond a C int.
    """
    return os.makedev(major, minor)


__all__ = ["Stat", "major", "minor", "makedev"]
