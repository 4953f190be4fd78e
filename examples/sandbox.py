"""Run a command under a seccomp filter that makes chosen syscalls fail with EPERM.

    python examples/sandbox.py [--deny NAME,NAME...] [--kill NAME,...] -- COMMAND [ARG...]

The filter (linuxsys.seccomp.Filter, compiled to this arch's BPF) allows everything else;
``--deny`` names answer EPERM (default: socket, so the command has no network), ``--kill``
names kill the process.  no_new_privs is set first (what lets an unprivileged process load a
filter, and keeps setuid programs from gaining privileges), then the filter is loaded in a
child that execs the command: filters are inherited across fork and execve and can never be
removed.  Exits with the command's status.
"""
import argparse
import os
import sys
from typing import Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import linuxsys as L  # noqa: E402
from linuxsys.seccomp import ALLOW, ERRNO, KILL_PROCESS, Filter  # noqa: E402


def build(deny: list[str], kill: list[str]) -> Filter:
    f = Filter(ALLOW)
    for name in deny:  # on i686 a socket call's rule covers it through socketcall(2) too
        f.add_rule(ERRNO(L.E.PERM), name)  # a name unknown on this arch raises ValueError
    for name in kill:
        f.add_rule(KILL_PROCESS, name)
    return f


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--deny", default="socket", help="comma-separated syscall names: EPERM")
    ap.add_argument("--kill", default="", help="comma-separated syscall names: killed")
    ap.add_argument("command", nargs="+")
    opts = ap.parse_args(argv)
    filt = build([n for n in opts.deny.split(",") if n], [n for n in opts.kill.split(",") if n])
    pid = os.fork()
    if pid == 0:
        try:
            filt.load()  # sets no_new_privs first
            os.execvp(opts.command[0], opts.command)
        except BaseException as e:
            print(f"sandbox: {e}", file=sys.stderr)
        finally:
            os._exit(127)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
