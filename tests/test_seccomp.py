"""linuxsys.seccomp: the filter compiler, seccomp(2) and user notification -- against the real
kernel, libseccomp (Debian's python3-seccomp under /usr/bin/python3, tests/seccomp_oracle.py)
and a classic BPF interpreter (tests/bpf_vm.py) for the arches this machine cannot run.

Every filter is loaded in a forked child (which then dies with it); the test process itself is
never filtered.  Children set RLIMIT_CORE to 0: a KILL verdict dumps core otherwise."""
import errno
import importlib
import json
import os
import pathlib
import random
import re
import resource
import select
import signal
import socket
import subprocess

import pytest

import linuxsys as L
from linuxsys.seccomp import (ALLOW, EQ, ERRNO, GE, GT, KILL, KILL_PROCESS, KILL_THREAD, LE, LOG,
                              LT, MASKED_EQ, NE, TRACE, TRAP, USER_NOTIF, Arch, Arg, Filter)
from linuxsys.fd import fd_kind
import bpf_vm
from conftest import EMULATED, raises_errno

S = importlib.import_module("linuxsys.seccomp")  # (L.seccomp is seccomp(2), bound over it)

HERE = pathlib.Path(__file__).resolve().parent
TABLES = HERE.parent / "cdefs" / "tables"
ORACLE = HERE / "seccomp_oracle.py"
REPORT_FD = 987  # (seccomp_oracle.py's too)
U32 = 0xFFFFFFFF
U64 = (1 << 64) - 1
NATIVE = S.NATIVE
BITS = NATIVE.bits if NATIVE else 64
NEW_LISTENER = L.SECCOMP_FILTER_FLAG.NEW_LISTENER


def _oracle_ok():
    """libseccomp importable by the system python3, and able to compile what the oracle asks
    (under qemu-user it sees no seccomp(2), so its API level refuses KILL_PROCESS)."""
    probe = ("import seccomp as S; f = S.SyscallFilter(S.ALLOW); "
             "f.set_attr(S.Attr.ACT_BADARCH, S.KILL_PROCESS)")
    try:
        return subprocess.run(["/usr/bin/python3", "-c", probe],
                              capture_output=True).returncode == 0
    except OSError:
        return False


HAVE_ORACLE = _oracle_ok()
needs_oracle = pytest.mark.skipif(
    not HAVE_ORACLE, reason="/usr/bin/python3 cannot import seccomp (python3-seccomp) or its "
                            "libseccomp refuses KILL_PROCESS (no seccomp(2): qemu-user)")


def oracle(jobs):
    out = subprocess.run(["/usr/bin/python3", str(ORACLE)], input=json.dumps(jobs),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# ---- running filters -------------------------------------------------------------------------

def in_filtered_child(setup, probe):
    """Fork; the child runs setup() (loads a filter) then probe() -> str, and reports it.
    Returns the report, "signal:N" if the child was killed, "unsupported" if the kernel (qemu)
    has no seccomp."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            w = os.dup2(w, REPORT_FD)  # out of the way of probes that dup onto small fds
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            try:
                setup()
            except L.UnsupportedError:
                os.write(w, b"unsupported")
                os._exit(0)
            os.write(w, str(probe()).encode())
        except BaseException as e:
            try:
                os.write(w, f"error:{e!r}".encode())
            except BaseException:
                pass
        finally:
            os._exit(0)
    os.close(w)
    data = b""
    while True:
        if not select.select([r], [], [], 60)[0]:  # a child that cannot exit (exit_group denied)
            os.kill(pid, signal.SIGKILL)
            data += b"timeout"
            break
        chunk = os.read(r, 4096)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and not data:
        return f"signal:{os.WTERMSIG(status)}"
    return data.decode() or f"exit:{os.WEXITSTATUS(status)}"


def skip_unsupported(verdicts):
    if "unsupported" in verdicts:
        if EMULATED:
            pytest.skip("qemu-user has no seccomp")
        pytest.fail("seccomp unsupported natively")


def raw_probe(nr, args):
    """The probe protocol of seccomp_oracle.py: errno >= 1000 is a filter's verdict."""
    trapped = []
    signal.signal(signal.SIGSYS, lambda *a: trapped.append(1))

    def probe():
        try:
            L.syscall(nr, *args)
        except OSError as e:
            if trapped:
                return "trap"
            return f"errno:{e.errno}" if e.errno >= 1000 else "allow"
        return "trap" if trapped else "allow"
    return probe


def build(default, rules, arch=None):
    f = Filter(default, arch=arch)
    for action, name, args in rules:
        f.add_rule(action, name, *(Arg(i, op, v, m if op == MASKED_EQ else None)
                                   for i, op, v, m in args))
    return f


def our_verdicts(default, rules, probes):
    out = []
    for nr, args in probes:
        out.append(in_filtered_child(lambda: build(default, rules).load(), raw_probe(nr, args)))
    return out


def verdict_of(ret):
    """What a probe child reports for a filter's return value."""
    kind = ret & L.SECCOMP_RET.ACTION_FULL
    if kind in (ALLOW, LOG):
        return "allow"
    if kind == L.SECCOMP_RET.ERRNO:
        return f"errno:{ret & 0xFFFF}" if ret & 0xFFFF >= 1000 else "allow"
    if kind == TRAP:
        return "trap"
    if kind in (KILL_PROCESS, KILL_THREAD):
        return f"signal:{signal.SIGSYS}"
    return hex(ret)


# ---- the model: what a filter must decide -------------------------------------------------------

def rank(action):
    kind = action & 0xFFFF0000
    return kind - (1 << 32) if kind & 0x80000000 else kind


def holds(cmp, arg, bits):
    index, op, value, mask = cmp
    width = U64 if bits == 64 else U32
    a, v, m = arg & width, value & width, mask & width
    return {EQ: a == v, NE: a != v, LT: a < v, LE: a <= v, GT: a > v, GE: a >= v,
            MASKED_EQ: a & m == v & m}[op]


def model(default, rules, arch, nr, data_arch, args):
    """The verdict: arch check, x32 check, then the highest-ranked matching rule."""
    if data_arch != arch.audit_arch:
        return KILL_PROCESS
    if arch.x32_bit and U32 != nr & U32 >= arch.x32_bit:
        return KILL_PROCESS
    best = None
    for action, name, cmps in rules:
        n = name if isinstance(name, int) else arch.syscalls[name]
        if n == nr and all(holds(c, args[c[0]], arch.bits) for c in cmps):
            if best is None or rank(action) < rank(best):
                best = action
    return default if best is None else best


# ---- per-arch tables ---------------------------------------------------------------------------

ARCH_NAMES = {"x86_64": "X86_64", "i686": "I386", "aarch64": "AARCH64", "armv7l": "ARM"}


def table_arch(name):
    """The Arch of ``name`` from cdefs/tables/<name>.h and L.AUDIT_ARCH (not shipped in the wheel:
    tests only)."""
    syscalls = {}
    x32 = 0
    for line in (TABLES / f"{name}.h").read_text().splitlines():
        m = re.match(r"#define SYS_(\w+) (\d+)$", line)
        if m:
            syscalls[m[1]] = int(m[2])
        elif name == "x86_64" and line.startswith("#define __X32_SYSCALL_BIT "):
            x32 = int(line.split()[2], 0)
    return Arch(int(L.AUDIT_ARCH[ARCH_NAMES[name]]), syscalls, x32)


# The tables ship in the sdist, not beside an installed wheel's tests: the cross-arch tests
# need a checkout (their parametrizations are then empty, so pytest skips them).
ARCHES = {name: table_arch(name) for name in ARCH_NAMES} if TABLES.is_dir() else {}
needs_tables = pytest.mark.skipif(not ARCHES, reason="needs cdefs/tables (a source checkout)")

# ---- the rule sets ------------------------------------------------------------------------------

V64 = 0x1_0000_0005  # a 64-bit value: on 32-bit arches libseccomp (and we) compare its low word

# Default ALLOW: denials, traps and kills, argument comparisons of every op.  Rules of one
# syscall overlap only where libseccomp's verdict is ours (a higher-ranked action wins).
DENY_RULES = [
    (ERRNO(1001), "getppid", [(0, EQ, 5, 0)]),
    (ERRNO(1002), "getppid", [(0, EQ, 6, 0), (1, EQ, 7, 0)]),
    (ERRNO(1003), "dup", [(0, GT, 1000, 0)]),
    (TRAP, "dup", [(0, LE, 10, 0)]),
    (ERRNO(1004), "dup3", [(0, MASKED_EQ, 0x30, 0xF0)]),
    (ERRNO(1005), "dup3", [(1, GE, V64, 0)]),
    (ERRNO(1006), "lseek", [(1, EQ, V64, 0)]),
    (ERRNO(1007), "lseek", [(1, NE, V64, 0), (2, EQ, 3, 0)]),
    (ERRNO(1008), "getpgid", [(0, LT, 100, 0)]),
    (ERRNO(1009), "getsid", [(0, GT, 0xFFFF_FFFF, 0)]),
    (ERRNO(1010), "getsid", [(0, LE, 0x7FFF_FFFF, 0), (1, NE, 0, 0)]),
    (ERRNO(1011), "kill", []),
    (LOG, "kill", [(1, EQ, 0, 0)]),  # libseccomp: the unconditional rule wins; we: it ranks
    (LOG, "fchdir", [(0, GE, 3, 0)]),  # (libseccomp refuses rules of the default action)
    (ERRNO(1012), "fchdir", [(0, LE, 5, 0)]),  # both hold at 3..5: ERRNO outranks LOG
    (KILL_PROCESS, "umask", [(0, EQ, 0o777, 0)]),
    (KILL_THREAD, "umask", [(0, MASKED_EQ, 0o7000, 0o7000)]),
    (ERRNO(1013), "getpriority", [(0, EQ, -1, 0)]),  # negative: the two's complement
    (ERRNO(1014), "sched_yield", []),
    (LOG, "getuid", []),
    (ERRNO(1015), "setpgid", [(0, MASKED_EQ, 0xFFFF_0000_0000_0000, 0xFF00_0000_0000_0000)]),
]


def probes_for(rules, arch, bits):
    """Argument vectors around every compared value: v-1, v, v+1, the value with its other
    word changed, a masked value, plus all zeros."""
    out = []
    width = U64 if bits == 64 else U32
    for _, name, cmps in rules:
        nr = arch.syscalls[name]
        base = [0] * 6
        out.append((nr, list(base)))
        for index, op, value, mask in cmps:
            v = value & U64
            for cand in {v, v - 1, v + 1, v ^ (1 << 32), v | (1 << 40), v & U32, mask, v | ~mask,
                         v + (1 << 32), 0}:
                args = list(base)
                for i2, _, v2, _ in cmps:  # the rule's other comparisons at their values
                    args[i2] = v2 & width
                args[index] = cand & width
                out.append((nr, args))
    uniq = []
    for p in out:
        if p not in uniq:
            uniq.append(p)
    return uniq


INFRA = ["write", "exit_group", "exit", "rt_sigreturn", "sigreturn", "brk", "mmap", "mmap2",
         "munmap", "mremap", "madvise", "futex", "rt_sigprocmask", "rt_sigaction", "sigaltstack",
         "getpid", "gettid", "close"]  # what a probe child needs to report (never probed)
ALLOW_LIST_TESTED = [
    (ALLOW, "getppid", []),
    (ALLOW, "dup", [(0, LT, 10, 0)]),
    (TRAP, "dup", [(0, EQ, 50, 0)]),
    (ALLOW, "dup3", [(0, EQ, 1, 0), (1, GT, 100, 0), (2, MASKED_EQ, 0, ~os.O_CLOEXEC & U64)]),
    (ALLOW, "lseek", [(2, LE, 2, 0)]),
    (ALLOW, "getpgid", [(0, NE, 1, 0)]),
    (ERRNO(1020), "getsid", [(0, GE, V64, 0)]),
]


def allow_list_rules():
    """Default ERRNO(1099): the calls a probe child needs, then those under test."""
    return [(ALLOW, n, []) for n in INFRA if n in vars(L.SYS)] + ALLOW_LIST_TESTED


# ---- against libseccomp, in the kernel --------------------------------------------------------

def compare_with_libseccomp(default, rules, tested):
    probes = probes_for(tested, NATIVE, BITS)
    probes += [(NATIVE.syscalls["getpid"], [0] * 6),
               (NATIVE.syscalls["getppid"], [5, 0, 0, 0, 0, 0])]
    ours = our_verdicts(default, rules, probes)
    skip_unsupported(ours)
    # the VM agrees with the kernel on our program (what makes the cross-arch proof worth it)
    prog = build(default, rules).bpf()
    vm = [verdict_of(bpf_vm.run(prog, bpf_vm.seccomp_data(nr, NATIVE.audit_arch, a)))
          for nr, a in probes]
    assert ours == vm
    if not HAVE_ORACLE:
        pytest.skip("/usr/bin/python3 cannot import seccomp: the libseccomp comparison")
    theirs = oracle([{"mode": "load", "default": default, "rules": rules, "probes": probes}])[0]
    diff = [(p, o, t) for p, o, t in zip(probes, ours, theirs) if o != t]
    assert not diff, diff
    return ours


def test_deny_rules_match_libseccomp():
    verdicts = compare_with_libseccomp(ALLOW, DENY_RULES, DENY_RULES)
    assert {"allow", "trap", f"signal:{signal.SIGSYS}", "errno:1001", "errno:1011"} <= set(verdicts)


def test_allow_list_matches_libseccomp():
    verdicts = compare_with_libseccomp(ERRNO(1099), allow_list_rules(), ALLOW_LIST_TESTED)
    assert {"allow", "trap", "errno:1099"} <= set(verdicts)


def test_friendly_calls_under_a_filter():
    """The calls people make, not raw numbers: L.dup, os.dup (fcntl's F_DUPFD_CLOEXEC), lseek
    offsets (i686/armv7l: _llseek, the offset's low word in argument 2)."""
    sys_ = vars(L.SYS)
    fcntl = "fcntl64" if "fcntl64" in sys_ else "fcntl"

    def setup():
        f = Filter(ALLOW)
        f.add_rule(ERRNO(errno.EACCES), "dup", Arg(0, EQ, 0))
        f.add_rule(ERRNO(errno.EPERM), fcntl, Arg(0, EQ, 1), Arg(1, EQ, L.F.DUPFD_CLOEXEC))
        if "_llseek" in sys_:
            f.add_rule(ERRNO(errno.EROFS), "_llseek", Arg(2, GE, 1 << 20))
        else:
            f.add_rule(ERRNO(errno.EROFS), "lseek", Arg(1, GE, 1 << 20))
        assert f.load() is None

    def probe():
        out = []
        for fn in (lambda: L.dup(0, inheritable=True), lambda: L.dup(1, inheritable=True),
                   lambda: os.dup(1), lambda: os.dup(0),
                   lambda: os.lseek(0, 1 << 20, os.SEEK_SET), lambda: os.lseek(0, 5, os.SEEK_SET)):
            try:
                fn()
                out.append("ok")
            except OSError as e:
                out.append(errno.errorcode[e.errno])
        with open("/proc/self/status") as st:
            out.append(re.search(r"NoNewPrivs:\s*(\d)", st.read())[1])
        return ",".join(out)
    got = in_filtered_child(setup, probe)
    skip_unsupported([got])
    v = got.split(",")
    assert v[:5] == ["EACCES", "ok", "EPERM", "ok", "EROFS"], got
    assert v[5] in ("ok", "ESPIPE"), got  # stdin may be a pipe
    assert v[6] == "1"  # load() set no_new_privs, as libseccomp does


def test_wrong_arch_kills():
    other = (L.AUDIT_ARCH.I386 if NATIVE.audit_arch != L.AUDIT_ARCH.I386
             else L.AUDIT_ARCH.X86_64)
    got = in_filtered_child(lambda: Filter(ALLOW, arch=Arch(int(other), {})).load(),
                            lambda: os.getpid())
    skip_unsupported([got])
    assert got == f"signal:{signal.SIGSYS}"


# ---- the cross-arch proof (BPF interpreter) ----------------------------------------------------

def vm_cases(arch, rules):
    """(nr, data arch, args): every probe, plus other ABIs, x32 numbers, unknown numbers."""
    cases = [(nr, arch.audit_arch, args) for nr, args in probes_for(rules, arch, arch.bits)]
    nr = arch.syscalls["getppid"]
    for other in ARCHES.values():
        if other.audit_arch != arch.audit_arch:
            cases.append((nr, other.audit_arch, [0] * 6))
    cases += [(nr, 0, [0] * 6), (0x4000_0000 | nr, arch.audit_arch, [0] * 6),
              (-1, arch.audit_arch, [0] * 6), (999, arch.audit_arch, [0] * 6),
              (0x7FFF_FFFF, arch.audit_arch, [0] * 6)]
    if arch.bits == 32:  # a 64-bit value's high word in seccomp_data: not the argument's
        cases.append((arch.syscalls["lseek"], arch.audit_arch, [0, V64, 0, 0, 0, 0]))
    return cases


@pytest.mark.parametrize("name", sorted(ARCHES))
@pytest.mark.parametrize("ruleset", ["deny", "allow"])
def test_cross_arch_vm(name, ruleset):
    arch = ARCHES[name]
    default, rules = (ALLOW, DENY_RULES) if ruleset == "deny" else (ERRNO(1099), allow_list_rules())
    rules = [r for r in rules if r[1] in arch.syscalls]
    prog = build(default, rules, arch).bpf()
    cases = vm_cases(arch, rules)
    ours = [bpf_vm.run(prog, bpf_vm.seccomp_data(nr, a, args)) for nr, a, args in cases]
    want = [model(default, rules, arch, nr & U32, a, args) for nr, a, args in cases]
    assert ours == want
    if arch.x32_bit:
        assert ours[cases.index((0x4000_0000 | arch.syscalls["getppid"], arch.audit_arch,
                                 [0] * 6))] == KILL_PROCESS
    if not HAVE_ORACLE:
        pytest.skip("no libseccomp to compare with")
    theirs = bytes.fromhex(oracle([{"mode": "bpf", "default": default, "rules": rules,
                                    "arches": [name]}])[0][name])
    libseccomp = [bpf_vm.run(theirs, bpf_vm.seccomp_data(nr, a, args)) for nr, a, args in cases]
    diff = [(c, hex(o), hex(t)) for c, o, t in zip(cases, ours, libseccomp) if o != t]
    assert not diff, diff


MUX_RULES = [(ERRNO(1001), "socket", []), (ERRNO(1002), "connect", []),
             (ERRNO(1003), "send", []), (KILL_PROCESS, "shmget", []),
             (ERRNO(1004), "semtimedop", [])]


@needs_tables
def test_multiplexed_calls_are_covered_as_libseccomp_covers_them():
    """i386: a rule without comparisons on a call socketcall(2) or ipc(2) multiplexes covers
    the multiplexed call too, beside the direct call if there is one, as libseccomp's does; a
    rule with comparisons the direct call alone; arches without the multiplexers take the
    direct call alone."""
    arch = ARCHES["i686"]
    prog = build(ALLOW, MUX_RULES, arch).bpf()
    sc, ipc = arch.syscalls["socketcall"], arch.syscalls["ipc"]
    cases = ([(sc, [n, 0, 0, 0, 0, 0]) for n in range(23)]
             + [(ipc, [n, 0, 0, 0, 0, 0]) for n in range(27)]
             + [(arch.syscalls["socket"], [0] * 6), (arch.syscalls["connect"], [5] + [0] * 5),
                (arch.syscalls["connect"], [6] + [0] * 5), (arch.syscalls["shmget"], [0] * 6)])
    compared = Filter(ALLOW, arch=arch)
    compared.add_rule(ERRNO(1005), "connect", Arg(0, EQ, 5))
    assert list(compared._rules) == [arch.syscalls["connect"]]  # not socketcall's: out of reach
    with pytest.raises(ValueError, match="only socketcall"):
        compared.add_rule(ERRNO(1005), "send", Arg(0, EQ, 5))
    ours = [bpf_vm.run(prog, bpf_vm.seccomp_data(nr, arch.audit_arch, args))
            for nr, args in cases]
    by_call = {(sc, L.SOCKETCALL.SOCKET): ERRNO(1001), (sc, L.SOCKETCALL.CONNECT): ERRNO(1002),
               (sc, L.SOCKETCALL.SEND): ERRNO(1003), (ipc, L.IPC_CALL.SHMGET): KILL_PROCESS,
               (ipc, L.IPC_CALL.SEMTIMEDOP): ERRNO(1004)}
    want = [by_call.get((nr, args[0]), ALLOW) for nr, args in cases[:50]]
    want += [ERRNO(1001), ERRNO(1002), ERRNO(1002), KILL_PROCESS]
    assert ours == want
    assert "send" not in arch.syscalls and "semtimedop" not in arch.syscalls  # multiplexed only
    for name in ("x86_64", "aarch64"):  # no multiplexers: the direct call, and no "send"
        f = Filter(ALLOW, arch=ARCHES[name])
        f.add_rule(ERRNO(1), "socket")
        assert list(f._rules) == [ARCHES[name].syscalls["socket"]]
        with pytest.raises(ValueError):
            f.add_rule(ERRNO(1), "send")
    by_number = Filter(ALLOW, arch=arch)
    by_number.add_rule(ERRNO(1001), arch.syscalls["socket"])
    assert by_number.bpf() == build(ALLOW, MUX_RULES[:1], arch).bpf()
    if not HAVE_ORACLE:
        pytest.skip("no libseccomp to compare with")
    theirs = bytes.fromhex(oracle([{"mode": "bpf", "default": ALLOW, "rules": MUX_RULES,
                                    "arches": ["i686"]}])[0]["i686"])
    assert [bpf_vm.run(theirs, bpf_vm.seccomp_data(nr, arch.audit_arch, args))
            for nr, args in cases] == ours


def vm_run(prog, arch, name, args):
    return bpf_vm.run(prog, bpf_vm.seccomp_data(arch.syscalls[name], arch.audit_arch, args))


@needs_tables
def test_32bit_arches_compare_the_low_word():
    """i686/armv7l arguments are 32 bits: a 64-bit value is taken modulo 2**32 (libseccomp)."""
    for name in ("i686", "armv7l"):
        arch = ARCHES[name]
        f = Filter(ALLOW, arch=arch)
        f.add_rule(ERRNO(1), "dup", Arg(0, EQ, V64))
        f.add_rule(ERRNO(2), "getppid", Arg(0, GE, 1 << 32))
        prog = f.bpf()
        assert vm_run(prog, arch, "dup", [5]) == ERRNO(1)
        assert vm_run(prog, arch, "dup", [6]) == ALLOW
        assert vm_run(prog, arch, "getppid", [0]) == ERRNO(2)  # GE 0 after the cut: always
    arch = ARCHES["x86_64"]
    f = Filter(ALLOW, arch=arch)
    f.add_rule(ERRNO(1), "dup", Arg(0, EQ, V64))
    prog = f.bpf()
    assert vm_run(prog, arch, "dup", [5]) == ALLOW
    assert vm_run(prog, arch, "dup", [V64]) == ERRNO(1)


@pytest.mark.parametrize("name", sorted(ARCHES))
def test_random_rules_vm(name):
    """Random rule sets (one rule per syscall, as libseccomp takes them) against the model and
    libseccomp's own program for the same arch."""
    arch = ARCHES[name]
    rnd = random.Random(f"seccomp-{name}")
    names = [n for n in ("getppid", "dup", "dup3", "lseek", "getpgid", "getsid", "umask",
                         "fchdir", "kill", "getpriority", "setpgid", "sched_yield")
             if n in arch.syscalls]
    values = [0, 1, 5, 0xFF, 0x7FFF_FFFF, 0x8000_0000, U32, 1 << 32, V64, U64, 1 << 63]
    # (libseccomp refuses ERRNO(4095), which the kernel takes)
    actions = [ERRNO(1), ERRNO(4094), TRAP, KILL_PROCESS, KILL_THREAD, LOG, TRACE(7), USER_NOTIF]
    jobs, sets = [], []
    for _ in range(12):
        rules = []
        for n in rnd.sample(names, 6):
            cmps = []
            for index in rnd.sample(range(6), rnd.randint(0, 3)):
                op = rnd.choice(list(S.Op))
                mask = rnd.choice(values) if op == MASKED_EQ else 0
                cmps.append((index, op, rnd.choice(values), mask))
            rules.append((rnd.choice(actions), n, cmps))
        sets.append(rules)
        jobs.append({"mode": "bpf", "default": ALLOW, "rules": rules, "arches": [name]})
    theirs = oracle(jobs) if HAVE_ORACLE else [None] * len(jobs)
    for rules, their in zip(sets, theirs):
        prog = build(ALLOW, rules, arch).bpf()
        for nr, args in probes_for(rules, arch, 64):
            data = bpf_vm.seccomp_data(nr, arch.audit_arch, args)
            got = bpf_vm.run(prog, data)
            assert got == model(ALLOW, rules, arch, nr, arch.audit_arch, args), (rules, nr, args)
            if their is not None:
                assert got == bpf_vm.run(bytes.fromhex(their[name]), data), (rules, nr, args)


def test_vm_agrees_with_kernel_on_overlaps():
    """Precedence where libseccomp differs (so no oracle): the kernel runs our program as the
    VM does, and the higher-ranked action wins in any order."""
    rules = [(ALLOW, "dup", []), (ERRNO(1030), "dup", [(0, EQ, 7, 0)]),
             (ERRNO(1031), "dup3", [(0, EQ, 3, 0)]), (TRAP, "dup3", [(1, EQ, 5, 0)])]
    rules += [(ALLOW, n, []) for n in INFRA if n in vars(L.SYS)]
    probes = [(NATIVE.syscalls["dup"], [7, 0, 0, 0, 0, 0]), (NATIVE.syscalls["dup"], [8] + [0] * 5),
              (NATIVE.syscalls["dup3"], [3, 5, 0, 0, 0, 0]),
              (NATIVE.syscalls["dup3"], [3, 6, 0, 0, 0, 0])]
    ours = our_verdicts(ERRNO(1099), rules, probes)
    skip_unsupported(ours)
    assert ours == ["errno:1030", "allow", "trap", "errno:1031"]
    prog = build(ERRNO(1099), rules).bpf()
    assert ours == [verdict_of(bpf_vm.run(prog, bpf_vm.seccomp_data(nr, NATIVE.audit_arch, a)))
                    for nr, a in probes]


@pytest.mark.parametrize("name", sorted(ARCHES))
def test_big_filters_long_jumps(name):
    """Hundreds of syscalls: jumps past 255 instructions go through ja trampolines."""
    arch = ARCHES[name]
    nrs = sorted(arch.syscalls.values())
    f = Filter(ERRNO(1), arch=arch)
    for nr in nrs[:300]:
        f.add_rule(ALLOW, nr)
    g = Filter(KILL_PROCESS, arch=arch)  # every syscall with code of its own: far blocks
    for i, nr in enumerate(nrs[:300]):
        g.add_rule(ERRNO(i % 4000 + 1), nr, Arg(0, EQ, i))
    for filt, check in ((f, lambda i, nr, r: r == ALLOW),
                        (g, lambda i, nr, r: r == ERRNO(i % 4000 + 1))):
        prog = filt.bpf()
        assert len(prog) // bpf_vm.INSN <= 4096
        rows = bpf_vm.decode(prog)
        if filt is g:
            assert any(code == L.BPF_JMP | L.BPF_JA for code, *_ in rows)  # trampolines in use
        for i, nr in enumerate(nrs[:300]):
            r = bpf_vm.run(prog, bpf_vm.seccomp_data(nr, arch.audit_arch, [i]))
            assert check(i, nr, r), (nr, hex(r))
        other = bpf_vm.run(prog, bpf_vm.seccomp_data(nrs[300] if len(nrs) > 300 else 9999,
                                                     arch.audit_arch, [0]))
        assert other == filt.default_action
        assert bpf_vm.run(prog, bpf_vm.seccomp_data(nrs[0], arch.audit_arch, [U32 + 1])) \
            in (ALLOW, filt.default_action if arch.bits == 64 else ERRNO(1))


def test_big_filter_loads():
    """300 allowed syscalls load in the kernel (a real long-jump program)."""
    nrs = sorted(set(NATIVE.syscalls.values()))[:300]
    names = {n for n, v in NATIVE.syscalls.items() if v in nrs}

    def setup():
        f = Filter(ERRNO(1040))
        for nr in nrs:
            f.add_rule(ALLOW, nr)
        if "getppid" in names:
            f.add_rule(ERRNO(1041), "getppid", Arg(0, EQ, 77))
        f.load()
    got = in_filtered_child(setup, raw_probe(NATIVE.syscalls["getppid"], [77, 0, 0, 0, 0, 0]))
    skip_unsupported([got])
    assert got == ("errno:1041" if "getppid" in names else "errno:1040")


def test_too_big_refused():
    f = Filter(ALLOW)
    for i in range(1200):
        f.add_rule(ERRNO(1), 5000 + i, Arg(0, EQ, i), Arg(1, EQ, i))
    with pytest.raises(ValueError, match="4096"):
        f.bpf()
    with pytest.raises(ValueError, match="4096"):
        f.load()  # refused before any syscall: the test process stays unfiltered


# ---- listing, bpf() layout ---------------------------------------------------------------------

def test_bpf_layout_and_disassembly():
    f = Filter(ERRNO(errno.EPERM))
    f.add_rule(ALLOW, "getppid")
    f.add_rule(TRAP, "dup", Arg(0, MASKED_EQ, 3, mask=0xF))
    prog = f.bpf()
    assert isinstance(prog, bytes) and len(prog) % L.ffi.sizeof("struct sock_filter") == 0
    insns = L.ffi.from_buffer("struct sock_filter[]", prog)
    assert insns[0].code == L.BPF_LD | L.BPF_W | L.BPF_ABS
    assert insns[0].k == L.ffi.offsetof("struct seccomp_data", "arch")
    assert insns[len(insns) - 1].code == L.BPF_RET | L.BPF_K
    L.ffi.release(insns)
    text = f.disassemble()
    assert "getppid" in text and "TRAP" in text and f"ERRNO({errno.EPERM})" in text
    assert "KILL_PROCESS" in text and "args[0]" in text
    assert len(text.splitlines()) == len(prog) // 8
    assert S.disassemble(prog) == text


# ---- raw seccomp(2) and the queries ------------------------------------------------------------

@pytest.mark.parametrize("action", [ALLOW, ERRNO(1), KILL_PROCESS, KILL_THREAD, TRAP, TRACE(1),
                                    LOG, USER_NOTIF])
def test_get_action_avail(action):
    try:
        assert S.seccomp_get_action_avail(action) is True  # all of them since Linux 5.0
    except L.UnsupportedError:
        if not EMULATED:
            raise
        pytest.skip("qemu-user has no seccomp")
    buf = (action & 0xFFFF0000).to_bytes(4, "little" if NATIVE.little_endian else "big")
    assert L.seccomp(L.SECCOMP.GET_ACTION_AVAIL, 0, buf) == 0


def test_get_action_avail_unknown_and_bad():
    with pytest.raises(ValueError):
        S.seccomp_get_action_avail(0x12340000)  # refused before the kernel
    with pytest.raises(TypeError):
        S.seccomp_get_action_avail("allow")
    try:
        raises_errno(errno.EOPNOTSUPP, L.seccomp, L.SECCOMP.GET_ACTION_AVAIL, 0,
                     (0x12340000).to_bytes(4, "little"))
    except L.UnsupportedError:
        pytest.skip("qemu-user has no seccomp")


def test_get_notif_sizes():
    try:
        sizes = L.seccomp_get_notif_sizes()
    except L.UnsupportedError:
        if not EMULATED:
            raise
        pytest.skip("qemu-user has no seccomp")
    assert sizes.seccomp_data == L.ffi.sizeof("struct seccomp_data")
    assert sizes.seccomp_notif >= 80 and sizes.seccomp_notif_resp >= 24
    buf = bytearray(6)
    assert L.seccomp(L.SECCOMP.GET_NOTIF_SIZES, 0, buf) == 0
    assert int.from_bytes(buf[4:6], "little") == sizes.seccomp_data


def test_raw_seccomp_bad_input():
    with pytest.raises(ValueError):
        L.seccomp(L.SECCOMP.GET_NOTIF_SIZES, 0, bytearray(5))  # too small for the kernel
    with pytest.raises(TypeError):
        L.seccomp(L.SECCOMP.GET_NOTIF_SIZES, 0, b"123456")  # the kernel writes: not bytes
    with pytest.raises(ValueError):
        L.seccomp(L.SECCOMP.GET_ACTION_AVAIL, 0, b"12")
    with pytest.raises(ValueError):
        L.seccomp(L.SECCOMP.SET_MODE_FILTER, 0, b"1234567")  # not whole instructions
    with pytest.raises(ValueError):
        L.seccomp(L.SECCOMP.SET_MODE_STRICT, 0, b"x")
    with pytest.raises(TypeError):
        L.seccomp(L.O.RDONLY)  # another namespace's member
    ba = bytearray(5)
    with pytest.raises(ValueError):
        L.seccomp(L.SECCOMP.GET_NOTIF_SIZES, 0, ba)
    ba.extend(b"x")  # the view was released
    try:
        raises_errno(errno.EINVAL, L.seccomp, 99)
        raises_errno(errno.EINVAL, L.seccomp, L.SECCOMP.GET_NOTIF_SIZES, 1, bytearray(6))
    except L.UnsupportedError:
        pytest.skip("qemu-user has no seccomp")


def test_raw_seccomp_set_mode_filter():
    """The raw form takes the program; it needs no_new_privs or CAP_SYS_ADMIN (root here)."""
    f = Filter(ALLOW)
    f.add_rule(ERRNO(1050), "getppid")
    prog = f.bpf()
    got = in_filtered_child(lambda: L.seccomp(L.SECCOMP.SET_MODE_FILTER, 0, bytearray(prog)),
                            raw_probe(NATIVE.syscalls["getppid"], [0] * 6))
    skip_unsupported([got])
    assert got == ("errno:1050" if os.geteuid() == 0
                   else "error:PermissionError(13, 'Permission denied')")


def test_strict_mode():
    got = in_filtered_child(lambda: L.seccomp(L.SECCOMP.SET_MODE_STRICT), lambda: os.getpid())
    skip_unsupported([got])
    assert got == f"signal:{signal.SIGKILL}"


# ---- bad input: clear errors before any syscall ------------------------------------------------

def test_bad_rules():
    assert KILL == KILL_THREAD == L.SECCOMP_RET.KILL  # libseccomp's name
    f = Filter(ALLOW)
    with pytest.raises(ValueError, match="unknown syscall"):
        f.add_rule(ERRNO(1), "no_such_syscall")
    with pytest.raises(ValueError):
        f.add_rule(ERRNO(1), "getppid", Arg(6, EQ, 0))
    with pytest.raises(ValueError):
        ERRNO(4096)
    with pytest.raises(ValueError):
        f.add_rule(L.SECCOMP_RET.ERRNO | 4096, "getppid")
    with pytest.raises(ValueError):
        ERRNO(-1)
    with pytest.raises(TypeError):
        ERRNO("EPERM")
    with pytest.raises(ValueError):
        f.add_rule(0x12340000, "getppid")  # no such action
    with pytest.raises(ValueError):
        f.add_rule(ALLOW | 5, "getppid")  # data on an action without any
    with pytest.raises(ValueError):
        f.add_rule(ALLOW, "getppid", Arg(0, MASKED_EQ, 1))  # no mask
    with pytest.raises(ValueError):
        f.add_rule(ALLOW, "getppid", Arg(0, EQ, 1, mask=3))  # a mask on EQ
    with pytest.raises(ValueError):
        f.add_rule(ALLOW, "getppid", Arg(0, 99, 1))
    with pytest.raises(ValueError):
        f.add_rule(ALLOW, "getppid", Arg(0, EQ, 1 << 64))
    with pytest.raises(TypeError):
        f.add_rule(ALLOW, "getppid", (0, EQ, 1))
    with pytest.raises(TypeError):
        f.add_rule(ALLOW, 1.5)
    with pytest.raises(ValueError):
        f.add_rule(ALLOW, -1)
    with pytest.raises(TypeError):
        Filter(ALLOW, arch="x86_64")
    with pytest.raises(ValueError):
        TRACE(1 << 16)
    if NATIVE.x32_bit:
        with pytest.raises(ValueError):
            f.add_rule(ALLOW, 0x4000_0000 | 1)
    assert f.bpf() == Filter(ALLOW).bpf()  # none of them was added


def test_rule_after_load():
    def setup():
        f = Filter(ALLOW)
        f.add_rule(ERRNO(1060), "getppid")
        f.load()
        with pytest.raises(RuntimeError, match="already loaded"):
            f.add_rule(ALLOW, "getpid")
        with pytest.raises(RuntimeError, match="already loaded"):
            f.load()
    got = in_filtered_child(setup, raw_probe(NATIVE.syscalls["getppid"], [0] * 6))
    skip_unsupported([got])
    assert got == "errno:1060"


def test_load_flags():
    for flags in (L.SECCOMP_FILTER_FLAG.LOG, L.SECCOMP_FILTER_FLAG.SPEC_ALLOW,
                  L.SECCOMP_FILTER_FLAG.TSYNC, "tsync|log"):
        def setup(flags=flags):
            f = Filter(ALLOW)
            f.add_rule(ERRNO(1061), "getppid")
            assert f.load(flags) is None
        got = in_filtered_child(setup, raw_probe(NATIVE.syscalls["getppid"], [0] * 6))
        skip_unsupported([got])
        assert got == "errno:1061", flags

    def listener_needs_flag():  # WAIT_KILLABLE_RECV only with NEW_LISTENER
        f = Filter(ALLOW)
        with pytest.raises(OSError) as e:
            f.load(L.SECCOMP_FILTER_FLAG.WAIT_KILLABLE_RECV)
        assert e.value.errno == errno.EINVAL
        fd = f.load(NEW_LISTENER | L.SECCOMP_FILTER_FLAG.WAIT_KILLABLE_RECV)
        assert isinstance(fd, L.Fd) and fd_kind(fd) == "seccomp notify"
        assert os.get_inheritable(fd.fileno()) is False
    got = in_filtered_child(listener_needs_flag, lambda: "ok")
    skip_unsupported([got])
    assert got == "ok"
    with pytest.raises(ValueError):
        Filter(ALLOW).load("nosuchflag")


def test_load_needs_no_new_privs_unprivileged():
    def setup():
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        f = Filter(ALLOW)
        with pytest.raises(PermissionError):
            f.load(no_new_privs=False)
        f.load()  # sets no_new_privs first
    if os.geteuid() != 0:
        pytest.skip("needs root to become nobody")
    got = in_filtered_child(setup, lambda: "ok")
    skip_unsupported([got])
    assert got == "ok"


# ---- user notification ---------------------------------------------------------------------

def supervise(child_fn, handler):
    """Fork a child that runs child_fn(sock) (it sends its listener over sock); the parent
    receives the listener and calls handler(listener, pid) -> its findings; the child's exit
    status must be 0."""
    parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            parent_sock.close()
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            try:
                code = child_fn(child_sock)
            except L.UnsupportedError:
                child_sock.send(b"U")
                code = 0
        except BaseException as e:
            os.write(2, f"child failed: {e!r}\n".encode())
        finally:
            os._exit(code)
    child_sock.close()
    try:
        data, fds, _, _ = L.recv_fds(parent_sock, 1, 1)
        if data == b"U":
            assert EMULATED, "seccomp unsupported natively"
            pytest.skip("qemu-user has no seccomp")
        assert len(fds) == 1, data
        with fds[0] as listener:
            result = handler(listener, pid)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        parent_sock.close()
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return result


def wait_readable(fd):
    r, _, _ = select.select([fd], [], [], 30)
    assert r, "no notification within 30 s"


def notify_getppid(sock):
    """In a supervised child: getppid goes to a supervisor, who gets the listener over sock."""
    f = Filter(ALLOW)
    f.add_rule(USER_NOTIF, "getppid")
    listener = f.load(NEW_LISTENER)
    L.send_fds(sock, [b"x"], [listener])
    listener.close()


def test_notif_answers_getppid():
    def child(sock):
        notify_getppid(sock)
        return 0 if os.getppid() == 4242 else 2

    def handler(listener, pid):
        wait_readable(listener)
        n = L.seccomp_notif_recv(listener)
        assert isinstance(n, L.SeccompNotif)
        assert (n.pid, n.nr, n.name, n.arch) == (pid, L.SYS.getppid, "getppid", NATIVE.audit_arch)
        assert len(n.args) == 6 and n.instruction_pointer > 0
        assert L.seccomp_notif_id_valid(listener, n.id)
        assert listener.seccomp_notif_id_valid(n.id)  # the Fd method
        L.seccomp_notif_send(listener, n.id, val=4242)
        assert not L.seccomp_notif_id_valid(listener, n.id)  # answered
        with pytest.raises(OSError) as e:  # answered: EINPROGRESS until the target wakes
            L.seccomp_notif_send(listener, n.id, 1)
        assert e.value.errno in (errno.EINPROGRESS, errno.ENOENT)
    supervise(child, handler)


def test_notif_errno_and_continue():
    def child(sock):
        notify_getppid(sock)
        try:
            L.syscall(L.SYS.getppid)  # (os.getppid cannot fail, so it does not say why)
            return 3
        except OSError as e:
            if e.errno != errno.ENOTRECOVERABLE:
                return 4
        return 0 if L.syscall(L.SYS.getppid) == os.getppid() > 1 else 5

    def handler(listener, pid):
        wait_readable(listener)
        n = listener.seccomp_notif_recv()
        L.seccomp_notif_send(listener, n.id, error=errno.ENOTRECOVERABLE)
        for _ in range(2):  # os.getppid, L.getppid: both run as they were
            wait_readable(listener)
            n = L.seccomp_notif_recv(listener)
            L.seccomp_notif_send(listener, n.id, flags=L.SECCOMP_USER_NOTIF_FLAG.CONTINUE)
    supervise(child, handler)


def test_notif_addfd_injects_an_fd():
    flags = os.O_NOCTTY | os.O_NOFOLLOW  # what marks the opens the supervisor emulates

    def child(sock):
        f = Filter(ALLOW)
        f.add_rule(USER_NOTIF, "openat", Arg(2, MASKED_EQ, flags, mask=flags))
        listener = f.load(NEW_LISTENER)
        L.send_fds(sock, [b"x"], [listener])
        listener.close()
        a = os.open("/nonexistent/seccomp-a", os.O_RDONLY | flags)  # injected, then answered
        b = os.open("/nonexistent/seccomp-b", os.O_RDONLY | flags)  # injected and answered at once
        ok = (os.read(a, 10) == b"first" and os.read(b, 10) == b"second"
              and not os.get_inheritable(a) and a == 77)
        return 0 if ok else 6

    def handler(listener, pid):
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()
        try:
            os.write(w1, b"first")
            os.write(w2, b"second")
            wait_readable(listener)
            n = L.seccomp_notif_recv(listener)
            assert n.name == "openat" and n.args[2] & flags == flags
            newfd = L.seccomp_notif_addfd(listener, n.id, r1, newfd=77,
                                          newfd_flags=L.O.CLOEXEC)
            assert newfd == 77
            L.seccomp_notif_send(listener, n.id, val=newfd)
            wait_readable(listener)
            n = L.seccomp_notif_recv(listener)
            got = listener.seccomp_notif_addfd(n.id, r2, flags=L.SECCOMP_ADDFD_FLAG.SEND)
            assert got >= 0
            assert not L.seccomp_notif_id_valid(listener, n.id)
            raises_errno(errno.ENOENT, L.seccomp_notif_addfd, listener, n.id, r2)
        finally:
            for fd in (r1, w1, r2, w2):
                os.close(fd)
    supervise(child, handler)


def test_notif_bad_input():
    r, w = os.pipe()
    try:
        for fn, args in ((L.seccomp_notif_recv, ()), (L.seccomp_notif_id_valid, (1,)),
                         (L.seccomp_notif_send, (1,)), (L.seccomp_notif_addfd, (1, 0))):
            raises_errno(errno.EINVAL, fn, r, *args)  # a pipe is no listener: refused first
        raises_errno(errno.EBADF, L.seccomp_notif_recv, -1)
    finally:
        os.close(r)
        os.close(w)

    def child(sock):
        listener = Filter(ALLOW).load(NEW_LISTENER)
        L.send_fds(sock, [b"x"], [listener])
        return 0

    def handler(listener, pid):
        with pytest.raises(ValueError):
            L.seccomp_notif_send(listener, 1, error=4096)
        with pytest.raises(ValueError):
            L.seccomp_notif_send(listener, 1, error=-1)
        with pytest.raises(ValueError):
            L.seccomp_notif_send(listener, 1, val=1, flags=L.SECCOMP_USER_NOTIF_FLAG.CONTINUE)
        with pytest.raises(OverflowError):
            L.seccomp_notif_send(listener, 1, val=1 << 63)
        with pytest.raises(TypeError):
            L.seccomp_notif_send(listener, 1, flags=L.O.RDONLY)
        with pytest.raises(ValueError):
            L.seccomp_notif_addfd(listener, 1, 0, newfd=-1)
        assert L.seccomp_notif_id_valid(listener, 12345) is False
        raises_errno(errno.ENOENT, L.seccomp_notif_send, listener, 12345, 0)
    supervise(child, handler)
