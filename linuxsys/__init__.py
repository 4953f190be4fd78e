"""linuxsys: Linux system calls for Python, compiled per arch against the real headers.

A first taste::

    import linuxsys as L
    fd = L.open("myfile.txt", L.O.RDONLY)
    buf = bytearray(1024)
    n = L.read(fd, buf)

Constants live in namespaces named after their C prefix, each an IntFlag or IntEnum:
``L.O.RDONLY | L.O.CLOEXEC``, ``L.AT.FDCWD``, ``L.SIG.TERM``; every member also has its C
name, ``L.O_RDONLY`` (``from linuxsys import *`` brings both, as ``socket``'s does).  help()
and dir() leave those out so that the functions and classes can be seen; the namespaces are
listed at the end of this text.
"""
from __future__ import annotations

import os as _os
import platform as _platform
import sys as _sys
from types import ModuleType as _ModuleType
from typing import TYPE_CHECKING as _TYPE_CHECKING

from ._core import UnsupportedError as UnsupportedError, ffi as ffi
from ._consts import *  # noqa: F401,F403  (the namespaces and flat constants)
from .fd import ClosedFdError as ClosedFdError, Fd as Fd
from . import flags as _flags
# The generated plain syscalls reach the package through their families too; star-imported
# here as well because type checkers read only a literal __all__ (a family's adds its
# generated module's with `+=`, which mypy does not follow).
from ._sys_cred import *  # noqa: F401,F403
from ._sys_event import *  # noqa: F401,F403
from ._sys_fs import *  # noqa: F401,F403
from ._sys_io import *  # noqa: F401,F403
from ._sys_landlock import *  # noqa: F401,F403
from ._sys_memory import *  # noqa: F401,F403
from ._sys_mount import *  # noqa: F401,F403
from ._sys_ns import *  # noqa: F401,F403
from ._sys_process import *  # noqa: F401,F403
from ._sys_sched import *  # noqa: F401,F403
from ._sys_security import *  # noqa: F401,F403
from ._sys_signal import *  # noqa: F401,F403
from ._sys_system import *  # noqa: F401,F403
from ._sys_time import *  # noqa: F401,F403
from ._sys_xattr import *  # noqa: F401,F403
from .fs import *  # noqa: F401,F403
from .dir import *  # noqa: F401,F403
from .io import *  # noqa: F401,F403
from .process import *  # noqa: F401,F403
from .cred import *  # noqa: F401,F403
from .sched import *  # noqa: F401,F403
from .signal import *  # noqa: F401,F403
from .time import *  # noqa: F401,F403
from .mq import *  # noqa: F401,F403
from .event import *  # noqa: F401,F403
from .memory import *  # noqa: F401,F403
from .ipc import *  # noqa: F401,F403
from .keys import *  # noqa: F401,F403
from .uffd import *  # noqa: F401,F403
from .net import *  # noqa: F401,F403
from .ns import *  # noqa: F401,F403
from .mount import *  # noqa: F401,F403
from .landlock import *  # noqa: F401,F403
from .security import *  # noqa: F401,F403
from .ptrace import *  # noqa: F401,F403
from .seccomp import *  # noqa: F401,F403
from .uring import *  # noqa: F401,F403
from .kaio import *  # noqa: F401,F403
from .sync import *  # noqa: F401,F403
from .quota import *  # noqa: F401,F403
from .system import *  # noqa: F401,F403
from .bpf import *  # noqa: F401,F403
from .perf import *  # noqa: F401,F403
from .coverage import not_implemented as not_implemented
from .raw import SYS as SYS, syscall as syscall
from .stat import Stat as Stat, major as major, makedev as makedev, minor as minor
from .fs import stat as stat  # L.stat is stat(2): for type checkers, after the line above
from .trace import log as _log, trace as trace, tracing as tracing
from .xattr import *  # noqa: F401,F403

__version__ = "0.1.0"
ARCH = _platform.machine()

# The families star-imported above: their __all__s, the namespaces and the flat constants make
# up the package's.  `from linuxsys import *` never binds a module: a family named like a stdlib
# module (time, signal, io) must not replace the caller's, even if it exports that name.  Type
# checkers don't evaluate this expression (pyright reports it as unsupported): they take every
# public name the star imports and the `name as name` imports above re-export.
_FAMILIES = ("fs", "dir", "io", "process", "cred", "sched", "signal", "time", "mq", "event", "memory", "ipc", "keys",
             "uffd", "xattr", "net", "ns", "mount", "security", "landlock",
             "ptrace", "seccomp", "uring", "kaio", "sync", "quota", "system", "bpf", "perf")
if not _TYPE_CHECKING:
    __all__ = sorted(  # pyright: ignore[reportUnsupportedDunderAll]  (see above)
        ({n for f in _FAMILIES for n in _sys.modules[f"{__name__}.{f}"].__all__}
         | set(_sys.modules[f"{__name__}._consts"].__all__)
         | {"ARCH", "ClosedFdError", "Fd", "SYS", "Stat", "UnsupportedError", "ffi",
            "major", "makedev", "minor", "not_implemented", "syscall", "trace", "tracing"})
        - (set(_FAMILIES) - {"mount", "ptrace", "seccomp", "sync", "bpf"})  # L.mount is mount(2),
        # L.ptrace ptrace(2), L.sync sync(2), L.bpf bpf(2), each bound over its family's module
        - {n for n, v in globals().items() if isinstance(v, _ModuleType)})

# dir() and help() (pydoc lists what both __all__ and dir() name) show functions, classes and
# the few other values; the thousands of constants stay behind their namespaces, named here.
_HIDDEN = set(_flags.FLAT) | set(_flags.NAMESPACES)
_names = sorted(_flags.NAMESPACES)
__doc__ = (__doc__ or "") + "\nNamespaces:\n" + "".join(
    "    " + ", ".join(_names[i:i + 10]) + ",\n" for i in range(0, len(_names), 10))[:-2] + ".\n"
del _names


def __dir__() -> list[str]:
    return [n for n in globals() if n not in _HIDDEN]


if _os.environ.get("LINUXSYS_TRACE", "") not in ("", "0"):
    import logging as _logging
    if not _log.handlers:
        _log.addHandler(_logging.StreamHandler())
    _log.setLevel(_logging.DEBUG)
    trace(True)
