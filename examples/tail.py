"""tail -f: print the lines appended to a file, woken by inotify through an epoll set.

    python examples/tail.py FILE [--count N]

Like ``tail -n 0 -f``: only what is appended after it starts, line by line as whole lines
arrive; ``--count N`` exits after N lines (0: follow for ever; Ctrl-C stops).  The Epoll waits
on the Inotify fd (IN.MODIFY of the file); the same loop follows many files by registering
more fds.
"""
import argparse
import os
import sys
from typing import Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import linuxsys as L  # noqa: E402


def follow(path: str, count: int = 0) -> None:
    printed = 0
    with L.open(path, L.O.RDONLY) as f, L.Inotify() as ino, L.Epoll() as ep:
        L.lseek(f, 0, L.SEEK.END)                  # only what is appended from now on
        ino.add_watch(path, L.IN.MODIFY)
        ep.register(ino, L.EPOLL.IN)
        print("following", path, file=sys.stderr, flush=True)
        pending = b""
        while count == 0 or printed < count:
            ep.poll()                              # wait for inotify to have something
            ino.read_events()                      # drain it: the events only say "modified"
            while True:
                chunk = f.read(65536)
                if not chunk:
                    break
                pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                sys.stdout.write(line.decode(errors="replace") + "\n")
                printed += 1
                if printed == count:
                    break
            sys.stdout.flush()


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--count", type=int, default=0, help="exit after N lines (0: never)")
    opts = ap.parse_args(argv)
    try:
        follow(opts.file, opts.count)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
