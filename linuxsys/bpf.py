"""bpf: the bpf(2) syscall, raw, and its map commands as functions (man 2 bpf).

``bpf(cmd, attr)`` issues any command with ``attr`` (a ``union bpf_attr``: a writable buffer
or ``ffi.new`` memory the caller filled, its size the buffer's) and returns the kernel's
answer: a new ``Fd`` for the commands that make one (``BPF_CMD.MAP_CREATE``, ``PROG_LOAD``,
``OBJ_GET``, ``*_GET_FD_BY_ID``, ``BTF_LOAD``, ``LINK_CREATE`` ...), the int otherwise.

The map commands::

    m = L.bpf_map_create(L.BPF_MAP_TYPE.HASH, key_size=4, value_size=8, max_entries=16)
    L.bpf_map_update_elem(m, 1, (42).to_bytes(8, "little"))   # int keys: native byte order
    L.bpf_map_lookup_elem(m, 1)                                # -> the value's bytes
    L.bpf_map_get_next_key(m)                                  # the first key (None: empty)
    L.bpf_map_delete_elem(m, 1)

Keys and values are bytes-like objects of exactly the map's key and value sizes, or ints
(packed in native byte order to that size).  The element functions ask the kernel for the
map's sizes first (BPF_OBJ_GET_INFO_BY_FD), so a wrong size is a ValueError rather than the
kernel reading or writing past a buffer; per-CPU maps take and give one value per possible
CPU, each padded to 8 bytes.  Fds are close-on-exec unless ``inheritable=True``.
Creating maps needs CAP_BPF (or CAP_SYS_ADMIN) unless ``kernel.unprivileged_bpf_disabled``
is 0: PermissionError otherwise.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Optional, Union

from ._core import (NEG_EINTR, Buffer, call, call_buf, error, ffi, lib, nbytes, release,
                    writable)
from .fd import Fd, FdArg, fdnum_of_kind, methods, tagged
from .flags import FlagArg, to_int

from ._consts import BPF_CMD, BPF_MAP_TYPE, BPF_F, BPF_UPDATE

_bpf = lib.ls_bpf
_fcntl = lib.ls_fcntl
_close = lib.ls_close

_ATTR = "union bpf_attr *"
_ATTR_SIZE = ffi.sizeof("union bpf_attr")
_CREATE = "struct ls_bpf_map_create_attr *"
_ELEM = "struct ls_bpf_map_elem_attr *"
_INFO = "struct ls_bpf_info_attr *"
_MAP_INFO = "struct ls_bpf_map_info *"
_MAP_INFO_SIZE = ffi.sizeof("struct ls_bpf_map_info")
_KIND = "bpf-map"  # /proc/self/fd: anon_inode:bpf-map

_MAP_CREATE = int(BPF_CMD.MAP_CREATE)
_LOOKUP = int(BPF_CMD.MAP_LOOKUP_ELEM)
_UPDATE = int(BPF_CMD.MAP_UPDATE_ELEM)
_DELETE = int(BPF_CMD.MAP_DELETE_ELEM)
_NEXT_KEY = int(BPF_CMD.MAP_GET_NEXT_KEY)
_GET_INFO = int(BPF_CMD.OBJ_GET_INFO_BY_FD)
_F_SETFD = lib.F_SETFD
_NEG_ENOENT = -lib.ENOENT

# The commands whose result is a new fd (man 2 bpf, linux/bpf.h), as far as this build knows
# them: bpf() returns an Fd for these.
_FD_CMDS = frozenset(int(BPF_CMD.__members__[n]) for n in (
    "MAP_CREATE", "PROG_LOAD", "OBJ_GET", "PROG_GET_FD_BY_ID", "MAP_GET_FD_BY_ID",
    "RAW_TRACEPOINT_OPEN", "BTF_LOAD", "BTF_GET_FD_BY_ID", "LINK_CREATE", "LINK_GET_FD_BY_ID",
    "ITER_CREATE", "TOKEN_CREATE") if n in BPF_CMD.__members__)
# Map types whose values are per CPU: one value_size slot (rounded up to 8) per possible CPU.
_PERCPU = frozenset(int(BPF_MAP_TYPE.__members__[n]) for n in (
    "PERCPU_HASH", "PERCPU_ARRAY", "LRU_PERCPU_HASH", "PERCPU_CGROUP_STORAGE")
    if n in BPF_MAP_TYPE.__members__)
_ncpus: list[int] = []


def _possible_cpus() -> int:
    """The number of possible CPUs (the kernel's num_possible_cpus(), as libbpf reads it)."""
    if not _ncpus:
        try:
            with open("/sys/devices/system/cpu/possible") as f:
                text = f.read().strip()
            n = 0
            for part in text.split(","):
                lo, _, hi = part.partition("-")
                n += int(hi or lo) - int(lo) + 1
        except (OSError, ValueError):
            n = os.cpu_count() or 1
        _ncpus.append(n)
    return _ncpus[0]


def _new_fd(r: int, inheritable: bool, kind: Optional[str]) -> Fd:
    """An owning Fd for the kernel's new fd (bpf opens every one close-on-exec)."""
    fd = tagged(r, kind) if kind else Fd(r)
    if inheritable:
        call(_fcntl, "fcntl", r, _F_SETFD, 0)
    return fd


def bpf(cmd: FlagArg, attr: Buffer, size: Optional[int] = None, *,
        inheritable: bool = False) -> Union[int, Fd]:
    """Issue BPF command ``cmd`` (a ``BPF_CMD``) with ``attr``, a ``union bpf_attr`` the
    caller filled (man 2 bpf): a writable buffer or ``ffi.new`` memory (the kernel writes some
    answers into it), ``size`` its size by default (at most that).

    Returns a new Fd (close-on-exec unless ``inheritable``) for the commands that make one,
    the kernel's int otherwise.

    https://man7.org/linux/man-pages/man2/bpf.2.html

    Unsafe: the pointers inside ``attr`` (keys, values, programs, logs) are taken as they are:
    the kernel reads and writes where they point.

    Raises:
        PermissionError: without CAP_BPF/CAP_SYS_ADMIN where unprivileged BPF is disabled
            (EPERM, EACCES).
        OSError: EINVAL for an unknown command or bad attribute, E2BIG for non-zero bytes
            past what this kernel knows, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: no CONFIG_BPF_SYSCALL).
        TypeError: ``attr`` is read-only or no buffer, ``size`` is not an int, or ``cmd`` is
            not an int, BPF_CMD member or name string (before any call).
        ValueError: ``size`` is beyond the buffer, or an unknown BPF_CMD name (before any
            call).
        BufferError: ``attr`` is not C-contiguous (before any call).
    """
    c = to_int(cmd, BPF_CMD)
    cbuf = writable(attr)
    n = nbytes(cbuf)
    if size is not None:
        if type(size) is not int or not 0 <= size <= n:
            err = (ValueError(f"bpf: size {size} is beyond the {n}-byte attr")
                   if type(size) is int else
                   TypeError(f"bpf: size must be an int, not {type(size).__name__}"))
            release(cbuf, attr)
            raise err
        n = size
    r = call_buf(_bpf, "bpf", cbuf, attr, c, cbuf, min(n, 0xFFFFFFFF))
    return _new_fd(r, inheritable, _KIND if c == _MAP_CREATE else None) if c in _FD_CMDS else r


def bpf_map_create(map_type: FlagArg, key_size: int, value_size: int, max_entries: int,
                   map_flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """Create a BPF map (man 2 bpf, BPF_MAP_CREATE): ``map_type`` a ``BPF_MAP_TYPE``,
    ``map_flags`` ``BPF_F`` flags; a new Fd, close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/bpf.2.html

    Raises:
        PermissionError: without CAP_BPF (see the module) (EPERM).
        OSError: EINVAL for sizes or flags the map type refuses, E2BIG or ENOMEM for a map
            too large, the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: no CONFIG_BPF_SYSCALL).
        TypeError: a size is not an int, or ``map_type``/``map_flags`` is not an int, member
            or name string (before any call).
        ValueError: an unknown BPF_MAP_TYPE or BPF_F name (before any call).
        OverflowError: a size beyond 32 bits (before any call).
    """
    attr = ffi.new(_ATTR)
    a = ffi.cast(_CREATE, attr)
    a.map_type = to_int(map_type, BPF_MAP_TYPE)
    a.key_size = key_size
    a.value_size = value_size
    a.max_entries = max_entries
    a.map_flags = to_int(map_flags, BPF_F)
    return _new_fd(call(_bpf, "bpf", _MAP_CREATE, attr, _ATTR_SIZE), inheritable, _KIND)


def _sizes(n: int) -> tuple[int, int]:
    """(key size, value size as the element commands copy it) of the map behind fd n."""
    attr = ffi.new(_ATTR)
    info = ffi.new(_MAP_INFO)
    a = ffi.cast(_INFO, attr)
    a.bpf_fd = n
    a.info_len = _MAP_INFO_SIZE
    a.info = int(ffi.cast("uintptr_t", info))
    call(_bpf, "bpf", _GET_INFO, attr, _ATTR_SIZE)
    value = info.value_size
    if info.type in _PERCPU:
        value = (value + 7) // 8 * 8 * _possible_cpus()
    return info.key_size, value


def _bytes(data: Union[int, Buffer], size: int, what: str) -> bytes:
    """A key or value as the map's ``size`` bytes: an int packed in native byte order, or a
    bytes-like object of exactly that size (copied: the kernel reads it during the call)."""
    if isinstance(data, int) and not isinstance(data, bool):
        try:
            return data.to_bytes(size, sys.byteorder, signed=data < 0)
        except OverflowError:
            raise OverflowError(f"{what} {data} does not fit the map's {size}-byte "
                                f"{what}s") from None
    if isinstance(data, str):
        raise TypeError(f"a {what} is a bytes-like object or an int, not str")
    try:  # (a bool goes to memoryview too: its TypeError is the one raised below)
        with memoryview(data) as m:  # type: ignore[arg-type]
            b = m.tobytes()
    except TypeError:
        raise TypeError(f"a {what} is a bytes-like object or an int, "
                        f"not {type(data).__name__!r}") from None
    if len(b) != size:
        raise ValueError(f"the map's {what}s are {size} bytes, not {len(b)}")
    return b


def _addr(cdata: object) -> int:
    return int(ffi.cast("uintptr_t", cdata))


def _elem(map_fd: FdArg, call_name: str, key: Union[int, Buffer, None],
          flags: int) -> tuple[Any, Any, Any, int, int]:
    """(attr, the key's memory, attr's element view, key size, value size) for an element
    command on ``map_fd`` (the key's memory must live until the call returns)."""
    n = fdnum_of_kind(map_fd, _KIND, call_name)
    key_size, value_size = _sizes(n)
    attr = ffi.new(_ATTR)
    e = ffi.cast(_ELEM, attr)
    e.map_fd = n
    k = ffi.NULL
    if key is not None:
        k = ffi.new("char[]", _bytes(key, key_size, "key") or b"\0")
        e.key = _addr(k)
    e.flags = flags
    return attr, k, e, key_size, value_size


def bpf_map_lookup_elem(map_fd: FdArg, key: Union[int, Buffer], flags: FlagArg = 0) -> bytes:
    """The value of ``key`` in a BPF map (man 2 bpf, BPF_MAP_LOOKUP_ELEM), as bytes (per-CPU
    maps: every possible CPU's, each padded to 8 bytes); ``flags`` ``BPF_UPDATE.F_LOCK``.

    https://man7.org/linux/man-pages/man2/bpf.2.html

    Raises:
        FileNotFoundError: the key is not in the map (ENOENT).
        OSError: EINVAL for an fd that is no BPF map (checked first) or flags the map
            refuses, the subclass os raises for any other errno.
        ClosedFdError: ``map_fd`` is a closed Fd.
        TypeError: ``key`` is neither a bytes-like object nor an int, or ``flags`` not an int,
            BPF_UPDATE member or name string (before the element call).
        ValueError: ``key`` is not the map's size, or an unknown BPF_UPDATE name (before the
            element call).
        OverflowError: an int ``key`` does not fit the map's size (before the element call).
    """
    f = to_int(flags, BPF_UPDATE)
    attr, _k, e, _, value_size = _elem(map_fd, "bpf_map_lookup_elem", key, f)
    out = ffi.new("char[]", max(value_size, 1))
    e.value = _addr(out)
    call(_bpf, "bpf", _LOOKUP, attr, _ATTR_SIZE)
    v: bytes = ffi.unpack(out, value_size)
    return v


def bpf_map_update_elem(map_fd: FdArg, key: Union[int, Buffer], value: Union[int, Buffer],
                        flags: FlagArg = 0) -> None:
    """Set ``key`` to ``value`` in a BPF map (man 2 bpf, BPF_MAP_UPDATE_ELEM); ``flags``
    ``BPF_UPDATE.ANY`` (create or replace), ``NOEXIST`` (create only), ``EXIST`` (replace
    only), ``F_LOCK``.

    https://man7.org/linux/man-pages/man2/bpf.2.html

    Raises:
        FileExistsError: ``NOEXIST`` and the key is there (EEXIST).
        FileNotFoundError: ``EXIST`` and the key is not there (ENOENT).
        OSError: E2BIG for a full map, EINVAL for an fd that is no BPF map (checked first)
            or an array index out of range, the subclass os raises for any other errno.
        ClosedFdError: ``map_fd`` is a closed Fd.
        TypeError: ``key`` or ``value`` is neither a bytes-like object nor an int, or ``flags``
            not an int, BPF_UPDATE member or name string (before the element call).
        ValueError: ``key`` or ``value`` is not the map's size, or an unknown BPF_UPDATE name
            (before the element call).
        OverflowError: an int ``key`` or ``value`` does not fit the map's size (before the
            element call).
    """
    f = to_int(flags, BPF_UPDATE)
    attr, _k, e, _, value_size = _elem(map_fd, "bpf_map_update_elem", key, f)
    v = ffi.new("char[]", _bytes(value, value_size, "value") or b"\0")
    e.value = _addr(v)
    call(_bpf, "bpf", _UPDATE, attr, _ATTR_SIZE)


def bpf_map_delete_elem(map_fd: FdArg, key: Union[int, Buffer], flags: FlagArg = 0) -> None:
    """Remove ``key`` from a BPF map (man 2 bpf, BPF_MAP_DELETE_ELEM).

    https://man7.org/linux/man-pages/man2/bpf.2.html

    Raises:
        FileNotFoundError: the key is not in the map (ENOENT).
        OSError: EINVAL for an fd that is no BPF map (checked first) or a map type without
            deletion (arrays), the subclass os raises for any other errno.
        ClosedFdError: ``map_fd`` is a closed Fd.
        TypeError: ``key`` is neither a bytes-like object nor an int, or ``flags`` not an int,
            BPF_UPDATE member or name string (before the element call).
        ValueError: ``key`` is not the map's size, or an unknown BPF_UPDATE name (before the
            element call).
        OverflowError: an int ``key`` does not fit the map's size (before the element call).
    """
    f = to_int(flags, BPF_UPDATE)
    attr, _k, _e, _, _ = _elem(map_fd, "bpf_map_delete_elem", key, f)
    call(_bpf, "bpf", _DELETE, attr, _ATTR_SIZE)


def bpf_map_get_next_key(map_fd: FdArg, key: Union[int, Buffer, None] = None) -> Optional[bytes]:
    """The key after ``key`` in a BPF map (man 2 bpf, BPF_MAP_GET_NEXT_KEY): with None (or a
    key not in a hash map) the first one; None after the last.

    https://man7.org/linux/man-pages/man2/bpf.2.html

    Raises:
        OSError: EINVAL for an fd that is no BPF map (checked first), the subclass os raises
            for any other errno.
        ClosedFdError: ``map_fd`` is a closed Fd.
        TypeError: ``key`` is neither a bytes-like object nor an int (before the element call).
        ValueError: ``key`` is not the map's size (before the element call).
        OverflowError: an int ``key`` does not fit the map's size (before the element call).
    """
    attr, _k, e, key_size, _ = _elem(map_fd, "bpf_map_get_next_key", key, 0)
    out = ffi.new("char[]", max(key_size, 1))
    e.value = _addr(out)  # next_key
    r = _bpf(_NEXT_KEY, attr, _ATTR_SIZE)
    while r < 0:
        if r == _NEG_ENOENT:  # ``key`` was the last one
            return None
        if r != NEG_EINTR:
            raise error(-r, "bpf")
        r = _bpf(_NEXT_KEY, attr, _ATTR_SIZE)
    v: bytes = ffi.unpack(out, key_size)
    return v


methods(bpf_map_lookup_elem, bpf_map_update_elem, bpf_map_delete_elem, bpf_map_get_next_key)

__all__ = ["bpf", "bpf_map_create", "bpf_map_lookup_elem", "bpf_map_update_elem",
           "bpf_map_delete_elem", "bpf_map_get_next_key"]
