"""memory: mappings, protection, advice, locking, protection keys, sealing, NUMA policy and
SysV shared memory (man 2 mmap, mprotect, madvise, mlock, mremap, mincore, memfd_secret,
process_madvise, pkey_alloc, mseal, mbind, set_mempolicy, move_pages, shmget, shmat ...).

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
  Mappings the caller places (an ``addr``, MAP.FIXED, MAP.FIXED_NOREPLACE, shmat's ``shmaddr``)
  have no buffer either: CPython picks the placeholder's address.  Mapping.mprotect() refuses
  to take away what the buffer exposes, and Mapping.madvise() advice that makes pages fault.
* close() of a Mapping with a buffer is ``mmap.mmap.close`` (CPython's munmap) and mremap()
  of a read-write one is ``mmap.mmap.resize`` (CPython's mremap, MREMAP_MAYMOVE): CPython
  checks the exports and updates its pointer in one step.  CPython resizes no read-only
  mmap.mmap: mremap() moves such a Mapping's pages onto a new one and returns that.  Mappings
  without a buffer use linuxsys's own calls.
* Reaching past what backs a mapping raises SIGBUS, so a file mapping may not extend beyond
  the page holding the end of file (ValueError, as for ``mmap.mmap``), and shared anonymous
  mappings and SysV segments do not grow.  A file truncated under a mapping still raises
  SIGBUS on access, as it does for ``mmap.mmap``.

Placing memory never replaces a live object (CONTRACT §5): mmap() with MAP.FIXED has
MAP_FIXED_NOREPLACE semantics, and Mapping.mremap() to a ``new_address`` the same, so what is
mapped there (Python's heap included) is never overwritten (FileExistsError instead).  The
module functions take a Mapping (then they are its methods) or a bare address.  The bare
address forms are UNSAFE: like syscall(), they act on whatever is mapped there, Python's own
memory included.  What can be checked is: a range overlapping a live Mapping raises
ValueError before any syscall (reach a Mapping's pages through its methods).
"""
from __future__ import annotations

import mmap as _pymmap
import operator
import sys
import warnings
import weakref
from typing import Any, Iterable, NamedTuple, Optional, TypeVar, Union, cast, overload

from ._core import (CHARS, U32, Buffer, call, call_buf, error, ffi, in_range, lib, release,
                    writable)
from ._core import c_int as _c_int, ipc_key
from .fd import Fd, FdArg, fdnum, methods
from .flags import FlagArg, flags_of, to_int
from .fs import fstat
from . import _sys_memory
from ._sys_memory import *  # noqa: F401,F403  (mlockall, munlockall: cdefs/memory.h)

from ._consts import (O, PROT, MAP, MADV, MSYNC, MLOCK, MREMAP, IPC, IPC_CMD, SHM, SHM_GET, SHM_CMD,
                      PKEY, MPOL, MPOL_MODE_F, MPOL_F, MPOL_MF)

_mmap = lib.ls_mmap
_munmap = lib.ls_munmap
_mprotect = lib.ls_mprotect
_madvise = lib.ls_madvise
_msync = lib.ls_msync
_mlock = lib.ls_mlock
_mlock2 = lib.ls_mlock2
_munlock = lib.ls_munlock
_mremap = lib.ls_mremap
_mincore = lib.ls_mincore
_memfd_secret = lib.ls_memfd_secret
_process_madvise = lib.ls_process_madvise
_shmget = lib.ls_shmget
_shmat = lib.ls_shmat
_shmdt = lib.ls_shmdt
_shmctl = lib.ls_shmctl
_pkey_alloc = lib.ls_pkey_alloc
_pkey_free = lib.ls_pkey_free
_pkey_mprotect = lib.ls_pkey_mprotect
_mseal = lib.ls_mseal
_set_mempolicy = lib.ls_set_mempolicy
_get_mempolicy = lib.ls_get_mempolicy
_mbind = lib.ls_mbind
_migrate_pages = lib.ls_migrate_pages
_move_pages = lib.ls_move_pages
_set_mempolicy_home_node = lib.ls_set_mempolicy_home_node

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
_MREMAP_DONTUNMAP = lib.MREMAP_DONTUNMAP
_SHM_RDONLY = lib.SHM_RDONLY
_SHM_REMAP = lib.SHM_REMAP
_SHM_RND = lib.SHM_RND
_SHMLBA = getattr(lib, "SHMLBA", _PAGE)  # the C library's: 4 pages on 32-bit ARM
_IPC_STAT = lib.IPC_STAT
_IPC_SET = lib.IPC_SET
_O_CLOEXEC = lib.O_CLOEXEC
_EINVAL = lib.EINVAL
_EEXIST = lib.EEXIST
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
_ULONG = (1 << _WORD) - 1
# Node masks: arrays of unsigned long.  The kernel reads maxnode - 1 bits of one (an old
# off-by-one kept as ABI) and takes at most a page of bits; get_mempolicy fills a mask of
# _NODE_BITS (at least the kernel's node count, or EINVAL).
_NODE_BITS = 32768
_MPOL_F_NODE = lib.MPOL_F_NODE
# mincore's vector is filled this many bytes of range at a time (64 KiB of vector), so that
# a huge length costs memory only for what is really mapped.
_MINCORE_SPAN = 65536 * _PAGE

# Placeholders whose range may hold another thread's mapping after a failed mmap: closing
# them would unmap it, so they are kept, never closed (see Mapping._abandon).
_LIMBO: list[Any] = []

# Every live Mapping, as weak references (a Mapping dropped without close() is unmapped by its
# __del__ and leaves the set through the callback): the raw-address calls refuse ranges that
# overlap one, and process_vm_writev to this process accepts only ranges inside one.  Read as
# a copy (set.copy runs no Python code, so no callback can change the set under it).
_LIVE: set[weakref.ref[Mapping]] = set()


def _address(value: Optional[int]) -> int:
    a = 0 if value is None else operator.index(value)
    if not 0 <= a < 1 << _WORD:
        raise ValueError(f"address {a:#x} is not a {_WORD}-bit unsigned address")
    return a


def _raw_address(value: Optional[int]) -> int:
    """The address of an UNSAFE raw-address call: None is refused (NULL would not mean "a
    Mapping" nor "anywhere" there, only the bottom of the address space)."""
    if value is None:
        raise TypeError("a Mapping or an int address is required, not None")
    return _address(value)


def _length(value: Optional[int]) -> int:
    """A length; None (a bare address without its length) is a TypeError."""
    n = operator.index(value)  # type: ignore[arg-type]
    if not 0 <= n < 1 << _WORD:
        raise ValueError(f"length {n} outside 0..2**{_WORD}")
    return n


def _pages(n: int) -> int:
    """``n`` rounded up to whole pages."""
    return -(-n // _PAGE) * _PAGE


def _live() -> list[Mapping]:
    return [m for m in (r() for r in _LIVE.copy()) if m is not None and m._len >= 0]


def _refuse_live(start: int, length: int, what: str) -> None:
    """ValueError if the pages of start..start+length hold part of a live Mapping: a raw
    address call there would pull memory from under it (a view would then fault)."""
    low, high = start - start % _PAGE, start + length
    if length:
        for m in _live():
            if m._addr < high and low < m._addr + _pages(m._len):
                raise ValueError(f"{what}: {start:#x}+{length} overlaps the live {m!r}: "
                                 f"use its methods, or close it first")


def writable_mapping_holds(start: int, length: int) -> bool:
    """Whether start..start+length lies inside one live Mapping that is not a read-only
    buffer (what process_vm_writev may write to in this very process)."""
    return any(m._need != _PROT_READ and m._addr <= start and start + length <= m._addr + m._len
               for m in _live())


def _buffer_address(m: _pymmap.mmap) -> int:
    p = _from_buffer(CHARS, m)
    try:
        return int(_cast("uintptr_t", p))
    finally:
        _release(p)


NodeMask = Union[Iterable[int], int, None]


def _nodemask(nodes: NodeMask, words: int = 0) -> tuple[Any, int]:
    """(unsigned long array or NULL, maxnode) for a set of node numbers, an int bit mask, or
    None (NULL, 0: no nodes); at least ``words`` words."""
    if nodes is None:
        return _NULL, 0
    if isinstance(nodes, int) and not isinstance(nodes, bool):
        bits = operator.index(nodes)
        if bits < 0:
            raise ValueError(f"negative node mask {bits}")
    else:
        bits = 0
        listed: Iterable[int] = nodes  # type: ignore[assignment]  # a bool: TypeError below
        for node in listed:
            n = operator.index(node)
            if not 0 <= n < _NODE_BITS:
                raise ValueError(f"node {n} outside 0..{_NODE_BITS - 1}")
            bits |= 1 << n
    if bits >> _NODE_BITS:
        raise ValueError(f"node mask {bits:#x} names nodes past {_NODE_BITS - 1}")
    words = max(words, 1, -(-bits.bit_length() // _WORD))
    mask = _new("unsigned long[]", [bits >> (i * _WORD) & _ULONG for i in range(words)])
    return mask, words * _WORD + 1


def _nodes_of(mask: Any, words: int) -> set[int]:
    """The node numbers set in an unsigned long array."""
    return {i * _WORD + b for i, w in enumerate(_unpack(mask, words)) if w
            for b in range(_WORD) if w >> b & 1}


def _mode(mode: FlagArg) -> int:
    """A policy mode: an MPOL member, optionally ORed with MPOL_MODE_F flags."""
    return _c_int(flags_of(mode, MPOL, MPOL_MODE_F), "mode")


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
    vec = _new("unsigned char[]", _pages(min(length, _MINCORE_SPAN)) // _PAGE)
    end, out = addr + length, bytearray()
    while True:
        n = min(end - addr, _MINCORE_SPAN)
        call(_mincore, "mincore", addr, n, vec)
        out += _buffer(vec, _pages(n) // _PAGE)
        addr += n
        if addr >= end:
            return bytes(out)


_M = TypeVar("_M", bound="Mapping")  # what a Mapping class method makes: Mapping, ShmSegment


class Mapping(_pymmap.mmap):
    """Memory mapped by mmap() (man 2 mmap): an ``mmap.mmap`` over it (see the module's doc).

    ``close()``, ``with`` or garbage collection (with a ResourceWarning, as an unclosed Fd)
    unmap it; close() raises BufferError while memoryviews or other exports are alive, and
    once closed every use raises ValueError.  ``address`` and ``len()`` give the range; the
    range methods act on ``start``..``start + length`` (default: to the end)."""

    __slots__ = ("_addr", "_len", "_need", "_limit", "_ref", "_sealed")
    _UNMAP = "munmap"

    # _addr: the start; _len: the length, -1 once closed (or before the mapping is in);
    # _need: the PROT bits the buffer relies on (0: no buffer); _limit: how long the mapping
    # may grow before access would raise SIGBUS (None: no limit); _ref: its entry in _LIVE;
    # _sealed: mseal() reached some of it, so the kernel refuses to unmap or move it.
    # (Declared for the type checkers: the slots above hold them.)
    _addr: int
    _len: int
    _need: int
    _limit: Optional[int]
    _ref: Optional[weakref.ref[Mapping]]
    _sealed: bool

    def __new__(cls, *args: Any, **kwargs: Any) -> "Mapping":
        raise TypeError(f"{cls.__name__}s are made by linuxsys.mmap() and shmat()")

    @classmethod
    def _placeholder(cls: type[_M], length: int, need: int, flags: int) -> _M:
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
        self._len, self._ref, self._sealed = -1, None, False
        self._addr, self._need, self._limit = _buffer_address(self), need, None
        return self

    @classmethod
    def _bufferless(cls: type[_M]) -> _M:
        """A Mapping that exports nothing: a closed mmap.mmap raises ValueError instead.  Made
        before the syscall, so that nothing can fail between it and the object holding it."""
        self = _pymmap.mmap.__new__(cls, -1, 1, flags=_MAP_PRIVATE, prot=_PROT_NONE)
        _pymmap.mmap.close(self)
        self._len, self._addr, self._need, self._limit, self._ref = -1, 0, 0, None, None
        self._sealed = False
        return self

    def _in(self, addr: int, length: int) -> None:
        """The mapping is in at addr..addr+length: live from now on."""
        self._addr, self._len = addr, length
        self._ref = weakref.ref(self, _LIVE.discard)
        _LIVE.add(self._ref)

    def _out(self) -> None:
        """The mapping is gone (or about to go): closed, and no longer live."""
        self._len = -1
        _LIVE.discard(self._ref)

    def _abandon(self, early: int, length: int) -> None:
        """Dispose of a placeholder the real mapping failed to replace.  Closing unmaps its
        range, so only when that is still ours: the failure came ``early``, before the kernel
        touched the range, or the hole a later failure leaves (older kernels unmap first) is
        taken back.  Otherwise another thread may have mapped into the hole meanwhile: the
        placeholder is kept, never closed."""
        if early or _take_back(self._addr, length):
            _pymmap.mmap.close(self)
        else:
            _LIMBO.append(self)

    def _adopt(self, addr: int, length: int, new_length: int) -> None:
        """Move the mapping at ``addr`` onto this placeholder, ``new_length`` long (mremap
        MREMAP_FIXED)."""
        out = _new("int64_t *")
        r = _mremap(addr, length, new_length, _MREMAP_MAYMOVE | _MREMAP_FIXED, self._addr, out)
        if r < 0:
            self._abandon(False, new_length)
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
        BufferError while memoryviews or other exports are alive, as mmap.mmap.close.
        PermissionError (EPERM, the kernel's answer) once mseal() sealed any of it: a sealed
        mapping stays mapped, and this Mapping open, for the life of the process."""
        if self._len < 0:
            return
        if self._sealed:
            raise error(lib.EPERM, self._UNMAP)
        if self._need:
            _pymmap.mmap.close(self)  # checks the exports, then munmaps
            self._out()
            return
        addr, n = self._addr, self._len
        self._out()
        r = self._unmap(addr, n)
        if r < 0:
            raise error(-r, self._UNMAP)

    def __enter__(self) -> "Mapping":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_len", -1) >= 0 and self._sealed:
            self._out()  # nothing can unmap it: no warning (mmap.mmap's munmap fails quietly)
        elif getattr(self, "_len", -1) >= 0:  # unset if CPython's own mmap call failed
            try:
                warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self)
            finally:
                if not self._need:  # else mmap.mmap's own deallocation unmaps
                    addr, n = self._addr, self._len
                    self._out()
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
        p = _c_int(to_int(prot, PROT), "prot")
        addr, n = self._range(start, length)
        if p & self._need != self._need:
            raise ValueError(f"{PROT(p)!r} would make this Mapping's {_BUFFER[self._need]} "
                             f"buffer fault; map it with that protection from the start")
        call(_mprotect, "mprotect", addr, n, p)

    def madvise(self, advice: FlagArg, start: int = 0,
                length: Optional[int] = None) -> None:
        """Advise the kernel on the mapping's use (man 2 madvise; ``MADV``).  ValueError for
        advice that would make a buffer's pages fault (DONTFORK, HWPOISON, GUARD_INSTALL)."""
        a = _c_int(to_int(advice, MADV), "advice")
        addr, n = self._range(start, length)
        if self._need and a not in _HARMLESS_ADVICE:
            raise ValueError(f"advice {a} would make this Mapping's buffer fault")
        call(_madvise, "madvise", addr, n, a)

    def msync(self, flags: FlagArg = lib.MS_SYNC, start: int = 0,
              length: Optional[int] = None) -> None:
        """Write a shared file mapping back to its file (man 2 msync; ``MSYNC`` flags)."""
        f = _c_int(to_int(flags, MSYNC), "flags")
        call(_msync, "msync", *self._range(start, length), f)

    def mlock(self, flags: FlagArg = 0, start: int = 0, length: Optional[int] = None) -> None:
        """Lock the pages in RAM (man 2 mlock; mlock2 with ``MLOCK`` flags)."""
        f = in_range(to_int(flags, MLOCK), "flags", 0, U32)
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

    def pkey_mprotect(self, prot: FlagArg, pkey: int, start: int = 0,
                      length: Optional[int] = None) -> None:
        """Change the protection of whole pages and tag them with protection key ``pkey``
        (man 2 pkey_mprotect; -1: keep the key, plain mprotect).  ValueError as for
        mprotect(), and for a key other than -1 or 0 (the default key) on a Mapping with a
        buffer: a key's rights (per thread, in a CPU register) could deny a view access."""
        p = _c_int(to_int(prot, PROT), "prot")
        k = _c_int(pkey, "pkey")
        addr, n = self._range(start, length)
        if p & self._need != self._need:
            raise ValueError(f"{PROT(p)!r} would make this Mapping's {_BUFFER[self._need]} "
                             f"buffer fault; map it with that protection from the start")
        if self._need and k not in (-1, 0):
            raise ValueError(f"protection key {k} may deny this Mapping's buffer access: "
                             f"tag Mappings without a buffer")
        call(_pkey_mprotect, "pkey_mprotect", addr, n, p, k)

    def mseal(self, flags: int = 0, start: int = 0, length: Optional[int] = None) -> None:
        """Seal the mapping or whole pages of it (man 2 mseal, Linux 6.10, 64-bit kernels):
        from now on the kernel refuses to unmap, move, shrink or grow them or change their
        protection, for the life of the process.  close() then raises PermissionError and
        leaves this Mapping open (see close()); ``flags`` must be 0."""
        f = in_range(flags, "flags", 0, _ULONG)
        addr, n = self._range(start, length)
        call(_mseal, "mseal", addr, n, f)
        self._sealed = True

    def mbind(self, mode: FlagArg, nodemask: NodeMask = None, flags: FlagArg = 0,
              start: int = 0, length: Optional[int] = None) -> None:
        """Set the NUMA memory policy of whole pages of the mapping (man 2 mbind): ``mode``
        an ``MPOL`` member, optionally with ``MPOL_MODE_F`` flags; ``nodemask`` a set of node
        numbers (or an int bit mask; None: no nodes); ``MPOL_MF`` flags (STRICT, MOVE:
        migrate pages already there; contents are kept)."""
        m, (mask, maxnode) = _mode(mode), _nodemask(nodemask)
        f = in_range(to_int(flags, MPOL_MF), "flags", 0, U32)
        addr, n = self._range(start, length)
        call(_mbind, "mbind", addr, n, m, mask, maxnode, f)

    def set_mempolicy_home_node(self, home_node: int, flags: int = 0, start: int = 0,
                                length: Optional[int] = None) -> None:
        """Set the node whose memory MPOL.BIND and MPOL.PREFERRED_MANY policies of the mapping
        (from mbind()) allocate first (man 2 set_mempolicy_home_node, Linux 5.17); pages
        with another policy are left alone (OSError EOPNOTSUPP for MPOL.INTERLEAVE ...)."""
        node = in_range(home_node, "home_node", 0, _ULONG)
        f = in_range(flags, "flags", 0, _ULONG)
        addr, n = self._range(start, length)
        call(_set_mempolicy_home_node, "set_mempolicy_home_node", addr, n, node, f)

    def mremap(self, new_size: int, flags: FlagArg = _MREMAP_MAYMOVE,
               new_address: int = 0) -> "Mapping":
        """Grow or shrink the mapping, moving it if need be (man 2 mremap); returns the
        Mapping at its new place.

        That is this very Mapping, except for a read-only buffer, which CPython cannot resize:
        its pages move onto a new Mapping, which is returned, and this one is closed (as for
        close(), BufferError while its exports are alive; no other thread may be taking views
        of it meanwhile).  With a buffer: MREMAP.MAYMOVE only, BufferError while exports are
        alive, ValueError past what backs it (SIGBUS there).  Without one, MREMAP.FIXED moves
        it to ``new_address`` only if nothing is mapped there (FileExistsError otherwise,
        ValueError over a live Mapping, this one included): the kernel's MREMAP_FIXED would
        unmap whatever is there, but this form never replaces memory."""
        self._check()
        n = _length(new_size)
        f = _c_int(to_int(flags, MREMAP), "flags")
        dest = _address(new_address)
        if self._sealed:
            raise error(lib.EPERM, "mremap")  # the kernel's answer, before any placeholder
        if self._need:
            if f != _MREMAP_MAYMOVE or dest:
                raise ValueError("a Mapping with a buffer moves as mmap.mmap.resize does: "
                                 "MREMAP.MAYMOVE, no new_address")
            if self._limit is not None and n > self._limit:
                raise ValueError(f"{n} bytes reach past the {self._limit} that back this "
                                 f"mapping: access there would raise SIGBUS")
            if self._need != _RW:
                return self._moved(n)
            _pymmap.mmap.resize(self, n)  # refuses while exported, then moves the pointer
            self._addr = _buffer_address(self)
        elif f & _MREMAP_FIXED:
            self._move_to(dest, n, f)
        else:
            out = _new("int64_t *")
            call(_mremap, "mremap", self._addr, self._len, n, f, dest, out)
            self._addr = out[0]
        self._len = n
        return self

    def _moved(self, n: int) -> "Mapping":
        """mremap of a read-only buffer: its pages moved onto a new read-only placeholder of n
        bytes, which is returned; this one is closed."""
        try:
            _pymmap.mmap.resize(self, self._len)  # BufferError while exported: checked first
        except TypeError:
            pass  # CPython's "can't resize a readonly memory map": no exports, then
        new = type(self)._placeholder(n, self._need, 0)
        new._adopt(self._addr, self._len, n)
        old = self._len
        self._out()
        self._abandon(False, old)  # a hole now: closed only once taken back (see _abandon)
        new._limit = self._limit
        if isinstance(self, ShmSegment):
            new.shmid = self.shmid  # type: ignore[attr-defined]
        new._in(new._addr, n)
        return new

    def _move_to(self, dest: int, n: int, flags: int) -> None:
        """MREMAP_FIXED with MAP_FIXED_NOREPLACE semantics: the destination is first reserved
        with a placeholder, which fails if anything is mapped there, then replaced."""
        if (dest % _PAGE or not n or flags & ~(_MREMAP_MAYMOVE | _MREMAP_FIXED | _MREMAP_DONTUNMAP)
                or not flags & _MREMAP_MAYMOVE
                or flags & _MREMAP_DONTUNMAP and _pages(n) != _pages(self._len)):
            raise error(_EINVAL, "mremap")  # the kernel's first checks, before reserving
        _refuse_live(dest, n, "mremap")
        if not _take_back(dest, n):
            raise error(_EEXIST, "mremap")
        out = _new("int64_t *")
        r = _mremap(self._addr, self._len, n, flags, dest, out)
        if r < 0:
            # The kernel unmaps the destination before most of its failures: take the hole
            # back and free it.  If that fails, our reservation is still there (an early
            # failure) or another thread mapped into the hole: left alone, never unmapped
            # blindly (a PROT_NONE reservation costs address space only).
            if _take_back(dest, n):
                _munmap(dest, n)
            raise error(-r, "mremap")
        self._addr = out[0]

    def resize(self, newsize: int) -> None:
        """mmap.mmap's name for mremap(newsize); TypeError for a read-only buffer, as for
        mmap.mmap (mremap() moves it and returns the new Mapping)."""
        if self._need == _PROT_READ and self._len >= 0:
            raise TypeError("mmap can't resize a readonly memory map in place: mremap() "
                            "moves it and returns the new Mapping")
        self.mremap(newsize)


class ShmSegment(Mapping):
    """A SysV shared memory segment attached by shmat() (man 2 shmat): a Mapping whose
    close() (and shmdt(), ``with``, garbage collection) detaches it.  ``shmid`` is its id."""

    __slots__ = ("shmid",)
    _UNMAP = "shmdt"
    shmid: int

    def _unmap(self, addr: int, length: int) -> int:
        return _shmdt(addr)


def mmap(addr: Optional[int], length: int, prot: FlagArg = _RW, flags: Optional[FlagArg] = None,
         fd: FdArg = -1, offset: int = 0) -> Mapping:
    """Map files or memory (man 2 mmap; mmap2 on 32-bit arches): a Mapping.

    Kernel order: ``mmap(0, 4096)`` maps 4096 bytes read-write.  ``addr`` (0 or None: the
    kernel chooses) is a hint, or the place with MAP.FIXED / MAP.FIXED_NOREPLACE: such a
    mapping, like one without PROT.READ, has no buffer.  MAP.FIXED never replaces what is
    mapped there: it is taken as MAP.FIXED_NOREPLACE (FileExistsError if anything is there;
    emulated on kernels before 4.17), and a range overlapping a live Mapping raises
    ValueError before any syscall.  ``flags`` None is MAP.SHARED, plus MAP.ANONYMOUS when
    ``fd`` is -1, as for mmap.mmap.  ``offset`` may pass 4 GiB on every arch.

    https://man7.org/linux/man-pages/man2/mmap.2.html

    Raises:
        FileExistsError: MAP.FIXED (taken as MAP.FIXED_NOREPLACE) where something is mapped
            already (EEXIST).
        PermissionError: ``fd`` not open for reading, or for writing with MAP.SHARED and
            PROT.WRITE, an append-only file (EACCES); PROT.EXEC on a noexec mount, a sealed file
            (EPERM).
        OSError: EINVAL for a length of 0, a misaligned placed address or offset, or flags the
            kernel refuses, ENOMEM (no room, or RLIMIT_AS), ENODEV (a file that cannot be
            mapped), EBADF, EOVERFLOW, ETXTBSY ...; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``fd`` is a closed Fd.
        TypeError: ``prot``/``flags`` not an int, member or name string, or an address, length,
            offset or fd of the wrong type, before any call.
        ValueError: a file mapping reaching past the page holding the end of file, a placed
            range overlapping a live Mapping, a negative offset, an address or length out of
            range, or an unknown flag name, before any call.
        OverflowError: ``prot``, ``flags``, ``fd`` or ``offset`` past its C type, before any
            call.
    """
    a, n = _address(addr), _length(length)
    p = _c_int(to_int(prot, PROT), "prot")
    fdn = _c_int(fdnum(fd), "fd")
    f = in_range(to_int(flags, MAP), "flags", 0, U32) if flags is not None else (
        _MAP_SHARED | (_MAP_ANONYMOUS if fdn == -1 else 0))
    off = operator.index(offset)
    if off < 0:
        raise ValueError(f"negative offset {off}")
    in_range(off, "offset", 0, (1 << 63) - 1)
    need = _RW if p & _RW == _RW else p & _PROT_READ
    out = _new("int64_t *")
    if f & _PLACED:
        if a % _PAGE:
            raise error(_EINVAL, "mmap")  # the kernel's answer (its hint emulation would move it)
        _refuse_live(a, n, "mmap")
        m = Mapping._bufferless()
        call(_mmap, "mmap", a, n, p, f & ~_MAP_FIXED | _MAP_FIXED_NOREPLACE, fdn, off, out)
        if out[0] != a:  # a kernel before 4.17 takes MAP_FIXED_NOREPLACE for a hint
            _munmap(out[0], n)
            raise error(_EEXIST, "mmap")
        m._in(a, n)
        return m
    if (not need or a or not 0 < n <= sys.maxsize or off % _PAGE
            or (need != _RW and f & _ALIGN)):  # no buffer (or the kernel's EINVAL, ENOMEM)
        m = Mapping._bufferless()
        call(_mmap, "mmap", a, n, p, f, fdn, off, out)
        m._in(out[0], n)
        return m
    limit = _backing(f, fdn, n, off)
    m = Mapping._placeholder(n, need, f & _ALIGN)
    r = _mmap(m._addr, n, p, f | _MAP_FIXED, fdn, off, out)
    if r < 0:  # EINVAL comes early unless a file's mmap method says it
        m._abandon(-r in _EARLY or (-r == _EINVAL and f & _MAP_ANONYMOUS), n)
        raise error(-r, "mmap")
    m._limit = limit
    m._in(m._addr, n)
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
    """Unmap (man 2 munmap): a Mapping (its close()), or bare addresses (UNSAFE: whatever is
    mapped there goes; ValueError over a live Mapping).

    https://man7.org/linux/man-pages/man2/munmap.2.html

    Raises:
        PermissionError: part of the range (or of the Mapping) is sealed by mseal() (EPERM).
        OSError: EINVAL for a misaligned address or a length of 0 (bare addresses); the subclass
            os raises for any other errno (UnsupportedError for ENOSYS).
        BufferError: the Mapping has memoryviews or other exports alive (as mmap.mmap).
        TypeError: an address or ``length`` of the wrong type (a bare address needs its
            ``length``), before any call.
        ValueError: a ``length`` other than the Mapping's own (any, for a closed Mapping),
            ``length`` out of range or an address that is no unsigned one, or a range
            overlapping a live Mapping (bare addresses), before any call.
    """
    if isinstance(addr, Mapping):
        if length is not None and length != len(addr):
            raise ValueError("a Mapping is unmapped whole: close() it")
        addr.close()
        return
    a, n = _raw_address(addr), _length(length)
    _refuse_live(a, n, "munmap")
    call(_munmap, "munmap", a, n)


def mprotect(addr: MappingArg, len: Optional[int], prot: FlagArg) -> None:
    """Change protection (man 2 mprotect): of a Mapping's first ``len`` bytes (None: all), as
    Mapping.mprotect, or of bare addresses (UNSAFE; ValueError over a live Mapping).

    https://man7.org/linux/man-pages/man2/mprotect.2.html

    Raises:
        PermissionError: a protection the mapping's file does not allow (EACCES), or a sealed
            range (EPERM).
        OSError: ENOMEM for addresses not mapped, EINVAL for a misaligned address or bad
            ``prot``; the subclass os raises for any other errno (UnsupportedError for ENOSYS).
        TypeError: an address or ``len`` of the wrong type (a bare address needs its ``len``),
            or ``prot`` not an int, PROT member or name string, before any call.
        ValueError: a protection that would make a Mapping's buffer fault, ``len`` out of range
            or an address that is no unsigned one, a range overlapping a live Mapping (bare
            addresses), outside the Mapping or a closed Mapping, or an unknown PROT name, before
            any call.
        OverflowError: ``prot`` does not fit a C int, before any call.
    """
    if isinstance(addr, Mapping):
        addr.mprotect(prot, 0, len)
        return
    a, n, p = _raw_address(addr), _length(len), _c_int(to_int(prot, PROT), "prot")
    _refuse_live(a, n, "mprotect")
    call(_mprotect, "mprotect", a, n, p)


def madvise(addr: MappingArg, length: Optional[int], advice: FlagArg) -> None:
    """Advise on memory use (man 2 madvise; ``MADV``): a Mapping's first ``length`` bytes
    (None: all), as Mapping.madvise, or bare addresses (UNSAFE; ValueError over a live
    Mapping).

    https://man7.org/linux/man-pages/man2/madvise.2.html

    Raises:
        PermissionError: MADV.REMOVE on memory that is not shared and writable (EACCES),
            MADV.HWPOISON without CAP_SYS_ADMIN or advice that discards sealed pages (EPERM).
        BlockingIOError: a kernel resource was temporarily unavailable (EAGAIN).
        OSError: EINVAL for advice this kernel does not know or cannot apply there, ENOMEM for
            addresses not mapped, EBADF, EIO ...; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        TypeError: an address or ``length`` of the wrong type (a bare address needs its
            ``length``), or ``advice`` not an int, MADV member or name string, before any call.
        ValueError: advice that would make a Mapping's buffer fault, ``length`` out of range or
            an address that is no unsigned one, a range overlapping a live Mapping (bare
            addresses), outside the Mapping or a closed Mapping, or an unknown MADV name, before
            any call.
        OverflowError: ``advice`` does not fit a C int, before any call.
    """
    if isinstance(addr, Mapping):
        addr.madvise(advice, 0, length)
        return
    a, n, v = _raw_address(addr), _length(length), _c_int(to_int(advice, MADV), "advice")
    _refuse_live(a, n, "madvise")
    call(_madvise, "madvise", a, n, v)


def msync(addr: MappingArg, length: Optional[int], flags: FlagArg = lib.MS_SYNC) -> None:
    """Write a shared file mapping back to its file (man 2 msync; ``MSYNC`` flags, also flat
    as MS_SYNC ...: ``L.MS`` is mount(2)'s): a Mapping's first ``length`` bytes, or bare
    addresses (UNSAFE; ValueError over a live Mapping).

    https://man7.org/linux/man-pages/man2/msync.2.html

    Raises:
        OSError: EBUSY for MSYNC.INVALIDATE over locked pages, EINVAL for a misaligned address
            or bad flags, ENOMEM for addresses not mapped; the subclass os raises for any other
            errno (UnsupportedError for ENOSYS).
        TypeError: an address or ``length`` of the wrong type (a bare address needs its
            ``length``), or ``flags`` not an int, MSYNC member or name string, before any call.
        ValueError: ``length`` out of range or an address that is no unsigned one, a range
            overlapping a live Mapping (bare addresses), outside the Mapping or a closed
            Mapping, or an unknown MSYNC name, before any call.
        OverflowError: ``flags`` does not fit a C int, before any call.
    """
    if isinstance(addr, Mapping):
        addr.msync(flags, 0, length)
        return
    a, n, f = _raw_address(addr), _length(length), _c_int(to_int(flags, MSYNC), "flags")
    _refuse_live(a, n, "msync")
    call(_msync, "msync", a, n, f)


def mlock(addr: MappingArg, len: Optional[int]) -> None:
    """Lock pages in RAM (man 2 mlock): a Mapping's first ``len`` bytes, or bare addresses
    (UNSAFE; ValueError over a live Mapping).

    https://man7.org/linux/man-pages/man2/mlock.2.html

    Raises:
        PermissionError: no CAP_IPC_LOCK and a RLIMIT_MEMLOCK of 0 (EPERM).
        BlockingIOError: some of the pages could not be locked (EAGAIN).
        OSError: ENOMEM past RLIMIT_MEMLOCK or for addresses not mapped, EINVAL; the subclass os
            raises for any other errno (UnsupportedError for ENOSYS).
        TypeError: an address or ``len`` of the wrong type (a bare address needs its ``len``),
            before any call.
        ValueError: ``len`` out of range or an address that is no unsigned one, a range
            overlapping a live Mapping (bare addresses), outside the Mapping or a closed
            Mapping, before any call.
    """
    mlock2(addr, len)


def mlock2(addr: MappingArg, len: Optional[int], flags: FlagArg = 0) -> None:
    """Lock pages in RAM, with MLOCK.ONFAULT only as they fault in (man 2 mlock2; plain mlock
    when ``flags`` is 0): a Mapping's first ``len`` bytes, or bare addresses (UNSAFE;
    ValueError over a live Mapping).

    https://man7.org/linux/man-pages/man2/mlock2.2.html

    Raises:
        PermissionError: no CAP_IPC_LOCK and a RLIMIT_MEMLOCK of 0 (EPERM).
        BlockingIOError: some of the pages could not be locked (EAGAIN).
        OSError: ENOMEM past RLIMIT_MEMLOCK or for addresses not mapped, EINVAL for flags the
            kernel does not know; the subclass os raises for any other errno (UnsupportedError
            for ENOSYS: mlock2 before Linux 4.4).
        TypeError: an address or ``len`` of the wrong type (a bare address needs its ``len``),
            or ``flags`` not an int, MLOCK member or name string, before any call.
        ValueError: ``len`` out of range or an address that is no unsigned one, a range
            overlapping a live Mapping (bare addresses), outside the Mapping or a closed
            Mapping, or an unknown MLOCK name, before any call.
        OverflowError: ``flags`` outside 0..2**32-1, before any call.
    """
    if isinstance(addr, Mapping):
        addr.mlock(flags, 0, len)
        return
    a, n = _raw_address(addr), _length(len)
    f = in_range(to_int(flags, MLOCK), "flags", 0, U32)
    _refuse_live(a, n, "mlock")
    if f:
        call(_mlock2, "mlock2", a, n, f)
    else:
        call(_mlock, "mlock", a, n)


def munlock(addr: MappingArg, len: Optional[int]) -> None:
    """Unlock pages (man 2 munlock): a Mapping's first ``len`` bytes, or bare addresses
    (UNSAFE; ValueError over a live Mapping).

    https://man7.org/linux/man-pages/man2/munlock.2.html

    Raises:
        OSError: ENOMEM for addresses not mapped, EINVAL; the subclass os raises for any other
            errno (UnsupportedError for ENOSYS).
        TypeError: an address or ``len`` of the wrong type (a bare address needs its ``len``),
            before any call.
        ValueError: ``len`` out of range or an address that is no unsigned one, a range
            overlapping a live Mapping (bare addresses), outside the Mapping or a closed
            Mapping, before any call.
    """
    if isinstance(addr, Mapping):
        addr.munlock(0, len)
        return
    a, n = _raw_address(addr), _length(len)
    _refuse_live(a, n, "munlock")
    call(_munlock, "munlock", a, n)


def mincore(addr: MappingArg, length: Optional[int]) -> bytes:
    """One byte per page, bit 0 set if resident in RAM (man 2 mincore): of a Mapping's first
    ``length`` bytes, or of bare addresses (UNSAFE; ValueError over a live Mapping).

    https://man7.org/linux/man-pages/man2/mincore.2.html

    Raises:
        BlockingIOError: the kernel was temporarily out of resources (EAGAIN).
        OSError: ENOMEM for addresses not mapped, EINVAL for a misaligned address; the subclass
            os raises for any other errno (UnsupportedError for ENOSYS).
        TypeError: an address or ``length`` of the wrong type (a bare address needs its
            ``length``), before any call.
        ValueError: ``length`` out of range or an address that is no unsigned one, a range
            overlapping a live Mapping (bare addresses), outside the Mapping or a closed
            Mapping, before any call.
    """
    if isinstance(addr, Mapping):
        return addr.mincore(0, length)
    a, n = _raw_address(addr), _length(length)
    _refuse_live(a, n, "mincore")
    return _mincore_of(a, n)


@overload
def mremap(old_address: Mapping, old_size: Optional[int], new_size: int, flags: FlagArg = 0,
           new_address: int = 0) -> Mapping: ...
@overload
def mremap(old_address: int, old_size: Optional[int], new_size: int, flags: FlagArg = 0,
           new_address: int = 0) -> int: ...
def mremap(old_address: MappingArg, old_size: Optional[int], new_size: int, flags: FlagArg = 0,
           new_address: int = 0) -> Union[Mapping, int]:
    """Grow, shrink or move a mapping (man 2 mremap; ``MREMAP`` flags): a Mapping (the
    Mapping at its new place is returned, as Mapping.mremap; ``old_size`` None or its
    length), or bare addresses (UNSAFE: returns the new address; ValueError if the old
    range, or the new one with MREMAP.FIXED, overlaps a live Mapping).

    https://man7.org/linux/man-pages/man2/mremap.2.html

    Raises:
        FileExistsError: MREMAP.FIXED of a Mapping to where something is mapped (EEXIST).
        PermissionError: the mapping is sealed by mseal() (EPERM).
        BlockingIOError: growing locked memory past RLIMIT_MEMLOCK (EAGAIN).
        OSError: ENOMEM when the mapping cannot grow in place without MREMAP.MAYMOVE (or no
            address is free), EINVAL for flags, sizes or addresses the kernel refuses, EFAULT
            for addresses not mapped; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        BufferError: a Mapping with a buffer has memoryviews or other exports alive.
        TypeError: an address or size of the wrong type (a bare address needs ``old_size``), or
            ``flags`` not an int, MREMAP member or name string, before any call.
        ValueError: an ``old_size`` other than the Mapping's own, flags or a ``new_address`` a
            Mapping with a buffer cannot take, a size past what backs it, a range overlapping a
            live Mapping, a closed Mapping, an address or size out of range, or an unknown
            MREMAP name, before any call.
        OverflowError: ``flags`` does not fit a C int, before any call.
    """
    if isinstance(old_address, Mapping):
        if old_size is not None and old_size != len(old_address):
            raise ValueError("a Mapping is remapped whole")
        return old_address.mremap(new_size, flags, new_address)
    a, n_old, n = _raw_address(old_address), _length(old_size), _length(new_size)
    f, dest = _c_int(to_int(flags, MREMAP), "flags"), _address(new_address)
    _refuse_live(a, n_old, "mremap")
    if f & _MREMAP_FIXED:
        _refuse_live(dest, n, "mremap")
    out = _new("int64_t *")
    call(_mremap, "mremap", a, n_old, n, f, dest, out)
    moved: int = out[0]
    return moved


def memfd_secret(flags: FlagArg = 0, *, inheritable: bool = False) -> Fd:
    """An fd for memory that even the kernel does not map (man 2 memfd_secret): ftruncate it,
    then mmap it MAP.SHARED; close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/memfd_secret.2.html

    Raises:
        OSError: EINVAL for flags other than O.CLOEXEC, EMFILE, ENFILE, ENOMEM; the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: before Linux 5.14, or
            secretmem not enabled).
        TypeError: ``flags`` not an int, O member or name string, before any call.
        ValueError: an unknown O name, before any call.
        OverflowError: ``flags`` outside 0..2**32-1, before any call.
    """
    f = in_range(to_int(flags, O), "flags", 0, U32)
    if not inheritable:
        f |= _O_CLOEXEC
    return Fd(call(_memfd_secret, "memfd_secret", f))


def process_madvise(pidfd: FdArg, iovec: Iterable[Union[Mapping, tuple[int, int]]],
                    advice: FlagArg, flags: int = 0) -> int:
    """Advise on a process's memory through its pidfd (man 2 process_madvise): ``iovec`` is
    Mappings (of this process) or (address, length) pairs; returns the bytes advised.  The
    kernel takes only advice that keeps memory readable (COLD, PAGEOUT, WILLNEED, COLLAPSE),
    so pairs may name any memory.

    https://man7.org/linux/man-pages/man2/process_madvise.2.html

    Raises:
        ProcessLookupError: the process has exited (ESRCH).
        PermissionError: no CAP_SYS_NICE, or no ptrace read access to the process (EPERM).
        OSError: EINVAL for advice or flags the kernel refuses (it takes only COLD, PAGEOUT,
            WILLNEED, COLLAPSE), EBADF for a bad pidfd, ENOMEM, EFAULT; the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: before Linux 5.10).
        ClosedFdError: ``pidfd`` is a closed Fd.
        TypeError: an ``iovec`` item that is neither a Mapping nor an (address, length) pair, a
            number of the wrong type, or ``advice`` not an int, MADV member or name string,
            before any call.
        ValueError: advice that would make a Mapping's buffer fault, a closed Mapping, an
            address or length out of range, or an unknown MADV name, before any call.
        OverflowError: ``advice`` or ``flags`` does not fit its C type, before any call.
    """
    a = _c_int(to_int(advice, MADV), "advice")
    f = in_range(flags, "flags", 0, U32)
    n = fdnum(pidfd)
    ranges: list[tuple[int, int]] = []
    for item in iovec:
        if isinstance(item, Mapping):
            if item._need and a not in _HARMLESS_ADVICE:
                raise ValueError(f"advice {a} would make a Mapping's buffer fault")
            ranges.append((item.address, len(item)))
        else:
            start, length = item
            ranges.append((_raw_address(start), _length(length)))
    iov = _new("struct iovec[]", len(ranges))
    for (start, length), slot in zip(ranges, iov):
        slot.iov_base = _cast("void *", start)
        slot.iov_len = length
    return call(_process_madvise, "process_madvise", n, iov, len(ranges), a, f)


# ---- protection keys, sealing, NUMA policy ------------------------------------------------

def pkey_alloc(flags: int = 0, access_rights: FlagArg = 0) -> int:
    """A new protection key (man 2 pkey_alloc, man 7 pkeys), its rights for this thread
    ``PKEY`` flags (DISABLE_ACCESS, DISABLE_WRITE); ``flags`` must be 0.

    https://man7.org/linux/man-pages/man2/pkey_alloc.2.html

    Raises:
        OSError: ENOSPC when no key is left, or the CPU or kernel has none (x86 without PKU);
            EINVAL for bad flags or rights; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        TypeError: ``flags`` not an int, or ``access_rights`` not an int, PKEY member or name
            string, before any call.
        ValueError: an unknown PKEY name, before any call.
        OverflowError: ``flags`` or ``access_rights`` outside 0..2**32-1, before any call.
    """
    f = in_range(flags, "flags", 0, U32)
    rights = in_range(to_int(access_rights, PKEY), "access_rights", 0, U32)
    return call(_pkey_alloc, "pkey_alloc", f, rights)


def pkey_free(pkey: int) -> None:
    """Free a protection key (man 2 pkey_free); memory tagged with it keeps the tag.

    https://man7.org/linux/man-pages/man2/pkey_alloc.2.html

    Raises:
        OSError: EINVAL for a key not allocated; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        TypeError: ``pkey`` not an int, before any call.
        OverflowError: ``pkey`` does not fit a C int, before any call.
    """
    call(_pkey_free, "pkey_free", _c_int(pkey, "pkey"))


def pkey_mprotect(addr: MappingArg, len: Optional[int], prot: FlagArg, pkey: int) -> None:
    """Change protection and tag pages with protection key ``pkey`` (man 2 pkey_mprotect;
    -1: no key, as mprotect): a Mapping's first ``len`` bytes (None: all), as
    Mapping.pkey_mprotect, or bare addresses (UNSAFE; ValueError over a live Mapping).

    https://man7.org/linux/man-pages/man2/pkey_mprotect.2.html

    Raises:
        PermissionError: a protection the mapping's file does not allow (EACCES), or a sealed
            range (EPERM).
        OSError: EINVAL for a key not allocated or bad ``prot``, ENOMEM for addresses not
            mapped; the subclass os raises for any other errno (UnsupportedError for ENOSYS).
        TypeError: an address or ``len`` of the wrong type (a bare address needs its ``len``),
            ``pkey`` not an int, or ``prot`` not an int, PROT member or name string, before any
            call.
        ValueError: a protection that would make a Mapping's buffer fault, a key other than -1
            or 0 on a Mapping with a buffer, ``len`` out of range or an address that is no
            unsigned one, a range overlapping a live Mapping (bare addresses), outside the
            Mapping or a closed Mapping, or an unknown PROT name, before any call.
        OverflowError: ``prot`` or ``pkey`` does not fit a C int, before any call.
    """
    if isinstance(addr, Mapping):
        addr.pkey_mprotect(prot, pkey, 0, len)
        return
    a, n, p = _raw_address(addr), _length(len), _c_int(to_int(prot, PROT), "prot")
    k = _c_int(pkey, "pkey")
    _refuse_live(a, n, "pkey_mprotect")
    call(_pkey_mprotect, "pkey_mprotect", a, n, p, k)


def mseal(addr: MappingArg, len: Optional[int] = None, flags: int = 0) -> None:
    """Seal memory against unmapping, moving and protection changes for the life of the
    process (man 2 mseal, Linux 6.10, 64-bit kernels): a Mapping's first ``len`` bytes (None:
    all), as Mapping.mseal (its close() then raises PermissionError), or bare addresses
    (UNSAFE; ValueError over a live Mapping).

    https://man7.org/linux/man-pages/man2/mseal.2.html

    Raises:
        PermissionError: sealing is not allowed there (EPERM).
        OSError: EINVAL for flags other than 0 or a misaligned address, ENOMEM for addresses not
            mapped; the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            before Linux 6.10 or on a 32-bit kernel).
        TypeError: an address or ``len`` of the wrong type (a bare address needs its ``len``),
            or ``flags`` not an int, before any call.
        ValueError: ``len`` out of range or an address that is no unsigned one, a range
            overlapping a live Mapping (bare addresses), outside the Mapping or a closed
            Mapping, before any call.
        OverflowError: ``flags`` negative or past an unsigned long, before any call.
    """
    if isinstance(addr, Mapping):
        addr.mseal(flags, 0, len)
        return
    a, n, f = _raw_address(addr), _length(len), in_range(flags, "flags", 0, _ULONG)
    _refuse_live(a, n, "mseal")
    call(_mseal, "mseal", a, n, f)


def mbind(addr: MappingArg, len: Optional[int], mode: FlagArg, nodemask: NodeMask = None,
          flags: FlagArg = 0) -> None:
    """Set the NUMA memory policy of a range (man 2 mbind): a Mapping's first ``len`` bytes
    (None: all), as Mapping.mbind, or bare addresses (UNSAFE; ValueError over a live
    Mapping).  ``mode``: MPOL (with MPOL_MODE_F flags); ``nodemask``: a set of nodes, an int
    bit mask or None; ``flags``: MPOL_MF.

    https://man7.org/linux/man-pages/man2/mbind.2.html

    Raises:
        PermissionError: MPOL_MF.MOVE_ALL without CAP_SYS_NICE (EPERM).
        OSError: EINVAL for a mode, nodes or flags the kernel refuses (or a misaligned address),
            EIO when MPOL_MF.STRICT finds pages it could not move, ENOMEM, EFAULT for addresses
            not mapped; the subclass os raises for any other errno (UnsupportedError for ENOSYS:
            no CONFIG_NUMA).
        TypeError: an address or ``len`` of the wrong type (a bare address needs its ``len``), a
            ``nodemask`` that is neither nodes, an int nor None, or ``mode``/``flags`` not an
            int, member or name string, before any call.
        ValueError: a node outside 0..32767 or a negative mask, ``len`` out of range or an
            address that is no unsigned one, a range overlapping a live Mapping (bare
            addresses), outside the Mapping or a closed Mapping, or an unknown flag name, before
            any call.
        OverflowError: ``mode`` or ``flags`` past its C type, before any call.
    """
    if isinstance(addr, Mapping):
        addr.mbind(mode, nodemask, flags, 0, len)
        return
    a, n, m = _raw_address(addr), _length(len), _mode(mode)
    mask, maxnode = _nodemask(nodemask)
    f = in_range(to_int(flags, MPOL_MF), "flags", 0, U32)
    _refuse_live(a, n, "mbind")
    call(_mbind, "mbind", a, n, m, mask, maxnode, f)


def set_mempolicy_home_node(start: MappingArg, len: Optional[int], home_node: int,
                            flags: int = 0) -> None:
    """Set the first node of the MPOL.BIND / PREFERRED_MANY policies of a range (man 2
    set_mempolicy_home_node, Linux 5.17): a Mapping's first ``len`` bytes (None: all), as
    Mapping.set_mempolicy_home_node, or bare addresses (UNSAFE; ValueError over a live
    Mapping).  ``flags`` must be 0.

    set_mempolicy_home_node(2) has no man page yet: mbind(2) sets the policies it adjusts.

    https://man7.org/linux/man-pages/man2/mbind.2.html

    Raises:
        OSError: EOPNOTSUPP for pages whose policy is neither MPOL.BIND nor PREFERRED_MANY,
            EINVAL for a node or flags the kernel refuses, ENOMEM ...; the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: before Linux 5.17).
        TypeError: an address or ``len`` of the wrong type (a bare address needs its ``len``),
            or ``home_node``/``flags`` not an int, before any call.
        ValueError: ``len`` out of range or an address that is no unsigned one, a range
            overlapping a live Mapping (bare addresses), outside the Mapping or a closed
            Mapping, before any call.
        OverflowError: ``home_node`` or ``flags`` negative or past an unsigned long, before any
            call.
    """
    if isinstance(start, Mapping):
        start.set_mempolicy_home_node(home_node, flags, 0, len)
        return
    a, n = _raw_address(start), _length(len)
    node = in_range(home_node, "home_node", 0, _ULONG)
    f = in_range(flags, "flags", 0, _ULONG)
    _refuse_live(a, n, "set_mempolicy_home_node")
    call(_set_mempolicy_home_node, "set_mempolicy_home_node", a, n, node, f)


def set_mempolicy(mode: FlagArg, nodemask: NodeMask = None) -> None:
    """Set the calling thread's NUMA memory policy (man 2 set_mempolicy): ``mode`` an MPOL
    member (with MPOL_MODE_F flags), ``nodemask`` a set of node numbers, an int bit mask or
    None (MPOL.DEFAULT and MPOL.LOCAL take none).

    https://man7.org/linux/man-pages/man2/set_mempolicy.2.html

    Raises:
        OSError: EINVAL for nodes the mode cannot use or that are not allowed, or an unknown
            mode, ENOMEM; the subclass os raises for any other errno (UnsupportedError for
            ENOSYS: no CONFIG_NUMA).
        TypeError: ``mode`` not an int, member or name string, or a ``nodemask`` that is neither
            nodes, an int nor None, before any call.
        ValueError: a node outside 0..32767 or a negative mask, or an unknown MPOL name, before
            any call.
        OverflowError: ``mode`` does not fit a C int, before any call.
    """
    m = _mode(mode)
    mask, maxnode = _nodemask(nodemask)
    call(_set_mempolicy, "set_mempolicy", m, mask, maxnode)


def get_mempolicy(addr: Union[Mapping, int, None] = None,
                  flags: FlagArg = 0) -> tuple[int, set[int]]:
    """The calling thread's NUMA policy (man 2 get_mempolicy) as (mode, nodes): mode an MPOL
    member (an int when MPOL_MODE_F flags are ORed in), nodes a set of node numbers.
    ``MPOL_F`` flags: ADDR, the policy of the page at ``addr`` (a Mapping's first page, or
    an address: only read, though NODE with ADDR faults the page in); NODE, mode is then a
    node number (with ADDR, the page's node); MEMS_ALLOWED, nodes are those the thread may
    use.

    https://man7.org/linux/man-pages/man2/get_mempolicy.2.html

    Raises:
        OSError: EINVAL for flags the kernel refuses (ADDR without an address, NODE without ADDR
            under a policy other than MPOL.INTERLEAVE ...), EFAULT for an address not mapped;
            the subclass os raises for any other errno (UnsupportedError for ENOSYS: no
            CONFIG_NUMA).
        TypeError: ``addr`` not a Mapping, an int or None, or ``flags`` not an int, MPOL_F
            member or name string, before any call.
        ValueError: a closed Mapping, an address out of range, or an unknown MPOL_F name, before
            any call.
        OverflowError: ``flags`` negative or past an unsigned long, before any call.
    """
    f = in_range(to_int(flags, MPOL_F), "flags", 0, _ULONG)
    a = addr._range(0, None)[0] if isinstance(addr, Mapping) else _address(addr)
    mode = _new("int *")
    words = _NODE_BITS // _WORD
    mask = _new("unsigned long[]", words)
    call(_get_mempolicy, "get_mempolicy", mode, mask, _NODE_BITS + 1, a, f)
    m = mode[0]
    return (m if f & _MPOL_F_NODE or m not in _MPOL_MODES else MPOL(m)), _nodes_of(mask, words)


_MPOL_MODES = {int(m) for m in MPOL}


def migrate_pages(pid: int, old_nodes: NodeMask, new_nodes: NodeMask) -> int:
    """Move the pages of process ``pid`` (0: this one) on ``old_nodes`` to ``new_nodes``
    (man 2 migrate_pages; sets of node numbers or int bit masks); returns the pages that
    could not be moved.

    https://man7.org/linux/man-pages/man2/migrate_pages.2.html

    Raises:
        ProcessLookupError: no process ``pid`` (ESRCH).
        PermissionError: another user's process without CAP_SYS_NICE (EPERM).
        OSError: EINVAL for nodes the kernel refuses, EFAULT; the subclass os raises for any
            other errno (UnsupportedError for ENOSYS: no CONFIG_NUMA).
        TypeError: ``pid`` not an int, or a node set that is neither nodes, an int nor None,
            before any call.
        ValueError: a node outside 0..32767 or a negative mask, before any call.
        OverflowError: ``pid`` does not fit a C int, before any call.
    """
    p = _c_int(pid, "pid")
    old, old_max = _nodemask(old_nodes)
    new, new_max = _nodemask(new_nodes)
    maxnode = max(old_max, new_max)  # the kernel reads both masks maxnode - 1 bits long
    if old_max and old_max < maxnode:
        old = _nodemask(old_nodes, maxnode // _WORD)[0]
    if new_max and new_max < maxnode:
        new = _nodemask(new_nodes, maxnode // _WORD)[0]
    return call(_migrate_pages, "migrate_pages", p, maxnode, old, new)


def move_pages(pid: int, pages: Union[Mapping, Iterable[int]],
               nodes: Optional[Iterable[int]] = None, flags: FlagArg = 0) -> list[int]:
    """Move pages of process ``pid`` (0: this one) to NUMA nodes, or with ``nodes`` None only
    ask where they are (man 2 move_pages).  ``pages``: addresses (of pid's memory; moving
    keeps the contents), or a Mapping (each of its pages); ``nodes``: one node per page.
    Returns one status per page: its node, or a negative errno (-ENOENT: not present,
    -EFAULT: not mapped ...).  ``MPOL_MF`` flags: MOVE (pages only this process maps),
    MOVE_ALL (shared ones too, CAP_SYS_NICE).

    https://man7.org/linux/man-pages/man2/move_pages.2.html

    Raises:
        ProcessLookupError: no process ``pid`` (ESRCH).
        PermissionError: another user's process without CAP_SYS_NICE, or MPOL_MF.MOVE_ALL
            without it (EPERM).
        OSError: E2BIG for too many pages, EINVAL for flags the kernel refuses, ENODEV for a
            node that is not online, EACCES for a node the target may not use ...; the subclass
            os raises for any other errno (UnsupportedError for ENOSYS: no CONFIG_NUMA).
            Per-page failures are statuses, not exceptions.
        TypeError: ``pid``, a page address or a node of the wrong type, or ``flags`` not an int,
            MPOL_MF member or name string, before any call.
        ValueError: as many ``nodes`` as pages, a closed Mapping, an address out of range, or an
            unknown MPOL_MF name, before any call.
        OverflowError: ``pid``, a node or ``flags`` does not fit a C int, before any call.
    """
    p = _c_int(pid, "pid")
    f = _c_int(to_int(flags, MPOL_MF), "flags")
    if isinstance(pages, Mapping):
        a, n = pages._range(0, None)
        addrs = list(range(a, a + n, _PAGE))
    else:
        addrs = [_address(x) for x in pages]
    count = len(addrs)
    node_arr = _NULL
    if nodes is not None:
        wanted = [_c_int(x, "node") for x in nodes]
        if len(wanted) != count:
            raise ValueError(f"{len(wanted)} nodes for {count} pages")
        node_arr = _new("int[]", wanted)
    page_arr = _new("uintptr_t[]", addrs)
    status = _new("int[]", count)
    call(_move_pages, "move_pages", p, count, _cast("void **", page_arr), node_arr, status, f)
    statuses: list[int] = _unpack(status, count)
    return statuses


# ---- SysV shared memory --------------------------------------------------------------------

class IpcPerm(NamedTuple):
    """Owner and permissions of a SysV IPC object (struct ipc64_perm)."""
    key: int
    uid: int
    gid: int
    cuid: int   # the creator's
    cgid: int
    mode: int   # permission bits, plus SHM_DEST/SHM_LOCKED state bits for a segment
    seq: int


class ShmidDs(NamedTuple):
    """A shared memory segment's state (struct shmid64_ds) from shmctl(IPC_CMD.STAT); times
    are seconds since the epoch, 64-bit on every arch."""
    shm_perm: IpcPerm
    shm_segsz: int    # size in bytes
    shm_atime: int    # last attach
    shm_dtime: int    # last detach
    shm_ctime: int    # last change (creation, IPC_CMD.SET)
    shm_cpid: int     # creator
    shm_lpid: int     # last to attach or detach
    shm_nattch: int   # attachments now


_SHM_SLOTS = lib.LS_SHM_COUNT  # memory.c's slots, in IpcPerm's then ShmidDs's field order
_SHMID_DS_SIZE = ffi.sizeof("struct shmid64_ds")
_STAT_CMDS = {lib.IPC_STAT, lib.SHM_STAT, getattr(lib, "SHM_STAT_ANY", lib.SHM_STAT)}
_RESULTLESS_CMDS = {lib.IPC_RMID, lib.IPC_SET, lib.SHM_LOCK, lib.SHM_UNLOCK}


def shmget(key: int, size: int, shmflg: FlagArg = 0) -> int:
    """The id of the SysV shared memory segment for ``key`` (IPC.PRIVATE: a new one), made if
    missing with IPC.CREAT (man 2 shmget).  ``shmflg``: ``IPC`` flags, shmget's own
    ``SHM_GET`` ones (HUGETLB, NORESERVE) and the mode: ``IPC.CREAT | 0o600``.

    https://man7.org/linux/man-pages/man2/shmget.2.html

    Raises:
        FileNotFoundError: no segment for ``key`` and no IPC.CREAT (ENOENT).
        FileExistsError: a segment for ``key`` exists and ``shmflg`` has IPC.CREAT | IPC.EXCL
            (EEXIST).
        PermissionError: the segment's mode denies the access asked for (EACCES), or
            SHM_GET.HUGETLB without CAP_IPC_LOCK (EPERM).
        OSError: EINVAL for a size outside shmmin..shmmax (or past an existing segment's),
            ENOSPC past shmall or shmmni, ENOMEM, ENFILE; the subclass os raises for any other
            errno (UnsupportedError for ENOSYS: no CONFIG_SYSVIPC).
        TypeError: ``key`` or ``size`` not an int, or ``shmflg`` not an int, member or name
            string, before any call.
        ValueError: a ``key`` that is not 32 bits, a negative size, or an unknown flag name,
            before any call.
        OverflowError: ``shmflg`` does not fit a C int, before any call.
    """
    f = _c_int(flags_of(shmflg, IPC, SHM_GET), "shmflg")
    return call(_shmget, "shmget", ipc_key(key), _length(size), f)


def shmat(shmid: int, shmaddr: Optional[int] = 0, shmflg: FlagArg = 0) -> ShmSegment:
    """Attach a SysV shared memory segment (man 2 shmat; ``SHM`` flags): a ShmSegment,
    read-only with SHM.RDONLY.  With a ``shmaddr`` it is attached there and has no buffer:
    UNSAFE with SHM.REMAP, which replaces whatever is mapped there (ValueError if that is a
    live Mapping).

    https://man7.org/linux/man-pages/man2/shmop.2.html

    Raises:
        PermissionError: no permission for the access asked for (EACCES).
        OSError: EINVAL for no such segment, a misaligned ``shmaddr`` without SHM.RND or
            SHM.REMAP without an address, EIDRM when the segment was removed, ENOMEM; the
            subclass os raises for any other errno (UnsupportedError for ENOSYS).
        TypeError: ``shmid`` or ``shmaddr`` not an int, or ``shmflg`` not an int, SHM member or
            name string, before any call.
        ValueError: SHM.REMAP over a live Mapping, an address out of range, or an unknown SHM
            name, before any call.
        OverflowError: ``shmid`` or ``shmflg`` does not fit a C int, before any call.
    """
    sid = _c_int(shmid, "shmid")
    a = _address(shmaddr)
    f = _c_int(to_int(shmflg, SHM), "shmflg")
    size = cast(ShmidDs, shmctl(sid, _IPC_STAT)).shm_segsz  # (IPC_STAT's result; a slow path)
    out = _new("int64_t *")
    if a:
        if f & _SHM_REMAP:
            _refuse_live(a - a % _SHMLBA if f & _SHM_RND else a, size, "shmat")
        seg = ShmSegment._bufferless()
        call(_shmat, "shmat", sid, a, f, out)
        seg._in(out[0], size)
    else:
        seg = ShmSegment._placeholder(size, _PROT_READ if f & _SHM_RDONLY else _RW, 0)
        if _SHMLBA == _PAGE:
            r = _shmat(sid, seg._addr, f | _SHM_REMAP, out)
            if r < 0:
                seg._abandon(-r in _SHMAT_EARLY, size)
                raise error(-r, "shmat")
        else:
            # 32-bit ARM attaches only at multiples of 4 pages, the placeholder is page aligned:
            # attach where the kernel likes, then move the segment onto the placeholder (a
            # detach and reattach to the kernel: shm_dtime and shm_lpid show it).
            call(_shmat, "shmat", sid, 0, f, out)
            try:
                seg._adopt(out[0], size, size)
            except BaseException:
                _shmdt(out[0])
                raise
        seg._limit = _pages(size)
        seg._in(seg._addr, size)
    seg.shmid = sid
    return seg


def shmdt(shmaddr: Union[ShmSegment, int]) -> None:
    """Detach a SysV segment (man 2 shmdt): a ShmSegment (its close()), or a bare address
    (UNSAFE; ValueError inside a live Mapping).

    https://man7.org/linux/man-pages/man2/shmop.2.html

    Raises:
        PermissionError: the ShmSegment is sealed by mseal() (EPERM).
        OSError: EINVAL when no segment is attached at that address; the subclass os raises for
            any other errno (UnsupportedError for ENOSYS).
        BufferError: the ShmSegment has memoryviews or other exports alive (as mmap.mmap).
        TypeError: ``shmaddr`` not a ShmSegment or an int, before any call.
        ValueError: an address inside a live Mapping, or out of range, before any call.
    """
    if isinstance(shmaddr, ShmSegment):
        shmaddr.close()
        return
    a = _address(shmaddr)
    _refuse_live(a, 1, "shmdt")
    call(_shmdt, "shmdt", a)


def shmctl(shmid: int, cmd: FlagArg, buf: Union[ShmidDs, IpcPerm, Buffer, None] = None
           ) -> Union[ShmidDs, tuple[int, ShmidDs], int, None]:
    """Control a SysV shared memory segment (man 2 shmctl).

    ``cmd`` is an ``IPC_CMD`` (the commands every SysV object takes) or ``SHM_CMD`` member,
    or a name ("stat" is IPC_STAT, "shm_stat" SHM_STAT).  IPC_CMD.STAT -> ShmidDs;
    SHM_CMD.STAT / STAT_ANY (``shmid`` is an index) -> (id, ShmidDs); IPC_CMD.SET sets the
    uid, gid and mode of ``buf``, a ShmidDs or IpcPerm; IPC_CMD.RMID, SHM_CMD.LOCK / UNLOCK
    -> None; IPC_CMD.INFO, SHM_CMD.INFO -> the highest index in use.  A writable buffer as
    ``buf`` is the kernel's struct itself (struct shmid64_ds, shminfo64 ...): the call's
    result is returned.

    https://man7.org/linux/man-pages/man2/shmctl.2.html

    Raises:
        PermissionError: IPC_CMD.STAT without read permission (EACCES), IPC_CMD.SET or RMID by
            neither the owner nor the creator, SHM_CMD.LOCK / UNLOCK without CAP_IPC_LOCK
            (EPERM).
        OSError: EINVAL for no such segment (or index) or an unknown command, EIDRM when the
            segment was removed, EOVERFLOW, ENOMEM; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        TypeError: ``buf`` missing for IPC_CMD.SET (or a read-only buffer), or ``cmd`` not an
            int, member or name string, before any call.
        ValueError: a buffer smaller than struct shmid64_ds, or an unknown command name, before
            any call.
        BufferError: a buffer that is not C-contiguous, before any call.
        OverflowError: ``shmid``, ``cmd`` or a field of ``buf`` does not fit its C type.
    """
    sid = _c_int(shmid, "shmid")
    c = _c_int(flags_of(cmd, IPC_CMD, SHM_CMD), "cmd")
    if buf is not None and not isinstance(buf, (ShmidDs, IpcPerm)):
        raw = writable(buf)
        if len(raw) < _SHMID_DS_SIZE:
            release(raw, buf)
            raise ValueError(f"shmctl needs a buffer of {_SHMID_DS_SIZE} bytes, not {len(raw)}")
        return call_buf(_shmctl, "shmctl", raw, buf, sid, c, raw, _NULL)
    ds = _new("int64_t[]", _SHM_SLOTS)
    if c == _IPC_SET:
        if buf is None:
            raise TypeError("shmctl(IPC_CMD.SET) needs buf: a ShmidDs or IpcPerm")
        perm = buf.shm_perm if isinstance(buf, ShmidDs) else buf
        ds[lib.LS_SHM_UID], ds[lib.LS_SHM_GID], ds[lib.LS_SHM_MODE] = (
            perm.uid, perm.gid, perm.mode)
    r = call(_shmctl, "shmctl", sid, c, _NULL, ds)
    if c in _STAT_CMDS:
        v = _unpack(ds, _SHM_SLOTS)
        result = ShmidDs(IpcPerm(*v[:7]), *v[7:])
        return result if c == _IPC_STAT else (r, result)
    return None if c in _RESULTLESS_CMDS else r


methods(process_madvise)

__all__ = ["mmap", "Mapping", "munmap", "mprotect", "madvise", "msync", "mlock", "mlock2",
           "munlock", "mincore", "mremap", "memfd_secret", "process_madvise", "shmget", "shmat",
           "shmdt", "shmctl", "ShmSegment", "ShmidDs", "IpcPerm", "pkey_alloc", "pkey_free",
           "pkey_mprotect", "mseal", "mbind", "set_mempolicy_home_node", "set_mempolicy",
           "get_mempolicy", "migrate_pages", "move_pages"]
__all__ += _sys_memory.__all__
