"""landlock: unprivileged sandboxing (man 7 landlock; man 2 landlock_create_ruleset,
landlock_add_rule, landlock_restrict_self).

The three syscalls: ``landlock_create_ruleset(handled_access_fs, handled_access_net, scoped)``
-> a ruleset ``Fd`` (with ``flags=LANDLOCK_CREATE_RULESET.VERSION`` or ``ERRATA``: an int);
``landlock_add_rule(ruleset_fd, rule_type, allowed_access, parent_fd=... | port=...)``;
``landlock_restrict_self(ruleset_fd, flags=0)``.  ``abi_version()`` and ``errata()`` ask the
running kernel (``L.landlock_abi_version``, ``L.landlock_errata``); ``rights(abi)`` is every
right an ABI knows.  Rights are ``L.LANDLOCK_ACCESS_FS``, ``L.LANDLOCK_ACCESS_NET`` and
``L.LANDLOCK_SCOPE`` flags (ints, members, or names: ``"read_file|read_dir"``).

``Ruleset`` (``from linuxsys.landlock import Ruleset``) is the builder, best effort by ABI::

    with Ruleset() as rs:                                  # every fs right is denied ...
        rs.allow_path("/usr", "read_file|read_dir|execute")    # ... but these, beneath /usr
        rs.restrict_self()                                 # no_new_privs, then for good

Rights the running kernel does not know are dropped when the ruleset is built and reported in
``rs.dropped``: the kernel can enforce only what it knows, and asking for more would be an
EINVAL.  A sandbox applies to the calling **thread** and the children it makes from then on:
restrict before starting threads (or in each).
"""
from __future__ import annotations

import os
import stat
from errno import EINVAL, ENOSYS, EOPNOTSUPP
from typing import TYPE_CHECKING, Literal, Mapping, NamedTuple, Optional, Union, overload

from ._core import U32, PathArg, UnsupportedError, call, error, in_range, lib
from .fd import Fd, FdArg, fdnum, methods
from .flags import FlagArg, to_int
from .fs import open as _open
from . import _sys_landlock
from ._sys_landlock import *  # noqa: F401,F403  (the plain syscalls, from cdefs/landlock.h)
from ._sys_landlock import landlock_restrict_self

from ._consts import (LANDLOCK_ACCESS_FS, LANDLOCK_ACCESS_NET, LANDLOCK_SCOPE, LANDLOCK_RULE,
                      LANDLOCK_CREATE_RULESET)

if TYPE_CHECKING:
    from enum import IntFlag

FS, NET, SCOPE = LANDLOCK_ACCESS_FS, LANDLOCK_ACCESS_NET, LANDLOCK_SCOPE

_create_ruleset = lib.ls_landlock_create_ruleset
_add_rule_path_beneath = lib.ls_landlock_add_rule_path_beneath
_add_rule_net_port = lib.ls_landlock_add_rule_net_port

_VERSION = int(LANDLOCK_CREATE_RULESET.VERSION)
_ERRATA = int(LANDLOCK_CREATE_RULESET.ERRATA)
_PATH_BENEATH = int(LANDLOCK_RULE.PATH_BENEATH)
_NET_PORT = int(LANDLOCK_RULE.NET_PORT)
_O_PATH_CLOEXEC = lib.O_PATH | lib.O_CLOEXEC

# What each Landlock ABI version added: kernel documentation, not ABI layout
# (Documentation/userspace-api/landlock.rst, "Landlock ABI versions" and "Previous
# limitations"; man 7 landlock).  ABI 1 (Linux 5.13): the fs rights up to MAKE_SYM; 2 (5.19):
# REFER; 3 (6.2): TRUNCATE; 4 (6.7): TCP bind/connect; 5 (6.10): IOCTL_DEV; 6 (6.12): the
# scopes; 7 (6.15): landlock_restrict_self's audit-logging flags (no new right).  Names this
# build's headers and tables lack are skipped.
_ABI_FS = {1: ("EXECUTE", "WRITE_FILE", "READ_FILE", "READ_DIR", "REMOVE_DIR", "REMOVE_FILE",
               "MAKE_CHAR", "MAKE_DIR", "MAKE_REG", "MAKE_SOCK", "MAKE_FIFO", "MAKE_BLOCK",
               "MAKE_SYM"),
           2: ("REFER",), 3: ("TRUNCATE",), 5: ("IOCTL_DEV",)}
_ABI_NET = {4: ("BIND_TCP", "CONNECT_TCP")}
_ABI_SCOPE = {6: ("ABSTRACT_UNIX_SOCKET", "SIGNAL")}
# The restrict_self flags ABI 7 added (audit logging), as far as the build's headers name them
# (cdefs/landlock.h: not in the tables yet).
_ABI7_LOG_FLAGS = sum(getattr(lib, f"LANDLOCK_RESTRICT_SELF_{n}", 0)
                      for n in ("LOG_SAME_EXEC_OFF", "LOG_NEW_EXEC_ON", "LOG_SUBDOMAINS_OFF"))
# The rights a rule on a non-directory may allow (the kernel's ACCESS_FILE, same document,
# "Filesystem flags"): the directory-only ones are EINVAL there.
_FILE_RIGHTS = ("EXECUTE", "WRITE_FILE", "READ_FILE", "TRUNCATE", "IOCTL_DEV")


def _bits(ns: type[IntFlag], table: Mapping[int, tuple[str, ...]], abi: int) -> int:
    members = ns.__members__
    return sum({int(members[n]) for level, names in table.items() if level <= abi
                for n in names if n in members})


_FILE_MASK = sum(int(FS.__members__[n]) for n in _FILE_RIGHTS if n in FS.__members__)


class LandlockRights(NamedTuple):
    """Rights by kind: ``fs`` (LANDLOCK_ACCESS_FS), ``net`` (LANDLOCK_ACCESS_NET), ``scoped``
    (LANDLOCK_SCOPE)."""
    fs: int
    net: int
    scoped: int


@overload
def landlock_create_ruleset(handled_access_fs: FlagArg = 0, handled_access_net: FlagArg = 0,
                            scoped: FlagArg = 0, flags: Literal[0] = 0) -> Fd: ...
@overload
def landlock_create_ruleset(handled_access_fs: FlagArg = 0, handled_access_net: FlagArg = 0,
                            scoped: FlagArg = 0, flags: FlagArg = 0) -> Union[Fd, int]: ...


def landlock_create_ruleset(handled_access_fs: FlagArg = 0, handled_access_net: FlagArg = 0,
                            scoped: FlagArg = 0, flags: FlagArg = 0) -> Union[Fd, int]:
    """Create a Landlock ruleset handling these rights (man 2 landlock_create_ruleset): a new
    ruleset Fd (close-on-exec: the kernel opens it so), or with ``flags`` (a
    LANDLOCK_CREATE_RULESET query, every right 0) the int it answers: ``VERSION`` the ABI
    version, ``ERRATA`` the bitmask of fixed errata.

    https://man7.org/linux/man-pages/man2/landlock_create_ruleset.2.html

    struct landlock_ruleset_attr goes with the smallest size that holds the non-zero fields,
    so a kernel before ABI 4 (net) or 6 (scoped) takes a ruleset that leaves those 0.

    Raises:
        OSError: EINVAL for rights this kernel does not know (or rights with a query), E2BIG
            for net rights or scopes before ABI 4/6, ENOMSG for a ruleset handling nothing,
            EOPNOTSUPP when Landlock is disabled at boot, the subclass os raises for any
            other errno (UnsupportedError for ENOSYS: the kernel has no Landlock).
        TypeError: an argument is not an int, member of its namespace or name string (before
            any call).
        ValueError: an unknown name (before any call).
        OverflowError: a value beyond 64 bits (before any call).
    """
    fs = to_int(handled_access_fs, FS)
    net = to_int(handled_access_net, NET)
    sc = to_int(scoped, SCOPE)
    f = to_int(flags, LANDLOCK_CREATE_RULESET)
    r = call(_create_ruleset, "landlock_create_ruleset", fs, net, sc, f)
    return r if f else Fd(r)


def landlock_add_rule(ruleset_fd: FdArg, rule_type: FlagArg, allowed_access: FlagArg, *,
                      parent_fd: Optional[FdArg] = None, port: Optional[int] = None,
                      flags: int = 0) -> None:
    """Add a rule to a Landlock ruleset (man 2 landlock_add_rule): ``LANDLOCK_RULE.PATH_BENEATH``
    allows ``allowed_access`` (LANDLOCK_ACCESS_FS) beneath ``parent_fd`` (a directory, or a
    file, opened O_PATH at best); ``LANDLOCK_RULE.NET_PORT`` allows ``allowed_access``
    (LANDLOCK_ACCESS_NET) on TCP ``port``.

    https://man7.org/linux/man-pages/man2/landlock_add_rule.2.html

    Raises:
        PermissionError: ``ruleset_fd`` has no write access to the ruleset (EPERM).
        OSError: EINVAL for rights the ruleset does not handle (or directory rights on a
            file, a port over 65535), ENOMSG for no right at all, EBADF for a bad fd, EBADFD
            when ``ruleset_fd`` is no ruleset, EOPNOTSUPP when Landlock is disabled at boot,
            the subclass os raises for any other errno (UnsupportedError for ENOSYS).
        ClosedFdError: ``ruleset_fd`` or ``parent_fd`` is a closed Fd.
        TypeError: the rule type's argument is missing or the other one given, or an
            argument of the wrong type (before any call).
        ValueError: another rule type, or an unknown name (before any call).
        OverflowError: a ``port``, ``flags`` or right beyond its C type (before any call).
    """
    kind = to_int(rule_type, LANDLOCK_RULE)
    if kind == _PATH_BENEATH:
        if parent_fd is None or port is not None:
            raise TypeError("landlock_add_rule: a PATH_BENEATH rule takes parent_fd, not port")
        access = to_int(allowed_access, FS)
        n = fdnum(ruleset_fd)
        call(_add_rule_path_beneath, "landlock_add_rule", n, access, fdnum(parent_fd), flags)
    elif kind == _NET_PORT:
        if port is None or parent_fd is not None:
            raise TypeError("landlock_add_rule: a NET_PORT rule takes port, not parent_fd")
        access = to_int(allowed_access, NET)
        n = fdnum(ruleset_fd)
        call(_add_rule_net_port, "landlock_add_rule", n, access, port, flags)
    else:
        raise ValueError(f"landlock_add_rule: unknown rule type {rule_type!r} "
                         f"(LANDLOCK_RULE.PATH_BENEATH or NET_PORT)")


def abi_version() -> int:
    """The Landlock ABI version of the running kernel (landlock_create_ruleset with
    LANDLOCK_CREATE_RULESET.VERSION; man 7 landlock), or 0 when it has no Landlock (ENOSYS)
    or Landlock is disabled at boot (EOPNOTSUPP: not in ``lsm=``).  Exported as
    ``L.landlock_abi_version``.

    https://man7.org/linux/man-pages/man2/landlock_create_ruleset.2.html

    Raises:
        OSError: for an errno other than ENOSYS and EOPNOTSUPP (none is documented for this
            query), the subclass os raises.
    """
    r = _create_ruleset(0, 0, 0, _VERSION)
    if r >= 0:
        return r
    if r in (-ENOSYS, -EOPNOTSUPP):
        return 0
    raise error(-r, "landlock_create_ruleset")


def errata() -> int:
    """The bitmask of Landlock errata the running kernel has fixed (landlock_create_ruleset
    with LANDLOCK_CREATE_RULESET.ERRATA, Linux 6.15 and its stable backports), 0 where the
    kernel does not know the query (EINVAL) or has no Landlock (as abi_version()).
    Exported as ``L.landlock_errata``.

    https://man7.org/linux/man-pages/man2/landlock_create_ruleset.2.html

    Raises:
        OSError: for an errno other than ENOSYS, EOPNOTSUPP and EINVAL (none is documented
            for this query), the subclass os raises.
    """
    r = _create_ruleset(0, 0, 0, _ERRATA)
    if r >= 0:
        return r
    if r in (-ENOSYS, -EOPNOTSUPP, -EINVAL):
        return 0
    raise error(-r, "landlock_create_ruleset")


def rights(abi: Optional[int] = None) -> LandlockRights:
    """Every right Landlock ABI ``abi`` knows (None: the running kernel's; 0: none), as far as
    this build's headers name them.

    https://man7.org/linux/man-pages/man7/landlock.7.html

    Raises:
        OSError: as abi_version(), for ``abi`` None.
        TypeError: ``abi`` is not an int.
        ValueError: ``abi`` is negative.
    """
    level = abi_version() if abi is None else _abi_arg(abi, 0)
    return LandlockRights(FS(_bits(FS, _ABI_FS, level)), NET(_bits(NET, _ABI_NET, level)),
                          SCOPE(_bits(SCOPE, _ABI_SCOPE, level)))


def _abi_arg(abi: int, low: int) -> int:
    if type(abi) is not int:
        raise TypeError(f"abi must be an int, not {type(abi).__name__}")
    if abi < low:
        raise ValueError(f"abi must be >= {low}, not {abi}")
    return abi


class Ruleset:
    """A Landlock ruleset built best effort for the running kernel (man 7 landlock).

    ``fs``, ``net``, ``scoped``: the rights the sandbox handles, i.e. denies unless a rule
    allows them (scopes have no rules: a scoped IPC never crosses the sandbox's border).
    ``fs=None`` (the default) handles every filesystem right the kernel knows, the
    documentation's advice; ``net`` and ``scoped`` default to none (handling them denies every
    TCP bind/connect, abstract-socket connection or signal leaving the sandbox).  ``abi``
    caps the ABI used (a policy pinned to what an older kernel enforces; tests).

    Rights the kernel does not know are dropped and reported: ``dropped`` (a
    ``LandlockRights``) holds what was asked but is not handled, ``handled`` what is, ``abi``
    the ABI used.  Where nothing asked is left (net rights only, before ABI 4), no ruleset is
    made (``fd`` is None) and ``restrict_self`` only sets no_new_privs: check ``dropped``.

    Raises ValueError for a ruleset asking for nothing, bad names or ``abi``, TypeError for
    another namespace's members, before any syscall; UnsupportedError when the kernel has no
    usable Landlock (``abi_version() == 0``: nothing can be enforced, so nothing is pretended).
    """

    __slots__ = ("fd", "abi", "handled", "dropped")

    def __init__(self, fs: Optional[FlagArg] = None, net: FlagArg = 0, scoped: FlagArg = 0, *,
                 abi: Optional[int] = None) -> None:
        self.fd: Optional[Fd] = None
        want_fs = None if fs is None else to_int(fs, FS)
        want_net = to_int(net, NET)
        want_scoped = to_int(scoped, SCOPE)
        cap = None if abi is None else _abi_arg(abi, 1)
        if want_fs == 0 and not want_net and not want_scoped:
            raise ValueError("Ruleset: fs, net and scoped are all 0: it would restrict nothing")
        running = abi_version()
        if running == 0:
            raise UnsupportedError("landlock_create_ruleset")
        self.abi = running if cap is None else min(cap, running)
        known = rights(self.abi)
        if want_fs is None:
            want_fs = known.fs
        self.handled = LandlockRights(FS(want_fs & known.fs), NET(want_net & known.net),
                                      SCOPE(want_scoped & known.scoped))
        self.dropped = LandlockRights(FS(want_fs & ~known.fs), NET(want_net & ~known.net),
                                      SCOPE(want_scoped & ~known.scoped))
        if any(self.handled):
            self.fd = landlock_create_ruleset(*self.handled)

    def allow_path(self, path: Union[PathArg, FdArg], access: FlagArg) -> None:
        """Allow ``access`` (LANDLOCK_ACCESS_FS) beneath ``path`` (a directory or a file; a
        str/bytes/PathLike is opened O_PATH here, anything else is taken as an open fd).

        Only what the ruleset handles is added (the rest is allowed anyway); on a
        non-directory the directory-only rights are left out (the kernel grants only file
        rights there), so a rule that keeps nothing adds nothing.  Raises FileNotFoundError
        (or the open's other errors) for the path at once, ValueError for no right or bad
        names, TypeError for another namespace's members, ClosedFdError after close()."""
        want = to_int(access, FS)
        if not want:
            raise ValueError("allow_path: access allows nothing")
        rs = self._ruleset_fd()
        if isinstance(path, (str, bytes, os.PathLike)):
            fd = _open(path, _O_PATH_CLOEXEC)
            try:
                self._add_path(rs, fd, want)
            finally:
                fd.close()
        else:
            self._add_path(rs, path, want)

    def _add_path(self, rs: Optional[Fd], parent: FdArg, want: int) -> None:
        n = fdnum(parent)
        allowed = want & self.handled.fs
        if not stat.S_ISDIR(os.fstat(n).st_mode):
            allowed &= _FILE_MASK
        if rs is not None and allowed:
            call(_add_rule_path_beneath, "landlock_add_rule", fdnum(rs), allowed, n, 0)

    def allow_port(self, port: int, access: FlagArg) -> None:
        """Allow ``access`` (LANDLOCK_ACCESS_NET: ``"bind_tcp"``, ``"connect_tcp"``) on TCP
        ``port`` (0..65535), ABI 4 and later; only what the ruleset handles is added (nothing
        before ABI 4, where ``dropped.net`` says so).  Raises TypeError/ValueError for a bad
        port or names, ClosedFdError after close()."""
        if type(port) is not int:
            raise TypeError(f"allow_port: port must be an int, not {type(port).__name__}")
        if not 0 <= port <= 65535:
            raise ValueError(f"allow_port: port must be in 0..65535, not {port}")
        want = to_int(access, NET)
        if not want:
            raise ValueError("allow_port: access allows nothing")
        rs = self._ruleset_fd()
        allowed = want & self.handled.net
        if rs is not None and allowed:
            call(_add_rule_net_port, "landlock_add_rule", fdnum(rs), allowed, port, 0)

    def restrict_self(self, no_new_privs: bool = True, flags: int = 0) -> None:
        """Enforce the ruleset on the calling thread and the children it makes from now on,
        for good (man 2 landlock_restrict_self); first set no_new_privs (PR_SET_NO_NEW_PRIVS),
        which the kernel requires of a thread without CAP_SYS_ADMIN.  ``flags``: the ABI 7
        audit-logging flags (ints; ``L.LANDLOCK_RESTRICT_SELF_LOG_*`` where the build's headers
        have them), left out before ABI 7 when the build names them (they change only logging);
        other bits go to the kernel as they are.

        The ruleset stays open (another thread may enforce it too) until close().  Raises
        PermissionError without no_new_privs and CAP_SYS_ADMIN, OSError(E2BIG) past 16
        stacked rulesets, ClosedFdError after close(); TypeError/OverflowError for flags that
        are no unsigned 32-bit int, before any syscall."""
        if type(flags) is not int:
            raise TypeError(f"restrict_self: flags must be an int, not {type(flags).__name__}")
        in_range(flags, "restrict_self: flags", 0, U32)
        rs = self._ruleset_fd()
        # Only the logging flags are left out: another unknown bit stays an EINVAL, since
        # dropping it could loosen the sandbox.
        if self.abi < 7:
            flags &= ~_ABI7_LOG_FLAGS
        if no_new_privs:
            from .security import pr_set_no_new_privs  # the prctl family's
            pr_set_no_new_privs()
        if rs is not None:
            landlock_restrict_self(rs, flags)

    def _ruleset_fd(self) -> Optional[Fd]:
        """The ruleset's Fd (None: nothing handled); ClosedFdError once closed."""
        rs = self.fd
        if rs is not None:
            fdnum(rs)  # ClosedFdError after close(), before any other work
        return rs

    def close(self) -> None:
        """Close the ruleset (an enforced sandbox stays: it is the thread's now)."""
        if self.fd is not None:
            self.fd.close()

    def __enter__(self) -> Ruleset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "no ruleset" if self.fd is None else repr(self.fd)
        return (f"<Ruleset abi={self.abi} fs={int(self.handled.fs):#x} "
                f"net={int(self.handled.net):#x} scoped={int(self.handled.scoped):#x} {state}>")


landlock_abi_version = abi_version
landlock_errata = errata

methods(landlock_add_rule)

__all__ = ["landlock_create_ruleset", "landlock_add_rule", "landlock_abi_version",
           "landlock_errata"]
__all__ += _sys_landlock.__all__
