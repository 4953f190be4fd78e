"""The fs family against the real kernel: every function of linuxsys.fs, Stat and makedev."""
import errno
import gc
import inspect
import logging
import os
import pickle
import shutil
import socket
import stat as pystat
import struct
import tempfile

import pytest

import linuxsys as L
from linuxsys import fs
from conftest import (EMULATED, as_nobody, child_ok, cloexec, in_child, qemu_may_lack, raises_errno,
                      requires_root)

NOBODY = 65534
BIG = (2**32 + 4096, 2**40 + 4096)  # offsets past 32 bits and past 40 bits



def large(fn, *args):
    """Call fn at a large offset; skip only if this filesystem refuses such sizes."""
    try:
        return fn(*args)
    except OSError as e:
        if e.errno in (errno.EOPNOTSUPP, errno.EFBIG):
            pytest.skip(f"filesystem refuses large offsets: {e}")
        raise


def current_umask():
    old = os.umask(0)
    os.umask(old)
    return old


def open_fds():
    return set(os.listdir("/proc/self/fd"))



def assert_same_stat(st, ost):
    assert tuple(st[:10]) == tuple(ost)[:10]
    for name in ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size",
                 "st_atime_ns", "st_mtime_ns", "st_ctime_ns", "st_blksize", "st_blocks",
                 "st_rdev"):
        assert getattr(st, name) == getattr(ost, name), name
    for name in ("st_atime", "st_mtime", "st_ctime"):
        assert getattr(st, name) == pytest.approx(getattr(ost, name), abs=1e-6), name


@pytest.fixture
def tree(tmp_path):
    """tmp_path holding: file (b"hello", 0o644), dir/ (with inner), link -> file, dangling."""
    (tmp_path / "file").write_bytes(b"hello")
    os.chmod(tmp_path / "file", 0o644)
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "inner").write_bytes(b"")
    os.symlink("file", tmp_path / "link")
    os.symlink("missing", tmp_path / "dangling")
    return tmp_path


@pytest.fixture
def public():
    """A root-owned 0o755 directory nobody can reach (tmp_path's parents are 0o700), holding a
    root-only file "secret" (0o600) and a root-owned directory "locked" (0o755)."""
    d = tempfile.mkdtemp(prefix="linuxsys-")
    os.chmod(d, 0o755)
    with open(os.path.join(d, "secret"), "wb") as f:
        f.write(b"s")
    os.chmod(os.path.join(d, "secret"), 0o600)
    os.mkdir(os.path.join(d, "locked"), 0o755)
    with open(os.path.join(d, "locked", "keep"), "wb"):
        pass
    yield d
    shutil.rmtree(d)


# ---- open, openat, openat2 ------------------------------------------------------------------

def test_open_creates_with_mode_and_cloexec(tmp_path):
    p = tmp_path / "new"
    with L.open(p, L.O.CREAT | L.O.WRONLY, 0o640) as fd:
        assert isinstance(fd, L.Fd)
        assert str(fd.fd) in open_fds()
        assert os.readlink(f"/proc/self/fd/{fd.fd}") == str(p)
        assert cloexec(fd)
        assert L.write(fd, b"abc") == 3
    assert os.stat(p).st_mode & 0o777 == 0o640 & ~current_umask()
    with L.open(str(p), "rdonly", inheritable=True) as fd:
        assert not cloexec(fd)
        assert L.read(fd, 10) == b"abc"
    with L.open(bytes(p), os.O_RDWR | os.O_APPEND) as fd:
        L.write(fd, b"d")
    assert p.read_bytes() == b"abcd"
    with L.open(p, "wronly|trunc") as fd:
        assert os.fstat(fd).st_size == 0


def test_open_errors(tree):
    e = raises_errno(errno.ENOENT, L.open, tree / "missing")
    assert e.filename == str(tree / "missing")
    raises_errno(errno.EEXIST, L.open, tree / "file", "creat|excl|wronly")
    raises_errno(errno.EISDIR, L.open, tree / "dir", "wronly")
    raises_errno(errno.ENOTDIR, L.open, tree / "file" / "x")
    raises_errno(errno.ENOTDIR, L.open, tree / "file", "directory")
    raises_errno(errno.ELOOP, L.open, tree / "link", "nofollow")
    os.symlink("self", tree / "self")
    raises_errno(errno.ELOOP, L.open, tree / "self")
    with pytest.raises(ValueError):
        L.open(tree / "file", "rdonly|nonsense")
    with pytest.raises(TypeError):
        L.open(tree / "file", 0, 0.5)


@requires_root()
def test_open_eacces_as_nobody(public):
    secret = os.path.join(public, "secret")

    def check():
        e = raises_errno(errno.EACCES, L.open, secret)
        assert e.filename == secret
        with pytest.raises(PermissionError):
            os.open(secret, os.O_RDONLY)
        raises_errno(errno.EACCES, L.open, os.path.join(public, "locked", "new"), "creat|wronly")
    assert as_nobody(check) == 0


def test_openat_relative_to_dirfd(tree):
    with L.open(tree / "dir", "directory") as d:
        with d.openat("inner") as fd:
            assert os.path.samestat(os.fstat(fd), os.stat(tree / "dir" / "inner"))
            assert cloexec(fd)
        with L.openat(d, "made", "creat|wronly", "0600") as fd:
            L.write(fd, b"m")
        assert (tree / "dir" / "made").read_bytes() == b"m"
        with L.openat(d.fd, "../file", inheritable=True) as fd:
            assert L.read(fd, 5) == b"hello"
            assert not cloexec(fd)
        raises_errno(errno.ENOENT, d.openat, "missing")
    with L.openat(L.AT.FDCWD, tree / "file") as fd:  # absolute path: dirfd ignored
        assert L.read(fd, 1) == b"h"
    with L.open(tree / "file") as f:
        raises_errno(errno.ENOTDIR, L.openat, f, "x")


def test_openat2_resolve(tree):
    with L.open(tree / "dir", "directory") as d:
        with qemu_may_lack(L.openat2, d, "inner") as fd:
            assert os.path.samestat(os.fstat(fd), os.stat(tree / "dir" / "inner"))
            assert cloexec(fd)
        raises_errno(errno.EXDEV, L.openat2, d, "../file", resolve=L.RESOLVE.BENEATH)
        raises_errno(errno.EXDEV, d.openat2, str(tree / "file"), 0, 0, "beneath")
        os.symlink("inner", tree / "dir" / "sym")
        raises_errno(errno.ELOOP, L.openat2, d, "sym", resolve="no_symlinks")
        with L.openat2(d, "../inner", resolve=L.RESOLVE.IN_ROOT) as fd:  # ".." stops at d
            assert os.path.samestat(os.fstat(fd), os.stat(tree / "dir" / "inner"))
        with L.openat2(d, "new", "creat|wronly", 0o600, inheritable=True) as fd:
            assert not cloexec(fd)
        assert os.stat(tree / "dir" / "new").st_mode & 0o777 == 0o600 & ~current_umask()
        raises_errno(errno.ENOENT, L.openat2, d, "missing")


# ---- stat family --------------------------------------------------------------------------

def test_stat_lstat_fstat_match_os(tree):
    for name in ("file", "dir", "link"):
        p = tree / name
        assert_same_stat(L.stat(p), os.stat(p))
        assert_same_stat(L.lstat(p), os.lstat(p))
    assert_same_stat(L.stat(b"/dev/null"), os.stat(b"/dev/null"))
    assert L.lstat(tree / "link").islnk and L.stat(tree / "link").isreg
    with L.open(tree / "file") as fd:
        assert_same_stat(L.fstat(fd), os.fstat(fd.fd))
        assert_same_stat(fd.fstat(), os.stat(tree / "file"))
        assert_same_stat(L.fstat(fd.fd), os.stat(tree / "file"))


def test_fstatat_and_statx(tree):
    with L.open(tree, "directory") as d:
        assert_same_stat(L.fstatat(d, "link"), os.stat(tree / "link"))
        assert_same_stat(d.fstatat("link", L.AT.SYMLINK_NOFOLLOW), os.lstat(tree / "link"))
        assert_same_stat(L.fstatat(d, "", "empty_path"), os.stat(tree))
        st = qemu_may_lack(L.statx, d, "file")
        assert_same_stat(st, os.stat(tree / "file"))
        assert st.stx_mask & L.STATX.BASIC_STATS == L.STATX.BASIC_STATS
        st = d.statx("file", 0, L.STATX.SIZE | L.STATX.MNT_ID)
        assert st.st_size == 5
        assert st.stx_mask & L.STATX.SIZE
        if st.stx_mask & L.STATX.MNT_ID and not EMULATED:  # qemu 7.2 drops stx_mnt_id
            with open("/proc/self/fdinfo/%d" % d.fd) as info:
                mnt = dict(line.split(":\t", 1) for line in info.read().splitlines())
            assert st.stx_mnt_id == int(mnt["mnt_id"])
        assert_same_stat(L.statx(L.AT.FDCWD, tree / "link", "symlink_nofollow"),
                         os.lstat(tree / "link"))
        raises_errno(errno.ENOENT, L.fstatat, d, "missing")


def test_stat_errors(tree):
    e = raises_errno(errno.ENOENT, L.stat, tree / "dangling")
    assert e.filename == str(tree / "dangling")
    assert L.lstat(tree / "dangling").islnk
    raises_errno(errno.ENOENT, L.lstat, tree / "missing")
    raises_errno(errno.ENOTDIR, L.stat, tree / "file" / "x")
    os.symlink("loop", tree / "loop")
    raises_errno(errno.ELOOP, L.stat, tree / "loop")
    with pytest.raises(ValueError):
        L.stat("a\0b")


def test_stat_times_are_nanosecond_exact(tree):
    os.utime(tree / "file", ns=(1_234_567_890_123_456_789, 987_654_321_000_000_001))
    st = L.stat(tree / "file")
    assert st.st_atime_ns == 1_234_567_890_123_456_789
    assert st.st_mtime_ns == 987_654_321_000_000_001


def test_stat_helpers_for_every_type(tree):
    os.mkfifo(tree / "fifo")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(tree / "sk"))
        expected = {"file": ("isreg", "file"), "dir": ("isdir", "directory"),
                    "link": ("islnk", "link"), "fifo": ("isfifo", "fifo"),
                    "sk": ("issock", "socket"), "/dev/null": ("ischr", "char")}
        helpers = ("isdir", "isreg", "islnk", "ischr", "isblk", "isfifo", "issock")
        for name, (helper, typename) in expected.items():
            st = L.lstat(tree / name)
            assert st.typename == typename
            assert [h for h in helpers if getattr(st, h)] == [helper]
            assert st.perms == pystat.S_IMODE(os.lstat(tree / name).st_mode)
    assert L.stat(tree / "file").perms == 0o644
    os.chmod(tree / "file", 0o4751)
    assert L.stat(tree / "file").perms == 0o4751
    assert "st_mode=0o104751" in repr(L.stat(tree / "file"))


def test_stat_reads_like_os_stat_result(tree):
    st, ost = L.stat(tree / "file"), os.stat(tree / "file")
    assert len(st) == len(ost) == 10
    assert list(st) == list(ost)
    assert st[0] == ost[0] == ost.st_mode and st[-1] == ost[-1] == int(ost.st_ctime)
    assert st[6:8] == ost[6:8]
    again = L.stat(tree / "file")
    assert st == again and hash(st) == hash(again)
    assert pickle.loads(pickle.dumps(st)) == st
    assert pickle.loads(pickle.dumps(st)).st_mtime_ns == ost.st_mtime_ns
    assert st != L.stat(tree / "dir")


def test_stat_device_numbers():
    null = L.stat("/dev/null")
    assert (null.major, null.minor) == (1, 3)
    assert null.st_rdev == os.makedev(1, 3)
    here = L.stat(__file__)
    assert (here.dev_major, here.dev_minor) == (os.major(os.stat(__file__).st_dev),
                                                os.minor(os.stat(__file__).st_dev))


def test_major_minor_makedev():
    assert L.minor(L.makedev(8, 300)) == 300
    assert L.major(L.makedev(8, 300)) == 8
    dev = L.makedev(4095, (1 << 20) - 1)
    assert (L.major(dev), L.minor(dev)) == (4095, (1 << 20) - 1)
    assert dev == os.makedev(4095, (1 << 20) - 1)
    assert (L.major(os.stat("/dev/null").st_rdev), L.minor(os.stat("/dev/null").st_rdev)) == (1, 3)


def test_birthtime_present_or_attribute_error(tree):
    for p in (tree / "file", "/proc/self/stat"):
        st = L.stat(p)
        if st.stx_mask & L.STATX.BTIME:
            assert 0 < st.st_birthtime_ns <= st.st_ctime_ns
            assert st.st_birthtime == pytest.approx(st.st_birthtime_ns / 1e9)
        else:
            with pytest.raises(AttributeError):
                st.st_birthtime_ns
            assert not hasattr(st, "st_birthtime")


# ---- directories: getdents64, readdir, listdir --------------------------------------------

def parse_dirents(data):
    out = []
    pos = 0
    while pos < len(data):
        ino, off, reclen, dtype = struct.unpack_from("=QqHB", data, pos)
        name = data[pos + 19:pos + reclen].split(b"\0", 1)[0]
        out.append((ino, dtype, name))
        pos += reclen
    return out


def test_getdents64(tree):
    buf = bytearray(4096)
    entries = []
    with L.open(tree, "directory") as d:
        while True:
            n = L.getdents64(d, buf)
            if n == 0:
                break
            entries += parse_dirents(bytes(buf[:n]))
        assert d.getdents64(buf) == 0
    names = {name for _, _, name in entries}
    assert names == {b".", b".."} | {os.fsencode(n) for n in os.listdir(tree)}
    types = {name: t for _, t, name in entries}
    assert types[b"dir"] == L.DT.DIR and types[b"file"] == L.DT.REG
    assert types[b"link"] == L.DT.LNK
    inos = {name: ino for ino, _, name in entries}
    assert inos[b"file"] == os.lstat(tree / "file").st_ino
    with L.open(tree / "file") as f:
        raises_errno(errno.ENOTDIR, L.getdents64, f, buf)
    with L.open(tree, "directory") as d:
        with pytest.raises(TypeError):
            L.getdents64(d, b"immutable bytes")
        raises_errno(errno.EINVAL, L.getdents64, d, bytearray(8))  # too small for one entry


def test_readdir(tree):
    entries = L.readdir(tree)
    by_name = {e.name: e for e in entries}
    assert set(by_name) == {".", ".."} | set(os.listdir(tree))
    for entry in os.scandir(tree):
        e = by_name[entry.name]
        assert e.ino == entry.inode()
        assert isinstance(e.type, L.DT)
        expected = (L.DT.LNK if entry.is_symlink() else L.DT.DIR if entry.is_dir()
                    else L.DT.REG)
        assert e.type == expected
        assert isinstance(e, L.Dirent)
    assert all(isinstance(e.name, bytes) for e in L.readdir(bytes(tree)))
    assert all(isinstance(e.name, str) for e in L.readdir(str(tree)))
    with L.open(tree / "dir", "directory") as d:
        assert sorted(e.name for e in L.readdir(d)) == [".", "..", "inner"]
        assert not d.closed
        assert L.readdir(d) == []  # read from the fd's position: at the end now


def test_listdir_matches_os(tree, monkeypatch):
    assert sorted(L.listdir(tree)) == sorted(os.listdir(tree))
    assert sorted(L.listdir(str(tree))) == sorted(os.listdir(str(tree)))
    names = L.listdir(bytes(tree))
    assert sorted(names) == sorted(os.listdir(bytes(tree)))
    assert all(isinstance(n, bytes) for n in names)
    assert all(isinstance(n, str) for n in L.listdir(tree))
    with L.open(tree / "dir", "directory") as d:
        assert L.listdir(d) == ["inner"]
        assert not d.closed
    monkeypatch.chdir(tree / "dir")
    assert L.listdir() == ["inner"]


def test_listdir_big_directory(tmp_path):
    for i in range(2000):
        (tmp_path / f"entry-{i:04d}-{'x' * (i % 50)}").touch()
    names = L.listdir(tmp_path)
    assert len(names) == 2000
    assert sorted(names) == sorted(os.listdir(tmp_path))
    assert sorted(e.name for e in L.readdir(tmp_path)) == sorted([".", ".."] +
                                                                  os.listdir(tmp_path))


def test_listdir_and_readdir_close_on_error(tree):
    before = open_fds()
    for fn in (L.listdir, L.readdir):
        raises_errno(errno.ENOTDIR, fn, tree / "file")
        raises_errno(errno.ENOENT, fn, tree / "missing")
        with L.open(tree / "file") as f:
            raises_errno(errno.ENOTDIR, fn, f)
        closed = L.open(tree)
        closed.close()
        raises_errno(errno.EBADF, fn, closed)
    assert open_fds() == before


def test_listdir_of_a_removed_directory(tmp_path):
    d = tmp_path / "gone"
    d.mkdir()
    with L.open(d, "directory") as fd:
        os.rmdir(d)
        assert L.listdir(fd) == os.listdir(fd.fd) == []  # getdents64 says ENOENT
        assert L.readdir(fd) == []
        raises_errno(errno.ENOENT, L.getdents64, fd, bytearray(1024))


# ---- access -------------------------------------------------------------------------------

def test_access_and_faccessat(tree):
    assert L.access(tree / "file", L.OK.R | L.OK.W) is None
    assert L.access(tree / "file", "F_OK") is None
    assert L.access(tree / "file", "R_OK|W_OK") is None
    assert L.access(bytes(tree / "dir"), L.R_OK | L.X_OK) is None
    e = raises_errno(errno.ENOENT, L.access, tree / "missing", "F_OK")
    assert e.filename == str(tree / "missing")
    raises_errno(errno.ENOENT, L.access, tree / "dangling", 0)
    raises_errno(errno.ENOTDIR, L.access, tree / "file" / "x", 0)
    if os.geteuid() == 0:  # even root needs one x bit to execute
        assert not os.access(tree / "file", os.X_OK)
        raises_errno(errno.EACCES, L.access, tree / "file", L.OK.X)
    with L.open(tree, "directory") as d:
        assert L.faccessat(d, "file", "R_OK") is None
        assert d.faccessat("file", L.OK.R) is None
        qemu_may_lack(L.faccessat, d, "dangling", "F_OK", L.AT.SYMLINK_NOFOLLOW)
        raises_errno(errno.ENOENT, L.faccessat, d, "dangling", "F_OK")
        assert L.faccessat(d, "file", "R_OK", "eaccess") is None
        with L.open(tree / "file") as f:
            assert L.faccessat(f, "", "R_OK", L.AT.EMPTY_PATH) is None
        raises_errno(errno.EINVAL, L.faccessat, d, "file", "R_OK", 0x1)  # not an AT flag here
    with pytest.raises(ValueError):
        L.access(tree / "file", "R_OK|Q_OK")


@requires_root()
def test_access_eacces_as_nobody(public):
    secret = os.path.join(public, "secret")

    def check():
        assert not os.access(secret, os.R_OK)
        raises_errno(errno.EACCES, L.access, secret, "R_OK")
        assert L.access(secret, "F_OK") is None
        assert L.access(public, "R_OK|X_OK") is None
        raises_errno(errno.EACCES, L.access, public, L.OK.W)
    assert as_nobody(check) == 0


# ---- modes and owners ---------------------------------------------------------------------

def test_chmod_fchmod_fchmodat(tree):
    L.chmod(tree / "file", 0o600)
    assert pystat.S_IMODE(os.stat(tree / "file").st_mode) == 0o600
    L.chmod(str(tree / "link"), "0640")  # follows the link
    assert pystat.S_IMODE(os.stat(tree / "file").st_mode) == 0o640
    with L.open(tree / "file") as fd:
        L.fchmod(fd, L.S.IRUSR | L.S.IWUSR | L.S.IXUSR)
        assert pystat.S_IMODE(os.stat(tree / "file").st_mode) == 0o700
        fd.fchmod(0o4755)
        assert pystat.S_IMODE(os.stat(tree / "file").st_mode) == 0o4755
    with L.open(tree, "directory") as d:
        L.fchmodat(d, "file", 0o604)
        assert L.stat(tree / "file").perms == 0o604
        d.fchmodat("dir", 0o700)
        assert L.stat(tree / "dir").perms == 0o700
        # flags go through fchmodat2 (Linux 6.6): nofollow works on a file, not on a link
        e = raises_errno(errno.EOPNOTSUPP, L.fchmodat, d, "link", 0o600, L.AT.SYMLINK_NOFOLLOW)
        assert e.filename == "link"
        qemu_may_lack(L.fchmodat, d, "file", 0o640, "symlink_nofollow")
        assert L.stat(tree / "file").perms == 0o640
        with L.open(tree / "file", "path") as f:
            L.fchmodat(f, "", 0o604, L.AT.EMPTY_PATH)
        raises_errno(errno.EINVAL, L.fchmodat, d, "file", 0o600, L.AT.REMOVEDIR)
        assert L.stat(tree / "file").perms == 0o604
        raises_errno(errno.ENOENT, L.fchmodat, d, "missing", 0o600)
    raises_errno(errno.ENOENT, L.chmod, tree / "dangling", 0o600)
    with pytest.raises(ValueError):
        L.chmod(tree / "file", "0600|bogus")


@requires_root()
def test_chmod_eperm_as_nobody(public):
    secret = os.path.join(public, "secret")

    def check():
        raises_errno(errno.EPERM, L.chmod, secret, 0o666)
    assert as_nobody(check) == 0
    assert pystat.S_IMODE(os.stat(secret).st_mode) == 0o600


def test_chown_minus_one_leaves_ids(tree):
    before = os.stat(tree / "file")
    L.chown(tree / "file", -1, -1)
    L.lchown(tree / "link", -1, -1)
    with L.open(tree / "file") as fd:
        L.fchown(fd, -1, -1)
        fd.fchown(os.getuid(), -1)
    after = os.stat(tree / "file")
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    raises_errno(errno.ENOENT, L.chown, tree / "missing", -1, -1)
    raises_errno(errno.ENOENT, L.chown, tree / "dangling", -1, -1)


def test_chown_rejects_ids_outside_32_bits(tree):
    for bad in (2**32 - 1, 2**32, -2, 2**64):
        with pytest.raises(OverflowError):
            L.chown(tree / "file", bad, -1)
        with pytest.raises(OverflowError):
            L.fchownat(L.AT.FDCWD, tree / "file", -1, bad)
    with pytest.raises(TypeError):
        L.chown(tree / "file", 1.0, 0)
    with pytest.raises(TypeError):
        L.fchown(0, "root", 0)


@requires_root()
def test_chown_family_as_root(tree):
    L.chown(tree / "file", 1234, 5678)
    st = os.stat(tree / "file")
    assert (st.st_uid, st.st_gid) == (1234, 5678)
    L.chown(tree / "file", 4321, -1)
    assert (os.stat(tree / "file").st_uid, os.stat(tree / "file").st_gid) == (4321, 5678)
    L.lchown(tree / "link", 11, 12)
    assert (os.lstat(tree / "link").st_uid, os.lstat(tree / "link").st_gid) == (11, 12)
    assert os.stat(tree / "file").st_uid == 4321
    with L.open(tree / "file") as fd:
        L.fchown(fd, 2**32 - 2, 7)  # the largest valid id
        assert (os.fstat(fd).st_uid, os.fstat(fd).st_gid) == (2**32 - 2, 7)
        fd.fchown(0, 0)
    with L.open(tree, "directory") as d:
        L.fchownat(d, "link", 21, 22, L.AT.SYMLINK_NOFOLLOW)
        assert (os.lstat(tree / "link").st_uid, os.lstat(tree / "link").st_gid) == (21, 22)
        d.fchownat("link", 31, 32)  # follows
        assert (os.stat(tree / "file").st_uid, os.stat(tree / "file").st_gid) == (31, 32)
        with L.open(tree / "dir") as sub:
            L.fchownat(sub, "", 41, 42, "empty_path")
        assert os.stat(tree / "dir").st_uid == 41


@requires_root()
def test_chown_eperm_as_nobody(public):
    secret = os.path.join(public, "secret")

    def check():
        raises_errno(errno.EPERM, L.chown, secret, NOBODY, -1)
        with L.open("/proc/self/exe", "path") as fd:
            raises_errno(errno.EBADF, L.fchown, fd, NOBODY, NOBODY)  # O_PATH fd
    assert as_nobody(check) == 0
    assert os.stat(secret).st_uid == 0


# ---- times --------------------------------------------------------------------------------

def test_utimensat_exact_times(tree):
    L.utimensat(L.AT.FDCWD, tree / "file", ((1, 2), (3, 4)))
    st = os.stat(tree / "file")
    assert (st.st_atime_ns, st.st_mtime_ns) == (1_000_000_002, 3_000_000_004)
    assert (L.stat(tree / "file").st_atime_ns, L.stat(tree / "file").st_mtime_ns) == (
        st.st_atime_ns, st.st_mtime_ns)
    with L.open(tree, "directory") as d:
        d.utimensat("file", ((5, 0), L.UTIME_OMIT))
        assert os.stat(tree / "file").st_atime_ns == 5_000_000_000
        assert os.stat(tree / "file").st_mtime_ns == 3_000_000_004
        L.utimensat(d, "file", (L.UTIME_OMIT, (6, 999_999_999)))
        assert os.stat(tree / "file").st_atime_ns == 5_000_000_000
        assert os.stat(tree / "file").st_mtime_ns == 6_999_999_999
        L.utimensat(d, "link", ((7, 0), (8, 0)), L.AT.SYMLINK_NOFOLLOW)
        assert os.lstat(tree / "link").st_mtime_ns == 8_000_000_000
        assert os.stat(tree / "file").st_mtime_ns == 6_999_999_999
        raises_errno(errno.ENOENT, L.utimensat, d, "missing", None)
        with L.open(tree / "file") as f:
            L.utimensat(f, None, ((9, 0), (10, 0)))  # path None: the fd itself
    assert os.stat(tree / "file").st_mtime_ns == 10_000_000_000


def test_utimensat_now(tree):
    L.utimensat(L.AT.FDCWD, tree / "file", ((1, 0), (1, 0)))
    L.utimensat(L.AT.FDCWD, tree / "file")
    st = os.stat(tree / "file")
    assert st.st_atime_ns > 1_000_000_000 and st.st_mtime_ns > 1_000_000_000
    assert st.st_mtime_ns == L.stat(tree / "file").st_mtime_ns
    L.utimensat(L.AT.FDCWD, tree / "file", ((1, 0), (1, 0)))
    L.utimensat(L.AT.FDCWD, tree / "file", (L.UTIME_NOW, L.UTIME_OMIT))
    st = os.stat(tree / "file")
    assert st.st_atime_ns > 1_000_000_000 and st.st_mtime_ns == 1_000_000_000


def os_stat_or_none(p, stat=os.stat):
    """os's view of a file, or None where os itself cannot represent it: a Python built with
    32-bit time_t (Debian's i386 and armhf) fails with EOVERFLOW past 2038, where linuxsys's
    time64 calls and statx do not."""
    try:
        return stat(p)
    except OSError as e:
        if e.errno == errno.EOVERFLOW and struct.calcsize("l") == 4:
            return None
        raise


def test_utimensat_64_bit_and_negative_seconds(tree):
    for sec, nsec in ((2**33, 5), (2**31, 0), (-1, 5), (-10**8, 123_456_789)):
        L.utimensat(L.AT.FDCWD, tree / "file", ((sec, nsec), (sec, nsec)))
        ns = sec * 10**9 + nsec
        st = L.stat(tree / "file")
        assert (st.st_mtime_ns, st.st_atime_ns, st[8]) == (ns, ns, sec)
        oracle = os_stat_or_none(tree / "file")
        if oracle is not None:
            assert (oracle.st_mtime_ns, oracle[8]) == (ns, sec)


def test_futimens(tree):
    with L.open(tree / "file") as fd:
        L.futimens(fd, ((2**33 + 1, 1), (2**33 + 2, 2)))
        expected = ((2**33 + 1) * 10**9 + 1, (2**33 + 2) * 10**9 + 2)
        for st in (fd.fstat(), os_stat_or_none(fd.fd, os.fstat)):
            if st is not None:
                assert (st.st_atime_ns, st.st_mtime_ns) == expected
        fd.futimens((L.UTIME_OMIT, (3, 0)))
        assert fd.fstat().st_mtime_ns == 3_000_000_000
        assert fd.fstat().st_atime_ns == expected[0]
        fd.futimens()
        assert fd.fstat().st_mtime_ns > 3_000_000_000
    with L.open(tree / "file", "path") as fd:  # O_PATH: futimens needs a real open file
        raises_errno(errno.EBADF, L.futimens, fd)


def test_utimensat_rejects_bad_times(tree):
    p = tree / "file"
    for bad in ((1, 2), ((1, 2),), ((1, 2), (3, 4), (5, 6)), 5, "now"):
        with pytest.raises((TypeError, ValueError)):
            L.utimensat(L.AT.FDCWD, p, bad)
    with pytest.raises(ValueError):
        L.utimensat(L.AT.FDCWD, p, ((1, 10**9), (1, 0)))
    with pytest.raises(ValueError):
        L.utimensat(L.AT.FDCWD, p, ((1, -1), (1, 0)))
    with pytest.raises(ValueError):
        L.futimens(0, (12345, L.UTIME_NOW))  # a bare int must be UTIME_NOW/OMIT
    with pytest.raises(TypeError):
        L.utimensat(L.AT.FDCWD, p, ((1.5, 0), (1, 0)))
    with pytest.raises(OverflowError):
        L.utimensat(L.AT.FDCWD, p, ((2**63, 0), (1, 0)))


# ---- links ---------------------------------------------------------------------------------

def test_link_and_linkat(tree):
    L.link(tree / "file", tree / "hard")
    assert os.stat(tree / "hard").st_ino == os.stat(tree / "file").st_ino
    assert L.stat(tree / "file").st_nlink == 2
    e = raises_errno(errno.EEXIST, L.link, tree / "file", tree / "hard")
    assert (e.filename, e.filename2) == (str(tree / "file"), str(tree / "hard"))
    e = raises_errno(errno.ENOENT, L.link, str(tree / "missing"), str(tree / "x"))
    assert (e.filename, e.filename2) == (str(tree / "missing"), str(tree / "x"))
    raises_errno(errno.EPERM, L.link, tree / "dir", tree / "dirlink")  # no hard links to dirs
    with L.open(tree, "directory") as d, L.open(tree / "dir", "directory") as sub:
        L.linkat(d, "link", sub, "linkcopy")  # the symlink itself
        assert os.path.islink(tree / "dir" / "linkcopy")
        d.linkat("link", sub, "followed", L.AT.SYMLINK_FOLLOW)
        assert os.stat(tree / "dir" / "followed").st_ino == os.stat(tree / "file").st_ino
        assert not os.path.islink(tree / "dir" / "followed")
        raises_errno(errno.ENOENT, L.linkat, d, "dangling", sub, "x", "symlink_follow")
    assert sorted(os.listdir(tree / "dir")) == ["followed", "inner", "linkcopy"]


@requires_root()
def test_linkat_empty_path_gives_a_name_to_an_fd(tmp_path):
    with L.open(tmp_path, "tmpfile|rdwr", 0o600) as fd:
        L.write(fd, b"anonymous")
        L.linkat(fd, "", L.AT.FDCWD, tmp_path / "named", L.AT.EMPTY_PATH)
    assert (tmp_path / "named").read_bytes() == b"anonymous"


def test_symlink_readlink(tree):
    L.symlink("target", tree / "s1")
    assert os.readlink(tree / "s1") == "target"
    assert L.readlink(tree / "s1") == "target"
    assert L.readlink(str(tree / "s1")) == "target"
    assert L.readlink(bytes(tree / "s1")) == b"target"
    assert L.readlink(tree / "link") == os.readlink(tree / "link") == "file"
    e = raises_errno(errno.EEXIST, L.symlink, "x", tree / "file")
    assert (e.filename, e.filename2) == ("x", str(tree / "file"))
    raises_errno(errno.ENOENT, L.symlink, "x", tree / "missing" / "s")
    raises_errno(errno.EINVAL, L.readlink, tree / "file")  # not a symlink
    raises_errno(errno.ENOENT, L.readlink, tree / "missing")
    target = "t" * 4095  # PATH_MAX - 1, the longest target
    L.symlink(target, tree / "long")
    assert L.readlink(tree / "long") == os.readlink(tree / "long") == target
    assert L.readlink("/proc/self/exe") == os.readlink("/proc/self/exe")
    uni = "ünïcødé→"
    L.symlink(uni, tree / "uni")
    assert L.readlink(tree / "uni") == uni
    assert L.readlink(bytes(tree / "uni")) == uni.encode()


def test_symlinkat_readlinkat(tree):
    with L.open(tree / "dir", "directory") as d:
        L.symlinkat("../file", d, "up")
        assert os.readlink(tree / "dir" / "up") == "../file"
        assert (tree / "dir" / "up").read_bytes() == b"hello"
        assert L.readlinkat(d, "up") == "../file"
        assert d.readlinkat(b"up") == b"../file"
        raises_errno(errno.EEXIST, L.symlinkat, "x", d, "up")
        raises_errno(errno.EINVAL, d.readlinkat, "inner")
        with L.openat(d, "up", "path|nofollow") as lfd:  # "" reads an O_PATH symlink fd
            assert L.readlinkat(lfd, "") == "../file"
            assert L.readlinkat(lfd, b"") == b"../file"


def test_readlink_into_a_buffer(tree):
    buf = bytearray(100)
    n = L.readlink(tree / "link", buf)
    assert n == 4 and bytes(buf[:n]) == b"file"
    small = bytearray(2)
    assert L.readlink(tree / "link", small) == 2 and small == b"fi"  # truncated, as the kernel
    with L.open(tree, "directory") as d:
        mv = memoryview(bytearray(10))
        assert L.readlinkat(d, "link", mv) == 4 and bytes(mv[:4]) == b"file"
    with pytest.raises(TypeError):
        L.readlink(tree / "link", b"immutable")
    raises_errno(errno.EINVAL, L.readlink, tree / "link", bytearray(0))


def test_readlink_and_getcwd_grow_their_buffer(tree, monkeypatch):
    target = "x" * 100
    L.symlink(target, tree / "s")
    monkeypatch.setattr(fs, "_PATH_MAX", 4)
    assert L.readlink(tree / "s") == target
    assert L.getcwd() == os.getcwd()


# ---- unlink, rmdir, rename -----------------------------------------------------------------

def test_unlink_unlinkat_rmdir(tree):
    L.unlink(tree / "link")
    assert not os.path.lexists(tree / "link") and os.path.exists(tree / "file")
    L.unlink(bytes(tree / "dangling"))
    raises_errno(errno.ENOENT, L.unlink, tree / "link")
    raises_errno(errno.EISDIR, L.unlink, tree / "dir")
    raises_errno(errno.ENOTDIR, L.unlink, tree / "file" / "x")
    e = raises_errno(errno.ENOTEMPTY, L.rmdir, tree / "dir")
    assert e.filename == str(tree / "dir")
    raises_errno(errno.ENOTDIR, L.rmdir, tree / "file")
    raises_errno(errno.ENOENT, L.rmdir, tree / "missing")
    with L.open(tree / "dir", "directory") as d:
        raises_errno(errno.EISDIR, L.unlinkat, d, str(tree / "dir"))  # absolute: dirfd unused
        L.unlinkat(d, "inner")
        os.mkdir(tree / "dir" / "sub")
        raises_errno(errno.EISDIR, d.unlinkat, "sub")
        d.unlinkat("sub", L.AT.REMOVEDIR)
        raises_errno(errno.ENOTDIR, L.unlinkat, d, "../file", "removedir")
        assert os.listdir(tree / "dir") == []
    L.rmdir(tree / "dir")
    assert sorted(os.listdir(tree)) == ["file"]


@requires_root()
def test_unlink_and_mkdir_eacces_as_nobody(public):
    def check():
        raises_errno(errno.EACCES, L.unlink, os.path.join(public, "locked", "keep"))
        raises_errno(errno.EACCES, L.mkdir, os.path.join(public, "locked", "new"))
        raises_errno(errno.EACCES, L.rename, os.path.join(public, "locked", "keep"),
                     os.path.join(public, "locked", "moved"))
        raises_errno(errno.EACCES, L.symlink, "x", os.path.join(public, "locked", "s"))
    assert as_nobody(check) == 0
    assert os.listdir(os.path.join(public, "locked")) == ["keep"]


def test_rename(tree):
    L.rename(tree / "file", tree / "moved")
    assert (tree / "moved").read_bytes() == b"hello" and not os.path.exists(tree / "file")
    (tree / "other").write_bytes(b"other")
    L.rename(str(tree / "other"), str(tree / "moved"))  # replaces
    assert (tree / "moved").read_bytes() == b"other"
    e = raises_errno(errno.ENOENT, L.rename, tree / "missing", tree / "x")
    assert (e.filename, e.filename2) == (str(tree / "missing"), str(tree / "x"))
    with pytest.raises(FileNotFoundError) as oi:
        os.rename(tree / "missing", tree / "x")
    assert str(e) == str(oi.value)
    raises_errno(errno.EISDIR, L.rename, tree / "moved", tree / "dir")
    os.mkdir(tree / "empty")
    raises_errno(errno.ENOTEMPTY, L.rename, tree / "empty", tree / "dir")
    raises_errno(errno.ENOTDIR, L.rename, tree / "dir", tree / "moved")
    raises_errno(errno.EINVAL, L.rename, tree / "dir", tree / "dir" / "sub")


def test_renameat2_flags(tree):
    (tree / "a").write_bytes(b"A")
    (tree / "b").write_bytes(b"B")
    with L.open(tree, "directory") as d, L.open(tree / "dir", "directory") as sub:
        e = raises_errno(errno.EEXIST, L.renameat2, d, "a", d, "b", L.RENAME.NOREPLACE)
        assert (e.filename, e.filename2) == ("a", "b")
        L.renameat2(d, "a", d, "b", "exchange")
        assert (tree / "a").read_bytes() == b"B" and (tree / "b").read_bytes() == b"A"
        raises_errno(errno.ENOENT, d.renameat2, "a", d, "none", L.RENAME.EXCHANGE)
        d.renameat2("a", sub, "a", "noreplace")
        assert (tree / "dir" / "a").read_bytes() == b"B"
        L.renameat2(sub, "a", d, "c")
        assert (tree / "c").read_bytes() == b"B"
        raises_errno(errno.EINVAL, L.renameat2, d, "b", d, "c",
                     L.RENAME.NOREPLACE | L.RENAME.EXCHANGE)
        with pytest.raises(ValueError):
            L.renameat2(d, "b", d, "c", "noreplace|sideways")


# ---- mkdir, mknod ---------------------------------------------------------------------------

def test_mkdir_mkdirat(tree):
    mask = current_umask()
    L.mkdir(tree / "new")
    assert os.stat(tree / "new").st_mode == pystat.S_IFDIR | (0o777 & ~mask)
    L.mkdir(bytes(tree / "new700"), 0o700)
    assert pystat.S_IMODE(os.stat(tree / "new700").st_mode) == 0o700 & ~mask
    e = raises_errno(errno.EEXIST, L.mkdir, tree / "new")
    assert e.filename == str(tree / "new")
    raises_errno(errno.EEXIST, L.mkdir, tree / "dangling")
    raises_errno(errno.ENOENT, L.mkdir, tree / "missing" / "x")
    raises_errno(errno.ENOTDIR, L.mkdir, tree / "file" / "x")
    with L.open(tree / "dir", "directory") as d:
        L.mkdirat(d, "sub", "0750")
        d.mkdirat("sub2")
        raises_errno(errno.EEXIST, d.mkdirat, "sub")
    assert pystat.S_IMODE(os.stat(tree / "dir" / "sub").st_mode) == 0o750 & ~mask
    assert sorted(L.listdir(tree / "dir")) == ["inner", "sub", "sub2"]


def test_mknod_regular_fifo_socket(tree):
    mask = current_umask()
    L.mknod(tree / "reg")
    st = L.stat(tree / "reg")
    assert st.isreg and st.perms == 0o600 & ~mask and st.st_size == 0
    L.mknod(tree / "fifo", L.S.IFIFO | 0o644)
    assert L.stat(tree / "fifo").isfifo and pystat.S_ISFIFO(os.stat(tree / "fifo").st_mode)
    assert L.stat(tree / "fifo").typename == "fifo"
    with L.open(tree, "directory") as d:
        L.mknodat(d, "sock", "ifsock|0600")
        d.mknodat("reg2", 0o640)
        raises_errno(errno.EEXIST, d.mknodat, "reg2")
    assert L.stat(tree / "sock").issock and pystat.S_ISSOCK(os.stat(tree / "sock").st_mode)
    assert L.stat(tree / "reg2").perms == 0o640 & ~mask
    raises_errno(errno.EEXIST, L.mknod, tree / "file")
    raises_errno(errno.ENOENT, L.mknod, tree / "missing" / "x")
    raises_errno(errno.EPERM, L.mknod, tree / "bad", L.S.IFDIR | 0o700)  # mkdir's job
    for dev in (L.makedev(4096, 0), 2**32, -1, L.makedev(1, 2**20)):
        with pytest.raises(OverflowError):
            L.mknod(tree / "dev", L.S.IFCHR | 0o600, dev)
    assert not os.path.lexists(tree / "dev")


@requires_root()
def test_mknod_devices(tree):
    L.mknod(tree / "null", L.S.IFCHR | 0o666, L.makedev(1, 3))
    st = L.stat(tree / "null")
    assert st.ischr and (st.major, st.minor) == (1, 3) and st.typename == "char"
    assert os.stat(tree / "null").st_rdev == os.stat("/dev/null").st_rdev
    with L.open(tree / "null", "rdwr") as fd:
        assert L.write(fd, b"gone") == 4 and L.read(fd, 10) == b""
    L.mknodat(L.AT.FDCWD, tree / "blk", "ifblk|0600", L.makedev(7, 300))
    st = L.stat(tree / "blk")
    assert st.isblk and st.typename == "block" and (st.major, st.minor) == (7, 300)
    assert os.major(os.stat(tree / "blk").st_rdev) == 7
    assert os.minor(os.stat(tree / "blk").st_rdev) == 300
    if EMULATED:
        return  # qemu-user mistranslates device numbers above 16 bits on 32-bit guests
    big = L.makedev(4095, (1 << 20) - 1)  # the largest the 32-bit encoding holds
    L.mknod(tree / "big", L.S.IFCHR | 0o600, big)
    assert L.stat(tree / "big").st_rdev == big
    # CPython on 32-bit arches passes st_rdev through a signed 32-bit long (-1 here).
    assert os.stat(tree / "big").st_rdev % 2**32 == big


@requires_root()
def test_mknod_device_eperm_as_nobody(public):
    shared = os.path.join(public, "shared")
    os.mkdir(shared)
    os.chmod(shared, 0o777)

    def check():
        raises_errno(errno.EPERM, L.mknod, os.path.join(shared, "null"), L.S.IFCHR | 0o600,
                     L.makedev(1, 3))
        L.mknod(os.path.join(shared, "fifo"), L.S.IFIFO | 0o600)  # no privilege needed
    assert as_nobody(check) == 0
    assert os.listdir(shared) == ["fifo"]
    assert os.stat(os.path.join(shared, "fifo")).st_uid == NOBODY


# ---- cwd, chdir, chroot, umask -------------------------------------------------------------

def test_getcwd(tree, monkeypatch):
    monkeypatch.chdir(tree / "dir")
    cwd = L.getcwd()
    assert isinstance(cwd, str) and cwd == os.getcwd() == str(tree / "dir")
    buf = bytearray(4096)
    n = L.getcwd(buf)
    assert n == len(os.getcwdb()) and bytes(buf[:n]) == os.getcwdb() and buf[n] == 0
    raises_errno(errno.ERANGE, L.getcwd, bytearray(3))
    with pytest.raises(TypeError):
        L.getcwd(b"immutable")


def test_getcwd_of_a_removed_directory(tmp_path, monkeypatch):
    (tmp_path / "gone").mkdir()
    monkeypatch.chdir(tmp_path / "gone")
    os.rmdir(tmp_path / "gone")
    raises_errno(errno.ENOENT, L.getcwd)


def test_getcwd_non_ascii(tmp_path, monkeypatch):
    d = tmp_path / "dïr→"
    d.mkdir()
    monkeypatch.chdir(d)
    assert L.getcwd() == os.getcwd() == str(d)


def test_chdir_fchdir(tree, monkeypatch):
    monkeypatch.chdir(tree)  # restored after the test
    L.chdir("dir")
    assert os.getcwd() == str(tree / "dir")
    L.chdir(b"..")
    assert os.getcwd() == str(tree)
    with L.open(tree / "dir", "directory") as d:
        L.fchdir(d)
        assert os.getcwd() == str(tree / "dir")
        L.chdir(tree)
        d.fchdir()
        assert L.getcwd() == str(tree / "dir")
    e = raises_errno(errno.ENOENT, L.chdir, tree / "missing")
    assert e.filename == str(tree / "missing")
    raises_errno(errno.ENOTDIR, L.chdir, tree / "file")
    with L.open(tree / "file") as f:
        raises_errno(errno.ENOTDIR, L.fchdir, f)
    assert os.getcwd() == str(tree / "dir")


@requires_root()
def test_chdir_eacces_as_nobody(public):
    os.mkdir(os.path.join(public, "closed"), 0o700)

    def check():
        raises_errno(errno.EACCES, L.chdir, os.path.join(public, "closed"))
    assert as_nobody(check) == 0


@requires_root()
def test_chroot_in_child(tree):
    def check():
        L.chroot(tree)
        L.chdir("/")
        assert L.getcwd() == "/"
        assert sorted(L.listdir("/")) == ["dangling", "dir", "file", "link"]
        assert L.readlink("/link") == "file"
        with L.open("/file") as fd:
            assert L.read(fd, 5) == b"hello"
        raises_errno(errno.ENOENT, L.stat, str(tree))  # the old path is gone
    assert in_child(check) == 0
    raises_errno(errno.ENOENT, L.chroot, tree / "missing")
    raises_errno(errno.ENOTDIR, L.chroot, tree / "file")


@requires_root()
def test_chroot_eperm_as_nobody(tree):
    def check():
        raises_errno(errno.EPERM, L.chroot, "/")
    assert as_nobody(check) == 0


def test_umask():
    def check():
        old = os.umask(0o022)
        assert L.umask(0o077) == 0o022
        assert L.umask("0027") == 0o077
        assert L.umask(L.S.IWOTH) == 0o027
        assert os.umask(old) == 0o002
        assert L.umask(0o7777) == old  # the kernel keeps only 0o777
        assert L.umask(old) == 0o777
    assert in_child(check) == 0


# ---- sizes and space ------------------------------------------------------------------------

def test_truncate_ftruncate(tree):
    L.truncate(tree / "file", 2)
    assert (tree / "file").read_bytes() == b"he"
    L.truncate(bytes(tree / "file"), 4)
    assert (tree / "file").read_bytes() == b"he\0\0"
    with L.open(tree / "file", "rdwr") as fd:
        L.ftruncate(fd, 1)
        assert os.fstat(fd).st_size == 1
        fd.ftruncate(0)
        assert L.fstat(fd).st_size == 0
        raises_errno(errno.EINVAL, L.ftruncate, fd, -1)
    with L.open(tree / "file") as fd:
        raises_errno(errno.EINVAL, L.ftruncate, fd, 0)  # not open for writing
    raises_errno(errno.ENOENT, L.truncate, tree / "missing", 0)
    raises_errno(errno.EISDIR, L.truncate, tree / "dir", 0)
    raises_errno(errno.EINVAL, L.truncate, tree / "file", -1)
    with pytest.raises(OverflowError):
        L.truncate(tree / "file", 2**63)


@pytest.mark.parametrize("size", BIG)
def test_truncate_beyond_32_and_40_bits(tmp_path, size):
    p = tmp_path / "sparse"
    p.touch()
    large(L.truncate, p, size)
    assert os.stat(p).st_size == size == L.stat(p).st_size
    with L.open(p, "rdwr") as fd:
        large(L.ftruncate, fd, size + 1)
        assert os.fstat(fd).st_size == size + 1
        assert L.pread(fd, 2, size - 1) == b"\0\0"
        L.ftruncate(fd, 0)


@pytest.mark.parametrize("offset", BIG)
def test_fallocate(tmp_path, offset):
    with L.open(tmp_path / "f", "creat|rdwr", 0o600) as fd:
        large(L.fallocate, fd, L.FALLOC_FL.KEEP_SIZE, offset, 65536)
        st = os.fstat(fd)
        assert st.st_size == 0 and st.st_blocks >= 65536 // 512
        fd.fallocate(0, offset, 65536)  # mode 0 extends the size
        st = os.fstat(fd)
        assert st.st_size == offset + 65536 == L.fstat(fd).st_size
        L.fallocate(fd, "punch_hole|keep_size", offset, 65536)
        after = os.fstat(fd)
        assert after.st_blocks <= st.st_blocks - 65536 // 512
        assert after.st_size == st.st_size
        raises_errno(errno.EINVAL, L.fallocate, fd, 0, 0, 0)
        raises_errno(errno.EINVAL, L.fallocate, fd, 0, -1, 10)
    with L.open(tmp_path / "f") as fd:
        raises_errno(errno.EBADF, L.fallocate, fd, 0, 0, 10)  # read-only
    r, w = L.pipe()
    with r, w:
        raises_errno(errno.ESPIPE, L.fallocate, w, 0, 0, 10)


def test_posix_fadvise(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x" * 8192)
    with L.open(p) as fd:
        for advice in L.POSIX_FADV:
            L.posix_fadvise(fd, 0, 0, advice)
        for offset in BIG:
            fd.posix_fadvise(offset, 4096, "willneed")
            L.posix_fadvise(fd, offset, 2**40, L.POSIX_FADV.DONTNEED)
        raises_errno(errno.EINVAL, L.posix_fadvise, fd, 0, 0, 99)
        with pytest.raises(OSError) as oi:
            os.posix_fadvise(fd.fd, 0, 0, 99)
        assert oi.value.errno == errno.EINVAL
        raises_errno(errno.EINVAL, L.posix_fadvise, fd, 0, -1, "normal")
        with pytest.raises(ValueError):
            L.posix_fadvise(fd, 0, 0, "sideways")
    r, w = L.pipe()
    with r, w:
        raises_errno(errno.ESPIPE, L.posix_fadvise, r, 0, 0, "normal")


def test_sync_file_range(tmp_path):
    with L.open(tmp_path / "f", "creat|rdwr", 0o600) as fd:
        L.write(fd, b"data" * 1024)
        L.sync_file_range(fd, 0, 0)
        all_flags = "wait_before|write|wait_after"
        L.sync_file_range(fd, 0, 4096, all_flags)
        for offset in BIG:
            fd.sync_file_range(offset, 2**40, L.SYNC_FILE_RANGE.WRITE)
        raises_errno(errno.EINVAL, L.sync_file_range, fd, -1, 0)
        raises_errno(errno.EINVAL, L.sync_file_range, fd, 0, 0, 0x80)
    r, w = L.pipe()
    with r, w:
        raises_errno(errno.ESPIPE, L.sync_file_range, w, 0, 0)


def test_readahead(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"y" * 65536)
    with L.open(p) as fd:
        assert L.readahead(fd, 0, 65536) is None
        for offset in BIG:
            fd.readahead(offset, 4096)
        assert L.read(fd, 4) == b"yyyy"
    r, w = L.pipe()
    with r, w:
        raises_errno(errno.EINVAL, L.readahead, r, 0, 10)


def test_fsync_fdatasync_sync_syncfs(tmp_path):
    with L.open(tmp_path / "f", "creat|rdwr", 0o600) as fd:
        L.write(fd, b"durable")
        assert L.fsync(fd) is None
        fd.fsync()
        assert L.fdatasync(fd) is None
        fd.fdatasync()
        assert L.syncfs(fd) is None
        fd.syncfs()
    assert L.sync() is None
    assert (tmp_path / "f").read_bytes() == b"durable"
    r, w = L.pipe()
    with r, w:
        raises_errno(errno.EINVAL, L.fsync, w)
        raises_errno(errno.EINVAL, L.fdatasync, w)


# ---- memfd ----------------------------------------------------------------------------------

def test_memfd_create():
    with qemu_may_lack(L.memfd_create, "linuxsys-test") as m:
        assert str(m.fd) in open_fds()
        assert os.readlink(f"/proc/self/fd/{m.fd}") == "/memfd:linuxsys-test (deleted)"
        assert cloexec(m)
        L.ftruncate(m, 2**33)
        assert L.fstat(m).st_size == 2**33
        assert L.pwrite(m, b"abc", 2**32) == 3 and os.pread(m.fd, 3, 2**32) == b"abc"
        raises_errno(errno.EPERM, L.fcntl, m, L.F.ADD_SEALS, 1)  # no MFD_ALLOW_SEALING
    with L.memfd_create(b"sealable", L.MFD.ALLOW_SEALING, inheritable=True) as m:
        assert not cloexec(m)
        assert os.readlink(f"/proc/self/fd/{m.fd}") == "/memfd:sealable (deleted)"
        L.fcntl(m, L.F.ADD_SEALS, 0x0004)  # F_SEAL_GROW
        raises_errno(errno.EPERM, L.ftruncate, m, 10)
    raises_errno(errno.EINVAL, L.memfd_create, "n" * 300)
    raises_errno(errno.EINVAL, L.memfd_create, "x", 0x40000000 >> 8)  # an unknown flag
    with pytest.raises(ValueError):
        L.memfd_create("a\0b")
    with pytest.raises(ValueError):
        L.memfd_create("x", "cloexec|nonsense")


# ---- statfs ---------------------------------------------------------------------------------

ST_VALID = 0x20


def assert_statfs_matches(sf, vfs):
    assert isinstance(sf, L.Statfs)
    assert sf.f_bsize == vfs.f_bsize
    assert sf.f_frsize == vfs.f_frsize
    assert sf.f_blocks == vfs.f_blocks
    assert sf.f_files == vfs.f_files
    assert sf.f_namelen == vfs.f_namemax
    assert sf.f_fsid & 0xFFFFFFFF == vfs.f_fsid & 0xFFFFFFFF
    assert sf.f_flags & ~ST_VALID == vfs.f_flag
    assert 0 <= sf.f_bavail <= sf.f_bfree <= sf.f_blocks
    assert 0 <= sf.f_ffree <= sf.f_files or sf.f_files == 0


def test_statfs_fstatfs_match_statvfs(tree):
    for p in (tree, "/", "/proc", "/dev"):
        sf = L.statfs(p)
        assert_statfs_matches(sf, os.statvfs(p))
        assert sf.f_flags & ST_VALID
    assert L.statfs("/proc").f_type == 0x9FA0  # PROC_SUPER_MAGIC
    assert L.statfs(bytes(tree)).f_fsid == L.statfs(tree).f_fsid
    with L.open(tree / "file") as fd:
        sf = L.fstatfs(fd)
        assert_statfs_matches(sf, os.statvfs(tree / "file"))
        assert sf.f_type == L.statfs(tree).f_type == fd.fstatfs().f_type
        assert sf._fields[0] == "f_type" and len(sf) == 11
    r, w = L.pipe()
    with r, w:
        assert L.fstatfs(r).f_type == 0x50495045  # PIPEFS_MAGIC
    e = raises_errno(errno.ENOENT, L.statfs, tree / "missing")
    assert e.filename == str(tree / "missing")
    raises_errno(errno.ENOTDIR, L.statfs, tree / "file" / "x")


# ---- every fd function: EBADF, methods, names -----------------------------------------------

FD_CALLS = {
    "fstat": (), "fstatat": ("x",), "statx": ("x",), "openat": ("x",), "openat2": ("x",),
    "getdents64": (bytearray(1024),), "faccessat": ("x", 0), "fchmodat": ("x", 0o600),
    "fchmod": (0o600,), "fchownat": ("x", -1, -1), "fchown": (-1, -1),
    "utimensat": ("x",), "futimens": (), "linkat": ("x", L.AT.FDCWD, "/tmp/y"),
    "readlinkat": ("x",), "unlinkat": ("x",), "renameat2": ("x", L.AT.FDCWD, "/tmp/y"),
    "mkdirat": ("x",), "mknodat": ("x",), "fchdir": (), "ftruncate": (0,),
    "fallocate": (0, 0, 1), "posix_fadvise": (0, 0, 0), "sync_file_range": (0, 0),
    "readahead": (0, 1), "fsync": (), "fdatasync": (), "syncfs": (), "fstatfs": (),
    "listdir": (), "readdir": (),
}


@pytest.mark.parametrize("name", sorted(FD_CALLS))
def test_ebadf_for_closed_fd_and_bad_number(tmp_path, name):
    fn = getattr(L, name)
    args = FD_CALLS[name]
    closed = L.open(tmp_path, "directory")
    closed.close()
    raises_errno(errno.EBADF, fn, closed, *args)
    raises_errno(errno.EBADF, fn, 10**6, *args)
    if hasattr(L.Fd, name):
        raises_errno(errno.EBADF, getattr(closed, name), *args)
    assert os.listdir(tmp_path) == []


def test_fd_methods_are_the_functions():
    for name in FD_CALLS:
        if name not in ("listdir", "readdir"):
            assert getattr(L.Fd, name) is getattr(fs, name), name
    assert not hasattr(L.Fd, "symlinkat")  # its first argument is a path


def test_every_public_name_is_exported():
    assert len(set(fs.__all__)) == len(fs.__all__)
    for name in fs.__all__:
        assert getattr(L, name) is getattr(fs, name), name
        obj = getattr(fs, name)
        if callable(obj) and not isinstance(obj, type):
            assert obj.__doc__ and "man " in obj.__doc__, name
    expected = """open openat openat2 stat lstat fstat fstatat statx getdents64
        access faccessat chmod fchmod fchmodat chown fchown lchown fchownat utimensat futimens
        link linkat symlink symlinkat readlink readlinkat unlink unlinkat rmdir rename renameat2
        mkdir mkdirat mknod mknodat getcwd chdir fchdir chroot umask truncate ftruncate
        fallocate posix_fadvise sync_file_range readahead fsync fdatasync sync syncfs
        memfd_create statfs fstatfs Statfs""".split()
    assert set(expected) <= set(fs.__all__)


def test_trace_sees_the_fs_helpers(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="linuxsys.syscall")
    L.trace(True)
    try:
        L.mkdir(tmp_path / "traced")
        L.rename(tmp_path / "traced", tmp_path / "renamed")
        L.access(tmp_path / "renamed", "F_OK")
        with pytest.raises(FileNotFoundError):
            L.rmdir(tmp_path / "traced")
        L.statfs(tmp_path)
    finally:
        L.trace(False)
    text = caplog.text
    for name in ("mkdirat(", "renameat2(", "faccessat(", "unlinkat(", "statfs("):
        assert name in text, name
    assert "ENOENT" in text
    assert not L.tracing()


def test_bad_python_arguments(tree):
    with pytest.raises(TypeError):
        L.chmod(tree / "file", 0.5)
    with pytest.raises(TypeError):
        L.truncate(tree / "file", "10")
    with pytest.raises(TypeError):
        L.fsync(object())
    with pytest.raises(ValueError):
        L.unlink("a\0b")
    with pytest.raises(ValueError):
        L.rename(tree / "file", "a\0b")
    with pytest.raises(TypeError):
        L.symlink(None, tree / "s")
    with pytest.raises(ValueError):
        L.fallocate(0, "punch|nope", 0, 1)
    with pytest.raises(ValueError):
        L.sync_file_range(0, 0, 0, "later")
    with pytest.raises(TypeError):
        L.mknod(tree / "x", 0o600, 1.0)
    assert sorted(os.listdir(tree)) == ["dangling", "dir", "file", "link"]


# ---- an Fd passed as the only reference stays open through the call --------------------------

# name -> (what to open: "dir", "file" (read-only), "rdwr"; the arguments after the fd)
TEMP_FD_CALLS = {
    "fstat": ("file", ()), "fstatat": ("dir", ("file",)), "statx": ("dir", ("file",)),
    "openat": ("dir", ("file",)), "openat2": ("dir", ("file",)),
    "getdents64": ("dir", (bytearray(4096),)), "faccessat": ("dir", ("file", "F_OK")),
    "fchmodat": ("dir", ("file", 0o640)), "fchmod": ("file", (0o640,)),
    "fchownat": ("dir", ("file", -1, -1)), "fchown": ("file", (-1, -1)),
    "utimensat": ("dir", ("file",)), "futimens": ("rdwr", ()),
    "linkat": ("dir", ("file", L.AT.FDCWD, "hard")), "readlinkat": ("dir", ("link",)),
    "unlinkat": ("dir", ("dangling",)), "renameat2": ("dir", ("file", L.AT.FDCWD, "moved")),
    "mkdirat": ("dir", ("sub",)), "mknodat": ("dir", ("node",)), "fchdir": ("dir", ()),
    "ftruncate": ("rdwr", (2,)), "fallocate": ("rdwr", (0, 0, 10)),
    "posix_fadvise": ("file", (0, 0, 0)), "sync_file_range": ("rdwr", (0, 0)),
    "readahead": ("file", (0, 1)), "fsync": ("rdwr", ()), "fdatasync": ("rdwr", ()),
    "syncfs": ("file", ()), "fstatfs": ("file", ()), "listdir": ("dir", ()),
    "readdir": ("dir", ()),
}


def call_with_temporary_fd(fn, make_fd, args):
    """fn(make_fd(), *args) with the new Fd referenced by the callee's frame alone: a plain
    call moves its arguments into that frame (a ``*args`` call would keep them in a tuple)."""
    if not args:
        return fn(make_fd())
    if len(args) == 1:
        return fn(make_fd(), args[0])
    if len(args) == 2:
        return fn(make_fd(), args[0], args[1])
    assert len(args) == 3
    return fn(make_fd(), args[0], args[1], args[2])


def test_temp_fd_table_covers_every_fd_call():
    assert set(TEMP_FD_CALLS) == set(FD_CALLS)


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # the temporary Fd is collected after
@pytest.mark.parametrize("name", sorted(TEMP_FD_CALLS))
def test_a_temporary_fd_lives_through_the_call(tree, monkeypatch, name):
    monkeypatch.chdir(tree)  # relative names above; fchdir changes the cwd
    kind, args = TEMP_FD_CALLS[name]
    opened = {"dir": (tree, "directory"), "file": (tree / "file", "rdonly"),
              "rdwr": (tree / "file", "rdwr")}[kind]
    gc.collect()
    # The Fd's only reference is the argument: rebinding the parameter to the number would
    # let it be closed (EBADF, or a call on whatever file reuses the number) mid-call.
    result = qemu_may_lack(call_with_temporary_fd, getattr(L, name), lambda: L.open(*opened),
                           args)
    if isinstance(result, L.Fd):
        result.close()
    if name == "fstat":
        assert result.st_size == 5
    if name == "readlinkat":
        assert result == "file"
    if name == "listdir":
        assert sorted(result) == sorted(os.listdir(tree))


# ---- buffers: views released before raising, only writable ones accepted -----------------------

def kept_error(fn, *args):
    """The OSError fn raises, kept alive as callers keep them (with its traceback's frames)."""
    try:
        fn(*args)
    except OSError as e:
        return e
    raise AssertionError(f"{fn.__name__} did not raise")


def test_failed_calls_release_the_callers_buffer(tree):
    with L.open(tree / "file") as f:
        cases = [(L.getdents64, (f,), errno.ENOTDIR), (L.getdents64, (10**6,), errno.EBADF),
                 (L.readlink, (tree / "file",), errno.EINVAL),
                 (L.readlinkat, (L.AT.FDCWD, tree / "missing"), errno.ENOENT),
                 (L.getcwd, (), errno.ERANGE)]
        for fn, args, code in cases:
            ba = bytearray(1)
            err = kept_error(fn, *args, ba)
            assert err.errno == code, fn
            ba.extend(b"x")  # BufferError while a view made for the call is still exported
            del err


def test_kept_errors_with_memoryviews_do_not_crash_the_collector(tree):
    # A view left exported in a raising frame: the cycle collector clears the memoryview
    # while it is exported, and the interpreter dies (SIGSEGV) -- hence the child.
    def loop():
        def once(fn, *args):
            try:
                fn(*args, memoryview(bytearray(16)))
            except OSError as e:
                err = e  # noqa: F841 -- a frame <-> traceback cycle holding the view
        for _ in range(300):
            once(L.getdents64, 10**6)
            once(L.readlink, str(tree / "file"))
            once(L.getcwd)
        gc.collect()
    child_ok(loop)


def test_from_buffer_views_are_refused_as_writable_targets(tree):
    b = bytes(64)
    with L.open(tree, "directory") as d:
        for call in (lambda v: L.getcwd(v), lambda v: L.readlink(tree / "link", v),
                     lambda v: L.readlinkat(d, "link", v), lambda v: L.getdents64(d, v)):
            with pytest.raises(TypeError, match="from_buffer"):
                call(L.ffi.from_buffer(b))
            with pytest.raises(TypeError):
                call(b)
            with pytest.raises(TypeError):
                call(memoryview(bytearray(64)).toreadonly())
            with pytest.raises(BufferError):  # not contiguous: one rule for every call
                call(memoryview(bytearray(128))[::2])
    assert b == bytes(64)
    owned = L.ffi.new("char[4096]")  # linuxsys's own cdata is writable
    assert L.getcwd(owned) == len(os.getcwdb())
    assert L.readlink(tree / "link", owned) == 4 and L.ffi.unpack(owned, 4) == b"file"


def test_sizes_come_from_the_buffer(tree, monkeypatch):
    monkeypatch.chdir(tree)
    cwd = os.getcwdb()
    guard = bytearray(b"\xa5" * (len(cwd) + 64))
    view = memoryview(guard)[8:8 + len(cwd) + 1]  # room for the path and its NUL exactly
    assert L.getcwd(view) == len(cwd)
    assert guard[8:8 + len(cwd)] == cwd and guard[8 + len(cwd)] == 0
    assert guard[:8] == b"\xa5" * 8 and guard[9 + len(cwd):] == b"\xa5" * 55
    raises_errno(errno.ERANGE, L.getcwd, memoryview(guard)[8:8 + len(cwd)])
    guard = bytearray(b"\xa5" * 16)
    assert L.readlink("link", memoryview(guard)[4:6]) == 2
    assert guard == b"\xa5" * 4 + b"fi" + b"\xa5" * 10
    with L.open(tree, "directory") as d:
        guard = bytearray(b"\xa5" * 8192)
        n = L.getdents64(d, memoryview(guard)[100:4196])
        assert 0 < n <= 4096 and guard[:100] == b"\xa5" * 100 and guard[4196:] == b"\xa5" * 3996
    # An int crossing into a C type it does not fit is an OverflowError, before any syscall.
    with L.open(tree / "file", "rdwr") as fd:
        for call in (lambda: L.ftruncate(fd, 2**63), lambda: L.truncate("file", -2**63 - 1),
                     lambda: L.readahead(fd, 0, -1), lambda: L.readahead(fd, 0, 2**64),
                     lambda: L.fallocate(fd, 0, 2**63, 1), lambda: L.fchmod(fd, 2**32),
                     lambda: L.posix_fadvise(fd, 0, 2**63, 0), lambda: L.openat(2**31, "x"),
                     lambda: L.sync_file_range(fd, 0, 2**63), lambda: L.umask(-1)):
            with pytest.raises(OverflowError):
                call()
    assert os.stat("file").st_size == 5 and not os.path.exists("x")


# ---- names: man-page parameters, AT.FDCWD, one namespace per argument --------------------------

def test_parameters_are_named_as_in_the_man_page():
    for name in fs.__all__:
        fn = getattr(fs, name)
        if inspect.isfunction(fn):
            for param in inspect.signature(fn).parameters:
                assert not param.endswith("_"), (name, param)


def test_keyword_calls_read_like_the_man_page(tree, monkeypatch):
    monkeypatch.chdir(tree)
    with L.open(path="file") as fd:
        assert L.fstat(fd=fd).st_size == L.stat(path="file").st_size == 5
    assert L.lstat(path="link").islnk
    with L.open(path="new", flags="creat|wronly", mode=0o600, inheritable=False) as fd:
        pass
    with L.openat(dirfd=L.AT.FDCWD, path="dir", flags=L.O.DIRECTORY) as d:
        assert L.fstatat(dirfd=d, path="inner", flags=0).isreg
        assert L.statx(dirfd=d, path="inner", flags=0, mask=L.STATX.SIZE).st_size == 0
        assert L.getdents64(fd=d, buf=bytearray(4096)) > 0
        L.mkdirat(dirfd=d, path="sub", mode=0o700)
        L.unlinkat(dirfd=d, path="sub", flags=L.AT.REMOVEDIR)
        L.mknodat(dirfd=d, path="node", mode=0o600, dev=0)
        L.utimensat(dirfd=d, path="node", times=((1, 0), (2, 0)), flags=0)
        assert L.readlinkat(dirfd=d, path="../link") == "file"
    L.access(path="file", mode=L.OK.R)
    L.faccessat(dirfd=L.AT.FDCWD, path="file", mode="R_OK", flags=L.FACCESSAT.EACCESS)
    L.chmod(path="file", mode=0o600)
    L.link(oldpath="file", newpath="hard")
    L.rename(oldpath="hard", newpath="hard2")
    L.renameat2(olddirfd=L.AT.FDCWD, oldpath="hard2", newdirfd=L.AT.FDCWD, newpath="hard3",
                flags=L.RENAME.NOREPLACE)
    L.linkat(olddirfd=L.AT.FDCWD, oldpath="file", newdirfd=L.AT.FDCWD, newpath="hard4",
             flags=0)
    L.symlink(target="file", linkpath="s")
    L.symlinkat(target="file", newdirfd=L.AT.FDCWD, linkpath="s2")
    buf = bytearray(16)
    assert L.readlink(path="s", buf=buf) == 4
    L.unlink(path="s")
    L.mkdir(path="d", mode=0o700)
    L.rmdir(path="d")
    L.truncate(path="file", length=3)
    L.chown(path="file", owner=-1, group=-1)
    assert L.statfs(path="file").f_bsize > 0
    assert L.getcwd(buf=bytearray(4096)) == len(os.getcwdb())
    assert sorted(os.listdir()) == ["dangling", "dir", "file", "hard3", "hard4", "link",
                                    "new", "s2"]


def test_at_fdcwd_is_a_plain_value_not_a_flag():
    assert L.AT.FDCWD == L.AT_FDCWD == -100
    assert type(L.AT.FDCWD) is int and "FDCWD" not in L.AT.__members__
    assert -100 not in [int(m) for m in L.AT]


def test_eaccess_and_removedir_share_a_bit_but_not_a_namespace(tree):
    assert L.FACCESSAT.EACCESS == L.AT_EACCESS == L.AT.EACCESS == L.AT.REMOVEDIR == 0x200
    assert L.AT(0x200).name == "REMOVEDIR" and L.FACCESSAT(0x200).name == "EACCESS"
    assert type(L.AT.EACCESS) is int and "EACCESS" not in L.AT.__members__
    with L.open(tree, "directory") as d:
        for flags in (L.FACCESSAT.EACCESS, "eaccess", L.AT.EACCESS,
                      L.FACCESSAT.EACCESS | L.FACCESSAT.SYMLINK_NOFOLLOW,
                      L.AT.SYMLINK_NOFOLLOW, "symlink_nofollow|eaccess"):
            assert qemu_may_lack(L.faccessat, d, "file", "R_OK", flags) is None, flags
        assert L.faccessat(d, "file", "F_OK", L.AT.EMPTY_PATH) is None  # "file" is not ""
        with pytest.raises(TypeError):
            L.faccessat(d, "file", "R_OK", L.AT.REMOVEDIR)  # faccessat would read EACCESS
        with pytest.raises(ValueError):
            L.faccessat(d, "file", "R_OK", "removedir")


def test_a_member_of_another_namespace_is_a_type_error(tree):
    with L.open(tree, "directory") as d, L.open(tree / "file", "rdwr") as f:
        calls = [lambda: L.open(tree / "new", L.AT.EMPTY_PATH),
                 lambda: L.open(tree / "new", "creat", L.O.RDWR),
                 lambda: L.openat2(d, "new", "creat", 0o600, L.O.NOFOLLOW),
                 lambda: L.unlinkat(d, "file", L.RENAME.NOREPLACE),
                 lambda: L.renameat2(d, "file", d, "moved", L.AT.REMOVEDIR),
                 lambda: L.access(tree / "file", L.S.IRUSR),
                 lambda: L.statx(d, "file", 0, L.AT.EMPTY_PATH),
                 lambda: L.fstatat(d, "file", L.STATX.SIZE),
                 lambda: L.fchmod(f, L.OK.R), lambda: L.mkdirat(d, "sub", L.O.CREAT),
                 lambda: L.fallocate(f, L.POSIX_FADV.NORMAL, 0, 1),
                 lambda: L.posix_fadvise(f, 0, 0, L.FALLOC_FL.KEEP_SIZE),
                 lambda: L.sync_file_range(f, 0, 0, L.MFD.CLOEXEC),
                 lambda: L.memfd_create("x", L.O.CLOEXEC),
                 lambda: L.umask(L.O.CREAT)]
        for call in calls:
            with pytest.raises(TypeError):
                call()
    assert sorted(os.listdir(tree)) == ["dangling", "dir", "file", "link"]
    assert os.stat(tree / "file").st_size == 5


def test_fs_namespaces_print_their_own_names():
    # A value of each argument's namespace decodes to that namespace's members only.
    assert repr(L.AT(0x1100)) == "<AT.SYMLINK_NOFOLLOW|EMPTY_PATH: 4352>"
    assert L.RENAME(1).name == "NOREPLACE" and L.RESOLVE(8).name == "BENEATH"
    assert L.OK(4).name == "R" and L.OK.F == 0
    assert L.DT(4).name == "DIR" and L.POSIX_FADV(4).name == "DONTNEED"
    assert L.MFD(1).name == "CLOEXEC" and L.FALLOC_FL(1).name == "KEEP_SIZE"
    assert L.SYNC_FILE_RANGE(2).name == "WRITE"
    # An alias is a synonym (O_NDELAY is O_NONBLOCK), never another meaning's value.
    synonyms = {"NDELAY": "NONBLOCK", "RSYNC": "SYNC", "FSYNC": "SYNC"}
    for ns in (L.O, L.AT, L.FACCESSAT, L.S, L.STATX, L.STATX_ATTR, L.RESOLVE, L.RENAME, L.DT,
               L.OK, L.FALLOC_FL, L.POSIX_FADV, L.MFD, L.SYNC_FILE_RANGE):
        for name, member in ns.__members__.items():
            if member.name != name:
                assert synonyms.get(name) == member.name, (ns, name, member.name)
    # O_LARGEFILE (0 on 64-bit arches, where it would alias O_RDONLY) is a plain value.
    assert type(L.O.LARGEFILE) is int and L.O.LARGEFILE == L.O_LARGEFILE
    assert "LARGEFILE" not in L.O.__members__


# ---- the plain syscalls: one declaration each in cdefs/fs.h, generated into linuxsys._sys_fs ----

from linuxsys import _sys_fs  # noqa: E402

# Each declared call's signature as the hand-written one had it (man-page names, defaults).
PLAIN_SIGNATURES = {
    "fchmod": "(fd, mode)", "fchown": "(fd, owner, group)",
    "fchownat": "(dirfd, path, owner, group, flags=0)",
    "linkat": "(olddirfd, oldpath, newdirfd, newpath, flags=0)",
    "symlinkat": "(target, newdirfd, linkpath)", "unlinkat": "(dirfd, path, flags=0)",
    "renameat2": "(olddirfd, oldpath, newdirfd, newpath, flags=0)",
    "mkdirat": "(dirfd, path, mode=511)", "mknodat": "(dirfd, path, mode=384, dev=0)",
    "chdir": "(path)", "fchdir": "(fd)", "chroot": "(path)", "umask": "(mask)",
    "fsync": "(fd)", "fdatasync": "(fd)", "sync": "()", "syncfs": "(fd)",
    "truncate": "(path, length)", "ftruncate": "(fd, length)",
    "fallocate": "(fd, mode, offset, len)", "sync_file_range": "(fd, offset, nbytes, flags=0)",
    "readahead": "(fd, offset, count)",
}


def _bare(fn):
    return str(inspect.signature(fn).replace(
        parameters=[p.replace(annotation=inspect.Parameter.empty)
                    for p in inspect.signature(fn).parameters.values()],
        return_annotation=inspect.Signature.empty))


def test_plain_syscalls_are_generated_with_their_old_signatures():
    assert set(_sys_fs.__all__) == set(PLAIN_SIGNATURES)
    assert set(_sys_fs.__all__) <= set(fs.__all__) and len(set(fs.__all__)) == len(fs.__all__)
    for name, sig in PLAIN_SIGNATURES.items():
        fn = getattr(L, name)
        assert fn is getattr(fs, name) is getattr(_sys_fs, name), name
        assert fn.__module__ == "linuxsys._sys_fs", name
        assert _bare(fn) == sig, name
        assert f"(man 2 {name})" in fn.__doc__, name
        assert f"https://man7.org/linux/man-pages/man2/{name}.2.html" in fn.__doc__, name
        assert name in _sys_fs.PROBES, name


def _fake(real, results):
    """A stand-in for a native helper returning ``results`` first, then what ``real`` does."""
    calls = []

    def fake(*args):
        calls.append(args)
        return results.pop(0) if results else real(*args)
    return fake, calls


def test_plain_syscalls_retry_eintr(tree, monkeypatch):
    # The kernel restarts these calls itself (SA_RESTART), so EINTR is staged by a stand-in.
    eintr = -errno.EINTR
    fake, calls = _fake(_sys_fs._truncate, [eintr, eintr])
    monkeypatch.setattr(_sys_fs, "_truncate", fake)
    L.truncate(tree / "file", 2)
    assert len(calls) == 3 and os.path.getsize(tree / "file") == 2
    fake, calls = _fake(_sys_fs._renameat2, [eintr])
    monkeypatch.setattr(_sys_fs, "_renameat2", fake)
    L.rename(tree / "file", tree / "moved")  # the path-only wrapper goes through it too
    assert len(calls) == 2 and os.path.exists(tree / "moved")


def test_plain_syscalls_raise_unsupported_for_enosys(tree, monkeypatch):
    monkeypatch.setattr(_sys_fs, "_fallocate", lambda *args: -errno.ENOSYS)
    monkeypatch.setattr(_sys_fs, "_linkat", lambda *args: -errno.ENOSYS)
    with L.open(tree / "file", "rdwr") as fd:
        with pytest.raises(L.UnsupportedError) as ei:
            L.fallocate(fd, 0, 0, 1)
    assert ei.value.syscall == "fallocate" and ei.value.filename is None
    with pytest.raises(L.UnsupportedError) as ei:
        L.link(tree / "file", tree / "hard")
    assert ei.value.syscall == "linkat"
    assert (ei.value.filename, ei.value.filename2) == (str(tree / "file"), str(tree / "hard"))


def test_plain_syscall_errors_name_their_paths(tree):
    e = raises_errno(errno.ENOENT, L.truncate, tree / "missing", 0)
    assert (e.filename, e.filename2) == (str(tree / "missing"), None)
    e = raises_errno(errno.EEXIST, L.symlinkat, "file", L.AT.FDCWD, tree / "link")
    assert (e.filename, e.filename2) == ("file", str(tree / "link"))
    e = raises_errno(errno.ENOENT, L.fchownat, L.AT.FDCWD, tree / "missing", -1, -1)
    assert e.filename == str(tree / "missing")
    with L.open(tree / "file") as fd:
        e = raises_errno(errno.EINVAL, L.ftruncate, fd, 0)  # opened read-only
    assert e.filename is None


def test_mknod_dev_must_fit_32_bits(tree):
    for dev in (-1, 2**32):
        with pytest.raises(OverflowError):
            L.mknod(tree / "node", 0o600, dev)
    assert not os.path.exists(tree / "node")


def test_trace_sees_the_generated_helpers(tree, caplog):
    caplog.set_level(logging.DEBUG, logger="linuxsys.syscall")
    L.trace(True)
    try:
        L.truncate(tree / "file", 1)
        with L.open(tree / "file", "rdwr") as fd:
            L.fsync(fd)
        L.umask(L.umask(0o22))
    finally:
        L.trace(False)
    assert f"truncate({str(tree / 'file').encode()!r}, 1) = 0" in caplog.text
    assert "fsync(" in caplog.text and "umask(0o22) = " in caplog.text
    assert _sys_fs._truncate is L._native.lib.ls_truncate  # swapped back


def test_str_paths_encoded_as_os_fsencode(tmp_path):
    """Issue 8: str.encode() without arguments where the filesystem encoding is UTF-8; lone
    surrogates still get surrogateescape's bytes, and others fail, as in os."""
    from linuxsys._core import path
    for p in ("plain", "caf\u00e9/\u6f22", "caf\udce9", "a\udc80\udcffb", b"raw\xff"):
        assert path(p) == os.fsencode(p)
    name = "caf\udce9"  # the file b"caf\xe9": not UTF-8
    with L.open(tmp_path / name, "creat|wronly"):
        pass
    assert os.listdir(tmp_path) == [name] and os.listdir(bytes(tmp_path)) == [b"caf\xe9"]
    assert L.stat(str(tmp_path / name)).st_ino == os.stat(tmp_path / name).st_ino
    for fn in (os.stat, L.stat, L.lstat, L.open):
        with pytest.raises(UnicodeEncodeError):
            fn("\ud800")
    with pytest.raises(ValueError):
        L.stat("nul\0inside")


# ---- file handles (name_to_handle_at, open_by_handle_at) ----------------------------------

@pytest.fixture
def handle_file(tmp_path):
    """tmp_path/f (b"hello"), its handle and mount id, and an fd on its mount (tmp_path, opened
    for reading: open_by_handle_at refuses O_PATH); skipped where the filesystem makes no
    handles (EOPNOTSUPP)."""
    p = tmp_path / "f"
    p.write_bytes(b"hello")
    try:
        handle, mount_id = qemu_may_lack(L.name_to_handle_at, L.AT.FDCWD, p)
    except OSError as e:
        if e.errno != errno.EOPNOTSUPP:
            raise
        pytest.skip(f"{tmp_path}: no file handles on this filesystem")
    with L.open(tmp_path, L.O.DIRECTORY) as mount_fd:
        yield p, handle, mount_id, mount_fd


def test_name_to_handle_at_mount_id_is_statx_s(handle_file):
    p, handle, mount_id, mount_fd = handle_file
    assert type(handle) is L.FileHandle and type(handle.f_handle) is bytes
    assert 0 < len(handle.f_handle) <= 128
    with L.open(p) as fd:
        # the kernel's own word (statx's stx_mnt_id is 0 under qemu-user)
        with open(f"/proc/self/fdinfo/{fd.fd}") as info:
            assert f"mnt_id:\t{mount_id}\n" in info.read()
        # the same file by an fd (EMPTY_PATH, as AT or NAME_TO_HANDLE_AT member), by a symlink
        assert fd.name_to_handle_at("", L.AT.EMPTY_PATH) == (handle, mount_id)
        assert L.name_to_handle_at(fd, "", "empty_path") == (handle, mount_id)
    os.symlink("f", p.parent / "l")
    assert L.name_to_handle_at(mount_fd, "l", L.NAME_TO_HANDLE_AT.SYMLINK_FOLLOW)[0] == handle
    assert L.name_to_handle_at(mount_fd, "l")[0] != handle  # the link's own


def test_name_to_handle_at_unique_mount_id(handle_file):
    p, handle, _, _ = handle_file
    try:
        h, unique = L.name_to_handle_at(L.AT.FDCWD, p, L.NAME_TO_HANDLE_AT.HANDLE_MNT_ID_UNIQUE)
    except OSError as e:  # Linux 6.12; qemu-user may pass the flag on to a kernel without it
        if e.errno == errno.EINVAL and EMULATED:
            pytest.skip("no AT_HANDLE_MNT_ID_UNIQUE here")
        raise
    assert h == handle
    expected = L.statx(L.AT.FDCWD, p, 0, L.STATX.MNT_ID_UNIQUE).stx_mnt_id
    assert unique == expected or EMULATED and expected == 0  # qemu-user's statx drops it
    assert unique > 2**31  # unique ids start past the reusable ones' range


def test_name_to_handle_at_errors(tmp_path, handle_file):
    p, handle, _, _ = handle_file
    raises_errno(errno.ENOENT, L.name_to_handle_at, L.AT.FDCWD, tmp_path / "missing")
    e = raises_errno(errno.EOPNOTSUPP, L.name_to_handle_at, L.AT.FDCWD, "/proc/self/status")
    assert e.filename == "/proc/self/status"
    raises_errno(errno.EINVAL, L.name_to_handle_at, L.AT.FDCWD, p, 0x40000000)
    with pytest.raises(TypeError):  # AT_REMOVEDIR's bit is AT_HANDLE_FID's: not the same flag
        L.name_to_handle_at(L.AT.FDCWD, p, L.AT.REMOVEDIR)
    fid, _ = qemu_may_lack(L.name_to_handle_at, L.AT.FDCWD, p, L.NAME_TO_HANDLE_AT.HANDLE_FID)
    assert fid.f_handle  # identifies the file (Linux 6.5), even where it could not open it
    with pytest.raises(TypeError):  # an int is no buffer (bytes(8) would be 8 zeros)
        L.FileHandle.frombytes(8)


@requires_root()
def test_open_by_handle_at_opens_the_file(handle_file):
    p, handle, _, mount_fd = handle_file
    with L.open_by_handle_at(mount_fd, handle) as fd:
        assert cloexec(fd)
        assert L.read(fd, 10) == b"hello"
        assert fd.fstat().st_ino == os.stat(p).st_ino
    with L.open_by_handle_at(mount_fd, bytes(handle), "wronly|append", inheritable=True) as fd:
        assert not cloexec(fd)
        L.write(fd, b"!")
    assert p.read_bytes() == b"hello!"
    with mount_fd.open_by_handle_at(L.FileHandle.frombytes(bytes(handle))) as fd:
        assert L.read(fd, 10) == b"hello!"


@requires_root()
def test_open_by_handle_at_errors(tmp_path, handle_file):
    p, handle, _, mount_fd = handle_file
    raises_errno(errno.EINVAL, L.open_by_handle_at, mount_fd, L.FileHandle(handle.handle_type, b""))
    raises_errno(errno.EINVAL, L.open_by_handle_at, mount_fd,
                 L.FileHandle(handle.handle_type, b"x" * 129))
    closed = L.open(tmp_path)
    closed.close()
    raises_errno(errno.EBADF, L.open_by_handle_at, closed, handle)
    for bad in (b"", b"\x09\0\0\0\1\0\0\0" + b"x" * 8, bytes(handle) + b"x"):
        with pytest.raises(ValueError):
            L.open_by_handle_at(mount_fd, bad)
    with pytest.raises(OverflowError):
        L.open_by_handle_at(mount_fd, L.FileHandle(2**31, handle.f_handle))
    p.unlink()  # the inode is freed: its handle is stale
    raises_errno(errno.ESTALE, L.open_by_handle_at, mount_fd, handle)


@requires_root()
def test_open_by_handle_at_needs_cap_dac_read_search(handle_file):
    p, handle, _, mount_fd = handle_file

    def check():
        raises_errno(errno.EPERM, L.open_by_handle_at, mount_fd, handle)
        with pytest.raises(PermissionError):
            L.open_by_handle_at(mount_fd, bytes(handle))
    assert as_nobody(check) == 0


# ---- cachestat -----------------------------------------------------------------------------

def test_cachestat_counts_written_pages(tmp_path):
    p = tmp_path / "f"
    with L.open(p, "creat|rdwr") as fd:
        L.write(fd, b"x" * 3 * 4096)
        cs = qemu_may_lack(L.cachestat, fd)
        assert type(cs) is L.CacheStat
        assert cs.nr_cache == 3 and cs.nr_dirty <= 3
        assert L.cachestat(fd, 4096, 4096).nr_cache == 1
        assert fd.cachestat(off=2**40).nr_cache == 0  # past the end
        L.fsync(fd)
        assert L.cachestat(fd).nr_dirty == 0
        raises_errno(errno.EINVAL, L.cachestat, fd, 0, 0, 1)
        with pytest.raises(OverflowError):
            L.cachestat(fd, -1)
    raises_errno(errno.EBADF, L.cachestat, fd)


@requires_root()
def test_cachestat_eperm_as_nobody_on_roots_file(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x")
    with L.open(p) as fd:  # 0644, root's: nobody may read it, not write it
        qemu_may_lack(L.cachestat, fd)  # root may

        def check():
            raises_errno(errno.EPERM, L.cachestat, fd)
        assert as_nobody(check) == 0


# ---- file_getattr, file_setattr ------------------------------------------------------------

FS_IOC_GETFLAGS = 0x80086601 if struct.calcsize("P") == 8 else 0x80046601
FS_NOATIME_FL = 0x80


def _inode_flags(path):
    import fcntl
    with open(path, "rb") as f:
        return struct.unpack("i", fcntl.ioctl(f, FS_IOC_GETFLAGS, b"\0" * 4))[0]


@pytest.fixture
def attr_file(tmp_path):
    """tmp_path/f and its FileAttr; skipped where the filesystem keeps no inode attributes."""
    p = tmp_path / "f"
    p.write_bytes(b"x")
    try:
        return p, qemu_may_lack(L.file_getattr, L.AT.FDCWD, p)
    except OSError as e:
        if e.errno != errno.EOPNOTSUPP:
            raise
        pytest.skip(f"{tmp_path}: no inode attributes on this filesystem")


def test_file_getattr_file_setattr_against_the_ioctl(attr_file):
    p, attr = attr_file
    assert type(attr) is L.FileAttr and attr.fa_xflags & L.FS_XFLAG.NOATIME == 0
    L.file_setattr(L.AT.FDCWD, p, attr._replace(fa_xflags=attr.fa_xflags | L.FS_XFLAG.NOATIME))
    assert _inode_flags(p) & FS_NOATIME_FL
    with L.open(p) as fd:
        assert fd.file_getattr("", L.AT.EMPTY_PATH).fa_xflags & L.FS_XFLAG.NOATIME
        fd.file_setattr("", attr, at_flags="empty_path")
    assert not _inode_flags(p) & FS_NOATIME_FL
    assert L.file_getattr(L.AT.FDCWD, os.fsencode(p)) == attr


def test_file_getattr_file_setattr_errors(tmp_path, attr_file):
    p, attr = attr_file
    raises_errno(errno.ENOENT, L.file_getattr, L.AT.FDCWD, tmp_path / "missing")
    raises_errno(errno.EOPNOTSUPP, L.file_getattr, L.AT.FDCWD, "/proc/self/status")
    raises_errno(errno.EINVAL, L.file_getattr, L.AT.FDCWD, p, L.AT.REMOVEDIR)
    raises_errno(errno.EINVAL, L.file_setattr, L.AT.FDCWD, p, attr._replace(fa_xflags=1 << 40))
    os.symlink("f", tmp_path / "l")  # a symlink itself has no attributes to set here
    assert L.file_getattr(L.AT.FDCWD, tmp_path / "l") == attr
    with pytest.raises(TypeError):
        L.file_setattr(L.AT.FDCWD, p, tuple(attr))
    with pytest.raises(OverflowError):
        L.file_setattr(L.AT.FDCWD, p, attr._replace(fa_projid=-1))


@requires_root()
def test_file_setattr_eperm_as_nobody(attr_file):
    p, attr = attr_file
    with L.open(p) as fd:  # inherited: the child reaches the file without the path's dirs
        def check():
            assert L.file_getattr(fd, "", L.AT.EMPTY_PATH) == attr  # reading needs no ownership
            raises_errno(errno.EPERM, L.file_setattr, fd, "", attr, L.AT.EMPTY_PATH)
        assert as_nobody(check) == 0
