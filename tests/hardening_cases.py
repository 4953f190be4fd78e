"""Argument tables for tests/test_hardening.py (a data module: pytest does not collect it).

Three tables, each walked against the public API by the tests (which fail when a new
fd-taking or buffer-taking function has no entry):

* ``FD_CASES``: one call per fd parameter of every fd-taking function.  ``F(kind)`` marks the
  Fd under test, passed as the only reference; ``H(kind)`` is an fd of that kind the test
  holds, ``Num(kind)`` its number, ``P(name)`` a path in the case's temporary directory
  (which ``F("dir")``/``H("dir")`` are opened on), ``Buf(n)`` a fresh ``bytearray(n)``,
  ``Gen(items)`` a generator yielding the items (made as it goes: it keeps none),
  ``Addr(name)`` an AF_UNIX address of the case's world (a path in its temporary directory, or
  an abstract name unique to the world when the path would not fit; for a bound socket kind,
  the address of the held socket of that kind).
  ``"Class.method"`` targets take the receiver as their first argument.  Arguments are
  positional (parameter renames do not break the table); only what reaches the syscall
  matters: a kernel error is fine.
* ``GUARD_CASES``: each buffer-taking call on a view ``memoryview(big)[64:64 + size]`` into
  a source that has more to give than fits; the bytes around the view must stay as they were.
* ``CYCLE_CASES``: each buffer-taking call made to fail in the kernel with a given buffer.

Kinds of fd (made by test_hardening.World): file (64 KiB of data, read-write), file2 (empty,
read-write), dir (the case's temporary directory), memfd (4 KiB), pipe_r (a pipe's read end
holding 4 KiB), pipe_w (an empty pipe's write end), pipe_full (a full pipe's read end),
eventfd (counter 1, nonblocking), timerfd, signalfd (SIGUSR2, nonblocking), inotify, fanotify
(nonblocking), epoll, epoll_ready (8 ready eventfds registered), pidfd (this process),
pty (a pseudo-terminal with a window size set), ofd_locked (a second open file description of
a file the first one holds an OFD write lock on), bigdir (a directory of 100 files),
xattrs (a file with user.big, 300 bytes, and user.small, 10), urandom; sockets (AF_UNIX, made
by the socket module): sock (a connected stream socket holding 4 KiB from its peer), sock_new
(a fresh unbound stream socket), listener (bound, listening, one connection pending from its
peer), dgram (a bound nonblocking datagram socket holding one 4 KiB datagram from its peer,
which is bound at the socket's address name + "-peer"); and the objects Epoll, Inotify and
MmsgReceiver (2 datagrams of 64 bytes); uring (a bare io_uring_setup fd), Ring (a
test_hardening.WaitingRing: its prep_* methods submit and wait for their completions),
Ring_fixed (one with a 4 KiB buffer registered), seccomp_listener (a user-notification
listener: its filter stays installed, so only in in_child entries), AioContext (a
test_hardening.WaitingAio: each request submitted and reaped inside the call).  The directory also holds
link (-> file) and longlink (300 bytes).
"""
from __future__ import annotations

import atexit
import os
import socket
import struct
import termios
from typing import Any, Callable, NamedTuple, Optional

import linuxsys as L


class F(NamedTuple):
    """The Fd under test: made fresh and passed as the only reference."""
    kind: str


class H(NamedTuple):
    """An fd (or Epoll/Inotify) of this kind that the test holds for the whole call."""
    kind: str


class Num(NamedTuple):
    """The number of a held fd of this kind."""
    kind: str


class P(NamedTuple):
    """The absolute path of ``name`` in the case's temporary directory."""
    name: str


class Buf(NamedTuple):
    """A fresh bytearray of n bytes."""
    n: int


class Gen(NamedTuple):
    """Its items, yielded one at a time by a generator that keeps none of them."""
    items: tuple


class Addr(NamedTuple):
    """An AF_UNIX address of the case's world: ``name``'s, or a held socket kind's own."""
    name: str


class C(NamedTuple):
    target: str             # "fstat", or "Fd.fstat" / "Epoll.register" (receiver = args[0])
    args: tuple
    kwargs: tuple = ()      # (name, value) pairs: keyword-only parameters
    consumes: bool = False  # the call closes the fd (close): only "open at the syscall" counts
    in_child: bool = False  # run in a forked child (a call that could fork)


_UFFD_PAGE = 4096 * 16  # 64 KiB: a whole page on every arch's page size


def c(target: str, *args: Any, consumes: bool = False, in_child: bool = False,
      **kwargs: Any) -> C:
    return C(target, args, tuple(kwargs.items()), consumes, in_child)


# Plain ints: the tables must not depend on which namespace a flag lives in.
AT_FDCWD = int(L.AT_FDCWD)
FSCONFIG_SET_FLAG = int(L.FSCONFIG_SET_FLAG)
FSCONFIG_SET_FD = int(L.FSCONFIG_SET_FD)
ALL_BITS = 0xFFFFFFFF  # every flag bit: unknown ones are refused first (EINVAL)
SYSLOG_ACTION_READ_ALL = int(L.SYSLOG_ACTION_READ_ALL)
BPF_MAP_CREATE = int(L.BPF_MAP_CREATE)
# a task clock of the calling thread, user space only, opened disabled
PERF_ATTR = L.PerfEventAttr(int(L.PERF_TYPE_SOFTWARE), int(L.PERF_COUNT_SW_TASK_CLOCK),
                            disabled=1, exclude_kernel=1, exclude_hv=1)
AT_EMPTY_PATH = int(L.AT_EMPTY_PATH)
O_CLOEXEC = int(L.O_CLOEXEC)
S_IFIFO = int(L.S_IFIFO)
SEEK_SET = 0
F_GETFL = int(L.F_GETFL)
LOCK_SH_NB = int(L.LOCK_SH) | int(L.LOCK_NB)
SPLICE_F_NONBLOCK = int(L.SPLICE_F_NONBLOCK)
EPOLLIN = int(L.EPOLLIN)
EPOLL_CTL_ADD = int(L.EPOLL_CTL_ADD)
POLLIN = int(L.POLLIN)
IN_ALL_EVENTS = int(L.IN_ALL_EVENTS)
FAN_MARK_ADD = int(L.FAN_MARK_ADD)
FAN_OPEN = int(L.FAN_OPEN)
FAN_ALLOW = int(L.FAN_ALLOW)
P_PIDFD = int(L.P_PIDFD)
WEXITED_WNOHANG = int(L.WEXITED) | int(L.WNOHANG)
MADV_COLD = int(L.MADV_COLD)
PROT_READ = int(L.PROT_READ)
MAP_SHARED = int(L.MAP_SHARED)
SIGUSR2 = int(L.SIGUSR2)
SIGCHLD = int(L.SIGCHLD)
F_GETLK = int(L.F_GETLK)
F_OFD_GETLK = int(L.F_OFD_GETLK)
F_GETOWN_EX = int(L.F_GETOWN_EX)
IPC_STAT = int(L.IPC_STAT)
GRND_BAD = int(L.GRND_RANDOM) | int(L.GRND_INSECURE)  # EINVAL together (and before 5.6)
FIONREAD = termios.FIONREAD
TIOCGWINSZ = termios.TIOCGWINSZ
TCGETS = termios.TCGETS
SYS_fsync = L.SYS.fsync
SYS_read = L.SYS.read
SYS_getrandom = L.SYS.getrandom
SOL_SOCKET = int(L.SOL_SOCKET)
SO_TYPE = int(L.SO_TYPE)
SO_RCVBUF = int(L.SO_RCVBUF)
SO_PEERCRED = int(L.SO_PEERCRED)
SCM_RIGHTS = int(L.SCM_RIGHTS)
QCMD_SYNC = int(L.Q_SYNC) << 8  # QCMD(Q_SYNC, USRQUOTA)
QCMD_GETINFO = int(L.Q_GETINFO) << 8  # QCMD(Q_GETINFO, USRQUOTA): a struct if_dqinfo (24 bytes)
SHUT_RDWR = int(L.SHUT_RDWR)
MSG_TRUNC = int(L.MSG_TRUNC)
IORING_REGISTER_PROBE = int(L.IORING_REGISTER_PROBE)
IORING_SETUP_R_DISABLED = int(L.IORING_SETUP_R_DISABLED)
IORING_REGISTER_RESTRICTIONS = int(L.IORING_REGISTER_RESTRICTIONS)
IORING_REGISTER_ENABLE_RINGS = int(L.IORING_REGISTER_ENABLE_RINGS)
SECCOMP_GET_NOTIF_SIZES = int(L.SECCOMP_GET_NOTIF_SIZES)
SECCOMP_GET_ACTION_AVAIL = int(L.SECCOMP_GET_ACTION_AVAIL)
SECCOMP_RET_ALLOW = int(L.SECCOMP_RET_ALLOW)
# struct io_uring_probe: a 16-byte head, then 8 bytes per op (the kernel writes both, and
# wants them zeroed first)
_PROBE_HEAD, _PROBE_OP = 16, 8


# ---- 1. Fd lifetime: one entry per fd parameter ---------------------------------------------
# Fd methods (Fd.fstat ...) are derived from the function entries whose F is the first
# argument (same function object); fd parameters after the first are the functions' own.

FD_CASES = [
    # io
    c("read", F("file"), 16),
    c("read", F("file"), Buf(16)),
    c("readinto", F("file"), Buf(16)),
    c("write", F("file2"), b"data"),
    c("pread", F("file"), 16, 0),
    c("pread", F("file"), Buf(16), 0),
    c("pwrite", F("file2"), b"data", 0),
    c("readv", F("file"), [Buf(8), Buf(8)]),
    c("writev", F("file2"), [b"ab", b"cd"]),
    c("preadv2", F("file"), [Buf(8)], 0),
    c("pwritev2", F("file2"), [b"ab"], 0),
    c("lseek", F("file"), 0, SEEK_SET),
    c("close", F("file"), consumes=True),
    c("dup", F("file")),
    c("dup", H("file"), F("file2")),
    c("dup2", F("file"), H("file2")),
    c("dup2", H("file"), F("file2")),
    c("dup3", F("file"), H("file2"), O_CLOEXEC),
    c("dup3", H("file"), F("file2"), O_CLOEXEC),
    c("fcntl", F("file"), F_GETFL),
    c("ioctl", F("pipe_r"), FIONREAD, Buf(8)),
    c("flock", F("file"), LOCK_SH_NB),
    c("sendfile", F("file2"), H("file"), 0, 16),
    c("sendfile", H("file2"), F("file"), 0, 16),
    c("splice", F("file"), 0, H("pipe_w"), None, 16),
    c("splice", H("pipe_r"), None, F("file2"), 0, 16),
    c("tee", F("pipe_r"), H("pipe_w"), 16, SPLICE_F_NONBLOCK),
    c("tee", H("pipe_r"), F("pipe_w"), 16, SPLICE_F_NONBLOCK),
    c("vmsplice", F("pipe_w"), [b"ab"]),
    c("copy_file_range", F("file"), 0, H("file2"), 0, 16),
    c("copy_file_range", H("file"), 0, F("file2"), 0, 16),
    # event
    c("epoll_ctl", F("epoll"), EPOLL_CTL_ADD, H("pipe_r"), EPOLLIN),
    c("epoll_ctl", H("epoll"), EPOLL_CTL_ADD, F("pipe_r"), EPOLLIN),
    c("epoll_wait", F("epoll"), 4, 0),
    c("epoll_wait", F("epoll"), Buf(64), 0),
    c("epoll_pwait", F("epoll"), 4, 0),
    c("epoll_pwait2", F("epoll"), 4, 0),
    c("Epoll.register", H("Epoll"), F("pipe_r")),
    c("Epoll.modify", H("Epoll"), F("pipe_r"), EPOLLIN),
    c("Epoll.unregister", H("Epoll"), F("pipe_r")),
    c("poll", [(F("pipe_r"), POLLIN)], 0),
    c("poll", Gen(((F("pipe_r"), POLLIN), (H("pipe_w"), POLLIN))), 0),
    c("ppoll", [(F("pipe_r"), POLLIN)], 0),
    c("ppoll", Gen(((F("pipe_r"), POLLIN), (H("pipe_w"), POLLIN))), 0),
    c("pselect6", [F("pipe_r")], [], [], 0),
    c("pselect6", [], Gen((H("pipe_r"), F("pipe_w"))), [], 0),
    c("pselect6", [], [], [F("pipe_r")], 0),
    c("select", Gen((F("pipe_r"), H("pipe_w"))), [], [], 0),
    c("select", [], [F("pipe_w")], [], 0),
    c("select", [], [], [F("pipe_r")], 0),
    c("eventfd_read", F("eventfd")),
    c("eventfd_write", F("eventfd"), 1),
    c("inotify_add_watch", F("inotify"), P("file"), IN_ALL_EVENTS),
    c("inotify_rm_watch", F("inotify"), 1),
    c("inotify_read", F("inotify")),
    c("fanotify_mark", F("fanotify"), FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, P("file")),
    c("fanotify_mark", H("fanotify"), FAN_MARK_ADD, FAN_OPEN, F("dir"), "file"),
    c("fanotify_read", F("fanotify")),
    c("fanotify_respond", F("fanotify"), H("file"), FAN_ALLOW),
    c("fanotify_respond", H("fanotify"), F("file"), FAN_ALLOW),
    # fs
    c("openat", F("dir"), "file"),
    c("openat2", F("dir"), "file"),
    c("statx", F("dir"), "file"),
    c("fstatat", F("dir"), "file"),
    c("fstat", F("file")),
    c("fstatfs", F("file")),
    c("getdents64", F("dir"), Buf(4096)),
    c("listdir", F("dir")),
    c("readdir", F("dir")),
    c("statx_many", F("dir"), ["file"]),
    c("faccessat", F("dir"), "file", 0),
    c("fchmodat", F("dir"), "file", 0o600),
    c("fchmod", F("file"), 0o600),
    c("fchownat", F("dir"), "file", -1, -1),
    c("fchown", F("file"), -1, -1),
    c("utimensat", F("dir"), "file"),
    c("futimens", F("file")),
    c("linkat", F("dir"), "file", H("dir"), "hardlink"),
    c("linkat", H("dir"), "file", F("dir"), "hardlink"),
    c("readlinkat", F("dir"), "link"),
    c("readlinkat", F("dir"), "link", Buf(64)),
    c("symlinkat", "target", F("dir"), "newlink"),
    c("unlinkat", F("dir"), "file"),
    c("renameat2", F("dir"), "file", H("dir"), "moved"),
    c("renameat2", H("dir"), "file", F("dir"), "moved"),
    c("mkdirat", F("dir"), "newdir"),
    c("mknodat", F("dir"), "fifo", S_IFIFO | 0o600),
    c("fchdir", F("dir")),  # the test restores the cwd
    c("ftruncate", F("file2"), 100),
    c("fallocate", F("file2"), 0, 0, 4096),
    c("posix_fadvise", F("file"), 0, 0, 0),
    c("sync_file_range", F("memfd"), 0, 0),
    c("readahead", F("file"), 0, 4096),
    c("fsync", F("memfd")),      # a memfd: no disk flush on the shared machine
    c("fdatasync", F("memfd")),
    c("syncfs", F("memfd")),
    # xattr
    c("fgetxattr", F("file"), "user.none"),
    c("fgetxattr", F("file"), "user.none", Buf(16)),
    c("fsetxattr", F("file"), "user.x", b"v"),
    c("flistxattr", F("file")),
    c("fremovexattr", F("file"), "user.none"),
    c("getxattrat", F("dir"), "xattrs", "user.small"),
    c("getxattrat", F("dir"), "xattrs", "user.small", Buf(16)),
    c("setxattrat", F("dir"), "file", "user.x", b"v"),
    c("listxattrat", F("dir"), "xattrs"),
    c("removexattrat", F("dir"), "file", "user.none"),
    # fs: file handles, page cache, inode attributes; quota
    c("name_to_handle_at", F("dir"), "file"),
    c("open_by_handle_at", F("dir"), L.FileHandle(255, bytes(8))),  # no such type: ESTALE
    c("cachestat", F("file")),
    c("file_getattr", F("dir"), "file"),
    c("file_setattr", F("dir"), "file", L.FileAttr(0, 0, 0, 0, 0)),
    c("quotactl_fd", F("file"), QCMD_SYNC),
    c("quotactl_getinfo", F("file"), 0),
    c("quotactl_getquota", F("file"), 0, 0),
    c("quotactl_sync", F("file")),
    # process, memory, signal, time
    c("execveat", F("dir"), "no-such-program", ["no-such-program"], {}),
    c("pidfd_send_signal", F("pidfd"), 0),
    c("pidfd_getfd", F("pidfd"), Num("file")),
    c("process_mrelease", F("pidfd")),  # this process: alive, EINVAL
    c("waitid", P_PIDFD, F("pidfd"), WEXITED_WNOHANG),
    # a temporary directory is no cgroup: the kernel refuses it (EBADF) before forking
    c("clone3", 0, SIGCHLD, cgroup=F("dir"), in_child=True),
    c("process_madvise", F("pidfd"), [], MADV_COLD),
    c("mmap", None, 4096, PROT_READ, MAP_SHARED, F("memfd")),
    c("signalfd", [SIGUSR2], 0, F("signalfd")),
    c("signalfd_read", F("signalfd")),
    c("SignalFd.read", F("signalfd")),
    c("timerfd_settime", F("timerfd"), 0, 0),
    c("timerfd_gettime", F("timerfd")),
    c("timerfd_read", F("timerfd")),
    # POSIX message queue calls on a file: the kernel answers EBADF at the call
    c("mq_timedsend", F("file"), b"x"),
    c("mq_timedreceive", F("file"), 64),
    c("mq_notify", F("file")),
    c("mq_getsetattr", F("file")),
    c("mq_getattr", F("file")),
    c("mq_setattr", F("file"), L.MqAttr()),
    c("syscall", SYS_fsync, F("memfd")),
    # net
    c("bind", F("sock_new"), Addr("bound")),
    c("listen", F("listener"), 8),
    c("accept", F("listener")),
    c("accept4", F("listener"), 0),
    c("connect", F("sock_new"), Addr("listener")),
    c("shutdown", F("sock"), SHUT_RDWR),
    c("getsockname", F("dgram")),
    c("getpeername", F("sock")),
    c("getsockopt", F("sock"), SOL_SOCKET, SO_TYPE),
    c("getsockopt", F("sock"), SOL_SOCKET, SO_PEERCRED),
    c("getsockopt", F("sock"), SOL_SOCKET, SO_TYPE, 4),
    c("setsockopt", F("sock"), SOL_SOCKET, SO_RCVBUF, 65536),
    c("setsockopt", F("sock"), SOL_SOCKET, SO_RCVBUF, b"\0\0\1\0"),
    c("send", F("sock"), b"data"),
    c("send", F("sock"), Buf(16)),
    c("sendto", F("dgram"), b"data", Addr("dgram")),
    c("sendto", F("dgram"), Buf(16), Addr("dgram")),
    c("recv", F("sock"), 16),
    c("recv", F("sock"), 70000),  # past the scratch buffers
    c("recv", F("sock"), Buf(16)),
    c("recv_into", F("sock"), Buf(16)),
    c("recvfrom", F("dgram"), 16),
    c("recvfrom", F("dgram"), Buf(16)),
    c("sendmsg", F("sock"), [b"data"]),
    c("sendmsg", F("dgram"), [b"data"], [], 0, Addr("dgram")),
    c("sendmsg", H("sock"), [b"data"], [(SOL_SOCKET, SCM_RIGHTS, [F("file")])]),
    c("recvmsg", F("sock"), 16),
    c("recvmsg", F("sock"), 16, 64),
    c("send_fds", F("sock"), [b"data"], [H("file")]),
    c("send_fds", H("sock"), [b"data"], [F("file")]),
    c("recv_fds", F("sock"), 16, 1),
    c("sendmmsg", F("sock"), [(b"data", None)]),
    c("sendmmsg", F("dgram"), [(b"data", Addr("dgram"))]),
    c("recvmmsg", F("dgram"), 2, 64),
    c("MmsgReceiver.recvmmsg", H("MmsgReceiver"), F("dgram")),
    # ns, mount: each fails before it could join, mount or change anything (an fd of the
    # wrong kind: EINVAL/ENOTTY; unknown flag bits: EINVAL; a missing path: ENOENT)
    c("setns", F("dir"), 0),
    c("ns_get_userns", F("file")),
    c("ns_get_parent", F("file")),
    c("ns_get_nstype", F("file")),
    c("ns_get_owner_uid", F("file")),
    c("fs_log", F("dir")),
    c("fsconfig", F("dir"), FSCONFIG_SET_FLAG, "ro"),
    c("fsconfig", H("dir"), FSCONFIG_SET_FD, "source", None, F("file")),
    c("fsmount", F("dir")),
    c("fspick", F("dir"), "nonexistent"),
    c("open_tree", F("dir"), "nonexistent"),
    c("open_tree_attr", F("dir"), "nonexistent"),
    c("open_tree_attr", F("dir"), "nonexistent", 0, L.MountAttr(userns_fd=F("file"))),
    c("mount_setattr", F("dir"), "", ALL_BITS, L.MountAttr()),
    c("move_mount", F("dir"), "nonexistent", AT_FDCWD, "nonexistent2", ALL_BITS),
    c("move_mount", H("dir"), "nonexistent", F("dir"), "nonexistent2", ALL_BITS),
    c("landlock_add_rule", F("file"), 1, 1, parent_fd=H("dir")),
    c("landlock_add_rule", H("file"), 1, 1, parent_fd=F("dir")),
    c("landlock_restrict_self", F("file"), in_child=True),  # a file is no ruleset: EBADFD
    # uring: H("Ring") is a test_hardening.WaitingRing, whose prep_* methods submit and wait
    # for the completion before returning, the method having let go of its arguments: the
    # ring's hold alone must keep the Fd open while the kernel runs the request
    c("io_uring_enter", F("uring"), 0, 0),
    c("io_uring_register", F("uring"), IORING_REGISTER_PROBE, Buf(_PROBE_HEAD + 4 * _PROBE_OP),
      4),
    c("Ring.prep_read", H("Ring"), F("file"), Buf(16), 0),
    c("Ring.prep_write", H("Ring"), F("file2"), b"data", 0),
    c("Ring.prep_readv", H("Ring"), F("file"), [Buf(8), Buf(8)], 0),
    c("Ring.prep_writev", H("Ring"), F("file2"), [b"ab", b"cd"], 0),
    c("Ring.prep_read_fixed", H("Ring_fixed"), F("file"), 0, 0),
    c("Ring.prep_write_fixed", H("Ring_fixed"), F("file2"), 0, 0),
    c("Ring.prep_read_batch", H("Ring"), F("file"), Buf(32), [0, 16], 16),
    c("Ring.prep_write_batch", H("Ring"), F("file2"), b"x" * 32, [0, 16], 16),
    c("Ring.read_batch", H("Ring"), F("file"), Buf(32), [0, 16], 16),
    c("Ring.write_batch", H("Ring"), F("file2"), b"x" * 32, [0, 16], 16),
    c("Ring.prep_fsync", H("Ring"), F("memfd")),
    c("Ring.prep_fallocate", H("Ring"), F("file2"), 0, 0, 4096),
    c("Ring.prep_openat", H("Ring"), F("dir"), "file"),
    c("Ring.prep_statx", H("Ring"), F("dir"), "file", Buf(256)),
    c("Ring.prep_renameat", H("Ring"), F("dir"), "file", H("dir"), "moved"),
    c("Ring.prep_renameat", H("Ring"), H("dir"), "file", F("dir"), "moved"),
    c("Ring.prep_unlinkat", H("Ring"), F("dir"), "file"),
    c("Ring.prep_mkdirat", H("Ring"), F("dir"), "newdir"),
    c("Ring.prep_close", H("Ring"), F("file"), consumes=True),  # detaches the Fd
    c("Ring.prep_poll_add", H("Ring"), F("pipe_r"), POLLIN),
    c("Ring.prep_splice", H("Ring"), F("file"), 0, H("pipe_w"), -1, 16),
    c("Ring.prep_splice", H("Ring"), H("pipe_r"), -1, F("file2"), 0, 16),
    c("Ring.prep_accept", H("Ring"), F("listener")),
    c("Ring.prep_connect", H("Ring"), F("sock_new"), Addr("listener")),
    c("Ring.prep_send", H("Ring"), F("sock"), b"data"),
    c("Ring.prep_recv", H("Ring"), F("sock"), Buf(16)),
    c("Ring.prep_sendmsg", H("Ring"), F("sock"), [b"da", b"ta"]),
    c("Ring.prep_recvmsg", H("Ring"), F("sock"), [Buf(8), Buf(8)]),
    c("Ring.prep_shutdown", H("Ring"), F("sock"), SHUT_RDWR),
    c("Ring.register_files", H("Ring"), [F("file")]),
    c("Ring.register_eventfd", H("Ring"), F("eventfd")),
    # kaio: H("AioContext") is a test_hardening.WaitingAio (each request submitted and its
    # event reaped inside the call, as WaitingRing)
    c("AioContext.pread", H("AioContext"), F("file"), Buf(16), 0),
    c("AioContext.pwrite", H("AioContext"), F("file2"), b"data", 0),
    c("AioContext.fsync", H("AioContext"), F("file2")),
    c("AioContext.fdsync", H("AioContext"), F("file2")),
    c("AioContext.poll", H("AioContext"), F("pipe_r"), POLLIN),
    # seccomp user notification: a non-listener is refused (EINVAL) once /proc/self/fd has
    # named it (readlinkat: the helper the watch sees); a listener (in a child: its filter
    # stays) reaches the ioctl: ENOENT for an id nobody waits on, after the kernel took srcfd.
    # recv on a listener would wait for a notification: only the refused form for it.
    c("seccomp_notif_recv", F("file")),
    c("seccomp_notif_id_valid", F("file"), 1),
    c("seccomp_notif_send", F("file"), 1),
    c("seccomp_notif_addfd", F("file"), 1, H("file")),
    c("seccomp_notif_id_valid", F("seccomp_listener"), 1, in_child=True),
    c("seccomp_notif_send", F("seccomp_listener"), 1, in_child=True),
    c("seccomp_notif_addfd", F("seccomp_listener"), 1, H("file"), in_child=True),
    c("seccomp_notif_addfd", H("seccomp_listener"), 1, F("file"), in_child=True),
    # system, bpf, perf: unknown flags fail before the fds are used (finit_module,
    # kexec_file_load: nothing loaded); the bpf map and perf event calls check the kind of fd
    # first (readlinkat: the helper the watch sees), perf_event_open's group_fd reaches the
    # kernel (EINVAL: no perf event)
    c("finit_module", F("file"), "", -1),
    c("kexec_file_load", F("file"), -1, None, 1 << 20),
    c("kexec_file_load", H("file"), F("file"), None, 1 << 20),
    c("bpf_map_lookup_elem", F("file"), 1),
    c("bpf_map_update_elem", F("file"), 1, 1),
    c("bpf_map_delete_elem", F("file"), 1),
    c("bpf_map_get_next_key", F("file")),
    c("perf_event_open", PERF_ATTR, 0, -1, F("file")),
    c("perf_event_enable", F("file")),
    c("perf_event_disable", F("file")),
    c("perf_event_reset", F("file")),
    c("perf_event_id", F("file")),
    c("perf_event_read", F("file")),
    # userfaultfd: a file is no userfaultfd, refused (EINVAL) after its kind is read from
    # /proc/self/fd (readlinkat); ranges in the raw (address, length) form, of nothing mapped
    c("uffdio_api", F("file")),
    c("uffdio_register", F("file"), (_UFFD_PAGE, _UFFD_PAGE)),
    c("uffdio_unregister", F("file"), (_UFFD_PAGE, _UFFD_PAGE)),
    c("uffdio_wake", F("file"), (_UFFD_PAGE, _UFFD_PAGE)),
    c("uffdio_zeropage", F("file"), (_UFFD_PAGE, _UFFD_PAGE)),
    c("uffdio_copy", F("file"), (_UFFD_PAGE, _UFFD_PAGE), Buf(_UFFD_PAGE)),
    c("uffd_read", F("file")),
    # Fd's own methods
    c("Fd.close", F("file"), consumes=True),
]
# Fd methods that make no syscall: nothing can close the fd under them.
NO_SYSCALL = {"Fd.fileno": "returns the number", "Fd.nogc": "sets a flag",
              "Fd.detach": "gives the number up",
              "scandir": "lazy: no syscall before next(); its iterator keeps the fd referenced "
                         "(tests/test_dir.py::test_scandir_keeps_a_temporary_fd)"}


# Parameters the walk takes for fds by their name (FD_NAMES) that are no fd of ours:
# {(target, parameter name): why}.
NOT_FDS = {
    ("seccomp_notif_addfd", "newfd"): "the number the copy gets in the notification's target "
                                      "process (SETFD), not an fd of the calling process",
}


# ---- 2. Guard regions: every buffer-taking call ---------------------------------------------

def _on_map(L: Any, call: Callable[[Any], Any]) -> Any:
    """call(map) on a new BPF hash map (4-byte keys and values), closed afterwards."""
    with L.bpf_map_create(L.BPF_MAP_TYPE.HASH, 4, 4, 4) as m:
        return call(m)


_mq_count = [0]


def _on_mq(L: Any, call: Callable[[Any], Any], msgsize: int = 64) -> Any:
    """call(queue) on a new POSIX message queue (4 messages of up to ``msgsize`` bytes),
    unlinked at once (it lives while its descriptor is open), closed afterwards."""
    _mq_count[0] += 1
    name = f"/linuxsys-hardening-{os.getpid()}-{_mq_count[0]}"
    q = L.mq_open(name, L.O.RDWR | L.O.CREAT | L.O.EXCL, 0o600,
                  L.MqAttr(mq_maxmsg=4, mq_msgsize=msgsize))
    L.mq_unlink(name)
    with q:
        return call(q)


def _on_msg(L: Any, call: Callable[[Any], Any]) -> Any:
    """call(queue) on a new SysV message queue, removed afterwards."""
    q = L.msgget(L.IPC.PRIVATE, L.IPC.CREAT | 0o600)
    try:
        return call(q)
    finally:
        L.msgctl(q, L.IPC_CMD.RMID)


def _msg_echo(L: Any, v: Any) -> bytes:
    """msgsnd the view, then the text the queue holds."""
    return _on_msg(L, lambda q: (L.msgsnd(q, 1, v), L.msgrcv(q, 4096)[1])[1])


def _msg_into(L: Any, v: Any) -> bytes:
    """msgrcv (cut to the view) of a message longer than the view; the view's bytes after."""
    return _on_msg(L, lambda q: (L.msgsnd(q, 1, bytes(range(256))),
                                 L.msgrcv(q, v, 0, L.MSG_RCV.NOERROR), bytes(v))[2])


class Guard(NamedTuple):
    size: int                                 # the view's length
    call: Callable[[Any, Any, Any], Any]      # (L, world, view) -> result
    count: Optional[Callable[[int], int]] = lambda r: r  # bytes the result says were written
    fill: int = 0xA5                          # the bytes around the view
    content: Optional[Callable[[Any, int], bytes]] = None  # the view's bytes before the call
    check: Optional[Callable[[Any, bytes, Any], bool]] = None  # kernel-read data arrived whole
    setup: Optional[Callable[[Any], Any]] = None  # (world) -> None, before the view is made


def _pattern(w: Any, n: int) -> bytes:
    return bytes((i * 7 + 1) & 0xFF for i in range(n))


# struct flock with 64-bit offsets (flock64 on 32-bit arches, what fcntl64 takes): l_type,
# l_whence, l_start, l_len, then l_pid, which F_OFD_GETLK wants 0 and the kernel fills (-1 for
# an OFD lock) when it reports a conflicting lock.
_FLOCK_HEAD = "hhqq"
_L_PID = struct.calcsize(_FLOCK_HEAD)


def _flock_prefix(w: Any, n: int) -> bytes:
    """The struct flock fields before l_pid: a write lock on the whole file."""
    return struct.pack(_FLOCK_HEAD, int(L.F_WRLCK), 0, 0, 0)[:n]


_SHMID_DS = L.ffi.sizeof("struct shmid64_ds")
_EVENT = 16  # a struct epoll_event as linuxsys's buffers hold it: (data, events) uint64 pairs

def _ring(L: Any, w: Any, prep: Callable[[Any], Any], fixed: Any = None) -> int:
    """prep(ring) on a new Ring (``fixed`` registered first), submitted, its completions
    reaped: the sum of their res (the first failure raised).  A synchronous batch (read_batch
    ...) returns its counts itself: their sum."""
    with L.Ring(8) as ring:
        if fixed is not None:
            ring.register_buffers([fixed])
        before = ring.in_flight
        r = prep(ring)
        if isinstance(r, list):
            return sum(r)
        count = ring.in_flight - before
        cqes: list = []
        for _ in range(10):  # 10 s at most
            if len(cqes) == count:
                break
            cqes += ring.wait(count - len(cqes), timeout_ns=1_000_000_000)
        else:
            raise TimeoutError(f"{count - len(cqes)} requests did not complete in 10 s")
        return sum(cqe.check() for cqe in cqes)


def _aio(L: Any, queue: Callable[[Any], Any]) -> int:
    """queue(ctx) on a new AioContext, submitted, its event reaped: its res (a failure
    raised as the OSError it means)."""
    with L.AioContext(4) as ctx:
        queue(ctx)
        ctx.submit()
        events = ctx.getevents(1, timeout_ns=10_000_000_000)
        if not events:
            raise TimeoutError("no AIO event in 10 s")
        res = events[0].res
        if res < 0:
            raise OSError(-res, os.strerror(-res))
        return res


def _statx_of(w: Any, n: int) -> bytes:
    """The struct statx of "file", as a Ring's prep_statx fills it (n bytes, 256 of them)."""
    out = bytearray(n)
    _ring(L, w, lambda r: r.prep_statx(w.held("dir"), "file", out))
    return bytes(out)


# (name, id, Guard): names are public functions; ids tell the cases of one function apart.
GUARD_CASES = [
    ("msgsnd", "echo", Guard(37, lambda L, w, v: _msg_echo(L, v), count=None,
                             content=_pattern, check=lambda w, c, r: r == c)),
    ("msgrcv", "cut", Guard(37, lambda L, w, v: _msg_into(L, v), count=None,
                            check=lambda w, c, r: r == bytes(range(37)))),
    # add_key and keyctl_update read the payload before they look the keyring (key 0: EINVAL)
    # up: nothing is made or changed
    ("add_key", "payload", Guard(37, lambda L, w, v: L.add_key("user", "d", v, 0), count=None)),
    ("keyctl_update", "payload", Guard(37, lambda L, w, v: L.keyctl_update(0, v), count=None)),
    # the description of this process's session keyring (or its uid's): written only if it fits
    ("keyctl", "describe", Guard(64, lambda L, w, v: L.keyctl(
        L.KEYCTL.DESCRIBE, L.KEY_SPEC.SESSION_KEYRING, v, len(v)), count=None)),
    ("syslog", "read_all", Guard(37, lambda L, w, v: L.syslog(SYSLOG_ACTION_READ_ALL, v))),
    # BPF_MAP_CREATE reads a struct of 20 bytes (a shorter attr is zero-filled): a hash map
    ("bpf", "map_create", Guard(20, lambda L, w, v: L.bpf(BPF_MAP_CREATE, v).close(),
                                count=None, content=lambda w, n: struct.pack("=5I", 1, 4, 4, 1, 0),
                                check=lambda w, d, r: True)),
    # init_module never loads as root here: a NUL in param_values is refused first
    ("init_module", "refused", Guard(64, lambda L, w, v: L.init_module(v, "a\0b"), count=None)),
    # keys and values are copied before the call: the kernel never sees the view
    ("bpf_map_lookup_elem", "key", Guard(4, lambda L, w, v: _on_map(
        L, lambda m: L.bpf_map_lookup_elem(m, v)), count=None)),
    ("bpf_map_update_elem", "key", Guard(4, lambda L, w, v: _on_map(
        L, lambda m: L.bpf_map_update_elem(m, v, v)), count=None)),
    ("bpf_map_delete_elem", "key", Guard(4, lambda L, w, v: _on_map(
        L, lambda m: L.bpf_map_delete_elem(m, v)), count=None)),
    ("bpf_map_get_next_key", "key", Guard(4, lambda L, w, v: _on_map(
        L, lambda m: L.bpf_map_get_next_key(m, v)), count=None)),
    ("read", "pipe", Guard(37, lambda L, w, v: L.read(w.held("pipe_full"), v))),
    # the message sent is received back whole; a receive buffer is the queue's message size
    ("mq_timedsend", "queue", Guard(37, lambda L, w, v: _on_mq(L, lambda q: (
        L.mq_timedsend(q, v), L.mq_timedreceive(q, 64)[0])[1]), count=None,
        content=_pattern, check=lambda w, d, r: r == d)),
    ("mq_timedreceive", "queue", Guard(37, lambda L, w, v: _on_mq(L, lambda q: (
        L.mq_timedsend(q, bytes(range(1, 21))), L.mq_timedreceive(q, v))[1][0], 37))),
    ("read", "urandom", Guard(37, lambda L, w, v: L.read(w.held("urandom"), v))),
    ("read", "eventfd", Guard(4, lambda L, w, v: L.read(w.held("eventfd"), v))),
    ("readinto", "pipe", Guard(37, lambda L, w, v: L.readinto(w.held("pipe_full"), v))),
    ("pread", "file", Guard(37, lambda L, w, v: L.pread(w.held("file"), v, 0))),
    ("readv", "file", Guard(37, lambda L, w, v: L.readv(w.held("file"), [v]))),
    ("preadv2", "file", Guard(37, lambda L, w, v: L.preadv2(w.held("file"), [v], 0))),
    ("write", "pipe", Guard(37, lambda L, w, v: L.write(w.held("pipe_w"), v),
                            content=_pattern,
                            check=lambda w, d, r: w.drain("pipe_w") == d[:r])),
    ("pwrite", "file", Guard(37, lambda L, w, v: L.pwrite(w.held("file2"), v, 0),
                             content=_pattern, check=lambda w, d, r: w.contents("file2") == d)),
    ("writev", "pipe", Guard(37, lambda L, w, v: L.writev(w.held("pipe_w"), [v]),
                             content=_pattern,
                             check=lambda w, d, r: w.drain("pipe_w") == d[:r])),
    ("pwritev2", "file", Guard(37, lambda L, w, v: L.pwritev2(w.held("file2"), [v], 0),
                               content=_pattern,
                               check=lambda w, d, r: w.contents("file2") == d)),
    ("getdents64", "bigdir", Guard(200, lambda L, w, v: L.getdents64(w.held("bigdir"), v))),
    ("readlink", "long", Guard(37, lambda L, w, v: L.readlink(w.path("longlink"), v))),
    ("readlinkat", "long", Guard(37, lambda L, w, v: L.readlinkat(w.held("dir"), "longlink",
                                                                  v))),
    ("getcwd", "deep", Guard(37, lambda L, w, v: L.getcwd(v), count=lambda r: r + 1,
                             setup=lambda w: w.chdir_deep())),  # ERANGE; +1: the NUL
    ("getxattr", "big", Guard(37, lambda L, w, v: L.getxattr(w.path("xattrs"), "user.big", v))),
    ("getxattr", "small", Guard(37, lambda L, w, v: L.getxattr(w.path("xattrs"), "user.small",
                                                                v))),
    ("lgetxattr", "big", Guard(37, lambda L, w, v: L.lgetxattr(w.path("xattrs"), "user.big",
                                                                v))),
    ("fgetxattr", "big", Guard(37, lambda L, w, v: L.fgetxattr(w.held("xattrs"), "user.big",
                                                                v))),
    ("setxattr", "value", Guard(37, lambda L, w, v: L.setxattr(w.path("file"), "user.v", v),
                                content=_pattern, count=None,
                                check=lambda w, d, r: os.getxattr(w.path("file"), "user.v")
                                == d)),
    ("lsetxattr", "value", Guard(37, lambda L, w, v: L.lsetxattr(w.path("file"), "user.v", v),
                                 content=_pattern, count=None,
                                 check=lambda w, d, r: os.getxattr(w.path("file"), "user.v")
                                 == d)),
    ("fsetxattr", "value", Guard(37, lambda L, w, v: L.fsetxattr(w.held("file"), "user.v", v),
                                 content=_pattern, count=None,
                                 check=lambda w, d, r: os.getxattr(w.path("file"), "user.v")
                                 == d)),
    ("getxattrat", "big", Guard(37, lambda L, w, v: L.getxattrat(w.held("dir"), "xattrs",
                                                                  "user.big", v))),
    ("setxattrat", "value", Guard(37, lambda L, w, v: L.setxattrat(w.held("dir"), "file",
                                                                    "user.v", v),
                                  content=_pattern, count=None,
                                  check=lambda w, d, r: os.getxattr(w.path("file"), "user.v")
                                  == d)),
    ("vmsplice", "write_end", Guard(37, lambda L, w, v: L.vmsplice(w.held("pipe_w"), [v]),
                                    content=_pattern,
                                    check=lambda w, d, r: w.drain("pipe_w") == d[:r])),
    ("vmsplice", "read_end", Guard(37, lambda L, w, v: L.vmsplice(w.held("pipe_full"), [v]))),
    ("open_by_handle_at", "handle", Guard(16, lambda L, w, v: L.open_by_handle_at(
        w.held("dir"), v), count=None)),  # 0x5a bytes: no struct file_handle (ValueError)
    ("quotactl", "getinfo", Guard(24, lambda L, w, v: L.quotactl(QCMD_GETINFO, w.path("file"),
                                                                 0, v), count=None)),
    ("quotactl_fd", "getinfo", Guard(24, lambda L, w, v: L.quotactl_fd(w.held("file"),
                                                                       QCMD_GETINFO, 0, v),
                                     count=None)),
    ("epoll_wait", "ready", Guard(40, lambda L, w, v: L.epoll_wait(w.held("epoll_ready"), v, 0),
                                  count=lambda r: r * _EVENT)),
    ("epoll_pwait", "ready", Guard(40, lambda L, w, v: L.epoll_pwait(w.held("epoll_ready"), v,
                                                                     0),
                                   count=lambda r: r * _EVENT)),
    ("epoll_pwait2", "ready", Guard(40, lambda L, w, v: L.epoll_pwait2(w.held("epoll_ready"),
                                                                       v, 0),
                                    count=lambda r: r * _EVENT)),
    ("getrandom", "view", Guard(37, lambda L, w, v: L.getrandom(v))),
    # futex words: PI TRYLOCK writes the tid into a 0 word, WAKE_OP sets uaddr2's word; the
    # waits find the fill, not their val (EAGAIN)
    ("futex", "trylock_pi", Guard(4, lambda L, w, v: L.futex(v, L.FUTEX.TRYLOCK_PI_PRIVATE),
                                  count=None, content=lambda w, n: bytes(n))),
    ("futex", "wake_op", Guard(4, lambda L, w, v: L.futex(
        bytearray(4), L.FUTEX.WAKE_OP_PRIVATE, 0, uaddr2=v, val2=0,
        val3=L.encode_futex_op(L.FUTEX_OP.SET, 1, L.FUTEX_OP_CMP.EQ, 0)), count=None)),
    ("futex_wake", "view", Guard(4, lambda L, w, v: L.futex_wake(v), count=None)),
    ("futex_wait", "view", Guard(4, lambda L, w, v: L.futex_wait(v, 0, timeout_ns=0),
                                 count=None)),
    ("futex_waitv", "view", Guard(4, lambda L, w, v: L.futex_waitv([(v, 0)], timeout_ns=0),
                                  count=None)),
    ("futex_requeue", "view", Guard(4, lambda L, w, v: L.futex_requeue(
        [(v, 0), (bytearray(4), 0)], 0, 1, 1), count=None, content=lambda w, n: bytes(n))),
    ("process_vm_readv", "child", Guard(37, lambda L, w, v: L.process_vm_readv(
        w.child_pid(), [v], [(w.shared().address, 4096)]))),
    ("process_vm_writev", "child", Guard(37, lambda L, w, v: L.process_vm_writev(
        w.child_pid(), [v], [(w.shared().address, 4096)]), content=_pattern,
        check=lambda w, d, r: w.shared()[:len(d)] == d and not any(w.shared()[len(d):]))),
    ("pidfd_send_signal", "info", Guard(128, lambda L, w, v: L.pidfd_send_signal(
        w.held("pidfd"), 0, v), content=lambda w, n: bytes(n), count=None)),
    # fcntl/ioctl: the command decides how much the kernel writes; a shorter view must be
    # refused or copied through a scratch buffer (issue 7, defect 3).
    ("fcntl", "F_OFD_GETLK", Guard(_L_PID, lambda L, w, v: L.fcntl(w.held("ofd_locked"),
                                                                   F_OFD_GETLK, v),
                                   count=None, fill=0, content=_flock_prefix)),
    ("fcntl", "F_GETLK", Guard(_L_PID, lambda L, w, v: L.fcntl(w.held("ofd_locked"),
                                                               F_GETLK, v),
                               count=None, fill=0, content=_flock_prefix)),
    ("fcntl", "F_GETOWN_EX", Guard(4, lambda L, w, v: L.fcntl(w.held("file"), F_GETOWN_EX, v),
                                   count=None)),
    ("ioctl", "FIONREAD", Guard(2, lambda L, w, v: L.ioctl(w.held("pipe_full"), FIONREAD, v),
                                count=None)),
    ("ioctl", "TIOCGWINSZ", Guard(4, lambda L, w, v: L.ioctl(w.held("pty"), TIOCGWINSZ, v),
                                  count=None)),
    ("ioctl", "TCGETS", Guard(8, lambda L, w, v: L.ioctl(w.held("pty"), TCGETS, v),
                              count=None)),
    ("shmctl", "IPC_STAT", Guard(_SHMID_DS, lambda L, w, v: L.shmctl(w.shm(), IPC_STAT, v),
                                 count=None)),
    ("shmctl", "IPC_STAT-short", Guard(_SHMID_DS - 8, lambda L, w, v: L.shmctl(w.shm(),
                                                                               IPC_STAT, v),
                                       count=None)),
    # sockets: the receiving calls read from one holding more than fits; what the sending
    # calls sent is what the peer reads
    ("recv", "stream", Guard(37, lambda L, w, v: L.recv(w.held("sock"), v))),
    ("recv", "dgram", Guard(37, lambda L, w, v: L.recv(w.held("dgram"), v))),
    # MSG_TRUNC: the datagram's whole length comes back, but only the view is written
    ("recv", "dgram-MSG_TRUNC", Guard(37, lambda L, w, v: L.recv(w.held("dgram"), v, MSG_TRUNC),
                                      count=None)),
    ("recv_into", "stream", Guard(37, lambda L, w, v: L.recv_into(w.held("sock"), v))),
    ("recvfrom", "dgram", Guard(37, lambda L, w, v: L.recvfrom(w.held("dgram"), v)[0])),
    ("recvfrom", "stream", Guard(37, lambda L, w, v: L.recvfrom(w.held("sock"), v)[0])),
    ("send", "stream", Guard(37, lambda L, w, v: L.send(w.held("sock"), v), content=_pattern,
                             check=lambda w, d, r: w.drain("sock") == d[:r])),
    ("sendto", "dgram", Guard(37, lambda L, w, v: L.sendto(w.held("dgram"), v,
                                                           w.addr("dgram-peer")),
                              content=_pattern, check=lambda w, d, r: w.drain("dgram") == d)),
    ("sendmsg", "stream", Guard(37, lambda L, w, v: L.sendmsg(w.held("sock"), [v]),
                                content=_pattern,
                                check=lambda w, d, r: w.drain("sock") == d[:r])),
    ("sendmsg", "dgram", Guard(37, lambda L, w, v: L.sendmsg(w.held("dgram"), [v], [], 0,
                                                             w.addr("dgram-peer")),
                               content=_pattern, check=lambda w, d, r: w.drain("dgram") == d)),
    ("send_fds", "stream", Guard(37, lambda L, w, v: L.send_fds(w.held("sock"), [v],
                                                                [w.held("file")]),
                                 content=_pattern,
                                 check=lambda w, d, r: w.drain("sock") == d[:r])),
    ("sendmmsg", "dgram", Guard(37, lambda L, w, v: L.sendmmsg(w.held("dgram"),
                                                               [(v, w.addr("dgram-peer"))]),
                                count=None, content=_pattern,
                                check=lambda w, d, r: r == 1 and w.drain("dgram") == d)),
    ("syscall", "getrandom", Guard(37, lambda L, w, v: L.syscall(SYS_getrandom, v, len(v), 0))),
    ("syscall", "read", Guard(37, lambda L, w, v: L.syscall(SYS_read, w.held("pipe_full"), v,
                                                            len(v)))),
    # uring: each request prepared, submitted and reaped inside the call (the ring holds the
    # view until the completion; the kernel must write only the view)
    ("io_uring_register", "PROBE", Guard(
        _PROBE_HEAD + 4 * _PROBE_OP, lambda L, w, v: L.io_uring_register(
            w.held("uring"), IORING_REGISTER_PROBE, v, 4),
        count=None, content=lambda w, n: bytes(n))),
    ("Ring.prep_read", "file", Guard(37, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_read(w.held("file"), v, 0)))),
    ("Ring.prep_read", "pipe", Guard(37, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_read(w.held("pipe_full"), v)))),
    ("Ring.prep_readv", "file", Guard(37, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_readv(w.held("file"), [v], 0)))),
    ("Ring.prep_read_batch", "file", Guard(40, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_read_batch(w.held("file"), v, [0, 1000], 20)))),
    ("Ring.read_batch", "file", Guard(40, lambda L, w, v: _ring(
        L, w, lambda r: r.read_batch(w.held("file"), v, [0, 1000], 20)))),
    ("Ring.register_buffers", "read_fixed", Guard(37, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_read_fixed(w.held("file"), 0, 0), fixed=v))),
    ("Ring.prep_recv", "stream", Guard(37, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_recv(w.held("sock"), v)))),
    ("Ring.prep_recvmsg", "stream", Guard(37, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_recvmsg(w.held("sock"), [v])))),
    ("Ring.prep_statx", "file", Guard(256, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_statx(w.held("dir"), "file", v)), count=None)),
    ("Ring.prep_write", "pipe", Guard(37, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_write(w.held("pipe_w"), v)), content=_pattern,
        check=lambda w, d, r: w.drain("pipe_w") == d[:r])),
    ("Ring.prep_writev", "pipe", Guard(37, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_writev(w.held("pipe_w"), [v])), content=_pattern,
        check=lambda w, d, r: w.drain("pipe_w") == d[:r])),
    ("Ring.prep_write_batch", "file", Guard(40, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_write_batch(w.held("file2"), v, [0, 20], 20)),
        content=_pattern, check=lambda w, d, r: w.contents("file2") == d)),
    ("Ring.write_batch", "file", Guard(40, lambda L, w, v: _ring(
        L, w, lambda r: r.write_batch(w.held("file2"), v, [0, 20], 20)),
        content=_pattern, check=lambda w, d, r: w.contents("file2") == d)),
    ("Ring.prep_send", "stream", Guard(37, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_send(w.held("sock"), v)), content=_pattern,
        check=lambda w, d, r: w.drain("sock") == d[:r])),
    ("Ring.prep_sendmsg", "stream", Guard(37, lambda L, w, v: _ring(
        L, w, lambda r: r.prep_sendmsg(w.held("sock"), [v])), content=_pattern,
        check=lambda w, d, r: w.drain("sock") == d[:r])),
    ("AioContext.pread", "file", Guard(37, lambda L, w, v: _aio(
        L, lambda a: a.pread(w.held("file"), v, 0)))),
    ("AioContext.pwrite", "file", Guard(37, lambda L, w, v: _aio(
        L, lambda a: a.pwrite(w.held("file2"), v, 0)), content=_pattern,
        check=lambda w, d, r: w.contents("file2") == d)),
    ("statx_decode", "file", Guard(256, lambda L, w, v: L.statx_decode(v), count=None,
                                   content=_statx_of,
                                   check=lambda w, d, r: r.st_size == len(w.contents("file")))),
    # seccomp: the kernel fills a struct seccomp_notif_sizes (6 bytes), reads a u32 action;
    # SET_MODE_FILTER would install the program for good: not here
    ("seccomp", "GET_NOTIF_SIZES", Guard(6, lambda L, w, v: L.seccomp(SECCOMP_GET_NOTIF_SIZES,
                                                                      0, v), count=None)),
    ("seccomp", "GET_ACTION_AVAIL", Guard(4, lambda L, w, v: L.seccomp(SECCOMP_GET_ACTION_AVAIL,
                                                                       0, v), count=None,
                                          content=lambda w, n: struct.pack("=I",
                                                                           SECCOMP_RET_ALLOW),
                                          check=lambda w, d, r: r == 0)),
    # uffdio_copy: the kernel reads a page from the view into a registered Mapping
    ("uffdio_copy", "page", Guard(_UFFD_PAGE, lambda L, w, v: _uffd_copy(L, v), count=None,
                                  content=_pattern, check=lambda w, d, r: r == d)),
]


def _uffd_copy(L: Any, src: Any) -> bytes:
    """uffdio_copy of src into a fresh registered Mapping of its size: the Mapping's bytes."""
    with L.userfaultfd() as u, L.mmap(0, len(src)) as m:
        L.uffdio_api(u)
        L.uffdio_register(u, m)
        L.uffdio_copy(u, m, src)
        return bytes(m)


# ---- 3. Exception cycles: every buffer-taking call failing in the kernel --------------------

class Cycle(NamedTuple):
    size: int                               # the buffer's length
    call: Callable[[Any, Any, Any], Any]    # (L, bad_fd, buffer): raises OSError
    takes_fd: bool = True                   # bad_fd is used (also tried as a closed Fd)
    raises: Any = OSError                   # what the call raises (ValueError: no syscall)


MISSING = "/nonexistent-linuxsys-hardening/x"  # ENOENT from the kernel
NO_PID = 1 << 30                                # above any pid_max: ESRCH


def _on_dgram(L: Any, call: Callable[[Any], Any]) -> Any:
    """call(sock) on a fresh unbound AF_UNIX datagram socket, closed afterwards: sendto
    asks a bad fd its domain before it takes the buffer, so it fails on an address instead."""
    sock = L.Fd(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).detach())
    try:
        return call(sock)
    finally:
        sock.close()

def _on_full_ring(L: Any, call: Callable[[Any], Any]) -> Any:
    """call(ring) on a new one-SQE Ring whose SQ a NOP fills: a prep method makes its views,
    then finds no room (BlockingIOError); the ring is closed afterwards."""
    with L.Ring(1) as ring:
        ring.prep_nop()
        return call(ring)


def _on_restricted_ring(L: Any, call: Callable[[Any], Any]) -> Any:
    """call(ring) on a new Ring whose registration restrictions (IORING_REGISTER_RESTRICTIONS,
    set while it was disabled) allow only ENABLE_RINGS: register_buffers makes its views,
    then the kernel refuses (EACCES)."""
    with L.Ring(1, IORING_SETUP_R_DISABLED) as ring:
        # struct io_uring_restriction: u16 opcode (IORING_RESTRICTION_REGISTER_OP, 0),
        # u8 register_op, u8 resv, u32 resv2[3]
        res = bytearray(struct.pack("=HBx12x", 0, IORING_REGISTER_ENABLE_RINGS))
        L.io_uring_register(ring, IORING_REGISTER_RESTRICTIONS, res, 1)
        L.io_uring_register(ring, IORING_REGISTER_ENABLE_RINGS)
        return call(ring)


_full_aio: list = []


def _on_full_aio(L: Any, call: Callable[[Any], Any]) -> Any:
    """call(ctx) on a one-request AioContext a queued read fills: pread/pwrite make their
    view, then find no free slot (BlockingIOError).  One per process, closed at exit:
    io_destroy waits for an RCU grace period, too slow for the crash test's 2,000 calls."""
    if not _full_aio:
        ctx = L.AioContext(1)
        atexit.register(ctx.close)
        ctx.pread(-1, bytearray(1), 0)  # queued, never submitted
        _full_aio.append(ctx)
    return call(_full_aio[0])


def _on_ring(L: Any, call: Callable[[Any], Any]) -> Any:
    with L.Ring(1) as ring:
        return call(ring)


CYCLE_CASES = {
    "msgsnd": Cycle(64, lambda L, fd, b: L.msgsnd(-1, 1, b), takes_fd=False),  # EINVAL (id)
    "msgrcv": Cycle(64, lambda L, fd, b: L.msgrcv(-1, b), takes_fd=False),     # EINVAL (id)
    "add_key": Cycle(64, lambda L, fd, b: L.add_key("user", "d", b, 0),
                     takes_fd=False),                                          # EINVAL (ring 0)
    "keyctl_update": Cycle(64, lambda L, fd, b: L.keyctl_update(0, b),
                           takes_fd=False),                                    # EINVAL (key 0)
    "keyctl": Cycle(64, lambda L, fd, b: L.keyctl(L.KEYCTL.DESCRIBE, 0, b, 64),
                    takes_fd=False),                                           # EINVAL (key 0)
    "syslog": Cycle(64, lambda L, fd, b: L.syslog(99, b), takes_fd=False),  # EINVAL (action)
    "bpf": Cycle(64, lambda L, fd, b: L.bpf(1 << 20, b), takes_fd=False),  # EINVAL (command)
    "init_module": Cycle(64, lambda L, fd, b: L.init_module(b, "a\0b"), takes_fd=False,
                         raises=ValueError),  # never a load as root: refused before the call
    "bpf_map_lookup_elem": Cycle(4, lambda L, fd, b: L.bpf_map_lookup_elem(fd, b)),
    "bpf_map_update_elem": Cycle(4, lambda L, fd, b: L.bpf_map_update_elem(fd, b, b)),
    "bpf_map_delete_elem": Cycle(4, lambda L, fd, b: L.bpf_map_delete_elem(fd, b)),
    "bpf_map_get_next_key": Cycle(4, lambda L, fd, b: L.bpf_map_get_next_key(fd, b)),
    "read": Cycle(64, lambda L, fd, b: L.read(fd, b)),
    "mq_timedsend": Cycle(64, lambda L, fd, b: L.mq_timedsend(fd, b)),
    "mq_timedreceive": Cycle(64, lambda L, fd, b: L.mq_timedreceive(fd, b)),
    "readinto": Cycle(64, lambda L, fd, b: L.readinto(fd, b)),
    "write": Cycle(64, lambda L, fd, b: L.write(fd, b)),
    "pread": Cycle(64, lambda L, fd, b: L.pread(fd, b, 0)),
    "pwrite": Cycle(64, lambda L, fd, b: L.pwrite(fd, b, 0)),
    "readv": Cycle(64, lambda L, fd, b: L.readv(fd, [b])),
    "writev": Cycle(64, lambda L, fd, b: L.writev(fd, [b])),
    "preadv2": Cycle(64, lambda L, fd, b: L.preadv2(fd, [b], 0)),
    "pwritev2": Cycle(64, lambda L, fd, b: L.pwritev2(fd, [b], 0)),
    "fcntl": Cycle(64, lambda L, fd, b: L.fcntl(fd, F_GETLK, b)),
    "ioctl": Cycle(64, lambda L, fd, b: L.ioctl(fd, FIONREAD, b)),
    "getdents64": Cycle(64, lambda L, fd, b: L.getdents64(fd, b)),
    "readlink": Cycle(64, lambda L, fd, b: L.readlink(MISSING, b), takes_fd=False),
    "readlinkat": Cycle(64, lambda L, fd, b: L.readlinkat(fd, "x", b)),
    "getcwd": Cycle(1, lambda L, fd, b: L.getcwd(b), takes_fd=False),  # ERANGE: "/" needs 2
    "getxattr": Cycle(64, lambda L, fd, b: L.getxattr(MISSING, "user.x", b), takes_fd=False),
    "lgetxattr": Cycle(64, lambda L, fd, b: L.lgetxattr(MISSING, "user.x", b), takes_fd=False),
    "fgetxattr": Cycle(64, lambda L, fd, b: L.fgetxattr(fd, "user.x", b)),
    "setxattr": Cycle(64, lambda L, fd, b: L.setxattr(MISSING, "user.x", b), takes_fd=False),
    "lsetxattr": Cycle(64, lambda L, fd, b: L.lsetxattr(MISSING, "user.x", b), takes_fd=False),
    "fsetxattr": Cycle(64, lambda L, fd, b: L.fsetxattr(fd, "user.x", b)),
    "getxattrat": Cycle(64, lambda L, fd, b: L.getxattrat(fd, "x", "user.x", b)),
    "setxattrat": Cycle(64, lambda L, fd, b: L.setxattrat(fd, "x", "user.x", b)),
    "vmsplice": Cycle(64, lambda L, fd, b: L.vmsplice(fd, [b])),
    "open_by_handle_at": Cycle(64, lambda L, fd, b: L.open_by_handle_at(fd, b),
                               raises=ValueError),  # zeros: no struct file_handle
    "quotactl": Cycle(64, lambda L, fd, b: L.quotactl(QCMD_GETINFO, MISSING, 0, b),
                      takes_fd=False),
    "quotactl_fd": Cycle(64, lambda L, fd, b: L.quotactl_fd(fd, QCMD_GETINFO, 0, b)),
    "epoll_wait": Cycle(64, lambda L, fd, b: L.epoll_wait(fd, b, 0)),
    "epoll_pwait": Cycle(64, lambda L, fd, b: L.epoll_pwait(fd, b, 0)),
    "epoll_pwait2": Cycle(64, lambda L, fd, b: L.epoll_pwait2(fd, b, 0)),
    "getrandom": Cycle(64, lambda L, fd, b: L.getrandom(b, GRND_BAD), takes_fd=False),
    # futex words of 0 waited on for 1: EAGAIN; futex_wake with mask 0: EINVAL
    "futex": Cycle(4, lambda L, fd, b: L.futex(b, L.FUTEX.WAIT_PRIVATE, 1), takes_fd=False),
    "futex_wake": Cycle(4, lambda L, fd, b: L.futex_wake(b, 0), takes_fd=False),
    "futex_wait": Cycle(4, lambda L, fd, b: L.futex_wait(b, 1), takes_fd=False),
    "futex_waitv": Cycle(4, lambda L, fd, b: L.futex_waitv([(b, 1)]), takes_fd=False),
    "futex_requeue": Cycle(4, lambda L, fd, b: L.futex_requeue([(b, 1), (b, 0)], 0, 1, 1),
                           takes_fd=False),
    "process_vm_readv": Cycle(64, lambda L, fd, b: L.process_vm_readv(NO_PID, [b],
                                                                      [(4096, 64)]),
                              takes_fd=False),
    "process_vm_writev": Cycle(64, lambda L, fd, b: L.process_vm_writev(NO_PID, [b],
                                                                        [(4096, 64)]),
                               takes_fd=False),
    "pidfd_send_signal": Cycle(128, lambda L, fd, b: L.pidfd_send_signal(fd, 0, b)),
    "shmctl": Cycle(512, lambda L, fd, b: L.shmctl(-1, IPC_STAT, b), takes_fd=False),
    "syscall": Cycle(64, lambda L, fd, b: L.syscall(SYS_read, fd, b, 64)),
    "recv": Cycle(64, lambda L, fd, b: L.recv(fd, b)),
    "recv_into": Cycle(64, lambda L, fd, b: L.recv_into(fd, b)),
    "recvfrom": Cycle(64, lambda L, fd, b: L.recvfrom(fd, b)),
    "send": Cycle(64, lambda L, fd, b: L.send(fd, b)),
    "sendto": Cycle(64, lambda L, fd, b: _on_dgram(L, lambda s: L.sendto(s, b, MISSING)),
                    takes_fd=False),
    "sendmsg": Cycle(64, lambda L, fd, b: L.sendmsg(fd, [b])),
    "send_fds": Cycle(64, lambda L, fd, b: L.send_fds(fd, [b], [])),
    "sendmmsg": Cycle(64, lambda L, fd, b: L.sendmmsg(fd, [(b, None)])),
    # optval is Any (an int, a Linger ... or bytes-like): no Buffer annotation finds it
    "setsockopt": Cycle(64, lambda L, fd, b: L.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, b)),
    # uring: a prep method fails after making its views when the SQ is full; the synchronous
    # batches when a request fails (EBADF from its completion)
    "io_uring_register": Cycle(64, lambda L, fd, b: L.io_uring_register(
        fd, IORING_REGISTER_PROBE, b, (64 - _PROBE_HEAD) // _PROBE_OP)),
    "Ring.prep_read": Cycle(64, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_read(fd, b, 0))),
    "Ring.prep_write": Cycle(64, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_write(fd, b, 0))),
    "Ring.prep_readv": Cycle(64, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_readv(fd, [b, b], 0))),
    "Ring.prep_writev": Cycle(64, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_writev(fd, [b, b], 0))),
    "Ring.prep_read_batch": Cycle(64, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_read_batch(fd, b, [0], 64))),
    "Ring.prep_write_batch": Cycle(64, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_write_batch(fd, b, [0], 64))),
    "Ring.prep_send": Cycle(64, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_send(fd, b))),
    "Ring.prep_recv": Cycle(64, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_recv(fd, b))),
    "Ring.prep_sendmsg": Cycle(64, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_sendmsg(fd, [b, b]))),
    "Ring.prep_recvmsg": Cycle(64, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_recvmsg(fd, [b, b]))),
    "Ring.prep_statx": Cycle(256, lambda L, fd, b: _on_full_ring(
        L, lambda r: r.prep_statx(fd, "x", b))),
    "Ring.read_batch": Cycle(64, lambda L, fd, b: _on_ring(
        L, lambda r: r.read_batch(fd, b, [0, 32], 32))),
    "Ring.write_batch": Cycle(64, lambda L, fd, b: _on_ring(
        L, lambda r: r.write_batch(fd, b, [0, 32], 32))),
    "Ring.register_buffers": Cycle(64, lambda L, fd, b: _on_restricted_ring(
        L, lambda r: r.register_buffers([b])), takes_fd=False),
    "AioContext.pread": Cycle(64, lambda L, fd, b: _on_full_aio(
        L, lambda a: a.pread(fd, b, 0))),
    "AioContext.pwrite": Cycle(64, lambda L, fd, b: _on_full_aio(
        L, lambda a: a.pwrite(fd, b, 0))),
    # a struct statx is 256 bytes: a shorter buffer is refused, no syscall can fail
    "statx_decode": Cycle(64, lambda L, fd, b: L.statx_decode(b), takes_fd=False,
                          raises=ValueError),
    # flags must be 0 for GET_NOTIF_SIZES: EINVAL
    "seccomp": Cycle(64, lambda L, fd, b: L.seccomp(SECCOMP_GET_NOTIF_SIZES, 1, b),
                     takes_fd=False),
    # a bad fd: EBADF (or ClosedFdError) on the kind check, nothing mapped at the range
    "uffdio_copy": Cycle(_UFFD_PAGE, lambda L, fd, b: L.uffdio_copy(fd, (_UFFD_PAGE,
                                                                        _UFFD_PAGE), b)),
}

# syscall takes buffers through *args: no annotation says so.
EXTRA_BUFFER_TAKERS = {"syscall"}
