"""The dir family against the real kernel, with os as the oracle: scandir, readdir, walk,
statx_many."""
import errno
import gc
import os
import struct
import resource
import shutil
import socket
import stat
import tempfile
import warnings

import pytest

import linuxsys as L
from linuxsys import dir as D
from linuxsys._core import lib
from conftest import as_nobody, child_ok, raises_errno

NON_UTF8 = b"caf\xe9-\xff"  # not UTF-8: str names carry it as surrogate escapes
STAT_FIELDS = ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size",
               "st_atime_ns", "st_mtime_ns", "st_ctime_ns", "st_blksize", "st_blocks", "st_rdev")


def same_stat(st, ost):
    """st (a Stat) and ost (os.stat_result) agree; a directory's atime is left out, since
    listing it may update it between the two calls."""
    fields = STAT_FIELDS[:7] + STAT_FIELDS[8:] if stat.S_ISDIR(ost.st_mode) else STAT_FIELDS
    return isinstance(st, L.Stat) and all(getattr(st, f) == getattr(ost, f) for f in fields)


def make_tree(root):
    """Files, directories, symlinks (to a file, a directory, themselves, nowhere, an ancestor),
    a fifo, a socket, an empty directory, a non-UTF-8 name, and a directory only its owner
    may read (0o700)."""
    os.makedirs(os.path.join(root, "a", "b", "c"))
    for p in ("f0", "a/f1", "a/b/f2", "a/b/c/f3"):
        with open(os.path.join(root, p), "wb") as f:
            f.write(b"x" * len(p))
    os.mkdir(os.path.join(root, "empty"))
    os.symlink("f0", os.path.join(root, "link_file"))
    os.symlink("a", os.path.join(root, "link_dir"))
    os.symlink("self", os.path.join(root, "self"))
    os.symlink("nowhere", os.path.join(root, "dangling"))
    os.symlink("..", os.path.join(root, "a", "b", "up"))  # a loop when followed
    os.mkfifo(os.path.join(root, "fifo"))
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(os.path.join(root, "sock"))
    os.mkdir(os.path.join(os.fsencode(root), NON_UTF8))
    with open(os.path.join(os.fsencode(root), NON_UTF8, NON_UTF8 + b".txt"), "wb"):
        pass
    os.makedirs(os.path.join(root, "private", "inside"))
    os.chmod(os.path.join(root, "private"), 0o700)


@pytest.fixture
def tree():
    """make_tree in a 0o755 directory nobody can reach (tmp_path's parents are 0o700)."""
    d = tempfile.mkdtemp(prefix="linuxsys-dir-")
    os.chmod(d, 0o755)
    make_tree(d)
    yield d
    shutil.rmtree(d)


def walked(it):
    """A walk's results, order-independent: {dirpath: (sorted dirnames, sorted filenames)}."""
    out = {}
    for top, dirs, files, *_ in it:
        assert top not in out
        out[top] = (sorted(dirs), sorted(files))
    return out


def loop_free_followed(tree):
    """os.walk(followlinks=True) of the tree without its looping symlink."""
    os.unlink(os.path.join(tree, "a", "b", "up"))
    return walked(os.walk(tree, followlinks=True))


# ---- readdir -------------------------------------------------------------------------------

def _getdents_oracle(path):
    """(ino, off, type, name) of every record, parsed here from raw getdents64 output."""
    out = []
    with L.open(path, "directory") as d:
        buf = bytearray(65536)
        while n := L.getdents64(d, buf):
            pos = 0
            while pos < n:
                ino, off, reclen, dtype = struct.unpack_from("=QqHB", buf, pos)
                name = bytes(buf[pos + 19:pos + reclen]).split(b"\0", 1)[0]
                out.append((ino, off, dtype, name))
                pos += reclen
    return out


def test_readdir_matches_raw_getdents64(tree):
    for arg in (tree, os.fsencode(tree), os.path.join(tree, "a")):
        entries = D.readdir(arg)
        raw = _getdents_oracle(arg)  # same order, offsets, types, names
        assert [(e.ino, e.off, int(e.type), os.fsencode(e.name)) for e in entries] == raw
        assert all(type(e) is L.Dirent and isinstance(e.type, L.DT) for e in entries)
    names = {e.name for e in D.readdir(tree)}
    assert names == {".", ".."} | set(os.listdir(tree))
    assert {e.name for e in D.readdir(os.fsencode(tree))} == {b".", b".."} | set(
        os.listdir(os.fsencode(tree)))
    by_name = {e.name: e for e in D.readdir(tree)}
    for entry in os.scandir(tree):
        assert by_name[entry.name].ino == entry.inode()


def test_readdir_fd_and_default(tree, monkeypatch):
    with L.open(tree, "directory") as d:
        assert sorted(D.readdir(d)) == sorted(L.readdir(tree))
        assert not d.closed
        assert D.readdir(d) == []  # read from its position: at the end now
    monkeypatch.chdir(os.path.join(tree, "a", "b", "c"))
    assert sorted(e.name for e in D.readdir()) == [".", "..", "f3"]


def test_readdir_big_directory(tmp_path):
    names = {f"entry-{i:05d}-{'y' * (i % 200)}" for i in range(5000)}
    for n in names:
        (tmp_path / n).touch()
    entries = D.readdir(tmp_path)
    assert {e.name for e in entries} == names | {".", ".."}
    assert len(entries) == len(names) + 2
    assert entries == L.readdir(tmp_path)


def test_readdir_errors_close_what_they_open(tree):
    raises_errno(errno.ENOENT, D.readdir, os.path.join(tree, "missing"))
    e = raises_errno(errno.ENOTDIR, D.readdir, os.path.join(tree, "f0"))
    assert e.filename == os.path.join(tree, "f0")
    with open(os.path.join(tree, "f0"), "rb") as f:  # a file's fd: getdents64 says ENOTDIR
        raises_errno(errno.ENOTDIR, D.readdir, f)
    fd = L.open(tree, "directory")
    fd.close()
    raises_errno(errno.EBADF, D.readdir, fd)
    with pytest.raises(TypeError):
        D.readdir(3.5)
    with pytest.raises(ValueError):
        D.readdir("a\0b")


def test_readdir_eacces_as_nobody(tree):
    private = os.path.join(tree, "private")

    def check():
        e = raises_errno(errno.EACCES, D.readdir, private)
        assert e.filename == private
    assert as_nobody(check) == 0


def test_removed_directory_reads_as_empty(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    with L.open(gone, "directory") as d1, L.open(gone, "directory") as d2:
        gone.rmdir()
        assert os.listdir(d1.fd) == []  # the oracle
        assert D.readdir(d1) == []
        assert list(D.scandir(d2)) == []


# ---- scandir -------------------------------------------------------------------------------

def outcome(fn, *args, **kwargs):
    """What fn returns, or the type and errno of the OSError it raises."""
    try:
        return fn(*args, **kwargs)
    except OSError as err:
        return type(err), err.errno, err.filename


def check_entry(e, oe):
    """A DirEntry answers as the os.DirEntry of the same name (both raise alike, too: a
    symlink loop's is_dir() raises ELOOP)."""
    assert e.name == oe.name and e.path == oe.path and os.fspath(e) == os.fspath(oe)
    assert e.inode() == oe.inode() == e.ino
    for follow in (True, False):
        for method in ("is_dir", "is_file", "stat"):
            ours = outcome(getattr(e, method), follow_symlinks=follow)
            theirs = outcome(getattr(oe, method), follow_symlinks=follow)
            if method == "stat" and isinstance(ours, L.Stat):
                assert same_stat(ours, theirs), e
            else:
                assert ours == theirs, (e, method, follow)
    assert e.is_symlink() == oe.is_symlink()
    assert not e.is_junction()


def test_scandir_matches_os(tree):
    for arg in (tree, os.fsencode(tree), tree + "/", os.path.join(tree, "a")):
        with D.scandir(arg) as it:
            ours = {e.name: e for e in it}
        theirs = {e.name: e for e in os.scandir(arg)}
        assert set(ours) == set(theirs)
        for name, e in ours.items():
            assert type(name) is type(theirs[name].name)
            check_entry(e, theirs[name])  # after close: stat() goes by path
    with D.scandir(tree) as it:
        for e in it:  # while open: stat() relative to the directory's fd
            check_entry(e, next(o for o in os.scandir(tree) if o.name == e.name))


def test_scandir_types_and_repr(tree):
    types = {e.name: e.type for e in D.scandir(tree)}
    assert types["a"] is L.DT.DIR and types["f0"] is L.DT.REG
    assert types["link_dir"] is L.DT.LNK and types["fifo"] is L.DT.FIFO
    assert types["sock"] is L.DT.SOCK
    e = next(x for x in D.scandir(tree) if x.name == "f0")
    assert repr(e) == "<DirEntry 'f0'>"
    assert e.inode() == os.stat(os.path.join(tree, "f0")).st_ino


def test_scandir_fd(tree, monkeypatch):
    theirs = os.open(tree, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with L.open(tree, "directory") as d:
            entries = list(D.scandir(d))
            assert not d.closed
            assert {e.name for e in entries} == set(os.listdir(tree))
            by_name = {o.name: o for o in os.scandir(theirs)}
            for e in entries:
                assert e.path == e.name  # as os.scandir(fd)
                check_entry(e, by_name[e.name])  # stat() relative to the fd
    finally:
        os.close(theirs)
    monkeypatch.chdir(os.path.join(tree, "a", "b"))
    assert sorted(e.path for e in D.scandir()) == sorted(e.path for e in os.scandir())


def test_scandir_unknown_type_asks_statx(tree):
    """A filesystem without d_type gives DT_UNKNOWN: the answers come from statx."""
    with L.open(tree, "directory") as fd:
        names = ["a", "f0", "link_dir", "link_file", "dangling", "fifo", "self"]
        chunk = D._Chunk(tree + "/", fd, names, bytes(8 * len(names)))
        for name in names:
            e = D.DirEntry((name, L.DT.UNKNOWN, chunk))
            assert e.type is L.DT.UNKNOWN and e.ino == 0
            oe = next(o for o in os.scandir(tree) if o.name == name)
            for follow in (True, False):
                for method in ("is_dir", "is_file"):
                    assert outcome(getattr(e, method), follow_symlinks=follow) == \
                        outcome(getattr(oe, method), follow_symlinks=follow), (name, method)
            assert e.is_symlink() == oe.is_symlink()


def test_scandir_closes_its_fd(tree):
    before = set(os.listdir("/proc/self/fd"))
    it = D.scandir(tree)
    assert len(set(os.listdir("/proc/self/fd")) - before) == 1  # opened at once, as os
    list(it)
    assert set(os.listdir("/proc/self/fd")) == before  # exhausted: closed
    with D.scandir(tree) as it:
        next(it)
    assert set(os.listdir("/proc/self/fd")) == before
    assert list(it) == []  # closed: the iteration ended
    with pytest.raises(StopIteration):
        next(it)
    it = D.scandir(tree)
    next(it)
    it.close()
    it.close()
    assert set(os.listdir("/proc/self/fd")) == before


def test_scandir_close_ends_a_big_chunk(tmp_path):
    for i in range(100):
        (tmp_path / f"n{i}").touch()
    with D.scandir(tmp_path) as it:
        seen = [next(it) for _ in range(3)]
        it.close()
        assert list(it) == []
    assert len(seen) == 3


def test_scandir_abandoned_closes_with_resourcewarning(tree):
    before = set(os.listdir("/proc/self/fd"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        it = D.scandir(tree)
        next(it)
        del it
        gc.collect()
        for _ in D.scandir(tree):
            break
        gc.collect()
    assert set(os.listdir("/proc/self/fd")) == before
    assert sum(issubclass(w.category, ResourceWarning) for w in caught) == 2


def test_scandir_error_closes(tree):
    before = set(os.listdir("/proc/self/fd"))
    raises_errno(errno.ENOENT, D.scandir, os.path.join(tree, "missing"))
    raises_errno(errno.ENOTDIR, D.scandir, os.path.join(tree, "f0"))
    with open(os.path.join(tree, "f0"), "rb") as f:
        it = D.scandir(f)
        with pytest.raises(NotADirectoryError):
            next(it)
    assert set(os.listdir("/proc/self/fd")) == before
    fd = L.open(tree, "directory")
    fd.close()
    raises_errno(errno.EBADF, D.scandir, fd)
    with pytest.raises(TypeError):
        D.scandir(1.5)


def test_scandir_eacces_as_nobody(tree):
    private = os.path.join(tree, "private")

    def check():
        e = raises_errno(errno.EACCES, D.scandir, private)
        assert e.filename == private
        # The entries of a readable directory, stat-ed as nobody: EACCES below "private".
        e = next(x for x in D.scandir(tree) if x.name == "private")
        assert e.is_dir()
        assert same_stat(e.stat(), os.stat(private))
    assert as_nobody(check) == 0


def test_scandir_non_utf8_names(tree):
    assert sorted(e.name for e in D.scandir(tree)) == sorted(os.listdir(tree))
    assert NON_UTF8 in {e.name for e in D.scandir(os.fsencode(tree))}
    inner = os.path.join(os.fsencode(tree), NON_UTF8)
    (e,) = list(D.scandir(inner))
    assert e.name == NON_UTF8 + b".txt" and e.path == os.path.join(inner, e.name)
    assert e.is_file()


# ---- statx_many ----------------------------------------------------------------------------

def test_statx_many_matches_os_stat(tree):
    names = sorted(os.listdir(tree))
    with L.open(tree, "directory") as d:
        for flags, oracle in ((0, os.stat), (L.AT.SYMLINK_NOFOLLOW, os.lstat)):
            results = D.statx_many(d, names, flags)
            assert len(results) == len(names)
            for name, st in zip(names, results):
                try:
                    ost = oracle(name, dir_fd=d.fd)
                except OSError as err:
                    assert type(st) is type(err) and st.errno == err.errno, name
                    assert st.filename == name
                else:
                    assert same_stat(st, ost), name
        bnames = [os.fsencode(n) for n in names]
        assert [getattr(s, "st_ino", None) for s in D.statx_many(d.fd, bnames)] == \
            [getattr(s, "st_ino", None) for s in D.statx_many(d, names)]


def test_statx_many_errors_per_name(tree):
    with L.open(tree, "directory") as d:
        got = D.statx_many(d, ["f0", "missing", "dangling", "self", "f0/x"])
    assert same_stat(got[0], os.stat(os.path.join(tree, "f0")))
    assert [type(x) for x in got[1:]] == [FileNotFoundError, FileNotFoundError, OSError,
                                          NotADirectoryError]
    assert got[3].errno == errno.ELOOP and got[1].filename == "missing"


def test_statx_many_names_and_masks(tree, monkeypatch):
    monkeypatch.chdir(tree)
    names = ["f0", b"a", os.path.join("a", "f1"),
             __import__("pathlib").Path("empty"), os.fsdecode(NON_UTF8)]
    got = D.statx_many(L.AT.FDCWD, names)
    for name, st in zip(names, got):
        assert same_stat(st, os.stat(name))
    (st,) = D.statx_many(L.AT.FDCWD, ["f0"], mask=L.STATX.SIZE | L.STATX.TYPE)
    assert st.stx_mask & L.STATX.SIZE and st.st_size == 2
    with L.open(tree, "directory") as d:
        (st,) = D.statx_many(d, [""], L.AT.EMPTY_PATH)  # the directory itself
        assert same_stat(st, os.stat(tree))
    assert D.statx_many(L.AT.FDCWD, []) == []
    assert D.statx_many(L.AT.FDCWD, iter(["f0"]))[0].st_size == 2
    many = D.statx_many(L.AT.FDCWD, ["f0"] * 3000)
    assert len(many) == 3000 and all(x == many[0] for x in many)


def test_statx_many_bad_arguments(tree):
    with L.open(tree, "directory") as d:
        for bad in (["a\0b"], ["f0", b"x\0"]):
            with pytest.raises(ValueError):
                D.statx_many(d, bad)
        with pytest.raises(TypeError):
            D.statx_many(d, ["f0", 3])
        with pytest.raises(TypeError):
            D.statx_many(d, ["f0"], L.O.RDONLY)  # another namespace's member
        with pytest.raises(TypeError):
            D.statx_many(d, ["f0"], mask=L.AT.SYMLINK_NOFOLLOW)
    with pytest.raises(L.ClosedFdError):
        D.statx_many(d, ["f0"])
    (e,) = D.statx_many(2**31 - 1, ["f0"])  # a number that is no fd: per name, as statx says
    assert e.errno == errno.EBADF


def test_statx_many_eacces_as_nobody(tree):
    def check():
        with L.open(tree, "directory") as d:
            got = D.statx_many(d, ["private/inside", "f0"])
        assert type(got[0]) is PermissionError and same_stat(got[1], os.stat(f"{tree}/f0"))
    assert as_nobody(check) == 0


def test_statx_many_native_checks_sizes():
    ffi = L.ffi
    rows = ffi.new("int64_t[]", lib.LS_ST_COUNT)
    errs = ffi.new("int32_t[]", 2)
    names = b"a\0b\0"
    assert lib.ls_statx_many(-100, names, 4, 2, 0, 0, rows, lib.LS_ST_COUNT, errs, 2) \
        == -errno.EINVAL  # room for one row, not two
    assert lib.ls_statx_many(-100, names, 4, 2, 0, 0, rows, 2 * lib.LS_ST_COUNT, errs, 1) \
        == -errno.EINVAL
    assert lib.ls_statx_many(-100, names, 3, 2, 0, 0, rows, 2 * lib.LS_ST_COUNT, errs, 2) \
        == -errno.EINVAL  # the second name has no NUL within len
    assert lib.ls_statx_many(-100, names, 4, 1, 0, 0, rows, 2 * lib.LS_ST_COUNT, errs, 2) \
        == -errno.EINVAL  # more names than count
    buf = ffi.new("char[]", 4096)
    arr = ffi.new("char[]", 10)
    assert lib.ls_dir_read(0, buf, 4096, ffi.NULL, ffi.NULL, arr, 10, 0) == -errno.EINVAL
    assert lib.ls_dir_read(0, buf, 4096, ffi.NULL, ffi.NULL, arr, 4096, 4) == -errno.EINVAL
    assert lib.ls_dir_split(0, buf, 4096, arr, 10, ffi.new("int64_t[]", 1)) == -errno.EINVAL


# ---- walk ----------------------------------------------------------------------------------

@pytest.mark.parametrize("topdown", [True, False])
def test_walk_matches_os_walk(tree, topdown):
    expected = walked(os.walk(tree, topdown))
    assert walked(D.walk(tree, topdown)) == expected
    assert expected[tree][0] == sorted([os.fsdecode(NON_UTF8), "a", "empty", "link_dir",
                                        "private"])
    assert sorted(["fifo", "sock", "self", "dangling", "f0", "link_file"]) == expected[tree][1]
    btree = os.fsencode(tree)
    assert walked(D.walk(btree, topdown)) == walked(os.walk(btree, topdown))
    assert walked(D.walk(__import__("pathlib").Path(tree), topdown)) == expected
    order = [top for top, *_ in D.walk(tree, topdown)]
    for i, top in enumerate(order):  # parents before children, or after
        parent = os.path.dirname(top)
        if top != tree:
            assert (order.index(parent) < i) == topdown


def test_walk_prunes_and_extends_dirnames(tree):
    seen = []
    for top, dirs, files in D.walk(tree):
        seen.append(top)
        if top == tree:
            dirs[:] = ["a", "link_dir", "f0", "missing"]
    errors = []
    for top, dirs, files in D.walk(tree, onerror=errors.append):
        if top == tree:
            dirs[:] = ["f0", "missing", "link_dir"]
    expected_errors = []
    for top, dirs, files in os.walk(tree, onerror=expected_errors.append):
        if top == tree:
            dirs[:] = ["f0", "missing", "link_dir"]
    assert [(type(e), e.errno, e.filename) for e in errors] == \
        [(type(e), e.errno, e.filename) for e in expected_errors]
    assert seen[0] == tree and set(seen) == {tree, *(os.path.join(tree, p) for p in
                                                     ("a", "a/b", "a/b/c"))}


def test_walk_follow_symlinks(tree):
    errors = []
    got = walked(D.walk(tree, follow_symlinks=True, onerror=errors.append))
    up = os.path.join(tree, "a", "b", "up")
    link_up = os.path.join(tree, "link_dir", "b", "up")
    assert sorted(e.filename for e in errors) == [up, link_up]  # the loop, not entered
    assert all(e.errno == errno.ELOOP for e in errors)
    expected = loop_free_followed(tree)
    for p in (os.path.join(tree, "a", "b"), os.path.join(tree, "link_dir", "b")):
        assert got[p][0] == ["c", "up"]
        got[p] = (["c"], got[p][1])
    assert got == expected


def test_walk_errors(tree):
    for top, code in (("missing", errno.ENOENT), ("f0", errno.ENOTDIR), ("self", errno.ELOOP)):
        path = os.path.join(tree, top)
        errors, expected = [], []
        assert list(D.walk(path, onerror=errors.append)) == []
        assert list(os.walk(path, onerror=expected.append)) == []
        assert [(type(e), e.errno, e.filename) for e in errors] == \
            [(type(e), e.errno, e.filename) for e in expected]
        assert errors[0].errno == code
        assert list(D.walk(path)) == []  # no onerror: errors are ignored
    with pytest.raises(TypeError):
        D.walk(3)
    with pytest.raises(ValueError):
        D.walk("a\0b")
    with pytest.raises(TypeError):
        D.walk(tree, onerror=42)

    def stop(e):
        raise e
    with pytest.raises(FileNotFoundError):
        list(D.walk(os.path.join(tree, "missing"), onerror=stop))


def test_walk_unreadable_as_nobody(tree):
    def check():
        for topdown in (True, False):
            errors, expected = [], []
            got = walked(D.walk(tree, topdown, onerror=errors.append))
            assert got == walked(os.walk(tree, topdown, onerror=expected.append))
            assert [(type(e), e.errno, e.filename) for e in errors] == \
                [(type(e), e.errno, e.filename) for e in expected]
            assert errors[0].errno == errno.EACCES
            assert errors[0].filename == os.path.join(tree, "private")
    assert as_nobody(check) == 0


def test_walk_searchable_but_not_listable_and_the_reverse():
    """A directory nobody may list (--x) and one it may list but not enter (r--)."""
    d = tempfile.mkdtemp(prefix="linuxsys-dir-")
    try:
        os.chmod(d, 0o755)
        for name, mode in (("noread", 0o711), ("nosearch", 0o744)):
            os.makedirs(os.path.join(d, name, "sub"))
            with open(os.path.join(d, name, "file"), "wb"):
                pass
            os.chmod(os.path.join(d, name), mode)

        def check():
            errors, expected = [], []
            got = walked(D.walk(d, onerror=errors.append))
            assert got == walked(os.walk(d, onerror=expected.append))
            assert sorted((e.errno, e.filename) for e in errors) == \
                sorted((e.errno, e.filename) for e in expected)
            stats = {top: st for top, _, _, st in D.walk(d, stat=True)}
            nosearch = stats[os.path.join(d, "nosearch")]
            assert sorted(nosearch) == ["file", "sub"]
            assert all(type(v) is PermissionError for v in nosearch.values())
            assert nosearch["file"].filename == os.path.join(d, "nosearch", "file")
        assert as_nobody(check) == 0
    finally:
        shutil.rmtree(d)


def test_walk_directory_removed_mid_walk(tree):
    errors, expected = [], []
    for top, dirs, files in D.walk(tree, onerror=errors.append):
        if top == tree:
            shutil.rmtree(os.path.join(tree, "a"))
    assert not os.path.exists(os.path.join(tree, "a"))
    os.makedirs(os.path.join(tree, "a", "b"))
    for top, dirs, files in os.walk(tree, onerror=expected.append):
        if top == tree:
            shutil.rmtree(os.path.join(tree, "a"))
    assert [(type(e), e.filename) for e in errors] == [(type(e), e.filename) for e in expected]
    assert errors and errors[0].errno == errno.ENOENT


def test_walk_stat(tree):
    for top, dirs, files, stats in D.walk(tree, stat=True):
        assert sorted(stats) == sorted(dirs + files)
        for name, st in stats.items():
            assert same_stat(st, os.lstat(os.path.join(top, name))), (top, name)
    follow = {}
    for top, dirs, files, stats in D.walk(tree, stat=True, follow_symlinks=True,
                                          onerror=lambda e: None):
        follow[top] = stats
    root = follow[tree]
    assert same_stat(root["link_file"], os.stat(os.path.join(tree, "f0")))
    assert same_stat(root["link_dir"], os.stat(os.path.join(tree, "a")))
    assert type(root["dangling"]) is FileNotFoundError
    assert root["dangling"].filename == os.path.join(tree, "dangling")
    assert root["self"].errno == errno.ELOOP
    btree = os.fsencode(tree)
    for top, dirs, files, stats in D.walk(btree, stat=True, topdown=False):
        assert all(type(n) is bytes for n in stats)
        for name, st in stats.items():
            assert same_stat(st, os.lstat(os.path.join(top, name)))


def test_walk_stat_big_directory(tmp_path):
    for i in range(3000):  # more entries than one statx batch (_BLOCK) and one chunk
        (tmp_path / f"file-{i:05d}-{'z' * (i % 100)}").write_bytes(b"q" * (i % 7))
    ((top, dirs, files, stats),) = list(D.walk(tmp_path, stat=True))
    assert len(files) == len(stats) == 3000 and not dirs
    for name in files[::97] + files[-3:]:
        assert same_stat(stats[name], os.lstat(tmp_path / name))


def make_deep(root, depth, leaves=1):
    """A chain of depth directories d/d/d..., each also holding leaf directories (listed
    before or after d, in the filesystem's order) and a file."""
    path = root
    for i in range(depth):
        for name in ["d"] + [f"x{i}-{j}" for j in range(leaves)]:
            os.mkdir(os.path.join(path, name))
        with open(os.path.join(path, f"f{i}"), "wb"):
            pass
        path = os.path.join(path, "d")
    return path


def open_fd_count():
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("topdown", [True, False])
def test_walk_deep_tree_holds_few_fds(tmp_path, topdown):
    depth = 70
    make_deep(str(tmp_path), depth)
    base = open_fd_count()
    most = 0
    got = {}
    for top, dirs, files in D.walk(str(tmp_path), topdown):
        most = max(most, open_fd_count() - base)
        got[top] = (sorted(dirs), sorted(files))
    assert got == walked(os.walk(str(tmp_path), topdown))
    assert len(got) == 2 * depth + 1
    assert most <= D._KEEP + depth // D._EVERY + 3, most  # not one per level
    stats = {top: st for top, _, _, st in D.walk(str(tmp_path), topdown, stat=True)}
    assert len(stats) == 2 * depth + 1


def test_walk_out_of_fds(tmp_path):
    """At the RLIMIT_NOFILE limit (EMFILE), the walk closes the fds it can reopen."""
    depth = 40
    make_deep(str(tmp_path), depth)
    expected = walked(os.walk(str(tmp_path)))

    def check():
        gc.collect()
        fds = {int(n) for n in os.listdir("/proc/self/fd")}
        free = [n for n in range(max(fds) + 10) if n not in fds]
        limit = free[5]  # room for 5 more fds (the listing's own fd is closed by now)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, resource.getrlimit(
            resource.RLIMIT_NOFILE)[1]))
        shed = []
        shed_all = D._shed_all
        D._shed_all = lambda *a: shed.append(1) or shed_all(*a)
        errors = []
        assert walked(D.walk(str(tmp_path), onerror=errors.append)) == expected
        assert errors == [] and shed
    child_ok(check)


def test_walk_shed_directory_gone_when_reopened(tmp_path):
    """A directory whose fd was shed and that is renamed away before the walk comes back to
    it: the rest of it is skipped after onerror(ENOENT), and the walk goes on."""
    depth = 40
    make_deep(str(tmp_path), depth, leaves=4)
    level = [str(tmp_path)]
    for _ in range(20):
        level.append(os.path.join(level[-1], "d"))
    # The walk comes back to level 18 only for a directory listed there after d: tmpfs lists
    # newest first (so d is made the newest), ext4 in hash order (so there are 8 leaves).
    for j in range(4):
        os.mkdir(os.path.join(level[18], f"y{j}"))
    os.rename(level[19], level[18] + "/tmp")
    os.rename(level[18] + "/tmp", level[19])
    listed = os.listdir(level[18])
    comes_back = any(n != "d" and not n.startswith("f") for n in listed[listed.index("d"):])
    moved = False
    errors = []
    seen = set()
    for top, dirs, files in D.walk(str(tmp_path), onerror=errors.append):
        seen.add(top)
        if top.count("/d") == depth and not moved:  # at the bottom: level 18 is shed by now
            os.rename(level[18], level[17] + "/moved")
            moved = True
    assert moved
    # It must come back for a leaf listed after d; it may come back anyway (to read on).
    assert len(errors) == 1 if comes_back else len(errors) <= 1
    for e in errors:
        assert e.errno == errno.ENOENT and e.filename == level[18]
    assert str(tmp_path) in seen and os.path.join(str(tmp_path), "x0-0") in seen


def test_walk_abandoned_closes_its_fds(tmp_path):
    make_deep(str(tmp_path), 30)
    before = set(os.listdir("/proc/self/fd"))
    for topdown in (True, False):
        g = D.walk(str(tmp_path), topdown)
        next(g)
        assert set(os.listdir("/proc/self/fd")) != before
        g.close()
        assert set(os.listdir("/proc/self/fd")) == before
        g = D.walk(str(tmp_path), topdown, stat=True)
        for _ in range(25):
            next(g)
        del g
        gc.collect()
        assert set(os.listdir("/proc/self/fd")) == before
    g = D.walk(str(tmp_path))  # never started: nothing opened
    del g
    assert set(os.listdir("/proc/self/fd")) == before


def test_walk_non_utf8(tree):
    inner = os.path.join(tree, os.fsdecode(NON_UTF8))
    got = walked(D.walk(tree))
    assert got[inner] == ([], [os.fsdecode(NON_UTF8 + b".txt")])
    got = walked(D.walk(os.fsencode(tree)))
    assert got[os.fsencode(inner)] == ([], [NON_UTF8 + b".txt"])


def test_module_exports():
    assert set(D.__all__) == {"listdir", "readdir", "Dirent", "scandir", "DirEntry",
                              "ScandirIterator", "walk", "statx_many"}
    for name in D.__all__:
        assert getattr(D, name).__doc__


def test_scandir_keeps_a_temporary_fd(tree):
    it = D.scandir(L.open(tree, "directory"))  # the iterator holds the only reference
    gc.collect()
    assert sorted(e.name for e in it) == sorted(os.listdir(tree))
    gc.collect()  # exhausted: the Fd is collectable now (no_fd_leaks checks it is closed)
