"""Crash fuzz of every public callable of linuxsys (issue 7, "Tests that must join the suite").

Every public function, every method of Fd, Epoll, Inotify, Mapping, SignalFd and the other
public classes, every constructor, public attribute and flag namespace (fuzz_worker.inventory)
is called with hostile arguments -- ints at every C boundary, None, floats, NUL strings, long
strings, odd buffers (empty, read-only, non-contiguous, 2-D, released memoryviews, cffi views
of bytes), closed Fds, fds of other kinds, objects whose fileno()/__index__/__fspath__ raise
or lie, members of the wrong namespace, unknown flag names -- in subprocesses running
``python -X dev`` under ``PYTHONMALLOC=debug`` (tests/fuzz_worker.py).  A finding is: a crash
(a signal: PYTHONMALLOC=debug turns a write past a buffer into SIGABRT), a hang of a call not
documented to block, an exception outside TypeError, ValueError, OverflowError, OSError and
BufferError (and their subclasses; MemoryError only for sizes >= 64 MiB, IndexError only from
indexing), a caller's buffer still exported after the call returned or raised (issue 7 defect
2), a bytes object the kernel wrote into (defect 7), a live Mapping a placing call replaced
(defect 4: it is read after the call), an exception in __del__.
One test per module (``test_fuzz[io]`` ...) fails listing its findings, with how to replay
each one.

Modes, by environment variable:

    LINUXSYS_FUZZ=default   (unset) a fixed sample of calls per target, ~2-3 minutes natively,
                            1/8 of it under qemu-user (XARCH_EMULATED=1)
    LINUXSYS_FUZZ=long      20 times the calls (local runs: half an hour or so)
    LINUXSYS_FUZZ=off       skip the fuzz (the inventory checks still run)
    LINUXSYS_FUZZ_SEED=S    another sample than seed 0;  LINUXSYS_FUZZ_CALLS=N calls per target
    LINUXSYS_FUZZ_ONLY=a,b  only these targets (names as in the findings: read, Fd.read, Epoll())

Replay one finding (each finding prints its command): ``python3 -X dev tests/fuzz_worker.py
TARGET --seed S --first N --calls N+1 -v`` makes call N of TARGET alone; ``--first 0`` makes
the calls before it too, for findings that need the state they left.

SAFETY.  We run as root on shared machines, so what the fuzz may pass is bounded (the pools in
fuzz_worker.py): paths are relative names inside the worker's own temporary directory,
"/nonexistent/..." or malformed; pid-like arguments are 0, the calling process, the worker's
own child, a reaped pid, or values whose 32- and 64-bit truncations are one of these or no
process at all (nothing converts to 1); SysV ids are the worker's own (IPC_PRIVATE), removed
when its batch ends (by creator pid, in /proc/sysvipc/shm); ioctl requests and fcntl commands
come from a list of harmless ones; the worker's stdin is a pipe at end of file (never
/dev/null or a terminal), it runs in its own session, under RLIMIT_AS (natively) and
RLIMIT_FSIZE, and what EXCLUDED below names is never called.
"""
from __future__ import annotations

import collections
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import linuxsys as L
from conftest import EMULATED

sys.path.insert(0, str(Path(__file__).parent))
import fuzz_worker  # noqa: E402

# ---- what is never called, and why -------------------------------------------------------------

EXCLUDED = {
    "syscall": "raw syscall: any number with any pointer (unsafe by contract)",
    "clone": "forks a copy of the worker that would run the rest of the batch",
    "clone3": "forks a copy of the worker that would run the rest of the batch",
    "execve": "replaces the worker",
    "execveat": "replaces the worker",
    "exit_group": "ends the worker",
    "kill": "sends signals: as root kill(-1, SIGKILL) ends every process of the machine",
    "tgkill": "sends signals to other threads and processes (see kill)",
    "tkill": "sends signals to other threads and processes (see kill)",
    "rt_sigqueueinfo": "queues signals to other processes (see kill)",
    "rt_tgsigqueueinfo": "queues signals to other processes (see kill)",
    "pidfd_send_signal": "sends signals through pidfds (see kill)",
    "clock_settime": "sets the machine's clock",
    "chroot": "changes the root directory",
    "process_vm_writev": "writes into a process's memory at raw addresses",
    "sigsuspend": "waits for a signal with no timeout: it can only hang",
    "sigwaitinfo": "waits for a signal with no timeout: it can only hang",
    "write_id_maps": "writes the id maps of another process (any pid)",
    "io_uring_register": "raw addresses in arg (unsafe by contract)",
    "prep_close": "closes fds by number when submitted: the worker's own",
    "io_submit": "raw iocb addresses (unsafe by contract)",
    "io_cancel": "raw iocb addresses (unsafe by contract)",
    "io_setup": "takes from the machine-wide aio-max-nr until the worker exits",
    "bpf_map_create": "as root allocates whatever kernel memory its sizes ask (an 8 GiB array)",
    "quotactl_fd": "as root Q_QUOTAOFF/SETQUOTA/SETINFO change the filesystem's quota state",
    "open_by_handle_at": "as root opens any inode of the mount by number (O_TRUNC too)",
    "file_setattr": "as root sets IMMUTABLE/APPEND: files nobody can remove",
    "setitimer": "arms SIGALRM/SIGVTALRM/SIGPROF, which kill the worker",
    "mq_open": "creates queues that outlive the worker",
    "mq_unlink": "removes any queue by name",
    "ioprio_set": "changes the I/O priority of other processes (PGRP, USER, any pid) for good",
    "uffdio_register": "registering the worker's memory makes its own later access wait for ever",
    # SysV ids are random numbers: msgctl/semctl could remove other processes' objects, and
    # msgget/semget objects record no creator pid for the batch's cleanup
    "msgget": "SysV queues: no creator pid to clean up by; others' ids (see the comment)",
    "msgsnd": "SysV queues of other processes (random ids)",
    "msgrcv": "SysV queues of other processes (random ids)",
    "msgctl": "removes or changes SysV queues of other processes (random ids)",
    "semget": "SysV semaphores: no creator pid to clean up by",
    "semop": "SysV semaphores of other processes (random ids)",
    "semtimedop": "SysV semaphores of other processes (random ids)",
    "semctl": "removes or changes SysV semaphores of other processes (random ids)",
}
# Names other families may add (matched on the last component: Fd.execveat is execveat).
EXCLUDED_PATTERNS = [
    (r"^(fork|vfork|clone\d*)$", "forks a copy of the worker"),
    (r"^(exec\w*|fexecve)$", "replaces the worker"),
    (r"^(_?exit|exit_group)$", "ends the worker"),
    (r"kill$|sigqueue|send_signal", "sends signals (see kill)"),
    (r"mount|pivot_root|^unshare$|^setns$|^fs(open|config|mount|pick)$|^open_tree(_attr)?$",
     "changes mounts or namespaces of the machine"),
    (r"reboot|kexec", "reboots the machine"),
    (r"hostname|domainname", "renames the machine"),
    (r"^(ptrace\w*|process_vm_writev)$", "traces or writes another process (any pid)"),
    (r"^(seccomp|landlock_restrict_self|restrict_self|load)$",
     "sandboxes the worker for good (seccomp filters, landlock)"),
    (r"settime|adjtime|settimeofday|^stime$", "sets the machine's clock (or arms timers)"),
    (r"^(add_key|request_key|keyctl\w*)$", "keyrings every root process shares"),
    (r"^(swapon|swapoff|(f?init|delete)_module|acct|quotactl|syslog|klogctl|vhangup|iopl|"
     r"ioperm|bpf|perf_event_open|keyctl|add_key|request_key|migrate_pages|move_pages|"
     r"set_mempolicy|mbind|nfsservctl|sysctl|chroot)$", "machine-wide state"),
]

# Run in a fresh child per call: they change the process (fds 0-2 and the worker's own,
# credentials, limits, signal mask, cwd, scheduling) for every call after them.
FORKED = {
    "close", "close_range", "dup", "dup2", "dup3", "chdir", "fchdir", "umask", "setuid",
    "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid",
    "setgroups", "setsid", "setpgid", "setrlimit", "prlimit", "personality", "sigprocmask",
    "sched_setaffinity", "sched_setscheduler", "sched_setparam", "sched_setattr",
    "setpriority", "mlockall", "munlockall", "wait4", "waitid", "trace",
    # security state of the calling process only (another pid: EPERM); a huge timer slack
    # would delay every later timed wait of the worker
    "prctl", "capset", "pr_set_no_new_privs", "pr_set_name", "pr_set_pdeathsig",
    "pr_set_dumpable", "pr_set_child_subreaper", "pr_set_keepcaps", "pr_set_securebits",
    "pr_cap_ambient_raise", "pr_cap_ambient_lower", "pr_cap_ambient_clear_all",
    "pr_capbset_drop", "pr_set_timerslack", "pr_set_thp_disable", "pr_set_speculation_ctrl",
    "lsm_set_self_attr",
    # memory state of the worker for good: seals, protection keys, NUMA home node; signals
    "mseal", "pkey_mprotect", "pkey_alloc", "pkey_free", "set_mempolicy_home_node", "mq_notify",
    # constructors that adopt an fd: Fd(n) of a fixture's number is a second owner
    "Fd", "SignalFd", "ScandirIterator",
}
# Documented to wait (or to take long: sync): a timeout there is not a finding.
BLOCKING = {
    "read", "readinto", "readv", "preadv2", "pread", "write", "writev", "pwritev2", "pwrite",
    "read_value", "write_value", "epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll",
    "sigtimedwait", "nanosleep", "clock_nanosleep", "wait4", "waitid", "flock", "fcntl",
    "splice", "tee", "sendfile", "copy_file_range", "fanotify_read", "inotify_read",
    "read_events", "__iter__", "signalfd_read", "eventfd_read", "eventfd_write",
    "timerfd_read", "sync", "syncfs", "fsync", "fdatasync", "sync_file_range", "msync",
    "mlockall", "open", "openat", "openat2",
    "accept", "accept4", "connect", "send", "sendto", "sendmsg", "send_fds", "sendmmsg",
    "recv", "recv_into", "recvfrom", "recvmsg", "recv_fds", "recvmmsg",
    "monitor", "io_uring_enter", "submit", "wait", "io_getevents", "io_pgetevents",
    "getevents", "vmsplice", "quotactl_sync", "futex", "futex_wait", "futex_waitv",
    "mq_timedsend", "mq_timedreceive", "pselect6", "select", "uffd_read",
}
# Parameters whose values need a pool of their own ("function.parameter": kind, see
# fuzz_worker.make_kind): the harmless requests and commands, and sizes that would be real
# allocations nothing caps (fallocate KEEP_SIZE; mappings under qemu, where RLIMIT_AS is off).
OVERRIDES = {
    "fcntl.cmd": "fcntl_cmd",
    "ioctl.request": "ioctl_req",
    "setpriority.which": "prio_which",          # PRIO_USER would make "who" a uid
    "fanotify_mark.flags": "fan_mark_flags",    # no MOUNT/FILESYSTEM marks
    "fallocate.len": "alloc", "fallocate.length": "alloc",
    "mmap.length": "alloc", "mremap.new_size": "alloc", "mremap.new_length": "alloc",
    "resize.newsize": "alloc", "shmget.size": "alloc",
}
# Namespace members never passed: machine-wide effects (HWPOISON/SOFT_OFFLINE take RAM pages
# offline), signals to other processes (F_SETOWN/SETSIG/NOTIFY/SETLEASE), waits on locks, and
# fanotify marks of whole file systems.
DENIED_MEMBERS = {
    "MADV.HWPOISON", "MADV.SOFT_OFFLINE", "F.SETOWN", "F.SETOWN_EX", "F.SETSIG", "F.NOTIFY",
    "F.SETLEASE", "F.SETLKW", "F.OFD_SETLKW", "FAN_MARK.MOUNT", "FAN_MARK.FILESYSTEM",
}
# Modules whose callables were reviewed for the rules above.  A new module (sockets, mounts,
# netlink ...) fails test_fuzz_inventory until its dangerous calls are excluded or bounded here.
REVIEWED_MODULES = {
    "linuxsys.fs", "linuxsys.io", "linuxsys.process", "linuxsys.cred", "linuxsys.sched",
    "linuxsys.signal", "linuxsys.time", "linuxsys.event", "linuxsys.memory", "linuxsys.stat",
    "linuxsys.xattr", "linuxsys.fd", "linuxsys._core", "linuxsys.flags", "linuxsys.trace",
    "linuxsys.raw", "linuxsys.aio", "linuxsys._native", "linuxsys.dir", "linuxsys.net", "linuxsys.netlink",
    "linuxsys.ns", "linuxsys.mount", "linuxsys.security", "linuxsys.landlock",
    "linuxsys.seccomp", "linuxsys.ptrace", "linuxsys.uring", "linuxsys.kaio", "mmap",
    "linuxsys.sync", "linuxsys.mq", "linuxsys.ipc", "linuxsys.keys", "linuxsys.quota",
    "linuxsys.uffd", "linuxsys.system", "linuxsys.bpf", "linuxsys.perf", "linuxsys.coverage",
}

MODE = os.environ.get("LINUXSYS_FUZZ", "default")
SEED = os.environ.get("LINUXSYS_FUZZ_SEED", "0")
SCALE = {"default": 1.0, "long": 20.0, "off": 0.0}.get(MODE, 1.0) / (8 if EMULATED else 1)
CALLS = {"func": 240, "meth": 160, "dup": 50, "ctor": 70, "props": 50, "namespaces": 300}
BATCH_CALLS = 1500  # calls per worker process


def reviewed(module: str) -> bool:
    """A module of REVIEWED_MODULES, or the generated plain-syscall module of one
    (linuxsys._sys_io for linuxsys.io: tools/gen_syscalls.py)."""
    if module.startswith("linuxsys._sys_"):
        module = "linuxsys." + module[len("linuxsys._sys_"):]
    return module in REVIEWED_MODULES


# Whole target names (the base name would take net's recv too).
EXCLUDED_TARGETS = {
    name: "waits for a datagram on a fresh netlink socket that nothing sends to: every call "
          "only blocks until the worker's timeout (parse() and request()/dump() cover the "
          "receiving path)"
    for name in ("netlink.Netlink.recv", "netlink.Netlink.read_events", "netlink.Netlink.events")
}


def excluded_reason(target: str) -> str:
    if target in EXCLUDED_TARGETS:
        return EXCLUDED_TARGETS[target]
    base = target.split(".")[-1].rstrip("()")
    if base in EXCLUDED:
        return EXCLUDED[base]
    for pattern, why in EXCLUDED_PATTERNS:
        if re.search(pattern, base):
            return why
    return ""


def calls_for(info: dict) -> int:
    if os.environ.get("LINUXSYS_FUZZ_CALLS"):
        return int(os.environ["LINUXSYS_FUZZ_CALLS"])
    kind = "dup" if info["dup"] else info["kind"]
    return max(2, round(CALLS[kind] * SCALE))


def worker_config(inv: dict, targets: list, seed: str, calls: dict, report: str) -> dict:
    """The JSON a worker reads (also used by fuzz_worker's command line)."""
    return {
        "targets": targets, "seed": seed, "calls": calls, "report": report,
        "inventory": {t: inv[t] for t in targets},
        "forked": sorted(FORKED),
        "blocking": sorted(BLOCKING), "overrides": OVERRIDES,
        "denied_members": sorted(DENIED_MEMBERS),
        "call_timeout": fuzz_worker.CALL_TIMEOUT * (8 if EMULATED else 1),
        "emulated": EMULATED,
        "rlimit_as": None if EMULATED else 3 << 29,  # 1.5 GiB: 2**31-byte reads fail fast
        "rlimit_fsize": 16 << 20,
    }


INVENTORY = fuzz_worker.inventory(L)
TARGETS = {t: info for t, info in INVENTORY.items() if not excluded_reason(t)}
GROUPS = sorted({info["group"] for info in TARGETS.values()})


def test_fuzz_inventory():
    """Every public callable is fuzzed or excluded with a reason, from a reviewed module; the
    exclusion lists name only what exists."""
    assert len(INVENTORY) > 300
    unreviewed = sorted(f"{t} ({i['module']})" for t, i in TARGETS.items()
                        if not reviewed(i["module"]))
    assert not unreviewed, ("review these for fuzz safety (EXCLUDED, OVERRIDES, FORKED in "
                            f"tests/test_fuzz.py), then add their module: {unreviewed}")
    bases = {t.split(".")[-1].rstrip("()") for t in INVENTORY}
    stale = sorted(set(EXCLUDED) - bases)
    assert not stale, f"EXCLUDED names that are not public callables: {stale}"
    for t in ("read", "Fd.read", "Fd.fstat", "Epoll.poll", "Inotify.add_watch",
              "Mapping.mprotect", "Mapping.__getitem__", "SignalFd.read", "Epoll()",
              "namespaces", "Stat.<attrs>"):
        assert t in TARGETS, t


def _shm_segments():
    """{shmid: cpid} of /proc/sysvipc/shm."""
    try:
        lines = Path("/proc/sysvipc/shm").read_text().splitlines()
    except OSError:
        return {}
    cols = lines[0].split()
    i_id, i_cpid = cols.index("shmid"), cols.index("cpid")
    return {int(f[i_id]): int(f[i_cpid]) for f in (ln.split() for ln in lines[1:]) if f}


def _remove_shm(pids):
    """Remove the SysV segments the worker (or its children) made: by creator pid only."""
    libc = ctypes.CDLL(None, use_errno=True)
    n = 0
    for shmid, cpid in _shm_segments().items():
        if cpid in pids:
            libc.shmctl(shmid, 0, None)  # IPC_RMID
            n += 1
    return n


def _records(path):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def _current(path):
    try:
        first = Path(path + ".current").read_text(errors="replace").split("\n", 1)[0]
        return json.loads(first)
    except (OSError, ValueError):
        return None


QEMU_OWN_FAULT = re.compile(r"-binfmt-P: \S+/accel/tcg/\S+: \w+: Assertion|"
                            r"ERROR:\S+/accel/tcg/")
SLOWEST: dict = {}  # target -> seconds, for the summary line
TARGET_STATS: dict = {}  # target -> {outcome: count}


def run_batch(targets, tmp_root):
    """Run one batch in as many worker processes as crashes and hangs need; return
    (findings, stats)."""
    calls = {t: calls_for(TARGETS[t]) for t in targets}
    findings, stats = [], collections.Counter()
    start = [0, 0]
    budget = 60 + 0.05 * sum(calls.values())
    if EMULATED:
        budget *= 8
    root = str(Path(L.__file__).resolve().parent.parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINUXSYS_TRACE")}
    env.update(PYTHONMALLOC="debug", PYTHONPATH=os.pathsep.join(
        [root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]),
        PYTHONFAULTHANDLER="1")
    for attempt in range(20):
        run = tempfile.mkdtemp(prefix="run-", dir=tmp_root)
        work = os.path.join(run, "work")
        os.mkdir(work)
        report = os.path.join(run, "report")
        cfg = worker_config(TARGETS, targets, SEED, calls, report)
        cfg["start"] = start
        cfg_path = os.path.join(run, "config.json")
        Path(cfg_path).write_text(json.dumps(cfg))
        with open(os.path.join(run, "output"), "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-X", "dev", fuzz_worker.__file__, cfg_path], cwd=work,
                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                start_new_session=True)
            hung = False
            try:
                proc.wait(timeout=budget)
            except BaseException as e:  # a hang, or ^C: the worker and its children go
                hung = isinstance(e, subprocess.TimeoutExpired)
                # The session is the worker's own (start_new_session) and its leader is not
                # reaped yet, so this group id is still ours alone.
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                if not hung:
                    _remove_shm({proc.pid} | {r["pid"] for r in _records(report)
                                              if r["type"] == "pid"})
                    raise
        recs = _records(report)
        pids = {proc.pid} | {r["pid"] for r in recs if r["type"] == "pid"}
        _remove_shm(pids)
        for r in recs:
            if r["type"] == "finding":
                findings.append(r)
            elif r["type"] == "stats":
                stats.update(r["stats"])
                SLOWEST[r["target"]] = r["seconds"]
                TARGET_STATS[r["target"]] = r["stats"]
        done = any(r["type"] == "done" for r in recs)
        output = Path(run, "output").read_text(errors="replace")
        cur = _current(report)
        shutil.rmtree(run, ignore_errors=True)
        if done and proc.returncode == 0:
            break
        what = ("hang" if hung else f"crash (exit status {proc.returncode}"
                + (f", {signal.Signals(-proc.returncode).name}" if proc.returncode < 0 else "")
                + ")")
        tail = "\n".join(output.strip().splitlines()[-12:])
        if cur is None:
            findings.append({"target": ",".join(targets), "call": -1, "what": "worker " + what,
                             "desc": "before the first call", "detail": tail})
            break
        findings.append({"target": cur["target"], "call": cur["ci"], "what": what,
                         "desc": cur["desc"], "detail": tail})
        start = [cur["ti"], cur["ci"] + 1]
    return findings, stats


def _batches(targets):
    batch, n = [], 0
    for t in targets:
        c = calls_for(TARGETS[t])
        if batch and n + c > BATCH_CALLS:
            yield batch
            batch, n = [], 0
        batch.append(t)
        n += c
    if batch:
        yield batch


def format_findings(findings):
    """Findings grouped by (target, what, first line): the first call of each, and a count."""
    groups = collections.OrderedDict()
    for f in findings:
        head = (f.get("detail") or "").strip().splitlines()
        key = (f["target"], f["what"], head[0] if head else "")
        groups.setdefault(key, []).append(f)
    lines = []
    for (target, what, head), fs in groups.items():
        f = fs[0]
        lines.append(f"- {target}: {what} x{len(fs)}: {f['desc']}")
        if head:
            lines.append(f"    {head[:300]}")
        detail = (f.get("detail") or "").strip().splitlines()
        if len(detail) > 1 and ("crash" in what or "hang" in what):
            lines.append(f"    ... {detail[-1][:300]}")
        if what != "worker" and f["call"] >= 0:
            lines.append(f"    replay: python3 -X dev tests/fuzz_worker.py '{target}' "
                         f"--seed {SEED} --first {f['call']} --calls {f['call'] + 1} -v")
    return "\n".join(lines)


@pytest.mark.skipif(MODE == "off", reason="LINUXSYS_FUZZ=off")
@pytest.mark.parametrize("group", GROUPS)
def test_fuzz(group, tmp_path):
    """No crash, hang, foreign exception, kept export or __del__ error in this module's
    targets (see the module docstring)."""
    only = {t for t in os.environ.get("LINUXSYS_FUZZ_ONLY", "").split(",") if t}
    targets = sorted(t for t, i in TARGETS.items() if i["group"] == group
                     and (not only or t in only))
    if not targets:
        pytest.skip("no target selected")
    started = time.monotonic()
    findings, stats = [], collections.Counter()
    for batch in _batches(targets):
        f, s = run_batch(batch, str(tmp_path))
        findings += f
        stats.update(s)
    total = sum(stats.values())
    slow = sorted(((SLOWEST.get(t, 0), t) for t in targets), reverse=True)[:5]
    print(f"\n{group}: {len(targets)} targets, {total} calls in "
          f"{time.monotonic() - started:.1f}s: {dict(stats.most_common())}; slowest: "
          + ", ".join(f"{t} {s:.1f}s" for s, t in slow))
    # qemu-user's own assertions (its page table checks, e.g. mprotect of the top page) abort
    # the emulator, not linuxsys: shown, not counted, and only when emulated.
    qemu = [f for f in findings if EMULATED and QEMU_OWN_FAULT.search(f.get("detail") or "")]
    if qemu:
        print(f"qemu-user's own faults, not counted:\n{format_findings(qemu)}")
    findings = [f for f in findings if f not in qemu]
    assert not findings, (f"{len(findings)} fuzz findings in {group}:\n"
                          + format_findings(findings))


# ---- the leak fixture (conftest.no_fd_leaks) catches what outlives a test ----------------------

LEAKY_TESTS = '''
import ctypes, os, time

libc = ctypes.CDLL(None)


def test_running_child():
    if os.fork() == 0:
        time.sleep(60)  # killed by the fixture; else gone in a minute
        os._exit(0)


def test_zombie_child():
    if os.fork() == 0:
        os._exit(0)
    time.sleep(0.2)


def test_shm_of_this_process():
    assert libc.shmget(0, 4096, 0o1600) >= 0      # IPC_PRIVATE | IPC_CREAT


def test_shm_of_a_reaped_child():
    pid = os.fork()
    if pid == 0:
        libc.shmget(0, 4096, 0o1600)
        os._exit(0)
    os.waitpid(pid, 0)


def test_msg_queue_used_by_this_process():
    q = libc.msgget(0, 0o1600)
    msg = ctypes.create_string_buffer(b"\\1\\0\\0\\0\\0\\0\\0\\0x", 16)
    assert libc.msgsnd(q, msg, 1, 0) == 0


def test_clean():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    shmid = libc.shmget(0, 4096, 0o1600)
    libc.shmctl(shmid, 0, None)
'''


def test_leak_fixture_catches_children_and_sysv_objects(tmp_path):
    """conftest.no_fd_leaks fails a test that leaves a child (running or zombie) or a SysV
    object it or its child made, and cleans up after it (a pytest run in a subprocess)."""
    shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path)
    (tmp_path / "test_leaky.py").write_text(LEAKY_TESTS)
    root = str(Path(L.__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-p", "no:randomly", str(tmp_path)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True)
    out, _ = proc.communicate(timeout=120)
    left = _remove_shm({proc.pid})  # had the fixture missed one, it must not outlive this
    assert "6 passed, 5 errors" in out, out  # a teardown failure is an error of that test
    for name, what in [("test_running_child", "left child processes"),
                       ("test_zombie_child", "left child processes"),
                       ("test_shm_of_this_process", "left SysV objects [('shm'"),
                       ("test_shm_of_a_reaped_child", "left SysV objects [('shm'"),
                       ("test_msg_queue_used_by_this_process", "left SysV objects [('msg'")]:
        assert re.search(rf"{name}: .*{re.escape(what)}", out), (name, out)
    assert left == 0
