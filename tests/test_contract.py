"""CONTRACT §1/§2 rules that live in the core (fd.py, _core.py, flags.py): closed Fds, one
owner, writable buffers, namespaces.  Family modules test their own functions."""
import copy
import errno
import gc
import os
import pickle
import selectors
import signal

import pytest

import linuxsys as L
from linuxsys import _core, flags


def test_closed_fd_error_is_oserror_ebadf_and_valueerror(tmp_path):
    fd = L.open(tmp_path, "directory")
    fd.close()
    with pytest.raises(L.ClosedFdError) as ei:
        fd.fileno()
    assert isinstance(ei.value, OSError) and isinstance(ei.value, ValueError)
    assert ei.value.errno == errno.EBADF
    with pytest.raises(L.ClosedFdError):
        L.fstat(fd)
    with pytest.raises(ValueError):  # what selectors/asyncio catch for a closed file object
        fd.fstat()


def test_selectors_unregister_a_closed_fd_as_a_closed_file():
    r, w = L.pipe()
    with selectors.DefaultSelector() as sel:
        sel.register(r, selectors.EVENT_READ)
        r.close()
        sel.unregister(r)  # the selector knows it by the object; fileno() raises ValueError
        assert not sel.get_map()
    w.close()


@pytest.mark.parametrize("dup", [copy.copy, copy.deepcopy, pickle.dumps],
                         ids=["copy", "deepcopy", "pickle"])
def test_fd_has_one_owner(dup):
    r, w = L.pipe()
    with r, w:
        with pytest.raises(TypeError, match="an Fd"):
            dup(r)
        if dup is not copy.copy:  # a shallow copy of a list shares the Fd: fine
            with pytest.raises(TypeError):
                dup([w])
    assert r.closed and w.closed


def test_a_temporary_fd_lives_through_the_call(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"abc")
    gc.collect()
    assert L.fstat(L.open(p)).st_size == 3  # the Fd's only reference is the argument


def test_writable_refuses_views_it_cannot_judge():
    b = bytes(16)
    with pytest.raises(TypeError, match="from_buffer"):
        L.getrandom(L.ffi.from_buffer(b))
    assert b == bytes(16)
    owned = L.ffi.new("char[16]")
    assert L.getrandom(owned) == 16  # linuxsys's own cdata is writable
    with pytest.raises(TypeError):
        _core.writable(b"x")
    with pytest.raises(TypeError):
        _core.writable(memoryview(bytearray(4)).toreadonly())
    with pytest.raises(BufferError):  # not C-contiguous: one rule for reads and writes
        _core.writable(memoryview(bytearray(8))[::2])
    with pytest.raises(BufferError):
        _core.view(memoryview(bytearray(8))[::2])


def test_release_leaves_the_callers_objects_alone():
    ba = bytearray(8)
    v = _core.writable(ba)
    _core.release(v, ba)
    ba.extend(b"x")  # no longer exported
    owned = L.ffi.new("char[4]")
    _core.release(_core.writable(owned), owned)
    owned[0] = b"a"  # the caller's cdata is not freed


def test_read_size():
    assert _core.read_size(0) == 0
    with pytest.raises(ValueError):
        _core.read_size(-1)
    with pytest.raises(OverflowError):
        _core.read_size(2**63 - 1)
    with pytest.raises(TypeError):
        _core.read_size(1.0)


def test_namespace_members_have_no_prefix():
    assert L.E.NOENT == errno.ENOENT and L.E.ENOENT is L.E.NOENT  # the alias errno users type
    assert L.E.NOENT.name == "NOENT"
    assert L.E["E2BIG"] == errno.E2BIG  # would not be an identifier without its prefix
    assert L.SIG.INT == signal.SIGINT and L.SIG.SIGINT is L.SIG.INT
    assert L.SIG.INT.name == "INT"
    assert (L.OK.R, L.OK.W, L.OK.X, L.OK.F) == (os.R_OK, os.W_OK, os.X_OK, os.F_OK)
    assert L.O.RDONLY == os.O_RDONLY


def test_every_member_has_a_flat_name():
    assert L.MEMBARRIER_CMD_QUERY == 0
    assert L.PER_LINUX == 0
    flat = {n for n in vars(L) if n[:1].isupper()}
    missing = []
    for line in L.ffi.string(_core.lib.ls_namespaces()).decode().splitlines():
        _, _, _, *names = line.split()
        for n in names:
            n = n.lstrip("=")
            n = n[3:] if n.startswith("LS_") else n
            if n not in flat:
                missing.append(n)
    assert not missing


def test_wrong_namespace_member_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="not a O flag"):
        L.open(tmp_path / "x", L.IN.MODIFY)
    assert not (tmp_path / "x").exists()
    assert flags.to_int(signal.SIGTERM, L.SIG) == signal.SIGTERM  # foreign enums are ints
    assert flags.to_int(L.O.RDONLY | L.O.CLOEXEC, L.O) == os.O_RDONLY | os.O_CLOEXEC
    with pytest.raises(ValueError, match="unknown O flag"):
        flags.to_int("rdonly|bogus", L.O)


def test_raw_syscall_number_is_range_checked():
    with pytest.raises(OverflowError):
        L.syscall(2**40)  # would truncate to 0 (read) on the way to the kernel
    with pytest.raises(OverflowError):
        L.syscall(-1)
    assert L.syscall(L.SYS.getpid) == os.getpid()


def test_namespace_names_as_the_module_and_the_stubs_take_them():
    from linuxsys.flags import flat_name, namespace_names
    assert flat_name("LS_PER_LINUX") == "PER_LINUX" and flat_name("O_RDONLY") == "O_RDONLY"
    members, attrs = namespace_names("flag+alias", "MS_", ["MS_RDONLY", "LS_MS_X", "=MS_MGC"])
    assert members == [("RDONLY", "MS_RDONLY"), ("LS_MS_X", "LS_MS_X"),
                       ("MS_RDONLY", "MS_RDONLY")]
    assert attrs == [("MGC", "MS_MGC")]
    assert namespace_names("enum", "E", ["E2BIG"]) == ([("E2BIG", "E2BIG")], [])  # no identifier
    assert namespace_names("enum", "*_OK", ["R_OK"]) == ([("R", "R_OK")], [])
