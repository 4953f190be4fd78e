"""linuxsys against os: ns per call and their ratio, with the method of perf-study.md §3.

    python bench/run.py [--rounds N] [--scale X] [--only getpid,read,...] [--json FILE]

One process; every round runs every selected variant once, in an order shuffled with a fixed
seed, after one discarded warm-up round.  A sample is a generated function looping
``for _ in itertools.repeat(None, n): <stmt>`` with the objects as fast locals and gc off.
net = gross ns/iteration minus the same round's empty loop; ratio = median of the per-round
ratios linuxsys/reference.
"""
from __future__ import annotations

import __future__
import argparse
import ctypes
import gc
import inspect
import itertools
import json
import logging
import os
import platform
import random
import resource
import select
import socket
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import time
import types

import cffi

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import linuxsys as L  # noqa: E402  (the in-place build of this checkout)
import linuxsys.dir as Ldir  # noqa: E402
from linuxsys._core import lib  # noqa: E402

TRY = "try:\n    {}\nexcept OSError:\n    pass"

# Variants: name -> (statement, iterations per sample), or (setup, statement, iterations):
# then only the statement is timed, around each iteration.
VARIANTS = {
    "empty": ("pass", 1_000_000),
    "L.getpid": ("L.getpid()", 1_000_000),
    "os.getpid": ("os.getpid()", 1_000_000),
    "L.read1": ("L.read(zero, 1)", 500_000),
    "os.read1": ("os.read(zero, 1)", 500_000),
    "L.readinto_ba": ("L.readinto(zero, ba)", 300_000),
    "L.readinto_cdata": ("L.readinto(zero, cbuf)", 300_000),
    "os.readv": ("os.readv(zero, [ba])", 300_000),
    "L.write": ('L.write(null, b"x")', 500_000),
    "os.write": ('os.write(null, b"x")', 500_000),
    "L.fstat": ("L.fstat(reg)", 300_000),
    "os.fstat": ("os.fstat(reg)", 300_000),
    "L.fstat_size": ("L.fstat(reg).st_size", 300_000),
    "os.fstat_size": ("os.fstat(reg).st_size", 300_000),
    "L.stat": ("L.stat(regpath)", 200_000),
    "os.stat": ("os.stat(regpath)", 200_000),
    "L.open_close": ("L.open(regpath).close()", 100_000),
    "os.open_close": ("os.close(os.open(regpath, os.O_RDONLY))", 100_000),
    "L.listdir": ("L.listdir(bigdir)", 10),
    "os.listdir": ("os.listdir(bigdir)", 10),
    "L.ebadf": (TRY.format("L.read(badfd, 1)"), 300_000),
    "os.ebadf": (TRY.format("os.read(badfd, 1)"), 300_000),
    "fstat_global": ("fstat(reg)", 300_000),
    "fstat_pinned": ("fstat_pinned(reg)", 300_000),
    "L.clock": ("L.clock_gettime(mono)", 1_000_000),
    "time.clock": ("clock_gettime_ns(mono)", 1_000_000),
    "L.epoll": ("lepoll.poll(0)", 300_000),
    "select.epoll": ("sepoll.poll(0)", 300_000),
    "L.eventfd": ("L.eventfd_write(lefd, 1); L.eventfd_read(lefd)", 300_000),
    "os.eventfd": ("os.eventfd_write(efd, 1); os.eventfd_read(efd)", 300_000),
    "L.getrandom": ("L.getrandom(32)", 300_000),
    "os.getrandom": ("os.getrandom(32)", 300_000),
    "getpid_facade": ("getpid()", 1_000_000),
    "Ldir.readdir": ("Ldir.readdir(bigdir)", 10),
    "Ldir.scandir": ("[(e.name, e.is_dir()) for e in Ldir.scandir(bigdir)]", 10),
    "os.scandir": ("[(e.name, e.is_dir()) for e in os.scandir(bigdir)]", 10),
    "Ldir.scandir_type": ("[(e.name, e.type) for e in Ldir.scandir(bigdir)]", 10),
    "Ldir.scandir_list": ("list(Ldir.scandir(bigdir))", 10),
    "os.scandir_list": ("list(os.scandir(bigdir))", 10),
    "Ldir.walk": ("for _t in Ldir.walk(usr):\n    pass", 1),
    "os.walk": ("for _t in os.walk(usr):\n    pass", 1),
    "Ldir.walk_stat": ("for _t in Ldir.walk(usr, stat=True):\n    pass", 1),
    "os.walk_lstat": ("for _d, _dn, _fn in os.walk(usr):\n"
                      "    for _x in _dn + _fn:\n"
                      "        lstat(join(_d, _x))", 1),
    "Ldir.statx_many": ("Ldir.statx_many(bigfd, bignames)", 10),
    "ls_statx_many": ("ls_statx_many(*statx_args)", 10),
    "os.stat_loop": ("for _x in bignames:\n    stat(_x, dir_fd=bigfd)", 10),
    "getpid_raw": ("ls_getpid()", 1_000_000),
    # Floors: the raw helper call with the least copy-out that still returns what the row's
    # function returns (bytes, a count, the bytes a Stat keeps, the pairs, ...), a buffer's
    # size taken from the buffer as every call takes it: what cffi's fixed cost leaves to
    # beat, with no facade.
    "floor.read1": ("rbuf1[:ls_read(zero, rcbuf, 1)]", 500_000),
    "floor.readinto": ("ls_read(zero, from_buffer(ba), len(ba))", 300_000),
    "floor.write": ('ls_write(null, b"x", len(b"x"))', 500_000),
    "floor.fstat": ("ls_fstat(reg, stc); stm.tobytes()", 300_000),
    "floor.stat": ("ls_statx(AT_FDCWD, regpathb, 0, STAT_MASK, stc); stm.tobytes()", 200_000),
    "floor.open_close": ("ls_close(ls_openat(AT_FDCWD, regpathb, O_RDONLY_CLOEXEC, 0))",
                         100_000),
    "floor.ebadf": (TRY.format("raise OSError(-ls_read(badfd, rcbuf, 1), 'x')"), 300_000),
    "floor.clock": ("ls_clock_gettime(mono)", 1_000_000),
    "floor.epoll": ("ls_epoll_poll0(lepn, evc, 1023); [first_pair(evm)]", 300_000),
    "floor.eventfd": ("ls_eventfd_write(lefdn, 1); ls_eventfd_read(lefdn)", 300_000),
    "floor.getrandom": ("rbuf1[:ls_getrandom(rcbuf, 32, 0)]", 300_000),
    # what any Python-level function adds to a floor: one call of a def returning its argument
    "pycall": ("noop(zero, 1)", 1_000_000),
    "L.sendrecv": ("L.send(la, b64); L.recv(lb, 64)", 200_000),
    "socket.sendrecv": ("sa.send(b64); sb.recv(64)", 200_000),
    "L.sendto": ("L.sendto(lu, b64, udp_addr)", 200_000),
    "socket.sendto": ("su.sendto(b64, udp_addr)", 200_000),
    # (setup, timed statement, iterations): the setup runs untimed before each iteration
    "L.recvmmsg": ("L.sendmmsg(lu, to_lrx)", "L.recvmmsg(lrx, 64, 64)", 5_000),
    "socket.recvfrom64": ("L.sendmmsg(lu, to_srx)", "for _i in r64:\n    srx.recvfrom(64)",
                          5_000),
    "floor.recvmmsg": ("L.sendmmsg(lu, to_lrx)", "ls_recvmmsg(lrxn, *mmsg_bufs)", 5_000),
    # in a network namespace of its own holding 1,000 links (netlink_measure)
    "NL.links": ("NL.links()", 5),
    "pyroute2.get_links": ("ipr.get_links()", 5),
    "ip_j_link": ("ip_json()", 5),
    "L.accept": ("_c = sock(AF_UNIX); _c.connect(lpath); _c.close()",
                 "L.accept4(llst)[0].close()", 30_000),
    "socket.accept": ("_c = sock(AF_UNIX); _c.connect(spath); _c.close()",
                      "slst.accept()[0].close()", 30_000),
    # io_uring (uring_fixtures): 64 random 4 KiB reads of a page-cached 256 MiB file per
    # sample, 64 NOPs, a 256 MiB copy
    "L.ring_read64": ("fring.read_batch(0, 0, next(roffs), 4096, flags=FIXED_FILE)", 20_000),
    "L.ring_read64_plain": ("ring.read_batch(big, rbuf, next(roffs), 4096)", 20_000),
    "os.pread64": ("for _o in next(roffs):\n    pread(big, 4096, _o)", 20_000),
    "L.ring_nop64": ("ring.nop_batch(64)", 50_000),
    "os.getpid64": ("for _i in r64:\n    os_getpid()", 50_000),
    "L.ring_copy": ("ring_copy(ring, big, copy_out, cbuf_big)", 3),
    # a round trip to a partner process (sync_fixtures): a futex word vs a pair of eventfds
    "L.futex_pingpong": ("futex_ping()", 10_000),
    "os.eventfd_pingpong": ("eventfd_ping()", 10_000),
    "shutil.copyfile": ("copyfile(bigpath, copy_path)", 3),
}

# Rows: (group for --only, label, linuxsys variant, reference variant, reference label, target
# [, floor variant]).  A target is ("<=", x) or ("~", x) (within 5%).  A floor variant is timed
# against the same reference ("floor"), and again with one Python function call added ("+def",
# what a facade written in Python cannot go below); a row above its target says which floor
# is above it too.
ROWS = [
    ("getpid", "getpid", "L.getpid", "os.getpid", "os.getpid", ("<=", 1.25), "getpid_raw"),
    ("read", "read 1 B -> bytes", "L.read1", "os.read1", "os.read", ("<=", 1.8), "floor.read1"),
    ("readinto", "readinto 4 KiB bytearray", "L.readinto_ba", "os.readv", "os.readv", ("<=", 1.3),
     "floor.readinto"),
    ("readinto", "readinto 4 KiB ffi char[]", "L.readinto_cdata", "os.readv", "os.readv", None),
    ("write", "write 1 B", "L.write", "os.write", "os.write", ("<=", 1.4), "floor.write"),
    ("fstat", "fstat", "L.fstat", "os.fstat", "os.fstat", ("<=", 1.0), "floor.fstat"),
    ("fstat", "fstat + .st_size", "L.fstat_size", "os.fstat_size", "os.fstat", None),
    ("stat", "stat(path)", "L.stat", "os.stat", "os.stat", ("<=", 1.1), "floor.stat"),
    ("open", "open + close", "L.open_close", "os.open_close", "os.open/close", ("<=", 1.4),
     "floor.open_close"),
    ("listdir", "listdir 10,000 entries", "L.listdir", "os.listdir", "os.listdir", ("<=", 0.9)),
    ("error", "EBADF raised + caught", "L.ebadf", "os.ebadf", "os.read", ("<=", 1.3),
     "floor.ebadf"),
    ("clock", "clock_gettime MONOTONIC", "L.clock", "time.clock", "time.clock_gettime_ns",
     ("<=", 1.4), "floor.clock"),
    ("epoll", "epoll_wait, 1 ready fd", "L.epoll", "select.epoll", "select.epoll.poll",
     ("<=", 1.3), "floor.epoll"),
    ("eventfd", "eventfd write + read", "L.eventfd", "os.eventfd", "os.eventfd_*", ("<=", 1.5),
     "floor.eventfd"),
    ("getrandom", "getrandom 32 B", "L.getrandom", "os.getrandom", "os.getrandom", ("<=", 1.6),
     "floor.getrandom"),
    ("trace", "fstat, trace off", "fstat_global", "fstat_pinned", "helper pinned", ("~", 1.0)),
    ("trace", "getpid, trace off", "getpid_facade", "getpid_raw", "raw helper", ("~", 1.0)),
    ("readdir", "dir.readdir 10,000 entries", "Ldir.readdir", "os.listdir", "os.listdir",
     ("<=", 1.0), "L.listdir"),
    ("scandir", "scandir 10,000: name, is_dir()", "Ldir.scandir", "os.scandir", "os.scandir",
     ("<=", 1.0), "Ldir.scandir_list"),
    ("scandir", "scandir 10,000: name, .type", "Ldir.scandir_type", "os.scandir",
     "os.scandir is_dir()", None),
    ("scandir", "scandir 10,000: list() (floor)", "Ldir.scandir_list", "os.scandir_list",
     "list(os.scandir)", None),
    ("walk", "walk /usr", "Ldir.walk", "os.walk", "os.walk", ("<=", 0.7)),
    ("walkstat", "walk /usr, stat=True", "Ldir.walk_stat", "os.walk_lstat", "os.walk+lstat",
     ("<=", 0.6)),
    ("statx_many", "statx_many 10,000 names", "Ldir.statx_many", "os.stat_loop",
     "os.stat(dir_fd=)", ("<=", 0.6), "ls_statx_many"),
    ("statx_many", "statx C loop alone (floor)", "ls_statx_many", "os.stat_loop",
     "os.stat(dir_fd=)", None),
    ("sendrecv", "send + recv 64 B, socketpair", "L.sendrecv", "socket.sendrecv",
     "socket.send/recv", ("<=", 1.5)),
    ("sendto", "UDP sendto 64 B", "L.sendto", "socket.sendto", "socket.sendto", ("<=", 1.5)),
    ("recvmmsg", "recvmmsg 64 x 64 B (per datagram)", "L.recvmmsg", "socket.recvfrom64",
     "socket.recvfrom loop", ("<=", 0.5), "floor.recvmmsg"),
    ("accept", "accept4 + close, Unix stream", "L.accept", "socket.accept", "socket.accept",
     ("<=", 1.5)),
    ("uring", "64 random 4 KiB reads, 256 MiB file", "L.ring_read64", "os.pread64",
     "os.pread loop", ("<=", 0.5)),
    ("uring", "the same, unregistered buffer and fd", "L.ring_read64_plain", "os.pread64",
     "os.pread loop", None),
    ("uring", "64 NOPs (per SQE vs one getpid)", "L.ring_nop64", "os.getpid64",
     "os.getpid x 64", ("<=", 0.3)),
    ("uring", "copy 256 MiB through the ring", "L.ring_copy", "shutil.copyfile",
     "shutil.copyfile", ("<=", 1.0)),
    ("netlink", "dump 1,000 links", "NL.links", "pyroute2.get_links", "pyroute2 get_links",
     ("<=", 0.5)),
    ("futex", "ping-pong with a process (round trip)", "L.futex_pingpong", "os.eventfd_pingpong",
     "os.eventfd_* ping-pong", None),
    ("netlink", "dump 1,000 links", "NL.links", "ip_j_link", "ip -j link (a process)", None),
]


def pinned(func):
    """``func`` as it would be without the trace switch: a copy of its module's functions, from
    the same source, with every native helper they call bound in a closure instead of the
    module global that linuxsys.trace swaps."""
    mod = sys.modules[func.__module__]
    ns = dict(vars(mod))
    helpers = {id(getattr(lib, n)) for n in dir(lib) if n.startswith("ls_")}
    native = {k for k, v in ns.items() if id(v) in helpers}
    flags = __future__.annotations.compiler_flag
    for name, f in vars(mod).items():
        if not (inspect.isfunction(f) and f.__module__ == mod.__name__):
            continue
        used = sorted(native & set(f.__code__.co_names))
        if not used:  # same code, looking its globals up in the copy
            ns[name] = types.FunctionType(f.__code__, ns, name, f.__defaults__, f.__closure__)
            ns[name].__kwdefaults__ = f.__kwdefaults__
            continue
        src = (f"def _pin({', '.join(used)}):\n"
               + textwrap.indent(textwrap.dedent(inspect.getsource(f)), "    ")
               + f"    return {name}\n")
        exec(compile(src, mod.__file__, "exec", flags=flags, dont_inherit=True), ns)
        ns[name] = ns["_pin"](*(ns[u] for u in used))
    return ns[func.__name__]


def sync_fixtures():
    """A partner process per ping-pong, each answering every ping: one through a futex word
    in a shared Mapping (0: partner's turn to wait, 1: ping, 2: stop) with L.futex, the other
    through two eventfds with os.  Processes, not threads: a thread woken while the other
    holds the GIL would measure the GIL's handoffs.  ``stop_pingpong`` ends both."""
    m = L.mmap(None, 4096, L.PROT.READ | L.PROT.WRITE, L.MAP.SHARED | L.MAP.ANONYMOUS)
    w = memoryview(m).cast("I")
    futex, wait, wake = L.futex, int(L.FUTEX.WAIT), int(L.FUTEX.WAKE)
    ping, pong = os.eventfd(0), os.eventfd(0)

    def futex_partner():
        while True:
            v = w[0]
            if v == 2:
                return
            if v == 1:
                w[0] = 0
                futex(m, wake, 1)
                continue
            try:
                futex(m, wait, 0)
            except BlockingIOError:  # the word changed first
                pass

    def eventfd_partner():
        while os.eventfd_read(ping) == 1:  # 2: stop
            os.eventfd_write(pong, 1)

    parent = os.getpid()
    pids = []
    for partner in (futex_partner, eventfd_partner):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                L.pr_set_pdeathsig(signal.SIGKILL)  # never outlive a bench that died
                if os.getppid() == parent:
                    partner()
                    code = 0
            finally:
                os._exit(code)
        pids.append(pid)

    def futex_ping():
        w[0] = 1
        futex(m, wake, 1)
        while w[0] == 1:
            try:
                futex(m, wait, 1)
            except BlockingIOError:
                pass

    def eventfd_ping():
        os.eventfd_write(ping, 1)
        os.eventfd_read(pong)

    def stop_pingpong():
        w[0] = 2
        futex(m, wake, 1)
        os.eventfd_write(ping, 2)
        for pid in pids:
            os.waitpid(pid, 0)
        w.release()
        m.close()
        os.close(ping)
        os.close(pong)

    return {"futex_ping": futex_ping, "eventfd_ping": eventfd_ping,
            "stop_pingpong": stop_pingpong}


def floor_fixtures(regpath, lepoll, lefd):
    """What the floor variants call: the helpers themselves and buffers made once; the raw
    epoll and eventfd calls act on the numbers of the Epoll and Fd the rows' L variants use."""
    from linuxsys.event import _event_buf, _first_pair
    from linuxsys.fs import _new_stat_buf
    rcbuf = L.ffi.new("char[]", 4096)
    stc, stm = _new_stat_buf()
    evc, evm = _event_buf(1023)
    return {
        "rcbuf": rcbuf, "rbuf1": L.ffi.buffer(rcbuf), "from_buffer": L.ffi.from_buffer,
        "ls_read": lib.ls_read, "ls_write": lib.ls_write, "ls_fstat": lib.ls_fstat,
        "ls_statx": lib.ls_statx, "stc": stc, "stm": stm, "AT_FDCWD": lib.AT_FDCWD,
        "regpathb": os.fsencode(regpath), "STAT_MASK": lib.STATX_BASIC_STATS | lib.STATX_BTIME,
        "ls_openat": lib.ls_openat, "ls_close": lib.ls_close,
        "O_RDONLY_CLOEXEC": lib.O_RDONLY | lib.O_CLOEXEC,
        "ls_clock_gettime": lib.ls_clock_gettime, "ls_epoll_poll0": lib.ls_epoll_poll0,
        "lepn": lepoll.fileno(), "evc": evc, "evm": evm,
        "first_pair": _first_pair, "ls_eventfd_write": lib.ls_eventfd_write,
        "ls_eventfd_read": lib.ls_eventfd_read, "lefdn": lefd.fileno(),
        "ls_getrandom": lib.ls_getrandom, "noop": noop,
    }


def noop(a, b):
    return a


def make_fixtures(tmp):
    regpath = os.path.join(tmp, "regular")
    with open(regpath, "wb") as f:
        f.write(b"x" * 12345)
    bigdir = os.path.join(tmp, "big")
    os.mkdir(bigdir)
    for i in range(10_000):
        os.close(os.open(os.path.join(bigdir, f"file_{i:05d}.txt"), os.O_CREAT | os.O_WRONLY))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    ready = os.eventfd(1)  # always readable: both epolls report it at once
    lepoll, sepoll = L.Epoll(), select.epoll()
    # linuxsys's own Fd, as L.eventfd makes it: its kind is known, so the readers' fd-kind
    # check is free (a bare number costs a /proc look per call)
    lefd = L.eventfd(0)
    lepoll.register(ready, L.EPOLL.IN)
    sepoll.register(ready, select.EPOLLIN)
    env = {
        "L": L, "os": os,
        "zero": os.open("/dev/zero", os.O_RDONLY), "null": os.open("/dev/null", os.O_WRONLY),
        "reg": os.open(regpath, os.O_RDONLY), "regpath": regpath, "bigdir": bigdir,
        "badfd": min(max(soft, 1024) + 1000, 2**31 - 1),
        "ba": bytearray(4096), "cbuf": L.ffi.new("char[]", 4096),
        "fstat": L.fstat, "fstat_pinned": pinned(L.fstat),
        "getpid": L.getpid, "ls_getpid": lib.ls_getpid,
        "mono": L.CLOCK_MONOTONIC, "clock_gettime_ns": time.clock_gettime_ns,
        "lepoll": lepoll, "sepoll": sepoll, "ready": ready,
        "efd": os.eventfd(0),
        "lefd": lefd,
        "Ldir": Ldir, "usr": "/usr", "lstat": os.lstat, "stat": os.stat, "join": os.path.join,
        "bigfd": os.open(bigdir, os.O_RDONLY | os.O_DIRECTORY), "bignames": os.listdir(bigdir),
        "ls_statx_many": lib.ls_statx_many,
    }
    # one namespace for every statement: a name given twice would time the wrong callable
    for part in (floor_fixtures(regpath, lepoll, lefd), net_fixtures(tmp), uring_fixtures(tmp),
                 sync_fixtures()):
        clash = env.keys() & part.keys()
        assert not clash, f"bench fixture names given twice: {sorted(clash)}"
        env.update(part)
    return env


RING_COPY_BLOCK = 1 << 20


def ring_copy(ring, src, dst, buf):
    """Copy file src to dst (offsets from 0) through the ring: read_batch of as many 1 MiB
    blocks as buf holds, then write_batch of what was read."""
    blocks = len(buf) // RING_COPY_BLOCK
    off = 0
    while True:
        offsets = [off + i * RING_COPY_BLOCK for i in range(blocks)]
        got = ring.read_batch(src, buf, offsets, RING_COPY_BLOCK)
        full = 0
        while full < blocks and got[full] == RING_COPY_BLOCK:
            full += 1
        if full:
            ring.write_batch(dst, buf, offsets[:full], RING_COPY_BLOCK)
        if full < blocks:  # the end: a short block, written as it is
            if got[full]:
                L.pwrite(dst, memoryview(buf)[full * RING_COPY_BLOCK:
                                              full * RING_COPY_BLOCK + got[full]],
                         offsets[full])
            return
        off += blocks * RING_COPY_BLOCK


def uring_fixtures(tmp):
    """A page-cached 256 MiB file, a ring, and an endless supply of 64 random block offsets."""
    bigpath = os.path.join(tmp, "big256")
    chunk = os.urandom(1 << 20)
    with open(bigpath, "wb") as f:
        for _ in range(256):
            f.write(chunk)
    big = os.open(bigpath, os.O_RDONLY)
    with open(bigpath, "rb") as f:  # into the page cache
        while f.read(1 << 24):
            pass
    rnd = random.Random(7)
    sets = [[rnd.randrange(0, 65536) * 4096 for _ in range(64)] for _ in range(1024)]
    copy_path = os.path.join(tmp, "copy256")
    fring, fbuf = L.Ring(64), bytearray(64 * 4096)  # a registered fd and buffer
    fring.register_files([big])
    fring.register_buffers([fbuf])
    return {
        "fring": fring, "fbuf": fbuf, "FIXED_FILE": L.IOSQE.FIXED_FILE,
        "big": big, "bigpath": bigpath, "ring": L.Ring(64), "rbuf": bytearray(64 * 4096),
        "roffs": itertools.cycle(sets), "pread": os.pread, "os_getpid": os.getpid,
        "ring_copy": ring_copy, "copyfile": shutil.copyfile, "copy_path": copy_path,
        "copy_out": os.open(copy_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        "cbuf_big": bytearray(16 * RING_COPY_BLOCK),
    }


def sanity_uring(e):
    """The ring rows' variants do what their references do."""
    offs = next(e["roffs"])
    assert e["ring"].read_batch(e["big"], e["rbuf"], offs, 4096) == [4096] * 64
    assert all(e["rbuf"][i * 4096:(i + 1) * 4096] == os.pread(e["big"], 4096, o)
               for i, o in enumerate(offs))
    assert e["fring"].read_batch(0, 0, offs, 4096, flags=e["FIXED_FILE"]) == [4096] * 64
    assert e["fbuf"] == e["rbuf"]
    assert e["ring"].nop_batch(64) == [0] * 64
    ring_copy(e["ring"], e["big"], e["copy_out"], e["cbuf_big"])
    import filecmp
    assert filecmp.cmp(e["bigpath"], e["copy_path"], shallow=False)


def net_fixtures(tmp):
    """Sockets on loopback and in tmp: a socketpair each, a UDP sender and receivers, a Unix
    listener each (connected to by a stdlib client in the untimed setup)."""
    la, lb = L.socketpair()
    sa, sb = socket.socketpair()
    udp = []
    for _ in range(3):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        udp.append(u)
    lrx = L.Fd(udp[0].detach())
    srx, su = udp[1], udp[2]
    lu = L.socket(L.AF.INET, L.SOCK.DGRAM)
    L.bind(lu, ("127.0.0.1", 0))
    paths = {n: os.path.join(tmp, n) for n in ("llst", "slst")}
    lsts = {}
    for n, p in paths.items():
        s = socket.socket(socket.AF_UNIX)
        s.bind(p)
        s.listen(socket.SOMAXCONN)
        lsts[n] = s
    msg = b"d" * 64
    rx = L.MmsgReceiver(64, 64)  # the floor's buffers, as recvmmsg's own
    return {
        "socket": socket, "sock": socket.socket, "AF_UNIX": socket.AF_UNIX,
        "la": la, "lb": lb, "sa": sa, "sb": sb, "b64": msg,
        "lu": lu, "su": su, "udp_addr": L.getsockname(lrx),
        "rx_from": (L.getsockname(lu), su.getsockname()),
        "lrx": lrx, "srx": srx, "r64": range(64), "lrxn": lrx.fileno(),
        "ls_recvmmsg": lib.ls_recvmmsg, "mmsg_rx": rx,  # (alive: its msgs point into its buffers)
        "mmsg_bufs": (rx._msgs, 64, 0, -1, rx._rows),
        "to_lrx": [(msg, L.getsockname(lrx))] * 64, "to_srx": [(msg, srx.getsockname())] * 64,
        "llst": L.Fd(lsts["llst"].detach()), "slst": lsts["slst"],
        "lpath": paths["llst"], "spath": paths["slst"],
    }


STAT_FIELDS = ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size",
               "st_blksize", "st_blocks", "st_rdev", "st_atime_ns", "st_mtime_ns",
               "st_ctime_ns")


def same_stat(a, b):
    return tuple(a)[:10] == tuple(b) and all(
        getattr(a, f) == getattr(b, f) for f in STAT_FIELDS)


def errno_of(fn, *args):
    try:
        fn(*args)
    except OSError as e:
        return e.errno
    return None


def traced_calls(fn, *args):
    """How many syscalls ``fn(*args)`` logs while linuxsys.trace is on."""
    log, records = logging.getLogger("linuxsys.syscall"), []
    handler, level = logging.Handler(logging.DEBUG), log.level
    handler.emit = records.append
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    L.trace(True)
    try:
        fn(*args)
    finally:
        L.trace(False)
        log.removeHandler(handler)
        log.setLevel(level)
    return len(records)


def sanity(e):
    """Each linuxsys variant returns what its reference returns."""
    zero, reg, ba, cbuf = e["zero"], e["reg"], e["ba"], e["cbuf"]
    assert not L.tracing(), "LINUXSYS_TRACE is set: unset it to benchmark"
    assert L.getpid() == os.getpid() == e["getpid"]() == e["ls_getpid"]()
    assert e["getpid"] is e["ls_getpid"]  # trace off: the facade name is the helper itself
    assert L.read(zero, 1) == os.read(zero, 1) == b"\0"
    ba[:] = b"\xff" * 4096
    assert L.readinto(zero, ba) == 4096 and ba == bytes(4096)
    ba[:] = b"\xff" * 4096
    assert os.readv(zero, [ba]) == 4096 and ba == bytes(4096)
    L.ffi.buffer(cbuf)[:] = b"\xff" * 4096
    assert L.readinto(zero, cbuf) == 4096 and L.ffi.buffer(cbuf)[:] == bytes(4096)
    assert L.write(e["null"], b"x") == os.write(e["null"], b"x") == 1
    ref = os.fstat(reg)
    for st in (L.fstat(reg), e["fstat"](reg), e["fstat_pinned"](reg), L.stat(e["regpath"])):
        assert same_stat(st, ref), (st, ref)
    assert L.fstat(reg).st_size == ref.st_size == 12345
    with L.open(e["regpath"]) as f:
        assert os.fstat(f.fd).st_ino == ref.st_ino and not os.get_inheritable(f.fd)
    names = sorted(L.listdir(e["bigdir"]))
    assert names == sorted(os.listdir(e["bigdir"])) and len(names) == 10_000
    assert traced_calls(L.fstat, reg) >= 1 and traced_calls(e["fstat_pinned"], reg) == 0
    assert errno_of(L.read, e["badfd"], 1) == errno_of(os.read, e["badfd"], 1) == L.EBADF
    t0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    assert t0 <= L.clock_gettime(e["mono"]) <= time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    assert e["lepoll"].poll(0) == e["sepoll"].poll(0) == [(e["ready"], select.EPOLLIN)]
    L.eventfd_write(e["lefd"], 5)
    assert os.eventfd_read(e["lefd"]) == 5
    os.eventfd_write(e["lefd"], 7)
    assert L.eventfd_read(e["lefd"]) == 7
    assert len(L.getrandom(32)) == len(os.getrandom(32)) == 32 and L.getrandom(32) != bytes(32)
    e["futex_ping"]()  # each returns once its partner answered
    # the floors compute what their rows return (a statement's last part is the result)
    floor = {}
    for name, v in VARIANTS.items():
        if name.startswith("floor.") and name != "floor.ebadf" and len(v) == 2:
            *first, last = v[0].split("; ")
            for part in first:
                exec(part, e)
            floor[name] = eval(last, e)
    assert floor["floor.read1"] == b"\0" and floor["floor.readinto"] == 4096
    assert floor["floor.write"] == 1 and len(floor["floor.getrandom"]) == 32
    assert floor["floor.fstat"] == L.fstat(reg)._raw
    assert L.Stat(floor["floor.stat"]).st_ino == ref.st_ino
    assert floor["floor.epoll"] == [(e["ready"], select.EPOLLIN)]
    assert 0 < floor["floor.clock"] and floor["floor.eventfd"] == 1
    e["eventfd_ping"]()


NETNS_VARIANTS = {"NL.links", "pyroute2.get_links", "ip_j_link"}


def in_netns(fn, *args):
    """fn(*args) in a forked child that first unshares its network namespace (checked), its
    result back as JSON: the links a bench makes never touch the machine's."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 1
        try:
            before = os.readlink("/proc/self/ns/net")
            if ctypes.CDLL(None, use_errno=True).unshare(0x40000000):  # CLONE_NEWNET
                raise OSError(ctypes.get_errno(),
                              "unshare(CLONE_NEWNET): the netlink rows need root")
            assert os.readlink("/proc/self/ns/net") != before
            with os.fdopen(w, "w") as f:
                json.dump(fn(*args), f)
            code = 0
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r) as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if status:
        raise SystemExit("the netlink rows failed (see above)")
    return json.loads(data)


def netlink_measure(rounds, scale):
    """The netlink rows: 500 veth pairs (this kernel may lack dummy), then dumps of all."""
    from linuxsys import netlink as NL
    try:
        from pyroute2 import IPRoute
    except ImportError:
        raise SystemExit("the netlink rows compare with pyroute2: pip install pyroute2")
    for i in range(500):
        NL.link_add(f"va{i}", "veth", peer=f"vb{i}")
    ipr = IPRoute()
    env = {"NL": NL, "ipr": ipr,
           "ip_json": lambda: json.loads(subprocess.check_output(["ip", "-j", "link"]))}
    got = {x.name: x.index for x in NL.links()}
    assert len(got) == 1001 and got == {x.get_attr("IFLA_IFNAME"): x["index"]
                                        for x in ipr.get_links()}
    assert got == {x["ifname"]: x["ifindex"] for x in env["ip_json"]()}
    try:
        return measure(sorted(NETNS_VARIANTS), env, rounds, scale)
    finally:
        ipr.close()


def sanity_net(e):
    """The socket rows' variants do what their references do."""
    assert L.send(e["la"], e["b64"]) == e["sa"].send(e["b64"]) == 64
    assert L.recv(e["lb"], 64) == e["sb"].recv(64) == e["b64"]
    L.sendmmsg(e["lu"], e["to_lrx"])
    L.sendmmsg(e["lu"], e["to_srx"])
    got = L.recvmmsg(e["lrx"], 64, 64)
    ref = [e["srx"].recvfrom(64) for _ in e["r64"]]
    assert [(d, a) for d, a, _ in got] == ref and len(ref) == 64
    L.sendmmsg(e["lu"], e["to_lrx"])
    assert e["ls_recvmmsg"](e["lrxn"], *e["mmsg_bufs"]) == 64  # the floor takes all 64
    assert L.sendto(e["lu"], e["b64"], e["udp_addr"]) == e["su"].sendto(e["b64"],
                                                                         e["udp_addr"]) == 64
    assert L.recvmmsg(e["lrx"], 64, 64, L.MSG.WAITFORONE) == [(e["b64"], e["rx_from"][0], 0),
                                            (e["b64"], e["rx_from"][1], 0)]
    c = socket.socket(socket.AF_UNIX)
    c.connect(e["lpath"])
    conn, addr = L.accept4(e["llst"])
    assert addr == "" and L.getsockopt(conn, L.SOL.SOCKET, L.SO.TYPE) == L.SOCK.STREAM
    conn.close()
    c.close()


def statx_args(e):
    """lib.ls_statx_many's arguments for bigdir's names, packed and allocated once: the C
    loop alone, the floor under statx_many."""
    names, n = e["bignames"], len(e["bignames"])
    packed = ("\0".join(names) + "\0").encode()
    count = lib.LS_ST_COUNT * n
    return (e["bigfd"], packed, len(packed), n, 0, lib.STATX_BASIC_STATS,
            L.ffi.new("int64_t[]", count), count, L.ffi.new("int32_t[]", n), n)


def sanity_dir(e, groups):
    """The dir rows' variants return what their references return (for the selected groups:
    the /usr walks take seconds)."""
    big = e["bigdir"]
    e["statx_args"] = statx_args(e)
    if "readdir" in groups:
        ents = Ldir.readdir(big)
        assert sorted(d.name for d in ents) == sorted(os.listdir(big) + [".", ".."])
        assert sorted(ents) == sorted(L.readdir(big))
    if "scandir" in groups:
        assert (sorted((x.name, x.is_dir(), x.inode()) for x in Ldir.scandir(big))
                == sorted((x.name, x.is_dir(), x.inode()) for x in os.scandir(big)))
    if "walk" in groups:
        assert (sorted((d, sorted(dn), sorted(fn)) for d, dn, fn in Ldir.walk(e["usr"]))
                == sorted((d, sorted(dn), sorted(fn)) for d, dn, fn in os.walk(e["usr"])))
    if "walkstat" in groups:
        for d, dn, fn, st in Ldir.walk(os.path.join(e["usr"], "include"), stat=True):
            assert sorted(st) == sorted(dn + fn)
            for x in (dn + fn)[:3]:
                assert same_stat(st[x], os.lstat(os.path.join(d, x))), (d, x)
    if "statx_many" in groups:
        sts = Ldir.statx_many(e["bigfd"], e["bignames"])
        assert len(sts) == len(e["bignames"]) == 10_000
        for x, st in list(zip(e["bignames"], sts))[::997]:
            assert same_stat(st, os.stat(x, dir_fd=e["bigfd"]))
        assert lib.ls_statx_many(*e["statx_args"]) == 0


def sampler(stmt, names, setup=None):
    if setup is None:
        src = (f"def sample(_n, _clock, {', '.join(names)}):\n"
               f"    _t0 = _clock()\n"
               f"    for _ in _repeat(None, _n):\n{textwrap.indent(stmt, ' ' * 8)}\n"
               f"    return _clock() - _t0\n")
    else:  # (the two clock reads per iteration: ~0.1 us on calls of tens of us)
        src = (f"def sample(_n, _clock, {', '.join(names)}):\n"
               f"    _total = 0\n"
               f"    for _ in _repeat(None, _n):\n{textwrap.indent(setup, ' ' * 8)}\n"
               f"        _t0 = _clock()\n{textwrap.indent(stmt, ' ' * 8)}\n"
               f"        _total += _clock() - _t0\n"
               f"    return _total\n")
    ns = {"_repeat": itertools.repeat}
    exec(src, ns)
    return ns["sample"]


def measure(variants, env, rounds, scale):
    """Net ns/iteration per variant, one list entry per measured round."""
    order = ["empty", *variants]
    fns = {v: (sampler(VARIANTS[v][0], env) if len(VARIANTS[v]) == 2
               else sampler(VARIANTS[v][1], env, VARIANTS[v][0]),
               max(1, round(VARIANTS[v][-1] * scale)))
           for v in order}
    rng = random.Random(12345)
    net = {v: [] for v in variants}
    for rnd in range(rounds + 1):  # round 0 is the warm-up
        rng.shuffle(order)
        gross = {}
        for v in order:
            fn, n = fns[v]
            gc.disable()
            try:
                gross[v] = fn(n, time.perf_counter_ns, **env) / n
            finally:
                gc.enable()
        if rnd:
            for v in variants:
                net[v].append(gross[v] - gross["empty"])
        if sys.stderr.isatty():
            print(f"\r  round {rnd}/{rounds}{' (warm-up)' if not rnd else ''}   ",
                  end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return net


def fmt_ns(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def meets(target, r):
    op, x = target
    return r <= x if op == "<=" else abs(r - x) <= 0.05 * x


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies iteration counts")
    ap.add_argument("--only", help="comma-separated groups: "
                    + ",".join(dict.fromkeys(r[0] for r in ROWS)))
    ap.add_argument("--json", metavar="FILE", help="write every round's samples to FILE")
    a = ap.parse_args()
    groups = set(a.only.split(",")) if a.only else {r[0] for r in ROWS}
    unknown = groups - {r[0] for r in ROWS}
    if unknown:
        ap.error(f"unknown group(s): {', '.join(sorted(unknown))}")
    rows = [r for r in ROWS if r[0] in groups]
    variants = list(dict.fromkeys(v for r in rows for v in (*r[2:4], *r[6:])))
    if any(r[6:] for r in rows):
        variants.append("pycall")

    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                if ln.startswith("model name")), platform.machine())
    pgo = "--enable-optimizations" in (sysconfig.get_config_var("CONFIG_ARGS") or "")
    meta = {"python": sys.version.split()[0], "executable": sys.executable, "pgo": pgo,
            "cffi": cffi.__version__, "kernel": platform.release(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)), "cpu": cpu,
            "linuxsys": os.path.dirname(L.__file__), "rounds": a.rounds, "scale": a.scale}
    print(f"Python {meta['python']} ({sys.executable}{', PGO' if pgo else ', no PGO'}), "
          f"cffi {meta['cffi']}, "
          f"Linux {meta['kernel']} {meta['machine']}, "
          f"{meta['cpus_usable']}/{meta['cpus']} CPUs ({cpu})")
    print(f"linuxsys from {meta['linuxsys']}; {a.rounds} rounds + 1 warm-up, scale {a.scale}",
          flush=True)

    tmp = tempfile.mkdtemp(prefix="linuxsys-bench-")
    env = {}
    try:
        env = make_fixtures(tmp)
        sanity(env)
        sanity_dir(env, groups)
        sanity_net(env)
        sanity_uring(env)
        own = [v for v in variants if v not in NETNS_VARIANTS]
        net = measure(own, env, a.rounds, a.scale)
        if "netlink" in groups:
            net.update(in_netns(netlink_measure, a.rounds, a.scale))
    finally:
        if "stop_pingpong" in env:
            env["stop_pingpong"]()
        for k in ("ring", "fring"):
            if k in env:
                env[k].close()
        for k in ("zero", "null", "reg", "bigfd", "big", "copy_out"):
            if k in env:
                os.close(env[k])
        shutil.rmtree(tmp)

    med = statistics.median
    head = ("operation", "linuxsys ns", "vs", "ref ns", "ratio", "min..max", "floor", "+def",
            "target", "")
    out = [head]
    results = []
    for group, label, lv, rv, rlabel, target, *floor in rows:
        ratios = [x / y for x, y in zip(net[lv], net[rv])]
        r = med(ratios)
        fr = fdef = None  # the floor's ratio, and with one Python call added
        if floor:
            fr = med([x / y for x, y in zip(net[floor[0]], net[rv])])
            fdef = med([(x + c) / y for x, c, y in zip(net[floor[0]], net["pycall"], net[rv])])
        if target is None:
            status = ""
        elif meets(target, r):
            status = "ok"
        elif fr is not None and not meets(target, fr):  # cffi's fixed cost alone is above
            status = "floor above"
        elif fdef is not None and not meets(target, fdef):  # and with the one frame a def costs
            status = "+def above"
        else:
            status = "MISSED"
        out.append((label, fmt_ns(med(net[lv])), rlabel, fmt_ns(med(net[rv])), f"{r:.2f}",
                    f"{min(ratios):.2f}..{max(ratios):.2f}", "" if fr is None else f"{fr:.2f}",
                    "" if fdef is None else f"{fdef:.2f}",
                    "" if target is None else f"{target[0]} {target[1]}", status))
        results.append({"group": group, "operation": label, "linuxsys": lv, "reference": rv,
                        "linuxsys_ns": med(net[lv]), "reference_ns": med(net[rv]),
                        "ratio": r, "ratios": ratios, "floor": floor[0] if floor else None,
                        "floor_ratio": fr, "floor_def_ratio": fdef, "target": target,
                        "status": status})
    widths = [max(len(row[i]) for row in out) for i in range(len(head))]
    for i, row in enumerate(out):
        print("  ".join(c.ljust(w) if j in (0, 2) else c.rjust(w)
                        for j, (c, w) in enumerate(zip(row, widths))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("net ns/call (median of rounds, empty loop subtracted); ratio = median of per-round "
          "linuxsys/ref")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"meta": meta, "rows": results, "net": net}, f, indent=1)


if __name__ == "__main__":
    main()
