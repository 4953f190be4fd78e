"""netlink: messages, attributes and an rtnetlink client (man 7 netlink, man 7 rtnetlink).

::

    from linuxsys import netlink as NL

    NL.link_add("v0", "veth", peer="v1")
    NL.addr_add("v0", "10.1.0.1/24")
    NL.link_set("v0", state="up")
    [l.name for l in NL.links()]

**Core**: ``Netlink(protocol, groups)`` is a bound ``AF_NETLINK`` socket (the kernel picks its
port id) with ``NETLINK_EXT_ACK`` and ``NETLINK_GET_STRICT_CHK`` on where the kernel has them.
``request()`` sends one message and waits for its ack: a kernel error raises the ``OSError``
subclass of its errno whose message carries the kernel's extended-ack text ("Invalid prefix
for given prefix length" ...).  ``dump()`` collects every part of a multipart reply up to
``NLMSG_DONE`` and starts again when the kernel says the dump was interrupted
(``NLM_F_DUMP_INTR``).  Datagrams are received whole: a reply larger than the buffer grows it,
never cut.  Received messages and attributes are walked in C; a length that reaches past its
buffer or is shorter than its header raises ``ValueError``.  Every layout (``nlmsghdr``,
``ifinfomsg``, ``ifaddrmsg``, ``rtmsg``, ``ndmsg``, ``genlmsghdr``, ``rtnl_link_stats64``) and
constant comes from the headers; attributes are padded to ``NLA_ALIGNTO``.

**rtnetlink helpers** (``links``, ``link_add``, ``addr_add``, ``routes``, ``route_add``,
``neighbours``, ``monitor`` ...) each open their socket when called, so they act in the calling
thread's network namespace at that moment (after a ``setns``, the new one).  Interfaces are
named or given by index; an unknown name raises ``OSError`` ENODEV with the name.

Namespaces: ``NLM_F``, ``NLMSG``, ``NETLINK_OPT`` (socket options), ``NLMSGERR_ATTR``, ``RTM``,
``RTNLGRP``, ``IFLA``, ``IFLA_INFO``, ``IFF``, ``IF_OPER``, ``IFA``, ``IFA_F``, ``RTA``,
``RTN``, ``RTPROT``, ``RT_SCOPE``, ``RT_TABLE``, ``NDA``, ``NUD``, ``MACVLAN_MODE``,
``CTRL_CMD``, ``CTRL_ATTR``, ``CTRL_ATTR_MCAST_GRP``.
"""
from __future__ import annotations

import builtins
import itertools
from collections import deque
import os
import socket as _socket
import sys
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Optional, TypeVar, Union

from ._core import STRERROR, U32, ffi, in_range, lib
from .fd import Fd, fdnum
from .flags import NAMESPACES, FlagArg, to_int
from . import net

from ._consts import IFF, RTNLGRP, MACVLAN_MODE

_new = ffi.new
_buffer = ffi.buffer
_unpack = ffi.unpack
_sizeof = ffi.sizeof

_HDRLEN = _sizeof("struct nlmsghdr")
_NLA_HDRLEN = _sizeof("struct nlattr")
_ALIGN = lib.NLMSG_ALIGNTO
_NLA_ALIGN = lib.NLA_ALIGNTO
_NLMSG_ROW = lib.LS_NLMSG_ROW
_NLA_ROW = lib.LS_NLA_ROW
_ERR_SIZE = _sizeof("struct nlmsgerr")
_NLA_F_NESTED = lib.NLA_F_NESTED
_F_REQUEST = lib.NLM_F_REQUEST
_F_ACK = lib.NLM_F_ACK
_F_DUMP = lib.NLM_F_DUMP
_F_DUMP_INTR = lib.NLM_F_DUMP_INTR
_F_CREATE = lib.NLM_F_CREATE
_F_EXCL = lib.NLM_F_EXCL
_F_REPLACE = lib.NLM_F_REPLACE
_F_CAPPED = lib.NLM_F_CAPPED
_NLMSG_ERROR = lib.NLMSG_ERROR
_NLMSG_DONE = lib.NLMSG_DONE
_NLMSG_NOOP = lib.NLMSG_NOOP
_SOL_NETLINK = lib.SOL_NETLINK
_BYTEORDER = sys.byteorder

# The family header of each rtnetlink message type (genetlink families: genlmsghdr).
_HEADERS: dict[int, str] = {}
for _t, _h in (("LINK", "ifinfomsg"), ("ADDR", "ifaddrmsg"), ("ROUTE", "rtmsg"),
               ("NEIGH", "ndmsg")):
    for _op in ("NEW", "DEL", "GET"):
        _HEADERS[getattr(lib, f"RTM_{_op}{_t}")] = f"struct {_h}"


def _align(n: int, to: int = _ALIGN) -> int:
    return (n + to - 1) & ~(to - 1)


# ---- attributes ------------------------------------------------------------------------------

def nla(type: int, payload: Union[bytes, str, int, "list[bytes]"], size: int = 4) -> bytes:
    """One attribute: ``payload`` bytes as they are, a str NUL-terminated, an int as an
    unsigned native-endian integer of ``size`` bytes, a list of attributes nested
    (``NLA_F_NESTED``).  Padded to NLA_ALIGNTO.

    https://man7.org/linux/man-pages/man7/netlink.7.html

    Raises:
        OverflowError: an int ``payload`` negative or past ``size`` bytes, a ``type`` or an
            attribute length past 16 bits.
        TypeError: a ``payload`` that is none of those forms (a list of other than bytes).
    """
    if isinstance(payload, str):
        data = payload.encode() + b"\0"
    elif isinstance(payload, int):
        data = payload.to_bytes(size, _BYTEORDER)
    elif isinstance(payload, list):
        data = b"".join(payload)
        type |= _NLA_F_NESTED
    else:
        data = bytes(payload)
    hdr = _new("struct nlattr *", {"nla_len": _NLA_HDRLEN + len(data), "nla_type": type})
    return bytes(_buffer(hdr)) + data + bytes(_align(len(data), _NLA_ALIGN) - len(data))


# Row buffers of ls_nla_rows, pooled (a payload of more attributes gets its own).
_ROWS_CAP = 1024
_rows_pool: deque[Any] = deque()
_rows_pop = _rows_pool.pop
_rows_push = _rows_pool.append


class Attrs:
    """The attributes of a payload (a read-only mapping of type to the first one's bytes):
    ``attrs[IFLA.IFNAME]``, ``get``, ``all(type)`` for repeated ones, and decoders ``u8``,
    ``u16``, ``u32``, ``u64``, ``str``, ``nested`` (Attrs).  Raises ValueError for a malformed
    attribute (a length past the payload, or shorter than its header)."""

    __slots__ = ("_data", "_index", "_rows")

    def __init__(self, data: bytes, start: int = 0, length: Optional[int] = None) -> None:
        end = len(data) if length is None else start + length
        if not 0 <= start <= end <= len(data):
            raise ValueError("attributes past the end of their message")
        self._data = data
        count = (end - start) // _NLA_HDRLEN
        try:
            rows = _rows_pop() if count <= _ROWS_CAP else _new("int64_t[]", _NLA_ROW * count)
        except IndexError:
            rows = _new("int64_t[]", _NLA_ROW * _ROWS_CAP)
        try:
            n = lib.ls_nla_rows(data, start, end - start, rows, count)
            flat = _unpack(rows, _NLA_ROW * max(n, 0))
        finally:
            if count <= _ROWS_CAP:
                _rows_push(rows)
        if n < 0:
            raise ValueError("malformed netlink attribute (a length past its message)")
        self._rows = flat
        # type -> (offset, length) of its first attribute: built reversed, so the first wins
        self._index = dict(zip(flat[-3::-3], zip(flat[-2::-3], flat[-1::-3])))

    def __contains__(self, type: object) -> bool:
        return type in self._index

    def __getitem__(self, type: int) -> bytes:
        at, n = self._index[type]
        return self._data[at:at + n]

    def get(self, type: int, default: Any = None) -> Any:
        return self[type] if type in self._index else default

    def all(self, type: int) -> list[bytes]:
        rows = self._rows
        return [self._data[rows[i + 1]:rows[i + 1] + rows[i + 2]]
                for i in range(0, len(rows), _NLA_ROW) if rows[i] == type]

    def types(self) -> list[int]:
        return list(self._index)

    def _int(self, type: int, size: int, default: Any) -> Any:
        if type not in self._index:
            return default
        raw = self[type]
        if len(raw) < size:
            raise ValueError(f"attribute {type}: {len(raw)} bytes, not {size}")
        return int.from_bytes(raw[:size], _BYTEORDER)

    def u8(self, type: int, default: Any = None) -> Any:
        return self._int(type, 1, default)

    def u16(self, type: int, default: Any = None) -> Any:
        return self._int(type, 2, default)

    def u32(self, type: int, default: Any = None) -> Any:
        return self._int(type, 4, default)

    def u64(self, type: int, default: Any = None) -> Any:
        return self._int(type, 8, default)

    def str(self, type: int, default: Any = None) -> Any:
        if type not in self._index:
            return default
        return self[type].split(b"\0", 1)[0].decode("utf-8", "surrogateescape")

    def nested(self, type: int) -> "Attrs":
        at, n = self._index.get(type, (0, 0))
        return Attrs(self._data, at, n)

    def __repr__(self) -> builtins.str:  # (``str`` in the class body is the method above)
        return f"<Attrs {sorted(self._index)}>"


class Message(NamedTuple):
    """A received netlink message: its header's fields, its family header (a cffi struct
    copy, None for a type without one) and its attributes."""
    type: int
    flags: int
    seq: int
    pid: int
    header: Any
    attrs: Attrs


def parse(data: bytes, headers: Optional[Mapping[int, str]] = None) -> list[Message]:
    """The messages of one received datagram.  ``headers`` maps a message type to its family
    header's C type (rtnetlink's by default).  ``NLMSG_ERROR`` messages get their struct
    nlmsgerr as header and the extended-ack attributes (``NLMSGERR_ATTR``) as attrs;
    ``NLMSG_DONE`` its error code (an int) as header.

    https://man7.org/linux/man-pages/man7/netlink.7.html

    Raises:
        ValueError: a malformed message (a length past its datagram or shorter than its header, a
            message shorter than its family header).
        TypeError: ``data`` is not bytes.
    """
    kinds = _HEADERS if headers is None else headers
    count = len(data) // _HDRLEN
    rows = _new("int64_t[]", _NLMSG_ROW * max(count, 1))
    n = lib.ls_nlmsg_rows(data, len(data), rows, count)
    if n < 0:
        raise ValueError("malformed netlink message (a length past its datagram)")
    flat = _unpack(rows, _NLMSG_ROW * n)
    out: list[Message] = []
    for i in range(0, len(flat), _NLMSG_ROW):
        type, flags, seq, pid, at, length = flat[i:i + _NLMSG_ROW]
        end = at + length
        header: Any = None
        if type == _NLMSG_ERROR:
            header = _struct("struct nlmsgerr", data, at, length, type)
            # the TLVs follow the request's header (NLM_F_CAPPED) or the whole request
            at += _ERR_SIZE + (0 if flags & _F_CAPPED else
                               max(header.msg.nlmsg_len - _HDRLEN, 0))
        elif type == _NLMSG_DONE:
            header = int.from_bytes(data[at:at + 4], _BYTEORDER, signed=True) if length >= 4 else 0
            at += 4
        elif type in kinds:
            ctype = kinds[type]
            header = _struct(ctype, data, at, length, type)
            at += _align(_sizeof(ctype))
        at = min(at, end)
        out.append(Message(type, flags, seq, pid, header, Attrs(data, at, end - at)))
    return out


def _struct(ctype: str, data: bytes, at: int, length: int, type: int) -> Any:
    size = _sizeof(ctype)
    if length < size:
        raise ValueError(f"message type {type}: {length} bytes, shorter than its {ctype}")
    header = _new(ctype + " *")
    ffi.memmove(header, data[at:at + size], size)
    return header


# ---- the socket ------------------------------------------------------------------------------

class Netlink:
    """A netlink socket (man 7 netlink) of ``protocol`` (a ``NETLINK`` member), bound with a
    kernel-chosen port id and subscribed to the multicast ``groups`` bitmask."""

    def __init__(self, protocol: FlagArg = lib.NETLINK_ROUTE, groups: int = 0) -> None:
        self.protocol = to_int(protocol, NAMESPACES["NETLINK"])
        self.fd: Fd = net.socket(lib.AF_NETLINK, lib.SOCK_RAW, self.protocol)
        try:
            for opt in ("NETLINK_EXT_ACK", "NETLINK_GET_STRICT_CHK"):
                if hasattr(lib, opt):
                    try:
                        net.setsockopt(self.fd, _SOL_NETLINK, getattr(lib, opt), 1)
                    except OSError:
                        pass  # a kernel before 4.12 / 4.20: plain errors, looser dumps
            net.bind(self.fd, (0, groups))
            self.port = net.getsockname(self.fd)[0]
        except BaseException:
            self.fd.close()
            raise
        self._seq = itertools.count(1)
        self._buf = bytearray(65536)
        self._peek = bytearray(1)

    def close(self) -> None:
        self.fd.close()

    def __enter__(self) -> "Netlink":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def fileno(self) -> int:
        return self.fd.fileno()

    @property
    def closed(self) -> bool:
        return self.fd.closed

    def add_membership(self, group: FlagArg) -> None:
        """Join multicast group ``group`` (an ``RTNLGRP`` member for rtnetlink).

        https://man7.org/linux/man-pages/man7/netlink.7.html

        Raises:
            OSError: EINVAL (a group the protocol does not have), EPERM ...
            ValueError: an unknown ``RTNLGRP`` name.
            ClosedFdError: the socket is closed.
        """
        net.setsockopt(self.fd, _SOL_NETLINK, lib.NETLINK_ADD_MEMBERSHIP, _group(group))

    def drop_membership(self, group: FlagArg) -> None:
        net.setsockopt(self.fd, _SOL_NETLINK, lib.NETLINK_DROP_MEMBERSHIP, _group(group))

    def send(self, type: int, flags: int, header: Any = None, attrs: Iterable[bytes] = ()
             ) -> int:
        """Send one message to the kernel; return its sequence number.  An rtnetlink message
        without ``header`` gets its family's header zeroed (ifinfomsg for RTM_GETLINK ...).

        https://man7.org/linux/man-pages/man7/netlink.7.html

        Raises:
            OSError: ENOBUFS, EMSGSIZE ... of sendto(2) (BlockingIOError on a nonblocking socket
                with no room).
            ValueError: a ``type`` outside NLMSG_MIN_TYPE..65535 (the kernel would answer nothing).
            OverflowError: ``flags`` outside 0..65535.
            ClosedFdError: the socket is closed.
        """
        if (not isinstance(type, int)  # pyright: ignore[reportUnnecessaryIsInstance]: a caller's
                or not lib.NLMSG_MIN_TYPE <= type <= 0xFFFF):
            # the kernel answers nothing to its control types: a wait for ever
            raise ValueError(f"a request's type is {lib.NLMSG_MIN_TYPE}..65535, not {type!r}")
        flags = in_range(flags, "flags", 0, 0xFFFF)
        if header is None and self.protocol == lib.NETLINK_ROUTE and type in _HEADERS:
            header = _new(_HEADERS[type] + " *")  # zeroed: rtnetlink drops a message without
        body = (bytes(_buffer(header)) if header is not None else b"")
        body += bytes(_align(len(body)) - len(body)) + b"".join(attrs)
        seq = next(self._seq) & 0xFFFFFFFF
        hdr = _new("struct nlmsghdr *", {"nlmsg_len": _HDRLEN + len(body), "nlmsg_type": type,
                                         "nlmsg_flags": flags, "nlmsg_seq": seq})
        net.sendto(self.fd, bytes(_buffer(hdr)) + body, (0, 0))
        return seq

    def recv(self, flags: int = 0) -> list[Message]:
        """The messages of the next datagram (events, replies): waits on a blocking socket.
        A datagram larger than the buffer grows it first (MSG_PEEK|MSG_TRUNC): never cut.

        https://man7.org/linux/man-pages/man7/netlink.7.html

        Raises:
            BlockingIOError: a nonblocking socket with nothing pending (EAGAIN).
            OSError: ENOBUFS (the socket's receive buffer overran: messages were lost) ...
            ValueError: a malformed message (a length past its datagram), an unknown ``MSG`` name.
            ClosedFdError: the socket is closed.
        """
        flags = to_int(flags, NAMESPACES["MSG"])
        size = net.recv_into(self.fd, self._peek, flags | lib.MSG_PEEK | lib.MSG_TRUNC)
        if size > len(self._buf):
            self._buf = bytearray(_align(size, 4096))
        n = net.recv_into(self.fd, self._buf, flags)
        return parse(bytes(self._buf[:n]), self._headers())

    def _headers(self) -> Optional[Mapping[int, str]]:
        if self.protocol == lib.NETLINK_ROUTE:
            return None
        return _GENL_HEADERS if self.protocol == lib.NETLINK_GENERIC else {}

    def read_events(self) -> list["Event"]:
        """The rtnetlink events of the next datagram (a ``monitor()`` socket): ``Event(kind,
        action, obj)`` with kind ``"link"``, ``"addr"``, ``"route"`` or ``"neigh"`` and action
        ``"new"`` or ``"del"``.  Waits on a blocking socket (``linuxsys.aio.netlink_events``
        reads them on a loop).

        https://man7.org/linux/man-pages/man7/rtnetlink.7.html

        Raises:
            BlockingIOError: a nonblocking socket with none pending (EAGAIN).
            OSError: ENOBUFS (the socket's receive buffer overran: events were lost) ...
            ValueError: a malformed message.
            ClosedFdError: the socket is closed.
        """
        return [ev for ev in map(_event, self.recv()) if ev is not None]

    def events(self) -> Iterator["Event"]:
        """read_events(), one event at a time, for ever (a blocking socket)."""
        while True:
            yield from self.read_events()

    def _replies(self, seq: int) -> Iterator[Message]:
        """The replies to request ``seq`` up to its ack or NLMSG_DONE (events and strays
        skipped); the error an ack or a DONE carries is raised."""
        while True:
            for m in self.recv():
                if m.seq != seq:
                    continue  # an event, or a reply to an abandoned request
                if m.type == _NLMSG_ERROR:
                    _check(m.header.error, m.attrs)
                    return
                if m.type == _NLMSG_DONE:
                    _check(m.header, m.attrs)
                    return
                if m.type != _NLMSG_NOOP:
                    yield m

    def request(self, type: int, header: Any = None, attrs: Iterable[bytes] = (),
                flags: int = 0) -> list[Message]:
        """Send a request (``NLM_F_REQUEST|NLM_F_ACK|flags``) and return the replies that
        came before its ack.

        https://man7.org/linux/man-pages/man7/netlink.7.html

        Raises:
            OSError: the subclass of the errno the kernel answered (FileExistsError for EEXIST ...),
                its message the kernel's extended-ack text.
            ValueError: a ``type`` outside NLMSG_MIN_TYPE..65535, a malformed reply.
            OverflowError: ``flags`` outside 0..65535.
            ClosedFdError: the socket is closed.
        """
        seq = self.send(type, _F_REQUEST | _F_ACK | flags, header, attrs)
        return list(self._replies(seq))

    def dump(self, type: int, header: Any = None, attrs: Iterable[bytes] = ()) -> list[Message]:
        """Every message of a dump (``NLM_F_DUMP``) to ``NLMSG_DONE``; started again when the
        kernel marks it interrupted (``NLM_F_DUMP_INTR``: a change during the dump).

        https://man7.org/linux/man-pages/man7/netlink.7.html

        Raises:
            OSError: the subclass of the errno the kernel answered, its message the kernel's
                extended-ack text.
            ValueError: a ``type`` outside NLMSG_MIN_TYPE..65535, a malformed reply.
            ClosedFdError: the socket is closed.
        """
        attrs = list(attrs)
        while True:
            # NLM_F_ACK too: a dump the kernel starts ends with NLMSG_DONE (no ack), but one it
            # ignores (rtnetlink drops a message without its family header) is acked, not
            # waited for for ever.
            seq = self.send(type, _F_REQUEST | _F_DUMP | _F_ACK, header, attrs)
            out = list(self._replies(seq))
            if not any(m.flags & _F_DUMP_INTR for m in out):
                return out


def _group(group: FlagArg) -> int:
    if isinstance(group, str):
        return to_int(group, RTNLGRP)
    return int(group)


def _check(code: int, attrs: Attrs) -> None:
    """Raise the OSError of a negative errno ``code`` (0: success), with the kernel's
    extended-ack text when it gave one."""
    if code >= 0:
        return
    err = -code
    text = STRERROR[err]
    msg = attrs.str(lib.NLMSGERR_ATTR_MSG) if hasattr(lib, "NLMSGERR_ATTR_MSG") else None
    raise OSError(err, f"{text}: {msg}" if msg else text)


class _GenlHeaders(dict[int, str]):
    """Every generic netlink family's messages (types from NLMSG_MIN_TYPE) start with a
    genlmsghdr."""

    def __contains__(self, type: object) -> bool:
        return isinstance(type, int) and type >= lib.NLMSG_MIN_TYPE

    def __getitem__(self, type: int) -> str:
        return "struct genlmsghdr"


_GENL_HEADERS = _GenlHeaders()


# ---- rtnetlink: links ------------------------------------------------------------------------

_OPERSTATES = {v: k for k, v in NAMESPACES["IF_OPER"].__members__.items()}
_STATS_FIELDS = ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
                 "rx_dropped", "tx_dropped", "multicast", "collisions")


class Link(NamedTuple):
    """A network interface (RTM_NEWLINK): ``flags`` an ``IFF`` value, ``address`` like
    "aa:bb:cc:dd:ee:ff", ``kind`` the driver's link kind ("veth", "bridge" ...; None for a
    physical or loopback one), ``master`` an index, ``operstate`` "UP", "DOWN", "UNKNOWN" ...,
    ``stats`` a dict of rtnl_link_stats64's counters."""
    index: int  # type: ignore[assignment]  # tuple.index: the field is the interface's index
    name: str
    flags: int
    mtu: Optional[int]
    address: Optional[str]
    kind: Optional[str]
    master: Optional[int]
    operstate: Optional[str]
    stats: Optional[dict[str, int]]


def _mac(raw: Optional[bytes]) -> Optional[str]:
    return None if raw is None else ":".join(f"{b:02x}" for b in raw)


def _mac_bytes(text: str) -> bytes:
    _text(text, "a hardware address")
    try:
        return bytes(int(x, 16) for x in text.split(":"))
    except ValueError:
        raise ValueError(f"{text!r} is not a hardware address like 'aa:bb:cc:dd:ee:ff'") from None


def _link(m: Message) -> Link:
    h, a = m.header, m.attrs
    kind = a.nested(lib.IFLA_LINKINFO).str(lib.IFLA_INFO_KIND) if lib.IFLA_LINKINFO in a else None
    stats = None
    raw = a.get(lib.IFLA_STATS64)
    if raw is not None:
        st = _new("struct rtnl_link_stats64 *")
        ffi.memmove(st, raw, min(len(raw), _sizeof(st[0])))
        stats = {f: getattr(st, f) for f in _STATS_FIELDS}
    oper = a.u8(lib.IFLA_OPERSTATE)
    return Link(h.ifi_index, a.str(lib.IFLA_IFNAME), IFF(h.ifi_flags), a.u32(lib.IFLA_MTU),
                _mac(a.get(lib.IFLA_ADDRESS)), kind, a.u32(lib.IFLA_MASTER),
                _OPERSTATES.get(oper, str(oper)) if oper is not None else None, stats)


def _index(name_or_index: Union[str, int]) -> int:
    """An interface's index; OSError ENODEV with the name for none of that name."""
    if isinstance(name_or_index, str):
        return net._ifindex(name_or_index)
    if isinstance(name_or_index, int):  # pyright: ignore[reportUnnecessaryIsInstance]: a caller's
        return in_range(name_or_index, "ifindex", 1, (1 << 31) - 1)
    raise TypeError(f"an interface is a name or an index, not {type(name_or_index).__name__}")


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    return value


def _opt_u32(value: Any, what: str) -> Optional[int]:
    return None if value is None else in_range(value, what, 0, U32)


def _ifinfo(index: int = 0, flags: int = 0, change: int = 0) -> Any:
    return _new("struct ifinfomsg *", {"ifi_family": lib.AF_UNSPEC, "ifi_index": index,
                                      "ifi_flags": flags, "ifi_change": change})


def links() -> list[Link]:
    """Every interface of this network namespace (RTM_GETLINK dump).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        OSError: EMFILE, ENOBUFS ... opening the netlink socket; the errno the kernel answered the
            dump with.
        ValueError: a malformed reply (a length past its datagram).
    """
    with Netlink() as nl:
        return [_link(m) for m in nl.dump(lib.RTM_GETLINK, _ifinfo())
                if m.type == lib.RTM_NEWLINK]


def link(name_or_index: Union[str, int]) -> Link:
    """One interface by name or index (RTM_GETLINK).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        OSError: an unknown interface name or index (ENODEV, the name as its filename); EMFILE,
            ENOBUFS ... opening the netlink socket.
        OverflowError: an index past a C int (before any request).
    """
    with Netlink() as nl:
        if isinstance(name_or_index, int):
            msgs = _named(nl.request, name_or_index, lib.RTM_GETLINK, _ifinfo(name_or_index))
        else:
            msgs = _named(nl.request, name_or_index, lib.RTM_GETLINK, _ifinfo(),
                          [nla(lib.IFLA_IFNAME, name_or_index)])
    return _link(msgs[0])


def _named(fn: Any, name: Any, *args: Any) -> Any:
    """fn(*args), an ENODEV naming the interface ``name`` (or for genl_family, an ENOENT the
    family)."""
    try:
        return fn(*args)
    except OSError as e:
        if e.errno in (lib.ENODEV, lib.ENOENT) and e.filename is None and name is not None:
            raise OSError(e.errno, e.strerror, str(name)) from None
        raise


def _netns(netns: Any) -> bytes:
    if isinstance(netns, int):
        return nla(lib.IFLA_NET_NS_PID, netns)
    return nla(lib.IFLA_NET_NS_FD, fdnum(netns))


def _common(attrs: dict[str, Any]) -> list[bytes]:
    """The attributes every link call takes: mtu, address, master, netns, name."""
    out: list[bytes] = []
    if attrs.get("name") is not None:
        out.append(nla(lib.IFLA_IFNAME, _text(attrs.pop("name"), "name")))
    if attrs.get("mtu") is not None:
        out.append(nla(lib.IFLA_MTU, in_range(attrs.pop("mtu"), "mtu", 0, U32)))
    if attrs.get("address") is not None:
        out.append(nla(lib.IFLA_ADDRESS, _mac_bytes(attrs.pop("address"))))
    if "master" in attrs:
        master = attrs.pop("master")
        out.append(nla(lib.IFLA_MASTER, 0 if master is None else _index(master)))
    if attrs.get("netns") is not None:
        out.append(_netns(attrs.pop("netns")))
    for k in [k for k, v in attrs.items() if v is None]:
        del attrs[k]
    if attrs:
        raise TypeError(f"unexpected keyword argument(s) {sorted(attrs)}")
    return out


def link_add(name: str, kind: str, **attrs: Any) -> None:
    """Create an interface (RTM_NEWLINK, NLM_F_CREATE|NLM_F_EXCL) of ``kind``: ``"veth"``
    (``peer=`` name, ``peer_netns=`` pid or ns Fd), ``"bridge"``, ``"dummy"``, ``"vlan"``
    (``link=``, ``id=``), ``"macvlan"`` (``link=``, ``mode=`` "bridge", "private", "vepa",
    "passthru"); any kind also ``mtu=``, ``address=``, ``master=``, ``netns=``.

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        FileExistsError: an interface of that name exists (EEXIST).
        PermissionError: the change needs CAP_NET_ADMIN in the namespace (EPERM).
        OSError: EOPNOTSUPP (a kind whose driver the kernel lacks: "Unknown device type"), EINVAL
            ... with the kernel's extended-ack text in the message; an unknown interface name or
            index (ENODEV, the name as its filename) for ``link=`` or ``master=``; EMFILE, ENOBUFS
            ... opening the netlink socket.
        ClosedFdError: a ``netns=``/``peer_netns=`` Fd is closed.
        TypeError: ``name`` or ``kind`` is not a str, a vlan or macvlan without ``link=``, a vlan
            without ``id=``, an unexpected keyword argument (before any request).
        ValueError: an ``address=`` that is not like "aa:bb:cc:dd:ee:ff", an unknown ``mode=`` name
            (before any request).
        OverflowError: ``id=`` outside 0..4095, ``mtu=`` past 32 bits (before any request).
    """
    data: list[bytes] = []
    head: list[bytes] = [nla(lib.IFLA_IFNAME, _text(name, "name"))]
    _text(kind, "kind")
    if kind == "veth":
        peer = [nla(lib.IFLA_IFNAME, _text(attrs.pop("peer"), "peer"))] if attrs.get("peer") else []
        if attrs.get("peer_netns") is not None:
            peer.append(_netns(attrs.pop("peer_netns")))
        attrs.pop("peer", None)
        attrs.pop("peer_netns", None)
        # the peer's ifinfomsg then its attributes (not flagged nested: as iproute2 sends it)
        data.append(nla(lib.VETH_INFO_PEER, bytes(_buffer(_ifinfo())) + b"".join(peer)))
    elif kind in ("vlan", "macvlan"):
        if attrs.get("link") is None:
            raise TypeError(f"a {kind} link needs link= (its parent interface)")
        head.append(nla(lib.IFLA_LINK, _index(attrs.pop("link"))))
        if kind == "vlan":
            if attrs.get("id") is None:
                raise TypeError("a vlan link needs id=")
            data.append(nla(lib.IFLA_VLAN_ID, in_range(attrs.pop("id"), "id", 0, 4095), 2))
        elif attrs.get("mode") is not None:
            data.append(nla(lib.IFLA_MACVLAN_MODE, to_int(attrs.pop("mode"), MACVLAN_MODE)))
    info = [nla(lib.IFLA_INFO_KIND, kind)] + ([nla(lib.IFLA_INFO_DATA, data)] if data else [])
    with Netlink() as nl:
        nl.request(lib.RTM_NEWLINK, _ifinfo(), head + _common(attrs)
                   + [nla(lib.IFLA_LINKINFO, info)], _F_CREATE | _F_EXCL)


def link_set(name_or_index: Union[str, int], *, state: Optional[str] = None, **changes: Any
             ) -> None:
    """Change an interface (RTM_NEWLINK): ``state="up"``/``"down"``, ``mtu=``, ``name=``,
    ``address=``, ``master=`` (a name, index, or None to leave its master), ``netns=`` (pid or
    ns Fd: the interface moves there).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        FileExistsError: ``name=`` is another interface's (EEXIST).
        PermissionError: the change needs CAP_NET_ADMIN in the namespace (EPERM).
        OSError: an unknown interface name or index (ENODEV, the name as its filename); EINVAL ...
            with the kernel's extended-ack text in the message ("mtu less than device minimum");
            EMFILE, ENOBUFS ... opening the netlink socket.
        ClosedFdError: a ``netns=`` Fd is closed.
        TypeError: an unexpected keyword argument, a ``name=`` that is not a str (before any
            request).
        ValueError: a ``state`` other than "up" and "down", an ``address=`` that is not like
            "aa:bb:cc:dd:ee:ff" (before any request).
        OverflowError: ``mtu=`` past 32 bits (before any request).
    """
    index = _index(name_or_index)
    flags = change = 0
    if state is not None:
        if state not in ("up", "down"):
            raise ValueError(f"state is 'up' or 'down', not {state!r}")
        change = int(lib.IFF_UP)
        flags = change if state == "up" else 0
    attrs = _common(changes)
    with Netlink() as nl:
        _named(nl.request, name_or_index, lib.RTM_NEWLINK, _ifinfo(index, flags, change), attrs)


def link_del(name_or_index: Union[str, int]) -> None:
    """Delete an interface (RTM_DELLINK; a veth's peer goes with it).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        PermissionError: the change needs CAP_NET_ADMIN in the namespace (EPERM).
        OSError: an unknown interface name or index (ENODEV, the name as its filename); EOPNOTSUPP
            (one that cannot be deleted: lo, a physical device); EMFILE, ENOBUFS ... opening the
            netlink socket.
    """
    index = _index(name_or_index)
    with Netlink() as nl:
        _named(nl.request, name_or_index, lib.RTM_DELLINK, _ifinfo(index))


# ---- rtnetlink: addresses --------------------------------------------------------------------

class Addr(NamedTuple):
    """An interface address (RTM_NEWADDR)."""
    family: int
    address: str
    prefixlen: int
    index: int  # type: ignore[assignment]  # tuple.index: the field is the interface's index
    label: Optional[str]
    scope: int


# What _per_link() decodes: each kind of record it keeps by its index and family.
_PerLink = TypeVar("_PerLink", "Addr", "Neighbour")


def _ntop(family: int, raw: Optional[bytes]) -> Optional[str]:
    return None if raw is None else _socket.inet_ntop(family, raw)


def _prefix(text: str) -> tuple[int, bytes, int]:
    """ "10.1.0.1/24" -> (family, packed address, prefix length); no length: the host's."""
    host, _, length = _text(text, "an address").partition("/")
    family = lib.AF_INET6 if ":" in host else lib.AF_INET
    packed = net._host(host, family)
    if length:
        if not length.isdigit() or int(length) > 255:
            raise ValueError(f"{text!r}: the prefix length is a number")
        return family, packed, int(length)
    return family, packed, 8 * len(packed)


def _addr(m: Message) -> Addr:
    h, a = m.header, m.attrs
    raw = a.get(lib.IFA_LOCAL, a.get(lib.IFA_ADDRESS))
    # (not None: the kernel sends every address with IFA_ADDRESS)
    return Addr(h.ifa_family, _ntop(h.ifa_family, raw),  # type: ignore[arg-type]
                h.ifa_prefixlen, h.ifa_index, a.str(lib.IFA_LABEL), h.ifa_scope)


def _per_link(get: int, new: int, family_field: str, decode: Callable[[Message], _PerLink],
              ifname: Optional[Union[str, int]], family: Optional[int]) -> list[_PerLink]:
    """A dump of ``get`` (family header zeroed but for its family), the ``new`` messages
    decoded, kept for interface ``ifname`` and ``family`` when given."""
    index = None if ifname is None else _index(ifname)
    hdr = _new(_HEADERS[get] + " *", {family_field: family or lib.AF_UNSPEC})
    with Netlink() as nl:
        out = [decode(m) for m in nl.dump(get, hdr) if m.type == new]
    return [x for x in out if (index is None or x.index == index)
            and (family is None or x.family == family)]


def addrs(ifname: Optional[Union[str, int]] = None, family: Optional[int] = None
          ) -> list[Addr]:
    """The addresses of every interface, or of ``ifname``; of one ``family`` (AF.INET ...).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        OSError: an unknown interface name or index (ENODEV, the name as its filename); EMFILE,
            ENOBUFS ... opening the netlink socket.
        TypeError: ``ifname`` is neither a name nor an index (before any request).
        ValueError: a malformed reply (a length past its datagram).
    """
    return _per_link(lib.RTM_GETADDR, lib.RTM_NEWADDR, "ifa_family", _addr, ifname, family)


def _addr_msg(ifname: Union[str, int], address: str, scope: Optional[int] = None
              ) -> tuple[Any, list[bytes]]:
    family, packed, length = _prefix(address)
    hdr = _new("struct ifaddrmsg *", {"ifa_family": family, "ifa_prefixlen": length,
                                     "ifa_scope": in_range(scope or 0, "scope", 0, 255),
                                     "ifa_index": _index(ifname)})
    return hdr, [nla(lib.IFA_LOCAL, packed), nla(lib.IFA_ADDRESS, packed)]


def addr_add(ifname: Union[str, int], address: str, *, label: Optional[str] = None,
             scope: Optional[int] = None, broadcast: Optional[str] = None) -> None:
    """Add ``address`` ("10.1.0.1/24", "fd00::1/64") to an interface (RTM_NEWADDR), with a
    ``label``, a ``scope`` (``RT_SCOPE`` member), a ``broadcast`` address.

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        FileExistsError: the interface has that address (EEXIST).
        PermissionError: the change needs CAP_NET_ADMIN in the namespace (EPERM).
        OSError: EINVAL with the kernel's extended-ack text in the message ("Invalid prefix length"
            ...); an unknown interface name or index (ENODEV, the name as its filename); EMFILE,
            ENOBUFS ... opening the netlink socket.
        TypeError: ``address``, ``label`` or ``broadcast`` is not a str, ``ifname`` neither a name
            nor an index (before any request).
        ValueError: an address that is not an IP literal, a prefix length that is not a number
            (before any request).
        OverflowError: ``scope`` outside 0..255 (before any request).
    """
    hdr, attrs = _addr_msg(ifname, address, scope)
    if label is not None:
        attrs.append(nla(lib.IFA_LABEL, _text(label, "label")))
    if broadcast is not None:
        attrs.append(nla(lib.IFA_BROADCAST, net._host(_text(broadcast, "broadcast"),
                                                      lib.AF_INET)))
    with Netlink() as nl:
        _named(nl.request, ifname, lib.RTM_NEWADDR, hdr, attrs, _F_CREATE | _F_EXCL)


def addr_del(ifname: Union[str, int], address: str) -> None:
    """Remove ``address`` ("10.1.0.1/24") from an interface (RTM_DELADDR).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        PermissionError: the change needs CAP_NET_ADMIN in the namespace (EPERM).
        OSError: EADDRNOTAVAIL (the interface has no such address: "Address not found"); an unknown
            interface name or index (ENODEV, the name as its filename); EMFILE, ENOBUFS ... opening
            the netlink socket.
        TypeError: ``address`` is not a str, ``ifname`` neither a name nor an index (before any
            request).
        ValueError: an address that is not an IP literal, a prefix length that is not a number
            (before any request).
    """
    hdr, attrs = _addr_msg(ifname, address)
    with Netlink() as nl:
        _named(nl.request, ifname, lib.RTM_DELADDR, hdr, attrs)


# ---- rtnetlink: routes -----------------------------------------------------------------------

class Route(NamedTuple):
    """A route (RTM_NEWROUTE): ``dst`` "default" or a prefix ("10.2.0.0/24"; a host route
    without its /32 or /128, as ``ip route`` prints it)."""
    family: int
    dst: str
    gateway: Optional[str]
    dev: Optional[str]
    oif: Optional[int]
    table: int
    metric: Optional[int]
    protocol: int
    scope: int
    type: int


def _ifname(index: Optional[int]) -> Optional[str]:
    if index is None:
        return None
    name = _new("char[]", lib.IF_NAMESIZE)
    return os.fsdecode(ffi.string(name)) if lib.ls_if_indextoname(index, name) == 0 else None


def _route(m: Message) -> Route:
    h, a = m.header, m.attrs
    family = h.rtm_family
    if h.rtm_dst_len:
        dst = _ntop(family, a.get(lib.RTA_DST))
        if h.rtm_dst_len != (32 if family == lib.AF_INET else 128):
            dst = f"{dst}/{h.rtm_dst_len}"
    else:
        dst = "default"
    oif = a.u32(lib.RTA_OIF)
    # (dst not None: the kernel sends RTA_DST with every rtm_dst_len but 0)
    return Route(family, dst, _ntop(family, a.get(lib.RTA_GATEWAY)),  # type: ignore[arg-type]
                 _ifname(oif), oif, a.u32(lib.RTA_TABLE, h.rtm_table), a.u32(lib.RTA_PRIORITY),
                 h.rtm_protocol, h.rtm_scope, h.rtm_type)


def routes(family: int = lib.AF_INET, table: Optional[int] = None) -> list[Route]:
    """The routes of ``family`` in ``table`` (None: the main table, as ``ip route``; 0: every
    table).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        OSError: EMFILE, ENOBUFS ... opening the netlink socket; the errno the kernel answered the
            dump with.
        OverflowError: a ``family`` past 8 bits (before any request).
        ValueError: a malformed reply (a length past its datagram).
    """
    want = lib.RT_TABLE_MAIN if table is None else table
    hdr = _new("struct rtmsg *", {"rtm_family": family})
    with Netlink() as nl:
        out = [_route(m) for m in nl.dump(lib.RTM_GETROUTE, hdr) if m.type == lib.RTM_NEWROUTE]
    return [r for r in out if r.family == family and (not want or r.table == want)]


def _route_msg(dst: str, gateway: Optional[str], dev: Optional[Union[str, int]],
               table: Optional[int], metric: Optional[int], deleting: bool
               ) -> tuple[Any, list[bytes]]:
    attrs: list[bytes] = []
    if gateway is not None:
        _text(gateway, "gateway")
    metric = _opt_u32(metric, "metric")
    table = _opt_u32(table, "table")
    if _text(dst, "dst") == "default":
        family = (lib.AF_INET6 if gateway and ":" in gateway else lib.AF_INET)
        length = 0
    else:
        family, packed, length = _prefix(dst)
        attrs.append(nla(lib.RTA_DST, packed))
    if gateway is not None:
        attrs.append(nla(lib.RTA_GATEWAY, net._host(gateway, family)))
    if dev is not None:
        attrs.append(nla(lib.RTA_OIF, _index(dev)))
    t = lib.RT_TABLE_MAIN if table is None else table
    attrs.append(nla(lib.RTA_TABLE, t))
    if metric is not None:
        attrs.append(nla(lib.RTA_PRIORITY, metric))
    scope = (lib.RT_SCOPE_NOWHERE if deleting else
             lib.RT_SCOPE_LINK if gateway is None and dev is not None else lib.RT_SCOPE_UNIVERSE)
    hdr = _new("struct rtmsg *", {
        "rtm_family": family, "rtm_dst_len": length, "rtm_table": t if t < 256 else 0,
        "rtm_protocol": 0 if deleting else lib.RTPROT_BOOT, "rtm_scope": scope,
        "rtm_type": lib.RTN_UNICAST})
    return hdr, attrs


def route_add(dst: str, gateway: Optional[str] = None, dev: Optional[Union[str, int]] = None,
              table: Optional[int] = None, metric: Optional[int] = None) -> None:
    """Add a route (RTM_NEWROUTE, NLM_F_CREATE|NLM_F_EXCL) to ``dst`` ("default" or a
    prefix) via ``gateway`` and/or out of ``dev``.

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        FileExistsError: that route exists (EEXIST).
        PermissionError: the change needs CAP_NET_ADMIN in the namespace (EPERM).
        OSError: ENETUNREACH (a gateway not on any link), ENETDOWN (``dev`` is down), EINVAL with
            the kernel's extended-ack text in the message ("Invalid prefix for given prefix
            length"); an unknown interface name or index (ENODEV, the name as its filename) for
            ``dev``; EMFILE, ENOBUFS ... opening the netlink socket.
        TypeError: ``dst`` or ``gateway`` is not a str, ``dev`` neither a name nor an index (before
            any request).
        ValueError: an address that is not an IP literal, a prefix length that is not a number
            (before any request).
        OverflowError: ``table`` or ``metric`` past 32 bits (before any request).
    """
    hdr, attrs = _route_msg(dst, gateway, dev, table, metric, False)
    with Netlink() as nl:
        _named(nl.request, dev, lib.RTM_NEWROUTE, hdr, attrs, _F_CREATE | _F_EXCL)


def route_replace(dst: str, gateway: Optional[str] = None,
                  dev: Optional[Union[str, int]] = None, table: Optional[int] = None,
                  metric: Optional[int] = None) -> None:
    """route_add() that replaces a route to the same ``dst`` (NLM_F_CREATE|NLM_F_REPLACE).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        PermissionError: the change needs CAP_NET_ADMIN in the namespace (EPERM).
        OSError: ENETUNREACH (a gateway not on any link), ENETDOWN (``dev`` is down), EINVAL with
            the kernel's extended-ack text in the message; an unknown interface name or index
            (ENODEV, the name as its filename) for ``dev``; EMFILE, ENOBUFS ... opening the netlink
            socket.
        TypeError: ``dst`` or ``gateway`` is not a str, ``dev`` neither a name nor an index (before
            any request).
        ValueError: an address that is not an IP literal, a prefix length that is not a number
            (before any request).
        OverflowError: ``table`` or ``metric`` past 32 bits (before any request).
    """
    hdr, attrs = _route_msg(dst, gateway, dev, table, metric, False)
    with Netlink() as nl:
        _named(nl.request, dev, lib.RTM_NEWROUTE, hdr, attrs, _F_CREATE | _F_REPLACE)


def route_del(dst: str, gateway: Optional[str] = None, dev: Optional[Union[str, int]] = None,
              table: Optional[int] = None, metric: Optional[int] = None) -> None:
    """Delete the route to ``dst`` (RTM_DELROUTE) that matches what is given.

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        ProcessLookupError: no route matches (ESRCH).
        PermissionError: the change needs CAP_NET_ADMIN in the namespace (EPERM).
        OSError: EINVAL with the kernel's extended-ack text in the message; an unknown interface
            name or index (ENODEV, the name as its filename) for ``dev``; EMFILE, ENOBUFS ...
            opening the netlink socket.
        TypeError: ``dst`` or ``gateway`` is not a str, ``dev`` neither a name nor an index (before
            any request).
        ValueError: an address that is not an IP literal, a prefix length that is not a number
            (before any request).
        OverflowError: ``table`` or ``metric`` past 32 bits (before any request).
    """
    hdr, attrs = _route_msg(dst, gateway, dev, table, metric, True)
    with Netlink() as nl:
        _named(nl.request, dev, lib.RTM_DELROUTE, hdr, attrs)


# ---- rtnetlink: neighbours -------------------------------------------------------------------

class Neighbour(NamedTuple):
    """A neighbour table entry (RTM_NEWNEIGH): ``state`` a ``NUD`` value."""
    family: int
    dst: Optional[str]
    lladdr: Optional[str]
    index: int  # type: ignore[assignment]  # tuple.index: the field is the interface's index
    dev: Optional[str]
    state: int


def _neigh(m: Message) -> Neighbour:
    h, a = m.header, m.attrs
    return Neighbour(h.ndm_family, _ntop(h.ndm_family, a.get(lib.NDA_DST)),
                     _mac(a.get(lib.NDA_LLADDR)), h.ndm_ifindex, _ifname(h.ndm_ifindex),
                     NAMESPACES["NUD"](h.ndm_state))


def neighbours(ifname: Optional[Union[str, int]] = None, family: Optional[int] = None
               ) -> list[Neighbour]:
    """The neighbour (ARP, NDP) entries, of ``ifname`` and ``family`` if given.

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        OSError: an unknown interface name or index (ENODEV, the name as its filename); EMFILE,
            ENOBUFS ... opening the netlink socket.
        TypeError: ``ifname`` is neither a name nor an index (before any request).
        ValueError: a malformed reply (a length past its datagram).
    """
    return _per_link(lib.RTM_GETNEIGH, lib.RTM_NEWNEIGH, "ndm_family", _neigh, ifname, family)


def _neigh_msg(ifname: Union[str, int], dst: str, state: int) -> tuple[Any, list[bytes]]:
    family = lib.AF_INET6 if ":" in _text(dst, "dst") else lib.AF_INET
    state = in_range(state, "state", 0, 0xFFFF)
    hdr = _new("struct ndmsg *", {"ndm_family": family, "ndm_ifindex": _index(ifname),
                                 "ndm_state": state})
    return hdr, [nla(lib.NDA_DST, net._host(dst, family))]


def neigh_add(ifname: Union[str, int], dst: str, lladdr: str, *,
              state: FlagArg = lib.NUD_PERMANENT) -> None:
    """Add a neighbour entry (RTM_NEWNEIGH): ``dst`` an IP address, ``lladdr`` its link
    address, ``state`` NUD flags (permanent by default).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        FileExistsError: the entry exists (EEXIST).
        PermissionError: the change needs CAP_NET_ADMIN in the namespace (EPERM).
        OSError: EINVAL with the kernel's extended-ack text in the message; an unknown interface
            name or index (ENODEV, the name as its filename); EMFILE, ENOBUFS ... opening the
            netlink socket.
        TypeError: ``dst`` or ``lladdr`` is not a str, ``state`` not an int, ``NUD`` member or name
            string (before any request).
        ValueError: a ``dst`` that is not an IP literal, an ``lladdr`` not like "aa:bb:cc:dd:ee:ff",
            an unknown ``NUD`` name (before any request).
        OverflowError: ``state`` past 16 bits (before any request).
    """
    hdr, attrs = _neigh_msg(ifname, dst, to_int(state, NAMESPACES["NUD"]))
    attrs.append(nla(lib.NDA_LLADDR, _mac_bytes(lladdr)))
    with Netlink() as nl:
        _named(nl.request, ifname, lib.RTM_NEWNEIGH, hdr, attrs, _F_CREATE | _F_EXCL)


def neigh_del(ifname: Union[str, int], dst: str) -> None:
    """Delete a neighbour entry (RTM_DELNEIGH).

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        FileNotFoundError: no such entry (ENOENT, the interface as its filename).
        PermissionError: the change needs CAP_NET_ADMIN in the namespace (EPERM).
        OSError: an unknown interface name or index (ENODEV, the name as its filename); EMFILE,
            ENOBUFS ... opening the netlink socket.
        TypeError: ``dst`` is not a str (before any request).
        ValueError: a ``dst`` that is not an IP literal (before any request).
    """
    hdr, attrs = _neigh_msg(ifname, dst, 0)
    with Netlink() as nl:
        _named(nl.request, ifname, lib.RTM_DELNEIGH, hdr, attrs)


# ---- events ----------------------------------------------------------------------------------

class Event(NamedTuple):
    """An rtnetlink event: kind "link", "addr", "route" or "neigh"; action "new" or "del"."""
    kind: str
    action: str
    obj: Any


_EVENTS: dict[int, tuple[str, str, Callable[[Message], Any]]] = {}
for _kind, _decode in (("LINK", _link), ("ADDR", _addr), ("ROUTE", _route), ("NEIGH", _neigh)):
    for _op in ("NEW", "DEL"):
        _EVENTS[getattr(lib, f"RTM_{_op}{_kind}")] = (_kind.lower(), _op.lower(), _decode)


def _event(m: Message) -> Optional[Event]:
    what = _EVENTS.get(m.type)
    if what is None:
        return None
    kind, action, decode = what
    return Event(kind, action, decode(m))


def monitor(groups: Iterable[FlagArg]) -> Netlink:
    """An rtnetlink socket subscribed to ``groups`` (``RTNLGRP`` members or names: "link",
    "ipv4_ifaddr" ...): iterate ``events()``, close it when done.

    https://man7.org/linux/man-pages/man7/rtnetlink.7.html

    Raises:
        OSError: EINVAL (a group number the kernel does not have); EMFILE, ENOBUFS ... opening the
            netlink socket.
        TypeError: a group that is neither an int nor a name string.
        ValueError: an unknown ``RTNLGRP`` name.
    """
    nl = Netlink()
    try:
        for g in groups:
            nl.add_membership(g)
    except BaseException:
        nl.close()
        raise
    return nl


# ---- generic netlink -------------------------------------------------------------------------

class GenlFamily(NamedTuple):
    """A generic netlink family (CTRL_CMD_GETFAMILY): its id is the message type to use."""
    id: int
    name: str
    version: int
    hdrsize: int
    maxattr: int
    mcast_groups: dict[str, int]


def genl_family(name: str) -> GenlFamily:
    """Resolve a generic netlink family by name (``"nlctrl"``, ``"ethtool"`` ...).

    https://man7.org/linux/man-pages/man7/netlink.7.html

    Raises:
        FileNotFoundError: a family the kernel does not have (ENOENT, the name as its filename).
        OSError: the errno the kernel answered otherwise; EMFILE, ENOBUFS ... opening the netlink
            socket.
    """
    hdr = _new("struct genlmsghdr *", {"cmd": lib.CTRL_CMD_GETFAMILY, "version": 1})
    with Netlink(lib.NETLINK_GENERIC) as nl:
        msgs = _named(nl.request, name, lib.GENL_ID_CTRL, hdr,
                      [nla(lib.CTRL_ATTR_FAMILY_NAME, name)])
    a = msgs[0].attrs
    groups: dict[str, int] = {}
    outer = a.nested(lib.CTRL_ATTR_MCAST_GROUPS)  # one nest per group, numbered from 1
    for t in outer.types():
        g = outer.nested(t)
        groups[g.str(lib.CTRL_ATTR_MCAST_GRP_NAME)] = g.u32(lib.CTRL_ATTR_MCAST_GRP_ID)
    return GenlFamily(a.u16(lib.CTRL_ATTR_FAMILY_ID), a.str(lib.CTRL_ATTR_FAMILY_NAME),
                      a.u32(lib.CTRL_ATTR_VERSION), a.u32(lib.CTRL_ATTR_HDRSIZE),
                      a.u32(lib.CTRL_ATTR_MAXATTR), groups)


__all__ = ["Netlink", "Message", "Attrs", "parse", "nla", "Link", "links", "link", "link_add",
           "link_set", "link_del", "Addr", "addrs", "addr_add", "addr_del", "Route", "routes",
           "route_add", "route_replace", "route_del", "Neighbour", "neighbours", "neigh_add",
           "neigh_del", "Event", "monitor", "GenlFamily", "genl_family"]
