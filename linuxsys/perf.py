"""perf: performance counters (man 2 perf_event_open).

``PerfEventAttr(type=..., config=..., disabled=1, exclude_kernel=1, ...)`` is a ``struct
perf_event_attr`` built from its field names (bit fields included; ``size`` is set);
``perf_event_open(attr, pid=0, cpu=-1, group_fd=-1, flags=0)`` opens the event as an Fd,
close-on-exec unless ``inheritable=True``.  The event ioctls are functions and Fd methods:
``perf_event_enable``, ``perf_event_disable``, ``perf_event_reset`` (``PERF_IOC_FLAG.GROUP``:
the whole group) and ``perf_event_id``; ``perf_event_read`` reads a counter's value.

``perf_counter()`` is the common case, the calling thread's own task clock::

    with L.perf_counter() as fd:          # PERF_COUNT_SW.TASK_CLOCK, opened disabled
        fd.perf_event_enable()
        work()
        fd.perf_event_disable()
        ns = fd.perf_event_read()

``kernel.perf_event_paranoid`` decides what an unprivileged caller may count (2: its own
user-space events only, hence ``exclude_kernel``); PermissionError (EACCES) otherwise.
"""
from __future__ import annotations

import operator
from typing import Any

from ._core import NEG_EINTR, call, error, ffi, lib
from .fd import Fd, FdArg, fdnum, fdnum_of_kind, methods, tagged
from .flags import FlagArg, to_int

from ._consts import PERF_TYPE, PERF_COUNT_SW, PERF_COUNT_HW, PERF_FORMAT, PERF_FLAG, PERF_IOC_FLAG

_perf_event_open = lib.ls_perf_event_open
_ioctl = lib.ls_ioctl
_ioctl_ptr = lib.ls_ioctl_ptr
_read = lib.ls_read

_STRUCT = "struct ls_perf_event_attr"
_SIZE = ffi.sizeof(_STRUCT)
_CLOEXEC = lib.PERF_FLAG_FD_CLOEXEC
_ENABLE = lib.LS_PERF_EVENT_IOC_ENABLE
_DISABLE = lib.LS_PERF_EVENT_IOC_DISABLE
_RESET = lib.LS_PERF_EVENT_IOC_RESET
_ID = lib.LS_PERF_EVENT_IOC_ID
_KIND = "perf_event"  # /proc/self/fd: anon_inode:[perf_event]
_SOFTWARE = int(PERF_TYPE.SOFTWARE)
_HARDWARE = int(PERF_TYPE.HARDWARE)


def _field_names(ctype: Any) -> list[str]:
    """Every field name of a struct, those of its anonymous unions and structs included."""
    names: list[str] = []
    for name, field in ctype.fields:
        if name:
            names.append(name)
        else:  # an anonymous member: its fields are the struct's own
            names += _field_names(field.type)
    return names


# What the keywords of PerfEventAttr may name: the kernel's fields, its reserved ones aside.
FIELDS = tuple(n for n in _field_names(ffi.typeof(_STRUCT)) if not n.startswith("__"))
_FIELD_SET = frozenset(FIELDS)


class PerfEventAttr:
    """A ``struct perf_event_attr`` (man 2 perf_event_open), its fields set from keywords:
    ``type`` (``PERF_TYPE``, or a PMU's number from ``/sys/bus/event_source/devices/*/type``),
    ``config`` (for ``SOFTWARE`` a ``PERF_COUNT_SW``, for ``HARDWARE`` a ``PERF_COUNT_HW``:
    members, names or ints), ``read_format`` (``PERF_FORMAT``), the bit fields (``disabled``,
    ``inherit``, ``exclude_kernel``, ``exclude_hv``, ``enable_on_exec``, ``precise_ip`` ...)
    and every other field by its name (``FIELDS``).  ``size`` is the struct's (136 bytes,
    PERF_ATTR_SIZE_VER8) unless given; the kernel writes its own there when it answers E2BIG.

    Fields read and write as attributes.  Raises TypeError for an unknown field,
    OverflowError for a value the field cannot hold."""

    __slots__ = ("_c",)
    _c: Any  # the cdata struct

    def __init__(self, type: FlagArg = 0, config: Any = 0, **fields: Any) -> None:
        c = ffi.new(_STRUCT + " *")
        object.__setattr__(self, "_c", c)
        c.size = _SIZE
        setattr(self, "type", type)  # (through __setattr__, as self.type = would)
        setattr(self, "config", config)
        for name, value in fields.items():
            setattr(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _FIELD_SET:
            raise TypeError(f"PerfEventAttr has no field {name!r}")
        c = self._c
        if name == "type":
            value = to_int(value, PERF_TYPE)
        elif name == "config" and isinstance(value, str):
            ns = {_SOFTWARE: PERF_COUNT_SW, _HARDWARE: PERF_COUNT_HW}.get(c.type)
            if ns is None:
                raise TypeError("a config name needs type PERF_TYPE.SOFTWARE or HARDWARE")
            value = to_int(value, ns)
        elif name == "read_format":
            value = to_int(value, PERF_FORMAT)
        else:
            value = operator.index(value)
        setattr(c, name, value)

    def __getattr__(self, name: str) -> int:
        if name not in _FIELD_SET:
            raise AttributeError(f"PerfEventAttr has no field {name!r}")
        v: int = getattr(self._c, name)
        return v

    def __bytes__(self) -> bytes:
        return bytes(ffi.buffer(self._c))

    def __repr__(self) -> str:
        zero = ffi.new(_STRUCT + " *")
        set_ = [f"{n}={getattr(self._c, n)}" for n in FIELDS
                if getattr(self._c, n) != getattr(zero, n) and n != "size"]
        return f"PerfEventAttr({', '.join(set_)})"

    def __reduce__(self) -> Any:
        raise TypeError("PerfEventAttr cannot be pickled")


def perf_event_open(attr: PerfEventAttr, pid: int = 0, cpu: int = -1, group_fd: FdArg = -1,
                    flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """Open a performance event (man 2 perf_event_open): ``attr`` a ``PerfEventAttr``; ``pid``
    the process or thread to measure (0: the calling thread; -1: every process, with ``cpu``
    >= 0), ``cpu`` the CPU (-1: any), ``group_fd`` the group leader's Fd (-1: a new group),
    ``flags`` ``PERF_FLAG``.  A new Fd, close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/perf_event_open.2.html

    Raises:
        PermissionError: beyond what ``kernel.perf_event_paranoid`` allows (EACCES, EPERM).
        FileNotFoundError: an event ``type``/``config`` this machine lacks (ENOENT; some
            report OSError EOPNOTSUPP instead).
        ProcessLookupError: no such ``pid`` (ESRCH).
        OSError: E2BIG for a struct size the kernel does not take (``attr.size`` then holds
            its own), EINVAL for an unsupported setting, EMFILE ..., the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: no CONFIG_PERF_EVENTS).
        ClosedFdError: ``group_fd`` is a closed Fd.
        TypeError: ``attr`` is no PerfEventAttr, or ``flags`` is not an int, PERF_FLAG member
            or name string (before any call).
        ValueError: ``attr.size`` is beyond the struct (older, smaller sizes are the kernel's
            to judge), or an unknown PERF_FLAG name (before any call).
    """
    if type(attr) is not PerfEventAttr:
        raise TypeError(f"attr must be a PerfEventAttr, not {type(attr).__name__}")
    if attr._c.size > _SIZE:  # the kernel would read that many bytes from the struct
        raise ValueError(f"attr.size {attr._c.size} is beyond the struct's {_SIZE} bytes")
    f = to_int(flags, PERF_FLAG)
    if not inheritable:
        f |= _CLOEXEC
    g = group_fd if type(group_fd) is int else fdnum(group_fd)
    return tagged(call(_perf_event_open, "perf_event_open", attr._c, pid, cpu, g, f), _KIND)


def perf_counter(config: FlagArg = PERF_COUNT_SW.TASK_CLOCK, type: FlagArg = PERF_TYPE.SOFTWARE,
                 *, inheritable: bool = False) -> Fd:
    """A counter of the calling thread, opened disabled (``perf_event_enable`` starts it):
    ``config`` of ``type`` (by default the task clock, ns of CPU time), user space only
    (``exclude_kernel``, ``exclude_hv``: what ``perf_event_paranoid`` 2 allows everyone).

    https://man7.org/linux/man-pages/man2/perf_event_open.2.html

    Raises:
        PermissionError: beyond what ``kernel.perf_event_paranoid`` allows (EACCES, EPERM).
        FileNotFoundError: an event this machine lacks (ENOENT; some report OSError
            EOPNOTSUPP instead).
        OSError: the subclass os raises for any other errno, as perf_event_open()
            (UnsupportedError for ENOSYS: no CONFIG_PERF_EVENTS).
        TypeError: ``type``/``config`` is not an int, member or name string, or a ``config``
            name with a ``type`` other than SOFTWARE or HARDWARE (before any call).
        ValueError: an unknown ``type``/``config`` name (before any call).
        OverflowError: a ``type``/``config`` the field cannot hold (before any call).
    """
    attr = PerfEventAttr(type, 0, disabled=1, exclude_kernel=1, exclude_hv=1)
    attr.config = config
    return perf_event_open(attr, 0, -1, -1, inheritable=inheritable)


def _ioc(fd: FdArg, name: str, request: int, flags: FlagArg) -> None:
    f = to_int(flags, PERF_IOC_FLAG)
    n = fdnum_of_kind(fd, _KIND, name)  # another driver may give '$' ioctls a meaning
    call(_ioctl, "ioctl", n, request, f)


def perf_event_enable(fd: FdArg, flags: FlagArg = 0) -> None:
    """Start counting (man 2 perf_event_open, PERF_EVENT_IOC_ENABLE); ``PERF_IOC_FLAG.GROUP``:
    the event's whole group.

    https://man7.org/linux/man-pages/man2/perf_event_open.2.html

    Raises:
        OSError: EINVAL for an fd that is no perf event (checked before the ioctl), the
            subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``flags`` is not an int, PERF_IOC_FLAG member or name string, or ``fd``
            no fd (before any call).
        ValueError: an unknown PERF_IOC_FLAG name (before any call).
    """
    _ioc(fd, "perf_event_enable", _ENABLE, flags)


def perf_event_disable(fd: FdArg, flags: FlagArg = 0) -> None:
    """Stop counting (man 2 perf_event_open, PERF_EVENT_IOC_DISABLE); ``PERF_IOC_FLAG.GROUP``:
    the event's whole group.

    https://man7.org/linux/man-pages/man2/perf_event_open.2.html

    Raises:
        OSError: EINVAL for an fd that is no perf event (checked before the ioctl), the
            subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``flags`` is not an int, PERF_IOC_FLAG member or name string, or ``fd``
            no fd (before any call).
        ValueError: an unknown PERF_IOC_FLAG name (before any call).
    """
    _ioc(fd, "perf_event_disable", _DISABLE, flags)


def perf_event_reset(fd: FdArg, flags: FlagArg = 0) -> None:
    """Set the count to 0 (man 2 perf_event_open, PERF_EVENT_IOC_RESET); ``PERF_IOC_FLAG.GROUP``:
    the event's whole group.

    https://man7.org/linux/man-pages/man2/perf_event_open.2.html

    Raises:
        OSError: EINVAL for an fd that is no perf event (checked before the ioctl), the
            subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``flags`` is not an int, PERF_IOC_FLAG member or name string, or ``fd``
            no fd (before any call).
        ValueError: an unknown PERF_IOC_FLAG name (before any call).
    """
    _ioc(fd, "perf_event_reset", _RESET, flags)


def perf_event_id(fd: FdArg) -> int:
    """The event's unique id (man 2 perf_event_open, PERF_EVENT_IOC_ID), as PERF_FORMAT.ID
    reports it.

    https://man7.org/linux/man-pages/man2/perf_event_open.2.html

    Raises:
        OSError: EINVAL for an fd that is no perf event (checked before the ioctl), the
            subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
    """
    n = fdnum_of_kind(fd, _KIND, "perf_event_id")
    out = ffi.new("uint64_t *")
    call(_ioctl_ptr, "ioctl", n, _ID, out)
    v: int = out[0]
    return v


def perf_event_read(fd: FdArg) -> int:
    """A counter's value (man 2 perf_event_open, read(2) of an event opened with
    ``read_format`` 0).

    https://man7.org/linux/man-pages/man2/perf_event_open.2.html

    Raises:
        OSError: ENOSPC for an event whose read_format asks for more (read those with
            ``L.read(fd, n)``), EINVAL for an fd that is no perf event (checked before the
            read), the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
    """
    n = fdnum_of_kind(fd, _KIND, "perf_event_read")
    out = ffi.new("uint64_t *")
    r = _read(n, out, 8)
    while r < 0:
        if r != NEG_EINTR:
            raise error(-r, "read")
        r = _read(n, out, 8)
    v: int = out[0]
    return v


methods(perf_event_enable, perf_event_disable, perf_event_reset, perf_event_id, perf_event_read)

__all__ = ["PerfEventAttr", "perf_event_open", "perf_counter", "perf_event_enable",
           "perf_event_disable", "perf_event_reset", "perf_event_id", "perf_event_read"]
