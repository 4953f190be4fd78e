"""Stat: the result of stat/fstat/statx, with os.stat_result's fields and ljsyscall's helpers."""
from __future__ import annotations

import os
from operator import itemgetter
from typing import Optional

from ._core import lib

_NS = 1_000_000_000
_U64 = (1 << 64) - 1
_ATIME, _MTIME, _CTIME, _BTIME = lib.LS_ST_ATIME, lib.LS_ST_MTIME, lib.LS_ST_CTIME, lib.LS_ST_BTIME
_ATIME_NS, _MTIME_NS, _CTIME_NS = lib.LS_ST_ATIME_NSEC, lib.LS_ST_MTIME_NSEC, lib.LS_ST_CTIME_NSEC
_BTIME_NS = lib.LS_ST_BTIME_NSEC

_TYPENAMES = {lib.S_IFDIR: "directory", lib.S_IFREG: "file", lib.S_IFLNK: "link",
              lib.S_IFCHR: "char", lib.S_IFBLK: "block", lib.S_IFIFO: "fifo",
              lib.S_IFSOCK: "socket"}
_S_IFMT = lib.S_IFMT


def _field(slot: int, doc: str) -> property:
    return property(itemgetter(slot), doc=doc)


def _unsigned(slot: int, doc: str) -> property:
    return property(lambda s: s[slot] & _U64, doc=doc)


def _type_is(kind: int, doc: str) -> property:
    return property(lambda s: s[lib.LS_ST_MODE] & _S_IFMT == kind, doc=doc)


class Stat(tuple):
    """File status from statx (man 2 statx), read like os.stat_result.

    The first ten items are os.stat_result's tuple (mode, ino, dev, nlink, uid, gid, size,
    atime, mtime, ctime in whole seconds); the attributes carry the rest.
    """

    __slots__ = ()

    st_mode = _field(lib.LS_ST_MODE, "file type and mode bits")
    st_ino = _unsigned(lib.LS_ST_INO, "inode number")
    st_dev = _unsigned(lib.LS_ST_DEV, "device holding the file")
    st_nlink = _field(lib.LS_ST_NLINK, "number of hard links")
    st_uid = _field(lib.LS_ST_UID, "owner's user id")
    st_gid = _field(lib.LS_ST_GID, "owner's group id")
    st_size = _field(lib.LS_ST_SIZE, "size in bytes")
    st_blksize = _field(lib.LS_ST_BLKSIZE, "preferred I/O block size")
    st_blocks = _unsigned(lib.LS_ST_BLOCKS, "512-byte blocks allocated")
    st_rdev = _unsigned(lib.LS_ST_RDEV, "device a special file stands for")
    stx_mask = _field(lib.LS_ST_MASK, "STATX bits of the fields the kernel filled")
    stx_attributes = _unsigned(lib.LS_ST_ATTRIBUTES, "STATX_ATTR bits")
    stx_attributes_mask = _unsigned(lib.LS_ST_ATTRIBUTES_MASK, "STATX_ATTR bits supported here")
    stx_mnt_id = _unsigned(lib.LS_ST_MNT_ID, "mount id (STATX.MNT_ID)")

    @property
    def st_atime(self) -> float:
        return self[_ATIME] + self[_ATIME_NS] * 1e-9

    @property
    def st_mtime(self) -> float:
        return self[_MTIME] + self[_MTIME_NS] * 1e-9

    @property
    def st_ctime(self) -> float:
        return self[_CTIME] + self[_CTIME_NS] * 1e-9

    @property
    def st_atime_ns(self) -> int:
        return self[_ATIME] * _NS + self[_ATIME_NS]

    @property
    def st_mtime_ns(self) -> int:
        return self[_MTIME] * _NS + self[_MTIME_NS]

    @property
    def st_ctime_ns(self) -> int:
        return self[_CTIME] * _NS + self[_CTIME_NS]

    @property
    def st_birthtime_ns(self) -> int:
        """Creation time in ns; AttributeError where the filesystem does not record it."""
        if not self[lib.LS_ST_MASK] & lib.STATX_BTIME:
            raise AttributeError("this file's birth time is not available")
        return self[_BTIME] * _NS + self[_BTIME_NS]

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
        return _TYPENAMES.get(self[lib.LS_ST_MODE] & _S_IFMT)

    @property
    def perms(self) -> int:
        """The permission bits, st_mode & 0o7777."""
        return self[lib.LS_ST_MODE] & 0o7777

    def __repr__(self) -> str:
        return (f"Stat(st_mode={self.st_mode:#o}, st_ino={self.st_ino}, st_dev={self.st_dev}, "
                f"st_nlink={self.st_nlink}, st_uid={self.st_uid}, st_gid={self.st_gid}, "
                f"st_size={self.st_size}, st_mtime_ns={self.st_mtime_ns})")


def major(dev: int) -> int:
    """The major part of a device number (man 3 makedev)."""
    return os.major(dev)


def minor(dev: int) -> int:
    """The minor part of a device number (man 3 makedev)."""
    return os.minor(dev)


def makedev(major: int, minor: int) -> int:
    """A device number from its parts, with the full 32-bit split (man 3 makedev)."""
    return os.makedev(major, minor)
