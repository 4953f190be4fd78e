"""python -m linuxsys: the availability report, and that its probes are harmless."""
import errno
import json
import os
import pathlib
import platform
import re
import subprocess
import sys

import pytest

import linuxsys as L
import linuxsys.__main__ as M
from linuxsys._native import lib

from conftest import EMULATED

REPO = pathlib.Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"^(\d+) of (\d+) syscalls available$")
STATUSES = {M.AVAILABLE, M.UNSUPPORTED, M.BLOCKED}
ALL_SYSCALLS = [name for table in M.PROBES.values() for name in table]


def run(*args):
    p = subprocess.run([sys.executable, "-m", "linuxsys", *args], cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    return p.stdout


@pytest.fixture(scope="module")
def text():
    return run()


@pytest.fixture(scope="module")
def report():
    return json.loads(run("--json"))


class FakeLib:
    """lib with some helpers or numbers replaced (None: hidden, as if the build lacked it)."""

    def __init__(self, **replaced):
        self.replaced = replaced

    def __getattr__(self, name):
        if name not in self.replaced:
            return getattr(lib, name)
        if self.replaced[name] is None:
            raise AttributeError(name)
        return self.replaced[name]


# ---- the command line ---------------------------------------------------------------------

def test_text_report(text, report):
    lines = text.splitlines()
    assert lines[0] == f"linuxsys {L.__version__}"
    assert lines[1].split() == ["arch", platform.machine()]
    assert lines[2].split() == ["kernel", os.uname().release]
    m = SUMMARY.match(lines[-1])
    assert m, lines[-1]
    assert (int(m.group(1)), int(m.group(2))) == (report["available"], report["total"])
    for family, table in report["families"].items():
        assert f"{family}:" in lines
        for name, status in table.items():
            assert any(line.split()[:2] == [name, status] for line in lines), name
    assert re.search(r"^  sync +available \(not probed: no harmless probe\)$", text, re.M)


def test_json_report(report):
    assert set(report) == {"version", "arch", "kernel", "families", "not_probed",
                           "available", "total", "syscalls", "wrapped", "variants",
                           "not_implemented", "unaccounted", "not_on_this_arch"}
    assert report["version"] == L.__version__
    assert report["arch"] == platform.machine()
    assert report["kernel"] == os.uname().release
    assert list(report["families"]) == list(M.PROBES)
    statuses = [s for table in report["families"].values() for s in table.values()]
    assert set(statuses) <= STATUSES
    assert report["total"] == len(statuses) == len(ALL_SYSCALLS) == len(set(ALL_SYSCALLS))
    assert report["available"] == statuses.count(M.AVAILABLE)
    assert report["not_probed"] == {n: M.NO_PROBE for t in M.PROBES.values() for n, a in t.items() if a is None}
    assert {"sync", "umask", "setsid"} <= set(report["not_probed"])


def test_common_calls_are_available(report):
    fams = report["families"]
    assert fams["io"]["read"] == fams["io"]["write"] == "available"
    assert fams["fs"]["openat"] == fams["fs"]["statx"] == "available"
    assert fams["xattr"]["getxattr"] == "available"
    assert fams["process"]["getpid"] == "available"


def test_main_in_process(capsys):
    assert M.main([]) == 0
    assert SUMMARY.match(capsys.readouterr().out.splitlines()[-1])
    assert M.main(["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == len(ALL_SYSCALLS)


# ---- the probe table ----------------------------------------------------------------------

def test_every_native_helper_has_a_probe_or_a_documented_exclusion():
    helpers = {n for n in dir(lib) if n.startswith("ls_")}
    probed = {M.helper(name) for name in ALL_SYSCALLS}
    excluded = {"ls_" + n for n in M.EXCLUDED}
    assert probed <= helpers, f"probes for missing helpers: {sorted(probed - helpers)}"
    assert excluded <= helpers, f"stale exclusions: {sorted(excluded - helpers)}"
    assert not probed & excluded
    missing = helpers - probed - excluded
    assert not missing, f"helpers without a probe in linuxsys/__main__.py: {sorted(missing)}"


# Calls newer than some kernel the tests run on -> the first release that has them.
NEWER = {"listns": (6, 19)}
# Calls a kernel may be built without (CONFIG_KEXEC, CONFIG_KEXEC_FILE, CONFIG_MODULES): ENOSYS.
OPTIONAL = {"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module"}
KERNEL = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", os.uname().release).groups())


def test_probes_fail_before_acting():
    """Every issued probe fails with the harmless errno it was built for; only the NO_EFFECT
    ones succeed."""
    harmless = {errno.EBADF, errno.EFAULT, errno.EINVAL, errno.ERANGE, errno.ESRCH, errno.ENOMEM,
                # qemu-user checks a socket's family and an option's name before the fd
                errno.EAFNOSUPPORT, errno.ENOPROTOOPT}
    for table in M.PROBES.values():
        for name, args in table.items():
            if args is None:
                continue
            r = getattr(lib, M.helper(name))(*args)
            if EMULATED and (r == -errno.ENOSYS or r >= 0):
                continue  # qemu-user lacks some calls and skips some argument checks
            if r == -errno.ENOSYS and KERNEL < NEWER.get(name, KERNEL):
                continue  # newer than the running kernel
            if r == -errno.ENOSYS and name in OPTIONAL:
                continue  # compiled out of the running kernel
            if name in M.NO_EFFECT:
                assert r >= 0, name
            else:
                assert r < 0 and -r in harmless, (name, r if r >= 0 else errno.errorcode[-r])


def _umask():
    with open("/proc/self/status") as f:
        return next(line.split()[1] for line in f if line.startswith("Umask:"))


def test_probing_changes_nothing(tmp_path):
    fds, cwd, umask, root = (sorted(os.listdir("/proc/self/fd")), os.getcwd(), _umask(),
                             os.readlink("/proc/self/root"))
    before = sorted(os.listdir(tmp_path))
    os.chdir(tmp_path)  # where a path-relative probe would act
    try:
        M.probe_all()
        assert sorted(os.listdir(tmp_path)) == before
        assert os.getcwd() == str(tmp_path)
    finally:
        os.chdir(cwd)
    assert sorted(os.listdir("/proc/self/fd")) == fds
    assert _umask() == umask
    assert os.readlink("/proc/self/root") == root


def test_unprobed_calls_are_never_issued(monkeypatch):
    def forbidden(*args):
        raise AssertionError("a call with side effects was issued")
    monkeypatch.setattr(M, "lib", FakeLib(ls_sync=forbidden, ls_umask=forbidden))
    rep = M.report()
    assert rep["families"]["fs"]["sync"] == rep["families"]["fs"]["umask"] == "available"


# ---- classification -----------------------------------------------------------------------

def test_classify():
    assert M.classify(-errno.ENOSYS) == "unsupported"
    assert M.classify(-errno.EPERM) == M.classify(-errno.EACCES) == "blocked"
    for r in (-errno.EBADF, -errno.EFAULT, -errno.EINVAL, -errno.ERANGE, 0, 1234):
        assert M.classify(r) == "available"


def test_enosys_is_reported_unsupported(monkeypatch):
    monkeypatch.setattr(M, "lib", FakeLib(ls_statx=lambda *a: -errno.ENOSYS,
                                          ls_fadvise=lambda *a: -errno.ENOSYS))
    rep = M.report()
    assert rep["families"]["fs"]["statx"] == "unsupported"
    assert rep["families"]["fs"]["fadvise64"] == "unsupported"
    assert rep["families"]["fs"]["openat"] == "available"
    assert rep["total"] == len(ALL_SYSCALLS)
    assert rep["available"] <= rep["total"] - 2
    assert re.search(r"^  statx +unsupported$", M.render(rep), re.M)


def test_eperm_is_reported_blocked(monkeypatch):
    monkeypatch.setattr(M, "lib", FakeLib(ls_read=lambda *a: -errno.EPERM,
                                          ls_getpid=lambda: -errno.EACCES))
    rep = M.report()
    assert rep["families"]["io"]["read"] == "blocked"
    assert rep["families"]["process"]["getpid"] == "blocked"
    assert SUMMARY.match(M.render(rep).splitlines()[-1])


def test_unprobed_call_without_a_number_in_the_build_is_unsupported(monkeypatch):
    monkeypatch.setattr(M, "lib", FakeLib(SYS_sync=None))
    rep = M.report()
    assert rep["families"]["fs"]["sync"] == "unsupported"
    assert rep["families"]["fs"]["umask"] == "available"
