"""cred: process groups, sessions, user and group ids (man 7 credentials).

The set*id functions are the raw syscalls: each changes the CALLING THREAD's ids only.  The C
library's (and so os.setuid's) wrappers signal every thread of the process to change them all;
here, other threads keep their ids.  Ids are the 32-bit ones on every arch (``setuid32`` ...
on i686 and armv7l, whose plain calls take 16-bit ids).  An id argument is -1..0xFFFFFFFE;
-1 is the kernel's (uid_t)-1: it leaves an id unchanged where the call allows it (setres*id,
setre*id), setfsuid/setfsgid refuse it and so only read, setuid/setgid/setgroups say EINVAL.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from ._core import call, error, ffi, id_arg, lib
from . import _sys_cred
from ._sys_cred import *  # noqa: F401,F403  (setuid, setfsuid ...: cdefs/cred.h)

_getresuid = lib.ls_getresuid
_getresgid = lib.ls_getresgid
_getgroups = lib.ls_getgroups
_setgroups = lib.ls_setgroups

_NEG_EINVAL = -lib.EINVAL
_NULL = ffi.NULL
_new = ffi.new
_unpack: Callable[[Any, int], list[int]] = ffi.unpack  # (of unsigned int arrays only, here)


def _getres(fn: Any, name: str) -> tuple[int, int, int]:
    r, e, s = _new("unsigned int *"), _new("unsigned int *"), _new("unsigned int *")
    call(fn, name, r, e, s)  # three objects: the trace shows each out value
    return r[0], e[0], s[0]


def getresuid() -> tuple[int, int, int]:
    """The calling thread's (real, effective, saved) user ids (man 2 getresuid).

    https://man7.org/linux/man-pages/man2/getresuid.2.html

    Raises:
        OSError: only when a seccomp filter or the kernel refuses the call itself (UnsupportedError
            for ENOSYS): getresuid has no error of its own to give here.
    """
    return _getres(_getresuid, "getresuid")


def getresgid() -> tuple[int, int, int]:
    """The calling thread's (real, effective, saved) group ids (man 2 getresgid).

    https://man7.org/linux/man-pages/man2/getresgid.2.html

    Raises:
        OSError: only when a seccomp filter or the kernel refuses the call itself (UnsupportedError
            for ENOSYS): getresgid has no error of its own to give here.
    """
    return _getres(_getresgid, "getresgid")


def getgroups() -> list[int]:
    """The calling thread's supplementary group ids, in the kernel's order (man 2 getgroups).

    https://man7.org/linux/man-pages/man2/getgroups.2.html

    Raises:
        OSError: only when a seccomp filter or the kernel refuses the call itself (UnsupportedError
            for ENOSYS): getgroups has no error of its own to give here (its EINVAL, the list
            growing between the count and the read, is retried).
    """
    while True:
        n = call(_getgroups, "getgroups", 0, _NULL)  # size 0 asks for the count
        if n == 0:
            return []
        ids = _new("unsigned int[]", n)
        r = _getgroups(n, ids)  # no EINTR: it never sleeps
        if r >= 0:
            return _unpack(ids, r)
        if r != _NEG_EINVAL:  # EINVAL: the list grew in between
            raise error(-r, "getgroups")


def setgroups(list: Iterable[int]) -> None:
    """Set the supplementary group ids of this thread only to those of ``list`` (man 2
    setgroups).

    https://man7.org/linux/man-pages/man2/setgroups.2.html

    Raises:
        PermissionError: the caller lacks CAP_SETGID in its user namespace, or that namespace's
            ``/proc/<pid>/setgroups`` says "deny" (EPERM).
        OSError: EINVAL for more than NGROUPS_MAX (65536) ids, an id -1 (0xFFFFFFFF) or one with no
            mapping in the caller's user namespace, ENOMEM ..., the subclass os raises for any
            other errno.
        TypeError: ``list`` is not iterable, or holds something other than an int (before any
            call).
        OverflowError: an id outside -1..0xFFFFFFFE (before any call).
    """
    ids = [id_arg(g, "gid") for g in list]
    call(_setgroups, "setgroups", len(ids), _new("unsigned int[]", ids))


__all__ = ["getresuid", "getresgid", "getgroups", "setgroups"]
__all__ += _sys_cred.__all__
