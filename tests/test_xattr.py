"""xattr: get/set/list/remove by path, on a symlink (l), and on an fd (f); os as the oracle."""
import errno
import gc
import inspect
import os
import pathlib
import tempfile

import pytest

import linuxsys as L
from conftest import child_ok, qemu_may_lack, raises_errno

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


# ---- issue 7: fd lifetime, buffer views, names, namespaces --------------------------------------

def _temporary_fd_call(fn, path, *rest):
    """fn(L.open(path), ...) with the Fd referenced by the callee's frame alone (a plain call
    moves its arguments there; a ``*args`` call would keep them alive in a tuple)."""
    if len(rest) == 0:
        return fn(L.open(path))
    if len(rest) == 1:
        return fn(L.open(path), rest[0])
    return fn(L.open(path), rest[0], rest[1])


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # the temporary Fd is collected after
def test_a_temporary_fd_lives_through_the_call(target):
    gc.collect()
    assert _temporary_fd_call(L.fsetxattr, target, "user.a", b"1") is None
    assert _temporary_fd_call(L.fgetxattr, target, "user.a") == b"1"
    assert _temporary_fd_call(L.fgetxattr, target, "user.a", bytearray(4)) == 1
    assert _temporary_fd_call(L.flistxattr, target) == ["user.a"]
    assert _temporary_fd_call(L.fremovexattr, target, "user.a") is None
    assert os.listxattr(target) == []


def _kept_error(fn, *args):
    try:
        fn(*args)
    except OSError as e:
        return e  # kept, with the traceback's frames, as callers keep exceptions
    raise AssertionError(f"{fn.__name__} did not raise")


def test_failed_calls_release_the_callers_buffer(target, link):
    os.setxattr(target, "user.big", b"x" * 8)
    with L.open(target) as fd:
        cases = [(L.getxattr, (target, "user.missing"), errno.ENODATA),
                 (L.getxattr, (target, "user.big"), errno.ERANGE),
                 (L.lgetxattr, (link, "user.big"), errno.ENODATA),
                 (L.fgetxattr, (fd, "user.big"), errno.ERANGE),
                 (L.fgetxattr, (10**6, "user.big"), errno.EBADF),
                 (L.setxattr, (target, "user.big"), errno.EEXIST),
                 (L.lsetxattr, (link, "user.a"), errno.EPERM),
                 (L.fsetxattr, (fd, "user.big"), errno.EEXIST)]
        for fn, args, code in cases:
            ba = bytearray(1)
            extra = (ba, L.XATTR.CREATE) if "set" in fn.__name__ else (ba,)
            err = _kept_error(fn, *args, *extra)
            assert err.errno == code, fn
            ba.extend(b"x")  # BufferError while a view made for the call is still exported
            del err


def test_kept_errors_with_memoryviews_do_not_crash_the_collector(target):
    # A view left exported in a raising frame: the cycle collector clears the memoryview
    # while it is exported and the interpreter dies (SIGSEGV) -- hence the child.
    os.setxattr(target, "user.big", b"x" * 32)

    def loop():
        def once(fn, *args):
            try:
                fn(*args)
            except OSError as e:
                err = e  # noqa: F841 -- a frame <-> traceback cycle holding the view
        for _ in range(300):
            once(L.getxattr, str(target), "user.big", memoryview(bytearray(16)))
            once(L.setxattr, str(target), "user.big", memoryview(bytearray(16)), "create")
        gc.collect()
    child_ok(loop)


def test_from_buffer_views_are_refused_as_writable_targets(target):
    os.setxattr(target, "user.a", b"value")
    b = bytes(16)
    with L.open(target) as fd:
        for call in (lambda v: L.getxattr(target, "user.a", v),
                     lambda v: L.lgetxattr(target, "user.a", v),
                     lambda v: L.fgetxattr(fd, "user.a", v)):
            with pytest.raises(TypeError, match="from_buffer"):
                call(L.ffi.from_buffer(b))
            with pytest.raises(BufferError):
                call(memoryview(bytearray(32))[::2])
    assert b == bytes(16)
    owned = L.ffi.new("char[16]")
    assert L.getxattr(target, "user.a", owned) == 5 and L.ffi.unpack(owned, 5) == b"value"
    L.setxattr(target, "user.b", L.ffi.from_buffer(b"read"))  # fine for the kernel to read
    assert os.getxattr(target, "user.b") == b"read"


def test_sizes_come_from_the_buffer(target):
    os.setxattr(target, "user.a", b"value")
    guard = bytearray(b"\xa5" * 32)
    assert L.getxattr(target, "user.a", memoryview(guard)[4:9]) == 5
    assert guard == b"\xa5" * 4 + b"value" + b"\xa5" * 23
    with pytest.raises(OSError) as ei:
        L.getxattr(target, "user.a", memoryview(guard)[20:24])
    assert ei.value.errno == errno.ERANGE and guard[20:] == b"\xa5" * 12
    L.setxattr(target, "user.b", memoryview(b"0123456789")[2:5])
    assert os.getxattr(target, "user.b") == b"234"


def test_parameters_are_named_as_in_the_man_page():
    import linuxsys.xattr as X
    for name in X.__all__:
        for param in inspect.signature(getattr(X, name)).parameters:
            assert not param.endswith("_"), (name, param)


def test_keyword_calls_read_like_the_man_page(target):
    L.setxattr(path=target, name="user.a", value=b"1", flags=L.XATTR.CREATE)
    L.lsetxattr(path=target, name="user.b", value=b"2", flags=0)
    assert L.getxattr(path=target, name="user.a") == b"1"
    buf = bytearray(4)
    assert L.lgetxattr(path=target, name="user.b", buf=buf) == 1
    assert sorted(L.listxattr(path=target)) == sorted(L.llistxattr(path=target))
    L.removexattr(path=target, name="user.a")
    L.lremovexattr(path=target, name="user.b")
    with L.open(target) as fd:
        L.fsetxattr(fd=fd, name="user.c", value=b"3", flags="create")
        assert L.fgetxattr(fd=fd, name="user.c", buf=buf) == 1 and buf[:1] == b"3"
        assert L.flistxattr(fd=fd) == ["user.c"]
        L.fremovexattr(fd=fd, name="user.c")
    assert os.listxattr(target) == []


def test_a_member_of_another_namespace_is_a_type_error(target):
    with L.open(target) as fd:
        for call in (lambda: L.setxattr(target, "user.a", b"1", L.RENAME.NOREPLACE),
                     lambda: L.lsetxattr(target, "user.a", b"1", L.O.CREAT),
                     lambda: L.fsetxattr(fd, "user.a", b"1", L.AT.EMPTY_PATH)):
            with pytest.raises(TypeError):
                call()
    assert os.listxattr(target) == []


# ---- the plain syscalls: declared in cdefs/xattr.h, generated into linuxsys._sys_xattr ---------

def test_remove_calls_are_generated_declarations():
    from linuxsys import _sys_xattr
    import linuxsys.xattr as X
    assert _sys_xattr.__all__ == ["removexattr", "lremovexattr", "fremovexattr"]
    for name in _sys_xattr.__all__:
        fn = getattr(L, name)
        assert fn is getattr(X, name) and fn.__module__ == "linuxsys._sys_xattr", name
        assert f"(man 2 {name})" in fn.__doc__, name
        params = list(inspect.signature(fn).parameters)
        assert params == (["fd", "name"] if name[0] == "f" else ["path", "name"]), name
    assert L.Fd.fremovexattr is L.fremovexattr
    assert len(set(X.__all__)) == len(X.__all__) == 16


def test_remove_errors_name_the_file_not_the_attribute(target, link):
    # The attribute name converts like a path (str/bytes/PathLike, NUL refused) but is no
    # filename of the error, as with os.removexattr.
    for fn, where in ((L.removexattr, target), (L.lremovexattr, target)):
        with pytest.raises(OSError) as ei:
            fn(where, "user.missing")
        assert ei.value.errno == errno.ENODATA
        assert (ei.value.filename, ei.value.filename2) == (str(where), None)
        with pytest.raises(OSError) as oi:
            os.removexattr(where, "user.missing")
        assert str(ei.value) == str(oi.value)
    with L.open(target) as fd:
        with pytest.raises(OSError) as ei:
            L.fremovexattr(fd, b"user.missing")
    assert ei.value.errno == errno.ENODATA and ei.value.filename is None
    for bad in ("user.a\0b", b"user\0"):
        with pytest.raises(ValueError):
            L.removexattr(target, bad)
    with pytest.raises(TypeError):
        L.removexattr(target, 42)


def test_remove_calls_retry_eintr_and_raise_unsupported(target, monkeypatch):
    from linuxsys import _sys_xattr
    os.setxattr(target, "user.a", b"1")
    real, calls = _sys_xattr._removexattr, []

    def interrupted_once(*args):
        calls.append(args)
        return -errno.EINTR if len(calls) == 1 else real(*args)
    monkeypatch.setattr(_sys_xattr, "_removexattr", interrupted_once)
    L.removexattr(target, "user.a")
    assert len(calls) == 2 and os.listxattr(target) == []
    monkeypatch.setattr(_sys_xattr, "_lremovexattr", lambda *args: -errno.ENOSYS)
    with pytest.raises(L.UnsupportedError) as ei:
        L.lremovexattr(target, "user.a")
    assert ei.value.syscall == "lremovexattr" and ei.value.filename == str(target)


# ---- the *at forms (Linux 6.13) ------------------------------------------------------------

@pytest.fixture
def xdirfd(xdir, target, link):
    with L.open(xdir, L.O.DIRECTORY) as fd:
        try:
            qemu_may_lack(L.listxattrat, fd, "file")
        except OSError as e:
            if e.errno != errno.EOPNOTSUPP:
                raise
            pytest.skip(f"{xdir}: no xattrs on this filesystem")
        yield fd


def test_xattrat_calls_against_os(target, xdirfd):
    L.setxattrat(xdirfd, "file", "user.a", b"alpha")
    L.setxattrat(xdirfd, b"file", b"user.b", bytearray(b"\0beta\0"), L.XATTR.CREATE)
    L.setxattrat(xdirfd, "file", "user.empty", b"")
    assert os.getxattr(target, "user.a") == b"alpha"
    assert os.getxattr(target, "user.b") == b"\0beta\0"
    os.setxattr(target, "user.c", b"x" * 3000)
    assert L.getxattrat(xdirfd, "file", "user.c") == b"x" * 3000
    assert L.getxattrat(xdirfd, "file", "user.empty") == b""
    buf = bytearray(8)
    assert L.getxattrat(xdirfd, "file", "user.a", buf) == 5 and buf[:5] == b"alpha"
    names = L.listxattrat(xdirfd, "file")
    assert sorted(names) == sorted(os.listxattr(target)) and type(names[0]) is str
    assert sorted(L.listxattrat(xdirfd, b"file")) == sorted(map(os.fsencode, names))
    L.removexattrat(xdirfd, "file", "user.a")
    assert "user.a" not in os.listxattr(target)
    # absolute paths ignore dirfd, as every *at call
    assert L.getxattrat(L.AT.FDCWD, target, "user.b") == b"\0beta\0"


def test_xattrat_at_flags(target, link, xdirfd):
    os.setxattr(target, "user.a", b"1")
    assert L.getxattrat(xdirfd, "link", "user.a") == b"1"  # follows the symlink
    assert L.listxattrat(xdirfd, "link") == os.listxattr(target)
    e = raises_errno(errno.ENODATA, L.getxattrat, xdirfd, "link", "user.a", None,
                     L.AT.SYMLINK_NOFOLLOW)
    assert e.filename == "link"
    assert (L.listxattrat(xdirfd, "link", "symlink_nofollow")
            == os.listxattr(link, follow_symlinks=False))
    with L.open(target) as fd:  # EMPTY_PATH: dirfd itself, as the f forms
        fd.setxattrat("", "user.b", b"2", at_flags=L.AT.EMPTY_PATH)
        assert fd.getxattrat("", "user.b", at_flags=L.AT.EMPTY_PATH) == b"2"
        assert sorted(fd.listxattrat("", L.AT.EMPTY_PATH)) == ["user.a", "user.b"]
        fd.removexattrat("", "user.b", L.AT.EMPTY_PATH)
        raises_errno(errno.ENOENT, fd.getxattrat, "", "user.a")  # "" without EMPTY_PATH
    raises_errno(errno.EINVAL, L.listxattrat, xdirfd, "file", L.AT.REMOVEDIR)
    with pytest.raises(TypeError):  # another namespace's member
        L.setxattrat(xdirfd, "file", "user.c", b"3", L.XATTR.CREATE, L.O.CREAT)


def test_xattrat_errors(xdir, target, xdirfd):
    os.setxattr(target, "user.a", b"alpha")
    raises_errno(errno.ENODATA, L.getxattrat, xdirfd, "file", "user.missing")
    raises_errno(errno.ENODATA, L.removexattrat, xdirfd, "file", "user.missing")
    raises_errno(errno.ENOENT, L.listxattrat, xdirfd, "missing")
    raises_errno(errno.EEXIST, L.setxattrat, xdirfd, "file", "user.a", b"x", L.XATTR.CREATE)
    raises_errno(errno.ENODATA, L.setxattrat, xdirfd, "file", "user.b", b"x", "replace")
    ba = bytearray(2)
    raises_errno(errno.ERANGE, L.getxattrat, xdirfd, "file", "user.a", ba)
    ba.extend(b"x")  # the view made for the call was released before the raise
    value = bytearray(b"v")
    raises_errno(errno.ENOENT, L.setxattrat, xdirfd, "missing", "user.a", value)
    value.extend(b"x")
    raises_errno(errno.EBADF, L.getxattrat, 10**6, "file", "user.a")  # relative: dirfd used
    with pytest.raises(TypeError):
        L.getxattrat(xdirfd, "file", "user.a", b"read-only")
    with pytest.raises(ValueError):
        L.setxattrat(xdirfd, "file", "user.a\0", b"x")
