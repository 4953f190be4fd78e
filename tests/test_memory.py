"""The memory family against the real kernel: Python's mmap module, ctypes reads by address,
/proc/self/maps, /proc/self/smaps, /proc/self/status and /proc/sysvipc/shm as oracles.

Every SysV segment a test makes is removed (IPC_RMID) in a finally; state changes for good
(mlockall, rlimits, uid) happen in children.
"""
import contextlib
import ctypes
import errno
import gc
import mmap as pymmap
import os
import resource
import struct
import sys

import pytest

import linuxsys as L
from linuxsys import memory
from conftest import EMULATED, as_nobody, in_child, qemu_may_lack, raises_errno, requires_root

PAGE = pymmap.PAGESIZE
RW = L.PROT.READ | L.PROT.WRITE
PRIVATE = L.MAP.PRIVATE | L.MAP.ANONYMOUS
BIG = 2**32 + 2 * PAGE  # a file offset past 32 bits: mmap2's page units on 32-bit arches


def vma(addr):
    """The /proc/self/maps entry holding addr: (start, end, perms, offset, path), or None."""
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split(None, 5)
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if start <= addr < end:
                path = fields[5].strip() if len(fields) > 5 else ""
                return start, end, fields[1], int(fields[2], 16), path
    return None


def perms(addr):
    entry = vma(addr)
    return entry and entry[2]


def smaps(addr):
    """The /proc/self/smaps fields of the mapping holding addr: kB counts, VmFlags a set.
    Natively only: qemu-user rewrites /proc/self/maps for the guest, not smaps."""
    fields = None
    with open("/proc/self/smaps") as f:
        for line in f:
            head = line.split(None, 1)[0]
            if ":" not in head:  # "start-end perms ..." opens the next mapping
                if fields is not None:
                    break
                start, end = (int(x, 16) for x in head.split("-"))
                if start <= addr < end:
                    fields = {}
            elif fields is not None:
                key, _, value = line.partition(":")
                fields[key] = set(value.split()) if key == "VmFlags" else int(value.split()[0])
    return fields


def status_kb(name):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise KeyError(name)


def at(addr, n):
    """n bytes read at addr by ctypes: memory seen without the Mapping's buffer."""
    return ctypes.string_at(addr, n)


@pytest.fixture
def datafile(tmp_path):
    """A 3-page file of known bytes, opened O_RDWR."""
    p = tmp_path / "data"
    p.write_bytes(bytes(range(256)) * (3 * PAGE // 256))
    with L.open(p, "rdwr") as fd:
        yield fd


@pytest.fixture
def reserved():
    """The SHMLBA-aligned start of 8 PROT_NONE pages to place mappings in (MAP.FIXED)."""
    with L.mmap(0, 8 * PAGE + L.SHMLBA, L.PROT.NONE, PRIVATE) as res:
        yield -(-res.address // L.SHMLBA) * L.SHMLBA


@pytest.fixture
def segment():
    """A private 10000-byte SysV segment (mode 0600), removed afterwards."""
    shmid = L.shmget(L.IPC.PRIVATE, 10000, L.IPC.CREAT | 0o600)
    try:
        yield shmid
    finally:
        with contextlib.suppress(OSError):
            L.shmctl(shmid, L.IPC.RMID)
    assert not sysvipc(shmid)


def sysvipc(shmid):
    """/proc/sysvipc/shm's row for shmid as a dict, or None."""
    with open("/proc/sysvipc/shm") as f:
        names = f.readline().split()
        for line in f:
            row = dict(zip(names, (int(v, 8) if n == "perms" else int(v)
                                   for n, v in zip(names, line.split()))))
            if row["shmid"] == shmid:
                return row
    return None


# ---- namespaces ----------------------------------------------------------------------------

def test_namespaces_are_the_headers_values():
    assert (L.PROT.READ, L.PROT.WRITE, L.PROT.EXEC) == (
        pymmap.PROT_READ, pymmap.PROT_WRITE, pymmap.PROT_EXEC)
    assert (L.MAP.SHARED, L.MAP.PRIVATE, L.MAP.ANONYMOUS) == (
        pymmap.MAP_SHARED, pymmap.MAP_PRIVATE, pymmap.MAP_ANONYMOUS)
    for name in ("NORMAL", "RANDOM", "SEQUENTIAL", "WILLNEED", "DONTNEED", "FREE", "REMOVE",
                 "DONTFORK", "DOFORK", "HUGEPAGE", "NOHUGEPAGE", "DONTDUMP", "DODUMP"):
        if hasattr(pymmap, "MADV_" + name):
            assert L.MADV[name] == getattr(pymmap, "MADV_" + name), name
    assert L.MAP.FIXED_NOREPLACE == 0x100000 and L.MAP.SHARED_VALIDATE == 3
    assert L.MAP_HUGE_SHIFT == 26 and L.MAP.HUGE_2MB == 21 << 26
    assert L.MADV.COLD == 20 and L.MADV.PAGEOUT == 21 and L.MADV.HWPOISON == 100
    # msync's flags: flat MS_* names and the MSYNC namespace (L.MS is mount's)
    assert (L.MS_ASYNC, L.MS_INVALIDATE, L.MS_SYNC) == (1, 2, 4) == (
        L.MSYNC.ASYNC, L.MSYNC.INVALIDATE, L.MSYNC.SYNC)
    assert (L.MCL.CURRENT, L.MCL.FUTURE, L.MCL.ONFAULT, L.MLOCK.ONFAULT) == (1, 2, 4, 1)
    assert (L.MREMAP.MAYMOVE, L.MREMAP.FIXED, L.MREMAP.DONTUNMAP) == (1, 2, 4)
    assert (L.IPC.PRIVATE, L.IPC.CREAT, L.IPC.EXCL, L.IPC.NOWAIT) == (0, 0o1000, 0o2000, 0o4000)
    assert (L.IPC.RMID, L.IPC.SET, L.IPC.STAT, L.IPC.INFO) == (0, 1, 2, 3)
    assert (L.SHM.RDONLY, L.SHM.RND, L.SHM.REMAP, L.SHM.LOCK, L.SHM.STAT) == (
        0o10000, 0o20000, 0o40000, 11, 13)
    assert L.SHMLBA == (4 * PAGE if L.ARCH.startswith("arm") else PAGE)
    assert all(getattr(L, name) is getattr(memory, name) for name in memory.__all__)


# ---- mmap: the Mapping and its buffer ------------------------------------------------------

def test_mmap_anonymous_shared_by_default():
    with L.mmap(0, 3 * PAGE) as m:
        assert isinstance(m, L.Mapping) and isinstance(m, pymmap.mmap)
        assert len(m) == 3 * PAGE and m.address % PAGE == 0
        start, end, p, _, _ = vma(m.address)
        assert start <= m.address and m.address + 3 * PAGE <= end and p == "rw-s"
        mv = memoryview(m)
        assert not mv.readonly and mv.nbytes == 3 * PAGE and mv.format == "B"
        mv[PAGE:PAGE + 5] = b"hello"
        mv.release()
        assert at(m.address + PAGE, 5) == b"hello" and m.find(b"hello") == PAGE
        assert repr(m) == f"<Mapping {m.address:#x} {3 * PAGE} bytes, read-write buffer>"
        addr = m.address
    assert m.closed and vma(addr) is None and repr(m) == "<Mapping closed>"


def test_mmap_shared_and_private_across_fork():
    shared, private = L.mmap(None, PAGE), L.mmap(None, PAGE, flags=PRIVATE)
    try:
        assert perms(private.address) == "rw-p"

        def child():
            shared[:2] = b"sh"
            private[:2] = b"pr"
        assert in_child(child) == 0
        assert shared[:2] == b"sh" and private[:2] == b"\0\0"
    finally:
        shared.close()
        private.close()


def test_mmap_file_shared_writes_reach_the_file(datafile):
    m = L.mmap(0, 2 * PAGE, RW, L.MAP.SHARED, datafile)
    with m:
        assert m[:4] == bytes(range(4)) and m[PAGE:PAGE + 2] == os.pread(datafile, 2, PAGE)
        m[PAGE:PAGE + 3] = b"abc"
        assert os.pread(datafile, 3, PAGE) == b"abc"
        os.pwrite(datafile, b"XY", 10)
        assert m[10:12] == b"XY"
        m.msync()
        L.msync(m, PAGE, L.MS_ASYNC | L.MS_INVALIDATE)
        start, _, p, offset, path = vma(m.address)
        assert p == "rw-s" and offset == 0 and path == os.readlink(f"/proc/self/fd/{datafile.fd}")
    # flags None with an fd: MAP_SHARED of the file; the mapping outlives the fd
    dup = L.dup(datafile)
    m = L.mmap(0, PAGE, fd=dup)
    dup.close()
    with m:
        assert perms(m.address) == "rw-s" and m[PAGE - 1:PAGE] == os.pread(datafile, 1, PAGE - 1)


def test_mmap_file_offset_past_4gib(tmp_path):
    if EMULATED and sys.maxsize < 2**32:
        pytest.skip("qemu-user 7.2 cuts a 32-bit guest's mmap offset to 32 bits")
    with L.open(tmp_path / "sparse", "rdwr|creat", 0o600) as fd:
        try:
            L.ftruncate(fd, BIG + PAGE)
        except OSError as e:
            pytest.skip(f"filesystem refuses large files: {e}")
        os.pwrite(fd, b"far", BIG)
        with L.mmap(0, PAGE, RW, L.MAP.SHARED, fd, BIG) as m:
            assert m[:3] == b"far"
            m[3:6] = b"out"
            assert vma(m.address)[3] == BIG  # the offset the kernel took
        assert os.pread(fd, 6, BIG) == b"farout"
        with L.mmap(0, PAGE, L.PROT.READ, L.MAP.PRIVATE, fd, 2**32) as m:
            assert m[:PAGE] == bytes(PAGE) and vma(m.address)[3] == 2**32
        raises_errno(errno.EINVAL, L.mmap, 0, PAGE, RW, L.MAP.SHARED, fd, BIG + 1)


def test_buffer_consumers_readinto_write_numpy(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"0123456789" * 500)
    with L.open(p, "rdwr") as fd, L.mmap(0, 2 * PAGE, flags=PRIVATE) as m:
        assert L.readinto(fd, m) == 5000 and m[:10] == b"0123456789"
        L.lseek(fd, 0)
        assert L.read(fd, m) == 5000
        L.lseek(fd, 0)
        m[:4] = b"abcd"
        assert L.write(fd, memoryview(m)[:4]) == 4 and p.read_bytes()[:5] == b"abcd4"
        assert L.pwrite(fd, m, 0) == 2 * PAGE
    np = pytest.importorskip("numpy")
    m = L.mmap(0, PAGE)
    a = np.frombuffer(m, dtype=np.uint32)
    a[:2] = [1, 2]
    assert m[:8] == np.array([1, 2], dtype=np.uint32).tobytes()
    with pytest.raises(BufferError):
        m.close()
    del a
    m.close()
    r = L.mmap(0, PAGE, L.PROT.READ)
    a = np.frombuffer(r, dtype=np.uint8)
    assert not a.flags.writeable and a.sum() == 0
    del a
    r.close()


def test_close_with_exports_and_use_after_close():
    m = L.mmap(0, PAGE)
    mv = memoryview(m)
    with pytest.raises(BufferError):
        m.close()
    with pytest.raises(BufferError):
        L.munmap(m)
    mv[0] = 7  # still mapped
    assert not m.closed and m[0] == 7
    mv.release()
    L.munmap(m)
    assert m.closed
    m.close()  # again: nothing
    for use in (lambda: memoryview(m), lambda: m[0], lambda: len(m), lambda: m.address,
                lambda: m.mprotect(RW), lambda: m.madvise(L.MADV.NORMAL), lambda: m.mincore(),
                lambda: m.mremap(2 * PAGE), lambda: m.mlock(), lambda: m.msync()):
        with pytest.raises(ValueError):
            use()
    with pytest.raises(TypeError):
        L.Mapping(-1, PAGE)


def test_gc_unmaps_with_a_resource_warning():
    m = L.mmap(0, PAGE)
    n = L.mmap(0, PAGE, L.PROT.NONE, PRIVATE)  # no buffer: linuxsys's munmap
    addrs = m.address, n.address
    with pytest.warns(ResourceWarning, match="unclosed <Mapping"):
        del m, n
        gc.collect()
    assert vma(addrs[0]) is None and vma(addrs[1]) is None


def test_read_only_buffer(datafile):
    with L.mmap(0, PAGE, L.PROT.READ) as r:
        assert perms(r.address) == "r--s" and memoryview(r).readonly
        assert repr(r).endswith("read-only buffer>")
        with pytest.raises(TypeError):
            memoryview(r)[0] = 1
        with pytest.raises(TypeError):
            r[0] = 1
        with pytest.raises(TypeError):
            r.write(b"x")
        with pytest.raises(TypeError):
            L.readinto(datafile, r)
        r.mprotect(RW)  # more than the buffer needs: allowed, the buffer stays read-only
        assert perms(r.address) == "rw-s" and memoryview(r).readonly
        with pytest.raises(ValueError, match="fault"):
            r.mprotect(L.PROT.NONE)
        with pytest.raises(TypeError):  # CPython's: a read-only mmap.mmap does not resize
            r.mremap(PAGE // 2)
    with L.open(f"/proc/self/fd/{datafile.fd}", "rdonly") as ro, \
            L.mmap(0, PAGE, "read", "shared", ro) as r:
        assert r[:4] == bytes(range(4)) and perms(r.address) == "r--s"


def test_mprotect_never_leaves_a_view_faulting():
    m = L.mmap(0, 2 * PAGE, flags=PRIVATE)
    with m:
        for prot in (L.PROT.READ, L.PROT.NONE, L.PROT.WRITE, "read|exec"):
            with pytest.raises(ValueError, match="fault"):
                m.mprotect(prot)
        with pytest.raises(ValueError):
            L.mprotect(m, PAGE, "read")
        assert perms(m.address) == "rw-p"
        m.mprotect(RW | L.PROT.EXEC, PAGE)
        if not EMULATED:  # qemu-user's maps show its host pages: never executable
            assert perms(m.address + PAGE) == "rwxp" and perms(m.address) == "rw-p"
        L.mprotect(m, None, RW)
        assert perms(m.address + PAGE) == "rw-p"
        raises_errno(errno.EINVAL, m.mprotect, RW, 1, PAGE)  # not page aligned
        with pytest.raises(ValueError):
            m.mprotect(RW, PAGE, 2 * PAGE)  # past the end
    # no buffer (PROT_NONE): any protection, memory reached by address only
    with L.mmap(0, PAGE, L.PROT.NONE, PRIVATE) as n:
        assert repr(n).endswith("no buffer>") and perms(n.address) == "---p"
        with pytest.raises(ValueError):
            memoryview(n)
        n.mprotect(RW)
        assert perms(n.address) == "rw-p"
        ctypes.memmove(n.address, b"raw", 3)
        assert at(n.address, 3) == b"raw"
        L.mprotect(n, None, L.PROT.READ)
        assert perms(n.address) == "r--p"


def test_mmap_at_a_chosen_address(reserved):
    addr = reserved + PAGE
    with L.mmap(addr, PAGE, RW, PRIVATE | L.MAP.FIXED) as m:
        assert m.address == addr and perms(addr) == "rw-p"
        with pytest.raises(ValueError):  # placed by the caller: no buffer
            memoryview(m)
        ctypes.memmove(addr, b"fixed", 5)
        if EMULATED:  # qemu-user 7.2 takes MAP_FIXED_NOREPLACE for a hint
            with L.mmap(addr, PAGE, RW, PRIVATE | L.MAP.FIXED_NOREPLACE) as elsewhere:
                assert elsewhere.address != addr
        else:
            raises_errno(errno.EEXIST, L.mmap, addr, PAGE, RW, PRIVATE | L.MAP.FIXED_NOREPLACE)
    assert vma(addr) is None  # a hole in the reservation now
    with L.mmap(addr, PAGE, RW, PRIVATE | L.MAP.FIXED_NOREPLACE) as m:
        assert m.address == addr and at(addr, 5) == bytes(5)


def test_mmap_flags_populate_and_strings():
    with L.mmap(0, 4 * PAGE, "read|write", "private|anonymous|populate") as m:
        assert EMULATED or all(b & 1 for b in m.mincore())  # qemu-user drops MAP_POPULATE
    with L.mmap(0, PAGE, RW, L.MAP.SHARED | L.MAP.ANONYMOUS | L.MAP.NORESERVE) as m:
        assert perms(m.address) == "rw-s"


def test_mmap_errors(datafile, tmp_path):
    limbo = len(memory._LIMBO)
    raises_errno(errno.EINVAL, L.mmap, 0, 0)
    raises_errno(errno.EINVAL, L.mmap, 0, PAGE, RW, L.MAP.ANONYMOUS)  # neither shared nor private
    raises_errno(errno.EINVAL, L.mmap, 0, PAGE, RW, L.MAP.SHARED, datafile, 100)
    raises_errno(errno.ENOMEM, L.mmap, 0, 2 * sys.maxsize + 2 - PAGE, RW, PRIVATE)  # no buffer
    if sys.maxsize > 2**32:  # past the address space: CPython's placeholder fails first
        raises_errno(errno.ENOMEM, L.mmap, 0, 1 << 62, RW, PRIVATE)
    closed = L.dup(datafile)
    number = closed.fd
    closed.close()
    raises_errno(errno.EBADF, L.mmap, 0, PAGE, RW, L.MAP.SHARED, number)
    raises_errno(errno.EBADF, L.mmap, 0, PAGE, L.PROT.NONE, L.MAP.SHARED, number)  # no buffer
    (tmp_path / "ro").write_bytes(bytes(PAGE))
    with L.open(tmp_path / "ro", "rdonly") as ro:
        raises_errno(errno.EACCES, L.mmap, 0, PAGE, RW, L.MAP.SHARED, ro)
        with L.mmap(0, PAGE, RW, L.MAP.PRIVATE, ro) as cow:  # copy-on-write: allowed
            cow[0] = 1
    r, w = L.pipe()
    with r, w:
        raises_errno(errno.ENODEV, L.mmap, 0, PAGE, L.PROT.READ, L.MAP.SHARED, r)
    with L.open(tmp_path, "rdonly|directory") as d:
        raises_errno(errno.ENODEV, L.mmap, 0, PAGE, L.PROT.READ, L.MAP.SHARED, d)
    memfd = L.memfd_create("sealed", L.MFD.ALLOW_SEALING)
    with memfd:
        L.ftruncate(memfd, PAGE)
        L.fcntl(memfd, L.F.ADD_SEALS, L.SEAL.WRITE)
        raises_errno(errno.EPERM, L.mmap, 0, PAGE, RW, L.MAP.SHARED, memfd)
    # beyond the end of the file (SIGBUS there): refused before any syscall
    with pytest.raises(ValueError, match="end of the file"):
        L.mmap(0, 4 * PAGE, RW, L.MAP.SHARED, datafile)
    with pytest.raises(ValueError, match="end of the file"):
        L.mmap(0, PAGE, RW, L.MAP.SHARED, datafile, 3 * PAGE)
    with pytest.raises(ValueError):
        L.mmap(0, PAGE, offset=-PAGE)
    with pytest.raises(ValueError):
        L.mmap(0, -1)
    with pytest.raises(ValueError):
        L.mmap(-PAGE, PAGE)
    with pytest.raises(TypeError):
        L.mmap(0, "4096")
    with pytest.raises(ValueError):
        L.mmap(0, PAGE, "read|bogus")
    # failed placements left no placeholder open: every one was closed or (sealed memfd, on
    # a kernel that keeps the placeholder) parked
    assert len(memory._LIMBO) <= limbo + 1
    assert all(p.closed for p in memory._LIMBO)


# ---- advice, residency, sync, locking ------------------------------------------------------

def test_mincore_after_touching_pages():
    with L.mmap(0, 4 * PAGE, flags=PRIVATE) as m:
        assert m.mincore() == bytes(4)
        m[0] = m[2 * PAGE] = 1
        assert [b & 1 for b in m.mincore()] == [1, 0, 1, 0]
        assert L.mincore(m, None) == m.mincore() == L.mincore(m.address, 4 * PAGE)
        assert m.mincore(2 * PAGE, PAGE)[0] & 1 and L.mincore(m, PAGE) == m.mincore()[:1]
        m.madvise(L.MADV.DONTNEED, 0, PAGE)
        assert m.mincore()[0] & 1 == 0 and m[0] == 0 and m[2 * PAGE] == 1
        raises_errno(errno.EINVAL, L.mincore, m.address + 1, PAGE)
        addr = m.address
    raises_errno(errno.ENOMEM, L.mincore, addr, PAGE)  # unmapped now


def test_madvise():
    with L.mmap(0, 2 * PAGE, flags=PRIVATE) as m:
        m.madvise(L.MADV.WILLNEED)
        L.madvise(m, None, "dontdump")
        L.madvise(m.address, PAGE, L.MADV.RANDOM)
        if not EMULATED:
            flags = smaps(m.address)["VmFlags"]
            assert {"dd", "rr"} <= flags
        m.madvise("dodump")
        m[PAGE] = 5
        m.madvise(L.MADV.FREE, PAGE)
        # advice after which the buffer's pages would fault is refused
        for advice in (L.MADV.DONTFORK, L.MADV.HWPOISON, 102):  # 102: MADV_GUARD_INSTALL
            with pytest.raises(ValueError, match="fault"):
                m.madvise(advice)
        if not EMULATED:  # qemu-user 7.2 answers 0 to any madvise but DONTNEED
            raises_errno(errno.EINVAL, L.madvise, m.address, PAGE, 9999)
            raises_errno(errno.EINVAL, m.madvise, L.MADV.NORMAL, 1, PAGE)
            raises_errno(errno.EINVAL, m.madvise, L.MADV.REMOVE)  # private: nothing to punch
    with L.mmap(0, PAGE, L.PROT.NONE, PRIVATE) as n:  # no buffer: any advice
        n.madvise(L.MADV.DONTFORK)
        if not EMULATED:
            assert "dc" in smaps(n.address)["VmFlags"]
    with L.mmap(0, PAGE) as s:
        s[0] = 9
        s.madvise(L.MADV.REMOVE)  # shared: the page is punched out of the shmem object
        assert s[0] == 0 or EMULATED


def test_msync(datafile):
    with L.mmap(0, PAGE, RW, L.MAP.SHARED, datafile) as m:
        m[:2] = b"ms"
        m.msync(L.MSYNC.SYNC)
        L.msync(m, None)
        L.msync(m.address, PAGE, "async")
        raises_errno(errno.EINVAL, m.msync, L.MS_SYNC | L.MS_ASYNC)
        raises_errno(errno.EINVAL, L.msync, m.address + 1, PAGE)
        assert os.pread(datafile, 2, 0) == b"ms"
        addr = m.address
    if not EMULATED:  # qemu-user keeps a 32-bit guest's freed pages reserved
        raises_errno(errno.ENOMEM, L.msync, addr, PAGE)


@requires_root()
def test_mlock_munlock():
    with L.mmap(0, 4 * PAGE, flags=PRIVATE) as m:
        m.mlock()
        if not EMULATED:
            info = smaps(m.address)
            assert info["Locked"] == 4 * PAGE // 1024 and "lo" in info["VmFlags"]
        assert all(b & 1 for b in m.mincore())  # mlock faults everything in
        m.munlock()
        L.mlock(m, 2 * PAGE)
        L.munlock(m.address, 4 * PAGE)
        if not EMULATED:
            assert smaps(m.address)["Locked"] == 0
    with L.mmap(0, 4 * PAGE, flags=PRIVATE) as m:
        qemu_may_lack(m.mlock, L.MLOCK.ONFAULT)
        assert m.mincore() == bytes(4)  # ONFAULT: nothing faulted in
        m[PAGE] = 1
        if not EMULATED:
            info = smaps(m.address)
            assert "lo" in info["VmFlags"] and info["Locked"] == PAGE // 1024
        L.mlock2(m, None, "onfault")
        L.munlock(m, None)
        raises_errno(errno.EINVAL, L.mlock2, m.address, PAGE, 0x100)
        addr = m.address
    raises_errno(errno.ENOMEM, L.mlock, addr, PAGE)
    raises_errno(errno.ENOMEM, L.munlock, addr, PAGE)


@requires_root()
def test_mlock_limits_as_nobody():
    def limited():
        m = L.mmap(0, 4 * PAGE, flags=PRIVATE)
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (PAGE, PAGE))
        raises_errno(errno.ENOMEM, m.mlock)
        m.mlock(0, 0, PAGE)
        m.munlock()
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
        raises_errno(errno.EPERM, m.mlock, 0, 0, PAGE)
        m.close()
    assert as_nobody(limited) == 0


@requires_root()
def test_mlockall_munlockall_in_a_child():
    def child():
        raises_errno(errno.EINVAL, L.mlockall, 0)
        raises_errno(errno.EINVAL, L.mlockall, L.MCL.ONFAULT)
        L.mlockall(L.MCL.CURRENT | L.MCL.FUTURE)
        assert status_kb("VmLck") > 0
        with L.mmap(0, PAGE, flags=PRIVATE) as m:  # MCL_FUTURE: locked as it is made
            assert m.mincore()[0] & 1
        L.munlockall()
        assert status_kb("VmLck") == 0
        L.mlockall("current|onfault")
        L.munlockall()
    assert in_child(child) == 0


# ---- mremap --------------------------------------------------------------------------------

def test_mremap_grow_shrink_move():
    m = L.mmap(0, PAGE, flags=PRIVATE)
    with m:
        m[:5] = b"keep!"
        mv = memoryview(m)
        with pytest.raises(BufferError):  # the old buffer must never see the move
            m.mremap(64 * PAGE)
        mv.release()
        assert m.mremap(64 * PAGE) is m and len(m) == 64 * PAGE
        assert m[:5] == b"keep!" and at(m.address, 5) == b"keep!" and m[-1] == 0
        start, end, _, _, _ = vma(m.address)
        assert start <= m.address and m.address + 64 * PAGE <= end
        memoryview(m)[-1] = 1
        assert L.mremap(m, None, 2 * PAGE, L.MREMAP.MAYMOVE) is m and len(m) == 2 * PAGE
        m.resize(3 * PAGE)
        assert len(m) == 3 * PAGE and m[:5] == b"keep!"
        with pytest.raises(ValueError):  # a buffer moves only as CPython's resize does
            m.mremap(PAGE, 0)
        with pytest.raises(ValueError):
            m.mremap(PAGE, L.MREMAP.MAYMOVE | L.MREMAP.FIXED, m.address + 8 * PAGE)
        raises_errno(errno.ENOMEM if EMULATED else errno.EINVAL, m.mremap, 0)  # qemu's
    # growing past what backs the mapping would raise SIGBUS on access
    with L.mmap(0, PAGE) as shared:
        with pytest.raises(ValueError, match="SIGBUS"):
            shared.mremap(2 * PAGE)
        shared.mremap(PAGE // 2)
        shared.mremap(PAGE)


def test_mremap_file_mapping(datafile):
    with L.mmap(0, PAGE, RW, L.MAP.SHARED, datafile, PAGE) as m:
        m.mremap(2 * PAGE)
        assert m[PAGE:PAGE + 4] == os.pread(datafile, 4, 2 * PAGE)
        with pytest.raises(ValueError, match="SIGBUS"):
            m.mremap(3 * PAGE)


def test_mremap_without_buffer(reserved):
    base = reserved
    with L.mmap(base, PAGE, RW, PRIVATE | L.MAP.FIXED) as m:
        ctypes.memmove(base, b"moved", 5)
        m.mremap(PAGE, L.MREMAP.MAYMOVE | L.MREMAP.FIXED, base + 4 * PAGE)
        assert m.address == base + 4 * PAGE and at(m.address, 5) == b"moved"
        assert vma(base) is None and perms(m.address) == "rw-p"
        L.munmap(base + 5 * PAGE, PAGE)
        if not EMULATED:  # qemu-user 7.2 keeps a 32-bit guest's freed pages reserved
            m.mremap(2 * PAGE, 0)  # in place: the next page is free now
            assert m.address == base + 4 * PAGE and len(m) == 2 * PAGE
        raises_errno(errno.ENOMEM, m.mremap, 16 * PAGE, 0)  # would need to move
        # bare addresses: the raw call, the new address back
        n = len(m)
        new = L.mremap(m.address, n, n, L.MREMAP.MAYMOVE | L.MREMAP.FIXED, base)
        assert new == base and at(base, 5) == b"moved"
        if not EMULATED:  # qemu-user 7.2 keeps a 32-bit guest's freed pages reserved
            raises_errno(errno.EFAULT, L.mremap, base + 4 * PAGE, PAGE, PAGE, L.MREMAP.MAYMOVE)
        raises_errno(errno.EINVAL, L.mremap, base + 1, PAGE, PAGE)
        L.mremap(base, n, n, L.MREMAP.MAYMOVE | L.MREMAP.FIXED, m.address)
        L.munmap(m)


def test_raw_address_forms(reserved):
    base = reserved
    with L.mmap(base, 2 * PAGE, L.PROT.NONE, PRIVATE | L.MAP.FIXED) as m:
        L.mprotect(base, PAGE, RW)
        assert perms(base) == "rw-p" and perms(base + PAGE) == "---p"
        ctypes.memmove(base, b"x", 1)
        assert L.mincore(base, PAGE) == b"\1"
        L.madvise(base, PAGE, L.MADV.DONTNEED)
        assert L.mincore(base, PAGE) == b"\0" and at(base, 1) == b"\0"
        if not EMULATED:  # qemu-user's mincore wants readable pages
            assert L.mincore(base, 2 * PAGE) == b"\1\0"
        L.munmap(base + PAGE, PAGE)
        assert vma(base + PAGE) is None and perms(base) == "rw-p"
        raises_errno(errno.EINVAL, L.munmap, base + 1, PAGE)
        raises_errno(errno.EINVAL, L.mprotect, base, PAGE, 0x100)
        raises_errno(errno.EINVAL, L.mprotect, base + 1, PAGE, RW)
        if not EMULATED:  # qemu-user 7.2 keeps a 32-bit guest's freed pages reserved
            raises_errno(errno.ENOMEM, L.mprotect, base + PAGE, PAGE, RW)
        with pytest.raises(TypeError):
            L.munmap(base)  # a bare address needs its length
        with pytest.raises(ValueError):
            L.munmap(m, PAGE)  # a Mapping goes whole


# ---- memfd_secret, process_madvise ---------------------------------------------------------

def test_memfd_secret():
    try:
        fd = L.memfd_secret()
    except L.UnsupportedError as e:  # no such syscall on 32-bit ARM, secretmem off in a kernel
        pytest.skip(f"memfd_secret: {e.strerror}: this {'qemu' if EMULATED else 'kernel'} "
                    f"or arch lacks it")
    with fd:
        assert L.fcntl(fd, L.F.GETFD) & L.FD.CLOEXEC
        L.ftruncate(fd, 2 * PAGE)
        with L.mmap(0, 2 * PAGE, RW, L.MAP.SHARED, fd) as m:
            m[:6] = b"secret"
            assert m[:6] == b"secret" and "secretmem" in vma(m.address)[4]
            with L.open("/proc/self/mem") as mem:  # out of the kernel's reach (GUP)
                raises_errno(errno.EIO, L.pread, mem, 6, m.address)
                with L.mmap(0, PAGE) as plain:
                    plain[:5] = b"plain"
                    assert L.pread(mem, 5, plain.address) == b"plain"
        raises_errno(errno.EINVAL, L.mmap, 0, PAGE, RW, L.MAP.PRIVATE, fd)
    with L.memfd_secret(inheritable=True) as fd:
        assert not L.fcntl(fd, L.F.GETFD) & L.FD.CLOEXEC
    raises_errno(errno.EINVAL, L.memfd_secret, L.O.NONBLOCK)


def test_process_madvise_own_memory():
    with L.Fd(os.pidfd_open(os.getpid())) as pidfd, L.mmap(0, 4 * PAGE, flags=PRIVATE) as m:
        m[:] = b"\1" * len(m)
        assert qemu_may_lack(L.process_madvise, pidfd, [m], L.MADV.COLD) == 4 * PAGE
        assert pidfd.process_madvise([(m.address, PAGE), (m.address + 2 * PAGE, PAGE)],
                                     "pageout") == 2 * PAGE
        assert m[:] == b"\1" * len(m)
        with pytest.raises(ValueError, match="fault"):
            L.process_madvise(pidfd, [m], L.MADV.DONTFORK)
        raises_errno(errno.EINVAL, L.process_madvise, pidfd, [m], L.MADV.COLD, 1)
        raises_errno(errno.EINVAL, L.process_madvise, pidfd, [(m.address, PAGE)], 9999)
        raises_errno(errno.EBADF, L.process_madvise, 999999, [m], L.MADV.COLD)


# ---- SysV shared memory --------------------------------------------------------------------

def test_shm_lifecycle_against_proc(segment):
    row = sysvipc(segment)
    ds = L.shmctl(segment, L.IPC.STAT)
    assert isinstance(ds, L.ShmidDs) and isinstance(ds.shm_perm, L.IpcPerm)
    assert (ds.shm_perm.key, ds.shm_perm.mode & 0o777, ds.shm_segsz, ds.shm_cpid,
            ds.shm_nattch, ds.shm_perm.uid, ds.shm_perm.gid, ds.shm_perm.cuid,
            ds.shm_perm.cgid, ds.shm_ctime) == (
        row["key"], row["perms"], 10000, os.getpid(), 0, os.getuid(), os.getgid(),
        row["cuid"], row["cgid"], row["ctime"])
    assert ds.shm_atime == ds.shm_dtime == 0 and ds.shm_lpid == 0
    seg = L.shmat(segment)
    with seg:
        assert isinstance(seg, L.ShmSegment) and seg.shmid == segment and len(seg) == 10000
        assert repr(seg).startswith("<ShmSegment ") and not memoryview(seg).readonly
        start, end, p, _, path = vma(seg.address)
        assert p == "rw-s" and path.startswith("/SYSV") and end - start >= 10000
        memoryview(seg)[9995:] = b"tail!"
        ds = L.shmctl(segment, "stat")
        row = sysvipc(segment)
        assert ds.shm_nattch == row["nattch"] == 1 and ds.shm_lpid == row["lpid"] == os.getpid()
        assert ds.shm_atime == row["atime"] > 0
        assert ds.shm_dtime == 0 or L.SHMLBA > PAGE  # 32-bit ARM: moved onto the placeholder
        with L.shmat(segment, 0, L.SHM.RDONLY) as ro:
            assert memoryview(ro).readonly and perms(ro.address) == "r--s"
            assert ro[9995:] == b"tail!" and L.shmctl(segment, L.IPC.STAT).shm_nattch == 2
            with pytest.raises(ValueError):  # a segment has a fixed size
                seg.mremap(20000)
        L.shmdt(seg)
        assert seg.closed
    ds = L.shmctl(segment, L.IPC.STAT)
    assert ds.shm_nattch == 0 and ds.shm_dtime >= ds.shm_atime > 0
    # IPC_SET: uid, gid and mode of an IpcPerm or ShmidDs
    assert L.shmctl(segment, L.IPC.SET, ds.shm_perm._replace(mode=0o640)) is None
    assert sysvipc(segment)["perms"] == 0o640
    L.shmctl(segment, L.IPC.SET, ds._replace(shm_perm=ds.shm_perm._replace(mode=0o604)))
    assert L.shmctl(segment, L.IPC.STAT).shm_perm.mode & 0o777 == sysvipc(segment)["perms"] == 0o604
    # a destroyed segment lives on while attached
    seg = L.shmat(segment)
    L.shmctl(segment, L.IPC.RMID)
    assert L.shmctl(segment, L.IPC.STAT).shm_perm.mode & L.SHM.DEST
    assert seg[9995:] == b"tail!"
    seg.close()
    assert sysvipc(segment) is None


def test_shm_across_fork(segment):
    seg = L.shmat(segment)
    try:
        r, w = L.pipe()

        def child():
            with L.shmat(segment) as mine:
                mine[:5] = b"child"
                nattch = L.shmctl(segment, L.IPC.STAT).shm_nattch
            L.write(w, str(nattch).encode())
        assert in_child(child) == 0
        with r, w:
            nattch = int(L.read(r, 10))
        assert nattch == 3  # ours, ours inherited by the child, the child's own
        assert seg[:5] == b"child"
        ds = L.shmctl(segment, L.IPC.STAT)
        assert ds.shm_nattch == 1 and ds.shm_lpid != os.getpid()  # the child detached last
    finally:
        seg.close()


def test_shm_segment_gc_detaches(segment):
    seg = L.shmat(segment)
    with pytest.warns(ResourceWarning, match="unclosed <ShmSegment"):
        del seg
        gc.collect()
    assert L.shmctl(segment, L.IPC.STAT).shm_nattch == 0


def test_shm_at_a_chosen_address(segment, reserved):
    addr = reserved
    with L.shmat(segment, addr, L.SHM.REMAP) as placed, L.shmat(segment) as seg:
        assert placed.address == addr and len(placed) == 10000
        with pytest.raises(ValueError):
            memoryview(placed)
        ctypes.memmove(addr, b"placed", 6)
        assert seg[:6] == b"placed" and L.shmctl(segment, "stat").shm_nattch == 2
        raises_errno(errno.EINVAL, L.shmat, segment, addr + PAGE // 2)  # unaligned, no SHM_RND
    assert L.shmctl(segment, L.IPC.STAT).shm_nattch == 0


def test_shm_stat_info_and_indices(segment):
    highest = L.shmctl(0, L.IPC.INFO)  # other processes' segments come and go meanwhile
    assert isinstance(highest, int) and highest >= 0 and L.shmctl(0, L.SHM.INFO) >= 0
    found = {}
    for index in range(highest + 1):
        with contextlib.suppress(OSError):
            shmid, ds = L.shmctl(index, L.SHM.STAT)
            found[shmid] = ds
    assert found[segment].shm_segsz == 10000
    buf = bytearray(ctypes.sizeof(ctypes.c_long) * 32)
    assert L.shmctl(segment, L.IPC.STAT, buf) == 0 and any(buf)
    assert L.shmctl(0, L.IPC.INFO, buf) >= 0
    shmmax, shmmin = struct.unpack_from("LL", buf)  # struct shminfo64
    assert shmmax >= 10000 and shmmin == 1
    with pytest.raises(ValueError):
        L.shmctl(segment, L.IPC.STAT, bytearray(8))


def test_shm_errors(segment):
    key = 0x4C53_0000 | os.getpid() & 0xFFFF
    raises_errno(errno.ENOENT, L.shmget, key, PAGE)
    shmid = L.shmget(key, PAGE, "creat|excl")
    try:
        assert L.shmget(key, PAGE) == shmid and L.shmget(key, 0) == shmid
        assert L.shmctl(shmid, L.IPC.STAT).shm_perm.key == key
        raises_errno(errno.EEXIST, L.shmget, key, PAGE, L.IPC.CREAT | L.IPC.EXCL)
        raises_errno(errno.EINVAL, L.shmget, key, 2 * PAGE)  # larger than the segment
    finally:
        L.shmctl(shmid, L.IPC.RMID)
    raises_errno(errno.EINVAL, L.shmget, L.IPC.PRIVATE, 0, L.IPC.CREAT)
    raises_errno(errno.EINVAL, L.shmat, -1)
    raises_errno(errno.EINVAL, L.shmctl, segment, 9999)
    raises_errno(errno.EINVAL, L.shmctl, -1, L.IPC.STAT)
    raises_errno(errno.EINVAL, L.shmdt, PAGE + 1)
    with pytest.raises(TypeError):
        L.shmctl(segment, L.IPC.SET)
    with pytest.raises(ValueError):
        L.shmget(1 << 32, PAGE)

    def nobody():
        raises_errno(errno.EACCES, L.shmat, segment)
        raises_errno(errno.EACCES, L.shmctl, segment, L.IPC.STAT)
        raises_errno(errno.EPERM, L.shmctl, segment, L.IPC.RMID)
    assert as_nobody(nobody) == 0
