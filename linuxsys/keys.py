"""keys: the kernel's key retention service (man 2 add_key, request_key, keyctl; man 7 keyrings).

Keys and keyrings are named by serials (positive ints) or the special ids of ``KEY_SPEC``
(``KEY_SPEC.SESSION_KEYRING`` ...).  ``keyctl(operation, ...)`` is the raw call (UNSAFE, as
``syscall``); the common operations have helpers named as libkeyutils' C functions::

    ring = L.keyctl_join_session_keyring(None)      # a fresh anonymous session keyring
    key = L.add_key("user", "my:token", b"secret", L.KEY_SPEC.SESSION_KEYRING)
    L.keyctl_read(key)                              # b"secret"
    L.keyctl_describe(key)                          # "user;0;0;3f010000;my:token"

Keyrings outlive the process that made them (the user keyrings are shared by every process of
the uid): try new keys in a session keyring of your own, as above, in a child process.
Errors: ENOKEY (a key that does not exist), EKEYREVOKED, EKEYEXPIRED, EACCES (the key's
permissions), ENODEV (an unknown key type), EDQUOT (the uid's key quota) as OSError.
"""
from __future__ import annotations

from typing import Any, Optional, Union

from ._core import U32, Buffer, PathArg, call, decode, ffi, id_arg, in_range, lib, nbytes, \
    path, readable, release, view
from ._core import c_int as _c_int
from .flags import FlagArg, to_int
from .raw import _word  # syscall()'s register conversion: the raw keyctl takes the same

from ._consts import KEY_SPEC, KEY_REQKEY_DEFL, KEYCTL

_add_key = lib.ls_add_key
_request_key = lib.ls_request_key
_keyctl = lib.ls_keyctl

_cast = ffi.cast
_new = ffi.new
_NULL = ffi.NULL
_KEYCTL_GET_KEYRING_ID = lib.KEYCTL_GET_KEYRING_ID
_KEYCTL_JOIN_SESSION_KEYRING = lib.KEYCTL_JOIN_SESSION_KEYRING
_KEYCTL_UPDATE = lib.KEYCTL_UPDATE
_KEYCTL_REVOKE = lib.KEYCTL_REVOKE
_KEYCTL_CHOWN = lib.KEYCTL_CHOWN
_KEYCTL_SETPERM = lib.KEYCTL_SETPERM
_KEYCTL_DESCRIBE = lib.KEYCTL_DESCRIBE
_KEYCTL_CLEAR = lib.KEYCTL_CLEAR
_KEYCTL_LINK = lib.KEYCTL_LINK
_KEYCTL_UNLINK = lib.KEYCTL_UNLINK
_KEYCTL_SEARCH = lib.KEYCTL_SEARCH
_KEYCTL_READ = lib.KEYCTL_READ
_KEYCTL_SET_REQKEY_KEYRING = lib.KEYCTL_SET_REQKEY_KEYRING
_KEYCTL_SET_TIMEOUT = lib.KEYCTL_SET_TIMEOUT
_KEYCTL_INVALIDATE = lib.KEYCTL_INVALIDATE

KeyArg = Union[int, FlagArg]  # a serial, or a KEY_SPEC member or name


def _id(key: KeyArg, what: str) -> int:
    """A key serial or KEY_SPEC id, as the kernel's key_serial_t (int32)."""
    return _c_int(to_int(key, KEY_SPEC), what)


def _str(value: Optional[PathArg], what: str) -> bytes:
    """A type, description or keyring name: str/bytes without NUL (as a path is converted)."""
    if value is None:
        raise TypeError(f"{what} must be str or bytes, not None")
    return path(value)


def _ptr(data: Any) -> int:
    """A pointer as keyctl's long argument."""
    return int(_cast("long", data))


def add_key(type: PathArg, description: PathArg, payload: Optional[Buffer],
            keyring: KeyArg) -> int:
    """Make a key of ``type`` ("user", "logon", "keyring" ...) with ``description`` and
    ``payload`` (None: none, as a keyring takes), linked into ``keyring`` (a serial or
    KEY_SPEC id), or update the key of that type and description already linked there;
    return its serial (man 2 add_key).

    https://man7.org/linux/man-pages/man2/add_key.2.html

    Raises:
        PermissionError: ``keyring`` may not be written by this process (EACCES); a type or
            keyring name starting with "." (EPERM).
        OSError: ENODEV for an unknown type, EINVAL for a payload the type refuses (or a "logon"
            description without a "service:" prefix, a type past 31 bytes, a description past
            4095), ENOKEY for a ``keyring`` that does not exist, EKEYREVOKED, EKEYEXPIRED,
            EDQUOT when the uid's key quota is spent, ENOMEM, the subclass os raises for any
            other errno (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``type`` or ``description`` is no str or bytes, ``payload`` no bytes-like
            object or None, ``keyring`` not an int, KEY_SPEC member or name string (before
            any call).
        BufferError: ``payload`` is not C-contiguous (before any call).
        ValueError: a NUL in ``type`` or ``description``, an unknown KEY_SPEC name (before
            any call).
        OverflowError: ``keyring`` beyond a C int (before any call).
    """
    t = _str(type, "type")
    d = _str(description, "description")
    ring = _id(keyring, "keyring")
    if payload is None:
        return call(_add_key, "add_key", t, d, _NULL, 0, ring)
    data = readable(payload)
    try:
        size = len(data) if isinstance(data, bytes) else nbytes(data)  # `type` is a parameter
        return call(_add_key, "add_key", t, d, data, size, ring)
    finally:
        release(data, payload)


def request_key(type: PathArg, description: PathArg, callout_info: Optional[PathArg] = None,
                dest_keyring: KeyArg = 0) -> int:
    """Find the key of ``type`` and ``description`` in the process's keyrings (man 2
    request_key); with ``callout_info`` the kernel may make it by running /sbin/request-key.
    Found or made, it is linked into ``dest_keyring`` (0: the default of
    KEYCTL_SET_REQKEY_KEYRING).

    https://man7.org/linux/man-pages/man2/request_key.2.html

    Raises:
        PermissionError: ``dest_keyring`` may not be written by this process (EACCES); a
            type starting with "." (EPERM).
        OSError: ENOKEY if there is none (and none was made), EKEYREJECTED when making it
            failed, EKEYREVOKED/EKEYEXPIRED for a key found so with no replacement, EINVAL for a
            type, description or ``callout_info`` too long, EDQUOT, ENOMEM, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``type``, ``description`` or ``callout_info`` is no str or bytes (or None
            for ``callout_info``), ``dest_keyring`` not an int, KEY_SPEC member or name
            string (before any call).
        ValueError: a NUL in a string, an unknown KEY_SPEC name (before any call).
        OverflowError: ``dest_keyring`` beyond a C int (before any call).
    """
    t = _str(type, "type")
    d = _str(description, "description")
    info = _NULL if callout_info is None else _str(callout_info, "callout_info")
    return call(_request_key, "request_key", t, d, info, _id(dest_keyring, "dest_keyring"))


KeyctlArg = Union[int, None, Buffer]


def keyctl(operation: FlagArg, arg2: KeyctlArg = 0, arg3: KeyctlArg = 0, arg4: KeyctlArg = 0,
           arg5: KeyctlArg = 0) -> int:
    """The raw keyctl(2): ``operation`` a ``KEYCTL`` member or name; UNSAFE, as syscall().

    Arguments as syscall() takes them: ints (register-sized, negative ones such as KEY_SPEC
    ids as they are), None (NULL), bytes-like objects (the address of their data, which the
    kernel may write into, past its end for a wrong length).  Nothing checks their meaning:
    use the keyctl_* helpers, which do.  Returns the result; EINTR is retried.

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: the key's permissions do not allow the operation (EACCES), or one
            that needs privilege (EPERM).
        OSError: EINVAL for an unknown operation or bad arguments, ENOKEY, EKEYREVOKED,
            EKEYEXPIRED, EOPNOTSUPP, EDQUOT ..., the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``operation`` is not an int, KEYCTL member or name string, or an argument
            is a str or no int, None or bytes-like object (before any call).
        ValueError: an unknown KEYCTL name (before any call).
        OverflowError: ``operation`` beyond a C int, an int argument beyond a register
            (before any call).
    """
    op = _c_int(to_int(operation, KEYCTL), "operation")
    views: list[Any] = []
    try:
        words = [_word(a, views) for a in (arg2, arg3, arg4, arg5)]
        return call(_keyctl, "keyctl", op, *words)
    finally:
        for v in views:  # released before anything raises: a live view pins the caller's buffer
            release(v, None)


def _read(operation: int, name: str, key: int) -> bytes:
    """DESCRIBE, READ, GET_SECURITY: the kernel answers the whole length whatever the buffer
    holds, so ask it first, then read into a buffer that large, again if it grew meanwhile
    (as libkeyutils' keyctl_read_alloc)."""
    size = call(_keyctl, name, operation, key, 0, 0, 0)
    while True:
        buf = _new("char[]", size or 1)
        n = call(_keyctl, name, operation, key, _ptr(buf), size, 0)
        if n <= size:
            data: bytes = ffi.buffer(buf, n)[:]
            return data
        size = n


def keyctl_describe(key: KeyArg) -> str:
    """The key's "type;uid;gid;perm;description" (man 3 keyctl_describe; KEYCTL_DESCRIBE),
    perm in hex.

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: the key grants no view permission to this process (EACCES).
        OSError: ENOKEY for a key that does not exist, EKEYREVOKED, EKEYEXPIRED, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``key`` is not an int, KEY_SPEC member or name string (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` beyond a C int (before any call).
    """
    raw = _read(_KEYCTL_DESCRIBE, "keyctl_describe", _id(key, "key"))
    return decode(raw[:-1] if raw.endswith(b"\0") else raw)


def keyctl_read(key: KeyArg) -> bytes:
    """The key's payload (man 3 keyctl_read; KEYCTL_READ): a keyring's is its keys' serials,
    int32 each in the machine's byte order (``array.array("i", data)``).

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: the key grants no read permission to this process (and is not
            searchable from its keyrings) (EACCES).
        OSError: EOPNOTSUPP for a type that cannot be read ("logon"), ENOKEY for a key that does
            not exist, EKEYREVOKED, EKEYEXPIRED, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``key`` is not an int, KEY_SPEC member or name string (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` beyond a C int (before any call).
    """
    return _read(_KEYCTL_READ, "keyctl_read", _id(key, "key"))


def keyctl_update(key: KeyArg, payload: Optional[Buffer]) -> None:
    """Replace the key's payload (man 3 keyctl_update; KEYCTL_UPDATE).

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: the key grants no write permission to this process (EACCES).
        OSError: EOPNOTSUPP for a type that cannot be updated (a keyring), EINVAL for a payload
            the type refuses, ENOKEY for a key that does not exist, EKEYREVOKED, EKEYEXPIRED,
            EDQUOT, the subclass os raises for any other errno (UnsupportedError for ENOSYS: no
            CONFIG_KEYS).
        TypeError: ``payload`` is no bytes-like object or None, ``key`` not an int, KEY_SPEC
            member or name string (before any call).
        BufferError: ``payload`` is not C-contiguous (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` beyond a C int (before any call).
    """
    k = _id(key, "key")
    if payload is None:
        call(_keyctl, "keyctl_update", _KEYCTL_UPDATE, k, 0, 0, 0)
        return
    data = view(payload)
    try:
        call(_keyctl, "keyctl_update", _KEYCTL_UPDATE, k, _ptr(data), nbytes(data), 0)
    finally:
        release(data, payload)


def keyctl_revoke(key: KeyArg) -> None:
    """Revoke the key: using it raises EKEYREVOKED from now on (man 3 keyctl_revoke).

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: the key grants no write or setattr permission to this process
            (EACCES).
        OSError: ENOKEY for a key that does not exist, EKEYREVOKED, EKEYEXPIRED, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``key`` is not an int, KEY_SPEC member or name string (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` beyond a C int (before any call).
    """
    call(_keyctl, "keyctl_revoke", _KEYCTL_REVOKE, _id(key, "key"), 0, 0, 0)


def keyctl_invalidate(key: KeyArg) -> None:
    """Invalidate the key: it is unlinked everywhere and soon gone (man 3
    keyctl_invalidate).

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: the key grants no search permission to this process (EACCES).
        OSError: ENOKEY for a key that does not exist, EKEYREVOKED, EKEYEXPIRED, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``key`` is not an int, KEY_SPEC member or name string (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` beyond a C int (before any call).
    """
    call(_keyctl, "keyctl_invalidate", _KEYCTL_INVALIDATE, _id(key, "key"), 0, 0, 0)


def keyctl_link(key: KeyArg, keyring: KeyArg) -> None:
    """Link the key into ``keyring`` (man 3 keyctl_link).

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: the key grants no link permission, or ``keyring`` no write
            permission, to this process (EACCES).
        NotADirectoryError: ``keyring`` is no keyring (ENOTDIR).
        OSError: EDEADLK for a link that would make a cycle, ELOOP past the keyrings' nesting
            depth, EDQUOT, ENOKEY for a key that does not exist, EKEYREVOKED, EKEYEXPIRED, the
            subclass os raises for any other errno (UnsupportedError for ENOSYS: no
            CONFIG_KEYS).
        TypeError: ``key`` or ``keyring`` is not an int, KEY_SPEC member or name string
            (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` or ``keyring`` beyond a C int (before any call).
    """
    call(_keyctl, "keyctl_link", _KEYCTL_LINK, _id(key, "key"), _id(keyring, "keyring"), 0, 0)


def keyctl_unlink(key: KeyArg, keyring: KeyArg) -> None:
    """Unlink the key from ``keyring`` (man 3 keyctl_unlink).

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        FileNotFoundError: the key is not linked in ``keyring`` (ENOENT).
        PermissionError: ``keyring`` grants no write permission to this process (EACCES).
        NotADirectoryError: ``keyring`` is no keyring (ENOTDIR).
        OSError: ENOKEY for a key that does not exist, EKEYREVOKED, EKEYEXPIRED, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``key`` or ``keyring`` is not an int, KEY_SPEC member or name string
            (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` or ``keyring`` beyond a C int (before any call).
    """
    call(_keyctl, "keyctl_unlink", _KEYCTL_UNLINK, _id(key, "key"), _id(keyring, "keyring"),
         0, 0)


def keyctl_search(keyring: KeyArg, type: PathArg, description: PathArg,
                  destination: KeyArg = 0) -> int:
    """The serial of the key of ``type`` and ``description`` found in ``keyring`` or the
    keyrings it links (man 3 keyctl_search), linked into ``destination`` unless 0.

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: ``keyring`` grants no search permission, or ``destination`` no write
            permission, to this process (EACCES).
        NotADirectoryError: ``keyring`` is no keyring (ENOTDIR).
        OSError: ENOKEY if there is none (or ``keyring`` does not exist), EKEYREVOKED,
            EKEYEXPIRED, EINVAL for a type or description too long, the subclass os raises for
            any other errno (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``type`` or ``description`` is no str or bytes, a key argument not an
            int, KEY_SPEC member or name string (before any call).
        ValueError: a NUL in ``type`` or ``description``, an unknown KEY_SPEC name (before
            any call).
        OverflowError: ``keyring`` or ``destination`` beyond a C int (before any call).
    """
    ring = _id(keyring, "keyring")
    t = _new("char[]", _str(type, "type"))  # NUL-terminated, kept alive through the call
    d = _new("char[]", _str(description, "description"))
    dest = _id(destination, "destination")
    return call(_keyctl, "keyctl_search", _KEYCTL_SEARCH, ring, _ptr(t), _ptr(d), dest)


def keyctl_set_timeout(key: KeyArg, timeout: int) -> None:
    """Expire the key ``timeout`` seconds from now (0: never) (man 3 keyctl_set_timeout);
    an expired key raises EKEYEXPIRED.

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: the key grants no setattr permission to this process (EACCES).
        OSError: ENOKEY for a key that does not exist, EKEYREVOKED, EKEYEXPIRED, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``key`` is not an int, KEY_SPEC member or name string, ``timeout`` not an
            int (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` beyond a C int, ``timeout`` outside 0..2**32-1 (before any
            call).
    """
    call(_keyctl, "keyctl_set_timeout", _KEYCTL_SET_TIMEOUT, _id(key, "key"),
         _long_u32(in_range(timeout, "timeout", 0, U32)), 0, 0)


def _long_u32(v: int) -> int:
    """An unsigned int argument in keyctl's long (negative on 32-bit arches past 2**31)."""
    return v - (1 << 32) if v >= 1 << 31 and ffi.sizeof("long") == 4 else v


def keyctl_get_keyring_id(key: KeyArg, create: bool = False) -> int:
    """The serial of a keyring named by a KEY_SPEC id (man 3 keyctl_get_keyring_ID); made
    if missing with ``create``.

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: the keyring grants no search permission to this process (EACCES).
        OSError: ENOKEY for a keyring that does not exist (without ``create``), EINVAL for an
            unknown special id, EKEYREVOKED, EKEYEXPIRED, EDQUOT, the subclass os raises for any
            other errno (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``key`` is not an int, KEY_SPEC member or name string (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` beyond a C int (before any call).
    """
    return call(_keyctl, "keyctl_get_keyring_id", _KEYCTL_GET_KEYRING_ID, _id(key, "key"),
                1 if create else 0, 0, 0)


def keyctl_join_session_keyring(name: Optional[PathArg] = None) -> int:
    """Join the session keyring ``name`` (made if missing), or a new anonymous one for None;
    return its serial (man 3 keyctl_join_session_keyring).  It replaces the calling thread
    group's session keyring for good.

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: the keyring ``name`` exists but grants no search permission to this
            process (EACCES); a name starting with "." (EPERM).
        OSError: EDQUOT when the uid's key quota is spent, EINVAL for a name too long, ENOMEM,
            the subclass os raises for any other errno (UnsupportedError for ENOSYS: no
            CONFIG_KEYS).
        TypeError: ``name`` is no str, bytes or None (before any call).
        ValueError: a NUL in ``name`` (before any call).
    """
    if name is None:
        return call(_keyctl, "keyctl_join_session_keyring", _KEYCTL_JOIN_SESSION_KEYRING,
                    0, 0, 0, 0)
    n = _new("char[]", _str(name, "name"))
    return call(_keyctl, "keyctl_join_session_keyring", _KEYCTL_JOIN_SESSION_KEYRING,
                _ptr(n), 0, 0, 0)


def keyctl_clear(keyring: KeyArg) -> None:
    """Unlink every key of ``keyring`` (man 3 keyctl_clear).

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: ``keyring`` grants no write permission to this process (EACCES).
        NotADirectoryError: ``keyring`` is no keyring (ENOTDIR).
        OSError: ENOKEY for a key that does not exist, EKEYREVOKED, EKEYEXPIRED, the subclass os
            raises for any other errno (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``keyring`` is not an int, KEY_SPEC member or name string (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``keyring`` beyond a C int (before any call).
    """
    call(_keyctl, "keyctl_clear", _KEYCTL_CLEAR, _id(keyring, "keyring"), 0, 0, 0)


def keyctl_setperm(key: KeyArg, perm: int) -> None:
    """Set the key's permission mask (man 3 keyctl_setperm: possessor, user, group and other
    bytes, high to low, of view/read/write/search/link/setattr bits).

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: this process is not the key's owner, nor has CAP_SYS_ADMIN, or the
            key grants no setattr permission (EACCES).
        OSError: EINVAL for an unknown permission bit, ENOKEY for a key that does not exist,
            EKEYREVOKED, EKEYEXPIRED, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``key`` is not an int, KEY_SPEC member or name string, ``perm`` not an int
            (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` beyond a C int, ``perm`` outside 0..2**32-1 (before any call).
    """
    call(_keyctl, "keyctl_setperm", _KEYCTL_SETPERM, _id(key, "key"),
         _long_u32(in_range(perm, "perm", 0, U32)), 0, 0)


def keyctl_chown(key: KeyArg, uid: int, gid: int) -> None:
    """Set the key's owner and group (man 3 keyctl_chown; -1: leave it).

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        PermissionError: changing the owner, or a group this process is not in, without
            CAP_SYS_ADMIN, or a key that grants no setattr permission (EACCES).
        OSError: EDQUOT when the new owner's key quota is spent, ENOKEY for a key that does not
            exist, EKEYREVOKED, EKEYEXPIRED, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``key`` is not an int, KEY_SPEC member or name string, ``uid``/``gid``
            not an int (before any call).
        ValueError: an unknown KEY_SPEC name (before any call).
        OverflowError: ``key`` beyond a C int, ``uid``/``gid`` outside -1..2**32-2 (before
            any call).
    """
    call(_keyctl, "keyctl_chown", _KEYCTL_CHOWN, _id(key, "key"),
         _long_u32(id_arg(uid, "uid")), _long_u32(id_arg(gid, "gid")), 0)


def keyctl_set_reqkey_keyring(reqkey_defl: FlagArg) -> int:
    """Set where request_key puts the keys it makes (a ``KEY_REQKEY_DEFL`` member; NO_CHANGE
    only asks); return the previous setting (man 3 keyctl_set_reqkey_keyring).

    https://man7.org/linux/man-pages/man2/keyctl.2.html

    Raises:
        OSError: EINVAL for an unknown setting, the subclass os raises for any other errno
            (UnsupportedError for ENOSYS: no CONFIG_KEYS).
        TypeError: ``reqkey_defl`` is not an int, KEY_REQKEY_DEFL member or name string
            (before any call).
        ValueError: an unknown KEY_REQKEY_DEFL name (before any call).
        OverflowError: ``reqkey_defl`` beyond a C int (before any call).
    """
    return call(_keyctl, "keyctl_set_reqkey_keyring", _KEYCTL_SET_REQKEY_KEYRING,
                _c_int(to_int(reqkey_defl, KEY_REQKEY_DEFL), "reqkey_defl"), 0, 0, 0)


__all__ = ["add_key", "request_key", "keyctl", "keyctl_describe", "keyctl_read",
           "keyctl_update", "keyctl_revoke", "keyctl_invalidate", "keyctl_link",
           "keyctl_unlink", "keyctl_search", "keyctl_set_timeout", "keyctl_get_keyring_id",
           "keyctl_join_session_keyring", "keyctl_clear", "keyctl_setperm", "keyctl_chown",
           "keyctl_set_reqkey_keyring"]
