"""The syscall trace switch: ``trace(True)`` or ``LINUXSYS_TRACE=1`` (libjs's ``DEBUG=libjs:*``).

Tracing swaps every native helper bound in a linuxsys module for a logging wrapper and back,
so a disabled trace costs nothing: no ``if tracing`` test sits on any call path.
"""
from __future__ import annotations

import logging
import sys
from typing import Any, Callable

from ._core import STRERROR, lib
from .flags import NAMESPACES

log = logging.getLogger("linuxsys.syscall")

_E = NAMESPACES["E"]
# The C names (ENOENT), which E keeps as aliases of its short members (E.NOENT).
_ERRNAME = {int(e): "E" + e.name if "E" + e.name in _E.__members__ else e.name for e in _E}
_HELPERS = {id(getattr(lib, n)): (getattr(lib, n), n[3:]) for n in dir(lib)
            if n.startswith("ls_") and n != "ls_namespaces"}


class _Traced:
    __slots__ = ("fn", "name")

    def __init__(self, fn: Callable[..., int], name: str) -> None:
        self.fn = fn
        self.name = name

    def __call__(self, *args: Any) -> int:
        r = self.fn(*args)
        if log.isEnabledFor(logging.DEBUG):
            shown = ", ".join(map(repr, args))
            if -4096 < r < 0:
                log.debug("%s(%s) = -1 %s (%s)", self.name, shown,
                          _ERRNAME.get(-r, -r), STRERROR[-r])
            else:
                log.debug("%s(%s) = %s", self.name, shown, r)
        return r


def _modules() -> list[Any]:
    return [m for n, m in list(sys.modules.items())
            if (n == "linuxsys" or n.startswith("linuxsys."))
            and not n.startswith("linuxsys._native") and m is not None]


def trace(on: bool = True) -> None:
    """Log every syscall (name, arguments, result or errno) on logger "linuxsys.syscall"."""
    for mod in _modules():
        for attr, value in list(vars(mod).items()):
            if on and id(value) in _HELPERS and _HELPERS[id(value)][0] is value:
                setattr(mod, attr, _Traced(value, _HELPERS[id(value)][1]))
            elif not on and type(value) is _Traced:
                setattr(mod, attr, value.fn)


def tracing() -> bool:
    """Whether trace(True) is in force."""
    return any(type(v) is _Traced for m in _modules() for v in vars(m).values())
