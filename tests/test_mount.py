"""linuxsys.mount: mount, umount2, pivot_root and the mount API, against the real kernel.

Every call that mounts runs in a forked child that first unshares its mount namespace (and
checks /proc/self/ns/mnt changed) and makes every mount private, so nothing reaches the
machine's mounts.  listmount/statmount only read, in the test process.  Under qemu-user the
mount API answers ENOSYS: those tests skip (a child exits with SKIP)."""
import errno
import os
import shutil
import signal
import stat
import tempfile

import pytest

import linuxsys as L
from conftest import (EMULATED, cloexec, in_child, needs_userns, raises_errno, requires_root,
                      userns_ready)

pytestmark = requires_root()

SKIP = 77  # a child's exit code: qemu-user lacks a syscall
NO_IDMAP = 78  # a child's exit code: the filesystem refuses an idmapped mount


def in_mount_ns(fn):
    """Run fn(tmpdir) in a child with a private mount namespace; fail on error, skip (only
    under qemu-user) when a syscall is missing."""
    d = tempfile.mkdtemp(prefix="ls-mount-")

    def child():
        before = os.readlink("/proc/self/ns/mnt")
        L.unshare(L.CLONE.NEWNS)
        assert os.readlink("/proc/self/ns/mnt") != before
        L.mount(None, "/", None, L.MS.REC | L.MS.PRIVATE)
        try:
            fn(d)
        except (L.UnsupportedError, pytest.skip.Exception):  # raises_errno's skip: the same
            if EMULATED:
                os._exit(SKIP)
            raise
    try:
        code = in_child(child)
    finally:
        shutil.rmtree(d)
    if code == SKIP:
        pytest.skip("qemu-user lacks a mount API call")
    if code == NO_IDMAP:
        pytest.skip("the filesystem refuses idmapped mounts (EINVAL)")
    assert code == 0


def mountinfo(target=None):
    """{mount point: (fields before '-', fstype, source, super options)} of this namespace."""
    out = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, post = line.rstrip("\n").split(" - ")
            fields = pre.split()
            fstype, source, opts = post.split()
            out[fields[4]] = (fields, fstype, source, opts)
    return out if target is None else out.get(target)


def tmpfs(target, data="size=1m"):
    L.mount("none", target, "tmpfs", 0, data)


def touch(p, text="x"):
    with open(p, "w") as f:
        f.write(text)


# ---- mount, umount2 ---------------------------------------------------------------------------

def test_tmpfs_mount_remount_readonly_detach():
    def body(d):
        tmpfs(d)
        fields, fstype, source, opts = mountinfo(d)
        assert fstype == "tmpfs" and source == "none" and "size=1024k" in opts
        assert fields[5].startswith("rw")
        touch(f"{d}/f")
        L.mount(None, d, None, L.MS.REMOUNT | L.MS.RDONLY | L.MS.BIND)
        assert mountinfo(d)[0][5].startswith("ro")
        with pytest.raises(OSError) as ei:
            touch(f"{d}/g")
        assert ei.value.errno == errno.EROFS
        L.umount2(d, L.MNT.DETACH)
        assert mountinfo(d) is None
        assert not os.path.exists(f"{d}/f")
    in_mount_ns(body)


def test_bind_and_recursive_bind():
    def body(d):
        for n in ("a", "b", "c"):
            os.mkdir(f"{d}/{n}")
        tmpfs(f"{d}/a")
        os.mkdir(f"{d}/a/sub")
        touch(f"{d}/a/top")
        tmpfs(f"{d}/a/sub")
        touch(f"{d}/a/sub/marker")
        L.mount(f"{d}/a", f"{d}/b", None, L.MS.BIND)
        L.mount(f"{d}/a", f"{d}/c", None, "bind|rec")
        assert os.path.exists(f"{d}/b/top") and not os.path.exists(f"{d}/b/sub/marker")
        assert os.path.exists(f"{d}/c/sub/marker")
        assert mountinfo(f"{d}/c/sub") is not None and mountinfo(f"{d}/b/sub") is None
    in_mount_ns(body)


def test_propagation_changes():
    def body(d):
        tmpfs(d)
        L.mount(None, d, None, L.MS.SHARED)
        assert any(f.startswith("shared:") for f in mountinfo(d)[0][6:])
        L.mount(None, d, None, L.MS.PRIVATE)
        assert not any(f.startswith(("shared:", "master:")) for f in mountinfo(d)[0][6:])
        L.mount(None, d, None, L.MS.UNBINDABLE)
        assert "unbindable" in mountinfo(d)[0][6:]
    in_mount_ns(body)


def test_pivot_root():
    def body(d):
        tmpfs(d)
        os.mkdir(f"{d}/old")
        touch(f"{d}/inside")
        os.chdir(d)
        L.pivot_root(d, f"{d}/old")
        os.chdir("/")
        assert sorted(os.listdir("/")) == ["inside", "old"]
        assert os.path.isdir("/old/proc")  # the old root, under put_old
        L.umount2("/old", L.MNT.DETACH)
        assert os.listdir("/old") == []
    in_mount_ns(body)


def test_bad_input():
    def body(d):
        tmpfs(d)  # off the root mount (pivot_root says EBUSY for paths on it)
        os.mkdir(f"{d}/a")
        os.mkdir(f"{d}/elsewhere")
        tmpfs(f"{d}/a")
        os.mkdir(f"{d}/a/old")
        # put_old not under new_root, and a new_root that is no mount point
        raises_errno(errno.EINVAL, L.pivot_root, f"{d}/a", f"{d}/elsewhere")
        raises_errno(errno.EINVAL, L.pivot_root, f"{d}/elsewhere", f"{d}/elsewhere")
        e = raises_errno(errno.EINVAL, L.umount2, f"{d}/elsewhere")  # not a mount point
        assert e.filename == f"{d}/elsewhere"
        e = raises_errno(errno.ENODEV, L.mount, "none", f"{d}/elsewhere", "nosuchfs")
        assert e.filename == f"{d}/elsewhere" and e.filename2 == "none"
        raises_errno(errno.ENOENT, L.mount, "none", f"{d}/missing", "tmpfs")
        # flags from the wrong namespace: TypeError before any call
        with pytest.raises(TypeError):
            L.mount("none", f"{d}/elsewhere", "tmpfs", L.MNT.DETACH)
        with pytest.raises(TypeError):
            L.umount2(f"{d}/a", L.MS.RDONLY)
        with pytest.raises(TypeError):
            L.open_tree(L.AT.FDCWD, f"{d}/a", L.MS.BIND)
        with pytest.raises(TypeError):
            L.mount_setattr(L.AT.FDCWD, f"{d}/a", 0, L.MountAttr(attr_set=L.MS.RDONLY))
        with pytest.raises(TypeError):
            L.mount_setattr(L.AT.FDCWD, f"{d}/a", 0, {"attr_set": 1})
        with pytest.raises(TypeError):
            L.mount(5, f"{d}/a")
        with pytest.raises(ValueError):
            L.mount("none", f"{d}/a", "tmpfs", 0, "size=1m\0")
        assert mountinfo(f"{d}/elsewhere") is None
        # the mount API's (last: qemu-user lacks it)
        raises_errno(errno.ENODEV, L.fsopen, "nosuchfs")
        raises_errno(errno.EINVAL, L.fspick, L.AT.FDCWD, f"{d}/elsewhere")  # no mount root
    in_mount_ns(body)


# ---- the mount API ----------------------------------------------------------------------------

def test_fsopen_fsconfig_fsmount_move_mount():
    def body(d):
        fs = L.fsopen("tmpfs")
        assert cloexec(fs)
        L.fsconfig(fs, L.FSCONFIG.SET_STRING, "size", "2m")
        L.fsconfig(fs, "set_string", b"mode", b"0700")
        L.fsconfig(fs, L.FSCONFIG.SET_FLAG, "ro")
        fs.fsconfig(L.FSCONFIG.CMD_CREATE)
        m = L.fsmount(fs, 0, L.MOUNT_ATTR.NODEV)
        assert cloexec(m)
        L.move_mount(m, "", L.AT.FDCWD, d, L.MOVE_MOUNT.F_EMPTY_PATH)
        fields, fstype, source, opts = mountinfo(d)
        assert fstype == "tmpfs" and "size=2048k" in opts and "mode=700" in opts
        assert "nodev" in fields[5].split(",") and opts.startswith("ro")
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
        # fspick: reconfigure the superblock
        p = L.fspick(L.AT.FDCWD, d)
        assert cloexec(p)
        L.fsconfig(p, L.FSCONFIG.SET_STRING, "size", "4m")
        L.fsconfig(p, L.FSCONFIG.CMD_RECONFIGURE)
        assert "size=4096k" in mountinfo(d)[3]
        for f in (fs, m, p):
            f.close()
        with L.fsopen("tmpfs", inheritable=True) as fs2:
            assert not cloexec(fs2)
    in_mount_ns(body)


def test_fsconfig_error_carries_the_kernel_log():
    def body(d):
        with L.fsopen("tmpfs") as fs:
            e = raises_errno(errno.EINVAL, L.fsconfig, fs, L.FSCONFIG.SET_STRING, "nosuchkey", "1")
            assert "Unknown parameter 'nosuchkey'" in str(e)
            assert "tmpfs" in e.strerror
            assert L.fs_log(fs) == []  # read into the error
            e = raises_errno(errno.EINVAL, L.fsconfig, fs, L.FSCONFIG.SET_BINARY, "size", b"12")
            assert "size" in str(e)
            # fsmount before CMD_CREATE
            raises_errno(errno.EINVAL, L.fsmount, fs)
            with pytest.raises(ValueError):
                L.fsconfig(fs, L.FSCONFIG.SET_STRING, None, "x")
            with pytest.raises(TypeError):
                L.fsconfig(fs, L.FSCONFIG.SET_STRING, "size", 5)
            with pytest.raises(TypeError):
                L.fsconfig(fs, L.FSCONFIG.CMD_CREATE, None, "x")
            with pytest.raises(TypeError):
                L.fsconfig(fs, L.FSCONFIG.SET_FD, "x")
            with pytest.raises(TypeError):
                L.fsconfig(fs, L.MS.BIND)
        with L.open("/dev/null") as null:  # no filesystem context
            raises_errno(errno.EINVAL, L.fsconfig, null, L.FSCONFIG.CMD_CREATE)
    in_mount_ns(body)


def test_fsconfig_fd_and_path_forms():
    """overlayfs takes its directories as fds (SET_FD); a path form reaches the kernel, which
    says what it thinks of it."""
    def body(d):
        tmpfs(d)
        for n in ("lower", "upper", "work", "m"):
            os.mkdir(f"{d}/{n}")
        touch(f"{d}/lower/f", "hi")
        with L.fsopen("overlay") as fs:
            e = raises_errno(errno.EINVAL, L.fsconfig, fs, L.FSCONFIG.SET_PATH, "upperdir",
                             f"{d}/upper")
            assert "upperdir" in str(e) and e.filename == f"{d}/upper"
            with L.open(f"{d}/work", L.O.PATH) as w:
                e = raises_errno(errno.EINVAL, L.fsconfig, fs, L.FSCONFIG.SET_PATH_EMPTY,
                                 "workdir", "", w)
                assert "workdir" in str(e)
            for key in ("lowerdir+", "upperdir", "workdir"):
                with L.open(f"{d}/{key.rstrip('+').replace('dir', '')}", L.O.PATH) as dfd:
                    L.fsconfig(fs, L.FSCONFIG.SET_FD, key, None, dfd)
            L.fsconfig(fs, L.FSCONFIG.CMD_CREATE)
            with L.fsmount(fs) as m:
                L.move_mount(m, "", L.AT.FDCWD, f"{d}/m", L.MOVE_MOUNT.F_EMPTY_PATH)
        with open(f"{d}/m/f") as f:
            assert f.read() == "hi"
        assert mountinfo(f"{d}/m")[1] == "overlay"
    in_mount_ns(body)


def test_open_tree_clone_move_mount_and_mount_setattr_readonly():
    def body(d):
        for n in ("src", "dst", "dst2"):
            os.mkdir(f"{d}/{n}")
        tmpfs(f"{d}/src")
        touch(f"{d}/src/f")
        tree = L.open_tree(L.AT.FDCWD, f"{d}/src", L.OPEN_TREE.CLONE | L.OPEN_TREE.AT_RECURSIVE)
        assert cloexec(tree)
        L.mount_setattr(tree, "", L.AT.EMPTY_PATH, L.MountAttr(attr_set=L.MOUNT_ATTR.RDONLY))
        L.move_mount(tree, "", L.AT.FDCWD, f"{d}/dst", L.MOVE_MOUNT.F_EMPTY_PATH)
        tree.close()
        assert os.path.exists(f"{d}/dst/f")
        assert mountinfo(f"{d}/dst")[0][5].startswith("ro")
        with pytest.raises(OSError) as ei:
            touch(f"{d}/dst/g")
        assert ei.value.errno == errno.EROFS
        touch(f"{d}/src/g")  # the source stays writable
        # mount_setattr on an attached mount by path: writable again, nosuid, shared
        L.mount_setattr(L.AT.FDCWD, f"{d}/dst", L.AT.RECURSIVE,
                        L.MountAttr(attr_set="nosuid", attr_clr=L.MOUNT_ATTR.RDONLY,
                                    propagation=L.MS.SHARED))
        fields = mountinfo(f"{d}/dst")[0]
        assert fields[5].split(",")[:2] == ["rw", "nosuid"]
        assert any(f.startswith("shared:") for f in fields[6:])
        # open_tree without CLONE: an fd on the mount, inheritable on request
        with L.open_tree(L.AT.FDCWD, f"{d}/dst", inheritable=True) as t:
            assert not cloexec(t)
        raises_errno(errno.ENOENT, L.open_tree, L.AT.FDCWD, f"{d}/missing")
    in_mount_ns(body)



def test_open_tree_attr_detached_copy_born_readonly():
    def body(d):
        for n in ("src", "dst"):
            os.mkdir(f"{d}/{n}")
        tmpfs(f"{d}/src")
        touch(f"{d}/src/f")
        with pytest.raises(TypeError):
            L.open_tree_attr(L.AT.FDCWD, f"{d}/src", L.OPEN_TREE.CLONE, attr={"attr_set": 1})
        try:
            tree = L.open_tree_attr(L.AT.FDCWD, f"{d}/src", L.OPEN_TREE.CLONE,
                                    L.MountAttr(attr_set=L.MOUNT_ATTR.RDONLY | L.MOUNT_ATTR.NOEXEC))
        except L.UnsupportedError:
            if not EMULATED and os.uname().release >= "6.15":
                raise
            os._exit(SKIP)  # before Linux 6.15 (or qemu-user)
        assert cloexec(tree)
        L.move_mount(tree, "", L.AT.FDCWD, f"{d}/dst", L.MOVE_MOUNT.F_EMPTY_PATH)
        tree.close()
        opts = mountinfo(f"{d}/dst")[0][5].split(",")
        assert opts[0] == "ro" and "noexec" in opts
        touch(f"{d}/src/g")  # the source stays writable
        # attr=None: open_tree's own behaviour; inheritable on request
        with L.open_tree_attr(L.AT.FDCWD, f"{d}/dst", inheritable=True) as t:
            assert not cloexec(t)
        # unknown attribute bits, and a missing path (named in the error)
        raises_errno(errno.EINVAL, L.open_tree_attr, L.AT.FDCWD, f"{d}/src", L.OPEN_TREE.CLONE,
                     L.MountAttr(attr_set=1 << 40))
        raises_errno(errno.ENOENT, L.open_tree_attr, L.AT.FDCWD, f"{d}/missing",
                     L.OPEN_TREE.CLONE, L.MountAttr())
    in_mount_ns(body)

@needs_userns
def test_idmapped_mount():
    def body(d):
        tmpfs(d)
        os.mkdir(f"{d}/src")
        os.mkdir(f"{d}/dst")
        touch(f"{d}/src/f")
        os.chown(f"{d}/src/f", 1000, 1000)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # a user namespace whose maps this child writes
            try:
                userns_ready()
                before = os.readlink("/proc/self/ns/user")
                L.unshare(L.CLONE.NEWUSER)
                assert os.readlink("/proc/self/ns/user") != before
                os.close(r)
                os.write(w, b"1")
                while True:
                    signal.pause()
            finally:
                os._exit(1)
        refused = False
        try:
            os.close(w)
            assert os.read(r, 1) == b"1"
            os.close(r)
            L.write_id_maps(pid, [(0, 100000, 65536)], [(0, 100000, 65536)])
            with L.ns_open(pid, "user") as userns:
                tree = L.open_tree(L.AT.FDCWD, f"{d}/src", L.OPEN_TREE.CLONE)
                try:
                    L.mount_setattr(tree, "", L.AT.EMPTY_PATH,
                                    L.MountAttr(attr_set=L.MOUNT_ATTR.IDMAP, userns_fd=userns))
                except OSError as e:
                    if e.errno != errno.EINVAL:
                        raise
                    refused = True
                if not refused:
                    L.move_mount(tree, "", L.AT.FDCWD, f"{d}/dst", L.MOVE_MOUNT.F_EMPTY_PATH)
                tree.close()
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        if refused:
            os._exit(NO_IDMAP)
        st = os.stat(f"{d}/dst/f")
        assert (st.st_uid, st.st_gid) == (101000, 101000)
        assert os.stat(f"{d}/src/f").st_uid == 1000
        assert "idmapped" in mountinfo(f"{d}/dst")[0][5]
        # statmount shows the maps (Linux 6.15), as uid_map lines seen from here
        sm = next(s for s in map(L.statmount, L.listmount()) if s.mnt_point == f"{d}/dst")
        sm = L.statmount(sm.mnt_id, L.STATMOUNT.MNT_UIDMAP | L.STATMOUNT.MNT_GIDMAP)
        assert [line.split() for line in sm.mnt_uidmap] == [["0", "100000", "65536"]]
        assert [line.split() for line in sm.mnt_gidmap] == [["0", "100000", "65536"]]
    in_mount_ns(body)


# ---- listmount, statmount (read-only, in the test process) ------------------------------------

def _unescape(s):
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        s = s.replace(code, char)
    return s


def _listed():
    try:
        return L.listmount()
    except L.UnsupportedError:
        if EMULATED:
            pytest.skip("qemu-user lacks listmount")
        raise


def test_listmount_statmount_against_mountinfo():
    ids = _listed()
    with open("/proc/self/mountinfo") as f:
        rows = [line.split(" - ")[0].split() + line.rstrip("\n").split(" - ")[1].split()
                for line in f]
    expect = {(int(r[0]), int(r[1]), _unescape(r[4]), r[-3]) for r in rows}
    got = set()
    for i in ids:
        s = L.statmount(i)
        assert s.mnt_id == i
        assert s.mask & L.STATMOUNT.MNT_BASIC and s.mask & L.STATMOUNT.MNT_POINT
        got.add((s.mnt_id_old, s.mnt_parent_id_old, s.mnt_point, s.fs_type))
        assert isinstance(s.mnt_propagation, L.MS)
    assert got == expect
    assert len(ids) == len(set(ids)) == len(rows)


def test_listmount_pages_and_flags():
    ids = _listed()
    assert L.listmount(count=0) == []
    first = L.listmount(count=2)
    assert first == ids[:2]
    assert L.listmount(last_mnt_id=first[-1]) == ids[2:]
    assert L.listmount(flags=L.LISTMOUNT.REVERSE) == ids[::-1]
    root = L.statmount(ids[0], L.STATMOUNT.MNT_BASIC)
    assert root.mnt_point is None and root.fs_type is None  # not asked
    # the mounts under the first one: all of it but itself
    assert set(L.listmount(ids[0])) <= set(ids) - {ids[0]}
    with pytest.raises(ValueError):
        L.listmount(count=-1)
    with pytest.raises(OverflowError):
        L.listmount(2**64)
    with pytest.raises(TypeError):
        L.listmount(flags=L.MS.BIND)


def test_statmount_sources_and_errors():
    ids = _listed()
    # SB_SOURCE (6.13) where the build's headers or tables know it
    s = L.statmount(ids[0], L.STATMOUNT_ALL | getattr(L.STATMOUNT, "SB_SOURCE", 0))
    assert s.fs_type is not None and s.mnt_root is not None
    raises_errno(errno.ENOENT, L.statmount, max(ids) + 1000)  # an id no mount has
    with pytest.raises(TypeError):
        L.statmount("1")


def test_statmount_option_arrays():
    # Linux 6.13-6.15 fields: the options one per item, the LSM ones apart, the known mask
    want = (L.STATMOUNT.MNT_OPTS | L.STATMOUNT.OPT_ARRAY | L.STATMOUNT.OPT_SEC_ARRAY
            | L.STATMOUNT.SUPPORTED_MASK)
    with_options = 0
    for i in _listed():
        s = L.statmount(i, want)
        assert s.supported_mask is not None and s.supported_mask & want == want
        # a field is there when its bit came back (a filesystem without options: neither)
        assert (s.opt_array is None) == (not s.mask & L.STATMOUNT.OPT_ARRAY)
        assert (s.opt_sec_array is None) == (not s.mask & L.STATMOUNT.OPT_SEC_ARRAY)
        if s.opt_array is not None and s.mnt_opts and "\\" not in s.mnt_opts:
            # escaped options differ from their items
            with_options += 1
            assert set(s.opt_array) | set(s.opt_sec_array or []) == set(s.mnt_opts.split(","))
        assert s.mnt_uidmap is None  # not asked
    assert with_options
    s = L.statmount(i, L.STATMOUNT.MNT_BASIC)
    assert s.opt_array is s.opt_sec_array is s.supported_mask is None
