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
from linuxsys import _sys_memory, memory
from conftest import (EMULATED, as_nobody, in_child, qemu_may_lack, raises_errno, record_native_calls,
                      requires_root)

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
    """The SHMLBA-aligned start of 8 free pages to place mappings in (MAP.FIXED): reserved,
    then unmapped (nothing else maps there meanwhile: the tests run one thread)."""
    start = free_pages()
    yield start
    assert vma(start) is None or vma(start)[0] >= start + 8 * PAGE, "a test left a mapping"


def free_pages():
    """The SHMLBA-aligned start of 8 pages that were free a moment ago (see reserved)."""
    with L.mmap(0, 8 * PAGE + L.SHMLBA, L.PROT.NONE, PRIVATE) as res:
        return -(-res.address // L.SHMLBA) * L.SHMLBA


def _libc_mmap():
    fn = ctypes.CDLL(None, use_errno=True).mmap
    fn.restype = ctypes.c_void_p
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                   ctypes.c_long]
    return fn


def libc_mmap(length, prot=L.PROT.NONE):
    """Memory mapped past linuxsys (the C library's mmap): no Mapping, raw forms only."""
    addr = _libc_mmap()(None, length, int(prot), int(PRIVATE), -1, 0)
    assert addr not in (None, ctypes.c_void_p(-1).value)
    return addr


def occupied(addr, length):
    """Whether anything is mapped in addr..addr+length, asked with the C library's
    MAP_FIXED_NOREPLACE (EEXIST, or another address where it is only a hint: qemu-user 7.2
    for a 32-bit guest): unlike /proc/self/maps, qemu-user answers it truly for a 32-bit
    guest's PROT_NONE reservations."""
    got = _libc_mmap()(addr, length, 0, int(PRIVATE | L.MAP.FIXED_NOREPLACE), -1, 0)
    if got in (None, ctypes.c_void_p(-1).value):
        assert ctypes.get_errno() == errno.EEXIST
        return True
    libc_munmap(got, length)
    return got != addr


def libc_munmap(addr, length):
    assert ctypes.CDLL(None).munmap(ctypes.c_void_p(addr), ctypes.c_size_t(length)) == 0


@pytest.fixture
def segment():
    """A private 10000-byte SysV segment (mode 0600), removed afterwards."""
    shmid = L.shmget(L.IPC.PRIVATE, 10000, L.IPC.CREAT | 0o600)
    try:
        yield shmid
    finally:
        with contextlib.suppress(OSError):
            L.shmctl(shmid, L.IPC_CMD.RMID)
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
    assert (L.IPC_CMD.RMID, L.IPC_CMD.SET, L.IPC_CMD.STAT, L.IPC_CMD.INFO) == (0, 1, 2, 3)
    assert (L.SHM.RDONLY, L.SHM.RND, L.SHM.REMAP, L.SHM.EXEC) == (0o10000, 0o20000, 0o40000,
                                                                   0o100000)
    assert (L.SHM_GET.HUGETLB, L.SHM_GET.NORESERVE) == (0o4000, 0o10000)
    assert (L.SHM_CMD.LOCK, L.SHM_CMD.UNLOCK, L.SHM_CMD.STAT, L.SHM_CMD.INFO,
            L.SHM_CMD.STAT_ANY) == (11, 12, 13, 14, 15)
    assert (L.SHM_DEST, L.SHM_LOCKED) == (0o1000, 0o2000)
    assert L.SHMLBA == (4 * PAGE if L.ARCH.startswith("arm") else PAGE)
    assert all(getattr(L, name) is getattr(memory, name) for name in memory.__all__)


def test_ipc_and_shm_namespaces_one_per_argument():
    """Commands apart from flags, and each call's flags apart: SHM_RDONLY (shmat) and
    SHM_NORESERVE (shmget) share a value, IPC_STAT and SHM_STAT a stripped name."""
    assert "PRIVATE" not in L.IPC.__members__ and "RMID" not in L.IPC.__members__
    assert set(L.IPC.__members__) == {"CREAT", "EXCL", "NOWAIT"}
    assert set(L.SHM.__members__) == {"RDONLY", "RND", "REMAP", "EXEC"}
    assert repr(L.SHM(0o10000)) == "<SHM.RDONLY: 4096>"
    assert repr(L.SHM_GET(0o10000)) == "<SHM_GET.NORESERVE: 4096>"
    assert (L.IPC_STAT, L.SHM_STAT, L.SHM_HUGETLB, L.SHM_RDONLY) == (2, 13, 0o4000, 0o10000)
    # a wrong namespace's member is refused before any syscall
    with pytest.raises(TypeError):
        L.shmctl(0, L.IPC.CREAT)
    with pytest.raises(TypeError):
        L.shmget(L.IPC.PRIVATE, PAGE, L.IPC_CMD.STAT)
    with pytest.raises(TypeError):
        L.shmat(0, 0, L.SHM_GET.NORESERVE)
    with pytest.raises(TypeError):
        L.shmat(0, 0, L.IPC.CREAT)
    with pytest.raises(ValueError, match="IPC_CMD/SHM_CMD"):
        L.shmctl(0, "bogus")


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
        with pytest.raises(TypeError):  # as mmap.mmap: resize() is in place (mremap moves)
            r.resize(PAGE // 2)
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
        # a live Mapping there: refused before any syscall, whatever the placement flag
        for flag in (L.MAP.FIXED, L.MAP.FIXED_NOREPLACE):
            with pytest.raises(ValueError, match="overlaps the live <Mapping"):
                L.mmap(addr - PAGE, 2 * PAGE, RW, PRIVATE | flag)
        assert at(addr, 5) == b"fixed"
    assert vma(addr) is None
    with L.mmap(addr, PAGE, RW, PRIVATE | L.MAP.FIXED_NOREPLACE) as m:
        assert m.address == addr and at(addr, 5) == bytes(5)
    raises_errno(errno.EINVAL, L.mmap, addr + 1, PAGE, RW, PRIVATE | L.MAP.FIXED)


def test_mmap_fixed_never_replaces_memory():
    """Defect 4: MAP.FIXED over memory that is not a Mapping (here the C library's, in real
    life Python's heap) takes MAP_FIXED_NOREPLACE semantics: EEXIST, the memory untouched
    (emulated where the kernel, or qemu-user, takes NOREPLACE for a hint)."""
    raw = libc_mmap(2 * PAGE, RW)
    try:
        ctypes.memmove(raw, b"precious", 8)
        for flag in (L.MAP.FIXED, L.MAP.FIXED_NOREPLACE, L.MAP.FIXED | L.MAP.FIXED_NOREPLACE):
            raises_errno(errno.EEXIST, L.mmap, raw + PAGE, PAGE, RW, PRIVATE | flag)
            raises_errno(errno.EEXIST, L.mmap, raw, PAGE, L.PROT.NONE, PRIVATE | flag)
        assert at(raw, 8) == b"precious" and perms(raw) == "rw-p"
    finally:
        libc_munmap(raw, 2 * PAGE)
    # a kernel before 4.17 takes MAP_FIXED_NOREPLACE for a hint and maps elsewhere: that
    # mapping is unmapped again, and the answer is EEXIST all the same
    real, placed = memory._mmap, []

    def hint_only(addr, length, prot, flags, fd, offset, out):
        r = real(addr, length, prot, flags & ~L.MAP.FIXED_NOREPLACE, fd, offset, out)
        placed.append(out[0])
        return r
    raw = libc_mmap(PAGE, RW)
    memory._mmap = hint_only
    try:
        raises_errno(errno.EEXIST, L.mmap, raw, PAGE, RW, PRIVATE | L.MAP.FIXED)
    finally:
        memory._mmap = real
        libc_munmap(raw, PAGE)
    assert placed[0] != raw and vma(placed[0]) is None


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
        L.fcntl(memfd, L.F.ADD_SEALS, L.F_SEAL.WRITE)
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
        assert L.mincore(m, None) == m.mincore() == L.mincore(m, 4 * PAGE)
        assert m.mincore(2 * PAGE, PAGE)[0] & 1 and L.mincore(m, PAGE) == m.mincore()[:1]
        m.madvise(L.MADV.DONTNEED, 0, PAGE)
        assert m.mincore()[0] & 1 == 0 and m[0] == 0 and m[2 * PAGE] == 1
        raises_errno(errno.EINVAL, m.mincore, 1, PAGE)  # not page aligned
        addr = m.address
    raises_errno(errno.ENOMEM, L.mincore, addr, PAGE)  # unmapped now


def test_madvise():
    with L.mmap(0, 2 * PAGE, flags=PRIVATE) as m:
        m.madvise(L.MADV.WILLNEED)
        L.madvise(m, None, "dontdump")
        L.madvise(m, PAGE, L.MADV.RANDOM)
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
            raises_errno(errno.EINVAL, m.madvise, L.MADV.NORMAL, 1, PAGE)
            raises_errno(errno.EINVAL, m.madvise, L.MADV.REMOVE)  # private: nothing to punch
    with L.mmap(0, PAGE, L.PROT.NONE, PRIVATE) as n:  # no buffer: any advice
        n.madvise(L.MADV.DONTFORK)
        if not EMULATED:
            assert "dc" in smaps(n.address)["VmFlags"]
            raises_errno(errno.EINVAL, n.madvise, 9999)
    with L.mmap(0, PAGE) as s:
        s[0] = 9
        s.madvise(L.MADV.REMOVE)  # shared: the page is punched out of the shmem object
        assert s[0] == 0 or EMULATED


def test_msync(datafile):
    with L.mmap(0, PAGE, RW, L.MAP.SHARED, datafile) as m:
        m[:2] = b"ms"
        m.msync(L.MSYNC.SYNC)
        L.msync(m, None)
        L.msync(m, PAGE, "async")
        raises_errno(errno.EINVAL, m.msync, L.MS_SYNC | L.MS_ASYNC)
        raises_errno(errno.EINVAL, m.msync, L.MS_SYNC, 1, PAGE - 1)  # not page aligned
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
        L.munlock(m, 4 * PAGE)
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
        raises_errno(errno.EINVAL, L.mlock2, m, PAGE, 0x100)
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
        L.mlockall(flags="current|onfault")
        L.munlockall()
    assert in_child(child) == 0


def test_mlockall_munlockall_are_declarations():
    """Issue 8: both come from their SYSCALL(...) lines (linuxsys/_sys_memory.py)."""
    import linuxsys.__main__ as M
    assert _sys_memory.__all__ == ["mlockall", "munlockall"]
    for name in _sys_memory.__all__:
        assert getattr(L, name) is getattr(memory, name) is getattr(_sys_memory, name)
        assert M.PROBES["memory"][name] == _sys_memory.PROBES[name]
    assert "(man 2 mlockall)" in " ".join(L.mlockall.__doc__.split())


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
    with L.mmap(base + 7 * PAGE, PAGE, L.PROT.NONE, PRIVATE | L.MAP.FIXED) as blocker, \
            L.mmap(base, PAGE, RW, PRIVATE | L.MAP.FIXED) as m:
        ctypes.memmove(base, b"moved", 5)
        assert m.mremap(PAGE, L.MREMAP.MAYMOVE | L.MREMAP.FIXED, base + 4 * PAGE) is m
        assert m.address == base + 4 * PAGE and at(m.address, 5) == b"moved"
        assert vma(base) is None and perms(m.address) == "rw-p"
        if not EMULATED:  # qemu-user 7.2 keeps a 32-bit guest's freed pages reserved
            m.mremap(2 * PAGE, 0)  # in place: the next page is free
            assert m.address == base + 4 * PAGE and len(m) == 2 * PAGE
        raises_errno(errno.ENOMEM, m.mremap, 16 * PAGE, 0)  # would need to move: the blocker
        # bare addresses (memory linuxsys did not map): the raw call, the new address back
        raw = libc_mmap(PAGE, RW)
        ctypes.memmove(raw, b"raw", 3)
        # (qemu-user may hand out the page m just left: then another free one)
        dest = base if raw != base else base + 2 * PAGE
        assert L.mremap(raw, PAGE, PAGE, L.MREMAP.MAYMOVE | L.MREMAP.FIXED, dest) == dest
        assert at(dest, 3) == b"raw"
        if not EMULATED:  # qemu-user 7.2 keeps a 32-bit guest's freed pages reserved
            raises_errno(errno.EFAULT, L.mremap, raw, PAGE, PAGE, L.MREMAP.MAYMOVE)
        raises_errno(errno.EINVAL, L.mremap, dest + 1, PAGE, PAGE)
        # ... but not from or onto a live Mapping
        with pytest.raises(ValueError, match="overlaps the live"):
            L.mremap(m.address, len(m), len(m), L.MREMAP.MAYMOVE | L.MREMAP.FIXED, dest)
        with pytest.raises(ValueError, match="overlaps the live"):
            L.mremap(dest, PAGE, PAGE, L.MREMAP.MAYMOVE | L.MREMAP.FIXED, blocker.address)
        L.munmap(dest, PAGE)
        assert at(m.address, 5) == b"moved"


def test_mremap_fixed_never_replaces():
    """Defect 4: Mapping.mremap(MREMAP.FIXED) reserves the destination first (as
    MAP_FIXED_NOREPLACE), so memory that is there is never unmapped under its owner."""
    raw = libc_mmap(PAGE, RW)
    base = free_pages()  # after raw: qemu-user's allocator would hand raw the freed hole
    ctypes.memmove(raw, b"precious", 8)
    moving = L.MREMAP.MAYMOVE | L.MREMAP.FIXED
    try:
        with L.mmap(base, PAGE, L.PROT.NONE, PRIVATE | L.MAP.FIXED) as m, \
                L.mmap(base + 2 * PAGE, PAGE, L.PROT.NONE, PRIVATE | L.MAP.FIXED) as other:
            raises_errno(errno.EEXIST, m.mremap, PAGE, moving, raw)
            assert at(raw, 8) == b"precious" and m.address == base and perms(base) == "---p"
            with pytest.raises(ValueError, match="overlaps the live <Mapping"):
                m.mremap(PAGE, moving, other.address)
            with pytest.raises(ValueError, match="overlaps the live"):  # itself
                m.mremap(2 * PAGE, moving, base + PAGE)
            # the kernel's own EINVALs, answered before anything is reserved
            for size, flags, dest in ((PAGE, moving, base + 4 * PAGE + 1),
                                      (PAGE, L.MREMAP.FIXED, base + 4 * PAGE),
                                      (PAGE, moving | 0x100, base + 4 * PAGE),
                                      (0, moving, base + 4 * PAGE),
                                      (2 * PAGE, moving | L.MREMAP.DONTUNMAP, base + 4 * PAGE)):
                raises_errno(errno.EINVAL, m.mremap, size, flags, dest)
                assert vma(base + 4 * PAGE) is None
            # a failure after the kernel unmapped the reservation: the hole is freed again
            real = memory._mremap

            def late_failure(old, old_len, new_len, flags, new, out):
                assert occupied(new, new_len)  # the reservation
                L.munmap(new, new_len)
                return -errno.ENOMEM
            memory._mremap = late_failure
            try:
                raises_errno(errno.ENOMEM, m.mremap, PAGE, moving, base + 4 * PAGE)
            finally:
                memory._mremap = real
            assert vma(base + 4 * PAGE) is None and m.address == base
            if not EMULATED:  # qemu-user 7.2 keeps a 32-bit guest's freed pages reserved
                assert m.mremap(PAGE, moving, base + 4 * PAGE) is m
                assert m.address == base + 4 * PAGE and vma(base) is None
    finally:
        libc_munmap(raw, PAGE)
    assert vma(base) is None or vma(base)[0] >= base + 8 * PAGE, "a mapping was left"


def test_mremap_read_only_buffers_move(datafile):
    """Defect 10: CPython resizes no read-only mmap.mmap, but Linux remaps it: the pages move
    onto a new Mapping, returned; the old one is closed."""
    for flags in (L.MAP.SHARED, L.MAP.PRIVATE):
        r = L.mmap(0, PAGE, L.PROT.READ, flags, datafile)
        old = r.address
        view = memoryview(r)
        with pytest.raises(BufferError):  # exported: nothing moves
            r.mremap(2 * PAGE)
        assert not r.closed and view[:4] == bytes(range(4))
        view.release()
        moved = r.mremap(2 * PAGE)
        with moved:
            assert r.closed and moved is not r and isinstance(moved, L.Mapping)
            assert len(moved) == 2 * PAGE and memoryview(moved).readonly
            assert moved[:4] == bytes(range(4)) and moved[PAGE:PAGE + 4] == bytes(range(4))
            assert perms(moved.address) == ("r--s" if flags == L.MAP.SHARED else "r--p")
            assert vma(old) is None or moved.address == old  # nothing left behind
            with pytest.raises(ValueError, match="SIGBUS"):  # past the end of the file
                moved.mremap(4 * PAGE)
            smaller = L.mremap(moved, None, PAGE // 2, L.MREMAP.MAYMOVE)
            assert moved.closed and len(smaller) == PAGE // 2 and smaller[:4] == bytes(range(4))
            smaller.close()
    # anonymous: shared (a shmem object: no growth) and private (grows with zeros)
    with L.mmap(0, 2 * PAGE, L.PROT.READ) as r:
        with r.mremap(PAGE) as shrunk:
            assert len(shrunk) == PAGE and shrunk[:] == bytes(PAGE)
            with pytest.raises(ValueError, match="SIGBUS"):  # past the shmem object
                shrunk.mremap(3 * PAGE)
    r = L.mmap(0, PAGE, L.PROT.READ, PRIVATE)
    with r.mremap(8 * PAGE) as grown:
        assert grown[:] == bytes(8 * PAGE) and memoryview(grown).readonly
        again = L.mremap(grown, None, 8 * PAGE, "maymove")  # even the same size moves
        assert again is not grown and grown.closed
        again.close()
    shmid = L.shmget(L.IPC.PRIVATE, PAGE, L.IPC.CREAT | 0o600)
    try:
        with L.shmat(shmid, 0, L.SHM.RDONLY) as seg, seg.mremap(PAGE // 2) as half:
            assert isinstance(half, L.ShmSegment) and half.shmid == shmid and seg.closed
            assert L.shmctl(shmid, L.IPC_CMD.STAT).shm_nattch == 1
    finally:
        L.shmctl(shmid, L.IPC_CMD.RMID)


def test_raw_address_forms():
    """The bare address forms on memory linuxsys did not map (the C library's)."""
    raw = libc_mmap(2 * PAGE)
    try:
        L.mprotect(raw, PAGE, RW)
        assert perms(raw) == "rw-p" and perms(raw + PAGE) == "---p"
        ctypes.memmove(raw, b"x", 1)
        assert L.mincore(raw, PAGE) == b"\1"
        L.madvise(raw, PAGE, L.MADV.DONTNEED)
        assert L.mincore(raw, PAGE) == b"\0" and at(raw, 1) == b"\0"
        if not EMULATED:  # qemu-user's mincore wants readable pages
            assert L.mincore(raw, 2 * PAGE) == b"\1\0"
        L.msync(raw, PAGE, L.MSYNC.ASYNC)
        L.mlock(raw, PAGE)
        L.munlock(raw, PAGE)
        L.munmap(raw + PAGE, PAGE)
        assert vma(raw + PAGE) is None and perms(raw) == "rw-p"
        raises_errno(errno.EINVAL, L.munmap, raw + 1, PAGE)
        raises_errno(errno.EINVAL, L.mprotect, raw, PAGE, 0x100)
        raises_errno(errno.EINVAL, L.mprotect, raw + 1, PAGE, RW)
        if not EMULATED:  # qemu-user 7.2 keeps a 32-bit guest's freed pages reserved
            raises_errno(errno.ENOMEM, L.mprotect, raw + PAGE, PAGE, RW)
        with pytest.raises(TypeError):
            L.munmap(raw)  # a bare address needs its length
    finally:
        libc_munmap(raw, PAGE)
    with L.mmap(0, PAGE) as m:
        with pytest.raises(ValueError):
            L.munmap(m, PAGE // 2)  # a Mapping goes whole


def _refused_under_live_mappings():
    m = L.mmap(0, 2 * PAGE, flags=PRIVATE)
    n = L.mmap(0, PAGE, L.PROT.NONE, PRIVATE)  # no buffer: as live
    m[0] = 7
    raw = libc_mmap(PAGE)
    for mapping in (m, n):
        a = mapping.address
        for call in (lambda: L.munmap(a, len(mapping)), lambda: L.munmap(a + 1, 1),
                     lambda: L.munmap(a - PAGE, 2 * PAGE), lambda: L.mprotect(a, PAGE, 0),
                     lambda: L.madvise(a, PAGE, L.MADV.DONTNEED), lambda: L.msync(a, PAGE),
                     lambda: L.mlock(a, PAGE), lambda: L.mlock2(a, PAGE, "onfault"),
                     lambda: L.munlock(a, PAGE), lambda: L.mincore(a, PAGE),
                     lambda: L.mremap(a, PAGE, 2 * PAGE, L.MREMAP.MAYMOVE),
                     lambda: L.mremap(raw, PAGE, PAGE, L.MREMAP.MAYMOVE | L.MREMAP.FIXED, a),
                     lambda: L.mmap(a, PAGE, RW, PRIVATE | L.MAP.FIXED),
                     lambda: L.shmdt(a + PAGE // 2),
                     lambda: L.pkey_mprotect(a, PAGE, 0, -1), lambda: L.mseal(a, PAGE),
                     lambda: L.mbind(a, PAGE, L.MPOL.BIND, {0}),
                     lambda: L.set_mempolicy_home_node(a, PAGE, 0)):
            with pytest.raises(ValueError, match="overlaps the live"):
                call()
    assert m[0] == 7 and memoryview(m)[0] == 7 and perms(m.address) == "rw-p"
    assert perms(n.address) == "---p" and perms(raw) == "---p"
    libc_munmap(raw, PAGE)
    m.close()
    n.close()


def test_raw_address_forms_refuse_a_live_mapping():
    """Defect 4: munmap(m.address, ...) under a live Mapping, then m[0], was SIGSEGV: every
    raw address form now refuses the range before the syscall (in a child: a regression
    crashes it, not the test run)."""
    assert in_child(_refused_under_live_mappings) == 0


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
    ds = L.shmctl(segment, L.IPC_CMD.STAT)
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
            assert ro[9995:] == b"tail!" and L.shmctl(segment, L.IPC_CMD.STAT).shm_nattch == 2
            with pytest.raises(ValueError):  # a segment has a fixed size
                seg.mremap(20000)
        L.shmdt(seg)
        assert seg.closed
    ds = L.shmctl(segment, L.IPC_CMD.STAT)
    assert ds.shm_nattch == 0 and ds.shm_dtime >= ds.shm_atime > 0
    # IPC_SET: uid, gid and mode of an IpcPerm or ShmidDs
    assert L.shmctl(segment, L.IPC_CMD.SET, ds.shm_perm._replace(mode=0o640)) is None
    assert sysvipc(segment)["perms"] == 0o640
    L.shmctl(segment, L.IPC_CMD.SET, ds._replace(shm_perm=ds.shm_perm._replace(mode=0o604)))
    assert (L.shmctl(segment, L.IPC_CMD.STAT).shm_perm.mode & 0o777 == sysvipc(segment)["perms"]
            == 0o604)
    # a destroyed segment lives on while attached
    seg = L.shmat(segment)
    L.shmctl(segment, L.IPC_CMD.RMID)
    assert L.shmctl(segment, L.IPC_CMD.STAT).shm_perm.mode & L.SHM_DEST
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
                nattch = L.shmctl(segment, L.IPC_CMD.STAT).shm_nattch
            L.write(w, str(nattch).encode())
        assert in_child(child) == 0
        with r, w:
            nattch = int(L.read(r, 10))
        assert nattch == 3  # ours, ours inherited by the child, the child's own
        assert seg[:5] == b"child"
        ds = L.shmctl(segment, L.IPC_CMD.STAT)
        assert ds.shm_nattch == 1 and ds.shm_lpid != os.getpid()  # the child detached last
    finally:
        seg.close()


def test_shm_segment_gc_detaches(segment):
    seg = L.shmat(segment)
    with pytest.warns(ResourceWarning, match="unclosed <ShmSegment"):
        del seg
        gc.collect()
    assert L.shmctl(segment, L.IPC_CMD.STAT).shm_nattch == 0


def test_shm_at_a_chosen_address(segment, reserved):
    addr = reserved
    with L.shmat(segment, addr, L.SHM.REMAP) as placed, L.shmat(segment) as seg:
        assert placed.address == addr and len(placed) == 10000
        with pytest.raises(ValueError):
            memoryview(placed)
        ctypes.memmove(addr, b"placed", 6)
        assert seg[:6] == b"placed" and L.shmctl(segment, "stat").shm_nattch == 2
        raises_errno(errno.EINVAL, L.shmat, segment, addr + PAGE // 2)  # unaligned, no SHM_RND
        # SHM_REMAP replaces what is mapped there: never a live Mapping (SHM_RND rounds first)
        for where, flags in ((seg.address, L.SHM.REMAP), (addr, "remap|rdonly"),
                             (addr + 1, L.SHM.REMAP | L.SHM.RND)):
            with pytest.raises(ValueError, match="overlaps the live <ShmSegment"):
                L.shmat(segment, where, flags)
        raises_errno(errno.EINVAL, L.shmat, segment, seg.address)  # no SHM_REMAP: the kernel's
        assert L.shmctl(segment, "stat").shm_nattch == 2 and seg[:6] == b"placed"
    assert L.shmctl(segment, L.IPC_CMD.STAT).shm_nattch == 0


def test_shm_stat_info_and_indices(segment):
    highest = L.shmctl(0, L.IPC_CMD.INFO)  # other processes' segments come and go meanwhile
    assert isinstance(highest, int) and highest >= 0 and L.shmctl(0, L.SHM_CMD.INFO) >= 0
    assert L.shmctl(0, "ipc_info") >= 0 and L.shmctl(0, "shm_info") >= 0
    found, indices = {}, {}
    for index in range(highest + 1):
        with contextlib.suppress(OSError):
            shmid, ds = L.shmctl(index, L.SHM_CMD.STAT)
            found[shmid], indices[shmid] = ds, index
    assert found[segment].shm_segsz == 10000
    # names: bare ones are IPC_CMD's first ("stat" is IPC_STAT), SHM_CMD's with their prefix
    assert L.shmctl(segment, "stat") == L.shmctl(segment, L.IPC_CMD.STAT)
    assert L.shmctl(indices[segment], "shm_stat")[0] == segment
    if hasattr(L.SHM_CMD, "STAT_ANY") and not EMULATED:  # qemu-user: EINVAL
        assert L.shmctl(indices[segment], L.SHM_CMD.STAT_ANY)[0] == segment
    buf = bytearray(ctypes.sizeof(ctypes.c_long) * 32)
    assert L.shmctl(segment, L.IPC_CMD.STAT, buf) == 0 and any(buf)
    assert L.shmctl(0, L.IPC_CMD.INFO, buf) >= 0
    shmmax, shmmin = struct.unpack_from("LL", buf)  # struct shminfo64
    assert shmmax >= 10000 and shmmin == 1
    with pytest.raises(ValueError):
        L.shmctl(segment, L.IPC_CMD.STAT, bytearray(8))


def test_shm_errors(segment):
    key = 0x4C53_0000 | os.getpid() & 0xFFFF
    raises_errno(errno.ENOENT, L.shmget, key, PAGE)
    shmid = L.shmget(key, PAGE, "creat|excl")
    try:
        assert L.shmget(key, PAGE) == shmid and L.shmget(key, 0) == shmid
        assert L.shmctl(shmid, L.IPC_CMD.STAT).shm_perm.key == key
        raises_errno(errno.EEXIST, L.shmget, key, PAGE, L.IPC.CREAT | L.IPC.EXCL)
        raises_errno(errno.EINVAL, L.shmget, key, 2 * PAGE)  # larger than the segment
    finally:
        L.shmctl(shmid, L.IPC_CMD.RMID)
    raises_errno(errno.EINVAL, L.shmget, L.IPC.PRIVATE, 0, L.IPC.CREAT)
    raises_errno(errno.EINVAL, L.shmat, -1)
    raises_errno(errno.EINVAL, L.shmctl, segment, 9999)
    raises_errno(errno.EINVAL, L.shmctl, -1, L.IPC_CMD.STAT)
    raises_errno(errno.EINVAL, L.shmdt, PAGE + 1)
    with pytest.raises(TypeError):
        L.shmctl(segment, L.IPC_CMD.SET)
    with pytest.raises(ValueError):
        L.shmget(1 << 32, PAGE)

    def nobody():
        raises_errno(errno.EACCES, L.shmat, segment)
        raises_errno(errno.EACCES, L.shmctl, segment, L.IPC_CMD.STAT)
        raises_errno(errno.EPERM, L.shmctl, segment, L.IPC_CMD.RMID)
    assert as_nobody(nobody) == 0


# ---- hardening (issue 7) -------------------------------------------------------------------

@pytest.fixture
def native_calls(monkeypatch):
    """The calls of memory.py's native helpers (and its generated module's) that reach C."""
    return record_native_calls(monkeypatch, memory, _sys_memory)


@pytest.mark.parametrize("call, exc", [
    (lambda s: L.shmat(s, 0, 2**31), OverflowError),  # issue 7, defect 8
    (lambda s: L.shmat(s, 0, -2**31 - 1), OverflowError),
    (lambda s: L.shmat(s, -1), ValueError),
    (lambda s: L.shmat(s, None, "rdonly|bogus"), ValueError),
    (lambda s: L.shmat(None), TypeError),
    (lambda s: L.shmat(2**31), OverflowError),
    (lambda s: L.shmctl(s, 2**31), OverflowError),
    (lambda s: L.shmctl(s, None), TypeError),
    (lambda s: L.shmctl(s, L.IPC_CMD.STAT, bytearray(8)), ValueError),
    (lambda s: L.shmctl(s, L.IPC_CMD.STAT, b"x" * 4096), TypeError),
    (lambda s: L.shmget(L.IPC.PRIVATE, PAGE, 2**31), OverflowError),
    (lambda s: L.shmdt("0"), TypeError),
    (lambda s: L.mmap(0, PAGE, 2**31), OverflowError),
    (lambda s: L.mmap(0, PAGE, RW, 2**32), OverflowError),
    (lambda s: L.mmap(0, PAGE, RW, L.MAP.SHARED, "bogus"), ValueError),
    (lambda s: L.mmap(0, PAGE, RW, L.MAP.SHARED, None), TypeError),
    (lambda s: L.mmap(0, PAGE, offset=2**63), OverflowError),
    (lambda s: L.mmap(0, PAGE, L.O.RDONLY), TypeError),  # another namespace's member
    (lambda s: L.munmap(PAGE, None), TypeError),
    (lambda s: L.mprotect(PAGE, PAGE, 2**31), OverflowError),
    (lambda s: L.madvise(PAGE, PAGE, L.MAP.SHARED), TypeError),
    (lambda s: L.msync(PAGE, PAGE, L.MS_SYNC << 40), OverflowError),
    (lambda s: L.mlock2(PAGE, PAGE, -1), OverflowError),
    (lambda s: L.mremap(PAGE, PAGE, PAGE, 2**31), OverflowError),
    (lambda s: L.mremap(PAGE, PAGE, PAGE, 0, -1), ValueError),
    (lambda s: L.mlockall(2**31), OverflowError),
    (lambda s: L.mlockall("current|bogus"), ValueError),
    (lambda s: L.mlockall(L.MLOCK.ONFAULT), TypeError),  # mlock2's flag, not MCL's
    (lambda s: L.memfd_secret(-1), OverflowError),
    (lambda s: L.process_madvise(0, [], L.MADV.COLD, 2**32), OverflowError),
    (lambda s: L.process_madvise(None, [], L.MADV.COLD), TypeError),
    (lambda s: L.process_madvise(0, [(PAGE, -1)], L.MADV.COLD), ValueError),
    (lambda s: L.pkey_alloc(-1), OverflowError),
    (lambda s: L.pkey_alloc(0, L.MPOL.BIND), TypeError),
    (lambda s: L.pkey_free(2**31), OverflowError),
    (lambda s: L.pkey_mprotect(PAGE, PAGE, L.PROT.READ, 2**31), OverflowError),
    (lambda s: L.mseal(PAGE, PAGE, -1), OverflowError),
    (lambda s: L.mbind(PAGE, PAGE, L.MPOL.BIND, {-1}), ValueError),
    (lambda s: L.mbind(PAGE, PAGE, L.MPOL.BIND, {0}, 2**32), OverflowError),
    (lambda s: L.mbind(PAGE, PAGE, L.MADV.NORMAL, {0}), TypeError),
    (lambda s: L.set_mempolicy(L.MPOL.BIND, {40000}), ValueError),
    (lambda s: L.set_mempolicy(L.MPOL.BIND, ["0"]), TypeError),
    (lambda s: L.set_mempolicy(L.MPOL.BIND, -1), ValueError),
    (lambda s: L.set_mempolicy("bind|bogus"), ValueError),
    (lambda s: L.get_mempolicy(flags=L.MPOL_MF.MOVE), TypeError),
    (lambda s: L.get_mempolicy(-1), ValueError),
    (lambda s: L.migrate_pages(0, {0}, 1 << 40000), ValueError),
    (lambda s: L.move_pages(0, [PAGE], [0, 0]), ValueError),
    (lambda s: L.move_pages(0, [-PAGE]), ValueError),
    (lambda s: L.move_pages(2**31, [PAGE]), OverflowError),
    (lambda s: L.set_mempolicy_home_node(PAGE, PAGE, -1), OverflowError),
])
def test_arguments_checked_before_any_syscall(segment, native_calls, call, exc):
    """Issue 7, defect 8: shmat(id, flags=2**31) asked IPC_STAT and mapped a placeholder
    before cffi refused the flags; now every argument is checked first."""
    live = len(memory._live())
    with pytest.raises(exc):
        call(segment)
    assert native_calls == [] and len(memory._live()) == live
    assert L.shmctl(segment, L.IPC_CMD.STAT).shm_nattch == 0


def test_mapping_methods_check_arguments_first(native_calls):
    with L.mmap(0, PAGE, L.PROT.NONE, PRIVATE) as m:
        del native_calls[:]
        for call, exc in ((lambda: m.mprotect(2**31), OverflowError),
                          (lambda: m.madvise(L.PROT.READ), TypeError),
                          (lambda: m.msync(2**40), OverflowError),
                          (lambda: m.mlock(-1), OverflowError),
                          (lambda: m.mremap(PAGE, 2**31), OverflowError),
                          (lambda: m.mremap(PAGE, L.MREMAP.MAYMOVE, -PAGE), ValueError),
                          (lambda: m.mremap(None), TypeError),
                          (lambda: m.pkey_mprotect(L.PROT.READ, 2**31), OverflowError),
                          (lambda: m.mseal(-1), OverflowError),
                          (lambda: m.mbind(L.MPOL.BIND, {0}, 0, PAGE, PAGE), ValueError),
                          (lambda: m.set_mempolicy_home_node(0, 0, 0, 2 * PAGE), ValueError)):
            with pytest.raises(exc):
                call()
        assert native_calls == []


def _buffer_calls(segment):
    """The memory calls that view a caller's buffer, each failing in the kernel."""
    return [lambda b: L.shmctl(-1, L.IPC_CMD.STAT, b), lambda b: L.shmctl(segment, 9999, b)]


def test_buffer_released_when_a_call_fails(segment):
    """Issue 7, defect 2: a failed call kept the caller's buffer exported for as long as the
    exception lived (a bytearray then cannot grow; a memoryview's collection crashed)."""
    for call in _buffer_calls(segment):
        ba = bytearray(4096)
        try:
            call(ba)
        except OSError as e:
            err = e
        assert isinstance(err, OSError)
        ba.extend(b"x")  # BufferError while still exported
        short = bytearray(8)
        try:
            L.shmctl(segment, L.IPC_CMD.STAT, short)
        except ValueError as e:
            err = e
        short.extend(b"x")
        with L.mmap(0, PAGE) as m:  # a Mapping closes while the exception lives
            try:
                call(m)
            except OSError as e:
                err = e
        assert m.closed and err


def _exception_cycles(segment):
    def loop():
        for _ in range(1000):
            for call in _buffer_calls(segment):
                try:
                    call(memoryview(bytearray(4096)))
                except OSError as e:
                    err = e  # noqa: F841 (a cycle through the traceback)
        gc.collect()
    loop()
    gc.collect()


def test_exception_cycles_do_not_crash(segment):
    """The issue's reproducer, in a child: it died with SIGSEGV when the collector cleared
    the still-exported memoryview."""
    assert in_child(_exception_cycles, segment) == 0


def test_writable_buffers_only(segment):
    """Issue 7, defect 7: an ffi.from_buffer() view of bytes passed as writable."""
    data = bytes(4096)
    with pytest.raises(TypeError):
        L.shmctl(segment, L.IPC_CMD.STAT, L.ffi.from_buffer(data))
    with pytest.raises(TypeError):
        L.shmctl(segment, L.IPC_CMD.STAT, memoryview(bytearray(4096)).toreadonly())
    with pytest.raises(BufferError):
        L.shmctl(segment, L.IPC_CMD.STAT, memoryview(bytearray(8192))[::2])
    assert data == bytes(4096)
    cdata = L.ffi.new("char[]", 4096)  # linuxsys's own allocator's kind: writable
    assert L.shmctl(segment, L.IPC_CMD.STAT, cdata) == 0 and any(L.ffi.buffer(cdata))


def test_mincore_allocates_for_what_is_mapped():
    """Issue 7, defect 11: mincore's vector was allocated for the whole length first (a
    MemoryError for a huge one); it is filled in bounded steps now."""
    raw = libc_mmap(PAGE)
    try:
        raises_errno(errno.ENOMEM, L.mincore, raw, (1 << memory._WORD) - raw - PAGE)  # to the top
        raises_errno(errno.ENOMEM, L.mincore, raw, memory._MINCORE_SPAN + PAGE)
        if not EMULATED:  # qemu-user answers ENOMEM for a page of the C library's mmap
            assert L.mincore(raw, PAGE) == b"\0"
    finally:
        libc_munmap(raw, PAGE)
    # PROT_READ, not NONE: qemu-user answers ENOMEM for mincore over PROT_NONE pages.
    with L.mmap(0, memory._MINCORE_SPAN + 2 * PAGE, L.PROT.READ, PRIVATE) as m:
        m.mprotect(RW, memory._MINCORE_SPAN, PAGE)
        ctypes.memmove(m.address + memory._MINCORE_SPAN, b"x", 1)
        vec = m.mincore()
        assert len(vec) == memory._MINCORE_SPAN // PAGE + 2
        assert vec[-2] & 1 and not any(b & 1 for b in vec[:-2])


def test_fd_kept_alive_during_the_call(tmp_path):
    """Issue 7, defect 1: an Fd passed as the only reference stays open for the whole call
    (the garbage collector closes it afterwards, with its ResourceWarning)."""
    p = tmp_path / "f"
    p.write_bytes(b"mapped!" + bytes(PAGE))
    with pytest.warns(ResourceWarning):
        with L.mmap(0, PAGE, L.PROT.READ, L.MAP.SHARED, L.open(p)) as m:
            assert m[:7] == b"mapped!"
        gc.collect()
    with pytest.warns(ResourceWarning):
        with L.mmap(0, PAGE, L.PROT.READ, L.MAP.PRIVATE, L.open(p)) as m:  # the raw path
            assert m[:7] == b"mapped!"
        gc.collect()
    with L.mmap(0, PAGE, flags=PRIVATE) as m, pytest.warns(ResourceWarning):
        m[0] = 1
        assert qemu_may_lack(L.process_madvise, L.pidfd_open(os.getpid()), [m],
                             L.MADV.COLD) == PAGE
        assert L.pidfd_open(os.getpid()).process_madvise([m], "cold") == PAGE
        gc.collect()


def test_keyword_arguments_named_as_in_the_man_pages(segment):
    m = L.mmap(addr=0, length=PAGE, prot=RW, flags=PRIVATE, fd=-1, offset=0)
    L.mprotect(addr=m, len=None, prot=RW)
    L.madvise(addr=m, length=PAGE, advice=L.MADV.NORMAL)
    L.mlock2(addr=m, len=PAGE, flags=0)
    L.munlock(addr=m, len=PAGE)
    assert L.mincore(addr=m, length=PAGE) == m.mincore(0, PAGE)
    m = L.mremap(old_address=m, old_size=PAGE, new_size=2 * PAGE, flags=L.MREMAP.MAYMOVE)
    assert m.mremap(new_size=PAGE, flags="maymove", new_address=0) is m
    L.munmap(addr=m, length=PAGE)
    seg = L.shmat(shmid=segment, shmaddr=0, shmflg=L.SHM.RDONLY)
    L.shmdt(shmaddr=seg)
    key = 0x4C53_0001 | os.getpid() & 0xFFFF
    shmid = L.shmget(key=key, size=PAGE, shmflg=L.IPC.CREAT | L.SHM_GET.NORESERVE | 0o600)
    try:  # both namespaces combine either way round, and in strings
        assert L.shmget(key, PAGE, L.SHM_GET.NORESERVE | L.IPC.CREAT) == shmid
        assert L.shmget(key, PAGE, "creat|noreserve") == shmid
        assert L.shmctl(shmid=shmid, cmd=L.IPC_CMD.STAT, buf=None).shm_segsz == PAGE
    finally:
        L.shmctl(shmid, "rmid")


def _keywords_of_pkeys_and_numa():
    with L.mmap(addr=0, length=PAGE) as m:
        L.pkey_mprotect(addr=m, len=None, prot=RW, pkey=-1)
        m.pkey_mprotect(prot=RW, pkey=-1, start=0, length=None)
        L.mbind(addr=m, len=PAGE, mode=L.MPOL.DEFAULT, nodemask=None, flags=0)
        assert L.get_mempolicy(addr=m, flags=L.MPOL_F.ADDR) == (L.MPOL.DEFAULT, set())
        assert L.move_pages(pid=0, pages=m, nodes=None, flags=0) == [-errno.ENOENT]
        assert L.migrate_pages(pid=0, old_nodes={0}, new_nodes={0}) >= 0
        m.mbind(mode=L.MPOL.BIND, nodemask={0}, flags=0, start=0, length=PAGE)
        L.set_mempolicy_home_node(start=m, len=PAGE, home_node=0, flags=0)
        m.set_mempolicy_home_node(home_node=0, flags=0, start=0, length=PAGE)


def test_keyword_arguments_of_pkeys_and_numa():
    qemu_may_lack(_keywords_of_pkeys_and_numa)


def test_live_mapping_registry(segment):
    """What the raw forms check against: every live Mapping, weakly; gone on close, on garbage
    collection, and (a read-only buffer's old object) on mremap."""
    def live():
        return {id(m) for m in memory._live()}
    m = L.mmap(0, PAGE)
    n = L.mmap(0, PAGE, L.PROT.NONE, PRIVATE)
    r = L.mmap(0, PAGE, L.PROT.READ, PRIVATE)
    seg = L.shmat(segment)
    assert {id(m), id(n), id(r), id(seg)} <= live()
    m.close()
    seg.close()
    assert id(m) not in live() and id(seg) not in live()
    moved = r.mremap(2 * PAGE)
    assert id(r) not in live() and id(moved) in live()
    ids = id(n), id(moved)
    with pytest.warns(ResourceWarning):
        del n, moved
        gc.collect()
    assert not set(ids) & live()
    assert all(ref() is not None for ref in memory._LIVE)  # dead entries left the set


@pytest.mark.parametrize("call", ["munmap", "mprotect", "madvise", "msync", "mlock", "munlock",
                                  "mincore", "pkey_mprotect", "mseal", "mbind",
                                  "set_mempolicy_home_node"])
def test_raw_address_calls_refuse_none(call):
    """None is no address (the fuzz found munmap(None, 2**31-1) unmapping i686's lower half)."""
    args = {"mprotect": (L.PROT.READ,), "madvise": (L.MADV.NORMAL,), "msync": (),
            "pkey_mprotect": (L.PROT.READ, -1), "mbind": (L.MPOL.DEFAULT,),
            "set_mempolicy_home_node": (0,)}
    with pytest.raises(TypeError):
        getattr(L, call)(None, 2**31 - 1, *args.get(call, ()))


# ---- protection keys, mseal, NUMA policy ----------------------------------------------------

def has_pkeys():
    """Whether this x86 CPU and kernel have memory protection keys (the pku and ospke flags);
    other arches: whether pkey_alloc hands out a key."""
    if platform_is_x86():
        with open("/proc/cpuinfo") as f:
            flags = next((line.split() for line in f if line.startswith("flags")), [])
        return "pku" in flags and "ospke" in flags
    try:
        L.pkey_free(L.pkey_alloc())
        return True
    except OSError:
        return False


def platform_is_x86():
    return os.uname().machine in ("x86_64", "i686", "i586", "i386")


def numa_maps(addr):
    """The /proc/self/numa_maps policy word of the mapping starting at addr."""
    with open("/proc/self/numa_maps") as f:
        for line in f:
            start, policy = line.split()[:2]
            if int(start, 16) == addr:
                return policy
    return None


def test_pkeys():
    raises_errno(errno.EINVAL, L.pkey_free, 15)  # never allocated
    raises_errno(errno.EINVAL, L.pkey_alloc, 1)  # flags must be 0
    raises_errno(errno.EINVAL, L.pkey_alloc, 0, 0x80)  # no such right
    with L.mmap(0, 2 * PAGE, L.PROT.NONE, PRIVATE) as m, L.mmap(0, PAGE) as b:
        # key -1 is plain mprotect, on every machine
        qemu_may_lack(m.pkey_mprotect, L.PROT.READ, -1, PAGE)
        assert perms(m.address) == "---p" and perms(m.address + PAGE) == "r--p"
        L.pkey_mprotect(m, None, L.PROT.NONE, -1)
        assert perms(m.address + PAGE) == "---p"
        raises_errno(errno.EINVAL, L.pkey_mprotect, m, None, L.PROT.READ, 14)  # not allocated
        with pytest.raises(ValueError, match="may deny"):
            b.pkey_mprotect(RW, 1)  # a key could deny the buffer access
        with pytest.raises(ValueError, match="fault"):
            b.pkey_mprotect(L.PROT.READ, -1)
        b.pkey_mprotect(RW, -1)
        if not has_pkeys():
            # x86 without PKU: the kernel finds no key to give (EINVAL, or ENOSPC elsewhere)
            with pytest.raises(OSError) as ei:
                qemu_may_lack(L.pkey_alloc, 0, L.PKEY.DISABLE_WRITE)
            assert ei.value.errno in (errno.EINVAL, errno.ENOSPC)
            return
    assert in_child(_tag_with_a_key) == 0


def _tag_with_a_key():
    """A key allocated, pages tagged with it (smaps' ProtectionKey), freed: in a child, since
    the key's rights stay in this thread's PKRU register."""
    key = L.pkey_alloc(0, L.PKEY.DISABLE_WRITE)
    assert key > 0
    with L.mmap(0, PAGE, L.PROT.NONE, PRIVATE) as m:
        m.pkey_mprotect(L.PROT.READ, key)
        assert smaps(m.address)["ProtectionKey"] == key and perms(m.address) == "r--p"
        L.pkey_mprotect(m, None, L.PROT.READ, 0)
        assert smaps(m.address)["ProtectionKey"] == 0
    L.pkey_free(key)
    raises_errno(errno.EINVAL, L.pkey_free, key)


def _sealed():
    m = L.mmap(0, 2 * PAGE)
    n = L.mmap(0, 2 * PAGE, L.PROT.NONE, PRIVATE)
    m[0] = 5
    raises_errno(errno.EINVAL, m.mseal, 1)  # flags must be 0
    m.mseal()
    n.mseal(0, PAGE)  # one page of two: the whole Mapping can no longer go
    for mapping in (m, n):
        with pytest.raises(PermissionError):
            mapping.close()
        with pytest.raises(PermissionError):
            L.munmap(mapping)
        assert not mapping.closed and vma(mapping.address) is not None
        with pytest.raises(PermissionError):
            mapping.mremap(4 * PAGE)
    raises_errno(errno.EPERM, m.mprotect, RW | L.PROT.EXEC)
    assert m[0] == 5 and len(m) == 2 * PAGE  # still there, still usable
    m[1] = 6
    with contextlib.suppress(PermissionError), m:  # __exit__'s close() raises, m stays
        pass
    assert not m.closed
    L.mseal(n, PAGE)  # again: no change
    # the raw form, on memory linuxsys did not map
    raw = libc_mmap(PAGE)
    L.mseal(raw, PAGE)
    assert libc_munmap_errno(raw, PAGE) == errno.EPERM
    hole = libc_mmap(PAGE)
    libc_munmap(hole, PAGE)
    raises_errno(errno.ENOMEM, L.mseal, hole, PAGE)  # nothing mapped there
    # collected: no ResourceWarning (it cannot be closed), and the pages stay mapped
    addr = m.address
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        del m
        gc.collect()
    assert vma(addr) is not None
    assert all(ref() is None or ref().address != addr for ref in memory._LIVE)


def libc_munmap_errno(addr, length):
    fn = ctypes.CDLL(None, use_errno=True).munmap
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    return 0 if fn(addr, length) == 0 else ctypes.get_errno()


def test_mseal():
    """Sealed Mappings cannot be unmapped: close() says so (PermissionError) and leaves them
    open instead of pretending.  In a child: sealed pages stay for the life of the process."""
    r = memory._mseal(1, 1, 0)  # EINVAL: unaligned (ENOSYS: no mseal)
    if r == -errno.ENOSYS and (EMULATED or sys.maxsize < 2**32):
        pytest.skip("no mseal here (qemu-user, or a 32-bit kernel)")
    assert in_child(_sealed) == 0


def test_get_mempolicy():
    with open("/proc/self/status") as f:
        allowed = next(line.split()[1] for line in f if line.startswith("Mems_allowed_list"))
    nodes = set()
    for part in allowed.split(","):
        low, _, high = part.partition("-")
        nodes |= set(range(int(low), int(high or low) + 1))
    policy = qemu_may_lack(L.get_mempolicy)
    assert policy == (L.MPOL.DEFAULT, set()) and isinstance(policy[0], L.MPOL)
    assert L.get_mempolicy(flags=L.MPOL_F.MEMS_ALLOWED) == (L.MPOL.DEFAULT, nodes)
    with L.mmap(0, PAGE) as m:
        assert L.get_mempolicy(m, L.MPOL_F.ADDR) == (L.MPOL.DEFAULT, set())
        m[0] = 1
        node, _ = L.get_mempolicy(m.address, "node|addr")
        assert node in nodes and L.move_pages(0, m) == [node]
    raises_errno(errno.EINVAL, L.get_mempolicy, None, L.MPOL_F.NODE)  # not interleaving
    raises_errno(errno.EINVAL, L.get_mempolicy, None, L.MPOL_F.NODE | L.MPOL_F.MEMS_ALLOWED)
    raises_errno(errno.EINVAL, L.get_mempolicy, None, 1 << 20)
    raises_errno(errno.EFAULT, L.get_mempolicy, 0, L.MPOL_F.ADDR)  # nothing mapped at 0


def _thread_policies():
    L.set_mempolicy(L.MPOL.BIND, {0})
    assert L.get_mempolicy() == (L.MPOL.BIND, {0})
    L.set_mempolicy(L.MPOL.PREFERRED, 1)  # an int bit mask
    assert L.get_mempolicy() == (L.MPOL.PREFERRED, {0})
    L.set_mempolicy("interleave", [0])
    assert L.get_mempolicy(flags=L.MPOL_F.NODE) == (0, {0})  # the next node to use
    L.set_mempolicy(L.MPOL.BIND | L.MPOL_MODE_F.STATIC_NODES, {0})
    mode, nodes = L.get_mempolicy()
    assert mode == L.MPOL.BIND | L.MPOL_MODE_F.STATIC_NODES and nodes == {0}
    L.set_mempolicy(L.MPOL.LOCAL)
    assert L.get_mempolicy() == (L.MPOL.LOCAL, set())
    L.set_mempolicy(L.MPOL.DEFAULT)
    assert L.get_mempolicy() == (L.MPOL.DEFAULT, set())
    raises_errno(errno.EINVAL, L.set_mempolicy, L.MPOL.BIND, set())  # BIND needs nodes
    raises_errno(errno.EINVAL, L.set_mempolicy, L.MPOL.BIND, {32767})  # no such node
    raises_errno(errno.EINVAL, L.set_mempolicy, 99)
    raises_errno(errno.EINVAL, L.set_mempolicy, L.MPOL.DEFAULT, {0})  # DEFAULT takes none


def test_set_mempolicy():
    qemu_may_lack(L.get_mempolicy)
    assert in_child(_thread_policies) == 0


def test_mbind_and_home_node():
    with L.mmap(0, 2 * PAGE) as m:
        m[0] = 1
        qemu_may_lack(m.mbind, L.MPOL.BIND, {0}, L.MPOL_MF.MOVE | L.MPOL_MF.STRICT)
        assert L.get_mempolicy(m, L.MPOL_F.ADDR) == (L.MPOL.BIND, {0})
        if not EMULATED:
            assert numa_maps(m.address) == "bind:0"
        m.set_mempolicy_home_node(0)
        L.set_mempolicy_home_node(m, None, 0)
        raises_errno(errno.EINVAL, m.set_mempolicy_home_node, 0, 1)  # flags must be 0
        raises_errno(errno.EINVAL, m.set_mempolicy_home_node, 4095)  # not online
        L.mbind(m, PAGE, L.MPOL.INTERLEAVE, {0})
        assert L.get_mempolicy(m, L.MPOL_F.ADDR) == (L.MPOL.INTERLEAVE, {0})
        # home nodes are for BIND and PREFERRED_MANY only
        raises_errno(errno.EOPNOTSUPP, L.set_mempolicy_home_node, m, None, 0)
        raises_errno(errno.EINVAL, m.mbind, L.MPOL.BIND, set())
        raises_errno(errno.EINVAL, m.mbind, L.MPOL.BIND, {0}, 1 << 7)  # unknown flag
        raises_errno(errno.EINVAL, m.mbind, L.MPOL.BIND, {0}, 0, 1, PAGE)  # page-aligned only
        m.mbind(L.MPOL.DEFAULT)
        assert L.get_mempolicy(m.address + PAGE, L.MPOL_F.ADDR) == (L.MPOL.DEFAULT, set())
    raw = libc_mmap(PAGE)  # the raw form, on memory linuxsys did not map
    try:
        L.mbind(raw, PAGE, L.MPOL.PREFERRED, {0})
        assert L.get_mempolicy(raw, L.MPOL_F.ADDR) == (L.MPOL.PREFERRED, {0})
        raises_errno(errno.EOPNOTSUPP, L.set_mempolicy_home_node, raw, PAGE, 0)
        raises_errno(errno.EINVAL, L.set_mempolicy_home_node, raw + 1, PAGE, 0)
    finally:
        libc_munmap(raw, PAGE)


def test_move_and_migrate_pages():
    with L.mmap(0, 3 * PAGE) as m:
        m[0] = 1
        status = qemu_may_lack(L.move_pages, 0, m)
        assert status == [0, -errno.ENOENT, -errno.ENOENT]
        assert L.move_pages(0, [m.address, 0]) == [0, -errno.EFAULT]
        assert L.move_pages(os.getpid(), [m.address], [0], L.MPOL_MF.MOVE) == [0]
        assert m[0] == 1
        assert L.move_pages(0, []) == []
        raises_errno(errno.ENODEV, L.move_pages, 0, [m.address], [4095])  # not online
        raises_errno(errno.ESRCH, L.move_pages, 2**30, [m.address])
        raises_errno(errno.EINVAL, L.move_pages, 0, [m.address], None, 1 << 5)
    assert L.migrate_pages(0, {0}, {0}) >= 0  # pages not moved: none here
    assert L.migrate_pages(os.getpid(), 1, 1) >= 0
    raises_errno(errno.ESRCH, L.migrate_pages, 2**30, {0}, {0})
    raises_errno(errno.EINVAL, L.migrate_pages, 0, {0}, {4095})  # no memory there

    def others():
        raises_errno(errno.EPERM, L.migrate_pages, 1, {0}, {0})
    assert as_nobody(others) == 0
