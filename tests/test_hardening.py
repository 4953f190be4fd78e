"""Generic hardening checks that walk the public API (issue 7): Fd lifetime during a call,
guard regions around every buffer, exception cycles that keep buffers exported.

The argument tables are in hardening_cases.py; the checks below fail when a new fd-taking or
buffer-taking function has no entry there.
"""
import contextlib
import errno
import fcntl
import gc
import inspect
import json
import os
import socket
import struct
import subprocess
import sys
import termios
import time
import warnings
import weakref

import pytest

import linuxsys as L
from conftest import EMULATED, in_child, qemu_may_lack
import hardening_cases as T

TESTS = os.path.dirname(os.path.abspath(__file__))
DATA = bytes(range(256)) * 256  # "file": 64 KiB


def _enosys_skips(fn, *args):
    """fn(*args); under qemu-user a missing syscall (ENOSYS from linuxsys or os) skips."""
    try:
        return qemu_may_lack(fn, *args)
    except OSError as e:
        if EMULATED and e.errno == errno.ENOSYS:
            pytest.skip(f"qemu-user lacks {getattr(fn, '__name__', fn)}")
        raise


# ---- the fds and files a case uses -----------------------------------------------------------

_MAIN_PID = os.getpid()


class WaitingRing(L.Ring):
    """A Ring whose prep_* methods (the batch ones too) also submit what they prepared and
    wait for its completions before they return: the method lets go of its arguments first,
    so an Fd passed as the only reference is then held by the ring alone while the kernel
    uses it (the watch sees io_uring_enter run with it alive, or collected).  Fds that
    openat/accept requests made are closed; a completion that does not come within 10 s
    raises TimeoutError."""

    __slots__ = ()


def _waiting(name):
    prep = getattr(L.Ring, name)

    def method(self, *args, **kwargs):
        before = self.in_flight
        first = prep(self, *args, **kwargs)
        count = self.in_flight - before
        del args, kwargs  # the ring's hold is what must keep the request's Fd open now
        cqes = []
        deadline = time.monotonic() + 10
        while len(cqes) < count and time.monotonic() < deadline:
            cqes += self.wait(count - len(cqes), timeout_ns=1_000_000_000)
        if name in ("prep_openat", "prep_accept"):
            for cqe in cqes:
                if cqe.res >= 0:
                    os.close(cqe.res)
        if len(cqes) < count:
            raise TimeoutError(f"{name}: {count - len(cqes)} of {count} requests did not "
                               f"complete in 10 s")
        return first

    method.__name__ = method.__qualname__ = name
    return method


for _name in dir(L.Ring):
    if _name.startswith("prep_"):
        setattr(WaitingRing, _name, _waiting(_name))
del _name


class WaitingAio(L.AioContext):
    """An AioContext whose request methods (pread, pwrite, fsync, fdsync, poll) also submit
    the request and reap its event before they return, as WaitingRing does."""

    __slots__ = ()


def _aio_waiting(name):
    queue = getattr(L.AioContext, name)

    def method(self, *args, **kwargs):
        ud = queue(self, *args, **kwargs)
        del args, kwargs  # the context's hold is what must keep the request's Fd open now
        self.submit()
        if not self.getevents(1, timeout_ns=10_000_000_000):
            raise TimeoutError(f"{name}: no event in 10 s")
        return ud

    method.__name__ = method.__qualname__ = name
    return method


for _name in ("pread", "pwrite", "fsync", "fdsync", "poll"):
    setattr(WaitingAio, _name, _aio_waiting(_name))
del _name


def _seccomp_listener():
    """A seccomp user-notification listener: a filter that notifies acct(2), which nothing
    calls, installed for good: only in a forked child (FD_CASES entries with in_child)."""
    if os.getpid() == _MAIN_PID:
        raise RuntimeError("a seccomp listener installs a filter for good: in_child=True")
    from linuxsys.seccomp import ALLOW, USER_NOTIF, Filter
    f = Filter(ALLOW)
    f.add_rule(USER_NOTIF, "acct")
    return f.load(L.SECCOMP_FILTER_FLAG_NEW_LISTENER)


class World:
    """Files in a temporary directory and fds of every kind hardening_cases names.

    ``fresh(kind)`` makes a new object the caller owns alone (its peers, such as a pipe's other
    end, stay here); ``held(kind)`` makes one once and keeps it.  ``close()`` closes everything
    and restores the cwd."""

    def __init__(self, tmp):
        self.tmp = str(tmp)
        self._cwd = os.getcwd()
        self._held = {}
        self._peers = {}
        self._closers = []
        self._made = 0  # fresh sockets made: each bound one gets its own address
        # AF_UNIX addresses: paths here while they fit sun_path, else abstract names unique to
        # this world (tmp paths can be long)
        if len(os.fsencode(self.path("dgram-999-peer"))) < 108:
            self._unix = None
        else:
            self._unix = b"\0linuxsys-hardening-" + os.urandom(8).hex().encode() + b"-"
        with open(self.path("file"), "wb") as f:
            f.write(DATA)
        open(self.path("file2"), "wb").close()
        os.symlink("file", self.path("link"))
        os.symlink("t" * 300, self.path("longlink"))
        open(self.path("xattrs"), "wb").close()
        try:
            os.setxattr(self.path("xattrs"), "user.big", b"b" * 300)
            os.setxattr(self.path("xattrs"), "user.small", b"s" * 10)
        except OSError as e:  # a file system without user xattrs: the kernel's error then
            if e.errno not in (errno.ENOTSUP, errno.EPERM):
                raise

    def path(self, name):
        return os.path.join(self.tmp, name)

    def _fd(self, n):
        return L.Fd(n)

    def _keep(self, obj):
        self._closers.append(getattr(obj, "close", lambda: None))  # (an MmsgReceiver has none)
        return obj

    def addr(self, name):
        """The AF_UNIX address ``name`` stands for in this world (nothing bound to it yet)."""
        if self._unix is None:
            return self.path(name)
        return self._unix + os.fsencode(name)

    def _unix_socket(self, type_, name=None, blocking=True):
        """A stdlib AF_UNIX socket (independent of linuxsys), bound to addr(name) if named."""
        s = socket.socket(socket.AF_UNIX, type_)
        if name is not None:
            s.bind(self.addr(name))
        s.setblocking(blocking)
        return s

    def _open(self, name, flags=os.O_RDWR):
        return L.Fd(os.open(self.path(name), flags | os.O_CLOEXEC))

    # each maker returns (object, peer or None); peers are closed by close().  ``name``: the
    # address name of a bound socket kind (the kind itself for a held one)
    def _make(self, kind, name=None):
        name = name or kind
        if kind in ("file", "file2", "xattrs"):
            return self._open(kind), None
        if kind == "dir":
            return L.Fd(os.open(self.tmp, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)), None
        if kind == "bigdir":
            d = self.path("bigdir")
            if not os.path.isdir(d):
                os.mkdir(d)
                for i in range(100):
                    open(os.path.join(d, f"entry-{i:03}"), "wb").close()
            return L.Fd(os.open(d, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)), None
        if kind == "memfd":
            n = os.memfd_create("hardening", os.MFD_CLOEXEC)
            os.ftruncate(n, 4096)
            return L.Fd(n), None
        if kind == "urandom":
            return L.Fd(os.open("/dev/urandom", os.O_RDONLY | os.O_CLOEXEC)), None
        if kind in ("pipe_r", "pipe_w", "pipe_full"):
            r, w = (L.Fd(n) for n in os.pipe2(os.O_CLOEXEC))
            if kind == "pipe_r":
                os.write(w.fd, b"p" * 4096)
            elif kind == "pipe_full":
                os.set_blocking(w.fd, False)
                with contextlib.suppress(BlockingIOError):
                    while True:
                        os.write(w.fd, b"f" * 4096)
            return (w, r) if kind == "pipe_w" else (r, w)
        if kind == "eventfd":
            return L.Fd(os.eventfd(1, os.EFD_NONBLOCK | os.EFD_CLOEXEC)), None
        if kind == "timerfd":
            return _enosys_skips(L.timerfd_create, L.CLOCK_MONOTONIC, L.TFD_NONBLOCK), None
        if kind == "signalfd":
            return _enosys_skips(L.signalfd, [T.SIGUSR2], L.SFD_NONBLOCK), None
        if kind == "inotify":
            return _enosys_skips(L.inotify_init1, L.IN_NONBLOCK), None
        if kind == "fanotify":
            try:
                return _enosys_skips(L.fanotify_init,
                                     int(L.FAN_CLASS_NOTIF) | int(L.FAN_NONBLOCK)), None
            except PermissionError:
                if os.geteuid() != 0:
                    pytest.skip("fanotify needs CAP_SYS_ADMIN")
                raise
        if kind == "epoll":
            return _enosys_skips(L.epoll_create1), None
        if kind == "epoll_ready":
            ep = _enosys_skips(L.epoll_create1)
            for _ in range(8):
                e = self._keep(L.Fd(os.eventfd(1, os.EFD_CLOEXEC)))
                L.epoll_ctl(ep, T.EPOLL_CTL_ADD, e, T.EPOLLIN)
            return ep, None
        if kind == "pidfd":
            return L.Fd(_enosys_skips(os.pidfd_open, os.getpid())), None
        if kind == "pty":
            master, slave = (L.Fd(n) for n in os.openpty())
            fcntl.ioctl(slave.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 640, 480))
            return slave, master
        if kind == "ofd_locked":
            # another open file description of "file" holds an OFD write lock on all of it
            holder = self._open("file")
            lock = struct.pack(T._FLOCK_HEAD + "i", int(L.F_WRLCK), 0, 0, 0, 0).ljust(64, b"\0")
            fcntl.fcntl(holder.fd, int(L.F_OFD_SETLK), lock)
            return self._open("file"), holder
        if kind == "sock":
            a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            b.sendall(b"s" * 4096)
            b.setblocking(False)
            return L.Fd(a.detach()), L.Fd(b.detach())
        if kind == "sock_new":
            return L.Fd(self._unix_socket(socket.SOCK_STREAM).detach()), None
        if kind == "listener":
            s = self._unix_socket(socket.SOCK_STREAM, name)
            s.listen(16)  # room for the connect() cases' connections: a full backlog blocks
            client = self._unix_socket(socket.SOCK_STREAM)
            client.connect(self.addr(name))
            return L.Fd(s.detach()), L.Fd(client.detach())
        if kind == "dgram":
            s = self._unix_socket(socket.SOCK_DGRAM, name, blocking=False)
            peer = self._unix_socket(socket.SOCK_DGRAM, name + "-peer", blocking=False)
            peer.sendto(T._pattern(None, 4096), self.addr(name))
            return L.Fd(s.detach()), L.Fd(peer.detach())
        if kind == "MmsgReceiver":
            return L.MmsgReceiver(2, 64), None
        if kind == "Ring":
            return _enosys_skips(WaitingRing, 8), None
        if kind == "Ring_fixed":  # one registered 4 KiB buffer (prep_read_fixed ...)
            ring = _enosys_skips(WaitingRing, 8)
            ring.register_buffers([bytearray(4096)])
            return ring, None
        if kind == "AioContext":
            return _enosys_skips(WaitingAio, 4), None
        if kind == "uring":
            return _enosys_skips(L.io_uring_setup, 4), None
        if kind == "seccomp_listener":
            return _seccomp_listener(), None
        if kind == "Epoll":
            return _enosys_skips(L.Epoll), None
        if kind == "Inotify":
            return _enosys_skips(L.Inotify), None
        raise KeyError(f"hardening_cases names an unknown fd kind {kind!r}")

    def fresh(self, kind):
        self._made += 1
        obj, peer = self._make(kind, f"{kind}-{self._made}")
        if peer is not None:
            self._keep(peer)
        return obj

    def held(self, kind):
        if kind not in self._held:
            obj, peer = self._make(kind)
            self._held[kind] = self._keep(obj)
            if peer is not None:
                self._peers[kind] = self._keep(peer)
        return self._held[kind]

    def numbers(self):
        """The fd numbers this world holds."""
        out = set()
        for obj in [*self._held.values(), *self._peers.values()]:
            with contextlib.suppress(Exception):
                out.add(obj.fileno())
        return out

    # resources of the guard cases
    def drain(self, kind):
        """What the peer (a pipe's read end, a socket) of held(kind) has to read: for a
        datagram socket, the first datagram."""
        return os.read(self._peers[kind].fileno(), 1 << 20)

    def contents(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def chdir_deep(self):
        deep = self.path("d" * 60)
        os.makedirs(deep, exist_ok=True)
        os.chdir(deep)

    def shared(self):
        """A shared anonymous Mapping, made before child_pid() forks."""
        if "shared" not in self._held:
            self._held["shared"] = self._keep(L.mmap(None, 4096))
        return self._held["shared"]

    def child_pid(self):
        """A child that shares shared() and waits until close()."""
        if "child" not in self._held:
            self.shared()
            r, w = os.pipe2(os.O_CLOEXEC)
            pid = os.fork()
            if pid == 0:
                try:
                    os.close(w)
                    os.read(r, 1)
                finally:
                    os._exit(0)
            os.close(r)

            def reap():
                os.close(w)
                os.waitpid(pid, 0)
            self._closers.append(reap)
            self._held["child"] = pid
        return self._held["child"]

    def shm(self):
        if "shm" not in self._held:
            shmid = _enosys_skips(L.shmget, 0, 4096, 0o600 | int(L.IPC_CREAT))
            self._closers.append(lambda: L.shmctl(shmid, int(L.IPC_RMID)))
            self._held["shm"] = shmid
        return self._held["shm"]

    def value(self, marker):
        """The argument a table marker stands for."""
        if isinstance(marker, T.H):
            return self.held(marker.kind)
        if isinstance(marker, T.Num):
            return self.held(marker.kind).fileno()
        if isinstance(marker, T.P):
            return self.path(marker.name)
        if isinstance(marker, T.Addr):
            if marker.name in SOCKET_KINDS:
                self.held(marker.name)  # bound to addr(kind)
            return self.addr(marker.name)
        if isinstance(marker, T.Buf):
            return bytearray(marker.n)
        return marker

    def close(self):
        os.chdir(self._cwd)
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                closer()


# kinds bound to an address (world.addr(kind) when held)
SOCKET_KINDS = {"listener", "dgram"}


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    try:
        yield w
    finally:
        w.close()


# ---- walking the API -------------------------------------------------------------------------

FD_NAMES = {"fd", "dirfd", "epfd", "fd_in", "fd_out", "in_fd", "out_fd", "pidfd", "olddirfd",
            "newdirfd", "event_fd", "oldfd", "newfd", "path_or_fd", "cgroup", "fds"}


def _public():
    """(name, object) for every public name of linuxsys (its __all__ once it has one)."""
    names = getattr(L, "__all__", None) or [n for n in dir(L) if not n.startswith("_")]
    return [(n, getattr(L, n)) for n in names]


def _params(fn):
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # native helpers exported as they are (getpid ...)
        return []


def _is_fd(p):
    note = str(p.annotation)
    return "FdArg" in note or "PollFds" in note or p.name in FD_NAMES


def _is_buffer(p):
    return "Buffer" in str(p.annotation)


def _classes():
    return [(n, obj) for n, obj in _public() if inspect.isclass(obj)
            and not issubclass(obj, (BaseException, tuple))]


def _methods(cls):
    """Public Python methods: all of them for Fd and other classes, an Fd subclass's own."""
    names = vars(cls) if issubclass(cls, L.Fd) and cls is not L.Fd else dir(cls)
    return [(m, getattr(cls, m)) for m in names
            if not m.startswith("_") and inspect.isfunction(getattr(cls, m))]


def fd_parameters():
    """{(target, index): parameter name} for every fd parameter of the public API; an Fd
    method's fd is its receiver (index 0)."""
    out = {}
    for name, obj in _public():
        if inspect.isfunction(obj):
            for i, p in enumerate(_params(obj)):
                if _is_fd(p):
                    out[(name, i)] = p.name
    for cname, cls in _classes():
        for m, f in _methods(cls):
            if issubclass(cls, L.Fd):
                out[(f"{cname}.{m}", 0)] = "self"
                continue
            for i, p in enumerate(_params(f)):
                if _is_fd(p):
                    out[(f"{cname}.{m}", i)] = p.name
    return out


def buffer_takers():
    """Public functions and methods with a buffer parameter (Fd methods that are public
    functions count once, by the function's name)."""
    functions = {name: obj for name, obj in _public() if inspect.isfunction(obj)}
    names = {name for name, obj in functions.items() if any(map(_is_buffer, _params(obj)))}
    same = set(map(id, functions.values()))
    for cname, cls in _classes():
        names |= {f"{cname}.{m}" for m, f in _methods(cls)
                  if id(f) not in same and any(map(_is_buffer, _params(f)))}
    return names | T.EXTRA_BUFFER_TAKERS


def _function(target):
    cls, _, meth = target.rpartition(".")
    return getattr(getattr(L, cls), meth) if cls else getattr(L, target)


def _derived_method_cases():
    """Fd.x for every Fd method whose function has an entry with the fresh Fd first."""
    out = []
    for m, f in _methods(L.Fd):
        for case in T.FD_CASES:
            if ("." not in case.target and isinstance(case.args[0], T.F)
                    and getattr(L, case.target, None) is f):
                out.append(case._replace(target=f"Fd.{m}"))
    return out


ALL_FD_CASES = T.FD_CASES + _derived_method_cases()


def _fresh_positions(case):
    """The parameter indexes the fresh Fd is passed to."""
    def holds(a):
        if isinstance(a, T.Gen):
            return holds(a.items)
        return isinstance(a, T.F) or (type(a) in (list, tuple) and any(map(holds, a)))
    out = {i for i, a in enumerate(case.args) if holds(a)}
    names = [p.name for p in _params(_function(case.target))]
    out |= {names.index(k) for k, v in case.kwargs if holds(v) and k in names}
    return out


def _fresh_kind(case):
    def find(a):
        if isinstance(a, T.F):
            return a.kind
        if isinstance(a, T.Gen):
            return find(a.items)
        if type(a) in (list, tuple):
            return next(filter(None, map(find, a)), None)
        return None
    return next(filter(None, map(find, [*case.args, *(v for _, v in case.kwargs)])))


def _case_id(case):
    names = [p.name for p in _params(_function(case.target))]
    pos = sorted(_fresh_positions(case))
    shown = ",".join(names[i] if i < len(names) else str(i) for i in pos)
    return f"{case.target}[{shown}:{_fresh_kind(case)}]"


def _ids(cases):
    seen = {}
    out = []
    for case in cases:
        i = _case_id(case)
        seen[i] = seen.get(i, 0) + 1
        out.append(i if seen[i] == 1 else f"{i}#{seen[i]}")
    return out


# ---- watching the native helpers (what linuxsys.trace swaps) ---------------------------------

class _Watch:
    """What each native helper call saw of the Fd under test."""

    def __init__(self, ref, n):
        self.ref = ref
        self.n = n
        # (helper, Fd alive and still numbered n, number n open, the Fd's own close)
        self.calls = []

    def dead_calls(self):
        """Helper calls made while the Fd was collected, closed or finalizing; the close
        that finalizes it (when the call returns, or mid-call) is not one of them."""
        return [name for name, alive, is_open, closing in self.calls
                if not closing and not (alive and is_open)]


class _Checked:
    __slots__ = ("fn", "name", "watch")

    def __init__(self, fn, name, watch):
        self.fn = fn
        self.name = name
        self.watch = watch

    def __call__(self, *args):
        w = self.watch
        obj = w.ref()
        alive = obj is not None and obj.fd == w.n
        # Fd.close/__del__ mark the Fd closed, then close its number
        closing = obj is not None and obj.fd == -1 and self.name == "close" and args == (w.n,)
        del obj  # observe only: the call must not be what keeps the Fd alive
        try:
            os.fstat(w.n)
            is_open = True
        except OSError:
            is_open = False
        w.calls.append((self.name, alive, is_open, closing))
        return self.fn(*args)


def _helpers():
    from linuxsys._native import lib
    return {id(h): (h, n[3:]) for n in dir(lib) if n.startswith("ls_")
            for h in [getattr(lib, n)]}


_HELPERS = _helpers()


@contextlib.contextmanager
def watching(ref, n):
    """For the duration, every native helper bound as a module global of a linuxsys module
    (the binding HACKING.md prescribes, which linuxsys.trace swaps too) records whether the
    Fd ``ref`` points to was still alive and its number ``n`` still open when it ran."""
    watch = _Watch(ref, n)
    swapped = []
    for modname, mod in list(sys.modules.items()):
        if mod is None or not (modname == "linuxsys" or modname.startswith("linuxsys.")) \
                or modname.startswith("linuxsys._native"):
            continue
        for attr, value in list(vars(mod).items()):
            inner = getattr(value, "fn", None) if type(value).__name__ == "_Traced" else value
            entry = _HELPERS.get(id(inner))
            if entry is not None and entry[0] is inner:
                setattr(mod, attr, _Checked(value, entry[1], watch))
                swapped.append((mod, attr, value))
    try:
        yield watch
    finally:
        for mod, attr, value in swapped:
            setattr(mod, attr, value)


class _FilenoOf:
    """An object with fileno(): what an Epoll, a socket or a file object is to fdnum()."""

    __slots__ = ("_fd",)

    def __init__(self, fd):
        self._fd = fd

    def fileno(self):
        return self._fd.fileno()


def _compile(case, fileno):
    """A function running the case's call with its fresh Fd as the only reference: the call
    is written out (``fn(c[0], fds.pop(), c[1])``, ``fds.pop().fstat()``), since a ``*args``
    tuple or a bound method object would hold a second reference."""
    consts = []

    def expr(a):
        if isinstance(a, T.F):
            return "_wrap(fds.pop())" if fileno else "fds.pop()"
        if isinstance(a, T.Gen):  # (e0 if _i == 0 else e1 for _i in range(2)): lazy
            *first, last = map(expr, a.items)
            chain = "".join(f"{e} if _i == {i} else " for i, e in enumerate(first))
            return f"({chain}{last} for _i in range({len(a.items)}))"
        if type(a) is list:
            return "[" + ", ".join(map(expr, a)) + "]"
        if type(a) is tuple:
            return "(" + "".join(expr(x) + ", " for x in a) + ")"
        consts.append(a)
        return f"c[{len(consts) - 1}]"

    cls, _, meth = case.target.rpartition(".")
    args = [expr(a) for a in case.args] + [f"{k}={expr(v)}" for k, v in case.kwargs]
    call = f"{args[0]}.{meth}({', '.join(args[1:])})" if cls else f"fn({', '.join(args)})"
    ns = {}
    exec(compile(f"def run(fn, fds, c, _wrap):\n    return {call}\n",
                 f"<hardening {case.target}>", "exec"), ns)
    return ns["run"], consts


def _dispose(obj, keep):
    """Close what a call returned (new Fds, Mappings), not the fds the case holds."""
    if isinstance(obj, L.Fd):
        if not obj.closed and obj.fd not in keep:
            obj.close()
    elif isinstance(obj, L.Mapping):
        obj.close()
    elif isinstance(obj, (tuple, list)):
        for x in obj:
            _dispose(x, keep)


def run_fd_case(case, world, fileno=False, fn=None):
    """Make the case's call (of ``fn`` if given); return (watch, error text or None)."""
    run, consts = _compile(case, fileno)
    if fn is None and "." not in case.target:
        fn = getattr(L, case.target)
    values = [world.value(m) for m in consts]
    fresh = world.fresh(_fresh_kind(case))
    n = fresh.fd
    ref = weakref.ref(fresh)
    fds = [fresh]
    del fresh
    error = result = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the fresh Fd's collection
        with watching(ref, n) as watch:
            try:
                result = run(fn, fds, values, _FilenoOf)
            except Exception as e:
                error = f"{type(e).__name__}: {e}"
        _dispose(result, world.numbers() | {n})
        del result, fds
    return watch, error


def check_fd_case(case, world, fileno=False):
    watch, error = run_fd_case(case, world, fileno)
    what = _case_id(case) + (" through fileno()" if fileno else "")
    assert watch.calls, (
        f"{what}: no native helper ran ({error or 'no error'}): the table entry must reach "
        f"the syscall (or the call bypasses the module-global helpers)")
    if case.consumes:
        assert watch.calls[0][2], f"{what}: the fd was closed before {watch.calls[0][0]} ran"
        return
    dead = watch.dead_calls()
    assert not dead, (
        f"{what}: the Fd passed as the only reference was collected (closed) before "
        f"{dead} ran; helper calls {watch.calls}; the call said {error or 'nothing'}")


# ---- 1. Fd lifetime --------------------------------------------------------------------------

# kinds qemu-user cannot make (seccomp answers EINVAL/ENOSYS there): skipped before a child
# is forked, where a skip would read as a failure
NATIVE_ONLY_KINDS = {"seccomp_listener"}


def _skip_native_only(case):
    def kinds(a):
        if isinstance(a, (T.F, T.H, T.Num)):
            return {a.kind}
        if isinstance(a, T.Gen):
            return kinds(a.items)
        if type(a) in (list, tuple):
            return set().union(*map(kinds, a)) if a else set()
        return set()
    used = set().union(*map(kinds, [*case.args, *(v for _, v in case.kwargs)]))
    if EMULATED and used & NATIVE_ONLY_KINDS:
        pytest.skip(f"qemu-user lacks what {sorted(used & NATIVE_ONLY_KINDS)} needs")


def test_fd_table_covers_every_fd_parameter():
    covered = {(case.target, i) for case in ALL_FD_CASES for i in _fresh_positions(case)}
    exempt = {(t, 0) for t in T.NO_SYSCALL}
    exempt |= {(t, i) for (t, i), name in fd_parameters().items() if (t, name) in T.NOT_FDS}
    missing = {f"{t}({name}) [parameter {i}]" for (t, i), name in fd_parameters().items()
               if (t, i) not in covered | exempt}
    assert not missing, f"hardening_cases.FD_CASES lacks entries for {sorted(missing)}"


def test_fd_exemptions_name_fd_parameters():
    """Every NOT_FDS entry names a parameter the walk takes for an fd, with a reason: a stale
    or mistyped entry would exempt nothing (or hide a renamed fd parameter)."""
    found = {(t, name) for (t, _), name in fd_parameters().items()}
    for key, reason in T.NOT_FDS.items():
        assert key in found, f"NOT_FDS names {key}, which is no fd parameter"
        assert reason.strip(), f"NOT_FDS {key} gives no reason"


def test_fd_table_targets_exist():
    for case in ALL_FD_CASES:
        assert callable(_function(case.target)), case.target


@pytest.mark.parametrize("case", ALL_FD_CASES, ids=_ids(ALL_FD_CASES))
def test_fd_alive_during_call(case, world):
    """An Fd passed as the only reference stays open until the call returns (defect 1)."""
    _skip_native_only(case)
    if case.in_child:
        assert in_child(check_fd_case, case, world) == 0
    else:
        check_fd_case(case, world)


# syscall() takes Fds and ints, not any object with fileno(); a receiver must be an Fd.
FILENO_CASES = [case for case in T.FD_CASES if not case.consumes and case.target != "syscall"
                and ("." not in case.target or 0 not in _fresh_positions(case))]


@pytest.mark.parametrize("case", FILENO_CASES, ids=_ids(FILENO_CASES))
def test_fileno_object_alive_during_call(case, world):
    """The same through an object with fileno() that is the Fd's only owner (an Epoll, a
    file object): rebinding the parameter to its number drops the owner mid-call."""
    _skip_native_only(case)
    if case.in_child:
        assert in_child(check_fd_case, case, world, True) == 0
    else:
        check_fd_case(case, world, True)


@pytest.mark.skipif(sys.version_info < (3, 11),
                    reason="before 3.11 the caller's stack keeps every argument alive")
def test_watch_detects_a_rebinding_function(world):
    """The check itself: a function that rebinds its fd parameter to the number is caught,
    one that keeps it passes."""
    def rebinding(fd):
        fd = fd.fileno()  # the defect: the Fd's last reference goes here
        return L.fstat(fd)

    def keeping(fd):
        n = fd.fileno()
        return L.fstat(n)

    probe = T.c("probe", T.F("file"))
    watch, error = run_fd_case(probe, world, fn=rebinding)
    assert watch.dead_calls() == ["fstat"], (watch.calls, error)
    watch, error = run_fd_case(probe, world, fn=keeping)
    assert watch.calls and not watch.dead_calls(), (watch.calls, error)


# ---- 2. Guard regions ------------------------------------------------------------------------

GUARD = 64


def test_guard_table_covers_every_buffer_taker():
    missing = buffer_takers() - {name for name, _, _ in T.GUARD_CASES}
    assert not missing, f"hardening_cases.GUARD_CASES lacks {sorted(missing)}"


def _changed(before, after, start, stop):
    return [i - GUARD for i in range(start, stop) if before[i] != after[i]]


@pytest.mark.parametrize("name, cid, case", T.GUARD_CASES,
                         ids=[f"{n}[{i}]" for n, i, _ in T.GUARD_CASES])
def test_guard_region(name, cid, case, world):
    """The kernel writes (and reads) only the view it is given: the bytes around a view into
    the middle of a larger buffer stay as they were, and the count fits the view."""
    if case.setup:
        case.setup(world)
    n = case.size
    big = bytearray([case.fill]) * (GUARD + n + GUARD)
    try:
        content = case.content(world, n) if case.content else bytes([case.fill ^ 0xFF]) * n
    except L.UnsupportedError as e:  # content made by a call qemu-user lacks (io_uring)
        if EMULATED:
            pytest.skip(f"qemu-user lacks {e.syscall}")
        raise
    big[GUARD:GUARD + n] = content
    before = bytes(big)
    view = memoryview(big)[GUARD:GUARD + n]
    outcome = None
    try:
        result = case.call(L, world, view)
    except (OSError, ValueError) as e:
        if EMULATED and isinstance(e, L.UnsupportedError):
            pytest.skip(f"qemu-user lacks {e.syscall}")
        result, outcome = None, f"{type(e).__name__}: {e}"
    after = bytes(big)
    below = _changed(before, after, 0, GUARD)
    above = _changed(before, after, GUARD + n, len(big))
    assert not below and not above, (
        f"{name}[{cid}] wrote outside its {n}-byte view: at offsets {below + above} "
        f"(relative to the view; it said {outcome or repr(result)})")
    if isinstance(result, int) and not isinstance(result, bool) and case.count:
        assert case.count(result) <= n, f"{name}[{cid}] returned {result} for a {n}-byte view"
    if case.check and outcome is None:
        assert case.check(world, content, result), (
            f"{name}[{cid}]: the kernel did not get the view's bytes ({result!r})")


# ---- 3. Exception cycles ---------------------------------------------------------------------

def test_cycle_table_covers_every_buffer_taker():
    missing = buffer_takers() - set(T.CYCLE_CASES)
    assert not missing, f"hardening_cases.CYCLE_CASES lacks {sorted(missing)}"


def _closed_fd():
    fd = L.Fd(os.open("/", os.O_RDONLY | os.O_CLOEXEC))
    fd.close()
    return fd


CYCLE_FORMS = ["bytearray", "memoryview", "mapping", "closed-fd"]
CYCLE_PARAMS = [(name, form) for name in sorted(T.CYCLE_CASES) for form in CYCLE_FORMS
                if form != "closed-fd" or T.CYCLE_CASES[name].takes_fd]


@pytest.mark.parametrize("name, form", CYCLE_PARAMS,
                         ids=[f"{n}[{f}]" for n, f in CYCLE_PARAMS])
def test_failed_call_releases_buffer(name, form):
    """A failing call releases its views of the caller's buffer before raising (defect 2): with
    the exception kept, a bytearray can still be resized, a memoryview released, a Mapping
    closed."""
    case = T.CYCLE_CASES[name]
    fd = -1
    mapping = None
    ba = bytearray(case.size)
    mv = memoryview(ba)
    if form == "bytearray":
        buf = ba
    elif form == "memoryview":
        buf = mv
    elif form == "mapping":
        buf = mapping = L.mmap(None, case.size)
    else:
        buf, fd = ba, _closed_fd()
    err = None
    try:
        case.call(L, fd, buf)
    except case.raises as e:
        err = e
    del buf
    problem = None
    if err is None:
        problem = f"{name}: the table's call did not fail: it must raise {case.raises}"
    else:
        try:
            if form == "mapping":
                mapping.close()
            else:
                mv.release()
                ba.extend(b"x")
        except BufferError as e:
            problem = (f"{name} raised {type(err).__name__}({err}) with the {form}'s buffer "
                       f"still exported: {e}")
    del err
    gc.collect()
    if mapping is not None and not mapping.closed:
        mapping.close()
    assert problem is None, problem


CRASH_SCRIPT = r"""
import gc, json, os, sys, traceback
import linuxsys as L
import hardening_cases as T

def once(case):
    try:
        case.call(L, -1, memoryview(bytearray(case.size)))
    except case.raises as e:
        err = e  # a cycle through the traceback, left to the collector when once() returns

def loop(case):
    for _ in range(1000):
        try:
            case.call(L, -1, memoryview(bytearray(case.size)))
        except case.raises as e:
            err = e
        once(case)
    gc.collect()

status = {}
for name in sys.argv[2:]:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            err = os.open(os.path.join(sys.argv[1], name), os.O_WRONLY | os.O_CREAT, 0o600)
            os.dup2(err, 2)
            loop(T.CYCLE_CASES[name])
            gc.collect()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    status[name] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
print(json.dumps(status))
"""


@pytest.fixture(scope="module")
def crash_results(tmp_path_factory):
    """The issue's reproducer for every buffer-taking function: one subprocess under
    PYTHONMALLOC=debug, a forked child per function; {name: (exit status, stderr)}."""
    out = tmp_path_factory.mktemp("cycles")
    root = os.path.dirname(os.path.dirname(os.path.abspath(L.__file__)))
    env = dict(os.environ, PYTHONMALLOC="debug",
               PYTHONPATH=os.pathsep.join([root, TESTS, os.environ.get("PYTHONPATH", "")]))
    env.pop("LINUXSYS_TRACE", None)
    names = sorted(T.CYCLE_CASES)
    p = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, str(out), *names], env=env,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    status = json.loads(p.stdout)
    return {n: (status[n], (out / n).read_text() if (out / n).exists() else "") for n in names}


@pytest.mark.parametrize("name", sorted(T.CYCLE_CASES))
def test_exception_cycles_do_not_crash(name, crash_results):
    """1,000 failing calls on memoryviews, each exception kept in a cycle: the collector must
    find no exported memoryview to clear (it used to crash the interpreter: SIGSEGV)."""
    status, stderr = crash_results[name]
    assert status == 0 and "Exception ignored" not in stderr, (
        f"{name}: exit status {status}" + (" (killed by a signal)" if status < 0 else "")
        + f"\n{stderr[-2000:]}")
