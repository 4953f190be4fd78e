"""quota: quotactl and quotactl_fd on their error paths (quotas are never switched on here),
Q_SYNC for real (it only writes what quotas are on), and the argument checks before the call."""
import errno
import os

import pytest

import linuxsys as L
from conftest import as_nobody, qemu_may_lack, raises_errno, requires_root


@pytest.fixture
def qfile(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"")
    with L.open(p) as fd:
        yield p, fd


def test_qcmd_is_the_c_macro():
    assert L.QCMD(L.Q.GETQUOTA, L.USRQUOTA) == 0x80000700
    assert L.QCMD("sync", L.GRPQUOTA) == 0x80000101
    assert L.QCMD(L.Q.XGETQUOTA, L.PRJQUOTA) == (ord("X") << 16) + (3 << 8) + 2
    with pytest.raises(OverflowError):
        L.QCMD(L.Q.SYNC, 256)
    with pytest.raises(TypeError):
        L.QCMD(L.O.CREAT, 0)


def test_quota_structs_have_the_kernels_sizes():
    # struct if_dqblk is 8 u64 and a u32: 68 bytes where u64 aligns to 4 (i386), else 72
    assert L.ffi.sizeof("struct ls_if_dqblk") in (68, 72)
    assert L.ffi.sizeof("struct ls_if_nextdqblk") == 72
    assert L.ffi.sizeof("struct ls_if_dqinfo") == 24


def test_quotactl_by_path_errors(tmp_path, qfile):
    p, _ = qfile
    cmd = L.QCMD(L.Q.GETINFO, L.USRQUOTA)
    e = raises_errno(errno.ENOENT, L.quotactl, cmd, tmp_path / "missing", 0,
                     L.ffi.new("struct ls_if_dqinfo *"))
    assert e.filename == str(tmp_path / "missing")
    raises_errno(errno.ENOTBLK, L.quotactl, cmd, p)  # a regular file names no filesystem
    raises_errno(errno.ENODEV, L.quotactl, cmd, None)  # only Q_SYNC may go without one
    raises_errno(errno.EINVAL, L.quotactl, L.QCMD(L.Q.GETINFO, 7), p)  # type past MAXQUOTAS


def test_quotactl_fd_without_quotas_on(qfile):
    _, fd = qfile
    try:
        qemu_may_lack(L.quotactl_getinfo, fd, L.USRQUOTA)
    except OSError as e:
        # ESRCH: quotas off (ext4, xfs); ENOSYS: no quota support in this filesystem at all
        # (tmpfs without the quota option): the kernel's answer, UnsupportedError here
        assert e.errno in (errno.ESRCH, errno.ENOSYS), e
        if e.errno == errno.ENOSYS:
            assert isinstance(e, L.UnsupportedError) and e.syscall == "quotactl_fd"
    else:
        pytest.skip("quotas are on for this filesystem")
    with pytest.raises(OSError) as ei:
        fd.quotactl_fd(L.QCMD(L.Q.GETQUOTA, L.USRQUOTA), os.getuid(),
                       L.ffi.new("struct ls_if_dqblk *"))
    assert ei.value.errno in (errno.ESRCH, errno.ENOSYS)
    raises_errno(errno.EINVAL, L.quotactl_getquota, fd, 5, 0)
    closed = L.open("/")
    closed.close()
    raises_errno(errno.EBADF, L.quotactl_sync, closed)


def test_quotactl_sync_all_and_one():
    assert qemu_may_lack(L.quotactl_sync) is None  # every filesystem with quotas on
    with L.open("/") as fd:
        try:
            L.quotactl_sync(fd, L.GRPQUOTA)
        except OSError as e:  # quotas off / no quota support: nothing to write
            assert e.errno in (errno.ESRCH, errno.ENOSYS), e


@requires_root()
def test_quotactl_eperm_as_nobody(qfile):
    _, fd = qfile

    def check():
        try:
            L.quotactl_getquota(fd, L.USRQUOTA, 0)  # another user's quota
        except OSError as e:
            assert e.errno in (errno.EPERM, errno.ENOSYS), e
        else:
            raise AssertionError("a user read root's quota")
        with pytest.raises(OSError) as ei:  # never reaches the path: no CAP_SYS_ADMIN
            L.quotactl_fd(fd, L.QCMD(L.Q.QUOTAOFF, L.USRQUOTA))
        assert ei.value.errno in (errno.EPERM, errno.ENOSYS)
    assert as_nobody(check) == 0


def test_addr_is_checked_before_the_call(qfile):
    _, fd = qfile
    getquota = L.QCMD(L.Q.GETQUOTA, L.USRQUOTA)
    small = bytearray(8)
    with pytest.raises(ValueError):
        L.quotactl_fd(fd, getquota, 0, small)
    small.extend(b"x")  # the view was released
    with pytest.raises(TypeError):  # the kernel fills it: a read-only buffer is refused
        L.quotactl_fd(fd, getquota, 0, bytes(100))
    with pytest.raises(ValueError):  # a subcommand whose struct is unknown takes no buffer
        L.quotactl_fd(fd, L.QCMD(0x42, 0), 0, bytearray(4096))
    with pytest.raises(TypeError):  # a subcommand is no command word
        L.quotactl_fd(fd, L.Q.SYNC)
    with pytest.raises(ValueError):  # Q_QUOTAON's addr is a path
        L.quotactl(L.QCMD(L.Q.QUOTAON, 0), "/nonexistent-device", L.QFMT.VFS_V1, "quota\0file")
    with pytest.raises(OverflowError):
        L.quotactl_fd(fd, getquota, -2)
    big = bytearray(200)  # a larger buffer is fine: the kernel uses its struct's bytes
    with pytest.raises(OSError) as ei:
        L.quotactl_fd(fd, getquota, os.getuid(), big)
    big.extend(b"x")
    assert ei.value.errno in (errno.ESRCH, errno.ENOSYS)
