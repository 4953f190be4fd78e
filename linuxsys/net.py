"""net: sockets (man 7 socket; man 2 socket, bind, connect, accept4, sendmsg, recvmmsg ...).

Every socket made here is an ``Fd`` (close-on-exec unless ``inheritable=True``) that
``socket.socket(fileno=fd.detach())`` adopts, and ``L.Fd(sock.detach())`` takes back.

**Addresses** take and come back in the ``socket`` module's forms, chosen by the socket's
domain: ``AF.INET`` ``(host, port)``; ``AF.INET6`` ``(host, port, flowinfo, scope_id)`` (the
last two optional going in; ``"fe80::1%lo"`` names the scope too); ``AF.UNIX`` a ``str``,
``bytes`` or path-like path, a leading NUL for the abstract namespace (abstract names come
back as ``bytes``, an unnamed socket as ``''``, as ``socket`` gives them); ``AF.NETLINK``
``(pid, groups)``; ``AF.PACKET`` ``(ifname, proto, pkttype, hatype, addr)`` (the last three
optional going in; ``proto`` in host byte order); ``AF.VSOCK`` ``(cid, port)``; any other domain
the raw ``struct sockaddr`` bytes, both ways.  Hosts are IP literals (``''`` is any address):
this is a syscall layer, and a host name raises ``ValueError`` (``socket.getaddrinfo``
resolves names).  A port outside 0..65535 raises ``OverflowError``, as ``socket`` does.

The domain is asked of the kernel (``SO_DOMAIN``) once per ``Fd`` and kept on it (an ``Fd``
that ``socket()`` or ``accept()`` made knows it already); a bare number is asked each call.
Encoded and decoded addresses are cached, so a hot ``sendto``/``recvfrom`` with a known peer
does no encoding work.

Ancillary data are ``(level, type, data)`` triples as in ``socket``; ``recvmsg`` decodes
``SCM.RIGHTS`` to owning ``Fd``s (close-on-exec unless ``inheritable``; all closed when the
control buffer was too small, ``MSG.CTRUNC``: never leaked), ``SCM.CREDENTIALS`` to ``Ucred``
and ``SCM.TIMESTAMPNS`` to nanoseconds since the epoch (64-bit on every arch); other types stay
bytes.

Namespaces: ``AF`` (domains), ``SOCK`` (types) and ``SOCK_FLAG`` (``NONBLOCK``, ``CLOEXEC``:
or'ed into a type, and accept4's flags), ``MSG``, ``SHUT``, ``SOL`` (levels), ``SO``, ``SCM``,
``IPPROTO``, ``TCP``, ``IP``, ``IPV6``, ``NETLINK`` (protocols), ``ETH_P``, ``PACKET_TYPE``.

On i686 each call is the direct syscall (Linux 4.3), falling back to socketcall(2) on ENOSYS.
"""
from __future__ import annotations

import os
import select
import socket as _socket
from collections import deque
from time import monotonic_ns as _monotonic_ns
from typing import (TYPE_CHECKING, Any, Iterable, NamedTuple, Optional, Sequence, Tuple, TypeVar,
                    Union, overload)

from ._core import (ENOSYS, NEG_EINTR, SCRATCH_SIZE, STRERROR, U32, Buffer, alloc, call,
                    copy_bufs, error, ffi, in_range, lib, nbytes, new_copy_buf, read_size,
                    release, view, writable)
from .fd import Fd, FdArg, fdnum, methods
from .flags import NAMESPACES, FlagArg, flags_of, to_int
from .io import _iovecs, _release_views

from ._consts import AF, SOCK, SOCK_FLAG, MSG, SHUT, SOL, SCM, IPPROTO

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

Address = Any  # a tuple, str, bytes or path-like, by the socket's domain (see the module doc)
AncData = Sequence[Tuple[int, int, Any]]
_V = TypeVar("_V")

_socket_c = lib.ls_socket
_socketpair = lib.ls_socketpair
_bind = lib.ls_bind
_connect = lib.ls_connect
_listen = lib.ls_listen
_accept4 = lib.ls_accept4
_shutdown = lib.ls_shutdown
_getsockname = lib.ls_getsockname
_getpeername = lib.ls_getpeername
_getsockopt = lib.ls_getsockopt
_setsockopt = lib.ls_setsockopt
_send = lib.ls_send
_recv = lib.ls_recv
_sendto = lib.ls_sendto
_recvfrom = lib.ls_recvfrom
_sendmsg = lib.ls_sendmsg
_recvmsg = lib.ls_recvmsg
_cmsg_space = lib.ls_cmsg_space
_cmsg_put = lib.ls_cmsg_put
_cmsg_rows = lib.ls_cmsg_rows
_recvmmsg = lib.ls_recvmmsg
_sendmmsg = lib.ls_sendmmsg

_new = ffi.new
_buffer = ffi.buffer
_unpack = ffi.unpack
_sizeof = ffi.sizeof
_NULL = ffi.NULL
_copy_pop = copy_bufs.pop
_copy_push = copy_bufs.append
_NEG_ENOSYS = -ENOSYS

_AF_UNIX = lib.AF_UNIX
_AF_INET = lib.AF_INET
_AF_INET6 = lib.AF_INET6
_AF_NETLINK = lib.AF_NETLINK
_AF_PACKET = lib.AF_PACKET
_AF_VSOCK = lib.AF_VSOCK
_SOCK_CLOEXEC = lib.SOCK_CLOEXEC
_MSG_CTRUNC = lib.MSG_CTRUNC
_MSG_CMSG_CLOEXEC = lib.MSG_CMSG_CLOEXEC
_SOL_SOCKET = lib.SOL_SOCKET
_SO_DOMAIN = lib.SO_DOMAIN
_SO_PEERCRED = lib.SO_PEERCRED
_SO_LINGER = lib.SO_LINGER
_SCM_RIGHTS = lib.SCM_RIGHTS
_SCM_CREDENTIALS = lib.SCM_CREDENTIALS
# Every number a timestamp option may arrive as: the C library picks _OLD or _NEW by its time_t.
_SCM_TIMESTAMPNS = {getattr(lib, n) for n in ("SO_TIMESTAMPNS", "SO_TIMESTAMPNS_OLD",
                                              "SO_TIMESTAMPNS_NEW") if hasattr(lib, n)}
# SO_RCVTIMEO/SO_SNDTIMEO in all their forms -> the helper's ``snd`` argument.
_TIMEO = {getattr(lib, f"SO_{w}TIMEO{v}"): w == "SND" for w in ("RCV", "SND")
          for v in ("", "_OLD", "_NEW") if hasattr(lib, f"SO_{w}TIMEO{v}")}
_IPPROTO_TCP = lib.IPPROTO_TCP
_TCP_INFO = lib.TCP_INFO

_SS_SIZE = _sizeof("struct sockaddr_storage")
_FAMILY_SIZE = _sizeof("sa_family_t")
_INT_SIZE = _sizeof("int")
_SUN_PATH_MAX = lib.LS_SUN_PATH_MAX
_SUN_PATH_OFFSET = lib.LS_SUN_PATH_OFFSET
_SOMAXCONN = lib.SOMAXCONN
_MAX_OPTLEN = 65536
_UIO_MAXIOV = 1024  # the kernel's limit on a vector's (and recvmmsg's vlen's) length
_CACHE_MAX = 1024

# isinstance() classes typed type[Any]: a caller's value they match stays Any for the type
# checkers (not memoryview[Unknown] / tuple[Unknown, ...], flagged at its every use).
_BYTES_LIKE: tuple[type[Any], ...] = (bytes, bytearray, memoryview)
_TUPLE: tuple[type[Any], ...] = (tuple,)

_htons, _ntohs, _htonl, _ntohl = _socket.htons, _socket.ntohs, _socket.htonl, _socket.ntohl
_inet_pton, _inet_ntop = _socket.inet_pton, _socket.inet_ntop


class Ucred(NamedTuple):
    """struct ucred (man 7 unix): SO_PEERCRED's answer and SCM_CREDENTIALS' payload."""
    pid: int
    uid: int
    gid: int


class Linger(NamedTuple):
    """struct linger (man 7 socket): SO_LINGER."""
    onoff: int
    linger: int


_TCP_INFO_FIELDS: tuple[str, ...] = tuple(ffi.string(lib.ls_tcp_info_fields()).decode().split())

if TYPE_CHECKING:
    _TI = TypeVar("_TI", bound="_TcpInfoBase")

    class _TcpInfoBase(Tuple[Optional[int], ...]):
        """The NamedTuple of the build's tcp_info fields, as type checkers see it: each field
        an ``Optional[int]`` attribute (which fields there are is the headers' to say)."""
        _fields: tuple[str, ...]

        def __new__(cls: type[_TI], *values: Optional[int]) -> _TI: ...
        def __getattr__(self, name: str) -> Optional[int]: ...
        def _asdict(self) -> dict[str, Optional[int]]: ...
else:
    _TcpInfoBase = NamedTuple("_TcpInfo", [(n, Optional[int]) for n in _TCP_INFO_FIELDS])


class TcpInfo(_TcpInfoBase):
    """struct tcp_info (man 7 tcp, TCP_INFO), fields named without ``tcpi_``: ``state`` (1 is
    TCP_ESTABLISHED), ``rtt``/``rttvar``/``rto`` in microseconds, ``snd_cwnd`` in segments ...
    None for a field the kernel did not fill."""


# ---- addresses -------------------------------------------------------------------------------

_encoded: dict[Any, bytes] = {}  # (domain, address) -> sockaddr bytes
_decoded: dict[bytes, Any] = {}  # sockaddr bytes -> address


def _cached(cache: dict[Any, _V], key: Any, value: _V) -> _V:
    if len(cache) >= _CACHE_MAX:
        cache.clear()  # a server seeing many peers: no unbounded growth, no LRU bookkeeping
    cache[key] = value
    return value


def _struct_bytes(ptr: Any) -> bytes:
    return bytes(_buffer(ptr))


def _port(port: Any, what: str = "port") -> int:
    if not isinstance(port, int):
        raise TypeError(f"'{type(port).__name__}' object cannot be interpreted as an integer "
                        f"({what})")
    if not 0 <= port <= 65535:
        raise OverflowError(f"{what} must be 0-65535.")
    return port


def _host(host: Any, family: int) -> bytes:
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        raise TypeError(f"a host must be str, not {type(host).__name__}")
    if host == "":
        return bytes(4 if family == _AF_INET else 16)
    if host == "<broadcast>" and family == _AF_INET:
        return b"\xff\xff\xff\xff"
    try:
        return _inet_pton(family, host)
    except OSError:
        kind = "IPv4" if family == _AF_INET else "IPv6"
        raise ValueError(f"{host!r} is not an {kind} address literal: linuxsys resolves no "
                         f"names (socket.getaddrinfo does)") from None


def _tuple(addr: Any, name: str, least: int, most: int) -> tuple[Any, ...]:
    t: tuple[Any, ...] = addr  # typed before the checks: narrowed, Any would be tuple[Unknown]
    if type(t) is not tuple:
        raise TypeError(f"{name} address must be tuple, not {type(t).__name__}")
    if not least <= len(t) <= most:
        shape = {"AF_INET": "(host, port)", "AF_INET6": "(host, port[, flowinfo[, scope_id]])",
                 "AF_NETLINK": "(pid, groups)", "AF_VSOCK": "(cid, port)",
                 "AF_PACKET": "(ifname, proto[, pkttype[, hatype[, addr]]])"}[name]
        raise TypeError(f"{name} address must be a tuple {shape}, not {len(t)} items")
    return t


# Domains whose address is a pair of unsigned 32-bit fields: struct, family field, the two
# (field, name) in the tuple's order.
_PAIRS = {
    _AF_NETLINK: ("struct sockaddr_nl *", "nl_family", ("nl_pid", "pid"),
                  ("nl_groups", "groups")),
    _AF_VSOCK: ("struct sockaddr_vm *", "svm_family", ("svm_cid", "cid"), ("svm_port", "port")),
}


def _u32(v: Any, what: str) -> int:
    """An unsigned 32-bit field; -1 is its top value (socket's VMADDR_CID_ANY on 32-bit)."""
    return in_range(v, what, -1, U32) & U32


def _ifindex(ifname: str) -> int:
    """An interface's index (if_nametoindex(3)); OSError ENODEV for none of that name."""
    return call(lib.ls_if_nametoindex, "if_nametoindex", os.fsencode(ifname), filename=ifname)


def _encode_new(domain: int, addr: Any) -> bytes:
    """The sockaddr bytes of a Python address for a socket of ``domain``."""
    if domain == _AF_INET:
        host, port = _tuple(addr, "AF_INET", 2, 2)
        sa = _new("struct sockaddr_in *")
        sa.sin_family = _AF_INET
        packed = _host(host, _AF_INET)
        sa.sin_port = _htons(_port(port))
        ffi.memmove(ffi.addressof(sa[0], "sin_addr"), packed, 4)
        return _struct_bytes(sa)
    if domain == _AF_INET6:
        host, port, flowinfo, scope_id = _tuple(addr, "AF_INET6", 2, 4) + (0, 0)[len(addr) - 2:]
        if isinstance(host, str) and "%" in host:  # fe80::1%lo: the scope by name or number
            host, scope = host.split("%", 1)
            if not scope_id:
                scope_id = int(scope) if scope.isdigit() else _ifindex(scope)
        sa6 = _new("struct sockaddr_in6 *")
        sa6.sin6_family = _AF_INET6
        packed = _host(host, _AF_INET6)
        sa6.sin6_port = _htons(_port(port))
        if not isinstance(flowinfo, int) or not 0 <= flowinfo <= 0xFFFFF:
            raise OverflowError("flowinfo must be 0-1048575.")
        sa6.sin6_flowinfo = _htonl(flowinfo)
        sa6.sin6_scope_id = _u32(scope_id, "scope_id")
        ffi.memmove(ffi.addressof(sa6[0], "sin6_addr"), packed, 16)
        return _struct_bytes(sa6)
    if domain == _AF_UNIX:
        if isinstance(addr, str) or hasattr(addr, "__fspath__"):
            path = os.fsencode(addr)
        elif isinstance(addr, _BYTES_LIKE):
            path = bytes(addr)
        else:
            raise TypeError(f"AF_UNIX address must be str, bytes or path-like, not "
                            f"{type(addr).__name__}")
        if not path:  # the family alone: the kernel picks an abstract name (autobind)
            return bytes(_buffer(_new("sa_family_t *", _AF_UNIX)))
        if path[:1] != b"\0":  # a file: NUL-terminated where it fits, as the kernel keeps it
            if b"\0" in path:
                raise ValueError("embedded null byte")
            path += b"\0" if len(path) < _SUN_PATH_MAX else b""
        if len(path) > _SUN_PATH_MAX:
            raise OSError(lib.ENAMETOOLONG, "AF_UNIX path too long", addr)
        family = bytes(_buffer(_new("sa_family_t *", _AF_UNIX)))
        return family + bytes(_SUN_PATH_OFFSET - _FAMILY_SIZE) + path
    if domain in _PAIRS:  # (pid, groups), (cid, port): two unsigned 32-bit fields
        ctype, family_field, first, second = _PAIRS[domain]
        a, b = _tuple(addr, "AF_NETLINK" if domain == _AF_NETLINK else "AF_VSOCK", 2, 2)
        sa = _new(ctype)
        setattr(sa, family_field, domain)
        setattr(sa, first[0], _u32(a, first[1]))
        setattr(sa, second[0], _u32(b, second[1]))
        return _struct_bytes(sa)
    if domain == _AF_PACKET:
        ifname, proto, pkttype, hatype, hwaddr = (_tuple(addr, "AF_PACKET", 2, 5)
                                                  + (0, 0, b"")[len(addr) - 2:])
        if not isinstance(ifname, str):
            raise TypeError(f"AF_PACKET interface name must be str, not {type(ifname).__name__}")
        hwaddr = bytes(hwaddr)
        ll = _new("struct sockaddr_ll *")
        if len(hwaddr) > len(ll.sll_addr):
            raise ValueError(f"hardware address must be at most {len(ll.sll_addr)} bytes")
        index = _ifindex(ifname)
        ll.sll_family = _AF_PACKET
        ll.sll_protocol = _htons(_port(proto, "proto"))
        ll.sll_ifindex = index
        ll.sll_pkttype = in_range(pkttype, "pkttype", 0, 255)
        ll.sll_hatype = in_range(hatype, "hatype", 0, 65535)
        ll.sll_halen = len(hwaddr)
        ll.sll_addr[0:len(hwaddr)] = hwaddr
        return _struct_bytes(ll)
    if not isinstance(addr, _BYTES_LIKE):
        raise TypeError(f"an address of domain {domain} is the raw sockaddr bytes, not "
                        f"{type(addr).__name__}")
    raw = bytes(addr)
    if not _FAMILY_SIZE <= len(raw) <= _SS_SIZE:
        raise ValueError(f"a raw sockaddr is {_FAMILY_SIZE} to {_SS_SIZE} bytes, not {len(raw)}")
    return raw


def _encode(domain: int, addr: Any) -> bytes:
    try:
        return _encoded[(domain, addr)]
    except KeyError:
        return _cached(_encoded, (domain, addr), _encode_new(domain, addr))
    except TypeError:  # unhashable (a bytearray path): encoded each time
        return _encode_new(domain, addr)


def _decode_new(raw: bytes) -> Address:
    """The Python form of sockaddr bytes the kernel gave (see the module doc)."""
    if len(raw) < _FAMILY_SIZE:
        return "" if not raw else raw
    ss = _new("struct sockaddr_storage *")
    ffi.memmove(ss, raw, len(raw))
    family = ss.ss_family
    if family == _AF_UNIX:
        path = raw[_SUN_PATH_OFFSET:]
        if path[:1] == b"\0":
            return path  # abstract: every byte counts
        return os.fsdecode(path.split(b"\0", 1)[0])
    if family == _AF_INET:
        sa = ffi.cast("struct sockaddr_in *", ss)
        return (_inet_ntop(_AF_INET, bytes(_buffer(ffi.addressof(sa[0], "sin_addr"), 4))),
                _ntohs(sa.sin_port))
    if family == _AF_INET6:
        sa6 = ffi.cast("struct sockaddr_in6 *", ss)
        return (_inet_ntop(_AF_INET6, bytes(_buffer(ffi.addressof(sa6[0], "sin6_addr"), 16))),
                _ntohs(sa6.sin6_port), _ntohl(sa6.sin6_flowinfo), sa6.sin6_scope_id)
    if family in _PAIRS:
        ctype, _, first, second = _PAIRS[family]
        sa = ffi.cast(ctype, ss)
        return (getattr(sa, first[0]), getattr(sa, second[0]))
    if family == _AF_PACKET:
        ll = ffi.cast("struct sockaddr_ll *", ss)
        name = _new("char[]", lib.IF_NAMESIZE)
        ifname = (os.fsdecode(ffi.string(name)) if lib.ls_if_indextoname(ll.sll_ifindex, name)
                  == 0 else str(ll.sll_ifindex))  # (gone since: its number)
        return (ifname, _ntohs(ll.sll_protocol), ll.sll_pkttype, ll.sll_hatype,
                bytes(ll.sll_addr[0:min(ll.sll_halen, len(ll.sll_addr))]))
    return raw


def _decode(raw: bytes) -> Address:
    try:
        return _decoded[raw]
    except KeyError:
        return _cached(_decoded, raw, _decode_new(raw))


def _domain(sockfd: FdArg, n: int) -> int:
    """The domain of socket ``n`` (the number of ``sockfd``): kept on an Fd once asked."""
    if type(sockfd) is Fd and type(sockfd._kind) is int:
        return sockfd._kind
    val = _new("int *")
    size = _new("unsigned int *", _INT_SIZE)
    call(_getsockopt, "getsockopt", n, _SOL_SOCKET, _SO_DOMAIN, val, size)
    domain: int = val[0]
    if isinstance(sockfd, Fd):
        sockfd._kind = domain
    return domain


def _sock(n: int, domain: int) -> Fd:
    """A new owning Fd for socket n, its domain known."""
    f = Fd(n)
    f._kind = domain
    return f


# Address out-buffers: (struct sockaddr_storage, its ffi.buffer, unsigned int *len), pooled.
_addr_bufs: deque[tuple[Any, Any, Any]] = deque()
_addr_pop = _addr_bufs.pop
_addr_push = _addr_bufs.append


def _new_addr_buf() -> tuple[Any, Any, Any]:
    ss = _new("struct sockaddr_storage *")
    return ss, _buffer(ss), _new("unsigned int *")


def _num(sockfd: FdArg) -> int:
    # Another local than the parameter: a temporary Fd stays open until the call returns.
    if type(sockfd) is int:
        return sockfd
    if type(sockfd) is Fd and sockfd._fd >= 0:
        return sockfd._fd
    return fdnum(sockfd)


# ---- making, naming and connecting sockets -------------------------------------------------

def socket(domain: FlagArg, type: FlagArg, protocol: int = 0, *,
           inheritable: bool = False) -> Fd:
    """A new socket (man 2 socket): ``domain`` an ``AF`` member, ``type`` a ``SOCK`` type or'ed
    with ``SOCK_FLAG`` flags (``"stream|nonblock"``), close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/socket.2.html

    Raises:
        PermissionError: this type of socket is not the caller's to create (EACCES, EPERM: a
            raw or packet socket without CAP_NET_RAW).
        OSError: EAFNOSUPPORT (a domain this kernel lacks), EPROTONOSUPPORT, EINVAL (an
            unknown protocol or type flag), EMFILE, ENFILE, ENOBUFS ... (UnsupportedError for
            ENOSYS).
        TypeError: ``domain`` or ``type`` is not an int, a member or a name string of its
            namespace, or ``protocol`` not an int (OverflowError: past a C int), before any
            call.
        ValueError: an unknown name in ``domain`` or ``type`` (before any call).
    """
    d = to_int(domain, AF)
    t = flags_of(type, SOCK, SOCK_FLAG)
    return _sock(call(_socket_c, "socket", d, t if inheritable else t | _SOCK_CLOEXEC,
                      protocol), d)


def socketpair(domain: FlagArg = _AF_UNIX, type: FlagArg = lib.SOCK_STREAM, protocol: int = 0,
               *, inheritable: bool = False) -> tuple[Fd, Fd]:
    """A pair of connected sockets (man 2 socketpair), each close-on-exec unless
    ``inheritable``.

    https://man7.org/linux/man-pages/man2/socketpair.2.html

    Raises:
        OSError: EOPNOTSUPP (a domain without socket pairs: AF_INET ...), EAFNOSUPPORT,
            EPROTONOSUPPORT, EMFILE, ENFILE (UnsupportedError for ENOSYS).
        TypeError: ``domain`` or ``type`` is not an int, a member or a name string of its
            namespace, or ``protocol`` not an int (OverflowError: past a C int), before any
            call.
        ValueError: an unknown name in ``domain`` or ``type`` (before any call).
    """
    d = to_int(domain, AF)
    t = flags_of(type, SOCK, SOCK_FLAG)
    sv = _new("int[2]")
    call(_socketpair, "socketpair", d, t if inheritable else t | _SOCK_CLOEXEC, protocol, sv)
    return _sock(sv[0], d), _sock(sv[1], d)


def bind(sockfd: FdArg, addr: Address) -> None:
    """Give a socket its address (man 2 bind); an AF_UNIX path is the error's filename.

    https://man7.org/linux/man-pages/man2/bind.2.html

    Raises:
        PermissionError: a port below 1024 without CAP_NET_BIND_SERVICE, or an AF_UNIX path
            in a directory the caller may not write (EACCES).
        FileNotFoundError: a directory of an AF_UNIX path does not exist (ENOENT).
        OSError: EADDRINUSE (the address is taken; an AF_UNIX path that exists),
            EADDRNOTAVAIL (not an address of this host), EINVAL (bound already), ENOTSOCK;
            before the call ENAMETOOLONG (an AF_UNIX path longer than sun_path) and ENODEV (an
            unknown interface name) ... (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``addr`` is not of the socket domain's form (see the module doc), or
            another argument of the wrong type (before any call).
        ValueError: a host that is not an IP literal (no names are resolved), a path with a
            NUL byte, an unknown flag name (before any call).
        OverflowError: a port outside 0..65535 (before any call).
    """
    n = _num(sockfd)
    raw = _encode(_domain(sockfd, n), addr)
    call(_bind, "bind", n, raw, len(raw), filename=addr if isinstance(addr, str) else None)


def listen(sockfd: FdArg, backlog: int = _SOMAXCONN) -> None:
    """Accept connections on a socket, up to ``backlog`` waiting (man 2 listen).

    https://man7.org/linux/man-pages/man2/listen.2.html

    Raises:
        OSError: EOPNOTSUPP (a type of socket that does not listen: UDP ...), EADDRINUSE
            (another socket listens on its port), ENOTSOCK (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: an argument of the wrong type (OverflowError: ``backlog`` past a C int),
            before any call.
    """
    call(_listen, "listen", _num(sockfd), backlog)


def connect(sockfd: FdArg, addr: Address) -> None:
    """Connect a socket to ``addr`` (man 2 connect).  A nonblocking socket raises
    BlockingIOError (EINPROGRESS) while it connects: wait until it is writable, then
    ``getsockopt(fd, SOL.SOCKET, SO.ERROR)`` says how it went.  A blocking connect that a
    signal interrupts waits for the connection to finish (PEP 475, as socket.connect).

    https://man7.org/linux/man-pages/man2/connect.2.html

    Raises:
        BlockingIOError: a nonblocking socket is connecting (EINPROGRESS) or was already
            (EALREADY), or an AF_UNIX listener's backlog is full (EAGAIN).
        ConnectionRefusedError: nothing listens at ``addr`` (ECONNREFUSED).
        TimeoutError: the peer did not answer (ETIMEDOUT).
        FileNotFoundError: no AF_UNIX path ``addr`` (ENOENT; the path is the filename).
        PermissionError: an AF_UNIX path the caller may not write, a broadcast address
            without ``SO.BROADCAST``, a firewall rule (EACCES, EPERM).
        OSError: ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, EISCONN, ENOTSOCK;
            before the call ENAMETOOLONG (an AF_UNIX path longer than sun_path) and ENODEV (an
            unknown interface name) ... (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``addr`` is not of the socket domain's form (see the module doc), or
            another argument of the wrong type (before any call).
        ValueError: a host that is not an IP literal (no names are resolved), a path with a
            NUL byte, an unknown flag name (before any call).
        OverflowError: a port outside 0..65535 (before any call).
    """
    n = _num(sockfd)
    raw = _encode(_domain(sockfd, n), addr)
    r = _connect(n, raw, len(raw))
    if r == NEG_EINTR:  # the connection goes on: wait for it, as CPython's sock_connect does
        poller = select.poll()
        poller.register(n, select.POLLOUT)
        while not poller.poll():
            pass
        r = -getsockopt(sockfd, _SOL_SOCKET, lib.SO_ERROR)
    if r < 0:
        raise error(-r, "connect", addr if isinstance(addr, str) else None)


def accept4(sockfd: FdArg, flags: FlagArg = 0, *, inheritable: bool = False
            ) -> tuple[Fd, Address]:
    """Take a connection from a listening socket (man 2 accept4): ``(Fd, address)``.
    ``flags``: ``SOCK_FLAG.NONBLOCK``; close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/accept4.2.html

    Raises:
        BlockingIOError: a nonblocking listener with no connection waiting (EAGAIN).
        ConnectionAbortedError: a connection was aborted before it was taken (ECONNABORTED).
        PermissionError: firewall rules forbid the connection (EPERM).
        OSError: EINVAL (a socket that does not listen, or a bad flag), EOPNOTSUPP (not a
            connection-based socket), EMFILE, ENFILE, ENOTSOCK ... (UnsupportedError for
            ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``flags`` is not an int, ``SOCK_FLAG`` member or name string (before any
            call).
        ValueError: an unknown name in ``flags`` (before any call).
    """
    n = _num(sockfd)
    f = to_int(flags, SOCK_FLAG)
    if not inheritable:
        f |= _SOCK_CLOEXEC
    try:
        ab = _addr_pop()
    except IndexError:
        ab = _new_addr_buf()
    try:
        r = call(_accept4, "accept4", n, ab[0], ab[2], f)
        raw = ab[1][0:min(ab[2][0], _SS_SIZE)]
    finally:
        _addr_push(ab)
    kind = sockfd._kind if type(sockfd) is Fd and type(sockfd._kind) is int else None
    conn = Fd(r)
    conn._kind = kind
    return conn, _decode(raw)


def accept(sockfd: FdArg, flags: FlagArg = 0, *, inheritable: bool = False
           ) -> tuple[Fd, Address]:
    """accept4() (man 2 accept): the same call, close-on-exec unless ``inheritable``.

    https://man7.org/linux/man-pages/man2/accept.2.html

    Raises:
        BlockingIOError: a nonblocking listener with no connection waiting (EAGAIN).
        ConnectionAbortedError: a connection was aborted before it was taken (ECONNABORTED).
        PermissionError: firewall rules forbid the connection (EPERM).
        OSError: EINVAL (a socket that does not listen, or a bad flag), EOPNOTSUPP (not a
            connection-based socket), EMFILE, ENFILE, ENOTSOCK ... (UnsupportedError for
            ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``flags`` is not an int, ``SOCK_FLAG`` member or name string (before any
            call).
        ValueError: an unknown name in ``flags`` (before any call).
    """
    return accept4(sockfd, flags, inheritable=inheritable)


def shutdown(sockfd: FdArg, how: FlagArg) -> None:
    """Shut down reading (``SHUT.RD``), writing (``SHUT.WR``: the peer reads end of file) or
    both (``SHUT.RDWR``) of a connection (man 2 shutdown).

    https://man7.org/linux/man-pages/man2/shutdown.2.html

    Raises:
        OSError: ENOTCONN (a socket not connected), EINVAL (a bad ``how``), ENOTSOCK
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``how`` is not an int, ``SHUT`` member or name string (before any call).
        ValueError: an unknown name in ``how`` (before any call).
    """
    call(_shutdown, "shutdown", _num(sockfd), to_int(how, SHUT))


def _name(fn: Any, name: str, sockfd: FdArg) -> Address:
    n = _num(sockfd)
    try:
        ab = _addr_pop()
    except IndexError:
        ab = _new_addr_buf()
    try:
        call(fn, name, n, ab[0], ab[2])
        raw = ab[1][0:min(ab[2][0], _SS_SIZE)]
    finally:
        _addr_push(ab)
    return _decode(raw)


def getsockname(sockfd: FdArg) -> Address:
    """A socket's own address (man 2 getsockname).

    https://man7.org/linux/man-pages/man2/getsockname.2.html

    Raises:
        OSError: ENOTSOCK (an fd that is no socket), ENOBUFS (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``sockfd`` is not an fd (before any call).
    """
    return _name(_getsockname, "getsockname", sockfd)


def getpeername(sockfd: FdArg) -> Address:
    """The address of a socket's peer (man 2 getpeername).

    https://man7.org/linux/man-pages/man2/getpeername.2.html

    Raises:
        OSError: ENOTCONN (a socket not connected), ENOTSOCK, ENOBUFS (UnsupportedError for
            ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``sockfd`` is not an fd (before any call).
    """
    return _name(_getpeername, "getpeername", sockfd)


# ---- options ---------------------------------------------------------------------------------

@overload
def getsockopt(sockfd: FdArg, level: FlagArg, optname: FlagArg, buflen: None = None) -> Any: ...
@overload
def getsockopt(sockfd: FdArg, level: FlagArg, optname: FlagArg, buflen: int) -> bytes: ...


def getsockopt(sockfd: FdArg, level: FlagArg, optname: FlagArg, buflen: Optional[int] = None
               ) -> Any:
    """A socket option (man 2 getsockopt, man 7 socket/ip/tcp): an int; with ``buflen`` the
    option's bytes (at most ``buflen``).  Known structs decode: ``SO.PEERCRED`` to ``Ucred``,
    ``SO.LINGER`` to ``Linger``, ``SO.RCVTIMEO``/``SO.SNDTIMEO`` to nanoseconds (64-bit on
    every arch), ``TCP.INFO`` to ``TcpInfo``.

    https://man7.org/linux/man-pages/man2/getsockopt.2.html

    Raises:
        OSError: ENOPROTOOPT (an option the level or protocol lacks), EINVAL, ENOTSOCK
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``level`` or ``optname`` is not an int, a member or a name string of its
            namespace (a level without one takes ints only), before any call.
        ValueError: an unknown name in ``level`` or ``optname`` (before any call).
        OverflowError: ``buflen`` outside 0..65536 (before any call).
    """
    n = _num(sockfd)
    lv = flags_of(level, SOL, IPPROTO)
    opt = _optname(lv, optname)
    if buflen is not None:
        size = in_range(buflen, "buflen", 0, _MAX_OPTLEN)
        buf = _new("char[]", max(size, 1))
        length = _new("unsigned int *", size)
        call(_getsockopt, "getsockopt", n, lv, opt, buf, length)
        return _unpack(buf, min(length[0], size))
    if lv == _SOL_SOCKET:
        if opt == _SO_PEERCRED:
            cred = _struct_opt(n, lv, opt, "struct ucred *")
            return Ucred(cred.pid, cred.uid, cred.gid)
        if opt == _SO_LINGER:
            lg = _struct_opt(n, lv, opt, "struct linger *")
            return Linger(lg.l_onoff, lg.l_linger)
        if opt in _TIMEO:
            ns = _new("int64_t *")
            call(lib.ls_sock_timeo_get, "getsockopt", n, _TIMEO[opt], ns)
            return ns[0]
    elif lv == _IPPROTO_TCP and opt == _TCP_INFO:
        values = _new("int64_t[]", lib.LS_TCP_INFO_MAX)
        got = call(lib.ls_tcp_info, "getsockopt", n, values)
        return TcpInfo(*_unpack(values, got), *(None,) * (len(_TCP_INFO_FIELDS) - got))
    val = _new("int *")
    length = _new("unsigned int *", _INT_SIZE)
    call(_getsockopt, "getsockopt", n, lv, opt, val, length)
    return val[0]


def _struct_opt(n: int, level: int, opt: int, ctype: str) -> Any:
    out = _new(ctype)
    length = _new("unsigned int *", _sizeof(out[0]))
    call(_getsockopt, "getsockopt", n, level, opt, out, length)
    return out


# Each level's namespace of option names, where linuxsys has one.
_OPT_NAMESPACES = {lib.SOL_SOCKET: "SO", lib.IPPROTO_TCP: "TCP", lib.IPPROTO_IP: "IP",
                   lib.IPPROTO_IPV6: "IPV6"}


def _optname(level: int, optname: FlagArg) -> int:
    if type(optname) is int:
        return optname
    ns = _OPT_NAMESPACES.get(level)
    if ns is None:
        if isinstance(optname, int) and not isinstance(optname, str):
            return int(optname)
        raise TypeError(f"level {level}'s options are ints")
    return to_int(optname, NAMESPACES[ns])


def setsockopt(sockfd: FdArg, level: FlagArg, optname: FlagArg, optval: Any) -> None:
    """Set a socket option (man 2 setsockopt): ``optval`` an int (an ``int`` option), a
    bytes-like object (as it is), a ``Linger``/pair for ``SO.LINGER``, nanoseconds for
    ``SO.RCVTIMEO``/``SO.SNDTIMEO`` (rounded up to microseconds; 0 = never time out).

    https://man7.org/linux/man-pages/man2/setsockopt.2.html

    Raises:
        PermissionError: an option that needs a privilege (EPERM: ``SO.MARK`` without
            CAP_NET_ADMIN ...).
        OSError: ENOPROTOOPT (an option the level or protocol lacks), EINVAL (a value or size
            the option refuses), ENOTSOCK (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``optval`` is none of those forms, or ``level`` or ``optname`` not an int,
            member or name string (before any call).
        ValueError: an unknown name, a ``SO.LINGER`` tuple not of two items (before any call).
        OverflowError: an int ``optval`` past a C int, a negative timeout (before any call).
    """
    n = _num(sockfd)
    lv = flags_of(level, SOL, IPPROTO)
    opt = _optname(lv, optname)
    if lv == _SOL_SOCKET and opt in _TIMEO:
        if not isinstance(optval, int):
            raise TypeError(f"a timeout is an int of nanoseconds, not {type(optval).__name__}")
        ns = in_range(optval, "optval", 0, (1 << 63) - 1)
        call(lib.ls_sock_timeo_set, "setsockopt", n, _TIMEO[opt], ns)
        return
    if lv == _SOL_SOCKET and opt == _SO_LINGER and isinstance(optval, _TUPLE):
        onoff, seconds = optval
        lg = _new("struct linger *", {"l_onoff": onoff, "l_linger": seconds})
        call(_setsockopt, "setsockopt", n, lv, opt, lg, _sizeof(lg[0]))
        return
    if isinstance(optval, int):
        val = _new("int *", optval)  # OverflowError past an int, before the call
        call(_setsockopt, "setsockopt", n, lv, opt, val, _INT_SIZE)
        return
    data = view(optval)
    try:
        call(_setsockopt, "setsockopt", n, lv, opt, data, nbytes(data))
    finally:
        release(data, optval)


# ---- sending and receiving -------------------------------------------------------------------

def send(sockfd: FdArg, buf: Buffer, flags: FlagArg = 0) -> int:
    """Send on a connected socket; return the count sent (man 2 send).

    https://man7.org/linux/man-pages/man2/send.2.html

    Raises:
        BlockingIOError: a nonblocking socket whose send buffer is full (EAGAIN).
        BrokenPipeError: the connection is shut down for writing (EPIPE; Python ignores the
            SIGPIPE that comes with it unless ``MSG.NOSIGNAL``).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        OSError: ENOTCONN, EDESTADDRREQ (a socket not connected), EMSGSIZE (a datagram too
            large to go whole), ENOBUFS, ENOTSOCK ... (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``buf`` is not a bytes-like object, or ``flags`` not an int, ``MSG``
            member or name string (before any call).
        BufferError: ``buf`` is not C-contiguous (before any call).
        ValueError: an unknown name in ``flags`` (before any call).
    """
    # _num() inlined: the hot path (another local than the parameter, see _num)
    if type(sockfd) is int:
        n = sockfd
    elif type(sockfd) is Fd and sockfd._fd >= 0:
        n = sockfd._fd
    else:
        n = fdnum(sockfd)
    f = flags if type(flags) is int else to_int(flags, MSG)
    if type(buf) is bytes:  # cffi passes bytes as they are
        r = _send(n, buf, len(buf), f)
        while r < 0:
            if r != NEG_EINTR:
                raise OSError(-r, STRERROR[-r]) if r != _NEG_ENOSYS else error(-r, "sendto")
            r = _send(n, buf, len(buf), f)
        return r
    data = view(buf)
    try:
        return call(_send, "sendto", n, data, nbytes(data), f)
    finally:
        release(data, buf)


def sendto(sockfd: FdArg, buf: Buffer, dest_addr: Address, flags: FlagArg = 0) -> int:
    """Send a datagram to ``dest_addr``; return the count sent (man 2 sendto).

    https://man7.org/linux/man-pages/man2/sendto.2.html

    Raises:
        BlockingIOError: a nonblocking socket whose send buffer is full (EAGAIN).
        FileNotFoundError: no AF_UNIX path ``dest_addr`` (ENOENT).
        ConnectionRefusedError: no socket listens at an AF_UNIX ``dest_addr`` (ECONNREFUSED).
        PermissionError: a broadcast address without ``SO.BROADCAST``, a firewall rule
            (EACCES, EPERM).
        OSError: EMSGSIZE (a datagram too large), ENETUNREACH, EHOSTUNREACH, ENOTSOCK;
            before the call ENAMETOOLONG (an AF_UNIX path longer than sun_path) and ENODEV (an
            unknown interface name) ... (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``dest_addr`` is not of the socket domain's form (see the module doc), or
            another argument of the wrong type (before any call).
        ValueError: a host that is not an IP literal (no names are resolved), a path with a
            NUL byte, an unknown flag name (before any call).
        OverflowError: a port outside 0..65535 (before any call).
        BufferError: ``buf`` is not C-contiguous (before any call).
    """
    if type(sockfd) is int:
        n = sockfd
    elif type(sockfd) is Fd and sockfd._fd >= 0:
        n = sockfd._fd
    else:
        n = fdnum(sockfd)
    f = flags if type(flags) is int else to_int(flags, MSG)
    if type(sockfd) is Fd and type(sockfd._kind) is int:
        key = (sockfd._kind, dest_addr)
        try:
            raw = _encoded[key]
        except (KeyError, TypeError):
            raw = _encode(sockfd._kind, dest_addr)
    else:
        raw = _encode(_domain(sockfd, n), dest_addr)
    if type(buf) is bytes:
        r = _sendto(n, buf, len(buf), f, raw, len(raw))
        while r < 0:
            if r != NEG_EINTR:
                raise OSError(-r, STRERROR[-r]) if r != _NEG_ENOSYS else error(-r, "sendto")
            r = _sendto(n, buf, len(buf), f, raw, len(raw))
        return r
    data = view(buf)
    try:
        return call(_sendto, "sendto", n, data, nbytes(data), f, raw, len(raw))
    finally:
        release(data, buf)


def _recv_into(n: int, buf: Buffer, f: int, src: Any, srclen: Any) -> int:
    cbuf = writable(buf)
    try:
        return call(_recvfrom, "recvfrom", n, cbuf, nbytes(cbuf), f, src, srclen)
    finally:
        release(cbuf, buf)


@overload
def recv(sockfd: FdArg, n_or_buf: int, flags: FlagArg = 0) -> bytes: ...
@overload
def recv(sockfd: FdArg, n_or_buf: WriteableBuffer, flags: FlagArg = 0) -> int: ...


def recv(sockfd: FdArg, n_or_buf: Union[int, Buffer], flags: FlagArg = 0) -> Union[bytes, int]:
    """Receive up to ``n`` bytes and return them, or fill a writable buffer and return the
    count (man 2 recv); b'' / 0 once the peer shut down.

    https://man7.org/linux/man-pages/man2/recv.2.html

    Raises:
        BlockingIOError: a nonblocking socket with nothing waiting (EAGAIN).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        ConnectionRefusedError: a connected datagram socket's peer refused an earlier
            datagram (ECONNREFUSED).
        OSError: ENOTCONN (a stream socket not connected), ENOTSOCK ... (UnsupportedError for
            ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: a buffer that is not a writable bytes-like object, or ``flags`` not an
            int, ``MSG`` member or name string (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: a negative ``n``, an unknown flag name (before any call).
        OverflowError: an ``n`` past what a bytes object can hold (before any call).
    """
    if type(sockfd) is int:
        n = sockfd
    elif type(sockfd) is Fd and sockfd._fd >= 0:
        n = sockfd._fd
    else:
        n = fdnum(sockfd)
    f = flags if type(flags) is int else to_int(flags, MSG)
    if type(n_or_buf) is int and 0 <= n_or_buf <= SCRATCH_SIZE:  # the hot path, as read()'s
        try:
            pair = _copy_pop()
        except IndexError:
            pair = new_copy_buf()
        r = _recv(n, pair[0], n_or_buf, f)
        while r < 0:
            if r != NEG_EINTR:
                _copy_push(pair)
                raise OSError(-r, STRERROR[-r]) if r != _NEG_ENOSYS else error(-r, "recvfrom")
            r = _recv(n, pair[0], n_or_buf, f)
        data: bytes = pair[1][:r if r <= n_or_buf else n_or_buf]  # MSG.TRUNC: its length
        _copy_push(pair)
        return data
    if not isinstance(n_or_buf, int):
        return _recv_into(n, n_or_buf, f, _NULL, _NULL)
    count = read_size(n_or_buf)
    buf = alloc("char[]", count)
    got: bytes = _unpack(buf, min(call(_recv, "recvfrom", n, buf, count, f), count))
    return got


def recv_into(sockfd: FdArg, buf: Buffer, flags: FlagArg = 0) -> int:
    """recv() into a writable buffer: the count (socket.recv_into's name).

    https://man7.org/linux/man-pages/man2/recv.2.html

    Raises:
        BlockingIOError: a nonblocking socket with nothing waiting (EAGAIN).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        ConnectionRefusedError: a connected datagram socket's peer refused an earlier
            datagram (ECONNREFUSED).
        OSError: ENOTCONN (a stream socket not connected), ENOTSOCK ... (UnsupportedError for
            ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: a buffer that is not a writable bytes-like object, or ``flags`` not an
            int, ``MSG`` member or name string (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: an unknown flag name (before any call).
    """
    return _recv_into(_num(sockfd), buf, flags if type(flags) is int else to_int(flags, MSG),
                      _NULL, _NULL)


@overload
def recvfrom(sockfd: FdArg, n_or_buf: int, flags: FlagArg = 0) -> tuple[bytes, Address]: ...
@overload
def recvfrom(sockfd: FdArg, n_or_buf: WriteableBuffer, flags: FlagArg = 0
             ) -> tuple[int, Address]: ...


def recvfrom(sockfd: FdArg, n_or_buf: Union[int, Buffer], flags: FlagArg = 0
             ) -> tuple[Union[bytes, int], Address]:
    """recv() that also says who sent it (man 2 recvfrom): ``(data or count, address)``; the
    address is None on a connected stream socket.

    https://man7.org/linux/man-pages/man2/recvfrom.2.html

    Raises:
        BlockingIOError: a nonblocking socket with nothing waiting (EAGAIN).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        ConnectionRefusedError: a connected datagram socket's peer refused an earlier
            datagram (ECONNREFUSED).
        OSError: ENOTCONN (a stream socket not connected), ENOTSOCK ... (UnsupportedError for
            ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: a buffer that is not a writable bytes-like object, or ``flags`` not an
            int, ``MSG`` member or name string (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: a negative ``n``, an unknown flag name (before any call).
        OverflowError: an ``n`` past what a bytes object can hold (before any call).
    """
    n = _num(sockfd)
    f = flags if type(flags) is int else to_int(flags, MSG)
    try:
        ab = _addr_pop()
    except IndexError:
        ab = _new_addr_buf()
    try:
        if type(n_or_buf) is int and 0 <= n_or_buf <= SCRATCH_SIZE:
            try:
                pair = _copy_pop()
            except IndexError:
                pair = new_copy_buf()
            try:
                r = call(_recvfrom, "recvfrom", n, pair[0], n_or_buf, f, ab[0], ab[2])
                got: Union[bytes, int] = pair[1][:min(r, n_or_buf)]
            finally:
                _copy_push(pair)
        elif isinstance(n_or_buf, int):
            count = read_size(n_or_buf)
            big = alloc("char[]", count)
            got = _unpack(big, min(call(_recvfrom, "recvfrom", n, big, count, f, ab[0], ab[2]),
                                   count))
        else:
            got = _recv_into(n, n_or_buf, f, ab[0], ab[2])
        size = ab[2][0]
        raw = ab[1][0:min(size, _SS_SIZE)]
    finally:
        _addr_push(ab)
    if not size:
        return got, None
    try:
        return got, _decoded[raw]
    except KeyError:
        return got, _decode(raw)


# ---- messages: sendmsg/recvmsg, fds and credentials -------------------------------------------

def _control(ancdata: Iterable[Tuple[int, int, Any]]) -> tuple[Any, int]:
    """A control buffer holding ``ancdata``'s messages, and its length."""
    items: list[tuple[int, int, bytes]] = []
    for item in ancdata:
        if type(item) is not tuple or len(item) != 3:
            raise TypeError("ancillary data items are (level, type, data) triples")
        level, kind, data = item
        lv = flags_of(level, SOL, IPPROTO)
        t = kind if type(kind) is int else to_int(kind, SCM)
        if isinstance(data, _BYTES_LIKE):
            payload = bytes(data)
        elif isinstance(data, str):
            raise TypeError(f"ancillary data of ({lv}, {t}) is bytes-like, a list of fds or a "
                            f"Ucred, not str")
        elif lv == _SOL_SOCKET and t == _SCM_RIGHTS:
            # numbers taken now; the Fds stay open while the caller's ancdata holds them
            payload = bytes(_buffer(_new("int[]", [fdnum(x) for x in data])))
        elif lv == _SOL_SOCKET and t == _SCM_CREDENTIALS:
            if not isinstance(data, _TUPLE) or len(data) != 3:
                raise TypeError("SCM_CREDENTIALS data is a Ucred(pid, uid, gid) or bytes")
            pid, uid, gid = data
            payload = bytes(_buffer(_new("struct ucred *",
                                         {"pid": pid, "uid": uid, "gid": gid})))
        else:
            raise TypeError(f"ancillary data of ({lv}, {t}) is bytes-like, not "
                            f"{type(data).__name__}")
        items.append((lv, t, payload))
    total = sum(_cmsg_space(len(payload)) for _, _, payload in items)
    if not total:
        return _NULL, 0
    control = _new("char[]", total)
    at = 0
    for lv, t, payload in items:
        at = _cmsg_put(control, at, lv, t, payload, len(payload))
    return control, total


def sendmsg(sockfd: FdArg, buffers: Iterable[Buffer], ancdata: AncData = (),
            flags: FlagArg = 0, address: Optional[Address] = None) -> int:
    """Send the bytes of ``buffers`` in one message, with ancillary data (man 2 sendmsg):
    ``(level, type, data)`` triples, ``data`` bytes-like, or a list of fds for
    ``SCM.RIGHTS``, a ``Ucred`` for ``SCM.CREDENTIALS``.  ``address`` for an unconnected
    socket.  Returns the count of bytes sent.

    https://man7.org/linux/man-pages/man2/sendmsg.2.html

    Raises:
        BlockingIOError: a nonblocking socket whose send buffer is full (EAGAIN).
        BrokenPipeError: the connection is shut down for writing (EPIPE; Python ignores the
            SIGPIPE that comes with it unless ``MSG.NOSIGNAL``).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        PermissionError: ``SCM.CREDENTIALS`` the caller may not claim (EPERM).
        OSError: EBADF (an ``SCM.RIGHTS`` fd that is not open), EINVAL (ancillary data the
            socket refuses; more than 253 fds), EMSGSIZE (more than 1024 buffers, a datagram
            too large), ENOTCONN, ENOTSOCK; for ``address``, before the call, ENAMETOOLONG and
            ENODEV as bind() ... (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd``, or an Fd of ``SCM.RIGHTS``, is a closed Fd.
        TypeError: an ancillary item that is not a ``(level, type, data)`` triple or whose
            data is not of its type's form, a buffer that is not bytes-like, an ``address``
            not of the socket domain's form (before any call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: an unknown level, type or flag name, a host that is not an IP literal
            (before any call).
        OverflowError: a port outside 0..65535 (before any call).
    """
    n = _num(sockfd)
    f = flags if type(flags) is int else to_int(flags, MSG)
    raw = b"" if address is None else _encode(_domain(sockfd, n), address)
    anc = ancdata if isinstance(ancdata, (list, tuple)) else list(ancdata)  # Fds kept open
    control, controllen = _control(anc)
    iov, views = _iovecs(buffers, view)
    try:
        return call(_sendmsg, "sendmsg", n, iov, len(views), raw or _NULL, len(raw), control,
                    controllen, f)
    finally:
        _release_views(views)


def send_fds(sockfd: FdArg, buffers: Iterable[Buffer], fds: Iterable[FdArg],
             flags: FlagArg = 0, address: Optional[Address] = None) -> int:
    """sendmsg() of ``buffers`` with the fds ``fds`` (SCM_RIGHTS; socket.send_fds).

    https://man7.org/linux/man-pages/man2/sendmsg.2.html

    Raises:
        BlockingIOError: a nonblocking socket whose send buffer is full (EAGAIN).
        BrokenPipeError: the connection is shut down for writing (EPIPE; Python ignores the
            SIGPIPE that comes with it unless ``MSG.NOSIGNAL``).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        OSError: EBADF (an fd of ``fds`` that is not open), EINVAL (more than 253 fds),
            ENOTCONN, ENOTSOCK ... (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd``, or an Fd of ``fds``, is a closed Fd.
        TypeError: ``fds`` is not an iterable of fds (a str or bytes-like object is not), a
            buffer not bytes-like, ``address`` not of the socket domain's form (before any
            call).
        ValueError: an unknown flag name, a host that is not an IP literal (before any call).
    """
    if isinstance(fds, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"fds is an iterable of fds, not {type(fds).__name__}")
    return sendmsg(sockfd, buffers, [(_SOL_SOCKET, _SCM_RIGHTS, list(fds))], flags, address)


def _take_fds(control: Any, off: int, length: int) -> list[Fd]:
    """Owning Fds for the fds of an SCM_RIGHTS payload (installed in this process already)."""
    nums = _unpack(ffi.cast("int *", control + off), length // _INT_SIZE)
    return [Fd(x) for x in nums]


def _receive(sockfd: FdArg, bufsize: int, ancbufsize: int, flags: FlagArg,
             inheritable: bool) -> tuple[bytes, list[tuple[int, int, Any]], int, Address]:
    n = _num(sockfd)
    count = read_size(bufsize)
    if (isinstance(ancbufsize, int)  # pyright: ignore[reportUnnecessaryIsInstance]: a caller's
            and ancbufsize < 0):
        raise ValueError("negative buffer size in recvmsg()")  # socket's error
    anc = in_range(ancbufsize, "ancbufsize", 0, 1 << 24)
    f = flags if type(flags) is int else to_int(flags, MSG)
    # The kernel echoes MSG_CMSG_CLOEXEC in msg_flags: not shown when only linuxsys added it.
    hide = 0 if inheritable or f & _MSG_CMSG_CLOEXEC else _MSG_CMSG_CLOEXEC
    f |= hide
    buf = alloc("char[]", max(count, 1))
    control = _new("char[]", max(anc, 1))
    controllen = _new("size_t *", anc)
    name = _new("struct sockaddr_storage *")
    namelen = _new("unsigned int *")
    msg_flags = _new("int *")
    r = call(_recvmsg, "recvmsg", n, buf, count, name, namelen, control, controllen, f,
             msg_flags)
    got = min(r, count)
    clen = min(controllen[0], anc)
    rows = _new("int64_t[]", 4 * (clen // _sizeof("int") + 1))
    nrows = _cmsg_rows(control, clen, rows, clen // _sizeof("int") + 1)
    flat = _unpack(rows, 4 * nrows)
    truncated = msg_flags[0] & _MSG_CTRUNC
    ancdata: list[tuple[int, int, Any]] = []
    for i in range(0, len(flat), 4):
        level, kind, off, length = flat[i:i + 4]
        if level == _SOL_SOCKET and kind == _SCM_RIGHTS:
            fds = _take_fds(control, off, length)
            if truncated:  # some fds did not fit: none is handed over, every one closed
                for fd in fds:
                    fd.close()
                continue
            ancdata.append((level, kind, fds))
        elif level == _SOL_SOCKET and kind == _SCM_CREDENTIALS and length >= _sizeof(
                "struct ucred"):
            cred = ffi.cast("struct ucred *", control + off)
            ancdata.append((level, kind, Ucred(cred.pid, cred.uid, cred.gid)))
        elif level == _SOL_SOCKET and kind in _SCM_TIMESTAMPNS:
            ancdata.append((level, kind, lib.ls_cmsg_timespec_ns(control + off, length)))
        else:
            ancdata.append((level, kind, _unpack(control + off, length)))
    raw = bytes(_buffer(name, min(namelen[0], _SS_SIZE)))
    return _unpack(buf, got), ancdata, msg_flags[0] & ~hide, _decode(raw) if raw else None


def recvmsg(sockfd: FdArg, bufsize: int, ancbufsize: int = 0, flags: FlagArg = 0, *,
            inheritable: bool = False) -> tuple[bytes, list[tuple[int, int, Any]], int, Address]:
    """Receive a message and its ancillary data (man 2 recvmsg): ``(data, ancdata,
    msg_flags, address)``, ``ancdata`` as ``(level, type, data)`` triples (``SCM.RIGHTS``
    as owning Fds, close-on-exec unless ``inheritable`` -- close them; ``SCM.CREDENTIALS`` as
    a ``Ucred``; ``SCM.TIMESTAMPNS`` as ns; others bytes).  With ``MSG.CTRUNC`` in msg_flags
    (``ancbufsize`` too small) the fds that arrived are closed, not given.

    https://man7.org/linux/man-pages/man2/recvmsg.2.html

    Raises:
        BlockingIOError: a nonblocking socket with nothing waiting (EAGAIN).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        ConnectionRefusedError: a connected datagram socket's peer refused an earlier
            datagram (ECONNREFUSED).
        OSError: ENOTCONN (a stream socket not connected), ENOTSOCK ... (UnsupportedError for
            ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: an argument of the wrong type (before any call).
        ValueError: a negative ``bufsize`` or ``ancbufsize``, an unknown flag name (before any
            call).
        OverflowError: ``ancbufsize`` past 16 MiB, ``bufsize`` past what a bytes object can
            hold (before any call).
    """
    return _receive(sockfd, bufsize, ancbufsize, flags, inheritable)


def recv_fds(sockfd: FdArg, bufsize: int, maxfds: int, flags: FlagArg = 0, *,
             inheritable: bool = False) -> tuple[bytes, list[Fd], int, Address]:
    """Receive up to ``maxfds`` fds with a message (socket.recv_fds): ``(data, [Fd],
    msg_flags, address)``.  More fds than ``maxfds`` sent: MSG.CTRUNC, and none is kept.

    https://man7.org/linux/man-pages/man2/recvmsg.2.html

    Raises:
        BlockingIOError: a nonblocking socket with nothing waiting (EAGAIN).
        ConnectionResetError: the peer reset the connection (ECONNRESET).
        ConnectionRefusedError: a connected datagram socket's peer refused an earlier
            datagram (ECONNREFUSED).
        OSError: ENOTCONN (a stream socket not connected), ENOTSOCK ... (UnsupportedError for
            ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: an argument of the wrong type (before any call).
        ValueError: a negative ``bufsize``, an unknown flag name (before any call).
        OverflowError: ``maxfds`` outside 0..253 (SCM_MAX_FD), ``bufsize`` past what a bytes
            object can hold (before any call).
    """
    count = in_range(maxfds, "maxfds", 0, 253)  # SCM_MAX_FD
    data, anc, msg_flags, address = _receive(sockfd, bufsize, _cmsg_space(count * _INT_SIZE),
                                             flags, inheritable)
    fds = [fd for level, kind, payload in anc if level == _SOL_SOCKET and kind == _SCM_RIGHTS
           for fd in payload]
    return data, fds, msg_flags, address


# ---- batches: sendmmsg/recvmmsg -----------------------------------------------------------

def sendmmsg(sockfd: FdArg, messages: Iterable[Tuple[Buffer, Optional[Address]]],
             flags: FlagArg = 0) -> int:
    """Send several datagrams in one call (man 2 sendmmsg): ``messages`` as ``(data,
    address)`` pairs (address None on a connected socket).  Returns how many were sent (the
    first ones; an error after the first is left for the next call, as the kernel does).

    https://man7.org/linux/man-pages/man2/sendmmsg.2.html

    Raises:
        BlockingIOError: a nonblocking socket with no room for the first (EAGAIN).
        PermissionError: a broadcast address without ``SO.BROADCAST``, a firewall rule
            (EACCES, EPERM).
        OSError: the first datagram's error (EMSGSIZE, ENETUNREACH, EDESTADDRREQ, ENOTSOCK
            ...); for an address, before the call, ENAMETOOLONG and ENODEV as bind()
            (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: ``messages`` is one buffer, or an item is not a ``(data, address)`` pair
            of a bytes-like object and an address of the socket domain's form (before any
            call).
        BufferError: a buffer that is not C-contiguous (before any call).
        ValueError: not 1 to 1024 messages, a host that is not an IP literal, an unknown flag
            name (before any call).
        OverflowError: a port outside 0..65535 (before any call).
    """
    n = _num(sockfd)
    f = flags if type(flags) is int else to_int(flags, MSG)
    if isinstance(messages, (str, bytes, bytearray, memoryview)):
        raise TypeError("sendmmsg's messages are (data, address) pairs, not one buffer")
    msgs = list(messages)
    if not 0 < len(msgs) <= _UIO_MAXIOV:
        raise ValueError(f"sendmmsg sends 1 to {_UIO_MAXIOV} messages, not {len(msgs)}")
    domain = None
    names = _new("char[]", _SS_SIZE * len(msgs))
    namelens = _new("unsigned int[]", len(msgs))
    for i, item in enumerate(msgs):
        if type(item) is not tuple or len(item) != 2:
            raise TypeError("sendmmsg's messages are (data, address) pairs")
        if item[1] is not None:
            if domain is None:
                domain = _domain(sockfd, n)
            raw = _encode(domain, item[1])
            ffi.memmove(names + i * _SS_SIZE, raw, len(raw))
            namelens[i] = len(raw)
    iov, views = _iovecs((m[0] for m in msgs), view)
    try:
        return call(_sendmmsg, "sendmmsg", n, iov, names, namelens, len(msgs), f)
    finally:
        _release_views(views)


class MmsgReceiver:
    """Buffers for recvmmsg of up to ``vlen`` datagrams of ``bufsize`` bytes, set up once and
    reused by every ``recvmmsg()`` call (man 2 recvmmsg)."""

    __slots__ = ("vlen", "bufsize", "_msgs", "_iov", "_bufs", "_names", "_rows", "_data",
                 "_addrs")

    def __init__(self, vlen: int, bufsize: int) -> None:
        self.vlen = in_range(vlen, "vlen", 1, _UIO_MAXIOV)
        self.bufsize = in_range(bufsize, "bufsize", 1, SCRATCH_SIZE * 16)
        self._msgs = _new("struct mmsghdr[]", vlen)
        self._iov = _new("struct iovec[]", vlen)
        self._bufs = alloc("char[]", vlen * bufsize)
        self._names = _new("struct sockaddr_storage[]", vlen)
        self._rows = _new("int64_t[]", 2 + 4 * vlen)
        lib.ls_mmsg_setup(self._msgs, self._iov, self._bufs, bufsize, self._names, vlen)
        self._data = _buffer(self._bufs)
        self._addrs = _buffer(self._names)

    def recvmmsg(self, sockfd: FdArg, flags: FlagArg = 0, timeout_ns: Optional[int] = None
                 ) -> list[tuple[bytes, Address, int]]:
        """Receive up to ``vlen`` datagrams in one call: ``[(data, address, msg_flags)]``
        (data cut to ``bufsize``, ``MSG.TRUNC`` in its flags then).  ``timeout_ns`` bounds
        the wait for more once one arrived (the kernel checks it between datagrams; with
        ``MSG.WAITFORONE`` the call returns once there is one).  Uses recvmmsg_time64 on 32-bit
        arches.

        https://man7.org/linux/man-pages/man2/recvmmsg.2.html

        Raises:
            BlockingIOError: a nonblocking socket with no datagram waiting (EAGAIN).
            ConnectionRefusedError: a connected socket's peer refused an earlier datagram
                (ECONNREFUSED).
            OSError: ENOTSOCK, EINVAL ... (UnsupportedError for ENOSYS).
            ClosedFdError: ``sockfd`` is a closed Fd.
            TypeError: an argument of the wrong type (before any call).
            ValueError: an unknown flag name (before any call).
            OverflowError: a ``timeout_ns`` past 63 bits (before any call).
        """
        n = _num(sockfd)
        f = flags if type(flags) is int else to_int(flags, MSG)
        if timeout_ns is None or timeout_ns < 0:
            ns = -1
            deadline = 0
        else:
            ns = in_range(timeout_ns, "timeout_ns", 0, (1 << 63) - 1)
            deadline = _monotonic_ns() + ns
        rows = self._rows
        r = _recvmmsg(n, self._msgs, self.vlen, f, ns, rows)
        while r < 0:
            if r != NEG_EINTR:
                raise error(-r, "recvmmsg")
            if ns >= 0:
                ns = max(deadline - _monotonic_ns(), 0)
            r = _recvmmsg(n, self._msgs, self.vlen, f, ns, rows)
        if not r:
            return []
        head = _unpack(rows, r + 2)
        # the payloads lie together at the buffer's start: one copy, then bytes slices
        blob = self._data[0:head[-1]]
        offsets = head[1:]
        if head[0]:  # one sender, no flags: its address once
            raw = self._addrs[0:rows[r + 3]]
            addr = _decoded.get(raw)
            if addr is None:
                addr = _decode(raw) if raw else None
            return [(blob[a:b], addr, 0) for a, b in zip(offsets, offsets[1:])]
        info = _unpack(rows + r + 2, 3 * r)
        firsts = info[0::3]
        addrs = {}
        for i in set(firsts):  # each sender once (the C side matched equal addresses)
            raw = self._addrs[i * _SS_SIZE:i * _SS_SIZE + info[3 * i + 1]]
            addr = _decoded.get(raw)
            addrs[i] = addr if addr is not None else _decode(raw) if raw else None
        return [(blob[a:b], addrs[i], msg_flags) for a, b, i, msg_flags
                in zip(offsets, offsets[1:], firsts, info[2::3])]


_receivers: dict[tuple[int, int], deque[MmsgReceiver]] = {}


def recvmmsg(sockfd: FdArg, vlen: int, bufsize: int, flags: FlagArg = 0,
             timeout_ns: Optional[int] = None) -> list[tuple[bytes, Address, int]]:
    """Receive up to ``vlen`` datagrams of at most ``bufsize`` bytes in one call (man 2
    recvmmsg): ``[(data, address, msg_flags)]``; see ``MmsgReceiver.recvmmsg``, whose buffers
    this reuses between calls.

    https://man7.org/linux/man-pages/man2/recvmmsg.2.html

    Raises:
        BlockingIOError: a nonblocking socket with no datagram waiting (EAGAIN).
        ConnectionRefusedError: a connected socket's peer refused an earlier datagram
            (ECONNREFUSED).
        OSError: ENOTSOCK, EINVAL ... (UnsupportedError for ENOSYS).
        ClosedFdError: ``sockfd`` is a closed Fd.
        TypeError: an argument of the wrong type (before any call).
        ValueError: an unknown flag name (before any call).
        OverflowError: ``vlen`` outside 1..1024, ``bufsize`` outside 1..1048576, a
            ``timeout_ns`` past 63 bits (before any call).
    """
    key = (vlen, bufsize)
    pool = _receivers.get(key)
    if pool is None:
        if len(_receivers) >= 16:
            _receivers.clear()
        pool = _receivers[key] = deque()
    try:
        rx = pool.pop()
    except IndexError:
        rx = MmsgReceiver(vlen, bufsize)
    try:
        return rx.recvmmsg(sockfd, flags, timeout_ns)
    finally:
        pool.append(rx)


def _force_socketcall(on: bool) -> bool:  # pyright: ignore[reportUnusedFunction]: the tests use it
    """Tests: route every socket call through socketcall(2) (i686 only; False elsewhere)."""
    return lib.ls_force_socketcall(1 if on else 0) == 0


methods(bind, listen, accept, accept4, connect, shutdown, getsockname, getpeername,
        getsockopt, setsockopt, send, sendto, recv, recv_into, recvfrom, sendmsg, recvmsg,
        send_fds, recv_fds, sendmmsg, recvmmsg)

__all__ = ["socket", "socketpair", "bind", "listen", "accept", "accept4", "connect",
           "shutdown", "getsockname", "getpeername", "getsockopt", "setsockopt", "send",
           "sendto", "recv", "recv_into", "recvfrom", "sendmsg", "recvmsg", "send_fds",
           "recv_fds", "sendmmsg", "recvmmsg", "MmsgReceiver", "Ucred", "Linger", "TcpInfo"]
