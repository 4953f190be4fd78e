"""examples/container.py, the rootless container, run as root and as uid 65534.

Every run is a subprocess: this process never changes namespace.  Inside, a small python3
program (the host's /usr/bin/python3, stdlib only: linuxsys's cffi is not installed there)
reports what the container looks like; outside, the mount table and the process list must be
as before.  Oracle: util-linux unshare(1), observed the same way.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

from conftest import USERNS_REFUSED, userns_ready

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="runs the example as root and as 65534")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "container.py")
TIMEOUT = 30

# Runs the example in this interpreter with CTR_NOBODY set: as uid/gid 65534, once imported
# (with what it imports lazily) as root since this interpreter's files may be out of nobody's
# reach; the process is then made dumpable again (a setuid clears that flag, an exec would set
# it), or its /proc/PID files -- its child's uid_map -- would stay root's.  With CTR_FALLBACK,
# as where the mount API answers ENOSYS: mount(MS_BIND) and a read-only remount instead.
RUNNER = """\
import ctypes, locale, os, runpy, sys
import shutil, textwrap, gettext  # argparse's lazy imports, read while still root
main = runpy.run_path(sys.argv[1])["main"]
if os.environ.get("CTR_FALLBACK"):
    main.__globals__["new_api"] = False
if os.environ.get("CTR_NOBODY"):
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
    ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE
sys.exit(main(sys.argv[2:]))
"""

# What the container looks like from inside, as JSON (the command is pid 2, child of init).
PROBE = r"""
import json, os, socket, struct, fcntl
def up():
    s = socket.socket()
    flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, struct.pack("16sH", b"lo", 0)))[1]
    s.bind(("127.0.0.1", 0)); s.listen()
    socket.create_connection(s.getsockname()).close()
    return bool(flags & 1)  # IFF_UP, and 127.0.0.1 answers
def writable(path):
    try:
        open(path, "w").close(); os.unlink(path); return True
    except OSError:
        return False
print(json.dumps({
    "pid": os.getpid(), "ppid": os.getppid(), "uid": os.getuid(), "gid": os.getgid(),
    "hostname": open("/proc/sys/kernel/hostname").read().strip(),
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "init": open("/proc/1/cmdline").read().split("\0"),
    "root": sorted(os.listdir("/")), "dev": sorted(os.listdir("/dev")),
    "host_files": [p for p in ("/etc/hostname", "/root", "/work", "/home") if os.path.exists(p)],
    "usr_writable": writable("/usr/.probe"), "tmp_writable": writable("/tmp/.probe"),
    "lo_up": up(), "net": os.readlink("/proc/self/ns/net"),
    "uid_map": open("/proc/self/uid_map").read().split(),
    "null": open("/dev/null").read(), "zero": open("/dev/zero", "rb").read(4).hex(),
}))
"""


def userns_possible():
    """None, or why unprivileged user namespaces cannot be made here."""
    for path, bad in (("/proc/sys/kernel/unprivileged_userns_clone", "0"),
                      ("/proc/sys/user/max_user_namespaces", "0")):
        try:
            with open(path) as f:
                if f.read().strip() == bad:
                    return f"{path} is {bad}"
        except FileNotFoundError:
            pass
    return None


def mounts():
    with open("/proc/self/mountinfo") as f:
        return sorted(f.read().splitlines())


def processes_with(token):
    """Pids of the processes whose command line holds token."""
    found = []
    for p in os.listdir("/proc"):
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                if token.encode() in f.read():
                    found.append(int(p))
        except (FileNotFoundError, NotADirectoryError, ProcessLookupError, PermissionError):
            pass
    return found


def container(*args, user="root", mounts_by="api", check_clean=True):
    """Run the example with args (options, "--", command...); the CompletedProcess.

    A token marks the processes of the run: the example's and its init's command line hold
    it (as the hostname), and "@TOKEN@" in args becomes it.  With check_clean, none of them
    may remain afterwards, nor any new mount."""
    env = dict(os.environ)
    if user == "nobody":
        why = userns_possible()
        if why:
            pytest.skip(f"no unprivileged user namespaces: {why}")
        env["CTR_NOBODY"] = "1"
    if mounts_by == "fallback":
        env["CTR_FALLBACK"] = "1"
    cmd = [sys.executable, EXAMPLE] if len(env) == len(os.environ) else \
        [sys.executable, "-c", RUNNER, EXAMPLE]
    token = f"ctr-{uuid.uuid4().hex[:26]}"
    before = mounts()
    args = [a.replace("@TOKEN@", token) for a in args]
    r = subprocess.run(cmd + ["--hostname", token, *args], capture_output=True, text=True,
                       timeout=TIMEOUT, cwd="/", env=env, preexec_fn=userns_ready)
    if check_clean:
        assert processes_with(token) == [], r.stderr
        assert mounts() == before
    return r


def probe(*options, user="root", mounts_by="api"):
    r = container(*options, "--", "python3", "-c", PROBE, user=user, mounts_by=mounts_by)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module", autouse=True)
def namespaces_possible():
    """Where the kernel refuses a child its user namespace, the container cannot start."""
    if USERNS_REFUSED is not None:
        pytest.skip(f"the kernel refuses unshare(CLONE_NEWUSER) here: {USERNS_REFUSED} "
                    "(qemu-user's threads: EINVAL)")


USERS = ["root", "nobody"]
RUNS = [("root", "api"), ("nobody", "api"), ("root", "fallback"), ("nobody", "fallback")]


@pytest.fixture(scope="module", params=RUNS, ids=["-".join(r) for r in RUNS])
def inside(request):
    """What PROBE saw, run once per user and way of mounting."""
    user, mounts_by = request.param
    return user, probe(user=user, mounts_by=mounts_by)


@pytest.fixture
def shared_dir():
    """A directory that uid 65534 can reach (pytest's tmp_path is under a 0700 one)."""
    path = tempfile.mkdtemp(prefix="ctr-test-")
    os.chmod(path, 0o755)
    yield pathlib.Path(path)
    shutil.rmtree(path)


def test_pid_namespace(inside):
    _, seen = inside
    assert (seen["pid"], seen["ppid"]) == (2, 1)   # init is pid 1, the command its child
    assert seen["pids"] == [1, 2]                  # /proc shows the container's processes only
    assert any(a.endswith("container.py") for a in seen["init"])


def test_root_inside(inside):
    user, seen = inside
    outside = 0 if user == "root" else 65534
    assert (seen["uid"], seen["gid"]) == (0, 0)
    assert seen["uid_map"] == ["0", str(outside), "1"]


def test_hostname_and_network(inside):
    _, seen = inside
    assert seen["hostname"].startswith("ctr-")
    assert seen["hostname"] != open("/proc/sys/kernel/hostname").read().strip()
    assert seen["lo_up"]
    assert seen["net"] != os.readlink("/proc/self/ns/net")


def test_private_root(inside):
    _, seen = inside
    assert seen["host_files"] == []
    assert "etc" not in seen["root"] and {"usr", "proc", "tmp", "dev"} <= set(seen["root"])
    assert {"null", "zero", "full", "random", "urandom", "tty", "fd"} <= set(seen["dev"])
    assert (seen["null"], seen["zero"]) == ("", "00000000")
    assert not seen["usr_writable"] and seen["tmp_writable"]


@pytest.mark.parametrize("user", USERS)
def test_exit_status(user):
    assert container("--", "sh", "-c", "exit 7", user=user).returncode == 7
    assert container("--", "sh", "-c", "kill -TERM $$", user=user).returncode == 128 + 15


def test_no_net_keeps_host_network():
    seen = probe("--no-net")
    assert seen["net"] == os.readlink("/proc/self/ns/net")


def test_orphans_reaped_and_killed():
    # sleep 0.1 is orphaned (its subshell exits at once) and reparented to init, which must
    # reap it: no zombie a moment later.  The background sleep 600 outlives the command: it
    # dies with the pid namespace when init leaves (container() checks no process is left).
    script = ("(sleep 0.1 &); sh -c 'sleep 600; : @TOKEN@' & sleep 0.5; "
              "cat /proc/[0-9]*/stat | cut -d' ' -f3 | tr -d '\\n'")
    r = container("--", "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    assert "Z" not in r.stdout


@pytest.mark.parametrize("user, mounts_by", RUNS)
def test_bind(user, mounts_by, shared_dir):
    data = shared_dir / "data"
    data.mkdir()
    (data / "in").write_text("from host\n")
    if user == "nobody":
        os.chown(data, 65534, 65534)
        os.chown(data / "in", 65534, 65534)
    script = ("cat /data/in; echo back > /data/out; touch /ro/x 2>/dev/null || echo ro; "
              "stat -c %u /data/in")
    r = container("--bind", f"{data}:/data", "--bind", f"{data}:/ro:ro", "--",
                  "sh", "-c", script, user=user, mounts_by=mounts_by)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["from", "host", "ro", "0"]
    assert (data / "out").read_text() == "back\n"


def test_idmap_bind(shared_dir):
    data = shared_dir / "data"
    data.mkdir()
    (data / "f").touch()
    for p in (data, data / "f"):
        os.chown(p, 1000, 1000)
    # Plain, the files of uid 1000 are nobody's inside (only 0 is mapped); idmapped, their
    # owner is root in there, and what root makes lands as 1000 on the host.
    r = container("--bind", f"{data}:/plain:ro", "--idmap-bind", f"{data}:/data", "--", "sh",
                  "-c", "stat -c %u /plain/f /data/f; touch /data/new")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["65534", "0"]
    assert (os.stat(data / "new").st_uid, os.stat(data / "new").st_gid) == (1000, 1000)


def test_idmap_bind_refused_to_nobody(shared_dir):
    r = container("--idmap-bind", f"{shared_dir}:/data", "--", "true", user="nobody")
    assert r.returncode == 125
    assert "--idmap-bind" in r.stderr


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("args, message", [
    (["--bind", "/nonexistent-ctr:/x"], "--bind /nonexistent-ctr:/x"),
    (["--bind", "/usr"], "--bind /usr"),
    (["--bind", "/usr:relative"], "--bind /usr:relative"),
    (["--bind", "/usr:/usr/share/ctr-x"], "bind /usr/share/ctr-x"),   # inside read-only /usr
    (["--hostname", "x" * 65], "hostname"),
])
def test_failed_step(user, args, message):
    r = container(*args, "--", "true", user=user)
    assert r.returncode == 125, r.stderr
    assert r.stderr.startswith("container: ") and message in r.stderr, r.stderr


def test_command_not_found():
    r = container("--", "no-such-command-ctr")
    assert r.returncode == 127
    assert "no-such-command-ctr" in r.stderr


@pytest.mark.skipif(shutil.which("unshare") is None, reason="util-linux unshare(1) missing")
@pytest.mark.parametrize("user", USERS)
def test_oracle_unshare(user):
    """unshare(1) makes the same user and pid namespaces: root inside mapped to the caller,
    setgroups denied, a fresh pid namespace (its command is pid 1 where ours is init's
    child), /proc of that namespace."""
    show = "echo $$ $PPID; id -u; id -g; cat /proc/self/uid_map /proc/self/setgroups"
    cmd = ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc",
           "sh", "-c", show]
    if user == "nobody":
        if userns_possible():
            pytest.skip(f"no unprivileged user namespaces: {userns_possible()}")
        def drop():
            userns_ready()
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        oracle = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=drop,
                                timeout=TIMEOUT)
    else:
        oracle = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                                preexec_fn=userns_ready)
    ours = container("--", "sh", "-c", show, user=user)
    assert oracle.returncode == ours.returncode == 0, (oracle.stderr, ours.stderr)
    o, c = oracle.stdout.split("\n"), ours.stdout.split("\n")
    assert o[0].split()[0] == "1" and c[0].split() == ["2", "1"]
    assert o[1:] == c[1:]
