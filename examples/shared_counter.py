"""Processes sharing memory, synchronised by futexes, reporting through an eventfd.

    python examples/shared_counter.py [--workers N] [--increments M]

The parent maps one shared anonymous page (MAP_SHARED: the children it forks see the same
memory, not a copy) holding three native words:

    offset 0  gate     0 while closed; the workers sleep on it with FUTEX_WAIT until the parent
                       sets it to 1 and wakes them all with FUTEX_WAKE, so they start together
    offset 4  lock     a priority-inheritance futex: FUTEX_LOCK_PI and FUTEX_UNLOCK_PI make the
                       kernel do the atomic compare-and-swap on the word, which Python cannot
    offset 8  counter  64 bits, read, incremented and written back under the lock

No FUTEX_PRIVATE_FLAG: the word is shared between processes.  Each worker adds M to the counter
one increment at a time, then writes 1 to an eventfd; the parent reads the eventfd (the kernel
sums what was written) until N workers have reported, reaps them, and prints the counter,
which is exactly N*M: no increment was lost to a race.  Exits 0 when it is, 1 otherwise.
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import linuxsys as L  # noqa: E402

GATE, LOCK, COUNTER = 0, 4, 8
WORD = struct.Struct("=I")
COUNT = struct.Struct("=Q")


def wait_for_gate(page: L.Mapping) -> None:
    """Sleep until the gate word is 1 (FUTEX_WAIT returns at once if it already is not 0)."""
    while WORD.unpack_from(page, GATE)[0] == 0:
        try:
            L.futex(page, L.FUTEX.WAIT, 0, offset=GATE)
        except BlockingIOError:  # the word changed between our read and the kernel's
            pass


def worker(page: L.Mapping, done: L.Fd, increments: int) -> None:
    wait_for_gate(page)
    for _ in range(increments):
        L.futex(page, L.FUTEX.LOCK_PI, offset=LOCK)
        try:
            COUNT.pack_into(page, COUNTER, COUNT.unpack_from(page, COUNTER)[0] + 1)
        finally:
            L.futex(page, L.FUTEX.UNLOCK_PI, offset=LOCK)
    L.eventfd_write(done, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--increments", type=int, default=1000)
    args = ap.parse_args()

    page = L.mmap(None, 4096, L.PROT.READ | L.PROT.WRITE, L.MAP.SHARED | L.MAP.ANONYMOUS)
    done = L.eventfd(0)
    pids: list[int] = []
    for _ in range(args.workers):
        pid = os.fork()
        if pid == 0:
            status = 0
            try:
                worker(page, done, args.increments)
            except BaseException as e:  # a child must never return into the parent's code
                print(f"worker {os.getpid()}: {e!r}", file=sys.stderr)
                status = 1
            os._exit(status)
        pids.append(pid)

    WORD.pack_into(page, GATE, 1)
    woken = L.futex(page, L.FUTEX.WAKE, args.workers, offset=GATE)
    reported = 0
    while reported < args.workers:
        reported += L.eventfd_read(done)  # blocks until a worker writes; sums what arrived
    failed = 0
    for pid in pids:
        _, status, _ = L.wait4(pid)
        failed += not (L.WIFEXITED(status) and L.WEXITSTATUS(status) == 0)
    total = COUNT.unpack_from(page, COUNTER)[0]
    expected = args.workers * args.increments
    print(f"{args.workers} workers x {args.increments} increments = {total} "
          f"(expected {expected}; {woken} woken at the gate, {failed} failed)")
    done.close()
    page.close()
    return 0 if total == expected and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
