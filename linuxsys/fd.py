"""Fd: a file descriptor object closed by close(), ``with``, or garbage collection."""
from __future__ import annotations

import operator
import warnings
from typing import Any, Callable, Optional, Protocol, Union

from ._core import EBADF, EINVAL, NEG_EINTR, STRERROR, error, ffi, lib
from ._fd_methods import FdMethods

_close = lib.ls_close
_readlinkat = lib.ls_readlinkat
_fcntl = lib.ls_fcntl
_F_GETFD = lib.F_GETFD

STD_NAMES = {"stdin": 0, "stdout": 1, "stderr": 2}


class ClosedFdError(OSError, ValueError):
    """A closed ``Fd`` was used: ``OSError`` with errno EBADF, and a ``ValueError`` as for a
    closed file object, so ``selectors``/``asyncio`` unregister it the same way."""

    def __init__(self, what: str = "fd") -> None:
        super().__init__(EBADF, f"{STRERROR[EBADF]}: {what} on a closed Fd")



class Fd(FdMethods):
    """A file descriptor (man 2 close for its end).

    ``Fd(n)`` owns ``n``: garbage collection closes it and warns ``ResourceWarning``, as Python
    file objects do.  ``own=False`` (or ``nogc()``) leaves that to the caller; an explicit
    ``close()`` or ``with`` block always closes.  Once closed, ``fd`` is -1 and every method
    raises ``OSError(EBADF)`` instead of touching a number the kernel may have reused.
    Every function of linuxsys whose first argument is an fd is also a method.
    """

    __slots__ = ("_fd", "_gc", "_kind", "__weakref__")

    def __init__(self, fd: int, *, own: bool = True) -> None:
        self._fd = -1  # what __del__ sees if the checks below raise
        n = operator.index(fd)
        if n < 0:
            raise ValueError(f"invalid file descriptor {n}")
        self._fd = n
        self._gc = own
        # What fd_kind() found (or the maker knew), asked once per Fd; for a socket, the int
        # domain (AF_*) once net.py knew it, which addresses are encoded for.
        self._kind: Union[str, int, None] = None

    @property
    def fd(self) -> int:
        """The number, -1 once closed."""
        return self._fd

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def fileno(self) -> int:
        n = self._fd
        if n < 0:
            raise ClosedFdError("fileno")
        return n

    __index__ = fileno

    def close(self) -> None:
        """Close once; later calls do nothing.  EINTR is not retried: Linux has closed it."""
        n = self._fd
        if n >= 0:
            self._fd = -1
            r = _close(n)
            if r < 0 and r != NEG_EINTR:
                raise error(-r, "close")

    def nogc(self) -> "Fd":
        """Stop garbage collection from closing this fd; returns self."""
        self._gc = False
        return self

    def detach(self) -> int:
        """Give up the number without closing it; the Fd reads as closed afterwards."""
        n = self.fileno()
        self._fd = -1
        return n

    def __enter__(self) -> "Fd":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if self._fd >= 0 and self._gc:
            try:
                warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self)
            finally:
                self._fd, n = -1, self._fd
                _close(n)

    # One owner (CONTRACT §2): a copy would close the number behind the original's back.
    def __copy__(self) -> "Fd":
        raise TypeError("cannot copy an Fd: use linuxsys.dup(fd) for a second owner")

    def __deepcopy__(self, memo: Any) -> "Fd":
        raise TypeError("cannot copy an Fd: use linuxsys.dup(fd) for a second owner")

    def __reduce__(self) -> Any:
        raise TypeError("cannot pickle an Fd: send it with send_fds, or pass its number")

    def __repr__(self) -> str:
        return f"<Fd {self._fd}>" if self._fd >= 0 else "<Fd closed>"


class HasFileno(Protocol):
    """Any object with a ``fileno()`` (a file, a socket): it passes as its fd."""

    def fileno(self) -> int: ...


FdArg = Union[Fd, int, str, HasFileno]


def fdnum(fd: FdArg) -> int:
    """The number behind any fd argument: Fd, int, "stdin"/"stdout"/"stderr", or fileno()."""
    t = type(fd)
    if t is int:
        return fd  # type: ignore[return-value]
    if t is Fd:
        fdo: Fd = fd  # type: ignore[assignment]  # `t is Fd` (cheaper than isinstance) narrows
        n = fdo._fd
        if n < 0:
            raise ClosedFdError()
        return n
    if isinstance(fd, str):
        try:
            return STD_NAMES[fd]
        except KeyError:
            raise ValueError(f"unknown fd name {fd!r}; expected one of {sorted(STD_NAMES)}") from None
    if isinstance(fd, int):
        return int(fd)
    fileno = getattr(fd, "fileno", None)
    if fileno is None:
        raise TypeError(f"an fd must be an Fd, an int, a std name or have fileno(), "
                        f"not {type(fd).__name__!r}")
    n = fileno()
    if not isinstance(n, int):  # pyright: ignore[reportUnnecessaryIsInstance]  # a caller's fileno()
        raise TypeError(f"fileno() returned {type(n).__name__!r}, not int")
    return int(n)


def methods(*functions: Callable[..., Any]) -> None:
    """Make fd-first functions methods of Fd: ``fd.fstat()`` is ``fstat(fd)``."""
    for f in functions:
        setattr(Fd, f.__name__, f)


def tagged(n: int, kind: str) -> Fd:
    """A new owning Fd whose kind (as fd_kind() names it) its maker already knows."""
    f = Fd(n)
    f._kind = kind
    return f


def fd_kind(fd: FdArg) -> Optional[str]:
    """What ``fd`` is, as /proc/self/fd names it: ``"eventfd"``, ``"timerfd"``, ``"signalfd"``,
    ``"fanotify"``, ``"inotify"``, ``"pipe"``, ``"socket"``, ``"file"`` ...; None where /proc
    is not mounted.  Cached on an Fd (a number's kind never changes while it stays open)."""
    if isinstance(fd, Fd) and fd._kind is not None:
        k = fd._kind
        return k if type(k) is str else "socket"  # net.py keeps a socket's domain there
    n = fdnum(fd)
    buf = ffi.new("char[]", 256)
    r = _readlinkat(-100, f"/proc/self/fd/{n}".encode(), buf, 255)
    if r < 0:
        if _fcntl(n, _F_GETFD, 0) < 0:
            raise error(EBADF, "fd")
        return None  # open, but no /proc to ask
    link: str = ffi.unpack(buf, r).decode("ascii", "replace")
    if link.startswith("anon_inode:"):  # anon_inode:[eventfd], anon_inode:inotify
        kind = link[11:].strip("[]")
    elif link.startswith(("pipe:", "socket:")):
        kind = link.split(":", 1)[0]
    else:
        kind = "file"
    if isinstance(fd, Fd):
        fd._kind = kind
    return kind


def fdnum_of_kind(fd: FdArg, kind: str, call: str) -> int:
    """``fd``'s number once it is known to be a ``kind`` of fd (as fd_kind() names it): free for
    an Fd its maker tagged, one look in /proc for another Fd (then remembered on it), one per
    call for a bare number.  OSError EINVAL for another kind, before anything is read: a reader
    of records would eat a pipe's data or take its bytes for fds.  The number is taken once, so
    an object whose fileno() changes cannot pass the check with one fd and be read with
    another."""
    if isinstance(fd, Fd):
        n = fd._fd
        if n < 0:
            raise ClosedFdError()
        if fd._kind != kind:  # (an int kind is a socket's domain: fd_kind() says "socket")
            _refuse_other(fd_kind(fd), kind, n, call)
        return n
    n = fdnum(fd)
    _refuse_other(fd_kind(n), kind, n, call)
    return n


def _refuse_other(found: Optional[str], kind: str, n: int, call: str) -> None:
    if found is not None and found != kind:
        raise OSError(EINVAL, f"{call}: fd {n} is a {found}, not a {kind}")
