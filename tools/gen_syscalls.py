"""Generate linuxsys/_sys_<family>.py from the plain-syscall declarations in cdefs/<family>.h.

A plain syscall (convert the arguments -> one call -> check -> wrap the result) is one line:

    SYSCALL(fchmod, int fd /* fd */, unsigned int mode /* S */) -> None "Change a file's mode bits."

build_ffi.py makes the C helper ``ls_fchmod`` from it; this tool makes the Python function
(man-page parameter names, type hints, a docstring naming the man page), the Fd method, the
module's ``__all__`` and the ``python -m linuxsys`` probe.  The trace reads the same notes.

Argument notes (the converters):  ``/* fd */`` an fd (Fd, int, std name, fileno()), ``/* dirfd */``
one that may be AT_FDCWD;
``/* path */`` a path (str/bytes/PathLike; the first is the error's filename, the second its
filename2); ``/* id */`` a uid/gid (-1 = unchanged); ``/* NS */`` (upper case) flags of namespace
``L.NS``; none: an int (cffi refuses other types and values outside the C type).
``= value`` gives a default.  Results: ``None``, ``int``, ``Fd`` (a new owning fd).  The probe is
``probe(args)`` (Python literals, BAD_FD, NULL, U32, U64; ``probe(None)``: not probed); by
default -1 for fds, NULL for paths, 0 for the rest.

    python3 tools/gen_syscalls.py          # rewrite linuxsys/_sys_*.py
    python3 tools/gen_syscalls.py --check  # exit 1 if a file would change (tests/test_generated.py)
"""
from __future__ import annotations

import argparse
import pathlib
import re
import sys
import textwrap
from typing import NamedTuple, Optional

ROOT = pathlib.Path(__file__).resolve().parent.parent
CDEFS = ROOT / "cdefs"
OUT = ROOT / "linuxsys"

DECL = re.compile(r"^SYSCALL\((\w+)(?:=[\w|]+)?\s*(?:,(.*?))?\)\s*->\s*(None|int|Fd)\s*"
                  r"(?:probe\((.*?)\))?\s*\"(.+)\"\s*$")
ARG = re.compile(r"^(?P<ctype>.*?)\b(?P<name>\w+)\s*(?:/\*\s*(?P<note>\w+)\s*\*/)?\s*"
                 r"(?:=\s*(?P<default>\S.*?))?\s*$")
HINTS = {"fd": "FdArg", "dirfd": "FdArg", "path": "PathArg", "id": "int", None: "int"}
FDS = ("fd", "dirfd")
PROBE_WORDS = {"BAD_FD": "-1", "NULL": "ffi.NULL"}  # U32, U64 come from _core
RETURNS = {"None": "None", "int": "int", "Fd": "Fd"}


class Arg(NamedTuple):
    name: str
    note: Optional[str]
    default: Optional[str]

    @property
    def hint(self) -> str:
        return HINTS.get(self.note, "FlagArg")

    def convert(self) -> str:
        """The expression that turns the Python argument into what the helper takes."""
        n = self.name
        if self.note in FDS:  # into a local of its own: the Fd stays referenced (lifetime)
            return f"{n} if type({n}) is int else fdnum({n})"
        if self.note == "path":
            return f"_path({n})"
        if self.note == "id":
            return f'id_arg({n}, "{n}")'
        if self.note:
            return f"{n} if type({n}) is int else to_int({n}, {self.note})"
        return n


class Decl(NamedTuple):
    name: str
    args: list[Arg]
    result: str
    probe: Optional[str]
    doc: str

    def probe_args(self) -> str:
        if self.probe is not None and self.probe.strip() == "None":
            return "None"
        if self.probe is not None:
            words = [w.strip() for w in self.probe.split(",") if w.strip()]
        else:
            words = ["BAD_FD" if a.note in FDS else "NULL" if a.note == "path" else "0"
                     for a in self.args]
        words = [PROBE_WORDS.get(w, w) for w in words]
        return "(" + ", ".join(words) + ("," if len(words) == 1 else "") + ")"


def parse(family: str) -> list[Decl]:
    decls = []
    for line in (CDEFS / f"{family}.h").read_text().splitlines():
        m = DECL.match(line.strip())
        if not m:
            continue
        args = []
        for text in (m.group(2) or "").split(","):
            if text.strip():
                a = ARG.match(text.strip())
                if a is None:
                    raise SystemExit(f"cdefs/{family}.h: {m.group(1)}: cannot read {text!r}")
                args.append(Arg(a["name"], a["note"], a["default"]))
        decls.append(Decl(m.group(1), args, m.group(3), m.group(4), m.group(5)))
    return decls


def function(d: Decl) -> str:
    params = ", ".join(f"{a.name}: {a.hint}" + (f" = {a.default}" if a.default else "")
                       for a in d.args)
    paths = [a.name for a in d.args if a.note == "path"]
    where = "".join(f", {p}" for p in paths[:2])  # error()'s filename, filename2
    locals_ = [f"c_{a.name}" if a.convert() != a.name else a.name for a in d.args]
    body = [f"    {loc} = {a.convert()}" for loc, a in zip(locals_, d.args) if loc != a.name]
    call = f"_{d.name}({', '.join(locals_)})"
    summary = d.doc if d.doc.endswith(".") else d.doc + "."
    doc = (f'    """{summary[:-1]} (man 2 {d.name}).\n\n'
           f"    https://man7.org/linux/man-pages/man2/{d.name}.2.html\n\n"
           f"    Raises OSError (the subclass os raises for its errno) when the call fails,\n"
           f"    and TypeError/ValueError/OverflowError for a bad argument before any call.\n"
           f'    """')
    wrapped = {"None": "", "int": "    return r", "Fd": "    return Fd(r)"}[d.result]
    lines = [f"def {d.name}({params}) -> {RETURNS[d.result]}:", doc, *body,
             f"    r = {call}",
             "    while r < 0:",
             "        if r != NEG_EINTR:",
             f'            raise error(-r, "{d.name}"{where})',
             f"        r = {call}"]
    if wrapped:
        lines.append(wrapped)
    return "\n".join(lines) + "\n"


def module(family: str, decls: list[Decl]) -> str:
    notes = {a.note for d in decls for a in d.args}
    namespaces = sorted(n for n in notes if n and n.isupper())
    probes = " ".join(d.probe_args() for d in decls)
    core = ["NEG_EINTR", "error", "lib"] + (["id_arg"] if "id" in notes else []) + \
        [w for w in ("ffi", "U32", "U64") if re.search(rf"\b{w}\b", probes)]
    out = [f"# Generated by tools/gen_syscalls.py from cdefs/{family}.h: do not edit, rerun "
           f"`python3 tools/gen_syscalls.py`.",
           f'"""The plain syscalls of the {family} family, one declaration each in '
           f'cdefs/{family}.h."""',
           "from __future__ import annotations", ""]
    imports = [f"from ._core import {', '.join(sorted(core))}"]
    if "path" in notes:
        imports.append("from ._core import PathArg, path as _path")
    fd_names = ["methods"] + (["FdArg", "fdnum"] if "fd" in notes else []) + \
        (["Fd"] if any(d.result == "Fd" for d in decls) else [])
    imports.append(f"from .fd import {', '.join(sorted(fd_names))}")
    if namespaces:
        imports.append("from .flags import NAMESPACES, FlagArg, to_int")
    out += imports + [""]
    out += [f'{ns} = NAMESPACES["{ns}"]' for ns in namespaces]
    out += [f"_{d.name} = lib.ls_{d.name}" for d in decls]
    out.append("")
    for d in decls:
        out += ["", function(d)]
    fd_first = [d.name for d in decls if d.args and d.args[0].note in FDS]
    out.append("")
    if fd_first:
        out.append(textwrap.fill(f"methods({', '.join(fd_first)})", 99,
                                 subsequent_indent="        ") + "")
        out.append("")
    out.append("# python -m linuxsys: arguments that make each call fail harmlessly")
    out.append("PROBES = {")
    out += [f'    "{d.name}": {d.probe_args()},' for d in decls]
    out.append("}")
    out.append("")
    out.append(textwrap.fill("__all__ = [" + ", ".join(f'"{d.name}"' for d in decls) + "]",
                             99, subsequent_indent="           "))
    return "\n".join(out) + "\n"


def generate() -> dict[pathlib.Path, str]:
    files = {}
    for h in sorted(CDEFS.glob("*.h")):
        decls = parse(h.stem)
        if decls:
            files[OUT / f"_sys_{h.stem}.py"] = module(h.stem, decls)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report files that differ")
    opts = parser.parse_args()
    files = generate()
    stale = [p for p in OUT.glob("_sys_*.py") if p not in files]
    changed = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
    if opts.check:
        for p in changed + stale:
            print(f"{p.relative_to(ROOT)} is out of date: run python3 tools/gen_syscalls.py")
        return 1 if changed or stale else 0
    for p in changed:
        p.write_text(files[p])
    for p in stale:
        p.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
