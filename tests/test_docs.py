"""Every public function of the API reference (docs/api: the families and the other documented
modules) names its man page by man7.org URL and says what it raises in a ``Raises:`` section
(Google style, which the docs' napoleon renders)."""
import importlib
import inspect
import re

import pytest

import linuxsys

# fd's page documents the Fd class, whose methods are these functions.
MODULES = linuxsys._FAMILIES + ("stat", "raw", "trace", "aio", "netlink", "coverage")
MAN7 = re.compile(r"https://man7\.org/linux/man-pages/man(\d)/[\w.+-]+\.\1\w*\.html")
RAISES = re.compile(r"^\s*Raises:\s*\n(\s+)\S", re.M)


def _functions(name):
    mod = importlib.import_module(f"linuxsys.{name}")
    for attr in mod.__all__:
        f = getattr(mod, attr)
        if inspect.isfunction(f):
            yield attr, f


def _problems(name):
    out = []
    for attr, f in _functions(name):
        doc = inspect.getdoc(f) or ""
        if not MAN7.search(doc):
            out.append(f"{attr}: no man7.org link")
        if not RAISES.search(doc):
            out.append(f"{attr}: no Raises: section")
    return out


@pytest.mark.parametrize("name", MODULES)
def test_public_functions_link_their_man_page_and_say_what_they_raise(name):
    assert _problems(name) == []
