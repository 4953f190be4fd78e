"""Generate linuxsys/_sys_<family>.py from the plain-syscall declarations in cdefs/<family>.h.

A plain syscall (convert the arguments -> one call -> check -> wrap the result) is one line:

    SYSCALL(fchmod, int fd /* fd */, unsigned int mode /* S */) -> None "Change a file's mode bits."

build_ffi.py makes the C helper ``ls_fchmod`` from it; this tool makes the Python function
(man-page parameter names, type hints, a docstring naming the man page), the Fd method, the
module's ``__all__`` and the ``python -m linuxsys`` probe.  The trace reads the same notes.

Argument notes (the converters):  ``/* fd */`` an fd (Fd, int, std name, fileno()), ``/* dirfd */``
one that may be AT_FDCWD;
``/* path */`` a path (str/bytes/PathLike; the first is the error's filename, the second its
filename2); ``/* str */`` a string that names no file (an xattr name: converted like a path,
never the error's filename); ``/* id */`` a uid/gid (-1 = unchanged); ``/* NS */`` (upper case)
flags of namespace ``L.NS``, except ``/* SIG */``: a signal (int, SIG member, signal.Signals or
name) checked against 0..SIGRTMAX before the call (0: kill's "only check the target";
linuxsys.signal supplies the check, so it must import its own generated module after
``signum``); none: an int (cffi refuses other types and values outside the C type).
``= value`` gives a default; a ``path`` or ``str`` whose default is ``None`` also takes None,
passed as NULL (fanotify_mark's pathname).  Results: ``None``, ``int``, ``Fd`` (a new owning fd).  The probe
is ``probe(args)`` (Python literals, BAD_FD, NULL, U32, U64, ``lib.NAME``, SELF: this process's
pid; ``probe(None)``: not probed); by default -1 for fds, NULL for paths and strings, 0 for the
rest.

A hand-written helper (cdefs/<family>.c: 64-bit arguments split per arch) whose Python side is
plain carries the same tail after its prototype, in a comment, and C having no defaults, an
argument's default in one of its own (build_ffi.py and cffi skip both); it returns ``long``,
or ``int64_t`` where a 32-bit unsigned result must not read as -errno (setfsuid) or the
result is a 64-bit count (clock_gettime's ns); ``(void)`` takes no argument::

    long ls_sync_file_range(int fd /* fd */, int64_t offset, int64_t nbytes, unsigned int flags /* SYNC_FILE_RANGE */ /* = 0 */); // -> None "..."

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

TAIL = r"\s*->\s*(None|int|Fd)\s*(?:probe\((.*?)\))?\s*\"(.+)\"\s*$"
DECL = re.compile(r"^SYSCALL\((\w+)(?:=[\w|]+)?\s*(?:,(.*?))?\)" + TAIL)
# a hand-written helper's (int64_t: a 32-bit unsigned result that a long could not hold)
PROTO = re.compile(r"^(?:long|int64_t)\s+ls_(\w+)\((.*?)\);\s*//" + TAIL)
PROTO_DEFAULT = re.compile(r"/\*\s*(=\s*.*?)\s*\*/")  # its argument's /* = value */
ARG = re.compile(r"^(?P<ctype>.*?)\b(?P<name>\w+)\s*(?:/\*\s*(?P<note>\w+)\s*\*/)?\s*"
                 r"(?:=\s*(?P<default>\S.*?))?\s*$")
HINTS = {"fd": "FdArg", "dirfd": "FdArg", "path": "PathArg", "str": "PathArg", "id": "int",
         None: "int"}
STRINGS = ("path", "str")  # converted by _core.path
FDS = ("fd", "dirfd")
PROBE_WORDS = {"BAD_FD": "-1", "NULL": "ffi.NULL", "SELF": "os.getpid()"}  # U32, U64: _core
# Namespaces whose values are checked beyond the C type: note -> (the conversion, {n} the
# argument; the type hint; the import).  A signal's number range is the one check.
CHECKED = {"SIG": ("{n} if type({n}) is int and 0 <= {n} <= SIGRTMAX else signum({n})",
                   "SignalArg", "from .signal import SIGRTMAX, SignalArg, signum")}
RETURNS = {"None": "None", "int": "int", "Fd": "Fd"}


class Arg(NamedTuple):
    name: str
    note: Optional[str]
    default: Optional[str]

    @property
    def optional(self) -> bool:
        """A string argument that None leaves out (NULL)."""
        return self.note in STRINGS and self.default == "None"

    @property
    def hint(self) -> str:
        if self.note in CHECKED:
            return CHECKED[self.note][1]
        if self.optional:
            return "Optional[PathArg]"
        return HINTS.get(self.note, "FlagArg")

    def convert(self) -> str:
        """The expression that turns the Python argument into what the helper takes."""
        n = self.name
        if self.note in FDS:  # into a local of its own: the Fd stays referenced (lifetime)
            return f"{n} if type({n}) is int else fdnum({n})"
        if self.optional:
            return f"ffi.NULL if {n} is None else _path({n})"
        if self.note in STRINGS:
            return f"_path({n})"
        if self.note == "id":
            return f'id_arg({n}, "{n}")'
        if self.note in CHECKED:
            return CHECKED[self.note][0].format(n=n)
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
            words = ["BAD_FD" if a.note in FDS else "NULL" if a.note in STRINGS else "0"
                     for a in self.args]
        words = [PROBE_WORDS.get(w, w) for w in words]
        return "(" + ", ".join(words) + ("," if len(words) == 1 else "") + ")"


def parse(family: str) -> list[Decl]:
    decls = []
    for line in (CDEFS / f"{family}.h").read_text().splitlines():
        m = DECL.match(line.strip())
        args_text = m and m.group(2)
        if not m:
            m = PROTO.match(line.strip())
            if not m:
                continue
            if ");" in m.group(5):  # build_ffi.py would take the prototype to end there
                raise SystemExit(f"cdefs/{family}.h: {m.group(1)}: no ');' in the doc")
            args_text = PROTO_DEFAULT.sub(r"\1", m.group(2))
        args = []
        for text in (args_text or "").split(","):
            if text.strip() and text.strip() != "void":  # f(void): no argument
                a = ARG.match(text.strip())
                if a is None:
                    raise SystemExit(f"cdefs/{family}.h: {m.group(1)}: cannot read {text!r}")
                args.append(Arg(a["name"], a["note"], a["default"]))
        decls.append(Decl(m.group(1), args, m.group(3), m.group(4), m.group(5)))
    return decls


def signature(d: Decl) -> str:
    """The def line, its parameters wrapped at 99 columns under the first one."""
    params = [f"{a.name}: {a.hint}" + (f" = {a.default}" if a.default else "") for a in d.args]
    pieces = [p + "," for p in params[:-1]] + [(params[-1] if params else "") +
                                                f") -> {RETURNS[d.result]}:"]
    lines = [f"def {d.name}(" + pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + 1 + len(piece) > 99:
            lines.append(" " * (len(d.name) + 5) + piece)
        else:
            lines[-1] += " " + piece
    return "\n".join(lines)


def function(d: Decl) -> str:
    paths = [a.name for a in d.args if a.note == "path"]
    where = "".join(f", {p}" for p in paths[:2])  # error()'s filename, filename2
    # Flags are converted in place, the int case costing one test: the original of an fd (kept
    # referenced while the call runs) or of a path (the error's filename) stays in its name.
    in_place = [a.note is not None and a.note.isupper() and a.note not in CHECKED
                and not a.optional for a in d.args]
    locals_ = [a.name if keep or a.convert() == a.name else f"c_{a.name}"
               for a, keep in zip(d.args, in_place)]
    body = [f"    if type({a.name}) is not int:\n        {a.name} = to_int({a.name}, {a.note})"
            if keep else f"    {loc} = {a.convert()}"
            for loc, a, keep in zip(locals_, d.args, in_place) if keep or loc != a.name]
    call = f"_{d.name}({', '.join(locals_)})"
    summary = d.doc[:-1] if d.doc.endswith(".") else d.doc
    summary = textwrap.fill(f'"""{summary} (man 2 {d.name}).', 99, initial_indent="    ",
                            subsequent_indent="    ", break_on_hyphens=False)
    doc = (f"{summary}\n\n"
           f"    https://man7.org/linux/man-pages/man2/{d.name}.2.html\n\n"
           f"    Raises:\n"
           f"        OSError: the subclass os raises for the errno (UnsupportedError for ENOSYS).\n"
           + "".join(f"        ClosedFdError: ``{a.name}`` is a closed Fd.\n"
                     for a in d.args if a.note in FDS)
           + f"        TypeError: an argument of the wrong type (ValueError, OverflowError: a bad\n"
           f"            value), before any call.\n"
           f'    """')
    # A new Fd is made as fs.open makes it: Fd(r) would check the kernel's number again, a
    # type call and a frame more (~150 ns).
    wrapped = {"None": "", "int": "    return r",
               "Fd": "    new = _object_new(Fd)\n    new._fd = r\n    new._gc = True\n"
                     "    new._kind = None\n    return new"}[d.result]
    lines = [signature(d), doc, *body,
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
    namespaces = sorted(n for n in notes if n and n.isupper() and n not in CHECKED)
    probes = " ".join(d.probe_args() for d in decls)
    optional = any(a.optional for d in decls for a in d.args)
    core = ["NEG_EINTR", "error", "lib"] + (["id_arg"] if "id" in notes else []) + \
        [w for w in ("ffi", "U32", "U64")
         if re.search(rf"\b{w}\b", probes) or (w == "ffi" and optional)]
    out = [f"# Generated by tools/gen_syscalls.py from cdefs/{family}.h: do not edit, rerun "
           f"`python3 tools/gen_syscalls.py`.",
           f'"""The plain syscalls of the {family} family, one declaration each in '
           f'cdefs/{family}.h."""',
           "from __future__ import annotations", ""]
    std = (["import os"] if "os.getpid()" in probes else []) + \
        (["from typing import Optional"] if optional else [])  # SELF probes; optional paths
    imports = std + [""] if std else []
    imports.append(f"from ._core import {', '.join(sorted(core))}")
    if notes & set(STRINGS):
        imports.append("from ._core import PathArg, path as _path")
    fd_first = [d.name for d in decls if d.args and d.args[0].note in FDS]
    fd_names = (["methods"] if fd_first else []) + \
        (["FdArg", "fdnum"] if notes & set(FDS) else []) + \
        (["Fd"] if any(d.result == "Fd" for d in decls) else [])
    if fd_names:
        imports.append(f"from .fd import {', '.join(sorted(fd_names))}")
    if namespaces:
        imports.append(textwrap.fill(f"from ._consts import {', '.join(namespaces)}", 99,
                                     subsequent_indent="    "))
        imports.append("from .flags import FlagArg, to_int")
    imports += sorted({CHECKED[n][2] for n in notes if n in CHECKED})
    out += imports + [""]
    out += [f"_{d.name} = lib.ls_{d.name}" for d in decls]
    if any(d.result == "Fd" for d in decls):
        out.append("_object_new = object.__new__")
    out.append("")
    for d in decls:
        out += ["", function(d)]
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
    out.append(textwrap.fill("__all__: list[str] = [" + ", ".join(f'"{d.name}"' for d in decls) + "]",
                             99, subsequent_indent=" " * 22))
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
