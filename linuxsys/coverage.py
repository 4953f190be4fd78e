"""coverage: every syscall name of this arch is wrapped, issued by a wrapper, or not implemented.

The promise is "any Linux syscall from Python", so the rest is explicit, in the spirit of
rustix's ``not_implemented.rs``: ``not_implemented`` maps each syscall name of this arch's table
(the build's headers plus the fallback tables, ``L.SYS``) that linuxsys does not wrap to the
reason, and names the function that does the job where one does.  ``VARIANTS`` names the
syscalls that a wrapper issues under another name (the ``*_time64`` and ``*32`` twins of 32-bit
arches, multiplexers).  ``python -m linuxsys`` reports all three; tests/test_coverage.py checks
that together with the wrapped calls they cover every ``SYS_*`` name of the build, on each arch.
"""
from __future__ import annotations

import types
from typing import Mapping

from .raw import SYS

__all__ = ["not_implemented"]

# Reasons shared by several names.
_NEVER = "never implemented by Linux: a reserved number that answers ENOSYS"
_REMOVED = "removed from Linux; the number answers ENOSYS"
_LIBC = "owned by the C library (its threads, allocator or TLS); calling it under the interpreter breaks them"
_SIGNALS = ("conflicts with the interpreter's signal handling: use the signal module "
            "(signal.signal), or signalfd4/rt_sigtimedwait to take signals synchronously")


def _by(call: str, what: str = "") -> str:
    return f"superseded by {call}{what}"


# Syscall name -> the wrapped function(s) that issue it (comma-separated), on the arches that
# have the name.  A wrapper issues the first of these its build knows, then the plain call.
VARIANTS: dict[str, str] = {
    # 32-bit arches: 64-bit time (y2038) twins, issued first, the 32-bit call on ENOSYS
    "clock_gettime64": "clock_gettime",
    "clock_getres_time64": "clock_getres",
    "clock_settime64": "clock_settime",
    "clock_nanosleep_time64": "clock_nanosleep",
    "timerfd_settime64": "timerfd_settime",
    "timerfd_gettime64": "timerfd_gettime",
    "utimensat_time64": "utimensat",
    "ppoll_time64": "ppoll",
    "recvmmsg_time64": "recvmmsg",
    "rt_sigtimedwait_time64": "rt_sigtimedwait",
    "sched_rr_get_interval_time64": "sched_rr_get_interval",
    "io_pgetevents_time64": "io_pgetevents",
    "futex_time64": "futex",
    "timer_settime64": "timer_settime", "timer_gettime64": "timer_gettime",
    "clock_adjtime64": "clock_adjtime, adjtimex",
    "mq_timedsend_time64": "mq_timedsend", "mq_timedreceive_time64": "mq_timedreceive",
    "semtimedop_time64": "semtimedop, semop",  # i686 has no direct semop
    "pselect6_time64": "pselect6",
    # 32-bit arches: 32-bit uid/gid (the plain names take 16-bit ids) and 64-bit offsets
    "getuid32": "getuid", "geteuid32": "geteuid", "getgid32": "getgid", "getegid32": "getegid",
    "getresuid32": "getresuid", "getresgid32": "getresgid",
    "setuid32": "setuid", "setgid32": "setgid", "setreuid32": "setreuid", "setregid32": "setregid",
    "setresuid32": "setresuid", "setresgid32": "setresgid",
    "setfsuid32": "setfsuid", "setfsgid32": "setfsgid",
    "getgroups32": "getgroups", "setgroups32": "setgroups", "fchown32": "fchown",
    "_llseek": "lseek", "mmap2": "mmap", "fcntl64": "fcntl", "sendfile64": "sendfile",
    "truncate64": "truncate", "ftruncate64": "ftruncate",
    "statfs64": "statfs", "fstatfs64": "fstatfs",
    "fadvise64_64": "fadvise64", "arm_fadvise64_64": "fadvise64",
    "sync_file_range2": "sync_file_range", "arm_sync_file_range": "sync_file_range",
    # i686: the multiplexers, issued where the build lacks the direct numbers (kernels < 4.3/5.1)
    "socketcall": "socket, socketpair, bind, connect, listen, accept4, shutdown, getsockname, "
                  "getpeername, getsockopt, setsockopt, sendto, recvfrom, sendmsg, recvmsg, "
                  "sendmmsg, recvmmsg",
    "ipc": "shmget, shmat, shmdt, shmctl, msgget, msgsnd, msgrcv, msgctl, semget, semop, "
           "semtimedop, semctl",
}

# Syscall name (of any of the four arches) -> why linuxsys does not wrap it.
NOT_IMPLEMENTED: dict[str, str] = {
    # owned by the C library or the interpreter
    "brk": _LIBC + " (malloc); use mmap",
    "set_tid_address": _LIBC,
    "set_robust_list": "the C library's: glibc registers each thread's robust-mutex list at "
                       "thread start; replacing it orphans glibc's robust mutexes",
    "get_robust_list": "the C library's: a pointer into glibc's thread data, with nothing safe "
                       "to do with it from Python",
    "rseq": _LIBC, "rseq_slice_yield": _LIBC + " (an rseq time-slice extension)",
    "arch_prctl": _LIBC + " (the FS/GS base of x86_64 TLS)",
    "set_thread_area": _LIBC + " (x86 TLS)", "get_thread_area": _LIBC + " (x86 TLS)",
    "modify_ldt": _LIBC + " (x86 segment descriptors)",
    "map_shadow_stack": _LIBC + " (shadow stacks of control-flow enforcement)",
    "exit": "ends the calling thread without the interpreter's cleanup: use os._exit, or "
            "exit_group (L.exit_group) in a child",
    "restart_syscall": "kernel-internal: issued by the kernel's own signal-return path",
    "uprobe": "kernel-internal: the uprobe trampoline's call, valid only from it",
    "uretprobe": "kernel-internal: the uretprobe trampoline's call, valid only from it",
    # conflicts with the interpreter
    "rt_sigaction": _SIGNALS, "sigaction": _SIGNALS, "signal": _SIGNALS,
    "rt_sigreturn": _SIGNALS, "sigreturn": _SIGNALS,
    "sigaltstack": _SIGNALS + " (CPython installs its own alternate stack for faulthandler)",
    "vfork": "the child would run Python on the parent's stack and memory: use clone/clone3 "
             "(L.clone) or os.fork",
    "fork": "os.fork runs the interpreter's at-fork handlers, which a raw fork skips: use os.fork, "
            "or clone/clone3 (L.clone) with SIGCHLD",
    "pause": "use rt_sigsuspend (L.sigsuspend) or signal.pause",
    # superseded: the newer call does the whole job (and is what the named linuxsys function issues)
    "open": _by("openat", " (L.open issues openat)"), "creat": _by("openat", " (L.open)"),
    "stat": _by("statx", " (L.stat)"), "lstat": _by("statx", " (L.lstat)"),
    "fstat": _by("statx", " (L.fstat)"), "newfstatat": _by("statx", " (L.fstatat)"),
    "stat64": _by("statx", " (L.stat)"), "lstat64": _by("statx", " (L.lstat)"),
    "fstat64": _by("statx", " (L.fstat)"), "fstatat64": _by("statx", " (L.fstatat)"),
    "oldstat": _by("statx", " (L.stat)"), "oldlstat": _by("statx", " (L.lstat)"),
    "oldfstat": _by("statx", " (L.fstat)"),
    "access": _by("faccessat2", " (L.access)"),
    "chmod": _by("fchmodat", " (L.chmod)"),
    "chown": _by("fchownat", " (L.chown)"), "lchown": _by("fchownat", " (L.lchown)"),
    "chown32": _by("fchownat", " (L.chown)"), "lchown32": _by("fchownat", " (L.lchown)"),
    "link": _by("linkat", " (L.link)"), "symlink": _by("symlinkat", " (L.symlink)"),
    "unlink": _by("unlinkat", " (L.unlink)"), "rmdir": _by("unlinkat", " (L.rmdir)"),
    "mkdir": _by("mkdirat", " (L.mkdir)"), "mknod": _by("mknodat", " (L.mknod)"),
    "readlink": _by("readlinkat", " (L.readlink)"),
    "rename": _by("renameat2", " (L.rename)"), "renameat": _by("renameat2", " (L.renameat2)"),
    "utime": _by("utimensat", " (L.utimensat)"), "utimes": _by("utimensat", " (L.utimensat)"),
    "futimesat": _by("utimensat", " (L.utimensat)"),
    "getdents": _by("getdents64", " (L.getdents64, L.readdir)"),
    "readdir": _by("getdents64", " (L.readdir)"),
    "dup2": _by("dup3", " (L.dup(old, new), L.dup2)"),
    "pipe": _by("pipe2", " (L.pipe)"),
    "preadv": _by("preadv2", " (flags 0)"), "pwritev": _by("pwritev2", " (flags 0)"),
    "epoll_create": _by("epoll_create1"), "epoll_wait": _by("epoll_pwait", " (L.epoll_wait)"),
    "epoll_ctl_old": _NEVER, "epoll_wait_old": _NEVER,
    "eventfd": _by("eventfd2", " (L.eventfd)"), "inotify_init": _by("inotify_init1"),
    "signalfd": _by("signalfd4", " (L.signalfd)"),
    "poll": _by("ppoll", " (L.poll)"),
    "accept": _by("accept4", " (L.accept)"),
    "send": _by("sendto", " (L.send)"), "recv": _by("recvfrom", " (L.recv)"),
    "waitpid": _by("wait4", " (L.wait4)"),
    "getrlimit": _by("prlimit64", " (L.prlimit)"), "setrlimit": _by("prlimit64", " (L.prlimit)"),
    "ugetrlimit": _by("prlimit64", " (L.prlimit)"), "ulimit": _by("prlimit64", " (L.prlimit)"),
    "nice": _by("setpriority"),
    "getpgrp": _by("getpgid", " (L.getpgid(0))"),
    "select": _by("pselect6", " (L.select, L.pselect6)"),
    "_newselect": _by("pselect6", " (L.select, L.pselect6)"),
    "alarm": _by("setitimer", " (L.setitimer with ITIMER.REAL), or signal.alarm"),
    "time": _by("clock_gettime", " (CLOCK_REALTIME)"), "ftime": _REMOVED,
    "stime": _by("clock_settime"), "settimeofday": _by("clock_settime", " (and the timezone "
                                                                         "it also sets is obsolete)"),
    "nanosleep": _by("clock_nanosleep", " (L.nanosleep issues it with CLOCK_MONOTONIC)"),
    "olduname": _by("uname"), "oldolduname": _by("uname"),
    "umount": _by("umount2", " (flags 0)"),
    "sigpending": _by("rt_sigpending"), "sigprocmask": _by("rt_sigprocmask"),
    "sigsuspend": _by("rt_sigsuspend"),
    "sgetmask": _by("rt_sigprocmask"), "ssetmask": _by("rt_sigprocmask"),
    "remap_file_pages": "deprecated since Linux 3.16 (emulated with separate mappings): use mmap "
                        "with MAP_FIXED over a Mapping's range",
    # removed or never implemented
    "afs_syscall": _NEVER, "tuxcall": _NEVER, "security": _NEVER, "vserver": _NEVER,
    "getpmsg": _NEVER, "putpmsg": _NEVER, "break": _NEVER, "gtty": _NEVER, "stty": _NEVER,
    "lock": _NEVER, "mpx": _NEVER, "prof": _NEVER, "profil": _NEVER, "idle": _REMOVED,
    "create_module": _REMOVED + " (2.6)", "get_kernel_syms": _REMOVED + " (2.6)",
    "query_module": _REMOVED + " (2.6)", "nfsservctl": _REMOVED + " (3.1)",
    "bdflush": _REMOVED + " (5.15; a no-op before)", "_sysctl": _REMOVED + " (5.5): use /proc/sys",
    "uselib": "a.out shared-library loader, compiled out of current kernels (CONFIG_USELIB)",
    "lookup_dcookie": _REMOVED + " (6.9)",
    "sysfs": "obsolete: the filesystem types are listed in /proc/filesystems",
    "ustat": "obsolete: use statfs (L.statfs)",
    # machine-specific
    "vm86": "x86 virtual-8086 mode for 16-bit code: nothing a Python program can run there",
    "vm86old": "x86 virtual-8086 mode for 16-bit code: nothing a Python program can run there",
    "ioperm": "x86 port I/O permission: useful only to code that then issues in/out instructions",
    "iopl": "x86 port I/O privilege level: useful only to code that then issues in/out instructions",
    "pciconfig_iobase": "old ARM PCI host bridges: use /sys/bus/pci",
    "pciconfig_read": "old ARM PCI host bridges: use /sys/bus/pci",
    "pciconfig_write": "old ARM PCI host bridges: use /sys/bus/pci",
}


def _this_arch(table: dict[str, str]) -> Mapping[str, str]:
    syscalls = vars(SYS)
    return types.MappingProxyType({n: r for n, r in sorted(table.items()) if n in syscalls})


not_implemented: Mapping[str, str] = _this_arch(NOT_IMPLEMENTED)
"""Every syscall name of this arch that linuxsys does not wrap -> why (read-only)."""

variants: Mapping[str, str] = _this_arch(VARIANTS)
"""Syscall names of this arch that wrappers issue under another name -> those wrappers."""
