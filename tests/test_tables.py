"""cdefs/tables/<arch>.h (tools/gen_syscall_tables.py) against this machine's headers.

The tables fill in what old build headers lack, so wherever the headers and the table both
define a name, they must agree.  The headers' values are read from the built module: build_ffi.py
keeps a name the headers define as the compiler evaluates it.
"""
from __future__ import annotations

import importlib.util
import pathlib
import platform
import re

import pytest

from linuxsys._native import lib

ROOT = pathlib.Path(__file__).resolve().parent.parent
if not (ROOT / "cdefs" / "tables").is_dir() or not (ROOT / "build_ffi.py").is_file():
    pytest.skip("needs the source checkout's cdefs/tables and build_ffi.py (not in a wheel)",
                allow_module_level=True)


def _value(text: str) -> int:
    """A table value: a C integer literal, negative ones in parentheses."""
    text = text.strip("()").rstrip("uUlL")
    return int(text, 8) if re.fullmatch(r"-?0\d+", text) else int(text, 0)


@pytest.fixture(scope="module")
def build():
    """build_ffi.py's own view: the headers' macros, the target arch, that arch's table."""
    spec = importlib.util.spec_from_file_location("_build_ffi_for_tables", ROOT / "build_ffi.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    families = [mod.Family(n) for n in mod.FAMILIES]
    preamble = "\n".join(i for f in families for i in f.includes) + "\n"
    macros = mod.defined_macros(preamble + "".join(f.source for f in families))
    arch = mod.target_arch(macros)
    if arch is None:
        pytest.skip("no table for this compiler's target arch")
    constants = {d for f in families for d in f.defines if not d.startswith("LS_")}
    return macros, arch, mod.read_table(arch), (mod.TABLES / f"{arch}.h").read_text(), constants


def test_arch_is_the_machine(build):
    _, arch, table, _, _ = build
    machine = {"i386": "i686", "i586": "i686", "armv8l": "armv7l"}.get(platform.machine(),
                                                                      platform.machine())
    assert arch == machine
    assert sum(n.startswith("SYS_") for n in table) > 250


def test_table_source(build, capsys):
    _, arch, _, text, _ = build
    m = re.search(r"Linux (\S+) uapi.*linux-libc-dev (\S+):\n \* (http\S+)\n"
                  r" \* sha256 ([0-9a-f]{64})", text, re.S)
    assert m, "table header names no kernel version, package, URL and sha256"
    with capsys.disabled():
        print(f"\n[tables] cdefs/tables/{arch}.h: Linux {m[1]} uapi, "
              f"Debian linux-libc-dev {m[2]}", end=" ")


def _compare(build, want_sys: bool) -> None:
    macros, arch, table, _, _ = build
    both = [n for n in table if n.startswith("SYS_") == want_sys and n in macros]
    assert len(both) > (250 if want_sys else 150), f"only {len(both)} names to compare"
    wrong = {n: (getattr(lib, n), table[n]) for n in both if getattr(lib, n) != _value(table[n])}
    assert not wrong, f"headers vs cdefs/tables/{arch}.h (header value, table text): {wrong}"


def test_syscall_numbers_agree(build):
    _compare(build, want_sys=True)


def test_constants_agree(build):
    _compare(build, want_sys=False)


def test_module_has_every_table_name(build):
    """What the headers lack, build_ffi.py took from the table."""
    _, arch, table, _, _ = build
    absent = sorted(n for n in table if not hasattr(lib, n))
    assert not absent, f"in cdefs/tables/{arch}.h but not in linuxsys._native: {absent}"


def test_table_covers_cdefs(build):
    """A constant added to cdefs/*.h needs the tables regenerated: each is in the table or in
    its list of the C library's own names."""
    _, arch, table, text, constants = build
    left_out = set(re.search(r"Left out, the C library's:(.*?)\n \* Do not edit", text, re.S)[1]
                   .replace("*", " ").split())
    stale = sorted(constants - set(table) - left_out)
    assert not stale, (f"not in cdefs/tables/{arch}.h: {stale}: "
                       "run python3 tools/gen_syscall_tables.py")
