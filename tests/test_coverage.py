"""Every syscall name is wrapped, issued by a wrapper, or listed in ``L.not_implemented``."""
import pathlib
import re

import pytest

import linuxsys as L
from linuxsys import coverage
from linuxsys.__main__ import PROBES, report

WRAPPED = {name for table in PROBES.values() for name in table}
TABLES = pathlib.Path(__file__).resolve().parent.parent / "cdefs" / "tables"
ARCHES = ["x86_64", "i686", "aarch64", "armv7l"]
needs_tables = pytest.mark.skipif(not TABLES.is_dir(),
                                  reason="needs cdefs/tables (a source checkout, not a wheel)")


def table(arch):
    """The syscall names of an arch's fallback table (every __NR_* of the pinned uapi headers)."""
    return set(re.findall(r"^#define SYS_(\w+) ", (TABLES / f"{arch}.h").read_text(), re.M))


def unaccounted(names):
    return sorted(n for n in names
                  if n not in WRAPPED and n not in coverage.VARIANTS and n not in coverage.NOT_IMPLEMENTED)


def test_this_build_accounts_for_every_syscall():
    # the build's own names: its headers plus the fallback table, on whatever arch runs this
    assert unaccounted(vars(L.SYS)) == []
    assert report()["unaccounted"] == []


@pytest.mark.parametrize("arch", ARCHES)
@needs_tables
def test_every_arch_table_is_accounted_for(arch):
    assert unaccounted(table(arch)) == []


@needs_tables
def test_tables_are_consistent():
    everywhere = set().union(*(table(a) for a in ARCHES))
    assert not WRAPPED & set(coverage.NOT_IMPLEMENTED)
    assert not WRAPPED & set(coverage.VARIANTS)
    assert not set(coverage.VARIANTS) & set(coverage.NOT_IMPLEMENTED)
    # no stale entries: each name is a syscall of one of the four arches
    assert sorted(set(coverage.NOT_IMPLEMENTED) - everywhere) == []
    assert sorted(set(coverage.VARIANTS) - everywhere) == []
    for name, wrappers in coverage.VARIANTS.items():
        assert {w.strip() for w in wrappers.split(",")} <= WRAPPED, name
    for name, why in coverage.NOT_IMPLEMENTED.items():
        assert why.strip(), name
        # "superseded by X (L.f)": X is wrapped and L.f exists
        m = re.match(r"superseded by (\w+)", why)
        if m:
            assert m.group(1) in WRAPPED, (name, why)
        for f in re.findall(r"\bL\.(\w+)", why):
            assert hasattr(L, f), (name, f)


def test_not_implemented_is_this_arch_and_read_only():
    assert L.not_implemented is coverage.not_implemented
    assert set(L.not_implemented) <= set(vars(L.SYS))
    assert set(L.not_implemented) == set(coverage.NOT_IMPLEMENTED) & set(vars(L.SYS))
    with pytest.raises(TypeError):
        L.not_implemented["brk"] = "x"  # type: ignore[index]
    if hasattr(L.SYS, "brk"):
        assert "C library" in L.not_implemented["brk"]
