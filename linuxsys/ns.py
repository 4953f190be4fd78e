"""ns: namespaces (man 7 namespaces; man 2 unshare, setns, sethostname, setdomainname).

``unshare(flags)`` and ``setns(fd, nstype=0)`` take ``CLONE`` flags (``CLONE.NEWNS``,
``NEWUTS``, ``NEWIPC``, ``NEWUSER``, ``NEWPID``, ``NEWNET``, ``NEWCGROUP``, ``NEWTIME``);
``setns`` takes an ns ``Fd`` (``ns_open(pid, "net")``) or a pidfd, whose namespaces named in
``nstype`` it joins at once.  The nsfs ioctls are functions: ``ns_get_userns``,
``ns_get_parent`` (new ``Fd``s, close-on-exec), ``ns_get_nstype`` and ``ns_get_owner_uid``.

``write_id_maps(pid, uid_map, gid_map, setgroups="deny")`` writes a user namespace's
``/proc/PID/setgroups``, ``uid_map`` and ``gid_map`` (man 7 user_namespaces): the step every
container makes after its child unshared ``CLONE.NEWUSER``.

These calls change the calling thread (or process) for good: a program that only wants to
look runs them in a child (``fork``, ``clone``).
"""
from __future__ import annotations

import os
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from ._core import call, ffi, id_pages, lib, path as _path, u64
from .fd import Fd, FdArg, fdnum, methods
from .flags import FlagArg, to_int
from .fs import open as _open
from . import _sys_ns
from ._sys_ns import *  # noqa: F401,F403  (the plain syscalls, declared in cdefs/ns.h)

from ._consts import CLONE

_sethostname = lib.ls_sethostname
_setdomainname = lib.ls_setdomainname
_ioctl = lib.ls_ioctl
_listns = lib.ls_listns
_ioctl_ptr = lib.ls_ioctl_ptr

_NS_GET_USERNS = lib.LS_NS_GET_USERNS
_NS_GET_PARENT = lib.LS_NS_GET_PARENT
_NS_GET_NSTYPE = lib.LS_NS_GET_NSTYPE
_NS_GET_OWNER_UID = lib.LS_NS_GET_OWNER_UID

LISTNS_CURRENT_USER = lib.LISTNS_CURRENT_USER

# The entries of /proc/PID/ns (man 7 namespaces).
NS_KINDS = frozenset({"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
                      "time_for_children", "user", "uts"})
# /proc/PID/{uid,gid}_map: ids are u32, (u32)-1 is no id; at most 340 lines (Linux 4.15).
_ID_LIMIT = 2**32 - 1
_MAX_MAP_LINES = 340

IdMap = Sequence[Tuple[int, int, int]]


def _uts_name(name: Union[str, bytes], what: str) -> bytes:
    if not isinstance(name, (str, bytes)):  # pyright: ignore[reportUnnecessaryIsInstance]: untyped callers
        raise TypeError(f"{what}: name must be str or bytes, not {type(name).__name__}")
    return _path(name)


def sethostname(name: Union[str, bytes]) -> None:
    """Set the hostname of this UTS namespace (man 2 sethostname).

    https://man7.org/linux/man-pages/man2/sethostname.2.html

    Raises:
        PermissionError: without CAP_SYS_ADMIN in the user namespace owning this UTS
            namespace (EPERM).
        OSError: EINVAL for a name over 64 bytes, the subclass os raises for any other
            errno.
        TypeError: ``name`` is not str or bytes (before any call).
        ValueError: a NUL in ``name`` (before any call).
    """
    b = _uts_name(name, "sethostname")
    call(_sethostname, "sethostname", b, len(b))


def setdomainname(name: Union[str, bytes]) -> None:
    """Set the NIS domain name of this UTS namespace (man 2 setdomainname).

    https://man7.org/linux/man-pages/man2/setdomainname.2.html

    Raises:
        PermissionError: without CAP_SYS_ADMIN in the user namespace owning this UTS
            namespace (EPERM).
        OSError: EINVAL for a name over 64 bytes, the subclass os raises for any other
            errno.
        TypeError: ``name`` is not str or bytes (before any call).
        ValueError: a NUL in ``name`` (before any call).
    """
    b = _uts_name(name, "setdomainname")
    call(_setdomainname, "setdomainname", b, len(b))


def ns_get_userns(fd: FdArg) -> Fd:
    """The user namespace owning the namespace ``fd`` refers to, as a new close-on-exec Fd
    (man 2 ioctl_ns, NS_GET_USERNS).

    https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html

    Raises:
        PermissionError: that user namespace is outside the caller's (an ancestor of it)
            (EPERM).
        OSError: ENOTTY when ``fd`` is no namespace fd, EBADF for one not open, EMFILE, the
            subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    n = fdnum(fd)
    r = call(_ioctl, "ioctl", n, _NS_GET_USERNS, 0)
    return Fd(r)  # nsfs opens it O_CLOEXEC


def ns_get_parent(fd: FdArg) -> Fd:
    """The parent of the pid or user namespace ``fd`` refers to, as a new close-on-exec Fd
    (man 2 ioctl_ns, NS_GET_PARENT).

    https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html

    Raises:
        PermissionError: the parent is outside the caller's namespaces (at the top of them)
            (EPERM).
        OSError: EINVAL for a namespace without hierarchy (neither pid nor user), ENOTTY
            when ``fd`` is no namespace fd, EBADF for one not open, EMFILE, the subclass os
            raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    n = fdnum(fd)
    r = call(_ioctl, "ioctl", n, _NS_GET_PARENT, 0)
    return Fd(r)


def ns_get_nstype(fd: FdArg) -> int:
    """The type of the namespace ``fd`` refers to, as its ``CLONE`` flag (man 2 ioctl_ns,
    NS_GET_NSTYPE).

    https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html

    Raises:
        OSError: ENOTTY when ``fd`` is no namespace fd, EBADF for one not open, the
            subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    n = fdnum(fd)
    return CLONE(call(_ioctl, "ioctl", n, _NS_GET_NSTYPE, 0))


def ns_get_owner_uid(fd: FdArg) -> int:
    """The uid (in the caller's user namespace) of the creator of the user namespace ``fd``
    refers to (man 2 ioctl_ns, NS_GET_OWNER_UID).

    https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html

    Raises:
        OSError: EINVAL for another namespace type than user, ENOTTY when ``fd`` is no
            namespace fd, EBADF for one not open, the subclass os raises for any other
            errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    n = fdnum(fd)
    uid = ffi.new("unsigned int *")
    call(_ioctl_ptr, "ioctl", n, _NS_GET_OWNER_UID, uid)
    owner: int = uid[0]
    return owner


def _pid_dir(pid: Union[int, str]) -> str:
    if isinstance(pid, int) and not isinstance(pid, bool):
        if pid <= 0:
            raise ValueError(f"pid must be positive, not {pid}")
        return f"/proc/{int(pid)}"
    if pid in ("self", "thread-self"):
        return f"/proc/{pid}"
    raise TypeError(f"pid must be an int, 'self' or 'thread-self', not {pid!r}")


def ns_open(pid: Union[int, str], kind: str, *, inheritable: bool = False) -> Fd:
    """An Fd on namespace ``kind`` of process ``pid`` (``/proc/PID/ns/KIND``, read-only,
    close-on-exec unless ``inheritable``), for setns and the ns_get_* calls (man 7 namespaces).

    ``pid`` is an int, ``"self"`` or ``"thread-self"``; ``kind`` one of ``"net"``, ``"mnt"``,
    ``"user"``, ``"pid"``, ``"uts"``, ``"ipc"``, ``"cgroup"``, ``"time"``,
    ``"pid_for_children"``, ``"time_for_children"``.

    https://man7.org/linux/man-pages/man7/namespaces.7.html

    Raises:
        FileNotFoundError: a process or namespace type that does not exist (ENOENT).
        PermissionError: the caller lacks ptrace read access to that process (EACCES).
        OSError: the subclass os raises for any other errno of openat.
        TypeError: ``pid`` is neither an int nor "self" or "thread-self" (before any call).
        ValueError: an unknown ``kind``, or a ``pid`` below 1 (before any call).
    """
    if kind not in NS_KINDS:
        raise ValueError(f"unknown namespace kind {kind!r} (one of {', '.join(sorted(NS_KINDS))})")
    return _open(f"{_pid_dir(pid)}/ns/{kind}", lib.O_RDONLY, inheritable=inheritable)


def _map_text(name: str, entries: Iterable[Tuple[int, int, int]]) -> bytes:
    """A uid_map/gid_map file's contents, checked as the kernel would (man 7 user_namespaces)."""
    if isinstance(entries, (str, bytes)):
        raise TypeError(f"{name}: a list of (inside, outside, count) tuples, "
                        f"not {type(entries).__name__}")
    rows: list[Tuple[int, int, int]] = []
    for entry in entries:
        try:
            inside, outside, count = entry
        except (TypeError, ValueError):
            raise TypeError(f"{name}: entries are (inside, outside, count), "
                            f"not {entry!r}") from None
        for what, v in (("inside", inside), ("outside", outside), ("count", count)):
            if type(v) is bool or not isinstance(v, int):  # pyright: ignore[reportUnnecessaryIsInstance]
                raise TypeError(f"{name}: {what} must be an int, not {type(v).__name__}")
        if not (0 <= inside < _ID_LIMIT and 0 <= outside < _ID_LIMIT):
            raise ValueError(f"{name}: ids must be in 0..{_ID_LIMIT - 1}: {entry!r}")
        if count < 1 or inside + count > _ID_LIMIT or outside + count > _ID_LIMIT:
            raise ValueError(f"{name}: count must be >= 1 and keep the range below {_ID_LIMIT}: "
                             f"{entry!r}")
        rows.append((int(inside), int(outside), int(count)))
    if not rows:
        raise ValueError(f"{name}: an empty map (the file can be written only once)")
    if len(rows) > _MAX_MAP_LINES:
        raise ValueError(f"{name}: {len(rows)} entries, the kernel takes at most {_MAX_MAP_LINES}")
    for col, what in ((0, "inside"), (1, "outside")):
        ranges = sorted((r[col], r[col] + r[2]) for r in rows)
        for (_, end), (start, _) in zip(ranges, ranges[1:]):
            if start < end:
                raise ValueError(f"{name}: overlapping {what} ranges")
    return "".join(f"{i} {o} {c}\n" for i, o, c in rows).encode()


def _write_proc(file: str, data: bytes) -> None:
    # One write(2) at offset 0: the kernel takes a map whole, once.
    n = os.open(file, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(n, data)
    finally:
        os.close(n)


def write_id_maps(pid: Union[int, str], uid_map: Optional[IdMap], gid_map: Optional[IdMap],
                  setgroups: Optional[str] = "deny") -> None:
    """Write the uid and gid maps of the user namespace of process ``pid`` (man 7
    user_namespaces): ``/proc/PID/setgroups`` first (``"deny"``, ``"allow"``, or None to leave
    it), then ``uid_map``, then ``gid_map`` (None: leave that file).

    A map is a sequence of ``(inside, outside, count)``: ids ``inside..inside+count-1`` in the
    namespace are ``outside..`` in the writer's.  Everything is checked before the first write
    (TypeError/ValueError: types, id ranges, overlaps, at most 340 entries, a bad
    ``setgroups``).

    https://man7.org/linux/man-pages/man7/user_namespaces.7.html

    Raises:
        PermissionError: the writer may not map those ids (an unprivileged writer maps only
            its own id, with ``setgroups="deny"`` for gid_map), or a map was written already
            (EPERM; EACCES for a /proc file it may not open).
        FileNotFoundError: a process that is gone (ENOENT).
        OSError: EINVAL for a map the kernel refuses, the subclass os raises for any other
            errno of open or write.
        TypeError: ``pid`` is neither an int nor "self" or "thread-self", a map is not a
            sequence of (inside, outside, count) int triples (before any write).
        ValueError: a ``pid`` below 1, a ``setgroups`` other than "deny", "allow" or None,
            or a map that is empty, has ids outside 0..2**32-2, a count below 1, overlapping
            ranges or more than 340 entries (before any write).
    """
    dir_ = _pid_dir(pid)
    if setgroups not in ("deny", "allow", None):
        raise ValueError(f"setgroups must be 'deny', 'allow' or None, not {setgroups!r}")
    texts = [(f"{dir_}/{name}", _map_text(name, m))
             for name, m in (("uid_map", uid_map), ("gid_map", gid_map)) if m is not None]
    if setgroups is not None:
        _write_proc(f"{dir_}/setgroups", setgroups.encode())
    for file, text in texts:
        _write_proc(file, text)


methods(ns_get_userns, ns_get_parent, ns_get_nstype, ns_get_owner_uid)

def listns(ns_type: FlagArg = 0, user_ns_id: int = 0, last_ns_id: int = 0,
           count: Optional[int] = None, flags: int = 0) -> List[int]:
    """The 64-bit ids of the namespaces this caller may see (man 2 listns, Linux 6.19): of
    the ``CLONE.NEW*`` types in ``ns_type`` (0: every type), owned by user namespace
    ``user_ns_id`` (0: any; ``LISTNS_CURRENT_USER``: the caller's), after ``last_ns_id`` (0:
    from the start; pass a page's last id for the next), at most ``count`` (None: all).

    listns has no man page yet; namespaces(7) describes the namespaces and their ids.

    https://man7.org/linux/man-pages/man7/namespaces.7.html

    Raises:
        OSError: EINVAL for unknown types or flags, the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: before Linux 6.19).
        TypeError: ``ns_type`` is not an int, CLONE member or name string, or an id, ``count``
            or ``flags`` not an int (before any call).
        ValueError: an unknown ``ns_type`` name, or a negative ``count`` (before any call).
        OverflowError: ``ns_type`` outside 0..2**32-1, an id outside 0..2**64-1, ``flags``
            outside 0..2**32-1 (before any call).
    """
    t = to_int(ns_type, CLONE)
    if not 0 <= t < 1 << 32:
        raise OverflowError(f"ns_type {t:#x} does not fit 32 bits")
    owner = u64(user_ns_id, "user_ns_id")
    last = u64(last_ns_id, "last_ns_id")
    return id_pages(lambda after, buf, want: call(_listns, "listns", t, owner, after, buf, want,
                                                  flags), last, count)


__all__ = ["sethostname", "setdomainname", "ns_get_userns", "ns_get_parent", "ns_get_nstype",
           "ns_get_owner_uid", "ns_open", "write_id_maps", "NS_KINDS", "listns", "LISTNS_CURRENT_USER"]
__all__ += _sys_ns.__all__
