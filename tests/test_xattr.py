"""xattr: get/set/list/remove by path, on a symlink (l), and on an fd (f); os as the oracle."""
import errno
import os
import pathlib
import tempfile

import pytest

import linuxsys as L

REPO = pathlib.Path(__file__).resolve().parent.parent


def _supports_user_xattrs(directory):
    try:
        with tempfile.NamedTemporaryFile(dir=directory) as f:
            os.setxattr(f.name, "user.probe", b"1")
        return True
    except OSError as e:
        if e.errno in (errno.EOPNOTSUPP, errno.ENOTSUP, errno.EPERM, errno.EACCES, errno.EROFS):
            return False
        raise


@pytest.fixture
def xdir(tmp_path):
    """A directory on a filesystem with user xattrs: tmp_path, else /var/tmp, else the repo."""
    if _supports_user_xattrs(tmp_path):
        yield tmp_path
        return
    for base in ("/var/tmp", REPO):
        if os.access(base, os.W_OK) and _supports_user_xattrs(base):
            with tempfile.TemporaryDirectory(dir=base) as d:
                yield pathlib.Path(d)
            return
    pytest.skip(f"no user xattr support on {tmp_path}, /var/tmp or {REPO} (EOPNOTSUPP)")


@pytest.fixture
def target(xdir):
    p = xdir / "file"
    p.write_bytes(b"data")
    return p


@pytest.fixture
def link(xdir, target):
    p = xdir / "link"
    p.symlink_to(target)
    return p


# ---- by path ------------------------------------------------------------------------------

def test_setxattr_getxattr_listxattr_against_os(target):
    L.setxattr(target, "user.a", b"alpha")
    L.setxattr(str(target), b"user.b", bytearray(b"\0beta\0"))
    L.setxattr(target, "user.empty", b"")
    assert os.getxattr(target, "user.a") == b"alpha"
    assert os.getxattr(target, "user.b") == b"\0beta\0"
    os.setxattr(target, "user.c", b"x" * 2000)
    assert L.getxattr(target, "user.a") == b"alpha"
    assert L.getxattr(target, b"user.b") == b"\0beta\0"
    assert L.getxattr(target, "user.c") == b"x" * 2000
    assert L.getxattr(target, "user.empty") == b""
    names = L.listxattr(target)
    assert all(type(n) is str for n in names)
    assert sorted(names) == sorted(os.listxattr(target))
    assert {"user.a", "user.b", "user.c", "user.empty"} <= set(names)


def test_names_are_bytes_when_path_is_bytes(target):
    os.setxattr(target, "user.a", b"1")
    names = L.listxattr(os.fsencode(target))
    assert all(type(n) is bytes for n in names)
    assert sorted(names) == sorted(map(os.fsencode, os.listxattr(target)))  # os gives str
    assert b"user.a" in names


def test_listxattr_empty_when_no_attributes(xdir):
    p = xdir / "bare"
    p.write_bytes(b"")
    assert L.listxattr(p) == [n for n in os.listxattr(p)]


def test_setxattr_flags(target):
    L.setxattr(target, "user.a", b"1", L.XATTR.CREATE)
    with pytest.raises(FileExistsError) as ei:
        L.setxattr(target, "user.a", b"2", L.XATTR.CREATE)
    assert ei.value.errno == errno.EEXIST
    assert ei.value.filename == str(target)
    L.setxattr(target, "user.a", b"3", "replace")
    assert os.getxattr(target, "user.a") == b"3"
    with pytest.raises(OSError) as ei:
        L.setxattr(target, "user.missing", b"x", L.XATTR.REPLACE)
    assert ei.value.errno == errno.ENODATA
    assert "user.missing" not in os.listxattr(target)


def test_removexattr(target):
    os.setxattr(target, "user.a", b"1")
    L.removexattr(target, "user.a")
    assert "user.a" not in os.listxattr(target)
    with pytest.raises(OSError) as ei:
        L.removexattr(target, "user.a")
    assert ei.value.errno == errno.ENODATA
    assert ei.value.filename == str(target)


def test_getxattr_into_buffer(target):
    os.setxattr(target, "user.a", b"hello")
    buf = bytearray(16)
    assert L.getxattr(target, "user.a", buf) == 5
    assert bytes(buf[:5]) == b"hello"
    view = memoryview(bytearray(5))
    assert L.getxattr(target, "user.a", view) == 5
    assert view.tobytes() == b"hello"


def test_getxattr_buffer_too_small_is_erange(target):
    os.setxattr(target, "user.a", b"hello")
    with pytest.raises(OSError) as ei:
        L.getxattr(target, "user.a", bytearray(4))
    assert ei.value.errno == errno.ERANGE
    assert ei.value.filename == str(target)


def test_getxattr_missing_attribute_is_enodata(target):
    with pytest.raises(OSError) as ei:
        L.getxattr(target, "user.missing")
    assert ei.value.errno == errno.ENODATA
    assert ei.value.filename == str(target)
    with pytest.raises(OSError) as oi:
        os.getxattr(target, "user.missing")
    assert type(ei.value) is type(oi.value)


def test_missing_file_is_enoent(xdir):
    missing = xdir / "missing"
    for call in (lambda: L.getxattr(missing, "user.a"),
                 lambda: L.lgetxattr(missing, "user.a"),
                 lambda: L.setxattr(missing, "user.a", b"1"),
                 lambda: L.listxattr(missing),
                 lambda: L.llistxattr(missing),
                 lambda: L.removexattr(missing, "user.a")):
        with pytest.raises(FileNotFoundError) as ei:
            call()
        assert ei.value.errno == errno.ENOENT
        assert ei.value.filename == str(missing)


def test_bad_arguments_raise_before_the_syscall(target):
    with pytest.raises(TypeError):
        L.setxattr(target, "user.a", "str is not bytes")
    with pytest.raises(TypeError):
        L.getxattr(target, "user.a", b"bytes is read-only")
    with pytest.raises(ValueError):
        L.getxattr(target, "user.a\0b")
    with pytest.raises(ValueError):
        L.setxattr(target, b"user\0a", b"1")
    with pytest.raises(TypeError):
        L.getxattr(target, 42)
    with pytest.raises(ValueError):
        L.setxattr(target, "user.a", b"1", "create|bogus")
    assert os.listxattr(target) == []


# ---- l variants: the symlink itself ---------------------------------------------------------

def test_l_variants_act_on_the_link_not_the_target(target, link):
    os.setxattr(target, "user.a", b"target")
    assert L.getxattr(link, "user.a") == b"target"  # followed
    assert "user.a" in L.listxattr(link)
    assert "user.a" not in L.llistxattr(link)
    assert sorted(L.llistxattr(link)) == sorted(os.listxattr(link, follow_symlinks=False))
    with pytest.raises(OSError) as ei:
        L.lgetxattr(link, "user.a")
    assert ei.value.errno == errno.ENODATA
    assert ei.value.filename == str(link)


def test_user_xattrs_on_a_symlink_are_refused(link):
    with pytest.raises(PermissionError) as ei:
        L.lsetxattr(link, "user.a", b"1")
    assert ei.value.errno == errno.EPERM
    assert ei.value.filename == str(link)
    with pytest.raises(PermissionError) as oi:
        os.setxattr(link, "user.a", b"1", follow_symlinks=False)
    assert str(ei.value) == str(oi.value)
    with pytest.raises(OSError) as ei:
        L.lremovexattr(link, "user.a")
    assert ei.value.errno in (errno.EPERM, errno.ENODATA)
    assert ei.value.filename == str(link)


def test_l_variants_on_a_regular_file(target):
    L.lsetxattr(target, "user.a", b"1")
    assert L.lgetxattr(target, "user.a") == b"1"
    buf = bytearray(1)
    assert L.lgetxattr(target, "user.a", buf) == 1 and buf == b"1"
    assert L.llistxattr(target) == os.listxattr(target)
    L.lremovexattr(target, "user.a")
    assert os.listxattr(target) == []


# ---- f variants: an open fd ---------------------------------------------------------------

def test_f_variants_on_an_fd(target):
    with L.open(target, L.O.RDONLY) as fd:
        L.fsetxattr(fd, "user.a", b"one")
        fd.fsetxattr(b"user.b", memoryview(b"two"))
        assert os.getxattr(fd.fd, "user.a") == b"one"
        assert L.fgetxattr(fd, "user.a") == b"one"
        assert fd.fgetxattr("user.b") == b"two"
        buf = bytearray(8)
        assert fd.fgetxattr("user.b", buf) == 3 and buf[:3] == b"two"
        names = fd.flistxattr()
        assert all(type(n) is str for n in names)
        assert sorted(names) == sorted(os.listxattr(fd.fd))
        assert L.flistxattr(fd.fd) == names
        fd.fremovexattr("user.a")
        L.fremovexattr(fd, "user.b")
        assert fd.flistxattr() == []
        with pytest.raises(OSError) as ei:
            fd.fgetxattr("user.a")
        assert ei.value.errno == errno.ENODATA
        assert ei.value.filename is None
        fd.fsetxattr("user.c", b"1", "create")
        with pytest.raises(FileExistsError):
            fd.fsetxattr("user.c", b"2", "create")
        assert os.getxattr(target, "user.c") == b"1"


def test_f_variants_on_a_closed_fd_are_ebadf(target):
    fd = L.open(target)
    fd.close()
    for call in (lambda: fd.fgetxattr("user.a"), lambda: fd.fsetxattr("user.a", b"1"),
                 lambda: fd.flistxattr(), lambda: fd.fremovexattr("user.a"),
                 lambda: L.fgetxattr(fd, "user.a", bytearray(4))):
        with pytest.raises(OSError) as ei:
            call()
        assert ei.value.errno == errno.EBADF
    assert os.listxattr(target) == []


def test_f_variant_on_a_bad_number_is_ebadf():
    with pytest.raises(OSError) as ei:
        L.flistxattr(10**6)
    assert ei.value.errno == errno.EBADF


# ---- the size race: the value grows between the size query and the read ----------------------

def _growing(real, grow):
    """Wrap a native helper so the attribute grows right after the first size query."""
    calls = []

    def fn(*args):
        r = real(*args)
        calls.append(args[-1])
        if len(calls) == 1:
            grow()
        return r
    return fn, calls


def test_getxattr_retries_when_the_value_grew(target, monkeypatch):
    import linuxsys.xattr as X
    os.setxattr(target, "user.a", b"short")
    fn, calls = _growing(X._getxattr, lambda: os.setxattr(target, "user.a", b"much longer"))
    monkeypatch.setattr(X, "_getxattr", fn)
    assert L.getxattr(target, "user.a") == b"much longer"
    assert calls == [0, 5, 0, 11]  # query, ERANGE, query again, read


def test_listxattr_retries_when_the_list_grew(target, monkeypatch):
    import linuxsys.xattr as X
    os.setxattr(target, "user.a", b"1")
    fn, calls = _growing(X._listxattr, lambda: os.setxattr(target, "user.longer", b"2"))
    monkeypatch.setattr(X, "_listxattr", fn)
    assert sorted(L.listxattr(target)) == ["user.a", "user.longer"]
    assert calls[0] == 0 and len(calls) == 4
