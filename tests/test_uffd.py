"""userfaultfd against the real kernel: page faults served from Python.

A fault taken by Python code would block holding the GIL, so the faults here are the
kernel's: another thread writes a registered Mapping to a pipe (os.write releases the GIL,
the kernel's copy from the Mapping faults), this thread reads the event and fills the page,
and the pipe's reader sees the bytes.  The fds are nonblocking and waited on with poll and a
timeout, so a failure cannot hang the run: closing the userfaultfd wakes every waiting thread.
"""
import ctypes
import errno
import fcntl
import mmap as pymmap
import os
import select
import signal
import socket
import threading

import pytest

import linuxsys as L
from linuxsys.fd import fd_kind
from conftest import in_child, qemu_may_lack, raises_errno

PAGE = pymmap.PAGESIZE
PRIVATE = L.MAP.PRIVATE | L.MAP.ANONYMOUS


def new_uffd(features=0, flags=L.O.NONBLOCK):
    """A userfaultfd with the API enabled (qemu-user may lack the syscall: skipped there)."""
    u = qemu_may_lack(L.userfaultfd, flags)
    api = L.uffdio_api(u, features)
    return u, api


def next_msg(u, timeout_ms=5000):
    p = select.poll()
    p.register(u, select.POLLIN)
    assert p.poll(timeout_ms), "no userfaultfd event within 5 s"
    return u.uffd_read()


class Reader:
    """A thread writing ``data`` (a Mapping's memoryview) into a pipe: the kernel's read of
    it faults; ``result()`` is what came out of the pipe."""

    def __init__(self, mapping):
        self.r, self.w = os.pipe2(os.O_CLOEXEC)
        self.view = memoryview(mapping)
        self.error = None
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self):
        try:
            os.write(self.w, self.view)  # pipe capacity (64 KiB) holds it all
        except BaseException as e:
            self.error = e

    def result(self):
        self.thread.join(10)
        assert not self.thread.is_alive() and self.error is None, self.error
        self.view.release()
        data = os.read(self.r, 1 << 20)
        os.close(self.r)
        os.close(self.w)
        return data


def test_serve_page_faults_from_python():
    u, api = new_uffd(L.UFFD_FEATURE.THREAD_ID)
    assert api.features & L.UFFD_FEATURE.THREAD_ID and L.UFFDIO.REGISTER in api.ioctls
    m = L.mmap(0, 3 * PAGE, flags=PRIVATE)
    reader = None
    try:
        ioctls = L.uffdio_register(u, m, L.UFFDIO_REGISTER_MODE.MISSING)
        assert {L.UFFDIO.COPY, L.UFFDIO.ZEROPAGE, L.UFFDIO.WAKE} <= ioctls
        reader = Reader(m)
        # page 0: copied without waking, then woken
        msg = next_msg(u)
        assert msg.event == L.UFFD_EVENT.PAGEFAULT and msg.address == m.address
        assert not msg.flags & L.UFFD_PAGEFAULT_FLAG.WRITE  # the kernel reads the Mapping
        assert msg.ptid == reader.thread.native_id and msg.ufd is None
        page = bytes(range(256)) * (PAGE // 256)
        assert L.uffdio_copy(u, (m, 0, PAGE), page, L.UFFDIO_COPY_MODE.DONTWAKE) == PAGE
        L.uffdio_wake(u, (m, 0, PAGE))
        # page 1: zeros
        msg = next_msg(u)
        assert msg.address == m.address + PAGE
        assert u.uffdio_zeropage((m, PAGE, PAGE)) == PAGE
        # page 2: from a bytearray larger than the page, through the Fd method
        msg = next_msg(u)
        assert msg.address == m.address + 2 * PAGE
        src = bytearray(b"z" * (2 * PAGE))
        assert u.uffdio_copy((m, 2 * PAGE, PAGE), src) == PAGE
        src.extend(b"x")  # the view was released
        data = reader.result()
        reader = None
        assert data == page + bytes(PAGE) + b"z" * PAGE
        assert m[:PAGE] == page and m[2 * PAGE] == ord("z")
        # filled pages are there: another fill says so
        raises_errno(errno.EEXIST, L.uffdio_copy, u, (m, 0, PAGE), page)
        raises_errno(errno.EEXIST, L.uffdio_zeropage, u, (m, PAGE, PAGE))
        L.uffdio_unregister(u, m)
        raises_errno(errno.ENOENT, L.uffdio_zeropage, u, m)  # no longer registered
        with pytest.raises(BlockingIOError):
            L.uffd_read(u)
    finally:
        u.close()  # wakes a reader still waiting
        if reader is not None:
            reader.result()
        m.close()


def test_remove_event_and_raw_ranges():
    """UFFD_EVENT.REMOVE (madvise DONTNEED in another thread, which waits until the event is
    read), and the (address, length) form on memory that is no Mapping (Python's own mmap)."""
    u, _ = new_uffd(L.UFFD_FEATURE.EVENT_REMOVE)
    py = pymmap.mmap(-1, 2 * PAGE)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(py))
    try:
        L.uffdio_register(u, (addr, 2 * PAGE))
        th = threading.Thread(target=L.madvise, args=(addr, 2 * PAGE, L.MADV.DONTNEED))
        th.start()
        msg = next_msg(u)
        th.join(10)
        assert msg.event == L.UFFD_EVENT.REMOVE
        assert (msg.start, msg.end, msg.address) == (addr, addr + 2 * PAGE, 0)
        assert L.uffdio_zeropage(u, (addr, PAGE)) == PAGE
        assert py[:PAGE] == bytes(PAGE)
        L.uffdio_unregister(u, (addr, 2 * PAGE))
    finally:
        u.close()
        py.close()


def _fork_event():
    """A monitor process reads the FORK event of this one's fork(), which waits until it is
    read: CPython's fork() holds the GIL, so no thread of this process could read it."""
    signal.alarm(10)  # a hang kills this child, not the test run
    a, b = socket.socketpair()
    monitor = os.fork()
    if monitor == 0:
        code = 1
        try:
            _, fds, _, _ = socket.recv_fds(b, 1, 1)
            u = L.Fd(fds[0])
            msg = u.uffd_read()
            ufd = msg.ufd
            code = 0 if (msg.event == L.UFFD_EVENT.FORK and isinstance(ufd, L.Fd)
                         and fd_kind(ufd.fd) == "userfaultfd" and ufd.fd != u.fd
                         and fcntl.fcntl(ufd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC) else 2
        finally:
            os._exit(code)
    u = L.userfaultfd()
    L.uffdio_api(u, L.UFFD_FEATURE.EVENT_FORK)
    m = L.mmap(0, PAGE, flags=PRIVATE)
    L.uffdio_register(u, m)
    socket.send_fds(a, [b"u"], [u.fd])
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(os.waitpid(monitor, 0)[1]) == 0


def test_fork_event():
    """UFFD_EVENT.FORK: the child's userfaultfd arrives in the reader as an owning Fd."""
    qemu_may_lack(L.userfaultfd).close()
    assert in_child(_fork_event) == 0


def test_userfaultfd_flags():
    u = qemu_may_lack(L.userfaultfd)
    assert fd_kind(u.fd) == "userfaultfd" and u._kind == "userfaultfd"
    assert fcntl.fcntl(u, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
    assert not fcntl.fcntl(u, fcntl.F_GETFL) & os.O_NONBLOCK
    u.close()
    u = L.userfaultfd("nonblock|user_mode_only", inheritable=True)
    assert not fcntl.fcntl(u, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
    assert fcntl.fcntl(u, fcntl.F_GETFL) & os.O_NONBLOCK
    u.close()
    raises_errno(errno.EINVAL, L.userfaultfd, 1 << 30)
    with pytest.raises(ValueError):
        L.userfaultfd("bogus")
    with pytest.raises(TypeError):
        L.userfaultfd(L.MADV.NORMAL)  # another namespace's member
    with pytest.raises(OverflowError):
        L.userfaultfd(1 << 31)


def test_ioctl_errors():
    u = qemu_may_lack(L.userfaultfd, L.O.NONBLOCK)
    m = L.mmap(0, 2 * PAGE, flags=PRIVATE)
    try:
        raises_errno(errno.EINVAL, L.uffdio_register, u, m)  # before UFFDIO_API
        raises_errno(errno.EINVAL, L.uffdio_api, u, 1 << 62)  # no such feature
        L.uffdio_api(u)
        raises_errno(errno.EINVAL, L.uffdio_api, u)  # once only
        raises_errno(errno.EINVAL, L.uffdio_register, u, (m, 1, PAGE))  # unaligned
        raises_errno(errno.EINVAL, L.uffdio_register, u, m, 1 << 40)  # no such mode
        raises_errno(errno.ENOENT, L.uffdio_copy, u, (m, 0, PAGE), bytes(PAGE))  # unregistered
        L.uffdio_register(u, m)
        raises_errno(errno.EINVAL, L.uffdio_zeropage, u, (m, 0, 100))  # not whole pages
        raises_errno(errno.EINVAL, L.uffdio_copy, u, m, bytes(2 * PAGE), 1 << 40)
        with pytest.raises(BlockingIOError):
            L.uffd_read(u)
        # arguments refused before any syscall
        ba = bytearray(PAGE)
        with pytest.raises(ValueError, match="src holds"):
            L.uffdio_copy(u, m, ba)  # 2 pages from 1
        ba.extend(b"x")
        with pytest.raises(TypeError):
            L.uffdio_copy(u, m, "text")
        with pytest.raises(ValueError, match="outside the mapping"):
            L.uffdio_wake(u, (m, PAGE, 2 * PAGE))
        with pytest.raises(ValueError, match="overlaps the live"):
            L.uffdio_zeropage(u, (m.address, PAGE))  # the raw form: name the Mapping
        for bad in ((m, 0), (m.address,), [m.address, PAGE], m.address, None):
            with pytest.raises(TypeError):
                L.uffdio_unregister(u, bad)
        with pytest.raises(OverflowError):
            L.uffdio_copy(u, m, bytes(2 * PAGE), -1)
        with pytest.raises(TypeError):
            L.uffdio_register(u, m, L.UFFDIO_COPY_MODE.DONTWAKE)  # copy's mode, not register's
        L.uffdio_unregister(u, m)
    finally:
        u.close()
        m.close()
    with L.userfaultfd() as v, pytest.raises(ValueError, match="closed"):
        L.uffdio_register(v, m)


def test_wrong_fd_kinds():
    """A pipe is no userfaultfd: refused (EINVAL) before anything is read or issued; a closed
    Fd is ClosedFdError."""
    r, w = L.pipe()
    os.write(w.fd, b"x" * 64)
    with L.mmap(0, PAGE, flags=PRIVATE) as m:
        for call in (lambda: L.uffd_read(r), lambda: L.uffdio_api(r),
                     lambda: L.uffdio_register(r, m), lambda: L.uffdio_wake(r, m),
                     lambda: L.uffdio_copy(r, m, bytes(PAGE)), lambda: r.uffdio_zeropage(m)):
            raises_errno(errno.EINVAL, call)
    assert os.read(r.fd, 100) == b"x" * 64
    r.close()
    w.close()
    u = qemu_may_lack(L.userfaultfd)
    u.close()
    with pytest.raises(L.ClosedFdError):
        L.uffd_read(u)


def test_keyword_arguments():
    u = qemu_may_lack(L.userfaultfd, flags=L.O.NONBLOCK, inheritable=False)
    with u, L.mmap(0, PAGE, flags=PRIVATE) as m:
        L.uffdio_api(fd=u, features=0)
        L.uffdio_register(fd=u, range=m, mode="missing")
        assert L.uffdio_copy(fd=u, dst=m, src=bytes(PAGE), mode=0) == PAGE
        L.uffdio_wake(fd=u, range=m)
        raises_errno(errno.EEXIST, L.uffdio_zeropage, fd=u, range=m, mode=0)
        L.uffdio_unregister(fd=u, range=m)
        with pytest.raises(BlockingIOError):
            L.uffd_read(fd=u)
