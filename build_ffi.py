"""Assemble cdefs/ into the API-mode extension ``linuxsys._native``.

Each ``cdefs/<family>.h`` mixes four kinds of lines (see cdefs/README.md):

* ``#include``, ``#if`` ...     preprocessor lines for the C side (headers);
* ``#define NAME ...``         a constant whose value the compiler takes from the headers;
* ``SYSCALL(name[=nr|nr..], args)`` a typed helper ``long ls_name(args)`` issuing the first
  ``SYS_nr`` the headers define (``-ENOSYS`` if none), returning the result or ``-errno``;
* anything else               cdef text: partial structs (``...;``), prototypes of the
  hand-written helpers whose bodies live in ``cdefs/<family>.c``.

An argument of a ``SYSCALL`` line or of an ``ls_*`` prototype may carry a note, ``/* NOTE */``:
a namespace (``/* O */``: its values are ``L.O`` flags), ``out`` (a pointer the kernel fills),
``fd``, ``dirfd`` (an fd that may be AT_FDCWD), ``path``, ``id`` (a uid/gid), ``SYS`` (a syscall
number).  ``linuxsys.trace`` prints arguments by their notes (``ls_argspec()``), and
tools/gen_syscalls.py converts a plain syscall's Python arguments by them.  A ``SYSCALL`` line
ending in ``-> None|int|Fd [probe(...)] "doc"`` is a plain syscall: its Python function is
generated (tools/gen_syscalls.py); ``= value`` after an argument is its Python default.

``// namespace NAME KIND PREFIX [alias]`` starts a block of ``#define`` lines that form the flag
namespace ``NAME`` (KIND ``flag`` or ``enum``; PREFIX is stripped from member names, ``*SUFFIX``
strips a suffix; ``alias`` keeps the prefixed names as aliases).  A ``#define`` ending in
``// attr`` is a plain-int attribute of the namespace, not a member (``AT.FDCWD``).

The headers decide what exists: the C preprocessor is asked which macros are defined (with
the flags the build compiles with, so ``CFLAGS=-isystem ...`` counts).  A constant or syscall
number the headers lack is taken from ``cdefs/tables/<arch>.h`` (newer kernel headers' values,
written by tools/gen_syscall_tables.py; the arch is the compiler's target), else left out (the
facade then raises ``UnsupportedError``), so an old or foreign set of headers never breaks the
build and old ones still get every syscall the tables know.
"""
from __future__ import annotations

import os
import pathlib
import re
import shlex
import subprocess
import sysconfig

import cffi

HERE = pathlib.Path(__file__).resolve().parent
CDEFS = HERE / "cdefs"
TABLES = CDEFS / "tables"
# Families in dependency order: core first (shared C helpers), the rest alphabetically.
FAMILIES = ["core"] + sorted(p.stem for p in CDEFS.glob("*.h") if p.stem != "core")

# A "-> result ..." tail makes it a plain syscall whose Python side tools/gen_syscalls.py writes.
_SYSCALL = re.compile(r"^SYSCALL\((\w+)(?:=([\w|]+))?\s*(?:,(.*?))?\)\s*(?:->.*)?$")
_DEFAULT = re.compile(r"\s*=.*$")  # an argument's Python default (plain syscalls)
_DEFINE = re.compile(r"^#define\s+(\w+)\s+\.\.\.\s*(//\s*attr)?\s*(//\s*enum)?\s*$")
_NAMESPACE = re.compile(r"^//\s*namespace\s+(\w+)\s+(flag|enum)\s+(\S*)(\s+alias)?\s*$")
# 64-bit scalars need arch-specific register splitting: only hand-written helpers take them.
_WIDE = re.compile(r"\b(int64_t|uint64_t|loff_t|off_t|off64_t|long long)\b(?!\s*\*)")
_PROTO = re.compile(r"^\w[\w\s*]*\bls_(\w+)\((.*)\);")
_NOTE = re.compile(r"/\*\s*(\w+)\s*\*/")
_TABLE = re.compile(r"^#define\s+(\w+)\s+(\S+)\s*$", re.M)
# The compiler's target (a cross build's, not this machine's), named as by uname -m.
_ARCHES = {"__x86_64__": "x86_64", "__i386__": "i686", "__aarch64__": "aarch64",
           "__arm__": "armv7l"}


class Family:
    def __init__(self, name: str) -> None:
        self.name = name
        self.includes: list[str] = []
        self.defines: list[str] = []
        self.enums: list[str] = []  # defines that are C enum constants, not macros
        self.namespaces: dict[str, tuple[str, str, list[str]]] = {}
        self.syscalls: list[tuple[str, list[str], list[str]]] = []
        self.cdef: list[str] = []
        self.argspec: list[str] = []
        namespace = None
        for raw in (CDEFS / f"{name}.h").read_text().splitlines():
            line = raw.strip()
            if m := _NAMESPACE.match(line):
                namespace = m.group(1)
                kind = m.group(2) + ("+alias" if m.group(4) else "")
                self.namespaces[namespace] = (kind, m.group(3), [])
            elif line.startswith("// end namespace"):
                namespace = None
            elif m := _DEFINE.match(line):
                self.defines.append(m.group(1))
                if m.group(3):
                    self.enums.append(m.group(1))
                if namespace:
                    self.namespaces[namespace][2].append(("=" if m.group(2) else "") + m.group(1))
            elif line.startswith("#"):
                self.includes.append(line)
            elif m := _SYSCALL.match(line):
                args = [a.strip() for a in (m.group(3) or "").split(",") if a.strip()]
                self.note(m.group(1), args, alias=bool(m.group(2)))
                args = [_DEFAULT.sub("", _NOTE.sub("", a)).strip() for a in args]
                for a in args:
                    if _WIDE.search(a):
                        raise SystemExit(f"cdefs/{name}.h: {m.group(1)}: 64-bit argument "
                                         f"{a!r} needs a hand-written helper in {name}.c")
                self.syscalls.append((m.group(1), (m.group(2) or m.group(1)).split("|"), args))
            else:
                if m := _PROTO.match(line):
                    self.note(m.group(1), m.group(2).split(","))
                self.cdef.append(raw)
        body = CDEFS / f"{name}.c"
        self.source = body.read_text() if body.exists() else ""


    def note(self, name: str, args: list[str], alias: bool = False) -> None:
        """Record the trace's per-argument notes of helper ``ls_name`` (if it has any, or
        issues another syscall than its name: build() adds which)."""
        notes = [(_NOTE.search(a) or [None, "-"])[1] for a in args]
        if alias or any(n != "-" for n in notes):
            self.argspec.append(" ".join([name] + notes))


def _compiler() -> list[str]:
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shlex.split(cc)


def _flags() -> list[str]:
    """What setuptools compiles with after the compiler: sysconfig's CFLAGS, $CFLAGS, $CPPFLAGS."""
    values = [sysconfig.get_config_var("CFLAGS"), os.environ.get("CFLAGS"),
              os.environ.get("CPPFLAGS")]
    return [flag for v in values for flag in shlex.split(v or "")]


def defined_macros(preamble: str) -> dict[str, str]:
    """Every macro the headers define, as the module itself will see them (Python.h first)."""
    include = sysconfig.get_paths()["include"]
    out = subprocess.run(_compiler() + _flags() + ["-dM", "-E", "-I", include, "-x", "c", "-"],
                         input="#include <Python.h>\n" + preamble, capture_output=True,
                         text=True, check=True).stdout
    macros = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0] == "#define" and "(" not in parts[1]:
            macros[parts[1]] = parts[2] if len(parts) == 3 else ""
    return macros


def declared_enums(preamble: str, names: list[str]) -> set[str]:
    """Which of ``names`` (C enum constants, which -dM cannot see: IFLA_ADDRESS ...) the headers
    declare: one compile, whose errors name the undeclared ones."""
    include = sysconfig.get_paths()["include"]
    probe = "".join(f"long ls_enum_probe_{i} = (long){n};\n" for i, n in enumerate(names))
    out = subprocess.run(_compiler() + _flags() + ["-fsyntax-only", "-I", include, "-x", "c", "-"],
                         input="#include <Python.h>\n" + preamble + probe, capture_output=True,
                         text=True, env={**os.environ, "LC_ALL": "C"})
    missing = set(re.findall(r"'(\w+)' undeclared|undeclared identifier '(\w+)'", out.stderr))
    missing = {a or b for a, b in missing}
    if out.returncode and not missing:
        raise SystemExit(f"probing enum constants failed:\n{out.stderr[-2000:]}")
    return set(names) - missing


def target_arch(macros: dict[str, str]) -> str | None:
    """The table's name for the arch the compiler targets; None for one without a table."""
    if ("__x86_64__" in macros and "__ILP32__" in macros
            or "__arm__" in macros and "__ARM_EABI__" not in macros):
        return None  # x32, ARM OABI: numbered differently
    return next((arch for macro, arch in _ARCHES.items() if macro in macros), None)


def read_table(arch: str | None) -> dict[str, str]:
    """cdefs/tables/<arch>.h as {name: value}; empty without one."""
    path = TABLES / f"{arch}.h"
    return dict(_TABLE.findall(path.read_text())) if arch and path.exists() else {}


def _helper(name: str, numbers: list[str], args: list[str]) -> tuple[str, str]:
    params = ", ".join(args) or "void"
    names = [re.findall(r"\w+", a)[-1] for a in args]
    call = "".join(f", (long){n}" for n in names)
    branches = "".join(
        f"#{'if' if i == 0 else 'elif'} defined(SYS_{nr})\n"
        f"    return ls_ret(syscall(SYS_{nr}{call}));\n" for i, nr in enumerate(numbers))
    unused = "".join(f"    (void){n};\n" for n in names)
    body = (f"static long ls_{name}({params})\n{{\n{branches}#else\n{unused}"
            f"    return -ENOSYS;\n#endif\n}}\n")
    return f"long ls_{name}({params});", body


def build() -> cffi.FFI:
    families = [Family(n) for n in FAMILIES]
    includes = [i for f in families for i in f.includes]
    preamble = "\n".join(includes) + "\n"
    macros = defined_macros(preamble + "".join(f.source for f in families))
    enums = [n for f in families for n in f.enums if n not in macros]
    macros.update((n, "enum") for n in declared_enums(preamble, enums))
    arch = target_arch(macros)
    # What the headers lack, from the table: defined ahead of every helper.
    missing = {n: v for n, v in read_table(arch).items() if n not in macros}
    fallback = "".join(f"#define {n} {v}\n" for n, v in missing.items())
    if fallback:
        fallback = f"/* Not in these headers: from cdefs/tables/{arch}.h. */\n" + fallback

    def defined(macro: str) -> bool:
        """Whether the module will have ``macro``: from the headers, or the table."""
        return macro in macros or macro in missing

    cdef: list[str] = []
    source = [preamble, fallback]
    namespace_table = []
    for fam in families:
        cdef.append(f"/* --- {fam.name} --- */")
        cdef.extend(fam.cdef)
        cdef.extend(f"#define {d} ..." for d in fam.defines if defined(d))
        for ns, (kind, prefix, names) in fam.namespaces.items():
            present = [n for n in names if defined(n.lstrip("="))]
            namespace_table.append(" ".join([ns, kind, prefix or "-"] + present))
        source.append(fam.source)
        for name, numbers, args in fam.syscalls:
            proto, body = _helper(name, numbers, args)
            cdef.append(proto)
            source.append(body)

    sys_numbers = sorted([n for n, v in macros.items()
                          if n.startswith("SYS_") and v.startswith("__NR_")]
                         + [n for n in missing if n.startswith("SYS_")])
    cdef.extend(f"#define {n} ..." for n in sys_numbers)
    table = "\\n".join(namespace_table)
    cdef.append("const char *ls_namespaces(void);")
    source.append(f'static const char *ls_namespaces(void) {{ return "{table}"; }}\n')
    # A helper issuing another syscall than its name (``read16=read``) is traced as the call
    # it issues on this arch (``fcntl64`` on 32-bit, ``fcntl`` on 64-bit): ``name=call``.
    shown = {name: next((n for n in numbers if defined(f"SYS_{n}")), name)
             for fam in families for name, numbers, _ in fam.syscalls if numbers != [name]}
    lines = []
    for fam in families:
        for line in fam.argspec:
            name, _, notes = line.partition(" ")
            call = shown.get(name, name)  # (setuid=setuid32|setuid issues setuid on 64-bit)
            lines.append(f"{name}={call} {notes}" if call != name else line)
    argspec = "\\n".join(lines)
    cdef.append("const char *ls_argspec(void);")
    source.append(f'static const char *ls_argspec(void) {{ return "{argspec}"; }}\n')

    ffi = cffi.FFI()
    ffi.cdef("\n".join(cdef))
    ffi.set_source("linuxsys._native", "\n".join(source),
                   extra_compile_args=["-O2", "-Wall", "-Wno-unused-function"])
    return ffi


ffibuilder = build()
