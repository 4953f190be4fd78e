"""A directory walker: count files and bytes under a tree, like ``du -s --apparent-size`` and
``find -type f | wc -l`` at once, on linuxsys.walk (getdents64 and statx batched in C).

    python examples/walk.py DIR [--list]

Prints ``N files, M directories, B bytes`` (``--list``: every file's path and size first).
Symbolic links are not followed; unreadable directories are reported on stderr and skipped.
"""
import argparse
import os
import sys
from typing import Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import linuxsys as L  # noqa: E402


def summarize(top: str, listing: bool = False) -> tuple[int, int, int]:
    files = dirs = size = 0

    def report(err: OSError) -> None:
        print(f"walk: {err}", file=sys.stderr)

    # stat=True: every name comes with its Stat (or the OSError statx gave), fetched in one C
    # loop per directory chunk
    for dirpath, dirnames, filenames, stats in L.walk(top, onerror=report, stat=True):
        dirs += len(dirnames)
        for name in filenames:
            st = stats[name]
            if isinstance(st, OSError) or not st.isreg:
                continue
            files += 1
            size += st.st_size
            if listing:
                print(f"{st.st_size:>12} {os.path.join(dirpath, name)}")
    return files, dirs, size


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--list", action="store_true")
    opts = ap.parse_args(argv)
    files, dirs, size = summarize(opts.dir, opts.list)
    print(f"{files} files, {dirs} directories, {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
