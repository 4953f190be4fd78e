"""linuxsys.bpf: bpf(2) raw and the map helpers, against the real kernel.

Maps are the smoke test (create, update, lookup, get_next_key, delete): no program is loaded
and nothing is attached, so nothing outside this process changes; every map goes away with
its Fd.  qemu-user has no bpf(2) (ENOSYS): those tests skip there."""
import errno
import os
import struct
import sys

import pytest

import linuxsys as L
from conftest import as_nobody, cloexec, qemu_may_lack, raises_errno, requires_root

pytestmark = requires_root()


def possible_cpus():
    with open("/sys/devices/system/cpu/possible") as f:
        return sum(int(hi) - int(lo) + 1 for lo, _, hi in
                   (p.partition("-") if "-" in p else (p, "-", p)
                    for p in f.read().strip().split(",")))


@pytest.fixture
def hash_map():
    with qemu_may_lack(L.bpf_map_create, L.BPF_MAP_TYPE.HASH, 4, 8, 16) as m:
        yield m


def u32(n):
    return n.to_bytes(4, sys.byteorder)


def test_map_create(hash_map):
    assert isinstance(hash_map, L.Fd) and cloexec(hash_map)
    assert os.readlink(f"/proc/self/fd/{hash_map.fd}") == "anon_inode:bpf-map"
    with open(f"/proc/self/fdinfo/{hash_map.fd}") as f:
        info = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
    assert int(info["map_type"]) == L.BPF_MAP_TYPE.HASH
    assert (int(info["key_size"]), int(info["value_size"]), int(info["max_entries"])) == (4, 8, 16)
    with L.bpf_map_create("array", 4, 4, 2, inheritable=True) as m:
        assert not cloexec(m)
    raises_errno(errno.EINVAL, L.bpf_map_create, L.BPF_MAP_TYPE.HASH, 0, 8, 16)  # no key
    raises_errno(errno.EINVAL, L.bpf_map_create, L.BPF_MAP_TYPE.HASH, 4, 8, 16, 1 << 31)
    with pytest.raises(OverflowError):
        L.bpf_map_create(L.BPF_MAP_TYPE.HASH, 1 << 32, 8, 16)
    with pytest.raises(TypeError):
        L.bpf_map_create(L.BPF_MAP_TYPE.HASH, 4, 8, 16, L.O.RDONLY)


def test_hash_map_elements(hash_map):
    m = hash_map
    assert L.bpf_map_get_next_key(m) is None  # empty
    L.bpf_map_update_elem(m, 1, 42)
    L.bpf_map_update_elem(m, u32(2), struct.pack("=q", -7), L.BPF_UPDATE.NOEXIST)
    m.bpf_map_update_elem(bytearray(u32(3)), memoryview(bytes(8)))
    assert L.bpf_map_lookup_elem(m, 1) == (42).to_bytes(8, sys.byteorder)
    assert m.bpf_map_lookup_elem(u32(2)) == struct.pack("=q", -7)
    raises_errno(errno.EEXIST, L.bpf_map_update_elem, m, 1, 0, L.BPF_UPDATE.NOEXIST)
    raises_errno(errno.ENOENT, L.bpf_map_update_elem, m, 9, 0, L.BPF_UPDATE.EXIST)
    L.bpf_map_update_elem(m, 1, 43, "exist")
    assert L.bpf_map_lookup_elem(m, 1)[0] == 43
    keys, k = [], None
    while (k := L.bpf_map_get_next_key(m, k)) is not None:
        keys.append(int.from_bytes(k, sys.byteorder))
    assert sorted(keys) == [1, 2, 3]
    assert L.bpf_map_get_next_key(m, 99) is not None  # a key not there: the first one
    L.bpf_map_delete_elem(m, 2)
    m.bpf_map_delete_elem(u32(3))
    raises_errno(errno.ENOENT, L.bpf_map_lookup_elem, m, 2)
    raises_errno(errno.ENOENT, L.bpf_map_delete_elem, m, 2)
    assert L.bpf_map_get_next_key(m) == u32(1)
    assert L.bpf_map_get_next_key(m, 1) is None


def test_elements_checked_before_the_call(hash_map):
    m = hash_map
    with pytest.raises(ValueError):
        L.bpf_map_lookup_elem(m, b"\0" * 8)  # the key is 4 bytes
    with pytest.raises(ValueError):
        L.bpf_map_update_elem(m, 1, b"\0" * 4)  # the value is 8
    with pytest.raises(OverflowError):
        L.bpf_map_update_elem(m, 1 << 32, 0)
    with pytest.raises(TypeError):
        L.bpf_map_lookup_elem(m, "1")
    with pytest.raises(TypeError):
        L.bpf_map_lookup_elem(m, 1.0)
    with pytest.raises(TypeError):
        L.bpf_map_update_elem(m, 1, 0, L.BPF_F.RDONLY)  # a map_flags member
    r, w = L.pipe()
    with r, w:
        os.write(w.fd, b"data")
        raises_errno(errno.EINVAL, L.bpf_map_lookup_elem, r, 1)  # before anything is read
        assert os.read(r.fd, 4) == b"data"
    m.close()
    with pytest.raises(L.ClosedFdError):
        L.bpf_map_lookup_elem(m, 1)


def test_array_and_percpu_maps():
    with qemu_may_lack(L.bpf_map_create, L.BPF_MAP_TYPE.ARRAY, 4, 4, 3) as a:
        assert L.bpf_map_lookup_elem(a, 2) == bytes(4)  # arrays hold every index, zeroed
        L.bpf_map_update_elem(a, 2, 7)
        assert L.bpf_map_lookup_elem(a, 2) == u32(7)
        raises_errno(errno.ENOENT, L.bpf_map_lookup_elem, a, 3)
        raises_errno(errno.E2BIG, L.bpf_map_update_elem, a, 3, 7)
        raises_errno(errno.EINVAL, L.bpf_map_delete_elem, a, 0)  # arrays cannot delete
    size = 8 * possible_cpus()  # a 4-byte value per CPU, each padded to 8
    with L.bpf_map_create(L.BPF_MAP_TYPE.PERCPU_ARRAY, 4, 4, 1) as p:
        assert L.bpf_map_lookup_elem(p, 0) == bytes(size)
        values = b"".join(struct.pack("=I4x", i + 1) for i in range(size // 8))
        L.bpf_map_update_elem(p, 0, values)
        assert L.bpf_map_lookup_elem(p, 0) == values
        with pytest.raises(ValueError):
            L.bpf_map_update_elem(p, 0, u32(1))


def _create_attr(map_type, key_size, value_size, max_entries):
    return bytearray(struct.pack("=5I", map_type, key_size, value_size, max_entries, 0)
                     + bytes(L.ffi.sizeof("union bpf_attr") - 20))


def test_raw_bpf():
    attr = _create_attr(L.BPF_MAP_TYPE.HASH, 4, 4, 8)
    with qemu_may_lack(L.bpf, L.BPF_CMD.MAP_CREATE, attr) as m:
        assert isinstance(m, L.Fd) and cloexec(m)
        L.bpf_map_update_elem(m, 5, 6)
        # BPF_MAP_LOOKUP_ELEM by hand: map_fd, key and value pointers (the union's layout)
        key, value = L.ffi.new("uint32_t *", 5), L.ffi.new("uint32_t *")
        attr = L.ffi.new("union bpf_attr *")
        L.ffi.memmove(attr, struct.pack("=IIQQ", m.fd, 0, int(L.ffi.cast("uintptr_t", key)),
                                        int(L.ffi.cast("uintptr_t", value))), 24)
        assert L.bpf("map_lookup_elem", attr) == 0 and value[0] == 6
        assert L.bpf(L.BPF_CMD.MAP_LOOKUP_ELEM, attr, 24) == 0  # a shorter size: zero-filled
    with L.bpf(L.BPF_CMD.MAP_CREATE, _create_attr(L.BPF_MAP_TYPE.HASH, 4, 4, 8),
               inheritable=True) as m:
        assert not cloexec(m)
    raises_errno(errno.EINVAL, L.bpf, 10**6, bytearray(16))  # an unknown command
    ba = bytearray(L.ffi.sizeof("union bpf_attr"))
    try:
        L.bpf(L.BPF_CMD.MAP_CREATE, ba)  # map type 0 (UNSPEC): EINVAL
    except OSError as e:
        err = e
    assert err.errno == errno.EINVAL
    ba.extend(b"x")  # the view was released before the raise
    with pytest.raises(ValueError):
        L.bpf(L.BPF_CMD.MAP_CREATE, bytearray(8), 9)
    with pytest.raises(TypeError):
        L.bpf(L.BPF_CMD.MAP_CREATE, bytes(16))  # the kernel may write into attr
    with pytest.raises(TypeError):
        L.bpf(L.BPF_MAP_TYPE.HASH, bytearray(16))


def test_unprivileged():
    qemu_may_lack(L.bpf_map_create, L.BPF_MAP_TYPE.HASH, 4, 4, 1).close()  # (skips in the parent)
    with open("/proc/sys/kernel/unprivileged_bpf_disabled") as f:
        disabled = int(f.read())

    def child():
        if disabled:
            raises_errno(errno.EPERM, L.bpf_map_create, L.BPF_MAP_TYPE.HASH, 4, 4, 1)
        else:
            L.bpf_map_create(L.BPF_MAP_TYPE.HASH, 4, 4, 1).close()
    assert as_nobody(child) == 0
