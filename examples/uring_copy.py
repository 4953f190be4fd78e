"""Copy a file with io_uring: batches of reads, then batches of writes, each batch one C call.

    python examples/uring_copy.py SRC DST [--block BYTES] [--depth N]

Each round reads up to N blocks at N offsets into one buffer with ``Ring.read_batch`` (N
SQEs filled, submitted and reaped in one Python->C crossing), then writes what came back with
``Ring.write_batch``; short reads at the end of the file are handled.  Prints the bytes copied.
"""
import argparse
import os
import sys
from typing import Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import linuxsys as L  # noqa: E402


def copy(src: str, dst: str, block: int = 1 << 16, depth: int = 32) -> int:
    buf = bytearray(block * depth)
    done = 0
    with L.open(src, L.O.RDONLY) as fin, \
            L.open(dst, L.O.WRONLY | L.O.CREAT | L.O.TRUNC, 0o644) as fout, \
            L.Ring(depth) as ring:
        size = L.fstat(fin).st_size
        while done < size:
            offsets = list(range(done, min(size, done + block * depth), block))
            counts = ring.read_batch(fin, buf, offsets, block)
            got = 0
            for n in counts:  # a short read ends the batch's data (end of file, or a hole)
                got += n
                if n < block:
                    break
            if got == 0:
                break
            # whole blocks through write_batch; a final partial block with a plain pwrite
            whole = got // block
            if whole:
                ring.write_batch(fout, memoryview(buf)[:whole * block], offsets[:whole], block)
            if got % block:
                L.pwrite(fout, memoryview(buf)[whole * block:got], done + whole * block)
            done += got
    return done


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--block", type=int, default=1 << 16)
    ap.add_argument("--depth", type=int, default=32)
    opts = ap.parse_args(argv)
    print(copy(opts.src, opts.dst, opts.block, opts.depth), "bytes copied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
