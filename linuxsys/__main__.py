"""``python -m linuxsys [--json]``: which wrapped syscalls this kernel lets run here.

Every wrapped syscall is probed through its native helper with arguments that make it fail
before it can act: a bad fd (-1: EBADF), a NULL pointer (EFAULT), an invalid flag or size
(EINVAL, ERANGE), several at once where the call could otherwise change something.  The
result is classified:

* ``-ENOSYS``             -> "unsupported" (this kernel, a seccomp filter returning ENOSYS,
  or the build's headers lack the syscall);
* ``-EPERM`` / ``-EACCES`` -> "blocked": no probe here reaches a permission check, so that
  answer comes from a seccomp filter (or an LSM) refusing the call;
* anything else (the expected errno, or success for calls that cannot fail or act, such as
  getpid) -> "available".

Calls with no argument that fails harmlessly (sync, umask) are not issued: they are reported
"available" if the build knows their number, marked "not probed".

Then every other name of this arch's syscall table is accounted for: issued by a wrapper under
another name (``coverage.VARIANTS``), or not implemented with its reason
(``linuxsys.not_implemented``).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
from typing import Any, Optional, Sequence

from . import __version__
from ._core import U32, U64
from ._native import ffi, lib
from .coverage import not_implemented, variants
from .raw import SYS

AVAILABLE = "available"
UNSUPPORTED = "unsupported"
BLOCKED = "blocked"
NO_PROBE = "no harmless probe"

BAD_FD = -1
NULL = ffi.NULL
# U32: an unsigned flags word with every bit set, unknown bits -> EINVAL
# Outputs of helpers that flatten a struct (statx, statfs, lseek): written only on success.
_OUT = ffi.new("int64_t[]", max(lib.LS_ST_COUNT, lib.LS_SF_COUNT, lib.LS_SI_COUNT))
BAD_CLOCK = 0x7FFFFFFF  # beyond the kernel's clock table: EINVAL
# utimensat times with nanoseconds out of range (EINVAL), should the flags check ever pass.
_BAD_TIMES = ffi.new("int64_t[4]", [0, 10**9, 0, 10**9])

# Out-arguments the socket helpers write or read (an address length, a control length, flags),
# and an address of zeros (qemu-user reads an address's family before the fd: NULL kills it).
_SOCKADDR = ffi.new("char[128]")
_SOCKLEN = ffi.new("unsigned int *")
_SIZE0 = ffi.new("size_t *")
_INT = ffi.new("int *")

# family -> syscall -> the arguments of its probe (None: not probed).  The helper is
# lib.ls_<syscall> unless HELPERS names another.
# The comments give the errno Linux 6.x answers when the call is allowed (which of two bad
# arguments is checked first varies between versions; either way nothing happens).
PROBES: dict[str, dict[str, Optional[tuple[Any, ...]]]] = {
    "io": {
        "read": (BAD_FD, NULL, 0),                      # EBADF
        "write": (BAD_FD, NULL, 0),                     # EBADF
        "pread64": (BAD_FD, NULL, 0, 0),                # EBADF
        "pwrite64": (BAD_FD, NULL, 0, 0),               # EBADF
        # one (NULL) iovec: qemu-user returns 0 for an empty vector before checking the fd
        "readv": (BAD_FD, NULL, 1),                     # EBADF
        "writev": (BAD_FD, NULL, 1),                    # EBADF
        "preadv2": (BAD_FD, NULL, 1, 0, 0),             # EBADF
        "pwritev2": (BAD_FD, NULL, 1, 0, 0),            # EBADF
        "lseek": (BAD_FD, 0, lib.SEEK_SET, _OUT),       # EBADF
        "close": (BAD_FD,),                             # EBADF
        "dup": (BAD_FD,),                               # EBADF
        "dup3": (BAD_FD, BAD_FD, 0),                    # EINVAL
        "pipe2": (NULL, -1),                            # EINVAL
        "fcntl": (BAD_FD, lib.F_GETFD, 0),              # EBADF
        "ioctl": (BAD_FD, 0, 0),                        # EBADF
        "sendfile": (BAD_FD, BAD_FD, NULL, 1),          # EBADF
        "splice": (BAD_FD, NULL, BAD_FD, NULL, 1, 0),   # EBADF
        "copy_file_range": (BAD_FD, NULL, BAD_FD, NULL, 1, 0),  # EBADF
        "vmsplice": (BAD_FD, NULL, 0, 0),               # EBADF
    },
    "fs": {
        "openat": (BAD_FD, NULL, 0, 0),                 # EFAULT
        "openat2": (BAD_FD, NULL, 0, 0, U64),           # EINVAL
        "statx": (BAD_FD, NULL, 0, 0, _OUT),            # EFAULT
        "getdents64": (BAD_FD, _OUT, 64),               # EBADF (qemu-user: ENOMEM for NULL)
        "faccessat": (BAD_FD, NULL, 0),                 # EFAULT
        "faccessat2": (BAD_FD, NULL, 0, 0),             # EFAULT
        "fchmodat": (BAD_FD, NULL, 0),                  # EFAULT
        "fchmodat2": (BAD_FD, NULL, 0, -1),             # EINVAL (unknown flags)
        "utimensat": (BAD_FD, NULL, _BAD_TIMES, -1),    # EINVAL
        "readlinkat": (BAD_FD, NULL, NULL, 0),          # EINVAL
        "getcwd": (NULL, 0),                            # ERANGE
        "fadvise64": (BAD_FD, 0, 0, 0),                 # EBADF
        "memfd_create": (NULL, U32),                    # EINVAL
        "statfs": (NULL, _OUT),                         # EFAULT
        "fstatfs": (BAD_FD, _OUT),                      # EBADF
        "name_to_handle_at": (BAD_FD, NULL, NULL, NULL, NULL, -1),  # EINVAL (flags)
        # EBADF (kernels before 6.x check CAP_DAC_READ_SEARCH first: EPERM unprivileged)
        "open_by_handle_at": (BAD_FD, 0, ffi.new("unsigned char[1]"), 1, 0),
        "cachestat": (BAD_FD, 0, 0, NULL, U32),         # EBADF
        "file_getattr": (BAD_FD, NULL, NULL, U32),      # EINVAL (at_flags)
        "file_setattr": (BAD_FD, NULL, 0, 0, 0, 0, U32),  # EINVAL (at_flags)
    },
    "xattr": {
        "getxattr": (NULL, NULL, NULL, 0),              # EFAULT
        "lgetxattr": (NULL, NULL, NULL, 0),             # EFAULT
        "fgetxattr": (BAD_FD, NULL, NULL, 0),           # EFAULT
        "setxattr": (NULL, NULL, NULL, 0, -1),          # EINVAL
        "lsetxattr": (NULL, NULL, NULL, 0, -1),         # EINVAL
        "fsetxattr": (BAD_FD, NULL, NULL, 0, -1),       # EINVAL
        "listxattr": (NULL, NULL, 0),                   # EFAULT
        "llistxattr": (NULL, NULL, 0),                  # EFAULT
        "flistxattr": (BAD_FD, NULL, 0),                # EBADF
        "setxattrat": (BAD_FD, NULL, U32, NULL, NULL, 0, U32),  # EINVAL (at_flags)
        "getxattrat": (BAD_FD, NULL, U32, NULL, NULL, 0),  # EINVAL (at_flags)
        "listxattrat": (BAD_FD, NULL, U32, NULL, 0),    # EINVAL (at_flags)
        "removexattrat": (BAD_FD, NULL, U32, NULL),     # EINVAL (at_flags)
    },
    "signal": {
        "rt_sigprocmask": (-1, NULL, NULL, 0),          # EINVAL (sigsetsize)
        "rt_sigpending": (NULL, U32),                   # EINVAL (sigsetsize)
        "rt_sigsuspend": (NULL, 0),                     # EINVAL (sigsetsize)
        "rt_sigtimedwait": (NULL, _OUT, 0, 0),          # EINVAL (sigsetsize)
        "signalfd4": (BAD_FD, NULL, 0, -1),             # EINVAL (sizemask, flags)
    },
    "time": {
        "clock_settime": (BAD_CLOCK, -1),               # EINVAL (bad clock and bad time)
        "clock_nanosleep": (BAD_CLOCK, 0, -1, NULL),    # EINVAL
        "times": (_OUT,),                               # a getter
        "timerfd_create": (BAD_CLOCK, -1),              # EINVAL (bad clock and flags)
        "timerfd_settime": (BAD_FD, 0, 0, 0, NULL),     # EBADF
        "timerfd_gettime": (BAD_FD, _OUT),              # EBADF
        "timer_create": (BAD_CLOCK, NULL, NULL),        # EINVAL (the clock, checked first)
        "timer_settime": (-1, 0, 0, 0, NULL),           # EINVAL (no timer -1)
        "timer_gettime": (-1, _OUT),                    # EINVAL
        "getitimer": (-1, _OUT),                        # EINVAL (which)
        "setitimer": (-1, 0, 0, NULL),                  # EINVAL (which)
        "adjtimex": (NULL,),                            # EFAULT (never a struct: modes would act)
        "clock_adjtime": (BAD_CLOCK, NULL),             # EFAULT (or EINVAL: the clock)
    },
    "mq": {
        "mq_open": (NULL, 0, 0, NULL),                  # EFAULT (the name)
        "mq_unlink": (NULL,),                           # EFAULT
        "mq_timedsend": (BAD_FD, NULL, 0, 0, -1),       # EBADF
        "mq_timedreceive": (BAD_FD, NULL, 0, NULL, -1),  # EBADF
        "mq_notify": (BAD_FD, NULL),                    # EBADF
        "mq_getsetattr": (BAD_FD, NULL, NULL),          # EBADF
    },
    "cred": {
        "getresuid": (NULL, NULL, NULL),                # EFAULT
        "getresgid": (NULL, NULL, NULL),                # EFAULT
        "getgroups": (-1, NULL),                        # EINVAL
        "setgroups": (-1, NULL),                        # EINVAL (root); EPERM unprivileged
    },
    "sched": {
        "sched_getaffinity": (0, 0, NULL),              # EINVAL
        "sched_setaffinity": (-1, 0, NULL),             # ESRCH
        "sched_setscheduler": (-1, -1, 0),              # EINVAL
        "sched_setparam": (-1, 0),                      # EINVAL
        "sched_getattr": (-1, NULL, 0),                 # EINVAL
        "sched_setattr": (-1, NULL, 0),                 # EINVAL
        "sched_rr_get_interval": (-1, NULL),            # EINVAL
    },
    "memory": {
        "mmap": (0, 0, lib.PROT_NONE, 0, BAD_FD, 0, _OUT),  # EBADF (no MAP_ANONYMOUS: fd first)
        "munmap": (1, 1),                               # EINVAL (unaligned address)
        "mprotect": (1, 1, lib.PROT_NONE),              # EINVAL (unaligned address)
        "madvise": (1, 1, -1),                          # EINVAL
        "msync": (1, 1, -1),                            # EINVAL
        "mlock": (0, 1),                                # ENOMEM (nothing mapped at 0)
        "mlock2": (0, 1, U32),                          # EINVAL (unknown flags)
        "munlock": (0, 1),                              # ENOMEM (nothing mapped at 0)
        "mremap": (1, 1, 1, -1, 0, _OUT),               # EINVAL
        "mincore": (1, 1, NULL),                        # EINVAL (unaligned address)
        "memfd_secret": (U32,),                         # EINVAL (ENOSYS where secretmem is off)
        "process_madvise": (BAD_FD, NULL, 1, -1, U32),  # EINVAL (flags)
        "shmget": (lib.IPC_PRIVATE, 0, 0),              # EINVAL (size 0 < SHMMIN, before creating)
        "shmat": (-1, 1, 0, _OUT),                      # EINVAL (negative id)
        "shmdt": (1,),                                  # EINVAL (unaligned address)
        "shmctl": (-1, -1, NULL, NULL),                 # EINVAL (negative id and cmd)
        "pkey_alloc": (U32, 0),                         # EINVAL (flags)
        "pkey_free": (-1,),                             # EINVAL (no such key)
        "pkey_mprotect": (1, 1, lib.PROT_NONE, -1),     # EINVAL (unaligned address)
        "mseal": (1, 1, 1),                             # EINVAL (unaligned address, flags)
        "set_mempolicy": (-1, NULL, 0),                 # EINVAL (mode)
        "get_mempolicy": (NULL, NULL, 0, 0, U32),       # EINVAL (flags)
        "mbind": (1, 1, -1, NULL, 0, U32),              # EINVAL (unaligned address, mode, flags)
        "migrate_pages": (-1, 0, NULL, NULL),           # ESRCH (no pid -1)
        "move_pages": (-1, 0, NULL, NULL, NULL, -1),    # EINVAL (flags)
        "set_mempolicy_home_node": (1, 1, 0, 1),        # EINVAL (unaligned address, flags)
    },
    "ipc": {
        "msgget": None,  # fails on nothing it checks: IPC_PRIVATE makes a queue, a key may exist
        "msgsnd": (-1, 0, NULL, 0, 0),                  # EINVAL (negative id, type 0)
        "msgrcv": (-1, NULL, 0, 0, 0, ffi.new("long *")),  # EINVAL (negative id)
        "msgctl": (-1, -1, NULL),                       # EINVAL (negative id and cmd)
        "semget": (lib.IPC_PRIVATE, -1, 0),             # EINVAL (nsems < 0, before creating)
        "semop": (-1, NULL, 0),                         # EINVAL (negative id, no operations)
        "semtimedop": (-1, NULL, 0, -1),                # EINVAL (negative id, no operations)
        "semctl": (-1, 0, -1, 0, NULL, NULL),           # EINVAL (negative id and cmd)
    },
    "keys": {
        "add_key": (NULL, NULL, NULL, 0, 0),            # EFAULT (type)
        "request_key": (NULL, NULL, NULL, 0),           # EFAULT (type)
        "keyctl": (lib.KEYCTL_GET_KEYRING_ID, 0, 0, 0, 0),  # EINVAL (key id 0)
    },
    "uffd": {
        # every flag bit, USER_MODE_ONLY included: allowed without privilege, then EINVAL
        "userfaultfd": (-1,),                           # EINVAL (flags)
    },
    "net": {
        "socket": (-1, -1, 0),                          # EINVAL (type; qemu: EAFNOSUPPORT)
        "socketpair": (-1, -1, 0, NULL),                # EINVAL (type; qemu: EAFNOSUPPORT)
        "bind": (BAD_FD, _SOCKADDR, 16),                # EBADF
        "connect": (BAD_FD, _SOCKADDR, 16),             # EBADF
        "listen": (BAD_FD, 0),                          # EBADF
        "accept4": (BAD_FD, NULL, NULL, 0),             # EBADF
        "shutdown": (BAD_FD, 0),                        # EBADF
        "getsockname": (BAD_FD, NULL, _SOCKLEN),        # EBADF
        "getpeername": (BAD_FD, NULL, _SOCKLEN),        # EBADF
        "getsockopt": (BAD_FD, 0, 0, NULL, NULL),       # EBADF (qemu: ENOPROTOOPT)
        "setsockopt": (BAD_FD, 0, 0, NULL, 0),          # EBADF (qemu: ENOPROTOOPT)
        "sendto": (BAD_FD, NULL, 0, 0, NULL, 0),        # EBADF
        "recvfrom": (BAD_FD, NULL, 0, 0, NULL, NULL),   # EBADF
        "sendmsg": (BAD_FD, NULL, 0, NULL, 0, NULL, 0, 0),  # EBADF
        "recvmsg": (BAD_FD, NULL, 0, NULL, _SOCKLEN, NULL, _SIZE0, 0, _INT),  # EBADF
        "sendmmsg": (BAD_FD, NULL, NULL, NULL, 0, 0),   # EBADF
        "recvmmsg": (BAD_FD, NULL, 0, 0, -1, _OUT),     # EBADF
    },
    # Every probe of these fails before it could mount, unshare or join anything: unknown
    # flag bits are checked first (EINVAL), then the NULL paths (EFAULT), the bad fds (EBADF).
    # unshare, setns, umount2, pivot_root and move_mount: in their declarations (cdefs).
    "ns": {
        "sethostname": (NULL, U32),                     # EINVAL (length -1 as int)
        "setdomainname": (NULL, U32),                   # EINVAL (length -1 as int)
        "listns": (U32, 0, 0, NULL, 0, U32),            # EINVAL (flags, type)
    },
    "mount": {
        "mount": (NULL, NULL, NULL, 0, NULL),           # EFAULT (target)
        "fsopen": (NULL, U32),                          # EINVAL (flags)
        "fsconfig": (BAD_FD, U32, NULL, NULL, 0),       # EINVAL (cmd)
        "fsmount": (BAD_FD, U32, 0),                    # EINVAL (flags)
        "fspick": (BAD_FD, NULL, U32),                  # EINVAL (flags)
        "open_tree": (BAD_FD, NULL, U32),               # EINVAL (flags)
        "open_tree_attr": (BAD_FD, NULL, U32, 0, 0, 0, 0, -1),  # EINVAL (flags)
        "mount_setattr": (BAD_FD, NULL, U32, 0, 0, 0, -1),  # EINVAL (flags)
        "statmount": (0, 0, NULL, 0, _OUT),             # EINVAL (id 0; a NULL buffer: EFAULT)
        "listmount": (0, 0, NULL, 0, U32),              # EINVAL (flags)
    },
    # prctl's own probe is in its declaration (cdefs/security.h): option -1, EINVAL.
    "security": {
        "capget": (NULL, NULL),                         # EFAULT
        "capset": (NULL, NULL),                         # EFAULT
        "lsm_list_modules": (NULL, NULL, U32),          # EINVAL (flags; before 6.8: ENOSYS)
        "lsm_get_self_attr": (0, NULL, NULL, U32),      # EINVAL
        "lsm_set_self_attr": (0, NULL, 0, U32),         # EINVAL
    },
    # landlock_restrict_self's probe is in its declaration: a bad fd, EBADF (unprivileged
    # without no_new_privs the EPERM check comes first: shown "blocked").
    "landlock": {
        "landlock_create_ruleset": (0, 0, 0, lib.LANDLOCK_CREATE_RULESET_VERSION),  # the ABI
        "landlock_add_rule": (BAD_FD, 0, BAD_FD, 0),    # EBADF
    },
    # no request acts on pid -1 (no such process): ESRCH before anything is done
    "ptrace": {
        "ptrace": (-1, -1, 0, 0),                       # ESRCH
    },
    "seccomp": {
        "seccomp": (U32, 0, NULL),                      # EINVAL (operation)
    },
    # io_uring_register(-1, ...) is the "no ring" form since 6.11: EINVAL (before: EBADF)
    "uring": {
        "io_uring_setup": (0, NULL),                    # EFAULT
        "io_uring_enter": (BAD_FD, 0, 0, 0, NULL, 0),   # EBADF
        "io_uring_register": (BAD_FD, 0, NULL, 0),      # EINVAL (EBADF)
    },
    # Machine-wide calls: each probe fails on an argument checked right after the capability
    # (unprivileged: EPERM, shown "blocked"); swapon, swapoff, finit_module, delete_module and
    # vhangup are in their declarations (cdefs/system.h).  Never acct(NULL): accounting off.
    "system": {
        "syslog": (-1, NULL, 0),                        # EINVAL (action)
        "acct": (ffi.cast("const char *", 1),),         # EFAULT (the name)
        "reboot": (0, 0, 0, NULL),                      # EINVAL (magic)
        "kexec_load": (0, 0, NULL, U32),                # EINVAL (flags)
        "kexec_file_load": (BAD_FD, BAD_FD, 0, NULL, U32),  # EINVAL (flags)
        "init_module": (NULL, 4096, NULL),              # EFAULT (the image)
    },
    "bpf": {
        "bpf": (-1, NULL, 0),                           # EINVAL (command)
    },
    "perf": {
        "perf_event_open": (NULL, 0, -1, -1, U32),      # EINVAL (flags, checked first)
    },
    # Linux AIO: context id 0 is never a context (EINVAL); io_cancel reads the iocb first
    "kaio": {
        "io_setup": (0, NULL),                          # EINVAL (nr_events 0)
        "io_destroy": (0,),                             # EINVAL
        "io_submit": (0, 0, NULL),                      # EINVAL
        "io_getevents": (0, 0, 0, NULL, 0),             # EINVAL
        "io_pgetevents": (0, 0, 0, NULL, 0, NULL),      # EINVAL
        "io_cancel": (0, NULL, NULL),                   # EFAULT
    },
    # quota type 0xFF is past MAXQUOTAS: EINVAL before the device or fd is looked at
    "quota": {
        "quotactl": (0xFF, NULL, 0, NULL),              # EINVAL
        "quotactl_fd": (BAD_FD, 0xFF, 0, NULL),         # EINVAL (or EBADF)
    },
    # futex words at address 0, with a zero bitset or mask, or flags the kernel refuses (and a
    # timeout of 0 besides): EINVAL before any word is read
    "sync": {
        "futex": (0, lib.FUTEX_WAIT_BITSET, 0, 0, 0, 0, 0),  # EINVAL (bitset 0)
        "futex_waitv": (NULL, 0, 0, -1, lib.CLOCK_MONOTONIC),  # EINVAL (no waiters)
        "futex_wake": (0, 0, 0, 0),                     # EINVAL (size U8, mask 0)
        "futex_wait": (0, 0, 0, 0, 0, lib.CLOCK_MONOTONIC),  # EINVAL (size U8, mask 0)
        "futex_requeue": (NULL, 1, 0, 0),               # EINVAL (flags)
    },
    "event": {
        "epoll_create1": (-1,),                         # EINVAL
        "epoll_ctl": (BAD_FD, lib.EPOLL_CTL_ADD, BAD_FD, 0, 0),  # EBADF
        "epoll_pwait": (BAD_FD, _OUT, 1, 0, NULL),      # EBADF (epoll_wait too)
        "epoll_pwait2": (BAD_FD, _OUT, 1, 0, NULL),     # EBADF
        # no fds and a zero timeout: returns 0 at once.  Never NULL with nfds > 0: ls_ppoll
        # packs the fds array in place before the call.
        "ppoll": (NULL, 0, 0, NULL),                    # no effect
        # no fds, no wait; the sigset at address 1 is read first
        "pselect6": (NULL, 0, 0, 0, NULL, 0, ffi.cast("uint64_t *", 1)),  # EFAULT
        "eventfd2": (0, -1),                            # EINVAL
        "inotify_init1": (-1,),                         # EINVAL
        # REPORT_FID passes the capability check for non-root on Linux >= 5.13 (older: EPERM,
        # shown "blocked"); all-ones event_f_flags then fail before any fd exists
        "fanotify_init": (lib.FAN_REPORT_FID, U32),     # EINVAL
    },
    "process": {
        "clone": None,  # no harmless probe: the interpreter's fork hooks run before the syscall
        "clone3": None,  # likewise
        "execve": (NULL, NULL, NULL),                   # EFAULT
        "execveat": (BAD_FD, NULL, NULL, NULL, -1),     # EFAULT (or EINVAL: flags)
        "exit_group": None,  # no harmless probe: it cannot fail
        "wait4": (0, NULL, U32, NULL),                  # EINVAL
        "waitid": (lib.P_ALL, 0, U32, NULL, NULL),      # EINVAL
        "getrusage": (-99, NULL),                       # EINVAL
        "pidfd_send_signal": (BAD_FD, 0, NULL, U32),    # EINVAL
        "prlimit64": (0, U32, NULL, NULL),              # EINVAL
        "getpriority": (-1, 0),                         # EINVAL
        "uname": (NULL,),                               # EFAULT
        "sysinfo": (NULL,),                             # EFAULT
        "getrandom": (NULL, 0, U32),                    # EINVAL
        "getcpu": (NULL, NULL, NULL),                   # no effect: NULL outputs
        "process_vm_readv": (0, NULL, 0, NULL, 0, U32),  # EINVAL
        "process_vm_writev": (0, NULL, 0, NULL, 0, U32),  # EINVAL
        "kcmp": (0, 0, -1, 0, 0, NULL),                 # ESRCH (no pid 0): it only compares
        "getpid": (),
        "getppid": (),
        "gettid": (),
        "getuid": (),
        "geteuid": (),
        "getgid": (),
        "getegid": (),
    },
}

# Plain syscalls carry their probe in their declaration (cdefs/<family>.h, generated into
# linuxsys/_sys_<family>.py).
for _family, _table in PROBES.items():
    try:
        _generated = importlib.import_module(f"linuxsys._sys_{_family}")
    except ModuleNotFoundError as e:
        if e.name != f"linuxsys._sys_{_family}":
            raise
        continue
    _table.update(_generated.PROBES)

# Probes that succeed and change nothing (getters, "leave as it is" arguments).  Every other
# probe must fail with a harmless errno before the call does anything (tests/test_main.py).
NO_EFFECT = {"landlock_create_ruleset", "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid",
             "gettimeofday", "times", "setresuid", "setresgid", "setreuid", "setregid",
             "setfsuid", "setfsgid", "sched_yield", "personality", "getcpu", "ppoll"}

# Syscalls whose helper has another name (ls_fadvise issues fadvise64, or fadvise64_64 or
# arm_fadvise64_64 on 32-bit arches).
HELPERS = {"fadvise64": "fadvise", "landlock_add_rule": "landlock_add_rule_path_beneath"}

# Native helpers (without "ls_") that are not a syscall of their own, so not probed (and not counted).
EXCLUDED = {
    "namespaces": "the build's flag-namespace table, not a syscall",
    "argspec": "the build's table of argument notes for the trace, not a syscall",
    "syscall6": "the raw syscall(2) entry behind L.syscall, not one syscall",
    "getdents_names": "getdents64 again, compacted in C",
    "dir_read": "getdents64 again, names and fields packed in C (readdir, scandir)",
    "dir_split": "getdents64 again, directories first (walk)",
    "statx_many": "statx again, in a C loop over many names",
    "fcntl_ptr": "fcntl again, with a pointer argument",
    "ioctl_ptr": "ioctl again, with a pointer argument",
    "read16": "read again, of at most 65535 bytes (read's fast path)",
    "getrandom16": "getrandom again, of at most 65535 bytes (getrandom's fast path)",
    "fstat": "statx again, with AT_EMPTY_PATH (fstat's fast path)",
    "signalfd_read": "read again: signalfd records flattened in C (poll(2) between reads)",
    "inotify_read": "read again: inotify records parsed in C",
    "epoll_wait": "epoll_pwait again, without a mask (Epoll.poll's fast path)",
    "epoll_poll0": "epoll_pwait again, timeout 0 (Epoll.poll(0), the GIL kept)",
    "eventfd_read": "read again: an eventfd's counter as the result",
    "eventfd_parked": "no syscall: a counter eventfd_read parked",
    "eventfd_write": "write again: an eventfd's counter from an argument",
    "fanotify_read": "read again: fanotify records parsed in C",
    "cmsg_space": "no syscall: CMSG_SPACE of a control message payload",
    "cmsg_put": "no syscall: a control message written into a buffer",
    "cmsg_rows": "no syscall: the control messages of a received buffer",
    "cmsg_timespec_ns": "no syscall: a timestamp payload in ns",
    "sock_timeo_get": "getsockopt again: SO_RCVTIMEO/SO_SNDTIMEO in ns",
    "sock_timeo_set": "setsockopt again: SO_RCVTIMEO/SO_SNDTIMEO in ns",
    "tcp_info": "getsockopt again: TCP_INFO flattened",
    "tcp_info_fields": "no syscall: the names of TCP_INFO's fields",
    "mmsg_setup": "no syscall: recvmmsg's arrays pointed at their buffers",
    "if_nametoindex": "the C library's interface name lookup (ioctl SIOCGIFINDEX)",
    "if_indextoname": "the C library's interface name lookup (ioctl SIOCGIFNAME)",
    "send": "sendto again, without an address (send's fast path)",
    "recv": "recvfrom again, without an address (recv's fast path)",
    "nlmsg_rows": "no syscall: the netlink messages of a received buffer",
    "nla_rows": "no syscall: the netlink attributes of a payload",
    "force_socketcall": "no syscall: routes the socket calls through socketcall (i686 tests)",
    "ipc_force_multiplexer": "no syscall: routes the SysV calls through ipc(2) (i686 tests)",
    "prctl_str": "prctl again, with a string argument",
    "prctl_out": "prctl again, with a pointer argument",
    "landlock_add_rule_net_port": "landlock_add_rule again, a net port rule",
    "ptrace_ptr": "ptrace again, with a pointer argument",
    "ptrace_getsiginfo": "ptrace again: PTRACE_GETSIGINFO flattened",
    "seccomp_filter": "seccomp again: installs a filter (no_new_privs first)",
    "io_uring_enter_ns": "io_uring_enter again, with a timeout in ns",
    "ring_setup": "io_uring_setup again, and the ring's mmaps",
    "ring_exit": "no syscall of its own: munmap and close of a ring",
    "ring_space": "no syscall: the free entries of a submission queue",
    "ring_ready": "no syscall: the completions a ring holds",
    "ring_prep": "no syscall: an SQE filled in place",
    "ring_prep_rw": "no syscall: a read/write SQE filled in place",
    "ring_prep_batch": "no syscall: many SQEs filled in place",
    "ring_submit": "io_uring_enter again, for a Ring",
    "ring_reap": "no syscall: completions copied out of the ring",
    "ring_run_batch": "io_uring_enter again: a whole batch prepared, submitted and reaped",
    "ring_sq_flags": "no syscall: a submission queue's flags word",
    "ring_statx_flat": "no syscall: a struct statx flattened",
    "aio_prep": "no syscall: an iocb filled in place",
    "aio_submit": "io_submit again, of every queued iocb",
}


def classify(result: int) -> str:
    """What a probe's result (a value or -errno) says about the syscall."""
    if result == -lib.ENOSYS:
        return UNSUPPORTED
    if result == -lib.EPERM or result == -lib.EACCES:
        return BLOCKED
    return AVAILABLE


def helper(name: str) -> str:
    """The native helper that issues syscall ``name``."""
    return "ls_" + HELPERS.get(name, name)


def probe(name: str, args: Optional[tuple[Any, ...]]) -> str:
    """Issue one harmless probe and classify it; an unprobed call is judged by its number."""
    if args is None:
        return AVAILABLE if hasattr(lib, "SYS_" + name) else UNSUPPORTED
    return classify(getattr(lib, helper(name))(*args))


def probe_all() -> dict[str, dict[str, str]]:
    """family -> syscall -> "available" | "unsupported" | "blocked"."""
    return {family: {name: probe(name, args) for name, args in table.items()}
            for family, table in PROBES.items()}


def report() -> dict[str, Any]:
    """Everything ``python -m linuxsys`` prints, as the JSON object ``--json`` emits."""
    families = probe_all()
    statuses = [s for table in families.values() for s in table.values()]
    wrapped = {name for table in families.values() for name in table}
    table = sorted(vars(SYS))
    return {
        "version": __version__,
        "arch": platform.machine(),
        "kernel": os.uname().release,
        "families": families,
        "not_probed": {name: NO_PROBE for table in PROBES.values()
                       for name, args in table.items() if args is None},
        "available": statuses.count(AVAILABLE),
        "total": len(statuses),
        # every name of this arch's table: wrapped, issued by a wrapper, or not implemented
        "syscalls": len(table),
        "wrapped": sum(n in wrapped for n in table),
        "variants": dict(variants),
        "not_implemented": dict(not_implemented),
        "unaccounted": [n for n in table
                        if n not in wrapped and n not in variants and n not in not_implemented],
        "not_on_this_arch": sorted(n for n in wrapped if not hasattr(SYS, n)),
    }


def render(rep: dict[str, Any]) -> str:
    """The human-readable form of report()."""
    lines = [f"linuxsys {rep['version']}", f"arch     {rep['arch']}",
             f"kernel   {rep['kernel']}"]
    width = max(len(n) for table in rep["families"].values() for n in table)
    for family, table in rep["families"].items():
        lines += ["", f"{family}:"]
        for name, status in table.items():
            note = f" (not probed: {rep['not_probed'][name]})" if name in rep["not_probed"] else ""
            lines.append(f"  {name:<{width}}  {status}{note}")
    sections = [("issued by a wrapper under another name", {n: "by " + w for n, w in rep["variants"].items()}),
                ("not implemented", rep["not_implemented"]),
                ("wrapped, not in this arch's table (done another way, or unsupported)",
                 dict.fromkeys(rep["not_on_this_arch"], "")),
                ("in this arch's table, not accounted for", dict.fromkeys(rep["unaccounted"], ""))]
    for title, names in sections:
        if names:
            width = max(len(n) for n in names)
            lines += ["", f"{title}:"] + [f"  {n:<{width}}  {why}".rstrip() for n, why in names.items()]
    lines += ["", f"{rep['arch']}: {rep['syscalls']} syscalls: {rep['wrapped']} wrapped, "
                  f"{len(rep['variants'])} issued by wrappers, "
                  f"{len(rep['not_implemented'])} not implemented"
                  + (f", {len(rep['unaccounted'])} not accounted for" if rep["unaccounted"] else ""),
              f"{rep['available']} of {rep['total']} syscalls available"]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m linuxsys",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Report which wrapped syscalls this kernel (and any seccomp filter) "
                    "lets run, probed with harmless arguments, and account for every other "
                    "syscall of this arch.",
        epilog="""statuses, per family:
  available    the probe reached the kernel's own argument checks (or the call cannot fail)
  unsupported  ENOSYS: the kernel is too old, a seccomp filter answers ENOSYS, or the
               build's headers lack the number
  blocked      EPERM/EACCES, which no probe provokes: a seccomp filter or an LSM refuses it

then every other syscall name of this arch's table: issued by a wrapper under another name
(the *_time64 and *32 twins of 32-bit arches, multiplexers), or not implemented, with the
reason and the function that does the job (linuxsys.not_implemented); the summary counts them.""")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    opts = parser.parse_args(argv)
    rep = report()
    print(json.dumps(rep, indent=2) if opts.json else render(rep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
