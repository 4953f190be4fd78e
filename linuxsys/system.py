"""system: calls that act on the whole machine (man 2 syslog, acct, swapon, swapoff, reboot,
kexec_load, kexec_file_load, init_module, finit_module, delete_module, vhangup).

``syslog(type, bufp=0)`` reads the kernel log (``SYSLOG_ACTION.READ_ALL`` with a size: the
bytes; with a buffer: the count) or asks its sizes (``SIZE_BUFFER``, ``SIZE_UNREAD``).
``reboot(cmd, arg=None)`` supplies the magic numbers as the C library's reboot(3) does
(``LINUX_REBOOT_CMD.POWER_OFF`` ...).  ``acct(None)`` turns process accounting off,
``acct(path)`` on; ``swapon``/``swapoff``; ``init_module(image, params)``,
``finit_module(fd, params, flags)``, ``delete_module(name, flags)``; ``kexec_load(entry,
segments, flags)`` and ``kexec_file_load(kernel_fd, initrd_fd, cmdline, flags)`` load the next
kernel; ``vhangup()`` hangs up the controlling terminal.

Each needs a capability in the initial user namespace (CAP_SYSLOG, CAP_SYS_PACCT,
CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_MODULE, CAP_SYS_TTY_CONFIG): PermissionError without it.
A kernel built without modules or kexec answers ENOSYS (``UnsupportedError``).  Every call
here but syslog's reads changes the whole machine: they are tested on their error paths only.
``sethostname``/``setdomainname`` are ``linuxsys.ns``'s.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union, overload

from ._core import (Buffer, PathArg, call, call_buf, ffi, in_range, lib, nbytes, path as _path,
                    readable, read_size, release, view, writable)
from .fd import FdArg, fdnum, methods
from .flags import FlagArg, to_int
from . import _sys_system
from ._sys_system import *  # noqa: F401,F403  (the plain syscalls, declared in cdefs/system.h)

from ._consts import SYSLOG_ACTION, LINUX_REBOOT_CMD, KEXEC, KEXEC_FILE

_syslog = lib.ls_syslog
_acct = lib.ls_acct
_reboot = lib.ls_reboot
_kexec_load = lib.ls_kexec_load
_kexec_file_load = lib.ls_kexec_file_load
_init_module = lib.ls_init_module

_INT_MAX = (1 << 31) - 1
_U32 = (1 << 32) - 1
_UINTPTR_MAX = (1 << (8 * ffi.sizeof("void *"))) - 1
# The actions that write the log's text into bufp (the others take len as a number, or not).
_READS = frozenset(int(SYSLOG_ACTION.__members__[n]) for n in ("READ", "READ_ALL", "READ_CLEAR"))
_MAGIC1 = lib.LINUX_REBOOT_MAGIC1
_MAGIC2 = lib.LINUX_REBOOT_MAGIC2

KexecSegment = Tuple[Buffer, int, int]


@overload
def syslog(type: FlagArg,
           bufp: int = 0) -> Union[int, bytes]: ...
@overload
def syslog(type: FlagArg, bufp: Buffer) -> int: ...


def syslog(type: FlagArg, bufp: Union[int, Buffer] = 0) -> Union[int, bytes]:
    """Read or control the kernel's log buffer (man 2 syslog; glibc's klogctl).

    ``type`` is a ``SYSLOG_ACTION``.  For the reading actions (``READ``: waits for unread
    messages and consumes them; ``READ_ALL``: the newest messages that fit, consuming nothing;
    ``READ_CLEAR``) ``bufp`` is a size (the bytes read are returned) or a writable buffer
    (filled; the count is returned).  For the others it is the kernel's ``len`` argument (the
    level of ``CONSOLE_LEVEL``; ignored elsewhere) and the kernel's answer is returned:
    ``SIZE_BUFFER`` the log buffer's size, ``SIZE_UNREAD`` the bytes not yet read.

    https://man7.org/linux/man-pages/man2/syslog.2.html

    Raises:
        PermissionError: without CAP_SYSLOG (EPERM; with ``kernel.dmesg_restrict`` 0, anyone
            may READ_ALL and SIZE_BUFFER).
        OSError: EINVAL for an unknown action or a bad ``len``, the subclass os raises for
            any other errno (UnsupportedError for ENOSYS: no CONFIG_PRINTK).
        TypeError: ``type`` is not an int, SYSLOG_ACTION member or name string, or ``bufp``
            is no int and no writable buffer (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: a negative size, or an unknown SYSLOG_ACTION name (before any call).
        OverflowError: a size or ``len`` beyond a C int (before any call).
    """
    t = to_int(type, SYSLOG_ACTION)
    if isinstance(bufp, int):
        if t in _READS:
            n = in_range(read_size(bufp), "bufp (a size)", 0, _INT_MAX)
            buf = ffi.new("char[]", n)
            text: bytes = ffi.unpack(buf, call(_syslog, "syslog", t, buf, n))
            return text
        return call(_syslog, "syslog", t, ffi.NULL,
                    in_range(bufp, "len", -(1 << 31), _INT_MAX))
    cbuf = writable(bufp)
    n = min(nbytes(cbuf), _INT_MAX)  # a larger buffer is filled as far as the int goes
    return call_buf(_syslog, "syslog", cbuf, bufp, t, cbuf, n)


def acct(filename: Optional[PathArg] = None) -> None:
    """Turn BSD process accounting on, appending a record for every process that ends to the
    regular file ``filename``, or off with None (man 2 acct).

    https://man7.org/linux/man-pages/man2/acct.2.html

    Raises:
        PermissionError: without CAP_SYS_PACCT (EPERM); a file that is not regular or not
            writable (EACCES).
        FileNotFoundError: ``filename`` does not exist (ENOENT).
        IsADirectoryError: ``filename`` is a directory (EISDIR).
        NotADirectoryError: a component of the path is not a directory (ENOTDIR).
        OSError: EROFS, EUSERS, ENFILE, ELOOP, ENAMETOOLONG, EIO ..., the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: no CONFIG_BSD_PROCESS_ACCT).
        TypeError: ``filename`` is no str, bytes, os.PathLike or None (before any call).
        ValueError: a NUL in ``filename`` (before any call).
    """
    p = ffi.NULL if filename is None else _path(filename)
    call(_acct, "acct", p, filename=filename)


def _u32(value: int, what: str) -> int:
    """A magic number as the kernel compares it: a C int, so its unsigned spelling too."""
    return in_range(value, what, -(1 << 31), _U32) & _U32


def reboot(cmd: FlagArg, arg: Optional[Union[str, bytes]] = None, *,
           magic: int = _MAGIC1, magic2: int = _MAGIC2) -> None:
    """Reboot, halt or power off the machine, suspend it, start a loaded kexec kernel, or set
    what Ctrl-Alt-Del does (man 2 reboot).

    ``cmd`` is a ``LINUX_REBOOT_CMD`` (the C library's ``RB_*`` have the same values); ``arg``
    is ``RESTART2``'s command string (ignored by the other commands).  ``magic`` and
    ``magic2`` default to ``LINUX_REBOOT_MAGIC1`` and ``LINUX_REBOOT_MAGIC2``, as reboot(3)
    passes them.  Most commands do not return.

    https://man7.org/linux/man-pages/man2/reboot.2.html

    Raises:
        PermissionError: without CAP_SYS_BOOT in the initial pid namespace's user namespace
            (EPERM, checked first).
        OSError: EINVAL for wrong magic numbers or an unknown command, the subclass os raises
            for any other errno.
        TypeError: ``cmd`` is not an int, LINUX_REBOOT_CMD member or name string, or ``arg``
            no str, bytes or None (before any call).
        ValueError: a NUL in ``arg``, or an unknown LINUX_REBOOT_CMD name (before any call).
        OverflowError: ``magic``/``magic2`` beyond 32 bits (before any call).
    """
    c = to_int(cmd, LINUX_REBOOT_CMD)
    m1 = _u32(magic, "magic")
    m2 = _u32(magic2, "magic2")
    a = ffi.NULL if arg is None else _path(arg)
    call(_reboot, "reboot", m1, m2, c, a)


def kexec_load(entry: int, segments: Sequence[KexecSegment], flags: FlagArg = 0) -> None:
    """Load a new kernel for a later ``reboot(LINUX_REBOOT_CMD.KEXEC)`` (or with
    ``KEXEC.ON_CRASH``, the crash kernel) from memory segments (man 2 kexec_load).

    ``segments`` are ``(buf, mem, memsz)``: the bytes-like ``buf`` is copied to physical
    address ``mem`` (page aligned), a region of ``memsz`` bytes (``len(buf)`` at least, the
    rest zeroed); ``entry`` is the physical address to jump to.  No segment unloads the loaded
    kernel.  ``flags`` are ``KEXEC`` flags, the target arch in ``KEXEC.ARCH_MASK``
    (0: this kernel's).

    https://man7.org/linux/man-pages/man2/kexec_load.2.html

    Raises:
        PermissionError: without CAP_SYS_BOOT, or with kexec disabled (EPERM).
        OSError: EINVAL for unknown flags, more than KEXEC_SEGMENT_MAX segments or a bad
            layout (overlapping segments, a ``buf`` longer than its ``memsz``),
            EADDRNOTAVAIL for a segment that is not page aligned or (``KEXEC.ON_CRASH``)
            outside the crash kernel's memory, EBUSY while a kexec is in progress, ENOMEM,
            the subclass os raises for any other errno (UnsupportedError for ENOSYS: no
            CONFIG_KEXEC).
        TypeError: ``segments`` is no sequence of ``(buf, mem, memsz)``, a ``buf`` no
            bytes-like object, ``flags`` not an int, KEXEC member or name string (before any
            call).
        BufferError: a ``buf`` that is not C-contiguous (before any call).
        ValueError: an unknown KEXEC name (before any call).
        OverflowError: ``mem``/``memsz``/``entry`` beyond a pointer (before any call).
    """
    f = to_int(flags, KEXEC)
    if isinstance(segments, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"kexec_load: segments are a sequence of (buf, mem, memsz), "
                        f"not {type(segments).__name__}")
    rows: list[tuple[Buffer, int, int]] = []
    for seg in segments:
        try:
            buf, mem, memsz = seg
        except (TypeError, ValueError):
            raise TypeError(f"kexec_load: a segment is (buf, mem, memsz), not {seg!r}") from None
        rows.append((buf, in_range(mem, "mem", 0, _UINTPTR_MAX),
                     in_range(memsz, "memsz", 0, _UINTPTR_MAX)))
    arr = ffi.new("struct ls_kexec_segment[]", max(len(rows), 1))
    views: list[tuple[Any, Buffer]] = []
    try:
        for i, (buf, mem, memsz) in enumerate(rows):
            v = view(buf)
            views.append((v, buf))
            arr[i].buf = v
            arr[i].bufsz = nbytes(v)
            arr[i].mem = ffi.cast("const void *", mem)
            arr[i].memsz = memsz
        call(_kexec_load, "kexec_load", entry, len(rows), arr, f)
    finally:  # the kernel copied what it takes: no view outlives the call
        for v, buf in views:
            release(v, buf)


def kexec_file_load(kernel_fd: FdArg, initrd_fd: FdArg = -1,
                    cmdline: Optional[Union[str, bytes]] = None, flags: FlagArg = 0) -> None:
    """Load a new kernel from an open kernel image file, with an initramfs file and a command
    line, for a later ``reboot(LINUX_REBOOT_CMD.KEXEC)`` (man 2 kexec_file_load).

    ``initrd_fd`` -1 needs ``KEXEC_FILE.NO_INITRAMFS``; ``KEXEC_FILE.UNLOAD`` unloads the
    loaded kernel (the fds are then ignored).  The command line is passed with its NUL, as the
    kernel wants it.

    https://man7.org/linux/man-pages/man2/kexec_file_load.2.html

    Raises:
        PermissionError: without CAP_SYS_BOOT, with kexec disabled, or (under lockdown) for
            an image whose signature does not verify (EPERM).
        OSError: EKEYREJECTED, ENOKEY, EBADMSG ... for an image whose signature the kernel
            refuses (with signature enforcement), EINVAL for unknown flags or an empty
            file, EBADF, ENOEXEC for an image of another format, EBUSY, ENOMEM, the subclass
            os raises for any other errno (UnsupportedError for ENOSYS: no
            CONFIG_KEXEC_FILE).
        ClosedFdError: ``kernel_fd`` or ``initrd_fd`` is a closed Fd.
        TypeError: ``flags`` is not an int, KEXEC_FILE member or name string, ``cmdline`` no
            str, bytes or None, or an fd argument no fd (before any call).
        ValueError: a NUL in ``cmdline``, an unknown KEXEC_FILE name or std fd name (before
            any call).
    """
    f = to_int(flags, KEXEC_FILE)
    line = b"" if cmdline is None else _path(cmdline) + b"\0"
    k = fdnum(kernel_fd)
    i = fdnum(initrd_fd)
    call(_kexec_file_load, "kexec_file_load", k, i, len(line), line or ffi.NULL, f)


def init_module(module_image: Buffer, param_values: Union[str, bytes] = "") -> None:
    """Load a kernel module from its ELF image in memory, with ``param_values`` (space-separated
    ``name=value`` pairs) (man 2 init_module).

    https://man7.org/linux/man-pages/man2/init_module.2.html

    Raises:
        PermissionError: without CAP_SYS_MODULE, or with module loading disabled (EPERM).
        FileExistsError: a module of that name is loaded (EEXIST).
        OSError: ENOEXEC for an image that is no module (or for another arch), EINVAL for
            bad ``param_values`` or an inconsistent image, EBADMSG/EKEYREJECTED/ENOKEY for a
            bad or unknown signature (with CONFIG_MODULE_SIG_FORCE), EBUSY, ENOMEM, the
            errno the module's init function returns, the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: no CONFIG_MODULES).
        TypeError: ``module_image`` is no bytes-like object, ``param_values`` no str or bytes
            (before any call).
        BufferError: ``module_image`` is not C-contiguous (before any call).
        ValueError: a NUL in ``param_values`` (before any call).
    """
    params = _path(param_values)
    image = readable(module_image)
    size = len(image) if type(image) is bytes else nbytes(image)
    call_buf(_init_module, "init_module", image, module_image, image, size, params)


methods(kexec_file_load)

# (finit_module, delete_module, swapon, swapoff, vhangup: _sys_system, from cdefs/system.h)
__all__ = ["syslog", "acct", "reboot", "kexec_load", "kexec_file_load",
           "init_module"]
__all__ += _sys_system.__all__
