"""linuxsys.aio under asyncio: the async iterators over inotify, eventfd, signalfd and timerfd
records, and the generic FdReader they share."""
import array
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

    # Helpers the trace names that issue another syscall (cdefs/event.c: read and write;
    # cdefs/net.c: send and recv are sendto and recvfrom without an address).
    ISSUES = {"eventfd_read": "read", "eventfd_write": "write", "recv": "recvfrom",
              "send": "sendto"}

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


# ---- sockets ---------------------------------------------------------------------------------

def listener():
    """A nonblocking TCP socket listening on 127.0.0.1 (an ephemeral port)."""
    sock = L.socket(L.AF.INET, "stream|nonblock")
    L.setsockopt(sock, L.SOL.SOCKET, L.SO.REUSEADDR, 1)
    L.bind(sock, ("127.0.0.1", 0))
    L.listen(sock)
    return sock


def pair(kind="stream"):
    return L.socketpair(L.AF.UNIX, f"{kind}|nonblock")


async def echo_server(sock, handlers):
    """Accept connections for ever, each echoed by a task of its own until the peer shuts
    down its side."""
    async def echo(conn):
        with conn:
            assert nonblocking(conn)
            while data := await aio.recv(conn, 65536):
                await aio.sendall(conn, data)
    while True:
        conn, address = await aio.accept(sock)
        assert address[0] == "127.0.0.1"
        handlers.append(asyncio.ensure_future(echo(conn)))


def test_echo_server_with_asyncio_and_thread_clients():
    """An echo server on linuxsys.aio talking with four asyncio clients at once (each sending
    a large buffer while reading back, so sendall waits for room) and a socket client in a
    thread."""
    import socket
    big = os.urandom(1 << 20)

    async def client(port, i):
        with L.socket(L.AF.INET, "stream|nonblock") as sock:
            await aio.connect(sock, ("127.0.0.1", port))
            payload = bytes([i]) * 1000 + big
            sending = asyncio.ensure_future(aio.sendall(sock, payload))
            got = bytearray()
            while len(got) < len(payload):
                got += await aio.recv(sock, 1 << 16)
            await sending
            L.shutdown(sock, L.SHUT.WR)
            assert await aio.recv(sock, 10) == b""  # the server closed its side
            return bytes(got) == payload

    def thread_client(port):
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"hello from a thread")
            s.shutdown(socket.SHUT_WR)
            return b"".join(iter(lambda: s.recv(100), b""))

    async def main():
        with listener() as sock:
            port = L.getsockname(sock)[1]
            handlers = []
            server = asyncio.ensure_future(echo_server(sock, handlers))
            try:
                results = await asyncio.gather(
                    *(client(port, i) for i in range(4)),
                    asyncio.to_thread(thread_client, port))
            finally:
                server.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await server
            await asyncio.gather(*handlers)  # each ended at its peer's end of file
            return results
    assert run(main()) == [True] * 4 + [b"hello from a thread"]


def test_recv_send_on_a_socketpair():
    async def main():
        a, b = pair()
        with a, b:
            loop = asyncio.get_running_loop()
            loop.call_later(0.01, L.send, b, b"later")
            assert await aio.recv(a, 100) == b"later"  # waited for it
            assert await aio.send(b, b"now") == 3
            assert await aio.recv(a, 100) == b"now"  # there already
            ba = bytearray(8)
            loop.call_later(0.01, L.send, b, b"into buffer")
            assert await aio.recv_into(a, ba) == 8 and ba == b"into buf"
            ba.extend(b"x")  # no view of it left behind
            buf = bytearray(5)
            assert await aio.recv(a, buf) == 3 and buf == b"fer\0\0"
            assert await aio.send(b, bytearray(b"xy"), "dontwait") == 2
            assert await aio.recv(a, 10, L.MSG.PEEK) == b"xy"
            assert await aio.recv(a, 10) == b"xy"
            L.shutdown(b, L.SHUT.WR)
            assert await aio.recv(a, 10) == b""
    run(main())


def test_send_waits_for_room():
    """A full socket buffer: send and sendall wait until the peer reads, then send on."""
    async def main():
        a, b = pair()
        with a, b:
            filled = 0
            with contextlib.suppress(BlockingIOError):
                while True:
                    filled += L.send(a, bytes(65536))
            loop = asyncio.get_running_loop()
            sending = asyncio.ensure_future(aio.send(a, b"one"))
            await asyncio.sleep(0.01)
            assert not sending.done()
            got = 0
            while got < filled:  # drain, letting the send in once there is room
                try:
                    got += len(L.recv(b, 1 << 20))
                except BlockingIOError:
                    await asyncio.sleep(0)
            assert await sending == 3
            data = array.array("i", range(300_000))  # 1.2 MB, not bytes: sent as its bytes
            sending = asyncio.ensure_future(aio.sendall(a, data))
            got = bytearray()
            while len(got) < len(data) * data.itemsize + 3:
                got += await aio.recv(b, 1 << 16)
            await sending
            assert got == b"one" + data.tobytes()
            data.append(1)  # no export of it left
            assert loop._selector.get_map().get(a.fd) is None
    run(main())


def test_sendmsg_recvmsg_pass_an_fd():
    async def main():
        a, b = pair()
        r, w = L.pipe()
        with a, b, r, w:
            loop = asyncio.get_running_loop()
            loop.call_later(0.01, L.sendmsg, b, [b"fd:"], [(L.SOL.SOCKET, L.SCM.RIGHTS, [w])])
            data, anc, msg_flags, address = await aio.recvmsg(a, 100, 64)
            assert (data, msg_flags) == (b"fd:", 0) and address in (None, "")
            [(level, kind, fds)] = anc
            assert (level, kind, len(fds)) == (L.SOL.SOCKET, L.SCM.RIGHTS, 1)
            with fds[0] as got:
                assert L.fcntl(got, L.F.GETFD) & L.FD.CLOEXEC
                L.write(got, b"through the passed fd")
            assert L.read(r, 100) == b"through the passed fd"
            # sendmsg with an iterator of buffers: taken whole before the first try
            n = await aio.sendmsg(b, (x for x in [b"a", bytearray(b"bc")]),
                                  [(L.SOL.SOCKET, L.SCM.RIGHTS, [r])])
            assert n == 3
            data, anc, _, _ = await aio.recvmsg(a, 100, 64, inheritable=True)
            with anc[0][2][0] as got:
                assert data == b"abc" and not L.fcntl(got, L.F.GETFD) & L.FD.CLOEXEC
    run(main())


def test_connect():
    async def main():
        with listener() as server, L.socket(L.AF.INET, "stream|nonblock") as sock:
            address = L.getsockname(server)
            with counting_syscalls() as calls:
                await aio.connect(sock, address)
            assert L.getpeername(sock) == address
            # loopback TCP answers EINPROGRESS: the wait for writability was taken
            assert calls.count("connect", "EINPROGRESS") == 1, calls.lines
            conn, peer = await aio.accept(server, inheritable=True)
            with conn:
                assert peer == L.getsockname(sock) and nonblocking(conn)
                assert not L.fcntl(conn, L.F.GETFD) & L.FD.CLOEXEC
        with L.socket(L.AF.INET, "stream|nonblock") as sock:  # a port nothing listens on
            L.bind(sock, ("127.0.0.1", 0))
            closed = L.getsockname(sock)
        with L.socket(L.AF.INET, "stream|nonblock") as sock:
            with pytest.raises(ConnectionRefusedError):
                await aio.connect(sock, closed)
            assert asyncio.get_running_loop()._selector.get_map().get(sock.fd) is None
    run(main())


def test_connect_unix(tmp_path):
    """An AF_UNIX connect succeeds at once (no EINPROGRESS); a missing path raises."""
    async def main():
        path = str(tmp_path / "s")
        with L.socket(L.AF.UNIX, "stream|nonblock") as server, \
                L.socket(L.AF.UNIX, "stream|nonblock") as sock:
            L.bind(server, path)
            L.listen(server)
            await aio.connect(sock, path)
            conn, _ = await aio.accept(server)
            with conn:
                await aio.sendall(sock, b"hi")
                assert await aio.recv(conn, 10) == b"hi"
        with L.socket(L.AF.UNIX, "stream|nonblock") as sock:
            with pytest.raises(FileNotFoundError) as e:
                await aio.connect(sock, str(tmp_path / "none"))
            assert e.value.filename == str(tmp_path / "none")
    run(main())


def test_cancelled_calls_remove_their_reader_or_writer():
    async def main():
        loop = asyncio.get_running_loop()
        a, b = pair()
        with a, b, listener() as server:
            for fd, call in ((a.fd, aio.recv(a, 10)), (a.fd, aio.recv_into(a, bytearray(4))),
                             (a.fd, aio.recvmsg(a, 10, 64)), (server.fd, aio.accept(server))):
                task = asyncio.ensure_future(call)
                await asyncio.sleep(0.01)  # waiting in add_reader now
                assert fd in loop._selector.get_map()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert fd not in loop._selector.get_map()
            # nothing was read: the next recv gets all that is sent after
            L.send(b, b"kept")
            assert await aio.recv(a, 10) == b"kept"
            loop.add_reader(a.fd, lambda: None)  # the fd can be registered again
            assert loop.remove_reader(a.fd)
            with contextlib.suppress(BlockingIOError):
                while True:
                    L.send(a, bytes(65536))
            task = asyncio.ensure_future(aio.sendall(a, bytearray(10)))
            await asyncio.sleep(0.01)
            assert a.fd in loop._selector.get_map()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert a.fd not in loop._selector.get_map()
    run(main())


def test_blocking_socket_refused_before_anything():
    """A blocking socket would stall the loop: ValueError, and nothing read or sent."""
    async def main():
        a, b = L.socketpair()  # blocking
        with a, b, L.socket(L.AF.INET, "stream") as blocking_listener:
            L.send(b, b"pending")
            for call in (aio.recv(a, 10), aio.recv_into(a, bytearray(10)),
                         aio.recvmsg(a, 10), aio.send(a, b"x"), aio.sendall(a, b"x"),
                         aio.sendmsg(a, [b"x"]), aio.accept(blocking_listener),
                         aio.connect(blocking_listener, ("127.0.0.1", 9))):
                with pytest.raises(ValueError, match="must be non-blocking"):
                    await call
            L.fcntl(b, L.F.SETFL, L.O.NONBLOCK)
            with pytest.raises(BlockingIOError):
                L.recv(b, 10)  # nothing was sent from a
            assert L.recv(a, 10) == b"pending"  # nothing was read
            closed = L.socket(L.AF.UNIX, "stream|nonblock")
            closed.close()
            with pytest.raises(L.ClosedFdError):
                await aio.recv(closed, 10)
            with pytest.raises(TypeError):
                await aio.recv(None, 10)
    run(main())


def test_one_recvfrom_per_readiness():
    """A message there already takes one recvfrom; one that arrives later takes the try that
    finds nothing (as loop.sock_recv's) and one recvfrom at its readiness, never more."""
    async def main():
        a, b = pair("seqpacket")
        with a, b:
            for i in range(3):
                L.send(b, b"m%d" % i)
            with counting_syscalls() as calls:
                got = [await aio.recv(a, 100) for _ in range(3)]
            assert got == [b"m0", b"m1", b"m2"]
            assert (calls.count("recvfrom"), calls.count("recvfrom", "EAGAIN")) == (3, 0)
            loop = asyncio.get_running_loop()
            for i in range(20):
                loop.call_later(0.002 * (i + 1), L.send, b, b"n%d" % i)
            with counting_syscalls() as calls:
                got = [await aio.recv(a, 100) for _ in range(20)]
            assert got == [b"n%d" % i for i in range(20)]
            names = ["EAGAIN" if " EAGAIN " in line else "ok" for n, line in calls.lines
                     if n == "recvfrom"]
            assert names.count("ok") == 20, calls.lines
            # at most one try that found nothing per call, and never one after a wake-up
            assert "EAGAIN EAGAIN" not in " ".join(names), calls.lines
            assert names[-1] == "ok"
    run(main())


def test_sendall_error_midway_releases_the_buffer():
    """The peer gone while sendall waits for room: the send's error is raised, the writer
    removed and the caller's bytearray no longer exported."""
    async def main():
        loop = asyncio.get_running_loop()
        a, b = pair()
        with a:
            with b:
                data = bytearray(4 << 20)
                task = asyncio.ensure_future(aio.sendall(a, data))
                await asyncio.sleep(0.01)
                assert not task.done()  # waiting for room, part of it sent
            with pytest.raises((BrokenPipeError, ConnectionResetError)):
                await task
            assert a.fd not in loop._selector.get_map()
            data.extend(b"x")
            with pytest.raises(BufferError):  # a buffer the kernel cannot take as it is
                await aio.sendall(a, memoryview(bytearray(8))[::2])
    run(main())


# ---- netlink events ---------------------------------------------------------------------------

def test_netlink_events_in_a_namespace_of_its_own():
    """aio.netlink_events yields the link events a monitor socket receives, one recv per
    readiness; run in a child that first unshares its network namespace."""
    import ctypes
    from conftest import child_ok
    from linuxsys import netlink as NL

    def child():
        before = os.readlink("/proc/self/ns/net")
        assert ctypes.CDLL(None, use_errno=True).unshare(0x40000000) == 0  # CLONE_NEWNET
        assert os.readlink("/proc/self/ns/net") != before

        async def main():
            with NL.monitor(["link"]) as mon:
                events = aio.netlink_events(mon)
                NL.link_add("ev0", "veth", peer="ev1")
                got = [await events.__anext__() for _ in range(2)]
                assert sorted((e.kind, e.action, e.obj.name) for e in got) == [
                    ("link", "new", "ev0"), ("link", "new", "ev1")]
                NL.link_del("ev0")
                got = [await events.__anext__() for _ in range(2)]
                assert {(e.kind, e.action) for e in got} == {("link", "del")}
            with pytest.raises(TypeError):
                aio.netlink_events(object())
        asyncio.run(main())
    child_ok(child)


# ---- io_uring: AsyncRing ----------------------------------------------------------------------

def async_ring(*args):
    try:
        return aio.AsyncRing(*args)
    except L.UnsupportedError:
        from conftest import EMULATED
        if EMULATED:
            pytest.skip("qemu-user answers ENOSYS for io_uring")
        raise


def test_async_ring_gathers_100_reads_in_few_submits(tmp_path):
    """100 reads awaited together: prepared in one turn of the loop, submitted by a few
    io_uring_enters (the SQ holds 64), each result the bytes os.pread reads."""
    path = tmp_path / "data"
    data = os.urandom(100 * 4096)
    path.write_bytes(data)

    async def main():
        with L.open(path) as fd:
            async with async_ring(64) as ar:
                with counting_syscalls() as calls:
                    got = await asyncio.gather(*(ar.read(fd, 4096, i * 4096)
                                                 for i in reversed(range(100))))
                assert got[::-1] == [os.pread(fd.fd, 4096, i * 4096) for i in range(100)]
                enters = calls.count("ring_submit") + calls.count("io_uring_enter")
                assert 1 <= enters <= 4, calls.lines
                buf = bytearray(10)
                assert await ar.read(fd, buf, 5) == 10 and buf == data[5:15]
                assert await ar.read(fd, 10, len(data) - 4) == data[-4:]
    run(main())


def test_async_ring_pipe_read_completes_later(pipe):
    r, w = pipe

    async def main():
        loop = asyncio.get_running_loop()
        async with async_ring(8) as ar:
            loop.call_later(0.02, os.write, w, b"later")
            assert await ar.read(r, 100) == b"later"
            assert await ar.nop() == 0
            assert await ar.write(w, b"abc") == 3
            assert await ar.poll(r, L.POLL.IN) & L.POLL.IN
            assert os.read(r, 10) == b"abc"
            await ar.sleep(1_000_000)
    run(main())


def test_async_ring_other_requests(tmp_path):
    async def main():
        a, b = L.socketpair(L.AF.UNIX, "stream")  # blocking: the ring waits, not the loop
        with a, b, L.open(tmp_path / "f", "rdwr|creat") as f:
            async with async_ring(8) as ar:
                assert await ar.send(a, b"ping") == 4
                assert await ar.recv(b, 10) == b"ping"
                buf = bytearray(2)
                await ar.send(a, b"xy")
                assert await ar.recv(b, buf) == 2 and buf == b"xy"
                assert await ar.write(f, b"data", 0) == 4
                await ar.fsync(f)
                await ar.fsync(f, datasync=True)
                out = bytearray(256)
                cqe = await ar.request("prep_statx", L.AT.FDCWD, str(tmp_path / "f"), out)
                assert cqe.check() == 0 and L.statx_decode(out).st_size == 4
                with pytest.raises(FileNotFoundError):
                    await ar._res("prep_statx", L.AT.FDCWD, str(tmp_path / "none"), out)
                with pytest.raises(OSError) as e:
                    await ar.read(1 << 20, 10, 0)  # no such fd: the CQE's -EBADF
                assert e.value.errno == errno.EBADF
                with pytest.raises(ValueError):
                    await ar.request("close")
                with pytest.raises(ValueError):
                    await ar.request("prep_read_batch", f, bytearray(8), [0], 8)
                with pytest.raises(TypeError):
                    await ar.request("prep_nop", user_data=5)
                with pytest.raises(TypeError):
                    await ar.write(f, 12)  # checked by prep_write: nothing queued
                assert ar.ring.in_flight == 0
    run(main())


def test_async_ring_cancel_submits_an_async_cancel(pipe):
    """A task cancelled while its read waits: the read is cancelled on the ring, its buffer
    held until its CQE came, and what the pipe gets afterwards is not taken by it."""
    r, w = pipe

    async def main():
        async with async_ring(8) as ar:
            buf = bytearray(10)
            task = asyncio.ensure_future(ar.read(r, buf))
            await asyncio.sleep(0.02)
            assert ar.ring.in_flight == 1
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            for _ in range(100):
                if not ar.ring.in_flight:
                    break
                await asyncio.sleep(0.005)
            assert ar.ring.in_flight == 0  # the read's CQE and the cancel's came, dropped
            buf.extend(b"x")  # and the buffer let go
            os.write(w, b"after")
            assert await ar.read(r, 10) == b"after"
            assert not ar._orphans and not ar._futures
    run(main())


def test_async_ring_close_with_pending(pipe):
    r, _ = pipe

    async def main():
        loop = asyncio.get_running_loop()
        ar = async_ring(8)
        buf = bytearray(10)
        tasks = [asyncio.ensure_future(ar.read(r, buf)), asyncio.ensure_future(ar.read(r, 5))]
        await asyncio.sleep(0.02)
        efd = ar._efd.fd
        assert efd in loop._selector.get_map()
        ar.close()
        ar.close()
        for task in tasks:
            with pytest.raises(L.ClosedFdError):
                await task
        assert efd not in loop._selector.get_map() and ar.closed
        buf.extend(b"x")  # the ring waited for the cancelled read: let go
        with pytest.raises(L.ClosedFdError):
            await ar.nop()
        with pytest.raises(L.ClosedFdError):
            ar.ring
        assert repr(ar) == "<AsyncRing closed>"
    run(main())


def test_async_ring_completions_iterator():
    async def main():
        async with async_ring(8) as ar:
            ring = ar.ring
            u = ring.prep_nop()
            ar.submit()
            it = ar.completions()
            cqe = await it.__anext__()
            assert (cqe.user_data, cqe.res) == (u, 0)
            loop = asyncio.get_running_loop()
            # one prepared later, while the iterator waits
            loop.call_later(0.01, lambda: (ring.prep_timeout(1_000_000, user_data=77),
                                           ar.submit()))
            assert (await it.__anext__()).user_data == 77
            assert await ar.nop() == 0  # awaited ones never reach the iterator
            loop.call_later(0.01, ar.close)
            assert [c async for c in it] == []
    run(main())


def test_async_ring_wraps_a_ring():
    with async_ring(4) as first:
        raw = first.ring
        with pytest.raises(OSError) as e:  # an eventfd is registered already
            aio.AsyncRing(raw)
        assert e.value.errno == errno.EBUSY and not raw.closed
    assert raw.closed
    with L.Ring(4) as raw:
        ar = aio.AsyncRing(raw)
        assert ar.ring is raw
        coro = ar.nop()
        with pytest.raises(RuntimeError):  # no running loop: nothing prepared
            coro.send(None)
        assert raw.in_flight == 0

        async def use():
            return await ar.nop()
        assert run(use()) == 0
        assert run(use()) == 0  # a new loop once the first is closed
        ar.close()
        assert raw.closed
    closed = L.Ring(2)
    closed.close()
    with pytest.raises(L.ClosedFdError):
        aio.AsyncRing(closed)
    with pytest.raises(ValueError):
        aio.AsyncRing(3)  # Ring's own check: a power of two
