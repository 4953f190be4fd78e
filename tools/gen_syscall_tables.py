#!/usr/bin/env python3
"""Regenerate cdefs/tables/<arch>.h: syscall numbers and constants from newer kernel headers.

Wheels are built in manylinux images whose kernel headers are old (3.10 to 5.4), and
build_ffi.py leaves out whatever the build's headers lack.  These tables let it fill the gaps:
for each arch, every ``__NR_*`` of a pinned, newer set of uapi headers (as ``SYS_*``) and the
value of every constant named in cdefs/*.h that those headers define.  build_ffi.py uses an
entry only when the build's own headers lack the name.

The headers are Debian's linux-libc-dev (``PIN`` below), which since Debian 13 is one
Architecture: all package holding every arch's asm/ directory.  The host's C preprocessor reads
them with -nostdinc -undef and the target's predefined macros, so no cross compiler is needed;
the values are then computed here (casts dropped, C integer arithmetic).

    python3 tools/gen_syscall_tables.py            # download PIN, verify, rewrite the tables
    python3 tools/gen_syscall_tables.py --deb FILE # the same .deb from elsewhere (a snapshot)

To move to newer headers: change PIN (Filename and SHA256 from the suite's Packages index) and
rerun; review the diff like any other code change.
"""
from __future__ import annotations

import argparse
import hashlib
import pathlib
import re
import subprocess
import sys
import tempfile
import textwrap
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
CDEFS = ROOT / "cdefs"
OUT = CDEFS / "tables"

PIN = {  # Debian 13 (trixie) backports, dists/trixie-backports/main/binary-all/Packages
    "version": "7.2.11-1~bpo13+1",
    "url": "http://deb.debian.org/debian/pool/main/l/linux/linux-libc-dev_7.2.11-1~bpo13+1_all.deb",
    "sha256": "70d1533167d168902f39e043063efb79801f1ff78eb631e30a0239d3c4d6dd3a",
}

# arch (as build_ffi.py names it) -> (Debian multiarch triplet, the target compiler's own macros)
ARCHES = {
    "x86_64": ("x86_64-linux-gnu", ["__x86_64__", "__LP64__", "__SIZEOF_LONG__=8"]),
    "i686": ("i386-linux-gnu", ["__i386__", "__ILP32__", "__SIZEOF_LONG__=4"]),
    "aarch64": ("aarch64-linux-gnu",
                ["__aarch64__", "__AARCH64EL__", "__LP64__", "__SIZEOF_LONG__=8"]),
    "armv7l": ("arm-linux-gnueabihf",
               ["__arm__", "__ARM_EABI__", "__ARMEL__", "__SIZEOF_LONG__=4"]),
}
COMMON = ["__linux__", "__CHAR_BIT__=8", "__ORDER_LITTLE_ENDIAN__=1234",
          "__BYTE_ORDER__=__ORDER_LITTLE_ENDIAN__"]

# Where cdefs' constants live in the uapi headers.  Add a header when cdefs gains names from it.
HEADERS = """asm/unistd.h linux/errno.h linux/fcntl.h linux/stat.h linux/fs.h linux/falloc.h
linux/fadvise.h linux/memfd.h linux/openat2.h linux/close_range.h linux/xattr.h linux/mman.h
linux/sched.h linux/wait.h linux/mount.h linux/resource.h linux/random.h linux/pidfd.h
asm/siginfo.h linux/sysinfo.h linux/time.h linux/timerfd.h linux/timex.h
linux/eventpoll.h asm/poll.h linux/eventfd.h linux/inotify.h linux/fanotify.h
linux/ipc.h linux/msg.h linux/sem.h linux/keyctl.h asm/socket.h linux/in.h linux/in6.h linux/tcp.h linux/netlink.h linux/if_ether.h
linux/if_packet.h linux/if.h linux/rtnetlink.h linux/if_link.h linux/if_addr.h linux/neighbour.h
linux/genetlink.h linux/veth.h linux/quota.h linux/dqblk_xfs.h
linux/prctl.h linux/capability.h linux/securebits.h linux/seccomp.h linux/filter.h linux/audit.h
linux/landlock.h linux/lsm.h linux/ptrace.h linux/elf.h linux/io_uring.h linux/aio_abi.h
linux/userfaultfd.h linux/mempolicy.h linux/nsfs.h linux/futex.h
linux/kcmp.h linux/ioprio.h
linux/reboot.h linux/kexec.h linux/module.h linux/bpf.h linux/perf_event.h""".split()  # (linux/vm_sockets.h needs the C library's sys/socket.h)

# The C library's value, not the kernel header's, is the ABI here, and every libc has them:
# glibc's O_LARGEFILE is 0 on 64-bit arches; on 32-bit ones its F_GETLK/F_SETLK/F_SETLKW are
# the kernel's F_*LK64 (64-bit off_t).
LIBC_OWNED = {"O_LARGEFILE", "F_GETLK", "F_SETLK", "F_SETLKW"}

# __NR_* macros that are not syscalls.
NOT_SYSCALLS = {"__NR_syscalls", "__NR_SYSCALL_BASE", "__NR_OABI_SYSCALL_BASE",
                "__NR_SYSCALL_MASK"}


def fetch(deb: pathlib.Path | None, tmp: pathlib.Path) -> pathlib.Path:
    if deb is None:
        deb = tmp / PIN["url"].rsplit("/", 1)[1]
        print(f"fetching {PIN['url']}", file=sys.stderr)
        with urllib.request.urlopen(PIN["url"], timeout=120) as r:
            deb.write_bytes(r.read())
    digest = hashlib.sha256(deb.read_bytes()).hexdigest()
    if digest != PIN["sha256"]:
        raise SystemExit(f"{deb}: sha256 {digest}, PIN says {PIN['sha256']}")
    root = tmp / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root / "usr" / "include"


def cpp(include: pathlib.Path, arch: str, source: str, *flags: str) -> str:
    triplet, macros = ARCHES[arch]
    # linux/if.h includes the C library's sys/socket.h (for struct sockaddr): an empty one
    # serves the preprocessor, which only wants the macros.
    stub = include.parent / "ls-stub"
    (stub / "sys").mkdir(parents=True, exist_ok=True)
    (stub / "sys" / "socket.h").touch()
    cmd = ["cpp", "-nostdinc", "-undef", "-P", *flags, "-I", str(include / triplet),
           "-I", str(include), "-I", str(stub), *(f"-D{m}" for m in COMMON + macros), "-"]
    return subprocess.run(cmd, input=source, capture_output=True, text=True, check=True).stdout


# Where cdefs' "// enum" constants live (a set that compiles with the C library's stdio.h, unlike
# HEADERS' linux/time.h).
ENUM_HEADERS = """linux/netlink.h linux/if.h linux/rtnetlink.h linux/if_link.h linux/if_addr.h
linux/neighbour.h linux/genetlink.h linux/veth.h linux/mount.h linux/landlock.h linux/ptrace.h
linux/seccomp.h linux/audit.h linux/io_uring.h linux/aio_abi.h linux/mempolicy.h linux/quota.h
linux/dqblk_xfs.h linux/kcmp.h linux/ioprio.h
linux/bpf.h linux/perf_event.h""".split()


def cdefs_constants(everything: bool = False, enums: bool = False) -> list[str]:
    """The constants cdefs/*.h name (``enums``: only those marked ``// enum``)."""
    names = set()
    tail = r"//\s*enum\s*" if enums else r"(?://.*)?"
    for h in CDEFS.glob("*.h"):
        names.update(re.findall(rf"^#define\s+(\w+)\s+\.\.\.\s*{tail}$", h.read_text(), re.M))
    return sorted(n for n in names
                  if not n.startswith("LS_") and (everything or n not in LIBC_OWNED))


def enum_values(include: pathlib.Path, names: list[str]) -> dict[str, str]:
    """The values of C enum constants (IFLA_ADDRESS ...) of the uapi headers, which cpp cannot
    see: compiled with the host's compiler and run.  uapi enums are plain ints, the same on
    every arch."""
    source = ("#include <stdio.h>\n" + "".join(f"#include <{h}>\n" for h in ENUM_HEADERS)
              + "int main(void) {\n"
              + "".join(f'    printf("{n} %lld\\n", (long long)({n}));\n' for n in names)
              + "    return 0;\n}\n")
    with tempfile.TemporaryDirectory() as tmp:
        exe = pathlib.Path(tmp) / "enums"
        subprocess.run(["cc", "-I", str(include / ARCHES["x86_64"][0]), "-I", str(include),
                        "-x", "c", "-", "-o", str(exe)], input=source, text=True, check=True)
        out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    return dict(line.split() for line in out.splitlines())


_LITERAL = re.compile(r"\b(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)\b")
_CAST = re.compile(r"\(\s*(?:[A-Za-z_]\w*\s+)*[A-Za-z_]\w*\s*\)(?=\s*[\w(])")


def evaluate(expr: str) -> str | None:
    """A macro's expansion as one C integer literal, or None if it isn't an integer constant."""
    expr = _CAST.sub("", expr)
    literals = _LITERAL.findall(expr)
    py = _LITERAL.sub(lambda m: str(int(m[1], 8 if re.fullmatch(r"0\d+", m[1]) else 0)), expr)
    if not literals or not re.fullmatch(r"[\d\s()+\-*/%<>|&^]+", py):
        return None  # an identifier left over (no macro), a string, ~ (unsigned width unknown)
    try:
        value = eval(py.replace("/", "//"), {"__builtins__": {}})
    except (ArithmeticError, SyntaxError):
        return None
    if value < 0:
        return f"({value})"
    texts = [lit for lit, _ in literals]
    unsigned = "U" if any("u" in suf.lower() for _, suf in literals) else ""
    if any(t[:2] in ("0x", "0X") for t in texts):
        return f"0x{value:x}{unsigned}"
    if any(re.fullmatch(r"0\d+", t) for t in texts):
        return f"0{value:o}{unsigned}"
    return f"{value}{unsigned}"


def table(include: pathlib.Path, arch: str, wanted: list[str]) -> list[tuple[str, str]]:
    includes = "".join(f"#include <{h}>\n" for h in HEADERS)
    defined = set(re.findall(r"^#define (\w+)", cpp(include, arch, includes, "-dM"), re.M))
    numbers = sorted(n for n in defined if n.startswith("__NR_") and n not in NOT_SYSCALLS)
    names = numbers + [n for n in wanted if n in defined]
    probe = includes + "".join(f"ls_value_{n} = {n};\n" for n in names)
    values = dict(re.findall(r"^ls_value_(\w+) = (.*);$", cpp(include, arch, probe), re.M))
    rows = []
    for n in names:
        v = evaluate(values[n])
        if v is None:
            print(f"{arch}: {n} = {values[n]!r}: no integer constant, left out", file=sys.stderr)
            continue
        rows.append(("SYS_" + n[5:] if n.startswith("__NR_") else n, v))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--deb", type=pathlib.Path,
                    help=f"a local copy of {PIN['url'].rsplit('/', 1)[1]}")
    args = ap.parse_args()
    wanted = cdefs_constants()
    with tempfile.TemporaryDirectory() as tmp:
        include = fetch(args.deb, pathlib.Path(tmp))
        version = re.search(r"LINUX_VERSION_MAJOR (\d+).*?PATCHLEVEL (\d+).*?SUBLEVEL (\d+)",
                            (include / "linux/version.h").read_text(), re.S)
        kernel = ".".join(version.groups())
        OUT.mkdir(exist_ok=True)
        enums = enum_values(include, cdefs_constants(enums=True))
        for arch in ARCHES:
            rows = table(include, arch, wanted)
            rows += sorted((n, v if int(v) >= 0 else f"({v})") for n, v in enums.items()
                           if n not in {r[0] for r in rows})
            left_out = sorted(set(cdefs_constants(everything=True)) - {n for n, _ in rows})
            head = (f"/* {arch}: Linux {kernel} uapi syscall numbers and cdefs constants.\n"
                    f" * Generated by tools/gen_syscall_tables.py from Debian linux-libc-dev "
                    f"{PIN['version']}:\n * {PIN['url']}\n * sha256 {PIN['sha256']}\n"
                    + textwrap.fill("Left out, the C library's: " + " ".join(left_out), 96,
                                    initial_indent=" * ", subsequent_indent=" *   ") + "\n"
                    " * Do not edit.  build_ffi.py uses a line only when the build's headers "
                    "lack its name. */\n")
            body = "".join(f"#define {n} {v}\n" for n, v in rows)
            (OUT / f"{arch}.h").write_text(head + body)
            nsys = sum(n.startswith("SYS_") for n, _ in rows)
            print(f"cdefs/tables/{arch}.h: {nsys} syscalls, {len(rows) - nsys} constants",
                  file=sys.stderr)


if __name__ == "__main__":
    main()
