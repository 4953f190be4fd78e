"""A process supervisor on pidfds and a signalfd, in one epoll loop (no SIGCHLD handler, no
polling, no pid-reuse race).

    python examples/supervisor.py [--restarts N] -- COMMAND [ARG...]

Starts COMMAND and restarts it when it exits, at most N times (default 3); exits with the last
run's status (128+signal if it was killed).  SIGTERM or SIGINT to the supervisor is forwarded to
the running command through its pidfd (pidfd_send_signal: never a recycled pid), and the
supervisor then exits with the command's status, restarting nothing.  The signals arrive through
a signalfd (blocked first, so they are read as data), the command's exit through its pidfd
becoming readable, both in one Epoll.
"""
import argparse
import os
import signal
import sys
from typing import Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import linuxsys as L  # noqa: E402

STOP = {signal.SIGTERM, signal.SIGINT}


def status_of(result: "L.WaitidResult") -> int:
    """A shell's $? for a waitid result."""
    if result.si_code == L.CLD.EXITED:
        return result.si_status
    return 128 + result.si_status


def supervise(argv: list[str], restarts: int) -> int:
    L.sigprocmask(L.SIG_BLOCK, STOP)  # before the signalfd: none may slip past it
    with L.signalfd(STOP) as sigfd, L.Epoll() as ep:
        ep.register(sigfd, L.EPOLL.IN)
        runs = 0
        while True:
            pid = os.posix_spawnp(argv[0], argv, os.environ,
                                  setsigmask=())  # the command gets an empty signal mask
            runs += 1
            print(f"supervisor: run {runs} is pid {pid}", file=sys.stderr, flush=True)
            with L.pidfd_open(pid) as pidfd:
                ep.register(pidfd, L.EPOLL.IN)
                stopping = False
                while True:
                    ready = {fd for fd, _ in ep.poll()}
                    if sigfd.fd in ready:
                        for info in L.signalfd_read(sigfd):
                            print(f"supervisor: {signal.Signals(info.si_signo).name}, "
                                  f"stopping", file=sys.stderr, flush=True)
                            L.pidfd_send_signal(pidfd, info.si_signo)
                            stopping = True
                    if pidfd.fd in ready:
                        break
                ep.unregister(pidfd)
                result = L.waitid(L.P.PIDFD, pidfd, L.WEXITED)
                assert result is not None  # None is only for WNOHANG with no child ready
                status = status_of(result)
            print(f"supervisor: run {runs} ended with status {status}", file=sys.stderr,
                  flush=True)
            if stopping or runs > restarts:
                return status


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--restarts", type=int, default=3)
    ap.add_argument("command", nargs="+")
    opts = ap.parse_args(argv)
    return supervise(opts.command, opts.restarts)


if __name__ == "__main__":
    sys.exit(main())
