"""Generated files are what their generators write today (x/sys's zsyscall_* rule)."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "gen_syscalls.py"


@pytest.mark.skipif(not TOOL.exists(), reason="needs the source checkout (not a wheel)")
def test_plain_syscall_modules_are_up_to_date():
    r = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
