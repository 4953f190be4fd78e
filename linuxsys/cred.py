"""cred: process groups, sessions, user and group ids (man 7 credentials).

The set*id functions are the raw syscalls: each changes the CALLING THREAD's ids only.  The C
library's (and so os.setuid's) wrappers signal every thread of the process to change them all;
here, other threads keep their ids.  Ids are the 32-bit ones on every arch (``setuid32`` ...
on i686 and armv7l, whose plain calls take 16-bit ids).  An id argument is -1..0xFFFFFFFE;
-1 is the kernel's (uid_t)-1: it leaves an id unchanged where the call allows it (setres*id,
setre*id), setfsuid/setfsgid refuse it and so only read, setuid/setgid/setgroups say EINVAL.
"""
from __future__ import annotations

from typing import Any, Iterable

from ._core import call, error, ffi, id_arg, lib

_getpgid = lib.ls_getpgid
_setpgid = lib.ls_setpgid
_getsid = lib.ls_getsid
_setsid = lib.ls_setsid
_getresuid = lib.ls_getresuid
_getresgid = lib.ls_getresgid
_setresuid = lib.ls_setresuid
_setresgid = lib.ls_setresgid
_setuid = lib.ls_setuid
_setgid = lib.ls_setgid
_setreuid = lib.ls_setreuid
_setregid = lib.ls_setregid
_getgroups = lib.ls_getgroups
_setgroups = lib.ls_setgroups
_setfsuid = lib.ls_setfsuid
_setfsgid = lib.ls_setfsgid

_NEG_EINVAL = -lib.EINVAL
_NULL = ffi.NULL
_new = ffi.new
_unpack = ffi.unpack


def getpgid(pid: int = 0) -> int:
    """The process group id of a process, 0 for the caller (man 2 getpgid)."""
    return call(_getpgid, "getpgid", pid)


def setpgid(pid: int, pgid: int) -> None:
    """Move a process (0: the caller) into process group pgid (0: its own pid) (man 2 setpgid)."""
    call(_setpgid, "setpgid", pid, pgid)


def getsid(pid: int = 0) -> int:
    """The session id of a process, 0 for the caller (man 2 getsid)."""
    return call(_getsid, "getsid", pid)


def setsid() -> int:
    """Start a new session and process group led by the caller; returns its id (man 2 setsid)."""
    return call(_setsid, "setsid")


def _getres(fn: Any, name: str) -> tuple[int, int, int]:
    r, e, s = _new("unsigned int *"), _new("unsigned int *"), _new("unsigned int *")
    call(fn, name, r, e, s)  # three objects: the trace shows each out value
    return r[0], e[0], s[0]


def getresuid() -> tuple[int, int, int]:
    """The calling thread's (real, effective, saved) user ids (man 2 getresuid)."""
    return _getres(_getresuid, "getresuid")


def getresgid() -> tuple[int, int, int]:
    """The calling thread's (real, effective, saved) group ids (man 2 getresgid)."""
    return _getres(_getresgid, "getresgid")


def setresuid(ruid: int, euid: int, suid: int) -> None:
    """Set real, effective and saved uids of this thread only; -1 keeps one (man 2 setresuid)."""
    call(_setresuid, "setresuid", id_arg(ruid, "ruid"), id_arg(euid, "euid"), id_arg(suid, "suid"))


def setresgid(rgid: int, egid: int, sgid: int) -> None:
    """Set real, effective and saved gids of this thread only; -1 keeps one (man 2 setresgid)."""
    call(_setresgid, "setresgid", id_arg(rgid, "rgid"), id_arg(egid, "egid"), id_arg(sgid, "sgid"))


def setuid(uid: int) -> None:
    """Set the uid (all three ids if privileged) of this thread only (man 2 setuid)."""
    call(_setuid, "setuid", id_arg(uid, "uid"))


def setgid(gid: int) -> None:
    """Set the gid (all three ids if privileged) of this thread only (man 2 setgid)."""
    call(_setgid, "setgid", id_arg(gid, "gid"))


def setreuid(ruid: int, euid: int) -> None:
    """Set real and effective uids of this thread only; -1 keeps one (man 2 setreuid)."""
    call(_setreuid, "setreuid", id_arg(ruid, "ruid"), id_arg(euid, "euid"))


def setregid(rgid: int, egid: int) -> None:
    """Set real and effective gids of this thread only; -1 keeps one (man 2 setregid)."""
    call(_setregid, "setregid", id_arg(rgid, "rgid"), id_arg(egid, "egid"))


def getgroups() -> list[int]:
    """The calling thread's supplementary group ids, in the kernel's order (man 2 getgroups)."""
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
    setgroups)."""
    ids = [id_arg(g, "gid") for g in list]
    call(_setgroups, "setgroups", len(ids), _new("unsigned int[]", ids))


def setfsuid(fsuid: int) -> int:
    """Set this thread's filesystem uid, return the previous one; never fails (man 2 setfsuid).

    A refused id changes nothing, so setfsuid(-1) reads the fsuid.  This thread only."""
    return call(_setfsuid, "setfsuid", id_arg(fsuid, "fsuid"))


def setfsgid(fsgid: int) -> int:
    """Set this thread's filesystem gid, return the previous one; never fails (man 2 setfsgid).

    A refused id changes nothing, so setfsgid(-1) reads the fsgid.  This thread only."""
    return call(_setfsgid, "setfsgid", id_arg(fsgid, "fsgid"))


__all__ = ["getpgid", "setpgid", "getsid", "setsid", "getresuid", "getresgid",
           "setresuid", "setresgid", "setuid", "setgid", "setreuid", "setregid",
           "getgroups", "setgroups", "setfsuid", "setfsgid"]
