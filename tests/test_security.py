"""linuxsys.security: prctl and its pr_* helpers, capget/capset, the LSM attribute calls --
against the real kernel.

Everything that changes the process (names, securebits, capabilities, the bounding set ...)
runs in a forked child (conftest.child_ok): the test process itself keeps its state."""
import errno
import os
import signal
import subprocess
import sys
import types

import pytest

import linuxsys as L
from linuxsys import security
from conftest import EMULATED, as_nobody, child_ok, dead_pid, qemu_may_lack, raises_errno, \
    requires_root

CAP = L.CAP


def status(field, pid="self"):
    """A field of /proc/PID/status, as text."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key == field:
                return value.strip()
    raise KeyError(field)


def qemu_einval(fn, *args):
    """Call fn; under qemu-user skip if it answers EINVAL: qemu's prctl passes only the options
    it knows to the kernel (not PR_*_CHILD_SUBREAPER, PR_*_THP_DISABLE, PR_GET_SECCOMP,
    PR_GET_SPECULATION_CTRL).  Natively the call must work."""
    try:
        return fn(*args)
    except OSError as e:
        if EMULATED and e.errno == errno.EINVAL:
            pytest.skip(f"qemu-user refuses {getattr(fn, '__name__', fn)}")
        raise


def bits(caps):
    return sum(1 << int(c) for c in caps)


def status_caps(pid="self"):
    return tuple(int(status(k, pid), 16) for k in ("CapEff", "CapPrm", "CapInh"))


# ---- prctl ------------------------------------------------------------------------------------

def test_prctl_raw():
    assert L.prctl(L.PR.GET_DUMPABLE) == L.prctl("get_dumpable") == L.prctl(L.PR_GET_DUMPABLE)
    assert L.prctl(option=L.PR.GET_NO_NEW_PRIVS) == int(status("NoNewPrivs"))
    raises_errno(errno.EINVAL, L.prctl, -1)
    raises_errno(errno.EINVAL, L.prctl, L.PR.GET_DUMPABLE + 1000)
    with pytest.raises(TypeError):
        L.prctl(L.O.RDONLY)  # another namespace's member
    with pytest.raises(ValueError):
        L.prctl("no_such_option")
    with pytest.raises(OverflowError):
        L.prctl(L.PR.SET_DUMPABLE, -1)  # unsigned long arguments
    with pytest.raises(OverflowError):
        L.prctl(L.PR.SET_DUMPABLE, 1 << 64)


def test_prctl_raw_changes_state_in_child():
    def child():
        L.prctl(L.PR.SET_KEEPCAPS, 1)
        assert L.prctl(L.PR.GET_KEEPCAPS) == 1
    child_ok(child)


def test_namespaces_do_not_share_meanings():
    assert L.PR.CAP_AMBIENT == L.PR_CAP_AMBIENT  # the option keeps its flat name
    assert L.PR_CAP_AMBIENT_OP.RAISE == L.PR_CAP_AMBIENT_RAISE
    assert L.PR_SPEC_WHICH.STORE_BYPASS == 0 and L.PR_SPEC.NOT_AFFECTED == 0
    assert L.PR_SPEC.DISABLE == L.PR_SPEC_DISABLE
    assert L.SECBIT.KEEP_CAPS == L.SECBIT_KEEP_CAPS
    with pytest.raises(TypeError):
        L.pr_get_speculation_ctrl(L.PR_SPEC.ENABLE)  # a state, not a misfeature


def test_no_new_privs():
    assert L.pr_get_no_new_privs() is (status("NoNewPrivs") == "1")

    def child():
        L.pr_set_no_new_privs()
        assert L.pr_get_no_new_privs() is True
        assert status("NoNewPrivs") == "1"
        L.pr_set_no_new_privs()  # again: still set, no error
        raises_errno(errno.EINVAL, L.prctl, L.PR.SET_NO_NEW_PRIVS, 0)  # cannot be unset
    child_ok(child)


def test_name():
    def child():
        L.pr_set_name("ls-test")
        assert L.pr_get_name() == "ls-test"
        with open("/proc/self/comm") as f:
            assert f.read() == "ls-test\n"
        L.pr_set_name(b"x" * 15)
        assert L.pr_get_name() == "x" * 15
        L.pr_set_name("é" * 7)  # 14 bytes of UTF-8
        assert L.pr_get_name() == "é" * 7
        L.pr_set_name("")
        assert L.pr_get_name() == ""
        with pytest.raises(ValueError):
            L.pr_set_name("x" * 16)
        with pytest.raises(ValueError):
            L.pr_set_name("é" * 8)  # 8 characters, 16 bytes
        with pytest.raises(ValueError):
            L.pr_set_name("a\0b")
        with pytest.raises(TypeError):
            L.pr_set_name(5)
        assert L.pr_get_name() == ""  # nothing refused reached the kernel
    child_ok(child)


def test_pdeathsig_round_trip():
    def child():
        assert L.pr_get_pdeathsig() == 0
        L.pr_set_pdeathsig(L.SIG.USR1)
        got = L.pr_get_pdeathsig()
        assert got == signal.SIGUSR1 and got is L.SIG.USR1
        L.pr_set_pdeathsig("term")
        assert L.pr_get_pdeathsig() == signal.SIGTERM
        L.pr_set_pdeathsig(signal.SIGRTMIN + 1)
        assert L.pr_get_pdeathsig() == signal.SIGRTMIN + 1
        L.pr_set_pdeathsig(0)
        assert L.pr_get_pdeathsig() == 0
        for bad in (-1, signal.SIGRTMAX + 1, "nosuchsignal"):
            with pytest.raises(ValueError):
                L.pr_set_pdeathsig(bad)
        with pytest.raises(TypeError):
            L.pr_set_pdeathsig(L.CAP.KILL)
        assert L.pr_get_pdeathsig() == 0
    child_ok(child)


def test_pdeathsig_delivered_when_parent_dies():
    """A subreaper child forks a parent that forks a grandchild asking for SIGUSR1 when its
    parent dies; the parent exits; the grandchild, reparented to the subreaper, dies of it."""
    qemu_einval(L.pr_get_child_subreaper)
    def child():
        L.pr_set_child_subreaper()
        r, w = os.pipe()
        parent = os.fork()
        if parent == 0:
            grandchild = os.fork()
            if grandchild == 0:
                signal.signal(signal.SIGUSR1, signal.SIG_DFL)
                signal.alarm(20)  # never outlive a broken test
                L.pr_set_pdeathsig(signal.SIGUSR1)
                os.write(w, b"ready")
                while True:
                    signal.pause()
            assert os.read(r, 5) == b"ready"
            os.write(w, grandchild.to_bytes(4, "little"))
            os._exit(0)
        os.close(w)
        assert os.waitpid(parent, 0)[1] == 0
        grandchild = int.from_bytes(os.read(r, 4), "little")
        os.close(r)
        _, st = os.waitpid(grandchild, 0)  # ours now: we are the subreaper
        assert os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGUSR1, st
    child_ok(child)


def test_dumpable():
    assert L.pr_get_dumpable() == 1

    def child():
        L.pr_set_dumpable(False)
        assert L.pr_get_dumpable() == 0
        L.pr_set_dumpable(1)
        assert L.pr_get_dumpable() == 1
        with pytest.raises(ValueError):
            L.pr_set_dumpable(2)
        with pytest.raises(TypeError):
            L.pr_set_dumpable("yes")
    child_ok(child)


def test_child_subreaper():
    assert qemu_einval(L.pr_get_child_subreaper) is False

    def child():
        L.pr_set_child_subreaper(True)
        assert L.pr_get_child_subreaper() is True
        L.pr_set_child_subreaper(False)
        assert L.pr_get_child_subreaper() is False
    child_ok(child)


def test_timerslack():
    before = L.pr_get_timerslack()
    with open("/proc/self/timerslack_ns") as f:
        assert int(f.read()) == before

    def child():
        L.pr_set_timerslack(123456)
        assert L.pr_get_timerslack() == 123456
        L.pr_set_timerslack(0)  # back to the default: the value inherited at fork
        assert L.pr_get_timerslack() == before
        with pytest.raises(OverflowError):
            L.pr_set_timerslack(-1)
        with pytest.raises(OverflowError):
            L.pr_set_timerslack(1 << 64)
        with pytest.raises(TypeError):
            L.pr_set_timerslack("1")
        with pytest.raises(TypeError):
            L.pr_set_timerslack(True)
    child_ok(child)


def test_thp_disable():
    assert qemu_einval(L.pr_get_thp_disable) is (status("THP_enabled") == "0")

    def child():
        L.pr_set_thp_disable(True)
        assert L.pr_get_thp_disable() is True
        assert status("THP_enabled") == "0"
        L.pr_set_thp_disable(False)
        assert L.pr_get_thp_disable() is False
    child_ok(child)


def test_get_seccomp():
    assert qemu_einval(L.pr_get_seccomp) == int(status("Seccomp"))


def test_speculation_ctrl():
    try:
        qemu_einval(L.pr_get_speculation_ctrl, L.PR_SPEC_WHICH.STORE_BYPASS)
    except OSError:
        pass  # ENODEV: checked below
    for which in L.PR_SPEC_WHICH:
        try:
            state = L.pr_get_speculation_ctrl(which)
        except OSError as e:  # ENODEV: not controlled on this arch
            assert e.errno == errno.ENODEV, e
            continue
        assert isinstance(state, L.PR_SPEC)
        if not state & L.PR_SPEC.PRCTL:  # the kernel's mode allows no per-thread control:
            with pytest.raises(OSError) as ei:  # ENXIO, or EPERM where mitigation is off
                L.pr_set_speculation_ctrl(which, L.PR_SPEC.DISABLE)
            assert ei.value.errno in (errno.ENXIO, errno.EPERM), ei.value
            continue

        def child(which=which):
            L.pr_set_speculation_ctrl(which, L.PR_SPEC.DISABLE)
            assert L.pr_get_speculation_ctrl(which) & L.PR_SPEC.DISABLE
        child_ok(child)
    raises_errno(errno.ENODEV, L.pr_get_speculation_ctrl, 99)
    with pytest.raises(ValueError):
        L.pr_get_speculation_ctrl("no_such_misfeature")


# ---- capabilities through prctl ---------------------------------------------------------------

@requires_root()
def test_keepcaps_and_securebits():
    def child():
        assert L.pr_get_keepcaps() is False
        assert L.pr_get_securebits() == 0
        L.pr_set_keepcaps(True)
        assert L.pr_get_keepcaps() is True
        assert L.pr_get_securebits() == L.SECBIT.KEEP_CAPS  # the same bit
        L.pr_set_securebits(L.SECBIT.NO_SETUID_FIXUP | L.SECBIT.KEEP_CAPS_LOCKED)
        got = L.pr_get_securebits()
        assert got == L.SECBIT.NO_SETUID_FIXUP | L.SECBIT.KEEP_CAPS_LOCKED, got
        assert isinstance(got, L.SECBIT)
        raises_errno(errno.EPERM, L.pr_set_keepcaps, True)  # locked (and clear)
        L.pr_set_securebits("no_setuid_fixup|keep_caps_locked|noroot")
        assert L.pr_get_securebits() & L.SECBIT.NOROOT
        with pytest.raises(ValueError):
            L.pr_set_securebits("no_such_bit")
        with pytest.raises(TypeError):
            L.pr_set_securebits(L.PR_SPEC.ENABLE)
    child_ok(child)


@requires_root()
def test_keepcaps_keeps_permitted_across_setuid():
    def child(keep):
        full = L.capget()
        L.pr_set_keepcaps(keep)
        L.setresgid(65534, 65534, 65534)
        L.setresuid(65534, 65534, 65534)
        caps = L.capget()
        assert caps.effective == frozenset()  # cleared in any case
        assert caps.permitted == (full.permitted if keep else frozenset())
    child_ok(child, True)
    child_ok(child, False)


@requires_root()
def test_ambient_round_trip():
    def child():
        c = L.capget()
        assert not L.pr_cap_ambient_is_set(CAP.NET_RAW)
        raises_errno(errno.EPERM, L.pr_cap_ambient_raise, CAP.NET_RAW)  # not inheritable
        L.capset(L.Caps(c.effective, c.permitted, {CAP.NET_RAW, CAP.NET_BIND_SERVICE}))
        L.pr_cap_ambient_raise(CAP.NET_RAW)
        L.pr_cap_ambient_raise("net_bind_service")
        assert L.pr_cap_ambient_is_set("CAP_NET_RAW") is True
        assert int(status("CapAmb"), 16) == 1 << CAP.NET_RAW | 1 << CAP.NET_BIND_SERVICE
        L.pr_cap_ambient_lower(CAP.NET_RAW)
        assert L.pr_cap_ambient_is_set(CAP.NET_RAW) is False
        assert L.pr_cap_ambient_is_set(int(CAP.NET_BIND_SERVICE)) is True
        L.pr_cap_ambient_clear_all()
        assert int(status("CapAmb"), 16) == 0
        raises_errno(errno.EINVAL, L.pr_cap_ambient_is_set, 63)  # beyond the kernel's
        L.pr_set_securebits(L.SECBIT.NO_CAP_AMBIENT_RAISE)
        raises_errno(errno.EPERM, L.pr_cap_ambient_raise, CAP.NET_RAW)
    child_ok(child)


AMBIENT_SCRIPT = """
import os, socket
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(int(status["CapAmb"], 16), int(status["CapEff"], 16), int(status["CapPrm"], 16))
socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()  # CAP_NET_RAW
try:
    os.chown("/proc/self/comm", 1, 1)
except PermissionError:
    print("chown refused")
"""


@requires_root()
def test_ambient_survives_execve_of_python():
    """With SECBIT_NOROOT root's execve grants nothing of itself: the child Python has the
    ambient capability, and only it (it opens a raw socket but may not chown)."""
    def child():
        c = L.capget()
        L.capset(L.Caps(c.effective, c.permitted, {CAP.NET_RAW}))
        L.pr_cap_ambient_raise(CAP.NET_RAW)
        L.pr_set_securebits(L.SECBIT.NOROOT | L.SECBIT.NOROOT_LOCKED)
        p = subprocess.run([sys.executable, "-c", AMBIENT_SCRIPT], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        amb, eff, prm = map(int, p.stdout.split("\n")[0].split())
        assert amb == eff == prm == 1 << CAP.NET_RAW, p.stdout
        assert p.stdout.split("\n")[1] == "chown refused", p.stdout
    child_ok(child)


@requires_root()
def test_ambient_survives_execve_as_nobody():
    """The usual way: keep the permitted set through setuid (keepcaps), make the capability
    inheritable and ambient, exec a program (cat: the interpreter may sit where nobody cannot
    read)."""
    def child():
        L.pr_set_keepcaps(True)
        os.setgroups([])
        L.setresgid(65534, 65534, 65534)
        L.setresuid(65534, 65534, 65534)
        want = {CAP.NET_RAW}
        L.capset(types.SimpleNamespace(effective=want, permitted=want, inheritable=want))
        L.pr_cap_ambient_raise(CAP.NET_RAW)
        p = subprocess.run(["cat", "/proc/self/status"], capture_output=True, text=True,
                           timeout=60)
        assert p.returncode == 0, p.stderr
        got = dict(line.split(":", 1) for line in p.stdout.splitlines())
        assert int(got["Uid"].split()[0]) == 65534
        for key in ("CapAmb", "CapEff", "CapPrm"):
            assert int(got[key], 16) == 1 << CAP.NET_RAW, (key, got[key])
    child_ok(child)


@requires_root()
def test_capbset():
    assert L.pr_capbset_read(CAP.CHOWN) is bool(int(status("CapBnd"), 16) & 1)
    raises_errno(errno.EINVAL, L.pr_capbset_read, 63)

    def child():
        L.pr_capbset_drop("chown")
        assert L.pr_capbset_read(CAP.CHOWN) is False
        assert not int(status("CapBnd"), 16) & 1 << CAP.CHOWN
        c = L.capget()
        assert CAP.CHOWN in c.effective  # the bounding set limits what execve and capset add
        raises_errno(errno.EPERM, L.capset, L.Caps(c.effective, c.permitted, {CAP.CHOWN}))
        L.pr_capbset_drop(CAP.CHOWN)  # again: no error
    child_ok(child)
    assert as_nobody(lambda: raises_errno(errno.EPERM, L.pr_capbset_drop, CAP.CHOWN)) == 0
    assert L.pr_capbset_read(CAP.CHOWN) is True


def test_cap_arguments_checked_before_the_call():
    for bad in ("no_such_cap", "", "CAP_", 64, -1, 1 << 70):
        with pytest.raises(ValueError):
            L.pr_capbset_read(bad)
    for bad in (True, 1.0, None, b"chown", L.O.RDONLY):
        with pytest.raises(TypeError):
            L.pr_capbset_read(bad)
    assert L.pr_capbset_read(" cap_chown ") == L.pr_capbset_read(0)


# ---- capget / capset --------------------------------------------------------------------------

def test_cap_enum_matches_the_kernel():
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last = int(f.read())
    assert CAP.LAST_CAP == max(CAP) == last
    assert sorted(CAP) == list(range(CAP.LAST_CAP + 1))
    assert L.CAP_LAST_CAP == CAP.LAST_CAP and "LAST_CAP" not in CAP.__members__


def test_capget_matches_proc():
    for pid in (0, os.getpid(), 1):
        caps = L.capget(pid)
        assert isinstance(caps, L.Caps)
        assert all(isinstance(s, frozenset) for s in caps)
        assert tuple(map(bits, caps)) == status_caps(pid or "self"), pid
    assert L.capget(pid=0) == L.capget()


def test_capget_of_a_child():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            c = L.capget()
            L.capset(L.Caps(c.effective - {CAP.KILL}, c.permitted, {CAP.NET_ADMIN}))
            os.write(w, b"1")
            signal.pause()
        finally:
            os._exit(0)
    try:
        os.close(w)
        assert os.read(r, 1) == b"1"
        caps = L.capget(pid)
        assert tuple(map(bits, caps)) == status_caps(pid)
        assert CAP.KILL not in caps.effective and caps.inheritable == {CAP.NET_ADMIN}
    finally:
        os.close(r)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def test_capget_errors():
    raises_errno(errno.ESRCH, L.capget, dead_pid())
    raises_errno(errno.EINVAL, L.capget, -1)
    with pytest.raises(TypeError):
        L.capget("1")
    with pytest.raises(TypeError):
        L.capget(True)


def test_unknown_bits_kept_as_ints():
    # A capability the kernel has but these headers do not name stays a plain int.
    assert security._set_of(1 << CAP.CHOWN, 1 << (50 - 32)) == {CAP.CHOWN, 50}
    assert [type(c) for c in sorted(security._set_of(0, 1 << (50 - 32)))] == [int]


@requires_root()
def test_capset_drop_makes_chown_fail(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"")

    def child():
        c = L.capget()
        L.capset(L.Caps(c.effective - {CAP.CHOWN}, c.permitted, c.inheritable))
        assert CAP.CHOWN not in L.capget().effective
        assert not int(status("CapEff"), 16) & 1 << CAP.CHOWN
        raises_errno(errno.EPERM, os.chown, f, 1, 1)
        L.capset(c)  # still permitted: back into the effective set
        os.chown(f, 1, 1)
        L.capset(L.Caps(c.effective - {CAP.CHOWN}, c.permitted - {CAP.CHOWN}, c.inheritable))
        raises_errno(errno.EPERM, L.capset, c)  # permitted never grows
        raises_errno(errno.EPERM, os.chown, f, 2, 2)
    child_ok(child)
    assert os.stat(f).st_uid == 1


@requires_root()
def test_capset_forms():
    def child():
        keep = {"chown", "CAP_KILL", CAP.SETUID, int(CAP.SETGID), CAP.SETPCAP}
        L.capset(types.SimpleNamespace(effective=keep, permitted=list(keep),
                                       inheritable=(c for c in ["kill"])))
        want = {CAP.CHOWN, CAP.KILL, CAP.SETUID, CAP.SETGID, CAP.SETPCAP}
        assert L.capget() == L.Caps(want, want, {CAP.KILL})
        L.capset(L.Caps(set(), set(), set()), pid=os.getpid())  # its own tid is allowed
        assert L.capget() == L.Caps(frozenset(), frozenset(), frozenset())
    child_ok(child)


def test_capset_errors_before_the_call():
    c = L.capget()
    bad_sets = [({"no_such_cap"}, ValueError), ({64}, ValueError), ({-1}, ValueError),
                ({True}, TypeError), ({1.5}, TypeError), ("chown", TypeError),
                (b"x", TypeError), (None, TypeError), ({L.O.RDONLY}, TypeError)]
    for value, exc in bad_sets:
        for field in ("effective", "permitted", "inheritable"):
            with pytest.raises(exc):
                L.capset(c._replace(**{field: value}))
    with pytest.raises(TypeError):
        L.capset(object())
    with pytest.raises(TypeError):
        L.capset(c, pid="0")
    assert L.capget() == c


def test_capset_other_pid():
    raises_errno(errno.EPERM, L.capset, L.capget(), 1)


# ---- LSM --------------------------------------------------------------------------------------

def test_lsm_list_modules():
    mods = qemu_may_lack(L.lsm_list_modules)
    assert L.LSM_ID.CAPABILITY in mods
    assert len(set(mods)) == len(mods)
    assert all(isinstance(m, L.LSM_ID) for m in mods if m in set(L.LSM_ID))
    try:
        with open("/sys/kernel/security/lsm") as f:
            names = f.read().strip().split(",")
    except FileNotFoundError:
        return
    expected = [L.LSM_ID[n.upper()] for n in names if n.upper() in L.LSM_ID.__members__]
    assert [m for m in mods if m in expected] == expected


# LSMs with a "current" attribute (lsm_get_self_attr): the rest (capability, landlock, bpf,
# lockdown, yama ...) have none.
_ATTR_LSMS = {L.LSM_ID.SELINUX, L.LSM_ID.SMACK, L.LSM_ID.APPARMOR}


def test_lsm_get_self_attr():
    mods = qemu_may_lack(L.lsm_list_modules)
    providers = _ATTR_LSMS & set(mods)
    if not providers:
        raises_errno(errno.EOPNOTSUPP, L.lsm_get_self_attr, L.LSM_ATTR.CURRENT)
        raises_errno(errno.EOPNOTSUPP, L.lsm_get_self_attr, "current")
    else:
        ctxs = L.lsm_get_self_attr(L.LSM_ATTR.CURRENT)
        assert ctxs and {c.id for c in ctxs} <= providers
        assert all(isinstance(c, L.LsmCtx) and isinstance(c.ctx, bytes) for c in ctxs)
        one = next(iter(providers))
        assert [c.id for c in L.lsm_get_self_attr("current", L.LSM_FLAG.SINGLE, one)] == [one]
    raises_errno(errno.EINVAL, L.lsm_get_self_attr, L.LSM_ATTR.CURRENT, 2)  # unknown flag
    raises_errno(errno.EINVAL, L.lsm_get_self_attr, L.LSM_ATTR.UNDEF)
    # SINGLE naming an LSM without the attribute: nobody answers
    raises_errno(errno.EOPNOTSUPP, L.lsm_get_self_attr, L.LSM_ATTR.CURRENT, L.LSM_FLAG.SINGLE,
                 L.LSM_ID.CAPABILITY)
    with pytest.raises(ValueError):
        L.lsm_get_self_attr(L.LSM_ATTR.CURRENT, L.LSM_FLAG.SINGLE)
    with pytest.raises(ValueError):
        L.lsm_get_self_attr(L.LSM_ATTR.CURRENT, 0, L.LSM_ID.CAPABILITY)
    with pytest.raises(TypeError):
        L.lsm_get_self_attr(L.CAP.CHOWN)
    with pytest.raises(ValueError):
        L.lsm_get_self_attr("no_such_attr")


def test_lsm_set_self_attr():
    qemu_may_lack(L.lsm_list_modules)
    ba = bytearray(b"unconfined")
    raises_errno(errno.EOPNOTSUPP, L.lsm_set_self_attr, L.LSM_ATTR.CURRENT, ba,
                 L.LSM_ID.CAPABILITY)
    ba.extend(b"x")  # no view of it outlived the call
    raises_errno(errno.EOPNOTSUPP, L.lsm_set_self_attr, "current", "x", "capability")
    raises_errno(errno.EINVAL, L.lsm_set_self_attr, L.LSM_ATTR.CURRENT, b"x",
                 L.LSM_ID.CAPABILITY, 1)  # flags must be 0
    with pytest.raises(TypeError):
        L.lsm_set_self_attr(L.LSM_ATTR.CURRENT, 5, L.LSM_ID.CAPABILITY)
    with pytest.raises(ValueError):
        L.lsm_set_self_attr(L.LSM_ATTR.CURRENT, b"x", "no_such_lsm")


def test_lsm_ctx_parsing():
    """The walk over the kernel's struct lsm_ctx array, on a buffer laid out as the kernel
    does (each entry's len rounded up to 8)."""
    from linuxsys import ffi
    hdr = ffi.sizeof("struct lsm_ctx")
    buf = ffi.new("char[]", 2 * hdr + 16 + 8)
    first = ffi.cast("struct lsm_ctx *", buf)
    first.id, first.flags, first.len, first.ctx_len = int(L.LSM_ID.SELINUX), 0, hdr + 16, 11
    ffi.memmove(buf + hdr, b"system_u:r\0", 11)
    second = ffi.cast("struct lsm_ctx *", buf + hdr + 16)
    second.id, second.flags, second.len, second.ctx_len = 999, 3, hdr + 8, 4
    ffi.memmove(buf + 2 * hdr + 16, b"abcd", 4)
    got = security._lsm_ctxs(buf, len(buf), 2)
    assert got == [L.LsmCtx(L.LSM_ID.SELINUX, 0, b"system_u:r\0"), L.LsmCtx(999, 3, b"abcd")]
    assert got[0].id is L.LSM_ID.SELINUX and type(got[1].id) is int

