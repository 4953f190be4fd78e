"""process: identifiers (man 2 getpid, getuid ...).  The rest of the family comes later."""
from __future__ import annotations

from ._core import lib

# These calls cannot fail, so the native helpers are the functions themselves: no Python
# frame between the caller and the syscall.
getpid = lib.ls_getpid
getppid = lib.ls_getppid
gettid = lib.ls_gettid
getuid = lib.ls_getuid
geteuid = lib.ls_geteuid
getgid = lib.ls_getgid
getegid = lib.ls_getegid

__all__ = ["getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid"]
