"""Crash-fuzz worker for tests/test_fuzz.py (a plain module: pytest collects only test_*.py).

test_fuzz.py runs ``python -X dev fuzz_worker.py CONFIG.json`` under PYTHONMALLOC=debug, in a
fresh temporary directory, one batch of targets per process.  A target is a public function,
method, constructor or set of attributes of linuxsys.  For each, a seeded and reproducible
series of calls starts from valid arguments and replaces one, two or all of them with hostile
values (C boundary ints, None, floats, NUL strings, odd buffers, closed Fds, fds of the wrong
kind, objects whose fileno()/__index__/__fspath__ raise or lie ...).  Anything but a normal
return or an allowed exception is a finding: a crash, a hang, another exception type, a
buffer left exported after the call, an exception in __del__.

Standalone, to replay or explore one target (a temporary directory is made and removed):

    python3 -X dev tests/fuzz_worker.py read                  # 200 calls, seed 0
    python3 -X dev tests/fuzz_worker.py Fd.read --calls 50 --seed 3 --first 17 -v

SAFETY (root, shared machine): the value pools below never name a real file (relative names
inside the temporary directory, "/nonexistent/..." or malformed values), never a pid but this
process's own, its children's, 0 or a reaped one, never a SysV id it did not make; sizes that
a correct call would turn into gigabytes of disk or memory are left out where no limit stops
them.  test_fuzz.EXCLUDED lists what is never called, FORKED what runs in a child per call.
"""
from __future__ import annotations

import argparse
import array
import ctypes
import fcntl as pyfcntl
import gc
import inspect
import json
import mmap as pymmap
import os
import random
import re
import resource
import shutil
import signal
import socket
import stat as pystat
import struct
import sys
import tempfile
import time
import termios
import traceback
import types
import warnings
import zlib
from typing import Any, Callable, Optional

ALLOWED = (TypeError, ValueError, OverflowError, OSError, BufferError)
LARGE = 1 << 26          # an int argument this big may make MemoryError legitimate
CALL_TIMEOUT = 3.0       # seconds before a call counts as hung (x8 under qemu)
REPORT_FD = 900          # the worker's own files live above every fd the fuzz names
# Signals a fault raises (a forked call's child dying of SIGKILL or SIGXCPU met a limit it set)
FAULTS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE,
          signal.SIGSYS, signal.SIGTRAP}

# Dunders fuzzed as methods when a linuxsys class (or mmap.mmap for Mapping) defines them.
DUNDERS = ("__getitem__", "__setitem__", "__len__", "__enter__", "__exit__", "__iter__",
           "__index__", "__copy__", "__deepcopy__", "__reduce__", "__repr__", "__bytes__")


# ---- the inventory: what there is to fuzz (shared with test_fuzz.py) --------------------------

def public_names(L: Any) -> list[str]:
    names = getattr(L, "__all__", None)
    if names is None:
        names = [n for n in dir(L) if not n.startswith("_")]
    return sorted(set(names))


def _group_of(obj: Any) -> str:
    """The test a target belongs to: its module's name (io for linuxsys.io and for the
    generated linuxsys._sys_io)."""
    mod = getattr(obj, "__module__", None) or "native"
    if not mod.startswith("linuxsys"):
        return mod
    name = mod.rsplit(".", 1)[-1]
    return name[5:] if name.startswith("_sys_") else name.lstrip("_")


def _own_class(cls: type) -> bool:
    return cls.__module__.startswith("linuxsys") or cls is pymmap.mmap


def inventory(L: Any) -> dict[str, dict[str, Any]]:
    """Every fuzz target: name -> {"kind", "group", "module", "dup"}.

    kind: func (a module-level callable), meth (Class.name), ctor (Class()), props
    (Class.<attrs>: every public attribute and repr), namespaces (all flag namespaces).
    "dup" marks a method that is a module function fuzzed under its own name (Fd.read is
    io.read): it gets fewer calls.  "module" is where the code lives, for the safety review."""
    import enum
    import linuxsys.aio as aio
    import linuxsys.netlink as netlink
    out: dict[str, dict[str, Any]] = {}
    funcs = set()
    sources = [(L, n) for n in public_names(L)] + [(aio, n) for n in getattr(
        aio, "__all__", [n for n in dir(aio) if not n.startswith("_")])] + [
        (netlink, n) for n in netlink.__all__]
    classes = []
    for mod, n in sources:
        obj = getattr(mod, n, None)
        prefix = {aio: "aio.", netlink: "netlink."}.get(mod, "")
        if obj is None or isinstance(obj, types.ModuleType):
            continue
        if isinstance(obj, type):
            if issubclass(obj, enum.Enum):
                out["namespaces"] = {"kind": "namespaces", "group": "flags",
                                     "module": "linuxsys.flags", "dup": False}
                continue
            if not _own_class(obj) or (mod in (aio, netlink) and obj.__module__ != mod.__name__):
                continue
            classes.append((prefix + n, obj))
            continue
        if callable(obj) and not isinstance(obj, type):
            if mod in (aio, netlink) and getattr(obj, "__module__", "") != mod.__name__:
                continue  # re-exports: fuzzed where they live
            funcs.add(obj)
            out[prefix + n] = {"kind": "func", "group": _group_of(obj),
                               "module": getattr(obj, "__module__", None) or "linuxsys._native",
                               "dup": False}
    for cname, cls in classes:
        out[cname + "()"] = {"kind": "ctor", "group": _group_of(cls), "module": cls.__module__,
                             "dup": False}
        if issubclass(cls, BaseException) or hasattr(cls, "_fields"):
            continue  # exceptions and NamedTuples: only what builtins give them
        has_props = False
        public_bases = [b for b in cls.__mro__[1:] if b.__module__.startswith("linuxsys")
                        and not b.__name__.startswith("_")]
        for m in sorted(dir(cls)):
            if m.startswith("_") and m not in DUNDERS:
                continue
            owner = next((k for k in cls.__mro__ if m in k.__dict__), None)
            if owner is None or not _own_class(owner):
                continue
            if owner is not cls and any(owner in b.__mro__ for b in public_bases):
                continue  # fuzzed on the public base (SignalFd's inherited Fd methods)
            attr = owner.__dict__[m]
            if isinstance(attr, (property, types.GetSetDescriptorType,
                                 types.MemberDescriptorType)):
                has_props = True
                continue
            if isinstance(attr, (staticmethod, classmethod)):
                attr = attr.__func__
            if not callable(attr):
                continue
            fn = getattr(attr, "__func__", attr)
            dup = fn in funcs
            out[f"{cname}.{m}"] = {"kind": "meth", "group": _group_of(fn) if dup else
                                   _group_of(cls), "module": getattr(fn, "__module__", None)
                                   or cls.__module__, "dup": dup}
        if has_props:
            out[cname + ".<attrs>"] = {"kind": "props", "group": _group_of(cls),
                                       "module": cls.__module__, "dup": False}
    return out


# ---- hostile objects ------------------------------------------------------------------------

class LieError(Exception):
    """Raised by the lying objects below: propagating it is the right answer."""


RAISE = object()


class _Liar:
    def __init__(self, values: list) -> None:
        self.values, self.i = values, 0

    def _next(self) -> Any:
        v = self.values[self.i % len(self.values)]
        self.i += 1
        if v is RAISE:
            raise LieError("lying object")
        return v

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.values!r})"


class IndexLiar(_Liar):
    def __index__(self) -> Any:
        return self._next()


class IntOnly(_Liar):
    """__int__ but no __index__: not an integer to operator.index()."""

    def __int__(self) -> Any:
        return self._next()


class FilenoLiar(_Liar):
    def fileno(self) -> Any:
        return self._next()


class FspathLiar(_Liar):
    def __fspath__(self) -> Any:
        return self._next()


class IntSub(int):
    """An int subclass whose __index__/__int__ disagree with its value."""

    def __index__(self) -> int:
        raise LieError("IntSub.__index__")

    __int__ = __index__


class LenLiar(bytearray):
    """A bytearray claiming to be huge: sizes must come from the buffer, not len()."""

    def __len__(self) -> int:
        return 1 << 20


class RaisingIter:
    """An iterable that gives a few items, then raises."""

    def __init__(self, items: list) -> None:
        self.items = items

    def __iter__(self) -> Any:
        yield from self.items
        raise LieError("iteration")

    def __repr__(self) -> str:
        return f"RaisingIter({self.items!r})"


class NoReceiver(Exception):
    """A fixture could not be made here (qemu, an old kernel): the call is skipped."""


class CallTimeout(BaseException):
    """The per-call alarm: a BaseException, so that no ``except Exception`` swallows it."""


# ---- value pools ----------------------------------------------------------------------------

BOUNDARY = {
    "0": 0, "1": 1, "-1": -1, "2": 2, "3": 3, "255": 255, "4096": 4096,
    "2**31-1": 2**31 - 1, "2**31": 2**31, "-2**31": -2**31, "-2**31-1": -2**31 - 1,
    "2**32-1": 2**32 - 1, "2**32": 2**32, "2**63-1": 2**63 - 1, "2**63": 2**63,
    "-2**63": -2**63, "-2**63-1": -2**63 - 1, "2**64-1": 2**64 - 1, "2**64": 2**64,
    "10**30": 10**30, "-10**30": -10**30,
}
ALL_INTS = list(BOUNDARY)
# A correct call turns these into real allocations nothing caps (fallocate KEEP_SIZE): the
# 32-bit boundaries are 2-4 GiB.  Values past any file system's limit stay.
ALLOC_INTS = [t for t in ALL_INTS if t not in ("2**31-1", "2**31", "2**32-1", "2**32")] + [
    "2**62", "2**64+4096"]
# Sleeps and timeouts: nothing that waits more than a moment if taken at face value (None
# and negatives wait forever where documented so; time.py saturates what does not fit int64,
# so a huge sleep is a documented wait forever too).
SLEEP_INTS = ["0", "1", "-1", "1000", "-2**63", "-2**63-1", "-10**30", "-2**31"]
TIMEOUT_NS = ["0", "1", "1000", "2**64", "-2**63-1"]
TIMEOUT_S = ["f:0.0", "0", "f:1e-06", "f:0.001", "f:nan", "f:inf", "f:1e+30", "2**64",
             "2**63", "f:-0.0"]
FD_INTS = ["0", "1", "2", "-1", "-100", "2**31-1", "2**31", "2**32", "2**63", "-2**63-1",
           "10**30"]
# "live": the address of a Mapping made for the call, touched after it (issue 7 defect 4: a
# placing call must not replace a live mapping).
PLACE_ADDRS = ["0", "0x10000000", "4095", "2**47", "-4096", "2**64", "-1", "TOP", "10**30",
               "live", "live"]
# Raw addresses (documented unsafe): only values no mapping can be at.
RAW_ADDRS = ["-1", "2**64", "10**30", "-2**63-1", "TOP"]
# pids: each value, and its 32- and 64-bit truncations, is 0, -1, this process, its child, a
# reaped pid, INT_MIN or beyond pid_max -- never another process.
PID_TOKENS = ["pid:0", "pid:self", "pid:child", "pid:dead", "pid:self+2**32",
              "pid:self+2**64", "pid:-self", "-1", "2**31", "-2**31", "2**31-1", "2**64",
              "-2**63", "-2**31-1"]
SHMID_TOKENS = ["shm:own", "shm:own+2**32", "shm:own+2**64", "shm:own-2**32", "-1", "-2**31",
                "2**31"]
IPCKEY_TOKENS = ["0", "2**32", "2**64", "-2**63"]      # all IPC_PRIVATE once truncated
DEVICE_TOKENS = ["0", "-1", "2**64", "-2**63-1", "10**30"]


def _ioctl_reqs() -> list[str]:
    word = 8 * struct_size("P")
    getflags = (2 << 30) | ((word // 8) << 16) | (ord("f") << 8) | 1   # FS_IOC_GETFLAGS
    getversion = (2 << 30) | ((word // 8) << 16) | (ord("v") << 8) | 1
    blkgetsize64 = (2 << 30) | (word // 8 << 16) | (0x12 << 8) | 114
    reqs = [getattr(termios, n) for n in ("FIONREAD", "TCGETS", "TIOCGWINSZ", "TIOCSWINSZ",
                                          "FIOCLEX", "FIONCLEX", "TIOCOUTQ", "TIOCGPGRP",
                                          "TIOCMGET") if getattr(termios, n, 0)]
    return [f"x:{r}" for r in reqs + [getflags, getversion, blkgetsize64]] + [
        "0", "-1", "2**31-1", "2**31", "2**32-1", "2**32", "2**63-1", "2**64", "-2**63-1",
        "10**30"]


def struct_size(code: str) -> int:
    return struct.calcsize(code)


FCNTL_CMDS = ["GETFD", "SETFD", "GETFL", "SETFL", "GETLK", "SETLK", "OFD_GETLK", "OFD_SETLK",
              "DUPFD", "DUPFD_CLOEXEC", "GETOWN", "GETOWN_EX", "GETSIG", "GETLEASE",
              "GETPIPE_SZ", "SETPIPE_SZ", "ADD_SEALS", "GET_SEALS"]
FAN_MARK_SAFE = ["ADD", "REMOVE", "FLUSH", "DONT_FOLLOW", "ONLYDIR", "IGNORED_MASK",
                 "IGNORED_SURV_MODIFY", "EVICTABLE", "IGNORE", "INODE"]

PATHS = ["p:f", "p:g", "p:d", "p:d/sub", "p:new", "p:l", "p:dl", "p:dangling", "p:.",
         "p:", "p:/nonexistent/x/y", "p:f\0x", "pb:f", "pb:\xff\xfe", "p:\udcff", "p:é",
         "p:a*255", "p:a*256", "p:a/*2100", "p:a*100000", "pl:f", "pl:d", "fsp:bytes",
         "fsp:raise", "fsp:int", "fsp:nul", "fsp:vary", "fsp:none"]
BUFFERS = ["b:ba0", "b:ba1", "b:ba4", "b:ba7", "b:ba64", "b:ba4096", "b:ba65536", "b:ba1m",
           "b:lenliar", "b:bytes0", "b:bytes64", "b:bytes1m", "b:mv64", "b:mvslice", "b:mvro",
           "b:mvnc", "b:mv2d", "b:mvint", "b:mvrel", "b:mvempty", "b:mvneg", "b:arri",
           "b:arrd", "b:cnew", "b:cnew1", "b:cint", "b:cnull", "b:cfbbytes", "b:cfbba",
           "b:cfbrel", "b:pymmap", "b:pymmapclosed", "b:pymmapro", "map:rw", "map:ro",
           "map:none", "map:file", "map:closed", "map:placed", "shm:seg", "shm:segro"]
MAPPINGS = ["map:rw", "map:ro", "map:none", "map:file", "map:closed", "map:placed", "shm:seg",
            "shm:segro", "b:pymmap", "b:ba4096"]
FD_FIXTURES = ["file", "file_ro", "dir", "pipe_r", "pipe_w", "eventfd", "timerfd", "signalfd",
               "epoll", "inotify", "fanotify", "sock", "udp", "pty_m", "pty_s", "memfd",
               "pidfd_self", "pidfd_child", "closed", "nonowning", "sigfd_on_pipe"]
FD_TOKENS = ([f"fd:{k}" for k in FD_FIXTURES] + [f"fdn:{k}" for k in ("file", "pipe_r",
             "eventfd", "dir", "sock", "closed")] + [f"i:{t}" for t in FD_INTS] + [
             "s:stdin", "s:stdout", "s:stderr", "s:stdfoo", "obj:epoll", "obj:inotify",
             "obj:pyfile", "obj:pyfileclosed", "obj:socket", "fl:raise", "fl:-1", "fl:str",
             "fl:huge", "fl:vary", "fl:bool", "fl:none"])
# Plausible fds: by (function, parameter), by parameter, then by function (first fd only).
FD_PARAM_HINTS = {
    ("tee", "fd_in"): ["pipe_r"], ("tee", "fd_out"): ["pipe_w"],
    ("splice", "fd_in"): ["pipe_r", "file"], ("splice", "fd_out"): ["pipe_w", "memfd"],
    ("sendfile", "in_fd"): ["file_ro"], ("sendfile", "out_fd"): ["pipe_w", "file"],
    ("copy_file_range", "fd_in"): ["file_ro"], ("copy_file_range", "fd_out"): ["file"],
    ("epoll_ctl", "fd"): ["pipe_r", "eventfd", "sock"],
    ("register", "fd"): ["sock", "pipe_w"], ("modify", "fd"): ["pipe_r", "eventfd"],
    ("unregister", "fd"): ["pipe_r", "eventfd"],
    ("fanotify_respond", "event_fd"): ["file"],
    ("ioctl", "fd"): ["pty_m", "pty_s", "pipe_r", "sock", "file"],
    ("fcntl", "fd"): ["file", "pipe_r", "memfd", "sock", "pty_s"],
}
FD_NAME_HINTS = {"epfd": ["epoll"], "dirfd": ["@cwd", "dir"], "olddirfd": ["@cwd", "dir"],
                 "newdirfd": ["@cwd", "dir"], "pidfd": ["pidfd_self", "pidfd_child"],
                 "fanotify_fd": ["fanotify"], "event_fd": ["file"]}
FD_HINTS = [("eventfd", "eventfd"), ("timerfd", "timerfd"), ("inotify", "inotify"),
            ("fanotify", "fanotify"), ("epoll", "epoll"), ("signalfd", "signalfd"),
            ("getdents", "dir"), ("fchdir", "dir"), ("readdir", "dir"), ("listdir", "dir"),
            ("Inotify", "inotify"), ("Epoll", "epoll"), ("fsetxattr", "file"),
            ("fgetxattr", "file"), ("fremovexattr", "file"), ("flistxattr", "file"),
            ("ftruncate", "file"), ("fallocate", "file"), ("pread", "file"),
            ("pwrite", "file"), ("lseek", "file"), ("process_madvise", "pidfd_self"),
            ("pidfd_getfd", "pidfd_self")]
JUNK = ["none", "true", "false", "f:0.0", "f:1.5", "f:nan", "f:inf", "f:-inf", "cplx", "s:",
        "s:x", "s:\0", "s:rdonly|bogus", "s:bogus", "s:|", "s:,,", "s:a*100000", "by:",
        "by:\0", "by:x*100000", "list", "tuple", "dict", "set", "object", "il:raise",
        "il:vary", "il:str", "io:int", "isub", "fl:raise", "fsp:raise", "ns:random",
        "ns:random", "fd:closed", "gen", "frac"]
# Junk for arguments whose integer value must stay in a safe pool (pids, SysV ids, keys,
# devices, ioctl requests): nothing here converts to an int outside that pool.
SAFE_JUNK = ["none", "f:nan", "f:inf", "s:", "s:x", "by:", "list", "tuple", "object",
             "il:raise", "il:str", "il:vary", "io:int", "isub", "cplx", "fd:closed"]


NODEFAULT = object()  # a parameter without a default (None is a default)


# Junk for timeouts: nothing that means "wait forever" (None) or long (a namespace member).
WAIT_JUNK = [t for t in SAFE_JUNK if t != "none"]


class Kind:
    """How one parameter is fuzzed: plausible (baseline), edge (its own hostile values) and
    junk tokens; ints: the pool lying __index__ objects draw from."""

    def __init__(self, name: str, plausible: list, edge: list, ints: Optional[list] = None,
                 safe: bool = False, junk: Optional[list] = None) -> None:
        self.name, self.plausible, self.edge = name, plausible, edge
        self.ints = ints if ints is not None else ALL_INTS
        self.junk = junk if junk is not None else SAFE_JUNK if safe else JUNK
        self.safe = safe


def ns_tokens(ns: Any, deny: set) -> list[str]:
    if ns is None:
        return []
    return [f"m:{ns.__name__}.{m}" for m in ns.__members__
            if f"{ns.__name__}.{m}" not in deny]


def make_kind(fname: str, pname: str, ann: str, default: Any, ns: Any, deny: set,
              override: Optional[str], first_fd: bool = False) -> Kind:
    """The Kind of parameter ``pname`` of ``fname``, from its name, annotation and namespace."""
    a, n = ann or "", pname
    k = override
    opt = ["none"] if default is None or "Optional" in a else []
    maybe = "Optional" in a or default is None  # None is a plausible value too
    if k is None:
        if n in ("inheritable", "on", "own", "rusage"):
            k = "bool"
        elif "FdArg" in a and "PathArg" in a:
            k = "path_or_fd"
        elif n == "id" and "FdArg" in a:
            k = "pid_or_fd"
        elif "FdArg" in a or n in ("fd", "epfd", "dirfd"):
            k = "fd"
        elif "EnvArg" in a:
            k = "env"
        elif "Iterable[PathArg]" in a:
            k = "paths" if n == "names" else "argv"
        elif "xattr" in fname and n == "name":
            k = "xattr_name"
        elif "PathArg" in a:
            k = "path"
        elif "MappingArg" in a or ("ShmSegment" in a and "int" in a):
            k = "raw_mapping"
        elif "PollFds" in a:
            k = "pollfds"
        elif "Iterable[Buffer]" in a:
            k = "buffers"
        elif "SignalArg]" in a or a == "Signals" or "Signals" in a:
            k = "signals"
        elif "Iterable[Union[Mapping" in a:
            k = "madv_iov"
        elif "Iterable[tuple[int, int]]" in a:
            k = "remote_iov"
        elif "Iterable[int]" in a:
            k = "ints"
        elif "SchedAttr" in a:
            k = "schedattr"
        elif "ShmidDs" in a:
            k = "shmctl_buf"
        elif "tuple[int, int]" in a:
            k = "intpair"
        elif "Union[int, Buffer]" in a and "None" not in a:
            k = "size_or_buf"
        elif "Buffer" in a:
            k = "int_or_buf" if "int" in a else "buffer"
        elif "SignalArg" in a:
            k = "signal"
        elif n == "raw":
            k = "stat_raw"
        elif "Callable" in a:
            k = "callable"
        elif n == "times":
            k = "times"
        elif n == "timeout":
            k = "timeout_s"
        elif n == "timeout_ns":
            k = "timeout_ns"
        elif n in ("ns", "req_ns", "request_ns"):
            k = "sleep_ns"
        elif n in ("pid", "tgid", "tid", "pgid") or (n == "who" and "int" in a):
            k = "pid"
        elif n == "shmid":
            k = "shmid"
        elif n == "key":
            k = "ipckey"
        elif n == "device":
            k = "device"
        elif n in ("addr", "shmaddr", "new_address"):
            k = "place_addr"
        elif n == "name" and "str" in a:
            k = "memfd_name"
        elif "FlagArg" in a:
            k = "flag"
        else:
            k = "int" if "int" in a or "float" in a else "any"
    if k == "flag":
        members = ns_tokens(ns, deny)
        strings = [f"s:{t.split('.', 1)[1].lower()}" for t in members[:3]]
        plaus = ["0"] + members[:4] + (["none"] if default is None else [])
        edge = (members + strings + ALL_INTS + ["s:bogus", "s:RDONLY|", "s:" + "a" * 5000,
                "ns:wrong", "ns:wrong", "s:0644", "ns:orall:" + (ns.__name__ if ns else "O")])
        return Kind(k, plaus, edge + opt)
    if k == "signal":
        return Kind(k, ["m:SIG.USR1", "s:usr1"], ["0", "1", "9", "19", "31", "32", "64", "65",
                    "s:sigusr1", "s:bogus", "m:SIG.KILL", "ns:wrong"] + ALL_INTS)
    if k == "fcntl_cmd":
        return Kind(k, [f"m:F.{c}" for c in FCNTL_CMDS], [f"m:F.{c}" for c in FCNTL_CMDS] + [
            "s:getfl", "s:bogus", "s:", "0", "-1", "2**31-1", "2**31", "2**32", "2**64",
            "-2**63-1", "10**30", "ns:wrong"], ints=["0", "-1", "2**31", "2**32"], safe=True)
    if k == "ioctl_req":
        reqs = _ioctl_reqs()
        return Kind(k, [r for r in reqs if r.startswith("x:")], reqs,
                    ints=["0", "-1", "2**31", "2**64"], safe=True)
    if k == "fan_mark_flags":
        return Kind(k, ["m:FAN_MARK.ADD"], [f"m:FAN_MARK.{m}" for m in FAN_MARK_SAFE] + [
            "s:add|onlydir", "s:bogus", "-1", "2**31-1", "2**32", "2**64"],
            ints=["-1", "2**32", "2**64"], safe=True)
    if k == "prio_which":
        return Kind(k, ["0", "m:PRIO.PROCESS"], ["s:process", "-1", "2**32", "2**64"],
                    ints=["0", "2**32", "2**64"], safe=True)
    if k == "bool":
        return Kind(k, ["false"], ["true", "none", "0", "1", "2", "s:yes", "list", "f:nan"])
    if k == "fd":
        base = fname.split(".")[-1]
        hints = FD_PARAM_HINTS.get((base, n)) or FD_NAME_HINTS.get(n)
        if hints is None and first_fd:
            hints = [v for h, v in FD_HINTS if h in fname][:1] or None
        hints = hints or ["file", "pipe_r", "pipe_w", "sock", "memfd"]
        plaus = ["i:-100" if h == "@cwd" else f"fd:{h}" for h in hints]
        plaus += ["none"] if default is None else []
        return Kind(k, plaus, FD_TOKENS + opt, ints=FD_INTS)
    if k == "pid_or_fd":
        return Kind(k, ["pid:child", "fd:pidfd_child"], PID_TOKENS + ["fd:pidfd_self",
                    "fd:pipe_r", "fd:closed"], ints=PID_TOKENS, safe=True)
    if k in ("path", "path_or_fd"):
        plaus = ["p:f", "p:d", "p:new", "p:l", "p:file", "p:sub"] + (
            ["none"] if default is None else [])
        edge = PATHS + (["fd:dir", "fd:file", "fd:closed", "i:-100", "fl:raise"]
                        if k == "path_or_fd" else []) + opt
        return Kind(k, plaus, edge)
    if k == "xattr_name":
        return Kind(k, ["s:user.fuzz"], ["s:trusted.fuzz", "s:security.fuzz", "s:user.",
                    "s:", "s:foo.bar", "s:user." + "a" * 300, "s:user.x\0y", "by:user.b",
                    "s:system.posix_acl_access", "fsp:raise", "s:user." + "a" * 70000])
    if k == "memfd_name":
        return Kind(k, ["s:fuzz"], ["s:", "s:\0", "s:" + "a" * 250, "s:a*100000",
                    "by:fuzz", "s:é", "s:\udcff"])
    if k in ("buffer", "int_or_buf", "size_or_buf", "shmctl_buf"):
        # (small buffers are plausible too: the kernel writing past one is what to catch)
        plaus = ["b:ba64", "b:bytes64", "b:ba1"] + (["i:16"] if k == "size_or_buf" else []) + (
            ["i:0", "b:ba4", "b:cint", "b:cnew1", "b:ba7"] if k == "int_or_buf" else []) + (
            ["none"] if default is None else [])
        edge = BUFFERS + (ALL_INTS if k != "buffer" else []) + opt
        if k == "shmctl_buf":
            edge += ["shmds", "ipcperm", "ipcperm_junk"]
        return Kind(k, plaus, edge)
    if k == "raw_mapping":
        return Kind(k, ["map:rw"], MAPPINGS + [f"i:{t}" for t in RAW_ADDRS] + ["none"],
                    ints=RAW_ADDRS, safe=True)
    if k == "place_addr":
        return Kind(k, ["0", "none"] if "Optional" in a or default is None else ["0"],
                    [f"i:{t}" for t in PLACE_ADDRS] + opt, ints=["0", "2**64", "-1"],
                    safe=True)
    if k == "pid":
        return Kind(k, ["pid:0", "pid:self"], PID_TOKENS, ints=PID_TOKENS, safe=True)
    if k == "shmid":
        return Kind(k, ["shm:own"], SHMID_TOKENS, ints=SHMID_TOKENS, safe=True)
    if k == "ipckey":
        return Kind(k, ["0"], IPCKEY_TOKENS + ["m:IPC.PRIVATE"], ints=IPCKEY_TOKENS,
                    safe=True)
    if k == "device":
        return Kind(k, ["0"], DEVICE_TOKENS, ints=DEVICE_TOKENS, safe=True)
    if k == "alloc":
        return Kind(k, ["4096", "8192"], ALLOC_INTS + opt, ints=ALLOC_INTS)
    if k == "sleep_ns":
        return Kind(k, ["0", "1"], SLEEP_INTS + ["f:0.5", "f:nan"], ints=SLEEP_INTS,
                    junk=WAIT_JUNK)
    if k == "timeout_s":
        return Kind(k, ["0", "f:0.0"], TIMEOUT_S, ints=["0", "2**64"], junk=WAIT_JUNK)
    if k == "timeout_ns":
        return Kind(k, ["0"], TIMEOUT_NS + ["f:0.5", "f:nan"], ints=TIMEOUT_NS,
                    junk=WAIT_JUNK)
    if k == "stat_raw":
        return Kind(k, ["b:statraw"], BUFFERS[:12] + ["b:statraw0", "b:statrawff", "s:x"])
    if k == "callable":
        return Kind(k, ["cb:list"], ["cb:raise", "cb:none", "cb:junk", "cb:read", "none",
                    "s:x", "object"])
    if k == "times":
        return Kind(k, ["none"], ["t:zero", "t:pairs", "t:huge", "t:badnsec", "t:now_omit",
                    "t:floats", "t:short", "t:str", "t:list", "t:triple", "t:nones",
                    "t:negns"])
    if k == "signals":
        plaus = ["sigs:usr1"] + (["none"] if default is None or "Optional" in a else [])
        return Kind(k, plaus, ["sigs:empty", "sigs:names", "sigs:zero", "sigs:65", "sigs:-1",
                    "sigs:2**31", "sigs:kill", "sigs:set", "sigs:range", "s:int",
                    "sigs:none", "sigs:wrongns", "sigs:raise", "sigs:2**64", "sigs:gen",
                    "sigs:dup"] + opt)
    if k == "buffers":
        return Kind(k, ["bl:one"], ["bl:empty", "bl:mixed", "bl:three", "bl:nc", "bl:gen",
                    "bl:none", "bl:many", "s:abc", "by:abc", "bl:raise", "bl:null",
                    "bl:ro", "bl:rel", "bl:map", "bl:lenliar"])
    if k == "ints":
        return Kind(k, ["ints:zero"], ["ints:empty", "ints:01", "ints:-1", "ints:2**31",
                    "ints:range", "ints:big", "ints:none", "ints:str", "ints:raise",
                    "ints:2**64", "ints:gen"])
    if k == "pollfds":
        return Kind(k, ["pf:one"], ["pf:empty", "pf:badevents", "pf:junkfd", "pf:notpairs",
                    "pf:dict", "pf:triple", "pf:many", "pf:closed", "pf:raise", "pf:neg"])
    if k == "madv_iov":
        return Kind(k, ["mi:map"], ["mi:empty", "mi:zero", "mi:huge", "mi:neg", "mi:closed",
                    "mi:none", "mi:str", "mi:triple", "mi:ro", "mi:raise"])
    if k == "remote_iov":
        return Kind(k, ["ri:zero"], ["ri:empty", "ri:huge", "ri:neg", "ri:biglen", "ri:none",
                    "ri:triple", "ri:raise", "ri:many"])
    if k == "intpair":
        return Kind(k, ["ip:cur"] + opt, ["ip:zero", "ip:neg", "ip:huge", "ip:one",
                    "ip:three", "ip:none", "ip:str", "ip:nones", "ip:inf", "ip:big"])
    if k == "schedattr":
        return Kind(k, ["sa:default"], ["sa:fifo", "sa:huge", "sa:neg", "sa:junk", "sa:tuple",
                    "none", "sa:deadline"])
    if k == "paths":
        return Kind(k, ["ps:few"], ["ps:empty", "ps:nul", "ps:mixed", "ps:many", "ps:gen",
                    "ps:raise", "ps:none", "ps:long", "ps:abs", "s:abc", "ps:fsp"])
    if k in ("argv", "env"):
        return Kind(k, ["ints:empty"], ["sigs:names", "none", "dict"])
    if k == "any":
        return Kind(k, ["0", "none"], ALL_INTS + PATHS[:6] + BUFFERS[:8] + opt)
    # int-like parameters, by name
    if n in ("len", "length", "count", "nbytes", "size", "old_size", "new_size", "newsize",
             "limit", "maxevents", "old_length", "new_length"):
        plaus = ["1", "16", "4096"] + (["none", "none"] if maybe else [])
    elif n in ("offset", "off_in", "off_out", "start"):
        plaus = ["0"] + (["none"] if maybe else [])
    else:
        plaus = ["0", "1"] + (["none"] if maybe else [])
    return Kind("int", plaus, ALL_INTS + ["f:1.0", "s:1", "m:O.RDONLY"] + opt)


# ---- fixtures -------------------------------------------------------------------------------

class Fixtures:
    """The objects tokens name: long-lived Fds (re-made when a call closed or changed them)
    and per-call fresh buffers and mappings."""

    def __init__(self, L: Any, tmp: str, log: Callable[[str], None]) -> None:
        self.L, self.tmp, self.log = L, tmp, log
        self.fds: dict[str, Any] = {}
        self.keep: dict[str, Any] = {}     # companions that must stay alive (peers, writers)
        self.ident: dict[str, tuple] = {}
        self.broken: set[str] = set()
        self.shm_own: Optional[int] = None
        self.child = self._sleeper()
        self.dead = self._dead_pid()
        self.forked: list[int] = []
        self.made_tree()

    # -- processes --
    def _sleeper(self) -> int:
        """A child that waits until the worker closes its pipe (or dies): "pid:child"."""
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(w)
                os.read(r, 1)
            finally:
                os._exit(0)
        os.close(r)
        self.keep["sleeper_w"] = w
        os.set_inheritable(w, False)
        return pid

    def _dead_pid(self) -> int:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        return pid

    def dead_pid(self) -> int:
        """A reaped pid, re-made if the kernel has given the number to someone else since."""
        if os.path.exists(f"/proc/{self.dead}"):
            self.dead = self._dead_pid()
        return self.dead

    # -- the directory tree --
    TREE = {"f": pystat.S_ISREG, "g": pystat.S_ISREG, "d": pystat.S_ISDIR,
            "l": pystat.S_ISLNK, "dl": pystat.S_ISLNK, "dangling": pystat.S_ISLNK}
    LINKS = {"l": "f", "dl": "d", "dangling": "missing"}
    SUBTREE = {"sub": pystat.S_ISDIR, "file": pystat.S_ISREG}

    def made_tree(self) -> None:
        """f and g: 4 KiB files; d/sub, d/file; symlinks l -> f, dl -> d, dangling."""
        for name in ("f", "g"):
            if not os.path.lexists(name):
                with open(name, "wb") as f:
                    f.write(bytes(range(256)) * 16)
                try:
                    os.setxattr(name, "user.fuzz", b"value")
                except OSError:
                    pass
        if not os.path.lexists("d"):
            os.mkdir("d")
        if not os.path.lexists("d/sub"):
            os.mkdir("d/sub")
        if not os.path.lexists("d/file"):
            open("d/file", "wb").close()
        for link, target in self.LINKS.items():
            if not os.path.lexists(link):
                os.symlink(target, link)

    @staticmethod
    def _wrong(names: list, want: dict, base: str = "") -> list:
        """Entries of a directory listing that are extra or of the wrong type."""
        bad = [n for n in names if n not in want]
        for n, test in want.items():
            try:
                if not test(os.lstat(base + n).st_mode):
                    bad.append(n)
            except OSError:
                pass
        return bad

    def repair_tree(self) -> None:
        """Put the directory back as it was: calls create, rename, replace and remove."""
        bad = self._wrong(os.listdir("."), self.TREE)
        for link, target in self.LINKS.items():
            try:
                if os.readlink(link) != target:
                    bad.append(link)
            except OSError:
                pass
        sub = []
        if "d" not in bad:
            try:
                sub = self._wrong(os.listdir("d"), self.SUBTREE, "d/")
            except OSError:
                bad.append("d")
        for n in bad:
            _remove(n)
        for n in sub:
            _remove("d/" + n)
        if bad or sub or len(os.listdir(".")) != len(self.TREE):
            self.made_tree()

    # -- fds --
    def fd(self, name: str) -> Any:
        f = self.fds.get(name)
        if f is None and name not in self.broken:
            try:
                f = self._make(name)
            except Exception as e:  # a maker under test failed: the token gives a closed Fd
                self.log(f"fixture {name} unavailable: {e!r}")
                self.broken.add(name)
                f = None
            if f is not None:
                self.fds[name] = f
                n = self.number(f)
                if n is not None:
                    st = os.fstat(n)
                    self.ident[name] = (n, st.st_dev, st.st_ino)
        if f is None:
            return self.closed()
        return f

    def closed(self) -> Any:
        c = self.L.Fd(os.dup(0))
        c.close()
        return c

    @staticmethod
    def number(f: Any) -> Optional[int]:
        try:
            return f.fileno()
        except Exception:
            return None

    def _nb(self, n: int) -> int:
        os.set_blocking(n, False)
        return n

    def _make(self, name: str) -> Any:
        L = self.L
        if name == "file":
            return L.Fd(os.open("f", os.O_RDWR | os.O_CLOEXEC))
        if name == "file_ro":
            return L.Fd(os.open("g", os.O_RDONLY | os.O_CLOEXEC))
        if name == "dir":
            return L.Fd(os.open("d", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC))
        if name in ("pipe_r", "pipe_w"):
            r, w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
            os.write(w, b"fuzz" * 4)
            if name == "pipe_r":
                self.keep["pipe_r_peer"] = L.Fd(w)
                return L.Fd(r)
            self.keep["pipe_w_peer"] = L.Fd(r)
            return L.Fd(w)
        if name == "eventfd":
            if not hasattr(os, "eventfd"):  # Python < 3.10
                e = L.eventfd(1, L.EFD_NONBLOCK | L.EFD_CLOEXEC)
                return e
            return L.Fd(os.eventfd(1, os.EFD_NONBLOCK | os.EFD_CLOEXEC))
        if name == "timerfd":
            t = L.timerfd_create(1, L.TFD_NONBLOCK | L.TFD_CLOEXEC)  # CLOCK_MONOTONIC
            L.timerfd_settime(t, 0, 1_000_000, 1_000_000)
            return t
        if name == "signalfd":
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
            s = L.signalfd([signal.SIGUSR1], L.SFD_NONBLOCK | L.SFD_CLOEXEC)
            os.kill(os.getpid(), signal.SIGUSR1)  # this process: one record pending
            return s
        if name == "sigfd_on_pipe":  # a SignalFd object around a pipe: the wrong kind
            self.check({"pipe_r", "signalfd"})
            return type(self.fd("signalfd"))(self.number(self.fd("pipe_r")), own=False)
        if name == "epoll":
            e = L.Epoll()
            self.keep["epoll_obj"] = e
            for other in ("pipe_r", "eventfd"):
                os_fd = self.number(self.fd(other))
                if os_fd is not None:
                    try:
                        e.register(os_fd)
                    except OSError:
                        pass
            return e.fd
        if name == "inotify":
            i = L.Inotify(L.IN_NONBLOCK)
            self.keep["inotify_obj"] = i
            i.add_watch("d", L.IN.ALL_EVENTS)
            open("d/file", "ab").close()
            return i.fd
        if name == "fanotify":  # events of d's children only (a notification group)
            fan = L.fanotify_init(L.FAN_CLASS_NOTIF | L.FAN_NONBLOCK, 0)
            L.fanotify_mark(fan, L.FAN_MARK_ADD, L.FAN_CLOSE_WRITE | L.FAN_EVENT_ON_CHILD,
                            -100, "d")
            return fan
        if name == "sock":
            a, b = socket.socketpair()
            a.setblocking(False)
            b.setblocking(False)  # topped up after calls: it must never wait
            b.send(b"fuzz")
            self.keep["sock_peer"] = L.Fd(b.detach())
            return L.Fd(a.detach())
        if name == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setblocking(False)
            return L.Fd(s.detach())
        if name in ("pty_m", "pty_s"):
            m, s = os.openpty()
            for n in (m, s):
                os.set_blocking(n, False)
                os.set_inheritable(n, False)
            if name == "pty_m":
                self.keep["pty_m_peer"] = L.Fd(s)
                return L.Fd(m)
            self.keep["pty_s_peer"] = L.Fd(m)
            return L.Fd(s)
        if name == "memfd":
            n = os.memfd_create("fuzz", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
            os.write(n, b"m" * 8192)
            return L.Fd(n)
        if name == "pidfd_self":
            return L.Fd(os.pidfd_open(os.getpid()))
        if name == "pidfd_child":
            return L.Fd(os.pidfd_open(self.child))
        if name == "closed":
            return self.closed()
        if name == "nonowning":
            self.check({"file"})
            return L.Fd(self.number(self.fd("file")), own=False)
        raise KeyError(name)

    # Fixtures that share a number or an open file: closing one through the other.
    RELATED = {"nonowning": {"file"}, "file": {"nonowning"}, "sigfd_on_pipe": {"pipe_r"},
               "pipe_r": {"sigfd_on_pipe"}, "signalfd": {"sigfd_on_pipe"}}

    def check(self, used: set) -> None:
        """After a call: re-make fixtures a call closed or replaced, reset their state."""
        used = set(used)
        for name in list(used):
            used |= self.RELATED.get(name, set())
        for name in sorted(used, key=lambda n: n in ("nonowning", "sigfd_on_pipe")):
            f = self.fds.get(name)
            if f is None or name == "closed":
                continue
            n0, dev, ino = self.ident.get(name, (None, None, None))
            n = self.number(f)
            alive = False
            if n is not None and n == n0:
                try:
                    st = os.fstat(n)
                    alive = (st.st_dev, st.st_ino) == (dev, ino)
                except OSError:
                    pass
            if not alive:
                # Never close a number someone else may own now: detach, forget, re-make.
                for obj in (f, self.keep.get(name + "_obj")):
                    try:
                        if hasattr(obj, "detach"):
                            obj.detach()
                    except Exception:
                        pass
                del self.fds[name]
                self.ident.pop(name, None)
                if name in ("epoll", "inotify"):
                    self.keep.pop(name + "_obj", None)
                continue
            try:
                # A lock held would make others wait; eventfds, timerfds, pidfds ... share
                # one anonymous inode, so their locks conflict too.
                pyfcntl.flock(n, pyfcntl.LOCK_UN)
            except OSError:
                pass
            try:
                if name not in ("file", "file_ro", "dir", "memfd", "pidfd_self",
                                "pidfd_child", "nonowning", "fanotify"):
                    if os.get_blocking(n):
                        os.set_blocking(n, False)
                if name in ("file", "file_ro", "memfd"):
                    if os.fstat(n).st_size > 1 << 20:
                        os.ftruncate(n, 4096)
                if name == "dir":
                    os.lseek(n, 0, os.SEEK_SET)
                if name == "pipe_r":
                    _top_up(self.keep.get("pipe_r_peer"), b"fuzz")
                if name == "eventfd":
                    _top_up(f, (1).to_bytes(8, sys.byteorder))
                if name == "sock":
                    _top_up(self.keep.get("sock_peer"), b"fuzz")
                if name == "signalfd" and signal.SIGUSR1 not in signal.sigpending():
                    os.kill(os.getpid(), signal.SIGUSR1)
                if name in ("inotify", "fanotify"):
                    open("d/file", "ab").close()  # an event to read
            except OSError:
                pass

    def known_fds(self) -> set[int]:
        known = {0, 1, 2}
        for obj in list(self.fds.values()) + list(self.keep.values()):
            n = obj if isinstance(obj, int) else self.number(obj)
            if n is not None and n >= 0:
                known.add(n)
        return known

    def own_shm(self) -> int:
        """A SysV segment this worker made (IPC_PRIVATE); re-made once removed."""
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        if self.shm_own is not None:
            buf = ctypes.create_string_buffer(256)
            if libc.shmctl(self.shm_own, 2, buf) == 0:  # IPC_STAT
                return self.shm_own
        self.shm_own = libc.shmget(0, 8192, 0o600 | 0o1000)  # IPC_PRIVATE, IPC_CREAT
        return self.shm_own

    def close_all(self) -> None:
        for obj in list(self.fds.values()) + list(self.keep.values()):
            try:
                if isinstance(obj, int):
                    os.close(obj)
                else:
                    obj.close()
            except Exception:
                pass
        self.fds.clear()
        self.keep.clear()


def _top_up(fd: Any, data: bytes) -> None:
    """Give a reader something to read: a nonblocking write, dropped when full."""
    if fd is None or fd.closed:
        return
    try:
        n = fd.fileno()
        if os.get_blocking(n):
            os.set_blocking(n, False)
        os.write(n, data)
    except OSError:
        pass


def _remove(name: str) -> None:
    try:
        if os.path.isdir(name) and not os.path.islink(name):
            shutil.rmtree(name, ignore_errors=True)
        else:
            os.unlink(name)
    except OSError:
        pass


# ---- token resolution -----------------------------------------------------------------------

class Resolver:
    """Turns tokens into the objects passed to a call (fresh per call where they are
    buffers or mappings); remembers what to check after the call."""

    def __init__(self, L: Any, fx: Fixtures, rng: random.Random) -> None:
        self.L, self.fx = L, fx
        import linuxsys.flags as flags
        self.namespaces = dict(flags.NAMESPACES)
        self.rng = rng
        self.page = pymmap.PAGESIZE
        self.top = (1 << (8 * struct_size("P"))) - self.page

    def begin(self) -> None:
        self.used: set[str] = set()
        self.fresh: list[Any] = []      # bytearrays / memoryviews / mappings made for this call
        self.immutable: list[tuple] = []  # (bytes, its content): the kernel must not write
        self.large = False

    def int_of(self, t: str) -> Any:
        if t in BOUNDARY:
            return BOUNDARY[t]
        if t.startswith("pid:"):
            return self.pid(t[4:])
        if t.startswith("shm:"):
            return self.shmid(t[4:])
        if t == "TOP":
            return self.top
        if t == "live":
            m = self.mapping("rw")
            return m.address if isinstance(m, self.L.Mapping) else 0
        if t.startswith("x:"):
            return int(t[2:])
        if t.startswith("0x"):
            return int(t, 16)
        return int(eval(t, {}))  # "2**62", "1000": literal arithmetic only

    def pid(self, what: str) -> int:
        me = os.getpid()
        return {"0": 0, "self": me, "child": self.fx.child, "dead": self.fx.dead_pid(),
                "self+2**32": me + 2**32, "self+2**64": me + 2**64, "-self": -me}[what]

    def shmid(self, what: str) -> int:
        own = self.fx.own_shm()
        return {"own": own, "own+2**32": own + 2**32, "own+2**64": own + 2**64,
                "own-2**32": own - 2**32, "seg": own}[what]

    def ints_for(self, kind: Kind) -> list:
        return [self.int_of(t) for t in kind.ints]

    def value(self, tok: str, kind: Kind) -> Any:
        v = self._value(tok, kind)
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= LARGE:
            self.large = True
        return v

    def _fresh(self, v: Any) -> Any:
        self.fresh.append(v)
        return v

    def _value(self, tok: str, kind: Kind) -> Any:
        L = self.L
        head, _, rest = tok.partition(":")
        if tok in BOUNDARY or head in ("pid", "shm") and rest not in ("seg", "segro") or \
                tok == "TOP" or tok[:1].isdigit() or tok.startswith("-"):
            return self.int_of(tok)
        if head == "i":
            return self.int_of(rest)
        if head == "x":
            return int(rest)
        if head == "f":
            return float(rest)
        if tok == "none":
            return None
        if tok == "true":
            return True
        if tok == "false":
            return False
        if tok == "cplx":
            return complex(1, 2)
        if tok == "frac":
            from fractions import Fraction
            return Fraction(3, 2)
        if head == "s":
            return _expand(rest)
        if head == "by":
            return _expand(rest).encode("utf-8", "surrogateescape")
        if tok == "list":
            return []
        if tok == "tuple":
            return ()
        if tok == "dict":
            return {}
        if tok == "set":
            return set()
        if tok == "object":
            return object()
        if tok == "gen":
            return (x for x in (0, 1))
        if tok == "isub":
            return IntSub(self.rng.choice(self.ints_for(kind)))
        if head == "il":
            ints = self.ints_for(kind)
            if rest == "raise":
                return IndexLiar([RAISE])
            if rest == "str":
                return IndexLiar(["3"])
            if rest == "vary":
                return IndexLiar(ints[:3] + [RAISE])
            return IndexLiar([self.int_of(rest)])
        if head == "io":
            return IntOnly([self.rng.choice(self.ints_for(kind))])
        if head == "m":  # a member this build's headers lack: its name, an unknown flag
            ns, _, member = rest.partition(".")
            space = self.namespaces.get(ns)
            return getattr(space, member, member.lower()) if space else member.lower()
        if head == "ns":
            return self.namespace_value(rest, kind)
        if head == "fd":
            self.used.add(rest)
            return self.fx.fd(rest)
        if head == "fdn":
            self.used.add(rest)
            n = self.fx.number(self.fx.fd(rest))
            return -1 if n is None else n
        if head == "obj":
            return self.obj(rest)
        if head == "fl":
            return self.fileno_liar(rest)
        if head in ("p", "pb", "pl"):
            p = _expand(rest)
            if head == "pb":
                return p.encode("utf-8", "surrogateescape") if rest != "\xff\xfe" else b"\xff\xfe"
            if head == "pl":
                import pathlib
                return pathlib.Path(p)
            return p
        if head == "fsp":
            return {"bytes": FspathLiar([b"f"]), "raise": FspathLiar([RAISE]),
                    "int": FspathLiar([3]), "nul": FspathLiar(["f\0"]),
                    "vary": FspathLiar(["f", "/nonexistent/x/y", b"d", RAISE]),
                    "none": FspathLiar([None])}[rest]
        if head == "b":
            return self.buffer(rest)
        if head == "cb":
            return {"list": lambda fd: [], "raise": _raiser, "none": lambda fd: None,
                    "junk": lambda fd: 5, "read": self.L.read}[rest]
        if head == "map":
            return self.mapping(rest)
        if tok in ("shm:seg", "shm:segro"):
            return self.segment(rest == "segro")
        if head == "t":
            return self.times(rest)
        if head == "sigs":
            return self.signals(rest)
        if head == "bl":
            return self.buffer_list(rest)
        if head == "ints":
            return self.int_list(rest)
        if head == "ps":
            return self.path_list(rest)
        if head == "pf":
            return self.pollfds(rest)
        if head == "mi":
            return self.madv_iov(rest)
        if head == "ri":
            return self.remote_iov(rest)
        if head == "ip":
            return self.intpair(rest)
        if head == "sa":
            return self.schedattr(rest)
        if tok in ("shmds", "ipcperm", "ipcperm_junk"):
            perm = L.IpcPerm(0, 0, 0, 0, 0, 0o600, 0)
            if tok == "ipcperm":
                return perm
            if tok == "ipcperm_junk":
                return L.IpcPerm(*[2**64, -1, None, 0, 0, 2**31, "x"])
            return L.ShmidDs(perm, 8192, 0, 0, 0, 0, 0, 0)
        raise KeyError(f"unknown token {tok!r}")

    def namespace_value(self, what: str, kind: Kind) -> Any:
        spaces = sorted(self.namespaces)
        if what == "zero":
            for ns in spaces:
                for m in self.namespaces[ns]:
                    if int(m) == 0:
                        return m
            return 0
        if what.startswith("orall:"):
            ns = self.namespaces.get(what[6:])
            if ns is None:
                return 0
            v = 0
            for m in ns:
                v |= int(m)
            return v
        ns = self.namespaces[self.rng.choice(spaces)]
        members = [m for m in ns if f"{ns.__name__}.{m.name}" not in DENIED_MEMBERS]
        return self.rng.choice(members) if members else 0

    def obj(self, what: str) -> Any:
        if what == "epoll":
            self.fx.fd("epoll")
            self.used.add("epoll")
            return self.fx.keep.get("epoll_obj")
        if what == "inotify":
            self.fx.fd("inotify")
            self.used.add("inotify")
            return self.fx.keep.get("inotify_obj")
        if what == "pyfile":
            return self._fresh(open("f", "rb"))
        if what == "pyfileclosed":
            f = open("f", "rb")
            f.close()
            return f
        if what == "socket":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.setblocking(False)  # reads of it must not wait
            return self._fresh(sock)
        raise KeyError(what)

    def fileno_liar(self, what: str) -> Any:
        n = self.fx.number(self.fx.fd("file"))
        self.used.add("file")
        return {"raise": FilenoLiar([RAISE]), "-1": FilenoLiar([-1]), "str": FilenoLiar(["3"]),
                "huge": FilenoLiar([2**70]), "bool": FilenoLiar([True]),
                "none": FilenoLiar([None]),
                "vary": FilenoLiar([n, self.fx.number(self.fx.fd("pipe_r")), -1, 2**31])}[what]

    def buffer(self, what: str) -> Any:
        L, f = self.L, self._fresh
        sizes = {"ba0": 0, "ba1": 1, "ba4": 4, "ba7": 7, "ba64": 64, "ba4096": 4096,
                 "ba65536": 65536, "ba1m": 1 << 20}
        if what in sizes:
            return f(bytearray(b"\xa5" * sizes[what]))
        if what == "lenliar":
            return f(LenLiar(b"\xa5" * 16))
        if what.startswith("statraw"):
            n = _stat_size(L)
            return {"statraw": bytes(self.rng.randrange(256) for _ in range(n)),
                    "statraw0": bytes(n), "statrawff": b"\xff" * n}[what]
        if what.startswith("bytes"):
            return self._bytes({"bytes0": 0, "bytes64": 64, "bytes1m": 1 << 20}[what])
        if what.startswith("mv") or what.startswith("arr"):
            ba = f(bytearray(b"\xa5" * 64))
            if what == "mv64":
                return f(memoryview(ba))
            if what == "mvslice":
                return f(memoryview(ba)[8:24])
            if what == "mvro":
                return f(memoryview(self._bytes(64)))
            if what == "mvnc":
                return f(memoryview(ba)[::2])
            if what == "mv2d":
                return f(memoryview(ba).cast("B", (8, 8)))
            if what == "mvint":
                return f(memoryview(ba).cast("i"))
            if what == "mvrel":
                m = memoryview(ba)
                m.release()
                return m
            if what == "mvempty":
                return f(memoryview(ba)[0:0])
            if what == "mvneg":
                return f(memoryview(ba)[::-1])
            if what == "arri":
                return f(array.array("i", range(16)))
            if what == "arrd":
                return f(array.array("d", [0.5] * 8))
        ffi = L.ffi
        if what == "cnew":
            return ffi.new("char[]", 64)
        if what == "cnew1":
            return ffi.new("char[]", 1)
        if what == "cint":
            return ffi.new("int *")
        if what == "cnull":
            return ffi.NULL
        if what == "cfbbytes":
            return ffi.from_buffer(self._bytes(16))
        if what == "cfbba":
            return ffi.from_buffer(bytearray(64))  # our own view: its bytearray stays ours
        if what == "cfbrel":
            v = ffi.from_buffer(bytearray(64))
            ffi.release(v)
            return v
        if what == "pymmap":
            return f(pymmap.mmap(-1, 4096))
        if what == "pymmapro":
            return f(pymmap.mmap(-1, 4096, access=pymmap.ACCESS_READ))
        if what == "pymmapclosed":
            m = pymmap.mmap(-1, 4096)
            m.close()
            return m
        raise KeyError(what)

    def _bytes(self, n: int) -> bytes:
        b = bytes(bytearray(b"\x5a" * n))  # a new object, never a shared constant
        self.immutable.append((b, bytearray(b)))
        return b

    def mapping(self, what: str) -> Any:
        L = self.L
        try:
            if what == "rw":
                m = L.mmap(0, 8192)
            elif what == "ro":
                m = L.mmap(0, 8192, L.PROT.READ, L.MAP.PRIVATE | L.MAP.ANONYMOUS)
            elif what == "none":
                m = L.mmap(0, 8192, L.PROT.NONE, L.MAP.PRIVATE | L.MAP.ANONYMOUS)
            elif what == "file":
                n = os.memfd_create("fuzzmap", os.MFD_CLOEXEC)
                try:
                    os.ftruncate(n, 8192)
                    m = L.mmap(0, 8192, L.PROT.READ | L.PROT.WRITE, L.MAP.SHARED, n)
                finally:
                    os.close(n)
            elif what == "closed":
                m = L.mmap(0, 4096)
                m.close()
            elif what == "placed":  # an address hint: a Mapping without a buffer
                m = L.mmap(0x20000000, 4096, L.PROT.READ | L.PROT.WRITE,
                           L.MAP.PRIVATE | L.MAP.ANONYMOUS)
            else:
                raise KeyError(what)
        except (OSError, ValueError, TypeError) as e:
            self.fx.log(f"mapping {what} unavailable: {e!r}")
            return bytearray(64)
        return self._fresh(m)

    def segment(self, ro: bool) -> Any:
        L = self.L
        try:
            sid = L.shmget(0, 8192, L.IPC.CREAT | 0o600)
        except (OSError, ValueError, TypeError) as e:
            self.fx.log(f"shmget unavailable: {e!r}")
            return bytearray(64)
        try:
            seg = L.shmat(sid, 0, L.SHM.RDONLY if ro else 0)
        except (OSError, ValueError, TypeError) as e:
            self.fx.log(f"shmat unavailable: {e!r}")
            seg = bytearray(64)
        finally:
            _rmid(sid)  # destroyed at the last detach: nothing outlives the worker
        return self._fresh(seg)

    def times(self, what: str) -> Any:
        L = self.L
        now, omit = getattr(L, "UTIME_NOW", 0x3fffffff), getattr(L, "UTIME_OMIT", 0x3ffffffe)
        return {"zero": ((0, 0), (0, 0)), "pairs": (0, 0), "huge": ((2**63, 0), (0, 2**31)),
                "badnsec": ((0, -1), (0, 10**9)), "now_omit": (now, omit),
                "floats": (1.5, 2.5), "short": ((0,),), "str": "ab", "list": [(0, 0), (0, 0)],
                "triple": (0, 0, 0), "nones": ((None, None), (0, 0)),
                "negns": ((-2**63, 0), (-1, 999999999))}[what]

    def signals(self, what: str) -> Any:
        L = self.L
        SIG = self.namespaces["SIG"]
        return {"usr1": [signal.SIGUSR1], "empty": [], "names": ["usr1", "SIGTERM", "sigbogus"],
                "zero": [0], "65": [65], "-1": [-1], "2**31": [2**31], "kill": [SIG.KILL],
                "set": {SIG.USR2, SIG.INT}, "range": range(1, 65), "none": [None],
                "wrongns": [self.namespaces["O"].CREAT], "raise": RaisingIter([10]),
                "2**64": [2**64 + 10], "gen": (s for s in (10, 12)),
                "dup": [10, 10, L.SIG.USR1]}[what]

    def buffer_list(self, what: str) -> Any:
        b = self.buffer
        if what == "one":
            return [b("ba64")]
        if what == "empty":
            return []
        if what == "mixed":
            return [b("ba64"), b("mvro"), b("bytes64")]
        if what == "three":
            return [b("ba1"), b("ba64"), b("ba4096")]
        if what == "nc":
            return [b("ba64"), b("mvnc")]
        if what == "gen":
            return (x for x in [b("ba64"), b("ba1")])
        if what == "none":
            return [b("ba64"), None]
        if what == "many":
            return [b("ba1") for _ in range(1100)]
        if what == "raise":
            return RaisingIter([b("ba64")])
        if what == "null":
            return [self.L.ffi.NULL]
        if what == "ro":
            return [b("bytes64"), b("cfbbytes")]
        if what == "rel":
            return [b("ba64"), b("mvrel")]
        if what == "map":
            return [self.mapping("rw"), self.mapping("ro")]
        if what == "lenliar":
            return [b("lenliar")]
        raise KeyError(what)

    def path_list(self, what: str) -> Any:
        return {"few": ["f", "d", "new", "l", "file"], "empty": [], "nul": ["f", "f\0"],
                "mixed": ["f", b"d", None], "many": ["f"] * 5000, "gen": (p for p in "fd"),
                "raise": RaisingIter(["f"]), "none": [None], "long": ["a" * 5000],
                "abs": ["/nonexistent/x/y"],
                "fsp": [FspathLiar(["f", RAISE]), FspathLiar([3])]}[what]

    def int_list(self, what: str) -> Any:
        return {"zero": [0], "empty": [], "01": [0, 1], "-1": [-1], "2**31": [2**31],
                "range": range(1024), "big": range(100000), "none": [None], "str": ["0"],
                "raise": RaisingIter([0]), "2**64": [2**64], "gen": (x for x in (0,))}[what]

    def pollfds(self, what: str) -> Any:
        r = self.value("fd:pipe_r", POLL_KIND)
        w = self.value("fd:pipe_w", POLL_KIND)
        return {"one": [(r, 1)], "empty": [], "badevents": [(r, 2**40)], "junkfd": [(None, 1)],
                "notpairs": [r], "dict": {r: 1}, "triple": [(r, 1, 0)],
                "many": [(w, 4)] * 70000, "closed": [(self.fx.closed(), 1)],
                "raise": RaisingIter([(r, 1)]), "neg": [(-1, 1), (r, -1)]}[what]

    def madv_iov(self, what: str) -> Any:
        return {"map": lambda: [self.mapping("rw")], "empty": lambda: [],
                "zero": lambda: [(0, 0)], "huge": lambda: [(2**64, 1)],
                "neg": lambda: [(-1, 4096)], "closed": lambda: [self.mapping("closed")],
                "none": lambda: [None], "str": lambda: ["x"], "triple": lambda: [(0, 0, 0)],
                "ro": lambda: [self.mapping("ro"), self.mapping("none")],
                "raise": lambda: RaisingIter([self.mapping("rw")])}[what]()

    def remote_iov(self, what: str) -> Any:
        return {"zero": [(0, 16)], "empty": [], "huge": [(2**64, 1)], "neg": [(-1, 1)],
                "biglen": [(4096, 2**63)], "none": [None], "triple": [(1, 2, 3)],
                "raise": RaisingIter([(0, 1)]), "many": [(0, 1)] * 2000}[what]

    def intpair(self, what: str) -> Any:
        if what == "cur":
            return resource.getrlimit(resource.RLIMIT_NOFILE)
        return {"zero": (0, 0), "neg": (-1, -1), "huge": (2**64, 0), "one": (1,),
                "three": (1, 2, 3), "none": None, "str": "ab", "nones": (None, None),
                "inf": (2**64 - 1, 2**64 - 1), "big": (2**63, 10**30)}[what]

    def schedattr(self, what: str) -> Any:
        SA = self.L.SchedAttr
        if what == "default":
            return SA()
        if what == "fifo":
            return SA(sched_policy=1, sched_priority=99)
        if what == "huge":
            return SA(*[2**64] * len(SA._fields))
        if what == "neg":
            return SA(*[-1] * len(SA._fields))
        if what == "junk":
            return SA(*[None, "x", 1.5, [], 0, 0, 0, 0, 0][:len(SA._fields)])
        if what == "tuple":
            return (0,) * len(SA._fields)
        if what == "deadline":
            return SA(sched_policy=6, sched_runtime=10**6, sched_deadline=10**7,
                      sched_period=10**7)
        raise KeyError(what)


POLL_KIND = Kind("fd", [], [], ints=FD_INTS)
# mmap.mmap's methods (CPython gives no signatures): (name, kind, required)
MMAP_SIGNATURES = {
    "__getitem__": [("key", "int", True)], "__setitem__": [("key", "int", True),
                                                         ("value", "buffer", True)],
    "find": [("sub", "buffer", True), ("start", "int", False), ("end", "int", False)],
    "rfind": [("sub", "buffer", True), ("start", "int", False), ("end", "int", False)],
    "move": [("dest", "int", True), ("src", "int", True), ("count", "int", True)],
    "read": [("n", "int", False)], "read_byte": [], "readline": [], "size": [], "tell": [],
    "seek": [("pos", "int", True), ("whence", "int", False)],
    "write": [("data", "buffer", True)], "write_byte": [("byte", "int", True)],
    "flush": [("offset", "int", False), ("size", "int", False)], "__len__": [],
}
WAITS = ("timeout_s", "timeout_ns", "sleep_ns")  # left out, they default to waiting forever
DENIED_MEMBERS: set[str] = set()   # set from the config (test_fuzz.DENIED_MEMBERS)


def _expand(s: str) -> str:
    """"a*255" -> 255 a's, "a/*2100" -> a/a/a/...; anything else as it is."""
    m = re.fullmatch(r"(.+)\*(\d+)", s)
    if m and not s.startswith("/"):
        return m.group(1) * int(m.group(2))
    return s


def _stat_size(L: Any) -> int:
    """The length of the raw bytes a Stat is made of."""
    raw = getattr(L.fstat(0), "_raw", None)
    return len(raw) if raw is not None else 256


def _raiser(*args: Any) -> Any:
    raise LieError("callback")


def _rmid(shmid: int) -> None:
    import ctypes
    ctypes.CDLL(None).shmctl(shmid, 0, None)  # IPC_RMID


# ---- one target -----------------------------------------------------------------------------

class Param:
    def __init__(self, name: str, kind: Kind, required: bool, kwonly: bool, varpos: bool
                 ) -> None:
        self.name, self.kind, self.required, self.kwonly, self.varpos = (
            name, kind, required, kwonly, varpos)


class Target:
    """A callable and its parameters' kinds; plan() makes the calls, run() makes one."""

    def __init__(self, L: Any, name: str, info: dict, cfg: dict) -> None:
        self.L, self.name, self.info, self.cfg = L, name, info, cfg
        self.kind = info["kind"]
        self.fn, self.cls, self.method = self._resolve()
        self.params = self._params()
        base = self.name.split(".")[-1].rstrip("()")
        self.forked = base in cfg["forked"]      # by the last component: Fd.dup2 is dup2
        self.blocking = base in cfg["blocking"]

    def _resolve(self) -> tuple:
        import linuxsys.aio as aio
        import linuxsys.netlink as netlink
        L, name = self.L, self.name
        if self.kind == "namespaces":
            return None, None, None
        mod, bare = L, name
        for sub in (aio, netlink):
            prefix = sub.__name__.rsplit(".", 1)[1] + "."
            if name.startswith(prefix):
                mod, bare = sub, name[len(prefix):]
        if self.kind == "func":
            return getattr(mod, bare), None, None
        cname, _, rest = bare.partition(".")
        cname = cname.rstrip("()")
        cls = getattr(mod, cname)
        if self.kind == "ctor":
            return cls, cls, None
        if self.kind == "props":
            return None, cls, None
        return getattr(cls, rest), cls, rest

    def _params(self) -> list[Param]:
        if self.kind in ("namespaces", "props"):
            return []
        fn = self.fn
        try:
            if not isinstance(fn, types.FunctionType) and self.method in MMAP_SIGNATURES:
                raise ValueError("no annotations")
            sig = inspect.signature(fn)
        except (TypeError, ValueError):  # C methods (mmap.mmap's): signatures by hand
            spec = MMAP_SIGNATURES.get(self.method, [("arg0", "any", False)])
            return [Param(pn, make_kind(self.name, pn, "", NODEFAULT if req else 0, None,
                                        set(), kind), req, False, False)
                    for pn, kind, req in spec]
        try:
            src = inspect.getsource(fn)
        except (OSError, TypeError):
            src = ""
        glb = getattr(fn, "__globals__", {}) or {}
        spaces = {}
        for pname, nsname in re.findall(r"to_int\(\s*(\w+)\s*,\s*(\w+)\s*\)", src):
            ns = glb.get(nsname)
            if isinstance(ns, type):
                spaces[pname] = ns
        if re.search(r"_clock\(", src):
            for p in sig.parameters:
                if "clock" in p:
                    spaces.setdefault(p, glb.get("CLOCK"))
        out = []
        fname = self.name
        bound = self.kind == "meth" and isinstance(
            inspect.getattr_static(self.cls, self.method), types.FunctionType)
        for i, p in enumerate(sig.parameters.values()):
            if i == 0 and (bound or (self.kind == "meth" and p.name == "self")):
                continue  # the receiver
            if p.kind is p.VAR_KEYWORD:
                continue
            ann = p.annotation if isinstance(p.annotation, str) else getattr(
                p.annotation, "__name__", "" if p.annotation is p.empty else str(p.annotation))
            override = self.cfg["overrides"].get(f"{fname.split('.')[-1]}.{p.name}") or \
                self.cfg["overrides"].get(f"{fname}.{p.name}")
            ns = spaces.get(p.name)
            default = NODEFAULT if p.default is p.empty else p.default
            first_fd = not any(q.kind.name == "fd" for q in out)
            kind = make_kind(fname, p.name, ann, default, ns, DENIED_MEMBERS, override,
                             first_fd)
            out.append(Param(p.name, kind, p.default is p.empty and p.kind not in (
                p.VAR_POSITIONAL,), p.kind is p.KEYWORD_ONLY, p.kind is p.VAR_POSITIONAL))
        return out

    # -- receivers --
    def receivers(self) -> list[str]:
        cls = self.cls
        L = self.L
        if cls is None:
            return []
        if issubclass(cls, L.Fd):
            if cls is L.Fd:
                return [f"fd:{k}" for k in FD_FIXTURES if k not in ("sigfd_on_pipe",)]
            return ["fd:signalfd", "fd:sigfd_on_pipe", "rcv:closed_sigfd"]
        if cls.__name__ == "ShmSegment":
            return ["shm:seg", "shm:segro"]
        if issubclass(cls, pymmap.mmap):
            return MAPPINGS[:8]
        if cls.__name__ == "Epoll":
            return ["obj:epoll", "rcv:closed_epoll", "rcv:new"]
        if cls.__name__ == "Inotify":
            return ["obj:inotify", "rcv:closed_inotify", "rcv:new"]
        if cls.__name__ == "Stat":
            return ["rcv:stat", "rcv:stat_junk", "rcv:stat_zero", "rcv:stat_ff"]
        if cls.__name__ == "ScandirIterator":
            return ["rcv:scandir", "rcv:scandir_fd", "rcv:scandir_done"]
        if cls.__name__ == "DirEntry":
            return ["rcv:direntry", "rcv:direntry_fd", "rcv:direntry_bytes"]
        return ["rcv:new"]

    def receiver(self, tok: str, res: Resolver) -> Any:
        L, cls = self.L, self.cls
        if not tok.startswith("rcv:"):
            return res.value(tok, POLL_KIND)
        what = tok[4:]
        if what == "closed_sigfd":
            s = L.signalfd([signal.SIGUSR2], L.SFD_NONBLOCK)
            s.close()
            return s
        if what in ("closed_epoll", "closed_inotify"):
            o = cls()
            o.close()
            return o
        if cls.__name__ == "Inotify":  # a new one: nonblocking, or reading waits for good
            return cls(L.IN_NONBLOCK)
        if what.startswith("stat"):
            raw_len = _stat_size(L)
            data = {"stat": None, "stat_junk": bytes(res.rng.randrange(256)
                                                     for _ in range(raw_len)),
                    "stat_zero": bytes(raw_len), "stat_ff": b"\xff" * raw_len}[what]
            return L.fstat("stdin") if data is None else L.Stat(data)
        if what.startswith("scandir"):
            it = L.scandir(res.value("fd:dir", POLL_KIND) if what == "scandir_fd" else "d")
            res.fresh.append(it)
            if what == "scandir_done":
                list(it)
            return it
        if what.startswith("direntry"):
            src = {"direntry": ".", "direntry_fd": res.value("fd:dir", POLL_KIND),
                   "direntry_bytes": b"."}[what]
            with L.scandir(src) as it:
                entries = sorted(it, key=lambda e: e.name)
            return entries[res.rng.randrange(len(entries))] if entries else None
        try:
            return cls()
        except Exception:
            raise NoReceiver(what) from None

    # -- planning --
    def plan(self, rng: random.Random, n: int) -> list[dict]:
        if self.kind == "props":
            return [{"recv": rng.choice(self.receivers())} for _ in range(n)]
        if self.kind == "namespaces":
            return [{"ns": rng.choice(sorted(self._namespaces())),
                     "arg": rng.choice(ALL_INTS + JUNK + ["s:rdonly", "s:RDONLY|CREAT"])}
                    for _ in range(n)]
        params = self.params
        if not params:
            n = min(n, 6)
        pairs = [(i, t) for i, p in enumerate(params) for t in p.kind.edge + p.kind.junk]
        rng.shuffle(pairs)
        recv = self.receivers() if self.kind == "meth" else []
        calls = []
        for k in range(n):
            toks = [rng.choice(p.kind.plausible) for p in params]
            r = rng.random()
            arity = None
            if r < 0.1:
                pass  # all plausible: the success paths
            elif k < len(pairs) and r < 0.6:
                i, t = pairs[k]
                toks[i] = t
            elif r < 0.75 and params:
                for i in rng.sample(range(len(params)), min(2, len(params))):
                    toks[i] = self._hostile(rng, params[i])
            elif r < 0.9:
                toks = [self._hostile(rng, p) for p in params]
            else:
                arity = rng.choice(["drop", "extra", "bogus_kw", "dup_kw"])
            call = {"args": toks, "arity": arity, "style": rng.random(),
                    "omit": rng.random() < 0.2}
            if recv:
                call["recv"] = rng.choice(recv)
            calls.append(call)
        return calls

    @staticmethod
    def _hostile(rng: random.Random, p: Param) -> str:
        return rng.choice(p.kind.edge if rng.random() < 0.6 else p.kind.junk)

    def _namespaces(self) -> dict:
        import linuxsys.flags as flags
        return flags.NAMESPACES

    def describe(self, call: dict) -> str:
        if self.kind == "props":
            return f"{self.name} of {call['recv']}"
        if self.kind == "namespaces":
            return f"{call['ns']}({call['arg']!r})"
        parts = []
        for p, t in zip(self.params, call["args"]):
            parts.append(f"{p.name}={_short(t)}")
        extra = f" [{call['arity']}]" if call["arity"] else ""
        recv = f"<{call['recv']}>." if "recv" in call else ""
        return f"{recv}{self.name}({', '.join(parts)}){extra}"

    # -- building the call --
    def build(self, call: dict, res: Resolver) -> tuple[Callable, list, dict]:
        if self.kind == "props":
            obj = self.receiver(call["recv"], res)
            return (lambda: _read_attrs(obj)), [], {}
        if self.kind == "namespaces":
            ns = self._namespaces()[call["ns"]]
            arg = res.value(call["arg"], Kind("int", [], []))
            return ns, [arg], {}
        fn = self.fn
        if self.kind == "meth":
            recv = self.receiver(call["recv"], res)
            if not isinstance(recv, self.cls):
                raise NoReceiver(call["recv"])
            fn = getattr(recv, self.method)
        args: list = []
        kwargs: dict = {}
        values = [res.value(t, p.kind) for p, t in zip(self.params, call["args"])]
        params = self.params
        # trailing optional parameters may be left out
        last = len(params)
        if call["omit"]:
            while last and not params[last - 1].required and not params[last - 1].varpos \
                    and params[last - 1].kind.name not in WAITS:
                last -= 1
        for i, (p, v) in enumerate(zip(params[:last], values[:last])):
            if p.varpos:
                args.extend([v] if call["style"] < 0.5 else [v, v])
            elif p.kwonly or (not p.required and call["style"] > 0.7) or call["style"] > 0.95:
                kwargs[p.name] = v
            elif kwargs:  # once by keyword, the rest too
                kwargs[p.name] = v
            else:
                args.append(v)
        a = call["arity"]
        if a == "drop" and any(p.kind.name in WAITS for p in params):
            pass  # leaving out a timeout waits forever
        elif a == "drop" and (args or kwargs):
            if args:
                args.pop()
            else:
                kwargs.pop(next(iter(kwargs)))
        elif a == "extra":
            args.append(0)
            for p in params:  # positionally, after every parameter
                if p.name in kwargs and not p.kwonly:
                    args.insert(params.index(p), kwargs.pop(p.name))
        elif a == "bogus_kw":
            kwargs["bogus_kw"] = 1
        elif a == "dup_kw" and args and params and not params[0].varpos:
            kwargs[params[0].name] = args[0]
        return fn, args, kwargs


def _short(tok: str) -> str:
    return tok if len(tok) <= 40 else tok[:37] + "..."


def _read_attrs(obj: Any) -> None:
    repr(obj)
    str(obj)
    for name in dir(type(obj)):
        if name.startswith("_"):
            continue
        attr = inspect.getattr_static(type(obj), name, None)
        if isinstance(attr, (property, types.GetSetDescriptorType,
                             types.MemberDescriptorType)):
            getattr(obj, name, None)  # AttributeError: absent, as hasattr() says (birthtime)


# ---- running ----------------------------------------------------------------------------------

class Worker:
    def __init__(self, cfg: dict, out: Callable[[dict], None]) -> None:
        import linuxsys as L
        self.L, self.cfg, self.out = L, cfg, out
        DENIED_MEMBERS.update(cfg["denied_members"])
        self.fx = Fixtures(L, os.getcwd(), lambda m: out({"type": "note", "msg": m}))
        self.out({"type": "pid", "pid": self.fx.child})
        self.timeout = cfg["call_timeout"]
        self.unraisable: list[str] = []
        sys.unraisablehook = self._unraisable
        self.calls_since_sweep = 0
        self.stats: dict[str, dict[str, int]] = {}
        self.box = pymmap.mmap(-1, 65536)  # shared with forked children (MAP_SHARED)

    def _unraisable(self, u: Any) -> None:
        if u.exc_type is not None and not issubclass(u.exc_type, (ResourceWarning,)):
            self.unraisable.append(f"{u.exc_type.__name__}: {u.exc_value} in {u.object!r}")

    def run(self, targets: list[str], start: tuple[int, int]) -> None:
        inv = self.cfg["inventory"]
        for ti, name in enumerate(targets):
            if ti < start[0]:
                continue
            try:
                target = Target(self.L, name, inv[name], self.cfg)
            except Exception:
                self.out({"type": "finding", "target": name, "call": -1, "what": "worker",
                          "detail": traceback.format_exc(limit=4), "desc": name})
                continue
            n = self.cfg["calls"][name]
            seed = zlib.crc32(f"{self.cfg['seed']}/{name}".encode())
            rng = random.Random(seed)
            calls = target.plan(rng, n)
            st = self.stats.setdefault(name, {})
            t0 = time.monotonic()
            for ci, call in enumerate(calls):
                if ti == start[0] and ci < start[1]:
                    continue
                self.one(target, ti, ci, call, random.Random(seed + ci), st)
            self.out({"type": "stats", "target": name, "stats": st,
                      "seconds": round(time.monotonic() - t0, 3)})

    def one(self, target: Target, ti: int, ci: int, call: dict, rng: random.Random,
            st: dict) -> None:
        desc = target.describe(call)
        self.out({"type": "start", "ti": ti, "ci": ci, "target": target.name, "desc": desc},
                 current=True)
        res = Resolver(self.L, self.fx, rng)
        res.begin()
        if target.forked:  # arguments made in the child: "pid:self" is the child there
            outcome = self.forked(target, call, res)
            res.used = set(self.fx.fds)  # what the child did to shared open files
        else:
            try:
                fn, args, kwargs = target.build(call, res)
            except NoReceiver:
                st["no receiver"] = st.get("no receiver", 0) + 1
                return
            except Exception:
                self.out({"type": "finding", "target": target.name, "call": ci,
                          "what": "worker", "desc": desc,
                          "detail": traceback.format_exc(limit=6)})
                return
            outcome = self.invoke(target, fn, args, kwargs, res)
            del fn, args, kwargs
        kind, detail = outcome
        st[kind] = st.get(kind, 0) + 1
        if self.cfg.get("verbose"):
            self.out({"type": "result", "ci": ci, "outcome": kind, "detail": detail[:200]})
        if kind.startswith("FINDING"):
            self.out({"type": "finding", "target": target.name, "call": ci,
                      "what": kind.split(":", 1)[1], "desc": desc, "detail": detail})
        for obj in res.fresh:  # unmap what this call got, now
            if isinstance(obj, (pymmap.mmap,)) or hasattr(obj, "close") and not isinstance(
                    obj, (bytearray, memoryview, array.array)):
                try:
                    obj.close()
                except Exception:
                    pass
        res.fresh.clear()
        if self.unraisable:
            self.out({"type": "finding", "target": target.name, "call": ci,
                      "what": "unraisable", "desc": desc, "detail": "; ".join(self.unraisable)})
            self.unraisable.clear()
        self.fx.check(res.used)
        self.fx.repair_tree()
        self.calls_since_sweep += 1
        if self.calls_since_sweep >= 50 and not self.cfg.get("emulated"):
            # (qemu-user's own fds show in /proc/self/fd: no sweep there)
            self.sweep()

    def sweep(self) -> None:
        """Close fds calls returned as plain ints (fcntl F_DUPFD ...) and nothing owns."""
        self.calls_since_sweep = 0
        gc.collect()
        known = self.fx.known_fds()
        for name in os.listdir("/proc/self/fd"):
            n = int(name)
            if n < REPORT_FD and n not in known:
                try:
                    os.fstat(n)
                    os.close(n)
                except OSError:
                    pass

    def invoke(self, target: Target, fn: Callable, args: list, kwargs: dict,
               res: Resolver) -> tuple[str, str]:
        err = None
        result = None
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        try:
            try:
                result = fn(*args, **kwargs)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if isinstance(result, types.GeneratorType):
                signal.setitimer(signal.ITIMER_REAL, self.timeout)
                try:
                    for _ in zip(range(3), result):
                        pass
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            outcome = ("ok", "")
            if target.name == "shmget" and type(result) is int and result >= 0:
                _rmid(result)  # an IPC_PRIVATE segment of ours: gone before the next call
        except CallTimeout:
            outcome = ("blocked", "") if target.blocking else ("FINDING:hang", "no return "
                                                                f"after {self.timeout}s")
        except BaseException as e:
            err = e   # kept: a traceback cycle, as a caller's `err = e` (issue 7 defect 2)
            outcome = self.classify(target, e, res)
        self.touch(res)
        leaked = self.exports(res)
        for b, content in res.immutable:
            if b != content:
                outcome = ("FINDING:wrote-bytes", "the kernel wrote into an immutable bytes "
                           "object passed as a buffer")
        if leaked:
            outcome = ("FINDING:export", f"{leaked} still exported after the call "
                       f"{'raised ' + type(err).__name__ if err else 'returned'}")
        del result, err
        gc.collect(0)
        return outcome

    def classify(self, target: Target, e: BaseException, res: Resolver) -> tuple[str, str]:
        name = type(e).__name__
        if isinstance(e, ALLOWED):
            return (f"raised {name}", "")
        if isinstance(e, LieError):
            return ("lie propagated", "")
        if isinstance(e, IndexError) and target.method in ("__getitem__", "__setitem__"):
            return (f"raised {name}", "")
        if isinstance(e, MemoryError) and res.large:
            return ("raised MemoryError (large size)", "")
        tb = "".join(traceback.format_exception(type(e), e, e.__traceback__, limit=-3))
        return ("FINDING:exception", f"{name}: {e}\n{tb[-1500:]}")

    @staticmethod
    def touch(res: Resolver) -> None:
        """Read the first and last byte of every live Mapping the call got: one a call
        replaced or unmapped (a placing mmap, mremap, shmat) faults here, in this call."""
        for obj in res.fresh:
            if isinstance(obj, pymmap.mmap):
                try:
                    n = len(obj)
                    if n:
                        obj[0], obj[n - 1]
                except (ValueError, TypeError, IndexError, OSError):
                    pass  # closed, or no buffer

    @staticmethod
    def exports(res: Resolver) -> str:
        """Which fresh buffer object is still exported (a view the call kept alive): views
        first (releasing ours frees their bytearray), then what can grow or close."""
        order = sorted(res.fresh, key=lambda o: not isinstance(o, memoryview))
        for obj in order:
            try:
                if isinstance(obj, memoryview):
                    obj.release()
                elif isinstance(obj, (bytearray, array.array)):
                    obj.append(0)
                    obj.pop()
                elif isinstance(obj, pymmap.mmap):
                    obj.close()
            except BufferError:
                return type(obj).__name__
            except Exception:
                pass
        return ""

    def forked(self, target: Target, call: dict, res: Resolver) -> tuple[str, str]:
        """Run the call in a child; its outcome comes back through shared memory, which no
        fd-closing call (close_range(0, ~0)) can take away."""
        box = self.box
        box[:4] = bytes(4)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                try:
                    fn, args, kwargs = target.build(call, res)
                    outcome = self.invoke(target, fn, args, kwargs, res)
                except NoReceiver:
                    outcome = ("no receiver", "")
                except Exception:
                    outcome = ("FINDING:worker", traceback.format_exc(limit=6))
                data = json.dumps(outcome).encode()[:65000]
                box[4:4 + len(data)] = data
                box[:4] = len(data).to_bytes(4, "little")
            except BaseException:
                code = 3
            finally:
                os._exit(code)
        self.out({"type": "pid", "pid": pid})
        deadline = time.monotonic() + self.timeout + 5
        status = None
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.001)
        else:
            os.kill(pid, signal.SIGKILL)  # this worker's own child
            os.waitpid(pid, 0)
            return ("blocked", "") if target.blocking else ("FINDING:hang",
                                                            "child did not return")
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig not in FAULTS:  # SIGKILL/SIGXCPU: a limit the call itself set (RLIMIT_CPU)
                return (f"child ended by {signal.Signals(sig).name}", "")
            return ("FINDING:crash", f"child killed by signal {sig} "
                    f"({signal.Signals(sig).name})")
        n = int.from_bytes(box[:4], "little")
        if not n:
            return ("FINDING:crash", f"child exited {os.waitstatus_to_exitcode(status)} "
                    "without an outcome")
        kind, detail = json.loads(bytes(box[4:4 + n]))
        return kind, detail

    def finish(self) -> None:
        self.fx.close_all()
        if self.fx.shm_own is not None:
            _rmid(self.fx.shm_own)
        gc.collect()


def _alarm(signum: int, frame: Any) -> None:
    raise CallTimeout()


def setup_process(cfg: dict) -> None:
    """Limits and signals that keep a wrong call inside this process."""
    r, w = os.pipe()           # stdin: a pipe at end of file, never a terminal or /dev/null
    os.dup2(r, 0)
    os.close(r)
    os.close(w)
    mem = cfg.get("rlimit_as")
    if mem:  # not under qemu-user: it reserves the guest's address space itself
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    fsize = cfg.get("rlimit_fsize", 16 << 20)
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for s in (signal.SIGHUP, signal.SIGIO, signal.SIGURG, signal.SIGTTOU, signal.SIGTTIN,
              signal.SIGXFSZ, signal.SIGPIPE):
        signal.signal(s, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, _alarm)
    # The signalfd fixture keeps SIGUSR1 blocked and pending; a call that swaps the mask for
    # the time of a wait (epoll_pwait, ppoll) lets it in: a handler, not the default death.
    for s in (signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(s, lambda n, f: None)
    warnings.simplefilter("ignore")
    isolate_network()


def isolate_network() -> None:
    """A network namespace of the worker's own (only a loopback, down): no fuzzed connect,
    sendto or bind reaches another machine or a service of this one."""
    before = os.readlink("/proc/self/ns/net")
    if ctypes.CDLL(None, use_errno=True).unshare(0x40000000) != 0:  # CLONE_NEWNET (os.unshare:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")  # Python 3.12)
    assert os.readlink("/proc/self/ns/net") != before, "the network namespace did not change"


class Report:
    """JSON lines on REPORT_FD; the current call also at offset 0 of REPORT_FD+1, so the
    parent knows which call was running when the worker died."""

    def __init__(self, path: str) -> None:
        self.fd = _high(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC,
                                0o600))
        self.cur = _high(os.open(path + ".current", os.O_WRONLY | os.O_CREAT | os.O_TRUNC |
                                 os.O_CLOEXEC, 0o600), REPORT_FD + 1)

    def __call__(self, rec: dict, current: bool = False) -> None:
        line = (json.dumps(rec) + "\n").encode()
        if current:
            os.pwrite(self.cur, line.ljust(4096)[:4096] if len(line) < 4096 else line, 0)
        else:
            os.write(self.fd, line)


def _high(fd: int, at: int = REPORT_FD) -> int:
    n = pyfcntl.fcntl(fd, pyfcntl.F_DUPFD_CLOEXEC, at)
    os.close(fd)
    return n


def main_config(path: str) -> int:
    with open(path) as f:
        cfg = json.load(f)
    report = Report(cfg["report"])
    setup_process(cfg)
    report({"type": "pid", "pid": os.getpid()})
    w = Worker(cfg, report)
    try:
        w.run(cfg["targets"], tuple(cfg.get("start", (0, 0))))
    finally:
        w.finish()
    report({"type": "done"})
    return 0


def main_cli(argv: list[str]) -> int:
    """Replay or explore targets by hand (see the module's docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("targets", nargs="+")
    ap.add_argument("--seed", default="0")
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--first", type=int, default=0, help="start at this call index")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every call")
    opts = ap.parse_args(argv)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    try:
        import linuxsys  # noqa: F401
    except ImportError:  # run from a checkout: its in-place build
        sys.path.insert(1, os.path.dirname(here))
    import test_fuzz
    import linuxsys as L
    inv = inventory(L)
    for t in opts.targets:
        if t not in inv:
            print(f"unknown target {t!r}; e.g. {sorted(inv)[:8]}", file=sys.stderr)
            return 2
        why = test_fuzz.excluded_reason(t)
        if why:
            print(f"{t} is excluded: {why}", file=sys.stderr)
            return 2
    out = os.fdopen(_high(os.dup(1), REPORT_FD + 2), "w", buffering=1)
    tmp = tempfile.mkdtemp(prefix="linuxsys-fuzz-")
    cfg = test_fuzz.worker_config(inv, opts.targets, opts.seed, {t: opts.calls for t in
                                  opts.targets}, os.path.join(tmp, "report"))
    cfg["verbose"] = opts.verbose
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    os.chdir(work)
    log = os.open(os.path.join(tmp, "output"), os.O_WRONLY | os.O_CREAT, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    report = Report(cfg["report"])
    setup_process(cfg)

    def show(rec: dict, current: bool = False) -> None:
        report(rec, current)
        if rec["type"] == "finding" or (opts.verbose and rec["type"] in ("start", "stats",
                                                                         "result")):
            print(json.dumps(rec, indent=None if rec["type"] != "finding" else 1), file=out)

    w = Worker(cfg, show)
    try:
        w.run(opts.targets, (0, opts.first))
    finally:
        w.finish()
        os.chdir("/")
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1].endswith(".json"):
        sys.exit(main_config(sys.argv[1]))
    sys.exit(main_cli(sys.argv[1:]))
