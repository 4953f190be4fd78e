"""Generated files are what their generators write today (x/sys's zsyscall_* rule), and the
generated stubs declare every name the module has at run time on this arch."""
import ast
import enum
import pathlib
import subprocess
import sys

import pytest

import linuxsys
from linuxsys._native import ffi, lib
from linuxsys.flags import FLAT, NAMESPACES

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
PKG = pathlib.Path(linuxsys.__file__).resolve().parent


@pytest.mark.skipif(not TOOLS.exists(), reason="needs the source checkout (not a wheel)")
@pytest.mark.parametrize("tool", ["gen_syscalls.py", "gen_stubs.py"])
def test_generated_files_are_up_to_date(tool):
    r = subprocess.run([sys.executable, str(TOOLS / tool), "--check"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def _stub(name):
    return ast.parse((PKG / name).read_text())


def test_native_stub_declares_every_helper_and_constant():
    cls = next(n for n in _stub("_native.pyi").body if isinstance(n, ast.ClassDef))
    declared = {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}
    constants = {n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)}
    for name in dir(lib):
        if not name.startswith("ls_"):
            assert name in constants, name
            continue
        ctype = ffi.typeof(getattr(lib, name))
        params = declared[name].args.posonlyargs[1:]  # after self
        assert len(params) == len(ctype.args), name
        for p, c in zip(params, ctype.args):
            want = "int" if c.kind in ("primitive", "enum") else "Any"
            assert ast.unparse(p.annotation) == want, (name, p.arg)


def test_consts_stub_declares_every_namespace_member_and_flat_name():
    body = _stub("_consts.pyi").body
    classes = {n.name: n for n in body if isinstance(n, ast.ClassDef)}
    flat = {n.target.id for n in body if isinstance(n, ast.AnnAssign)}
    for name, ns in NAMESPACES.items():
        cls = classes[name]
        base = "enum.IntFlag" if issubclass(ns, enum.IntFlag) else "enum.IntEnum"
        assert ast.unparse(cls.bases[0]) == base, name
        members = {t.targets[0].id for t in cls.body if isinstance(t, ast.Assign)}
        attrs = {t.target.id for t in cls.body if isinstance(t, ast.AnnAssign)}
        assert set(ns.__members__) <= members, (name, set(ns.__members__) - members)
        extra = {a for a, v in vars(ns).items() if type(v) is int and not a.startswith("_")}
        assert extra <= attrs, (name, extra - attrs)
    assert set(FLAT) - set(NAMESPACES) <= flat, sorted(set(FLAT) - set(NAMESPACES) - flat)[:10]


def test_package_star_imports_every_generated_module():
    """Type checkers see the generated calls through these lines (see linuxsys/__init__.py)."""
    text = (PKG / "__init__.py").read_text()
    for path in PKG.glob("_sys_*.py"):
        assert f"from .{path.stem} import *" in text, path.stem
