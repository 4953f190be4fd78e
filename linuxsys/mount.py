"""mount: mounts (man 2 mount, umount2, pivot_root) and the mount API (man 2 fsopen, fsconfig,
fsmount, fspick, move_mount, open_tree, mount_setattr, statmount, listmount).

The classic calls take ``MS`` flags (``mount``) and ``MNT`` flags (``umount2``; ``L.UMOUNT`` is
the same namespace).  The mount API works on fds: ``fsopen("tmpfs")`` gives a filesystem
context that ``fsconfig`` fills (``FSCONFIG.SET_STRING`` ...) and ``FSCONFIG.CMD_CREATE``
creates; ``fsmount`` turns it into a detached mount, as ``open_tree(..., OPEN_TREE.CLONE)``
does with a copy of an existing tree; ``move_mount`` attaches either; ``mount_setattr`` changes
a mount tree's attributes (``MountAttr``: read-only, idmapped ...).  A failing ``fsconfig`` or
``fsmount`` puts the kernel's log messages (``"e tmpfs: Unknown parameter 'x'"``) in the
error's message.  Every new fd is close-on-exec unless ``inheritable=True``.

``listmount``/``statmount`` (Linux 6.8) list and describe mounts by their unique 64-bit ids;
older kernels raise ``UnsupportedError``.

Mounting changes the machine for every process of the mount namespace: programs that try
things do so in a child that first unshares ``CLONE.NEWNS`` (``linuxsys.ns.unshare``) and makes
its mounts private (``mount(None, "/", None, MS.REC | MS.PRIVATE)``).
"""
from __future__ import annotations

import os
from typing import Any, List, NamedTuple, Optional, Tuple, Union

from ._core import NEG_EINTR, PathArg, call, decode, error, ffi, id_pages, lib, path as _path, u64
from .fd import Fd, FdArg, fdnum, fdnum_of_kind, methods
from .flags import FlagArg, to_int
from . import _sys_mount
from ._sys_mount import *  # noqa: F401,F403  (the plain syscalls, declared in cdefs/mount.h)

from ._consts import (MS, MNT, MOUNT_ATTR, OPEN_TREE, FSOPEN, FSMOUNT, FSPICK, FSCONFIG, STATMOUNT,
                      LISTMOUNT, AT)
UMOUNT = MNT  # umount2's flags, under the issue's other name

_mount = lib.ls_mount
_fsopen = lib.ls_fsopen
_fsconfig = lib.ls_fsconfig
_fsmount = lib.ls_fsmount
_fspick = lib.ls_fspick
_open_tree = lib.ls_open_tree
_open_tree_attr = lib.ls_open_tree_attr
_mount_setattr = lib.ls_mount_setattr
_statmount = lib.ls_statmount
_listmount = lib.ls_listmount
_read = lib.ls_read

_NULL = ffi.NULL
_AT_FDCWD = lib.AT_FDCWD
LSMT_ROOT = lib.LSMT_ROOT
_FSCONFIG_SET_FLAG = lib.FSCONFIG_SET_FLAG
_FSCONFIG_SET_STRING = lib.FSCONFIG_SET_STRING
_FSCONFIG_SET_BINARY = lib.FSCONFIG_SET_BINARY
_FSCONFIG_SET_PATH = lib.FSCONFIG_SET_PATH
_FSCONFIG_SET_PATH_EMPTY = lib.FSCONFIG_SET_PATH_EMPTY
_FSCONFIG_SET_FD = lib.FSCONFIG_SET_FD
_EOVERFLOW = lib.EOVERFLOW
_ENODATA = lib.ENODATA
_PATH_TYPES: tuple[type[Any], ...] = (str, bytes, os.PathLike)  # what _path() takes



def _opt_str(value: Any, what: str) -> Any:
    """A string argument that None leaves out (NULL)."""
    if value is None:
        return _NULL
    if not isinstance(value, _PATH_TYPES):
        raise TypeError(f"{what} must be str, bytes, a path or None, not {type(value).__name__}")
    return _path(value)


def mount(source: Optional[PathArg], target: PathArg, fstype: Optional[Union[str, bytes]] = None,
          flags: FlagArg = 0, data: Optional[Union[str, bytes]] = None) -> None:
    """Mount ``source`` (a device, a directory for ``MS.BIND``, any name for a virtual
    filesystem, or None) on ``target``, of filesystem type ``fstype``, with ``MS`` flags and
    the filesystem's comma-separated options ``data`` (man 2 mount).  ``MS.REMOUNT``,
    ``MS.BIND``, ``MS.MOVE`` and the propagation flags (``MS.PRIVATE``, ``MS.SHARED``,
    ``MS.SLAVE``, ``MS.UNBINDABLE``, with ``MS.REC``) change existing mounts.

    An error's ``filename`` is the target, its ``filename2`` the source.

    https://man7.org/linux/man-pages/man2/mount.2.html

    Raises:
        PermissionError: without CAP_SYS_ADMIN in the mount namespace's user namespace, or
            a mount that namespace's rules refuse (EPERM, EACCES).
        FileNotFoundError: ``target`` or ``source`` does not exist (ENOENT).
        NotADirectoryError: a path component, or a directory target, is not a directory
            (ENOTDIR).
        OSError: ENODEV for an unknown ``fstype``, EINVAL for a target that is no mount point
            where one is needed or bad flags, EBUSY for a busy source or target, ENOTBLK for
            a source that is no block device, ELOOP, ENAMETOOLONG, ENOMEM ..., the subclass
            os raises for any other errno.
        TypeError: ``source``, ``fstype`` or ``data`` is of the wrong type, ``target`` not
            str, bytes or a path, or ``flags`` not an int, MS member or name string (before
            any call).
        ValueError: an embedded NUL, or an unknown flag name (before any call).
        OverflowError: ``flags`` past an unsigned long (before any call).
    """
    c_source = _opt_str(source, "source")
    c_target = _path(target)
    c_fstype = _opt_str(fstype, "fstype")
    if type(flags) is not int:
        flags = to_int(flags, MS)
    if data is None:
        c_data = _NULL
    elif isinstance(data, (str, bytes)):  # pyright: ignore[reportUnnecessaryIsInstance]: untyped callers
        c_data = ffi.new("char[]", _path(data))
    else:
        raise TypeError(f"data must be str, bytes or None, not {type(data).__name__}")
    call(_mount, "mount", c_source, c_target, c_fstype, flags, c_data,
         filename=target, filename2=source)


def fsopen(fsname: Union[str, bytes], flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """A new filesystem context for filesystem type ``fsname`` (``"tmpfs"``, ``"proc"`` ...), an
    Fd for fsconfig and fsmount, close-on-exec unless ``inheritable`` (man 2 fsopen; ``FSOPEN``
    flags).

    https://man7.org/linux/man-pages/man2/fsopen.2.html

    Raises:
        PermissionError: without CAP_SYS_ADMIN in the mount namespace's user namespace
            (EPERM).
        OSError: ENODEV for an unknown filesystem type, EINVAL for unknown flags, EMFILE,
            ENFILE, ENOMEM, the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: before Linux 5.2).
        TypeError: ``fsname`` is not str or bytes, or ``flags`` not an int, FSOPEN member or
            name string (before any call).
        ValueError: a NUL in ``fsname``, or an unknown flag name (before any call).
        OverflowError: ``flags`` past an unsigned int (before any call).
    """
    if not isinstance(fsname, (str, bytes)):  # pyright: ignore[reportUnnecessaryIsInstance]: untyped callers
        raise TypeError(f"fsname must be str or bytes, not {type(fsname).__name__}")
    name = _path(fsname)
    if type(flags) is not int:
        flags = to_int(flags, FSOPEN)
    if not inheritable:
        flags |= lib.FSOPEN_CLOEXEC
    return Fd(call(_fsopen, "fsopen", name, flags))


def fs_log(fd: FdArg) -> List[str]:
    """The messages a filesystem context (from fsopen or fspick) logged and not yet read:
    ``"e ..."`` errors, ``"w ..."`` warnings, ``"i ..."`` information (man 2 fsopen, "Message
    retrieval interface").  Reading them empties the log; a failed read ends it, unraised.

    https://man7.org/linux/man-pages/man2/fsopen.2.html

    Raises:
        OSError: EINVAL for an fd that is no filesystem context (checked before anything is
            read: a pipe's data is never eaten), EBADF for an fd not open.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
        ValueError: an unknown std fd name (before any call).
    """
    n = fdnum_of_kind(fd, "fscontext", "fs_log")  # a pipe's data is not read as a log
    buf = ffi.new("char[]", 1024)
    out: list[str] = []
    while len(out) < 64:  # the kernel keeps at most 8; a bound all the same
        r = _read(n, buf, 1024)
        if r == NEG_EINTR:
            continue
        if r <= 0:  # -ENODATA: the log is empty (or the fd is no fs context)
            break
        out.append(ffi.buffer(buf, r)[:].decode("utf-8", "replace").rstrip("\n"))
    return out


def _fs_error(r: int, n: int, name: str, filename: Any = None) -> OSError:
    """The error of a failed call on a filesystem context, with the kernel's log in its message."""
    e = error(-r, name, filename)
    try:
        log = fs_log(n)
    except OSError:  # no fs context at all (EBADF, another kind of fd): the call's error alone
        log = []
    if log:
        e.strerror = f"{e.strerror} [{'; '.join(log)}]"
    return e


_KEYED = (_FSCONFIG_SET_FLAG, _FSCONFIG_SET_STRING, _FSCONFIG_SET_BINARY, _FSCONFIG_SET_PATH,
          _FSCONFIG_SET_PATH_EMPTY, _FSCONFIG_SET_FD)


def _cmd_name(cmd: int) -> str:
    try:
        return str(FSCONFIG(cmd).name)
    except ValueError:
        return f"command {cmd}"


def fsconfig(fd: FdArg, cmd: FlagArg, key: Optional[Union[str, bytes]] = None,
             value: Any = None, aux: Optional[FdArg] = None) -> None:
    """Configure a filesystem context (man 2 fsconfig).  By ``cmd`` (``FSCONFIG``):

    * ``SET_FLAG``: the flag ``key`` (``"ro"``); no value.
    * ``SET_STRING``: ``key`` = ``value``, a str or bytes (``"size"``, ``"1m"``).
    * ``SET_BINARY``: ``key`` = ``value``, bytes-like (copied; its length is ``aux``).
    * ``SET_PATH`` / ``SET_PATH_EMPTY``: ``key`` = the path ``value``, relative to the dirfd
      ``aux`` (default ``AT.FDCWD``; ``SET_PATH_EMPTY`` allows an empty path: ``aux`` itself).
    * ``SET_FD``: ``key`` = the fd ``aux``.
    * ``CMD_CREATE``, ``CMD_CREATE_EXCL``, ``CMD_RECONFIGURE``: create the superblock (or
      reconfigure fspick's); no key, value or aux.

    A failure's message carries the kernel's log (``[e tmpfs: Unknown parameter 'x']``).

    https://man7.org/linux/man-pages/man2/fsconfig.2.html

    Raises:
        PermissionError: ``CMD_CREATE`` or ``CMD_RECONFIGURE`` without CAP_SYS_ADMIN (EPERM;
            EACCES for a ``SET_PATH`` path it may not search).
        FileNotFoundError: a ``SET_PATH`` path that does not exist (ENOENT).
        OSError: EINVAL for a bad key, value or command, EOPNOTSUPP for a command the
            filesystem lacks, EBUSY for a context in the wrong state (created already ...),
            EBADF for a ``SET_FD`` aux or a ``fd`` not open, the subclass os raises for any
            other errno (UnsupportedError for ENOSYS: before Linux 5.2).
        ClosedFdError: ``fd`` or ``aux`` is a closed Fd.
        TypeError: a ``key``, ``value`` or ``aux`` that does not fit ``cmd``, ``cmd`` not an
            int, FSCONFIG member or name string, or ``fd`` no fd (before any call).
        ValueError: a keyed command without ``key``, an embedded NUL, or an unknown command
            or std fd name (before any call).
        OverflowError: ``cmd`` past an unsigned int (before any call).
    """
    n = fdnum(fd)
    if type(cmd) is not int:
        cmd = to_int(cmd, FSCONFIG)
    c_key = _opt_str(key, "key")
    c_value: Any = _NULL
    c_aux = 0
    filename = None
    if cmd in _KEYED and key is None:
        raise ValueError(f"fsconfig {_cmd_name(cmd)} needs a key")
    if cmd == _FSCONFIG_SET_STRING:
        if not isinstance(value, (str, bytes)):
            raise TypeError("fsconfig SET_STRING: value must be str or bytes, "
                            f"not {type(value).__name__}")
        c_value = ffi.new("char[]", _path(value))
    elif cmd == _FSCONFIG_SET_BINARY:
        if value is None or isinstance(value, str):
            raise TypeError("fsconfig SET_BINARY: value must be a bytes-like object")
        data = bytes(memoryview(value))
        c_value = ffi.new("char[]", data or b"\0")
        c_aux = len(data)
    elif cmd in (_FSCONFIG_SET_PATH, _FSCONFIG_SET_PATH_EMPTY):
        if value is None:
            raise TypeError("fsconfig SET_PATH: value must be a path")
        c_value = ffi.new("char[]", _path(value))
        c_aux = _AT_FDCWD if aux is None else fdnum(aux)
        filename = value
    elif cmd == _FSCONFIG_SET_FD:
        if aux is None:
            raise TypeError("fsconfig SET_FD: aux must be the fd")
        c_aux = fdnum(aux)
    elif value is not None or aux is not None:  # SET_FLAG, CMD_* (or a command unknown here)
        raise TypeError(f"fsconfig {_cmd_name(cmd)} takes no value or aux")
    r = _fsconfig(n, cmd, c_key, c_value, c_aux)
    while r < 0:
        if r != NEG_EINTR:
            raise _fs_error(r, n, "fsconfig", filename)
        r = _fsconfig(n, cmd, c_key, c_value, c_aux)


def fsmount(fs_fd: FdArg, flags: FlagArg = 0, attr_flags: FlagArg = 0, *,
            inheritable: bool = False) -> Fd:
    """A detached mount of the filesystem context ``fs_fd`` created (``FSCONFIG.CMD_CREATE``),
    as an Fd for move_mount, close-on-exec unless ``inheritable`` (man 2 fsmount; ``FSMOUNT``
    flags, ``MOUNT_ATTR`` attr_flags).  A failure's message carries the context's log.

    https://man7.org/linux/man-pages/man2/fsmount.2.html

    Raises:
        PermissionError: without CAP_SYS_ADMIN (EPERM).
        OSError: EINVAL for a context not yet created or bad flags, EBUSY for a context
            mounted already, EBADF for a ``fs_fd`` not open, EMFILE, ENOMEM, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: before Linux 5.2).
        ClosedFdError: ``fs_fd`` is a closed Fd.
        TypeError: ``flags`` or ``attr_flags`` is not an int, member or name string, or
            ``fs_fd`` no fd (before any call).
        ValueError: an unknown flag or std fd name (before any call).
        OverflowError: ``flags`` or ``attr_flags`` past an unsigned int (before any call).
    """
    n = fdnum(fs_fd)
    if type(flags) is not int:
        flags = to_int(flags, FSMOUNT)
    if type(attr_flags) is not int:
        attr_flags = to_int(attr_flags, MOUNT_ATTR)
    if not inheritable:
        flags |= lib.FSMOUNT_CLOEXEC
    r = _fsmount(n, flags, attr_flags)
    while r < 0:
        if r != NEG_EINTR:
            raise _fs_error(r, n, "fsmount")
        r = _fsmount(n, flags, attr_flags)
    return Fd(r)


def fspick(dirfd: FdArg, path: PathArg, flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """A filesystem context for the superblock of the mount at ``path`` (relative to dirfd),
    to reconfigure with fsconfig, close-on-exec unless ``inheritable`` (man 2 fspick;
    ``FSPICK`` flags).

    https://man7.org/linux/man-pages/man2/fspick.2.html

    Raises:
        FileNotFoundError: ``path`` does not exist (ENOENT).
        PermissionError: without CAP_SYS_ADMIN, or search permission denied (EPERM,
            EACCES).
        NotADirectoryError: a path component is not a directory (ENOTDIR).
        OSError: EINVAL when ``path`` is no mount's root or for bad flags, EBADF for a
            ``dirfd`` not open, EMFILE, ENOMEM, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: before Linux 5.2).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or a path, ``flags`` not an int, FSPICK member or
            name string, or ``dirfd`` no fd (before any call).
        ValueError: an embedded NUL, or an unknown flag or std fd name (before any call).
        OverflowError: ``flags`` past an unsigned int (before any call).
    """
    return _at_fd(_fspick, "fspick", dirfd, path, flags, FSPICK, lib.FSPICK_CLOEXEC,
                  inheritable)


def _at_fd(fn: Any, name: str, dirfd: FdArg, path: PathArg, flags: FlagArg, ns: Any,
           cloexec: int, inheritable: bool) -> Fd:
    """A new Fd from ``fn(dirfd, path, flags)``, ``cloexec`` added unless ``inheritable``."""
    n = fdnum(dirfd)
    p = _path(path)
    f = flags if type(flags) is int else to_int(flags, ns)
    if not inheritable:
        f |= cloexec
    return Fd(call(fn, name, n, p, f, filename=path))


def open_tree(dirfd: FdArg, path: PathArg, flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """An Fd on the mount tree at ``path`` (relative to dirfd), close-on-exec unless
    ``inheritable`` (man 2 open_tree; ``OPEN_TREE`` flags).  With ``OPEN_TREE.CLONE`` (and
    ``OPEN_TREE.AT_RECURSIVE``) it is a detached copy, a bind mount move_mount attaches;
    without, an O_PATH-like fd on the mount itself.

    https://man7.org/linux/man-pages/man2/open_tree.2.html

    Raises:
        FileNotFoundError: ``path`` does not exist (ENOENT).
        PermissionError: ``OPEN_TREE.CLONE`` without CAP_SYS_ADMIN, or search permission
            denied (EPERM, EACCES).
        NotADirectoryError: a path component is not a directory (ENOTDIR).
        OSError: EINVAL for bad flags (or a tree that cannot be copied), EBADF for a
            ``dirfd`` not open, EMFILE, ENOMEM, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: before Linux 5.2).
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``path`` is not str, bytes or a path, ``flags`` not an int, OPEN_TREE member or
            name string, or ``dirfd`` no fd (before any call).
        ValueError: an embedded NUL, or an unknown flag or std fd name (before any call).
        OverflowError: ``flags`` past an unsigned int (before any call).
    """
    return _at_fd(_open_tree, "open_tree", dirfd, path, flags, OPEN_TREE,
                  lib.OPEN_TREE_CLOEXEC, inheritable)


class MountAttr(NamedTuple):
    """struct mount_attr for mount_setattr (man 2 mount_setattr): ``MOUNT_ATTR`` bits to set
    and to clear (clear ``MOUNT_ATTR.ATIME`` to change the atime mode), a propagation type
    (``MS.PRIVATE``, ``MS.SHARED``, ``MS.SLAVE``, ``MS.UNBINDABLE``; 0: unchanged), and for
    ``MOUNT_ATTR.IDMAP`` the user namespace fd whose mappings the mount takes."""
    attr_set: FlagArg = 0
    attr_clr: FlagArg = 0
    propagation: FlagArg = 0
    userns_fd: Optional[FdArg] = None


def mount_setattr(dirfd: FdArg, path: PathArg, flags: FlagArg, attr: MountAttr) -> None:
    """Change the attributes of the mount at ``path`` (relative to dirfd; ``AT.EMPTY_PATH``
    with ``""``: dirfd's own mount, such as a detached one from open_tree), of its whole
    subtree with ``AT.RECURSIVE`` (man 2 mount_setattr; ``AT`` flags).

    https://man7.org/linux/man-pages/man2/mount_setattr.2.html

    Raises:
        PermissionError: without the privilege over the mount (or the idmapping's user
            namespace) (EPERM).
        FileNotFoundError: ``path`` does not exist (ENOENT).
        OSError: EINVAL for bad attributes or flags, ``path`` no mount, or an idmapping the
            filesystem refuses; EBUSY for a mount attached already (IDMAP needs a detached
            one); EBADF for a ``dirfd`` or ``userns_fd`` not open; the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: before Linux 5.12).
        ClosedFdError: ``dirfd`` or ``attr.userns_fd`` is a closed Fd.
        TypeError: ``attr`` is not a MountAttr, one of its flags or ``flags`` not an int,
            member or name string, ``path`` not str, bytes or a path, or an fd no fd (before
            any call).
        ValueError: an embedded NUL, or an unknown flag or std fd name (before any call).
        OverflowError: ``flags`` or an attribute outside its C type (before any call).
    """
    fields = _mount_attr(attr)
    n = fdnum(dirfd)
    p = _path(path)
    if type(flags) is not int:
        flags = to_int(flags, AT)
    call(_mount_setattr, "mount_setattr", n, p, flags, *fields, filename=path)


def _mount_attr(attr: MountAttr) -> Tuple[int, int, int, int]:
    """struct mount_attr's fields as the C helpers take them (userns_fd -1: none)."""
    if not isinstance(attr, MountAttr):  # pyright: ignore[reportUnnecessaryIsInstance]: untyped callers
        raise TypeError(f"attr must be a MountAttr, not {type(attr).__name__}")
    return (to_int(attr.attr_set, MOUNT_ATTR), to_int(attr.attr_clr, MOUNT_ATTR),
            to_int(attr.propagation, MS),
            -1 if attr.userns_fd is None else fdnum(attr.userns_fd))


def open_tree_attr(dirfd: FdArg, path: PathArg, flags: FlagArg = 0,
                   attr: Optional[MountAttr] = None, *, inheritable: bool = False) -> Fd:
    """open_tree, and for a detached copy (``OPEN_TREE.CLONE``) mount_setattr's ``attr`` applied
    before the Fd is returned, so the copy is never visible with the original's attributes
    (man 2 open_tree_attr, Linux 6.15).  ``attr=None``: as open_tree.  Close-on-exec unless
    ``inheritable``.

    https://man7.org/linux/man-pages/man2/open_tree_attr.2.html

    Raises:
        FileNotFoundError: ``path`` does not exist (ENOENT).
        PermissionError: ``OPEN_TREE.CLONE`` without CAP_SYS_ADMIN, or an ``attr`` change
            without the privilege (EPERM, EACCES).
        NotADirectoryError: a path component is not a directory (ENOTDIR).
        OSError: EINVAL for bad flags or attributes (``attr`` without ``OPEN_TREE.CLONE``),
            EBADF for a ``dirfd`` or ``userns_fd`` not open, EMFILE, ENOMEM, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: before Linux 6.15).
        ClosedFdError: ``dirfd`` or ``attr.userns_fd`` is a closed Fd.
        TypeError: ``attr`` is neither a MountAttr nor None, one of its flags or ``flags``
            not an int, member or name string, ``path`` not str, bytes or a path, or an fd no
            fd (before any call).
        ValueError: an embedded NUL, or an unknown flag or std fd name (before any call).
        OverflowError: ``flags`` or an attribute outside its C type (before any call).
    """
    fields = (0, 0, 0, 0, -1) if attr is None else (1,) + _mount_attr(attr)
    n = fdnum(dirfd)
    p = _path(path)
    f = flags if type(flags) is int else to_int(flags, OPEN_TREE)
    if not inheritable:
        f |= lib.OPEN_TREE_CLOEXEC
    # the struct's userns Fd (attr) stays referenced through the call with attr itself
    return Fd(call(_open_tree_attr, "open_tree_attr", n, p, f, *fields, filename=path))


class Statmount(NamedTuple):
    """What statmount(2) tells of a mount.  Fields the result's ``mask`` lacks are None."""
    mask: int               # the STATMOUNT bits filled
    mnt_id: Optional[int]   # unique 64-bit id (listmount's)
    mnt_parent_id: Optional[int]
    mnt_id_old: Optional[int]         # the ids of /proc/PID/mountinfo
    mnt_parent_id_old: Optional[int]
    mnt_attr: Optional[int]           # MOUNT_ATTR bits
    mnt_propagation: Optional[int]    # MS.SHARED | MS.SLAVE | MS.PRIVATE | MS.UNBINDABLE
    mnt_peer_group: Optional[int]
    mnt_master: Optional[int]
    propagate_from: Optional[int]
    sb_dev_major: Optional[int]
    sb_dev_minor: Optional[int]
    sb_magic: Optional[int]
    sb_flags: Optional[int]
    mnt_ns_id: Optional[int]
    fs_type: Optional[str]
    mnt_root: Optional[str]   # root of the mount relative to the filesystem's root
    mnt_point: Optional[str]  # mount point relative to the caller's root
    mnt_opts: Optional[str]   # the filesystem's options, comma-separated
    fs_subtype: Optional[str]
    sb_source: Optional[str]
    # Linux 6.13+: the options one per item (unescaped), the security (LSM) options apart
    opt_array: Optional[List[str]] = None
    opt_sec_array: Optional[List[str]] = None
    supported_mask: Optional[int] = None  # the STATMOUNT bits this kernel knows (6.15)
    mnt_uidmap: Optional[List[str]] = None  # an idmapped mount's maps, as uid_map lines
    mnt_gidmap: Optional[List[str]] = None


_SM_STRINGS = ("fs_type", "mnt_root", "mnt_point", "mnt_opts", "fs_subtype", "sb_source")
_SM_ARRAYS = ("opt_array", "opt_sec_array", "mnt_uidmap", "mnt_gidmap")  # LS_SM_ARRAY_AT's order
STATMOUNT_ALL = int(STATMOUNT.SB_BASIC | STATMOUNT.MNT_BASIC | STATMOUNT.PROPAGATE_FROM
                    | STATMOUNT.MNT_ROOT | STATMOUNT.MNT_POINT | STATMOUNT.FS_TYPE
                    | STATMOUNT.MNT_NS_ID | STATMOUNT.MNT_OPTS)


def statmount(mnt_id: int, mask: FlagArg = STATMOUNT_ALL) -> Statmount:
    """Describe the mount whose unique id is ``mnt_id`` (from listmount, or statx's
    STATX_MNT_ID_UNIQUE), the ``STATMOUNT`` fields of ``mask`` (default: all up to Linux 6.8's
    set, which every kernel with statmount fills; on request the newer ones: ``FS_SUBTYPE``,
    ``SB_SOURCE``, the option lists ``OPT_ARRAY``/``OPT_SEC_ARRAY``, ``SUPPORTED_MASK``, an
    idmapped mount's ``MNT_UIDMAP``/``MNT_GIDMAP``, Linux 6.13-6.15) (man 2 statmount).

    https://man7.org/linux/man-pages/man2/statmount.2.html

    Raises:
        FileNotFoundError: no mount ``mnt_id`` in the caller's mount namespace (ENOENT).
        PermissionError: a mount the caller may not look at (outside its root) (EPERM).
        OSError: EINVAL for unknown mask bits, EOVERFLOW for strings past 16 MiB, the
            subclass os raises for any other errno (UnsupportedError for ENOSYS: before
            Linux 6.8).
        TypeError: ``mnt_id`` is not an int, or ``mask`` not an int, STATMOUNT member or
            name string (before any call).
        ValueError: an unknown ``mask`` name (before any call).
        OverflowError: ``mnt_id`` or ``mask`` outside 0..2**64-1 (before any call).
    """
    mid = u64(mnt_id, "mnt_id")
    m = to_int(mask, STATMOUNT) if type(mask) is not int else mask
    m = u64(m, "mask")
    out = ffi.new("int64_t[]", lib.LS_SM_COUNT)
    size = 4096
    while True:
        buf = ffi.new("char[]", size)
        r = _statmount(mid, m, buf, size, out)
        if r >= 0:
            break
        if r == -_EOVERFLOW and size < 1 << 24:
            size *= 4  # the strings did not fit
        elif r != NEG_EINTR:
            raise error(-r, "statmount")
    got = out[0]
    ints = list(out[1:15])
    # (sb_dev_major .. mnt_ns_id in C order) -> the fields they belong to, None when not asked
    (dev_major, dev_minor, magic, sb_flags, m_id, parent, id_old, parent_old, m_attr, prop,
     peer, master, pfrom, ns_id) = ints
    sb = bool(got & STATMOUNT.SB_BASIC)
    basic = bool(got & STATMOUNT.MNT_BASIC)
    strings: dict[str, Any] = {}
    for i, name in enumerate(_SM_STRINGS):
        at = out[15 + i]
        strings[name] = None if at < 0 else decode(ffi.string(buf + at))
    for i, name in enumerate(_SM_ARRAYS):  # offsets, then counts, of `count` NUL-ended strings
        at, count = out[lib.LS_SM_ARRAY_AT + i], out[lib.LS_SM_ARRAY_NUM + i]
        items = ffi.buffer(buf, size)[at:].split(b"\0", count)[:count] if at >= 0 else None
        strings[name] = None if items is None else [decode(x) for x in items]
    supported = out[lib.LS_SM_SUPPORTED]
    u = (1 << 64) - 1
    return Statmount(
        mask=got,
        mnt_id=m_id & u if basic else None, mnt_parent_id=parent & u if basic else None,
        mnt_id_old=id_old if basic else None, mnt_parent_id_old=parent_old if basic else None,
        mnt_attr=m_attr & u if basic else None,
        mnt_propagation=MS(prop & u) if basic else None,
        mnt_peer_group=peer & u if basic else None, mnt_master=master & u if basic else None,
        propagate_from=pfrom & u if got & STATMOUNT.PROPAGATE_FROM else None,
        sb_dev_major=dev_major if sb else None, sb_dev_minor=dev_minor if sb else None,
        sb_magic=magic & u if sb else None, sb_flags=sb_flags if sb else None,
        mnt_ns_id=ns_id & u if got & STATMOUNT.MNT_NS_ID else None,
        supported_mask=None if supported < 0 else supported, **strings)


def listmount(mnt_id: int = LSMT_ROOT, last_mnt_id: int = 0, count: Optional[int] = None,
              flags: FlagArg = 0) -> List[int]:
    """The unique ids of the mounts below ``mnt_id`` (default: the whole mount namespace)
    that come after ``last_mnt_id`` (0: from the start; pass the last id of a page to get the
    next), at most ``count`` of them (None: all, fetched page by page) (man 2 listmount;
    ``LISTMOUNT`` flags: ``REVERSE``, Linux 6.11).

    https://man7.org/linux/man-pages/man2/listmount.2.html

    Raises:
        FileNotFoundError: no mount ``mnt_id`` in the caller's mount namespace (ENOENT).
        PermissionError: a mount the caller may not look at (outside its root) (EPERM).
        OSError: EINVAL for unknown flags, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: before Linux 6.8).
        TypeError: an id or ``count`` is not an int, or ``flags`` not an int, LISTMOUNT
            member or name string (before any call).
        ValueError: a negative ``count``, or an unknown flag name (before any call).
        OverflowError: an id outside 0..2**64-1, ``flags`` past an unsigned int (before any
            call).
    """
    mid = u64(mnt_id, "mnt_id")
    last = u64(last_mnt_id, "last_mnt_id")
    if type(flags) is not int:
        flags = to_int(flags, LISTMOUNT)
    return id_pages(lambda after, buf, want: call(_listmount, "listmount", mid, after, buf, want,
                                                  flags), last, count)

methods(fsconfig, fsmount, fspick, open_tree, open_tree_attr, mount_setattr, fs_log)

__all__ = ["mount", "fsopen", "fsconfig", "fsmount", "fspick", "open_tree", "open_tree_attr",
           "mount_setattr",
           "MountAttr", "statmount", "Statmount", "listmount", "fs_log", "LSMT_ROOT",
           "STATMOUNT_ALL", "UMOUNT"]
__all__ += _sys_mount.__all__
