"""The cred family against the real kernel: os and /proc/self/task/<tid>/status as oracles.

Every id change runs in a child (conftest.in_child), as root.  Ids above 65535 (and above 2^31)
catch the 16-bit uid calls that i686 and armv7l keep under the plain names.
"""
import errno
import os
import sys
import threading

import pytest

import linuxsys as L
from conftest import EMULATED, as_nobody, child_ok, dead_pid, raises_errno, requires_root

NOBODY = 65534
HIGH = (70000, 70001, 70002)          # beyond 16 bits: setuid16 & co. would keep the low bits
HUGE = (3_000_000_000, 0xFFFFFFF0)    # beyond 2^31 (negative as a 32-bit long), and an id a
                                      # 32-bit syscall(3) would take for -errno
# qemu-user (7.2) hands a 64-bit guest the host's setfsuid() result as an int: there the second
# comes back as -errno.  A 64-bit kernel returns it as it is.
FS_IDS = HIGH + (HUGE[:1] if EMULATED and sys.maxsize > 2**32 else HUGE)



def proc_ids(key, tid=None):
    """The ids of /proc status line ``key`` ("Uid", "Gid", "Groups") of a thread (default: the
    calling one): real, effective, saved, fs for Uid/Gid."""
    with open(f"/proc/self/task/{tid or L.gettid()}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return tuple(int(v) for v in line.split()[1:])
    raise AssertionError(f"no {key} line")


# ---- process groups and sessions ----------------------------------------------------------

def test_getpgid_getsid():
    assert L.getpgid() == L.getpgid(0) == os.getpgid(0)
    assert L.getpgid(os.getppid()) == os.getpgid(os.getppid())
    assert L.getsid() == L.getsid(0) == os.getsid(0)
    assert L.getsid(os.getpid()) == os.getsid(os.getpid())


def test_setpgid():
    def check():
        assert L.getpgid() != os.getpid()  # a child starts in its parent's group
        assert L.setpgid(0, 0) is None
        assert L.getpgid() == os.getpgid(0) == os.getpid()
        L.setpgid(os.getpid(), os.getpid())  # already there: still fine
        raises_errno(errno.EPERM, L.setsid)  # a group leader cannot start a session
    child_ok(check)


def test_setsid():
    def check():
        sid = L.setsid()
        assert sid == os.getpid() == os.getsid(0) == L.getsid() == os.getpgid(0)
        raises_errno(errno.EPERM, L.setsid)
        raises_errno(errno.EPERM, L.setpgid, 0, 1)  # a group of another session
    child_ok(check)


def test_pgid_sid_errors():
    pid = dead_pid()
    raises_errno(errno.ESRCH, L.getpgid, pid)
    raises_errno(errno.ESRCH, L.getsid, pid)
    raises_errno(errno.ESRCH, L.setpgid, pid, 0)
    raises_errno(errno.EINVAL, L.setpgid, 0, -1)
    with pytest.raises(TypeError):
        L.getpgid("0")


# ---- reading ids ----------------------------------------------------------------------------

def test_getresuid_getresgid_getgroups():
    assert L.getresuid() == os.getresuid()
    assert L.getresgid() == os.getresgid()
    assert L.getgroups() == sorted(os.getgroups())
    assert L.setfsuid(-1) == proc_ids("Uid")[3]  # -1 is refused: the fsuid is only read
    assert L.setfsgid(-1) == proc_ids("Gid")[3]
    assert proc_ids("Uid") == os.getresuid() + (os.geteuid(),)


# ---- changing ids (children, as root) -----------------------------------------------------

@requires_root()
def test_setres_high_ids():
    def check():
        L.setgroups([HIGH[2], HIGH[0], HIGH[1]])
        assert L.getgroups() == sorted(os.getgroups()) == list(HIGH)
        assert proc_ids("Groups") == HIGH
        L.setresgid(*HIGH)
        assert L.getresgid() == os.getresgid() == HIGH
        assert proc_ids("Gid") == HIGH + (HIGH[1],)  # the fsgid follows the egid
        L.setresuid(*HIGH)
        assert L.getresuid() == os.getresuid() == HIGH
        assert proc_ids("Uid") == HIGH + (HIGH[1],)
        raises_errno(errno.EPERM, L.setresuid, 0, 0, 0)  # privilege is gone
    child_ok(check)


@requires_root()
def test_setres_ids_beyond_31_bits():
    def check():
        L.setgroups(HUGE)
        assert L.getgroups() == sorted(os.getgroups()) == list(HUGE)
        L.setresgid(HUGE[0], HUGE[1], HUGE[0])
        assert L.getresgid() == os.getresgid() == (HUGE[0], HUGE[1], HUGE[0])
        L.setresuid(HUGE[1], HUGE[0], HUGE[1])
        assert L.getresuid() == os.getresuid() == (HUGE[1], HUGE[0], HUGE[1])
    child_ok(check)


@requires_root()
def test_setres_minus_one_keeps():
    def check():
        L.setresgid(-1, HIGH[0], -1)
        assert L.getresgid() == (0, HIGH[0], 0)
        L.setresuid(-1, HIGH[1], -1)
        assert L.getresuid() == os.getresuid() == (0, HIGH[1], 0)
        L.setresuid(-1, 0, -1)  # the saved uid is still 0: back to root
        L.setresuid(HIGH[2], -1, -1)
        assert L.getresuid() == os.getresuid() == (HIGH[2], 0, 0)
        L.setresgid(-1, -1, -1)
        assert L.getresgid() == (0, HIGH[0], 0)
    child_ok(check)


@requires_root()
def test_setuid_setgid():
    def check():
        L.setgid(HIGH[0])
        assert L.getresgid() == os.getresgid() == (HIGH[0],) * 3  # privileged: all three
        L.setuid(HIGH[1])
        assert L.getresuid() == os.getresuid() == (HIGH[1],) * 3
        assert proc_ids("Uid") == (HIGH[1],) * 4
        raises_errno(errno.EPERM, L.setuid, 0)
        L.setuid(HIGH[1])  # its own id: allowed
    child_ok(check)


@requires_root()
def test_setreuid_setregid():
    def check():
        L.setregid(HIGH[0], HIGH[1])
        # the saved id becomes the new effective one when the real one is set
        assert L.getresgid() == os.getresgid() == (HIGH[0], HIGH[1], HIGH[1])
        L.setreuid(-1, HIGH[2])
        assert L.getresuid() == os.getresuid() == (0, HIGH[2], HIGH[2])
        L.setreuid(-1, 0)  # to the real uid
        L.setreuid(HIGH[0], HIGH[1])
        assert L.getresuid() == os.getresuid() == (HIGH[0], HIGH[1], HIGH[1])
    child_ok(check)


@requires_root()
def test_setfsuid_setfsgid():
    def check():
        for setfs, key in ((L.setfsuid, "Uid"), (L.setfsgid, "Gid")):
            previous = 0
            for fsid in FS_IDS:
                assert setfs(fsid) == previous
                assert setfs(-1) == fsid == proc_ids(key)[3]
                previous = fsid
        assert L.getresuid() == (0, 0, 0)  # nothing else moved
        L.setfsuid(0)
        L.setresuid(NOBODY, NOBODY, NOBODY)
        # refused (not a current id, no privilege): nothing changes, the old id comes back
        assert L.setfsuid(0) == NOBODY
        assert L.setfsuid(-1) == NOBODY == proc_ids("Uid")[3]
    child_ok(check)


@requires_root()
def test_groups_many_and_empty():
    def check():
        many = list(range(1000, 3000))
        L.setgroups(reversed(many))  # any iterable
        assert L.getgroups() == sorted(os.getgroups()) == many
        L.setgroups([])
        assert L.getgroups() == os.getgroups() == []
    child_ok(check)


@requires_root()
def test_set_ids_change_only_the_calling_thread():
    """The raw calls change one thread; glibc's wrappers (os) signal every thread."""
    def check():
        ready, done = threading.Event(), threading.Event()
        other = []

        def idle():
            other.append(threading.get_native_id())
            ready.set()
            done.wait()

        t = threading.Thread(target=idle)
        t.start()
        try:
            ready.wait()
            me, them = L.gettid(), other[0]
            L.setresgid(-1, HIGH[0], -1)
            L.setresuid(-1, HIGH[1], -1)
            assert proc_ids("Uid", me) == (0, HIGH[1], 0, HIGH[1])
            assert proc_ids("Gid", me) == (0, HIGH[0], 0, HIGH[0])
            assert proc_ids("Uid", them) == (0, 0, 0, 0)
            assert proc_ids("Gid", them) == (0, 0, 0, 0)
            L.setresuid(-1, 0, -1)
            L.setgroups([HIGH[2]])
            assert proc_ids("Groups", me) == (HIGH[2],)
            assert proc_ids("Groups", them) == ()
            L.setfsuid(HIGH[0])
            assert proc_ids("Uid", me)[3] == HIGH[0]
            assert proc_ids("Uid", them)[3] == 0
            os.setresuid(-1, HIGH[2], -1)  # glibc: every thread
            assert proc_ids("Uid", me)[1] == proc_ids("Uid", them)[1] == HIGH[2]
        finally:
            done.set()
            t.join()
    child_ok(check)


# ---- errors ---------------------------------------------------------------------------------

@requires_root()
def test_eperm_as_nobody():
    def check():
        raises_errno(errno.EPERM, L.setuid, 0)
        raises_errno(errno.EPERM, L.setgid, 0)
        raises_errno(errno.EPERM, L.setresuid, 0, -1, -1)
        raises_errno(errno.EPERM, L.setresgid, -1, 0, -1)
        raises_errno(errno.EPERM, L.setreuid, -1, 0)
        raises_errno(errno.EPERM, L.setregid, 0, -1)
        raises_errno(errno.EPERM, L.setgroups, [])
        assert L.setfsuid(0) == NOBODY  # never fails
        assert L.getresuid() == (NOBODY,) * 3
        L.setresuid(-1, -1, -1)  # nothing to change: allowed
        L.setuid(NOBODY)
    assert as_nobody(check) == 0


@requires_root()
def test_einval_for_invalid_ids():
    def check():
        raises_errno(errno.EINVAL, L.setuid, -1)  # (uid_t)-1 is no uid
        raises_errno(errno.EINVAL, L.setgid, -1)
        raises_errno(errno.EINVAL, L.setgroups, [0, -1])
        raises_errno(errno.EINVAL, L.setgroups, range(65537))  # over NGROUPS_MAX
        assert L.getresuid() == (0, 0, 0)
        assert L.getgroups() == sorted(os.getgroups())
    child_ok(check)


def test_bad_python_arguments():
    for bad in (-2, 0xFFFFFFFF, 2**32):  # -1..0xFFFFFFFE, checked before the syscall
        with pytest.raises(OverflowError):
            L.setuid(bad)
        with pytest.raises(OverflowError):
            L.setresgid(-1, bad, -1)
        with pytest.raises(OverflowError):
            L.setgroups([bad])
    with pytest.raises(TypeError):
        L.setuid("0")
    with pytest.raises(TypeError):
        L.setgroups(5)
    with pytest.raises(TypeError):
        L.setfsuid(None)


# ---- issue 7 -------------------------------------------------------------------------------

@requires_root()
def test_setgroups_parameter_named_as_in_the_man_page():
    def check():
        L.setgroups(list=[70000, 5])
        assert sorted(L.getgroups()) == [5, 70000]
        with pytest.raises(TypeError):
            L.setgroups(None)
        with pytest.raises(OverflowError):
            L.setgroups([2**32])
        assert sorted(L.getgroups()) == [5, 70000]  # refused before the syscall
    child_ok(check)


# ---- plain syscalls: one declaration each in cdefs/cred.h -----------------------------------

def test_plain_syscalls_are_declarations():
    """Issue 8: the group, session and set*id calls (setfsuid's hand-written C helper too) come
    from linuxsys/_sys_cred.py with the man pages' parameter names."""
    import linuxsys.__main__ as M
    from linuxsys import _sys_cred
    assert set(_sys_cred.__all__) == {"getpgid", "setpgid", "getsid", "setsid", "setresuid",
                                      "setresgid", "setuid", "setgid", "setreuid", "setregid",
                                      "setfsuid", "setfsgid"}
    for name in _sys_cred.__all__:
        assert getattr(L, name) is getattr(L.cred, name) is getattr(_sys_cred, name)
        assert M.PROBES["cred"][name] == _sys_cred.PROBES[name]
    # -1 keeps every id: harmless in this process
    assert L.setresuid(ruid=-1, euid=-1, suid=-1) is L.setresgid(rgid=-1, egid=-1, sgid=-1)
    assert L.setreuid(ruid=-1, euid=-1) is L.setregid(rgid=-1, egid=-1) is None
    assert L.setfsuid(fsuid=-1) == proc_ids("Uid")[3]
    assert L.setfsgid(fsgid=-1) == proc_ids("Gid")[3]
    assert L.getpgid(pid=0) == os.getpgid(0) and L.getsid(pid=0) == os.getsid(0)
    raises_errno(errno.ESRCH, L.setpgid, pid=dead_pid(), pgid=0)
    with pytest.raises(OverflowError):
        L.setfsgid(2**32)
