"""memory: mappings, protection, advice, locking and SysV shared memory (man 2 mmap, mprotect,
madvise, mlock, mremap, mincore, memfd_secret, process_madvise, shmget, shmat, shmctl ...).

mmap() and shmat() return a Mapping: a Python ``mmap.mmap`` whose memory is the mapping
linuxsys made, so ``memoryview(m)``, ``numpy.frombuffer(m)``, ``readinto(fd, m)``, slicing and
``m.find()`` work on it.  Why ``mmap.mmap``: Python 3.11 gives a Python class no buffer
protocol of its own, and a cffi buffer is always writable and never counts its exports, so
nothing could stop a view from outliving munmap or writing to read-only pages.  ``mmap.mmap``
refuses close() and resize() while a memoryview or any other export is alive (BufferError),
raises ValueError once closed, and exports read-only buffers when made with ACCESS_READ.  So
mmap() asks CPython for a placeholder ``mmap.mmap`` of the same length and access and maps
over it with MAP_FIXED, and shmat() attaches over it with SHM_REMAP.  Consequences:

* A Mapping's buffer access is fixed when it is made: read-write if ``prot`` has READ and
  WRITE, read-only if only READ, none otherwise (``memoryview(m)`` raises ValueError).
  Mappings the caller places (an ``addr``, MAP.FIXED, MAP.FIXED_NOREPLACE, shmat's ``addr``)
  have no buffer either: CPython picks the placeholder's address.  Mapping.mprotect() refuses
  to take away what the buffer exposes, and Mapping.madvise() advice that makes pages fault.
* close() of a Mapping with a buffer is ``mmap.mmap.close`` (CPython's munmap) and mremap()
  is ``mmap.mmap.resize`` (CPython's mremap, MREMAP_MAYMOVE): CPython checks the exports and
  updates its pointer in one step.  Mappings without a buffer use linuxsys's own calls.
* Reaching past what backs a mapping raises SIGBUS, so a file mapping may not extend beyond
  the page holding the end of file (ValueError, as for ``mmap.mmap``), and shared anonymous
  mappings and SysV segments do not grow.  A file truncated under a mapping still raises
  SIGBUS on access, as it does for ``mmap.mmap``.

The module functions take a Mapping (then they are its methods) or a bare address, which,
like syscall(), acts on whatever is mapped there, Python's own memory included.
"""
from __future__ import annotations

import mmap as _pymmap
import operator
import sys
import warnings
from typing import Any, Iterable, NamedTuple, Optional, Union

from ._core import CHARS, Buffer, call, error, ffi, lib, writable
from .fd import Fd, FdArg, fdnum, methods
from .flags import NAMESPACES, FlagArg, to_int
from .fs import fstat

O = NAMESPACES["O"]
PROT = NAMESPACES["PROT"]
MAP = NAMESPACES["MAP"]
MADV = NAMESPACES["MADV"]
MSYNC = NAMESPACES["MSYNC"]
MLOCK = NAMESPACES["MLOCK"]
MCL = NAMESPACES["MCL"]
MREMAP = NAMESPACES["MREMAP"]
IPC = NAMESPACES["IPC"]
SHM = NAMESPACES["SHM"]

_mmap = lib.ls_mmap
_munmap = lib.ls_munmap
_mprotect = lib.ls_mprotect
_madvise = lib.ls_madvise
_msync = lib.ls_msync
_mlock = lib.ls_mlock
_mlock2 = lib.ls_mlock2
_munlock = lib.ls_munlock
_mlockall = lib.ls_mlockall
_munlockall = lib.ls_munlockall
_mremap = lib.ls_mremap
_mincore = lib.ls_mincore
_memfd_secret = lib.ls_memfd_secret
_process_madvise = lib.ls_process_madvise
_shmget = lib.ls_shmget
_shmat = lib.ls_shmat
_shmdt = lib.ls_shmdt
_shmctl = lib.ls_shmctl

_new = ffi.new
_cast = ffi.cast
_unpack = ffi.unpack
_buffer = ffi.buffer
_from_buffer = ffi.from_buffer
_release = ffi.release
_NULL = ffi.NULL

_PAGE = _pymmap.PAGESIZE
_PROT_NONE = lib.PROT_NONE
_PROT_READ = lib.PROT_READ
_RW = lib.PROT_READ | lib.PROT_WRITE
_MAP_SHARED = lib.MAP_SHARED
_MAP_PRIVATE = lib.MAP_PRIVATE
_MAP_TYPE = lib.MAP_TYPE
_MAP_ANONYMOUS = lib.MAP_ANONYMOUS
_MAP_FIXED = lib.MAP_FIXED
_MAP_FIXED_NOREPLACE = lib.MAP_FIXED_NOREPLACE
_MAP_NORESERVE = lib.MAP_NORESERVE
# Flags that put the mapping where the caller says: linuxsys can't give it a buffer.
_PLACED = _MAP_FIXED | _MAP_FIXED_NOREPLACE
# Flags that decide where the kernel may put a mapping (huge page alignment, the low 2 GiB):
# a read-write buffer's placeholder gets them too; CPython's read-only one can't.
_ALIGN = (lib.MAP_HUGETLB | getattr(lib, "MAP_HUGE_MASK", 0) << getattr(lib, "MAP_HUGE_SHIFT", 0)
          | getattr(lib, "MAP_32BIT", 0))
_MREMAP_MAYMOVE = lib.MREMAP_MAYMOVE
_MREMAP_FIXED = lib.MREMAP_FIXED
_SHM_RDONLY = lib.SHM_RDONLY
_SHM_REMAP = lib.SHM_REMAP
_SHMLBA = getattr(lib, "SHMLBA", _PAGE)  # the C library's: 4 pages on 32-bit ARM
_IPC_STAT = lib.IPC_STAT
_IPC_SET = lib.IPC_SET
_O_CLOEXEC = lib.O_CLOEXEC
_EINVAL = lib.EINVAL
# Errors mmap reports before it touches the range it would replace, on every kernel version
# (ENOTSUP is EOPNOTSUPP on Linux).
_EARLY = {lib.EBADF, lib.EACCES, lib.ENODEV, lib.EOVERFLOW, lib.ENOTSUP, lib.ETXTBSY}
# shmat's own checks (the id, the address) come before it maps anything.
_SHMAT_EARLY = _EARLY | {lib.EINVAL, lib.EIDRM}
# Advice after which a Mapping's pages still read and write (in this process and in children
# after fork): not DONTFORK, HWPOISON, GUARD_INSTALL, nor values this build doesn't know.
_HARMLESS_ADVICE = frozenset(getattr(lib, "MADV_" + name) for name in (
    "NORMAL", "RANDOM", "SEQUENTIAL", "WILLNEED", "DONTNEED", "FREE", "REMOVE", "DOFORK",
    "MERGEABLE", "UNMERGEABLE", "HUGEPAGE", "NOHUGEPAGE", "DONTDUMP", "DODUMP", "WIPEONFORK",
    "KEEPONFORK", "COLD", "PAGEOUT", "POPULATE_READ", "POPULATE_WRITE", "DONTNEED_LOCKED",
    "COLLAPSE", "SOFT_OFFLINE", "GUARD_REMOVE") if hasattr(lib, "MADV_" + name))
_BUFFER = {_RW: "read-write", _PROT_READ: "read-only", 0: "no"}
_WORD = 8 * ffi.sizeof("long")

# Placeholders whose range may hold another thread's mapping after a failed mmap: closing
# them would unmap it, so they are kept, never closed (see Mapping._abandon).
_LIMBO: list[Any] = []


def _address(value: Optional[int]) -> int:
    a = 0 if value is None else operator.index(value)
    if not 0 <= a < 1 << _WORD:
        raise ValueError(f"address {a:#x} is not a {_WORD}-bit unsigned address")
    return a


def _length(value: int) -> int:
    n = operator.index(value)
    if not 0 <= n < 1 << _WORD:
        raise ValueError(f"length {n} outside 0..2**{_WORD}")
    return n


def _pages(n: int) -> int:
    """``n`` rounded up to whole pages."""
    return -(-n // _PAGE) * _PAGE


def _buffer_address(m: _pymmap.mmap) -> int:
    p = _from_buffer(CHARS, m)
    try:
        return int(_cast("uintptr_t", p))
    finally:
        _release(p)


def _take_back(addr: int, length: int) -> bool:
    """Map a PROT_NONE placeholder at addr..addr+length if nothing is there."""
    out = _new("int64_t *")
    r = _mmap(addr, length, _PROT_NONE,
              _MAP_PRIVATE | _MAP_ANONYMOUS | _MAP_NORESERVE | _MAP_FIXED_NOREPLACE, -1, 0, out)
    if r == 0 and out[0] != addr:  # a kernel before 4.17 takes MAP_FIXED_NOREPLACE as a hint
        _munmap(out[0], length)
        return False
    return r == 0


def _mincore_of(addr: int, length: int) -> bytes:
    vec = _new("unsigned char[]", _pages(length) // _PAGE)
    call(_mincore, "mincore", addr, length, vec)
    return _buffer(vec)[:]


class Mapping(_pymmap.mmap):
    """Memory mapped by mmap() (man 2 mmap): an ``mmap.mmap`` over it (see the module's doc).

    ``close()``, ``with`` or garbage collection (with a ResourceWarning, as an unclosed Fd)
    unmap it; close() raises BufferError while memoryviews or other exports are alive, and
    once closed every use raises ValueError.  ``address`` and ``len()`` give the range; the
    range methods act on ``start``..``start + length`` (default: to the end)."""

    __slots__ = ("_addr", "_len", "_need", "_limit")
    _UNMAP = "munmap"

    # _addr: the start; _len: the length, -1 once closed (or before the mapping is in);
    # _need: the PROT bits the buffer relies on (0: no buffer); _limit: how long the mapping
    # may grow before access would raise SIGBUS (None: no limit).

    def __new__(cls, *args: Any, **kwargs: Any) -> "Mapping":
        raise TypeError(f"{cls.__name__}s are made by linuxsys.mmap() and shmat()")

    @classmethod
    def _placeholder(cls, length: int, need: int, flags: int) -> "Mapping":
        """CPython's anonymous mmap.mmap of ``length`` bytes, for the real mapping to replace:
        for a read-write buffer, read-write (CPython exports what prot allows), private and
        MAP_NORESERVE (nothing committed), with ``flags`` (placement bits); for a read-only
        one, ACCESS_READ (shared, PROT_READ: CPython's only road to a read-only export)."""
        if need == _RW:
            flags |= _MAP_PRIVATE | _MAP_NORESERVE
            self = _pymmap.mmap.__new__(cls, -1, length, prot=_RW,  # flags: a C int there
                                        flags=flags - (flags >> 31 << 32))
        else:
            self = _pymmap.mmap.__new__(cls, -1, length, access=_pymmap.ACCESS_READ)
        self._len = -1
        self._addr, self._need, self._limit = _buffer_address(self), need, None
        return self

    @classmethod
    def _bufferless(cls) -> "Mapping":
        """A Mapping that exports nothing: a closed mmap.mmap raises ValueError instead.  Made
        before the syscall, so that nothing can fail between it and the object holding it."""
        self = _pymmap.mmap.__new__(cls, -1, 1, flags=_MAP_PRIVATE, prot=_PROT_NONE)
        _pymmap.mmap.close(self)
        self._len, self._addr, self._need, self._limit = -1, 0, 0, None
        return self

    def _abandon(self, early: bool, length: int) -> None:
        """Dispose of a placeholder the real mapping failed to replace.  Closing unmaps its
        range, so only when that is still ours: the failure came ``early``, before the kernel
        touched the range, or the hole a later failure leaves (older kernels unmap first) is
        taken back.  Otherwise another thread may have mapped into the hole meanwhile: the
        placeholder is kept, never closed."""
        if early or _take_back(self._addr, length):
            _pymmap.mmap.close(self)
        else:
            _LIMBO.append(self)

    def _adopt(self, addr: int, length: int) -> None:
        """Move the mapping at ``addr`` onto this placeholder (mremap MREMAP_FIXED)."""
        out = _new("int64_t *")
        r = _mremap(addr, length, length, _MREMAP_MAYMOVE | _MREMAP_FIXED, self._addr, out)
        if r < 0:
            self._abandon(False, length)
            raise error(-r, "mremap")

    def _check(self) -> None:
        if self._len < 0:
            raise ValueError("mapping closed")

    def _range(self, start: int, length: Optional[int]) -> tuple[int, int]:
        self._check()
        start = operator.index(start)
        n = self._len - start if length is None else operator.index(length)
        if start < 0 or n < 0 or start + n > self._len:
            raise ValueError(f"range {start}+{n} outside the mapping's {self._len} bytes")
        return self._addr + start, n

    def _unmap(self, addr: int, length: int) -> int:
        return _munmap(addr, length)

    @property
    def address(self) -> int:
        """The start address, an unsigned int."""
        self._check()
        return self._addr

    @property
    def closed(self) -> bool:  # type: ignore[override]
        return self._len < 0

    def __len__(self) -> int:
        self._check()
        return self._len

    def close(self) -> None:
        """Unmap (man 2 munmap; a SysV segment is detached); later calls do nothing.
        BufferError while memoryviews or other exports are alive, as mmap.mmap.close."""
        if self._len < 0:
            return
        if self._need:
            _pymmap.mmap.close(self)  # checks the exports, then munmaps
            self._len = -1
            return
        addr, n, self._len = self._addr, self._len, -1
        r = self._unmap(addr, n)
        if r < 0:
            raise error(-r, self._UNMAP)

    def __enter__(self) -> "Mapping":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_len", -1) >= 0:  # unset if CPython's own mmap call failed
            try:
                warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self)
            finally:
                if not self._need:  # else mmap.mmap's own deallocation unmaps
                    addr, n, self._len = self._addr, self._len, -1
                    self._unmap(addr, n)

    def __repr__(self) -> str:
        if self._len < 0:
            return f"<{type(self).__name__} closed>"
        return (f"<{type(self).__name__} {self._addr:#x} {self._len} bytes, "
                f"{_BUFFER[self._need]} buffer>")

    def mprotect(self, prot: FlagArg, start: int = 0, length: Optional[int] = None) -> None:
        """Change the protection of the mapping or of whole pages of it (man 2 mprotect).
        ValueError if a view of the buffer would then fault: it needs READ, and WRITE too for
        a read-write buffer."""
        p = to_int(prot, PROT)
        addr, n = self._range(start, length)
        if p & self._need != self._need:
            raise ValueError(f"{PROT(p)!r} would make this Mapping's {_BUFFER[self._need]} "
                             f"buffer fault; map it with that protection from the start")
        call(_mprotect, "mprotect", addr, n, p)

    def madvise(self, advice: FlagArg, start: int = 0,  # type: ignore[override]
                length: Optional[int] = None) -> None:
        """Advise the kernel on the mapping's use (man 2 madvise; ``MADV``).  ValueError for
        advice that would make a buffer's pages fault (DONTFORK, HWPOISON, GUARD_INSTALL)."""
        a = to_int(advice, MADV)
        addr, n = self._range(start, length)
        if self._need and a not in _HARMLESS_ADVICE:
            raise ValueError(f"advice {a} would make this Mapping's buffer fault")
        call(_madvise, "madvise", addr, n, a)

    def msync(self, flags: FlagArg = lib.MS_SYNC, start: int = 0,
              length: Optional[int] = None) -> None:
        """Write a shared file mapping back to its file (man 2 msync; ``MSYNC`` flags)."""
        call(_msync, "msync", *self._range(start, length), to_int(flags, MSYNC))

    def mlock(self, flags: FlagArg = 0, start: int = 0, length: Optional[int] = None) -> None:
        """Lock the pages in RAM (man 2 mlock; mlock2 with ``MLOCK`` flags)."""
        f = to_int(flags, MLOCK)
        if f:
            call(_mlock2, "mlock2", *self._range(start, length), f)
        else:
            call(_mlock, "mlock", *self._range(start, length))

    def munlock(self, start: int = 0, length: Optional[int] = None) -> None:
        """Unlock the pages (man 2 munlock)."""
        call(_munlock, "munlock", *self._range(start, length))

    def mincore(self, start: int = 0, length: Optional[int] = None) -> bytes:
        """One byte per page, bit 0 set if the page is resident in RAM (man 2 mincore)."""
        return _mincore_of(*self._range(start, length))

    def mremap(self, new_length: int, flags: FlagArg = _MREMAP_MAYMOVE,
               new_address: int = 0) -> "Mapping":
        """Grow or shrink the mapping, moving it if need be; returns self, at its new address
        (man 2 mremap).  With a buffer: MREMAP.MAYMOVE only, BufferError while exports are
        alive, ValueError past what backs it (SIGBUS there)."""
        self._check()
        n = _length(new_length)
        f = to_int(flags, MREMAP)
        if self._need:
            if f != _MREMAP_MAYMOVE or new_address:
                raise ValueError("a Mapping with a buffer moves as mmap.mmap.resize does: "
                                 "MREMAP.MAYMOVE, no new_address")
            if self._limit is not None and n > self._limit:
                raise ValueError(f"{n} bytes reach past the {self._limit} that back this "
                                 f"mapping: access there would raise SIGBUS")
            _pymmap.mmap.resize(self, n)  # refuses while exported, then moves the pointer
            self._addr = _buffer_address(self)
        else:
            out = _new("int64_t *")
            call(_mremap, "mremap", self._addr, self._len, n, f, _address(new_address), out)
            self._addr = out[0]
        self._len = n
        return self

    def resize(self, newsize: int) -> None:
        """mmap.mmap's name for mremap(newsize)."""
        self.mremap(newsize)


class ShmSegment(Mapping):
    """A SysV shared memory segment attached by shmat() (man 2 shmat): a Mapping whose
    close() (and shmdt(), ``with``, garbage collection) detaches it.  ``shmid`` is its id."""

    __slots__ = ("shmid",)
    _UNMAP = "shmdt"

    def _unmap(self, addr: int, length: int) -> int:
        return _shmdt(addr)


def mmap(addr: Optional[int], length: int, prot: FlagArg = _RW, flags: Optional[FlagArg] = None,
         fd: FdArg = -1, offset: int = 0) -> Mapping:
    """Map files or memory (man 2 mmap; mmap2 on 32-bit arches): a Mapping.

    Kernel order: ``mmap(0, 4096)`` maps 4096 bytes read-write.  ``addr`` (0 or None: the
    kernel chooses) is a hint, or the place with MAP.FIXED / MAP.FIXED_NOREPLACE: such a
    mapping, like one without PROT.READ, has no buffer.  ``flags`` None is MAP.SHARED, plus
    MAP.ANONYMOUS when ``fd`` is -1, as for mmap.mmap.  ``offset`` may pass 4 GiB on every
    arch."""
    a, n, p = _address(addr), _length(length), to_int(prot, PROT)
    fdn = fdnum(fd)
    f = to_int(flags, MAP) if flags is not None else (
        _MAP_SHARED | (_MAP_ANONYMOUS if fdn == -1 else 0))
    off = operator.index(offset)
    if off < 0:
        raise ValueError(f"negative offset {off}")
    need = _RW if p & _RW == _RW else p & _PROT_READ
    out = _new("int64_t *")
    if (not need or a or f & _PLACED or not 0 < n <= sys.maxsize or off % _PAGE
            or (need != _RW and f & _ALIGN)):  # no buffer (or the kernel's EINVAL, ENOMEM)
        m = Mapping._bufferless()
        call(_mmap, "mmap", a, n, p, f, fdn, off, out)
        m._addr, m._len = out[0], n
        return m
    limit = _backing(f, fdn, n, off)
    m = Mapping._placeholder(n, need, f & _ALIGN)
    r = _mmap(m._addr, n, p, f | _MAP_FIXED, fdn, off, out)
    if r < 0:  # EINVAL comes early unless a file's mmap method says it
        m._abandon(-r in _EARLY or (-r == _EINVAL and f & _MAP_ANONYMOUS), n)
        raise error(-r, "mmap")
    m._len, m._limit = n, limit
    return m


def _backing(flags: int, fd: int, length: int, offset: int) -> Optional[int]:
    """How long the mapping may grow before access raises SIGBUS (None: no limit): a private
    anonymous one freely, a shared anonymous one (a shmem object) not at all, a file's up to
    the page holding its end (ValueError if ``length`` already passes that)."""
    if flags & _MAP_ANONYMOUS:
        return None if flags & _MAP_TYPE == _MAP_PRIVATE else _pages(length)
    st = fstat(fd)
    if not st.isreg:
        return _pages(length)
    limit = _pages(st.st_size) - offset // _PAGE * _PAGE  # unaligned: the kernel's EINVAL
    if length > limit:
        raise ValueError(f"{length} bytes at offset {offset} reach past the end of the file "
                         f"({st.st_size} bytes): access there would raise SIGBUS")
    return limit


MappingArg = Union[Mapping, int]


def munmap(addr: MappingArg, length: Optional[int] = None) -> None:
    """Unmap (man 2 munmap): a Mapping (its close()), or bare addresses (unsafe)."""
    if isinstance(addr, Mapping):
        if length is not None and length != len(addr):
            raise ValueError("a Mapping is unmapped whole: close() it")
        addr.close()
    else:
        call(_munmap, "munmap", _address(addr), _length(length))


def mprotect(addr: MappingArg, length: Optional[int], prot: FlagArg) -> None:
    """Change protection (man 2 mprotect): of a Mapping's first ``length`` bytes (None: all),
    as Mapping.mprotect, or of bare addresses (unsafe)."""
    if isinstance(addr, Mapping):
        addr.mprotect(prot, 0, length)
    else:
        call(_mprotect, "mprotect", _address(addr), _length(length), to_int(prot, PROT))


def madvise(addr: MappingArg, length: Optional[int], advice: FlagArg) -> None:
    """Advise on memory use (man 2 madvise; ``MADV``): a Mapping's first ``length`` bytes
    (None: all), as Mapping.madvise, or bare addresses (unsafe)."""
    if isinstance(addr, Mapping):
        addr.madvise(advice, 0, length)
    else:
        call(_madvise, "madvise", _address(addr), _length(length), to_int(advice, MADV))


def msync(addr: MappingArg, length: Optional[int], flags: FlagArg = lib.MS_SYNC) -> None:
    """Write a shared file mapping back to its file (man 2 msync; ``MSYNC`` flags, also flat
    as MS_SYNC ...: ``L.MS`` is mount(2)'s)."""
    if isinstance(addr, Mapping):
        addr.msync(flags, 0, length)
    else:
        call(_msync, "msync", _address(addr), _length(length), to_int(flags, MSYNC))


def mlock(addr: MappingArg, length: Optional[int]) -> None:
    """Lock pages in RAM (man 2 mlock)."""
    mlock2(addr, length)


def mlock2(addr: MappingArg, length: Optional[int], flags: FlagArg = 0) -> None:
    """Lock pages in RAM, with MLOCK.ONFAULT only as they fault in (man 2 mlock2; plain mlock
    when ``flags`` is 0)."""
    if isinstance(addr, Mapping):
        addr.mlock(flags, 0, length)
        return
    a, n, f = _address(addr), _length(length), to_int(flags, MLOCK)
    if f:
        call(_mlock2, "mlock2", a, n, f)
    else:
        call(_mlock, "mlock", a, n)


def munlock(addr: MappingArg, length: Optional[int]) -> None:
    """Unlock pages (man 2 munlock)."""
    if isinstance(addr, Mapping):
        addr.munlock(0, length)
    else:
        call(_munlock, "munlock", _address(addr), _length(length))


def mincore(addr: MappingArg, length: Optional[int]) -> bytes:
    """One byte per page, bit 0 set if resident in RAM (man 2 mincore)."""
    if isinstance(addr, Mapping):
        return addr.mincore(0, length)
    return _mincore_of(_address(addr), _length(length))


def mremap(addr: MappingArg, old_length: Optional[int], new_length: int, flags: FlagArg = 0,
           new_address: int = 0) -> Union[Mapping, int]:
    """Grow, shrink or move a mapping (man 2 mremap; ``MREMAP`` flags): a Mapping (returned,
    as Mapping.mremap; ``old_length`` None or its length), or bare addresses (unsafe: returns
    the new address)."""
    if isinstance(addr, Mapping):
        if old_length is not None and old_length != len(addr):
            raise ValueError("a Mapping is remapped whole")
        return addr.mremap(new_length, flags, new_address)
    out = _new("int64_t *")
    call(_mremap, "mremap", _address(addr), _length(old_length), _length(new_length),
         to_int(flags, MREMAP), _address(new_address), out)
    return out[0]


def mlockall(flags: FlagArg) -> None:
    """Lock every page of the process, now (MCL.CURRENT) and/or later ones (MCL.FUTURE)
    (man 2 mlockall)."""
    call(_mlockall, "mlockall", to_int(flags, MCL))


def munlockall() -> None:
    """Unlock every page of the process and end MCL.FUTURE (man 2 munlockall)."""
    call(_munlockall, "munlockall")


def memfd_secret(flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """An fd for memory that even the kernel does not map (man 2 memfd_secret): ftruncate it,
    then mmap it MAP.SHARED; close-on-exec unless ``inheritable``."""
    f = to_int(flags, O)
    if not inheritable:
        f |= _O_CLOEXEC
    return Fd(call(_memfd_secret, "memfd_secret", f))


def process_madvise(pidfd: FdArg, iovecs: Iterable[Union[Mapping, tuple[int, int]]],
                    advice: FlagArg, flags: int = 0) -> int:
    """Advise on a process's memory through its pidfd (man 2 process_madvise): ``iovecs`` are
    Mappings (of this process) or (address, length) pairs; returns the bytes advised."""
    a = to_int(advice, MADV)
    ranges = []
    for item in iovecs:
        if isinstance(item, Mapping):
            if item._need and a not in _HARMLESS_ADVICE:
                raise ValueError(f"advice {a} would make a Mapping's buffer fault")
            ranges.append((item.address, len(item)))
        else:
            start, n = item
            ranges.append((_address(start), _length(n)))
    iov = _new("struct iovec[]", len(ranges))
    for (start, n), slot in zip(ranges, iov):
        slot.iov_base = _cast("void *", start)
        slot.iov_len = n
    return call(_process_madvise, "process_madvise", fdnum(pidfd), iov, len(ranges), a, flags)


# ---- SysV shared memory --------------------------------------------------------------------

class IpcPerm(NamedTuple):
    """Owner and permissions of a SysV IPC object (struct ipc64_perm)."""
    key: int
    uid: int
    gid: int
    cuid: int   # the creator's
    cgid: int
    mode: int   # permission bits, plus SHM.DEST/SHM.LOCKED state bits for a segment
    seq: int


class ShmidDs(NamedTuple):
    """A shared memory segment's state (struct shmid64_ds) from shmctl(IPC.STAT); times are
    seconds since the epoch, 64-bit on every arch."""
    shm_perm: IpcPerm
    shm_segsz: int    # size in bytes
    shm_atime: int    # last attach
    shm_dtime: int    # last detach
    shm_ctime: int    # last change (creation, IPC.SET)
    shm_cpid: int     # creator
    shm_lpid: int     # last to attach or detach
    shm_nattch: int   # attachments now


_SHM_SLOTS = lib.LS_SHM_COUNT  # memory.c's slots, in IpcPerm's then ShmidDs's field order
_SHMID_DS_SIZE = ffi.sizeof("struct shmid64_ds")
_STAT_CMDS = {lib.IPC_STAT, lib.SHM_STAT, getattr(lib, "SHM_STAT_ANY", lib.SHM_STAT)}
_RESULTLESS_CMDS = {lib.IPC_RMID, lib.IPC_SET, lib.SHM_LOCK, lib.SHM_UNLOCK}


def _key(key: int) -> int:
    k = operator.index(key)
    if not -(1 << 31) <= k < 1 << 32:
        raise ValueError(f"key {k} is not 32 bits")
    return k - (1 << 32) if k >= 1 << 31 else k


def shmget(key: int, size: int, flags: FlagArg = 0) -> int:
    """The id of the SysV shared memory segment for ``key`` (IPC.PRIVATE: a new one), made if
    missing with IPC.CREAT (man 2 shmget); ``flags`` carries its mode: ``IPC.CREAT | 0o600``."""
    return call(_shmget, "shmget", _key(key), _length(size), to_int(flags, IPC))


def shmat(shmid: int, addr: Optional[int] = 0, flags: FlagArg = 0) -> ShmSegment:
    """Attach a SysV shared memory segment (man 2 shmat; ``SHM`` flags): a ShmSegment,
    read-only with SHM.RDONLY.  With an ``addr`` it is attached there and has no buffer."""
    a, f = _address(addr), to_int(flags, SHM)
    size = shmctl(shmid, _IPC_STAT).shm_segsz  # type: ignore[union-attr]
    out = _new("int64_t *")
    if a:
        seg = ShmSegment._bufferless()
        call(_shmat, "shmat", shmid, a, f, out)
        seg._addr = out[0]
    else:
        seg = ShmSegment._placeholder(size, _PROT_READ if f & _SHM_RDONLY else _RW, 0)
        if _SHMLBA == _PAGE:
            r = _shmat(shmid, seg._addr, f | _SHM_REMAP, out)
            if r < 0:
                seg._abandon(-r in _SHMAT_EARLY, size)
                raise error(-r, "shmat")
        else:
            # 32-bit ARM attaches only at multiples of 4 pages, the placeholder is page aligned:
            # attach where the kernel likes, then move the segment onto the placeholder (a
            # detach and reattach to the kernel: shm_dtime and shm_lpid show it).
            call(_shmat, "shmat", shmid, 0, f, out)
            try:
                seg._adopt(out[0], size)
            except BaseException:
                _shmdt(out[0])
                raise
        seg._limit = _pages(size)
    seg._len, seg.shmid = size, shmid
    return seg


def shmdt(addr: Union[ShmSegment, int]) -> None:
    """Detach a SysV segment (man 2 shmdt): a ShmSegment (its close()), or a bare address
    (unsafe)."""
    if isinstance(addr, ShmSegment):
        addr.close()
    else:
        call(_shmdt, "shmdt", _address(addr))


def shmctl(shmid: int, cmd: FlagArg, buf: Union[ShmidDs, IpcPerm, Buffer, None] = None
           ) -> Union[ShmidDs, tuple[int, ShmidDs], int, None]:
    """Control a SysV shared memory segment (man 2 shmctl).

    IPC.STAT -> ShmidDs; SHM.STAT / SHM.STAT_ANY (``shmid`` is an index) -> (id, ShmidDs);
    IPC.SET sets the uid, gid and mode of ``buf``, a ShmidDs or IpcPerm; IPC.RMID, SHM.LOCK,
    SHM.UNLOCK -> None; IPC.INFO, SHM.INFO -> the highest index in use.  A writable buffer as
    ``buf`` is the kernel's struct itself (struct shmid64_ds, shminfo64 ...); the call's
    result is returned."""
    c = to_int(cmd, IPC)
    if buf is not None and not isinstance(buf, (ShmidDs, IpcPerm)):
        raw = writable(buf)
        if len(raw) < _SHMID_DS_SIZE:
            raise ValueError(f"shmctl needs a buffer of {_SHMID_DS_SIZE} bytes, not {len(raw)}")
        return call(_shmctl, "shmctl", shmid, c, raw, _NULL)
    ds = _new("int64_t[]", _SHM_SLOTS)
    if c == _IPC_SET:
        if buf is None:
            raise TypeError("shmctl(IPC.SET) needs buf: a ShmidDs or IpcPerm")
        perm = buf.shm_perm if isinstance(buf, ShmidDs) else buf
        ds[lib.LS_SHM_UID], ds[lib.LS_SHM_GID], ds[lib.LS_SHM_MODE] = (
            perm.uid, perm.gid, perm.mode)
    r = call(_shmctl, "shmctl", shmid, c, _NULL, ds)
    if c in _STAT_CMDS:
        v = _unpack(ds, _SHM_SLOTS)
        result = ShmidDs(IpcPerm(*v[:7]), *v[7:])
        return result if c == _IPC_STAT else (r, result)
    return None if c in _RESULTLESS_CMDS else r


methods(process_madvise)

__all__ = ["mmap", "Mapping", "munmap", "mprotect", "madvise", "msync", "mlock", "mlock2",
           "munlock", "mincore", "mremap", "mlockall", "munlockall", "memfd_secret",
           "process_madvise", "shmget", "shmat", "shmdt", "shmctl", "ShmSegment", "ShmidDs",
           "IpcPerm"]
