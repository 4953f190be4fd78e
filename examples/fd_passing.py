"""Pass an open file between processes over a Unix socket (SCM_RIGHTS).

    python examples/fd_passing.py FILE

A child opens FILE and sends the open file (not its name) to the parent with send_fds; the
parent receives it with recv_fds as an owning, close-on-exec Fd and prints what it reads from
it, then the child's pid.  The receiver needs no access to the path: only the open file
crosses.  recv_fds closes every fd that arrived if the message was cut short (MSG_CTRUNC).
"""
import os
import sys
from typing import Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import linuxsys as L  # noqa: E402


def main(argv: Optional[list[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print((__doc__ or "").strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    parent, child = L.socketpair(L.AF.UNIX, L.SOCK.STREAM)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            parent.close()
            with L.open(argv[0], L.O.RDONLY) as f:
                L.send_fds(child, [b"here"], [f])
            code = 0
        finally:
            os._exit(code)
    child.close()
    msg, fds, _flags, _addr = L.recv_fds(parent, 16, 4)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not fds:
        print("the child could not send the file", file=sys.stderr)
        return 1
    with fds[0] as f:
        cloexec = bool(L.fcntl(f, L.F.GETFD) & L.FD.CLOEXEC)
        sys.stdout.write(f.read(1 << 20).decode(errors="replace"))
    print(f"({msg.decode()}: received from pid {pid}, close-on-exec: {cloexec})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
