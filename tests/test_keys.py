"""Kernel key management (linuxsys/keys.py) against the real kernel.

Every test that makes or changes a key runs in a child that first joins a fresh anonymous
session keyring (keyctl_join_session_keyring(None)), so nothing touches the machine's
keyrings: the keys die with the child's keyring.  /proc/keys (the keys this process may
view) is the oracle."""
import array
import errno
import os

import pytest

import linuxsys as L
from conftest import EMULATED, in_child, raises_errno

_UNSUPPORTED = 77


def in_keyring(fn):
    """Run fn(ring) in a child whose session keyring is a new anonymous one, ``ring``; skip
    under qemu-user if it lacks keyctl."""
    def body():
        try:
            ring = L.keyctl_join_session_keyring(None)
        except L.UnsupportedError:
            os._exit(_UNSUPPORTED)
        fn(ring)
    code = in_child(body)
    if code == _UNSUPPORTED and EMULATED:
        pytest.skip("qemu-user lacks keyctl")
    assert code == 0


def proc_keys(serial):
    """/proc/keys's row for serial: [serial, flags, usage, expiry, perm, uid, gid, type,
    description...], or None."""
    with open("/proc/keys") as f:
        for line in f:
            fields = line.split()
            if int(fields[0], 16) == serial:
                return fields
    return None


def test_user_key_lifecycle():
    def run(ring):
        assert L.keyctl_get_keyring_id(L.KEY_SPEC.SESSION_KEYRING) == ring
        assert L.keyctl_describe(ring).startswith("keyring;")
        key = L.add_key("user", "linuxsys:test", b"secret", L.KEY_SPEC.SESSION_KEYRING)
        assert key > 0 and proc_keys(key)[7:9] == ["user", "linuxsys:test:"]
        kind, uid, gid, perm, desc = L.keyctl_describe(key).split(";", 4)
        assert (kind, int(uid), int(gid), desc) == ("user", os.getuid(), os.getgid(),
                                                    "linuxsys:test")
        assert perm == proc_keys(key)[4]
        assert L.keyctl_read(key) == b"secret"
        assert array.array("i", L.keyctl_read(ring)).tolist() == [key]
        # the same type and description again: an update of the same key
        assert L.add_key("user", b"linuxsys:test", bytearray(b"again"), ring) == key
        L.keyctl_update(key, memoryview(b"x" * 3000))  # larger than the first read's size
        assert L.keyctl_read(key) == b"x" * 3000
        assert L.keyctl_search(ring, "user", "linuxsys:test") == key
        assert L.request_key("user", "linuxsys:test") == key
        raises_errno(errno.ENOKEY, L.keyctl_search, ring, "user", "linuxsys:none")
        raises_errno(errno.ENOKEY, L.request_key, "user", "linuxsys:none")
        L.keyctl_setperm(key, 0x3F3F0000)
        assert L.keyctl_describe(key).split(";")[3] == "3f3f0000"
        L.keyctl_chown(key, -1, -1)
        L.keyctl_revoke(key)
        raises_errno(errno.EKEYREVOKED, L.keyctl_read, key)
        raises_errno(errno.EKEYREVOKED, L.keyctl_update, key, b"y")
    in_keyring(run)


def test_link_unlink_clear_invalidate_timeout():
    def run(ring):
        sub = L.add_key("keyring", "linuxsys:ring", None, ring)
        key = L.add_key("user", "linuxsys:k", b"v", sub)
        assert L.keyctl_search(ring, "user", "linuxsys:k") == key    # found through sub
        L.keyctl_link(key, ring)
        assert sorted(array.array("i", L.keyctl_read(ring))) == sorted([sub, key])
        L.keyctl_unlink(key, ring)
        raises_errno(errno.ENOENT, L.keyctl_unlink, key, ring)
        assert array.array("i", L.keyctl_read(sub)).tolist() == [key]
        L.keyctl_clear(sub)
        assert L.keyctl_read(sub) == b""
        key = L.add_key("user", "linuxsys:t", b"v", ring)
        assert proc_keys(key)[3] == "perm"
        L.keyctl_set_timeout(key, 100)
        assert proc_keys(key)[3].endswith(("s", "m"))  # "99s", "1m" ...
        L.keyctl_set_timeout(key, 0)
        assert proc_keys(key)[3] == "perm"
        L.keyctl_setperm(key, 0x3F3F0000)  # readable unpossessed: then ENOKEY, not EACCES
        L.keyctl_invalidate(key)
        raises_errno(errno.ENOKEY, L.keyctl_read, key)
        raises_errno(errno.ENOKEY, L.keyctl_describe, 0x7FFFFFF0)
    in_keyring(run)


def test_raw_keyctl_and_reqkey_default():
    def run(ring):
        key = L.add_key("user", "linuxsys:raw", b"payload", ring)
        want = L.keyctl_describe(key).encode() + b"\0"
        assert L.keyctl(L.KEYCTL.DESCRIBE, key, None, 0) == len(want)
        buf = bytearray(b"." * 8)
        assert L.keyctl("describe", key, buf, len(buf)) == len(want)  # the whole length,
        assert buf == b"." * 8                                       # written only if it fits
        big = bytearray(100)
        assert L.keyctl("describe", key, big, len(big)) == len(want) and big.startswith(want)
        assert L.keyctl(L.KEYCTL.GET_KEYRING_ID, L.KEY_SPEC.SESSION_KEYRING) == ring
        old = L.keyctl_set_reqkey_keyring(L.KEY_REQKEY_DEFL.NO_CHANGE)
        assert L.keyctl_set_reqkey_keyring(L.KEY_REQKEY_DEFL.SESSION_KEYRING) == old
        assert L.keyctl_set_reqkey_keyring("no_change") == L.KEY_REQKEY_DEFL.SESSION_KEYRING
        try:
            L.keyctl(L.KEYCTL.READ, -99, buf, 8)
        except OSError as e:
            err = e
        assert err.errno == errno.ENOKEY
        buf.extend(b"x")  # the view was released before the raise
        named = L.keyctl_join_session_keyring(f"linuxsys-test-{os.getpid()}")
        assert named != ring and L.keyctl_describe("session_keyring").endswith(
            f";linuxsys-test-{os.getpid()}")
    in_keyring(run)


def test_key_errors():
    def run(ring):
        raises_errno(errno.ENODEV, L.add_key, "linuxsys_no_such_type", "d", b"", ring)
        raises_errno(errno.EINVAL, L.add_key, "", "d", b"", ring)             # a bad type
        raises_errno(errno.EPERM, L.add_key, ".hidden", "d", b"", ring)
        raises_errno(errno.EINVAL, L.add_key, "user", "d", b"", 0)           # no keyring
        user = L.add_key("user", "linuxsys:u", b"s", ring)
        raises_errno(errno.EINVAL, L.keyctl_update, user, b"x" * 5000)      # past a page
        raises_errno(errno.EOPNOTSUPP, L.keyctl_update, ring, b"x")         # a keyring
        raises_errno(errno.EOPNOTSUPP, L.keyctl_read,
                     L.add_key("logon", "linuxsys:l", b"s", ring))          # unreadable type
        raises_errno(errno.EOPNOTSUPP, L.keyctl, 9999)                   # no such operation
    in_keyring(run)


def test_key_argument_errors():
    """Refused before any syscall (so safe in this process)."""
    with pytest.raises(ValueError):
        L.keyctl_describe("no_such_keyring")
    with pytest.raises(TypeError):
        L.keyctl_describe(L.IPC.CREAT)                  # another namespace's member
    with pytest.raises(ValueError):
        L.add_key("user", "a\0b", b"", L.KEY_SPEC.SESSION_KEYRING)
    with pytest.raises(TypeError):
        L.add_key("user", None, b"", L.KEY_SPEC.SESSION_KEYRING)
    with pytest.raises(TypeError):
        L.add_key("user", "d", "str payload", L.KEY_SPEC.SESSION_KEYRING)
    with pytest.raises(OverflowError):
        L.keyctl_set_timeout(L.KEY_SPEC.SESSION_KEYRING, -1)
    with pytest.raises(OverflowError):
        L.keyctl_describe(1 << 31)
    with pytest.raises(OverflowError):
        L.keyctl(L.KEYCTL.DESCRIBE, 1 << 64)
    with pytest.raises(TypeError):
        L.keyctl(L.KEYCTL.DESCRIBE, "session")


def test_key_namespaces():
    assert L.KEY_SPEC.SESSION_KEYRING == L.KEY_SPEC_SESSION_KEYRING == -3
    assert L.KEYCTL.DESCRIBE == L.KEYCTL_DESCRIBE and L.KEYCTL["READ"] == L.KEYCTL_READ
    assert L.KEY_REQKEY_DEFL.DEFAULT == 0
