"""examples/: each program run as a user would, its output checked (container.py and
strace.py have their own test files)."""
import os
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EMULATED

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(name, *args, **kw):
    return subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)],
                          capture_output=True, text=True, timeout=120, **kw)


def start(name, *args):
    return subprocess.Popen([sys.executable, str(EXAMPLES / name), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_line(stream, timeout=60):
    """The next line of a child's pipe, or fail after timeout seconds."""
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, "the example printed nothing"
    return stream.readline()


def test_tail_follows_appended_lines(tmp_path):
    f = tmp_path / "log"
    f.write_text("old line\n")
    p = start("tail.py", f, "--count", 3)
    try:
        assert wait_line(p.stderr).startswith("following")
        with open(f, "a") as out:
            out.write("one\ntw")
            out.flush()
            time.sleep(0.05)
            out.write("o\nthree\nfour\n")
        out_text, _ = p.communicate(timeout=60)
    finally:
        p.kill()
        p.wait()
    assert out_text.splitlines() == ["one", "two", "three"]  # not the old line, not "four"
    assert p.returncode == 0


def test_supervisor_restarts_then_forwards_sigterm():
    r = run("supervisor.py", "--restarts", 2, "--", "sh", "-c", "echo run; exit 3")
    assert r.returncode == 3
    assert r.stdout.splitlines() == ["run"] * 3
    assert r.stderr.count("ended with status 3") == 3
    p = start("supervisor.py", "--", "sleep", "60")
    try:
        assert "run 1 is pid" in wait_line(p.stderr)  # SIGTERM is blocked by then
        p.terminate()  # our own child: SIGTERM, forwarded through the pidfd
        _, err = p.communicate(timeout=60)
    finally:
        p.kill()
        p.wait()
    assert p.returncode == 128 + 15
    assert "SIGTERM, stopping" in err and "run 1 ended with status 143" in err


def test_walk_matches_os_walk(tmp_path):
    for d in ("a", "a/b", "c"):
        (tmp_path / d).mkdir()
    for i, name in enumerate(["x", "a/y", "a/b/z", "c/w"]):
        (tmp_path / name).write_bytes(b"." * (i * 100 + 1))
    os.symlink("x", tmp_path / "link")
    r = run("walk.py", tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "4 files, 3 directories, 604 bytes"
    listed = run("walk.py", tmp_path, "--list").stdout.splitlines()[:-1]
    assert sorted(line.split()[1] for line in listed) == sorted(
        str(tmp_path / n) for n in ["x", "a/y", "a/b/z", "c/w"])


def test_echo_server():
    p = start("echo_server.py", "--clients", 2)
    try:
        port = int(wait_line(p.stdout).split()[-1])
        for i in range(2):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(b"ping %d" % i)
                assert s.recv(100) == b"ping %d" % i
        assert p.wait(timeout=60) == 0
    finally:
        p.kill()
        p.wait()


def test_fd_passing(tmp_path):
    f = tmp_path / "secret"
    f.write_text("contents\n")
    r = run("fd_passing.py", f)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "contents"
    assert lines[1].startswith("(here: received from pid ") and lines[1].endswith("close-on-exec: True)")
    assert run("fd_passing.py", tmp_path / "missing").returncode == 1


@pytest.mark.skipif(EMULATED, reason="qemu-user answers ENOSYS for seccomp")
def test_sandbox():
    code = "import socket; socket.socket()"
    r = run("sandbox.py", "--", sys.executable, "-c", code)
    assert r.returncode == 1 and "PermissionError" in r.stderr
    r = run("sandbox.py", "--deny", "", "--", sys.executable, "-c", code + "; print('ok')")
    assert (r.returncode, r.stdout) == (0, "ok\n")
    r = run("sandbox.py", "--deny", "", "--kill", "getppid", "--", sys.executable, "-c",
            "import os; os.getppid()")
    assert r.returncode == 128 + 31  # SIGSYS
    assert run("sandbox.py", "--deny", "no_such_call", "--", "true").returncode != 0


@pytest.mark.skipif(EMULATED, reason="qemu-user answers ENOSYS for io_uring")
def test_uring_copy(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    data = os.urandom(3 * 65536 + 12345)
    src.write_bytes(data)
    r = run("uring_copy.py", src, dst, "--block", 65536, "--depth", 2)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{len(data)} bytes copied\n"
    assert dst.read_bytes() == data
    src.write_bytes(b"")
    assert run("uring_copy.py", src, dst).stdout == "0 bytes copied\n"
    assert dst.read_bytes() == b""


def test_shared_counter_loses_no_increment_across_processes():
    r = run("shared_counter.py", "--workers", 4, "--increments", 300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("4 workers x 300 increments = 1200 (expected 1200;"), r.stdout
    assert r.stdout.rstrip().endswith("0 failed)") and not r.stderr
