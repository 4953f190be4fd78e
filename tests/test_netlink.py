"""linuxsys.netlink against the real kernel, with iproute2's `ip -j` (and `genl`, and
/sys/class/net in a private sysfs mount) as the oracle: what linuxsys lists equals what `ip`
lists, what linuxsys creates `ip` sees, and what `ip` creates linuxsys sees.

Every test that creates, changes or lists links, addresses, routes or neighbours runs in a
forked child that first unshares its network namespace (and checks that it did) -- never on the
host's interfaces; traffic flows only between namespaces the test made.  Only read-only generic
netlink queries and socket basics run in the pytest process itself."""
import ctypes
import errno
import faulthandler
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import time
import traceback

import pytest

import linuxsys as L
from conftest import EMULATED, is_open, raises_errno

pytestmark = [
    pytest.mark.skipif(shutil.which("ip") is None, reason="iproute2's ip (the oracle) is missing"),
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

from linuxsys import netlink as NL  # noqa: E402  (after the skip marks: the import may fail first)

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_REC, MS_PRIVATE = 0x4000, 1 << 18
SEC = 1_000_000_000
HOST_NETNS = os.readlink("/proc/self/ns/net")
CHILD_TIMEOUT = 300 if EMULATED else 90
_libc = ctypes.CDLL(None, use_errno=True)

SCOPES = {"global": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255}
PROTOCOLS = {"unspec": 0, "redirect": 1, "kernel": 2, "boot": 3, "static": 4, "ra": 9, "dhcp": 16}
FAMILIES = {"inet": socket.AF_INET, "inet6": socket.AF_INET6}
# The ifi_flags that `ip` prints by name (it leaves RUNNING out and adds M-DOWN/NO-CARRIER).
IP_FLAGS = ("UP", "BROADCAST", "LOOPBACK", "POINTOPOINT", "MULTICAST", "NOARP", "PROMISC",
            "ALLMULTI", "LOWER_UP", "DORMANT", "MASTER", "SLAVE")
NUD_NAMES = ("INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT")


# ---- running in a private network namespace ----------------------------------------------

def _check(ret, what):
    if ret != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")


def unshare(flags):
    _check(_libc.unshare(flags), "unshare")


def setns(fd, nstype=CLONE_NEWNET):
    _check(_libc.setns(fd.fileno() if hasattr(fd, "fileno") else fd, nstype), "setns")


def new_netns():
    """Move the calling (child) process into a new network namespace; assert it did before
    anything can change.  Returns the namespace's id ("net:[...]")."""
    before = os.readlink("/proc/self/ns/net")
    unshare(CLONE_NEWNET)
    now = os.readlink("/proc/self/ns/net")
    assert now != before and now != HOST_NETNS, (before, now)
    return now


def in_netns(fn, *args):
    """Run fn(*args) in a forked child inside a fresh network namespace.

    The child reports through a pipe: a failure comes back with its traceback text (the test
    fails with it), pytest.skip() in the child skips the test, a hang past CHILD_TIMEOUT or a
    crash dumps the child's Python stacks (faulthandler) and fails."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(r)
            out = os.fdopen(w, "w", buffering=1)
            faulthandler.enable(file=out)
            faulthandler.dump_traceback_later(CHILD_TIMEOUT, exit=True, file=out)
            try:
                new_netns()
                fn(*args)
                out.write("\nOK\n")
                code = 0
            except pytest.skip.Exception as e:
                out.write(f"\nSKIP {e.msg}\n")
                code = 0
            except BaseException:
                out.write("\nFAIL\n" + traceback.format_exc())
            out.flush()
        finally:
            os._exit(code)
    os.close(w)
    chunks = []
    try:
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        _, status = os.waitpid(pid, 0)
    text = b"".join(chunks).decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    last = text.rstrip().rsplit("\n", 1)[-1] if text.strip() else ""
    if code == 0 and last.startswith("SKIP "):
        pytest.skip(last[5:])
    if code == 0 and last == "OK":
        return
    pytest.fail(f"child failed (exit status {code}):\n{text}", pytrace=False)


def in_netns_test(fn):
    """Decorator: the test body runs in in_netns()."""
    def test(*args):
        in_netns(fn, *args)
    test.__name__ = fn.__name__
    test.__doc__ = fn.__doc__
    return test


def sysctl(path, value):
    """Write a per-namespace sysctl under /proc/sys/net (only ever called after new_netns())."""
    assert os.readlink("/proc/self/ns/net") != HOST_NETNS
    with open(f"/proc/sys/net/{path}", "w") as f:
        f.write(str(value))


def quiet_ipv6():
    """No link-local addresses and no DAD on links made from now on in this namespace: the
    address lists stay still while linuxsys and ip are compared."""
    if os.path.exists("/proc/sys/net/ipv6/conf/default"):
        sysctl("ipv6/conf/default/addr_gen_mode", 1)
        sysctl("ipv6/conf/default/accept_dad", 0)


def private_sysfs():
    """A sysfs mount of this namespace at /sys, in a private mount namespace (of this child)."""
    assert os.readlink("/proc/self/ns/net") != HOST_NETNS
    unshare(CLONE_NEWNS)
    _check(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    _check(_libc.mount(b"sysfs", b"/sys", b"sysfs", 0, None), "mount sysfs")


def eventually(check, timeout=5.0):
    """Retry check() (which asserts) until it passes: operstate and carrier settle through the
    kernel's linkwatch work, a moment after the change."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def fds():
    return set(os.listdir("/proc/self/fd"))


def qemu_may_refuse(fn, *args, **kwargs):
    """Call fn; under qemu-user skip when it answers EOPNOTSUPP or EPROTONOSUPPORT: qemu
    translates only NETLINK_ROUTE (and a few others) and, of rtnetlink, only the link,
    address and route messages.  Natively the call must work."""
    try:
        return fn(*args, **kwargs)
    except OSError as e:
        if EMULATED and e.errno in (errno.EOPNOTSUPP, errno.EPROTONOSUPPORT):
            pytest.skip(f"qemu-user does not translate this netlink request: {e}")
        raise


# ---- the oracle ------------------------------------------------------------------------------

def ip(*args):
    p = subprocess.run(["ip", *args], capture_output=True, text=True)
    assert p.returncode == 0, f"ip {' '.join(args)}: {p.stderr.strip()}"
    return p.stdout


def ipj(*args):
    out = ip("-j", *args)
    return json.loads(out) if out.strip() else []


def ip_links():
    return {d["ifname"]: d for d in ipj("-d", "link", "show")}


def ip_addrs(*args, opts=()):
    """(index, family, address, prefixlen, scope, label) of every address `ip -j [opts] addr
    show [args]` lists."""
    out = set()
    for d in ipj(*opts, "addr", "show", *args):
        for a in d.get("addr_info", []):
            out.add((d["ifindex"], FAMILIES[a["family"]], a["local"], a["prefixlen"],
                     SCOPES[a["scope"]], a.get("label")))
    return out


def my_addrs(*args, **kwargs):
    return {(a.index, int(a.family), a.address, a.prefixlen, int(a.scope), a.label)
            for a in NL.addrs(*args, **kwargs)}


def ip_routes(*args, opts=()):
    """(dst, gateway, dev, metric, protocol, scope, type) of `ip -j [opts] route show ...`."""
    out = set()
    for d in ipj(*opts, "route", "show", *args):
        out.add((d["dst"], d.get("gateway"), d.get("dev"), d.get("metric", 0),
                 PROTOCOLS[d.get("protocol", "boot")], SCOPES[d.get("scope", "global")],
                 d.get("type", "unicast")))
    return out


RTN_NAMES = {1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast",
             6: "blackhole", 7: "unreachable", 8: "prohibit"}


def route_key(r):
    return (r.dst, r.gateway, r.dev, r.metric or 0, int(r.protocol), int(r.scope),
            RTN_NAMES[int(r.type)])


def my_routes(family=socket.AF_INET, table=254):
    """linuxsys's routes of one table (routes(table=None) may list every table)."""
    found = NL.routes(family=family, table=None if table == 254 else table)
    return {route_key(r) for r in found if int(r.table) == table}


def ip_neighbours(*args, opts=()):
    out = set()
    dev = args[args.index("dev") + 1] if "dev" in args else None  # ip leaves out what was asked
    for d in ipj(*opts, "neigh", "show", *args):
        d.setdefault("dev", dev)
        state = 0
        for name in d.get("state", []):
            state |= int(getattr(L.NUD, name))
        out.add((d["dst"], d.get("lladdr"), d["dev"], state))
    return out


def my_neighbours(*args, **kwargs):
    return {(n.dst, n.lladdr, n.dev, int(n.state)) for n in NL.neighbours(*args, **kwargs)}


def resolved(neighbours):
    """Without the NOARP entries (IPv6 multicast ones come and go with MLD)."""
    return {n for n in neighbours if not n[3] & int(L.NUD.NOARP)}


def check_neighbours(*args, opts=(), **kwargs):
    """neighbours(...) equals `ip -j neigh show nud all ...` (NOARP entries included)."""
    eventually(lambda: _assert_eq(my_neighbours(*args, **kwargs),
                                  ip_neighbours("nud", "all", *_dev(args), opts=opts)))


def _dev(args):
    return ("dev", args[0]) if args else ()


def flag_names(flags):
    return {name for name in IP_FLAGS if int(flags) & int(getattr(L.IFF, name))}


def check_links_match_ip():
    """links() equals `ip -j -d link` field by field; link(name) and link(index) agree."""
    mine = NL.links()
    theirs = ip_links()
    assert sorted(x.name for x in mine) == sorted(theirs)
    index_of = {name: d["ifindex"] for name, d in theirs.items()}
    for x in mine:
        d = theirs[x.name]
        assert x.index == d["ifindex"], x
        assert x.mtu == d["mtu"], x
        assert x.address == d.get("address"), x
        assert x.operstate == d["operstate"], x
        assert flag_names(x.flags) == set(d["flags"]) & set(IP_FLAGS), (x, d["flags"])
        assert x.kind == d.get("linkinfo", {}).get("info_kind"), x
        assert x.master == (index_of[d["master"]] if "master" in d else None), x
        assert _same_link(NL.link(x.name), x)
        assert _same_link(NL.link(x.index), x)
    return mine


def _same_link(a, b):
    """Two Link snapshots of an unchanged link (stats may move between them)."""
    fields = ("index", "name", "flags", "mtu", "address", "kind", "master", "operstate")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


# ---- links -----------------------------------------------------------------------------------

@in_netns_test
def test_links_match_ip():
    """What `ip` creates linuxsys lists: lo, a veth pair, a bridge with a port, a macvlan."""
    ip("link", "set", "lo", "up")
    ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    ip("link", "add", "br0", "type", "bridge")
    ip("link", "add", "mv0", "link", "v1", "type", "macvlan", "mode", "bridge")
    ip("link", "set", "v0", "master", "br0")
    ip("link", "set", "v0", "mtu", "1400", "address", "02:00:00:00:00:10")
    ip("link", "set", "br0", "up")
    ip("link", "set", "v0", "up")
    mine = eventually(check_links_match_ip)
    by_name = {x.name: x for x in mine}
    lo = by_name["lo"]
    assert lo.index == 1 and lo.flags & L.IFF.LOOPBACK and lo.flags & L.IFF.UP
    assert lo.kind is None and lo.master is None
    assert by_name["v0"].kind == "veth" and by_name["v0"].master == by_name["br0"].index
    assert by_name["v0"].mtu == 1400 and by_name["v0"].address == "02:00:00:00:00:10"
    assert by_name["br0"].kind == "bridge" and by_name["mv0"].kind == "macvlan"
    assert not by_name["v1"].flags & L.IFF.UP
    assert by_name["v0"].operstate == "LOWERLAYERDOWN"  # its peer is down
    stats = by_name["lo"].stats
    assert stats is not None and {"rx_packets", "tx_packets", "rx_bytes", "tx_bytes"} <= set(stats)


@in_netns_test
def test_links_match_sysfs():
    """links() against /sys/class/net of this namespace (a private sysfs mount)."""
    ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    ip("link", "add", "br0", "type", "bridge")
    ip("link", "set", "v0", "master", "br0")
    ip("link", "set", "lo", "up")
    try:
        private_sysfs()
    except OSError as e:
        if EMULATED:
            pytest.skip(f"qemu-user: cannot mount a private sysfs: {e}")
        raise
    names = sorted(os.listdir("/sys/class/net"))

    def check():
        mine = {x.name: x for x in NL.links()}
        assert sorted(mine) == names
        for name, x in mine.items():
            def sys(attr):
                with open(f"/sys/class/net/{name}/{attr}") as f:
                    return f.read().strip()
            assert x.index == int(sys("ifindex"))
            assert x.mtu == int(sys("mtu"))
            assert x.address == sys("address")
            assert x.operstate == sys("operstate").upper()
            stable = L.IFF.UP | L.IFF.BROADCAST | L.IFF.LOOPBACK | L.IFF.MULTICAST | L.IFF.NOARP
            assert int(x.flags) & int(stable) == int(sys("flags"), 16) & int(stable)
            master = f"/sys/class/net/{name}/master"
            if os.path.exists(master):
                assert x.master == mine[os.path.basename(os.readlink(master))].index
            else:
                assert x.master is None
    eventually(check)


@in_netns_test
def test_link_add_seen_by_ip():
    """What linuxsys creates `ip` sees: veth (with its peer), bridge, macvlan; mtu/address."""
    NL.link_add("v0", "veth", peer="v1")
    NL.link_add("br0", "bridge")
    NL.link_add("mv0", "macvlan", link="v0", mode="bridge")
    NL.link_add("v2", "veth", peer="v3", mtu=1280, address="02:00:00:00:00:02")
    theirs = ip_links()
    assert theirs["v0"]["linkinfo"]["info_kind"] == "veth"
    assert theirs["v0"]["link"] == "v1" and theirs["v1"]["link"] == "v0"  # each other's peer
    assert theirs["br0"]["linkinfo"]["info_kind"] == "bridge"
    mv = theirs["mv0"]
    assert mv["linkinfo"]["info_kind"] == "macvlan" and mv["link"] == "v0"
    assert mv["linkinfo"]["info_data"]["mode"] == "bridge"
    assert theirs["v2"]["mtu"] == 1280 and theirs["v2"]["address"] == "02:00:00:00:00:02"
    assert theirs["v3"]["mtu"] == 1500  # only the named end got them
    check_links_match_ip()
    with pytest.raises(FileExistsError):  # the kernel's EEXIST
        NL.link_add("v0", "veth", peer="v9")
    with pytest.raises(FileExistsError):
        NL.link_add("br0", "bridge")


def _optional_kind(make, kind):
    """Call make(); when the kernel has no driver for kind, the kernel's EOPNOTSUPP skips."""
    try:
        make()
    except OSError as e:
        if e.errno == errno.EOPNOTSUPP:
            pytest.skip(f"this kernel has no {kind} driver ({e})")
        raise


@in_netns_test
def test_link_add_dummy():
    _optional_kind(lambda: NL.link_add("d0", "dummy"), "dummy")
    theirs = ip_links()
    assert theirs["d0"]["linkinfo"]["info_kind"] == "dummy"
    assert NL.link("d0").kind == "dummy"
    NL.link_set("d0", state="up")
    assert "UP" in ip_links()["d0"]["flags"]
    NL.link_del("d0")
    assert "d0" not in ip_links()


@in_netns_test
def test_link_add_vlan():
    NL.link_add("v0", "veth", peer="v1")
    _optional_kind(lambda: NL.link_add("v0.5", "vlan", link="v0", id=5), "vlan")
    d = ip_links()["v0.5"]
    assert d["linkinfo"]["info_kind"] == "vlan" and d["link"] == "v0"
    assert d["linkinfo"]["info_data"]["id"] == 5
    assert d["linkinfo"]["info_data"]["protocol"] == "802.1Q"
    assert NL.link("v0.5").kind == "vlan"


@in_netns_test
def test_link_set():
    """state, mtu, name, address, master: each change seen by `ip`, by name and by index."""
    NL.link_add("v0", "veth", peer="v1")
    NL.link_add("br0", "bridge")
    NL.link_set("v0", state="up")
    assert "UP" in ip_links()["v0"]["flags"]
    eventually(lambda: _assert_eq(ip_links()["v0"]["operstate"], "LOWERLAYERDOWN"))
    NL.link_set("v1", state="up")
    eventually(lambda: _assert_eq(ip_links()["v0"]["operstate"], "UP"))
    eventually(lambda: _assert_eq(NL.link("v0").operstate, "UP"))
    assert NL.link("v0").flags & L.IFF.LOWER_UP
    NL.link_set("v0", state="down")
    assert "UP" not in ip_links()["v0"]["flags"]
    assert not NL.link("v0").flags & L.IFF.UP
    NL.link_set("v0", mtu=1300)
    assert ip_links()["v0"]["mtu"] == 1300 and NL.link("v0").mtu == 1300
    index = NL.link("v0").index
    NL.link_set(index, mtu=1200)  # by index
    assert ip_links()["v0"]["mtu"] == 1200
    NL.link_set("v0", address="02:11:22:33:44:55")
    assert ip_links()["v0"]["address"] == "02:11:22:33:44:55"
    NL.link_set("v0", name="renamed0")
    theirs = ip_links()
    assert "v0" not in theirs and theirs["renamed0"]["ifindex"] == index
    assert NL.link(index).name == "renamed0"
    NL.link_set("renamed0", master="br0")
    assert ip_links()["renamed0"]["master"] == "br0"
    assert NL.link("renamed0").master == NL.link("br0").index
    NL.link_set("v1", master=NL.link("br0").index)  # a master given by index
    assert ip_links()["v1"]["master"] == "br0"
    NL.link_set("v1", mtu=1500, state="down")  # several changes in one call
    d = ip_links()["v1"]
    assert d["mtu"] == 1500 and "UP" not in d["flags"]
    check_links_match_ip()
    with pytest.raises(OSError) as ei:
        NL.link_set("v1", mtu=10)  # below the minimum: the kernel refuses
    assert ei.value.errno == errno.EINVAL


def _assert_eq(a, b):
    assert a == b, (a, b)


def _names():
    return {x.name for x in NL.links()}


@in_netns_test
def test_link_set_netns_fd():
    """A veth end moved into another namespace held by an Fd (link_set netns= and link_add
    peer_netns=); seen there by linuxsys and by ip."""
    home = L.open("/proc/self/ns/net", L.O.RDONLY)  # namespace A (the test's)
    with home:
        new_netns()  # namespace B
        NL.link_add("m0", "veth", peer="m1")
        NL.link_set("m1", netns=home)
        NL.link_add("p0", "veth", peer="p1", peer_netns=home)
        assert {"m0", "p0"} <= _names() and not {"m1", "p1"} & _names()
        assert not {"m1", "p1"} & set(ip_links())
        b = L.open("/proc/self/ns/net", L.O.RDONLY)
        with b:
            setns(home)
            assert {"m1", "p1"} <= _names() and not {"m0", "p0"} & _names()
            assert {"m1", "p1"} <= set(ip_links())
            # and back, by Fd through link_set
            NL.link_set("m1", netns=b)
            assert "m1" not in _names()
            setns(b)
            assert {"m0", "m1"} <= _names()
            assert ip_links()["m0"]["link"] == "m1"


def _holder():
    """A grandchild in its own network namespace, alive until the returned release() runs."""
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(w1)
            os.close(r2)
            unshare(CLONE_NEWNET)
            os.write(w2, b"x")
            os.read(r1, 1)  # until the parent writes or dies
        finally:
            os._exit(0)
    os.close(r1)
    os.close(w2)
    assert os.read(r2, 1) == b"x"
    os.close(r2)

    def release():
        os.close(w1)
        os.waitpid(pid, 0)
    return pid, release


@in_netns_test
def test_link_set_netns_pid():
    """A veth end moved into the namespace of a process given by pid."""
    pid, release = _holder()
    try:
        here = L.open("/proc/self/ns/net", L.O.RDONLY)
        with here:
            NL.link_add("n0", "veth", peer="n1")
            NL.link_set("n1", netns=pid)
            NL.link_add("q0", "veth", peer="q1", peer_netns=pid)
            assert "n1" not in _names() and "q1" not in _names()
            there = L.open(f"/proc/{pid}/ns/net", L.O.RDONLY)
            with there:
                setns(there)
                assert os.readlink("/proc/self/ns/net") == os.readlink(f"/proc/{pid}/ns/net")
                assert {"n1", "q1"} <= _names()
                assert {"n1", "q1"} <= set(ip_links())
                setns(here)
    finally:
        release()
    with pytest.raises(OSError) as ei:  # a pid that is gone
        NL.link_set("n0", netns=pid)
    assert ei.value.errno == errno.ESRCH


@in_netns_test
def test_link_del():
    NL.link_add("v0", "veth", peer="v1")
    NL.link_add("v2", "veth", peer="v3")
    NL.link_add("br0", "bridge")
    NL.link_del("v0")
    theirs = ip_links()
    assert "v0" not in theirs and "v1" not in theirs  # a veth goes with its peer
    NL.link_del(NL.link("v3").index)  # by index
    assert not {"v2", "v3"} & set(ip_links())
    ip("link", "add", "v4", "type", "veth", "peer", "name", "v5")  # made by ip
    NL.link_del("v4")
    assert sorted(ip_links()) == ["br0", "lo"] == sorted(_names())
    raises_errno(errno.ENODEV, NL.link_del, "v4")


@in_netns_test
def test_unknown_interface():
    """An unknown interface: OSError ENODEV whose filename is the name asked for."""
    for call in (lambda: NL.link("nosuch0"), lambda: NL.link_set("nosuch0", state="up"),
                 lambda: NL.link_del("nosuch0"), lambda: NL.addr_add("nosuch0", "10.9.0.1/24"),
                 lambda: NL.addr_del("nosuch0", "10.9.0.1/24"),
                 lambda: NL.neigh_add("nosuch0", "10.9.0.2", "02:00:00:00:00:01"),
                 lambda: NL.route_add("10.9.0.0/24", dev="nosuch0")):
        e = raises_errno(errno.ENODEV, call)
        assert e.filename == "nosuch0", e
        assert "nosuch0" in str(e)
    e = raises_errno(errno.ENODEV, NL.link, 9999)
    assert e.filename in (9999, "9999"), e


# ---- addresses -------------------------------------------------------------------------------

@in_netns_test
def test_addrs_match_ip():
    """What `ip` adds linuxsys lists: IPv4 with labels and scopes, IPv6, on lo and a veth."""
    quiet_ipv6()
    ip("link", "set", "lo", "up")
    ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    ip("addr", "add", "10.1.0.1/24", "dev", "v0", "label", "v0:one")
    ip("addr", "add", "10.1.0.2/24", "dev", "v0")
    ip("addr", "add", "10.1.1.1/32", "dev", "v0", "scope", "link")
    ip("addr", "add", "192.168.50.1/16", "dev", "v1", "scope", "host", "label", "v1:x")
    ip("addr", "add", "fd00::1/64", "dev", "v0")
    ip("addr", "add", "fd00:1::1/128", "dev", "v1", "scope", "link")
    assert my_addrs() == ip_addrs()
    assert my_addrs("v0") == ip_addrs("dev", "v0")
    assert my_addrs(ifname="v1") == ip_addrs("dev", "v1")
    assert my_addrs(family=socket.AF_INET6) == ip_addrs() - ip_addrs(opts=["-4"])
    assert my_addrs(family=L.AF.INET) == ip_addrs(opts=["-4"]) and len(ip_addrs(opts=["-4"])) == 5
    assert my_addrs("v0", family=socket.AF_INET) == ip_addrs("dev", "v0", opts=["-4"])
    by_addr = {a.address: a for a in NL.addrs()}
    assert by_addr["10.1.0.1"].label == "v0:one" and by_addr["10.1.0.2"].label == "v0"
    assert by_addr["10.1.1.1"].scope == L.RT_SCOPE.LINK
    assert by_addr["127.0.0.1"].scope == L.RT_SCOPE.HOST
    assert by_addr["fd00::1"].label is None and by_addr["fd00::1"].prefixlen == 64
    assert by_addr["fd00::1"].family == socket.AF_INET6
    raises_errno(errno.ENODEV, NL.addrs, "nosuch0")


@in_netns_test
def test_addr_add_del_seen_by_ip():
    """What linuxsys adds and deletes `ip` sees (label, scope, broadcast, IPv6)."""
    quiet_ipv6()
    NL.link_add("v0", "veth", peer="v1")
    NL.addr_add("v0", "10.1.0.1/24", label="v0:one")
    NL.addr_add("v0", "10.1.0.2/24", broadcast="10.1.0.255")
    NL.addr_add("v0", "10.1.1.1/32", scope=L.RT_SCOPE.LINK)
    NL.addr_add("v1", "172.16.0.1/12", scope=L.RT_SCOPE.HOST)
    NL.addr_add("v0", "fd00::1/64")
    NL.addr_add("v1", "fd00:2::1/64", scope=L.RT_SCOPE.LINK)  # IPv6 ignores it: global
    NL.addr_add("v1", "fe80::77/64")  # the scope of an IPv6 address is its prefix's
    theirs = ip_addrs()
    assert (NL.link("v0").index, socket.AF_INET, "10.1.0.1", 24, 0, "v0:one") in theirs
    assert (NL.link("v0").index, socket.AF_INET, "10.1.1.1", 32, 253, "v0") in theirs
    assert (NL.link("v1").index, socket.AF_INET, "172.16.0.1", 12, 254, "v1") in theirs
    assert (NL.link("v0").index, socket.AF_INET6, "fd00::1", 64, 0, None) in theirs
    assert (NL.link("v1").index, socket.AF_INET6, "fd00:2::1", 64, 0, None) in theirs
    assert (NL.link("v1").index, socket.AF_INET6, "fe80::77", 64, 253, None) in theirs
    v0 = ipj("addr", "show", "dev", "v0")[0]["addr_info"]
    assert [a.get("broadcast") for a in v0 if a["local"] == "10.1.0.2"] == ["10.1.0.255"]
    assert my_addrs() == theirs
    with pytest.raises(FileExistsError):
        NL.addr_add("v0", "10.1.0.1/24")
    NL.addr_del("v0", "10.1.0.1/24")
    NL.addr_del("v0", "fd00::1/64")
    theirs = ip_addrs()
    assert not {a for a in theirs if a[2] in ("10.1.0.1", "fd00::1")}
    assert my_addrs() == theirs
    raises_errno(errno.EADDRNOTAVAIL, NL.addr_del, "v0", "10.1.0.1/24")
    raises_errno(errno.EADDRNOTAVAIL, NL.addr_del, "v0", "fd00::1/64")


@in_netns_test
def test_many_addrs():
    """A dump of 600 addresses (many parts) is listed whole."""
    quiet_ipv6()
    ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    batch = "".join(f"addr add 10.{20 + i // 250}.{i % 250}.1/32 dev v0\n"
                    f"addr add fd00:{i:x}::1/128 dev v1\n" for i in range(300))
    p = subprocess.run(["ip", "-batch", "-"], input=batch, text=True, capture_output=True)
    assert p.returncode == 0, p.stderr
    mine = my_addrs()
    assert len(mine) == 600 and mine == ip_addrs()


# ---- routes ----------------------------------------------------------------------------------

def _routed_link():
    quiet_ipv6()
    ip("link", "set", "lo", "up")
    ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    ip("link", "set", "v0", "up")
    ip("link", "set", "v1", "up")
    ip("addr", "add", "10.1.0.1/24", "dev", "v0")
    ip("addr", "add", "fd00::1/64", "dev", "v0")


@in_netns_test
def test_routes_match_ip():
    """What `ip` adds linuxsys lists: default, prefixes, gateway, metric, table 100, IPv6."""
    _routed_link()
    ip("route", "add", "default", "via", "10.1.0.254")
    ip("route", "add", "10.2.0.0/24", "via", "10.1.0.254", "metric", "5")
    ip("route", "add", "10.3.0.0/16", "dev", "v0", "proto", "static")
    ip("route", "add", "10.4.0.0/24", "dev", "v0", "table", "100")
    ip("route", "add", "default", "via", "10.1.0.253", "table", "100", "metric", "7")
    ip("-6", "route", "add", "fd01::/64", "via", "fd00::fe")
    ip("-6", "route", "add", "default", "via", "fd00::fd", "metric", "9")
    main = my_routes()
    assert main == ip_routes()
    assert ("default", "10.1.0.254", "v0", 0, PROTOCOLS["boot"], 0, "unicast") in main
    assert ("10.1.0.0/24", None, "v0", 0, PROTOCOLS["kernel"], 253, "unicast") in main
    assert my_routes(table=100) == ip_routes("table", "100")
    assert my_routes(socket.AF_INET6) == ip_routes("table", "main", opts=["-6"])
    assert {r.dst for r in NL.routes(table=100)} == {"10.4.0.0/24", "default"}
    assert all(r.table == 100 for r in NL.routes(table=100))
    r = [r for r in NL.routes() if r.dst == "10.2.0.0/24"][0]
    assert (r.gateway, r.dev, r.oif, r.metric, r.table) == (
        "10.1.0.254", "v0", NL.link("v0").index, 5, L.RT_TABLE.MAIN)
    assert r.family == socket.AF_INET
    r6 = [r for r in NL.routes(family=L.AF.INET6) if r.dst == "default"][0]
    assert (r6.gateway, r6.metric, r6.family) == ("fd00::fd", 9, socket.AF_INET6)


@in_netns_test
def test_route_add_replace_del_seen_by_ip():
    _routed_link()
    NL.route_add("10.2.0.0/24", gateway="10.1.0.254")
    NL.route_add("default", gateway="10.1.0.254", metric=20)
    NL.route_add("10.3.0.0/16", dev="v0")
    NL.route_add("10.4.0.0/24", dev="v0", table=100)
    NL.route_add("10.5.0.0/24", gateway="10.1.0.250", table=100, metric=3)
    NL.route_add("fd01::/64", gateway="fd00::fe")
    NL.route_add("fd02::/64", dev="v0", metric=77)
    theirs = ipj("route", "show")
    by_dst = {d["dst"]: d for d in theirs}
    assert by_dst["10.2.0.0/24"]["gateway"] == "10.1.0.254" and by_dst["10.2.0.0/24"]["dev"] == "v0"
    assert by_dst["default"]["gateway"] == "10.1.0.254" and by_dst["default"]["metric"] == 20
    assert by_dst["10.3.0.0/16"]["dev"] == "v0" and by_dst["10.3.0.0/16"]["scope"] == "link"
    t100 = {d["dst"]: d for d in ipj("route", "show", "table", "100")}
    assert set(t100) == {"10.4.0.0/24", "10.5.0.0/24"} and t100["10.5.0.0/24"]["metric"] == 3
    v6 = {d["dst"]: d for d in ipj("-6", "route", "show")}
    assert v6["fd01::/64"]["gateway"] == "fd00::fe" and v6["fd02::/64"]["metric"] == 77
    assert my_routes() == ip_routes()
    assert my_routes(table=100) == ip_routes("table", "100")
    assert my_routes(socket.AF_INET6) == ip_routes("table", "main", opts=["-6"])
    with pytest.raises(FileExistsError):
        NL.route_add("10.2.0.0/24", gateway="10.1.0.254")
    NL.route_replace("10.2.0.0/24", gateway="10.1.0.253")
    NL.route_replace("10.6.0.0/24", dev="v0")  # replace creates when absent
    NL.route_replace("fd01::/64", gateway="fd00::fc")
    by_dst = {d["dst"]: d for d in ipj("route", "show")}
    assert by_dst["10.2.0.0/24"]["gateway"] == "10.1.0.253" and "10.6.0.0/24" in by_dst
    assert [d["gateway"] for d in ipj("-6", "route", "show") if d["dst"] == "fd01::/64"] == [
        "fd00::fc"]
    NL.route_del("10.2.0.0/24")
    NL.route_del("default", metric=20)
    NL.route_del("10.5.0.0/24", table=100)
    NL.route_del("fd02::/64", dev="v0", metric=77)
    dsts = {d["dst"] for d in ipj("route", "show")}
    assert not {"10.2.0.0/24", "default"} & dsts
    assert {d["dst"] for d in ipj("route", "show", "table", "100")} == {"10.4.0.0/24"}
    assert "fd02::/64" not in {d["dst"] for d in ipj("-6", "route", "show")}
    assert my_routes() == ip_routes()
    raises_errno(errno.ESRCH, NL.route_del, "10.2.0.0/24")
    raises_errno(errno.ENETUNREACH, NL.route_add, "10.7.0.0/24", gateway="192.0.2.1")


# ---- neighbours ------------------------------------------------------------------------------

@in_netns_test
def test_neighbours_match_ip():
    qemu_may_refuse(NL.neighbours)
    _routed_link()
    ip("neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "v0", "nud", "permanent")
    ip("neigh", "add", "10.1.0.10", "lladdr", "02:00:00:00:00:0a", "dev", "v0", "nud", "stale")
    ip("-6", "neigh", "add", "fd00::9", "lladdr", "02:00:00:00:00:0b", "dev", "v0")
    mine = resolved(my_neighbours())
    assert mine == ip_neighbours() and len(mine) == 3
    assert ("10.1.0.10", "02:00:00:00:00:0a", "v0", int(L.NUD.STALE)) in mine
    check_neighbours()
    check_neighbours(family=socket.AF_INET6, opts=["-6"])
    check_neighbours(family=socket.AF_INET, opts=["-4"])
    check_neighbours("v0")
    check_neighbours("v1")
    assert resolved(my_neighbours(family=socket.AF_INET6)) == {
        ("fd00::9", "02:00:00:00:00:0b", "v0", int(L.NUD.PERMANENT))}
    assert resolved(my_neighbours("v1")) == set()
    n = [n for n in NL.neighbours() if n.dst == "fd00::9"][0]
    assert (n.family, n.index, n.state) == (socket.AF_INET6, NL.link("v0").index,
                                            L.NUD.PERMANENT)


@in_netns_test
def test_neigh_add_del_seen_by_ip():
    qemu_may_refuse(NL.neighbours)
    _routed_link()
    NL.neigh_add("v0", "10.1.0.9", "02:00:00:00:00:09")
    NL.neigh_add("v0", "10.1.0.10", "02:00:00:00:00:0a", state=L.NUD.STALE)
    NL.neigh_add("v0", "fd00::9", "02:00:00:00:00:0b")
    theirs = ip_neighbours()
    assert theirs == {("10.1.0.9", "02:00:00:00:00:09", "v0", int(L.NUD.PERMANENT)),
                      ("10.1.0.10", "02:00:00:00:00:0a", "v0", int(L.NUD.STALE)),
                      ("fd00::9", "02:00:00:00:00:0b", "v0", int(L.NUD.PERMANENT))}
    assert resolved(my_neighbours()) == theirs
    check_neighbours()
    NL.neigh_del("v0", "10.1.0.9")
    NL.neigh_del("v0", "fd00::9")
    assert ip_neighbours() == {("10.1.0.10", "02:00:00:00:00:0a", "v0", int(L.NUD.STALE))}
    raises_errno(errno.ENOENT, NL.neigh_del, "v0", "10.1.0.9")


# ---- traffic between two namespaces ----------------------------------------------------------

@in_netns_test
def test_veth_between_namespaces_carries_udp():
    """Namespace A and B joined by a veth pair built with linuxsys (peer_netns=), addressed
    and brought up with linuxsys; a UDP datagram from A reaches B."""
    a = L.open("/proc/self/ns/net", L.O.RDONLY)
    with a:
        quiet_ipv6()
        new_netns()  # B
        quiet_ipv6()
        b = L.open("/proc/self/ns/net", L.O.RDONLY)
        with b:
            NL.link_add("vb", "veth", peer="va", peer_netns=a)
            NL.addr_add("vb", "10.77.0.2/24")
            NL.link_set("vb", state="up")
            rx = L.socket(L.AF.INET, L.SOCK.DGRAM)  # bound to B for its whole life
            with rx:
                L.bind(rx, ("10.77.0.2", 0))
                L.setsockopt(rx, L.SOL.SOCKET, L.SO.RCVTIMEO, SEC)
                port = L.getsockname(rx)[1]
                setns(a)
                NL.addr_add("va", "10.77.0.1/24")
                NL.link_set("va", state="up")
                eventually(lambda: _assert_eq(NL.link("va").operstate, "UP"))
                tx = L.socket(L.AF.INET, L.SOCK.DGRAM)  # in A
                with tx:
                    L.bind(tx, ("10.77.0.1", 0))
                    src = L.getsockname(tx)
                    payload = b"linuxsys netlink veth %d" % os.getpid()
                    for _ in range(10):  # lossy until the qdisc and ARP settle
                        L.sendto(tx, payload, ("10.77.0.2", port))
                        try:
                            data, addr = L.recvfrom(rx, 100)
                            break
                        except BlockingIOError:
                            continue
                    else:
                        raise AssertionError("the datagram never crossed the veth pair")
                    assert (data, addr) == (payload, src)
                    va = NL.link("va")
                    assert va.stats["tx_packets"] >= 1 and va.stats["tx_bytes"] > len(payload)
                    s = ipj("-s", "link", "show", "va")[0]["stats64"]
                    assert (va.stats["rx_packets"], va.stats["tx_packets"]) == (
                        s["rx"]["packets"], s["tx"]["packets"])
                    assert (va.stats["rx_bytes"], va.stats["tx_bytes"]) == (
                        s["rx"]["bytes"], s["tx"]["bytes"])
                setns(b)
                assert "vb" in _names() and "va" not in _names()


# ---- events ----------------------------------------------------------------------------------

def _collect(mon, want):
    """Events from mon until every (kind, action, key) in want was seen (RCVTIMEO ends a wait
    for an event that never comes)."""
    seen = []
    missing = set(want)
    try:
        for ev in mon.events():
            key = ev.obj.name if ev.kind == "link" else getattr(ev.obj, "address", None)
            seen.append((ev.kind, ev.action, key))
            missing.discard((ev.kind, ev.action, key))
            if not missing:
                return seen
    except (BlockingIOError, TimeoutError) as e:
        raise AssertionError(f"events {missing} never came; saw {seen}") from e
    raise AssertionError(f"events() ended; missing {missing}, saw {seen}")


@in_netns_test
def test_monitor_link_and_addr():
    quiet_ipv6()
    with NL.monitor(["link", "ipv4_ifaddr", "ipv6_ifaddr"]) as mon:
        L.setsockopt(mon.fd, L.SOL.SOCKET, L.SO.RCVTIMEO, 5 * SEC)
        NL.link_add("e0", "veth", peer="e1")
        NL.addr_add("e0", "10.5.0.1/24")
        NL.addr_del("e0", "10.5.0.1/24")
        ip("addr", "add", "fd00::5/64", "dev", "e1")  # made by ip, seen by linuxsys
        NL.link_del("e0")
        seen = _collect(mon, {("link", "new", "e0"), ("link", "new", "e1"),
                              ("addr", "new", "10.5.0.1"), ("addr", "del", "10.5.0.1"),
                              ("addr", "new", "fd00::5"), ("link", "del", "e0")})
        assert seen.index(("link", "new", "e0")) < seen.index(("addr", "new", "10.5.0.1"))
        assert seen.index(("addr", "del", "10.5.0.1")) < seen.index(("link", "del", "e0"))
        assert {k for k, _, _ in seen} <= {"link", "addr"}  # no route/neigh groups asked for
    with NL.monitor([L.RTNLGRP.LINK]) as mon:  # groups as members
        L.setsockopt(mon.fd, L.SOL.SOCKET, L.SO.RCVTIMEO, 5 * SEC)
        NL.link_add("br9", "bridge")
        _collect(mon, {("link", "new", "br9")})


@in_netns_test
def test_aio_netlink_events():
    """linuxsys.aio.netlink_events(mon): an async iterator over the monitor's events."""
    import asyncio
    from linuxsys import aio

    async def main():
        with NL.monitor([L.RTNLGRP.LINK]) as mon:
            events = aio.netlink_events(mon)
            NL.link_add("as0", "veth", peer="as1")
            seen = set()

            async def collect():
                async for ev in events:
                    if (ev.kind, ev.action) == ("link", "new"):
                        seen.add(ev.obj.name)
                    if {"as0", "as1"} <= seen:
                        return
            await asyncio.wait_for(collect(), 10)
            NL.link_del("as0")
            await asyncio.wait_for(_first(events, ("link", "del", "as0")), 10)
    asyncio.run(main())


async def _first(events, want):
    async for ev in events:
        if (ev.kind, ev.action, ev.obj.name) == want:
            return ev


@in_netns_test
def test_membership_and_nonblocking_recv():
    """Netlink.add_membership/recv: a nonblocking socket with nothing pending raises
    BlockingIOError; a link made afterwards arrives as RTM_NEWLINK."""
    with NL.Netlink() as nl:
        nl.add_membership(L.RTNLGRP.LINK)
        os.set_blocking(nl.fd.fileno(), False)
        with pytest.raises(BlockingIOError):
            nl.recv()
        ip("link", "add", "w0", "type", "veth", "peer", "name", "w1")
        deadline = time.monotonic() + 5
        names = set()
        while not {"w0", "w1"} <= names:
            assert time.monotonic() < deadline, names
            try:
                msgs = nl.recv()
            except BlockingIOError:
                time.sleep(0.01)
                continue
            for m in msgs:
                assert m.type == L.RTM.NEWLINK
                names.add(m.attrs.str(L.IFLA.IFNAME))
        nl.drop_membership(L.RTNLGRP.LINK)
        ip("link", "del", "w0")
        time.sleep(0.1)
        with pytest.raises(BlockingIOError):
            print(nl.recv())


# ---- the netlink core ------------------------------------------------------------------------

def test_netlink_socket_basics():
    """Netlink(): a bound AF_NETLINK socket, kernel-chosen port (as the socket module reads
    it), closed by close() and by the with block."""
    nl = NL.Netlink()
    try:
        assert nl.protocol == L.NETLINK.ROUTE
        s = socket.socket(fileno=os.dup(nl.fd.fileno()))
        with s:
            assert s.family == socket.AF_NETLINK
            assert s.getsockname() == (nl.port, 0)
            assert s.getsockopt(L.SOL_NETLINK, 11) == 1  # NETLINK_EXT_ACK
            assert s.getsockopt(L.SOL_NETLINK, 12) == 1  # NETLINK_GET_STRICT_CHK
        assert nl.port != 0
        n = nl.fd.fileno()
    finally:
        nl.close()
    assert not is_open(n) and nl.fd.closed
    nl.close()  # twice: no error
    with qemu_may_refuse(NL.Netlink, L.NETLINK.GENERIC) as g:
        assert g.protocol == L.NETLINK.GENERIC
        n = g.fd.fileno()
        with NL.Netlink(L.NETLINK.GENERIC) as g2:
            assert g2.port != g.port
    assert not is_open(n)


def netlink(*args):
    """NL.Netlink(*args) that gives up a wait after 10 s (BlockingIOError): a request the
    kernel never answers fails the test instead of hanging it."""
    nl = NL.Netlink(*args)
    L.setsockopt(nl.fd, L.SOL.SOCKET, L.SO.RCVTIMEO, 10 * SEC)
    return nl


def ifinfomsg():
    return NL.ffi.new("struct ifinfomsg *")


@in_netns_test
def test_dump_and_request():
    """dump(RTM_GETLINK) returns one RTM_NEWLINK per link with its ifinfomsg header and
    attributes; request() returns the replies before the ack."""
    ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    theirs = ip_links()
    with netlink() as nl:
        msgs = nl.dump(L.RTM.GETLINK, ifinfomsg())
        assert all(m.type == L.RTM.NEWLINK for m in msgs)
        got = {m.attrs.str(L.IFLA.IFNAME): m for m in msgs}
        assert sorted(got) == sorted(theirs)
        for name, m in got.items():
            assert m.header.ifi_index == theirs[name]["ifindex"]
            assert m.attrs.u32(L.IFLA.MTU) == theirs[name]["mtu"]
            assert m.attrs[L.IFLA.IFNAME] == name.encode() + b"\0"
            assert m.attrs.get(L.IFLA.IFNAME) == m.attrs[L.IFLA.IFNAME]
            assert m.pid == nl.port
        info = got["v0"].attrs.nested(L.IFLA.LINKINFO)
        assert info.str(L.IFLA_INFO.KIND) == "veth"
        assert got["lo"].attrs.get(9999) is None and got["lo"].attrs.all(9999) == []
        seqs = {m.seq for m in msgs}
        assert len(seqs) == 1
        msgs2 = nl.dump(L.RTM.GETLINK, ifinfomsg())
        assert {m.seq for m in msgs2} != seqs  # the next sequence number
        # a doit request: RTM_GETLINK for one name answers with one RTM_NEWLINK
        one = nl.request(L.RTM.GETLINK, ifinfomsg(), [NL.nla(L.IFLA.IFNAME, "v1")])
        assert len(one) == 1 and one[0].type == L.RTM.NEWLINK
        assert one[0].header.ifi_index == theirs["v1"]["ifindex"]
        # a change with nothing to return: an empty list (the ack alone)
        assert nl.request(L.RTM.DELLINK, ifinfomsg(), [NL.nla(L.IFLA.IFNAME, "v0")]) == []
        assert "v0" not in ip_links()
        with pytest.raises(OSError) as ei:  # the kernel's error, with its text
            nl.request(L.RTM.GETLINK, ifinfomsg(), [NL.nla(L.IFLA.IFNAME, "v0")])
        assert ei.value.errno == errno.ENODEV


@in_netns_test
def test_dump_without_header():
    """dump(type) with header=None, as NETLINK-API.md allows: rtnetlink silently drops a
    request shorter than its family header, so the library must supply a zeroed one (or
    refuse); it must not wait for ever."""
    with netlink() as nl:
        try:
            msgs = nl.dump(L.RTM.GETLINK)
        except BlockingIOError:
            raise AssertionError("dump(RTM_GETLINK) without a header: no answer in 10 s "
                                 "(the kernel ignored the header-less request)") from None
        except (TypeError, ValueError):
            return  # refused before sending: acceptable
        assert {m.attrs.str(L.IFLA.IFNAME) for m in msgs} == {"lo"}


@in_netns_test
def test_recv_grows_its_buffer():
    """A datagram larger than the receive buffer (64 KiB at first) arrives whole: sent from a
    second NETLINK_USERSOCK socket (the socket module's) to linuxsys's port."""
    try:
        nl = netlink(L.NETLINK.USERSOCK)
    except OSError as e:
        if EMULATED:
            pytest.skip(f"qemu-user does not translate NETLINK_USERSOCK: {e}")
        raise
    with nl, socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, L.NETLINK.USERSOCK) as peer:
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        peer.bind((0, 0))
        chunks = [bytes([i]) * 40000 for i in range(1, 6)]  # 200 KB in five attributes
        payload = b"".join(NL.nla(7, c) for c in chunks)
        small = nlmsg(0x30, NL.nla(1, b"tail"), seq=2)
        big = nlmsg(0x30, payload, seq=1)
        assert len(big) > 3 * 65536
        peer.sendto(big + small, (nl.port, 0))
        peer.sendto(small, (nl.port, 0))
        msgs = nl.recv()
        assert [(m.type, m.seq) for m in msgs] == [(0x30, 1), (0x30, 2)]
        assert msgs[0].attrs.all(7) == chunks
        assert msgs[1].attrs[1] == b"tail"
        (m,) = nl.recv()  # the next datagram, not the rest of the first
        assert m.seq == 2


@in_netns_test
def test_dump_many_links():
    """200 veth pairs made with linuxsys: links() and dump() list all 401 links (a dump
    truncated or cut after its first part would be short)."""
    for i in range(200):
        NL.link_add(f"a{i}", "veth", peer=f"b{i}")
    mine = NL.links()
    theirs = ip_links()
    assert len(mine) == 401 == len(theirs)
    assert sorted(x.name for x in mine) == sorted(theirs)
    assert len({x.index for x in mine}) == 401
    with netlink() as nl:
        assert len(nl.dump(L.RTM.GETLINK, ifinfomsg())) == 401
    peers = {x.name: theirs[x.name]["link"] for x in mine if x.name != "lo"}
    assert all(peers[f"a{i}"] == f"b{i}" for i in range(200))
    for i in range(0, 200, 2):
        NL.link_del(f"a{i}")
    assert len(NL.links()) == 201 == len(ip_links())


@in_netns_test
def test_ext_ack_invalid_prefix():
    """A kernel error carries the kernel's extended-ack text, not only the errno."""
    with pytest.raises(OSError) as ei:
        NL.addr_add("lo", "10.0.0.1/33")
    assert ei.value.errno == errno.EINVAL and type(ei.value) is OSError
    assert "Invalid prefix length" in str(ei.value), str(ei.value)
    NL.link_set("lo", state="up")
    with pytest.raises(OSError) as ei:
        NL.route_add("10.2.0.1/24", dev="lo")  # host bits set
    assert ei.value.errno == errno.EINVAL
    assert "Invalid prefix for given prefix length" in str(ei.value), str(ei.value)
    # straight through Netlink.request: an ifaddrmsg with prefix length 33
    with netlink() as nl:
        hdr = NL.ffi.new("struct ifaddrmsg *", {"ifa_family": socket.AF_INET,
                                                "ifa_prefixlen": 33, "ifa_index": 1})
        with pytest.raises(OSError) as ei:
            nl.request(L.RTM.NEWADDR, header=hdr,
                       attrs=[NL.nla(L.IFA.LOCAL, socket.inet_aton("10.0.0.1"))],
                       flags=L.NLM_F.CREATE | L.NLM_F.EXCL)
        assert ei.value.errno == errno.EINVAL and "Invalid prefix length" in str(ei.value)
        # the socket still works after an error
        assert any(m.attrs.str(L.IFLA.IFNAME) == "lo"
                   for m in nl.dump(L.RTM.GETLINK, ifinfomsg()))


# ---- parser: malformed input -----------------------------------------------------------------

def nlmsg(type, payload=b"", flags=0, seq=1, pid=0, length=None):
    """One netlink message, its nlmsg_len given or right."""
    n = 16 + len(payload) if length is None else length
    return struct.pack("=IHHII", n, type, flags, seq, pid) + payload + bytes(-len(payload) % 4)


def attr(type, payload=b"", length=None):
    n = 4 + len(payload) if length is None else length
    return struct.pack("=HH", n, type) + payload + bytes(-len(payload) % 4)


IFINFO = struct.pack("=BxHiII", 0, 1, 7, 0x1003, 0)  # struct ifinfomsg: index 7, UP|BCAST|MCAST


def test_parse_roundtrip():
    """parse() of a crafted datagram: two messages, their family headers, attributes, nested
    attributes (NLA_F_NESTED stripped from the type), NLMSG_DONE's code, NLMSG_ERROR's
    extended-ack text."""
    link = (IFINFO + NL.nla(L.IFLA.IFNAME, "x0") + NL.nla(L.IFLA.MTU, 1400)
            + NL.nla(L.IFLA.LINKINFO, [NL.nla(L.IFLA_INFO.KIND, "veth")]))
    data = nlmsg(L.RTM.NEWLINK, link, flags=L.NLM_F.MULTI, seq=5, pid=99) + nlmsg(
        L.NLMSG.DONE, struct.pack("=i", 0), flags=L.NLM_F.MULTI, seq=5, pid=99)
    msgs = NL.parse(data)
    assert [(m.type, m.seq, m.pid) for m in msgs] == [(L.RTM.NEWLINK, 5, 99), (L.NLMSG.DONE, 5, 99)]
    m = msgs[0]
    assert (m.header.ifi_index, m.header.ifi_type, m.header.ifi_flags) == (7, 1, 0x1003)
    assert m.flags == L.NLM_F.MULTI
    assert m.attrs.str(L.IFLA.IFNAME) == "x0" and m.attrs.u32(L.IFLA.MTU) == 1400
    assert m.attrs[L.IFLA.IFNAME] == b"x0\0"
    assert L.IFLA.LINKINFO in m.attrs  # the nested flag is not part of the type
    assert m.attrs.nested(L.IFLA.LINKINFO).str(L.IFLA_INFO.KIND) == "veth"
    assert msgs[1].header == 0
    # an error message: struct nlmsgerr (with the request's header, capped) and the text
    err = struct.pack("=i", -errno.EINVAL) + struct.pack("=IHHII", 16, L.RTM.NEWADDR, 5, 3, 0)
    err += attr(L.NLMSGERR_ATTR.MSG, b"bad thing\0")
    (e,) = NL.parse(nlmsg(L.NLMSG.ERROR, err, flags=L.NLM_F.CAPPED | L.NLM_F.ACK_TLVS, seq=3))
    assert e.header.error == -errno.EINVAL and e.header.msg.nlmsg_type == L.RTM.NEWADDR
    assert e.attrs.str(L.NLMSGERR_ATTR.MSG) == "bad thing"
    assert NL.parse(b"") == []
    # the last message may come without its final padding
    short = nlmsg(L.RTM.NEWLINK, IFINFO + NL.nla(L.IFLA.MTU, 9), seq=1)
    assert NL.parse(short)[0].attrs.u32(L.IFLA.MTU) == 9


MALFORMED = {
    "nlmsg_len 0": nlmsg(L.RTM.NEWLINK, IFINFO, length=0),
    "nlmsg_len 15": nlmsg(L.RTM.NEWLINK, IFINFO, length=15),
    "nlmsg_len past the datagram": nlmsg(L.RTM.NEWLINK, IFINFO, length=16 + len(IFINFO) + 4),
    "nlmsg_len 0xffffffff": nlmsg(L.RTM.NEWLINK, IFINFO, length=0xFFFFFFFF),
    "second message past the datagram": nlmsg(L.RTM.NEWLINK, IFINFO)
    + nlmsg(L.RTM.NEWLINK, IFINFO, length=200),
    "shorter than its ifinfomsg": nlmsg(L.RTM.NEWLINK, b"\0" * 8),
    "shorter than its ifaddrmsg": nlmsg(L.RTM.NEWADDR, b"\0" * 4),
    "shorter than its rtmsg": nlmsg(L.RTM.NEWROUTE, b"\0" * 8),
    "shorter than struct nlmsgerr": nlmsg(L.NLMSG.ERROR, b"\0" * 8),
    "nla_len 0": nlmsg(L.RTM.NEWLINK, IFINFO + attr(L.IFLA.MTU, b"\1\0\0\0", length=0)),
    "nla_len 3": nlmsg(L.RTM.NEWLINK, IFINFO + attr(L.IFLA.MTU, b"\1\0\0\0", length=3)),
    "nla_len past the message": nlmsg(L.RTM.NEWLINK, IFINFO + attr(L.IFLA.MTU, b"\1\0\0\0",
                                                                   length=12)),
    "nla_len 0xffff": nlmsg(L.RTM.NEWLINK, IFINFO + attr(L.IFLA.MTU, b"\1\0\0\0",
                                                         length=0xFFFF)),
    "second attribute past the message": nlmsg(
        L.RTM.NEWLINK, IFINFO + NL.nla(L.IFLA.MTU, 1) + attr(L.IFLA.IFNAME, b"ab", length=40)),
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_parse_malformed(data):
    with pytest.raises(ValueError):
        for m in NL.parse(data):
            m.attrs.types()


def test_parse_malformed_nested_and_short_values():
    """A malformed nested attribute raises when it is opened; a value shorter than its
    decoder's width raises instead of reading past it."""
    bad_nest = attr(L.IFLA.LINKINFO | 0x8000, attr(L.IFLA_INFO.KIND, b"veth\0", length=60))
    (m,) = NL.parse(nlmsg(L.RTM.NEWLINK, IFINFO + bad_nest + attr(L.IFLA.MTU, b"\1\0")))
    with pytest.raises(ValueError):
        m.attrs.nested(L.IFLA.LINKINFO)
    with pytest.raises(ValueError):
        m.attrs.u32(L.IFLA.MTU)
    with pytest.raises(ValueError):
        m.attrs.u64(L.IFLA.MTU)
    assert m.attrs.u16(L.IFLA.MTU) == 1
    with pytest.raises(ValueError):
        NL.Attrs(b"\0" * 8, 4, 8)  # a range past the data


def test_parse_fuzz():
    """Random corruptions and truncations of a real-looking datagram: parse() and the
    attribute decoders return or raise ValueError, never anything else, never hang."""
    import random
    rng = random.Random(10)
    link = (IFINFO + NL.nla(L.IFLA.IFNAME, "fuzz0") + NL.nla(L.IFLA.MTU, 1500)
            + NL.nla(L.IFLA.LINKINFO, [NL.nla(L.IFLA_INFO.KIND, "veth"),
                                       NL.nla(L.IFLA_INFO.DATA, [NL.nla(1, 5)])]))
    addr = struct.pack("=BBBBI", 2, 24, 0, 0, 7) + NL.nla(L.IFA.LOCAL, b"\n\0\0\1")
    base = (nlmsg(L.RTM.NEWLINK, link) + nlmsg(L.RTM.NEWADDR, addr)
            + nlmsg(L.NLMSG.DONE, b"\0" * 4))
    NL.parse(base)
    deadline = time.monotonic() + 30
    for i in range(3000):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if i % 3 == 0:
            data = data[:rng.randrange(len(data) + 1)]
        try:
            for m in NL.parse(bytes(data)):
                for t in m.attrs.types():
                    m.attrs.all(t)
                    m.attrs.str(t)
                    m.attrs.nested(t)
                    m.attrs.u8(t)
        except ValueError:
            pass
        assert time.monotonic() < deadline, "parse() is too slow: a loop?"

# ---- generic netlink (read-only: runs in the pytest process) ---------------------------------

def genl_oracle(name):
    """`genl ctrl get name NAME` parsed: id, version, hdrsize, maxattr, multicast groups."""
    if shutil.which("genl") is None:
        pytest.skip("iproute2's genl is missing")
    p = subprocess.run(["genl", "ctrl", "get", "name", name], capture_output=True, text=True)
    if p.returncode:
        return None
    m = re.search(r"ID: (0x[0-9a-f]+)\s+Version: (0x[0-9a-f]+)\s+header size: (\d+)\s+"
                  r"max attribs: (\d+)", p.stdout)
    groups = {g: int(i, 16) for i, g in re.findall(r"ID-(0x[0-9a-f]+)\s+name: (\S+)", p.stdout)}
    return int(m[1], 16), int(m[2], 16), int(m[3]), int(m[4]), groups


def test_genl_nlctrl():
    fam = qemu_may_refuse(NL.genl_family, "nlctrl")
    assert fam.name == "nlctrl"
    assert fam.id == 0x10 == L.GENL_ID_CTRL
    assert fam.mcast_groups == {"notify": 0x10}
    assert (fam.id, fam.version, fam.hdrsize, fam.maxattr, fam.mcast_groups) == genl_oracle(
        "nlctrl")


def test_genl_other_family():
    """One more family the kernel has (ethtool here; skipped when absent)."""
    for name in ("ethtool", "TASKSTATS", "netdev"):
        expected = genl_oracle(name)
        if expected is not None:
            break
    else:
        pytest.skip("the kernel has none of ethtool, TASKSTATS, netdev")
    fam = qemu_may_refuse(NL.genl_family, name)
    assert fam.name == name and fam.id != 0x10
    assert (fam.id, fam.version, fam.hdrsize, fam.maxattr, fam.mcast_groups) == expected


def test_genl_unknown_family():
    qemu_may_refuse(NL.genl_family, "nlctrl")
    e = raises_errno(errno.ENOENT, NL.genl_family, "nosuchfamily0")
    assert e.filename == "nosuchfamily0", e
    # longer than GENL_NAMSIZ: the kernel's attribute policy refuses it, with its text
    e = raises_errno(errno.EINVAL, NL.genl_family, "linuxsys-no-such-family")
    assert "policy" in str(e), e


# ---- no fd left behind -----------------------------------------------------------------------

@in_netns_test
def test_helpers_close_their_sockets():
    """Each helper's netlink socket is closed when it returns or raises."""
    before = fds()
    NL.link_add("v0", "veth", peer="v1")
    NL.links()
    NL.link("v0")
    NL.link_set("v0", state="up", mtu=1400)
    NL.addr_add("v0", "10.1.0.1/24")
    NL.addrs()
    NL.route_add("10.2.0.0/24", gateway="10.1.0.254")
    NL.routes()
    NL.route_del("10.2.0.0/24")
    try:
        NL.neigh_add("v0", "10.1.0.9", "02:00:00:00:00:09")
        NL.neighbours()
        NL.neigh_del("v0", "10.1.0.9")
    except OSError as e:  # qemu-user translates no neighbour message (natively: a failure)
        if not (EMULATED and e.errno == errno.EOPNOTSUPP):
            raise
    NL.addr_del("v0", "10.1.0.1/24")
    try:
        NL.genl_family("nlctrl")
    except OSError as e:  # qemu-user has no NETLINK_GENERIC
        if not (EMULATED and e.errno == errno.EPROTONOSUPPORT):
            raise
    for call in (lambda: NL.link("nosuch0"), lambda: NL.addr_add("lo", "10.0.0.1/33"),
                 lambda: NL.genl_family("nosuchfamily0"),
                 lambda: NL.link_add("v0", "veth", peer="v1")):
        with pytest.raises(OSError):
            call()
    with NL.monitor(["link"]) as mon:
        pass
    assert mon.fd.closed
    NL.link_del("v0")
    assert fds() == before
