"""quota: disk quotas (man 2 quotactl, quotactl_fd).

``quotactl(cmd, special, id, addr)`` is the syscall: ``cmd`` is ``QCMD(Q.GETQUOTA, USRQUOTA)``
(a ``Q`` subcommand and a quota type: ``USRQUOTA``, ``GRPQUOTA``, ``PRJQUOTA``), ``special``
the block device of the filesystem (None only for ``Q.SYNC``: every filesystem), and ``addr``
what the subcommand reads or fills: None, a buffer at least the size of its struct
(``struct ls_if_dqblk``, ``ls_if_nextdqblk``, ``ls_if_dqinfo`` from ``L.ffi``, or the XFS
ones of <linux/dqblk_xfs.h>; writable where the kernel fills it), or for ``Q.QUOTAON`` the
path of the quota file.  ``quotactl_fd(fd, cmd, id, addr)`` names the filesystem by any open
file on it (Linux 5.14).  ``quotactl_getinfo``, ``quotactl_getquota`` and ``quotactl_sync``
do the common reads and decode the structs.

Errors are the kernel's: ENOENT/ENOTBLK for a ``special`` that is no block device, ENODEV for
one with no mounted filesystem, ESRCH when quotas are off for that type, ENOSYS
(UnsupportedError) where the filesystem has no quota support at all, EPERM without
CAP_SYS_ADMIN (a user may read their own quota).  A buffer smaller than the subcommand's
struct, or any buffer for a subcommand whose struct is not known here, is a ValueError
before the call, so the kernel never writes past a buffer.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union

from ._core import (U32, Buffer, PathArg, call, ffi, in_range, lib, nbytes, release, view,
                    writable)
from ._core import path as _path
from .fd import FdArg, fdnum, methods
from .flags import FlagArg, to_int

from ._consts import Q

if TYPE_CHECKING:
    from typing_extensions import TypeIs

_quotactl = lib.ls_quotactl
_quotactl_fd = lib.ls_quotactl_fd

_NULL = ffi.NULL
_new = ffi.new
_SUBCMDSHIFT = 8
_SUBCMDMASK = 0xFF

# subcommand -> (bytes the kernel reads or writes at addr, whether it writes them); Q_QUOTAON
# takes a path instead.  Subcommands that ignore addr take 0 bytes.
_SIZEOF = ffi.sizeof
_ADDR = {
    lib.Q_SYNC: (0, False),
    lib.Q_QUOTAOFF: (0, False),
    lib.Q_GETFMT: (4, True),
    lib.Q_GETINFO: (_SIZEOF("struct ls_if_dqinfo"), True),
    lib.Q_SETINFO: (_SIZEOF("struct ls_if_dqinfo"), False),
    lib.Q_GETQUOTA: (_SIZEOF("struct ls_if_dqblk"), True),
    lib.Q_SETQUOTA: (_SIZEOF("struct ls_if_dqblk"), False),
    lib.Q_GETNEXTQUOTA: (_SIZEOF("struct ls_if_nextdqblk"), True),
    lib.Q_XQUOTAON: (4, False),
    lib.Q_XQUOTAOFF: (4, False),
    lib.Q_XGETQUOTA: (lib.LS_FS_DISK_QUOTA_SIZE, True),
    lib.Q_XSETQLIM: (lib.LS_FS_DISK_QUOTA_SIZE, False),
    lib.Q_XGETQSTAT: (lib.LS_FS_QUOTA_STAT_SIZE, True),
    lib.Q_XQUOTARM: (4, False),
    lib.Q_XQUOTASYNC: (0, False),
    lib.Q_XGETQSTATV: (lib.LS_FS_QUOTA_STATV_SIZE, True),
    lib.Q_XGETNEXTQUOTA: (lib.LS_FS_DISK_QUOTA_SIZE, True),
}
_Q_QUOTAON = lib.Q_QUOTAON


def QCMD(cmd: FlagArg, type: int) -> int:  # noqa: N802 (the C macro's name)
    """quotactl's command word: subcommand ``cmd`` (a ``Q`` member) for quota ``type``
    (``USRQUOTA``, ``GRPQUOTA``, ``PRJQUOTA``), as the C macro QCMD.

    https://man7.org/linux/man-pages/man2/quotactl.2.html

    Raises:
        TypeError: ``cmd`` is not an int, Q member or name string, ``type`` not an int.
        ValueError: an unknown Q name.
        OverflowError: ``cmd`` beyond 24 bits, ``type`` outside 0..255.
    """
    sub = in_range(to_int(cmd, Q), "cmd", 0, U32 >> _SUBCMDSHIFT)
    return (sub << _SUBCMDSHIFT) | (in_range(type, "type", 0, _SUBCMDMASK))


def _cmd(cmd: int) -> int:
    if isinstance(cmd, Q):
        raise TypeError(f"cmd is a command word, QCMD(Q.{cmd.name}, type), not Q.{cmd.name}")
    return in_range(cmd, "cmd", 0, U32)


def _addr(cmd: int, addr: Union[Buffer, PathArg, None]) -> tuple[Any, Any]:
    """(what to pass, the view to release) for ``addr`` under command word ``cmd``."""
    if addr is None:
        return _NULL, None
    sub = cmd >> _SUBCMDSHIFT
    if sub == _Q_QUOTAON:  # the command word decides: a path here, a buffer below
        return _path(addr), None  # type: ignore[arg-type]
    known = _ADDR.get(sub)
    if known is None:
        raise ValueError(f"quotactl subcommand {sub:#x} is unknown here: its struct's size "
                         "cannot be checked (pass addr=None)")
    need, written = known
    cbuf = writable(addr) if written else view(addr)  # type: ignore[arg-type]
    if nbytes(cbuf) < need:
        release(cbuf, addr)
        raise ValueError(f"quotactl subcommand {sub:#x} takes a {need}-byte buffer; the "
                         f"buffer holds {nbytes(cbuf)}")
    return cbuf, cbuf


def quotactl(cmd: int, special: Optional[PathArg], id: int = 0,
             addr: Union[Buffer, PathArg, None] = None) -> int:
    """Manipulate disk quotas (man 2 quotactl): ``cmd`` is ``QCMD(Q.x, type)``, ``special``
    the filesystem's block device (None: Q.SYNC of every filesystem), ``id`` a uid, gid or
    project id (Q.QUOTAON: a ``QFMT`` format), ``addr`` as the module says.  Returns 0.

    https://man7.org/linux/man-pages/man2/quotactl.2.html

    Raises:
        FileNotFoundError: ``special`` (or Q.QUOTAON's quota file) does not exist (ENOENT).
        PermissionError: without CAP_SYS_ADMIN (EPERM: a user may read only their own
            quota); Q.QUOTAON's file is not regular or not on that filesystem (EACCES).
        OSError: ENOTBLK for a ``special`` that is no block device, ENODEV for one with no
            mounted filesystem, ESRCH when quotas are off for that type (or no quota exists
            for ``id``), EINVAL for an unknown subcommand or type, EBUSY (Q.QUOTAON twice),
            ERANGE (Q.SETQUOTA limits the format cannot hold), the subclass os raises for
            any other errno (UnsupportedError for ENOSYS: no quota support).
        TypeError: ``cmd`` is a bare Q member (not a QCMD word) or no int, ``special`` no
            path or None, ``addr`` no bytes-like object (or path, for Q.QUOTAON), or
            read-only where the kernel writes (before any call).
        BufferError: an ``addr`` buffer that is not C-contiguous (before any call).
        ValueError: an ``addr`` buffer smaller than the subcommand's struct, any buffer for
            a subcommand whose struct is not known here, a NUL in ``special`` or Q.QUOTAON's
            path (before any call).
        OverflowError: ``cmd`` or ``id`` beyond 32 bits, or negative (before any call).
    """
    c = _cmd(cmd)
    i = in_range(id, "id", 0, U32)
    s = _NULL if special is None else _path(special)
    a, v = _addr(c, addr)
    try:
        return call(_quotactl, "quotactl", c, s, i, a, filename=special)
    finally:
        if v is not None:
            release(v, addr)


def quotactl_fd(fd: FdArg, cmd: int, id: int = 0,
                addr: Union[Buffer, PathArg, None] = None) -> int:
    """quotactl on the filesystem holding an open file (man 2 quotactl_fd; Linux 5.14).

    It has no man page of its own; its commands and errors are quotactl(2)'s:

    https://man7.org/linux/man-pages/man2/quotactl.2.html

    Raises:
        PermissionError: without CAP_SYS_ADMIN (EPERM: a user may read only their own
            quota); Q.QUOTAON's file is not regular or not on that filesystem (EACCES).
        FileNotFoundError: Q.QUOTAON's quota file does not exist (ENOENT).
        OSError: ESRCH when quotas are off for that type (or no quota exists for ``id``),
            EINVAL for an unknown subcommand or type, EBUSY (Q.QUOTAON twice), ERANGE
            (Q.SETQUOTA limits the format cannot hold), the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: before Linux 5.14, or no quota support).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``cmd`` is a bare Q member (not a QCMD word) or no int, ``addr`` no
            bytes-like object (or path, for Q.QUOTAON), or read-only where the kernel writes,
            ``fd`` no fd (before any call).
        BufferError: an ``addr`` buffer that is not C-contiguous (before any call).
        ValueError: an ``addr`` buffer smaller than the subcommand's struct, any buffer for
            a subcommand whose struct is not known here, a NUL in Q.QUOTAON's path, an
            unknown std fd name (before any call).
        OverflowError: ``cmd`` or ``id`` beyond 32 bits, or negative (before any call).
    """
    n = fdnum(fd)
    c = _cmd(cmd)
    i = in_range(id, "id", 0, U32)
    a, v = _addr(c, addr)
    try:
        return call(_quotactl_fd, "quotactl_fd", n, c, i, a)
    finally:
        if v is not None:
            release(v, addr)


# ---- the common reads ----------------------------------------------------------------------

class Dqblk(NamedTuple):
    """One id's limits and usage (struct if_dqblk; man 2 quotactl, Q_GETQUOTA)."""
    dqb_bhardlimit: int  # hard limit on disk blocks (1 KiB units)
    dqb_bsoftlimit: int  # soft limit on disk blocks
    dqb_curspace: int    # space used (bytes)
    dqb_ihardlimit: int  # hard limit on inodes
    dqb_isoftlimit: int  # soft limit on inodes
    dqb_curinodes: int   # inodes used
    dqb_btime: int       # when the block grace time runs out (seconds since the epoch)
    dqb_itime: int       # when the inode grace time runs out
    dqb_valid: int       # QIF bits: which fields hold values


class Dqinfo(NamedTuple):
    """A quota type's grace times and flags (struct if_dqinfo; Q_GETINFO)."""
    dqi_bgrace: int  # block grace time (seconds)
    dqi_igrace: int  # inode grace time (seconds)
    dqi_flags: int   # DQF_* flags
    dqi_valid: int   # IIF bits: which fields hold values


def _is_path(special: Any) -> TypeIs[PathArg]:
    return isinstance(special, (str, bytes, os.PathLike))


def _query(special: Union[PathArg, FdArg, None], cmd: int, id: int, addr: Any) -> None:
    if special is None or _is_path(special):
        quotactl(cmd, special, id, addr)
    else:
        quotactl_fd(special, cmd, id, addr)


def quotactl_getquota(special: Union[PathArg, FdArg], type: int, id: int) -> Dqblk:
    """``id``'s quota of ``type`` (Q_GETQUOTA): ``special`` a block device path, or an open
    file on the filesystem (quotactl_fd).

    https://man7.org/linux/man-pages/man2/quotactl.2.html

    Raises:
        FileNotFoundError: ``special`` does not exist (ENOENT).
        PermissionError: another id's quota without CAP_SYS_ADMIN (EPERM).
        OSError: ENOTBLK for a ``special`` path that is no block device, ENODEV for one with
            no mounted filesystem, ESRCH when quotas are off for that type, EINVAL for an
            unknown type, the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: no quota support, or no quotactl_fd for an fd before Linux 5.14).
        ClosedFdError: ``special`` is a closed Fd.
        TypeError: ``special`` is no path and no fd (before any call).
        ValueError: a NUL in ``special``'s path, an unknown std fd name (before any call).
        OverflowError: ``type`` outside 0..255, ``id`` outside 0..2**32-1 (before any
            call).
    """
    out = _new("struct ls_if_dqblk *")
    _query(special, QCMD(lib.Q_GETQUOTA, type), id, out)
    return Dqblk(*(getattr(out, f) for f in Dqblk._fields))


def quotactl_getinfo(special: Union[PathArg, FdArg], type: int) -> Dqinfo:
    """Grace times and flags of quota ``type`` (Q_GETINFO); ``special`` as for
    quotactl_getquota.

    https://man7.org/linux/man-pages/man2/quotactl.2.html

    Raises:
        FileNotFoundError: ``special`` does not exist (ENOENT).
        OSError: ENOTBLK for a ``special`` path that is no block device, ENODEV for one with
            no mounted filesystem, ESRCH when quotas are off for that type, EINVAL for an
            unknown type, the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: no quota support, or no quotactl_fd for an fd before Linux 5.14).
        ClosedFdError: ``special`` is a closed Fd.
        TypeError: ``special`` is no path and no fd (before any call).
        ValueError: a NUL in ``special``'s path, an unknown std fd name (before any call).
        OverflowError: ``type`` outside 0..255 (before any call).
    """
    out = _new("struct ls_if_dqinfo *")
    _query(special, QCMD(lib.Q_GETINFO, type), 0, out)
    return Dqinfo(*(getattr(out, f) for f in Dqinfo._fields))


def quotactl_sync(special: Union[PathArg, FdArg, None] = None, type: int = lib.USRQUOTA) -> None:
    """Write quota ``type``'s usage and limits to disk (Q_SYNC): of one filesystem (a block
    device path or an open file on it), or with None of every filesystem with quotas on.

    https://man7.org/linux/man-pages/man2/quotactl.2.html

    Raises:
        FileNotFoundError: ``special`` does not exist (ENOENT).
        OSError: ENOTBLK for a ``special`` path that is no block device, ENODEV for one with
            no mounted filesystem, ESRCH when quotas are off for that type, EINVAL for an
            unknown type, the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: no quota support, or no quotactl_fd for an fd before Linux 5.14).
        ClosedFdError: ``special`` is a closed Fd.
        TypeError: ``special`` is no path, fd or None (before any call).
        ValueError: a NUL in ``special``'s path, an unknown std fd name (before any call).
        OverflowError: ``type`` outside 0..255 (before any call).
    """
    _query(special, QCMD(lib.Q_SYNC, type), 0, None)


methods(quotactl_fd)

__all__ = ["quotactl", "quotactl_fd", "QCMD", "quotactl_getquota", "quotactl_getinfo",
           "quotactl_sync", "Dqblk", "Dqinfo"]
