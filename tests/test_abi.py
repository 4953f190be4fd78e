"""The native module against independent oracles, on whatever arch this runs on.

1. The headers themselves: a tiny C program, compiled now with the same preamble (Python.h
   first, then the cdefs' own #include/#if lines), prints every constant and syscall number
   the module exposes and the struct layouts the helpers read.  Names must match too: every
   SYS_* the headers define (`cc -dM -E`) and every declared constant they define, no more.
2. Python's own modules (os, errno, stat, fcntl, ...), compiled by someone else.
3. Per-arch facts from shared/notes/xarch-feasibility.md, for arches CI rarely sees.
Every check collects all mismatches, then fails once listing them.
"""
from __future__ import annotations

import errno
import fcntl
import mmap
import os
import platform
import re
import resource
import select
import shlex
import signal
import socket
import stat
import subprocess
import sysconfig
import termios
import types

import pytest

from conftest import in_child, requires_root
from linuxsys._native import ffi, lib

CDEFS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "cdefs")
pytestmark = pytest.mark.skipif(not os.path.isdir(CDEFS),
                                reason="needs the source checkout's cdefs/ (not in a wheel)")

# The module's own slot numbers (LS_ST_*, LS_SF_*) are not header values.
LIB_CONSTANTS = sorted(n for n in dir(lib) if not n.startswith(("ls_", "LS_", "SYS_")))
LIB_SYS = sorted(n for n in dir(lib) if n.startswith("SYS_"))

# Kernel ABI, the same on every arch: the layouts ls_statx and ls_getdents_names read.
# (glibc's struct dirent64 is declared to match the kernel's linux_dirent64.)
KERNEL_LAYOUT = {
    "struct statx": {"": 256, "stx_mask": 0, "stx_blksize": 4, "stx_attributes": 8,
                     "stx_nlink": 16, "stx_uid": 20, "stx_gid": 24, "stx_mode": 28,
                     "stx_ino": 32, "stx_size": 40, "stx_blocks": 48,
                     "stx_attributes_mask": 56, "stx_atime": 64, "stx_btime": 80,
                     "stx_ctime": 96, "stx_mtime": 112, "stx_rdev_major": 128,
                     "stx_rdev_minor": 132, "stx_dev_major": 136, "stx_dev_minor": 140,
                     "stx_mnt_id": 144},
    "struct dirent64": {"d_ino": 0, "d_off": 8, "d_reclen": 16, "d_type": 18, "d_name": 19},
}
# Structs the cdefs declare to cffi: ffi's layout must be the compiler's ("" = sizeof).
FFI_LAYOUT = {
    "struct dirent64": ["", "d_ino", "d_off", "d_reclen", "d_type", "d_name"],
    "struct flock": ["", "l_type", "l_whence", "l_start", "l_len", "l_pid"],
    "struct iovec": ["", "iov_base", "iov_len"],
}
OPTIONAL_FIELD = {"stx_mnt_id": "STATX_MNT_ID"}  # headers before 5.8 lack the field

# From the feasibility note's table of observed values.  HAS: present, number not noted there;
# None: the headers of that arch must not define it.
HAS = "present"
ARCHES = ("x86_64", "i686", "aarch64", "armv7l")
ARCH_FACTS = {
    "sizeof(long)":         (8, 4, 8, 4),
    "SYS_getpid":           (39, 20, 172, 20),
    "SYS_openat":           (257, 295, 56, 322),
    "SYS_statx":            (332, 383, 291, 397),
    "SYS_pread64":          (17, 180, 67, 180),
    "SYS_open":             (2, 5, None, 5),
    "SYS_pipe":             (22, 42, None, 42),
    "SYS_dup2":             (HAS, HAS, None, HAS),
    "SYS_getdents":         (78, 141, None, 141),
    "SYS_epoll_wait":       (232, 256, None, 252),
    "SYS__llseek":          (None, 140, None, 140),
    "SYS_ftruncate64":      (None, 194, None, 194),
    "SYS_fcntl64":          (None, 221, None, 221),
    "SYS_arm_fadvise64_64": (None, None, None, 270),
    "SYS_getuid32":         (None, HAS, None, HAS),  # ls_getuid & co. take the 32-bit-uid calls
    "O_LARGEFILE":          (0, 0o100000, 0, 0o400000),
    "O_DIRECTORY":          (0o200000, 0o200000, 0o40000, 0o40000),
    "O_NOFOLLOW":           (0o400000, 0o400000, 0o100000, 0o100000),
    "O_DIRECT":             (0o40000, 0o40000, 0o200000, 0o200000),
}
ARCH = {"i386": "i686", "i586": "i686"}.get(platform.machine(), platform.machine())

# Same-named constants in Python's modules mean the same thing.  One representation differs:
# CPython's select.EPOLLET (1u << 31) is a C long, -2**31 on 32-bit arches.
PY_MODULES = (os, errno, stat, fcntl, select, socket, signal, mmap, resource, termios)


# ---- the cdefs, read the way build_ffi.py reads them --------------------------------------

def _cdefs():
    """(preamble, declared constant names, ls_* helper names, fallback-table words)."""
    names = sorted(f[:-2] for f in os.listdir(CDEFS) if f.endswith(".h"))
    preamble, defines, helpers = [], [], []
    for name in ["core"] + [n for n in names if n != "core"]:
        for line in open(os.path.join(CDEFS, name + ".h")).read().splitlines():
            line = line.strip()
            if m := re.match(r"#define\s+(\w+)\s+\.\.\.(\s*//\s*attr)?$", line):
                defines.append(m.group(1))
            elif re.match(r"#\s*(include\s*<|if|elif|else|endif)", line):
                preamble.append(line)  # system headers only: the oracle never sees fallbacks
            elif m := re.match(r"SYSCALL\((\w+)", line):
                helpers.append("ls_" + m.group(1))
            elif not line.startswith(("/", "*", "#")):
                helpers += re.findall(r"\b(ls_\w+)\s*\(", line)
    # Fallback tables for old headers live in subdirectories of cdefs/ (cdefs/tables/...).
    table = set()
    for root, _, files in os.walk(CDEFS):
        if root != CDEFS:
            for f in files:
                table |= set(re.findall(r"\w+", open(os.path.join(root, f)).read()))
    return "#include <Python.h>\n" + "\n".join(preamble) + "\n", defines, helpers, table


def _from_table(name, table):
    bare = name[4:] if name.startswith("SYS_") else name
    return bool({name, bare, "__NR_" + bare} & table)


def _cc():
    return shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc") + [
        "-I", sysconfig.get_paths()["include"]]


def _run(cmd, input=None):
    p = subprocess.run(cmd, input=input, capture_output=True, text=True)
    assert p.returncode == 0, f"{shlex.join(cmd)} failed:\n{p.stderr}"
    return p.stdout


@pytest.fixture(scope="module")
def headers(tmp_path_factory):
    """What the headers say: macros (cc -dM -E), values (printed by the C program), and
    what the cdefs declare: defines, helpers, table (words of the fallback tables)."""
    preamble, defines, helpers, table = _cdefs()
    out = _run(_cc() + ["-dM", "-E", "-x", "c", "-"], input=preamble)
    macros = dict(re.findall(r"^#define (\w+) ?(.*)$", out, re.M))

    lines = []
    for n in sorted(set(LIB_CONSTANTS) | set(LIB_SYS) | set(defines)):
        lines += [f"#ifdef {n}",
                  f'if (({n}) < 0) printf("{n} %lld\\n", (long long)({n}));',
                  f'else printf("{n} %llu\\n", (unsigned long long)({n}));', "#endif"]
    for struct, fields in list(KERNEL_LAYOUT.items()) + list(FFI_LAYOUT.items()):
        for field in fields:
            expr = f"offsetof({struct}, {field})" if field else f"sizeof({struct})"
            lines += [f"#if {OPTIONAL_FIELD.get(field, 1)}",
                      f'printf("{struct}.{field} %zu\\n", {expr});', "#endif"]
    src = tmp_path_factory.mktemp("abi") / "abi.c"
    src.write_text(preamble + "#include <stddef.h>\n#include <stdio.h>\n"
                   "int main(void)\n{\n" + "\n".join(lines) + "\nreturn 0;\n}\n")
    exe = str(src)[:-2]
    _run(_cc() + ["-w", "-o", exe, str(src)])
    printed = _run([exe])
    values = {k: int(v) for k, v in (ln.rsplit(" ", 1) for ln in printed.splitlines())}
    return types.SimpleNamespace(macros=macros, values=values, defines=defines,
                                 helpers=helpers, table=table)


def _fail_on(problems, what):
    assert not problems, f"{len(problems)} {what}:\n  " + "\n  ".join(problems)


# ---- 1. the headers ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["SYS", "constants"])
def test_names_are_what_the_headers_define(headers, kind):
    if kind == "SYS":
        have = set(LIB_SYS)
        want = {n for n, v in headers.macros.items()
                if n.startswith("SYS_") and v.startswith("__NR_")}
    else:
        have = set(LIB_CONSTANTS)
        want = {n for n in headers.defines if n in headers.macros and not n.startswith("LS_")}
    problems = [f"{n}: headers define it, the module lacks it" for n in sorted(want - have)]
    extra = {n for n in have - want if _from_table(n, headers.table)}
    problems += [f"{n}: in the module, neither in the headers nor in a cdefs fallback table"
                 for n in sorted(have - want - extra)]
    print(f"{ARCH}: {len(have)} {kind} names, {len(extra)} from a fallback table")
    _fail_on(problems, f"{kind} name mismatches")


@pytest.mark.parametrize("kind", ["SYS", "constants"])
def test_values_are_what_the_headers_define(headers, kind):
    values = headers.values
    names = LIB_SYS if kind == "SYS" else LIB_CONSTANTS
    problems, compared = [], 0
    for n in names:
        if n in values:
            compared += 1
            if getattr(lib, n) != values[n]:
                problems.append(f"{n}: module {getattr(lib, n)}, headers {values[n]}")
        elif not _from_table(n, headers.table):
            problems.append(f"{n}: module {getattr(lib, n)}, headers don't define it")
    print(f"{ARCH}: {compared} {kind} values compared")
    _fail_on(problems, f"{kind} value mismatches")


@pytest.mark.parametrize("oracle", ["kernel ABI", "ffi"])
def test_struct_layouts(headers, oracle):
    values = headers.values
    problems, compared = [], 0
    for struct, fields in (KERNEL_LAYOUT if oracle == "kernel ABI" else FFI_LAYOUT).items():
        for field in fields:
            key = f"{struct}.{field}"
            if key not in values:  # an optional field the headers lack
                continue
            if oracle == "kernel ABI":
                want = fields[field]
            else:
                want = ffi.offsetof(struct, field) if field else ffi.sizeof(struct)
            compared += 1
            if values[key] != want:
                problems.append(f"{key}: C says {values[key]}, {oracle} says {want}")
    print(f"{ARCH}: {compared} layout values compared with {oracle}")
    _fail_on(problems, f"layout mismatches against {oracle}")


def test_every_declared_helper_exists(headers):
    print(f"{ARCH}: {len(headers.helpers)} declared ls_* helpers")
    _fail_on([h for h in headers.helpers if not hasattr(lib, h)], "declared helpers missing")


# ---- 2. Python's own constants -------------------------------------------------------------

def test_python_modules_agree():
    problems, compared = [], 0
    for n in LIB_CONSTANTS:
        for mod in PY_MODULES:
            v = getattr(mod, n, None)
            if isinstance(v, int) and not isinstance(v, bool):
                compared += 1
                mine = getattr(lib, n)
                # An unsigned int constant Python stored as a C long reads negative on 32-bit
                # arches (socket.VMADDR_CID_ANY is -1 there); the module keeps it unsigned.
                if int(v) != mine and not (int(v) < 0 and int(v) + 2**32 == mine):
                    problems.append(f"{n}: module {getattr(lib, n)}, {mod.__name__} {int(v)}")
    print(f"{ARCH}: {compared} values compared with Python's modules")
    assert compared > 100
    _fail_on(problems, "disagreements with Python's modules")


# ---- 3. per-arch facts ---------------------------------------------------------------------

@pytest.mark.skipif(ARCH not in ARCHES, reason=f"no facts noted for {ARCH}")
def test_arch_facts():
    problems = []
    for name, per_arch in ARCH_FACTS.items():
        want = per_arch[ARCHES.index(ARCH)]
        have = ffi.sizeof("long") if name == "sizeof(long)" else getattr(lib, name, None)
        if want is HAS and have is None or want is not HAS and have != want:
            problems.append(f"{name}: module {have}, expected {want}")
    _fail_on(problems, f"{ARCH} facts wrong")


@requires_root()
def test_uid_helpers_see_ids_above_16_bits():
    """The 16-bit getuid of 32-bit arches would answer 65534 (overflowuid) here."""
    def check():
        os.setresgid(100001, 100002, 100002)
        os.setresuid(100003, 100004, 100004)
        got = (lib.ls_getuid(), lib.ls_geteuid(), lib.ls_getgid(), lib.ls_getegid())
        assert got == (100003, 100004, 100001, 100002), got
    assert in_child(check) == 0
