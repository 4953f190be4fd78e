"""uffd: userfaultfd, page faults handled by the process itself (man 2 userfaultfd, man 2
ioctl_userfaultfd).

``userfaultfd()`` makes the fd; ``uffdio_api()`` negotiates features (once, first);
``uffdio_register()`` hands faults on a range to the fd; ``uffd_read()`` returns the next
event (a page fault: its address); ``uffdio_copy()`` / ``uffdio_zeropage()`` fill the
missing page and wake the faulting thread, ``uffdio_wake()`` wakes it after a DONTWAKE fill;
``uffdio_unregister()`` ends it.  The ioctl functions are named as the kernel's requests,
lowercased (UFFDIO_COPY: ``uffdio_copy``); ``UFFDIO`` holds the request numbers.

Ranges (``range``, uffdio_copy's ``dst``) are a Mapping (all of it), ``(mapping, start,
length)`` (a part of it, checked to lie inside), or ``(address, length)``: that form is
UNSAFE (CONTRACT §5), as a raw address is for mprotect: it registers or fills whatever is
mapped there, Python's own memory included; a range overlapping a live Mapping raises
ValueError (name the Mapping instead).

A fault on a registered missing page blocks the faulting thread until the page is filled.
Python code that touches such a page (``m[0]``) blocks holding the GIL, so no other Python
thread can serve it: serve faults that the kernel takes (a syscall reading the range, such as
``os.write(pipe, memoryview(m))`` in another thread, which releases the GIL), faults of
another process, or register with ``UFFD_FEATURE.SIGBUS`` (a SIGBUS instead of a wait).
Closing the fd wakes every waiting thread and unregisters its ranges.
"""
from __future__ import annotations

import struct
from typing import Any, NamedTuple, Optional, Union

from ._core import (U64, Buffer, NEG_EINTR, c_int, call, error, ffi, in_range, lib, nbytes,
                    release, view)
from .fd import Fd, FdArg, fdnum_of_kind, methods, tagged
from .flags import FlagArg, flags_of, to_int
from .memory import Mapping, _length, _raw_address, _refuse_live

from ._consts import (O, UFFD, UFFD_FEATURE, UFFD_EVENT, UFFD_PAGEFAULT_FLAG, UFFDIO_REGISTER_MODE,
                      UFFDIO_COPY_MODE, UFFDIO_ZEROPAGE_MODE, UFFDIO)

_userfaultfd = lib.ls_userfaultfd
_ioctl_ptr = lib.ls_ioctl_ptr
_read = lib.ls_read

_new = ffi.new
_cast = ffi.cast
_KIND = "userfaultfd"  # /proc/self/fd's anon_inode:[userfaultfd]
_O_CLOEXEC = lib.O_CLOEXEC
_NEG_EAGAIN = -lib.EAGAIN
_API = lib.LS_UFFDIO_API
_REGISTER = lib.LS_UFFDIO_REGISTER
_UNREGISTER = lib.LS_UFFDIO_UNREGISTER
_WAKE = lib.LS_UFFDIO_WAKE
_COPY = lib.LS_UFFDIO_COPY
_ZEROPAGE = lib.LS_UFFDIO_ZEROPAGE
_MSG_SIZE = lib.LS_UFFD_MSG_SIZE
# The kernel reports allowed ioctls as bits 1 << _UFFDIO_x, x being the request's _IOC_NR.
_BY_BIT = {int(m) & 0xFF: m for m in UFFDIO}
_EV_PAGEFAULT = lib.UFFD_EVENT_PAGEFAULT
_EV_FORK = lib.UFFD_EVENT_FORK
_EV_REMAP = lib.UFFD_EVENT_REMAP
# struct uffd_msg: u8 event, 7 reserved bytes, then the event's union: pagefault (u64 flags,
# u64 address, u32 ptid), fork (u32 ufd), remap (u64 from, to, len), remove/unmap (u64 start,
# end).
_MSG = struct.Struct("=B7xQQQ")
_U32_AT = struct.Struct("=I")

RangeArg = Union[Mapping, tuple[Any, ...]]  # (mapping, start, length), (address, length)


class UffdioApi(NamedTuple):
    """What UFFDIO_API reports: every feature this kernel has, and the ioctls the fd takes."""
    features: int           # UFFD_FEATURE flags
    ioctls: frozenset[UFFDIO]  # UFFDIO members


class UffdMsg(NamedTuple):
    """An event read from a userfaultfd (struct uffd_msg).  Fields an event lacks are 0 (ufd
    None).  PAGEFAULT: ``address`` (of the page, exact with UFFD_FEATURE.EXACT_ADDRESS),
    ``flags`` (UFFD_PAGEFAULT_FLAG), ``ptid`` (the faulting thread, with
    UFFD_FEATURE.THREAD_ID); FORK: ``ufd``, the child's new userfaultfd, an owning Fd;
    REMAP: ``start`` (old address), ``end`` (old address + length), ``to`` (new address);
    REMOVE, UNMAP: ``start``, ``end``."""
    event: int              # UFFD_EVENT
    address: int = 0
    flags: int = 0
    ptid: int = 0
    ufd: Optional[Fd] = None
    start: int = 0
    end: int = 0
    to: int = 0


def _range_of(r: RangeArg, what: str) -> tuple[int, int]:
    """(address, length) of a range argument (see the module's doc)."""
    if isinstance(r, Mapping):
        return r._range(0, None)
    if type(r) is tuple:
        if len(r) == 3 and isinstance(r[0], Mapping):
            return r[0]._range(r[1], r[2])
        if len(r) == 2 and not isinstance(r[0], Mapping):
            a, n = _raw_address(r[0]), _length(r[1])
            _refuse_live(a, n, what)
            return a, n
    raise TypeError(f"{what}: a range is a Mapping, (mapping, start, length) or "
                    f"(address, length), not {r!r}")


def _u64_flags(value: FlagArg, ns: type, what: str) -> int:
    return in_range(to_int(value, ns), what, 0, U64)


def _ioctls(mask: int) -> frozenset[UFFDIO]:
    return frozenset(m for bit, m in _BY_BIT.items() if mask >> bit & 1)


def userfaultfd(flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """A new userfaultfd (man 2 userfaultfd): ``flags`` are O.NONBLOCK and
    UFFD.USER_MODE_ONLY (only faults of user code: what an unprivileged process gets where
    vm.unprivileged_userfaultfd is 0); close-on-exec unless ``inheritable``.  Call uffdio_api()
    on it before anything else.

    https://man7.org/linux/man-pages/man2/userfaultfd.2.html

    Raises:
        PermissionError: the process may not have one: no CAP_SYS_PTRACE and
            vm.unprivileged_userfaultfd 0, without UFFD.USER_MODE_ONLY (EPERM).
        OSError: EINVAL for an unsupported flag, EMFILE/ENFILE, ENOMEM, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: no
            CONFIG_USERFAULTFD).
        TypeError: ``flags`` is not an int, UFFD/O member or name string (before any call).
        ValueError: an unknown flag name (before any call).
        OverflowError: ``flags`` beyond a C int (before any call).
    """
    f = c_int(flags_of(flags, UFFD, O), "flags")
    if not inheritable:
        f |= _O_CLOEXEC
    return tagged(call(_userfaultfd, "userfaultfd", f), _KIND)


def uffdio_api(fd: FdArg, features: FlagArg = 0) -> UffdioApi:
    """Enable the API and the ``UFFD_FEATURE`` flags asked for (man 2 ioctl_userfaultfd,
    UFFDIO_API): once per fd, before any other ioctl.  Returns every feature this kernel
    supports and the ioctls the fd now takes.

    https://man7.org/linux/man-pages/man2/ioctl_userfaultfd.2.html

    Raises:
        PermissionError: UFFD_FEATURE.EVENT_FORK without CAP_SYS_PTRACE (EPERM).
        OSError: EINVAL for a feature this kernel lacks, a second call, or an fd that is no
            userfaultfd (checked before the ioctl), the subclass os raises for any other
            errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``features`` is not an int, UFFD_FEATURE member or name string (before
            any call).
        ValueError: an unknown feature name (before any call).
        OverflowError: ``features`` beyond 64 bits (before any call).
    """
    f = _u64_flags(features, UFFD_FEATURE, "features")
    n = fdnum_of_kind(fd, _KIND, "uffdio_api")
    api = _new("struct ls_uffdio_api *")
    api.api = lib.UFFD_API
    api.features = f
    call(_ioctl_ptr, "ioctl", n, _API, api)
    return UffdioApi(UFFD_FEATURE(api.features), _ioctls(api.ioctls))


def uffdio_register(fd: FdArg, range: RangeArg,
                    mode: FlagArg = lib.UFFDIO_REGISTER_MODE_MISSING) -> frozenset[UFFDIO]:
    """Hand the faults of a page-aligned range to the userfaultfd (man 2 ioctl_userfaultfd,
    UFFDIO_REGISTER; ``UFFDIO_REGISTER_MODE`` MISSING: pages not there yet, WP, MINOR).
    ``range`` is a Mapping, (mapping, start, length), or (address, length): UNSAFE (see the
    module's doc).  Returns the ioctls the range takes, as UFFDIO members.

    https://man7.org/linux/man-pages/man2/ioctl_userfaultfd.2.html

    Raises:
        OSError: EINVAL for a range not page-aligned, without a mapping or with an
            incompatible one, an unsupported ``mode``, or an fd that is no userfaultfd
            (checked before the ioctl); EBUSY for a range another userfaultfd registered;
            the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``range`` is no range (a Mapping, (mapping, start, length) or (address,
            length)), or ``mode`` not an int, UFFDIO_REGISTER_MODE member or name string, before
            any call.
        ValueError: a range outside its Mapping, or an (address, length) range overlapping a
            live Mapping, an unknown mode name, before any call.
        OverflowError: ``mode`` beyond 64 bits (before any call).
    """
    m = _u64_flags(mode, UFFDIO_REGISTER_MODE, "mode")
    a, length = _range_of(range, "uffdio_register")
    n = fdnum_of_kind(fd, _KIND, "uffdio_register")
    reg = _new("struct ls_uffdio_register *")
    reg.range.start = a
    reg.range.len = length
    reg.mode = m
    call(_ioctl_ptr, "ioctl", n, _REGISTER, reg)
    return _ioctls(reg.ioctls)


def _range_ioctl(fd: FdArg, range: RangeArg, request: int, what: str) -> None:
    a, length = _range_of(range, what)
    n = fdnum_of_kind(fd, _KIND, what)
    r = _new("struct ls_uffdio_range *")
    r.start = a
    r.len = length
    call(_ioctl_ptr, "ioctl", n, request, r)


def uffdio_unregister(fd: FdArg, range: RangeArg) -> None:
    """Stop handling the faults of a range (man 2 ioctl_userfaultfd, UFFDIO_UNREGISTER);
    threads waiting on it are woken.  ``range`` as for uffdio_register().

    https://man7.org/linux/man-pages/man2/ioctl_userfaultfd.2.html

    Raises:
        OSError: EINVAL for a range not page-aligned, without a mapping or with an
            incompatible one, or an fd that is no userfaultfd (checked before the ioctl); the
            subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``range`` is no range (a Mapping, (mapping, start, length) or (address,
            length)), before any call.
        ValueError: a range outside its Mapping, or an (address, length) range overlapping a
            live Mapping, before any call.
    """
    _range_ioctl(fd, range, _UNREGISTER, "uffdio_unregister")


def uffdio_wake(fd: FdArg, range: RangeArg) -> None:
    """Wake the threads waiting on faults in a range (man 2 ioctl_userfaultfd, UFFDIO_WAKE):
    after fills made with the DONTWAKE mode.  ``range`` as for uffdio_register().

    https://man7.org/linux/man-pages/man2/ioctl_userfaultfd.2.html

    Raises:
        OSError: EINVAL for a range not page-aligned or outside the registered ones, or an fd
            that is no userfaultfd (checked before the ioctl); the subclass os raises for any
            other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``range`` is no range (a Mapping, (mapping, start, length) or (address,
            length)), before any call.
        ValueError: a range outside its Mapping, or an (address, length) range overlapping a
            live Mapping, before any call.
    """
    _range_ioctl(fd, range, _WAKE, "uffdio_wake")


def _fill(n: int, request: int, arg: object, field: str) -> int:
    """Issue a filling ioctl; its count, also of a partial fill (EAGAIN after some bytes)."""
    r = _ioctl_ptr(n, request, arg)
    while r == NEG_EINTR:
        r = _ioctl_ptr(n, request, arg)
    done: int = getattr(arg, field)
    if r < 0 and not (r == _NEG_EAGAIN and done > 0):
        raise error(-r, "ioctl")
    return done


def uffdio_copy(fd: FdArg, dst: RangeArg, src: Buffer, mode: FlagArg = 0) -> int:
    """Fill the missing pages of ``dst`` with the first bytes of ``src`` and wake the threads
    waiting on them (man 2 ioctl_userfaultfd, UFFDIO_COPY; ``UFFDIO_COPY_MODE`` DONTWAKE:
    do not wake, WP: map them write-protected).  ``dst`` is a page-aligned range as for
    uffdio_register() (the (address, length) form is UNSAFE); ``src`` must hold at least its
    length (ValueError), and must not lie in a range whose faults this thread would have to
    serve.  Returns the bytes copied, fewer than asked when the kernel stopped early (call
    again for the rest).

    https://man7.org/linux/man-pages/man2/ioctl_userfaultfd.2.html

    Raises:
        FileExistsError: a page of ``dst`` is already there (EEXIST).
        FileNotFoundError: a range not registered, or the faulting process changed its memory
            layout meanwhile (ENOENT).
        BlockingIOError: the faulting process's memory layout is changing and nothing was
            copied (EAGAIN): call again.
        ProcessLookupError: the faulting process has exited (ESRCH).
        OSError: EINVAL for a range not page-aligned or an unsupported ``mode``, EINVAL for an
            fd that is no userfaultfd (checked before the ioctl), the subclass os raises for
            any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``dst`` is no range (a Mapping, (mapping, start, length) or (address,
            length)), ``src`` no bytes-like object, or ``mode`` not an int, UFFDIO_COPY_MODE
            member or name string, before any call.
        ValueError: a range outside its Mapping, or an (address, length) range overlapping a
            live Mapping, ``src`` shorter than ``dst``, an unknown mode name, before any call.
        OverflowError: ``mode`` beyond 64 bits (before any call).
    """
    m = _u64_flags(mode, UFFDIO_COPY_MODE, "mode")
    a, length = _range_of(dst, "uffdio_copy")
    v = view(src)
    try:
        if nbytes(v) < length:
            raise ValueError(f"uffdio_copy: src holds {nbytes(v)} bytes, dst {length}")
        n = fdnum_of_kind(fd, _KIND, "uffdio_copy")
        cp = _new("struct ls_uffdio_copy *")
        cp.dst = a
        cp.src = int(_cast("uintptr_t", v))
        cp.len = length
        cp.mode = m
        return _fill(n, _COPY, cp, "copy")
    finally:
        release(v, src)


def uffdio_zeropage(fd: FdArg, range: RangeArg, mode: FlagArg = 0) -> int:
    """Fill the missing pages of a range with zeros and wake the threads waiting on them
    (man 2 ioctl_userfaultfd, UFFDIO_ZEROPAGE; ``UFFDIO_ZEROPAGE_MODE.DONTWAKE``: do not
    wake).  ``range`` as for uffdio_register() (the (address, length) form is UNSAFE).
    Returns the bytes filled (fewer when the kernel stopped early).

    https://man7.org/linux/man-pages/man2/ioctl_userfaultfd.2.html

    Raises:
        FileExistsError: a page of ``range`` is already there (EEXIST).
        BlockingIOError: the faulting process's memory layout is changing and nothing was
            filled (EAGAIN): call again.
        ProcessLookupError: the faulting process has exited (ESRCH).
        OSError: EINVAL for a range not page-aligned or an unsupported ``mode``, EINVAL for an
            fd that is no userfaultfd (checked before the ioctl), the subclass os raises for
            any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``range`` is no range (a Mapping, (mapping, start, length) or (address,
            length)), or ``mode`` not an int, UFFDIO_ZEROPAGE_MODE member or name
            string, before any call.
        ValueError: a range outside its Mapping, or an (address, length) range overlapping a
            live Mapping, an unknown mode name, before any call.
        OverflowError: ``mode`` beyond 64 bits (before any call).
    """
    m = _u64_flags(mode, UFFDIO_ZEROPAGE_MODE, "mode")
    a, length = _range_of(range, "uffdio_zeropage")
    n = fdnum_of_kind(fd, _KIND, "uffdio_zeropage")
    z = _new("struct ls_uffdio_zeropage *")
    z.range.start = a
    z.range.len = length
    z.mode = m
    return _fill(n, _ZEROPAGE, z, "zeropage")


def uffd_read(fd: FdArg) -> UffdMsg:
    """The next event of a userfaultfd (man 2 userfaultfd: read of a struct uffd_msg),
    waiting for one (the GIL released) unless the fd is O.NONBLOCK.

    https://man7.org/linux/man-pages/man2/userfaultfd.2.html

    Raises:
        BlockingIOError: an O.NONBLOCK fd with no event pending (EAGAIN).
        OSError: EINVAL for an fd that is no userfaultfd (nothing is read) or one before
            uffdio_api(), the subclass os raises for any other errno.
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``fd`` is no fd (before any call).
    """
    n = fdnum_of_kind(fd, _KIND, "uffd_read")
    buf = _new("char[]", _MSG_SIZE)
    call(_read, "read", n, buf, _MSG_SIZE)
    raw = ffi.buffer(buf)[:]
    event, a, b, c = _MSG.unpack(raw)
    if event == _EV_PAGEFAULT:
        return UffdMsg(_event(event), address=b, flags=UFFD_PAGEFAULT_FLAG(a),
                       ptid=_U32_AT.unpack_from(raw, 24)[0])
    if event == _EV_FORK:
        return UffdMsg(_event(event), ufd=tagged(_U32_AT.unpack_from(raw, 8)[0], _KIND))
    if event == _EV_REMAP:
        return UffdMsg(_event(event), start=a, end=a + c, to=b)
    return UffdMsg(_event(event), start=a, end=b)  # REMOVE, UNMAP


def _event(value: int) -> int:
    try:
        return UFFD_EVENT(value)
    except ValueError:  # an event this build has no name for
        return value


methods(uffdio_api, uffdio_register, uffdio_unregister, uffdio_wake, uffdio_copy,
        uffdio_zeropage, uffd_read)

__all__ = ["userfaultfd", "uffdio_api", "uffdio_register", "uffdio_unregister", "uffdio_wake",
           "uffdio_copy", "uffdio_zeropage", "uffd_read", "UffdioApi", "UffdMsg"]
