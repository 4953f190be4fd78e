"""dir: directories in bulk -- scandir, readdir, walk and statx_many (man 2 getdents64, statx).

One C call handles a whole getdents64 chunk: ``ls_dir_read`` compacts the names in place to
``name\\0name\\0...`` and puts each entry's inode, offset and type in arrays; ``ls_dir_split``
(walk) puts the directories' names first, resolving symlinks and DT_UNKNOWN with statx.
Python decodes and splits a chunk at once and makes no object per entry that it does not
return.  ``ls_statx_many`` is one C loop of statx over names packed the same way; its rows
are the flattened statx of fs.c, which ``Stat`` decodes.
"""
from __future__ import annotations

import operator
import os
import struct
import sys
import weakref
from collections import deque
from itertools import chain, repeat
from typing import (TYPE_CHECKING, Any, AnyStr, Callable, Generator, Iterable, Iterator,
                    Literal, NamedTuple, Optional, Union, overload)

from ._core import (NEG_EINTR, SCRATCH_SIZE, STRERROR, PathArg, alloc, decode, error, ffi,
                    lib, path, pop_scratch, scratch)
from .fd import Fd, FdArg, HasFileno, fdnum
from .flags import FlagArg, to_int
from .fs import fstat, fstatat, openat
from .stat import RAW_SIZE, Stat

if TYPE_CHECKING:  # (typeshed does not know the C descriptor)
    def _tuplegetter(index: int, doc: str) -> Any: ...
else:
    try:  # the C descriptor namedtuple's fields use: a field read costs no Python frame
        from collections import _tuplegetter
    except ImportError:  # pragma: no cover  (not CPython)
        def _tuplegetter(index: int, doc: str) -> Any:
            return property(operator.itemgetter(index), doc=doc)

from ._consts import AT, DT, STATX

if TYPE_CHECKING:
    from typing_extensions import TypeIs

_dir_read = lib.ls_dir_read
_getdents_names = lib.ls_getdents_names
_dir_split = lib.ls_dir_split
_statx_many = lib.ls_statx_many
_openat = lib.ls_openat
_close = lib.ls_close

_SIZE = SCRATCH_SIZE                # getdents64 buffer: the pooled scratch of _core
_CAP = _SIZE // lib.LS_DIRENT_MIN   # the most entries one chunk of _SIZE bytes can hold
_DOTS = lib.LS_DIR_DOTS
_STRIDE = lib.LS_ST_COUNT           # int64_t slots of one flattened statx (fs.c)
if (lib.LS_DIR_ST_COUNT, lib.LS_DIR_ST_MODE) != (_STRIDE, lib.LS_ST_MODE) \
        or _STRIDE > lib.LS_DIR_ROW_MAX:  # cdefs/dir.c restates fs.c's layout: keep them equal
    raise ImportError("cdefs/dir.c's LS_DIR_ST_COUNT/LS_DIR_ST_MODE differ from fs.c's "
                      "LS_ST_COUNT/LS_ST_MODE (or exceed LS_DIR_ROW_MAX): update dir.c")
_AT_FDCWD = lib.AT_FDCWD
_AT_SYMLINK_NOFOLLOW = lib.AT_SYMLINK_NOFOLLOW
_O_DIR = lib.O_RDONLY | lib.O_DIRECTORY | lib.O_CLOEXEC
_O_NOFOLLOW = lib.O_NOFOLLOW
_O_DIR_NOFOLLOW = _O_DIR | _O_NOFOLLOW
_S_IFMT, _S_IFDIR, _S_IFREG, _S_IFLNK = lib.S_IFMT, lib.S_IFDIR, lib.S_IFREG, lib.S_IFLNK
_NEG_ENOENT = -lib.ENOENT
_NEG_ELOOP, _NEG_ENOTDIR = -lib.ELOOP, -lib.ENOTDIR
_NEG_EMFILE, _NEG_ENFILE = -lib.EMFILE, -lib.ENFILE
_ELOOP = lib.ELOOP
_BASIC_STATS = lib.STATX_BASIC_STATS
_STAT_MASK = _BASIC_STATS | lib.STATX_BTIME  # what fs.stat asks for
_FSENC, _FSERR = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
_DONE: Any = object()  # (Any: next(it, _DONE) is then what ``it`` yields)
_STR, _BYTES = {str}, {bytes}
_NULL = ffi.NULL

_unpack = ffi.unpack
_cast = ffi.cast
_object_new = object.__new__
_tuple_new: Callable[..., Any] = tuple.__new__  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]

_DT_DIR, _DT_REG, _DT_LNK, _DT_UNKNOWN = DT.DIR, DT.REG, DT.LNK, DT.UNKNOWN


def _dt(value: int) -> Any:
    try:
        return DT(value)
    except ValueError:
        return value


# d_type -> its DT member (an int where the namespace has none).
_DT_TABLE = tuple(_dt(v) for v in range(256))
# (typed for its use here: two or more indices, whose itemgetter returns a tuple)
_itemgetter: Callable[..., Callable[[tuple[Any, ...]], tuple[Any, ...]]] = operator.itemgetter


def _dts(types: bytes) -> tuple[Any, ...]:
    """The DT member of each d_type in ``types``, in one C loop (itemgetter's)."""
    if len(types) == 1:
        return (_DT_TABLE[types[0]],)
    return _itemgetter(*types)(_DT_TABLE)


# unpack_from of 1 .. _BLOCK flattened statx rows, each as the bytes a Stat keeps.
_BLOCK = 64
_ROWS = [struct.Struct(f"{RAW_SIZE}s" * i).unpack_from for i in range(_BLOCK + 1)]

# Per-entry arrays for ls_dir_read, pooled like _core's scratch buffers: the GIL is released
# during the call, so each call owns the set it popped until it pushes it back.
_arrays: list[tuple[Any, Any, Any]] = []


def _pop_arrays() -> tuple[Any, Any, Any]:
    try:
        return _arrays.pop()
    except IndexError:
        return alloc("uint64_t[]", _CAP), alloc("int64_t[]", _CAP), alloc("char[]", _CAP)


def _is_path(path_or_fd: Any) -> TypeIs[PathArg]:
    return isinstance(path_or_fd, (str, bytes)) or hasattr(path_or_fd, "__fspath__")


def _prefix(p: Union[str, bytes]) -> Union[str, bytes]:
    """What an entry's path starts with: ``p`` and a separator, as os.path.join puts it."""
    sep: Any = b"/" if isinstance(p, bytes) else "/"  # (Any: the type of ``p``)
    return p if p.endswith(sep) else p + sep


def _raws(rows: Any, count: int) -> list[bytes]:
    """The first ``count`` rows of ``rows`` (an ffi.buffer of flattened statx rows) as the
    bytes each Stat keeps."""
    raws: list[bytes] = []
    whole, rest = divmod(count, _BLOCK)
    block = _ROWS[_BLOCK]
    for offset in range(0, whole * _BLOCK * RAW_SIZE, _BLOCK * RAW_SIZE):
        raws += block(rows, offset)
    raws += _ROWS[rest](rows, whole * _BLOCK * RAW_SIZE)
    return raws


def _stats(raws: Any, count: int) -> list[Stat]:
    """Stat objects keeping ``raws``, with no Python frame per row (walk inlines this)."""
    objs = list(map(_object_new, repeat(Stat, count)))
    # setattr returns None: any() runs the whole map (builtin setattr is the cheapest setter)
    any(map(setattr, objs, repeat("_raw"), raws))
    return objs


# ---- listdir, readdir -----------------------------------------------------------------------

class Dirent(NamedTuple):
    """One directory entry from getdents64."""
    ino: int
    off: int
    type: Any  # a DT member
    name: Union[str, bytes]


def _chunks(path_or_fd: Union[PathArg, FdArg],
            read: Callable[[int, Any], int]) -> Iterator[Union[list[str], list[bytes]]]:
    """The names of each chunk ``read(fd, buf)`` packs from a directory (a path is opened here
    and closed, also on error; an fd is read from its position and left open), str unless the
    path was bytes.  A directory removed while open ends the listing, as with os.listdir (the
    kernel says ENOENT; glibc's readdir ends)."""
    if _is_path(path_or_fd):
        owned: Optional[Fd] = openat(_AT_FDCWD, path_or_fd, _O_DIR)
        n = owned.fd  # type: ignore[union-attr]
        as_bytes = isinstance(os.fspath(path_or_fd), bytes)
    else:
        owned = None
        n = fdnum(path_or_fd)
        as_bytes = False
    buf = pop_scratch()
    try:
        while True:
            r = read(n, buf)
            if r > 0:
                chunk = _unpack(buf, r - 1)  # without the last name's NUL
                yield chunk.split(b"\0") if as_bytes else decode(chunk).split("\0")
            elif r == 0 or r == _NEG_ENOENT:
                break
            elif r != NEG_EINTR:
                raise error(-r, "getdents64", path_or_fd if owned is not None else None)
    finally:
        if owned is not None:
            owned.close()
    scratch.append(buf)


@overload
def listdir(path_or_fd: Union[str, os.PathLike[str], Fd, int, HasFileno] = ".") -> list[str]: ...
@overload
def listdir(path_or_fd: Union[bytes, os.PathLike[bytes]]) -> list[bytes]: ...


def listdir(path_or_fd: Union[PathArg, FdArg] = ".") -> Union[list[str], list[bytes]]:
    """Names in a directory, without "." and ".." (man 2 getdents64; like os.listdir).

    https://man7.org/linux/man-pages/man2/getdents64.2.html

    Names are str unless the path was bytes.  A given fd is read from its current position
    and left open; a path is opened and closed, also on error.  A directory removed while
    open reads as empty, as with os.listdir (the kernel says ENOENT; glibc's readdir ends).

    Raises:
        FileNotFoundError: the path or a directory on its way does not exist (ENOENT, openat's).
        NotADirectoryError: the path or fd is no directory (ENOTDIR).
        PermissionError: the directory cannot be read, or search permission is denied on the way
            (EACCES).
        OSError: EMFILE/ENFILE (no fd to open the path with), ELOOP, EBADF for an fd number that is
            not open or not open for reading ..., the subclass os raises for any other errno.
        ClosedFdError: ``path_or_fd`` is a closed Fd.
        TypeError: ``path_or_fd`` is neither a path (str, bytes, os.PathLike) nor an fd (before any
            call).
        ValueError: a NUL in the path (before any call).
    """
    names: list[Any] = []
    for chunk in _chunks(path_or_fd, lambda n, buf: _getdents_names(n, buf, _SIZE)):
        names += chunk
    return names


def readdir(path_or_fd: Union[PathArg, FdArg] = ".") -> list[Dirent]:
    """Every entry of a directory, "." and ".." included, as Dirent(ino, off, type, name)
    (man 2 getdents64; libjs's readdir).

    https://man7.org/linux/man-pages/man2/getdents64.2.html

    Names are str unless the path was bytes.  A given fd is read from its current position
    and left open; a path is opened and closed, also on error.  A directory removed while
    open reads as empty, as with os.listdir.

    Raises:
        FileNotFoundError: the path or a directory on its way does not exist (ENOENT, openat's).
        NotADirectoryError: the path or fd is no directory (ENOTDIR).
        PermissionError: the directory cannot be read, or search permission is denied on the way
            (EACCES).
        OSError: EMFILE/ENFILE (no fd to open the path with), ELOOP, EBADF for an fd number that is
            not open or not open for reading ..., the subclass os raises for any other errno.
        ClosedFdError: ``path_or_fd`` is a closed Fd.
        TypeError: ``path_or_fd`` is neither a path (str, bytes, os.PathLike) nor an fd (before any
            call).
        ValueError: a NUL in the path (before any call).
    """
    arrays = inos, offs, types = _pop_arrays()
    entries: list[Dirent] = []
    for names in _chunks(path_or_fd, lambda n, buf: _dir_read(n, buf, _SIZE, inos, offs, types,
                                                              _CAP, _DOTS)):
        k = len(names)
        entries += map(_tuple_new, repeat(Dirent),
                       zip(_unpack(inos, k), _unpack(offs, k), _dts(_unpack(types, k)), names))
    _arrays.append(arrays)
    return entries


# ---- scandir -------------------------------------------------------------------------------

class _Chunk:
    """What the entries of one getdents64 chunk of a scandir share: their paths' prefix, the
    directory's fd for stat() (the caller's fd, or a weak reference to the Fd scandir opened:
    an entry must not keep that open; once it is closed, stat() goes by path, as
    os.DirEntry.stat does), and the chunk's names and inode numbers, indexed by name on the
    first inode() call (an entry's tuple stays small: the listing costs no int per entry)."""

    __slots__ = ("prefix", "src", "names", "inos", "index")

    def __init__(self, prefix: Union[str, bytes], src: Any, names: Union[list[str], list[bytes]],
                 inos: bytes) -> None:
        self.prefix = prefix
        self.src = src
        self.names = names
        self.inos = inos
        self.index: Optional[dict[Union[str, bytes], int]] = None

    def ino(self, name: Union[str, bytes]) -> int:
        index = self.index
        if index is None:
            index = self.index = dict(zip(self.names, memoryview(self.inos).cast("Q")))
        return index[name]


if TYPE_CHECKING:  # what a DirEntry holds: its name (str, or bytes), d_type, its chunk
    _DirEntryBase = tuple[Any, Any, _Chunk]
else:
    _DirEntryBase = tuple


class DirEntry(_DirEntryBase):
    """One entry of scandir(), read like os.DirEntry: ``name``, ``path``, ``inode()``,
    ``is_dir()``, ``is_file()``, ``is_symlink()``, ``stat()``, plus ``ino`` and ``type`` (the
    d_type as a ``DT`` member).

    is_dir/is_file/is_symlink answer from d_type without a syscall, except for a symlink
    followed or a filesystem that gives ``DT.UNKNOWN``: then one statx, relative to the
    directory's fd while the listing is open (by path after it is closed).  Unlike
    os.DirEntry nothing is cached: each stat() is a new statx.
    """

    __slots__ = ()

    name: Union[str, bytes] = _tuplegetter(
        0, "the entry's name (str, or bytes if scandir was given bytes)")
    type: Any = _tuplegetter(
        1, "d_type as a DT member; DT.UNKNOWN where the filesystem does not say")

    @property
    def ino(self) -> int:
        """The inode number (d_ino)."""
        return self[2].ino(self[0])

    @property
    def path(self) -> Union[str, bytes]:
        """The directory given to scandir joined with the name (the name alone for an fd)."""
        return self[2].prefix + self[0]  # type: ignore[no-any-return]  # (both str or bytes)

    def inode(self) -> int:
        """The inode number (os.DirEntry.inode)."""
        return self[2].ino(self[0])

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        """A directory (or, following symlinks, a symlink to one)?  False if it is gone."""
        t = self[1]
        if t is _DT_REG:
            return False
        if t is _DT_DIR:
            return True
        if t is _DT_UNKNOWN or (t is _DT_LNK and follow_symlinks):
            return self._is(_S_IFDIR, follow_symlinks)
        return False

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        """A regular file (or, following symlinks, a symlink to one)?  False if it is gone."""
        t = self[1]
        if t is _DT_REG:
            return True
        if t is _DT_UNKNOWN or (t is _DT_LNK and follow_symlinks):
            return self._is(_S_IFREG, follow_symlinks)
        return False

    def is_symlink(self) -> bool:
        """A symbolic link?  False if it is gone."""
        t = self[1]
        if t is _DT_LNK:
            return True
        if t is _DT_UNKNOWN:
            return self._is(_S_IFLNK, False)
        return False

    def is_junction(self) -> bool:
        """Always False: Linux has no junctions (os.DirEntry.is_junction, Python 3.12)."""
        return False

    def _is(self, kind: int, follow_symlinks: bool) -> bool:
        try:
            st = self.stat(follow_symlinks=follow_symlinks)
        except FileNotFoundError:
            return False
        return st.st_mode & _S_IFMT == kind

    def stat(self, *, follow_symlinks: bool = True) -> Stat:
        """statx of the entry (man 2 statx), relative to the directory's fd while the listing
        is open, else by path; raises its OSError (with the entry's path as filename)."""
        c = self[2]
        flags = 0 if follow_symlinks else _AT_SYMLINK_NOFOLLOW
        src = c.src
        # (pyright: type(src) is weakref.ref narrows the Any src to ref[Unknown])
        if type(src) is weakref.ref:
            src = src()  # pyright: ignore[reportUnknownVariableType]
            if src is None or src.closed:  # pyright: ignore[reportUnknownMemberType]
                return fstatat(_AT_FDCWD, c.prefix + self[0], flags)
        try:
            return fstatat(src, self[0], flags)  # pyright: ignore[reportUnknownArgumentType]
        except OSError as e:
            e.filename = c.prefix + self[0]  # the entry's path, as os.DirEntry.stat says
            raise

    def __fspath__(self) -> Union[str, bytes]:
        return self.path

    def __repr__(self) -> str:
        return f"<DirEntry {self[0]!r}>"


class ScandirIterator:
    """The iterator scandir() returns: a context manager whose close() (or exhausting it, or
    an error) closes the directory fd it opened.  One that is dropped unclosed closes it as
    it is collected, with a ResourceWarning, as os.scandir's does."""

    __slots__ = ("_fd", "_gen", "_it", "_current")

    def __init__(self, fd: Optional[Fd], gen: Generator[Iterator[DirEntry], None, None],
                 current: list[Any]) -> None:
        self._fd = fd
        self._gen = gen
        self._current = current
        # The entries come from C iterators (chain over a map per chunk): a for loop over
        # the listing runs no Python frame per entry.
        self._it = chain.from_iterable(gen)

    def __iter__(self) -> Iterator[DirEntry]:
        return self._it

    def __next__(self) -> DirEntry:
        return next(self._it)

    def close(self) -> None:
        """Close the directory fd (if scandir opened it); the iteration ends here."""
        names = self._current[0]
        if names is not None:  # the rest of the chunk being read: the entries stop with it
            deque(names, 0)
        self._gen.close()
        if self._fd is not None:
            self._fd.close()

    def __enter__(self) -> "ScandirIterator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _scan(src: Any, owned: Optional[Fd], prefix: Union[str, bytes], stat_src: Any,
          as_bytes: bool, shown: Any,
          current: list[Any]) -> Generator[Iterator[DirEntry], None, None]:
    """The entries of the directory ``src`` (an fd argument), one iterator per chunk, made
    as they are read; ``current[0]`` is the iterator over the chunk's names that they come
    from (ScandirIterator.close() exhausts it).  Closes ``owned`` when the directory ends or
    reading fails; when the listing is abandoned, the collected Fd closes itself (and
    warns)."""
    sep: Any = b"\0" if as_bytes else "\0"  # (Any: the type of the names)
    buf = pop_scratch()
    arrays = inos, _, types = _pop_arrays()
    try:
        while True:
            n = src if type(src) is int else fdnum(src)  # a closed Fd raises, never reads
            r = _dir_read(n, buf, _SIZE, inos, _NULL, types, _CAP, 0)
            if r > 0:
                chunk = _unpack(buf, r - 1)
                names = (chunk if as_bytes else decode(chunk)).split(sep)
                k = len(names)
                shared = _Chunk(prefix, stat_src, names, _unpack(_cast("char *", inos), 8 * k))
                current[0] = rest = iter(names)
                yield map(DirEntry, zip(rest, _dts(_unpack(types, k)), repeat(shared)))
            elif r == 0 or r == _NEG_ENOENT:
                break
            elif r != NEG_EINTR:
                raise error(-r, "getdents64", shown)
    except Exception:  # not GeneratorExit: an abandoned listing is closed by its Fd's GC
        current[0] = None
        if owned is not None:
            owned.close()
        raise
    current[0] = None
    if owned is not None:
        owned.close()
    scratch.append(buf)
    _arrays.append(arrays)


def scandir(path_or_fd: Union[PathArg, FdArg] = ".") -> ScandirIterator:
    """Iterate over a directory's entries as DirEntry objects, without "." and ".."
    (man 2 getdents64; like os.scandir).

    https://man7.org/linux/man-pages/man2/getdents64.2.html

    Names and paths are str unless the path was bytes.  A path is opened here (the errors
    of openat are raised at once) and closed when the iteration ends, fails, or close() /
    the ``with`` block says so; a given fd is read from its current position and left open,
    and its entries' path is their name.  A directory removed while open reads as empty.
    The errors of getdents64 are raised by the iteration (``next()``).

    Raises:
        FileNotFoundError: the path or a directory on its way does not exist (ENOENT, at once).
        NotADirectoryError: the path or fd is no directory (ENOTDIR; for an fd, from the
            iteration).
        PermissionError: the directory cannot be read, or search permission is denied on the way
            (EACCES).
        OSError: EMFILE/ENFILE (no fd to open the path with), ELOOP, EBADF for an fd number that is
            not open ..., the subclass os raises for any other errno.
        ClosedFdError: ``path_or_fd`` is a closed Fd (at once, or from the iteration once it is
            closed).
        TypeError: ``path_or_fd`` is neither a path (str, bytes, os.PathLike) nor an fd (at once).
        ValueError: a NUL in the path (at once).
    """
    if _is_path(path_or_fd):
        p = os.fspath(path_or_fd)
        owned: Optional[Fd] = openat(_AT_FDCWD, path_or_fd, _O_DIR)
        gen = _scan(owned, owned, _prefix(p), weakref.ref(owned), isinstance(p, bytes),
                    path_or_fd, current := [None])
    else:
        fdnum(path_or_fd)  # refuse a bad fd argument now, not at the first next()
        owned = None
        gen = _scan(path_or_fd, None, "", path_or_fd, False, None, current := [None])
    return ScandirIterator(owned, gen, current)


# ---- statx_many ----------------------------------------------------------------------------

def _pack(names: list[Any]) -> bytes:
    """names as "a\\0b\\0...\\0" for the kernel (str encoded as os.fsencode does)."""
    kinds = set(map(type, names))  # (a C loop: no Python frame per name)
    if kinds == _STR:
        packed = ("\0".join(names) + "\0").encode(_FSENC, _FSERR)
    elif kinds == _BYTES:
        packed = b"\0".join(names) + b"\0"
    else:
        packed = b"".join([path(n) + b"\0" for n in names])
    if packed.count(0) != len(names):
        raise ValueError("embedded null byte")
    return packed



def statx_many(dirfd: FdArg, names: Iterable[PathArg], flags: FlagArg = 0,
               mask: FlagArg = _BASIC_STATS) -> list[Union[Stat, OSError]]:
    """statx of each name relative to ``dirfd``, in one C call (man 2 statx; a du/find
    building block): a list holding, per name, its Stat or the OSError statx gave for it
    (FileNotFoundError ..., with the name as filename).

    https://man7.org/linux/man-pages/man2/statx.2.html

    ``flags`` are ``AT`` flags (``AT.SYMLINK_NOFOLLOW``, ``AT.NO_AUTOMOUNT`` ...), ``mask``
    the ``STATX`` fields wanted.  Bad arguments raise before any syscall; EINTR is retried
    per name.  The errors of statx itself (EBADF for a ``dirfd`` number that is not open
    included) come back in the list, one per name: none is raised.

    Raises:
        ClosedFdError: ``dirfd`` is a closed Fd.
        TypeError: ``names`` is not iterable or holds something other than str, bytes or
            os.PathLike; ``flags`` / ``mask`` is not an int, AT / STATX member or name string;
            ``dirfd`` is no fd (before any call).
        ValueError: a NUL in a name, an unknown AT or STATX name, or an unknown std fd name (before
            any call).
        OverflowError: ``flags``, ``mask`` or the fd number beyond its C type (before any call).
    """
    if type(names) is not list:
        names = list(names)
    f = to_int(flags, AT)
    m = to_int(mask, STATX)
    n = dirfd if type(dirfd) is int else fdnum(dirfd)
    # (pyright: ``type(names) is list`` narrows the Iterable[PathArg] to list[Unknown])
    count = len(names)  # pyright: ignore[reportUnknownArgumentType]
    if not count:
        return []
    packed = _pack(names)  # pyright: ignore[reportUnknownArgumentType]
    rows = alloc("int64_t[]", count * _STRIDE)
    errs = alloc("int32_t[]", count)
    failed = _statx_many(n, packed, len(packed), count, f, m, rows, count * _STRIDE,
                         errs, count)
    if failed < 0:  # the sizes given do not match: a bug here, not the caller's
        raise error(-failed, "statx")
    results: list[Any] = _stats(_raws(ffi.buffer(rows), count), count)
    if failed:
        for i, e in enumerate(_unpack(errs, count)):
            if e:
                results[i] = error(e, "statx", names[i])
    return results


# ---- walk ----------------------------------------------------------------------------------

# A walk holds one fd per level of the directories it is in.  Past _KEEP levels it closes
# the fds of the shallower ones except every _EVERY-th level's; a closed one is reopened,
# name by name, from the nearest open ancestor when the walk comes back to it.
_KEEP = 16
_EVERY = 16

# A directory being walked is a list (cheaper to make and read than an object, once per
# directory): its fd (-1 once shed), the prefix of its children's paths, its name (to
# reopen it), the names of the subdirectories still to visit, what the walk yields for it,
# and its (dev, ino) when following symlinks.
_FD, _PREFIX, _NAME, _TODO, _RESULT, _KEY = range(6)


def _shed_all(stack: list[list[Any]], using: int) -> bool:
    """Out of fds: close every one the walk can reopen, except the top's and ``using``;
    whether any was closed."""
    closed = False
    for frame in stack[1:]:
        if frame[_FD] >= 0 and frame[_FD] != using:
            _close(frame[_FD])
            frame[_FD] = -1
            closed = True
    return closed


def _is_symlink(dirfd: int, name: bytes) -> bool:
    try:
        return fstatat(dirfd, name, _AT_SYMLINK_NOFOLLOW).islnk
    except OSError:
        return False


def _open(stack: list[list[Any]], r: int, dirfd: int, name: bytes, flags: int, shown: Any) -> int:
    """What openat of a directory, which returned ``r``, gives once EINTR is retried and,
    on EMFILE or ENFILE, fds shed: the fd, or -1 for a symlink not to be followed (which
    O_NOFOLLOW with O_DIRECTORY refuses with ENOTDIR, as a file: an lstat tells them
    apart; ELOOP on kernels that check O_NOFOLLOW first); raises other errors."""
    while r < 0:
        if flags & _O_NOFOLLOW and (r == _NEG_ELOOP or r == _NEG_ENOTDIR
                                    and _is_symlink(dirfd, name)):
            return -1
        if r != NEG_EINTR and not ((r == _NEG_EMFILE or r == _NEG_ENFILE)
                                   and _shed_all(stack, dirfd)):
            raise error(-r, "openat", shown)
        r = _openat(dirfd, name, flags, 0)
    return r


def _reopen(stack: list[list[Any]], oflags: int) -> int:
    """The fd of the last directory on the stack, which was shed: reopened, with the shed
    ones above it, from the nearest open ancestor.  Raises the OSError of openat for the
    first that cannot be reopened (moved away ...), whose subdirectories and those of the
    ones below it are then given up."""
    j = len(stack) - 2
    while stack[j][_FD] < 0:  # the top's stays open
        j -= 1
    for k in range(j + 1, len(stack)):
        frame = stack[k]
        dirfd = stack[k - 1][_FD]
        try:
            r = _open(stack, _openat(dirfd, frame[_NAME], oflags, 0), dirfd, frame[_NAME],
                      oflags, frame[_RESULT][0])
            if r < 0:  # replaced by a symlink since
                raise error(lib.ENOTDIR, "openat", frame[_RESULT][0])
        except OSError:
            for lost in stack[k:]:
                lost[_TODO] = iter(())
            raise
        frame[_FD] = r
    return stack[-1][_FD]  # type: ignore[no-any-return]  # (a frame is a list[Any])


def _stat_errors(failed: int, errs: Any, names: list[Any], stats: dict[Any, Union[Stat, OSError]],
                 dirpath: Any) -> None:
    """The OSErrors of a chunk's statx calls into ``stats``, in place of their rows."""
    if failed < 0:  # sizes that do not match: a bug here
        raise error(-failed, "statx", dirpath)
    prefix = _prefix(dirpath)
    for i, e in enumerate(_unpack(errs, len(names))):
        if e:
            stats[names[i]] = error(e, "statx", prefix + names[i])


def _key(fd: int, dirpath: Any, seen: set[Optional[tuple[int, int]]]) -> tuple[int, int]:
    """(dev, ino) of a directory entered following symlinks; ELOOP if it is being walked."""
    st = fstat(fd)
    key = (st.st_dev, st.st_ino)
    if key in seen:
        raise OSError(_ELOOP, STRERROR[_ELOOP], dirpath)
    return key


def _walk(top: Any, p: bytes, topdown: bool, onerror: Any, follow: bool,
          want_stats: bool) -> Iterator[tuple[Any, ...]]:
    as_bytes = isinstance(top, bytes)
    nul = b"\0" if as_bytes else "\0"
    oflags = _O_DIR if follow else _O_DIR_NOFOLLOW
    if want_stats:  # the statx rows of one chunk
        rows = alloc("int64_t[]", _CAP * _STRIDE)
        view = ffi.buffer(rows)
        errs = alloc("int32_t[]", _CAP)
        stflags = 0 if follow else _AT_SYMLINK_NOFOLLOW
        statx_many, new, row_block = _statx_many, _object_new, _ROWS
    stats: Optional[dict[Any, Union[Stat, OSError]]] = None
    key: Optional[tuple[int, int]] = None
    held = -1  # the fd of the directory being yielded before it is on the stack
    seen: set[Optional[tuple[int, int]]] = set()  # keys of the directories on the stack,
    # when following symlinks (None: discarded when not following them)
    stack: list[list[Any]] = []
    frame: list[Any]
    buf = pop_scratch()
    spare = alloc("char[]", _SIZE)
    ndirs = alloc("int64_t[]", 1)
    dir_split, unpack, close, openat = _dir_split, _unpack, _close, _openat
    dirfd, name, dirpath, flags = _AT_FDCWD, p, top, _O_DIR  # the top is followed, as by os.walk
    try:
        while True:
            fd = openat(dirfd, name, flags, 0)
            if fd < 0:
                try:
                    fd = _open(stack, fd, dirfd, name, flags, dirpath)
                except OSError as e:
                    fd = -1
                    if onerror is not None:
                        onerror(e)
            if fd >= 0:  # (-1: a symlink to a directory, listed but not entered)
                try:
                    if follow:
                        key = _key(fd, dirpath, seen)
                    dirs: list[Any] = []  # (str or bytes)
                    files: list[Any] = []
                    if want_stats:
                        stats = {}
                    while True:
                        r = dir_split(fd, buf, _SIZE, spare, _SIZE, ndirs)
                        if r > 0:
                            chunk = unpack(buf, r - 1)
                            names = (chunk if as_bytes else chunk.decode(_FSENC, _FSERR)).split(nul)
                            k = ndirs[0]  # directories first
                            if not k:
                                files += names
                            elif k == len(names):
                                dirs += names
                            else:
                                dirs += names[:k]
                                files += names[k:]
                            if want_stats:  # one C loop of statx over the packed names
                                # (pyright, mypy: what ``if want_stats`` bound above)
                                k = len(names)
                                failed = statx_many(fd, buf, r, k, stflags, _STAT_MASK, rows,  # pyright: ignore[reportPossiblyUnboundVariable]
                                                    _CAP * _STRIDE, errs, _CAP)  # pyright: ignore[reportPossiblyUnboundVariable]
                                objs = list(map(new, repeat(Stat, k)))  # pyright: ignore[reportPossiblyUnboundVariable]
                                any(map(setattr, objs, repeat("_raw"),
                                        row_block[k](view) if k <= _BLOCK else _raws(view, k)))  # pyright: ignore[reportPossiblyUnboundVariable, reportUnknownArgumentType]
                                stats.update(zip(names, objs))  # type: ignore[union-attr]  # pyright: ignore[reportOptionalMemberAccess]
                                if failed:
                                    _stat_errors(failed, errs, names, stats, dirpath)  # type: ignore[arg-type]  # pyright: ignore[reportPossiblyUnboundVariable, reportArgumentType]
                        elif r == 0 or r == _NEG_ENOENT:  # (ENOENT: removed while open)
                            break
                        elif r != NEG_EINTR:
                            raise error(-r, "getdents64", dirpath)
                except OSError as e:
                    close(fd)
                    fd = -1
                    if onerror is not None:
                        onerror(e)
            if fd >= 0:  # (pyright: fd >= 0 here means dirs and files were bound above)
                result = ((dirpath, dirs, files) if stats is None  # pyright: ignore[reportPossiblyUnboundVariable]
                          else (dirpath, dirs, files, stats))  # pyright: ignore[reportPossiblyUnboundVariable]
                if topdown:
                    held = fd  # closed below, or by the finally clause if the walk ends here
                    yield result
                    held = -1
                if dirs:  # (top-down: as the caller left them)  # pyright: ignore[reportPossiblyUnboundVariable]
                    sep = b"/" if as_bytes else "/"
                    stack.append([fd, dirpath if dirpath.endswith(sep) else dirpath + sep,
                                  name, iter(tuple(dirs)), result, key])
                    if follow:
                        seen.add(key)
                    if len(stack) > _KEEP and (len(stack) - 1 - _KEEP) % _EVERY:
                        shed = stack[-1 - _KEEP]
                        if shed[_FD] >= 0:
                            close(shed[_FD])
                            shed[_FD] = -1
                else:
                    close(fd)
                    if not topdown:
                        yield result
            while True:  # the next subdirectory, depth first
                if not stack:
                    return
                frame = stack[-1]
                child = next(frame[_TODO], _DONE)
                if child is _DONE:
                    stack.pop()
                    if frame[_FD] >= 0:
                        close(frame[_FD])
                    seen.discard(frame[_KEY])
                    if not topdown:
                        yield frame[_RESULT]
                    continue
                dirfd = frame[_FD]
                if dirfd < 0:
                    try:
                        dirfd = _reopen(stack, oflags)
                    except OSError as e:  # a shed directory that cannot be reopened
                        if onerror is not None:
                            onerror(e)
                        continue
                break
            dirpath = frame[_PREFIX] + child
            if type(child) is str:  # path(), inlined for the names the walk read itself
                name = child.encode(_FSENC, _FSERR)
                if 0 in name:
                    raise ValueError("embedded null byte")
            else:
                name = path(child)
            flags = oflags
    finally:
        if held >= 0:
            _close(held)
        for frame in stack:
            if frame[_FD] >= 0:
                _close(frame[_FD])
        scratch.append(buf)


@overload
def walk(top: Union[AnyStr, os.PathLike[AnyStr]], topdown: bool = True,
         onerror: Optional[Callable[[OSError], Any]] = None, follow_symlinks: bool = False,
         stat: Literal[False] = False) -> Iterator[tuple[AnyStr, list[AnyStr], list[AnyStr]]]: ...
@overload
def walk(top: Union[AnyStr, os.PathLike[AnyStr]], topdown: bool = True,
         onerror: Optional[Callable[[OSError], Any]] = None, follow_symlinks: bool = False,
         *, stat: Literal[True]) -> Iterator[tuple[AnyStr, list[AnyStr], list[AnyStr],
                                                   dict[AnyStr, Union[Stat, OSError]]]]: ...
@overload
def walk(top: PathArg, topdown: bool = True, onerror: Optional[Callable[[OSError], Any]] = None,
         follow_symlinks: bool = False, stat: bool = False) -> Iterator[tuple[Any, ...]]: ...


def walk(top: Union[PathArg, os.PathLike[Any]], topdown: bool = True,
         onerror: Optional[Callable[[OSError], Any]] = None, follow_symlinks: bool = False,
         stat: bool = False) -> Iterator[tuple[Any, ...]]:
    """Walk a directory tree like os.walk, yielding ``(dirpath, dirnames, filenames)`` per
    directory, top-down (the caller may prune ``dirnames`` in place) or bottom-up.

    https://man7.org/linux/man-pages/man2/getdents64.2.html

    Each directory is opened relative to its parent's fd (openat, O_NOFOLLOW unless
    ``follow_symlinks``) and read with getdents64; d_type sorts the names, with a statx only
    for symlinks and DT_UNKNOWN.  As with os.walk, a symlink to a directory is listed in
    ``dirnames`` but entered only when following symlinks; a directory that cannot be
    opened or read is skipped after ``onerror(OSError)`` (the path as its filename), one
    removed while it is read reads as empty.  Following symlinks, a directory already being
    walked above (a symlink loop) is not entered again: onerror gets OSError(ELOOP) for it.
    Names are str unless ``top`` is bytes.

    With ``stat=True`` it yields ``(dirpath, dirnames, filenames, stats)``: ``stats`` maps
    each name of the two lists to its Stat (lstat's; stat's with ``follow_symlinks``), or to
    the OSError statx gave for it (a name removed since it was listed ...), from one C loop
    of statx per directory chunk.

    The walk holds one fd per level it is in (shallow ones are closed past 16 levels and
    reopened when needed) and closes them when it ends or is abandoned.  No OSError is
    raised: each goes to ``onerror`` (or is dropped without one), as with os.walk.

    Raises:
        TypeError: ``top`` is not str, bytes or os.PathLike, or ``onerror`` is neither callable nor
            None (at once); from the iteration, a name the caller put in ``dirnames`` that is not
            of ``top``'s type.
        ValueError: a NUL in ``top`` (at once), or in a name the caller put in ``dirnames`` (from
            the iteration).
    """
    t = os.fspath(top)
    p = path(t)
    if onerror is not None and not callable(onerror):
        raise TypeError(f"onerror must be callable or None, not {type(onerror).__name__!r}")
    return _walk(t, p, bool(topdown), onerror, bool(follow_symlinks), bool(stat))


__all__ = ["listdir", "readdir", "Dirent", "scandir", "DirEntry", "ScandirIterator", "walk",
           "statx_many"]
