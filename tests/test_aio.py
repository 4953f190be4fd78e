"""linuxsys.aio under asyncio: the async iterators over inotify, eventfd, signalfd and timerfd
records, and the generic FdReader they share."""
import asyncio
import contextlib
import errno
import logging
import os
import signal

import pytest

import linuxsys as L
import linuxsys.aio as aio


def run(coro, timeout=10):
    """Run a coroutine on a fresh loop, failing instead of hanging."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def take(iterator, n):
    out = []
    async for item in iterator:
        out.append(item)
        if len(out) == n:
            break
    return out


def nonblocking(fd):
    return bool(L.fcntl(fd, L.F.GETFL) & L.O.NONBLOCK)


def test_inotify_events(tmp_path):
    async def main():
        with L.Inotify() as ino:  # blocking: the iterator makes it nonblocking
            ino.add_watch(tmp_path, L.IN.CREATE | L.IN.DELETE)
            events = aio.inotify_events(ino)
            assert nonblocking(ino.fd)
            loop = asyncio.get_running_loop()
            loop.call_later(0.01, (tmp_path / "a").touch)
            loop.call_later(0.02, os.unlink, tmp_path / "a")
            got = await take(events, 2)
            assert [(e.mask, e.name) for e in got] == [(L.IN.CREATE, "a"), (L.IN.DELETE, "a")]
            (tmp_path / "b").touch()  # pending before the next step: read without waiting
            (tmp_path / "c").touch()
            assert [e.name for e in await take(events, 2)] == ["b", "c"]
    run(main())


def test_inotify_events_on_a_raw_fd(tmp_path):
    async def main():
        with L.inotify_init1() as fd:
            L.inotify_add_watch(fd, tmp_path, L.IN.CREATE)
            asyncio.get_running_loop().call_later(0.01, (tmp_path / "x").touch)
            return await take(aio.inotify_events(fd), 1)
    assert [e.name for e in run(main())] == ["x"]


def test_eventfd_values():
    async def main():
        with L.eventfd() as fd:
            loop = asyncio.get_running_loop()
            loop.call_later(0.01, L.eventfd_write, fd, 5)
            values = aio.eventfd_values(fd)
            assert await take(values, 1) == [5]
            L.eventfd_write(fd, 2**64 - 2)
            assert await take(values, 1) == [2**64 - 2]
        with L.eventfd(3, L.EFD.SEMAPHORE) as fd:
            return await take(aio.eventfd_values(fd), 3)
    assert run(main()) == [1, 1, 1]


def test_timerfd_expirations():
    async def main():
        with L.timerfd_create(L.CLOCK.MONOTONIC) as fd:
            L.timerfd_settime(fd, 0, 10_000_000, 10_000_000)  # every 10 ms
            counts = await take(aio.timerfd_expirations(fd), 3)
            L.timerfd_settime(fd, 0, 0)
            return counts
    counts = run(main())
    assert len(counts) == 3 and all(c >= 1 for c in counts)


def test_signalfd_siginfos():
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGUSR2})
    try:
        async def main():
            with L.signalfd(["SIGUSR1", "SIGUSR2"]) as fd:
                loop = asyncio.get_running_loop()
                loop.call_later(0.01, os.kill, os.getpid(), signal.SIGUSR1)
                loop.call_later(0.02, os.kill, os.getpid(), signal.SIGUSR2)
                return await take(aio.signalfd_siginfos(fd), 2)
        infos = run(main())
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
    assert [i.si_signo for i in infos] == [signal.SIGUSR1, signal.SIGUSR2]
    assert all(i.si_pid == os.getpid() and i.si_uid == os.getuid() for i in infos)


def test_iteration_ends_once_closed():
    async def main():
        fd = L.eventfd(1)
        values = aio.eventfd_values(fd)
        assert await values.__anext__() == 1
        fd.close()
        return [v async for v in values]
    assert run(main()) == []


def test_cancelled_wait_removes_its_reader():
    async def main():
        with L.eventfd() as fd:
            loop = asyncio.get_running_loop()
            task = asyncio.ensure_future(take(aio.eventfd_values(fd), 1))
            await asyncio.sleep(0.01)  # the task now waits in add_reader
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert loop.remove_reader(fd.fd) is False  # nothing left behind
    run(main())


def test_fd_reader_with_any_read_function():
    r, w = L.pipe()

    def chunks(fd):
        try:
            data = L.read(fd, 3)
        except BlockingIOError:
            return []
        return [data] if data else []

    async def main():
        reader = aio.FdReader(r, chunks)
        assert nonblocking(r)
        asyncio.get_running_loop().call_later(0.01, L.write, w, b"abcdefg")
        return await take(reader, 3)
    with r, w:
        assert run(main()) == [b"abc", b"def", b"g"]


def test_set_nonblocking():
    r, w = L.pipe()
    with r, w:
        assert not nonblocking(r)
        aio.set_nonblocking(r)
        aio.set_nonblocking(r)
        assert nonblocking(r) and not nonblocking(w)


def test_arguments_checked_before_o_nonblock_is_set():
    """A bad argument raises before the fd's open file is made nonblocking (FdReader used to
    set O_NONBLOCK, then fail on read=None)."""
    r, w = L.pipe()
    with r, w:
        for bad in (None, 42, "read"):
            with pytest.raises(TypeError):
                aio.FdReader(r, bad)
        for make in (aio.eventfd_values, aio.inotify_events, aio.signalfd_siginfos,
                     aio.timerfd_expirations):
            with pytest.raises(OSError) as e:  # a pipe is none of these
                make(r)
            assert e.value.errno == errno.EINVAL
            with pytest.raises(OSError):
                make(r.fd)
        with L.eventfd() as efd:
            with pytest.raises(OSError):
                aio.inotify_events(efd)
        assert not nonblocking(r)
        closed = L.eventfd()
        closed.close()
        for make in (lambda fd: aio.FdReader(fd, L.eventfd_read), aio.eventfd_values):
            with pytest.raises(L.ClosedFdError):
                make(closed)
        with pytest.raises(TypeError):
            aio.FdReader(None, L.eventfd_read)
        with pytest.raises(TypeError):
            aio.eventfd_values(1.5)
        assert not nonblocking(r)


def test_readers_blocking_io_error_stays_inside():
    """The readers raise BlockingIOError when nothing is pending; the iterators wait instead."""
    async def main():
        with L.timerfd_create(L.CLOCK.MONOTONIC) as tfd, L.eventfd() as efd:
            expirations = aio.timerfd_expirations(tfd)
            values = aio.eventfd_values(efd)
            with pytest.raises(BlockingIOError):
                L.timerfd_read(tfd)  # nonblocking now, and not armed
            with pytest.raises(BlockingIOError):
                L.eventfd_read(efd)
            loop = asyncio.get_running_loop()
            loop.call_later(0.01, L.eventfd_write, efd, 3)
            L.timerfd_settime(tfd, 0, 20_000_000)
            return await take(values, 1), await take(expirations, 1)
    assert run(main()) == ([3], [1])


def test_inotify_events_of_an_inotify_object(tmp_path):
    async def main():
        with L.Inotify() as ino:
            ino.add_watch(tmp_path, L.IN.CREATE)
            events = aio.inotify_events(ino)
            asyncio.get_running_loop().call_later(0.01, (tmp_path / "y").touch)
            return await take(events, 1)
    assert [e.name for e in run(main())] == ["y"]


def test_only_reference_fd():
    """The iterators keep the Fd they were given: a temporary one stays open while in use."""
    async def main():
        return await take(aio.eventfd_values(L.eventfd(2)), 1)
    assert run(main()) == [2]


class _Syscalls(logging.Handler):
    """The trace's lines, as (syscall name, line) pairs."""

    # Helpers the trace names that issue another syscall (cdefs/event.c: read and write).
    ISSUES = {"eventfd_read": "read", "eventfd_write": "write"}

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        line = record.getMessage()
        name = line.split("(", 1)[0]
        self.lines.append((self.ISSUES.get(name, name), line))

    def count(self, name, errno_name=None):
        return sum(1 for n, line in self.lines
                   if n == name and (errno_name is None or f" {errno_name} " in line))


@contextlib.contextmanager
def counting_syscalls():
    """Every syscall linuxsys makes meanwhile, counted through the trace."""
    log = logging.getLogger("linuxsys.syscall")
    handler, level = _Syscalls(), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    L.trace(True)
    try:
        yield handler
    finally:
        L.trace(False)
        log.removeHandler(handler)
        log.setLevel(level)


def test_one_read_per_timer_tick():
    """One read(2) per readiness: 25 ticks took 75 reads (50 EAGAIN) when each readiness was
    read until EAGAIN and each step read once more before waiting."""
    async def main():
        with L.timerfd_create(L.CLOCK.MONOTONIC) as fd:
            L.timerfd_settime(fd, 0, 2_000_000, 2_000_000)  # every 2 ms
            with counting_syscalls() as calls:
                counts = await take(aio.timerfd_expirations(fd), 25)
            L.timerfd_settime(fd, 0, 0)
        return counts, calls
    counts, calls = run(main())
    assert len(counts) == 25 and all(c >= 1 for c in counts)
    assert calls.count("read") <= 25 + 2, calls.lines
    assert calls.count("read", "EAGAIN") <= 2, calls.lines


def test_drain_reads_everything_pending_at_each_readiness():
    """With drain=True one readiness is read until EAGAIN: a semaphore eventfd of 3 gives its
    three 1s in one go (4 reads); without, one read a readiness (3 reads)."""
    async def main(drain):
        with L.eventfd(3, L.EFD.SEMAPHORE) as fd:
            values = aio.eventfd_values(fd, drain=drain)
            with counting_syscalls() as calls:
                got = await take(values, 3)
            return got, calls.count("read"), calls.count("read", "EAGAIN"), len(values._pending)
    assert run(main(False)) == ([1, 1, 1], 3, 0, 0)
    assert run(main(True)) == ([1, 1, 1], 4, 1, 0)


def test_records_pending_before_iteration_are_read_once():
    async def main():
        with L.eventfd(7) as fd:
            with counting_syscalls() as calls:
                got = await take(aio.eventfd_values(fd), 1)
            return got, calls.count("read")
    assert run(main()) == ([7], 1)
