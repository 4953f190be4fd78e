#!/usr/bin/env python3
"""A rootless container in about 150 lines of Python, with linuxsys and no helper program.

    python examples/container.py [--hostname NAME] [--bind SRC:DST[:ro]] [--idmap-bind SRC:DST]
                                 [--no-net] -- COMMAND [ARG...]

COMMAND runs as root of a new user namespace (the caller's uid and gid map to 0), under pid 1
of a new pid namespace, in a mount namespace whose root is an empty tmpfs holding read-only
binds of the host's /usr, /bin and /lib*, a tmpfs /tmp, a new /proc and a few /dev nodes, with
its own hostname, System V IPC and network (only lo, brought up).  --idmap-bind mounts SRC so
that its owner appears as root inside (an idmapped mount; the kernel allows those of a host
filesystem to root only).  The script exits with COMMAND's status (128+N for signal N), or 125
when a step of the setup fails, as podman does.  Nothing outlives it: the namespaces, and the
mounts in them, die with their last process.
"""
import argparse
import os
import signal
import sys
from types import FrameType, TracebackType
from typing import NoReturn, Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import linuxsys as L                                          # noqa: E402
from linuxsys import netlink                                  # noqa: E402
from linuxsys.ns import ns_open, write_id_maps                # noqa: E402

HOST_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32")
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin", "HOME": "/",
       "TERM": os.environ.get("TERM", "dumb")}
IdMap = list[tuple[int, int, int]]  # (inside, outside, count) ranges
new_api = True  # the mount API (open_tree ...); False once it answered ENOSYS (qemu-user)


class step:
    """``with step("what"):`` -- a failure inside prints "container: what: error" and ends
    this process with status 125 (os._exit: a forked child must not run its parent's code)."""
    def __init__(self, what: str) -> None: self.what = what
    def __enter__(self) -> "step": return self
    def __exit__(self, kind: Optional[type], error: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        if isinstance(error, Exception):
            sys.stderr.write(f"container: {self.what}: {error}\n")
            sys.stderr.flush()
            os._exit(125)


def status_of(wstatus: int) -> int:
    """A shell's $? for a wait status: the exit status, or 128 + the signal that killed it."""
    return L.WEXITSTATUS(wstatus) if L.WIFEXITED(wstatus) else 128 + L.WTERMSIG(wstatus)


def new_userns(uid_map: IdMap, gid_map: IdMap) -> L.Fd:
    """A user namespace with these id maps, as an Fd.  Only a process outside a user namespace
    may write its maps, so a child unshares one and waits; we map it and open it; it exits."""
    said_r, said_w = L.pipe()        # child -> us: "ok" once unshared (or its error)
    done_r, done_w = L.pipe()        # us -> child: closed once we are done with it
    pid = L.clone()
    if pid == 0:
        try:
            done_w.close()
            L.unshare(L.CLONE.NEWUSER)
            L.write(said_w, b"ok")
            L.read(done_r, 1)        # returns b"" when our parent closes done_w
        except OSError as e:
            L.write(said_w, str(e).encode())
        finally:
            os._exit(0)
    said_w.close()
    done_r.close()
    try:
        said = L.read(said_r, 4096).decode()
        if said != "ok":
            raise OSError(f"unshare(CLONE_NEWUSER) in a child: {said or 'it died'}")
        write_id_maps(pid, uid_map, gid_map, setgroups="deny")
        return ns_open(pid, "user")  # the namespace lives on as long as this Fd
    finally:
        done_w.close()
        L.wait4(pid)


def idmapped(src: str, uid: int, gid: int) -> L.Fd:
    """A detached bind of src whose owner shows as uid/gid (host ids the container sees as 0):
    the mount's idmapping is a user namespace mapping the owner to them (MOUNT_ATTR_IDMAP)."""
    st = os.stat(src)
    userns = new_userns([(st.st_uid, uid, 1)], [(st.st_gid, gid, 1)])
    try:
        tree = L.open_tree(L.AT.FDCWD, src, L.OPEN_TREE.CLONE)
        L.mount_setattr(tree, "", L.AT.EMPTY_PATH,
                        L.MountAttr(attr_set=L.MOUNT_ATTR.IDMAP, userns_fd=userns))
    except PermissionError:  # the kernel wants CAP_SYS_ADMIN over the host's filesystem
        raise PermissionError("an idmapped mount of a host filesystem needs root") from None
    return tree


def detach(path: str, readonly: bool) -> L.Fd:
    """A copy of the mount tree at path, to attach later: with the mount API a detached clone
    (read-only already if asked), else an O_PATH fd that mount(MS_BIND) binds through /proc."""
    global new_api
    if new_api:
        try:
            tree = L.open_tree(L.AT.FDCWD, path,
                               L.OPEN_TREE.CLONE | L.OPEN_TREE.AT_RECURSIVE)
            if readonly:
                L.mount_setattr(tree, "", L.AT.EMPTY_PATH | L.AT.RECURSIVE,
                                L.MountAttr(attr_set=L.MOUNT_ATTR.RDONLY))
            return tree
        except L.UnsupportedError:
            new_api = False
    return L.open(path, L.O.PATH | L.O.CLOEXEC)


def attach(tree: L.Fd, target: str, readonly: bool) -> None:
    """Mount what detach() returned on target (made first: an empty directory or file)."""
    if new_api:
        L.move_mount(tree, "", L.AT.FDCWD, target, L.MOVE_MOUNT.F_EMPTY_PATH)
        return
    L.mount(f"/proc/self/fd/{tree.fileno()}", target, None, L.MS.BIND | L.MS.REC)
    if readonly:  # in a user namespace a remount must keep the flags the host mount has
        kept = os.statvfs(target).f_flag & (L.MS.NOSUID | L.MS.NODEV | L.MS.NOEXEC)
        L.mount(None, target, None, L.MS.BIND | L.MS.REMOUNT | L.MS.RDONLY | kept)


def init(args: argparse.Namespace, idmaps: list[tuple[L.Fd, str, bool]]) -> NoReturn:
    """Pid 1 of the new pid namespace: build the root, start the command, reap every orphan."""
    with step("mount namespace"):    # none of our mounts may propagate to the host
        L.mount(None, "/", None, L.MS.REC | L.MS.PRIVATE)
    links: list[tuple[str, str]] = []  # (target, link text)
    binds: list[tuple[L.Fd, str, bool, bool]] = []  # (tree, target, readonly, is a dir)
    for path in HOST_DIRS:
        with step(f"host {path}"):
            if os.path.islink(path):     # /bin -> usr/bin on merged-/usr systems
                links.append((path, os.readlink(path)))
            elif os.path.isdir(path):
                binds.append((detach(path, True), path, True, True))
    for spec in args.bind:
        with step(f"--bind {spec}"):
            src, dst, ro = (spec.split(":") + ["", ""])[:3]
            if spec.count(":") not in (1, 2) or not dst.startswith("/") or ro not in ("", "ro"):
                raise ValueError("expected SRC:/DST or SRC:/DST:ro")
            binds.append((detach(src, bool(ro)), dst, bool(ro), os.path.isdir(src)))
    for name in DEVICES:
        with step(f"/dev/{name}"):
            if os.path.exists(f"/dev/{name}"):
                binds.append((detach(f"/dev/{name}", False), f"/dev/{name}", False, False))
    with step("root tmpfs"):         # any directory will do: the mount is ours alone
        L.mount("tmpfs", "/tmp", "tmpfs", 0, "mode=0755")
        os.chdir("/tmp")
    for target, text in links:
        with step(f"symlink {target}"):
            os.symlink(text, "." + target)
    for tree, target, readonly, is_dir in binds + [(t, d, False, i) for t, d, i in idmaps]:
        with step(f"bind {target}"):
            os.makedirs(os.path.dirname("." + target), exist_ok=True)
            if is_dir:
                os.makedirs("." + target, exist_ok=True)
            else:
                open("." + target, "a").close()
            attach(tree, "." + target, readonly)
    with step("/proc"):              # its pids are those of our pid namespace: we are in it
        os.makedirs("proc")
        L.mount("proc", "proc", "proc", L.MS.NOSUID | L.MS.NODEV | L.MS.NOEXEC)
    with step("/tmp"):
        os.makedirs("tmp")
        L.mount("tmpfs", "tmp", "tmpfs", L.MS.NOSUID | L.MS.NODEV, "mode=1777")
    with step("/dev"):
        for name, text in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                           ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
            os.symlink(text, "dev/" + name)
    with step("pivot_root"):         # new root "."; the old one lands on top of it, at "."
        L.pivot_root(".", ".")
        L.umount2(".", L.MNT.DETACH)  # and goes: nothing of the host is reachable any more
        os.chdir("/")
    with step("hostname"):
        L.sethostname(args.hostname)
    if not args.no_net:
        with step("loopback"):
            netlink.link_set("lo", state="up")
    command = L.clone()
    if command == 0:
        execvp(args.command)
    while True:                      # orphans of the namespace are ours to reap
        pid, wstatus, _ = L.wait4(-1)
        if pid == command:           # then leave: the kernel kills what is left
            os._exit(status_of(wstatus))


def execvp(argv: list[str]) -> NoReturn:
    """execve argv[0], searched in PATH if it has no "/"; 127 if not found, 126 if refused."""
    dirs = [""] if "/" in argv[0] else ENV["PATH"].split(":")
    error: Optional[OSError] = None
    for d in dirs:
        try:
            L.execve(os.path.join(d, argv[0]), argv, ENV)
        except (FileNotFoundError, NotADirectoryError) as e:
            error = error or e
        except OSError as e:
            error = e
    sys.stderr.write(f"container: {argv[0]}: {error.strerror if error else 'not found'}\n")
    sys.stderr.flush()
    os._exit(127 if isinstance(error, FileNotFoundError) else 126)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Run COMMAND in a rootless container.")
    parser.add_argument("--hostname", default="container")
    parser.add_argument("--bind", action="append", default=[], metavar="SRC:DST[:ro]")
    parser.add_argument("--idmap-bind", action="append", default=[], metavar="SRC:DST")
    parser.add_argument("--no-net", action="store_true", help="keep the host's network")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args(argv)
    uid, gid = os.getuid(), os.getgid()
    with step("user namespace"):
        userns = new_userns([(0, uid, 1)], [(0, gid, 1)])
    idmaps: list[tuple[L.Fd, str, bool]] = []  # made here: it takes CAP_SYS_ADMIN over the host's fs
    for spec in args.idmap_bind:
        with step(f"--idmap-bind {spec}"):
            src, _, dst = spec.partition(":")
            if not dst.startswith("/"):
                raise ValueError("expected SRC:/DST")
            idmaps.append((idmapped(src, uid, gid), dst, os.path.isdir(src)))
    with step("namespaces"):         # root of userns from here on; then new namespaces in it
        L.setns(userns, L.CLONE.NEWUSER)
        L.unshare(L.CLONE.NEWNS | L.CLONE.NEWPID | L.CLONE.NEWUTS | L.CLONE.NEWIPC
                  | (0 if args.no_net else L.CLONE.NEWNET))
    pid1 = L.clone()                 # our first child is pid 1 of the new pid namespace
    if pid1 == 0:
        with step("init"):           # init ends with os._exit; anything raised is a bug
            init(args, idmaps)
    def kill(signum: int, frame: Optional[FrameType]) -> None:
        os.kill(pid1, signal.SIGKILL)
    signal.signal(signal.SIGTERM, kill)
    signal.signal(signal.SIGHUP, kill)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C reaches the command: report its status
    return status_of(L.wait4(pid1)[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
